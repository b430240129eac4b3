"""The two server-rendered pages (Django templates plus one small script each):

- /settings/integration/ — the account's integrations: badge, model (the models its plan
  lets it choose), parameters, save (the PUT endpoint), reset (the reset endpoint). For
  users with an AccountMembership.
- /admin/igny8/monitoring/ — health overview, per-provider connection status with a
  "Test connection" button, a resolver debug console and the recent audit entries. Staff.

A page only reads the store to render; every change goes through the JSON API from the
page's script (fetch() with the CSRF token), so the API stays the one place that writes.
Anonymous visitors are redirected to the login page (/accounts/login/); a user without
the right (no account, not staff) gets a 403 page. API keys are never rendered: the
views pass on only whether a key is configured."""

import json
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

import igny8settings

from .store import store

API = "/api/v1/"
AUDIT_ENTRIES = 20
IMAGE_SIZES = ("256x256", "512x512", "1024x1024", "1024x1792", "1792x1024")
IMAGE_QUALITIES = ("standard", "hd")
IMAGE_STYLES = ("vivid", "natural")


def _page(check):
    """Login required (a redirect to the login page, not the API's 401), then check(user)
    gives None or the reason for a 403 page."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            reason = check(request.user)
            if reason:
                return render(request, "settingsapi/forbidden.html", {"reason": reason}, status=403)
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response
        return wrapper
    return decorate


def _needs_account(user):
    if getattr(user, "igny8_membership", None) is None:
        return f"User {user.get_username()} acts for no platform account (an AccountMembership is missing)."
    return None


def _needs_staff(user):
    return None if user.is_staff else "This page is for staff only."


def _read(call, *args, **kwargs):
    """(value, None) or (None, message): a section whose store call fails shows why."""
    try:
        return call(*args, **kwargs), None
    except igny8settings.Igny8Error as e:
        return None, e.message


def _options(current, choices):
    """The select's options: the known choices, and the current value should it be another."""
    return list(choices) if current in choices else [current, *choices]


def _model_choices(body, choosable, registry):
    """A card's model options: the models of its integration the account may choose (its
    plan's, active, within its ceilings), and the current model first should it not be one
    of them, labelled why: not in the account's plan, or inactive."""
    names = [m["model_name"] for m in choosable if m.get("integration") == body["id"]]
    labels = {m["model_name"]: m.get("display_name") or m["model_name"] for m in choosable}
    current = body.get("model")
    if current and current not in names:  # e.g. a platform default outside the plan, or inactive
        known = registry.get(current)
        if known and known.get("is_active"):
            labels[current] = f"{known.get('display_name') or current} (not in your plan)"
        else:
            labels[current] = f"{current} (inactive)"
        names.insert(0, current)
    return [{"name": n, "label": labels[n]} for n in names]


@_page(_needs_account)
def integration_settings(request):
    account_id = request.user.igny8_membership.account_id
    integrations, error = _read(store().integrations, account_id)
    choosable, choosable_error = _read(store().account_choosable_models, account_id)
    registry, registry_error = _read(store().models)
    registry = {m["model_name"]: m for m in registry or []}
    cards = []
    for body in sorted(integrations or [], key=lambda b: ("size" in b, b["id"])):  # text, then image
        card = {"body": body, "image": "size" in body, "models": _model_choices(body, choosable or [], registry)}
        if card["image"]:
            card.update(sizes=_options(body["size"], IMAGE_SIZES), qualities=_options(body["quality"], IMAGE_QUALITIES),
                        styles=_options(body["style"], IMAGE_STYLES))
        cards.append(card)
    return render(request, "settingsapi/integration_settings.html", {
        "account_id": account_id, "cards": cards, "error": error or choosable_error or registry_error,
        "api": API + "system/settings/integrations/",
    })


@_page(_needs_staff)
def monitoring(request):
    health, health_error = _read(store().health)
    audit, audit_error = _read(store().audit, limit=AUDIT_ENTRIES)
    operations, operations_error = _read(store().operations)
    providers = []
    for p in (health or {}).get("providers", []):
        last = p.get("last_test")
        state = "never" if not last else ("ok" if last.get("ok") else "failing")
        providers.append({**p, "state": state})
    counts = [(name.replace("_", " "), value) for name, value in (health or {}).get("counts", {}).items()]
    entries = [{**e, "change": f"{json.dumps(e.get('before'))}\n→ {json.dumps(e.get('after'))}"} for e in audit or []]
    membership = getattr(request.user, "igny8_membership", None)
    return render(request, "settingsapi/monitoring.html", {
        "health": health, "health_error": health_error, "counts": counts, "providers": providers,
        "audit": entries, "audit_error": audit_error,
        "operations": operations or [], "operations_error": operations_error,
        "default_account_id": membership.account_id if membership else "",
        "api": API,
    })
