"""Set up Django for the peer (settings.py beside this file); import before any model."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

STORE = os.environ.get("IGNY8_BENCH_DB")
if not STORE:
    sys.exit("set IGNY8_BENCH_DB to the store file or postgresql:// URL")
if not STORE.startswith(("postgresql://", "postgres://")) and not os.path.exists(STORE):
    sys.exit(f"{STORE}: no such file")
django.setup()
