/* SQL of the operations area: the providers' connection tests, the connection status
 * (the last test per integration and key owner) and the store's health figures. */
#include "db_backend.h"

int igny8__db_provider_test_get(igny8_store *st, const char *provider, char **kind, char **default_base_url)
{
    igny8__stmt *s;
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
    igny8__db_reset(s);
    if (rc != IGNY8_OK) {
        igny8__free(*kind);
        igny8__free(*default_base_url);
        *kind = *default_base_url = NULL;
    }
    return rc;
}

int igny8__db_conn_status_put(igny8_store *st, const igny8__conn_status_row *r)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st, "INSERT INTO connection_status (integration, account_id, tested_at, ok, http_status,"
                                   " latency_ms, error_class, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                                   " ON CONFLICT (integration, account_id) DO UPDATE SET tested_at = excluded.tested_at,"
                                   " ok = excluded.ok, http_status = excluded.http_status,"
                                   " latency_ms = excluded.latency_ms, error_class = excluded.error_class,"
                                   " message = excluded.message", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, r->integration);
    igny8__db_bind_int(s, 2, r->account_id);
    igny8__db_bind_text(s, 3, r->tested_at);
    igny8__db_bind_int(s, 4, r->ok != 0);
    igny8__db_bind_int_or_null(s, 5, r->http_status, r->http_status > 0);
    igny8__db_bind_double(s, 6, r->latency_ms);
    igny8__db_bind_text(s, 7, r->error_class);
    igny8__db_bind_text(s, 8, r->message);
    return igny8__db_exec_stmt(st, s, "write connection status");
}

struct status_ctx { igny8__conn_status_fn fn; void *payload; };

static int read_status(igny8__stmt *s, void *ctx)
{
    const struct status_ctx *c = ctx;
    igny8__conn_status_row row = {
        igny8__db_col_text(s, 0), igny8__db_col_text(s, 1), igny8__db_col_int(s, 2),
        igny8__db_col_text(s, 3), (int)igny8__db_col_int(s, 4), (int)igny8__db_col_int(s, 5),
        igny8__db_col_double(s, 6), igny8__db_col_text(s, 7), igny8__db_col_text(s, 8)
    };
    return c->fn(c->payload, &row);
}

int igny8__db_conn_status_each(igny8_store *st, const char *integration, int64_t account_id,
                               igny8__conn_status_fn fn, void *payload)
{
    igny8__stmt *s;
    struct status_ctx c = { fn, payload };
    int rc = igny8__db_prepare(st,
        "SELECT c.integration, i.provider, c.account_id, c.tested_at, c.ok, c.http_status, c.latency_ms,"
        " c.error_class, c.message FROM connection_status c JOIN integration i ON i.name = c.integration"
        " WHERE (CAST(?1 AS TEXT) IS NULL OR c.integration = ?1) AND (CAST(?2 AS BIGINT) < 0 OR c.account_id = ?2)"
        " ORDER BY c.integration, c.account_id", &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__db_bind_text(s, 1, integration);
    igny8__db_bind_int(s, 2, account_id);
    return igny8__db_each(st, s, "read connection status", read_status, &c);
}

int igny8__db_health_counts(igny8_store *st, igny8__health_counts *out)
{
    igny8__stmt *s;
    int rc = igny8__db_prepare(st,
        "SELECT (SELECT count(*) FROM model), (SELECT count(*) FROM model WHERE is_active = 1),"
        " (SELECT count(*) FROM (SELECT account_id FROM account_integration"
        "   UNION SELECT account_id FROM account_provider"
        "   UNION SELECT account_id FROM account_operation_model"
        "   UNION SELECT account_id FROM account_module) AS a),"
        " (SELECT count(*) FROM account_prompt), (SELECT count(*) FROM account_library_item),"
        " (SELECT count(*) FROM access_group),"
        " (SELECT count(*) FROM account_access),"
        " (SELECT count(*) FROM fallback_chain)", &s);
    if (rc != IGNY8_OK)
        return rc;
    int found;
    if ((rc = igny8__db_step_row(st, s, "count rows", &found)) != IGNY8_OK || !found)
        return rc;
    out->models = igny8__db_col_int(s, 0);
    out->active_models = igny8__db_col_int(s, 1);
    out->accounts_with_overrides = igny8__db_col_int(s, 2);
    out->customized_prompts = igny8__db_col_int(s, 3);
    out->library_copies = igny8__db_col_int(s, 4);
    out->access_groups = igny8__db_col_int(s, 5);
    out->accounts_with_plans = igny8__db_col_int(s, 6);
    out->fallback_chains = igny8__db_col_int(s, 7);
    igny8__db_reset(s);
    return IGNY8_OK;
}
