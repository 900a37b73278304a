#!/usr/bin/env bash
# Runs the test suite N times in a row (default 5) while two busy loops keep both cores loaded,
# as a slow CI machine would: a test that depends on an idle machine fails here first.
# Usage: npm run test:loaded [-- N]   (builds first; the busy loops stop when it ends)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
npm run --silent build
pids=()
for _ in 1 2; do
  (while :; do :; done) &
  pids+=("$!")
done
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for run in $(seq 1 "$runs"); do
  echo "== loaded run $run of $runs"
  npx vitest run
done
echo "== $runs loaded runs passed"
