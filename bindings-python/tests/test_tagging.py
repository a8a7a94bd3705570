"""scrm.Tagger and scrm.TagChange: types, errors, immutability and threads."""

import copy
import threading

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
