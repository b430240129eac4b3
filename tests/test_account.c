/* An account's model choices (provider per model type, model per operation) and the operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 7
#define OTHER 8

/* ---- helpers ---- */

static const cJSON *item(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL)
        fail_msg("key '%s' missing", key);
    return v;
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = item(obj, key);
    if (!cJSON_IsString(v))
        fail_msg("'%s' is not a string", key);
    return v->valuestring;
}

/* The account's choices, parsed (caller deletes). */
static cJSON *choices(igny8_store *st, int64_t account_id)
{
    char *json = NULL;
    assert_igny8_ok(igny8_account_models_get_json(st, account_id, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    assert_non_null(j);
    return j;
}

/* The account's provider choice for a type ("text"/"image"); NULL when unset. Static copy. */
static const char *provider_of(igny8_store *st, int64_t account_id, const char *type)
{
    static char buf[64];
    cJSON *j = choices(st, account_id);
    const cJSON *v = item(item(j, "providers"), type);
    const char *r = NULL;
    if (cJSON_IsString(v)) {
        snprintf(buf, sizeof(buf), "%s", v->valuestring);
        r = buf;
    } else if (!cJSON_IsNull(v)) {
        fail_msg("providers.%s is neither a string nor null", type);
    }
    cJSON_Delete(j);
    return r;
}

/* The account's model for an operation; NULL when unset. Static copy. */
static const char *operation_model_of(igny8_store *st, int64_t account_id, const char *operation)
{
    static char buf[160];
    cJSON *j = choices(st, account_id);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item(j, "operations"), operation);
    const char *r = NULL;
    if (v) {
        assert_true(cJSON_IsString(v));
        snprintf(buf, sizeof(buf), "%s", v->valuestring);
        r = buf;
    }
    cJSON_Delete(j);
    return r;
}

/* The newest audit entry (root returned, caller deletes). */
static cJSON *last_audit(igny8_store *st, const cJSON **entry)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = 1;
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    *entry = cJSON_GetArrayItem(item(j, "entries"), 0);
    assert_non_null(*entry);
    return j;
}

/* The newest entry is (entity, key, account, action) and its before/after `field` values
 * are the given strings (NULL = JSON null). */
static void assert_last_audit(igny8_store *st, const char *entity, const char *key, int64_t account_id,
                              const char *action, const char *actor, const char *field, const char *before,
                              const char *after)
{
    const cJSON *e;
    cJSON *j = last_audit(st, &e);
    assert_string_equal(str_of(e, "entity"), entity);
    assert_string_equal(str_of(e, "key"), key);
    assert_string_equal(str_of(e, "action"), action);
    assert_string_equal(str_of(e, "actor"), actor);
    assert_true(cJSON_IsNumber(item(e, "account_id")));
    assert_int_equal((int64_t)item(e, "account_id")->valuedouble, account_id);
    const cJSON *b = item(item(e, "before"), field), *a = item(item(e, "after"), field);
    if (before)
        assert_string_equal(cJSON_GetStringValue(b), before);
    else
        assert_true(cJSON_IsNull(b));
    if (after)
        assert_string_equal(cJSON_GetStringValue(a), after);
    else
        assert_true(cJSON_IsNull(a));
    cJSON_Delete(j);
}

static const char *resolved_model(igny8_store *st, int64_t account_id, const char *operation, int *source)
{
    static char buf[160];
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, account_id, operation, NULL, &r));
    snprintf(buf, sizeof(buf), "%s", igny8_resolution_model_name(r));
    if (source)
        *source = igny8_resolution_source(r);
    igny8_resolution_free(r);
    return buf;
}

/* ---- provider per model type ---- */

static void test_account__provider_by_provider_name(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "anthropic"));
    assert_int_equal(testutil_audit_count(st), audits + 1);
    assert_last_audit(st, "account_provider", "text", ACCOUNT, "create", "ops", "provider", NULL, "anthropic");
    assert_string_equal(provider_of(st, ACCOUNT, "text"), "anthropic");
    assert_null(provider_of(st, ACCOUNT, "image"));
    /* the account's text operations now use the anthropic integration's default */
    assert_string_equal(resolved_model(st, ACCOUNT, "clustering", NULL), "claude-3-5-sonnet-20241022");
    /* other accounts still follow the platform */
    assert_null(provider_of(st, OTHER, "text"));
    assert_string_equal(resolved_model(st, OTHER, "clustering", NULL), "gpt-4o-mini");

    assert_igny8_ok(igny8_account_provider_set(st, "ops2", ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_int_equal(testutil_audit_count(st), audits + 2);
    assert_last_audit(st, "account_provider", "text", ACCOUNT, "update", "ops2", "provider", "anthropic", "openai");
    assert_string_equal(provider_of(st, ACCOUNT, "text"), "openai");
}

static void test_account__provider_by_integration_name(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "runware"));
    assert_string_equal(provider_of(st, ACCOUNT, "image"), "runware");
    assert_string_equal(resolved_model(st, ACCOUNT, "image_generation", NULL), "runware:100@1");
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "dalle"));
    assert_string_equal(provider_of(st, ACCOUNT, "image"), "dalle");
    assert_string_equal(resolved_model(st, ACCOUNT, "image_generation", NULL), "dall-e-3");
    /* the provider "openai" has one image integration: dalle */
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, NULL));
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "openai"));
    assert_string_equal(provider_of(st, ACCOUNT, "image"), "dalle");
    assert_last_audit(st, "account_provider", "image", ACCOUNT, "create", "ops", "provider", NULL, "dalle");
    /* and for text, "openai" is the openai integration */
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_string_equal(provider_of(st, ACCOUNT, "text"), "openai");
}

static void test_account__provider_null_removes_the_choice(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "anthropic"));
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "runware"));
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, NULL));
    assert_int_equal(testutil_audit_count(st), audits + 1);
    assert_last_audit(st, "account_provider", "text", ACCOUNT, "delete", "ops", "provider", "anthropic", NULL);
    assert_null(provider_of(st, ACCOUNT, "text"));
    assert_string_equal(provider_of(st, ACCOUNT, "image"), "runware");
    assert_string_equal(resolved_model(st, ACCOUNT, "clustering", NULL), "gpt-4o-mini");
}

static void test_account__provider_unknown_is_enotfound(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "runware"));
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_ENOTFOUND, "provider", igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "acme"));
    testutil_assert_contains(igny8_error_last()->message, "acme");
    /* a provider without an integration of that type, or an integration of the other type */
    assert_igny8_fails(IGNY8_ENOTFOUND, "provider",
                       igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "anthropic"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "provider", igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "dalle"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "provider",
                       igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "runware"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "provider", igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, ""));
    assert_int_equal(testutil_audit_count(st), audits);
    assert_null(provider_of(st, ACCOUNT, "text"));
    assert_string_equal(provider_of(st, ACCOUNT, "image"), "runware");
}

static void test_account__provider_bad_model_type_is_einval(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    const int bad[] = { 0, 3, -1, 100 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_igny8_fails(IGNY8_EINVAL, "model_type",
                           igny8_account_provider_set(st, "ops", ACCOUNT, bad[i], "openai"));
        assert_igny8_fails(IGNY8_EINVAL, "model_type", igny8_account_provider_set(st, "ops", ACCOUNT, bad[i], NULL));
    }
    assert_int_equal(testutil_audit_count(st), audits);
    assert_null(provider_of(st, ACCOUNT, "text"));
    assert_null(provider_of(st, ACCOUNT, "image"));
}

/* ---- model per operation ---- */

static void test_account__operation_model_set_and_used(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "clustering", "gpt-4o"));
    assert_int_equal(testutil_audit_count(st), audits + 1);
    assert_last_audit(st, "account_operation_model", "clustering", ACCOUNT, "create", "ops", "model", NULL, "gpt-4o");
    assert_string_equal(operation_model_of(st, ACCOUNT, "clustering"), "gpt-4o");
    assert_null(operation_model_of(st, ACCOUNT, "ideas"));
    assert_null(operation_model_of(st, OTHER, "clustering"));
    int source = 0;
    assert_string_equal(resolved_model(st, ACCOUNT, "clustering", &source), "gpt-4o");
    assert_int_equal(source, IGNY8_SOURCE_ACCOUNT_OPERATION);
    assert_string_equal(resolved_model(st, ACCOUNT, "ideas", &source), "gpt-4o-mini");
    assert_int_equal(source, IGNY8_SOURCE_GLOBAL_DEFAULT);

    /* a model of another provider is fine for an operation */
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops2", ACCOUNT, "clustering", "claude-3-5-haiku-20241022"));
    assert_last_audit(st, "account_operation_model", "clustering", ACCOUNT, "update", "ops2", "model", "gpt-4o",
                      "claude-3-5-haiku-20241022");
    assert_string_equal(resolved_model(st, ACCOUNT, "clustering", NULL), "claude-3-5-haiku-20241022");

    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "image_generation", "runware:101@1"));
    assert_string_equal(operation_model_of(st, ACCOUNT, "image_generation"), "runware:101@1");
    assert_string_equal(resolved_model(st, ACCOUNT, "image_generation", NULL), "runware:101@1");
}

static void test_account__operation_model_errors(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-4.1"));
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4-turbo-preview", 0));
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, "juggling", "gpt-4o"));
    testutil_assert_contains(igny8_error_last()->message, "juggling");
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, "juggling", NULL));
    assert_igny8_fails(IGNY8_ENOTFOUND, "model",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-99"));
    testutil_assert_contains(igny8_error_last()->message, "gpt-99");
    assert_igny8_fails(IGNY8_EINVAL, "model",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "dall-e-3"));
    testutil_assert_contains(igny8_error_last()->message, "dall-e-3");
    assert_igny8_fails(IGNY8_EINVAL, "model",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, "image_generation", "gpt-4o"));
    assert_igny8_fails(IGNY8_EINVAL, "model",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-4-turbo-preview"));
    testutil_assert_contains(igny8_error_last()->message, "inactive");
    assert_int_equal(testutil_audit_count(st), audits);
    assert_string_equal(operation_model_of(st, ACCOUNT, "ideas"), "gpt-4.1");
    assert_null(operation_model_of(st, ACCOUNT, "image_generation"));
    assert_null(operation_model_of(st, ACCOUNT, "juggling"));
}

static void test_account__operation_model_null_clears(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "clustering", "gpt-4o"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-4.1"));
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "clustering", NULL));
    assert_int_equal(testutil_audit_count(st), audits + 1);
    assert_last_audit(st, "account_operation_model", "clustering", ACCOUNT, "delete", "ops", "model", "gpt-4o", NULL);
    assert_null(operation_model_of(st, ACCOUNT, "clustering"));
    assert_string_equal(operation_model_of(st, ACCOUNT, "ideas"), "gpt-4.1");
    int source = 0;
    assert_string_equal(resolved_model(st, ACCOUNT, "clustering", &source), "gpt-4o-mini");
    assert_int_equal(source, IGNY8_SOURCE_GLOBAL_DEFAULT);
}

static void test_account__models_get_json_shape(void **state)
{
    igny8_store *st = *state;
    /* an account that chose nothing */
    cJSON *j = choices(st, ACCOUNT);
    cJSON *expected = cJSON_Parse("{\"account_id\":7,\"providers\":{\"text\":null,\"image\":null},"
                                  "\"operations\":{}}");
    assert_true(cJSON_Compare(j, expected, 1));
    cJSON_Delete(j);
    cJSON_Delete(expected);

    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "anthropic"));
    assert_igny8_ok(igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_IMAGE, "openai"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-4.1"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "clustering", "gpt-4o"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", OTHER, "clustering", "gpt-4.1-mini"));
    j = choices(st, ACCOUNT);
    expected = cJSON_Parse("{\"account_id\":7,\"providers\":{\"text\":\"anthropic\",\"image\":\"dalle\"},"
                           "\"operations\":{\"clustering\":\"gpt-4o\",\"ideas\":\"gpt-4.1\"}}");
    if (!cJSON_Compare(j, expected, 1)) {
        char *got = cJSON_PrintUnformatted(j);
        fail_msg("unexpected body: %s", got);
    }
    /* the operations are listed in name order */
    assert_string_equal(cJSON_GetArrayItem(item(j, "operations"), 0)->string, "clustering");
    assert_string_equal(cJSON_GetArrayItem(item(j, "operations"), 1)->string, "ideas");
    cJSON_Delete(j);
    cJSON_Delete(expected);

    j = choices(st, OTHER);
    expected = cJSON_Parse("{\"account_id\":8,\"providers\":{\"text\":null,\"image\":null},"
                           "\"operations\":{\"clustering\":\"gpt-4.1-mini\"}}");
    assert_true(cJSON_Compare(j, expected, 1));
    cJSON_Delete(j);
    cJSON_Delete(expected);

    /* a large 64-bit id round-trips */
    const int64_t big = INT64_C(9007199254740991);  /* 2^53 - 1: exact in a JSON number */
    assert_igny8_ok(igny8_account_provider_set(st, "ops", big, IGNY8_MODEL_TEXT, "anthropic"));
    j = choices(st, big);
    assert_true((int64_t)item(j, "account_id")->valuedouble == big);
    assert_string_equal(str_of(item(j, "providers"), "text"), "anthropic");
    cJSON_Delete(j);
    /* and the largest id is printed exactly, digit for digit */
    assert_igny8_ok(igny8_account_provider_set(st, "ops", INT64_MAX, IGNY8_MODEL_IMAGE, "runware"));
    char *text = NULL;
    assert_igny8_ok(igny8_account_models_get_json(st, INT64_MAX, &text));
    testutil_assert_contains(text, "\"account_id\":9223372036854775807,");
    igny8_free(text);
}

static void test_account__bad_account_id_is_einval(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    const int64_t bad[] = { 0, -1, INT64_MIN };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *json = (char *)&json;
        assert_igny8_fails(IGNY8_EINVAL, "account_id",
                           igny8_account_provider_set(st, "ops", bad[i], IGNY8_MODEL_TEXT, "anthropic"));
        assert_igny8_fails(IGNY8_EINVAL, "account_id",
                           igny8_account_provider_set(st, "ops", bad[i], IGNY8_MODEL_TEXT, NULL));
        assert_igny8_fails(IGNY8_EINVAL, "account_id",
                           igny8_account_operation_model_set(st, "ops", bad[i], "clustering", "gpt-4o"));
        assert_igny8_fails(IGNY8_EINVAL, "account_id",
                           igny8_account_operation_model_set(st, "ops", bad[i], "clustering", NULL));
        assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_account_models_get_json(st, bad[i], &json));
        assert_null(json);
    }
    assert_int_equal(testutil_audit_count(st), audits);
}

/* ---- operations ---- */

static void test_account__seeded_operations_and_types(void **state)
{
    igny8_store *st = *state;
    static const char *const text_ops[] = {
        "clustering", "ideas", "content_generation", "image_prompt_extraction", "image_prompt_template",
        "negative_prompt", "site_structure_generation", "product_generation", "service_generation",
        "taxonomy_generation",
    };
    char *json = NULL;
    assert_igny8_ok(igny8_operation_list_json(st, &json));
    cJSON *arr = cJSON_Parse(json);
    igny8_free(json);
    assert_true(cJSON_IsArray(arr));
    assert_int_equal(cJSON_GetArraySize(arr), 11);
    int seen_text = 0, seen_image = 0;
    const cJSON *op;
    cJSON_ArrayForEach(op, arr) {
        const char *name = str_of(op, "name"), *type = str_of(op, "model_type");
        assert_true(strlen(str_of(op, "description")) > 0);
        int t = 0;
        assert_igny8_ok(igny8_operation_model_type(st, name, &t));
        if (strcmp(name, "image_generation") == 0) {
            assert_string_equal(type, "image");
            assert_int_equal(t, IGNY8_MODEL_IMAGE);
            seen_image++;
            continue;
        }
        assert_string_equal(type, "text");
        assert_int_equal(t, IGNY8_MODEL_TEXT);
        int known = 0;
        for (size_t i = 0; i < sizeof(text_ops) / sizeof(text_ops[0]); i++)
            known += strcmp(text_ops[i], name) == 0;
        if (known != 1)
            fail_msg("unexpected operation '%s'", name);
        seen_text++;
    }
    assert_int_equal(seen_text, 10);
    assert_int_equal(seen_image, 1);
    cJSON_Delete(arr);

    /* every text operation in the list is there, by name */
    for (size_t i = 0; i < sizeof(text_ops) / sizeof(text_ops[0]); i++) {
        int t = 0;
        assert_igny8_ok(igny8_operation_model_type(st, text_ops[i], &t));
        assert_int_equal(t, IGNY8_MODEL_TEXT);
    }
}

static void test_account__operation_errors(void **state)
{
    igny8_store *st = *state;
    int t = 12345;
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_operation_model_type(st, "juggling", &t));
    testutil_assert_contains(igny8_error_last()->message, "juggling");
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_operation_model_type(st, "", &t));
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_operation_model_type(st, "Clustering", &t));
    assert_igny8_fails(IGNY8_EINVAL, "operation", igny8_operation_model_type(st, NULL, &t));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_operation_model_type(st, "clustering", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_operation_model_type(NULL, "clustering", &t));
    char *json = (char *)&json;
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_operation_list_json(st, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_operation_list_json(NULL, &json));
    assert_null(json);
}

static void test_account__null_arguments_are_einval(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    char *json = (char *)&json;
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_account_provider_set(NULL, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_igny8_fails(IGNY8_EINVAL, "actor",
                       igny8_account_provider_set(st, NULL, ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_account_provider_set(st, "", ACCOUNT, IGNY8_MODEL_TEXT, "openai"));
    assert_igny8_fails(IGNY8_EINVAL, "st",
                       igny8_account_operation_model_set(NULL, "ops", ACCOUNT, "clustering", "gpt-4o"));
    assert_igny8_fails(IGNY8_EINVAL, "actor",
                       igny8_account_operation_model_set(st, NULL, ACCOUNT, "clustering", "gpt-4o"));
    assert_igny8_fails(IGNY8_EINVAL, "operation",
                       igny8_account_operation_model_set(st, "ops", ACCOUNT, NULL, "gpt-4o"));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_account_models_get_json(NULL, ACCOUNT, &json));
    assert_null(json);
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_account_models_get_json(st, ACCOUNT, NULL));
    assert_int_equal(testutil_audit_count(st), audits);
}

static void test_account__every_write_is_audited_once(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_account_provider_set(st, "alice", ACCOUNT, IGNY8_MODEL_TEXT, "anthropic"));
    assert_igny8_ok(igny8_account_provider_set(st, "alice", ACCOUNT, IGNY8_MODEL_IMAGE, "runware"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "alice", ACCOUNT, "ideas", "gpt-4o"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "alice", OTHER, "ideas", "gpt-4o"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "alice", ACCOUNT, "ideas", NULL));
    assert_int_equal(testutil_audit_count(st), audits + 5);

    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.account_id = ACCOUNT;
    q.actor = "alice";
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    const cJSON *entries = item(j, "entries");
    assert_int_equal(cJSON_GetArraySize(entries), 4);
    const char *expected[][3] = {  /* newest first: entity, key, action */
        { "account_operation_model", "ideas", "delete" },
        { "account_operation_model", "ideas", "create" },
        { "account_provider", "image", "create" },
        { "account_provider", "text", "create" },
    };
    for (int i = 0; i < 4; i++) {
        const cJSON *e = cJSON_GetArrayItem(entries, i);
        assert_string_equal(str_of(e, "entity"), expected[i][0]);
        assert_string_equal(str_of(e, "key"), expected[i][1]);
        assert_string_equal(str_of(e, "action"), expected[i][2]);
        assert_int_equal((int)item(e, "account_id")->valuedouble, ACCOUNT);
    }
    cJSON_Delete(j);
}

#define T(name) cmocka_unit_test_setup_teardown(name, testutil_setup, testutil_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_account__provider_by_provider_name),
        T(test_account__provider_by_integration_name),
        T(test_account__provider_null_removes_the_choice),
        T(test_account__provider_unknown_is_enotfound),
        T(test_account__provider_bad_model_type_is_einval),
        T(test_account__operation_model_set_and_used),
        T(test_account__operation_model_errors),
        T(test_account__operation_model_null_clears),
        T(test_account__models_get_json_shape),
        T(test_account__bad_account_id_is_einval),
        T(test_account__seeded_operations_and_types),
        T(test_account__operation_errors),
        T(test_account__null_arguments_are_einval),
        T(test_account__every_write_is_audited_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
