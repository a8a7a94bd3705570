#!/usr/bin/env python3
"""Writes conformance/vectors/billing.json.

Every expected value below is worked out by hand from the rules in docs/billing.md and DOMAIN.md 7,
with the arithmetic written out in Python's decimal module (ROUND_HALF_UP is half away from zero).
Nothing here calls scrm. Run: python3 conformance/tools/billing_vectors.py
"""

import json
from decimal import Decimal as D, ROUND_HALF_UP, getcontext
from pathlib import Path

getcontext().prec = 60


def r(x, exp=2):
    """Round half away from zero at the currency exponent, as text."""
    q = D(1).scaleb(-exp)
    return str(D(x).quantize(q, rounding=ROUND_HALF_UP))


def s(x):
    """A decimal as text with trailing zeros dropped (meter values are normalised)."""
    t = format(D(x).normalize(), "f")
    return t


V = []


def vec(id, description, op, expect, **inputs):
    V.append({"id": id, "description": description, "op": op, **inputs, "expect": expect})


def err(*paths, kind="validation"):
    return {"error": {"kind": kind, "paths": list(paths)}}


# ---------------------------------------------------------------------------------------------
# Meters
# ---------------------------------------------------------------------------------------------

COUNT = [{"id": "sms", "event": "sms_sent", "aggregation": "count"}]
CALLS = [
    {"id": "calls", "event": "api_call", "aggregation": "count"},
    {"id": "tokens", "event": "api_call", "aggregation": "sum", "field": "tokens"},
    {"id": "peak", "event": "api_call", "aggregation": "max", "field": "tokens"},
    {"id": "last", "event": "api_call", "aggregation": "latest", "field": "tokens"},
]


def ev(id, at, type="sms_sent", customer="c1", **props):
    e = {"id": id, "customer_id": customer, "type": type, "at": at}
    if props:
        e["properties"] = props
    return e


def val(meter, first, last, start, value, events, customer="c1"):
    return {"customer_id": customer, "meter_id": meter, "first_day": first, "last_day": last,
            "start": start, "value": value, "events": events}


def report(accepted=0, replayed=0, unmetered=0, conflicts=(), rejected=()):
    return {"accepted": accepted, "replayed": replayed, "unmetered": unmetered,
            "conflicts": [{"index": i, "id": x} for i, x in conflicts],
            "rejected": [{"index": i, "path": p} for i, p in rejected]}


# 2026-03-31T17:30Z is 2026-04-01 01:30 in Shanghai (UTC+8); April starts 2026-03-31T16:00Z there.
vec("billing/meter-period-in-customer-timezone",
    "An event at 2026-03-31T17:30Z falls in April for a customer in Asia/Shanghai.",
    "billing.meter",
    {"values": [val("sms", "2026-04-01", "2026-04-30", "2026-03-31T16:00:00Z", "1", 1)],
     "report": report(accepted=1)},
    meters=COUNT, events=[ev("e1", "2026-03-31T17:30:00Z")], options={"timezone": "Asia/Shanghai"})

vec("billing/meter-period-in-utc",
    "The same event falls in March for a customer in UTC.",
    "billing.meter",
    {"values": [val("sms", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 1)],
     "report": report(accepted=1)},
    meters=COUNT, events=[ev("e1", "2026-03-31T17:30:00Z")], options={"timezone": "UTC"})

vec("billing/meter-same-event-three-times-counts-once",
    "A usage event sent three times with the same id and content counts once; the two repeats are replays.",
    "billing.meter",
    {"values": [val("sms", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 1)],
     "report": report(accepted=1, replayed=2)},
    meters=COUNT, events=[ev("e1", "2026-03-02T08:00:00Z")] * 3)

# First content (tokens 7) stays; the later copy with tokens 9 is a reported conflict.
vec("billing/meter-conflicting-duplicate-is-reported",
    "A repeated id with different content is reported as a conflict and the first content stays.",
    "billing.meter",
    {"values": [val("calls", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 1),
                val("last", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "7", 1),
                val("peak", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "7", 1),
                val("tokens", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "7", 1)],
     "report": report(accepted=1, conflicts=[(1, "e1")])},
    meters=CALLS,
    events=[ev("e1", "2026-03-02T08:00:00Z", "api_call", tokens="7"),
            ev("e1", "2026-03-02T08:00:00Z", "api_call", tokens="9")])

vec("billing/meter-unreadable-event-rejected-then-corrected",
    "An event lacking the property a meter reads is rejected with its path, and a corrected copy with the same id is accepted.",
    "billing.meter",
    {"values": [val("calls", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 1),
                val("last", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "3", 1),
                val("peak", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "3", 1),
                val("tokens", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "3", 1)],
     "report": report(accepted=1, rejected=[(0, "properties.tokens")])},
    meters=CALLS,
    events=[ev("e1", "2026-03-02T08:00:00Z", "api_call"),
            ev("e1", "2026-03-02T08:00:00Z", "api_call", tokens="3")])

vec("billing/meter-json-float-property-rejected",
    "A property written as a JSON number with a fraction is rejected (it may have passed through a float), not metered.",
    "billing.meter",
    {"values": [], "report": report(rejected=[(0, "")])},
    meters=CALLS, events=[ev("e1", "2026-03-02T08:00:00Z", "api_call", tokens=0.5)])

# tokens 7.5, 2, 12, 4 in March: sum 25.5, max 12, latest = the 20th's 12; 100 on 1 April.
vec("billing/meter-count-sum-max-latest",
    "Count, sum, max and latest aggregate the events of each period separately.",
    "billing.meter",
    {"values": [val("calls", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "4", 4),
                val("calls", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00Z", "1", 1),
                val("last", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "12", 4),
                val("last", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00Z", "100", 1),
                val("peak", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "12", 4),
                val("peak", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00Z", "100", 1),
                val("tokens", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", s(D("7.5") + 2 + 12 + 4), 4),
                val("tokens", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00Z", "100", 1)],
     "report": report(accepted=5)},
    meters=CALLS,
    events=[ev("e1", "2026-03-02T00:00:00Z", "api_call", tokens="7.5"),
            ev("e3", "2026-03-09T00:00:00Z", "api_call", tokens="2"),
            ev("e2", "2026-03-20T00:00:00Z", "api_call", tokens="12"),
            ev("e0", "2026-03-09T00:00:00Z", "api_call", tokens="4"),
            ev("e9", "2026-04-01T00:00:00Z", "api_call", tokens="100")])

vec("billing/meter-latest-tie-broken-by-greater-id",
    "Between events at the same instant, latest takes the one with the greater id (b over a).",
    "billing.meter",
    {"values": [val("last", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "2", 2)],
     "report": report(accepted=2)},
    meters=[CALLS[3]],
    events=[ev("b", "2026-03-09T00:00:00Z", "api_call", tokens="2"),
            ev("a", "2026-03-09T00:00:00Z", "api_call", tokens="4")])

SEATS = [{"id": "seats", "event": "seat", "aggregation": "unique_count", "field": "user"}]


def seat(id, at, user, op="add"):
    e = ev(id, at, "seat", user=user)
    e["operation"] = op
    return e


# amy added twice (counts once); bo added, removed on the 10th (an earlier add arriving late does
# not undo it); cy only removed: 1 value present at the end.
vec("billing/meter-unique-count-add-remove",
    "Unique count counts the values whose latest operation in the period is add.",
    "billing.meter",
    {"values": [val("seats", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 6)],
     "report": report(accepted=6)},
    meters=SEATS,
    events=[seat("s1", "2026-03-01T00:00:00Z", "amy"), seat("s2", "2026-03-02T00:00:00Z", "bo"),
            seat("s3", "2026-03-03T00:00:00Z", "amy"), seat("s5", "2026-03-10T00:00:00Z", "bo", "remove"),
            seat("s4", "2026-03-05T00:00:00Z", "bo"), seat("s6", "2026-03-11T00:00:00Z", "cy", "remove")])

# April (30 days): +30 GB from the 1st, −30 on the 11th, +6 on the 21st:
# (30 × 10 + 0 × 10 + 6 × 10) / 30 = 12.
vec("billing/meter-weighted-sum",
    "A weighted sum averages the running total over the whole period, weighted by time.",
    "billing.meter",
    {"values": [val("storage", "2026-04-01", "2026-04-30", "2026-04-01T00:00:00Z",
                    s((D(30) * 10 + D(0) * 10 + D(6) * 10) / 30), 3)],
     "report": report(accepted=3)},
    meters=[{"id": "storage", "event": "storage", "aggregation": "weighted_sum", "field": "gb"}],
    events=[ev("g1", "2026-04-01T00:00:00Z", "storage", gb="30"),
            ev("g2", "2026-04-11T00:00:00Z", "storage", gb="-30"),
            ev("g3", "2026-04-21T00:00:00Z", "storage", gb="6")])

# 2026-03-15T12:00Z + 12 h of 2 GB then 0: 2 × 12 h over March's 744 h = 1/31 GB.
vec("billing/meter-weighted-sum-divides-once",
    "A weighted sum that does not divide evenly is the one exact quotient, to 28 significant digits.",
    "billing.meter",
    {"values": [val("storage", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "0.0322580645161290322580645161", 2)],
     "report": report(accepted=2)},
    meters=[{"id": "storage", "event": "storage", "aggregation": "weighted_sum", "field": "gb"}],
    events=[ev("g1", "2026-03-15T12:00:00Z", "storage", gb="2"),
            ev("g2", "2026-03-16T00:00:00Z", "storage", gb="-2")])
assert str((D(2) * 12 * 3600 / (744 * 3600)).quantize(D("1e-28"))) == "0.0322580645161290322580645161"

vec("billing/meter-calendar-quarters",
    "Quarterly periods follow the calendar: February is in Q1, April starts Q2.",
    "billing.meter",
    {"values": [val("sms", "2026-01-01", "2026-03-31", "2026-01-01T00:00:00Z", "2", 2),
                val("sms", "2026-04-01", "2026-06-30", "2026-04-01T00:00:00Z", "1", 1)],
     "report": report(accepted=3)},
    meters=COUNT,
    events=[ev("e1", "2026-02-10T00:00:00Z"), ev("e2", "2026-03-31T23:59:59Z"), ev("e3", "2026-04-01T00:00:00Z")],
    options={"interval": "quarter"})

# Anniversary of 31 January: periods 31 Jan – 27 Feb, 28 Feb – 30 Mar (clamped, not drifting).
vec("billing/meter-anniversary-periods-clamp-to-month-end",
    "Anniversary periods from 31 January start on 28 February, then 31 March.",
    "billing.meter",
    {"values": [val("sms", "2026-01-31", "2026-02-27", "2026-01-31T00:00:00Z", "1", 1),
                val("sms", "2026-02-28", "2026-03-30", "2026-02-28T00:00:00Z", "2", 2)],
     "report": report(accepted=3)},
    meters=COUNT,
    events=[ev("e1", "2026-02-27T12:00:00Z"), ev("e2", "2026-02-28T00:00:00Z"), ev("e3", "2026-03-30T23:00:00Z")],
    options={"customers": {"c1": {"timezone": "UTC", "anniversary": "2026-01-31"}}})

vec("billing/meter-unmetered-event-still-deduplicates",
    "An event no meter reads is kept by id, so a later event with that id and other content is a conflict.",
    "billing.meter",
    {"values": [], "report": report(accepted=1, unmetered=1, conflicts=[(1, "e1")])},
    meters=COUNT, events=[ev("e1", "2026-03-02T00:00:00Z", "login"), ev("e1", "2026-03-02T00:00:00Z")])

vec("billing/meter-ids-are-per-customer",
    "The same id sent for two customers is two events.",
    "billing.meter",
    {"values": [val("sms", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 1, "c1"),
                val("sms", "2026-03-01", "2026-03-31", "2026-03-01T00:00:00Z", "1", 1, "c2")],
     "report": report(accepted=2)},
    meters=COUNT, events=[ev("e1", "2026-03-02T00:00:00Z"), ev("e1", "2026-03-02T00:00:00Z", customer="c2")])

vec("billing/meter-invalid-definition",
    "A sum meter without a field is an error naming the field's path.",
    "billing.meter", err("meters[0].field"),
    meters=[{"id": "tokens", "event": "api_call", "aggregation": "sum"}], events=[])

# ---------------------------------------------------------------------------------------------
# Charge models
# ---------------------------------------------------------------------------------------------

TIERS = [{"from": 0, "to": 100, "unit_price": "0.10"},
         {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
         {"from": 1001, "unit_price": "0.05"}]
GRADUATED = {"model": "graduated", "tiers": TIERS}
VOLUME = {"model": "volume", "tiers": [{"from": 0, "to": 100, "unit_price": "0.10"},
                                        {"from": 101, "to": 1000, "unit_price": "0.08"},
                                        {"from": 1001, "unit_price": "0.05"}]}
PACKAGE = {"model": "package", "size": 1000, "price": "5.00", "free_units": 100}
PERCENT = {"model": "percentage", "rate": "2.5", "fixed_fee": "0.30", "min_fee": "0.50", "max_fee": "5.00"}


def price(id, description, charge, quantity, amount, precise, explanation, currency="CNY"):
    vec(id, description, "billing.price",
        {"amount": amount, "precise_amount": precise, "explanation": explanation},
        charge=charge, quantity=quantity, currency=currency)


g1500 = 100 * D("0.10") + 900 * D("0.08") + D("5.00") + 500 * D("0.05")
price("billing/graduated-1500", "Graduated: each tier's units at its price plus the flat fee of each tier entered.",
      GRADUATED, "1500", r(g1500), "112.00", "1,500 units: 100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05")
price("billing/graduated-100", "Graduated: 100 units stay in the first tier; the second tier's flat fee is not charged.",
      GRADUATED, "100", r(100 * D("0.10")), "10.00", "100 units: 100 × 0.10")
price("billing/graduated-101", "Graduated: the 101st unit enters the second tier and pays its flat fee.",
      GRADUATED, "101", r(100 * D("0.10") + 1 * D("0.08") + D("5.00")), "15.08", "101 units: 100 × 0.10 + 1 × 0.08 + 5.00 tier fee")
price("billing/graduated-zero", "Graduated: no usage enters no tier and costs nothing.",
      GRADUATED, "0", "0.00", "0", "0 units: nothing to charge")
price("billing/volume-1000", "Volume: 1,000 units all at the 101–1,000 tier's price.",
      VOLUME, "1000", r(1000 * D("0.08")), "80.00", "1,000 units: all in tier 101–1,000: 1,000 × 0.08")
price("billing/volume-1001", "Volume: 1,001 units all at the 1,001+ tier's lower price.",
      VOLUME, "1001", r(1001 * D("0.05")), "50.05", "1,001 units: all in tier 1,001+: 1,001 × 0.05")
price("billing/volume-fraction-rounds-up-to-a-tier", "Volume: 100.5 units select the tier of 101 (rounded up) and pay its price for 100.5.",
      VOLUME, "100.5", r(D("100.5") * D("0.08")), "8.040", "100.5 units: all in tier 101–1,000: 100.5 × 0.08")
price("billing/package-80", "Package: 80 units are within the 100 free.",
      PACKAGE, "80", "0.00", "0", "80 units: all within the 100 free")
price("billing/package-1100", "Package: 1,100 units are 100 free and one full package.",
      PACKAGE, "1100", r(1 * D("5.00")), "5.00", "1,100 units: 100 free, 1,000 in 1 package of 1,000 × 5.00")
price("billing/package-1101", "Package: one unit into a second package pays the whole package.",
      PACKAGE, "1101", r(2 * D("5.00")), "10.00", "1,101 units: 100 free, 1,001 in 2 packages of 1,000 × 5.00")
price("billing/package-2150", "Package: 2,150 units are 100 free and three started packages.",
      PACKAGE, "2150", r(3 * D("5.00")), "15.00", "2,150 units: 100 free, 2,050 in 3 packages of 1,000 × 5.00")

fees = [max(min(t * D("0.025") + D("0.30"), D("5.00")), D("0.50")) for t in map(D, ["5", "10", "100", "500"])]
assert r(sum(fees)) == "8.85"
price("billing/percentage-min-max-clamp-includes-fixed-fee",
      "Percentage: 2.5% + 0.30 per transaction clamped to 0.50..5.00, fixed part included, on 5, 10, 100, 500.",
      PERCENT, ["5", "10", "100", "500"], r(sum(fees)), "8.850",
      "4 transactions: 615 × 2.5% + 4 × 0.30 = 16.575; 1 raised to the 0.50 minimum (+0.075); 1 capped at the 5.00 maximum (−7.80)")
price("billing/percentage-free-transactions",
      "Percentage: the first free transactions pay nothing, neither rate nor fixed fee.",
      {"model": "percentage", "rate": "1", "fixed_fee": "1.00", "free_transactions": 2},
      ["100", "100", "100"], r(100 * D("0.01") + D("1.00")), "2.00",
      "3 transactions: the first 2 free; 100 × 1% + 1 × 1.00")
price("billing/graduated-percentage",
      "Graduated percentage: each tier's part of the amount at its rate, plus entered tiers' flat fees.",
      {"model": "graduated_percentage", "tiers": [{"from": 0, "to": 10000, "rate": "1"},
                                                  {"from": 10001, "rate": "0.5", "flat_fee": "10.00"}]},
      "12000", r(10000 * D("0.01") + 2000 * D("0.005") + 10), "120.000",
      "12,000 units: 10,000 × 1% + 2,000 × 0.5% + 10.00 tier fee")
price("billing/rounding-half-away-from-zero",
      "A line of exactly half a cent rounds up, away from zero (not to even).",
      {"model": "standard", "unit_price": "0.001"}, "5", r(5 * D("0.001")), "0.005", "5 units: 5 × 0.001")
price("billing/rounding-below-half",
      "A line below half a cent rounds down.",
      {"model": "standard", "unit_price": "0.001"}, "4", r(4 * D("0.001")), "0.004", "4 units: 4 × 0.001")
price("billing/rounding-yen-whole-units",
      "JPY has no minor unit: 1.5 yen rounds to 2.",
      {"model": "standard", "unit_price": "0.5"}, "3", r(3 * D("0.5"), 0), "1.5", "3 units: 3 × 0.5", "JPY")
price("billing/rounding-yen-not-bankers",
      "JPY: 2.5 yen rounds to 3, away from zero, not to the even 2.",
      {"model": "standard", "unit_price": "2.5"}, "1", r(D("2.5"), 0), "2.5", "1 unit: 1 × 2.5", "JPY")
price("billing/rounding-three-decimal-currency",
      "KWD has three minor digits: 0.0005 rounds to 0.001.",
      {"model": "standard", "unit_price": "0.0005"}, "1", r(D("0.0005"), 3), "0.0005", "1 unit: 1 × 0.0005", "KWD")

vec("billing/price-overflow-is-an-error",
    "A price beyond the 28 significant digits of exact decimals is an error, not a rounded number.",
    "billing.price", err("usage"),
    charge={"model": "standard", "unit_price": "1000000000"}, quantity="79228162514264337593543950", currency="CNY")
vec("billing/price-invalid-tiers",
    "Tiers with a gap and an open tier before the last are refused with every path.",
    "billing.price", err("price.tiers[1].from", "price.tiers[1].to"),
    charge={"model": "graduated", "tiers": [{"from": 0, "to": 100, "unit_price": "0.10"},
                                            {"from": 102, "unit_price": "0.08"},
                                            {"from": 1001, "unit_price": "0.05"}]},
    quantity="5", currency="CNY")
vec("billing/price-negative-quantity",
    "A negative quantity is refused; credits are separate lines.",
    "billing.price", err("usage"), charge=GRADUATED, quantity="-1", currency="CNY")
vec("billing/price-percentage-needs-transactions",
    "A percentage charge given one quantity instead of transactions is an error.",
    "billing.price", err("usage"), charge=PERCENT, quantity="615", currency="CNY")
vec("billing/price-unknown-currency",
    "An unknown currency code is an error naming the currency.",
    "billing.price", err("currency"), charge=GRADUATED, quantity="5", currency="XXX")

# ---------------------------------------------------------------------------------------------
# In advance
# ---------------------------------------------------------------------------------------------


def grad(q):
    q = D(q)
    total = D(0)
    for lo, hi, p, flat in [(0, 100, D("0.10"), 0), (100, 1000, D("0.08"), D("5.00")), (1000, None, D("0.05"), 0)]:
        if q <= lo:
            break
        top = q if hi is None or q <= hi else D(hi)
        total += (top - lo) * p + flat
    return total


cum = [r(grad(q)) for q in [99, 100, 101, 1000, 1001]]
vec("billing/advance-graduated-pays-tier-fee-on-entering",
    "In advance, each event pays the rounded cumulative price after it minus before it; the event entering a tier pays its flat fee.",
    "billing.advance",
    {"fees": [str(D(cum[1]) - D(cum[0])), str(D(cum[2]) - D(cum[1])), str(D(cum[3]) - D(cum[2])), str(D(cum[4]) - D(cum[3]))],
     "total": str(D(cum[4]) - D(cum[0]))},
    charge=GRADUATED, prior=["99"], events=["1", "1", "899", "1"], currency="CNY")
vec("billing/advance-rounds-cumulative-prices",
    "In advance at 0.004 per unit, no event reaches a cent alone; the one tipping the cumulative total over half a cent pays it.",
    "billing.advance",
    {"fees": [r(D("0.004")), str(D(r(D("0.008"))) - D(r(D("0.004")))), str(D(r(D("0.012"))) - D(r(D("0.008"))))],
     "total": r(D("0.012"))},
    charge={"model": "standard", "unit_price": "0.004"}, events=["1", "1", "1"], currency="CNY")
vec("billing/advance-package-pays-whole-packages",
    "In advance, the event that starts a package pays the whole package; free units pay nothing.",
    "billing.advance", {"fees": ["0.00", "5.00", "5.00"], "total": "10.00"},
    charge=PACKAGE, events=["100", "1000", "1"], currency="CNY")
vec("billing/advance-percentage-sums-to-arrears",
    "In advance, percentage fees per transaction sum to the in-arrears amount.",
    "billing.advance", {"fees": [r(f) for f in fees], "total": r(sum(fees))},
    charge=PERCENT, events=["5", "10", "100", "500"], currency="CNY")
vec("billing/advance-volume-refused",
    "A volume charge cannot be billed in advance: its price can fall as usage grows.",
    "billing.advance", err("billing"), charge=VOLUME, events=["1"], currency="CNY")


# ---------------------------------------------------------------------------------------------
# Invoices
# ---------------------------------------------------------------------------------------------

PRICING = {
    "meters": [
        {"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"},
        {"id": "payments", "event": "payment", "aggregation": "sum", "field": "amount", "unit": "payments"},
    ],
    "plans": [
        {"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month", "fee": "299.00",
         "seat_price": "50.00", "included_seats": 3,
         "charges": [{"id": "sms", "meter": "sms", "included": 1000,
                      "price": {"model": "standard", "unit_price": "0.05"}}]},
        {"id": "pro", "name": "Pro", "currency": "CNY", "interval": "month", "fee": "999.00",
         "seat_price": "99.00", "included_seats": 5, "trial_days": 14, "minimum_commitment": "1500.00",
         "charges": [{"id": "sms", "meter": "sms", "price": GRADUATED},
                     {"id": "payments", "meter": "payments", "price": PERCENT}]},
        {"id": "mini", "name": "Mini", "currency": "CNY", "interval": "month", "fee": "60.00"},
        {"id": "dollar", "name": "Dollar", "currency": "USD", "interval": "month", "fee": "10.00"},
        {"id": "yen", "name": "Yen", "currency": "JPY", "interval": "month", "fee": "1000",
         "charges": [{"id": "sms", "meter": "sms", "price": {"model": "standard", "unit_price": "0.5"}}]},
    ],
    "coupons": [
        {"id": "half", "percent": "50", "duration": "once"},
        {"id": "welcome", "amount": {"amount": "100.00", "currency": "CNY"}, "duration": "once"},
        {"id": "loyal", "amount": {"amount": "20.00", "currency": "CNY"}, "duration": "periods", "periods": 3},
        {"id": "ten", "percent": "10", "duration": "forever"},
        {"id": "spring", "percent": "20", "duration": "periods", "periods": 2},
        {"id": "five", "amount": {"amount": "5.00", "currency": "CNY"}, "duration": "forever"},
    ],
}


def sub(**kw):
    base = {"id": "s1", "customer_id": "c1", "plan": "basic", "started_at": "2026-03-01T00:00:00Z", "timezone": "UTC"}
    base.update(kw)
    return base


def line(kind, amount):
    return {"kind": kind, "amount": amount}


def invoice(first, last, lines, coupons=(), status="final", currency="CNY", exp=2):
    amounts = [D(l["amount"]) for l in lines]
    subtotal = sum(a for l, a in zip(lines, amounts) if l["kind"] != "discount")
    discount = sum(a for l, a in zip(lines, amounts) if l["kind"] == "discount")
    return {"first_day": first, "last_day": last, "status": status, "currency": currency, "lines": lines,
            "subtotal": r(subtotal, exp), "discount": r(discount, exp), "total": r(subtotal + discount, exp),
            "coupons": list(coupons)}


def inv(id, description, expect, subscription, usage=None, at="2026-03-10T00:00:00Z", now="2026-04-01T00:00:00Z"):
    vec(id, description, "billing.invoice", expect, pricing=PRICING, subscription=subscription,
        usage=usage or {}, at=at, now=now)


MARCH = ("2026-03-01", "2026-03-31")

inv("billing/invoice-full-month",
    "A full month bills the fee, seats beyond those included and usage beyond the quota.",
    invoice(*MARCH, [line("subscription_fee", "299.00"), line("seats", r((4 - 3) * D("50.00"))),
                     line("usage", r((1500 - 1000) * D("0.05")))]),
    sub(seats=4), {"sms": "1500"})

# Started 2026-03-16 02:00 Shanghai time: 16 of March's 31 local days.
inv("billing/invoice-mid-period-start-in-customer-timezone",
    "A mid-month start is prorated by the local days left in the customer's timezone.",
    invoice(*MARCH, [line("subscription_fee", r(D(299) * 16 / 31)), line("usage", "0.00")]),
    sub(started_at="2026-03-15T18:00:00Z", timezone="Asia/Shanghai"), at="2026-03-20T00:00:00Z")

# Basic → Pro on 16 March with 4 seats (1 beyond Basic's 3, none beyond Pro's 5); usage on Pro.
up = [line("subscription_fee", "299.00"), line("seats", "50.00"),
      line("proration_credit", r(-D(299) * 16 / 31)), line("proration_credit", r(-D(50) * 16 / 31)),
      line("proration_charge", r(D(999) * 16 / 31)),
      line("usage", r(g1500)), line("usage", "0.00")]
assert sum(D(l["amount"]) for l in up) > D(r(D(1500) * 16 / 31))  # commitment met: no true-up
inv("billing/invoice-upgrade-credits-unused-old-plan",
    "An upgrade mid-period credits the unused days of the old plan and charges the new plan for the rest.",
    invoice(*MARCH, up),
    sub(seats=4, changes=[{"at": "2026-03-16T09:00:00Z", "plan": "pro"}]), {"sms": "1500"})

# Pro (7 seats: 2 beyond 5) → Basic (4 beyond 3) on 11 March: 21 of 31 days left. Pro's commitment
# covers its 10 days: 1,500 × 10/31 = 483.87, less than the charges.
down = [line("subscription_fee", "999.00"), line("seats", r(2 * D(99))),
        line("proration_credit", r(-D(999) * 21 / 31)), line("proration_credit", r(-2 * D(99) * 21 / 31)),
        line("proration_charge", r(D(299) * 21 / 31)), line("proration_charge", r(4 * D(50) * 21 / 31)),
        line("usage", "0.00")]
assert sum(D(l["amount"]) for l in down) > D(r(D(1500) * 10 / 31))
inv("billing/invoice-downgrade-credits-unused-old-plan",
    "A downgrade mid-period credits the old plan's unused days, seats included, and charges the new plan's.",
    invoice(*MARCH, down),
    sub(plan="pro", seats=7, started_at="2026-02-01T00:00:00Z",
        changes=[{"at": "2026-03-11T05:00:00Z", "plan": "basic"}]), {"sms": "800"})

# 6 seats (3 extra) → 8 on the 16th (+2 for 16 days) → 4 on the 21st (−4 for 11 days).
inv("billing/invoice-seat-changes-prorated",
    "Seat changes charge or credit the extra seats' difference for the days left.",
    invoice(*MARCH, [line("subscription_fee", "299.00"), line("seats", r(3 * D(50))),
                     line("proration_charge", r(2 * D(50) * 16 / 31)), line("proration_credit", r(-4 * D(50) * 11 / 31)),
                     line("usage", "0.00")]),
    sub(seats=6, changes=[{"at": "2026-03-16T00:00:00Z", "seats": 8}, {"at": "2026-03-21T00:00:00Z", "seats": 4}]))

# Pro from 10 March, 14 trial days (10–23 March): fee from the 24th, 8 of 31 days; the commitment
# covers the same 8 days.
fee8 = D(r(D(999) * 8 / 31))
owed8 = D(r(D(1500) * 8 / 31))
inv("billing/invoice-trial-ends-mid-period",
    "A trial waives the fee until it ends; the fee and the commitment are prorated from its end.",
    invoice(*MARCH, [line("trial", "0.00"), line("subscription_fee", str(fee8)), line("usage", "0.00"),
                     line("usage", "0.00"), line("commitment_true_up", str(owed8 - fee8))]),
    sub(plan="pro", seats=5, started_at="2026-03-10T00:00:00Z"))

inv("billing/invoice-period-inside-trial",
    "A period wholly inside the trial bills no fee and no commitment, but usage still counts.",
    invoice(*MARCH, [line("trial", "0.00"), line("usage", r(grad(50))), line("usage", "0.00")]),
    sub(plan="pro", started_at="2026-03-20T00:00:00Z"), {"sms": "50"})

# Trial 20 March – 2 April: April bills 3–30 April, 28 of 30 days.
fee28 = D(r(D(999) * 28 / 30))
owed28 = D(r(D(1500) * 28 / 30))
inv("billing/invoice-trial-ending-in-second-period",
    "A trial that ends in the second period prorates that period's fee and commitment from its end.",
    invoice("2026-04-01", "2026-04-30", [line("trial", "0.00"), line("subscription_fee", str(fee28)),
                                         line("usage", "0.00"), line("usage", "0.00"),
                                         line("commitment_true_up", str(owed28 - fee28))]),
    sub(plan="pro", started_at="2026-03-20T00:00:00Z"), at="2026-04-15T00:00:00Z", now="2026-05-01T00:00:00Z")

charged = D(999) + grad(100) + sum(fees)
inv("billing/invoice-minimum-commitment-true-up",
    "Charges below the minimum commitment get a true-up line for the difference.",
    invoice(*MARCH, [line("subscription_fee", "999.00"), line("usage", r(grad(100))), line("usage", r(sum(fees))),
                     line("commitment_true_up", r(D(1500) - D(r(charged))))]),
    sub(plan="pro", seats=5, started_at="2026-02-01T00:00:00Z"),
    {"sms": "100", "payments": ["5", "10", "100", "500"]})

inv("billing/invoice-commitment-met",
    "Charges above the minimum commitment need no true-up.",
    invoice(*MARCH, [line("subscription_fee", "999.00"), line("usage", r(grad(20000))), line("usage", "0.00")]),
    sub(plan="pro", seats=5, started_at="2026-02-01T00:00:00Z"), {"sms": "20000"})

inv("billing/invoice-coupon-percent-once",
    "A percent coupon used once discounts the first period (a discounted first month instead of a trial).",
    invoice(*MARCH, [line("subscription_fee", "299.00"), line("usage", "0.00"),
                     line("discount", r(-D(299) * D("0.5")))],
            coupons=[{"coupon": "half", "discount": r(D(299) * D("0.5"))}]),
    sub(coupons=[{"coupon": "half"}]))

inv("billing/invoice-coupon-percent-once-expired",
    "A once percent coupon does nothing in the following period.",
    invoice("2026-04-01", "2026-04-30", [line("subscription_fee", "299.00"), line("usage", "0.00")],
            coupons=[{"coupon": "half", "discount": "0.00"}]),
    sub(coupons=[{"coupon": "half"}]), at="2026-04-02T00:00:00Z", now="2026-05-01T00:00:00Z")

inv("billing/invoice-coupon-fixed-once-carries-remainder",
    "A fixed once coupon with 80.00 left takes all of a 60.00 invoice and keeps 20.00 for the next one.",
    invoice(*MARCH, [line("subscription_fee", "60.00"), line("discount", "-60.00")],
            coupons=[{"coupon": "welcome", "discount": "60.00", "remaining": str(D("80.00") - D("60.00"))}]),
    sub(plan="mini", coupons=[{"coupon": "welcome", "remaining": {"amount": "80.00", "currency": "CNY"}}]))

inv("billing/invoice-coupon-recurring-within-periods",
    "A fixed coupon for 3 periods still applies in the third period.",
    invoice("2026-05-01", "2026-05-31", [line("subscription_fee", "60.00"), line("discount", "-20.00")],
            coupons=[{"coupon": "loyal", "discount": "20.00"}]),
    sub(plan="mini", coupons=[{"coupon": "loyal"}]), at="2026-05-10T00:00:00Z", now="2026-06-01T00:00:00Z")

inv("billing/invoice-coupon-recurring-after-periods",
    "A fixed coupon for 3 periods no longer applies in the fourth.",
    invoice("2026-06-01", "2026-06-30", [line("subscription_fee", "60.00")],
            coupons=[{"coupon": "loyal", "discount": "0.00"}]),
    sub(plan="mini", coupons=[{"coupon": "loyal"}]), at="2026-06-10T00:00:00Z", now="2026-07-01T00:00:00Z")

inv("billing/invoice-coupon-percent-for-periods",
    "A percent coupon for 2 periods applies in the second period after it was applied.",
    invoice("2026-04-01", "2026-04-30", [line("subscription_fee", "299.00"), line("usage", "0.00"),
                                         line("discount", r(-D(299) * D("0.20")))],
            coupons=[{"coupon": "spring", "discount": r(D(299) * D("0.20"))}]),
    sub(coupons=[{"coupon": "spring"}]), at="2026-04-02T00:00:00Z", now="2026-05-01T00:00:00Z")

inv("billing/invoice-coupon-percent-for-periods-ended",
    "A percent coupon for 2 periods does nothing in the third.",
    invoice("2026-05-01", "2026-05-31", [line("subscription_fee", "299.00"), line("usage", "0.00")],
            coupons=[{"coupon": "spring", "discount": "0.00"}]),
    sub(coupons=[{"coupon": "spring"}]), at="2026-05-02T00:00:00Z", now="2026-06-01T00:00:00Z")

inv("billing/invoice-coupon-fixed-forever",
    "A fixed coupon forever takes its amount every period, here the fourth.",
    invoice("2026-06-01", "2026-06-30", [line("subscription_fee", "299.00"), line("usage", "0.00"),
                                         line("discount", "-5.00")],
            coupons=[{"coupon": "five", "discount": "5.00"}]),
    sub(coupons=[{"coupon": "five"}]), at="2026-06-02T00:00:00Z", now="2026-07-01T00:00:00Z")

ten = D(r(D(299) * D("0.10")))
inv("billing/invoice-coupons-apply-in-order",
    "Coupons apply in order, each to what the earlier ones left: 10% forever, then 100.00 once.",
    invoice(*MARCH, [line("subscription_fee", "299.00"), line("usage", "0.00"), line("discount", str(-ten)),
                     line("discount", "-100.00")],
            coupons=[{"coupon": "ten", "discount": str(ten)},
                     {"coupon": "welcome", "discount": "100.00", "remaining": "0.00"}]),
    sub(coupons=[{"coupon": "ten"}, {"coupon": "welcome"}]))

inv("billing/invoice-coupon-never-below-zero",
    "A fixed coupon larger than the invoice brings it to zero, not below.",
    invoice(*MARCH, [line("subscription_fee", "60.00"), line("discount", "-60.00")],
            coupons=[{"coupon": "welcome", "discount": "60.00", "remaining": "40.00"}]),
    sub(plan="mini", coupons=[{"coupon": "welcome"}]))

inv("billing/invoice-yen-rounds-to-whole-yen",
    "A JPY invoice rounds each line to whole yen, half away from zero.",
    invoice(*MARCH, [line("subscription_fee", r(D(1000) * 16 / 31, 0)), line("usage", r(3 * D("0.5"), 0))],
            currency="JPY", exp=0),
    sub(plan="yen", started_at="2026-03-16T00:00:00Z"), {"sms": "3"}, at="2026-03-16T00:00:00Z")

inv("billing/invoice-custom-deal-overrides",
    "A custom deal replaces the plan's fee and a charge's included units for one subscription.",
    invoice(*MARCH, [line("subscription_fee", "249.00"), line("usage", r((2500 - 2000) * D("0.05")))]),
    sub(seats=3, overrides={"fee": "249.00", "charges": {"sms": {"included": 2000}}}), {"sms": "2500"})

# Anniversary of 31 January: the period containing 28 February is 28 Feb – 30 Mar (31 days, full).
inv("billing/invoice-anniversary-period",
    "Anniversary billing bills whole periods from the start's day of month, clamped to short months.",
    invoice("2026-02-28", "2026-03-30", [line("subscription_fee", "299.00"), line("usage", "0.00")]),
    sub(anchor="anniversary", started_at="2026-01-31T00:00:00Z"), at="2026-02-28T10:00:00Z")

inv("billing/invoice-draft-before-period-end",
    "An invoice of a running period is a draft.",
    invoice(*MARCH, [line("subscription_fee", "299.00"), line("usage", "0.00")], status="draft"),
    sub(), now="2026-03-10T00:00:00Z")

inv("billing/invoice-future-change-not-billed",
    "A change after now is not billed yet.",
    invoice(*MARCH, [line("subscription_fee", "299.00"), line("usage", "0.00")], status="draft"),
    sub(changes=[{"at": "2026-03-20T00:00:00Z", "plan": "pro"}]), now="2026-03-10T00:00:00Z")

inv("billing/invoice-mixed-currency-refused",
    "Changing to a plan in another currency is refused: one invoice never mixes currencies.",
    err("subscription.changes[0].plan"),
    sub(changes=[{"at": "2026-03-16T00:00:00Z", "plan": "dollar"}]))

inv("billing/invoice-coupon-in-other-currency-refused",
    "A fixed coupon's remainder in another currency than the invoice is an error.",
    err("coupons.welcome.remaining"),
    sub(plan="mini", coupons=[{"coupon": "welcome", "remaining": {"amount": "1.00", "currency": "USD"}}]))

inv("billing/invoice-overflow-refused",
    "Usage whose price overflows exact decimals is an error at the usage's path.",
    err("usage.sms"), sub(), {"sms": "79228162514264337593543950335"})

inv("billing/invoice-unknown-meter-in-usage",
    "Usage for a meter the catalog does not have is an error.",
    err("usage.nope"), sub(), {"nope": "1"})

inv("billing/invoice-period-before-start",
    "A period before the subscription starts has nothing to bill.",
    err("period"), sub(), at="2026-02-10T00:00:00Z")

# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------

months = [("2026-03-01", "2026-03-31"), ("2026-04-01", "2026-04-30"), ("2026-05-01", "2026-05-31"),
          ("2026-06-01", "2026-06-30")]

left = D("100.00")
carry = []
for first, last in months:
    off = min(left, D("60.00"))
    left -= off
    lines = [line("subscription_fee", "60.00")] + ([line("discount", str(-off))] if off else [])
    carry.append(invoice(first, last, lines, coupons=[{"coupon": "welcome", "discount": str(off), "remaining": str(left)}],
                         status="draft" if first == "2026-06-01" else "final"))
vec("billing/statement-fixed-once-coupon-carries-forward",
    "A fixed once coupon of 100.00 on a 60.00 plan takes 60.00, then the 40.00 left, then nothing.",
    "billing.statement",
    {"invoices": carry, "total": r(sum(D(i["total"]) for i in carry))},
    pricing=PRICING, subscription=sub(plan="mini", coupons=[{"coupon": "welcome"}]), usage={},
    now="2026-06-15T00:00:00Z")

first_fee = D(r(D(60) * 8 / 31))
rec = [invoice(*months[0], [line("subscription_fee", str(first_fee)), line("discount", str(-min(first_fee, D(20))))],
               coupons=[{"coupon": "loyal", "discount": str(min(first_fee, D(20)))}])]
for first, last in months[1:3]:
    rec.append(invoice(first, last, [line("subscription_fee", "60.00"), line("discount", "-20.00")],
                       coupons=[{"coupon": "loyal", "discount": "20.00"}]))
rec.append(invoice(*months[3], [line("subscription_fee", "60.00")], coupons=[{"coupon": "loyal", "discount": "0.00"}],
                   status="draft"))
vec("billing/statement-recurring-fixed-coupon-loses-remainder",
    "A fixed coupon for 3 periods gives at most 20.00 each period; what a small first invoice leaves is lost.",
    "billing.statement",
    {"invoices": rec, "total": r(sum(D(i["total"]) for i in rec))},
    pricing=PRICING,
    subscription=sub(plan="mini", started_at="2026-03-24T00:00:00Z", coupons=[{"coupon": "loyal"}]),
    usage={}, now="2026-06-15T00:00:00Z")

stmt_usage = [invoice(*months[0], [line("subscription_fee", "299.00"), line("usage", r(500 * D("0.05")))]),
              invoice(*months[1], [line("subscription_fee", "299.00"), line("usage", "0.00")], status="draft")]
vec("billing/statement-usage-by-period",
    "A statement prices each period's usage, keyed by the period's first local day.",
    "billing.statement",
    {"invoices": stmt_usage, "total": r(sum(D(i["total"]) for i in stmt_usage))},
    pricing=PRICING, subscription=sub(), usage={"2026-03-01": {"sms": "1500"}}, now="2026-04-15T00:00:00Z")

# ---------------------------------------------------------------------------------------------
# The pricing section of a playbook
# ---------------------------------------------------------------------------------------------

PLAYBOOK = {"schema_version": 1, "tenant_id": "acme", "timezone": "Asia/Shanghai"}
vec("billing/playbook-with-pricing-loads",
    "A playbook with meters, plans and coupons in its pricing section loads.",
    "playbook.load",
    {"summary": {"schema_version": 1, "tenant_id": "acme", "timezone": "Asia/Shanghai", "channels": [], "groups": []}},
    format="json", document={**PLAYBOOK, "pricing": PRICING})

vec("billing/playbook-pricing-bad-decimal",
    "A price that is not a decimal text is refused at its path by the schema check.",
    "playbook.load", err("pricing.plans[0].fee"),
    format="json", document={**PLAYBOOK, "pricing": {"plans": [
        {"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month", "fee": "12.5.0"}]}})

vec("billing/playbook-pricing-meaning-problems",
    "Meaning problems of the pricing section are all reported with their paths.",
    "playbook.load",
    err("pricing.meters[0].field", "pricing.plans[0].charges[0].price.tiers[1].from",
        "pricing.plans[0].charges[0].meter", "pricing.coupons[0].percent"),
    format="json", document={**PLAYBOOK, "pricing": {
        "meters": [{"id": "tokens", "event": "api_call", "aggregation": "sum"}],
        "plans": [{"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month",
                   "charges": [{"id": "x", "meter": "nope", "price": {"model": "graduated", "tiers": [
                       {"from": 0, "to": 100, "unit_price": "0.10"}, {"from": 200, "unit_price": "0.08"}]}}]}],
        "coupons": [{"id": "big", "percent": "150", "duration": "once"}]}})

vec("billing/playbook-pricing-unknown-currency",
    "An unknown currency code in a plan is refused by the schema check.",
    "playbook.load", err("pricing.plans[0].currency"),
    format="json", document={**PLAYBOOK, "pricing": {"plans": [
        {"id": "basic", "name": "Basic", "currency": "XYZ", "interval": "month"}]}})

doc = {"about": "Billing: meters, charge models, in-advance fees, invoices and statements (DOMAIN.md 7). "
                "Expected values are worked out by conformance/tools/billing_vectors.py with Python's decimal "
                "module, independently of scrm. See conformance/README.md.",
       "vectors": V}
out = Path(__file__).resolve().parents[1] / "vectors" / "billing.json"
out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
print(f"{len(V)} vectors written to {out}")
