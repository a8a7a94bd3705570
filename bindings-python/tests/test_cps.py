"""CPS (attribute, commission, commission_statement) and packs (pack_ladder, purchase, consume)."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import scrm
from conftest import REPO

MARCH = datetime(2026, 3, 1, tzinfo=timezone.utc)
PLAN = {
    "currency": "CNY",
    "attribution": {"model": "last_touch"},
    "hold": "15d",
    "default_rate": "0.05",
    "channel_rates": {"wecom": "0.10"},
}
SALE = {
    "id": "s1",
    "at": MARCH,
    "amount": Decimal("1000.00"),
    "currency": "CNY",
    "touches": [{"at": MARCH - timedelta(days=4), "channel": "wecom", "promoter": "p_li"}],
}


@pytest.fixture(scope="module")
def pricing():
    return scrm.Pricing.from_playbook(scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text()))


def test_attribute_splits_the_sale_exactly():
    touches = [{"at": MARCH - timedelta(days=d), "channel": c} for d, c in ((20, "douyin"), (10, "wecom"), (1, "mini_program"))]
    out = scrm.attribute({"model": "linear"}, {**SALE, "touches": touches})
    amounts = [c["amount"] for c in out["credits"]]
    assert amounts == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]
    assert sum(amounts) == Decimal("1000.00") and out["unattributed"] == Decimal("0.00")
    assert out["credits"][0]["at"] == touches[0]["at"]


def test_commission_and_statement():
    held = scrm.commission(PLAN, sales=[SALE], as_of=MARCH + timedelta(days=1))
    (line,) = held["lines"]
    assert (line["promoter"], line["rate"], line["commission"], line["status"]) == ("p_li", Decimal("0.10"), Decimal("100.00"), "held")
    payable = scrm.commission(PLAN, sales=[SALE], as_of=MARCH + timedelta(days=16))
    assert payable["totals"]["payable"] == Decimal("100.00")
    statement = scrm.commission_statement(PLAN, "p_li", MARCH, MARCH + timedelta(days=31), sales=[SALE], refunds=[], payouts=[])
    assert statement["promoter"] == "p_li" and statement["from"] == MARCH
    assert statement["totals"]["commission"] == Decimal("100.00")


def test_the_playbook_commission_plan_feeds_commission(pricing):
    out = scrm.commission(pricing.commission, sales=[{**SALE, "touches": [{**SALE["touches"][0], "channel": "douyin"}]}], as_of=MARCH + timedelta(days=1))
    assert out["lines"][0]["rate"] == Decimal("0.08")


def test_ladder_purchase_and_consume(pricing):
    ladder = scrm.pack_ladder(pricing.packs)
    assert [p["id"] for p in ladder["packs"]][:2] == ["sms_1k", "sms_10k"]
    assert ladder["packs"][1]["total_units"] == Decimal("11000")
    wallet = scrm.purchase(pricing.packs, "sms_10k", "w1", MARCH)
    assert wallet["purchased_at"] == MARCH and wallet["expires_at"] == MARCH + timedelta(days=365)
    assert (wallet["paid_units"], wallet["bonus_units"]) == (Decimal("10000"), Decimal("1000"))
    out = scrm.consume([wallet], [{"id": "u1", "at": MARCH + timedelta(days=1), "quantity": 1500}])
    assert out["wallets"][0]["bonus_units"] == Decimal("0") and out["wallets"][0]["paid_units"] == Decimal("9500")
    assert [(x["kind"], x["units"]) for x in out["consumptions"][0]["lines"]] == [("bonus", Decimal("1000")), ("paid", Decimal("500"))]
    again = scrm.consume(out["wallets"], [{"id": "u2", "at": MARCH + timedelta(days=2), "quantity": "100"}])
    assert again["wallets"][0]["paid_units"] == Decimal("9400")


def test_errors_name_their_paths(pricing):
    with pytest.raises(scrm.ValidationError) as e:
        scrm.commission({**PLAN, "referral": {"levels": 3}}, sales=[SALE], as_of=MARCH)
    assert e.value.problems[0].path.startswith("plan.referral")
    with pytest.raises(scrm.ValidationError) as e:
        scrm.commission(PLAN, sales=[{**SALE, "touches": [{"at": "x", "channel": "wecom"}]}], as_of=MARCH)
    assert e.value.problems[0].path.startswith("sales[0].touches[0]")
    with pytest.raises(scrm.ValidationError) as e:
        scrm.purchase(pricing.packs, "nope", "w1", MARCH)
    assert [p.path for p in e.value.problems] == ["pack_id"]
    with pytest.raises(scrm.ValidationError):
        scrm.commission_statement(PLAN, "p_li", MARCH, MARCH, sales=[SALE])
    with pytest.raises(ValueError, match="as_of must be a timezone-aware"):
        scrm.commission(PLAN, as_of=datetime(2026, 3, 1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: scrm.attribute(None, None),
        lambda: scrm.attribute({"model": "nope"}, {}),
        lambda: scrm.commission([], as_of="x"),
        lambda: scrm.commission_statement({}, 1, "a", "b", referrers=[]),
        lambda: scrm.pack_ladder({"ladder": "x"}),
        lambda: scrm.purchase({}, "", "", ""),
        lambda: scrm.consume([{"id": ""}], [{"quantity": "-1"}]),
    ],
)
def test_bad_input_raises_scrm_errors_and_never_crashes(call):
    with pytest.raises(scrm.ScrmError):
        call()
