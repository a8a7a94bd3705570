"""Fold events into customer profiles inside PySpark, and check the result equals one process's.

    .venv/bin/python examples/python/spark_fold.py [customers] [events-per-customer]

Needs pyspark and a Java runtime. Spark runs in local mode here; the same code runs on a cluster.

How it scales out: the events are partitioned by customer id (`repartition(n, "customer_id")`), so
every event of a customer lands in one partition, then sorted within each partition by customer,
time and id. `mapInArrow` hands each partition to `fold_partition` as a stream of Arrow record
batches; each batch goes through `scrm.fold_table` with the GIL released. Because a customer's
events may straddle two batches, the profile of the batch's last customer is carried into the next
batch (`profiles=`); every other profile is final and is emitted at once. Partitions share nothing,
so adding executors adds throughput; the only state is the profile (`state` column, the core's
profile JSON), which a later run passes back in to continue (checkpoint and resume).
"""

from __future__ import annotations

import os
import pathlib
import random
import sys
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.compute as pc

import scrm

PLAYBOOK = pathlib.Path(__file__).resolve().parents[1] / "playbooks/brand.toml"

# The profiles table `scrm.fold_table` returns, as a Spark schema (DDL).
PROFILE_SCHEMA = (
    "customer_id string, stage string, score string, grade string, tags array<string>, "
    "owner string, last_event_at timestamp, events_seen long, state string"
)


def generate_events(customers: int, per_customer: int, seed: int = 11) -> pa.Table:
    """A deterministic events table for the sample tea-brand playbook: many content views, fewer
    chat messages (some with keywords), shares, store scans and rare purchases, over 30 days."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    texts = ["你好", "大红袍礼盒多少钱？", "有团购价格吗", "太贵了，再看看", "送礼用的", "谢谢"]
    rows = {k: [] for k in ("id", "customer_id", "type", "at", "text", "channel_code", "category", "amount", "reach")}
    for i in range(customers * per_customer):
        roll = rng.randrange(1000)
        kind, text, code, category, amount, reach = "content_view", None, None, None, None, None
        if roll < 200:
            category = "pricing"
        elif 700 <= roll < 850:
            kind, text = "message", rng.choice(texts)
        elif 850 <= roll < 910:
            kind, reach = "share", rng.randrange(50)
        elif 910 <= roll < 940:
            kind = "form"
        elif 940 <= roll < 960:
            kind, code = "scan", "store-sh-xintiandi"
        elif roll >= 980:
            kind, amount = "purchase", f"{68 + rng.randrange(900)}.00"
        rows["id"].append(f"e{i}")
        rows["customer_id"].append(f"c{rng.randrange(customers)}")
        rows["type"].append(kind)
        rows["at"].append(start + timedelta(seconds=rng.randrange(30 * 86_400)))
        rows["text"].append(text)
        rows["channel_code"].append(code)
        rows["category"].append(category)
        rows["amount"].append(amount)
        rows["reach"].append(reach)
    types = {"at": pa.timestamp("us", tz="UTC"), "reach": pa.int64()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in rows.items()})


def fold_partition(playbook_text: str):
    """The `mapInArrow` function: folds one partition's batches (sorted by customer id), carrying
    the profile of each batch's last customer into the next batch."""

    def run(batches):
        playbook = scrm.Playbook.from_toml(playbook_text)
        carry = None
        for batch in batches:
            if batch.num_rows == 0:
                continue
            profiles, _ = scrm.fold_table(playbook, batch, profiles=carry, effects=False)
            last = batch.column("customer_id")[batch.num_rows - 1]
            open_ = pc.equal(profiles["customer_id"], last)
            yield from profiles.filter(pc.invert(open_)).to_batches()
            carry = profiles.filter(open_)
        if carry is not None:
            yield from carry.to_batches()

    return run


def spark_session(batch_rows: int = 1_000):
    """A local Spark session whose Python workers run this interpreter (so they import scrm)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("scrm-fold")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Small Arrow batches, so customers straddle batches and carried state is exercised.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def fold_in_spark(spark, events: pa.Table, playbook_text: str, partitions: int = 4) -> pa.Table:
    """Folds `events` in Spark: partitioned by customer, sorted, `mapInArrow`; the profiles as one
    Arrow table sorted by customer id."""
    frame = spark.createDataFrame(events)
    profiles = (
        frame.repartition(partitions, "customer_id")
        .sortWithinPartitions("customer_id", "at", "id")
        .mapInArrow(fold_partition(playbook_text), PROFILE_SCHEMA)
    )
    return normalise(profiles.toArrow())


def fold_in_one_process(events: pa.Table, playbook_text: str) -> pa.Table:
    """The same fold in this process, in one call."""
    profiles, _ = scrm.fold_table(scrm.Playbook.from_toml(playbook_text), events, effects=False)
    return normalise(profiles)


def normalise(profiles: pa.Table) -> pa.Table:
    """Sorted by customer id, with plain nullable types, so two results compare equal."""
    fields = [pa.field(f.name, f.type, nullable=True) for f in profiles.schema]
    return profiles.cast(pa.schema(fields)).sort_by("customer_id").combine_chunks()


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    per_customer = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    text = PLAYBOOK.read_text(encoding="utf-8")
    events = generate_events(customers, per_customer)
    spark = spark_session()
    try:
        in_spark = fold_in_spark(spark, events, text)
    finally:
        spark.stop()
    single = fold_in_one_process(events, text)
    same = in_spark.equals(single)
    stages = pc.value_counts(single["stage"]).to_pylist()
    print(f"{events.num_rows} events, {single.num_rows} customers; Spark result equals one process's: {same}")
    print("stages:", ", ".join(f"{s['values']} {s['counts']}" for s in stages))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
