"""Set up Django for the peer (settings.py beside this file); import before any model."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

if not os.environ.get("IGNY8_BENCH_DB"):
    sys.exit("set IGNY8_BENCH_DB to the store file")
if not os.path.exists(os.environ["IGNY8_BENCH_DB"]):
    sys.exit(f"{os.environ['IGNY8_BENCH_DB']}: no such file")
django.setup()
