/* The SQL layer's statement helpers (db_backend.h) over the backend's table of
 * operations, and the calls of db.h that go straight to the backend. */
#include <math.h>
#include <string.h>

#include "db_backend.h"

static const igny8__backend *backend_of(igny8_store *st) { return st->db->backend; }

/* ---- connection ---- */

/* A PostgreSQL URL, as libpq reads one. */
static int is_postgres_url(const char *target)
{
    return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

int igny8__db_open(igny8_store *st, const igny8__open_params *p)
{
    const igny8__backend *b = is_postgres_url(p->target) || (p->flags & IGNY8_STORE_POSTGRES)
                                  ? &igny8__postgres_backend : &igny8__sqlite_backend;
    return b->open(st, p);
}

void igny8__db_close(igny8_store *st)
{
    if (st->db != NULL)
        backend_of(st)->close(st);
}

const char *igny8__db_backend_name(igny8_store *st) { return backend_of(st)->name; }
int igny8__db_begin(igny8_store *st, int write) { return backend_of(st)->begin(st, write); }
int igny8__db_commit(igny8_store *st) { return backend_of(st)->commit(st); }
void igny8__db_rollback(igny8_store *st) { backend_of(st)->rollback(st); }
int igny8__db_schema_version(igny8_store *st, int *out) { return backend_of(st)->schema_version(st, out); }
const char *igny8__db_readonly_reason(igny8_store *st) { return backend_of(st)->readonly_reason(st); }
int igny8__db_quick_check(igny8_store *st, char **out) { return backend_of(st)->check(st, out); }
int64_t igny8__db_size(igny8_store *st) { return backend_of(st)->size(st); }

int igny8__db_change_token(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known,
                           int64_t *log_id)
{
    *log_id = 0;
    return backend_of(st)->change_token(st, out, known, log_id);
}

/* ---- statements ---- */

int igny8__db_prepare(igny8_store *st, const char *sql, igny8__stmt **out)
{
    st->db->constraint = IGNY8__CONSTRAINT_NONE;
    return backend_of(st)->prepare(st, sql, out);
}

void igny8__db_bind_text(igny8__stmt *s, int i, const char *v)
{
    if (v)
        s->backend->bind_text(s, i, v);
    else
        s->backend->bind_null(s, i);
}

void igny8__db_bind_double(igny8__stmt *s, int i, double v)
{
    if (isnan(v))
        s->backend->bind_null(s, i);
    else
        s->backend->bind_double(s, i, v);
}

void igny8__db_bind_int(igny8__stmt *s, int i, int64_t v) { s->backend->bind_int(s, i, v); }

void igny8__db_bind_int_or_null(igny8__stmt *s, int i, int64_t v, int is_set)
{
    if (is_set)
        s->backend->bind_int(s, i, v);
    else
        s->backend->bind_null(s, i);
}

void igny8__db_reset(igny8__stmt *s) { s->backend->reset(s); }

int igny8__db_step_row(igny8_store *st, igny8__stmt *s, const char *what, int *found)
{
    *found = 0;
    return s->backend->step(st, s, what, found);
}

int igny8__db_exec_stmt(igny8_store *st, igny8__stmt *s, const char *what)
{
    int row = 0;
    int rc = s->backend->step(st, s, what, &row);
    if (row)
        s->backend->reset(s);
    return rc;
}

int igny8__db_step_string(igny8_store *st, igny8__stmt *s, const char *what, char **out)
{
    int found;
    *out = NULL;
    int rc = igny8__db_step_row(st, s, what, &found);
    if (rc != IGNY8_OK || !found)
        return rc;
    rc = igny8__db_col_str(s, 0, out);
    s->backend->reset(s);
    return rc;
}

int igny8__db_each(igny8_store *st, igny8__stmt *s, const char *what, igny8__row_reader read, void *ctx)
{
    int row = 0, rc;
    while ((rc = s->backend->step(st, s, what, &row)) == IGNY8_OK && row)
        if ((rc = read(s, ctx)) != IGNY8_OK)
            break;
    s->backend->reset(s);
    return rc;
}

int igny8__db_query_each(igny8_store *st, const char *sql, const char *what, igny8__row_reader read, void *ctx)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, sql, &s);
    return rc == IGNY8_OK ? igny8__db_each(st, s, what, read, ctx) : rc;
}

int igny8__db_col_is_null(igny8__stmt *s, int i) { return s->backend->column_is_null(s, i); }
int64_t igny8__db_col_int(igny8__stmt *s, int i) { return s->backend->column_int(s, i); }
const char *igny8__db_col_text(igny8__stmt *s, int i) { return s->backend->column_text(s, i); }

double igny8__db_col_double(igny8__stmt *s, int i)
{
    return s->backend->column_is_null(s, i) ? NAN : s->backend->column_double(s, i);
}

int igny8__db_col_str(igny8__stmt *s, int i, char **out)
{
    *out = NULL;
    if (s->backend->column_is_null(s, i))
        return IGNY8_OK;
    const char *t = s->backend->column_text(s, i);
    if (t == NULL || (*out = igny8__strdup(t)) == NULL)
        return igny8__error_oom();
    return IGNY8_OK;
}

int igny8__db_col_type(igny8__stmt *s, int i)
{
    return igny8__model_type_from_name(igny8__db_col_text(s, i));
}

int64_t igny8__db_changes(igny8_store *st) { return backend_of(st)->changes(st); }
int igny8__db_constraint(igny8_store *st) { return st->db->constraint; }
