/* SQLite backend: the connection, the file checks, identity and migration on open,
 * transactions, the wait for another process's lock, and errors. Its counterpart is
 * src/postgres/connection.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite.h"

static sqlite3 *conn(igny8_store *st) { return igny8__sqlite_conn(st); }

int igny8__sqlite_fail(igny8_store *st, sqlite3_stmt *stmt, int rc, const char *what)
{
    const char *msg = (st && st->db && conn(st)) ? sqlite3_errmsg(conn(st)) : sqlite3_errstr(rc);
    int code;
    if (stmt)
        sqlite3_reset(stmt);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = IGNY8_EBUSY; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: code = IGNY8_ECORRUPT; break;
    case SQLITE_NOMEM: return igny8__error_oom();
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_FULL: code = IGNY8_EIO; break;
    case SQLITE_READONLY: code = (st && (st->flags & IGNY8_STORE_READONLY)) ? IGNY8_EREADONLY : IGNY8_EIO; break;
    case SQLITE_CONSTRAINT: {
        int kind = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? IGNY8__CONSTRAINT_UNIQUE
                   : rc == SQLITE_CONSTRAINT_FOREIGNKEY ? IGNY8__CONSTRAINT_FOREIGN_KEY
                                                        : IGNY8__CONSTRAINT_OTHER;
        if (st && st->db)
            st->db->constraint = kind;
        code = kind == IGNY8__CONSTRAINT_UNIQUE ? IGNY8_EEXISTS : IGNY8_EINVAL;
        break;
    }
    default: code = IGNY8_ERROR; break;
    }
    return igny8__error_set(code, NULL, "%s: %s", what, msg);
}

int igny8__sqlite_exec(igny8_store *st, const char *sql, const char *what)
{
    int rc = sqlite3_exec(conn(st), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? IGNY8_OK : igny8__sqlite_fail(st, NULL, rc, what);
}

/* ---- opening ---- */

static int create_private_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return IGNY8_OK;
    }
    if (errno == EEXIST)  /* another process made it first: fine */
        return IGNY8_OK;
    return igny8__error_set(IGNY8_EIO, "path", "cannot create store file '%s': %s", path, strerror(errno));
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The first bytes of the file (*n: how many, up to 100) and its size, read through
 * SQLite's own file handle. Never open() and close() the file beside SQLite: closing any
 * descriptor of a file drops every POSIX lock this process holds on it, those of other
 * connections included, and another process could then checkpoint and delete the WAL
 * under them. */
static void read_header(igny8_store *st, unsigned char h[100], int *n, sqlite3_int64 *size)
{
    sqlite3_file *f = NULL;
    *n = 0;
    *size = 0;
    if (sqlite3_file_control(conn(st), "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || f == NULL ||
        f->pMethods == NULL || f->pMethods->xFileSize(f, size) != SQLITE_OK)
        return;
    *n = *size < 100 ? (int)*size : 100;
    if (*n > 0 && f->pMethods->xRead(f, h, *n, 0) != SQLITE_OK)
        *n = 0;
}

/* The error for a file SQLite refused, naming the cause: not a SQLite database at all, or
 * cut short (the header's page count, valid when its change counter matches, promises more
 * bytes than the file has), or otherwise damaged. */
static int damaged_error(igny8_store *st, const char *path)
{
    unsigned char h[100];
    int n = 0;
    sqlite3_int64 size = 0;
    read_header(st, h, &n, &size);
    if (n < 100 || memcmp(h, "SQLite format 3", 16) != 0)
        return igny8__error_set(IGNY8_ECORRUPT, "path", "'%s' is not an igny8 settings store "
                                "(not a SQLite database)", path);
    if (be32(h + 24) == be32(h + 92)) {
        uint32_t page_size = (uint32_t)h[16] << 8 | h[17];
        uint32_t pages = be32(h + 28);
        if (page_size == 1)
            page_size = 65536;
        if (pages > 0 && (uint64_t)pages * page_size > (uint64_t)size)
            return igny8__error_set(IGNY8_ECORRUPT, "path", "store file '%s' is truncated: its header "
                                    "promises %u pages of %u bytes, the file has %lld bytes", path, pages,
                                    page_size, (long long)size);
    }
    return igny8__error_set(IGNY8_ECORRUPT, "path", "'%s' is not an igny8 settings store, or is damaged",
                            path);
}

int igny8__sqlite_int(igny8_store *st, const char *sql, int *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(conn(st), sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        *out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
        rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? IGNY8_OK : igny8__sqlite_fail(st, NULL, rc, "read store header");
}

static int check_identity(igny8_store *st, const char *path, int *version)
{
    /* One read transaction, so that the three values come from one snapshot: another
     * process may commit the migration of a new file between them. */
    int app_id, objects, rc = igny8__sqlite_exec(st, "BEGIN", "read store header");
    if (rc == IGNY8_OK)
        rc = igny8__sqlite_int(st, "PRAGMA application_id", &app_id);
    if (rc == IGNY8_OK)
        rc = igny8__sqlite_int(st, "PRAGMA user_version", version);
    if (rc == IGNY8_OK)
        rc = igny8__sqlite_int(st, "SELECT count(*) FROM sqlite_master", &objects);
    if (!sqlite3_get_autocommit(conn(st)))
        sqlite3_exec(conn(st), "ROLLBACK", NULL, NULL, NULL);
    if (rc != IGNY8_OK)
        return rc == IGNY8_ECORRUPT ? damaged_error(st, path) : rc;
    if (app_id != IGNY8__SQLITE_APPLICATION_ID && (objects > 0 || *version != 0))
        return igny8__error_set(IGNY8_ECORRUPT, "path", "'%s' is a SQLite database of another "
                                "application, not an igny8 settings store", path);
    if (*version < 0)
        return igny8__error_set(IGNY8_ECORRUPT, "path", "store '%s' has schema version %d, which no library "
                                "writes: the store is damaged", path, *version);
    if (*version > IGNY8_SCHEMA_VERSION)
        return igny8__error_set(IGNY8_EVERSION, "path", "store '%s' has schema version %d, newer "
                                "than this library's %d: upgrade libigny8settings", path, *version,
                                IGNY8_SCHEMA_VERSION);
    return IGNY8_OK;
}

/* Switching a new file to WAL can fail with SQLITE_BUSY without SQLite calling the busy
 * handler, while another process opens or migrates the same file: retry it ourselves
 * within the busy timeout. */
static int enable_wal(igny8_store *st, unsigned int busy_timeout_ms)
{
    for (unsigned int waited = 0;; waited += 10) {
        int rc = sqlite3_exec(conn(st), "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return IGNY8_OK;
        if ((rc & 0xff) != SQLITE_BUSY || waited >= busy_timeout_ms)
            return igny8__sqlite_fail(st, NULL, rc, "enable WAL");
        sqlite3_sleep(10);
    }
}

static int configure(igny8_store *st, int in_memory, unsigned int busy_timeout_ms)
{
    int rc = igny8__sqlite_exec(st, "PRAGMA foreign_keys = ON", "enable foreign keys");
    if (rc != IGNY8_OK || in_memory || (st->flags & IGNY8_STORE_READONLY))
        return rc;
    /* WAL: readers never block the writer, and several processes share the file.
     * synchronous=FULL (the default): a committed setting survives a power cut, not only
     * a crash; NORMAL, on request, only a crash. */
    rc = enable_wal(st, busy_timeout_ms);
    return rc == IGNY8_OK ? igny8__sqlite_exec(st, (st->flags & IGNY8_STORE_SYNC_NORMAL) ? "PRAGMA synchronous = NORMAL"
                                                                                  : "PRAGMA synchronous = FULL",
                                           "set synchronous")
                          : rc;
}

static int read_journal_mode(igny8_store *st)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(conn(st), "PRAGMA journal_mode", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        igny8__sqlite_of(st)->is_wal = mode && strcmp(mode, "wal") == 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? IGNY8_OK : igny8__sqlite_fail(st, NULL, rc, "read journal mode");
}

/* Why SQLite could not open path (its own message says only "unable to open database file"). */
static int cannot_open(igny8_store *st, const char *path, int src)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return igny8__error_set(IGNY8_EIO, "path", "cannot open store '%s': it is a directory", path);
    if (access(path, R_OK) != 0)
        return igny8__error_set(IGNY8_EIO, "path", "cannot open store '%s': %s", path, strerror(errno));
    return igny8__error_set(IGNY8_EIO, "path", "cannot open store '%s': %s", path,
                            igny8__sqlite_of(st)->conn ? sqlite3_errmsg(igny8__sqlite_of(st)->conn) : sqlite3_errstr(src));
}

/* A failure after the file was opened names the path, and says what a read-only
 * directory means (SQLite must create the -wal and -shm files beside the store). */
static int open_failed(const char *path, int rc)
{
    const igny8_error *e = igny8_error_last();
    if (rc == IGNY8_OK || rc == IGNY8_ENOMEM || e->field != NULL)
        return rc;
    char dir[PATH_MAX], message[400];
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (rc == IGNY8_EIO && dir_len < sizeof(dir)) {
        if (dir_len == 0)
            strcpy(dir, ".");
        else {
            memcpy(dir, path, dir_len);
            dir[dir_len] = '\0';
        }
        if (access(dir, W_OK) != 0)
            return igny8__error_set(rc, "path", "cannot open store '%s': its directory is not writable, and "
                                    "SQLite needs to create the store's -wal and -shm files there", path);
    }
    snprintf(message, sizeof(message), "%s", e->message);
    return igny8__error_set(rc, "path", "cannot open store '%s': %s", path, message);
}

static const char *readonly_reason(igny8_store *st)
{
    return sqlite3_db_readonly(conn(st), "main") == 1 ? "this process may not write the file" : NULL;
}

static double monotonic_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waiting for another process's lock. SQLite's own handler (sqlite3_busy_timeout) sleeps
 * 1, 2, 5, ... 50 ms and then 100 ms at a time: under a steady stream of commits from
 * other processes a waiter wakes ten times a second, finds the lock taken again by
 * whoever was awake when it was released, and can starve past the timeout while the
 * others commit thousands of times (tests/stress/stress.c saw SQLITE_BUSY reach callers
 * after 5 s, with 8 processes writing). Retry every 0.1..1 ms instead, at a random
 * point so that waiters do not wake in step, until busy_timeout_ms have passed since
 * this wait began (count 0). The store mutex is held, so one wait runs at a time. */
static int busy_handler(void *payload, int count)
{
    igny8__sqlite_db *db = payload;
    double now = monotonic_s();
    if (count == 0)
        db->busy_since = now;
    double left_ms = db->busy_timeout_ms - (now - db->busy_since) * 1e3;
    if (left_ms <= 0)
        return 0;
    db->busy_rng ^= db->busy_rng << 13;  /* xorshift64 */
    db->busy_rng ^= db->busy_rng >> 7;
    db->busy_rng ^= db->busy_rng << 17;
    double sleep_ms = 0.1 + (double)(db->busy_rng % 901) / 1000.0;
    if (sleep_ms > left_ms)
        sleep_ms = left_ms;
    struct timespec ts = { 0, (long)(sleep_ms * 1e6) };
    nanosleep(&ts, NULL);
    return 1;
}

/* The file, created with mode 0600 when it is missing and may be created. */
static int ensure_file(const char *path, uint32_t flags)
{
    if (access(path, F_OK) == 0)
        return IGNY8_OK;
    if (flags & (IGNY8_STORE_READONLY | IGNY8_STORE_NOCREATE))
        return igny8__error_set(IGNY8_EIO, "path", "store file '%s' does not exist", path);
    return create_private_file(path);
}

/* sqlite3_open_v2 on the file itself. SQLite reads a name that starts with "file:" as a
 * URI when it is built with SQLITE_USE_URI (Debian's is): "file:x.db" would open x.db,
 * with SQLite's default mode, instead of the file made 0600. "./file:x.db" is that file,
 * never a URI. */
static int open_connection(igny8_store *st, const char *path, int in_memory, int readonly)
{
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    char *literal = NULL;
    if (!in_memory && strncmp(path, "file:", 5) == 0) {
        size_t n = strlen(path);
        if ((literal = igny8__malloc(n + 3)) == NULL)
            return igny8__error_oom();
        memcpy(literal, "./", 2);
        memcpy(literal + 2, path, n + 1);
    }
    int src = sqlite3_open_v2(literal ? literal : path, &igny8__sqlite_of(st)->conn, flags, NULL);
    igny8__free(literal);
    if (src != SQLITE_OK)
        return src == SQLITE_NOMEM ? igny8__error_oom() : cannot_open(st, path, src);
    return IGNY8_OK;
}

static int open_store(igny8_store *st, const igny8__open_params *p)
{
    const char *path = p->target;
    int in_memory = strcmp(path, ":memory:") == 0;
    int readonly = (p->flags & IGNY8_STORE_READONLY) != 0;
    int rc = in_memory ? IGNY8_OK : ensure_file(path, p->flags), version = 0;
    if (rc != IGNY8_OK)
        return rc;
    igny8__sqlite_db *db = igny8__calloc(1, sizeof(*db));
    if (db == NULL)
        return igny8__error_oom();
    db->base.backend = &igny8__sqlite_backend;
    st->db = &db->base;
    if ((rc = open_connection(st, path, in_memory, readonly)) != IGNY8_OK)
        return rc;
    /* before the first read: another process may be creating or migrating the file */
    sqlite3_extended_result_codes(db->conn, 1);
    db->busy_timeout_ms = p->busy_timeout_ms;
    db->busy_rng = ((uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)db ^ (uint64_t)(monotonic_s() * 1e9)) | 1;
    sqlite3_busy_handler(db->conn, busy_handler, db);
    rc = check_identity(st, path, &version);
    if (rc == IGNY8_OK)
        rc = configure(st, in_memory, p->busy_timeout_ms);
    if (rc == IGNY8_OK && version < IGNY8_SCHEMA_VERSION) {
        if (readonly)
            return igny8__error_set(IGNY8_EREADONLY, "path", "store '%s' has schema version %d and "
                                    "must be migrated; open it read-write once", path, version);
        rc = igny8__sqlite_migrate(st);
    }
    return open_failed(path, rc == IGNY8_OK ? read_journal_mode(st) : rc);
}

static void close_store(igny8_store *st)
{
    igny8__sqlite_db *db = igny8__sqlite_of(st);
    if (db->conn)
        igny8__sqlite_finalize_all(st);
    sqlite3_close_v2(db->conn);
    igny8__free(db);
    st->db = NULL;
}

/* ---- transactions ---- */

static int exec_cached(igny8_store *st, const char *sql, const char *what)
{
    igny8__stmt *s;
    int rc = igny8__sqlite_prepare(st, sql, &s), row = 0;
    if (rc == IGNY8_OK && (rc = igny8__sqlite_step(st, s, what, &row)) == IGNY8_OK && row)
        igny8__sqlite_reset(s);
    return rc;
}

/* IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a
 * read-modify-write never fails half-way on a lock upgrade and no update is lost. */
static int begin(igny8_store *st, int write)
{
    return exec_cached(st, write ? "BEGIN IMMEDIATE" : "BEGIN", write ? "begin write" : "begin read");
}

static void rollback(igny8_store *st)
{
    igny8__sqlite_reset_busy(st);
    if (!sqlite3_get_autocommit(conn(st)))
        sqlite3_exec(conn(st), "ROLLBACK", NULL, NULL, NULL);
}

static int commit(igny8_store *st)
{
    igny8__sqlite_reset_busy(st);
    int rc = exec_cached(st, "COMMIT", "commit");
    if (rc != IGNY8_OK)
        rollback(st);
    return rc;
}

static int schema_version(igny8_store *st, int *out)
{
    return igny8__sqlite_int(st, "PRAGMA user_version", out);
}

const igny8__backend igny8__sqlite_backend = {
    "sqlite",
    open_store, close_store, begin, commit, rollback, schema_version, readonly_reason,
    igny8__sqlite_prepare, igny8__sqlite_bind_null, igny8__sqlite_bind_int, igny8__sqlite_bind_double,
    igny8__sqlite_bind_text, igny8__sqlite_step, igny8__sqlite_reset, igny8__sqlite_column_is_null,
    igny8__sqlite_column_int, igny8__sqlite_column_double, igny8__sqlite_column_text, igny8__sqlite_changes,
    igny8__sqlite_change_token, igny8__sqlite_check, igny8__sqlite_size, igny8__sqlite_prompt_versions_clear,
};
