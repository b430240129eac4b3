/* The template check as the prompt code calls it: errors name the caller's field, and
 * the variables list is optional. Links the object library, not the .so. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "template.h"

static void test_template_internal__errors_name_the_callers_field(void **state)
{
    (void)state;
    char *vars = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "value", igny8__template_check("ab\n{x", "value", &vars));
    assert_null(vars);
    assert_string_equal(igny8_error_last()->message,
                        "value is malformed at byte 3 (line 2, column 1): '{' is not closed (a literal '{' is written '{{')");
    assert_igny8_fails(IGNY8_EINVAL, "value", igny8__template_check("\xff", "value", NULL));
    testutil_assert_contains(igny8_error_last()->message, "value is not valid UTF-8");
    vars = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "value", igny8__template_check(NULL, "value", &vars));
    assert_null(vars);
}

static void test_template_internal__variables_are_optional(void **state)
{
    (void)state;
    assert_igny8_ok(igny8__template_check("{a} {{b}}", "value", NULL));
    assert_igny8_fails(IGNY8_EINVAL, "value", igny8__template_check("{a} {b", "value", NULL));
    char *vars = NULL;
    assert_igny8_ok(igny8__template_check("{a} {b} {a}", "value", &vars));
    assert_string_equal(vars, "[\"a\",\"b\"]");
    igny8_free(vars);
}

static void test_template_internal__render_and_diff_internals(void **state)
{
    (void)state;
    char *out = NULL;
    assert_igny8_ok(igny8__template_render("{a}-{b}", "{\"a\":1,\"b\":2.50}", &out));
    assert_string_equal(out, "1-2.5");
    igny8_free(out);
    assert_igny8_ok(igny8__text_diff("x\n", "x\n", NULL, NULL, &out));
    assert_string_equal(out, "");
    igny8_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_internal__errors_name_the_callers_field),
        cmocka_unit_test(test_template_internal__variables_are_optional),
        cmocka_unit_test(test_template_internal__render_and_diff_internals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
