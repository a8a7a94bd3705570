"""Segment evaluation over 1,000,000 customers: scrm against pure Python, polars and DuckDB SQL.

A benchmark, not a test: run it by hand on a release build and copy its table into
docs/benchmarks.md.

    cd bindings-python && maturin develop --uv --release
    python bench/segment_bench.py [--rows 1000000] [--seed 42] [--repeat 3]

Every engine evaluates the same five-clause condition on the same generated table in the same run
and must give the same boolean column (pure Python, the independent oracle, is checked on the
first 10,000 rows and timed on all of them). Polars and DuckDB are held to one thread, as scrm
uses one; the table is loaded into DuckDB's own storage before timing, its best case.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timezone

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # read once, when polars is imported

import duckdb
import polars as pl
import pyarrow as pa
import scrm

CONDITION = 'has_tag("高意向") and not has_tag("流失") and score >= 60 and stage in ["mql", "sql"] and attr.city = "上海"'
TAG_IDS = ["intent_high", "intent_mid", "intent_low", "lc_new", "lc_active", "lc_dormant", "lc_churned",
           "src_store", "src_referral", "ind_hotel"]
STAGES = ["lead", "mql", "sql", "opportunity", "customer"]
CITIES = ["上海", "杭州", "北京", "深圳", "成都", ""]
NOW = datetime(2026, 3, 10, tzinfo=timezone.utc)
PLAYBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "playbooks", "brand.json")


def generate(rows: int, seed: int) -> pa.Table:
    """A deterministic customers table: 0-3 tags each, 5% null stage, score and city."""
    rng = random.Random(seed)
    tags, stages, scores, cities = [], [], [], []
    for _ in range(rows):
        tags.append(rng.sample(TAG_IDS, rng.randint(0, 3)))
        stages.append(None if rng.random() < 0.05 else rng.choice(STAGES))
        cents = rng.randint(0, 10_000)
        scores.append(None if rng.random() < 0.05 else f"{cents // 100}.{cents % 100:02d}")
        cities.append(None if rng.random() < 0.05 else rng.choice(CITIES))
    return pa.table(
        {
            "id": pa.array([f"c{i}" for i in range(rows)]),
            "tags": pa.array(tags, pa.list_(pa.string())),
            "stage": pa.array(stages, pa.string()),
            "score": pa.array(scores, pa.string()).cast(pa.decimal128(6, 2)),
            "city": pa.array(cities, pa.string()),
        }
    )


def pure_python(columns) -> list:
    """The same rules written by hand, row by row: the oracle and the baseline."""
    from decimal import Decimal

    sixty = Decimal(60)
    out = []
    for tags, stage, score, city in zip(*columns):
        out.append(
            tags is not None
            and "intent_high" in tags
            and "lc_churned" not in tags
            and score is not None
            and score >= sixty
            and stage in ("mql", "sql")
            and city == "上海"
        )
    return out


def polars_mask(frame: pl.DataFrame) -> pl.Series:
    tags = pl.col("tags").list
    expr = (
        tags.contains("intent_high").fill_null(False)
        & ~tags.contains("lc_churned").fill_null(False)
        & (pl.col("score") >= 60).fill_null(False)
        & pl.col("stage").is_in(["mql", "sql"]).fill_null(False)
        & (pl.col("city") == "上海").fill_null(False)
    )
    return frame.select(expr.alias("m")).to_series()


SQL_EXPR = """coalesce(list_contains(tags, 'intent_high'), false)
    AND NOT coalesce(list_contains(tags, 'lc_churned'), false)
    AND coalesce(score >= 60, false)
    AND coalesce(stage IN ('mql', 'sql'), false)
    AND coalesce(city = '上海', false)"""


def best(repeat: int, work):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"generating {args.rows:,} customers (seed {args.seed}) ...", file=sys.stderr)
    table = generate(args.rows, args.seed)
    with open(PLAYBOOK, encoding="utf-8") as f:
        playbook = scrm.Playbook.from_json(f.read())
    compiled = scrm.Condition.parse(CONDITION).compile(playbook)

    results = {}
    t, mask = best(args.repeat, lambda: compiled.evaluate_table(table, NOW))
    results["scrm (Arrow, pyarrow table)"] = t
    want = mask.to_pylist()

    frame = pl.from_arrow(table)
    t, got = best(args.repeat, lambda: compiled.evaluate_table(frame, NOW))
    assert got.to_pylist() == want
    results["scrm (Arrow, polars frame)"] = t

    columns = [table[c].to_pylist() for c in ("tags", "stage", "score", "city")]
    small = [c[:10_000] for c in columns]
    assert pure_python(small) == want[:10_000], "pure Python disagrees with scrm on the first 10k rows"
    t, got = best(1, lambda: pure_python(columns))
    assert got == want
    results["pure Python (row by row)"] = t

    t, got = best(args.repeat, lambda: polars_mask(frame))
    assert got.to_list() == want
    results[f"polars expressions ({pl.thread_pool_size()} thread)"] = t

    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.register("source", table)
    con.execute("CREATE TABLE customers AS SELECT * FROM source")
    def duckdb_mask():
        relation = con.sql(f"SELECT {SQL_EXPR} AS m FROM customers")
        # Older DuckDB releases call it `arrow()`.
        return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()

    t, got = best(args.repeat, duckdb_mask)
    assert got.column("m").to_pylist() == want
    results["DuckDB SQL, boolean column (1 thread)"] = t
    t, got = best(args.repeat, lambda: con.execute(f"SELECT count(*) FROM customers WHERE {SQL_EXPR}").fetchone())
    assert got[0] == sum(want)
    results["DuckDB SQL, count(*) WHERE (1 thread)"] = t

    scrm_time = results["scrm (Arrow, pyarrow table)"]
    print(f"\n{args.rows:,} customers, {sum(want):,} in the segment; condition:\n  {CONDITION}\n")
    print("| engine | time (ms) | rows/s | time / scrm |")
    print("|---|---:|---:|---:|")
    for name, t in results.items():
        print(f"| {name} | {t * 1000:,.1f} | {args.rows / t:,.0f} | {t / scrm_time:.2f}x |")
    print(
        f"\npython {sys.version.split()[0]}, scrm {scrm.__version__}, pyarrow {pa.__version__}, "
        f"polars {pl.__version__}, duckdb {duckdb.__version__}; best of {args.repeat}"
    )


if __name__ == "__main__":
    main()
