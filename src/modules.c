/* Module toggles (GlobalModuleSettings): validation, the JSON views and the audit entries.
 * Every SQL statement is in db_modules.c. */
#include <string.h>

#include "common.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "modules.h"
#include "store.h"

#define MODULE_NAME_MAX 64

static int valid_name(const char *name)
{
    size_t n = 0;
    for (const char *p = name; *p; p++, n++) {
        if (n >= MODULE_NAME_MAX)
            return 0;
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    }
    return n > 0;
}

/* A copy of s fit for a one-line message: at most 64 bytes, control characters as '?'. */
static const char *printable(const char *s, char buf[MODULE_NAME_MAX + 4])
{
    size_t n = 0;
    for (; s[n] && n < MODULE_NAME_MAX; n++)
        buf[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? '?' : s[n];
    strcpy(buf + n, s[n] ? "..." : "");
    return buf;
}

int igny8__module_check_name(const char *name)
{
    char shown[MODULE_NAME_MAX + 4];
    if (valid_name(name))
        return IGNY8_OK;
    return igny8__error_set(IGNY8_EINVAL, "name", "module name '%s' is not 1..%d lowercase letters, "
                            "digits or '_'", printable(name, shown), MODULE_NAME_MAX);
}

static int check_enabled(int enabled, int allow_inherit)
{
    if (enabled == 0 || enabled == 1 || (allow_inherit && enabled == IGNY8_MODULE_INHERIT))
        return IGNY8_OK;
    return igny8__error_set(IGNY8_EINVAL, "enabled", "enabled %d is not %s", enabled,
                            allow_inherit ? "1, 0 or IGNY8_MODULE_INHERIT (-1)" : "0 or 1");
}

/* account_id 0 is the platform; otherwise a positive id. */
static int check_account_or_platform(int64_t account_id)
{
    if (account_id < 0)
        return igny8__error_set(IGNY8_EINVAL, "account_id", "account_id %lld is negative",
                                (long long)account_id);
    return IGNY8_OK;
}

/* {"enabled":v} (plus the description when given), or NULL for v < 0; *oom on failure. */
static cJSON *state_json(int v, const char *description, int with_description, int *oom)
{
    if (v < 0)
        return NULL;
    cJSON *j = cJSON_CreateObject();
    int ok = j && (!with_description ||
                   (description ? cJSON_AddStringToObject(j, "description", description)
                                : cJSON_AddNullToObject(j, "description"))) &&
             cJSON_AddBoolToObject(j, "enabled", v != 0);
    if (!ok) {
        cJSON_Delete(j);
        *oom = 1;
        return NULL;
    }
    return j;
}

/* One audit entry for a toggle going from before to after (-1: no value, i.e. the row
 * is created or deleted). */
static int audit_toggle(igny8_store *st, const char *actor, const char *entity, const char *name,
                        int64_t account_id, int before, int after)
{
    int oom = 0;
    cJSON *b = state_json(before, NULL, 0, &oom), *a = state_json(after, NULL, 0, &oom);
    const char *action = before < 0 ? "create" : after < 0 ? "delete" : "update";
    int rc = oom ? igny8__error_oom() : igny8__audit(st, actor, entity, name, account_id, action, b, a);
    cJSON_Delete(b);
    cJSON_Delete(a);
    return rc;
}

int igny8_module_add(igny8_store *st, const char *actor, const char *name, const char *description,
                     int enabled)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc != IGNY8_OK)
        return rc;
    IGNY8__CHECK_ARG(name);
    if ((rc = igny8__module_check_name(name)) != IGNY8_OK || (rc = check_enabled(enabled, 0)) != IGNY8_OK ||
        (rc = igny8__check_text(description, "description", 1024)) != IGNY8_OK)
        return rc;
    int oom = 0;
    cJSON *after = state_json(enabled, description, 1, &oom);
    if (oom)
        return igny8__error_oom();
    if ((rc = igny8__store_write_begin(st)) != IGNY8_OK) {
        cJSON_Delete(after);
        return rc;
    }
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    rc = igny8__db_module_insert(st, name, description, enabled, now, actor);
    if (rc == IGNY8_OK)
        rc = igny8__audit(st, actor, "module", name, 0, "create", NULL, after);
    cJSON_Delete(after);
    return igny8__store_write_end(st, rc);
}

/* Inside a write: set the platform value; a value that does not change writes nothing. */
static int module_set(igny8_store *st, const char *actor, const char *name, int enabled)
{
    int before;
    int rc = igny8__db_module_get(st, 0, name, &before, NULL);
    if (rc != IGNY8_OK || before == enabled)
        return rc;
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    rc = igny8__db_module_set(st, name, enabled, now, actor);
    return rc == IGNY8_OK ? audit_toggle(st, actor, "module", name, 0, before, enabled) : rc;
}

int igny8_module_set(igny8_store *st, const char *actor, const char *name, int enabled)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc != IGNY8_OK)
        return rc;
    IGNY8__CHECK_ARG(name);
    if ((rc = igny8__module_check_name(name)) != IGNY8_OK || (rc = check_enabled(enabled, 0)) != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_write_begin(st)) != IGNY8_OK)
        return rc;
    return igny8__store_write_end(st, module_set(st, actor, name, enabled));
}

/* Inside a write: set (or with IGNY8_MODULE_INHERIT remove) an account's override; a
 * value that does not change writes nothing. */
static int account_set(igny8_store *st, const char *actor, int64_t account_id, const char *name,
                       int enabled)
{
    int platform, before;
    int rc = igny8__db_module_get(st, account_id, name, &platform, &before);
    if (rc != IGNY8_OK || before == enabled)
        return rc;
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    rc = igny8__db_module_account_set(st, account_id, name, enabled, now, actor);
    return rc == IGNY8_OK ? audit_toggle(st, actor, "account_module", name, account_id, before, enabled)
                          : rc;
}

int igny8_module_account_set(igny8_store *st, const char *actor, int64_t account_id, const char *name,
                             int enabled)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc != IGNY8_OK)
        return rc;
    IGNY8__CHECK_ACCOUNT(account_id);
    IGNY8__CHECK_ARG(name);
    if ((rc = igny8__module_check_name(name)) != IGNY8_OK || (rc = check_enabled(enabled, 1)) != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_write_begin(st)) != IGNY8_OK)
        return rc;
    return igny8__store_write_end(st, account_set(st, actor, account_id, name, enabled));
}

int igny8_module_enabled(igny8_store *st, int64_t account_id, const char *name, int *out)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(out);
    *out = 0;
    IGNY8__CHECK_ARG(name);
    int rc, platform, override;
    if ((rc = check_account_or_platform(account_id)) != IGNY8_OK || (rc = igny8__module_check_name(name)) != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_read_begin(st)) != IGNY8_OK)
        return rc;
    rc = igny8__db_module_get(st, account_id, name, &platform, &override);
    rc = igny8__store_read_end(st, rc);
    if (rc == IGNY8_OK)
        *out = override >= 0 ? override : platform;
    return rc;
}

/* ---- the JSON views ---- */

static int add_module(void *payload, const igny8__module_row *r)
{
    cJSON *m = igny8__json_attach((cJSON *)payload, NULL, cJSON_CreateObject());
    int has_override = r->account_enabled >= 0;
    igny8__json_add_str(m, "name", r->name);
    igny8__json_add_str(m, "description", r->description);
    igny8__json_add_bool(m, "enabled", has_override ? r->account_enabled : r->enabled);
    igny8__json_add_bool(m, "global_enabled", r->enabled);
    igny8__json_add_str(m, "source", has_override ? "account" : "global");
    return IGNY8_OK;
}

/* Inside a transaction: the GET body of account_id (0: the platform's view) into *out. */
static int list_view(igny8_store *st, int64_t account_id, cJSON **out)
{
    cJSON *root = igny8__json_object();
    if (account_id > 0)
        igny8__json_add_int(root, "account_id", account_id);
    else
        igny8__json_add_null(root, "account_id");
    cJSON *modules = igny8__json_add_array(root, "modules");
    int rc = igny8__db_module_each(st, account_id, add_module, modules);
    if (rc != IGNY8_OK) {
        cJSON_Delete(root);
        root = NULL;
    }
    *out = root;
    return rc;
}

int igny8_module_list_json(igny8_store *st, int64_t account_id, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    cJSON *view = NULL;
    int rc = check_account_or_platform(account_id);
    if (rc != IGNY8_OK || (rc = igny8__store_read_begin(st)) != IGNY8_OK)
        return rc;
    rc = igny8__store_read_end(st, list_view(st, account_id, &view));
    if (rc != IGNY8_OK) {
        cJSON_Delete(view);
        return rc;
    }
    return igny8__json_emit_free(view, out_json);
}

/* One field of a PUT body: true/false sets the override, null removes it. */
static int put_field(igny8_store *st, const char *actor, int64_t account_id, const cJSON *item)
{
    char shown[MODULE_NAME_MAX + 4];
    const char *name = item->string;
    int enabled, is_null;
    if (igny8__json_is_secret_field(name))
        return IGNY8_OK;  /* never stored, never echoed */
    if (!valid_name(name))  /* cannot name a module; checked first so the message stays clean */
        return igny8__error_set(IGNY8_ENOTFOUND, name, "unknown module '%s'", printable(name, shown));
    int rc = igny8__json_get_bool(item, name, &enabled, &is_null);
    if (rc != IGNY8_OK)
        return rc;
    rc = account_set(st, actor, account_id, name, is_null ? IGNY8_MODULE_INHERIT : enabled);
    if (rc == IGNY8_ENOTFOUND)
        igny8__error_set_field(name);
    return rc;
}

/* Inside a write: every field of the body, stopping at the first error. */
static int put_body(igny8_store *st, const char *actor, int64_t account_id, const cJSON *body)
{
    int rc = IGNY8_OK;
    for (const cJSON *item = body->child; item && rc == IGNY8_OK; item = item->next)
        rc = put_field(st, actor, account_id, item);
    return rc;
}

int igny8_module_put_json(igny8_store *st, const char *actor, int64_t account_id, const char *body,
                          char **out_json)
{
    if (out_json)
        *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc != IGNY8_OK)
        return rc;
    IGNY8__CHECK_ACCOUNT(account_id);
    IGNY8__CHECK_ARG(body);
    cJSON *j = NULL, *view = NULL;
    if ((rc = igny8__json_parse_body(body, "body", IGNY8_BODY_MAX_BYTES, "", &j)) != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_write_begin(st)) != IGNY8_OK) {
        cJSON_Delete(j);
        return rc;
    }
    rc = put_body(st, actor, account_id, j);
    if (rc == IGNY8_OK && out_json)
        rc = list_view(st, account_id, &view);
    rc = igny8__store_write_end(st, rc);
    cJSON_Delete(j);
    if (rc != IGNY8_OK || view == NULL) {
        cJSON_Delete(view);
        return rc;
    }
    return igny8__json_emit_free(view, out_json);
}
