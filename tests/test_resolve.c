/* get_model_for_operation: every precedence level, every skip reason, parameters, keys,
 * the trace, and fresh reads across handles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 42

static igny8_resolution *resolve(igny8_store *st, const char *operation, const char *request)
{
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, operation, request, &r));
    return r;
}

/* The trace entry of a level, checked: candidate (NULL: JSON null), status, reason (NULL: absent). */
static void assert_level(const igny8_resolution *r, int level, const char *candidate, const char *status,
                         const char *reason)
{
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    assert_non_null(t);
    cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "levels"), level - 1);
    assert_non_null(l);
    cJSON *c = cJSON_GetObjectItem(l, "candidate");
    if (candidate)
        assert_string_equal(c->valuestring, candidate);
    else
        assert_true(cJSON_IsNull(c));
    assert_string_equal(cJSON_GetObjectItem(l, "status")->valuestring, status);
    cJSON *why = cJSON_GetObjectItem(l, "reason");
    if (reason)
        assert_string_equal(why ? why->valuestring : "(none)", reason);
    else
        assert_null(why);
    cJSON_Delete(t);
}

static void put(igny8_store *st, const char *integration, const char *body)
{
    assert_igny8_ok(igny8_integration_put_json(st, "test", ACCOUNT, integration, body, NULL));
}

static void test_resolve__global_default_for_a_plain_account(void **state)
{
    igny8_resolution *r = resolve(*state, "clustering", NULL);
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o-mini");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_GLOBAL_DEFAULT);
    assert_string_equal(igny8_resolution_source_name(r), "global_default");
    assert_string_equal(igny8_resolution_provider(r), "openai");
    assert_int_equal(igny8_resolution_model_type(r), IGNY8_MODEL_TEXT);
    assert_string_equal(igny8_resolution_operation(r), "clustering");
    assert_level(r, 1, NULL, "skipped", "not_set");
    assert_level(r, 2, NULL, "skipped", "not_set");
    assert_level(r, 3, NULL, "skipped", "not_set");
    assert_level(r, 4, "gpt-4o-mini", "used", NULL);
    assert_level(r, 5, NULL, "not_reached", NULL);
    assert_float_equal(igny8_resolution_temperature(r), 0.7, 1e-9);
    assert_int_equal(igny8_resolution_max_tokens(r), 8192);
    assert_null(igny8_resolution_size(r));
    assert_float_equal(igny8_model_input_cost_per_1k(igny8_resolution_model(r)), 0.00015, 1e-12);
    igny8_resolution_free(r);
}

static void test_resolve__request_wins_and_bad_requests_are_errors(void **state)
{
    igny8_store *st = *state;
    igny8_resolution *r = resolve(st, "ideas", "claude-3-sonnet");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_REQUEST);
    assert_string_equal(igny8_resolution_integration(r), "anthropic");
    assert_level(r, 1, "claude-3-sonnet", "used", NULL);
    assert_level(r, 4, NULL, "not_reached", NULL);
    igny8_resolution_free(r);

    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));
    put(st, "runware", "{\"enabled\":false}");
    const char *bad[] = { "no-such-model", "gpt-4.1", "dall-e-3" };
    for (size_t i = 0; i < 3; i++) {
        r = (igny8_resolution *)1;
        assert_igny8_fails(IGNY8_EINVAL, "model", igny8_get_model_for_operation(st, ACCOUNT, "ideas", bad[i], &r));
        assert_null(r);
    }
    assert_igny8_fails(IGNY8_EINVAL, "model",
                       igny8_get_model_for_operation(st, ACCOUNT, "image_generation", "runware:100@1", &r));
}

static void test_resolve__account_operation_beats_account_integration(void **state)
{
    igny8_store *st = *state;
    put(st, "openai", "{\"model\":\"gpt-4o\"}");
    assert_igny8_ok(igny8_account_operation_model_set(st, "test", ACCOUNT, "clustering", "gpt-4.1-mini"));
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4.1-mini");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_ACCOUNT_OPERATION);
    assert_level(r, 3, NULL, "not_reached", NULL);
    igny8_resolution_free(r);
    /* Other operations fall to the integration override. */
    r = resolve(st, "ideas", NULL);
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_ACCOUNT_INTEGRATION);
    assert_level(r, 3, "gpt-4o", "used", NULL);
    igny8_resolution_free(r);
    /* Other accounts see none of it. */
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT + 1, "clustering", NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o-mini");
    igny8_resolution_free(r);
}

static void test_resolve__inactive_candidate_is_skipped(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_operation_model_set(st, "test", ACCOUNT, "clustering", "gpt-4o"));
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4o", 0));
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_level(r, 2, "gpt-4o", "skipped", "inactive");
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o-mini");
    igny8_resolution_free(r);
}

static void test_resolve__disabled_integration_is_skipped(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_operation_model_set(st, "test", ACCOUNT, "ideas", "claude-3-5-haiku-20241022"));
    put(st, "anthropic", "{\"enabled\":false}");
    igny8_resolution *r = resolve(st, "ideas", NULL);
    assert_level(r, 2, "claude-3-5-haiku-20241022", "skipped", "integration_disabled");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_GLOBAL_DEFAULT);
    igny8_resolution_free(r);
}

static void test_resolve__account_provider_choice(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_provider_set(st, "test", ACCOUNT, IGNY8_MODEL_TEXT, "anthropic"));
    igny8_resolution *r = resolve(st, "content_generation", NULL);
    assert_string_equal(igny8_resolution_model_name(r), "claude-3-5-sonnet-20241022");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_GLOBAL_DEFAULT);
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    assert_string_equal(cJSON_GetObjectItem(t, "integration")->valuestring, "anthropic");
    assert_string_equal(cJSON_GetObjectItem(t, "integration_source")->valuestring, "account");
    cJSON_Delete(t);
    igny8_resolution_free(r);
    /* Level 3 reads the override of the account's provider, not of openai. */
    put(st, "openai", "{\"model\":\"gpt-4o\"}");
    put(st, "anthropic", "{\"model\":\"claude-3-sonnet\"}");
    r = resolve(st, "content_generation", NULL);
    assert_string_equal(igny8_resolution_model_name(r), "claude-3-sonnet");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_ACCOUNT_INTEGRATION);
    igny8_resolution_free(r);
    /* Images: runware chosen by provider name. */
    assert_igny8_ok(igny8_account_provider_set(st, "test", ACCOUNT, IGNY8_MODEL_IMAGE, "runware"));
    r = resolve(st, "image_generation", NULL);
    assert_string_equal(igny8_resolution_model_name(r), "runware:100@1");
    igny8_resolution_free(r);
}

static void test_resolve__global_inactive_falls_to_system_default(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", "sk-test-FAKE-global-4444"));
    assert_igny8_ok(igny8_model_set_default(st, "ops", "gpt-4.1"));
    assert_igny8_ok(igny8_global_set_active(st, "ops", 0));
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_level(r, 4, "gpt-4o-mini", "skipped", "global_inactive");
    assert_level(r, 5, "gpt-4.1", "used", NULL);
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_SYSTEM_DEFAULT);
    /* Nor the global parameters, nor the global key. */
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_NONE);
    assert_null(igny8_resolution_api_key(r));
    assert_float_equal(igny8_resolution_temperature(r), IGNY8_DEFAULT_TEMPERATURE, 1e-9);
    igny8_resolution_free(r);
}

static void test_resolve__no_provider_and_no_usable_model(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops", "{\"text_provider\":null}", NULL));
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_level(r, 3, NULL, "skipped", "no_provider");
    assert_level(r, 4, NULL, "skipped", "no_provider");
    assert_level(r, 5, "gpt-4o-mini", "used", NULL);
    igny8_resolution_free(r);
    put(st, "openai", "{\"enabled\":false}");
    r = (igny8_resolution *)1;
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_get_model_for_operation(st, ACCOUNT, "clustering", NULL, &r));
    assert_null(r);
    testutil_assert_contains(igny8_error_last()->message, "clustering");
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_get_model_for_operation(st, ACCOUNT, "juggling", NULL, &r));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_get_model_for_operation(st, -1, "clustering", NULL, &r));
}

static void test_resolve__parameters_field_by_field(void **state)
{
    igny8_store *st = *state;
    put(st, "openai", "{\"temperature\":1.1}");
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops", "{\"integrations\":{\"openai\":{\"max_tokens\":null}}}", NULL));
    igny8_resolution *r = resolve(st, "ideas", NULL);
    assert_float_equal(igny8_resolution_temperature(r), 1.1, 1e-9);
    assert_int_equal(igny8_resolution_max_tokens(r), IGNY8_DEFAULT_MAX_TOKENS);
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    cJSON *p = cJSON_GetObjectItem(t, "parameters");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "temperature"), "source")->valuestring, "account");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "max_tokens"), "source")->valuestring, "default");
    cJSON_Delete(t);
    igny8_resolution_free(r);
    /* The chosen model's integration gives the parameters: anthropic's, not openai's. */
    r = resolve(st, "ideas", "claude-3-sonnet");
    assert_float_equal(igny8_resolution_temperature(r), 0.7, 1e-9);
    igny8_resolution_free(r);
    put(st, "dalle", "{\"size\":\"1792x1024\",\"style\":\"natural\"}");
    r = resolve(st, "image_generation", NULL);
    assert_string_equal(igny8_resolution_size(r), "1792x1024");
    assert_string_equal(igny8_resolution_style(r), "natural");
    assert_string_equal(igny8_resolution_quality(r), "standard");
    assert_true(isnan(igny8_resolution_temperature(r)));
    assert_int_equal(igny8_resolution_max_tokens(r), 0);
    igny8_resolution_free(r);
}

static void test_resolve__max_tokens_is_capped_by_the_model(void **state)
{
    igny8_store *st = *state;
    put(st, "openai", "{\"max_tokens\":16000}");
    igny8_resolution *r = resolve(st, "ideas", "gpt-4-turbo-preview");
    assert_int_equal(igny8_resolution_max_tokens(r), 4096);
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    cJSON *mt = cJSON_GetObjectItem(cJSON_GetObjectItem(t, "parameters"), "max_tokens");
    assert_int_equal(cJSON_GetObjectItem(mt, "value")->valueint, 4096);
    assert_int_equal(cJSON_GetObjectItem(mt, "capped_from")->valueint, 16000);
    cJSON_Delete(t);
    igny8_resolution_free(r);
}

static void test_resolve__keys_and_their_source(void **state)
{
    igny8_store *st = *state;
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_NONE);
    igny8_resolution_free(r);
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", "sk-test-FAKE-global-5555"));
    r = resolve(st, "clustering", NULL);
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_GLOBAL);
    assert_string_equal(igny8_resolution_api_key(r), "sk-test-FAKE-global-5555");
    igny8_resolution_free(r);
    assert_igny8_ok(igny8_account_key_set(st, "ops", ACCOUNT, "openai", "sk-test-FAKE-account-6666"));
    r = resolve(st, "clustering", NULL);
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_ACCOUNT);
    assert_string_equal(igny8_resolution_api_key(r), "sk-test-FAKE-account-6666");
    /* Neither the trace nor the JSON view carries a key. */
    char *json = NULL;
    assert_igny8_ok(igny8_resolution_to_json(r, &json));
    testutil_assert_not_contains(json, "FAKE");
    testutil_assert_not_contains(igny8_resolution_trace_json(r), "FAKE");
    testutil_assert_contains(json, "\"api_key_source\":\"account\"");
    igny8_free(json);
    igny8_resolution_free(r);
}

static void test_resolve__base_url_comes_from_the_platform(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops",
        "{\"integrations\":{\"openai\":{\"base_url\":\"http://127.0.0.1:18080/v1\"}}}", NULL));
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_string_equal(igny8_resolution_base_url(r), "http://127.0.0.1:18080/v1");
    igny8_resolution_free(r);
    r = resolve(st, "ideas", "claude-3-sonnet");
    assert_null(igny8_resolution_base_url(r));
    igny8_resolution_free(r);
}

/* The view holds the getters' own pointers (borrowed, not copies) and their values. */
static void assert_view_is_the_getters(const igny8_resolution *r)
{
    igny8_resolution_view v;
    memset(&v, 0xa5, sizeof(v));
    assert_igny8_ok(igny8_resolution_view_init(&v, IGNY8_RESOLUTION_VIEW_VERSION));
    assert_igny8_ok(igny8_resolution_view_get(r, &v));
    assert_int_equal(v.version, IGNY8_RESOLUTION_VIEW_VERSION);
    assert_ptr_equal(v.model_name, igny8_resolution_model_name(r));
    assert_ptr_equal(v.provider, igny8_resolution_provider(r));
    assert_ptr_equal(v.integration, igny8_resolution_integration(r));
    assert_ptr_equal(v.operation, igny8_resolution_operation(r));
    assert_ptr_equal(v.source_name, igny8_resolution_source_name(r));
    assert_ptr_equal(v.size, igny8_resolution_size(r));
    assert_ptr_equal(v.quality, igny8_resolution_quality(r));
    assert_ptr_equal(v.style, igny8_resolution_style(r));
    assert_ptr_equal(v.base_url, igny8_resolution_base_url(r));
    assert_int_equal(v.model_type, igny8_resolution_model_type(r));
    assert_int_equal(v.source, igny8_resolution_source(r));
    assert_int_equal(v.api_key_source, igny8_resolution_api_key_source(r));
    assert_int_equal(v.max_tokens, igny8_resolution_max_tokens(r));
    double t = igny8_resolution_temperature(r);
    if (isnan(t))
        assert_true(isnan(v.temperature));
    else
        assert_true(v.temperature == t);
    const char *strings[] = { v.model_name, v.provider, v.integration, v.operation, v.source_name,
                              v.size, v.quality, v.style, v.base_url };
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if (strings[i])
            testutil_assert_not_contains(strings[i], "FAKE");
}

static void test_resolve__view_is_the_getters_at_once(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", "sk-test-FAKE-global-7777"));
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops",
        "{\"integrations\":{\"openai\":{\"base_url\":\"http://127.0.0.1:18080/v1\"}}}", NULL));
    put(st, "openai", "{\"temperature\":0.25,\"max_tokens\":1500}");
    put(st, "dalle", "{\"size\":\"1792x1024\",\"style\":\"natural\"}");  /* copied into the resolution */
    const char *cases[][2] = { { "clustering", NULL }, { "ideas", "claude-3-sonnet" },
                               { "image_generation", NULL }, { "ideas", "gpt-4-turbo-preview" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        igny8_resolution *r = resolve(st, cases[i][0], cases[i][1]);
        assert_view_is_the_getters(r);
        igny8_resolution_free(r);
    }
    /* The values themselves, for one text and one image model. */
    igny8_resolution_view v = IGNY8_RESOLUTION_VIEW_INIT;
    igny8_resolution *r = resolve(st, "clustering", NULL);
    assert_igny8_ok(igny8_resolution_view_get(r, &v));
    assert_string_equal(v.model_name, "gpt-4o-mini");
    assert_string_equal(v.source_name, "global_default");
    assert_int_equal(v.source, IGNY8_SOURCE_GLOBAL_DEFAULT);
    assert_int_equal(v.model_type, IGNY8_MODEL_TEXT);
    assert_true(v.temperature == 0.25);
    assert_int_equal(v.max_tokens, 1500);
    assert_null(v.size);
    assert_string_equal(v.base_url, "http://127.0.0.1:18080/v1");
    assert_int_equal(v.api_key_source, IGNY8_KEY_GLOBAL);
    igny8_resolution_free(r);
    r = resolve(st, "image_generation", NULL);
    assert_igny8_ok(igny8_resolution_view_get(r, &v));
    assert_string_equal(v.model_name, "dall-e-3");
    assert_int_equal(v.model_type, IGNY8_MODEL_IMAGE);
    assert_true(isnan(v.temperature));  /* not set for image models */
    assert_int_equal(v.max_tokens, 0);
    assert_string_equal(v.size, "1792x1024");
    assert_string_equal(v.quality, "standard");
    assert_string_equal(v.style, "natural");
    assert_null(v.base_url);
    assert_int_equal(v.api_key_source, IGNY8_KEY_GLOBAL);  /* dalle uses openai's key */
    igny8_resolution_free(r);
}

/* Bad arguments are refused, naming the argument, and leave the caller's struct as it was. */
static void test_resolve__view_refuses_bad_arguments(void **state)
{
    igny8_resolution *r = resolve(*state, "clustering", NULL);
    igny8_resolution_view v = IGNY8_RESOLUTION_VIEW_INIT, before;
    assert_igny8_fails(IGNY8_EINVAL, "r", igny8_resolution_view_get(NULL, &v));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_resolution_view_get(r, NULL));
    unsigned int bad[] = { 0, IGNY8_RESOLUTION_VIEW_VERSION + 1 };
    for (size_t i = 0; i < 2; i++) {
        memset(&v, 0x5a, sizeof(v));
        v.version = bad[i];
        memcpy(&before, &v, sizeof(v));  /* padding too, which an assignment may skip */
        assert_igny8_fails(IGNY8_EINVAL, "version", igny8_resolution_view_get(r, &v));
        assert_memory_equal(&v, &before, sizeof(v));
        assert_igny8_fails(IGNY8_EINVAL, "version", igny8_resolution_view_init(&v, bad[i]));
        assert_memory_equal(&v, &before, sizeof(v));
    }
    assert_igny8_fails(IGNY8_EINVAL, "view", igny8_resolution_view_init(NULL, IGNY8_RESOLUTION_VIEW_VERSION));
    igny8_resolution_free(r);
}

/* A write through one handle is seen by the next resolve of another, already warm, one. */
static void test_resolve__reads_are_fresh_across_handles(void **state)
{
    (void)state;
    testutil_place place;
    testutil_place_new(&place);
    igny8_store *a = NULL, *b = NULL;
    assert_igny8_ok(testutil_place_open(&place, NULL, &a));
    assert_igny8_ok(igny8_defaults_load(a, "test", NULL));
    assert_igny8_ok(testutil_place_open(&place, NULL, &b));
    const char *models[] = { "gpt-4o", "gpt-4.1", "gpt-4o-mini", "gpt-4.1-mini", "gpt-4-turbo-preview" };
    for (int i = 0; i < 50; i++) {
        char body[96];
        snprintf(body, sizeof(body), "{\"model\":\"%s\",\"temperature\":%d.5}", models[i % 5], i % 2);
        igny8_resolution *r = resolve(b, "clustering", NULL);  /* b is warm */
        igny8_resolution_free(r);
        assert_igny8_ok(igny8_integration_put_json(a, "writer", ACCOUNT, "openai", body, NULL));
        r = resolve(b, "clustering", NULL);
        assert_string_equal(igny8_resolution_model_name(r), models[i % 5]);
        assert_float_equal(igny8_resolution_temperature(r), (i % 2) + 0.5, 1e-9);
        igny8_resolution_free(r);
    }
    igny8_store_close(a);
    igny8_store_close(b);
    testutil_place_free(&place);
}

/* A platform change keeps the accounts' cached entries (the names are the same), so every
 * account must still combine its own rows with the new platform values; and a change that
 * renames the registry (a new model) must drop them. */
static void test_resolve__a_global_change_keeps_accounts_correct(void **state)
{
    (void)state;
    testutil_place place;
    testutil_place_new(&place);
    igny8_store *a = NULL, *b = NULL;
    assert_igny8_ok(testutil_place_open(&place, NULL, &a));
    assert_igny8_ok(igny8_defaults_load(a, "test", NULL));
    assert_igny8_ok(igny8_integration_put_json(a, "test", ACCOUNT, "openai", "{\"max_tokens\":1234}", NULL));
    assert_igny8_ok(testutil_place_open(&place, NULL, &b));
    for (int i = 0; i < 20; i++) {
        char body[96];
        igny8_resolution_free(resolve(b, "clustering", NULL));  /* warm */
        snprintf(body, sizeof(body), "{\"integrations\":{\"openai\":{\"temperature\":0.%d}}}", i % 10);
        assert_igny8_ok(igny8_global_settings_put_json(a, "ops", body, NULL));
        igny8_resolution *r = resolve(b, "clustering", NULL);
        assert_float_equal(igny8_resolution_temperature(r), (i % 10) / 10.0, 1e-9);  /* the platform's, new */
        assert_int_equal(igny8_resolution_max_tokens(r), 1234);                       /* the account's, kept */
        igny8_resolution_free(r);
    }
    assert_igny8_ok(igny8_integration_put_json(a, "test", ACCOUNT, "openai", "{\"model\":\"gpt-4.1\"}", NULL));
    igny8_resolution_free(resolve(b, "clustering", NULL));
    assert_igny8_ok(igny8_model_add_json(a, "ops", "{\"model_name\":\"aaa-first-model\",\"provider\":\"openai\","
                                         "\"model_type\":\"text\",\"input_cost_per_1k\":0.1,\"output_cost_per_1k\":0.2,"
                                         "\"max_output_tokens\":4096}", NULL));
    igny8_resolution *r = resolve(b, "clustering", NULL);  /* every model index moved by one */
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4.1");
    igny8_resolution_free(r);
    igny8_store_close(a);
    igny8_store_close(b);
    testutil_place_free(&place);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resolve__global_default_for_a_plain_account, testutil_setup, testutil_teardown),
        cmocka_unit_test(test_resolve__a_global_change_keeps_accounts_correct),
        cmocka_unit_test_setup_teardown(test_resolve__request_wins_and_bad_requests_are_errors, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__account_operation_beats_account_integration, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__inactive_candidate_is_skipped, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__disabled_integration_is_skipped, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__account_provider_choice, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__global_inactive_falls_to_system_default, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__no_provider_and_no_usable_model, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__parameters_field_by_field, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__max_tokens_is_capped_by_the_model, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__keys_and_their_source, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__base_url_comes_from_the_platform, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__view_is_the_getters_at_once, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_resolve__view_refuses_bad_arguments, testutil_setup, testutil_teardown),
        cmocka_unit_test(test_resolve__reads_are_fresh_across_handles),
    };
    return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
