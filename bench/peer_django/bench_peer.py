"""The peer of bench_resolve: get_model_for_operation with the Django ORM (peer/resolve.py)
on the same store: a SQLite file, or a postgresql:// URL with the store's schema in
$IGNY8_BENCH_SCHEMA (settings.py). CALLS resolves of random accounts in 1..ACCOUNTS and
random operations (random.Random(42)), each timed with perf_counter_ns; prints one line.

Usage: IGNY8_BENCH_DB=/path/store.db /usr/bin/python3 bench/peer_django/bench_peer.py ACCOUNTS CALLS
       IGNY8_BENCH_DB=postgresql://igny8@127.0.0.1:55432/igny8test IGNY8_BENCH_SCHEMA=bench1 \
       /usr/bin/python3 bench/peer_django/bench_peer.py ACCOUNTS CALLS"""

import random
import sys
import time

import django_env  # noqa: F401  (django.setup())
from django.db import connection

from peer.resolve import get_model_for_operation

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]


def main() -> None:
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
