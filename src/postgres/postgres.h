/* Private to the PostgreSQL backend (src/postgres/): the connection, its statements and
 * the helpers its files share. Its counterpart is src/sqlite/sqlite.h. */
#ifndef IGNY8__POSTGRES_H
#define IGNY8__POSTGRES_H

#include <libpq-fe.h>

#include "db_backend.h"

#define IGNY8__PG_STMT_SLOTS 256

/* "IGN8": the first key of every advisory lock of ours, and the application id in
 * igny8_meta that marks a schema as a store. */
#define IGNY8__PG_APPLICATION_ID 1229409848

typedef struct igny8__pg_db igny8__pg_db;

typedef struct igny8__pg_stmt {
    igny8__stmt base;
    igny8__pg_db *db;
    char name[16];          /* the server-side prepared statement: "igny8_<slot>" */
    char *text;             /* the SQL with $N placeholders */
    int nparams;
    char **params;          /* the bound values as text; NULL: SQL NULL */
    Oid *types;             /* 0: the server infers it; text for a parameter the SQL does not use */
    int is_select;
    int bind_failed;        /* a value could not be copied */
    int executed;           /* since the last reset */
    unsigned generation;    /* the connection it was prepared on (0: not yet) */
    PGresult *res;          /* the rows of the running execution */
    int row, nrows;
} igny8__pg_stmt;

struct igny8__pg_db {
    igny8__db base;
    PGconn *conn;
    const char *display;       /* the target without its password (st->path) */
    char *schema;
    char *lock_sql;            /* BEGIN of a write: the advisory lock of this schema */
    uint32_t flags;
    unsigned int busy_timeout_ms;
    unsigned generation;       /* bumped by every (re)connection: prepared statements are per session */
    int standby;               /* the server is a read-only standby */
    int64_t changes;           /* rows the last statement wrote */
    struct { const char *sql; igny8__pg_stmt *stmt; } stmts[IGNY8__PG_STMT_SLOTS];
};

static inline igny8__pg_db *igny8__pg_of(igny8_store *st) { return (igny8__pg_db *)st->db; }

/* connection.c: the result of a command or query as our error (code, message naming what
 * was being done, the broken constraint); a lost connection is IGNY8_EIO. Clears res. */
int igny8__pg_fail(igny8_store *st, PGresult *res, const char *what);
/* A result that is not what status expected: OK, or igny8__pg_fail. Clears res unless
 * *keep is given (then *keep = res on success). */
int igny8__pg_check(igny8_store *st, PGresult *res, ExecStatusType status, const char *what, PGresult **keep);
/* SQL text, possibly several statements, with no parameters. */
int igny8__pg_exec(igny8_store *st, const char *sql, const char *what);
/* Reconnect when the connection is known to be lost; IGNY8_EIO when the server cannot be
 * reached. Never inside a transaction: the caller starts one afterwards. */
int igny8__pg_ensure_connected(igny8_store *st);
/* 1 when the connection is lost (a failed call then is worth one retry on a new one). */
int igny8__pg_lost(igny8_store *st);

/* statement.c */
int igny8__pg_prepare(igny8_store *st, const char *sql, igny8__stmt **out);
void igny8__pg_bind_null(igny8__stmt *s, int i);
void igny8__pg_bind_int(igny8__stmt *s, int i, int64_t v);
void igny8__pg_bind_double(igny8__stmt *s, int i, double v);
void igny8__pg_bind_text(igny8__stmt *s, int i, const char *v);
int igny8__pg_step(igny8_store *st, igny8__stmt *s, const char *what, int *row);
void igny8__pg_reset(igny8__stmt *s);
int igny8__pg_column_is_null(igny8__stmt *s, int i);
int64_t igny8__pg_column_int(igny8__stmt *s, int i);
double igny8__pg_column_double(igny8__stmt *s, int i);
const char *igny8__pg_column_text(igny8__stmt *s, int i);
int64_t igny8__pg_changes(igny8_store *st);
void igny8__pg_free_statements(igny8__pg_db *db);
/* The SQL of the SQL files with SQLite's ?/?N placeholders as $N; *nparams the highest. */
int igny8__pg_translate(const char *sql, char **out, int *nparams, unsigned char used[1000]);

/* schema.c: identity, creation and migration of the store's schema. */
int igny8__pg_open_schema(igny8_store *st);
int igny8__pg_schema_version(igny8_store *st, int *out);
int igny8__pg_prompt_versions_clear(igny8_store *st);

/* changes.c */
int igny8__pg_change_token(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known, int64_t *log_id);
int igny8__pg_check_store(igny8_store *st, char **out);
int64_t igny8__pg_size(igny8_store *st);

#endif
