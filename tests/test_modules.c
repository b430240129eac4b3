/* Module toggles: platform values, account overrides, the GET/PUT bodies, the audit log. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 7

/* A fresh :memory: store (no shipped defaults) with three modules of our own. */
static int setup(void **state)
{
    igny8_store *st = testutil_store(0);
    assert_igny8_ok(igny8_module_add(st, "test", "writer", "Content writer", 1));
    assert_igny8_ok(igny8_module_add(st, "test", "planner", "Keyword planner", 1));
    assert_igny8_ok(igny8_module_add(st, "test", "linker", NULL, 0));
    *state = st;
    return 0;
}

static int enabled(igny8_store *st, int64_t account_id, const char *name)
{
    int on = -5;
    assert_igny8_ok(igny8_module_enabled(st, account_id, name, &on));
    return on;
}

static cJSON *list(igny8_store *st, int64_t account_id)
{
    char *json = NULL;
    assert_igny8_ok(igny8_module_list_json(st, account_id, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    assert_non_null(j);
    return j;
}

static char *list_text(igny8_store *st, int64_t account_id)
{
    char *json = NULL;
    int rc = igny8_module_list_json(st, account_id, &json);
    return testutil_take(rc, &json);
}

/* The entry of module `name` in a GET body. */
static const cJSON *entry(const cJSON *body, const char *name)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(body, "modules"))
        if (strcmp(cJSON_GetObjectItem(m, "name")->valuestring, name) == 0)
            return m;
    fail_msg("module %s not in the body", name);
    return NULL;
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(obj, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static int bool_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(obj, key);
    assert_true(cJSON_IsBool(v));
    return cJSON_IsTrue(v);
}

/* The newest audit entry, parsed (the caller deletes the returned root). */
static cJSON *last_audit(igny8_store *st, const cJSON **out_entry)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = 1;
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    *out_entry = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entries"), 0);
    assert_non_null(*out_entry);
    return j;
}

static void test_modules__add_then_enabled_reads_platform_value(void **state)
{
    igny8_store *st = *state;
    assert_int_equal(enabled(st, 0, "planner"), 1);
    assert_int_equal(enabled(st, 0, "linker"), 0);
    assert_int_equal(enabled(st, ACCOUNT, "linker"), 0);
}

static void test_modules__add_existing_is_eexists(void **state)
{
    igny8_store *st = *state;
    int before = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EEXISTS, "name", igny8_module_add(st, "test", "planner", "again", 0));
    testutil_assert_contains(igny8_error_last()->message, "planner");
    assert_int_equal(enabled(st, 0, "planner"), 1);
    assert_int_equal(testutil_audit_count(st), before);
}

static void test_modules__add_bad_name_is_einval_naming_name(void **state)
{
    igny8_store *st = *state;
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    const char *bad[] = { "", "Planner", "two words", "dash-ed", "caf\xc3\xa9", "new\nline", long_name };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_igny8_fails(IGNY8_EINVAL, "name", igny8_module_add(st, "test", bad[i], NULL, 1));
        testutil_assert_not_contains(igny8_error_last()->message, "\n");
    }
    long_name[64] = '\0';  /* 64 characters is the limit, and allowed */
    assert_igny8_ok(igny8_module_add(st, "test", long_name, NULL, 1));
    assert_igny8_ok(igny8_module_add(st, "test", "seo_2", NULL, 1));
}

static void test_modules__bad_enabled_is_einval_naming_enabled(void **state)
{
    igny8_store *st = *state;
    assert_igny8_fails(IGNY8_EINVAL, "enabled", igny8_module_add(st, "test", "other", NULL, 2));
    testutil_assert_contains(igny8_error_last()->message, "2");
    assert_igny8_fails(IGNY8_EINVAL, "enabled", igny8_module_add(st, "test", "other", NULL, -1));
    assert_igny8_fails(IGNY8_EINVAL, "enabled", igny8_module_set(st, "test", "planner", -1));
    assert_igny8_fails(IGNY8_EINVAL, "enabled", igny8_module_account_set(st, "test", ACCOUNT, "planner", 3));
    assert_igny8_fails(IGNY8_EINVAL, "enabled", igny8_module_account_set(st, "test", ACCOUNT, "planner", -2));
    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_module_enabled(st, 0, "other", &(int){ 0 }));
}

static void test_modules__set_changes_platform_value(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_set(st, "ops", "planner", 0));
    assert_int_equal(enabled(st, 0, "planner"), 0);
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 0);
    assert_igny8_ok(igny8_module_set(st, "ops", "planner", 1));
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 1);
}

static void test_modules__unknown_module_is_enotfound(void **state)
{
    igny8_store *st = *state;
    int on = 1;
    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_module_set(st, "ops", "nosuch", 1));
    testutil_assert_contains(igny8_error_last()->message, "nosuch");
    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_module_account_set(st, "ops", ACCOUNT, "nosuch", 1));
    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_module_account_set(st, "ops", ACCOUNT, "nosuch",
                                                                      IGNY8_MODULE_INHERIT));
    assert_igny8_fails(IGNY8_ENOTFOUND, NULL, igny8_module_enabled(st, ACCOUNT, "nosuch", &on));
    assert_int_equal(on, 0);
}

static void test_modules__account_override_wins(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "planner", 0));
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "linker", 1));
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 0);
    assert_int_equal(enabled(st, ACCOUNT, "linker"), 1);
    /* the platform and other accounts are untouched */
    assert_int_equal(enabled(st, 0, "planner"), 1);
    assert_int_equal(enabled(st, 0, "linker"), 0);
    assert_int_equal(enabled(st, ACCOUNT + 1, "planner"), 1);
    /* the override still wins when the platform value changes */
    assert_igny8_ok(igny8_module_set(st, "ops", "linker", 0));
    assert_igny8_ok(igny8_module_set(st, "ops", "planner", 1));
    assert_int_equal(enabled(st, ACCOUNT, "linker"), 1);
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 0);
}

static void test_modules__inherit_follows_platform(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "planner", 0));
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "planner", IGNY8_MODULE_INHERIT));
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 1);
    assert_igny8_ok(igny8_module_set(st, "ops", "planner", 0));
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 0);
    /* inheriting without an override is allowed and changes nothing */
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "writer", IGNY8_MODULE_INHERIT));
    assert_int_equal(enabled(st, ACCOUNT, "writer"), 1);
}

static void test_modules__bad_account_id_is_einval(void **state)
{
    igny8_store *st = *state;
    int on;
    char *json = NULL;
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_module_account_set(st, "ops", 0, "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_module_account_set(st, "ops", -3, "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_module_enabled(st, -1, "planner", &on));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_module_list_json(st, -1, &json));
    assert_null(json);
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_module_put_json(st, "ops", 0, "{}", &json));
    assert_null(json);
}

static void test_modules__list_json_shape_and_order(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "writer", 0));
    cJSON *j = list(st, ACCOUNT);
    const cJSON *id = cJSON_GetObjectItem(j, "account_id");
    assert_true(cJSON_IsNumber(id));
    assert_int_equal(id->valueint, ACCOUNT);
    const cJSON *mods = cJSON_GetObjectItem(j, "modules");
    assert_int_equal(cJSON_GetArraySize(mods), 3);
    const char *order[] = { "linker", "planner", "writer" };
    for (int i = 0; i < 3; i++)
        assert_string_equal(str_of(cJSON_GetArrayItem(mods, i), "name"), order[i]);

    const cJSON *w = entry(j, "writer");
    assert_string_equal(str_of(w, "description"), "Content writer");
    assert_false(bool_of(w, "enabled"));
    assert_true(bool_of(w, "global_enabled"));
    assert_string_equal(str_of(w, "source"), "account");
    assert_int_equal(cJSON_GetArraySize(w), 5);

    const cJSON *p = entry(j, "planner");
    assert_true(bool_of(p, "enabled"));
    assert_true(bool_of(p, "global_enabled"));
    assert_string_equal(str_of(p, "source"), "global");

    const cJSON *l = entry(j, "linker");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(l, "description")));
    assert_false(bool_of(l, "enabled"));
    cJSON_Delete(j);
}

static void test_modules__list_json_platform_view(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "writer", 0));
    cJSON *j = list(st, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "account_id")));
    const cJSON *w = entry(j, "writer");
    assert_true(bool_of(w, "enabled"));
    assert_string_equal(str_of(w, "source"), "global");
    cJSON_Delete(j);

    igny8_store *empty = testutil_store(0);
    char *text = list_text(empty, ACCOUNT);
    assert_string_equal(text, "{\"account_id\":7,\"modules\":[]}");
    free(text);
    igny8_store_close(empty);
}

static void test_modules__put_applies_overrides_and_returns_get_body(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":false,\"linker\":true}", &out));
    char *get = list_text(st, ACCOUNT);
    assert_string_equal(out, get);
    igny8_free(out);
    free(get);
    assert_int_equal(enabled(st, ACCOUNT, "planner"), 0);
    assert_int_equal(enabled(st, ACCOUNT, "linker"), 1);
    assert_int_equal(enabled(st, ACCOUNT, "writer"), 1);
    assert_int_equal(enabled(st, 0, "planner"), 1);
}

static void test_modules__put_null_removes_override(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "planner", 0));
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":null}", NULL));
    cJSON *j = list(st, ACCOUNT);
    assert_string_equal(str_of(entry(j, "planner"), "source"), "global");
    assert_true(bool_of(entry(j, "planner"), "enabled"));
    cJSON_Delete(j);
}

static void test_modules__put_unknown_module_changes_nothing(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    char *before = list_text(st, ACCOUNT);
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_ENOTFOUND, "nosuch",
                       igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":false,\"nosuch\":true}", &out));
    testutil_assert_contains(igny8_error_last()->message, "nosuch");
    assert_null(out);
    assert_igny8_fails(IGNY8_ENOTFOUND, "Planner",
                       igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":false,\"Planner\":true}", &out));
    char *after = list_text(st, ACCOUNT);
    assert_string_equal(before, after);
    assert_int_equal(testutil_audit_count(st), audits);
    free(before);
    free(after);
}

static void test_modules__put_non_boolean_names_module_and_changes_nothing(void **state)
{
    igny8_store *st = *state;
    char *before = list_text(st, ACCOUNT);
    int audits = testutil_audit_count(st);
    const char *bodies[] = { "{\"planner\":false,\"writer\":\"yes\"}", "{\"planner\":false,\"writer\":1}",
                             "{\"planner\":false,\"writer\":{}}", "{\"planner\":false,\"writer\":[true]}" };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        assert_igny8_fails(IGNY8_EINVAL, "writer", igny8_module_put_json(st, "ops", ACCOUNT, bodies[i], NULL));
        testutil_assert_contains(igny8_error_last()->message, "writer");
    }
    char *after = list_text(st, ACCOUNT);
    assert_string_equal(before, after);
    assert_int_equal(testutil_audit_count(st), audits);
    free(before);
    free(after);
}

static void test_modules__put_malformed_body_is_einval(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":", &out));
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_module_put_json(st, "ops", ACCOUNT, "[true]", &out));
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_module_put_json(st, "ops", ACCOUNT, "", &out));
    assert_null(out);
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT, "{}", &out));
    igny8_free(out);
}

static void test_modules__put_strips_secret_fields(void **state)
{
    igny8_store *st = *state;
    char *out = NULL;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT,
                                          "{\"api_key\":\"placeholder-value\",\"planner\":false,"
                                          "\"token\":true}", &out));
    testutil_assert_not_contains(out, "placeholder-value");
    testutil_assert_not_contains(out, "api_key");
    testutil_assert_not_contains(out, "token");
    igny8_free(out);
    assert_int_equal(testutil_audit_count(st), audits + 1);
    char *log = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, NULL, &log));
    testutil_assert_not_contains(log, "placeholder-value");
    igny8_free(log);
}

static void test_modules__null_args_are_einval(void **state)
{
    igny8_store *st = *state;
    int on;
    char *json = NULL;
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_add(NULL, "ops", "x", NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_module_add(st, NULL, "x", NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_module_add(st, "", "x", NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_module_add(st, "ops", NULL, NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_set(NULL, "ops", "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_module_set(st, NULL, "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_module_set(st, "ops", NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_account_set(NULL, "ops", ACCOUNT, "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_module_account_set(st, NULL, ACCOUNT, "planner", 1));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_module_account_set(st, "ops", ACCOUNT, NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_enabled(NULL, 0, "planner", &on));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_module_enabled(st, 0, NULL, &on));
    assert_igny8_fails(IGNY8_EINVAL, "out", igny8_module_enabled(st, 0, "planner", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_list_json(NULL, 0, &json));
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_module_list_json(st, 0, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_module_put_json(NULL, "ops", ACCOUNT, "{}", &json));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_module_put_json(st, NULL, ACCOUNT, "{}", &json));
    assert_igny8_fails(IGNY8_EINVAL, "body", igny8_module_put_json(st, "ops", ACCOUNT, NULL, &json));
    assert_null(json);
}

static void test_modules__writes_are_audited(void **state)
{
    igny8_store *st = *state;
    const cJSON *e;
    cJSON *j = last_audit(st, &e);  /* setup's last add */
    assert_string_equal(str_of(e, "entity"), "module");
    assert_string_equal(str_of(e, "key"), "linker");
    assert_string_equal(str_of(e, "action"), "create");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "account_id")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "before")));
    assert_false(bool_of(cJSON_GetObjectItem(e, "after"), "enabled"));
    cJSON_Delete(j);

    assert_igny8_ok(igny8_module_set(st, "ops", "linker", 1));
    j = last_audit(st, &e);
    assert_string_equal(str_of(e, "actor"), "ops");
    assert_string_equal(str_of(e, "action"), "update");
    assert_false(bool_of(cJSON_GetObjectItem(e, "before"), "enabled"));
    assert_true(bool_of(cJSON_GetObjectItem(e, "after"), "enabled"));
    cJSON_Delete(j);

    struct { int value; const char *action; int before, after; } steps[] = {
        { 0, "create", -1, 0 }, { 1, "update", 0, 1 }, { IGNY8_MODULE_INHERIT, "delete", 1, -1 },
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        assert_igny8_ok(igny8_module_account_set(st, "admin", ACCOUNT, "planner", steps[i].value));
        j = last_audit(st, &e);
        assert_string_equal(str_of(e, "entity"), "account_module");
        assert_string_equal(str_of(e, "key"), "planner");
        assert_int_equal(cJSON_GetObjectItem(e, "account_id")->valueint, ACCOUNT);
        assert_string_equal(str_of(e, "action"), steps[i].action);
        const cJSON *b = cJSON_GetObjectItem(e, "before"), *a = cJSON_GetObjectItem(e, "after");
        assert_true(steps[i].before < 0 ? cJSON_IsNull(b) : bool_of(b, "enabled") == steps[i].before);
        assert_true(steps[i].after < 0 ? cJSON_IsNull(a) : bool_of(a, "enabled") == steps[i].after);
        cJSON_Delete(j);
    }
}

static void test_modules__put_audits_each_change_once(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":false,\"writer\":false}", NULL));
    assert_int_equal(testutil_audit_count(st), audits + 2);
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.entity = "account_module";
    q.account_id = ACCOUNT;
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *j = cJSON_Parse(json);
    igny8_free(json);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "entries")), 2);
    cJSON_Delete(j);
}

static void test_modules__unchanged_value_writes_nothing(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "planner", 0));
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_module_set(st, "ops", "planner", 1));
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "planner", 0));
    assert_igny8_ok(igny8_module_account_set(st, "ops", ACCOUNT, "writer", IGNY8_MODULE_INHERIT));
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":false,\"linker\":null}", NULL));
    assert_int_equal(testutil_audit_count(st), audits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_modules__add_then_enabled_reads_platform_value, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__add_existing_is_eexists, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__add_bad_name_is_einval_naming_name, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__bad_enabled_is_einval_naming_enabled, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__set_changes_platform_value, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__unknown_module_is_enotfound, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__account_override_wins, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__inherit_follows_platform, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__bad_account_id_is_einval, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__list_json_shape_and_order, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__list_json_platform_view, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_applies_overrides_and_returns_get_body, setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_null_removes_override, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_unknown_module_changes_nothing, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_non_boolean_names_module_and_changes_nothing, setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_malformed_body_is_einval, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_strips_secret_fields, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__null_args_are_einval, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__writes_are_audited, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__put_audits_each_change_once, setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_modules__unchanged_value_writes_nothing, setup, testutil_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
