"""Runs every vector in conformance/vectors through the Python binding."""

import json

import pytest

import scrm
from conftest import REPO

VECTORS = [v for f in sorted((REPO / "conformance/vectors").glob("*.json")) for v in json.loads(f.read_text())["vectors"]]


def source_text(v):
    if "text" in v:
        return v["text"]
    if "file" in v:
        return (REPO / v["file"]).read_text()
    return json.dumps(v["document"], ensure_ascii=False)


def summary(p):
    return {
        "schema_version": p.schema_version,
        "tenant_id": p.tenant_id,
        "timezone": p.timezone,
        "channels": [c.id for c in p.channels],
        "groups": [{"id": g.id, "exclusive": g.exclusive, "tags": [t.id for t in g.tags]} for g in p.tag_groups],
    }


def run(v):
    if v["op"] == "playbook.load":
        load = {"json": scrm.Playbook.from_json, "toml": scrm.Playbook.from_toml}[v["format"]]
        try:
            return {"summary": summary(load(source_text(v)))}
        except scrm.ScrmError as e:
            return {"error": {"kind": e.kind, "paths": [p.path for p in e.problems]}}
    raise AssertionError(f"unknown op {v['op']!r} in {v['id']}")


def test_there_are_vectors():
    assert len(VECTORS) >= 15


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector):
    assert run(vector) == vector["expect"]
