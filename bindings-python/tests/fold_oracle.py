"""A straightforward pure-Python implementation of the rules of ``data/oracle.toml``.

It is an independent oracle for ``scrm.fold_table`` on small data (test_batch_tables.py) and the
pure-Python baseline of ``bindings-python/bench/batch_bench.py``. It follows the rules as
docs/engine.md states them, written the way a data engineer would without scrm: dicts per
customer, events sorted by customer, time and id, replays skipped.

- keyword rule ``kw_price``: a ``message`` whose text holds 多少钱 or 价格 adds ``intent_high``;
  channel-code rule ``store_qr``: a scanned ``store-1`` / ``store-2`` adds ``src_store``;
- points: content_view 1, message 3, form 20, purchase 30 (no caps, no decay);
- lifecycle: the first event places the customer in ``visitor``; ``message`` / ``form`` / ``scan``
  advance to ``lead``; a score of 30 or more advances to ``mql``; ``purchase`` advances to
  ``customer``; an advance never moves a customer back.

Also the workload generator shared by the tests, the Spark example and the benchmark, and a
pure-Python metering (count and sum per customer and calendar month, UTC).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

KEYWORDS = ("多少钱", "价格")
STORE_CODES = ("store-1", "store-2")
POINTS = {"content_view": 1, "message": 3, "form": 20, "purchase": 30}
STAGES = ("visitor", "lead", "mql", "customer")
START = datetime(2026, 3, 1, tzinfo=timezone.utc)


def fold(events):
    """Profiles from event dicts (``id``, ``customer_id``, ``type``, ``at``, ``text``,
    ``channel_code``): ``{customer_id: {"stage", "score", "tags", "events_seen"}}``."""
    by_customer = defaultdict(list)
    for e in events:
        by_customer[e["customer_id"]].append(e)
    profiles = {}
    for customer, evs in by_customer.items():
        evs.sort(key=lambda e: (e["at"], e["id"]))
        seen = set()
        tags = []
        score = 0
        stage = None
        for e in evs:
            if e["id"] in seen:
                continue
            seen.add(e["id"])
            kind = e["type"]
            if stage is None:
                stage = "visitor"
            text = e.get("text") or ""
            if kind == "message" and any(k in text for k in KEYWORDS) and "intent_high" not in tags:
                tags.append("intent_high")
            if e.get("channel_code") in STORE_CODES and "src_store" not in tags:
                tags.append("src_store")
            score += POINTS.get(kind, 0)
            for target, matches in (
                ("lead", kind in ("message", "form", "scan")),
                ("mql", score >= 30),
                ("customer", kind == "purchase"),
            ):
                if matches and STAGES.index(target) > STAGES.index(stage):
                    stage = target
        profiles[customer] = {
            "stage": stage,
            "score": Decimal(score),
            "tags": sorted(tags),
            "events_seen": len(seen),
        }
    return profiles


def meter(usage):
    """``{(customer_id, "YYYY-MM"): (count of sms_sent, sum of tokens of llm_call)}`` from usage
    dicts, each distinct (customer, id) counted once."""
    seen = set()
    out = defaultdict(lambda: [0, 0])
    for u in usage:
        key = (u["customer_id"], u["id"])
        if key in seen:
            continue
        seen.add(key)
        month = u["at"].strftime("%Y-%m")
        slot = out[(u["customer_id"], month)]
        if u["type"] == "sms_sent":
            slot[0] += 1
        elif u["type"] == "llm_call":
            slot[1] += int(u["tokens"])
    return {k: tuple(v) for k, v in out.items()}


def events(customers: int, per_customer: int, seed: int = 42):
    """A deterministic workload: many views, fewer messages (some asking the price), scans, forms
    and rare purchases, over 30 days; about ``customers * per_customer`` events."""
    rng = random.Random(seed)
    out = []
    texts = ["你好", "这个多少钱？", "有价格表吗", "谢谢", "再看看"]
    for i in range(customers * per_customer):
        customer = f"c{rng.randrange(customers)}"
        at = START + timedelta(seconds=rng.randrange(30 * 86_400))
        roll = rng.randrange(1000)
        e = {"id": f"e{i}", "customer_id": customer, "type": "content_view", "at": at, "text": None, "channel_code": None}
        if roll < 150:
            e["type"] = "message"
            e["text"] = rng.choice(texts)
        elif roll < 190:
            e["type"] = "scan"
            e["channel_code"] = rng.choice(("store-1", "store-2", "live-9"))
        elif roll < 210:
            e["type"] = "form"
        elif roll < 225:
            e["type"] = "purchase"
        out.append(e)
    return out


def usage(customers: int, rows: int, seed: int = 7):
    """A deterministic usage workload: sms_sent and llm_call (with ``tokens``) over two months,
    with a few retries (the same event twice)."""
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        if out and rng.randrange(100) == 0:
            out.append(dict(out[-1]))
            continue
        kind = "sms_sent" if rng.randrange(3) else "llm_call"
        out.append(
            {
                "id": f"u{i}",
                "customer_id": f"c{rng.randrange(customers)}",
                "type": kind,
                "at": START + timedelta(seconds=rng.randrange(61 * 86_400)),
                "tokens": rng.randrange(1, 5000) if kind == "llm_call" else None,
            }
        )
    return out


def to_arrow(rows, columns):
    """The rows as a pyarrow Table with the given columns (times as UTC timestamps)."""
    import pyarrow as pa

    data = {}
    for c in columns:
        values = [r.get(c) for r in rows]
        if c == "at":
            data[c] = pa.array(values, pa.timestamp("us", tz="UTC"))
        elif c == "tokens":
            data[c] = pa.array(values, pa.int64())
        else:
            data[c] = pa.array(values, pa.string())
    return pa.table(data)


EVENT_COLUMNS = ("id", "customer_id", "type", "at", "text", "channel_code")
USAGE_COLUMNS = ("id", "customer_id", "type", "at", "tokens")
METERS = [
    {"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"},
    {"id": "tokens", "event": "llm_call", "aggregation": "sum", "field": "tokens"},
]
