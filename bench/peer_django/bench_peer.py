"""The peer of bench_resolve: get_model_for_operation with the Django ORM (peer/resolve.py)
on the same store: a SQLite file, or a postgresql:// URL with the store's schema in
$IGNY8_BENCH_SCHEMA (settings.py). CALLS resolves of random accounts in 1..ACCOUNTS and
random operations (random.Random(42)), each timed with perf_counter_ns; prints one line.

Usage: IGNY8_BENCH_DB=/path/store.db /usr/bin/python3 bench/peer_django/bench_peer.py ACCOUNTS CALLS
       IGNY8_BENCH_DB=postgresql://igny8@127.0.0.1:55432/igny8test IGNY8_BENCH_SCHEMA=bench1 \
       /usr/bin/python3 bench/peer_django/bench_peer.py ACCOUNTS CALLS
       IGNY8_BENCH_DB=... IGNY8_BENCH_TRAFFIC=build/bench/bench_traffic \
       /usr/bin/python3 bench/peer_django/bench_peer.py traffic SCENARIO DRAWS WARM CALLS

"traffic" runs a scenario of bench_traffic.c (../traffic.py) on the draws after the first
WARM, CALLS of them: the peer has no cache to warm, so only 100 draws before them are
resolved untimed (the connection and SQLite's page cache)."""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django_env  # noqa: F401  (django.setup())
from django.db import connection

from peer.resolve import get_model_for_operation
import traffic  # noqa: E402  (bench/traffic.py)

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]


def traffic_main(scenario: str, draws_path: str, warm: int, calls: int) -> None:
    connection.ensure_connection()
    draws = traffic.read_draws(draws_path)[max(0, warm - 100):warm + calls]

    def resolve(account: int, op: str) -> None:
        r = get_model_for_operation(account, op)
        r["model"], r["parameters"]
    p50, p99 = traffic.percentiles(traffic.run(scenario, os.environ["IGNY8_BENCH_DB"], draws, min(warm, 100), resolve))
    print(f"peer_traffic scenario={scenario} calls={len(draws) - min(warm, 100)} p50_us={p50:.2f} p99_us={p99:.2f}")


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "traffic":
        return traffic_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    accounts, calls = int(sys.argv[1]), int(sys.argv[2])
    connection.ensure_connection()  # the library's store is open before its timing starts too
    rng = random.Random(42)
    clock = time.perf_counter_ns
    times = []
    for _ in range(calls):
        account, op = rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]
        t0 = clock()
        r = get_model_for_operation(account, op)
        r["model"], r["parameters"]
        times.append(clock() - t0)
    times.sort()
    print(f"peer_django accounts={accounts} calls={calls} p50_us={times[calls // 2] / 1e3:.2f} "
          f"p99_us={times[calls * 99 // 100] / 1e3:.2f}")


if __name__ == "__main__":
    main()
