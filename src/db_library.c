/* SQL of the libraries (author profiles, strategies) and the accounts' copies of them. */
#include <string.h>

#include "db_backend.h"

void igny8__library_row_clear(igny8__library_row *r)
{
    char *strings[] = { r->name, r->description, r->category, r->fields, r->updated_at, r->updated_by,
                        r->based_on, r->source_name };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        igny8__free(strings[i]);
    memset(r, 0, sizeof(*r));
}

int igny8__db_prompt_type_exists(igny8_store *st, const char *name, int *out)
{
    igny8__stmt *s;
    *out = 0;
    int rc = igny8__db_prepare(st, "SELECT 1 FROM prompt_type WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    rc = igny8__db_step_row(st, s, "read prompt type", out);
    igny8__db_reset(s);
    return rc;
}

/* ---- reading rows ---- */

/* The columns every row starts with; a copy's add COPY_COLUMNS. */
#define ITEM_COLUMNS(t) t ".id, " t ".name, " t ".description, " t ".category, " t ".fields, " t ".is_active, "
#define GLOBAL_SELECT "SELECT " ITEM_COLUMNS("i") "i.revision, i.updated_at, i.updated_by FROM library_item i"
#define COPY_SELECT "SELECT " ITEM_COLUMNS("c") "0, c.updated_at, c.updated_by, c.account_id, c.source_id," \
    " c.based_on_revision, c.based_on, s.name, s.revision, s.is_active" \
    " FROM account_library_item c JOIN library_item s ON s.id = c.source_id"

static int read_row(igny8__stmt *s, int kind, int copy, igny8__library_row *r)
{
    char **strings[] = { NULL, &r->name, &r->description, &r->category, &r->fields, NULL, NULL, &r->updated_at,
                         &r->updated_by, NULL, NULL, NULL, &r->based_on, &r->source_name };
    int rc = IGNY8_OK, n = copy ? (int)IGNY8__ARRAY_LEN(strings) : 9;
    memset(r, 0, sizeof(*r));
    for (int i = 0; rc == IGNY8_OK && i < n; i++)
        if (strings[i])
            rc = igny8__db_col_str(s, i, strings[i]);
    r->id = igny8__db_col_int(s, 0);
    r->kind = kind;
    r->is_active = igny8__db_col_int(s, 5);
    r->revision = igny8__db_col_int(s, 6);
    if (copy) {
        r->account_id = igny8__db_col_int(s, 9);
        r->source_id = igny8__db_col_int(s, 10);
        r->based_on_revision = igny8__db_col_int(s, 11);
        r->source_revision = igny8__db_col_int(s, 14);
        r->source_active = igny8__db_col_int(s, 15);
    }
    if (rc != IGNY8_OK)
        igny8__library_row_clear(r);
    return rc;
}

/* Step a statement that returns at most one row into *out; ENOTFOUND naming "id". */
static int get_one(igny8_store *st, igny8__stmt *s, int kind, int copy, igny8__library_row *out, const char *what)
{
    int found;
    int rc = igny8__db_step_row(st, s, what, &found);
    if (rc != IGNY8_OK)
        return rc;
    if (!found)
        return IGNY8_ENOTFOUND;  /* the caller names what is missing */
    rc = read_row(s, kind, copy, out);
    igny8__db_reset(s);
    return rc;
}

/* ASCII case-insensitive substring, as SQLite's lower() and instr() would find it, in C
 * rather than SQL: the two databases have no function for it in common, and no wildcard
 * in the search text needs escaping. */
static unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static int contains_ascii_nocase(const char *haystack, const char *needle)
{
    const unsigned char *h = (const unsigned char *)(haystack ? haystack : "");
    const unsigned char *n = (const unsigned char *)needle;
    for (;; h++) {
        size_t i = 0;
        while (n[i] && ascii_lower(h[i]) == ascii_lower(n[i]))
            i++;
        if (n[i] == '\0')
            return 1;
        if (*h == '\0')
            return 0;
    }
}

struct each_ctx { int kind, copy; const char *search; igny8__library_fn fn; void *payload; };

static int read_each(igny8__stmt *s, void *ctx)
{
    const struct each_ctx *c = ctx;
    if (c->search && !contains_ascii_nocase(igny8__db_col_text(s, 1), c->search) &&
        !contains_ascii_nocase(igny8__db_col_text(s, 2), c->search))
        return IGNY8_OK;
    igny8__library_row row;
    int rc = read_row(s, c->kind, c->copy, &row);
    if (rc == IGNY8_OK) {
        rc = c->fn(c->payload, &row);
        igny8__library_row_clear(&row);
    }
    return rc;
}

static int each_row(igny8_store *st, igny8__stmt *s, int kind, int copy, const char *search, igny8__library_fn fn,
                    void *payload)
{
    struct each_ctx c = { kind, copy, search, fn, payload };
    return igny8__db_each(st, s, "list library items", read_each, &c);
}

/* ---- global items ---- */

/* Ids are the next after the highest, as SQLite gives a rowid: the same ids on every
 * backend (writers are serialised, so two never take the same one). */
static int insert_returning_id(igny8_store *st, igny8__stmt *s, const char *what, int64_t *out_id)
{
    int found = 0;
    int rc = igny8__db_step_row(st, s, what, &found);
    *out_id = rc == IGNY8_OK && found ? igny8__db_col_int(s, 0) : 0;
    if (found)
        igny8__db_reset(s);
    return rc;
}

static int name_taken(int rc, const igny8__library_row *r)
{
    if (rc != IGNY8_EEXISTS)
        return rc;
    return igny8__error_set(IGNY8_EEXISTS, "name", "a %s named '%.200s' exists already",
                            igny8__library_kind_name(r->kind), r->name);
}

int igny8__db_library_insert(igny8_store *st, const igny8__library_row *r, int64_t *out_id)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO library_item (id, kind, name, description, category, fields, is_active,"
                                   " revision, updated_at, updated_by) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM"
                                   " library_item), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8__library_kind_name(r->kind));
    igny8__db_bind_text(s, 2, r->name);
    igny8__db_bind_text(s, 3, r->description);
    igny8__db_bind_text(s, 4, r->category);
    igny8__db_bind_text(s, 5, r->fields);
    igny8__db_bind_int(s, 6, r->is_active != 0);
    igny8__db_bind_int(s, 7, r->revision);
    igny8__db_bind_text(s, 8, r->updated_at);
    igny8__db_bind_text(s, 9, r->updated_by);
    return name_taken(insert_returning_id(st, s, "insert library item", out_id), r);
}

int igny8__db_library_update(igny8_store *st, const igny8__library_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE library_item SET name = ?2, description = ?3, category = ?4, fields = ?5,"
                                   " is_active = ?6, revision = ?7, updated_at = ?8, updated_by = ?9 WHERE id = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, r->id);
    igny8__db_bind_text(s, 2, r->name);
    igny8__db_bind_text(s, 3, r->description);
    igny8__db_bind_text(s, 4, r->category);
    igny8__db_bind_text(s, 5, r->fields);
    igny8__db_bind_int(s, 6, r->is_active != 0);
    igny8__db_bind_int(s, 7, r->revision);
    igny8__db_bind_text(s, 8, r->updated_at);
    igny8__db_bind_text(s, 9, r->updated_by);
    return name_taken(igny8__db_exec_stmt(st, s, "update library item"), r);
}

int igny8__db_library_get(igny8_store *st, int kind, int64_t id, igny8__library_row *out)
{
    igny8__stmt *s;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, GLOBAL_SELECT " WHERE i.kind = ? AND i.id = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8__library_kind_name(kind));
    igny8__db_bind_int(s, 2, id);
    rc = get_one(st, s, kind, 0, out, "read library item");
    if (rc == IGNY8_ENOTFOUND)
        return igny8__error_set(IGNY8_ENOTFOUND, "id", "%s %lld does not exist", igny8__library_kind_name(kind),
                                (long long)id);
    return rc;
}

int igny8__db_library_each(igny8_store *st, int kind, const igny8__library_filter *f, igny8__library_fn fn,
                           void *payload)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, GLOBAL_SELECT " WHERE i.kind = ?1 AND (CAST(?2 AS TEXT) IS NULL OR i.category = ?2)"
                                   " AND (CAST(?3 AS INTEGER) IS NULL OR i.is_active = ?3) ORDER BY i.name, i.id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8__library_kind_name(kind));
    if (f) {
        igny8__db_bind_text(s, 2, f->category);
        igny8__db_bind_int_or_null(s, 3, f->active, f->active >= 0);
    }
    return each_row(st, s, kind, 0, f ? f->search : NULL, fn, payload);
}

/* ---- the accounts' copies ---- */

int igny8__db_library_copy_insert(igny8_store *st, const igny8__library_row *r, int64_t *out_id)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO account_library_item (id, account_id, kind, source_id, based_on_revision,"
                                   " based_on, name, description, category, fields, is_active, updated_at, updated_by)"
                                   " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM account_library_item),"
                                   " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, r->account_id);
    igny8__db_bind_text(s, 2, igny8__library_kind_name(r->kind));
    igny8__db_bind_int(s, 3, r->source_id);
    igny8__db_bind_int(s, 4, r->based_on_revision);
    igny8__db_bind_text(s, 5, r->based_on);
    igny8__db_bind_text(s, 6, r->name);
    igny8__db_bind_text(s, 7, r->description);
    igny8__db_bind_text(s, 8, r->category);
    igny8__db_bind_text(s, 9, r->fields);
    igny8__db_bind_int(s, 10, r->is_active != 0);
    igny8__db_bind_text(s, 11, r->updated_at);
    igny8__db_bind_text(s, 12, r->updated_by);
    return insert_returning_id(st, s, "insert library copy", out_id);
}

int igny8__db_library_copy_update(igny8_store *st, const igny8__library_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE account_library_item SET based_on_revision = ?2, based_on = ?3, name = ?4,"
                                   " description = ?5, category = ?6, fields = ?7, is_active = ?8, updated_at = ?9,"
                                   " updated_by = ?10 WHERE id = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, r->id);
    igny8__db_bind_int(s, 2, r->based_on_revision);
    igny8__db_bind_text(s, 3, r->based_on);
    igny8__db_bind_text(s, 4, r->name);
    igny8__db_bind_text(s, 5, r->description);
    igny8__db_bind_text(s, 6, r->category);
    igny8__db_bind_text(s, 7, r->fields);
    igny8__db_bind_int(s, 8, r->is_active != 0);
    igny8__db_bind_text(s, 9, r->updated_at);
    igny8__db_bind_text(s, 10, r->updated_by);
    return igny8__db_exec_stmt(st, s, "update library copy");
}

int igny8__db_library_copy_get(igny8_store *st, int kind, int64_t account_id, int64_t id, igny8__library_row *out)
{
    igny8__stmt *s;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, COPY_SELECT " WHERE c.kind = ? AND c.account_id = ? AND c.id = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8__library_kind_name(kind));
    igny8__db_bind_int(s, 2, account_id);
    igny8__db_bind_int(s, 3, id);
    rc = get_one(st, s, kind, 1, out, "read library copy");
    if (rc == IGNY8_ENOTFOUND)
        return igny8__error_set(IGNY8_ENOTFOUND, "id", "account %lld has no %s copy %lld", (long long)account_id,
                                igny8__library_kind_name(kind), (long long)id);
    return rc;
}

int igny8__db_library_copy_find(igny8_store *st, int64_t account_id, int64_t source_id, int64_t *out_id)
{
    igny8__stmt *s;
    int found;
    *out_id = 0;
    int rc = igny8__db_prepare(st, "SELECT id FROM account_library_item WHERE account_id = ? AND source_id = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_int(s, 2, source_id);
    rc = igny8__db_step_row(st, s, "find library copy", &found);
    if (rc == IGNY8_OK && found)
        *out_id = igny8__db_col_int(s, 0);
    igny8__db_reset(s);
    return rc;
}

int igny8__db_library_copy_delete(igny8_store *st, int kind, int64_t account_id, int64_t id)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM account_library_item WHERE kind = ? AND account_id = ? AND id = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8__library_kind_name(kind));
    igny8__db_bind_int(s, 2, account_id);
    igny8__db_bind_int(s, 3, id);
    return igny8__db_exec_stmt(st, s, "delete library copy");
}

int igny8__db_library_copy_each(igny8_store *st, int kind, int64_t account_id, igny8__library_fn fn, void *payload)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, COPY_SELECT " WHERE c.kind = ? AND c.account_id = ? ORDER BY c.name, c.id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, igny8__library_kind_name(kind));
    igny8__db_bind_int(s, 2, account_id);
    return each_row(st, s, kind, 1, NULL, fn, payload);
}
