#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>

#include "testutil.h"

#ifndef IGNY8_TEST_FIXTURES
#define IGNY8_TEST_FIXTURES "tests/fixtures"
#endif

/* ---- the backend ---- */

int testutil_postgres(void)
{
    const char *b = getenv("IGNY8_TEST_BACKEND");
    return b && strcmp(b, "postgresql") == 0;
}

const char *testutil_backend_name(void) { return testutil_postgres() ? "postgresql" : "sqlite"; }

const char *testutil_pg_url(void)
{
    const char *u = getenv("IGNY8_TEST_PG_URL");
    return u && *u ? u : "postgresql://igny8@127.0.0.1:55432/igny8test";
}

/* The tests' own connection, for what the library does not do: dropping a schema.
 * No server means no test can mean anything: say so and stop the whole binary at once
 * (a CMocka failure here would leave admin_lock held and hang the next test). */
static PGconn *admin(void)
{
    static PGconn *conn;
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        conn = PQconnectdb(testutil_pg_url());
        if (PQstatus(conn) != CONNECTION_OK) {
            fprintf(stderr, "testutil: error: cannot connect to the test server %s: %s"
                    "testutil: start it with: bash scripts/pg.sh start\n",
                    testutil_pg_url(), PQerrorMessage(conn));
            _exit(1);
        }
        PQclear(PQexec(conn, "SET client_min_messages = warning"));
    }
    return conn;
}

static pthread_mutex_t admin_lock = PTHREAD_MUTEX_INITIALIZER;

static void drop_schema(const char *schema)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS \"%s\" CASCADE", schema);
    pthread_mutex_lock(&admin_lock);
    PGconn *conn = admin();
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "testutil: %s: %s", sql, PQerrorMessage(conn));
    PQclear(r);
    pthread_mutex_unlock(&admin_lock);
}

int testutil_sql(const testutil_place *p, const char *sql, char *err, size_t err_size)
{
    int rc = 0;
    err[0] = '\0';
    if (p->schema[0]) {
        PGconn *conn = PQconnectdb(p->target);
        char path[256];
        snprintf(path, sizeof(path), "SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS \"%s\";"
                 " SET search_path TO \"%s\"", p->schema, p->schema);
        PQclear(PQexec(conn, path));
        PGresult *r = PQexec(conn, sql);
        ExecStatusType status = PQresultStatus(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            snprintf(err, err_size, "%s", PQerrorMessage(conn));
            rc = -1;
        }
        PQclear(r);
        PQfinish(conn);
        return rc;
    }
    sqlite3 *db = NULL;
    char *msg = NULL;
    if (sqlite3_open(p->target, &db) != SQLITE_OK || sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, err_size, "%s", msg ? msg : sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc;
}

/* ---- places ---- */

void testutil_place_new(testutil_place *p)
{
    static unsigned counter;
    memset(p, 0, sizeof(*p));
    if (testutil_postgres()) {
        snprintf(p->target, sizeof(p->target), "%s", testutil_pg_url());
        snprintf(p->schema, sizeof(p->schema), "t%ld_%u", (long)getpid(), __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
        drop_schema(p->schema);  /* a schema of an earlier run whose process had the same pid */
        return;
    }
    snprintf(p->dir, sizeof(p->dir), "%s", testutil_tmpdir());
    snprintf(p->target, sizeof(p->target), "%s/store.db", p->dir);
}

int testutil_place_open(const testutil_place *p, const igny8_store_options *o, igny8_store **out)
{
    igny8_store_options so = IGNY8_STORE_OPTIONS_INIT;
    if (o) {
        so.busy_timeout_ms = o->busy_timeout_ms;
        so.flags = o->flags;
        so.cache_accounts = o->cache_accounts;
        so.master_key = o->master_key;
    }
    so.schema = p->schema[0] ? p->schema : NULL;
    return igny8_store_open(out, p->target, &so);
}

void testutil_place_free(testutil_place *p)
{
    if (p->schema[0])
        drop_schema(p->schema);
    if (p->dir[0])
        testutil_rmdir(p->dir);
    memset(p, 0, sizeof(*p));
}

/* The places of testutil_store's stores, removed by teardown or at exit. */
#define MAX_PLACES 4096
static struct { igny8_store *st; testutil_place place; } places[MAX_PLACES];
static size_t n_places;

static void free_places(void)
{
    for (size_t i = 0; i < n_places; i++)
        if (places[i].place.target[0])
            testutil_place_free(&places[i].place);
    n_places = 0;
}

void testutil_assert_fails(int code, const char *field, int rc, const char *expr, const char *file, int line)
{
    const igny8_error *e = igny8_error_last();
    if (rc != code)
        fail_msg("%s:%d: %s -> %d (%s), expected %d", file, line, expr, rc, e->message, code);
    if (e->code != code)
        fail_msg("%s:%d: error_last code %d, expected %d", file, line, e->code, code);
    if (e->message == NULL || e->message[0] == '\0')
        fail_msg("%s:%d: %s gave no message", file, line, expr);
    if (field && (e->field == NULL || strcmp(e->field, field) != 0))
        fail_msg("%s:%d: %s names field '%s' (%s), expected '%s'", file, line, expr,
                 e->field ? e->field : "(null)", e->message, field);
}

igny8_store *testutil_store(int with_defaults)
{
    igny8_store *st = NULL;
    if (testutil_postgres()) {
        if (n_places == 0)
            atexit(free_places);
        if (n_places == MAX_PLACES)
            fail_msg("testutil: more than %d stores in one test process", MAX_PLACES);
        testutil_place_new(&places[n_places].place);
        assert_igny8_ok(testutil_place_open(&places[n_places].place, NULL, &st));
        places[n_places++].st = st;
    } else {
        assert_igny8_ok(igny8_store_open(&st, ":memory:", NULL));
    }
    if (with_defaults)
        assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    return st;
}

int testutil_setup(void **state)
{
    *state = testutil_store(1);
    return 0;
}

int testutil_teardown(void **state)
{
    igny8_store_close(*state);
    for (size_t i = 0; i < n_places; i++)
        if (places[i].st == *state && places[i].place.target[0]) {
            testutil_place_free(&places[i].place);
            places[i].st = NULL;
        }
    return 0;
}

char *testutil_tmpdir(void)
{
    static char buf[64];
    snprintf(buf, sizeof(buf), "/tmp/igny8-test-XXXXXX");
    if (mkdtemp(buf) == NULL)
        fail_msg("mkdtemp failed");
    return buf;
}

void testutil_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

char *testutil_fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", IGNY8_TEST_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n)
        fail_msg("cannot read fixture %s", path);
    text[n] = '\0';
    fclose(f);
    return text;
}

int testutil_audit_count(igny8_store *st)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "entries"));
    cJSON_Delete(j);
    igny8_free(json);
    return n;
}

char *testutil_take(int rc, char **owned_by_library)
{
    if (rc != IGNY8_OK)
        fail_msg("call failed %d: %s", rc, igny8_error_last()->message);
    if (*owned_by_library == NULL)
        fail_msg("call succeeded but gave no output");
    char *copy = strdup(*owned_by_library);
    igny8_free(*owned_by_library);
    *owned_by_library = NULL;
    return copy;
}

void testutil_assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("'%s' not found in: %s", needle, haystack ? haystack : "(null)");
}

void testutil_assert_not_contains(const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle) != NULL)
        fail_msg("'%s' unexpectedly found in: %s", needle, haystack);
}
