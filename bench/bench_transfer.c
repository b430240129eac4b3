/* Export and import of a store of 10,000 accounts. Every account has integration
 * overrides (PUT bodies for a text and an image integration), a text provider choice, an
 * operation model, a module override, a customised prompt and a library copy. The first
 * TEMPLATES accounts are configured through the API; the others get copies of their rows
 * through one import, so that building the store takes seconds, not one fsync per call.
 *
 * Then, over `runs` runs each (default 5): the export of the store file (keys left out),
 * and the import of that document into a new, empty store file in replace mode. Prints
 * the medians and the document's size, and checks that the imported store exports the
 * same document.
 *
 * Usage: bench_transfer [runs] [directory]   (from an optimised build: RelWithDebInfo) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "igny8.h"

#define ACCOUNTS 10000
#define TEMPLATES 20

static const char *const text_models[] = { "gpt-4o", "gpt-4o-mini", "gpt-4.1-mini" };
static const char *const operations[] = { "clustering", "ideas", "content_generation", "taxonomy_generation" };
static const char *const modules[] = { "planner", "writer", "thinker", "automation", "site_builder", "linker",
                                       "optimizer", "publisher" };
static const char *const prompt_types[] = { "clustering", "ideas", "content_generation", "image_prompt_extraction",
                                            "image_prompt_template", "negative_prompt", "site_structure_generation",
                                            "product_generation", "service_generation", "taxonomy_generation" };

static const char library_doc[] =
    "{\"format\":\"igny8settings\",\"format_version\":1,\"library\":["
    "{\"id\":1,\"kind\":\"author_profile\",\"revision\":1,\"name\":\"Friendly expert\",\"category\":\"blog\","
    "\"is_active\":true,\"tone\":\"friendly\",\"language\":\"en\",\"structure_template\":{\"sections\":["
    "{\"heading\":\"Introduction\",\"word_count\":150,\"elements\":[\"paragraph\"]},{\"heading\":\"Steps\","
    "\"elements\":[\"numbered_list\"]}]},\"updated_at\":\"2026-11-20T10:00:00.000Z\",\"updated_by\":\"editor\"},"
    "{\"id\":2,\"kind\":\"strategy\",\"revision\":1,\"name\":\"Pillar page\",\"category\":\"saas\",\"is_active\":true,"
    "\"prompt_types\":[\"content_generation\"],\"section_logic\":{\"order\":\"fixed\",\"sections\":[{\"name\":"
    "\"intro\",\"prompt_type\":\"content_generation\",\"required\":true,\"min_words\":100,\"max_words\":300}]},"
    "\"updated_at\":\"2026-11-20T10:05:00.000Z\",\"updated_by\":\"editor\"}]}";

static void check(int rc, const char *what)
{
    if (rc != IGNY8_OK) {
        fprintf(stderr, "bench_transfer: %s: %s\n", what, igny8_error_last()->message);
        exit(1);
    }
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

/* One template account, configured through the API as the Django views would. */
static void configure(igny8_store *st, int64_t a)
{
    char body[256], prompt[128];
    int i = (int)a;
    snprintf(body, sizeof(body), "{\"model\":\"%s\",\"temperature\":%.1f,\"max_tokens\":%d}", text_models[i % 3],
             0.1 * (i % 15), 1000 + i);
    check(igny8_integration_put_json(st, "bench", a, "openai", body, NULL), "PUT openai");
    snprintf(body, sizeof(body), "{\"size\":\"1024x1792\",\"quality\":\"%s\"}", i % 2 ? "hd" : "standard");
    check(igny8_integration_put_json(st, "bench", a, "dalle", body, NULL), "PUT dalle");
    check(igny8_account_provider_set(st, "bench", a, IGNY8_MODEL_TEXT, i % 2 ? "anthropic" : "openai"), "provider");
    check(igny8_account_operation_model_set(st, "bench", a, operations[i % 4], text_models[(i + 1) % 3]), "operation");
    check(igny8_module_account_set(st, "bench", a, modules[i % 8], i % 2), "module");
    snprintf(prompt, sizeof(prompt), "Account %d asks: write about {topic} for {audience}.", i);
    check(igny8_account_prompt_customize(st, "bench", a, prompt_types[i % 10], prompt), "customize");
}

/* A copy of a row for another account. */
static cJSON *row_for(const cJSON *row, int64_t account)
{
    cJSON *r = cJSON_Duplicate(row, 1);
    cJSON_ReplaceItemInObjectCaseSensitive(r, "account_id", cJSON_CreateNumber((double)account));
    return r;
}

/* Every account's rows of a section, copied from its template's rows (kept in key order). */
static void replicate(cJSON *doc, const char *section)
{
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(doc, section), *rows = cJSON_CreateArray(), *r;
    for (int64_t a = 1; a <= ACCOUNTS; a++) {
        int64_t t = (a - 1) % TEMPLATES + 1;
        cJSON_ArrayForEach(r, old)
            if ((int64_t)cJSON_GetObjectItem(r, "account_id")->valuedouble == t)
                cJSON_AddItemToArray(rows, row_for(r, a));
    }
    cJSON_AddItemToObject(doc, section, rows);
    cJSON_Delete(old);
}

/* One library copy per account, of the profile or the strategy. */
static void add_copies(cJSON *doc)
{
    cJSON *library = cJSON_GetObjectItem(doc, "library"), *copies = cJSON_CreateArray();
    for (int64_t a = 1; a <= ACCOUNTS; a++) {
        cJSON *c = cJSON_Duplicate(cJSON_GetArrayItem(library, (int)(a % 2)), 1);
        cJSON *based_on = cJSON_Duplicate(c, 1);
        cJSON_DeleteItemFromObject(based_on, "id");
        cJSON_DeleteItemFromObject(based_on, "revision");
        cJSON_DeleteItemFromObject(c, "revision");
        cJSON_ReplaceItemInObject(c, "id", cJSON_CreateNumber((double)a));
        cJSON_AddNumberToObject(c, "account_id", (double)a);
        cJSON_AddNumberToObject(c, "source_id", (double)(a % 2 + 1));
        cJSON_AddNumberToObject(c, "based_on_revision", 1);
        cJSON_AddItemToObject(c, "based_on", based_on);
        cJSON_AddItemToArray(copies, c);
    }
    cJSON_ReplaceItemInObject(doc, "account_library", copies);
}

static void remove_store(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static igny8_store *open_new(const char *path)
{
    igny8_store *st = NULL;
    remove_store(path);
    check(igny8_store_open(&st, path, NULL), "open");
    return st;
}

static int import_replace(igny8_store *st, const char *json)
{
    igny8_import_options o = IGNY8_IMPORT_OPTIONS_INIT;
    o.mode = IGNY8_IMPORT_REPLACE;
    return igny8_store_import_json(st, "bench", json, &o);
}

/* The store of ACCOUNTS accounts at path; returns its export. */
static char *build(const char *path)
{
    igny8_store *st = open_new(path);
    char *json = NULL, *full;
    check(igny8_defaults_load(st, "bench", NULL), "defaults");
    check(igny8_store_import_json(st, "bench", library_doc, NULL), "library");
    for (int64_t a = 1; a <= TEMPLATES; a++)
        configure(st, a);
    check(igny8_store_export_json(st, NULL, &json), "export templates");
    cJSON *doc = cJSON_Parse(json);
    igny8_free(json);
    const char *sections[] = { "account_integrations", "account_providers", "account_operation_models",
                               "account_modules", "account_prompts" };
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        replicate(doc, sections[i]);
    add_copies(doc);
    full = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    check(import_replace(st, full), "import accounts");
    cJSON_free(full);
    check(igny8_store_export_json(st, NULL, &json), "export");
    igny8_store_close(st);
    return json;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char source[512], target[512];
    if (runs < 1 || runs > 100)
        runs = 5;
    snprintf(source, sizeof(source), "%s/bench_transfer_%d.db", dir, (int)getpid());
    snprintf(target, sizeof(target), "%s/bench_transfer_%d_import.db", dir, (int)getpid());
    double t0 = now();
    char *doc = build(source), *json = NULL;
    printf("built %d accounts (%d through the API) in %.2f s\n", ACCOUNTS, TEMPLATES, now() - t0);
    double *export_s = malloc(sizeof(double) * (size_t)runs), *import_s = malloc(sizeof(double) * (size_t)runs);
    igny8_store *st = NULL;
    check(igny8_store_open(&st, source, NULL), "open");
    for (int r = 0; r < runs; r++) {
        t0 = now();
        check(igny8_store_export_json(st, NULL, &json), "export");
        export_s[r] = now() - t0;
        igny8_free(json);
    }
    igny8_store_close(st);
    for (int r = 0; r < runs; r++) {
        st = open_new(target);
        t0 = now();
        check(import_replace(st, doc), "import");
        import_s[r] = now() - t0;
        check(igny8_store_export_json(st, NULL, &json), "export of the import");
        if (strcmp(json, doc) != 0) {
            fprintf(stderr, "bench_transfer: the imported store exports another document\n");
            return 1;
        }
        igny8_free(json);
        igny8_store_close(st);
    }
    printf("document: %zu bytes (%.1f MB), keys left out\n", strlen(doc), (double)strlen(doc) / 1e6);
    printf("export: median %.3f s over %d runs\n", median(export_s, runs), runs);
    printf("import into an empty store file (replace): median %.3f s over %d runs\n", median(import_s, runs), runs);
    remove_store(source);
    remove_store(target);
    free(export_s);
    free(import_s);
    igny8_free(doc);
    return 0;
}
