"""scrm.Engine: profiles as dicts, times as datetimes, scores as Decimals, errors at their paths."""

import json
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from gil import long_enough, progress_during

import scrm
from conftest import REPO

NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def engine():
    return scrm.Engine(scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text()))


def message(i="m1", customer="c1", at=NOW, text="礼盒装的大红袍多少钱？"):
    return {"tenant_id": "chayuan-tea", "id": i, "customer_id": customer, "type": "message", "at": at, "text": text}


def test_apply_returns_the_profile_and_its_effects_with_python_types(engine):
    profile, effects = engine.apply(None, message(), NOW)
    assert profile["live"]["customer"]["id"] == "c1"
    assert profile["live"]["customer"]["created_at"] == NOW
    assert sorted(t["tag_id"] for t in effects["tags"]) == ["ind_corporate_gift", "intent_high"]
    assert effects["score"]["delta"] == Decimal("28")
    assert [(s["from"], s["to"]) for s in effects["stages"]] == [(None, "visitor"), ("visitor", "lead")]
    assert effects["stages"][0]["at"] == NOW
    task = effects["tasks"][0]
    assert task["id"] == "add_wecom" and task["due_at"] - task["created_at"] == timedelta(days=1)


def test_effects_say_how_the_reclaim_clock_moved_with_dates(engine):
    from datetime import date
    customer = {"tenant_id": "chayuan-tea", "id": "c9", "created_at": NOW, "owner": "emp1"}
    profile = engine.new_profile(customer)
    profile, effects = engine.apply(profile, message(customer="c9"), NOW)
    pool = effects["pool"]
    # No stage: 30 + 2 days from the owner's start; a lead: 14 + 2 (Asia/Shanghai days).
    assert (pool["reclaim_on_before"], pool["reclaim_on"]) == (date(2026, 4, 2), date(2026, 3, 17))
    # A lead has a task (add WeCom), which keeps an overdue customer from reclaim.
    assert pool["open_tasks"] == 1
    assert pool["reason"] == "stage lead: reclaim moves from 2026-04-02 to 2026-03-17; 1 open task(s) keep the customer from reclaim"
    call = {"tenant_id": "chayuan-tea", "id": "f1", "customer_id": "c9", "type": "follow_up", "at": NOW + timedelta(days=9)}
    _, effects = engine.apply(profile, call, call["at"])
    assert effects["pool"]["reclaim_on"] == date(2026, 3, 26)


def test_pool_facts_give_times_as_datetimes_per_rule_too():
    # A rule that counts only purchases keeps its own last activity, as a datetime like the rest.
    doc = json.loads((REPO / "examples/playbooks/brand.json").read_text())
    rules = doc["lifecycle"]["rules"]
    silent = next(i for i, r in enumerate(rules) if r["id"] == "silent_60d")
    rules.insert(silent, {"kind": "inactivity", "id": "no_order_90d", "after": "90d", "to": "churned",
                          "activity": ["purchase"]})
    engine = scrm.Engine(scrm.Playbook.from_json(json.dumps(doc)))
    purchase = {**message(i="p1"), "type": "purchase", "text": None, "properties": {"amount": "88"}}
    profile, _ = engine.apply(None, purchase, NOW)
    later = NOW + timedelta(days=20)
    profile, _ = engine.apply(profile, message(i="m2", at=later), later)
    facts = engine.pool_facts(profile)
    assert facts["last_activity"] == later
    assert facts["last_activity_by_rule"] == {"no_order_90d": NOW}
    due = scrm.Pool(scrm.Playbook.from_json(json.dumps(doc))).due([facts], NOW + timedelta(days=91))
    assert [(i["action"], i["rule"]) for i in due["items"] if i["action"] == "dormant"] == [("dormant", "no_order_90d")]


def test_a_profile_passed_back_in_replays_to_nothing(engine):
    profile, _ = engine.apply(None, message(), NOW)
    again, effects = engine.apply(profile, message(), NOW)
    assert effects["replayed"] is True
    assert again == profile


def test_score_explains_itself_in_decimals(engine):
    profile, _ = engine.apply(None, message(), NOW)
    score = engine.score(profile, NOW)
    assert score["score"] == Decimal("28") and isinstance(score["engagement"], Decimal)
    assert {r["rule"] for r in score["explanation"]["rules"]} == {"message", "asked_price"}


def test_new_profile_tick_and_rescore(engine):
    customer = {"tenant_id": "chayuan-tea", "id": "c7", "created_at": NOW, "owner": "wang"}
    profile = engine.new_profile(customer)
    assert profile["live"]["customer"]["owner"] == "wang"
    profile, _ = engine.apply(profile, message(customer="c7"), NOW)
    later = NOW + timedelta(days=60)
    ticked, effects = engine.tick(profile, later)
    assert engine.score(ticked, later)["score"] < engine.score(profile, NOW)["score"]  # decayed
    assert isinstance(effects, dict)
    rescored, _ = engine.rescore(profile, [message(customer="c7")], NOW)
    assert engine.score(rescored, NOW)["score"] == engine.score(profile, NOW)["score"]


def test_fold_equals_applying_in_order(engine):
    events = [message("m2", at=NOW + timedelta(hours=1), text="你好"), message("m1"), message("x", customer="c2")]
    profiles, report = engine.fold([], events)
    assert (report["applied"], report["created"], report.get("refused", [])) == (3, 2, [])
    one, _ = engine.apply(None, message("m1"), NOW)
    one, _ = engine.apply(one, message("m2", at=NOW + timedelta(hours=1), text="你好"), NOW + timedelta(hours=1))
    later = NOW + timedelta(days=1)
    assert engine.score(profiles[0], later) == engine.score(one, later)


def test_priority_list_and_rfm(engine):
    customer = {"tenant_id": "chayuan-tea", "id": "c1", "created_at": NOW, "owner": "wang"}
    profile, _ = engine.apply(engine.new_profile(customer), message(), NOW)
    ranked = engine.priority_list("wang", [profile], NOW)
    assert [r["customer_id"] for r in ranked] == ["c1"] and isinstance(ranked[0]["priority"], Decimal)
    assert engine.priority_list("nobody", [profile], NOW) == []
    rfm = engine.rfm([profile], NOW)
    assert rfm[0]["customer_id"] == "c1" and "segment" in rfm[0]
    assert "segment" not in engine.rfm([profile], NOW, mode="quintiles")[0]


def test_errors_name_their_paths(engine):
    with pytest.raises(scrm.ValidationError) as e:
        engine.rfm([], NOW, mode="deciles")
    assert [p.path for p in e.value.problems] == ["mode"]
    with pytest.raises(scrm.ValidationError) as e:
        engine.apply({"live": 1}, message(), NOW)
    assert e.value.problems[0].path == "profile"
    with pytest.raises(scrm.ValidationError) as e:
        engine.fold([], [message(), {**message("m2"), "tenant_id": ""}])
    assert e.value.problems[0].path.startswith("events[1]")


def test_times_must_be_aware(engine):
    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        engine.apply(None, message(), datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="event.at must be a timezone-aware"):
        engine.apply(None, message(at=datetime(2026, 3, 1)), NOW)
    with pytest.raises(TypeError, match="now must be a datetime"):
        engine.score({}, "2026-03-01T00:00:00Z")


@pytest.mark.parametrize(
    "profile, event",
    [
        (None, {}),
        (None, []),
        ("garbage", {"id": 1}),
        ({"live": {"customer": {}}}, {"type": None}),
        (None, {"tenant_id": "chayuan-tea", "id": "e", "customer_id": "c1", "type": "x", "at": "not a time"}),
        ([1, 2, 3], {"at": {"nested": [None]}}),
    ],
)
def test_bad_input_raises_scrm_errors_and_never_crashes(engine, profile, event):
    with pytest.raises(scrm.ScrmError):
        engine.apply(profile, event, NOW)


def test_values_json_cannot_hold_raise_type_error_at_their_path(engine):
    with pytest.raises(TypeError, match=r"event.properties.x: set cannot be written as JSON"):
        engine.apply(None, {**message(), "properties": {"x": {1}}}, NOW)
    circular = []
    circular.append(circular)
    with pytest.raises(scrm.ParseError):
        engine.fold([], circular)


def test_an_engine_is_shared_between_threads(engine):
    results = []

    def work(i):
        profile, _ = engine.apply(None, message(f"m{i}", customer=f"c{i}"), NOW)
        results.append(engine.score(profile, NOW)["score"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [Decimal("28")] * 8
    assert repr(engine) == 'Engine(tenant_id="chayuan-tea")'


def test_fold_releases_the_gil(engine):
    events = [message(f"e{i}", customer=f"c{i % 50}", at=NOW + timedelta(minutes=i), text="礼盒多少钱") for i in range(3000)]
    (profiles, report), inside, seconds = progress_during(lambda: engine.fold([], events))
    assert (len(profiles), report["applied"]) == (50, 3000)
    # Held GIL: the counter could only run at the edges of the call (converting the documents).
    if not long_enough(seconds):
        pytest.skip("the fold was too short to observe on this machine (a release build)")
    assert inside >= 50, f"the other thread made {inside} steps of progress during the call"
