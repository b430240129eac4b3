/* Plans and fallbacks (access.h, issue 15): the table of cases shared with the Python
 * tests (tests/fixtures/access_cases.json), the writes and their errors, the bodies, the
 * audit entries, the settings page's models, the fallbacks as resolutions, and other
 * handles seeing every change. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define ACCOUNT 42
#define ACTOR "plans-test"

/* ---- the table ---- */

static const char *str_at(const cJSON *arr, int i)
{
    const cJSON *item = cJSON_GetArrayItem(arr, i);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* A step's body argument as text (the caller frees). */
static char *body_at(const cJSON *step, int i)
{
    char *text = cJSON_PrintUnformatted(cJSON_GetArrayItem(step, i));
    assert_non_null(text);
    return text;
}

/* The last test of an integration, written as another process would: behind the library. */
static void write_test(const testutil_place *p, int64_t owner, const char *integration, int ok, int seconds_ago,
                       const char *error_class)
{
    char at[64], sql[768], err[256];
    time_t t = time(NULL) - seconds_ago;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    snprintf(sql, sizeof(sql), "INSERT INTO connection_status (integration, account_id, tested_at, ok, http_status,"
             " latency_ms, error_class, message) VALUES ('%s', %lld, '%s', %d, %d, 12.5, %s%s%s, 'table test')"
             " ON CONFLICT (integration, account_id) DO UPDATE SET tested_at = excluded.tested_at, ok = excluded.ok,"
             " error_class = excluded.error_class", integration, (long long)owner, at, ok, ok ? 200 : 500,
             error_class ? "'" : "", error_class ? error_class : "NULL", error_class ? "'" : "");
    if (testutil_sql(p, sql, err, sizeof(err)) != 0)
        fail_msg("writing the connection status: %s", err);
}

static void apply_step(igny8_store *st, const testutil_place *p, const cJSON *step)
{
    const char *op = str_at(step, 0);
    char *body = NULL, *reply = NULL;  /* the PUTs give their new view, as the Python runner asks */
    if (strcmp(op, "group") == 0) {
        const cJSON *list = cJSON_GetArrayItem(step, 2);
        const char *models[16];
        int n = cJSON_GetArraySize(list);
        for (int i = 0; i < n && i < 16; i++)
            models[i] = str_at(list, i);
        assert_igny8_ok(igny8_access_group_set(st, ACTOR, str_at(step, 1), NULL, models, (size_t)n));
    } else if (strcmp(op, "access") == 0) {
        assert_igny8_ok(igny8_account_access_put_json(st, ACTOR, ACCOUNT, body = body_at(step, 1), &reply));
    } else if (strcmp(op, "chains") == 0) {
        int64_t owner = (int64_t)cJSON_GetArrayItem(step, 1)->valuedouble;
        assert_igny8_ok(igny8_fallback_chains_put_json(st, ACTOR, owner, body = body_at(step, 2), &reply));
    } else if (strcmp(op, "integration") == 0) {
        assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT, str_at(step, 1), body = body_at(step, 2),
                                                   &reply));
    } else if (strcmp(op, "global") == 0) {
        assert_igny8_ok(igny8_global_settings_put_json(st, ACTOR, body = body_at(step, 1), &reply));
    } else if (strcmp(op, "model_active") == 0) {
        assert_igny8_ok(igny8_model_set_active(st, ACTOR, str_at(step, 1), cJSON_IsTrue(cJSON_GetArrayItem(step, 2))));
    } else if (strcmp(op, "operation_model") == 0) {
        assert_igny8_ok(igny8_account_operation_model_set(st, ACTOR, ACCOUNT, str_at(step, 1), str_at(step, 2)));
    } else if (strcmp(op, "provider") == 0) {
        int type = strcmp(str_at(step, 1), "text") == 0 ? IGNY8_MODEL_TEXT : IGNY8_MODEL_IMAGE;
        assert_igny8_ok(igny8_account_provider_set(st, ACTOR, ACCOUNT, type, str_at(step, 2)));
    } else if (strcmp(op, "key") == 0) {
        int64_t owner = (int64_t)cJSON_GetArrayItem(step, 1)->valuedouble;
        assert_igny8_ok(owner ? igny8_account_key_set(st, ACTOR, owner, str_at(step, 2), str_at(step, 3))
                              : igny8_global_key_set(st, ACTOR, str_at(step, 2), str_at(step, 3)));
    } else if (strcmp(op, "test") == 0) {
        write_test(p, (int64_t)cJSON_GetArrayItem(step, 1)->valuedouble, str_at(step, 2),
                   cJSON_IsTrue(cJSON_GetArrayItem(step, 3)), (int)cJSON_GetArrayItem(step, 4)->valuedouble,
                   str_at(step, 5));
    } else {
        fail_msg("unknown step '%s' in access_cases.json", op);
    }
    if (reply) {
        cJSON *view = cJSON_Parse(reply);
        assert_non_null(view);
        cJSON_Delete(view);
    }
    igny8_free(reply);
    free(body);
}

static const char *key_source_name(int source)
{
    return source == IGNY8_KEY_ACCOUNT ? "account" : source == IGNY8_KEY_GLOBAL ? "global" : "none";
}

/* A trace entry as the table writes it: its status, or the reason it was skipped. */
static const char *outcome(const cJSON *entry)
{
    const char *status = cJSON_GetObjectItem(entry, "status")->valuestring;
    return strcmp(status, "skipped") == 0 ? cJSON_GetObjectItem(entry, "reason")->valuestring : status;
}

static void check_string(const char *name, const char *what, const char *got, const cJSON *want)
{
    if (cJSON_IsNull(want) ? got != NULL : (got == NULL || strcmp(got, want->valuestring) != 0))
        fail_msg("case '%s': %s is '%s', expected '%s'", name, what, got ? got : "(null)",
                 cJSON_IsNull(want) ? "(null)" : want->valuestring);
}

static void check_trace(const char *name, const igny8_resolution *r, const cJSON *expect)
{
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    const cJSON *levels = cJSON_GetObjectItem(t, "levels"), *chain = cJSON_GetObjectItem(t, "fallbacks");
    const cJSON *want_levels = cJSON_GetObjectItem(expect, "levels"), *want_chain = cJSON_GetObjectItem(expect, "chain");
    char what[96];
    for (int i = 0; i < 5; i++) {
        snprintf(what, sizeof(what), "level %d", i + 1);
        check_string(name, what, outcome(cJSON_GetArrayItem(levels, i)), cJSON_GetArrayItem(want_levels, i));
    }
    if (cJSON_GetArraySize(chain) != cJSON_GetArraySize(want_chain))
        fail_msg("case '%s': the trace has %d chain models, expected %d: %s", name, cJSON_GetArraySize(chain),
                 cJSON_GetArraySize(want_chain), igny8_resolution_trace_json(r));
    for (int i = 0; i < cJSON_GetArraySize(chain); i++) {
        const cJSON *e = cJSON_GetArrayItem(chain, i), *w = cJSON_GetArrayItem(want_chain, i);
        snprintf(what, sizeof(what), "chain model %d", i);
        check_string(name, what, cJSON_GetObjectItem(e, "model")->valuestring, cJSON_GetArrayItem(w, 0));
        snprintf(what, sizeof(what), "chain model %d's outcome", i);
        check_string(name, what, outcome(e), cJSON_GetArrayItem(w, 1));
        assert_non_null(cJSON_GetObjectItem(e, "estimated_cost"));
    }
    const cJSON *src = cJSON_GetObjectItem(t, "fallback_chain");
    check_string(name, "fallback_chain", cJSON_IsString(src) ? src->valuestring : NULL,
                 cJSON_GetObjectItem(expect, "chain_source"));
    cJSON_Delete(t);
}

static void check_detail(const char *name, const igny8_resolution *f, const cJSON *want)
{
    const cJSON *v;
    if ((v = cJSON_GetObjectItem(want, "integration")))
        check_string(name, "a fallback's integration", igny8_resolution_integration(f), v);
    if ((v = cJSON_GetObjectItem(want, "api_key_source")))
        check_string(name, "a fallback's key source", key_source_name(igny8_resolution_api_key_source(f)), v);
    if ((v = cJSON_GetObjectItem(want, "size")))
        check_string(name, "a fallback's size", igny8_resolution_size(f), v);
    if ((v = cJSON_GetObjectItem(want, "temperature")) && fabs(igny8_resolution_temperature(f) - v->valuedouble) > 1e-9)
        fail_msg("case '%s': a fallback's temperature is %g, expected %g", name, igny8_resolution_temperature(f),
                 v->valuedouble);
}

static void check_fallbacks(const char *name, const igny8_resolution *r, const cJSON *expect)
{
    const cJSON *want = cJSON_GetObjectItem(expect, "fallbacks"), *details = cJSON_GetObjectItem(expect, "fallback_details");
    size_t n = igny8_resolution_fallback_count(r);
    if (n != (size_t)cJSON_GetArraySize(want))
        fail_msg("case '%s': %zu fallbacks, expected %d", name, n, cJSON_GetArraySize(want));
    for (size_t i = 0; i < n; i++) {
        const igny8_resolution *f = igny8_resolution_fallback_at(r, i);
        check_string(name, "a fallback", igny8_resolution_model_name(f), cJSON_GetArrayItem(want, (int)i));
        assert_int_equal(igny8_resolution_source(f), IGNY8_SOURCE_FALLBACK);
        assert_int_equal(igny8_resolution_fallback_count(f), 0);
        if (details)
            check_detail(name, f, cJSON_GetArrayItem(details, (int)i));
    }
    assert_null(igny8_resolution_fallback_at(r, n));
}

static void check_case(const char *name, igny8_store *st, const cJSON *resolve, const cJSON *expect)
{
    igny8_resolve_options o = IGNY8_RESOLVE_OPTIONS_INIT;
    const cJSON *model = cJSON_GetObjectItem(resolve, "model"), *window = cJSON_GetObjectItem(resolve, "window_s");
    if (cJSON_IsTrue(cJSON_GetObjectItem(resolve, "skip_unhealthy")))
        o.flags |= IGNY8_RESOLVE_SKIP_UNHEALTHY;
    o.unhealthy_window_s = window ? (unsigned)window->valuedouble : 0;
    igny8_resolution *r = NULL;
    int rc = igny8_get_model_for_operation_v2(st, ACCOUNT, cJSON_GetObjectItem(resolve, "operation")->valuestring,
                                              cJSON_IsString(model) ? model->valuestring : NULL, &o, &r);
    const cJSON *error = cJSON_GetObjectItem(expect, "error");
    if (error) {
        int code = strcmp(error->valuestring, "EINVAL") == 0 ? IGNY8_EINVAL : IGNY8_ENOTFOUND;
        if (rc != code || strcmp(igny8_error_last()->field, cJSON_GetObjectItem(expect, "field")->valuestring) != 0)
            fail_msg("case '%s': rc %d (%s), expected %s", name, rc, rc ? igny8_error_last()->message : "ok",
                     error->valuestring);
        assert_null(r);
        return;
    }
    if (rc != IGNY8_OK)
        fail_msg("case '%s': %s", name, igny8_error_last()->message);
    check_string(name, "the model", igny8_resolution_model_name(r), cJSON_GetObjectItem(expect, "model"));
    check_string(name, "the source", igny8_resolution_source_name(r), cJSON_GetObjectItem(expect, "source"));
    if (cJSON_GetObjectItem(expect, "api_key_source"))
        check_string(name, "the key source", key_source_name(igny8_resolution_api_key_source(r)),
                     cJSON_GetObjectItem(expect, "api_key_source"));
    check_trace(name, r, expect);
    check_fallbacks(name, r, expect);
    char *json = NULL;
    assert_igny8_ok(igny8_resolution_to_json(r, &json));
    testutil_assert_not_contains(json, "FAKE");  /* the keys of the prelude and the steps */
    igny8_free(json);
    igny8_resolution_free(r);
}

static void test_access__table_of_cases(void **state)
{
    (void)state;
    char *text = testutil_fixture("access_cases.json");
    cJSON *doc = cJSON_Parse(text);
    const cJSON *cases = cJSON_GetObjectItem(doc, "cases"), *prelude = cJSON_GetObjectItem(doc, "prelude"), *c;
    int count = 0;
    assert_true(cJSON_GetArraySize(cases) >= 40);
    cJSON_ArrayForEach(c, cases) {
        testutil_place p;
        igny8_store *st = NULL;
        igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
        o.flags = IGNY8_STORE_SYNC_NORMAL;
        testutil_place_new(&p);
        assert_igny8_ok(testutil_place_open(&p, &o, &st));
        assert_igny8_ok(igny8_defaults_load(st, ACTOR, NULL));
        const cJSON *step;
        cJSON_ArrayForEach(step, prelude) apply_step(st, &p, step);
        cJSON_ArrayForEach(step, cJSON_GetObjectItem(c, "steps")) apply_step(st, &p, step);
        check_case(cJSON_GetObjectItem(c, "name")->valuestring, st, cJSON_GetObjectItem(c, "resolve"),
                   cJSON_GetObjectItem(c, "expect"));
        igny8_store_close(st);
        testutil_place_free(&p);
        count++;
    }
    print_message("[          ] %d cases of access_cases.json passed on %s\n", count, testutil_backend_name());
    cJSON_Delete(doc);
    free(text);
}

/* ---- helpers of the unit tests ---- */

static igny8_resolution *resolve(igny8_store *st, const char *operation, const char *request)
{
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, operation, request, &r));
    return r;
}

static cJSON *parsed(int rc, char **json)
{
    char *text = testutil_take(rc, json);
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    free(text);
    return j;
}

/* What a failed write must leave: the views it could have changed and the audit log. */
typedef struct snapshot { char *groups, *access, *chains, *account_chains; int audit; } snapshot;

static void take_snapshot(igny8_store *st, snapshot *s)
{
    char *j = NULL;
    s->groups = testutil_take(igny8_access_group_list_json(st, &j), &j);
    s->access = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &j), &j);
    s->chains = testutil_take(igny8_fallback_chains_get_json(st, 0, &j), &j);
    s->account_chains = testutil_take(igny8_fallback_chains_get_json(st, ACCOUNT, &j), &j);
    s->audit = testutil_audit_count(st);
}

static void assert_unchanged(igny8_store *st, snapshot *before)
{
    snapshot now;
    take_snapshot(st, &now);
    assert_string_equal(now.groups, before->groups);
    assert_string_equal(now.access, before->access);
    assert_string_equal(now.chains, before->chains);
    assert_string_equal(now.account_chains, before->account_chains);
    assert_int_equal(now.audit, before->audit);
    free(now.groups);
    free(now.access);
    free(now.chains);
    free(now.account_chains);
}

static void snapshot_free(snapshot *s)
{
    free(s->groups);
    free(s->access);
    free(s->chains);
    free(s->account_chains);
}

static const char *const starter[] = { "gpt-4o-mini", "claude-3-5-haiku-20241022" };

static void make_starter(igny8_store *st)
{
    assert_igny8_ok(igny8_access_group_set(st, ACTOR, "starter", "Cheap models", starter, 2));
}

/* ---- access groups ---- */

static void test_access__group_body_round_trips(void **state)
{
    igny8_store *st = *state;
    char *json = NULL;
    cJSON *g = parsed(igny8_access_group_put_json(st, ACTOR, "starter", "{\"description\":\"Cheap models\","
                                                  "\"models\":[\"gpt-4o-mini\",\"claude-3-5-haiku-20241022\"]}", &json),
                      &json);
    assert_string_equal(cJSON_GetObjectItem(g, "name")->valuestring, "starter");
    assert_string_equal(cJSON_GetObjectItem(g, "description")->valuestring, "Cheap models");
    assert_string_equal(str_at(cJSON_GetObjectItem(g, "models"), 0), "claude-3-5-haiku-20241022");
    assert_string_equal(str_at(cJSON_GetObjectItem(g, "models"), 1), "gpt-4o-mini");
    assert_int_equal(cJSON_GetObjectItem(g, "accounts")->valueint, 0);
    assert_string_equal(cJSON_GetObjectItem(g, "updated_by")->valuestring, ACTOR);
    char *body = cJSON_PrintUnformatted(g);
    int audit = testutil_audit_count(st);
    char *again = testutil_take(igny8_access_group_put_json(st, "other", "starter", body, &json), &json);
    assert_string_equal(again, body);  /* the GET body sent back changes nothing, not even the stamp */
    assert_int_equal(testutil_audit_count(st), audit);
    assert_igny8_ok(igny8_access_group_set(st, ACTOR, "starter", "Cheap models", starter, 2));
    assert_int_equal(testutil_audit_count(st), audit);
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT + 1, "starter"));
    cJSON *list = parsed(igny8_access_group_list_json(st, &json), &json);
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "accounts")->valueint, 2);
    cJSON *partial = parsed(igny8_access_group_put_json(st, ACTOR, "starter", "{\"description\":null}", &json), &json);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(partial, "description")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(partial, "models")), 2);  /* absent: kept */
    cJSON_Delete(partial);
    cJSON_Delete(list);
    free(again);
    cJSON_free(body);
    cJSON_Delete(g);
}

static void test_access__group_errors_write_nothing(void **state)
{
    igny8_store *st = *state;
    static const struct { const char *body; const char *field; } bad[] = {
        { "{\"price\":1}", "price" },
        { "{\"models\":\"gpt-4o\"}", "models" },
        { "{\"models\":[\"gpt-4o\",7]}", "models[1]" },
        { "{\"models\":[\"gpt-4o\",\"gpt-9\"]}", "models[1]" },
        { "{\"models\":[\"gpt-4o\",\"dall-e-3\",\"gpt-4o\"]}", "models[2]" },
        { "{\"name\":\"pro\"}", "name" },
        { "{\"description\":5}", "description" },
    };
    make_starter(st);
    snapshot before;
    take_snapshot(st, &before);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_igny8_fails(IGNY8_EINVAL, bad[i].field, igny8_access_group_put_json(st, ACTOR, "starter", bad[i].body, NULL));
        assert_unchanged(st, &before);
    }
    const char *unknown[] = { "gpt-4o", "gpt-9" }, *holes[] = { "gpt-4o", NULL };
    assert_igny8_fails(IGNY8_ENOTFOUND, "models[1]", igny8_access_group_set(st, ACTOR, "pro", NULL, unknown, 2));
    assert_igny8_fails(IGNY8_EINVAL, "models[1]", igny8_access_group_set(st, ACTOR, "pro", NULL, holes, 2));
    assert_igny8_fails(IGNY8_EINVAL, "models", igny8_access_group_set(st, ACTOR, "pro", NULL, NULL, 1));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_access_group_set(st, ACTOR, "two words", NULL, NULL, 0));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_access_group_set(st, ACTOR, "-pro", NULL, NULL, 0));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_access_group_set(st, ACTOR,
        "a123456789a123456789a123456789a123456789a123456789a123456789abcde", NULL, NULL, 0));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_access_group_set(st, "", "pro", NULL, NULL, 0));
    assert_igny8_fails(IGNY8_ENOTFOUND, "name", igny8_access_group_get_json(st, "pro", &(char *){ NULL }));
    assert_unchanged(st, &before);
    snapshot_free(&before);
}

static void test_access__group_in_use_is_not_deleted(void **state)
{
    igny8_store *st = *state;
    make_starter(st);
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "name", igny8_access_group_delete(st, ACTOR, "pro"));
    assert_igny8_fails(IGNY8_EEXISTS, "name", igny8_access_group_delete(st, ACTOR, "starter"));
    testutil_assert_contains(igny8_error_last()->message, "1 account");
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, NULL));
    assert_igny8_ok(igny8_access_group_delete(st, ACTOR, "starter"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "name", igny8_access_group_get_json(st, "starter", &(char *){ NULL }));
    /* a group made again starts empty */
    assert_igny8_ok(igny8_access_group_put_json(st, ACTOR, "starter", "{}", NULL));
    char *json = NULL;
    cJSON *g = parsed(igny8_access_group_get_json(st, "starter", &json), &json);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g, "models")), 0);
    cJSON_Delete(g);
}

/* ---- an account's access ---- */

static void test_access__account_body_round_trips(void **state)
{
    igny8_store *st = *state;
    char *json = NULL;
    make_starter(st);
    cJSON *a = parsed(igny8_account_access_put_json(st, ACTOR, ACCOUNT,
        "{\"group\":\"starter\",\"additions\":[\"gpt-4o\"],\"removals\":[\"claude-3-5-haiku-20241022\"],"
        "\"max_cost_per_1k_tokens\":0.02,\"fallbacks\":{\"ideas\":[\"gpt-4o-mini\",\"gpt-4o\"]},\"api_key\":\"sk-no\"}",
        &json), &json);
    assert_int_equal(cJSON_GetObjectItem(a, "account_id")->valueint, ACCOUNT);
    assert_string_equal(cJSON_GetObjectItem(a, "group")->valuestring, "starter");
    assert_string_equal(str_at(cJSON_GetObjectItem(a, "additions"), 0), "gpt-4o");
    assert_string_equal(str_at(cJSON_GetObjectItem(a, "removals"), 0), "claude-3-5-haiku-20241022");
    assert_float_equal(cJSON_GetObjectItem(a, "max_cost_per_1k_tokens")->valuedouble, 0.02, 1e-12);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(a, "max_cost_per_image")));
    const cJSON *ideas = cJSON_GetObjectItem(cJSON_GetObjectItem(a, "fallbacks"), "ideas");
    assert_int_equal(cJSON_GetArraySize(ideas), 2);
    assert_string_equal(str_at(ideas, 0), "gpt-4o-mini");
    const cJSON *allowed = cJSON_GetObjectItem(a, "allowed_models");
    assert_int_equal(cJSON_GetArraySize(allowed), 2);
    assert_string_equal(str_at(allowed, 0), "gpt-4o");
    assert_string_equal(str_at(allowed, 1), "gpt-4o-mini");
    char *text = cJSON_PrintUnformatted(a);
    testutil_assert_not_contains(text, "sk-no");
    int audit = testutil_audit_count(st);
    char *again = testutil_take(igny8_account_access_put_json(st, "other", ACCOUNT, text, &json), &json);
    assert_string_equal(again, text);
    assert_int_equal(testutil_audit_count(st), audit);
    cJSON *cleared = parsed(igny8_account_access_put_json(st, ACTOR, ACCOUNT, "{\"group\":null,\"additions\":null,"
                                                          "\"max_cost_per_1k_tokens\":null,\"fallbacks\":{\"ideas\":null}}",
                                                          &json), &json);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cleared, "group")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cleared, "additions")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cleared, "removals")), 1);  /* absent: kept */
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cleared, "fallbacks"), "ideas"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cleared, "allowed_models")), 11);  /* all but one */
    cJSON_Delete(cleared);
    free(again);
    cJSON_free(text);
    cJSON_Delete(a);
}

/* A chain written before the plan that now forbids a model of it is the account's still
 * (the resolver skips that model): its GET body sent back is no new choice. */
static void test_access__a_body_sent_back_after_a_plan_change_writes_nothing(void **state)
{
    igny8_store *st = *state;
    const char *chain[] = { "gpt-4o", "gpt-4o-mini" };
    char *json = NULL;
    make_starter(st);
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", chain, 2));
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    char *body = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    int audit = testutil_audit_count(st);
    char *again = testutil_take(igny8_account_access_put_json(st, ACTOR, ACCOUNT, body, &json), &json);
    assert_string_equal(again, body);
    assert_int_equal(testutil_audit_count(st), audit);
    /* a change of that chain is a choice, and is held to the plan */
    assert_igny8_fails(IGNY8_EINVAL, "fallbacks.ideas[0]", igny8_account_access_put_json(st, ACTOR, ACCOUNT,
        "{\"fallbacks\":{\"ideas\":[\"gpt-4o\"]}}", NULL));
    free(again);
    free(body);
}

static void test_access__account_errors_write_nothing(void **state)
{
    igny8_store *st = *state;
    static const struct { const char *body; const char *field; } bad[] = {
        { "{\"plan\":\"starter\"}", "plan" },
        { "{\"group\":\"pro\"}", "group" },
        { "{\"group\":\"no such\"}", "group" },
        { "{\"group\":7}", "group" },
        { "{\"additions\":{}}", "additions" },
        { "{\"additions\":[\"gpt-9\"]}", "additions[0]" },
        { "{\"additions\":[\"gpt-4o\",\"gpt-4o\"]}", "additions[1]" },
        { "{\"additions\":[\"gpt-4o\"],\"removals\":[\"gpt-4.1\",\"gpt-4o\"]}", "removals[1]" },
        { "{\"max_cost_per_1k_tokens\":-1}", "max_cost_per_1k_tokens" },
        { "{\"max_cost_per_image\":2e6}", "max_cost_per_image" },
        { "{\"max_cost_per_image\":\"cheap\"}", "max_cost_per_image" },
        { "{\"account_id\":43}", "account_id" },
        { "{\"group\":\"starter\",\"fallbacks\":{\"ideas\":[\"gpt-4o\"]}}", "fallbacks.ideas[0]" },
        { "{\"fallbacks\":[\"gpt-4o\"]}", "fallbacks" },
        { "{\"fallbacks\":{\"nope\":[]}}", "fallbacks.nope" },
    };
    make_starter(st);
    snapshot before;
    take_snapshot(st, &before);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_igny8_fails(IGNY8_EINVAL, bad[i].field, igny8_account_access_put_json(st, ACTOR, ACCOUNT, bad[i].body,
                                                                                   NULL));
        assert_unchanged(st, &before);
    }
    assert_igny8_fails(IGNY8_ENOTFOUND, "group", igny8_account_access_group_set(st, ACTOR, ACCOUNT, "pro"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "model", igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-9", 1));
    assert_igny8_fails(IGNY8_EINVAL, "access", igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4o", 2));
    assert_igny8_fails(IGNY8_EINVAL, "max_cost_per_image", igny8_account_budget_set(st, ACTOR, ACCOUNT, NAN, INFINITY));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_account_budget_set(st, ACTOR, 0, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_account_access_get_json(st, -3, &(char *){ NULL }));
    assert_unchanged(st, &before);
    snapshot_free(&before);
}

static void test_access__typed_account_calls(void **state)
{
    igny8_store *st = *state;
    char *json = NULL;
    make_starter(st);
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4.1", IGNY8_ACCESS_ALLOW));
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4o-mini", IGNY8_ACCESS_DENY));
    assert_igny8_ok(igny8_account_budget_set(st, ACTOR, ACCOUNT, 0.01, 0.05));
    cJSON *a = parsed(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    assert_string_equal(str_at(cJSON_GetObjectItem(a, "additions"), 0), "gpt-4.1");
    assert_string_equal(str_at(cJSON_GetObjectItem(a, "removals"), 0), "gpt-4o-mini");
    assert_float_equal(cJSON_GetObjectItem(a, "max_cost_per_image")->valuedouble, 0.05, 1e-12);
    cJSON_Delete(a);
    /* a rule can flip, and inherit removes it */
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4.1", IGNY8_ACCESS_DENY));
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4o-mini", IGNY8_ACCESS_INHERIT));
    a = parsed(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(a, "additions")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(a, "removals")), 1);
    assert_string_equal(str_at(cJSON_GetObjectItem(a, "allowed_models"), 1), "gpt-4o-mini");
    cJSON_Delete(a);
    /* everything cleared: the account is as one never given a plan */
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, NULL));
    assert_igny8_ok(igny8_account_budget_set(st, ACTOR, ACCOUNT, NAN, NAN));
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4.1", IGNY8_ACCESS_INHERIT));
    char *now = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    char *fresh = testutil_take(igny8_account_access_get_json(st, ACCOUNT + 1, &json), &json);
    testutil_assert_contains(now, "\"updated_at\":null");
    assert_string_equal(strchr(now, ','), strchr(fresh, ','));  /* all but the account id */
    free(now);
    free(fresh);
    /* an account id beyond 32 bits, in every statement that takes one */
    int64_t big = INT64_C(9000000000);
    const char *chain[] = { "gpt-4o" };
    assert_igny8_ok(igny8_account_access_put_json(st, ACTOR, big, "{\"group\":\"starter\",\"additions\":[\"gpt-4o\"]}",
                                                  NULL));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, big, "ideas", chain, 1));
    assert_igny8_ok(igny8_global_key_set(st, ACTOR, "openai", "sk-FAKE-openai-platform-0001"));
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation(st, big, "ideas", NULL, &r));
    assert_int_equal(igny8_resolution_fallback_count(r), 1);
    igny8_resolution_free(r);
    a = parsed(igny8_account_access_get_json(st, big, &json), &json);
    assert_string_equal(cJSON_GetObjectItem(a, "group")->valuestring, "starter");
    cJSON_Delete(a);
}

/* ---- fallback chains ---- */

static void test_access__chains_are_checked_when_written(void **state)
{
    igny8_store *st = *state;
    const char *unknown[] = { "gpt-9" }, *image[] = { "gpt-4o", "dall-e-3" }, *loop[] = { "gpt-4o", "gpt-4.1", "gpt-4o" };
    const char *nine[] = { "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4-turbo-preview", "claude-3-sonnet",
                           "claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022", "gpt-4o-mini", "gpt-4o" };
    const char *ok[] = { "gpt-4o", "claude-3-5-haiku-20241022" };
    snapshot before;
    take_snapshot(st, &before);
    assert_igny8_fails(IGNY8_ENOTFOUND, "models[0]", igny8_fallback_chain_set(st, ACTOR, 0, "ideas", unknown, 1));
    assert_igny8_fails(IGNY8_EINVAL, "models[1]", igny8_fallback_chain_set(st, ACTOR, 0, "ideas", image, 2));
    assert_igny8_fails(IGNY8_EINVAL, "models[2]", igny8_fallback_chain_set(st, ACTOR, 0, "ideas", loop, 3));
    testutil_assert_contains(igny8_error_last()->message, "loop");
    assert_igny8_fails(IGNY8_EINVAL, "models", igny8_fallback_chain_set(st, ACTOR, 0, "ideas", nine, 9));
    assert_igny8_fails(IGNY8_ENOTFOUND, "operation", igny8_fallback_chain_set(st, ACTOR, 0, "nope", ok, 2));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_fallback_chain_set(st, ACTOR, -1, "ideas", ok, 2));
    assert_igny8_fails(IGNY8_EINVAL, "ideas[1]", igny8_fallback_chains_put_json(st, ACTOR, 0,
                                                                              "{\"ideas\":[\"gpt-4o\",\"gpt-9\"]}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "nope", igny8_fallback_chains_put_json(st, ACTOR, 0, "{\"nope\":[]}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "ideas", igny8_fallback_chains_put_json(st, ACTOR, 0, "{\"ideas\":\"gpt-4o\"}",
                                                                           NULL));
    /* the second chain of a body fails: the first is not written either */
    assert_igny8_fails(IGNY8_EINVAL, "clustering[0]", igny8_fallback_chains_put_json(st, ACTOR, 0,
        "{\"ideas\":[\"gpt-4o\"],\"clustering\":[\"dall-e-3\"]}", NULL));
    assert_igny8_ok(igny8_model_set_active(st, ACTOR, "gpt-4.1", 0));
    before.audit++;
    assert_igny8_fails(IGNY8_EINVAL, "models[1]", igny8_fallback_chain_set(st, ACTOR, 0, "ideas", loop, 2));
    testutil_assert_contains(igny8_error_last()->message, "inactive");
    /* an account's chain keeps to its plan */
    assert_igny8_ok(igny8_account_budget_set(st, ACTOR, ACCOUNT, 0.005, NAN));
    make_starter(st);
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    free(before.access);
    free(before.groups);
    char *j = NULL;
    before.access = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &j), &j);
    before.groups = testutil_take(igny8_access_group_list_json(st, &j), &j);
    before.audit += 3;
    assert_igny8_fails(IGNY8_EINVAL, "models[0]", igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", ok, 2));
    testutil_assert_contains(igny8_error_last()->message, "not allowed");
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4o", IGNY8_ACCESS_ALLOW));
    before.audit++;
    free(before.access);
    before.access = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &j), &j);
    assert_igny8_fails(IGNY8_EINVAL, "models[0]", igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", ok, 2));
    testutil_assert_contains(igny8_error_last()->message, "ceiling");
    assert_unchanged(st, &before);
    snapshot_free(&before);
}

static void test_access__empty_and_removed_chains(void **state)
{
    igny8_store *st = *state;
    const char *ok[] = { "gpt-4o", "claude-3-5-haiku-20241022" };
    char *json = NULL;
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, 0, "ideas", ok, 2));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", ok, 0));
    char *platform = testutil_take(igny8_fallback_chains_get_json(st, 0, &json), &json);
    char *account = testutil_take(igny8_fallback_chains_get_json(st, ACCOUNT, &json), &json);
    assert_string_equal(platform, "{\"ideas\":[\"gpt-4o\",\"claude-3-5-haiku-20241022\"]}");
    assert_string_equal(account, "{\"ideas\":[]}");
    free(platform);
    free(account);
    /* the platform's empty chain is no chain; null removes either */
    assert_igny8_ok(igny8_fallback_chains_put_json(st, ACTOR, 0, "{\"ideas\":[]}", &json));
    assert_string_equal(json, "{}");
    igny8_free(json);
    assert_igny8_ok(igny8_fallback_chains_put_json(st, ACTOR, ACCOUNT, "{\"ideas\":null}", &json));
    assert_string_equal(json, "{}");
    igny8_free(json);
    int audit = testutil_audit_count(st);
    assert_igny8_ok(igny8_fallback_chains_put_json(st, ACTOR, ACCOUNT, "{\"ideas\":null}", NULL));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, 0, "ideas", NULL, 0));
    assert_int_equal(testutil_audit_count(st), audit);
}

/* ---- the settings page ---- */

static void test_access__settings_refuse_a_forbidden_model(void **state)
{
    igny8_store *st = *state;
    char *json = NULL;
    make_starter(st);
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    char *before = testutil_take(igny8_integration_get_json(st, ACCOUNT, "openai", &json), &json);
    int audit = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_integration_put_json(st, ACTOR, ACCOUNT, "openai",
                                                                       "{\"model\":\"gpt-4o\",\"temperature\":0.2}", NULL));
    testutil_assert_contains(igny8_error_last()->message, "starter");
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_account_operation_model_set(st, ACTOR, ACCOUNT, "ideas", "gpt-4.1"));
    char *after = testutil_take(igny8_integration_get_json(st, ACCOUNT, "openai", &json), &json);
    assert_string_equal(after, before);
    assert_int_equal(testutil_audit_count(st), audit);
    assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT, "openai", "{\"model\":\"gpt-4o-mini\"}", NULL));
    /* over the ceiling is refused the same way, naming model */
    assert_igny8_ok(igny8_account_budget_set(st, ACTOR, ACCOUNT, 0.001, NAN));
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_integration_put_json(st, ACTOR, ACCOUNT, "anthropic",
                                                                       "{\"model\":\"claude-3-5-haiku-20241022\"}", NULL));
    testutil_assert_contains(igny8_error_last()->message, "ceiling");
    assert_igny8_fails(IGNY8_EINVAL, "model",
                       igny8_account_operation_model_set(st, ACTOR, ACCOUNT, "ideas", "claude-3-5-haiku-20241022"));
    /* another account is not held to this one's plan */
    assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT + 1, "openai", "{\"model\":\"gpt-4o\"}", NULL));
    free(before);
    free(after);
}

static int count_models(igny8_store *st, int64_t account, const igny8_model_filter *f, const char *must_have)
{
    char *json = NULL;
    cJSON *list = parsed(igny8_account_model_list_json(st, account, f, &json), &json);
    int n = cJSON_GetArraySize(list), found = must_have == NULL;
    for (int i = 0; i < n; i++)
        found |= must_have && strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(list, i), "model_name")->valuestring,
                                     must_have) == 0;
    cJSON_Delete(list);
    assert_true(found);
    return n;
}

static void test_access__dropdown_lists_only_choosable_models(void **state)
{
    igny8_store *st = *state;
    igny8_model_filter openai = IGNY8_MODEL_FILTER_INIT, inactive = IGNY8_MODEL_FILTER_INIT;
    openai.provider = "openai";
    openai.model_type = IGNY8_MODEL_TEXT;
    inactive.active = IGNY8_FILTER_INACTIVE;
    assert_int_equal(count_models(st, ACCOUNT, NULL, "dall-e-3"), 12);
    assert_igny8_ok(igny8_model_set_active(st, ACTOR, "gpt-4-turbo-preview", 0));
    assert_int_equal(count_models(st, ACCOUNT, NULL, NULL), 11);
    assert_int_equal(count_models(st, ACCOUNT, &openai, "gpt-4o"), 4);
    make_starter(st);
    assert_igny8_ok(igny8_account_access_put_json(st, ACTOR, ACCOUNT, "{\"group\":\"starter\",\"additions\":"
                                                  "[\"gpt-4o\",\"runware:100@1\",\"dall-e-3\"]}", NULL));
    assert_int_equal(count_models(st, ACCOUNT, NULL, "runware:100@1"), 5);
    assert_int_equal(count_models(st, ACCOUNT, &openai, "gpt-4o-mini"), 2);
    assert_igny8_ok(igny8_account_budget_set(st, ACTOR, ACCOUNT, 0.001, 0.01));
    assert_int_equal(count_models(st, ACCOUNT, NULL, "gpt-4o-mini"), 2);  /* gpt-4o-mini, runware:100@1 */
    assert_int_equal(count_models(st, ACCOUNT + 1, NULL, NULL), 11);
    assert_igny8_fails(IGNY8_EINVAL, "active", igny8_account_model_list_json(st, ACCOUNT, &inactive, &(char *){ NULL }));
}

/* ---- the audit log ---- */

static cJSON *newest(igny8_store *st, const char *entity)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    char *json = NULL;
    q.entity = entity;
    q.limit = 1;
    cJSON *all = parsed(igny8_audit_query_json(st, &q, &json), &json);
    cJSON *e = cJSON_DetachItemFromArray(cJSON_GetObjectItem(all, "entries"), 0);
    cJSON_Delete(all);
    assert_non_null(e);
    return e;
}

static void assert_entry(igny8_store *st, const char *entity, const char *key, int64_t account, const char *action,
                         const char *before, const char *after)
{
    cJSON *e = newest(st, entity);
    char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "before"));
    char *a = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "after"));
    assert_string_equal(cJSON_GetObjectItem(e, "key")->valuestring, key);
    assert_string_equal(cJSON_GetObjectItem(e, "action")->valuestring, action);
    assert_string_equal(cJSON_GetObjectItem(e, "actor")->valuestring, ACTOR);
    if (account)
        assert_int_equal((int64_t)cJSON_GetObjectItem(e, "account_id")->valuedouble, account);
    else
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "account_id")));
    assert_string_equal(b, before);
    assert_string_equal(a, after);
    cJSON_free(b);
    cJSON_free(a);
    cJSON_Delete(e);
}

static void test_access__every_write_is_audited(void **state)
{
    igny8_store *st = *state;
    const char *one[] = { "gpt-4o-mini" }, *chain[] = { "gpt-4o", "gpt-4.1" };
    make_starter(st);
    assert_entry(st, "access_group", "starter", 0, "create", "null",
                 "{\"description\":\"Cheap models\",\"models\":[\"claude-3-5-haiku-20241022\",\"gpt-4o-mini\"]}");
    assert_igny8_ok(igny8_access_group_set(st, ACTOR, "starter", NULL, one, 1));
    assert_entry(st, "access_group", "starter", 0, "update",
                 "{\"description\":\"Cheap models\",\"models\":[\"claude-3-5-haiku-20241022\",\"gpt-4o-mini\"]}",
                 "{\"description\":null,\"models\":[\"gpt-4o-mini\"]}");
    assert_igny8_ok(igny8_account_access_put_json(st, ACTOR, ACCOUNT, "{\"group\":\"starter\",\"additions\":[\"gpt-4o\"],"
                                                  "\"max_cost_per_image\":0.04}", NULL));
    assert_entry(st, "account_access", "access", ACCOUNT, "create", "null",
                 "{\"group\":\"starter\",\"additions\":[\"gpt-4o\"],\"removals\":[],\"max_cost_per_1k_tokens\":null,"
                 "\"max_cost_per_image\":0.04}");
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, 0, "ideas", chain, 2));
    assert_entry(st, "fallback_chain", "ideas", 0, "create", "null", "{\"models\":[\"gpt-4o\",\"gpt-4.1\"]}");
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", chain, 1));
    assert_entry(st, "fallback_chain", "ideas", ACCOUNT, "create", "null", "{\"models\":[\"gpt-4o\"]}");
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", NULL, 0));
    assert_entry(st, "fallback_chain", "ideas", ACCOUNT, "delete", "{\"models\":[\"gpt-4o\"]}", "null");
    assert_igny8_ok(igny8_account_access_put_json(st, ACTOR, ACCOUNT, "{\"group\":null,\"additions\":[],"
                                                  "\"max_cost_per_image\":null}", NULL));
    assert_entry(st, "account_access", "access", ACCOUNT, "delete",
                 "{\"group\":\"starter\",\"additions\":[\"gpt-4o\"],\"removals\":[],\"max_cost_per_1k_tokens\":null,"
                 "\"max_cost_per_image\":0.04}", "null");
    assert_igny8_ok(igny8_access_group_delete(st, ACTOR, "starter"));
    assert_entry(st, "access_group", "starter", 0, "delete", "{\"description\":null,\"models\":[\"gpt-4o-mini\"]}",
                 "null");
}

static void test_access__health_counts_plans_and_chains(void **state)
{
    igny8_store *st = *state;
    const char *chain[] = { "gpt-4o" };
    char *json = NULL;
    make_starter(st);
    assert_igny8_ok(igny8_access_group_set(st, ACTOR, "pro", NULL, chain, 1));
    assert_igny8_ok(igny8_account_access_group_set(st, ACTOR, ACCOUNT, "starter"));
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT + 1, "gpt-4o", IGNY8_ACCESS_DENY));
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4o", IGNY8_ACCESS_ALLOW));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, 0, "ideas", chain, 1));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT + 2, "ideas", chain, 0));
    cJSON *h = parsed(igny8_health_json(st, &json), &json);
    const cJSON *counts = cJSON_GetObjectItem(h, "counts");
    assert_int_equal(cJSON_GetObjectItem(counts, "access_groups")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(counts, "accounts_with_plans")->valueint, 3);  /* + the empty chain's */
    assert_int_equal(cJSON_GetObjectItem(counts, "fallback_chains")->valueint, 2);
    cJSON_Delete(h);
}

/* ---- the fallbacks as resolutions ---- */

static void test_access__fallbacks_are_resolutions_of_their_own(void **state)
{
    igny8_store *st = *state;
    const char *chain[] = { "claude-3-5-haiku-20241022", "dall-e-3" };
    assert_igny8_ok(igny8_global_key_set(st, ACTOR, "openai", "sk-FAKE-openai-platform-0001"));
    assert_igny8_ok(igny8_account_key_set(st, ACTOR, ACCOUNT, "anthropic", "sk-ant-FAKE-account-0042"));
    assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT, "anthropic", "{\"max_tokens\":5000}", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "models[1]", igny8_fallback_chain_set(st, ACTOR, 0, "ideas", chain, 2));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, 0, "ideas", chain, 1));
    igny8_resolution *r = resolve(st, "ideas", NULL);
    assert_int_equal(igny8_resolution_fallback_count(r), 1);
    const igny8_resolution *f = igny8_resolution_fallback_at(r, 0);
    assert_string_equal(igny8_resolution_model_name(f), "claude-3-5-haiku-20241022");
    assert_string_equal(igny8_resolution_provider(f), "anthropic");
    assert_string_equal(igny8_resolution_source_name(f), "fallback");
    assert_string_equal(igny8_resolution_operation(f), "ideas");
    assert_int_equal(igny8_resolution_max_tokens(f), 5000);  /* the account's anthropic settings */
    assert_int_equal(igny8_resolution_api_key_source(f), IGNY8_KEY_ACCOUNT);
    assert_string_equal(igny8_resolution_api_key(f), "sk-ant-FAKE-account-0042");
    assert_string_equal(igny8_resolution_api_key(r), "sk-FAKE-openai-platform-0001");
    assert_float_equal(igny8_model_output_cost_per_1k(igny8_resolution_model(f)), 0.004, 1e-12);
    igny8_resolution_view v = IGNY8_RESOLUTION_VIEW_INIT;
    assert_igny8_ok(igny8_resolution_view_get(f, &v));
    assert_string_equal(v.model_name, "claude-3-5-haiku-20241022");
    assert_int_equal(v.source, IGNY8_SOURCE_FALLBACK);
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(f));
    assert_int_equal(cJSON_GetObjectItem(t, "position")->valueint, 0);
    assert_string_equal(cJSON_GetObjectItem(t, "fallback_chain")->valuestring, "platform");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "parameters"), "max_tokens"),
                                            "source")->valuestring, "account");
    cJSON_Delete(t);
    char *json = NULL;
    cJSON *body = parsed(igny8_resolution_to_json(r, &json), &json);
    const cJSON *fb = cJSON_GetArrayItem(cJSON_GetObjectItem(body, "fallbacks"), 0);
    assert_string_equal(cJSON_GetObjectItem(fb, "model")->valuestring, "claude-3-5-haiku-20241022");
    assert_string_equal(cJSON_GetObjectItem(fb, "api_key_source")->valuestring, "account");
    assert_null(cJSON_GetObjectItem(fb, "trace"));
    char *text = cJSON_PrintUnformatted(body);
    testutil_assert_not_contains(text, "FAKE");
    testutil_assert_not_contains(igny8_resolution_trace_json(r), "FAKE");
    cJSON_free(text);
    cJSON_Delete(body);
    igny8_resolution_free((igny8_resolution *)f);  /* its resolution's: a no-op */
    assert_string_equal(igny8_resolution_model_name(f), "claude-3-5-haiku-20241022");
    assert_null(igny8_resolution_fallback_at(r, 1));
    assert_null(igny8_resolution_fallback_at(NULL, 0));
    assert_int_equal(igny8_resolution_fallback_count(NULL), 0);
    igny8_resolution_free(r);
}

static void test_access__the_trace_shows_plan_costs_and_health(void **state)
{
    igny8_store *st = *state;
    make_starter(st);
    assert_igny8_ok(igny8_account_operation_model_set(st, ACTOR, ACCOUNT, "ideas", "gpt-4o"));
    assert_igny8_ok(igny8_account_access_put_json(st, ACTOR, ACCOUNT, "{\"group\":\"starter\","
                                                  "\"max_cost_per_1k_tokens\":0.005}", NULL));
    igny8_resolve_options o = IGNY8_RESOLVE_OPTIONS_INIT;
    o.flags = IGNY8_RESOLVE_SKIP_UNHEALTHY;
    o.unhealthy_window_s = 60;
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &o, &r));
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    const cJSON *access = cJSON_GetObjectItem(t, "access");
    assert_string_equal(cJSON_GetObjectItem(access, "group")->valuestring, "starter");
    assert_float_equal(cJSON_GetObjectItem(access, "max_cost_per_1k_tokens")->valuedouble, 0.005, 1e-12);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(access, "max_cost_per_image")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(t, "skip_unhealthy")));
    assert_int_equal(cJSON_GetObjectItem(t, "unhealthy_window_s")->valueint, 60);
    const cJSON *level2 = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "levels"), 1);
    assert_string_equal(cJSON_GetObjectItem(level2, "reason")->valuestring, "not_allowed");
    const cJSON *cost = cJSON_GetObjectItem(level2, "estimated_cost");
    assert_float_equal(cJSON_GetObjectItem(cost, "input_per_1k")->valuedouble, 0.0025, 1e-12);
    assert_float_equal(cJSON_GetObjectItem(cost, "output_per_1k")->valuedouble, 0.01, 1e-12);
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "levels"), 0), "estimated_cost"));
    cJSON_Delete(t);
    igny8_resolution_free(r);
}

static void test_access__resolve_options_are_checked(void **state)
{
    igny8_store *st = *state;
    igny8_resolve_options o;
    igny8_resolution *r = (igny8_resolution *)&o;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_resolve_options_init(&o, 0));
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_resolve_options_init(&o, IGNY8_RESOLVE_OPTIONS_VERSION + 1));
    assert_igny8_fails(IGNY8_EINVAL, "opts", igny8_resolve_options_init(NULL, 1));
    assert_igny8_ok(igny8_resolve_options_init(&o, IGNY8_RESOLVE_OPTIONS_VERSION));
    assert_int_equal(o.flags, 0);
    o.flags = 2;
    assert_igny8_fails(IGNY8_EINVAL, "flags", igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &o, &r));
    assert_null(r);
    o.flags = IGNY8_RESOLVE_SKIP_UNHEALTHY;
    o.unhealthy_window_s = IGNY8_UNHEALTHY_WINDOW_MAX_S + 1;
    assert_igny8_fails(IGNY8_EINVAL, "unhealthy_window_s",
                       igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &o, &r));
    o.version = 7;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &o, &r));
    assert_igny8_ok(igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o-mini");
    igny8_resolution_free(r);
}

/* A resolution points into its account's cache entry: the entry outlives its eviction,
 * a later change of the account and the store itself while the resolution lives. */
static void test_access__fallbacks_outlive_the_cache_entry(void **state)
{
    (void)state;
    testutil_place p;
    igny8_store *st = NULL;
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    const char *chain[] = { "runware:100@1", "dall-e-2" };
    o.cache_accounts = 1;
    testutil_place_new(&p);
    assert_igny8_ok(testutil_place_open(&p, &o, &st));
    assert_igny8_ok(igny8_defaults_load(st, ACTOR, NULL));
    assert_igny8_ok(igny8_global_key_set(st, ACTOR, "openai", "sk-FAKE-openai-platform-0001"));
    assert_igny8_ok(igny8_account_key_set(st, ACTOR, ACCOUNT, "runware", "FAKE-runware-account-0042"));
    assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT, "runware", "{\"size\":\"512x512\",\"quality\":"
                                               "\"hd\"}", NULL));
    assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT, "dalle", "{\"style\":\"natural\"}", NULL));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "image_generation", chain, 2));
    igny8_resolution *r = resolve(st, "image_generation", NULL), *other = NULL;
    assert_string_equal(igny8_resolution_style(r), "natural");
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT + 1, "clustering", NULL, &other));  /* evicts 42 */
    igny8_resolution_free(other);
    assert_igny8_ok(igny8_integration_put_json(st, ACTOR, ACCOUNT, "runware", "{\"size\":\"256x256\"}", NULL));
    assert_igny8_ok(igny8_account_key_set(st, ACTOR, ACCOUNT, "runware", "FAKE-runware-account-0043"));
    assert_string_equal(igny8_resolution_api_key(igny8_resolution_fallback_at(r, 0)), "FAKE-runware-account-0042");
    igny8_store_close(st);
    const igny8_resolution *f = igny8_resolution_fallback_at(r, 0);
    assert_string_equal(igny8_resolution_model_name(f), "runware:100@1");
    assert_string_equal(igny8_resolution_size(f), "512x512");
    assert_string_equal(igny8_resolution_quality(f), "hd");
    assert_int_equal(igny8_resolution_api_key_source(f), IGNY8_KEY_ACCOUNT);
    assert_string_equal(igny8_resolution_style(igny8_resolution_fallback_at(r, 1)), "natural");
    assert_string_equal(igny8_resolution_style(r), "natural");
    igny8_resolution_free(r);
    testutil_place_free(&p);
}

/* The fallbacks are filled by the first call that reads them: threads that race to read
 * them all see one and the same filling. */
struct reader { const igny8_resolution *r; const igny8_resolution *seen[3]; };

static void *read_fallbacks(void *arg)
{
    struct reader *rd = arg;
    for (size_t i = 0; i < 3; i++)
        rd->seen[i] = igny8_resolution_fallback_at(rd->r, 2 - i);
    return NULL;
}

static void test_access__threads_see_one_filling_of_the_fallbacks(void **state)
{
    igny8_store *st = *state;
    const char *chain[] = { "gpt-4o", "gpt-4.1", "gpt-4.1-mini" };
    assert_igny8_ok(igny8_global_key_set(st, ACTOR, "openai", "sk-FAKE-openai-platform-0001"));
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, 0, "ideas", chain, 3));
    for (int round = 0; round < 50; round++) {
        igny8_resolution *r = resolve(st, "ideas", NULL);
        pthread_t t[8];
        struct reader rd[8];
        for (int i = 0; i < 8; i++) {
            rd[i].r = r;
            assert_int_equal(pthread_create(&t[i], NULL, read_fallbacks, &rd[i]), 0);
        }
        for (int i = 0; i < 8; i++) {
            assert_int_equal(pthread_join(t[i], NULL), 0);
            for (size_t k = 0; k < 3; k++) {
                assert_ptr_equal(rd[i].seen[k], rd[0].seen[k]);
                assert_string_equal(igny8_resolution_model_name(rd[i].seen[k]), chain[2 - k]);
            }
        }
        igny8_resolution_free(r);
    }
}

static const char *model_of(igny8_store *st, const char *operation, int skip_unhealthy, size_t *n_fallbacks);

/* An account's own models and chains are read only under its access row (db.h): the
 * schema makes that row when they come, from any writer, and keeps it while they stay;
 * the library lets it go with the last of them. */
static void test_access__the_access_row_heads_own_models_and_chains(void **state)
{
    (void)state;
    testutil_place p;
    igny8_store *st = NULL;
    char err[256], *json = NULL;
    const char *chain[] = { "gpt-4.1-mini" };
    size_t n = 0;
    testutil_place_new(&p);
    assert_igny8_ok(testutil_place_open(&p, NULL, &st));
    assert_igny8_ok(igny8_defaults_load(st, ACTOR, NULL));
    assert_igny8_ok(igny8_global_key_set(st, ACTOR, "openai", "sk-FAKE-openai-platform-0001"));
    assert_igny8_ok(igny8_account_operation_model_set(st, ACTOR, ACCOUNT, "ideas", "gpt-4.1"));
    assert_string_equal(model_of(st, "ideas", 0, &n), "gpt-4.1");
    if (testutil_sql(&p, "INSERT INTO account_access_model VALUES (42, 'gpt-4.1', 0, '2026-12-01T00:00:00.000Z',"
                         " 'shell')", err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_string_equal(model_of(st, "ideas", 0, &n), "gpt-4o-mini");  /* the shell's removal is seen */
    cJSON *a = parsed(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    assert_string_equal(cJSON_GetObjectItem(a, "updated_by")->valuestring, "shell");
    cJSON_Delete(a);
    assert_int_not_equal(testutil_sql(&p, "DELETE FROM account_access WHERE account_id = 42", err, sizeof(err)), 0);
    testutil_assert_contains(err, "is kept");
    /* the library's writes: the row goes with the last rule, and comes and goes with a chain */
    assert_igny8_ok(igny8_account_model_access_set(st, ACTOR, ACCOUNT, "gpt-4.1", IGNY8_ACCESS_INHERIT));
    char *none = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    testutil_assert_contains(none, "\"updated_at\":null");
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", chain, 1));
    assert_string_equal(model_of(st, "ideas", 0, &n), "gpt-4.1");
    assert_int_equal(n, 1);
    assert_igny8_ok(igny8_fallback_chain_set(st, ACTOR, ACCOUNT, "ideas", NULL, 0));
    char *again = testutil_take(igny8_account_access_get_json(st, ACCOUNT, &json), &json);
    assert_string_equal(again, none);
    free(none);
    free(again);
    igny8_store_close(st);
    testutil_place_free(&p);
}

/* ---- freshness ---- */

static const char *model_of(igny8_store *st, const char *operation, int skip_unhealthy, size_t *n_fallbacks)
{
    static char name[64];
    igny8_resolve_options o = IGNY8_RESOLVE_OPTIONS_INIT;
    o.flags = skip_unhealthy ? IGNY8_RESOLVE_SKIP_UNHEALTHY : 0;
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation_v2(st, ACCOUNT, operation, NULL, &o, &r));
    snprintf(name, sizeof(name), "%s", igny8_resolution_model_name(r));
    *n_fallbacks = igny8_resolution_fallback_count(r);
    igny8_resolution_free(r);
    return name;
}

static void test_access__another_handle_sees_every_change(void **state)
{
    (void)state;
    testutil_place p;
    igny8_store *writer = NULL, *reader = NULL;
    const char *haiku[] = { "claude-3-5-haiku-20241022" }, *chain[] = { "gpt-4o", "claude-3-5-haiku-20241022" };
    const char *own[] = { "gpt-4.1-mini", "claude-3-5-haiku-20241022" };
    size_t n = 0;
    testutil_place_new(&p);
    assert_igny8_ok(testutil_place_open(&p, NULL, &writer));
    assert_igny8_ok(igny8_defaults_load(writer, ACTOR, NULL));
    assert_igny8_ok(igny8_global_key_set(writer, ACTOR, "anthropic", "sk-ant-FAKE-fresh-0001"));
    assert_igny8_ok(igny8_global_key_set(writer, ACTOR, "openai", "sk-FAKE-fresh-0001"));
    assert_igny8_ok(testutil_place_open(&p, NULL, &reader));
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4o-mini");
    assert_int_equal(n, 0);
    assert_igny8_ok(igny8_fallback_chain_set(writer, ACTOR, 0, "ideas", chain, 2));    /* platform chains */
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4o-mini");
    assert_int_equal(n, 2);
    assert_igny8_ok(igny8_access_group_set(writer, ACTOR, "pro", NULL, haiku, 1));       /* groups */
    assert_igny8_ok(igny8_account_access_group_set(writer, ACTOR, ACCOUNT, "pro"));     /* account access */
    assert_string_equal(model_of(reader, "ideas", 1, &n), "claude-3-5-haiku-20241022");
    assert_int_equal(n, 0);
    assert_igny8_ok(igny8_access_group_set(writer, ACTOR, "pro", NULL, chain, 2));       /* a group's models */
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4o");
    assert_int_equal(n, 1);
    assert_igny8_ok(igny8_account_budget_set(writer, ACTOR, ACCOUNT, 0.005, NAN));      /* ceilings */
    assert_string_equal(model_of(reader, "ideas", 1, &n), "claude-3-5-haiku-20241022");
    assert_igny8_ok(igny8_account_model_access_set(writer, ACTOR, ACCOUNT, "gpt-4.1-mini", IGNY8_ACCESS_ALLOW));
    assert_igny8_ok(igny8_fallback_chain_set(writer, ACTOR, ACCOUNT, "ideas", own, 2));  /* account chains */
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4.1-mini");
    assert_int_equal(n, 1);
    assert_igny8_ok(igny8_account_access_put_json(writer, ACTOR, ACCOUNT, "{\"group\":null,\"max_cost_per_1k_tokens\":"
                                                  "null}", NULL));
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4o-mini");
    assert_int_equal(n, 2);
    write_test(&p, 0, "openai", 0, 5, "server");                                         /* platform health */
    assert_string_equal(model_of(reader, "ideas", 0, &n), "gpt-4o-mini");
    assert_string_equal(model_of(reader, "ideas", 1, &n), "claude-3-5-haiku-20241022");  /* gpt-4.1-mini: openai */
    assert_igny8_ok(igny8_account_key_set(writer, ACTOR, ACCOUNT, "openai", "sk-FAKE-fresh-0042"));
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4o-mini");
    write_test(&p, ACCOUNT, "openai", 0, 5, "auth");                                     /* the account's health */
    assert_string_equal(model_of(reader, "ideas", 1, &n), "claude-3-5-haiku-20241022");
    write_test(&p, ACCOUNT, "openai", 1, 1, NULL);
    assert_string_equal(model_of(reader, "ideas", 1, &n), "gpt-4o-mini");
    igny8_store_close(reader);
    igny8_store_close(writer);
    testutil_place_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access__table_of_cases),
        cmocka_unit_test_setup_teardown(test_access__group_body_round_trips, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__group_errors_write_nothing, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__group_in_use_is_not_deleted, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__account_body_round_trips, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__account_errors_write_nothing, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__a_body_sent_back_after_a_plan_change_writes_nothing,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__typed_account_calls, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__chains_are_checked_when_written, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__empty_and_removed_chains, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__settings_refuse_a_forbidden_model, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__dropdown_lists_only_choosable_models, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__every_write_is_audited, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__health_counts_plans_and_chains, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__fallbacks_are_resolutions_of_their_own, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__the_trace_shows_plan_costs_and_health, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_access__resolve_options_are_checked, testutil_setup, testutil_teardown),
        cmocka_unit_test(test_access__fallbacks_outlive_the_cache_entry),
        cmocka_unit_test(test_access__the_access_row_heads_own_models_and_chains),
        cmocka_unit_test_setup_teardown(test_access__threads_see_one_filling_of_the_fallbacks, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test(test_access__another_handle_sees_every_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
