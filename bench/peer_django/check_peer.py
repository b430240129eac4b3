"""Correctness of the Django peer: for random (account, operation) pairs, and a few with
a requested model, compare peer/resolve.py with the library (Python bindings) on the same
store (a file, or a postgresql:// URL with the schema $IGNY8_BENCH_SCHEMA): model,
provider, source, temperature, max_tokens, size, quality, style and the key source.
Prints each mismatch; exits 1 if there is any.

Usage: PYTHONPATH=bindings/python IGNY8_LIBRARY=build/libigny8settings.so \
       IGNY8_BENCH_DB=/path/store.db /usr/bin/python3 bench/peer_django/check_peer.py [ACCOUNTS] [PAIRS]"""

import os
import random
import sys

import django_env  # noqa: F401  (django.setup())
import igny8settings as igny8

from peer.resolve import ResolveError, get_model_for_operation
from bench_peer import OPERATIONS

FIELDS = ("model", "provider", "source", "temperature", "max_tokens", "size", "quality", "style", "api_key_source")
REQUESTS = [None, None, None, None, "gpt-4o", "claude-3-5-haiku-20241022", "dall-e-2", "runware:101@1"]


def library(st, account, op, request):
    try:
        with st.resolve(account, op, request) as r:
            return {f: getattr(r, f) for f in FIELDS}
    except igny8.Igny8Error as e:
        return {"error": getattr(e, "field", None)}


def peer(account, op, request):
    try:
        r = get_model_for_operation(account, op, request)
    except ResolveError as e:
        return {"error": e.field}
    p = r["parameters"]
    return {"model": r["model"], "provider": r["provider"], "source": r["source"],
            "temperature": p.get("temperature"), "max_tokens": p.get("max_tokens"), "size": p.get("size"),
            "quality": p.get("quality"), "style": p.get("style"), "api_key_source": r["api_key_source"]}


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = random.Random(7)
    mismatches, sources, keys, errors = 0, {}, {}, 0
    with igny8.Store(os.environ["IGNY8_BENCH_DB"], schema=os.environ.get("IGNY8_BENCH_SCHEMA") or None) as st:
        for i in range(pairs):
            account, op = rng.randint(1, accounts), OPERATIONS[rng.randrange(11)]
            request = REQUESTS[rng.randrange(len(REQUESTS))] if i % 3 == 0 else None
            want, got = library(st, account, op, request), peer(account, op, request)
            if "error" in want:
                errors += 1
            else:
                sources[want["source"]] = sources.get(want["source"], 0) + 1
                keys[want["api_key_source"]] = keys.get(want["api_key_source"], 0) + 1
            if want != got:
                mismatches += 1
                print(f"MISMATCH account={account} operation={op} request={request}: library={want} peer={got}")
    print(f"checked {pairs} resolutions ({errors} errors, sources {dict(sorted(sources.items()))}, "
          f"key sources {dict(sorted(keys.items()))}): {mismatches} mismatches")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
