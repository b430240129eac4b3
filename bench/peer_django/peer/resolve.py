"""get_model_for_operation with the Django ORM: the same five-level precedence as
libigny8settings (DESIGN §2, include/igny8/resolve.h), written as a Django developer
would write it against the same SQLite store. Every call reads the database (no cache),
so, like the library, it always sees the committed state.

  operation -> model type T; the account's provider P for T (AccountProvider, else the
  platform's text_integration / image_integration); the model is the first usable of
    1 request              the caller's model (unusable: an error, no fallback)
    2 account_operation    AccountOperationModel
    3 account_integration  AccountIntegration(P).model
    4 global_default       Integration(P).default_model (skipped when global is inactive)
    5 system_default       the is_default Model of type T
  A candidate is skipped when it is of another type, inactive, or its integration is
  disabled for the account. Parameters field by field: the account's settings of the
  chosen model's integration, else the platform's (while active), else the built-in
  defaults; max_tokens capped at the model's max_output_tokens. The key: the account's
  own, else the account's key of the key_from integration, else the platform's (while
  active), else the platform's key of key_from.
"""

from .models import AccountIntegration, AccountOperationModel, AccountProvider, GlobalSettings, Model, Operation

LEVELS = ("request", "account_operation", "account_integration", "global_default", "system_default")

DEFAULTS = {"temperature": 0.7, "max_tokens": 8192, "size": "1024x1024", "quality": "standard", "style": "vivid"}


class ResolveError(Exception):
    """A resolution that cannot be made; `field` names the offending argument."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


class Secret(str):
    """An API key: usable as a string, never shown by repr()."""

    def __repr__(self):
        return "<secret>"


def _first_set(*values):
    for v in values:
        if v is not None:
            return v
    return None


def get_model_for_operation(account_id, operation, request_model=None):
    if account_id < 1:
        raise ResolveError("account_id", "account ids start at 1")
    try:
        op = Operation.objects.get(pk=operation)
    except Operation.DoesNotExist:
        raise ResolveError("operation", f"operation {operation!r} is not known") from None
    model_type = op.model_type

    platform = GlobalSettings.objects.select_related("text_integration__default_model",
                                                     "image_integration__default_model").get(pk=1)
    # The account's integration settings, by integration name (a handful of rows).
    account_settings = {s.integration_id: s for s in
                        AccountIntegration.objects.filter(account_id=account_id).select_related("model",
                                                                                                "integration")}
    choice = (AccountProvider.objects.filter(account_id=account_id, model_type=model_type)
              .select_related("integration__default_model").first())
    if choice is not None:
        provider = choice.integration
    else:
        provider = platform.text_integration if model_type == "text" else platform.image_integration

    def unusable(model, level):
        if model.model_type != model_type:
            return "wrong_type"
        if not model.is_active:
            return "inactive"
        own = account_settings.get(model.integration.name)
        if own is not None and not own.enabled:
            return "integration_disabled"
        if level == "global_default" and not platform.is_active:
            return "global_inactive"
        return None

    def candidate(level):
        if level == "request":
            if request_model is None:
                return None
            model = Model.objects.filter(pk=request_model).first()
            if model is None:
                raise ResolveError("model", f"requested model {request_model!r} is not in the registry")
            return model
        if level == "account_operation":
            chosen = (AccountOperationModel.objects.filter(account_id=account_id, operation_id=operation)
                      .select_related("model").first())
            return chosen.model if chosen else None
        if level == "account_integration":
            own = account_settings.get(provider.name) if provider else None
            return own.model if own is not None and own.model_id is not None else None
        if level == "global_default":
            return provider.default_model if provider else None
        return Model.objects.filter(model_type=model_type, is_default=True).first()

    model, source, skipped = None, None, []
    for level in LEVELS:
        m = candidate(level)
        if m is None:
            continue
        reason = unusable(m, level)
        if reason is None:
            model, source = m, level
            break
        if level == "request":
            raise ResolveError("model", f"requested model {request_model!r} cannot be used: {reason}")
        skipped.append({"level": level, "candidate": m.model_name, "reason": reason})
    if model is None:
        raise ResolveError("operation", f"no usable {model_type} model for operation {operation!r}")

    # Parameters and key of the chosen model's integration.
    integration = model.integration
    own = account_settings.get(integration.name)
    global_row = integration if platform.is_active else None

    def pick(field):
        a = getattr(own, field) if own is not None else None
        g = getattr(global_row, field) if global_row is not None else None
        if field == "max_tokens":  # 0 / NULL: not set
            a, g = a or None, g or None
        return _first_set(a, g, DEFAULTS[field])

    if model_type == "text":
        max_tokens = pick("max_tokens")
        if model.max_output_tokens and max_tokens > model.max_output_tokens:
            max_tokens = model.max_output_tokens
        parameters = {"temperature": pick("temperature"), "max_tokens": max_tokens}
    else:
        parameters = {"size": pick("size"), "quality": pick("quality"), "style": pick("style")}

    key_from = account_settings.get(integration.key_from_id) if integration.key_from_id else None
    key = _first_set(own.api_key if own is not None else None, key_from.api_key if key_from is not None else None)
    key_source = "account" if key is not None else "none"
    if key is None and platform.is_active:
        key = _first_set(integration.api_key, integration.key_from.api_key if integration.key_from else None)
        key_source = "global" if key is not None else "none"

    return {
        "operation": operation,
        "model": model.model_name,
        "provider": model.provider,
        "integration": integration.name,
        "model_type": model_type,
        "source": source,
        "parameters": parameters,
        "base_url": integration.base_url,
        "api_key_source": key_source,
        "api_key": Secret(key) if key is not None else None,
        "skipped": skipped,
    }
