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


# The dict-taking API: garbage values give a ScrmError or a TypeError, never a crash.

import math
from datetime import datetime, timezone

from conftest import REPO

BRAND = scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())
TAGGER = scrm.Tagger(BRAND)
ANYTHING = scrm.Condition.parse("true").compile(BRAND)
NOW = datetime(2026, 3, 15, tzinfo=timezone.utc)
CUSTOMER = {"tenant_id": "chayuan-tea", "id": "c1", "created_at": "2026-03-01T00:00:00Z"}
EVENT = {"tenant_id": "chayuan-tea", "id": "e1", "customer_id": "c1", "type": "message", "at": "2026-03-15T02:00:00Z"}


def nested(depth, leaf=None):
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def nested_list(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def circular():
    d = {}
    d["self"] = d
    return d


GARBAGE_VALUES = {
    "nested-100": nested(100),
    "nested-200": nested(200),
    "nested-100k": nested(100_000),
    "nested-lists-100k": nested_list(100_000),
    "circular": circular(),
    "huge-string": "x" * (10 * 1024 * 1024),
    "huge-id": {**CUSTOMER, "id": "c" * (10 * 1024 * 1024)},
    "lone-surrogate": {**CUSTOMER, "id": "\ud800"},
    "nan": {**CUSTOMER, "attributes": {"x": {"value": {"number": math.nan}, "updated_at": "2026-03-01T00:00:00Z"}}},
    "inf": {**CUSTOMER, "attributes": {"x": {"value": {"number": math.inf}, "updated_at": "2026-03-01T00:00:00Z"}}},
    "huge-number": {**CUSTOMER, "attributes": {"x": {"value": {"number": 10**300}, "updated_at": "2026-03-01T00:00:00Z"}}},
    "int-keys": {1: "a", 2: "b"},
    "wrong-field-types": {"tenant_id": 1, "id": None, "created_at": [], "tags": "x"},
    "bad-time": {**CUSTOMER, "created_at": "2026-02-30T25:00:00Z"},
    "none": None,
    "int": 42,
    "list": [1, "two", None],
    "empty": {},
}
UNWRITABLE = {"set": {1, 2}, "bytes": b"\x00", "object": object(), "tuple-key": {(1, 2): "x"}}

CALLS = {
    "resolve": lambda v: scrm.resolve([v]),
    "merge": lambda v: scrm.merge([v]),
    "merge-policy": lambda v: scrm.merge([CUSTOMER], v),
    "on_event-customer": lambda v: TAGGER.on_event(v, EVENT),
    "on_event-event": lambda v: TAGGER.on_event(CUSTOMER, v),
    "on_event-history": lambda v: TAGGER.on_event(CUSTOMER, EVENT, [v]),
    "evaluate-customer": lambda v: ANYTHING.evaluate(v, NOW),
    "evaluate-history": lambda v: ANYTHING.evaluate(CUSTOMER, NOW, v),
    "condition-json": lambda v: scrm.Condition.from_json(v),
}


# Odd but acceptable in some places (a None policy is the default, a 10 MiB id is an id).
ODD = {"huge-id", "huge-number", "none", "empty"}


@pytest.mark.parametrize("name", [n for n in GARBAGE_VALUES if n not in ODD])
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_garbage_values_raise_a_scrm_error(call, name):
    with pytest.raises(scrm.ScrmError) as info:
        call(GARBAGE_VALUES[name])
    assert info.value.kind in {"parse", "validation"}
    assert info.value.problems


@pytest.mark.parametrize("name", sorted(ODD))
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_odd_values_succeed_or_raise_a_scrm_error(call, name):
    try:
        call(GARBAGE_VALUES[name])
    except scrm.ScrmError as e:
        assert e.kind in {"parse", "validation"}
        assert e.problems


@pytest.mark.parametrize("value", UNWRITABLE.values(), ids=UNWRITABLE.keys())
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_values_json_cannot_hold_raise_type_error_naming_the_argument(call, value):
    with pytest.raises(TypeError, match=r"^(customers|customer|event|history|policy|condition): "):
        call(value)


def test_too_deep_or_circular_input_is_a_parse_error_at_the_argument():
    for value in (nested(100_000), circular()):
        with pytest.raises(scrm.ParseError) as info:
            scrm.merge([value])
        assert [p.path for p in info.value.problems] == ["customers"]
        assert info.value.__cause__ is not None


@pytest.mark.parametrize(
    "text",
    ["", "(" * 100_000, "not " * 100_000, "x" * (1024 * 1024), "has_tag(" + '"a",' * 100_000, "\x00", "score >= 1" + "0" * 100_000],
    ids=lambda t: f"{t[:12]!r}..{len(t)}",
)
def test_garbage_condition_text_raises_a_scrm_error(text):
    with pytest.raises(scrm.ScrmError) as info:
        scrm.Condition.parse(text)
    assert info.value.kind in {"parse", "validation"}


def test_garbage_identity_values_raise_validation_errors():
    for value in ["", "\x00", "+" * 1_000_000, "1" * 1_000_000, "８６１３８００１３８０００" * 1000]:
        with pytest.raises(scrm.ValidationError):
            scrm.normalize_identity("phone", value)


def test_a_naive_datetime_in_a_document_is_refused_at_the_argument():
    naive = {**CUSTOMER, "created_at": datetime(2026, 3, 1)}
    for call in (lambda: scrm.merge([naive]), lambda: TAGGER.on_event(naive, EVENT), lambda: ANYTHING.evaluate(naive, NOW)):
        with pytest.raises(scrm.ScrmError) as info:
            call()
        assert info.value.problems[0].path in {"customers", "customer"}
        assert "timezone-aware" in str(info.value.__cause__)



def test_a_panic_in_the_core_is_an_internal_error_and_the_interpreter_lives_on():
    # scrm._native._panic_probe panics inside the one GIL-releasing helper, as a dict call and
    # as an Arrow batch call; no public path is known to panic, so the hook stands in for one.
    import pyarrow as pa

    for args in [(), (pa.table({"x": [1, 2]}),)]:
        with pytest.raises(scrm.InternalError, match="scrm panicked: the panic probe") as info:
            scrm._native._panic_probe(*args)
        assert info.value.kind == "internal"
        assert isinstance(info.value, scrm.ScrmError)
    # The interpreter and the module still work.
    assert scrm.Playbook.from_toml('schema_version = 1\ntenant_id = "t"\ntimezone = "UTC"\n').tenant_id == "t"
