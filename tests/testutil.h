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

/* The backend the tests run on: IGNY8_TEST_BACKEND=postgresql runs them on the server of
 * IGNY8_TEST_PG_URL (default postgresql://igny8@127.0.0.1:55432/igny8test, the server of
 * scripts/pg.sh), each store in a schema of its own; anything else on SQLite. */
int testutil_postgres(void);
const char *testutil_backend_name(void);  /* "sqlite" or "postgresql" */
const char *testutil_pg_url(void);         /* the test database's URL */
/* The first statement of a test about one backend's own behaviour (SQLite's files, WAL):
 * on the other backend the test is skipped, saying why. */
#define TESTUTIL_SQLITE_ONLY(why) do { if (testutil_postgres()) { \
        print_message("[ SKIPPED  ] SQLite only: %s\n", why); skip(); } } while (0)

/* Where a store lives that several handles or processes open: on SQLite a file in a new
 * directory, on PostgreSQL a new schema of the test database. */
typedef struct testutil_place {
    char target[512];  /* the path or URL */
    char schema[64];   /* PostgreSQL: the store's schema ("" on SQLite) */
    char dir[64];      /* SQLite: the directory of the file */
} testutil_place;
void testutil_place_new(testutil_place *p);
/* Open the store at p (o may be NULL); returns the library's code. */
int testutil_place_open(const testutil_place *p, const igny8_store_options *o, igny8_store **out);
/* Remove the place: the directory and its files, or the schema. */
void testutil_place_free(testutil_place *p);
/* Run SQL on the store at p behind the library's back (sqlite3 / libpq, in the store's
 * schema, which it creates when missing): 0 when it succeeded, else -1 with the
 * database's message in err. */
int testutil_sql(const testutil_place *p, const char *sql, char *err, size_t err_size);

/* A fresh store (:memory: on SQLite, a new schema on PostgreSQL); with_defaults loads the
 * shipped defaults. Fails the test on error. Its place is removed by testutil_teardown, or
 * when the test process exits. */
igny8_store *testutil_store(int with_defaults);
/* CMocka setup/teardown: *state is a fresh store with the defaults loaded. */
int testutil_setup(void **state);
int testutil_teardown(void **state);

/* A new empty directory under /tmp (static buffer per call site: copy it). */
char *testutil_tmpdir(void);
/* Remove a directory and the files in it (one level). */
void testutil_rmdir(const char *dir);

/* The text of tests/fixtures/<name> (free()); fails the test when it cannot be read. */
char *testutil_fixture(const char *name);

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
