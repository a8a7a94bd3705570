"""scrm.Segment and scrm.decision_chain: types, precedence and errors."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

import scrm
from conftest import REPO

T = "chayuan-tea"
NOW = datetime(2026, 3, 10, tzinfo=timezone.utc)


def customer(id, *tags, stage=None):
    c = {
        "tenant_id": T,
        "id": id,
        "created_at": "2026-03-01T00:00:00Z",
        "tags": [{"tag_id": t, "applied_at": "2026-03-02T00:00:00Z", "provenance": {"kind": "manual"}} for t in tags],
    }
    if stage:
        c["stage"] = stage
    return c


CUSTOMERS = [customer("c1", "intent_high"), customer("c2"), customer("c3", "intent_high")]


@pytest.fixture(scope="module")
def playbook():
    return scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())


@pytest.fixture(scope="module")
def hot(playbook):
    return scrm.Condition.parse('has_tag("高意向")').compile(playbook)


def test_members_in_input_order_with_include_and_exclude(hot):
    assert scrm.Segment(hot).members(CUSTOMERS, NOW) == ["c1", "c3"]
    segment = scrm.Segment(hot, include=("c2", "c3"), exclude={"c3"})
    assert segment.members(CUSTOMERS, NOW) == ["c1", "c2"]
    assert segment.include == ["c2", "c3"] and segment.exclude == ["c3"]
    assert isinstance(segment.condition, scrm.CompiledCondition)
    assert segment.condition.condition == hot.condition
    assert "高意向" in repr(segment)
    with pytest.raises(AttributeError):
        segment.include = []


def test_scores_accept_decimal_int_and_str_but_not_float(playbook):
    scored = scrm.Segment(scrm.Condition.parse("score >= 60").compile(playbook))
    scores = {"c1": Decimal("60.5"), "c2": 59, "c3": "60"}
    assert scored.members(CUSTOMERS, NOW, scores=scores) == ["c1", "c3"]
    assert scored.members(CUSTOMERS, NOW) == []
    with pytest.raises(TypeError, match="float"):
        scored.members(CUSTOMERS, NOW, scores={"c1": 60.0})
    with pytest.raises(TypeError):
        scored.members(CUSTOMERS, NOW, scores=[("c1", 60)])
    with pytest.raises(scrm.ValidationError) as info:
        scored.members(CUSTOMERS, NOW, scores={"c1": "high"})
    assert [p.path for p in info.value.problems] == ["scores.c1"]


def test_histories_per_customer(playbook):
    viewed = scrm.Segment(scrm.Condition.parse('count(event = "content_view", within = "7d") >= 1').compile(playbook))
    view = {"tenant_id": T, "id": "e1", "customer_id": "c2", "type": "content_view", "at": "2026-03-09T00:00:00Z"}
    assert viewed.members(CUSTOMERS, NOW, histories={"c2": [view]}) == ["c2"]


def test_segment_errors(hot):
    with pytest.raises(TypeError, match="single str"):
        scrm.Segment(hot, include="c1")
    with pytest.raises(TypeError):
        scrm.Segment(hot, exclude=[1])
    with pytest.raises(TypeError):
        scrm.Segment(hot.condition)
    segment = scrm.Segment(hot)
    with pytest.raises(ValueError, match="timezone-aware"):
        segment.members(CUSTOMERS, datetime(2026, 3, 10))
    with pytest.raises(scrm.ValidationError) as info:
        segment.members([CUSTOMERS[0], {**CUSTOMERS[1], "colour": "red"}], NOW)
    assert info.value.problems[0].path.startswith("customers[1]")


ACCOUNT = {
    "tenant_id": T,
    "id": "acc",
    "name": "华东餐饮集团",
    "contacts": [
        {"customer_id": "ceo", "roles": ["decision_maker"]},
        {"customer_id": "buyer", "roles": ["champion"], "reports_to": "ceo"},
    ],
}


def test_decision_chain_is_a_frozen_value():
    chain = scrm.decision_chain(ACCOUNT)
    assert isinstance(chain, scrm.DecisionChain)
    assert chain.decision_makers == ["ceo"] and chain.champions == ["buyer"]
    for name in ("decision_makers", "influencers", "champions", "gatekeepers", "gaps"):
        value = getattr(chain, name)
        assert type(value) is list and all(type(x) is str for x in value)
    assert chain.to_dict()["decision_makers"] == ["ceo"]
    assert chain == scrm.decision_chain(ACCOUNT)
    assert "ceo" in repr(chain)
    with pytest.raises(AttributeError):
        chain.gaps = []
    with pytest.raises(TypeError):
        scrm.DecisionChain()


def test_decision_chain_errors():
    with pytest.raises(scrm.ValidationError) as info:
        scrm.decision_chain({**ACCOUNT, "contacts": [{"customer_id": "a", "reports_to": "zz"}]})
    assert [p.path for p in info.value.problems] == ["contacts[0].reports_to"]
    with pytest.raises(TypeError):
        scrm.decision_chain({**ACCOUNT, "contacts": {"a", "b"}})
