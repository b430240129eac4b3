/* SQL of the audit log. */
#include "db_backend.h"

/* The id is the next after the highest, as SQLite gives a rowid: the same ids on every
 * backend (writers are serialised, so two never take the same one). */
int igny8__db_audit_insert(igny8_store *st, const igny8__audit_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO audit (id, at, actor, entity, key, account_id, action, before, after)"
                                   " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM audit), ?, ?, ?, ?, ?, ?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->at);
    igny8__db_bind_text(s, 2, r->actor);
    igny8__db_bind_text(s, 3, r->entity);
    igny8__db_bind_text(s, 4, r->key);
    igny8__db_bind_int_or_null(s, 5, r->account_id, r->account_id > 0);
    igny8__db_bind_text(s, 6, r->action);
    igny8__db_bind_text(s, 7, r->before);
    igny8__db_bind_text(s, 8, r->after);
    return igny8__db_exec_stmt(st, s, "write audit entry");
}

struct audit_ctx { igny8__audit_fn fn; void *payload; };

static int read_entry(igny8__stmt *s, void *ctx)
{
    const struct audit_ctx *c = ctx;
    igny8__audit_row row = {
        igny8__db_col_int(s, 0), igny8__db_col_text(s, 1), igny8__db_col_text(s, 2),
        igny8__db_col_text(s, 3), igny8__db_col_text(s, 4), igny8__db_col_int(s, 5),
        igny8__db_col_text(s, 6), igny8__db_col_text(s, 7), igny8__db_col_text(s, 8)
    };
    return c->fn(c->payload, &row);
}

int igny8__db_audit_each(igny8_store *st, const igny8__audit_filter *f, igny8__audit_fn fn, void *payload)
{
    igny8__stmt *s;
    struct audit_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st,
        "SELECT id, at, actor, entity, key, account_id, action, before, after FROM audit"
        " WHERE (CAST(?1 AS TEXT) IS NULL OR entity = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR account_id = ?2)"
        " AND (CAST(?3 AS TEXT) IS NULL OR at >= ?3) AND (CAST(?4 AS TEXT) IS NULL OR actor = ?4)"
        " ORDER BY id DESC LIMIT ?5", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, f->entity);
    igny8__db_bind_int_or_null(s, 2, f->account_id, f->account_id > 0);
    igny8__db_bind_text(s, 3, f->since);
    igny8__db_bind_text(s, 4, f->actor);
    igny8__db_bind_int(s, 5, f->limit);
    return igny8__db_each(st, s, "read audit log", read_entry, &c);
}
