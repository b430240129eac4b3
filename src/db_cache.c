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

/* Columns: kind, name, then account_integration's own; the other kinds put their second
 * value in "model" and their model type, as text, in "size"; the log's end is in "enabled". */
static int read_account_rows(igny8__stmt *s, void *ctx)
{
    const struct account_rows_ctx *c = ctx;
    int kind = (int)igny8__db_col_int(s, 0);
    if (kind == 1)
        return igny8__db_read_account_row(s, 1, c->fns->integration, c->payload);
    if (kind == 4)
        return c->fns->log_end(c->payload, igny8__db_col_int(s, 2));
    const char *name = igny8__db_col_text(s, 1);
    return kind == 2 ? c->fns->provider(c->payload, igny8__db_col_type(s, 6), name)
                     : c->fns->operation(c->payload, name, igny8__db_col_text(s, 3));
}

int igny8__db_account_rows_each(igny8_store *st, int64_t account_id, const igny8__account_rows_fns *fns, void *payload)
{
    igny8__stmt *s;
    struct account_rows_ctx c = { fns, payload };
    int rc = igny8__db_prepare(st,
        "SELECT 1, integration, enabled, model, temperature, max_tokens, size, quality, style, api_key, updated_at,"
        " updated_by FROM account_integration WHERE account_id = ?1"
        " UNION ALL SELECT 2, integration, 0, NULL, NULL, NULL, model_type, NULL, NULL, NULL, NULL, NULL"
        " FROM account_provider WHERE account_id = ?1"
        " UNION ALL SELECT 3, operation, 0, model_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM account_operation_model WHERE account_id = ?1"
        " UNION ALL SELECT 4, NULL, coalesce(max(seq), 0), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM change_log", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    return igny8__db_each(st, s, "read account settings", read_account_rows, &c);
}
