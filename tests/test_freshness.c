/* The resolver's cache never serves stale data: a store handle that is already warm sees,
 * on its very next call, every change committed by another handle, another process or a
 * writer that bypasses the library (the sqlite3 library, libpq), in a loop of random
 * changes; after more changes than the change log keeps; and, as two hosts would, between
 * two long-lived processes with caches of their own. On both backends. */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

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

/* ---- the shared snapshot: a warm reader against a cold handle, under platform changes ---- */

/* A platform change keeps the reader's account entries when the snapshot's names stay
 * (src/cache.c, reload_platform): every kept entry must then read each global value
 * through the new snapshot. A handle opened after the change has nothing cached, so what
 * it answers is the truth the warm reader must match, field for field. */
#define MANY_ACCOUNTS 300
#define SENTINEL (MANY_ACCOUNTS + 1)  /* warmed, never written: on pure defaults throughout */
/* Each round opens a cold handle: ~75 ms on PostgreSQL, more under ASan, whose build runs a
 * third of the rounds (the same kinds of change: it looks for memory errors, not more draws). */
#if defined(__SANITIZE_ADDRESS__)
#define PLATFORM_ROUNDS 40
#else
#define PLATFORM_ROUNDS 120
#endif
#define CHECKS_PER_ROUND 8
#define MAX_MODELS 32

static const char *const checked_ops[] = { "clustering", "content_generation", "negative_prompt", "image_generation" };
static const char *const all_integrations[] = { "openai", "anthropic", "dalle", "runware" };

typedef struct known_model {
    char name[40];
    const char *integration;
    int active, may_toggle;  /* registry defaults and one model of each integration stay active */
} known_model;

/* What the loop needs to know to keep every write valid (an inactive model is refused). */
typedef struct platform_loop {
    fixture *f;
    unsigned seed;
    known_model models[MAX_MODELS];
    int n_models, n_added, global_active, negative_prompt_image;
    char change[320];  /* the last platform change, for the failure message */
} platform_loop;

static int pick(platform_loop *l, int n) { return (int)(rand_r(&l->seed) % (unsigned)n); }

static void loop_init(platform_loop *l, fixture *f)
{
    static const struct { const char *name, *integration; int may_toggle; } shipped[] = {
        { "gpt-4o-mini", "openai", 0 }, { "gpt-4o", "openai", 0 }, { "gpt-4.1", "openai", 1 },
        { "gpt-4.1-mini", "openai", 1 }, { "gpt-4-turbo-preview", "openai", 1 },
        { "claude-3-sonnet", "anthropic", 0 }, { "claude-3-5-sonnet-20241022", "anthropic", 1 },
        { "claude-3-5-haiku-20241022", "anthropic", 1 }, { "dall-e-3", "dalle", 0 }, { "dall-e-2", "dalle", 1 },
        { "runware:100@1", "runware", 0 }, { "runware:101@1", "runware", 1 },
    };
    memset(l, 0, sizeof(*l));
    l->f = f;
    l->seed = 20261205;
    l->global_active = 1;
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
        known_model *m = &l->models[l->n_models++];
        snprintf(m->name, sizeof(m->name), "%s", shipped[i].name);
        m->integration = shipped[i].integration;
        m->active = 1;
        m->may_toggle = shipped[i].may_toggle;
    }
}

/* A random active model of the integration. */
static const char *pick_model(platform_loop *l, const char *integration)
{
    int candidates[MAX_MODELS], n = 0;
    for (int i = 0; i < l->n_models; i++)
        if (l->models[i].active && strcmp(l->models[i].integration, integration) == 0)
            candidates[n++] = i;
    assert_true(n > 0);
    return l->models[candidates[pick(l, n)]].name;
}

static const char *pick_of(platform_loop *l, const char *const *choices, int n) { return choices[pick(l, n)]; }

/* `"temperature":..,"max_tokens":..`, each a value or null; the account's max_tokens stay
 * within every text model's max_output_tokens (the loop never lowers one below 4096). */
static void text_params(platform_loop *l, int account, char *out, size_t n)
{
    static const char *const platform_tokens[] = { "null", "1024", "4096", "8192", "16384", "30000" };
    static const char *const account_tokens[] = { "null", "256", "1024", "4096" };
    char t[16] = "null";
    if (pick(l, 4) != 0)
        snprintf(t, sizeof(t), "%.1f", pick(l, 21) / 10.0);
    snprintf(out, n, "\"temperature\":%s,\"max_tokens\":%s", t,
             account ? pick_of(l, account_tokens, 4) : pick_of(l, platform_tokens, 6));
}

/* ---- the platform changes, each one commit by the writer or behind the library's back ---- */

static void global_put(platform_loop *l, const char *body)
{
    snprintf(l->change, sizeof(l->change), "global PUT %s", body);
    assert_igny8_ok(igny8_global_settings_put_json(l->f->writer, "ops", body, NULL));
}

static void change_default_model(platform_loop *l)
{
    char body[128];
    int i = pick(l, 4);
    snprintf(body, sizeof(body), "{\"default_%s_model\":\"%s\"}", i < 2 ? "text" : "image",
             pick_model(l, all_integrations[i]));
    global_put(l, body);
}

static void change_text_params(platform_loop *l)
{
    char params[96], body[192];
    text_params(l, 0, params, sizeof(params));
    snprintf(body, sizeof(body), "{\"integrations\":{\"%s\":{%s}}}", pick(l, 2) ? "openai" : "anthropic", params);
    global_put(l, body);
}

static void change_image_params(platform_loop *l)
{
    static const char *const sizes[] = { "null", "\"512x512\"", "\"1792x1024\"" };
    static const char *const qualities[] = { "null", "\"hd\"", "\"standard\"" };
    static const char *const styles[] = { "null", "\"natural\"", "\"vivid\"" };
    char body[192];
    snprintf(body, sizeof(body), "{\"integrations\":{\"%s\":{\"size\":%s,\"quality\":%s,\"style\":%s}}}",
             pick(l, 2) ? "dalle" : "runware", pick_of(l, sizes, 3), pick_of(l, qualities, 3), pick_of(l, styles, 3));
    global_put(l, body);
}

/* Off now and then, and back on soon: while off, no global default, parameter or key. */
static void change_global_active(platform_loop *l)
{
    l->global_active = l->global_active ? pick(l, 3) != 0 : 1;
    global_put(l, l->global_active ? "{\"is_active\":true}" : "{\"is_active\":false}");
}

static void change_model_active(platform_loop *l)
{
    known_model *m;
    do
        m = &l->models[pick(l, l->n_models)];
    while (!m->may_toggle);
    m->active = !m->active;
    snprintf(l->change, sizeof(l->change), "model %s %s", m->name, m->active ? "reactivated" : "deactivated");
    assert_igny8_ok(igny8_model_set_active(l->f->writer, "ops", m->name, m->active));
}

/* A model's output limit: the cap on max_tokens the resolver applies. */
static void change_max_output(platform_loop *l)
{
    static const char *const limits[] = { "4096", "8192", "16384", "32768" };
    char patch[64];
    const known_model *m = &l->models[pick(l, 8)];  /* the text models come first */
    snprintf(patch, sizeof(patch), "{\"max_output_tokens\":%s}", pick_of(l, limits, 4));
    snprintf(l->change, sizeof(l->change), "model %s patched %s", m->name, patch);
    assert_igny8_ok(igny8_model_update_json(l->f->writer, "ops", m->name, patch, NULL));
}

static void change_base_url(platform_loop *l)
{
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    char url[64];
    const char *integration = all_integrations[pick(l, 4)];
    snprintf(url, sizeof(url), "https://proxy%d.example.com/v1", pick(l, 100));
    if (pick(l, 3) == 0)
        u.clear = IGNY8_FIELD_BASE_URL;
    else
        u.set = IGNY8_FIELD_BASE_URL;
    u.base_url = url;
    snprintf(l->change, sizeof(l->change), "%s base_url %s", integration, u.set ? url : "cleared");
    assert_igny8_ok(igny8_global_integration_set(l->f->writer, "ops", integration, &u));
}

static void change_platform_key(platform_loop *l)
{
    char key[40];
    const char *integration = all_integrations[pick(l, 4)];
    snprintf(key, sizeof(key), "sk-fake-platform-%04d", pick(l, 10000));
    int remove = pick(l, 3) == 0;
    snprintf(l->change, sizeof(l->change), "%s platform key %s", integration, remove ? "removed" : "set");
    assert_igny8_ok(igny8_global_key_set(l->f->writer, "ops", integration, remove ? NULL : key));
}

/* The one change here that alters the snapshot's names: the reader drops its entries. */
static void add_model(platform_loop *l)
{
    if (l->n_models == MAX_MODELS) {
        change_text_params(l);
        return;
    }
    known_model *m = &l->models[l->n_models];
    char body[256];
    m->integration = pick(l, 2) ? "openai" : "anthropic";
    snprintf(m->name, sizeof(m->name), "%s-fresh-%d", m->integration[0] == 'o' ? "gpt" : "claude", ++l->n_added);
    snprintf(body, sizeof(body), "{\"model_name\":\"%s\",\"display_name\":\"Fresh\",\"provider\":\"%s\","
             "\"model_type\":\"text\",\"max_output_tokens\":8192,\"tokens_per_credit\":400}", m->name, m->integration);
    snprintf(l->change, sizeof(l->change), "model added %s", body);
    assert_igny8_ok(igny8_model_add_json(l->f->writer, "ops", body, NULL));
    m->active = 1;
    m->may_toggle = 1;
    l->n_models++;
}

/* SQL that knows nothing of the library: a platform parameter, or an operation's type. */
static void change_behind_the_back(platform_loop *l)
{
    char sql[160];
    if (pick(l, 2)) {
        snprintf(sql, sizeof(sql), "UPDATE integration SET temperature = %.1f WHERE name = 'anthropic';",
                 pick(l, 21) / 10.0);
    } else {
        l->negative_prompt_image = !l->negative_prompt_image;
        snprintf(sql, sizeof(sql), "UPDATE operation SET model_type = '%s' WHERE name = 'negative_prompt';",
                 l->negative_prompt_image ? "image" : "text");
    }
    snprintf(l->change, sizeof(l->change), "SQL %s", sql);
    raw_sql(&l->f->place, sql);
}

static void platform_change(platform_loop *l)
{
    static void (*const changes[])(platform_loop *) = {
        change_default_model, change_default_model, change_text_params, change_text_params, change_text_params,
        change_image_params, change_global_active, change_model_active, change_model_active, change_max_output,
        change_base_url, change_platform_key, add_model, change_behind_the_back, change_behind_the_back,
    };
    changes[pick(l, (int)(sizeof(changes) / sizeof(changes[0])))](l);
}

/* ---- the account changes mixed in between ---- */

static void account_params(platform_loop *l, int64_t a)
{
    char params[96], model[64] = "", body[224];
    const char *integration = pick(l, 3) ? "openai" : "anthropic";
    int which = pick(l, 3);  /* the model: left alone, cleared, or a new override */
    text_params(l, 1, params, sizeof(params));
    if (which == 1)
        snprintf(model, sizeof(model), "\"model\":null,");
    else if (which == 2)
        snprintf(model, sizeof(model), "\"model\":\"%s\",", pick_model(l, integration));
    snprintf(body, sizeof(body), "{%s%s}", model, params);
    assert_igny8_ok(igny8_integration_put_json(l->f->writer, "acct", a, integration, body, NULL));
}

/* Mostly back on: an account with its integrations off resolves to an error, and both
 * handles must then fail alike. */
static void account_enabled(platform_loop *l, int64_t a)
{
    const char *body = pick(l, 3) ? "{\"enabled\":true}" : "{\"enabled\":false}";
    assert_igny8_ok(igny8_integration_put_json(l->f->writer, "acct", a, all_integrations[pick(l, 4)], body, NULL));
}

static void account_provider(platform_loop *l, int64_t a)
{
    static const char *const text[] = { "anthropic", "openai", NULL }, *const image[] = { "runware", "dalle", NULL };
    int image_type = pick(l, 3) == 0;
    const char *provider = pick_of(l, image_type ? image : text, 3);
    assert_igny8_ok(igny8_account_provider_set(l->f->writer, "acct", a, image_type ? IGNY8_MODEL_IMAGE
                                               : IGNY8_MODEL_TEXT, provider));
}

/* negative_prompt is left out: its type changes under the loop. */
static void account_operation_model(platform_loop *l, int64_t a)
{
    static const char *const ops[] = { "clustering", "content_generation", "image_generation" };
    int op = pick(l, 3);
    const char *integration = all_integrations[(op == 2 ? 2 : 0) + pick(l, 2)];
    const char *model = pick(l, 4) ? pick_model(l, integration) : NULL;
    assert_igny8_ok(igny8_account_operation_model_set(l->f->writer, "acct", a, ops[op], model));
}

static void account_key(platform_loop *l, int64_t a)
{
    char key[40];
    snprintf(key, sizeof(key), "sk-fake-account-%04d", pick(l, 10000));
    assert_igny8_ok(igny8_account_key_set(l->f->writer, "acct", a, all_integrations[pick(l, 4)],
                                          pick(l, 3) ? key : NULL));
}

static void account_change(platform_loop *l, int64_t a)
{
    static void (*const changes[])(platform_loop *, int64_t) = {
        account_params, account_params, account_params, account_enabled, account_provider, account_provider,
        account_operation_model, account_operation_model, account_key,
    };
    changes[pick(l, (int)(sizeof(changes) / sizeof(changes[0])))](l, a);
}

/* ---- the comparison ---- */

/* What a handle answers for an account and operation: one line of the fields a stale read
 * would show first, and the whole resolution (trace, pricing, base URL, key source). */
typedef struct answer {
    char line[320];
    char *json;  /* igny8_free; NULL when the resolution failed */
} answer;

static void answer_of(igny8_store *st, int64_t account, const char *op, answer *out)
{
    igny8_resolution *r = NULL;
    int rc = igny8_get_model_for_operation(st, account, op, NULL, &r);
    out->json = NULL;
    if (rc != IGNY8_OK) {
        snprintf(out->line, sizeof(out->line), "error %d: %s", rc, igny8_error_last()->message);
        return;
    }
    const char *url = igny8_resolution_base_url(r);
    snprintf(out->line, sizeof(out->line), "model %s, source %s, temperature %.17g, max_tokens %d, size %s,"
             " base_url %s, key source %d", igny8_resolution_model_name(r), igny8_resolution_source_name(r),
             igny8_resolution_temperature(r), igny8_resolution_max_tokens(r),
             igny8_resolution_size(r) ? igny8_resolution_size(r) : "-", url ? url : "-",
             igny8_resolution_api_key_source(r));
    assert_igny8_ok(igny8_resolution_to_json(r, &out->json));
    igny8_resolution_free(r);
}

/* The warm reader must answer as the cold handle does; *line gets the answer. */
static void assert_same_answer(const platform_loop *l, igny8_store *cold, int round, int64_t account, const char *op,
                               char *line, size_t n)
{
    answer warm, truth;
    answer_of(l->f->reader, account, op, &warm);
    answer_of(cold, account, op, &truth);
    if (strcmp(warm.line, truth.line) != 0)
        fail_msg("round %d, after %s: account %lld, %s: the warm reader resolved %s; a cold handle resolves %s",
                 round, l->change, (long long)account, op, warm.line, truth.line);
    if ((warm.json == NULL) != (truth.json == NULL) || (warm.json && strcmp(warm.json, truth.json) != 0))
        fail_msg("round %d, after %s: account %lld, %s: the warm reader resolved\n%s\na cold handle resolves\n%s",
                 round, l->change, (long long)account, op, warm.json ? warm.json : "-", truth.json ? truth.json : "-");
    snprintf(line, n, "%s", truth.line);
    igny8_free(warm.json);
    igny8_free(truth.json);
}

/* Load the account's entry into the reader's cache, whatever it resolves to. */
static void touch(igny8_store *st, int64_t account)
{
    answer a;
    answer_of(st, account, "clustering", &a);
    igny8_free(a.json);
}

/* After a platform change: the sentinel, the accounts written this round (entries loaded
 * under the previous snapshot, kept) and random others (entries from any earlier round).
 * 1 when one of the sentinel's answers moved: the change reached an account on pure defaults. */
static int check_round(platform_loop *l, int round, const int64_t *written, int n_written, char sentinel_was[][320])
{
    igny8_store *cold = NULL;
    char line[320];
    int moved = 0;
    assert_igny8_ok(testutil_place_open(&l->f->place, NULL, &cold));
    for (int op = 0; op < 4; op++) {
        assert_same_answer(l, cold, round, SENTINEL, checked_ops[op], line, sizeof(line));
        moved |= strcmp(line, sentinel_was[op]) != 0;
        snprintf(sentinel_was[op], 320, "%s", line);
    }
    for (int i = 0; i < CHECKS_PER_ROUND; i++) {
        int64_t a = i < n_written ? written[i] : 1 + pick(l, MANY_ACCOUNTS);
        assert_same_answer(l, cold, round, a, checked_ops[pick(l, 4)], line, sizeof(line));
    }
    igny8_store_close(cold);
    return moved;
}

/* At the end, every account and operation once more. */
static void check_everything(platform_loop *l)
{
    igny8_store *cold = NULL;
    char line[320];
    assert_igny8_ok(testutil_place_open(&l->f->place, NULL, &cold));
    for (int64_t a = 1; a <= SENTINEL; a++)
        for (int op = 0; op < 4; op++)
            assert_same_answer(l, cold, PLATFORM_ROUNDS, a, checked_ops[op], line, sizeof(line));
    igny8_store_close(cold);
}

static void test_freshness__kept_entries_read_the_new_snapshot(void **state)
{
    fixture *f = *state;
    platform_loop l;
    char sentinel_was[4][320] = { "" };
    int moved = 0;
    loop_init(&l, f);
    for (int64_t a = 3; a <= MANY_ACCOUNTS; a += 3)  /* a third of the accounts with settings of their own */
        account_change(&l, a);
    for (int64_t a = 1; a <= SENTINEL; a++)
        touch(f->reader, a);
    for (int round = 0; round < PLATFORM_ROUNDS; round++) {
        int64_t written[2];
        int n_written = pick(&l, 3);
        for (int i = 0; i < n_written; i++) {
            written[i] = 1 + pick(&l, MANY_ACCOUNTS);
            account_change(&l, written[i]);
            touch(f->reader, written[i]);  /* an entry newer than the others */
        }
        platform_change(&l);
        moved += check_round(&l, round, written, n_written, sentinel_was);
    }
    check_everything(&l);
    /* the changes were real: the account on pure defaults saw many of them */
    print_message("the sentinel's resolutions changed in %d of %d rounds\n", moved, PLATFORM_ROUNDS);
    if (moved < PLATFORM_ROUNDS / 4)
        fail_msg("the sentinel account's resolutions changed in only %d of %d rounds", moved, PLATFORM_ROUNDS);
}

/* ---- write while reading: a writer process commits, this process reads all along ---- */

/* Every commit k of the writer is planned by k alone, so both processes know it: an
 * account's max_tokens override becomes TOKENS_BASE + k, or (platform commits) openai's
 * temperature becomes k / 1000 together with the platform's default model of k. After each
 * commit the writer publishes k in a board both map; a read that begins after the reader
 * saw k published must show k or a later commit, never an older one. */
#define STREAM_ACCOUNTS 16
#define STREAM_WRITES 300
#define STREAM_READS 1500    /* at least: the writer waits for the reads to keep up */
#define TOKENS_BASE 1000     /* an account's max_tokens at commit 0 (before the writer) */
#define STREAM_DEADLINE 120  /* seconds: either side gives up */

typedef struct stream_board {
    int reads;                         /* the reader's count: the writer paces on it */
    int stop;                          /* the reader gave up */
    int committed;                     /* the writer's last published commit */
    int account[STREAM_ACCOUNTS + 1];  /* the last published commit of each account */
    int platform;                      /* the last published platform commit */
} stream_board;

/* The account commit k writes, or 0: a platform commit. */
static int stream_account_of(int k)
{
    unsigned h = (unsigned)k * 2654435761u;
    return (h >> 16) % 4 == 0 ? 0 : 1 + (int)((h >> 20) % STREAM_ACCOUNTS);
}

/* The platform's default text model after platform commit p; a third of them are new
 * models, whose names change the snapshot's names (the path that drops every entry). */
static void stream_model_of(int p, char *out, size_t n)
{
    if (p > 0 && p % 3 == 0)
        snprintf(out, n, "gpt-fresh-%d", p);
    else
        snprintf(out, n, "%s", p % 3 == 1 ? "gpt-4o" : "gpt-4o-mini");
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static stream_board *board_map(const char *path, int create)
{
    int fd = open(path, create ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR, 0600);
    if (fd < 0 || (create && ftruncate(fd, sizeof(stream_board)) != 0)) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    void *m = mmap(NULL, sizeof(stream_board), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return m == MAP_FAILED ? NULL : m;
}

static int load_int(const int *v) { return __atomic_load_n(v, __ATOMIC_ACQUIRE); }
static void store_int(int *v, int x) { __atomic_store_n(v, x, __ATOMIC_RELEASE); }

/* ---- the writer process ---- */

static int writer_sql(const testutil_place *p, const char *sql)
{
    char err[512];
    if (testutil_sql(p, sql, err, sizeof(err)) == 0)
        return IGNY8_OK;
    fprintf(stderr, "stream writer: %s: %s\n", sql, err);
    return IGNY8_EIO;
}

/* Commit k of account a: through the library, or every seventh behind its back. */
static int stream_account_commit(igny8_store *st, const testutil_place *p, int a, int k)
{
    char text[200];
    if (k % 7 == 0) {
        snprintf(text, sizeof(text), "UPDATE account_integration SET max_tokens = %d WHERE account_id = %d"
                 " AND integration = 'openai';", TOKENS_BASE + k, a);
        return writer_sql(p, text);
    }
    snprintf(text, sizeof(text), "{\"max_tokens\":%d}", TOKENS_BASE + k);
    return igny8_integration_put_json(st, "stream", a, "openai", text, NULL);
}

/* Platform commit k: its temperature and default model in one transaction. A new model
 * goes in by SQL, in that same transaction (the library would add it in a commit of its
 * own, which a reader could see alone). */
static int stream_platform_commit(igny8_store *st, const testutil_place *p, int k)
{
    char model[32], text[640];
    stream_model_of(k, model, sizeof(model));
    if (k % 3 == 0) {
        snprintf(text, sizeof(text), "BEGIN; INSERT INTO model (model_name, display_name, provider, model_type,"
                 " tokens_per_credit, max_output_tokens, updated_at, updated_by) VALUES ('%s', 'Fresh', 'openai',"
                 " 'text', 500, 16384, '2026-12-01T00:00:00.000Z', 'shell'); UPDATE integration SET default_model ="
                 " '%s', temperature = %.3f WHERE name = 'openai'; COMMIT;", model, model, k / 1000.0);
        return writer_sql(p, text);
    }
    snprintf(text, sizeof(text), "{\"default_text_model\":\"%s\",\"integrations\":{\"openai\":{\"temperature\":"
             "%.3f}}}", model, k / 1000.0);
    return igny8_global_settings_put_json(st, "stream", text, NULL);
}

/* Commit k waits for k * STREAM_READS / STREAM_WRITES reads: the reads spread over the
 * whole stream of writes, even where the reader is slow (valgrind, sanitizers). */
static int wait_for_reader(stream_board *b, int k, double deadline)
{
    while (load_int(&b->reads) < (int)((long)k * STREAM_READS / STREAM_WRITES)) {
        if (load_int(&b->stop) || seconds_now() > deadline)
            return 0;
        usleep(100);
    }
    return !load_int(&b->stop);
}

static int stream_writer(const char *target, const char *schema, const char *board_path)
{
    testutil_place p;
    igny8_store *st = NULL;
    stream_board *b = board_map(board_path, 0);
    double deadline = seconds_now() + STREAM_DEADLINE;
    place_of(&p, target, schema);
    int rc = b ? testutil_place_open(&p, NULL, &st) : IGNY8_EIO, k = 1;
    for (; rc == IGNY8_OK && k <= STREAM_WRITES && wait_for_reader(b, k, deadline); k++) {
        int a = stream_account_of(k);
        rc = a ? stream_account_commit(st, &p, a, k) : stream_platform_commit(st, &p, k);
        if (rc == IGNY8_OK) {
            store_int(a ? &b->account[a] : &b->platform, k);  /* committed: the call has returned */
            store_int(&b->committed, k);
        }
    }
    if (rc != IGNY8_OK)
        fprintf(stderr, "stream writer: commit %d failed: %s\n", k, igny8_error_last()->message);
    igny8_store_close(st);
    int done = b && load_int(&b->committed) == STREAM_WRITES;
    if (b)
        munmap(b, sizeof(*b));
    return done ? 0 : 1;
}

/* ---- the reader: this process ---- */

typedef struct stream_run {
    stream_board *b;
    pid_t writer;
    int writer_exited, writer_status;
    int reads, stale, ahead;  /* ahead: reads that saw a commit not yet published */
} stream_run;

/* A seen commit against the one published before the read began: wrong when older, or
 * when it is no commit of this value at all (owner: the account, 0 the platform). */
static int judge(stream_run *run, int a, const char *what, double value, int seen, int owner, int published)
{
    int foreign = seen > 0 && stream_account_of(seen) != owner;
    if (seen >= published && !foreign)
        return 0;
    if (run->stale < 5)
        print_error("read %d: account %d: %s %g is commit %d, expected commit %d or later (published before the"
                    " read began)%s\n", run->reads, a, what, value, seen, published,
                    foreign ? "; and that commit wrote something else" : "");
    return 1;
}

static void stream_read_one(igny8_store *st, stream_run *run, int a)
{
    int want_account = load_int(&run->b->account[a]), want_platform = load_int(&run->b->platform);
    igny8_resolution *r = NULL;
    char model[32];
    if (igny8_get_model_for_operation(st, a, "clustering", NULL, &r) != IGNY8_OK) {
        print_error("read %d: account %d: %s\n", run->reads, a, igny8_error_last()->message);
        run->stale++;
        return;
    }
    int tokens = igny8_resolution_max_tokens(r);
    double temperature = igny8_resolution_temperature(r);
    int platform = (int)lround(temperature * 1000);
    run->ahead += tokens - TOKENS_BASE > want_account || platform > want_platform;
    int bad = judge(run, a, "max_tokens", tokens, tokens - TOKENS_BASE, a, want_account);
    bad += judge(run, a, "temperature", temperature, platform, 0, want_platform);
    stream_model_of(platform, model, sizeof(model));  /* one commit wrote both: never a mix */
    if (strcmp(igny8_resolution_model_name(r), model) != 0 ||
        igny8_resolution_source(r) != IGNY8_SOURCE_GLOBAL_DEFAULT) {
        if (run->stale + bad < 5)
            print_error("read %d: account %d: model %s (%s) with the temperature of platform commit %d, which set"
                        " %s\n", run->reads, a, igny8_resolution_model_name(r), igny8_resolution_source_name(r),
                        platform, model);
        bad++;
    }
    run->stale += bad;
    igny8_resolution_free(r);
}

static int writer_gone(stream_run *run)
{
    if (!run->writer_exited && waitpid(run->writer, &run->writer_status, WNOHANG) == run->writer)
        run->writer_exited = 1;
    return run->writer_exited;
}

/* Read until the writer has committed everything and the reads are enough. */
static void stream_read_loop(igny8_store *st, stream_run *run)
{
    unsigned seed = 20261206;
    double deadline = seconds_now() + STREAM_DEADLINE;
    while (load_int(&run->b->committed) < STREAM_WRITES || run->reads < STREAM_READS) {
        if ((run->reads % 64 == 0 && writer_gone(run) && load_int(&run->b->committed) < STREAM_WRITES) ||
            seconds_now() > deadline)
            break;
        stream_read_one(st, run, 1 + (int)(rand_r(&seed) % STREAM_ACCOUNTS));
        store_int(&run->b->reads, ++run->reads);
    }
    store_int(&run->b->stop, 1);
    if (!run->writer_exited && waitpid(run->writer, &run->writer_status, 0) == run->writer)
        run->writer_exited = 1;
}

/* Each account at the start: commit 0, its entry warm; openai's temperature 0. */
static void stream_prepare(igny8_store *st)
{
    char body[64];
    assert_igny8_ok(igny8_global_settings_put_json(st, "setup", "{\"default_text_model\":\"gpt-4o-mini\","
                                                   "\"integrations\":{\"openai\":{\"temperature\":0}}}", NULL));
    snprintf(body, sizeof(body), "{\"max_tokens\":%d}", TOKENS_BASE);
    for (int a = 1; a <= STREAM_ACCOUNTS; a++)
        assert_igny8_ok(igny8_integration_put_json(st, "setup", a, "openai", body, NULL));
    for (int a = 1; a <= STREAM_ACCOUNTS; a++)
        free(resolved_model(st, a));
}

/* Once the writer is done, nothing newer can come: every read is exactly the last commit. */
static void stream_check_final(igny8_store *st, const stream_board *b)
{
    for (int a = 1; a <= STREAM_ACCOUNTS; a++) {
        igny8_resolution *r = NULL;
        assert_igny8_ok(igny8_get_model_for_operation(st, a, "clustering", NULL, &r));
        assert_int_equal(igny8_resolution_max_tokens(r), TOKENS_BASE + b->account[a]);
        assert_int_equal(lround(igny8_resolution_temperature(r) * 1000), b->platform);
        igny8_resolution_free(r);
    }
}

static void test_freshness__reads_never_go_back_while_another_process_writes(void **state)
{
    (void)state;
    testutil_place place;
    igny8_store *reader = NULL;
    char dir[64], path[96];
    stream_run run = { 0 };
    testutil_place_new(&place);
    assert_igny8_ok(testutil_place_open(&place, NULL, &reader));
    assert_igny8_ok(igny8_defaults_load(reader, "test", NULL));
    stream_prepare(reader);
    snprintf(dir, sizeof(dir), "%s", testutil_tmpdir());
    snprintf(path, sizeof(path), "%s/board", dir);
    assert_non_null(run.b = board_map(path, 1));
    run.writer = spawn_self("--stream-writer", &place, path, NULL, -1, -1);
    stream_read_loop(reader, &run);
    print_message("%d reads of %d commits, %d of them saw a commit not yet published\n", run.reads,
                  load_int(&run.b->committed), run.ahead);
    if (!run.writer_exited || !WIFEXITED(run.writer_status) || WEXITSTATUS(run.writer_status) != 0)
        fail_msg("the writer ended with status 0x%x after commit %d", run.writer_status, run.b->committed);
    if (run.stale)
        fail_msg("%d reads went back to an older commit, or to none, in %d reads", run.stale, run.reads);
    assert_true(run.reads >= STREAM_READS);
    stream_check_final(reader, run.b);
    munmap(run.b, sizeof(*run.b));
    testutil_rmdir(dir);
    igny8_store_close(reader);
    testutil_place_free(&place);
}

/* ---- one answer, one commit: an account read while a commit lands ---- */

/* An account missing from a current cache is read in one statement (src/cache.c,
 * load_missing) and resolved with the snapshot the cache already holds. A commit that
 * changes the platform and that account together can land between the token check and
 * that statement: the answer must then be all before the commit or all after it, never
 * the account's half of it with the platform from before. PostgreSQL only: a lock on the
 * account tables holds the reader right there, which SQLite's WAL readers never wait on. */
#define LATE_ACCOUNT 2

typedef struct late_read {
    igny8_store *st;
    int rc, max_tokens;
    double temperature;
    char message[256];
} late_read;

static void *read_late_account(void *arg)
{
    late_read *r = arg;
    igny8_resolution *res = NULL;
    r->rc = igny8_get_model_for_operation(r->st, LATE_ACCOUNT, "clustering", NULL, &res);
    if (r->rc == IGNY8_OK) {
        r->max_tokens = igny8_resolution_max_tokens(res);
        r->temperature = igny8_resolution_temperature(res);
    } else {
        snprintf(r->message, sizeof(r->message), "%s", igny8_error_last()->message);
    }
    igny8_resolution_free(res);
    return NULL;
}

/* A libpq session in the store's schema, for what the library must not see coming. */
static PGconn *pg_session(const testutil_place *p)
{
    char sql[128];
    PGconn *c = PQconnectdb(p->target);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("%s: %s", p->target, PQerrorMessage(c));
    snprintf(sql, sizeof(sql), "SET search_path TO \"%s\"", p->schema);
    PQclear(PQexec(c, sql));
    return c;
}

static int pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        print_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok;
}

/* Whether another session waits on a lock of the account tables, within 5 s. */
static int reader_waits(PGconn *c)
{
    for (int i = 0; i < 500; i++) {
        PGresult *r = PQexec(c, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation IN"
                                " ('account_integration'::regclass, 'account_provider'::regclass,"
                                " 'account_operation_model'::regclass)");
        int n = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -1;
        PQclear(r);
        if (n != 0)
            return n > 0;
        usleep(10000);
    }
    return 0;
}

static void test_freshness__an_account_read_during_a_commit_is_all_before_or_all_after(void **state)
{
    (void)state;
    if (!testutil_postgres()) {
        print_message("[ SKIPPED  ] PostgreSQL only: SQLite's WAL readers cannot be held between two reads\n");
        skip();
    }
    testutil_place place;
    late_read r = { 0 };
    pthread_t reader;
    testutil_place_new(&place);
    assert_igny8_ok(testutil_place_open(&place, NULL, &r.st));
    assert_igny8_ok(igny8_defaults_load(r.st, "test", NULL));
    touch(r.st, 1);  /* the snapshot; the first refresh keeps no token (src/cache.c, refresh) */
    touch(r.st, 1);  /* now the cache is current; the late account is not in it */
    PGconn *commit = pg_session(&place);
    int ok = pg_exec(commit, "BEGIN; LOCK TABLE account_integration, account_provider, account_operation_model"
                             " IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(pthread_create(&reader, NULL, read_late_account, &r), 0);
    int waited = ok && reader_waits(commit);
    /* one commit: the platform's temperature 0.7 -> 1.5, the account's max_tokens 8192 -> 2222 */
    ok = ok && pg_exec(commit, "UPDATE integration SET temperature = 1.5 WHERE name = 'openai';"
                               " INSERT INTO account_integration (account_id, integration, enabled, max_tokens,"
                               " updated_at, updated_by) VALUES (2, 'openai', 1, 2222, '2026-12-01T00:00:00.000Z',"
                               " 'shell'); COMMIT");
    PQfinish(commit);  /* releases the lock whatever happened: the reader goes on */
    pthread_join(reader, NULL);
    late_read next = r;  /* the commit is done: the next call must show all of it */
    read_late_account(&next);
    igny8_store_close(r.st);
    testutil_place_free(&place);
    assert_true(ok);
    if (!waited)
        fail_msg("the reader never waited on the account tables: this test no longer holds it mid-read");
    if (r.rc != IGNY8_OK)
        fail_msg("account %d: %s", LATE_ACCOUNT, r.message);
    if (next.rc != IGNY8_OK || next.max_tokens != 2222 || next.temperature != 1.5)
        fail_msg("account %d after the commit: temperature %g, max_tokens %d (%s), expected 1.5 and 2222",
                 LATE_ACCOUNT, next.temperature, next.max_tokens, next.rc ? next.message : "ok");
    int before = r.max_tokens == 8192 && r.temperature == 0.7, after = r.max_tokens == 2222 && r.temperature == 1.5;
    if (!before && !after)
        fail_msg("account %d, read while one commit set the platform's temperature 0.7 -> 1.5 and the account's"
                 " max_tokens 8192 -> 2222: resolved temperature %g with max_tokens %d, expected 0.7 with 8192"
                 " or 1.5 with 2222", LATE_ACCOUNT, r.temperature, r.max_tokens);
}

/* ---- a store dropped and made again under a warm handle ---- */

/* The PostgreSQL change token carries the change log's oid (src/postgres/changes.c) so
 * that a store dropped and made again counts as a change: a warm handle must then answer
 * from the new store, not match the new log's seq numbers against its place in the old
 * one. PostgreSQL only: an open SQLite handle keeps reading its file even once removed. */
#define REMADE_ACCOUNT 5

static void make_store(const testutil_place *p, const char *model, int more_accounts)
{
    igny8_store *st = NULL;
    assert_igny8_ok(testutil_place_open(p, NULL, &st));
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    put_model(st, REMADE_ACCOUNT, model);
    for (int a = 1; a <= more_accounts; a++)
        put_model(st, REMADE_ACCOUNT + a, "gpt-4.1-mini");
    igny8_store_close(st);
}

static void test_freshness__a_store_made_again_is_read_anew(void **state)
{
    (void)state;
    if (!testutil_postgres()) {
        print_message("[ SKIPPED  ] PostgreSQL only: a SQLite handle keeps its file, removed or not\n");
        skip();
    }
    testutil_place place;
    igny8_store *warm = NULL, *cold = NULL;
    char sql[128];
    testutil_place_new(&place);
    make_store(&place, "gpt-4.1", 0);
    assert_igny8_ok(testutil_place_open(&place, NULL, &warm));
    for (int i = 0; i < 2; i++) {  /* the second call is the one that keeps a token */
        char *m = resolved_model(warm, REMADE_ACCOUNT);
        assert_string_equal(m, "gpt-4.1");
        free(m);
    }
    PGconn *session = pg_session(&place);
    snprintf(sql, sizeof(sql), "SET client_min_messages = warning; DROP SCHEMA \"%s\" CASCADE", place.schema);
    int dropped = pg_exec(session, sql);
    PQfinish(session);
    assert_true(dropped);
    make_store(&place, "gpt-4o", 3);  /* the same writes and three more: the new log passes the old one's end */
    assert_igny8_ok(testutil_place_open(&place, NULL, &cold));
    char *seen = resolved_model(warm, REMADE_ACCOUNT), *truth = resolved_model(cold, REMADE_ACCOUNT);
    int same = strcmp(seen, truth) == 0;
    if (!same)
        print_error("account %d, after its store was dropped and made again: the warm handle resolves %s, the"
                    " store (a new handle) says %s\n", REMADE_ACCOUNT, seen, truth);
    free(seen);
    free(truth);
    igny8_store_close(cold);
    igny8_store_close(warm);
    testutil_place_free(&place);
    assert_true(same);
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "--put-model") == 0)
        return child_put_model(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 4 && strcmp(argv[1], "--writer-host") == 0)
        return writer_host(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "--stream-writer") == 0)
        return stream_writer(argv[2], argv[3], argv[4]);
    if (realpath(argv[0], self_path) == NULL)  /* not /proc/self/exe: under valgrind that is valgrind */
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_freshness__every_writer_is_seen_by_the_next_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness__platform_changes_reach_every_cached_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness__more_changes_than_the_log_keeps, setup, teardown),
        cmocka_unit_test(test_freshness__an_in_memory_store_sees_its_own_writes),
        cmocka_unit_test(test_freshness__a_tiny_cache_answers_right),
        cmocka_unit_test(test_freshness__two_hosts_with_caches_of_their_own),
        cmocka_unit_test_setup_teardown(test_freshness__kept_entries_read_the_new_snapshot, setup, teardown),
        cmocka_unit_test(test_freshness__reads_never_go_back_while_another_process_writes),
        cmocka_unit_test(test_freshness__an_account_read_during_a_commit_is_all_before_or_all_after),
        cmocka_unit_test(test_freshness__a_store_made_again_is_read_anew),
    };
    return cmocka_run_group_tests_name("freshness", tests, NULL, NULL);
}
