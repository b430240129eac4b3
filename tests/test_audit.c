/* The audit log: the entries' shape and order, the filters, keys never recorded, and
 * failed writes leaving no trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 7
#define OTHER 8
#define GLOBAL_KEY "sk-test-FAKE-canary-12345678"
#define ACCOUNT_KEY "sk-ant-FAKE-canary-87654321"

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

static char *query_text(igny8_store *st, const igny8_audit_query *q)
{
    char *json = NULL;
    int rc = igny8_audit_query_json(st, q, &json);
    return testutil_take(rc, &json);
}

/* Run a query and return the parsed root (caller deletes); *entries is its array. */
static cJSON *query(igny8_store *st, const igny8_audit_query *q, const cJSON **entries)
{
    char *text = query_text(st, q);
    cJSON *j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    *entries = item(j, "entries");
    assert_true(cJSON_IsArray(*entries));
    return j;
}

static int query_count(igny8_store *st, const igny8_audit_query *q)
{
    const cJSON *entries;
    cJSON *j = query(st, q, &entries);
    int n = cJSON_GetArraySize(entries);
    cJSON_Delete(j);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Now, in the log's format: "2026-11-26T09:41:30.123Z". */
static void now_iso(char buf[64])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

static void is_iso_time(const char *s)
{
    /* 2026-11-26T09:41:30.123Z */
    const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (strlen(s) != strlen(shape))
        fail_msg("'%s' is not an ISO time", s);
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            fail_msg("'%s' is not an ISO time", s);
}

/* Fails, without printing either string, when haystack holds needle (part of a key). */
static void assert_no_secret(const char *haystack, const char *needle, const char *where)
{
    if (haystack == NULL || strstr(haystack, needle) != NULL)
        fail_msg("%s holds (part of) an API key", where);
}

static void toggle(igny8_store *st, const char *actor, int64_t account_id, int on)
{
    assert_igny8_ok(igny8_module_account_set(st, actor, account_id, "planner", on));
}

/* ---- shape and order ---- */

static void test_audit__entries_newest_first_with_every_field(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_model_update_json(st, "alice", "gpt-4o", "{\"display_name\":\"GPT-4o new\"}", NULL));
    toggle(st, "bob", ACCOUNT, 0);
    assert_igny8_ok(igny8_account_provider_set(st, "carol", OTHER, IGNY8_MODEL_TEXT, "anthropic"));

    const cJSON *entries;
    cJSON *j = query(st, NULL, &entries);
    int n = cJSON_GetArraySize(entries);
    assert_true(n >= 3);
    double last_id = 1e300;
    const char *last_at = "9999";
    const cJSON *e;
    cJSON_ArrayForEach(e, entries) {
        static const char *const keys[] = { "id", "at", "actor", "entity", "key", "account_id", "action",
                                            "before", "after" };
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            item(e, keys[k]);
        assert_int_equal(cJSON_GetArraySize(e), 9);
        assert_true(cJSON_IsNumber(item(e, "id")));
        assert_true(item(e, "id")->valuedouble < last_id);  /* newest first */
        last_id = item(e, "id")->valuedouble;
        is_iso_time(str_of(e, "at"));
        assert_true(strcmp(str_of(e, "at"), last_at) <= 0);
        last_at = str_of(e, "at");
        assert_true(strlen(str_of(e, "actor")) > 0);
        assert_true(strlen(str_of(e, "entity")) > 0);
        assert_true(strlen(str_of(e, "key")) > 0);
        assert_true(strlen(str_of(e, "action")) > 0);
        const cJSON *acc = item(e, "account_id");
        assert_true(cJSON_IsNull(acc) || (cJSON_IsNumber(acc) && acc->valuedouble >= 1));
        const cJSON *b = item(e, "before"), *a = item(e, "after");
        assert_true(cJSON_IsNull(b) || cJSON_IsObject(b));
        assert_true(cJSON_IsNull(a) || cJSON_IsObject(a));
    }

    const cJSON *newest = cJSON_GetArrayItem(entries, 0);
    assert_string_equal(str_of(newest, "actor"), "carol");
    assert_string_equal(str_of(newest, "entity"), "account_provider");
    assert_string_equal(str_of(newest, "key"), "text");
    assert_int_equal((int)item(newest, "account_id")->valuedouble, OTHER);
    assert_string_equal(str_of(newest, "action"), "create");
    assert_true(cJSON_IsNull(item(item(newest, "before"), "provider")));
    assert_string_equal(str_of(item(newest, "after"), "provider"), "anthropic");

    const cJSON *second = cJSON_GetArrayItem(entries, 1);
    assert_string_equal(str_of(second, "actor"), "bob");
    assert_string_equal(str_of(second, "entity"), "account_module");
    assert_string_equal(str_of(second, "key"), "planner");
    assert_int_equal((int)item(second, "account_id")->valuedouble, ACCOUNT);

    const cJSON *third = cJSON_GetArrayItem(entries, 2);
    assert_string_equal(str_of(third, "actor"), "alice");
    assert_string_equal(str_of(third, "entity"), "model");
    assert_string_equal(str_of(third, "key"), "gpt-4o");
    assert_string_equal(str_of(third, "action"), "update");
    assert_true(cJSON_IsNull(item(third, "account_id")));
    assert_string_equal(str_of(item(third, "before"), "display_name"), "GPT-4o");
    assert_string_equal(str_of(item(third, "after"), "display_name"), "GPT-4o new");
    /* ids are consecutive */
    assert_true(item(newest, "id")->valuedouble == item(second, "id")->valuedouble + 1);
    assert_true(item(second, "id")->valuedouble == item(third, "id")->valuedouble + 1);
    cJSON_Delete(j);
}

/* ---- filters ---- */

static void test_audit__filter_by_entity(void **state)
{
    igny8_store *st = *state;
    int models = 0;
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.entity = "model";
    models = query_count(st, &q);
    assert_int_equal(models, 12);  /* the shipped models, one create each */
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));
    toggle(st, "ops", ACCOUNT, 0);
    assert_int_equal(query_count(st, &q), models + 1);
    const cJSON *entries, *e;
    cJSON *j = query(st, &q, &entries);
    cJSON_ArrayForEach(e, entries)
        assert_string_equal(str_of(e, "entity"), "model");
    assert_string_equal(str_of(cJSON_GetArrayItem(entries, 0), "key"), "gpt-4.1");
    cJSON_Delete(j);

    q.entity = "account_module";
    assert_int_equal(query_count(st, &q), 1);
    q.entity = "no_such_entity";
    assert_int_equal(query_count(st, &q), 0);
}

static void test_audit__filter_by_account(void **state)
{
    igny8_store *st = *state;
    toggle(st, "ops", ACCOUNT, 0);
    toggle(st, "ops", OTHER, 0);
    toggle(st, "ops", ACCOUNT, 1);
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-4o"));
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));

    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.account_id = ACCOUNT;
    const cJSON *entries, *e;
    cJSON *j = query(st, &q, &entries);
    assert_int_equal(cJSON_GetArraySize(entries), 3);
    cJSON_ArrayForEach(e, entries)
        assert_int_equal((int)item(e, "account_id")->valuedouble, ACCOUNT);
    cJSON_Delete(j);
    q.account_id = OTHER;
    assert_int_equal(query_count(st, &q), 1);
    q.account_id = 999;
    assert_int_equal(query_count(st, &q), 0);

    char *json = (char *)&json;
    q.account_id = -1;
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_audit_query_json(st, &q, &json));
    assert_null(json);
    assert_int_equal(testutil_audit_count(st), audits);
}

static void test_audit__filter_by_actor_and_combined(void **state)
{
    igny8_store *st = *state;
    toggle(st, "alice", ACCOUNT, 0);
    toggle(st, "bob", ACCOUNT, 1);
    toggle(st, "alice", OTHER, 0);
    assert_igny8_ok(igny8_model_set_active(st, "alice", "gpt-4.1", 0));

    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.actor = "alice";
    const cJSON *entries, *e;
    cJSON *j = query(st, &q, &entries);
    assert_int_equal(cJSON_GetArraySize(entries), 3);
    cJSON_ArrayForEach(e, entries)
        assert_string_equal(str_of(e, "actor"), "alice");
    cJSON_Delete(j);

    q.account_id = ACCOUNT;
    assert_int_equal(query_count(st, &q), 1);
    q.account_id = 0;
    q.entity = "model";
    assert_int_equal(query_count(st, &q), 1);
    q.entity = NULL;
    q.actor = "bob";
    assert_int_equal(query_count(st, &q), 1);
    q.actor = "Alice";  /* exact match */
    assert_int_equal(query_count(st, &q), 0);
    q.actor = "test";   /* the actor of the shipped defaults */
    assert_true(query_count(st, &q) > 12);
}

static void test_audit__filter_since(void **state)
{
    igny8_store *st = *state;
    toggle(st, "ops", ACCOUNT, 0);
    sleep_ms(5);
    char between[64];
    now_iso(between);
    sleep_ms(5);
    toggle(st, "ops", ACCOUNT, 1);
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));

    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.since = between;
    const cJSON *entries, *e;
    cJSON *j = query(st, &q, &entries);
    assert_int_equal(cJSON_GetArraySize(entries), 2);
    cJSON_ArrayForEach(e, entries)
        assert_true(strcmp(str_of(e, "at"), between) >= 0);
    assert_string_equal(str_of(cJSON_GetArrayItem(entries, 0), "entity"), "model");
    assert_string_equal(str_of(cJSON_GetArrayItem(entries, 1), "entity"), "account_module");

    /* "at or after": the time of an entry includes that entry */
    char at[32];
    snprintf(at, sizeof(at), "%s", str_of(cJSON_GetArrayItem(entries, 1), "at"));
    cJSON_Delete(j);
    q.since = at;
    assert_true(query_count(st, &q) >= 2);
    q.entity = "account_module";
    assert_int_equal(query_count(st, &q), 1);

    /* filters combine */
    q.since = between;
    q.entity = "model";
    assert_int_equal(query_count(st, &q), 1);
    q.entity = NULL;

    /* the distant past and future */
    q.since = "1970-01-01T00:00:00.000Z";
    assert_int_equal(query_count(st, &q), testutil_audit_count(st));
    q.since = "2999-01-01T00:00:00.000Z";
    assert_int_equal(query_count(st, &q), 0);
}

static void test_audit__since_accepts_iso_forms_and_rejects_others(void **state)
{
    igny8_store *st = *state;
    toggle(st, "ops", ACCOUNT, 0);
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = 1;
    const cJSON *entries;
    cJSON *j = query(st, &q, &entries);
    char at[32];
    snprintf(at, sizeof(at), "%s", str_of(cJSON_GetArrayItem(entries, 0), "at"));  /* ...T09:41:30.123Z */
    cJSON_Delete(j);

    /* the same second, minute and day, without milliseconds: still at or before the entry */
    char forms[6][40];
    snprintf(forms[0], sizeof(forms[0]), "%.19sZ", at);          /* 2026-11-26T09:41:30Z */
    snprintf(forms[1], sizeof(forms[1]), "%.19s", at);           /* 2026-11-26T09:41:30 */
    snprintf(forms[2], sizeof(forms[2]), "%.19s+00:00", at);     /* Python's isoformat() */
    snprintf(forms[3], sizeof(forms[3]), "%.16sZ", at);          /* 2026-11-26T09:41Z */
    snprintf(forms[4], sizeof(forms[4]), "%.10s", at);           /* 2026-11-26 */
    snprintf(forms[5], sizeof(forms[5]), "%.21sZ", at);          /* 2026-11-26T09:41:30.1Z */
    q.entity = "account_module";
    q.limit = 0;
    for (int i = 0; i < 6; i++) {
        q.since = forms[i];
        if (query_count(st, &q) != 1)
            fail_msg("since '%s' misses the entry at %s", forms[i], at);
    }

    const char *bad[] = { "", "yesterday", "2026-13-01", "2026-11-26T25:00:00Z", "2026/11/26",
                          "2026-11-26T09:41:30+02:00", "2026-11-26T09:41:30ZZ", "2026-11-26 extra", "26-11-2026" };
    int audits = testutil_audit_count(st);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *json = (char *)&json;
        q.since = bad[i];
        int rc = igny8_audit_query_json(st, &q, &json);
        if (rc != IGNY8_EINVAL)
            fail_msg("since '%s' -> %d, expected IGNY8_EINVAL", bad[i], rc);
        assert_igny8_fails(IGNY8_EINVAL, "since", rc);
        assert_null(json);
    }
    assert_int_equal(testutil_audit_count(st), audits);
}

static void test_audit__limit(void **state)
{
    igny8_store *st = *state;
    for (int i = 0; i < 120; i++)
        toggle(st, "ops", ACCOUNT, i % 2);
    int total = testutil_audit_count(st);
    assert_true(total > (int)IGNY8_AUDIT_LIMIT_DEFAULT + 20);

    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = 2;
    const cJSON *entries;
    cJSON *j = query(st, &q, &entries);
    assert_int_equal(cJSON_GetArraySize(entries), 2);
    /* the two newest */
    assert_int_equal((int)item(cJSON_GetArrayItem(entries, 0), "id")->valuedouble, total);
    assert_int_equal((int)item(cJSON_GetArrayItem(entries, 1), "id")->valuedouble, total - 1);
    cJSON_Delete(j);

    q.limit = 0;  /* the default */
    assert_int_equal(query_count(st, &q), IGNY8_AUDIT_LIMIT_DEFAULT);
    assert_int_equal(query_count(st, NULL), IGNY8_AUDIT_LIMIT_DEFAULT);
    q.limit = 1;
    assert_int_equal(query_count(st, &q), 1);
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    assert_int_equal(query_count(st, &q), total);

    char *json = (char *)&json;
    q.limit = IGNY8_AUDIT_LIMIT_MAX + 1;
    assert_igny8_fails(IGNY8_EINVAL, "limit", igny8_audit_query_json(st, &q, &json));
    assert_null(json);
    q.limit = 0xffffffffu;
    assert_igny8_fails(IGNY8_EINVAL, "limit", igny8_audit_query_json(st, &q, &json));
}

static void test_audit__bad_query_version(void **state)
{
    igny8_store *st = *state;
    char *json = (char *)&json;
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.version = 0;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_json(st, &q, &json));
    assert_null(json);
    q.version = IGNY8_AUDIT_QUERY_VERSION + 1;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_json(st, &q, &json));
    q.version = 999;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_json(st, &q, &json));

    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_init(&q, 0));
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_audit_query_init(&q, 999));
    assert_igny8_fails(IGNY8_EINVAL, "q", igny8_audit_query_init(NULL, IGNY8_AUDIT_QUERY_VERSION));
    memset(&q, 0x5a, sizeof(q));
    assert_igny8_ok(igny8_audit_query_init(&q, IGNY8_AUDIT_QUERY_VERSION));
    assert_int_equal(q.version, IGNY8_AUDIT_QUERY_VERSION);
    assert_null(q.entity);
    assert_null(q.since);
    assert_null(q.actor);
    assert_int_equal(q.account_id, 0);
    assert_int_equal(q.limit, 0);
    /* an initialised query works and matches the NULL query */
    char *a = query_text(st, &q), *b = query_text(st, NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* ---- secrets ---- */

static void assert_configured(const cJSON *side, int configured)
{
    const cJSON *k = item(side, "api_key");
    assert_true(cJSON_IsObject(k));
    assert_int_equal(cJSON_IsTrue(item(k, "configured")), configured);
    assert_int_equal(cJSON_GetArraySize(k), 1);  /* no last4, nothing else */
}

static void test_audit__keys_never_appear(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_global_key_set(st, "admin", "openai", GLOBAL_KEY));
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = 1;
    const cJSON *entries;
    cJSON *j = query(st, &q, &entries);
    const cJSON *e = cJSON_GetArrayItem(entries, 0);
    assert_string_equal(str_of(e, "entity"), "global_integration");
    assert_string_equal(str_of(e, "key"), "openai");
    assert_string_equal(str_of(e, "actor"), "admin");
    assert_configured(item(e, "before"), 0);
    assert_configured(item(e, "after"), 1);
    cJSON_Delete(j);

    assert_igny8_ok(igny8_account_key_set(st, "admin", ACCOUNT, "anthropic", ACCOUNT_KEY));
    j = query(st, &q, &entries);
    e = cJSON_GetArrayItem(entries, 0);
    assert_string_equal(str_of(e, "entity"), "account_integration");
    assert_string_equal(str_of(e, "key"), "anthropic");
    assert_int_equal((int)item(e, "account_id")->valuedouble, ACCOUNT);
    assert_true(cJSON_IsNull(item(e, "before")));
    assert_configured(item(e, "after"), 1);
    cJSON_Delete(j);

    /* a key set twice, and the dalle integration that borrows the openai key */
    assert_igny8_ok(igny8_global_key_set(st, "admin", "openai", GLOBAL_KEY));
    assert_igny8_ok(igny8_integration_put_json(st, "admin", ACCOUNT, "dalle", "{\"quality\":\"hd\"}", NULL));
    assert_igny8_ok(igny8_integration_put_json(st, "admin", ACCOUNT, "anthropic", "{\"temperature\":0.3}", NULL));

    /* the whole log, every field, holds neither key nor any part of one */
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    char *all = query_text(st, &q);
    assert_no_secret(all, GLOBAL_KEY, "the audit log");
    assert_no_secret(all, ACCOUNT_KEY, "the audit log");
    assert_no_secret(all, "canary", "the audit log");
    assert_no_secret(all, "FAKE", "the audit log");
    assert_no_secret(all, "sk-", "the audit log");
    free(all);

    /* removing the keys is recorded as configured going false */
    assert_igny8_ok(igny8_global_key_set(st, "admin", "openai", NULL));
    q.limit = 1;
    j = query(st, &q, &entries);
    e = cJSON_GetArrayItem(entries, 0);
    assert_string_equal(str_of(e, "entity"), "global_integration");
    assert_configured(item(e, "before"), 1);
    assert_configured(item(e, "after"), 0);
    cJSON_Delete(j);
    assert_igny8_ok(igny8_account_key_set(st, "admin", ACCOUNT, "anthropic", NULL));
    j = query(st, &q, &entries);
    e = cJSON_GetArrayItem(entries, 0);
    assert_string_equal(str_of(e, "entity"), "account_integration");
    assert_configured(item(e, "before"), 1);
    assert_configured(item(e, "after"), 0);
    cJSON_Delete(j);

    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    all = query_text(st, &q);
    assert_no_secret(all, "canary", "the audit log");
    assert_no_secret(all, "FAKE", "the audit log");
    free(all);
}

static void test_audit__key_fields_in_bodies_are_not_recorded(void **state)
{
    igny8_store *st = *state;
    assert_igny8_ok(igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                               "{\"temperature\":0.2,\"api_key\":\"" GLOBAL_KEY "\"}", NULL));
    assert_igny8_ok(igny8_global_settings_put_json(st, "ops",
                                                   "{\"integrations\":{\"openai\":{\"temperature\":0.4,"
                                                   "\"api_key\":\"" GLOBAL_KEY "\"}}}", NULL));
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    char *all = query_text(st, &q);
    assert_no_secret(all, "canary", "the audit log");
    assert_no_secret(all, "FAKE", "the audit log");
    free(all);
    /* a stripped key is not a key set */
    igny8_integration *s = NULL;
    assert_igny8_ok(igny8_account_integration_get(st, ACCOUNT, "openai", &s));
    assert_int_equal(igny8_integration_key_configured(s), 0);
    igny8_integration_free(s);
}

/* ---- failed writes ---- */

static void test_audit__failed_writes_add_no_entry(void **state)
{
    igny8_store *st = *state;
    toggle(st, "ops", ACCOUNT, 0);
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    char *before = query_text(st, &q);
    char *body_before = NULL, *out = NULL;
    assert_igny8_ok(igny8_integration_get_json(st, ACCOUNT, "openai", &body_before));

    assert_igny8_fails(IGNY8_EINVAL, "temperature",
                       igny8_integration_put_json(st, "ops", ACCOUNT, "openai", "{\"temperature\":5}", &out));
    assert_null(out);
    /* a valid field before the bad one is not written either */
    assert_igny8_fails(IGNY8_EINVAL, "max_tokens",
                       igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                  "{\"temperature\":0.1,\"max_tokens\":0}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "integrations.anthropic.temperature",
                       igny8_global_settings_put_json(st, "ops", "{\"integrations\":{\"openai\":{\"temperature\":0.5},"
                                                      "\"anthropic\":{\"temperature\":9}}}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "input_cost_per_1k",
                       igny8_model_add_json(st, "ops", "{\"model_name\":\"x\",\"provider\":\"openai\","
                                            "\"model_type\":\"text\",\"input_cost_per_1k\":-1}", NULL));
    assert_igny8_fails(IGNY8_ENOTFOUND, "provider",
                       igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "acme"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "nosuch",
                       igny8_module_put_json(st, "ops", ACCOUNT, "{\"writer\":false,\"nosuch\":true}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "key", igny8_global_key_set(st, "ops", "openai", "short"));

    char *after = query_text(st, &q);
    assert_string_equal(after, before);
    char *body_after = NULL;
    assert_igny8_ok(igny8_integration_get_json(st, ACCOUNT, "openai", &body_after));
    assert_string_equal(body_after, body_before);
    igny8_free(body_before);
    igny8_free(body_after);
    free(before);
    free(after);
    char *global = NULL;
    assert_igny8_ok(igny8_global_settings_get_json(st, &global));
    cJSON *g = cJSON_Parse(global);
    igny8_free(global);
    double t = item(item(item(g, "integrations"), "openai"), "temperature")->valuedouble;
    assert_true(t == 0.7);
    cJSON_Delete(g);
}

static void test_audit__null_arguments(void **state)
{
    igny8_store *st = *state;
    char *json = (char *)&json;
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_audit_query_json(NULL, NULL, &json));
    assert_null(json);
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_audit_query_json(st, NULL, NULL));
    /* NULL query: the newest 100, the same as a zeroed one */
    assert_int_equal(query_count(st, NULL), testutil_audit_count(st) < 100 ? testutil_audit_count(st) : 100);
}

#define T(name) cmocka_unit_test_setup_teardown(name, testutil_setup, testutil_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_audit__entries_newest_first_with_every_field),
        T(test_audit__filter_by_entity),
        T(test_audit__filter_by_account),
        T(test_audit__filter_by_actor_and_combined),
        T(test_audit__filter_since),
        T(test_audit__since_accepts_iso_forms_and_rejects_others),
        T(test_audit__limit),
        T(test_audit__bad_query_version),
        T(test_audit__keys_never_appear),
        T(test_audit__key_fields_in_bodies_are_not_recorded),
        T(test_audit__failed_writes_add_no_entry),
        T(test_audit__null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
