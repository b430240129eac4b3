"""What the Python bindings add to a resolve, measured on its own (issue 14, item 3).

On a store made by `bench_core make STORE ACCOUNTS`, after one warm pass over every
account (so that every call is a cache hit), each round picks a random account and
operation and times every variant once, in an order that rotates from round to round, so
that all of them see the same machine at the same moment:

  raw          fn.get_model_for_operation + fn.resolution_free (ctypes, errcheck)
  raw_view     the new binding's foreign calls alone: resolve, view, free (no errcheck)
  old          the 1.1 binding (a copy below): Store.resolve + close
  old_fields   the 1.1 binding: resolve + model, temperature, max_tokens + close
  new          igny8settings' Store.resolve + close
  new_fields   igny8settings: resolve + model, temperature, max_tokens + close

Prints p50 and p99 (us) of each, the timer's own cost (included in every figure), and the
foreign calls one resolve + three fields + close makes on each path, counted by wrapping
the foreign functions for one call.

Usage: IGNY8_LIBRARY=build-bench/libigny8settings.so PYTHONPATH=bindings/python \\
       /usr/bin/python3 bench/bench_binding.py STORE [ACCOUNTS [ROUNDS]]"""

import random
import sys
import threading
import time
import weakref
from ctypes import byref

import igny8settings as igny8
from igny8settings import _ffi, _resolution, _store
from igny8settings._ffi import dec, enc, i64

OPERATIONS = ["clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
              "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
              "taxonomy_generation", "image_generation"]


class Old:
    """The foreign functions the 1.1 copy calls: replaceable, for counting."""
    fn = _ffi.fn


class OldResolution:
    """igny8settings 1.1's Resolution, as far as the benchmark uses it: one foreign call per
    attribute, a weakref.finalize per resolution."""

    __slots__ = ("_h", "_finalizer", "_trace", "__weakref__")

    def __init__(self, handle):
        self._h = handle
        self._trace = None
        self._finalizer = weakref.finalize(self, Old.fn.resolution_free, handle)

    def _handle(self):
        if self._h is None:
            raise ValueError("the resolution is closed")
        return self._h

    def close(self):
        self._h = None
        self._finalizer()

    @property
    def model(self):
        return dec(Old.fn.resolution_model_name(self._handle()))

    @property
    def temperature(self):
        t = Old.fn.resolution_temperature(self._handle())
        return None if t != t else t

    @property
    def max_tokens(self):
        return Old.fn.resolution_max_tokens(self._handle()) or None


class OldStore:
    """igny8settings 1.1's Store.resolve with its _enter and _leave, on the same handle."""

    def __init__(self, handle):
        self._h = handle
        self._lock = threading.Condition()
        self._calls = 0

    def _enter(self):
        with self._lock:
            if self._h is None:
                raise ValueError("the store is closed")
            self._calls += 1
            return self._h

    def _leave(self):
        with self._lock:
            self._calls -= 1
            if self._calls == 0:
                self._lock.notify_all()

    def resolve(self, account_id, operation, model=None):
        r = _ffi.RESOLUTION()
        h = self._enter()
        try:
            Old.fn.get_model_for_operation(h, i64(account_id), enc(operation), enc(model), byref(r))
        finally:
            self._leave()
        return OldResolution(r)


def variants(st, old):
    fn, fast, clock = _ffi.fn, _ffi.fast, time.perf_counter_ns
    h = st._h
    encoded = {op: op.encode() for op in OPERATIONS}

    def raw(account, op):
        t0 = clock()
        r = _ffi.RESOLUTION()
        fn.get_model_for_operation(h, account, encoded[op], None, byref(r))
        fn.resolution_free(r)
        return clock() - t0

    def raw_view(account, op):
        t0 = clock()
        r = _ffi.RESOLUTION()
        fast.get_model_for_operation(h, account, encoded[op], None, byref(r))
        v = _ffi.ResolutionView(_ffi.RESOLUTION_VIEW_VERSION)
        fast.resolution_view_get(r, byref(v))
        fn.resolution_free(r)
        return clock() - t0

    def bare(store):
        def run(account, op):
            t0 = clock()
            store.resolve(account, op).close()
            return clock() - t0
        return run

    def fields(store):
        def run(account, op):
            t0 = clock()
            r = store.resolve(account, op)
            r.model, r.temperature, r.max_tokens
            r.close()
            return clock() - t0
        return run

    def timer(account, op):
        t0 = clock()
        return clock() - t0

    return {"raw": raw, "raw_view": raw_view, "old": bare(old), "old_fields": fields(old),
            "new": bare(st), "new_fields": fields(st), "timer": timer}


class Counter:
    """A foreign function, or a namespace of them, that counts its calls."""

    def __init__(self, target, counts):
        self._target, self._counts = target, counts

    def __call__(self, *args):
        self._counts[0] += 1
        return self._target(*args)

    def __getattr__(self, name):
        return Counter(getattr(self._target, name), self._counts)


def calls_per_resolve(st, old, account, op):
    """Foreign calls of resolve + three fields + close, on the old path and on the new."""
    counts = [0]
    saved = (Old.fn, _store._resolve, _store._view_get, _store.fn, _resolution._FREE, _resolution.fn)
    Old.fn = Counter(_ffi.fn, counts)
    _store._resolve, _store._view_get = Counter(saved[1], counts), Counter(saved[2], counts)
    _store.fn, _resolution._FREE, _resolution.fn = (Counter(saved[3], counts), Counter(saved[4], counts),
                                                    Counter(saved[5], counts))
    try:
        result = []
        for store in (old, st):
            counts[0] = 0
            r = store.resolve(account, op)
            r.model, r.temperature, r.max_tokens
            r.close()
            result.append(counts[0])
        return result
    finally:
        (Old.fn, _store._resolve, _store._view_get, _store.fn, _resolution._FREE, _resolution.fn) = saved


def percentiles(times):
    times.sort()
    n = len(times)
    return times[n // 2] / 1e3, times[n * 99 // 100] / 1e3


def main() -> None:
    if len(sys.argv) not in (2, 3, 4):
        sys.exit(__doc__)
    path = sys.argv[1]
    accounts = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
    with igny8.Store(path, cache_accounts=accounts) as st:
        old = OldStore(st._h)
        for a in range(1, accounts + 1):
            st.resolve(a, OPERATIONS[a % 11]).close()
        run = variants(st, old)
        names = list(run)
        times = {name: [] for name in names}
        rng = random.Random(42)
        for i in range(rounds):
            account, op = rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]
            k = i % len(names)
            for name in names[k:] + names[:k]:
                times[name].append(run[name](account, op))
        before, after = calls_per_resolve(st, old, 7, "clustering")
        # after a warm pass, a hit: same path as the C bench_core resolve
        print(f"bench_binding store={path} accounts={accounts} rounds={rounds} python={sys.version.split()[0]} "
              f"library={igny8.library_version()}")
        print(f"{'variant':<11} {'p50_us':>7} {'p99_us':>7}")
        for name in names:
            p50, p99 = percentiles(times[name])
            print(f"{name:<11} {p50:7.2f} {p99:7.2f}")
        print(f"calls per resolve (resolve + model, temperature, max_tokens + close): before={before} after={after}")


if __name__ == "__main__":
    main()
