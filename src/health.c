/* Operations: real connection tests of the providers' APIs, the connection status and
 * the store's health. SQL is in db_health.c, HTTP in http.c.
 *
 * A connection test reads what it needs (the integration, its provider's test kind and
 * base URL, the key) in one read transaction and ends it, makes the request without the
 * store lock, then records the result in a write transaction. The key lives only in this
 * file's plan and in one request header, and both are wiped when freed. Messages are our
 * own: a provider's answer may echo the key, so no part of it is ever copied. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "audit.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "model.h"
#include "settings.h"
#include "store.h"

static const size_t test_options_size[] = { 0, sizeof(igny8_connection_test_options) };

int igny8_connection_test_options_init(igny8_connection_test_options *opts, unsigned int version)
{
    IGNY8__CHECK_ARG(opts);
    if (version < 1 || version > IGNY8_CONNECTION_TEST_OPTIONS_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "connection test options version %u is not supported (1..%u)",
                                version, IGNY8_CONNECTION_TEST_OPTIONS_VERSION);
    memset(opts, 0, sizeof(*opts));
    opts->version = version;
    return IGNY8_OK;
}

static int read_test_options(igny8_connection_test_options *o, const igny8_connection_test_options *given)
{
    memset(o, 0, sizeof(*o));
    o->version = IGNY8_CONNECTION_TEST_OPTIONS_VERSION;
    if (given) {
        int rc = igny8__options_copy(o, given, test_options_size, IGNY8_CONNECTION_TEST_OPTIONS_VERSION,
                                     "connection test options");
        if (rc != IGNY8_OK)
            return rc;
    }
    if (o->connect_timeout_ms > IGNY8_TEST_TIMEOUT_MAX_MS)
        return igny8__error_set(IGNY8_EINVAL, "connect_timeout_ms", "connect_timeout_ms %u is above %u",
                                o->connect_timeout_ms, IGNY8_TEST_TIMEOUT_MAX_MS);
    if (o->timeout_ms > IGNY8_TEST_TIMEOUT_MAX_MS)
        return igny8__error_set(IGNY8_EINVAL, "timeout_ms", "timeout_ms %u is above %u", o->timeout_ms,
                                IGNY8_TEST_TIMEOUT_MAX_MS);
    if (o->account_id < 0)
        return igny8__error_set(IGNY8_EINVAL, "account_id", "account_id %lld is negative", (long long)o->account_id);
    if (o->connect_timeout_ms == 0)
        o->connect_timeout_ms = IGNY8_CONNECT_TIMEOUT_DEFAULT_MS;
    if (o->timeout_ms == 0)
        o->timeout_ms = IGNY8_TEST_TIMEOUT_DEFAULT_MS;
    return IGNY8_OK;
}

/* ---- the plan: what one test needs from the store ---- */

enum { KIND_OPENAI_MODELS = 1, KIND_ANTHROPIC_MODELS, KIND_RUNWARE_AUTH };

typedef struct test_plan {
    char *integration, *provider, *url;
    char *key;            /* wiped when freed */
    int64_t account_id;   /* 0: the platform's key */
    int kind;
} test_plan;

static void plan_clear(test_plan *p)
{
    igny8__free(p->integration);
    igny8__free(p->provider);
    igny8__free(p->url);
    igny8__free_secret(p->key);
    memset(p, 0, sizeof(*p));
}

static int kind_of(const char *name)
{
    static const struct { const char *name; int kind; } kinds[] = {
        { "openai_models", KIND_OPENAI_MODELS }, { "anthropic_models", KIND_ANTHROPIC_MODELS },
        { "runware_auth", KIND_RUNWARE_AUTH },
    };
    for (size_t i = 0; name && i < IGNY8__ARRAY_LEN(kinds); i++)
        if (strcmp(name, kinds[i].name) == 0)
            return kinds[i].kind;
    return 0;
}

/* The request URL: <base>/models for the model lists, the base itself for Runware. */
static int make_url(const char *base, int kind, char **out)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    const char *suffix = kind == KIND_RUNWARE_AUTH ? "" : "/models";
    *out = igny8__malloc(n + strlen(suffix) + 1);
    if (*out == NULL)
        return igny8__error_oom();
    memcpy(*out, base, n);
    strcpy(*out + n, suffix);
    return IGNY8_OK;
}

static int fill_plan(test_plan *plan, const igny8__integ_row *p, const char *kind, const char *base)
{
    plan->kind = kind_of(kind);
    if (plan->kind == 0)
        return igny8__error_set(IGNY8_EINVAL, "integration", "integration '%s' (provider '%s') has no connection test",
                                p->name, p->provider);
    if (base == NULL)
        return igny8__error_set(IGNY8_EINVAL, "base_url", "integration '%s' has no base_url and provider '%s' "
                                "no default", p->name, p->provider);
    plan->integration = igny8__strdup(p->name);
    plan->provider = igny8__strdup(p->provider);
    if (plan->integration == NULL || plan->provider == NULL)
        return igny8__error_oom();
    return make_url(base, plan->kind, &plan->url);
}

/* The key a test uses: for the platform (account_id 0) the key that is configured, even
 * while the global settings are inactive (testing it before turning them on is the
 * point); for an account only its own key (or that of the integration's key_from). */
static int plan_key(igny8_store *st, const igny8__integ_row *p, int64_t account_id, test_plan *plan)
{
    igny8__integ_row a;
    igny8__key_found key = { NULL, IGNY8_KEY_NONE, 0, NULL };
    igny8__integ_row_init(&a);
    int rc = account_id > 0 ? igny8__db_account_integration_get(st, account_id, p->name, &a) : IGNY8_OK;
    if (rc == IGNY8_OK)
        rc = igny8__key_lookup(st, account_id, p, account_id > 0 ? &a : NULL, account_id == 0, &key);
    /* the one place besides igny8_resolution_api_key that opens a sealed key */
    if (rc == IGNY8_OK && key.stored)
        rc = igny8__keys_reveal(st, key.row_account, key.row_integration, key.stored, &plan->key);
    igny8__free_secret(key.stored);
    igny8__integ_row_clear(&a);
    if (rc == IGNY8_OK && plan->key == NULL)
        rc = account_id > 0
             ? igny8__error_set(IGNY8_ENOTFOUND, "api_key", "account %lld has no API key of its own for integration "
                                "'%s'", (long long)account_id, p->name)
             : igny8__error_set(IGNY8_ENOTFOUND, "api_key", "integration '%s' has no API key to test", p->name);
    return rc;
}

/* A stored base URL that today's rules refuse (plain http to another host, from before
 * 1.2, or a store opened with IGNY8_STORE_ALLOW_HTTP once) gets no request: the key
 * would travel with it. */
static int check_stored_base_url(igny8_store *st, const igny8__integ_row *p, const char *base)
{
    char why[256];  /* the check's message: about 160 bytes */
    if (base == NULL || igny8__base_url_check(base, igny8__store_allows_http(st)) == IGNY8_OK)
        return IGNY8_OK;
    snprintf(why, sizeof(why), "%s", igny8_error_last()->message);
    return igny8__error_set(IGNY8_EINVAL, "base_url", "integration '%s' is not tested, no request was sent: the "
                            "stored %s", p->name, why);
}

/* Inside the caller's read transaction. */
static int load_plan(igny8_store *st, const char *integration, int64_t account_id, test_plan *plan)
{
    igny8__integ_row p;
    char *kind = NULL, *default_base = NULL;
    plan->account_id = account_id;
    int rc = igny8__db_integration_get(st, integration, &p);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__db_provider_test_get(st, p.provider, &kind, &default_base);
    if (rc == IGNY8_OK)
        rc = check_stored_base_url(st, &p, p.base_url ? p.base_url : default_base);
    if (rc == IGNY8_OK)
        rc = fill_plan(plan, &p, kind, p.base_url ? p.base_url : default_base);
    if (rc == IGNY8_OK)
        rc = plan_key(st, &p, account_id, plan);
    igny8__free(kind);
    igny8__free(default_base);
    igny8__integ_row_clear(&p);
    return rc;
}

/* ---- the request ---- */

/* A random (version 4) UUID for Runware's taskUUID; not a secret, so a clock-based
 * fallback is fine where getrandom() is unavailable. */
static void uuid_v4(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
        for (size_t i = 0; i < sizeof(b); i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            b[i] = (unsigned char)(x >> 56);
        }
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The header that carries the key: x-api-key for Anthropic, a bearer token otherwise.
 * Caller frees it with igny8__free_secret. */
static char *auth_header(const test_plan *plan)
{
    const char *prefix = plan->kind == KIND_ANTHROPIC_MODELS ? "x-api-key: " : "Authorization: Bearer ";
    size_t n = strlen(prefix) + strlen(plan->key) + 1;
    char *h = igny8__malloc(n);
    if (h)
        snprintf(h, n, "%s%s", prefix, plan->key);
    return h;
}

static int send_request(const test_plan *plan, const igny8_connection_test_options *o, igny8__http_response *out)
{
    char uuid[37], body[96];
    char *auth = auth_header(plan);
    if (auth == NULL)
        return igny8__error_oom();
    const char *headers[] = { auth, "Accept: application/json", NULL, NULL };
    igny8__http_request req = { "GET", plan->url, headers, NULL, o->connect_timeout_ms, o->timeout_ms };
    if (plan->kind == KIND_ANTHROPIC_MODELS)
        headers[2] = "anthropic-version: 2023-06-01";
    if (plan->kind == KIND_RUNWARE_AUTH) {
        uuid_v4(uuid);
        snprintf(body, sizeof(body), "[{\"taskType\":\"authentication\",\"taskUUID\":\"%s\"}]", uuid);
        headers[2] = "Content-Type: application/json";
        req.method = "POST";
        req.body = body;
    }
    int rc = igny8__http_perform(&req, out);
    igny8__free_secret(auth);
    return rc;
}

/* ---- classifying the answer ---- */

typedef struct test_result {
    int ok, http_status;
    double latency_ms;
    const char *error_class;  /* NULL when ok */
    char message[192];
    char tested_at[IGNY8__TIME_LEN];
} test_result;

/* Whether a 2xx body is what the provider sends: a JSON object with a "data" array, and
 * for Runware an authentication task as its first item. */
static int body_expected(int kind, const igny8__http_response *r)
{
    if (r->truncated || r->body == NULL)
        return 0;
    cJSON *j = igny8__json_parse_quiet(r->body, r->body_len);
    const cJSON *data = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "data") : NULL;
    int ok = cJSON_IsArray(data);
    if (ok && kind == KIND_RUNWARE_AUTH) {
        const cJSON *first = cJSON_GetArrayItem(data, 0);
        const cJSON *type = cJSON_IsObject(first) ? cJSON_GetObjectItemCaseSensitive(first, "taskType") : NULL;
        ok = cJSON_IsString(type) && strcmp(type->valuestring, "authentication") == 0;
    }
    cJSON_Delete(j);
    return ok;
}

static void set_class(test_result *res, const char *error_class)
{
    res->ok = error_class == NULL;
    res->error_class = error_class;
}

static void classify_answer(int kind, const igny8__http_response *r, test_result *res)
{
    int s = r->status;
    char *m = res->message;
    size_t n = sizeof(res->message);
    if (s >= 200 && s < 300 && body_expected(kind, r)) {
        set_class(res, NULL);
        snprintf(m, n, kind == KIND_RUNWARE_AUTH ? "the provider accepted the key (HTTP %d)"
                                                 : "the provider accepted the key and listed its models (HTTP %d)", s);
    } else if (s >= 200 && s < 300) {
        set_class(res, "unexpected");
        snprintf(m, n, r->truncated ? "HTTP %d, but the answer is larger than 1 MiB"
                       : kind == KIND_RUNWARE_AUTH ? "HTTP %d, but the answer is not an authentication result"
                                                   : "HTTP %d, but the answer is not a list of models", s);
    } else if (s == 401 || s == 403) {
        set_class(res, "auth");
        snprintf(m, n, "the provider refused the key (HTTP %d)", s);
    } else if (s == 429) {
        set_class(res, "rate_limited");
        snprintf(m, n, "the provider is limiting requests (HTTP 429); try again later");
    } else if (s >= 500 && s < 600) {
        set_class(res, "server");
        snprintf(m, n, "the provider had a server error (HTTP %d)", s);
    } else {
        set_class(res, "unexpected");
        snprintf(m, n, s >= 300 && s < 400 ? "the provider redirected the request (HTTP %d); redirects are not followed"
                       : s == 404 ? "HTTP %d: no such endpoint at the base_url"
                                  : "HTTP %d is not an answer the provider gives to this request", s);
    }
}

static void classify(int kind, const igny8__http_response *r, unsigned int timeout_ms, test_result *res)
{
    res->latency_ms = round(r->latency_ms * 10.0) / 10.0;
    res->http_status = r->status;
    switch (r->outcome) {
    case IGNY8__HTTP_ANSWERED:
        classify_answer(kind, r, res);
        break;
    case IGNY8__HTTP_TIMEOUT:
        set_class(res, "timeout");
        snprintf(res->message, sizeof(res->message), "the provider did not answer within %u ms", timeout_ms);
        break;
    case IGNY8__HTTP_NETWORK:
        set_class(res, "network");
        snprintf(res->message, sizeof(res->message), "the provider cannot be reached: %s", r->reason);
        break;
    default:
        set_class(res, "unexpected");
        snprintf(res->message, sizeof(res->message), "the provider's answer is not usable HTTP: %s", r->reason);
        break;
    }
}

/* ---- results as JSON, and recording them ---- */

static void fill_status_json(cJSON *j, const igny8__conn_status_row *r)
{
    igny8__json_add_str(j, "integration", r->integration);
    igny8__json_add_str(j, "provider", r->provider);
    if (r->account_id > 0)
        igny8__json_add_int(j, "account_id", r->account_id);
    else
        igny8__json_add_null(j, "account_id");
    igny8__json_add_str(j, "key_source", r->account_id > 0 ? "account" : "global");
    igny8__json_add_bool(j, "ok", r->ok);
    igny8__json_add_count(j, "http_status", r->http_status);
    igny8__json_add_num(j, "latency_ms", r->latency_ms);
    igny8__json_add_str(j, "error_class", r->error_class);
    igny8__json_add_str(j, "message", r->message);
    igny8__json_add_str(j, "tested_at", r->tested_at);
}

static int record(igny8_store *st, const char *actor, const igny8__conn_status_row *row, const cJSON *result)
{
    int rc = igny8__store_write_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__db_conn_status_put(st, row);
    if (rc == IGNY8_OK)
        rc = igny8__audit(st, actor, "connection_test", row->integration, row->account_id, "test", NULL, result);
    return igny8__store_write_end(st, rc);
}

/* Make the request (no store lock held), then record the result and hand it out. */
static int run_test(igny8_store *st, const char *actor, const test_plan *plan, const igny8_connection_test_options *o,
                    char **out_json)
{
    igny8__http_response r;
    test_result res;
    memset(&res, 0, sizeof(res));
    igny8__now_iso(res.tested_at);
    int rc = send_request(plan, o, &r);
    if (rc != IGNY8_OK)
        return rc;
    classify(plan->kind, &r, o->timeout_ms, &res);
    igny8__http_response_clear(&r);
    igny8__conn_status_row row = { plan->integration, plan->provider, plan->account_id, res.tested_at, res.ok,
                                   res.http_status, res.latency_ms, res.error_class, res.message };
    cJSON *j = igny8__json_object();
    char *text = NULL;
    fill_status_json(j, &row);
    rc = igny8__json_emit(j, &text);  /* reports any allocation failure of the view */
    if (rc == IGNY8_OK)
        rc = record(st, actor, &row, j);
    cJSON_Delete(j);
    if (rc == IGNY8_OK && out_json)
        *out_json = text;
    else
        igny8__free(text);
    return rc;
}

int igny8_connection_test(igny8_store *st, const char *actor, const char *integration,
                          const igny8_connection_test_options *opts, char **out_json)
{
    igny8_connection_test_options o;
    test_plan plan;
    memset(&plan, 0, sizeof(plan));
    if (out_json)
        *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(integration);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = read_test_options(&o, opts);
    if (rc != IGNY8_OK)
        return rc;
    if ((rc = igny8__store_check_writable(st)) != IGNY8_OK)  /* a result that cannot be recorded: no request */
        return rc;
    if ((rc = igny8__store_read_begin(st)) != IGNY8_OK)
        return rc;
    rc = igny8__store_read_end(st, load_plan(st, integration, o.account_id, &plan));
    if (rc == IGNY8_OK)
        rc = run_test(st, actor, &plan, &o, out_json);
    plan_clear(&plan);
    return rc;
}

/* ---- the connection status ---- */

static int add_status(void *payload, const igny8__conn_status_row *row)
{
    fill_status_json(igny8__json_attach((cJSON *)payload, NULL, cJSON_CreateObject()), row);
    return IGNY8_OK;
}

int igny8_connection_status_json(igny8_store *st, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    igny8__json_reset();
    cJSON *list = cJSON_CreateArray();
    if (list == NULL)
        return igny8__error_oom();
    int rc = igny8__store_read_begin(st);
    if (rc == IGNY8_OK)
        rc = igny8__store_read_end(st, igny8__db_conn_status_each(st, NULL, -1, add_status, list));
    if (rc != IGNY8_OK) {
        cJSON_Delete(list);
        return rc;
    }
    return igny8__json_emit_free(list, out_json);
}

/* ---- health ---- */

typedef struct health {
    igny8_store *st;
    cJSON *root, *reasons, *warnings, *providers;
    igny8__global_row global;
} health;

static void reason(health *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One reason for ok false, as a line of text. */
static void reason(health *h, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    igny8__json_attach(h->reasons, NULL, cJSON_CreateString(text));
}

/* A warning: worth fixing, not a reason for ok false. */
static void warning(health *h, const char *text)
{
    igny8__json_attach(h->warnings, NULL, cJSON_CreateString(text));
}

static int add_last_test(void *payload, const igny8__conn_status_row *row)
{
    fill_status_json(igny8__json_attach((cJSON *)payload, "last_test", cJSON_CreateObject()), row);
    return IGNY8_OK;
}

/* The reasons an integration the platform uses gives for ok false. */
static void provider_reasons(health *h, const igny8__integ_row *p, const char *role, int key, const igny8_model *m)
{
    char what[128];
    snprintf(what, sizeof(what), "integration '%s' (the platform's %s provider)", p->name, role);
    if (!key)
        reason(h, "%s has no API key", what);
    if (p->model == NULL)
        reason(h, "%s has no default model", what);
    else if (m == NULL)
        reason(h, "%s: its default model '%s' is not in the registry", what, p->model);
    else if (!m->row.is_active)
        reason(h, "%s: its default model '%s' is inactive", what, p->model);
}

/* An integration whose base URL (its own, else its provider's) is plain http to another
 * host, in a store opened without IGNY8_STORE_ALLOW_HTTP: stored before 1.2 refused it. */
static int base_url_reason(health *h, const igny8__integ_row *p)
{
    char *kind = NULL, *default_base = NULL;
    int rc = p->base_url ? IGNY8_OK : igny8__db_provider_test_get(h->st, p->provider, &kind, &default_base);
    const char *base = p->base_url ? p->base_url : default_base;
    if (rc == IGNY8_OK && base && !igny8__store_allows_http(h->st) && igny8__base_url_unencrypted(base))
        reason(h, "integration '%s': its base_url is plain http:// to a host that is not loopback, so its API key "
               "would travel unencrypted; set an https:// one", p->name);
    igny8__free(kind);
    igny8__free(default_base);
    return rc;
}

static const char *role_of(const health *h, const char *name)
{
    if (h->global.text_integration && strcmp(h->global.text_integration, name) == 0)
        return "text";
    if (h->global.image_integration && strcmp(h->global.image_integration, name) == 0)
        return "image";
    return NULL;
}

static int add_provider(health *h, const char *name)
{
    igny8__integ_row p;
    igny8_model *m = NULL;
    igny8__key_found key;
    int rc = igny8__db_integration_get(h->st, name, &p);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__key_lookup(h->st, 0, &p, NULL, 1, &key);
    igny8__free_secret(key.stored);
    int source = key.source;
    if (rc == IGNY8_OK && p.model)
        rc = igny8__model_find(h->st, p.model, &m);
    if (rc == IGNY8_OK)
        rc = base_url_reason(h, &p);
    cJSON *item = igny8__json_attach(h->providers, NULL, cJSON_CreateObject());
    igny8__json_add_str(item, "integration", p.name);
    igny8__json_add_str(item, "provider", p.provider);
    igny8__json_add_bool(item, "key_configured", source != IGNY8_KEY_NONE);
    igny8__json_add_str(item, "default_model", p.model);
    igny8__json_add_bool(item, "default_model_usable", m && m->row.is_active);
    if (rc == IGNY8_OK)
        rc = igny8__db_conn_status_each(h->st, name, 0, add_last_test, item);
    if (rc == IGNY8_OK && item && !cJSON_HasObjectItem(item, "last_test"))
        igny8__json_add_null(item, "last_test");
    const char *role = role_of(h, name);
    if (rc == IGNY8_OK && role)
        provider_reasons(h, &p, role, source != IGNY8_KEY_NONE, m);
    igny8_model_free(m);
    igny8__integ_row_clear(&p);
    return rc;
}

static int add_providers(health *h)
{
    char **names = NULL;
    int rc = igny8__db_global_get(h->st, &h->global);
    if (rc == IGNY8_OK && !h->global.is_active)
        reason(h, "the global settings are inactive");
    if (rc == IGNY8_OK && h->global.text_integration == NULL)
        reason(h, "the platform has no text provider");
    if (rc == IGNY8_OK && h->global.image_integration == NULL)
        reason(h, "the platform has no image provider");
    if (rc == IGNY8_OK)
        rc = igny8__db_integration_names(h->st, &names);
    for (char **n = names; rc == IGNY8_OK && n && *n; n++)
        rc = add_provider(h, *n);
    igny8__db_strv_free(names);
    return rc;
}

static int add_store(health *h)
{
    int version = 0;
    char *check = NULL;
    int rc = igny8__db_schema_version(h->st, &version);
    if (rc == IGNY8_OK)
        rc = igny8__db_quick_check(h->st, &check);
    igny8__json_add_str(h->root, "library_version", igny8_version(NULL, NULL, NULL));
    igny8__json_add_int(h->root, "schema_version", version);
    cJSON *store = igny8__json_add_object(h->root, "store");
    igny8__json_add_str(store, "backend", igny8__db_backend_name(h->st));
    igny8__json_add_str(store, "path", h->st->path);
    igny8__json_add_int(store, "size_bytes", igny8__db_size(h->st));
    igny8__json_add_str(store, "quick_check", check);
    if (rc == IGNY8_OK && (check == NULL || strcmp(check, "ok") != 0))
        reason(h, "the store's quick_check found a problem: %.200s", check ? check : "no result");
    igny8__free(check);
    return rc;
}

/* The stored API keys: sealed, plain (a store without a master key), and sealed under a
 * master key this handle was not given (its resolutions carry no key). */
static int add_keys(health *h)
{
    igny8__stored_key_row *rows = NULL;
    size_t n = 0, sealed = 0, plain = 0, unopenable = 0;
    int rc = igny8__db_stored_keys(h->st, &rows, &n);
    for (size_t i = 0; i < n; i++) {
        char id[IGNY8__KEY_ID_SIZE];
        igny8__stored_key_id(rows[i].stored, id);
        sealed += id[0] != '\0';
        plain += id[0] == '\0';
        unopenable += id[0] && igny8__keyring_find(&h->st->keyring, id) == NULL;
    }
    igny8__stored_keys_free(rows, n);
    cJSON *keys = igny8__json_add_object(h->root, "keys");
    igny8__json_add_bool(keys, "master_key_given", h->st->keyring.n > 0);
    igny8__json_add_int(keys, "sealed", (int64_t)sealed);
    igny8__json_add_int(keys, "plain", (int64_t)plain);
    igny8__json_add_int(keys, "unopenable", (int64_t)unopenable);
    if (plain)
        warning(h, "API keys are stored in plain text: open the store with a master key (IGNY8_MASTER_KEY_FILE, "
                   "igny8ctl keys new-master) to seal them");
    if (unopenable)
        reason(h, "%zu API keys are sealed under a master key this process was not given", unopenable);
    return rc;
}

static int add_counts(health *h)
{
    igny8__health_counts c;
    memset(&c, 0, sizeof(c));
    int rc = igny8__db_health_counts(h->st, &c);
    cJSON *counts = igny8__json_add_object(h->root, "counts");
    igny8__json_add_int(counts, "models", c.models);
    igny8__json_add_int(counts, "active_models", c.active_models);
    igny8__json_add_int(counts, "accounts_with_overrides", c.accounts_with_overrides);
    igny8__json_add_int(counts, "customized_prompts", c.customized_prompts);
    igny8__json_add_int(counts, "library_copies", c.library_copies);
    igny8__json_add_int(counts, "access_groups", c.access_groups);
    igny8__json_add_int(counts, "accounts_with_plans", c.accounts_with_plans);
    igny8__json_add_int(counts, "fallback_chains", c.fallback_chains);
    return rc;
}

/* Inside the caller's read transaction; the keys of root in the documented order. */
static int build_health(health *h)
{
    igny8__json_add_bool(h->root, "ok", 0);
    h->reasons = igny8__json_add_array(h->root, "reasons");
    h->warnings = igny8__json_add_array(h->root, "warnings");
    int rc = add_store(h);
    if (rc == IGNY8_OK)
        rc = add_keys(h);
    h->providers = igny8__json_add_array(h->root, "providers");
    if (rc == IGNY8_OK)
        rc = add_providers(h);
    if (rc == IGNY8_OK)
        rc = add_counts(h);
    if (rc == IGNY8_OK && cJSON_GetArraySize(h->reasons) == 0) {
        cJSON *yes = cJSON_CreateTrue();
        if (yes == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(h->root, "ok", yes)) {
            cJSON_Delete(yes);
            igny8__json_note_oom();
        }
    }
    return rc;
}

int igny8_health_json(igny8_store *st, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    health h;
    memset(&h, 0, sizeof(h));
    h.st = st;
    h.root = igny8__json_object();
    if (h.root == NULL)
        return igny8__error_oom();
    int rc = igny8__store_read_begin(st);
    if (rc == IGNY8_OK)
        rc = igny8__store_read_end(st, build_health(&h));
    igny8__global_row_clear(&h.global);
    if (rc != IGNY8_OK) {
        cJSON_Delete(h.root);
        return rc;
    }
    return igny8__json_emit_free(h.root, out_json);
}
