"""scrm.Condition and scrm.CompiledCondition: forms, equality, time and score conversion, errors."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import scrm
from conftest import REPO

T = "chayuan-tea"
UTC = timezone.utc
NOW = datetime(2026, 3, 15, tzinfo=UTC)
CUSTOMER = {"tenant_id": T, "id": "c1", "created_at": "2026-03-01T00:00:00Z"}


@pytest.fixture(scope="module")
def playbook():
    return scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())


def view(id, at):
    return {"tenant_id": T, "id": id, "customer_id": "c1", "type": "content_view", "at": at}


def test_text_and_json_forms_give_equal_conditions():
    text = 'score>=60 and has_tag("高意向")   and stage in ["mql","sql"]'
    c = scrm.Condition.parse(text)
    assert isinstance(c, scrm.Condition)
    assert c.to_text() == str(c) == 'score >= 60 and has_tag("高意向") and stage in ["mql", "sql"]'
    as_json = c.to_json()
    assert type(as_json) is dict and list(as_json) == ["all"]
    assert scrm.Condition.from_json(as_json) == c
    assert scrm.Condition.from_json(json.dumps(as_json)) == c
    assert scrm.Condition.parse(c.to_text()) == c
    assert hash(scrm.Condition.from_json(as_json)) == hash(c)
    assert c != scrm.Condition.parse("score >= 61")
    assert c != text
    assert repr(c).startswith("Condition(")
    with pytest.raises(AttributeError):
        c.text = "true"


def test_parse_errors_locate_the_problem():
    with pytest.raises(scrm.ParseError) as info:
        scrm.Condition.parse('score >= 60 and (stage = "sql"]')
    assert info.value.kind == "parse"
    (problem,) = info.value.problems
    assert problem.path == ""
    assert "line 1, column 31" in problem.message and "^" in problem.message


def test_meaningless_comparison_is_a_validation_error():
    with pytest.raises(scrm.ValidationError):
        scrm.Condition.parse("stage > 3")


def test_json_errors_are_reported_at_json_paths():
    with pytest.raises(scrm.ValidationError) as info:
        scrm.Condition.from_json({"all": [{"has_tags": "x"}]})
    assert [p.path for p in info.value.problems] == ["all[0]"]
    with pytest.raises(scrm.ParseError):
        scrm.Condition.from_json("score >= 60")


@pytest.mark.parametrize("value", [None, 42, b"score", ["score"]])
def test_parse_needs_a_string(value):
    with pytest.raises(TypeError):
        scrm.Condition.parse(value)


def test_compile_resolves_names_and_refuses_unknown_tags(playbook):
    compiled = scrm.Condition.parse('has_tag("高意向")').compile(playbook)
    assert isinstance(compiled, scrm.CompiledCondition)
    assert compiled.condition == scrm.Condition.parse('has_tag("高意向")')
    with pytest.raises(scrm.ValidationError) as info:
        scrm.Condition.parse('has_tag("不存在")').compile(playbook)
    assert "不存在" in str(info.value)
    with pytest.raises(TypeError):
        scrm.Condition.parse("true").compile("playbook")


def test_evaluate_returns_a_bool(playbook):
    tagged = {**CUSTOMER, "tags": [{"tag_id": "intent_high", "applied_at": "2026-03-02T00:00:00Z", "provenance": {"kind": "manual"}}]}
    compiled = scrm.Condition.parse('has_tag("高意向")').compile(playbook)
    assert compiled.evaluate(tagged, NOW) is True
    assert compiled.evaluate(CUSTOMER, NOW) is False


def test_now_in_another_zone_is_the_same_instant(playbook):
    # The window of 7 days ends at `now`; the view is 7 days minus one hour before 00:00 UTC.
    compiled = scrm.Condition.parse('count(event = "content_view", within = "7d") >= 1').compile(playbook)
    history = [view("v1", "2026-03-08T01:00:00Z")]
    shanghai = timezone(timedelta(hours=8))
    assert compiled.evaluate(CUSTOMER, NOW, history) is True
    assert compiled.evaluate(CUSTOMER, datetime(2026, 3, 15, 8, tzinfo=shanghai), history) is True
    assert compiled.evaluate(CUSTOMER, datetime(2026, 3, 15, 8, tzinfo=UTC), history) is False
    assert compiled.evaluate(CUSTOMER, NOW, None) is False


def test_naive_now_is_refused_with_a_clear_message(playbook):
    compiled = scrm.Condition.parse("true").compile(playbook)
    with pytest.raises(ValueError, match="timezone-aware"):
        compiled.evaluate(CUSTOMER, datetime(2026, 3, 15))


@pytest.mark.parametrize("now", ["2026-03-15T00:00:00Z", 1773532800, None, NOW.date()])
def test_now_must_be_a_datetime(playbook, now):
    compiled = scrm.Condition.parse("true").compile(playbook)
    with pytest.raises(TypeError, match="now"):
        compiled.evaluate(CUSTOMER, now)


@pytest.mark.parametrize("score, expected", [(Decimal("72.5"), True), (72, True), ("72.5", True), (Decimal("7.25E+1"), True), ("59.99", False), (-1, False), (None, False)])
def test_score_accepts_decimal_int_and_str(playbook, score, expected):
    compiled = scrm.Condition.parse("score >= 60").compile(playbook)
    assert compiled.evaluate(CUSTOMER, NOW, score=score) is expected


@pytest.mark.parametrize("score", [72.5, 60.0, float("nan"), True, [72], b"72"])
def test_score_refuses_floats_and_other_types(playbook, score):
    compiled = scrm.Condition.parse("score >= 60").compile(playbook)
    with pytest.raises(TypeError, match="score"):
        compiled.evaluate(CUSTOMER, NOW, score=score)


@pytest.mark.parametrize("score", ["abc", "", "1e99999", Decimal("NaN"), Decimal("Infinity"), "7" * 40])
def test_bad_score_text_is_a_validation_error_at_score(playbook, score):
    compiled = scrm.Condition.parse("score >= 60").compile(playbook)
    with pytest.raises(scrm.ValidationError) as info:
        compiled.evaluate(CUSTOMER, NOW, score=score)
    assert [p.path for p in info.value.problems] == ["score"]


def test_bad_customer_and_history_name_their_path(playbook):
    compiled = scrm.Condition.parse("true").compile(playbook)
    with pytest.raises(scrm.ValidationError) as info:
        compiled.evaluate({**CUSTOMER, "scroe": 1}, NOW)
    assert info.value.problems[0].path.startswith("customer")
    with pytest.raises(scrm.ValidationError) as info:
        compiled.evaluate(CUSTOMER, NOW, [{**view("v1", "2026-03-01T00:00:00Z"), "at": "soon"}])
    assert info.value.problems[0].path.startswith("history")
