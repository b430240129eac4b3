/* The store: files, modes, schema versions and migration, damaged and foreign files,
 * options, several handles and several processes on one store, read-only stores. What is
 * about SQLite's files runs on SQLite only (test_postgres.c has PostgreSQL's own); the
 * rest on both backends. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "testutil.h"

#define APPLICATION_ID "1229409848" /* "IGN8", as src/sqlite/schema.c writes it */
#define WRITES_PER_PROCESS 200

typedef struct {
    char dir[64];
    char path[128];         /* a SQLite file in dir, not created yet */
    testutil_place place;   /* a store on the backend the tests run on */
} sandbox;

static int setup(void **state)
{
    sandbox *sb = calloc(1, sizeof(*sb));
    assert_non_null(sb);
    snprintf(sb->dir, sizeof(sb->dir), "%s", testutil_tmpdir());
    snprintf(sb->path, sizeof(sb->path), "%s/settings.db", sb->dir);
    testutil_place_new(&sb->place);
    *state = sb;
    return 0;
}

static int teardown(void **state)
{
    sandbox *sb = *state;
    testutil_rmdir(sb->dir);
    testutil_place_free(&sb->place);
    free(sb);
    return 0;
}

static igny8_store *open_place(const testutil_place *p, uint32_t flags)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = flags;
    igny8_store *st = NULL;
    assert_igny8_ok(testutil_place_open(p, &o, &st));
    assert_non_null(st);
    return st;
}

static igny8_store *open_ok(const char *path, uint32_t flags)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = flags;
    igny8_store *st = NULL;
    assert_igny8_ok(igny8_store_open(&st, path, &o));
    assert_non_null(st);
    return st;
}

/* Create a SQLite file from SQL text with the sqlite3 C API (not through the library). */
static void sqlite_build(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("building %s: %s", path, err);
    sqlite3_close(db);
}

/* One integer from a query on a file, read with the sqlite3 C API. */
static int sqlite_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static int module_count(igny8_store *st)
{
    char *json = NULL;
    assert_igny8_ok(igny8_module_list_json(st, 0, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "modules"));
    cJSON_Delete(j);
    return n;
}

static int enabled(igny8_store *st, int64_t account_id, const char *name)
{
    int on = -5;
    assert_igny8_ok(igny8_module_enabled(st, account_id, name, &on));
    return on;
}

static off_t file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_size;
}

/* A damaged store must fail with ECORRUPT at open or, at the latest, on the first read,
 * with a message saying so (and containing `detail` when not NULL). */
static void assert_open_or_read_corrupt(const char *path, const char *detail)
{
    igny8_store *st = NULL;
    int rc = igny8_store_open(&st, path, NULL);
    if (rc == IGNY8_OK) {
        char *json = NULL;
        rc = igny8_module_list_json(st, 0, &json);
        igny8_free(json);
        igny8_store_close(st);
    } else {
        assert_null(st);
    }
    assert_igny8_fails(IGNY8_ECORRUPT, NULL, rc);
    const char *msg = igny8_error_last()->message;
    if (!strstr(msg, "truncated") && !strstr(msg, "damaged") && !strstr(msg, "malformed") &&
        !strstr(msg, "not an igny8 settings store"))
        fail_msg("unclear message for a damaged store: %s", msg);
    if (detail)
        testutil_assert_contains(msg, detail);
}

static void test_store__new_file_has_mode_0600(void **state)
{
    TESTUTIL_SQLITE_ONLY("file modes");
    sandbox *sb = *state;
    char wal[160];
    struct stat st_buf;
    mode_t old = umask(0);  /* the mode must not depend on the caller's umask */
    igny8_store *st = open_ok(sb->path, 0);
    umask(old);
    assert_int_equal(stat(sb->path, &st_buf), 0);
    assert_int_equal(st_buf.st_mode & 0777, 0600);
    assert_igny8_ok(igny8_module_add(st, "test", "planner", NULL, 1));
    snprintf(wal, sizeof(wal), "%s-wal", sb->path);
    assert_int_equal(stat(wal, &st_buf), 0);
    assert_int_equal(st_buf.st_mode & 0777, 0600);
    igny8_store_close(st);
}

static void test_store__memory_store_works(void **state)
{
    TESTUTIL_SQLITE_ONLY("\":memory:\"");
    (void)state;
    igny8_store *st = open_ok(":memory:", 0);
    assert_string_equal(igny8_store_path(st), ":memory:");
    assert_igny8_ok(igny8_module_add(st, "test", "planner", "Keyword planner", 1));
    assert_int_equal(enabled(st, 0, "planner"), 1);
    igny8_store_close(st);
}

static void test_store__schema_version_is_current(void **state)
{
    TESTUTIL_SQLITE_ONLY("PRAGMA user_version and application_id (test_postgres.c: igny8_meta)");
    sandbox *sb = *state;
    int v = 0;
    igny8_store *st = open_ok(":memory:", 0);
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);
    assert_int_equal(v, 8);
    igny8_store_close(st);

    st = open_ok(sb->path, 0);
    assert_string_equal(igny8_store_path(st), sb->path);
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);
    igny8_store_close(st);
    assert_int_equal(sqlite_int(sb->path, "PRAGMA user_version"), IGNY8_SCHEMA_VERSION);
    assert_int_equal(sqlite_int(sb->path, "PRAGMA application_id"), atoi(APPLICATION_ID));
}

static void test_store__v1_store_is_migrated(void **state)
{
    TESTUTIL_SQLITE_ONLY("a v1 file (test_postgres.c: a v1 schema)");
    sandbox *sb = *state;
    char *sql = testutil_fixture("store_v1.sql");
    sqlite_build(sb->path, sql);
    free(sql);
    assert_int_equal(sqlite_int(sb->path, "PRAGMA user_version"), 1);

    igny8_store *st = open_ok(sb->path, 0);
    int v = 0;
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);  /* every step from 1, in one transaction */
    assert_int_equal(enabled(st, 0, "planner"), 0);
    assert_int_equal(enabled(st, 7, "planner"), 1);
    assert_int_equal(enabled(st, 0, "writer"), 1);
    assert_int_equal(testutil_audit_count(st), 1);
    char *log = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, NULL, &log));
    testutil_assert_contains(log, "\"actor\":\"ops\"");
    testutil_assert_contains(log, "\"key\":\"planner\"");
    testutil_assert_contains(log, "\"at\":\"2026-01-05T10:00:00.000Z\"");
    igny8_free(log);
    assert_igny8_ok(igny8_module_add(st, "test", "linker", NULL, 1));
    assert_int_equal(testutil_audit_count(st), 2);
    assert_igny8_ok(igny8_prompt_type_add(st, "test", "migrated"));  /* the v3 tables exist */
    igny8_store_close(st);

    /* what migration 1 -> 2 adds is there */
    assert_int_equal(sqlite_int(sb->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                          "('audit_by_entity','audit_by_account','connection_status')"), 3);
    st = open_ok(sb->path, IGNY8_STORE_READONLY);  /* opening again migrates nothing */
    assert_int_equal(module_count(st), 3);
    igny8_store_close(st);
}

static void test_store__newer_schema_is_eversion(void **state)
{
    TESTUTIL_SQLITE_ONLY("a file of a newer version (test_postgres.c: a schema)");
    sandbox *sb = *state;
    sqlite_build(sb->path, "CREATE TABLE module (name TEXT PRIMARY KEY);"
                           "PRAGMA user_version=99; PRAGMA application_id=" APPLICATION_ID ";");
    igny8_store *st = (igny8_store *)1;
    assert_igny8_fails(IGNY8_EVERSION, "path", igny8_store_open(&st, sb->path, NULL));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, "99");
    assert_int_equal(sqlite_int(sb->path, "PRAGMA user_version"), 99);
}

/* A negative user_version is no version a library wrote (fuzz_store_open found the
 * migration starting at migrations[-1]). */
static void test_store__negative_schema_version_is_ecorrupt(void **state)
{
    TESTUTIL_SQLITE_ONLY("a file's user_version");
    sandbox *sb = *state;
    sqlite_build(sb->path, "CREATE TABLE module (name TEXT PRIMARY KEY);"
                           "PRAGMA user_version=-1; PRAGMA application_id=" APPLICATION_ID ";");
    igny8_store *st = (igny8_store *)1;
    assert_igny8_fails(IGNY8_ECORRUPT, "path", igny8_store_open(&st, sb->path, NULL));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, "-1");
    assert_int_equal(sqlite_int(sb->path, "PRAGMA user_version"), -1);
}

static void test_store__random_bytes_are_ecorrupt(void **state)
{
    TESTUTIL_SQLITE_ONLY("damaged files");
    sandbox *sb = *state;
    unsigned char bytes[8192];
    srand(12345);
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(rand() & 0xff);
    FILE *f = fopen(sb->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, sizeof(bytes), f), sizeof(bytes));
    fclose(f);
    assert_open_or_read_corrupt(sb->path, NULL);

    /* the same bytes behind a valid SQLite magic string */
    memcpy(bytes, "SQLite format 3", 16);
    f = fopen(sb->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, sizeof(bytes), f), sizeof(bytes));
    fclose(f);
    assert_open_or_read_corrupt(sb->path, NULL);
    assert_int_equal(file_size(sb->path), (off_t)sizeof(bytes));
}

/* A real store with enough rows to span many pages, closed (which checkpoints the WAL). */
static void make_big_store(const char *path)
{
    char name[32], wal[160];
    igny8_store *st = open_ok(path, 0);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "module_%03d", i);
        assert_igny8_ok(igny8_module_add(st, "test", name, "a module with a description long enough "
                                         "to fill the pages of the store quickly", i % 2));
    }
    igny8_store_close(st);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    assert_int_not_equal(access(wal, F_OK), 0);  /* everything is in the main file */
    assert_true(file_size(path) >= 8 * 4096);
}

static void test_store__truncated_store_is_ecorrupt(void **state)
{
    TESTUTIL_SQLITE_ONLY("damaged files");
    sandbox *sb = *state;
    make_big_store(sb->path);
    assert_int_equal(truncate(sb->path, file_size(sb->path) / 2), 0);
    assert_open_or_read_corrupt(sb->path, "truncated");
}

static void test_store__damaged_pages_are_ecorrupt(void **state)
{
    TESTUTIL_SQLITE_ONLY("damaged files");
    sandbox *sb = *state;
    make_big_store(sb->path);
    off_t size = file_size(sb->path);
    unsigned char junk[4096];
    memset(junk, 0xA5, sizeof(junk));
    int fd = open(sb->path, O_WRONLY);
    assert_true(fd >= 0);
    for (off_t at = 4096; at + (off_t)sizeof(junk) <= size; at += 2 * 4096)
        assert_int_equal(pwrite(fd, junk, sizeof(junk), at), (ssize_t)sizeof(junk));
    close(fd);
    assert_open_or_read_corrupt(sb->path, NULL);
}

static void test_store__other_application_is_ecorrupt(void **state)
{
    TESTUTIL_SQLITE_ONLY("another application's file (test_postgres.c: its schema)");
    sandbox *sb = *state;
    sqlite_build(sb->path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
                           "INSERT INTO customers (name) VALUES ('ada');");
    igny8_store *st = NULL;
    assert_igny8_fails(IGNY8_ECORRUPT, "path", igny8_store_open(&st, sb->path, NULL));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, "another application");
    /* and the other application's file is left as it was */
    assert_int_equal(sqlite_int(sb->path, "PRAGMA user_version"), 0);
    assert_int_equal(sqlite_int(sb->path, "SELECT count(*) FROM sqlite_master"), 1);
    unsigned char header[20];
    FILE *f = fopen(sb->path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(header, 1, sizeof(header), f), sizeof(header));
    fclose(f);
    assert_int_equal(header[18], 1);  /* still a rollback-journal file: not switched to WAL */
}

static void test_store__missing_file_with_nocreate_is_eio(void **state)
{
    TESTUTIL_SQLITE_ONLY("a missing file (test_postgres.c: a missing schema)");
    sandbox *sb = *state;
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    o.flags = IGNY8_STORE_NOCREATE;
    assert_igny8_fails(IGNY8_EIO, "path", igny8_store_open(&st, sb->path, &o));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, sb->path);
    o.flags = IGNY8_STORE_READONLY;
    assert_igny8_fails(IGNY8_EIO, "path", igny8_store_open(&st, sb->path, &o));
    assert_int_not_equal(access(sb->path, F_OK), 0);
    char nodir[200];
    snprintf(nodir, sizeof(nodir), "%s/no/such/dir.db", sb->dir);
    assert_igny8_fails(IGNY8_EIO, "path", igny8_store_open(&st, nodir, NULL));
}

static void test_store__bad_options_are_einval(void **state)
{
    TESTUTIL_SQLITE_ONLY("nothing is created on a refused open: a file");
    sandbox *sb = *state;
    igny8_store *st = NULL;
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.version = 0;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_open(&st, sb->path, &o));
    o.version = 99;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_open(&st, sb->path, &o));
    testutil_assert_contains(igny8_error_last()->message, "99");
    o.version = IGNY8_STORE_OPTIONS_VERSION;
    o.flags = 1u << 7;
    assert_igny8_fails(IGNY8_EINVAL, "flags", igny8_store_open(&st, sb->path, &o));
    o.flags = 0;
    o.busy_timeout_ms = IGNY8_BUSY_TIMEOUT_MAX_MS + 1;
    assert_igny8_fails(IGNY8_EINVAL, "busy_timeout_ms", igny8_store_open(&st, sb->path, &o));
    assert_null(st);
    assert_int_not_equal(access(sb->path, F_OK), 0);  /* nothing was created */

    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_options_init(&o, 0));
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_options_init(&o, 99));
    assert_igny8_ok(igny8_store_options_init(&o, IGNY8_STORE_OPTIONS_VERSION));
    assert_int_equal(o.version, IGNY8_STORE_OPTIONS_VERSION);
    assert_int_equal(o.flags, 0);
    o.busy_timeout_ms = IGNY8_BUSY_TIMEOUT_MAX_MS;
    assert_igny8_ok(igny8_store_open(&st, sb->path, &o));
    igny8_store_close(st);
}

static void test_store__two_handles_see_each_others_writes(void **state)
{
    sandbox *sb = *state;
    igny8_store *a = open_place(&sb->place, 0), *b = open_place(&sb->place, 0);
    assert_igny8_ok(igny8_module_add(a, "test", "planner", NULL, 1));
    assert_int_equal(enabled(b, 0, "planner"), 1);
    assert_igny8_ok(igny8_module_set(b, "test", "planner", 0));
    assert_int_equal(enabled(a, 0, "planner"), 0);
    assert_igny8_ok(igny8_module_put_json(a, "test", 7, "{\"planner\":true}", NULL));
    assert_int_equal(enabled(b, 7, "planner"), 1);
    assert_int_equal(testutil_audit_count(b), 3);
    igny8_store_close(a);
    igny8_store_close(b);
}

/* Run fn(path, id) for id 1..n in n child processes at once and check that each exits
 * with 0. Each child opens its own store after fork(), as a gunicorn worker does. */
typedef int (*child_fn)(const testutil_place *p, int id);
static void run_processes(int n, child_fn fn, const testutil_place *p)
{
    pid_t pids[8];
    assert_true(n <= 8);
    for (int id = 1; id <= n; id++) {
        fflush(NULL);
        pids[id - 1] = fork();
        assert_true(pids[id - 1] >= 0);
        if (pids[id - 1] == 0) {
            alarm(60);  /* never hang the test run */
            _exit(fn(p, id));
        }
    }
    for (int i = 0; i < n; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

static int child_report(int id, int rc)
{
    if (rc != IGNY8_OK)
        fprintf(stderr, "child %d: %d %s\n", id, rc, igny8_error_last()->message);
    return rc == IGNY8_OK ? 0 : 1;
}

/* WRITES_PER_PROCESS new modules, and every 20th an account override through the PUT. */
static int child_writes(const testutil_place *p, int id)
{
    igny8_store *st = NULL;
    char name[32], body[64];
    int rc = testutil_place_open(p, NULL, &st);
    for (int i = 0; rc == IGNY8_OK && i < WRITES_PER_PROCESS; i++) {
        snprintf(name, sizeof(name), "p%d_m%03d", id, i);
        rc = igny8_module_add(st, "worker", name, NULL, 1);
        if (rc == IGNY8_OK && i % 20 == 0) {
            snprintf(body, sizeof(body), "{\"%s\":false}", name);
            rc = igny8_module_put_json(st, "worker", id, body, NULL);
        }
    }
    igny8_store_close(st);
    return child_report(id, rc);
}

static void test_store__two_processes_lose_no_writes(void **state)
{
    sandbox *sb = *state;
    run_processes(2, child_writes, &sb->place);
    igny8_store *st = open_place(&sb->place, IGNY8_STORE_READONLY);
    assert_int_equal(module_count(st), 2 * WRITES_PER_PROCESS);
    int overrides = 2 * WRITES_PER_PROCESS / 20;
    assert_int_equal(testutil_audit_count(st), 2 * WRITES_PER_PROCESS + overrides);
    assert_int_equal(enabled(st, 1, "p1_m020"), 0);
    assert_int_equal(enabled(st, 2, "p2_m180"), 0);
    assert_int_equal(enabled(st, 1, "p2_m180"), 1);
    igny8_store_close(st);
}

static int child_opens(const testutil_place *p, int id)
{
    igny8_store *st = NULL;
    char name[32];
    snprintf(name, sizeof(name), "p%d", id);
    int rc = testutil_place_open(p, NULL, &st);
    if (rc == IGNY8_OK)
        rc = igny8_module_add(st, "worker", name, NULL, 1);
    igny8_store_close(st);
    return child_report(id, rc);
}

/* Workers starting together all create (SQLite: and switch to WAL) and migrate the same
 * new store. */
static void test_store__processes_opening_a_new_file_at_once_all_succeed(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        testutil_place p;
        testutil_place_new(&p);
        run_processes(4, child_opens, &p);
        igny8_store *st = open_place(&p, IGNY8_STORE_READONLY);
        assert_int_equal(module_count(st), 4);
        igny8_store_close(st);
        testutil_place_free(&p);
    }
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *commit_later(void *db)
{
    struct timespec pause = { 0, 200 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

/* The library waits for another connection's write lock with its own busy handler (short
 * random sleeps, see db_core.c): the timeout still ends the wait with IGNY8_EBUSY, and a
 * lock released during the wait is taken. */
static void test_store__busy_timeout_is_kept(void **state)
{
    TESTUTIL_SQLITE_ONLY("another connection holding the file's write lock (test_postgres.c: the advisory lock)");
    sandbox *sb = *state;
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    sqlite3 *other = NULL;
    o.busy_timeout_ms = 300;
    assert_igny8_ok(igny8_store_open(&st, sb->path, &o));
    assert_int_equal(sqlite3_open(sb->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    double t0 = seconds();
    assert_igny8_fails(IGNY8_EBUSY, NULL, igny8_module_add(st, "test", "planner", NULL, 1));
    double waited = seconds() - t0;
    if (waited < 0.29 || waited > 3.0)
        fail_msg("a 300 ms busy timeout gave up after %.3f s", waited);
    igny8_store_close(st);

    o.busy_timeout_ms = 0;  /* the default, 5 s */
    assert_igny8_ok(igny8_store_open(&st, sb->path, &o));
    pthread_t t;
    t0 = seconds();
    assert_int_equal(pthread_create(&t, NULL, commit_later, other), 0);
    assert_igny8_ok(igny8_module_add(st, "test", "planner", NULL, 1));
    waited = seconds() - t0;
    assert_int_equal(pthread_join(t, NULL), 0);
    if (waited < 0.15 || waited > 3.0)
        fail_msg("a lock released after 200 ms was taken after %.3f s", waited);
    assert_int_equal(enabled(st, 0, "planner"), 1);
    igny8_store_close(st);
    sqlite3_close(other);
}

static void test_store__readonly_store_refuses_writes(void **state)
{
    sandbox *sb = *state;
    igny8_store *st = open_place(&sb->place, 0);
    assert_igny8_ok(igny8_module_add(st, "test", "planner", NULL, 1));
    igny8_store_close(st);

    st = open_place(&sb->place, IGNY8_STORE_READONLY);
    assert_igny8_fails(IGNY8_EREADONLY, NULL, igny8_module_add(st, "test", "writer", NULL, 1));
    testutil_assert_contains(igny8_error_last()->message, "read-only");
    assert_igny8_fails(IGNY8_EREADONLY, NULL, igny8_module_set(st, "test", "planner", 0));
    assert_igny8_fails(IGNY8_EREADONLY, NULL, igny8_module_put_json(st, "test", 7, "{\"planner\":false}", NULL));
    assert_int_equal(enabled(st, 0, "planner"), 1);
    assert_int_equal(module_count(st), 1);
    int v = 0;
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);
    igny8_store_close(st);
    if (testutil_postgres())
        return;  /* test_postgres.c: an old schema */

    /* an old store cannot be migrated read-only, and is left untouched */
    char *sql = testutil_fixture("store_v1.sql");
    char old[160];
    snprintf(old, sizeof(old), "%s/old.db", sb->dir);
    sqlite_build(old, sql);
    free(sql);
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = IGNY8_STORE_READONLY;
    assert_igny8_fails(IGNY8_EREADONLY, "path", igny8_store_open(&st, old, &o));
    assert_int_equal(sqlite_int(old, "PRAGMA user_version"), 1);
}

static void test_store__null_args_are_einval(void **state)
{
    TESTUTIL_SQLITE_ONLY("\":memory:\"");
    (void)state;
    igny8_store *st = (igny8_store *)1;
    int v;
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_store_open(NULL, ":memory:", NULL));
    testutil_assert_contains(igny8_error_last()->message, "NULL");
    assert_igny8_fails(IGNY8_EINVAL, "path", igny8_store_open(&st, NULL, NULL));
    assert_null(st);
    assert_igny8_fails(IGNY8_EINVAL, "path", igny8_store_open(&st, "", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "opts", igny8_store_options_init(NULL, IGNY8_STORE_OPTIONS_VERSION));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_store_schema_version(NULL, &v));
    st = open_ok(":memory:", 0);
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_store_schema_version(st, NULL));
    igny8_store_close(st);
    igny8_store_close(NULL);
    assert_null(igny8_store_path(NULL));
}

/* A caller built against the first version of the options struct passes a shorter struct:
 * only the fields of its version are read, the rest take their defaults. */
static void test_store__older_options_version_is_read_by_its_size(void **state)
{
    TESTUTIL_SQLITE_ONLY("\":memory:\" (test_postgres.c: a v1 options struct on a URL)");
    (void)state;
    struct { unsigned int version; unsigned int busy_timeout_ms; uint32_t flags; } v1 = { 1, 250, 0 };
    igny8_store *st = NULL;
    assert_igny8_ok(igny8_store_open(&st, ":memory:", (const igny8_store_options *)&v1));
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, 1, "clustering", NULL, &r));
    igny8_resolution_free(r);
    igny8_store_close(st);
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.cache_accounts = 2;  /* a tiny cache still answers right: accounts are evicted and reloaded */
    assert_igny8_ok(igny8_store_open(&st, ":memory:", &o));
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    for (int64_t a = 1; a <= 6; a++)
        assert_igny8_ok(igny8_integration_put_json(st, "t", a, "openai", a % 2 ? "{\"model\":\"gpt-4o\"}" : "{}", NULL));
    for (int round = 0; round < 3; round++)
        for (int64_t a = 1; a <= 6; a++) {
            assert_igny8_ok(igny8_get_model_for_operation(st, a, "clustering", NULL, &r));
            assert_string_equal(igny8_resolution_model_name(r), a % 2 ? "gpt-4o" : "gpt-4o-mini");
            igny8_resolution_free(r);
        }
    igny8_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store__new_file_has_mode_0600, setup, teardown),
        cmocka_unit_test(test_store__memory_store_works),
        cmocka_unit_test_setup_teardown(test_store__schema_version_is_current, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__v1_store_is_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__newer_schema_is_eversion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__negative_schema_version_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__random_bytes_are_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__truncated_store_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__damaged_pages_are_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__other_application_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__missing_file_with_nocreate_is_eio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__bad_options_are_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__two_handles_see_each_others_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__two_processes_lose_no_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__processes_opening_a_new_file_at_once_all_succeed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store__readonly_store_refuses_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store__busy_timeout_is_kept, setup, teardown),
        cmocka_unit_test(test_store__null_args_are_einval),
        cmocka_unit_test(test_store__older_options_version_is_read_by_its_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
