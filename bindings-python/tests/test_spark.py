"""The same fold inside PySpark (local mode, mapInArrow, profile state carried across batches)
equals the single-process fold on the same data (examples/python/spark_fold.py)."""

import importlib.util
import shutil
import warnings

import pytest
from conftest import REPO

pytest.importorskip("pyarrow")


def load_example():
    spec = importlib.util.spec_from_file_location("spark_fold", REPO / "examples/python/spark_fold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: PySpark needs one (e.g. apt-get install openjdk-17-jre)")
    example = load_example()
    # Tiny Arrow batches: most customers' events straddle two batches, so the carried state counts.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark's note about pandas 3
        session = example.spark_session(batch_rows=50)
    yield example, session
    session.stop()


def test_spark_fold_equals_the_single_process_fold(spark):
    example, session = spark
    text = (REPO / "examples/playbooks/brand.toml").read_text(encoding="utf-8")
    events = example.generate_events(customers=300, per_customer=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark's note about pandas 3
        in_spark = example.fold_in_spark(session, events, text, partitions=3)
    single = example.fold_in_one_process(events, text)
    assert in_spark.num_rows == single.num_rows == len(set(events["customer_id"].to_pylist()))
    assert in_spark.column_names == single.column_names
    for name in single.column_names:
        assert in_spark[name].equals(single[name]), name
    assert sum(single["events_seen"].to_pylist()) == events.num_rows
