"""Resolve latency through the Python bindings, on the same data as bench_resolve.c:
Store.resolve + reading model, temperature and max_tokens + close. Prints p50 and p99.

Usage: IGNY8_LIBRARY=build/libigny8settings.so PYTHONPATH=bindings/python \
       /usr/bin/python3 bench/bench_resolve.py [accounts] [calls]"""

import os
import random
import sys
import tempfile
import time

import igny8settings as igny8

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as d, igny8.Store(os.path.join(d, "store.db")) as st:
        st.load_defaults("bench")
        for a in range(1, accounts + 1, 2):
            st.put_integration("bench", a, "openai", {"model": "gpt-4o", "temperature": 0.4})
        rng = random.Random(42)
        times = []
        clock = time.perf_counter_ns
        for _ in range(calls):
            account, op = rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]
            t0 = clock()
            r = st.resolve(account, op)
            r.model, r.temperature, r.max_tokens
            r.close()
            times.append(clock() - t0)
        times.sort()
        print(f"Python resolve, {accounts} accounts, {calls} calls: p50 {times[calls // 2] / 1e3:.2f} us, "
              f"p99 {times[calls * 99 // 100] / 1e3:.2f} us")


if __name__ == "__main__":
    main()
