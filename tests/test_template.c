/* Templates: the named-field subset of Python's str.format. Rendering, escapes, malformed
 * templates with their positions, variables and their types, and values written as
 * Python's str() writes what json.loads returns. Pure functions: no store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Render and return the text (the test frees it); fails the test on error. */
static char *render(const char *template_text, const char *variables)
{
    char *out = NULL;
    return testutil_take(igny8_template_render(template_text, variables, &out), &out);
}

static void assert_renders(const char *template_text, const char *variables, const char *expected)
{
    char *got = render(template_text, variables);
    if (strcmp(got, expected) != 0)
        fail_msg("render(%s, %s) = '%s', expected '%s'", template_text, variables ? variables : "NULL", got, expected);
    free(got);
}

/* A render that fails with `code` naming `field`; the output stays NULL. */
static void assert_render_fails(const char *template_text, const char *variables, int code, const char *field)
{
    char *out = (char *)"sentinel";
    assert_igny8_fails(code, field, igny8_template_render(template_text, variables, &out));
    assert_null(out);
}

static char *variables_of(const char *template_text)
{
    char *out = NULL;
    return testutil_take(igny8_template_variables_json(template_text, &out), &out);
}

/* ---- rendering ---- */

static void test_template__escapes_render_single_braces(void **state)
{
    (void)state;
    assert_renders("{{x}}", "{\"x\":1}", "{x}");
    assert_renders("a}}b{{c", NULL, "a}b{c");
    assert_renders("{{{x}}}", "{\"x\":1}", "{1}");
    assert_renders("{{}}", NULL, "{}");
    assert_renders("{{{{", NULL, "{{");
}

static void test_template__adjacent_placeholders(void **state)
{
    (void)state;
    assert_renders("{a}{b}", "{\"a\":\"1\",\"b\":\"2\"}", "12");
    assert_renders("{a}{a}{a}", "{\"a\":\"x\"}", "xxx");
    assert_renders("[{a}]", "{\"a\":\"\"}", "[]");
}

static void test_template__values_are_not_rescanned(void **state)
{
    (void)state;
    assert_renders("{a} {b}", "{\"a\":\"{b}\",\"b\":\"B\"}", "{b} B");
    assert_renders("{a}", "{\"a\":\"{{ } {\"}", "{{ } {");
    assert_renders("{a}", "{\"a\":\"{missing}\"}", "{missing}");
}

static void test_template__unicode_in_text_and_values(void **state)
{
    (void)state;
    assert_renders("Héllo {name} — ✓\n", "{\"name\":\"世界🙂\"}", "Héllo 世界🙂 — ✓\n");
    /* escapes in the JSON, including a surrogate pair */
    assert_renders("{a}", "{\"a\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\t\"}", "café 😀 \"q\" \\ \n\t");
    assert_renders("{_x9}", "{\"_x9\":\"日本語のテキスト\"}", "日本語のテキスト");
}

static void test_template__empty_template_and_no_placeholders(void **state)
{
    (void)state;
    assert_renders("", NULL, "");
    assert_renders("", "{\"a\":1}", "");
    assert_renders("plain text, no braces", NULL, "plain text, no braces");
    assert_renders("plain", "{}", "plain");
}

static void test_template__one_megabyte_with_many_placeholders(void **state)
{
    (void)state;
    static const char piece[] = "Write about {topic} for {audience}; {{keep}} it short.\n";
    static const char rendered[] = "Write about cats for 子供たち; {keep} it short.\n";
    size_t count = (1024 * 1024) / (sizeof(piece) - 1) + 1;
    char *text = malloc(count * (sizeof(piece) - 1) + 1);
    for (size_t i = 0; i < count; i++)
        memcpy(text + i * (sizeof(piece) - 1), piece, sizeof(piece) - 1);
    text[count * (sizeof(piece) - 1)] = '\0';
    assert_true(strlen(text) >= 1024 * 1024);
    char *out = render(text, "{\"topic\":\"cats\",\"audience\":\"子供たち\",\"unused\":true}");
    assert_int_equal(strlen(out), count * (sizeof(rendered) - 1));
    size_t r = sizeof(rendered) - 1;
    assert_memory_equal(out, rendered, r);
    assert_memory_equal(out + (count / 2) * r, rendered, r);
    assert_memory_equal(out + (count - 1) * r, rendered, r);
    char *vars = variables_of(text);
    assert_string_equal(vars, "[\"topic\",\"audience\"]");
    free(vars);
    free(out);
    free(text);
}

/* ---- malformed templates ---- */

typedef struct {
    const char *text;
    size_t byte, line, column;
    const char *what;  /* a piece of the message */
} malformed_case;

static const malformed_case malformed_cases[] = {
    { "{}", 0, 1, 1, "has no name" },
    { "x {0}", 3, 1, 4, "positional" },
    { "{a.b}", 2, 1, 3, "attribute" },
    { "{a[0]}", 2, 1, 3, "indexing" },
    { "{a!r}", 2, 1, 3, "conversion" },
    { "{a:>10}", 2, 1, 3, "format spec" },
    { "{ a }", 1, 1, 2, "' ' cannot be in a placeholder name" },
    { "{é}", 1, 1, 2, "'é' cannot be in a placeholder name" },
    { "{a b}", 2, 1, 3, "' ' cannot be in a placeholder name" },
    { "{a-b}", 2, 1, 3, "'-' cannot be in a placeholder name" },
    { "{a\n}", 2, 1, 3, "byte 0x0A cannot be in a placeholder name" },
    { "{a{b}}", 2, 1, 3, "'{' cannot be in a placeholder name" },
    { "Hello world {", 12, 1, 13, "'{' is not closed" },
    { "line one\nline {two", 14, 2, 6, "'{' is not closed" },
    { "}", 0, 1, 1, "single '}'" },
    { "a } b", 2, 1, 3, "single '}'" },
    { "{a}}", 3, 1, 4, "single '}'" },
    { "{{a}", 3, 1, 4, "single '}'" },
    /* the column counts characters: "é", "日" and "🙂" are one column each */
    { "é日🙂\nαβ\nxé日🙂 {}", 26, 3, 6, "has no name" },
};

static void check_malformed(const malformed_case *c, int rc)
{
    char where[96];
    snprintf(where, sizeof(where), "at byte %zu (line %zu, column %zu): ", c->byte, c->line, c->column);
    const igny8_error *e = igny8_error_last();
    if (rc != IGNY8_EINVAL || e->code != IGNY8_EINVAL)
        fail_msg("'%s': rc %d, expected IGNY8_EINVAL", c->text, rc);
    assert_non_null(e->field);
    assert_string_equal(e->field, "template");
    testutil_assert_contains(e->message, "template is malformed ");
    testutil_assert_contains(e->message, where);
    testutil_assert_contains(e->message, c->what);
    assert_null(strchr(e->message, '\n'));  /* one line, even for "{a\n}" */
}

static void test_template__malformed_forms_give_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
        const malformed_case *c = &malformed_cases[i];
        char *out = (char *)"sentinel";
        check_malformed(c, igny8_template_render(c->text, "{\"a\":1,\"b\":2,\"two\":3}", &out));
        assert_null(out);
        out = (char *)"sentinel";
        check_malformed(c, igny8_template_variables_json(c->text, &out));
        assert_null(out);
    }
}

static void test_template__example_message(void **state)
{
    (void)state;
    char *out = NULL;
    assert_igny8_fails(IGNY8_EINVAL, "template", igny8_template_render("Hello world {", NULL, &out));
    assert_string_equal(igny8_error_last()->message,
                        "template is malformed at byte 12 (line 1, column 13): "
                        "'{' is not closed (a literal '{' is written '{{')");
}

/* A malformed template is refused even when a variable is missing before the fault. */
static void test_template__malformed_wins_over_missing(void **state)
{
    (void)state;
    assert_render_fails("{missing} {", NULL, IGNY8_EINVAL, "template");
    assert_render_fails("{missing} {", "{\"other\":null}", IGNY8_EINVAL, "template");
}

static void test_template__invalid_utf8_template(void **state)
{
    (void)state;
    assert_render_fails("ok \xff {a}", "{\"a\":1}", IGNY8_EINVAL, "template");
    testutil_assert_contains(igny8_error_last()->message, "UTF-8 (at byte 3)");
    char *out = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "template", igny8_template_variables_json("\xc3\x28", &out));
    assert_null(out);
    /* a surrogate and an overlong form are not UTF-8 either */
    assert_render_fails("\xed\xa0\x80", NULL, IGNY8_EINVAL, "template");
    assert_render_fails("\xc0\xaf", NULL, IGNY8_EINVAL, "template");
}

static void test_template__too_long_template(void **state)
{
    (void)state;
    size_t n = IGNY8_PROMPT_MAX_BYTES + 1;
    char *text = malloc(n + 1);
    memset(text, 'a', n);
    text[n] = '\0';
    assert_render_fails(text, NULL, IGNY8_EINVAL, "template");
    testutil_assert_contains(igny8_error_last()->message, "16777216-byte limit");
    text[n - 1] = '\0';  /* exactly the limit is fine */
    char *out = NULL;
    assert_igny8_ok(igny8_template_render(text, NULL, &out));
    assert_int_equal(strlen(out), n - 1);
    igny8_free(out);
    free(text);
}

static void test_template__rendered_text_over_limit(void **state)
{
    (void)state;
    /* 2 MiB value used 9 times: 18 MiB of output */
    size_t n = 2 * 1024 * 1024;
    char *vars = malloc(n + 16);
    memcpy(vars, "{\"v\":\"", 6);
    memset(vars + 6, 'x', n);
    memcpy(vars + 6 + n, "\"}", 3);
    assert_render_fails("{v}{v}{v}{v}{v}{v}{v}{v}{v}", vars, IGNY8_EINVAL, "variables");
    testutil_assert_contains(igny8_error_last()->message, "limit");
    free(vars);
}

/* ---- variables ---- */

static void test_template__missing_variable_is_named(void **state)
{
    (void)state;
    assert_render_fails("Hi {name}, about {topic}", "{\"name\":\"Ann\"}", IGNY8_EINVAL, "topic");
    testutil_assert_contains(igny8_error_last()->message, "'topic'");
    assert_render_fails("{first}", NULL, IGNY8_EINVAL, "first");
    assert_render_fails("{first}", "{}", IGNY8_EINVAL, "first");
    /* names are case-sensitive */
    assert_render_fails("{Name}", "{\"name\":1}", IGNY8_EINVAL, "Name");
}

static void test_template__other_json_types_name_the_variable(void **state)
{
    (void)state;
    assert_render_fails("{a}", "{\"a\":null}", IGNY8_EINVAL, "a");
    testutil_assert_contains(igny8_error_last()->message, "null");
    assert_render_fails("{a}", "{\"a\":{\"b\":1}}", IGNY8_EINVAL, "a");
    testutil_assert_contains(igny8_error_last()->message, "an object");
    assert_render_fails("{a}", "{\"a\":[1,2]}", IGNY8_EINVAL, "a");
    testutil_assert_contains(igny8_error_last()->message, "an array");
    /* every member is checked, used or not */
    assert_render_fails("{a}", "{\"a\":1,\"unused\":[]}", IGNY8_EINVAL, "unused");
    assert_render_fails("no placeholders", "{\"unused\":null}", IGNY8_EINVAL, "unused");
}

static void test_template__malformed_variables_json(void **state)
{
    (void)state;
    static const char *const bad[] = { "{", "", "not json", "{\"a\":1,}", "{\"a\":1} x", "[1,2]", "\"str\"",
                                       "1", "null", "{\"a\":\"\xff\"}", "{'a':1}" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_render_fails("{a}", bad[i], IGNY8_EINVAL, "variables");
}

static void test_template__nul_in_a_value_is_refused(void **state)
{
    (void)state;
    assert_render_fails("{a}", "{\"a\":\"x\\u0000y\"}", IGNY8_EINVAL, "a");
    /* an escaped backslash before "u0000" is not a NUL */
    assert_renders("{a}", "{\"a\":\"x\\\\u0000y\"}", "x\\u0000y");
    /* a key holding NUL matches no placeholder, but is no error */
    assert_renders("{a}", "{\"a\\u0000b\":\"no\",\"a\":\"yes\"}", "yes");
    assert_render_fails("{a}", "{\"a\\u0000\":\"no\"}", IGNY8_EINVAL, "a");
}

static void test_template__duplicate_keys_last_wins(void **state)
{
    (void)state;
    assert_renders("{a}", "{\"a\":1,\"a\":\"two\"}", "two");
    assert_renders("{a}/{b}", "{\"a\":1,\"b\":2,\"a\":3.5,\"b\":true,\"a\":false}", "False/True");
    /* an escaped key is the same key */
    assert_renders("{ab}", "{\"ab\":1,\"\\u0061b\":2}", "2");
}

static void test_template__whitespace_and_bom_in_variables(void **state)
{
    (void)state;
    assert_renders("{a}{b}", " \n\t{ \"a\" :\r\n 1 , \"b\":\n\"x\"\n}\n ", "1x");
    assert_renders("{a}", "\xEF\xBB\xBF{\"a\":2}", "2");
}

static void test_template__booleans(void **state)
{
    (void)state;
    assert_renders("{t} {f}", "{\"t\":true,\"f\":false}", "True False");
}

typedef struct {
    const char *json;
    const char *python;  /* str(json.loads(json)) */
} number_case;

static const number_case number_cases[] = {
    /* ints: the exact digits, any size */
    { "0", "0" }, { "-0", "0" }, { "7", "7" }, { "-42", "-42" },
    { "9007199254740993", "9007199254740993" },
    { "123456789012345678901234567890", "123456789012345678901234567890" },
    { "-123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "-123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890" },
    /* floats: repr */
    { "0.1", "0.1" }, { "1.0", "1.0" }, { "1.5", "1.5" }, { "100000.0", "100000.0" }, { "1e16", "1e+16" },
    { "1e15", "1000000000000000.0" }, { "1234567890123456.0", "1234567890123456.0" },
    { "12345678901234567.0", "1.2345678901234568e+16" }, { "0.0001", "0.0001" }, { "0.00012", "0.00012" },
    { "1e-05", "1e-05" }, { "0.00001", "1e-05" }, { "1.5e-07", "1.5e-07" }, { "-0.0", "-0.0" }, { "0.0", "0.0" },
    { "0e0", "0.0" }, { "1e400", "inf" }, { "-1e400", "-inf" }, { "1e-400", "0.0" }, { "-1e-400", "-0.0" },
    { "3.14159", "3.14159" }, { "2.5e-300", "2.5e-300" }, { "1E5", "100000.0" }, { "1e+5", "100000.0" },
    { "-2.5E-3", "-0.0025" }, { "1e22", "1e+22" }, { "1e100", "1e+100" }, { "5e-324", "5e-324" },
    { "1.7976931348623157e308", "1.7976931348623157e+308" }, { "0.30000000000000004", "0.30000000000000004" },
    { "123.456", "123.456" }, { "-9.999999999999999e-5", "-9.999999999999999e-05" },
    /* powers of two where the correctly rounded digits do not read back but the next do */
    { "5.960464477539063e-08", "5.960464477539063e-08" }, { "5.684341886080802e-14", "5.684341886080802e-14" },
    { "7.120236347223045e-307", "7.120236347223045e-307" }, { "6.189700196426902e+26", "6.189700196426902e+26" },
};

static void test_template__numbers_as_python_writes_them(void **state)
{
    (void)state;
    char vars[256];
    for (size_t i = 0; i < sizeof(number_cases) / sizeof(number_cases[0]); i++) {
        snprintf(vars, sizeof(vars), "{\"n\":%s}", number_cases[i].json);
        char *got = render("<{n}>", vars);
        char expected[160];
        snprintf(expected, sizeof(expected), "<%s>", number_cases[i].python);
        if (strcmp(got, expected) != 0)
            fail_msg("%s renders '%s', Python writes '%s'", number_cases[i].json, got, expected);
        free(got);
    }
}

/* ---- the variables list ---- */

static void test_template__variables_in_order_of_first_use(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        { "{b} {a} {b} {{c}} {c} {a}", "[\"b\",\"a\",\"c\"]" },
        { "", "[]" },
        { "no placeholders {{x}}", "[]" },
        { "{_}{a1}{A1}", "[\"_\",\"a1\",\"A1\"]" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = variables_of(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static void test_template__many_distinct_variables(void **state)
{
    (void)state;
    /* more names than the first table holds: it grows, and order is kept */
    char text[4096] = "", expected[8192] = "[";
    for (int i = 0; i < 300; i++) {
        char name[16];
        snprintf(name, sizeof(name), "v%d", i);
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "{%s}", name);
        snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s\"%s\"", i ? "," : "", name);
    }
    strcat(expected, "]");
    char *got = variables_of(text);
    assert_string_equal(got, expected);
    free(got);
}

/* ---- arguments ---- */

static void test_template__null_arguments(void **state)
{
    (void)state;
    char *out = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "template_text", igny8_template_render(NULL, "{}", &out));
    assert_null(out);
    assert_igny8_fails(IGNY8_EINVAL, "out_text", igny8_template_render("x", "{}", NULL));
    out = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "template_text", igny8_template_variables_json(NULL, &out));
    assert_null(out);
    assert_igny8_fails(IGNY8_EINVAL, "out_json", igny8_template_variables_json("x", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template__escapes_render_single_braces),
        cmocka_unit_test(test_template__adjacent_placeholders),
        cmocka_unit_test(test_template__values_are_not_rescanned),
        cmocka_unit_test(test_template__unicode_in_text_and_values),
        cmocka_unit_test(test_template__empty_template_and_no_placeholders),
        cmocka_unit_test(test_template__one_megabyte_with_many_placeholders),
        cmocka_unit_test(test_template__malformed_forms_give_position),
        cmocka_unit_test(test_template__example_message),
        cmocka_unit_test(test_template__malformed_wins_over_missing),
        cmocka_unit_test(test_template__invalid_utf8_template),
        cmocka_unit_test(test_template__too_long_template),
        cmocka_unit_test(test_template__rendered_text_over_limit),
        cmocka_unit_test(test_template__missing_variable_is_named),
        cmocka_unit_test(test_template__other_json_types_name_the_variable),
        cmocka_unit_test(test_template__malformed_variables_json),
        cmocka_unit_test(test_template__nul_in_a_value_is_refused),
        cmocka_unit_test(test_template__duplicate_keys_last_wins),
        cmocka_unit_test(test_template__whitespace_and_bom_in_variables),
        cmocka_unit_test(test_template__booleans),
        cmocka_unit_test(test_template__numbers_as_python_writes_them),
        cmocka_unit_test(test_template__variables_in_order_of_first_use),
        cmocka_unit_test(test_template__many_distinct_variables),
        cmocka_unit_test(test_template__null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
