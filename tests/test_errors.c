/* The error model: the per-thread last error, strerror, NULL arguments, malformed JSON,
 * out-parameters after a failure, versions, options structs, and one store shared by threads. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 7

/* ---- the last error, per thread ---- */

static void *read_fresh_error(void *arg)
{
    igny8_error *copy = arg;
    const igny8_error *e = igny8_error_last();
    if (e != NULL) {
        copy->code = e->code;
        copy->message = e->message ? strdup(e->message) : NULL;
        copy->field = e->field ? strdup(e->field) : NULL;
    } else {
        copy->code = 12345;
    }
    return NULL;
}

static void test_errors__fresh_thread_has_no_error(void **state)
{
    igny8_store *st = *state;
    /* this thread fails first, so a fresh thread's state is not just untouched memory */
    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_model_get(st, "no-such-model", &(igny8_model *){ NULL }));
    igny8_error seen = { 99, NULL, "sentinel" };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_fresh_error, &seen), 0);
    pthread_join(t, NULL);
    assert_int_equal(seen.code, IGNY8_OK);
    assert_non_null(seen.message);
    assert_string_equal(seen.message, "no error");
    assert_null(seen.field);
    free((char *)seen.message);
    /* and this thread still has its own */
    assert_int_equal(igny8_error_last()->code, IGNY8_ENOTFOUND);
}

/* In a fresh thread: only successful calls, then the last error must still be "no error". */
struct thread_arg { testutil_place place; int code; };

static void *successful_calls(void *arg)
{
    int *code = &((struct thread_arg *)arg)->code;
    igny8_store *st = NULL;
    char *json = NULL;
    igny8_resolution *r = NULL;
    igny8_model *m = NULL;
    *code = 1000;
    if (testutil_place_open(&((struct thread_arg *)arg)->place, NULL, &st) != IGNY8_OK)
        return NULL;
    static const char *const ops[] = { "clustering", "ideas", "image_generation" };
    int rc = igny8_defaults_load(st, "thread", NULL);
    if (rc == IGNY8_OK)
        rc = igny8_model_add_json(st, "thread", "{\"model_name\":\"extra\",\"provider\":\"openai\","
                                  "\"model_type\":\"text\",\"max_output_tokens\":1000}", NULL);
    if (rc == IGNY8_OK)
        rc = igny8_model_update_json(st, "thread", "extra", "{\"display_name\":\"Extra\"}", NULL);
    if (rc == IGNY8_OK)
        rc = igny8_model_get(st, "extra", &m);
    igny8_model_free(m);
    if (rc == IGNY8_OK)
        rc = igny8_integration_put_json(st, "thread", ACCOUNT, "openai", "{\"model\":\"extra\",\"max_tokens\":900}",
                                        NULL);
    if (rc == IGNY8_OK)
        rc = igny8_integration_put_json(st, "thread", ACCOUNT, "anthropic", "{\"max_tokens\":900}", NULL);
    if (rc == IGNY8_OK)
        rc = igny8_account_operation_model_set(st, "thread", ACCOUNT, "ideas", "gpt-4o");
    if (rc == IGNY8_OK)
        rc = igny8_account_provider_set(st, "thread", ACCOUNT, IGNY8_MODEL_IMAGE, "runware");
    if (rc == IGNY8_OK)
        rc = igny8_global_settings_put_json(st, "thread", "{\"default_text_model\":\"gpt-4o\"}", NULL);
    for (size_t i = 0; rc == IGNY8_OK && i < sizeof(ops) / sizeof(ops[0]); i++) {
        rc = igny8_get_model_for_operation(st, ACCOUNT, ops[i], NULL, &r);
        igny8_resolution_free(r);
        if (rc == IGNY8_OK)
            rc = igny8_get_model_for_operation(st, ACCOUNT + 1, ops[i], NULL, &r);
        igny8_resolution_free(r);
    }
    if (rc == IGNY8_OK)
        rc = igny8_get_model_for_operation(st, ACCOUNT, "clustering", "gpt-4.1", &r);
    igny8_resolution_free(r);
    if (rc == IGNY8_OK)
        rc = igny8_module_put_json(st, "thread", ACCOUNT, "{\"planner\":false}", NULL);
    if (rc == IGNY8_OK && (rc = igny8_audit_query_json(st, NULL, &json)) == IGNY8_OK)
        igny8_free(json);
    if (rc == IGNY8_OK && (rc = igny8_integration_list_json(st, ACCOUNT, &json)) == IGNY8_OK)
        igny8_free(json);
    if (rc == IGNY8_OK && (rc = igny8_global_settings_get_json(st, &json)) == IGNY8_OK)
        igny8_free(json);
    igny8_store_close(st);
    *code = rc != IGNY8_OK ? 2000 + rc : igny8_error_last()->code;
    return NULL;
}

static void test_errors__successful_calls_leave_no_error(void **state)
{
    (void)state;
    struct thread_arg arg = { .code = -1 };
    pthread_t t;
    testutil_place_new(&arg.place);
    assert_int_equal(pthread_create(&t, NULL, successful_calls, &arg), 0);
    pthread_join(t, NULL);
    testutil_place_free(&arg.place);
    if (arg.code >= 1000)
        fail_msg("a call in the thread failed (%d)", arg.code);
    assert_int_equal(arg.code, IGNY8_OK);
}

static void test_errors__strerror_never_null(void **state)
{
    (void)state;
    const char *seen[16];
    int n = 0;
    for (int code = IGNY8_EPERM; code <= IGNY8_OK; code++) {
        const char *s = igny8_strerror(code);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (int i = 0; i < n; i++)
            if (strcmp(seen[i], s) == 0)
                fail_msg("codes share the text '%s'", s);
        seen[n++] = s;
    }
    assert_int_equal(n, 12);
    const char *unknown = igny8_strerror(-12);
    assert_non_null(unknown);
    assert_true(strlen(unknown) > 0);
    for (int i = 0; i < n; i++)
        assert_string_not_equal(unknown, seen[i]);
    const int others[] = { 1, 42, -13, -1000, INT_MAX, INT_MIN };
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        assert_non_null(igny8_strerror(others[i]));
        assert_string_equal(igny8_strerror(others[i]), unknown);
    }
}

/* Two threads fail in turn; each keeps its own error. */
struct pair_ctx {
    pthread_barrier_t barrier;
    igny8_store *st;
    int b_code_after_a;     /* thread B's code after A failed (B has not failed yet) */
    int a_code_after_b;     /* thread A's code after B failed */
    char a_field_after_b[64];
};

static void *thread_a(void *arg)
{
    struct pair_ctx *c = arg;
    igny8_model_get(c->st, "no-such-model", &(igny8_model *){ NULL });  /* ENOTFOUND, field "model" */
    pthread_barrier_wait(&c->barrier);  /* 1: A failed */
    pthread_barrier_wait(&c->barrier);  /* 2: B failed */
    const igny8_error *e = igny8_error_last();
    c->a_code_after_b = e->code;
    snprintf(c->a_field_after_b, sizeof(c->a_field_after_b), "%s", e->field ? e->field : "(null)");
    return NULL;
}

static void *thread_b(void *arg)
{
    struct pair_ctx *c = arg;
    pthread_barrier_wait(&c->barrier);  /* 1 */
    c->b_code_after_a = igny8_error_last()->code;
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = IGNY8_AUDIT_LIMIT_MAX + 1;
    char *json = NULL;
    igny8_audit_query_json(c->st, &q, &json);  /* EINVAL, field "limit" */
    pthread_barrier_wait(&c->barrier);  /* 2 */
    return NULL;
}

static void test_errors__errors_are_per_thread(void **state)
{
    struct pair_ctx c;
    memset(&c, 0, sizeof(c));
    c.st = *state;
    c.b_code_after_a = 99;
    pthread_barrier_init(&c.barrier, NULL, 2);
    /* this thread's own error, which neither thread may change */
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_account_models_get_json(c.st, 0, &(char *){ NULL }));
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, thread_a, &c), 0);
    assert_int_equal(pthread_create(&b, NULL, thread_b, &c), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&c.barrier);
    assert_int_equal(c.b_code_after_a, IGNY8_OK);
    assert_int_equal(c.a_code_after_b, IGNY8_ENOTFOUND);
    assert_string_equal(c.a_field_after_b, "model");
    assert_int_equal(igny8_error_last()->code, IGNY8_EINVAL);
    assert_string_equal(igny8_error_last()->field, "account_id");
}

/* ---- NULL arguments, one or more per header ---- */

static void test_errors__null_arguments_are_einval(void **state)
{
    igny8_store *st = *state;
    igny8_store *out_st = (igny8_store *)&out_st;
    igny8_model *m = NULL;
    igny8_resolution *r = (igny8_resolution *)&r;
    igny8_integration *integ = NULL;
    char *json = NULL;
    int type = 0;
    int audits = testutil_audit_count(st);

    /* store.h */
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_store_open(NULL, ":memory:", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "path", igny8_store_open(&out_st, NULL, NULL));
    assert_null(out_st);
    assert_igny8_fails(IGNY8_EINVAL, "path", igny8_store_open(&out_st, "", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_store_schema_version(st, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_store_schema_version(NULL, &type));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_defaults_load(st, NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_defaults_load(NULL, "ops", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "opts", igny8_store_options_init(NULL, IGNY8_STORE_OPTIONS_VERSION));
    assert_null(igny8_store_path(NULL));
    igny8_store_close(NULL);
    /* model.h */
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_get(NULL, "gpt-4o", &m));
    assert_igny8_fails(IGNY8_EINVAL, "model_name", igny8_model_get(st, NULL, &m));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_model_get(st, "gpt-4o", NULL));
    /* settings.h */
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_integration_get_json(st, ACCOUNT, "openai", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "integration", igny8_integration_get_json(st, ACCOUNT, NULL, &json));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_integration_get_json(NULL, ACCOUNT, "openai", &json));
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", NULL, &json));
    assert_igny8_fails(IGNY8_EINVAL, "actor",
                       igny8_integration_put_json(st, NULL, ACCOUNT, "openai", "{}", &json));
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_global_settings_put_json(st, "ops", NULL, &json));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_global_settings_put_json(NULL, "ops", "{}", &json));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_global_settings_put_json(st, NULL, "{}", &json));
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_global_settings_get_json(st, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_global_integration_get(st, "openai", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "integration", igny8_global_integration_get(st, NULL, &integ));
    assert_igny8_fails(IGNY8_EINVAL, "integration", igny8_global_key_set(st, "ops", NULL, "sk-FAKE-000000"));
    assert_igny8_fails(IGNY8_EINVAL, "model_name", igny8_global_default_model_set(st, "ops", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "u", igny8_integration_update_init(NULL, IGNY8_INTEGRATION_UPDATE_VERSION));
    assert_igny8_fails(IGNY8_EINVAL, "u", igny8_account_integration_set(st, "ops", ACCOUNT, "openai", NULL));
    /* resolve.h */
    assert_igny8_fails(IGNY8_EINVAL, "operation", igny8_get_model_for_operation(st, ACCOUNT, NULL, NULL, &r));
    assert_null(r);
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_get_model_for_operation(st, ACCOUNT, "clustering", NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_get_model_for_operation(NULL, ACCOUNT, "clustering", NULL, &r));
    assert_igny8_fails(IGNY8_EINVAL, "r", igny8_resolution_to_json(NULL, &json));
    assert_null(json);
    igny8_resolution_free(NULL);
    /* modules.h */
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_module_set(st, "ops", NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_set(NULL, "ops", "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_module_set(st, NULL, "planner", 1));
    /* audit.h */
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_audit_query_json(st, NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_audit_query_json(NULL, NULL, &json));
    /* account.h */
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_account_provider_set(NULL, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_account_provider_set(st, NULL, ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_igny8_fails(IGNY8_EINVAL, "operation", igny8_operation_model_type(st, NULL, &type));
    /* common.h: NULL pointers are fine */
    assert_non_null(igny8_version(NULL, NULL, NULL));
    igny8_free(NULL);

    /* each message names the argument */
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", NULL, NULL));
    testutil_assert_contains(igny8_error_last()->message, "body");
    assert_int_equal(testutil_audit_count(st), audits);
}

/* ---- malformed JSON ---- */

/* Everything a malformed body could change, as text. */
static char *snapshot(igny8_store *st)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    char *parts[6] = { NULL };
    assert_igny8_ok(igny8_audit_query_json(st, &q, &parts[0]));
    assert_igny8_ok(igny8_model_list_json(st, NULL, &parts[1]));
    assert_igny8_ok(igny8_integration_list_json(st, ACCOUNT, &parts[2]));
    assert_igny8_ok(igny8_global_settings_get_json(st, &parts[3]));
    assert_igny8_ok(igny8_module_list_json(st, ACCOUNT, &parts[4]));
    assert_igny8_ok(igny8_account_models_get_json(st, ACCOUNT, &parts[5]));
    size_t n = 1;
    for (int i = 0; i < 6; i++)
        n += strlen(parts[i]) + 1;
    char *all = malloc(n);
    all[0] = '\0';
    for (int i = 0; i < 6; i++) {
        strcat(all, parts[i]);
        strcat(all, "\n");
        igny8_free(parts[i]);
    }
    return all;
}

static const char *const malformed[] = {
    "{", "[]", "", "null", "{\"a\":}", "\xff\xfe", "{\"a\":1}}", "\"text\"", "42", "{\"a\":1,}",
    "{\"display_name\":\"\xc3\x28\"}", "{\"model\":\"\xed\xa0\x80\"}", "{\"planner\":false,\"\xff\":true}",
};
#define MALFORMED_COUNT (sizeof(malformed) / sizeof(malformed[0]))

static void test_errors__malformed_json_is_einval_and_changes_nothing(void **state)
{
    igny8_store *st = *state;
    char *before = snapshot(st);
    for (size_t i = 0; i < MALFORMED_COUNT; i++) {
        const char *body = malformed[i];
        igny8_model *m = (igny8_model *)&m;
        char *out = (char *)&out;
        struct { int rc; const char *field, *call; } r[6];
        r[0].rc = igny8_model_add_json(st, "ops", body, &m);
        r[0].field = "json"; r[0].call = "model_add_json";
        assert_null(m);
        if (r[0].rc == IGNY8_EINVAL) assert_igny8_fails(IGNY8_EINVAL, "json", r[0].rc);
        m = (igny8_model *)&m;
        r[1].rc = igny8_model_update_json(st, "ops", "gpt-4o", body, &m);
        r[1].field = "patch_json"; r[1].call = "model_update_json";
        assert_null(m);
        if (r[1].rc == IGNY8_EINVAL) assert_igny8_fails(IGNY8_EINVAL, "patch_json", r[1].rc);
        r[2].rc = igny8_integration_put_json(st, "ops", ACCOUNT, "openai", body, &out);
        r[2].field = "body"; r[2].call = "integration_put_json";
        assert_null(out);
        if (r[2].rc == IGNY8_EINVAL) assert_igny8_fails(IGNY8_EINVAL, "body", r[2].rc);
        out = (char *)&out;
        r[3].rc = igny8_global_settings_put_json(st, "ops", body, &out);
        r[3].field = "body"; r[3].call = "global_settings_put_json";
        assert_null(out);
        if (r[3].rc == IGNY8_EINVAL) assert_igny8_fails(IGNY8_EINVAL, "body", r[3].rc);
        out = (char *)&out;
        r[4].rc = igny8_module_put_json(st, "ops", ACCOUNT, body, &out);
        r[4].field = "body"; r[4].call = "module_put_json";
        assert_null(out);
        if (r[4].rc == IGNY8_EINVAL) assert_igny8_fails(IGNY8_EINVAL, "body", r[4].rc);
        r[5].rc = igny8_defaults_load(st, "ops", body);
        r[5].field = "json"; r[5].call = "defaults_load";
        if (r[5].rc == IGNY8_EINVAL) assert_igny8_fails(IGNY8_EINVAL, "json", r[5].rc);
        for (int k = 0; k < 6; k++)
            if (r[k].rc != IGNY8_EINVAL)
                fail_msg("%s(body #%zu) -> %d, expected IGNY8_EINVAL naming %s", r[k].call, i, r[k].rc,
                         r[k].field);
    }
    char *after = snapshot(st);
    assert_string_equal(after, before);
    free(before);
    free(after);

    /* well-formed UTF-8 of every length is accepted and comes back byte for byte */
    const char *name = "Mod\xc3\xa8le \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80";
    char body[160];
    snprintf(body, sizeof(body), "{\"display_name\":\"%s\"}", name);
    igny8_model *m = NULL;
    assert_igny8_ok(igny8_model_update_json(st, "ops", "gpt-4o", body, &m));
    assert_string_equal(igny8_model_display_name(m), name);
    igny8_model_free(m);

    /* an empty store stays empty: the defaults still load afterwards */
    igny8_store *empty = testutil_store(0);
    for (size_t i = 0; i < MALFORMED_COUNT; i++)
        assert_igny8_fails(IGNY8_EINVAL, "json", igny8_defaults_load(empty, "ops", malformed[i]));
    assert_int_equal(testutil_audit_count(empty), 0);
    assert_igny8_ok(igny8_defaults_load(empty, "ops", NULL));
    igny8_store_close(empty);
}

static void test_errors__malformed_json_message_is_one_clean_line(void **state)
{
    igny8_store *st = *state;
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                       "{\"temperature\":", NULL));
    const char *msg = igny8_error_last()->message;
    testutil_assert_contains(msg, "body");
    testutil_assert_not_contains(msg, "\n");
    /* the message never echoes the body, which may hold a key */
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                       "{\"api_key\":\"sk-FAKE-secret-1\"", NULL));
    if (strstr(igny8_error_last()->message, "FAKE") != NULL)
        fail_msg("the error message echoes the key");  /* without printing it */
}

/* ---- out-parameters after a failure ---- */

static void test_errors__out_params_are_null_after_failure(void **state)
{
    igny8_store *st = *state;
#define SENTINEL(p) ((void)((p) = (void *)&(p)))
    igny8_store *s2;
    SENTINEL(s2);
    assert_igny8_fails(IGNY8_EIO, "path", igny8_store_open(&s2, "/nonexistent-dir-igny8/x.db", NULL));
    assert_null(s2);
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = 0x80;
    SENTINEL(s2);
    assert_igny8_fails(IGNY8_EINVAL, "flags", igny8_store_open(&s2, ":memory:", &o));
    assert_null(s2);
    SENTINEL(s2);
    assert_igny8_fails(IGNY8_EINVAL, "path", igny8_store_open(&s2, NULL, NULL));
    assert_null(s2);

    igny8_model *m;
    SENTINEL(m);
    assert_igny8_fails(IGNY8_ENOTFOUND, "model", igny8_model_get(st, "nope", &m));
    assert_null(m);
    SENTINEL(m);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_get(NULL, "gpt-4o", &m));
    assert_null(m);
    igny8_models *list;
    SENTINEL(list);
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    f.version = 9;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_list(st, &f, &list));
    assert_null(list);

    char *json;
    SENTINEL(json);
    assert_igny8_fails(IGNY8_ENOTFOUND, "integration", igny8_integration_get_json(st, ACCOUNT, "nope", &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_integration_list_json(NULL, ACCOUNT, &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                        "{\"model\":\"dall-e-3\"}", &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_global_settings_get_json(NULL, &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_list_json(NULL, ACCOUNT, &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_put_json(NULL, "ops", ACCOUNT, "{}", &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_audit_query_json(NULL, NULL, &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_account_models_get_json(NULL, ACCOUNT, &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_operation_list_json(NULL, &json));
    assert_null(json);
    SENTINEL(json);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_list_json(NULL, NULL, &json));
    assert_null(json);

    igny8_integration *integ;
    SENTINEL(integ);
    assert_igny8_fails(IGNY8_ENOTFOUND, "integration", igny8_global_integration_get(st, "nope", &integ));
    assert_null(integ);
    SENTINEL(integ);
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_account_integration_get(st, 0, "openai", &integ));
    assert_null(integ);

    igny8_resolution *r;
    SENTINEL(r);
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_get_model_for_operation(st, ACCOUNT, "nope", NULL, &r));
    assert_null(r);
    SENTINEL(r);
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_get_model_for_operation(st, ACCOUNT, "clustering", "dall-e-3", &r));
    assert_null(r);
    SENTINEL(r);
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_get_model_for_operation(st, -4, "clustering", NULL, &r));
    assert_null(r);
#undef SENTINEL
}

/* ---- versions and options structs ---- */

static void test_errors__version_matches_macros(void **state)
{
    (void)state;
    int major = -1, minor = -1, patch = -1;
    const char *v = igny8_version(&major, &minor, &patch);
    assert_non_null(v);
    assert_int_equal(major, IGNY8_VERSION_MAJOR);
    assert_int_equal(minor, IGNY8_VERSION_MINOR);
    assert_int_equal(patch, IGNY8_VERSION_PATCH);
    char expected[32];
    snprintf(expected, sizeof(expected), "%d.%d.%d", IGNY8_VERSION_MAJOR, IGNY8_VERSION_MINOR, IGNY8_VERSION_PATCH);
    assert_string_equal(v, expected);
    assert_ptr_equal(igny8_version(NULL, NULL, NULL), v);  /* static */
    major = -1;
    igny8_version(&major, NULL, NULL);
    assert_int_equal(major, IGNY8_VERSION_MAJOR);
    assert_int_equal(IGNY8_VERSION_NUMBER,
                     IGNY8_VERSION_MAJOR * 10000 + IGNY8_VERSION_MINOR * 100 + IGNY8_VERSION_PATCH);
    assert_true(IGNY8_VERSION_CHECK(IGNY8_VERSION_MAJOR, IGNY8_VERSION_MINOR, IGNY8_VERSION_PATCH));
    assert_true(IGNY8_VERSION_CHECK(0, 9, 99));
    assert_false(IGNY8_VERSION_CHECK(IGNY8_VERSION_MAJOR + 1, 0, 0));
}

static void test_errors__options_init_rejects_bad_versions(void **state)
{
    igny8_store *st = *state;
    const unsigned int bad[] = { 0, 999 };
    igny8_store_options newer;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_options_init(&newer, IGNY8_STORE_OPTIONS_VERSION + 1));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        igny8_store_options so;
        igny8_model_filter mf;
        igny8_audit_query aq;
        igny8_integration_update iu;
        assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_options_init(&so, bad[i]));
        assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_filter_init(&mf, bad[i]));
        assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_init(&aq, bad[i]));
        assert_igny8_fails(IGNY8_EINVAL, "version", igny8_integration_update_init(&iu, bad[i]));
        testutil_assert_contains(igny8_error_last()->message, "version");
    }

    /* the current versions give the INIT values */
    igny8_store_options so, so_init = IGNY8_STORE_OPTIONS_INIT;
    memset(&so, 0x5a, sizeof(so));
    assert_igny8_ok(igny8_store_options_init(&so, IGNY8_STORE_OPTIONS_VERSION));
    assert_int_equal(so.version, so_init.version);
    assert_int_equal(so.busy_timeout_ms, so_init.busy_timeout_ms);
    assert_int_equal(so.flags, so_init.flags);
    igny8_integration_update iu, iu_init = IGNY8_INTEGRATION_UPDATE_INIT;
    memset(&iu, 0x5a, sizeof(iu));
    assert_igny8_ok(igny8_integration_update_init(&iu, IGNY8_INTEGRATION_UPDATE_VERSION));
    assert_int_equal(iu.version, iu_init.version);
    assert_int_equal(iu.set, 0);
    assert_int_equal(iu.clear, 0);
    assert_null(iu.model);
    assert_null(iu.size);
    assert_null(iu.base_url);

    /* and the calls that take the structs refuse a bad version too */
    igny8_store *s2 = NULL;
    so.version = 0;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_open(&s2, ":memory:", &so));
    so.version = 999;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_store_open(&s2, ":memory:", &so));
    assert_null(s2);
    int audits = testutil_audit_count(st);
    iu.version = 0;
    iu.set = IGNY8_FIELD_TEMPERATURE;
    iu.temperature = 0.5;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_account_integration_set(st, "ops", ACCOUNT, "openai", &iu));
    iu.version = 999;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_global_integration_set(st, "ops", "openai", &iu));
    assert_int_equal(testutil_audit_count(st), audits);
    igny8_audit_query aq = IGNY8_AUDIT_QUERY_INIT;
    aq.version = 999;
    char *json = NULL;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_json(st, &aq, &json));
    igny8_model_filter mf = IGNY8_MODEL_FILTER_INIT;
    mf.version = 0;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_list_json(st, &mf, &json));
    assert_null(json);
}

/* ---- one store, many threads ---- */

#define THREADS 8
#define ROUNDS 200

struct worker {
    igny8_store *st;
    int64_t account_id;
    int failures;
    char first_failure[256];
};

static void note_failure(struct worker *w, const char *what, int rc)
{
    if (w->failures++ == 0)
        snprintf(w->first_failure, sizeof(w->first_failure), "account %lld: %s -> %d (%s)",
                 (long long)w->account_id, what, rc, igny8_error_last()->message);
}

static double temperature_of(int round) { return (round % 21) / 10.0; }
static int max_tokens_of(int round) { return 1000 + round; }
static const char *quality_of(int round) { return (round / 2) % 2 ? "hd" : "standard"; }

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char body[160];
    for (int i = 0; i < ROUNDS; i++) {
        int rc;
        if (i % 2 == 0) {
            snprintf(body, sizeof(body), "{\"temperature\":%.1f,\"max_tokens\":%d}", temperature_of(i),
                     max_tokens_of(i));
            rc = igny8_integration_put_json(w->st, "worker", w->account_id, "openai", body, NULL);
            if (rc != IGNY8_OK) {
                note_failure(w, "PUT openai", rc);
                continue;
            }
            igny8_resolution *r = NULL;
            rc = igny8_get_model_for_operation(w->st, w->account_id, "clustering", NULL, &r);
            if (rc != IGNY8_OK)
                note_failure(w, "resolve clustering", rc);
            else if (strcmp(igny8_resolution_model_name(r), "gpt-4o-mini") != 0 ||
                     igny8_resolution_temperature(r) != temperature_of(i) ||
                     igny8_resolution_max_tokens(r) != max_tokens_of(i))
                note_failure(w, "resolve clustering sees another write", 0);
            igny8_resolution_free(r);
        } else {
            snprintf(body, sizeof(body), "{\"quality\":\"%s\",\"size\":\"%dx%d\"}", quality_of(i), 512 + i, 512 + i);
            rc = igny8_integration_put_json(w->st, "worker", w->account_id, "dalle", body, NULL);
            if (rc != IGNY8_OK) {
                note_failure(w, "PUT dalle", rc);
                continue;
            }
            igny8_resolution *r = NULL;
            rc = igny8_get_model_for_operation(w->st, w->account_id, "image_generation", NULL, &r);
            if (rc != IGNY8_OK)
                note_failure(w, "resolve image_generation", rc);
            else if (strcmp(igny8_resolution_quality(r), quality_of(i)) != 0)
                note_failure(w, "resolve image_generation sees another write", 0);
            igny8_resolution_free(r);
        }
        if (i % 50 == 0) {
            char *json = NULL;
            rc = igny8_module_put_json(w->st, "worker", w->account_id,
                                       i % 100 ? "{\"planner\":true}" : "{\"planner\":false}", &json);
            if (rc != IGNY8_OK)
                note_failure(w, "PUT modules", rc);
            igny8_free(json);
        }
    }
    return NULL;
}

static void test_errors__threads_share_one_store(void **state)
{
    igny8_store *st = *state;
    struct worker w[THREADS];
    pthread_t t[THREADS];
    int audits = testutil_audit_count(st);
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].st = st;
        w[i].account_id = 100 + i;
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++)
        if (w[i].failures)
            fail_msg("%d failures; first: %s", w[i].failures, w[i].first_failure);

    /* every account's GET bodies show its last writes */
    const int last_even = ROUNDS - 2, last_odd = ROUNDS - 1;
    for (int i = 0; i < THREADS; i++) {
        char *json = NULL;
        assert_igny8_ok(igny8_integration_get_json(st, w[i].account_id, "openai", &json));
        cJSON *j = cJSON_Parse(json);
        igny8_free(json);
        assert_true(cJSON_GetObjectItem(j, "temperature")->valuedouble == temperature_of(last_even));
        assert_int_equal(cJSON_GetObjectItem(j, "max_tokens")->valueint, max_tokens_of(last_even));
        assert_false(cJSON_IsTrue(cJSON_GetObjectItem(j, "using_global")));
        cJSON_Delete(j);
        assert_igny8_ok(igny8_integration_get_json(st, w[i].account_id, "dalle", &json));
        j = cJSON_Parse(json);
        igny8_free(json);
        char size[32];
        snprintf(size, sizeof(size), "%dx%d", 512 + last_odd, 512 + last_odd);
        assert_string_equal(cJSON_GetObjectItem(j, "size")->valuestring, size);
        assert_string_equal(cJSON_GetObjectItem(j, "quality")->valuestring, quality_of(last_odd));
        cJSON_Delete(j);
        int on = -1;
        assert_igny8_ok(igny8_module_enabled(st, w[i].account_id, "planner", &on));
        assert_int_equal(on, 1);  /* the last module write (round 150) turned it on */
    }
    /* every write was logged: ROUNDS PUTs per account, each changing its row, and 4 module writes */
    assert_int_equal(testutil_audit_count(st), audits + THREADS * (ROUNDS + 4));
}

/* Plain string arguments are checked too: nothing that is not UTF-8 reaches the audit log. */
static void test_errors__invalid_utf8_arguments_are_einval(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_model_set_active(st, "bad\xff actor", "gpt-4o", 0));
    assert_igny8_fails(IGNY8_EINVAL, "description", igny8_module_add(st, "ops", "reports", "bad \xc3", 1));
    assert_int_equal(testutil_audit_count(st), audits);
}

#define T(name) cmocka_unit_test_setup_teardown(name, testutil_setup, testutil_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_errors__fresh_thread_has_no_error),
        T(test_errors__successful_calls_leave_no_error),
        T(test_errors__strerror_never_null),
        T(test_errors__errors_are_per_thread),
        T(test_errors__null_arguments_are_einval),
        T(test_errors__malformed_json_is_einval_and_changes_nothing),
        T(test_errors__malformed_json_message_is_one_clean_line),
        T(test_errors__out_params_are_null_after_failure),
        T(test_errors__version_matches_macros),
        T(test_errors__options_init_rejects_bad_versions),
        T(test_errors__threads_share_one_store),
        T(test_errors__invalid_utf8_arguments_are_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
