/* PostgreSQL backend: the change token the resolver's cache compares (the change log's
 * position, one round trip), the store's check and its size. Its counterpart is
 * src/sqlite/changes.c. */
#include <stdlib.h>
#include <string.h>

#include "postgres.h"

/* The highest seq of the change log, read in a statement of its own (autocommit), so in
 * a snapshot taken now: every commit that finished before this call, on any host, is in
 * it, and writers commit their seq in order (the advisory lock). With it the table's oid:
 * a store dropped and made again starts its log anew. A lost connection is tried once
 * more on a new one; a server that cannot be reached is IGNY8_EIO, never a stale "no
 * change". */
int igny8__pg_change_token(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known, int64_t *log_id)
{
    static const char sql[] = "SELECT coalesce(max(seq), 0), 'change_log'::regclass::oid::bigint FROM change_log";
    igny8__stmt *s;
    int rc = IGNY8_OK, row = 0;
    *known = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = igny8__pg_ensure_connected(st);
        if (rc == IGNY8_OK && (rc = igny8__pg_prepare(st, sql, &s)) == IGNY8_OK)
            rc = igny8__pg_step(st, s, "read the change log", &row);
        if (rc == IGNY8_OK || !igny8__pg_lost(st))
            break;
    }
    if (rc != IGNY8_OK || !row)
        return rc;
    int64_t v[2] = { igny8__pg_column_int(s, 0), igny8__pg_column_int(s, 1) };
    igny8__pg_reset(s);
    memset(out, 0, IGNY8__CHANGE_TOKEN_BYTES);
    memcpy(out, v, sizeof(v));
    *log_id = v[1];
    *known = 1;
    return IGNY8_OK;
}

/* Every table of the schema is there and igny8_meta names the version: "ok", else what
 * is missing. (PostgreSQL checks its pages itself; this is what a store can lose.) */
int igny8__pg_check_store(igny8_store *st, char **out)
{
    igny8__stmt *s;
    int rc = igny8__pg_prepare(st,
        "SELECT coalesce(string_agg(t, ', ' ORDER BY t), 'ok') FROM unnest(ARRAY['provider', 'integration', 'model',"
        " 'global_settings', 'operation', 'account_integration', 'account_provider', 'account_operation_model',"
        " 'module', 'account_module', 'audit', 'connection_status', 'prompt_type', 'prompt_version',"
        " 'account_prompt', 'library_item', 'account_library_item', 'change_log', 'igny8_meta', 'master_key']) AS t"
        " WHERE to_regclass(quote_ident(current_schema()) || '.' || t) IS NULL", &s);
    if (rc != IGNY8_OK || (rc = igny8__db_step_string(st, s, "check the store", out)) != IGNY8_OK || *out == NULL)
        return rc;
    if (strcmp(*out, "ok") == 0)
        return IGNY8_OK;
    char *missing = *out;
    size_t n = strlen(missing) + 32;
    *out = igny8__malloc(n);
    if (*out)
        snprintf(*out, n, "missing tables: %s", missing);
    igny8__free(missing);
    return *out ? IGNY8_OK : igny8__error_oom();
}

int64_t igny8__pg_size(igny8_store *st)
{
    igny8__stmt *s;
    int row = 0;
    int64_t size = 0;
    if (igny8__pg_prepare(st, "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                              " JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE n.nspname = current_schema() AND c.relkind = 'r'", &s) == IGNY8_OK &&
        igny8__pg_step(st, s, "measure the store", &row) == IGNY8_OK && row) {
        size = igny8__pg_column_int(s, 0);
        igny8__pg_reset(s);
    }
    return size;
}
