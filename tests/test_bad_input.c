/* Bad input, class by class (docs/bad-input.md has the table): each rejected call gives
 * the exact code, names the field, has a one-line UTF-8 message without the secret it
 * was given, leaves its out-parameters NULL and changes nothing (the whole store as an
 * export with keys, the audit log and the connection statuses are identical afterwards).
 * Classes that other files test already are referenced in the table, not repeated here. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define ACCOUNT 7
#define OTHER 8
/* Every secret handed to the library holds this marker, and no message may contain it. */
#define MARK "s3cr3t"
#define SECRET "sk-FAKE-" MARK "-0000wxyz"
#define ACCOUNT_SECRET "sk-ant-FAKE-" MARK "-1111abcd"

static const char *const PROFILE =
    "{\"name\":\"Plain Explainer\",\"category\":\"blog\",\"tone\":\"Plain and calm\","
    "\"structure_template\":{\"sections\":[{\"heading\":\"Intro\",\"word_count\":100}]}}";

typedef struct {
    igny8_store *st;
    int64_t profile;      /* a global author profile */
    int64_t copy;         /* ACCOUNT's copy of it */
    int64_t other_copy;   /* OTHER's copy of it */
    char dir[64];         /* a sandbox for the file tests */
} fixture;

/* A store with something of every kind in it: keys, an account's overrides and choices,
 * a customised prompt, a library item and two accounts' copies of it. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->st = testutil_store(1);
    igny8_store *st = f->st;
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", SECRET));
    assert_igny8_ok(igny8_account_key_set(st, "ops", ACCOUNT, "anthropic", ACCOUNT_SECRET));
    assert_igny8_ok(igny8_integration_put_json(st, "ops", ACCOUNT, "openai", "{\"model\":\"gpt-4o\",\"temperature\":0.4}",
                                               NULL));
    assert_igny8_ok(igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-4o"));
    assert_igny8_ok(igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":false}", NULL));
    assert_igny8_ok(igny8_account_prompt_customize(st, "ops", ACCOUNT, "ideas", "Ideas for {site_name}"));
    assert_igny8_ok(igny8_library_create_json(st, "ops", IGNY8_LIBRARY_AUTHOR_PROFILE, PROFILE, &f->profile));
    assert_igny8_ok(igny8_library_clone(st, "ops", IGNY8_LIBRARY_AUTHOR_PROFILE, ACCOUNT, f->profile, &f->copy));
    assert_igny8_ok(igny8_library_clone(st, "ops", IGNY8_LIBRARY_AUTHOR_PROFILE, OTHER, f->profile, &f->other_copy));
    snprintf(f->dir, sizeof(f->dir), "%s", testutil_tmpdir());
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    igny8_store_close(f->st);
    testutil_rmdir(f->dir);
    free(f);
    return 0;
}

/* ---- checks ---- */

static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0)
            return 0;
        for (int i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

/* rc is `code`, the error names `field` (NULL: not checked) and its message is one line of
 * UTF-8 that does not repeat a secret. */
static void check_error(int code, const char *field, int rc, const char *expr, const char *file, int line)
{
    const igny8_error *e = igny8_error_last();
    if (rc != code)
        fail_msg("%s:%d: %s -> %d (%s), expected %d", file, line, expr, rc, rc ? e->message : "ok", code);
    if (e->code != code)
        fail_msg("%s:%d: error_last code %d, expected %d", file, line, e->code, code);
    if (e->message == NULL || e->message[0] == '\0')
        fail_msg("%s:%d: %s gave no message", file, line, expr);
    if (strpbrk(e->message, "\n\r") != NULL || !utf8_ok(e->message))
        fail_msg("%s:%d: %s: the message is not one line of UTF-8", file, line, expr);
    if (strstr(e->message, MARK) != NULL)
        fail_msg("%s:%d: %s: the message repeats a secret", file, line, expr);
    if (e->field && (strpbrk(e->field, "\n\r") != NULL || !utf8_ok(e->field)))
        fail_msg("%s:%d: %s: the field is not one line of UTF-8", file, line, expr);
    if (field && (e->field == NULL || strcmp(e->field, field) != 0))
        fail_msg("%s:%d: %s names field '%s' (%s), expected '%s'", file, line, expr, e->field ? e->field : "(null)",
                 e->message, field);
}

#define REJECT(code, field, expr) check_error((code), (field), (expr), #expr, __FILE__, __LINE__)

/* A pointer no call may leave in an out-parameter after a failure. */
static char poison_target;
#define POISON ((void *)&poison_target)
/* expr fails as REJECT says and leaves the pointer out NULL. */
#define REJECT_OUT(code, field, out, expr) do { \
        (out) = POISON; \
        REJECT(code, field, expr); \
        if ((void *)(out) != NULL) \
            fail_msg("%s:%d: %s left %s non-NULL", __FILE__, __LINE__, #expr, #out); \
    } while (0)

/* Everything a call could change: the whole store (an export with keys), the audit log
 * and the connection statuses. */
static char *view(igny8_store *st)
{
    igny8_export_options eo = IGNY8_EXPORT_OPTIONS_INIT;
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    char *parts[3] = { NULL, NULL, NULL };
    eo.flags = IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS;
    q.limit = IGNY8_AUDIT_LIMIT_MAX;
    assert_igny8_ok(igny8_store_export_json(st, &eo, &parts[0]));
    assert_igny8_ok(igny8_audit_query_json(st, &q, &parts[1]));
    assert_igny8_ok(igny8_connection_status_json(st, &parts[2]));
    size_t n = strlen(parts[0]) + strlen(parts[1]) + strlen(parts[2]) + 3;
    char *all = malloc(n);
    assert_non_null(all);
    snprintf(all, n, "%s\n%s\n%s", parts[0], parts[1], parts[2]);
    for (int i = 0; i < 3; i++)
        igny8_free(parts[i]);
    return all;
}

/* The view is what it was (never printed: it holds keys); frees before. */
static void assert_unchanged(igny8_store *st, char *before, const char *file, int line)
{
    char *after = view(st);
    if (strcmp(before, after) != 0) {
        size_t i = 0;
        while (before[i] && before[i] == after[i])
            i++;
        fail_msg("%s:%d: the store changed (first difference at byte %zu of the view)", file, line, i);
    }
    free(after);
    free(before);
}
#define ASSERT_UNCHANGED(st, before) assert_unchanged((st), (before), __FILE__, __LINE__)

/* A string of n copies of c (caller frees). */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* prefix + n copies of c + suffix (caller frees). */
static char *padded(const char *prefix, char c, size_t n, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    char *s = malloc(a + n + b + 1);
    assert_non_null(s);
    memcpy(s, prefix, a);
    memset(s + a, c, n);
    memcpy(s + a + n, suffix, b + 1);
    return s;
}

#define AP IGNY8_LIBRARY_AUTHOR_PROFILE

/* ======================================================================== NULL arguments */

/* Every call that takes a store refuses NULL, names "st" and leaves its out-parameter NULL.
 * (test_errors__null_arguments_are_einval samples each header; this is every call.) */
static void test_bad_input__null_store(void **state)
{
    fixture *f = *state;
    char *before = view(f->st);
    char *j;
    igny8_model *m;
    igny8_models *ml;
    igny8_integration *ig;
    igny8_prompt *p;
    igny8_resolution *r;
    int n = 0;
    int64_t id = 0;
    size_t created = 0;
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    igny8_prompt_commit_options pc = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    pc.prompt_type = "ideas";
    pc.value = "x";
    const char *const types[] = { "ideas" };
    const int64_t ids[] = { 1 }, accounts[] = { ACCOUNT };
#define NS(expr) REJECT(IGNY8_EINVAL, "st", expr)
#define NS_OUT(out, expr) REJECT_OUT(IGNY8_EINVAL, "st", out, expr)
    /* store.h, transfer.h, health.h, audit.h */
    NS(igny8_store_schema_version(NULL, &n));
    NS(igny8_defaults_load(NULL, "ops", NULL));
    NS_OUT(j, igny8_store_export_json(NULL, NULL, &j));
    NS(igny8_store_import_json(NULL, "ops", "{\"format\":\"igny8settings\",\"format_version\":1}", NULL));
    NS_OUT(j, igny8_connection_test(NULL, "ops", "openai", NULL, &j));
    NS_OUT(j, igny8_connection_status_json(NULL, &j));
    NS_OUT(j, igny8_health_json(NULL, &j));
    NS_OUT(j, igny8_audit_query_json(NULL, NULL, &j));
    assert_null(igny8_store_path(NULL));
    igny8_store_close(NULL);
    /* model.h */
    NS_OUT(m, igny8_model_add_json(NULL, "ops", "{}", &m));
    NS_OUT(m, igny8_model_update_json(NULL, "ops", "gpt-4o", "{}", &m));
    NS(igny8_model_set_active(NULL, "ops", "gpt-4o", 1));
    NS(igny8_model_set_default(NULL, "ops", "gpt-4o"));
    NS_OUT(m, igny8_model_get(NULL, "gpt-4o", &m));
    NS_OUT(ml, igny8_model_list(NULL, NULL, &ml));
    NS_OUT(j, igny8_model_list_json(NULL, NULL, &j));
    /* settings.h */
    NS_OUT(ig, igny8_global_integration_get(NULL, "openai", &ig));
    NS(igny8_global_integration_set(NULL, "ops", "openai", &u));
    NS(igny8_global_key_set(NULL, "ops", "openai", NULL));
    NS(igny8_global_set_active(NULL, "ops", 1));
    NS(igny8_global_default_model_set(NULL, "ops", "gpt-4o"));
    NS_OUT(j, igny8_global_settings_get_json(NULL, &j));
    NS_OUT(j, igny8_global_settings_put_json(NULL, "ops", "{}", &j));
    NS_OUT(ig, igny8_account_integration_get(NULL, ACCOUNT, "openai", &ig));
    NS(igny8_account_integration_set(NULL, "ops", ACCOUNT, "openai", &u));
    NS(igny8_account_integration_reset(NULL, "ops", ACCOUNT, "openai"));
    NS(igny8_account_key_set(NULL, "ops", ACCOUNT, "openai", NULL));
    NS_OUT(j, igny8_integration_get_json(NULL, ACCOUNT, "openai", &j));
    NS_OUT(j, igny8_integration_put_json(NULL, "ops", ACCOUNT, "openai", "{}", &j));
    NS_OUT(j, igny8_integration_list_json(NULL, ACCOUNT, &j));
    /* account.h, resolve.h */
    NS(igny8_account_provider_set(NULL, "ops", ACCOUNT, IGNY8_MODEL_TEXT, NULL));
    NS(igny8_account_operation_model_set(NULL, "ops", ACCOUNT, "ideas", NULL));
    NS_OUT(j, igny8_account_models_get_json(NULL, ACCOUNT, &j));
    NS(igny8_operation_model_type(NULL, "ideas", &n));
    NS_OUT(j, igny8_operation_list_json(NULL, &j));
    NS_OUT(r, igny8_get_model_for_operation(NULL, ACCOUNT, "ideas", NULL, &r));
    NS_OUT(r, igny8_get_model_for_operation_v2(NULL, ACCOUNT, "ideas", NULL, NULL, &r));
    /* access.h */
    NS(igny8_access_group_set(NULL, "ops", "starter", NULL, types, 0));
    NS(igny8_access_group_delete(NULL, "ops", "starter"));
    NS_OUT(j, igny8_access_group_get_json(NULL, "starter", &j));
    NS_OUT(j, igny8_access_group_list_json(NULL, &j));
    NS_OUT(j, igny8_access_group_put_json(NULL, "ops", "starter", "{}", &j));
    NS(igny8_account_access_group_set(NULL, "ops", ACCOUNT, NULL));
    NS(igny8_account_model_access_set(NULL, "ops", ACCOUNT, "gpt-4o", IGNY8_ACCESS_ALLOW));
    NS(igny8_account_budget_set(NULL, "ops", ACCOUNT, 1, 1));
    NS_OUT(j, igny8_account_access_get_json(NULL, ACCOUNT, &j));
    NS_OUT(j, igny8_account_access_put_json(NULL, "ops", ACCOUNT, "{}", &j));
    NS_OUT(j, igny8_account_model_list_json(NULL, ACCOUNT, NULL, &j));
    NS(igny8_fallback_chain_set(NULL, "ops", 0, "ideas", NULL, 0));
    NS_OUT(j, igny8_fallback_chains_get_json(NULL, 0, &j));
    NS_OUT(j, igny8_fallback_chains_put_json(NULL, "ops", 0, "{}", &j));
    /* modules.h */
    NS(igny8_module_add(NULL, "ops", "reports", NULL, 1));
    NS(igny8_module_set(NULL, "ops", "planner", 1));
    NS(igny8_module_account_set(NULL, "ops", ACCOUNT, "planner", 1));
    NS(igny8_module_enabled(NULL, ACCOUNT, "planner", &n));
    NS_OUT(j, igny8_module_list_json(NULL, ACCOUNT, &j));
    NS_OUT(j, igny8_module_put_json(NULL, "ops", ACCOUNT, "{}", &j));
    /* prompt.h */
    NS(igny8_prompt_type_add(NULL, "ops", "new_type"));
    NS_OUT(p, igny8_prompt_commit(NULL, "ops", &pc, &p));
    NS(igny8_prompt_publish(NULL, "ops", "ideas", 1));
    NS(igny8_prompt_set_active(NULL, "ops", "ideas", 1));
    NS_OUT(p, igny8_prompt_get(NULL, "ideas", 0, &p));
    NS_OUT(j, igny8_prompt_versions_json(NULL, "ideas", &j));
    NS_OUT(j, igny8_prompt_diff(NULL, "ideas", 1, 1, &j));
    NS_OUT(j, igny8_prompt_list_json(NULL, &j));
    NS(igny8_prompt_increment_version(NULL, "ops", types, 1, NULL));
    NS(igny8_prompt_set_active_bulk(NULL, "ops", types, 1, 1));
    NS(igny8_account_prompt_customize(NULL, "ops", ACCOUNT, "ideas", "x"));
    NS(igny8_account_prompt_reset(NULL, "ops", ACCOUNT, "ideas"));
    NS(igny8_account_prompt_reset_bulk(NULL, "ops", accounts, 1, "ideas"));
    NS_OUT(p, igny8_account_prompt_get(NULL, ACCOUNT, "ideas", &p));
    NS_OUT(j, igny8_account_prompt_get_json(NULL, ACCOUNT, "ideas", &j));
    NS_OUT(j, igny8_account_prompt_list_json(NULL, ACCOUNT, &j));
    NS_OUT(j, igny8_prompt_stale_accounts_json(NULL, "ideas", &j));
    NS_OUT(j, igny8_prompt_render(NULL, ACCOUNT, "ideas", NULL, &j));
    /* library.h */
    NS(igny8_library_create_json(NULL, "ops", AP, PROFILE, &id));
    assert_int_equal(id, 0);
    NS(igny8_library_update_json(NULL, "ops", AP, f->profile, "{}"));
    NS(igny8_library_set_active(NULL, "ops", AP, f->profile, 1));
    NS(igny8_library_set_active_bulk(NULL, "ops", AP, ids, 1, 1));
    NS_OUT(j, igny8_library_get_json(NULL, AP, f->profile, &j));
    NS_OUT(j, igny8_library_list_json(NULL, AP, NULL, &j));
    NS(igny8_library_clone(NULL, "ops", AP, ACCOUNT + 5, f->profile, &id));
    assert_int_equal(id, 0);
    NS(igny8_library_bulk_clone(NULL, "ops", AP, ids, 1, accounts, 1, IGNY8_CLONE_SKIP, &created));
    assert_int_equal(created, 0);
    NS(igny8_library_copy_update_json(NULL, "ops", AP, ACCOUNT, f->copy, "{}"));
    NS(igny8_library_copy_reset(NULL, "ops", AP, ACCOUNT, f->copy));
    NS(igny8_library_copy_delete(NULL, "ops", AP, ACCOUNT, f->copy));
    NS_OUT(j, igny8_library_copy_get_json(NULL, AP, ACCOUNT, f->copy, &j));
    NS_OUT(j, igny8_library_copy_list_json(NULL, AP, ACCOUNT, &j));
#undef NS
#undef NS_OUT
    ASSERT_UNCHANGED(f->st, before);
}

/* Every required out-parameter refuses NULL and is named. (Out-parameters documented as
 * "may be NULL", such as the new GET body of a PUT, are optional and not listed.) */
static void test_bad_input__null_out(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    igny8_model *m = NULL;
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_model_get(st, "gpt-4o", &m));
    assert_igny8_ok(igny8_get_model_for_operation(st, ACCOUNT, "ideas", NULL, &r));
    igny8_store *s2;
    REJECT(IGNY8_EINVAL, "out", igny8_store_open(NULL, ":memory:", NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_store_schema_version(st, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_store_export_json(st, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_connection_status_json(st, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_health_json(st, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_audit_query_json(st, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_model_get(st, "gpt-4o", NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_model_list(st, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_model_list_json(st, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_model_to_json(m, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_model_estimate_cost(m, 1, 1, 0, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_global_integration_get(st, "openai", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_global_settings_get_json(st, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_account_integration_get(st, ACCOUNT, "openai", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_integration_get_json(st, ACCOUNT, "openai", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_integration_list_json(st, ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_account_models_get_json(st, ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_operation_model_type(st, "ideas", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_operation_list_json(st, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_get_model_for_operation(st, ACCOUNT, "ideas", NULL, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_access_group_get_json(st, "starter", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_access_group_list_json(st, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_account_access_get_json(st, ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_account_model_list_json(st, ACCOUNT, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_fallback_chains_get_json(st, 0, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_resolution_to_json(r, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_resolution_view_get(r, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_module_enabled(st, ACCOUNT, "planner", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_module_list_json(st, ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_template_variables_json("{a}", NULL));
    REJECT(IGNY8_EINVAL, "out_text", igny8_template_render("{a}", "{\"a\":1}", NULL));
    REJECT(IGNY8_EINVAL, "out_diff", igny8_text_diff("a", "b", NULL, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_prompt_get(st, "ideas", 0, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_prompt_versions_json(st, "ideas", NULL));
    REJECT(IGNY8_EINVAL, "out_diff", igny8_prompt_diff(st, "ideas", 1, 1, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_prompt_list_json(st, NULL));
    REJECT(IGNY8_EINVAL, "out", igny8_account_prompt_get(st, ACCOUNT, "ideas", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_account_prompt_get_json(st, ACCOUNT, "ideas", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_account_prompt_list_json(st, ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_prompt_stale_accounts_json(st, "ideas", NULL));
    REJECT(IGNY8_EINVAL, "out_text", igny8_prompt_render(st, ACCOUNT, "ideas", "{}", NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_library_get_json(st, AP, f->profile, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_library_list_json(st, AP, NULL, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_library_copy_get_json(st, AP, ACCOUNT, f->copy, NULL));
    REJECT(IGNY8_EINVAL, "out_json", igny8_library_copy_list_json(st, AP, ACCOUNT, NULL));
    /* the options structs' init functions */
    REJECT(IGNY8_EINVAL, "opts", igny8_store_options_init(NULL, IGNY8_STORE_OPTIONS_VERSION));
    REJECT(IGNY8_EINVAL, "f", igny8_model_filter_init(NULL, IGNY8_MODEL_FILTER_VERSION));
    REJECT(IGNY8_EINVAL, "q", igny8_audit_query_init(NULL, IGNY8_AUDIT_QUERY_VERSION));
    REJECT(IGNY8_EINVAL, "u", igny8_integration_update_init(NULL, IGNY8_INTEGRATION_UPDATE_VERSION));
    REJECT(IGNY8_EINVAL, "f", igny8_library_filter_init(NULL, IGNY8_LIBRARY_FILTER_VERSION));
    REJECT(IGNY8_EINVAL, "opts", igny8_connection_test_options_init(NULL, IGNY8_CONNECTION_TEST_OPTIONS_VERSION));
    REJECT(IGNY8_EINVAL, "opts", igny8_prompt_commit_options_init(NULL, IGNY8_PROMPT_COMMIT_OPTIONS_VERSION));
    REJECT(IGNY8_EINVAL, "opts", igny8_export_options_init(NULL, IGNY8_EXPORT_OPTIONS_VERSION));
    REJECT(IGNY8_EINVAL, "opts", igny8_import_options_init(NULL, IGNY8_IMPORT_OPTIONS_VERSION));
    REJECT(IGNY8_EINVAL, "view", igny8_resolution_view_init(NULL, IGNY8_RESOLUTION_VIEW_VERSION));
    REJECT(IGNY8_EINVAL, "opts", igny8_resolve_options_init(NULL, IGNY8_RESOLVE_OPTIONS_VERSION));
    /* NULL snapshots are refused too */
    char *j;
    REJECT_OUT(IGNY8_EINVAL, "m", j, igny8_model_to_json(NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "r", j, igny8_resolution_to_json(NULL, &j));
    igny8_resolution_view rv = IGNY8_RESOLUTION_VIEW_INIT;
    REJECT(IGNY8_EINVAL, "r", igny8_resolution_view_get(NULL, &rv));
    igny8_cost cost;
    REJECT(IGNY8_EINVAL, "m", igny8_model_estimate_cost(NULL, 1, 1, 0, &cost));
    assert_int_equal(igny8_resolution_fallback_count(NULL), 0);
    assert_null(igny8_resolution_fallback_at(NULL, 0));
    (void)s2;
    igny8_model_free(m);
    igny8_resolution_free(r);
    ASSERT_UNCHANGED(st, before);
}

/* Every write refuses a NULL actor, and every call a NULL name, body or template it needs. */
static void test_bad_input__null_required_string(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
    igny8_model *m;
    igny8_integration *ig;
    igny8_prompt *p;
    igny8_resolution *r;
    int n = 0;
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    igny8_prompt_commit_options pc = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    pc.prompt_type = "ideas";
    pc.value = "x";
    const char *const types[] = { "ideas" }, *const null_type[] = { NULL };
    const int64_t ids[] = { 1 }, accounts[] = { ACCOUNT };

    /* actor, on every write */
#define NA(expr) REJECT(IGNY8_EINVAL, "actor", expr)
    NA(igny8_defaults_load(st, NULL, NULL));
    NA(igny8_store_import_json(st, NULL, "{\"format\":\"igny8settings\",\"format_version\":1}", NULL));
    NA(igny8_connection_test(st, NULL, "openai", NULL, &j));
    NA(igny8_model_add_json(st, NULL, "{}", &m));
    NA(igny8_model_update_json(st, NULL, "gpt-4o", "{}", &m));
    NA(igny8_model_set_active(st, NULL, "gpt-4o", 1));
    NA(igny8_model_set_default(st, NULL, "gpt-4o"));
    NA(igny8_global_integration_set(st, NULL, "openai", &u));
    NA(igny8_global_key_set(st, NULL, "openai", NULL));
    NA(igny8_global_set_active(st, NULL, 1));
    NA(igny8_global_default_model_set(st, NULL, "gpt-4o"));
    NA(igny8_global_settings_put_json(st, NULL, "{}", &j));
    NA(igny8_account_integration_set(st, NULL, ACCOUNT, "openai", &u));
    NA(igny8_account_integration_reset(st, NULL, ACCOUNT, "openai"));
    NA(igny8_account_key_set(st, NULL, ACCOUNT, "openai", NULL));
    NA(igny8_integration_put_json(st, NULL, ACCOUNT, "openai", "{}", &j));
    NA(igny8_account_provider_set(st, NULL, ACCOUNT, IGNY8_MODEL_TEXT, NULL));
    NA(igny8_account_operation_model_set(st, NULL, ACCOUNT, "ideas", NULL));
    NA(igny8_module_add(st, NULL, "reports", NULL, 1));
    NA(igny8_module_set(st, NULL, "planner", 1));
    NA(igny8_module_account_set(st, NULL, ACCOUNT, "planner", 1));
    NA(igny8_module_put_json(st, NULL, ACCOUNT, "{}", &j));
    NA(igny8_prompt_type_add(st, NULL, "new_type"));
    NA(igny8_prompt_commit(st, NULL, &pc, &p));
    NA(igny8_prompt_publish(st, NULL, "ideas", 1));
    NA(igny8_prompt_set_active(st, NULL, "ideas", 1));
    NA(igny8_prompt_increment_version(st, NULL, types, 1, NULL));
    NA(igny8_prompt_set_active_bulk(st, NULL, types, 1, 1));
    NA(igny8_account_prompt_customize(st, NULL, ACCOUNT, "ideas", "x"));
    NA(igny8_account_prompt_reset(st, NULL, ACCOUNT, "ideas"));
    NA(igny8_account_prompt_reset_bulk(st, NULL, accounts, 1, "ideas"));
    NA(igny8_library_create_json(st, NULL, AP, PROFILE, NULL));
    NA(igny8_library_update_json(st, NULL, AP, f->profile, "{}"));
    NA(igny8_library_set_active(st, NULL, AP, f->profile, 1));
    NA(igny8_library_set_active_bulk(st, NULL, AP, ids, 1, 1));
    NA(igny8_library_clone(st, NULL, AP, ACCOUNT + 5, f->profile, NULL));
    NA(igny8_library_bulk_clone(st, NULL, AP, ids, 1, accounts, 1, IGNY8_CLONE_SKIP, NULL));
    NA(igny8_library_copy_update_json(st, NULL, AP, ACCOUNT, f->copy, "{}"));
    NA(igny8_library_copy_reset(st, NULL, AP, ACCOUNT, f->copy));
    NA(igny8_library_copy_delete(st, NULL, AP, ACCOUNT, f->copy));
    NA(igny8_access_group_set(st, NULL, "starter", NULL, types, 0));
    NA(igny8_access_group_delete(st, NULL, "starter"));
    NA(igny8_access_group_put_json(st, NULL, "starter", "{}", &j));
    NA(igny8_account_access_group_set(st, NULL, ACCOUNT, NULL));
    NA(igny8_account_model_access_set(st, NULL, ACCOUNT, "gpt-4o", IGNY8_ACCESS_ALLOW));
    NA(igny8_account_budget_set(st, NULL, ACCOUNT, 1, 1));
    NA(igny8_account_access_put_json(st, NULL, ACCOUNT, "{}", &j));
    NA(igny8_fallback_chain_set(st, NULL, 0, "ideas", NULL, 0));
    NA(igny8_fallback_chains_put_json(st, NULL, 0, "{}", &j));
#undef NA

    /* names */
    REJECT(IGNY8_EINVAL, "path", igny8_store_open(&(igny8_store *){ NULL }, NULL, NULL));
    REJECT_OUT(IGNY8_EINVAL, "model_name", m, igny8_model_get(st, NULL, &m));
    REJECT_OUT(IGNY8_EINVAL, "model_name", m, igny8_model_update_json(st, "ops", NULL, "{}", &m));
    REJECT(IGNY8_EINVAL, "model_name", igny8_model_set_active(st, "ops", NULL, 1));
    REJECT(IGNY8_EINVAL, "model_name", igny8_model_set_default(st, "ops", NULL));
    REJECT(IGNY8_EINVAL, "model_name", igny8_global_default_model_set(st, "ops", NULL));
    REJECT_OUT(IGNY8_EINVAL, "integration", ig, igny8_global_integration_get(st, NULL, &ig));
    REJECT(IGNY8_EINVAL, "integration", igny8_global_integration_set(st, "ops", NULL, &u));
    REJECT(IGNY8_EINVAL, "integration", igny8_global_key_set(st, "ops", NULL, SECRET));
    REJECT_OUT(IGNY8_EINVAL, "integration", ig, igny8_account_integration_get(st, ACCOUNT, NULL, &ig));
    REJECT(IGNY8_EINVAL, "integration", igny8_account_integration_set(st, "ops", ACCOUNT, NULL, &u));
    REJECT(IGNY8_EINVAL, "integration", igny8_account_integration_reset(st, "ops", ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "integration", igny8_account_key_set(st, "ops", ACCOUNT, NULL, SECRET));
    REJECT_OUT(IGNY8_EINVAL, "integration", j, igny8_integration_get_json(st, ACCOUNT, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "integration", j, igny8_integration_put_json(st, "ops", ACCOUNT, NULL, "{}", &j));
    REJECT_OUT(IGNY8_EINVAL, "integration", j, igny8_connection_test(st, "ops", NULL, NULL, &j));
    REJECT(IGNY8_EINVAL, "operation", igny8_operation_model_type(st, NULL, &n));
    REJECT(IGNY8_EINVAL, "operation", igny8_account_operation_model_set(st, "ops", ACCOUNT, NULL, "gpt-4o"));
    REJECT_OUT(IGNY8_EINVAL, "operation", r, igny8_get_model_for_operation(st, ACCOUNT, NULL, NULL, &r));
    REJECT_OUT(IGNY8_EINVAL, "operation", r, igny8_get_model_for_operation_v2(st, ACCOUNT, NULL, NULL, NULL, &r));
    REJECT(IGNY8_EINVAL, "operation", igny8_fallback_chain_set(st, "ops", 0, NULL, types, 0));
    REJECT(IGNY8_EINVAL, "name", igny8_access_group_set(st, "ops", NULL, NULL, types, 0));
    REJECT(IGNY8_EINVAL, "name", igny8_access_group_delete(st, "ops", NULL));
    REJECT_OUT(IGNY8_EINVAL, "name", j, igny8_access_group_get_json(st, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "name", j, igny8_access_group_put_json(st, "ops", NULL, "{}", &j));
    REJECT(IGNY8_EINVAL, "model_name", igny8_account_model_access_set(st, "ops", ACCOUNT, NULL, IGNY8_ACCESS_ALLOW));
    REJECT(IGNY8_EINVAL, "models", igny8_access_group_set(st, "ops", "starter", NULL, NULL, 1));
    REJECT(IGNY8_EINVAL, "models[0]", igny8_access_group_set(st, "ops", "starter", NULL, null_type, 1));
    REJECT(IGNY8_EINVAL, "models[0]", igny8_fallback_chain_set(st, "ops", 0, "ideas", null_type, 1));
    REJECT(IGNY8_EINVAL, "name", igny8_module_add(st, "ops", NULL, NULL, 1));
    REJECT(IGNY8_EINVAL, "name", igny8_module_set(st, "ops", NULL, 1));
    REJECT(IGNY8_EINVAL, "name", igny8_module_account_set(st, "ops", ACCOUNT, NULL, 1));
    REJECT(IGNY8_EINVAL, "name", igny8_module_enabled(st, ACCOUNT, NULL, &n));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_prompt_type_add(st, "ops", NULL));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_prompt_publish(st, "ops", NULL, 1));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_prompt_set_active(st, "ops", NULL, 1));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", p, igny8_prompt_get(st, NULL, 0, &p));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", j, igny8_prompt_versions_json(st, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", j, igny8_prompt_diff(st, NULL, 1, 1, &j));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_account_prompt_customize(st, "ops", ACCOUNT, NULL, "x"));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_account_prompt_reset(st, "ops", ACCOUNT, NULL));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_account_prompt_reset_bulk(st, "ops", accounts, 1, NULL));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", p, igny8_account_prompt_get(st, ACCOUNT, NULL, &p));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", j, igny8_account_prompt_get_json(st, ACCOUNT, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", j, igny8_prompt_stale_accounts_json(st, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", j, igny8_prompt_render(st, ACCOUNT, NULL, NULL, &j));
    REJECT(IGNY8_EINVAL, "prompt_types[0]", igny8_prompt_increment_version(st, "ops", null_type, 1, NULL));
    REJECT(IGNY8_EINVAL, "prompt_types[0]", igny8_prompt_set_active_bulk(st, "ops", null_type, 1, 1));
    REJECT(IGNY8_EINVAL, "prompt_types", igny8_prompt_increment_version(st, "ops", NULL, 1, NULL));
    REJECT(IGNY8_EINVAL, "prompt_types", igny8_prompt_set_active_bulk(st, "ops", NULL, 1, 1));
    REJECT(IGNY8_EINVAL, "account_ids", igny8_account_prompt_reset_bulk(st, "ops", NULL, 1, "ideas"));
    REJECT(IGNY8_EINVAL, "ids", igny8_library_set_active_bulk(st, "ops", AP, NULL, 1, 1));
    REJECT(IGNY8_EINVAL, "source_ids", igny8_library_bulk_clone(st, "ops", AP, NULL, 1, accounts, 1, 0, NULL));
    REJECT(IGNY8_EINVAL, "account_ids", igny8_library_bulk_clone(st, "ops", AP, ids, 1, NULL, 1, 0, NULL));
    /* the prompt commit's required fields */
    REJECT_OUT(IGNY8_EINVAL, "opts", p, igny8_prompt_commit(st, "ops", NULL, &p));
    pc.prompt_type = NULL;
    REJECT_OUT(IGNY8_EINVAL, "prompt_type", p, igny8_prompt_commit(st, "ops", &pc, &p));
    pc.prompt_type = "ideas";
    pc.value = NULL;
    REJECT_OUT(IGNY8_EINVAL, "value", p, igny8_prompt_commit(st, "ops", &pc, &p));
    REJECT(IGNY8_EINVAL, "value", igny8_account_prompt_customize(st, "ops", ACCOUNT, "ideas", NULL));
    /* bodies and templates */
    REJECT_OUT(IGNY8_EINVAL, "json", m, igny8_model_add_json(st, "ops", NULL, &m));
    REJECT_OUT(IGNY8_EINVAL, "patch_json", m, igny8_model_update_json(st, "ops", "gpt-4o", NULL, &m));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_integration_put_json(st, "ops", ACCOUNT, "openai", NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_global_settings_put_json(st, "ops", NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_module_put_json(st, "ops", ACCOUNT, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_access_group_put_json(st, "ops", "starter", NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_account_access_put_json(st, "ops", ACCOUNT, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_fallback_chains_put_json(st, "ops", 0, NULL, &j));
    REJECT(IGNY8_EINVAL, "json", igny8_library_create_json(st, "ops", AP, NULL, NULL));
    REJECT(IGNY8_EINVAL, "patch_json", igny8_library_update_json(st, "ops", AP, f->profile, NULL));
    REJECT(IGNY8_EINVAL, "patch_json", igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->copy, NULL));
    REJECT(IGNY8_EINVAL, "json", igny8_store_import_json(st, "ops", NULL, NULL));
    REJECT_OUT(IGNY8_EINVAL, "template_text", j, igny8_template_variables_json(NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "template_text", j, igny8_template_render(NULL, "{}", &j));
    REJECT_OUT(IGNY8_EINVAL, "old_text", j, igny8_text_diff(NULL, "b", NULL, NULL, &j));
    REJECT_OUT(IGNY8_EINVAL, "new_text", j, igny8_text_diff("a", NULL, NULL, NULL, &j));
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== account ids */

/* Account ids are the host's positive keys: 0, -1 and INT64_MIN are refused by every call
 * that takes one, naming "account_id" (or its index in a bulk call). Where 0 means "the
 * platform" (module views, rendering the global prompt, a connection test of the
 * platform's key, an audit filter), negative ids are still refused. */
static void test_bad_input__account_id_not_positive(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    const int64_t bad[] = { 0, -1, INT64_MIN };
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = IGNY8_FIELD_TEMPERATURE;
    u.temperature = 0.5;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const int64_t a = bad[i];
        const int64_t ids[] = { f->profile }, accounts[] = { ACCOUNT, a };
        char *j;
        igny8_integration *ig;
        igny8_resolution *r;
        igny8_prompt *p;
        int64_t id = 99;
#define NA(expr) REJECT(IGNY8_EINVAL, "account_id", expr)
#define NA_OUT(out, expr) REJECT_OUT(IGNY8_EINVAL, "account_id", out, expr)
        NA(igny8_account_provider_set(st, "ops", a, IGNY8_MODEL_TEXT, "anthropic"));
        NA(igny8_account_operation_model_set(st, "ops", a, "ideas", "gpt-4o"));
        NA_OUT(j, igny8_account_models_get_json(st, a, &j));
        NA_OUT(ig, igny8_account_integration_get(st, a, "openai", &ig));
        NA(igny8_account_integration_set(st, "ops", a, "openai", &u));
        NA(igny8_account_integration_reset(st, "ops", a, "openai"));
        NA(igny8_account_key_set(st, "ops", a, "openai", SECRET));
        NA_OUT(j, igny8_integration_get_json(st, a, "openai", &j));
        NA_OUT(j, igny8_integration_put_json(st, "ops", a, "openai", "{\"temperature\":0.5}", &j));
        NA_OUT(j, igny8_integration_list_json(st, a, &j));
        NA_OUT(r, igny8_get_model_for_operation(st, a, "ideas", NULL, &r));
        NA_OUT(r, igny8_get_model_for_operation_v2(st, a, "ideas", NULL, NULL, &r));
        NA(igny8_account_access_group_set(st, "ops", a, NULL));
        NA(igny8_account_model_access_set(st, "ops", a, "gpt-4o", IGNY8_ACCESS_ALLOW));
        NA(igny8_account_budget_set(st, "ops", a, 1, 1));
        NA_OUT(j, igny8_account_access_get_json(st, a, &j));
        NA_OUT(j, igny8_account_access_put_json(st, "ops", a, "{}", &j));
        NA_OUT(j, igny8_account_model_list_json(st, a, NULL, &j));
        NA(igny8_module_account_set(st, "ops", a, "planner", 1));
        NA_OUT(j, igny8_module_put_json(st, "ops", a, "{\"planner\":true}", &j));
        NA(igny8_account_prompt_customize(st, "ops", a, "ideas", "x"));
        NA(igny8_account_prompt_reset(st, "ops", a, "ideas"));
        NA_OUT(p, igny8_account_prompt_get(st, a, "ideas", &p));
        NA_OUT(j, igny8_account_prompt_get_json(st, a, "ideas", &j));
        NA_OUT(j, igny8_account_prompt_list_json(st, a, &j));
        NA(igny8_library_clone(st, "ops", AP, a, f->profile, &id));
        assert_int_equal(id, 0);
        NA(igny8_library_copy_update_json(st, "ops", AP, a, f->copy, "{\"tone\":\"Dry\"}"));
        NA(igny8_library_copy_reset(st, "ops", AP, a, f->copy));
        NA(igny8_library_copy_delete(st, "ops", AP, a, f->copy));
        NA_OUT(j, igny8_library_copy_get_json(st, AP, a, f->copy, &j));
        NA_OUT(j, igny8_library_copy_list_json(st, AP, a, &j));
        /* in a bulk call the bad id is named by its index; nothing is done for the good one */
        REJECT(IGNY8_EINVAL, "account_ids[1]", igny8_account_prompt_reset_bulk(st, "ops", accounts, 2, "ideas"));
        REJECT(IGNY8_EINVAL, "account_ids[1]",
               igny8_library_bulk_clone(st, "ops", AP, ids, 1, accounts, 2, IGNY8_CLONE_SKIP, NULL));
        if (a == 0)
            continue;
        /* 0 is the platform here; a negative id is still wrong */
        int on = -5;
        NA(igny8_module_enabled(st, a, "planner", &on));
        NA_OUT(j, igny8_module_list_json(st, a, &j));
        NA_OUT(j, igny8_prompt_render(st, a, "ideas", "{}", &j));
        igny8_connection_test_options co = IGNY8_CONNECTION_TEST_OPTIONS_INIT;
        co.account_id = a;
        NA_OUT(j, igny8_connection_test(st, "ops", "openai", &co, &j));
        igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
        q.account_id = a;
        NA_OUT(j, igny8_audit_query_json(st, &q, &j));
        NA(igny8_fallback_chain_set(st, "ops", a, "ideas", NULL, 0));
        NA_OUT(j, igny8_fallback_chains_get_json(st, a, &j));
        NA_OUT(j, igny8_fallback_chains_put_json(st, "ops", a, "{}", &j));
#undef NA
#undef NA_OUT
    }
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== invalid UTF-8 */

/* Bodies and documents that are not UTF-8, in every form, to the calls test_errors'
 * malformed-JSON sweep does not reach: the error names the argument and the byte. */
static void test_bad_input__invalid_utf8_in_json(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    static const char *const bodies[] = {
        "{\"name\":\"x\x80y\"}",               /* a stray continuation byte */
        "{\"name\":\"\xc0\xaf\"}",             /* an overlong '/' */
        "{\"name\":\"\xed\xa0\x80\"}",         /* a UTF-16 surrogate */
        "{\"name\":\"\xf4\x90\x80\x80\"}",     /* above U+10FFFF */
        "{\"name\":\"\xe6\x97\"}",             /* a sequence cut short */
        "{\"na\xffme\":\"x\"}",                /* in a key */
        "\xfe\xff{}",                          /* a UTF-16 byte-order mark */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        const char *b = bodies[i];
        char *j;
        REJECT(IGNY8_EINVAL, "json", igny8_library_create_json(st, "ops", AP, b, NULL));
        testutil_assert_contains(igny8_error_last()->message, "UTF-8");
        REJECT(IGNY8_EINVAL, "patch_json", igny8_library_update_json(st, "ops", AP, f->profile, b));
        REJECT(IGNY8_EINVAL, "patch_json", igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->copy, b));
        REJECT(IGNY8_EINVAL, "json", igny8_store_import_json(st, "ops", b, NULL));
        REJECT_OUT(IGNY8_EINVAL, "variables", j, igny8_template_render("{name}", b, &j));
        REJECT_OUT(IGNY8_EINVAL, "variables", j, igny8_prompt_render(st, ACCOUNT, "ideas", b, &j));
    }
    ASSERT_UNCHANGED(st, before);
}

/* Plain string arguments: an actor, a description or message, a template and a key that
 * are not UTF-8 (or, for a key, not printable ASCII) are refused naming the argument, and
 * the message never repeats the key. A name looked up (model, integration, operation,
 * prompt type) that is not UTF-8 is simply not found, and the message quoting it is still
 * one line of UTF-8 ('?' for each bad byte). */
static void test_bad_input__invalid_utf8_in_string_arguments(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    const char *bad = "bad\xff\xfe actor";
    char *j;
    igny8_model *m;
    igny8_prompt *p;
    igny8_resolution *r;
    REJECT(IGNY8_EINVAL, "actor", igny8_model_set_active(st, bad, "gpt-4o", 0));
    REJECT(IGNY8_EINVAL, "actor", igny8_integration_put_json(st, bad, ACCOUNT, "openai", "{\"temperature\":1}", NULL));
    REJECT(IGNY8_EINVAL, "actor", igny8_global_key_set(st, bad, "openai", SECRET "2"));
    REJECT(IGNY8_EINVAL, "actor", igny8_library_create_json(st, "bad\xc3", AP, PROFILE, NULL));
    REJECT(IGNY8_EINVAL, "actor", igny8_prompt_publish(st, "\xed\xa0\x80", "ideas", 1));
    REJECT(IGNY8_EINVAL, "actor", igny8_module_account_set(st, bad, ACCOUNT, "planner", 1));
    REJECT(IGNY8_EINVAL, "actor", igny8_store_import_json(st, bad, "{\"format\":\"igny8settings\",\"format_version\":1}",
                                                          NULL));
    REJECT(IGNY8_EINVAL, "actor", igny8_model_set_active(st, "line\nbreak", "gpt-4o", 0));  /* and no control bytes */
    REJECT(IGNY8_EINVAL, "description", igny8_module_add(st, "ops", "reports", "bad \xc3", 1));
    igny8_prompt_commit_options pc = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    pc.prompt_type = "ideas";
    pc.value = "A new {site_name}";
    pc.description = "bad \x80";
    REJECT_OUT(IGNY8_EINVAL, "description", p, igny8_prompt_commit(st, "ops", &pc, &p));
    pc.description = NULL;
    pc.message = "bad \xf8\x88\x80\x80\x80";
    REJECT_OUT(IGNY8_EINVAL, "message", p, igny8_prompt_commit(st, "ops", &pc, &p));
    pc.message = NULL;
    pc.value = "A new {site_name} \xff";
    REJECT_OUT(IGNY8_EINVAL, "value", p, igny8_prompt_commit(st, "ops", &pc, &p));
    REJECT(IGNY8_EINVAL, "value", igny8_account_prompt_customize(st, "ops", ACCOUNT, "ideas", "x \xc0\x80"));
    REJECT_OUT(IGNY8_EINVAL, "template", j, igny8_template_render("{a} \xff", "{\"a\":1}", &j));
    REJECT_OUT(IGNY8_EINVAL, "template", j, igny8_template_variables_json("\xed\xbf\xbf", &j));
    REJECT(IGNY8_EINVAL, "key", igny8_global_key_set(st, "ops", "openai", "sk-FAKE-" MARK "-\xc3\xa9t\xc3\xa9"));
    REJECT(IGNY8_EINVAL, "key", igny8_account_key_set(st, "ops", ACCOUNT, "openai", "sk-FAKE-" MARK "-\xff\xff\xff"));
    REJECT(IGNY8_EINVAL, "key", igny8_global_key_set(st, "ops", "openai", "sk-FAKE-" MARK " with space"));
    /* unknown, and quoted cleanly */
    REJECT_OUT(IGNY8_ENOTFOUND, "model", m, igny8_model_get(st, "gpt\xff-4o\n", &m));
    testutil_assert_contains(igny8_error_last()->message, "gpt?-4o?");
    REJECT_OUT(IGNY8_ENOTFOUND, "integration", j, igny8_integration_get_json(st, ACCOUNT, "open\xc3", &j));
    REJECT_OUT(IGNY8_ENOTFOUND, "operation", r, igny8_get_model_for_operation(st, ACCOUNT, "ide\xe6\x97", NULL, &r));
    REJECT_OUT(IGNY8_EINVAL, "model", r, igny8_get_model_for_operation(st, ACCOUNT, "ideas", "gpt\r\xff", &r));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", p, igny8_prompt_get(st, "ide\xffs", 0, &p));
    REJECT(IGNY8_EINVAL, "name", igny8_module_set(st, "ops", "plan\xffner", 1));
    igny8_library_filter lf = IGNY8_LIBRARY_FILTER_INIT;
    lf.search = "plain \xff";
    REJECT_OUT(IGNY8_EINVAL, "search", j, igny8_library_list_json(st, AP, &lf, &j));
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== oversized input */

/* Every string argument and field with a bound is refused one byte past it, naming the
 * field; exactly at the bound it is accepted. A name looked up is never too long to be
 * looked up: it is not found, and the message quotes only its start. */
static void test_bad_input__oversized_strings(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *actor = repeat('a', 129), *key = padded("sk-FAKE-" MARK "-", 'k', IGNY8_API_KEY_MAX + 1 - 15, "");
    char *url = padded("https://proxy.example/", 'u', IGNY8_BASE_URL_MAX - 21, "");
    char *model = padded("{\"model_name\":\"", 'm', 129, "\",\"provider\":\"openai\",\"model_type\":\"text\"}");
    char *display = padded("{\"display_name\":\"", 'd', 257, "\"}");
    char *big_template = repeat('t', (size_t)IGNY8_PROMPT_MAX_BYTES + 1);
    char *module_desc = repeat('d', 1025), *prompt_text = repeat('p', 4097);
    char *lib_name = padded("{\"name\":\"", 'n', 201, "\"}"), *lib_desc = padded("{\"description\":\"", 'd', 4097, "\"}");
    char *module_name = repeat('m', 65), *type_name = repeat('t', 65), *lookup = repeat('x', 100000);
    char *global_url = padded("{\"integrations\":{\"openai\":{\"base_url\":\"https://p.example/", 'u',
                              IGNY8_BASE_URL_MAX, "\"}}}");
    char *j;
    igny8_model *m;
    igny8_prompt *p;
    assert_int_equal(strlen(key), IGNY8_API_KEY_MAX + 1);
    assert_int_equal(strlen(url), IGNY8_BASE_URL_MAX + 1);

    REJECT(IGNY8_EINVAL, "actor", igny8_module_set(st, actor, "planner", 0));
    REJECT(IGNY8_EINVAL, "key", igny8_global_key_set(st, "ops", "openai", key));
    REJECT(IGNY8_EINVAL, "key", igny8_account_key_set(st, "ops", ACCOUNT, "openai", key));
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = IGNY8_FIELD_BASE_URL;
    u.base_url = url;
    REJECT(IGNY8_EINVAL, "base_url", igny8_global_integration_set(st, "ops", "openai", &u));
    REJECT_OUT(IGNY8_EINVAL, "integrations.openai.base_url", j, igny8_global_settings_put_json(st, "ops", global_url, &j));
    REJECT_OUT(IGNY8_EINVAL, "model_name", m, igny8_model_add_json(st, "ops", model, &m));
    REJECT_OUT(IGNY8_EINVAL, "display_name", m, igny8_model_update_json(st, "ops", "gpt-4o", display, &m));
    igny8_prompt_commit_options pc = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    pc.prompt_type = "ideas";
    pc.value = big_template;
    REJECT_OUT(IGNY8_EINVAL, "value", p, igny8_prompt_commit(st, "ops", &pc, &p));
    testutil_assert_contains(igny8_error_last()->message, "limit");
    REJECT(IGNY8_EINVAL, "value", igny8_account_prompt_customize(st, "ops", ACCOUNT, "ideas", big_template));
    REJECT_OUT(IGNY8_EINVAL, "template", j, igny8_template_render(big_template, NULL, &j));
    pc.value = "x";
    pc.description = prompt_text;
    REJECT_OUT(IGNY8_EINVAL, "description", p, igny8_prompt_commit(st, "ops", &pc, &p));
    pc.description = NULL;
    pc.message = prompt_text;
    REJECT_OUT(IGNY8_EINVAL, "message", p, igny8_prompt_commit(st, "ops", &pc, &p));
    REJECT(IGNY8_EINVAL, "description", igny8_module_add(st, "ops", "reports", module_desc, 1));
    REJECT(IGNY8_EINVAL, "name", igny8_module_add(st, "ops", module_name, NULL, 1));
    REJECT(IGNY8_EINVAL, "prompt_type", igny8_prompt_type_add(st, "ops", type_name));
    REJECT(IGNY8_EINVAL, "name", igny8_library_update_json(st, "ops", AP, f->profile, lib_name));
    REJECT(IGNY8_EINVAL, "description", igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->copy, lib_desc));
    REJECT_OUT(IGNY8_ENOTFOUND, "model", m, igny8_model_get(st, lookup, &m));
    assert_true(strlen(igny8_error_last()->message) < 256);
    REJECT_OUT(IGNY8_ENOTFOUND, "integration", j, igny8_integration_get_json(st, ACCOUNT, lookup, &j));
    REJECT(IGNY8_ENOTFOUND, "prompt_type", igny8_prompt_publish(st, "ops", lookup, 1));
    ASSERT_UNCHANGED(st, before);

    /* at the bound: accepted */
    actor[128] = '\0';
    key[IGNY8_API_KEY_MAX] = '\0';
    url[IGNY8_BASE_URL_MAX] = '\0';
    assert_igny8_ok(igny8_module_set(st, actor, "planner", 0));
    assert_igny8_ok(igny8_global_key_set(st, "ops", "openai", key));
    assert_igny8_ok(igny8_global_integration_set(st, "ops", "openai", &u));
    char *model_ok = padded("{\"model_name\":\"", 'm', 128, "\",\"provider\":\"openai\",\"model_type\":\"text\"}");
    assert_igny8_ok(igny8_model_add_json(st, "ops", model_ok, NULL));
    free(model_ok);
    free(actor), free(key), free(url), free(model), free(display), free(big_template), free(module_desc);
    free(prompt_text), free(lib_name), free(lib_desc), free(module_name), free(type_name), free(lookup);
    free(global_url);
}

/* The PUT-style bodies are bounded at IGNY8_BODY_MAX_BYTES and template variables at
 * IGNY8_PROMPT_MAX_BYTES; the refusal comes before any parsing. Import documents have no
 * bound: a store's export is as large as the store. */
static void test_bad_input__oversized_json_body(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    /* a valid body, padded with spaces to one byte over the limit */
    char *big = padded("{\"temperature\":0.4}", ' ', IGNY8_BODY_MAX_BYTES + 1 - 19, "");
    assert_int_equal(strlen(big), IGNY8_BODY_MAX_BYTES + 1);
    char *vars = padded("{\"site_name\":\"", 'v', IGNY8_PROMPT_MAX_BYTES, "\"}");
    char *j;
    igny8_model *m;
#define BIG(field, expr) do { \
        REJECT(IGNY8_EINVAL, field, expr); \
        testutil_assert_contains(igny8_error_last()->message, "limit"); \
    } while (0)
    BIG("body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", big, NULL));
    BIG("body", igny8_global_settings_put_json(st, "ops", big, NULL));
    BIG("body", igny8_module_put_json(st, "ops", ACCOUNT, big, NULL));
    BIG("body", igny8_access_group_put_json(st, "ops", "starter", big, NULL));
    BIG("body", igny8_account_access_put_json(st, "ops", ACCOUNT, big, NULL));
    BIG("body", igny8_fallback_chains_put_json(st, "ops", 0, big, NULL));
    BIG("json", igny8_model_add_json(st, "ops", big, NULL));
    BIG("patch_json", igny8_model_update_json(st, "ops", "gpt-4o", big, NULL));
    BIG("json", igny8_library_create_json(st, "ops", AP, big, NULL));
    BIG("patch_json", igny8_library_update_json(st, "ops", AP, f->profile, big));
    BIG("patch_json", igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->copy, big));
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_integration_put_json(st, "ops", ACCOUNT, "openai", big, &j));
    REJECT_OUT(IGNY8_EINVAL, "json", m, igny8_model_add_json(st, "ops", big, &m));
    BIG("variables", igny8_template_render("{site_name}", vars, &j));
    BIG("variables", igny8_prompt_render(st, ACCOUNT, "ideas", vars, &j));
#undef BIG
    ASSERT_UNCHANGED(st, before);

    /* at the limit the body is read (and changes nothing: the value is the one stored) */
    big[IGNY8_BODY_MAX_BYTES] = '\0';
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_integration_put_json(st, "ops", ACCOUNT, "openai", big, NULL));
    assert_int_equal(testutil_audit_count(st), audits);
    /* an import larger than a body is fine */
    char *doc = NULL;
    assert_igny8_ok(igny8_store_export_json(st, NULL, &doc));
    size_t n = strlen(doc);
    char *large = padded("", ' ', 2 * IGNY8_BODY_MAX_BYTES, doc);
    igny8_free(doc);
    assert_true(strlen(large) > n);
    assert_igny8_ok(igny8_store_import_json(st, "ops", large, NULL));
    free(large);
    free(big);
    free(vars);
}

/* ======================================================================== malformed JSON */

/* Truncated, trailing garbage, not an object, empty: test_errors checks the PUT bodies,
 * models and defaults; here the library items, the import and template variables. */
static void test_bad_input__malformed_json(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    static const char *const docs[] = {
        "", " ", "{", "{\"name\":", "{\"name\":\"x\"", "{\"name\":\"x\"}}", "{\"name\":\"x\"} x", "{\"name\":\"x\",}",
        "[]", "[{}]", "\"text\"", "42", "null", "true", "{'name':'x'}", "{name:\"x\"}", "{\"a\":NaN}",
        "{\"a\":Infinity}", "{\"a\":0x10}", "{\"a\":.5}", "{\"a\":\"\\x41\"}",
        "{\"a\":\"\\ud800\"}", "/* c */{}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        const char *d = docs[i];
        char *j;
        REJECT(IGNY8_EINVAL, "json", igny8_library_create_json(st, "ops", AP, d, NULL));
        REJECT(IGNY8_EINVAL, "patch_json", igny8_library_update_json(st, "ops", AP, f->profile, d));
        REJECT(IGNY8_EINVAL, "patch_json", igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->copy, d));
        REJECT(IGNY8_EINVAL, "json", igny8_store_import_json(st, "ops", d, NULL));
        REJECT(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", d, NULL));
        REJECT(IGNY8_EINVAL, "body", igny8_access_group_put_json(st, "ops", "starter", d, NULL));
        REJECT(IGNY8_EINVAL, "body", igny8_account_access_put_json(st, "ops", ACCOUNT, d, NULL));
        REJECT(IGNY8_EINVAL, "body", igny8_fallback_chains_put_json(st, "ops", ACCOUNT, d, NULL));
        REJECT_OUT(IGNY8_EINVAL, "variables", j, igny8_template_render("x", d, &j));
        REJECT_OUT(IGNY8_EINVAL, "variables", j, igny8_prompt_render(st, ACCOUNT, "ideas", d, &j));
    }
    ASSERT_UNCHANGED(st, before);
}

/* cJSON stops at 1000 nested arrays or objects, before the stack does: deeper is refused
 * with a message that says so, even a million levels deep. A deep value inside a known
 * field is a wrong type naming that field. */
static void test_bad_input__deeply_nested_json(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    static const size_t depths[] = { 1001, 1000000 };
    for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
        size_t d = depths[i];
        char *open = repeat('[', d), *close = repeat(']', d);
        size_t n = strlen("{\"model\":") + 2 * d + 2;
        char *body = malloc(n);
        assert_non_null(body);
        snprintf(body, n, "{\"model\":%s%s}", open, close);
        char *j;
        if (d == 1001) {  /* (a million levels is a body over its size limit) */
            REJECT(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", body, NULL));
            testutil_assert_contains(igny8_error_last()->message, "nested deeper than 1000");
            REJECT(IGNY8_EINVAL, "body", igny8_module_put_json(st, "ops", ACCOUNT, body, NULL));
            REJECT(IGNY8_EINVAL, "json", igny8_library_create_json(st, "ops", AP, body, NULL));
        }
        REJECT(IGNY8_EINVAL, "json", igny8_store_import_json(st, "ops", body, NULL));
        testutil_assert_contains(igny8_error_last()->message, "nested deeper than 1000");
        REJECT(IGNY8_EINVAL, "json", igny8_defaults_load(st, "ops", body));
        REJECT_OUT(IGNY8_EINVAL, "variables", j, igny8_template_render("x", body, &j));
        free(open);
        free(close);
        free(body);
    }
    /* 998 levels inside a field: parsed, and the field's type is wrong */
    char *open = repeat('[', 998), *close = repeat(']', 998);
    char *body = malloc(2 * 998 + 32);
    sprintf(body, "{\"model\":%s%s}", open, close);
    REJECT(IGNY8_EINVAL, "model", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", body, NULL));
    free(open);
    free(close);
    free(body);
    ASSERT_UNCHANGED(st, before);
}

/* "\u0000" would cut a string short in C ({"model":"gpt-4o\u0000x"} would set gpt-4o):
 * it is refused in every body and document, naming the argument. An escaped backslash
 * before "u0000" is plain text. A raw NUL byte ends a C string: what follows it is never
 * seen (the Python bindings refuse a str holding NUL). Template variables are the
 * exception test_template__nul_in_a_value_is_refused describes. */
static void test_bad_input__nul_in_json(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
    igny8_model *m;
    REJECT_OUT(IGNY8_EINVAL, "body", j, igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                  "{\"model\":\"gpt-4o-mini\\u0000x\"}", &j));
    testutil_assert_contains(igny8_error_last()->message, "U+0000");
    REJECT(IGNY8_EINVAL, "body", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                            "{\"model\\u0000x\":\"gpt-4o-mini\"}", NULL));
    REJECT(IGNY8_EINVAL, "body", igny8_global_settings_put_json(st, "ops",
                                                                "{\"integrations\":{\"openai\":{\"base_url\":"
                                                                "\"https://p.example/\\u0000\"}}}", NULL));
    REJECT(IGNY8_EINVAL, "body", igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\\u0000\":true}", NULL));
    REJECT(IGNY8_EINVAL, "body", igny8_access_group_put_json(st, "ops", "starter", "{\"models\":[\"gpt-4o\\u0000x\"]}",
                                                             NULL));
    REJECT(IGNY8_EINVAL, "body", igny8_account_access_put_json(st, "ops", ACCOUNT, "{\"group\":\"a\\u0000\"}", NULL));
    REJECT(IGNY8_EINVAL, "body", igny8_fallback_chains_put_json(st, "ops", 0, "{\"ideas\\u0000\":[]}", NULL));
    REJECT_OUT(IGNY8_EINVAL, "json", m, igny8_model_add_json(st, "ops", "{\"model_name\":\"m\\u0000\","
                                                             "\"provider\":\"openai\",\"model_type\":\"text\"}", &m));
    REJECT_OUT(IGNY8_EINVAL, "patch_json", m, igny8_model_update_json(st, "ops", "gpt-4o",
                                                                      "{\"display_name\":\"\\u0000\"}", &m));
    REJECT(IGNY8_EINVAL, "patch_json", igny8_library_update_json(st, "ops", AP, f->profile,
                                                                 "{\"tone\":\"calm\\u0000\"}"));
    REJECT(IGNY8_EINVAL, "json", igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\\u0000\","
                                                         "\"format_version\":1}", NULL));
    /* "\\u0000" is a backslash and five characters: an unknown model, not a NUL */
    REJECT(IGNY8_EINVAL, "model", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                             "{\"model\":\"gpt-4o\\\\u0000\"}", NULL));
    ASSERT_UNCHANGED(st, before);
    /* the C string ends at a raw NUL byte */
    static const char raw[] = "{\"temperature\":0.4}\0{\"temperature\":9}";
    assert_igny8_ok(igny8_integration_put_json(st, "ops", ACCOUNT, "openai", raw, &j));
    testutil_assert_contains(j, "\"temperature\":0.4");
    igny8_free(j);
}

/* A name twice in one object: which one counts would be a guess (cJSON's lookup takes
 * the first, a loop over the members the last), so it is refused, naming the path.
 * Template variables follow Python instead (test_template__duplicate_keys_last_wins). */
static void test_bad_input__duplicate_names_in_json(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    REJECT(IGNY8_EINVAL, "temperature",
           igny8_integration_put_json(st, "ops", ACCOUNT, "openai", "{\"temperature\":0.1,\"temperature\":0.2}", NULL));
    REJECT(IGNY8_EINVAL, "integrations",
           igny8_global_settings_put_json(st, "ops", "{\"integrations\":{},\"integrations\":{\"openai\":"
                                          "{\"temperature\":0.2}}}", NULL));
    REJECT(IGNY8_EINVAL, "integrations.openai.max_tokens",
           igny8_global_settings_put_json(st, "ops", "{\"integrations\":{\"openai\":{\"max_tokens\":100,"
                                          "\"max_tokens\":200}}}", NULL));
    REJECT(IGNY8_EINVAL, "planner", igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":true,\"planner\":false}", NULL));
    REJECT(IGNY8_EINVAL, "models", igny8_access_group_put_json(st, "ops", "starter", "{\"models\":[],\"models\":[]}",
                                                               NULL));
    REJECT(IGNY8_EINVAL, "group", igny8_account_access_put_json(st, "ops", ACCOUNT, "{\"group\":null,\"group\":null}",
                                                                NULL));
    REJECT(IGNY8_EINVAL, "fallbacks.ideas", igny8_account_access_put_json(st, "ops", ACCOUNT,
                                                                          "{\"fallbacks\":{\"ideas\":[],\"ideas\":null}}",
                                                                          NULL));
    REJECT(IGNY8_EINVAL, "ideas", igny8_fallback_chains_put_json(st, "ops", 0, "{\"ideas\":[],\"ideas\":[]}", NULL));
    REJECT(IGNY8_EINVAL, "model_name",
           igny8_model_add_json(st, "ops", "{\"model_name\":\"a\",\"provider\":\"openai\",\"model_type\":\"text\","
                                "\"model_name\":\"b\"}", NULL));
    REJECT(IGNY8_EINVAL, "structure_template.sections[1].heading",
           igny8_library_update_json(st, "ops", AP, f->profile, "{\"structure_template\":{\"sections\":["
                                     "{\"heading\":\"A\"},{\"heading\":\"B\",\"heading\":\"C\"}]}}"));
    REJECT(IGNY8_EINVAL, "$.format_version",
           igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\",\"format_version\":1,"
                                   "\"format_version\":1}", NULL));
    /* an escaped name is the same name */
    REJECT(IGNY8_EINVAL, "temperature",
           igny8_integration_put_json(st, "ops", ACCOUNT, "openai", "{\"temperature\":0.1,\"t\\u0065mperature\":0.1}",
                                      NULL));
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== wrong types, out of range */

/* A value of the wrong JSON type names its field by path. (test_settings covers the
 * integration PUT body field by field; these are the other bodies.) */
static void test_bad_input__wrong_types(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
#define GLOBAL(field, body) REJECT_OUT(IGNY8_EINVAL, field, j, igny8_global_settings_put_json(st, "ops", body, &j))
    GLOBAL("is_active", "{\"is_active\":\"yes\"}");
    GLOBAL("is_active", "{\"is_active\":1}");
    GLOBAL("is_active", "{\"is_active\":null}");
    GLOBAL("integrations", "{\"integrations\":[]}");
    GLOBAL("integrations.openai", "{\"integrations\":{\"openai\":[]}}");
    GLOBAL("integrations.openai", "{\"integrations\":{\"openai\":\"gpt-4o\"}}");
    GLOBAL("integrations.openai.temperature", "{\"integrations\":{\"openai\":{\"temperature\":\"0.5\"}}}");
    GLOBAL("integrations.openai.max_tokens", "{\"integrations\":{\"openai\":{\"max_tokens\":true}}}");
    GLOBAL("integrations.openai.default_model", "{\"integrations\":{\"openai\":{\"default_model\":{}}}}");
    GLOBAL("default_text_model", "{\"default_text_model\":5}");
    GLOBAL("text_provider", "{\"text_provider\":[\"openai\"]}");
#undef GLOBAL
#define MODEL(field, body) REJECT(IGNY8_EINVAL, field, igny8_model_update_json(st, "ops", "gpt-4o", body, NULL))
    MODEL("max_output_tokens", "{\"max_output_tokens\":\"100\"}");
    MODEL("max_output_tokens", "{\"max_output_tokens\":100.5}");
    MODEL("is_active", "{\"is_active\":1}");
    MODEL("input_cost_per_1k", "{\"input_cost_per_1k\":\"0.1\"}");
    MODEL("display_name", "{\"display_name\":[\"GPT\"]}");
#undef MODEL
    REJECT(IGNY8_EINVAL, "model_name",
           igny8_model_add_json(st, "ops", "{\"model_name\":5,\"provider\":\"openai\",\"model_type\":\"text\"}", NULL));
    REJECT(IGNY8_EINVAL, "planner", igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":1}", NULL));
    REJECT(IGNY8_EINVAL, "planner", igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":\"true\"}", NULL));
#define LIB(field, body) REJECT(IGNY8_EINVAL, field, igny8_library_update_json(st, "ops", AP, f->profile, body))
    LIB("name", "{\"name\":5}");
    LIB("is_active", "{\"is_active\":\"no\"}");
    LIB("structure_template", "{\"structure_template\":[]}");
    LIB("structure_template.sections", "{\"structure_template\":{\"sections\":{}}}");
    LIB("structure_template.sections[0].word_count",
        "{\"structure_template\":{\"sections\":[{\"heading\":\"A\",\"word_count\":\"100\"}]}}");
#undef LIB
    REJECT_OUT(IGNY8_EINVAL, "a", j, igny8_template_render("{a}", "{\"a\":[1]}", &j));
    REJECT_OUT(IGNY8_EINVAL, "a", j, igny8_template_render("{a}", "{\"a\":{}}", &j));
    REJECT_OUT(IGNY8_EINVAL, "a", j, igny8_template_render("{a}", "{\"a\":null}", &j));
    REJECT(IGNY8_EINVAL, "$.models", igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\","
                                                             "\"format_version\":1,\"models\":{}}", NULL));
    REJECT(IGNY8_EINVAL, "$.format_version", igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\","
                                                                     "\"format_version\":\"1\"}", NULL));
    ASSERT_UNCHANGED(st, before);
}

/* Values outside their bounds are refused naming the field, never clamped. (test_settings
 * covers the integration PUT and the typed setters, test_model the cost estimate,
 * test_audit the audit limit, test_store the busy timeout.) */
static void test_bad_input__out_of_range(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
#define GLOBAL(field, body) REJECT_OUT(IGNY8_EINVAL, field, j, igny8_global_settings_put_json(st, "ops", body, &j))
    GLOBAL("integrations.openai.temperature", "{\"integrations\":{\"openai\":{\"temperature\":2.0000001}}}");
    GLOBAL("integrations.openai.temperature", "{\"integrations\":{\"openai\":{\"temperature\":-1e-9}}}");
    GLOBAL("integrations.openai.temperature", "{\"integrations\":{\"openai\":{\"temperature\":1e999}}}");
    GLOBAL("integrations.openai.max_tokens", "{\"integrations\":{\"openai\":{\"max_tokens\":0}}}");
    GLOBAL("integrations.dalle.size", "{\"integrations\":{\"dalle\":{\"size\":\"8193x1024\"}}}");
    GLOBAL("integrations.dalle.size", "{\"integrations\":{\"dalle\":{\"size\":\"63x64\"}}}");
    GLOBAL("integrations.dalle.quality", "{\"integrations\":{\"dalle\":{\"quality\":\"ultra\"}}}");
#undef GLOBAL
    /* the message gives the bounds of the field, not of the integer type */
    REJECT(IGNY8_EINVAL, "max_tokens", igny8_integration_put_json(st, "ops", ACCOUNT, "openai", "{\"max_tokens\":1e20}",
                                                                  NULL));
    testutil_assert_contains(igny8_error_last()->message, "1..2000000");
    REJECT(IGNY8_EINVAL, "max_tokens", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                  "{\"max_tokens\":-3000000000}", NULL));
    testutil_assert_contains(igny8_error_last()->message, "1..2000000");
#define MODEL(field, body) REJECT(IGNY8_EINVAL, field, igny8_model_update_json(st, "ops", "gpt-4o", body, NULL))
    MODEL("input_cost_per_1k", "{\"input_cost_per_1k\":-0.01}");
    MODEL("max_output_tokens", "{\"max_output_tokens\":0}");
    MODEL("tokens_per_credit", "{\"tokens_per_credit\":2000001}");
#undef MODEL
    REJECT(IGNY8_EINVAL, "structure_template.sections[0].word_count",
           igny8_library_update_json(st, "ops", AP, f->profile, "{\"structure_template\":{\"sections\":["
                                     "{\"heading\":\"A\",\"word_count\":20001}]}}"));
    REJECT(IGNY8_EINVAL, "enabled", igny8_module_set(st, "ops", "planner", 2));
    REJECT(IGNY8_EINVAL, "enabled", igny8_module_account_set(st, "ops", ACCOUNT, "planner", -2));
    REJECT(IGNY8_EINVAL, "model_type", igny8_account_provider_set(st, "ops", ACCOUNT, 3, "openai"));
    REJECT(IGNY8_EINVAL, "kind", igny8_library_set_active(st, "ops", 3, f->profile, 1));
    REJECT(IGNY8_EINVAL, "on_existing", igny8_library_bulk_clone(st, "ops", AP, &f->profile, 1,
                                                                 &(const int64_t){ ACCOUNT }, 1, 2, NULL));
    igny8_connection_test_options co = IGNY8_CONNECTION_TEST_OPTIONS_INIT;
    co.timeout_ms = IGNY8_TEST_TIMEOUT_MAX_MS + 1;
    REJECT_OUT(IGNY8_EINVAL, "timeout_ms", j, igny8_connection_test(st, "ops", "openai", &co, &j));
    igny8_prompt *p;
    REJECT_OUT(IGNY8_ENOTFOUND, "version", p, igny8_prompt_get(st, "ideas", -1, &p));
    REJECT(IGNY8_ENOTFOUND, "version", igny8_prompt_publish(st, "ops", "ideas", 99));
    REJECT_OUT(IGNY8_ENOTFOUND, "version", j, igny8_prompt_diff(st, "ideas", 1, INT_MAX, &j));
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== unknown names, fields */

/* A name that does not exist is IGNY8_ENOTFOUND naming what kind of name it is; inside a
 * PUT body it is bad input (IGNY8_EINVAL naming the field). Another account's copy, or a
 * copy of the other kind, does not exist for this account. */
static void test_bad_input__unknown_names(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
    igny8_model *m;
    igny8_integration *ig;
    igny8_resolution *r;
    igny8_prompt *p;
    int n = 0;
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    /* models */
    REJECT_OUT(IGNY8_ENOTFOUND, "model", m, igny8_model_get(st, "gpt-9", &m));
    REJECT_OUT(IGNY8_ENOTFOUND, "model", m, igny8_model_update_json(st, "ops", "gpt-9", "{}", &m));
    REJECT(IGNY8_ENOTFOUND, "model", igny8_model_set_active(st, "ops", "gpt-9", 0));
    REJECT(IGNY8_ENOTFOUND, "model", igny8_model_set_default(st, "ops", "gpt-9"));
    REJECT(IGNY8_ENOTFOUND, "model", igny8_global_default_model_set(st, "ops", "gpt-9"));
    REJECT(IGNY8_ENOTFOUND, "model", igny8_account_operation_model_set(st, "ops", ACCOUNT, "ideas", "gpt-9"));
    REJECT_OUT(IGNY8_EINVAL, "model", r, igny8_get_model_for_operation(st, ACCOUNT, "ideas", "gpt-9", &r));
    REJECT(IGNY8_EINVAL, "default_text_model", igny8_global_settings_put_json(st, "ops", "{\"default_text_model\":"
                                                                              "\"gpt-9\"}", NULL));
    REJECT(IGNY8_ENOTFOUND, "provider", igny8_model_add_json(st, "ops", "{\"model_name\":\"x\",\"provider\":"
                                                             "\"nope\",\"model_type\":\"text\"}", NULL));
    /* integrations and providers */
    REJECT_OUT(IGNY8_ENOTFOUND, "integration", ig, igny8_global_integration_get(st, "nope", &ig));
    REJECT(IGNY8_ENOTFOUND, "integration", igny8_global_integration_set(st, "ops", "nope", &u));
    REJECT(IGNY8_ENOTFOUND, "integration", igny8_global_key_set(st, "ops", "nope", SECRET));
    REJECT_OUT(IGNY8_ENOTFOUND, "integration", ig, igny8_account_integration_get(st, ACCOUNT, "nope", &ig));
    REJECT(IGNY8_ENOTFOUND, "integration", igny8_account_integration_set(st, "ops", ACCOUNT, "nope", &u));
    REJECT(IGNY8_ENOTFOUND, "integration", igny8_account_integration_reset(st, "ops", ACCOUNT, "nope"));
    REJECT(IGNY8_ENOTFOUND, "integration", igny8_account_key_set(st, "ops", ACCOUNT, "nope", SECRET));
    REJECT(IGNY8_ENOTFOUND, "integration", igny8_account_key_set(st, "ops", ACCOUNT, "nope", NULL));
    REJECT_OUT(IGNY8_ENOTFOUND, "integration", j, igny8_integration_put_json(st, "ops", ACCOUNT, "nope", "{}", &j));
    REJECT_OUT(IGNY8_ENOTFOUND, "integration", j, igny8_connection_test(st, "ops", "nope", NULL, &j));
    REJECT(IGNY8_EINVAL, "integrations.nope", igny8_global_settings_put_json(st, "ops", "{\"integrations\":{\"nope\":"
                                                                             "{\"temperature\":1}}}", NULL));
    REJECT(IGNY8_EINVAL, "text_provider", igny8_global_settings_put_json(st, "ops", "{\"text_provider\":\"nope\"}", NULL));
    REJECT(IGNY8_ENOTFOUND, "provider", igny8_account_provider_set(st, "ops", ACCOUNT, IGNY8_MODEL_TEXT, "nope"));
    /* operations */
    REJECT(IGNY8_ENOTFOUND, "operation", igny8_operation_model_type(st, "nope", &n));
    REJECT(IGNY8_ENOTFOUND, "operation", igny8_account_operation_model_set(st, "ops", ACCOUNT, "nope", "gpt-4o"));
    REJECT_OUT(IGNY8_ENOTFOUND, "operation", r, igny8_get_model_for_operation(st, ACCOUNT, "nope", NULL, &r));
    /* prompt types and versions */
    igny8_prompt_commit_options pc = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    pc.prompt_type = "nope";
    pc.value = "x";
    const char *const types[] = { "ideas", "nope" };
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", p, igny8_prompt_commit(st, "ops", &pc, &p));
    REJECT(IGNY8_ENOTFOUND, "prompt_type", igny8_prompt_publish(st, "ops", "nope", 1));
    REJECT(IGNY8_ENOTFOUND, "prompt_type", igny8_prompt_set_active(st, "ops", "nope", 0));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", p, igny8_prompt_get(st, "nope", 0, &p));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", j, igny8_prompt_versions_json(st, "nope", &j));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", j, igny8_prompt_diff(st, "nope", 1, 1, &j));
    REJECT(IGNY8_ENOTFOUND, "prompt_type", igny8_account_prompt_customize(st, "ops", ACCOUNT, "nope", "x"));
    REJECT(IGNY8_ENOTFOUND, "prompt_type", igny8_account_prompt_reset(st, "ops", ACCOUNT, "nope"));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", p, igny8_account_prompt_get(st, ACCOUNT, "nope", &p));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", j, igny8_prompt_stale_accounts_json(st, "nope", &j));
    REJECT_OUT(IGNY8_ENOTFOUND, "prompt_type", j, igny8_prompt_render(st, ACCOUNT, "nope", NULL, &j));
    REJECT(IGNY8_ENOTFOUND, "prompt_types[1]", igny8_prompt_set_active_bulk(st, "ops", types, 2, 0));
    REJECT(IGNY8_ENOTFOUND, "prompt_types[1]", igny8_prompt_increment_version(st, "ops", types, 2, "bump"));
    REJECT_OUT(IGNY8_ENOTFOUND, "version", p, igny8_prompt_get(st, "ideas", 99, &p));
    /* modules */
    REJECT(IGNY8_ENOTFOUND, "module", igny8_module_set(st, "ops", "nope", 1));
    REJECT(IGNY8_ENOTFOUND, "module", igny8_module_account_set(st, "ops", ACCOUNT, "nope", 1));
    REJECT(IGNY8_ENOTFOUND, "module", igny8_module_enabled(st, ACCOUNT, "nope", &n));
    REJECT_OUT(IGNY8_ENOTFOUND, "nope", j, igny8_module_put_json(st, "ops", ACCOUNT, "{\"planner\":true,\"nope\":true}",
                                                                &j));
    /* library items and copies */
    const int64_t missing = f->profile + 1000, sources[] = { f->profile, missing }, accounts[] = { ACCOUNT + 10 };
    REJECT_OUT(IGNY8_ENOTFOUND, "id", j, igny8_library_get_json(st, AP, missing, &j));
    REJECT(IGNY8_ENOTFOUND, "id", igny8_library_update_json(st, "ops", AP, missing, "{\"tone\":\"Dry\"}"));
    REJECT(IGNY8_ENOTFOUND, "id", igny8_library_set_active(st, "ops", AP, missing, 0));
    REJECT(IGNY8_ENOTFOUND, "ids[1]", igny8_library_set_active_bulk(st, "ops", AP, sources, 2, 0));
    REJECT(IGNY8_ENOTFOUND, "source_id", igny8_library_clone(st, "ops", AP, ACCOUNT + 10, missing, NULL));
    REJECT(IGNY8_ENOTFOUND, "source_ids[1]", igny8_library_bulk_clone(st, "ops", AP, sources, 2, accounts, 1,
                                                                      IGNY8_CLONE_SKIP, NULL));
    REJECT_OUT(IGNY8_ENOTFOUND, "id", j, igny8_library_get_json(st, IGNY8_LIBRARY_STRATEGY, f->profile, &j));
    /* OTHER's copy, seen from ACCOUNT; and ACCOUNT's copy as the other kind */
    REJECT_OUT(IGNY8_ENOTFOUND, "id", j, igny8_library_copy_get_json(st, AP, ACCOUNT, f->other_copy, &j));
    REJECT(IGNY8_ENOTFOUND, "id", igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->other_copy,
                                                                 "{\"tone\":\"Dry\"}"));
    REJECT(IGNY8_ENOTFOUND, "id", igny8_library_copy_reset(st, "ops", AP, ACCOUNT, f->other_copy));
    REJECT(IGNY8_ENOTFOUND, "id", igny8_library_copy_delete(st, "ops", AP, ACCOUNT, f->other_copy));
    REJECT_OUT(IGNY8_ENOTFOUND, "id", j, igny8_library_copy_get_json(st, IGNY8_LIBRARY_STRATEGY, ACCOUNT, f->copy, &j));
    REJECT(IGNY8_ENOTFOUND, "id", igny8_library_copy_delete(st, "ops", IGNY8_LIBRARY_STRATEGY, ACCOUNT, f->copy));
    ASSERT_UNCHANGED(st, before);
}

/* A field a body does not know is refused naming it (its path when nested); key fields
 * are the exception: stripped and never stored (test_settings__put_strips_key_fields). */
static void test_bad_input__unknown_fields(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
    REJECT_OUT(IGNY8_EINVAL, "colour", j, igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                    "{\"temperature\":0.4,\"colour\":\"red\"}", &j));
    REJECT(IGNY8_EINVAL, "base_url", igny8_integration_put_json(st, "ops", ACCOUNT, "openai",
                                                                "{\"base_url\":\"https://p.example/\"}", NULL));
    REJECT(IGNY8_EINVAL, "colour", igny8_global_settings_put_json(st, "ops", "{\"colour\":\"red\"}", NULL));
    REJECT(IGNY8_EINVAL, "integrations.openai.colour",
           igny8_global_settings_put_json(st, "ops", "{\"integrations\":{\"openai\":{\"colour\":\"red\"}}}", NULL));
    REJECT(IGNY8_EINVAL, "integrations.openai.enabled",
           igny8_global_settings_put_json(st, "ops", "{\"integrations\":{\"openai\":{\"enabled\":false}}}", NULL));
    REJECT(IGNY8_EINVAL, "colour", igny8_model_add_json(st, "ops", "{\"model_name\":\"x\",\"provider\":\"openai\","
                                                        "\"model_type\":\"text\",\"colour\":\"red\"}", NULL));
    REJECT(IGNY8_EINVAL, "colour", igny8_model_update_json(st, "ops", "gpt-4o", "{\"colour\":\"red\"}", NULL));
    REJECT(IGNY8_EINVAL, "colour", igny8_library_update_json(st, "ops", AP, f->profile, "{\"colour\":\"red\"}"));
    REJECT(IGNY8_EINVAL, "structure_template.sections[0].colour",
           igny8_library_copy_update_json(st, "ops", AP, ACCOUNT, f->copy, "{\"structure_template\":{\"sections\":["
                                          "{\"heading\":\"A\",\"colour\":\"red\"}]}}"));
    REJECT(IGNY8_EINVAL, "$.colour", igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\","
                                                             "\"format_version\":1,\"colour\":[]}", NULL));
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== options structs */

/* Every options struct refuses version 0 and a version newer than the library's, in its
 * _init() and in every call that takes it; unknown flag bits and enum values are refused
 * by name. (Older versions are read by their size: test_store__older_options_version_is_read_by_its_size.) */
static void test_bad_input__options_bad_version_or_flags(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    char *j;
    igny8_models *ml;
    igny8_prompt *p;
    const unsigned int versions[] = { 0, 2, 99, UINT_MAX };
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        unsigned int v = versions[i];
        igny8_store_options so;
        igny8_model_filter mf;
        igny8_audit_query aq;
        igny8_integration_update iu;
        igny8_library_filter lf;
        igny8_connection_test_options co;
        igny8_prompt_commit_options pc;
        igny8_export_options eo;
        igny8_import_options io;
        igny8_resolve_options ro;
        igny8_resolution *r;
        if (v == 0 || v > IGNY8_STORE_OPTIONS_VERSION) {  /* 1..current are all valid */
            REJECT(IGNY8_EINVAL, "version", igny8_store_options_init(&so, v));
            so.version = v;
            so.flags = 0;
            so.busy_timeout_ms = 0;
            so.cache_accounts = 0;
            igny8_store *s2;
            REJECT_OUT(IGNY8_EINVAL, "version", s2, igny8_store_open(&s2, ":memory:", &so));
        }
        REJECT(IGNY8_EINVAL, "version", igny8_model_filter_init(&mf, v));
        REJECT(IGNY8_EINVAL, "version", igny8_audit_query_init(&aq, v));
        REJECT(IGNY8_EINVAL, "version", igny8_integration_update_init(&iu, v));
        REJECT(IGNY8_EINVAL, "version", igny8_library_filter_init(&lf, v));
        REJECT(IGNY8_EINVAL, "version", igny8_connection_test_options_init(&co, v));
        REJECT(IGNY8_EINVAL, "version", igny8_prompt_commit_options_init(&pc, v));
        REJECT(IGNY8_EINVAL, "version", igny8_resolve_options_init(&ro, v));
        igny8_resolve_options ro2 = IGNY8_RESOLVE_OPTIONS_INIT;
        ro2.version = v;
        REJECT_OUT(IGNY8_EINVAL, "version", r, igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &ro2, &r));
        if (v == 0 || v > IGNY8_EXPORT_OPTIONS_VERSION) {  /* versions 1 and 2 are both valid */
            REJECT(IGNY8_EINVAL, "version", igny8_export_options_init(&eo, v));
            REJECT(IGNY8_EINVAL, "version", igny8_import_options_init(&io, v));
        }
        igny8_model_filter mf2 = IGNY8_MODEL_FILTER_INIT;
        igny8_audit_query aq2 = IGNY8_AUDIT_QUERY_INIT;
        igny8_integration_update iu2 = IGNY8_INTEGRATION_UPDATE_INIT;
        igny8_library_filter lf2 = IGNY8_LIBRARY_FILTER_INIT;
        igny8_connection_test_options co2 = IGNY8_CONNECTION_TEST_OPTIONS_INIT;
        igny8_prompt_commit_options pc2 = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
        igny8_export_options eo2 = IGNY8_EXPORT_OPTIONS_INIT;
        igny8_import_options io2 = IGNY8_IMPORT_OPTIONS_INIT;
        mf2.version = aq2.version = iu2.version = lf2.version = co2.version = pc2.version = eo2.version = io2.version = v;
        iu2.set = IGNY8_FIELD_TEMPERATURE;
        iu2.temperature = 0.5;
        pc2.prompt_type = "ideas";
        pc2.value = "x";
        REJECT_OUT(IGNY8_EINVAL, "version", ml, igny8_model_list(st, &mf2, &ml));
        REJECT_OUT(IGNY8_EINVAL, "version", j, igny8_model_list_json(st, &mf2, &j));
        REJECT_OUT(IGNY8_EINVAL, "version", j, igny8_audit_query_json(st, &aq2, &j));
        REJECT(IGNY8_EINVAL, "version", igny8_account_integration_set(st, "ops", ACCOUNT, "openai", &iu2));
        REJECT(IGNY8_EINVAL, "version", igny8_global_integration_set(st, "ops", "openai", &iu2));
        REJECT_OUT(IGNY8_EINVAL, "version", j, igny8_library_list_json(st, AP, &lf2, &j));
        REJECT_OUT(IGNY8_EINVAL, "version", j, igny8_connection_test(st, "ops", "openai", &co2, &j));
        REJECT_OUT(IGNY8_EINVAL, "version", p, igny8_prompt_commit(st, "ops", &pc2, &p));
        if (v != 2) {  /* version 2 of the export and import options exists */
            REJECT_OUT(IGNY8_EINVAL, "version", j, igny8_store_export_json(st, &eo2, &j));
            REJECT(IGNY8_EINVAL, "version", igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\","
                                                                    "\"format_version\":1}", &io2));
        }
    }
    /* unknown bits and values */
    igny8_export_options eo = IGNY8_EXPORT_OPTIONS_INIT;
    eo.flags = IGNY8_EXPORT_WITH_KEYS | (1u << 31);
    REJECT_OUT(IGNY8_EINVAL, "flags", j, igny8_store_export_json(st, &eo, &j));
    igny8_import_options io = IGNY8_IMPORT_OPTIONS_INIT;
    io.mode = 2;
    REJECT(IGNY8_EINVAL, "mode", igny8_store_import_json(st, "ops", "{\"format\":\"igny8settings\",\"format_version\":1}",
                                                         &io));
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = 1u << 20;
    REJECT(IGNY8_EINVAL, "set", igny8_account_integration_set(st, "ops", ACCOUNT, "openai", &u));
    u.set = 0;
    u.clear = 1u << 31;
    REJECT(IGNY8_EINVAL, "clear", igny8_global_integration_set(st, "ops", "openai", &u));
    u.clear = 0;
    u.set = IGNY8_FIELD_ENABLED;  /* an account-only field at the platform */
    u.enabled = 1;
    REJECT(IGNY8_EINVAL, "enabled", igny8_global_integration_set(st, "ops", "openai", &u));
    u.set = IGNY8_FIELD_ENABLED;  /* enabled is 0 or 1 */
    u.enabled = 7;
    REJECT(IGNY8_EINVAL, "enabled", igny8_account_integration_set(st, "ops", ACCOUNT, "openai", &u));
    igny8_model_filter mf = IGNY8_MODEL_FILTER_INIT;
    mf.active = 3;
    REJECT_OUT(IGNY8_EINVAL, "active", ml, igny8_model_list(st, &mf, &ml));
    mf.active = 0;
    mf.model_type = 3;
    REJECT_OUT(IGNY8_EINVAL, "model_type", j, igny8_model_list_json(st, &mf, &j));
    igny8_library_filter lf = IGNY8_LIBRARY_FILTER_INIT;
    lf.active = -1;
    REJECT_OUT(IGNY8_EINVAL, "active", j, igny8_library_list_json(st, AP, &lf, &j));
    igny8_resolve_options ro = IGNY8_RESOLVE_OPTIONS_INIT;
    igny8_resolution *r;
    ro.flags = IGNY8_RESOLVE_SKIP_UNHEALTHY | (1u << 31);
    REJECT_OUT(IGNY8_EINVAL, "flags", r, igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &ro, &r));
    ro.flags = IGNY8_RESOLVE_SKIP_UNHEALTHY;
    ro.unhealthy_window_s = UINT_MAX;
    REJECT_OUT(IGNY8_EINVAL, "unhealthy_window_s", r, igny8_get_model_for_operation_v2(st, ACCOUNT, "ideas", NULL, &ro, &r));
    igny8_store_options so = IGNY8_STORE_OPTIONS_INIT;
    so.flags = 1u << 31;  /* no flag of the library */
    igny8_store *s2;
    REJECT_OUT(IGNY8_EINVAL, "flags", s2, igny8_store_open(&s2, ":memory:", &so));
    ASSERT_UNCHANGED(st, before);
}

/* ======================================================================== files */

static void write_file(const char *path, const void *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (n > 0)
        assert_int_equal(fwrite(bytes, 1, n, fp), n);
    fclose(fp);
}

/* A text file is not a store: IGNY8_ECORRUPT naming the path, and the file is left as it was. */
static void test_bad_input__text_file_is_ecorrupt(void **state)
{
    TESTUTIL_SQLITE_ONLY("a store file of text");
    fixture *f = *state;
    char path[160];
    static const char text[] = "# not a database\nkey = value\n";
    snprintf(path, sizeof(path), "%s/settings.conf", f->dir);
    write_file(path, text, sizeof(text) - 1);
    igny8_store *st;
    REJECT_OUT(IGNY8_ECORRUPT, "path", st, igny8_store_open(&st, path, NULL));
    testutil_assert_contains(igny8_error_last()->message, "not a SQLite database");
    char back[64] = { 0 };
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(back, 1, sizeof(back) - 1, fp), sizeof(text) - 1);
    fclose(fp);
    assert_string_equal(back, text);
    char wal[200];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    assert_int_not_equal(access(wal, F_OK), 0);
}

/* An empty file is a new store (SQLite's own rule): it is initialised and usable. Its
 * mode stays the one its maker gave it: the library chooses the mode only of files it creates. */
static void test_bad_input__empty_file_becomes_a_store(void **state)
{
    TESTUTIL_SQLITE_ONLY("an empty file");
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof(path), "%s/empty.db", f->dir);
    write_file(path, "", 0);
    assert_int_equal(chmod(path, 0640), 0);
    igny8_store *st = NULL;
    assert_igny8_ok(igny8_store_open(&st, path, NULL));
    int v = 0;
    assert_igny8_ok(igny8_store_schema_version(st, &v));
    assert_int_equal(v, IGNY8_SCHEMA_VERSION);
    assert_igny8_ok(igny8_defaults_load(st, "ops", NULL));
    igny8_store_close(st);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
}

/* A directory is IGNY8_EIO naming the path, and saying it is a directory. */
static void test_bad_input__directory_is_eio(void **state)
{
    TESTUTIL_SQLITE_ONLY("a directory as the store file");
    fixture *f = *state;
    igny8_store *st;
    REJECT_OUT(IGNY8_EIO, "path", st, igny8_store_open(&st, f->dir, NULL));
    testutil_assert_contains(igny8_error_last()->message, "directory");
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = IGNY8_STORE_READONLY;
    REJECT_OUT(IGNY8_EIO, "path", st, igny8_store_open(&st, f->dir, &o));
    REJECT_OUT(IGNY8_EIO, "path", st, igny8_store_open(&st, "/", NULL));
}

/* The permission tests run their checks in a child process (see as_unprivileged), where
 * a CMocka assertion would go on running the other tests: they report a failure as text
 * instead. CHILD_EXPECT: rc is code, the error names field and its message contains text. */
static char child_failure[512];
#define CHILD_EXPECT(code_, field_, text_, expr) do { \
        int rc_ = (expr); \
        const igny8_error *e_ = igny8_error_last(); \
        const char *want_ = (field_); \
        if (rc_ != (code_) || (want_ != NULL && (e_->field == NULL || strcmp(e_->field, want_) != 0)) \
            || strstr(e_->message, (text_)) == NULL) { \
            snprintf(child_failure, sizeof(child_failure), "line %d: %s -> %d (field %s: %s), expected %d, %s, '%s'", \
                     __LINE__, #expr, rc_, e_->field ? e_->field : "(null)", e_->message, (code_), \
                     want_ ? want_ : "(any)", (text_)); \
            return child_failure; \
        } \
    } while (0)
#define CHILD_OK(expr) CHILD_EXPECT(IGNY8_OK, NULL, "", (expr))

/* This binary, for the permission tests' child (argv[0] made absolute in main: not
 * /proc/self/exe, which is valgrind's own binary under valgrind). */
static char self_path[PATH_MAX];

static const char *unreadable_file(const char *dir);
static const char *unwritable_file(const char *dir);
static const struct { const char *name; const char *(*fn)(const char *dir); } unprivileged_checks[] = {
    { "unreadable", unreadable_file },
    { "unwritable", unwritable_file },
};

/* Run one check and write its report ("ok" or the failure) to fd with write(2): the
 * forked child ends with _exit(), which would drop anything left in stdio's buffers. */
static int report_check(const char *name, const char *dir, int fd)
{
    const char *report = "no such check";
    for (size_t i = 0; i < sizeof(unprivileged_checks) / sizeof(unprivileged_checks[0]); i++)
        if (strcmp(unprivileged_checks[i].name, name) == 0) {
            const char *failure = unprivileged_checks[i].fn(dir);
            report = failure ? failure : "ok";
        }
    size_t len = strlen(report), done = 0;
    ssize_t n;
    while (done < len && (n = write(fd, report + done, len - done)) > 0)
        done += (size_t)n;
    return done == len ? 0 : 2;
}

/* main(), run as "test_bad_input --as-nobody NAME DIR": one check, its report on stdout. */
static int run_unprivileged_check(const char *name, const char *dir)
{
    return report_check(name, dir, STDOUT_FILENO);
}

/* The child of as_unprivileged: become nobody, then run the check in a fresh copy of this
 * binary when nobody may execute it (may_exec), else right here. The build tree may lie
 * where nobody cannot go (a checkout under /root, mode 0700): then the exec is skipped,
 * and the working directory (perhaps there too) is left for "/". Never returns. */
static void nobody_child(const char *dir, const char *name, int may_exec, int fd)
{
    if (setgid(65534) != 0 || setuid(65534) != 0 || geteuid() == 0)
        _exit(77);
    if (chdir("/") != 0)
        _exit(2);
    if (may_exec && self_path[0] && access(self_path, X_OK) == 0 && dup2(fd, STDOUT_FILENO) >= 0)
        execl(self_path, "test_bad_input", "--as-nobody", name, dir, (char *)NULL);
    _exit(report_check(name, dir, fd));
}

/* Fork a nobody_child and read its report into buf; its wait status into *status. */
static size_t run_as_nobody(const char *dir, const char *name, int may_exec, char *buf, size_t cap, int *status)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        nobody_child(dir, name, may_exec, fds[1]);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    memset(buf, 0, cap);
    while (got < cap - 1 && (n = read(fds[0], buf + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    assert_int_equal(waitpid(pid, status, 0), pid);
    return got;
}

/* Run a permission check as an unprivileged user: root reads and writes any file, so when
 * the test runs as root the check runs in a child that drops to "nobody" and, where nobody
 * may, runs this binary again (a fresh process: nothing of the parent's to leak under
 * valgrind). A copy that nobody could start but not load (its library out of reach: exit
 * 127, no report) is retried without the exec. The child reports on a pipe. Skips,
 * saying so, when root cannot drop its privileges. */
static void as_unprivileged(const char *dir, const char *name)
{
    const char *report;
    char buf[sizeof(child_failure)];
    if (geteuid() != 0) {
        for (size_t i = 0; i < sizeof(unprivileged_checks) / sizeof(unprivileged_checks[0]); i++)
            if (strcmp(unprivileged_checks[i].name, name) == 0 && (report = unprivileged_checks[i].fn(dir)) != NULL)
                fail_msg("%s", report);
        return;
    }
    assert_int_equal(chmod(dir, 0777), 0);  /* nobody must reach and create files in it (it is under /tmp) */
    int status = 0;
    size_t got = run_as_nobody(dir, name, 1, buf, sizeof(buf), &status);
    if (got == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
        got = run_as_nobody(dir, name, 0, buf, sizeof(buf), &status);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        print_message("root could not become nobody: the permission check is skipped\n");
        skip();
    }
    if (strcmp(buf, "ok") != 0)
        fail_msg("as nobody: %s (wait status %d)", got ? buf : "the child reported nothing", status);
}

static const char *unreadable_file(const char *dir)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/unreadable.db", dir);
    igny8_store *st = NULL;
    CHILD_OK(igny8_store_open(&st, path, NULL));
    igny8_store_close(st);
    if (chmod(path, 0) != 0)
        return "chmod failed";
    st = POISON;
    CHILD_EXPECT(IGNY8_EIO, "path", "Permission denied", igny8_store_open(&st, path, NULL));
    if (st != NULL)
        return "the store out-parameter is not NULL";
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = IGNY8_STORE_READONLY;
    CHILD_EXPECT(IGNY8_EIO, "path", "Permission denied", igny8_store_open(&st, path, &o));
    return NULL;
}

/* A file without read permission is IGNY8_EIO naming the path, with the system's reason. */
static void test_bad_input__unreadable_file_is_eio(void **state)
{
    TESTUTIL_SQLITE_ONLY("file permissions");
    fixture *f = *state;
    as_unprivileged(f->dir, "unreadable");
}

static const char *unwritable_file(const char *dir)
{
    char path[160], sub[160], inner[200], nested[240];
    snprintf(path, sizeof(path), "%s/readonly.db", dir);
    igny8_store *st = NULL;
    CHILD_OK(igny8_store_open(&st, path, NULL));
    CHILD_OK(igny8_defaults_load(st, "ops", NULL));
    igny8_store_close(st);
    if (chmod(path, 0400) != 0)
        return "chmod failed";
    /* opened read-write, the file can still be read; a write says why it cannot happen */
    CHILD_OK(igny8_store_open(&st, path, NULL));
    char *json = NULL;
    CHILD_OK(igny8_module_list_json(st, 0, &json));
    igny8_free(json);
    CHILD_EXPECT(IGNY8_EREADONLY, NULL, "may not write", igny8_module_set(st, "ops", "planner", 0));
    CHILD_EXPECT(IGNY8_EREADONLY, NULL, "may not write", igny8_connection_test(st, "ops", "openai", NULL, NULL));
    int on = -1;
    CHILD_OK(igny8_module_enabled(st, 0, "planner", &on));
    igny8_store_close(st);
    if (on != 1)
        return "the refused write changed the store";
    /* a store in a directory the process may not write: SQLite cannot make its -wal file */
    snprintf(sub, sizeof(sub), "%s/locked", dir);
    snprintf(inner, sizeof(inner), "%s/inner.db", sub);
    snprintf(nested, sizeof(nested), "%s/new.db", sub);
    if (mkdir(sub, 0700) != 0)
        return "mkdir failed";
    CHILD_OK(igny8_store_open(&st, inner, NULL));
    igny8_store_close(st);  /* the last close removes -wal and -shm */
    if (chmod(sub, 0500) != 0)
        return "chmod failed";
    CHILD_EXPECT(IGNY8_EIO, "path", "directory is not writable", igny8_store_open(&st, inner, NULL));
    CHILD_EXPECT(IGNY8_EIO, "path", "Permission denied", igny8_store_open(&st, nested, NULL));
    chmod(sub, 0700);
    unlink(inner);
    rmdir(sub);
    return NULL;
}

/* A file the process may not write opens for reading; writes are IGNY8_EREADONLY saying
 * so (not "attempt to write a readonly database" from SQLite), and a connection test is
 * refused before its request. A store in a directory the process may not write cannot be
 * opened (SQLite must create its -wal file there): IGNY8_EIO saying why. */
static void test_bad_input__unwritable_file_refuses_writes(void **state)
{
    TESTUTIL_SQLITE_ONLY("file permissions");
    fixture *f = *state;
    as_unprivileged(f->dir, "unwritable");
}

/* A path is a file name, never a URI: "file:x.db" is the file of that name, created 0600
 * like any other (SQLite built with SQLITE_USE_URI would otherwise open x.db). */
static void test_bad_input__uri_path_is_a_file_name(void **state)
{
    TESTUTIL_SQLITE_ONLY("SQLite's file: URIs");
    fixture *f = *state;
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(f->dir), 0);
    static const char *const names[] = { "file:x.db", "file:y.db?mode=ro", "file::memory:" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        igny8_store *st = NULL;
        assert_igny8_ok(igny8_store_open(&st, names[i], NULL));
        assert_igny8_ok(igny8_module_add(st, "ops", "planner", NULL, 1));
        igny8_store_close(st);
        struct stat sb;
        assert_int_equal(stat(names[i], &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        assert_true(sb.st_size > 0);
    }
    assert_int_not_equal(access("x.db", F_OK), 0);
    assert_int_not_equal(access("y.db", F_OK), 0);
    assert_int_equal(chdir(cwd), 0);
}

/* ======================================================================== versions */

/* A defaults document of a newer format is IGNY8_EVERSION naming "$.format", and loads
 * nothing. (A newer store: test_store__newer_schema_is_eversion; a newer export:
 * test_transfer__a_broken_document_changes_nothing.) */
static void test_bad_input__newer_defaults_format_is_eversion(void **state)
{
    (void)state;
    igny8_store *st = testutil_store(0);
    REJECT(IGNY8_EVERSION, "$.format", igny8_defaults_load(st, "ops", "{\"format\":2,\"models\":[]}"));
    REJECT(IGNY8_EINVAL, "$.format", igny8_defaults_load(st, "ops", "{\"format\":0}"));
    assert_int_equal(testutil_audit_count(st), 0);
    assert_igny8_ok(igny8_defaults_load(st, "ops", NULL));
    igny8_store_close(st);
}

/* ======================================================================== secrets in odd places */

/* A base URL is shown in the global view, the audit log and every resolution, so it may
 * not carry a secret: credentials (user:key@) and a query or fragment are refused, naming
 * base_url, and the message does not repeat the URL. */
static void test_bad_input__credentials_in_base_url(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    static const char *const urls[] = {
        "https://user:sk-FAKE-" MARK "@proxy.example/v1", "https://sk-FAKE-" MARK "@proxy.example",
        "https://proxy.example/v1?key=sk-FAKE-" MARK, "https://proxy.example/v1#sk-FAKE-" MARK,
        "https://proxy.example?api_key=sk-FAKE-" MARK,
    };
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = IGNY8_FIELD_BASE_URL;
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        char body[256];
        u.base_url = urls[i];
        REJECT(IGNY8_EINVAL, "base_url", igny8_global_integration_set(st, "ops", "openai", &u));
        snprintf(body, sizeof(body), "{\"integrations\":{\"anthropic\":{\"base_url\":\"%s\"}}}", urls[i]);
        REJECT(IGNY8_EINVAL, "integrations.anthropic.base_url", igny8_global_settings_put_json(st, "ops", body, NULL));
        snprintf(body, sizeof(body), "{\"format\":\"igny8settings\",\"format_version\":1,\"integrations\":[{\"name\":"
                 "\"openai\",\"provider\":\"openai\",\"model_type\":\"text\",\"base_url\":\"%s\"}]}", urls[i]);
        REJECT(IGNY8_EINVAL, "$.integrations[0].base_url", igny8_store_import_json(st, "ops", body, NULL));
    }
    ASSERT_UNCHANGED(st, before);
    /* an '@' in the path is not a credential */
    u.base_url = "https://proxy.example/@team/v1";
    assert_igny8_ok(igny8_global_integration_set(st, "ops", "openai", &u));
}

/* A base URL over plain http to another host would send the key unencrypted: refused,
 * naming base_url, by the setter, the global PUT, an import (an integration's base_url and
 * a provider's default) and a defaults document; the shipped defaults (all https) load.
 * The message gives the rule, not the URL. */
static void test_bad_input__plain_http_base_url_to_another_host(void **state)
{
    fixture *f = *state;
    igny8_store *st = f->st;
    char *before = view(st);
    static const char *const url = "http://proxy." MARK ".example/v1";
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    u.set = IGNY8_FIELD_BASE_URL;
    u.base_url = url;
    char body[512];
    REJECT(IGNY8_EINVAL, "base_url", igny8_global_integration_set(st, "ops", "openai", &u));
    testutil_assert_contains(igny8_error_last()->message, "IGNY8_STORE_ALLOW_HTTP");
    snprintf(body, sizeof(body), "{\"integrations\":{\"anthropic\":{\"base_url\":\"%s\"}}}", url);
    REJECT(IGNY8_EINVAL, "integrations.anthropic.base_url", igny8_global_settings_put_json(st, "ops", body, NULL));
    snprintf(body, sizeof(body), "{\"format\":\"igny8settings\",\"format_version\":1,\"integrations\":[{\"name\":"
             "\"openai\",\"provider\":\"openai\",\"model_type\":\"text\",\"base_url\":\"%s\"}]}", url);
    REJECT(IGNY8_EINVAL, "$.integrations[0].base_url", igny8_store_import_json(st, "ops", body, NULL));
    snprintf(body, sizeof(body), "{\"format\":\"igny8settings\",\"format_version\":1,\"providers\":[{\"name\":"
             "\"openai\",\"display_name\":\"OpenAI\",\"default_base_url\":\"%s\"}]}", url);
    REJECT(IGNY8_EINVAL, "$.providers[0].default_base_url", igny8_store_import_json(st, "ops", body, NULL));
    ASSERT_UNCHANGED(st, before);
    igny8_store *empty = testutil_store(0);
    snprintf(body, sizeof(body), "{\"format\":1,\"providers\":[{\"name\":\"openai\",\"display_name\":\"OpenAI\","
             "\"default_base_url\":\"%s\"}]}", url);
    REJECT(IGNY8_EINVAL, "$.providers[0].default_base_url", igny8_defaults_load(empty, "ops", body));
    assert_int_equal(testutil_audit_count(empty), 0);
    assert_igny8_ok(igny8_defaults_load(empty, "ops", NULL));
    igny8_store_close(empty);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--as-nobody") == 0)
        return run_unprivileged_check(argv[2], argv[3]);
    if (realpath(argv[0], self_path) == NULL)
        self_path[0] = '\0';
#define T(name) cmocka_unit_test_setup_teardown(test_bad_input__##name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(null_store),
        T(null_out),
        T(null_required_string),
        T(account_id_not_positive),
        T(invalid_utf8_in_json),
        T(invalid_utf8_in_string_arguments),
        T(oversized_strings),
        T(oversized_json_body),
        T(malformed_json),
        T(deeply_nested_json),
        T(nul_in_json),
        T(duplicate_names_in_json),
        T(wrong_types),
        T(out_of_range),
        T(unknown_names),
        T(unknown_fields),
        T(options_bad_version_or_flags),
        T(text_file_is_ecorrupt),
        T(empty_file_becomes_a_store),
        T(directory_is_eio),
        T(unreadable_file_is_eio),
        T(unwritable_file_refuses_writes),
        T(uri_path_is_a_file_name),
        T(newer_defaults_format_is_eversion),
        T(credentials_in_base_url),
        T(plain_http_base_url_to_another_host),
    };
    return cmocka_run_group_tests_name("bad_input", tests, NULL, NULL);
}
