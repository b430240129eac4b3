/* Line diffs: exact unified output for small cases (as GNU diff -u and Python's difflib
 * with n=3 print them), "\ No newline at end of file" markers, empty texts, big inputs,
 * the fallback for costly inputs, and a property test: applying the diff to the old text
 * gives the new text, with the fewest changed lines. Pure functions: no store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *diff(const char *old_text, const char *new_text)
{
    char *out = NULL;
    return testutil_take(igny8_text_diff(old_text, new_text, NULL, NULL, &out), &out);
}

static void assert_diff(const char *old_text, const char *new_text, const char *expected)
{
    char *got = diff(old_text, new_text);
    if (strcmp(got, expected) != 0)
        fail_msg("diff of\n%s\n---- and ----\n%s\n---- is ----\n%s---- expected ----\n%s", old_text, new_text, got,
                 expected);
    free(got);
}

/* "1\n2\n...n\n", with line k replaced by `with` when k > 0 (and line k2 too). */
static char *numbered(int n, int k, int k2, const char *with)
{
    char *s = malloc((size_t)n * 16 + 1), *p = s;
    for (int i = 1; i <= n; i++)
        p += (i == k || i == k2) ? sprintf(p, "%s\n", with) : sprintf(p, "%d\n", i);
    *p = '\0';
    return s;
}

/* ---- a unified-diff applier ---- */

typedef struct {
    const char *s;
    size_t len;  /* without its '\n' */
    int newline;
} text_line;

/* Split text into lines; returns the count. */
static size_t split(const char *text, text_line **out)
{
    size_t n = 0, cap = 16;
    *out = malloc(cap * sizeof(text_line));
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        if (n == cap)
            *out = realloc(*out, (cap *= 2) * sizeof(text_line));
        (*out)[n++] = (text_line){ p, nl ? (size_t)(nl - p) : strlen(p), nl != NULL };
        p = nl ? nl + 1 : p + strlen(p);
    }
    return n;
}

static void append(char **buf, size_t *len, const char *s, size_t n)
{
    size_t cap = 64;
    while (cap <= *len)  /* the capacity is the power of two above len: grow when crossing it */
        cap *= 2;
    if (*len + n + 1 > cap) {
        while (cap < *len + n + 1)
            cap *= 2;
        *buf = realloc(*buf, cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static void append_line(char **buf, size_t *len, const text_line *l)
{
    append(buf, len, l->s, l->len);
    if (l->newline)
        append(buf, len, "\n", 1);
}

/* Apply a unified diff to old_text, checking every context and deleted line against it. */
static char *apply(const char *old_text, const char *patch)
{
    text_line *old = NULL, *d = NULL;
    size_t n_old = split(old_text, &old), n_d = split(patch, &d), at = 0, len = 0, i = 2;
    char *out = calloc(64, 1);
    assert_true(n_d >= 3);
    assert_true(d[0].len >= 4 && memcmp(d[0].s, "--- ", 4) == 0);
    assert_true(d[1].len >= 4 && memcmp(d[1].s, "+++ ", 4) == 0);
    while (i < n_d) {
        unsigned long a = 0, b = 1, c = 0, e = 1;
        assert_true(d[i].len > 2 && memcmp(d[i].s, "@@ -", 4) == 0);
        if (sscanf(d[i].s, "@@ -%lu,%lu +%lu,%lu @@", &a, &b, &c, &e) != 4) {
            b = e = 1;
            char rest[32];
            int got = sscanf(d[i].s, "@@ -%lu%31s", &a, rest);
            assert_true(got >= 1);
            if (rest[0] == ',')
                sscanf(rest, ",%lu", &b);
        }
        size_t start = b == 0 ? a : a - 1;  /* "-a,0": after line a */
        assert_true(start >= at && start <= n_old);
        for (; at < start; at++)
            append_line(&out, &len, &old[at]);
        for (i++; i < n_d && d[i].s[0] != '@'; i++) {
            text_line body = { d[i].s + 1, d[i].len - 1, 1 };
            if (i + 1 < n_d && d[i + 1].s[0] == '\\')
                body.newline = 0;
            if (d[i].s[0] == '\\')
                continue;
            if (d[i].s[0] == ' ' || d[i].s[0] == '-') {
                assert_true(at < n_old);
                assert_int_equal(body.len, old[at].len);
                assert_memory_equal(body.s, old[at].s, body.len);
                assert_int_equal(body.newline, old[at].newline);
                at++;
            }
            if (d[i].s[0] == ' ' || d[i].s[0] == '+')
                append_line(&out, &len, &body);
            else
                assert_int_equal(d[i].s[0], '-');
        }
    }
    for (; at < n_old; at++)
        append_line(&out, &len, &old[at]);
    free(old);
    free(d);
    return out;
}

/* ---- exact output ---- */

static void test_diff__equal_texts_give_empty_string(void **state)
{
    (void)state;
    assert_diff("", "", "");
    assert_diff("same\ntext\n", "same\ntext\n", "");
    assert_diff("no newline", "no newline", "");
}

static void test_diff__pure_insertion(void **state)
{
    (void)state;
    assert_diff("a\nb\nc\n", "a\nb\nX\nc\n", "--- a\n+++ b\n@@ -1,3 +1,4 @@\n a\n b\n+X\n c\n");
    assert_diff("a\nb\nc\nd\ne\n", "X\na\nb\nc\nd\ne\n", "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+X\n a\n b\n c\n");
    assert_diff("a\nb\nc\nd\ne\n", "a\nb\nc\nd\ne\nX\n", "--- a\n+++ b\n@@ -3,3 +3,4 @@\n c\n d\n e\n+X\n");
}

static void test_diff__pure_deletion(void **state)
{
    (void)state;
    assert_diff("a\nb\nc\nd\n", "a\nc\nd\n", "--- a\n+++ b\n@@ -1,4 +1,3 @@\n a\n-b\n c\n d\n");
    assert_diff("a\nb\n", "b\n", "--- a\n+++ b\n@@ -1,2 +1 @@\n-a\n b\n");
}

static void test_diff__change_in_the_middle_with_context(void **state)
{
    (void)state;
    char *a = numbered(10, 0, 0, NULL), *b = numbered(10, 5, 0, "five");
    assert_diff(a, b, "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    free(b);
    b = numbered(10, 1, 0, "one");  /* at the start: less context before */
    assert_diff(a, b, "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n");
    free(b);
    b = numbered(10, 10, 0, "ten");  /* at the end: less context after */
    assert_diff(a, b, "--- a\n+++ b\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+ten\n");
    free(b);
    free(a);
}

static void test_diff__hunks_merge_when_close(void **state)
{
    (void)state;
    char *a = numbered(20, 0, 0, NULL);
    /* 6 equal lines between the changes: the contexts touch, one hunk */
    char *b = numbered(20, 5, 12, "X");
    assert_diff(a, b, "--- a\n+++ b\n@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+X\n"
                      " 13\n 14\n 15\n");
    free(b);
    /* 3 equal lines between: the contexts overlap, one hunk */
    b = numbered(20, 5, 9, "X");
    assert_diff(a, b, "--- a\n+++ b\n@@ -2,11 +2,11 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n-9\n+X\n 10\n 11\n 12\n");
    free(b);
    free(a);
}

static void test_diff__hunks_split_when_far(void **state)
{
    (void)state;
    char *a = numbered(20, 0, 0, NULL);
    /* 7 equal lines between the changes: one of them is in no context, two hunks */
    char *b = numbered(20, 5, 13, "X");
    assert_diff(a, b, "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"
                      "@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+X\n 14\n 15\n 16\n");
    free(b);
    free(a);
}

static void test_diff__no_newline_at_end_markers(void **state)
{
    (void)state;
    static const char *const no_nl = "\\ No newline at end of file\n";
    char expected[256];
    /* both sides lack it */
    snprintf(expected, sizeof(expected), "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n%s+c\n%s", no_nl, no_nl);
    assert_diff("a\nb", "a\nc", expected);
    /* only the old side lacks it: the line changes */
    snprintf(expected, sizeof(expected), "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n%s+b\n", no_nl);
    assert_diff("a\nb", "a\nb\n", expected);
    /* only the new side lacks it */
    snprintf(expected, sizeof(expected), "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n%s", no_nl);
    assert_diff("a\nb\n", "a\nb", expected);
    /* a context line without it */
    snprintf(expected, sizeof(expected), "--- a\n+++ b\n@@ -1,3 +1,3 @@\n-a\n+x\n b\n c\n%s", no_nl);
    assert_diff("a\nb\nc", "x\nb\nc", expected);
    /* a one-line text */
    snprintf(expected, sizeof(expected), "--- a\n+++ b\n@@ -1 +1 @@\n-x\n%s+y\n%s", no_nl, no_nl);
    assert_diff("x", "y", expected);
}

static void test_diff__empty_old_or_new(void **state)
{
    (void)state;
    assert_diff("", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    assert_diff("a\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n");
    assert_diff("", "x", "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
    assert_diff("\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-\n");
}

static void test_diff__crlf_is_part_of_the_line(void **state)
{
    (void)state;
    assert_diff("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n", "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n");
    assert_diff("a\r\nb\n", "a\nb\n", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-a\r\n+a\n b\n");
}

static void test_diff__labels(void **state)
{
    (void)state;
    char *out = NULL;
    assert_igny8_ok(igny8_text_diff("a\n", "b\n", "ideas v1", "ideas v2", &out));
    assert_string_equal(out, "--- ideas v1\n+++ ideas v2\n@@ -1 +1 @@\n-a\n+b\n");
    igny8_free(out);
    assert_igny8_ok(igny8_text_diff("a\n", "b\n", NULL, "new", &out));
    assert_string_equal(out, "--- a\n+++ new\n@@ -1 +1 @@\n-a\n+b\n");
    igny8_free(out);
}

static void test_diff__null_arguments(void **state)
{
    (void)state;
    char *out = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "old_text", igny8_text_diff(NULL, "", NULL, NULL, &out));
    assert_null(out);
    out = (char *)"sentinel";
    assert_igny8_fails(IGNY8_EINVAL, "new_text", igny8_text_diff("", NULL, NULL, NULL, &out));
    assert_null(out);
    assert_igny8_fails(IGNY8_EINVAL, "out_diff", igny8_text_diff("", "", NULL, NULL, NULL));
}

/* ---- big inputs ---- */

/* About 1 MB of numbered lines; lines whose number is in `changed` read "changed k". */
static char *big_text(int lines, const int *changed, size_t n_changed)
{
    char *s = malloc((size_t)lines * 32 + 1), *p = s;
    for (int i = 0; i < lines; i++) {
        int hit = 0;
        for (size_t k = 0; k < n_changed; k++)
            hit |= changed[k] == i;
        p += sprintf(p, hit ? "changed %d\n" : "prompt line number %d\n", i);
    }
    *p = '\0';
    return s;
}

static size_t count_prefixed(const char *text, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, prefix, len) == 0;
    return n;
}

static void test_diff__one_megabyte_input(void **state)
{
    (void)state;
    static const int changed[] = { 100, 20000, 20003, 39000 };
    char *a = big_text(45000, NULL, 0), *b = big_text(45000, changed, 4);
    assert_true(strlen(a) > 1000000);
    char *d = diff(a, b);
    assert_int_equal(count_prefixed(d, "@@ "), 3);  /* 20000 and 20003 share a hunk */
    assert_int_equal(count_prefixed(d, "-"), 4 + 1);
    assert_int_equal(count_prefixed(d, "+"), 4 + 1);
    testutil_assert_contains(d, "@@ -98,7 +98,7 @@\n prompt line number 97\n");
    testutil_assert_contains(d, "@@ -19998,10 +19998,10 @@\n");
    char *applied = apply(a, d);
    assert_string_equal(applied, b);
    free(applied);
    free(d);
    free(b);
    free(a);
}

/* Every other line differs: D = 20000 passes the bound, and the middle is replaced whole. */
static void test_diff__costly_input_falls_back_to_one_change(void **state)
{
    (void)state;
    int n = 20000;
    char *a = malloc((size_t)n * 24), *b = malloc((size_t)n * 24), *pa = a, *pb = b;
    for (int i = 0; i < n; i++) {
        pa += sprintf(pa, "line %d\n", i);
        pb += i % 2 ? sprintf(pb, "other %d\n", i) : sprintf(pb, "line %d\n", i);
    }
    char *d = diff(a, b);
    /* one hunk; the first line is common (context), then all of the old middle is
     * deleted and all of the new middle added: no context line between them */
    assert_int_equal(count_prefixed(d, "@@ "), 1);
    testutil_assert_contains(d, "@@ -1,20000 +1,20000 @@\n line 0\n-line 1\n-line 2\n");
    assert_int_equal(count_prefixed(d, " "), 1);
    assert_int_equal(count_prefixed(d, "-"), (size_t)n - 1 + 1);
    assert_int_equal(count_prefixed(d, "+"), (size_t)n - 1 + 1);
    char *applied = apply(a, d);
    assert_string_equal(applied, b);
    free(applied);
    free(d);
    free(a);
    free(b);
}

/* ---- property: applying the diff gives the new text, with the fewest changes ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;  /* xorshift64 */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static void random_text(char *buf, int max_lines)
{
    static const char *const alphabet[] = { "a", "b", "c", "d", "e", "", "a\r", "{x}" };
    int n = (int)(rng() % (uint32_t)(max_lines + 1));
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(buf, alphabet[rng() % 8]);
        strcat(buf, "\n");
    }
    if (n > 0 && rng() % 3 == 0)
        buf[strlen(buf) - 1] = '\0';  /* no final newline */
}

/* The new text as an edit of the old one: lines kept, dropped, replaced or added. */
static void mutate(const char *old_text, char *buf)
{
    text_line *l = NULL;
    size_t n = split(old_text, &l);
    buf[0] = '\0';
    for (size_t i = 0; i <= n; i++) {
        uint32_t r = rng() % 10;
        if (r == 0)
            strcat(buf, "new\n");
        if (i == n)
            break;
        if (r >= 2 && r != 9) {
            strncat(buf, l[i].s, l[i].len);
            strcat(buf, l[i].newline ? "\n" : "");
        } else if (r == 9) {
            strcat(buf, "b\n");
        }
    }
    free(l);
}

/* The number of lines the shortest edit script changes: n + m - 2 * LCS. */
static size_t min_changes(const char *old_text, const char *new_text)
{
    text_line *a = NULL, *b = NULL;
    size_t n = split(old_text, &a), m = split(new_text, &b);
    size_t *row = calloc((n + 1) * (m + 1), sizeof(size_t));
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int eq = a[i - 1].len == b[j - 1].len && a[i - 1].newline == b[j - 1].newline &&
                     memcmp(a[i - 1].s, b[j - 1].s, a[i - 1].len) == 0;
            size_t up = row[(i - 1) * (m + 1) + j], left = row[i * (m + 1) + j - 1];
            row[i * (m + 1) + j] = eq ? row[(i - 1) * (m + 1) + j - 1] + 1 : (up > left ? up : left);
        }
    size_t lcs = row[n * (m + 1) + m];
    free(row);
    free(a);
    free(b);
    return n + m - 2 * lcs;
}

static void test_diff__applying_gives_the_new_text(void **state)
{
    (void)state;
    char a[1024], b[2048];
    for (int round = 0; round < 200; round++) {
        random_text(a, 30);
        if (rng() % 4 == 0)
            random_text(b, 30);
        else
            mutate(a, b);
        char *d = diff(a, b);
        if (strcmp(a, b) == 0) {
            assert_string_equal(d, "");
            free(d);
            continue;
        }
        char *applied = apply(a, d);
        if (strcmp(applied, b) != 0)
            fail_msg("round %d: applying\n%s\nto\n%s\ngave\n%s\nnot\n%s", round, d, a, applied, b);
        size_t changes = count_prefixed(d, "-") + count_prefixed(d, "+") - 2;  /* minus the headers */
        assert_int_equal(changes, min_changes(a, b));
        free(applied);
        free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff__equal_texts_give_empty_string),
        cmocka_unit_test(test_diff__pure_insertion),
        cmocka_unit_test(test_diff__pure_deletion),
        cmocka_unit_test(test_diff__change_in_the_middle_with_context),
        cmocka_unit_test(test_diff__hunks_merge_when_close),
        cmocka_unit_test(test_diff__hunks_split_when_far),
        cmocka_unit_test(test_diff__no_newline_at_end_markers),
        cmocka_unit_test(test_diff__empty_old_or_new),
        cmocka_unit_test(test_diff__crlf_is_part_of_the_line),
        cmocka_unit_test(test_diff__labels),
        cmocka_unit_test(test_diff__null_arguments),
        cmocka_unit_test(test_diff__one_megabyte_input),
        cmocka_unit_test(test_diff__costly_input_falls_back_to_one_change),
        cmocka_unit_test(test_diff__applying_gives_the_new_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
