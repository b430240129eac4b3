"""Minimal standalone Django settings for the peer benchmark: one app (peer) whose
models map the library's tables read-only (managed = False, no migrations), and the
store file as the default SQLite database, from $IGNY8_BENCH_DB."""

import os

SECRET_KEY = "igny8-bench-peer-not-secret"
DEBUG = False  # as in production: no per-query logging
USE_TZ = True
INSTALLED_APPS = ["peer"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("IGNY8_BENCH_DB", ""),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
