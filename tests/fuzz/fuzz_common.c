/* Helpers of the fuzz targets (fuzz_common.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "fuzz_common.h"

/* internals: the store's SQLite connection (the fuzz store is SQLite) and its resolver cache */
#include "cache.h"
#include "sqlite/sqlite.h"
#include "store.h"

#define ACTOR "fuzz"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int fuzz_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int fuzz_json_valid(const char *text)
{
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    cJSON_Delete(j);
    return j != NULL;
}

char *fuzz_export(igny8_store *st)
{
    igny8_export_options o = IGNY8_EXPORT_OPTIONS_INIT;
    char *json = NULL;
    o.flags = IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS;
    FUZZ_CHECK(igny8_store_export_json(st, &o, &json) == IGNY8_OK);
    return json;
}

long long fuzz_audit_count(igny8_store *st)
{
    sqlite3_stmt *s = NULL;
    long long n = -1;
    FUZZ_CHECK(sqlite3_prepare_v2(igny8__sqlite_conn(st), "SELECT count(*) FROM audit", -1, &s, NULL) == SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    FUZZ_CHECK(n >= 0);
    return n;
}

/* ---- the baseline store ---- */

static igny8_store *store;
static sqlite3 *pristine;  /* the baseline's pages, copied back before every input */

#define OK(expr) FUZZ_CHECK((expr) == IGNY8_OK)

/* Plans and fallbacks (make_seeds.py's fill does the same): a group the account is
 * assigned, its additions, a removal and a ceiling; the platform's chains; the account's
 * chain and its empty one. */
static void baseline_plans(igny8_store *st)
{
    static const char *const starter[] = { "gpt-4o-mini", "claude-3-5-haiku-20241022" };
    OK(igny8_access_group_set(st, ACTOR, "starter", "Cheap models", starter, 2));
    OK(igny8_account_access_put_json(st, ACTOR, FUZZ_ACCOUNT, "{\"group\":\"starter\",\"additions\":[\"gpt-4o\","
                                     "\"gpt-4.1\"],\"removals\":[\"claude-3-5-haiku-20241022\"],"
                                     "\"max_cost_per_1k_tokens\":0.02}", NULL));
    OK(igny8_fallback_chains_put_json(st, ACTOR, 0, "{\"content_generation\":[\"gpt-4o\",\"claude-3-5-haiku-20241022\"],"
                                      "\"image_generation\":[\"runware:100@1\"]}", NULL));
    OK(igny8_fallback_chains_put_json(st, ACTOR, FUZZ_ACCOUNT, "{\"ideas\":[\"gpt-4o-mini\",\"gpt-4.1\"],"
                                      "\"clustering\":[]}", NULL));
}

/* Something in every section of an export: keys, an account's overrides, choices,
 * module toggle, customised prompt, an unpublished version, library copies, plans. */
static void baseline_fill(igny8_store *st)
{
    int64_t copy = 0;
    igny8_prompt_commit_options c = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    OK(igny8_defaults_load(st, ACTOR, NULL));
    OK(igny8_global_key_set(st, ACTOR, "openai", "sk-fuzz-openai-0001"));
    OK(igny8_global_key_set(st, ACTOR, "runware", "rw-fuzz-0002"));
    OK(igny8_integration_put_json(st, ACTOR, FUZZ_ACCOUNT, "openai",
                                  "{\"model\":\"gpt-4o\",\"temperature\":0.3,\"max_tokens\":4000}", NULL));
    OK(igny8_integration_put_json(st, ACTOR, FUZZ_ACCOUNT, "runware", "{\"enabled\":false,\"size\":\"512x512\"}",
                                  NULL));
    OK(igny8_account_key_set(st, ACTOR, FUZZ_ACCOUNT, "anthropic", "sk-ant-fuzz-0003"));
    OK(igny8_account_provider_set(st, ACTOR, FUZZ_ACCOUNT, IGNY8_MODEL_TEXT, "anthropic"));
    OK(igny8_account_operation_model_set(st, ACTOR, FUZZ_ACCOUNT, "clustering", "gpt-4.1"));
    OK(igny8_module_account_set(st, ACTOR, FUZZ_ACCOUNT, "writer", 0));
    OK(igny8_account_prompt_customize(st, ACTOR, FUZZ_ACCOUNT, "ideas",
                                      "Ideas for {site_name} about {cluster_name}: {{literal}}"));
    c.prompt_type = "clustering";
    c.value = "Cluster {keywords} for {site_name}.";
    c.message = "unpublished draft";
    OK(igny8_prompt_commit(st, ACTOR, &c, NULL));
    OK(igny8_library_clone(st, ACTOR, IGNY8_LIBRARY_AUTHOR_PROFILE, FUZZ_ACCOUNT, 1, &copy));
    OK(igny8_library_copy_update_json(st, ACTOR, IGNY8_LIBRARY_AUTHOR_PROFILE, FUZZ_ACCOUNT, copy,
                                      "{\"tone\":\"Dry and witty\"}"));
    OK(igny8_library_clone(st, ACTOR, IGNY8_LIBRARY_STRATEGY, FUZZ_ACCOUNT, 8, NULL));
    baseline_plans(st);
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    FUZZ_CHECK(b != NULL);
    FUZZ_CHECK(sqlite3_backup_step(b, -1) == SQLITE_DONE);
    FUZZ_CHECK(sqlite3_backup_finish(b) == SQLITE_OK);
}

static void fuzz_store_close(void)
{
    igny8_store_close(store);
    sqlite3_close(pristine);
    store = NULL;
    pristine = NULL;
}

igny8_store *fuzz_store(void)
{
    if (store == NULL) {
        igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
        o.cache_accounts = 16;  /* a small cache: it is made again for every input */
        OK(igny8_store_open(&store, ":memory:", &o));
        baseline_fill(store);
        FUZZ_CHECK(sqlite3_open(":memory:", &pristine) == SQLITE_OK);
        copy_db(pristine, igny8__sqlite_conn(store));
        atexit(fuzz_store_close);
        return store;
    }
    copy_db(igny8__sqlite_conn(store), pristine);
    igny8__cache_close(store);
    OK(igny8__cache_open(store));
    return store;
}
