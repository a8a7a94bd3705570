"""The one conversion of documents: Python values in, datetimes and Decimals out, stubs and docs complete."""

import ast
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import scrm
from conftest import REPO

NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def engine():
    return scrm.Engine(scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text()))


def customer(**attributes):
    typed = {k: {"value": {"text": v}, "updated_at": NOW} for k, v in attributes.items()}
    return {"tenant_id": "chayuan-tea", "id": "c1", "created_at": NOW, "attributes": typed}


def test_maps_the_caller_wrote_come_back_as_written(engine):
    attributes = {"amount": "12", "first_seen_at": "2026-03-01T00:00:00Z"}
    identity = {"kind": "custom", "namespace": "erp", "value": "12345"}
    profile = engine.new_profile({**customer(**attributes), "identities": [identity]})
    written = profile["live"]["customer"]
    assert written["attributes"]["amount"] == {"value": {"text": "12"}, "updated_at": NOW}
    assert written["attributes"]["first_seen_at"]["value"] == {"text": "2026-03-01T00:00:00Z"}
    assert written["identities"] == [identity]
    event = {"tenant_id": "chayuan-tea", "id": "e1", "customer_id": "c1", "type": "purchase", "at": NOW,
             "properties": {"amount": "12", "at": "2026-03-01T00:00:00Z"}}
    profile, _ = engine.apply(profile, event, NOW)
    assert list(_properties(profile)) == [{"amount": "12", "at": "2026-03-01T00:00:00Z"}]  # kept for refolds


def _properties(x):
    """Every `properties` map found anywhere in x."""
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "properties":
                yield v
            else:
                yield from _properties(v)
    elif isinstance(x, list):
        for v in x:
            yield from _properties(v)


def _leaves(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def test_times_in_any_zone_cross_as_the_same_instant(engine):
    shanghai = timezone(timedelta(hours=8))
    a = engine.new_profile({**customer(), "created_at": NOW.astimezone(shanghai)})
    assert a["live"]["customer"]["created_at"] == NOW
    assert a["live"]["customer"]["created_at"].tzinfo == timezone.utc


def test_inputs_take_decimal_date_tuple_and_identity():
    charge = {"model": "standard", "unit_price": Decimal("0.0000001")}  # no exponent reaches the core
    assert scrm.price(charge, 10_000_000, "CNY")["precise_amount"] == Decimal("1")
    identity = scrm.normalize_identity("phone", "138 0013 8000")
    clusters = scrm.Engine(scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())).new_profile(
        {**customer(), "identities": (identity,)}
    )
    assert clusters["live"]["customer"]["identities"] == [identity.to_dict()]
    assert scrm.meter([], [], options={"customers": {"c1": {"timezone": "UTC", "anniversary": date(2026, 1, 15)}}})["values"] == []


def test_values_out_of_json_are_refused_at_their_path():
    with pytest.raises(scrm.ValidationError) as e:
        scrm.price({"model": "standard", "unit_price": "1"}, 2**70, "CNY")
    assert [p.path for p in e.value.problems] == ["quantity"]
    with pytest.raises(scrm.ValidationError) as e:
        scrm.meter([], [{"properties": {"x": float("nan")}}])
    assert [p.path for p in e.value.problems] == ["events[0].properties.x"]
    with pytest.raises(TypeError, match=r"meters\[0\]: keys must be str"):
        scrm.meter([{1: "x"}], [])
    with pytest.raises(TypeError, match=r"sale.touches: set cannot be written as JSON"):
        scrm.attribute({"model": "linear"}, {"touches": {1, 2}})


def test_every_public_name_has_a_stub_and_a_docstring():
    stubs = ast.parse((REPO / "bindings-python/python/scrm/_native.pyi").read_text())
    stubbed = {n.name for n in stubs.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    stubbed |= {t.id for n in stubs.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    missing = [name for name in scrm.__all__ if name not in stubbed]
    assert missing == []
    # The package's own stub re-exports every public name, so type checkers see `scrm.<name>`.
    package = ast.parse((REPO / "bindings-python/python/scrm/__init__.pyi").read_text())
    reexported = {a.asname or a.name for n in package.body if isinstance(n, ast.ImportFrom) for a in n.names}
    reexported |= {n.name for n in package.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    reexported |= {t.id for n in package.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    assert [name for name in scrm.__all__ if name not in reexported] == []
    undocumented = [name for name in scrm.__all__ if name != "__version__" and not (getattr(scrm, name).__doc__ or "").strip()]
    assert undocumented == []
    for cls in (scrm.Engine, scrm.Pool, scrm.Pricing):
        methods = [m for m in dir(cls) if not m.startswith("_")]
        assert [m for m in methods if not (getattr(cls, m).__doc__ or "").strip()] == []
        stub = next(n for n in stubs.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__)
        stubbed_methods = {n.name for n in stub.body if isinstance(n, ast.FunctionDef)}
        assert set(methods) <= stubbed_methods, f"{cls.__name__}: stub is missing {set(methods) - stubbed_methods}"
