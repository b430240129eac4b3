"""The one igny8settings.Store of this process.

The store is opened lazily, on the first request that needs it, from
settings.IGNY8_STORE: an SQLite file, or a postgresql:// URL when the app runs on several
hosts (then settings.IGNY8_STORE_SCHEMA, if set, names the schema); a new (empty) store
gets the library's shipped defaults. An igny8 store belongs to the process that opened it
(SQLite and PostgreSQL connections must not cross a fork), so:

- gunicorn: each worker opens its own store on its first request. That holds with
  --preload too, because nothing opens the store at import time; do not call store()
  from code that runs in the master (AppConfig.ready, a settings module, a
  post_fork-less hook...).
- If a store was opened before a fork anyway, the child never uses it and never closes
  it (closing a connection inherited from the parent could touch the parent's WAL); it
  opens its own.

The Store is safe to share between threads (runserver's and gunicorn's threaded
workers): every call takes the library's store mutex.
"""

import os
import threading

from django.conf import settings

import igny8settings

ACTOR = "igny8-django"  # who loads the shipped defaults into a new store

_lock = threading.Lock()
_store = None
_pid = None
_inherited = []  # stores opened by a parent process: kept alive, never closed here


def store():
    """This process's Store, opened on first use."""
    global _store, _pid
    current, pid = _store, os.getpid()
    if current is not None and _pid == pid:
        return current
    with _lock:
        if _store is None or _pid != pid:
            if _store is not None:  # opened by the parent before fork()
                _forget(_store)
            _store = _open(settings.IGNY8_STORE, getattr(settings, "IGNY8_STORE_SCHEMA", None))
            _pid = pid
        return _store


def _open(path, schema):
    st = igny8settings.Store(path, schema=schema, busy_timeout_ms=getattr(settings, "IGNY8_BUSY_TIMEOUT_MS", 0))
    try:
        st.load_defaults(ACTOR)
    except igny8settings.ConflictError:
        pass  # not empty: the defaults were loaded when it was created
    except BaseException:
        st.close()
        raise
    return st


def _forget(st):
    # An inherited store belongs to the parent process: drop it without closing it.
    st.abandon()
    _inherited.append(st)


def reset_store():
    """Close this process's store; the next store() opens IGNY8_STORE again."""
    global _store, _pid
    with _lock:
        st, pid = _store, _pid
        _store = _pid = None
    if st is not None:
        if pid == os.getpid():
            st.close()
        else:
            _forget(st)


def on_setting_changed(setting, **kwargs):
    if setting in ("IGNY8_STORE", "IGNY8_STORE_SCHEMA", "IGNY8_BUSY_TIMEOUT_MS"):
        reset_store()


if hasattr(os, "register_at_fork"):
    def _after_fork_in_child():
        global _lock, _store, _pid
        _lock = threading.Lock()  # another thread may have held it at the fork
        if _store is not None:
            _forget(_store)
        _store = _pid = None

    os.register_at_fork(after_in_child=_after_fork_in_child)
