"""scrm.Identity, normalize_identity, resolve and merge: types, errors and paths."""

import pytest

import scrm

T = "chayuan-tea"


def customer(id, created="2026-03-01T00:00:00Z", **fields):
    return {"tenant_id": T, "id": id, "created_at": created, **fields}


def test_normalize_identity_returns_a_frozen_hashable_identity():
    phone = scrm.normalize_identity("phone", "138 0013 8000")
    assert isinstance(phone, scrm.Identity)
    assert (phone.kind, phone.value, phone.scope, phone.namespace, phone.strong) == ("phone", "+8613800138000", None, None, False)
    assert phone.is_strong
    assert phone == scrm.normalize_identity("phone", "+86 138-0013-8000")
    assert len({phone, scrm.normalize_identity("phone", "008613800138000")}) == 1
    assert str(phone) == "phone:+8613800138000"
    assert "+8613800138000" in repr(phone)
    with pytest.raises(AttributeError):
        phone.value = "+10000000000"


def test_scoped_and_custom_identities_to_dict():
    openid = scrm.normalize_identity("wechat_openid", " oAbc ", scope="wx-app")
    assert openid.to_dict() == {"kind": "wechat_openid", "scope": "wx-app", "value": "oAbc"}
    assert not openid.is_strong
    erp = scrm.Identity.custom("erp_member_no", "M-88231", strong=True)
    assert erp.to_dict() == {"kind": "custom", "namespace": "erp_member_no", "value": "M-88231", "strong": True}
    assert erp.strong and erp.is_strong
    assert not scrm.Identity.custom("erp", "M1").is_strong
    assert erp != scrm.Identity.custom("erp_member_no", "M-88231")


def test_identity_dicts_are_accepted_back_in_a_customer():
    ids = [scrm.normalize_identity("phone", "13800138000").to_dict(), scrm.Identity.custom("erp", "M1", True).to_dict()]
    assert scrm.resolve([customer("a", identities=ids)]) == [["a"]]


@pytest.mark.parametrize(
    "kind, value, scope, path",
    [
        ("phone", "12345", None, "value"),
        ("phone", "call me", None, "value"),
        ("email", "li.lei.example.com", None, "value"),
        ("wechat_unionid", "   ", None, "value"),
        ("wechat_openid", "oAbc", None, "scope"),
        ("wechat_openid", "oAbc", "  ", "scope"),
        ("qq_number", "12345", None, "kind"),
        ("custom", "x", None, "kind"),
    ],
)
def test_bad_identities_raise_validation_errors_at_their_path(kind, value, scope, path):
    with pytest.raises(scrm.ValidationError) as info:
        scrm.normalize_identity(kind, value, scope)
    assert info.value.kind == "validation"
    assert [p.path for p in info.value.problems] == [path]
    assert path in str(info.value)


def test_unknown_kind_lists_the_known_kinds():
    with pytest.raises(scrm.ValidationError) as info:
        scrm.normalize_identity("qq", "1")
    assert "wechat_unionid" in info.value.problems[0].message


def test_custom_identity_needs_a_namespace():
    with pytest.raises(scrm.ValidationError) as info:
        scrm.Identity.custom("", "M1")
    assert info.value.problems[0].path == "namespace"


@pytest.mark.parametrize("args", [(None, "1"), ("phone", None), ("phone", 13800138000), ("phone", "1", 3)])
def test_identity_arguments_of_the_wrong_type_raise_type_error(args):
    with pytest.raises(TypeError):
        scrm.normalize_identity(*args)


def test_identity_cannot_be_built_directly():
    with pytest.raises(TypeError):
        scrm.Identity()


def test_resolve_returns_lists_of_id_strings():
    phone = {"kind": "phone", "value": "+8613800138000"}
    clusters = scrm.resolve([customer("b", identities=[phone]), customer("a", identities=[phone]), customer("c")])
    assert sorted(clusters) == [["a", "b"], ["c"]]
    assert all(isinstance(c, list) and all(isinstance(i, str) for i in c) for c in clusters)
    assert scrm.resolve([]) == []
    assert scrm.resolve(()) == []


def test_resolve_reports_every_bad_customer_at_its_path():
    bad = [
        customer("a", identities=[{"kind": "phone", "value": "138 0013 8000"}]),
        customer("b"),
        customer("c", nickname="老王"),
    ]
    with pytest.raises(scrm.ValidationError) as info:
        scrm.resolve(bad)
    paths = [p.path for p in info.value.problems]
    assert paths == ["customers[0].identities[0].value", "customers[2]"]
    assert "nickname" in info.value.problems[1].message


def test_a_customer_with_an_unknown_field_is_refused():
    with pytest.raises(scrm.ScrmError) as info:
        scrm.merge([customer("a", stgae="lead")])
    assert info.value.kind == "validation"
    assert "stgae" in str(info.value)


@pytest.mark.parametrize("customers", [{"id": "a"}, "a", 42, None, [1, 2]])
def test_resolve_of_something_not_a_list_of_customers_is_a_scrm_error(customers):
    with pytest.raises(scrm.ValidationError) as info:
        scrm.resolve(customers)
    assert info.value.problems[0].path.startswith("customers")


def test_merge_returns_a_plain_dict_that_can_be_fed_back():
    merged = scrm.merge([customer("b", "2026-03-02T00:00:00Z"), customer("a")])
    assert type(merged) is dict
    assert merged["id"] == "a" and merged["merged_ids"] == ["b"]
    assert scrm.merge([merged]) == merged


def test_merge_policy_is_a_dict_and_bad_policies_name_their_path():
    a = customer("a", attributes={"orders": {"value": {"number": 2}, "updated_at": "2026-03-01T00:00:00Z"}})
    b = customer("b", "2026-03-02T00:00:00Z", attributes={"orders": {"value": {"number": 5}, "updated_at": "2026-03-02T00:00:00Z"}})
    merged = scrm.merge([a, b], {"attributes": {"orders": "sum"}})
    assert merged["attributes"]["orders"]["value"]["number"] == 7
    assert scrm.merge([a, b], None) == scrm.merge([a, b])
    with pytest.raises(scrm.ValidationError) as info:
        scrm.merge([a, b], {"atributes": {}})
    assert info.value.problems[0].path.startswith("policy")
    with pytest.raises(scrm.ValidationError):
        scrm.merge([a, b], {"attributes": {"orders": "average"}})


def test_merge_of_two_tenants_is_refused_at_tenant_id():
    with pytest.raises(scrm.ValidationError) as info:
        scrm.merge([customer("a"), {**customer("b"), "tenant_id": "other"}])
    assert [p.path for p in info.value.problems] == ["tenant_id"]


def test_merge_does_not_modify_its_arguments():
    a, b = customer("a", stage="lead"), customer("b", "2026-03-02T00:00:00Z", stage="sql")
    before = (repr(a), repr(b))
    scrm.merge([a, b])
    assert (repr(a), repr(b)) == before


def test_an_old_id_resolves_to_its_survivor_through_merges_of_merges():
    ab = scrm.merge([customer("b", "2026-03-02T00:00:00Z"), customer("a")])
    # "a" (holding "b") is merged later into the older "z".
    final = scrm.merge([ab, customer("z", "2026-02-01T00:00:00Z")])
    assert final["id"] == "z" and sorted(final["merged_ids"]) == ["a", "b"]
    assert scrm.resolve_aliases([ab, final], ["b", "a", "z", "never-merged"]) == ["z", "z", "z", "never-merged"]
    assert scrm.resolve_aliases([ab], ["b"]) == ["a"]
    assert scrm.resolve_aliases([], ["x"]) == ["x"]


def test_resolving_aliases_across_tenants_is_refused():
    with pytest.raises(scrm.ValidationError) as info:
        scrm.resolve_aliases([customer("a"), {**customer("b"), "tenant_id": "other"}], ["a"])
    assert [p.path for p in info.value.problems] == ["tenant_id"]


def test_documents_returned_with_datetimes_can_be_passed_back_anywhere():
    from datetime import datetime, timezone
    from decimal import Decimal
    import pathlib
    brand = scrm.Playbook.from_toml((pathlib.Path(__file__).parents[2] / "examples/playbooks/brand.toml").read_text(encoding="utf-8"))
    now = datetime(2026, 3, 15, tzinfo=timezone.utc)
    event = {"tenant_id": T, "id": "e1", "customer_id": "c1", "type": "message", "at": now, "text": "多少钱"}
    profile, _ = scrm.Engine(brand).apply(None, event, now)
    engine_customer = profile["live"]["customer"]
    assert isinstance(engine_customer["created_at"], datetime)
    # The engine's customer (datetime values) goes into the dict functions as it is, and their
    # customers come back with aware datetimes too.
    tagged, _ = scrm.Tagger(brand).on_event(engine_customer, {**event, "id": "e2", "text": "价格"})
    assert isinstance(tagged["created_at"], datetime) and tagged["created_at"].tzinfo is not None
    assert all(isinstance(t["applied_at"], datetime) for t in tagged["tags"])
    assert scrm.Condition.parse('has_tag("intent_high")').compile(brand).evaluate(tagged, now)
    merged = scrm.merge([tagged, customer("c0", attributes={"ltv": {"value": {"number": 1}, "updated_at": now}})])
    assert merged["id"] == "c0" and merged["created_at"] == datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert scrm.merge([merged]) == merged
    assert scrm.resolve_aliases([merged], ["c1"]) == ["c0"]
    assert Decimal("1") == merged["attributes"]["ltv"]["value"]["number"]

