/* The library's internal validation contract, as export/import calls it: errors name the
 * field under the caller's path prefix, view fields are ignored, a patch may leave out
 * required fields, author profiles need no store. Links the object library, not the .so. */
#include <string.h>

#include "testutil.h"
#include "common.h"
#include "library.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static void test_library_internal__errors_carry_the_callers_path(void **state)
{
    igny8_store *st = *state;
    cJSON *p = parse("{\"name\":\"n\",\"category\":\"blog\",\"tone\":\"t\","
                     "\"structure_template\":{\"sections\":[{\"heading\":\"h\",\"word_count\":0}]}}");
    assert_igny8_fails(IGNY8_EINVAL, "$.library[3].structure_template.sections[0].word_count",
                       igny8__library_validate(st, IGNY8_LIBRARY_AUTHOR_PROFILE, p, 1, "$.library[3]."));
    assert_igny8_fails(IGNY8_EINVAL, "structure_template.sections[0].word_count",
                       igny8__library_validate(st, IGNY8_LIBRARY_AUTHOR_PROFILE, p, 1, ""));
    assert_igny8_fails(IGNY8_EINVAL, "structure_template.sections[0].word_count",
                       igny8__library_validate(st, IGNY8_LIBRARY_AUTHOR_PROFILE, p, 1, NULL));
    cJSON_Delete(p);
    cJSON *s = parse("{\"name\":\"n\",\"category\":\"blog\",\"prompt_types\":[\"ideas\",\"nope\"],"
                     "\"section_logic\":{\"sections\":[{\"name\":\"a\",\"prompt_type\":\"ideas\"}]}}");
    assert_igny8_fails(IGNY8_EINVAL, "$.library_copies[0].prompt_types[1]",
                       igny8__library_validate(st, IGNY8_LIBRARY_STRATEGY, s, 1, "$.library_copies[0]."));
    cJSON_Delete(s);
    cJSON *arr = parse("[1]");
    assert_igny8_fails(IGNY8_EINVAL, "$.library[2]",
                       igny8__library_validate(st, IGNY8_LIBRARY_STRATEGY, arr, 1, "$.library[2]."));
    cJSON_Delete(arr);
}

static void test_library_internal__long_paths_are_cut_between_characters(void **state)
{
    igny8_store *st = *state;
    char json[1200] = "{\"";
    for (int i = 0; i < 150; i++)
        strcat(json, "\xc3\xa9");  /* a 300-byte unknown key of two-byte characters */
    strcat(json, "\":1}");
    cJSON *p = parse(json);
    assert_int_equal(igny8__library_validate(st, IGNY8_LIBRARY_AUTHOR_PROFILE, p, 1, "$.library[1]."), IGNY8_EINVAL);
    const char *field = igny8_error_last()->field;
    size_t bad = 0;
    assert_true(strncmp(field, "$.library[1].\xc3\xa9", 15) == 0);
    assert_true(strlen(field) < 160);
    assert_true(igny8__utf8_valid(field, &bad));
    cJSON_Delete(p);
}

static void test_library_internal__view_fields_are_ignored_and_patches_may_be_partial(void **state)
{
    igny8_store *st = *state;
    cJSON *v = parse("{\"id\":3,\"kind\":\"strategy\",\"revision\":2,\"updated_at\":\"x\",\"updated_by\":\"y\","
                     "\"account_id\":4,\"source_id\":3,\"based_on_revision\":1,\"source\":{},\"source_changed\":true,"
                     "\"source_active\":false,\"modified\":true,\"name\":\"n\",\"category\":\"news\","
                     "\"prompt_types\":[\"content_generation\"],\"section_logic\":{\"order\":\"flexible\","
                     "\"sections\":[{\"name\":\"lede\",\"prompt_type\":\"content_generation\",\"required\":false,"
                     "\"min_words\":20,\"max_words\":20}]}}");
    assert_igny8_ok(igny8__library_validate(st, IGNY8_LIBRARY_STRATEGY, v, 1, "$.library[0]."));
    cJSON_Delete(v);
    cJSON *patch = parse("{\"description\":\"d\"}");
    assert_igny8_ok(igny8__library_validate(st, IGNY8_LIBRARY_STRATEGY, patch, 0, ""));
    assert_igny8_fails(IGNY8_EINVAL, "name", igny8__library_validate(st, IGNY8_LIBRARY_STRATEGY, patch, 1, ""));
    cJSON_Delete(patch);
    /* a patch's sections are checked against its prompt_types only once merged */
    patch = parse("{\"section_logic\":{\"sections\":[{\"name\":\"a\",\"prompt_type\":\"ideas\"}]}}");
    assert_igny8_ok(igny8__library_validate(st, IGNY8_LIBRARY_STRATEGY, patch, 0, ""));
    cJSON_Delete(patch);
}

static void test_library_internal__profiles_need_no_store(void **state)
{
    (void)state;
    cJSON *p = parse("{\"name\":\"n\",\"category\":\"academic\",\"tone\":\"formal\",\"language\":\"de-CH\","
                     "\"structure_template\":{\"sections\":[{\"heading\":\"Abstract\",\"elements\":[\"summary\"]}],"
                     "\"notes\":null}}");
    assert_igny8_ok(igny8__library_validate(NULL, IGNY8_LIBRARY_AUTHOR_PROFILE, p, 1, ""));
    assert_igny8_fails(IGNY8_EINVAL, "st", igny8__library_validate(NULL, IGNY8_LIBRARY_STRATEGY, p, 1, ""));
    assert_igny8_fails(IGNY8_EINVAL, "kind", igny8__library_validate(NULL, 0, p, 1, ""));
    cJSON_Delete(p);
    assert_int_equal(igny8__library_kind_from_name("author_profile"), IGNY8_LIBRARY_AUTHOR_PROFILE);
    assert_int_equal(igny8__library_kind_from_name("strategy"), IGNY8_LIBRARY_STRATEGY);
    assert_int_equal(igny8__library_kind_from_name("Strategy"), 0);
    assert_int_equal(igny8__library_kind_from_name(""), 0);
    assert_int_equal(igny8__library_kind_from_name(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_library_internal__errors_carry_the_callers_path, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_library_internal__long_paths_are_cut_between_characters, testutil_setup,
                                        testutil_teardown),
        cmocka_unit_test_setup_teardown(test_library_internal__view_fields_are_ignored_and_patches_may_be_partial,
                                        testutil_setup, testutil_teardown),
        cmocka_unit_test(test_library_internal__profiles_need_no_store),
    };
    return cmocka_run_group_tests_name("library_internal", tests, NULL, NULL);
}
