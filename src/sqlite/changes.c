/* SQLite backend: the change token the resolver's cache compares (the WAL-index header),
 * the store's quick check and its size. Its counterpart is src/postgres/changes.c. */
#include <string.h>
#include <sys/stat.h>

#include "sqlite.h"

/* The WAL-index header: 48 bytes in the -shm file that every commit, by any connection in
 * any process, rewrites. Read through SQLite's own mapping of the file, never a descriptor
 * of ours: closing one would drop SQLite's POSIX locks on it. Unknown for ":memory:", a
 * file without WAL, or before the connection's first read has opened the index. */
int igny8__sqlite_change_token(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known,
                               int64_t *log_id)
{
    *log_id = 0;
    sqlite3_file *file = NULL;
    volatile void *region = NULL;
    *known = 0;
    if (!igny8__sqlite_of(st)->is_wal)  /* xShmMap would create a -shm for a file that has no WAL */
        return IGNY8_OK;
    if (sqlite3_file_control(igny8__sqlite_conn(st), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
        file == NULL || file->pMethods == NULL || file->pMethods->iVersion < 2 || file->pMethods->xShmMap == NULL)
        return IGNY8_OK;
    /* region 0 exists once the connection has read in WAL mode; bExtend 0 never creates it */
    if (file->pMethods->xShmMap(file, 0, 32768, 0, &region) != SQLITE_OK || region == NULL)
        return IGNY8_OK;
    const volatile unsigned char *h = region;
    for (int i = 0; i < IGNY8__CHANGE_TOKEN_BYTES; i++)
        out[i] = h[i];
    *known = 1;
    return IGNY8_OK;
}

int igny8__sqlite_check(igny8_store *st, char **out)
{
    igny8__stmt *s;
    int rc = igny8__sqlite_prepare(st, "PRAGMA quick_check(1)", &s);
    return rc == IGNY8_OK ? igny8__db_step_string(st, s, "check the store", out) : rc;
}

int64_t igny8__sqlite_size(igny8_store *st)
{
    struct stat sb;
    if (strcmp(st->path, ":memory:") == 0 || stat(st->path, &sb) != 0)
        return 0;
    return (int64_t)sb.st_size;
}
