/* The C benchmarks' shared pieces (bench_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

const char *const bench_operations[11] = {
    "clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
    "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
    "taxonomy_generation", "image_generation",
};
const char *bench_program = "bench";

double bench_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_check(int rc, const char *what)
{
    if (rc != IGNY8_OK) {
        fprintf(stderr, "%s: %s: %s\n", bench_program, what, igny8_error_last()->message);
        exit(1);
    }
}

long bench_rss_kib(void)
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

void bench_open(igny8_store **st, const char *store, igny8_store_options *o)
{
    igny8_store_options defaults = IGNY8_STORE_OPTIONS_INIT;
    if (o == NULL)
        o = &defaults;
    if (o->schema == NULL)
        o->schema = getenv("IGNY8_BENCH_SCHEMA");
    bench_check(igny8_store_open(st, store, o), "open");
}

double bench_resolve_once(igny8_store *st, int64_t account, const char *op)
{
    igny8_resolution *r = NULL;
    double t0 = bench_now_s();
    bench_check(igny8_get_model_for_operation(st, account, op, NULL, &r), "resolve");
    volatile size_t sink = strlen(igny8_resolution_model_name(r)) + (size_t)igny8_resolution_max_tokens(r);
    (void)igny8_resolution_temperature(r);
    igny8_resolution_free(r);
    (void)sink;
    return bench_now_s() - t0;
}
