/* SQL of providers, integrations (the platform's settings), account integration
 * settings, the global settings row and operations. */
#include <math.h>
#include <string.h>

#include "db_backend.h"

/* ---- rows ---- */

void igny8__integ_row_init(igny8__integ_row *r)
{
    memset(r, 0, sizeof(*r));
    r->temperature = NAN;
    r->enabled = 1;
}

void igny8__integ_row_clear(igny8__integ_row *r)
{
    char **strings[] = { &r->name, &r->provider, &r->key_from, &r->model, &r->size, &r->quality,
                         &r->style, &r->base_url, &r->updated_at, &r->updated_by };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        igny8__free(*strings[i]);
    igny8__free_secret(r->api_key);
    igny8__integ_row_init(r);
}

int igny8__integ_row_copy(igny8__integ_row *dst, const igny8__integ_row *src)
{
    *dst = *src;
    char **strings[] = { &dst->name, &dst->provider, &dst->key_from, &dst->model, &dst->size, &dst->quality,
                         &dst->style, &dst->base_url, &dst->api_key, &dst->updated_at, &dst->updated_by };
    int failed = 0;
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        if (*strings[i] && (*strings[i] = igny8__strdup(*strings[i])) == NULL)
            failed = 1;
    if (failed) {
        igny8__integ_row_clear(dst);
        return igny8__error_oom();
    }
    return IGNY8_OK;
}

void igny8__global_row_clear(igny8__global_row *g)
{
    igny8__free(g->text_integration);
    igny8__free(g->image_integration);
    igny8__free(g->updated_at);
    igny8__free(g->updated_by);
    memset(g, 0, sizeof(*g));
}

void igny8__db_strv_free(char **v)
{
    for (char **p = v; p && *p; p++)
        igny8__free(*p);
    igny8__free(v);
}

/* Read the settings columns shared by both tables, starting at column `first`:
 * model, temperature, max_tokens, size, quality, style, api_key, updated_at, updated_by. */
static int read_settings(igny8__stmt *s, int first, igny8__integ_row *r)
{
    int rc = igny8__db_col_str(s, first, &r->model);
    r->temperature = igny8__db_col_double(s, first + 1);
    r->max_tokens = (int)igny8__db_col_int(s, first + 2);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, first + 3, &r->size);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, first + 4, &r->quality);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, first + 5, &r->style);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, first + 6, &r->api_key);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, first + 7, &r->updated_at);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, first + 8, &r->updated_by);
    return rc;
}

static void bind_settings(igny8__stmt *s, int first, const igny8__integ_row *r)
{
    igny8__db_bind_text(s, first, r->model);
    igny8__db_bind_double(s, first + 1, r->temperature);
    igny8__db_bind_int_or_null(s, first + 2, r->max_tokens, r->max_tokens > 0);
    igny8__db_bind_text(s, first + 3, r->size);
    igny8__db_bind_text(s, first + 4, r->quality);
    igny8__db_bind_text(s, first + 5, r->style);
    igny8__db_bind_text(s, first + 6, r->api_key);
    igny8__db_bind_text(s, first + 7, r->updated_at);
    igny8__db_bind_text(s, first + 8, r->updated_by);
}

/* ---- providers ---- */

static int exists_query(igny8_store *st, const char *sql, const char *key, int *out)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, sql, &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, key);
    rc = igny8__db_step_row(st, s, "look up", out);
    if (rc == IGNY8_OK && *out)
        igny8__db_reset(s);
    return rc;
}

int igny8__db_provider_exists(igny8_store *st, const char *name, int *out)
{
    return exists_query(st, "SELECT 1 FROM provider WHERE name = ?", name, out);
}

/* ---- integrations: the platform's settings ---- */

int igny8__db_integration_insert(igny8_store *st, const igny8__integ_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO integration (name, provider, model_type, key_from) VALUES (?, ?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->name);
    igny8__db_bind_text(s, 2, r->provider);
    igny8__db_bind_text(s, 3, igny8_model_type_name(r->model_type));
    igny8__db_bind_text(s, 4, r->key_from);
    return igny8__db_exec_stmt(st, s, "insert integration");
}

#define INTEGRATION_COLUMNS "SELECT name, provider, model_type, key_from, base_url, default_model, temperature," \
                            " max_tokens, size, quality, style, api_key, updated_at, updated_by FROM integration"

/* The row the statement is on, into *out (cleared again on failure). */
static int read_integration(igny8__stmt *s, igny8__integ_row *out)
{
    int rc = igny8__db_col_str(s, 0, &out->name);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 1, &out->provider);
    out->model_type = igny8__db_col_type(s, 2);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 3, &out->key_from);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 4, &out->base_url);
    if (rc == IGNY8_OK) rc = read_settings(s, 5, out);
    out->exists = 1;
    if (rc != IGNY8_OK)
        igny8__integ_row_clear(out);
    return rc;
}

int igny8__db_integration_get(igny8_store *st, const char *name, igny8__integ_row *out)
{
    igny8__stmt *s;
    igny8__integ_row_init(out);
    int rc = igny8__db_prepare(st, INTEGRATION_COLUMNS " WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    int found;
    if ((rc = igny8__db_step_row(st, s, "read integration", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ENOTFOUND, "integration", "integration '%.64s' is not known", name);
    rc = read_integration(s, out);
    igny8__db_reset(s);
    return rc;
}

struct integ_each_ctx { igny8__integ_take_fn fn; void *payload; };

static int each_integration(igny8__stmt *s, void *ctx)
{
    const struct integ_each_ctx *c = ctx;
    igny8__integ_row r;
    igny8__integ_row_init(&r);
    int rc = read_integration(s, &r);
    if (rc == IGNY8_OK)
        rc = c->fn(c->payload, &r);
    igny8__integ_row_clear(&r);
    return rc;
}

int igny8__db_integration_each(igny8_store *st, igny8__integ_take_fn fn, void *payload)
{
    struct integ_each_ctx c = { fn, payload };
    return igny8__db_query_each(st, INTEGRATION_COLUMNS " ORDER BY name", "list integrations", each_integration, &c);
}

int igny8__db_integration_update(igny8_store *st, const igny8__integ_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE integration SET default_model = ?2, temperature = ?3, max_tokens = ?4,"
                                   " size = ?5, quality = ?6, style = ?7, api_key = ?8, updated_at = ?9,"
                                   " updated_by = ?10, base_url = ?11 WHERE name = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->name);
    bind_settings(s, 2, r);
    igny8__db_bind_text(s, 11, r->base_url);
    return igny8__db_exec_stmt(st, s, "update integration");
}

int igny8__db_integration_find(igny8_store *st, const char *name, int model_type, char **out)
{
    igny8__stmt *s;
    *out = NULL;
    int rc = igny8__db_prepare(st, "SELECT name FROM integration WHERE model_type = ?2 AND (name = ?1 OR provider = ?1)"
                                   " ORDER BY name = ?1 DESC LIMIT 1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    int found;
    if ((rc = igny8__db_step_row(st, s, "find integration", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ENOTFOUND, "provider", "no %s integration for '%.64s'",
                                igny8_model_type_name(model_type), name);
    rc = igny8__db_col_str(s, 0, out);
    igny8__db_reset(s);
    return rc;
}

struct names_ctx { char **v; size_t n; };

static int read_name(igny8__stmt *s, void *ctx)
{
    struct names_ctx *c = ctx;
    char **grown = igny8__realloc(c->v, (c->n + 2) * sizeof(*c->v));
    if (grown == NULL)
        return igny8__error_oom();
    c->v = grown;
    c->v[c->n + 1] = NULL;
    int rc = igny8__db_col_str(s, 0, &c->v[c->n]);
    if (rc == IGNY8_OK && c->v[c->n] == NULL)  /* a rowid table's TEXT PRIMARY KEY takes NULL */
        rc = igny8__error_set(IGNY8_ECORRUPT, "integration", "an integration of the store has no name: "
                              "the store is damaged");
    c->n += rc == IGNY8_OK;
    return rc;
}

int igny8__db_integration_names(igny8_store *st, char ***out)
{
    struct names_ctx c = { igny8__calloc(1, sizeof(char *)), 0 };
    *out = NULL;
    int rc = c.v ? igny8__db_query_each(st, "SELECT name FROM integration ORDER BY name", "list integrations",
                                        read_name, &c)
                 : igny8__error_oom();
    if (rc != IGNY8_OK) {
        igny8__db_strv_free(c.v);
        return rc;
    }
    *out = c.v;
    return IGNY8_OK;
}

/* ---- account integration settings ---- */

int igny8__db_account_integration_get(igny8_store *st, int64_t account_id, const char *name, igny8__integ_row *out)
{
    igny8__stmt *s;
    igny8__integ_row_init(out);
    int rc = igny8__db_prepare(st, "SELECT enabled, model, temperature, max_tokens, size, quality, style, api_key,"
                                   " updated_at, updated_by FROM account_integration"
                                   " WHERE account_id = ? AND integration = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, name);
    int found;
    if ((rc = igny8__db_step_row(st, s, "read account integration", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return IGNY8_OK;
    out->exists = 1;
    out->enabled = igny8__db_col_int(s, 0);
    rc = read_settings(s, 1, out);
    igny8__db_reset(s);
    if (rc != IGNY8_OK)
        igny8__integ_row_clear(out);
    return rc;
}

int igny8__db_read_account_row(igny8__stmt *s, int first, igny8__integ_row_fn fn, void *payload)
{
    igny8__integ_row r;
    igny8__integ_row_init(&r);
    r.exists = 1;
    r.enabled = (int)igny8__db_col_int(s, first + 1);
    int rc = igny8__db_col_str(s, first, &r.name);
    if (rc == IGNY8_OK) rc = read_settings(s, first + 2, &r);
    if (rc == IGNY8_OK) rc = fn(payload, &r);
    igny8__integ_row_clear(&r);
    return rc;
}

int igny8__db_account_integration_put(igny8_store *st, int64_t account_id, const igny8__integ_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO account_integration (account_id, integration, enabled, model,"
                                   " temperature, max_tokens, size, quality, style, api_key, updated_at, updated_by)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                                   " ON CONFLICT (account_id, integration) DO UPDATE SET enabled = excluded.enabled,"
                                   " model = excluded.model, temperature = excluded.temperature,"
                                   " max_tokens = excluded.max_tokens, size = excluded.size,"
                                   " quality = excluded.quality, style = excluded.style, api_key = excluded.api_key,"
                                   " updated_at = excluded.updated_at, updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, r->name);
    igny8__db_bind_int(s, 3, r->enabled != 0);
    bind_settings(s, 4, r);
    return igny8__db_exec_stmt(st, s, "write account integration");
}

int igny8__db_account_integration_delete(igny8_store *st, int64_t account_id, const char *name)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM account_integration WHERE account_id = ? AND integration = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, name);
    return igny8__db_exec_stmt(st, s, "delete account integration");
}

/* ---- the global settings row ---- */

int igny8__db_global_get(igny8_store *st, igny8__global_row *out)
{
    igny8__stmt *s;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, "SELECT is_active, text_integration, image_integration, updated_at, updated_by"
                                   " FROM global_settings WHERE id = 1", &s);
    if (rc != IGNY8_OK)
        return rc;
    int found;
    if ((rc = igny8__db_step_row(st, s, "read global settings", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ECORRUPT, NULL, "the global settings row is missing");
    out->is_active = igny8__db_col_int(s, 0);
    rc = igny8__db_col_str(s, 1, &out->text_integration);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 2, &out->image_integration);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 3, &out->updated_at);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 4, &out->updated_by);
    igny8__db_reset(s);
    if (rc != IGNY8_OK)
        igny8__global_row_clear(out);
    return rc;
}

int igny8__db_global_update(igny8_store *st, const igny8__global_row *g)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE global_settings SET is_active = ?, text_integration = ?,"
                                   " image_integration = ?, updated_at = ?, updated_by = ? WHERE id = 1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, g->is_active != 0);
    igny8__db_bind_text(s, 2, g->text_integration);
    igny8__db_bind_text(s, 3, g->image_integration);
    igny8__db_bind_text(s, 4, g->updated_at);
    igny8__db_bind_text(s, 5, g->updated_by);
    return igny8__db_exec_stmt(st, s, "update global settings");
}

/* ---- operations ---- */

int igny8__db_operation_insert(igny8_store *st, const char *name, int model_type, const char *description)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO operation (name, model_type, description) VALUES (?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    igny8__db_bind_text(s, 3, description);
    return igny8__db_exec_stmt(st, s, "insert operation");
}

int igny8__db_operation_type(igny8_store *st, const char *name, int *out)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT model_type FROM operation WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    int found;
    if ((rc = igny8__db_step_row(st, s, "read operation", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "operation '%.64s' is not known", name);
    *out = igny8__db_col_type(s, 0);
    igny8__db_reset(s);
    return IGNY8_OK;
}

struct operation_ctx { igny8__operation_fn fn; void *payload; };

static int read_operation(igny8__stmt *s, void *ctx)
{
    const struct operation_ctx *c = ctx;
    return c->fn(c->payload, igny8__db_col_text(s, 0), igny8__db_col_type(s, 1), igny8__db_col_text(s, 2));
}

int igny8__db_operation_each(igny8_store *st, igny8__operation_fn fn, void *payload)
{
    struct operation_ctx c = { fn, payload };
    return igny8__db_query_each(st, "SELECT name, model_type, description FROM operation ORDER BY name",
                                "list operations", read_operation, &c);
}

int igny8__db_is_empty(igny8_store *st, int *out)
{
    igny8__stmt *s;
    int found;
    int rc = igny8__db_prepare(st, "SELECT (SELECT count(*) FROM provider) + (SELECT count(*) FROM model)", &s);
    if (rc != IGNY8_OK || (rc = igny8__db_step_row(st, s, "count rows", &found)) != IGNY8_OK || !found)
        return rc;
    *out = igny8__db_col_int(s, 0) == 0;
    igny8__db_reset(s);
    return IGNY8_OK;
}
