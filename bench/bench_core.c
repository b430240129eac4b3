/* The resolver's benchmark in C (bench/run.sh runs it and prints the table).
 *
 *   bench_core make STORE ACCOUNTS         build a store: defaults, and for the accounts an
 *                                          openai override on every other one, an anthropic
 *                                          text provider on every 10th, a clustering model on
 *                                          every 7th (the same data for every peer)
 *   bench_core resolve STORE ACCOUNTS CALLS [HOT [MISSES]]
 *                                          resolve each account once (warm), then CALLS random
 *                                          (account, operation) pairs, each timed: hits; then
 *                                          MISSES (default 0) timed calls, each right after
 *                                          another connection changed that account (see
 *                                          change_account); p50/p99 of both;
 *                                          HOT: draw the accounts from the first HOT only (0 or
 *                                          left out: all; the same table size with a small
 *                                          working set: separates memory latency from work per call)
 *   bench_core open STORE                  store open time, median of 31
 *   bench_core chain STORE                 a new store with a 3-model fallback chain: a warm
 *                                          resolve with it, and with it and a plan, against
 *                                          one without a chain, interleaved (chain_cost)
 *   bench_core put DIR|URL                 integration PUTs per second, synchronous FULL and
 *                                          NORMAL: new stores DIR/full.db and DIR/normal.db, or
 *                                          on PostgreSQL new schemas $IGNY8_BENCH_SCHEMA_full
 *                                          and $IGNY8_BENCH_SCHEMA_normal
 *
 * STORE is a SQLite file or a postgresql:// URL; on PostgreSQL the schema is
 * $IGNY8_BENCH_SCHEMA (unset: the library's default), as for bench_resolve.py and the
 * Django peer. Each prints one line of key=value pairs. Run from an optimised build. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

static int is_postgres(const char *store)
{
    return strncmp(store, "postgresql://", 13) == 0 || strncmp(store, "postgres://", 11) == 0;
}

static void sql(sqlite3 *db, const char *text)
{
    char *err = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_core: %s\n", err);
        exit(1);
    }
}

/* The accounts' rows go in with SQL, in one transaction: a million PUTs through the API
 * would measure the disk, not the resolver. The triggers log them like any write. */
static int make_sqlite(const char *path, long accounts)
{
    igny8_store *st = NULL;
    char text[1024];
    bench_open(&st, path, NULL);
    bench_check(igny8_defaults_load(st, "bench", NULL), "defaults");
    igny8_store_close(st);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return 1;
    snprintf(text, sizeof(text),
        "BEGIN;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 2 FROM n WHERE i + 2 <= %ld)"
        " INSERT INTO account_integration (account_id, integration, enabled, model, temperature, updated_at, updated_by)"
        " SELECT i, 'openai', 1, 'gpt-4o', 0.4, '2026-11-26T00:00:00.000Z', 'bench' FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 10 FROM n WHERE i + 10 <= %ld)"
        " INSERT INTO account_provider SELECT i, 'text', 'anthropic', '2026-11-26T00:00:00.000Z', 'bench' FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 7 UNION ALL SELECT i + 7 FROM n WHERE i + 7 <= %ld)"
        " INSERT INTO account_operation_model SELECT i, 'clustering', 'gpt-4.1', '2026-11-26T00:00:00.000Z', 'bench'"
        " FROM n;"
        "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", accounts, accounts, accounts);
    sql(db, text);
    sqlite3_close(db);
    return 0;
}

/* The whole store, through export and a replacing import: one transaction on the target. */
static void copy_store(const char *from, const char *to)
{
    igny8_import_options replace = IGNY8_IMPORT_OPTIONS_INIT;
    igny8_store *src = NULL, *dst = NULL;
    char *doc = NULL;
    replace.mode = IGNY8_IMPORT_REPLACE;
    bench_open(&src, from, NULL);
    bench_check(igny8_store_export_json(src, NULL, &doc), "export");
    igny8_store_close(src);
    bench_open(&dst, to, NULL);
    bench_check(igny8_store_import_json(dst, "bench", doc, &replace), "import");
    igny8_store_close(dst);
    igny8_free(doc);
}

/* PostgreSQL through the public API only: the same rows made in a SQLite file first, then
 * imported, so both backends hold the same data by construction. */
static int make_postgres(const char *url, long accounts)
{
    char dir[] = "/tmp/igny8-bench-make-XXXXXX", path[64];
    if (mkdtemp(dir) == NULL) {
        perror("bench_core: mkdtemp");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/store.db", dir);
    int rc = make_sqlite(path, accounts);
    if (rc == 0)
        copy_store(path, url);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char file[80];
        snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
        unlink(file);
    }
    rmdir(dir);
    return rc;
}

static int make(const char *store, long accounts)
{
    int rc = is_postgres(store) ? make_postgres(store, accounts) : make_sqlite(store, accounts);
    if (rc == 0)
        printf("make accounts=%ld\n", accounts);
    return rc;
}

/* A miss as a worker meets one: another connection (another worker, another host)
 * changed the account, so the next call sees the change token move, follows the change
 * log, drops the account's entry and loads it again. The writer sets openai's max_tokens
 * and clears it (no bench account has one): the data end as they began, for the peers
 * measured next. Not timed. */
static void change_account(igny8_store *writer, int64_t account)
{
    bench_check(igny8_integration_put_json(writer, "bench", account, "openai", "{\"max_tokens\":4000}", NULL), "put");
    bench_check(igny8_integration_put_json(writer, "bench", account, "openai", "{\"max_tokens\":null}", NULL), "put");
}

/* The writer commits with SYNC_NORMAL: its disk waits are outside the timing anyway. */
static void time_misses(igny8_store *st, const char *store, long hot, long misses, double *t)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *writer = NULL;
    unsigned seed = 43;
    o.flags = IGNY8_STORE_SYNC_NORMAL;
    bench_open(&writer, store, &o);
    for (long i = 0; i < misses; i++) {
        int64_t account = 1 + rand_r(&seed) % hot;
        change_account(writer, account);
        t[i] = bench_resolve_once(st, account, bench_operations[rand_r(&seed) % 11]);
    }
    igny8_store_close(writer);
}

/* Sorts t; the p50 and p99 in microseconds (0 for no samples). */
static void percentiles(double *t, long n, double *p50, double *p99)
{
    qsort(t, (size_t)n, sizeof(double), bench_cmp_double);
    *p50 = n ? t[n / 2] * 1e6 : 0;
    *p99 = n ? t[n * 99 / 100] * 1e6 : 0;
}

static int resolve(const char *store, long accounts, long calls, long hot, long misses)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    double p50, p99, miss_p50, miss_p99;
    o.cache_accounts = (unsigned int)accounts;
    bench_open(&st, store, &o);
    double t0 = bench_now_s();
    for (long a = 1; a <= accounts; a++)
        bench_resolve_once(st, a, bench_operations[a % 11]);
    double warm = bench_now_s() - t0;
    double *t = malloc(sizeof(double) * (size_t)(calls + misses));
    unsigned seed = 42;
    for (long i = 0; i < calls; i++)
        t[i] = bench_resolve_once(st, 1 + rand_r(&seed) % hot, bench_operations[rand_r(&seed) % 11]);
    time_misses(st, store, hot, misses, t + calls);
    percentiles(t, calls, &p50, &p99);
    percentiles(t + calls, misses, &miss_p50, &miss_p99);
    printf("c_resolve accounts=%ld hot=%ld calls=%ld p50_us=%.3f p99_us=%.3f misses=%ld miss_p50_us=%.3f "
           "miss_p99_us=%.3f warm_s=%.2f rss_mb=%.1f\n", accounts, hot, calls, p50, p99, misses, miss_p50, miss_p99,
           warm, (double)bench_rss_kib() / 1024.0);
    free(t);
    igny8_store_close(st);
    return 0;
}

/* The read right after a global change made by another connection (the platform's
 * openai temperature, set back and forth), on a warm cache of every account. */
static int global_change(const char *store, long accounts, long n)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL, *writer = NULL;
    double p50, p99, *t = malloc(sizeof(double) * (size_t)n);
    unsigned seed = 44;
    o.cache_accounts = (unsigned int)accounts;
    bench_open(&st, store, &o);
    for (long a = 1; a <= accounts; a++)
        bench_resolve_once(st, a, bench_operations[a % 11]);
    igny8_store_options w = IGNY8_STORE_OPTIONS_INIT;
    w.flags = IGNY8_STORE_SYNC_NORMAL;
    bench_open(&writer, store, &w);
    for (long i = 0; i < n; i++) {
        bench_check(igny8_global_settings_put_json(writer, "bench", i % 2 ? "{\"integrations\":{\"openai\":"
                                             "{\"temperature\":0.3}}}" : "{\"integrations\":{\"openai\":"
                                             "{\"temperature\":0.7}}}", NULL), "global put");
        t[i] = bench_resolve_once(st, 1 + rand_r(&seed) % accounts, bench_operations[rand_r(&seed) % 11]);
    }
    percentiles(t, n, &p50, &p99);
    printf("global accounts=%ld changes=%ld after_global_p50_us=%.3f after_global_p99_us=%.3f\n", accounts, n, p50,
           p99);
    free(t);
    igny8_store_close(writer);
    igny8_store_close(st);
    return 0;
}

static int open_time(const char *store)
{
    double t[31];
    for (int i = 0; i < 31; i++) {
        igny8_store *st = NULL;
        double t0 = bench_now_s();
        bench_open(&st, store, NULL);
        t[i] = bench_now_s() - t0;
        igny8_store_close(st);
    }
    qsort(t, 31, sizeof(double), bench_cmp_double);
    printf("open median_ms=%.3f\n", t[15] * 1e3);
    return 0;
}

/* A new store for each mode: a file in the directory, or a schema named after $IGNY8_BENCH_SCHEMA. */
static double put_rate(const char *target, uint32_t flags, const char *name)
{
    char path[512], schema[64], body[96];
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    const char *base = getenv("IGNY8_BENCH_SCHEMA");
    o.flags = flags;
    snprintf(path, sizeof(path), "%s/%s.db", target, name);
    snprintf(schema, sizeof(schema), "%s_%s", base ? base : "igny8bench", name);
    if (is_postgres(target))
        o.schema = schema;
    bench_open(&st, is_postgres(target) ? target : path, &o);
    bench_check(igny8_defaults_load(st, "bench", NULL), "defaults");
    const int n = 3000;
    double t0 = bench_now_s();
    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof(body), "{\"temperature\":%d.%d,\"max_tokens\":%d}", i % 2, i % 10, 1000 + i);
        bench_check(igny8_integration_put_json(st, "bench", 1 + i % 100, "openai", body, NULL), "put");
    }
    double rate = n / (bench_now_s() - t0);
    igny8_store_close(st);
    return rate;
}

/* Keys at rest: a warm resolve that does not ask for the key against one that does (the
 * sealed key opened with XChaCha20-Poly1305, once per resolution), interleaved, on a
 * store in DIR with a master key; and the same with a plain key (no master key). */
static double resolve_key_once(igny8_store *st, int ask)
{
    igny8_resolution *r = NULL;
    double t0 = bench_now_s();
    bench_check(igny8_get_model_for_operation(st, 7, "clustering", NULL, &r), "resolve");
    volatile size_t sink = ask ? strlen(igny8_resolution_api_key(r)) : strlen(igny8_resolution_model_name(r));
    igny8_resolution_free(r);
    (void)sink;
    return bench_now_s() - t0;
}

static void key_cost(const char *dir, const char *master, const char *label, long calls)
{
    char path[600];
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    snprintf(path, sizeof(path), "%s/keys-%s.db", dir, label);
    o.master_key = master;
    bench_open(&st, path, &o);
    bench_check(igny8_defaults_load(st, "bench", NULL), "defaults");
    bench_check(igny8_global_key_set(st, "bench", "openai", "sk-FAKE-bench-key-0123456789abcdef0123456789"), "key");
    double *plain = malloc(sizeof(double) * (size_t)calls), *with = malloc(sizeof(double) * (size_t)calls);
    for (long i = 0; i < 1000; i++)
        resolve_key_once(st, i & 1);
    for (long i = 0; i < calls; i++) {
        plain[i] = resolve_key_once(st, 0);
        with[i] = resolve_key_once(st, 1);
    }
    double p50, p99, k50, k99;
    percentiles(plain, calls, &p50, &p99);
    percentiles(with, calls, &k50, &k99);
    printf("key %s resolve_p50_us=%.3f resolve_p99_us=%.3f with_key_p50_us=%.3f with_key_p99_us=%.3f ratio=%.2f\n",
           label, p50, p99, k50, k99, k50 / p50);
    free(plain);
    free(with);
    igny8_store_close(st);
    unlink(path);
}

/* Fallbacks (issue 15): a warm resolve of an operation with a 3-model platform chain, and
 * of the same with an account's plan (a group of every model, a ceiling above them all:
 * every allow and budget check runs and passes), each against the same resolve of an
 * operation without a chain, interleaved: ideas / clustering / clustering of the planned
 * account. The store is made here (defaults, the three platform keys, the chain). */
static void chain_store(const char *store)
{
    igny8_store *st = NULL;
    static const char *const chain[] = { "gpt-4o", "claude-3-5-haiku-20241022", "gpt-4.1-mini" };
    static const char *const all[] = { "gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "claude-3-5-haiku-20241022",
                                       "claude-3-5-sonnet-20241022", "claude-3-sonnet", "gpt-4-turbo-preview" };
    bench_open(&st, store, NULL);
    bench_check(igny8_defaults_load(st, "bench", NULL), "defaults");
    bench_check(igny8_global_key_set(st, "bench", "openai", "sk-FAKE-bench-openai-0001"), "key");
    bench_check(igny8_global_key_set(st, "bench", "anthropic", "sk-ant-FAKE-bench-0001"), "key");
    bench_check(igny8_fallback_chain_set(st, "bench", 0, "clustering", chain, 3), "chain");
    bench_check(igny8_access_group_set(st, "bench", "all", NULL, all, 8), "group");
    bench_check(igny8_account_access_group_set(st, "bench", 8, "all"), "plan");
    bench_check(igny8_account_budget_set(st, "bench", 8, 1.0, 1.0), "ceiling");
    igny8_store_close(st);
}

/* A resolve that also reads every fallback's model, as a caller on its failure path. */
static double resolve_with_fallbacks_once(igny8_store *st, int64_t account, const char *op)
{
    igny8_resolution *r = NULL;
    double t0 = bench_now_s();
    bench_check(igny8_get_model_for_operation(st, account, op, NULL, &r), "resolve");
    volatile size_t sink = strlen(igny8_resolution_model_name(r));
    for (size_t i = 0; i < igny8_resolution_fallback_count(r); i++)
        sink += strlen(igny8_resolution_model_name(igny8_resolution_fallback_at(r, i)));
    igny8_resolution_free(r);
    (void)sink;
    return bench_now_s() - t0;
}

static int chain_cost(const char *store, long calls)
{
    igny8_store *st = NULL;
    double *t[4], p50[4], p99[4];
    chain_store(store);
    bench_open(&st, store, NULL);
    igny8_resolution *r = NULL;
    bench_check(igny8_get_model_for_operation(st, 7, "clustering", NULL, &r), "resolve");
    if (igny8_resolution_fallback_count(r) != 3) {
        fprintf(stderr, "bench_core: the chain gave %zu fallbacks, not 3\n", igny8_resolution_fallback_count(r));
        return 1;
    }
    igny8_resolution_free(r);
    for (int k = 0; k < 4; k++)
        t[k] = malloc(sizeof(double) * (size_t)calls);
    for (long i = 0; i < 1000; i++)
        bench_resolve_once(st, 7 + i % 2, bench_operations[i % 2]);
    for (long i = 0; i < calls; i++) {
        t[0][i] = bench_resolve_once(st, 7, "ideas");
        t[1][i] = bench_resolve_once(st, 7, "clustering");
        t[2][i] = bench_resolve_once(st, 8, "clustering");
        t[3][i] = resolve_with_fallbacks_once(st, 8, "clustering");
    }
    for (int k = 0; k < 4; k++) {
        percentiles(t[k], calls, &p50[k], &p99[k]);
        free(t[k]);
    }
    printf("chain calls=%ld plain_p50_us=%.3f plain_p99_us=%.3f chain_p50_us=%.3f chain_p99_us=%.3f ratio=%.2f "
           "plan_chain_p50_us=%.3f plan_chain_p99_us=%.3f plan_ratio=%.2f read_p50_us=%.3f read_p99_us=%.3f "
           "read_ratio=%.2f\n", calls, p50[0], p99[0], p50[1], p99[1], p50[1] / p50[0], p50[2], p99[2],
           p50[2] / p50[0], p50[3], p99[3], p50[3] / p50[0]);
    igny8_store_close(st);
    return 0;
}

int main(int argc, char **argv)
{
    bench_program = "bench_core";
    if (argc == 3 && strcmp(argv[1], "key") == 0) {
        char master[IGNY8_MASTER_KEY_SIZE];
        bench_check(igny8_master_key_new(master), "master key");
        key_cost(argv[2], master, "sealed", 200000);
        key_cost(argv[2], NULL, "plain", 200000);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "make") == 0)
        return make(argv[2], atol(argv[3]));
    if (argc >= 5 && argc <= 7 && strcmp(argv[1], "resolve") == 0) {
        long hot = argc >= 6 && atol(argv[5]) > 0 ? atol(argv[5]) : atol(argv[3]);
        return resolve(argv[2], atol(argv[3]), atol(argv[4]), hot, argc == 7 ? atol(argv[6]) : 0);
    }
    if (argc == 5 && strcmp(argv[1], "global") == 0)
        return global_change(argv[2], atol(argv[3]), atol(argv[4]));
    if (argc == 3 && strcmp(argv[1], "open") == 0)
        return open_time(argv[2]);
    if (argc == 3 && strcmp(argv[1], "chain") == 0)
        return chain_cost(argv[2], 200000);
    if (argc == 3 && strcmp(argv[1], "put") == 0) {
        double full = put_rate(argv[2], 0, "full"), normal = put_rate(argv[2], IGNY8_STORE_SYNC_NORMAL, "normal");
        printf("put full_per_s=%.0f normal_per_s=%.0f\n", full, normal);
        return 0;
    }
    fprintf(stderr, "usage: bench_core make STORE ACCOUNTS | resolve STORE ACCOUNTS CALLS [HOT [MISSES]] | open STORE"
                    " | put DIR|URL | key DIR | global STORE ACCOUNTS CHANGES | chain STORE\n");
    return 2;
}
