/*
 * The backend interface of the SQL layer: what each database (src/sqlite/, src/postgres/)
 * provides, and the statement helpers the SQL files (src/db_*.c) are written with.
 *
 * The SQL files hold every query once, in the SQL both databases run: `?` or `?N`
 * placeholders (a backend that numbers them differently rewrites them when it prepares),
 * ON CONFLICT upserts, RETURNING, integers for booleans, no functions only one of them
 * has. What differs between the two (the schema and its migrations, transactions and
 * locking, how a change by another process or host is noticed, error codes, the store's
 * health checks) is a backend's own, behind the table of operations below. Each backend
 * directory has the same files:
 *   connection.c  open, close, identity and migration, transactions, errors
 *   statement.c   prepare (a cache keyed by the SQL literal), bind, step, columns
 *   schema.c      the schema of every version, in the backend's dialect
 *   changes.c     the change token the resolver's cache compares, health checks
 * Nothing here includes a domain header: rows are the plain structs of db.h.
 */
#ifndef IGNY8__DB_BACKEND_H
#define IGNY8__DB_BACKEND_H

#include "db.h"
#include "store.h"

typedef struct igny8__backend igny8__backend;
typedef struct igny8__stmt igny8__stmt;

/* The kind of rule the last failed statement broke (a backend's codes, normalised). */
enum {
    IGNY8__CONSTRAINT_NONE = 0,
    IGNY8__CONSTRAINT_UNIQUE = 1,       /* a primary key or unique rule: IGNY8_EEXISTS */
    IGNY8__CONSTRAINT_FOREIGN_KEY = 2,  /* IGNY8_EINVAL */
    IGNY8__CONSTRAINT_OTHER = 3         /* check, not null, a trigger: IGNY8_EINVAL */
};

/* Every backend's connection begins with this. */
typedef struct igny8__db {
    const igny8__backend *backend;
    int constraint;   /* IGNY8__CONSTRAINT_* of the last failed statement */
} igny8__db;

/* Every backend's statement begins with this. */
struct igny8__stmt {
    const igny8__backend *backend;
};

struct igny8__backend {
    const char *name;  /* "sqlite", "postgresql" */

    /* connection.c. open sets st->db (and may set st->path to what may be shown: never a
     * password); it creates or migrates the schema to IGNY8_SCHEMA_VERSION. Errors name
     * "path". */
    int (*open)(igny8_store *st, const igny8__open_params *p);
    void (*close)(igny8_store *st);
    int (*begin)(igny8_store *st, int write);
    int (*commit)(igny8_store *st);
    void (*rollback)(igny8_store *st);
    int (*schema_version)(igny8_store *st, int *out);
    /* 1 when this process may not write the store although it was opened read-write */
    const char *(*readonly_reason)(igny8_store *st);

    /* statement.c. prepare: the statement for sql (a string literal, whose address is the
     * cache key), reset, bindings cleared. step: *row 1 on a row, 0 when done (then the
     * statement is reset); an error resets it too. Column values live until the next step
     * or reset. Indexes: bind from 1, columns from 0. */
    int (*prepare)(igny8_store *st, const char *sql, igny8__stmt **out);
    void (*bind_null)(igny8__stmt *s, int i);
    void (*bind_int)(igny8__stmt *s, int i, int64_t v);
    void (*bind_double)(igny8__stmt *s, int i, double v);
    void (*bind_text)(igny8__stmt *s, int i, const char *v);
    int (*step)(igny8_store *st, igny8__stmt *s, const char *what, int *row);
    void (*reset)(igny8__stmt *s);
    int (*column_is_null)(igny8__stmt *s, int i);
    int64_t (*column_int)(igny8__stmt *s, int i);
    double (*column_double)(igny8__stmt *s, int i);
    const char *(*column_text)(igny8__stmt *s, int i);
    int64_t (*changes)(igny8_store *st);  /* rows the last statement wrote */

    /* changes.c: igny8__db_change_token, igny8__db_quick_check and igny8__db_size of db.h. */
    int (*change_token)(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known, int64_t *log_id);
    int (*check)(igny8_store *st, char **out);
    int64_t (*size)(igny8_store *st);
    /* schema.c: empty prompt_version, whose rows the schema otherwise never lets go. */
    int (*prompt_versions_clear)(igny8_store *st);
};

extern const igny8__backend igny8__sqlite_backend;
extern const igny8__backend igny8__postgres_backend;

/* ---- statements, for the SQL files ---- */

int igny8__db_prepare(igny8_store *st, const char *sql, igny8__stmt **out);
/* NULL binds SQL NULL; NaN binds NULL; is_set 0 binds NULL. */
void igny8__db_bind_text(igny8__stmt *s, int i, const char *v);
void igny8__db_bind_double(igny8__stmt *s, int i, double v);
void igny8__db_bind_int(igny8__stmt *s, int i, int64_t v);
void igny8__db_bind_int_or_null(igny8__stmt *s, int i, int64_t v, int is_set);
void igny8__db_reset(igny8__stmt *s);

/* Step a statement that returns no row, and reset it. */
int igny8__db_exec_stmt(igny8_store *st, igny8__stmt *s, const char *what);
/* Step a statement that returns at most one row: *found 1 and the statement on its row
 * (reset it after reading), or *found 0 and the statement reset. */
int igny8__db_step_row(igny8_store *st, igny8__stmt *s, const char *what, int *found);
/* Step for one optional text column 0 into *out (NULL when no row or SQL NULL); resets. */
int igny8__db_step_string(igny8_store *st, igny8__stmt *s, const char *what, char **out);
/* Step through every row, calling read(s, ctx) on each; a non-zero return stops and is
 * returned. Resets the statement. */
typedef int (*igny8__row_reader)(igny8__stmt *s, void *ctx);
int igny8__db_each(igny8_store *st, igny8__stmt *s, const char *what, igny8__row_reader read, void *ctx);
/* Prepare sql and igny8__db_each over it (a query without parameters). */
int igny8__db_query_each(igny8_store *st, const char *sql, const char *what, igny8__row_reader read, void *ctx);

int igny8__db_col_is_null(igny8__stmt *s, int i);
int64_t igny8__db_col_int(igny8__stmt *s, int i);
double igny8__db_col_double(igny8__stmt *s, int i);       /* NULL -> NaN */
const char *igny8__db_col_text(igny8__stmt *s, int i);    /* borrowed, NULL for SQL NULL */
int igny8__db_col_str(igny8__stmt *s, int i, char **out); /* a copy (NULL for SQL NULL) */
int igny8__db_col_type(igny8__stmt *s, int i);            /* "text"/"image" -> IGNY8_MODEL_* */

/* An account_integration row read from column first on (integration, enabled, then the
 * settings' columns as db_settings.c reads them), given to fn. */
int igny8__db_read_account_row(igny8__stmt *s, int first, igny8__integ_row_fn fn, void *payload);

int64_t igny8__db_changes(igny8_store *st);
/* IGNY8__CONSTRAINT_* of the last failed statement. */
int igny8__db_constraint(igny8_store *st);

/* Shared by the SQL files: a model's 14 columns as ?1..?14 in the order of the model
 * table (db_model.c; the import's upsert uses the same order). */
void igny8__db_model_bind(igny8__stmt *s, const igny8__model_row *m);

#endif
