/* SQL of an account's model choices: its provider per model type and model per operation. */
#include "db_backend.h"

int igny8__db_account_provider_get(igny8_store *st, int64_t account_id, int model_type, char **out)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT integration FROM account_provider WHERE account_id = ? AND model_type = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, igny8_model_type_name(model_type));
    return igny8__db_step_string(st, s, "read account provider", out);
}

int igny8__db_account_provider_set(igny8_store *st, int64_t account_id, int model_type,
                                   const char *integration, const char *now, const char *actor)
{
    igny8__stmt *s;
    int rc = integration
        ? igny8__db_prepare(st, "INSERT INTO account_provider (account_id, model_type, integration, updated_at, updated_by)"
                                " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, model_type) DO UPDATE SET"
                                " integration = excluded.integration, updated_at = excluded.updated_at,"
                                " updated_by = excluded.updated_by", &s)
        : igny8__db_prepare(st, "DELETE FROM account_provider WHERE account_id = ?1 AND model_type = ?2", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
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
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT model_name FROM account_operation_model WHERE account_id = ? AND operation = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, operation);
    return igny8__db_step_string(st, s, "read account operation model", out);
}

int igny8__db_account_operation_model_set(igny8_store *st, int64_t account_id, const char *operation,
                                          const char *model_name, const char *now, const char *actor)
{
    igny8__stmt *s;
    int rc = model_name
        ? igny8__db_prepare(st, "INSERT INTO account_operation_model (account_id, operation, model_name, updated_at,"
                                " updated_by) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, operation) DO UPDATE"
                                " SET model_name = excluded.model_name, updated_at = excluded.updated_at,"
                                " updated_by = excluded.updated_by", &s)
        : igny8__db_prepare(st, "DELETE FROM account_operation_model WHERE account_id = ?1 AND operation = ?2", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, operation);
    if (model_name) {
        igny8__db_bind_text(s, 3, model_name);
        igny8__db_bind_text(s, 4, now);
        igny8__db_bind_text(s, 5, actor);
    }
    return igny8__db_exec_stmt(st, s, "write account operation model");
}

struct pair_ctx { igny8__pair_fn fn; void *payload; };

static int read_pair(igny8__stmt *s, void *ctx)
{
    const struct pair_ctx *c = ctx;
    return c->fn(c->payload, igny8__db_col_text(s, 0), igny8__db_col_text(s, 1));
}

int igny8__db_account_operation_model_each(igny8_store *st, int64_t account_id, igny8__pair_fn fn, void *payload)
{
    igny8__stmt *s;
    struct pair_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT operation, model_name FROM account_operation_model WHERE account_id = ?"
                                   " ORDER BY operation", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    return igny8__db_each(st, s, "list account operation models", read_pair, &c);
}
