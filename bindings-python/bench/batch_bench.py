"""Batch fold and metering: scrm's Arrow path against the native Rust fold, pure Python, DuckDB
SQL and polars, on the same generated data in the same run.

A benchmark, not a test. For meaningful figures build both sides in release mode:

    cd bindings-python && maturin develop --uv --release && cd ..
    python bindings-python/bench/batch_bench.py [--customers 20000] [--per-customer 10]
        [--usage-rows 1000000] [--repeat 3] [--debug] [--only fold|oracle|metering ...]

`--debug` runs the native baseline from a debug build (`cargo run` without `--release`), to match
a debug `maturin develop`; the ratios then say little about release speed.

1. Fold, sample tea-brand playbook: `scrm.fold_table` (effects off, the core's batch fold, with
   and without the `state` column; and effects on, `Engine::apply` per event) against the native
   fold (examples/src/fold_native.rs: `Engine::fold` in Rust over the same events, read from JSON
   lines; parsing not timed). The native fold runs twice: `fold_native` with Rust's default
   allocator and `fold_native_mimalloc` with mimalloc, the allocator the Python module uses; the
   ratios are against the latter, so they measure the binding, not the allocator. All must end
   with the same customers per stage. Goal (issue 6): the Arrow fold within 1.5x.
2. Fold, the oracle playbook (tests/data/oracle.toml): `scrm.fold_table` against the pure-Python
   fold of the same rules (tests/fold_oracle.py, the tests' oracle), which must agree. Goal: 50x.
3. Metering (count of sms_sent, sum of tokens of llm_call, per customer and month, retries
   counted once): `scrm.meter_table` against DuckDB SQL and polars, each held to one thread, and
   pure Python. All must agree. Goal: at least as fast as DuckDB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # read once, when polars is imported

import duckdb  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402

import scrm  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bindings-python/tests"))
import fold_oracle as oracle  # noqa: E402


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / f"examples/python/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(repeat: int, work):
    """The best wall time of `repeat` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds / 1e6:8.3f} M/s ({seconds * 1e3:9.1f} ms)"


def stage_counts(profiles: pa.Table) -> dict:
    counts = {}
    for stage in profiles["stage"].to_pylist():
        counts[stage or ""] = counts.get(stage or "", 0) + 1
    return counts


def event_json_lines(events: pa.Table, tenant: str) -> str:
    """The events table as the core's event JSON, one per line; extra columns are properties."""
    core = {"id", "customer_id", "type", "at", "text", "channel_code"}
    lines = []
    for row in events.to_pylist():
        e = {"tenant_id": tenant, "id": row["id"], "customer_id": row["customer_id"], "type": row["type"],
             "at": row["at"].isoformat().replace("+00:00", "Z")}
        for key in ("text", "channel_code"):
            if row.get(key) is not None:
                e[key] = row[key]
        props = {k: v for k, v in row.items() if k not in core and v is not None}
        if props:
            e["properties"] = props
        lines.append(json.dumps(e, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def fold_vs_native(args) -> None:
    spark_fold = load_example("spark_fold")
    playbook_path = REPO / "examples/playbooks/brand.toml"
    playbook = scrm.Playbook.from_toml(playbook_path.read_text(encoding="utf-8"))
    events = spark_fold.generate_events(args.customers, args.per_customer)
    n = events.num_rows
    natives = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "events.jsonl"
        path.write_text(event_json_lines(events, playbook.tenant_id), encoding="utf-8")
        # The same fold with Rust's default allocator and with mimalloc, the Python module's.
        for binary in ("fold_native", "fold_native_mimalloc"):
            cargo = ["cargo", "run", "-q", "-p", "scrm-examples", "--bin", binary]
            if not args.debug:
                cargo.insert(2, "--release")
            run = subprocess.run(cargo + ["--", str(playbook_path), str(path), str(args.repeat)],
                                 cwd=REPO, capture_output=True, text=True, check=False)
            if run.returncode != 0:
                sys.exit(f"{binary} failed: {run.stderr[-2000:]}")
            natives[binary] = dict(part.split("=", 1) for part in run.stdout.split())
    native = natives["fold_native_mimalloc"]
    native_seconds = float(native["seconds"])
    system_seconds = float(natives["fold_native"]["seconds"])

    arrow_seconds, (profiles, _) = best(args.repeat, lambda: scrm.fold_table(playbook, events, effects=False))
    bare_seconds, _ = best(args.repeat, lambda: scrm.fold_table(playbook, events, effects=False, state=False))
    effects_seconds, (_, effects) = best(args.repeat, lambda: scrm.fold_table(playbook, events))
    arrow_stages = ",".join(f"{s}:{c}" for s, c in sorted(stage_counts(profiles).items()))
    for binary, result in natives.items():
        if arrow_stages != result["stages"] or int(result["applied"]) != sum(profiles["events_seen"].to_pylist()):
            sys.exit(f"the folds disagree: {binary} {result['stages']}, arrow {arrow_stages}")

    print(f"\nfold, brand playbook: {n} events over {profiles.num_rows} customers (results agree)")
    print(f"  native Rust Engine::fold, malloc {rate(n, system_seconds)}  (Rust's default allocator)")
    print(f"  native Rust Engine::fold         {rate(n, native_seconds)}  (mimalloc, as the Python module: the baseline below)")
    print(f"  scrm.fold_table, effects=False   {rate(n, arrow_seconds)}  {arrow_seconds / native_seconds:5.2f}x the native time (goal <= 1.5x)")
    print(f"  ... and state=False              {rate(n, bare_seconds)}  {bare_seconds / native_seconds:5.2f}x the native time (no profile JSON written)")
    print(f"  scrm.fold_table, effects=True    {rate(n, effects_seconds)}  {effects_seconds / native_seconds:5.2f}x the native time; {effects.num_rows} effect rows")


def fold_vs_python(args) -> None:
    playbook = scrm.Playbook.from_toml((REPO / "bindings-python/tests/data/oracle.toml").read_text())
    rows = oracle.events(args.customers, args.per_customer)
    table = oracle.to_arrow(rows, oracle.EVENT_COLUMNS)
    n = len(rows)
    python_seconds, expected = best(1, lambda: oracle.fold([dict(r) for r in rows]))
    # The pure-Python fold writes no profile JSON: compare with the same output.
    arrow_seconds, (profiles, _) = best(args.repeat, lambda: scrm.fold_table(playbook, table, effects=False, state=False))
    got = {r["customer_id"]: {"stage": r["stage"], "score": Decimal(r["score"]), "tags": sorted(r["tags"]),
                              "events_seen": r["events_seen"]} for r in profiles.to_pylist()}
    if got != expected:
        sys.exit("scrm.fold_table and the pure-Python fold disagree")
    print(f"\nfold, oracle playbook: {n} events over {len(expected)} customers (results agree)")
    print(f"  pure Python                      {rate(n, python_seconds)}")
    print(f"  scrm.fold_table, no effects/state {rate(n, arrow_seconds)}  {python_seconds / arrow_seconds:6.1f}x pure Python (goal >= 50x)")


def metering(args) -> None:
    rows = oracle.usage(max(args.customers, 1), args.usage_rows)
    table = oracle.to_arrow(rows, oracle.USAGE_COLUMNS)
    n = len(rows)
    expected = oracle.meter(rows)

    def scrm_meter():
        values = scrm.meter_table(oracle.METERS, table)
        return values

    def as_dict(customers, months, sms, tokens):
        return {(c, m): (int(s or 0), int(t or 0)) for c, m, s, t in zip(customers, months, sms, tokens)}

    con = duckdb.connect()
    con.execute("SET threads TO 1")
    con.execute("SET TimeZone = 'UTC'")
    con.register("usage_arrow", table)
    con.execute("CREATE TABLE usage AS SELECT * FROM usage_arrow")  # DuckDB's own storage: its best case
    sql = """
        SELECT customer_id, strftime("at", '%Y-%m') AS month,
               count(*) FILTER (WHERE type = 'sms_sent') AS sms,
               sum(tokens) FILTER (WHERE type = 'llm_call') AS tokens
        FROM (SELECT DISTINCT ON (customer_id, id) * FROM usage)
        GROUP BY customer_id, month
    """

    def duck():
        relation = con.sql(sql)
        # Older DuckDB releases call it `arrow()`.
        return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()

    frame = pl.from_arrow(table)

    def polars_meter():
        return (
            frame.unique(subset=["customer_id", "id"], keep="first")
            .with_columns(pl.col("at").dt.strftime("%Y-%m").alias("month"))
            .group_by(["customer_id", "month"])
            .agg((pl.col("type") == "sms_sent").sum().alias("sms"),
                 pl.col("tokens").filter(pl.col("type") == "llm_call").sum().alias("tokens"))
        )

    python_seconds, _ = best(1, lambda: oracle.meter(rows))
    scrm_seconds, values = best(args.repeat, scrm_meter)
    duck_seconds, duck_result = best(args.repeat, duck)
    polars_seconds, polars_result = best(args.repeat, polars_meter)

    got = {}
    for r in values.to_pylist():
        key = (r["customer_id"], r["first_day"].strftime("%Y-%m"))
        sms, tokens = got.get(key, (0, 0))
        if r["meter_id"] == "sms":
            sms = int(Decimal(r["value"]))
        else:
            tokens = int(Decimal(r["value"]))
        got[key] = (sms, tokens)
    d = duck_result.to_pydict()
    p = polars_result.to_dict(as_series=False)
    # An empty period of a meter is no row for scrm and a zero for the SQL form: compare non-zero.
    nonzero = lambda m: {k: v for k, v in m.items() if v != (0, 0)}  # noqa: E731
    if not (nonzero(got) == nonzero(expected) == nonzero(as_dict(d["customer_id"], d["month"], d["sms"], d["tokens"]))
            == nonzero(as_dict(p["customer_id"], p["month"], p["sms"], p["tokens"]))):
        sys.exit("the metering results disagree")
    print(f"\nmetering: {n} usage rows, {len(got)} customer-months (results agree)")
    print(f"  pure Python                      {rate(n, python_seconds)}")
    print(f"  DuckDB SQL, 1 thread             {rate(n, duck_seconds)}")
    print(f"  polars, 1 thread                 {rate(n, polars_seconds)}")
    print(f"  scrm.meter_table                 {rate(n, scrm_seconds)}  {duck_seconds / scrm_seconds:5.2f}x DuckDB's speed "
          f"(goal >= 1), {polars_seconds / scrm_seconds:5.2f}x polars', {python_seconds / scrm_seconds:6.1f}x pure Python")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--per-customer", type=int, default=10)
    parser.add_argument("--usage-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--debug", action="store_true", help="native baseline from a debug build")
    parser.add_argument("--only", choices=["fold", "oracle", "metering"], action="append",
                        help="run only these parts (repeatable); default all")
    args = parser.parse_args()
    parts = {"fold": fold_vs_native, "oracle": fold_vs_python, "metering": metering}
    print(f"scrm {scrm.__version__}, python {sys.version.split()[0]}, duckdb {duckdb.__version__}, "
          f"polars {pl.__version__}, pyarrow {pa.__version__}; best of {args.repeat}")
    for name, part in parts.items():
        if not args.only or name in args.only:
            part(args)


if __name__ == "__main__":
    main()
