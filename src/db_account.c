/* SQL of an account's model choices: its provider per model type and model per operation. */
#include "db_internal.h"

int igny8__db_account_provider_get(igny8_store *st, int64_t account_id, int model_type, char **out)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "SELECT integration FROM account_provider WHERE account_id = ? AND model_type = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    sqlite3_bind_int64(s, 1, account_id);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    return igny8__db_step_string(st, s, "read account provider", out);
}

int igny8__db_account_provider_set(igny8_store *st, int64_t account_id, int model_type,
                                   const char *integration, const char *now, const char *actor)
{
    sqlite3_stmt *s;
    int rc = integration
        ? igny8__db_prepare(st, "INSERT OR REPLACE INTO account_provider (account_id, model_type, integration,"
                                " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)", &s)
        : igny8__db_prepare(st, "DELETE FROM account_provider WHERE account_id = ?1 AND model_type = ?2", &s);
    if (rc != IGNY8_OK)
        return rc;
    sqlite3_bind_int64(s, 1, account_id);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    if (integration) {
        igny8__db_bind_text(s, 3, integration);
        igny8__db_bind_text(s, 4, now);
        igny8__db_bind_text(s, 5, actor);
    }
    return igny8__db_exec_stmt(st, s, "write account provider");
}

int igny8__db_account_operation_model_get(igny8_store *st, int64_t account_id, const char *operation, char **out)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "SELECT model_name FROM account_operation_model WHERE account_id = ? AND operation = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    sqlite3_bind_int64(s, 1, account_id);
    igny8__db_bind_text(s, 2, operation);
    return igny8__db_step_string(st, s, "read account operation model", out);
}

int igny8__db_account_operation_model_set(igny8_store *st, int64_t account_id, const char *operation,
                                          const char *model_name, const char *now, const char *actor)
{
    sqlite3_stmt *s;
    int rc = model_name
        ? igny8__db_prepare(st, "INSERT OR REPLACE INTO account_operation_model (account_id, operation, model_name,"
                                " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)", &s)
        : igny8__db_prepare(st, "DELETE FROM account_operation_model WHERE account_id = ?1 AND operation = ?2", &s);
    if (rc != IGNY8_OK)
        return rc;
    sqlite3_bind_int64(s, 1, account_id);
    igny8__db_bind_text(s, 2, operation);
    if (model_name) {
        igny8__db_bind_text(s, 3, model_name);
        igny8__db_bind_text(s, 4, now);
        igny8__db_bind_text(s, 5, actor);
    }
    return igny8__db_exec_stmt(st, s, "write account operation model");
}

int igny8__db_account_operation_model_each(igny8_store *st, int64_t account_id, igny8__pair_fn fn, void *payload)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "SELECT operation, model_name FROM account_operation_model WHERE account_id = ?"
                                   " ORDER BY operation", &s);
    if (rc != IGNY8_OK)
        return rc;
    sqlite3_bind_int64(s, 1, account_id);
    int step;
    while (rc == IGNY8_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn(payload, igny8__db_col_text(s, 0), igny8__db_col_text(s, 1));
    if (rc == IGNY8_OK && step != SQLITE_DONE)
        return igny8__db_fail(st, s, step, "list account operation models");
    sqlite3_reset(s);
    return rc;
}
