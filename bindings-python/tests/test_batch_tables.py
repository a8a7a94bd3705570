"""The batch functions over Arrow tables: scrm.fold_table, scrm.meter_table, scrm.price_table.

Checked against an independent pure-Python implementation of the same rules (fold_oracle.py) on
small data, with pyarrow, polars and pandas inputs; bad rows are named by row and column or
listed as rejected; garbage never crashes; the GIL is released during a long fold.
"""

import json
import random
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from gil import long_enough, progress_during

import scrm
from conftest import REPO

import fold_oracle as oracle

pa = pytest.importorskip("pyarrow")

UTC = timezone.utc
ORACLE = scrm.Playbook.from_toml((REPO / "bindings-python/tests/data/oracle.toml").read_text())
BRAND = scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())


def as_profiles(table):
    """The profiles table in the oracle's shape, keyed by customer."""
    return {
        r["customer_id"]: {
            "stage": r["stage"],
            "score": Decimal(r["score"]),
            "tags": sorted(r["tags"]),
            "events_seen": r["events_seen"],
        }
        for r in table.drop(["state"]).to_pylist()
    }


@pytest.fixture(scope="module")
def workload():
    events = oracle.events(200, 10)
    return events, oracle.to_arrow(events, oracle.EVENT_COLUMNS)


# --- fold_table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("effects", [True, False])
def test_fold_matches_the_pure_python_oracle(workload, effects):
    events, table = workload
    profiles, _ = scrm.fold_table(ORACLE, table, effects=effects)
    assert as_profiles(profiles) == oracle.fold(events)


def test_the_effects_table_has_a_row_when_the_reclaim_clock_moves():
    def events(*rows):
        return pa.table({
            "id": [r[0] for r in rows], "customer_id": ["c1"] * len(rows), "type": [r[1] for r in rows],
            "at": pa.array([r[2] for r in rows], pa.timestamp("us", tz="UTC")),
        })
    first, _ = scrm.fold_table(BRAND, events(("m1", "message", datetime(2026, 3, 1, 3, tzinfo=UTC))))
    # The CRM assigns an owner (not an event): set it in the profile's state.
    state = json.loads(first["state"][0].as_py())
    state["live"]["customer"]["owner"] = "emp1"
    owned = first.set_column(first.schema.get_field_index("state"), "state", pa.array([json.dumps(state)]))
    _, effects = scrm.fold_table(BRAND, events(("f1", "follow_up", datetime(2026, 3, 10, 9, tzinfo=UTC))), profiles=owned)
    pool = [r for r in effects.to_pylist() if r["kind"] == "pool"]
    assert [(r["detail"], r["reason"]) for r in pool] == [
        ("2026-03-17 -> 2026-03-26", "followed up: reclaim moves from 2026-03-17 to 2026-03-26")
    ]


def test_fold_reads_pyarrow_polars_and_pandas_alike(workload):
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    _, table = workload
    expected, effects = scrm.fold_table(ORACLE, table)
    for frame in (
        pl.from_arrow(table),
        table.to_pandas(types_mapper=pd.ArrowDtype),
        table.to_batches()[0],
        # Unordered input: each customer's events are folded in time order anyway.
        table.take(list(reversed(range(table.num_rows)))),
    ):
        got, got_effects = scrm.fold_table(ORACLE, frame)
        assert as_profiles(got) == as_profiles(expected)
        assert sorted(got["state"].to_pylist()) == sorted(expected["state"].to_pylist())
        assert got_effects.num_rows == effects.num_rows


def test_fold_continues_from_the_profiles_of_an_earlier_batch(workload):
    events, table = workload
    whole, _ = scrm.fold_table(ORACLE, table)
    cut = oracle.START + timedelta(days=15)
    import pyarrow.compute as pc

    early = table.filter(pc.less(table["at"], pa.scalar(cut, pa.timestamp("us", tz="UTC"))))
    late = table.filter(pc.greater_equal(table["at"], pa.scalar(cut, pa.timestamp("us", tz="UTC"))))
    first, _ = scrm.fold_table(ORACLE, early)
    second, _ = scrm.fold_table(ORACLE, late, profiles=first)
    assert as_profiles(second) == as_profiles(whole) == oracle.fold(events)
    # Replaying a batch changes nothing, and says so.
    again, effects = scrm.fold_table(ORACLE, late, profiles=second)
    assert as_profiles(again) == as_profiles(second)
    assert set(effects["kind"].to_pylist()) == {"replayed"}


def test_profiles_and_effects_tables():
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    events = pa.table(
        {
            "id": ["e1", "e2", "e3", "e4"],
            "customer_id": ["c1", "c1", "c2", "c1"],
            "type": ["message", "content_view", "scan", "purchase"],
            "at": pa.array([t0 + timedelta(hours=h) for h in (1, 2, 3, 4)], pa.timestamp("us", tz="UTC")),
            "text": ["大红袍礼盒多少钱？", None, None, None],
            "channel_code": [None, None, "store-sh-xintiandi", None],
            "category": [None, "pricing", None, None],
            "amount": pa.array([None, None, None, Decimal("199.00")], pa.decimal128(10, 2)),
        }
    )
    profiles, effects = scrm.fold_table(BRAND, events, now=t0 + timedelta(hours=4))
    assert profiles.column_names == [
        "customer_id", "stage", "score", "grade", "tags", "owner", "last_event_at", "events_seen", "state",
    ]
    assert profiles.schema.field("score").type == pa.string()
    assert profiles.schema.field("tags").type == pa.list_(pa.string())
    assert profiles.schema.field("last_event_at").type == pa.timestamp("us", tz="UTC")
    c1 = profiles.to_pylist()[0]
    assert (c1["customer_id"], c1["stage"], c1["events_seen"]) == ("c1", "customer", 3)
    assert set(c1["tags"]) == {"intent_high", "ind_corporate_gift"}
    assert c1["last_event_at"] == t0 + timedelta(hours=4)
    assert Decimal(c1["score"]) > 60
    rows = effects.to_pylist()
    assert effects.column_names == ["customer_id", "event_id", "at", "kind", "detail", "reason"]
    assert {"customer_id": "c1", "event_id": "e1", "kind": "tag_added", "detail": "intent_high"}.items() <= rows[0].items()
    assert "多少钱" in rows[0]["reason"]
    stages = [(r["event_id"], r["detail"]) for r in rows if r["kind"] == "stage"]
    assert ("e4", "mql -> customer") in stages
    assert any(r["kind"] == "alert" and r["detail"] == "hot" for r in rows)
    # decimal128 scores are exact.
    exact, _ = scrm.fold_table(BRAND, events, now=t0 + timedelta(hours=4), decimal="decimal128")
    assert pa.types.is_decimal(exact.schema.field("score").type)
    assert exact["score"].to_pylist()[0] == Decimal(c1["score"])
    # The state column is the core's profile JSON; state=False leaves it out.
    assert json.loads(c1["state"])
    bare, _ = scrm.fold_table(BRAND, events, now=t0 + timedelta(hours=4), state=False)
    assert bare.column_names == profiles.column_names[:-1]
    assert bare.equals(profiles.drop(["state"]))


def small_events():
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    return pa.table(
        {
            "id": ["e1", "e2", "e3", "e4", "e5"],
            "customer_id": ["c1", "c1", None, "c2", "c2"],
            "type": ["message", "content_view", "form", "purchase", "message"],
            "at": ["2026-03-01T01:00:00Z", "not a time", "2026-03-01T03:00:00Z", "2026-03-01T04:00:00Z", "2026-03-01T05:00:00Z"],
            "text": ["多少钱", None, None, None, "价格"],
            "properties": [None, None, None, '{"amount": ', None],
        }
    ), t0


def test_a_bad_row_raises_naming_its_row_and_column():
    events, _ = small_events()
    with pytest.raises(scrm.ValidationError) as info:
        scrm.fold_table(ORACLE, events)
    assert info.value.problems[0].path == "events[1].at"
    assert "row 1" in str(info.value) and "not a time" in str(info.value)


def test_rejected_rows_are_listed_and_the_others_folded():
    events, _ = small_events()
    profiles, effects, rejected = scrm.fold_table(ORACLE, events, on_error="reject")
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [
        (1, "at"),
        (2, "customer_id"),
        (3, "properties"),
    ]
    assert {r["customer_id"]: r["events_seen"] for r in profiles.to_pylist()} == {"c1": 1, "c2": 1}
    assert rejected.schema.names == ["row", "column", "reason"]


def test_an_event_too_late_for_its_profile_is_rejected_with_the_at_column():
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    first = pa.table({"id": ["e1"], "customer_id": ["c1"], "type": ["message"], "at": [t0 + timedelta(days=5)]})
    late = pa.table({"id": ["e0", "e2"], "customer_id": ["c1", "c1"], "type": ["form", "form"], "at": [t0, t0 + timedelta(days=6)]})
    profiles, _ = scrm.fold_table(ORACLE, first)
    for effects in (True, False):
        with pytest.raises(scrm.ValidationError) as info:
            scrm.fold_table(ORACLE, late, profiles=profiles, effects=effects)
        assert info.value.problems[0].path == "events[0].at"
        assert "too late" in str(info.value)
        after, _, rejected = scrm.fold_table(ORACLE, late, profiles=profiles, effects=effects, on_error="reject")
        assert rejected["row"].to_pylist() == [0]
        assert after["events_seen"].to_pylist() == [2]


def test_whole_column_problems_raise_at_the_column():
    events, _ = small_events()
    with pytest.raises(scrm.ValidationError) as info:
        scrm.fold_table(ORACLE, events.drop(["type"]))
    assert info.value.problems[0].path == "events.type"
    naive = pa.table({"id": ["e1"], "customer_id": ["c1"], "type": ["form"], "at": pa.array([datetime(2026, 3, 1)], pa.timestamp("us"))})
    with pytest.raises(scrm.ValidationError, match="without a timezone"):
        scrm.fold_table(ORACLE, naive)
    with pytest.raises(scrm.ValidationError) as info:
        scrm.fold_table(ORACLE, events.set_column(0, "id", pa.array([1, 2, 3, 4, 5])))
    assert info.value.problems[0].path == "events.id"


def test_a_bad_profile_always_raises():
    events, _ = small_events()
    good = events.slice(0, 1)
    with pytest.raises(scrm.ValidationError) as info:
        scrm.fold_table(ORACLE, good, profiles=pa.table({"state": ['{"nope": 1}']}), on_error="reject")
    assert info.value.problems[0].path == "profiles[0].state"
    brand_profiles, _ = scrm.fold_table(BRAND, pa.table({"id": ["x"], "customer_id": ["c1"], "type": ["form"], "at": ["2026-03-01T00:00:00Z"]}))
    with pytest.raises(scrm.ValidationError) as info:
        scrm.fold_table(ORACLE, good, profiles=brand_profiles)
    assert info.value.problems[0].path.startswith("profiles")
    with pytest.raises(scrm.ValidationError) as info:
        scrm.fold_table(ORACLE, good, profiles=pa.table({"customer_id": ["c1"]}))
    assert info.value.problems[0].path == "profiles.state"


GARBAGE_VALUES = [None, 42, 3.5, "text", b"bytes", {"a": 1}, [1, 2], object()]


@pytest.mark.parametrize("value", GARBAGE_VALUES, ids=repr)
def test_garbage_arguments_raise_never_crash(value):
    events, _ = small_events()
    calls = [
        lambda: scrm.fold_table(ORACLE, value),
        lambda: scrm.fold_table(value, events),
        lambda: scrm.fold_table(ORACLE, events, profiles=value),
        lambda: scrm.fold_table(ORACLE, events, now=value),
        lambda: scrm.meter_table(oracle.METERS, value),
        lambda: scrm.meter_table(value, events),
        lambda: scrm.price_table(value, events, at=datetime.now(UTC), now=datetime.now(UTC)),
        lambda: scrm.price_table({}, value, at=datetime.now(UTC), now=datetime.now(UTC)),
    ]
    for call in calls:
        with pytest.raises((scrm.ScrmError, TypeError, ValueError)):
            call()


def test_garbage_tables_raise_never_crash():
    rng = random.Random(3)
    columns = ["id", "customer_id", "type", "at", "text", "properties", "amount", "tokens", "operation", "state"]
    makers = [
        lambda n: pa.array([rng.choice([None, "", "x", "\x00", "多少钱", "{", "9" * 50]) for _ in range(n)]),
        lambda n: pa.array([rng.choice([None, 0, -1, 2**62]) for _ in range(n)], pa.int64()),
        lambda n: pa.array([rng.choice([None, float("nan"), float("inf"), 1.5]) for _ in range(n)]),
        lambda n: pa.array([rng.choice([None, datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)]) for _ in range(n)], pa.timestamp("us", tz="UTC")),
        lambda n: pa.array([[rng.choice(["a", None])] for _ in range(n)]),
        lambda n: pa.nulls(n),
    ]
    for _ in range(60):
        n = rng.randrange(0, 6)
        names = rng.sample(columns, rng.randrange(1, len(columns)))
        table = pa.table({name: rng.choice(makers)(n) for name in names})
        for call in (
            lambda: scrm.fold_table(ORACLE, table, on_error=rng.choice(["raise", "reject"])),
            lambda: scrm.fold_table(ORACLE, table, profiles=table),
            lambda: scrm.meter_table(oracle.METERS, table, on_error=rng.choice(["raise", "reject"])),
            lambda: scrm.price_table({}, table, at=datetime.now(UTC), now=datetime.now(UTC)),
        ):
            try:
                call()
            except (scrm.ScrmError, TypeError, ValueError) as e:
                assert not isinstance(e, scrm.InternalError), e


def test_the_gil_is_released_during_a_long_fold():
    import pyarrow.compute as pc

    table = oracle.to_arrow(oracle.events(1_000, 10), oracle.EVENT_COLUMNS)

    def copy(k):  # the same events with other ids: folded, not replayed
        return table.set_column(0, "id", pc.binary_join_element_wise(table["id"], pa.scalar(f"-{k}"), ""))

    copies = 1
    while True:
        big = pa.concat_tables([copy(k) for k in range(copies)])
        start = time.perf_counter()
        scrm.fold_table(ORACLE, big, effects=False)
        if time.perf_counter() - start > 0.4 or copies >= 64:
            break
        copies *= 2
    (profiles, _), inside, seconds = progress_during(lambda: scrm.fold_table(ORACLE, big, effects=False))
    assert profiles.num_rows > 0
    assert long_enough(seconds), "the fold was too short to observe"
    assert inside >= 50, f"the other thread made {inside} steps of progress during the call"


# --- meter_table --------------------------------------------------------------------------------


def metered(table):
    out = {}
    for r in table.to_pylist():
        key = (r["customer_id"], r["first_day"].strftime("%Y-%m"))
        count, tokens = out.get(key, (0, 0))
        if r["meter_id"] == "sms":
            count = int(Decimal(r["value"]))
        else:
            tokens = int(Decimal(r["value"]))
        out[key] = (count, tokens)
    return out


def test_meter_matches_the_pure_python_oracle_with_every_frame_library():
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    usage = oracle.usage(50, 2_000)
    table = oracle.to_arrow(usage, oracle.USAGE_COLUMNS)
    expected = oracle.meter(usage)
    for frame in (table, pl.from_arrow(table), table.to_pandas(types_mapper=pd.ArrowDtype)):
        values = scrm.meter_table(oracle.METERS, frame)
        assert metered(values) == expected
    assert values.column_names == ["customer_id", "meter_id", "period_start", "period_end", "first_day", "last_day", "value", "events"]
    exact = scrm.meter_table(json.dumps(oracle.METERS), table, decimal="decimal128")
    assert pa.types.is_decimal(exact.schema.field("value").type)
    assert [Decimal(v) for v in values["value"].to_pylist()] == exact["value"].to_pylist()


def test_meter_periods_follow_the_timezone():
    usage = pa.table({"id": ["u1"], "customer_id": ["c1"], "type": ["sms_sent"], "at": ["2026-03-31T17:30:00Z"]})
    shanghai = scrm.meter_table(oracle.METERS, usage, timezone="Asia/Shanghai")
    assert str(shanghai["first_day"][0]) == "2026-04-01"
    assert str(scrm.meter_table(oracle.METERS, usage)["first_day"][0]) == "2026-03-01"
    with pytest.raises(scrm.ValidationError):
        scrm.meter_table(oracle.METERS, usage, timezone="Mars/Base")
    with pytest.raises(scrm.ValidationError):
        scrm.meter_table(oracle.METERS, usage, interval="fortnight")


def test_meter_bad_rows_and_conflicts_are_named_or_rejected():
    usage = pa.table(
        {
            "id": ["u1", "u2", "u2", "u3", None],
            "customer_id": ["c1", "c1", "c1", "c1", "c1"],
            "type": ["llm_call"] * 5,
            "at": ["2026-03-02T00:00:00Z"] * 5,
            "tokens": ["12", "5", "6", "1e3", "1"],
        }
    )
    with pytest.raises(scrm.ValidationError) as info:
        scrm.meter_table(oracle.METERS, usage)
    assert info.value.problems[0].path == "usage[2].id"
    values, rejected = scrm.meter_table(oracle.METERS, usage, on_error="reject")
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(2, "id"), (3, "tokens"), (4, "id")]
    assert values["value"].to_pylist() == ["17"]
    with pytest.raises(scrm.ValidationError, match="floats are inexact"):
        scrm.meter_table(oracle.METERS, usage.set_column(4, "tokens", pa.array([1.5] * 5)))


def test_meter_accounts_for_every_row_in_the_tables_metadata():
    # Nothing vanishes unseen: rows no meter reads and repeats are counted, beside the bad rows.
    # Rows 1 (a repeat), 2 and 5 (no meter reads page_view), 4 (tokens not a number, found by the
    # core), 6 (u3 again with other tokens: a conflict) and 7 (no time, found by the binding).
    usage = pa.table(
        {
            "id": ["u1", "u1", "u2", "u3", "u4", "u5", "u3", "u6"],
            "customer_id": ["c1"] * 8,
            "type": ["sms_sent", "sms_sent", "page_view", "llm_call", "llm_call", "page_view", "llm_call", "sms_sent"],
            "at": ["2026-03-02T00:00:00Z"] * 7 + [None],
            "tokens": [None, None, None, "7", "x", None, "8", None],
        }
    )
    values, rejected = scrm.meter_table(oracle.METERS, usage, on_error="reject")
    meta = {k.decode(): int(v) for k, v in values.schema.metadata.items() if k.startswith(b"scrm.")}
    assert meta == {"scrm.rows": 8, "scrm.metered": 2, "scrm.replayed": 1, "scrm.unmetered": 2, "scrm.rejected": 3}
    assert meta["scrm.rows"] == sum(v for k, v in meta.items() if k != "scrm.rows")
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(4, "tokens"), (6, "id"), (7, "at")]
    assert sorted(values["meter_id"].to_pylist()) == ["sms", "tokens"]


def test_meter_reads_a_playbooks_pricing_meters():
    playbook = scrm.Playbook.from_json(json.dumps({
        "schema_version": 1, "tenant_id": "t", "timezone": "Asia/Shanghai",
        "pricing": {"meters": oracle.METERS},
    }))
    usage = pa.table({"id": ["u1"], "customer_id": ["c1"], "type": ["sms_sent"], "at": ["2026-03-31T17:30:00Z"]})
    assert str(scrm.meter_table(playbook, usage)["first_day"][0]) == "2026-04-01"


# --- price_table --------------------------------------------------------------------------------

PRICING = {
    "meters": [{"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"}],
    "plans": [
        {"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month", "fee": "299.00"},
        {"id": "pro", "name": "Pro", "currency": "CNY", "interval": "month", "fee": "999.00",
         "charges": [{"id": "sms", "meter": "sms", "price": {"model": "graduated", "tiers": [
             {"from": 0, "to": 100, "unit_price": "0.10"},
             {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
             {"from": 1001, "unit_price": "0.05"}]}}]},
    ],
}
AT = datetime(2026, 3, 10, tzinfo=UTC)
NOW = datetime(2026, 4, 1, tzinfo=UTC)


def subscriptions():
    return pa.table(
        {
            "id": ["s1", "s2", "s3"],
            "customer_id": ["c1", "c2", "c3"],
            "plan": ["basic", "nope", "pro"],
            "started_at": pa.array([datetime(2026, 3, 1, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC")),
            "timezone": ["Asia/Shanghai"] * 3,
            "changes": [json.dumps([{"at": "2026-03-16T01:00:00Z", "plan": "pro"}]), None, None],
            "usage.sms": pa.array([1500, 3, 100], pa.int64()),
        }
    )


def test_price_many_subscriptions_into_invoices_and_lines():
    invoices, lines, rejected = scrm.price_table(PRICING, subscriptions(), at=AT, now=NOW, on_error="reject")
    # The docs/billing.md example: 299.00 - 154.32 + 515.61 + 112.00.
    first = invoices.to_pylist()[0]
    assert (first["row"], first["subscription_id"], first["total"], first["status"]) == (0, "s1", "772.29", "final")
    s1 = [(r["kind"], r["amount"]) for r in lines.to_pylist() if r["subscription_id"] == "s1"]
    assert s1 == [("subscription_fee", "299.00"), ("proration_credit", "-154.32"), ("proration_charge", "515.61"), ("usage", "112.00")]
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(1, "plan")]
    assert invoices["subscription_id"].to_pylist() == ["s1", "s3"]
    # polars and pandas (Arrow dtypes) frames give the same invoices and lines.
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    table = subscriptions()
    for frame in (pl.from_arrow(table), table.to_pandas(types_mapper=pd.ArrowDtype)):
        same_invoices, same_lines, _ = scrm.price_table(PRICING, frame, at=AT, now=NOW, on_error="reject")
        assert same_invoices.to_pylist() == invoices.to_pylist()
        assert same_lines.to_pylist() == lines.to_pylist()
    with pytest.raises(scrm.ValidationError) as info:
        scrm.price_table(PRICING, subscriptions(), at=AT, now=NOW)
    assert info.value.problems[0].path == "subscriptions[1].plan"


def test_price_reads_json_subscriptions_and_writes_decimal128():
    subs = pa.table({
        "subscription": [json.dumps({"id": "s1", "customer_id": "c1", "plan": "pro", "started_at": "2026-03-01T00:00:00Z", "timezone": "UTC"})],
        "usage": ['{"sms": "1500"}'],
    })
    invoices, lines = scrm.price_table(json.dumps(PRICING), subs, at=AT, now=NOW, decimal="decimal128")
    assert invoices["total"].to_pylist() == [Decimal("1111.00")]
    assert pa.types.is_decimal(lines.schema.field("amount").type)
    with pytest.raises(scrm.ValidationError) as info:
        scrm.price_table(PRICING, subs.set_column(1, "usage", pa.array(["[1]"])), at=AT, now=NOW)
    assert info.value.problems[0].path == "subscriptions[0].usage"


def test_meter_unique_counts_read_the_operation_column():
    meters = [{"id": "seats", "event": "seat", "aggregation": "unique_count", "field": "user"}]
    usage = pa.table({
        "id": ["a", "b", "c", "d"],
        "customer_id": ["c1"] * 4,
        "type": ["seat"] * 4,
        "at": ["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z"],
        "user": ["u1", "u2", "u1", "u3"],
        "operation": ["add", "add", "remove", "sideways"],
    })
    values, rejected = scrm.meter_table(meters, usage, on_error="reject")
    assert values["value"].to_pylist() == ["1"]  # u2 stays; u1 left; row 3 is refused
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(3, "operation")]


def test_event_columns_are_checked_per_row():
    events = pa.table({
        "id": ["e1", "e2", "e3"],
        "customer_id": ["c1", "c1", "c1"],
        "type": ["message", "message", "message"],
        "at": ["2026-03-01T00:00:00Z"] * 3,
        "platform": ["wecom", "myspace", None],
        "tenant_id": [None, None, "someone-else"],
    })
    _, _, rejected = scrm.fold_table(ORACLE, events, on_error="reject")
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(1, "platform"), (2, "tenant_id")]


def test_price_names_the_flat_column_at_fault():
    subs = subscriptions().set_column(3, "started_at", pa.array(["2026-03-01T00:00:00Z", "yesterday", None]))
    _, _, rejected = scrm.price_table(PRICING, subs, at=AT, now=NOW, on_error="reject")
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(1, "started_at"), (2, "started_at")]
