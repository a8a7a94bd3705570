"""Billing: Pricing, meter, price and advance_fees, with Decimal money and datetime periods."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import scrm
from conftest import REPO

MARCH = datetime(2026, 3, 1, tzinfo=timezone.utc)
PRICING = {
    "meters": [{"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"}],
    "plans": [
        {
            "id": "basic",
            "name": "Basic",
            "currency": "CNY",
            "interval": "month",
            "fee": "299.00",
            "seat_price": "50.00",
            "included_seats": 3,
            "charges": [{"id": "sms", "meter": "sms", "included": 1000, "price": {"model": "standard", "unit_price": "0.05"}}],
        }
    ],
    "coupons": [{"id": "welcome", "amount": {"amount": "100.00", "currency": "CNY"}, "duration": "once"}],
}
SUBSCRIPTION = {"id": "s1", "customer_id": "c1", "plan": "basic", "started_at": MARCH, "timezone": "UTC", "seats": 4}
GRADUATED = {
    "model": "graduated",
    "tiers": [
        {"from": 0, "to": 100, "unit_price": "0.10"},
        {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
        {"from": 1001, "unit_price": "0.05"},
    ],
}


def test_invoice_in_decimals_with_its_period():
    pricing = scrm.Pricing.from_dict(PRICING)
    invoice = pricing.invoice(SUBSCRIPTION, {"sms": 1500}, at=MARCH + timedelta(days=9), now=datetime(2026, 4, 1, tzinfo=timezone.utc))
    assert invoice["total"] == {"amount": Decimal("374.00"), "currency": "CNY"}
    assert [(x["kind"], x["amount"]["amount"]) for x in invoice["lines"]] == [
        ("subscription_fee", Decimal("299.00")),
        ("seats", Decimal("50.00")),
        ("usage", Decimal("25.00")),
    ]
    assert invoice["period"]["first_day"] == date(2026, 3, 1) and invoice["period"]["start"] == MARCH
    assert invoice["status"] == "final"


def test_statement_takes_usage_by_first_day():
    pricing = scrm.Pricing.from_json(__import__("json").dumps(PRICING))
    statement = pricing.statement(SUBSCRIPTION, {date(2026, 3, 1): {"sms": Decimal("1500")}}, now=datetime(2026, 4, 15, tzinfo=timezone.utc))
    assert [i["status"] for i in statement["invoices"]] == ["final", "draft"]
    assert statement["total"]["amount"] == Decimal("723.00")
    same = pricing.statement(SUBSCRIPTION, {"2026-03-01": {"sms": "1500"}}, now=datetime(2026, 4, 15, tzinfo=timezone.utc))
    assert same == statement


def test_pricing_of_a_playbook_and_its_sections():
    playbook = scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())
    pricing = scrm.Pricing.from_playbook(playbook)
    assert pricing.commission["default_rate"] == Decimal("0.05")
    assert pricing.packs["ladder"][0]["id"] == "sms_1k"
    assert pricing.meters == []
    assert scrm.Pricing.from_dict(pricing.to_dict()) == pricing
    assert "commission=True" in repr(pricing)


def test_meter_counts_per_period():
    events = [
        {"id": "e1", "customer_id": "c1", "type": "sms_sent", "at": MARCH + timedelta(days=30, hours=17)},
        {"id": "e1", "customer_id": "c1", "type": "sms_sent", "at": MARCH + timedelta(days=30, hours=17)},
        {"id": "e2", "customer_id": "c1", "type": "sms_sent", "at": "not a time"},
    ]
    out = scrm.meter(PRICING["meters"], events, options={"timezone": "Asia/Shanghai"})
    (value,) = out["values"]
    assert value["value"] == Decimal("1") and value["period"]["first_day"] == date(2026, 4, 1)
    assert value["period"]["start"] == datetime(2026, 3, 31, 16, tzinfo=timezone.utc)
    assert (out["report"]["accepted"], out["report"]["replayed"]) == (1, 1)
    assert out["report"]["rejected"][0]["index"] == 2  # a bad event is reported, not raised


def test_price_and_advance_fees():
    out = scrm.price(GRADUATED, Decimal("1500"), "CNY")
    assert out["amount"] == {"amount": Decimal("112.00"), "currency": "CNY"}
    assert out["explanation"].startswith("1,500 units")
    assert scrm.price(GRADUATED, 1500, "CNY") == scrm.price(GRADUATED, "1500", "CNY") == out
    percentage = {"model": "percentage", "rate": "2.5", "fixed_fee": "0.30", "min_fee": "0.50", "max_fee": "5.00"}
    assert scrm.price(percentage, [Decimal("5"), "10"], "CNY")["amount"]["amount"] == Decimal("1.05")
    fees = scrm.advance_fees(GRADUATED, ["1", "1", "899", "1"], "CNY", prior=["99"])
    assert [f["amount"]["amount"] for f in fees["fees"]] == [Decimal(x) for x in ("0.10", "5.08", "71.92", "0.05")]
    assert fees["total"]["amount"] == Decimal("77.15")


def test_floats_are_refused_for_money():
    with pytest.raises(TypeError, match="quantity must be a Decimal"):
        scrm.price(GRADUATED, 1500.0, "CNY")
    with pytest.raises(TypeError, match="events must be a Decimal"):
        scrm.advance_fees(GRADUATED, [1, 2.5], "CNY")


def test_errors_name_their_paths():
    with pytest.raises(scrm.ValidationError) as e:
        scrm.Pricing.from_dict({**PRICING, "plans": [{**PRICING["plans"][0], "fee": "abc"}]})
    assert e.value.problems[0].path.startswith("plans[0]")
    pricing = scrm.Pricing.from_dict(PRICING)
    with pytest.raises(scrm.ValidationError) as e:
        pricing.invoice(SUBSCRIPTION, {"calls": 3}, at=MARCH, now=MARCH)
    assert [p.path for p in e.value.problems] == ["usage.calls"]
    with pytest.raises(scrm.ValidationError) as e:
        scrm.price(GRADUATED, "1500", "XXX")
    assert [p.path for p in e.value.problems] == ["currency"]
    with pytest.raises(scrm.ParseError):
        scrm.Pricing.from_json("{")


@pytest.mark.parametrize(
    "call",
    [
        lambda: scrm.meter(None, None),
        lambda: scrm.meter([{"id": 1}], [{}], options=[]),
        lambda: scrm.price({}, "1", ""),
        lambda: scrm.price(GRADUATED, "-1", "CNY"),
        lambda: scrm.advance_fees({"model": "volume"}, [], "CNY"),
        lambda: scrm.Pricing.from_dict([]),
        lambda: scrm.Pricing.from_dict(PRICING).invoice({}, [], MARCH, MARCH),
        lambda: scrm.Pricing.from_dict(PRICING).statement(SUBSCRIPTION, {"garbage": {}}, MARCH),
    ],
)
def test_bad_input_raises_scrm_errors_and_never_crashes(call):
    with pytest.raises(scrm.ScrmError):
        call()

