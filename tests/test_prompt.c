/* Prompt templates: immutable versions, publish/rollback, bulk actions, accounts'
 * customisations with staleness and reset, rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 42

static int commit(igny8_store *st, const char *type, const char *value, const char *message, int publish)
{
    igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    o.prompt_type = type;
    o.value = value;
    o.message = message;
    o.publish = publish;
    igny8_prompt *p = NULL;
    int rc = igny8_prompt_commit(st, "editor", &o, &p);
    int version = p ? igny8_prompt_version(p) : -1;
    igny8_prompt_free(p);
    return rc == IGNY8_OK ? version : rc;
}

static char *value_of(igny8_store *st, const char *type, int version)
{
    igny8_prompt *p = NULL;
    assert_igny8_ok(igny8_prompt_get(st, type, version, &p));
    char *v = strdup(igny8_prompt_value(p));
    igny8_prompt_free(p);
    return v;
}

static char *versions(igny8_store *st, const char *type)
{
    char *j = NULL;
    return testutil_take(igny8_prompt_versions_json(st, type, &j), &j);
}

static cJSON *account_view(igny8_store *st, int64_t account, const char *type)
{
    char *j = NULL;
    assert_igny8_ok(igny8_account_prompt_get_json(st, account, type, &j));
    cJSON *v = cJSON_Parse(j);
    igny8_free(j);
    assert_non_null(v);
    return v;
}

static void test_prompt__defaults_are_published_with_their_variables(void **state)
{
    igny8_store *st = *state;
    char *j = NULL;
    assert_igny8_ok(igny8_prompt_list_json(st, &j));
    cJSON *list = cJSON_Parse(j);
    igny8_free(j);
    assert_int_equal(cJSON_GetArraySize(list), 10);
    cJSON *e;
    cJSON_ArrayForEach(e, list) {
        assert_int_equal(cJSON_GetObjectItem(e, "published_version")->valueint, 1);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "is_active")));
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(e, "variables")) > 0);
    }
    cJSON_Delete(list);
    igny8_prompt *p = NULL;
    assert_igny8_ok(igny8_prompt_get(st, "clustering", 0, &p));
    assert_string_equal(igny8_prompt_variables_json(p), "[\"site_name\",\"industry\",\"audience\",\"keywords\"]");
    assert_true(igny8_prompt_is_published(p));
    assert_string_equal(igny8_prompt_message(p), "shipped default");
    igny8_prompt_free(p);
}

static void test_prompt__commit_adds_an_immutable_version(void **state)
{
    igny8_store *st = *state;
    char *v1 = value_of(st, "ideas", 1);
    assert_int_equal(commit(st, "ideas", "Ideas for {topic} and {topic} for {site}", "shorter", 0), 2);
    igny8_prompt *p = NULL;
    assert_igny8_ok(igny8_prompt_get(st, "ideas", 2, &p));
    assert_string_equal(igny8_prompt_variables_json(p), "[\"topic\",\"site\"]");
    assert_string_equal(igny8_prompt_message(p), "shorter");
    assert_string_equal(igny8_prompt_author(p), "editor");
    assert_false(igny8_prompt_is_published(p));
    /* no description given: the previous version's is kept */
    assert_string_equal(igny8_prompt_description(p), "Turn a keyword cluster into content ideas");
    igny8_prompt_free(p);
    /* still v1 published; v1 unchanged */
    assert_igny8_ok(igny8_prompt_get(st, "ideas", 0, &p));
    assert_int_equal(igny8_prompt_version(p), 1);
    igny8_prompt_free(p);
    char *again = value_of(st, "ideas", 1);
    assert_string_equal(v1, again);
    free(v1);
    free(again);
}

static void test_prompt__versions_cannot_be_changed_even_by_sql(void **state)
{
    (void)state;
    testutil_place place;
    char err[512];
    testutil_place_new(&place);
    igny8_store *st = NULL;
    assert_igny8_ok(testutil_place_open(&place, NULL, &st));
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    igny8_store_close(st);
    assert_int_not_equal(testutil_sql(&place, "UPDATE prompt_version SET value = 'x'", err, sizeof(err)), 0);
    testutil_assert_contains(err, "immutable");
    assert_int_not_equal(testutil_sql(&place, "DELETE FROM prompt_version", err, sizeof(err)), 0);
    testutil_assert_contains(err, "never deleted");
    testutil_place_free(&place);
}

static void test_prompt__malformed_template_is_refused_and_nothing_written(void **state)
{
    igny8_store *st = *state;
    const char *bad[] = { "a {", "a }", "{}", "{0}", "{a.b}", "{a[0]}", "{a!r}", "{a:>10}", "x {1a} y" };
    char *before = versions(st, "ideas");
    int audits = testutil_audit_count(st);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_igny8_fails(IGNY8_EINVAL, "value", commit(st, "ideas", bad[i], "bad", 1));
    testutil_assert_contains(igny8_error_last()->message, "byte");
    char *after = versions(st, "ideas");
    assert_string_equal(before, after);
    assert_int_equal(audits, testutil_audit_count(st));
    free(before);
    free(after);
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_type", commit(st, "nope", "x", NULL, 0));
    assert_igny8_fails(IGNY8_EINVAL, "value", commit(st, "ideas", NULL, NULL, 0));
}

static void test_prompt__publish_and_rollback_move_only_the_pointer(void **state)
{
    igny8_store *st = *state;
    assert_int_equal(commit(st, "ideas", "v2 {topic}", "two", 1), 2);
    assert_int_equal(commit(st, "ideas", "v3 {topic}", "three", 1), 3);
    char *v3 = value_of(st, "ideas", 0);
    assert_string_equal(v3, "v3 {topic}");
    assert_igny8_ok(igny8_prompt_publish(st, "ops", "ideas", 2));
    char *now = value_of(st, "ideas", 0);
    assert_string_equal(now, "v2 {topic}");
    char *still = value_of(st, "ideas", 3);
    assert_string_equal(still, v3);
    free(v3);
    free(now);
    free(still);
    char *j = versions(st, "ideas");
    cJSON *v = cJSON_Parse(j);
    assert_int_equal(cJSON_GetObjectItem(v, "published_version")->valueint, 2);
    cJSON *list = cJSON_GetObjectItem(v, "versions");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "version")->valueint, 3);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "published")));
    cJSON_Delete(v);
    free(j);
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.entity = "prompt";
    q.limit = 1;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &j));
    testutil_assert_contains(j, "\"action\":\"rollback\"");
    igny8_free(j);
    assert_igny8_fails(IGNY8_ENOTFOUND, "version", igny8_prompt_publish(st, "ops", "ideas", 9));
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_type", igny8_prompt_publish(st, "ops", "nope", 1));
}

static void test_prompt__diff_between_versions(void **state)
{
    igny8_store *st = *state;
    assert_int_equal(commit(st, "negative_prompt", "text, letters\nblurry\nwatermark, {extra_negatives}\n", NULL, 0), 2);
    char *d = NULL;
    assert_igny8_ok(igny8_prompt_diff(st, "negative_prompt", 1, 2, &d));
    testutil_assert_contains(d, "--- negative_prompt v1\n+++ negative_prompt v2\n");
    testutil_assert_contains(d, "\n+blurry\n");
    testutil_assert_contains(d, "@@ ");
    igny8_free(d);
    assert_igny8_ok(igny8_prompt_diff(st, "negative_prompt", 2, 2, &d));
    assert_string_equal(d, "");
    igny8_free(d);
    assert_igny8_fails(IGNY8_ENOTFOUND, "version", igny8_prompt_diff(st, "negative_prompt", 1, 7, &d));
    assert_null(d);
}

static void test_prompt__inactive_type_cannot_be_rendered(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    const char *vars = "{\"extra_negatives\":\"fog\"}";
    assert_igny8_ok(igny8_prompt_render(st, 0, "negative_prompt", vars, &out));
    testutil_assert_contains(out, "fog");
    igny8_free(out);
    assert_igny8_ok(igny8_prompt_set_active(st, "ops", "negative_prompt", 0));
    assert_igny8_fails(IGNY8_EINVAL, "prompt_type", igny8_prompt_render(st, 0, "negative_prompt", vars, &out));
    testutil_assert_contains(igny8_error_last()->message, "inactive");
    assert_null(out);
    assert_igny8_ok(igny8_prompt_set_active(st, "ops", "negative_prompt", 1));
    assert_igny8_ok(igny8_prompt_render(st, ACCOUNT, "negative_prompt", vars, &out));
    igny8_free(out);
}

static void test_prompt__bulk_increment_is_all_or_nothing(void **state)
{
    igny8_store *st = *state;
    const char *good[] = { "ideas", "clustering" };
    assert_igny8_ok(igny8_prompt_increment_version(st, "ops", good, 2, "re-publish for the new tone"));
    igny8_prompt *p = NULL;
    assert_igny8_ok(igny8_prompt_get(st, "clustering", 0, &p));
    assert_int_equal(igny8_prompt_version(p), 2);
    assert_string_equal(igny8_prompt_message(p), "re-publish for the new tone");
    char *v1 = value_of(st, "clustering", 1);
    assert_string_equal(igny8_prompt_value(p), v1);
    free(v1);
    igny8_prompt_free(p);

    assert_igny8_ok(igny8_prompt_type_add(st, "ops", "unpublished"));
    const char *bad[] = { "ideas", "nope", "clustering" };
    char *before = versions(st, "ideas");
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_types[1]", igny8_prompt_increment_version(st, "ops", bad, 3, "x"));
    const char *bad2[] = { "ideas", "unpublished" };
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_types[1]", igny8_prompt_increment_version(st, "ops", bad2, 2, "x"));
    char *after = versions(st, "ideas");
    assert_string_equal(before, after);
    assert_int_equal(audits, testutil_audit_count(st));
    free(before);
    free(after);
}

static void test_prompt__bulk_set_active_is_all_or_nothing(void **state)
{
    igny8_store *st = *state;
    const char *bad[] = { "ideas", "clustering", "nope" };
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_types[2]", igny8_prompt_set_active_bulk(st, "ops", bad, 3, 0));
    char *out = NULL;
    assert_igny8_ok(igny8_prompt_render(st, 0, "image_prompt_template",
        "{\"image_type\":\"Featured\",\"title\":\"T\",\"description\":\"D\",\"image_style\":\"photo\","
        "\"aspect_hint\":\"wide\"}", &out));
    igny8_free(out);
    cJSON *v = account_view(st, ACCOUNT, "ideas");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "is_active")));
    cJSON_Delete(v);
    assert_igny8_ok(igny8_prompt_set_active_bulk(st, "ops", bad, 2, 0));
    v = account_view(st, ACCOUNT, "clustering");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(v, "is_active")));
    cJSON_Delete(v);
}

static void test_prompt__customise_stale_reset_follows_global(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_account_prompt_customize(st, "alice", ACCOUNT, "ideas", "My ideas for {topic}"));
    cJSON *v = account_view(st, ACCOUNT, "ideas");
    assert_string_equal(cJSON_GetObjectItem(v, "value")->valuestring, "My ideas for {topic}");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "is_customized")));
    assert_int_equal(cJSON_GetObjectItem(v, "based_on_version")->valueint, 1);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(v, "stale")));
    char *v1 = value_of(st, "ideas", 1);
    assert_string_equal(cJSON_GetObjectItem(v, "default_prompt")->valuestring, v1);
    free(v1);
    cJSON_Delete(v);

    assert_int_equal(commit(st, "ideas", "Global v2 for {topic}", "new", 1), 2);
    v = account_view(st, ACCOUNT, "ideas");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "stale")));
    assert_int_equal(cJSON_GetObjectItem(v, "published_version")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(v, "based_on_version")->valueint, 1);
    cJSON_Delete(v);
    char *j = NULL;
    assert_igny8_ok(igny8_prompt_stale_accounts_json(st, "ideas", &j));
    assert_string_equal(j, "{\"prompt_type\":\"ideas\",\"published_version\":2,"
                           "\"accounts\":[{\"account_id\":42,\"based_on_version\":1}]}");
    igny8_free(j);

    char *out = NULL;
    assert_igny8_ok(igny8_prompt_render(st, ACCOUNT, "ideas", "{\"topic\":\"tea\"}", &out));
    assert_string_equal(out, "My ideas for tea");
    igny8_free(out);
    assert_igny8_ok(igny8_account_prompt_reset(st, "alice", ACCOUNT, "ideas"));
    assert_igny8_ok(igny8_prompt_render(st, ACCOUNT, "ideas", "{\"topic\":\"tea\"}", &out));
    assert_string_equal(out, "Global v2 for tea");
    igny8_free(out);
    igny8_prompt *p = NULL;
    assert_igny8_ok(igny8_account_prompt_get(st, ACCOUNT, "ideas", &p));
    assert_false(igny8_prompt_is_customized(p));
    assert_false(igny8_prompt_is_stale(p));
    assert_int_equal(igny8_prompt_version(p), 2);
    igny8_prompt_free(p);
    /* resetting again is not an error */
    assert_igny8_ok(igny8_account_prompt_reset(st, "alice", ACCOUNT, "ideas"));
}

static void test_prompt__customise_errors(void **state)
{
    igny8_store *st = *state;
    assert_igny8_fails(IGNY8_EINVAL, "value", igny8_account_prompt_customize(st, "a", ACCOUNT, "ideas", "{oops"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_type", igny8_account_prompt_customize(st, "a", ACCOUNT, "nope", "x"));
    assert_igny8_ok(igny8_prompt_type_add(st, "ops", "fresh"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "version", igny8_account_prompt_customize(st, "a", ACCOUNT, "fresh", "x"));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_account_prompt_customize(st, "a", 0, "ideas", "x"));
    assert_igny8_fails(IGNY8_EEXISTS, "prompt_type", igny8_prompt_type_add(st, "ops", "fresh"));
    assert_igny8_fails(IGNY8_EINVAL, "prompt_type", igny8_prompt_type_add(st, "ops", "no spaces"));
}

static void test_prompt__bulk_reset(void **state)
{
    igny8_store *st = *state;
    for (int64_t a = 1; a <= 3; a++)
        assert_igny8_ok(igny8_account_prompt_customize(st, "alice", a, "clustering", "Mine {keywords}"));
    const int64_t bad[] = { 1, -5, 3 };
    assert_igny8_fails(IGNY8_EINVAL, "account_ids[1]", igny8_account_prompt_reset_bulk(st, "ops", bad, 3, "clustering"));
    cJSON *v = account_view(st, 1, "clustering");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "is_customized")));
    cJSON_Delete(v);
    const int64_t good[] = { 1, 3, 99 };
    assert_igny8_ok(igny8_account_prompt_reset_bulk(st, "ops", good, 3, "clustering"));
    for (int64_t a = 1; a <= 3; a++) {
        v = account_view(st, a, "clustering");
        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(v, "is_customized")), a == 2);
        cJSON_Delete(v);
    }
}

static void test_prompt__account_list_and_render_errors(void **state)
{
    igny8_store *st = *state;
    char *j = NULL;
    assert_igny8_ok(igny8_account_prompt_list_json(st, ACCOUNT, &j));
    cJSON *list = cJSON_Parse(j);
    igny8_free(j);
    assert_int_equal(cJSON_GetArraySize(list), 10);
    cJSON_Delete(list);
    char *out = NULL;
    assert_igny8_fails(IGNY8_EINVAL, "keywords",
        igny8_prompt_render(st, ACCOUNT, "clustering",
                            "{\"site_name\":\"S\",\"industry\":\"I\",\"audience\":\"A\"}", &out));
    testutil_assert_contains(igny8_error_last()->message, "keywords");
    assert_igny8_ok(igny8_prompt_render(st, ACCOUNT, "clustering",
        "{\"site_name\":\"{audience}\",\"industry\":\"tea\",\"audience\":\"buyers\",\"keywords\":\"green tea\"}", &out));
    testutil_assert_contains(out, "content for {audience}, a tea website");  /* a value is never re-scanned */
    testutil_assert_contains(out, "{\"clusters\": [{\"name\"");           /* {{ and }} are literal braces */
    igny8_free(out);
    assert_igny8_fails(IGNY8_ENOTFOUND, "prompt_type", igny8_prompt_render(st, 0, "nope", "{}", &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prompt__defaults_are_published_with_their_variables, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__commit_adds_an_immutable_version, testutil_setup, testutil_teardown),
        cmocka_unit_test(test_prompt__versions_cannot_be_changed_even_by_sql),
        cmocka_unit_test_setup_teardown(test_prompt__malformed_template_is_refused_and_nothing_written, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__publish_and_rollback_move_only_the_pointer, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__diff_between_versions, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__inactive_type_cannot_be_rendered, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__bulk_increment_is_all_or_nothing, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__bulk_set_active_is_all_or_nothing, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__customise_stale_reset_follows_global, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__customise_errors, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__bulk_reset, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_prompt__account_list_and_render_errors, testutil_setup, testutil_teardown),
    };
    return cmocka_run_group_tests_name("prompt", tests, NULL, NULL);
}
