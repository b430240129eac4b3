"""The backend the Python tests run on, as the C tests choose it (tests/testutil.h):
IGNY8_TEST_BACKEND=postgresql puts every store in a schema of its own on the server of
IGNY8_TEST_PG_URL; anything else uses SQLite (":memory:", or a file when several handles
or processes share the store). Schemas are dropped when the test process exits."""

import atexit
import itertools
import os
import shutil
import subprocess
import tempfile

DEFAULT_PG_URL = "postgresql://igny8@127.0.0.1:55432/igny8test"
_counter = itertools.count()
_schemas = []
_dirs = []


def postgres() -> bool:
    return os.environ.get("IGNY8_TEST_BACKEND") == "postgresql"


def pg_url() -> str:
    return os.environ.get("IGNY8_TEST_PG_URL") or DEFAULT_PG_URL


def clean_env() -> dict:
    """The environment for a program that is not ours (psql): without the sanitizer build's
    preload, under which psql hangs at start."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}


def psql(sql: str) -> str:
    """Run SQL on the test database behind the library's back; its output."""
    done = subprocess.run(["psql", pg_url(), "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                          capture_output=True, text=True, check=True, env=clean_env(), timeout=120)
    return done.stdout


def _drop_all() -> None:
    # One transaction per schema (a script on stdin, not one -c string): dropping a hundred
    # stores at once would take a lock per table, index and trigger of all of them, and
    # exhaust the server's lock table ("out of shared memory") for every other test.
    if _schemas:
        script = "SET client_min_messages = warning;\n" + "".join(f'DROP SCHEMA IF EXISTS "{s}" CASCADE;\n'
                                                                   for s in _schemas)
        subprocess.run(["psql", pg_url(), "-v", "ON_ERROR_STOP=1", "-qAt", "-f", "-"], input=script,
                       capture_output=True, text=True, check=True, env=clean_env(), timeout=300)
    for d in _dirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_drop_all)


def place() -> dict:
    """Where a new store lives: the keyword arguments of Store(**place) (path, and schema on
    PostgreSQL), for a store that several handles or processes open."""
    if postgres():
        schema = f"py{os.getpid()}_{next(_counter)}"
        _schemas.append(schema)
        return {"path": pg_url(), "schema": schema}
    d = tempfile.mkdtemp(prefix="igny8-py-")
    _dirs.append(d)
    return {"path": os.path.join(d, "store.db")}


def store(**options):
    """A fresh, empty igny8settings.Store on the backend the tests run on."""
    import igny8settings as igny8  # here: igny8ctl's tests need no bindings
    if postgres():
        return igny8.Store(**place(), **options)
    return igny8.Store(":memory:", **options)


def cli_args(p: dict) -> list:
    """igny8ctl's arguments for a place: --db, and --schema on PostgreSQL."""
    return ["--db", p["path"]] + (["--schema", p["schema"]] if "schema" in p else [])
