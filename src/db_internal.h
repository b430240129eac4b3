/* Private to the SQLite backend (src/db_*.c): the connection, the statement cache and
 * the column/bind helpers. Nothing outside db_*.c includes this. */
#ifndef IGNY8__DB_INTERNAL_H
#define IGNY8__DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

#define IGNY8__STMT_SLOTS 256

struct igny8__db {
    sqlite3 *conn;
    int is_wal;   /* the file is in WAL mode: its -shm holds the WAL index */
    unsigned int busy_timeout_ms;  /* how long a lock is waited for (busy_handler in db_core.c) */
    double busy_since;             /* when the current wait began (CLOCK_MONOTONIC, seconds) */
    uint64_t busy_rng;             /* the jitter of the waits */
    struct { const char *sql; sqlite3_stmt *stmt; } stmts[IGNY8__STMT_SLOTS];
};

/* The triggers that keep prompt versions immutable and never deleted (schema v3). One
 * definition for the migration that creates them and for the import that replaces the
 * whole store, which drops them around its delete and creates them again. */
#define IGNY8__DB_PROMPT_VERSION_TRIGGERS \
    "CREATE TRIGGER prompt_version_is_immutable BEFORE UPDATE ON prompt_version" \
    " BEGIN SELECT RAISE(ABORT, 'prompt versions are immutable'); END;" \
    "CREATE TRIGGER prompt_version_is_kept BEFORE DELETE ON prompt_version" \
    " BEGIN SELECT RAISE(ABORT, 'prompt versions are never deleted'); END;"
#define IGNY8__DB_PROMPT_VERSION_TRIGGERS_DROP \
    "DROP TRIGGER prompt_version_is_immutable; DROP TRIGGER prompt_version_is_kept;"

/* The cached statement for sql (a string literal: its address is the cache key),
 * reset and with its bindings cleared. */
int igny8__db_prepare(igny8_store *st, const char *sql, sqlite3_stmt **out);
/* Turn a SQLite result code into our error (code and message; `what` says what was
 * being done). Resets stmt when non-NULL. */
int igny8__db_fail(igny8_store *st, sqlite3_stmt *stmt, int rc, const char *what);
/* Step a statement that returns no row and reset it. */
int igny8__db_exec_stmt(igny8_store *st, sqlite3_stmt *stmt, const char *what);
/* Step a statement that returns at most one row: *found 1 and the statement on its row
 * (reset it after reading), or *found 0 and the statement reset. */
int igny8__db_step_row(igny8_store *st, sqlite3_stmt *stmt, const char *what, int *found);
/* Step for one optional text column 0 into *out (NULL when no row or SQL NULL); resets. */
int igny8__db_step_string(igny8_store *st, sqlite3_stmt *stmt, const char *what, char **out);
/* Execute SQL text with no parameters (schema, pragmas, transactions). */
int igny8__db_exec(igny8_store *st, const char *sql, const char *what);

/* Bind helpers: NULL/NaN/0-as-unset bind SQL NULL. They return SQLite codes. */
int igny8__db_bind_text(sqlite3_stmt *s, int i, const char *v);
int igny8__db_bind_double(sqlite3_stmt *s, int i, double v);  /* NaN -> NULL */
int igny8__db_bind_int_or_null(sqlite3_stmt *s, int i, int64_t v, int is_set);

/* Bind a model's 14 columns as ?1..?14 in the order of the model table (db_model.c; the
 * import's upsert uses the same order). */
void igny8__db_model_bind(sqlite3_stmt *s, const igny8_model *m);

/* Column helpers. col_str copies (NULL for SQL NULL) and reports OOM. */
int igny8__db_col_str(sqlite3_stmt *s, int i, char **out);
double igny8__db_col_double(sqlite3_stmt *s, int i);           /* NULL -> NaN */
const char *igny8__db_col_text(sqlite3_stmt *s, int i);        /* borrowed, NULL for SQL NULL */

#endif
