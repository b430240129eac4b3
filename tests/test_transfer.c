/* Export and import of the whole store: the byte-identical round trip, keys only when
 * asked, broken documents that change nothing (with the JSON path of the first error),
 * merge and replace, immutable prompt versions, plans and fallbacks (format_version 2) and
 * version 1 documents, the audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define BIG_ACCOUNT 9000000000LL  /* above INT_MAX: ids travel exactly */
#define GLOBAL_KEY "sk-FAKE-global-000000001"
#define ACCOUNT_KEY "sk-FAKE-account7-00000001"

/* Library items and accounts' copies, valid per include/igny8/library.h, inserted through
 * a merge document (the library's own API is another area's). */
#define PROFILE_FIELDS \
    "\"tone\":\"friendly\",\"language\":\"en\",\"structure_template\":{\"sections\":[" \
    "{\"heading\":\"Introduction\",\"word_count\":150,\"elements\":[\"paragraph\"]}," \
    "{\"heading\":\"Steps\",\"elements\":[\"numbered_list\",\"image\"]}],\"notes\":\"Short paragraphs\"}"
#define STRATEGY_FIELDS \
    "\"prompt_types\":[\"content_generation\",\"ideas\"],\"section_logic\":{\"order\":\"fixed\",\"sections\":[" \
    "{\"name\":\"intro\",\"prompt_type\":\"content_generation\",\"required\":true,\"min_words\":100," \
    "\"max_words\":300},{\"name\":\"angles\",\"prompt_type\":\"ideas\"}]}"
static const char library_doc[] =
    "{\"format\":\"igny8settings\",\"format_version\":1,\"library\":["
    "{\"id\":1,\"kind\":\"author_profile\",\"revision\":2,\"name\":\"Friendly expert\","
    "\"description\":\"Warm, precise, practical\",\"category\":\"blog\",\"is_active\":true," PROFILE_FIELDS ","
    "\"updated_at\":\"2026-11-20T10:00:00.000Z\",\"updated_by\":\"editor\"},"
    "{\"id\":2,\"kind\":\"strategy\",\"revision\":1,\"name\":\"Pillar page\",\"category\":\"saas\","
    "\"is_active\":true," STRATEGY_FIELDS ",\"updated_at\":\"2026-11-20T10:05:00.000Z\",\"updated_by\":\"editor\"}],"
    "\"account_library\":["
    "{\"id\":10,\"account_id\":7,\"kind\":\"author_profile\",\"source_id\":1,\"based_on_revision\":1,"
    "\"name\":\"Our voice\",\"category\":\"blog\",\"is_active\":true," PROFILE_FIELDS ","
    "\"based_on\":{\"name\":\"Friendly expert\",\"category\":\"blog\"," PROFILE_FIELDS "},"
    "\"updated_at\":\"2026-11-21T08:00:00.000Z\",\"updated_by\":\"alice\"},"
    "{\"id\":11,\"account_id\":9000000000,\"kind\":\"strategy\",\"source_id\":2,\"based_on_revision\":1,"
    "\"name\":\"Pillar page\",\"category\":\"saas\",\"is_active\":false," STRATEGY_FIELDS ","
    "\"based_on\":{\"name\":\"Pillar page\",\"category\":\"saas\"," STRATEGY_FIELDS "},"
    "\"updated_at\":\"2026-11-21T08:30:00.000Z\",\"updated_by\":\"bob\"}]}";

/* ---- helpers ---- */

static char *export_doc(igny8_store *st, uint32_t flags)
{
    igny8_export_options o = IGNY8_EXPORT_OPTIONS_INIT;
    char *j = NULL;
    o.flags = flags;
    return testutil_take(igny8_store_export_json(st, &o, &j), &j);
}

static int import_doc(igny8_store *st, const char *json, int mode)
{
    igny8_import_options o = IGNY8_IMPORT_OPTIONS_INIT;
    o.mode = mode;
    return igny8_store_import_json(st, "importer", json, &o);
}

static int commit(igny8_store *st, const char *type, const char *value, int publish)
{
    igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    o.prompt_type = type;
    o.value = value;
    o.message = "test";
    o.publish = publish;
    return igny8_prompt_commit(st, "editor", &o, NULL);
}

/* Plans and fallbacks: groups (one without models, one without a description), account 7
 * with a group, an addition, a removal and a text ceiling, account 8 with a removal only
 * (its access row holds no group nor ceiling: it only heads the removal), the big account with a group, an image ceiling and a chain; the
 * platform's chains, account 7's own chain and its empty one (no fallbacks for
 * content_generation). */
static void make_plans(igny8_store *st)
{
    static const char *const starter[] = { "gpt-4o-mini", "claude-3-5-haiku-20241022", "dall-e-2", "runware:100@1" };
    static const char *const pro[] = { "gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "dall-e-3", "dall-e-2" };
    assert_igny8_ok(igny8_access_group_set(st, "ops", "starter", "Cheap models", starter, 4));
    assert_igny8_ok(igny8_access_group_set(st, "ops", "pro", NULL, pro, 5));
    assert_igny8_ok(igny8_access_group_set(st, "ops", "trial", "Nothing yet", NULL, 0));
    assert_igny8_ok(igny8_account_access_put_json(st, "alice", 7, "{\"group\":\"starter\",\"additions\":"
                                                  "[\"gpt-4.1-mini\"],\"removals\":[\"claude-3-5-haiku-20241022\"],"
                                                  "\"max_cost_per_1k_tokens\":0.005}", NULL));
    assert_igny8_ok(igny8_account_model_access_set(st, "bob", 8, "dall-e-3", IGNY8_ACCESS_DENY));
    assert_igny8_ok(igny8_account_access_put_json(st, "carol", BIG_ACCOUNT, "{\"group\":\"pro\","
                                                  "\"max_cost_per_image\":0.03}", NULL));
    assert_igny8_ok(igny8_fallback_chains_put_json(st, "ops", 0, "{\"content_generation\":[\"gpt-4o\","
                                                   "\"claude-3-5-haiku-20241022\"],\"image_generation\":"
                                                   "[\"dall-e-2\",\"runware:100@1\"]}", NULL));
    assert_igny8_ok(igny8_fallback_chains_put_json(st, "alice", 7, "{\"ideas\":[\"gpt-4o-mini\",\"gpt-4.1-mini\"],"
                                                   "\"content_generation\":[]}", NULL));
    assert_igny8_ok(igny8_fallback_chains_put_json(st, "carol", BIG_ACCOUNT, "{\"ideas\":[\"gpt-4o\","
                                                   "\"gpt-4o-mini\"]}", NULL));
}

/* Defaults plus accounts with every kind of setting, keys, prompt history, plans and
 * fallbacks, and library copies. */
static void make_rich(igny8_store *st)
{
    assert_igny8_ok(igny8_global_key_set(st, "admin", "openai", GLOBAL_KEY));
    assert_igny8_ok(igny8_global_settings_put_json(st, "admin", "{\"integrations\":{\"openai\":{\"base_url\":"
                                                   "\"http://127.0.0.1:9/v1\",\"temperature\":0.5}}}", NULL));
    assert_igny8_ok(igny8_integration_put_json(st, "alice", 7, "openai",
                                               "{\"model\":\"gpt-4o\",\"temperature\":0.8,\"max_tokens\":4096}", NULL));
    assert_igny8_ok(igny8_account_key_set(st, "admin", 7, "openai", ACCOUNT_KEY));
    assert_igny8_ok(igny8_integration_put_json(st, "bob", 8, "dalle", "{\"size\":\"1792x1024\",\"quality\":\"hd\"}",
                                               NULL));
    assert_igny8_ok(igny8_integration_put_json(st, "bob", 8, "runware", "{\"enabled\":false}", NULL));
    assert_igny8_ok(igny8_account_provider_set(st, "bob", 8, IGNY8_MODEL_TEXT, "anthropic"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "alice", 7, "clustering", "gpt-4o-mini"));
    assert_igny8_ok(igny8_account_operation_model_set(st, "carol", BIG_ACCOUNT, "image_generation", "dall-e-2"));
    assert_igny8_ok(igny8_module_account_set(st, "alice", 7, "writer", 0));
    assert_igny8_ok(igny8_module_account_set(st, "carol", BIG_ACCOUNT, "linker", 1));
    assert_igny8_ok(igny8_module_set(st, "admin", "linker", 0));
    assert_igny8_ok(igny8_model_update_json(st, "admin", "gpt-4o", "{\"input_cost_per_1k\":0.003}", NULL));
    assert_igny8_ok(igny8_account_prompt_customize(st, "alice", 7, "ideas", "Ideas for {topic}, our way"));
    assert_igny8_ok(commit(st, "clustering", "Cluster {keywords} for {site_name}", 1));
    assert_igny8_ok(commit(st, "clustering", "Cluster {keywords} tightly", 1));
    assert_igny8_ok(igny8_prompt_publish(st, "editor", "clustering", 2));  /* a rollback */
    assert_igny8_ok(commit(st, "ideas", "Unpublished {topic}", 0));
    assert_igny8_ok(igny8_prompt_set_active(st, "editor", "negative_prompt", 0));
    make_plans(st);
    assert_igny8_ok(import_doc(st, library_doc, IGNY8_IMPORT_MERGE));  /* a version 1 document */
}

static igny8_store *rich_store(void)
{
    igny8_store *st = testutil_store(1);
    make_rich(st);
    return st;
}

/* The value at a path such as "$.prompts[1].versions[0]". */
static cJSON *get_path(cJSON *root, const char *path)
{
    char key[64];
    cJSON *cur = root;
    const char *p = path + 1;
    while (cur && *p) {
        if (*p == '.') {
            size_t n = strcspn(++p, ".[");
            snprintf(key, sizeof(key), "%.*s", (int)n, p);
            cur = cJSON_GetObjectItemCaseSensitive(cur, key);
            p += n;
        } else if (*p == '[') {
            cur = cJSON_GetArrayItem(cur, atoi(p + 1));
            p = strchr(p, ']') + 1;
        } else {
            return NULL;
        }
    }
    return cur;
}

/* The document with parent.key set to value_json (NULL: removed). */
static char *mutated(const char *doc, const char *parent, const char *key, const char *value_json)
{
    cJSON *root = cJSON_Parse(doc), *o = get_path(root, parent);
    if (o == NULL)
        fail_msg("no %s in the document", parent);
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    if (value_json)
        cJSON_AddItemToObject(o, key, cJSON_Parse(value_json));
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static int array_size(const char *doc, const char *path)
{
    cJSON *root = cJSON_Parse(doc);
    int n = cJSON_GetArraySize(get_path(root, path));
    cJSON_Delete(root);
    return n;
}

static cJSON *last_import_entry(igny8_store *st)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    char *json = NULL;
    q.entity = "store";
    q.limit = 1;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &json));
    cJSON *all = cJSON_Parse(json), *e = cJSON_DetachItemFromArray(cJSON_GetObjectItem(all, "entries"), 0);
    igny8_free(json);
    cJSON_Delete(all);
    assert_non_null(e);
    return e;
}

/* ---- tests ---- */

static void test_transfer__options_init_checks_the_version(void **state)
{
    (void)state;
    igny8_export_options e;
    igny8_import_options i;
    assert_igny8_ok(igny8_export_options_init(&e, IGNY8_EXPORT_OPTIONS_VERSION));
    assert_int_equal(e.flags, 0);
    assert_igny8_ok(igny8_import_options_init(&i, IGNY8_IMPORT_OPTIONS_VERSION));
    assert_int_equal(i.mode, IGNY8_IMPORT_MERGE);
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_export_options_init(&e, IGNY8_EXPORT_OPTIONS_VERSION + 1));
    /* a caller built against 1.0 (version 1) asked for the keys themselves with WITH_KEYS */
    igny8_store *st = testutil_store(1);
    struct { unsigned int version; uint32_t flags; } old = { 1, IGNY8_EXPORT_WITH_KEYS };
    char *json = NULL;
    assert_igny8_ok(igny8_global_key_set(st, "test", "openai", "sk-FAKE-old-caller-0001"));
    assert_igny8_ok(igny8_store_export_json(st, (const igny8_export_options *)&old, &json));
    testutil_assert_contains(json, "sk-FAKE-old-caller-0001");
    igny8_free(json);
    igny8_store_close(st);
    /* a caller built against version 1 has a smaller struct: init writes only its bytes */
    struct { igny8_export_options o; unsigned char guard[16]; } v1;
    memset(&v1, 0xAB, sizeof(v1));
    assert_igny8_ok(igny8_export_options_init(&v1.o, 1));
    assert_int_equal(v1.o.flags, 0);
    assert_int_equal(((unsigned char *)&v1.o)[offsetof(igny8_export_options, passphrase)], 0xAB);
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_import_options_init(&i, 0));
}

static void test_transfer__round_trip_is_byte_identical(void **state)
{
    (void)state;
    igny8_store *st = rich_store();
    for (int with_keys = 0; with_keys <= 1; with_keys++) {
        uint32_t flags = with_keys ? IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS : 0;
        char *first = export_doc(st, flags);
        for (int mode = IGNY8_IMPORT_MERGE; mode <= IGNY8_IMPORT_REPLACE; mode++) {
            igny8_store *empty = testutil_store(0);
            assert_igny8_ok(import_doc(empty, first, mode));
            char *second = export_doc(empty, flags);
            assert_string_equal(first, second);
            free(second);
            igny8_store_close(empty);
        }
        free(first);
    }
    igny8_store_close(st);
}

static void test_transfer__the_document_has_every_section_in_key_order(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "format", "format_version", "providers", "integrations", "models", "global_settings", "operations", "modules",
        "prompts", "access_groups", "fallback_chains", "account_integrations", "account_providers",
        "account_operation_models", "account_modules", "account_prompts", "account_access", "account_model_access",
        "library", "account_library", NULL
    };
    igny8_store *st = rich_store();
    char *doc = export_doc(st, 0);
    assert_int_equal(strncmp(doc, "{\"format\":\"igny8settings\",\"format_version\":2,\"providers\":[", 58), 0);
    cJSON *root = cJSON_Parse(doc);
    const cJSON *key = root->child;
    for (size_t i = 0; keys[i]; i++, key = key->next)
        assert_string_equal(key ? key->string : "(end)", keys[i]);
    assert_null(key);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "models")), 12);
    /* the 13 shipped items, two of them (ids 1 and 2) replaced by the merge document */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "library")), 13);
    /* the big account sorts after 7 and 8, and is printed exactly */
    testutil_assert_contains(doc, "\"account_id\":9000000000,\"operation\":\"image_generation\"");
    /* models as their JSON view, without the read-only integration */
    assert_null(get_path(root, "$.models[0].integration"));
    assert_non_null(get_path(root, "$.models[0].input_cost_per_1k"));
    /* library fields nested, not a JSON string; a copy's based_on too */
    assert_true(cJSON_IsObject(get_path(root, "$.library[0].structure_template")));
    assert_true(cJSON_IsObject(get_path(root, "$.account_library[0].based_on")));
    /* every version with the published pointer moved back by the rollback */
    assert_int_equal(cJSON_GetArraySize(get_path(root, "$.prompts[0].versions")), 3);
    assert_int_equal(get_path(root, "$.prompts[0].published_version")->valueint, 2);
    assert_null(get_path(root, "$.prompts[0].versions[0].variables"));
    /* plans and fallbacks: groups by name with sorted models, chains in their order, the
     * platform's first (account_id null), an account's empty chain, ceilings null or set */
    testutil_assert_contains(doc, "\"access_groups\":[{\"name\":\"pro\",\"description\":null,\"models\":["
                             "\"claude-3-5-sonnet-20241022\",\"dall-e-2\",\"dall-e-3\",\"gpt-4o\",\"gpt-4o-mini\"],"
                             "\"updated_at\":\"");
    testutil_assert_contains(doc, "{\"name\":\"trial\",\"description\":\"Nothing yet\",\"models\":[],"
                             "\"updated_at\":\"");
    testutil_assert_contains(doc, "\"fallback_chains\":[{\"account_id\":null,\"operation\":\"content_generation\","
                             "\"models\":[\"gpt-4o\",\"claude-3-5-haiku-20241022\"],\"updated_at\":\"");
    testutil_assert_contains(doc, "{\"account_id\":7,\"operation\":\"content_generation\",\"models\":[],"
                             "\"updated_at\":\"");
    assert_string_equal(get_path(root, "$.fallback_chains[3].models[1]")->valuestring, "gpt-4.1-mini");
    testutil_assert_contains(doc, "{\"account_id\":9000000000,\"operation\":\"ideas\",\"models\":[\"gpt-4o\","
                             "\"gpt-4o-mini\"],\"updated_at\":\"");
    assert_int_equal(array_size(doc, "$.fallback_chains"), 5);
    testutil_assert_contains(doc, "\"account_access\":[{\"account_id\":7,\"group\":\"starter\","
                             "\"max_cost_per_1k_tokens\":0.005,\"max_cost_per_image\":null,\"updated_at\":\"");
    testutil_assert_contains(doc, "{\"account_id\":9000000000,\"group\":\"pro\",\"max_cost_per_1k_tokens\":null,"
                             "\"max_cost_per_image\":0.03,\"updated_at\":\"");
    testutil_assert_contains(doc, "\"account_model_access\":[{\"account_id\":7,\"model\":"
                             "\"claude-3-5-haiku-20241022\",\"allowed\":false,\"updated_at\":\"");
    assert_int_equal(array_size(doc, "$.account_access"), 3);  /* account 8's: the header of its rule */
    testutil_assert_contains(doc, "{\"account_id\":8,\"group\":null,\"max_cost_per_1k_tokens\":null,"
                             "\"max_cost_per_image\":null,\"updated_at\":\"");
    assert_int_equal(array_size(doc, "$.account_model_access"), 3);
    cJSON_Delete(root);
    free(doc);
    igny8_store_close(st);
}

static void test_transfer__keys_are_absent_from_a_default_export(void **state)
{
    igny8_store *st = *state;
    make_rich(st);
    char *j = NULL;
    char *doc = testutil_take(igny8_store_export_json(st, NULL, &j), &j);
    testutil_assert_not_contains(doc, "FAKE");
    testutil_assert_not_contains(doc, "api_key");
    free(doc);
    doc = export_doc(st, 0);
    testutil_assert_not_contains(doc, "FAKE");
    free(doc);
}

static void test_transfer__keys_travel_when_asked(void **state)
{
    igny8_store *st = *state, *copy = testutil_store(0);
    igny8_resolution *r = NULL;
    make_rich(st);
    char *doc = export_doc(st, IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS);
    testutil_assert_contains(doc, "\"api_key\":\"" ACCOUNT_KEY "\"");
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_REPLACE));
    assert_igny8_ok(igny8_get_model_for_operation(copy, 7, "ideas", NULL, &r));
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_ACCOUNT);
    assert_string_equal(igny8_resolution_api_key(r), ACCOUNT_KEY);
    igny8_resolution_free(r);
    assert_igny8_ok(igny8_get_model_for_operation(copy, 55, "ideas", NULL, &r));
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_GLOBAL);
    assert_string_equal(igny8_resolution_api_key(r), GLOBAL_KEY);
    igny8_resolution_free(r);
    free(doc);
    igny8_store_close(copy);
}

/* A merge without keys keeps the store's keys; a replace without keys has none. */
static void test_transfer__a_document_without_keys_keeps_them_only_in_a_merge(void **state)
{
    igny8_store *st = *state;
    igny8_resolution *r = NULL;
    make_rich(st);
    char *doc = export_doc(st, 0);
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_MERGE));
    assert_igny8_ok(igny8_get_model_for_operation(st, 7, "ideas", NULL, &r));
    assert_string_equal(igny8_resolution_api_key(r), ACCOUNT_KEY);
    igny8_resolution_free(r);
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_REPLACE));
    assert_igny8_ok(igny8_get_model_for_operation(st, 7, "ideas", NULL, &r));
    assert_int_equal(igny8_resolution_api_key_source(r), IGNY8_KEY_NONE);
    assert_null(igny8_resolution_api_key(r));
    igny8_resolution_free(r);
    char *after = export_doc(st, 0);
    assert_string_equal(doc, after);
    free(after);
    free(doc);
}

struct breakage {
    const char *parent, *key, *value;  /* parent.key = value (NULL: removed) */
    int code;
    const char *field;
};

static const struct breakage breakages[] = {
    /* a bad type deep inside */
    { "$.prompts[1].versions[0]", "message", "42", IGNY8_EINVAL, "$.prompts[1].versions[0].message" },
    { "$.models[3]", "input_cost_per_1k", "-0.5", IGNY8_EINVAL, "$.models[3].input_cost_per_1k" },
    { "$.account_operation_models[0]", "model", "\"no-such-model\"", IGNY8_EINVAL,
      "$.account_operation_models[0].model" },
    { "$.prompts[0].versions[0]", "value", "\"Cluster {keywords\"", IGNY8_EINVAL, "$.prompts[0].versions[0].value" },
    { "$.prompts[0]", "published_version", "99", IGNY8_EINVAL, "$.prompts[0].published_version" },
    { "$", "format_version", "3", IGNY8_EVERSION, "$.format_version" },
    { "$", "format_version", "0", IGNY8_EINVAL, "$.format_version" },
    { "$", "format_version", "1.5", IGNY8_EINVAL, "$.format_version" },
    { "$", "format", "\"igny8defaults\"", IGNY8_EINVAL, "$.format" },
    { "$", "format", NULL, IGNY8_EINVAL, "$.format" },
    /* a reference only the store's foreign key catches: the row is named */
    { "$.account_modules[0]", "module", "\"no_such_module\"", IGNY8_EINVAL, "$.account_modules[0]" },
    { "$.account_prompts[0]", "prompt_type", "\"no_such_type\"", IGNY8_EINVAL, "$.account_prompts[0]" },
    { "$.account_integrations[0]", "temperature", "3.5", IGNY8_EINVAL, "$.account_integrations[0].temperature" },
    { "$.account_integrations[0]", "max_tokens", "999999", IGNY8_EINVAL, "$.account_integrations[0].max_tokens" },
    { "$.account_integrations[0]", "size", "\"1024x1024\"", IGNY8_EINVAL, "$.account_integrations[0].size" },
    { "$.account_integrations[0]", "model", "\"dall-e-3\"", IGNY8_EINVAL, "$.account_integrations[0].model" },
    { "$.account_integrations[0]", "account_id", "0", IGNY8_EINVAL, "$.account_integrations[0].account_id" },
    { "$.integrations[0]", "default_model", "\"gpt-4o\"", IGNY8_EINVAL, "$.integrations[0].default_model" },
    { "$.integrations[1]", "quality", "\"ultra\"", IGNY8_EINVAL, "$.integrations[1].quality" },
    { "$.integrations[0]", "api_key", "\"short\"", IGNY8_EINVAL, "$.integrations[0].api_key" },
    { "$.providers[0]", "display_name", NULL, IGNY8_EINVAL, "$.providers[0].display_name" },
    { "$.providers[0]", "colour", "\"blue\"", IGNY8_EINVAL, "$.providers[0].colour" },
    { "$.models[0]", "provider", "\"mistral\"", IGNY8_EINVAL, "$.models[0].provider" },
    /* a second default: the later row of the two is named */
    { "$.models[0]", "is_default", "true", IGNY8_EEXISTS, "$.models[9].is_default" },
    { "$.global_settings", "text_provider", "\"dalle\"", IGNY8_EINVAL, "$.global_settings.text_provider" },
    { "$.modules[0]", "name", "\"Not A Module\"", IGNY8_EINVAL, "$.modules[0].name" },
    { "$.modules[1]", "name", "\"automation\"", IGNY8_EINVAL, "$.modules[1]" },  /* a duplicate */
    { "$.prompts[0].versions[1]", "version", "1", IGNY8_EINVAL, "$.prompts[0].versions[1].version" },
    { "$.prompts[0].versions[1]", "author", "\"\"", IGNY8_EINVAL, "$.prompts[0].versions[1].author" },
    { "$.account_prompts[0]", "value", "\"{oops\"", IGNY8_EINVAL, "$.account_prompts[0].value" },
    /* found after the rest of the document is written: the whole import still rolls back */
    { "$.account_library[0]", "source_id", "99", IGNY8_EINVAL, "$.account_library[0].source_id" },
    { "$.account_library[1]", "source_id", "1", IGNY8_EINVAL, "$.account_library[1].source_id" },
    { "$.library[1]", "kind", "\"playbook\"", IGNY8_EINVAL, "$.library[1].kind" },
    { "$.library[1]", "id", "1", IGNY8_EINVAL, "$.library[1]" },
    { "$", "settings", "[]", IGNY8_EINVAL, "$.settings" },
    /* plans and fallbacks (the rich store's: groups pro, starter, trial; chains: the
     * platform's content_generation and image_generation, account 7's content_generation
     * (empty) and ideas; access rows of 7 and the big account; rules of 7 (2) and 8) */
    { "$.access_groups[0]", "models", "[\"gpt-4o\",\"no-such-model\"]", IGNY8_EINVAL, "$.access_groups[0].models[1]" },
    { "$.access_groups[1]", "models", "[\"gpt-4o\",\"dall-e-2\",\"gpt-4o\"]", IGNY8_EINVAL,
      "$.access_groups[1].models[2]" },
    { "$.access_groups[0]", "models", "[\"gpt-4o\",7]", IGNY8_EINVAL, "$.access_groups[0].models[1]" },
    { "$.access_groups[0]", "models", "[\"gpt-4o\",\"\"]", IGNY8_EINVAL, "$.access_groups[0].models[1]" },
    { "$.access_groups[0]", "models", "\"gpt-4o\"", IGNY8_EINVAL, "$.access_groups[0].models" },
    { "$.access_groups[0]", "models", NULL, IGNY8_EINVAL, "$.access_groups[0].models" },
    { "$.access_groups[0]", "name", "\"no spaces\"", IGNY8_EINVAL, "$.access_groups[0].name" },
    { "$.access_groups[1]", "name", "\"pro\"", IGNY8_EINVAL, "$.access_groups[1]" },  /* a duplicate */
    { "$.access_groups[2]", "accounts", "0", IGNY8_EINVAL, "$.access_groups[2].accounts" },
    { "$.access_groups[2]", "updated_by", NULL, IGNY8_EINVAL, "$.access_groups[2].updated_by" },
    { "$.fallback_chains[1]", "operation", "\"no_such_operation\"", IGNY8_EINVAL, "$.fallback_chains[1].operation" },
    { "$.fallback_chains[0]", "models", "[\"gpt-4o\",\"dall-e-2\"]", IGNY8_EINVAL, "$.fallback_chains[0].models[1]" },
    { "$.fallback_chains[3]", "models", "[\"gpt-4o-mini\",\"gpt-4.1-mini\",\"gpt-4o-mini\"]", IGNY8_EINVAL,
      "$.fallback_chains[3].models[2]" },
    { "$.fallback_chains[3]", "models", "[\"gpt-4o-mini\",\"gpt-5\"]", IGNY8_EINVAL, "$.fallback_chains[3].models[1]" },
    { "$.fallback_chains[0]", "models", "[\"gpt-4o\",\"gpt-4o-mini\",\"gpt-4.1\",\"gpt-4.1-mini\","
      "\"gpt-4-turbo-preview\",\"claude-3-sonnet\",\"claude-3-5-sonnet-20241022\",\"claude-3-5-haiku-20241022\","
      "\"gpt-4o\"]", IGNY8_EINVAL, "$.fallback_chains[0].models" },  /* nine: more than IGNY8_FALLBACK_CHAIN_MAX */
    { "$.fallback_chains[0]", "models", "[]", IGNY8_EINVAL, "$.fallback_chains[0].models" },  /* the platform's */
    { "$.fallback_chains[2]", "account_id", NULL, IGNY8_EINVAL, "$.fallback_chains[2].account_id" },
    { "$.fallback_chains[2]", "account_id", "0", IGNY8_EINVAL, "$.fallback_chains[2].account_id" },
    { "$.fallback_chains[2]", "operation", "\"ideas\"", IGNY8_EINVAL, "$.fallback_chains[3]" },  /* a duplicate */
    { "$.account_access[0]", "group", "\"platinum\"", IGNY8_EINVAL, "$.account_access[0].group" },
    { "$.account_access[0]", "group", "\"bad name!\"", IGNY8_EINVAL, "$.account_access[0].group" },
    { "$.account_access[0]", "max_cost_per_1k_tokens", "-0.01", IGNY8_EINVAL,
      "$.account_access[0].max_cost_per_1k_tokens" },
    { "$.account_access[1]", "max_cost_per_image", "1000000.5", IGNY8_EINVAL,
      "$.account_access[1].max_cost_per_image" },
    { "$.account_access[1]", "max_cost_per_image", "\"0.03\"", IGNY8_EINVAL, "$.account_access[1].max_cost_per_image" },
    { "$.account_access[0]", "additions", "[]", IGNY8_EINVAL, "$.account_access[0].additions" },
    { "$.account_access[1]", "account_id", "7", IGNY8_EINVAL, "$.account_access[1]" },  /* a duplicate */
    { "$.account_model_access[1]", "allowed", "1", IGNY8_EINVAL, "$.account_model_access[1].allowed" },
    { "$.account_model_access[2]", "model", "\"no-such-model\"", IGNY8_EINVAL, "$.account_model_access[2].model" },
    { "$.account_model_access[1]", "model", "\"claude-3-5-haiku-20241022\"", IGNY8_EINVAL,
      "$.account_model_access[1]" },  /* a duplicate */
    /* a version 1 document has no plans and fallbacks: the first section of version 2 is named */
    { "$", "format_version", "1", IGNY8_EINVAL, "$.access_groups" },
};

static void test_transfer__a_broken_document_changes_nothing(void **state)
{
    igny8_store *st = *state;
    make_rich(st);
    char *before = export_doc(st, IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS);
    int entries = testutil_audit_count(st);
    for (size_t i = 0; i < sizeof(breakages) / sizeof(breakages[0]); i++) {
        const struct breakage *b = &breakages[i];
        char *doc = mutated(before, b->parent, b->key, b->value);
        for (int mode = IGNY8_IMPORT_MERGE; mode <= IGNY8_IMPORT_REPLACE; mode++) {
            int rc = import_doc(st, doc, mode);
            if (rc != b->code || strcmp(igny8_error_last()->field ? igny8_error_last()->field : "", b->field) != 0)
                fail_msg("breakage %zu (%s.%s, mode %d): %d field '%s' (%s), expected %d '%s'", i, b->parent, b->key,
                         mode, rc, igny8_error_last()->field, igny8_error_last()->message, b->code, b->field);
            testutil_assert_not_contains(igny8_error_last()->message, "FAKE");
            char *after = export_doc(st, IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS);
            assert_string_equal(before, after);
            free(after);
            assert_int_equal(testutil_audit_count(st), entries);
        }
        cJSON_free(doc);
    }
    free(before);
}

static void test_transfer__bad_arguments_are_refused(void **state)
{
    igny8_store *st = *state;
    igny8_import_options o = IGNY8_IMPORT_OPTIONS_INIT;
    igny8_export_options e = IGNY8_EXPORT_OPTIONS_INIT;
    char *j = NULL;
    o.mode = 5;
    assert_igny8_fails(IGNY8_EINVAL, "mode", igny8_store_import_json(st, "x", "{}", &o));
    assert_igny8_fails(IGNY8_EINVAL, "json", import_doc(st, NULL, IGNY8_IMPORT_MERGE));
    assert_igny8_fails(IGNY8_EINVAL, "json", import_doc(st, "[1]", IGNY8_IMPORT_MERGE));
    assert_igny8_fails(IGNY8_EINVAL, "json", import_doc(st, "{\"format\":", IGNY8_IMPORT_MERGE));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_store_import_json(st, "", "{}", NULL));
    e.flags = 0x10;
    assert_igny8_fails(IGNY8_EINVAL, "flags", igny8_store_export_json(st, &e, &j));
    assert_null(j);
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_store_export_json(st, NULL, NULL));
}

static void test_transfer__merge_keeps_other_rows_and_replace_removes_them(void **state)
{
    igny8_store *st = *state, *other = testutil_store(1);
    char *j = NULL;
    make_rich(st);
    assert_igny8_ok(igny8_integration_put_json(other, "dave", 99, "anthropic", "{\"temperature\":0.1}", NULL));
    assert_igny8_ok(igny8_module_add(other, "admin", "reports", "Monthly reports", 1));
    char *doc = export_doc(other, 0);
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_MERGE));
    char *view = testutil_take(igny8_integration_get_json(st, 99, "anthropic", &j), &j);
    testutil_assert_contains(view, "\"temperature\":0.1");
    free(view);
    view = testutil_take(igny8_integration_get_json(st, 7, "openai", &j), &j);
    testutil_assert_contains(view, "\"model\":\"gpt-4o\"");  /* account 7 stays */
    free(view);
    /* the document's rows replaced the store's: the module "linker" is enabled again */
    view = testutil_take(igny8_module_list_json(st, 0, &j), &j);
    testutil_assert_contains(view, "\"name\":\"reports\"");
    free(view);
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_REPLACE));
    char *now = export_doc(st, 0);
    assert_string_equal(now, doc);  /* exactly the document: account 7 and the library are gone */
    testutil_assert_not_contains(now, "\"account_id\":7,");
    free(now);
    free(doc);
    igny8_store_close(other);
}

static void test_transfer__merge_refuses_a_changed_prompt_version(void **state)
{
    igny8_store *st = *state;
    make_rich(st);
    char *doc = export_doc(st, 0);
    int entries = testutil_audit_count(st);
    /* the same document merges cleanly: identical versions are skipped */
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_MERGE));
    char *again = export_doc(st, 0);
    assert_string_equal(doc, again);
    free(again);
    assert_int_equal(testutil_audit_count(st), entries + 1);
    char *changed = mutated(doc, "$.prompts[0].versions[0]", "value", "\"Cluster {keywords} differently\"");
    char *before = export_doc(st, 0);
    assert_igny8_fails(IGNY8_EEXISTS, "$.prompts[0].versions[0]", import_doc(st, changed, IGNY8_IMPORT_MERGE));
    char *after = export_doc(st, 0);
    assert_string_equal(before, after);
    /* a replace is no merge: the store becomes the changed document */
    assert_igny8_ok(import_doc(st, changed, IGNY8_IMPORT_REPLACE));
    igny8_prompt *p = NULL;
    assert_igny8_ok(igny8_prompt_get(st, "clustering", 1, &p));
    assert_string_equal(igny8_prompt_value(p), "Cluster {keywords} differently");
    assert_string_equal(igny8_prompt_variables_json(p), "[\"keywords\"]");  /* recomputed */
    igny8_prompt_free(p);
    free(before);
    free(after);
    cJSON_free(changed);
    free(doc);
}

static void test_transfer__an_imported_store_resolves(void **state)
{
    igny8_store *st = *state, *copy = testutil_store(0);
    igny8_resolution *r = NULL;
    make_rich(st);
    char *doc = export_doc(st, 0);
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_MERGE));
    assert_igny8_ok(igny8_get_model_for_operation(copy, 7, "clustering", NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o-mini");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_ACCOUNT_OPERATION);
    assert_int_equal(igny8_resolution_max_tokens(r), 4096);
    igny8_resolution_free(r);
    assert_igny8_ok(igny8_get_model_for_operation(copy, 8, "content_generation", NULL, &r));
    assert_string_equal(igny8_resolution_provider(r), "anthropic");
    assert_int_equal(igny8_resolution_source(r), IGNY8_SOURCE_GLOBAL_DEFAULT);
    igny8_resolution_free(r);
    assert_igny8_ok(igny8_get_model_for_operation(copy, 1, "image_generation", NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "dall-e-3");
    igny8_resolution_free(r);
    char *text = NULL;
    assert_igny8_ok(igny8_prompt_render(copy, 7, "ideas", "{\"topic\":\"tea\"}", &text));
    assert_string_equal(text, "Ideas for tea, our way");
    igny8_free(text);
    free(doc);
    igny8_store_close(copy);
}

static void test_transfer__an_import_is_one_audit_entry_without_keys(void **state)
{
    igny8_store *st = *state, *copy = testutil_store(0);
    make_rich(st);
    char *doc = export_doc(st, IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS);
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_REPLACE));
    assert_int_equal(testutil_audit_count(copy), 1);
    cJSON *e = last_import_entry(copy);
    assert_string_equal(cJSON_GetObjectItem(e, "action")->valuestring, "import_replace");
    assert_string_equal(cJSON_GetObjectItem(e, "key")->valuestring, "import");
    assert_string_equal(cJSON_GetObjectItem(e, "actor")->valuestring, "importer");
    cJSON *after = cJSON_GetObjectItem(e, "after");
    assert_int_equal(cJSON_GetObjectItem(after, "models")->valueint, 12);
    assert_int_equal(cJSON_GetObjectItem(after, "prompt_versions")->valueint, 13);
    assert_int_equal(cJSON_GetObjectItem(after, "account_library")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(after, "access_groups")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(after, "fallback_chains")->valueint, 5);
    assert_int_equal(cJSON_GetObjectItem(after, "account_access")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(after, "account_model_access")->valueint, 3);
    char *text = cJSON_PrintUnformatted(e);
    testutil_assert_not_contains(text, "FAKE");
    cJSON_free(text);
    cJSON_Delete(e);
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_MERGE));
    e = last_import_entry(copy);
    assert_string_equal(cJSON_GetObjectItem(e, "action")->valuestring, "import_merge");
    cJSON_Delete(e);
    free(doc);
    igny8_store_close(copy);
}

/* A replace empties prompt_version past its triggers: they hold again after it. */
static void test_transfer__prompt_versions_stay_immutable_after_a_replace(void **state)
{
    igny8_store *st = *state, *copy = NULL;
    testutil_place place;
    char err[512];
    make_rich(st);
    char *doc = export_doc(st, 0);
    testutil_place_new(&place);
    assert_igny8_ok(testutil_place_open(&place, NULL, &copy));
    assert_igny8_ok(igny8_defaults_load(copy, "test", NULL));
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_REPLACE));
    igny8_store_close(copy);
    assert_int_not_equal(testutil_sql(&place, "UPDATE prompt_version SET value = 'x'", err, sizeof(err)), 0);
    testutil_assert_contains(err, "immutable");
    assert_int_not_equal(testutil_sql(&place, "DELETE FROM prompt_version", err, sizeof(err)), 0);
    testutil_assert_contains(err, "never deleted");
    testutil_place_free(&place);
    free(doc);
}

/* A merge document may hold a few rows: its references are looked up in the store too.
 * A replace has nothing but the document. */
static void test_transfer__a_partial_document_merges_against_the_store(void **state)
{
    igny8_store *st = *state;
    igny8_model *m = NULL;
    static const char partial[] =
        "{\"format\":\"igny8settings\",\"format_version\":1,\"models\":[{\"model_name\":\"gpt-5-nano\","
        "\"provider\":\"openai\",\"model_type\":\"text\",\"input_cost_per_1k\":0.00005,"
        "\"output_cost_per_1k\":0.0004,\"tokens_per_credit\":4000,\"max_output_tokens\":8192,"
        "\"updated_at\":\"2026-11-25T12:00:00.000Z\",\"updated_by\":\"ops\"}],"
        "\"account_operation_models\":[{\"account_id\":5,\"operation\":\"ideas\",\"model\":\"gpt-5-nano\","
        "\"updated_at\":\"2026-11-25T12:00:00.000Z\",\"updated_by\":\"ops\"}]}";
    char *before = export_doc(st, 0);
    assert_igny8_fails(IGNY8_EINVAL, "$.models[0].provider", import_doc(st, partial, IGNY8_IMPORT_REPLACE));
    char *after = export_doc(st, 0);
    assert_string_equal(before, after);
    free(after);
    assert_igny8_ok(import_doc(st, partial, IGNY8_IMPORT_MERGE));
    assert_igny8_ok(igny8_model_get(st, "gpt-5-nano", &m));
    assert_string_equal(igny8_model_integration(m), "openai");
    assert_string_equal(igny8_model_updated_by(m), "ops");
    igny8_model_free(m);
    /* the store's default text model is not in the document: a second default is refused */
    char *defaulted = mutated(partial, "$.models[0]", "is_default", "true");
    assert_igny8_fails(IGNY8_EEXISTS, "$.models[0].is_default", import_doc(st, defaulted, IGNY8_IMPORT_MERGE));
    cJSON_free(defaulted);
    free(before);
}

/* An empty store exports the empty sections, and that document imports anywhere. */
static void test_transfer__an_empty_store_round_trips(void **state)
{
    (void)state;
    igny8_store *empty = testutil_store(0), *other = testutil_store(0);
    char *doc = export_doc(empty, 0);
    assert_int_equal(array_size(doc, "$.models"), 0);
    assert_igny8_ok(import_doc(other, doc, IGNY8_IMPORT_REPLACE));
    char *again = export_doc(other, 0);
    assert_string_equal(doc, again);
    free(again);
    free(doc);
    igny8_store_close(empty);
    igny8_store_close(other);
}

/* ---- plans and fallbacks ---- */

/* The document without its version 2 sections, as format_version 1 (cJSON_free it). */
static char *as_version_1(const char *doc)
{
    static const char *const added[] = { "access_groups", "fallback_chains", "account_access", "account_model_access" };
    cJSON *root = cJSON_Parse(doc);
    for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++) {
        assert_non_null(cJSON_GetObjectItem(root, added[i]));
        cJSON_DeleteItemFromObjectCaseSensitive(root, added[i]);
    }
    cJSON_ReplaceItemInObjectCaseSensitive(root, "format_version", cJSON_CreateNumber(1));
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

/* A document of 1.0 to 1.2 (format_version 1, no plans and fallbacks) imports as it did:
 * a merge keeps the store's plans, a replace leaves none. */
static void test_transfer__a_version_1_document_still_imports(void **state)
{
    igny8_store *st = *state, *copy = testutil_store(0);
    make_rich(st);
    char *doc = export_doc(st, 0), *v1 = as_version_1(doc);
    testutil_assert_contains(v1, "{\"format\":\"igny8settings\",\"format_version\":1,\"providers\":[");
    assert_igny8_ok(import_doc(st, v1, IGNY8_IMPORT_MERGE));
    char *merged = export_doc(st, 0);
    assert_string_equal(merged, doc);
    assert_igny8_ok(import_doc(copy, v1, IGNY8_IMPORT_REPLACE));
    char *copied = export_doc(copy, 0), *copied_v1 = as_version_1(copied);
    assert_string_equal(copied_v1, v1);
    assert_int_equal(array_size(copied, "$.access_groups"), 0);
    assert_int_equal(array_size(copied, "$.fallback_chains"), 0);
    cJSON *e = last_import_entry(copy);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "after"), "access_groups"));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "after"), "models")->valueint, 12);
    cJSON_Delete(e);
    assert_igny8_ok(import_doc(st, v1, IGNY8_IMPORT_REPLACE));  /* the rich store's plans go */
    char *replaced = export_doc(st, 0);
    assert_string_equal(replaced, copied);
    free(replaced);
    cJSON_free(copied_v1);
    free(copied);
    free(merged);
    cJSON_free(v1);
    free(doc);
    igny8_store_close(copy);
}

/* A view of the store, for the checks below (the caller frees). */
static char *group_view(igny8_store *st, const char *name)
{
    char *j = NULL;
    return testutil_take(igny8_access_group_get_json(st, name, &j), &j);
}

/* A merge replaces a group with its models, an account's access row, one model rule and
 * one chain, each whole, and keeps the store's others; a replace keeps none of them. */
static void test_transfer__plans_merge_row_by_row_and_replace_whole(void **state)
{
    igny8_store *st = *state, *other = testutil_store(1);
    static const char *const starter[] = { "gpt-4o" };
    char *j = NULL;
    make_rich(st);
    assert_igny8_ok(igny8_access_group_set(other, "ops", "starter", "Now with gpt-4o", starter, 1));
    assert_igny8_ok(igny8_access_group_set(other, "ops", "enterprise", NULL, NULL, 0));
    assert_igny8_ok(igny8_account_access_put_json(other, "dave", 7, "{\"group\":\"enterprise\",\"additions\":"
                                                  "[\"gpt-4o\"]}", NULL));
    assert_igny8_ok(igny8_fallback_chains_put_json(other, "ops", 0, "{\"content_generation\":"
                                                   "[\"claude-3-5-sonnet-20241022\"]}", NULL));
    char *doc = export_doc(other, 0);
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_MERGE));
    char *view = group_view(st, "starter");
    testutil_assert_contains(view, "\"description\":\"Now with gpt-4o\",\"models\":[\"gpt-4o\"]");
    free(view);
    free(group_view(st, "pro"));  /* kept */
    free(group_view(st, "enterprise"));
    view = testutil_take(igny8_account_access_get_json(st, 7, &j), &j);
    testutil_assert_contains(view, "\"group\":\"enterprise\",\"additions\":[\"gpt-4.1-mini\",\"gpt-4o\"],"
                             "\"removals\":[\"claude-3-5-haiku-20241022\"],\"max_cost_per_1k_tokens\":null,"
                             "\"max_cost_per_image\":null,\"fallbacks\":{\"content_generation\":[],"
                             "\"ideas\":[\"gpt-4o-mini\",\"gpt-4.1-mini\"]}");
    free(view);
    view = testutil_take(igny8_fallback_chains_get_json(st, 0, &j), &j);
    assert_string_equal(view, "{\"content_generation\":[\"claude-3-5-sonnet-20241022\"],"
                              "\"image_generation\":[\"dall-e-2\",\"runware:100@1\"]}");
    free(view);
    assert_igny8_ok(import_doc(st, doc, IGNY8_IMPORT_REPLACE));
    char *now = export_doc(st, 0);
    assert_string_equal(now, doc);
    assert_igny8_fails(IGNY8_ENOTFOUND, "name", igny8_access_group_get_json(st, "pro", &j));
    view = testutil_take(igny8_fallback_chains_get_json(st, 7, &j), &j);
    assert_string_equal(view, "{}");
    free(view);
    free(now);
    free(doc);
    igny8_store_close(other);
}

/* A merge document's plans may name the store's groups, operations and models (a replace
 * has only the document). Chains and groups of models that are inactive, or that the
 * account's plan does not allow, are taken: a store holds them after later changes, and
 * its export imports again. */
static void test_transfer__plans_in_a_partial_document_refer_to_the_store(void **state)
{
    igny8_store *st = *state, *copy = testutil_store(0);
    char *j = NULL;
    static const char partial[] =
        "{\"format\":\"igny8settings\",\"format_version\":2,\"fallback_chains\":["
        "{\"account_id\":null,\"operation\":\"ideas\",\"models\":[\"gpt-4.1\"],"
        "\"updated_at\":\"2026-11-25T12:00:00.000Z\",\"updated_by\":\"ops\"},"
        "{\"account_id\":8,\"operation\":\"image_generation\",\"models\":[\"runware:101@1\",\"dall-e-3\"],"
        "\"updated_at\":\"2026-11-25T12:00:00.000Z\",\"updated_by\":\"ops\"}],"
        "\"account_access\":[{\"account_id\":8,\"group\":\"trial\",\"max_cost_per_1k_tokens\":null,"
        "\"max_cost_per_image\":0.001,\"updated_at\":\"2026-11-25T12:00:00.000Z\",\"updated_by\":\"ops\"}]}";
    make_rich(st);
    assert_igny8_ok(igny8_model_set_active(st, "ops", "gpt-4.1", 0));
    char *before = export_doc(st, 0);
    assert_igny8_fails(IGNY8_EINVAL, "$.fallback_chains[0].operation", import_doc(st, partial, IGNY8_IMPORT_REPLACE));
    char *after = export_doc(st, 0);
    assert_string_equal(before, after);
    assert_igny8_ok(import_doc(st, partial, IGNY8_IMPORT_MERGE));
    char *view = testutil_take(igny8_fallback_chains_get_json(st, 8, &j), &j);
    assert_string_equal(view, "{\"image_generation\":[\"runware:101@1\",\"dall-e-3\"]}");
    free(view);
    view = testutil_take(igny8_fallback_chains_get_json(st, 0, &j), &j);
    testutil_assert_contains(view, "\"ideas\":[\"gpt-4.1\"]");
    free(view);
    char *doc = export_doc(st, 0);
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_REPLACE));
    char *again = export_doc(copy, 0);
    assert_string_equal(doc, again);
    free(again);
    free(doc);
    free(after);
    free(before);
    igny8_store_close(copy);
}

/* The level of a trace by name. */
static const cJSON *trace_level(const cJSON *trace, const char *name)
{
    const cJSON *level;
    cJSON_ArrayForEach(level, cJSON_GetObjectItem(trace, "levels"))
        if (strcmp(cJSON_GetObjectItem(level, "level")->valuestring, name) == 0)
            return level;
    fail_msg("no level %s in the trace", name);
    return NULL;
}

/* Resolve and check the fallbacks: how many, the first's model, and whose chain. */
static void assert_fallbacks(igny8_store *st, int64_t account, const char *operation, size_t n, const char *first,
                             const char *chain)
{
    igny8_resolution *r = NULL;
    assert_igny8_ok(igny8_get_model_for_operation_v2(st, account, operation, NULL, NULL, &r));
    assert_int_equal(igny8_resolution_fallback_count(r), n);
    if (first) {
        assert_string_equal(igny8_resolution_model_name(igny8_resolution_fallback_at(r, 0)), first);
        assert_int_equal(igny8_resolution_source(igny8_resolution_fallback_at(r, 0)), IGNY8_SOURCE_FALLBACK);
    }
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    assert_string_equal(cJSON_GetObjectItem(t, "fallback_chain")->valuestring, chain);
    cJSON_Delete(t);
    igny8_resolution_free(r);
}

/* A store that resolved before the import resolves with the imported plans and chains. */
static void test_transfer__the_resolver_follows_imported_plans_and_chains(void **state)
{
    igny8_store *st = *state, *copy = testutil_store(1);
    igny8_resolution *r = NULL;
    make_rich(st);
    char *doc = export_doc(st, IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS);
    assert_igny8_ok(igny8_get_model_for_operation_v2(copy, 7, "ideas", NULL, NULL, &r));
    assert_int_equal(igny8_resolution_fallback_count(r), 0);
    igny8_resolution_free(r);
    assert_igny8_ok(import_doc(copy, doc, IGNY8_IMPORT_REPLACE));
    /* account 7's own openai model, gpt-4o, is not in its plan (starter) */
    assert_igny8_ok(igny8_get_model_for_operation_v2(copy, 7, "ideas", NULL, NULL, &r));
    assert_string_equal(igny8_resolution_model_name(r), "gpt-4o-mini");
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    assert_string_equal(cJSON_GetObjectItem(trace_level(t, "account_integration"), "reason")->valuestring,
                        "not_allowed");
    cJSON_Delete(t);
    igny8_resolution_free(r);
    assert_fallbacks(copy, 7, "ideas", 1, "gpt-4.1-mini", "account");  /* its chain, after its model */
    assert_fallbacks(copy, 7, "content_generation", 0, NULL, "account");  /* its empty chain */
    assert_fallbacks(copy, 55, "content_generation", 1, "gpt-4o", "platform");  /* claude: no key */
    assert_igny8_fails(IGNY8_EINVAL, "model", igny8_get_model_for_operation_v2(copy, BIG_ACCOUNT, "image_generation",
                                                                              "dall-e-3", NULL, &r));
    assert_null(r);
    free(doc);
    igny8_store_close(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer__options_init_checks_the_version),
        cmocka_unit_test(test_transfer__round_trip_is_byte_identical),
        cmocka_unit_test(test_transfer__the_document_has_every_section_in_key_order),
        cmocka_unit_test_setup_teardown(test_transfer__keys_are_absent_from_a_default_export, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__keys_travel_when_asked, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__a_document_without_keys_keeps_them_only_in_a_merge,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__a_broken_document_changes_nothing, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__bad_arguments_are_refused, testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__merge_keeps_other_rows_and_replace_removes_them,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__merge_refuses_a_changed_prompt_version, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__an_imported_store_resolves, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__an_import_is_one_audit_entry_without_keys, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__prompt_versions_stay_immutable_after_a_replace,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__a_partial_document_merges_against_the_store,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test(test_transfer__an_empty_store_round_trips),
        cmocka_unit_test_setup_teardown(test_transfer__a_version_1_document_still_imports, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__plans_merge_row_by_row_and_replace_whole, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__plans_in_a_partial_document_refer_to_the_store,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test_setup_teardown(test_transfer__the_resolver_follows_imported_plans_and_chains,
                                        testutil_setup, testutil_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
