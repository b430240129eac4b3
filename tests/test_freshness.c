/* The resolver's cache never serves stale data: a store handle that is already warm sees,
 * on its very next call, every change committed by another handle, another process or the
 * sqlite3 shell, in a loop of random changes; and after more changes than the change log
 * keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define ACCOUNTS 20
#define ROUNDS 240

static const char *const models[] = { "gpt-4o", "gpt-4.1", "gpt-4o-mini", "gpt-4.1-mini", "gpt-4-turbo-preview" };

typedef struct {
    char dir[64], path[128];
    igny8_store *reader, *writer;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s", testutil_tmpdir());
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    assert_igny8_ok(igny8_store_open(&f->writer, f->path, NULL));
    assert_igny8_ok(igny8_defaults_load(f->writer, "test", NULL));
    assert_igny8_ok(igny8_store_open(&f->reader, f->path, NULL));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    igny8_store_close(f->reader);
    igny8_store_close(f->writer);
    testutil_rmdir(f->dir);
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

/* The same change from another process: this test binary run again (exec, not just fork:
 * SQLite's per-process file state must not be inherited from a process with open stores). */
static void put_model_in_child(const char *path, int64_t account, const char *model)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)account);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/proc/self/exe", "test_freshness", "--put-model", path, id, model, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The child's side of put_model_in_child. */
static int child_put_model(const char *path, const char *account, const char *model)
{
    igny8_store *st = NULL;
    char body[96];
    snprintf(body, sizeof(body), "{\"model\":\"%s\"}", model);
    int rc = igny8_store_open(&st, path, NULL);
    if (rc == IGNY8_OK)
        rc = igny8_integration_put_json(st, "child", atoll(account), "openai", body, NULL);
    if (rc != IGNY8_OK)
        fprintf(stderr, "child: %s\n", igny8_error_last()->message);
    igny8_store_close(st);
    return rc == IGNY8_OK ? 0 : 1;
}

/* And with the sqlite3 shell, which knows nothing of the library. */
static void sqlite_shell(const char *path, const char *sql)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "sqlite3 -bail '%s' \"%s\" >/dev/null", path, sql);
    assert_int_equal(system(cmd), 0);
}

static void put_model_with_shell(const char *path, int64_t account, const char *model)
{
    char sql[512];
    snprintf(sql, sizeof(sql), "INSERT INTO account_integration (account_id, integration, enabled, model, updated_at,"
             " updated_by) VALUES (%lld, 'openai', 1, '%s', '2026-11-26T00:00:00.000Z', 'shell')"
             " ON CONFLICT (account_id, integration) DO UPDATE SET model = excluded.model;", (long long)account, model);
    sqlite_shell(path, sql);
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
        case 1: put_model_in_child(f->path, account, model); break;
        default: put_model_with_shell(f->path, account, model); break;
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
    sqlite_shell(f->path, "UPDATE model SET is_active = 0 WHERE model_name = 'gpt-4.1';");
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
    /* 12,000 logged changes in one shell transaction: the log keeps its last 10,000 */
    sqlite_shell(f->path, "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 12999)"
                          " INSERT INTO account_provider (account_id, model_type, integration, updated_at, updated_by)"
                          " SELECT i, 'text', 'anthropic', '2026-11-26T00:00:00.000Z', 'shell' FROM n;"
                          " UPDATE account_integration SET model = 'gpt-4.1-mini' WHERE account_id = 5;"
                          " INSERT OR REPLACE INTO account_provider VALUES (6, 'text', 'anthropic',"
                          " '2026-11-26T00:00:00.000Z', 'shell');");
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

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--put-model") == 0)
        return child_put_model(argv[2], argv[3], argv[4]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_freshness__every_writer_is_seen_by_the_next_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness__platform_changes_reach_every_cached_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness__more_changes_than_the_log_keeps, setup, teardown),
        cmocka_unit_test(test_freshness__an_in_memory_store_sees_its_own_writes),
    };
    return cmocka_run_group_tests_name("freshness", tests, NULL, NULL);
}
