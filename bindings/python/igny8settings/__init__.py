"""igny8settings: Python bindings of libigny8settings, the settings core of the igny8 AI
content platform (pure ctypes; see the library's headers for every rule)."""

from ._ffi import LIBRARY_VERSION
from ._resolution import Resolution
from ._store import (UNHEALTHY_WINDOW_MAX_S, Store, master_key_new, render_template, template_variables,
                     text_diff)
from ._version import __version__
from .errors import (ConflictError, Igny8Error, Igny8MemoryError, MasterKeyError, NotFoundError, StoreError,
                     ValidationError)

__all__ = [
    "Store", "Resolution", "master_key_new", "render_template", "template_variables", "text_diff",
    "Igny8Error", "ValidationError", "NotFoundError", "ConflictError", "StoreError", "Igny8MemoryError",
    "MasterKeyError",
    "LIBRARY_VERSION", "library_version", "__version__", "UNHEALTHY_WINDOW_MAX_S",
]


def library_version() -> str:
    """The version of the libigny8settings actually loaded, e.g. "1.0.0"."""
    return LIBRARY_VERSION[3]
