/* Shared by the fuzz targets of tests/fuzz (README.md there): the input as a C string,
 * one store per process restored to the same state before every input, and the check
 * that turns a broken invariant into a crash libFuzzer reports.
 *
 * The targets link the library's objects (igny8_objs), so they may call internals. They
 * never print: libFuzzer owns stderr, and the replay runner (replay.c) prints only its
 * own summary. */
#ifndef IGNY8_FUZZ_COMMON_H
#define IGNY8_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "igny8.h"

/* A broken invariant is a bug: crash where libFuzzer (or the replay runner) sees it. */
#define FUZZ_CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Defined by each target whose input is JSON: the bytes before the JSON (a mode byte).
 * The JSON-aware mutator of libFuzzer builds (fuzz_json_mutator.c) leaves them alone. */
extern const size_t fuzz_json_prefix;

/* The account whose settings the baseline holds (fuzz_store). */
#define FUZZ_ACCOUNT 7
/* An account the baseline knows nothing about. */
#define FUZZ_NEW_ACCOUNT 42

/* data[0..size) as a NUL-terminated string (a NUL inside ends it early, as for any C
 * caller); release with free(). Never NULL (aborts on OOM: not an input's fault). */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* The process's store, in the baseline state: a :memory: store with the shipped defaults
 * plus some account data in every section (fuzz_common.c, baseline_fill), exactly as it
 * was before the first input. The first call builds it; every later call restores it
 * (SQLite's backup API from a pristine copy, and a fresh resolver cache), so nothing an
 * input wrote reaches the next one. Closed at exit. */
igny8_store *fuzz_store(void);

/* The store's export with keys (caller frees with igny8_free); traps when it fails, as
 * the baseline store must always export. */
char *fuzz_export(igny8_store *st);

/* The number of audit entries: each write adds one, a failed write none. */
long long fuzz_audit_count(igny8_store *st);

/* 1 when text is JSON (of any type), 0 when not. */
int fuzz_json_valid(const char *text);

/* Equal strings (both NULL counts as equal). */
int fuzz_same(const char *a, const char *b);

#endif
