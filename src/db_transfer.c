/* SQL of the export and import of the whole store: every table read in primary-key
 * order, rows written as they are (ids, revisions, stamps), and the emptying of the
 * store for an import that replaces it. */
#include <string.h>

#include "db_backend.h"

/* A row whose key is NULL, which only a damaged file holds (the keys are NOT NULL, or a
 * rowid table's TEXT PRIMARY KEY): the export walks rows by their keys. */
static int null_key(const char *table)
{
    return igny8__error_set(IGNY8_ECORRUPT, NULL, "a row of %s has no key: the store is damaged", table);
}

/* ---- the small tables ---- */

static const char *const rows_select[] = {
    "SELECT 0, name, description, enabled, updated_at, updated_by FROM module ORDER BY name",
    "SELECT account_id, module, NULL, enabled, updated_at, updated_by FROM account_module"
    " ORDER BY account_id, module",
    "SELECT account_id, model_type, integration, 0, updated_at, updated_by FROM account_provider"
    " ORDER BY account_id, model_type",
    "SELECT account_id, operation, model_name, 0, updated_at, updated_by FROM account_operation_model"
    " ORDER BY account_id, operation",
};

static const char *const rows_put[] = {
    "INSERT INTO module (name, description, enabled, updated_at, updated_by) VALUES (?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (name) DO UPDATE SET description = excluded.description, enabled = excluded.enabled,"
    " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    "INSERT INTO account_module (account_id, module, enabled, updated_at, updated_by) VALUES (?1, ?2, ?4, ?5, ?6)"
    " ON CONFLICT (account_id, module) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at,"
    " updated_by = excluded.updated_by",
    "INSERT INTO account_provider (account_id, model_type, integration, updated_at, updated_by)"
    " VALUES (?1, ?2, ?3, ?5, ?6) ON CONFLICT (account_id, model_type) DO UPDATE SET"
    " integration = excluded.integration, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    "INSERT INTO account_operation_model (account_id, operation, model_name, updated_at, updated_by)"
    " VALUES (?1, ?2, ?3, ?5, ?6) ON CONFLICT (account_id, operation) DO UPDATE SET"
    " model_name = excluded.model_name, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
};

struct rows_ctx { igny8__transfer_row_fn fn; void *payload; };

static int read_row(igny8__stmt *s, void *ctx)
{
    const struct rows_ctx *c = ctx;
    igny8__transfer_row r = {
        igny8__db_col_int(s, 0), igny8__db_col_text(s, 1), igny8__db_col_text(s, 2),
        igny8__db_col_int(s, 3) != 0, igny8__db_col_text(s, 4), igny8__db_col_text(s, 5)
    };
    return c->fn(c->payload, &r);
}

int igny8__db_transfer_rows_each(igny8_store *st, int table, igny8__transfer_row_fn fn, void *payload)
{
    struct rows_ctx c = { fn, payload };
    if (table < 0 || table >= (int)IGNY8__ARRAY_LEN(rows_select))
        return igny8__error_set(IGNY8_ERROR, NULL, "unknown transfer table %d", table);
    return igny8__db_query_each(st, rows_select[table], "export rows", read_row, &c);
}

int igny8__db_transfer_row_put(igny8_store *st, int table, const igny8__transfer_row *r)
{
    igny8__stmt *s;
    if (table < 0 || table >= (int)IGNY8__ARRAY_LEN(rows_put))
        return igny8__error_set(IGNY8_ERROR, NULL, "unknown transfer table %d", table);
    int rc = igny8__db_prepare(st, rows_put[table], &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, r->account_id);
    igny8__db_bind_text(s, 2, r->key);
    igny8__db_bind_text(s, 3, r->value);
    igny8__db_bind_int(s, 4, r->flag != 0);
    igny8__db_bind_text(s, 5, r->updated_at);
    igny8__db_bind_text(s, 6, r->updated_by);
    return igny8__db_exec_stmt(st, s, "import row");
}

/* ---- providers ---- */

struct provider_ctx { igny8__provider_fn fn; void *payload; };

static int read_provider(igny8__stmt *s, void *ctx)
{
    const struct provider_ctx *c = ctx;
    igny8__provider_row p = { igny8__db_col_text(s, 0), igny8__db_col_text(s, 1), igny8__db_col_text(s, 2),
                              igny8__db_col_text(s, 3) };
    return c->fn(c->payload, &p);
}

int igny8__db_transfer_providers_each(igny8_store *st, igny8__provider_fn fn, void *payload)
{
    struct provider_ctx c = { fn, payload };
    return igny8__db_query_each(st, "SELECT name, display_name, connection_test, default_base_url FROM provider ORDER BY name",
                    "export providers", read_provider, &c);
}

int igny8__db_transfer_provider_put(igny8_store *st, const igny8__provider_row *p)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO provider (name, display_name, connection_test, default_base_url)"
                                   " VALUES (?1, ?2, coalesce(?3, 'none'), ?4) ON CONFLICT (name) DO UPDATE SET"
                                   " display_name = excluded.display_name, connection_test = excluded.connection_test,"
                                   " default_base_url = excluded.default_base_url", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, p->name);
    igny8__db_bind_text(s, 2, p->display_name);
    igny8__db_bind_text(s, 3, p->connection_test);
    igny8__db_bind_text(s, 4, p->default_base_url);
    return igny8__db_exec_stmt(st, s, "import provider");
}

/* ---- integrations ---- */

/* The columns read_integ expects from column `first` on: model, temperature, max_tokens,
 * size, quality, style, api_key, updated_at, updated_by. */
#define INTEG_SETTINGS "model, temperature, max_tokens, size, quality, style, api_key, updated_at, updated_by"

/* Fill a row whose strings borrow from the statement (the row is not cleared). */
static void read_integ(igny8__stmt *s, int first, igny8__integ_row *r)
{
    r->model = (char *)igny8__db_col_text(s, first);
    r->temperature = igny8__db_col_double(s, first + 1);
    r->max_tokens = igny8__db_col_int(s, first + 2);
    r->size = (char *)igny8__db_col_text(s, first + 3);
    r->quality = (char *)igny8__db_col_text(s, first + 4);
    r->style = (char *)igny8__db_col_text(s, first + 5);
    r->api_key = (char *)igny8__db_col_text(s, first + 6);
    r->updated_at = (char *)igny8__db_col_text(s, first + 7);
    r->updated_by = (char *)igny8__db_col_text(s, first + 8);
}

struct integ_ctx { igny8__integ_fn fn; igny8__account_integ_fn account_fn; void *payload; };

static int read_integration(igny8__stmt *s, void *ctx)
{
    const struct integ_ctx *c = ctx;
    igny8__integ_row r;
    igny8__integ_row_init(&r);
    r.exists = 1;
    r.name = (char *)igny8__db_col_text(s, 0);
    r.provider = (char *)igny8__db_col_text(s, 1);
    r.model_type = igny8__db_col_type(s, 2);
    r.key_from = (char *)igny8__db_col_text(s, 3);
    r.base_url = (char *)igny8__db_col_text(s, 4);
    read_integ(s, 5, &r);
    return c->fn(c->payload, &r);
}

int igny8__db_transfer_integrations_each(igny8_store *st, igny8__integ_fn fn, void *payload)
{
    struct integ_ctx c = { fn, NULL, payload };
    return igny8__db_query_each(st, "SELECT name, provider, model_type, key_from, base_url, default_" INTEG_SETTINGS
                        " FROM integration ORDER BY name", "export integrations", read_integration, &c);
}

int igny8__db_transfer_integration_put(igny8_store *st, const igny8__integ_row *r, int keep_key)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st,
        "INSERT INTO integration (name, provider, model_type, key_from, base_url, default_model, temperature,"
        " max_tokens, size, quality, style, api_key, updated_at, updated_by)"
        " VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (name) DO UPDATE SET"
        " provider = excluded.provider, model_type = excluded.model_type, key_from = NULL,"
        " base_url = excluded.base_url, default_model = excluded.default_model, temperature = excluded.temperature,"
        " max_tokens = excluded.max_tokens, size = excluded.size, quality = excluded.quality,"
        " style = excluded.style, api_key = CASE WHEN ?14 = 1 THEN integration.api_key ELSE excluded.api_key END,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->name);
    igny8__db_bind_text(s, 2, r->provider);
    igny8__db_bind_text(s, 3, igny8_model_type_name(r->model_type));
    igny8__db_bind_text(s, 4, r->base_url);
    igny8__db_bind_text(s, 5, r->model);
    igny8__db_bind_double(s, 6, r->temperature);
    igny8__db_bind_int_or_null(s, 7, r->max_tokens, r->max_tokens > 0);
    igny8__db_bind_text(s, 8, r->size);
    igny8__db_bind_text(s, 9, r->quality);
    igny8__db_bind_text(s, 10, r->style);
    igny8__db_bind_text(s, 11, r->api_key);
    igny8__db_bind_text(s, 12, r->updated_at);
    igny8__db_bind_text(s, 13, r->updated_by);
    igny8__db_bind_int(s, 14, keep_key != 0);
    return igny8__db_exec_stmt(st, s, "import integration");
}

int igny8__db_transfer_key_from_set(igny8_store *st, const char *name, const char *key_from)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE integration SET key_from = ?2 WHERE name = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_text(s, 2, key_from);
    return igny8__db_exec_stmt(st, s, "import integration key_from");
}

static int read_account_integration(igny8__stmt *s, void *ctx)
{
    const struct integ_ctx *c = ctx;
    igny8__integ_row r;
    igny8__integ_row_init(&r);
    r.exists = 1;
    r.name = (char *)igny8__db_col_text(s, 1);
    r.enabled = igny8__db_col_int(s, 3);
    read_integ(s, 4, &r);
    return c->account_fn(c->payload, igny8__db_col_int(s, 0), igny8__db_col_type(s, 2), &r);
}

int igny8__db_transfer_account_integrations_each(igny8_store *st, igny8__account_integ_fn fn, void *payload)
{
    struct integ_ctx c = { NULL, fn, payload };
    return igny8__db_query_each(st, "SELECT a.account_id, a.integration, i.model_type, a.enabled, a.model, a.temperature,"
                        " a.max_tokens, a.size, a.quality, a.style, a.api_key, a.updated_at, a.updated_by"
                        " FROM account_integration a JOIN integration i ON i.name = a.integration"
                        " ORDER BY a.account_id, a.integration", "export account integrations",
                    read_account_integration, &c);
}

int igny8__db_transfer_account_integration_put(igny8_store *st, int64_t account_id, const igny8__integ_row *r,
                                               int keep_key)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st,
        "INSERT INTO account_integration (account_id, integration, enabled, model, temperature, max_tokens, size,"
        " quality, style, api_key, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT (account_id, integration) DO UPDATE SET enabled = excluded.enabled, model = excluded.model,"
        " temperature = excluded.temperature, max_tokens = excluded.max_tokens, size = excluded.size,"
        " quality = excluded.quality, style = excluded.style,"
        " api_key = CASE WHEN ?13 = 1 THEN account_integration.api_key ELSE excluded.api_key END,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, r->name);
    igny8__db_bind_int(s, 3, r->enabled != 0);
    igny8__db_bind_text(s, 4, r->model);
    igny8__db_bind_double(s, 5, r->temperature);
    igny8__db_bind_int_or_null(s, 6, r->max_tokens, r->max_tokens > 0);
    igny8__db_bind_text(s, 7, r->size);
    igny8__db_bind_text(s, 8, r->quality);
    igny8__db_bind_text(s, 9, r->style);
    igny8__db_bind_text(s, 10, r->api_key);
    igny8__db_bind_text(s, 11, r->updated_at);
    igny8__db_bind_text(s, 12, r->updated_by);
    igny8__db_bind_int(s, 13, keep_key != 0);
    return igny8__db_exec_stmt(st, s, "import account integration");
}

/* ---- operations and models ---- */

int igny8__db_transfer_operation_put(igny8_store *st, const char *name, int model_type, const char *description)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO operation (name, model_type, description) VALUES (?, ?, ?)"
                                   " ON CONFLICT (name) DO UPDATE SET model_type = excluded.model_type,"
                                   " description = excluded.description", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    igny8__db_bind_text(s, 3, description);
    return igny8__db_exec_stmt(st, s, "import operation");
}

int igny8__db_transfer_model_put(igny8_store *st, const igny8__model_row *m)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st,
        "INSERT INTO model (model_name, display_name, provider, model_type, input_cost_per_1k, output_cost_per_1k,"
        " cost_per_image, tokens_per_credit, credits_per_image, max_output_tokens, is_active, is_default,"
        " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        " ON CONFLICT (model_name) DO UPDATE SET display_name = excluded.display_name,"
        " provider = excluded.provider, model_type = excluded.model_type,"
        " input_cost_per_1k = excluded.input_cost_per_1k, output_cost_per_1k = excluded.output_cost_per_1k,"
        " cost_per_image = excluded.cost_per_image, tokens_per_credit = excluded.tokens_per_credit,"
        " credits_per_image = excluded.credits_per_image, max_output_tokens = excluded.max_output_tokens,"
        " is_active = excluded.is_active, is_default = excluded.is_default, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_model_bind(s, m);
    return igny8__db_exec_stmt(st, s, "import model");
}

int igny8__db_transfer_model_set_default(igny8_store *st, const char *name)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE model SET is_default = 1 WHERE model_name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    return igny8__db_exec_stmt(st, s, "import default model");
}

/* ---- prompts ---- */

struct prompt_type_ctx { igny8__transfer_prompt_type_fn fn; void *payload; };

static int read_prompt_type(igny8__stmt *s, void *ctx)
{
    const struct prompt_type_ctx *c = ctx;
    igny8__transfer_prompt_type t = { igny8__db_col_text(s, 0), igny8__db_col_int(s, 1), igny8__db_col_int(s, 2),
                                      igny8__db_col_text(s, 3), igny8__db_col_text(s, 4) };
    return t.name ? c->fn(c->payload, &t) : null_key("prompt_type");
}

int igny8__db_transfer_prompt_types_each(igny8_store *st, igny8__transfer_prompt_type_fn fn, void *payload)
{
    struct prompt_type_ctx c = { fn, payload };
    return igny8__db_query_each(st, "SELECT name, is_active, coalesce(published_version, 0), updated_at, updated_by"
                        " FROM prompt_type ORDER BY name", "export prompt types", read_prompt_type, &c);
}

int igny8__db_transfer_prompt_type_put(igny8_store *st, const igny8__transfer_prompt_type *t)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO prompt_type (name, is_active, published_version, updated_at,"
                                   " updated_by) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO UPDATE SET"
                                   " is_active = excluded.is_active, published_version = excluded.published_version,"
                                   " updated_at = excluded.updated_at, updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, t->name);
    igny8__db_bind_int(s, 2, t->is_active != 0);
    igny8__db_bind_int_or_null(s, 3, t->published_version, t->published_version > 0);
    igny8__db_bind_text(s, 4, t->updated_at);
    igny8__db_bind_text(s, 5, t->updated_by);
    return igny8__db_exec_stmt(st, s, "import prompt type");
}

/* Columns of a version, in the order read_version expects. */
#define VERSION_SELECT "SELECT prompt_type, version, value, description, message, variables, author, created_at" \
    " FROM prompt_version"

/* A version whose strings borrow from the statement. */
static void read_version(igny8__stmt *s, igny8__prompt_row *p)
{
    memset(p, 0, sizeof(*p));
    p->prompt_type = (char *)igny8__db_col_text(s, 0);
    p->version = (int)igny8__db_col_int(s, 1);
    p->value = (char *)igny8__db_col_text(s, 2);
    p->description = (char *)igny8__db_col_text(s, 3);
    p->message = (char *)igny8__db_col_text(s, 4);
    p->variables = (char *)igny8__db_col_text(s, 5);
    p->author = (char *)igny8__db_col_text(s, 6);
    p->created_at = (char *)igny8__db_col_text(s, 7);
}

struct version_ctx { igny8__prompt_fn fn; void *payload; };

static int read_each_version(igny8__stmt *s, void *ctx)
{
    const struct version_ctx *c = ctx;
    igny8__prompt_row p;
    read_version(s, &p);
    return p.prompt_type ? c->fn(c->payload, &p) : null_key("prompt_version");
}

int igny8__db_transfer_versions_each(igny8_store *st, igny8__prompt_fn fn, void *payload)
{
    struct version_ctx c = { fn, payload };
    return igny8__db_query_each(st, VERSION_SELECT " ORDER BY prompt_type, version", "export prompt versions",
                                read_each_version, &c);
}

static int dup_version(const igny8__prompt_row *src, igny8__prompt_row *p)
{
    const char *from[] = { src->prompt_type, src->value, src->description, src->message, src->variables,
                           src->author, src->created_at };
    char **to[] = { &p->prompt_type, &p->value, &p->description, &p->message, &p->variables, &p->author,
                    &p->created_at };
    int failed = 0;
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(to); i++)
        failed |= from[i] && (*to[i] = igny8__strdup(from[i])) == NULL;
    p->version = src->version;
    if (failed) {
        igny8__prompt_row_clear(p);
        return igny8__error_oom();
    }
    return IGNY8_OK;
}

int igny8__db_transfer_version_find(igny8_store *st, const char *type, int version, igny8__prompt_row *out,
                                    int *found)
{
    igny8__stmt *s;
    igny8__prompt_row row;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, VERSION_SELECT " WHERE prompt_type = ? AND version = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, type);
    igny8__db_bind_int(s, 2, version);
    if ((rc = igny8__db_step_row(st, s, "read prompt version", found)) != IGNY8_OK || !*found)
        return rc;
    read_version(s, &row);
    rc = dup_version(&row, out);
    igny8__db_reset(s);
    return rc;
}

struct account_prompt_ctx { igny8__account_prompt_fn fn; void *payload; };

static int read_account_prompt(igny8__stmt *s, void *ctx)
{
    const struct account_prompt_ctx *c = ctx;
    igny8__prompt_row p;
    memset(&p, 0, sizeof(p));
    p.prompt_type = (char *)igny8__db_col_text(s, 1);
    p.value = (char *)igny8__db_col_text(s, 2);
    p.default_prompt = (char *)igny8__db_col_text(s, 3);
    p.based_on_version = igny8__db_col_int(s, 4);
    p.created_at = (char *)igny8__db_col_text(s, 5);
    p.author = (char *)igny8__db_col_text(s, 6);
    return c->fn(c->payload, igny8__db_col_int(s, 0), &p);
}

int igny8__db_transfer_account_prompts_each(igny8_store *st, igny8__account_prompt_fn fn, void *payload)
{
    struct account_prompt_ctx c = { fn, payload };
    return igny8__db_query_each(st, "SELECT account_id, prompt_type, prompt_value, default_prompt, based_on_version, updated_at,"
                        " updated_by FROM account_prompt ORDER BY account_id, prompt_type",
                    "export account prompts", read_account_prompt, &c);
}

/* ---- libraries ---- */

struct library_ctx { igny8__transfer_library_fn fn; void *payload; };

static int read_library_item(igny8__stmt *s, void *ctx)
{
    const struct library_ctx *c = ctx;
    igny8__transfer_library_row r;
    memset(&r, 0, sizeof(r));
    r.id = igny8__db_col_int(s, 0);
    r.kind = igny8__db_col_text(s, 1);
    r.name = igny8__db_col_text(s, 2);
    r.description = igny8__db_col_text(s, 3);
    r.category = igny8__db_col_text(s, 4);
    r.fields = igny8__db_col_text(s, 5);
    r.is_active = igny8__db_col_int(s, 6);
    r.revision = igny8__db_col_int(s, 7);
    r.updated_at = igny8__db_col_text(s, 8);
    r.updated_by = igny8__db_col_text(s, 9);
    return c->fn(c->payload, &r);
}

static int read_library_copy(igny8__stmt *s, void *ctx)
{
    const struct library_ctx *c = ctx;
    igny8__transfer_library_row r;
    memset(&r, 0, sizeof(r));
    r.id = igny8__db_col_int(s, 0);
    r.account_id = igny8__db_col_int(s, 1);
    r.kind = igny8__db_col_text(s, 2);
    r.source_id = igny8__db_col_int(s, 3);
    r.based_on_revision = igny8__db_col_int(s, 4);
    r.based_on = igny8__db_col_text(s, 5);
    r.name = igny8__db_col_text(s, 6);
    r.description = igny8__db_col_text(s, 7);
    r.category = igny8__db_col_text(s, 8);
    r.fields = igny8__db_col_text(s, 9);
    r.is_active = igny8__db_col_int(s, 10);
    r.updated_at = igny8__db_col_text(s, 11);
    r.updated_by = igny8__db_col_text(s, 12);
    return c->fn(c->payload, &r);
}

int igny8__db_transfer_library_each(igny8_store *st, int copies, igny8__transfer_library_fn fn, void *payload)
{
    struct library_ctx c = { fn, payload };
    if (copies)
        return igny8__db_query_each(st, "SELECT id, account_id, kind, source_id, based_on_revision, based_on, name, description,"
                            " category, fields, is_active, updated_at, updated_by FROM account_library_item"
                            " ORDER BY id", "export library copies", read_library_copy, &c);
    return igny8__db_query_each(st, "SELECT id, kind, name, description, category, fields, is_active, revision, updated_at,"
                        " updated_by FROM library_item ORDER BY id", "export library", read_library_item, &c);
}

static void bind_library_common(igny8__stmt *s, const igny8__transfer_library_row *r)
{
    igny8__db_bind_int(s, 1, r->id);
    igny8__db_bind_text(s, 2, r->kind);
    igny8__db_bind_text(s, 3, r->name);
    igny8__db_bind_text(s, 4, r->description);
    igny8__db_bind_text(s, 5, r->category);
    igny8__db_bind_text(s, 6, r->fields);
    igny8__db_bind_int(s, 7, r->is_active != 0);
    igny8__db_bind_text(s, 8, r->updated_at);
    igny8__db_bind_text(s, 9, r->updated_by);
}

int igny8__db_transfer_library_put(igny8_store *st, int copies, const igny8__transfer_library_row *r)
{
    igny8__stmt *s;
    int rc = copies
        ? igny8__db_prepare(st, "INSERT INTO account_library_item (id, kind, name, description, category, fields,"
                                " is_active, updated_at, updated_by, account_id, source_id, based_on_revision, based_on)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                                " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
                                " description = excluded.description, category = excluded.category,"
                                " fields = excluded.fields, is_active = excluded.is_active,"
                                " updated_at = excluded.updated_at, updated_by = excluded.updated_by,"
                                " account_id = excluded.account_id, source_id = excluded.source_id,"
                                " based_on_revision = excluded.based_on_revision, based_on = excluded.based_on", &s)
        : igny8__db_prepare(st, "INSERT INTO library_item (id, kind, name, description, category, fields, is_active,"
                                " updated_at, updated_by, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                                " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
                                " description = excluded.description, category = excluded.category,"
                                " fields = excluded.fields, is_active = excluded.is_active,"
                                " updated_at = excluded.updated_at, updated_by = excluded.updated_by,"
                                " revision = excluded.revision", &s);
    if (rc != IGNY8_OK)
        return rc;
    bind_library_common(s, r);
    if (copies) {
        igny8__db_bind_int(s, 10, r->account_id);
        igny8__db_bind_int(s, 11, r->source_id);
        igny8__db_bind_int(s, 12, r->based_on_revision);
        igny8__db_bind_text(s, 13, r->based_on);
    } else {
        igny8__db_bind_int(s, 10, r->revision);
    }
    return igny8__db_exec_stmt(st, s, copies ? "import library copy" : "import library item");
}

/* ---- lookups ---- */

int igny8__db_transfer_operation_type(igny8_store *st, const char *name, int *out)
{
    igny8__stmt *s;
    int found;
    *out = 0;
    int rc = igny8__db_prepare(st, "SELECT model_type FROM operation WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    if ((rc = igny8__db_step_row(st, s, "read operation", &found)) != IGNY8_OK || !found)
        return rc;
    *out = igny8__db_col_type(s, 0);
    igny8__db_reset(s);
    return IGNY8_OK;
}

int igny8__db_transfer_integration_find(igny8_store *st, const char *name, int *model_type, char **default_model)
{
    igny8__stmt *s;
    int found;
    *model_type = 0;
    *default_model = NULL;
    int rc = igny8__db_prepare(st, "SELECT model_type, default_model FROM integration WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    if ((rc = igny8__db_step_row(st, s, "read integration", &found)) != IGNY8_OK || !found)
        return rc;
    *model_type = igny8__db_col_type(s, 0);
    rc = igny8__db_col_str(s, 1, default_model);
    igny8__db_reset(s);
    return rc;
}

int igny8__db_transfer_integration_for(igny8_store *st, const char *provider, int model_type, char **out)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT name FROM integration WHERE provider = ? AND model_type = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, provider);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    return igny8__db_step_string(st, s, "find integration", out);
}

int igny8__db_transfer_library_kind(igny8_store *st, int64_t id, char **out)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT kind FROM library_item WHERE id = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, id);
    return igny8__db_step_string(st, s, "read library item", out);
}

/* ---- replace ---- */

/* Children before parents: the foreign keys are checked at the end of each statement. */
static const char *const clear_statements[] = {
    "DELETE FROM fallback_chain_model", "DELETE FROM fallback_chain", "DELETE FROM account_access_model",
    "DELETE FROM account_access", "DELETE FROM access_group_model", "DELETE FROM access_group",
    "DELETE FROM account_library_item", "DELETE FROM library_item", "DELETE FROM account_prompt",
    "DELETE FROM prompt_type", "DELETE FROM account_module", "DELETE FROM module",
    "DELETE FROM account_operation_model", "DELETE FROM account_provider", "DELETE FROM account_integration",
    "DELETE FROM connection_status", "DELETE FROM operation",
    ("UPDATE global_settings SET is_active = 1, text_integration = NULL, image_integration = NULL,"
     " updated_at = NULL, updated_by = NULL"),  /* one statement: clang's -Wstring-concatenation */
    "DELETE FROM model", "DELETE FROM integration", "DELETE FROM provider",
};

int igny8__db_transfer_clear(igny8_store *st)
{
    int rc = st->db->backend->prompt_versions_clear(st);
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(clear_statements); i++) {
        igny8__stmt *s;
        if ((rc = igny8__db_prepare(st, clear_statements[i], &s)) == IGNY8_OK)
            rc = igny8__db_exec_stmt(st, s, "empty the store");
    }
    return rc;
}
