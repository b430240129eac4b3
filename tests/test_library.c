/* The libraries of author profiles and strategies: validation of every field, create,
 * update and revisions, list filters, activation, the accounts' copies (clone, edit,
 * changed-since, reset, delete, bulk clone), kinds and accounts kept apart, the shipped
 * library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "testutil.h"

#define AP IGNY8_LIBRARY_AUTHOR_PROFILE
#define SG IGNY8_LIBRARY_STRATEGY
#define ACCOUNT 42
#define OTHER 43

static const char *const PROFILE =
    "{\"name\":\"Plain Explainer\",\"category\":\"blog\",\"tone\":\"Plain and calm\","
    "\"structure_template\":{\"sections\":[{\"heading\":\"Intro\",\"word_count\":100},"
    "{\"heading\":\"Body\",\"elements\":[\"paragraph\",\"table\"]}]}}";

static const char *const STRATEGY =
    "{\"name\":\"Simple Post\",\"category\":\"blog\",\"description\":\"One post, one image\","
    "\"prompt_types\":[\"content_generation\",\"image_prompt_template\"],"
    "\"section_logic\":{\"sections\":[{\"name\":\"body\",\"prompt_type\":\"content_generation\","
    "\"required\":true,\"min_words\":300,\"max_words\":900},"
    "{\"name\":\"hero\",\"prompt_type\":\"image_prompt_template\"}]}}";

/* ---- helpers ---- */

static int64_t create(igny8_store *st, int kind, const char *json)
{
    int64_t id = 0;
    assert_igny8_ok(igny8_library_create_json(st, "editor", kind, json, &id));
    assert_true(id > 0);
    return id;
}

static cJSON *parsed(char *owned)
{
    cJSON *j = cJSON_Parse(owned);
    igny8_free(owned);
    assert_non_null(j);
    return j;
}

static cJSON *get_item(igny8_store *st, int kind, int64_t id)
{
    char *j = NULL;
    assert_igny8_ok(igny8_library_get_json(st, kind, id, &j));
    return parsed(j);
}

static cJSON *get_copy(igny8_store *st, int kind, int64_t account, int64_t id)
{
    char *j = NULL;
    assert_igny8_ok(igny8_library_copy_get_json(st, kind, account, id, &j));
    return parsed(j);
}

static char *list_text(igny8_store *st, int kind, const igny8_library_filter *f)
{
    char *j = NULL;
    return testutil_take(igny8_library_list_json(st, kind, f, &j), &j);
}

static cJSON *list(igny8_store *st, int kind, const igny8_library_filter *f)
{
    char *text = list_text(st, kind, f);
    cJSON *j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    return j;
}

static const cJSON *item(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (v == NULL)
        fail_msg("no '%s' in the view", key);
    return v;
}

static int num(const cJSON *j, const char *key) { return (int)item(j, key)->valuedouble; }
static const char *str(const cJSON *j, const char *key) { return cJSON_GetStringValue(item(j, key)); }
static int flag(const cJSON *j, const char *key) { return cJSON_IsTrue(item(j, key)); }

/* The newest audit entry. */
static cJSON *last_audit(igny8_store *st)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    char *j = NULL;
    q.limit = 1;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &j));
    cJSON *all = parsed(j);
    cJSON *e = cJSON_DetachItemFromArray(cJSON_GetObjectItem(all, "entries"), 0);
    cJSON_Delete(all);
    assert_non_null(e);
    return e;
}

static void assert_last_audit(igny8_store *st, const char *entity, const char *key, int64_t account,
                              const char *action)
{
    cJSON *e = last_audit(st);
    assert_string_equal(str(e, "entity"), entity);
    if (key)
        assert_string_equal(str(e, "key"), key);
    assert_string_equal(str(e, "action"), action);
    if (account)
        assert_int_equal(num(e, "account_id"), account);
    else
        assert_true(cJSON_IsNull(item(e, "account_id")));
    cJSON_Delete(e);
}

/* Everything a failed write must leave as it was. */
typedef struct snapshot {
    int audits;
    char *profiles, *strategies, *copies;
} snapshot;

static void take_snapshot(igny8_store *st, snapshot *s)
{
    char *j = NULL;
    s->audits = testutil_audit_count(st);
    s->profiles = list_text(st, AP, NULL);
    s->strategies = list_text(st, SG, NULL);
    assert_igny8_ok(igny8_library_copy_list_json(st, SG, ACCOUNT, &j));
    s->copies = strdup(j);
    igny8_free(j);
}

static void assert_unchanged(igny8_store *st, snapshot *before)
{
    snapshot now;
    take_snapshot(st, &now);
    assert_int_equal(now.audits, before->audits);
    assert_string_equal(now.profiles, before->profiles);
    assert_string_equal(now.strategies, before->strategies);
    assert_string_equal(now.copies, before->copies);
    free(now.profiles);
    free(now.strategies);
    free(now.copies);
    free(before->profiles);
    free(before->strategies);
    free(before->copies);
}

/* The id of the shipped item of a kind named `name`. */
static int64_t shipped(igny8_store *st, int kind, const char *name)
{
    cJSON *all = list(st, kind, NULL), *e;
    int64_t id = 0;
    cJSON_ArrayForEach(e, all)
        if (strcmp(str(e, "name"), name) == 0)
            id = num(e, "id");
    cJSON_Delete(all);
    assert_true(id > 0);
    return id;
}

/* ---- validation ---- */

typedef struct bad_case {
    int kind;
    const char *json;
    const char *field;
} bad_case;

static const bad_case bad_profiles[] = {
    { AP, "{\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "name" },
    { AP, "{\"name\":\"\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "name" },
    { AP, "{\"name\":\"  \",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "name" },
    { AP, "{\"name\":5,\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "name" },
    { AP, "{\"name\":null,\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "name" },
    { AP, "{\"name\":\"n\",\"description\":7,\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "description" },
    { AP, "{\"name\":\"n\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "category" },
    { AP, "{\"name\":\"n\",\"category\":\"cooking\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "category" },
    { AP, "{\"name\":\"n\",\"category\":\"marketing\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "category" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"is_active\":\"yes\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "is_active" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "tone" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "tone" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"e\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "language" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"english\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "language" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"en-\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "language" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"en_US\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "language" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"en-abcdefghi\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "language" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"e1\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "language" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\"}", "structure_template" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":[]}", "structure_template" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{}}", "structure_template.sections" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[]}}", "structure_template.sections" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":{}}}", "structure_template.sections" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"},\"x\"]}}", "structure_template.sections[1]" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"},{\"heading\":\"i\"},{\"word_count\":5}]}}", "structure_template.sections[2].heading" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"},{\"heading\":\"i\"},{\"heading\":\"\"}]}}", "structure_template.sections[2].heading" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"word_count\":0}]}}", "structure_template.sections[0].word_count" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"word_count\":20001}]}}", "structure_template.sections[0].word_count" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"word_count\":1.5}]}}", "structure_template.sections[0].word_count" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"word_count\":\"100\"}]}}", "structure_template.sections[0].word_count" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"elements\":\"paragraph\"}]}}", "structure_template.sections[0].elements" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"elements\":[\"paragraph\",\"video\"]}]}}", "structure_template.sections[0].elements[1]" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"level\":2}]}}", "structure_template.sections[0].level" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}],\"notes\":5}}", "structure_template.notes" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}],\"footer\":\"f\"}}", "structure_template.footer" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]},\"colour\":\"red\"}", "colour" },
    { AP, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]},\"prompt_types\":[\"ideas\"]}", "prompt_types" },
    { AP, "{\"name\":\"n\",\"name\":\"m\",\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", "name" },
};

#define LOGIC(sections) "\"section_logic\":{\"sections\":[" sections "]}"
#define SECTION "{\"name\":\"body\",\"prompt_type\":\"ideas\"}"

static const bad_case bad_strategies[] = {
    { SG, "{\"name\":\"n\",\"category\":\"blog\"," LOGIC(SECTION) "}", "prompt_types" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[]," LOGIC(SECTION) "}", "prompt_types" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":\"ideas\"," LOGIC(SECTION) "}", "prompt_types" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\",\"nope\"]," LOGIC(SECTION) "}", "prompt_types[1]" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\",\"clustering\",\"ideas\"]," LOGIC(SECTION) "}", "prompt_types[2]" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[5]," LOGIC(SECTION) "}", "prompt_types[0]" },
    { SG, "{\"name\":\"n\",\"category\":\"academic\",\"prompt_types\":[\"ideas\"]," LOGIC(SECTION) "}", "category" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]}", "section_logic" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"],\"section_logic\":{\"order\":\"random\",\"sections\":[" SECTION "]}}", "section_logic.order" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"],\"section_logic\":{\"sections\":[" SECTION "],\"mode\":1}}", "section_logic.mode" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("") "}", "section_logic.sections" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"1st\",\"prompt_type\":\"ideas\"}") "}", "section_logic.sections[0].name" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a b\",\"prompt_type\":\"ideas\"}") "}", "section_logic.sections[0].name" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"prompt_type\":\"ideas\"}") "}", "section_logic.sections[0].name" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC(SECTION "," SECTION) "}", "section_logic.sections[1].name" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a\"}") "}", "section_logic.sections[0].prompt_type" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC(SECTION ",{\"name\":\"b\",\"prompt_type\":\"clustering\"}") "}", "section_logic.sections[1].prompt_type" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a\",\"prompt_type\":\"ideas\",\"required\":\"yes\"}") "}", "section_logic.sections[0].required" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a\",\"prompt_type\":\"ideas\",\"min_words\":0}") "}", "section_logic.sections[0].min_words" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a\",\"prompt_type\":\"ideas\",\"max_words\":20001}") "}", "section_logic.sections[0].max_words" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a\",\"prompt_type\":\"ideas\",\"min_words\":300,\"max_words\":100}") "}", "section_logic.sections[0].max_words" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC("{\"name\":\"a\",\"prompt_type\":\"ideas\",\"weight\":1}") "}", "section_logic.sections[0].weight" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\",\"prompt_types\":[\"ideas\"]," LOGIC(SECTION) "}", "tone" },
    { SG, "{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"]," LOGIC(SECTION) ",\"structure_template\":{}}", "structure_template" },
};

static void check_bad_cases(igny8_store *st, const bad_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t id = 77;
        int rc = igny8_library_create_json(st, "editor", cases[i].kind, cases[i].json, &id);
        if (rc != IGNY8_EINVAL || igny8_error_last()->field == NULL ||
            strcmp(igny8_error_last()->field, cases[i].field) != 0)
            fail_msg("case %zu (%s): %d, field '%s' (%s), expected '%s'", i, cases[i].json, rc,
                     igny8_error_last()->field ? igny8_error_last()->field : "(null)", igny8_error_last()->message,
                     cases[i].field);
        assert_int_equal(id, 0);
        /* the message names the field too */
        testutil_assert_contains(igny8_error_last()->message, cases[i].field);
    }
}

static void test_library__every_bad_profile_field_is_named_and_nothing_written(void **state)
{
    igny8_store *st = *state;
    snapshot before;
    take_snapshot(st, &before);
    check_bad_cases(st, bad_profiles, sizeof(bad_profiles) / sizeof(bad_profiles[0]));
    assert_unchanged(st, &before);
}

static void test_library__every_bad_strategy_field_is_named_and_nothing_written(void **state)
{
    igny8_store *st = *state;
    snapshot before;
    take_snapshot(st, &before);
    check_bad_cases(st, bad_strategies, sizeof(bad_strategies) / sizeof(bad_strategies[0]));
    assert_unchanged(st, &before);
}

static void test_library__text_limits_count_characters(void **state)
{
    igny8_store *st = *state;
    char name[1024], json[6000], description[4200];
    /* 200 two-byte characters are fine; 201 are not */
    name[0] = '\0';
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa9");
    snprintf(json, sizeof(json), "{\"name\":\"%s\",\"category\":\"news\",\"tone\":\"t\","
             "\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", name);
    int64_t id = create(st, AP, json);
    cJSON *v = get_item(st, AP, id);
    assert_string_equal(str(v, "name"), name);
    cJSON_Delete(v);
    strcat(name, "e");
    snprintf(json, sizeof(json), "{\"name\":\"%s\"}", name);
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_library_update_json(st, "editor", AP, id, json));
    memset(description, 'd', 4097);
    description[4097] = '\0';
    snprintf(json, sizeof(json), "{\"description\":\"%s\"}", description);
    assert_igny8_fails(IGNY8_EINVAL, "description", igny8_library_update_json(st, "editor", AP, id, json));
    description[4096] = '\0';
    snprintf(json, sizeof(json), "{\"description\":\"%s\"}", description);
    assert_igny8_ok(igny8_library_update_json(st, "editor", AP, id, json));
    /* 51 sections are too many */
    size_t n = (size_t)snprintf(json, sizeof(json), "{\"structure_template\":{\"sections\":[");
    for (int i = 0; i < 51; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{\"heading\":\"h%d\"}", i ? "," : "", i);
    snprintf(json + n, sizeof(json) - n, "]}}");
    assert_igny8_fails(IGNY8_EINVAL, "structure_template.sections", igny8_library_update_json(st, "e", AP, id, json));
}

static void test_library__malformed_json_and_languages(void **state)
{
    igny8_store *st = *state;
    assert_igny8_fails(IGNY8_EINVAL, "json", igny8_library_create_json(st, "editor", AP, "{", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "json", igny8_library_create_json(st, "editor", AP, "[]", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "patch_json", igny8_library_update_json(st, "editor", AP, 1, "nope"));
    const char *good[] = { "en", "pt-BR", "zh-Hant-TW", "deu", "es-419", "sr-Latn-RS" };
    char json[512];
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(json, sizeof(json), "{\"name\":\"Lang %zu\",\"category\":\"blog\",\"tone\":\"t\",\"language\":\"%s\","
                 "\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}", i, good[i]);
        cJSON *v = get_item(st, AP, create(st, AP, json));
        assert_string_equal(str(v, "language"), good[i]);
        cJSON_Delete(v);
    }
}

/* ---- create, update, get ---- */

static void test_library__create_fills_defaults_and_audits(void **state)
{
    igny8_store *st = *state;
    int audits = testutil_audit_count(st);
    int64_t id = create(st, AP, PROFILE);
    cJSON *v = get_item(st, AP, id);
    assert_int_equal(num(v, "id"), id);
    assert_string_equal(str(v, "kind"), "author_profile");
    assert_string_equal(str(v, "name"), "Plain Explainer");
    assert_true(cJSON_IsNull(item(v, "description")));
    assert_string_equal(str(v, "language"), "en");
    assert_true(flag(v, "is_active"));
    assert_int_equal(num(v, "revision"), 1);
    assert_string_equal(str(v, "updated_by"), "editor");
    const cJSON *sections = item(item(v, "structure_template"), "sections");
    assert_int_equal(cJSON_GetArraySize(sections), 2);
    assert_int_equal(num(cJSON_GetArrayItem(sections, 0), "word_count"), 100);
    cJSON_Delete(v);
    assert_int_equal(testutil_audit_count(st), audits + 1);
    char key[64];
    snprintf(key, sizeof(key), "author_profile:%lld", (long long)id);
    assert_last_audit(st, "library_item", key, 0, "create");

    int64_t sid = create(st, SG, STRATEGY);
    v = get_item(st, SG, sid);
    assert_string_equal(str(item(v, "section_logic"), "order"), "fixed");
    assert_string_equal(str(v, "description"), "One post, one image");
    assert_int_equal(cJSON_GetArraySize(item(v, "prompt_types")), 2);
    cJSON_Delete(v);
}

static void test_library__names_are_unique_per_kind(void **state)
{
    igny8_store *st = *state;
    create(st, AP, PROFILE);
    int64_t other = create(st, AP, "{\"name\":\"Other\",\"category\":\"news\",\"tone\":\"t\","
                                   "\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}");
    snapshot before;
    take_snapshot(st, &before);
    int64_t again = 5;
    assert_igny8_fails(IGNY8_EEXISTS, "name", igny8_library_create_json(st, "editor", AP, PROFILE, &again));
    assert_int_equal(again, 0);
    assert_igny8_fails(IGNY8_EEXISTS, "name",
                       igny8_library_update_json(st, "editor", AP, other, "{\"name\":\"Plain Explainer\"}"));
    assert_unchanged(st, &before);
    /* the other kind's library is another namespace */
    create(st, SG, "{\"name\":\"Plain Explainer\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"],"
                   LOGIC(SECTION) "}");
}

static void test_library__update_counts_revisions_and_a_no_op_writes_nothing(void **state)
{
    igny8_store *st = *state;
    int64_t id = create(st, SG, STRATEGY);
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_library_update_json(st, "ed", SG, id, "{\"description\":\"Two images\"}"));
    cJSON *v = get_item(st, SG, id);
    assert_int_equal(num(v, "revision"), 2);
    assert_string_equal(str(v, "description"), "Two images");
    assert_string_equal(str(v, "updated_by"), "ed");
    assert_string_equal(str(v, "name"), "Simple Post");  /* untouched fields stay */
    char *view = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    assert_int_equal(testutil_audit_count(st), audits + 1);
    char key[64];
    snprintf(key, sizeof(key), "strategy:%lld", (long long)id);
    assert_last_audit(st, "library_item", key, 0, "update");
    cJSON *e = last_audit(st);
    assert_string_equal(str(item(e, "before"), "description"), "One post, one image");
    assert_int_equal(num(item(e, "after"), "revision"), 2);
    cJSON_Delete(e);

    /* the same values again, an empty patch, or the view sent back: nothing changes */
    snapshot before;
    take_snapshot(st, &before);
    assert_igny8_ok(igny8_library_update_json(st, "other", SG, id, "{\"description\":\"Two images\"}"));
    assert_igny8_ok(igny8_library_update_json(st, "other", SG, id, "{}"));
    assert_igny8_ok(igny8_library_update_json(st, "other", SG, id, view));
    assert_igny8_ok(igny8_library_update_json(st, "other", SG, id, "{\"section_logic\":{\"order\":\"fixed\","
        "\"sections\":[{\"name\":\"body\",\"prompt_type\":\"content_generation\",\"required\":true,"
        "\"max_words\":900,\"min_words\":300},{\"name\":\"hero\",\"prompt_type\":\"image_prompt_template\"}]}}"));
    assert_unchanged(st, &before);
    cJSON_free(view);

    /* null clears an optional field */
    assert_igny8_ok(igny8_library_update_json(st, "ed", SG, id, "{\"description\":null}"));
    v = get_item(st, SG, id);
    assert_true(cJSON_IsNull(item(v, "description")));
    assert_int_equal(num(v, "revision"), 3);
    cJSON_Delete(v);
}

static void test_library__a_patch_is_checked_against_the_whole_item(void **state)
{
    igny8_store *st = *state;
    int64_t id = create(st, SG, STRATEGY);
    snapshot before;
    take_snapshot(st, &before);
    /* dropping a prompt type a section still uses */
    assert_igny8_fails(IGNY8_EINVAL, "section_logic.sections[1].prompt_type",
                       igny8_library_update_json(st, "ed", SG, id, "{\"prompt_types\":[\"content_generation\"]}"));
    /* a section using a prompt type the strategy does not list */
    assert_igny8_fails(IGNY8_EINVAL, "section_logic.sections[0].prompt_type",
                       igny8_library_update_json(st, "ed", SG, id, "{\"section_logic\":{\"sections\":"
                                                 "[{\"name\":\"a\",\"prompt_type\":\"ideas\"}]}}"));
    assert_igny8_fails(IGNY8_EINVAL, "colour", igny8_library_update_json(st, "ed", SG, id, "{\"colour\":1}"));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8_library_update_json(st, "ed", SG, id, "{\"name\":null}"));
    assert_igny8_fails(IGNY8_EINVAL, "category", igny8_library_update_json(st, "ed", SG, id, "{\"category\":\"news\",\"category\":\"x\"}"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_update_json(st, "ed", SG, 999999, "{}"));
    assert_unchanged(st, &before);
    /* both at once is fine */
    assert_igny8_ok(igny8_library_update_json(st, "ed", SG, id, "{\"prompt_types\":[\"ideas\"],\"section_logic\":"
                                              "{\"order\":\"flexible\",\"sections\":[{\"name\":\"a\",\"prompt_type\":\"ideas\"}]}}"));
    cJSON *v = get_item(st, SG, id);
    assert_string_equal(str(item(v, "section_logic"), "order"), "flexible");
    assert_int_equal(num(v, "revision"), 2);
    cJSON_Delete(v);
}

/* ---- list ---- */

static int count_and_check(cJSON *arr, const char *key, const char *value)
{
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
        if (key && strcmp(str(e, key), value) != 0)
            fail_msg("%s is '%s', not '%s'", key, str(e, key), value);
    return cJSON_GetArraySize(arr);
}

static int list_count(igny8_store *st, int kind, const igny8_library_filter *f)
{
    cJSON *all = list(st, kind, f);
    int n = cJSON_GetArraySize(all);
    cJSON_Delete(all);
    return n;
}

static void test_library__list_filters_by_category_activity_and_text(void **state)
{
    igny8_store *st = *state;
    igny8_library_filter f = IGNY8_LIBRARY_FILTER_INIT;
    int all = list_count(st, AP, NULL);
    assert_int_equal(list_count(st, AP, &f), all);
    int64_t mine = create(st, AP, "{\"name\":\"Quiet Voice\",\"description\":\"For 100% _calm_ readers\","
                                  "\"category\":\"blog\",\"tone\":\"t\",\"structure_template\":{\"sections\":[{\"heading\":\"h\"}]}}");
    f.category = "blog";
    cJSON *l = list(st, AP, &f);
    assert_int_equal(count_and_check(l, "category", "blog"), 2);
    /* by name */
    assert_string_equal(str(cJSON_GetArrayItem(l, 0), "name"), "Friendly Blogger");
    assert_string_equal(str(cJSON_GetArrayItem(l, 1), "name"), "Quiet Voice");
    cJSON_Delete(l);

    f.category = NULL;
    f.search = "quiet";   /* name, any case */
    assert_int_equal(list_count(st, AP, &f), 1);
    f.search = "CALM";    /* description */
    assert_int_equal(list_count(st, AP, &f), 1);
    f.search = "100%";    /* % and _ are literal */
    assert_int_equal(list_count(st, AP, &f), 1);
    f.search = "_calm_";
    assert_int_equal(list_count(st, AP, &f), 1);
    f.search = "%";
    assert_int_equal(list_count(st, AP, &f), 1);
    f.search = "x_y";
    assert_int_equal(list_count(st, AP, &f), 0);
    f.search = "storyteller";  /* two shipped profiles */
    assert_int_equal(list_count(st, AP, &f), 2);
    f.category = "creative";
    assert_int_equal(list_count(st, AP, &f), 1);

    f.category = NULL;
    f.search = NULL;
    assert_igny8_ok(igny8_library_set_active(st, "ed", AP, mine, 0));
    f.active = IGNY8_FILTER_INACTIVE;
    l = list(st, AP, &f);
    assert_int_equal(count_and_check(l, "name", "Quiet Voice"), 1);
    cJSON_Delete(l);
    f.active = IGNY8_FILTER_ACTIVE;
    assert_int_equal(list_count(st, AP, &f), all);
}

static void test_library__bad_filters_are_refused(void **state)
{
    igny8_store *st = *state;
    igny8_library_filter f = IGNY8_LIBRARY_FILTER_INIT;
    char *j = (char *)&f;
    f.category = "marketing";  /* a strategy category, not a profile one */
    assert_igny8_fails(IGNY8_EINVAL, "category", igny8_library_list_json(st, AP, &f, &j));
    assert_null(j);
    assert_int_equal(list_count(st, SG, &f), 1);
    f.category = NULL;
    f.active = 3;
    assert_igny8_fails(IGNY8_EINVAL, "active", igny8_library_list_json(st, AP, &f, &j));
    f.active = 0;
    f.search = "\xff";
    assert_igny8_fails(IGNY8_EINVAL, "search", igny8_library_list_json(st, AP, &f, &j));
    f.search = NULL;
    f.version = 0;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_library_list_json(st, AP, &f, &j));
    f.version = IGNY8_LIBRARY_FILTER_VERSION + 1;
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_library_list_json(st, AP, &f, &j));
    igny8_library_filter g;
    memset(&g, 0xff, sizeof(g));
    assert_igny8_ok(igny8_library_filter_init(&g, IGNY8_LIBRARY_FILTER_VERSION));
    assert_int_equal(g.version, IGNY8_LIBRARY_FILTER_VERSION);
    assert_null(g.category);
    assert_null(g.search);
    assert_int_equal(g.active, 0);
    assert_igny8_fails(IGNY8_EINVAL, "version", igny8_library_filter_init(&g, 0));
    assert_igny8_fails(IGNY8_EINVAL, "f", igny8_library_filter_init(NULL, 1));
}

/* ---- activation ---- */

static void test_library__set_active_and_bulk_are_all_or_nothing(void **state)
{
    igny8_store *st = *state;
    int64_t a = shipped(st, SG, "Pillar and Cluster Blog"), b = shipped(st, SG, "Breaking News Coverage");
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_library_set_active(st, "ops", SG, a, 0));
    cJSON *v = get_item(st, SG, a);
    assert_false(flag(v, "is_active"));
    assert_int_equal(num(v, "revision"), 2);
    assert_string_equal(str(v, "updated_by"), "ops");
    cJSON_Delete(v);
    char key[64];
    snprintf(key, sizeof(key), "strategy:%lld", (long long)a);
    assert_last_audit(st, "library_item", key, 0, "deactivate");
    /* already inactive: nothing to write */
    assert_igny8_ok(igny8_library_set_active(st, "ops", SG, a, 0));
    assert_int_equal(testutil_audit_count(st), audits + 1);
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_set_active(st, "ops", SG, 424242, 0));

    snapshot before;
    take_snapshot(st, &before);
    const int64_t bad[] = { a, b, 424242 };
    assert_igny8_fails(IGNY8_ENOTFOUND, "ids[2]", igny8_library_set_active_bulk(st, "ops", SG, bad, 3, 1));
    const int64_t wrong_kind[] = { b, shipped(st, AP, "News Reporter") };
    assert_igny8_fails(IGNY8_ENOTFOUND, "ids[1]", igny8_library_set_active_bulk(st, "ops", SG, wrong_kind, 2, 0));
    assert_unchanged(st, &before);

    assert_igny8_ok(igny8_library_set_active_bulk(st, "ops", SG, bad, 2, 1));
    v = get_item(st, SG, a);
    assert_true(flag(v, "is_active"));
    assert_int_equal(num(v, "revision"), 3);
    cJSON_Delete(v);
    assert_last_audit(st, "library_item", key, 0, "activate");
    assert_igny8_ok(igny8_library_set_active_bulk(st, "ops", SG, NULL, 0, 1));
}

/* ---- copies ---- */

static void test_library__clone_edit_update_reset(void **state)
{
    igny8_store *st = *state;
    int64_t src = shipped(st, AP, "Friendly Blogger"), copy = 0;
    assert_igny8_ok(igny8_library_clone(st, "alice", AP, ACCOUNT, src, &copy));
    assert_true(copy > 0);
    char key[64];
    snprintf(key, sizeof(key), "author_profile:%lld", (long long)copy);
    assert_last_audit(st, "account_library_item", key, ACCOUNT, "clone");
    cJSON *g = get_item(st, AP, src), *c = get_copy(st, AP, ACCOUNT, copy);
    assert_int_equal(num(c, "id"), copy);
    assert_int_equal(num(c, "account_id"), ACCOUNT);
    assert_int_equal(num(c, "source_id"), src);
    assert_int_equal(num(c, "based_on_revision"), 1);
    assert_string_equal(str(item(c, "source"), "name"), "Friendly Blogger");
    assert_int_equal(num(item(c, "source"), "revision"), 1);
    assert_true(flag(item(c, "source"), "is_active"));
    assert_false(flag(c, "modified"));
    assert_false(flag(c, "source_changed"));
    assert_true(flag(c, "source_active"));
    assert_true(cJSON_Compare(item(c, "structure_template"), item(g, "structure_template"), 1));
    assert_string_equal(str(c, "tone"), str(g, "tone"));
    cJSON_Delete(c);
    cJSON_Delete(g);

    /* the account edits its copy: modified, the global item untouched */
    assert_igny8_ok(igny8_library_copy_update_json(st, "alice", AP, ACCOUNT, copy, "{\"tone\":\"Dry and witty\"}"));
    assert_last_audit(st, "account_library_item", key, ACCOUNT, "update");
    c = get_copy(st, AP, ACCOUNT, copy);
    assert_string_equal(str(c, "tone"), "Dry and witty");
    assert_true(flag(c, "modified"));
    assert_false(flag(c, "source_changed"));
    cJSON_Delete(c);
    g = get_item(st, AP, src);
    assert_int_equal(num(g, "revision"), 1);
    cJSON_Delete(g);

    /* the platform changes the source: the copy sees it changed, and keeps its own text */
    assert_igny8_ok(igny8_library_update_json(st, "ops", AP, src, "{\"language\":\"en-US\"}"));
    c = get_copy(st, AP, ACCOUNT, copy);
    assert_true(flag(c, "source_changed"));
    assert_true(flag(c, "modified"));
    assert_int_equal(num(item(c, "source"), "revision"), 2);
    assert_int_equal(num(c, "based_on_revision"), 1);
    assert_string_equal(str(c, "language"), "en");
    cJSON_Delete(c);

    /* reset: equal to the global item again, neither modified nor changed */
    assert_igny8_ok(igny8_library_copy_reset(st, "alice", AP, ACCOUNT, copy));
    assert_last_audit(st, "account_library_item", key, ACCOUNT, "reset");
    c = get_copy(st, AP, ACCOUNT, copy);
    g = get_item(st, AP, src);
    const char *same[] = { "name", "description", "category", "tone", "language", "structure_template", "is_active" };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        assert_true(cJSON_Compare(item(c, same[i]), item(g, same[i]), 1));
    assert_false(flag(c, "modified"));
    assert_false(flag(c, "source_changed"));
    assert_int_equal(num(c, "based_on_revision"), 2);
    cJSON_Delete(c);
    cJSON_Delete(g);
    /* a second reset has nothing to do */
    int audits = testutil_audit_count(st);
    assert_igny8_ok(igny8_library_copy_reset(st, "alice", AP, ACCOUNT, copy));
    assert_int_equal(testutil_audit_count(st), audits);
}

static void test_library__copy_edits_are_validated_and_a_no_op_writes_nothing(void **state)
{
    igny8_store *st = *state;
    int64_t src = shipped(st, SG, "SaaS Feature Launch"), copy = 0;
    assert_igny8_ok(igny8_library_clone(st, "alice", SG, ACCOUNT, src, &copy));
    snapshot before;
    take_snapshot(st, &before);
    assert_igny8_fails(IGNY8_EINVAL, "prompt_types[0]",
                       igny8_library_copy_update_json(st, "a", SG, ACCOUNT, copy, "{\"prompt_types\":[\"nope\"]}"));
    assert_igny8_fails(IGNY8_EINVAL, "section_logic.sections[0].max_words",
                       igny8_library_copy_update_json(st, "a", SG, ACCOUNT, copy, "{\"section_logic\":{\"sections\":"
                       "[{\"name\":\"a\",\"prompt_type\":\"ideas\",\"min_words\":10,\"max_words\":9}]}}"));
    assert_igny8_fails(IGNY8_EINVAL, "tone", igny8_library_copy_update_json(st, "a", SG, ACCOUNT, copy, "{\"tone\":\"x\"}"));
    char *view = NULL;
    assert_igny8_ok(igny8_library_copy_get_json(st, SG, ACCOUNT, copy, &view));
    assert_igny8_ok(igny8_library_copy_update_json(st, "a", SG, ACCOUNT, copy, view));  /* a view sent back */
    igny8_free(view);
    assert_igny8_ok(igny8_library_copy_update_json(st, "a", SG, ACCOUNT, copy, "{\"is_active\":true}"));
    assert_unchanged(st, &before);
    /* the account's own switch is not content: not "modified" */
    assert_igny8_ok(igny8_library_copy_update_json(st, "a", SG, ACCOUNT, copy, "{\"is_active\":false}"));
    cJSON *c = get_copy(st, SG, ACCOUNT, copy);
    assert_false(flag(c, "is_active"));
    assert_false(flag(c, "modified"));
    cJSON_Delete(c);
}

static void test_library__deactivating_the_source_leaves_copies_intact(void **state)
{
    igny8_store *st = *state;
    int64_t src = shipped(st, SG, "Technical Guide Series"), copy = 0;
    assert_igny8_ok(igny8_library_clone(st, "alice", SG, ACCOUNT, src, &copy));
    assert_igny8_ok(igny8_library_copy_update_json(st, "alice", SG, ACCOUNT, copy, "{\"name\":\"Our guides\"}"));
    assert_igny8_ok(igny8_library_set_active(st, "ops", SG, src, 0));
    cJSON *c = get_copy(st, SG, ACCOUNT, copy);
    assert_string_equal(str(c, "name"), "Our guides");
    assert_true(flag(c, "is_active"));
    assert_false(flag(c, "source_active"));
    assert_false(flag(item(c, "source"), "is_active"));
    assert_true(flag(c, "modified"));
    cJSON_Delete(c);
    char *j = NULL;
    assert_igny8_ok(igny8_library_copy_list_json(st, SG, ACCOUNT, &j));
    cJSON *l = parsed(j);
    assert_int_equal(cJSON_GetArraySize(l), 1);
    cJSON_Delete(l);
    /* an inactive item can still be cloned and reset from */
    int64_t copy2 = 0;
    assert_igny8_ok(igny8_library_clone(st, "bob", SG, OTHER, src, &copy2));
    assert_igny8_ok(igny8_library_copy_reset(st, "alice", SG, ACCOUNT, copy));
    c = get_copy(st, SG, ACCOUNT, copy);
    assert_string_equal(str(c, "name"), "Technical Guide Series");
    assert_true(flag(c, "is_active"));  /* the account's switch is its own */
    cJSON_Delete(c);
}

static void test_library__clone_errors(void **state)
{
    igny8_store *st = *state;
    int64_t src = shipped(st, AP, "News Reporter"), copy = 0, again = 9;
    assert_igny8_ok(igny8_library_clone(st, "alice", AP, ACCOUNT, src, &copy));
    snapshot before;
    take_snapshot(st, &before);
    assert_igny8_fails(IGNY8_EEXISTS, "source_id", igny8_library_clone(st, "alice", AP, ACCOUNT, src, &again));
    assert_int_equal(again, 0);
    assert_igny8_fails(IGNY8_ENOTFOUND, "source_id", igny8_library_clone(st, "alice", AP, ACCOUNT, 999999, &again));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_clone(st, "alice", AP, 0, src, &again));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_clone(st, "alice", AP, -1, src, NULL));
    assert_unchanged(st, &before);
    /* out_id is optional */
    assert_igny8_ok(igny8_library_clone(st, "bob", AP, OTHER, src, NULL));
}

static void test_library__delete_a_copy(void **state)
{
    igny8_store *st = *state;
    int64_t src = shipped(st, AP, "Academic Researcher"), copy = 0;
    assert_igny8_ok(igny8_library_clone(st, "alice", AP, ACCOUNT, src, &copy));
    assert_igny8_ok(igny8_library_copy_delete(st, "alice", AP, ACCOUNT, copy));
    char key[64];
    snprintf(key, sizeof(key), "author_profile:%lld", (long long)copy);
    assert_last_audit(st, "account_library_item", key, ACCOUNT, "delete");
    cJSON *e = last_audit(st);
    assert_string_equal(str(item(e, "before"), "name"), "Academic Researcher");
    assert_true(cJSON_IsNull(item(e, "after")));
    cJSON_Delete(e);
    char *j = NULL;
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_get_json(st, AP, ACCOUNT, copy, &j));
    assert_null(j);
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_delete(st, "alice", AP, ACCOUNT, copy));
    /* the source can be cloned again */
    assert_igny8_ok(igny8_library_clone(st, "alice", AP, ACCOUNT, src, &copy));
}

static void test_library__another_accounts_copy_is_not_found(void **state)
{
    igny8_store *st = *state;
    int64_t src = shipped(st, SG, "Breaking News Coverage"), copy = 0;
    assert_igny8_ok(igny8_library_clone(st, "alice", SG, ACCOUNT, src, &copy));
    snapshot before;
    take_snapshot(st, &before);
    char *j = NULL;
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_get_json(st, SG, OTHER, copy, &j));
    assert_null(j);
    testutil_assert_not_contains(igny8_error_last()->message, "Breaking");
    assert_igny8_fails(IGNY8_ENOTFOUND, "id",
                       igny8_library_copy_update_json(st, "mallory", SG, OTHER, copy, "{\"name\":\"Mine\"}"));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_reset(st, "mallory", SG, OTHER, copy));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_delete(st, "mallory", SG, OTHER, copy));
    assert_unchanged(st, &before);
    assert_igny8_ok(igny8_library_copy_list_json(st, SG, OTHER, &j));
    assert_string_equal(j, "[]");
    igny8_free(j);
}

static void test_library__kinds_are_separate_libraries(void **state)
{
    igny8_store *st = *state;
    int64_t profile = shipped(st, AP, "Creative Storyteller"), strategy = shipped(st, SG, "Pillar and Cluster Blog");
    char *j = NULL;
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_get_json(st, SG, profile, &j));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_get_json(st, AP, strategy, &j));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_update_json(st, "ed", SG, profile, "{}"));
    int64_t copy = 0;
    assert_igny8_fails(IGNY8_ENOTFOUND, "source_id", igny8_library_clone(st, "alice", SG, ACCOUNT, profile, &copy));
    assert_igny8_ok(igny8_library_clone(st, "alice", AP, ACCOUNT, profile, &copy));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_get_json(st, SG, ACCOUNT, copy, &j));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_reset(st, "alice", SG, ACCOUNT, copy));
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_copy_delete(st, "alice", SG, ACCOUNT, copy));
    assert_igny8_ok(igny8_library_copy_list_json(st, SG, ACCOUNT, &j));
    assert_string_equal(j, "[]");
    igny8_free(j);
    assert_igny8_ok(igny8_library_copy_list_json(st, AP, ACCOUNT, &j));
    cJSON *l = parsed(j);
    assert_int_equal(cJSON_GetArraySize(l), 1);
    cJSON_Delete(l);
    assert_string_equal(igny8_library_kind_name(AP), "author_profile");
    assert_string_equal(igny8_library_kind_name(SG), "strategy");
    assert_null(igny8_library_kind_name(0));
    assert_null(igny8_library_kind_name(3));
}

static void test_library__bulk_clone_skips_or_fails_as_told(void **state)
{
    igny8_store *st = *state;
    int64_t a = shipped(st, SG, "Pillar and Cluster Blog"), b = shipped(st, SG, "Product Catalogue Launch");
    const int64_t sources[] = { a, b }, accounts[] = { 1, 2, 3 };
    assert_igny8_ok(igny8_library_clone(st, "alice", SG, 2, b, NULL));
    size_t created = 99;

    /* FAIL: account 2 has a copy of b: nothing at all is cloned */
    int audits = testutil_audit_count(st);
    assert_igny8_fails(IGNY8_EEXISTS, "account_ids[1]", igny8_library_bulk_clone(st, "ops", SG, sources, 2, accounts, 3,
                                                                                 IGNY8_CLONE_FAIL, &created));
    assert_int_equal(created, 0);
    assert_int_equal(testutil_audit_count(st), audits);
    char *j = NULL;
    assert_igny8_ok(igny8_library_copy_list_json(st, SG, 1, &j));
    assert_string_equal(j, "[]");
    igny8_free(j);

    /* a missing source or a bad account: nothing cloned either */
    const int64_t missing[] = { a, 999999 }, bad_accounts[] = { 1, 0 };
    assert_igny8_fails(IGNY8_ENOTFOUND, "source_ids[1]", igny8_library_bulk_clone(st, "ops", SG, missing, 2, accounts, 3,
                                                                                  IGNY8_CLONE_SKIP, &created));
    assert_igny8_fails(IGNY8_EINVAL, "account_ids[1]", igny8_library_bulk_clone(st, "ops", SG, sources, 2, bad_accounts, 2,
                                                                                IGNY8_CLONE_SKIP, &created));
    assert_igny8_fails(IGNY8_EINVAL, "on_existing", igny8_library_bulk_clone(st, "ops", SG, sources, 2, accounts, 3, 7,
                                                                             &created));
    assert_int_equal(testutil_audit_count(st), audits);

    /* SKIP: the existing copy stays and is not counted */
    assert_igny8_ok(igny8_library_bulk_clone(st, "ops", SG, sources, 2, accounts, 3, IGNY8_CLONE_SKIP, &created));
    assert_int_equal(created, 5);
    assert_int_equal(testutil_audit_count(st), audits + 5);
    for (int64_t acc = 1; acc <= 3; acc++) {
        assert_igny8_ok(igny8_library_copy_list_json(st, SG, acc, &j));
        cJSON *l = parsed(j);
        assert_int_equal(cJSON_GetArraySize(l), 2);
        cJSON_Delete(l);
    }
    assert_last_audit(st, "account_library_item", NULL, 3, "clone");
    /* everything exists now: SKIP makes nothing */
    assert_igny8_ok(igny8_library_bulk_clone(st, "ops", SG, sources, 2, accounts, 3, IGNY8_CLONE_SKIP, &created));
    assert_int_equal(created, 0);
    assert_igny8_ok(igny8_library_bulk_clone(st, "ops", SG, NULL, 0, NULL, 0, IGNY8_CLONE_FAIL, NULL));
}

/* ---- arguments ---- */

static void test_library__null_and_bad_arguments(void **state)
{
    igny8_store *st = *state;
    char *j = (char *)&j;
    int64_t id = 5;
    size_t n = 5;
    const int64_t ids[] = { 1 };
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_create_json(NULL, "a", AP, PROFILE, &id));
    assert_int_equal(id, 0);
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_library_create_json(st, NULL, AP, PROFILE, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_library_create_json(st, "", AP, PROFILE, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "json", igny8_library_create_json(st, "a", AP, NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_create_json(st, "a", 0, PROFILE, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_create_json(st, "a", 3, PROFILE, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "patch_json", igny8_library_update_json(st, "a", AP, 1, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_update_json(NULL, "a", AP, 1, "{}"));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_set_active(NULL, "a", AP, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_set_active(st, "a", 9, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "ids", igny8_library_set_active_bulk(st, "a", AP, NULL, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_library_set_active_bulk(st, NULL, AP, ids, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_library_get_json(st, AP, 1, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_get_json(NULL, AP, 1, &j));
    assert_null(j);
    j = (char *)&j;
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_get_json(st, 0, 1, &j));
    assert_null(j);
    assert_igny8_fails(IGNY8_ENOTFOUND, "id", igny8_library_get_json(st, AP, 0, &j));
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_library_list_json(st, AP, NULL, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_list_json(NULL, AP, NULL, &j));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_list_json(st, -1, NULL, &j));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_clone(NULL, "a", AP, ACCOUNT, 1, &id));
    assert_igny8_fails(IGNY8_EINVAL, "source_ids", igny8_library_bulk_clone(st, "a", AP, NULL, 1, ids, 1, 0, &n));
    assert_int_equal(n, 0);
    assert_igny8_fails(IGNY8_EINVAL, "account_ids", igny8_library_bulk_clone(st, "a", AP, ids, 1, NULL, 1, 0, &n));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_bulk_clone(st, "a", 0, ids, 1, ids, 1, 0, &n));
    /* the accounts' copies: account ids are positive */
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_copy_update_json(st, "a", AP, 0, 1, "{}"));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_copy_reset(st, "a", AP, -4, 1));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_copy_delete(st, "a", AP, 0, 1));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_copy_get_json(st, AP, 0, 1, &j));
    assert_igny8_fails(IGNY8_EINVAL, "account_id", igny8_library_copy_list_json(st, AP, 0, &j));
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_library_copy_get_json(st, AP, 1, 1, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_library_copy_list_json(st, AP, 1, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "patch_json", igny8_library_copy_update_json(st, "a", AP, 1, 1, NULL));
    assert_igny8_fails(IGNY8_EINVAL, "actor", igny8_library_copy_reset(st, NULL, AP, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8_library_copy_delete(NULL, "a", AP, 1, 1));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8_library_copy_list_json(st, 7, 1, &j));
}

/* ---- the shipped library ---- */

static void check_shipped(igny8_store *st, int kind, const char *const *categories, size_t n)
{
    cJSON *all = list(st, kind, NULL), *e;
    int count[8] = { 0 };
    cJSON_ArrayForEach(e, all) {
        size_t c = 0;
        while (c < n && strcmp(categories[c], str(e, "category")) != 0)
            c++;
        assert_true(c < n);
        count[c]++;
        assert_true(flag(e, "is_active"));
        assert_int_equal(num(e, "revision"), 1);
        assert_non_null(str(e, "description"));
        /* every shipped item is valid input: the view, renamed, creates a new item */
        cJSON *again = cJSON_Duplicate(e, 1);
        char name[300];
        snprintf(name, sizeof(name), "Copy of %s", str(e, "name"));
        cJSON_ReplaceItemInObject(again, "name", cJSON_CreateString(name));
        char *text = cJSON_PrintUnformatted(again);
        create(st, kind, text);
        cJSON_free(text);
        cJSON_Delete(again);
    }
    for (size_t c = 0; c < n; c++)
        if (count[c] != 1)
            fail_msg("%s category %s has %d shipped items", igny8_library_kind_name(kind), categories[c], count[c]);
    cJSON_Delete(all);
}

static void test_library__shipped_library_has_one_item_per_category(void **state)
{
    igny8_store *st = *state;
    const char *profiles[] = { "saas", "ecommerce", "blog", "technical", "creative", "news", "academic" };
    const char *strategies[] = { "blog", "ecommerce", "saas", "news", "technical", "marketing" };
    check_shipped(st, AP, profiles, 7);
    check_shipped(st, SG, strategies, 6);
    cJSON *s = get_item(st, SG, shipped(st, SG, "Local Services Landing Pages"));
    assert_string_equal(str(item(s, "section_logic"), "order"), "flexible");
    cJSON_Delete(s);
    /* the defaults load recorded how many it added */
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    q.entity = "store";
    char *j = NULL;
    assert_igny8_ok(igny8_audit_query_json(st, &q, &j));
    testutil_assert_contains(j, "\"library\":13");
    igny8_free(j);
}

static void test_library__defaults_with_a_bad_item_load_nothing(void **state)
{
    (void)state;
    igny8_store *st = testutil_store(0);
    const char *doc = "{\"format\":1,\"prompts\":[{\"prompt_type\":\"ideas\",\"value\":\"Ideas for {topic}\"}],"
                      "\"library\":[{\"kind\":\"strategy\",\"name\":\"S\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"],"
                      "\"section_logic\":{\"sections\":[{\"name\":\"a\",\"prompt_type\":\"ideas\"}]}},"
                      "{\"kind\":\"author_profile\",\"name\":\"P\",\"category\":\"blog\",\"tone\":\"t\","
                      "\"structure_template\":{\"sections\":[{\"heading\":\"\"}]}}]}";
    assert_igny8_fails(IGNY8_EINVAL, "$.library[1].structure_template.sections[0].heading",
                       igny8_defaults_load(st, "test", doc));
    const char *no_kind = "{\"format\":1,\"library\":[{\"name\":\"P\"}]}";
    assert_igny8_fails(IGNY8_EINVAL, "$.library[0].kind", igny8_defaults_load(st, "test", no_kind));
    const char *bad_kind = "{\"format\":1,\"library\":[{\"kind\":\"persona\",\"name\":\"P\"}]}";
    assert_igny8_fails(IGNY8_EINVAL, "$.library[0].kind", igny8_defaults_load(st, "test", bad_kind));
    char *j = NULL;
    assert_igny8_ok(igny8_library_list_json(st, SG, NULL, &j));
    assert_string_equal(j, "[]");
    igny8_free(j);
    assert_int_equal(testutil_audit_count(st), 0);
    assert_igny8_ok(igny8_defaults_load(st, "test", "{\"format\":1,\"prompts\":[{\"prompt_type\":\"ideas\","
                                        "\"value\":\"Ideas for {topic}\"}],\"library\":[{\"kind\":\"strategy\","
                                        "\"name\":\"S\",\"category\":\"blog\",\"prompt_types\":[\"ideas\"],"
                                        "\"section_logic\":{\"sections\":[{\"name\":\"a\",\"prompt_type\":\"ideas\"}]}}]}"));
    assert_igny8_ok(igny8_library_list_json(st, SG, NULL, &j));
    testutil_assert_contains(j, "\"name\":\"S\"");
    igny8_free(j);
    igny8_store_close(st);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(test_library__##name, testutil_setup, testutil_teardown)
    const struct CMUnitTest tests[] = {
        T(every_bad_profile_field_is_named_and_nothing_written),
        T(every_bad_strategy_field_is_named_and_nothing_written),
        T(text_limits_count_characters),
        T(malformed_json_and_languages),
        T(create_fills_defaults_and_audits),
        T(names_are_unique_per_kind),
        T(update_counts_revisions_and_a_no_op_writes_nothing),
        T(a_patch_is_checked_against_the_whole_item),
        T(list_filters_by_category_activity_and_text),
        T(bad_filters_are_refused),
        T(set_active_and_bulk_are_all_or_nothing),
        T(clone_edit_update_reset),
        T(copy_edits_are_validated_and_a_no_op_writes_nothing),
        T(deactivating_the_source_leaves_copies_intact),
        T(clone_errors),
        T(delete_a_copy),
        T(another_accounts_copy_is_not_found),
        T(kinds_are_separate_libraries),
        T(bulk_clone_skips_or_fails_as_told),
        T(null_and_bad_arguments),
        T(shipped_library_has_one_item_per_category),
        cmocka_unit_test(test_library__defaults_with_a_bad_item_load_nothing),
    };
#undef T
    return cmocka_run_group_tests_name("library", tests, NULL, NULL);
}
