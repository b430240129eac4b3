"""The Resolution object: a view of one igny8_resolution, freed deterministically."""

from __future__ import annotations

import json
import math
import weakref
from typing import Any, Dict, Optional

from . import _ffi
from ._ffi import dec, fn

_KEY_SOURCES = ("none", "account", "global")
_MODEL_TYPES = {1: "text", 2: "image"}


class Resolution:
    """Which model, parameters and key an account uses for an operation.

    Attributes read the library's snapshot; `api_key()` is the one call that reveals the
    key (never printed by repr). Close it (or use `with`) to free and wipe it at once; a
    finalizer does so otherwise."""

    __slots__ = ("_h", "_finalizer", "_trace", "__weakref__")

    def __init__(self, handle: Any):
        self._h = handle
        self._trace: Optional[Dict[str, Any]] = None
        self._finalizer = weakref.finalize(self, fn.resolution_free, handle)

    def _handle(self) -> Any:
        if self._h is None:
            raise ValueError("the resolution is closed")
        return self._h

    def close(self) -> None:
        """Free the resolution now, wiping its key."""
        self._h = None
        self._finalizer()

    def __enter__(self) -> "Resolution":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def model(self) -> str:
        return dec(fn.resolution_model_name(self._handle()))

    @property
    def provider(self) -> str:
        return dec(fn.resolution_provider(self._handle()))

    @property
    def integration(self) -> str:
        return dec(fn.resolution_integration(self._handle()))

    @property
    def model_type(self) -> str:
        return _MODEL_TYPES[fn.resolution_model_type(self._handle())]

    @property
    def operation(self) -> str:
        return dec(fn.resolution_operation(self._handle()))

    @property
    def source(self) -> str:
        """The precedence level: request, account_operation, account_integration, global_default, system_default."""
        return dec(fn.resolution_source_name(self._handle()))

    @property
    def temperature(self) -> Optional[float]:
        t = fn.resolution_temperature(self._handle())
        return None if math.isnan(t) else t

    @property
    def max_tokens(self) -> Optional[int]:
        return fn.resolution_max_tokens(self._handle()) or None

    @property
    def size(self) -> Optional[str]:
        return dec(fn.resolution_size(self._handle()))

    @property
    def quality(self) -> Optional[str]:
        return dec(fn.resolution_quality(self._handle()))

    @property
    def style(self) -> Optional[str]:
        return dec(fn.resolution_style(self._handle()))

    @property
    def base_url(self) -> Optional[str]:
        return dec(fn.resolution_base_url(self._handle()))

    @property
    def api_key_source(self) -> str:
        """"account", "global" or "none"."""
        return _KEY_SOURCES[fn.resolution_api_key_source(self._handle())]

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
        """The whole resolution (model, pricing, parameters, key source, trace), without the key."""
        return json.loads(_ffi.take(fn.resolution_to_json, self._handle()))

    def __repr__(self) -> str:
        if self._h is None:
            return "<Resolution closed>"
        return (f"<Resolution {self.operation}: {self.model} ({self.provider}) from {self.source}, "
                f"key {self.api_key_source}>")
