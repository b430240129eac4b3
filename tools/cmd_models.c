/* igny8ctl — the platform: models, global settings, API keys, operations. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
    char *json = NULL;
    int rc = ctl_model_filter(c, a, &f);
    if (rc)
        return rc;
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

/* A new master key: into a new file of mode 0600 (never over an existing one), or on
 * standard output for a secret manager to take. */
static int cmd_keys_new_master(ctl_ctx *c, const ctl_args *a)
{
    char key[IGNY8_MASTER_KEY_SIZE];
    const char *path = ctl_opt(a, "o");
    int rc = igny8_master_key_new(key);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    if (path == NULL) {
        printf("%s\n", key);
        explicit_bzero(key, sizeof(key));
        return CTL_OK;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ssize_t n = fd >= 0 ? write(fd, key, strlen(key)) : -1;
    int written = n == (ssize_t)strlen(key) && write(fd, "\n", 1) == 1;
    explicit_bzero(key, sizeof(key));
    if (fd >= 0 && close(fd) != 0)
        written = 0;
    if (!written)
        return ctl_other("cannot write a new master key to %s: %s", path, strerror(errno));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "master_key_file", path);
    return ctl_emit_cjson(c, o);
}

/* The new key from a file or an environment variable, never from the command line. */
static int cmd_keys_rotate_master(ctl_ctx *c, const ctl_args *a)
{
    const char *file = ctl_opt(a, "new-key-file"), *env = ctl_opt(a, "new-key-env");
    char *key = NULL;
    if ((file == NULL) == (env == NULL))
        return ctl_usage(c, "give the new master key with exactly one of --new-key-file FILE, --new-key-env VAR");
    if (file) {
        int rc = ctl_read_input(file, "new-key-file", &key);
        if (rc)
            return rc;
    } else if (getenv(env) == NULL || (key = strdup(getenv(env))) == NULL) {
        return ctl_invalid("new-key-env", "the environment variable named by --new-key-env is not set");
    }
    int rc = igny8_store_rekey(c->st, c->actor, key);
    explicit_bzero(key, strlen(key));
    free(key);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "rotated", 1);
    return ctl_emit_cjson(c, o);
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
      0, 0, CTL_STORE_OPEN, cmd_models_list, CTL_MODEL_COLUMNS },
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
    { "keys", "new-master", "[-o FILE]", "Make a new master key (base64 of 32 random bytes) to seal the stored API "
      "keys with: give it to every process as IGNY8_MASTER_KEY_FILE or IGNY8_MASTER_KEY",
      "o=", "-o FILE\twrite it to a new file of mode 0600 instead of standard output\n",
      0, 0, CTL_STORE_NONE, cmd_keys_new_master, NULL },
    { "keys", "rotate-master", "--new-key-file FILE | --new-key-env VAR",
      "Seal every API key under a new master key in one transaction (the current one comes from "
      "IGNY8_MASTER_KEY_FILE or IGNY8_MASTER_KEY); give other processes both keys first (NEW,OLD)",
      "new-key-file=,new-key-env=",
      "--new-key-file FILE\tthe new master key, from a file (igny8ctl keys new-master -o FILE)\n"
      "--new-key-env VAR\tthe new master key, from the environment variable VAR\n",
      0, 0, CTL_STORE_OPEN, cmd_keys_rotate_master, NULL },
    { "operations", "list", "", "List the operations and the model type each needs", "", "",
      0, 0, CTL_STORE_OPEN, cmd_operations_list, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
