"""A data pipeline with scrm: events from Parquet -> identities resolved -> profiles folded ->
profiles to Parquet, the funnel printed, a funnel chart and a score histogram saved as PNG.

    .venv/bin/python examples/python/pipeline.py [--events events.parquet]
        [--customers customers.jsonl] [--out out-dir]

Without `--events` it generates a day-stamped sample (a WeCom tea brand: chat, content views,
store scans, purchases), writes it to `<out>/events.parquet` and its customer records to
`<out>/customers.jsonl`, and reads the events back like any input. Customer records
(`--customers`, one JSON object per line) are resolved into people with `scrm.resolve`, and each
person's events fold into one profile. The funnel is the core's (`scrm.funnel`) over the
profiles' stage histories.
Events need the columns of `scrm.fold_table` (id, customer_id, type, at, and optional text,
channel_code, properties...). Output goes to `--out` (default: `pipeline-out/` in the current
directory): profiles.parquet, effects.parquet, funnel.png, scores.png.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import sys
from datetime import datetime, timedelta, timezone

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import scrm  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
PLAYBOOK = HERE.parent / "playbooks/brand.toml"
FUNNEL = ["visitor", "lead", "mql", "sql", "opportunity", "customer", "repeat", "advocate"]


def sample_events(customers: int = 2_000, per_customer: int = 12, seed: int = 5):
    """Generated events and the customer records they came with. Some people reached the brand
    twice (a WeCom contact and a mini-program account) and left the same phone number both times:
    identity resolution joins them."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    records = []
    for i in range(customers):
        phone = f"1380013{rng.randrange(10_000):04d}" if rng.randrange(10) == 0 else f"139{i:08d}"
        records.append({"tenant_id": "chayuan-tea", "id": f"c{i}", "created_at": start.isoformat(),
                        "identities": [{"kind": "phone", "value": scrm.normalize_identity("phone", phone).value}]})
    texts = ["你好", "大红袍礼盒多少钱？", "有团购价格吗", "太贵了，再看看", "送礼用的", "谢谢"]
    cols = {k: [] for k in ("id", "customer_id", "type", "at", "text", "channel_code", "category", "amount")}
    for n in range(customers * per_customer):
        roll = rng.randrange(1000)
        kind, text, code, category, amount = "content_view", None, None, None, None
        if roll < 200:
            category = "pricing"
        elif 700 <= roll < 860:
            kind, text = "message", rng.choice(texts)
        elif 860 <= roll < 900:
            kind = "form"
        elif 900 <= roll < 930:
            kind, code = "scan", "store-sh-xintiandi"
        elif roll >= 970:
            kind, amount = "purchase", f"{68 + rng.randrange(900)}.00"
        cols["id"].append(f"e{n}")
        cols["customer_id"].append(f"c{rng.randrange(customers)}")
        cols["type"].append(kind)
        cols["at"].append(start + timedelta(seconds=rng.randrange(30 * 86_400)))
        cols["text"].append(text)
        cols["channel_code"].append(code)
        cols["category"].append(category)
        cols["amount"].append(amount)
    types = {"at": pa.timestamp("us", tz="UTC")}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()}), records


def resolve_identities(events: pa.Table, customers: list[dict]) -> pa.Table:
    """Rewrites `customer_id` to one id per person (the first of each cluster `scrm.resolve`
    finds), so a person's events fold into one profile."""
    canonical = {}
    for cluster in scrm.resolve(customers):
        for customer_id in cluster:
            canonical[customer_id] = cluster[0]
    ids = events["customer_id"].to_pylist()
    merged = pa.array([canonical.get(c, c) for c in ids], pa.string())
    joined = sum(1 for a, b in zip(ids, merged.to_pylist()) if a != b)
    print(f"identities: {len(customers)} customer records are {len(set(canonical.values()))} people; "
          f"{joined} events moved to the person's first profile")
    return events.set_column(events.schema.get_field_index("customer_id"), "customer_id", merged)


def funnel(profiles: pa.Table, playbook: "scrm.Playbook") -> dict:
    """The core's funnel (`scrm.funnel`) over the customers' journeys: each profile's stage
    history, read from the `state` column (the core's profile JSON), one journey per customer.
    Side stages (dormant, churned, lost) are in no count."""
    journeys = []
    for row in profiles.select(["customer_id", "owner", "state"]).to_pylist():
        live = json.loads(row["state"])["live"]
        journeys.append({
            "customer_id": row["customer_id"],
            "owner": row["owner"],
            "created_at": live["customer"]["created_at"],
            "stages": [{"stage": h["to"], "at": h["at"]} for h in live["lifecycle"]["history"]],
        })
    return scrm.funnel({"stages": FUNNEL, "timezone": playbook.timezone}, journeys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=pathlib.Path, help="an events Parquet file (default: generate one)")
    parser.add_argument("--customers", type=pathlib.Path,
                        help="customer records, one JSON object per line (docs/data-model.md), whose "
                             "identities join profiles (default: the generated sample's)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("pipeline-out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    playbook = scrm.Playbook.from_toml(PLAYBOOK.read_text(encoding="utf-8"))

    path = args.events
    customers = []
    if path is None:
        generated, customers = sample_events()
        path = args.out / "events.parquet"
        pq.write_table(generated, path)
        # The customer records too, in the shape --customers reads.
        (args.out / "customers.jsonl").write_text(
            "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in customers), encoding="utf-8")
    if args.customers is not None:
        customers = [json.loads(line) for line in args.customers.read_text(encoding="utf-8").splitlines() if line.strip()]
    events = pq.read_table(path)
    print(f"read {events.num_rows} events from {path}")
    if customers:
        events = resolve_identities(events, customers)

    profiles, effects, rejected = scrm.fold_table(playbook, events, on_error="reject")
    if rejected.num_rows:
        print(f"{rejected.num_rows} events rejected, e.g.: {rejected.slice(0, 3).to_pylist()}", file=sys.stderr)
    pq.write_table(profiles, args.out / "profiles.parquet")
    pq.write_table(effects, args.out / "effects.parquet")
    print(f"folded into {profiles.num_rows} profiles ({effects.num_rows} effects) -> {args.out / 'profiles.parquet'}")

    overall = funnel(profiles, playbook)["overall"]
    steps = [(s["stage"], s["count"]) for s in overall["stages"]]
    rates = {c["to"]: c["rate"] for c in overall["conversions"]}
    print(f"funnel ({overall['journeys']} customers; from {FUNNEL[0]} to {FUNNEL[-1]}: {overall['overall']}):")
    top = steps[0][1] or 1
    for stage, n in steps:
        rate = f"{rates[stage]:>7}" if rates.get(stage) is not None else " " * 7
        print(f"  {stage:<12} {n:>6}  {rate}  {'#' * round(40 * n / top)}")

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.barh([s for s, _ in steps][::-1], [n for _, n in steps][::-1], color="#3a7d44")
    ax.set_xlabel("customers who entered the stage")
    ax.set_title(f"Lifecycle funnel ({playbook.tenant_id})")
    fig.tight_layout()
    fig.savefig(args.out / "funnel.png", dpi=100)
    plt.close(fig)

    scores = [float(s) for s in pc.cast(profiles["score"], pa.float64()).to_pylist()]  # plotting only
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(scores, bins=30, color="#c46b2d")
    ax.set_xlabel("lead score at each customer's latest event")
    ax.set_ylabel("customers")
    ax.set_title("Score distribution")
    fig.tight_layout()
    fig.savefig(args.out / "scores.png", dpi=100)
    plt.close(fig)
    print(f"charts: {args.out / 'funnel.png'}, {args.out / 'scores.png'}")


if __name__ == "__main__":
    main()
