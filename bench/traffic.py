"""The traffic scenarios of bench_traffic.c for the Python readers (bench_resolve.py, the
Django peer): the same draws file, the same writer process (`bench_traffic writer`, path
in $IGNY8_BENCH_TRAFFIC), the same timing of one resolve per draw after WARM untimed ones.

  read         nothing else happens
  writes       the writer commits one account PUT per 100 reads, the reader not waiting
  global       before each timed read the writer commits a global PUT; the reader waits
  after-write  before each timed read the writer commits a PUT of that account; the reader waits"""

import os
import subprocess
import time
from typing import Callable, List, Tuple

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]
SCENARIOS = ("read", "writes", "global", "after-write")
WRITE_EVERY = 100


def read_draws(path: str) -> List[int]:
    with open(path) as f:
        return [int(line) for line in f]


class Writer:
    """The other process: one line per write, "!" to wait until it has committed."""

    def __init__(self, store: str):
        self._p = subprocess.Popen([os.environ["IGNY8_BENCH_TRAFFIC"], "writer", store],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def send(self, account: int, wait: bool) -> None:
        self._p.stdin.write(b"%d%s\n" % (account, b"!" if wait else b""))
        if wait and self._p.stdout.readline() != b"\n":
            raise RuntimeError("the writer stopped")

    def close(self) -> None:
        self._p.stdin.close()
        if self._p.wait() != 0:
            raise RuntimeError("the writer failed")


def run(scenario: str, store: str, draws: List[int], warm: int,
        resolve: Callable[[int, str], None]) -> List[int]:
    """Nanoseconds of each timed resolve(account, operation)."""
    if scenario not in SCENARIOS:
        raise SystemExit(f"scenario: one of {', '.join(SCENARIOS)}, not {scenario!r}")
    writer = Writer(store) if scenario != "read" else None
    for account in draws[:warm]:
        resolve(account, OPERATIONS[account % 11])
    clock, times, n = time.perf_counter_ns, [], len(draws)
    for i, account in enumerate(draws[warm:]):
        if scenario in ("global", "after-write"):
            writer.send(0 if scenario == "global" else account, True)
        elif scenario == "writes" and i % WRITE_EVERY == 0:
            writer.send(draws[(warm + i + WRITE_EVERY // 2) % n], False)
        op = OPERATIONS[account % 11]
        t0 = clock()
        resolve(account, op)
        times.append(clock() - t0)
    if writer:
        writer.close()
    return times


def percentiles(times: List[int]) -> Tuple[float, float]:
    """p50 and p99 in microseconds."""
    times.sort()
    n = len(times)
    return (times[n // 2] / 1e3, times[n * 99 // 100] / 1e3) if n else (0.0, 0.0)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
