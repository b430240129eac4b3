#!/usr/bin/env bash
# Fuzz every target of tests/fuzz with libFuzzer for SECONDS each (default 60):
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds build-fuzz/ with clang and IGNY8_FUZZ=ON, then runs each target on a copy of its
# seed corpus and regressions (build-fuzz/corpus/<target>/: the tree is never written),
# with the dictionary tests/fuzz/<target>.dict when there is one. Prints the executions per
# target (libFuzzer's final stats) and fails if any target crashed, leaked, timed out or ran
# out of memory; the input is in build-fuzz/artifacts/<target>/ and the log in
# build-fuzz/logs/<target>.log. Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
shift || true
all=(import integration_put global_put template library store_open access_put)
if [ $# -eq 0 ]; then targets=("${all[@]}"); else targets=("$@"); fi
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: SECONDS must be a positive number, not '$seconds'" >&2
  exit 2
fi
cc=${IGNY8_FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null; then
  echo "fuzz.sh: error: $cc not found (scripts/deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi

out=build-fuzz
cmake -S . -B "$out" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIGNY8_FUZZ=ON >/dev/null
cmake --build "$out" -j"$(nproc 2>/dev/null || echo 2)" --target "${targets[@]/#/fuzz_}"

# A report ends the target at once; UBSan's too (the objects are built not to recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t" artifacts="$out/artifacts/$t/" log="$out/logs/$t.log"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$out/logs"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  if [ -d tests/fuzz/regressions/"$t" ]; then
    cp tests/fuzz/regressions/"$t"/* "$corpus"/
  fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts")
  if [ -f tests/fuzz/"$t".dict ]; then
    args+=(-dict=tests/fuzz/"$t".dict)
  fi
  echo "== fuzz_$t: ${seconds}s on $(ls "$corpus" | wc -l) seeds"
  rc=0
  "$out/tests/fuzz/fuzz_$t" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  seed=$(sed -n 's/^INFO: Seed: *//p' "$log" | head -1)
  found=$(ls "$artifacts" | grep -E '^(crash|leak|timeout|oom)-' | head -1 || true)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    failed+=("$t")
    summary+=("$(printf '%-16s %12s executions  FAILED (exit %s, -seed=%s) %s' "$t" "${execs:-?}" "$rc" \
                 "${seed:-?}" "${found:+$artifacts$found}")")
    echo "fuzz.sh: fuzz_$t FAILED (exit $rc); the end of $log:" >&2
    tail -n 40 "$log" >&2
  else
    summary+=("$(printf '%-16s %12s executions  ok, corpus %s' "$t" "${execs:-?}" "$(ls "$corpus" | wc -l)")")
  fi
done

echo
echo "fuzz.sh: ${seconds}s per target"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (reproduce: build-fuzz/tests/fuzz/fuzz_<target> <input>)" >&2
  exit 1
fi
