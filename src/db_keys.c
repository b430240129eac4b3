/* SQL of keys at rest: the master keys a store's API keys are sealed under, and every
 * stored key at once (the open-time sealing of plain keys and the rotation). */
#include <string.h>

#include "db_backend.h"

int igny8__db_master_key_check(igny8_store *st, const char *key_id, char **check)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "SELECT check_value FROM master_key WHERE key_id = ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, key_id);
    return igny8__db_step_string(st, s, "read the master keys", check);
}

int igny8__db_master_key_count(igny8_store *st, int *out)
{
    igny8__stmt *s;
    int found = 0, rc = igny8__db_prepare(st, "SELECT count(*) FROM master_key", &s);
    if (rc == IGNY8_OK && (rc = igny8__db_step_row(st, s, "count the master keys", &found)) == IGNY8_OK && found) {
        *out = (int)igny8__db_col_int(s, 0);
        igny8__db_reset(s);
    }
    return rc;
}

int igny8__db_master_key_add(igny8_store *st, const char *key_id, const char *check, const char *at, const char *by)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO master_key (key_id, check_value, added_at, added_by)"
                                   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key_id) DO NOTHING", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, key_id);
    igny8__db_bind_text(s, 2, check);
    igny8__db_bind_text(s, 3, at);
    igny8__db_bind_text(s, 4, by);
    return igny8__db_exec_stmt(st, s, "record the master key");
}

int igny8__db_master_keys_clear(igny8_store *st, const char *keep_id)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "DELETE FROM master_key WHERE key_id <> ?1", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, keep_id);
    return igny8__db_exec_stmt(st, s, "forget the old master keys");
}

typedef struct {
    igny8__stored_key_row *rows;
    size_t n, cap;
} key_list;

static int read_key_row(igny8__stmt *s, void *ctx)
{
    key_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        igny8__stored_key_row *rows = igny8__realloc(l->rows, cap * sizeof(*rows));
        if (rows == NULL)
            return igny8__error_oom();
        l->rows = rows;
        l->cap = cap;
    }
    igny8__stored_key_row *r = &l->rows[l->n];
    memset(r, 0, sizeof(*r));
    r->account_id = igny8__db_col_int(s, 0);
    l->n++;
    int rc = igny8__db_col_str(s, 1, &r->integration);
    return rc == IGNY8_OK ? igny8__db_col_str(s, 2, &r->stored) : rc;
}

int igny8__db_stored_keys(igny8_store *st, igny8__stored_key_row **rows, size_t *n)
{
    key_list l = { NULL, 0, 0 };
    int rc = igny8__db_query_each(st,
        "SELECT 0, name, api_key FROM integration WHERE api_key IS NOT NULL"
        " UNION ALL SELECT account_id, integration, api_key FROM account_integration WHERE api_key IS NOT NULL"
        " ORDER BY 1, 2", "read the stored keys", read_key_row, &l);
    if (rc != IGNY8_OK) {
        igny8__stored_keys_free(l.rows, l.n);
        l.rows = NULL;
        l.n = 0;
    }
    *rows = l.rows;
    *n = l.n;
    return rc;
}

void igny8__stored_keys_free(igny8__stored_key_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        igny8__free(rows[i].integration);
        igny8__free_secret(rows[i].stored);
    }
    igny8__free(rows);
}

int igny8__db_stored_key_set(igny8_store *st, int64_t account_id, const char *integration, const char *stored)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, account_id == 0
                                   ? "UPDATE integration SET api_key = ?3 WHERE name = ?2"
                                   : "UPDATE account_integration SET api_key = ?3 WHERE account_id = ?1"
                                     " AND integration = ?2", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_int(s, 1, account_id);
    igny8__db_bind_text(s, 2, integration);
    igny8__db_bind_text(s, 3, stored);
    return igny8__db_exec_stmt(st, s, "write a stored key");
}
