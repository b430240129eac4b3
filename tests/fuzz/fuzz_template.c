/* igny8_template_variables_json and igny8_template_render (prompt.h), no store.
 *
 * Input: the template, then optionally a NUL byte and the variables (a JSON object); with
 * no NUL the template is rendered with no variables.
 * Invariants:
 * - render succeeds => the check succeeds (a malformed template never renders), and the
 *   text is valid UTF-8;
 * - the check succeeds => its list is a JSON array of distinct identifiers, each used as
 *   "{name}" in the template, and rendering with every listed variable given succeeds and
 *   gives what a plain reading of the template gives (values that look like placeholders
 *   stay as they are: one pass);
 * - the check fails => IGNY8_EINVAL naming "template". */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"

/* internal: UTF-8 validity */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_ident(const char *s)
{
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* The value a variable gets: a placeholder of itself, so a second pass would show. */
static void value_of(const char *name, size_t n, char *out, size_t *len)
{
    out[(*len)++] = '{';
    memcpy(out + *len, name, n);
    *len += n;
    out[(*len)++] = '}';
    out[(*len)++] = '!';
}

/* The template read plainly, knowing it is well-formed: "{{" and "}}" are braces, and
 * "{name}" becomes value_of(name). */
static char *expected(const char *t)
{
    size_t cap = strlen(t) * 2 + 1, len = 0;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    while (*t) {
        if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
            out[len++] = *t;
            t += 2;
        } else if (*t == '{') {
            const char *end = strchr(t, '}');
            FUZZ_CHECK(end != NULL);
            value_of(t + 1, (size_t)(end - t - 1), out, &len);
            t = end + 1;
        } else {
            out[len++] = *t++;
        }
    }
    out[len] = '\0';
    return out;
}

static void check_variables(const char *tpl, const char *list)
{
    cJSON *arr = cJSON_Parse(list), *vars = cJSON_CreateObject();
    char placeholder[512], value[512];
    FUZZ_CHECK(cJSON_IsArray(arr) && vars != NULL);
    for (const cJSON *v = arr->child; v; v = v->next) {
        FUZZ_CHECK(cJSON_IsString(v) && is_ident(v->valuestring));
        size_t n = strlen(v->valuestring), len = 0;
        for (const cJSON *w = arr->child; w != v; w = w->next)
            FUZZ_CHECK(strcmp(w->valuestring, v->valuestring) != 0);
        if (n + 4 > sizeof(placeholder))
            continue;  /* a name that long cannot be given a value here; still listed once */
        placeholder[0] = '{';
        memcpy(placeholder + 1, v->valuestring, n);
        memcpy(placeholder + 1 + n, "}", 2);
        FUZZ_CHECK(strstr(tpl, placeholder) != NULL);
        value_of(v->valuestring, n, value, &len);
        value[len] = '\0';
        FUZZ_CHECK(cJSON_AddStringToObject(vars, v->valuestring, value) != NULL);
    }
    if (cJSON_GetArraySize(vars) == cJSON_GetArraySize(arr)) {
        char *vars_json = cJSON_PrintUnformatted(vars), *text = NULL, *want = expected(tpl);
        FUZZ_CHECK(vars_json != NULL);
        FUZZ_CHECK(igny8_template_render(tpl, vars_json, &text) == IGNY8_OK);
        FUZZ_CHECK(strcmp(text, want) == 0);
        igny8_free(text);
        free(want);
        cJSON_free(vars_json);
    }
    cJSON_Delete(vars);
    cJSON_Delete(arr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = fuzz_cstr(data, size), *list = NULL, *text = NULL;
    size_t tlen = strlen(input), bad = 0;
    const char *variables = tlen < size ? input + tlen + 1 : NULL;

    int rc_check = igny8_template_variables_json(input, &list);
    int check_names_template = fuzz_same(igny8_error_last()->field, "template");
    int rc_render = igny8_template_render(input, variables, &text);
    if (rc_render == IGNY8_OK) {
        FUZZ_CHECK(rc_check == IGNY8_OK);
        FUZZ_CHECK(text != NULL && igny8__utf8_valid(text, &bad));
    } else {
        FUZZ_CHECK(rc_render < 0 && text == NULL);
    }
    if (rc_check == IGNY8_OK) {
        check_variables(input, list);
    } else {
        FUZZ_CHECK(rc_check == IGNY8_EINVAL && list == NULL);
        FUZZ_CHECK(check_names_template);
        FUZZ_CHECK(rc_render != IGNY8_OK);
    }
    igny8_free(list);
    igny8_free(text);
    free(input);
    return 0;
}
