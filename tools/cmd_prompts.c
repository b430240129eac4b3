/* igny8ctl — prompt templates: versions, publishing, diffs, rendering, accounts' customisations. */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>

/* A global version as JSON (value included). */
static cJSON *prompt_json(const igny8_prompt *p)
{
    cJSON *o = cJSON_CreateObject();
    const char *message = igny8_prompt_message(p);
    cJSON_AddStringToObject(o, "prompt_type", igny8_prompt_type(p));
    cJSON_AddNumberToObject(o, "version", igny8_prompt_version(p));
    cJSON_AddBoolToObject(o, "published", igny8_prompt_is_published(p));
    cJSON_AddStringToObject(o, "description", igny8_prompt_description(p) ? igny8_prompt_description(p) : "");
    cJSON_AddItemToObject(o, "message", message ? cJSON_CreateString(message) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "author", igny8_prompt_author(p) ? igny8_prompt_author(p) : "");
    cJSON_AddStringToObject(o, "created_at", igny8_prompt_created_at(p) ? igny8_prompt_created_at(p) : "");
    cJSON_AddItemToObject(o, "variables", cJSON_CreateRaw(igny8_prompt_variables_json(p)));
    cJSON_AddStringToObject(o, "value", igny8_prompt_value(p));
    return o;
}

static int emit_prompt(const ctl_ctx *c, const char *type, int version)
{
    igny8_prompt *p = NULL;
    CTL_TRY(igny8_prompt_get(c->st, type, version, &p));
    cJSON *o = prompt_json(p);
    igny8_prompt_free(p);
    return ctl_emit_cjson(c, o);
}

static int emit_account_prompt(const ctl_ctx *c, int64_t account, const char *type)
{
    char *json = NULL;
    CTL_TRY(igny8_account_prompt_get_json(c->st, account, type, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_list(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    (void)a;
    CTL_TRY(igny8_prompt_list_json(c->st, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_versions(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    CTL_TRY(igny8_prompt_versions_json(c->st, a->pos[0], &json));
    return ctl_emit_owned(c, json);
}

static int cmd_get(ctl_ctx *c, const ctl_args *a)
{
    const char *v = ctl_opt(a, "version");
    int version = 0;
    int rc = v ? ctl_parse_int(v, "version", &version) : CTL_OK;
    return rc ? rc : emit_prompt(c, a->pos[0], version);
}

static int cmd_commit(ctl_ctx *c, const ctl_args *a)
{
    igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    igny8_prompt *p = NULL;
    char *value = NULL;
    int rc = ctl_read_opt_input(c, a, "file", &value);
    if (rc)
        return rc;
    o.prompt_type = a->pos[0];
    o.value = value;
    o.description = ctl_opt(a, "description");
    o.message = ctl_opt(a, "message");
    o.publish = ctl_flag(a, "publish");
    rc = igny8_prompt_commit(c->st, c->actor, &o, &p);
    free(value);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    cJSON *j = prompt_json(p);
    igny8_prompt_free(p);
    return ctl_emit_cjson(c, j);
}

static int cmd_publish(ctl_ctx *c, const ctl_args *a)
{
    int version = 0;
    int rc = ctl_parse_int(a->pos[1], "version", &version);
    if (rc)
        return rc;
    CTL_TRY(igny8_prompt_publish(c->st, c->actor, a->pos[0], version));
    return emit_prompt(c, a->pos[0], version);
}

static int cmd_diff(ctl_ctx *c, const ctl_args *a)
{
    int from = 0, to = 0;
    char *diff = NULL;
    int rc = ctl_parse_int(a->pos[1], "from", &from);
    if (rc || (rc = ctl_parse_int(a->pos[2], "to", &to)) != CTL_OK)
        return rc;
    CTL_TRY(igny8_prompt_diff(c->st, a->pos[0], from, to, &diff));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "prompt_type", a->pos[0]);
    cJSON_AddNumberToObject(o, "from", from);
    cJSON_AddNumberToObject(o, "to", to);
    rc = ctl_emit_text(c, o, "diff", diff);
    igny8_free(diff);
    return rc;
}

/* --vars: a JSON object given inline ("{...}"), a file, or - for standard input. */
static int read_vars(const ctl_args *a, char **out)
{
    const char *v = ctl_opt(a, "vars");
    *out = NULL;
    if (!v)
        return CTL_OK;
    if (v[strspn(v, " \t\r\n")] == '{') {
        *out = strdup(v);
        return *out ? CTL_OK : ctl_other("out of memory");
    }
    return ctl_read_input(v, "vars", out);
}

static int cmd_render(ctl_ctx *c, const ctl_args *a)
{
    const char *acc = ctl_opt(a, "account");
    int64_t account = 0;
    char *vars = NULL, *text = NULL;
    int rc = acc ? ctl_parse_id(acc, "--account", "account", &account) : CTL_OK;
    if (rc || (rc = read_vars(a, &vars)) != CTL_OK)
        return rc;
    rc = igny8_prompt_render(c->st, account, a->pos[0], vars, &text);
    free(vars);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "prompt_type", a->pos[0]);
    cJSON_AddItemToObject(o, "account_id", account ? ctl_json_i64(account) : cJSON_CreateNull());
    rc = ctl_emit_text(c, o, "text", text);
    igny8_free(text);
    return rc;
}

static int cmd_customize(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    char *value = NULL;
    int rc = ctl_parse_id(a->pos[0], "ACCOUNT", "account_id", &account);
    if (rc || (rc = ctl_read_opt_input(c, a, "file", &value)) != CTL_OK)
        return rc;
    rc = igny8_account_prompt_customize(c->st, c->actor, account, a->pos[1], value);
    free(value);
    return rc == IGNY8_OK ? emit_account_prompt(c, account, a->pos[1]) : ctl_fail(rc);
}

static int cmd_reset(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int rc = ctl_parse_id(a->pos[0], "ACCOUNT", "account_id", &account);
    if (rc)
        return rc;
    CTL_TRY(igny8_account_prompt_reset(c->st, c->actor, account, a->pos[1]));
    return emit_account_prompt(c, account, a->pos[1]);
}

static int cmd_reset_bulk(ctl_ctx *c, const ctl_args *a)
{
    size_t n = (size_t)a->npos - 1;
    int64_t *ids = calloc(n, sizeof *ids);
    int rc = ids ? CTL_OK : ctl_other("out of memory");
    for (size_t i = 0; rc == CTL_OK && i < n; i++)
        rc = ctl_parse_id(a->pos[i + 1], "ACCOUNT", "account_id", &ids[i]);
    int lib = rc == CTL_OK ? igny8_account_prompt_reset_bulk(c->st, c->actor, ids, n, a->pos[0]) : IGNY8_OK;
    cJSON *o = NULL, *list = NULL;
    if (rc == CTL_OK && lib == IGNY8_OK && (o = cJSON_CreateObject()) != NULL) {
        cJSON_AddStringToObject(o, "prompt_type", a->pos[0]);
        cJSON_AddItemToObject(o, "reset_accounts", list = cJSON_CreateArray());
        for (size_t i = 0; list && i < n; i++)
            cJSON_AddItemToArray(list, ctl_json_i64(ids[i]));
    }
    free(ids);
    if (rc != CTL_OK)
        return rc;
    return lib != IGNY8_OK ? ctl_fail(lib) : ctl_emit_cjson(c, o);
}

static int cmd_stale(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    CTL_TRY(igny8_prompt_stale_accounts_json(c->st, a->pos[0], &json));
    return ctl_emit_owned(c, json);
}

static int set_active(ctl_ctx *c, const ctl_args *a, int active)
{
    CTL_TRY(igny8_prompt_set_active_bulk(c->st, c->actor, (const char *const *)a->pos, (size_t)a->npos, active));
    return cmd_list(c, a);
}

static int cmd_activate(ctl_ctx *c, const ctl_args *a)
{
    return set_active(c, a, 1);
}

static int cmd_deactivate(ctl_ctx *c, const ctl_args *a)
{
    return set_active(c, a, 0);
}

static int cmd_increment(ctl_ctx *c, const ctl_args *a)
{
    const char *message = ctl_opt(a, "message");
    if (!message)
        return ctl_usage(c, "--message M is required");
    CTL_TRY(igny8_prompt_increment_version(c->st, c->actor, (const char *const *)a->pos, (size_t)a->npos, message));
    return cmd_list(c, a);
}

static int cmd_account(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    char *json = NULL;
    int rc = ctl_parse_id(a->pos[0], "ACCOUNT", "account_id", &account);
    if (rc)
        return rc;
    if (a->npos > 1)
        return emit_account_prompt(c, account, a->pos[1]);
    CTL_TRY(igny8_account_prompt_list_json(c->st, account, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_add_type(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_prompt_type_add(c->st, c->actor, a->pos[0]));
    char *json = NULL;
    CTL_TRY(igny8_prompt_versions_json(c->st, a->pos[0], &json));
    return ctl_emit_owned(c, json);
}

static int cmd_check(ctl_ctx *c, const ctl_args *a)
{
    char *text = NULL, *vars = NULL;
    int rc = ctl_read_opt_input(c, a, "file", &text);
    if (rc)
        return rc;
    rc = igny8_template_variables_json(text, &vars);
    free(text);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "valid", 1);
    cJSON_AddItemToObject(o, "variables", cJSON_CreateRaw(vars));
    igny8_free(vars);
    return ctl_emit_cjson(c, o);
}

#define TYPE_HELP "TYPE\ta prompt type (igny8ctl prompts list)\n"
#define ACCOUNT_HELP "ACCOUNT\tthe account id\n"
#define FILE_HELP "--file FILE|-\tthe template, or - for standard input\n"
#define LIST_COLUMNS "prompt_type,account_id,version,published_version,latest_version,based_on_version,published," \
    "is_customized,stale,is_active,author,created_at,message,description"

const ctl_command ctl_prompt_commands[] = {
    { "prompts", "list", "", "List the prompt types with their published and latest versions", "", "",
      0, 0, CTL_STORE_OPEN, cmd_list, LIST_COLUMNS },
    { "prompts", "versions", "TYPE", "List the versions of a prompt type, newest first", "", TYPE_HELP,
      1, 1, CTL_STORE_OPEN, cmd_versions, LIST_COLUMNS },
    { "prompts", "get", "TYPE [--version N]", "Show a version of a prompt type (default: the published one)",
      "version=", TYPE_HELP "--version N\tthat version instead of the published one\n",
      1, 1, CTL_STORE_OPEN, cmd_get, NULL },
    { "prompts", "commit", "TYPE --file FILE|- [--message M] [--description D] [--publish]",
      "Commit a new version of a prompt type (a malformed template is refused)", "file=,message=,description=,publish",
      TYPE_HELP FILE_HELP "--message M\twhy this version\n--description D\twhat the prompt does (default: the "
      "previous version's)\n--publish\tpublish the new version in the same transaction\n",
      1, 1, CTL_STORE_OPEN, cmd_commit, NULL },
    { "prompts", "publish", "TYPE VERSION", "Publish a version (an older one is a rollback)", "",
      TYPE_HELP "VERSION\tthe version number\n", 2, 2, CTL_STORE_OPEN, cmd_publish, NULL },
    { "prompts", "diff", "TYPE FROM TO", "Unified diff between two versions (--format table: the diff itself)", "",
      TYPE_HELP "FROM, TO\tversion numbers\n", 3, 3, CTL_STORE_OPEN, cmd_diff, NULL },
    { "prompts", "render", "TYPE [--account ID] [--vars JSON|FILE|-]", "Render the effective prompt of a type "
      "(--format table: the text itself)", "account=,vars=",
      TYPE_HELP "--account ID\tthe account's prompt (its customisation, else the published one)\n"
      "--vars JSON|FILE|-\tthe variables: a JSON object inline, a file, or - for standard input\n",
      1, 1, CTL_STORE_OPEN, cmd_render, NULL },
    { "prompts", "customize", "ACCOUNT TYPE --file FILE|-", "Customise an account's prompt of a type", "file=",
      ACCOUNT_HELP TYPE_HELP FILE_HELP, 2, 2, CTL_STORE_OPEN, cmd_customize, NULL },
    { "prompts", "reset", "ACCOUNT TYPE", "Return an account to the published prompt of a type", "",
      ACCOUNT_HELP TYPE_HELP, 2, 2, CTL_STORE_OPEN, cmd_reset, NULL },
    { "prompts", "reset-bulk", "TYPE ACCOUNT...", "Reset the customisation of a type for several accounts at once",
      "", TYPE_HELP "ACCOUNT...\tone or more account ids\n", 2, -1, CTL_STORE_OPEN, cmd_reset_bulk, NULL },
    { "prompts", "stale", "TYPE", "Accounts whose customisation is based on an older version than the published one",
      "", TYPE_HELP, 1, 1, CTL_STORE_OPEN, cmd_stale, LIST_COLUMNS },
    { "prompts", "activate", "TYPE...", "Activate prompt types", "", "TYPE...\tone or more prompt types\n",
      1, -1, CTL_STORE_OPEN, cmd_activate, LIST_COLUMNS },
    { "prompts", "deactivate", "TYPE...", "Deactivate prompt types (an inactive type cannot be rendered)", "",
      "TYPE...\tone or more prompt types\n", 1, -1, CTL_STORE_OPEN, cmd_deactivate, LIST_COLUMNS },
    { "prompts", "increment", "TYPE... --message M", "Commit the published value of each type again as a new, "
      "published version", "message=", "TYPE...\tone or more prompt types\n--message M\twhy (required)\n",
      1, -1, CTL_STORE_OPEN, cmd_increment, LIST_COLUMNS },
    { "prompts", "account", "ACCOUNT [TYPE]", "An account's view of every prompt type, or of one", "",
      ACCOUNT_HELP "TYPE\tonly this prompt type\n", 1, 2, CTL_STORE_OPEN, cmd_account, LIST_COLUMNS },
    { "prompts", "add-type", "TYPE", "Add a prompt type with no versions yet", "",
      "TYPE\tan identifier, 1..64 characters\n", 1, 1, CTL_STORE_OPEN, cmd_add_type, NULL },
    { "prompts", "check", "--file FILE|-", "Check a template without a store and list its variables", "file=",
      FILE_HELP, 0, 0, CTL_STORE_NONE, cmd_check, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
