/* SQL of the model registry. */
#include <math.h>
#include <string.h>

#include "db_backend.h"

void igny8__model_row_init(igny8__model_row *m)
{
    memset(m, 0, sizeof(*m));
    m->input_cost_per_1k = m->output_cost_per_1k = m->cost_per_image = NAN;
    m->is_active = 1;
}

void igny8__model_row_clear(igny8__model_row *m)
{
    char *strings[] = { m->model_name, m->display_name, m->provider, m->integration, m->updated_at, m->updated_by };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        igny8__free(strings[i]);
    igny8__model_row_init(m);
}

#define MODEL_COLUMNS \
    "m.model_name, m.display_name, m.provider, m.model_type, m.input_cost_per_1k," \
    " m.output_cost_per_1k, m.cost_per_image, m.tokens_per_credit, m.credits_per_image," \
    " m.max_output_tokens, m.is_active, m.is_default, m.updated_at, m.updated_by, i.name" \
    " FROM model m JOIN integration i ON i.provider = m.provider AND i.model_type = m.model_type"

static int read_model(igny8__stmt *s, igny8__model_row *m)
{
    igny8__model_row_init(m);
    int rc = igny8__db_col_str(s, 0, &m->model_name);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 1, &m->display_name);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 2, &m->provider);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 12, &m->updated_at);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 13, &m->updated_by);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 14, &m->integration);
    m->model_type = igny8__db_col_type(s, 3);
    m->input_cost_per_1k = igny8__db_col_double(s, 4);
    m->output_cost_per_1k = igny8__db_col_double(s, 5);
    m->cost_per_image = igny8__db_col_double(s, 6);
    m->tokens_per_credit = (int)igny8__db_col_int(s, 7);
    m->credits_per_image = (int)igny8__db_col_int(s, 8);
    m->max_output_tokens = (int)igny8__db_col_int(s, 9);
    m->is_active = (int)igny8__db_col_int(s, 10);
    m->is_default = (int)igny8__db_col_int(s, 11);
    if (rc != IGNY8_OK)
        igny8__model_row_clear(m);
    return rc;
}

int igny8__db_model_find(igny8_store *st, const char *name, igny8__model_row *out, int *found)
{
    igny8__stmt *s;
    igny8__model_row_init(out);
    int rc = igny8__db_prepare(st, "SELECT " MODEL_COLUMNS " WHERE m.model_name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    if ((rc = igny8__db_step_row(st, s, "read model", found)) != IGNY8_OK || !*found)
        return rc;
    rc = read_model(s, out);
    igny8__db_reset(s);
    return rc;
}

struct each_ctx { igny8__model_fn fn; void *payload; };

static int read_each(igny8__stmt *s, void *ctx)
{
    const struct each_ctx *c = ctx;
    igny8__model_row m;
    int rc = read_model(s, &m);
    if (rc == IGNY8_OK) {
        rc = c->fn(c->payload, &m);
        igny8__model_row_clear(&m);
    }
    return rc;
}

int igny8__db_model_each(igny8_store *st, const igny8__model_filter *f, igny8__model_fn fn, void *payload)
{
    igny8__stmt *s;
    struct each_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT " MODEL_COLUMNS " WHERE (CAST(?1 AS TEXT) IS NULL OR m.provider = ?1)"
                                   " AND (CAST(?2 AS TEXT) IS NULL OR m.model_type = ?2)"
                                   " AND (CAST(?3 AS INTEGER) IS NULL OR m.is_active = ?3) ORDER BY m.model_name", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, f->provider);
    igny8__db_bind_text(s, 2, igny8_model_type_name(f->model_type));
    igny8__db_bind_int_or_null(s, 3, f->active, f->active >= 0);
    return igny8__db_each(st, s, "list models", read_each, &c);
}

void igny8__db_model_bind(igny8__stmt *s, const igny8__model_row *m)
{
    igny8__db_bind_text(s, 1, m->model_name);
    igny8__db_bind_text(s, 2, m->display_name);
    igny8__db_bind_text(s, 3, m->provider);
    igny8__db_bind_text(s, 4, igny8_model_type_name(m->model_type));
    igny8__db_bind_double(s, 5, m->input_cost_per_1k);
    igny8__db_bind_double(s, 6, m->output_cost_per_1k);
    igny8__db_bind_double(s, 7, m->cost_per_image);
    igny8__db_bind_int_or_null(s, 8, m->tokens_per_credit, m->tokens_per_credit > 0);
    igny8__db_bind_int_or_null(s, 9, m->credits_per_image, m->credits_per_image > 0);
    igny8__db_bind_int_or_null(s, 10, m->max_output_tokens, m->max_output_tokens > 0);
    igny8__db_bind_int(s, 11, m->is_active != 0);
    igny8__db_bind_int(s, 12, m->is_default != 0);
    igny8__db_bind_text(s, 13, m->updated_at);
    igny8__db_bind_text(s, 14, m->updated_by);
}

int igny8__db_model_insert(igny8_store *st, const igny8__model_row *m)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO model (model_name, display_name, provider, model_type,"
                                   " input_cost_per_1k, output_cost_per_1k, cost_per_image, tokens_per_credit,"
                                   " credits_per_image, max_output_tokens, is_active, is_default, updated_at,"
                                   " updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                               &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_model_bind(s, m);
    return igny8__db_exec_stmt(st, s, "insert model");
}

int igny8__db_model_update(igny8_store *st, const igny8__model_row *m)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE model SET display_name = ?2, provider = ?3, model_type = ?4,"
                                   " input_cost_per_1k = ?5, output_cost_per_1k = ?6, cost_per_image = ?7,"
                                   " tokens_per_credit = ?8, credits_per_image = ?9, max_output_tokens = ?10,"
                                   " is_active = ?11, is_default = ?12, updated_at = ?13, updated_by = ?14"
                                   " WHERE model_name = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_model_bind(s, m);
    return igny8__db_exec_stmt(st, s, "update model");
}

int igny8__db_model_default_name(igny8_store *st, int model_type, char **out)
{
    igny8__stmt *s;
    *out = NULL;
    int rc = igny8__db_prepare(st, "SELECT model_name FROM model WHERE model_type = ? AND is_default = 1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8_model_type_name(model_type));
    return igny8__db_step_string(st, s, "read default model", out);
}
