/* igny8ctl — plans and fallbacks: access groups, an account's access and cost ceilings, fallback chains. */
#include "ctl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int account_arg(const ctl_args *a, int64_t *out)
{
    return ctl_parse_id(a->pos[0], "ACCOUNT", "account_id", out);
}

/* ---- access groups ---- */

static int emit_group(const ctl_ctx *c, const char *name)
{
    char *json = NULL;
    CTL_TRY(igny8_access_group_get_json(c->st, name, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_groups(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    (void)a;
    CTL_TRY(igny8_access_group_list_json(c->st, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_group_get(ctl_ctx *c, const ctl_args *a)
{
    return emit_group(c, a->pos[0]);
}

static int cmd_group_set(ctl_ctx *c, const ctl_args *a)
{
    const char *list = ctl_opt(a, "models");
    char *copy = NULL, **models = NULL;
    size_t n = 0;
    if (!list)
        return ctl_usage(c, "--models A,B,C is required (--models \"\" for an empty group)");
    int rc = ctl_split_list(list, &copy, &models, &n);
    if (rc)
        return rc;
    rc = igny8_access_group_set(c->st, c->actor, a->pos[0], ctl_opt(a, "description"), (const char *const *)models,
                                *list ? n : 0);
    free(copy);
    free(models);
    return rc == IGNY8_OK ? emit_group(c, a->pos[0]) : ctl_fail(rc);
}

static int cmd_group_put(ctl_ctx *c, const ctl_args *a)
{
    char *doc = NULL, *json = NULL;
    int rc = ctl_read_opt_input(c, a, "json", &doc);
    if (rc)
        return rc;
    rc = igny8_access_group_put_json(c->st, c->actor, a->pos[0], doc, &json);
    free(doc);
    return rc == IGNY8_OK ? ctl_emit_owned(c, json) : ctl_fail(rc);
}

static int cmd_group_delete(ctl_ctx *c, const ctl_args *a)
{
    CTL_TRY(igny8_access_group_delete(c->st, c->actor, a->pos[0]));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", a->pos[0]);
    cJSON_AddBoolToObject(o, "deleted", 1);
    return ctl_emit_cjson(c, o);
}

/* ---- an account's access ---- */

static int emit_access(const ctl_ctx *c, int64_t account)
{
    char *json = NULL;
    CTL_TRY(igny8_account_access_get_json(c->st, account, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_account_get(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    int rc = account_arg(a, &account);
    return rc ? rc : emit_access(c, account);
}

static int cmd_account_put(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    char *doc = NULL, *json = NULL;
    int rc = account_arg(a, &account);
    if (rc || (rc = ctl_read_opt_input(c, a, "json", &doc)) != CTL_OK)
        return rc;
    rc = igny8_account_access_put_json(c->st, c->actor, account, doc, &json);
    free(doc);
    return rc == IGNY8_OK ? ctl_emit_owned(c, json) : ctl_fail(rc);
}

static int cmd_account_group(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    const char *group = NULL;
    int rc = account_arg(a, &account);
    if (rc || (rc = ctl_value_or_clear(c, a, 1, &group)) != CTL_OK)
        return rc;
    CTL_TRY(igny8_account_access_group_set(c->st, c->actor, account, group));
    return emit_access(c, account);
}

static int set_model_access(ctl_ctx *c, const ctl_args *a, int access)
{
    int64_t account = 0;
    int rc = account_arg(a, &account);
    if (rc)
        return rc;
    CTL_TRY(igny8_account_model_access_set(c->st, c->actor, account, a->pos[1], access));
    return emit_access(c, account);
}

static int cmd_account_allow(ctl_ctx *c, const ctl_args *a)
{
    return set_model_access(c, a, IGNY8_ACCESS_ALLOW);
}

static int cmd_account_deny(ctl_ctx *c, const ctl_args *a)
{
    return set_model_access(c, a, IGNY8_ACCESS_DENY);
}

static int cmd_account_inherit(ctl_ctx *c, const ctl_args *a)
{
    return set_model_access(c, a, IGNY8_ACCESS_INHERIT);
}

/* The ceilings of account budget, in the order of its options. */
static const char *const ceiling_options[2] = { "text", "image" };
static const char *const ceiling_fields[2] = { "max_cost_per_1k_tokens", "max_cost_per_image" };

/* --text / --image: "none" (NaN: no ceiling) or a price in USD. */
static int parse_ceiling(const char *s, int i, double *out)
{
    char label[16];
    if (strcmp(s, "none") == 0) {
        *out = NAN;
        return CTL_OK;
    }
    snprintf(label, sizeof label, "--%s", ceiling_options[i]);
    return ctl_parse_decimal(s, label, ceiling_options[i], IGNY8_MAX_COST_LIMIT, out);
}

/* Only the ceilings given change, in one PUT of the account's body: a read of the others
 * followed by a write of both could undo another operator's change made in between. */
static int cmd_account_budget(ctl_ctx *c, const ctl_args *a)
{
    int64_t account = 0;
    double ceiling = NAN;
    int rc = account_arg(a, &account);
    cJSON *body = cJSON_CreateObject();
    if (body == NULL)
        return ctl_other("out of memory");
    for (int i = 0; rc == CTL_OK && i < 2; i++) {
        const char *s = ctl_opt(a, ceiling_options[i]);
        if (s && (rc = parse_ceiling(s, i, &ceiling)) == CTL_OK &&
            !cJSON_AddItemToObject(body, ceiling_fields[i], isnan(ceiling) ? cJSON_CreateNull()
                                                                           : cJSON_CreateNumber(ceiling)))
            rc = ctl_other("out of memory");
    }
    char *text = rc == CTL_OK && body->child ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (rc == CTL_OK && text == NULL)
        rc = ctl_usage(c, "give --text USD|none, --image USD|none or both");
    if (rc == CTL_OK) {
        char *json = NULL;
        int lib_rc = igny8_account_access_put_json(c->st, c->actor, account, text, &json);
        rc = lib_rc == IGNY8_OK ? ctl_emit_owned(c, json) : ctl_fail(lib_rc);
    }
    cJSON_free(text);
    return rc;
}

static int cmd_account_models(ctl_ctx *c, const ctl_args *a)
{
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    int64_t account = 0;
    char *json = NULL;
    int rc = account_arg(a, &account);
    if (rc || (rc = ctl_model_filter(c, a, &f)) != CTL_OK)
        return rc;
    CTL_TRY(igny8_account_model_list_json(c->st, account, &f, &json));
    return ctl_emit_owned(c, json);
}

/* ---- fallback chains ---- */

/* Whose chains: --account ID, else the platform's (0). */
static int chain_owner(const ctl_args *a, int64_t *out)
{
    const char *s = ctl_opt(a, "account");
    *out = 0;
    return s ? ctl_parse_id(s, "--account", "account", out) : CTL_OK;
}

static int emit_chains(const ctl_ctx *c, int64_t owner)
{
    char *json = NULL;
    CTL_TRY(igny8_fallback_chains_get_json(c->st, owner, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_fallbacks_get(ctl_ctx *c, const ctl_args *a)
{
    int64_t owner = 0;
    int rc = chain_owner(a, &owner);
    return rc ? rc : emit_chains(c, owner);
}

/* models NULL removes the chain; otherwise the positionals after OPERATION (none: an empty chain). */
static int set_chain(ctl_ctx *c, const ctl_args *a, int remove)
{
    int64_t owner = 0;
    int rc = chain_owner(a, &owner);
    if (rc)
        return rc;
    const char *const *models = remove ? NULL : (const char *const *)a->pos + 1;
    CTL_TRY(igny8_fallback_chain_set(c->st, c->actor, owner, a->pos[0], models, remove ? 0 : (size_t)a->npos - 1));
    return emit_chains(c, owner);
}

static int cmd_fallbacks_set(ctl_ctx *c, const ctl_args *a)
{
    return set_chain(c, a, 0);
}

static int cmd_fallbacks_clear(ctl_ctx *c, const ctl_args *a)
{
    return set_chain(c, a, 1);
}

static int cmd_fallbacks_put(ctl_ctx *c, const ctl_args *a)
{
    int64_t owner = 0;
    char *doc = NULL, *json = NULL;
    int rc = chain_owner(a, &owner);
    if (rc || (rc = ctl_read_opt_input(c, a, "json", &doc)) != CTL_OK)
        return rc;
    rc = igny8_fallback_chains_put_json(c->st, c->actor, owner, doc, &json);
    free(doc);
    return rc == IGNY8_OK ? ctl_emit_owned(c, json) : ctl_fail(rc);
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define GROUP_HELP "NAME\tthe access group (a plan): 1..64 letters, digits, _ - ., starting with a letter or digit\n"
#define ACCOUNT_HELP "ACCOUNT\tthe account id\n"
#define MODEL_HELP "MODEL\ta model_name (igny8ctl models list)\n"
#define JSON_HELP "--json FILE|-\ta JSON object, or - for standard input\n"
#define OPERATION_HELP "OPERATION\tan operation (igny8ctl operations list)\n"
#define OWNER_HELP "--account ID\tthe account's own chains (each replaces the platform's for its operation) " \
    "instead of the platform's\n"
#define GROUP_COLUMNS "name,description,models,accounts"

const ctl_command ctl_access_commands[] = {
    { "access", "groups", "", "List the access groups (the plans): their models and how many accounts each has",
      "", "", 0, 0, CTL_STORE_OPEN, cmd_groups, GROUP_COLUMNS },
    { "access", "group get", "NAME", "Show an access group", "", GROUP_HELP,
      1, 1, CTL_STORE_OPEN, cmd_group_get, NULL },
    { "access", "group set", "NAME --models A,B,C [--description D]", "Create or replace an access group: its models "
      "and its description (none without --description)", "models=,description=",
      GROUP_HELP "--models A,B,C\tthe group's models, comma-separated; --models \"\" for an empty group\n"
      "--description D\twhat the plan is\n", 1, 1, CTL_STORE_OPEN, cmd_group_set, NULL },
    { "access", "group put", "NAME --json FILE|-", "Create an access group or change it with a REST PUT body (the "
      "fields present change: description, models)", "json=",
      GROUP_HELP JSON_HELP "\te.g. {\"models\":[\"gpt-4o-mini\"]}; name, accounts, updated_at and updated_by are "
      "read-only\n", 1, 1, CTL_STORE_OPEN, cmd_group_put, NULL },
    { "access", "group delete", "NAME", "Delete an access group (refused, exit 5, while accounts are assigned it)",
      "", GROUP_HELP, 1, 1, CTL_STORE_OPEN, cmd_group_delete, NULL },
    { "access", "account get", "ACCOUNT", "Show an account's access: its group, own additions and removals, cost "
      "ceilings, own fallback chains and the models the rules allow", "", ACCOUNT_HELP,
      1, 1, CTL_STORE_OPEN, cmd_account_get, NULL },
    { "access", "account put", "ACCOUNT --json FILE|-", "Change an account's access with a REST PUT body (the fields "
      "present change, null clears one; one transaction)", "json=",
      ACCOUNT_HELP JSON_HELP "\te.g. {\"group\":\"starter\",\"additions\":[\"gpt-4o\"],\"max_cost_per_image\":null}\n",
      1, 1, CTL_STORE_OPEN, cmd_account_put, NULL },
    { "access", "account group", "ACCOUNT GROUP|--clear", "Assign the account an access group, or none with --clear "
      "(every model allowed)", "clear",
      ACCOUNT_HELP "GROUP\tthe access group (igny8ctl access groups)\n--clear\tno group\n",
      1, 2, CTL_STORE_OPEN, cmd_account_group, NULL },
    { "access", "account allow", "ACCOUNT MODEL", "Let the account use a model whatever its group (an addition)", "",
      ACCOUNT_HELP MODEL_HELP, 2, 2, CTL_STORE_OPEN, cmd_account_allow, NULL },
    { "access", "account deny", "ACCOUNT MODEL", "Forbid the account a model whatever its group (a removal)", "",
      ACCOUNT_HELP MODEL_HELP, 2, 2, CTL_STORE_OPEN, cmd_account_deny, NULL },
    { "access", "account inherit", "ACCOUNT MODEL", "Remove the account's own rule for a model: its group decides "
      "again", "", ACCOUNT_HELP MODEL_HELP, 2, 2, CTL_STORE_OPEN, cmd_account_inherit, NULL },
    { "access", "account budget", "ACCOUNT [--text USD|none] [--image USD|none]", "Set the account's cost ceilings "
      "(an option not given keeps that ceiling)", "text=,image=",
      ACCOUNT_HELP "--text USD|none\tthe highest price per 1k tokens, input or output, of a text model it may use "
      "(e.g. 0.005); none: no ceiling\n"
      "--image USD|none\tthe highest price per image of an image model it may use; none: no ceiling\n",
      1, 1, CTL_STORE_OPEN, cmd_account_budget, NULL },
    { "access", "account models", "ACCOUNT [--provider P] [--type text|image]", "The models the account may choose "
      "now: active, allowed and within its ceilings (its settings page's list)", "provider=,type=",
      ACCOUNT_HELP "--provider P\tonly models of provider P\n--type text|image\tonly models of this type\n",
      1, 1, CTL_STORE_OPEN, cmd_account_models, CTL_MODEL_COLUMNS },
    { "fallbacks", "get", "[--account ID]", "The fallback chains of the platform, or an account's own", "account=",
      OWNER_HELP, 0, 0, CTL_STORE_OPEN, cmd_fallbacks_get, NULL },
    { "fallbacks", "set", "OPERATION [MODEL...] [--account ID]", "Set an operation's fallback chain: the models to "
      "try, in order, after the resolved one (no MODEL: an empty chain, no fallbacks)", "account=",
      OPERATION_HELP "MODEL...\tup to " STRINGIFY(IGNY8_FALLBACK_CHAIN_MAX) " active models of the operation's "
      "type, each once (an account's: models it may use)\n" OWNER_HELP,
      1, -1, CTL_STORE_OPEN, cmd_fallbacks_set, NULL },
    { "fallbacks", "clear", "OPERATION [--account ID]", "Remove an operation's chain (an account follows the "
      "platform's again; the platform then has none)", "account=", OPERATION_HELP OWNER_HELP,
      1, 1, CTL_STORE_OPEN, cmd_fallbacks_clear, NULL },
    { "fallbacks", "put", "--json FILE|- [--account ID]", "Set chains with a REST PUT body: each operation present "
      "gets its list, null removes its chain (one transaction)", "json=,account=",
      JSON_HELP "\te.g. {\"content_generation\":[\"gpt-4o\",\"claude-3-5-haiku-20241022\"],\"ideas\":null}\n"
      OWNER_HELP, 0, 0, CTL_STORE_OPEN, cmd_fallbacks_put, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
