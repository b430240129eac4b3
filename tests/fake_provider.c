/*
 * fake_provider — a tiny HTTP/1.1 server on 127.0.0.1 that answers like the AI providers'
 * APIs, so that connection tests (the C tests, the Python bindings, igny8ctl, the Django
 * example) never contact a real provider.
 *
 * Usage:   fake_provider [--port N] [--lifetime SECONDS]
 *   --port N          listen on 127.0.0.1:N; 0 (the default) lets the kernel choose
 *   --lifetime S      exit after S seconds (default 60; 0: only on a signal), so that a
 *                     forgotten server never outlives its test
 * Once listening it prints exactly one line on stdout, "PORT <n>", and flushes it;
 * nothing else goes to stdout. It exits 0 on SIGTERM or SIGINT or when its lifetime is
 * over, 2 on bad arguments, 1 when it cannot listen.
 *
 * Base URLs to configure (igny8_global_settings_put_json, integrations.<name>.base_url):
 *   openai, dalle   http://127.0.0.1:<n>/v1
 *   anthropic       http://127.0.0.1:<n>/anthropic/v1
 *   runware         http://127.0.0.1:<n>/runware/v1
 * Endpoints:
 *   GET  /v1/models            key from "Authorization: Bearer <key>" (OpenAI's shape)
 *   GET  /anthropic/v1/models  key from "x-api-key: <key>"; an anthropic-version header
 *                              is required (400 without)
 *   POST /runware/v1           key from "Authorization: Bearer <key>"; the body must be
 *                              [{"taskType":"authentication","taskUUID":"..."}] (400 otherwise)
 * The answer depends on what the key contains:
 *   FAKE-ok        200 with the provider's shape
 *   FAKE-401       401 with the provider's error body, which ECHOES THE KEY (as OpenAI's
 *                  does), so that a test can prove its caller never copies it
 *   FAKE-403       403
 *   FAKE-429       429 with Retry-After: 1
 *   FAKE-500       500
 *   FAKE-hang      no answer at all: the connection stays open until the client gives up
 *   FAKE-badbody   200 with JSON that is not the provider's shape
 *   FAKE-redirect  302 to /elsewhere
 *   FAKE-huge      200 with the provider's shape padded to 1.5 MiB (above a client's bound)
 *   anything else, or no key: 401 (echoing the key, if any)
 * A request whose target (path or query) or body contains "FAKE-" gets 400: a key
 * belongs in a header only. An unknown path is 404, a wrong method 405.
 * The network error case needs no server: take a free port, close it, and use it.
 *
 * Plain C and POSIX (one thread per connection); no dependencies.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_MAX 65536

static volatile sig_atomic_t stop;
static int listen_port;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

typedef struct request {
    char method[16], target[1024];
    char authorization[1024], x_api_key[1024];
    int has_anthropic_version;
    char body[REQUEST_MAX];
    char raw[REQUEST_MAX * 2];  /* what was read: the headers and the start of the body */
} request;

/* ---- writing ---- */

static void send_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        data += w;
        n -= (size_t)w;
    }
}

static void respond(int fd, int status, const char *extra_header, const char *body)
{
    const char *text = status == 200 ? "OK" : status == 302 ? "Found" : status == 400 ? "Bad Request"
                     : status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : status == 404 ? "Not Found"
                     : status == 405 ? "Method Not Allowed" : status == 429 ? "Too Many Requests"
                     : "Internal Server Error";
    char head[512];
    int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%s%s\r\n", status, text, strlen(body),
                     extra_header ? extra_header : "", extra_header ? "\r\n" : "");
    send_all(fd, head, (size_t)n);
    send_all(fd, body, strlen(body));
}

/* The key as a JSON string's content (keys are printable ASCII). */
static void json_escape(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (; *in && o + 3 < size; in++) {
        if (*in == '"' || *in == '\\')
            out[o++] = '\\';
        out[o++] = *in;
    }
    out[o] = '\0';
}

/* ---- reading ---- */

static void header_value(const char *line, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || line[n] != ':')
        return;
    const char *v = line + n + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    snprintf(out, size, "%s", v);
}

/* Headers up to the blank line, then Content-Length bytes of body. 0 on success. */
static int read_request(int fd, request *rq)
{
    char *buf = rq->raw;
    size_t len = 0;
    char *end = NULL;
    while ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL) {
        ssize_t r = len < sizeof(rq->raw) - 1 ? recv(fd, buf + len, sizeof(rq->raw) - 1 - len, 0) : -1;
        if (r <= 0)
            return -1;
        len += (size_t)r;
    }
    *end = '\0';
    size_t have = len - (size_t)(end + 4 - buf), want = 0;
    char *body = end + 4;
    if (sscanf(buf, "%15s %1023s", rq->method, rq->target) != 2)
        return -1;
    for (char *line = strstr(buf, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        char cl[32] = "", av[8] = "";
        char *eol = strstr(line, "\r\n");
        if (eol)
            *eol = '\0';
        header_value(line, "Authorization", rq->authorization, sizeof(rq->authorization));
        header_value(line, "x-api-key", rq->x_api_key, sizeof(rq->x_api_key));
        header_value(line, "anthropic-version", av, sizeof(av));
        header_value(line, "Content-Length", cl, sizeof(cl));
        rq->has_anthropic_version |= av[0] != '\0';
        if (cl[0])
            want = strtoul(cl, NULL, 10);
        if (!eol)
            break;
        *eol = '\r';
    }
    if (want >= sizeof(rq->body))
        return -1;
    memcpy(rq->body, body, have < want ? have : want);
    for (size_t got = have; got < want;) {
        ssize_t r = recv(fd, rq->body + got, want - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    rq->body[want] = '\0';
    return 0;
}

/* ---- the providers ---- */

enum { OPENAI, ANTHROPIC, RUNWARE };

static const char *const ok_body[] = {
    "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":1721172741,"
    "\"owned_by\":\"system\"},{\"id\":\"dall-e-3\",\"object\":\"model\",\"created\":1698785189,"
    "\"owned_by\":\"system\"}]}",
    "{\"data\":[{\"type\":\"model\",\"id\":\"claude-3-5-sonnet-20241022\",\"display_name\":"
    "\"Claude 3.5 Sonnet (New)\",\"created_at\":\"2024-10-22T00:00:00Z\"}],\"has_more\":false,"
    "\"first_id\":\"claude-3-5-sonnet-20241022\",\"last_id\":\"claude-3-5-sonnet-20241022\"}",
    NULL,  /* Runware's echoes the taskUUID: built in answer() */
};

static const char *const bad_body[] = {
    "{\"object\":\"list\",\"items\":[]}",
    "{\"models\":[\"claude-3-5-sonnet-20241022\"]}",
    "{\"data\":[{\"taskType\":\"imageInference\",\"taskUUID\":\"00000000-0000-4000-8000-000000000000\"}]}",
};

static void refuse_key(int fd, int provider, int status, const char *key)
{
    char k[600], body[1400];
    json_escape(key, k, sizeof(k));
    if (provider == ANTHROPIC)
        snprintf(body, sizeof(body), "{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":\"invalid "
                 "x-api-key: %s\"}}", status == 401 ? "authentication_error" : "permission_error", k);
    else if (provider == RUNWARE)
        snprintf(body, sizeof(body), "{\"errors\":[{\"code\":\"invalidApiKey\",\"message\":\"Invalid API key: "
                 "%s\",\"taskType\":\"authentication\"}]}", k);
    else
        snprintf(body, sizeof(body), "{\"error\":{\"message\":\"Incorrect API key provided: %s. You can find "
                 "your API key at https://platform.openai.com/account/api-keys.\",\"type\":"
                 "\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", k);
    respond(fd, status, NULL, body);
}

/* Hold the connection, answering nothing, until the client closes it (or we stop). */
static void hang(int fd)
{
    char sink[256];
    struct pollfd p = { fd, POLLIN, 0 };
    while (!stop) {
        int r = poll(&p, 1, 200);
        if (r > 0 && recv(fd, sink, sizeof(sink), 0) <= 0)
            return;
    }
}

static void runware_ok(int fd, const char *request_body)
{
    char uuid[64] = "00000000-0000-4000-8000-000000000000", body[256];
    const char *u = strstr(request_body, "\"taskUUID\":\"");
    if (u)
        sscanf(u + 12, "%63[0-9a-fA-F-]", uuid);
    snprintf(body, sizeof(body), "{\"data\":[{\"taskType\":\"authentication\",\"taskUUID\":\"%s\","
             "\"connectionSessionUUID\":\"2b2e0f0e-8c8a-4f57-9f43-1d6c4b7a9e01\"}]}", uuid);
    respond(fd, 200, NULL, body);
}

/* A valid answer of the provider's shape, too long for any sane client's buffer. */
static void huge(int fd)
{
    size_t pad = 1536 * 1024;
    char *body = malloc(pad + 64);
    if (body == NULL)
        return;
    strcpy(body, "{\"data\":[],\"padding\":\"");
    size_t n = strlen(body);
    memset(body + n, 'x', pad);
    strcpy(body + n + pad, "\"}");
    respond(fd, 200, NULL, body);
    free(body);
}

static void answer(int fd, int provider, const char *key, const request *rq)
{
    char location[128];
    if (strstr(key, "FAKE-ok"))
        provider == RUNWARE ? runware_ok(fd, rq->body) : respond(fd, 200, NULL, ok_body[provider]);
    else if (strstr(key, "FAKE-hang"))
        hang(fd);
    else if (strstr(key, "FAKE-huge"))
        huge(fd);
    else if (strstr(key, "FAKE-badbody"))
        respond(fd, 200, NULL, bad_body[provider]);
    else if (strstr(key, "FAKE-429"))
        respond(fd, 429, "Retry-After: 1", "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                "\"code\":\"rate_limit_exceeded\"}}");
    else if (strstr(key, "FAKE-500"))
        respond(fd, 500, NULL, "{\"error\":{\"message\":\"The server had an error while processing your "
                "request.\",\"type\":\"server_error\"}}");
    else if (strstr(key, "FAKE-redirect")) {
        snprintf(location, sizeof(location), "Location: http://127.0.0.1:%d/elsewhere", listen_port);
        respond(fd, 302, location, "{}");
    } else
        refuse_key(fd, provider, strstr(key, "FAKE-403") ? 403 : 401, key);
}

static void route(int fd, const request *rq)
{
    const char *bearer = strncasecmp(rq->authorization, "Bearer ", 7) == 0 ? rq->authorization + 7 : "";
    int is_get = strcmp(rq->method, "GET") == 0, is_post = strcmp(rq->method, "POST") == 0;
    if (strstr(rq->target, "FAKE-") || strstr(rq->body, "FAKE-"))
        respond(fd, 400, NULL, "{\"error\":{\"message\":\"a key belongs in a header, not in the URL or the body\"}}");
    else if (strcmp(rq->target, "/v1/models") == 0)
        is_get ? answer(fd, OPENAI, bearer, rq) : respond(fd, 405, NULL, "{}");
    else if (strcmp(rq->target, "/anthropic/v1/models") == 0 && !rq->has_anthropic_version)
        respond(fd, 400, NULL, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                "\"message\":\"anthropic-version: header is required\"}}");
    else if (strcmp(rq->target, "/anthropic/v1/models") == 0)
        is_get ? answer(fd, ANTHROPIC, rq->x_api_key, rq) : respond(fd, 405, NULL, "{}");
    else if (strcmp(rq->target, "/runware/v1") == 0 && !is_post)
        respond(fd, 405, NULL, "{}");
    else if (strcmp(rq->target, "/runware/v1") == 0 &&
             (!strstr(rq->body, "\"taskType\":\"authentication\"") || !strstr(rq->body, "\"taskUUID\":\"")))
        respond(fd, 400, NULL, "{\"errors\":[{\"code\":\"invalidTask\",\"message\":\"expected an "
                "authentication task\"}]}");
    else if (strcmp(rq->target, "/runware/v1") == 0)
        answer(fd, RUNWARE, bearer, rq);
    else
        respond(fd, 404, NULL, "{\"error\":{\"message\":\"not found\"}}");
}

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    request *rq = calloc(1, sizeof(*rq));
    struct timeval tv = { 5, 0 };  /* a client that sends nothing does not keep a thread */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (rq && read_request(fd, rq) == 0)
        route(fd, rq);
    free(rq);
    close(fd);
    return NULL;
}

/* ---- main ---- */

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        fprintf(stderr, "fake_provider: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        return -1;
    }
    listen_port = ntohs(a.sin_port);
    return fd;
}

static int parse_args(int argc, char **argv, long *port, long *lifetime)
{
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        long *dst = strcmp(argv[i], "--port") == 0 ? port : strcmp(argv[i], "--lifetime") == 0 ? lifetime : NULL;
        if (dst == NULL || i + 1 >= argc)
            return -1;
        *dst = strtol(argv[++i], &end, 10);
        if (*end != '\0' || *dst < 0 || (dst == port && *dst > 65535))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long port = 0, lifetime = 60;
    if (parse_args(argc, argv, &port, &lifetime) != 0) {
        fprintf(stderr, "usage: fake_provider [--port N] [--lifetime SECONDS]\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on((int)port);
    if (lfd < 0)
        return 1;
    printf("PORT %d\n", listen_port);
    fflush(stdout);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct pollfd p = { lfd, POLLIN, 0 };
    while (!stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (lifetime > 0 && now.tv_sec - start.tv_sec >= lifetime)
            break;
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        pthread_t t;
        if (fd >= 0 && pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) == 0)
            pthread_detach(t);
        else if (fd >= 0)
            close(fd);
    }
    close(lfd);
    return 0;  /* exit() ends any thread still holding a connection */
}
