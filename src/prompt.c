/* Prompt templates: immutable global versions, publishing, accounts' customisations,
 * staleness and rendering. SQL in db_prompt.c; template syntax and diffs in template.c
 * and diff.c. */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "prompt.h"
#include "template.h"

static const size_t commit_options_size[] = { 0, sizeof(igny8_prompt_commit_options) };

/* ---- snapshots ---- */

void igny8__prompt_clear(igny8_prompt *p)
{
    igny8__prompt_row_clear(&p->row);
    memset(p, 0, sizeof(*p));
}

void igny8_prompt_free(igny8_prompt *p)
{
    if (p == NULL)
        return;
    igny8__prompt_clear(p);
    igny8__free(p);
}

/* A version as a new snapshot; ENOTFOUND (field "version") when there is none. */
static int version_get(igny8_store *st, const char *type, int version, igny8_prompt **out)
{
    *out = NULL;
    igny8_prompt *p = igny8__calloc(1, sizeof(*p));
    if (p == NULL)
        return igny8__error_oom();
    int rc = igny8__db_prompt_version_get(st, type, version, &p->row);
    if (rc != IGNY8_OK) {
        igny8_prompt_free(p);
        return rc;
    }
    *out = p;
    return IGNY8_OK;
}

/* An account's customisation as a new snapshot, or *out NULL when it has none. */
static int account_prompt_find(igny8_store *st, int64_t account_id, const char *type, igny8_prompt **out)
{
    int found = 0;
    *out = NULL;
    igny8_prompt *p = igny8__calloc(1, sizeof(*p));
    if (p == NULL)
        return igny8__error_oom();
    int rc = igny8__db_account_prompt_get(st, account_id, type, &p->row, &found);
    if (rc != IGNY8_OK || !found) {
        igny8_prompt_free(p);
        return rc;
    }
    p->is_customized = 1;
    *out = p;
    return IGNY8_OK;
}

static int set_str(char **dst, const char *v)
{
    char *copy = NULL;
    if (v && (copy = igny8__strdup(v)) == NULL)
        return igny8__error_oom();
    igny8__free(*dst);
    *dst = copy;
    return IGNY8_OK;
}

int igny8__prompt_type_check_name(const char *name, const char *field)
{
    size_t n = strlen(name);
    int ok = n >= 1 && n <= 64 && !(name[0] >= '0' && name[0] <= '9');
    for (const char *c = name; ok && *c; c++)
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
    return ok ? IGNY8_OK : igny8__error_set(IGNY8_EINVAL, field, "prompt type '%.64s' is not an identifier of "
                                            "1..64 letters, digits and '_'", name);
}

static cJSON *variables_item(const char *variables)
{
    cJSON *v = NULL;
    if (variables == NULL || igny8__json_parse(variables, "variables", &v) != IGNY8_OK)
        igny8__json_note_oom();  /* our own JSON: only allocation can fail */
    return v;
}

/* ---- audit ---- */

static int audit_prompt(igny8_store *st, const char *actor, const char *entity, const char *type, int64_t account_id,
                        const char *action, cJSON *before, cJSON *after)
{
    int rc = igny8__audit(st, actor, entity, type, account_id, action, before, after);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return rc;
}

static cJSON *version_summary(const igny8_prompt *p)
{
    cJSON *j = cJSON_CreateObject();
    igny8__json_add_int(j, "version", p->row.version);
    igny8__json_add_str(j, "description", p->row.description);
    igny8__json_add_str(j, "message", p->row.message);
    igny8__json_attach(j, "variables", variables_item(p->row.variables));
    igny8__json_add_int(j, "value_bytes", (int64_t)strlen(p->row.value));
    return j;
}

static cJSON *int_object(const char *key, int64_t value)
{
    cJSON *j = cJSON_CreateObject();
    if (value > 0)
        igny8__json_add_int(j, key, value);
    else
        igny8__json_add_null(j, key);
    return j;
}

/* ---- global prompts ---- */

int igny8_prompt_commit_options_init(igny8_prompt_commit_options *opts, unsigned int version)
{
    IGNY8__CHECK_ARG(opts);
    if (version < 1 || version > IGNY8_PROMPT_COMMIT_OPTIONS_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "prompt commit options version %u is not supported", version);
    memset(opts, 0, sizeof(*opts));
    opts->version = version;
    return IGNY8_OK;
}

static int begin_write(igny8_store *st, const char *actor)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    return rc == IGNY8_OK ? igny8__store_write_begin(st) : rc;
}

static int type_add(igny8_store *st, const char *actor, const char *type)
{
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    int rc = igny8__db_prompt_type_insert(st, type, now, actor);
    return rc == IGNY8_OK ? audit_prompt(st, actor, "prompt", type, 0, "create_type", NULL, int_object("version", 0))
                          : rc;
}

int igny8_prompt_type_add(igny8_store *st, const char *actor, const char *prompt_type)
{
    IGNY8__CHECK_ARG(prompt_type);
    int rc = igny8__prompt_type_check_name(prompt_type, "prompt_type");
    if (rc == IGNY8_OK && (rc = begin_write(st, actor)) == IGNY8_OK)
        rc = igny8__store_write_end(st, type_add(st, actor, prompt_type));
    return rc;
}

/* Move the published pointer; publishing an older version is recorded as a rollback. */
static int publish(igny8_store *st, const char *actor, const char *type, int version)
{
    igny8__prompt_type_row t;
    igny8_prompt *v = NULL;
    char now[IGNY8__TIME_LEN];
    int rc = igny8__db_prompt_type_get(st, type, &t);
    if (rc != IGNY8_OK)
        return rc;
    rc = version_get(st, type, version, &v);
    int before = t.published_version;
    if (rc == IGNY8_OK && before != version) {
        t.published_version = version;
        igny8__now_iso(now);
        rc = igny8__db_prompt_type_update(st, &t, now, actor);
        if (rc == IGNY8_OK)
            rc = audit_prompt(st, actor, "prompt", type, 0, version < before ? "rollback" : "publish",
                              int_object("published_version", before), int_object("published_version", version));
    }
    igny8_prompt_free(v);
    igny8__prompt_type_row_clear(&t);
    return rc;
}

int igny8_prompt_publish(igny8_store *st, const char *actor, const char *prompt_type, int version)
{
    IGNY8__CHECK_ARG(prompt_type);
    int rc = begin_write(st, actor);
    return rc == IGNY8_OK ? igny8__store_write_end(st, publish(st, actor, prompt_type, version)) : rc;
}

/* The new version: the latest + 1, its description inherited when none is given. */
static int make_version(igny8_store *st, const char *actor, const igny8__prompt_type_row *t,
                        const igny8_prompt_commit_options *o, igny8_prompt *p)
{
    char now[IGNY8__TIME_LEN];
    igny8_prompt *latest = NULL;
    memset(p, 0, sizeof(*p));
    int rc = igny8__template_check(o->value, "value", &p->row.variables);
    if (rc == IGNY8_OK && o->description == NULL && t->latest_version > 0 &&
        (rc = version_get(st, t->name, t->latest_version, &latest)) == IGNY8_OK)
        rc = set_str(&p->row.description, latest->row.description);
    else if (rc == IGNY8_OK && (rc = igny8__check_text(o->description, "description", 4096)) == IGNY8_OK)
        rc = set_str(&p->row.description, o->description);
    igny8_prompt_free(latest);
    igny8__now_iso(now);
    p->row.version = t->latest_version + 1;
    if (rc == IGNY8_OK) rc = igny8__check_text(o->message, "message", 4096);
    if (rc == IGNY8_OK) rc = set_str(&p->row.prompt_type, t->name);
    if (rc == IGNY8_OK) rc = set_str(&p->row.value, o->value);
    if (rc == IGNY8_OK) rc = set_str(&p->row.message, o->message);
    if (rc == IGNY8_OK) rc = set_str(&p->row.author, actor);
    if (rc == IGNY8_OK) rc = set_str(&p->row.created_at, now);
    return rc;
}

static int commit(igny8_store *st, const char *actor, const igny8_prompt_commit_options *o, int *new_version)
{
    igny8__prompt_type_row t;
    igny8_prompt p;
    int rc = igny8__db_prompt_type_get(st, o->prompt_type, &t);
    if (rc != IGNY8_OK)
        return rc;
    if ((rc = make_version(st, actor, &t, o, &p)) == IGNY8_OK) {
        rc = igny8__db_prompt_version_insert(st, &p.row);
        if (rc == IGNY8_OK)
            rc = audit_prompt(st, actor, "prompt", t.name, 0, "commit", NULL, version_summary(&p));
        if (rc == IGNY8_OK && o->publish)
            rc = publish(st, actor, t.name, p.row.version);
        *new_version = p.row.version;
    }
    igny8__prompt_clear(&p);
    igny8__prompt_type_row_clear(&t);
    return rc;
}

int igny8_prompt_commit(igny8_store *st, const char *actor, const igny8_prompt_commit_options *opts,
                        igny8_prompt **out)
{
    igny8_prompt_commit_options o;
    int version = 0;
    if (out)
        *out = NULL;
    IGNY8__CHECK_ARG(opts);
    igny8_prompt_commit_options_init(&o, IGNY8_PROMPT_COMMIT_OPTIONS_VERSION);
    int rc = igny8__options_copy(&o, opts, commit_options_size, IGNY8_PROMPT_COMMIT_OPTIONS_VERSION,
                                 "prompt commit options");
    if (rc == IGNY8_OK && o.prompt_type == NULL)
        rc = igny8__error_set(IGNY8_EINVAL, "prompt_type", "prompt_type is required");
    if (rc == IGNY8_OK && o.value == NULL)
        rc = igny8__error_set(IGNY8_EINVAL, "value", "value is required");
    if (rc != IGNY8_OK || (rc = begin_write(st, actor)) != IGNY8_OK)
        return rc;
    rc = commit(st, actor, &o, &version);
    if (rc == IGNY8_OK && out)
        rc = version_get(st, o.prompt_type, version, out);
    rc = igny8__store_write_end(st, rc);
    if (rc != IGNY8_OK && out) {
        igny8_prompt_free(*out);
        *out = NULL;
    }
    return rc;
}

static int set_active(igny8_store *st, const char *actor, const char *type, int active)
{
    igny8__prompt_type_row t;
    char now[IGNY8__TIME_LEN];
    int rc = igny8__db_prompt_type_get(st, type, &t);
    if (rc == IGNY8_OK && t.is_active != (active != 0)) {
        t.is_active = active != 0;
        igny8__now_iso(now);
        rc = igny8__db_prompt_type_update(st, &t, now, actor);
        if (rc == IGNY8_OK)
            rc = audit_prompt(st, actor, "prompt", type, 0, t.is_active ? "activate" : "deactivate",
                              int_object("is_active", !t.is_active), int_object("is_active", t.is_active));
    }
    igny8__prompt_type_row_clear(&t);
    return rc;
}

int igny8_prompt_set_active(igny8_store *st, const char *actor, const char *prompt_type, int active)
{
    IGNY8__CHECK_ARG(prompt_type);
    int rc = begin_write(st, actor);
    return rc == IGNY8_OK ? igny8__store_write_end(st, set_active(st, actor, prompt_type, active)) : rc;
}

/* The published version of a type; ENOTFOUND (field "version") when nothing is published. */
static int published(igny8_store *st, const char *type, igny8_prompt **out)
{
    igny8__prompt_type_row t;
    *out = NULL;
    int rc = igny8__db_prompt_type_get(st, type, &t);
    if (rc == IGNY8_OK && t.published_version == 0)
        rc = igny8__error_set(IGNY8_ENOTFOUND, "version", "prompt type '%s' has no published version", type);
    if (rc == IGNY8_OK)
        rc = version_get(st, type, t.published_version, out);
    igny8__prompt_type_row_clear(&t);
    return rc;
}

static int get_version(igny8_store *st, const char *type, int version, igny8_prompt **out)
{
    igny8__prompt_type_row t;
    int rc = igny8__db_prompt_type_get(st, type, &t);  /* an unknown type says so, not "no version" */
    igny8__prompt_type_row_clear(&t);
    if (rc != IGNY8_OK)
        return rc;
    return version == 0 ? published(st, type, out) : version_get(st, type, version, out);
}

int igny8_prompt_get(igny8_store *st, const char *prompt_type, int version, igny8_prompt **out)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    int rc = igny8__store_read_begin(st);
    return rc == IGNY8_OK ? igny8__store_read_end(st, get_version(st, prompt_type, version, out)) : rc;
}

/* Run a read that builds a JSON view into *out_json, inside one read transaction. */
typedef int (*view_fn)(igny8_store *st, const void *arg, cJSON **out);

static int read_view(igny8_store *st, view_fn fn, const void *arg, char **out_json)
{
    cJSON *j = NULL;
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    rc = igny8__store_read_end(st, fn(st, arg, &j));
    if (rc != IGNY8_OK) {
        cJSON_Delete(j);
        return rc;
    }
    return igny8__json_emit_free(j, out_json);
}

static int add_version(void *payload, const igny8__prompt_row *p)
{
    cJSON *v = igny8__json_attach((cJSON *)payload, NULL, cJSON_CreateObject());
    igny8__json_add_int(v, "version", p->version);
    igny8__json_add_str(v, "message", p->message);
    igny8__json_add_str(v, "description", p->description);
    igny8__json_add_str(v, "author", p->author);
    igny8__json_add_str(v, "created_at", p->created_at);
    igny8__json_add_bool(v, "published", p->is_published);
    igny8__json_attach(v, "variables", variables_item(p->variables));
    return IGNY8_OK;
}

/* The head of a per-type view, {"prompt_type":..,"published_version":..}, and the type's row. */
static int type_view_head(igny8_store *st, const char *type, igny8__prompt_type_row *t, cJSON **out)
{
    int rc = igny8__db_prompt_type_get(st, type, t);
    if (rc != IGNY8_OK)
        return rc;
    *out = cJSON_CreateObject();
    igny8__json_add_str(*out, "prompt_type", t->name);
    igny8__json_add_count(*out, "published_version", t->published_version);
    return IGNY8_OK;
}

static int versions_view(igny8_store *st, const void *type, cJSON **out)
{
    igny8__prompt_type_row t;
    int rc = type_view_head(st, type, &t, out);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_add_bool(*out, "is_active", t.is_active);
    rc = igny8__db_prompt_version_each(st, type, add_version, igny8__json_add_array(*out, "versions"));
    igny8__prompt_type_row_clear(&t);
    return rc;
}

int igny8_prompt_versions_json(igny8_store *st, const char *prompt_type, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    return read_view(st, versions_view, prompt_type, out_json);
}

int igny8_prompt_diff(igny8_store *st, const char *prompt_type, int from_version, int to_version, char **out_diff)
{
    igny8_prompt *a = NULL, *b = NULL;
    char la[96], lb[96];
    IGNY8__CHECK_ARG(out_diff);
    *out_diff = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    rc = get_version(st, prompt_type, from_version, &a);
    if (rc == IGNY8_OK)
        rc = get_version(st, prompt_type, to_version, &b);
    rc = igny8__store_read_end(st, rc);
    if (rc == IGNY8_OK) {
        snprintf(la, sizeof(la), "%.64s v%d", prompt_type, a->row.version);
        snprintf(lb, sizeof(lb), "%.64s v%d", prompt_type, b->row.version);
        rc = igny8__text_diff(a->row.value, b->row.value, la, lb, out_diff);
    }
    igny8_prompt_free(a);
    igny8_prompt_free(b);
    return rc;
}

struct list_ctx { igny8_store *st; cJSON *arr; };

static int add_type(void *payload, const igny8__prompt_type_row *t)
{
    struct list_ctx *c = payload;
    igny8_prompt *p = NULL;
    int rc = t->published_version ? version_get(c->st, t->name, t->published_version, &p) : IGNY8_OK;
    cJSON *j = igny8__json_attach(c->arr, NULL, cJSON_CreateObject());
    igny8__json_add_str(j, "prompt_type", t->name);
    igny8__json_add_count(j, "published_version", t->published_version);
    igny8__json_add_count(j, "latest_version", t->latest_version);
    igny8__json_add_bool(j, "is_active", t->is_active);
    igny8__json_add_str(j, "description", p ? p->row.description : NULL);
    if (p)
        igny8__json_attach(j, "variables", variables_item(p->row.variables));
    else
        igny8__json_add_array(j, "variables");
    igny8_prompt_free(p);
    return rc;
}

static int list_view(igny8_store *st, const void *unused, cJSON **out)
{
    IGNY8__UNUSED(unused);
    struct list_ctx c = { st, cJSON_CreateArray() };
    *out = c.arr;
    return igny8__db_prompt_type_each(st, add_type, &c);
}

int igny8_prompt_list_json(igny8_store *st, char **out_json)
{
    return read_view(st, list_view, NULL, out_json);
}

/* ---- bulk actions ---- */

static int at_index(int rc, size_t i)
{
    char field[48];
    if (rc != IGNY8_OK) {
        snprintf(field, sizeof(field), "prompt_types[%zu]", i);
        igny8__error_set_field(field);
    }
    return rc;
}

static int increment(igny8_store *st, const char *actor, const char *type, const char *message)
{
    igny8_prompt *p = NULL;
    int version = 0;
    int rc = published(st, type, &p);
    if (rc == IGNY8_OK) {
        igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
        o.prompt_type = type;
        o.value = p->row.value;
        o.description = p->row.description;
        o.message = message;
        o.publish = 1;
        rc = commit(st, actor, &o, &version);
    }
    igny8_prompt_free(p);
    return rc;
}

typedef int (*bulk_fn)(igny8_store *st, const char *actor, const char *type, const void *arg);

static int bulk(igny8_store *st, const char *actor, const char *const *types, size_t count, bulk_fn fn,
                const void *arg)
{
    if (types == NULL)  /* named as the public argument is */
        return igny8__error_set(IGNY8_EINVAL, "prompt_types", "argument prompt_types is NULL");
    int rc = begin_write(st, actor);
    if (rc != IGNY8_OK)
        return rc;
    for (size_t i = 0; rc == IGNY8_OK && i < count; i++)
        rc = at_index(types[i] ? fn(st, actor, types[i], arg)
                               : igny8__error_set(IGNY8_EINVAL, NULL, "prompt type %zu is NULL", i), i);
    return igny8__store_write_end(st, rc);
}

static int bulk_increment(igny8_store *st, const char *actor, const char *type, const void *message)
{
    return increment(st, actor, type, message);
}

static int bulk_set_active(igny8_store *st, const char *actor, const char *type, const void *active)
{
    return set_active(st, actor, type, *(const int *)active);
}

int igny8_prompt_increment_version(igny8_store *st, const char *actor, const char *const *prompt_types, size_t count,
                                   const char *message)
{
    return bulk(st, actor, prompt_types, count, bulk_increment, message);
}

int igny8_prompt_set_active_bulk(igny8_store *st, const char *actor, const char *const *prompt_types, size_t count,
                                 int active)
{
    return bulk(st, actor, prompt_types, count, bulk_set_active, &active);
}

int igny8__prompt_load(igny8_store *st, const char *actor, const cJSON *item)
{
    igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    int version = 0, is_null = 0;
    const char *keys[] = { "prompt_type", "value", "description" };
    const char **dst[] = { &o.prompt_type, &o.value, &o.description };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(keys); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, keys[i]);
        int optional = i == 2;
        if (v == NULL && optional)
            continue;
        int rc = igny8__json_get_string(v, keys[i], dst[i], optional ? &is_null : NULL);
        if (rc != IGNY8_OK)
            return rc;
    }
    o.message = "shipped default";
    o.publish = 1;
    int rc = igny8__prompt_type_check_name(o.prompt_type, "prompt_type");
    if (rc == IGNY8_OK) rc = type_add(st, actor, o.prompt_type);
    return rc == IGNY8_OK ? commit(st, actor, &o, &version) : rc;
}

/* ---- accounts ---- */

static int customize(igny8_store *st, const char *actor, int64_t account_id, const char *type, const char *value)
{
    igny8_prompt *base = NULL, *before = NULL, p;
    char now[IGNY8__TIME_LEN];
    memset(&p, 0, sizeof(p));
    int rc = igny8__template_check(value, "value", NULL);
    if (rc == IGNY8_OK) rc = published(st, type, &base);
    if (rc == IGNY8_OK) rc = account_prompt_find(st, account_id, type, &before);
    int same = before && base && before->row.based_on_version == base->row.version && strcmp(before->row.value, value) == 0;
    igny8__now_iso(now);
    if (rc == IGNY8_OK && !same) {
        p.row.based_on_version = base->row.version;
        rc = set_str(&p.row.prompt_type, type);
        if (rc == IGNY8_OK) rc = set_str(&p.row.value, value);
        if (rc == IGNY8_OK) rc = set_str(&p.row.default_prompt, base->row.value);
        if (rc == IGNY8_OK) rc = set_str(&p.row.author, actor);
        if (rc == IGNY8_OK) rc = set_str(&p.row.created_at, now);
        if (rc == IGNY8_OK) rc = igny8__db_account_prompt_put(st, account_id, &p.row);
        if (rc == IGNY8_OK)
            rc = audit_prompt(st, actor, "account_prompt", type, account_id, before ? "update" : "customize",
                              before ? int_object("based_on_version", before->row.based_on_version) : NULL,
                              int_object("based_on_version", base->row.version));
    }
    igny8__prompt_clear(&p);
    igny8_prompt_free(base);
    igny8_prompt_free(before);
    return rc;
}

int igny8_account_prompt_customize(igny8_store *st, const char *actor, int64_t account_id, const char *prompt_type,
                                   const char *value)
{
    IGNY8__CHECK_ARG(prompt_type);
    IGNY8__CHECK_ARG(value);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = begin_write(st, actor);
    return rc == IGNY8_OK ? igny8__store_write_end(st, customize(st, actor, account_id, prompt_type, value)) : rc;
}

static int reset(igny8_store *st, const char *actor, int64_t account_id, const char *type)
{
    igny8__prompt_type_row t;
    igny8_prompt *before = NULL;
    int rc = igny8__db_prompt_type_get(st, type, &t);
    igny8__prompt_type_row_clear(&t);
    if (rc == IGNY8_OK) rc = account_prompt_find(st, account_id, type, &before);
    if (rc == IGNY8_OK && before) {
        rc = igny8__db_account_prompt_delete(st, account_id, type);
        if (rc == IGNY8_OK)
            rc = audit_prompt(st, actor, "account_prompt", type, account_id, "reset",
                              int_object("based_on_version", before->row.based_on_version), NULL);
    }
    igny8_prompt_free(before);
    return rc;
}

int igny8_account_prompt_reset(igny8_store *st, const char *actor, int64_t account_id, const char *prompt_type)
{
    IGNY8__CHECK_ARG(prompt_type);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = begin_write(st, actor);
    return rc == IGNY8_OK ? igny8__store_write_end(st, reset(st, actor, account_id, prompt_type)) : rc;
}

int igny8_account_prompt_reset_bulk(igny8_store *st, const char *actor, const int64_t *account_ids, size_t count,
                                    const char *prompt_type)
{
    char field[48];
    IGNY8__CHECK_ARG(account_ids);
    IGNY8__CHECK_ARG(prompt_type);
    for (size_t i = 0; i < count; i++)
        if (account_ids[i] < 1) {
            snprintf(field, sizeof(field), "account_ids[%zu]", i);
            return igny8__error_set(IGNY8_EINVAL, field, "account id %lld is not a positive id",
                                    (long long)account_ids[i]);
        }
    int rc = begin_write(st, actor);
    if (rc != IGNY8_OK)
        return rc;
    for (size_t i = 0; rc == IGNY8_OK && i < count; i++)
        rc = reset(st, actor, account_ids[i], prompt_type);
    return igny8__store_write_end(st, rc);
}

/* The account's customisation completed with what it is measured against. */
static int complete_custom(igny8_prompt *c, const igny8__prompt_type_row *t, const igny8_prompt *pub)
{
    c->row.version = t->published_version;
    c->is_stale = t->published_version > c->row.based_on_version;
    c->row.is_active = t->is_active;
    int rc = set_str(&c->row.prompt_type, t->name);
    if (rc == IGNY8_OK && pub) rc = set_str(&c->row.description, pub->row.description);
    if (rc == IGNY8_OK) rc = igny8__template_check(c->row.value, "value", &c->row.variables);
    return rc;
}

/* The effective prompt: the customisation (account_id > 0), else the published version. */
static int effective(igny8_store *st, int64_t account_id, const char *type, igny8_prompt **out)
{
    igny8__prompt_type_row t;
    igny8_prompt *pub = NULL, *custom = NULL;
    *out = NULL;
    int rc = igny8__db_prompt_type_get(st, type, &t);
    if (rc == IGNY8_OK && t.published_version)
        rc = version_get(st, type, t.published_version, &pub);
    if (rc == IGNY8_OK && account_id > 0)
        rc = account_prompt_find(st, account_id, type, &custom);
    if (rc == IGNY8_OK && custom)
        rc = complete_custom(custom, &t, pub);
    if (rc == IGNY8_OK && !custom && !pub)
        rc = igny8__error_set(IGNY8_ENOTFOUND, "version", "prompt type '%s' has no published version%s", type,
                              account_id > 0 ? " and the account has not customised it" : "");
    if (rc == IGNY8_OK) {
        *out = custom ? custom : pub;
        if (custom) custom = NULL; else pub = NULL;
    }
    igny8_prompt_free(pub);
    igny8_prompt_free(custom);
    igny8__prompt_type_row_clear(&t);
    return rc;
}

int igny8_account_prompt_get(igny8_store *st, int64_t account_id, const char *prompt_type, igny8_prompt **out)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__store_read_begin(st);
    return rc == IGNY8_OK ? igny8__store_read_end(st, effective(st, account_id, prompt_type, out)) : rc;
}

static cJSON *account_view(const igny8_prompt *p)
{
    cJSON *j = cJSON_CreateObject();
    igny8__json_add_str(j, "prompt_type", p->row.prompt_type);
    igny8__json_add_str(j, "value", p->row.value);
    igny8__json_add_bool(j, "is_customized", p->is_customized);
    igny8__json_add_count(j, "based_on_version", p->is_customized ? p->row.based_on_version : 0);
    igny8__json_add_count(j, "published_version", p->row.version);
    igny8__json_add_bool(j, "stale", p->is_stale);
    igny8__json_add_str(j, "default_prompt", p->is_customized ? p->row.default_prompt : NULL);
    igny8__json_add_bool(j, "is_active", p->row.is_active);
    igny8__json_attach(j, "variables", variables_item(p->row.variables));
    return j;
}

struct account_arg { int64_t account_id; const char *type; };

static int account_prompt_view(igny8_store *st, const void *arg, cJSON **out)
{
    const struct account_arg *a = arg;
    igny8_prompt *p = NULL;
    int rc = effective(st, a->account_id, a->type, &p);
    if (rc == IGNY8_OK && (*out = account_view(p)) == NULL)
        rc = igny8__error_oom();
    igny8_prompt_free(p);
    return rc;
}

int igny8_account_prompt_get_json(igny8_store *st, int64_t account_id, const char *prompt_type, char **out_json)
{
    struct account_arg a = { account_id, prompt_type };
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    IGNY8__CHECK_ACCOUNT(account_id);
    return read_view(st, account_prompt_view, &a, out_json);
}

struct account_list_ctx { igny8_store *st; int64_t account_id; cJSON *arr; };

static int add_account_prompt(void *payload, const igny8__prompt_type_row *t)
{
    struct account_list_ctx *c = payload;
    igny8_prompt *p = NULL;
    int rc = effective(c->st, c->account_id, t->name, &p);
    if (rc == IGNY8_ENOTFOUND && t->published_version == 0)
        return IGNY8_OK;  /* nothing to show for a type with no version yet */
    if (rc == IGNY8_OK)
        igny8__json_attach(c->arr, NULL, account_view(p));
    igny8_prompt_free(p);
    return rc;
}

static int account_list_view(igny8_store *st, const void *arg, cJSON **out)
{
    struct account_list_ctx c = { st, *(const int64_t *)arg, cJSON_CreateArray() };
    *out = c.arr;
    return igny8__db_prompt_type_each(st, add_account_prompt, &c);
}

int igny8_account_prompt_list_json(igny8_store *st, int64_t account_id, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ACCOUNT(account_id);
    return read_view(st, account_list_view, &account_id, out_json);
}

static int add_stale(void *payload, int64_t account_id, int based_on_version)
{
    cJSON *e = igny8__json_attach((cJSON *)payload, NULL, cJSON_CreateObject());
    igny8__json_add_int(e, "account_id", account_id);
    igny8__json_add_int(e, "based_on_version", based_on_version);
    return IGNY8_OK;
}

static int stale_view(igny8_store *st, const void *type, cJSON **out)
{
    igny8__prompt_type_row t;
    int rc = type_view_head(st, type, &t, out);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__db_account_prompt_stale_each(st, type, t.published_version, add_stale,
                                             igny8__json_add_array(*out, "accounts"));
    igny8__prompt_type_row_clear(&t);
    return rc;
}

int igny8_prompt_stale_accounts_json(igny8_store *st, const char *prompt_type, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    return read_view(st, stale_view, prompt_type, out_json);
}

int igny8_prompt_render(igny8_store *st, int64_t account_id, const char *prompt_type, const char *variables_json,
                        char **out_text)
{
    igny8_prompt *p = NULL;
    IGNY8__CHECK_ARG(out_text);
    *out_text = NULL;
    IGNY8__CHECK_ARG(prompt_type);
    if (account_id < 0)
        return igny8__error_set(IGNY8_EINVAL, "account_id", "account_id %lld is negative", (long long)account_id);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__store_read_end(st, effective(st, account_id, prompt_type, &p));
    if (rc == IGNY8_OK && !p->row.is_active)
        rc = igny8__error_set(IGNY8_EINVAL, "prompt_type", "prompt type '%s' is inactive and cannot be rendered",
                              prompt_type);
    if (rc == IGNY8_OK)
        rc = igny8__template_render(p->row.value, variables_json, out_text);  /* outside the store lock */
    igny8_prompt_free(p);
    return rc;
}

/* ---- getters ---- */

const char *igny8_prompt_type(const igny8_prompt *p) { return p ? p->row.prompt_type : NULL; }
const char *igny8_prompt_value(const igny8_prompt *p) { return p ? p->row.value : NULL; }
int igny8_prompt_version(const igny8_prompt *p) { return p ? p->row.version : 0; }
const char *igny8_prompt_variables_json(const igny8_prompt *p) { return p ? p->row.variables : NULL; }
const char *igny8_prompt_description(const igny8_prompt *p) { return p ? p->row.description : NULL; }
const char *igny8_prompt_message(const igny8_prompt *p) { return p ? p->row.message : NULL; }
const char *igny8_prompt_author(const igny8_prompt *p) { return p ? p->row.author : NULL; }
const char *igny8_prompt_created_at(const igny8_prompt *p) { return p ? p->row.created_at : NULL; }
int igny8_prompt_is_published(const igny8_prompt *p) { return p ? p->row.is_published : 0; }
int igny8_prompt_is_customized(const igny8_prompt *p) { return p ? p->is_customized : 0; }
int igny8_prompt_based_on_version(const igny8_prompt *p) { return p ? p->row.based_on_version : 0; }
int igny8_prompt_is_stale(const igny8_prompt *p) { return p ? p->is_stale : 0; }
