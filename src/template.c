/* Templates: the named-field subset of Python's str.format (DESIGN §2b).
 *
 * "{name}" (an ASCII identifier) is a placeholder, "{{" and "}}" are literal braces, and
 * any other brace is an error reported with its byte offset, line and column. Rendering
 * is one pass over the template into one growing buffer; values come from a JSON object
 * and are written as Python's str() writes what json.loads returns, so that the output is
 * byte-identical to template.format(**json.loads(variables)). */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "buf.h"
#include "json.h"
#include "template.h"

/* ---- scanning: one token at a time ---- */

typedef enum { TOK_END, TOK_TEXT, TOK_NAME, TOK_BAD } tok_kind;

typedef enum {
    BAD_UNCLOSED, BAD_LONE_CLOSE, BAD_EMPTY, BAD_ATTRIBUTE, BAD_INDEX, BAD_CONVERSION, BAD_SPEC,
    BAD_DIGIT, BAD_CHAR
} bad_kind;

typedef struct {
    tok_kind kind;
    const char *start;  /* TEXT: the text; NAME: the name; BAD: the byte at fault */
    size_t len;
    bad_kind bad;
} token;

static int is_name_start(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static const char *token_set(token *t, tok_kind kind, const char *start, size_t len)
{
    t->kind = kind;
    t->start = start;
    t->len = len;
    return start + len;
}

static const char *token_bad(token *t, const char *at, bad_kind bad)
{
    t->kind = TOK_BAD;
    t->start = at;
    t->len = 0;
    t->bad = bad;
    return at;
}

/* After a '{' that is not "{{": a name and its '}', or what is wrong. */
static const char *scan_placeholder(const char *open, token *t)
{
    const char *p = open + 1;
    if (is_name_start((unsigned char)*p))
        while (is_name_char((unsigned char)*++p))
            ;
    size_t n = (size_t)(p - (open + 1));
    if (*p == '}' && n > 0)
        return token_set(t, TOK_NAME, open + 1, n) + 1;
    switch (*p) {
    case '\0': return token_bad(t, open, BAD_UNCLOSED);
    case '}': return token_bad(t, open, BAD_EMPTY);
    case '.': return token_bad(t, p, BAD_ATTRIBUTE);
    case '[': return token_bad(t, p, BAD_INDEX);
    case '!': return token_bad(t, p, BAD_CONVERSION);
    case ':': return token_bad(t, p, BAD_SPEC);
    default: return token_bad(t, p, n == 0 && *p >= '0' && *p <= '9' ? BAD_DIGIT : BAD_CHAR);
    }
}

/* The token at p and where the next one starts. */
static const char *scan(const char *p, token *t)
{
    if (*p == '\0')
        return token_set(t, TOK_END, p, 0);
    if (*p != '{' && *p != '}')
        return token_set(t, TOK_TEXT, p, strcspn(p, "{}"));
    if (p[1] == p[0])  /* "{{" or "}}": one literal brace */
        return token_set(t, TOK_TEXT, p, 1) + 1;
    if (*p == '}')
        return token_bad(t, p, BAD_LONE_CLOSE);
    return scan_placeholder(p, t);
}

/* ---- errors ---- */

/* The byte at fault, quoted; a whole character when it starts a UTF-8 sequence. */
static void describe_byte(const char *at, char *buf, size_t cap)
{
    unsigned char c = (unsigned char)*at;
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c < 0x20 || c == 0x7F)
        snprintf(buf, cap, "byte 0x%02X", c);
    else
        snprintf(buf, cap, "'%.*s'", n, at);
}

static void describe_bad(const token *t, char *buf, size_t cap)
{
    char what[16];
    switch (t->bad) {
    case BAD_UNCLOSED: snprintf(buf, cap, "'{' is not closed (a literal '{' is written '{{')"); return;
    case BAD_LONE_CLOSE: snprintf(buf, cap, "single '}' (a literal '}' is written '}}')"); return;
    case BAD_EMPTY: snprintf(buf, cap, "'{}' has no name (placeholders are {name})"); return;
    case BAD_ATTRIBUTE: snprintf(buf, cap, "attribute access '.' is not supported in a placeholder"); return;
    case BAD_INDEX: snprintf(buf, cap, "indexing '[' is not supported in a placeholder"); return;
    case BAD_CONVERSION: snprintf(buf, cap, "conversion '!' is not supported in a placeholder"); return;
    case BAD_SPEC: snprintf(buf, cap, "format spec ':' is not supported in a placeholder"); return;
    case BAD_DIGIT:
        snprintf(buf, cap, "positional placeholders are not supported (a name cannot start with a digit)");
        return;
    case BAD_CHAR:
        describe_byte(t->start, what, sizeof(what));
        snprintf(buf, cap, "%s cannot be in a placeholder name ([A-Za-z_][A-Za-z0-9_]*)", what);
        return;
    }
}

/* IGNY8_EINVAL naming field, with the byte offset, line and column (1-based; the column
 * counts characters, not bytes) of the fault. */
static int malformed(const char *text, const char *field, const token *t)
{
    size_t at = (size_t)(t->start - text), line = 1, column = 1;
    for (const char *p = text; p < t->start; p++) {
        if (*p == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            column++;
        }
    }
    char why[160];
    describe_bad(t, why, sizeof(why));
    return igny8__error_set(IGNY8_EINVAL, field, "%s is malformed at byte %zu (line %zu, column %zu): %s",
                            field, at, line, column, why);
}

/* Size and encoding: at most IGNY8_PROMPT_MAX_BYTES of UTF-8. */
static int check_text(const char *text, const char *field)
{
    if (text == NULL)
        return igny8__error_set(IGNY8_EINVAL, field, "%s is NULL", field);
    size_t n = strnlen(text, (size_t)IGNY8_PROMPT_MAX_BYTES + 1), bad = 0;
    if (n > IGNY8_PROMPT_MAX_BYTES)
        return igny8__error_set(IGNY8_EINVAL, field, "%s is longer than the %u-byte limit", field,
                                IGNY8_PROMPT_MAX_BYTES);
    if (!igny8__utf8_valid(text, &bad))
        return igny8__error_set(IGNY8_EINVAL, field, "%s is not valid UTF-8 (at byte %zu)", field, bad);
    return IGNY8_OK;
}

/* ---- a hash table of names (spans of text, not copies) ---- */

typedef struct {
    const char *key;    /* NULL: empty slot */
    size_t key_len;
    const char *value;  /* rendering: the text a placeholder becomes */
    size_t value_len;
    char *owned;        /* value, when we made it (numbers) */
} slot;

typedef struct {
    slot *slots;
    size_t mask;   /* capacity - 1; the capacity is a power of two */
    size_t count;
} table;

static size_t hash_span(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;  /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding key, or the empty slot where it would go. */
static slot *table_probe(const table *t, const char *key, size_t n)
{
    size_t i = hash_span(key, n) & t->mask;
    for (;; i = (i + 1) & t->mask) {
        slot *s = &t->slots[i];
        if (s->key == NULL || (s->key_len == n && memcmp(s->key, key, n) == 0))
            return s;
    }
}

static int table_init(table *t, size_t expected)
{
    size_t cap = 16;
    while (cap / 2 < expected && cap < SIZE_MAX / 4)
        cap *= 2;
    t->slots = igny8__calloc(cap, sizeof(slot));
    t->mask = cap - 1;
    t->count = 0;
    return t->slots ? IGNY8_OK : igny8__error_oom();
}

static void table_free(table *t)
{
    if (t->slots)
        for (size_t i = 0; i <= t->mask; i++)
            igny8__free(t->slots[i].owned);
    igny8__free(t->slots);
    t->slots = NULL;
}

/* Double the capacity, keeping every entry. */
static int table_grow(table *t)
{
    table bigger;
    int rc = table_init(&bigger, (t->mask + 1));
    if (rc != IGNY8_OK)
        return rc;
    for (size_t i = 0; i <= t->mask; i++)
        if (t->slots[i].key)
            *table_probe(&bigger, t->slots[i].key, t->slots[i].key_len) = t->slots[i];
    bigger.count = t->count;
    igny8__free(t->slots);
    *t = bigger;
    return IGNY8_OK;
}

/* The slot of key, added (with no value) when new; *added says which. NULL on OOM. */
static slot *table_put(table *t, const char *key, size_t n, int *added)
{
    if ((t->count + 1) * 2 > t->mask + 1 && table_grow(t) != IGNY8_OK)
        return NULL;
    slot *s = table_probe(t, key, n);
    *added = s->key == NULL;
    if (*added) {
        s->key = key;
        s->key_len = n;
        t->count++;
    }
    return s;
}

/* ---- checking ---- */

/* Append a name to the JSON array text of variables the first time it is seen. */
static int note_name(table *seen, igny8__buf *names, const token *t)
{
    int added = 0;
    if (table_put(seen, t->start, t->len, &added) == NULL)
        return igny8__error_oom();
    if (!added)
        return IGNY8_OK;
    int rc = igny8__buf_append(names, names->len > 1 ? ",\"" : "\"", names->len > 1 ? 2 : 1);
    if (rc == IGNY8_OK)
        rc = igny8__buf_append(names, t->start, t->len);  /* an identifier: nothing to escape */
    return rc == IGNY8_OK ? igny8__buf_append(names, "\"", 1) : rc;
}

/* Scan the whole template; with names, collect its variables into it. */
static int validate(const char *text, const char *field, table *seen, igny8__buf *names)
{
    token t;
    const char *p = text;
    for (p = scan(p, &t); t.kind != TOK_END; p = scan(p, &t)) {
        if (t.kind == TOK_BAD)
            return malformed(text, field, &t);
        if (t.kind == TOK_NAME && names) {
            int rc = note_name(seen, names, &t);
            if (rc != IGNY8_OK)
                return rc;
        }
    }
    return IGNY8_OK;
}

int igny8__template_check(const char *text, const char *field, char **variables)
{
    if (variables)
        *variables = NULL;
    int rc = check_text(text, field);
    if (rc != IGNY8_OK || variables == NULL)
        return rc == IGNY8_OK ? validate(text, field, NULL, NULL) : rc;
    table seen = { NULL, 0, 0 };
    igny8__buf names = IGNY8__BUF_INIT;
    rc = table_init(&seen, 16);
    if (rc == IGNY8_OK)
        rc = igny8__buf_append(&names, "[", 1);
    if (rc == IGNY8_OK)
        rc = validate(text, field, &seen, &names);
    if (rc == IGNY8_OK)
        rc = igny8__buf_append(&names, "]", 1);
    if (rc == IGNY8_OK)
        rc = igny8__buf_finish(&names, variables);
    igny8__buf_free(&names);
    table_free(&seen);
    return rc;
}

/* ---- values as Python's str() writes them ---- */

/* Number formatting must not follow the host's LC_NUMERIC (a ',' decimal point). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_make(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t c_locale_use(void)
{
    pthread_once(&c_locale_once, c_locale_make);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void c_locale_restore(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

/* A JSON integer literal as Python's int: its digits, without leading zeros or "-0". */
static char *format_int(const char *lit, size_t n)
{
    int neg = lit[0] == '-';
    lit += neg;
    n -= (size_t)neg;
    while (n > 1 && lit[0] == '0') {
        lit++;
        n--;
    }
    if (n == 1 && lit[0] == '0')
        neg = 0;
    char *s = igny8__malloc(n + 2);
    if (s) {
        s[0] = '-';
        memcpy(s + neg, lit, n);
        s[n + (size_t)neg] = '\0';
    }
    return s;
}

/* "%e" text -> its significant digits and decimal exponent; trim: drop trailing zeros. */
static int split_e(const char *s, char digits[24], int *exp10, int trim)
{
    int n = 0;
    for (; *s && *s != 'e' && n < 23; s++)
        if (*s >= '0' && *s <= '9')
            digits[n++] = *s;
    while (trim && n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = *s == 'e' ? atoi(s + 1) : 0;
    return n;
}

/* Whether digits (one more in the last place) times 10^exp10 reads back as a; if so,
 * digits and exp10 become that. Needed next to powers of two, where the interval of
 * decimals that read back as a is narrower below a than above it. */
static int next_up_reads_back(double a, char digits[24], int n, int *exp10)
{
    char up[24], text[40];
    memcpy(up, digits, (size_t)n + 1);
    int i = n - 1, e = *exp10;
    while (i >= 0 && up[i] == '9')
        up[i--] = '0';
    if (i < 0) {  /* 9.99 -> 10.0: one digit, next power of ten */
        memcpy(up, "1", 2);
        e++;
    } else {
        up[i]++;
    }
    snprintf(text, sizeof(text), "%c.%se%d", up[0], up[1] ? up + 1 : "0", e);
    if (strtod(text, NULL) != a)
        return 0;
    split_e(text, digits, exp10, 1);
    return 1;
}

/* The shortest digit string that reads back as a (> 0), as Python's repr finds it. */
static int shortest_digits(double a, char digits[24], int *exp10)
{
    char text[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof(text), "%.*e", precision - 1, a);
        int n = split_e(text, digits, exp10, 0);
        if (strtod(text, NULL) == a)
            return split_e(text, digits, exp10, 1);
        if (next_up_reads_back(a, digits, n, exp10))
            return (int)strlen(digits);
    }
    snprintf(text, sizeof(text), "%.16e", a);  /* 17 digits always read back */
    return split_e(text, digits, exp10, 1);
}

/* Python's float repr layout: fixed notation when -4 < decpt <= 16, else exponent. */
static void float_layout(int neg, const char *digits, int n, int exp10, char *out, size_t cap)
{
    int decpt = exp10 + 1;
    const char *sign = neg ? "-" : "";
    if (decpt <= -4 || decpt > 16) {
        snprintf(out, cap, "%s%c%s%.*se%+03d", sign, digits[0], n > 1 ? "." : "", n - 1, digits + 1, exp10);
    } else if (decpt <= 0) {
        snprintf(out, cap, "%s0.%.*s%s", sign, -decpt, "0000", digits);
    } else if (decpt < n) {
        snprintf(out, cap, "%s%.*s.%s", sign, decpt, digits, digits + decpt);
    } else {
        snprintf(out, cap, "%s%s%.*s.0", sign, digits, decpt - n, "0000000000000000");
    }
}

/* A JSON number literal with '.', 'e' or 'E' as Python's repr(float). */
static char *format_float(const char *lit)
{
    double d = strtod(lit, NULL);  /* stops at the end of the literal */
    char out[48], digits[24];
    int exp10 = 0;
    if (isinf(d)) {
        snprintf(out, sizeof(out), "%s", d < 0 ? "-inf" : "inf");
    } else if (d == 0.0) {
        snprintf(out, sizeof(out), "%s", signbit(d) ? "-0.0" : "0.0");
    } else {
        int n = shortest_digits(fabs(d), digits, &exp10);
        float_layout(signbit(d) != 0, digits, n, exp10, out, sizeof(out));
    }
    return igny8__strdup(out);
}

/* ---- variables: the raw text of the JSON object, walked next to cJSON's members ---- */

/* cJSON skips every byte up to ' ' as whitespace, and a leading UTF-8 BOM. */
static const char *skip_ws(const char *p)
{
    while (*p && (unsigned char)*p <= 32)
        p++;
    return p;
}

/* The end of the JSON string starting at p ('"'); *has_nul: it contains \u0000, which
 * cJSON cuts the string at. NULL if p is not a string. */
static const char *skip_string(const char *p, int *has_nul)
{
    *has_nul = 0;
    if (*p++ != '"')
        return NULL;
    for (; *p && *p != '"'; p++) {
        if (*p != '\\')
            continue;
        if (p[1] == 'u' && strncmp(p + 2, "0000", 4) == 0)
            *has_nul = 1;
        if (*++p == '\0')
            return NULL;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *skip_number(const char *p)
{
    while (*p && strchr("0123456789+-.eE", *p))
        p++;
    return p;
}

static int vars_mismatch(const char *json, const char *p)
{
    return igny8__error_set(IGNY8_ERROR, "variables", "variables: unexpected byte at %zu after parsing",
                            (size_t)(p - json));
}

static const char *json_type_name(const cJSON *item)
{
    return cJSON_IsNull(item) ? "null" : cJSON_IsObject(item) ? "an object" : cJSON_IsArray(item) ? "an array"
                                                                                                  : "invalid";
}

/* The text of one scalar value at p, as str() writes it; *end: after the value. */
static int value_text(const cJSON *item, const char *p, slot *v, const char **end)
{
    int nul = 0;
    const char *field = item->string;
    if (cJSON_IsString(item)) {
        *end = skip_string(p, &nul);
        if (nul)
            return igny8__error_set(IGNY8_EINVAL, field, "variable '%s' contains U+0000, which a prompt cannot hold",
                                    field);
        v->value = item->valuestring;
        v->value_len = strlen(item->valuestring);
    } else if (cJSON_IsNumber(item)) {
        *end = skip_number(p);
        size_t n = (size_t)(*end - p);
        v->owned = memchr(p, '.', n) || memchr(p, 'e', n) || memchr(p, 'E', n) ? format_float(p) : format_int(p, n);
        if (v->owned == NULL)
            return igny8__error_oom();
        v->value = v->owned;
        v->value_len = strlen(v->owned);
    } else if (cJSON_IsBool(item)) {
        v->value = cJSON_IsTrue(item) ? "True" : "False";
        v->value_len = strlen(v->value);
        *end = p + (cJSON_IsTrue(item) ? 4 : 5);
    } else {
        return igny8__error_set(IGNY8_EINVAL, field, "variable '%s' is %s; values must be strings, numbers or booleans",
                                field, json_type_name(item));
    }
    return IGNY8_OK;
}

/* One member: its key at *p, its value; a later duplicate key replaces an earlier one. */
static int vars_member(const char *json, const cJSON *item, table *vars, const char **pp)
{
    int key_nul = 0;
    const char *p = skip_ws(*pp), *end = NULL;
    if (*p == ',')
        p = skip_ws(p + 1);
    const char *key_end = skip_string(p, &key_nul);
    if (key_end == NULL || *(p = skip_ws(key_end)) != ':')
        return vars_mismatch(json, p);
    slot v = { NULL, 0, NULL, 0, NULL };
    int rc = value_text(item, skip_ws(p + 1), &v, &end);
    if (rc != IGNY8_OK || end == NULL) {
        igny8__free(v.owned);
        return rc != IGNY8_OK ? rc : vars_mismatch(json, p);
    }
    *pp = end;
    if (key_nul) {  /* a key holding U+0000 never matches a placeholder name */
        igny8__free(v.owned);
        return IGNY8_OK;
    }
    int added = 0;
    slot *s = table_put(vars, item->string, strlen(item->string), &added);
    if (s == NULL) {
        igny8__free(v.owned);
        return igny8__error_oom();
    }
    igny8__free(s->owned);
    s->value = v.value;
    s->value_len = v.value_len;
    s->owned = v.owned;
    return IGNY8_OK;
}

/* Load the variables into vars; *root keeps the strings the values point into. */
static int vars_load(const char *json, table *vars, cJSON **root)
{
    *root = NULL;
    if (json == NULL)
        return table_init(vars, 0);
    if (strnlen(json, (size_t)IGNY8_PROMPT_MAX_BYTES + 1) > IGNY8_PROMPT_MAX_BYTES)
        return igny8__error_set(IGNY8_EINVAL, "variables", "variables is larger than the %u-byte limit",
                                IGNY8_PROMPT_MAX_BYTES);
    int rc = igny8__json_parse_object(json, "variables", root);
    if (rc == IGNY8_OK)
        rc = table_init(vars, (size_t)cJSON_GetArraySize(*root));
    if (rc != IGNY8_OK)
        return rc;
    const char *p = json;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p = skip_ws(p);
    if (*p++ != '{')
        return vars_mismatch(json, p - 1);
    locale_t previous = c_locale_use();
    for (const cJSON *item = (*root)->child; item && rc == IGNY8_OK; item = item->next)
        rc = vars_member(json, item, vars, &p);
    c_locale_restore(previous);
    return rc;
}

/* ---- rendering ---- */

static int missing(const token *t)
{
    char field[128];
    int n = t->len < sizeof(field) ? (int)t->len : (int)sizeof(field) - 1;
    snprintf(field, sizeof(field), "%.*s", n, t->start);
    return igny8__error_set(IGNY8_EINVAL, field, "variable '%s' is used by the template but not given", field);
}

static int too_long(void)
{
    return igny8__error_set(IGNY8_EINVAL, "variables", "the rendered prompt is longer than the %u-byte limit",
                            IGNY8_PROMPT_MAX_BYTES);
}

/* One pass that also checks the template: text is copied, each placeholder replaced by
 * its value, never rescanned. A malformed template wins over a missing variable that
 * comes before the fault, so the scan goes on after a missing one. */
static int emit(const char *text, size_t n, const table *vars, char **out)
{
    igny8__buf b = IGNY8__BUF_INIT;
    int rc = igny8__buf_reserve(&b, n + n / 4);
    token t, first_missing = { TOK_END, NULL, 0, BAD_CHAR };
    const char *p = text;
    for (p = scan(p, &t); rc == IGNY8_OK && t.kind != TOK_END; p = scan(p, &t)) {
        if (t.kind == TOK_BAD) {
            rc = malformed(text, "template", &t);
        } else if (first_missing.start) {
            continue;  /* failing anyway: only look for a malformed part */
        } else if (t.kind == TOK_TEXT) {
            rc = igny8__buf_append(&b, t.start, t.len);
        } else {
            const slot *s = table_probe(vars, t.start, t.len);
            if (s->key)
                rc = igny8__buf_append(&b, s->value, s->value_len);
            else
                first_missing = t;
        }
        if (rc == IGNY8_OK && b.len > IGNY8_PROMPT_MAX_BYTES)
            rc = too_long();
    }
    if (rc == IGNY8_OK && first_missing.start)
        rc = missing(&first_missing);
    if (rc == IGNY8_OK)
        return igny8__buf_finish(&b, out);
    igny8__buf_free(&b);
    return rc;
}

int igny8__template_render(const char *text, const char *variables_json, char **out)
{
    *out = NULL;
    int rc = check_text(text, "template");
    if (rc != IGNY8_OK)
        return rc;
    table vars = { NULL, 0, 0 };
    cJSON *root = NULL;
    rc = vars_load(variables_json, &vars, &root);
    if (rc == IGNY8_OK)
        rc = emit(text, strlen(text), &vars, out);
    else if (validate(text, "template", NULL, NULL) != IGNY8_OK)
        rc = IGNY8_EINVAL;  /* a malformed template is the first thing to fix */
    table_free(&vars);
    cJSON_Delete(root);
    return rc;
}

/* ---- public ---- */

int igny8_template_variables_json(const char *template_text, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(template_text);
    return igny8__template_check(template_text, "template", out_json);
}

int igny8_template_render(const char *template_text, const char *variables_json, char **out_text)
{
    IGNY8__CHECK_ARG(out_text);
    *out_text = NULL;
    IGNY8__CHECK_ARG(template_text);
    return igny8__template_render(template_text, variables_json, out_text);
}
