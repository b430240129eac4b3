/* Integration settings: the platform's and each account's, validation, keys and the
 * effective values. The REST bodies are in settings_json.c; SQL in db_settings.c. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "store.h"
#include "audit.h"
#include "model.h"
#include "settings.h"
#include "access.h"

static const size_t update_size[] = { 0, sizeof(igny8_integration_update) };

int igny8_integration_update_init(igny8_integration_update *u, unsigned int version)
{
    IGNY8__CHECK_ARG(u);
    if (version < 1 || version > IGNY8_INTEGRATION_UPDATE_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "integration update version %u is not supported", version);
    memset(u, 0, sizeof(*u));
    u->version = version;
    return IGNY8_OK;
}

/* ---- effective values ---- */

void igny8__params_pick(const igny8__param_values *platform, const igny8__param_values *account, int model_type,
                        igny8__params *out)
{
    memset(out, 0, sizeof(*out));
    out->temperature = NAN;
    if (model_type == IGNY8_MODEL_TEXT) {
        int a = account && !isnan(account->temperature), p = platform && !isnan(platform->temperature);
        out->temperature = a ? account->temperature : p ? platform->temperature : IGNY8_DEFAULT_TEMPERATURE;
        out->source_temperature = a ? "account" : p ? "global" : "default";
        a = account && account->max_tokens > 0;
        p = platform && platform->max_tokens > 0;
        out->max_tokens = a ? account->max_tokens : p ? platform->max_tokens : IGNY8_DEFAULT_MAX_TOKENS;
        out->source_max_tokens = a ? "account" : p ? "global" : "default";
        return;
    }
#define PICK(field, dflt) do { \
        int a_ = account && account->field, p_ = platform && platform->field; \
        out->field = a_ ? account->field : p_ ? platform->field : (dflt); \
        out->source_##field = a_ ? "account" : p_ ? "global" : "default"; \
    } while (0)
    PICK(size, IGNY8_DEFAULT_SIZE);
    PICK(quality, IGNY8_DEFAULT_QUALITY);
    PICK(style, IGNY8_DEFAULT_STYLE);
#undef PICK
}

void igny8__integ_row_params(const igny8__integ_row *r, igny8__param_values *out)
{
    out->temperature = r->temperature;
    out->max_tokens = r->max_tokens;
    out->size = r->size;
    out->quality = r->quality;
    out->style = r->style;
}

void igny8__params_resolve(const igny8__integ_row *platform, const igny8__integ_row *account, int model_type,
                           igny8__params *out)
{
    igny8__param_values p, a;
    if (platform) igny8__integ_row_params(platform, &p);
    if (account) igny8__integ_row_params(account, &a);
    igny8__params_pick(platform ? &p : NULL, account ? &a : NULL, model_type, out);
}

const char *igny8__key_choose(const char *account_own, const char *account_from, const char *platform_own,
                              const char *platform_from, int global_active, int *source, int *from_key_from)
{
    const char *key = account_own ? account_own : account_from;
    *source = key ? IGNY8_KEY_ACCOUNT : IGNY8_KEY_NONE;
    *from_key_from = key && !account_own;
    if (key == NULL && global_active && (key = platform_own ? platform_own : platform_from) != NULL) {
        *source = IGNY8_KEY_GLOBAL;
        *from_key_from = !platform_own;
    }
    return key;
}

/* The api_key of another integration's row (the key_from fallback), copied; NULL if none. */
static int key_of(igny8_store *st, int64_t account_id, const char *integration, char **out)
{
    igny8__integ_row r;
    *out = NULL;
    if (integration == NULL)
        return IGNY8_OK;
    int rc = account_id > 0 ? igny8__db_account_integration_get(st, account_id, integration, &r)
                            : igny8__db_integration_get(st, integration, &r);
    if (rc == IGNY8_OK && r.api_key && (*out = igny8__strdup(r.api_key)) == NULL)
        rc = igny8__error_oom();
    igny8__integ_row_clear(&r);
    return rc;
}

int igny8__key_lookup(igny8_store *st, int64_t account_id, const igny8__integ_row *platform,
                      const igny8__integ_row *account, int global_active, igny8__key_found *out)
{
    char *account_from = NULL, *platform_from = NULL;
    int rc = IGNY8_OK, from_key_from = 0;
    memset(out, 0, sizeof(*out));
    if (account_id > 0 && !(account && account->api_key))
        rc = key_of(st, account_id, platform->key_from, &account_from);
    if (rc == IGNY8_OK && global_active && !platform->api_key)
        rc = key_of(st, 0, platform->key_from, &platform_from);
    const char *chosen = rc == IGNY8_OK ? igny8__key_choose(account ? account->api_key : NULL, account_from,
                                                            platform->api_key, platform_from, global_active,
                                                            &out->source, &from_key_from)
                                        : NULL;
    out->row_account = out->source == IGNY8_KEY_ACCOUNT ? account_id : 0;
    out->row_integration = from_key_from ? platform->key_from : platform->name;
    if (chosen && (out->stored = igny8__strdup(chosen)) == NULL)
        rc = igny8__error_oom();
    igny8__free_secret(account_from);
    igny8__free_secret(platform_from);
    return rc;
}

/* ---- validation ---- */

static int check_size(const char *size)
{
    unsigned w, h;
    char tail;
    if (sscanf(size, "%5ux%5u%c", &w, &h, &tail) != 2 || !isdigit((unsigned char)size[0]) ||
        w < IGNY8_IMAGE_SIDE_MIN || w > IGNY8_IMAGE_SIDE_MAX || h < IGNY8_IMAGE_SIDE_MIN || h > IGNY8_IMAGE_SIDE_MAX)
        return igny8__error_set(IGNY8_EINVAL, "size", "size '%.32s' is not WIDTHxHEIGHT with sides %d..%d",
                                size, IGNY8_IMAGE_SIDE_MIN, IGNY8_IMAGE_SIDE_MAX);
    return IGNY8_OK;
}

static int check_choice(const char *field, const char *v, const char *a, const char *b)
{
    if (strcmp(v, a) != 0 && strcmp(v, b) != 0)
        return igny8__error_set(IGNY8_EINVAL, field, "%s '%.32s' is not '%s' or '%s'", field, v, a, b);
    return IGNY8_OK;
}

/* One decimal octet of a dotted IPv4 address: 0..255 without a leading zero, since
 * inet_aton (and so libcurl) reads 0127 as octal: 0127.0.0.1 is 87.0.0.1. *p moves past
 * it; -1 when it is not one. */
static int ipv4_octet(const char **p, const char *end)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (s < end && isdigit((unsigned char)*s) && n < 3) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || (n > 1 && **p == '0') || v > 255 || (s < end && isdigit((unsigned char)*s)))
        return -1;
    *p = s;
    return v;
}

/* Whether host (not NUL-terminated) is 127.x.y.z written in full: four octets, nothing
 * after them (127.0.0.1.evil.com is a name, not an address). */
static int is_loopback_ipv4(const char *host, size_t len)
{
    const char *p = host, *end = host + len;
    for (int i = 0; i < 4; i++) {
        int v = ipv4_octet(&p, end);
        if (v < 0 || (i == 0 && v != 127))
            return 0;
        if (i < 3 && (p >= end || *p++ != '.'))
            return 0;
    }
    return p == end;
}

/* The length of an authority's host: up to the port's ':', or through the ']' of an
 * IPv6 literal (0 when that is missing). */
static size_t host_length(const char *a, size_t len)
{
    int literal = len > 0 && a[0] == '[';
    const char *stop = memchr(a, literal ? ']' : ':', len);
    if (literal)
        return stop ? (size_t)(stop - a) + 1 : 0;
    return stop ? (size_t)(stop - a) : len;
}

/* Whether an authority (host[:port], no userinfo) names this machine: 127.0.0.0/8,
 * [::1] or localhost (any case). Anything else, including every other spelling of
 * these, is not: the check errs towards refusing. */
static int authority_is_loopback(const char *a, size_t len)
{
    size_t host_len = host_length(a, len);
    if (host_len == 0 || (host_len < len && a[host_len] != ':'))
        return 0;
    for (size_t i = host_len + 1; i < len; i++)  /* the port: digits only */
        if (!isdigit((unsigned char)a[i]))
            return 0;
    return (host_len == 5 && memcmp(a, "[::1]", 5) == 0) || (host_len == 9 && strncasecmp(a, "localhost", 9) == 0)
           || is_loopback_ipv4(a, host_len);
}

int igny8__base_url_unencrypted(const char *url)
{
    if (strncmp(url, "http://", 7) != 0)
        return 0;
    return !authority_is_loopback(url + 7, strcspn(url + 7, "/?#"));
}

static int check_base_url(const char *url, int allow_http)
{
    size_t n = strlen(url);
    if (n > IGNY8_BASE_URL_MAX || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return igny8__error_set(IGNY8_EINVAL, "base_url", "base_url must be an http:// or https:// URL of at "
                                "most %d bytes", IGNY8_BASE_URL_MAX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return igny8__error_set(IGNY8_EINVAL, "base_url", "base_url contains a space or control character");
    /* The base URL is shown in the global settings view, the audit log and every
     * resolution, so it must not carry a secret: no user:password@ (keys are set with
     * igny8_global_key_set), and no query or fragment, which would also break the
     * request URL, since the endpoint's path is appended to the base. */
    const char *authority = strstr(url, "://") + 3;
    size_t authority_len = strcspn(authority, "/?#");
    if (memchr(authority, '@', authority_len) != NULL)
        return igny8__error_set(IGNY8_EINVAL, "base_url", "base_url must not hold credentials (user:password@); "
                                "set the key with igny8_global_key_set");
    if (strpbrk(url, "?#") != NULL)
        return igny8__error_set(IGNY8_EINVAL, "base_url", "base_url must not have a query or a fragment: the "
                                "endpoint's path is appended to it");
    /* The API key goes to the base URL in a request header: over plain http anyone on the
     * way reads it. Only this machine's own addresses are spared (a local proxy, tests). */
    if (!allow_http && igny8__base_url_unencrypted(url))
        return igny8__error_set(IGNY8_EINVAL, "base_url", "base_url must be https:// (plain http:// only to a "
                                "loopback host: 127.0.0.0/8, [::1], localhost) unless the store is opened with "
                                "IGNY8_STORE_ALLOW_HTTP");
    return IGNY8_OK;
}

static const char *field_name(uint32_t bit)
{
    switch (bit) {
    case IGNY8_FIELD_ENABLED: return "enabled";
    case IGNY8_FIELD_MODEL: return "model";
    case IGNY8_FIELD_TEMPERATURE: return "temperature";
    case IGNY8_FIELD_MAX_TOKENS: return "max_tokens";
    case IGNY8_FIELD_SIZE: return "size";
    case IGNY8_FIELD_QUALITY: return "quality";
    case IGNY8_FIELD_STYLE: return "style";
    default: return "base_url";
    }
}

/* Which fields a level and an integration type accept. */
static int check_field_bits(const igny8__integ_row *p, const igny8_integration_update *u, int is_account)
{
    uint32_t touched = u->set | u->clear;
    uint32_t allowed = IGNY8_FIELD_MODEL | (is_account ? IGNY8_FIELD_ENABLED : IGNY8_FIELD_BASE_URL) |
                       (p->model_type == IGNY8_MODEL_TEXT ? IGNY8_FIELD_TEMPERATURE | IGNY8_FIELD_MAX_TOKENS
                                                          : IGNY8_FIELD_SIZE | IGNY8_FIELD_QUALITY | IGNY8_FIELD_STYLE);
    if (u->set & u->clear)
        return igny8__error_set(IGNY8_EINVAL, field_name(u->set & u->clear & -(u->set & u->clear)),
                                "a field cannot be both set and cleared");
    if (touched & ~IGNY8__FIELD_ALL) {
        const char *member = (u->set & ~IGNY8__FIELD_ALL) ? "set" : "clear";  /* the one that holds them */
        return igny8__error_set(IGNY8_EINVAL, member, "unknown field bits 0x%x in %s",
                                (unsigned)(touched & ~IGNY8__FIELD_ALL), member);
    }
    uint32_t bad = touched & ~allowed;
    if (bad) {
        const char *f = field_name(bad & -bad);
        return igny8__error_set(IGNY8_EINVAL, f, "%s does not apply to the %s settings of %s integration '%s'",
                                f, is_account ? "account" : "platform", igny8_model_type_name(p->model_type), p->name);
    }
    return IGNY8_OK;
}

/* The model of a write must be an active model of this integration. */
static int check_model_for(igny8_store *st, const igny8__integ_row *p, const char *name, igny8_model **out)
{
    if (name == NULL)
        return igny8__error_set(IGNY8_EINVAL, "model", "model is NULL");
    int rc = igny8__model_get(st, name, out);
    if (rc == IGNY8_ENOTFOUND)
        return igny8__error_set(IGNY8_EINVAL, "model", "model '%.64s' is not in the registry", name);
    if (rc != IGNY8_OK)
        return rc;
    if (!(*out)->row.is_active)
        return igny8__error_set(IGNY8_EINVAL, "model", "model '%s' is inactive", name);
    if (strcmp((*out)->row.integration, p->name) != 0)
        return igny8__error_set(IGNY8_EINVAL, "model", "model '%s' belongs to integration '%s', not '%s'",
                                name, (*out)->row.integration, p->name);
    return IGNY8_OK;
}

static int check_values(const igny8_integration_update *u, int allow_http)
{
    if ((u->set & IGNY8_FIELD_ENABLED) && u->enabled != 0 && u->enabled != 1)
        return igny8__error_set(IGNY8_EINVAL, "enabled", "enabled %d is not 0 or 1", u->enabled);
    if ((u->set & IGNY8_FIELD_TEMPERATURE) &&
        !(u->temperature >= IGNY8_TEMPERATURE_MIN && u->temperature <= IGNY8_TEMPERATURE_MAX))
        return igny8__error_set(IGNY8_EINVAL, "temperature", "temperature %g is outside %g..%g", u->temperature,
                                IGNY8_TEMPERATURE_MIN, IGNY8_TEMPERATURE_MAX);
    if ((u->set & IGNY8_FIELD_MAX_TOKENS) && (u->max_tokens < IGNY8_MAX_TOKENS_MIN || u->max_tokens > IGNY8_MAX_TOKENS_MAX))
        return igny8__error_set(IGNY8_EINVAL, "max_tokens", "max_tokens %d is outside %d..%d", u->max_tokens,
                                IGNY8_MAX_TOKENS_MIN, IGNY8_MAX_TOKENS_MAX);
    const char *strings[] = { u->size, u->quality, u->style, u->base_url };
    const uint32_t bits[] = { IGNY8_FIELD_SIZE, IGNY8_FIELD_QUALITY, IGNY8_FIELD_STYLE, IGNY8_FIELD_BASE_URL };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(bits); i++)
        if ((u->set & bits[i]) && strings[i] == NULL)
            return igny8__error_set(IGNY8_EINVAL, field_name(bits[i]), "%s is NULL", field_name(bits[i]));
    int rc = IGNY8_OK;
    if (u->set & IGNY8_FIELD_SIZE) rc = check_size(u->size);
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_QUALITY)) rc = check_choice("quality", u->quality, "standard", "hd");
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_STYLE)) rc = check_choice("style", u->style, "vivid", "natural");
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_BASE_URL)) rc = check_base_url(u->base_url, allow_http);
    return rc;
}

int igny8__integration_update_check(const igny8__integ_row *p, const igny8_integration_update *u, int is_account,
                                    int allow_http)
{
    int rc = check_field_bits(p, u, is_account);
    return rc == IGNY8_OK ? check_values(u, allow_http) : rc;
}

int igny8__base_url_check(const char *url, int allow_http)
{
    return check_base_url(url, allow_http);
}

/* ---- applying an update to a row ---- */

static int replace_str(char **dst, const char *v)
{
    char *copy = NULL;
    if (v && (copy = igny8__strdup(v)) == NULL)
        return igny8__error_oom();
    igny8__free(*dst);
    *dst = copy;
    return IGNY8_OK;
}

static int apply_to_row(igny8__integ_row *r, const igny8_integration_update *u, const char *actor)
{
    char now[IGNY8__TIME_LEN];
    uint32_t s = u->set, c = u->clear;
    int rc = IGNY8_OK;
    if (s & IGNY8_FIELD_ENABLED) r->enabled = u->enabled;
    if (c & IGNY8_FIELD_ENABLED) r->enabled = 1;
    if (s & IGNY8_FIELD_TEMPERATURE) r->temperature = u->temperature;
    if (c & IGNY8_FIELD_TEMPERATURE) r->temperature = NAN;
    if (s & IGNY8_FIELD_MAX_TOKENS) r->max_tokens = u->max_tokens;
    if (c & IGNY8_FIELD_MAX_TOKENS) r->max_tokens = 0;
    struct { uint32_t bit; char **dst; const char *v; } strs[] = {
        { IGNY8_FIELD_MODEL, &r->model, u->model }, { IGNY8_FIELD_SIZE, &r->size, u->size },
        { IGNY8_FIELD_QUALITY, &r->quality, u->quality }, { IGNY8_FIELD_STYLE, &r->style, u->style },
        { IGNY8_FIELD_BASE_URL, &r->base_url, u->base_url },
    };
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(strs); i++)
        if ((s | c) & strs[i].bit)
            rc = replace_str(strs[i].dst, (s & strs[i].bit) ? strs[i].v : NULL);
    igny8__now_iso(now);
    if (rc == IGNY8_OK) rc = replace_str(&r->updated_at, now);
    if (rc == IGNY8_OK) rc = replace_str(&r->updated_by, actor);
    return rc;
}

/* The settings of a row as audit JSON: values, and whether a key is set (never the key). */
static cJSON *row_audit_json(const igny8__integ_row *r, int is_account)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    if (is_account)
        igny8__json_add_bool(j, "enabled", r->enabled);
    igny8__json_add_str(j, is_account ? "model" : "default_model", r->model);
    igny8__json_add_num(j, "temperature", r->temperature);
    igny8__json_add_count(j, "max_tokens", r->max_tokens);
    igny8__json_add_str(j, "size", r->size);
    igny8__json_add_str(j, "quality", r->quality);
    igny8__json_add_str(j, "style", r->style);
    if (!is_account)
        igny8__json_add_str(j, "base_url", r->base_url);
    cJSON *key = igny8__json_add_object(j, "api_key");
    igny8__json_add_bool(key, "configured", r->api_key != NULL);
    return j;
}

/* Whether two rows hold the same settings and key (their stamps aside). */
static int rows_same(const igny8__integ_row *a, const igny8__integ_row *b, int is_account, int *same)
{
    cJSON *ja = row_audit_json(a, is_account), *jb = row_audit_json(b, is_account);
    int keys_same = (!a->api_key && !b->api_key) || (a->api_key && b->api_key && !strcmp(a->api_key, b->api_key));
    *same = ja && jb && keys_same && cJSON_Compare(ja, jb, 1);
    int rc = (ja && jb) ? IGNY8_OK : igny8__error_oom();
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return rc;
}

static int audit_rows(igny8_store *st, const char *actor, const char *entity, int64_t account_id,
                      const char *action, const igny8__integ_row *before, const igny8__integ_row *after)
{
    int is_account = account_id > 0;
    cJSON *b = before ? row_audit_json(before, is_account) : NULL;
    cJSON *a = after ? row_audit_json(after, is_account) : NULL;
    int rc = ((before && !b) || (after && !a)) ? igny8__error_oom()
             : igny8__audit(st, actor, entity, (after ? after : before)->name, account_id, action, b, a);
    cJSON_Delete(b);
    cJSON_Delete(a);
    return rc;
}

/* ---- the platform's settings ---- */

int igny8__global_integration_apply(igny8_store *st, const char *actor, const char *integration,
                                    const igny8_integration_update *u)
{
    igny8__integ_row before, after;
    igny8_model *m = NULL;
    int rc = igny8__db_integration_get(st, integration, &before);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__integration_update_check(&before, u, 0, igny8__store_allows_http(st));
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_MODEL)) rc = check_model_for(st, &before, u->model, &m);
    igny8_model_free(m);
    if (rc == IGNY8_OK && (rc = igny8__integ_row_copy(&after, &before)) == IGNY8_OK) {
        int same = 0;
        rc = apply_to_row(&after, u, actor);
        if (rc == IGNY8_OK) rc = rows_same(&before, &after, 0, &same);
        if (rc == IGNY8_OK && !same) rc = igny8__db_integration_update(st, &after);
        if (rc == IGNY8_OK && !same) rc = audit_rows(st, actor, "global_integration", 0, "update", &before, &after);
        igny8__integ_row_clear(&after);
    }
    igny8__integ_row_clear(&before);
    return rc;
}

/* max_tokens may not exceed the limit of the model the account will use with it. */
static int check_account_max_tokens(igny8_store *st, const igny8__integ_row *p, const igny8__integ_row *r)
{
    igny8_model *m = NULL;
    const char *model = r->model ? r->model : p->model;
    if (r->max_tokens <= 0 || model == NULL)
        return IGNY8_OK;
    int rc = igny8__model_find(st, model, &m);
    if (rc == IGNY8_OK && m && m->row.max_output_tokens > 0 && r->max_tokens > m->row.max_output_tokens)
        rc = igny8__error_set(IGNY8_EINVAL, "max_tokens", "max_tokens %d is above the %d output tokens of model '%s'",
                              r->max_tokens, m->row.max_output_tokens, model);
    igny8_model_free(m);
    return rc;
}

static int account_row_is_empty(const igny8__integ_row *r)
{
    return r->enabled && !r->model && isnan(r->temperature) && r->max_tokens <= 0 && !r->size &&
           !r->quality && !r->style && !r->api_key;
}

/* Write the account's row (or remove it when it holds nothing) and audit the change; a
 * change to the same values writes nothing. */
static int store_account_row(igny8_store *st, const char *actor, int64_t account_id,
                             const igny8__integ_row *before, const igny8__integ_row *after)
{
    int same = 0, rc = rows_same(before, after, 1, &same);
    if (rc != IGNY8_OK || same)
        return rc;
    int empty = account_row_is_empty(after);
    rc = empty ? igny8__db_account_integration_delete(st, account_id, after->name)
               : igny8__db_account_integration_put(st, account_id, after);
    const char *action = empty ? "delete" : before->exists ? "update" : "create";
    if (rc == IGNY8_OK && (before->exists || !empty))
        rc = audit_rows(st, actor, "account_integration", account_id, action, before->exists ? before : NULL,
                        empty ? NULL : after);
    return rc;
}

int igny8__account_integration_apply(igny8_store *st, const char *actor, int64_t account_id,
                                     const char *integration, const igny8_integration_update *u)
{
    igny8__integ_row p, before, after;
    igny8_model *m = NULL;
    int rc = igny8__db_integration_get(st, integration, &p);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__integration_update_check(&p, u, 1, igny8__store_allows_http(st));
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_MODEL)) rc = check_model_for(st, &p, u->model, &m);
    if (rc == IGNY8_OK && m) rc = igny8__access_check(st, account_id, &m->row, "model");  /* the account's plan */
    igny8_model_free(m);
    if (rc == IGNY8_OK && (rc = igny8__db_account_integration_get(st, account_id, integration, &before)) == IGNY8_OK) {
        if ((rc = igny8__integ_row_copy(&after, &before)) == IGNY8_OK) {
            if (after.name == NULL) rc = replace_str(&after.name, integration);
            if (rc == IGNY8_OK) rc = apply_to_row(&after, u, actor);
            if (rc == IGNY8_OK) rc = check_account_max_tokens(st, &p, &after);
            if (rc == IGNY8_OK) rc = store_account_row(st, actor, account_id, &before, &after);
            igny8__integ_row_clear(&after);
        }
        igny8__integ_row_clear(&before);
    }
    igny8__integ_row_clear(&p);
    return rc;
}

static int read_update(igny8_integration_update *u, const igny8_integration_update *given)
{
    igny8_integration_update_init(u, IGNY8_INTEGRATION_UPDATE_VERSION);
    return igny8__options_copy(u, given, update_size, IGNY8_INTEGRATION_UPDATE_VERSION, "integration update");
}

int igny8_global_integration_set(igny8_store *st, const char *actor, const char *integration,
                                 const igny8_integration_update *u)
{
    igny8_integration_update upd;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(integration);
    IGNY8__CHECK_ARG(u);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK) rc = read_update(&upd, u);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__global_integration_apply(st, actor, integration, &upd));
    return rc;
}

int igny8_account_integration_set(igny8_store *st, const char *actor, int64_t account_id,
                                  const char *integration, const igny8_integration_update *u)
{
    igny8_integration_update upd;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(integration);
    IGNY8__CHECK_ARG(u);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK) rc = read_update(&upd, u);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__account_integration_apply(st, actor, account_id, integration, &upd));
    return rc;
}

int igny8_account_integration_reset(igny8_store *st, const char *actor, int64_t account_id, const char *integration)
{
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    igny8__integ_row p;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(integration);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__check_actor(actor);
    if (rc != IGNY8_OK || (rc = igny8__store_write_begin(st)) != IGNY8_OK)
        return rc;
    rc = igny8__db_integration_get(st, integration, &p);
    if (rc == IGNY8_OK) {
        u.clear = IGNY8_FIELD_MODEL | (p.model_type == IGNY8_MODEL_TEXT
                                       ? IGNY8_FIELD_TEMPERATURE | IGNY8_FIELD_MAX_TOKENS
                                       : IGNY8_FIELD_SIZE | IGNY8_FIELD_QUALITY | IGNY8_FIELD_STYLE);
        rc = igny8__account_integration_apply(st, actor, account_id, integration, &u);
        igny8__integ_row_clear(&p);
    }
    return igny8__store_write_end(st, rc);
}

/* ---- keys ---- */

static int check_key(const char *key)
{
    size_t n = strlen(key);
    if (n < 8 || n > IGNY8_API_KEY_MAX)
        return igny8__error_set(IGNY8_EINVAL, "key", "an API key must be 8..%d characters, not %zu",
                                IGNY8_API_KEY_MAX, n);
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return igny8__error_set(IGNY8_EINVAL, "key", "an API key must be printable ASCII without spaces");
    if (igny8__stored_key_is_sealed(key))  /* the column's format for sealed keys (keys.h) */
        return igny8__error_set(IGNY8_EINVAL, "key", "an API key may not begin with '" IGNY8__SEALED_PREFIX "'");
    return IGNY8_OK;
}

int igny8__key_check(const char *key)
{
    return check_key(key);
}

static int set_key_in_row(igny8_store *st, const char *actor, int64_t account_id, const char *integration,
                          const char *key)
{
    igny8__integ_row before, after;
    int rc = IGNY8_OK;
    if (account_id > 0) {
        /* The account's row may not exist yet: the platform's says whether the integration does. */
        igny8__integ_row platform;
        rc = igny8__db_integration_get(st, integration, &platform);
        igny8__integ_row_clear(&platform);
    }
    if (rc == IGNY8_OK)
        rc = account_id > 0 ? igny8__db_account_integration_get(st, account_id, integration, &before)
                            : igny8__db_integration_get(st, integration, &before);
    if (rc != IGNY8_OK)
        return rc;
    if ((rc = igny8__integ_row_copy(&after, &before)) == IGNY8_OK) {
        if (after.name == NULL) rc = replace_str(&after.name, integration);
        igny8__free_secret(after.api_key);
        after.api_key = NULL;
        if (rc == IGNY8_OK && key) rc = igny8__keys_store(st, actor, account_id, integration, key, &after.api_key);
        igny8_integration_update none = IGNY8_INTEGRATION_UPDATE_INIT;
        if (rc == IGNY8_OK) rc = apply_to_row(&after, &none, actor);  /* stamps the time and actor */
        if (rc == IGNY8_OK)
            rc = account_id > 0 ? store_account_row(st, actor, account_id, &before, &after)
                                : igny8__db_integration_update(st, &after);
        if (rc == IGNY8_OK && account_id == 0)
            rc = audit_rows(st, actor, "global_integration", 0, key ? "set_key" : "remove_key", &before, &after);
        igny8__integ_row_clear(&after);
    }
    igny8__integ_row_clear(&before);
    return rc;
}

static int key_set(igny8_store *st, const char *actor, int64_t account_id, const char *integration, const char *key)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(integration);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && key) rc = check_key(key);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, set_key_in_row(st, actor, account_id, integration, key));
    return rc;
}

int igny8_global_key_set(igny8_store *st, const char *actor, const char *integration, const char *key)
{
    return key_set(st, actor, 0, integration, key);
}

int igny8_account_key_set(igny8_store *st, const char *actor, int64_t account_id, const char *integration,
                          const char *key)
{
    IGNY8__CHECK_ACCOUNT(account_id);
    return key_set(st, actor, account_id, integration, key);
}

/* ---- the global settings row ---- */

static cJSON *global_audit_json(const igny8__global_row *g)
{
    cJSON *j = cJSON_CreateObject();
    igny8__json_add_bool(j, "is_active", g->is_active);
    igny8__json_add_str(j, "text_provider", g->text_integration);
    igny8__json_add_str(j, "image_provider", g->image_integration);
    return j;
}

/* Read the row, let the caller change it, write and audit it. */
typedef int (*global_change_fn)(igny8_store *st, igny8__global_row *g, const void *arg);

static int write_global(igny8_store *st, const char *actor, const char *action, const igny8__global_row *before,
                        igny8__global_row *after)
{
    char now[IGNY8__TIME_LEN];
    cJSON *b = global_audit_json(before), *a = global_audit_json(after);
    int rc = (a && b) ? IGNY8_OK : igny8__error_oom();
    if (rc == IGNY8_OK && !cJSON_Compare(a, b, 1)) {  /* no change: no write, no entry */
        igny8__now_iso(now);
        rc = replace_str(&after->updated_at, now);
        if (rc == IGNY8_OK) rc = replace_str(&after->updated_by, actor);
        if (rc == IGNY8_OK) rc = igny8__db_global_update(st, after);
        if (rc == IGNY8_OK) rc = igny8__audit(st, actor, "global_settings", "global", 0, action, b, a);
    }
    cJSON_Delete(b);
    cJSON_Delete(a);
    return rc;
}

static int change_global(igny8_store *st, const char *actor, const char *action, global_change_fn change,
                         const void *arg)
{
    igny8__global_row before, after;
    int rc = igny8__db_global_get(st, &before);
    if (rc != IGNY8_OK)
        return rc;
    if ((rc = igny8__db_global_get(st, &after)) == IGNY8_OK) {
        rc = change(st, &after, arg);
        if (rc == IGNY8_OK)
            rc = write_global(st, actor, action, &before, &after);
        igny8__global_row_clear(&after);
    }
    igny8__global_row_clear(&before);
    return rc;
}

static int change_active(igny8_store *st, igny8__global_row *g, const void *active)
{
    IGNY8__UNUSED(st);
    g->is_active = *(const int *)active != 0;
    return IGNY8_OK;
}

int igny8__global_active_apply(igny8_store *st, const char *actor, int active)
{
    return change_global(st, actor, active ? "activate" : "deactivate", change_active, &active);
}

struct provider_choice { int model_type; const char *integration; };

static int change_provider(igny8_store *st, igny8__global_row *g, const void *arg)
{
    const struct provider_choice *c = arg;
    IGNY8__UNUSED(st);
    return replace_str(c->model_type == IGNY8_MODEL_TEXT ? &g->text_integration : &g->image_integration,
                       c->integration);
}

int igny8__global_provider_apply(igny8_store *st, const char *actor, int model_type, const char *provider)
{
    char *integration = NULL;
    if (igny8_model_type_name(model_type) == NULL)
        return igny8__error_set(IGNY8_EINVAL, "model_type", "model_type %d is not a model type", model_type);
    int rc = provider ? igny8__db_integration_find(st, provider, model_type, &integration) : IGNY8_OK;
    if (rc == IGNY8_OK) {
        struct provider_choice c = { model_type, integration };
        rc = change_global(st, actor, "set_provider", change_provider, &c);
    }
    igny8__free(integration);
    return rc;
}

int igny8__global_default_model_apply(igny8_store *st, const char *actor, const char *model_name)
{
    igny8_model *m = NULL;
    int rc = igny8__model_get(st, model_name, &m);
    if (rc == IGNY8_OK && !m->row.is_active)
        rc = igny8__error_set(IGNY8_EINVAL, "model", "model '%s' is inactive", model_name);
    if (rc == IGNY8_OK) {
        igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
        u.set = IGNY8_FIELD_MODEL;
        u.model = model_name;
        rc = igny8__global_integration_apply(st, actor, m->row.integration, &u);
        if (rc == IGNY8_OK)
            rc = igny8__global_provider_apply(st, actor, m->row.model_type, m->row.integration);
    }
    igny8_model_free(m);
    return rc;
}

int igny8_global_set_active(igny8_store *st, const char *actor, int active)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__global_active_apply(st, actor, active != 0));
    return rc;
}

int igny8_global_default_model_set(igny8_store *st, const char *actor, const char *model_name)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(model_name);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, igny8__global_default_model_apply(st, actor, model_name));
    return rc;
}

/* ---- snapshots ---- */

static uint32_t override_bits(const igny8__integ_row *r)
{
    return (r->model ? IGNY8_FIELD_MODEL : 0) | (!isnan(r->temperature) ? IGNY8_FIELD_TEMPERATURE : 0) |
           (r->max_tokens > 0 ? IGNY8_FIELD_MAX_TOKENS : 0) | (r->size ? IGNY8_FIELD_SIZE : 0) |
           (r->quality ? IGNY8_FIELD_QUALITY : 0) | (r->style ? IGNY8_FIELD_STYLE : 0);
}

static int fill_snapshot(igny8_integration *s, const igny8__integ_row *p, const igny8__integ_row *a, int key_configured)
{
    igny8__params params;
    igny8__params_resolve(p, a, p->model_type, &params);
    const char *model = (a && a->model) ? a->model : p->model;
    s->model_type = p->model_type;
    s->enabled = a ? a->enabled : 1;
    s->temperature = params.temperature;
    s->max_tokens = params.max_tokens;
    s->key_configured = key_configured;
    s->overrides = a ? override_bits(a) | (a->enabled ? 0 : IGNY8_FIELD_ENABLED)
                     : override_bits(p) | (p->base_url ? IGNY8_FIELD_BASE_URL : 0);
    int rc = replace_str(&s->name, p->name);
    if (rc == IGNY8_OK) rc = replace_str(&s->provider, p->provider);
    if (rc == IGNY8_OK) rc = replace_str(&s->model, model);
    if (rc == IGNY8_OK) rc = replace_str(&s->size, params.size);
    if (rc == IGNY8_OK) rc = replace_str(&s->quality, params.quality);
    if (rc == IGNY8_OK) rc = replace_str(&s->style, params.style);
    if (rc == IGNY8_OK) rc = replace_str(&s->base_url, p->base_url);
    return rc;
}

int igny8__integration_load(igny8_store *st, int64_t account_id, const char *integration, igny8_integration **out)
{
    igny8__integ_row p, a;
    igny8__key_found key = { NULL, IGNY8_KEY_NONE, 0, NULL };
    *out = NULL;
    int rc = igny8__db_integration_get(st, integration, &p);
    if (rc != IGNY8_OK)
        return rc;
    igny8__integ_row_init(&a);
    if (account_id > 0)
        rc = igny8__db_account_integration_get(st, account_id, integration, &a);
    /* key_configured is about this level only: the account's own key, or the platform's. */
    if (rc == IGNY8_OK)
        rc = igny8__key_lookup(st, account_id, &p, account_id > 0 ? &a : NULL, account_id == 0, &key);
    igny8__free_secret(key.stored);
    igny8_integration *s = rc == IGNY8_OK ? igny8__calloc(1, sizeof(*s)) : NULL;
    if (rc == IGNY8_OK && s == NULL)
        rc = igny8__error_oom();
    if (rc == IGNY8_OK)
        rc = fill_snapshot(s, &p, account_id > 0 ? &a : NULL, key.source != IGNY8_KEY_NONE);
    igny8__integ_row_clear(&p);
    igny8__integ_row_clear(&a);
    if (rc != IGNY8_OK) {
        igny8_integration_free(s);
        return rc;
    }
    *out = s;
    return IGNY8_OK;
}

static int load_snapshot(igny8_store *st, int64_t account_id, const char *integration, igny8_integration **out)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(integration);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_read_end(st, igny8__integration_load(st, account_id, integration, out));
}

int igny8_global_integration_get(igny8_store *st, const char *integration, igny8_integration **out)
{
    return load_snapshot(st, 0, integration, out);
}

int igny8_account_integration_get(igny8_store *st, int64_t account_id, const char *integration,
                                  igny8_integration **out)
{
    if (out)
        *out = NULL;
    IGNY8__CHECK_ACCOUNT(account_id);
    return load_snapshot(st, account_id, integration, out);
}

void igny8_integration_free(igny8_integration *s)
{
    if (s == NULL)
        return;
    char *strings[] = { s->name, s->provider, s->model, s->size, s->quality, s->style, s->base_url };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        igny8__free(strings[i]);
    igny8__free(s);
}

const char *igny8_integration_name(const igny8_integration *s) { return s ? s->name : NULL; }
const char *igny8_integration_provider(const igny8_integration *s) { return s ? s->provider : NULL; }
int igny8_integration_model_type(const igny8_integration *s) { return s ? s->model_type : 0; }
int igny8_integration_enabled(const igny8_integration *s) { return s ? s->enabled : 0; }
const char *igny8_integration_model(const igny8_integration *s) { return s ? s->model : NULL; }
double igny8_integration_temperature(const igny8_integration *s) { return s ? s->temperature : NAN; }
int igny8_integration_max_tokens(const igny8_integration *s) { return s ? s->max_tokens : 0; }
const char *igny8_integration_size(const igny8_integration *s) { return s ? s->size : NULL; }
const char *igny8_integration_quality(const igny8_integration *s) { return s ? s->quality : NULL; }
const char *igny8_integration_style(const igny8_integration *s) { return s ? s->style : NULL; }
const char *igny8_integration_base_url(const igny8_integration *s) { return s ? s->base_url : NULL; }
int igny8_integration_key_configured(const igny8_integration *s) { return s ? s->key_configured : 0; }

int igny8_integration_using_global(const igny8_integration *s)
{
    return s ? (s->overrides & IGNY8__FIELD_OVERRIDES) == 0 : 0;
}

int igny8_integration_is_override(const igny8_integration *s, uint32_t field)
{
    return s ? (s->overrides & field) != 0 : 0;
}
