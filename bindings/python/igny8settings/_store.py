"""The Store: one libigny8settings store, shared safely between threads."""

from __future__ import annotations

import ctypes
import json
import threading
import weakref
from ctypes import byref, c_int, c_int64, c_size_t
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _ffi
from ._ffi import dec, enc, fn, i64, take
from ._resolution import Resolution

Json = Union[Dict[str, Any], List[Any]]
_MODEL_TYPES = {"text": 1, "image": 2}
_KINDS = {"author_profile": 1, "strategy": 2}
_READONLY, _NOCREATE, _SYNC_NORMAL, _POSTGRES, _ALLOW_HTTP = 1, 2, 4, 8, 16
_SKIP_UNHEALTHY = 1
_UINT_MAX = 2 ** 32 - 1
# IGNY8_UNHEALTHY_WINDOW_MAX_S: the longest unhealthy_window_s the library takes (a week),
# for callers that bound the window where it comes in (a query parameter).
UNHEALTHY_WINDOW_MAX_S = 604800
_ALLOW, _DENY, _INHERIT = 1, 0, -1

# What Store.resolve uses, looked up once.
_resolve, _view_get = _ffi.fast.get_model_for_operation, _ffi.fast.resolution_view_get
_RESOLUTION, _View, _VIEW_VERSION = _ffi.RESOLUTION, _ffi.ResolutionView, _ffi.RESOLUTION_VIEW_VERSION
_INT64_MIN, _INT64_MAX = _ffi.INT64_MIN, _ffi.INT64_MAX
# Operation names as UTF-8, for Store.resolve. A platform has a dozen or so; the bound only
# keeps a caller that makes names up from growing it without end.
_OPERATIONS: Dict[str, bytes] = {}
_OPERATIONS_MAX = 256


def _operation_bytes(operation: Any) -> Optional[bytes]:
    b = enc(operation)  # raises for anything but a str without NUL; None stays NULL
    if type(operation) is str and len(_OPERATIONS) < _OPERATIONS_MAX:
        _OPERATIONS[operation] = b
    return b


def _body(value: Union[str, Json, None]) -> Optional[bytes]:
    """A JSON body given as a dict/list (serialised) or as text."""
    if value is None:
        return None
    return enc(value if isinstance(value, str) else json.dumps(value))


def _model_type(t: Union[str, int, None]) -> int:
    if t is None:
        return 0
    if isinstance(t, int):
        return t
    if t not in _MODEL_TYPES:
        raise ValueError(f"model_type must be 'text' or 'image', not {t!r}")
    return _MODEL_TYPES[t]


def _kind(kind: str) -> int:
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'author_profile' or 'strategy', not {kind!r}")
    return _KINDS[kind]


def _active_filter(active: Optional[bool]) -> int:
    return 0 if active is None else (1 if active else 2)


def _strings(values: Sequence[str]) -> Any:
    if isinstance(values, str):  # would pass one name per character
        raise TypeError("expected a sequence of str, not a str")
    return (ctypes.c_char_p * len(values))(*[enc(v) for v in values])


def _cost_limit(value: Optional[float]) -> float:
    """A cost ceiling for C: None is NaN, no ceiling."""
    return float("nan") if value is None else value


def _model_access(access: Optional[bool]) -> int:
    if access is None:
        return _INHERIT
    if not isinstance(access, bool):
        raise TypeError(f"access must be True (allow), False (deny) or None (inherit), not {access!r}")
    return _ALLOW if access else _DENY


def _window(seconds: int) -> int:
    """unhealthy_window_s as C's unsigned int, which ctypes would otherwise wrap silently."""
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise TypeError(f"unhealthy_window_s must be an int, not {type(seconds).__name__}")
    if not 0 <= seconds <= _UINT_MAX:
        raise ValueError(f"unhealthy_window_s {seconds} is not in 0..{_UINT_MAX}")
    return seconds


def _ids(values: Sequence[int]) -> Any:
    return (c_int64 * len(values))(*[_ffi.i64(v, "id") for v in values])


class Store:
    """A settings store: an SQLite file (or ":memory:"), or a PostgreSQL database given as a
    postgresql:// URL (or, with postgres=True, any libpq connection string), its tables in
    `schema` (default "igny8settings"). A base_url must be https:// (plain http:// only to
    127.x.y.z, [::1] or localhost); allow_http=True lets it be plain http:// to any host
    (IGNY8_STORE_ALLOW_HTTP). Safe to share between threads; open one per process (after
    fork). Use it as a context manager, or call close()."""

    def __init__(self, path: str = ":memory:", *, busy_timeout_ms: int = 0, readonly: bool = False,
                 create: bool = True, cache_accounts: int = 0, sync_normal: bool = False,
                 schema: Optional[str] = None, postgres: bool = False, allow_http: bool = False,
                 master_key: Optional[str] = None):
        opts = _ffi.init_options(fn.store_options_init, _ffi.StoreOptions)
        opts.busy_timeout_ms = busy_timeout_ms
        opts.cache_accounts = cache_accounts
        opts.flags = ((_READONLY if readonly else 0) | (0 if create else _NOCREATE) |
                      (_SYNC_NORMAL if sync_normal else 0) | (_POSTGRES if postgres else 0) |
                      (_ALLOW_HTTP if allow_http else 0))
        schema_bytes = enc(schema) if schema is not None else None
        opts.schema = schema_bytes  # read by igny8_store_open only, while schema_bytes lives
        key_bytes = enc(master_key) if master_key is not None else None
        opts.master_key = key_bytes  # None: IGNY8_MASTER_KEY_FILE, else IGNY8_MASTER_KEY
        handle = _ffi.STORE()
        fn.store_open(byref(handle), enc(path), byref(opts))
        self._h = handle
        self._path = fn.store_path(handle).decode("utf-8")
        # The calls in flight, one entry each: list.append and list.pop are atomic, so a
        # call costs no lock (a Condition taken twice was a third of a cache hit's cost).
        self._inflight: List[None] = []
        self._closing: Optional[threading.Event] = None  # set by close() while it waits
        self._close_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, fn.store_close, handle)

    # ---- lifecycle ----

    # Enter counts the call before it reads the handle, close() clears the handle before
    # it counts: so either the call sees None and backs out, or close() sees the call and
    # waits for it. Store.resolve does the same inline.
    def _enter(self) -> Any:
        self._inflight.append(None)
        h = self._h
        if h is None:
            self._leave()
            raise ValueError("the store is closed")
        return h

    def _leave(self) -> None:
        self._inflight.pop()
        closing = self._closing
        if closing is not None:
            closing.set()

    def _call(self, func: Any, *args: Any) -> Any:
        h = self._enter()
        try:
            return func(h, *args)
        finally:
            self._leave()

    def _json(self, func: Any, *args: Any) -> Any:
        h = self._enter()
        try:
            return json.loads(take(func, h, *args))
        finally:
            self._leave()

    def close(self) -> None:
        """Close the store, waiting for calls in other threads to finish; calls made
        from now on raise ValueError."""
        with self._close_lock:
            if self._h is not None:
                self._closing = done = threading.Event()
                self._h = None
                while True:  # cleared before each look, so that no leaving call's set() is lost
                    done.clear()
                    if not self._inflight:
                        break
                    done.wait()
            self._finalizer()

    def abandon(self) -> None:
        """Forget this handle without closing it: for a child process after fork() that
        inherited a store opened by its parent (the parent still owns and closes it)."""
        with self._close_lock:
            self._h = None
        self._finalizer.detach()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self._path

    @property
    def schema_version(self) -> int:
        v = c_int()
        self._call(fn.store_schema_version, byref(v))
        return v.value

    def load_defaults(self, actor: str, document: Union[str, Json, None] = None) -> None:
        """Load the shipped defaults (or a document of that shape) into an empty store."""
        self._call(fn.defaults_load, enc(actor), _body(document))

    # ---- models ----

    def model(self, name: str) -> Dict[str, Any]:
        m = _ffi.MODEL()
        self._call(fn.model_get, enc(name), byref(m))
        try:
            return json.loads(take(fn.model_to_json, m))
        finally:
            fn.model_free(m)

    def models(self, provider: Optional[str] = None, model_type: Optional[str] = None,
               active: Optional[bool] = None) -> List[Dict[str, Any]]:
        f = _ffi.init_options(fn.model_filter_init, _ffi.ModelFilter)
        f.provider, f.model_type, f.active = enc(provider), _model_type(model_type), _active_filter(active)
        return self._json(fn.model_list_json, byref(f))

    def add_model(self, actor: str, spec: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        self._call(fn.model_add_json, enc(actor), _body(spec), None)
        return self.model(spec["model_name"] if isinstance(spec, dict) else json.loads(spec)["model_name"])

    def update_model(self, actor: str, name: str, patch: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        self._call(fn.model_update_json, enc(actor), enc(name), _body(patch), None)
        return self.model(name)

    def set_model_active(self, actor: str, name: str, active: bool) -> None:
        self._call(fn.model_set_active, enc(actor), enc(name), int(bool(active)))

    def set_default_model(self, actor: str, name: str) -> None:
        self._call(fn.model_set_default, enc(actor), enc(name))

    def estimate_cost(self, name: str, input_tokens: int = 0, output_tokens: int = 0,
                      images: int = 0) -> Dict[str, Any]:
        """{"usd": float, "credits": int}; NotFoundError when the price is not set."""
        m = _ffi.MODEL()
        self._call(fn.model_get, enc(name), byref(m))
        try:
            cost = _ffi.Cost()
            fn.model_estimate_cost(m, input_tokens, output_tokens, images, byref(cost))
            return {"usd": cost.usd, "credits": cost.credits}
        finally:
            fn.model_free(m)

    # ---- integration settings ----

    def integration(self, account_id: int, integration: str) -> Dict[str, Any]:
        """GET /api/v1/system/settings/integrations/{integration}/ for an account."""
        return self._json(fn.integration_get_json, i64(account_id), enc(integration))

    def put_integration(self, actor: str, account_id: int, integration: str,
                        body: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        """PUT of the same path; returns the new GET body."""
        return self._json(fn.integration_put_json, enc(actor), i64(account_id), enc(integration), _body(body))

    def integrations(self, account_id: int) -> List[Dict[str, Any]]:
        return self._json(fn.integration_list_json, i64(account_id))

    def reset_integration(self, actor: str, account_id: int, integration: str) -> Dict[str, Any]:
        """Remove the account's overrides of an integration (enabled and its own key are
        kept), so it follows the platform again; returns the new GET body."""
        self._call(fn.account_integration_reset, enc(actor), i64(account_id), enc(integration))
        return self.integration(account_id, integration)

    def global_settings(self) -> Dict[str, Any]:
        """GET /api/v1/admin/global-settings/ (keys masked)."""
        return self._json(fn.global_settings_get_json)

    def put_global_settings(self, actor: str, body: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        return self._json(fn.global_settings_put_json, enc(actor), _body(body))

    def set_global_key(self, actor: str, integration: str, key: Optional[str]) -> None:
        """Set (or remove, with None) the platform's API key of an integration."""
        self._call(fn.global_key_set, enc(actor), enc(integration), enc(key))

    def set_account_key(self, actor: str, account_id: int, integration: str, key: Optional[str]) -> None:
        """Set (or remove) an account's own API key: the privileged call."""
        self._call(fn.account_key_set, enc(actor), i64(account_id), enc(integration), enc(key))

    def set_global_active(self, actor: str, active: bool) -> None:
        self._call(fn.global_set_active, enc(actor), int(bool(active)))

    def set_global_default_model(self, actor: str, model: str) -> None:
        self._call(fn.global_default_model_set, enc(actor), enc(model))

    # ---- account choices, operations, resolver ----

    def set_account_provider(self, actor: str, account_id: int, model_type: str, provider: Optional[str]) -> None:
        self._call(fn.account_provider_set, enc(actor), i64(account_id), _model_type(model_type), enc(provider))

    def set_account_operation_model(self, actor: str, account_id: int, operation: str,
                                    model: Optional[str]) -> None:
        self._call(fn.account_operation_model_set, enc(actor), i64(account_id), enc(operation), enc(model))

    def account_models(self, account_id: int) -> Dict[str, Any]:
        return self._json(fn.account_models_get_json, i64(account_id))

    def operations(self) -> List[Dict[str, Any]]:
        return self._json(fn.operation_list_json)

    def resolve(self, account_id: int, operation: str, model: Optional[str] = None, *,
                skip_unhealthy: bool = False, unhealthy_window_s: int = 0) -> Resolution:
        """get_model_for_operation: the model, parameters and key for an account's operation,
        and its fallbacks (Resolution.fallbacks). skip_unhealthy: also skip a model whose
        integration's last connection test failed within unhealthy_window_s seconds (0: the
        library's default, 300), so that a provider's outage moves to the fallbacks."""
        if skip_unhealthy or unhealthy_window_s:
            return self._resolve_with_options(account_id, operation, model, skip_unhealthy, unhealthy_window_s)
        # The hot path of every AI call: two foreign calls (resolve, view) and the free
        # later, with the argument checks, _enter and _leave inline.
        if type(account_id) is not int or not _INT64_MIN <= account_id <= _INT64_MAX:
            i64(account_id)  # raises the TypeError or ValueError
        try:
            op = _OPERATIONS[operation]
        except (KeyError, TypeError):
            op = _operation_bytes(operation)
        request = None if model is None else enc(model)
        r = _RESOLUTION()
        inflight = self._inflight
        inflight.append(None)
        try:
            h = self._h
            if h is None:
                raise ValueError("the store is closed")
            rc = _resolve(h, account_id, op, request, byref(r))
            if rc < 0:
                raise _ffi.last_error(rc)  # this thread's error, read at once
        finally:
            inflight.pop()
            closing = self._closing
            if closing is not None:
                closing.set()
        view = _View()
        view.version = _VIEW_VERSION  # cheaper than _View(_VIEW_VERSION), which goes through __init__'s arguments
        rc = _view_get(r, byref(view))
        if rc < 0:
            error = _ffi.last_error(rc)
            fn.resolution_free(r)
            raise error
        return Resolution(r, view)

    def _resolve_with_options(self, account_id: int, operation: str, model: Optional[str], skip_unhealthy: bool,
                              unhealthy_window_s: int) -> Resolution:
        """resolve() through igny8_get_model_for_operation_v2: off the hot path."""
        o = _ffi.init_options(fn.resolve_options_init, _ffi.ResolveOptions)
        o.flags = _SKIP_UNHEALTHY if skip_unhealthy else 0
        o.unhealthy_window_s = _window(unhealthy_window_s)
        r = _RESOLUTION()
        self._call(fn.get_model_for_operation_v2, i64(account_id), enc(operation), enc(model), byref(o), byref(r))
        return Resolution(r)  # it owns r from its first line: freed even if its view fails

    # ---- plans: access groups, accounts' access, fallback chains ----

    def access_groups(self) -> List[Dict[str, Any]]:
        """Every access group's body (the platform's plans), in name order."""
        return self._json(fn.access_group_list_json)

    def access_group(self, name: str) -> Dict[str, Any]:
        """{"name","description","models","accounts","updated_at","updated_by"}."""
        return self._json(fn.access_group_get_json, enc(name))

    def put_access_group(self, actor: str, name: str, body: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        """Create the group, or change the fields present; returns the new body."""
        return self._json(fn.access_group_put_json, enc(actor), enc(name), _body(body))

    def set_access_group(self, actor: str, name: str, models: Sequence[str], description: Optional[str] = None) -> None:
        """Create or replace a group: its models and description."""
        self._call(fn.access_group_set, enc(actor), enc(name), enc(description), _strings(models), len(models))

    def delete_access_group(self, actor: str, name: str) -> None:
        """ConflictError while accounts are assigned it."""
        self._call(fn.access_group_delete, enc(actor), enc(name))

    def account_access(self, account_id: int) -> Dict[str, Any]:
        """The account's plan: group, additions, removals, ceilings, its own fallback chains
        and the models its rules allow."""
        return self._json(fn.account_access_get_json, i64(account_id))

    def put_account_access(self, actor: str, account_id: int, body: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        """Change the fields present (null clears one), in one transaction; returns the new body."""
        return self._json(fn.account_access_put_json, enc(actor), i64(account_id), _body(body))

    def set_account_group(self, actor: str, account_id: int, group: Optional[str]) -> None:
        """Assign the account a group; None: none (every model allowed)."""
        self._call(fn.account_access_group_set, enc(actor), i64(account_id), enc(group))

    def set_account_model_access(self, actor: str, account_id: int, model: str, access: Optional[bool]) -> None:
        """The account's own rule for a model: True allows it whatever the group, False
        denies it, None follows the group again."""
        self._call(fn.account_model_access_set, enc(actor), i64(account_id), enc(model), _model_access(access))

    def set_account_budget(self, actor: str, account_id: int, max_cost_per_1k_tokens: Optional[float] = None,
                           max_cost_per_image: Optional[float] = None) -> None:
        """The account's cost ceilings in USD (None: no ceiling)."""
        self._call(fn.account_budget_set, enc(actor), i64(account_id), _cost_limit(max_cost_per_1k_tokens),
                   _cost_limit(max_cost_per_image))

    def account_choosable_models(self, account_id: int, provider: Optional[str] = None,
                                 model_type: Optional[str] = None) -> List[Dict[str, Any]]:
        """The models the account may choose now (its settings page's dropdown): active,
        allowed by its plan and within its ceilings; bodies as models() gives them."""
        f = _ffi.init_options(fn.model_filter_init, _ffi.ModelFilter)
        f.provider, f.model_type = enc(provider), _model_type(model_type)
        return self._json(fn.account_model_list_json, i64(account_id), byref(f))

    def fallbacks(self, account_id: int = 0) -> Dict[str, List[str]]:
        """The fallback chains, operation -> models: the platform's (account_id 0) or the
        account's own (each replaces the platform's for its operation)."""
        return self._json(fn.fallback_chains_get_json, i64(account_id))

    def put_fallbacks(self, actor: str, account_id: int, body: Union[str, Dict[str, Any]]) -> Dict[str, List[str]]:
        """Each operation present gets its list (null removes its chain), in one
        transaction; returns the new chains."""
        return self._json(fn.fallback_chains_put_json, enc(actor), i64(account_id), _body(body))

    def set_fallback_chain(self, actor: str, account_id: int, operation: str, models: Optional[Sequence[str]]) -> None:
        """Set one operation's chain (account_id 0: the platform's); models None removes it,
        [] sets an empty one (an account: no fallbacks)."""
        names = None if models is None else _strings(models)
        self._call(fn.fallback_chain_set, enc(actor), i64(account_id), enc(operation), names,
                   0 if models is None else len(models))

    # ---- modules ----

    def modules(self, account_id: int = 0) -> Dict[str, Any]:
        """GET /api/v1/system/module-settings/ (account_id 0: the platform's view)."""
        return self._json(fn.module_list_json, i64(account_id))

    def put_modules(self, actor: str, account_id: int, body: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        return self._json(fn.module_put_json, enc(actor), i64(account_id), _body(body))

    def add_module(self, actor: str, name: str, description: Optional[str] = None, enabled: bool = True) -> None:
        self._call(fn.module_add, enc(actor), enc(name), enc(description), int(bool(enabled)))

    def set_module(self, actor: str, name: str, enabled: bool) -> None:
        self._call(fn.module_set, enc(actor), enc(name), int(bool(enabled)))

    def set_account_module(self, actor: str, account_id: int, name: str, enabled: Optional[bool]) -> None:
        """Override a module for an account; None follows the platform again."""
        self._call(fn.module_account_set, enc(actor), i64(account_id), enc(name), -1 if enabled is None else int(enabled))

    def module_enabled(self, account_id: int, name: str) -> bool:
        v = c_int()
        self._call(fn.module_enabled, i64(account_id), enc(name), byref(v))
        return bool(v.value)

    # ---- audit ----

    def audit(self, entity: Optional[str] = None, account_id: int = 0, since: Optional[str] = None,
              limit: int = 0, actor: Optional[str] = None) -> List[Dict[str, Any]]:
        q = _ffi.init_options(fn.audit_query_init, _ffi.AuditQuery)
        q.entity, q.account_id, q.since, q.limit, q.actor = enc(entity), account_id, enc(since), limit, enc(actor)
        return self._json(fn.audit_query_json, byref(q))["entries"]

    # ---- prompts ----

    def _prompt_dict(self, p: Any) -> Dict[str, Any]:
        try:
            return {
                "prompt_type": dec(fn.prompt_type(p)), "version": fn.prompt_version(p),
                "value": dec(fn.prompt_value(p)), "variables": json.loads(dec(fn.prompt_variables_json(p))),
                "description": dec(fn.prompt_description(p)), "message": dec(fn.prompt_message(p)),
                "author": dec(fn.prompt_author(p)), "created_at": dec(fn.prompt_created_at(p)),
                "published": bool(fn.prompt_is_published(p)),
            }
        finally:
            fn.prompt_free(p)

    def add_prompt_type(self, actor: str, prompt_type: str) -> None:
        self._call(fn.prompt_type_add, enc(actor), enc(prompt_type))

    def commit_prompt(self, actor: str, prompt_type: str, value: str, *, description: Optional[str] = None,
                      message: Optional[str] = None, publish: bool = False) -> Dict[str, Any]:
        """Commit a new immutable version (the latest + 1); returns it."""
        o = _ffi.init_options(fn.prompt_commit_options_init, _ffi.PromptCommitOptions)
        o.prompt_type, o.value, o.description, o.message = enc(prompt_type), enc(value), enc(description), enc(message)
        o.publish = int(bool(publish))
        p = _ffi.PROMPT()
        self._call(fn.prompt_commit, enc(actor), byref(o), byref(p))
        return self._prompt_dict(p)

    def publish_prompt(self, actor: str, prompt_type: str, version: int) -> None:
        """Publish a version; an older one is a rollback."""
        self._call(fn.prompt_publish, enc(actor), enc(prompt_type), version)

    def set_prompt_active(self, actor: str, prompt_type: str, active: bool) -> None:
        self._call(fn.prompt_set_active, enc(actor), enc(prompt_type), int(bool(active)))

    def prompt(self, prompt_type: str, version: int = 0) -> Dict[str, Any]:
        """A version of a prompt type (0: the published one)."""
        p = _ffi.PROMPT()
        self._call(fn.prompt_get, enc(prompt_type), version, byref(p))
        return self._prompt_dict(p)

    def prompt_versions(self, prompt_type: str) -> Dict[str, Any]:
        return self._json(fn.prompt_versions_json, enc(prompt_type))

    def prompt_diff(self, prompt_type: str, from_version: int, to_version: int) -> str:
        h = self._enter()
        try:
            return take(fn.prompt_diff, h, enc(prompt_type), from_version, to_version)
        finally:
            self._leave()

    def prompts(self) -> List[Dict[str, Any]]:
        """The admin list of prompt types."""
        return self._json(fn.prompt_list_json)

    def increment_prompt_versions(self, actor: str, prompt_types: Sequence[str], message: str) -> None:
        self._call(fn.prompt_increment_version, enc(actor), _strings(prompt_types), len(prompt_types), enc(message))

    def set_prompts_active(self, actor: str, prompt_types: Sequence[str], active: bool) -> None:
        self._call(fn.prompt_set_active_bulk, enc(actor), _strings(prompt_types), len(prompt_types),
                   int(bool(active)))

    def customize_prompt(self, actor: str, account_id: int, prompt_type: str, value: str) -> Dict[str, Any]:
        self._call(fn.account_prompt_customize, enc(actor), i64(account_id), enc(prompt_type), enc(value))
        return self.account_prompt(account_id, prompt_type)

    def reset_prompt(self, actor: str, account_id: int, prompt_type: str) -> Dict[str, Any]:
        self._call(fn.account_prompt_reset, enc(actor), i64(account_id), enc(prompt_type))
        return self.account_prompt(account_id, prompt_type)

    def reset_prompts(self, actor: str, account_ids: Sequence[int], prompt_type: str) -> None:
        self._call(fn.account_prompt_reset_bulk, enc(actor), _ids(account_ids), len(account_ids), enc(prompt_type))

    def account_prompt(self, account_id: int, prompt_type: str) -> Dict[str, Any]:
        """The account's view: effective value, customised, based_on_version, stale."""
        return self._json(fn.account_prompt_get_json, i64(account_id), enc(prompt_type))

    def account_prompts(self, account_id: int) -> List[Dict[str, Any]]:
        return self._json(fn.account_prompt_list_json, i64(account_id))

    def stale_prompt_accounts(self, prompt_type: str) -> Dict[str, Any]:
        return self._json(fn.prompt_stale_accounts_json, enc(prompt_type))

    def render_prompt(self, account_id: int, prompt_type: str, variables: Union[str, Dict[str, Any], None] = None) -> str:
        """Render the effective prompt (account_id 0: the published one)."""
        h = self._enter()
        try:
            return take(fn.prompt_render, h, i64(account_id), enc(prompt_type), _body(variables))
        finally:
            self._leave()

    # ---- libraries of author profiles and strategies ----

    def create_library_item(self, actor: str, kind: str, item: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        new_id = c_int64()
        self._call(fn.library_create_json, enc(actor), _kind(kind), _body(item), byref(new_id))
        return self.library_item(kind, new_id.value)

    def update_library_item(self, actor: str, kind: str, item_id: int,
                            patch: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        self._call(fn.library_update_json, enc(actor), _kind(kind), item_id, _body(patch))
        return self.library_item(kind, item_id)

    def set_library_item_active(self, actor: str, kind: str, item_id: int, active: bool) -> None:
        self._call(fn.library_set_active, enc(actor), _kind(kind), item_id, int(bool(active)))

    def set_library_items_active(self, actor: str, kind: str, ids: Sequence[int], active: bool) -> None:
        self._call(fn.library_set_active_bulk, enc(actor), _kind(kind), _ids(ids), len(ids), int(bool(active)))

    def library_item(self, kind: str, item_id: int) -> Dict[str, Any]:
        return self._json(fn.library_get_json, _kind(kind), item_id)

    def library(self, kind: str, category: Optional[str] = None, active: Optional[bool] = None,
                search: Optional[str] = None) -> List[Dict[str, Any]]:
        f = _ffi.init_options(fn.library_filter_init, _ffi.LibraryFilter)
        f.category, f.active, f.search = enc(category), _active_filter(active), enc(search)
        return self._json(fn.library_list_json, _kind(kind), byref(f))

    def clone_library_item(self, actor: str, kind: str, account_id: int, source_id: int) -> Dict[str, Any]:
        copy_id = c_int64()
        self._call(fn.library_clone, enc(actor), _kind(kind), i64(account_id), i64(source_id, "source_id"), byref(copy_id))
        return self.library_copy(kind, account_id, copy_id.value)

    def bulk_clone_library_items(self, actor: str, kind: str, source_ids: Sequence[int],
                                 account_ids: Sequence[int], *, fail_on_existing: bool = False) -> int:
        """Clone every source to every account in one transaction; returns the copies made."""
        created = c_size_t()
        self._call(fn.library_bulk_clone, enc(actor), _kind(kind), _ids(source_ids), len(source_ids),
                   _ids(account_ids), len(account_ids), int(bool(fail_on_existing)), byref(created))
        return created.value

    def update_library_copy(self, actor: str, kind: str, account_id: int, copy_id: int,
                            patch: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
        self._call(fn.library_copy_update_json, enc(actor), _kind(kind), i64(account_id), i64(copy_id, "copy_id"), _body(patch))
        return self.library_copy(kind, account_id, copy_id)

    def reset_library_copy(self, actor: str, kind: str, account_id: int, copy_id: int) -> Dict[str, Any]:
        self._call(fn.library_copy_reset, enc(actor), _kind(kind), i64(account_id), i64(copy_id, "copy_id"))
        return self.library_copy(kind, account_id, copy_id)

    def delete_library_copy(self, actor: str, kind: str, account_id: int, copy_id: int) -> None:
        self._call(fn.library_copy_delete, enc(actor), _kind(kind), i64(account_id), i64(copy_id, "copy_id"))

    def library_copy(self, kind: str, account_id: int, copy_id: int) -> Dict[str, Any]:
        return self._json(fn.library_copy_get_json, _kind(kind), i64(account_id), i64(copy_id, "copy_id"))

    def library_copies(self, kind: str, account_id: int) -> List[Dict[str, Any]]:
        return self._json(fn.library_copy_list_json, _kind(kind), i64(account_id))

    # ---- operations ----

    def test_connection(self, actor: str, integration: str, *, account_id: int = 0,
                        connect_timeout_ms: int = 0, timeout_ms: int = 0) -> Dict[str, Any]:
        """One real request to the provider with the key the platform (or account) uses;
        the result (ok, http_status, latency_ms, error_class, message) is also recorded."""
        o = _ffi.init_options(fn.connection_test_options_init, _ffi.ConnectionTestOptions)
        o.account_id, o.connect_timeout_ms, o.timeout_ms = i64(account_id), connect_timeout_ms, timeout_ms
        return self._json(fn.connection_test, enc(actor), enc(integration), byref(o))

    def connection_status(self) -> List[Dict[str, Any]]:
        """The last connection test of every integration and key owner."""
        return self._json(fn.connection_status_json)

    def health(self) -> Dict[str, Any]:
        """The store's health: versions, quick_check, keys configured, defaults usable, counts."""
        return self._json(fn.health_json)

    # ---- export / import ----

    def export(self, *, with_keys: bool = False, passphrase: Optional[str] = None,
               plaintext_keys: bool = False) -> Dict[str, Any]:
        """The whole store as one document; with_keys: the keys sealed under the passphrase,
        else under the store's master key, or in plain text with plaintext_keys."""
        o = _ffi.init_options(fn.export_options_init, _ffi.ExportOptions)
        o.flags = (1 if with_keys else 0) | (2 if plaintext_keys else 0)
        phrase = enc(passphrase) if passphrase is not None else None
        o.passphrase = phrase
        return self._json(fn.store_export_json, byref(o))

    def import_document(self, actor: str, document: Union[str, Dict[str, Any]], *, replace: bool = False,
                        passphrase: Optional[str] = None) -> None:
        """Import a document in one transaction (merge, or replace the whole store); passphrase
        opens keys sealed under one."""
        o = _ffi.init_options(fn.import_options_init, _ffi.ImportOptions)
        o.mode = 1 if replace else 0
        phrase = enc(passphrase) if passphrase is not None else None
        o.passphrase = phrase
        self._call(fn.store_import_json, enc(actor), _body(document), byref(o))

    def rekey(self, actor: str, new_master_key: str) -> None:
        """Seal every API key under a new master key, in one transaction."""
        self._call(fn.store_rekey, enc(actor), enc(new_master_key))


def master_key_new() -> str:
    """A new random master key (base64 of 32 bytes): keep it secret, out of the store's backups."""
    buf = ctypes.create_string_buffer(45)
    fn.master_key_new(buf)
    key = buf.value.decode("ascii")
    ctypes.memset(buf, 0, len(buf))
    return key


def template_variables(template: str) -> List[str]:
    """The variables of a template, in order of first use (ValidationError when malformed)."""
    return json.loads(take(fn.template_variables_json, enc(template)))


def render_template(template: str, variables: Union[str, Dict[str, Any], None] = None) -> str:
    """Render a template as Python's str.format would, strictly."""
    return take(fn.template_render, enc(template), _body(variables))


def text_diff(old: str, new: str, old_label: Optional[str] = None, new_label: Optional[str] = None) -> str:
    """A unified diff of two texts ("" when equal)."""
    return take(fn.text_diff, enc(old), enc(new), enc(old_label), enc(new_label))
