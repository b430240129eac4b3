/* PostgreSQL backend: prepared statements (a cache keyed by the SQL literal, prepared on
 * the server once per connection), bindings as text, stepping over a result and columns.
 * Its counterpart is src/sqlite/statement.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres.h"

static igny8__pg_stmt *pg(igny8__stmt *s) { return (igny8__pg_stmt *)s; }

/* Copy a quoted literal or identifier ('...' or "...", doubled quotes inside) as it is. */
static const char *copy_quoted(const char *p, char **o)
{
    char q = *p;
    *(*o)++ = *p++;
    while (*p) {
        if (*p == q && p[1] == q) {
            *(*o)++ = *p++;
            *(*o)++ = *p++;
        } else if (*p == q) {
            *(*o)++ = *p++;
            break;
        } else {
            *(*o)++ = *p++;
        }
    }
    return p;
}

int igny8__pg_translate(const char *sql, char **out, int *nparams, unsigned char used[1000])
{
    size_t n = strlen(sql);
    char *t = igny8__malloc(n * 4 + 1), *o = t;  /* "?" becomes at most "$999" */
    int next = 0, highest = 0;
    if (t == NULL)
        return igny8__error_oom();
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') {
            p = copy_quoted(p, &o);
            continue;
        }
        if (*p != '?') {
            *o++ = *p++;
            continue;
        }
        p++;
        int index = 0;
        if (*p >= '0' && *p <= '9') {
            while (*p >= '0' && *p <= '9' && index < 1000)
                index = index * 10 + (*p++ - '0');
        } else {
            index = highest + 1;  /* SQLite: a bare ? is one more than the highest so far */
        }
        if (index < 1 || index > 999) {
            igny8__free(t);
            return igny8__error_set(IGNY8_ERROR, NULL, "a statement has placeholder ?%d, outside 1..999", index);
        }
        next = index;
        highest = next > highest ? next : highest;
        used[index] = 1;
        o += sprintf(o, "$%d", index);
    }
    *o = '\0';
    *out = t;
    *nparams = highest;
    return IGNY8_OK;
}

static void clear_params(igny8__pg_stmt *s)
{
    s->bind_failed = 0;
    for (int i = 0; i < s->nparams; i++) {
        igny8__free_secret(s->params[i]);  /* a bound value may be an API key */
        s->params[i] = NULL;
    }
}

void igny8__pg_reset(igny8__stmt *s)
{
    PQclear(pg(s)->res);
    pg(s)->res = NULL;
    pg(s)->executed = 0;
    pg(s)->row = pg(s)->nrows = 0;
}

static int new_statement(igny8__pg_db *db, size_t slot, const char *sql, igny8__pg_stmt **out)
{
    igny8__pg_stmt *s = igny8__calloc(1, sizeof(*s));
    if (s == NULL)
        return igny8__error_oom();
    unsigned char used[1000] = { 0 };
    int rc = igny8__pg_translate(sql, &s->text, &s->nparams, used);
    size_t n = s->nparams > 0 ? (size_t)s->nparams : 1;
    if (rc == IGNY8_OK && ((s->params = igny8__calloc(n, sizeof(char *))) == NULL ||
                           (s->types = igny8__calloc(n, sizeof(Oid))) == NULL))
        rc = igny8__error_oom();
    if (rc != IGNY8_OK) {
        igny8__free(s->params);
        igny8__free(s->text);
        igny8__free(s);
        return rc;
    }
    /* The server infers each parameter's type from where it is used; one the statement
     * does not use (a shared binding order) has no place to infer it from: text. */
    for (int i = 0; i < s->nparams; i++)
        s->types[i] = used[i + 1] ? 0 : 25 /* TEXTOID */;
    s->is_select = strncmp(s->text, "SELECT", 6) == 0;
    s->base.backend = &igny8__postgres_backend;
    s->db = db;
    snprintf(s->name, sizeof(s->name), "igny8_%zu", slot);
    *out = s;
    return IGNY8_OK;
}

int igny8__pg_prepare(igny8_store *st, const char *sql, igny8__stmt **out)
{
    igny8__pg_db *db = igny8__pg_of(st);
    size_t h = ((uintptr_t)sql >> 3) % IGNY8__PG_STMT_SLOTS;
    for (size_t probe = 0; probe < IGNY8__PG_STMT_SLOTS; probe++) {
        size_t i = (h + probe) % IGNY8__PG_STMT_SLOTS;
        if (db->stmts[i].sql == NULL) {
            int rc = new_statement(db, i, sql, &db->stmts[i].stmt);
            if (rc != IGNY8_OK)
                return rc;
            db->stmts[i].sql = sql;
        }
        if (db->stmts[i].sql == sql) {
            igny8__pg_stmt *s = db->stmts[i].stmt;
            igny8__pg_reset(&s->base);
            clear_params(s);
            *out = &s->base;
            return IGNY8_OK;
        }
    }
    return igny8__error_set(IGNY8_ERROR, NULL, "statement cache is full");
}

void igny8__pg_free_statements(igny8__pg_db *db)
{
    for (size_t i = 0; i < IGNY8__PG_STMT_SLOTS; i++) {
        igny8__pg_stmt *s = db->stmts[i].stmt;
        if (s == NULL)
            continue;
        igny8__pg_reset(&s->base);
        clear_params(s);
        igny8__free(s->params);
        igny8__free(s->types);
        igny8__free(s->text);
        igny8__free(s);
        db->stmts[i].sql = NULL;
        db->stmts[i].stmt = NULL;
    }
}

/* v NULL binds SQL NULL. A copy that fails is remembered, so that the execution fails
 * with IGNY8_ENOMEM rather than write NULL. */
static void set_param(igny8__stmt *s, int i, const char *v)
{
    if (i < 1 || i > pg(s)->nparams)
        return;
    char *copy = v ? igny8__strdup(v) : NULL;
    if (v && copy == NULL)
        pg(s)->bind_failed = 1;
    igny8__free_secret(pg(s)->params[i - 1]);
    pg(s)->params[i - 1] = copy;
}

void igny8__pg_bind_null(igny8__stmt *s, int i) { set_param(s, i, NULL); }
void igny8__pg_bind_text(igny8__stmt *s, int i, const char *v) { set_param(s, i, v); }

void igny8__pg_bind_int(igny8__stmt *s, int i, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    set_param(s, i, buf);
}

/* %.17g reads back as the same double: the value the caller gave is the value stored. */
void igny8__pg_bind_double(igny8__stmt *s, int i, double v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.17g", v);
    set_param(s, i, buf);
}

static int prepare_on_server(igny8_store *st, igny8__pg_stmt *s, const char *what)
{
    igny8__pg_db *db = s->db;
    if (s->generation == db->generation)
        return IGNY8_OK;
    PGresult *res = PQprepare(db->conn, s->name, s->text, s->nparams, s->types);
    int rc = igny8__pg_check(st, res, PGRES_COMMAND_OK, what, NULL);
    if (rc == IGNY8_OK)
        s->generation = db->generation;
    return rc;
}

/* A text that is not UTF-8, which the server refuses outright. Every text the library
 * stores is UTF-8 (it checks them), so SQLite finds nothing that equals one: a query
 * does the same here, with no rows; a write is refused. */
static int has_non_utf8_text(const igny8__pg_stmt *s)
{
    size_t bad;
    for (int i = 0; i < s->nparams; i++)
        if (s->params[i] && !igny8__utf8_valid(s->params[i], &bad))
            return 1;
    return 0;
}

static int execute(igny8_store *st, igny8__pg_stmt *s, const char *what)
{
    igny8__pg_db *db = s->db;
    if (has_non_utf8_text(s)) {
        if (!s->is_select)
            return igny8__error_set(IGNY8_EINVAL, NULL, "%s: a text is not valid UTF-8", what);
        s->res = NULL;
        s->nrows = 0;
        s->row = -1;
        return IGNY8_OK;
    }
    int rc = s->bind_failed ? igny8__error_oom() : prepare_on_server(st, s, what);
    if (rc != IGNY8_OK)
        return rc;
    PGresult *res = PQexecPrepared(db->conn, s->name, s->nparams, (const char *const *)s->params, NULL, NULL, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        return igny8__pg_fail(st, res, what);
    const char *tuples = PQcmdTuples(res);
    db->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    s->res = res;
    s->nrows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    s->row = -1;
    return IGNY8_OK;
}

int igny8__pg_step(igny8_store *st, igny8__stmt *stmt, const char *what, int *row)
{
    igny8__pg_stmt *s = pg(stmt);
    *row = 0;
    if (!s->executed) {
        int rc = execute(st, s, what);
        if (rc != IGNY8_OK)
            return rc;
        s->executed = 1;
    }
    if (++s->row < s->nrows) {
        *row = 1;
        return IGNY8_OK;
    }
    igny8__pg_reset(stmt);
    return IGNY8_OK;
}

int igny8__pg_column_is_null(igny8__stmt *s, int i)
{
    return pg(s)->res == NULL || i >= PQnfields(pg(s)->res) || PQgetisnull(pg(s)->res, pg(s)->row, i);
}

const char *igny8__pg_column_text(igny8__stmt *s, int i)
{
    return igny8__pg_column_is_null(s, i) ? NULL : PQgetvalue(pg(s)->res, pg(s)->row, i);
}

/* Booleans come back as "t" and "f": as SQLite's 1 and 0. */
int64_t igny8__pg_column_int(igny8__stmt *s, int i)
{
    const char *v = igny8__pg_column_text(s, i);
    if (v == NULL)
        return 0;
    if (v[0] == 't' || v[0] == 'f')
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

double igny8__pg_column_double(igny8__stmt *s, int i)
{
    const char *v = igny8__pg_column_text(s, i);
    return v ? strtod(v, NULL) : 0.0;
}

int64_t igny8__pg_changes(igny8_store *st) { return igny8__pg_of(st)->changes; }
