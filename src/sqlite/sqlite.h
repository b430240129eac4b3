/* Private to the SQLite backend (src/sqlite/): the connection, its statements and the
 * helpers its files share. Its counterpart is src/postgres/postgres.h. */
#ifndef IGNY8__SQLITE_H
#define IGNY8__SQLITE_H

#include <sqlite3.h>

#include "db_backend.h"

#define IGNY8__SQLITE_STMT_SLOTS 256

typedef struct igny8__sqlite_stmt {
    igny8__stmt base;
    sqlite3_stmt *stmt;
} igny8__sqlite_stmt;

typedef struct igny8__sqlite_db {
    igny8__db base;
    sqlite3 *conn;
    int is_wal;                    /* the file is in WAL mode: its -shm holds the WAL index */
    unsigned int busy_timeout_ms;  /* how long a lock is waited for (busy_handler, connection.c) */
    double busy_since;             /* when the current wait began (CLOCK_MONOTONIC, seconds) */
    uint64_t busy_rng;             /* the jitter of the waits */
    struct { const char *sql; igny8__sqlite_stmt stmt; } stmts[IGNY8__SQLITE_STMT_SLOTS];
} igny8__sqlite_db;

static inline igny8__sqlite_db *igny8__sqlite_of(igny8_store *st) { return (igny8__sqlite_db *)st->db; }
static inline sqlite3 *igny8__sqlite_conn(igny8_store *st) { return igny8__sqlite_of(st)->conn; }

/* connection.c: a SQLite result code as our error (code, message, the broken constraint;
 * `what` says what was being done). Resets stmt when non-NULL. */
int igny8__sqlite_fail(igny8_store *st, sqlite3_stmt *stmt, int rc, const char *what);
/* SQL text with no parameters (schema, pragmas, transactions). */
int igny8__sqlite_exec(igny8_store *st, const char *sql, const char *what);
/* One integer from a query without parameters (a pragma). */
int igny8__sqlite_int(igny8_store *st, const char *sql, int *out);

/* statement.c */
int igny8__sqlite_prepare(igny8_store *st, const char *sql, igny8__stmt **out);
void igny8__sqlite_bind_null(igny8__stmt *s, int i);
void igny8__sqlite_bind_int(igny8__stmt *s, int i, int64_t v);
void igny8__sqlite_bind_double(igny8__stmt *s, int i, double v);
void igny8__sqlite_bind_text(igny8__stmt *s, int i, const char *v);
int igny8__sqlite_step(igny8_store *st, igny8__stmt *s, const char *what, int *row);
void igny8__sqlite_reset(igny8__stmt *s);
int igny8__sqlite_column_is_null(igny8__stmt *s, int i);
int64_t igny8__sqlite_column_int(igny8__stmt *s, int i);
double igny8__sqlite_column_double(igny8__stmt *s, int i);
const char *igny8__sqlite_column_text(igny8__stmt *s, int i);
int64_t igny8__sqlite_changes(igny8_store *st);
/* Reset every statement of the connection that is still stepping (before COMMIT). */
void igny8__sqlite_reset_busy(igny8_store *st);
void igny8__sqlite_finalize_all(igny8_store *st);

/* schema.c: bring the schema to IGNY8_SCHEMA_VERSION in one write transaction. */
int igny8__sqlite_migrate(igny8_store *st);
int igny8__sqlite_prompt_versions_clear(igny8_store *st);
/* "IGN8" in PRAGMA application_id: marks a file as ours. */
#define IGNY8__SQLITE_APPLICATION_ID 0x49474E38

/* changes.c */
int igny8__sqlite_change_token(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known,
                               int64_t *log_id);
int igny8__sqlite_check(igny8_store *st, char **out);
int64_t igny8__sqlite_size(igny8_store *st);

#endif
