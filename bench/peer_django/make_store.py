"""Create a store for the peer benchmark and check with the library's Python bindings:
the shipped defaults and ACCOUNTS accounts with a mix of settings. PATH is a new file, or
a postgresql:// URL with a new (or empty) schema $IGNY8_BENCH_SCHEMA.

Usage: PYTHONPATH=bindings/python IGNY8_LIBRARY=build/libigny8settings.so \
       /usr/bin/python3 bench/peer_django/make_store.py PATH [ACCOUNTS] [VARIANT]

  every 2nd account   openai override {"model": "gpt-4o", "temperature": 0.4} (as bench_resolve)
  every 5th           anthropic as its text provider
  every 6th           runware as its image provider
  every 7th           gpt-4.1 for clustering, claude-3-5-haiku-20241022 for ideas
  every 9th (odd)     anthropic override {"model": "claude-3-5-haiku-20241022", "max_tokens": 4096}
  every 11th          dalle override {"size": "1792x1024", "quality": "hd"}
  every 13th          its own openai key
  every 25th (odd)    openai disabled
  every 17th          its own dalle key
  the platform        keys for openai and runware (dalle takes openai's through key_from)

VARIANT (for check_peer.py, to reach the rarer paths; the benchmark uses none):
  inactive-default    claude-3-5-sonnet-20241022 (anthropic's default) and runware:100@1 inactive
  global-inactive     the global settings inactive (no level 4, no platform parameters or keys)"""

import os
import sys

import igny8settings as igny8


def main() -> None:
    path = sys.argv[1]
    accounts = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    variant = sys.argv[3] if len(sys.argv) > 3 else None
    if variant not in (None, "inactive-default", "global-inactive"):
        sys.exit(f"unknown variant {variant!r}")
    postgres = path.startswith(("postgresql://", "postgres://"))
    if not postgres and os.path.exists(path):
        sys.exit(f"{path} exists; give a new path")
    with igny8.Store(path, schema=os.environ.get("IGNY8_BENCH_SCHEMA") or None) as st:
        st.load_defaults("bench")
        st.set_global_key("bench", "openai", "sk-platform-openai-0000")
        st.set_global_key("bench", "runware", "rw-platform-0000")
        for a in range(1, accounts + 1):
            if a % 2 == 1:
                st.put_integration("bench", a, "openai", {"model": "gpt-4o", "temperature": 0.4})
            if a % 5 == 0:
                st.set_account_provider("bench", a, "text", "anthropic")
            if a % 6 == 0:
                st.set_account_provider("bench", a, "image", "runware")
            if a % 7 == 0:
                st.set_account_operation_model("bench", a, "clustering", "gpt-4.1")
                st.set_account_operation_model("bench", a, "ideas", "claude-3-5-haiku-20241022")
            if a % 9 == 0 and a % 2 == 1:
                st.put_integration("bench", a, "anthropic", {"model": "claude-3-5-haiku-20241022", "max_tokens": 4096})
            if a % 11 == 0:
                st.put_integration("bench", a, "dalle", {"size": "1792x1024", "quality": "hd"})
            if a % 13 == 0:
                st.set_account_key("bench", a, "openai", f"sk-account-{a:06d}")
            if a % 17 == 0:
                st.set_account_key("bench", a, "dalle", f"dl-account-{a:06d}")
            if a % 25 == 0 and a % 2 == 1:
                st.put_integration("bench", a, "openai", {"enabled": False})
        if variant == "inactive-default":
            st.set_model_active("bench", "claude-3-5-sonnet-20241022", False)
            st.set_model_active("bench", "runware:100@1", False)
        elif variant == "global-inactive":
            st.set_global_active("bench", False)


if __name__ == "__main__":
    main()
