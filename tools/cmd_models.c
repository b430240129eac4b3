/* igny8ctl — the platform: models, global settings, API keys, operations. */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* ---- models ---- */

static int emit_model(const ctl_ctx *c, igny8_model *m)
{
    char *json = NULL;
    int rc = igny8_model_to_json(m, &json);
    igny8_model_free(m);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    return ctl_emit_owned(c, json);
}

static int emit_model_named(const ctl_ctx *c, const char *name)
{
    igny8_model *m = NULL;
    CTL_TRY(igny8_model_get(c->st, name, &m));
    return emit_model(c, m);
}

static int cmd_models_list(ctl_ctx *c, const ctl_args *a)
{
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    const char *type = ctl_opt(a, "type");
    char *json = NULL;
    int rc = ctl_active_filter(c, a, &f.active);
    if (rc == CTL_OK && type)
        rc = ctl_parse_model_type(type, "type", &f.model_type);
    if (rc)
        return rc;
    f.provider = ctl_opt(a, "provider");
    CTL_TRY(igny8_model_list_json(c->st, &f, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_models_get(ctl_ctx *c, const ctl_args *a)
{
    return emit_model_named(c, a->pos[0]);
}

static int cmd_models_add(ctl_ctx *c, const ctl_args *a)
{
    char *doc = NULL;
    igny8_model *m = NULL;
    int rc = ctl_read_opt_input(c, a, "json", &doc);
    if (rc)
        return rc;
    rc = igny8_model_add_json(c->st, c->actor, doc, &m);
    free(doc);
    return rc == IGNY8_OK ? emit_model(c, m) : ctl_fail(rc);
}

static int cmd_models_update(ctl_ctx *c, const ctl_args *a)
{
    char *doc = NULL;
    igny8_model *m = NULL;
    int rc = ctl_read_opt_input(c, a, "json", &doc);
    if (rc)
        return rc;
    rc = igny8_model_update_json(c->st, c->actor, a->pos[0], doc, &m);
    free(doc);
    return rc == IGNY8_OK ? emit_model(c, m) : ctl_fail(rc);
}

static int cmd_models_activate(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_model_set_active(c->st, c->actor, a->pos[0], 1));
    return emit_model_named(c, a->pos[0]);
}

static int cmd_models_deactivate(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_model_set_active(c->st, c->actor, a->pos[0], 0));
    return emit_model_named(c, a->pos[0]);
}

static int cmd_models_set_default(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_model_set_default(c->st, c->actor, a->pos[0]));
    return emit_model_named(c, a->pos[0]);
}

/* A count option (0 when absent); *given says whether it was. */
static int count_opt(const ctl_args *a, const char *name, int64_t *out, int *given)
{
    const char *s = ctl_opt(a, name);
    *out = 0;
    if (!s)
        return CTL_OK;
    *given = 1;
    return ctl_parse_i64(s, name, out);
}

static int cmd_models_cost(ctl_ctx *c, const ctl_args *a)
{
    int64_t in = 0, out = 0, images = 0;
    int given = 0, rc;
    igny8_model *m = NULL;
    igny8_cost cost = { 0, 0 };
    if ((rc = count_opt(a, "input", &in, &given)) || (rc = count_opt(a, "output", &out, &given))
        || (rc = count_opt(a, "images", &images, &given)))
        return rc;
    if (!given)
        return ctl_usage(c, "give --input N --output N (text models) or --images N (image models)");
    CTL_TRY(igny8_model_get(c->st, a->pos[0], &m));
    rc = igny8_model_estimate_cost(m, in, out, images, &cost);
    cJSON *o = rc == IGNY8_OK ? cJSON_CreateObject() : NULL;
    if (o) {
        cJSON_AddStringToObject(o, "model_name", igny8_model_name(m));
        cJSON_AddStringToObject(o, "model_type", igny8_model_type_name(igny8_model_type(m)));
        cJSON_AddItemToObject(o, "input_tokens", ctl_json_i64(in));
        cJSON_AddItemToObject(o, "output_tokens", ctl_json_i64(out));
        cJSON_AddItemToObject(o, "images", ctl_json_i64(images));
        cJSON_AddNumberToObject(o, "usd", cost.usd);
        cJSON_AddItemToObject(o, "credits", ctl_json_i64(cost.credits));
    }
    igny8_model_free(m);
    return rc == IGNY8_OK ? ctl_emit_cjson(c, o) : ctl_fail(rc);
}

/* ---- global settings ---- */

static int emit_global(const ctl_ctx *c)
{
    char *json = NULL;
    CTL_TRY(igny8_global_settings_get_json(c->st, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_global_get(ctl_ctx *c, const ctl_args *a)
{
    (void)a;
    return emit_global(c);
}

static int cmd_global_put(ctl_ctx *c, const ctl_args *a)
{
    char *doc = NULL, *json = NULL;
    int rc = ctl_read_opt_input(c, a, "json", &doc);
    if (rc)
        return rc;
    rc = igny8_global_settings_put_json(c->st, c->actor, doc, &json);
    free(doc);
    return rc == IGNY8_OK ? ctl_emit_owned(c, json) : ctl_fail(rc);
}

static int cmd_global_activate(ctl_ctx *c, const ctl_args *a)
{
    (void)a;
    CTL_TRY(igny8_global_set_active(c->st, c->actor, 1));
    return emit_global(c);
}

static int cmd_global_deactivate(ctl_ctx *c, const ctl_args *a)
{
    (void)a;
    CTL_TRY(igny8_global_set_active(c->st, c->actor, 0));
    return emit_global(c);
}

static int cmd_global_default_model(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_global_default_model_set(c->st, c->actor, a->pos[0]));
    return emit_global(c);
}

/* ---- keys: read from standard input or the environment, never from the command line ---- */

/* The first line of standard input into buf (without its line end); echo is off on a terminal. */
static int read_key_line(char *buf, size_t size)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("API key (not echoed): ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = fgets(buf, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!line)
        return ctl_invalid("key", "no key on standard input");
    size_t len = strcspn(buf, "\r\n");
    if (len == size - 1 && !feof(stdin))
        return ctl_invalid("key", "the key is longer than %d characters", IGNY8_API_KEY_MAX);
    buf[len] = '\0';
    return CTL_OK;
}

/* Arguments of the keys commands are never echoed in messages: a key given by mistake in
 * the wrong place must not reach the terminal or a log. */
static int key_account(const ctl_args *a, int64_t *account)
{
    const char *s = ctl_opt(a, "account");
    *account = 0;
    if (!s || ctl_id_of(s, account) == 0)
        return CTL_OK;
    return ctl_invalid("account", "--account is not an id: %s", CTL_ID_RULE);
}

/* Whether an INTEGRATION argument could be a key typed in its place: integration names are
 * short lowercase identifiers. */
static int looks_like_key(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40 || strncmp(s, "sk-", 3) == 0 || strncmp(s, "sk_", 3) == 0)
        return 1;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 1;
    return 0;
}

static int refuse_key_argument(const ctl_ctx *c)
{
    return ctl_usage(c, "refusing an API key on the command line (it would show in ps and the shell history): "
                        "pipe it on standard input or name a variable with --from-env VAR");
}

static int emit_key_state(const ctl_ctx *c, const char *integration, int64_t account, int configured)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "integration", integration);
    cJSON_AddItemToObject(o, "account_id", account ? ctl_json_i64(account) : cJSON_CreateNull());
    cJSON_AddBoolToObject(o, "configured", configured);
    return ctl_emit_cjson(c, o);
}

static int set_key(const ctl_ctx *c, const char *integration, int64_t account, const char *key)
{
    if (account)
        CTL_TRY(igny8_account_key_set(c->st, c->actor, account, integration, key));
    else
        CTL_TRY(igny8_global_key_set(c->st, c->actor, integration, key));
    return emit_key_state(c, integration, account, key != NULL);
}

static int cmd_keys_set(ctl_ctx *c, const ctl_args *a)
{
    char buf[IGNY8_API_KEY_MAX + 2];
    const char *env = ctl_opt(a, "from-env");
    int64_t account = 0;
    int rc;
    if (a->npos > 1 || looks_like_key(a->pos[0]) || ctl_flag(a, "key") || ctl_flag(a, "api-key"))
        return refuse_key_argument(c);
    if ((rc = key_account(a, &account)) != CTL_OK)
        return rc;
    if (env && (!getenv(env) || !*getenv(env)))
        return ctl_invalid("from-env", "the environment variable named by --from-env is not set or empty");
    if (!env && (rc = read_key_line(buf, sizeof buf)) != CTL_OK) {
        explicit_bzero(buf, sizeof buf);
        return rc;
    }
    rc = set_key(c, a->pos[0], account, env ? getenv(env) : buf);
    explicit_bzero(buf, sizeof buf);
    return rc;
}

static int cmd_keys_remove(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int rc = looks_like_key(a->pos[0]) ? refuse_key_argument(c) : key_account(a, &account);
    return rc ? rc : set_key(c, a->pos[0], account, NULL);
}

/* One row of keys list for an integration (account 0: the platform's key from the global view). */
static cJSON *key_row(const ctl_ctx *c, const cJSON *integration, int64_t account, int *rc)
{
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(integration, "api_key");
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "integration", integration->string);
    cJSON_AddItemToObject(row, "account_id", account ? ctl_json_i64(account) : cJSON_CreateNull());
    if (!account) {
        cJSON_AddItemToObject(row, "configured", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(key, "configured"), 1));
        cJSON_AddItemToObject(row, "last4", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(key, "last4"), 1));
        cJSON_AddItemToObject(row, "from", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(key, "from"), 1));
        return row;
    }
    igny8_integration *s = NULL;
    *rc = igny8_account_integration_get(c->st, account, integration->string, &s);
    cJSON_AddBoolToObject(row, "configured", s && igny8_integration_key_configured(s));
    igny8_integration_free(s);
    return row;
}

static int cmd_keys_list(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    char *json = NULL;
    int rc = key_account(a, &account);
    if (rc)
        return rc;
    CTL_TRY(igny8_global_settings_get_json(c->st, &json));
    cJSON *global = cJSON_Parse(json), *rows = cJSON_CreateArray(), *it;
    igny8_free(json);
    rc = IGNY8_OK;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(global, "integrations"))
        if (rc == IGNY8_OK)
            cJSON_AddItemToArray(rows, key_row(c, it, account, &rc));
    cJSON_Delete(global);
    if (rc != IGNY8_OK) {
        cJSON_Delete(rows);
        return ctl_fail(rc);
    }
    return ctl_emit_cjson(c, rows);
}

/* ---- operations ---- */

static int cmd_operations_list(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    (void)a;
    CTL_TRY(igny8_operation_list_json(c->st, &json));
    return ctl_emit_owned(c, json);
}

#define JSON_HELP "--json FILE|-\ta JSON document, or - for standard input\n"
#define KEY_HELP "INTEGRATION\topenai, anthropic, dalle, runware, ...\n" \
    "--account ID\tthe account's own key (the privileged call) instead of the platform's\n"

const ctl_command ctl_model_commands[] = {
    { "models", "list", "[--provider P] [--type text|image] [--active|--inactive]", "List the models, by name",
      "provider=,type=,active,inactive",
      "--provider P\tonly models of provider P\n--type text|image\tonly models of this type\n"
      "--active, --inactive\tonly active or only inactive models\n",
      0, 0, CTL_STORE_OPEN, cmd_models_list,
      "model_name,provider,model_type,is_active,is_default,input_cost_per_1k,output_cost_per_1k,cost_per_image,"
      "max_output_tokens" },
    { "models", "get", "NAME", "Show a model", "", "NAME\tthe model_name, e.g. gpt-4o-mini\n",
      1, 1, CTL_STORE_OPEN, cmd_models_get, NULL },
    { "models", "add", "--json FILE|-", "Add a model described by a JSON object (model_name, provider, model_type, "
      "prices...)", "json=", JSON_HELP, 0, 0, CTL_STORE_OPEN, cmd_models_add, NULL },
    { "models", "update", "NAME --json FILE|-", "Change a model with a JSON patch (null clears a price)", "json=",
      "NAME\tthe model_name\n" JSON_HELP, 1, 1, CTL_STORE_OPEN, cmd_models_update, NULL },
    { "models", "activate", "NAME", "Activate a model", "", "NAME\tthe model_name\n",
      1, 1, CTL_STORE_OPEN, cmd_models_activate, NULL },
    { "models", "deactivate", "NAME", "Deactivate a model", "", "NAME\tthe model_name\n",
      1, 1, CTL_STORE_OPEN, cmd_models_deactivate, NULL },
    { "models", "set-default", "NAME", "Make a model the registry's default of its type", "",
      "NAME\tthe model_name\n", 1, 1, CTL_STORE_OPEN, cmd_models_set_default, NULL },
    { "models", "cost", "NAME --input N --output N | --images N", "Estimate the cost of a call in USD and credits",
      "input=,output=,images=",
      "NAME\tthe model_name\n--input N, --output N\ttokens in and out (text models)\n"
      "--images N\tnumber of images (image models)\n",
      1, 1, CTL_STORE_OPEN, cmd_models_cost, NULL },
    { "global", "get", "", "Show the platform's settings (keys only as configured/last4)", "", "",
      0, 0, CTL_STORE_OPEN, cmd_global_get, NULL },
    { "global", "put", "--json FILE|-", "Change the platform's settings with a body of the get shape "
      "(fields present are changed; key fields are stripped)", "json=", JSON_HELP,
      0, 0, CTL_STORE_OPEN, cmd_global_put, NULL },
    { "global", "activate", "", "Turn the platform's settings on", "", "", 0, 0, CTL_STORE_OPEN,
      cmd_global_activate, NULL },
    { "global", "deactivate", "", "Turn the platform's settings off (no global defaults, parameters or keys)", "", "",
      0, 0, CTL_STORE_OPEN, cmd_global_deactivate, NULL },
    { "global", "default-model", "MODEL", "Make a model the platform's default of its type (and its integration "
      "the platform's provider)", "", "MODEL\tthe model_name\n", 1, 1, CTL_STORE_OPEN, cmd_global_default_model, NULL },
    { "keys", "set", "INTEGRATION [--account ID] [--from-env VAR]",
      "Set an API key, read from the first line of standard input or from an environment variable "
      "(never from the command line)",
      "account=,from-env=,key=,api-key=",
      KEY_HELP "--from-env VAR\tread the key from the environment variable VAR instead of standard input\n",
      1, -1, CTL_STORE_OPEN, cmd_keys_set, NULL },
    { "keys", "remove", "INTEGRATION [--account ID]", "Remove an API key", "account=", KEY_HELP,
      1, 1, CTL_STORE_OPEN, cmd_keys_remove, NULL },
    { "keys", "list", "[--account ID]", "Whether each integration has a key (the platform's, or the account's own)",
      "account=", "--account ID\tthe account's own keys instead of the platform's\n",
      0, 0, CTL_STORE_OPEN, cmd_keys_list, NULL },
    { "operations", "list", "", "List the operations and the model type each needs", "", "",
      0, 0, CTL_STORE_OPEN, cmd_operations_list, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
