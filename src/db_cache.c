/* SQL of the change log the resolver's cache follows. */
#include "db_internal.h"

/* Two subqueries, not min() and max() in one SELECT: only a lone min or max is answered
 * from the end of the primary key; together they scan the whole log on every cache miss. */
int igny8__db_change_log_bounds(igny8_store *st, int64_t *min_seq, int64_t *max_seq)
{
    sqlite3_stmt *s;
    int found;
    int rc = igny8__db_prepare(st, "SELECT coalesce((SELECT min(seq) FROM change_log), 0),"
                                   " coalesce((SELECT max(seq) FROM change_log), 0)", &s);
    if (rc == IGNY8_OK && (rc = igny8__db_step_row(st, s, "read change log", &found)) == IGNY8_OK && found) {
        *min_seq = sqlite3_column_int64(s, 0);
        *max_seq = sqlite3_column_int64(s, 1);
        sqlite3_reset(s);
    }
    return rc;
}

int igny8__db_change_log_each(igny8_store *st, int64_t after, igny8__change_fn fn, void *payload)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "SELECT seq, coalesce(account_id, 0) FROM change_log WHERE seq > ? ORDER BY seq", &s);
    if (rc != IGNY8_OK)
        return rc;
    sqlite3_bind_int64(s, 1, after);
    int step;
    while (rc == IGNY8_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn(payload, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
    if (rc == IGNY8_OK && step != SQLITE_DONE)
        return igny8__db_fail(st, s, step, "read change log");
    sqlite3_reset(s);
    return rc;
}

int igny8__db_wal_header(igny8_store *st, unsigned char out[IGNY8__WAL_HEADER_BYTES])
{
    sqlite3_file *file = NULL;
    volatile void *region = NULL;
    if (!st->db->is_wal)  /* xShmMap would create a -shm for a file that has no WAL */
        return 0;
    if (sqlite3_file_control(st->db->conn, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == NULL ||
        file->pMethods == NULL || file->pMethods->iVersion < 2 || file->pMethods->xShmMap == NULL)
        return 0;
    /* region 0 exists once the connection has read in WAL mode; bExtend 0 never creates it */
    if (file->pMethods->xShmMap(file, 0, 32768, 0, &region) != SQLITE_OK || region == NULL)
        return 0;
    const volatile unsigned char *h = region;
    for (int i = 0; i < IGNY8__WAL_HEADER_BYTES; i++)
        out[i] = h[i];
    return 1;
}
