/* SQL of plans and fallbacks: access groups and their models, accounts' access rows and
 * own additions or removals, and fallback chains (the platform's: account_id 0). */
#include <math.h>
#include <string.h>

#include "db_backend.h"

/* ---- access groups ---- */

void igny8__access_group_row_clear(igny8__access_group_row *r)
{
    igny8__free(r->name);
    igny8__free(r->description);
    igny8__free(r->updated_at);
    igny8__free(r->updated_by);
    memset(r, 0, sizeof(*r));
}

#define GROUP_COLUMNS \
    "SELECT g.name, g.description, g.updated_at, g.updated_by," \
    " (SELECT count(*) FROM account_access a WHERE a.group_name = g.name) FROM access_group g"

static int read_group(igny8__stmt *s, igny8__access_group_row *r)
{
    memset(r, 0, sizeof(*r));
    int rc = igny8__db_col_str(s, 0, &r->name);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 1, &r->description);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 2, &r->updated_at);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 3, &r->updated_by);
    r->accounts = igny8__db_col_int(s, 4);
    if (rc != IGNY8_OK)
        igny8__access_group_row_clear(r);
    return rc;
}

int igny8__db_access_group_get(igny8_store *st, const char *name, igny8__access_group_row *out, int *found)
{
    igny8__stmt *s;
    memset(out, 0, sizeof(*out));
    int rc = igny8__db_prepare(st, GROUP_COLUMNS " WHERE g.name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    if ((rc = igny8__db_step_row(st, s, "read access group", found)) != IGNY8_OK || !*found)
        return rc;
    rc = read_group(s, out);
    igny8__db_reset(s);
    return rc;
}

struct group_ctx { igny8__access_group_fn fn; void *payload; };

static int each_group(igny8__stmt *s, void *ctx)
{
    const struct group_ctx *c = ctx;
    igny8__access_group_row r;
    int rc = read_group(s, &r);
    if (rc == IGNY8_OK)
        rc = c->fn(c->payload, &r);
    igny8__access_group_row_clear(&r);
    return rc;
}

int igny8__db_access_group_each(igny8_store *st, igny8__access_group_fn fn, void *payload)
{
    struct group_ctx c = { fn, payload };
    return igny8__db_query_each(st, GROUP_COLUMNS " ORDER BY g.name", "list access groups", each_group, &c);
}

int igny8__db_access_group_put(igny8_store *st, const igny8__access_group_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO access_group (name, description, updated_at, updated_by)"
                                   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET"
                                   " description = excluded.description, updated_at = excluded.updated_at,"
                                   " updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->name);
    igny8__db_bind_text(s, 2, r->description);
    igny8__db_bind_text(s, 3, r->updated_at);
    igny8__db_bind_text(s, 4, r->updated_by);
    return igny8__db_exec_stmt(st, s, "write access group");
}

int igny8__db_access_group_delete(igny8_store *st, const char *name)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM access_group WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    return igny8__db_exec_stmt(st, s, "delete access group");
}

struct pair_ctx { igny8__pair_fn fn; void *payload; };

static int each_pair(igny8__stmt *s, void *ctx)
{
    const struct pair_ctx *c = ctx;
    return c->fn(c->payload, igny8__db_col_text(s, 0), igny8__db_col_text(s, 1));
}

int igny8__db_access_group_models_each(igny8_store *st, const char *name, igny8__pair_fn fn, void *payload)
{
    igny8__stmt *s;
    struct pair_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT g.name, m.model_name FROM access_group g"
                                   " LEFT JOIN access_group_model m ON m.group_name = g.name"
                                   " WHERE CAST(?1 AS TEXT) IS NULL OR g.name = ?1 ORDER BY g.name, m.model_name", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    return igny8__db_each(st, s, "read access group models", each_pair, &c);
}

int igny8__db_access_group_models_set(igny8_store *st, const char *name, const char *const *models, size_t n)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM access_group_model WHERE group_name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, name);
    rc = igny8__db_exec_stmt(st, s, "write access group models");
    for (size_t i = 0; rc == IGNY8_OK && i < n; i++) {
        if ((rc = igny8__db_prepare(st, "INSERT INTO access_group_model (group_name, model_name) VALUES (?, ?)",
                                    &s)) != IGNY8_OK)
            break;
        igny8__db_bind_text(s, 1, name);
        igny8__db_bind_text(s, 2, models[i]);
        rc = igny8__db_exec_stmt(st, s, "write access group models");
    }
    return rc;
}

/* ---- accounts' access ---- */

void igny8__account_access_row_init(igny8__account_access_row *r)
{
    memset(r, 0, sizeof(*r));
    r->max_cost_per_1k_tokens = r->max_cost_per_image = NAN;
}

void igny8__account_access_row_clear(igny8__account_access_row *r)
{
    igny8__free(r->group);
    igny8__free(r->updated_at);
    igny8__free(r->updated_by);
    igny8__account_access_row_init(r);
}

#define ACCESS_COLUMNS \
    "SELECT account_id, group_name, max_cost_per_1k_tokens, max_cost_per_image, updated_at, updated_by" \
    " FROM account_access"

static int read_access(igny8__stmt *s, igny8__account_access_row *r)
{
    igny8__account_access_row_init(r);
    r->exists = 1;
    r->max_cost_per_1k_tokens = igny8__db_col_double(s, 2);
    r->max_cost_per_image = igny8__db_col_double(s, 3);
    int rc = igny8__db_col_str(s, 1, &r->group);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 4, &r->updated_at);
    if (rc == IGNY8_OK) rc = igny8__db_col_str(s, 5, &r->updated_by);
    if (rc != IGNY8_OK)
        igny8__account_access_row_clear(r);
    return rc;
}

int igny8__db_account_access_get(igny8_store *st, int64_t account_id, igny8__account_access_row *out)
{
    igny8__stmt *s;
    int found = 0;
    igny8__account_access_row_init(out);
    int rc = igny8__db_prepare(st, ACCESS_COLUMNS " WHERE account_id = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    if ((rc = igny8__db_step_row(st, s, "read account access", &found)) != IGNY8_OK || !found)
        return rc;
    rc = read_access(s, out);
    igny8__db_reset(s);
    return rc;
}

struct access_ctx { igny8__account_access_fn fn; void *payload; };

static int each_access(igny8__stmt *s, void *ctx)
{
    const struct access_ctx *c = ctx;
    igny8__account_access_row r;
    int rc = read_access(s, &r);
    if (rc == IGNY8_OK)
        rc = c->fn(c->payload, igny8__db_col_int(s, 0), &r);
    igny8__account_access_row_clear(&r);
    return rc;
}

int igny8__db_account_access_each(igny8_store *st, igny8__account_access_fn fn, void *payload)
{
    struct access_ctx c = { fn, payload };
    return igny8__db_query_each(st, ACCESS_COLUMNS " ORDER BY account_id", "list account access", each_access, &c);
}

int igny8__db_account_access_put(igny8_store *st, int64_t account_id, const igny8__account_access_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO account_access (account_id, group_name, max_cost_per_1k_tokens,"
                                   " max_cost_per_image, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                   " ON CONFLICT (account_id) DO UPDATE SET group_name = excluded.group_name,"
                                   " max_cost_per_1k_tokens = excluded.max_cost_per_1k_tokens,"
                                   " max_cost_per_image = excluded.max_cost_per_image,"
                                   " updated_at = excluded.updated_at, updated_by = excluded.updated_by", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, r->group);
    igny8__db_bind_double(s, 3, r->max_cost_per_1k_tokens);
    igny8__db_bind_double(s, 4, r->max_cost_per_image);
    igny8__db_bind_text(s, 5, r->updated_at);
    igny8__db_bind_text(s, 6, r->updated_by);
    return igny8__db_exec_stmt(st, s, "write account access");
}

int igny8__db_account_access_prune(igny8_store *st, int64_t account_id)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM account_access WHERE account_id = ?1 AND group_name IS NULL"
                                   " AND max_cost_per_1k_tokens IS NULL AND max_cost_per_image IS NULL"
                                   " AND NOT EXISTS (SELECT 1 FROM account_access_model WHERE account_id = ?1)"
                                   " AND NOT EXISTS (SELECT 1 FROM fallback_chain WHERE account_id = ?1)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    return igny8__db_exec_stmt(st, s, "delete account access");
}

struct access_model_ctx { igny8__access_model_fn fn; void *payload; };

static int each_access_model(igny8__stmt *s, void *ctx)
{
    const struct access_model_ctx *c = ctx;
    igny8__access_model_row r = { igny8__db_col_int(s, 0), igny8__db_col_text(s, 1), (int)igny8__db_col_int(s, 2),
                                  igny8__db_col_text(s, 3), igny8__db_col_text(s, 4) };
    return c->fn(c->payload, &r);
}

int igny8__db_account_access_models_each(igny8_store *st, int64_t account_id, igny8__access_model_fn fn,
                                          void *payload)
{
    igny8__stmt *s;
    struct access_model_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT account_id, model_name, allowed, updated_at, updated_by"
                                   " FROM account_access_model WHERE CAST(?1 AS BIGINT) < 0 OR account_id = ?1"
                                   " ORDER BY account_id, model_name", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    return igny8__db_each(st, s, "read account model access", each_access_model, &c);
}

int igny8__db_account_access_model_put(igny8_store *st, const igny8__access_model_row *r)
{
    igny8__stmt *s;
    int rc = r->allowed >= 0
        ? igny8__db_prepare(st, "INSERT INTO account_access_model (account_id, model_name, allowed, updated_at,"
                                " updated_by) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, model_name) DO"
                                " UPDATE SET allowed = excluded.allowed, updated_at = excluded.updated_at,"
                                " updated_by = excluded.updated_by", &s)
        : igny8__db_prepare(st, "DELETE FROM account_access_model WHERE account_id = ?1 AND model_name = ?2", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, r->account_id);
    igny8__db_bind_text(s, 2, r->model);
    if (r->allowed >= 0) {
        igny8__db_bind_int(s, 3, r->allowed != 0);
        igny8__db_bind_text(s, 4, r->updated_at);
        igny8__db_bind_text(s, 5, r->updated_by);
    }
    return igny8__db_exec_stmt(st, s, "write account model access");
}

/* ---- fallback chains ---- */

struct chain_ctx { igny8__chain_fn fn; void *payload; };

static int each_chain(igny8__stmt *s, void *ctx)
{
    const struct chain_ctx *c = ctx;
    igny8__chain_row r = { igny8__db_col_int(s, 0), igny8__db_col_text(s, 1), igny8__db_col_text(s, 2),
                           igny8__db_col_text(s, 3), igny8__db_col_text(s, 4) };
    return c->fn(c->payload, &r);
}

int igny8__db_fallback_chain_each(igny8_store *st, int64_t account_id, igny8__chain_fn fn, void *payload)
{
    igny8__stmt *s;
    struct chain_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st, "SELECT c.account_id, c.operation, m.model_name, c.updated_at, c.updated_by"
                                   " FROM fallback_chain c LEFT JOIN fallback_chain_model m"
                                   " ON m.account_id = c.account_id AND m.operation = c.operation"
                                   " WHERE CAST(?1 AS BIGINT) < 0 OR c.account_id = ?1"
                                   " ORDER BY c.account_id, c.operation, m.position",
                               &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    return igny8__db_each(st, s, "read fallback chains", each_chain, &c);
}

int igny8__db_fallback_chain_put(igny8_store *st, int64_t account_id, const char *operation,
                                 const char *const *models, size_t n, const char *at, const char *by)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM fallback_chain WHERE account_id = ? AND operation = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, operation);
    if ((rc = igny8__db_exec_stmt(st, s, "write fallback chain")) != IGNY8_OK || models == NULL)
        return rc;
    if ((rc = igny8__db_prepare(st, "INSERT INTO fallback_chain (account_id, operation, updated_at, updated_by)"
                                    " VALUES (?, ?, ?, ?)", &s)) != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, operation);
    igny8__db_bind_text(s, 3, at);
    igny8__db_bind_text(s, 4, by);
    rc = igny8__db_exec_stmt(st, s, "write fallback chain");
    for (size_t i = 0; rc == IGNY8_OK && i < n; i++) {
        if ((rc = igny8__db_prepare(st, "INSERT INTO fallback_chain_model (account_id, operation, position, model_name)"
                                        " VALUES (?, ?, ?, ?)", &s)) != IGNY8_OK)
            break;
        igny8__db_bind_int(s, 1, account_id);
        igny8__db_bind_text(s, 2, operation);
        igny8__db_bind_int(s, 3, (int64_t)i);
        igny8__db_bind_text(s, 4, models[i]);
        rc = igny8__db_exec_stmt(st, s, "write fallback chain");
    }
    return rc;
}
