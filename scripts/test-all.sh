#!/usr/bin/env bash
# Runs every test suite of scrm: Rust (with fmt and clippy), conformance, Python, Node, Kotlin,
# and the staleness checks of the generated bindings. Installs what it needs itself: a Python venv
# in .venv with maturin and pytest, the npm packages of bindings-node, the Maven dependencies.
#
#   scripts/test-all.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT
started=$SECONDS

# A one-shot build gains nothing from incremental caches but their disk; CI's disk has run out
# before (extracting pyspark), so say how much there is at the start.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL=0
fi
echo "disk free at start: $(df -h --output=avail . | tail -1 | tr -d ' ')"

step() {
  local name="$1"
  shift
  local t0=$SECONDS
  echo
  echo "==> $name"
  # Each step runs in its own subshell (a pipeline element) with errexit on, so the first failing
  # command fails the step, and pipefail fails the script.
  "$@" 2>&1 | tee "$log/$name.log"
  echo "<== $name: $((SECONDS - t0)) s"
}

rust() {
  cargo fmt --all -- --check
  cargo clippy --workspace --all-targets --locked -- -D warnings
  cargo test -p scrm-core -p scrm-examples --locked
  # The README's main command (10,000 synthetic customers through the engine); it checks its own
  # numbers in examples/tests/demo.rs, here it must run and write its report.
  cargo run -q -p scrm-examples --bin demo -- --report "$log/report.html" >/dev/null
  test -s "$log/report.html"
}

python_suite() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check uv
  # pyarrow, polars and pandas feed the Arrow batch tests; duckdb is for bindings-python/bench/,
  # installed here so a clean machine can run the benchmark too (it is not part of the test run).
  # pyspark (with the JDK above) runs tests/test_spark.py; matplotlib draws the pipeline example's charts.
  .venv/bin/uv pip install --quiet --python .venv/bin/python "maturin>=1.9.4,<2" pytest \
    pyarrow polars pandas duckdb pyspark matplotlib
  (cd bindings-python && VIRTUAL_ENV="$root/.venv" PATH="$root/.venv/bin:$PATH" maturin develop --uv --locked)
  .venv/bin/python -m pytest bindings-python/tests -q
  .venv/bin/python examples/python/playbook_summary.py >/dev/null
  # The batch pipeline example (README): Parquet in, profiles Parquet and PNG charts out.
  local pipeline_out
  pipeline_out="$(mktemp -d)"
  .venv/bin/python examples/python/pipeline.py --out "$pipeline_out" >/dev/null
  rm -rf "$pipeline_out"
}

node_suite() {
  cd bindings-node
  # `npm ci` refuses this lock file (npm 11 omits the optional per-platform packages of
  # @napi-rs/cli's dependencies from it); `npm install` installs exactly the locked versions.
  npm install --no-audit --no-fund --loglevel=error
  local before
  before="$(mktemp -d)"
  cp index.js index.d.ts "$before/"
  npx napi build --platform
  if ! diff -u "$before/index.d.ts" index.d.ts || ! diff -q "$before/index.js" index.js; then
    echo "bindings-node/index.js or index.d.ts is stale: the rebuilt files are in place, commit them" >&2
    return 1
  fi
  npx tsc --noEmit --strict index.d.ts
  node --test test/
  node ../examples/node/playbook-summary.js >/dev/null
}

mobile_suite() {
  bindings-mobile/generate.sh --check
  # The native library is wherever cargo put it: honour CARGO_TARGET_DIR like cargo does.
  local lib_dir="${CARGO_TARGET_DIR:-$PWD/target}/debug"
  case "$lib_dir" in /*) ;; *) lib_dir="$PWD/$lib_dir" ;; esac
  (cd bindings-mobile/kotlin && mvn -B --no-transfer-progress test "-Dnative.lib.dir=$lib_dir")
}

step rust rust
step python python_suite
step node node_suite
step kotlin mobile_suite

# One closing line over every suite, counted from each runner's own summary.
cargo_passed=$(grep -hoE 'test result: ok\. [0-9]+ passed' "$log/rust.log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
py_passed=$(grep -hoE '[0-9]+ passed' "$log/python.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
node_passed=$(grep -hoE '^# pass [0-9]+' "$log/node.log" | grep -oE '[0-9]+' || echo 0)
kt_passed=$(grep -hoE 'Tests run: [0-9]+, Failures: 0, Errors: 0' "$log/kotlin.log" | tail -1 | grep -oE '^Tests run: [0-9]+' | grep -oE '[0-9]+' || echo 0)
py_skipped=$(grep -hoE '[0-9]+ skipped' "$log/python.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
node_skipped=$(grep -hoE '^# skipped [0-9]+' "$log/node.log" | grep -oE '[0-9]+' || echo 0)
kt_skipped=$(grep -hoE 'Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [0-9]+$' "$log/kotlin.log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
kt_passed=$((kt_passed - kt_skipped)) # Maven counts skipped tests as run
total=$((cargo_passed + py_passed + node_passed + kt_passed))
skipped=$((py_skipped + node_skipped + kt_skipped))
echo
echo "rust $cargo_passed, python $py_passed, node $node_passed, kotlin $kt_passed; all suites in $((SECONDS - started)) s"
if [ "$skipped" -gt 0 ]; then
  echo "skipped: python $py_skipped, node $node_skipped, kotlin $kt_skipped (conformance ops not bound yet: conformance/pending.json)"
fi
echo "$total passed, 0 failed"
