#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <pthread.h>

#include "common.h"
#include "json.h"

/* cJSON records every parse error in one process-wide variable: parses are serialised so
 * that threads sharing (or not sharing) a store never race on it. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local int tl_json_oom;

void igny8__json_note_oom(void) { tl_json_oom = 1; }

/* Whether text is well-formed UTF-8 (no stray continuation bytes, overlong forms,
 * surrogates or code points above U+10FFFF); *bad: the offset of the first bad byte. */
int igny8__utf8_valid(const char *text, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)text, *p = s, *end = s + strlen(text);
    while (p < end) {
        unsigned int cp, min;
        int n;
        /* ASCII runs, the common case, eight bytes at a time */
        uint64_t word;
        while (end - p >= 8 && (memcpy(&word, p, 8), (word & UINT64_C(0x8080808080808080)) == 0))
            p += 8;
        if (p == end)
            break;
        if (*p < 0x80) {
            p++;
            continue;
        }
        if ((*p & 0xE0) == 0xC0) { n = 1; cp = *p & 0x1Fu; min = 0x80; }
        else if ((*p & 0xF0) == 0xE0) { n = 2; cp = *p & 0x0Fu; min = 0x800; }
        else if ((*p & 0xF8) == 0xF0) { n = 3; cp = *p & 0x07u; min = 0x10000; }
        else break;
        int i;
        for (i = 1; i <= n && (p[i] & 0xC0) == 0x80; i++)  /* stops at the terminating NUL */
            cp = (cp << 6) | (p[i] & 0x3Fu);
        if (i <= n || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            break;
        p += n + 1;
    }
    *bad = (size_t)(p - s);
    return p == end;
}

/* How deeply arrays and objects are open at byte `at` of JSON text (strings skipped). */
static size_t depth_at(const char *text, size_t at)
{
    size_t depth = 0;
    int in_string = 0;
    for (const char *p = text; *p && (size_t)(p - text) < at; p++) {
        if (in_string) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            else if (*p == '"')
                in_string = 0;
        } else if (*p == '"') {
            in_string = 1;
        } else if (*p == '[' || *p == '{') {
            depth++;
        } else if ((*p == ']' || *p == '}') && depth > 0) {
            depth--;
        }
    }
    return depth;
}

int igny8__json_parse(const char *text, const char *what, cJSON **out)
{
    size_t bad = 0;
    *out = NULL;
    if (text == NULL)
        return igny8__error_set(IGNY8_EINVAL, what, "%s is NULL", what);
    /* cJSON passes any bytes through strings, and every view we print must be valid JSON */
    if (!igny8__utf8_valid(text, &bad))
        return igny8__error_set(IGNY8_EINVAL, what, "%s is not valid UTF-8 (at byte %zu)", what, bad);
    const char *end = NULL;
    pthread_mutex_lock(&parse_lock);
    cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
    pthread_mutex_unlock(&parse_lock);
    if (j == NULL) {
        size_t at = (end && end >= text) ? (size_t)(end - text) : 0;
        if (depth_at(text, at) >= CJSON_NESTING_LIMIT)  /* cJSON stops there, before the stack does */
            return igny8__error_set(IGNY8_EINVAL, what, "%s is nested deeper than %d arrays or objects (at byte %zu)",
                                    what, CJSON_NESTING_LIMIT, at);
        return igny8__error_set(IGNY8_EINVAL, what, "%s is not valid JSON (at byte %zu)", what, at);
    }
    *out = j;
    return IGNY8_OK;
}

/* The first "\u0000" escape inside a string of JSON text, or NULL. cJSON decodes it to a
 * NUL byte, which would silently cut the C string short: {"model":"gpt-4o\u0000x"} would
 * set the model gpt-4o. */
static const char *nul_escape(const char *text)
{
    int in_string = 0;
    for (const char *p = text; *p; p++) {
        if (!in_string) {
            in_string = *p == '"';
        } else if (*p == '"') {
            in_string = 0;
        } else if (*p == '\\') {
            if (strncmp(p + 1, "u0000", 5) == 0)
                return p;
            if (p[1] != '\0')
                p++;  /* the escaped character, which may be a quote or a backslash */
        }
    }
    return NULL;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* path[len..]: the name of a member (".name", or "name" at the top of a body whose root
 * is "") or the index of an element ("[3]"), cut to fit. */
static size_t path_push(char *path, size_t len, size_t cap, const cJSON *parent, const cJSON *item, size_t index)
{
    int n = cJSON_IsArray(parent) ? snprintf(path + len, cap - len, "[%zu]", index)
                                  : snprintf(path + len, cap - len, "%s%s", len ? "." : "", item->string);
    return n < 0 || (size_t)n >= cap - len ? cap - 1 : len + (size_t)n;
}

/* A name given twice in one object is an error naming its path: which one would count
 * is a guess (cJSON's lookup takes the first, a loop over members the last). */
static int unique_names(const cJSON *j, char *path, size_t len, size_t cap, const char *what)
{
    size_t n = 0, i = 0;
    const cJSON *c;
    for (c = j->child; c; c = c->next)
        n++;
    if (cJSON_IsObject(j) && n > 1) {
        const char **names = igny8__malloc(n * sizeof(*names));
        if (names == NULL)
            return igny8__error_oom();
        for (c = j->child; c; c = c->next)
            names[i++] = c->string;
        qsort(names, n, sizeof(*names), compare_names);
        const char *twice = NULL;
        for (i = 1; i < n && twice == NULL; i++)
            if (strcmp(names[i - 1], names[i]) == 0)
                twice = names[i];
        igny8__free(names);
        if (twice) {
            cJSON named = { 0 };
            named.string = (char *)twice;
            path_push(path, len, cap, j, &named, 0);
            return igny8__error_set(IGNY8_EINVAL, path, "%s is given twice in %s", path, what);
        }
    }
    i = 0;
    for (c = j->child; c; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        int rc = unique_names(c, path, path_push(path, len, cap, j, c, i), cap, what);
        path[len] = '\0';
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

int igny8__json_parse_body(const char *text, const char *what, size_t max_bytes, const char *root, cJSON **out)
{
    char path[256];
    *out = NULL;
    if (text == NULL)
        return igny8__error_set(IGNY8_EINVAL, what, "argument %s is NULL", what);
    if (max_bytes && strnlen(text, max_bytes + 1) > max_bytes)
        return igny8__error_set(IGNY8_EINVAL, what, "%s is larger than the %zu-byte limit", what, max_bytes);
    int rc = igny8__json_parse_object(text, what, out);
    const char *nul = rc == IGNY8_OK ? nul_escape(text) : NULL;
    if (nul)
        rc = igny8__error_set(IGNY8_EINVAL, what, "%s holds U+0000 (\\u0000 at byte %zu), which no setting can hold",
                              what, (size_t)(nul - text));
    snprintf(path, sizeof(path), "%s", root);
    if (rc == IGNY8_OK)
        rc = unique_names(*out, path, strlen(path), sizeof(path), what);
    if (rc != IGNY8_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

cJSON *igny8__json_parse_quiet(const char *text, size_t len)
{
    /* text[len] is its NUL: a NUL inside is not JSON, and cJSON counts the final one */
    if (text == NULL || strlen(text) != len)
        return NULL;
    pthread_mutex_lock(&parse_lock);
    cJSON *j = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    pthread_mutex_unlock(&parse_lock);
    return j;
}

int igny8__json_parse_object(const char *text, const char *what, cJSON **out)
{
    int rc = igny8__json_parse(text, what, out);
    if (rc == IGNY8_OK && !cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return igny8__error_set(IGNY8_EINVAL, what, "%s must be a JSON object", what);
    }
    return rc;
}

void igny8__json_reset(void) { tl_json_oom = 0; }

cJSON *igny8__json_object(void)
{
    tl_json_oom = 0;
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        tl_json_oom = 1;
    return j;
}

static cJSON *noted(cJSON *item)
{
    if (item == NULL)
        tl_json_oom = 1;
    return item;
}

cJSON *igny8__json_attach(cJSON *parent, const char *key, cJSON *item)
{
    if (parent == NULL || item == NULL) {
        cJSON_Delete(item);
        tl_json_oom = 1;
        return NULL;
    }
    int ok = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (!ok) {
        cJSON_Delete(item);
        tl_json_oom = 1;
        return NULL;
    }
    return item;
}

cJSON *igny8__json_add_str(cJSON *obj, const char *key, const char *value)
{
    return igny8__json_attach(obj, key, noted(value ? cJSON_CreateString(value) : cJSON_CreateNull()));
}

cJSON *igny8__json_add_num(cJSON *obj, const char *key, double value)
{
    return igny8__json_attach(obj, key, noted(isnan(value) ? cJSON_CreateNull() : cJSON_CreateNumber(value)));
}

cJSON *igny8__json_add_int(cJSON *obj, const char *key, int64_t value)
{
    /* cJSON prints a number outside int's range with 15 significant digits, so an account
     * id such as 9007199254740991 would come out as 9.00719925474099e+15: print it exactly. */
    if (value >= INT_MIN && value <= INT_MAX)
        return igny8__json_attach(obj, key, noted(cJSON_CreateNumber((double)value)));
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)value);
    return igny8__json_attach(obj, key, noted(cJSON_CreateRaw(text)));
}

cJSON *igny8__json_add_count(cJSON *obj, const char *key, int64_t value)
{
    return value > 0 ? igny8__json_add_int(obj, key, value) : igny8__json_add_null(obj, key);
}

cJSON *igny8__json_add_bool(cJSON *obj, const char *key, int value)
{
    return igny8__json_attach(obj, key, noted(cJSON_CreateBool(value != 0)));
}

cJSON *igny8__json_add_null(cJSON *obj, const char *key)
{
    return igny8__json_attach(obj, key, noted(cJSON_CreateNull()));
}

cJSON *igny8__json_add_object(cJSON *obj, const char *key)
{
    return igny8__json_attach(obj, key, noted(cJSON_CreateObject()));
}

cJSON *igny8__json_add_array(cJSON *obj, const char *key)
{
    return igny8__json_attach(obj, key, noted(cJSON_CreateArray()));
}

char *igny8__json_print(const cJSON *j)
{
    char *text = cJSON_PrintUnformatted(j);
    if (text == NULL)
        return NULL;
    char *copy = igny8__strdup(text);
    cJSON_free(text);
    return copy;
}

int igny8__json_emit(const cJSON *j, char **out)
{
    int failed = tl_json_oom || j == NULL;
    tl_json_oom = 0;
    if (failed)
        return igny8__error_oom();
    *out = igny8__json_print(j);
    return *out ? IGNY8_OK : igny8__error_oom();
}

int igny8__json_emit_free(cJSON *j, char **out)
{
    int rc = igny8__json_emit(j, out);
    cJSON_Delete(j);
    return rc;
}

int igny8__json_get_string(const cJSON *item, const char *path, const char **out, int *is_null)
{
    if (is_null)
        *is_null = 0;
    if (cJSON_IsNull(item) && is_null) {
        *is_null = 1;
        *out = NULL;
        return IGNY8_OK;
    }
    if (!cJSON_IsString(item))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be a string%s", path,
                                is_null ? " or null" : "");
    *out = item->valuestring;
    return IGNY8_OK;
}

int igny8__json_get_number(const cJSON *item, const char *path, double *out, int *is_null)
{
    if (is_null)
        *is_null = 0;
    if (cJSON_IsNull(item) && is_null) {
        *is_null = 1;
        *out = NAN;
        return IGNY8_OK;
    }
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be a number%s", path,
                                is_null ? " or null" : "");
    *out = item->valuedouble;
    return IGNY8_OK;
}

int igny8__json_get_int(const cJSON *item, const char *path, int64_t min, int64_t max, int64_t *out,
                        int *is_null)
{
    double d = 0.0;
    int rc = igny8__json_get_number(item, path, &d, is_null);
    if (rc != IGNY8_OK || (is_null && *is_null))
        return rc;
    if (d != floor(d))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be a whole number, not %g", path, d);
    if (d < (double)min || d > (double)max)
        return igny8__error_set(IGNY8_EINVAL, path, "%s %.0f is outside %lld..%lld", path, d,
                                (long long)min, (long long)max);
    *out = (int64_t)d;
    return IGNY8_OK;
}

int igny8__json_get_bool(const cJSON *item, const char *path, int *out, int *is_null)
{
    if (is_null)
        *is_null = 0;
    if (cJSON_IsNull(item) && is_null) {
        *is_null = 1;
        *out = 0;
        return IGNY8_OK;
    }
    if (!cJSON_IsBool(item))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be true or false%s", path,
                                is_null ? " or null" : "");
    *out = cJSON_IsTrue(item);
    return IGNY8_OK;
}

typedef struct { const char *key; size_t index; const cJSON *item; } member_ref;

static int compare_members(const void *a, const void *b)
{
    const member_ref *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : (x->index > y->index) - (x->index < y->index);
}

int igny8__json_repeated_key(const cJSON *obj, const cJSON **out)
{
    size_t n = 0, i = 0;
    *out = NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        n++;
    if (n < 2)
        return IGNY8_OK;
    if (n <= 16) {  /* the usual object: no allocation */
        for (const cJSON *c = obj->child->next; c; c = c->next)
            for (const cJSON *e = obj->child; e != c; e = e->next)
                if (strcmp(e->string, c->string) == 0) {
                    *out = c;
                    return IGNY8_OK;
                }
        return IGNY8_OK;
    }
    member_ref *v = igny8__calloc(n, sizeof(*v));
    if (v == NULL)
        return igny8__error_oom();
    for (const cJSON *c = obj->child; c; c = c->next, i++)
        v[i] = (member_ref){ c->string, i, c };
    qsort(v, n, sizeof(*v), compare_members);
    size_t first = n;  /* the index of the earliest repeat */
    for (i = 1; i < n; i++)
        if (strcmp(v[i].key, v[i - 1].key) == 0 && v[i].index < first) {
            first = v[i].index;
            *out = v[i].item;
        }
    igny8__free(v);
    return IGNY8_OK;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int igny8__json_is_secret_field(const char *name)
{
    char folded[128];
    size_t n = 0;
    for (const char *p = name; *p && n < sizeof(folded) - 1; p++)
        if (*p != '_' && *p != '-' && *p != ' ')
            folded[n++] = (char)tolower((unsigned char)*p);
    folded[n] = '\0';
    return strstr(folded, "apikey") || strstr(folded, "secret") || strstr(folded, "password") ||
           ends_with(folded, n, "key") || ends_with(folded, n, "token") ||
           strcmp(folded, "authorization") == 0 || strcmp(folded, "bearer") == 0;
}
