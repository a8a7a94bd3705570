"""Runs every vector in conformance/vectors through the Python binding, as scrm-core/tests/conformance.rs does."""

import functools
import json
from datetime import datetime

import pytest

import scrm
from conftest import REPO

VECTORS = [v for f in sorted((REPO / "conformance/vectors").glob("*.json")) for v in json.loads(f.read_text())["vectors"]]
PENDING = set(json.loads((REPO / "conformance/pending.json").read_text())["python"])
# The ops `run` below handles; the rest must be listed in conformance/pending.json.
OPS = {
    "playbook.load",
    "identity.normalize",
    "identity.resolve",
    "customer.merge",
    "tagging.events",
    "condition.parse",
    "condition.evaluate",
    "segment.members",
    "account.decision_chain",
    "tagging.manual",
}


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


def outcome(work):
    """The result of `work()`, or the error as {"error": {"kind", "paths"}}."""
    try:
        return work()
    except scrm.ScrmError as e:
        return {"error": {"kind": e.kind, "paths": [p.path for p in e.problems]}}


@functools.lru_cache(maxsize=None)
def playbook(file):
    return scrm.Playbook.from_json((REPO / file).read_text())


def str_or_none(v, key):
    """Like serde's `as_str`: the field when it is a string, else None."""
    value = v.get(key)
    return value if isinstance(value, str) else None


def tag_events(v):
    tagger = scrm.Tagger(playbook(v["playbook"]))
    customer = v["customer"]
    events = v["events"]
    all_changes = []
    for i, event in enumerate(events):
        customer, changes = tagger.on_event(customer, event, events[:i])
        all_changes.append(changes_value(changes))
    return {"changes": all_changes, "tags": carried_tags(customer)}


def parse_condition(v):
    if isinstance(v.get("text"), str):
        return scrm.Condition.parse(v["text"])
    return scrm.Condition.from_json(json.dumps(v.get("json")))


def evaluate(v):
    now = datetime.fromisoformat(v["now"].replace("Z", "+00:00"))
    compiled = scrm.Condition.parse(v["condition"]).compile(playbook(v["playbook"]))
    return compiled.evaluate(v["customer"], now, history=v.get("history"), score=str_or_none(v, "score"))


def ids(v, key):
    """Like the Rust runner: the strings of the list at `key`, none when absent."""
    value = v.get(key)
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def segment_members(v):
    now = datetime.fromisoformat(v["now"].replace("Z", "+00:00"))
    compiled = scrm.Condition.parse(v["condition"]).compile(playbook(v["playbook"]))
    segment = scrm.Segment(compiled, include=ids(v, "include"), exclude=ids(v, "exclude"))
    return {"members": segment.members(v.get("customers") or [], now, histories=v.get("histories"), scores=v.get("scores"))}


def changes_value(changes):
    return [{"tag_id": c.tag_id, "action": c.action, "reason": c.reason} for c in changes]


def carried_tags(customer):
    """The tags a customer carries, with their expiry where they have one, sorted by id."""
    tags = [
        {"tag_id": t["tag_id"], **({"expires_at": t["expires_at"]} if "expires_at" in t else {})}
        for t in customer["tags"]
    ]
    tags.sort(key=lambda t: t["tag_id"])
    return tags


def tag_by_hand(v):
    """Runs hand-tagging steps in order (`tag` + `at`, `untag`, `expire`, `pre_tags`)."""
    tagger = scrm.Tagger(playbook(v["playbook"]))
    customer = v["customer"]
    all_changes = []
    for step in v["steps"]:
        def time(key):
            return datetime.fromisoformat(step[key].replace("Z", "+00:00"))

        if isinstance(step.get("tag"), str):
            customer, changes = tagger.tag(customer, step["tag"], time("at"))
        elif isinstance(step.get("untag"), str):
            customer, changes = tagger.untag(customer, step["untag"])
        elif "expire" in step:
            customer, changes = tagger.expire(customer, time("expire"))
        else:
            customer, changes = tagger.apply_pre_tags(customer, step.get("pre_tags"))
        all_changes.append(changes_value(changes))
    return {"changes": all_changes, "tags": carried_tags(customer)}


def run(v):
    op = v["op"]
    if op == "playbook.load":
        load = {"json": scrm.Playbook.from_json, "toml": scrm.Playbook.from_toml}[v.get("format", "json")]
        return outcome(lambda: {"summary": summary(load(source_text(v)))})
    if op == "identity.normalize":
        return outcome(
            lambda: {"identity": scrm.normalize_identity(v.get("kind") or "", v.get("value") or "", str_or_none(v, "scope")).to_dict()}
        )
    if op == "identity.resolve":
        return outcome(lambda: {"clusters": scrm.resolve(v.get("customers") or [])})
    if op == "customer.merge":
        return outcome(lambda: {"customer": scrm.merge(v.get("customers") or [], v.get("policy"))})
    if op == "tagging.events":
        return outcome(lambda: tag_events(v))
    if op == "condition.parse":
        return outcome(lambda: (lambda c: {"text": c.to_text(), "json": c.to_json()})(parse_condition(v)))
    if op == "condition.evaluate":
        return outcome(lambda: {"result": evaluate(v)})
    if op == "segment.members":
        return outcome(lambda: segment_members(v))
    if op == "account.decision_chain":
        return outcome(lambda: scrm.decision_chain(v["account"]).to_dict())
    if op == "tagging.manual":
        return outcome(lambda: tag_by_hand(v))
    raise AssertionError(f"unknown op {op!r} in {v['id']}")


def same(a, b):
    """JSON equality: numbers compare by value (7.0 equals 7), but a bool is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def test_there_are_vectors():
    assert len(VECTORS) >= 15
    ops = {v["op"] for v in VECTORS}
    assert ops - PENDING == OPS, "every op is run here or listed in conformance/pending.json"


def test_pending_lists_only_ops_not_run_here():
    assert not (PENDING & OPS), f"run here, so remove from conformance/pending.json: {sorted(PENDING & OPS)}"


def test_same_is_strict_where_json_is():
    assert same({"a": [7, "x"]}, {"a": [7.0, "x"]})
    assert not same({"a": 1}, {"a": True})
    assert not same({"a": 1}, {"a": 1, "b": None})
    assert not same([1, 2], [2, 1])
    assert not same("7", 7)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector):
    if vector["op"] in PENDING:
        pytest.skip(f"op {vector['op']} is not bound in Python yet (conformance/pending.json)")
    got = run(vector)
    assert same(got, vector["expect"]), f"expected {vector['expect']}\n got      {got}"
