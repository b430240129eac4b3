/* API keys at rest (issue 13): sealed under a master key on both backends, so a copy of
 * the store (its file and -wal, a pg_dump) hands out no key; a store opened without its
 * master key serves everything but the keys; a wrong key is refused; a plain store is
 * sealed when first opened with a key; a rotation keeps every key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "testutil.h"

#define CANARY "sk-FAKE-canary-7f3e9b1c2d"
#define ACCOUNT_KEY "sk-FAKE-account-42-abcdefgh"
#define ACCOUNT 42

typedef struct {
    testutil_place place;
    char master[IGNY8_MASTER_KEY_SIZE], other[IGNY8_MASTER_KEY_SIZE];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    testutil_place_new(&f->place);
    assert_igny8_ok(igny8_master_key_new(f->master));
    assert_igny8_ok(igny8_master_key_new(f->other));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testutil_place_free(&f->place);
    free(f);
    return 0;
}

static igny8_store *open_with(const fixture *f, const char *master_key)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = NULL;
    o.master_key = master_key;
    assert_igny8_ok(testutil_place_open(&f->place, &o, &st));
    return st;
}

static int open_fails(const fixture *f, const char *master_key, igny8_store **st)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.master_key = master_key;
    return testutil_place_open(&f->place, &o, st);
}

/* The defaults, the canary as the platform's openai key and an account key. */
static void fill(igny8_store *st)
{
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    assert_igny8_ok(igny8_global_key_set(st, "test", "openai", CANARY));
    assert_igny8_ok(igny8_account_key_set(st, "test", ACCOUNT, "anthropic", ACCOUNT_KEY));
}

static igny8_resolution *resolve(igny8_store *st, int64_t account, const char *model)
{
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, account, "clustering", model, &r));
    return r;
}

static void assert_keys_open(igny8_store *st)
{
    igny8_resolution *r = resolve(st, 7, "gpt-4o");
    assert_string_equal(igny8_resolution_api_key(r), CANARY);
    igny8_resolution_free(r);
    r = resolve(st, ACCOUNT, "claude-3-5-haiku-20241022");
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_ACCOUNT);
    assert_string_equal(igny8_resolution_api_key(r), ACCOUNT_KEY);
    igny8_resolution_free(r);
}

/* The rows themselves, behind the library's back: 0 when no api_key column holds text. */
static int column_holds(const fixture *f, const char *text)
{
    char sql[512], err[512];
    if (testutil_postgres())
        snprintf(sql, sizeof(sql), "DO $$ BEGIN IF EXISTS (SELECT 1 FROM integration WHERE api_key LIKE '%%%s%%'"
                 " UNION ALL SELECT 1 FROM account_integration WHERE api_key LIKE '%%%s%%') THEN"
                 " RAISE EXCEPTION 'found'; END IF; END $$", text, text);
    else  /* a CHECK that fails on a matching row makes the statement fail */
        snprintf(sql, sizeof(sql), "CREATE TEMP TABLE probe (n INTEGER CHECK (n = 0));"
                 "INSERT INTO probe SELECT count(*) FROM (SELECT api_key FROM integration UNION ALL"
                 " SELECT api_key FROM account_integration) WHERE api_key LIKE '%%%s%%'", text);
    return testutil_sql(&f->place, sql, err, sizeof(err)) != 0;
}

/* Every byte a copy of the store would carry: the file and its -wal, or a pg_dump. */
static void assert_copy_has_no(const fixture *f, const char *text)
{
    char cmd[1400], line[8192];
    if (testutil_postgres())
        snprintf(cmd, sizeof(cmd), "pg_dump --no-owner --schema='%s' '%s' 2>&1", f->place.schema, f->place.target);
    else
        snprintf(cmd, sizeof(cmd), "cat '%s' '%s-wal' 2>/dev/null | tr -c '[:print:]' '\\n'", f->place.target,
                 f->place.target);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t lines = 0;
    while (fgets(line, sizeof(line), p)) {
        lines++;
        if (strstr(line, text))
            fail_msg("a copy of the store (%s) holds the key", testutil_backend_name());
    }
    assert_int_equal(pclose(p), 0);
    assert_true(lines > 10);  /* it did read the store */
}

static void test_keys__a_copy_of_the_store_holds_no_key(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, f->master);
    fill(st);
    assert_keys_open(st);
    assert_false(column_holds(f, CANARY));
    assert_false(column_holds(f, ACCOUNT_KEY));
    assert_true(column_holds(f, "igny8$1$"));
    char *json = NULL;
    assert_igny8_ok(igny8_global_settings_get_json(st, &json));
    testutil_assert_contains(json, "\"last4\":\"1c2d\"");
    testutil_assert_not_contains(json, CANARY);
    igny8_free(json);
    /* nor does any output: an export without keys, health, the audit log, a trace */
    igny8_resolution *r = resolve(st, 7, "gpt-4o");
    assert_string_equal(igny8_resolution_api_key(r), CANARY);  /* opened: still in no view */
    char *owned[4] = { NULL };
    assert_igny8_ok(igny8_store_export_json(st, NULL, &owned[0]));
    assert_igny8_ok(igny8_health_json(st, &owned[1]));
    assert_igny8_ok(igny8_audit_query_json(st, NULL, &owned[2]));
    assert_igny8_ok(igny8_resolution_to_json(r, &owned[3]));
    testutil_assert_not_contains(igny8_resolution_trace_json(r), CANARY);
    for (int i = 0; i < 4; i++) {
        testutil_assert_not_contains(owned[i], CANARY);
        testutil_assert_not_contains(owned[i], "FAKE-account");
        igny8_free(owned[i]);
    }
    igny8_resolution_free(r);
    igny8_store_close(st);
    assert_copy_has_no(f, CANARY);
    assert_copy_has_no(f, "FAKE-account");
}

static void test_keys__without_the_master_key_everything_but_keys(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, f->master);
    fill(st);
    igny8_store_close(st);
    st = open_with(f, NULL);
    igny8_resolution *r = resolve(st, 7, "gpt-4o");
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_GLOBAL);  /* the choice is made */
    assert_null(igny8_resolution_api_key(r));                                 /* the key is not given */
    assert_int_equal(igny8_error_last()->code, IGNY8_EPERM);
    assert_string_equal(igny8_error_last()->field, "master_key");
    testutil_assert_contains(igny8_error_last()->message, "IGNY8_MASTER_KEY_FILE");
    igny8_resolution_free(r);
    char *json = NULL;
    assert_igny8_ok(igny8_global_settings_get_json(st, &json));
    testutil_assert_contains(json, "\"last4\":\"1c2d\"");
    igny8_free(json);
    assert_igny8_fails(IGNY8_EPERM, "master_key", igny8_global_key_set(st, "test", "openai", "sk-FAKE-new-key-0001"));
    assert_igny8_fails(IGNY8_EPERM, "master_key", igny8_connection_test(st, "test", "openai", NULL, NULL));
    assert_igny8_ok(igny8_global_key_set(st, "test", "openai", NULL));  /* removing needs no key */
    igny8_store_close(st);
}

static void test_keys__a_wrong_master_key_is_refused_at_open(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, f->master);
    fill(st);
    igny8_store_close(st);
    st = NULL;
    assert_igny8_fails(IGNY8_EPERM, "master_key", open_fails(f, f->other, &st));
    assert_null(st);
    testutil_assert_not_contains(igny8_error_last()->message, f->other);
    testutil_assert_not_contains(igny8_error_last()->message, f->master);
    assert_igny8_fails(IGNY8_EINVAL, "master_key", open_fails(f, "bm90IGEga2V5", &st));
    testutil_assert_not_contains(igny8_error_last()->message, "bm90IGEga2V5");
}

static void test_keys__a_plain_store_is_sealed_when_opened_with_a_key(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, NULL);
    fill(st);
    assert_keys_open(st);  /* without master keys a store keeps working as before */
    igny8_store_close(st);
    assert_true(column_holds(f, CANARY));
    st = open_with(f, f->master);
    assert_false(column_holds(f, CANARY));
    assert_false(column_holds(f, ACCOUNT_KEY));
    assert_keys_open(st);
    igny8_audit_query q;
    assert_igny8_ok(igny8_audit_query_init(&q, IGNY8_AUDIT_QUERY_VERSION));
    q.entity = "store";
    char *json = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    testutil_assert_contains(json, "\"seal_keys\"");
    testutil_assert_contains(json, "\"keys\":2");
    testutil_assert_not_contains(json, f->master);
    testutil_assert_not_contains(json, CANARY);
    igny8_free(json);
    igny8_store_close(st);
}

static void test_keys__rotation_keeps_every_key(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, f->master), *peer = NULL;
    fill(st);
    char both[2 * IGNY8_MASTER_KEY_SIZE + 1];
    snprintf(both, sizeof(both), "%s,%s", f->other, f->master);  /* a host ready for the rotation */
    peer = open_with(f, both);
    assert_keys_open(peer);
    assert_igny8_ok(igny8_store_rekey(st, "ops", f->other));
    assert_keys_open(st);
    assert_keys_open(peer);  /* sees the rotated rows on its next call, and has the new key */
    assert_igny8_ok(igny8_global_key_set(st, "test", "dalle", "sk-FAKE-dalle-after-rotation"));
    igny8_store_close(peer);
    igny8_store_close(st);
    st = NULL;
    assert_igny8_fails(IGNY8_EPERM, "master_key", open_fails(f, f->master, &st));  /* the old key is gone */
    st = open_with(f, f->other);
    assert_keys_open(st);
    char *json = NULL;
    igny8_audit_query q;
    assert_igny8_ok(igny8_audit_query_init(&q, IGNY8_AUDIT_QUERY_VERSION));
    q.entity = "store";
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    testutil_assert_contains(json, "\"rekey\"");
    testutil_assert_not_contains(json, f->other);
    testutil_assert_not_contains(json, f->master);
    igny8_free(json);
    assert_igny8_fails(IGNY8_EINVAL, "master_key", igny8_store_rekey(st, "ops", "c2hvcnQ="));
    igny8_store_close(st);
}

static void test_keys__a_key_moved_to_another_row_does_not_open(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, f->master);
    fill(st);
    igny8_store_close(st);
    char err[512];
    assert_int_equal(testutil_sql(&f->place, "UPDATE account_integration SET api_key ="
                                  " (SELECT api_key FROM integration WHERE name = 'openai')"
                                  " WHERE account_id = 42 AND integration = 'anthropic'", err, sizeof(err)), 0);
    st = open_with(f, f->master);
    igny8_resolution *r = resolve(st, ACCOUNT, "claude-3-5-haiku-20241022");
    assert_null(igny8_resolution_api_key(r));
    assert_int_equal(igny8_error_last()->code, IGNY8_ECORRUPT);
    testutil_assert_contains(igny8_error_last()->message, "account_integration/42/anthropic");
    testutil_assert_not_contains(igny8_error_last()->message, CANARY);
    igny8_resolution_free(r);
    igny8_store_close(st);
}

static cJSON *health_keys(igny8_store *st, cJSON **root)
{
    char *json = NULL;
    assert_igny8_ok(igny8_health_json(st, &json));
    *root = cJSON_Parse(json);
    igny8_free(json);
    assert_non_null(*root);
    return cJSON_GetObjectItemCaseSensitive(*root, "keys");
}

static void test_keys__health_says_how_keys_are_kept(void **state)
{
    fixture *f = *state;
    cJSON *h = NULL;
    igny8_store *st = open_with(f, NULL);
    fill(st);
    cJSON *k = health_keys(st, &h);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(k, "plain")->valueint, 2);
    char *warnings = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(h, "warnings"));
    assert_non_null(warnings);
    testutil_assert_contains(warnings, "plain text");
    free(warnings);
    cJSON_Delete(h);
    igny8_store_close(st);
    st = open_with(f, f->master);
    k = health_keys(st, &h);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(k, "plain")->valueint, 0);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(k, "sealed")->valueint, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(h, "warnings")), 0);
    cJSON_Delete(h);
    igny8_store_close(st);
    st = open_with(f, NULL);
    k = health_keys(st, &h);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(k, "unopenable")->valueint, 2);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(h, "ok")));
    cJSON_Delete(h);
    igny8_store_close(st);
}

static char *export_keys(igny8_store *st, const char *passphrase, uint32_t extra)
{
    igny8_export_options o = IGNY8_EXPORT_OPTIONS_INIT;
    char *json = NULL;
    o.flags = IGNY8_EXPORT_WITH_KEYS | extra;
    o.passphrase = passphrase;
    assert_igny8_ok(igny8_store_export_json(st, &o, &json));
    return json;
}

static int import_keys(igny8_store *st, const char *json, const char *passphrase)
{
    igny8_import_options o = IGNY8_IMPORT_OPTIONS_INIT;
    o.mode = IGNY8_IMPORT_REPLACE;
    o.passphrase = passphrase;
    return igny8_store_import_json(st, "test", json, &o);
}

static void test_keys__exports_seal_keys_under_a_passphrase_or_the_master_key(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, f->master);
    fill(st);
    char *by_phrase = export_keys(st, "correct horse battery staple", 0), *by_master = export_keys(st, NULL, 0);
    char *plain = export_keys(st, NULL, IGNY8_EXPORT_PLAINTEXT_KEYS);
    testutil_assert_not_contains(by_phrase, CANARY);
    testutil_assert_not_contains(by_master, CANARY);
    testutil_assert_contains(by_phrase, "\"sealed_with\":\"passphrase\"");
    testutil_assert_contains(plain, CANARY);
    igny8_export_options bad = IGNY8_EXPORT_OPTIONS_INIT;
    char *json = NULL;
    bad.passphrase = "no keys asked for";
    assert_igny8_fails(IGNY8_EINVAL, "passphrase", igny8_store_export_json(st, &bad, &json));
    igny8_store_close(st);

    testutil_place other;
    testutil_place_new(&other);
    igny8_store *dst = NULL;
    assert_igny8_ok(testutil_place_open(&other, NULL, &dst));  /* no master key */
    assert_igny8_fails(IGNY8_EPERM, "passphrase", import_keys(dst, by_phrase, NULL));
    assert_igny8_fails(IGNY8_EPERM, "passphrase", import_keys(dst, by_phrase, "wrong horse"));
    assert_igny8_fails(IGNY8_EPERM, "master_key", import_keys(dst, by_master, NULL));
    assert_int_equal(testutil_audit_count(dst), 0);  /* nothing was imported */
    assert_igny8_ok(import_keys(dst, by_phrase, "correct horse battery staple"));
    assert_keys_open(dst);
    igny8_store_close(dst);
    testutil_place_free(&other);

    st = open_with(f, f->master);  /* the same master key imports its own sealed export */
    assert_igny8_ok(import_keys(st, by_master, NULL));
    assert_keys_open(st);
    igny8_store_close(st);
    /* no store without master keys exports keys silently in plain text */
    testutil_place_new(&other);
    assert_igny8_ok(testutil_place_open(&other, NULL, &dst));
    fill(dst);
    igny8_export_options o = IGNY8_EXPORT_OPTIONS_INIT;
    o.flags = IGNY8_EXPORT_WITH_KEYS;
    assert_igny8_fails(IGNY8_EINVAL, "flags", igny8_store_export_json(dst, &o, &json));
    igny8_store_close(dst);
    testutil_place_free(&other);
    igny8_free(by_phrase);
    igny8_free(by_master);
    igny8_free(plain);
}

static void test_keys__a_reserved_prefix_is_not_a_key(void **state)
{
    fixture *f = *state;
    igny8_store *st = open_with(f, NULL);
    assert_igny8_ok(igny8_defaults_load(st, "test", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "key", igny8_global_key_set(st, "test", "openai", "igny8$1$0011223344556677$x$abcd"));
    igny8_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys__a_copy_of_the_store_holds_no_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__without_the_master_key_everything_but_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__a_wrong_master_key_is_refused_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__a_plain_store_is_sealed_when_opened_with_a_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__rotation_keeps_every_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__a_key_moved_to_another_row_does_not_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__health_says_how_keys_are_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys__exports_seal_keys_under_a_passphrase_or_the_master_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_keys__a_reserved_prefix_is_not_a_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
