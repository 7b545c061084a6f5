#!/usr/bin/env bash
# Instructions per operation for every row of a bench (default: jws), counted by
# valgrind's callgrind: (count with N+1 runs - count with 1 run) / N. Unlike wall time on
# a shared 2-core machine, these barely move between runs; what does move is the random
# number generator's entropy collection, so small rows run many times (N_SMALL) to average
# it out. Prints the ratio table.
# Usage: bash benches/callgrind.sh [bench] [N for MiB rows] [N_SMALL for the others]
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-jws}
n=${2:-10}
n_small=${3:-200}
bin=$(cargo bench --bench "$bench" --features hpke --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable") and m.get("target", {}).get("kind") == ["bench"]:
        print(m["executable"])' | tail -1)
count() {
  BODYSEAL_BENCH_ROW=$1 BODYSEAL_BENCH_ITERS=$2 valgrind --tool=callgrind \
    --callgrind-out-file=/dev/null "$bin" 2>&1 | sed -n 's/.*refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}
one() {
  local a b k=$n_small
  case "$1" in *MiB*) k=$n ;; esac
  a=$(count "$1" 1)
  b=$(count "$1" $((k + 1)))
  echo "$1 $(( (b - a) / k ))"
}
export -f one count
export bin n n_small
# Counts do not depend on what else runs, so use both cores.
"$bin" --list-rows | xargs -P 2 -I{} bash -c 'one {}' | sort | python3 benches/ratios.py --stdin
