#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs each libFuzzer target for a given time and prints what it did.
#
#   fuzz/run.sh SECONDS [TARGET ...]      (default: every target in fuzz/)
#
# Builds with fuzz/build.sh when a binary is missing. Each target works on a copy of its
# seed corpus in build-fuzz/work/<target>/ (new inputs stay there; fuzz/corpus/ is only
# changed by hand), with its dictionary. At the end of each run the line "cov: ... ft: ...
# exec/s: ..." is printed. A crash leaves its input in build-fuzz/crashes/<target>/; for
# engine_sim_fuzzer, `multisock shrink --fuzz-input` turns it into a shrunk scenario file in
# failures/ (needs a normal build: $MULTISOCK_CLI, or build/conformance/multisock).
# Exit status: 1 when any target crashed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MS_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
OUT=${OUT:-$BUILD/out}
SECONDS_EACH=${1:?usage: fuzz/run.sh SECONDS [TARGET ...]}
shift
case "$SECONDS_EACH" in ''|*[!0-9]*) echo "fuzz/run.sh: SECONDS must be a number" >&2; exit 2;; esac
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  for f in "$ROOT"/fuzz/*_fuzzer.cpp; do TARGETS+=("$(basename "$f" .cpp)"); done
fi
for t in "${TARGETS[@]}"; do
  if [ ! -x "$OUT/$t" ]; then "$ROOT/fuzz/build.sh" || exit 3; break; fi
done
CLI=${MULTISOCK_CLI:-$ROOT/build/conformance/multisock}

crashed=0
for t in "${TARGETS[@]}"; do
  [ -x "$OUT/$t" ] || { echo "fuzz/run.sh: no fuzzer $t" >&2; exit 2; }
  work="$BUILD/work/$t" crashes="$BUILD/crashes/$t"
  mkdir -p "$work" "$crashes"
  [ -d "$ROOT/fuzz/corpus/$t" ] && cp -n "$ROOT/fuzz/corpus/$t"/* "$work"/ 2>/dev/null
  dict=()
  [ -f "$OUT/$t.dict" ] && dict=(-dict="$OUT/$t.dict")
  log="$BUILD/$t.log"
  "$OUT/$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work" >"$log" 2>&1
  status=$?
  summary=$(grep -E '^#[0-9]+' "$log" | tail -1)
  echo "$t: ${summary:-no stats (see $log)}"
  if [ $status -ne 0 ]; then
    crashed=1
    for c in "$crashes"/crash-* "$crashes"/timeout-* "$crashes"/oom-*; do
      [ -f "$c" ] || continue
      echo "  crash input: $c"
      if [ "$t" = engine_sim_fuzzer ] && [ -x "$CLI" ]; then
        (cd "$ROOT" && "$CLI" shrink --fuzz-input "$c" | sed 's/^/  /')
      fi
    done
  fi
done
exit $crashed
