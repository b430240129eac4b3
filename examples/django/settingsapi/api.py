"""The HTTP layer every view shares: access checks, method dispatch, JSON request bodies
and query parameters in, JSON (or 201/204) out, and every error as

    {"error": {"code": "...", "field": "..." or null, "message": "..."}}

It holds no settings logic: the library validates what it is given and names the field
at fault; this layer only turns HTTP into the Python types a binding call takes (and
refuses what the binding could not pass on to C faithfully: wrong types, NUL bytes,
integers beyond 64 bits).

| status | code | when |
| --- | --- | --- |
| 400 | invalid | igny8settings.ValidationError, a bad body field or query parameter, or a name given twice in one object of the body (field: its path) |
| 400 | invalid_json | the body is not a JSON object, or nests deeper than MAX_JSON_DEPTH |
| 400 | invalid_credentials | wrong username or password at login |
| 401 | not_authenticated | no logged-in user |
| 403 | permission_denied | a staff-only path, for a user who is not staff |
| 403 | no_account | the user has no AccountMembership |
| 403 | csrf_failed | a write without the CSRF token |
| 404 | not_found | igny8settings.NotFoundError, or no such path |
| 405 | method_not_allowed | with an Allow header |
| 409 | conflict | igny8settings.ConflictError |
| 413 | too_large | the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE |
| 415 | unsupported_media_type | a JSON body sent without Content-Type: application/json (charset utf-8 if any) |
| 503 | master_key_unavailable | igny8settings.MasterKeyError: the store's keys are sealed and this process has no master key (IGNY8_MASTER_KEY_FILE) |
| 503 | store_unavailable | igny8settings.StoreError (busy, damaged, read-only, newer, unreadable) |
| 500 | internal | any other library error |
"""

import json
import math
import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

import igny8settings

PUBLIC, USER, ACCOUNT, STAFF = "public", "user", "account", "staff"
INT64_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


class ApiError(Exception):
    def __init__(self, status, code, message, field=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message
        self.headers = headers or {}

    def response(self):
        return error_response(self.status, self.code, self.message, self.field, self.headers)


def error_response(status, code, message, field=None, headers=None):
    response = JsonResponse({"error": {"code": code, "field": field, "message": message}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid(field, message):
    return ApiError(400, "invalid", message, field)


# Library exceptions, most specific first.
_LIBRARY_ERRORS = (
    (igny8settings.ValidationError, 400, "invalid"),
    (igny8settings.NotFoundError, 404, "not_found"),
    (igny8settings.ConflictError, 409, "conflict"),
    (igny8settings.MasterKeyError, 503, "master_key_unavailable"),
    (igny8settings.StoreError, 503, "store_unavailable"),
    (igny8settings.Igny8Error, 500, "internal"),
)


def library_error(e):
    for cls, status, code in _LIBRARY_ERRORS:
        if isinstance(e, cls):
            return error_response(status, code, e.message, e.field)
    raise TypeError(e)  # not reached: every library error is an Igny8Error


class Created:
    """A view's result that is a new resource: 201 with its JSON."""

    def __init__(self, value):
        self.value = value


def _respond(value):
    if isinstance(value, HttpResponse):
        return value
    if value is None:
        return HttpResponse(status=204)
    if isinstance(value, Created):
        return JsonResponse(value.value, status=201, safe=False)
    return JsonResponse(value, safe=False)


def require_user(request):
    """401 unless someone is logged in; sets request.actor (the username)."""
    user = request.user
    if not user.is_authenticated:
        raise ApiError(401, "not_authenticated", "log in first (Django session)",
                       headers={"WWW-Authenticate": 'Session realm="igny8"'})
    request.actor = user.get_username()


def require_staff(request):
    """403 permission_denied unless the (logged-in) user is staff."""
    if not request.user.is_staff:
        raise ApiError(403, "permission_denied", "this path is for staff only")


def require_account(request):
    """403 no_account unless the (logged-in) user acts for an account; sets request.account_id."""
    membership = getattr(request.user, "igny8_membership", None)
    if membership is None:
        raise ApiError(403, "no_account", f"user {request.user.get_username()!r} acts for no account "
                                          f"(AccountMembership)")
    request.account_id = membership.account_id


def _check_access(request, access):
    if access == PUBLIC:
        return
    require_user(request)
    if access == STAFF:
        require_staff(request)
    if access == ACCOUNT:
        require_account(request)


def endpoint(access, **handlers):
    """One URL: the access it needs (PUBLIC, USER, ACCOUNT or STAFF) and a view function
    per HTTP method. Access is checked first (401, 403), then the method (405). A view
    returns a dict or list (200), Created(...) (201), None (204) or an HttpResponse;
    it finds request.actor (the username) and, for ACCOUNT, request.account_id."""
    if "GET" in handlers:
        handlers.setdefault("HEAD", handlers["GET"])
    allow = ", ".join(sorted(handlers))

    def view(request, **kwargs):
        try:
            _check_access(request, access)
            handler = handlers.get(request.method)
            if handler is None:
                raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed here (allowed: {allow})",
                               headers={"Allow": allow})
            response = _respond(handler(request, **kwargs))
        except ApiError as e:
            response = e.response()
        except igny8settings.Igny8Error as e:
            response = library_error(e)
        if request.method == "HEAD":
            response.content = b""
        add_never_cache_headers(response)
        return response

    view.allowed_methods = allow
    return view


def not_found(request, **kwargs):
    """Any other path under /api/: a JSON 404 whatever DEBUG says."""
    return error_response(404, "not_found", f"no endpoint {request.path} (the API's paths end with '/')")


def csrf_failure(request, reason=""):
    return error_response(403, "csrf_failed", f"CSRF check failed ({reason.rstrip('.')}): send the csrftoken "
                                              f"cookie's value in the X-CSRFToken header")


def server_error(request):
    return error_response(500, "internal", "internal server error")


# ---- request bodies ----

# Far deeper than any settings body, far below what Python's json (recursive) survives.
MAX_JSON_DEPTH = 64
_STRUCTURE = re.compile(r'["\[\]{}]')
_COLON = re.compile(r"[ \t\n\r]*:")


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _finite(number):
    value = float(number)
    if math.isinf(value):
        raise ValueError(f"the number {number} is out of range")
    return value


class _Object(dict):
    """A JSON object as parsed: a dict that remembers the first name it was given twice."""
    duplicate = None


def _object(pairs):
    obj = _Object()
    for name, value in pairs:
        if name in obj and obj.duplicate is None:
            obj.duplicate = name
        obj[name] = value
    return obj


def _string_end(text, start):
    """The index after the JSON string whose opening quote is just before start
    (len(text) when it never ends). Linear: each quote and backslash is looked at once."""
    i = start
    while True:
        j = text.find('"', i)
        if j < 0:
            return len(text)
        k = j
        while k > start and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:  # not escaped
            return j + 1
        i = j + 1


def _member_name(text, span):
    try:
        return json.loads(text[span[0]:span[1]])[:200]
    except ValueError:
        return None


def _too_deep(text):
    """None, or (offset, top-level member or None) where text first nests deeper than
    MAX_JSON_DEPTH, found without recursion and before json.loads recurses into it."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None  # the usual body: no need to look closer
    depth, member, i = 0, None, 0
    while True:
        m = _STRUCTURE.search(text, i)
        if m is None:
            return None
        token, i = m.group(), m.end()
        if token == '"':
            i = _string_end(text, i)
            if depth == 1 and _COLON.match(text, i):
                member = (m.start(), i)
        elif token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return m.start(), member and _member_name(text, member)
        else:
            depth -= 1


def _path(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def _duplicate(value, prefix=""):
    """The path of a name given twice in an object (the library's form:
    integrations.openai.temperature, sections[2].heading), or None. The depth is bounded."""
    if isinstance(value, _Object):
        if value.duplicate is not None:
            return _path(prefix, value.duplicate)
        for name, item in value.items():
            found = _duplicate(item, _path(prefix, name))
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _duplicate(item, f"{prefix}[{i}]")
            if found:
                return found
    return None


def _check_content_type(request):
    """415 unless the body comes as application/json (any parameters; a charset must be UTF-8)."""
    media = (request.content_type or "").strip().lower()
    charset = (request.content_params.get("charset") or "utf-8").strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", f"the request body must be sent with Content-Type: "
                                                      f"application/json, not {media[:64] or 'none'!r}")
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, "unsupported_media_type", f"a JSON body is UTF-8: send application/json with "
                                                      f"charset utf-8 or none, not {charset[:32]!r}")


def _parse(text):
    deep = _too_deep(text)
    if deep:
        offset, member = deep
        raise ApiError(400, "invalid_json", f"the request body nests deeper than {MAX_JSON_DEPTH} arrays or objects "
                                            f"(at character {offset})", member)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite, object_pairs_hook=_object)
    except RecursionError:  # not reached below MAX_JSON_DEPTH; never a 500 if it were
        raise ApiError(400, "invalid_json", "the request body nests too deeply")
    except ValueError as e:
        raise ApiError(400, "invalid_json", f"the request body is not JSON: {e}")


def body(request):
    """The request body: a JSON object sent as application/json (415 otherwise), each name
    at most once per object (400 invalid, naming its path: the library refuses that too,
    and a dict would keep only the last), nested at most MAX_JSON_DEPTH deep (400
    invalid_json)."""
    _check_content_type(request)
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, "too_large", "the request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ApiError(400, "invalid_json", f"the request body is not JSON: {e}")
    value = _parse(text)
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    twice = _duplicate(value)
    if twice:
        raise invalid(twice[:200], f"{twice[:200]} is given twice in one object: which value counts would be a guess")
    return value


def fields(request, required=(), **checks):
    """The body's fields, each passed through its check (text, flag, ...); a missing or
    null field is None unless it is required; an unknown field is refused."""
    data = body(request)
    for name in data:
        if name not in checks:
            raise invalid(name, f"unknown field {name!r} (fields: {', '.join(checks)})")
    out = {}
    for name, check in checks.items():
        value = data.get(name)
        if value is None:
            if name in required:
                raise invalid(name, f"{name} is required")
            out[name] = None
        else:
            out[name] = check(name, value)
    return out


def text(name, value):
    """A string the C library can take: valid UTF-8 without NUL bytes."""
    if not isinstance(value, str):
        raise invalid(name, f"{name} must be a string")
    if "\x00" in value:
        raise invalid(name, f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(name, f"{name} is not valid Unicode (a lone surrogate)")
    return value


def flag(name, value):
    if not isinstance(value, bool):
        raise invalid(name, f"{name} must be true or false")
    return value


def integer(lo, hi):
    def check(name, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, f"{name} must be an integer")
        if not lo <= value <= hi:
            raise invalid(name, f"{name} must be in {lo}..{hi}")
        return value
    return check


def obj(name, value):
    if not isinstance(value, dict):
        raise invalid(name, f"{name} must be a JSON object")
    return value


def choice(*choices):
    def check(name, value):
        if value not in choices:
            raise invalid(name, f"{name} must be one of {', '.join(choices)}")
        return value
    return check


def ids(name, value):
    """A list of 64-bit ids."""
    if not isinstance(value, list):
        raise invalid(name, f"{name} must be a list of ids")
    item = integer(1, INT64_MAX)
    return [item(f"{name}[{i}]", v) for i, v in enumerate(value)]


# ---- query parameters ----

def query_text(request, name):
    value = request.GET.get(name)
    return None if value is None else text(name, value)


def query_int(request, name, lo, hi, default=None):
    """An integer query parameter in lo..hi; without a default it is required."""
    value = request.GET.get(name)
    if value is None:
        if default is not None:
            return default
        raise invalid(name, f"query parameter {name} is required")
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        raise invalid(name, f"query parameter {name} must be an integer")
    return integer(lo, hi)(name, int(value))


def query_choice(request, name, *choices):
    """None, or one of choices (400 naming the parameter otherwise)."""
    value = request.GET.get(name)
    return None if value is None else choice(*choices)(name, value)


def query_bool(request, name):
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise invalid(name, f"query parameter {name} must be true or false")


def wants_text(request):
    """True when the client asks for text/plain rather than JSON."""
    accept = request.headers.get("Accept", "")
    return "text/plain" in accept and "application/json" not in accept
