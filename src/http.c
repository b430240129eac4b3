/* The libcurl layer (http.h): one request per call, a new easy handle each time. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "common.h"
#include "http.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define USER_AGENT "libigny8settings/" STR(IGNY8_VERSION_MAJOR) "." STR(IGNY8_VERSION_MINOR) "." \
                   STR(IGNY8_VERSION_PATCH)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

/* Once per process, never undone: curl_global_cleanup is not thread-safe, and the host
 * (or another library in it) may use libcurl too. */
static void curl_init(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct body_sink {
    igny8__http_response *r;
    size_t cap;
    int oom;
} body_sink;

/* Keep up to IGNY8__HTTP_BODY_MAX bytes; read and drop the rest, so that the status of a
 * long answer still counts. */
static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    body_sink *sink = userdata;
    igny8__http_response *r = sink->r;
    size_t len = size * n, room = IGNY8__HTTP_BODY_MAX - r->body_len, take = len < room ? len : room;
    if (take < len)
        r->truncated = 1;
    if (take == 0)
        return len;
    if (r->body_len + take + 1 > sink->cap) {
        size_t cap = sink->cap ? sink->cap : 4096;
        while (cap < r->body_len + take + 1)
            cap *= 2;
        char *grown = igny8__realloc(r->body, cap);
        if (grown == NULL) {
            sink->oom = 1;
            return 0;  /* aborts the transfer */
        }
        r->body = grown;
        sink->cap = cap;
    }
    memcpy(r->body + r->body_len, data, take);
    r->body_len += take;
    r->body[r->body_len] = '\0';
    return len;
}

static int outcome_of(CURLcode code)
{
    switch (code) {
    case CURLE_OK: return IGNY8__HTTP_ANSWERED;
    case CURLE_OPERATION_TIMEDOUT: return IGNY8__HTTP_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return IGNY8__HTTP_NETWORK;
    default: return IGNY8__HTTP_OTHER;
    }
}

/* Wipe the list's copies of the headers (one may hold a key), then free it. */
static void slist_free_secret(struct curl_slist *list)
{
    for (struct curl_slist *i = list; i; i = i->next)
        if (i->data)
            explicit_bzero(i->data, strlen(i->data));
    curl_slist_free_all(list);
}

static int build_headers(const char *const *headers, struct curl_slist **out)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *grown = curl_slist_append(list, headers[i]);
        if (grown == NULL) {
            slist_free_secret(list);
            return igny8__error_oom();
        }
        list = grown;
    }
    *out = list;
    return IGNY8_OK;
}

#define SETOPT(h, opt, val) do { \
        if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK) \
            return igny8__error_set(IGNY8_ERROR, NULL, "libcurl does not accept option %s", #opt); \
    } while (0)

static int set_options(CURL *h, const igny8__http_request *req, struct curl_slist *headers, body_sink *sink)
{
    SETOPT(h, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500  /* 7.85.0 */
    SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SETOPT(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(h, CURLOPT_NOSIGNAL, 1L);
    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
    SETOPT(h, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
    SETOPT(h, CURLOPT_USERAGENT, USER_AGENT);
    SETOPT(h, CURLOPT_HTTPHEADER, headers);
    SETOPT(h, CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(h, CURLOPT_WRITEDATA, sink);
    if (strcmp(req->method, "POST") == 0) {
        const char *body = req->body ? req->body : "";
        SETOPT(h, CURLOPT_POSTFIELDS, body);
        SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    } else if (strcmp(req->method, "GET") != 0) {
        return igny8__error_set(IGNY8_EINVAL, "method", "HTTP method '%.16s' is not supported", req->method);
    }
    return IGNY8_OK;
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1000.0 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int run(CURL *h, const igny8__http_request *req, igny8__http_response *out)
{
    struct curl_slist *headers = NULL;
    body_sink sink = { out, 0, 0 };
    struct timespec t0, t1;
    int rc = build_headers(req->headers, &headers);
    if (rc == IGNY8_OK)
        rc = set_options(h, req, headers, &sink);
    if (rc != IGNY8_OK) {
        slist_free_secret(headers);
        return rc;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CURLcode code = curl_easy_perform(h);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    slist_free_secret(headers);
    if (sink.oom)
        return igny8__error_oom();
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    out->latency_ms = elapsed_ms(&t0, &t1);
    out->outcome = outcome_of(code);
    out->status = out->outcome == IGNY8__HTTP_ANSWERED ? (int)status : 0;
    out->reason = code == CURLE_OK ? NULL : curl_easy_strerror(code);
    return IGNY8_OK;
}

int igny8__http_perform(const igny8__http_request *req, igny8__http_response *out)
{
    memset(out, 0, sizeof(*out));
    pthread_once(&curl_once, curl_init);
    if (curl_init_result != CURLE_OK)
        return igny8__error_set(IGNY8_ERROR, NULL, "libcurl cannot be initialised: %s",
                                curl_easy_strerror(curl_init_result));
    CURL *h = curl_easy_init();
    if (h == NULL)
        return igny8__error_set(IGNY8_ERROR, NULL, "libcurl cannot make a request handle");
    int rc = run(h, req, out);
    curl_easy_cleanup(h);
    if (rc != IGNY8_OK)
        igny8__http_response_clear(out);
    return rc;
}

/* A provider's answer may echo (part of) the key: wiped too. */
void igny8__http_response_clear(igny8__http_response *r)
{
    if (r->body)
        explicit_bzero(r->body, r->body_len);
    igny8__free(r->body);
    memset(r, 0, sizeof(*r));
}
