/* SQLite backend: the connection, the file checks, the schema and its migrations,
 * transactions and the statement cache. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"

/* "IGN8": marks a file as ours, so that another application's database is refused. */
#define IGNY8__APPLICATION_ID 0x49474E38

/* migrations[i] takes a store from schema version i to i + 1. Append only. */
static const char *const migrations[] = {
    /* 0 -> 1: the settings core */
    "CREATE TABLE provider ("
    "  name TEXT PRIMARY KEY,"
    "  display_name TEXT NOT NULL,"
    "  connection_test TEXT NOT NULL DEFAULT 'none',"
    "  default_base_url TEXT"
    ") WITHOUT ROWID;"
    "CREATE TABLE integration ("
    "  name TEXT PRIMARY KEY,"
    "  provider TEXT NOT NULL REFERENCES provider(name),"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  key_from TEXT REFERENCES integration(name),"
    "  api_key TEXT, base_url TEXT,"
    "  default_model TEXT REFERENCES model(model_name) DEFERRABLE INITIALLY DEFERRED,"
    "  temperature REAL, max_tokens INTEGER, size TEXT, quality TEXT, style TEXT,"
    "  updated_at TEXT, updated_by TEXT,"
    "  UNIQUE (provider, model_type)"
    ");"
    "CREATE TABLE model ("
    "  model_name TEXT PRIMARY KEY,"
    "  display_name TEXT NOT NULL,"
    "  provider TEXT NOT NULL,"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  input_cost_per_1k REAL CHECK (input_cost_per_1k >= 0),"
    "  output_cost_per_1k REAL CHECK (output_cost_per_1k >= 0),"
    "  cost_per_image REAL CHECK (cost_per_image >= 0),"
    "  tokens_per_credit INTEGER CHECK (tokens_per_credit >= 1),"
    "  credits_per_image INTEGER CHECK (credits_per_image >= 0),"
    "  max_output_tokens INTEGER CHECK (max_output_tokens >= 1),"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0,1)),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  FOREIGN KEY (provider, model_type) REFERENCES integration(provider, model_type)"
    ");"
    "CREATE UNIQUE INDEX model_one_default_per_type ON model(model_type) WHERE is_default = 1;"
    "CREATE TABLE global_settings ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  is_active INTEGER NOT NULL DEFAULT 1,"
    "  text_integration TEXT REFERENCES integration(name),"
    "  image_integration TEXT REFERENCES integration(name),"
    "  updated_at TEXT, updated_by TEXT"
    ");"
    "INSERT INTO global_settings (id) VALUES (1);"
    "CREATE TABLE operation ("
    "  name TEXT PRIMARY KEY,"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  description TEXT"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_integration ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  integration TEXT NOT NULL REFERENCES integration(name),"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  model TEXT REFERENCES model(model_name),"
    "  temperature REAL, max_tokens INTEGER, size TEXT, quality TEXT, style TEXT,"
    "  api_key TEXT,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, integration)"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_provider ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  integration TEXT NOT NULL REFERENCES integration(name),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, model_type)"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_operation_model ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  operation TEXT NOT NULL REFERENCES operation(name),"
    "  model_name TEXT NOT NULL REFERENCES model(model_name),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, operation)"
    ") WITHOUT ROWID;"
    "CREATE TABLE module ("
    "  name TEXT PRIMARY KEY,"
    "  description TEXT,"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_module ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  module TEXT NOT NULL REFERENCES module(name),"
    "  enabled INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, module)"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL, actor TEXT NOT NULL, entity TEXT NOT NULL, key TEXT,"
    "  account_id INTEGER, action TEXT NOT NULL, before TEXT, after TEXT"
    ");",
    /* 1 -> 2: audit queries by entity and account stay fast as the log grows; the last
     * connection test per integration and key owner (DESIGN §1 "connection status"). */
    "CREATE INDEX audit_by_entity ON audit(entity, id);"
    "CREATE INDEX audit_by_account ON audit(account_id, id) WHERE account_id IS NOT NULL;"
    "CREATE TABLE connection_status ("
    "  integration TEXT NOT NULL REFERENCES integration(name),"
    "  account_id INTEGER NOT NULL DEFAULT 0,"
    "  tested_at TEXT NOT NULL, ok INTEGER NOT NULL, http_status INTEGER,"
    "  latency_ms REAL, error_class TEXT, message TEXT,"
    "  PRIMARY KEY (integration, account_id)"
    ") WITHOUT ROWID;",
    /* 2 -> 3: prompt templates. Versions are immutable and never deleted: the triggers
     * hold that promise even against a write that bypasses the library. */
    "CREATE TABLE prompt_type ("
    "  name TEXT PRIMARY KEY,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  published_version INTEGER,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE prompt_version ("
    "  prompt_type TEXT NOT NULL REFERENCES prompt_type(name),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  value TEXT NOT NULL, description TEXT, message TEXT, variables TEXT NOT NULL,"
    "  author TEXT NOT NULL, created_at TEXT NOT NULL,"
    "  PRIMARY KEY (prompt_type, version)"
    ") WITHOUT ROWID;"
    IGNY8__DB_PROMPT_VERSION_TRIGGERS
    "CREATE TABLE account_prompt ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  prompt_type TEXT NOT NULL REFERENCES prompt_type(name),"
    "  prompt_value TEXT NOT NULL, default_prompt TEXT NOT NULL,"
    "  based_on_version INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, prompt_type)"
    ") WITHOUT ROWID;"
    "CREATE INDEX account_prompt_by_type ON account_prompt(prompt_type, based_on_version);",
    /* 3 -> 4: the libraries of author profiles and strategies, and the accounts' copies.
     * `fields` holds the kind's own fields as a JSON object; a copy keeps its source's
     * revision and content at clone time, for "changed since" and reset. */
    "CREATE TABLE library_item ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('author_profile','strategy')),"
    "  name TEXT NOT NULL, description TEXT, category TEXT NOT NULL,"
    "  fields TEXT NOT NULL,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  UNIQUE (kind, name)"
    ");"
    "CREATE TABLE account_library_item ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  kind TEXT NOT NULL CHECK (kind IN ('author_profile','strategy')),"
    "  source_id INTEGER NOT NULL REFERENCES library_item(id),"
    "  based_on_revision INTEGER NOT NULL,"
    "  based_on TEXT NOT NULL,"
    "  name TEXT NOT NULL, description TEXT, category TEXT NOT NULL,"
    "  fields TEXT NOT NULL,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  UNIQUE (account_id, source_id)"
    ");"
    "CREATE INDEX account_library_by_account ON account_library_item(account_id, kind);",
    /* 4 -> 5: the change log behind the resolver's cache. Triggers record every change of
     * what the resolver reads, by any writer (another process, the sqlite3 shell), as the
     * account it concerns (NULL: platform data). Readers that saw the store change read
     * the log since their last position and drop only what changed; the log keeps its
     * last 10,000 entries (a reader further behind drops everything). */
    "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER);"
    "CREATE TRIGGER change_log_trim AFTER INSERT ON change_log WHEN new.seq % 1000 = 0"
    " BEGIN DELETE FROM change_log WHERE seq <= new.seq - 10000; END;"
    "CREATE TRIGGER account_integration_insert_logged AFTER INSERT ON account_integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_integration_update_logged AFTER UPDATE ON account_integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_integration_delete_logged AFTER DELETE ON account_integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (old.account_id); END;"
    "CREATE TRIGGER account_provider_insert_logged AFTER INSERT ON account_provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_provider_update_logged AFTER UPDATE ON account_provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_provider_delete_logged AFTER DELETE ON account_provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (old.account_id); END;"
    "CREATE TRIGGER account_operation_model_insert_logged AFTER INSERT ON account_operation_model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_operation_model_update_logged AFTER UPDATE ON account_operation_model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_operation_model_delete_logged AFTER DELETE ON account_operation_model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (old.account_id); END;"
    "CREATE TRIGGER model_insert_logged AFTER INSERT ON model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER model_update_logged AFTER UPDATE ON model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER model_delete_logged AFTER DELETE ON model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER integration_insert_logged AFTER INSERT ON integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER integration_update_logged AFTER UPDATE ON integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER integration_delete_logged AFTER DELETE ON integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER global_settings_insert_logged AFTER INSERT ON global_settings"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER global_settings_update_logged AFTER UPDATE ON global_settings"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER global_settings_delete_logged AFTER DELETE ON global_settings"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER operation_insert_logged AFTER INSERT ON operation"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER operation_update_logged AFTER UPDATE ON operation"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER operation_delete_logged AFTER DELETE ON operation"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER provider_insert_logged AFTER INSERT ON provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER provider_update_logged AFTER UPDATE ON provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER provider_delete_logged AFTER DELETE ON provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;",
};

_Static_assert(IGNY8__ARRAY_LEN(migrations) == IGNY8_SCHEMA_VERSION,
               "one migration per schema version");

static sqlite3 *conn(igny8_store *st) { return st->db->conn; }

int igny8__db_fail(igny8_store *st, sqlite3_stmt *stmt, int rc, const char *what)
{
    const char *msg = (st && st->db && st->db->conn) ? sqlite3_errmsg(st->db->conn) : sqlite3_errstr(rc);
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
    case SQLITE_CONSTRAINT:
        code = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? IGNY8_EEXISTS
                                                                                      : IGNY8_EINVAL;
        break;
    default: code = IGNY8_ERROR; break;
    }
    return igny8__error_set(code, NULL, "%s: %s", what, msg);
}

int igny8__db_exec(igny8_store *st, const char *sql, const char *what)
{
    int rc = sqlite3_exec(conn(st), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? IGNY8_OK : igny8__db_fail(st, NULL, rc, what);
}

int igny8__db_prepare(igny8_store *st, const char *sql, sqlite3_stmt **out)
{
    size_t h = ((uintptr_t)sql >> 3) % IGNY8__STMT_SLOTS;
    for (size_t probe = 0; probe < IGNY8__STMT_SLOTS; probe++) {
        size_t i = (h + probe) % IGNY8__STMT_SLOTS;
        if (st->db->stmts[i].sql == sql) {
            *out = st->db->stmts[i].stmt;
            sqlite3_reset(*out);
            sqlite3_clear_bindings(*out);
            return IGNY8_OK;
        }
        if (st->db->stmts[i].sql == NULL) {
            int rc = sqlite3_prepare_v3(conn(st), sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
            if (rc != SQLITE_OK)
                return igny8__db_fail(st, NULL, rc, "prepare");
            st->db->stmts[i].sql = sql;
            st->db->stmts[i].stmt = *out;
            return IGNY8_OK;
        }
    }
    return igny8__error_set(IGNY8_ERROR, NULL, "statement cache is full");
}

int igny8__db_exec_stmt(igny8_store *st, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return igny8__db_fail(st, stmt, rc, what);
    sqlite3_reset(stmt);
    return IGNY8_OK;
}

int igny8__db_step_row(igny8_store *st, sqlite3_stmt *stmt, const char *what, int *found)
{
    int rc = sqlite3_step(stmt);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        return IGNY8_OK;
    if (rc != SQLITE_DONE)
        return igny8__db_fail(st, stmt, rc, what);
    sqlite3_reset(stmt);
    return IGNY8_OK;
}

int igny8__db_step_string(igny8_store *st, sqlite3_stmt *stmt, const char *what, char **out)
{
    int found;
    *out = NULL;
    int rc = igny8__db_step_row(st, stmt, what, &found);
    if (rc != IGNY8_OK || !found)
        return rc;
    rc = igny8__db_col_str(stmt, 0, out);
    sqlite3_reset(stmt);
    return rc;
}

int igny8__db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

int igny8__db_bind_double(sqlite3_stmt *s, int i, double v)
{
    return isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v);
}

int igny8__db_bind_int_or_null(sqlite3_stmt *s, int i, int64_t v, int is_set)
{
    return is_set ? sqlite3_bind_int64(s, i, v) : sqlite3_bind_null(s, i);
}

int igny8__db_col_str(sqlite3_stmt *s, int i, char **out)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    *out = NULL;
    if (t == NULL)
        return sqlite3_column_type(s, i) == SQLITE_NULL ? IGNY8_OK : igny8__error_oom();
    *out = igny8__strdup(t);
    return *out ? IGNY8_OK : igny8__error_oom();
}

const char *igny8__db_col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

double igny8__db_col_double(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
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

static int pragma_int(igny8_store *st, const char *sql, int *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(conn(st), sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        *out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
        rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? IGNY8_OK : igny8__db_fail(st, NULL, rc, "read store header");
}

/* Bring the schema to IGNY8_SCHEMA_VERSION in one transaction. The version is read again
 * under the write lock: another process may have migrated the file meanwhile. */
static int migrate(igny8_store *st)
{
    int version, rc = igny8__db_exec(st, "BEGIN IMMEDIATE", "begin migration");
    if (rc != IGNY8_OK)
        return rc;
    rc = pragma_int(st, "PRAGMA user_version", &version);
    for (int v = version; rc == IGNY8_OK && v < IGNY8_SCHEMA_VERSION; v++)
        rc = igny8__db_exec(st, migrations[v], "migrate schema");
    if (rc == IGNY8_OK && version < IGNY8_SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d;",
                 IGNY8_SCHEMA_VERSION, IGNY8__APPLICATION_ID);
        rc = igny8__db_exec(st, sql, "record schema version");
    }
    if (rc == IGNY8_OK)
        return igny8__db_exec(st, "COMMIT", "commit migration");
    sqlite3_exec(conn(st), "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int check_identity(igny8_store *st, const char *path, int *version)
{
    /* One read transaction, so that the three values come from one snapshot: another
     * process may commit the migration of a new file between them. */
    int app_id, objects, rc = igny8__db_exec(st, "BEGIN", "read store header");
    if (rc == IGNY8_OK)
        rc = pragma_int(st, "PRAGMA application_id", &app_id);
    if (rc == IGNY8_OK)
        rc = pragma_int(st, "PRAGMA user_version", version);
    if (rc == IGNY8_OK)
        rc = pragma_int(st, "SELECT count(*) FROM sqlite_master", &objects);
    if (!sqlite3_get_autocommit(conn(st)))
        sqlite3_exec(conn(st), "ROLLBACK", NULL, NULL, NULL);
    if (rc != IGNY8_OK)
        return rc == IGNY8_ECORRUPT ? damaged_error(st, path) : rc;
    if (app_id != IGNY8__APPLICATION_ID && (objects > 0 || *version != 0))
        return igny8__error_set(IGNY8_ECORRUPT, "path", "'%s' is a SQLite database of another "
                                "application, not an igny8 settings store", path);
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
            return igny8__db_fail(st, NULL, rc, "enable WAL");
        sqlite3_sleep(10);
    }
}

static int configure(igny8_store *st, int in_memory, unsigned int busy_timeout_ms)
{
    int rc = igny8__db_exec(st, "PRAGMA foreign_keys = ON", "enable foreign keys");
    if (rc != IGNY8_OK || in_memory || (st->flags & IGNY8_STORE_READONLY))
        return rc;
    /* WAL: readers never block the writer, and several processes share the file.
     * synchronous=FULL (the default): a committed setting survives a power cut, not only
     * a crash; NORMAL, on request, only a crash. */
    rc = enable_wal(st, busy_timeout_ms);
    return rc == IGNY8_OK ? igny8__db_exec(st, (st->flags & IGNY8_STORE_SYNC_NORMAL) ? "PRAGMA synchronous = NORMAL"
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
        st->db->is_wal = mode && strcmp(mode, "wal") == 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_OK ? IGNY8_OK : igny8__db_fail(st, NULL, rc, "read journal mode");
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
                            st->db->conn ? sqlite3_errmsg(st->db->conn) : sqlite3_errstr(src));
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

int igny8__db_file_readonly(igny8_store *st)
{
    return sqlite3_db_readonly(conn(st), "main") == 1;
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
    struct igny8__db *db = payload;
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

int igny8__db_open(igny8_store *st, const char *path, unsigned int busy_timeout_ms)
{
    int in_memory = strcmp(path, ":memory:") == 0;
    int readonly = (st->flags & IGNY8_STORE_READONLY) != 0;
    int rc = IGNY8_OK, version = 0;
    if (!in_memory) {
        if (access(path, F_OK) != 0) {
            if (readonly || (st->flags & IGNY8_STORE_NOCREATE))
                return igny8__error_set(IGNY8_EIO, "path", "store file '%s' does not exist", path);
            rc = create_private_file(path);
        }
        if (rc != IGNY8_OK)
            return rc;
    }
    st->db = igny8__calloc(1, sizeof(*st->db));
    if (st->db == NULL)
        return igny8__error_oom();
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    /* SQLite reads a name that starts with "file:" as a URI when it is built with
     * SQLITE_USE_URI (Debian's is): "file:x.db" would open x.db, with SQLite's default
     * mode, instead of the file made 0600 above. "./file:x.db" is that file, never a URI. */
    char *literal = NULL;
    if (!in_memory && strncmp(path, "file:", 5) == 0) {
        size_t n = strlen(path);
        if ((literal = igny8__malloc(n + 3)) == NULL)
            return igny8__error_oom();
        memcpy(literal, "./", 2);
        memcpy(literal + 2, path, n + 1);
    }
    int src = sqlite3_open_v2(literal ? literal : path, &st->db->conn, flags, NULL);
    igny8__free(literal);
    if (src != SQLITE_OK)
        return src == SQLITE_NOMEM ? igny8__error_oom() : cannot_open(st, path, src);
    /* before the first read: another process may be creating or migrating the file */
    sqlite3_extended_result_codes(st->db->conn, 1);
    st->db->busy_timeout_ms = busy_timeout_ms;
    st->db->busy_rng = ((uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)st->db ^ (uint64_t)(monotonic_s() * 1e9)) | 1;
    sqlite3_busy_handler(st->db->conn, busy_handler, st->db);
    rc = check_identity(st, path, &version);
    if (rc == IGNY8_OK)
        rc = configure(st, in_memory, busy_timeout_ms);
    if (rc == IGNY8_OK && version < IGNY8_SCHEMA_VERSION) {
        if (readonly)
            return igny8__error_set(IGNY8_EREADONLY, "path", "store '%s' has schema version %d and "
                                    "must be migrated; open it read-write once", path, version);
        rc = migrate(st);
    }
    return open_failed(path, rc == IGNY8_OK ? read_journal_mode(st) : rc);
}

void igny8__db_close(igny8_store *st)
{
    if (st->db == NULL)
        return;
    for (size_t i = 0; i < IGNY8__STMT_SLOTS; i++)
        sqlite3_finalize(st->db->stmts[i].stmt);
    sqlite3_close_v2(st->db->conn);
    igny8__free(st->db);
    st->db = NULL;
}

/* ---- transactions ---- */

int igny8__db_begin(igny8_store *st, int write)
{
    /* IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a
     * read-modify-write never fails half-way on a lock upgrade and no update is lost. */
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, write ? "BEGIN IMMEDIATE" : "BEGIN", &s);
    return rc == IGNY8_OK ? igny8__db_exec_stmt(st, s, write ? "begin write" : "begin read") : rc;
}

static void reset_busy_statements(igny8_store *st)
{
    for (sqlite3_stmt *s = sqlite3_next_stmt(conn(st), NULL); s; s = sqlite3_next_stmt(conn(st), s))
        if (sqlite3_stmt_busy(s))
            sqlite3_reset(s);
}

int igny8__db_commit(igny8_store *st)
{
    sqlite3_stmt *s;
    reset_busy_statements(st);
    int rc = igny8__db_prepare(st, "COMMIT", &s);
    if (rc == IGNY8_OK)
        rc = igny8__db_exec_stmt(st, s, "commit");
    if (rc != IGNY8_OK)
        igny8__db_rollback(st);
    return rc;
}

void igny8__db_rollback(igny8_store *st)
{
    reset_busy_statements(st);
    if (!sqlite3_get_autocommit(conn(st)))
        sqlite3_exec(conn(st), "ROLLBACK", NULL, NULL, NULL);
}

int igny8__db_schema_version(igny8_store *st, int *out)
{
    return pragma_int(st, "PRAGMA user_version", out);
}

int igny8__db_is_empty(igny8_store *st, int *out)
{
    sqlite3_stmt *s;
    int rc = igny8__db_prepare(st, "SELECT (SELECT count(*) FROM provider) + (SELECT count(*) FROM model)", &s);
    if (rc != IGNY8_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW)
        return igny8__db_fail(st, s, rc, "count rows");
    *out = sqlite3_column_int(s, 0) == 0;
    sqlite3_reset(s);
    return IGNY8_OK;
}
