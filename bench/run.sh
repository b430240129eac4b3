#!/usr/bin/env bash
# One command for the benchmarks: builds an optimised tree (build-bench/), then for stores
# of 1k, 100k and 1M accounts (override with IGNY8_BENCH_SIZES="1000 100000") measures the
# resolver in C, through the Python bindings and, as the peer in the same run, a Django-ORM
# implementation of the same precedence on the same store file; then store open time,
# PUTs per second and template rendering; and prints one table with the ratios.
#
# Usage: bash bench/run.sh          (takes a few minutes; needs /usr/bin/python3 and python3-django)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${IGNY8_BENCH_SIZES:-"1000 100000 1000000"}
work=$(mktemp -d /tmp/igny8-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-bench -j2 --target igny8settings bench_core bench_render >/dev/null
core=build-bench/bench/bench_core
export IGNY8_LIBRARY=$PWD/build-bench/libigny8settings.so PYTHONPATH=$PWD/bindings/python

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
rows=()
for n in $sizes; do
  db="$work/store-$n.db"
  "$core" make "$db" "$n" >/dev/null
  c=$("$core" resolve "$db" "$n" 200000)
  py=$(/usr/bin/python3 bench/bench_resolve.py "$db" "$n" 100000)
  peer=$(IGNY8_BENCH_DB="$db" /usr/bin/python3 bench/peer_django/bench_peer.py "$n" 2000)
  rows+=("$n|$(field p50_us "$c")|$(field p99_us "$c")|$(field p50_us "$py")|$(field p99_us "$py")|$(field p50_us "$peer")|$(field p99_us "$peer")|$(field rss_mb "$c")|$(field warm_s "$c")")
  echo "measured $n accounts" >&2
done
open=$("$core" open "$work/store-$(echo $sizes | awk '{print $NF}').db")
put=$("$core" put "$work")
render=$(build-bench/bench/bench_render | sed -n 's/^render: median \([0-9.]*\) MB.*/\1/p')

echo
echo "resolve latency (µs; C: 200,000 random calls, Python: 100,000, Django peer: 2,000; after one warm pass)"
printf '%-10s %9s %9s %9s %9s %11s %11s %10s %10s %8s\n' accounts C_p50 C_p99 Py_p50 Py_p99 Django_p50 Django_p99 Django/C Django/Py RSS_MB
for r in "${rows[@]}"; do
  IFS='|' read -r n cp50 cp99 pp50 pp99 dp50 dp99 rss warm <<<"$r"
  awk -v n="$n" -v a="$cp50" -v b="$cp99" -v c="$pp50" -v d="$pp99" -v e="$dp50" -v f="$dp99" -v rss="$rss" \
      'BEGIN { printf "%-10s %9.3f %9.3f %9.3f %9.3f %11.1f %11.1f %9.0fx %9.0fx %8.1f\n", n, a, b, c, d, e, f, e / a, e / c, rss }'
done
echo
echo "store open: median $(field median_ms "$open") ms; integration PUTs: $(field full_per_s "$put")/s with synchronous=FULL (the default), $(field normal_per_s "$put")/s with IGNY8_STORE_SYNC_NORMAL"
echo "template render (100 KB, 584 placeholders): median ${render} MB/s"
