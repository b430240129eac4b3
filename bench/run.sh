#!/usr/bin/env bash
# One command for the benchmarks: builds an optimised tree (build-bench/), then on both
# backends measures the resolver in C, through the Python bindings and, as the peer in the
# same run, a Django-ORM implementation of the same precedence on the same store; then
# store open time and PUTs per second on both, and template rendering; and prints one
# table with a backend column and the ratios.
#
#   SQLite       stores of 1k, 100k and 1M accounts (IGNY8_BENCH_SIZES="1000 100000")
#   PostgreSQL   stores of 1k and 100k accounts (IGNY8_BENCH_PG_SIZES; "" skips PostgreSQL).
#                Not 1M by default: bench_core make loads a PostgreSQL store through the
#                library's import (one row at a time: ~20 s for 100k, ~3-4 minutes for 1M),
#                and the first call for an account is two round trips (~0.25 ms on the
#                test server), so the warm passes of C and Python at 1M would take about 4
#                minutes each, on top of ~20 minutes for this whole script as it is.
#                The server: $IGNY8_BENCH_PG_URL, else the private one of scripts/pg.sh,
#                started when it is not running. Each store is a schema igny8bench_<pid>_*,
#                dropped at the end.
#
# hit:  a call for an account whose settings the store has cached, nothing changed since
#       (on PostgreSQL it still reads the change token: one round trip per call).
# miss: a call right after another connection changed that account (bench_core's
#       change_account): the call sees the change token move, follows the change log,
#       drops the account's entry and loads it again, as a worker does after a PUT
#       served by another worker or host. The peer has no cache: every call of it is
#       the same, so the miss ratios divide the same Django figure.
#
# traffic: the same on a store opened with the default options (a cache of 65,536 accounts),
#       as a platform meets it (bench_traffic.c): (a) cold, the first read of an account;
#       (b) a Zipf(1.1) and a uniform mix of accounts; (c) 1% account PUTs from another
#       process while reading; (d) the read right after another process's global PUT;
#       (e) the read right after another process's PUT of that account. SQLite at the
#       largest size, PostgreSQL at its largest (IGNY8_BENCH_TRAFFIC_ROWS=0 skips them).
#
# Usage: bash bench/run.sh   (about 20 minutes on 2 CPUs; needs /usr/bin/python3, python3-django,
#                             python3-psycopg2 and the postgresql packages: scripts/deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${IGNY8_BENCH_SIZES:-"1000 100000 1000000"}
pg_sizes=${IGNY8_BENCH_PG_SIZES-"1000 100000"}
calls_c=200000 calls_py=100000 calls_peer=2000 misses=2000
work=$(mktemp -d /tmp/igny8-bench-XXXXXX)
prefix=igny8bench_$$

pg_url=""
if [ -n "$pg_sizes" ]; then
  if [ -n "${IGNY8_BENCH_PG_URL:-}" ]; then
    pg_url=$IGNY8_BENCH_PG_URL
  else
    bash scripts/pg.sh status >/dev/null 2>&1 || bash scripts/pg.sh start >&2
    pg_url=$(bash scripts/pg.sh url)
  fi
fi
pg_sql() { PGOPTIONS="-c client_min_messages=warning" psql "$pg_url" -qAt -v ON_ERROR_STOP=1 -c "$1"; }
cleanup() {
  rm -rf "$work"
  if [ -n "$pg_url" ]; then
    pg_sql "DO \$\$ DECLARE s text; BEGIN
              FOR s IN SELECT nspname FROM pg_namespace WHERE starts_with(nspname, '${prefix}_') LOOP
                EXECUTE format('DROP SCHEMA %I CASCADE', s);
              END LOOP; END \$\$" || echo "run.sh: could not drop the schemas ${prefix}_*" >&2
  fi
}
trap cleanup EXIT

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-bench -j2 --target igny8settings bench_core bench_render bench_traffic >/dev/null
core=build-bench/bench/bench_core
export IGNY8_LIBRARY=$PWD/build-bench/libigny8settings.so PYTHONPATH=$PWD/bindings/python
export IGNY8_BENCH_TRAFFIC=$PWD/build-bench/bench/bench_traffic

field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }
rows=()
# measure BACKEND STORE ACCOUNTS: the store is made, then C, Python and the peer on it.
measure() {
  local backend=$1 store=$2 n=$3 c py peer
  "$core" make "$store" "$n" >/dev/null
  if [ "$backend" = postgresql ]; then  # fresh planner statistics, as a loaded table would have
    pg_sql "VACUUM (ANALYZE) $IGNY8_BENCH_SCHEMA.account_integration, $IGNY8_BENCH_SCHEMA.account_provider,
            $IGNY8_BENCH_SCHEMA.account_operation_model, $IGNY8_BENCH_SCHEMA.change_log"
  fi
  c=$("$core" resolve "$store" "$n" "$calls_c" 0 "$misses")
  py=$(/usr/bin/python3 bench/bench_resolve.py "$store" "$n" "$calls_py" "$misses")
  peer=$(IGNY8_BENCH_DB="$store" /usr/bin/python3 bench/peer_django/bench_peer.py "$n" "$calls_peer")
  rows+=("$backend|$n|$(field p50_us "$c")|$(field p99_us "$c")|$(field miss_p50_us "$c")|$(field miss_p99_us "$c")|$(field p50_us "$py")|$(field p99_us "$py")|$(field miss_p50_us "$py")|$(field miss_p99_us "$py")|$(field p50_us "$peer")|$(field p99_us "$peer")|$(field rss_mb "$c")")
  echo "measured $backend, $n accounts" >&2
}

for n in $sizes; do
  unset IGNY8_BENCH_SCHEMA
  measure sqlite "$work/store-$n.db" "$n"
done
for n in $pg_sizes; do
  export IGNY8_BENCH_SCHEMA=${prefix}_$n
  measure postgresql "$pg_url" "$n"
done

# traffic BACKEND STORE ACCOUNTS WARM TIMED: every scenario in C, Python and the peer, on
# the same draws; rows of "backend|accounts|case|C p50|C p99|Py p50|Py p99|Dj p50|Dj p99".
traffic_rows=() memory=()
traffic() {
  local backend=$1 store=$2 n=$3 warm=$4 timed=$5 t=$IGNY8_BENCH_TRAFFIC d=$work/draws
  "$t" draws "$n" "$((warm + timed))" zipf 1 >"$d-zipf"
  "$t" draws "$n" "$((warm + timed))" uniform 2 >"$d-uniform"
  "$t" draws "$n" "$timed" distinct 3 >"$d-distinct"
  head -n "$((warm + timed / 10))" "$d-zipf" >"$d-zipf-short"
  head -n "$((warm + timed / 10))" "$d-uniform" >"$d-uniform-short"
  local cases=("a cold read|read|distinct|0" "b Zipf(1.1) mix|read|zipf|$warm" "b uniform mix|read|uniform|$warm"
               "c 1% foreign writes, Zipf|writes|zipf|$warm" "d after a global PUT, Zipf|global|zipf-short|$warm"
               "e after a PUT of the account, uniform|after-write|uniform-short|$warm")
  for c in "${cases[@]}"; do
    IFS='|' read -r name scenario draws w <<<"$c"
    local cr pr dr
    cr=$("$t" run "$scenario" "$store" "$d-$draws" "$w")
    pr=$(/usr/bin/python3 bench/bench_resolve.py traffic "$scenario" "$store" "$d-$draws" "$w")
    dr=$(IGNY8_BENCH_DB="$store" /usr/bin/python3 bench/peer_django/bench_peer.py traffic "$scenario" "$d-$draws" "$w" \
         "$peer_traffic_calls")
    traffic_rows+=("$backend|$n|$name|$(field p50_us "$cr")|$(field p99_us "$cr")|$(field p50_us "$pr")|$(field p99_us "$pr")|$(field p50_us "$dr")|$(field p99_us "$dr")")
    [ "$name" = "b uniform mix" ] && memory+=("$backend $n accounts: C RSS $(field rss_mb "$cr") MB, Python RSS $(field rss_mb "$pr") MB; $(field cached "$cr") accounts cached, $(field bytes_per_account "$cr") bytes of heap each")
  done
  echo "measured traffic on $backend, $n accounts" >&2
}
peer_traffic_calls=1000
if [ "${IGNY8_BENCH_TRAFFIC_ROWS:-1}" != 0 ]; then
  unset IGNY8_BENCH_SCHEMA
  traffic sqlite "$work/store-$(echo $sizes | awk '{print $NF}').db" "$(echo $sizes | awk '{print $NF}')" 200000 200000
  if [ -n "$pg_url" ]; then
    export IGNY8_BENCH_SCHEMA=${prefix}_$(echo $pg_sizes | awk '{print $NF}')
    traffic postgresql "$pg_url" "$(echo $pg_sizes | awk '{print $NF}')" 20000 10000
  fi
fi

unset IGNY8_BENCH_SCHEMA
open_sqlite=$("$core" open "$work/store-$(echo $sizes | awk '{print $NF}').db")
put_sqlite=$("$core" put "$work")
if [ -n "$pg_url" ]; then
  open_pg=$(IGNY8_BENCH_SCHEMA=${prefix}_$(echo $pg_sizes | awk '{print $NF}') "$core" open "$pg_url")
  put_pg=$(IGNY8_BENCH_SCHEMA=${prefix}_put "$core" put "$pg_url")
fi
render=$(build-bench/bench/bench_render | sed -n 's/^render: median \([0-9.]*\) MB.*/\1/p')
keys=$("$core" key "$work")
chain_c=$("$core" chain "$work/chain.db")
chain_py=$(/usr/bin/python3 bench/bench_resolve.py chain "$work/chain.db" 100000)
"$core" make "$work/global.db" 10000 >/dev/null
global=$("$core" global "$work/global.db" 10000 2000)

echo
echo "resolve latency (µs; C: $calls_c random cache hits, Python: $calls_py, after one warm pass; $misses misses each;"
echo "Django peer: $calls_peer calls, no cache; ratios: Django p50 / library p50)"
echo "hit: the account cached, nothing changed; miss: right after another connection changed the account"
printf '%-10s %-8s %9s %9s %10s %10s %9s %9s %10s %10s %11s %11s %9s %9s %9s %9s %7s\n' backend accounts \
  C_p50 C_p99 Cmiss_p50 Cmiss_p99 Py_p50 Py_p99 Pymiss_p50 Pymiss_p99 Django_p50 Django_p99 \
  Django/C Dj/Cmiss Django/Py Dj/Pymiss RSS_MB
for r in "${rows[@]}"; do
  IFS='|' read -r backend n cp50 cp99 cm50 cm99 pp50 pp99 pm50 pm99 dp50 dp99 rss <<<"$r"
  awk -v b="$backend" -v n="$n" -v cp50="$cp50" -v cp99="$cp99" -v cm50="$cm50" -v cm99="$cm99" \
      -v pp50="$pp50" -v pp99="$pp99" -v pm50="$pm50" -v pm99="$pm99" -v dp50="$dp50" -v dp99="$dp99" -v rss="$rss" '
    function ratio(x) { return sprintf(x < 10 ? "%.1fx" : "%.0fx", x) }
    BEGIN { printf "%-10s %-8s %9.3f %9.3f %10.1f %10.1f %9.3f %9.3f %10.1f %10.1f %11.1f %11.1f %9s %9s %9s %9s %7.1f\n",
            b, n, cp50, cp99, cm50, cm99, pp50, pp99, pm50, pm99, dp50, dp99,
            ratio(dp50 / cp50), ratio(dp50 / cm50), ratio(dp50 / pp50), ratio(dp50 / pm50), rss }'
done
if [ ${#traffic_rows[@]} -gt 0 ]; then
  echo
  echo "resolve under traffic (µs; the default options: a cache of 65,536 accounts; each row after its warm draws;"
  echo "Django peer: $peer_traffic_calls calls of the same draws, no cache; ratios: Django p50 / library p50)"
  printf '%-10s %-8s %-38s %9s %9s %9s %9s %11s %11s %9s %9s\n' backend accounts case C_p50 C_p99 Py_p50 Py_p99 \
    Django_p50 Django_p99 Django/C Django/Py
  for r in "${traffic_rows[@]}"; do
    IFS='|' read -r backend n name cp50 cp99 pp50 pp99 dp50 dp99 <<<"$r"
    awk -v b="$backend" -v n="$n" -v name="$name" -v cp50="$cp50" -v cp99="$cp99" -v pp50="$pp50" -v pp99="$pp99" \
        -v dp50="$dp50" -v dp99="$dp99" '
      function ratio(x) { return sprintf(x < 10 ? "%.1fx" : "%.0fx", x) }
      BEGIN { printf "%-10s %-8s %-38s %9.3f %9.3f %9.3f %9.3f %11.1f %11.1f %9s %9s\n", b, n, name, cp50, cp99, pp50,
              pp99, dp50, dp99, ratio(dp50 / cp50), ratio(dp50 / pp50) }'
  done
  printf 'memory, uniform mix on the default options: %s\n' "${memory[@]}"
fi
echo
echo "store open (median of 31): sqlite $(field median_ms "$open_sqlite") ms${open_pg:+; postgresql $(field median_ms "$open_pg") ms}"
echo "integration PUTs/s: sqlite $(field full_per_s "$put_sqlite") with synchronous=FULL (the default), $(field normal_per_s "$put_sqlite") with IGNY8_STORE_SYNC_NORMAL"
if [ -n "${put_pg:-}" ]; then
  echo "                    postgresql $(field full_per_s "$put_pg") with synchronous_commit on (the default), $(field normal_per_s "$put_pg") with IGNY8_STORE_SYNC_NORMAL (off)"
  if [ -z "${IGNY8_BENCH_PG_URL:-}" ]; then
    echo "                    (scripts/pg.sh's server runs with fsync=off: its commits wait for the WAL write, not the disk)"
  fi
fi
echo "template render (100 KB, 584 placeholders): median ${render} MB/s"
echo "read right after another connection's global PUT (SQLite, 10,000 warm accounts, 2,000 changes; µs):" \
     "p50 $(field after_global_p50_us "$global"), p99 $(field after_global_p99_us "$global")"
echo "fallback chains (SQLite, warm, interleaved; µs p50): resolve without a chain $(field plain_p50_us "$chain_c")," \
     "with a 3-model chain $(field chain_p50_us "$chain_c") (x$(field ratio "$chain_c")), with the chain and a plan" \
     "$(field plan_chain_p50_us "$chain_c") (x$(field plan_ratio "$chain_c")), and reading the three fallbacks too" \
     "$(field read_p50_us "$chain_c") (x$(field read_ratio "$chain_c")); through Python $(field plain_p50_us "$chain_py")," \
     "$(field chain_p50_us "$chain_py") (x$(field ratio "$chain_py")) and $(field plan_chain_p50_us "$chain_py")" \
     "(x$(field plan_ratio "$chain_py"))"
sealed=$(grep '^key sealed' <<<"$keys"); plain=$(grep '^key plain' <<<"$keys")
echo "keys at rest (SQLite, 200,000 warm resolves each, interleaved; µs p50): resolve $(field resolve_p50_us "$sealed")" \
     "and resolve + api_key $(field with_key_p50_us "$sealed") with sealed keys (x$(field ratio "$sealed"));" \
     "resolve $(field resolve_p50_us "$plain") and resolve + api_key $(field with_key_p50_us "$plain") with plain keys"
