"""The GIL is released while the core evaluates a table: another Python thread makes progress."""

import time
from datetime import datetime, timezone

import pytest
from gil import long_enough, progress_during

import scrm
from conftest import REPO

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

NOW = datetime(2026, 3, 10, tzinfo=timezone.utc)


def big_batch(rows):
    """A generated batch: ids, two tags per row, a stage and an int score."""
    ids = pc.cast(pa.array(range(rows), pa.int64()), pa.string())
    tag_values = pa.array(["intent_high", "lc_active"] * rows)
    offsets = pa.array(range(0, 2 * rows + 1, 2), pa.int32())
    tags = pa.ListArray.from_arrays(offsets, tag_values)
    stage = pa.array(["mql", "sql", "lead", "customer"] * (rows // 4), pa.string())
    score = pa.array(range(rows), pa.int64())
    return pa.record_batch([ids, tags, stage, score], names=["id", "tags", "stage", "score"])


def test_another_thread_progresses_during_a_long_call():
    playbook = scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())
    compiled = scrm.Condition.parse(
        'has_tag("高意向") and not has_tag("流失") and score >= 60 and stage in ["mql", "sql"]'
    ).compile(playbook)
    batch = big_batch(400_000)
    # Repeat the batch (no copy) until one call lasts long enough to watch.
    copies = 1
    while True:
        table = pa.Table.from_batches([batch] * copies)
        start = time.perf_counter()
        compiled.evaluate_table(table, NOW)
        if time.perf_counter() - start > 0.4 or copies >= 256:
            break
        copies *= 2

    result, inside, seconds = progress_during(lambda: compiled.evaluate_table(table, NOW))
    assert len(result) == table.num_rows
    # Held GIL: the counter could only run in the switch intervals (5 ms) at the edges of the call.
    # Released GIL: it runs all along. Count its progress well inside the call.
    assert long_enough(seconds), "the call was too short to observe"
    assert inside >= 50, f"the other thread made {inside} steps of progress during the call"
