"""Minimal standalone Django settings for the peer benchmark: one app (peer) whose
models map the library's tables read-only (managed = False, no migrations), and the
library's store as the default database, from $IGNY8_BENCH_DB: a SQLite file, or a
postgresql:// URL whose tables are in the schema $IGNY8_BENCH_SCHEMA (unset: the
library's default, igny8settings), put first on the connection's search_path as the
library itself does, so the unqualified db_table names find the same rows."""

import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "igny8-bench-peer-not-secret"
DEBUG = False  # as in production: no per-query logging
USE_TZ = True
INSTALLED_APPS = ["peer"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

STORE = os.environ.get("IGNY8_BENCH_DB", "")


def postgresql(url):
    u = urlsplit(url)
    schema = os.environ.get("IGNY8_BENCH_SCHEMA") or "igny8settings"
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        "OPTIONS": {"options": f"-c search_path={schema}"},
    }


if STORE.startswith(("postgresql://", "postgres://")):
    DATABASES = {"default": postgresql(STORE)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": STORE}}
