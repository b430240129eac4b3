"""Resolve latency through the Python bindings on a store made by `bench_core make`:
Store.resolve + reading model, temperature and max_tokens + close, after one warm pass
over every account (as bench_core does). Prints one line of key=value pairs.

Usage: IGNY8_LIBRARY=build/libigny8settings.so PYTHONPATH=bindings/python \\
       /usr/bin/python3 bench/bench_resolve.py PATH ACCOUNTS CALLS"""

import random
import sys
import time

import igny8settings as igny8

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]


def main() -> None:
    path, accounts, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with igny8.Store(path, cache_accounts=accounts) as st:
        for a in range(1, accounts + 1):
            st.resolve(a, OPERATIONS[a % 11]).close()
        rng = random.Random(42)
        pairs = [(rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]) for _ in range(calls)]
        times = []
        clock = time.perf_counter_ns
        for account, op in pairs:
            t0 = clock()
            r = st.resolve(account, op)
            r.model, r.temperature, r.max_tokens
            r.close()
            times.append(clock() - t0)
        times.sort()
        print(f"py_resolve accounts={accounts} calls={calls} p50_us={times[calls // 2] / 1e3:.3f} "
              f"p99_us={times[calls * 99 // 100] / 1e3:.3f}")


if __name__ == "__main__":
    main()
