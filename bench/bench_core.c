/* The resolver's benchmark in C (bench/run.sh runs it and prints the table).
 *
 *   bench_core make PATH ACCOUNTS          build a store: defaults, and for the accounts an
 *                                          openai override on every other one, an anthropic
 *                                          text provider on every 10th, a clustering model on
 *                                          every 7th (the same data for every peer)
 *   bench_core resolve PATH ACCOUNTS CALLS [HOT]
 *                                          resolve each account once (warm), then CALLS random
 *                                          (account, operation) pairs, each timed; p50/p99;
 *                                          HOT: draw the accounts from the first HOT only (the
 *                                          same table size with a small working set: separates
 *                                          memory latency from work per call)
 *   bench_core open PATH                   store open time, median of 31
 *   bench_core put DIR                     integration PUTs per second, synchronous FULL and NORMAL
 *
 * Each prints one line of key=value pairs. Run from an optimised build. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "igny8.h"

static const char *const operations[] = {
    "clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
    "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
    "taxonomy_generation", "image_generation",
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(int rc, const char *what)
{
    if (rc != IGNY8_OK) {
        fprintf(stderr, "bench_core: %s: %s\n", what, igny8_error_last()->message);
        exit(1);
    }
}

static long rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
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
static int make(const char *path, long accounts)
{
    igny8_store *st = NULL;
    char text[1024];
    check(igny8_store_open(&st, path, NULL), "open");
    check(igny8_defaults_load(st, "bench", NULL), "defaults");
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
    printf("make accounts=%ld\n", accounts);
    return 0;
}

static double resolve_once(igny8_store *st, int64_t account, const char *op)
{
    igny8_resolution *r = NULL;
    double t0 = now_s();
    check(igny8_get_model_for_operation(st, account, op, NULL, &r), "resolve");
    volatile size_t sink = strlen(igny8_resolution_model_name(r)) + (size_t)igny8_resolution_max_tokens(r);
    (void)igny8_resolution_temperature(r);
    igny8_resolution_free(r);
    (void)sink;
    return now_s() - t0;
}

static int resolve(const char *path, long accounts, long calls, long hot)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    o.cache_accounts = (unsigned int)accounts;
    check(igny8_store_open(&st, path, &o), "open");
    double t0 = now_s();
    for (long a = 1; a <= accounts; a++)
        resolve_once(st, a, operations[a % 11]);
    double warm = now_s() - t0;
    double *t = malloc(sizeof(double) * (size_t)calls);
    unsigned seed = 42;
    for (long i = 0; i < calls; i++)
        t[i] = resolve_once(st, 1 + rand_r(&seed) % hot, operations[rand_r(&seed) % 11]);
    qsort(t, (size_t)calls, sizeof(double), cmp_double);
    printf("c_resolve accounts=%ld hot=%ld calls=%ld p50_us=%.3f p99_us=%.3f warm_s=%.2f rss_mb=%.1f\n", accounts,
           hot, calls, t[calls / 2] * 1e6, t[calls * 99 / 100] * 1e6, warm, (double)rss_kib() / 1024.0);
    free(t);
    igny8_store_close(st);
    return 0;
}

static int open_time(const char *path)
{
    double t[31];
    for (int i = 0; i < 31; i++) {
        igny8_store *st = NULL;
        double t0 = now_s();
        check(igny8_store_open(&st, path, NULL), "open");
        t[i] = now_s() - t0;
        igny8_store_close(st);
    }
    qsort(t, 31, sizeof(double), cmp_double);
    printf("open median_ms=%.3f\n", t[15] * 1e3);
    return 0;
}

static double put_rate(const char *dir, uint32_t flags, const char *name)
{
    char path[512], body[96];
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    o.flags = flags;
    snprintf(path, sizeof(path), "%s/%s.db", dir, name);
    check(igny8_store_open(&st, path, &o), "open");
    check(igny8_defaults_load(st, "bench", NULL), "defaults");
    const int n = 3000;
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof(body), "{\"temperature\":%d.%d,\"max_tokens\":%d}", i % 2, i % 10, 1000 + i);
        check(igny8_integration_put_json(st, "bench", 1 + i % 100, "openai", body, NULL), "put");
    }
    double rate = n / (now_s() - t0);
    igny8_store_close(st);
    return rate;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "make") == 0)
        return make(argv[2], atol(argv[3]));
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "resolve") == 0)
        return resolve(argv[2], atol(argv[3]), atol(argv[4]), argc == 6 ? atol(argv[5]) : atol(argv[3]));
    if (argc == 3 && strcmp(argv[1], "open") == 0)
        return open_time(argv[2]);
    if (argc == 3 && strcmp(argv[1], "put") == 0) {
        double full = put_rate(argv[2], 0, "full"), normal = put_rate(argv[2], IGNY8_STORE_SYNC_NORMAL, "normal");
        printf("put full_per_s=%.0f normal_per_s=%.0f\n", full, normal);
        return 0;
    }
    fprintf(stderr, "usage: bench_core make PATH ACCOUNTS | resolve PATH ACCOUNTS CALLS | open PATH | put DIR\n");
    return 2;
}
