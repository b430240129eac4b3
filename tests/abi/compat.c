/*
 * CTest abi_compat: a program built against the baseline's headers (abi/include/, the
 * headers abi/libigny8settings.abi was made from) runs unchanged against the library
 * just built. tests/CMakeLists.txt puts abi/include/ first on the include path, so every
 * struct layout, INIT macro, enumerator and flag below is the baseline's, and every call
 * goes to the current .so: what an application compiled against 1.0 does after the
 * library under it is upgraded.
 *
 * A realistic use of the 1.0 API: open a store with options, load the defaults, set a
 * key, PUT an integration body, resolve operations and read every getter, change an
 * account's settings through igny8_integration_update, list models with a filter,
 * commit and publish a prompt, query the audit log, export, and the error contract.
 * A plain program (no test framework), as an application would be.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <igny8.h>

#define ACTOR "compat"
#define FAKE_KEY "sk-test-FAKE-abi-compat-0000"

static int failures;

#define CHECK(cond) do { if (!(cond)) { failures++; \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
/* A call that must succeed; on failure say why, in the library's own words. */
#define OK(expr) do { int rc_ = (expr); if (rc_ != IGNY8_OK) { failures++; \
        fprintf(stderr, "%s:%d: %s -> %d (%s): %s\n", __FILE__, __LINE__, #expr, rc_, \
                igny8_strerror(rc_), igny8_error_last()->message); } } while (0)
#define STR_EQ(a, b) do { const char *a_ = (a), *b_ = (b); \
        if (!a_ || strcmp(a_, b_) != 0) { failures++; fprintf(stderr, \
        "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_); } \
    } while (0)
#define NEAR(a, b) CHECK(fabs((double)(a) - (double)(b)) < 1e-9)

static void check_version(void)
{
    int major = -1, minor = -1, patch = -1;
    const char *v = igny8_version(&major, &minor, &patch);
    printf("built against headers %d.%d.%d, running on library %s\n", IGNY8_VERSION_MAJOR,
           IGNY8_VERSION_MINOR, IGNY8_VERSION_PATCH, v ? v : "(null)");
    CHECK(v != NULL);
    /* The same major version (the SONAME), and at least the version of the headers. */
    CHECK(major == IGNY8_VERSION_MAJOR);
    CHECK(major * 10000 + minor * 100 + patch >= IGNY8_VERSION_NUMBER);
    CHECK(IGNY8_VERSION_CHECK(1, 0, 0));
}

/* Account 42 follows a PUT of its openai settings; the resolution's every getter. */
static void check_put_and_resolve(igny8_store *st)
{
    char *json = NULL;
    OK(igny8_integration_put_json(st, "alice", 42, "openai",
                                  "{\"model\":\"gpt-4o\",\"temperature\":0.4,\"max_tokens\":1000}", &json));
    CHECK(json && strstr(json, "\"gpt-4o\""));
    CHECK(json && !strstr(json, FAKE_KEY));
    igny8_free(json);
    json = NULL;
    OK(igny8_integration_get_json(st, 42, "openai", &json));
    CHECK(json && strstr(json, "0.4"));
    igny8_free(json);

    igny8_resolution *r = NULL;
    OK(igny8_get_model_for_operation(st, 42, "content_generation", NULL, &r));
    CHECK(r != NULL);
    if (!r)
        return;
    STR_EQ(igny8_resolution_model_name(r), "gpt-4o");
    STR_EQ(igny8_resolution_provider(r), "openai");
    STR_EQ(igny8_resolution_integration(r), "openai");
    STR_EQ(igny8_resolution_operation(r), "content_generation");
    CHECK(igny8_resolution_model_type(r) == IGNY8_MODEL_TEXT);
    CHECK(igny8_resolution_source(r) == IGNY8_SOURCE_ACCOUNT_INTEGRATION);
    STR_EQ(igny8_resolution_source_name(r), "account_integration");
    NEAR(igny8_resolution_temperature(r), 0.4);
    CHECK(igny8_resolution_max_tokens(r) == 1000);
    CHECK(igny8_resolution_api_key_source(r) == IGNY8_KEY_GLOBAL);
    STR_EQ(igny8_resolution_api_key(r), FAKE_KEY);
    const char *trace = igny8_resolution_trace_json(r);
    CHECK(trace && strstr(trace, "account_integration") && !strstr(trace, FAKE_KEY));

    /* The model snapshot inside the resolution, and the igny8_cost struct. */
    const igny8_model *m = igny8_resolution_model(r);
    CHECK(m != NULL);
    if (m) {
        STR_EQ(igny8_model_name(m), "gpt-4o");
        CHECK(igny8_model_type(m) == IGNY8_MODEL_TEXT);
        CHECK(igny8_model_max_output_tokens(m) == 16384);
        NEAR(igny8_model_input_cost_per_1k(m), 0.0025);
        NEAR(igny8_model_output_cost_per_1k(m), 0.01);
        igny8_cost cost = { -1.0, -1 };
        OK(igny8_model_estimate_cost(m, 1000, 1000, 0, &cost));
        NEAR(cost.usd, 0.0125);
        CHECK(cost.credits == 4);  /* 2000 tokens at 500 tokens per credit */
    }
    json = NULL;
    OK(igny8_resolution_to_json(r, &json));
    CHECK(json && strstr(json, "\"gpt-4o\"") && !strstr(json, FAKE_KEY));
    igny8_free(json);
    igny8_resolution_free(r);

    /* An account that chose nothing gets the platform's defaults, for text and image. */
    r = NULL;
    OK(igny8_get_model_for_operation(st, 7, "content_generation", NULL, &r));
    if (r) {
        STR_EQ(igny8_resolution_model_name(r), "gpt-4o-mini");
        CHECK(igny8_resolution_source(r) == IGNY8_SOURCE_GLOBAL_DEFAULT);
        igny8_resolution_free(r);
    }
    r = NULL;
    OK(igny8_get_model_for_operation(st, 7, "image_generation", NULL, &r));
    if (r) {
        STR_EQ(igny8_resolution_model_name(r), "dall-e-3");
        CHECK(igny8_resolution_model_type(r) == IGNY8_MODEL_IMAGE);
        STR_EQ(igny8_resolution_size(r), "1024x1024");
        STR_EQ(igny8_resolution_quality(r), "standard");
        STR_EQ(igny8_resolution_style(r), "vivid");
        igny8_resolution_free(r);
    }
}

/* igny8_integration_update (the baseline's layout and INIT) and the integration getters. */
static void check_integration_update(igny8_store *st)
{
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = IGNY8_FIELD_TEMPERATURE | IGNY8_FIELD_MAX_TOKENS;
    u.temperature = 1.1;
    u.max_tokens = 2048;
    OK(igny8_account_integration_set(st, ACTOR, 43, "openai", &u));

    igny8_integration_update zero;
    memset(&zero, 0xff, sizeof(zero));
    OK(igny8_integration_update_init(&zero, IGNY8_INTEGRATION_UPDATE_VERSION));
    CHECK(zero.version == IGNY8_INTEGRATION_UPDATE_VERSION && zero.set == 0 && zero.clear == 0
          && zero.model == NULL && zero.base_url == NULL);

    igny8_integration *s = NULL;
    OK(igny8_account_integration_get(st, 43, "openai", &s));
    CHECK(s != NULL);
    if (s) {
        STR_EQ(igny8_integration_name(s), "openai");
        STR_EQ(igny8_integration_provider(s), "openai");
        CHECK(igny8_integration_model_type(s) == IGNY8_MODEL_TEXT);
        CHECK(igny8_integration_enabled(s) == 1);
        NEAR(igny8_integration_temperature(s), 1.1);
        CHECK(igny8_integration_max_tokens(s) == 2048);
        CHECK(igny8_integration_is_override(s, IGNY8_FIELD_TEMPERATURE) == 1);
        CHECK(igny8_integration_is_override(s, IGNY8_FIELD_MODEL) == 0);
        CHECK(igny8_integration_key_configured(s) == 0);  /* no key of the account's own */
        igny8_integration_free(s);
    }
    s = NULL;
    OK(igny8_global_integration_get(st, "openai", &s));
    if (s) {
        CHECK(igny8_integration_key_configured(s) == 1);  /* the platform's */
        STR_EQ(igny8_integration_model(s), "gpt-4o-mini");
        igny8_integration_free(s);
    }

    /* The error contract: the code, and igny8_error's field naming the culprit. */
    igny8_integration_update bad = IGNY8_INTEGRATION_UPDATE_INIT;
    bad.set = IGNY8_FIELD_TEMPERATURE;
    bad.temperature = 3.0;
    CHECK(igny8_account_integration_set(st, ACTOR, 43, "openai", &bad) == IGNY8_EINVAL);
    const igny8_error *e = igny8_error_last();
    CHECK(e->code == IGNY8_EINVAL);
    CHECK(e->message != NULL && e->message[0] != '\0');
    STR_EQ(e->field, "temperature");
}

static void check_models_prompts_audit_export(igny8_store *st)
{
    /* Models through a filter: the openai image models. */
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    f.provider = "openai";
    f.model_type = IGNY8_MODEL_IMAGE;
    f.active = IGNY8_FILTER_ACTIVE;
    igny8_models *list = NULL;
    OK(igny8_model_list(st, &f, &list));
    size_t n = list ? igny8_models_count(list) : 0;
    CHECK(n >= 1);
    int saw_dalle3 = 0;
    for (size_t i = 0; i < n; i++) {
        const igny8_model *m = igny8_models_at(list, i);
        CHECK(igny8_model_type(m) == IGNY8_MODEL_IMAGE);
        STR_EQ(igny8_model_provider(m), "openai");
        if (strcmp(igny8_model_name(m), "dall-e-3") == 0)
            saw_dalle3 = 1;
    }
    CHECK(saw_dalle3);
    igny8_models_free(list);

    /* A prompt version, committed and published in one call. */
    igny8_prompt_commit_options c = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    c.prompt_type = "ideas";
    c.value = "Ideas about {topic} for {audience}";
    c.message = "abi_compat";
    c.publish = 1;
    igny8_prompt *p = NULL;
    OK(igny8_prompt_commit(st, ACTOR, &c, &p));
    int committed = p ? igny8_prompt_version(p) : 0;
    CHECK(committed >= 1);
    igny8_prompt_free(p);
    p = NULL;
    OK(igny8_prompt_get(st, "ideas", 0, &p));
    if (p) {
        STR_EQ(igny8_prompt_value(p), "Ideas about {topic} for {audience}");
        CHECK(igny8_prompt_version(p) == committed);
        igny8_prompt_free(p);
    }

    /* The audit log of account 42: alice's PUT. */
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.account_id = 42;
    q.limit = 10;
    char *json = NULL;
    OK(igny8_audit_query_json(st, &q, &json));
    CHECK(json && strstr(json, "alice") && !strstr(json, FAKE_KEY));
    igny8_free(json);

    /* Export: keys only when asked for. */
    igny8_export_options x = IGNY8_EXPORT_OPTIONS_INIT;
    json = NULL;
    OK(igny8_store_export_json(st, &x, &json));
    CHECK(json && strstr(json, "igny8settings") && !strstr(json, FAKE_KEY));
    igny8_free(json);
    x.flags = IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS;
    json = NULL;
    OK(igny8_store_export_json(st, &x, &json));
    CHECK(json && strstr(json, FAKE_KEY));
    igny8_free(json);

    igny8_connection_test_options t;
    OK(igny8_connection_test_options_init(&t, IGNY8_CONNECTION_TEST_OPTIONS_VERSION));
    CHECK(t.version == IGNY8_CONNECTION_TEST_OPTIONS_VERSION);
}

int main(void)
{
    check_version();

    /* Options of the baseline's version, both ways of initialising them. */
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store_options o2;
    memset(&o2, 0xff, sizeof(o2));
    OK(igny8_store_options_init(&o2, IGNY8_STORE_OPTIONS_VERSION));
    CHECK(memcmp(&o, &o2, sizeof(o)) == 0);
    o.busy_timeout_ms = 2000;
    o.cache_accounts = 16;

    igny8_store *st = NULL;
    OK(igny8_store_open(&st, ":memory:", &o));
    if (!st) {
        fprintf(stderr, "abi_compat: cannot open a store\n");
        return 1;
    }
    STR_EQ(igny8_store_path(st), ":memory:");
    OK(igny8_defaults_load(st, ACTOR, NULL));
    CHECK(igny8_defaults_load(st, ACTOR, NULL) == IGNY8_EEXISTS);
    CHECK(igny8_error_last()->code == IGNY8_EEXISTS);
    OK(igny8_global_key_set(st, ACTOR, "openai", FAKE_KEY));

    check_put_and_resolve(st);
    check_integration_update(st);
    check_models_prompts_audit_export(st);

    /* Not found is an error naming the operation, and leaves *out NULL. */
    igny8_resolution *r = NULL;
    CHECK(igny8_get_model_for_operation(st, 42, "no_such_operation", NULL, &r) == IGNY8_ENOTFOUND);
    CHECK(r == NULL);
    CHECK(strstr(igny8_error_last()->message, "no_such_operation") != NULL);
    CHECK(igny8_strerror(IGNY8_ENOTFOUND) != NULL);

    igny8_store_close(st);

    if (failures) {
        fprintf(stderr, "abi_compat: %d check(s) failed\n", failures);
        return 1;
    }
    printf("abi_compat: every check passed\n");
    return 0;
}
