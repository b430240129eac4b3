/* Shared helpers of the CMocka tests. */
#ifndef IGNY8_TESTUTIL_H
#define IGNY8_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "igny8.h"

#define assert_igny8_ok(expr) do { int rc_ = (expr); if (rc_ != IGNY8_OK) \
        fail_msg("%s -> %d: %s", #expr, rc_, igny8_error_last()->message); } while (0)

/* expr fails with exactly `code`, and the error names `field` (NULL: no check). */
#define assert_igny8_fails(code, field, expr) \
    testutil_assert_fails((code), (field), (expr), #expr, __FILE__, __LINE__)
void testutil_assert_fails(int code, const char *field, int rc, const char *expr, const char *file, int line);

/* A fresh :memory: store; with_defaults loads the shipped defaults. Fails the test on error. */
igny8_store *testutil_store(int with_defaults);
/* CMocka setup/teardown: *state is a fresh :memory: store with the defaults loaded. */
int testutil_setup(void **state);
int testutil_teardown(void **state);

/* A new empty directory under /tmp (static buffer per call site: copy it). */
char *testutil_tmpdir(void);
/* Remove a directory and the files in it (one level). */
void testutil_rmdir(const char *dir);

/* The number of audit entries in the store. */
int testutil_audit_count(igny8_store *st);
/* A JSON view as a string the test owns (free()); fails the test on error. Takes the
 * out-parameter's address, so `testutil_take(igny8_x_json(st, &j), &j)` reads j only
 * after the call has set it. */
char *testutil_take(int rc, char **owned_by_library);
/* assert that haystack contains / does not contain needle, with both in the message. */
void testutil_assert_contains(const char *haystack, const char *needle);
void testutil_assert_not_contains(const char *haystack, const char *needle);

#endif
