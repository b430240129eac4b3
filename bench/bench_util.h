/* What the C benchmarks share: the operations, the clock, the timed resolve, RSS, and
 * opening a store with the schema of $IGNY8_BENCH_SCHEMA (as bench_resolve.py and the
 * Django peer read it). Failures print "PROGRAM: what: message" and exit 1. */
#ifndef IGNY8_BENCH_UTIL_H
#define IGNY8_BENCH_UTIL_H

#include <stdint.h>

#include "igny8.h"

extern const char *const bench_operations[11];
extern const char *bench_program;  /* for the messages; set by main */

double bench_now_s(void);
int bench_cmp_double(const void *a, const void *b);
void bench_check(int rc, const char *what);
long bench_rss_kib(void);
/* o NULL: the default options; o->schema NULL: $IGNY8_BENCH_SCHEMA. */
void bench_open(igny8_store **st, const char *store, igny8_store_options *o);
/* One resolve, reading model, temperature and max_tokens, then free: seconds it took. */
double bench_resolve_once(igny8_store *st, int64_t account, const char *op);

#endif
