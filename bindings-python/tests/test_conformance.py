"""Runs every vector in conformance/vectors through the Python binding, as scrm-core/tests/conformance.rs does."""

import functools
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

import scrm
from conftest import REPO

VECTORS = [v for f in sorted((REPO / "conformance/vectors").glob("*.json")) for v in json.loads(f.read_text())["vectors"]]
PENDING = set(json.loads((REPO / "conformance/pending.json").read_text())["python"])
# The ops `run` below handles; the rest must be listed in conformance/pending.json.
OPS = {
    "playbook.load",
    "identity.normalize",
    "identity.resolve",
    "customer.merge",
    "tagging.events",
    "condition.parse",
    "condition.evaluate",
    "segment.members",
    "account.decision_chain",
    "tagging.manual",
    # The full surface (issue 6).
    "social.propagation",
    "social.fission",
    "analytics.funnel",
    "analytics.became",
    "analytics.cohorts",
    "analytics.cost_per_lead",
    "pool.due",
    "pool.claim",
    "transfer.plan",
    "transfer.status",
    "assignment.assign",
    "billing.meter",
    "billing.price",
    "billing.advance",
    "billing.invoice",
    "billing.statement",
    "engine.run",
    "engine.batch",
    "cps.attribute",
    "cps.commission",
    "cps.statement",
    "packs.ladder",
    "packs.purchase",
    "packs.consume",
}


def source_text(v):
    if "text" in v:
        return v["text"]
    if "file" in v:
        return (REPO / v["file"]).read_text()
    return json.dumps(v["document"], ensure_ascii=False)


def summary(p):
    return {
        "schema_version": p.schema_version,
        "tenant_id": p.tenant_id,
        "timezone": p.timezone,
        "channels": [c.id for c in p.channels],
        "groups": [{"id": g.id, "exclusive": g.exclusive, "tags": [t.id for t in g.tags]} for g in p.tag_groups],
    }


def outcome(work):
    """The result of `work()`, or the error as {"error": {"kind", "paths"}}."""
    try:
        return work()
    except scrm.ScrmError as e:
        return {"error": {"kind": e.kind, "paths": [p.path for p in e.problems]}}


@functools.lru_cache(maxsize=None)
def playbook(file):
    return scrm.Playbook.from_json((REPO / file).read_text())


def str_or_none(v, key):
    """Like serde's `as_str`: the field when it is a string, else None."""
    value = v.get(key)
    return value if isinstance(value, str) else None


def tag_events(v):
    tagger = scrm.Tagger(playbook(v["playbook"]))
    customer = v["customer"]
    events = v["events"]
    all_changes = []
    for i, event in enumerate(events):
        customer, changes = tagger.on_event(customer, event, events[:i])
        all_changes.append(changes_value(changes))
    return plain({"changes": all_changes, "tags": carried_tags(customer)})


def parse_condition(v):
    if isinstance(v.get("text"), str):
        return scrm.Condition.parse(v["text"])
    return scrm.Condition.from_json(json.dumps(v.get("json")))


def evaluate(v):
    now = datetime.fromisoformat(v["now"].replace("Z", "+00:00"))
    compiled = scrm.Condition.parse(v["condition"]).compile(playbook(v["playbook"]))
    return compiled.evaluate(v["customer"], now, history=v.get("history"), score=str_or_none(v, "score"))


def ids(v, key):
    """Like the Rust runner: the strings of the list at `key`, none when absent."""
    value = v.get(key)
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def segment_members(v):
    now = datetime.fromisoformat(v["now"].replace("Z", "+00:00"))
    compiled = scrm.Condition.parse(v["condition"]).compile(playbook(v["playbook"]))
    segment = scrm.Segment(compiled, include=ids(v, "include"), exclude=ids(v, "exclude"))
    return {"members": segment.members(v.get("customers") or [], now, histories=v.get("histories"), scores=v.get("scores"))}


def changes_value(changes):
    return [{"tag_id": c.tag_id, "action": c.action, "reason": c.reason} for c in changes]


def carried_tags(customer):
    """The tags a customer carries, with their expiry where they have one, sorted by id."""
    tags = [
        {"tag_id": t["tag_id"], **({"expires_at": t["expires_at"]} if "expires_at" in t else {})}
        for t in customer["tags"]
    ]
    tags.sort(key=lambda t: t["tag_id"])
    return tags


def tag_by_hand(v):
    """Runs hand-tagging steps in order (`tag` + `at`, `untag`, `expire`, `pre_tags`)."""
    tagger = scrm.Tagger(playbook(v["playbook"]))
    customer = v["customer"]
    all_changes = []
    for step in v["steps"]:
        def time(key):
            return datetime.fromisoformat(step[key].replace("Z", "+00:00"))

        if isinstance(step.get("tag"), str):
            customer, changes = tagger.tag(customer, step["tag"], time("at"))
        elif isinstance(step.get("untag"), str):
            customer, changes = tagger.untag(customer, step["untag"])
        elif "expire" in step:
            customer, changes = tagger.expire(customer, time("expire"))
        else:
            customer, changes = tagger.apply_pre_tags(customer, step.get("pre_tags"))
        all_changes.append(changes_value(changes))
    return plain({"changes": all_changes, "tags": carried_tags(customer)})


def run(v):
    op = v["op"]
    if op == "playbook.load":
        load = {"json": scrm.Playbook.from_json, "toml": scrm.Playbook.from_toml}[v.get("format", "json")]
        return outcome(lambda: {"summary": summary(load(source_text(v)))})
    if op == "identity.normalize":
        return outcome(
            lambda: {"identity": scrm.normalize_identity(v.get("kind") or "", v.get("value") or "", str_or_none(v, "scope")).to_dict()}
        )
    if op == "identity.resolve":
        return outcome(lambda: {"clusters": scrm.resolve(v.get("customers") or [])})
    if op == "customer.merge":
        return outcome(lambda: {"customer": plain(scrm.merge(v.get("customers") or [], v.get("policy")))})
    if op == "tagging.events":
        return outcome(lambda: tag_events(v))
    if op == "condition.parse":
        return outcome(lambda: (lambda c: {"text": c.to_text(), "json": c.to_json()})(parse_condition(v)))
    if op == "condition.evaluate":
        return outcome(lambda: {"result": evaluate(v)})
    if op == "segment.members":
        return outcome(lambda: segment_members(v))
    if op == "account.decision_chain":
        return outcome(lambda: scrm.decision_chain(v["account"]).to_dict())
    if op == "tagging.manual":
        return outcome(lambda: tag_by_hand(v))
    if op in SURFACE:
        return outcome(lambda: plain(SURFACE[op](v)))
    raise AssertionError(f"unknown op {op!r} in {v['id']}")


# The full surface (issue 6): each op calls the public API and projects its output as
# scrm-core/tests/conformance.rs does, after `plain` turns datetimes and Decimals back into the
# core's JSON text.


def plain(x):
    """Outputs as the core's JSON: datetimes in RFC 3339 (UTC, `Z`, chrono's digits), days as
    `YYYY-MM-DD`, Decimals as plain decimal strings."""
    if isinstance(x, datetime):
        us = x.microsecond
        fraction = "" if us == 0 else f".{us // 1000:03d}" if us % 1000 == 0 else f".{us:06d}"
        return x.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, Decimal):
        return format(x, "f")
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def any_playbook(v):
    """A pool vector's playbook: a file path, or the document itself."""
    if isinstance(v["playbook"], str):
        return playbook(v["playbook"])
    return scrm.Playbook.from_json(json.dumps(v["playbook"]))


def pick(items, keys):
    return [{k: item[k] for k in keys if k in item} for item in items or []]


def propagation_summary(out):
    trees = [
        {**t, "nodes": [{"customer_id": n["customer_id"], "parent": n["parent"], "depth": n["depth"]} for n in t["nodes"]]}
        for t in out["trees"]
    ]
    return {"trees": trees, "skipped": [s["event_id"] for s in out["skipped"]]}


def fission_summary(out):
    inviters = [
        {
            "inviter_id": i["inviter_id"],
            "count": i["count"],
            "reward_earned": i["reward_earned"],
            "reached_at": i["reached_at"],
            "helps": [[h["event_id"], h["status"]] for h in i["helps"]],
        }
        for i in out["inviters"]
    ]
    return {"inviters": inviters, "unattributed": out["unattributed"]}


def counts_summary(c):
    return {
        "key": c["key"],
        "journeys": c["journeys"],
        "unstaged": c["unstaged"],
        "counts": [s["count"] for s in c["stages"]],
        "rates": [x["rate"] for x in c["conversions"]],
        "overall": c["overall"],
    }


def funnel_summary(out):
    return {
        "overall": counts_summary(out["overall"]),
        "by_channel": [counts_summary(c) for c in out["by_channel"]],
        "by_owner": [counts_summary(c) for c in out["by_owner"]],
        "time_in_stage": out["time_in_stage"],
    }


def billing_meter(v):
    out = plain(scrm.meter(v.get("meters"), v.get("events") or [], v.get("options")))
    values = [
        {
            "customer_id": x["customer_id"],
            "meter_id": x["meter_id"],
            "first_day": x["period"]["first_day"],
            "last_day": x["period"]["last_day"],
            "start": x["period"]["start"],
            "value": x["value"],
            "events": x["events"],
        }
        for x in out["values"]
    ]
    r = out["report"]
    return {
        "values": values,
        "report": {
            "accepted": r["accepted"],
            "replayed": r["replayed"],
            "unmetered": r["unmetered"],
            "conflicts": [{"index": c["index"], "id": c["id"]} for c in r["conflicts"]],
            "rejected": [{"index": c["index"], "path": c["path"]} for c in r["rejected"]],
        },
    }


def currency(v):
    return v["currency"] if isinstance(v.get("currency"), str) else ""


def billing_price(v):
    out = plain(scrm.price(v.get("charge"), v.get("quantity"), currency(v)))
    return {"amount": out["amount"]["amount"], "precise_amount": out["precise_amount"], "explanation": out["explanation"]}


def billing_advance(v):
    out = plain(scrm.advance_fees(v.get("charge"), v.get("events") or [], currency(v), prior=v.get("prior")))
    return {"fees": [f["amount"]["amount"] for f in out["fees"]], "total": out["total"]["amount"]}


def invoice_summary(inv):
    coupons = []
    for c in inv["coupons"]:
        coupon = {"coupon": c["coupon"], "discount": c["discount"]["amount"]}
        if "remaining" in c:
            coupon["remaining"] = c["remaining"]["amount"]
        coupons.append(coupon)
    return {
        "first_day": inv["period"]["first_day"],
        "last_day": inv["period"]["last_day"],
        "status": inv["status"],
        "currency": inv["currency"],
        "lines": [{"kind": x["kind"], "amount": x["amount"]["amount"]} for x in inv["lines"]],
        "subtotal": inv["subtotal"]["amount"],
        "discount": inv["discount"]["amount"],
        "total": inv["total"]["amount"],
        "coupons": coupons,
    }


def billing_invoice(v):
    pricing = scrm.Pricing.from_dict(v.get("pricing"))
    out = pricing.invoice(v.get("subscription"), v.get("usage"), instant(v["at"]), instant(v["now"]))
    return invoice_summary(plain(out))


def billing_statement(v):
    pricing = scrm.Pricing.from_dict(v.get("pricing"))
    out = plain(pricing.statement(v.get("subscription"), v.get("usage"), instant(v["now"])))
    return {"invoices": [invoice_summary(i) for i in out["invoices"]], "total": out["total"]["amount"]}


def engine_of(v):
    """`playbook` is a file path, or an object completed with schema_version 1, tenant_id "t" and
    timezone "UTC" where it leaves them out."""
    if isinstance(v["playbook"], str):
        return scrm.Engine(playbook(v["playbook"]))
    doc = {"schema_version": 1, "tenant_id": "t", "timezone": "UTC", **v["playbook"]}
    return scrm.Engine(scrm.Playbook.from_json(json.dumps(doc)))


def event_of(engine, e):
    return {**e, "tenant_id": e.get("tenant_id", engine.tenant_id), "customer_id": e.get("customer_id", "c1")}


def step_summary(effects):
    effects = plain(effects)
    out = {}
    for flag in ("replayed", "refolded"):
        if effects.get(flag) is True:
            out[flag] = True
    signs = {"added": "+", "removed": "-"}
    lists = {
        "tags": [signs.get(t.get("action"), "~") + t["tag_id"] for t in effects.get("tags") or []],
        "stages": [[c.get("from"), c.get("to"), c.get("rule")] for c in effects.get("stages") or []],
        "thresholds": [("+" if t.get("fired") is True else "-") + t["id"] for t in effects.get("thresholds") or []],
        "tasks": [x["id"] for x in effects.get("tasks") or []],
        "alerts": [x["id"] for x in effects.get("alerts") or []],
    }
    out.update({k: x for k, x in lists.items() if x})
    delta = (effects.get("score") or {}).get("delta")
    if isinstance(delta, str) and delta != "0":
        out["delta"] = delta
    return out


def profile_report(engine, v, profile, out):
    wants = set(v.get("report") or [])
    if wants & {"score", "components", "grade", "rules", "groups", "total_capped", "fit", "social"}:
        score = plain(engine.score(profile, instant(v["now"])))
        x = score["explanation"]

        def keyed(key, id_, fields):
            return {part[id_]: {f: part.get(f) for f in fields} for part in x.get(key) or []}

        everything = {
            "score": score["score"],
            "components": {"engagement": score["engagement"], "fit": score["fit"], "social": score["social"]},
            "grade": score.get("grade"),
            "rules": keyed("rules", "rule", ["events", "raw", "capped", "decayed", "points"]),
            "groups": keyed("groups", "group", ["net", "capped", "points"]),
            "total_capped": x.get("total_capped"),
            "fit": keyed("fit", "rule", ["matched", "points", "grade_steps"]),
            "social": keyed("social", "source", ["amount", "raw", "capped", "points"]),
        }
        out.update({k: x for k, x in everything.items() if k in wants})
    live = plain(profile)["live"]
    if "stage" in wants:
        out["stage"] = live["customer"].get("stage")
    if "history" in wants:
        out["history"] = [[c.get("from"), c.get("to"), c.get("rule"), c.get("at")] for c in (live.get("lifecycle") or {}).get("history") or []]
    if "fired" in wants:
        out["fired"] = [f["id"] for f in live.get("fired") or []]
    if "tags" in wants:
        out["tags"] = sorted(t["tag_id"] for t in live["customer"].get("tags") or [])
    if "pool_facts" in wants:
        out["pool_facts"] = plain(engine.pool_facts(profile))


def engine_run(v):
    engine = engine_of(v)
    profile = engine.new_profile(v["customer"]) if v.get("customer") is not None else None
    steps = []
    for step in v.get("steps") or []:
        try:
            if "event" in step:
                e = step["event"]
                profile, effects = engine.apply(profile, event_of(engine, e), instant(step.get("now", e["at"])))
                steps.append(step_summary(effects))
            elif "tick" in step:
                profile, effects = engine.tick(profile, instant(step["tick"]))
                steps.append(step_summary(effects))
            elif "rescore" in step:
                r = step["rescore"]
                engine = engine_of(r)
                events = [event_of(engine, e) for e in r["events"]]
                profile, effects = engine.rescore(profile, events, instant(r["now"]))
                steps.append(step_summary(effects))
            else:
                events = [event_of(engine, e) for e in step["events"]]
                profiles, report = engine.fold([profile] if profile is not None else [], events)
                profile = profiles[0]
                summary = {}
                refused = [r["event_id"] for r in report.get("refused") or []]
                if refused:
                    summary["refused"] = refused
                steps.append(summary)
        except scrm.ScrmError as e:
            steps.append({"error": {"kind": e.kind, "paths": [p.path for p in e.problems]}})
    out = {}
    if "steps" in (v.get("report") or []):
        out["steps"] = steps
    if profile is not None:
        profile_report(engine, v, profile, out)
    return out


def engine_batch(v):
    engine = engine_of(v)
    profiles = [engine.new_profile(c) for c in v.get("customers") or []]
    batches = v["batches"] if isinstance(v.get("batches"), list) else [v.get("events")]
    folds = []
    for batch in batches:
        profiles, r = engine.fold(profiles, [event_of(engine, e) for e in batch])
        refused = [x["event_id"] for x in r.get("refused") or []]
        folds.append({"applied": r["applied"], "replayed": r["replayed"], "created": r["created"], "refused": refused})
    wants = set(v.get("report") or [])
    now = instant(v["now"]) if "now" in v else None
    ids = [p["live"]["customer"]["id"] for p in profiles]
    out = {}
    if "fold" in wants:
        out["fold"] = folds
    if "stages" in wants:
        out["stages"] = {i: p["live"]["customer"].get("stage") for i, p in zip(ids, profiles)}
    if "scores" in wants:
        out["scores"] = {i: engine.score(p, now)["score"] for i, p in zip(ids, profiles)}
    if "rfm" in wants:
        rows = engine.rfm(profiles, now, v.get("rfm_mode") or "binary")
        out["rfm"] = [{k: r[k] for k in ("customer_id", "r", "f", "m", "segment") if k in r} for r in rows]
    if "priority" in wants:
        out["priority"] = engine.priority_list(v["owner"], profiles, now)
    return out


LINE_KEYS = ["sale_id", "touch_index", "level", "promoter", "attributed", "rate", "rate_source", "commission", "paid", "amount", "status"]
HISTORY = ("sales", "refunds", "payouts", "referrers")


def history(v):
    return {k: v[k] for k in HISTORY if k in v}


def lines_view(c):
    return {"lines": pick(c["lines"], LINE_KEYS), "totals": c["totals"]}


def consume_view(c):
    consumptions = [
        {
            "usage_id": x["usage_id"],
            "consumed": x["consumed"],
            "shortfall": x["shortfall"],
            "lines": pick(x["lines"], ["wallet_id", "kind", "units"]),
            "expired": pick(x["expired"], ["wallet_id", "bonus_units", "paid_units"]),
        }
        for x in c["consumptions"]
    ]
    return {"wallets": pick(c["wallets"], ["id", "paid_units", "bonus_units"]), "consumptions": consumptions}


def attribute_view(a):
    return {
        "credits": pick(a["credits"], ["touch_index", "weight", "amount"]),
        "excluded": pick(a["excluded"], ["touch_index", "reason"]),
        "unattributed": a["unattributed"],
    }


SURFACE = {
    "social.propagation": lambda v: {"summary": propagation_summary(plain(scrm.propagation(v.get("events") or [], v.get("rules"))))},
    "social.fission": lambda v: {
        "summary": fission_summary(
            plain(scrm.fission(v.get("campaign"), v.get("events") or [], instant(v["now"]), v.get("existing_friends")))
        )
    },
    "analytics.funnel": lambda v: {"summary": funnel_summary(plain(scrm.funnel(v.get("options"), v.get("journeys") or [])))},
    "analytics.became": lambda v: {"summary": scrm.became(v.get("options"), v.get("journeys") or [])},
    "analytics.cohorts": lambda v: {"summary": scrm.cohorts(v.get("options"), v.get("journeys") or [], instant(v["as_of"]))},
    "analytics.cost_per_lead": lambda v: {
        "summary": scrm.cost_per_lead(v.get("options"), v.get("journeys") or [], v.get("spend") or [])
    },
    "pool.due": lambda v: scrm.Pool(any_playbook(v)).due(v.get("customers"), instant(v["now"])),
    "pool.claim": lambda v: scrm.Pool(any_playbook(v)).claim(v.get("employee"), v.get("customer"), instant(v["now"])),
    "transfer.plan": lambda v: scrm.Pool(any_playbook(v)).plan_transfer(
        v.get("request"), instant(v["now"]), history=v.get("history"), employees=v.get("employees")
    ),
    "transfer.status": lambda v: scrm.Pool(any_playbook(v)).transfer_status(
        v.get("records"), instant(v["now"]), employees=v.get("employees")
    ),
    "assignment.assign": lambda v: scrm.Pool(any_playbook(v)).assign(
        v.get("employees"), v.get("leads"), instant(v["now"]), state=v.get("state")
    ),
    "billing.meter": billing_meter,
    "billing.price": billing_price,
    "billing.advance": billing_advance,
    "billing.invoice": billing_invoice,
    "billing.statement": billing_statement,
    "engine.run": engine_run,
    "engine.batch": engine_batch,
    "cps.attribute": lambda v: attribute_view(scrm.attribute(v.get("attribution"), v.get("sale"))),
    "cps.commission": lambda v: lines_view(scrm.commission(v.get("plan"), as_of=v.get("as_of"), **history(v))),
    "cps.statement": lambda v: lines_view(
        scrm.commission_statement(v.get("plan"), v.get("promoter"), v.get("from"), v.get("to"), **history(v))
    ),
    "packs.ladder": lambda v: {"packs": pick(scrm.pack_ladder(v.get("packs"))["packs"], ["id", "total_units", "unit_price", "discount_percent"])},
    "packs.purchase": lambda v: {"wallet": scrm.purchase(v.get("packs"), v.get("pack_id"), v.get("wallet_id"), v.get("at"))},
    "packs.consume": lambda v: consume_view(scrm.consume(v.get("wallets"), v.get("usages"))),
}


def same(a, b):
    """JSON equality: numbers compare by value (7.0 equals 7), but a bool is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def test_there_are_vectors():
    assert len(VECTORS) >= 15
    ops = {v["op"] for v in VECTORS}
    assert ops - PENDING == OPS, "every op is run here or listed in conformance/pending.json"


def test_pending_lists_only_ops_not_run_here():
    assert not (PENDING & OPS), f"run here, so remove from conformance/pending.json: {sorted(PENDING & OPS)}"


def test_same_is_strict_where_json_is():
    assert same({"a": [7, "x"]}, {"a": [7.0, "x"]})
    assert not same({"a": 1}, {"a": True})
    assert not same({"a": 1}, {"a": 1, "b": None})
    assert not same([1, 2], [2, 1])
    assert not same("7", 7)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector):
    if vector["op"] in PENDING:
        pytest.skip(f"op {vector['op']} is not bound in Python yet (conformance/pending.json)")
    got = run(vector)
    assert same(got, vector["expect"]), f"expected {vector['expect']}\n got      {got}"
