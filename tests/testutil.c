#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "testutil.h"

void testutil_assert_fails(int code, const char *field, int rc, const char *expr, const char *file, int line)
{
    const igny8_error *e = igny8_error_last();
    if (rc != code)
        fail_msg("%s:%d: %s -> %d (%s), expected %d", file, line, expr, rc, e->message, code);
    if (e->code != code)
        fail_msg("%s:%d: error_last code %d, expected %d", file, line, e->code, code);
    if (e->message == NULL || e->message[0] == '\0')
        fail_msg("%s:%d: %s gave no message", file, line, expr);
    if (field && (e->field == NULL || strcmp(e->field, field) != 0))
        fail_msg("%s:%d: %s names field '%s' (%s), expected '%s'", file, line, expr,
                 e->field ? e->field : "(null)", e->message, field);
}

igny8_store *testutil_store(int with_defaults)
{
    igny8_store *st = NULL;
    assert_igny8_ok(igny8_store_open(&st, ":memory:", NULL));
    if (with_defaults)
        assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    return st;
}

int testutil_setup(void **state)
{
    *state = testutil_store(1);
    return 0;
}

int testutil_teardown(void **state)
{
    igny8_store_close(*state);
    return 0;
}

char *testutil_tmpdir(void)
{
    static char buf[64];
    snprintf(buf, sizeof(buf), "/tmp/igny8-test-XXXXXX");
    if (mkdtemp(buf) == NULL)
        fail_msg("mkdtemp failed");
    return buf;
}

void testutil_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int testutil_audit_count(igny8_store *st)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "entries"));
    cJSON_Delete(j);
    igny8_free(json);
    return n;
}

char *testutil_take(int rc, char **owned_by_library)
{
    if (rc != IGNY8_OK)
        fail_msg("call failed %d: %s", rc, igny8_error_last()->message);
    if (*owned_by_library == NULL)
        fail_msg("call succeeded but gave no output");
    char *copy = strdup(*owned_by_library);
    igny8_free(*owned_by_library);
    *owned_by_library = NULL;
    return copy;
}

void testutil_assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("'%s' not found in: %s", needle, haystack ? haystack : "(null)");
}

void testutil_assert_not_contains(const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle) != NULL)
        fail_msg("'%s' unexpectedly found in: %s", needle, haystack);
}
