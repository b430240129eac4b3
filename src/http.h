/* The libcurl layer: one HTTP request per call, each with a new easy handle.
 *
 * TLS is verified (libcurl's defaults are never weakened), proxies come from the
 * environment as libcurl reads them, redirects are not followed, only http and https are
 * allowed, and no signals are used (safe in threads). curl_global_init runs once per
 * process (pthread_once); curl_global_cleanup is never called. Headers may carry a
 * secret: every copy this layer makes of them is wiped before it is freed. Nothing of the
 * request (URL, headers, body) ever appears in the response or in an error. */
#ifndef IGNY8__HTTP_H
#define IGNY8__HTTP_H

#include <stddef.h>

/* The most of a response body that is kept; the rest is read and dropped. */
#define IGNY8__HTTP_BODY_MAX (1024u * 1024u)

typedef struct igny8__http_request {
    const char *method;              /* "GET" or "POST" */
    const char *url;                 /* http:// or https:// */
    const char *const *headers;      /* "Name: value" lines, NULL-terminated; may be NULL */
    const char *body;                /* POST body (NUL-terminated) or NULL */
    unsigned int connect_timeout_ms; /* > 0 */
    unsigned int timeout_ms;         /* > 0: the whole request */
} igny8__http_request;

/* What became of a request. */
enum {
    IGNY8__HTTP_ANSWERED = 0,  /* an HTTP response arrived: status and body are set */
    IGNY8__HTTP_TIMEOUT = 1,   /* the timeout passed first */
    IGNY8__HTTP_NETWORK = 2,   /* DNS, connection refused or reset, TLS */
    IGNY8__HTTP_OTHER = 3      /* anything else (an empty or malformed reply, ...) */
};

typedef struct igny8__http_response {
    int outcome;           /* IGNY8__HTTP_* */
    int status;            /* HTTP status; 0 when none arrived */
    char *body;            /* NUL-terminated; at most IGNY8__HTTP_BODY_MAX bytes kept */
    size_t body_len;
    int truncated;         /* 1 when the body was longer than IGNY8__HTTP_BODY_MAX */
    double latency_ms;     /* the request's wall time (CLOCK_MONOTONIC) */
    const char *reason;    /* static text from libcurl for outcomes other than ANSWERED */
} igny8__http_response;

/* Make one request. IGNY8_OK whenever the request was attempted, whatever its outcome;
 * IGNY8_ENOMEM, or IGNY8_ERROR when libcurl cannot be initialised or refuses an option.
 * Release *out with igny8__http_response_clear(). */
int igny8__http_perform(const igny8__http_request *req, igny8__http_response *out);
void igny8__http_response_clear(igny8__http_response *r);

#endif
