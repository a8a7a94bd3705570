"""An independent reference of CPS attribution, commission and usage packs, written from the rules
in docs/cps.md and docs/packs.md (not from the Rust code), with Python's exact `decimal` and
`fractions`. It computed the expected outcomes of conformance/vectors/cps.json and packs.json.

    python3 conformance/tools/cps_reference.py            # checks every vector, prints mismatches
    python3 conformance/tools/cps_reference.py --print ID  # prints the outcome of one vector
"""

import json
import sys
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal as D, getcontext
from fractions import Fraction as F
from pathlib import Path

getcontext().prec = 60
ROOT = Path(__file__).resolve().parents[2]
EXPONENT = {"CNY": 2, "USD": 2, "EUR": 2, "JPY": 0, "HKD": 2}


def q(x, places):
    """Round half away from zero (ROUND_HALF_UP in Python is away from zero) to `places`."""
    return D(x).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def dur(text):
    n, unit = int(text[:-1]), text[-1]
    return {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


def allocate(amount, weights, exp):
    """Parts rounded down to the minor unit, leftover units to the largest remainders, ties to
    the earliest."""
    whole = q(D(amount), exp)
    units = int(abs(whole) * 10**exp)
    ws = [F(str(w)) for w in weights]
    total = sum(ws)
    exact = [F(units) * w / total for w in ws]
    parts = [int(e) for e in exact]
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    sign = -1 if whole < 0 else 1
    return [q(D(p) / 10**exp * sign, exp) for p in parts]


def text(d):
    return format(d, "f")


# ---------------------------------------------------------------- attribution


def journey(settings, sale):
    lookback = dur(settings.get("lookback", "30d"))
    at = ts(sale["at"])
    eligible, excluded = [], []
    for i, t in enumerate(sale.get("touches", [])):
        before = at - ts(t["at"])
        if before < timedelta(0):
            excluded.append((i, "after_sale"))
        elif before > lookback:
            excluded.append((i, "outside_lookback"))
        else:
            eligible.append(i)
    eligible.sort(key=lambda i: (ts(sale["touches"][i]["at"]), i))
    return eligible, weights(settings, sale, eligible), excluded


def weights(settings, sale, order):
    n, model = len(order), settings["model"]
    if n == 0:
        return []
    if model == "first_touch":
        return [D(1)] + [D(0)] * (n - 1)
    if model == "last_touch":
        return [D(0)] * (n - 1) + [D(1)]
    if model == "linear":
        return [D(1)] * n
    if model == "time_decay":
        h = dur(settings.get("half_life", "7d")).total_seconds()
        latest = ts(sale["touches"][order[-1]]["at"])
        out = []
        for i in order:
            x = D((latest - ts(sale["touches"][i]["at"])).total_seconds()) / D(h)
            out.append(q(D(2) ** (-x), 18))
        return out
    first = D(settings.get("first_percent", "40"))
    last = D(settings.get("last_percent", "40"))
    if n == 1:
        return [D(1)]
    if n == 2:
        return [first, last]
    middle = 100 - first - last
    return [first * (n - 2)] + [middle] * (n - 2) + [last * (n - 2)]


def attribute(v):
    settings, sale = v["attribution"], v["sale"]
    exp = EXPONENT[sale["currency"]]
    order, ws, excluded = journey(settings, sale)
    parts = allocate(sale["amount"], ws, exp) if order else []
    return {
        "credits": [
            {"touch_index": i, "weight": text(w.normalize() if settings["model"] != "time_decay" else w), "amount": text(p)}
            for i, w, p in zip(order, ws, parts)
        ],
        "excluded": [{"touch_index": i, "reason": r} for i, r in excluded],
        "unattributed": text(q(D(0) if order else D(sale["amount"]), exp)),
    }


# ---------------------------------------------------------------- commission


def rate(plan, touch):
    p, c = touch.get("promoter"), touch.get("campaign")
    if p in plan.get("promoter_rates", {}):
        return D(plan["promoter_rates"][p]), "promoter"
    if c in plan.get("campaign_rates", {}):
        return D(plan["campaign_rates"][c]), "campaign"
    if touch["channel"] in plan.get("channel_rates", {}):
        return D(plan["channel_rates"][touch["channel"]]), "channel"
    return D(plan.get("default_rate", "0")), "default"


def unique(items):
    seen, out = set(), []
    for x in items:
        if x["id"] not in seen:
            seen.add(x["id"])
            out.append(x)
    return out


def lines(v, as_of, wanted=lambda who: True):
    plan, exp = v["plan"], EXPONENT[v["plan"]["currency"]]
    levels = plan.get("referral", {}).get("levels", 1)
    upline_rate = D(plan.get("referral", {}).get("upline_rate", "0"))
    hold = dur(plan["hold"]) if "hold" in plan else timedelta(0)
    refunds = unique(v.get("refunds", []))
    payouts = unique(v.get("payouts", []))
    out = []
    for sale in unique(v.get("sales", [])):
        if not ts(sale["at"]) < as_of:
            continue
        order, ws, _ = journey(plan["attribution"], sale)
        refunded = sum((D(r["amount"]) for r in refunds if r["sale_id"] == sale["id"] and ts(r["at"]) < as_of), D(0))
        net = q(D(sale["amount"]) - refunded, exp)
        parts = allocate(net, ws, exp) if order else []
        payable_from = ts(sale["at"]) + hold
        for i, w, part in zip(order, ws, parts):
            touch = sale["touches"][i]
            if w == 0 or "promoter" not in touch:
                continue
            earners = [(1, touch["promoter"])]
            up = v.get("referrers", {}).get(touch["promoter"])
            if levels == 2 and up:
                earners.append((2, up))
            for level, who in earners:
                if not wanted(who):
                    continue
                r, source = rate(plan, touch) if level == 1 else (upline_rate, "upline")
                commission = q(part * r, exp)
                mine = [p for p in payouts if (p["sale_id"], p["touch_index"], p["level"]) == (sale["id"], i, level) and ts(p["at"]) < as_of]
                paid = q(sum((D(p["amount"]) for p in mine), D(0)), exp)
                amount = commission - paid
                held = payable_from >= as_of
                if amount < 0:
                    status = "clawback"
                elif amount == 0 and mine:
                    status = "paid"
                elif held:
                    status = "held"
                else:
                    status = "payable"
                out.append({
                    "sale_id": sale["id"], "touch_index": i, "level": level, "promoter": who,
                    "attributed": text(part), "rate": text(r), "rate_source": source,
                    "commission": text(commission), "paid": text(paid), "amount": text(amount), "status": status,
                    "_sale_at": ts(sale["at"]),
                })
    return out


def totals(ls, exp):
    s = lambda key, status=None: q(sum((D(l[key]) for l in ls if status is None or l["status"] == status), D(0)), exp)
    payable, clawback = s("amount", "payable"), s("amount", "clawback")
    return {
        "commission": text(s("commission")), "paid": text(s("paid")), "held": text(s("amount", "held")),
        "payable": text(payable), "clawback": text(clawback), "due": text(q(payable + clawback, exp)),
    }


LINE_KEYS = ["sale_id", "touch_index", "level", "promoter", "attributed", "rate", "rate_source", "commission", "paid", "amount", "status"]


def commission(v):
    ls = lines(v, ts(v["as_of"]))
    exp = EXPONENT[v["plan"]["currency"]]
    return {"lines": [{k: l[k] for k in LINE_KEYS} for l in ls], "totals": totals(ls, exp)}


def statement(v):
    frm, to, who = ts(v["from"]), ts(v["to"]), v["promoter"]
    inside = lambda t: frm <= t < to
    kept = []
    for l in lines(v, to, lambda p: p == who):
        active = inside(l["_sale_at"]) or any(
            r["sale_id"] == l["sale_id"] and inside(ts(r["at"])) for r in unique(v.get("refunds", []))
        ) or any(
            (p["sale_id"], p["touch_index"], p["level"]) == (l["sale_id"], l["touch_index"], l["level"]) and inside(ts(p["at"]))
            for p in unique(v.get("payouts", []))
        )
        open_ = l["status"] != "paid" and D(l["amount"]) != 0
        if active or open_:
            kept.append(l)
    exp = EXPONENT[v["plan"]["currency"]]
    return {"lines": [{k: l[k] for k in LINE_KEYS} for l in kept], "totals": totals(kept, exp)}


# ---------------------------------------------------------------- packs


def ladder(v):
    packs = v["packs"]["ladder"]
    p0 = D(packs[0]["price"])
    t0 = packs[0]["units"] + packs[0].get("bonus_units", 0)
    out = []
    for p in packs:
        total = p["units"] + p.get("bonus_units", 0)
        price = D(p["price"])
        out.append({
            "id": p["id"], "total_units": str(total),
            "unit_price": text(q(price / total, 4)),
            "discount_percent": text(q((1 - price * t0 / (p0 * total)) * 100, 2)),
        })
    return {"packs": out}


def consume(v):
    # Units are plain quantities, not money: written without trailing zeros ("0", "9.25").
    wallets = [dict(w, paid_units=D(str(w["paid_units"])).normalize(), bonus_units=D(str(w["bonus_units"])).normalize()) for w in v["wallets"]]
    usages = sorted(enumerate(unique(v["usages"])), key=lambda iu: (ts(iu[1]["at"]), iu[0]))
    results = []
    for _, u in usages:
        t, want = ts(u["at"]), D(str(u["quantity"])).normalize()
        expired = []
        for w in wallets:
            if "expires_at" in w and ts(w["expires_at"]) <= t and (w["bonus_units"] or w["paid_units"]):
                expired.append({"wallet_id": w["id"], "bonus_units": text(w["bonus_units"]), "paid_units": text(w["paid_units"])})
                w["bonus_units"] = w["paid_units"] = D(0)
        order = sorted((i for i, w in enumerate(wallets) if ts(w["purchased_at"]) <= t), key=lambda i: (ts(wallets[i]["purchased_at"]), i))
        taken, rest = [], want
        for kind in ("bonus", "paid"):
            for i in order:
                key = kind + "_units"
                n = min(rest, wallets[i][key])
                if n > 0:
                    wallets[i][key] = (wallets[i][key] - n).normalize()
                    rest = (rest - n).normalize()
                    taken.append({"wallet_id": wallets[i]["id"], "kind": kind, "units": text(n)})
        results.append({"usage_id": u["id"], "consumed": text((want - rest).normalize()), "shortfall": text(rest), "lines": taken, "expired": expired})
    return {
        "wallets": [{"id": w["id"], "paid_units": text(w["paid_units"]), "bonus_units": text(w["bonus_units"])} for w in wallets],
        "consumptions": results,
    }


OPS = {"cps.attribute": attribute, "cps.commission": commission, "cps.statement": statement,
       "packs.ladder": ladder, "packs.consume": consume}


def main():
    vectors = []
    for name in ("cps.json", "packs.json"):
        vectors += json.loads((ROOT / "conformance/vectors" / name).read_text())["vectors"]
    if len(sys.argv) == 3 and sys.argv[1] == "--print":
        v = next(v for v in vectors if v["id"] == sys.argv[2])
        print(json.dumps(OPS[v["op"]](v), ensure_ascii=False, indent=2))
        return
    bad = 0
    for v in vectors:
        if v["op"] not in OPS or "error" in (v.get("expect") or {}):
            continue  # errors and other ops are pinned by reading the rules, not recomputed here
        got = OPS[v["op"]](v)
        if got != v["expect"]:
            bad += 1
            print(f"MISMATCH {v['id']}\n  expected {json.dumps(v['expect'], ensure_ascii=False)}\n  got      {json.dumps(got, ensure_ascii=False)}")
    print(f"{len(vectors)} vectors, {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
