/* SQL of the operations area: the providers' connection tests, the connection status
 * (the last test per integration and key owner) and the store's health figures. */
#include "db_internal.h"

int igny8__db_provider_test_get(igny8_store *st, const char *provider, char **kind, char **default_base_url)
{
    sqlite3_stmt *s;
    *kind = NULL;
    *default_base_url = NULL;
    int rc = igny8__db_prepare(st, "SELECT connection_test, default_base_url FROM provider WHERE name = ?", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, provider);
    int found;
    if ((rc = igny8__db_step_row(st, s, "read provider", &found)) != IGNY8_OK)
        return rc;
    if (!found)
        return igny8__error_set(IGNY8_ENOTFOUND, "provider", "provider '%.64s' is not known", provider);
    rc = igny8__db_col_str(s, 0, kind);
    if (rc == IGNY8_OK)
        rc = igny8__db_col_str(s, 1, default_base_url);
    sqlite3_reset(s);
    if (rc != IGNY8_OK) {
        igny8__free(*kind);
        igny8__free(*default_base_url);
        *kind = *default_base_url = NULL;
    }
    return rc;
}

int igny8__db_conn_status_put(igny8_store *st, const igny8__conn_status_row *r)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "INSERT OR REPLACE INTO connection_status (integration, account_id, tested_at,"
                                   " ok, http_status, latency_ms, error_class, message)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->integration);
    sqlite3_bind_int64(s, 2, r->account_id);
    igny8__db_bind_text(s, 3, r->tested_at);
    sqlite3_bind_int(s, 4, r->ok != 0);
    igny8__db_bind_int_or_null(s, 5, r->http_status, r->http_status > 0);
    igny8__db_bind_double(s, 6, r->latency_ms);
    igny8__db_bind_text(s, 7, r->error_class);
    igny8__db_bind_text(s, 8, r->message);
    return igny8__db_exec_stmt(st, s, "write connection status");
}

int igny8__db_conn_status_each(igny8_store *st, const char *integration, int64_t account_id,
                               igny8__conn_status_fn fn, void *payload)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st,
        "SELECT c.integration, i.provider, c.account_id, c.tested_at, c.ok, c.http_status, c.latency_ms,"
        " c.error_class, c.message FROM connection_status c JOIN integration i ON i.name = c.integration"
        " WHERE (?1 IS NULL OR c.integration = ?1) AND (?2 < 0 OR c.account_id = ?2)"
        " ORDER BY c.integration, c.account_id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, integration);
    sqlite3_bind_int64(s, 2, account_id);
    int step = SQLITE_DONE;
    while (rc == IGNY8_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        igny8__conn_status_row row = {
            igny8__db_col_text(s, 0), igny8__db_col_text(s, 1), sqlite3_column_int64(s, 2),
            igny8__db_col_text(s, 3), sqlite3_column_int(s, 4), sqlite3_column_int(s, 5),
            igny8__db_col_double(s, 6), igny8__db_col_text(s, 7), igny8__db_col_text(s, 8)
        };
        rc = fn(payload, &row);
    }
    if (rc == IGNY8_OK && step != SQLITE_DONE)
        return igny8__db_fail(st, s, step, "read connection status");
    sqlite3_reset(s);
    return rc;
}

int igny8__db_quick_check(igny8_store *st, char **out)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "PRAGMA quick_check(1)", &s);
    return rc == IGNY8_OK ? igny8__db_step_string(st, s, "check the store", out) : rc;
}

int igny8__db_health_counts(igny8_store *st, igny8__health_counts *out)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st,
        "SELECT (SELECT count(*) FROM model), (SELECT count(*) FROM model WHERE is_active = 1),"
        " (SELECT count(*) FROM (SELECT account_id FROM account_integration"
        "   UNION SELECT account_id FROM account_provider"
        "   UNION SELECT account_id FROM account_operation_model"
        "   UNION SELECT account_id FROM account_module)),"
        " (SELECT count(*) FROM account_prompt), (SELECT count(*) FROM account_library_item)", &s);
    if (rc != IGNY8_OK)
        return rc;
    int found;
    if ((rc = igny8__db_step_row(st, s, "count rows", &found)) != IGNY8_OK || !found)
        return rc;
    out->models = sqlite3_column_int64(s, 0);
    out->active_models = sqlite3_column_int64(s, 1);
    out->accounts_with_overrides = sqlite3_column_int64(s, 2);
    out->customized_prompts = sqlite3_column_int64(s, 3);
    out->library_copies = sqlite3_column_int64(s, 4);
    sqlite3_reset(s);
    return IGNY8_OK;
}
