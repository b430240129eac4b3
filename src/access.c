/* Plans and fallbacks (access.h): access groups, an account's access (group, own rules,
 * cost ceilings) and fallback chains, with their checks and audit entries. SQL in
 * db_access.c; the JSON bodies in access_json.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "access.h"
#include "audit.h"
#include "model.h"

#define PATH_MAX_LEN 192

/* ---- prices and ceilings ---- */

double igny8__access_price(const igny8__model_row *m)
{
    return m->model_type == IGNY8_MODEL_IMAGE ? m->cost_per_image : fmax(m->input_cost_per_1k, m->output_cost_per_1k);
}

int igny8__access_over_budget(const igny8__model_row *m, double max_cost_per_1k_tokens, double max_cost_per_image)
{
    double ceiling = m->model_type == IGNY8_MODEL_IMAGE ? max_cost_per_image : max_cost_per_1k_tokens;
    double price = igny8__access_price(m);
    return !isnan(ceiling) && !isnan(price) && price > ceiling;
}

static int check_ceiling(double v, const char *field)
{
    if (isnan(v) || (v >= 0 && v <= IGNY8_MAX_COST_LIMIT))
        return IGNY8_OK;
    return igny8__error_set(IGNY8_EINVAL, field, "%s %g is outside 0..%g (USD)", field, v, IGNY8_MAX_COST_LIMIT);
}

/* ---- an account's state ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_rule(const void *a, const void *b)
{
    return strcmp(((const igny8__access_rule *)a)->model, ((const igny8__access_rule *)b)->model);
}

static int push_rule(igny8__access_state *a, const char *model, int allowed)
{
    igny8__access_rule *r = igny8__realloc(a->rules, (a->n_rules + 1) * sizeof(*r));
    if (r == NULL)
        return igny8__error_oom();
    a->rules = r;
    if ((r[a->n_rules].model = igny8__strdup(model)) == NULL)
        return igny8__error_oom();
    r[a->n_rules++].allowed = allowed;
    return IGNY8_OK;
}

static int add_rule(void *payload, const igny8__access_model_row *row)
{
    return push_rule(payload, row->model, row->allowed ? IGNY8_ACCESS_ALLOW : IGNY8_ACCESS_DENY);
}

static int add_group_model(void *payload, const char *group, const char *model)
{
    igny8__access_state *a = payload;
    IGNY8__UNUSED(group);
    if (model == NULL)
        return IGNY8_OK;
    char **v = igny8__realloc(a->group_models, (a->n_group_models + 1) * sizeof(*v));
    if (v == NULL)
        return igny8__error_oom();
    a->group_models = v;
    if ((v[a->n_group_models] = igny8__strdup(model)) == NULL)
        return igny8__error_oom();
    a->n_group_models++;
    return IGNY8_OK;
}

void igny8__access_state_clear(igny8__access_state *a)
{
    igny8__account_access_row_clear(&a->row);
    for (size_t i = 0; i < a->n_rules; i++)
        igny8__free(a->rules[i].model);
    for (size_t i = 0; i < a->n_group_models; i++)
        igny8__free(a->group_models[i]);
    igny8__free(a->rules);
    igny8__free(a->group_models);
    memset(a, 0, sizeof(*a));
    igny8__account_access_row_init(&a->row);
}

int igny8__access_load(igny8_store *st, int64_t account_id, igny8__access_state *out)
{
    memset(out, 0, sizeof(*out));
    out->account_id = account_id;
    int rc = igny8__db_account_access_get(st, account_id, &out->row);
    if (rc == IGNY8_OK)
        rc = igny8__db_account_access_models_each(st, account_id, add_rule, out);
    if (rc == IGNY8_OK && out->row.group)
        rc = igny8__db_access_group_models_each(st, out->row.group, add_group_model, out);
    if (rc != IGNY8_OK)
        igny8__access_state_clear(out);
    return rc;
}

static int own_rule(const igny8__access_state *a, const char *model)
{
    for (size_t i = 0; i < a->n_rules; i++)
        if (strcmp(a->rules[i].model, model) == 0)
            return a->rules[i].allowed;
    return IGNY8_ACCESS_INHERIT;
}

int igny8__access_state_allows(const igny8__access_state *a, const char *model)
{
    const char *key = model;
    int in_group = a->row.group && a->n_group_models &&  /* (bsearch of an empty group would be given NULL) */
                   bsearch(&key, a->group_models, a->n_group_models, sizeof(char *), cmp_str);
    return igny8__access_allows(own_rule(a, model), a->row.group != NULL, in_group);
}

int igny8__access_check_model(const igny8__access_state *a, const igny8__model_row *m, const char *field)
{
    if (!igny8__access_state_allows(a, m->model_name)) {
        int rule = own_rule(a, m->model_name);
        if (rule == IGNY8_ACCESS_DENY)
            return igny8__error_set(IGNY8_EINVAL, field, "model '%s' is not allowed for account %lld (removed from "
                                    "its models)", m->model_name, (long long)a->account_id);
        return igny8__error_set(IGNY8_EINVAL, field, "model '%s' is not allowed for account %lld (not in its access "
                                "group '%s')", m->model_name, (long long)a->account_id, a->row.group);
    }
    if (igny8__access_over_budget(m, a->row.max_cost_per_1k_tokens, a->row.max_cost_per_image)) {
        int image = m->model_type == IGNY8_MODEL_IMAGE;
        return igny8__error_set(IGNY8_EINVAL, field, "model '%s' costs %g USD per %s, above account %lld's ceiling "
                                "of %g (%s)", m->model_name, igny8__access_price(m), image ? "image" : "1k tokens",
                                (long long)a->account_id,
                                image ? a->row.max_cost_per_image : a->row.max_cost_per_1k_tokens,
                                image ? "max_cost_per_image" : "max_cost_per_1k_tokens");
    }
    return IGNY8_OK;
}

int igny8__access_check(igny8_store *st, int64_t account_id, const igny8__model_row *m, const char *field)
{
    igny8__access_state a;
    int rc = igny8__access_load(st, account_id, &a);
    if (rc == IGNY8_OK)
        rc = igny8__access_check_model(&a, m, field);
    igny8__access_state_clear(&a);
    return rc;
}

/* ---- lists of model names ---- */

/* What a list of model names must hold to. */
typedef struct list_rules {
    int unknown_code;       /* IGNY8_ENOTFOUND (typed calls) or IGNY8_EINVAL (bodies) */
    size_t max;             /* 0: no limit */
    int model_type;         /* the operation's type (chains); 0: any */
    const char *operation;
    const igny8__access_state *access;  /* an account's chain: its rules and ceilings */
} list_rules;

/* The most names a group or an account's own list may hold: every model, many times over. */
#define LIST_MAX 4096

static int check_one_name(igny8_store *st, const char *name, const char *path, const list_rules *r)
{
    igny8_model *m = NULL;
    int rc = igny8__model_find(st, name, &m);
    if (rc != IGNY8_OK)
        return rc;
    if (m == NULL)
        return igny8__error_set(r->unknown_code, path, "model '%.64s' is not in the registry", name);
    if (r->model_type && m->row.model_type != r->model_type)
        rc = igny8__error_set(IGNY8_EINVAL, path, "model '%s' is of type %s; operation '%s' needs type %s", name,
                              igny8_model_type_name(m->row.model_type), r->operation,
                              igny8_model_type_name(r->model_type));
    else if (r->model_type && !m->row.is_active)
        rc = igny8__error_set(IGNY8_EINVAL, path, "model '%s' is inactive", name);
    else if (r->access)
        rc = igny8__access_check_model(r->access, &m->row, path);
    igny8_model_free(m);
    return rc;
}

/* Each name exists (and keeps r's rules), once; errors name field[i]. */
static int check_names(igny8_store *st, const char *const *names, size_t n, const char *field, const list_rules *r)
{
    char path[PATH_MAX_LEN], other[PATH_MAX_LEN];
    size_t max = r->max ? r->max : LIST_MAX;
    if (n > max)
        return igny8__error_set(IGNY8_EINVAL, field, "%s holds at most %zu models; %zu given", field, max, n);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", field, i);
        if (names[i] == NULL)
            return igny8__error_set(IGNY8_EINVAL, path, "%s is NULL", path);
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[j], names[i]) == 0) {
                snprintf(other, sizeof(other), "%s[%zu]", field, j);
                return igny8__error_set(IGNY8_EINVAL, path, "model '%.64s' is given twice (%s and %s)%s", names[i],
                                        other, path, r->model_type ? ": a fallback chain may not loop" : "");
            }
        int rc = check_one_name(st, names[i], path, r);
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

cJSON *igny8__names_json(const char *const *names, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++)
        igny8__json_attach(arr, NULL, cJSON_CreateString(names[i]));
    if (arr == NULL)
        igny8__json_note_oom();
    return arr;
}

/* A sorted copy of the names (borrowed strings), for views and audit entries. */
static int sorted_names(const char *const *names, size_t n, const char ***out)
{
    *out = igny8__calloc(n ? n : 1, sizeof(char *));
    if (*out == NULL)
        return igny8__error_oom();
    if (n)
        memcpy(*out, names, n * sizeof(char *));
    qsort(*out, n, sizeof(char *), cmp_str);
    return IGNY8_OK;
}

/* The audit entry of a change: before and after are the entity's JSON, or a JSON null
 * when it does not (or no longer) exist; NULL (out of memory) fails. Deletes both. */
static int audit_change(igny8_store *st, const char *actor, const char *entity, const char *key, int64_t account_id,
                        cJSON *before, cJSON *after)
{
    int rc = before && after ? IGNY8_OK : igny8__error_oom();
    if (rc == IGNY8_OK) {
        int created = cJSON_IsNull(before), deleted = cJSON_IsNull(after);
        rc = igny8__audit(st, actor, entity, key, account_id, deleted ? "delete" : created ? "create" : "update",
                          created ? NULL : before, deleted ? NULL : after);
    }
    cJSON_Delete(before);
    cJSON_Delete(after);
    return rc;
}

/* Whether a write changes anything: the two views differ (NULL: out of memory). */
static int views_differ(const cJSON *before, const cJSON *after, int *differ)
{
    *differ = before && after && !cJSON_Compare(before, after, 1);
    return before && after ? IGNY8_OK : igny8__error_oom();
}

/* ---- access groups ---- */

int igny8__access_group_check_name(const char *name, const char *field)
{
    if (name == NULL)
        return igny8__error_set(IGNY8_EINVAL, field, "%s is NULL", field);
    size_t n = strlen(name);
    int ok = n >= 1 && n <= IGNY8_ACCESS_GROUP_NAME_MAX && ((name[0] >= 'a' && name[0] <= 'z') ||
             (name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= '0' && name[0] <= '9'));
    for (size_t i = 1; ok && i < n; i++)
        ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", name[i]) != NULL;
    if (!ok)
        return igny8__error_set(IGNY8_EINVAL, field, "%s '%.64s' is not 1..%d letters, digits, '_', '-' or '.' "
                                "starting with a letter or digit", field, name, IGNY8_ACCESS_GROUP_NAME_MAX);
    return IGNY8_OK;
}

struct name_list { const char **v; size_t n; char **owned; };

static int collect_model(void *payload, const char *group, const char *model)
{
    struct name_list *l = payload;
    IGNY8__UNUSED(group);
    if (model == NULL)
        return IGNY8_OK;
    char **owned = igny8__realloc(l->owned, (l->n + 1) * sizeof(char *));
    if (owned == NULL)
        return igny8__error_oom();
    l->owned = owned;
    l->v = (const char **)owned;
    if ((owned[l->n] = igny8__strdup(model)) == NULL)
        return igny8__error_oom();
    l->n++;
    return IGNY8_OK;
}

void igny8__names_free(char **owned, size_t n)
{
    for (size_t i = 0; owned && i < n; i++)
        igny8__free(owned[i]);
    igny8__free(owned);
}

static void name_list_free(struct name_list *l)
{
    igny8__names_free(l->owned, l->n);
    memset(l, 0, sizeof(*l));
}

int igny8__access_group_models(igny8_store *st, const char *name, const char ***models, size_t *n, char ***owned)
{
    struct name_list l = { NULL, 0, NULL };
    int rc = igny8__db_access_group_models_each(st, name, collect_model, &l);
    if (rc != IGNY8_OK)
        name_list_free(&l);
    *models = l.v;
    *n = l.n;
    *owned = l.owned;
    return rc;
}

/* {"description":...,"models":[...]} of a group as audit entries show it; exists 0: null. */
static cJSON *group_audit_json(int exists, const char *description, const char *const *models, size_t n)
{
    const char **sorted = NULL;
    if (!exists)
        return cJSON_CreateNull();
    cJSON *j = cJSON_CreateObject();
    if (j == NULL || sorted_names(models, n, &sorted) != IGNY8_OK) {
        cJSON_Delete(j);
        return NULL;
    }
    igny8__json_add_str(j, "description", description);
    igny8__json_attach(j, "models", igny8__names_json(sorted, n));
    igny8__free(sorted);
    return j;
}

/* Write the group's row (stamped) and, when they changed or it is new, its models. */
static int write_group(igny8_store *st, const char *actor, const char *name, const char *description,
                       const char *const *models, size_t n, int write_models)
{
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    igny8__access_group_row w = { (char *)name, (char *)description, now, (char *)actor, 0 };
    int rc = igny8__db_access_group_put(st, &w);
    return rc == IGNY8_OK && write_models ? igny8__db_access_group_models_set(st, name, models, n) : rc;
}

int igny8__access_group_apply(igny8_store *st, const char *actor, const char *name, const igny8__group_edit *e)
{
    igny8__access_group_row row;
    struct name_list before = { NULL, 0, NULL };
    list_rules rules = { e->unknown_code, 0, 0, NULL, NULL };
    int found = 0, differ = 0;
    int rc = igny8__db_access_group_get(st, name, &row, &found);
    if (rc == IGNY8_OK && found)
        rc = igny8__db_access_group_models_each(st, name, collect_model, &before);
    if (rc == IGNY8_OK && e->set_description)
        rc = igny8__check_text(e->description, "description", 4096);
    if (rc == IGNY8_OK && e->set_models)
        rc = check_names(st, e->models, e->n_models, "models", &rules);
    const char *description = e->set_description ? e->description : row.description;
    const char *const *models = e->set_models ? e->models : before.v;
    size_t n = e->set_models ? e->n_models : before.n;
    cJSON *b = rc == IGNY8_OK ? group_audit_json(found, row.description, before.v, before.n) : NULL;
    cJSON *a = rc == IGNY8_OK ? group_audit_json(1, description, models, n) : NULL;
    if (rc == IGNY8_OK)
        rc = views_differ(b, a, &differ);
    if (rc == IGNY8_OK && differ)
        rc = write_group(st, actor, name, description, models, n, e->set_models || !found);
    if (rc == IGNY8_OK && differ)
        rc = audit_change(st, actor, "access_group", name, 0, b, a);
    else {
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    name_list_free(&before);
    igny8__access_group_row_clear(&row);
    return rc;
}

int igny8_access_group_set(igny8_store *st, const char *actor, const char *name, const char *description,
                           const char *const *models, size_t n_models)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = igny8__access_group_check_name(name, "name");
    if (rc == IGNY8_OK && models == NULL && n_models > 0)
        rc = igny8__error_set(IGNY8_EINVAL, "models", "models is NULL and n_models %zu", n_models);
    igny8__group_edit e = { 1, 1, IGNY8_ENOTFOUND, description, models, n_models };
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__access_group_apply(st, actor, name, &e));
    return rc;
}

static int group_delete(igny8_store *st, const char *actor, const char *name)
{
    igny8__access_group_row row;
    struct name_list models = { NULL, 0, NULL };
    int found = 0;
    int rc = igny8__db_access_group_get(st, name, &row, &found);
    if (rc == IGNY8_OK && !found)
        rc = igny8__error_set(IGNY8_ENOTFOUND, "name", "access group '%.64s' does not exist", name);
    else if (rc == IGNY8_OK && row.accounts > 0)
        rc = igny8__error_set(IGNY8_EEXISTS, "name", "access group '%s' is assigned to %lld account%s: assign "
                              "them another group first", name, (long long)row.accounts, row.accounts == 1 ? "" : "s");
    if (rc == IGNY8_OK)
        rc = igny8__db_access_group_models_each(st, name, collect_model, &models);
    if (rc == IGNY8_OK)
        rc = igny8__db_access_group_delete(st, name);
    if (rc == IGNY8_OK)
        rc = audit_change(st, actor, "access_group", name, 0, group_audit_json(1, row.description, models.v, models.n),
                          cJSON_CreateNull());
    name_list_free(&models);
    igny8__access_group_row_clear(&row);
    return rc;
}

int igny8_access_group_delete(igny8_store *st, const char *actor, const char *name)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = igny8__access_group_check_name(name, "name");
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, group_delete(st, actor, name));
    return rc;
}

/* ---- an account's access ---- */

void igny8__access_fields_json(cJSON *o, const igny8__access_state *a)
{
    igny8__json_add_str(o, "group", a->row.group);
    cJSON *add = igny8__json_add_array(o, "additions"), *del = igny8__json_add_array(o, "removals");
    for (size_t i = 0; i < a->n_rules; i++)
        igny8__json_attach(a->rules[i].allowed == IGNY8_ACCESS_ALLOW ? add : del, NULL,
                           cJSON_CreateString(a->rules[i].model));
    igny8__json_add_num(o, "max_cost_per_1k_tokens", a->row.max_cost_per_1k_tokens);
    igny8__json_add_num(o, "max_cost_per_image", a->row.max_cost_per_image);
}

/* {"group","additions","removals","max_cost_per_1k_tokens","max_cost_per_image"}: the
 * account's access as audit entries show it (rules sorted by model); null when empty. */
static cJSON *access_audit_json(const igny8__access_state *a)
{
    if (!a->row.group && isnan(a->row.max_cost_per_1k_tokens) && isnan(a->row.max_cost_per_image) && !a->n_rules)
        return cJSON_CreateNull();
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    igny8__access_fields_json(j, a);
    return j;
}

static void drop_rules(igny8__access_state *a, int allowed)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n_rules; i++) {
        if (a->rules[i].allowed == allowed)
            igny8__free(a->rules[i].model);
        else
            a->rules[k++] = a->rules[i];
    }
    a->n_rules = k;
}

/* Replace the rules of one kind (allowed) with names; a name the other kind has is an
 * error naming field[i]. */
static int replace_rules(igny8_store *st, igny8__access_state *a, int allowed, const char *const *names, size_t n,
                         const char *field, int unknown_code)
{
    list_rules rules = { unknown_code, 0, 0, NULL, NULL };
    char path[PATH_MAX_LEN];
    int rc = check_names(st, names, n, field, &rules);
    drop_rules(a, allowed);
    for (size_t i = 0; rc == IGNY8_OK && i < n; i++) {
        snprintf(path, sizeof(path), "%s[%zu]", field, i);
        if (own_rule(a, names[i]) != IGNY8_ACCESS_INHERIT)
            return igny8__error_set(IGNY8_EINVAL, path, "model '%s' is among the account's %s too", names[i],
                                    allowed == IGNY8_ACCESS_ALLOW ? "removals" : "additions");
        rc = push_rule(a, names[i], allowed);
    }
    return rc;
}

static int set_rule(igny8_store *st, igny8__access_state *a, const char *model, int rule, int unknown_code)
{
    list_rules rules = { unknown_code, 0, 0, NULL, NULL };
    int rc = check_one_name(st, model, "model", &rules);
    for (size_t i = 0; rc == IGNY8_OK && i < a->n_rules; i++)
        if (strcmp(a->rules[i].model, model) == 0) {
            igny8__free(a->rules[i].model);
            a->rules[i--] = a->rules[--a->n_rules];
        }
    return rc == IGNY8_OK && rule != IGNY8_ACCESS_INHERIT ? push_rule(a, model, rule) : rc;
}

static int copy_state(igny8__access_state *dst, const igny8__access_state *src)
{
    memset(dst, 0, sizeof(*dst));
    igny8__account_access_row_init(&dst->row);
    dst->account_id = src->account_id;
    dst->row.exists = src->row.exists;
    dst->row.max_cost_per_1k_tokens = src->row.max_cost_per_1k_tokens;
    dst->row.max_cost_per_image = src->row.max_cost_per_image;
    int rc = (src->row.group && (dst->row.group = igny8__strdup(src->row.group)) == NULL) ? igny8__error_oom()
                                                                                       : IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < src->n_rules; i++)
        rc = push_rule(dst, src->rules[i].model, src->rules[i].allowed);
    return rc;
}

/* Apply e to the state `after` (a copy of the stored one). */
static int edit_state(igny8_store *st, igny8__access_state *after, const igny8__access_edit *e)
{
    int rc = IGNY8_OK, found = 0;
    if (e->set & IGNY8__EDIT_GROUP) {
        igny8__access_group_row g;
        if (e->group && (rc = igny8__db_access_group_get(st, e->group, &g, &found)) == IGNY8_OK && !found)
            rc = igny8__error_set(e->unknown_code, "group", "access group '%.64s' does not exist", e->group);
        if (e->group)
            igny8__access_group_row_clear(&g);
        igny8__free(after->row.group);
        after->row.group = NULL;
        if (rc == IGNY8_OK && e->group && (after->row.group = igny8__strdup(e->group)) == NULL)
            rc = igny8__error_oom();
    }
    if (rc == IGNY8_OK && (e->set & IGNY8__EDIT_TEXT_CEILING) &&
        (rc = check_ceiling(e->max_cost_per_1k_tokens, "max_cost_per_1k_tokens")) == IGNY8_OK)
        after->row.max_cost_per_1k_tokens = e->max_cost_per_1k_tokens;
    if (rc == IGNY8_OK && (e->set & IGNY8__EDIT_IMAGE_CEILING) &&
        (rc = check_ceiling(e->max_cost_per_image, "max_cost_per_image")) == IGNY8_OK)
        after->row.max_cost_per_image = e->max_cost_per_image;
    if (rc == IGNY8_OK && (e->set & IGNY8__EDIT_ADDITIONS))
        rc = replace_rules(st, after, IGNY8_ACCESS_ALLOW, e->additions, e->n_additions, "additions", e->unknown_code);
    if (rc == IGNY8_OK && (e->set & IGNY8__EDIT_REMOVALS))
        rc = replace_rules(st, after, IGNY8_ACCESS_DENY, e->removals, e->n_removals, "removals", e->unknown_code);
    if (rc == IGNY8_OK && (e->set & IGNY8__EDIT_RULE))
        rc = set_rule(st, after, e->rule_model, e->rule, e->unknown_code);
    if (rc == IGNY8_OK && after->n_rules > 1)  /* (qsort of no rules would be given NULL) */
        qsort(after->rules, after->n_rules, sizeof(*after->rules), cmp_rule);
    return rc;
}

/* Write the rows that differ between the two states. The access row is written whenever
 * there was one or will be anything, and goes at the end when it holds nothing and heads
 * nothing (igny8__db_account_access_prune). */
static int write_state(igny8_store *st, const igny8__access_state *before, igny8__access_state *after,
                       const char *actor)
{
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    int empty = !after->row.group && isnan(after->row.max_cost_per_1k_tokens) && isnan(after->row.max_cost_per_image) &&
                after->n_rules == 0;
    after->row.updated_at = igny8__strdup(now);
    after->row.updated_by = igny8__strdup(actor);
    if (!after->row.updated_at || !after->row.updated_by)
        return igny8__error_oom();
    int rc = empty && !before->row.exists ? IGNY8_OK : igny8__db_account_access_put(st, after->account_id, &after->row);
    for (size_t i = 0; rc == IGNY8_OK && i < before->n_rules; i++)
        if (own_rule(after, before->rules[i].model) == IGNY8_ACCESS_INHERIT) {
            igny8__access_model_row r = { after->account_id, before->rules[i].model, -1, NULL, NULL };
            rc = igny8__db_account_access_model_put(st, &r);
        }
    for (size_t i = 0; rc == IGNY8_OK && i < after->n_rules; i++)
        if (own_rule(before, after->rules[i].model) != after->rules[i].allowed) {
            igny8__access_model_row r = { after->account_id, after->rules[i].model, after->rules[i].allowed, now,
                                          actor };
            rc = igny8__db_account_access_model_put(st, &r);
        }
    return rc == IGNY8_OK ? igny8__db_account_access_prune(st, after->account_id) : rc;
}

int igny8__account_access_apply(igny8_store *st, const char *actor, int64_t account_id, const igny8__access_edit *e)
{
    igny8__access_state before, after;
    int differ = 0;
    int rc = igny8__access_load(st, account_id, &before);
    if (rc != IGNY8_OK)
        return rc;
    rc = copy_state(&after, &before);
    if (rc == IGNY8_OK)
        rc = edit_state(st, &after, e);
    cJSON *b = rc == IGNY8_OK ? access_audit_json(&before) : NULL;
    cJSON *a = rc == IGNY8_OK ? access_audit_json(&after) : NULL;
    if (rc == IGNY8_OK)
        rc = views_differ(b, a, &differ);
    if (rc == IGNY8_OK && differ)
        rc = write_state(st, &before, &after, actor);
    if (rc == IGNY8_OK && differ)
        rc = audit_change(st, actor, "account_access", "access", account_id, b, a);
    else {
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    igny8__access_state_clear(&after);
    igny8__access_state_clear(&before);
    return rc;
}

static int account_write(igny8_store *st, const char *actor, int64_t account_id, const igny8__access_edit *e)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__account_access_apply(st, actor, account_id, e));
    return rc;
}

int igny8_account_access_group_set(igny8_store *st, const char *actor, int64_t account_id, const char *group)
{
    igny8__access_edit e = { IGNY8__EDIT_GROUP, IGNY8_ENOTFOUND, group, NULL, 0, NULL, 0, NULL, 0, NAN, NAN };
    int rc = group ? igny8__access_group_check_name(group, "group") : IGNY8_OK;
    return rc == IGNY8_OK ? account_write(st, actor, account_id, &e) : rc;
}

int igny8_account_model_access_set(igny8_store *st, const char *actor, int64_t account_id, const char *model_name,
                                   int access)
{
    IGNY8__CHECK_ARG(model_name);
    if (access != IGNY8_ACCESS_ALLOW && access != IGNY8_ACCESS_DENY && access != IGNY8_ACCESS_INHERIT)
        return igny8__error_set(IGNY8_EINVAL, "access", "access %d is not IGNY8_ACCESS_ALLOW (1), _DENY (0) or "
                                "_INHERIT (-1)", access);
    igny8__access_edit e = { IGNY8__EDIT_RULE, IGNY8_ENOTFOUND, NULL, NULL, 0, NULL, 0, model_name, access, NAN, NAN };
    return account_write(st, actor, account_id, &e);
}

int igny8_account_budget_set(igny8_store *st, const char *actor, int64_t account_id, double max_cost_per_1k_tokens,
                             double max_cost_per_image)
{
    int rc = check_ceiling(max_cost_per_1k_tokens, "max_cost_per_1k_tokens");
    if (rc == IGNY8_OK)
        rc = check_ceiling(max_cost_per_image, "max_cost_per_image");
    igny8__access_edit e = { IGNY8__EDIT_TEXT_CEILING | IGNY8__EDIT_IMAGE_CEILING, IGNY8_ENOTFOUND, NULL, NULL, 0,
                             NULL, 0, NULL, 0, max_cost_per_1k_tokens, max_cost_per_image };
    return rc == IGNY8_OK ? account_write(st, actor, account_id, &e) : rc;
}

/* ---- fallback chains ---- */

struct chain_read { const char *operation; struct name_list models; int found; };

static int read_chain(void *payload, const igny8__chain_row *row)
{
    struct chain_read *c = payload;
    if (strcmp(row->operation, c->operation) != 0)
        return IGNY8_OK;
    c->found = 1;
    return collect_model(&c->models, NULL, row->model);
}

/* {"models":[...]} of a chain as audit entries show it; null when there is none. */
static cJSON *chain_audit_json(int exists, const char *const *models, size_t n)
{
    if (!exists)
        return cJSON_CreateNull();
    cJSON *j = cJSON_CreateObject();
    if (j)
        igny8__json_attach(j, "models", igny8__names_json(models, n));
    return j;
}

/* The operation's type; unknown: unknown_code naming "operation" (typed calls) or field. */
static int chain_operation_type(igny8_store *st, const char *operation, const char *field, int unknown_code, int *type)
{
    int rc = igny8__db_operation_type(st, operation, type);
    if (rc == IGNY8_ENOTFOUND)
        return igny8__error_set(unknown_code, unknown_code == IGNY8_ENOTFOUND ? "operation" : field,
                                "operation '%.64s' is not known", operation);
    return rc;
}

int igny8__fallback_chain_apply(igny8_store *st, const char *actor, int64_t account_id, const char *operation,
                                const char *const *models, size_t n, const char *field, int unknown_code)
{
    igny8__access_state access;
    struct chain_read before = { operation, { NULL, 0, NULL }, 0 };
    int type = 0, differ = 0;
    int rc = chain_operation_type(st, operation, field, unknown_code, &type);
    if (rc != IGNY8_OK || (rc = igny8__access_load(st, account_id, &access)) != IGNY8_OK)
        return rc;
    list_rules rules = { unknown_code, IGNY8_FALLBACK_CHAIN_MAX, type, operation, account_id > 0 ? &access : NULL };
    if (account_id == 0 && models && n == 0)
        models = NULL;  /* the platform's empty chain is no chain */
    rc = igny8__db_fallback_chain_each(st, account_id, read_chain, &before);
    cJSON *b = rc == IGNY8_OK ? chain_audit_json(before.found, before.models.v, before.models.n) : NULL;
    cJSON *a = rc == IGNY8_OK ? chain_audit_json(models != NULL, models, n) : NULL;
    if (rc == IGNY8_OK)
        rc = views_differ(b, a, &differ);
    /* the chain as it is, sent back, is no choice: a plan that changed since may forbid a
     * model of it (the resolver skips it), and a GET body sent back must still change nothing */
    if (rc == IGNY8_OK && differ && models)
        rc = check_names(st, models, n, field, &rules);
    if (rc == IGNY8_OK && differ) {
        char now[IGNY8__TIME_LEN];
        igny8__now_iso(now);
        rc = igny8__db_fallback_chain_put(st, account_id, operation, models, n, now, actor);
        if (rc == IGNY8_OK && account_id > 0)  /* a chain removed may leave the header heading nothing */
            rc = igny8__db_account_access_prune(st, account_id);
    }
    if (rc == IGNY8_OK && differ)
        rc = audit_change(st, actor, "fallback_chain", operation, account_id, b, a);
    else {
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    name_list_free(&before.models);
    igny8__access_state_clear(&access);
    return rc;
}

int igny8_fallback_chain_set(igny8_store *st, const char *actor, int64_t account_id, const char *operation,
                             const char *const *models, size_t n_models)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(operation);
    if (account_id < 0)
        return igny8__error_set(IGNY8_EINVAL, "account_id", "account_id %lld is neither 0 (the platform) nor an "
                                "account", (long long)account_id);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__fallback_chain_apply(st, actor, account_id, operation, models, n_models,
                                                                    "models", IGNY8_ENOTFOUND));
    return rc;
}
