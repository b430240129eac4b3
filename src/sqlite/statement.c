/* SQLite backend: prepared statements (a cache keyed by the SQL literal), bindings,
 * stepping and columns. Its counterpart is src/postgres/statement.c. */
#include <string.h>

#include "sqlite.h"

static sqlite3_stmt *raw(igny8__stmt *s) { return ((igny8__sqlite_stmt *)s)->stmt; }

int igny8__sqlite_prepare(igny8_store *st, const char *sql, igny8__stmt **out)
{
    igny8__sqlite_db *db = igny8__sqlite_of(st);
    size_t h = ((uintptr_t)sql >> 3) % IGNY8__SQLITE_STMT_SLOTS;
    for (size_t probe = 0; probe < IGNY8__SQLITE_STMT_SLOTS; probe++) {
        size_t i = (h + probe) % IGNY8__SQLITE_STMT_SLOTS;
        if (db->stmts[i].sql == sql) {
            sqlite3_reset(db->stmts[i].stmt.stmt);
            sqlite3_clear_bindings(db->stmts[i].stmt.stmt);
            *out = &db->stmts[i].stmt.base;
            return IGNY8_OK;
        }
        if (db->stmts[i].sql == NULL) {
            sqlite3_stmt *s = NULL;
            int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
            if (rc != SQLITE_OK)
                return igny8__sqlite_fail(st, NULL, rc, "prepare");
            db->stmts[i].sql = sql;
            db->stmts[i].stmt.base.backend = &igny8__sqlite_backend;
            db->stmts[i].stmt.stmt = s;
            *out = &db->stmts[i].stmt.base;
            return IGNY8_OK;
        }
    }
    return igny8__error_set(IGNY8_ERROR, NULL, "statement cache is full");
}

void igny8__sqlite_bind_null(igny8__stmt *s, int i) { sqlite3_bind_null(raw(s), i); }
void igny8__sqlite_bind_int(igny8__stmt *s, int i, int64_t v) { sqlite3_bind_int64(raw(s), i, v); }
void igny8__sqlite_bind_double(igny8__stmt *s, int i, double v) { sqlite3_bind_double(raw(s), i, v); }
void igny8__sqlite_bind_text(igny8__stmt *s, int i, const char *v) { sqlite3_bind_text(raw(s), i, v, -1, SQLITE_TRANSIENT); }

int igny8__sqlite_step(igny8_store *st, igny8__stmt *s, const char *what, int *row)
{
    int rc = sqlite3_step(raw(s));
    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        return IGNY8_OK;
    if (rc != SQLITE_DONE)
        return igny8__sqlite_fail(st, raw(s), rc, what);
    sqlite3_reset(raw(s));
    return IGNY8_OK;
}

void igny8__sqlite_reset(igny8__stmt *s) { sqlite3_reset(raw(s)); }
int igny8__sqlite_column_is_null(igny8__stmt *s, int i) { return sqlite3_column_type(raw(s), i) == SQLITE_NULL; }
int64_t igny8__sqlite_column_int(igny8__stmt *s, int i) { return sqlite3_column_int64(raw(s), i); }
double igny8__sqlite_column_double(igny8__stmt *s, int i) { return sqlite3_column_double(raw(s), i); }
const char *igny8__sqlite_column_text(igny8__stmt *s, int i) { return (const char *)sqlite3_column_text(raw(s), i); }
int64_t igny8__sqlite_changes(igny8_store *st) { return sqlite3_changes64(igny8__sqlite_conn(st)); }

void igny8__sqlite_reset_busy(igny8_store *st)
{
    sqlite3 *conn = igny8__sqlite_conn(st);
    for (sqlite3_stmt *s = sqlite3_next_stmt(conn, NULL); s; s = sqlite3_next_stmt(conn, s))
        if (sqlite3_stmt_busy(s))
            sqlite3_reset(s);
}

void igny8__sqlite_finalize_all(igny8_store *st)
{
    igny8__sqlite_db *db = igny8__sqlite_of(st);
    for (size_t i = 0; i < IGNY8__SQLITE_STMT_SLOTS; i++) {
        sqlite3_finalize(db->stmts[i].stmt.stmt);
        db->stmts[i].sql = NULL;
        db->stmts[i].stmt.stmt = NULL;
    }
}
