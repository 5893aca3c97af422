#!/usr/bin/env bash
# Runs the cargo-fuzz targets at once, each for SECONDS_EACH seconds (600 by default), from seeds
# made here, and prints each target's executions and outcome. Not part of CI.
#
#   bash fuzz/run.sh                      # all four targets, ten minutes each
#   SECONDS_EACH=60 bash fuzz/run.sh rulebook
#
# A crash stops that target with its input saved under fuzz/artifacts/ and makes the run fail.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(docnum import_table transfer_package rulebook)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked -q

# Seeds: numbers as clerks type them, the shipped rules, the import templates and a payload.
mkdir -p fuzz/corpus/docnum fuzz/corpus/rulebook
i=0
for n in "969-CV/TU" "1439-QĐ/TU" "114-QĐ/TW" "20-CT/TU" "04-HD/BTCTW" "01-ĐA/TU" "10072 - cv/btctw" "Số 15-GGT/ĐU"; do
  printf '%s' "$n" > "fuzz/corpus/docnum/seed$i"; i=$((i + 1))
done
cp crates/core/rules/{membership,ballots,evaluation,commendation}.json fuzz/corpus/rulebook/
cargo run -q -p thidua-app --example fuzz_seeds -- fuzz/corpus || exit 1

# The stable toolchain accepts the sanitizer flags cargo-fuzz passes with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/target/fuzz"
(cd fuzz && cargo fuzz build 2>&1 | tail -1) || exit 1
# All targets at once, each for SECONDS_EACH of wall time.
mkdir -p target/fuzz
pids=()
for t in "${targets[@]}"; do
  (cd fuzz && exec cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1) > "target/fuzz/$t.log" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  wait "${pids[$i]}"
  code=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "target/fuzz/$t.log" | tail -1 | awk '{print $2}')
  if [ $code -eq 0 ]; then outcome="no crash"; else outcome="FAILED (exit $code, see target/fuzz/$t.log)"; failed=1; fi
  printf '%-18s %6ss %12s executions  %s\n' "$t" "$SECONDS_EACH" "${runs:-?}" "$outcome"
done
exit $failed
