"""The views: each calls one igny8settings.Store method and returns what it gives.

Access checks, method dispatch, JSON in and out and the error bodies are in api.py; the
URLs (and which view serves which method) in urls.py. request.actor is the username
(the library records it as the author of every write); request.account_id is the
account of the user's AccountMembership."""

from django.contrib import auth
from django.http import HttpResponse
from django.middleware.csrf import get_token

import igny8settings

from .api import (ApiError, Created, body, choice, fields, flag, ids, integer, INT_MAX, INT64_MAX,
                  obj, query_bool, query_choice, query_int, query_text, require_account, require_staff, text,
                  wants_text)
from .store import store

# ---- session (Django auth) ----


def csrf(request):
    return {"csrf_token": get_token(request)}


def login(request):
    f = fields(request, required=("username", "password"), username=text, password=text)
    user = auth.authenticate(request, username=f["username"], password=f["password"])
    if user is None:
        raise ApiError(400, "invalid_credentials", "wrong username or password")
    auth.login(request, user)
    return me(request)


def logout(request):
    auth.logout(request)


def me(request):
    membership = getattr(request.user, "igny8_membership", None)
    return {"username": request.user.get_username(), "is_staff": request.user.is_staff,
            "account_id": membership.account_id if membership else None}


# ---- integrations: the account's view (DESIGN §3) ----


def integrations(request):
    return store().integrations(request.account_id)


def integration(request, integration):
    return store().integration(request.account_id, integration)


def put_integration(request, integration):
    return store().put_integration(request.actor, request.account_id, integration, body(request))


def reset_integration(request, integration):
    return store().reset_integration(request.actor, request.account_id, integration)


def _resolution(request, account_id, operation):
    """The resolver's preview: ?model= tries an explicit model; ?skip_unhealthy=1 also skips
    a provider whose last connection test failed within window_s seconds (0 or absent: the
    library's default). The body has the fallbacks, and never a key."""
    skip = bool(query_bool(request, "skip_unhealthy"))
    window = query_int(request, "window_s", 0, igny8settings.UNHEALTHY_WINDOW_MAX_S, default=0)
    with store().resolve(account_id, operation, query_text(request, "model"), skip_unhealthy=skip,
                         unhealthy_window_s=window) as resolution:
        return resolution.to_dict()


def resolve(request, operation):
    return _resolution(request, request.account_id, operation)


def test_connection(request):
    """One real request to the provider. The platform's key (the default scope) is for
    staff; scope "account" tests the account's own key. A failed test is a 200 result."""
    f = fields(request, required=("integration",), integration=text, scope=choice("platform", "account"),
               timeout_ms=integer(0, INT_MAX))
    if f["scope"] == "account":
        require_account(request)
        account_id = request.account_id
    else:
        require_staff(request)
        account_id = 0
    return store().test_connection(request.actor, f["integration"], account_id=account_id,
                                   timeout_ms=f["timeout_ms"] or 0)


# ---- global settings (staff) ----


def global_settings(request):
    return store().global_settings()


def put_global_settings(request):
    return store().put_global_settings(request.actor, body(request))


def put_global_key(request, integration):
    key = fields(request, required=("key",), key=text)["key"]
    store().set_global_key(request.actor, integration, key)  # 204: the key is never echoed


def delete_global_key(request, integration):
    store().set_global_key(request.actor, integration, None)


# ---- operations (staff): health, connection status, audit log, any account's resolution ----


def health(request):
    return store().health()


def connection_status(request):
    return store().connection_status()


def audit(request):
    return store().audit(entity=query_text(request, "entity"), actor=query_text(request, "actor"),
                         account_id=query_int(request, "account_id", 1, INT64_MAX, default=0),
                         since=query_text(request, "since"), limit=query_int(request, "limit", 1, INT_MAX, default=0))


def admin_resolve(request, operation):
    return _resolution(request, query_int(request, "account_id", 1, INT64_MAX), operation)


# ---- plans and fallbacks: the account's view ----


def account_access(request):
    return store().account_access(request.account_id)  # read-only: the plan is the platform's to set


def account_fallbacks(request):
    return store().fallbacks(request.account_id)


def put_account_fallbacks(request):
    return store().put_fallbacks(request.actor, request.account_id, body(request))


def choosable_models(request):
    return store().account_choosable_models(request.account_id, provider=query_text(request, "provider"),
                                            model_type=query_choice(request, "type", "text", "image"))


# ---- plans and fallbacks: the platform's (staff) ----


def access_groups(request):
    return store().access_groups()


def access_group(request, name):
    return store().access_group(name)


def put_access_group(request, name):
    return store().put_access_group(request.actor, name, body(request))


def delete_access_group(request, name):
    store().delete_access_group(request.actor, name)


def admin_account_access(request, account_id):
    return store().account_access(account_id)


def put_admin_account_access(request, account_id):
    return store().put_account_access(request.actor, account_id, body(request))


def platform_fallbacks(request):
    return store().fallbacks(0)


def put_platform_fallbacks(request):
    return store().put_fallbacks(request.actor, 0, body(request))


# ---- module settings ----


def modules(request):
    return store().modules(request.account_id)


def put_modules(request):
    return store().put_modules(request.actor, request.account_id, body(request))


# ---- prompts: the account's ----


def account_prompts(request):
    return store().account_prompts(request.account_id)


def account_prompt(request, prompt_type):
    return store().account_prompt(request.account_id, prompt_type)


def customize_prompt(request, prompt_type):
    value = fields(request, required=("value",), value=text)["value"]
    return store().customize_prompt(request.actor, request.account_id, prompt_type, value)


def reset_prompt(request, prompt_type):
    return store().reset_prompt(request.actor, request.account_id, prompt_type)


# ---- prompts: the platform's (staff) ----


def admin_prompts(request):
    return store().prompts()


def prompt_versions(request, prompt_type):
    return store().prompt_versions(prompt_type)


def commit_prompt(request, prompt_type):
    f = fields(request, required=("value",), value=text, description=text, message=text, publish=flag)
    return Created(store().commit_prompt(request.actor, prompt_type, f["value"], description=f["description"],
                                         message=f["message"], publish=bool(f["publish"])))


def prompt_version(request, prompt_type, version):
    return store().prompt(prompt_type, version)


def publish_prompt(request, prompt_type):
    version = fields(request, required=("version",), version=integer(1, INT_MAX))["version"]
    store().publish_prompt(request.actor, prompt_type, version)


def prompt_diff(request, prompt_type):
    versions = query_int(request, "from", 1, INT_MAX), query_int(request, "to", 1, INT_MAX)
    diff = store().prompt_diff(prompt_type, *versions)
    return HttpResponse(diff, content_type="text/plain; charset=utf-8") if wants_text(request) else {"diff": diff}


def render_prompt(request, prompt_type):
    f = fields(request, variables=obj, account_id=integer(0, INT64_MAX))
    return {"text": store().render_prompt(f["account_id"] or 0, prompt_type, f["variables"])}


def stale_prompt_accounts(request, prompt_type):
    return store().stale_prompt_accounts(prompt_type)


# ---- author profiles and strategies (kind: "author_profile" or "strategy", from the URL) ----


def library(request, kind):
    return store().library(kind, category=query_text(request, "category"), active=query_bool(request, "active"),
                           search=query_text(request, "search"))


def library_item(request, kind, item_id):
    return store().library_item(kind, item_id)


def clone_library_item(request, kind, item_id):
    return Created(store().clone_library_item(request.actor, kind, request.account_id, item_id))


def library_copies(request, kind):
    return store().library_copies(kind, request.account_id)


def library_copy(request, kind, copy_id):
    return store().library_copy(kind, request.account_id, copy_id)


def update_library_copy(request, kind, copy_id):
    return store().update_library_copy(request.actor, kind, request.account_id, copy_id, body(request))


def reset_library_copy(request, kind, copy_id):
    return store().reset_library_copy(request.actor, kind, request.account_id, copy_id)


def delete_library_copy(request, kind, copy_id):
    store().delete_library_copy(request.actor, kind, request.account_id, copy_id)


def create_library_item(request, kind):
    return Created(store().create_library_item(request.actor, kind, body(request)))


def update_library_item(request, kind, item_id):
    return store().update_library_item(request.actor, kind, item_id, body(request))


def bulk_clone(request, kind):
    f = fields(request, required=("source_ids", "account_ids"), source_ids=ids, account_ids=ids,
               on_existing=choice("skip", "fail"))
    created = store().bulk_clone_library_items(request.actor, kind, f["source_ids"], f["account_ids"],
                                               fail_on_existing=f["on_existing"] == "fail")
    return {"created": created}
