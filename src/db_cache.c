/* SQL of the change log the resolver's cache follows. */
#include "db_backend.h"

/* Two subqueries, not min() and max() in one SELECT: only a lone min or max is answered
 * from the end of the primary key; together they scan the whole log on every cache miss. */
int igny8__db_change_log_bounds(igny8_store *st, int64_t *min_seq, int64_t *max_seq)
{
    igny8__stmt *s;
    int found;
    int rc = igny8__db_prepare(st, "SELECT coalesce((SELECT min(seq) FROM change_log), 0),"
                                   " coalesce((SELECT max(seq) FROM change_log), 0)", &s);
    if (rc == IGNY8_OK && (rc = igny8__db_step_row(st, s, "read change log", &found)) == IGNY8_OK && found) {
        *min_seq = igny8__db_col_int(s, 0);
        *max_seq = igny8__db_col_int(s, 1);
        igny8__db_reset(s);
    }
    return rc;
}

struct change_ctx { igny8__change_fn fn; void *payload; };

static int read_change(igny8__stmt *s, void *ctx)
{
    const struct change_ctx *c = ctx;
    return c->fn(c->payload, igny8__db_col_int(s, 0), igny8__db_col_int(s, 1));
}

int igny8__db_change_log_each(igny8_store *st, int64_t after, igny8__change_fn fn, void *payload)
{
    igny8__stmt *s;
    struct change_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT seq, coalesce(account_id, 0) FROM change_log WHERE seq > ? ORDER BY seq", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, after);
    return igny8__db_each(st, s, "read change log", read_change, &c);
}
