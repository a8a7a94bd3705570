"""Garbage in gives a typed error, never a crash of the interpreter."""

import pytest

import scrm

GARBAGE = [
    "",
    "\x00\x01\x02",
    "[" * 100_000,
    "{" * 10_000,
    "a = " + "[" * 100_000,
    '{"schema_version": 1e400}',
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "x" * (10 * 1024 * 1024),
    '{"schema_version": 1, "tenant_id": "t", "timezone": "UTC", "taxonomy": {"groups": "' + "y" * (10 * 1024 * 1024) + '"}}',
]


@pytest.mark.parametrize("text", GARBAGE, ids=lambda t: f"{t[:12]!r}..{len(t)}")
@pytest.mark.parametrize("loader", [scrm.Playbook.from_json, scrm.Playbook.from_toml])
def test_garbage_text_raises_a_scrm_error(loader, text):
    with pytest.raises(scrm.ScrmError) as info:
        loader(text)
    assert info.value.kind in {"parse", "validation"}
    assert info.value.problems


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"], {"a": 1}, 3.5])
def test_wrong_argument_types_raise_type_error(value):
    with pytest.raises(TypeError):
        scrm.Playbook.from_json(value)


def test_playbook_cannot_be_built_without_a_loader():
    with pytest.raises(TypeError):
        scrm.Playbook()
