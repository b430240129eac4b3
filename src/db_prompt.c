/* SQL of prompt types, their immutable versions and the accounts' customisations. */
#include <string.h>

#include "db_backend.h"

void igny8__prompt_type_row_clear(igny8__prompt_type_row *r)
{
    igny8__free(r->name);
    memset(r, 0, sizeof(*r));
}

int igny8__db_prompt_type_insert(igny8_store *st, const char *name, const char *now, const char *actor)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO prompt_type (name, updated_at, updated_by) VALUES (?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_text(s, 2, now);
    igny8__db_bind_text(s, 3, actor);
    rc = igny8__db_exec_stmt(st, s, "insert prompt type");
    return rc == IGNY8_EEXISTS ? igny8__error_set(IGNY8_EEXISTS, "prompt_type", "prompt type '%s' exists already", name)
                               : rc;
}

#define TYPE_COLUMNS "t.name, t.is_active, coalesce(t.published_version, 0)," \
    " (SELECT coalesce(max(version), 0) FROM prompt_version v WHERE v.prompt_type = t.name) FROM prompt_type t"

static int read_type(igny8__stmt *s, igny8__prompt_type_row *out)
{
    out->is_active = igny8__db_col_int(s, 1);
    out->published_version = igny8__db_col_int(s, 2);
    out->latest_version = igny8__db_col_int(s, 3);
    return igny8__db_col_str(s, 0, &out->name);
}

int igny8__db_prompt_type_get(igny8_store *st, const char *name, igny8__prompt_type_row *out)
{
    igny8__stmt *s;
    int found;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, "SELECT " TYPE_COLUMNS " WHERE t.name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    if ((rc = igny8__db_step_row(st, s, "read prompt type", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ENOTFOUND, "prompt_type", "prompt type '%.64s' is not known", name);
    rc = read_type(s, out);
    igny8__db_reset(s);
    return rc;
}

int igny8__db_prompt_type_update(igny8_store *st, const igny8__prompt_type_row *r, const char *now, const char *actor)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE prompt_type SET is_active = ?2, published_version = ?3, updated_at = ?4,"
                                   " updated_by = ?5 WHERE name = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->name);
    igny8__db_bind_int(s, 2, r->is_active != 0);
    igny8__db_bind_int_or_null(s, 3, r->published_version, r->published_version > 0);
    igny8__db_bind_text(s, 4, now);
    igny8__db_bind_text(s, 5, actor);
    return igny8__db_exec_stmt(st, s, "update prompt type");
}

struct type_ctx { igny8__prompt_type_fn fn; void *payload; };

static int read_each_type(igny8__stmt *s, void *ctx)
{
    const struct type_ctx *c = ctx;
    igny8__prompt_type_row row = { 0 };
    int rc = read_type(s, &row);
    if (rc == IGNY8_OK)
        rc = c->fn(c->payload, &row);
    igny8__prompt_type_row_clear(&row);
    return rc;
}

int igny8__db_prompt_type_each(igny8_store *st, igny8__prompt_type_fn fn, void *payload)
{
    struct type_ctx c = { fn, payload };
    return igny8__db_query_each(st, "SELECT " TYPE_COLUMNS " ORDER BY t.name", "list prompt types", read_each_type, &c);
}

/* ---- versions ---- */

void igny8__prompt_row_clear(igny8__prompt_row *p)
{
    char *strings[] = { p->prompt_type, p->value, p->variables, p->description, p->message, p->author,
                        p->created_at, p->default_prompt };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        igny8__free(strings[i]);
    memset(p, 0, sizeof(*p));
}

int igny8__db_prompt_version_insert(igny8_store *st, const igny8__prompt_row *p)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO prompt_version (prompt_type, version, value, description, message,"
                                   " variables, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, p->prompt_type);
    igny8__db_bind_int(s, 2, p->version);
    igny8__db_bind_text(s, 3, p->value);
    igny8__db_bind_text(s, 4, p->description);
    igny8__db_bind_text(s, 5, p->message);
    igny8__db_bind_text(s, 6, p->variables);
    igny8__db_bind_text(s, 7, p->author);
    igny8__db_bind_text(s, 8, p->created_at);
    return igny8__db_exec_stmt(st, s, "insert prompt version");
}

#define VERSION_COLUMNS "v.prompt_type, v.version, v.value, v.description, v.message, v.variables, v.author," \
    " v.created_at, CASE WHEN coalesce(t.published_version, 0) = v.version THEN 1 ELSE 0 END, t.is_active" \
    " FROM prompt_version v JOIN prompt_type t ON t.name = v.prompt_type"

/* Fill p from a VERSION_COLUMNS row. */
static int read_version(igny8__stmt *s, igny8__prompt_row *p)
{
    char **strings[] = { &p->prompt_type, NULL, &p->value, &p->description, &p->message, &p->variables,
                         &p->author, &p->created_at };
    int rc = IGNY8_OK;
    memset(p, 0, sizeof(*p));
    for (int i = 0; rc == IGNY8_OK && i < (int)IGNY8__ARRAY_LEN(strings); i++)
        if (strings[i])
            rc = igny8__db_col_str(s, i, strings[i]);
    p->version = (int)igny8__db_col_int(s, 1);
    p->is_published = (int)igny8__db_col_int(s, 8);
    p->is_active = (int)igny8__db_col_int(s, 9);
    if (rc != IGNY8_OK)
        igny8__prompt_row_clear(p);
    return rc;
}

int igny8__db_prompt_version_get(igny8_store *st, const char *type, int version, igny8__prompt_row *out)
{
    igny8__stmt *s;
    int found;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, "SELECT " VERSION_COLUMNS " WHERE v.prompt_type = ? AND v.version = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, type);
    igny8__db_bind_int(s, 2, version);
    if ((rc = igny8__db_step_row(st, s, "read prompt version", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ENOTFOUND, "version", "prompt type '%.64s' has no version %d", type, version);
    rc = read_version(s, out);
    igny8__db_reset(s);
    return rc;
}

struct version_ctx { igny8__prompt_fn fn; void *payload; };

static int read_each_version(igny8__stmt *s, void *ctx)
{
    const struct version_ctx *c = ctx;
    igny8__prompt_row p;
    int rc = read_version(s, &p);
    if (rc == IGNY8_OK) {
        rc = c->fn(c->payload, &p);
        igny8__prompt_row_clear(&p);
    }
    return rc;
}

int igny8__db_prompt_version_each(igny8_store *st, const char *type, igny8__prompt_fn fn, void *payload)
{
    igny8__stmt *s;
    struct version_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT " VERSION_COLUMNS " WHERE v.prompt_type = ? ORDER BY v.version DESC", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, type);
    return igny8__db_each(st, s, "list prompt versions", read_each_version, &c);
}

/* ---- accounts ---- */

int igny8__db_account_prompt_get(igny8_store *st, int64_t account_id, const char *type, igny8__prompt_row *out,
                                 int *found)
{
    igny8__stmt *s;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, "SELECT prompt_value, default_prompt, based_on_version, updated_by, updated_at"
                                   " FROM account_prompt WHERE account_id = ? AND prompt_type = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, type);
    if ((rc = igny8__db_step_row(st, s, "read account prompt", found)) != IGNY8_OK || !*found)
        return rc;
    rc = igny8__db_col_str(s, 0, &out->value);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 1, &out->default_prompt);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 3, &out->author);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 4, &out->created_at);
    out->based_on_version = (int)igny8__db_col_int(s, 2);
    igny8__db_reset(s);
    if (rc != IGNY8_OK)
        igny8__prompt_row_clear(out);
    return rc;
}

int igny8__db_account_prompt_put(igny8_store *st, int64_t account_id, const igny8__prompt_row *p)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO account_prompt (account_id, prompt_type, prompt_value, default_prompt,"
                                   " based_on_version, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                                   " ON CONFLICT (account_id, prompt_type) DO UPDATE SET"
                                   " prompt_value = excluded.prompt_value, default_prompt = excluded.default_prompt,"
                                   " based_on_version = excluded.based_on_version, updated_at = excluded.updated_at,"
                                   " updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, p->prompt_type);
    igny8__db_bind_text(s, 3, p->value);
    igny8__db_bind_text(s, 4, p->default_prompt);
    igny8__db_bind_int(s, 5, p->based_on_version);
    igny8__db_bind_text(s, 6, p->created_at);
    igny8__db_bind_text(s, 7, p->author);
    return igny8__db_exec_stmt(st, s, "write account prompt");
}

int igny8__db_account_prompt_delete(igny8_store *st, int64_t account_id, const char *type)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM account_prompt WHERE account_id = ? AND prompt_type = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, type);
    return igny8__db_exec_stmt(st, s, "delete account prompt");
}

struct stale_ctx { igny8__account_version_fn fn; void *payload; };

static int read_stale(igny8__stmt *s, void *ctx)
{
    const struct stale_ctx *c = ctx;
    return c->fn(c->payload, igny8__db_col_int(s, 0), (int)igny8__db_col_int(s, 1));
}

int igny8__db_account_prompt_stale_each(igny8_store *st, const char *type, int version,
                                        igny8__account_version_fn fn, void *payload)
{
    igny8__stmt *s;
    struct stale_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT account_id, based_on_version FROM account_prompt"
                                   " WHERE prompt_type = ? AND based_on_version < ? ORDER BY account_id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, type);
    igny8__db_bind_int(s, 2, version);
    return igny8__db_each(st, s, "list stale account prompts", read_stale, &c);
}
