/* igny8ctl — accounts: integration settings, provider and model choices, resolve, modules. */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>

static int account_arg(const ctl_args *a, int i, int64_t *out)
{
    return ctl_parse_id(a->pos[i], "ACCOUNT", "account_id", out);
}

/* ---- integrations ---- */

static int emit_integration(const ctl_ctx *c, int64_t account, const char *integration)
{
    char *json = NULL;
    CTL_TRY(igny8_integration_get_json(c->st, account, integration, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_integration_get(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int rc = account_arg(a, 0, &account);
    return rc ? rc : emit_integration(c, account, a->pos[1]);
}

static int cmd_integration_put(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    char *doc = NULL, *json = NULL;
    int rc = account_arg(a, 0, &account);
    if (rc || (rc = ctl_read_opt_input(c, a, "json", &doc)) != CTL_OK)
        return rc;
    rc = igny8_integration_put_json(c->st, c->actor, account, a->pos[1], doc, &json);
    free(doc);
    return rc == IGNY8_OK ? ctl_emit_owned(c, json) : ctl_fail(rc);
}

static int cmd_integration_reset(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int rc = account_arg(a, 0, &account);
    if (rc)
        return rc;
    CTL_TRY(igny8_account_integration_reset(c->st, c->actor, account, a->pos[1]));
    return emit_integration(c, account, a->pos[1]);
}

static int cmd_integrations(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    char *json = NULL;
    int rc = account_arg(a, 0, &account);
    if (rc)
        return rc;
    CTL_TRY(igny8_integration_list_json(c->st, account, &json));
    return ctl_emit_owned(c, json);
}

/* ---- model choices ---- */

static int emit_account_models(const ctl_ctx *c, int64_t account)
{
    char *json = NULL;
    CTL_TRY(igny8_account_models_get_json(c->st, account, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_account_models(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int rc = account_arg(a, 0, &account);
    return rc ? rc : emit_account_models(c, account);
}

static int cmd_account_provider(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int type = 0;
    const char *provider = NULL;
    int rc = account_arg(a, 0, &account);
    if (rc || (rc = ctl_parse_model_type(a->pos[1], "model_type", &type)) != CTL_OK
        || (rc = ctl_value_or_clear(c, a, 2, &provider)) != CTL_OK)
        return rc;
    CTL_TRY(igny8_account_provider_set(c->st, c->actor, account, type, provider));
    return emit_account_models(c, account);
}

static int cmd_account_operation_model(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    const char *model = NULL;
    int rc = account_arg(a, 0, &account);
    if (rc || (rc = ctl_value_or_clear(c, a, 2, &model)) != CTL_OK)
        return rc;
    CTL_TRY(igny8_account_operation_model_set(c->st, c->actor, account, a->pos[1], model));
    return emit_account_models(c, account);
}

/* ---- resolve ---- */

/* --skip-unhealthy [--window-s N] as the resolver's options; a window alone means nothing. */
static int resolve_options(const ctl_ctx *c, const ctl_args *a, igny8_resolve_options *o)
{
    const char *window = ctl_opt(a, "window-s");
    int64_t seconds = 0;
    int rc;
    if (!ctl_flag(a, "skip-unhealthy"))
        return window ? ctl_usage(c, "--window-s N goes with --skip-unhealthy") : CTL_OK;
    o->flags |= IGNY8_RESOLVE_SKIP_UNHEALTHY;
    if (!window)
        return CTL_OK;
    if ((rc = ctl_parse_i64(window, "window-s", &seconds)) != CTL_OK)
        return rc;
    if (seconds < 1 || seconds > (int64_t)IGNY8_UNHEALTHY_WINDOW_MAX_S)
        return ctl_invalid("window-s", "window-s %s is out of range (1..%u seconds)", window,
                           IGNY8_UNHEALTHY_WINDOW_MAX_S);
    o->unhealthy_window_s = (unsigned int)seconds;
    return CTL_OK;
}

static int cmd_resolve(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    igny8_resolve_options opts = IGNY8_RESOLVE_OPTIONS_INIT;
    igny8_resolution *r = NULL;
    char *json = NULL;
    int rc = account_arg(a, 0, &account);
    if (rc || (rc = resolve_options(c, a, &opts)) != CTL_OK)
        return rc;
    CTL_TRY(igny8_get_model_for_operation_v2(c->st, account, a->pos[1], ctl_opt(a, "model"), &opts, &r));
    rc = igny8_resolution_to_json(r, &json);
    igny8_resolution_free(r);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    if (ctl_flag(a, "trace"))
        return ctl_emit_owned(c, json);
    cJSON *root = cJSON_Parse(json);  /* the account id is in the trace only: numbers survive the round trip */
    igny8_free(json);
    cJSON_DeleteItemFromObjectCaseSensitive(root, "trace");
    return ctl_emit_cjson(c, root);
}

/* ---- modules ---- */

static int emit_modules(const ctl_ctx *c, int64_t account)
{
    char *json = NULL;
    CTL_TRY(igny8_module_list_json(c->st, account, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_modules_list(ctl_ctx *c, const ctl_args *a)
{
    const char *s = ctl_opt(a, "account");
    int64_t account = 0;
    int rc = s ? ctl_parse_id(s, "--account", "account", &account) : CTL_OK;
    return rc ? rc : emit_modules(c, account);
}

static int cmd_modules_set(ctl_ctx *c, const ctl_args *a)
{
    int on = 0;
    int rc = ctl_parse_onoff(a->pos[1], "enabled", &on);
    if (rc)
        return rc;
    CTL_TRY(igny8_module_set(c->st, c->actor, a->pos[0], on));
    return emit_modules(c, 0);
}

static int cmd_modules_account(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int on = IGNY8_MODULE_INHERIT;
    int rc = account_arg(a, 0, &account);
    if (rc == CTL_OK && strcmp(a->pos[2], "inherit") != 0)
        rc = ctl_parse_onoff(a->pos[2], "enabled", &on);
    if (rc)
        return rc;
    CTL_TRY(igny8_module_account_set(c->st, c->actor, account, a->pos[1], on));
    return emit_modules(c, account);
}

static int cmd_modules_add(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_module_add(c->st, c->actor, a->pos[0], ctl_opt(a, "description"), !ctl_flag(a, "off")));
    return emit_modules(c, 0);
}

#define ACCOUNT_HELP "ACCOUNT\tthe account id (the host's positive integer key)\n"
#define INTEGRATION_HELP "INTEGRATION\topenai, anthropic, dalle, runware, ...\n"
#define INTEGRATION_COLUMNS "id,enabled,model,temperature,max_tokens,size,quality,style,using_global"
/* The header writes them 300u and 604800u; the help shows the digits, kept equal here. */
#define RESOLVE_WINDOW_DEFAULT "300"
#define RESOLVE_WINDOW_MAX "604800"
_Static_assert(IGNY8_UNHEALTHY_WINDOW_DEFAULT_S == 300u && IGNY8_UNHEALTHY_WINDOW_MAX_S == 604800u,
               "the resolve help's window bounds follow resolve.h");
/* One spec for every table of a resolution: each table shows the columns its rows have
 * (trace levels: level..reason; fallbacks: model..api_key_source; trace fallbacks: model, status, reason). */
#define RESOLVE_COLUMNS "level,candidate,model,provider,source,api_key_source,status,reason"
#define MODULE_COLUMNS "name,enabled,global_enabled,source,description"

const ctl_command ctl_account_commands[] = {
    { "account", "integration get", "ACCOUNT INTEGRATION", "Show an account's settings of an integration "
      "(the REST GET body)", "", ACCOUNT_HELP INTEGRATION_HELP, 2, 2, CTL_STORE_OPEN, cmd_integration_get, NULL },
    { "account", "integration put", "ACCOUNT INTEGRATION --json FILE|-", "Change an account's overrides with a REST "
      "PUT body (null clears an override; key fields are stripped)", "json=",
      ACCOUNT_HELP INTEGRATION_HELP "--json FILE|-\tthe body, e.g. {\"model\":\"gpt-4o\",\"temperature\":0.4}\n",
      2, 2, CTL_STORE_OPEN, cmd_integration_put, NULL },
    { "account", "integration reset", "ACCOUNT INTEGRATION", "Remove an account's overrides of an integration "
      "(enabled and its own key stay)", "", ACCOUNT_HELP INTEGRATION_HELP,
      2, 2, CTL_STORE_OPEN, cmd_integration_reset, NULL },
    { "account", "integrations", "ACCOUNT", "Show an account's settings of every integration", "", ACCOUNT_HELP,
      1, 1, CTL_STORE_OPEN, cmd_integrations, INTEGRATION_COLUMNS },
    { "account", "provider", "ACCOUNT text|image PROVIDER|--clear", "Choose the account's provider for a model type, "
      "or follow the platform's again with --clear", "clear",
      ACCOUNT_HELP "text|image\tthe model type\nPROVIDER\ta provider or integration (openai, anthropic, dalle, "
      "runware)\n--clear\tremove the choice\n",
      2, 3, CTL_STORE_OPEN, cmd_account_provider, NULL },
    { "account", "operation-model", "ACCOUNT OPERATION MODEL|--clear", "Choose the account's model for an operation, "
      "or remove the choice with --clear", "clear",
      ACCOUNT_HELP "OPERATION\tan operation (igny8ctl operations list)\nMODEL\ta model_name\n"
      "--clear\tremove the choice\n",
      2, 3, CTL_STORE_OPEN, cmd_account_operation_model, NULL },
    { "account", "models", "ACCOUNT", "Show the account's provider and per-operation model choices", "", ACCOUNT_HELP,
      1, 1, CTL_STORE_OPEN, cmd_account_models, NULL },
    { "resolve", "", "ACCOUNT OPERATION [--model M] [--trace] [--skip-unhealthy] [--window-s N]", "Resolve the model, "
      "parameters and key source an account uses for an operation, and its usable fallbacks (the key itself is "
      "never shown)", "model=,trace,skip-unhealthy,window-s=",
      ACCOUNT_HELP "OPERATION\tan operation (igny8ctl operations list)\n"
      "--model M\tthe model the request names (level 1; unusable is an error)\n"
      "--trace\tinclude the trace: every precedence level and fallback, its candidate and why it was used or "
      "skipped\n"
      "--skip-unhealthy\tskip a model whose integration's last connection test (with the key it would use) failed "
      "lately\n"
      "--window-s N\twith --skip-unhealthy: how lately, in seconds, 1.." RESOLVE_WINDOW_MAX " (default "
      RESOLVE_WINDOW_DEFAULT ")\n",
      2, 2, CTL_STORE_OPEN, cmd_resolve, RESOLVE_COLUMNS },
    { "modules", "list", "[--account ID]", "Module toggles of the platform, or as an account sees them", "account=",
      "--account ID\tthe account's view (its overrides and the platform's values)\n",
      0, 0, CTL_STORE_OPEN, cmd_modules_list, MODULE_COLUMNS },
    { "modules", "set", "NAME on|off", "Turn a module on or off for the whole platform", "",
      "NAME\tthe module (igny8ctl modules list)\non|off\tthe new value\n",
      2, 2, CTL_STORE_OPEN, cmd_modules_set, MODULE_COLUMNS },
    { "modules", "account", "ACCOUNT NAME on|off|inherit", "Override a module for an account, or follow the "
      "platform again with inherit", "", ACCOUNT_HELP "NAME\tthe module\non|off|inherit\tthe account's value\n",
      3, 3, CTL_STORE_OPEN, cmd_modules_account, MODULE_COLUMNS },
    { "modules", "add", "NAME [--description D] [--off]", "Add a module (on for the platform unless --off)",
      "description=,off", "NAME\tlowercase letters, digits and _\n--description D\twhat the module does\n"
      "--off\tadd it turned off\n", 1, 1, CTL_STORE_OPEN, cmd_modules_add, MODULE_COLUMNS },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
