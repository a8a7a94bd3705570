"""scrm.Pool: due, claim, transfer and assignment over dicts, with datetimes and paths in errors."""

from datetime import datetime, timedelta, timezone

import pytest
import scrm
from conftest import REPO

NOW = datetime(2026, 3, 17, 2, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def pool():
    return scrm.Pool(scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text()))


def test_due_reclaims_an_idle_lead_and_says_why(pool):
    since = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)
    customers = [{"customer_id": "c1", "owner": {"id": "wang", "since": since}, "stage": "lead"}]
    (item,) = pool.due(customers, NOW)["items"]
    assert (item["customer_id"], item["action"], item["idle_days"]) == ("c1", "reclaim", 16)
    assert item["since"] == since
    assert "14 days" in item["reason"]


def test_claim_allows_or_refuses_with_reasons(pool):
    employee = {"id": "li", "held": 120, "claimed_today": 3}
    customer = {"customer_id": "c9", "pooled_at": NOW - timedelta(days=1), "previous_owner": "wang", "stage": "lead"}
    allowed = pool.claim(employee, customer, NOW)
    assert allowed["allowed"] is True and allowed["refusals"] == []
    refused = pool.claim({**employee, "claimed_today": 10}, customer, NOW)
    assert refused["allowed"] is False and refused["refusals"][0]["reason"]


def test_transfer_plan_then_status(pool):
    request = {"kind": "in_service", "handover": "wang", "takeover": "zhao", "customers": ["c1", "c2"]}
    plan = pool.plan_transfer(request, NOW)
    assert plan["accepted"] == ["c1", "c2"]
    assert plan["completes_at"] == NOW + timedelta(hours=24)
    status = pool.transfer_status(plan["records"], NOW + timedelta(hours=25))
    assert [o["status"] for o in status["outcomes"]] == ["done", "done"]
    again = pool.plan_transfer(request, NOW, history=plan["records"], employees=[{"id": "zhao"}])
    assert isinstance(again["refused"], list)


def test_assign_takes_turns_and_carries_state(pool):
    employees = [{"id": "zhou"}, {"id": "wu"}]
    leads = [{"customer_id": f"l{i}", "channel_code": "store-sh-xintiandi"} for i in range(2)]
    first = pool.assign(employees, leads, NOW)
    assert [d["customer_id"] for d in first["decisions"]] == ["l0", "l1"]
    assert all(d["reason"] for d in first["decisions"])
    second = pool.assign(first["employees"], [{"customer_id": "l2", "channel_code": "store-sh-xintiandi"}], NOW, state=first["state"])
    assert second["state"]["last_turn"]


def test_errors_name_their_paths(pool):
    with pytest.raises(scrm.ValidationError) as e:
        pool.due([{"customer_id": "c1", "owner": {"id": "wang", "since": "yesterday"}}], NOW)
    assert [p.path for p in e.value.problems] == ["customers[0]"]
    too_many = {"kind": "in_service", "handover": "wang", "takeover": "zhao", "customers": [f"c{i}" for i in range(101)]}
    with pytest.raises(scrm.ValidationError) as e:
        pool.plan_transfer(too_many, NOW)
    assert [p.path for p in e.value.problems] == ["customers"]
    with pytest.raises(ValueError, match="now must be a timezone-aware"):
        pool.due([], datetime(2026, 3, 1))


def test_a_playbook_whose_rules_do_not_compile_is_refused():
    doc = {"schema_version": 1, "tenant_id": "t", "timezone": "UTC", "assignment": {"working_hours": [{"days": ["mon"], "from": "25:00", "to": "26:00"}]}}
    import json

    try:
        playbook = scrm.Playbook.from_json(json.dumps(doc))
    except scrm.ValidationError as e:  # refused when loading already: also at its path
        assert e.problems[0].path.startswith("assignment.working_hours[0]")
        return
    with pytest.raises(scrm.ValidationError) as e:
        scrm.Pool(playbook)
    assert e.value.problems[0].path.startswith("assignment.working_hours[0]")


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.due(None, NOW),
        lambda p: p.due({"customer_id": 1}, NOW),
        lambda p: p.claim([], "x", NOW),
        lambda p: p.plan_transfer({}, NOW, history=[None]),
        lambda p: p.transfer_status([{"started_at": "x"}], NOW, employees=[1]),
        lambda p: p.assign([{"id": ""}], [{}], NOW, state=[]),
    ],
)
def test_bad_input_raises_scrm_errors_and_never_crashes(pool, call):
    with pytest.raises(scrm.ScrmError):
        call(pool)
