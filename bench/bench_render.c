/* Template rendering throughput: a ~100 KB prompt with ~500 placeholders over 20
 * variables (a few of them long), rendered 15 runs x enough iterations per run. Prints
 * the median throughput in MB/s of template bytes, and the median of a plain memcpy of
 * the template measured in the same runs, with their ratio.
 *
 * Usage: bench_render [runs]   (from an optimised build: RelWithDebInfo, as scripts/test.sh makes) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "igny8.h"

#define TARGET_BYTES (100 * 1024)
#define RUN_SECONDS 0.2

static const char *const names[] = {
    "topic", "audience", "tone", "language", "keyword", "site_name", "brand_voice", "word_count", "country",
    "outline", "article", "examples", "cta", "author", "date", "category", "temperature", "is_draft",
    "max_items", "competitor",
};

/* Paragraphs of a content-generation prompt; %s marks where a placeholder goes. */
static const char *const with_placeholders[] = {
    "You are an expert writer for %s. Write about the topic below for readers who are %s; keep the tone %s "
    "and answer in %s. ",
    "Use the primary keyword \"%s\" naturally, never more than once per paragraph, and mention the site %s "
    "only where it helps the reader. ",
    "Follow this outline strictly, section by section, without adding new sections:\n%s\n",
    "Return JSON only, shaped as {{\"title\": \"...\", \"sections\": [{{\"heading\": \"...\", \"body\": \"...\"}}]}}. "
    "The brand voice is: %s. ",
    "Aim for about %s words; readers are mostly in %s. Résumé the key points at the end — briefly. ",
    "Here is the existing article to improve; keep what is good and fix what is weak:\n%s\n",
    "Good examples of the style we want:\n%s\nEnd with this call to action: %s. ",
    "Byline: %s, %s. Category: %s. Sampling temperature %s, draft: %s, at most %s list items. ",
    "Do not copy %s; be original, cite nothing you cannot verify, and avoid filler such as \"in today's world\". ",
};

/* Instructions without placeholders, as much of a real prompt is. */
static const char *const plain[] = {
    "Write in short paragraphs of two to four sentences. Prefer concrete advice over general statements, and "
    "explain why each piece of advice matters. When a claim needs a number, give a range and say where it comes "
    "from; when it does not, leave numbers out. Headings are questions a reader would actually ask. ",
    "Never invent quotes, studies or statistics. If something is uncertain, say so plainly. Do not use the "
    "words \"delve\", \"unlock\" or \"game-changer\". Avoid passive voice where an active sentence is as "
    "clear. Lists are fine for steps and checklists, not for arguments.\n",
    "Formatting rules: no emoji, no exclamation marks, no bold text inside sentences. Use straight quotes. "
    "Every section starts with its most important sentence; the rest supports it. Keep the introduction under "
    "eighty words and the conclusion under sixty.\n",
};

static char *repeat(const char *unit, int times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * (size_t)times + 1);
    for (int i = 0; i < times; i++)
        memcpy(s + n * (size_t)i, unit, n);
    s[n * (size_t)times] = '\0';
    return s;
}

/* A JSON object of the 20 variables: short strings, numbers, booleans and a few long texts. */
static char *make_variables(void)
{
    char *article = repeat("Cats sleep for most of the day, and that is normal. ", 60);   /* ~3 KB */
    char *outline = repeat("- Why cats sleep so much\\n- How much is too much\\n", 20);  /* ~1 KB */
    char *examples = repeat("\\\"Short, warm sentences; one idea each.\\\" ", 12);
    size_t cap = strlen(article) + strlen(outline) + strlen(examples) + 2048;
    char *json = malloc(cap);
    snprintf(json, cap,
             "{\"topic\":\"why cats sleep so much\",\"audience\":\"first-time cat owners\",\"tone\":\"friendly\","
             "\"language\":\"English\",\"keyword\":\"cat sleep\",\"site_name\":\"Whiskers & Co\","
             "\"brand_voice\":\"warm, practical, never cute for its own sake\",\"word_count\":1500,"
             "\"country\":\"Deutschland\",\"outline\":\"%s\",\"article\":\"%s\",\"examples\":\"%s\","
             "\"cta\":\"Subscribe for weekly tips\",\"author\":\"Dr. Ana Müller\",\"date\":\"2024-06-11\","
             "\"category\":\"Pets / Cats\",\"temperature\":0.7,\"is_draft\":false,\"max_items\":12,"
             "\"competitor\":\"catsblog.example\"}",
             outline, article, examples);
    free(article);
    free(outline);
    free(examples);
    return json;
}

static size_t put_paragraph(char *t, size_t len, const char *paragraph, int *next, int *placeholders)
{
    for (const char *s = paragraph; *s; s++) {
        if (s[0] == '%' && s[1] == 's') {
            const char *name = names[(*next)++ % (int)(sizeof(names) / sizeof(names[0]))];
            len += (size_t)sprintf(t + len, "{%s}", name);
            (*placeholders)++;
            s++;
        } else {
            t[len++] = *s;
        }
    }
    return len;
}

/* A paragraph with placeholders (taken round-robin from the names), then a plain one,
 * until TARGET_BYTES. */
static char *make_template(int *placeholders)
{
    char *t = malloc(TARGET_BYTES + 4096);
    size_t len = 0;
    int next = 0;
    *placeholders = 0;
    for (size_t p = 0; len < TARGET_BYTES; p++) {
        len = put_paragraph(t, len, with_placeholders[p % (sizeof(with_placeholders) / sizeof(char *))], &next,
                            placeholders);
        len = put_paragraph(t, len, plain[p % (sizeof(plain) / sizeof(char *))], &next, placeholders);
    }
    t[len] = '\0';
    return t;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int render_once(const char *t, const char *vars, size_t *out_len)
{
    char *out = NULL;
    int rc = igny8_template_render(t, vars, &out);
    if (rc != IGNY8_OK) {
        fprintf(stderr, "bench_render: render failed: %s\n", igny8_error_last()->message);
        return rc;
    }
    *out_len = strlen(out);
    igny8_free(out);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 15, placeholders = 0;
    if (runs < 1 || runs > 1000)
        runs = 15;
    char *t = make_template(&placeholders), *vars = make_variables();
    size_t len = strlen(t), out_len = 0;
    char *copy = malloc(len + 1);
    if (render_once(t, vars, &out_len) != 0)
        return 1;
    double start = now();  /* calibrate: iterations for about RUN_SECONDS of rendering */
    int calib = 0;
    for (; now() - start < 0.05; calib++)
        render_once(t, vars, &out_len);
    long iters = (long)(calib * RUN_SECONDS / 0.05) + 1;
    double *render_mbs = malloc(sizeof(double) * (size_t)runs), *memcpy_mbs = malloc(sizeof(double) * (size_t)runs);
    for (int r = 0; r < runs; r++) {
        start = now();
        for (long i = 0; i < iters; i++)
            render_once(t, vars, &out_len);
        render_mbs[r] = (double)len * (double)iters / (now() - start) / 1e6;
        start = now();
        for (long i = 0; i < iters; i++) {
            memcpy(copy, t, len + 1);
            __asm__ __volatile__("" : : "r"(copy) : "memory");  /* keep every copy */
        }
        memcpy_mbs[r] = (double)len * (double)iters / (now() - start) / 1e6;
    }
    double rm = median(render_mbs, runs), mm = median(memcpy_mbs, runs);
    printf("template: %zu bytes, %d placeholders over %zu variables; rendered: %zu bytes\n", len, placeholders,
           sizeof(names) / sizeof(names[0]), out_len);
    printf("runs: %d x %ld iterations\n", runs, iters);
    printf("render: median %.1f MB/s of template (%.1f us per render)\n", rm, (double)len / rm);
    printf("memcpy: median %.1f MB/s (same runs)\n", mm);
    printf("ratio:  render takes %.1fx the time of memcpy\n", mm / rm);
    free(render_mbs);
    free(memcpy_mbs);
    free(copy);
    free(vars);
    free(t);
    return 0;
}
