/* Integration settings: the typed calls and the REST bodies of DESIGN §3. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define FAKE_KEY "sk-test-FAKE-settings-0000wxyz"
#define ACCOUNT 42

static char *get_body(igny8_store *st, const char *integration)
{
    char *j = NULL;
    return testutil_take(igny8_integration_get_json(st, ACCOUNT, integration, &j), &j);
}

static char *global_body(igny8_store *st)
{
    char *j = NULL;
    return testutil_take(igny8_global_settings_get_json(st, &j), &j);
}

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static void test_settings__default_body_uses_global(void **state)
{
    char *body = get_body(*state, "openai");
    cJSON *j = parse(body);
    assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "openai");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "enabled")));
    assert_string_equal(cJSON_GetObjectItem(j, "model")->valuestring, "gpt-4o-mini");
    assert_float_equal(cJSON_GetObjectItem(j, "temperature")->valuedouble, 0.7, 1e-9);
    assert_int_equal(cJSON_GetObjectItem(j, "max_tokens")->valueint, 8192);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "using_global")));
    assert_null(cJSON_GetObjectItem(j, "size"));
    cJSON_Delete(j);
    free(body);
}

static void test_settings__image_body_has_image_parameters(void **state)
{
    char *body = get_body(*state, "dalle");
    cJSON *j = parse(body);
    assert_string_equal(cJSON_GetObjectItem(j, "model")->valuestring, "dall-e-3");
    assert_string_equal(cJSON_GetObjectItem(j, "size")->valuestring, "1024x1024");
    assert_string_equal(cJSON_GetObjectItem(j, "quality")->valuestring, "standard");
    assert_string_equal(cJSON_GetObjectItem(j, "style")->valuestring, "vivid");
    assert_null(cJSON_GetObjectItem(j, "temperature"));
    assert_null(cJSON_GetObjectItem(j, "max_tokens"));
    cJSON_Delete(j);
    free(body);
}

static void test_settings__put_overrides_and_null_clears(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    assert_igny8_ok(igny8_integration_put_json(st, "alice", ACCOUNT, "openai",
                                               "{\"model\":\"gpt-4o\",\"temperature\":0.8,\"max_tokens\":4000}", &out));
    cJSON *j = parse(out);
    assert_string_equal(cJSON_GetObjectItem(j, "model")->valuestring, "gpt-4o");
    assert_float_equal(cJSON_GetObjectItem(j, "temperature")->valuedouble, 0.8, 1e-9);
    assert_int_equal(cJSON_GetObjectItem(j, "max_tokens")->valueint, 4000);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "using_global")));
    cJSON_Delete(j);
    igny8_free(out);

    /* The returned body is what GET gives. */
    char *again = get_body(st, "openai");
    testutil_assert_contains(again, "\"model\":\"gpt-4o\"");
    free(again);

    assert_igny8_ok(igny8_integration_put_json(st, "alice", ACCOUNT, "openai",
                                               "{\"model\":null,\"temperature\":null,\"max_tokens\":null}", &out));
    j = parse(out);
    assert_string_equal(cJSON_GetObjectItem(j, "model")->valuestring, "gpt-4o-mini");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "using_global")));
    cJSON_Delete(j);
    igny8_free(out);
}

static void test_settings__get_body_round_trips_through_put(void **state)
{
    igny8_store *st = *state;
    char *body = get_body(st, "openai"), *out = NULL;
    assert_igny8_ok(igny8_integration_put_json(st, "alice", ACCOUNT, "openai", body, &out));
    igny8_free(out);
    /* The same body again changes nothing, so it writes no audit entry. */
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_integration_put_json(st, "alice", ACCOUNT, "openai", body, &out));
    assert_int_equal(testutil_audit_count(st), audits);
    cJSON *j = parse(out);
    assert_string_equal(cJSON_GetObjectItem(j, "model")->valuestring, "gpt-4o-mini");
    cJSON_Delete(j);
    igny8_free(out);
    free(body);
}

/* Each rejected body: the exact code and field, and the GET body and audit log unchanged. */
static void expect_rejected(igny8_store *st, const char *integration, const char *body, int code, const char *field)
{
    char *before = get_body(st, integration);
    int audits = testutil_audit_count(st);
    char *out = (char *)"untouched";
    assert_igny8_fails(code, field, igny8_integration_put_json(st, "mallory", ACCOUNT, integration, body, &out));
    assert_null(out);
    char *after = get_body(st, integration);
    assert_string_equal(before, after);
    assert_int_equal(audits, testutil_audit_count(st));
    free(before);
    free(after);
}

static void test_settings__put_rejections_name_the_field_and_write_nothing(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));
    expect_rejected(st, "openai", "{\"colour\":\"red\"}", IGNY8_EINVAL, "colour");
    expect_rejected(st, "openai", "{\"temperature\":\"hot\"}", IGNY8_EINVAL, "temperature");
    expect_rejected(st, "openai", "{\"temperature\":2.5}", IGNY8_EINVAL, "temperature");
    expect_rejected(st, "openai", "{\"temperature\":-0.1}", IGNY8_EINVAL, "temperature");
    expect_rejected(st, "openai", "{\"max_tokens\":0}", IGNY8_EINVAL, "max_tokens");
    expect_rejected(st, "openai", "{\"max_tokens\":10.5}", IGNY8_EINVAL, "max_tokens");
    expect_rejected(st, "openai", "{\"max_tokens\":20000}", IGNY8_EINVAL, "max_tokens");  /* gpt-4o-mini: 16384 */
    expect_rejected(st, "openai", "{\"model\":\"gpt-4-turbo-preview\",\"max_tokens\":8000}", IGNY8_EINVAL, "max_tokens");
    expect_rejected(st, "openai", "{\"model\":\"no-such-model\"}", IGNY8_EINVAL, "model");
    expect_rejected(st, "openai", "{\"model\":\"gpt-4.1\"}", IGNY8_EINVAL, "model");           /* inactive */
    expect_rejected(st, "openai", "{\"model\":\"claude-3-sonnet\"}", IGNY8_EINVAL, "model");   /* other provider */
    expect_rejected(st, "openai", "{\"model\":\"dall-e-3\"}", IGNY8_EINVAL, "model");          /* other type */
    expect_rejected(st, "openai", "{\"model\":7}", IGNY8_EINVAL, "model");
    expect_rejected(st, "openai", "{\"size\":\"1024x1024\"}", IGNY8_EINVAL, "size");           /* text integration */
    expect_rejected(st, "openai", "{\"enabled\":\"yes\"}", IGNY8_EINVAL, "enabled");
    expect_rejected(st, "openai", "{\"id\":\"anthropic\"}", IGNY8_EINVAL, "id");
    expect_rejected(st, "openai", "{\"using_global\":1}", IGNY8_EINVAL, "using_global");
    expect_rejected(st, "openai", "{\"model\":\"gpt-4o\",\"temperature\":3}", IGNY8_EINVAL, "temperature");
    expect_rejected(st, "openai", "{\"model\":", IGNY8_EINVAL, "body");
    expect_rejected(st, "openai", "[1,2]", IGNY8_EINVAL, "body");
    expect_rejected(st, "dalle", "{\"temperature\":0.5}", IGNY8_EINVAL, "temperature");
    expect_rejected(st, "dalle", "{\"size\":\"huge\"}", IGNY8_EINVAL, "size");
    expect_rejected(st, "dalle", "{\"size\":\"10x10\"}", IGNY8_EINVAL, "size");
    expect_rejected(st, "dalle", "{\"quality\":\"ultra\"}", IGNY8_EINVAL, "quality");
    expect_rejected(st, "dalle", "{\"style\":\"baroque\"}", IGNY8_EINVAL, "style");
    expect_rejected(st, "dalle", "{\"model\":\"runware:100@1\"}", IGNY8_EINVAL, "model");
    assert_igny8_fails(IGNY8_ENOTFOUND, "integration",
                       igny8_integration_put_json(st, "x", ACCOUNT, "nope", "{}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_integration_put_json(st, "x", 0, "openai", "{}", NULL));
}

static void test_settings__put_strips_key_fields(void **state)
{
    igny8_store *st = *state;
    const char *bodies[] = {
        "{\"api_key\":\"" FAKE_KEY "\",\"temperature\":0.5}", "{\"apiKey\":\"" FAKE_KEY "\"}",
        "{\"openai_api_key\":\"" FAKE_KEY "\"}", "{\"secret\":\"" FAKE_KEY "\"}", "{\"API-KEY\":\"" FAKE_KEY "\"}",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char *out = NULL;
        assert_igny8_ok(igny8_integration_put_json(st, "alice", ACCOUNT, "openai", bodies[i], &out));
        testutil_assert_not_contains(out, FAKE_KEY);
        igny8_free(out);
    }
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_account_integration_get(st, ACCOUNT, "openai", &s));
    assert_int_equal(igny8_integration_key_configured(s), 0);
    assert_float_equal(igny8_integration_temperature(s), 0.5, 1e-9);
    igny8_integration_free(s);
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, "clustering", NULL, &r));
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_NONE);
    igny8_resolution_free(r);
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    char *audit = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &audit));
    testutil_assert_not_contains(audit, FAKE_KEY);
    igny8_free(audit);
}

static void test_settings__global_body_masks_keys(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", FAKE_KEY));
    char *body = global_body(st);
    testutil_assert_not_contains(body, FAKE_KEY);
    testutil_assert_not_contains(body, "settings-0000");
    cJSON *j = parse(body);
    cJSON *integrations = cJSON_GetObjectItem(j, "integrations");
    cJSON *key = cJSON_GetObjectItem(cJSON_GetObjectItem(integrations, "openai"), "api_key");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(key, "configured")));
    assert_string_equal(cJSON_GetObjectItem(key, "last4")->valuestring, "wxyz");
    /* dalle has no key of its own and shows the OpenAI key it falls back to. */
    cJSON *dalle = cJSON_GetObjectItem(cJSON_GetObjectItem(integrations, "dalle"), "api_key");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(dalle, "configured")));
    assert_string_equal(cJSON_GetObjectItem(dalle, "from")->valuestring, "openai");
    cJSON *anthropic = cJSON_GetObjectItem(cJSON_GetObjectItem(integrations, "anthropic"), "api_key");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(anthropic, "configured")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(anthropic, "last4")));
    cJSON_Delete(j);
    free(body);
}

static void test_settings__dalle_falls_back_to_the_openai_key(void **state)
{
    igny8_store *st = *state;
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", "sk-test-FAKE-openai-1111"));
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, "image_generation", NULL, &r));
    assert_string_equal(igny8_resolution_integration(r), "dalle");
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_GLOBAL);
    assert_string_equal(igny8_resolution_api_key(r), "sk-test-FAKE-openai-1111");
    igny8_resolution_free(r);

    assert_igny8_ok(igny8_global_key_set(st, "ops", "dalle", "sk-test-FAKE-dalle-2222"));
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, "image_generation", NULL, &r));
    assert_string_equal(igny8_resolution_api_key(r), "sk-test-FAKE-dalle-2222");
    igny8_resolution_free(r);

    /* An account's own OpenAI key serves its DALL·E calls too, before any platform key. */
    assert_igny8_ok(igny8_account_key_set(st, "ops", ACCOUNT, "openai", "sk-test-FAKE-acct-3333"));
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, "image_generation", NULL, &r));
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_ACCOUNT);
    assert_string_equal(igny8_resolution_api_key(r), "sk-test-FAKE-acct-3333");
    igny8_resolution_free(r);
    /* Another account is not affected. */
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT + 1, "image_generation", NULL, &r));
    assert_string_equal(igny8_resolution_api_key(r), "sk-test-FAKE-dalle-2222");
    igny8_resolution_free(r);
}

static void test_settings__keys_are_validated_and_removable(void **state)
{
    igny8_store *st = *state;
    assert_igny8_fails(IGNY8_EINVAL, "key", igny8_global_key_set(st, "ops", "openai", "short"));
    assert_igny8_fails(IGNY8_EINVAL, "key", igny8_global_key_set(st, "ops", "openai", "sk-test FAKE with space"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "integration", igny8_global_key_set(st, "ops", "nope", FAKE_KEY));
    assert_igny8_ok(igny8_account_key_set(st, "ops", ACCOUNT, "anthropic", FAKE_KEY));
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_account_integration_get(st, ACCOUNT, "anthropic", &s));
    assert_int_equal(igny8_integration_key_configured(s), 1);
    assert_int_equal(igny8_integration_using_global(s), 1);  /* a key is not a parameter override */
    igny8_integration_free(s);
    assert_igny8_ok(igny8_account_key_set(st, "ops", ACCOUNT, "anthropic", NULL));
    assert_igny8_ok(igny8_account_integration_get(st, ACCOUNT, "anthropic", &s));
    assert_int_equal(igny8_integration_key_configured(s), 0);
    igny8_integration_free(s);
}

static void test_settings__typed_setters_share_the_rules(void **state)
{
    igny8_store *st = *state;
    igny8_integration_update u;
    assert_igny8_ok(igny8_integration_update_init(&u, IGNY8_INTEGRATION_UPDATE_VERSION));
    u.set = IGNY8_FIELD_TEMPERATURE | IGNY8_FIELD_ENABLED;
    u.temperature = 1.2;
    u.enabled = 0;
    assert_igny8_ok(igny8_account_integration_set(st, "ops", ACCOUNT, "anthropic", &u));
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_account_integration_get(st, ACCOUNT, "anthropic", &s));
    assert_int_equal(igny8_integration_enabled(s), 0);
    assert_float_equal(igny8_integration_temperature(s), 1.2, 1e-9);
    assert_true(igny8_integration_is_override(s, IGNY8_FIELD_TEMPERATURE));
    assert_false(igny8_integration_is_override(s, IGNY8_FIELD_MAX_TOKENS));
    assert_int_equal(igny8_integration_max_tokens(s), 8192);
    assert_string_equal(igny8_integration_model(s), "claude-3-5-sonnet-20241022");
    igny8_integration_free(s);

    u.set = IGNY8_FIELD_TEMPERATURE;
    u.clear = IGNY8_FIELD_TEMPERATURE;
    assert_igny8_fails(IGNY8_EINVAL, "temperature", igny8_account_integration_set(st, "ops", ACCOUNT, "anthropic", &u));
    u.clear = 0;
    u.temperature = NAN;
    assert_igny8_fails(IGNY8_EINVAL, "temperature", igny8_account_integration_set(st, "ops", ACCOUNT, "anthropic", &u));
    u.set = IGNY8_FIELD_BASE_URL;
    u.base_url = "http://127.0.0.1:9/";
    assert_igny8_fails(IGNY8_EINVAL, "base_url", igny8_account_integration_set(st, "ops", ACCOUNT, "anthropic", &u));
    u.set = IGNY8_FIELD_ENABLED;
    u.enabled = 1;
    assert_igny8_fails(IGNY8_EINVAL, "enabled", igny8_global_integration_set(st, "ops", "anthropic", &u));
    u.set = IGNY8_FIELD_BASE_URL;
    u.base_url = "ftp://example.invalid";
    assert_igny8_fails(IGNY8_EINVAL, "base_url", igny8_global_integration_set(st, "ops", "anthropic", &u));
    u.version = 99;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_global_integration_set(st, "ops", "anthropic", &u));

    assert_igny8_ok(igny8_account_integration_reset(st, "ops", ACCOUNT, "anthropic"));
    assert_igny8_ok(igny8_account_integration_get(st, ACCOUNT, "anthropic", &s));
    assert_int_equal(igny8_integration_using_global(s), 1);
    assert_int_equal(igny8_integration_enabled(s), 0);  /* reset keeps the on/off choice */
    igny8_integration_free(s);
}

static void test_settings__global_put_changes_settings(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops",
        "{\"integrations\":{\"openai\":{\"temperature\":0.3,\"base_url\":\"http://127.0.0.1:8080/v1\"}},"
        "\"default_text_model\":\"claude-3-5-haiku-20241022\"}", &out));
    cJSON *j = parse(out);
    assert_string_equal(cJSON_GetObjectItem(j, "default_text_model")->valuestring, "claude-3-5-haiku-20241022");
    assert_string_equal(cJSON_GetObjectItem(j, "text_provider")->valuestring, "anthropic");
    cJSON *integrations = cJSON_GetObjectItem(j, "integrations");
    cJSON *openai = cJSON_GetObjectItem(integrations, "openai");
    assert_float_equal(cJSON_GetObjectItem(openai, "temperature")->valuedouble, 0.3, 1e-9);
    assert_string_equal(cJSON_GetObjectItem(openai, "base_url")->valuestring, "http://127.0.0.1:8080/v1");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(integrations, "anthropic"), "default_model")->valuestring,
                        "claude-3-5-haiku-20241022");
    cJSON_Delete(j);
    igny8_free(out);
    /* The account view follows: its text provider is now anthropic's default. */
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, "ideas", NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "claude-3-5-haiku-20241022");
    igny8_resolution_free(r);
}

static void expect_global_rejected(igny8_store *st, const char *body, const char *field)
{
    char *before = global_body(st);
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, field, igny8_global_settings_put_json(st, "ops", body, NULL));
    char *after = global_body(st);
    assert_string_equal(before, after);
    assert_int_equal(audits, testutil_audit_count(st));
    free(before);
    free(after);
}

static void test_settings__global_put_rejections_write_nothing(void **state)
{
    igny8_store *st = *state;
    expect_global_rejected(st, "{\"colour\":1}", "colour");
    expect_global_rejected(st, "{\"is_active\":\"no\"}", "is_active");
    expect_global_rejected(st, "{\"integrations\":{\"nope\":{}}}", "integrations.nope");
    expect_global_rejected(st, "{\"integrations\":{\"openai\":{\"temperature\":9}}}", "integrations.openai.temperature");
    expect_global_rejected(st, "{\"integrations\":{\"openai\":{\"default_model\":\"claude-3-sonnet\"}}}",
                           "integrations.openai.default_model");
    expect_global_rejected(st, "{\"integrations\":{\"openai\":{\"wat\":1}}}", "integrations.openai.wat");
    expect_global_rejected(st, "{\"integrations\":{\"openai\":3}}", "integrations.openai");
    expect_global_rejected(st, "{\"default_text_model\":\"dall-e-3\"}", "default_text_model");
    expect_global_rejected(st, "{\"default_image_model\":\"no-such\"}", "default_image_model");
    expect_global_rejected(st, "{\"text_provider\":\"runware\"}", "text_provider");
    /* A valid change followed by a bad one: the valid one is rolled back too. */
    expect_global_rejected(st, "{\"integrations\":{\"openai\":{\"temperature\":0.1}},\"is_active\":7}", "is_active");
}

/* Set openai's base_url through the typed setter; the call's code. */
static int set_base_url(igny8_store *st, const char *url)
{
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = IGNY8_FIELD_BASE_URL;
    u.base_url = url;
    return igny8_global_integration_set(st, "ops", "openai", &u);
}

/* Plain http carries the key unencrypted: it is refused unless the host is this machine,
 * and the host is read so that a name that only starts like a loopback address, or
 * another spelling of one, is not taken for it. The setter and the PUT body agree. */
static void test_settings__plain_http_base_url_only_to_loopback(void **state)
{
    igny8_store *st = *state;
    static const char *const accepted[] = {
        "http://127.0.0.1:8080/v1", "http://127.1.2.3:9/v1", "http://127.255.255.255", "http://127.0.0.1",
        "http://127.0.0.1:/v1", "http://[::1]:8080/v1", "http://[::1]/v1", "http://localhost/v1",
        "http://LOCALHOST/v1", "http://LocalHost:11434/api", "https://proxy.example/v1", "https://127.0.0.1.evil.com",
    };
    static const char *const refused[] = {
        "http://api.openai.com/v1", "http://127.0.0.1.evil.com/v1", "http://localhost.evil.com/v1",
        "http://evil.com/127.0.0.1", "http://127.0.0.1.", "http://localhost./v1", "http://127.1/v1",
        "http://127.0.1/v1", "http://0177.0.0.1/v1", "http://0127.0.0.1/v1", "http://127.0.0.01/v1",
        "http://127.0.0.256/v1", "http://1270.0.0.1/v1", "http://128.0.0.1/v1", "http://0x7f.0.0.1/v1",
        "http://2130706433/v1", "http://127.0.0.1:80x/v1", "http://127.0.0.1\\.evil.com/v1", "http://[::2]/v1",
        "http://[::1/v1", "http://[::1]x/v1", "http://[::ffff:127.0.0.1]/v1", "http://[0:0:0:0:0:0:0:1]/v1",
        "http:///v1", "http://%6cocalhost/v1", "http://localhost%2eevil.com/v1",
    };
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
        if (set_base_url(st, accepted[i]) != IGNY8_OK)
            fail_msg("%s was refused: %s", accepted[i], igny8_error_last()->message);
    assert_igny8_ok(set_base_url(st, "https://proxy.example/v1"));
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char body[256];
        if (set_base_url(st, refused[i]) != IGNY8_EINVAL)
            fail_msg("%s was not refused", refused[i]);
        assert_string_equal(igny8_error_last()->field, "base_url");
        testutil_assert_contains(igny8_error_last()->message, "https://");
        testutil_assert_contains(igny8_error_last()->message, "loopback");
        testutil_assert_contains(igny8_error_last()->message, "IGNY8_STORE_ALLOW_HTTP");
        testutil_assert_not_contains(igny8_error_last()->message, "evil");  /* the URL is not repeated */
        snprintf(body, sizeof(body), "{\"integrations\":{\"openai\":{\"base_url\":\"%s\"}}}", refused[i]);
        for (char *b = strchr(body, '\\'); b; b = strchr(b + 2, '\\'))  /* a JSON string: escape the backslash */
            memmove(b + 1, b, strlen(b) + 1);
        expect_global_rejected(st, body, "integrations.openai.base_url");
    }
    /* credentials are refused as before, and for being credentials */
    assert_igny8_fails(IGNY8_EINVAL, "base_url", set_base_url(st, "http://127.0.0.1@evil.com/v1"));
    testutil_assert_contains(igny8_error_last()->message, "credentials");
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_global_integration_get(st, "openai", &s));
    assert_string_equal(igny8_integration_base_url(s), "https://proxy.example/v1");  /* no refusal wrote */
    igny8_integration_free(s);
}

/* IGNY8_STORE_ALLOW_HTTP lets a store take plain http to any host (a proxy inside a
 * private network); without it the same store refuses the same URL. */
static void test_settings__allow_http_flag_takes_any_http_host(void **state)
{
    (void)state;
    testutil_place place;
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    testutil_place_new(&place);
    o.flags = IGNY8_STORE_ALLOW_HTTP;
    assert_igny8_ok(testutil_place_open(&place, &o, &st));
    assert_igny8_ok(igny8_defaults_load(st, "ops", NULL));
    assert_igny8_ok(set_base_url(st, "http://proxy.internal:3128/v1"));
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops",
                                                   "{\"integrations\":{\"anthropic\":{\"base_url\":\"http://10.0.0.5/v1\"}}}",
                                                   NULL));
    igny8_store_close(st);
    assert_igny8_ok(testutil_place_open(&place, NULL, &st));
    assert_igny8_fails(IGNY8_EINVAL, "base_url", set_base_url(st, "http://proxy.internal:3128/v2"));
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_global_integration_get(st, "openai", &s));
    assert_string_equal(igny8_integration_base_url(s), "http://proxy.internal:3128/v1");  /* what was stored stays */
    igny8_integration_free(s);
    igny8_store_close(st);
    testutil_place_free(&place);
}

static void test_settings__global_put_strips_keys_and_round_trips(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops",
        "{\"integrations\":{\"anthropic\":{\"api_key\":\"" FAKE_KEY "\"}},\"openai_api_key\":\"" FAKE_KEY "\"}", NULL));
    char *body = global_body(st);
    testutil_assert_contains(body, "\"configured\":false");
    testutil_assert_not_contains(body, "\"configured\":true");
    char *out = NULL;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops", body, &out));
    assert_int_equal(testutil_audit_count(st), audits);  /* nothing changed, nothing logged */
    cJSON *a = parse(body), *b = parse(out);
    cJSON_DeleteItemFromObject(a, "updated_at");
    cJSON_DeleteItemFromObject(b, "updated_at");
    cJSON_DeleteItemFromObject(a, "updated_by");
    cJSON_DeleteItemFromObject(b, "updated_by");
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    igny8_free(out);
    free(body);
}

static void test_settings__list_and_snapshots(void **state)
{
    igny8_store *st = *state;
    char *json = NULL;
    assert_igny8_ok(igny8_integration_list_json(st, ACCOUNT, &json));
    cJSON *arr = parse(json);
    assert_int_equal(cJSON_GetArraySize(arr), 4);
    cJSON_Delete(arr);
    igny8_free(json);
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_global_integration_get(st, "runware", &s));
    assert_string_equal(igny8_integration_provider(s), "runware");
    assert_int_equal(igny8_integration_model_type(s), IGNY8_MODEL_IMAGE);
    assert_string_equal(igny8_integration_model(s), "runware:100@1");
    assert_true(isnan(igny8_integration_temperature(s)));
    assert_null(igny8_integration_base_url(s));
    igny8_integration_free(s);
    s = (igny8_integration *)1;
    assert_igny8_fails(IGNY8_ENOTFOUND, "integration", igny8_global_integration_get(st, "nope", &s));
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_settings__default_body_uses_global, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__image_body_has_image_parameters, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__put_overrides_and_null_clears, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__get_body_round_trips_through_put, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__put_rejections_name_the_field_and_write_nothing, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__put_strips_key_fields, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__global_body_masks_keys, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__dalle_falls_back_to_the_openai_key, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__keys_are_validated_and_removable, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__typed_setters_share_the_rules, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__global_put_changes_settings, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__global_put_rejections_write_nothing, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__global_put_strips_keys_and_round_trips, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__list_and_snapshots, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_settings__plain_http_base_url_only_to_loopback, testutil_setup, testutil_teardown),
        cmocka_unit_test(test_settings__allow_http_flag_takes_any_http_host),
    };
    return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
