"""Social graph and analytics functions: lists of dicts in, reports with datetimes and Decimals out."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import scrm

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def event(i, customer, kind, minutes, **properties):
    return {"tenant_id": "acme", "id": i, "customer_id": customer, "type": kind, "at": T0 + timedelta(minutes=minutes), "properties": properties}


SHARES = [
    event("s1", "ann", "share", 0, content_id="guide"),
    event("s2", "bo", "share", 5, content_id="guide", parent_share_id="s1"),
    event("v1", "dee", "content_view", 12, share_id="s2"),
    event("v2", "eve", "friend_added", 13, share_id="s1"),
]

OPTIONS = {"stages": ["lead", "mql", "customer"], "timezone": "Asia/Shanghai", "lead_stage": "lead"}
JOURNEYS = [
    {"customer_id": "a", "created_at": T0, "channel": "douyin", "owner": "o1",
     "stages": [{"stage": "lead", "at": T0}, {"stage": "mql", "at": T0 + timedelta(days=2)}]},
    {"customer_id": "b", "created_at": T0, "channel": "wecom", "stages": [{"stage": "lead", "at": T0 + timedelta(days=1)}]},
]


def test_propagation_builds_trees_with_decimal_rates():
    (tree,) = scrm.propagation(SHARES)["trees"]
    assert (tree["key"], tree["depth"], tree["reach"]) == ("guide", 2, 3)
    assert isinstance(tree["k_factor"], Decimal)
    assert tree["top_spreaders"][0]["customer_id"] == "ann"
    assert [n["customer_id"] for n in tree["nodes"]] == ["ann", "bo", "dee", "eve"]
    only_views = scrm.propagation(SHARES, rules={"share_types": ["share"], "include_nodes": False})
    assert only_views["trees"][0]["nodes"] == []


def test_fission_counts_helps_until_the_goal():
    campaign = {"id": "spring", "goal": 2, "starts_at": T0, "ends_at": T0 + timedelta(days=30), "reward": "tea set"}
    helps = [
        event("h1", "bo", "friend_added", 60, campaign="spring", inviter_id="ann"),
        event("h2", "cy", "friend_added", 120, campaign="spring", inviter_id="ann"),
    ]
    out = scrm.fission(campaign, helps, T0 + timedelta(days=9))
    (ann,) = out["inviters"]
    assert ann["reward_earned"] is True and ann["reached_at"] == T0 + timedelta(minutes=120)
    friends = scrm.fission(campaign, helps, T0 + timedelta(days=9), existing_friends=["bo"])
    assert friends["inviters"][0]["count"] == 1


def test_funnel_became_cohorts_and_cost_per_lead():
    funnel = scrm.funnel(OPTIONS, JOURNEYS)
    assert [s["count"] for s in funnel["overall"]["stages"]] == [2, 1, 0]
    assert funnel["overall"]["conversions"][0]["rate"] == Decimal("0.5000")
    became = scrm.became(OPTIONS, JOURNEYS)
    assert became[0] == {"customer_id": "a", "became": [{"stage": "lead", "at": T0}, {"stage": "mql", "at": T0 + timedelta(days=2)}]}
    cohorts = scrm.cohorts(OPTIONS, JOURNEYS, as_of=T0 + timedelta(days=40))
    assert cohorts["as_of"] == T0 + timedelta(days=40) and cohorts["cohorts"][0]["size"] == 2
    spend = [{"channel": "douyin", "amount": Decimal("100"), "currency": "CNY"}]
    cost = scrm.cost_per_lead(OPTIONS, JOURNEYS, spend)
    assert cost["channels"][0]["cost_per_lead"] == Decimal("100.00")
    html = scrm.report_html({"title": "三月", "funnel": funnel, "cohorts": cohorts, "cost_per_lead": cost, "scores": [12, 40.5]})
    assert html.startswith("<!DOCTYPE html>") and "三月" in html


def test_errors_name_their_paths():
    with pytest.raises(scrm.ValidationError) as e:
        scrm.funnel({"stages": []}, JOURNEYS)
    assert [p.path for p in e.value.problems] == ["stages"]  # the options' field, as the core names it
    with pytest.raises(scrm.ValidationError) as e:
        scrm.propagation([{**SHARES[0], "at": "soon"}])
    assert e.value.problems[0].path.startswith("events")
    with pytest.raises(ValueError, match=r"journeys\[0\].created_at must be a timezone-aware"):
        scrm.funnel(OPTIONS, [{**JOURNEYS[0], "created_at": datetime(2026, 3, 1)}])
    with pytest.raises(scrm.ValidationError) as e:
        scrm.report_html({"title": 1})
    assert e.value.problems[0].path.startswith("report")


@pytest.mark.parametrize(
    "call",
    [
        lambda: scrm.propagation(None),
        lambda: scrm.propagation([1, "x"], rules=[]),
        lambda: scrm.fission(None, [], T0),
        lambda: scrm.funnel([], {}),
        lambda: scrm.became({"stages": "lead"}, [None]),
        lambda: scrm.cohorts({}, [], T0),
        lambda: scrm.cost_per_lead(OPTIONS, JOURNEYS, [{"amount": "-x"}]),
        lambda: scrm.report_html([]),
    ],
)
def test_bad_input_raises_scrm_errors_and_never_crashes(call):
    with pytest.raises(scrm.ScrmError):
        call()
