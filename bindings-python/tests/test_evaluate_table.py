"""CompiledCondition.evaluate_table and Segment.evaluate_table: the Arrow batch path.

Every answer is checked against the per-customer path (CompiledCondition.evaluate on dicts), an
independent route through the core, on the same rows given as pyarrow, polars and pandas.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
import scrm
from conftest import REPO

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

NOW = dt.datetime(2026, 3, 10, tzinfo=dt.timezone.utc)
TAGS = ["intent_high", "intent_mid", "lc_churned", "lc_active", "src_store"]
CITIES = ["上海", "杭州", "北京", ""]
STAGES = ["lead", "mql", "sql", "customer"]
INTERESTS = ["tea", "gift", "cup"]

CONDITIONS = [
    'has_tag("高意向") and not has_tag("流失") and score >= 60 and stage in ["mql", "sql"] and attr.city = "上海"',
    "score < 30 or missing(score)",
    'attr.vip = true and attr.spend > 100.5 and attr.signup >= date("2025-06-01")',
    'attr.interests contains "tea" or attr.interests in ["cup"]',
    'has_any_tag(["中意向", "活跃"]) and stage != "customer"',
    'missing(attr.city) or attr.city != "杭州"',
    'has_identity("phone") and attr.visits >= 3',
    "true",
]


def rows(n, seed=7):
    """Deterministic customers with every kind of column, nulls and empties sprinkled in."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        def maybe(value, p=0.1):
            return None if rng.random() < p else value

        out.append(
            {
                "id": f"c{i}",
                "tags": maybe(rng.sample(TAGS, rng.randint(0, 3))),
                "stage": maybe(rng.choice(STAGES)),
                "score": maybe(Decimal(rng.randint(0, 10000)) / 100),
                "city": maybe(rng.choice(CITIES)),
                "vip": maybe(rng.random() < 0.3),
                "spend": maybe(round(rng.uniform(0, 300), 2)),
                "signup": maybe(dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 400))),
                "interests": maybe(rng.sample(INTERESTS, rng.randint(0, 2))),
                "visits": maybe(rng.randint(0, 6)),
                "identities": maybe(rng.sample(["phone", "email", "wechat_unionid"], rng.randint(0, 2))),
            }
        )
    return out


SCHEMA = None


def arrow_table(data):
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("stage", pa.string()),
            ("score", pa.decimal128(10, 2)),
            ("city", pa.string()),
            ("vip", pa.bool_()),
            ("spend", pa.float64()),
            ("signup", pa.date32()),
            ("interests", pa.list_(pa.string())),
            ("visits", pa.int64()),
            ("identities", pa.list_(pa.string())),
        ]
    )
    return pa.Table.from_pylist(data, schema=schema)


def customer_dict(row):
    """The same row as a customer dict of docs/data-model.md, for the per-customer path."""
    at = "2026-03-01T00:00:00Z"
    attributes = {}
    for name, kind in [("city", "text"), ("vip", "bool"), ("spend", "number"), ("visits", "number"),
                       ("signup", "date"), ("interests", "list")]:
        value = row[name]
        if value is None:
            continue
        if kind == "date":
            value = value.isoformat()
        attributes[name] = {"value": {kind: value}, "updated_at": at}
    identities = []
    for kind in row["identities"] or []:
        value = {"phone": "+8613800138000", "email": "a@example.com", "wechat_unionid": "u1"}[kind]
        identities.append({"kind": kind, "value": value})
    customer = {
        "tenant_id": "chayuan-tea",
        "id": row["id"],
        "created_at": at,
        "attributes": attributes,
        "identities": identities,
        "tags": [{"tag_id": t, "applied_at": at, "provenance": {"kind": "manual"}} for t in row["tags"] or []],
    }
    if row["stage"] is not None:
        customer["stage"] = row["stage"]
    return customer


@pytest.fixture(scope="module")
def playbook():
    return scrm.Playbook.from_json((REPO / "examples/playbooks/brand.json").read_text())


@pytest.fixture(scope="module")
def data():
    return rows(600)


@pytest.fixture(scope="module")
def table(data):
    return arrow_table(data)


def expected(compiled, data):
    return [compiled.evaluate(customer_dict(r), NOW, score=r["score"]) for r in data]


@pytest.mark.parametrize("text", CONDITIONS)
def test_pyarrow_polars_and_pandas_agree_with_the_per_customer_path(playbook, data, table, text):
    compiled = scrm.Condition.parse(text).compile(playbook)
    want = expected(compiled, data)
    assert any(want) or text.startswith("has_identity")  # the data exercises the condition
    inputs = {
        "pyarrow.Table": table,
        "pyarrow.RecordBatch": table.combine_chunks().to_batches()[0],
        "polars": pl.from_arrow(table),
        "pandas (Arrow dtypes)": table.to_pandas(types_mapper=pd.ArrowDtype),
    }
    for name, customers in inputs.items():
        got = compiled.evaluate_table(customers, NOW)
        assert isinstance(got, pa.BooleanArray), name
        assert got.null_count == 0, name
        assert got.to_pylist() == want, name


def test_result_is_accepted_by_polars_and_pyarrow(playbook, table):
    compiled = scrm.Condition.parse('stage = "mql"').compile(playbook)
    mask = compiled.evaluate_table(table, NOW)
    frame = pl.from_arrow(table)
    assert frame.filter(pl.Series(mask)).height == sum(mask.to_pylist())
    assert table.filter(mask).num_rows == sum(mask.to_pylist())


def test_numbers_from_ints_floats_and_decimal_text_compare_exactly(playbook):
    compiled = scrm.Condition.parse("score >= 59.5 and score != 70.1").compile(playbook)
    want = [False, True, False, True, False]
    for score in (
        pa.array([59, 60, None, 80, 10], pa.int32()),
        pa.array([59.4, 59.5, None, 70.10000001, 0.0], pa.float64()),
        pa.array(["59.49", " 59.50 ", "", "1e2", "70.1"], pa.string()),
        pa.array([Decimal("59.4"), Decimal("60.0"), None, Decimal(100), Decimal("70.1")], pa.decimal128(5, 1)),
    ):
        customers = pa.table({"id": [f"c{i}" for i in range(5)], "score": score})
        assert compiled.evaluate_table(customers, NOW).to_pylist() == want, score.type


def test_chunked_tables_keep_row_order_and_dictionary_columns_read(playbook, table):
    compiled = scrm.Condition.parse('stage in ["mql", "sql"] and attr.city = "上海"').compile(playbook)
    whole = compiled.evaluate_table(table, NOW).to_pylist()
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=97))
    assert compiled.evaluate_table(chunked, NOW).to_pylist() == whole
    encoded = table.set_column(2, "stage", table["stage"].dictionary_encode())
    assert compiled.evaluate_table(encoded, NOW).to_pylist() == whole
    categorical = pl.from_arrow(table).with_columns(pl.col("city").cast(pl.Categorical))
    assert compiled.evaluate_table(categorical, NOW).to_pylist() == whole


def test_segment_applies_include_and_exclude_by_id(playbook, data, table):
    hot = scrm.Condition.parse('has_tag("高意向")').compile(playbook)
    segment = scrm.Segment(hot, include=["c1", "c2"], exclude=["c2", "c3"])
    customers = [customer_dict(r) for r in data]
    members = set(segment.members(customers, NOW))
    got = segment.evaluate_table(table, NOW).to_pylist()
    assert got == [r["id"] in members for r in data]
    assert got[1] and not got[2] and not got[3]
    # Every frame library's table gives the same column.
    for frame in (pl.from_arrow(table), table.to_pandas(types_mapper=pd.ArrowDtype)):
        assert segment.evaluate_table(frame, NOW).to_pylist() == got


def test_timestamps_are_dates_and_attr_prefix_names_reserved_attributes(playbook):
    compiled = scrm.Condition.parse('attr.signup >= date("2026-01-01") and attr.stage = "x"').compile(playbook)
    customers = pa.table(
        {
            "id": ["a", "b", "c"],
            "signup": pa.array(
                [dt.datetime(2026, 1, 1, 1), dt.datetime(2025, 12, 31, 23), dt.datetime(2026, 5, 1)],
                pa.timestamp("us", tz="UTC"),
            ),
            "attr.stage": ["x", "x", "y"],
        }
    )
    assert compiled.evaluate_table(customers, NOW).to_pylist() == [True, False, False]


def test_empty_table_gives_an_empty_array(playbook, table):
    compiled = scrm.Condition.parse("score >= 1").compile(playbook)
    assert len(compiled.evaluate_table(table.slice(0, 0), NOW)) == 0


# Errors: a bad row names its row and column; nothing is dropped silently.


def test_missing_id_column_or_read_column_is_a_validation_error(playbook, table):
    compiled = scrm.Condition.parse('attr.cty = "上海"').compile(playbook)
    with pytest.raises(scrm.ValidationError) as e:
        compiled.evaluate_table(table.drop_columns(["id"]), NOW)
    assert e.value.problems[0].path == "customers.id"
    with pytest.raises(scrm.ValidationError) as e:
        compiled.evaluate_table(table, NOW)
    assert e.value.problems[0].path == "customers.cty"
    assert "no such column" in str(e.value)


def test_null_id_names_row_and_column_or_is_rejected(playbook):
    compiled = scrm.Condition.parse("true").compile(playbook)
    customers = pa.table({"id": ["a", "b", None, "d", ""]})
    with pytest.raises(scrm.ValidationError) as e:
        compiled.evaluate_table(customers, NOW)
    assert e.value.kind == "validation"
    assert e.value.problems[0].path == "customers[2].id"
    assert "row 2" in str(e.value) and '"id"' in str(e.value)
    values, rejected = compiled.evaluate_table(customers, NOW, on_error="reject")
    assert values.to_pylist() == [True, True, None, True, None]
    assert rejected.column_names == ["row", "column", "reason"]
    assert rejected.to_pylist() == [
        {"row": 2, "column": "id", "reason": "the id is null"},
        {"row": 4, "column": "id", "reason": "the id is empty"},
    ]


def test_bad_values_in_a_column_are_rejected_with_reasons(playbook):
    compiled = scrm.Condition.parse("score >= 1 and attr.spend > 0").compile(playbook)
    customers = pa.table(
        {
            "id": ["a", "b", "c", "d"],
            "score": ["5", "abc", "7", "8"],
            "spend": [1.0, 2.0, float("nan"), float("inf")],
        }
    )
    with pytest.raises(scrm.ValidationError, match=r"row 1, column \"score\": \"abc\" is not a decimal number"):
        compiled.evaluate_table(customers, NOW)
    values, rejected = compiled.evaluate_table(customers, NOW, on_error="reject")
    assert values.to_pylist() == [True, None, None, None]
    assert [(r["row"], r["column"]) for r in rejected.to_pylist()] == [(1, "score"), (2, "spend"), (3, "spend")]
    # Row numbers count across batches.
    chunked = pa.Table.from_batches(customers.to_batches(max_chunksize=1))
    _, rejected = compiled.evaluate_table(chunked, NOW, on_error="reject")
    assert [r["row"] for r in rejected.to_pylist()] == [1, 2, 3]


def test_a_column_of_the_wrong_type_names_the_column(playbook):
    compiled = scrm.Condition.parse('has_tag("高意向")').compile(playbook)
    customers = pa.table({"id": ["a"], "tags": [3]})
    with pytest.raises(scrm.ValidationError) as e:
        compiled.evaluate_table(customers, NOW, on_error="reject")
    assert e.value.problems[0].path == "customers.tags"
    assert "list<string>" in str(e.value)


def test_conditions_counting_events_are_refused(playbook, table):
    compiled = scrm.Condition.parse('count(event = "view") >= 1').compile(playbook)
    with pytest.raises(scrm.ValidationError) as e:
        compiled.evaluate_table(table, NOW)
    assert e.value.problems[0].path == "condition"


def test_argument_errors(playbook, table, data):
    compiled = scrm.Condition.parse("true").compile(playbook)
    with pytest.raises(TypeError, match="Arrow table"):
        compiled.evaluate_table(data, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        compiled.evaluate_table(table, dt.datetime(2026, 3, 10))
    with pytest.raises(ValueError, match="on_error"):
        compiled.evaluate_table(table, NOW, on_error="skip")
    with pytest.raises(TypeError):
        compiled.evaluate_table(table, NOW, "reject")  # on_error is keyword-only


def test_timestamps_compare_by_their_date_in_the_columns_time_zone(playbook):
    compiled = scrm.Condition.parse('attr.signup >= date("2026-01-01")').compile(playbook)
    # 17:00 UTC on Dec 31 is already Jan 1 in Shanghai; 15:00 UTC is not.
    instants = [dt.datetime(2025, 12, 31, 17), dt.datetime(2025, 12, 31, 15)]
    customers = pa.table({"id": ["a", "b"], "signup": pa.array(instants, pa.timestamp("s", tz="Asia/Shanghai"))})
    assert compiled.evaluate_table(customers, NOW).to_pylist() == [True, False]


# Garbage never crashes the interpreter: every call returns an array or raises a Python error.

GARBAGE_TYPES = [
    pa.binary(),
    pa.large_binary(),
    pa.int8(),
    pa.uint64(),
    pa.float16(),
    pa.bool_(),
    pa.null(),
    pa.date64(),
    pa.time32("s"),
    pa.duration("ms"),
    pa.decimal128(38, 30),
    pa.decimal256(40, 2),
    pa.list_(pa.list_(pa.string())),
    pa.list_(pa.int32()),
    pa.large_list(pa.binary()),
    pa.list_(pa.string(), 2),
    pa.struct([("a", pa.string())]),
    pa.map_(pa.string(), pa.string()),
    pa.dictionary(pa.int8(), pa.string()),
    pa.dictionary(pa.int32(), pa.int64()),
]


def random_column(rng, type_, n):
    """A column of `type_` built from random bytes, through pyarrow's own casts where it can."""
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_):
        return pa.array([rng.randbytes(rng.randint(0, 40)) for _ in range(n)], type_)
    if pa.types.is_null(type_):
        return pa.nulls(n)
    if pa.types.is_struct(type_):
        return pa.array([{"a": rng.choice(["x", None, "上海"])} for _ in range(n)], type_)
    if pa.types.is_map(type_):
        return pa.array([[("k", "v")] if rng.random() < 0.5 else [] for _ in range(n)], type_)
    if pa.types.is_dictionary(type_):
        values = ["a", "上海", None] if pa.types.is_string(type_.value_type) else [1, 2, None]
        return pa.array([rng.choice(values) for _ in range(n)]).dictionary_encode().cast(type_)
    if pa.types.is_fixed_size_list(type_):
        return pa.array([["a", "b"] if rng.random() < 0.8 else None for _ in range(n)], type_)
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        item = type_.value_type
        if pa.types.is_list(item):
            return pa.array([[["a"], [], None] for _ in range(n)], type_)
        if pa.types.is_integer(item):
            return pa.array([[rng.randint(-5, 5)] for _ in range(n)], type_)
        return pa.array([[rng.randbytes(3)] for _ in range(n)], type_)
    if pa.types.is_decimal(type_):
        digits = [f"{rng.randint(-(10**6), 10**6)}.{rng.randint(0, 99):02d}" for _ in range(n)]
        return pa.array([Decimal(d) if rng.random() < 0.9 else None for d in digits], type_)
    if pa.types.is_time32(type_):
        return pa.array([rng.randint(0, 86_399) for _ in range(n)], pa.int32()).cast(type_)
    ints = pa.array([rng.randint(-(2**40), 2**40) if rng.random() < 0.9 else None for _ in range(n)], pa.int64())
    try:
        return ints.cast(type_, safe=False)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([rng.choice([0, 1, None]) for _ in range(n)]).cast(type_, safe=False)


@pytest.mark.parametrize("type_", GARBAGE_TYPES, ids=str)
def test_garbage_columns_raise_or_answer_but_never_crash(playbook, type_):
    rng = random.Random(str(type_))
    n = 50
    column = random_column(rng, type_, n)
    conditions = {
        "id": "true",
        "tags": 'has_tag("高意向")',
        "score": "score >= 1",
        "stage": 'stage = "mql"',
        "city": 'attr.city = "上海" or missing(attr.city)',
        "identities": 'has_identity("phone")',
    }
    for name, text in conditions.items():
        compiled = scrm.Condition.parse(text).compile(playbook)
        ids = pa.array([f"c{i}" for i in range(n)])
        customers = pa.table({"id": ids, name: column}) if name != "id" else pa.table({"id": column})
        for on_error in ("raise", "reject"):
            try:
                result = compiled.evaluate_table(customers, NOW, on_error=on_error)
            except (scrm.ScrmError, TypeError, ValueError) as e:
                assert not isinstance(e, scrm.InternalError), e
                assert name in str(e)
            else:
                values = result[0] if on_error == "reject" else result
                assert len(values) == n


def test_huge_strings_and_wide_tags_are_fine_and_errors_stay_short(playbook):
    huge = "上海" * 2_000_000
    compiled = scrm.Condition.parse('attr.city contains "海上" and has_tag("高意向") and score >= 1').compile(playbook)
    customers = pa.table(
        {
            "id": ["a", "b"],
            "city": [huge, "x"],
            "tags": [["t"] * 100_000 + ["intent_high"], []],
            "score": ["1", "9" * 5000],
        }
    )
    with pytest.raises(scrm.ValidationError) as e:
        compiled.evaluate_table(customers, NOW)
    assert len(str(e.value)) < 300 and "row 1" in str(e.value)
    values, rejected = compiled.evaluate_table(customers, NOW, on_error="reject")
    assert values.to_pylist() == [True, None] and rejected.num_rows == 1


def test_objects_that_only_pretend_to_be_arrow_raise(playbook):
    compiled = scrm.Condition.parse("true").compile(playbook)

    class Liar:
        def __arrow_c_stream__(self, requested_schema=None):
            return b"not a capsule"

    class Raiser:
        def __arrow_c_stream__(self, requested_schema=None):
            raise RuntimeError("boom")

    for thing in (Liar(), Raiser(), None, 3, "id,tags\n1,2", b"\x00\xff" * 10, [{"id": "a"}]):
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            compiled.evaluate_table(thing, NOW)


def test_a_timestamp_without_a_timezone_is_refused_naming_the_column(playbook):
    # Its date would depend on a zone the table does not say; fold_table refuses it the same way.
    compiled = scrm.Condition.parse('attr.signup >= date("2026-01-01")').compile(playbook)
    customers = pa.table({"id": ["a"], "signup": pa.array([dt.datetime(2025, 12, 31, 17)], pa.timestamp("s"))})
    with pytest.raises(scrm.ValidationError, match="timestamp without a timezone") as info:
        compiled.evaluate_table(customers, NOW)
    assert [p.path for p in info.value.problems] == ["customers.signup"]
    # The same column with its zone is read.
    aware = customers.set_column(1, "signup", customers["signup"].cast(pa.timestamp("s", tz="UTC")))
    assert compiled.evaluate_table(aware, NOW).to_pylist() == [False]
