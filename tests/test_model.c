/* The model registry: add/update/get/list, defaults, activity, cost estimates, the audit log. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define TEXT_MIN "\"provider\":\"openai\",\"model_type\":\"text\""

/* ---- helpers ---- */

static igny8_model *get(igny8_store *st, const char *name)
{
    igny8_model *m = NULL;
    assert_igny8_ok(igny8_model_get(st, name, &m));
    assert_non_null(m);
    return m;
}

static int exists(igny8_store *st, const char *name)
{
    igny8_model *m = NULL;
    int rc = igny8_model_get(st, name, &m);
    igny8_model_free(m);
    if (rc != IGNY8_OK && rc != IGNY8_ENOTFOUND)
        fail_msg("model_get(%s) -> %d", name, rc);
    return rc == IGNY8_OK;
}

static int is_default(igny8_store *st, const char *name)
{
    igny8_model *m = get(st, name);
    int d = igny8_model_is_default(m);
    igny8_model_free(m);
    return d;
}

static cJSON *model_json(const igny8_model *m)
{
    char *text = NULL;
    assert_igny8_ok(igny8_model_to_json(m, &text));
    cJSON *j = cJSON_Parse(text);
    igny8_free(text);
    assert_non_null(j);
    return j;
}

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
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static double num_of(const cJSON *obj, const char *key)
{
    const cJSON *v = item(obj, key);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static int bool_of(const cJSON *obj, const char *key)
{
    const cJSON *v = item(obj, key);
    assert_true(cJSON_IsBool(v));
    return cJSON_IsTrue(v);
}

static void assert_null_item(const cJSON *obj, const char *key)
{
    if (!cJSON_IsNull(item(obj, key)))
        fail_msg("'%s' is not null", key);
}

static void assert_close(double a, double b)
{
    if (!(fabs(a - b) <= 1e-12 + 1e-9 * fabs(b)))
        fail_msg("%.15g != %.15g", a, b);
}

/* The newest `n` audit entries (root deleted by the caller). */
static cJSON *audit_newest(igny8_store *st, unsigned int n)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = n;
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    assert_non_null(j);
    return j;
}

/* Assert the newest audit entry is about model `key` with `action` by `actor`; returns the root. */
static cJSON *assert_last_audit(igny8_store *st, const char *key, const char *action, const char *actor,
                                const cJSON **entry)
{
    cJSON *j = audit_newest(st, 1);
    const cJSON *e = cJSON_GetArrayItem(item(j, "entries"), 0);
    assert_non_null(e);
    assert_string_equal(str_of(e, "entity"), "model");
    assert_string_equal(str_of(e, "key"), key);
    assert_string_equal(str_of(e, "action"), action);
    assert_string_equal(str_of(e, "actor"), actor);
    assert_null_item(e, "account_id");
    if (entry)
        *entry = e;
    return j;
}

/* Names of the models a filter lists, with a check that the JSON view agrees. */
static size_t list_names(igny8_store *st, const igny8_model_filter *f, const char *names[], size_t max)
{
    igny8_models *list = NULL;
    assert_igny8_ok(igny8_model_list(st, f, &list));
    size_t n = igny8_models_count(list);
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++)
        names[i] = NULL;
    char *json = NULL;
    assert_igny8_ok(igny8_model_list_json(st, f, &json));
    cJSON *arr = cJSON_Parse(json);
    igny8_free(json);
    assert_true(cJSON_IsArray(arr));
    assert_int_equal((size_t)cJSON_GetArraySize(arr), n);
    static char keep[64][130];
    for (size_t i = 0; i < n; i++) {
        const igny8_model *m = igny8_models_at(list, i);
        assert_non_null(m);
        assert_string_equal(str_of(cJSON_GetArrayItem(arr, (int)i), "model_name"), igny8_model_name(m));
        assert_true(i < 64);
        snprintf(keep[i], sizeof(keep[i]), "%s", igny8_model_name(m));
        names[i] = keep[i];
        if (f && f->provider)
            assert_string_equal(igny8_model_provider(m), f->provider);
        if (f && f->model_type)
            assert_int_equal(igny8_model_type(m), f->model_type);
        if (f && f->active)
            assert_int_equal(igny8_model_is_active(m), f->active == IGNY8_FILTER_ACTIVE);
        if (i > 0)
            assert_true(strcmp(names[i - 1], names[i]) < 0);  /* ordered by model_name */
    }
    assert_null(igny8_models_at(list, n));
    cJSON_Delete(arr);
    igny8_models_free(list);
    return n;
}

static size_t count_defaults(igny8_store *st, int type)
{
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    f.model_type = type;
    igny8_models *list = NULL;
    assert_igny8_ok(igny8_model_list(st, &f, &list));
    size_t d = 0;
    for (size_t i = 0; i < igny8_models_count(list); i++)
        d += igny8_model_is_default(igny8_models_at(list, i)) != 0;
    igny8_models_free(list);
    return d;
}

/* ---- add ---- */

static void test_model__add_round_trips_every_field(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = NULL;
    assert_igny8_ok(igny8_model_add_json(st, "ops",
        "{\"model_name\":\"claude-test-1\",\"display_name\":\"Claude Test\",\"provider\":\"anthropic\","
        "\"model_type\":\"text\",\"input_cost_per_1k\":0.001,\"output_cost_per_1k\":0.002,"
        "\"tokens_per_credit\":750,\"max_output_tokens\":4096,\"is_active\":false,\"is_default\":false}", &m));
    assert_non_null(m);
    assert_string_equal(igny8_model_name(m), "claude-test-1");
    assert_string_equal(igny8_model_display_name(m), "Claude Test");
    assert_string_equal(igny8_model_provider(m), "anthropic");
    assert_string_equal(igny8_model_integration(m), "anthropic");
    assert_int_equal(igny8_model_type(m), IGNY8_MODEL_TEXT);
    assert_close(igny8_model_input_cost_per_1k(m), 0.001);
    assert_close(igny8_model_output_cost_per_1k(m), 0.002);
    assert_true(isnan(igny8_model_cost_per_image(m)));
    assert_int_equal(igny8_model_tokens_per_credit(m), 750);
    assert_int_equal(igny8_model_credits_per_image(m), 0);
    assert_int_equal(igny8_model_max_output_tokens(m), 4096);
    assert_int_equal(igny8_model_is_active(m), 0);
    assert_int_equal(igny8_model_is_default(m), 0);
    assert_string_equal(igny8_model_updated_by(m), "ops");
    assert_non_null(igny8_model_updated_at(m));
    assert_int_equal(strlen(igny8_model_updated_at(m)), 24);
    assert_int_equal(igny8_model_updated_at(m)[23], 'Z');
    igny8_model_free(m);

    /* the stored model is the same as the one handed back, and so is its JSON view */
    m = get(st, "claude-test-1");
    cJSON *j = model_json(m);
    assert_string_equal(str_of(j, "model_name"), "claude-test-1");
    assert_string_equal(str_of(j, "display_name"), "Claude Test");
    assert_string_equal(str_of(j, "provider"), "anthropic");
    assert_string_equal(str_of(j, "integration"), "anthropic");
    assert_string_equal(str_of(j, "model_type"), "text");
    assert_close(num_of(j, "input_cost_per_1k"), 0.001);
    assert_close(num_of(j, "output_cost_per_1k"), 0.002);
    assert_null_item(j, "cost_per_image");
    assert_int_equal((int)num_of(j, "tokens_per_credit"), 750);
    assert_null_item(j, "credits_per_image");
    assert_int_equal((int)num_of(j, "max_output_tokens"), 4096);
    assert_false(bool_of(j, "is_active"));
    assert_false(bool_of(j, "is_default"));
    assert_string_equal(str_of(j, "updated_by"), "ops");
    assert_string_equal(str_of(j, "updated_at"), igny8_model_updated_at(m));
    cJSON_Delete(j);
    igny8_model_free(m);

    /* an OpenAI image model belongs to the dalle integration */
    assert_igny8_ok(igny8_model_add_json(st, "ops",
        "{\"model_name\":\"gpt-image-test\",\"display_name\":\"GPT Image\",\"provider\":\"openai\","
        "\"model_type\":\"image\",\"cost_per_image\":0.07,\"credits_per_image\":9}", &m));
    assert_string_equal(igny8_model_integration(m), "dalle");
    assert_int_equal(igny8_model_type(m), IGNY8_MODEL_IMAGE);
    assert_close(igny8_model_cost_per_image(m), 0.07);
    assert_int_equal(igny8_model_credits_per_image(m), 9);
    assert_true(isnan(igny8_model_input_cost_per_1k(m)));
    assert_true(isnan(igny8_model_output_cost_per_1k(m)));
    assert_int_equal(igny8_model_tokens_per_credit(m), 0);
    assert_int_equal(igny8_model_max_output_tokens(m), 0);
    j = model_json(m);
    assert_string_equal(str_of(j, "model_type"), "image");
    assert_string_equal(str_of(j, "integration"), "dalle");
    assert_close(num_of(j, "cost_per_image"), 0.07);
    assert_int_equal((int)num_of(j, "credits_per_image"), 9);
    assert_null_item(j, "input_cost_per_1k");
    assert_null_item(j, "output_cost_per_1k");
    assert_null_item(j, "tokens_per_credit");
    assert_null_item(j, "max_output_tokens");
    cJSON_Delete(j);
    igny8_model_free(m);
}

static void test_model__add_defaults_display_name_and_active(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = NULL;
    assert_igny8_ok(igny8_model_add_json(st, "ops", "{\"model_name\":\"bare-model\"," TEXT_MIN "}", &m));
    assert_string_equal(igny8_model_display_name(m), "bare-model");
    assert_int_equal(igny8_model_is_active(m), 1);
    assert_int_equal(igny8_model_is_default(m), 0);
    assert_true(isnan(igny8_model_input_cost_per_1k(m)));
    assert_true(isnan(igny8_model_output_cost_per_1k(m)));
    assert_int_equal(igny8_model_tokens_per_credit(m), 0);
    assert_int_equal(igny8_model_max_output_tokens(m), 0);
    cJSON *j = model_json(m);
    assert_string_equal(str_of(j, "display_name"), "bare-model");
    assert_true(bool_of(j, "is_active"));
    assert_null_item(j, "input_cost_per_1k");
    assert_null_item(j, "output_cost_per_1k");
    assert_null_item(j, "tokens_per_credit");
    cJSON_Delete(j);
    igny8_model_free(m);

    /* out may be NULL */
    assert_igny8_ok(igny8_model_add_json(st, "ops", "{\"model_name\":\"bare-model-2\"," TEXT_MIN "}", NULL));
    assert_true(exists(st, "bare-model-2"));
}

struct bad_add { const char *json; int code; const char *field; };

static void test_model__add_validation_errors_name_their_field(void **state)
{
    igny8_store *st = *state;
    char long_name[200];
    snprintf(long_name, sizeof(long_name), "{\"model_name\":\"%0129d\"," TEXT_MIN "}", 7);
    const struct bad_add bad[] = {
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"colour\":\"red\"}", IGNY8_EINVAL, "colour" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"input_cost_per_1k\":\"0.1\"}", IGNY8_EINVAL, "input_cost_per_1k" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"output_cost_per_1k\":true}", IGNY8_EINVAL, "output_cost_per_1k" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"input_cost_per_1k\":-0.5}", IGNY8_EINVAL, "input_cost_per_1k" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\",\"model_type\":\"image\",\"cost_per_image\":-1}",
          IGNY8_EINVAL, "cost_per_image" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"max_output_tokens\":0}", IGNY8_EINVAL, "max_output_tokens" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"max_output_tokens\":-5}", IGNY8_EINVAL, "max_output_tokens" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"tokens_per_credit\":1.5}", IGNY8_EINVAL, "tokens_per_credit" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"is_active\":\"yes\"}", IGNY8_EINVAL, "is_active" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"display_name\":\"\"}", IGNY8_EINVAL, "display_name" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\",\"model_type\":\"video\"}", IGNY8_EINVAL, "model_type" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\",\"model_type\":1}", IGNY8_EINVAL, "model_type" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"acme\",\"model_type\":\"text\"}", IGNY8_ENOTFOUND, "provider" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"anthropic\",\"model_type\":\"image\"}", IGNY8_EINVAL, "model_type" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"runware\",\"model_type\":\"text\"}", IGNY8_EINVAL, "model_type" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\",\"model_type\":\"image\",\"input_cost_per_1k\":0.1}",
          IGNY8_EINVAL, "input_cost_per_1k" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\",\"model_type\":\"image\",\"output_cost_per_1k\":0.1}",
          IGNY8_EINVAL, "output_cost_per_1k" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\",\"model_type\":\"image\",\"tokens_per_credit\":10}",
          IGNY8_EINVAL, "tokens_per_credit" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"cost_per_image\":0.04}", IGNY8_EINVAL, "cost_per_image" },
        { "{\"model_name\":\"bad-1\"," TEXT_MIN ",\"credits_per_image\":2}", IGNY8_EINVAL, "credits_per_image" },
        { "{\"model_name\":\"gpt-4o\"," TEXT_MIN "}", IGNY8_EEXISTS, "model_name" },
        { "{\"model_name\":\"bad name\"," TEXT_MIN "}", IGNY8_EINVAL, "model_name" },
        { "{\"model_name\":\"bad;drop\"," TEXT_MIN "}", IGNY8_EINVAL, "model_name" },
        { "{\"model_name\":\"caf\xc3\xa9\"," TEXT_MIN "}", IGNY8_EINVAL, "model_name" },
        { "{\"model_name\":\"\"," TEXT_MIN "}", IGNY8_EINVAL, "model_name" },
        { "{\"model_name\":42," TEXT_MIN "}", IGNY8_EINVAL, "model_name" },
        { long_name, IGNY8_EINVAL, "model_name" },
        { "{" TEXT_MIN "}", IGNY8_EINVAL, "model_name" },
        { "{\"model_name\":\"bad-1\",\"model_type\":\"text\"}", IGNY8_EINVAL, "provider" },
        { "{\"model_name\":\"bad-1\",\"provider\":\"openai\"}", IGNY8_EINVAL, "model_type" },
    };
    int audits = testutil_audit_count(st);
    igny8_model *gpt4o = get(st, "gpt-4o");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        igny8_model *out = (igny8_model *)&out;  /* a non-NULL sentinel */
        int rc = igny8_model_add_json(st, "ops", bad[i].json, &out);
        if (rc != bad[i].code)
            fail_msg("case %zu (%s) -> %d, expected %d", i, bad[i].json, rc, bad[i].code);
        assert_igny8_fails(bad[i].code, bad[i].field, rc);
        assert_null(out);
        testutil_assert_not_contains(igny8_error_last()->message, "\n");
    }
    assert_false(exists(st, "bad-1"));
    assert_int_equal(testutil_audit_count(st), audits);
    /* the existing model a duplicate named is untouched */
    igny8_model *again = get(st, "gpt-4o");
    assert_string_equal(igny8_model_display_name(again), igny8_model_display_name(gpt4o));
    assert_string_equal(igny8_model_updated_at(again), igny8_model_updated_at(gpt4o));
    igny8_model_free(again);
    igny8_model_free(gpt4o);
}

static void test_model__duplicate_name_is_eexists(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EEXISTS, "model_name",
                       igny8_model_add_json(st, "ops", "{\"model_name\":\"gpt-4o-mini\",\"display_name\":\"Dup\","
                                            TEXT_MIN "}", NULL));
    testutil_assert_contains(igny8_error_last()->message, "gpt-4o-mini");
    igny8_model *m = get(st, "gpt-4o-mini");
    assert_string_equal(igny8_model_display_name(m), "GPT-4o mini");
    assert_int_equal(igny8_model_is_default(m), 1);
    igny8_model_free(m);
    assert_int_equal(testutil_audit_count(st), audits);
}

static void test_model__second_default_is_rejected(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EEXISTS, "is_default",
                       igny8_model_add_json(st, "ops", "{\"model_name\":\"new-default\"," TEXT_MIN
                                            ",\"is_default\":true}", NULL));
    testutil_assert_contains(igny8_error_last()->message, "gpt-4o-mini");
    assert_false(exists(st, "new-default"));
    assert_igny8_fails(IGNY8_EEXISTS, "is_default",
                       igny8_model_add_json(st, "ops", "{\"model_name\":\"new-image\",\"provider\":\"runware\","
                                            "\"model_type\":\"image\",\"is_default\":true}", NULL));
    assert_false(exists(st, "new-image"));
    /* and through a patch */
    assert_igny8_fails(IGNY8_EEXISTS, "is_default",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"is_default\":true}", NULL));
    assert_int_equal(testutil_audit_count(st), audits);
    assert_true(is_default(st, "gpt-4o-mini"));
    assert_false(is_default(st, "gpt-4o"));
    assert_true(is_default(st, "dall-e-3"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_TEXT), 1);
    assert_int_equal(count_defaults(st, IGNY8_MODEL_IMAGE), 1);
    /* re-asserting the default on the model that holds it is fine */
    assert_igny8_ok(igny8_model_update_json(st, "ops", "gpt-4o-mini", "{\"is_default\":true}", NULL));
    assert_true(is_default(st, "gpt-4o-mini"));
}

static void test_model__set_default_moves_the_default(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_model_set_default(st, "ops", "gpt-4o"));
    assert_true(is_default(st, "gpt-4o"));
    assert_false(is_default(st, "gpt-4o-mini"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_TEXT), 1);
    /* the other type's default is untouched */
    assert_true(is_default(st, "dall-e-3"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_IMAGE), 1);
    /* two entries: the old default losing the flag, the new one gaining it */
    assert_int_equal(testutil_audit_count(st), audits + 2);
    const cJSON *e;
    cJSON *j = assert_last_audit(st, "gpt-4o", "set_default", "ops", &e);
    assert_false(bool_of(item(e, "before"), "is_default"));
    assert_true(bool_of(item(e, "after"), "is_default"));
    cJSON_Delete(j);
    igny8_model *old = NULL;
    assert_igny8_ok(igny8_model_get(st, "gpt-4o-mini", &old));
    assert_string_equal(igny8_model_updated_by(old), "ops");
    igny8_model_free(old);
    /* setting the default that is already the default writes nothing */
    audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_model_set_default(st, "ops", "gpt-4o"));
    assert_int_equal(testutil_audit_count(st), audits);

    assert_igny8_ok(igny8_model_set_default(st, "ops", "runware:101@1"));
    assert_true(is_default(st, "runware:101@1"));
    assert_false(is_default(st, "dall-e-3"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_IMAGE), 1);
    assert_true(is_default(st, "gpt-4o"));

    /* the old default may be deactivated now, and setting the current default again is fine */
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4o-mini", 0));
    assert_igny8_ok(igny8_model_set_default(st, "ops", "gpt-4o"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_TEXT), 1);

    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_model_set_default(st, "ops", "no-such-model"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_TEXT), 1);
}

static void test_model__inactive_model_cannot_become_default(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_model_set_default(st, "ops", "gpt-4.1"));
    testutil_assert_contains(igny8_error_last()->message, "gpt-4.1");
    assert_igny8_fails(IGNY8_EINVAL, "is_default",
                       igny8_model_add_json(st, "ops", "{\"model_name\":\"off-default\"," TEXT_MIN
                                            ",\"is_active\":false,\"is_default\":true}", NULL));
    assert_int_equal(testutil_audit_count(st), audits);
    assert_false(is_default(st, "gpt-4.1"));
    assert_true(is_default(st, "gpt-4o-mini"));
    assert_int_equal(count_defaults(st, IGNY8_MODEL_TEXT), 1);
}

static void test_model__deactivating_the_default_is_refused(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, "is_active", igny8_model_set_active(st, "ops", "gpt-4o-mini", 0));
    testutil_assert_contains(igny8_error_last()->message, "gpt-4o-mini");
    assert_igny8_fails(IGNY8_EINVAL, "is_active",
                       igny8_model_update_json(st, "ops", "dall-e-3", "{\"is_active\":false}", NULL));
    assert_int_equal(testutil_audit_count(st), audits);
    igny8_model *m = get(st, "gpt-4o-mini");
    assert_int_equal(igny8_model_is_active(m), 1);
    assert_int_equal(igny8_model_is_default(m), 1);
    igny8_model_free(m);
    m = get(st, "dall-e-3");
    assert_int_equal(igny8_model_is_active(m), 1);
    igny8_model_free(m);
}

/* ---- update ---- */

static void test_model__update_changes_only_given_fields(void **state)
{
    igny8_store *st = *state;
    igny8_model *before = get(st, "gpt-4o"), *after = NULL;
    assert_igny8_ok(igny8_model_update_json(st, "editor", "gpt-4o",
                                            "{\"display_name\":\"GPT-4o (2024)\",\"output_cost_per_1k\":0.011}",
                                            &after));
    assert_non_null(after);
    assert_string_equal(igny8_model_display_name(after), "GPT-4o (2024)");
    assert_close(igny8_model_output_cost_per_1k(after), 0.011);
    assert_close(igny8_model_input_cost_per_1k(after), igny8_model_input_cost_per_1k(before));
    assert_int_equal(igny8_model_tokens_per_credit(after), igny8_model_tokens_per_credit(before));
    assert_int_equal(igny8_model_max_output_tokens(after), igny8_model_max_output_tokens(before));
    assert_int_equal(igny8_model_is_active(after), igny8_model_is_active(before));
    assert_int_equal(igny8_model_is_default(after), igny8_model_is_default(before));
    assert_string_equal(igny8_model_provider(after), "openai");
    assert_string_equal(igny8_model_updated_by(after), "editor");
    igny8_model_free(after);
    /* the store agrees with the returned snapshot */
    after = get(st, "gpt-4o");
    assert_string_equal(igny8_model_display_name(after), "GPT-4o (2024)");
    assert_close(igny8_model_output_cost_per_1k(after), 0.011);
    igny8_model_free(after);

    const cJSON *e;
    cJSON *j = assert_last_audit(st, "gpt-4o", "update", "editor", &e);
    assert_string_equal(str_of(item(e, "before"), "display_name"), "GPT-4o");
    assert_string_equal(str_of(item(e, "after"), "display_name"), "GPT-4o (2024)");
    assert_close(num_of(item(e, "before"), "output_cost_per_1k"), 0.01);
    assert_close(num_of(item(e, "after"), "output_cost_per_1k"), 0.011);
    cJSON_Delete(j);
    igny8_model_free(before);
}

static void test_model__update_null_clears_a_price(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = NULL;
    assert_igny8_ok(igny8_model_update_json(st, "ops", "gpt-4.1", "{\"input_cost_per_1k\":null}", &m));
    assert_true(isnan(igny8_model_input_cost_per_1k(m)));
    assert_close(igny8_model_output_cost_per_1k(m), 0.008);
    cJSON *j = model_json(m);
    assert_null_item(j, "input_cost_per_1k");
    cJSON_Delete(j);
    igny8_model_free(m);
    m = get(st, "gpt-4.1");
    assert_true(isnan(igny8_model_input_cost_per_1k(m)));
    igny8_cost cost = { -1.0, -1 };
    assert_igny8_fails(IGNY8_ENOTFOUND, "input_cost_per_1k", igny8_model_estimate_cost(m, 10, 10, 0, &cost));
    igny8_model_free(m);

    assert_igny8_ok(igny8_model_update_json(st, "ops", "dall-e-2", "{\"cost_per_image\":null}", NULL));
    m = get(st, "dall-e-2");
    assert_true(isnan(igny8_model_cost_per_image(m)));
    igny8_model_free(m);
}

static void test_model__update_cannot_change_identity(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    igny8_model *out = (igny8_model *)&out;
    assert_igny8_fails(IGNY8_EINVAL, "model_name",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"model_name\":\"gpt-5\"}", &out));
    assert_null(out);
    assert_igny8_fails(IGNY8_EINVAL, "provider",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"provider\":\"anthropic\"}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "model_type",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"model_type\":\"image\"}", NULL));
    /* a bad field later in the patch leaves the earlier ones unwritten too */
    assert_igny8_fails(IGNY8_EINVAL, "colour",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"display_name\":\"X\",\"colour\":1}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "cost_per_image",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"cost_per_image\":0.1}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "max_output_tokens",
                       igny8_model_update_json(st, "ops", "gpt-4o", "{\"max_output_tokens\":0}", NULL));
    assert_igny8_fails(IGNY8_ENOTFOUND, "model",
                       igny8_model_update_json(st, "ops", "no-such-model", "{\"display_name\":\"X\"}", NULL));
    assert_int_equal(testutil_audit_count(st), audits);
    igny8_model *m = get(st, "gpt-4o");
    assert_string_equal(igny8_model_display_name(m), "GPT-4o");
    assert_string_equal(igny8_model_provider(m), "openai");
    assert_int_equal(igny8_model_type(m), IGNY8_MODEL_TEXT);
    igny8_model_free(m);
    assert_false(exists(st, "gpt-5"));
}

static void test_model__update_accepts_same_identity_and_full_view(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_model_update_json(st, "ops", "gpt-4o",
                                            "{\"model_name\":\"gpt-4o\",\"provider\":\"openai\","
                                            "\"model_type\":\"text\",\"display_name\":\"GPT-4o!\"}", NULL));
    igny8_model *m = get(st, "gpt-4o");
    assert_string_equal(igny8_model_display_name(m), "GPT-4o!");
    /* a whole to_json view is a valid patch and changes nothing it shows */
    char *view = NULL;
    assert_igny8_ok(igny8_model_to_json(m, &view));
    igny8_model *again = NULL;
    assert_igny8_ok(igny8_model_update_json(st, "ops", "gpt-4o", view, &again));
    igny8_free(view);
    cJSON *a = model_json(m), *b = model_json(again);
    cJSON_DeleteItemFromObject(a, "updated_at");
    cJSON_DeleteItemFromObject(b, "updated_at");
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    igny8_model_free(again);
    igny8_model_free(m);

    /* the same for an image model and for the default */
    m = get(st, "dall-e-3");
    assert_igny8_ok(igny8_model_to_json(m, &view));
    assert_igny8_ok(igny8_model_update_json(st, "ops", "dall-e-3", view, NULL));
    igny8_free(view);
    igny8_model_free(m);
    assert_true(is_default(st, "dall-e-3"));
}

/* ---- activity and listing ---- */

static void test_model__set_active(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_model_set_active(st, "ops", "claude-3-sonnet", 0));
    igny8_model *m = get(st, "claude-3-sonnet");
    assert_int_equal(igny8_model_is_active(m), 0);
    igny8_model_free(m);
    cJSON *j = assert_last_audit(st, "claude-3-sonnet", "deactivate", "ops", NULL);
    cJSON_Delete(j);

    assert_igny8_ok(igny8_model_set_active(st, "ops2", "claude-3-sonnet", 5));  /* any non-zero is on */
    m = get(st, "claude-3-sonnet");
    assert_int_equal(igny8_model_is_active(m), 1);
    igny8_model_free(m);
    j = assert_last_audit(st, "claude-3-sonnet", "activate", "ops2", NULL);
    cJSON_Delete(j);

    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_ENOTFOUND, "model", igny8_model_set_active(st, "ops", "no-such-model", 0));
    assert_int_equal(testutil_audit_count(st), audits);
}

static void test_model__list_filters(void **state)
{
    igny8_store *st = *state;
    const char *names[64];
    assert_int_equal(list_names(st, NULL, names, 64), 12);
    assert_string_equal(names[0], "claude-3-5-haiku-20241022");
    assert_string_equal(names[11], "runware:101@1");

    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    assert_int_equal(list_names(st, &f, names, 64), 12);
    f.provider = "anthropic";
    assert_int_equal(list_names(st, &f, names, 64), 3);
    f.provider = "openai";
    assert_int_equal(list_names(st, &f, names, 64), 7);
    f.model_type = IGNY8_MODEL_IMAGE;
    assert_int_equal(list_names(st, &f, names, 64), 2);
    assert_string_equal(names[0], "dall-e-2");
    assert_string_equal(names[1], "dall-e-3");
    f.provider = NULL;
    assert_int_equal(list_names(st, &f, names, 64), 4);
    f.model_type = IGNY8_MODEL_TEXT;
    assert_int_equal(list_names(st, &f, names, 64), 8);
    f.provider = "nobody";
    f.model_type = 0;
    assert_int_equal(list_names(st, &f, names, 64), 0);

    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));
    assert_igny8_ok(igny8_model_set_active(st, "ops", "runware:100@1", 0));
    f.provider = NULL;
    f.active = IGNY8_FILTER_INACTIVE;
    assert_int_equal(list_names(st, &f, names, 64), 2);
    assert_string_equal(names[0], "gpt-4.1");
    assert_string_equal(names[1], "runware:100@1");
    f.active = IGNY8_FILTER_ACTIVE;
    assert_int_equal(list_names(st, &f, names, 64), 10);
    f.model_type = IGNY8_MODEL_IMAGE;
    assert_int_equal(list_names(st, &f, names, 64), 3);
    f.model_type = IGNY8_MODEL_TEXT;
    f.active = IGNY8_FILTER_INACTIVE;
    assert_int_equal(list_names(st, &f, names, 64), 1);
    assert_string_equal(names[0], "gpt-4.1");
}

static void test_model__list_bad_filter_and_accessors(void **state)
{
    igny8_store *st = *state;
    igny8_models *list = (igny8_models *)&list;
    char *json = (char *)&json;
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    f.model_type = 7;
    assert_igny8_fails(IGNY8_EINVAL, "model_type", igny8_model_list(st, &f, &list));
    assert_null(list);
    assert_igny8_fails(IGNY8_EINVAL, "model_type", igny8_model_list_json(st, &f, &json));
    assert_null(json);
    f.model_type = 0;
    f.active = 3;
    assert_igny8_fails(IGNY8_EINVAL, "active", igny8_model_list(st, &f, &list));
    f.active = 0;
    f.version = 0;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_list(st, &f, &list));
    f.version = 999;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_list(st, &f, &list));
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_filter_init(&f, 0));
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_model_filter_init(&f, 999));
    memset(&f, 0x5a, sizeof(f));
    assert_igny8_ok(igny8_model_filter_init(&f, IGNY8_MODEL_FILTER_VERSION));
    assert_int_equal(f.version, IGNY8_MODEL_FILTER_VERSION);
    assert_null(f.provider);
    assert_int_equal(f.model_type, 0);
    assert_int_equal(f.active, 0);

    assert_int_equal(igny8_models_count(NULL), 0);
    assert_null(igny8_models_at(NULL, 0));
    assert_igny8_ok(igny8_model_list(st, NULL, &list));
    assert_int_equal(igny8_models_count(list), 12);
    assert_non_null(igny8_models_at(list, 11));
    assert_null(igny8_models_at(list, 12));
    assert_null(igny8_models_at(list, (size_t)-1));
    igny8_models_free(list);
    igny8_models_free(NULL);
    igny8_model_free(NULL);

    assert_string_equal(igny8_model_type_name(IGNY8_MODEL_TEXT), "text");
    assert_string_equal(igny8_model_type_name(IGNY8_MODEL_IMAGE), "image");
    assert_null(igny8_model_type_name(0));
    assert_null(igny8_model_type_name(3));
}

/* ---- cost ---- */

static void test_model__estimate_text_cost(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = get(st, "gpt-4o-mini");
    igny8_cost c = { -1.0, -1 };
    assert_igny8_ok(igny8_model_estimate_cost(m, 1000, 500, 0, &c));
    assert_close(c.usd, 0.00015 + 0.0003);
    assert_int_equal(c.credits, 1);  /* ceil(1500 / 2000) */
    assert_igny8_ok(igny8_model_estimate_cost(m, 2000, 1, 0, &c));
    assert_int_equal(c.credits, 2);  /* 2001 tokens: rounded up */
    assert_igny8_ok(igny8_model_estimate_cost(m, 4000, 0, 0, &c));
    assert_int_equal(c.credits, 2);
    assert_close(c.usd, 0.0006);
    assert_igny8_ok(igny8_model_estimate_cost(m, 0, 0, 0, &c));
    assert_close(c.usd, 0.0);
    assert_int_equal(c.credits, 0);
    igny8_model_free(m);

    m = get(st, "gpt-4o");
    assert_igny8_ok(igny8_model_estimate_cost(m, 10000, 2000, 0, &c));
    assert_close(c.usd, 0.025 + 0.02);
    assert_int_equal(c.credits, 24);  /* 12000 / 500 */
    igny8_model_free(m);
}

static void test_model__estimate_image_cost(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = get(st, "dall-e-3");
    igny8_cost c = { -1.0, -1 };
    assert_igny8_ok(igny8_model_estimate_cost(m, 0, 0, 3, &c));
    assert_close(c.usd, 0.12);
    assert_int_equal(c.credits, 15);
    igny8_model_free(m);
    m = get(st, "runware:100@1");
    assert_igny8_ok(igny8_model_estimate_cost(m, 0, 0, 1000, &c));
    assert_close(c.usd, 1.3);
    assert_int_equal(c.credits, 1000);
    igny8_model_free(m);
}

static void test_model__estimate_without_price_is_enotfound(void **state)
{
    igny8_store *st = *state;
    struct { const char *json; const char *name; int64_t in, outk, images; const char *field; } cases[] = {
        { "{\"model_name\":\"np-1\"," TEXT_MIN "}", "np-1", 100, 100, 0, "input_cost_per_1k" },
        { "{\"model_name\":\"np-2\"," TEXT_MIN ",\"input_cost_per_1k\":0.1}", "np-2", 100, 100, 0,
          "output_cost_per_1k" },
        { "{\"model_name\":\"np-3\"," TEXT_MIN ",\"input_cost_per_1k\":0.1,\"output_cost_per_1k\":0.1}", "np-3",
          100, 100, 0, "tokens_per_credit" },
        { "{\"model_name\":\"np-4\",\"provider\":\"runware\",\"model_type\":\"image\"}", "np-4", 0, 0, 2,
          "cost_per_image" },
        { "{\"model_name\":\"np-5\",\"provider\":\"runware\",\"model_type\":\"image\",\"cost_per_image\":0.01}",
          "np-5", 0, 0, 2, "credits_per_image" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        igny8_model *m = NULL;
        assert_igny8_ok(igny8_model_add_json(st, "ops", cases[i].json, &m));
        igny8_cost c = { -1.0, -1 };
        assert_igny8_fails(IGNY8_ENOTFOUND, cases[i].field,
                           igny8_model_estimate_cost(m, cases[i].in, cases[i].outk, cases[i].images, &c));
        testutil_assert_contains(igny8_error_last()->message, cases[i].name);
        /* never a silent cost of 0 */
        assert_true(c.usd != 0.0 || c.credits != 0);
        igny8_model_free(m);
    }
}

static void test_model__estimate_bad_counts_are_einval(void **state)
{
    igny8_store *st = *state;
    igny8_model *text = get(st, "gpt-4o-mini"), *image = get(st, "dall-e-3");
    igny8_cost c;
    assert_igny8_fails(IGNY8_EINVAL, "images", igny8_model_estimate_cost(text, 10, 10, 1, &c));
    assert_igny8_fails(IGNY8_EINVAL, "input_tokens", igny8_model_estimate_cost(image, 10, 0, 1, &c));
    assert_igny8_fails(IGNY8_EINVAL, "input_tokens", igny8_model_estimate_cost(image, 0, 10, 1, &c));
    assert_igny8_fails(IGNY8_EINVAL, "input_tokens", igny8_model_estimate_cost(text, -1, 0, 0, &c));
    assert_igny8_fails(IGNY8_EINVAL, "output_tokens", igny8_model_estimate_cost(text, 0, -1, 0, &c));
    assert_igny8_fails(IGNY8_EINVAL, "images", igny8_model_estimate_cost(image, 0, 0, -3, &c));
    assert_igny8_fails(IGNY8_EINVAL, "input_tokens", igny8_model_estimate_cost(text, INT64_MAX, 0, 0, &c));
    assert_igny8_fails(IGNY8_EINVAL, "m", igny8_model_estimate_cost(NULL, 0, 0, 0, &c));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_model_estimate_cost(text, 0, 0, 0, NULL));
    igny8_model_free(text);
    igny8_model_free(image);
}

/* ---- audit and arguments ---- */

static void test_model__every_write_is_audited(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    const cJSON *e;

    assert_igny8_ok(igny8_model_add_json(st, "alice", "{\"model_name\":\"audited\"," TEXT_MIN "}", NULL));
    assert_int_equal(testutil_audit_count(st), ++audits);
    cJSON *j = assert_last_audit(st, "audited", "create", "alice", &e);
    assert_true(cJSON_IsNull(item(e, "before")));
    assert_string_equal(str_of(item(e, "after"), "model_name"), "audited");
    assert_string_equal(str_of(item(e, "after"), "provider"), "openai");
    cJSON_Delete(j);

    assert_igny8_ok(igny8_model_update_json(st, "bob", "audited", "{\"max_output_tokens\":100}", NULL));
    assert_int_equal(testutil_audit_count(st), ++audits);
    j = assert_last_audit(st, "audited", "update", "bob", &e);
    assert_null_item(item(e, "before"), "max_output_tokens");
    assert_int_equal((int)num_of(item(e, "after"), "max_output_tokens"), 100);
    cJSON_Delete(j);

    assert_igny8_ok(igny8_model_set_active(st, "carol", "audited", 0));
    assert_int_equal(testutil_audit_count(st), ++audits);
    j = assert_last_audit(st, "audited", "deactivate", "carol", &e);
    assert_true(bool_of(item(e, "before"), "is_active"));
    assert_false(bool_of(item(e, "after"), "is_active"));
    cJSON_Delete(j);

    assert_igny8_ok(igny8_model_set_active(st, "carol", "audited", 1));
    assert_int_equal(testutil_audit_count(st), ++audits);

    assert_igny8_ok(igny8_model_set_default(st, "dave", "audited"));
    int after_default = testutil_audit_count(st);
    assert_true(after_default > audits);
    j = audit_newest(st, (unsigned)(after_default - audits));
    const cJSON *entry;
    int found = 0;
    cJSON_ArrayForEach(entry, item(j, "entries")) {
        assert_string_equal(str_of(entry, "entity"), "model");
        assert_string_equal(str_of(entry, "actor"), "dave");
        found += strcmp(str_of(entry, "key"), "audited") == 0;
    }
    assert_int_equal(found, 1);
    cJSON_Delete(j);

    /* the entity filter sees all of them */
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.entity = "model";
    q.actor = "carol";
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    j = cJSON_Parse(json);
    igny8_free(json);
    assert_int_equal(cJSON_GetArraySize(item(j, "entries")), 2);
    cJSON_Delete(j);
}

static void test_model__null_arguments_are_einval(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = (igny8_model *)&m;
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_add_json(NULL, "ops", "{}", &m));
    assert_null(m);
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_model_add_json(st, NULL, "{\"model_name\":\"n\"," TEXT_MIN "}",
                                                                  NULL));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_model_add_json(st, "", "{\"model_name\":\"n\"," TEXT_MIN "}",
                                                                  NULL));
    assert_igny8_fails(IGNY8_EINVAL, "json", igny8_model_add_json(st, "ops", NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_update_json(NULL, "ops", "gpt-4o", "{}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_model_update_json(st, NULL, "gpt-4o", "{}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "model_name", igny8_model_update_json(st, "ops", NULL, "{}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "patch_json", igny8_model_update_json(st, "ops", "gpt-4o", NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_set_active(NULL, "ops", "gpt-4o", 0));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_model_set_active(st, NULL, "gpt-4o", 0));
    assert_igny8_fails(IGNY8_EINVAL, "model_name", igny8_model_set_active(st, "ops", NULL, 0));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_set_default(NULL, "ops", "gpt-4o"));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_model_set_default(st, NULL, "gpt-4o"));
    assert_igny8_fails(IGNY8_EINVAL, "model_name", igny8_model_set_default(st, "ops", NULL));
    m = (igny8_model *)&m;
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_get(NULL, "gpt-4o", &m));
    assert_null(m);
    assert_igny8_fails(IGNY8_EINVAL, "model_name", igny8_model_get(st, NULL, &m));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_model_get(st, "gpt-4o", NULL));
    m = (igny8_model *)&m;
    assert_igny8_fails(IGNY8_ENOTFOUND, "model", igny8_model_get(st, "no-such-model", &m));
    assert_null(m);
    igny8_models *list = NULL;
    char *json = (char *)&json;
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_list(NULL, NULL, &list));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_model_list(st, NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_model_list_json(NULL, NULL, &json));
    assert_null(json);
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_model_list_json(st, NULL, NULL));
    json = (char *)&json;
    assert_igny8_fails(IGNY8_EINVAL, "m", igny8_model_to_json(NULL, &json));
    assert_null(json);
    m = get(st, "gpt-4o");
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_model_to_json(m, NULL));
    igny8_model_free(m);
    assert_igny8_fails(IGNY8_EINVAL, "f", igny8_model_filter_init(NULL, IGNY8_MODEL_FILTER_VERSION));
    assert_int_equal(testutil_audit_count(st), audits);

    /* getters of a NULL model do not crash */
    assert_null(igny8_model_name(NULL));
    assert_null(igny8_model_display_name(NULL));
    assert_null(igny8_model_provider(NULL));
    assert_null(igny8_model_integration(NULL));
    assert_int_equal(igny8_model_type(NULL), 0);
    assert_true(isnan(igny8_model_input_cost_per_1k(NULL)));
    assert_true(isnan(igny8_model_output_cost_per_1k(NULL)));
    assert_true(isnan(igny8_model_cost_per_image(NULL)));
    assert_int_equal(igny8_model_tokens_per_credit(NULL), 0);
    assert_int_equal(igny8_model_credits_per_image(NULL), 0);
    assert_int_equal(igny8_model_max_output_tokens(NULL), 0);
    assert_int_equal(igny8_model_is_active(NULL), 0);
    assert_int_equal(igny8_model_is_default(NULL), 0);
    assert_null(igny8_model_updated_at(NULL));
    assert_null(igny8_model_updated_by(NULL));
}

#define T(name) cmocka_unit_test_setup_teardown(name, testutil_setup, testutil_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_model__add_round_trips_every_field),
        T(test_model__add_defaults_display_name_and_active),
        T(test_model__add_validation_errors_name_their_field),
        T(test_model__duplicate_name_is_eexists),
        T(test_model__second_default_is_rejected),
        T(test_model__set_default_moves_the_default),
        T(test_model__inactive_model_cannot_become_default),
        T(test_model__deactivating_the_default_is_refused),
        T(test_model__update_changes_only_given_fields),
        T(test_model__update_null_clears_a_price),
        T(test_model__update_cannot_change_identity),
        T(test_model__update_accepts_same_identity_and_full_view),
        T(test_model__set_active),
        T(test_model__list_filters),
        T(test_model__list_bad_filter_and_accessors),
        T(test_model__estimate_text_cost),
        T(test_model__estimate_image_cost),
        T(test_model__estimate_without_price_is_enotfound),
        T(test_model__estimate_bad_counts_are_einval),
        T(test_model__every_write_is_audited),
        T(test_model__null_arguments_are_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
