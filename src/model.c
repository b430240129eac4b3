/* The model registry: validation, JSON, cost estimates; SQL is in db_model.c. */
#include <math.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "model.h"

#define MODEL_NAME_MAX 128
#define COUNT_MAX 1000000000000LL  /* tokens or images in one estimate */

static const size_t model_filter_size[] = { 0, sizeof(igny8_model_filter) };

/* ---- snapshots ---- */

void igny8__model_init(igny8_model *m) { igny8__model_row_init(&m->row); }
void igny8__model_clear(igny8_model *m) { igny8__model_row_clear(&m->row); }

void igny8_model_free(igny8_model *m)
{
    if (m == NULL)
        return;
    igny8__model_clear(m);
    igny8__free(m);
}

int igny8__model_dup(const igny8_model *src, igny8_model **out)
{
    igny8_model *m = igny8__malloc(sizeof(*m));
    if (m == NULL)
        return igny8__error_oom();
    *m = *src;
    char **strings[] = { &m->row.model_name, &m->row.display_name, &m->row.provider, &m->row.integration,
                         &m->row.updated_at, &m->row.updated_by };
    int failed = 0;
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        if (*strings[i] && (*strings[i] = igny8__strdup(*strings[i])) == NULL)
            failed = 1;
    if (failed) {
        igny8_model_free(m);
        return igny8__error_oom();
    }
    *out = m;
    return IGNY8_OK;
}

int igny8__model_find(igny8_store *st, const char *name, igny8_model **out)
{
    int found = 0;
    *out = NULL;
    igny8_model *m = igny8__malloc(sizeof(*m));
    if (m == NULL)
        return igny8__error_oom();
    int rc = igny8__db_model_find(st, name, &m->row, &found);
    if (rc != IGNY8_OK || !found) {
        igny8_model_free(m);
        return rc;
    }
    *out = m;
    return IGNY8_OK;
}

int igny8__model_get(igny8_store *st, const char *name, igny8_model **out)
{
    int rc = igny8__model_find(st, name, out);
    if (rc == IGNY8_OK && *out == NULL)
        return igny8__error_set(IGNY8_ENOTFOUND, "model", "model '%.128s' is not in the registry", name);
    return rc;
}

static int append_row(void *payload, igny8__model_row *row)
{
    igny8_models *list = payload;
    igny8_model **items = igny8__realloc(list->items, (list->count + 1) * sizeof(*items));
    igny8_model *m = items ? igny8__malloc(sizeof(*m)) : NULL;
    if (items)
        list->items = items;
    if (m == NULL)
        return igny8__error_oom();
    m->row = *row;  /* takes the row's strings */
    igny8__model_row_init(row);
    items[list->count++] = m;
    return IGNY8_OK;
}

int igny8__model_list(igny8_store *st, const igny8_model_filter *f, igny8_models **out)
{
    *out = NULL;
    igny8_models *list = igny8__calloc(1, sizeof(*list));
    if (list == NULL)
        return igny8__error_oom();
    igny8__model_filter rows = { f->provider, f->model_type,
                                 f->active == 0 ? -1 : f->active == IGNY8_FILTER_ACTIVE ? 1 : 0 };
    int rc = igny8__db_model_each(st, &rows, append_row, list);
    if (rc != IGNY8_OK) {
        igny8_models_free(list);
        return rc;
    }
    *out = list;
    return IGNY8_OK;
}

cJSON *igny8__model_json(const igny8_model *m)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL) {
        igny8__json_note_oom();
        return NULL;
    }
    igny8__json_add_str(j, "model_name", m->row.model_name);
    igny8__json_add_str(j, "display_name", m->row.display_name);
    igny8__json_add_str(j, "provider", m->row.provider);
    igny8__json_add_str(j, "integration", m->row.integration);
    igny8__json_add_str(j, "model_type", igny8_model_type_name(m->row.model_type));
    igny8__json_add_num(j, "input_cost_per_1k", m->row.input_cost_per_1k);
    igny8__json_add_num(j, "output_cost_per_1k", m->row.output_cost_per_1k);
    igny8__json_add_num(j, "cost_per_image", m->row.cost_per_image);
    igny8__json_add_count(j, "tokens_per_credit", m->row.tokens_per_credit);
    igny8__json_add_count(j, "credits_per_image", m->row.credits_per_image);
    igny8__json_add_count(j, "max_output_tokens", m->row.max_output_tokens);
    igny8__json_add_bool(j, "is_active", m->row.is_active);
    igny8__json_add_bool(j, "is_default", m->row.is_default);
    igny8__json_add_str(j, "updated_at", m->row.updated_at);
    igny8__json_add_str(j, "updated_by", m->row.updated_by);
    return j;
}

int igny8_model_to_json(const igny8_model *m, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(m);
    igny8__json_reset();
    cJSON *j = igny8__model_json(m);
    return igny8__json_emit_free(j, out_json);
}

/* ---- reading a model description ---- */

static int valid_model_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MODEL_NAME_MAX)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("._:@/-", *p)))
            return 0;
    return 1;
}

static int set_string(char **dst, const cJSON *item, const char *path)
{
    const char *v;
    int rc = igny8__json_get_string(item, path, &v, NULL);
    if (rc != IGNY8_OK)
        return rc;
    if (v[0] == '\0' || strlen(v) > 256)
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be 1..256 characters", path);
    char *copy = igny8__strdup(v);
    if (copy == NULL)
        return igny8__error_oom();
    igny8__free(*dst);
    *dst = copy;
    return IGNY8_OK;
}

static int set_price(double *dst, const cJSON *item, const char *path)
{
    int is_null;
    int rc = igny8__json_get_number(item, path, dst, &is_null);
    if (rc == IGNY8_OK && !is_null && *dst < 0)
        return igny8__error_set(IGNY8_EINVAL, path, "%s %g is negative", path, *dst);
    return rc;
}

static int set_count(int *dst, const cJSON *item, const char *path)
{
    int is_null;
    int64_t v = 0;
    int rc = igny8__json_get_int(item, path, 1, IGNY8_MAX_TOKENS_MAX, &v, &is_null);
    *dst = (rc == IGNY8_OK && !is_null) ? (int)v : 0;
    return rc;
}

/* Fields that identify a model: given once, never changed by an update. */
static int set_identity(igny8_model *m, const cJSON *item, int creating)
{
    const char *name = item->string, *v;
    int rc = igny8__json_get_string(item, name, &v, NULL);
    if (rc != IGNY8_OK)
        return rc;
    if (!creating) {
        const char *cur = strcmp(name, "model_type") == 0 ? igny8_model_type_name(m->row.model_type)
                          : strcmp(name, "provider") == 0 ? m->row.provider : m->row.model_name;
        if (strcmp(cur, v) != 0)
            return igny8__error_set(IGNY8_EINVAL, name, "%s of a model cannot change ('%s' to '%s')",
                                    name, cur, v);
        return IGNY8_OK;
    }
    if (strcmp(name, "model_type") == 0) {
        m->row.model_type = igny8__model_type_from_name(v);
        return m->row.model_type ? IGNY8_OK : igny8__error_set(IGNY8_EINVAL, name,
                                                           "model_type '%s' is not text or image", v);
    }
    if (strcmp(name, "model_name") == 0 && !valid_model_name(v))
        return igny8__error_set(IGNY8_EINVAL, name, "model_name '%.64s' must be 1..128 characters of "
                                "letters, digits and ._:@/-", v);
    return set_string(strcmp(name, "provider") == 0 ? &m->row.provider : &m->row.model_name, item, name);
}

static int apply_field(igny8_model *m, const cJSON *item, int creating)
{
    const char *k = item->string;
    if (!strcmp(k, "model_name") || !strcmp(k, "provider") || !strcmp(k, "model_type"))
        return set_identity(m, item, creating);
    if (!strcmp(k, "display_name")) return set_string(&m->row.display_name, item, k);
    if (!strcmp(k, "input_cost_per_1k")) return set_price(&m->row.input_cost_per_1k, item, k);
    if (!strcmp(k, "output_cost_per_1k")) return set_price(&m->row.output_cost_per_1k, item, k);
    if (!strcmp(k, "cost_per_image")) return set_price(&m->row.cost_per_image, item, k);
    if (!strcmp(k, "tokens_per_credit")) return set_count(&m->row.tokens_per_credit, item, k);
    if (!strcmp(k, "credits_per_image")) return set_count(&m->row.credits_per_image, item, k);
    if (!strcmp(k, "max_output_tokens")) return set_count(&m->row.max_output_tokens, item, k);
    if (!strcmp(k, "is_active")) return igny8__json_get_bool(item, k, &m->row.is_active, NULL);
    if (!strcmp(k, "is_default")) return igny8__json_get_bool(item, k, &m->row.is_default, NULL);
    if (!strcmp(k, "integration") || !strcmp(k, "updated_at") || !strcmp(k, "updated_by"))
        return IGNY8_OK;  /* read-only: a view can be sent back as it is */
    return igny8__error_set(IGNY8_EINVAL, k, "unknown model field '%.64s'", k);
}

/* Rules across fields: each price belongs to one model type, and a default is active. */
static int check_model(const igny8_model *m)
{
    if (m->row.model_name == NULL)
        return igny8__error_set(IGNY8_EINVAL, "model_name", "model_name is required");
    if (m->row.provider == NULL)
        return igny8__error_set(IGNY8_EINVAL, "provider", "provider is required");
    if (m->row.model_type == 0)
        return igny8__error_set(IGNY8_EINVAL, "model_type", "model_type is required (text or image)");
    int text = m->row.model_type == IGNY8_MODEL_TEXT;
    const char *wrong = text ? (!isnan(m->row.cost_per_image) ? "cost_per_image"
                                : m->row.credits_per_image ? "credits_per_image" : NULL)
                             : (!isnan(m->row.input_cost_per_1k) ? "input_cost_per_1k"
                                : !isnan(m->row.output_cost_per_1k) ? "output_cost_per_1k"
                                : m->row.tokens_per_credit ? "tokens_per_credit"
                                : m->row.max_output_tokens ? "max_output_tokens" : NULL);
    if (wrong)
        return igny8__error_set(IGNY8_EINVAL, wrong, "%s does not apply to %s models", wrong,
                                igny8_model_type_name(m->row.model_type));
    if (m->row.is_default && !m->row.is_active)
        return igny8__error_set(IGNY8_EINVAL, "is_default", "an inactive model cannot be the default");
    return IGNY8_OK;
}

static int apply_fields(igny8_model *m, const cJSON *obj, int creating)
{
    for (const cJSON *item = obj->child; item; item = item->next) {
        int rc = apply_field(m, item, creating);
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

static int apply_json(igny8_model *m, const cJSON *obj, int creating)
{
    int rc = apply_fields(m, obj, creating);
    if (rc != IGNY8_OK)
        return rc;
    if (m->row.display_name == NULL && (m->row.display_name = igny8__strdup(m->row.model_name)) == NULL && m->row.model_name)
        return igny8__error_oom();
    return check_model(m);
}

int igny8__model_from_json(igny8_model *m, const cJSON *obj)
{
    return apply_json(m, obj, 1);
}

/* ---- writes ---- */

static int stamp(igny8_model *m, const char *actor)
{
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    igny8__free(m->row.updated_at);
    igny8__free(m->row.updated_by);
    m->row.updated_at = igny8__strdup(now);
    m->row.updated_by = igny8__strdup(actor);
    return (m->row.updated_at && m->row.updated_by) ? IGNY8_OK : igny8__error_oom();
}

/* The type's default may be claimed only by the model that holds it, or when there is none. */
static int check_default_free(igny8_store *st, const igny8_model *m)
{
    char *current = NULL;
    if (!m->row.is_default)
        return IGNY8_OK;
    int rc = igny8__db_model_default_name(st, m->row.model_type, &current);
    if (rc == IGNY8_OK && current && strcmp(current, m->row.model_name) != 0)
        rc = igny8__error_set(IGNY8_EEXISTS, "is_default", "'%s' is already the default %s model; "
                              "use igny8_model_set_default to move it", current,
                              igny8_model_type_name(m->row.model_type));
    igny8__free(current);
    return rc;
}

static int audit_model(igny8_store *st, const char *actor, const char *action, const igny8_model *before,
                       const igny8_model *after)
{
    cJSON *b = before ? igny8__model_json(before) : NULL, *a = after ? igny8__model_json(after) : NULL;
    int rc = ((before && !b) || (after && !a)) ? igny8__error_oom()
             : igny8__audit(st, actor, "model", after ? after->row.model_name : before->row.model_name, 0, action, b, a);
    cJSON_Delete(b);
    cJSON_Delete(a);
    return rc;
}

static int check_provider(igny8_store *st, const igny8_model *m)
{
    int exists = 0;
    char *integration = NULL;
    int rc = igny8__db_provider_exists(st, m->row.provider, &exists);
    if (rc == IGNY8_OK && !exists)
        return igny8__error_set(IGNY8_ENOTFOUND, "provider", "provider '%.64s' is not known", m->row.provider);
    if (rc == IGNY8_OK)
        rc = igny8__db_integration_find(st, m->row.provider, m->row.model_type, &integration);
    if (rc == IGNY8_ENOTFOUND)
        return igny8__error_set(IGNY8_EINVAL, "model_type", "provider '%s' has no %s integration",
                                m->row.provider, igny8_model_type_name(m->row.model_type));
    igny8__free(integration);
    return rc;
}

/* Add a model from a parsed description, inside the caller's write transaction. */
int igny8__model_add(igny8_store *st, const char *actor, const cJSON *obj)
{
    igny8_model m, *existing = NULL;
    igny8__model_init(&m);
    int rc = igny8__model_from_json(&m, obj);
    if (rc == IGNY8_OK)
        rc = check_provider(st, &m);
    if (rc == IGNY8_OK && (rc = igny8__model_find(st, m.row.model_name, &existing)) == IGNY8_OK && existing)
        rc = igny8__error_set(IGNY8_EEXISTS, "model_name", "model '%s' already exists", m.row.model_name);
    igny8_model_free(existing);
    if (rc == IGNY8_OK)
        rc = check_default_free(st, &m);
    if (rc == IGNY8_OK)
        rc = stamp(&m, actor);
    if (rc == IGNY8_OK)
        rc = igny8__db_model_insert(st, &m.row);
    if (rc == IGNY8_OK)
        rc = audit_model(st, actor, "create", NULL, &m);
    igny8__model_clear(&m);
    return rc;
}

static int finish_write(igny8_store *st, const char *name, int rc, igny8_model **out)
{
    if (rc == IGNY8_OK && out)
        rc = igny8__model_get(st, name, out);
    return igny8__store_write_end(st, rc);
}

int igny8_model_add_json(igny8_store *st, const char *actor, const char *json, igny8_model **out)
{
    cJSON *obj = NULL;
    if (out)
        *out = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = igny8__json_parse_body(json, "json", IGNY8_BODY_MAX_BYTES, "", &obj);
    if (rc != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_write_begin(st)) == IGNY8_OK) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "model_name"));
        rc = finish_write(st, name, igny8__model_add(st, actor, obj), out);
    }
    cJSON_Delete(obj);
    return rc;
}

/* Read the model, let `change` modify a copy, validate, write and audit it. */
typedef int (*model_change_fn)(igny8_store *st, igny8_model *m, const void *arg);

/* Equal in every field a write can change (the stamps are equal in a fresh copy). */
static int same_model(const igny8_model *a, const igny8_model *b, int *same)
{
    cJSON *ja = igny8__model_json(a), *jb = igny8__model_json(b);
    *same = ja && jb && cJSON_Compare(ja, jb, 1);
    int rc = (ja && jb) ? IGNY8_OK : igny8__error_oom();
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return rc;
}

static int change_model(igny8_store *st, const char *actor, const char *name, const char *action,
                        model_change_fn change, const void *arg)
{
    igny8_model *before = NULL, *after = NULL;
    int same = 0;
    int rc = igny8__model_get(st, name, &before);
    if (rc == IGNY8_OK)
        rc = igny8__model_dup(before, &after);
    if (rc == IGNY8_OK)
        rc = change(st, after, arg);
    if (rc == IGNY8_OK)
        rc = check_model(after);
    if (rc == IGNY8_OK)
        rc = check_default_free(st, after);
    if (rc == IGNY8_OK)
        rc = same_model(before, after, &same);
    if (rc == IGNY8_OK && !same) {  /* a write that changes nothing leaves no row and no entry */
        rc = stamp(after, actor);
        if (rc == IGNY8_OK)
            rc = igny8__db_model_update(st, &after->row);
        if (rc == IGNY8_OK)
            rc = audit_model(st, actor, action, before, after);
    }
    igny8_model_free(before);
    igny8_model_free(after);
    return rc;
}

static int refuse_deactivating_default(const igny8_model *m)
{
    return igny8__error_set(IGNY8_EINVAL, "is_active", "'%s' is the default %s model: make another "
                            "model the default before deactivating it", m->row.model_name,
                            igny8_model_type_name(m->row.model_type));
}

static int change_by_patch(igny8_store *st, igny8_model *m, const void *patch)
{
    IGNY8__UNUSED(st);
    int rc = apply_fields(m, patch, 0);
    /* a patch that deactivates the default (and does not touch is_default) is refused as
     * igny8_model_set_active refuses it, naming the field the patch changed */
    if (rc == IGNY8_OK && m->row.is_default && !m->row.is_active &&
        cJSON_GetObjectItemCaseSensitive((const cJSON *)patch, "is_default") == NULL)
        return refuse_deactivating_default(m);
    return rc;
}

static int change_active(igny8_store *st, igny8_model *m, const void *active)
{
    IGNY8__UNUSED(st);
    m->row.is_active = *(const int *)active;
    if (!m->row.is_active && m->row.is_default)
        return refuse_deactivating_default(m);
    return IGNY8_OK;
}

static int change_default(igny8_store *st, igny8_model *m, const void *unused)
{
    IGNY8__UNUSED(st);
    IGNY8__UNUSED(unused);
    if (!m->row.is_active)
        return igny8__error_set(IGNY8_EINVAL, "model", "model '%s' is inactive and cannot be the default",
                                m->row.model_name);
    m->row.is_default = 1;
    return IGNY8_OK;
}

static int change_not_default(igny8_store *st, igny8_model *m, const void *unused)
{
    IGNY8__UNUSED(st);
    IGNY8__UNUSED(unused);
    m->row.is_default = 0;
    return IGNY8_OK;
}

/* The previous default loses the flag through the same path as any change, so that it is
 * stamped and audited too. */
static int move_default(igny8_store *st, const char *actor, const char *model_name)
{
    igny8_model *m = NULL;
    char *current = NULL;
    int rc = igny8__model_get(st, model_name, &m);
    if (rc == IGNY8_OK)
        rc = igny8__db_model_default_name(st, m->row.model_type, &current);
    if (rc == IGNY8_OK && m->row.is_active && current && strcmp(current, model_name) != 0)
        rc = change_model(st, actor, current, "unset_default", change_not_default, NULL);
    if (rc == IGNY8_OK)
        rc = change_model(st, actor, model_name, "set_default", change_default, NULL);
    igny8_model_free(m);
    igny8__free(current);
    return rc;
}

static int begin_model_write(igny8_store *st, const char *actor, const char *model_name)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(model_name);
    int rc = igny8__check_actor(actor);
    return rc == IGNY8_OK ? igny8__store_write_begin(st) : rc;
}

int igny8_model_update_json(igny8_store *st, const char *actor, const char *model_name,
                            const char *patch_json, igny8_model **out)
{
    cJSON *patch = NULL;
    if (out)
        *out = NULL;
    int rc = igny8__json_parse_body(patch_json, "patch_json", IGNY8_BODY_MAX_BYTES, "", &patch);
    if (rc == IGNY8_OK && (rc = begin_model_write(st, actor, model_name)) == IGNY8_OK)
        rc = finish_write(st, model_name, change_model(st, actor, model_name, "update", change_by_patch, patch), out);
    cJSON_Delete(patch);
    return rc;
}

int igny8_model_set_active(igny8_store *st, const char *actor, const char *model_name, int active)
{
    int value = active != 0;
    int rc = begin_model_write(st, actor, model_name);
    if (rc != IGNY8_OK)
        return rc;
    rc = change_model(st, actor, model_name, value ? "activate" : "deactivate", change_active, &value);
    return igny8__store_write_end(st, rc);
}

int igny8_model_set_default(igny8_store *st, const char *actor, const char *model_name)
{
    int rc = begin_model_write(st, actor, model_name);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_write_end(st, move_default(st, actor, model_name));
}

/* ---- reads ---- */

int igny8_model_get(igny8_store *st, const char *model_name, igny8_model **out)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(model_name);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_read_end(st, igny8__model_get(st, model_name, out));
}

int igny8_model_filter_init(igny8_model_filter *f, unsigned int version)
{
    IGNY8__CHECK_ARG(f);
    if (version < 1 || version > IGNY8_MODEL_FILTER_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "model filter version %u is not supported", version);
    memset(f, 0, sizeof(*f));
    f->version = version;
    return IGNY8_OK;
}

int igny8__model_filter_read(igny8_model_filter *f, const igny8_model_filter *given)
{
    memset(f, 0, sizeof(*f));
    f->version = IGNY8_MODEL_FILTER_VERSION;
    int rc = given ? igny8__options_copy(f, given, model_filter_size, IGNY8_MODEL_FILTER_VERSION, "model filter")
                   : IGNY8_OK;
    if (rc == IGNY8_OK && f->model_type != 0 && igny8_model_type_name(f->model_type) == NULL)
        return igny8__error_set(IGNY8_EINVAL, "model_type", "model_type %d is not a model type", f->model_type);
    if (rc == IGNY8_OK && f->active != 0 && f->active != IGNY8_FILTER_ACTIVE && f->active != IGNY8_FILTER_INACTIVE)
        return igny8__error_set(IGNY8_EINVAL, "active", "active filter %d is not 0, 1 or 2", f->active);
    return rc;
}

int igny8_model_list(igny8_store *st, const igny8_model_filter *filter, igny8_models **out)
{
    igny8_model_filter f;
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    int rc = igny8__model_filter_read(&f, filter);
    if (rc == IGNY8_OK && (rc = igny8__store_read_begin(st)) == IGNY8_OK)
        rc = igny8__store_read_end(st, igny8__model_list(st, &f, out));
    return rc;
}

int igny8_model_list_json(igny8_store *st, const igny8_model_filter *filter, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    igny8_models *list = NULL;
    int rc = igny8_model_list(st, filter, &list);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < list->count; i++)
        igny8__json_attach(arr, NULL, igny8__model_json(list->items[i]));
    igny8_models_free(list);
    return igny8__json_emit_free(arr, out_json);
}

size_t igny8_models_count(const igny8_models *list) { return list ? list->count : 0; }

const igny8_model *igny8_models_at(const igny8_models *list, size_t i)
{
    return (list && i < list->count) ? list->items[i] : NULL;
}

void igny8_models_free(igny8_models *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        igny8_model_free(list->items[i]);
    igny8__free(list->items);
    igny8__free(list);
}

/* ---- cost ---- */

static int check_count(int64_t v, const char *field)
{
    if (v < 0 || v > COUNT_MAX)
        return igny8__error_set(IGNY8_EINVAL, field, "%s %lld is outside 0..%lld", field, (long long)v, COUNT_MAX);
    return IGNY8_OK;
}

static int price_missing(const igny8_model *m, const char *field)
{
    return igny8__error_set(IGNY8_ENOTFOUND, field, "model '%s' has no %s: its cost is unknown, not 0",
                            m->row.model_name, field);
}

int igny8_model_estimate_cost(const igny8_model *m, int64_t input_tokens, int64_t output_tokens,
                              int64_t images, igny8_cost *out)
{
    IGNY8__CHECK_ARG(m);
    IGNY8__CHECK_ARG(out);
    int rc = check_count(input_tokens, "input_tokens");
    if (rc == IGNY8_OK) rc = check_count(output_tokens, "output_tokens");
    if (rc == IGNY8_OK) rc = check_count(images, "images");
    if (rc != IGNY8_OK)
        return rc;
    if (m->row.model_type == IGNY8_MODEL_TEXT) {
        if (images != 0)
            return igny8__error_set(IGNY8_EINVAL, "images", "'%s' is a text model: count tokens, not images",
                                    m->row.model_name);
        if (isnan(m->row.input_cost_per_1k)) return price_missing(m, "input_cost_per_1k");
        if (isnan(m->row.output_cost_per_1k)) return price_missing(m, "output_cost_per_1k");
        if (m->row.tokens_per_credit <= 0) return price_missing(m, "tokens_per_credit");
        out->usd = (double)input_tokens / 1000.0 * m->row.input_cost_per_1k +
                   (double)output_tokens / 1000.0 * m->row.output_cost_per_1k;
        out->credits = (input_tokens + output_tokens + m->row.tokens_per_credit - 1) / m->row.tokens_per_credit;
        return IGNY8_OK;
    }
    if (input_tokens != 0 || output_tokens != 0)
        return igny8__error_set(IGNY8_EINVAL, "input_tokens", "'%s' is an image model: count images, not tokens",
                                m->row.model_name);
    if (isnan(m->row.cost_per_image)) return price_missing(m, "cost_per_image");
    if (m->row.credits_per_image <= 0) return price_missing(m, "credits_per_image");
    out->usd = (double)images * m->row.cost_per_image;
    out->credits = images * m->row.credits_per_image;
    return IGNY8_OK;
}

/* ---- getters ---- */

const char *igny8_model_name(const igny8_model *m) { return m ? m->row.model_name : NULL; }
const char *igny8_model_display_name(const igny8_model *m) { return m ? m->row.display_name : NULL; }
const char *igny8_model_provider(const igny8_model *m) { return m ? m->row.provider : NULL; }
const char *igny8_model_integration(const igny8_model *m) { return m ? m->row.integration : NULL; }
int igny8_model_type(const igny8_model *m) { return m ? m->row.model_type : 0; }
double igny8_model_input_cost_per_1k(const igny8_model *m) { return m ? m->row.input_cost_per_1k : NAN; }
double igny8_model_output_cost_per_1k(const igny8_model *m) { return m ? m->row.output_cost_per_1k : NAN; }
double igny8_model_cost_per_image(const igny8_model *m) { return m ? m->row.cost_per_image : NAN; }
int igny8_model_tokens_per_credit(const igny8_model *m) { return m ? m->row.tokens_per_credit : 0; }
int igny8_model_credits_per_image(const igny8_model *m) { return m ? m->row.credits_per_image : 0; }
int igny8_model_max_output_tokens(const igny8_model *m) { return m ? m->row.max_output_tokens : 0; }
int igny8_model_is_active(const igny8_model *m) { return m ? m->row.is_active : 0; }
int igny8_model_is_default(const igny8_model *m) { return m ? m->row.is_default : 0; }
const char *igny8_model_updated_at(const igny8_model *m) { return m ? m->row.updated_at : NULL; }
const char *igny8_model_updated_by(const igny8_model *m) { return m ? m->row.updated_by : NULL; }
