/* The resolver's cache never serves stale data: a store handle that is already warm sees,
 * on its very next call, every change committed by another handle, another process or a
 * writer that bypasses the library (the sqlite3 library, libpq), in a loop of random
 * changes; after more changes than the change log keeps; and, as two hosts would, between
 * two long-lived processes with caches of their own. On both backends. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define ACCOUNTS 20

static char self_path[4096];  /* this test binary, run again as the other process */
#define ROUNDS 240

static const char *const models[] = { "gpt-4o", "gpt-4.1", "gpt-4o-mini", "gpt-4.1-mini", "gpt-4-turbo-preview" };

typedef struct {
    testutil_place place;
    igny8_store *reader, *writer;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    testutil_place_new(&f->place);
    assert_igny8_ok(testutil_place_open(&f->place, NULL, &f->writer));
    assert_igny8_ok(igny8_defaults_load(f->writer, "test", NULL));
    assert_igny8_ok(testutil_place_open(&f->place, NULL, &f->reader));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    igny8_store_close(f->reader);
    igny8_store_close(f->writer);
    testutil_place_free(&f->place);
    free(f);
    return 0;
}

static char *resolved_model(igny8_store *st, int64_t account)
{
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, account, "clustering", NULL, &r));
    char *m = strdup(igny8_resolution_model_name(r));
    igny8_resolution_free(r);
    return m;
}

/* Warm the reader's cache for every account. */
static void warm(igny8_store *st)
{
    for (int64_t a = 1; a <= ACCOUNTS; a++)
        free(resolved_model(st, a));
}

static void put_model(igny8_store *st, int64_t account, const char *model)
{
    char body[96];
    snprintf(body, sizeof(body), "{\"model\":\"%s\"}", model);
    assert_igny8_ok(igny8_integration_put_json(st, "writer", account, "openai", body, NULL));
}

/* A place from the command line of a child: target and schema ("-": none). */
static void place_of(testutil_place *p, const char *target, const char *schema)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->target, sizeof(p->target), "%s", target);
    if (strcmp(schema, "-") != 0)
        snprintf(p->schema, sizeof(p->schema), "%s", schema);
}

/* This test binary run again as another process (exec, not just fork: SQLite's per-process
 * file state must not be inherited from a process with open stores), on the store at p,
 * with up to two more arguments (NULL: fewer); stdin and stdout from in and out (-1: kept). */
static pid_t spawn_self(const char *mode, const testutil_place *p, const char *arg1, const char *arg2, int in, int out)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0))
            _exit(126);
        execl(self_path, "test_freshness", mode, p->target, p->schema[0] ? p->schema : "-", arg1, arg2,
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void assert_child_succeeded(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child %ld ended with status 0x%x", (long)pid, status);
}

/* The same change from another process. */
static void put_model_in_child(const testutil_place *p, int64_t account, const char *model)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)account);
    assert_child_succeeded(spawn_self("--put-model", p, id, model, -1, -1));
}

/* The child's side of put_model_in_child. */
static int child_put_model(const char *target, const char *schema, const char *account, const char *model)
{
    igny8_store *st = NULL;
    testutil_place p;
    char body[96];
    place_of(&p, target, schema);
    snprintf(body, sizeof(body), "{\"model\":\"%s\"}", model);
    int rc = testutil_place_open(&p, NULL, &st);
    if (rc == IGNY8_OK)
        rc = igny8_integration_put_json(st, "child", atoll(account), "openai", body, NULL);
    if (rc != IGNY8_OK)
        fprintf(stderr, "child: %s\n", igny8_error_last()->message);
    igny8_store_close(st);
    return rc == IGNY8_OK ? 0 : 1;
}

/* And behind the library's back: SQL that knows nothing of it. */
static void raw_sql(const testutil_place *p, const char *sql)
{
    char err[512];
    if (testutil_sql(p, sql, err, sizeof(err)) != 0)
        fail_msg("%s: %s", sql, err);
}

static void put_model_with_sql(const testutil_place *p, int64_t account, const char *model)
{
    char sql[512];
    snprintf(sql, sizeof(sql), "INSERT INTO account_integration (account_id, integration, enabled, model, updated_at,"
             " updated_by) VALUES (%lld, 'openai', 1, '%s', '2026-11-26T00:00:00.000Z', 'shell')"
             " ON CONFLICT (account_id, integration) DO UPDATE SET model = excluded.model;", (long long)account, model);
    raw_sql(p, sql);
}

static void test_freshness__every_writer_is_seen_by_the_next_call(void **state)
{
    fixture *f = *state;
    unsigned seed = 7;
    warm(f->reader);
    for (int round = 0; round < ROUNDS; round++) {
        int64_t account = 1 + rand_r(&seed) % ACCOUNTS;
        const char *model = models[rand_r(&seed) % 5];
        switch (round % 3) {
        case 0: put_model(f->writer, account, model); break;
        case 1: put_model_in_child(&f->place, account, model); break;
        default: put_model_with_sql(&f->place, account, model); break;
        }
        char *seen = resolved_model(f->reader, account);
        if (strcmp(seen, model) != 0)
            fail_msg("round %d (writer %d): account %lld resolved to %s, expected %s", round, round % 3,
                     (long long)account, seen, model);
        free(seen);
    }
}

static void test_freshness__platform_changes_reach_every_cached_account(void **state)
{
    fixture *f = *state;
    warm(f->reader);
    /* the platform's default text model changes under every cached account */
    assert_igny8_ok(igny8_global_default_model_set(f->writer, "ops", "gpt-4.1"));
    for (int64_t a = 1; a <= ACCOUNTS; a++) {
        char *m = resolved_model(f->reader, a);
        assert_string_equal(m, "gpt-4.1");
        free(m);
    }
    /* a model deactivated from the shell is skipped at once */
    raw_sql(&f->place, "UPDATE model SET is_active = 0 WHERE model_name = 'gpt-4.1';");
    char *m = resolved_model(f->reader, 3);
    assert_string_equal(m, "gpt-4o-mini");  /* the registry default */
    free(m);
    /* the reader's own write is seen too */
    put_model(f->reader, 3, "gpt-4o");
    m = resolved_model(f->reader, 3);
    assert_string_equal(m, "gpt-4o");
    free(m);
}

static void test_freshness__more_changes_than_the_log_keeps(void **state)
{
    fixture *f = *state;
    warm(f->reader);
    /* 12,000 logged changes in one transaction: the log keeps its last 10,000 */
    raw_sql(&f->place, "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 12999)"
                       " INSERT INTO account_provider (account_id, model_type, integration, updated_at, updated_by)"
                       " SELECT i, 'text', 'anthropic', '2026-11-26T00:00:00.000Z', 'shell' FROM n;"
                       " UPDATE account_integration SET model = 'gpt-4.1-mini' WHERE account_id = 5;"
                       " INSERT INTO account_provider VALUES (6, 'text', 'anthropic', '2026-11-26T00:00:00.000Z',"
                       " 'shell') ON CONFLICT (account_id, model_type) DO UPDATE SET integration = 'anthropic';"
                       " COMMIT;");
    char *m = resolved_model(f->reader, 6);
    assert_string_equal(m, "claude-3-5-sonnet-20241022");
    free(m);
    m = resolved_model(f->reader, 12000);
    assert_string_equal(m, "claude-3-5-sonnet-20241022");
    free(m);
}

static void test_freshness__an_in_memory_store_sees_its_own_writes(void **state)
{
    (void)state;
    igny8_store *st = testutil_store(1);
    for (int i = 0; i < 50; i++) {
        put_model(st, 1 + i % 4, models[i % 5]);
        char *m = resolved_model(st, 1 + i % 4);
        assert_string_equal(m, models[i % 5]);
        free(m);
    }
    igny8_store_close(st);
}

/* A cache far smaller than the accounts: eviction, reloads and invalidation of evicted and
 * present entries interleave; every answer must still be the stored one. */
static void test_freshness__a_tiny_cache_answers_right(void **state)
{
    (void)state;
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    const char *expected[61] = { 0 };
    unsigned seed = 11;
    testutil_place place;
    o.cache_accounts = 3;
    testutil_place_new(&place);
    assert_igny8_ok(testutil_place_open(&place, &o, &st));
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    for (int i = 0; i < 2000; i++) {
        int64_t a = 1 + rand_r(&seed) % 60;
        if (rand_r(&seed) % 4 == 0) {
            expected[a] = models[rand_r(&seed) % 5];
            put_model(st, a, expected[a]);
        }
        char *m = resolved_model(st, a);
        assert_string_equal(m, expected[a] ? expected[a] : "gpt-4o-mini");
        free(m);
    }
    igny8_store_close(st);
    testutil_place_free(&place);
}

/* ---- two "hosts": a writer process and this reader, each with its cache ---- */

#define HOST_ROUNDS 1000
#define HOST_ACCOUNTS 40

/* The writer host: one store handle for its whole life, commands on stdin ("put A M",
 * "provider A text|-", "default M", "active M 0|1"), "ok" or the error on stdout once
 * the call has returned (so committed). Its own reads keep its cache warm and moving. */
static int writer_host(const char *target, const char *schema)
{
    testutil_place p;
    igny8_store *st = NULL;
    char line[256], a1[128], a2[128], cmd[32], body[160];
    place_of(&p, target, schema);
    int rc = testutil_place_open(&p, NULL, &st);
    while (rc == IGNY8_OK && fgets(line, sizeof(line), stdin)) {
        if (sscanf(line, "%31s %127s %127s", cmd, a1, a2) < 2)
            break;
        if (strcmp(cmd, "put") == 0) {
            snprintf(body, sizeof(body), "{\"model\":\"%s\"}", a2);
            rc = igny8_integration_put_json(st, "host-a", atoll(a1), "openai", body, NULL);
        } else if (strcmp(cmd, "provider") == 0) {
            rc = igny8_account_provider_set(st, "host-a", atoll(a1), IGNY8_MODEL_TEXT,
                                            strcmp(a2, "-") == 0 ? NULL : a2);
        } else if (strcmp(cmd, "default") == 0) {
            rc = igny8_global_default_model_set(st, "host-a", a1);
        } else {
            rc = igny8_model_set_active(st, "host-a", a1, atoi(a2));
        }
        if (rc == IGNY8_OK)
            free(resolved_model(st, 1 + (int64_t)(line[0] % HOST_ACCOUNTS)));
        printf("%s\n", rc == IGNY8_OK ? "ok" : igny8_error_last()->message);
        fflush(stdout);
    }
    igny8_store_close(st);
    return rc == IGNY8_OK ? 0 : 1;
}

/* What the reader must see: the model of each account, by the precedence of its settings. */
typedef struct expectation {
    const char *account_model[HOST_ACCOUNTS + 1];  /* openai override, NULL none */
    int anthropic[HOST_ACCOUNTS + 1];              /* the account chose anthropic for text */
    const char *platform_default;                  /* openai's default model */
    int mini_active;                                /* gpt-4.1-mini active */
} expectation;

static const char *expected_model(const expectation *e, int a)
{
    if (e->anthropic[a])
        return "claude-3-5-sonnet-20241022";
    const char *m = e->account_model[a];
    if (m && (strcmp(m, "gpt-4.1-mini") != 0 || e->mini_active))
        return m;
    if (strcmp(e->platform_default, "gpt-4.1-mini") != 0 || e->mini_active)
        return e->platform_default;
    return "gpt-4o-mini";  /* the registry default */
}

/* One random change: the command for the writer, and the expectation it leads to. */
static void next_change(expectation *e, unsigned *seed, char *cmd, size_t n)
{
    static const char *const text_models[] = { "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini" };
    int a = 1 + (int)(rand_r(seed) % HOST_ACCOUNTS), kind = (int)(rand_r(seed) % 20);
    const char *m = text_models[rand_r(seed) % 4];
    if (strcmp(m, "gpt-4.1-mini") == 0 && !e->mini_active)
        m = "gpt-4o";  /* an inactive model cannot be chosen */
    if (kind < 14) {
        e->account_model[a] = m;
        snprintf(cmd, n, "put %d %s\n", a, m);
    } else if (kind < 17) {
        e->anthropic[a] = !e->anthropic[a];
        snprintf(cmd, n, "provider %d %s\n", a, e->anthropic[a] ? "anthropic" : "-");
    } else if (kind < 19 && strcmp(m, "gpt-4.1-mini") != 0) {
        e->platform_default = m;  /* a change of platform data: every cached account */
        snprintf(cmd, n, "default %s\n", m);
    } else {
        e->mini_active = !e->mini_active;
        snprintf(cmd, n, "active gpt-4.1-mini %d\n", e->mini_active);
    }
}

static void test_freshness__two_hosts_with_caches_of_their_own(void **state)
{
    (void)state;
    testutil_place place;
    igny8_store *reader = NULL;
    int to_writer[2], from_writer[2];
    expectation e = { .platform_default = "gpt-4o-mini", .mini_active = 1 };
    unsigned seed = 20261202;
    testutil_place_new(&place);
    assert_igny8_ok(testutil_place_open(&place, NULL, &reader));
    assert_igny8_ok(igny8_defaults_load(reader, "test", NULL));
    /* close-on-exec: the writer must not hold its own stdin's write end open */
    assert_int_equal(pipe2(to_writer, O_CLOEXEC), 0);
    assert_int_equal(pipe2(from_writer, O_CLOEXEC), 0);
    pid_t pid = spawn_self("--writer-host", &place, NULL, NULL, to_writer[0], from_writer[1]);
    close(to_writer[0]);
    close(from_writer[1]);
    FILE *in = fdopen(from_writer[0], "r");
    for (int a = 1; a <= HOST_ACCOUNTS; a++)  /* the reader's cache: warm, every account */
        free(resolved_model(reader, a));
    int stale = 0;
    for (int round = 0; round < HOST_ROUNDS; round++) {
        char cmd[128], reply[512];
        next_change(&e, &seed, cmd, sizeof(cmd));
        assert_int_equal(write(to_writer[1], cmd, strlen(cmd)), (ssize_t)strlen(cmd));
        if (fgets(reply, sizeof(reply), in) == NULL || strcmp(reply, "ok\n") != 0)
            fail_msg("round %d: the writer answered %s to %s", round, reply, cmd);
        /* the change is committed: the reader's very next calls see it, for every account */
        int a = 1 + (int)(rand_r(&seed) % HOST_ACCOUNTS);
        for (int k = 0; k < 3; k++, a = 1 + (a + 12) % HOST_ACCOUNTS) {
            char *seen = resolved_model(reader, a);
            if (strcmp(seen, expected_model(&e, a)) != 0 && stale++ < 5)
                print_error("round %d after %s  account %d resolved to %s, expected %s\n", round, cmd, a, seen,
                            expected_model(&e, a));
            free(seen);
        }
    }
    close(to_writer[1]);
    fclose(in);
    assert_child_succeeded(pid);
    igny8_store_close(reader);
    testutil_place_free(&place);
    if (stale)
        fail_msg("%d stale reads in %d rounds", stale, HOST_ROUNDS);
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "--put-model") == 0)
        return child_put_model(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 4 && strcmp(argv[1], "--writer-host") == 0)
        return writer_host(argv[2], argv[3]);
    if (realpath(argv[0], self_path) == NULL)  /* not /proc/self/exe: under valgrind that is valgrind */
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_freshness__every_writer_is_seen_by_the_next_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness__platform_changes_reach_every_cached_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness__more_changes_than_the_log_keeps, setup, teardown),
        cmocka_unit_test(test_freshness__an_in_memory_store_sees_its_own_writes),
        cmocka_unit_test(test_freshness__a_tiny_cache_answers_right),
        cmocka_unit_test(test_freshness__two_hosts_with_caches_of_their_own),
    };
    return cmocka_run_group_tests_name("freshness", tests, NULL, NULL);
}
