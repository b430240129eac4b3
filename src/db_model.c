#include "db_internal.h"

#define MODEL_COLUMNS \
    "m.model_name, m.display_name, m.provider, m.model_type, m.input_cost_per_1k," \
    " m.output_cost_per_1k, m.cost_per_image, m.tokens_per_credit, m.credits_per_image," \
    " m.max_output_tokens, m.is_active, m.is_default, m.updated_at, m.updated_by, i.name" \
    " FROM model m JOIN integration i ON i.provider = m.provider AND i.model_type = m.model_type"

static int read_model(sqlite3_stmt *s, igny8_model **out)
{
    igny8_model *m = igny8__calloc(1, sizeof(*m));
    if (m == NULL)
        return igny8__error_oom();
    int rc = igny8__db_col_str(s, 0, &m->model_name);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 1, &m->display_name);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 2, &m->provider);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 12, &m->updated_at);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 13, &m->updated_by);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 14, &m->integration);
    m->model_type = igny8__model_type_from_name(igny8__db_col_text(s, 3));
    m->input_cost_per_1k = igny8__db_col_double(s, 4);
    m->output_cost_per_1k = igny8__db_col_double(s, 5);
    m->cost_per_image = igny8__db_col_double(s, 6);
    m->tokens_per_credit = sqlite3_column_int(s, 7);
    m->credits_per_image = sqlite3_column_int(s, 8);
    m->max_output_tokens = sqlite3_column_int(s, 9);
    m->is_active = sqlite3_column_int(s, 10);
    m->is_default = sqlite3_column_int(s, 11);
    if (rc != IGNY8_OK) {
        igny8_model_free(m);
        return rc;
    }
    *out = m;
    return IGNY8_OK;
}

int igny8__db_model_find(igny8_store *st, const char *name, igny8_model **out)
{
    sqlite3_stmt *s;
    *out = NULL;
    int rc = igny8__db_prepare(st, "SELECT " MODEL_COLUMNS " WHERE m.model_name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    int found;
    if ((rc = igny8__db_step_row(st, s, "read model", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return IGNY8_OK;
    rc = read_model(s, out);
    sqlite3_reset(s);
    return rc;
}

int igny8__db_model_get(igny8_store *st, const char *name, igny8_model **out)
{
    int rc = igny8__db_model_find(st, name, out);
    if (rc == IGNY8_OK && *out == NULL)
        return igny8__error_set(IGNY8_ENOTFOUND, "model", "model '%.128s' is not in the registry", name);
    return rc;
}

static int append(igny8_models *list, igny8_model *m)
{
    igny8_model **items = igny8__realloc(list->items, (list->count + 1) * sizeof(*items));
    if (items == NULL) {
        igny8_model_free(m);
        return igny8__error_oom();
    }
    items[list->count++] = m;
    list->items = items;
    return IGNY8_OK;
}

int igny8__db_model_list(igny8_store *st, const igny8_model_filter *f, igny8_models **out)
{
    sqlite3_stmt *s;
    *out = NULL;
    int rc = igny8__db_prepare(st, "SELECT " MODEL_COLUMNS
                                   " WHERE (?1 IS NULL OR m.provider = ?1) AND (?2 IS NULL OR m.model_type = ?2)"
                                   " AND (?3 IS NULL OR m.is_active = ?3) ORDER BY m.model_name", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8_models *list = igny8__calloc(1, sizeof(*list));
    if (list == NULL)
        return igny8__error_oom();
    igny8__db_bind_text(s, 1, f->provider);
    igny8__db_bind_text(s, 2, igny8_model_type_name(f->model_type));
    igny8__db_bind_int_or_null(s, 3, f->active == IGNY8_FILTER_ACTIVE, f->active != 0);
    int step;
    igny8_model *m;
    while (rc == IGNY8_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_model(s, &m)) == IGNY8_OK)
            rc = append(list, m);
    if (rc == IGNY8_OK && step != SQLITE_DONE)
        rc = igny8__db_fail(st, s, step, "list models");
    sqlite3_reset(s);
    if (rc != IGNY8_OK) {
        igny8_models_free(list);
        return rc;
    }
    *out = list;
    return IGNY8_OK;
}

void igny8__db_model_bind(sqlite3_stmt *s, const igny8_model *m)
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
    sqlite3_bind_int(s, 11, m->is_active != 0);
    sqlite3_bind_int(s, 12, m->is_default != 0);
    igny8__db_bind_text(s, 13, m->updated_at);
    igny8__db_bind_text(s, 14, m->updated_by);
}

int igny8__db_model_insert(igny8_store *st, const igny8_model *m)
{
    sqlite3_stmt *s;
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

int igny8__db_model_update(igny8_store *st, const igny8_model *m)
{
    sqlite3_stmt *s;
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
    sqlite3_stmt *s;
    *out = NULL;
    int rc = igny8__db_prepare(st, "SELECT model_name FROM model WHERE model_type = ? AND is_default = 1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8_model_type_name(model_type));
    return igny8__db_step_string(st, s, "read default model", out);
}
