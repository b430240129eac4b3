"""The Resolution object: a view of one igny8_resolution, freed deterministically."""

from __future__ import annotations

import json
from ctypes import byref
from typing import Any, Dict, Optional, Tuple

from . import _ffi
from ._ffi import dec, fn

_KEY_SOURCES = ("none", "account", "global")
_MODEL_TYPES = {1: "text", 2: "image"}
_FREE = fn.resolution_free


def _closed() -> ValueError:
    return ValueError("the resolution is closed")


def fill_view(handle: Any) -> Any:
    """A ResolutionView of handle's fields, in one foreign call."""
    view = _ffi.ResolutionView()
    view.version = _ffi.RESOLUTION_VIEW_VERSION
    rc = _ffi.fast.resolution_view_get(handle, byref(view))
    if rc < 0:
        raise _ffi.last_error(rc)
    return view


class Resolution:
    """Which model, parameters and key an account uses for an operation.

    Attributes read the library's snapshot; `api_key()` is the one call that reveals the
    key (never printed by repr). Close it (or use `with`) to free and wipe it at once;
    it is freed when collected otherwise."""

    # The plain fields come from one igny8_resolution_view filled when the resolution is
    # made: reading an attribute is then no foreign call at all, only a decode of the
    # borrowed string. _v is None once closed, which is the one check a getter makes.
    # _fallbacks is left unset until the first read of `fallbacks`, so that a resolve
    # whose fallbacks nobody reads pays nothing for them.
    __slots__ = ("_h", "_v", "_trace", "_fallbacks", "__weakref__")

    def __init__(self, handle: Any, view: Any = None):
        self._h = handle  # first: it is ours now, and __del__ frees it even if the view fails
        self._trace: Optional[Dict[str, Any]] = None
        self._v = fill_view(handle) if view is None else view

    def _handle(self) -> Any:
        if self._h is None:
            raise _closed()
        return self._h

    def close(self) -> None:
        """Free the resolution now, wiping its key."""
        h = self._h
        if h is not None:
            self._h = self._v = None  # before the free: no getter may read the freed strings
            _FREE(h)

    # A finaliser, but without weakref.finalize's registry (a weakref, a dict entry and an
    # atexit hook per resolution). The free function is bound as a default so that it
    # still exists while modules are torn down at interpreter shutdown.
    def __del__(self, _free: Any = _FREE) -> None:
        h = self._h
        if h is not None:
            self._h = self._v = None
            _free(h)

    def __enter__(self) -> "Resolution":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def model(self) -> str:
        v = self._v
        if v is None:
            raise _closed()
        return v.model_name.decode()

    @property
    def provider(self) -> str:
        v = self._v
        if v is None:
            raise _closed()
        return v.provider.decode()

    @property
    def integration(self) -> str:
        v = self._v
        if v is None:
            raise _closed()
        return v.integration.decode()

    @property
    def model_type(self) -> str:
        v = self._v
        if v is None:
            raise _closed()
        return _MODEL_TYPES[v.model_type]

    @property
    def operation(self) -> str:
        v = self._v
        if v is None:
            raise _closed()
        return v.operation.decode()

    @property
    def source(self) -> str:
        """Where the model came from: the precedence level (request, account_operation,
        account_integration, global_default, system_default), or "fallback" for a model of
        the operation's fallback chain (no level gave one, or this is one of `fallbacks`)."""
        v = self._v
        if v is None:
            raise _closed()
        return v.source_name.decode()

    @property
    def temperature(self) -> Optional[float]:
        v = self._v
        if v is None:
            raise _closed()
        t = v.temperature
        return None if t != t else t  # NaN: not set (image models)

    @property
    def max_tokens(self) -> Optional[int]:
        v = self._v
        if v is None:
            raise _closed()
        return v.max_tokens or None

    @property
    def size(self) -> Optional[str]:
        v = self._v
        if v is None:
            raise _closed()
        return dec(v.size)

    @property
    def quality(self) -> Optional[str]:
        v = self._v
        if v is None:
            raise _closed()
        return dec(v.quality)

    @property
    def style(self) -> Optional[str]:
        v = self._v
        if v is None:
            raise _closed()
        return dec(v.style)

    @property
    def base_url(self) -> Optional[str]:
        v = self._v
        if v is None:
            raise _closed()
        return dec(v.base_url)

    @property
    def api_key_source(self) -> str:
        """"account", "global" or "none"."""
        v = self._v
        if v is None:
            raise _closed()
        return _KEY_SOURCES[v.api_key_source]

    def api_key(self) -> Optional[str]:
        """The API key to call the provider with (None when there is none); never log it.
        MasterKeyError when it is sealed under a master key the store was not given."""
        key = fn.resolution_api_key(self._handle())
        if key is None and self.api_key_source != "none":
            raise _ffi.last_error(_ffi.lib.igny8_error_last().contents.code)
        return dec(key)

    @property
    def trace(self) -> Dict[str, Any]:
        """Every precedence level considered, its candidate, used or skipped and why."""
        if self._trace is None:
            self._trace = json.loads(dec(fn.resolution_trace_json(self._handle())))
        return self._trace

    def to_dict(self) -> Dict[str, Any]:
        """The whole resolution (model, pricing, parameters, key source, trace, and its
        fallbacks without their traces), without the key."""
        return json.loads(_ffi.take(fn.resolution_to_json, self._handle()))

    @property
    def fallbacks(self) -> Tuple["Resolution", ...]:
        """The models of the operation's fallback chain that this account may use now, in
        order, each a Resolution of its own (source "fallback", its own parameters and
        key) that lives as long as this one: closing this one closes them. Empty for a
        fallback itself. Reading them ties this resolution and its fallbacks in a cycle
        that close() (or `with`) frees at once, the garbage collector otherwise."""
        h = self._handle()
        try:
            return self._fallbacks
        except AttributeError:  # the first read
            pass
        self._fallbacks = tuple(_Fallback(self, fn.resolution_fallback_at(h, i))
                                for i in range(fn.resolution_fallback_count(h)))
        return self._fallbacks

    def __repr__(self) -> str:
        if self._h is None:
            return "<Resolution closed>"
        return (f"<Resolution {self.operation}: {self.model} ({self.provider}) from {self.source}, "
                f"key {self.api_key_source}>")


class _Fallback(Resolution):
    """One of a Resolution's fallbacks: a view of memory its parent owns. It holds the
    parent, so the memory lives while the fallback is reachable, and reads the parent's
    state at every access, so that once the parent is closed every getter raises
    ValueError as the parent's do. It never frees anything."""

    __slots__ = ("_parent", "_borrowed", "_view")

    def __init__(self, parent: Resolution, handle: Any):
        self._parent = parent
        self._borrowed = handle
        self._trace = None
        self._view = fill_view(handle)

    # Resolution's getters read _h and _v: here they are the borrowed ones while the
    # parent is open, None (closed) after.
    @property
    def _h(self) -> Any:  # type: ignore[override]
        return None if self._parent._h is None else self._borrowed

    @property
    def _v(self) -> Any:  # type: ignore[override]
        return None if self._parent._h is None else self._view

    def close(self) -> None:
        """Nothing to free: the parent resolution owns this fallback (close the parent)."""

    def __del__(self) -> None:  # the parent frees its fallbacks
        pass
