/* The PostgreSQL backend's own behaviour: opening by URL or connection string, the schema
 * option, what may be shown of a URL (never its password), a server that cannot be
 * reached, foreign, newer, missing and old schemas, the advisory lock as the busy
 * timeout's wait, a connection the server dropped, and names sorting byte by byte as on
 * SQLite. The tests that need a server are skipped on the SQLite run; the rest of the
 * suite runs on both backends (testutil.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "testutil.h"

#define PASSWORD "pw-FAKE-" "0p3nS3same"  /* trust authentication ignores it; it must never show */

#define NEEDS_SERVER() do { if (!testutil_postgres()) { \
        print_message("[ SKIPPED  ] needs the PostgreSQL server (the postgresql label)\n"); skip(); } } while (0)

typedef struct {
    testutil_place place;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    testutil_place_new(&f->place);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testutil_place_free(&f->place);
    free(f);
    return 0;
}

static igny8_store *open_with(const char *target, const char *schema, uint32_t flags)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    o.schema = schema;
    o.flags = flags;
    assert_igny8_ok(igny8_store_open(&st, target, &o));
    return st;
}

static int open_fails(const char *target, const char *schema, uint32_t flags, igny8_store **st)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.schema = schema;
    o.flags = flags;
    *st = (igny8_store *)&o;  /* must come back NULL */
    return igny8_store_open(st, target, &o);
}

/* The test server's URL with something inserted after "postgresql://" or appended. */
static void url_with(char *out, size_t n, const char *userinfo, const char *query)
{
    const char *url = testutil_pg_url();
    const char *rest = strstr(url, "://") + 3, *at = strchr(rest, '@');
    snprintf(out, n, "postgresql://%s%s%s", userinfo ? userinfo : "", at ? at + 1 : rest, query ? query : "");
}

static void sql_ok(const testutil_place *p, const char *sql)
{
    char err[512];
    if (testutil_sql(p, sql, err, sizeof(err)) != 0)
        fail_msg("%s: %s", sql, err);
}

static int module_on(igny8_store *st, int64_t account, const char *name)
{
    int on = -1;
    assert_igny8_ok(igny8_module_enabled(st, account, name, &on));
    return on;
}

/* ---- opening ---- */

static void test_postgres__url_and_connection_string_open_the_same_store(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    char url[512], conninfo[512];
    igny8_store *a = open_with(f->place.target, f->place.schema, 0);
    assert_igny8_ok(igny8_module_add(a, "test", "planner", NULL, 0));
    url_with(url, sizeof(url), "igny8@", NULL);
    memcpy(url, "postgres", 8);  /* postgres:// as well: "postgres" + "ql://" -> "postgres://" */
    memmove(url + 8, url + 10, strlen(url + 10) + 1);
    igny8_store *b = open_with(url, f->place.schema, 0);
    assert_int_equal(module_on(b, 0, "planner"), 0);
    PQconninfoOption *o = PQconninfoParse(f->place.target, NULL);
    const char *host = NULL, *port = NULL, *db = NULL, *user = NULL;
    for (PQconninfoOption *i = o; i && i->keyword; i++) {
        if (!i->val) continue;
        if (!strcmp(i->keyword, "host")) host = i->val;
        if (!strcmp(i->keyword, "port")) port = i->val;
        if (!strcmp(i->keyword, "dbname")) db = i->val;
        if (!strcmp(i->keyword, "user")) user = i->val;
    }
    snprintf(conninfo, sizeof(conninfo), "host=%s port=%s dbname=%s user=%s password='%s'", host, port ? port : "5432",
             db, user, PASSWORD);
    PQconninfoFree(o);
    igny8_store *c = open_with(conninfo, f->place.schema, IGNY8_STORE_POSTGRES);
    assert_igny8_ok(igny8_module_set(c, "test", "planner", 1));
    assert_int_equal(module_on(a, 0, "planner"), 1);
    testutil_assert_not_contains(igny8_store_path(c), PASSWORD);
    testutil_assert_contains(igny8_store_path(c), "postgresql://");
    igny8_store_close(a);
    igny8_store_close(b);
    igny8_store_close(c);
}

/* A password in the URL reaches libpq and nothing else: not the path, the health view, an
 * error message, the audit log or an export. */
static void test_postgres__a_password_never_shows(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    char url[512], *json = NULL;
    url_with(url, sizeof(url), "igny8:" PASSWORD "@", NULL);
    igny8_store *st = open_with(url, f->place.schema, 0);
    testutil_assert_not_contains(igny8_store_path(st), PASSWORD);
    testutil_assert_contains(igny8_store_path(st), "igny8@");
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    assert_igny8_ok(igny8_health_json(st, &json));
    testutil_assert_not_contains(json, PASSWORD);
    igny8_free(json);
    assert_igny8_ok(igny8_audit_query_json(st, NULL, &json));
    testutil_assert_not_contains(json, PASSWORD);
    igny8_free(json);
    assert_igny8_ok(igny8_store_export_json(st, NULL, &json));
    testutil_assert_not_contains(json, PASSWORD);
    igny8_free(json);
    igny8_store_close(st);
    /* nor in the error of a server that cannot be reached, or of a URL libpq cannot read */
    igny8_store *bad = NULL;
    assert_igny8_fails(IGNY8_EIO, "path", open_fails("postgresql://igny8:" PASSWORD "@127.0.0.1:1/x", "s", 0, &bad));
    assert_null(bad);
    testutil_assert_not_contains(igny8_error_last()->message, PASSWORD);
    testutil_assert_contains(igny8_error_last()->message, "postgresql://igny8@127.0.0.1:1/x");
    assert_igny8_fails(IGNY8_EINVAL, "path", open_fails("postgresql://igny8:" PASSWORD "@127.0.0.1/x?bogus=" PASSWORD,
                                                        "s", 0, &bad));
    assert_null(bad);
    testutil_assert_not_contains(igny8_error_last()->message, PASSWORD);
    assert_igny8_fails(IGNY8_EINVAL, "path", open_fails("host=127.0.0.1 password", "s", IGNY8_STORE_POSTGRES, &bad));
    testutil_assert_not_contains(igny8_error_last()->message, "password");
}

static void test_postgres__an_unreachable_server_is_eio(void **state)
{
    (void)state;
    igny8_store *st = NULL;
    double t0 = (double)time(NULL);
    assert_igny8_fails(IGNY8_EIO, "path", open_fails("postgresql://igny8@127.0.0.1:1/igny8test", NULL, 0, &st));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, "cannot connect to the PostgreSQL server");
    assert_true((double)time(NULL) - t0 < 10);  /* refused at once, not a connect timeout */
}

static void test_postgres__a_bad_schema_name_is_einval(void **state)
{
    (void)state;
    const char *bad[] = { "", "Upper", "has-dash", "9digit", "quote\"d",
                          "a_name_longer_than_sixty_three_characters_which_postgres_would_cut" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        igny8_store *st = NULL;
        assert_igny8_fails(IGNY8_EINVAL, "schema", open_fails("postgresql://igny8@127.0.0.1:1/x", bad[i], 0, &st));
        assert_null(st);
    }
}

/* Without the option the store lives in IGNY8_STORE_SCHEMA_DEFAULT; and a caller built
 * against a version of the options struct without the field gets that default too. */
static void test_postgres__the_default_schema_and_an_older_options_struct(void **state)
{
    (void)state;
    NEEDS_SERVER();
    testutil_place def;
    memset(&def, 0, sizeof(def));
    snprintf(def.target, sizeof(def.target), "%s", testutil_pg_url());
    snprintf(def.schema, sizeof(def.schema), "%s", IGNY8_STORE_SCHEMA_DEFAULT);
    testutil_place_free(&def);  /* drops a leftover of an earlier run */
    snprintf(def.target, sizeof(def.target), "%s", testutil_pg_url());
    snprintf(def.schema, sizeof(def.schema), "%s", IGNY8_STORE_SCHEMA_DEFAULT);
    struct { unsigned int version; unsigned int busy_timeout_ms; uint32_t flags; } v1 = { 1, 250, 0 };
    igny8_store *st = NULL;
    assert_igny8_ok(igny8_store_open(&st, def.target, (const igny8_store_options *)&v1));
    assert_igny8_ok(igny8_module_add(st, "test", "planner", NULL, 1));
    igny8_store_close(st);
    char err[256];
    assert_int_equal(testutil_sql(&def, "SELECT 1 FROM module WHERE name = 'planner'", err, sizeof(err)), 0);
    st = open_with(def.target, NULL, 0);
    assert_int_equal(module_on(st, 0, "planner"), 1);
    igny8_store_close(st);
    testutil_place_free(&def);
}

/* ---- schemas that are not (yet) stores ---- */

static void test_postgres__another_applications_schema_is_ecorrupt(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    sql_ok(&f->place, "CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'ada')");
    igny8_store *st = NULL;
    assert_igny8_fails(IGNY8_ECORRUPT, "path", open_fails(f->place.target, f->place.schema, 0, &st));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, "another application");
    char err[256];
    assert_int_not_equal(testutil_sql(&f->place, "SELECT 1 FROM igny8_meta", err, sizeof(err)), 0);  /* untouched */
    /* an igny8_meta that is not ours either */
    sql_ok(&f->place, "CREATE TABLE igny8_meta (application_id INTEGER, schema_version INTEGER);"
                      "INSERT INTO igny8_meta VALUES (7, 5)");
    assert_igny8_fails(IGNY8_ECORRUPT, "path", open_fails(f->place.target, f->place.schema, 0, &st));
    testutil_assert_contains(igny8_error_last()->message, "not an igny8 settings store");
}

static void test_postgres__a_newer_schema_is_eversion(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    igny8_store *st = open_with(f->place.target, f->place.schema, 0);
    igny8_store_close(st);
    sql_ok(&f->place, "UPDATE igny8_meta SET schema_version = 99");
    assert_igny8_fails(IGNY8_EVERSION, "path", open_fails(f->place.target, f->place.schema, 0, &st));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, "99");
    assert_igny8_fails(IGNY8_EVERSION, "path", open_fails(f->place.target, f->place.schema, IGNY8_STORE_READONLY, &st));
}

static void test_postgres__a_missing_schema_is_not_made_without_leave(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    igny8_store *st = NULL;
    assert_igny8_fails(IGNY8_EIO, "path", open_fails(f->place.target, f->place.schema, IGNY8_STORE_NOCREATE, &st));
    assert_null(st);
    testutil_assert_contains(igny8_error_last()->message, f->place.schema);
    assert_igny8_fails(IGNY8_EIO, "path", open_fails(f->place.target, f->place.schema, IGNY8_STORE_READONLY, &st));
    PGconn *conn = PQconnectdb(f->place.target);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_namespace WHERE nspname = '%s'", f->place.schema);
    PGresult *r = PQexec(conn, sql);
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    PQfinish(conn);
}

/* A store of schema version 1 migrates forward in one transaction and keeps its rows; read
 * only, it is refused and left as it was. */
static void test_postgres__a_v1_schema_is_migrated(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    char *sql = testutil_fixture("store_v1_pg.sql");
    sql_ok(&f->place, sql);
    free(sql);
    igny8_store *st = NULL;
    assert_igny8_fails(IGNY8_EREADONLY, "path", open_fails(f->place.target, f->place.schema, IGNY8_STORE_READONLY, &st));
    char err[256];
    assert_int_equal(testutil_sql(&f->place, "SELECT 1 FROM igny8_meta WHERE schema_version = 1", err, sizeof(err)), 0);
    st = open_with(f->place.target, f->place.schema, 0);
    int v = 0;
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);
    assert_int_equal(module_on(st, 0, "planner"), 0);
    assert_int_equal(module_on(st, 7, "planner"), 1);
    assert_int_equal(module_on(st, 0, "writer"), 1);
    assert_int_equal(testutil_audit_count(st), 1);
    char *log = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, NULL, &log));
    testutil_assert_contains(log, "\"at\":\"2026-01-05T10:00:00.000Z\"");
    igny8_free(log);
    assert_igny8_ok(igny8_module_add(st, "test", "linker", NULL, 1));
    assert_int_equal(testutil_audit_count(st), 2);
    assert_igny8_ok(igny8_prompt_type_add(st, "test", "migrated"));  /* the v3 tables exist */
    igny8_store_close(st);
    st = open_with(f->place.target, f->place.schema, IGNY8_STORE_READONLY);
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);
    igny8_store_close(st);
}

/* ---- the write lock ---- */

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *commit_later(void *conn)
{
    struct timespec pause = { 0, 200 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    PQclear(PQexec(conn, "COMMIT"));
    return NULL;
}

/* Another session holding the store's write lock (a writer mid-transaction): a write waits
 * busy_timeout_ms for it, then IGNY8_EBUSY; a lock released during the wait is taken. */
static void test_postgres__the_busy_timeout_is_the_wait_for_the_write_lock(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    char sql[200];
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    o.schema = f->place.schema;
    o.busy_timeout_ms = 300;
    assert_igny8_ok(igny8_store_open(&st, f->place.target, &o));
    PGconn *other = PQconnectdb(f->place.target);
    assert_int_equal(PQstatus(other), CONNECTION_OK);
    snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(1229409848, hashtext('%s'))", f->place.schema);
    PQclear(PQexec(other, sql));
    double t0 = seconds();
    assert_igny8_fails(IGNY8_EBUSY, NULL, igny8_module_add(st, "test", "planner", NULL, 1));
    double waited = seconds() - t0;
    if (waited < 0.29 || waited > 3.0)
        fail_msg("a 300 ms busy timeout gave up after %.3f s", waited);
    igny8_store_close(st);
    o.busy_timeout_ms = 0;  /* the default, 5 s */
    assert_igny8_ok(igny8_store_open(&st, f->place.target, &o));
    pthread_t t;
    t0 = seconds();
    assert_int_equal(pthread_create(&t, NULL, commit_later, other), 0);
    assert_igny8_ok(igny8_module_add(st, "test", "planner", NULL, 1));
    waited = seconds() - t0;
    assert_int_equal(pthread_join(t, NULL), 0);
    if (waited < 0.15 || waited > 3.0)
        fail_msg("a lock released after 200 ms was taken after %.3f s", waited);
    assert_int_equal(module_on(st, 0, "planner"), 1);
    igny8_store_close(st);
    PQfinish(other);
}

/* ---- a connection the server dropped ---- */

static void terminate(const char *target, const char *application)
{
    char sql[200];
    PGconn *conn = PQconnectdb(target);
    snprintf(sql, sizeof(sql), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE application_name = '%s'", application);
    PGresult *r = PQexec(conn, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    PQfinish(conn);
    usleep(100 * 1000);  /* the backend is gone before the next call */
}

/* The server ends the session (a restart, a failover, an administrator): the next call
 * reconnects and succeeds, a read, a resolve and a write alike; the cache stays right. */
static void test_postgres__a_dropped_connection_is_made_again(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    char url[700], app[64], query[96];
    snprintf(app, sizeof(app), "igny8_drop_%ld", (long)getpid());
    snprintf(query, sizeof(query), "%sapplication_name=%s", strchr(f->place.target, '?') ? "&" : "?", app);
    snprintf(url, sizeof(url), "%s%s", f->place.target, query);
    igny8_store *st = open_with(url, f->place.schema, 0), *other = open_with(f->place.target, f->place.schema, 0);
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, 5, "clustering", NULL, &r));  /* warm */
    igny8_resolution_free(r);
    for (int round = 0; round < 3; round++) {
        const char *model = round % 2 ? "gpt-4.1" : "gpt-4o";
        char body[64], *json = NULL;
        snprintf(body, sizeof(body), "{\"model\":\"%s\"}", model);
        assert_igny8_ok(igny8_integration_put_json(other, "other", 5, "openai", body, NULL));
        terminate(f->place.target, app);
        assert_igny8_ok(igny8_get_model_for_operation(st, 5, "clustering", NULL, &r));
        assert_string_equal(igny8_resolution_model_name(r), model);
        igny8_resolution_free(r);
        terminate(f->place.target, app);
        assert_igny8_ok(igny8_module_list_json(st, 5, &json));
        igny8_free(json);
        terminate(f->place.target, app);
        assert_igny8_ok(igny8_integration_put_json(st, "st", 6, "openai", body, NULL));
    }
    igny8_store_close(st);
    igny8_store_close(other);
}

static void *terminate_later(void *arg)
{
    const char **where = arg;
    usleep(500 * 1000);  /* the writer is inside its COMMIT, in the deferred trigger */
    terminate(where[0], where[1]);
    return NULL;
}

/* The server ends the session while a COMMIT runs (here: in a slow deferred trigger the
 * test adds; in life a shutdown or a failover): the library cannot know whether the change
 * became durable, so the write is IGNY8_EIO saying "outcome unknown", never a plain
 * failure the caller would take as "not applied"; the next call reconnects. */
static void test_postgres__a_commit_cut_off_is_of_unknown_outcome(void **state)
{
    fixture *f = *state;
    NEEDS_SERVER();
    char url[700], app[64], query[96], sql[600];
    snprintf(app, sizeof(app), "igny8_commit_%ld", (long)getpid());
    snprintf(query, sizeof(query), "%sapplication_name=%s", strchr(f->place.target, '?') ? "&" : "?", app);
    snprintf(url, sizeof(url), "%s%s", f->place.target, query);
    igny8_store *st = open_with(url, f->place.schema, 0);
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    snprintf(sql, sizeof(sql),
             "CREATE FUNCTION %1$s.slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
             " 'BEGIN PERFORM pg_sleep(5); RETURN NULL; END';"
             " CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON %1$s.audit"
             " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %1$s.slow_commit()", f->place.schema);
    sql_ok(&f->place, sql);
    const char *where[] = { f->place.target, app };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, terminate_later, where), 0);
    int rc = igny8_integration_put_json(st, "st", 5, "openai", "{\"temperature\":0.25}", NULL);
    assert_int_equal(pthread_join(t, NULL), 0);
    if (rc != IGNY8_EIO || strstr(igny8_error_last()->message, "outcome unknown") == NULL)
        fail_msg("a cut-off COMMIT gave %d: %s", rc, igny8_error_last()->message);
    snprintf(sql, sizeof(sql), "DROP TRIGGER slow_commit ON %s.audit", f->place.schema);
    sql_ok(&f->place, sql);
    assert_igny8_ok(igny8_integration_put_json(st, "st", 5, "openai", "{\"temperature\":0.5}", NULL));
    igny8_store_close(st);
}

/* ---- the same order on both backends ---- */

/* Names compare and sort byte by byte, as SQLite's BINARY collation does, whatever the
 * database's locale: upper case before lower case, and the resolver finds each by its
 * exact bytes. Runs on both backends. */
static void test_postgres__names_sort_as_bytes(void **state)
{
    (void)state;
    igny8_store *st = testutil_store(1);
    const char *names[] = { "zz-last", "Zeta", "alpha", "Alpha", "_under", "a.b", "a-b" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char body[256];
        snprintf(body, sizeof(body), "{\"model_name\":\"%s\",\"provider\":\"openai\",\"model_type\":\"text\","
                 "\"max_output_tokens\":1000}", names[i]);
        assert_igny8_ok(igny8_model_add_json(st, "test", body, NULL));
    }
    igny8_models *list = NULL;
    assert_igny8_ok(igny8_model_list(st, NULL, &list));
    for (size_t i = 1; i < igny8_models_count(list); i++)
        if (strcmp(igny8_model_name(igny8_models_at(list, i - 1)), igny8_model_name(igny8_models_at(list, i))) >= 0)
            fail_msg("'%s' is listed before '%s'", igny8_model_name(igny8_models_at(list, i - 1)),
                     igny8_model_name(igny8_models_at(list, i)));
    igny8_models_free(list);
    assert_igny8_ok(igny8_integration_put_json(st, "test", 3, "openai", "{\"model\":\"Alpha\"}", NULL));
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, 3, "ideas", NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "Alpha");
    igny8_resolution_free(r);
    igny8_model *m = NULL;
    assert_igny8_fails(IGNY8_ENOTFOUND, "model", igny8_model_get(st, "ALPHA", &m));
    igny8_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_postgres__url_and_connection_string_open_the_same_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres__a_password_never_shows, setup, teardown),
        cmocka_unit_test(test_postgres__an_unreachable_server_is_eio),
        cmocka_unit_test(test_postgres__a_bad_schema_name_is_einval),
        cmocka_unit_test(test_postgres__the_default_schema_and_an_older_options_struct),
        cmocka_unit_test_setup_teardown(test_postgres__another_applications_schema_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres__a_newer_schema_is_eversion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres__a_missing_schema_is_not_made_without_leave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres__a_v1_schema_is_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres__the_busy_timeout_is_the_wait_for_the_write_lock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_postgres__a_dropped_connection_is_made_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres__a_commit_cut_off_is_of_unknown_outcome, setup, teardown),
        cmocka_unit_test(test_postgres__names_sort_as_bytes),
    };
    return cmocka_run_group_tests_name("postgres", tests, NULL, NULL);
}
