/* igny8ctl — the libraries of author profiles and strategies, and the accounts' copies. */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>

/* A positional id: its name in the usage, and the field of its error. */
typedef struct id_arg {
    const char *label, *field;
} id_arg;

/* KIND, then the ids of args[] (ACCOUNT, ID, ...) from the positionals. */
static int parse_head(const ctl_args *a, int *kind, const id_arg *args, int64_t *values, int n)
{
    int rc = ctl_parse_kind(a->pos[0], kind);
    for (int i = 0; rc == CTL_OK && i < n; i++)
        rc = ctl_parse_id(a->pos[i + 1], args[i].label, args[i].field, &values[i]);
    return rc;
}

static const id_arg ID[] = { { "ID", "id" } };
static const id_arg ACCOUNT[] = { { "ACCOUNT", "account_id" } };
static const id_arg ACCOUNT_ID[] = { { "ACCOUNT", "account_id" }, { "COPY_ID", "id" } };

static int emit_item(const ctl_ctx *c, int kind, int64_t id)
{
    char *json = NULL;
    CTL_TRY(igny8_library_get_json(c->st, kind, id, &json));
    return ctl_emit_owned(c, json);
}

static int emit_copy(const ctl_ctx *c, int kind, int64_t account, int64_t id)
{
    char *json = NULL;
    CTL_TRY(igny8_library_copy_get_json(c->st, kind, account, id, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_list(ctl_ctx *c, const ctl_args *a)
{
    igny8_library_filter f = IGNY8_LIBRARY_FILTER_INIT;
    int kind = 0;
    char *json = NULL;
    int rc = ctl_parse_kind(a->pos[0], &kind);
    if (rc || (rc = ctl_active_filter(c, a, &f.active)) != CTL_OK)
        return rc;
    f.category = ctl_opt(a, "category");
    f.search = ctl_opt(a, "search");
    CTL_TRY(igny8_library_list_json(c->st, kind, &f, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_get(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t id = 0;
    int rc = parse_head(a, &kind, ID, &id, 1);
    return rc ? rc : emit_item(c, kind, id);
}

static int cmd_create(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t id = 0;
    char *doc = NULL;
    int rc = ctl_parse_kind(a->pos[0], &kind);
    if (rc || (rc = ctl_read_opt_input(c, a, "json", &doc)) != CTL_OK)
        return rc;
    rc = igny8_library_create_json(c->st, c->actor, kind, doc, &id);
    free(doc);
    return rc == IGNY8_OK ? emit_item(c, kind, id) : ctl_fail(rc);
}

static int cmd_update(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t id = 0;
    char *doc = NULL;
    int rc = parse_head(a, &kind, ID, &id, 1);
    if (rc || (rc = ctl_read_opt_input(c, a, "json", &doc)) != CTL_OK)
        return rc;
    rc = igny8_library_update_json(c->st, c->actor, kind, id, doc);
    free(doc);
    return rc == IGNY8_OK ? emit_item(c, kind, id) : ctl_fail(rc);
}

/* The items' views as one array (their JSON kept as the library wrote it). */
static int emit_items(const ctl_ctx *c, int kind, const int64_t *ids, size_t n)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < n; i++) {
        char *json = NULL;
        int rc = igny8_library_get_json(c->st, kind, ids[i], &json);
        if (rc != IGNY8_OK) {
            cJSON_Delete(list);
            return ctl_fail(rc);
        }
        cJSON_AddItemToArray(list, cJSON_CreateRaw(json));
        igny8_free(json);
    }
    return ctl_emit_cjson(c, list);
}

static int set_active(ctl_ctx *c, const ctl_args *a, int active)
{
    int kind = 0;
    size_t n = (size_t)a->npos - 1;
    int64_t *ids = calloc(n, sizeof *ids);
    int rc = ids ? ctl_parse_kind(a->pos[0], &kind) : ctl_other("out of memory");
    for (size_t i = 0; rc == CTL_OK && i < n; i++)
        rc = ctl_parse_id(a->pos[i + 1], "ID", "id", &ids[i]);
    if (rc == CTL_OK) {
        int lib = igny8_library_set_active_bulk(c->st, c->actor, kind, ids, n, active);
        rc = lib == IGNY8_OK ? emit_items(c, kind, ids, n) : ctl_fail(lib);
    }
    free(ids);
    return rc;
}

static int cmd_activate(ctl_ctx *c, const ctl_args *a)
{
    return set_active(c, a, 1);
}

static int cmd_deactivate(ctl_ctx *c, const ctl_args *a)
{
    return set_active(c, a, 0);
}

static int cmd_clone(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t v[2] = { 0, 0 }, copy = 0;
    static const id_arg args[] = { { "ACCOUNT", "account_id" }, { "SOURCE_ID", "source_id" } };
    int rc = parse_head(a, &kind, args, v, 2);
    if (rc)
        return rc;
    CTL_TRY(igny8_library_clone(c->st, c->actor, kind, v[0], v[1], &copy));
    return emit_copy(c, kind, v[0], copy);
}

static int cmd_bulk_clone(ctl_ctx *c, const ctl_args *a)
{
    const char *sources = ctl_opt(a, "sources"), *accounts = ctl_opt(a, "accounts"), *on = ctl_opt(a, "on-existing");
    int kind = 0, mode = IGNY8_CLONE_SKIP;
    int64_t *src = NULL, *acc = NULL;
    size_t ns = 0, na = 0, created = 0;
    if (!sources || !accounts)
        return ctl_usage(c, "--sources and --accounts are required");
    if (on && strcmp(on, "skip") != 0 && strcmp(on, "fail") != 0)
        return ctl_invalid("on-existing", "on-existing '%s' is neither skip nor fail", on);
    mode = on && strcmp(on, "fail") == 0 ? IGNY8_CLONE_FAIL : IGNY8_CLONE_SKIP;
    int rc = ctl_parse_kind(a->pos[0], &kind);
    if (rc == CTL_OK && (rc = ctl_parse_id_list(sources, "--sources", "sources", &src, &ns)) == CTL_OK)
        rc = ctl_parse_id_list(accounts, "--accounts", "accounts", &acc, &na);
    if (rc == CTL_OK) {
        int lib = igny8_library_bulk_clone(c->st, c->actor, kind, src, ns, acc, na, mode, &created);
        cJSON *o = lib == IGNY8_OK ? cJSON_CreateObject() : NULL;
        cJSON_AddStringToObject(o, "kind", igny8_library_kind_name(kind));
        cJSON_AddNumberToObject(o, "created", (double)created);
        cJSON_AddNumberToObject(o, "skipped", (double)(ns * na - created));
        rc = lib == IGNY8_OK ? ctl_emit_cjson(c, o) : ctl_fail(lib);
    }
    free(src);
    free(acc);
    return rc;
}

static int cmd_copies(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t account = 0;
    char *json = NULL;
    int rc = parse_head(a, &kind, ACCOUNT, &account, 1);
    if (rc)
        return rc;
    CTL_TRY(igny8_library_copy_list_json(c->st, kind, account, &json));
    return ctl_emit_owned(c, json);
}

static int cmd_copy_get(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t v[2] = { 0, 0 };
    int rc = parse_head(a, &kind, ACCOUNT_ID, v, 2);
    return rc ? rc : emit_copy(c, kind, v[0], v[1]);
}

static int cmd_copy_update(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t v[2] = { 0, 0 };
    char *doc = NULL;
    int rc = parse_head(a, &kind, ACCOUNT_ID, v, 2);
    if (rc || (rc = ctl_read_opt_input(c, a, "json", &doc)) != CTL_OK)
        return rc;
    rc = igny8_library_copy_update_json(c->st, c->actor, kind, v[0], v[1], doc);
    free(doc);
    return rc == IGNY8_OK ? emit_copy(c, kind, v[0], v[1]) : ctl_fail(rc);
}

static int cmd_copy_reset(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t v[2] = { 0, 0 };
    int rc = parse_head(a, &kind, ACCOUNT_ID, v, 2);
    if (rc)
        return rc;
    CTL_TRY(igny8_library_copy_reset(c->st, c->actor, kind, v[0], v[1]));
    return emit_copy(c, kind, v[0], v[1]);
}

static int cmd_copy_delete(ctl_ctx *c, const ctl_args *a)
{
    int kind = 0;
    int64_t v[2] = { 0, 0 };
    int rc = parse_head(a, &kind, ACCOUNT_ID, v, 2);
    if (rc)
        return rc;
    CTL_TRY(igny8_library_copy_delete(c->st, c->actor, kind, v[0], v[1]));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", igny8_library_kind_name(kind));
    cJSON_AddItemToObject(o, "account_id", ctl_json_i64(v[0]));
    cJSON_AddItemToObject(o, "id", ctl_json_i64(v[1]));
    cJSON_AddBoolToObject(o, "deleted", 1);
    return ctl_emit_cjson(c, o);
}

#define KIND_HELP "KIND\tauthor-profiles or strategies\n"
#define ITEM_HELP KIND_HELP "ID\tthe global item's id\n"
#define COPY_HELP KIND_HELP "ACCOUNT\tthe account id\nCOPY_ID\tthe id of the account's copy\n"
#define JSON_HELP "--json FILE|-\ta JSON object, or - for standard input\n"
#define ITEM_COLUMNS "id,name,category,is_active,revision,source_id,based_on_revision,modified,source_changed," \
    "source_active,updated_at"

const ctl_command ctl_library_commands[] = {
    { "library", "list", "KIND [--category C] [--search S] [--active|--inactive]", "List the global items of a kind, "
      "by name", "category=,search=,active,inactive",
      KIND_HELP "--category C\tonly this category\n--search S\ta case-insensitive substring of name or description\n"
      "--active, --inactive\tonly active or only inactive items\n",
      1, 1, CTL_STORE_OPEN, cmd_list, ITEM_COLUMNS },
    { "library", "get", "KIND ID", "Show a global item", "", ITEM_HELP, 2, 2, CTL_STORE_OPEN, cmd_get, NULL },
    { "library", "create", "KIND --json FILE|-", "Create a global item from a JSON object", "json=",
      KIND_HELP JSON_HELP, 1, 1, CTL_STORE_OPEN, cmd_create, NULL },
    { "library", "update", "KIND ID --json FILE|-", "Change a global item with a JSON patch (its revision goes up)",
      "json=", ITEM_HELP JSON_HELP, 2, 2, CTL_STORE_OPEN, cmd_update, NULL },
    { "library", "activate", "KIND ID...", "Activate global items (one transaction)", "",
      KIND_HELP "ID...\tone or more ids\n", 2, -1, CTL_STORE_OPEN, cmd_activate, ITEM_COLUMNS },
    { "library", "deactivate", "KIND ID...", "Deactivate global items (the accounts' copies stay usable)", "",
      KIND_HELP "ID...\tone or more ids\n", 2, -1, CTL_STORE_OPEN, cmd_deactivate, ITEM_COLUMNS },
    { "library", "clone", "KIND ACCOUNT SOURCE_ID", "Clone a global item into an account's own copy", "",
      KIND_HELP "ACCOUNT\tthe account id\nSOURCE_ID\tthe global item's id\n", 3, 3, CTL_STORE_OPEN, cmd_clone, NULL },
    { "library", "bulk-clone", "KIND --sources ID,... --accounts ID,... [--on-existing skip|fail]",
      "Clone every source to every account in one transaction", "sources=,accounts=,on-existing=",
      KIND_HELP "--sources ID,...\tglobal item ids\n--accounts ID,...\taccount ids\n"
      "--on-existing skip|fail\tan account that has a copy already: leave it (default) or fail, cloning nothing\n",
      1, 1, CTL_STORE_OPEN, cmd_bulk_clone, NULL },
    { "library", "copies", "KIND ACCOUNT", "List an account's copies, by name", "",
      KIND_HELP "ACCOUNT\tthe account id\n", 2, 2, CTL_STORE_OPEN, cmd_copies, ITEM_COLUMNS },
    { "library", "copy-get", "KIND ACCOUNT COPY_ID", "Show an account's copy", "", COPY_HELP,
      3, 3, CTL_STORE_OPEN, cmd_copy_get, NULL },
    { "library", "copy-update", "KIND ACCOUNT COPY_ID --json FILE|-", "Edit an account's copy with a JSON patch",
      "json=", COPY_HELP JSON_HELP, 3, 3, CTL_STORE_OPEN, cmd_copy_update, NULL },
    { "library", "copy-reset", "KIND ACCOUNT COPY_ID", "Make a copy equal to the current global item again", "",
      COPY_HELP, 3, 3, CTL_STORE_OPEN, cmd_copy_reset, NULL },
    { "library", "copy-delete", "KIND ACCOUNT COPY_ID", "Delete an account's copy", "", COPY_HELP,
      3, 3, CTL_STORE_OPEN, cmd_copy_delete, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
