/* SQL of the module toggles (tables module and account_module). */
#include "db_backend.h"

static int not_found(const char *name)
{
    return igny8__error_set(IGNY8_ENOTFOUND, "module", "unknown module '%.64s'", name);
}

int igny8__db_module_insert(igny8_store *st, const char *name, const char *description, int enabled,
                            const char *now, const char *actor)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO module (name, description, enabled, updated_at, updated_by)"
                                   " VALUES (?, ?, ?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_text(s, 2, description);
    igny8__db_bind_int(s, 3, enabled != 0);
    igny8__db_bind_text(s, 4, now);
    igny8__db_bind_text(s, 5, actor);
    rc = igny8__db_exec_stmt(st, s, "add module");
    if (rc != IGNY8_OK && igny8__db_constraint(st) == IGNY8__CONSTRAINT_UNIQUE)
        return igny8__error_set(IGNY8_EEXISTS, "name", "module '%s' exists already", name);
    return rc;
}

int igny8__db_module_get(igny8_store *st, int64_t account_id, const char *name, int *enabled,
                         int *account_enabled)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT m.enabled, a.enabled FROM module m LEFT JOIN account_module a"
                                   " ON a.module = m.name AND a.account_id = ?2 WHERE m.name = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    igny8__db_bind_int_or_null(s, 2, account_id, account_id > 0);
    int found;
    if ((rc = igny8__db_step_row(st, s, "read module", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return not_found(name);
    if (enabled)
        *enabled = igny8__db_col_int(s, 0) != 0;
    if (account_enabled)
        *account_enabled = igny8__db_col_is_null(s, 1) ? -1 : igny8__db_col_int(s, 1) != 0;
    igny8__db_reset(s);
    return IGNY8_OK;
}

int igny8__db_module_set(igny8_store *st, const char *name, int enabled, const char *now,
                         const char *actor)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "UPDATE module SET enabled = ?, updated_at = ?, updated_by = ?"
                                   " WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, enabled != 0);
    igny8__db_bind_text(s, 2, now);
    igny8__db_bind_text(s, 3, actor);
    igny8__db_bind_text(s, 4, name);
    rc = igny8__db_exec_stmt(st, s, "update module");
    if (rc == IGNY8_OK && igny8__db_changes(st) == 0)
        return not_found(name);
    return rc;
}

static int account_delete(igny8_store *st, int64_t account_id, const char *name)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM account_module WHERE account_id = ? AND module = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, name);
    return igny8__db_exec_stmt(st, s, "remove module override");
}

int igny8__db_module_account_set(igny8_store *st, int64_t account_id, const char *name, int enabled,
                                 const char *now, const char *actor)
{
    if (enabled < 0)
        return account_delete(st, account_id, name);
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO account_module (account_id, module, enabled, updated_at,"
                                   " updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, module)"
                                   " DO UPDATE SET enabled = excluded.enabled,"
                                   " updated_at = excluded.updated_at, updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, name);
    igny8__db_bind_int(s, 3, enabled != 0);
    igny8__db_bind_text(s, 4, now);
    igny8__db_bind_text(s, 5, actor);
    rc = igny8__db_exec_stmt(st, s, "set module override");
    if (rc != IGNY8_OK && igny8__db_constraint(st) == IGNY8__CONSTRAINT_FOREIGN_KEY)
        return not_found(name);
    return rc;
}

struct module_ctx { igny8__module_fn fn; void *payload; };

static int read_module(igny8__stmt *s, void *ctx)
{
    const struct module_ctx *c = ctx;
    igny8__module_row row = {
        igny8__db_col_text(s, 0), igny8__db_col_text(s, 1), igny8__db_col_int(s, 2) != 0,
        igny8__db_col_is_null(s, 3) ? -1 : igny8__db_col_int(s, 3) != 0
    };
    return c->fn(c->payload, &row);
}

int igny8__db_module_each(igny8_store *st, int64_t account_id, igny8__module_fn fn, void *payload)
{
    igny8__stmt *s;
    struct module_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT m.name, m.description, m.enabled, a.enabled FROM module m"
                                   " LEFT JOIN account_module a ON a.module = m.name AND a.account_id = ?1"
                                   " ORDER BY m.name", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int_or_null(s, 1, account_id, account_id > 0);
    return igny8__db_each(st, s, "list modules", read_module, &c);
}
