"""ctypes declarations of libigny8settings: every function the package calls, with its
argtypes and restype (never the int default), and the library loader."""

from __future__ import annotations

import ctypes
import os
from ctypes import (POINTER, Structure, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint,
                    c_uint32, c_void_p)
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from . import errors
from ._version import LIBRARY_MAJOR, LIBRARY_MINOR


# Each handle type is its own pointer type, so that ctypes refuses one for another.
class _StoreT(Structure):
    pass


class _ModelT(Structure):
    pass


class _ModelsT(Structure):
    pass


class _IntegrationT(Structure):
    pass


class _ResolutionT(Structure):
    pass


class _PromptT(Structure):
    pass


STORE = POINTER(_StoreT)
MODEL = POINTER(_ModelT)
MODELS = POINTER(_ModelsT)
INTEGRATION = POINTER(_IntegrationT)
RESOLUTION = POINTER(_ResolutionT)
PROMPT = POINTER(_PromptT)
OWNED = POINTER(c_void_p)  # char **out_json: read with string_at, freed with igny8_free


class Error(Structure):
    _fields_ = [("code", c_int), ("message", c_char_p), ("field", c_char_p)]


class StoreOptions(Structure):
    _fields_ = [("version", c_uint), ("busy_timeout_ms", c_uint), ("flags", c_uint32), ("cache_accounts", c_uint),
                ("schema", ctypes.c_char_p), ("master_key", ctypes.c_char_p)]


class ModelFilter(Structure):
    _fields_ = [("version", c_uint), ("provider", c_char_p), ("model_type", c_int), ("active", c_int)]


class Cost(Structure):
    _fields_ = [("usd", c_double), ("credits", c_int64)]


class IntegrationUpdate(Structure):
    _fields_ = [("version", c_uint), ("set", c_uint32), ("clear", c_uint32), ("enabled", c_int),
                ("model", c_char_p), ("temperature", c_double), ("max_tokens", c_int), ("size", c_char_p),
                ("quality", c_char_p), ("style", c_char_p), ("base_url", c_char_p)]


class AuditQuery(Structure):
    _fields_ = [("version", c_uint), ("entity", c_char_p), ("account_id", c_int64), ("since", c_char_p),
                ("limit", c_uint), ("actor", c_char_p)]


class PromptCommitOptions(Structure):
    _fields_ = [("version", c_uint), ("prompt_type", c_char_p), ("value", c_char_p),
                ("description", c_char_p), ("message", c_char_p), ("publish", c_int)]


class LibraryFilter(Structure):
    _fields_ = [("version", c_uint), ("category", c_char_p), ("active", c_int), ("search", c_char_p)]


class ConnectionTestOptions(Structure):
    _fields_ = [("version", c_uint), ("connect_timeout_ms", c_uint), ("timeout_ms", c_uint),
                ("account_id", c_int64)]


RESOLUTION_VIEW_VERSION = 1


class ResolutionView(Structure):
    """igny8_resolution_view: every plain field of a resolution, filled in one call; the
    strings are borrowed from the resolution and must be read while it is alive. Made in
    Python (zeroed, version set) rather than by igny8_resolution_view_init, which gives the
    same bytes (the tests check it), to spare a foreign call per resolve."""
    _fields_ = [("version", c_uint), ("model_type", c_int), ("model_name", c_char_p), ("provider", c_char_p),
                ("integration", c_char_p), ("operation", c_char_p), ("source", c_int), ("api_key_source", c_int),
                ("source_name", c_char_p), ("temperature", c_double), ("max_tokens", c_int), ("size", c_char_p),
                ("quality", c_char_p), ("style", c_char_p), ("base_url", c_char_p)]


class ResolveOptions(Structure):
    _fields_ = [("version", c_uint), ("flags", c_uint32), ("unhealthy_window_s", c_uint)]


class ExportOptions(Structure):
    _fields_ = [("version", c_uint), ("flags", c_uint32), ("passphrase", c_char_p)]


class ImportOptions(Structure):
    _fields_ = [("version", c_uint), ("mode", c_int), ("passphrase", c_char_p)]


S, I, I64, SZ, D, U = c_char_p, c_int, c_int64, c_size_t, c_double, c_uint
STRS = POINTER(c_char_p)
I64S = POINTER(c_int64)

# name: (restype, argtypes); int-returning functions get errcheck=_check.
_SIGNATURES: Dict[str, Any] = {
    # common, errors
    "igny8_version": (S, [POINTER(I), POINTER(I), POINTER(I)]),
    "igny8_free": (None, [c_void_p]),
    "igny8_error_last": (POINTER(Error), []),
    "igny8_strerror": (S, [I]),
    # store
    "igny8_store_options_init": (I, [POINTER(StoreOptions), U]),
    "igny8_store_open": (I, [POINTER(STORE), S, POINTER(StoreOptions)]),
    "igny8_store_rekey": (I, [STORE, S, S]),
    "igny8_master_key_new": (I, [ctypes.c_char_p]),
    "igny8_store_close": (None, [STORE]),
    "igny8_store_path": (S, [STORE]),
    "igny8_store_schema_version": (I, [STORE, POINTER(I)]),
    "igny8_defaults_load": (I, [STORE, S, S]),
    # models
    "igny8_model_filter_init": (I, [POINTER(ModelFilter), U]),
    "igny8_model_add_json": (I, [STORE, S, S, POINTER(MODEL)]),
    "igny8_model_update_json": (I, [STORE, S, S, S, POINTER(MODEL)]),
    "igny8_model_set_active": (I, [STORE, S, S, I]),
    "igny8_model_set_default": (I, [STORE, S, S]),
    "igny8_model_get": (I, [STORE, S, POINTER(MODEL)]),
    "igny8_model_list_json": (I, [STORE, POINTER(ModelFilter), OWNED]),
    "igny8_model_to_json": (I, [MODEL, OWNED]),
    "igny8_model_estimate_cost": (I, [MODEL, I64, I64, I64, POINTER(Cost)]),
    "igny8_model_free": (None, [MODEL]),
    "igny8_model_name": (S, [MODEL]),
    "igny8_model_provider": (S, [MODEL]),
    "igny8_model_integration": (S, [MODEL]),
    "igny8_model_type": (I, [MODEL]),
    "igny8_model_max_output_tokens": (I, [MODEL]),
    "igny8_model_input_cost_per_1k": (D, [MODEL]),
    "igny8_model_output_cost_per_1k": (D, [MODEL]),
    "igny8_model_cost_per_image": (D, [MODEL]),
    # settings
    "igny8_integration_update_init": (I, [POINTER(IntegrationUpdate), U]),
    "igny8_global_integration_set": (I, [STORE, S, S, POINTER(IntegrationUpdate)]),
    "igny8_account_integration_set": (I, [STORE, S, I64, S, POINTER(IntegrationUpdate)]),
    "igny8_account_integration_reset": (I, [STORE, S, I64, S]),
    "igny8_global_key_set": (I, [STORE, S, S, S]),
    "igny8_account_key_set": (I, [STORE, S, I64, S, S]),
    "igny8_global_set_active": (I, [STORE, S, I]),
    "igny8_global_default_model_set": (I, [STORE, S, S]),
    "igny8_global_settings_get_json": (I, [STORE, OWNED]),
    "igny8_global_settings_put_json": (I, [STORE, S, S, OWNED]),
    "igny8_integration_get_json": (I, [STORE, I64, S, OWNED]),
    "igny8_integration_put_json": (I, [STORE, S, I64, S, S, OWNED]),
    "igny8_integration_list_json": (I, [STORE, I64, OWNED]),
    # account choices, operations
    "igny8_account_provider_set": (I, [STORE, S, I64, I, S]),
    "igny8_account_operation_model_set": (I, [STORE, S, I64, S, S]),
    "igny8_account_models_get_json": (I, [STORE, I64, OWNED]),
    "igny8_operation_list_json": (I, [STORE, OWNED]),
    # plans and fallbacks
    "igny8_access_group_set": (I, [STORE, S, S, S, STRS, SZ]),
    "igny8_access_group_delete": (I, [STORE, S, S]),
    "igny8_access_group_get_json": (I, [STORE, S, OWNED]),
    "igny8_access_group_list_json": (I, [STORE, OWNED]),
    "igny8_access_group_put_json": (I, [STORE, S, S, S, OWNED]),
    "igny8_account_access_group_set": (I, [STORE, S, I64, S]),
    "igny8_account_model_access_set": (I, [STORE, S, I64, S, I]),
    "igny8_account_budget_set": (I, [STORE, S, I64, D, D]),
    "igny8_account_access_get_json": (I, [STORE, I64, OWNED]),
    "igny8_account_access_put_json": (I, [STORE, S, I64, S, OWNED]),
    "igny8_account_model_list_json": (I, [STORE, I64, POINTER(ModelFilter), OWNED]),
    "igny8_fallback_chain_set": (I, [STORE, S, I64, S, STRS, SZ]),
    "igny8_fallback_chains_get_json": (I, [STORE, I64, OWNED]),
    "igny8_fallback_chains_put_json": (I, [STORE, S, I64, S, OWNED]),
    # modules
    "igny8_module_add": (I, [STORE, S, S, S, I]),
    "igny8_module_set": (I, [STORE, S, S, I]),
    "igny8_module_account_set": (I, [STORE, S, I64, S, I]),
    "igny8_module_enabled": (I, [STORE, I64, S, POINTER(I)]),
    "igny8_module_list_json": (I, [STORE, I64, OWNED]),
    "igny8_module_put_json": (I, [STORE, S, I64, S, OWNED]),
    # audit
    "igny8_audit_query_init": (I, [POINTER(AuditQuery), U]),
    "igny8_audit_query_json": (I, [STORE, POINTER(AuditQuery), OWNED]),
    # resolver
    "igny8_get_model_for_operation": (I, [STORE, I64, S, S, POINTER(RESOLUTION)]),
    "igny8_resolve_options_init": (I, [POINTER(ResolveOptions), U]),
    "igny8_get_model_for_operation_v2": (I, [STORE, I64, S, S, POINTER(ResolveOptions), POINTER(RESOLUTION)]),
    "igny8_resolution_fallback_count": (SZ, [RESOLUTION]),
    "igny8_resolution_fallback_at": (RESOLUTION, [RESOLUTION, SZ]),
    "igny8_resolution_model": (MODEL, [RESOLUTION]),
    "igny8_resolution_model_name": (S, [RESOLUTION]),
    "igny8_resolution_provider": (S, [RESOLUTION]),
    "igny8_resolution_integration": (S, [RESOLUTION]),
    "igny8_resolution_model_type": (I, [RESOLUTION]),
    "igny8_resolution_operation": (S, [RESOLUTION]),
    "igny8_resolution_source_name": (S, [RESOLUTION]),
    "igny8_resolution_temperature": (D, [RESOLUTION]),
    "igny8_resolution_max_tokens": (I, [RESOLUTION]),
    "igny8_resolution_size": (S, [RESOLUTION]),
    "igny8_resolution_quality": (S, [RESOLUTION]),
    "igny8_resolution_style": (S, [RESOLUTION]),
    "igny8_resolution_base_url": (S, [RESOLUTION]),
    "igny8_resolution_api_key_source": (I, [RESOLUTION]),
    "igny8_resolution_api_key": (S, [RESOLUTION]),
    "igny8_resolution_trace_json": (S, [RESOLUTION]),
    "igny8_resolution_to_json": (I, [RESOLUTION, OWNED]),
    "igny8_resolution_free": (None, [RESOLUTION]),
    "igny8_resolution_view_init": (I, [POINTER(ResolutionView), U]),
    "igny8_resolution_view_get": (I, [RESOLUTION, POINTER(ResolutionView)]),
    # prompts
    "igny8_template_variables_json": (I, [S, OWNED]),
    "igny8_template_render": (I, [S, S, OWNED]),
    "igny8_text_diff": (I, [S, S, S, S, OWNED]),
    "igny8_prompt_commit_options_init": (I, [POINTER(PromptCommitOptions), U]),
    "igny8_prompt_type_add": (I, [STORE, S, S]),
    "igny8_prompt_commit": (I, [STORE, S, POINTER(PromptCommitOptions), POINTER(PROMPT)]),
    "igny8_prompt_publish": (I, [STORE, S, S, I]),
    "igny8_prompt_set_active": (I, [STORE, S, S, I]),
    "igny8_prompt_get": (I, [STORE, S, I, POINTER(PROMPT)]),
    "igny8_prompt_versions_json": (I, [STORE, S, OWNED]),
    "igny8_prompt_diff": (I, [STORE, S, I, I, OWNED]),
    "igny8_prompt_list_json": (I, [STORE, OWNED]),
    "igny8_prompt_increment_version": (I, [STORE, S, STRS, SZ, S]),
    "igny8_prompt_set_active_bulk": (I, [STORE, S, STRS, SZ, I]),
    "igny8_account_prompt_customize": (I, [STORE, S, I64, S, S]),
    "igny8_account_prompt_reset": (I, [STORE, S, I64, S]),
    "igny8_account_prompt_reset_bulk": (I, [STORE, S, I64S, SZ, S]),
    "igny8_account_prompt_get_json": (I, [STORE, I64, S, OWNED]),
    "igny8_account_prompt_list_json": (I, [STORE, I64, OWNED]),
    "igny8_prompt_stale_accounts_json": (I, [STORE, S, OWNED]),
    "igny8_prompt_render": (I, [STORE, I64, S, S, OWNED]),
    "igny8_prompt_type": (S, [PROMPT]),
    "igny8_prompt_value": (S, [PROMPT]),
    "igny8_prompt_version": (I, [PROMPT]),
    "igny8_prompt_variables_json": (S, [PROMPT]),
    "igny8_prompt_description": (S, [PROMPT]),
    "igny8_prompt_message": (S, [PROMPT]),
    "igny8_prompt_author": (S, [PROMPT]),
    "igny8_prompt_created_at": (S, [PROMPT]),
    "igny8_prompt_is_published": (I, [PROMPT]),
    "igny8_prompt_free": (None, [PROMPT]),
    # library
    "igny8_library_filter_init": (I, [POINTER(LibraryFilter), U]),
    "igny8_library_create_json": (I, [STORE, S, I, S, POINTER(I64)]),
    "igny8_library_update_json": (I, [STORE, S, I, I64, S]),
    "igny8_library_set_active": (I, [STORE, S, I, I64, I]),
    "igny8_library_set_active_bulk": (I, [STORE, S, I, I64S, SZ, I]),
    "igny8_library_get_json": (I, [STORE, I, I64, OWNED]),
    "igny8_library_list_json": (I, [STORE, I, POINTER(LibraryFilter), OWNED]),
    "igny8_library_clone": (I, [STORE, S, I, I64, I64, POINTER(I64)]),
    "igny8_library_bulk_clone": (I, [STORE, S, I, I64S, SZ, I64S, SZ, I, POINTER(SZ)]),
    "igny8_library_copy_update_json": (I, [STORE, S, I, I64, I64, S]),
    "igny8_library_copy_reset": (I, [STORE, S, I, I64, I64]),
    "igny8_library_copy_delete": (I, [STORE, S, I, I64, I64]),
    "igny8_library_copy_get_json": (I, [STORE, I, I64, I64, OWNED]),
    "igny8_library_copy_list_json": (I, [STORE, I, I64, OWNED]),
    # operations
    "igny8_connection_test_options_init": (I, [POINTER(ConnectionTestOptions), U]),
    "igny8_connection_test": (I, [STORE, S, S, POINTER(ConnectionTestOptions), OWNED]),
    "igny8_connection_status_json": (I, [STORE, OWNED]),
    "igny8_health_json": (I, [STORE, OWNED]),
    # export / import
    "igny8_export_options_init": (I, [POINTER(ExportOptions), U]),
    "igny8_import_options_init": (I, [POINTER(ImportOptions), U]),
    "igny8_store_export_json": (I, [STORE, POINTER(ExportOptions), OWNED]),
    "igny8_store_import_json": (I, [STORE, S, S, POINTER(ImportOptions)]),
}


def _candidates() -> list:
    env = os.environ.get("IGNY8_LIBRARY")
    if env:
        return [env]
    here = Path(__file__).resolve()
    found = [str(p) for p in (here.parents[3] / "build").glob("libigny8settings.so.*")
             if p.name.count(".") == 2] if len(here.parents) > 3 else []
    return found + ["libigny8settings.so.1"]


def _load() -> ctypes.CDLL:
    tried = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            tried.append(f"{name}: {e}")
    raise ImportError("libigny8settings not found (set IGNY8_LIBRARY): " + "; ".join(tried))


lib = _load()


def _check(rc: int, func: Callable, args: tuple) -> int:
    """errcheck of every int-returning call: read this thread's last error at once."""
    if rc >= 0:
        return rc
    raise last_error(rc)


def last_error(rc: int) -> errors.Igny8Error:
    """The exception for this thread's last error (rc: the code the call gave)."""
    e = lib.igny8_error_last().contents
    message = e.message.decode("utf-8", "replace") if e.message else ""
    field = e.field.decode("utf-8", "replace") if e.field else None
    return errors.error_for(rc, message, field)


def _missing(name: str) -> Callable:
    def call(*_args: Any) -> None:
        raise errors.Igny8Error(errors.ERROR, f"the loaded libigny8settings has no {name}: it is older "
                                              f"than these bindings")
    return call


class _Functions:
    """Attribute access to the declared functions."""


fn = _Functions()
for _name, (_restype, _argtypes) in _SIGNATURES.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        setattr(fn, _name[len("igny8_"):], _missing(_name))
        continue
    _f.restype = _restype
    _f.argtypes = _argtypes
    if _restype is I:
        _f.errcheck = _check
    setattr(fn, _name[len("igny8_"):], _f)


# The resolve path's calls once more, as separate function objects without errcheck: a
# Python errcheck costs about 0.25 us a call, as much as the C resolver itself on a cache
# hit. Their callers test the code and call last_error() at once, on the same thread, as
# _check does. Same argtypes and restype as above.
_FAST = ("igny8_get_model_for_operation", "igny8_resolution_view_get")
fast = _Functions()
for _name in _FAST:
    _restype, _argtypes = _SIGNATURES[_name]
    try:
        _f = lib[_name]  # indexing makes a new function object; getattr would return the one above
    except AttributeError:
        setattr(fast, _name[len("igny8_"):], _missing(_name))
        continue
    _f.restype = _restype
    _f.argtypes = _argtypes
    setattr(fast, _name[len("igny8_"):], _f)


def _library_version() -> tuple:
    major, minor, patch = c_int(), c_int(), c_int()
    text = fn.version(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
    return (major.value, minor.value, patch.value, text.decode())


def check_major(version: tuple) -> None:
    """Refuse a library of another major version, or an older minor one: its ABI is not
    the one declared here."""
    if version[0] != LIBRARY_MAJOR or version[1] < LIBRARY_MINOR:
        raise ImportError(f"libigny8settings {version[3]} is too old or of another major version; "
                          f"these bindings need {LIBRARY_MAJOR}.{LIBRARY_MINOR} or a later {LIBRARY_MAJOR}.x")


LIBRARY_VERSION = _library_version()
check_major(LIBRARY_VERSION)


def enc(s: Optional[str]) -> Optional[bytes]:
    """A str argument as UTF-8 (None stays NULL). A NUL character would silently cut the
    string short in C, so it is refused."""
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError(f"expected str, got {type(s).__name__}")
    if "\0" in s:
        raise ValueError("a string argument contains a NUL character")
    return s.encode("utf-8")


INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def i64(value: int, name: str = "account_id") -> int:
    """An integer argument that ctypes would otherwise wrap silently into 64 bits."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{name} {value} does not fit in 64 bits")
    return value


def dec(b: Optional[bytes]) -> Optional[str]:
    """A borrowed string, copied to str while its object is alive."""
    return None if b is None else b.decode("utf-8")


def take(call: Callable, *args: Any) -> str:
    """Call a function whose last argument is a char ** the caller owns; free it always."""
    out = c_void_p()
    try:
        call(*args, ctypes.byref(out))
        return ctypes.string_at(out.value).decode("utf-8") if out.value else ""
    finally:
        if out.value:
            fn.free(out)


# The version of each options struct these declarations mirror (the library fills and reads
# exactly that version's fields).
_OPTION_VERSIONS = {"StoreOptions": 4, "ExportOptions": 2, "ImportOptions": 2}


def init_options(init: Callable, struct_type: type) -> Any:
    """An options struct filled by its _init function (Python has no INIT macros)."""
    s = struct_type()
    init(ctypes.byref(s), _OPTION_VERSIONS.get(struct_type.__name__, 1))
    return s
