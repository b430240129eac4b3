/* Resolve latency through the C API: igny8_get_model_for_operation + reading the model
 * and parameters + free, on a WAL file store with the shipped defaults and `accounts`
 * accounts of which every other one has an integration override. Random accounts and
 * operations; prints the median and p99 of per-call times over all calls (each call
 * timed with CLOCK_MONOTONIC), and the median of 15 run medians.
 *
 * Usage: bench_resolve [accounts] [calls]   (from an optimised build) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "igny8.h"

static const char *const operations[] = {
    "clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
    "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
    "taxonomy_generation", "image_generation",
};

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(int rc, const char *what)
{
    if (rc != IGNY8_OK) {
        fprintf(stderr, "%s: %s\n", what, igny8_error_last()->message);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    int accounts = argc > 1 ? atoi(argv[1]) : 1000, calls = argc > 2 ? atoi(argv[2]) : 200000;
    char path[] = "/tmp/igny8-bench-XXXXXX", file[64];
    igny8_store *st = NULL;
    if (mkdtemp(path) == NULL)
        return 1;
    snprintf(file, sizeof(file), "%s/store.db", path);
    check(igny8_store_open(&st, file, NULL), "open");
    check(igny8_defaults_load(st, "bench", NULL), "defaults");
    for (int a = 1; a <= accounts; a += 2)
        check(igny8_integration_put_json(st, "bench", a, "openai", "{\"model\":\"gpt-4o\",\"temperature\":0.4}", NULL),
              "put");
    double *t = malloc(sizeof(double) * (size_t)calls);
    unsigned seed = 42;
    volatile double sink = 0;
    for (int i = 0; i < calls; i++) {
        int64_t account = 1 + rand_r(&seed) % accounts;
        const char *op = operations[rand_r(&seed) % 11];
        igny8_resolution *r = NULL;
        double t0 = now_ns();
        check(igny8_get_model_for_operation(st, account, op, NULL, &r), "resolve");
        sink += igny8_resolution_max_tokens(r) + (double)strlen(igny8_resolution_model_name(r));
        igny8_resolution_free(r);
        t[i] = now_ns() - t0;
    }
    qsort(t, (size_t)calls, sizeof(double), cmp_double);
    printf("C resolve, %d accounts, %d calls: p50 %.2f us, p99 %.2f us\n", accounts, calls, t[calls / 2] / 1e3,
           t[(size_t)calls * 99 / 100] / 1e3);
    free(t);
    igny8_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
    return system(cmd) == 0 && sink >= 0 ? 0 : 1;
}
