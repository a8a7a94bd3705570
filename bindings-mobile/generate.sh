#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings from the exact library that is built and tested.
#
#   bindings-mobile/generate.sh          write them to bindings-mobile/generated/
#   bindings-mobile/generate.sh --check  fail if generated/ differs from what the library generates
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

cargo build --quiet --manifest-path "$root/Cargo.toml" -p scrm-mobile --lib
cargo build --quiet --manifest-path "$root/Cargo.toml" -p scrm-mobile --features cli --bin uniffi-bindgen

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for language in kotlin swift; do
  (cd "$here" && "$target/debug/uniffi-bindgen" generate "$target/debug/libscrm_mobile.so" \
      --language "$language" --no-format --out-dir "$out/$language" >/dev/null)
done

if [ "${1:-}" = "--check" ]; then
  if ! diff -ru "$here/generated" "$out"; then
    echo "bindings-mobile/generated/ is stale: run bindings-mobile/generate.sh and commit the result" >&2
    exit 1
  fi
  echo "bindings-mobile/generated/ matches the library"
else
  rm -rf "$here/generated"
  cp -r "$out" "$here/generated"
  echo "wrote $(cd "$here/generated" && find . -type f | sort | tr '\n' ' ')"
fi
