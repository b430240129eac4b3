/* Multi-process stress (issue 9, item 4; issue 12 for PostgreSQL): WORKERS processes share
 * one store (a file, or a schema on the PostgreSQL server when IGNY8_TEST_BACKEND is
 * postgresql) and each runs OPS mixed operations chosen by a seeded PRNG; at the end the
 * store must hold exactly what the acknowledged operations imply.
 *
 *   stress_multiprocess                                  the test: prepare, run, verify
 *   stress_multiprocess --worker PATH ID OPS SEED LOG    one worker (the test runs itself again;
 *                                                        $IGNY8_STRESS_SCHEMA names its schema)
 *
 * Workers are fork() + exec() of this binary, so no process inherits database state, and
 * the parent has closed its store before the first fork. Each worker logs every
 * acknowledged write (the call returned 0) as one line to its own log file, and the
 * parent replays all logs against the final store:
 *
 * - owned accounts (1000*id + 1..OWNED): only their worker writes them, so it knows their
 *   exact state at every moment. PUTs of the openai integration (model, temperature,
 *   max_tokens; null clears), account key changes, module toggles and library clones and
 *   deletes. Every resolve and view of an owned account must show the worker's own last
 *   write (read-your-writes through the resolver's cache), and the final store must hold
 *   the last logged state.
 * - shared accounts (1..SHARED): written by every worker, each in a field of its own
 *   (worker 1 openai.max_tokens, 2 openai.temperature, 3 anthropic.max_tokens, 4
 *   anthropic.temperature, 5 dalle.size, 6 runware.size, 7 dalle.quality, 8
 *   runware.style) and a module of its own. All of them sit in the same rows, so a
 *   write that rebuilt a row from a stale read would undo another worker's field: the
 *   final value of every field is its owner's last acknowledged one. Fields 1..6 only
 *   ever grow, so every reader checks that what its resolves see never goes backwards
 *   (a stale cache would). Clones race on the shared accounts: for each (account, item)
 *   exactly one worker may win; the others get IGNY8_EEXISTS, the one expected error.
 * - prompt commits to three shared prompt types, some publishing: the versions of a type
 *   are its initial ones plus exactly the acknowledged commits, each with its worker's
 *   message, and the published version is the highest acknowledged commit that published.
 * - the audit log has exactly one entry per acknowledged write (two for commit+publish).
 * - every resolve succeeds with a model; every JSON view parses (no torn JSON);
 *   IGNY8_EBUSY, or any other unexpected code, fails the worker at once.
 * Then PRAGMA integrity_check (sqlite3; on PostgreSQL the audit counts through libpq) and
 * the store's health quick_check must be "ok".
 *
 * Size: IGNY8_STRESS_OPS operations per worker (default 10,000; 2,000 when
 * IGNY8_SANITIZED=1, which the sanitizer build's CTest sets, since ASan makes every call
 * several times slower and the point there is memory errors, not volume).
 * IGNY8_STRESS_SEED changes the seed (default 9). The busy timeout stays the default 5 s. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "igny8.h"

#define WORKERS 8
#define OWNED 6
#define SHARED 3
#define N_MODULES 8
#define MAX_SOURCES 64
#define PROMPT_TYPES 3
#define DEFAULT_OPS 10000
#define SANITIZED_OPS 2000

static const char *const modules[N_MODULES] = { "planner", "writer", "thinker", "automation",
                                                "site_builder", "linker", "optimizer", "publisher" };
static const char *const owned_models[] = { "gpt-4o", "gpt-4.1", "gpt-4o-mini", "gpt-4.1-mini" };
#define N_OWNED_MODELS 4
static const char *const prompt_types[PROMPT_TYPES] = { "ideas", "clustering", "content_generation" };
static const int kinds[2] = { IGNY8_LIBRARY_AUTHOR_PROFILE, IGNY8_LIBRARY_STRATEGY };

/* The shared field of each worker (index id - 1). */
static const struct { const char *integration, *field; } shared_field[WORKERS] = {
    { "openai", "max_tokens" }, { "openai", "temperature" }, { "anthropic", "max_tokens" },
    { "anthropic", "temperature" }, { "dalle", "size" }, { "runware", "size" },
    { "dalle", "quality" }, { "runware", "style" },
};

#define GLOBAL_KEY "sk-FAKE-stress-global-openai"

static char self_path[4096];

/* The PostgreSQL schema of the store, or NULL for a file. */
static const char *store_schema(void)
{
    const char *s = getenv("IGNY8_STRESS_SCHEMA");
    return s && *s ? s : NULL;
}

static int open_store(igny8_store **st, const char *path)
{
    igny8_store_options opts = IGNY8_STORE_OPTIONS_INIT;
    opts.schema = store_schema();
    return igny8_store_open(st, path, &opts);
}

/* ---- small helpers ---- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)  /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static unsigned rnd(uint64_t *s, unsigned n) { return (unsigned)((rng_next(s) >> 33) % n); }

static int64_t owned_account(int worker, int i) { return 1000 * (int64_t)worker + 1 + i; }

static void key_of(char *buf, size_t n, int64_t account, int serial)
{
    snprintf(buf, n, "sk-FAKE-stress-%" PRId64 "-%06d", account, serial);
}

/* The value of a shared field for counter n (n = 0: the value the parent sets first).
 * Fields 1..6 grow with n; 7 and 8 alternate, so every write changes the field. */
static void shared_value(int worker, int n, char *buf, size_t size)
{
    switch (worker) {
    case 1: case 3: snprintf(buf, size, "%d", 1 + n); break;
    case 2: case 4: snprintf(buf, size, "%.17g", n / 8192.0); break;
    case 5: case 6: snprintf(buf, size, "\"%dx%d\"", 64 + n % 8000, 64 + n / 8000); break;
    case 7: snprintf(buf, size, "\"%s\"", n % 2 ? "hd" : "standard"); break;
    default: snprintf(buf, size, "\"%s\"", n % 2 ? "natural" : "vivid"); break;
    }
}

/* A size "WxH" back to its counter, -1 if it is not one of ours. */
static int size_counter(const char *size)
{
    int w, h;
    if (size == NULL || sscanf(size, "%dx%d", &w, &h) != 2 || w < 64 || w >= 8064 || h < 64)
        return -1;
    return (w - 64) + 8000 * (h - 64);
}

static cJSON *parse_or_null(const char *json) { return json ? cJSON_Parse(json) : NULL; }

/* The ids of a kind's global items (igny8_library_list_json). */
static int library_ids(igny8_store *st, int kind, int64_t *ids, int max)
{
    char *json = NULL;
    int n = 0;
    if (igny8_library_list_json(st, kind, NULL, &json) != IGNY8_OK)
        return -1;
    cJSON *arr = cJSON_Parse(json), *it;
    igny8_free(json);
    cJSON_ArrayForEach(it, arr) {
        cJSON *id = cJSON_GetObjectItem(it, "id");
        if (cJSON_IsNumber(id) && n < max)
            ids[n++] = (int64_t)id->valuedouble;
    }
    cJSON_Delete(arr);
    return n;
}

/* ======================================================================== worker == */

typedef struct {
    int model, temp, max_tokens;    /* openai overrides: -1 none; model index; temp n (n/8192) */
    int key_serial;                 /* 0: no own key */
    int module[N_MODULES];          /* -1 inherit, 0, 1 */
    int64_t copy[2][MAX_SOURCES];   /* the copy of each source, 0 none */
} owned_state;

typedef struct {
    int id;
    igny8_store *st;
    uint64_t rng;
    FILE *log;
    char actor[16];
    int n_sources[2];
    int64_t sources[2][MAX_SOURCES];
    owned_state owned[OWNED];
    int shared_n[SHARED];           /* this worker's shared field counter per shared account */
    int shared_module[SHARED];      /* its module on each shared account: -1, 0, 1 */
    int seen[SHARED][WORKERS + 1];  /* the highest counter of field w seen on account a */
    char global_model[64];
    double global_temperature;
    int global_max_tokens;
    int put_counter, commits, last_commit[PROMPT_TYPES];
    /* figures */
    long ops, reads, writes, expected_eexists;
    double max_write_s, max_read_s, write_s_total;
    long slow_writes;   /* over 100 ms */
} worker;

static void wfail(worker *w, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "worker %d, op %ld: ", w->id, w->ops);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Check a library call's result: 0, or one of the expected codes (given as a 0-ended list). */
static int check_rc(worker *w, const char *what, int rc, int expected)
{
    if (rc == IGNY8_OK || (expected != 0 && rc == expected))
        return rc;
    const igny8_error *e = igny8_error_last();
    wfail(w, "%s -> %d %s%s: %s", what, rc, igny8_strerror(rc), rc == IGNY8_EBUSY ? " (SQLITE_BUSY reached the caller)" : "",
          e->message);
    return rc;
}

static void logf_(worker *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(w->log, fmt, ap);
    va_end(ap);
    fputc('\n', w->log);
}

/* Time one write call (the whole call: waiting for the lock, the transaction, the commit). */
#define TIMED_WRITE(w, rcvar, call) do { double t0_ = now_s(); rcvar = (call); double d_ = now_s() - t0_; \
    (w)->writes++; (w)->write_s_total += d_; if (d_ > (w)->max_write_s) (w)->max_write_s = d_; \
    if (d_ > 0.1) (w)->slow_writes++; } while (0)
#define TIMED_READ(w, rcvar, call) do { double t0_ = now_s(); rcvar = (call); double d_ = now_s() - t0_; \
    (w)->reads++; if (d_ > (w)->max_read_s) (w)->max_read_s = d_; } while (0)

static cJSON *must_parse(worker *w, const char *what, char *json)
{
    cJSON *j = parse_or_null(json);
    if (j == NULL)
        wfail(w, "%s: the JSON does not parse (torn?): %.200s", what, json ? json : "(null)");
    igny8_free(json);
    return j;
}

/* ---- resolves ---- */

static void check_resolution_json(worker *w, igny8_resolution *r)
{
    char *json = NULL;
    int rc;
    TIMED_READ(w, rc, igny8_resolution_to_json(r, &json));
    check_rc(w, "resolution_to_json", rc, 0);
    cJSON *j = must_parse(w, "resolution JSON", json);
    cJSON *model = cJSON_GetObjectItem(j, "model");
    if (!cJSON_IsString(model) || strcmp(model->valuestring, igny8_resolution_model_name(r)) != 0)
        wfail(w, "resolution JSON names model %s, the resolution %s", cJSON_IsString(model) ? model->valuestring : "?",
              igny8_resolution_model_name(r));
    cJSON_Delete(j);
    cJSON *t = cJSON_Parse(igny8_resolution_trace_json(r));
    if (t == NULL || !cJSON_IsArray(cJSON_GetObjectItem(t, "levels")))
        wfail(w, "the trace does not parse: %.200s", igny8_resolution_trace_json(r));
    cJSON_Delete(t);
}

static igny8_resolution *resolve(worker *w, int64_t account, const char *op, const char *request)
{
    igny8_resolution *r = NULL;
    int rc;
    TIMED_READ(w, rc, igny8_get_model_for_operation(w->st, account, op, request, &r));
    check_rc(w, "get_model_for_operation", rc, 0);
    if (r == NULL || igny8_resolution_model_name(r) == NULL || igny8_resolution_model_name(r)[0] == '\0')
        wfail(w, "account %" PRId64 " %s: a resolution without a model", account, op);
    check_resolution_json(w, r);
    return r;
}

/* An owned account: the resolution is exactly what this worker last wrote. */
static void resolve_owned(worker *w)
{
    int i = (int)rnd(&w->rng, OWNED);
    int64_t a = owned_account(w->id, i);
    owned_state *o = &w->owned[i];
    if (rnd(&w->rng, 4) == 0) {  /* an image operation: the platform's image default */
        igny8_resolution_free(resolve(w, a, "image_generation", NULL));
        return;
    }
    igny8_resolution *r = resolve(w, a, rnd(&w->rng, 2) ? "clustering" : "content_generation", NULL);
    const char *model = o->model >= 0 ? owned_models[o->model] : w->global_model;
    double temp = o->temp >= 0 ? o->temp / 8192.0 : w->global_temperature;
    int max_tokens = o->max_tokens >= 0 ? o->max_tokens : w->global_max_tokens;
    char key[64];
    key_of(key, sizeof(key), a, o->key_serial);
    if (strcmp(igny8_resolution_model_name(r), model) != 0 || igny8_resolution_temperature(r) != temp ||
        igny8_resolution_max_tokens(r) != max_tokens)
        wfail(w, "account %" PRId64 " resolves to %s t=%.17g max=%d, but this worker last wrote %s t=%.17g max=%d",
              a, igny8_resolution_model_name(r), igny8_resolution_temperature(r), igny8_resolution_max_tokens(r),
              model, temp, max_tokens);
    int want_source = o->key_serial ? IGNY8_KEY_ACCOUNT : IGNY8_KEY_GLOBAL;
    const char *got_key = igny8_resolution_api_key(r);
    if (igny8_resolution_api_key_source(r) != want_source || got_key == NULL ||
        strcmp(got_key, o->key_serial ? key : GLOBAL_KEY) != 0)
        wfail(w, "account %" PRId64 ": key source %d, expected %d (own key serial %d)", a,
              igny8_resolution_api_key_source(r), want_source, o->key_serial);
    igny8_resolution_free(r);
}

/* A shared account: the fields that only grow never go backwards. */
static void see(worker *w, int a, int field, int n)
{
    if (n < w->seen[a][field])
        wfail(w, "shared account %d: field %s.%s went back from %d to %d (a stale read)", a + 1,
              shared_field[field - 1].integration, shared_field[field - 1].field, w->seen[a][field], n);
    w->seen[a][field] = n;
}

static void resolve_shared(worker *w)
{
    int a = (int)rnd(&w->rng, SHARED);
    igny8_resolution *r;
    switch (rnd(&w->rng, 4)) {
    case 0:   /* openai: fields 1 and 2 */
        r = resolve(w, a + 1, "clustering", NULL);
        see(w, a, 1, igny8_resolution_max_tokens(r) - 1);
        see(w, a, 2, (int)lround(igny8_resolution_temperature(r) * 8192.0));
        break;
    case 1:   /* anthropic: fields 3 and 4 */
        r = resolve(w, a + 1, "ideas", "claude-3-5-haiku-20241022");
        see(w, a, 3, igny8_resolution_max_tokens(r) - 1);
        see(w, a, 4, (int)lround(igny8_resolution_temperature(r) * 8192.0));
        break;
    case 2:   /* dalle: field 5 */
        r = resolve(w, a + 1, "image_generation", "dall-e-3");
        see(w, a, 5, size_counter(igny8_resolution_size(r)));
        break;
    default:  /* runware: field 6 */
        r = resolve(w, a + 1, "image_generation", "runware:100@1");
        see(w, a, 6, size_counter(igny8_resolution_size(r)));
        break;
    }
    igny8_resolution_free(r);
}

static void resolve_other(worker *w)
{
    int other = 1 + (int)rnd(&w->rng, WORKERS);
    static const char *const ops[] = { "clustering", "ideas", "content_generation", "image_generation",
                                       "taxonomy_generation" };
    igny8_resolution_free(resolve(w, owned_account(other, (int)rnd(&w->rng, OWNED)), ops[rnd(&w->rng, 5)], NULL));
}

/* ---- views ---- */

static void view(worker *w)
{
    char *json = NULL;
    int rc, i = (int)rnd(&w->rng, OWNED);
    int64_t a = owned_account(w->id, i);
    owned_state *o = &w->owned[i];
    cJSON *j, *it;
    switch (rnd(&w->rng, 5)) {
    case 0: {  /* any account's integrations */
        int64_t any = rnd(&w->rng, 2) ? 1 + rnd(&w->rng, SHARED) : owned_account(1 + (int)rnd(&w->rng, WORKERS), 0);
        TIMED_READ(w, rc, igny8_integration_list_json(w->st, any, &json));
        check_rc(w, "integration_list_json", rc, 0);
        j = must_parse(w, "integration list", json);
        if (cJSON_GetArraySize(j) != 4)
            wfail(w, "integration list of %" PRId64 " has %d entries", any, cJSON_GetArraySize(j));
        cJSON_Delete(j);
        break;
    }
    case 1:  /* an owned account's modules: exactly this worker's toggles */
        TIMED_READ(w, rc, igny8_module_list_json(w->st, a, &json));
        check_rc(w, "module_list_json", rc, 0);
        j = must_parse(w, "module list", json);
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "modules")) {
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(it, "name"));
            const char *source = cJSON_GetStringValue(cJSON_GetObjectItem(it, "source"));
            int enabled = cJSON_IsTrue(cJSON_GetObjectItem(it, "enabled"));
            for (int m = 0; name && m < N_MODULES; m++)
                if (strcmp(name, modules[m]) == 0) {
                    int want_account = o->module[m] >= 0;
                    if (!source || want_account != (strcmp(source, "account") == 0) ||
                        (want_account && enabled != o->module[m]))
                        wfail(w, "account %" PRId64 " module %s: source %s enabled %d, expected state %d", a, name,
                              source ? source : "?", enabled, o->module[m]);
                }
        }
        cJSON_Delete(j);
        break;
    case 2: {  /* an owned account's copies: exactly this worker's clones */
        int k = (int)rnd(&w->rng, 2), n = 0;
        TIMED_READ(w, rc, igny8_library_copy_list_json(w->st, kinds[k], a, &json));
        check_rc(w, "library_copy_list_json", rc, 0);
        j = must_parse(w, "copy list", json);
        cJSON_ArrayForEach(it, j) {
            int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id"));
            int64_t src = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "source_id"));
            int found = 0;
            for (int s = 0; s < w->n_sources[k]; s++)
                found |= w->sources[k][s] == src && o->copy[k][s] == id;
            if (!found)
                wfail(w, "account %" PRId64 " has copy %" PRId64 " of %" PRId64 " that this worker does not know",
                      a, id, src);
            n++;
        }
        for (int s = 0; s < w->n_sources[k]; s++)
            n -= o->copy[k][s] != 0;
        if (n != 0)
            wfail(w, "account %" PRId64 ": the copy list misses %d copies", a, -n);
        cJSON_Delete(j);
        break;
    }
    case 3: {  /* a shared prompt type's versions: this worker's last commit is there */
        int t = (int)rnd(&w->rng, PROMPT_TYPES);
        TIMED_READ(w, rc, igny8_prompt_versions_json(w->st, prompt_types[t], &json));
        check_rc(w, "prompt_versions_json", rc, 0);
        j = must_parse(w, "prompt versions", json);
        cJSON *latest = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "versions"), 0);
        int v = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(latest, "version"));
        if (v < w->last_commit[t])
            wfail(w, "%s: latest version %d, this worker committed %d", prompt_types[t], v, w->last_commit[t]);
        cJSON_Delete(j);
        break;
    }
    default: {  /* a shared account's integration, as the REST GET */
        static const char *const integ[] = { "openai", "anthropic", "dalle", "runware" };
        TIMED_READ(w, rc, igny8_integration_get_json(w->st, 1 + rnd(&w->rng, SHARED), integ[rnd(&w->rng, 4)], &json));
        check_rc(w, "integration_get_json", rc, 0);
        j = must_parse(w, "integration", json);
        if (!cJSON_IsString(cJSON_GetObjectItem(j, "model")))
            wfail(w, "an integration body without a model");
        cJSON_Delete(j);
        break;
    }
    }
}

/* ---- writes ---- */

static void put_owned(worker *w)
{
    int i = (int)rnd(&w->rng, OWNED), rc;
    int64_t a = owned_account(w->id, i);
    owned_state next = w->owned[i];
    char body[256], *json = NULL;
    size_t n = 0;
    n += (size_t)snprintf(body + n, sizeof(body) - n, "{");
    switch (rnd(&w->rng, 3)) {  /* model: set, clear or leave */
    case 0: next.model = (int)rnd(&w->rng, N_OWNED_MODELS);
            n += (size_t)snprintf(body + n, sizeof(body) - n, "\"model\":\"%s\",", owned_models[next.model]); break;
    case 1: next.model = -1; n += (size_t)snprintf(body + n, sizeof(body) - n, "\"model\":null,"); break;
    default: break;
    }
    switch (rnd(&w->rng, 3)) {  /* temperature: set, clear or leave */
    case 0: next.temp = (int)rnd(&w->rng, 16385);
            n += (size_t)snprintf(body + n, sizeof(body) - n, "\"temperature\":%.17g,", next.temp / 8192.0); break;
    case 1: next.temp = -1; n += (size_t)snprintf(body + n, sizeof(body) - n, "\"temperature\":null,"); break;
    default: break;
    }
    /* max_tokens always changes, so every PUT writes (and audits) something */
    next.max_tokens = 1 + (++w->put_counter % 16000);
    if (next.max_tokens == w->owned[i].max_tokens)
        next.max_tokens = 1 + (++w->put_counter % 16000);
    snprintf(body + n, sizeof(body) - n, "\"max_tokens\":%d}", next.max_tokens);
    TIMED_WRITE(w, rc, igny8_integration_put_json(w->st, w->actor, a, "openai", body, &json));
    check_rc(w, "integration_put_json", rc, 0);
    w->owned[i] = next;
    logf_(w, "O %" PRId64 " %d %d %d", a, next.model, next.temp, next.max_tokens);
    cJSON *j = must_parse(w, "PUT reply", json);
    cJSON *model = cJSON_GetObjectItem(j, "model"), *mt = cJSON_GetObjectItem(j, "max_tokens");
    const char *want = next.model >= 0 ? owned_models[next.model] : w->global_model;
    if (!cJSON_IsString(model) || strcmp(model->valuestring, want) != 0 || cJSON_GetNumberValue(mt) != next.max_tokens)
        wfail(w, "the PUT reply for %" PRId64 " does not show the body %s", a, body);
    cJSON_Delete(j);
}

static void put_shared(worker *w)
{
    int a = 1 + (int)rnd(&w->rng, SHARED), rc;
    char value[64], body[128];
    int n = ++w->shared_n[a - 1];
    shared_value(w->id, n, value, sizeof(value));
    snprintf(body, sizeof(body), "{\"%s\":%s}", shared_field[w->id - 1].field, value);
    TIMED_WRITE(w, rc, igny8_integration_put_json(w->st, w->actor, a, shared_field[w->id - 1].integration, body, NULL));
    check_rc(w, "integration_put_json (shared)", rc, 0);
    logf_(w, "X %d %d", a, n);
}

static void key_change(worker *w)
{
    int i = (int)rnd(&w->rng, OWNED), rc;
    int64_t a = owned_account(w->id, i);
    owned_state *o = &w->owned[i];
    char key[64];
    int serial = (o->key_serial && rnd(&w->rng, 3) == 0) ? 0 : (int)(w->ops + 1);  /* remove only a key that is set */
    key_of(key, sizeof(key), a, serial);
    TIMED_WRITE(w, rc, igny8_account_key_set(w->st, w->actor, a, "openai", serial ? key : NULL));
    check_rc(w, "account_key_set", rc, 0);
    o->key_serial = serial;
    logf_(w, "K %" PRId64 " %d", a, serial);
}

static int other_state(worker *w, int now)  /* a module state other than now: -1, 0 or 1 */
{
    int next = (int)rnd(&w->rng, 2) - 1;  /* -1 or 0 */
    return next >= now ? next + 1 : next;
}

static void module_toggle(worker *w)
{
    int rc, state, *slot;
    int64_t a;
    const char *name;
    char body[64], *json = NULL;
    if (rnd(&w->rng, 2)) {
        int i = (int)rnd(&w->rng, OWNED), m = (int)rnd(&w->rng, N_MODULES);
        a = owned_account(w->id, i);
        name = modules[m];
        slot = &w->owned[i].module[m];
    } else {
        int s = (int)rnd(&w->rng, SHARED);
        a = 1 + s;
        name = modules[w->id - 1];
        slot = &w->shared_module[s];
    }
    state = other_state(w, *slot);
    snprintf(body, sizeof(body), "{\"%s\":%s}", name, state < 0 ? "null" : state ? "true" : "false");
    TIMED_WRITE(w, rc, igny8_module_put_json(w->st, w->actor, a, body, &json));
    check_rc(w, "module_put_json", rc, 0);
    *slot = state;
    logf_(w, "M %" PRId64 " %s %d", a, name, state);
    cJSON_Delete(must_parse(w, "module PUT reply", json));
}

static void clone_owned(worker *w)
{
    int i = (int)rnd(&w->rng, OWNED), k = (int)rnd(&w->rng, 2), rc;
    int s = (int)rnd(&w->rng, (unsigned)w->n_sources[k]);
    int64_t a = owned_account(w->id, i), *copy = &w->owned[i].copy[k][s], id = 0;
    if (*copy) {
        TIMED_WRITE(w, rc, igny8_library_copy_delete(w->st, w->actor, kinds[k], a, *copy));
        check_rc(w, "library_copy_delete", rc, 0);
        logf_(w, "D %d %" PRId64 " %" PRId64, kinds[k], a, *copy);
        *copy = 0;
        return;
    }
    TIMED_WRITE(w, rc, igny8_library_clone(w->st, w->actor, kinds[k], a, w->sources[k][s], &id));
    check_rc(w, "library_clone (owned)", rc, 0);
    *copy = id;
    logf_(w, "C %d %" PRId64 " %" PRId64 " %" PRId64, kinds[k], a, w->sources[k][s], id);
}

static void clone_shared(worker *w)
{
    int k = (int)rnd(&w->rng, 2), rc;
    int64_t a = 1 + rnd(&w->rng, SHARED), src = w->sources[k][rnd(&w->rng, (unsigned)w->n_sources[k])], id = 0;
    TIMED_WRITE(w, rc, igny8_library_clone(w->st, w->actor, kinds[k], a, src, &id));
    if (check_rc(w, "library_clone (shared)", rc, IGNY8_EEXISTS) == IGNY8_EEXISTS) {
        w->expected_eexists++;
        return;
    }
    logf_(w, "C %d %" PRId64 " %" PRId64 " %" PRId64, kinds[k], a, src, id);
}

static void commit(worker *w)
{
    int t = (int)rnd(&w->rng, PROMPT_TYPES), rc;
    int publish = rnd(&w->rng, 4) == 0;
    char value[128], message[64];
    igny8_prompt *p = NULL;
    igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
    snprintf(value, sizeof(value), "Stress prompt of worker %d, commit %d, for {site_name}.\n", w->id, w->commits + 1);
    snprintf(message, sizeof(message), "w%d #%d", w->id, w->commits + 1);
    o.prompt_type = prompt_types[t];
    o.value = value;
    o.message = message;
    o.publish = publish;
    TIMED_WRITE(w, rc, igny8_prompt_commit(w->st, w->actor, &o, &p));
    check_rc(w, "prompt_commit", rc, 0);
    int version = igny8_prompt_version(p);
    if (strcmp(igny8_prompt_value(p), value) != 0 || version <= w->last_commit[t])
        wfail(w, "commit %s gave version %d (last %d) with another value", prompt_types[t], version, w->last_commit[t]);
    igny8_prompt_free(p);
    w->commits++;
    w->last_commit[t] = version;
    logf_(w, "P %d %d %d %d", t, version, publish, w->commits);
}

static int worker_main(const char *path, int id, long ops, uint64_t seed, const char *log_path)
{
    worker w;
    memset(&w, 0, sizeof(w));
    w.id = id;
    w.rng = (seed * UINT64_C(0x9E3779B97F4A7C15)) ^ (uint64_t)id * UINT64_C(0xD1B54A32D192ED03);
    if (w.rng == 0)
        w.rng = 1;
    snprintf(w.actor, sizeof(w.actor), "w%d", id);
    alarm(600);  /* never hang the test run */
    if ((w.log = fopen(log_path, "w")) == NULL)
        wfail(&w, "cannot write %s: %s", log_path, strerror(errno));
    setvbuf(w.log, NULL, _IOLBF, 0);  /* a line per write(2) */
    check_rc(&w, "store_open", open_store(&w.st, path), 0);
    for (int k = 0; k < 2; k++)
        if ((w.n_sources[k] = library_ids(w.st, kinds[k], w.sources[k], MAX_SOURCES)) <= 0)
            wfail(&w, "no library items of kind %d", kinds[k]);
    igny8_integration *g = NULL;
    check_rc(&w, "global_integration_get", igny8_global_integration_get(w.st, "openai", &g), 0);
    snprintf(w.global_model, sizeof(w.global_model), "%s", igny8_integration_model(g));
    w.global_temperature = igny8_integration_temperature(g);
    w.global_max_tokens = igny8_integration_max_tokens(g);
    igny8_integration_free(g);
    for (int i = 0; i < OWNED; i++) {
        w.owned[i].model = w.owned[i].temp = w.owned[i].max_tokens = -1;
        for (int m = 0; m < N_MODULES; m++)
            w.owned[i].module[m] = -1;
    }
    for (int s = 0; s < SHARED; s++)
        w.shared_module[s] = -1;
    double start = now_s();
    for (w.ops = 0; w.ops < ops; w.ops++) {
        unsigned r = rnd(&w.rng, 100);
        if (r < 20) resolve_owned(&w);
        else if (r < 35) resolve_shared(&w);
        else if (r < 43) resolve_other(&w);
        else if (r < 53) view(&w);
        else if (r < 73) put_owned(&w);
        else if (r < 80) put_shared(&w);
        else if (r < 85) key_change(&w);
        else if (r < 91) module_toggle(&w);
        else if (r < 94) clone_owned(&w);
        else if (r < 97) clone_shared(&w);
        else commit(&w);
    }
    double elapsed = now_s() - start;
    igny8_store_close(w.st);
    logf_(&w, "S %ld %ld %ld %.6f %.6f %.6f %.6f %ld %ld", w.ops, w.reads, w.writes, elapsed, w.max_write_s,
          w.max_read_s, w.write_s_total, w.slow_writes, w.expected_eexists);
    fclose(w.log);
    return 0;
}

/* ======================================================================== parent == */

static int failures;

static void fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (++failures > 50) {
        fprintf(stderr, "stress: too many failures\n");
        exit(1);
    }
}

static void must(int rc, const char *what)
{
    if (rc != IGNY8_OK) {
        fprintf(stderr, "stress: %s -> %d: %s\n", what, rc, igny8_error_last()->message);
        exit(1);
    }
}

/* What the logs say, replayed in order per worker. Owned accounts are one worker's, so
 * the order of its log is the order of the writes. */
typedef struct {
    owned_state owned[OWNED];
    int shared_n[SHARED];        /* last acknowledged counter of its field per shared account */
    int shared_module[SHARED];
    long summary_ops, summary_reads, summary_writes, slow_writes, eexists;
    double elapsed, max_write_s, max_read_s, write_s_total;
    long acked, audit_expected;
    int has_summary;
} replay;

typedef struct { int kind; int64_t account, source, id; int by; } shared_clone;

typedef struct {
    replay w[WORKERS + 1];
    shared_clone *clones;
    size_t n_clones, cap_clones;
    int *versions[PROMPT_TYPES];  /* versions[t][v] = worker that committed v (0 none) */
    int *version_commit[PROMPT_TYPES];  /* its commit number (the message "w<id> #<n>") */
    int max_version[PROMPT_TYPES], commits[PROMPT_TYPES], published[PROMPT_TYPES];
} expected;

static void record_version(expected *e, int t, int v, int by, int n)
{
    if (v >= e->max_version[t]) {
        int cap = v + 1024;
        e->versions[t] = realloc(e->versions[t], (size_t)cap * sizeof(int));
        e->version_commit[t] = realloc(e->version_commit[t], (size_t)cap * sizeof(int));
        for (int i = e->max_version[t]; i < cap; i++)
            e->versions[t][i] = e->version_commit[t][i] = 0;
        e->max_version[t] = cap;
    }
    if (e->versions[t][v])
        fail("%s version %d acknowledged to worker %d and to worker %d", prompt_types[t], v, e->versions[t][v], by);
    e->versions[t][v] = by;
    e->version_commit[t][v] = n;
}

static void read_log(expected *e, int wid, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    replay *r = &e->w[wid];
    for (int i = 0; i < OWNED; i++) {
        r->owned[i].model = r->owned[i].temp = r->owned[i].max_tokens = -1;
        for (int m = 0; m < N_MODULES; m++)
            r->owned[i].module[m] = -1;
    }
    for (int s = 0; s < SHARED; s++)
        r->shared_module[s] = -1;
    if (f == NULL) {
        fail("worker %d left no log %s", wid, path);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        int64_t a, src, id;
        int x, y, z, n, kind;
        char name[64];
        if (line[0] != 'S')
            r->acked++, r->audit_expected++;
        switch (line[0]) {
        case 'O':
            if (sscanf(line, "O %" SCNd64 " %d %d %d", &a, &x, &y, &z) == 4 && a - owned_account(wid, 0) < OWNED) {
                owned_state *o = &r->owned[a - owned_account(wid, 0)];
                o->model = x, o->temp = y, o->max_tokens = z;
            } else fail("worker %d log: bad line %s", wid, line);
            break;
        case 'K':
            if (sscanf(line, "K %" SCNd64 " %d", &a, &x) == 2 && a - owned_account(wid, 0) < OWNED)
                r->owned[a - owned_account(wid, 0)].key_serial = x;
            else fail("worker %d log: bad line %s", wid, line);
            break;
        case 'M':
            if (sscanf(line, "M %" SCNd64 " %63s %d", &a, name, &x) != 3) {
                fail("worker %d log: bad line %s", wid, line);
                break;
            }
            if (a <= SHARED) {
                r->shared_module[a - 1] = x;
            } else {
                for (int m = 0; m < N_MODULES; m++)
                    if (strcmp(name, modules[m]) == 0)
                        r->owned[a - owned_account(wid, 0)].module[m] = x;
            }
            break;
        case 'X':
            if (sscanf(line, "X %" SCNd64 " %d", &a, &x) == 2 && a >= 1 && a <= SHARED)
                r->shared_n[a - 1] = x;
            else fail("worker %d log: bad line %s", wid, line);
            break;
        case 'C':
            if (sscanf(line, "C %d %" SCNd64 " %" SCNd64 " %" SCNd64, &kind, &a, &src, &id) != 4) {
                fail("worker %d log: bad line %s", wid, line);
                break;
            }
            if (a <= SHARED) {
                if (e->n_clones == e->cap_clones) {
                    e->cap_clones = e->cap_clones ? 2 * e->cap_clones : 64;
                    e->clones = realloc(e->clones, e->cap_clones * sizeof(*e->clones));
                }
                e->clones[e->n_clones++] = (shared_clone){ kind, a, src, id, wid };
            } else {
                owned_state *o = &r->owned[a - owned_account(wid, 0)];
                /* the source's slot: found by the parent from the copy list later; keep by id */
                for (int s = 0; s < MAX_SOURCES; s++)
                    if (o->copy[kind - 1][s] == 0) { o->copy[kind - 1][s] = id; break; }
            }
            break;
        case 'D':
            if (sscanf(line, "D %d %" SCNd64 " %" SCNd64, &kind, &a, &id) == 3 && a > SHARED) {
                owned_state *o = &r->owned[a - owned_account(wid, 0)];
                int found = 0;
                for (int s = 0; s < MAX_SOURCES && !found; s++)
                    if (o->copy[kind - 1][s] == id) { o->copy[kind - 1][s] = 0; found = 1; }
                if (!found)
                    fail("worker %d deleted copy %" PRId64 " it never cloned", wid, id);
            } else fail("worker %d log: bad line %s", wid, line);
            break;
        case 'P':
            if (sscanf(line, "P %d %d %d %d", &x, &y, &z, &n) == 4 && x >= 0 && x < PROMPT_TYPES) {
                record_version(e, x, y, wid, n);
                e->commits[x]++;
                if (z && y > e->published[x])
                    e->published[x] = y;
                r->audit_expected += z;  /* commit + publish: two entries */
            } else fail("worker %d log: bad line %s", wid, line);
            break;
        case 'S':
            if (sscanf(line, "S %ld %ld %ld %lf %lf %lf %lf %ld %ld", &r->summary_ops, &r->summary_reads,
                       &r->summary_writes, &r->elapsed, &r->max_write_s, &r->max_read_s, &r->write_s_total,
                       &r->slow_writes, &r->eexists) == 9)
                r->has_summary = 1;
            break;
        default:
            fail("worker %d log: bad line %s", wid, line);
        }
    }
    fclose(f);
    if (!r->has_summary)
        fail("worker %d did not finish (no summary line)", wid);
}

/* Takes the out-parameter's address: *json is read only after the call has set it. */
static cJSON *view_json(int rc, char **json, const char *what)
{
    if (rc != IGNY8_OK) {
        fail("%s -> %d: %s", what, rc, igny8_error_last()->message);
        return NULL;
    }
    cJSON *j = cJSON_Parse(*json);
    if (j == NULL)
        fail("%s: JSON does not parse", what);
    igny8_free(*json);
    *json = NULL;
    return j;
}

static void verify_owned(igny8_store *st, const expected *e)
{
    for (int w = 1; w <= WORKERS; w++)
        for (int i = 0; i < OWNED; i++) {
            const owned_state *o = &e->w[w].owned[i];
            int64_t a = owned_account(w, i);
            igny8_integration *s = NULL;
            must(igny8_account_integration_get(st, a, "openai", &s), "account_integration_get");
            int model_over = igny8_integration_is_override(s, IGNY8_FIELD_MODEL);
            if (model_over != (o->model >= 0) || (model_over && strcmp(igny8_integration_model(s), owned_models[o->model])))
                fail("account %" PRId64 ": model %s (override %d), the log says %s", a, igny8_integration_model(s),
                     model_over, o->model >= 0 ? owned_models[o->model] : "(none)");
            int temp_over = igny8_integration_is_override(s, IGNY8_FIELD_TEMPERATURE);
            if (temp_over != (o->temp >= 0) || (temp_over && igny8_integration_temperature(s) != o->temp / 8192.0))
                fail("account %" PRId64 ": temperature %.17g (override %d), the log says %d/8192", a,
                     igny8_integration_temperature(s), temp_over, o->temp);
            int max_over = igny8_integration_is_override(s, IGNY8_FIELD_MAX_TOKENS);
            if (max_over != (o->max_tokens >= 0) || (max_over && igny8_integration_max_tokens(s) != o->max_tokens))
                fail("account %" PRId64 ": max_tokens %d (override %d), the log says %d", a,
                     igny8_integration_max_tokens(s), max_over, o->max_tokens);
            igny8_integration_free(s);
            /* the key, through a resolve */
            igny8_resolution *r = NULL;
            must(igny8_get_model_for_operation(st, a, "clustering", NULL, &r), "resolve");
            char key[64];
            key_of(key, sizeof(key), a, o->key_serial);
            int src = igny8_resolution_api_key_source(r);
            const char *k = igny8_resolution_api_key(r);
            if (o->key_serial ? (src != IGNY8_KEY_ACCOUNT || !k || strcmp(k, key))
                              : (src != IGNY8_KEY_GLOBAL || !k || strcmp(k, GLOBAL_KEY)))
                fail("account %" PRId64 ": key source %d, the log says own key serial %d", a, src, o->key_serial);
            igny8_resolution_free(r);
            /* modules */
            char *json = NULL;
            cJSON *j = view_json(igny8_module_list_json(st, a, &json), &json, "module_list_json"), *it;
            cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "modules")) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(it, "name"));
                const char *source = cJSON_GetStringValue(cJSON_GetObjectItem(it, "source"));
                int enabled = cJSON_IsTrue(cJSON_GetObjectItem(it, "enabled"));
                for (int m = 0; name && m < N_MODULES; m++)
                    if (strcmp(name, modules[m]) == 0 &&
                        (!source || (o->module[m] >= 0) != (strcmp(source, "account") == 0) ||
                         (o->module[m] >= 0 && enabled != o->module[m])))
                        fail("account %" PRId64 " module %s: source %s enabled %d, the log says %d", a, name,
                             source ? source : "?", enabled, o->module[m]);
            }
            cJSON_Delete(j);
            /* copies: exactly the live ones of the log */
            for (int k2 = 0; k2 < 2; k2++) {
                int n = 0;
                j = view_json(igny8_library_copy_list_json(st, kinds[k2], a, &json), &json, "copy_list_json");
                cJSON_ArrayForEach(it, j) {
                    int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id")), found = 0;
                    for (int c = 0; c < MAX_SOURCES; c++)
                        found |= o->copy[k2][c] == id;
                    if (!found)
                        fail("account %" PRId64 " has copy %" PRId64 " that the log does not have", a, id);
                    n++;
                }
                for (int c = 0; c < MAX_SOURCES; c++)
                    n -= o->copy[k2][c] != 0;
                if (n)
                    fail("account %" PRId64 ": %d copies of the log are missing", a, -n);
                cJSON_Delete(j);
            }
        }
}

static void verify_shared(igny8_store *st, const expected *e)
{
    for (int a = 1; a <= SHARED; a++) {
        char *json = NULL;
        cJSON *mods = view_json(igny8_module_list_json(st, a, &json), &json, "module_list_json"), *it;
        for (int w = 1; w <= WORKERS; w++) {
            /* the worker's field, as the REST GET shows it */
            char value[64];
            shared_value(w, e->w[w].shared_n[a - 1], value, sizeof(value));
            cJSON *j = view_json(igny8_integration_get_json(st, a, shared_field[w - 1].integration, &json), &json,
                                 "integration_get_json");
            char *got = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, shared_field[w - 1].field));
            int same = got && (strcmp(got, value) == 0 ||
                               (cJSON_IsNumber(cJSON_GetObjectItem(j, shared_field[w - 1].field)) &&
                                cJSON_GetNumberValue(cJSON_GetObjectItem(j, shared_field[w - 1].field)) == strtod(value, NULL)));
            if (!same)
                fail("shared account %d: %s.%s is %s, worker %d's last acknowledged write was %s (counter %d): "
                     "a lost update", a, shared_field[w - 1].integration, shared_field[w - 1].field, got ? got : "?", w,
                     value, e->w[w].shared_n[a - 1]);
            free(got);
            cJSON_Delete(j);
            /* the worker's module */
            int state = e->w[w].shared_module[a - 1];
            cJSON_ArrayForEach(it, cJSON_GetObjectItem(mods, "modules")) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(it, "name"));
                const char *source = cJSON_GetStringValue(cJSON_GetObjectItem(it, "source"));
                if (name && strcmp(name, modules[w - 1]) == 0 &&
                    (!source || (state >= 0) != (strcmp(source, "account") == 0) ||
                     (state >= 0 && cJSON_IsTrue(cJSON_GetObjectItem(it, "enabled")) != state)))
                    fail("shared account %d module %s: source %s, worker %d's last acknowledged state was %d", a, name,
                         source ? source : "?", w, state);
            }
        }
        cJSON_Delete(mods);
        /* clones: every copy was acknowledged to exactly one worker, and every acknowledged one exists */
        for (int k = 0; k < 2; k++) {
            cJSON *j = view_json(igny8_library_copy_list_json(st, kinds[k], a, &json), &json, "copy_list_json");
            int n = 0;
            cJSON_ArrayForEach(it, j) {
                int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id"));
                int64_t src = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "source_id"));
                int acks = 0;
                for (size_t c = 0; c < e->n_clones; c++)
                    if (e->clones[c].account == a && e->clones[c].kind == kinds[k] && e->clones[c].source == src) {
                        acks++;
                        if (e->clones[c].id != id)
                            fail("shared account %d: copy of %" PRId64 " is %" PRId64 ", worker %d was told %" PRId64,
                                 a, src, id, e->clones[c].by, e->clones[c].id);
                    }
                if (acks != 1)
                    fail("shared account %d: the copy of source %" PRId64 " was acknowledged %d times", a, src, acks);
                n++;
            }
            for (size_t c = 0; c < e->n_clones; c++)
                n -= e->clones[c].account == a && e->clones[c].kind == kinds[k];
            if (n)
                fail("shared account %d kind %d: copies and acknowledged clones differ by %d", a, kinds[k], n);
            cJSON_Delete(j);
        }
    }
}

static void verify_prompts(igny8_store *st, const expected *e, const int initial_latest[], const int initial_published[])
{
    for (int t = 0; t < PROMPT_TYPES; t++) {
        char *json = NULL;
        cJSON *j = view_json(igny8_prompt_versions_json(st, prompt_types[t], &json), &json, "prompt_versions_json"), *it;
        int count = 0, latest = 0;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "versions")) {
            int v = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "version"));
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(it, "message"));
            const char *author = cJSON_GetStringValue(cJSON_GetObjectItem(it, "author"));
            count++;
            if (v > latest)
                latest = v;
            if (v <= initial_latest[t])
                continue;
            int w = v < e->max_version[t] ? e->versions[t][v] : 0;
            char want_msg[64], want_author[16];
            if (w == 0) {
                fail("%s version %d exists but no worker was told it committed", prompt_types[t], v);
                continue;
            }
            snprintf(want_msg, sizeof(want_msg), "w%d #%d", w, e->version_commit[t][v]);
            snprintf(want_author, sizeof(want_author), "w%d", w);
            if (!msg || !author || strcmp(msg, want_msg) || strcmp(author, want_author))
                fail("%s version %d: message %s by %s, the log says %s by %s", prompt_types[t], v, msg ? msg : "?",
                     author ? author : "?", want_msg, want_author);
        }
        if (count != initial_latest[t] + e->commits[t] || latest != initial_latest[t] + e->commits[t])
            fail("%s: %d versions (latest %d), expected %d initial + %d acknowledged commits", prompt_types[t], count,
                 latest, initial_latest[t], e->commits[t]);
        int published = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "published_version"));
        int want = e->published[t] ? e->published[t] : initial_published[t];
        if (published != want)
            fail("%s: published version %d, the highest acknowledged publishing commit is %d", prompt_types[t],
                 published, want);
        printf("  prompt %-18s %d versions (%d initial + %d commits), published %d\n", prompt_types[t], count,
               initial_latest[t], e->commits[t], published);
        cJSON_Delete(j);
    }
}

static void check_audit_count(int w, long n, const expected *e)
{
    if (n != e->w[w].audit_expected)
        fail("worker %d: %ld audit entries, %ld acknowledged writes imply %ld", w, n, e->w[w].acked,
             e->w[w].audit_expected);
}

static void verify_sqlite(const char *path, const expected *e)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail("sqlite3 cannot open %s", path);
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(s, 0);
        printf("  PRAGMA integrity_check: %s\n", res ? res : "?");
        if (!res || strcmp(res, "ok") != 0)
            fail("integrity_check: %s", res ? res : "(null)");
    } else {
        fail("integrity_check failed: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    /* one audit entry per acknowledged write (two for a commit that publishes) */
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE actor = ?", -1, &s, NULL) == SQLITE_OK) {
        for (int w = 1; w <= WORKERS; w++) {
            char actor[16];
            snprintf(actor, sizeof(actor), "w%d", w);
            sqlite3_reset(s);
            sqlite3_bind_text(s, 1, actor, -1, SQLITE_TRANSIENT);
            long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
            check_audit_count(w, n, e);
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* PostgreSQL has no integrity_check to run: the server owns the pages. What is checked
 * is what the library could get wrong: one audit entry per acknowledged write. */
static void verify_postgres(const char *url, const char *schema, const expected *e)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        fail("cannot connect to %s: %s", url, PQerrorMessage(conn));
        PQfinish(conn);
        return;
    }
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\".audit WHERE actor = $1", schema);
    for (int w = 1; w <= WORKERS; w++) {
        char actor[16];
        snprintf(actor, sizeof(actor), "w%d", w);
        const char *params[1] = { actor };
        PGresult *r = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
        long n = PQresultStatus(r) == PGRES_TUPLES_OK ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
        if (n < 0)
            fail("%s: %s", sql, PQerrorMessage(conn));
        PQclear(r);
        check_audit_count(w, n, e);
    }
    PQfinish(conn);
}

static void drop_schema(const char *url, const char *schema)
{
    PGconn *conn = PQconnectdb(url);
    char sql[128];
    snprintf(sql, sizeof(sql), "SET client_min_messages = warning; DROP SCHEMA IF EXISTS \"%s\" CASCADE", schema);
    PQclear(PQexec(conn, sql));
    PQfinish(conn);
}

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "--worker") == 0)
        return worker_main(argv[2], atoi(argv[3]), atol(argv[4]), strtoull(argv[5], NULL, 10), argv[6]);
    if (argc != 1) {
        fprintf(stderr, "usage: %s   (the test; --worker PATH ID OPS SEED LOG is its child)\n", argv[0]);
        return 2;
    }
    if (realpath(argv[0], self_path) == NULL)
        return 1;
    int sanitized = getenv("IGNY8_SANITIZED") && strcmp(getenv("IGNY8_SANITIZED"), "1") == 0;
    long ops = env_long("IGNY8_STRESS_OPS", sanitized ? SANITIZED_OPS : DEFAULT_OPS);
    uint64_t seed = (uint64_t)env_long("IGNY8_STRESS_SEED", 9);
    char dir[] = "/tmp/igny8-stress-XXXXXX", path[512], logs[WORKERS + 1][256], schema[64] = "";
    if (mkdtemp(dir) == NULL)
        return 1;
    const char *backend = getenv("IGNY8_TEST_BACKEND");
    if (backend && strcmp(backend, "postgresql") == 0) {
        const char *url = getenv("IGNY8_TEST_PG_URL");
        snprintf(path, sizeof(path), "%s", url && *url ? url : "postgresql://igny8@127.0.0.1:55432/igny8test");
        snprintf(schema, sizeof(schema), "stress_%ld", (long)getpid());
        setenv("IGNY8_STRESS_SCHEMA", schema, 1);  /* the workers inherit it */
    } else {
        snprintf(path, sizeof(path), "%s/store.db", dir);
        unsetenv("IGNY8_STRESS_SCHEMA");
    }
    printf("stress: %d processes x %ld operations on %s%s%s (seed %" PRIu64 "%s)\n", WORKERS, ops, path,
           schema[0] ? ", schema " : "", schema, seed, sanitized ? ", sanitizer build" : "");

    /* The store: the defaults, a platform key, and the shared fields at counter 0, so that
     * they only grow from the first read on. Closed before any fork. */
    igny8_store *st = NULL;
    int initial_latest[PROMPT_TYPES], initial_published[PROMPT_TYPES];
    must(open_store(&st, path), "store_open");
    must(igny8_defaults_load(st, "stress", NULL), "defaults_load");
    must(igny8_global_key_set(st, "stress", "openai", GLOBAL_KEY), "global_key_set");
    for (int a = 1; a <= SHARED; a++)
        for (int w = 1; w <= WORKERS; w++) {
            char value[64], body[128];
            shared_value(w, 0, value, sizeof(value));
            snprintf(body, sizeof(body), "{\"%s\":%s}", shared_field[w - 1].field, value);
            must(igny8_integration_put_json(st, "stress", a, shared_field[w - 1].integration, body, NULL), "shared setup");
        }
    for (int t = 0; t < PROMPT_TYPES; t++) {
        igny8_prompt *p = NULL;
        must(igny8_prompt_get(st, prompt_types[t], 0, &p), "prompt_get");
        initial_published[t] = igny8_prompt_version(p);
        igny8_prompt_free(p);
        char *json = NULL;
        must(igny8_prompt_versions_json(st, prompt_types[t], &json), "prompt_versions_json");
        cJSON *j = cJSON_Parse(json);
        initial_latest[t] = cJSON_GetArraySize(cJSON_GetObjectItem(j, "versions"));
        cJSON_Delete(j);
        igny8_free(json);
    }
    igny8_store_close(st);

    pid_t pids[WORKERS + 1];
    double start = now_s();
    for (int w = 1; w <= WORKERS; w++) {
        char id[16], n[32], sd[32];
        snprintf(logs[w], sizeof(logs[w]), "%s/worker%d.log", dir, w);
        snprintf(id, sizeof(id), "%d", w);
        snprintf(n, sizeof(n), "%ld", ops);
        snprintf(sd, sizeof(sd), "%" PRIu64, seed);
        fflush(NULL);
        pids[w] = fork();
        if (pids[w] < 0)
            return 1;
        if (pids[w] == 0) {
            execl(self_path, "stress_multiprocess", "--worker", path, id, n, sd, logs[w], (char *)NULL);
            _exit(127);
        }
    }
    int worker_failed = 0;
    for (int w = 1; w <= WORKERS; w++) {
        int status = 0;
        if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "FAIL: worker %d %s %d\n", w, WIFSIGNALED(status) ? "killed by signal" : "exited with",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            worker_failed = 1;
        }
    }
    double wall = now_s() - start;
    if (worker_failed) {
        fprintf(stderr, "stress: the store and logs are kept in %s\n", dir);
        return 1;
    }

    expected e;
    memset(&e, 0, sizeof(e));
    for (int w = 1; w <= WORKERS; w++)
        read_log(&e, w, logs[w]);
    long total_ops = 0, total_writes = 0, total_reads = 0, slow = 0, eexists = 0;
    double max_write = 0, max_read = 0, write_s = 0;
    printf("  worker    ops/s   writes  max write wait  max read\n");
    for (int w = 1; w <= WORKERS; w++) {
        replay *r = &e.w[w];
        total_ops += r->summary_ops;
        total_writes += r->summary_writes;
        total_reads += r->summary_reads;
        slow += r->slow_writes;
        eexists += r->eexists;
        write_s += r->write_s_total;
        if (r->max_write_s > max_write) max_write = r->max_write_s;
        if (r->max_read_s > max_read) max_read = r->max_read_s;
        printf("  %6d %8.0f %8ld %12.1f ms %7.1f ms\n", w, r->summary_ops / r->elapsed, r->summary_writes,
               r->max_write_s * 1e3, r->max_read_s * 1e3);
    }
    printf("  total: %ld operations (%ld writes, %ld reads) in %.2f s = %.0f ops/s (%.0f writes/s); "
           "mean write %.2f ms, worst write (lock wait + commit) %.1f ms, %ld writes over 100 ms; "
           "%ld shared clones refused with IGNY8_EEXISTS (expected)\n",
           total_ops, total_writes, total_reads, wall, total_ops / wall, total_writes / wall,
           total_writes ? write_s / total_writes * 1e3 : 0.0, max_write * 1e3, slow, eexists);

    must(open_store(&st, path), "store_open (verify)");
    verify_owned(st, &e);
    verify_shared(st, &e);
    verify_prompts(st, &e, initial_latest, initial_published);
    char *health = NULL;
    cJSON *h = view_json(igny8_health_json(st, &health), &health, "health_json");
    const char *qc = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(h, "store"), "quick_check"));
    printf("  health quick_check: %s\n", qc ? qc : "?");
    if (!qc || strcmp(qc, "ok") != 0)
        fail("health quick_check: %s", qc ? qc : "(missing)");
    cJSON_Delete(h);
    igny8_store_close(st);
    if (schema[0])
        verify_postgres(path, schema, &e);
    else
        verify_sqlite(path, &e);
    long acked = 0;
    for (int w = 1; w <= WORKERS; w++)
        acked += e.w[w].acked;
    printf("  %ld acknowledged writes replayed against the store, %zu shared clones\n", acked, e.n_clones);
    for (int t = 0; t < PROMPT_TYPES; t++) {
        free(e.versions[t]);
        free(e.version_commit[t]);
    }
    free(e.clones);
    if (failures) {
        fprintf(stderr, "stress: %d failures; the store%s%s and logs are kept in %s\n", failures,
                schema[0] ? ": schema " : "", schema, dir);
        return 1;
    }
    for (int w = 1; w <= WORKERS; w++)
        unlink(logs[w]);
    char f[600];
    const char *suffix[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
    if (schema[0])
        drop_schema(path, schema);
    printf("stress: PASS\n");
    return 0;
}
