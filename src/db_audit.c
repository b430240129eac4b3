#include "db_internal.h"

int igny8__db_audit_insert(igny8_store *st, const igny8__audit_row *r)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO audit (at, actor, entity, key, account_id, action, before, after)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s);
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

int igny8__db_audit_each(igny8_store *st, const igny8_audit_query *q, igny8__audit_fn fn, void *payload)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st,
        "SELECT id, at, actor, entity, key, account_id, action, before, after FROM audit"
        " WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR account_id = ?2)"
        " AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR actor = ?4)"
        " ORDER BY id DESC LIMIT ?5", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, q->entity);
    igny8__db_bind_int_or_null(s, 2, q->account_id, q->account_id > 0);
    igny8__db_bind_text(s, 3, q->since);
    igny8__db_bind_text(s, 4, q->actor);
    sqlite3_bind_int64(s, 5, q->limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        igny8__audit_row row = {
            sqlite3_column_int64(s, 0), igny8__db_col_text(s, 1), igny8__db_col_text(s, 2),
            igny8__db_col_text(s, 3), igny8__db_col_text(s, 4), sqlite3_column_int64(s, 5),
            igny8__db_col_text(s, 6), igny8__db_col_text(s, 7), igny8__db_col_text(s, 8)
        };
        int frc = fn(payload, &row);
        if (frc != IGNY8_OK) {
            sqlite3_reset(s);
            return frc;
        }
    }
    if (rc != SQLITE_DONE)
        return igny8__db_fail(st, s, rc, "read audit log");
    sqlite3_reset(s);
    return IGNY8_OK;
}
