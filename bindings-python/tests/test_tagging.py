"""scrm.Tagger and scrm.TagChange: types, errors, immutability and threads."""

import copy
import threading
from datetime import datetime, timezone

import pytest

import scrm

T = "chayuan-tea"
CUSTOMER = {"tenant_id": T, "id": "c1", "created_at": "2026-03-01T00:00:00Z"}


def event(id, type="message", at="2026-03-15T02:00:00Z", **fields):
    return {"tenant_id": T, "id": id, "customer_id": "c1", "type": type, "at": at, **fields}


@pytest.fixture(scope="module")
def tagger():
    from conftest import REPO

    return scrm.Tagger(scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text()))


def test_on_event_returns_a_new_customer_dict_and_tag_changes(tagger):
    original = copy.deepcopy(CUSTOMER)
    result = tagger.on_event(CUSTOMER, event("e1", text="礼盒装的多少钱？"))
    assert type(result) is tuple and len(result) == 2
    customer, changes = result
    assert type(customer) is dict and CUSTOMER == original
    assert type(changes) is list and all(isinstance(c, scrm.TagChange) for c in changes)
    by_tag = {c.tag_id: c for c in changes}
    assert set(by_tag) == {"intent_high", "ind_corporate_gift"}
    price = by_tag["intent_high"]
    assert price.action == "added"
    assert price.provenance == {"kind": "keyword", "id": "kw_price"}
    assert "多少钱" in price.reason and "kw_price" in price.reason
    assert sorted(t["tag_id"] for t in customer["tags"]) == ["ind_corporate_gift", "intent_high"]


def test_replaying_an_event_changes_nothing(tagger):
    e = event("e1", text="价格")
    once, _ = tagger.on_event(CUSTOMER, e)
    twice, changes = tagger.on_event(once, e, [e])
    assert changes == [] and twice == once


def test_exclusive_group_removal_and_history(tagger):
    hot, _ = tagger.on_event(CUSTOMER, event("e1", text="价格"))
    cold, changes = tagger.on_event(hot, event("e2", at="2026-03-16T00:00:00Z", text="太贵了"), history=[event("e1", text="价格")])
    assert sorted((c.tag_id, c.action) for c in changes) == [("intent_high", "removed"), ("intent_low", "added")]
    assert [t["tag_id"] for t in cold["tags"]] == ["intent_low"]


def test_tag_change_is_a_frozen_value(tagger):
    _, (change,) = tagger.on_event(CUSTOMER, event("e1", text="价格"))
    _, (again,) = tagger.on_event(CUSTOMER, event("e1", text="价格"))
    assert change == again and hash(change) == hash(again)
    assert change != "intent_high"
    with pytest.raises(AttributeError):
        change.tag_id = "x"
    change.provenance["id"] = "tampered"
    assert change.provenance == {"kind": "keyword", "id": "kw_price"}
    assert change.to_dict() == {
        "tag_id": "intent_high",
        "action": "added",
        "provenance": {"kind": "keyword", "id": "kw_price"},
        "reason": change.reason,
    }
    assert "intent_high" in repr(change)


def test_tag_change_cannot_be_built_directly():
    with pytest.raises(TypeError):
        scrm.TagChange()


def test_event_of_another_customer_is_refused_at_event(tagger):
    with pytest.raises(scrm.ValidationError) as info:
        tagger.on_event(CUSTOMER, {**event("e1", text="价格"), "customer_id": "c2"})
    assert [p.path for p in info.value.problems] == ["event"]


def test_bad_inputs_name_their_argument(tagger):
    with pytest.raises(scrm.ValidationError) as info:
        tagger.on_event({**CUSTOMER, "colour": "red"}, event("e1"))
    assert info.value.problems[0].path.startswith("customer")
    with pytest.raises(scrm.ValidationError) as info:
        tagger.on_event(CUSTOMER, {**event("e1"), "at": "yesterday"})
    assert info.value.problems[0].path.startswith("event")
    with pytest.raises(scrm.ValidationError) as info:
        tagger.on_event(CUSTOMER, event("e2"), [{**event("e1"), "txt": "typo"}])
    assert info.value.problems[0].path.startswith("history")


@pytest.mark.parametrize("playbook", [None, "{}", {"schema_version": 1}])
def test_tagger_needs_a_playbook(playbook):
    with pytest.raises(TypeError):
        scrm.Tagger(playbook)


def test_a_tagger_is_shared_between_threads(tagger):
    results, errors = [], []

    def work(n):
        try:
            for i in range(50):
                _, changes = tagger.on_event(CUSTOMER, event(f"e{n}-{i}", text="多少钱"))
                results.append(tuple(c.tag_id for c in changes))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [("intent_high",)] * 400


AT = datetime(2026, 3, 2, tzinfo=timezone.utc)


def test_tag_by_hand_returns_a_new_customer_and_manual_changes(tagger):
    original = copy.deepcopy(CUSTOMER)
    customer, changes = tagger.tag(CUSTOMER, "高意向", AT)
    assert type(customer) is dict and CUSTOMER == original
    assert [(c.tag_id, c.action, c.provenance) for c in changes] == [("intent_high", "added", {"kind": "manual"})]
    assert all(isinstance(c, scrm.TagChange) for c in changes)
    untagged, changes = tagger.untag(customer, "intent_high")
    assert [(c.tag_id, c.action) for c in changes] == [("intent_high", "removed")]
    assert untagged["tags"] == []
    assert tagger.untag(untagged, "intent_high")[1] == []


def test_tag_by_hand_errors(tagger):
    with pytest.raises(scrm.ValidationError) as info:
        tagger.tag(CUSTOMER, "黑名单", AT)
    assert [p.path for p in info.value.problems] == ["tag"]
    with pytest.raises(scrm.ValidationError) as info:
        tagger.untag(CUSTOMER, "no-such-tag")
    assert [p.path for p in info.value.problems] == ["tag"]
    with pytest.raises(ValueError, match="timezone-aware"):
        tagger.tag(CUSTOMER, "高意向", datetime(2026, 3, 2))
    with pytest.raises(TypeError):
        tagger.tag(CUSTOMER, "高意向", "2026-03-02T00:00:00Z")


def test_expire_takes_off_expired_tags(tagger):
    tag = {"tag_id": "intent_high", "applied_at": "2026-03-01T00:00:00Z", "provenance": {"kind": "manual"}, "expires_at": "2026-03-05T00:00:00Z"}
    customer = {**CUSTOMER, "tags": [tag]}
    same, changes = tagger.expire(customer, datetime(2026, 3, 4, tzinfo=timezone.utc))
    # Times come back as aware datetimes.
    as_returned = {**tag, "applied_at": datetime(2026, 3, 1, tzinfo=timezone.utc), "expires_at": datetime(2026, 3, 5, tzinfo=timezone.utc)}
    assert changes == [] and same["tags"] == [as_returned]
    expired, (change,) = tagger.expire(customer, datetime(2026, 3, 6, tzinfo=timezone.utc))
    assert (change.tag_id, change.action, change.reason) == ("intent_high", "removed", "expired")
    assert expired["tags"] == []
    with pytest.raises(ValueError):
        tagger.expire(customer, datetime(2026, 3, 6))


def test_apply_pre_tags(tagger):
    phone = {"kind": "phone", "value": "+8613800138000"}
    customer = {**CUSTOMER, "identities": [phone]}
    waiting = [
        {"identity": phone, "tag": "高意向", "at": "2026-03-02T00:00:00Z"},
        {"identity": {"kind": "phone", "value": "+8613900139000"}, "tag": "低意向", "at": "2026-03-02T00:00:00Z"},
    ]
    tagged, changes = tagger.apply_pre_tags(customer, waiting)
    assert [(c.tag_id, c.action, c.provenance["kind"]) for c in changes] == [("intent_high", "added", "pre_tag")]
    assert [t["tag_id"] for t in tagged["tags"]] == ["intent_high"]
    with pytest.raises(scrm.ValidationError) as info:
        tagger.apply_pre_tags(customer, [{**waiting[0], "tag": "黑名单"}])
    assert [p.path for p in info.value.problems] == ["pre_tags[0].tag"]
    with pytest.raises(scrm.ValidationError) as info:
        tagger.apply_pre_tags(customer, [{"tag": "高意向"}])
    assert info.value.problems[0].path.startswith("pre_tags")
