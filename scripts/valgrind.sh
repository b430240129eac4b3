#!/usr/bin/env bash
# Run every C test executable of a build under valgrind memcheck; fail on any memcheck
# error and on any definitely or indirectly lost byte.
#
#   bash scripts/valgrind.sh [BUILD_DIR [REGEX]]
#
# BUILD_DIR (default build/) must be built; REGEX, if given, keeps the tests whose name
# it matches (e.g. '^test_store$' while fixing a report).
#
# The tests are the CTest tests whose command is an executable of BUILD_DIR (test_*,
# the internal tests, headertest_*, abi_compat, ...), run with their CTest environment
# and working directory; not the Python tests or CMake scripts (their command is not
# ours), not fuzzers (a name with "fuzz"), and not a test labelled no_valgrind (for a
# test that valgrind would make far too slow: say why next to the label).
# Children: --trace-children=no. A forked child stays under valgrind (test_store's
# writer processes are checked); an exec'd one runs natively (test_freshness's writer,
# test_health's fake provider, the sqlite3 shell).
# Suppressions: tests/valgrind.supp, for documented noise of other libraries only.
# Logs: BUILD_DIR/valgrind/NAME.log (valgrind) and NAME.out (the test's output); a
# failure prints both. VALGRIND_JOBS (default: the number of CPUs) tests run at once.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
only=${2:-}
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
supp="$root/tests/valgrind.supp"
out="$build/valgrind"

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not found (scripts/deps.sh installs it)" >&2; exit 2; }
[ -f "$supp" ] || { echo "valgrind.sh: missing $supp" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/run"

# One script per test in $out/run/, from CTest's own description of the tests.
(cd "$build" && ctest --show-only=json-v1) > "$out/ctest.json"
python3 - "$build" "$out" "$supp" "$only" <<'EOF'
import json, os, re, shlex, sys
build, out, supp, only = sys.argv[1:5]
valgrind = ["valgrind", "--tool=memcheck", "--error-exitcode=1", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect", "--show-leak-kinds=definite,indirect",
            "--trace-children=no", "--num-callers=30", "--suppressions=" + supp]
tests = json.load(open(os.path.join(out, "ctest.json")))["tests"]
names = []
for t in tests:
    cmd = t.get("command") or []
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    if not cmd or "fuzz" in t["name"] or "no_valgrind" in props.get("LABELS", []):
        continue
    if only and not re.search(only, t["name"]):
        continue
    exe = os.path.realpath(cmd[0])
    if not exe.startswith(os.path.realpath(build) + os.sep) or not os.access(exe, os.X_OK):
        continue
    with open(exe, "rb") as f:
        if f.read(4) != b"\x7fELF":
            continue
    name = t["name"]
    env = props.get("ENVIRONMENT", [])
    wd = props.get("WORKING_DIRECTORY", build)
    log = os.path.join(out, name + ".log")
    with open(os.path.join(out, "run", name), "w") as f:
        f.write("cd %s\nexec env %s %s %s\n" % (
            shlex.quote(wd), " ".join(shlex.quote(e) for e in env),
            " ".join(shlex.quote(a) for a in valgrind + ["--log-file=" + log]),
            " ".join(shlex.quote(a) for a in cmd)))
    names.append(name)
open(os.path.join(out, "tests"), "w").write("".join(n + "\n" for n in names))
EOF

count=$(grep -c . "$out/tests" || true)
if [ "$count" -eq 0 ] || { [ -z "$only" ] && [ "$count" -lt 5 ]; }; then
  echo "valgrind.sh: only $count test executables found in $build: is it built, with tests?" >&2
  exit 2
fi
echo "valgrind.sh: $count test executables from $build under valgrind memcheck, $jobs at a time"

# run_one NAME: prints "NAME STATUS SECONDS"
run_one() {
  local name=$1 start rc=0
  start=$(date +%s%N)
  timeout --kill-after=30 900 bash "$out/run/$name" > "$out/$name.out" 2>&1 || rc=$?
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  local status=ok
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then status=timeout
    elif grep -qE "ERROR SUMMARY: [1-9]" "$out/$name.log"* 2>/dev/null; then status=memcheck
    else status=failed; fi
  fi
  printf '%s %s %d.%03d\n' "$name" "$status" $((ms / 1000)) $((ms % 1000))
}
export -f run_one
export out

start=$(date +%s)
xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} < "$out/tests" | tee "$out/results"
wall=$(( $(date +%s) - start ))

failed=$(awk '$2 != "ok"' "$out/results")
summed=$(awk '{ s += $3 } END { printf "%.0f", s }' "$out/results")
if [ -n "$failed" ]; then
  while read -r name status _; do
    echo
    echo "== $name: $status (memcheck = valgrind found errors or lost bytes; failed = the test itself failed)"
    lines=40
    [ "$status" = memcheck ] && lines=10
    echo "-- the test's output (last $lines lines of $out/$name.out):"
    tail -n "$lines" "$out/$name.out"
    echo "-- valgrind's log ($out/$name.log):"
    cat "$out/$name.log"
  done <<< "$failed"
  echo
  echo "valgrind.sh: FAILED: $(printf '%s\n' "$failed" | wc -l) of $count test executables, in ${wall}s (${summed}s summed)" >&2
  exit 1
fi
echo "valgrind.sh: all $count test executables passed under valgrind memcheck: no errors, no definitely or indirectly lost bytes, in ${wall}s (${summed}s summed)"
