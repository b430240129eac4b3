/* The JSON bodies of plans and fallbacks (access.h): access groups, an account's access,
 * fallback chains, and the models an account may choose. They read bodies into the edits
 * of access.c, so that the typed calls and the bodies share every rule. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "access.h"
#include "model.h"

#define PATH_LEN 192

/* A read-only field of a body: skipped (its value is the view's). */
static int is_one_of(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return 1;
    return 0;
}

/* A list of model names in a body: an array of strings (null: empty) as borrowed names. */
static int read_names(const cJSON *item, const char *path, const char ***out, size_t *n)
{
    char at[PATH_LEN];
    *out = NULL;
    *n = 0;
    if (cJSON_IsNull(item))
        return IGNY8_OK;
    if (!cJSON_IsArray(item))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be a list of model names", path);
    size_t count = (size_t)cJSON_GetArraySize(item);
    if ((*out = igny8__calloc(count ? count : 1, sizeof(char *))) == NULL)
        return igny8__error_oom();
    const cJSON *e = item->child;
    for (size_t i = 0; i < count; i++, e = e->next) {
        if (!cJSON_IsString(e)) {
            snprintf(at, sizeof(at), "%s[%zu]", path, i);
            igny8__free(*out);
            *out = NULL;
            return igny8__error_set(IGNY8_EINVAL, at, "%s must be a model name (a string)", at);
        }
        (*out)[i] = e->valuestring;
    }
    *n = count;
    return IGNY8_OK;
}


/* The body around a write: parse (a JSON object of at most IGNY8_BODY_MAX_BYTES), apply
 * inside one write transaction, and make the new view when asked. */
typedef int (*body_apply_fn)(igny8_store *st, const char *actor, const void *key, const cJSON *body);
typedef int (*body_view_fn)(igny8_store *st, const void *key, cJSON **out);

static int put_body(igny8_store *st, const char *actor, const void *key, const char *body, body_apply_fn apply,
                    body_view_fn view, char **out_json)
{
    cJSON *j = NULL, *v = NULL;
    int rc = igny8__json_parse_body(body, "body", IGNY8_BODY_MAX_BYTES, "", &j);
    if (rc != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_write_begin(st)) == IGNY8_OK) {
        rc = apply(st, actor, key, j);
        if (rc == IGNY8_OK && out_json)
            rc = view(st, key, &v);
        rc = igny8__store_write_end(st, rc);
    }
    cJSON_Delete(j);
    if (rc != IGNY8_OK || v == NULL) {
        cJSON_Delete(v);
        return rc;
    }
    return igny8__json_emit_free(v, out_json);
}

/* A view in one read transaction. */
static int get_view(igny8_store *st, const void *key, body_view_fn view, char **out_json)
{
    cJSON *v = NULL;
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    rc = igny8__store_read_end(st, view(st, key, &v));
    if (rc != IGNY8_OK) {
        cJSON_Delete(v);
        return rc;
    }
    return igny8__json_emit_free(v, out_json);
}

/* ---- access groups ---- */

static int group_json(igny8_store *st, const igny8__access_group_row *row, cJSON *o)
{
    const char **models = NULL;
    char **owned = NULL;
    size_t n = 0;
    int rc = igny8__access_group_models(st, row->name, &models, &n, &owned);
    igny8__json_add_str(o, "name", row->name);
    igny8__json_add_str(o, "description", row->description);
    igny8__json_attach(o, "models", igny8__names_json(models, n));
    igny8__json_add_int(o, "accounts", row->accounts);
    igny8__json_add_str(o, "updated_at", row->updated_at);
    igny8__json_add_str(o, "updated_by", row->updated_by);
    igny8__names_free(owned, n);
    return rc;
}

static int group_view(igny8_store *st, const void *name, cJSON **out)
{
    igny8__access_group_row row;
    int found = 0;
    *out = NULL;
    int rc = igny8__db_access_group_get(st, name, &row, &found);
    if (rc == IGNY8_OK && !found)
        rc = igny8__error_set(IGNY8_ENOTFOUND, "name", "access group '%.64s' does not exist", (const char *)name);
    if (rc == IGNY8_OK) {
        *out = igny8__json_object();
        rc = group_json(st, &row, *out);
    }
    igny8__access_group_row_clear(&row);
    return rc;
}

int igny8_access_group_get_json(igny8_store *st, const char *name, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__access_group_check_name(name, "name");
    return rc == IGNY8_OK ? get_view(st, name, group_view, out_json) : rc;
}

struct list_ctx { igny8_store *st; cJSON *arr; };

static int add_group(void *payload, const igny8__access_group_row *row)
{
    struct list_ctx *c = payload;
    return group_json(c->st, row, igny8__json_attach(c->arr, NULL, cJSON_CreateObject()));
}

static int groups_view(igny8_store *st, const void *unused, cJSON **out)
{
    IGNY8__UNUSED(unused);
    struct list_ctx c = { st, cJSON_CreateArray() };
    *out = c.arr;
    if (c.arr == NULL)
        return igny8__error_oom();
    return igny8__db_access_group_each(st, add_group, &c);
}

int igny8_access_group_list_json(igny8_store *st, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    return get_view(st, NULL, groups_view, out_json);
}

static int apply_group_body(igny8_store *st, const char *actor, const void *name, const cJSON *body)
{
    static const char *const readonly[] = { "accounts", "updated_at", "updated_by", NULL };
    igny8__group_edit e = { 0, 0, IGNY8_EINVAL, NULL, NULL, 0 };
    const char **models = NULL;
    int rc = IGNY8_OK;
    for (const cJSON *it = body->child; rc == IGNY8_OK && it; it = it->next) {
        int is_null = 0;
        if (igny8__json_is_secret_field(it->string) || is_one_of(it->string, readonly))
            continue;
        if (strcmp(it->string, "name") == 0) {
            if (!cJSON_IsString(it) || strcmp(it->valuestring, name) != 0)
                rc = igny8__error_set(IGNY8_EINVAL, "name", "name does not match the access group '%s'",
                                      (const char *)name);
        } else if (strcmp(it->string, "description") == 0) {
            e.set_description = 1;
            rc = igny8__json_get_string(it, "description", &e.description, &is_null);
        } else if (strcmp(it->string, "models") == 0) {
            e.set_models = 1;
            rc = read_names(it, "models", &models, &e.n_models);
            e.models = models;
        } else {
            rc = igny8__error_set(IGNY8_EINVAL, it->string, "unknown field '%.64s'", it->string);
        }
    }
    if (rc == IGNY8_OK)
        rc = igny8__access_group_apply(st, actor, name, &e);
    igny8__free(models);
    return rc;
}

int igny8_access_group_put_json(igny8_store *st, const char *actor, const char *name, const char *body,
                                char **out_json)
{
    if (out_json)
        *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = igny8__access_group_check_name(name, "name");
    if (rc != IGNY8_OK)
        return rc;
    IGNY8__CHECK_ARG(body);
    return put_body(st, actor, name, body, apply_group_body, group_view, out_json);
}

/* ---- fallback chains ---- */

struct chains_ctx { cJSON *root; cJSON *current; const char *operation; };

static int add_chain_row(void *payload, const igny8__chain_row *row)
{
    struct chains_ctx *c = payload;
    if (c->operation == NULL || strcmp(c->operation, row->operation) != 0) {
        c->current = igny8__json_add_array(c->root, row->operation);
        c->operation = c->current ? c->current->string : NULL;
    }
    if (row->model)
        igny8__json_attach(c->current, NULL, cJSON_CreateString(row->model));
    return IGNY8_OK;
}

int igny8__fallback_chains_view(igny8_store *st, int64_t account_id, cJSON **out)
{
    struct chains_ctx c = { cJSON_CreateObject(), NULL, NULL };
    *out = c.root;
    if (c.root == NULL)
        return igny8__error_oom();
    return igny8__db_fallback_chain_each(st, account_id, add_chain_row, &c);
}

int igny8__fallback_chains_apply(igny8_store *st, const char *actor, int64_t account_id, const cJSON *body,
                                 const char *prefix)
{
    char path[PATH_LEN];
    if (!cJSON_IsObject(body))
        return igny8__error_set(IGNY8_EINVAL, *prefix ? "fallbacks" : "body", "%s must be an object of operation "
                                "-> list of models", *prefix ? "fallbacks" : "the body");
    int rc = IGNY8_OK;
    for (const cJSON *it = body->child; rc == IGNY8_OK && it; it = it->next) {
        const char **models = NULL;
        size_t n = 0;
        snprintf(path, sizeof(path), "%s%s", prefix, it->string);
        rc = read_names(it, path, &models, &n);
        if (rc == IGNY8_OK)
            rc = igny8__fallback_chain_apply(st, actor, account_id, it->string, cJSON_IsNull(it) ? NULL : models, n,
                                             path, IGNY8_EINVAL);
        igny8__free(models);
    }
    return rc;
}

static int chains_view(igny8_store *st, const void *account, cJSON **out)
{
    igny8__json_reset();
    return igny8__fallback_chains_view(st, *(const int64_t *)account, out);
}

static int apply_chains_body(igny8_store *st, const char *actor, const void *account, const cJSON *body)
{
    return igny8__fallback_chains_apply(st, actor, *(const int64_t *)account, body, "");
}

static int check_owner(int64_t account_id)
{
    if (account_id < 0)
        return igny8__error_set(IGNY8_EINVAL, "account_id", "account_id %lld is neither 0 (the platform) nor an "
                                "account", (long long)account_id);
    return IGNY8_OK;
}

int igny8_fallback_chains_get_json(igny8_store *st, int64_t account_id, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = check_owner(account_id);
    return rc == IGNY8_OK ? get_view(st, &account_id, chains_view, out_json) : rc;
}

int igny8_fallback_chains_put_json(igny8_store *st, const char *actor, int64_t account_id, const char *body,
                                   char **out_json)
{
    if (out_json)
        *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = check_owner(account_id);
    if (rc != IGNY8_OK)
        return rc;
    IGNY8__CHECK_ARG(body);
    return put_body(st, actor, &account_id, body, apply_chains_body, chains_view, out_json);
}

/* ---- an account's access ---- */

struct allowed_ctx { const igny8__access_state *a; cJSON *arr; const igny8_model_filter *f; int usable; };

/* A model the account's rules allow (usable: and that it may choose now: active, within
 * its ceilings), as a name (arr of allowed_models) or a model view (the dropdown). */
static int add_allowed(void *payload, igny8__model_row *row)
{
    struct allowed_ctx *c = payload;
    if (!igny8__access_state_allows(c->a, row->model_name))
        return IGNY8_OK;
    if (!c->usable) {
        igny8__json_attach(c->arr, NULL, cJSON_CreateString(row->model_name));
        return IGNY8_OK;
    }
    if (igny8__access_over_budget(row, c->a->row.max_cost_per_1k_tokens, c->a->row.max_cost_per_image))
        return IGNY8_OK;
    igny8_model m = { *row };
    igny8__json_attach(c->arr, NULL, igny8__model_json(&m));
    return IGNY8_OK;
}

static int access_view(igny8_store *st, const void *account, cJSON **out)
{
    int64_t account_id = *(const int64_t *)account;
    static const igny8__model_filter all = { NULL, 0, -1 };
    igny8__access_state a;
    cJSON *chains = NULL;
    *out = igny8__json_object();
    int rc = igny8__access_load(st, account_id, &a);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_add_int(*out, "account_id", account_id);
    igny8__access_fields_json(*out, &a);
    rc = igny8__fallback_chains_view(st, account_id, &chains);
    igny8__json_attach(*out, "fallbacks", chains);
    struct allowed_ctx c = { &a, igny8__json_add_array(*out, "allowed_models"), NULL, 0 };
    if (rc == IGNY8_OK)
        rc = igny8__db_model_each(st, &all, add_allowed, &c);
    igny8__json_add_str(*out, "updated_at", a.row.updated_at);
    igny8__json_add_str(*out, "updated_by", a.row.updated_by);
    igny8__access_state_clear(&a);
    return rc;
}

int igny8_account_access_get_json(igny8_store *st, int64_t account_id, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ACCOUNT(account_id);
    return get_view(st, &account_id, access_view, out_json);
}

/* One ceiling of the body: a number, or null for none. */
static int read_ceiling(const cJSON *it, double *out)
{
    int is_null = 0;
    int rc = igny8__json_get_number(it, it->string, out, &is_null);
    if (rc == IGNY8_OK && is_null)
        *out = NAN;
    return rc;
}

/* The access fields of an account's body into e (lists borrowed from the body). */
static int read_access_body(const cJSON *body, int64_t account_id, igny8__access_edit *e, const char ***add,
                            const char ***del)
{
    static const char *const readonly[] = { "allowed_models", "updated_at", "updated_by", "fallbacks", NULL };
    int rc = IGNY8_OK, is_null = 0;
    for (const cJSON *it = body->child; rc == IGNY8_OK && it; it = it->next) {
        const char *k = it->string;
        if (igny8__json_is_secret_field(k) || is_one_of(k, readonly))
            continue;
        if (strcmp(k, "account_id") == 0) {
            if (!cJSON_IsNumber(it) || it->valuedouble != (double)account_id)
                rc = igny8__error_set(IGNY8_EINVAL, "account_id", "account_id does not match account %lld",
                                      (long long)account_id);
        } else if (strcmp(k, "group") == 0) {
            e->set |= IGNY8__EDIT_GROUP;
            if ((rc = igny8__json_get_string(it, "group", &e->group, &is_null)) == IGNY8_OK && e->group)
                rc = igny8__access_group_check_name(e->group, "group");
        } else if (strcmp(k, "additions") == 0) {
            e->set |= IGNY8__EDIT_ADDITIONS;
            rc = read_names(it, "additions", add, &e->n_additions);
            e->additions = *add;
        } else if (strcmp(k, "removals") == 0) {
            e->set |= IGNY8__EDIT_REMOVALS;
            rc = read_names(it, "removals", del, &e->n_removals);
            e->removals = *del;
        } else if (strcmp(k, "max_cost_per_1k_tokens") == 0) {
            e->set |= IGNY8__EDIT_TEXT_CEILING;
            rc = read_ceiling(it, &e->max_cost_per_1k_tokens);
        } else if (strcmp(k, "max_cost_per_image") == 0) {
            e->set |= IGNY8__EDIT_IMAGE_CEILING;
            rc = read_ceiling(it, &e->max_cost_per_image);
        } else {
            rc = igny8__error_set(IGNY8_EINVAL, k, "unknown field '%.64s'", k);
        }
    }
    return rc;
}

static int apply_access_body(igny8_store *st, const char *actor, const void *account, const cJSON *body)
{
    int64_t account_id = *(const int64_t *)account;
    igny8__access_edit e = { 0, IGNY8_EINVAL, NULL, NULL, 0, NULL, 0, NULL, 0, NAN, NAN };
    const char **add = NULL, **del = NULL;
    const cJSON *chains = cJSON_GetObjectItemCaseSensitive(body, "fallbacks");
    int rc = read_access_body(body, account_id, &e, &add, &del);
    if (rc == IGNY8_OK && e.set)
        rc = igny8__account_access_apply(st, actor, account_id, &e);
    /* after the access: a chain is checked against the rules this body sets */
    if (rc == IGNY8_OK && chains && !cJSON_IsNull(chains))
        rc = igny8__fallback_chains_apply(st, actor, account_id, chains, "fallbacks.");
    igny8__free(add);
    igny8__free(del);
    return rc;
}

int igny8_account_access_put_json(igny8_store *st, const char *actor, int64_t account_id, const char *body,
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
    return put_body(st, actor, &account_id, body, apply_access_body, access_view, out_json);
}

/* ---- the models an account may choose ---- */

struct choosable { int64_t account_id; igny8__model_filter filter; };

static int choosable_view(igny8_store *st, const void *arg, cJSON **out)
{
    const struct choosable *q = arg;
    igny8__access_state a;
    *out = cJSON_CreateArray();
    int rc = *out ? igny8__access_load(st, q->account_id, &a) : igny8__error_oom();
    if (rc != IGNY8_OK)
        return rc;
    struct allowed_ctx c = { &a, *out, NULL, 1 };
    rc = igny8__db_model_each(st, &q->filter, add_allowed, &c);
    igny8__access_state_clear(&a);
    return rc;
}

int igny8_account_model_list_json(igny8_store *st, int64_t account_id, const igny8_model_filter *filter,
                                  char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ACCOUNT(account_id);
    struct choosable q = { account_id, { NULL, 0, 1 } };
    if (filter) {
        igny8_model_filter f;
        int rc = igny8__model_filter_read(&f, filter);
        if (rc != IGNY8_OK)
            return rc;
        if (f.active == IGNY8_FILTER_INACTIVE)
            return igny8__error_set(IGNY8_EINVAL, "active", "an account can choose active models only: the filter "
                                    "asks for inactive ones");
        q.filter.provider = f.provider;
        q.filter.model_type = f.model_type;
    }
    return get_view(st, &q, choosable_view, out_json);
}
