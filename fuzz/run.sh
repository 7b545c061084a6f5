#!/usr/bin/env bash
# Runs fuzz targets for a while each and prints a table: target, executions, final
# coverage (cov / ft), crashes. Fails when a target crashes (the crash input is kept in
# fuzz/artifacts/<target>/). New corpus entries go to fuzz/work/<target> (not committed);
# the committed seeds in fuzz/corpus/<target> are read only.
# Usage: bash fuzz/run.sh SECONDS [JOBS] [TARGET...]     (default: every target)
# Needs cargo-fuzz; only the stable toolchain exists here, so RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-20}
jobs=${2:-1}
shift $(( $# > 1 ? 2 : $# ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O >/dev/null
mkdir -p work logs
run_one() {
  local t=$1 secs=$2
  mkdir -p "work/$t" "artifacts/$t"
  if cargo fuzz run -O "$t" "work/$t" "corpus/$t" -- -max_total_time="$secs" \
      -dict=dict/jose.dict -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
      -print_final_stats=1 >"logs/$t.log" 2>&1; then
    status=ok
  else
    status=CRASH
  fi
  local last execs cov ft
  last=$(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log" | tail -1)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  printf '| %s | %s | %s | %s | %s |\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$status"
}
export -f run_one
echo "| target | executions | cov | ft | result |"
echo "|---|---|---|---|---|"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "run_one {} $secs" | tee logs/table.md
! grep -q CRASH logs/table.md
