/* SQL of what the resolver's cache reads: the change log it follows and an account's rows. */
#include "db_backend.h"

int igny8__db_change_log_end(igny8_store *st, int64_t *end)
{
    igny8__stmt *s;
    int found;
    int rc = igny8__db_prepare(st, "SELECT coalesce(max(seq), 0) FROM change_log", &s);
    if (rc == IGNY8_OK && (rc = igny8__db_step_row(st, s, "read change log", &found)) == IGNY8_OK && found) {
        *end = igny8__db_col_int(s, 0);
        igny8__db_reset(s);
    }
    return rc;
}

struct change_ctx { igny8__change_fn fn; void *payload; };

static int read_change(igny8__stmt *s, void *ctx)
{
    const struct change_ctx *c = ctx;
    return c->fn(c->payload, igny8__db_col_int(s, 0), igny8__db_col_int(s, 1), (int)igny8__db_col_int(s, 2));
}

int igny8__db_change_log_each(igny8_store *st, int64_t from, igny8__change_fn fn, void *payload)
{
    igny8__stmt *s;
    struct change_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT seq, coalesce(account_id, 0), coalesce(part, 0) FROM change_log"
                                   " WHERE seq >= ? ORDER BY seq", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, from);
    return igny8__db_each(st, s, "read change log", read_change, &c);
}

struct account_rows_ctx { const igny8__account_rows_fns *fns; void *payload; };

/* Columns: kind, name, then account_integration's own, then one more number; the other
 * kinds put their values where the same type is: a second name in "model", a model type
 * (as text) in "size", a number in "temperature" or "max_tokens", a flag in "enabled". The
 * log's end is in "enabled". An account's own models and chains are read only when it has
 * an access row, their header (db.h): CROSS JOIN makes SQLite look for the row first (a
 * page the statement has just read) and go no further without one, which spares an
 * account without a plan two more index lookups: right after another process's commit,
 * two more reads of the file. */
static int read_account_rows(igny8__stmt *s, void *ctx)
{
    const struct account_rows_ctx *c = ctx;
    const igny8__account_rows_fns *f = c->fns;
    const char *name = igny8__db_col_text(s, 1);
    switch ((int)igny8__db_col_int(s, 0)) {
    case 1: return igny8__db_read_account_row(s, 1, f->integration, c->payload);
    case 2: return f->provider(c->payload, igny8__db_col_type(s, 6), name);
    case 3: return f->operation(c->payload, name, igny8__db_col_text(s, 3));
    case 4: return f->log_end(c->payload, igny8__db_col_int(s, 2));
    case 5: return f->access(c->payload, name, igny8__db_col_double(s, 4), igny8__db_col_double(s, 12));
    case 6: return f->access_model(c->payload, name, (int)igny8__db_col_int(s, 2));
    default: return f->chain(c->payload, name, (int)igny8__db_col_int(s, 5), igny8__db_col_text(s, 3));
    }
}

int igny8__db_account_rows_each(igny8_store *st, int64_t account_id, const igny8__account_rows_fns *fns, void *payload)
{
    igny8__stmt *s;
    struct account_rows_ctx c = { fns, payload };
    int rc = igny8__db_prepare(st,
        "SELECT 1, integration, enabled, model, temperature, max_tokens, size, quality, style, api_key, updated_at,"
        " updated_by, CAST(NULL AS DOUBLE PRECISION) FROM account_integration WHERE account_id = ?1"
        " UNION ALL SELECT 2, integration, 0, NULL, NULL, NULL, model_type, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM account_provider WHERE account_id = ?1"
        " UNION ALL SELECT 3, operation, 0, model_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM account_operation_model WHERE account_id = ?1"
        " UNION ALL SELECT 5, group_name, 0, NULL, max_cost_per_1k_tokens, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
        " max_cost_per_image FROM account_access WHERE account_id = ?1"
        " UNION ALL SELECT 6, m.model_name, m.allowed, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM account_access a CROSS JOIN account_access_model m WHERE a.account_id = ?1 AND m.account_id = ?1"
        " UNION ALL SELECT 7, c.operation, 0, m.model_name, NULL, m.position, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM account_access a CROSS JOIN fallback_chain c LEFT JOIN fallback_chain_model m"
        " ON m.account_id = c.account_id AND m.operation = c.operation WHERE a.account_id = ?1 AND c.account_id = ?1"
        " UNION ALL SELECT 4, NULL, coalesce(max(seq), 0), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM change_log", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    return igny8__db_each(st, s, "read account settings", read_account_rows, &c);
}
