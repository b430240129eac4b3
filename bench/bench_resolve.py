"""Resolve latency through the Python bindings on a store made by `bench_core make`:
Store.resolve + reading model, temperature and max_tokens + close, after one warm pass
over every account (as bench_core does): CALLS random calls that hit the cache, then
MISSES calls each right after another connection changed that account (as bench_core's
change_account: openai's max_tokens set and cleared again, not timed), so that the call
must follow the change log and load the account again. STORE is a SQLite file or a
postgresql:// URL, its schema $IGNY8_BENCH_SCHEMA (unset: the library's default).
Prints one line of key=value pairs.

With "traffic", a scenario of bench_traffic.c (traffic.py) instead, on a store opened with
the default options (the default cache bound): the draws file's first WARM accounts
untimed, then one timed resolve per remaining draw.

With "chain", on the store `bench_core chain STORE` made: a resolve with a 3-model fallback
chain (and with it and a plan) against one without, interleaved.

Usage: IGNY8_LIBRARY=build/libigny8settings.so PYTHONPATH=bindings/python \\
       /usr/bin/python3 bench/bench_resolve.py STORE ACCOUNTS CALLS [MISSES]
       ... bench_resolve.py chain STORE CALLS
       IGNY8_BENCH_TRAFFIC=build/bench/bench_traffic ... bench_resolve.py traffic SCENARIO STORE DRAWS WARM"""

import os
import random
import sys
import time

import igny8settings as igny8
import traffic

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]


def timed_resolve(st, account, op):
    clock = time.perf_counter_ns
    t0 = clock()
    r = st.resolve(account, op)
    r.model, r.temperature, r.max_tokens
    r.close()
    return clock() - t0


def percentiles(times):
    """p50 and p99 in microseconds (0 for no samples)."""
    times.sort()
    n = len(times)
    return (times[n // 2] / 1e3, times[n * 99 // 100] / 1e3) if n else (0.0, 0.0)


def misses(path, schema, st, accounts, count):
    """The writer is a second store (another worker's connection); its commits need not wait for the disk."""
    rng = random.Random(43)
    times = []
    with igny8.Store(path, schema=schema, sync_normal=True) as writer:
        for _ in range(count):
            account, op = rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]
            writer.put_integration("bench", account, "openai", {"max_tokens": 4000})
            writer.put_integration("bench", account, "openai", {"max_tokens": None})
            times.append(timed_resolve(st, account, op))
    return times


def traffic_main(scenario: str, store: str, draws_path: str, warm: int) -> None:
    schema = os.environ.get("IGNY8_BENCH_SCHEMA") or None
    draws = traffic.read_draws(draws_path)
    with igny8.Store(store, schema=schema) as st:
        def resolve(account: int, op: str) -> None:
            r = st.resolve(account, op)
            r.model, r.temperature, r.max_tokens
            r.close()
        p50, p99 = traffic.percentiles(traffic.run(scenario, store, draws, warm, resolve))
        print(f"py_traffic scenario={scenario} calls={len(draws) - warm} p50_us={p50:.3f} p99_us={p99:.3f} "
              f"rss_mb={traffic.rss_mb():.1f}")


def chain_main(store: str, calls: int) -> None:
    """On the store `bench_core chain` made: account 7's ideas (no chain), its clustering (a
    3-model platform chain) and account 8's clustering (the chain and a plan), interleaved."""
    schema = os.environ.get("IGNY8_BENCH_SCHEMA") or None
    cases = ((7, "ideas"), (7, "clustering"), (8, "clustering"))
    times = ([], [], [])
    with igny8.Store(store, schema=schema) as st:
        for _ in range(1000):
            for account, op in cases:
                timed_resolve(st, account, op)
        for _ in range(calls):
            for k, (account, op) in enumerate(cases):
                times[k].append(timed_resolve(st, account, op))
    (p50, p99), (c50, c99), (l50, l99) = (percentiles(t) for t in times)
    print(f"py_chain calls={calls} plain_p50_us={p50:.3f} plain_p99_us={p99:.3f} chain_p50_us={c50:.3f} "
          f"chain_p99_us={c99:.3f} ratio={c50 / p50:.2f} plan_chain_p50_us={l50:.3f} plan_chain_p99_us={l99:.3f} "
          f"plan_ratio={l50 / p50:.2f}")


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "traffic":
        return traffic_main(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    if len(sys.argv) == 4 and sys.argv[1] == "chain":
        return chain_main(sys.argv[2], int(sys.argv[3]))
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    path, accounts, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    miss_count = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    schema = os.environ.get("IGNY8_BENCH_SCHEMA") or None
    with igny8.Store(path, cache_accounts=accounts, schema=schema) as st:
        for a in range(1, accounts + 1):
            st.resolve(a, OPERATIONS[a % 11]).close()
        rng = random.Random(42)
        pairs = [(rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]) for _ in range(calls)]
        p50, p99 = percentiles([timed_resolve(st, account, op) for account, op in pairs])
        miss_p50, miss_p99 = percentiles(misses(path, schema, st, accounts, miss_count))
        print(f"py_resolve accounts={accounts} calls={calls} p50_us={p50:.3f} p99_us={p99:.3f} "
              f"misses={miss_count} miss_p50_us={miss_p50:.3f} miss_p99_us={miss_p99:.3f}")


if __name__ == "__main__":
    main()
