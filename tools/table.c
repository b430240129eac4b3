/*
 * igny8ctl — --format table: arrays of objects as aligned tables, objects as
 * "key: value" lines (nested objects flattened with dotted keys), arrays of objects found
 * inside an object as tables after the lines.
 */
#include "ctl.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX 60  /* characters shown of a table cell */

/* The number of characters (UTF-8 code points) of s. */
static size_t width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static char *number_text(double d)
{
    char buf[64];
    if (d == floor(d) && fabs(d) < 1e15)
        snprintf(buf, sizeof buf, "%.0f", d);
    else
        snprintf(buf, sizeof buf, "%.10g", d);
    return strdup(buf);
}

/* A value as text: null "-", booleans, numbers, strings as they are, others as compact JSON. */
static char *value_text(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return strdup("-");
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v))
        return number_text(v->valuedouble);
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    return cJSON_PrintUnformatted(v);
}

/* Scalars of an array joined by ", ". */
static char *join_scalars(const cJSON *array)
{
    size_t cap = 1;
    const cJSON *v;
    cJSON_ArrayForEach(v, array) {
        char *s = value_text(v);
        cap += (s ? strlen(s) : 0) + 2;
        free(s);
    }
    char *out = calloc(1, cap);
    cJSON_ArrayForEach(v, array) {
        char *s = value_text(v);
        if (out && s) {
            if (*out)
                strcat(out, ", ");
            strcat(out, s);
        }
        free(s);
    }
    return out;
}

static int all_scalars(const cJSON *array)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, array)
        if (cJSON_IsArray(v) || cJSON_IsObject(v))
            return 0;
    return 1;
}

/* A list of names (a group's models) reads as the key: value lines show it, not as JSON. */
static char *cell_value(const cJSON *v)
{
    if (cJSON_IsArray(v) && all_scalars(v))
        return v->child ? join_scalars(v) : strdup("(none)");
    return value_text(v);
}

/* A table cell: one line, at most CELL_MAX characters. */
static char *cell_text(const cJSON *v)
{
    char *s = cell_value(v);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t chars = 0;
    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && ++chars > CELL_MAX - 3) {
            strcpy(p, "...");
            break;
        }
    }
    return s;
}

static int has_key(const cJSON *rows, const char *key)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
        if (cJSON_GetObjectItemCaseSensitive(row, key))
            return 1;
    return 0;
}

static int listed(const char *const *cols, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], key) == 0)
            return 1;
    return 0;
}

/* The columns of a table: those of the spec that some row has, else every key in order of
 * first appearance. The strings belong to the spec copy or to the rows. */
static size_t table_columns(const cJSON *rows, char *spec, const char **cols, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *c = spec ? strtok_r(spec, ",", &save) : NULL; c && n < max; c = strtok_r(NULL, ",", &save))
        if (has_key(rows, c))
            cols[n++] = c;
    if (n)
        return n;
    const cJSON *row, *m;
    cJSON_ArrayForEach(row, rows)
        cJSON_ArrayForEach(m, row)
            if (n < max && !listed(cols, n, m->string))
                cols[n++] = m->string;
    return n;
}

static void print_padded(FILE *f, const char *s, size_t w, int last)
{
    fputs(s, f);
    if (!last)
        for (size_t i = width(s); i < w + 2; i++)
            fputc(' ', f);
}

static void print_rows(FILE *f, const cJSON *rows, const char **cols, size_t ncols)
{
    size_t nrows = (size_t)cJSON_GetArraySize(rows), w[64];
    char **cells = calloc(nrows * ncols + 1, sizeof *cells);
    if (!cells)
        return;
    for (size_t j = 0; j < ncols; j++)
        w[j] = width(cols[j]);
    for (size_t i = 0; i < nrows; i++) {
        const cJSON *row = cJSON_GetArrayItem(rows, (int)i);
        for (size_t j = 0; j < ncols; j++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, cols[j]);
            char *s = cells[i * ncols + j] = v ? cell_text(v) : strdup("");
            if (s && width(s) > w[j])
                w[j] = width(s);
        }
    }
    for (size_t j = 0; j < ncols; j++) {
        char head[128];
        size_t k = 0;
        for (; cols[j][k] && k < sizeof head - 1; k++)
            head[k] = (char)toupper((unsigned char)cols[j][k]);
        head[k] = '\0';
        print_padded(f, head, w[j], j + 1 == ncols);
    }
    fputc('\n', f);
    for (size_t i = 0; i < nrows; i++) {
        for (size_t j = 0; j < ncols; j++)
            print_padded(f, cells[i * ncols + j] ? cells[i * ncols + j] : "?", w[j], j + 1 == ncols);
        fputc('\n', f);
    }
    for (size_t i = 0; i < nrows * ncols; i++)
        free(cells[i]);
    free(cells);
}

static void print_table(FILE *f, const cJSON *rows, const char *columns)
{
    if (cJSON_GetArraySize(rows) == 0) {
        fputs("(none)\n", f);
        return;
    }
    const char *cols[64];
    char *spec = columns ? strdup(columns) : NULL;
    size_t ncols = table_columns(rows, spec, cols, sizeof cols / sizeof cols[0]);
    print_rows(f, rows, cols, ncols);
    free(spec);
}

static int all_objects(const cJSON *array)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, array)
        if (!cJSON_IsObject(v))
            return 0;
    return cJSON_GetArraySize(array) > 0;
}

/* ---- objects: key: value lines ---- */

typedef struct line {
    char *key;
    char *value;          /* NULL for a table */
    const cJSON *table;   /* an array of objects, printed after the lines */
} line;

typedef struct lines {
    line *v;
    size_t n, cap;
} lines;

static void add_line(lines *ls, const char *prefix, const char *key, char *value, const cJSON *table)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 16;
        line *v = realloc(ls->v, cap * sizeof *v);
        if (!v) {
            free(value);
            return;
        }
        ls->v = v;
        ls->cap = cap;
    }
    size_t len = strlen(prefix) + strlen(key) + 2;
    char *k = malloc(len);
    if (k)
        snprintf(k, len, "%s%s%s", prefix, *prefix ? "." : "", key);
    ls->v[ls->n++] = (line){ k, value, table };
}

static void flatten(lines *ls, const char *prefix, const cJSON *obj)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj) {
        if (cJSON_IsObject(m) && m->child) {
            char *sub = malloc(strlen(prefix) + strlen(m->string) + 2);
            if (!sub)
                continue;
            sprintf(sub, "%s%s%s", prefix, *prefix ? "." : "", m->string);
            flatten(ls, sub, m);
            free(sub);
        } else if (cJSON_IsArray(m) && all_objects(m)) {
            add_line(ls, prefix, m->string, NULL, m);
        } else if (cJSON_IsArray(m) || cJSON_IsObject(m)) {  /* an empty object too: no chains, no choices */
            add_line(ls, prefix, m->string, m->child ? join_scalars(m) : strdup("(none)"), NULL);
        } else {
            add_line(ls, prefix, m->string, value_text(m), NULL);
        }
    }
}

/* A value of a key: value line; text of several lines goes below the key, indented. */
static void print_value_line(FILE *f, const char *key, const char *value, size_t kw)
{
    if (!strchr(value, '\n')) {
        fprintf(f, "%s:%*s%s\n", key, (int)(kw - width(key) + 1), "", value);
        return;
    }
    fprintf(f, "%s:\n  ", key);
    for (const char *p = value; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1])
            fputs("  ", f);
    }
    if (value[strlen(value) - 1] != '\n')
        fputc('\n', f);
}

static void print_object(FILE *f, const cJSON *obj, const char *columns)
{
    lines ls = { NULL, 0, 0 };
    size_t kw = 0;
    flatten(&ls, "", obj);
    for (size_t i = 0; i < ls.n; i++)
        if (ls.v[i].key && ls.v[i].value && width(ls.v[i].key) > kw)
            kw = width(ls.v[i].key);
    for (size_t i = 0; i < ls.n; i++)
        if (ls.v[i].key && ls.v[i].value)
            print_value_line(f, ls.v[i].key, ls.v[i].value, kw);
    for (size_t i = 0; i < ls.n; i++) {
        if (ls.v[i].key && ls.v[i].table) {
            fprintf(f, "%s%s:\n", ls.n > 1 ? "\n" : "", ls.v[i].key);
            print_table(f, ls.v[i].table, columns);
        }
        free(ls.v[i].key);
        free(ls.v[i].value);
    }
    free(ls.v);
}

void ctl_table_print(FILE *f, const cJSON *root, const char *columns)
{
    if (cJSON_IsObject(root) && !root->child) {
        fputs("(none)\n", f);
    } else if (cJSON_IsObject(root)) {
        print_object(f, root, columns);
    } else if (cJSON_IsArray(root) && (all_objects(root) || !root->child)) {
        print_table(f, root, columns);
    } else if (cJSON_IsArray(root)) {
        const cJSON *v;
        cJSON_ArrayForEach(v, root) {
            char *s = value_text(v);
            fprintf(f, "%s\n", s ? s : "?");
            free(s);
        }
    } else {
        char *s = value_text(root);
        fprintf(f, "%s\n", s ? s : "?");
        free(s);
    }
}
