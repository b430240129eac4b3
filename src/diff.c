/* Line-based unified diffs, written by hand: Myers' O((N+M)D) greedy algorithm for the
 * shortest edit script, hunks with 3 lines of context merged as GNU diff and Python's
 * difflib merge them, headers as difflib's _format_range_unified writes them, and GNU's
 * "\ No newline at end of file" marker after a last line that has no '\n'. */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "buf.h"
#include "template.h"

#define CONTEXT 3
/* Myers keeps one V array per edit step d: (D+1)^2 cells in all. Past either bound (the
 * cells would pass 64 MiB, i.e. D > 4095, or the comparisons would take seconds) the
 * differing middle becomes one change that deletes it all and adds it all: still a
 * correct diff, only not the shortest. */
#define MAX_D 10000
#define MAX_CELLS ((size_t)64 * 1024 * 1024 / sizeof(int32_t))
#define MAX_WORK ((size_t)1 << 28)

typedef struct {
    const char *s;
    size_t len;     /* with its '\n', when it has one */
    uint64_t hash;
} line;

typedef struct {
    line *v;
    size_t n;
} lines;

static int line_eq(const line *a, const line *b)
{
    return a->hash == b->hash && a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;  /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* Split on '\n'; a last line without one is a line too. */
static int split_lines(const char *text, lines *out)
{
    size_t n = 0, len = strlen(text);
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))) != NULL; p++)
        n++;
    if (len > 0 && text[len - 1] != '\n')
        n++;
    out->n = n;
    out->v = igny8__calloc(n, sizeof(line));
    if (out->v == NULL)
        return igny8__error_oom();
    const char *p = text, *end = text + len;
    for (size_t i = 0; i < n; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        out->v[i] = (line){ p, l, hash_bytes(p, l) };
        p += l;
    }
    return IGNY8_OK;
}

/* ---- Myers ---- */

typedef struct {
    const line *a, *b;    /* the differing middle of both texts */
    int32_t n, m;
    int32_t *cells;       /* V of step d at cells[d*d .. d*d+2d], diagonal k at d*d+d+k */
    size_t cap;
    size_t work;
    unsigned char *del, *ins;  /* the result: old lines deleted, new lines inserted */
} myers;

/* The furthest x on diagonal k at step d from step d-1's V (prev, centred), or -1 when
 * unreachable; *down: reached by an insertion (from k+1) rather than a deletion (k-1). */
static int32_t myers_step(const myers *my, const int32_t *prev, int32_t d, int32_t k, int *down)
{
    int32_t x_down = -1, x_right = -1;
    if (k + 1 <= d - 1 && prev[k + 1] >= 0 && prev[k + 1] - (k + 1) < my->m)
        x_down = prev[k + 1];
    if (k - 1 >= -(d - 1) && prev[k - 1] >= 0 && prev[k - 1] < my->n)
        x_right = prev[k - 1] + 1;
    *down = x_down >= x_right;
    return *down ? x_down : x_right;
}

static int myers_reserve(myers *my, size_t need)
{
    if (need <= my->cap)
        return IGNY8_OK;
    size_t cap = my->cap ? my->cap : 1024;
    while (cap < need)
        cap *= 2;
    int32_t *grown = igny8__realloc(my->cells, cap * sizeof(int32_t));
    if (grown == NULL)
        return igny8__error_oom();
    my->cells = grown;
    my->cap = cap;
    return IGNY8_OK;
}

/* Follow equal lines along diagonal k from x. */
static int32_t myers_snake(myers *my, int32_t x, int32_t k)
{
    while (x < my->n && x - k < my->m && line_eq(&my->a[x], &my->b[x - k])) {
        x++;
        my->work++;
    }
    return x;
}

/* The forward pass: *d_out = D. 1 when a bound was passed first. */
static int myers_forward(myers *my, int32_t *d_out)
{
    for (int32_t d = 0; d <= MAX_D; d++) {
        size_t need = (size_t)(d + 1) * (size_t)(d + 1);
        if (need > MAX_CELLS || my->work > MAX_WORK)
            return 1;
        int rc = myers_reserve(my, need);
        if (rc != IGNY8_OK)
            return rc;
        int32_t *cur = my->cells + (size_t)d * (size_t)d + d;
        const int32_t *prev = d ? my->cells + (size_t)(d - 1) * (size_t)(d - 1) + (d - 1) : NULL;
        for (int32_t k = -d; k <= d; k += 2) {
            int down = 0;
            int32_t x = d ? myers_step(my, prev, d, k, &down) : 0;
            if (x >= 0)
                x = myers_snake(my, x, k);
            cur[k] = x;
            my->work++;
            if (x == my->n && x - k == my->m) {
                *d_out = d;
                return IGNY8_OK;
            }
        }
    }
    return 1;
}

/* Walk back from (n, m) through the stored V arrays, marking each step's line. */
static void myers_backtrack(myers *my, int32_t d_total)
{
    int32_t x = my->n, y = my->m;
    for (int32_t d = d_total; d > 0; d--) {
        int32_t k = x - y;
        const int32_t *prev = my->cells + (size_t)(d - 1) * (size_t)(d - 1) + (d - 1);
        int down = 0;
        myers_step(my, prev, d, k, &down);
        int32_t px = down ? prev[k + 1] : prev[k - 1];
        int32_t py = px - (down ? k + 1 : k - 1);
        if (down)
            my->ins[py] = 1;
        else
            my->del[px] = 1;
        x = px;
        y = py;
    }
}

/* Mark the lines of a[lo..hi) vs b[lo..hi) (the middle after the common prefix and
 * suffix are set aside) that the shortest edit script deletes and inserts. */
static int mark_changes(const lines *a, const lines *b, size_t prefix, size_t suffix, unsigned char *del,
                        unsigned char *ins)
{
    myers my = { a->v + prefix, b->v + prefix, (int32_t)(a->n - prefix - suffix),
                 (int32_t)(b->n - prefix - suffix), NULL, 0, 0, del + prefix, ins + prefix };
    int32_t d = 0;
    int rc = myers_forward(&my, &d);
    if (rc == IGNY8_OK) {
        myers_backtrack(&my, d);
    } else if (rc == 1) {  /* too costly: replace the whole middle */
        memset(my.del, 1, (size_t)my.n);
        memset(my.ins, 1, (size_t)my.m);
        rc = IGNY8_OK;
    }
    igny8__free(my.cells);
    return rc;
}

/* ---- hunks ---- */

typedef struct {
    size_t i0, i1, j0, j1;  /* old a[i0..i1) replaced by new b[j0..j1) */
} change;

/* The changes, in order, from the marks. */
static int collect_changes(const unsigned char *del, size_t n, const unsigned char *ins, size_t m,
                           change **out, size_t *count)
{
    size_t cap = 16, i = 0, j = 0;
    *count = 0;
    *out = igny8__malloc(cap * sizeof(change));
    if (*out == NULL)
        return igny8__error_oom();
    while (i < n || j < m) {
        if (i < n && j < m && !del[i] && !ins[j]) {
            i++;
            j++;
            continue;
        }
        change c = { i, i, j, j };
        while (c.i1 < n && del[c.i1])
            c.i1++;
        while (c.j1 < m && ins[c.j1])
            c.j1++;
        i = c.i1;
        j = c.j1;
        if (*count == cap) {
            change *grown = igny8__realloc(*out, 2 * cap * sizeof(change));
            if (grown == NULL)
                return igny8__error_oom();
            *out = grown;
            cap *= 2;
        }
        (*out)[(*count)++] = c;
    }
    return IGNY8_OK;
}

/* One line with its prefix, and GNU's marker when it has no '\n'. */
static int put_line(igny8__buf *b, char prefix, const line *l)
{
    int rc = igny8__buf_append(b, &prefix, 1);
    if (rc == IGNY8_OK)
        rc = igny8__buf_append(b, l->s, l->len);
    if (rc == IGNY8_OK && (l->len == 0 || l->s[l->len - 1] != '\n'))
        rc = igny8__buf_puts(b, "\n\\ No newline at end of file\n");
    return rc;
}

/* difflib's _format_range_unified: "start,length", "start" for one line, and the line
 * before for none. */
static int put_range(igny8__buf *b, char sign, size_t start, size_t stop)
{
    char text[64];
    size_t first = start + 1, length = stop - start;
    if (length == 1)
        snprintf(text, sizeof(text), "%c%zu", sign, first);
    else
        snprintf(text, sizeof(text), "%c%zu,%zu", sign, length ? first : first - 1, length);
    return igny8__buf_puts(b, text);
}

typedef struct {
    const lines *a, *b;
    igny8__buf out;
} writer;

/* One hunk: changes c[0..count), with CONTEXT lines around them. */
static int put_hunk(writer *w, const change *c, size_t count)
{
    size_t i = c[0].i0 > CONTEXT ? c[0].i0 - CONTEXT : 0, j = c[0].j0 - (c[0].i0 - i);
    size_t i_end = c[count - 1].i1 + CONTEXT < w->a->n ? c[count - 1].i1 + CONTEXT : w->a->n;
    size_t j_end = c[count - 1].j1 + (i_end - c[count - 1].i1);
    int rc = igny8__buf_puts(&w->out, "@@ ");
    if (rc == IGNY8_OK)
        rc = put_range(&w->out, '-', i, i_end);
    if (rc == IGNY8_OK)
        rc = igny8__buf_puts(&w->out, " ");
    if (rc == IGNY8_OK)
        rc = put_range(&w->out, '+', j, j_end);
    if (rc == IGNY8_OK)
        rc = igny8__buf_puts(&w->out, " @@\n");
    for (size_t k = 0; k <= count && rc == IGNY8_OK; k++) {
        size_t upto = k < count ? c[k].i0 : i_end;
        for (; i < upto && rc == IGNY8_OK; i++, j++)
            rc = put_line(&w->out, ' ', &w->a->v[i]);
        if (k == count)
            break;
        for (; i < c[k].i1 && rc == IGNY8_OK; i++)
            rc = put_line(&w->out, '-', &w->a->v[i]);
        for (; j < c[k].j1 && rc == IGNY8_OK; j++)
            rc = put_line(&w->out, '+', &w->b->v[j]);
    }
    return rc;
}

/* Group changes into hunks: two changes share one when at most 2*CONTEXT equal lines
 * separate them (their contexts touch or overlap). */
static int put_hunks(writer *w, const change *c, size_t count)
{
    int rc = IGNY8_OK;
    for (size_t first = 0, last = 0; first < count && rc == IGNY8_OK; first = ++last) {
        while (last + 1 < count && c[last + 1].i0 - c[last].i1 <= 2 * CONTEXT)
            last++;
        rc = put_hunk(w, c + first, last - first + 1);
    }
    return rc;
}

static int put_headers(igny8__buf *b, const char *old_label, const char *new_label)
{
    int rc = igny8__buf_puts(b, "--- ");
    if (rc == IGNY8_OK)
        rc = igny8__buf_puts(b, old_label ? old_label : "a");
    if (rc == IGNY8_OK)
        rc = igny8__buf_puts(b, "\n+++ ");
    if (rc == IGNY8_OK)
        rc = igny8__buf_puts(b, new_label ? new_label : "b");
    return rc == IGNY8_OK ? igny8__buf_puts(b, "\n") : rc;
}

/* ---- the diff ---- */

/* The shortest edit script's changes between the two line lists. */
static int diff_changes(const lines *a, const lines *b, change **c, size_t *count)
{
    size_t prefix = 0, suffix = 0;
    while (prefix < a->n && prefix < b->n && line_eq(&a->v[prefix], &b->v[prefix]))
        prefix++;
    while (suffix < a->n - prefix && suffix < b->n - prefix &&
           line_eq(&a->v[a->n - 1 - suffix], &b->v[b->n - 1 - suffix]))
        suffix++;
    unsigned char *del = igny8__calloc(a->n + 1, 1), *ins = igny8__calloc(b->n + 1, 1);
    int rc = del && ins ? IGNY8_OK : igny8__error_oom();
    if (rc == IGNY8_OK && (a->n > INT32_MAX / 2 || b->n > INT32_MAX / 2)) {  /* beyond int32 cells */
        memset(del + prefix, 1, a->n - prefix - suffix);
        memset(ins + prefix, 1, b->n - prefix - suffix);
    } else if (rc == IGNY8_OK) {
        rc = mark_changes(a, b, prefix, suffix, del, ins);
    }
    if (rc == IGNY8_OK)
        rc = collect_changes(del, a->n, ins, b->n, c, count);
    igny8__free(del);
    igny8__free(ins);
    return rc;
}

int igny8__text_diff(const char *old_text, const char *new_text, const char *old_label, const char *new_label,
                     char **out)
{
    *out = NULL;
    if (strcmp(old_text, new_text) == 0)
        return (*out = igny8__strdup("")) ? IGNY8_OK : igny8__error_oom();
    lines a = { NULL, 0 }, b = { NULL, 0 };
    change *c = NULL;
    size_t count = 0;
    writer w = { &a, &b, IGNY8__BUF_INIT };
    int rc = split_lines(old_text, &a);
    if (rc == IGNY8_OK)
        rc = split_lines(new_text, &b);
    if (rc == IGNY8_OK)
        rc = diff_changes(&a, &b, &c, &count);
    if (rc == IGNY8_OK)
        rc = put_headers(&w.out, old_label, new_label);
    if (rc == IGNY8_OK)
        rc = put_hunks(&w, c, count);
    if (rc == IGNY8_OK)
        rc = igny8__buf_finish(&w.out, out);
    igny8__buf_free(&w.out);
    igny8__free(c);
    igny8__free(a.v);
    igny8__free(b.v);
    return rc;
}

int igny8_text_diff(const char *old_text, const char *new_text, const char *old_label, const char *new_label,
                    char **out_diff)
{
    IGNY8__CHECK_ARG(out_diff);
    *out_diff = NULL;
    IGNY8__CHECK_ARG(old_text);
    IGNY8__CHECK_ARG(new_text);
    return igny8__text_diff(old_text, new_text, old_label, new_label, out_diff);
}
