/* get_model_for_operation: the five-level precedence of DESIGN §2, the parameters field
 * by field, the key, and a trace of every decision. Reads go through the SQL layer in
 * one read transaction, so the answer is one consistent, committed state. */
#include <math.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "json.h"
#include "model.h"
#include "settings.h"

#define MAX_INTEGRATIONS 16

struct igny8_resolution {
    igny8_model *model;
    char *operation, *size, *quality, *style, *base_url, *api_key, *trace;
    int source, key_source, max_tokens;
    double temperature;
};

static const char *const level_names[] = {
    NULL, "request", "account_operation", "account_integration", "global_default", "system_default"
};

typedef struct {
    char *name;
    igny8__integ_row platform, account;
} integ_rows;

typedef struct {
    igny8_store *st;
    int64_t account_id;
    int type;
    igny8__global_row global;
    char *provider;               /* the account's integration P for the type */
    const char *provider_source;  /* "account", "platform" or NULL */
    integ_rows rows[MAX_INTEGRATIONS];
    size_t n_rows;
    cJSON *levels;
} resolve_ctx;

static void ctx_clear(resolve_ctx *c)
{
    for (size_t i = 0; i < c->n_rows; i++) {
        igny8__free(c->rows[i].name);
        igny8__integ_row_clear(&c->rows[i].platform);
        igny8__integ_row_clear(&c->rows[i].account);
    }
    igny8__global_row_clear(&c->global);
    igny8__free(c->provider);
}

/* The platform's and the account's rows of an integration, read once per resolution. */
static int ctx_rows(resolve_ctx *c, const char *name, integ_rows **out)
{
    for (size_t i = 0; i < c->n_rows; i++)
        if (strcmp(c->rows[i].name, name) == 0) {
            *out = &c->rows[i];
            return IGNY8_OK;
        }
    if (c->n_rows == MAX_INTEGRATIONS)
        return igny8__error_set(IGNY8_ERROR, NULL, "more than %d integrations in one resolution", MAX_INTEGRATIONS);
    integ_rows *r = &c->rows[c->n_rows];
    igny8__integ_row_init(&r->account);
    int rc = igny8__db_integration_get(c->st, name, &r->platform);
    if (rc == IGNY8_OK)
        rc = igny8__db_account_integration_get(c->st, c->account_id, name, &r->account);
    if (rc == IGNY8_OK && (r->name = igny8__strdup(name)) == NULL)
        rc = igny8__error_oom();
    if (rc != IGNY8_OK) {
        igny8__integ_row_clear(&r->platform);
        igny8__integ_row_clear(&r->account);
        return rc;
    }
    c->n_rows++;
    *out = r;
    return IGNY8_OK;
}

/* The account's provider for the type: its own choice, else the platform's. */
static int choose_provider(resolve_ctx *c)
{
    int rc = igny8__db_account_provider_get(c->st, c->account_id, c->type, &c->provider);
    if (rc != IGNY8_OK || c->provider) {
        c->provider_source = "account";
        return rc;
    }
    const char *platform = c->type == IGNY8_MODEL_TEXT ? c->global.text_integration : c->global.image_integration;
    if (platform == NULL)
        return IGNY8_OK;
    c->provider_source = "platform";
    c->provider = igny8__strdup(platform);
    return c->provider ? IGNY8_OK : igny8__error_oom();
}

/* The candidate model name of a level, or NULL; *no_provider when P is unknown. */
static int candidate(resolve_ctx *c, int level, const char *operation, const char *request, char **out)
{
    integ_rows *r;
    const char *name = NULL;
    int rc = IGNY8_OK;
    *out = NULL;
    switch (level) {
    case IGNY8_SOURCE_REQUEST: name = request; break;
    case IGNY8_SOURCE_ACCOUNT_OPERATION:
        return igny8__db_account_operation_model_get(c->st, c->account_id, operation, out);
    case IGNY8_SOURCE_ACCOUNT_INTEGRATION:
    case IGNY8_SOURCE_GLOBAL_DEFAULT:
        if (c->provider == NULL)
            return IGNY8_OK;
        rc = ctx_rows(c, c->provider, &r);
        if (rc == IGNY8_OK)
            name = level == IGNY8_SOURCE_GLOBAL_DEFAULT ? r->platform.model : r->account.model;
        break;
    default: return igny8__db_model_default_name(c->st, c->type, out);
    }
    if (rc == IGNY8_OK && name && (*out = igny8__strdup(name)) == NULL)
        rc = igny8__error_oom();
    return rc;
}

/* Why a candidate cannot be used, or NULL when it can. */
static int unusable_reason(resolve_ctx *c, int level, const igny8_model *m, const char **reason)
{
    integ_rows *r;
    *reason = NULL;
    if (m->model_type != c->type) { *reason = "wrong_type"; return IGNY8_OK; }
    if (!m->is_active) { *reason = "inactive"; return IGNY8_OK; }
    int rc = ctx_rows(c, m->integration, &r);
    if (rc != IGNY8_OK)
        return rc;
    if (!r->account.enabled) *reason = "integration_disabled";
    else if (level == IGNY8_SOURCE_GLOBAL_DEFAULT && !c->global.is_active) *reason = "global_inactive";
    return IGNY8_OK;
}

static void trace_level(resolve_ctx *c, int level, const char *cand, const char *status, const char *reason)
{
    cJSON *l = igny8__json_attach(c->levels, NULL, cJSON_CreateObject());
    igny8__json_add_str(l, "level", level_names[level]);
    igny8__json_add_str(l, "candidate", cand);
    igny8__json_add_str(l, "status", status);
    if (reason)
        igny8__json_add_str(l, "reason", reason);
}

static int request_error(const char *request, const char *reason)
{
    return igny8__error_set(IGNY8_EINVAL, "model", "requested model '%.64s' cannot be used: %s", request,
                            strcmp(reason, "unknown_model") == 0 ? "it is not in the registry"
                            : strcmp(reason, "wrong_type") == 0 ? "it is of another model type than the operation"
                            : strcmp(reason, "inactive") == 0 ? "it is inactive"
                            : "its integration is disabled for the account");
}

/* Try one level: *chosen receives the model when it is usable. */
static int try_level(resolve_ctx *c, int level, const char *operation, const char *request, igny8_model **chosen)
{
    char *name = NULL;
    igny8_model *m = NULL;
    const char *reason = NULL;
    int rc = candidate(c, level, operation, request, &name);
    if (rc == IGNY8_OK && name == NULL)
        reason = (level >= IGNY8_SOURCE_ACCOUNT_INTEGRATION && level <= IGNY8_SOURCE_GLOBAL_DEFAULT && !c->provider)
                 ? "no_provider" : "not_set";
    else if (rc == IGNY8_OK && (rc = igny8__db_model_find(c->st, name, &m)) == IGNY8_OK && m == NULL)
        reason = "unknown_model";
    if (rc == IGNY8_OK && m)
        rc = unusable_reason(c, level, m, &reason);
    if (rc == IGNY8_OK && reason && level == IGNY8_SOURCE_REQUEST && request)
        rc = request_error(request, reason);
    if (rc == IGNY8_OK) {
        trace_level(c, level, name, reason ? "skipped" : "used", reason);
        if (!reason) {
            *chosen = m;
            m = NULL;
        }
    }
    igny8__free(name);
    igny8_model_free(m);
    return rc;
}

static void trace_param(cJSON *params, const char *name, cJSON *value, const char *source)
{
    cJSON *p = igny8__json_add_object(params, name);
    igny8__json_attach(p, "value", value ? value : cJSON_CreateNull());
    igny8__json_add_str(p, "source", source);
}

static int dup_into(char **dst, const char *v)
{
    *dst = NULL;
    return (v && (*dst = igny8__strdup(v)) == NULL) ? igny8__error_oom() : IGNY8_OK;
}

/* Parameters field by field, the max_tokens cap, the base URL and the key. */
static int fill_settings(resolve_ctx *c, igny8_resolution *res, cJSON *trace)
{
    integ_rows *r;
    igny8__params p;
    int rc = ctx_rows(c, res->model->integration, &r);
    if (rc != IGNY8_OK)
        return rc;
    igny8__params_resolve(c->global.is_active ? &r->platform : NULL, &r->account, c->type, &p);
    cJSON *params = igny8__json_add_object(trace, "parameters");
    res->temperature = p.temperature;
    res->max_tokens = p.max_tokens;
    if (c->type == IGNY8_MODEL_TEXT) {
        trace_param(params, "temperature", cJSON_CreateNumber(p.temperature), p.source_temperature);
        trace_param(params, "max_tokens", cJSON_CreateNumber(p.max_tokens), p.source_max_tokens);
        int limit = res->model->max_output_tokens;
        if (limit > 0 && res->max_tokens > limit) {
            res->max_tokens = limit;
            cJSON *mt = cJSON_GetObjectItemCaseSensitive(params, "max_tokens");
            cJSON_ReplaceItemInObjectCaseSensitive(mt, "value", cJSON_CreateNumber(limit));
            igny8__json_add_int(mt, "capped_from", p.max_tokens);
        }
    } else {
        trace_param(params, "size", cJSON_CreateString(p.size), p.source_size);
        trace_param(params, "quality", cJSON_CreateString(p.quality), p.source_quality);
        trace_param(params, "style", cJSON_CreateString(p.style), p.source_style);
    }
    rc = dup_into(&res->size, p.size);
    if (rc == IGNY8_OK) rc = dup_into(&res->quality, p.quality);
    if (rc == IGNY8_OK) rc = dup_into(&res->style, p.style);
    if (rc == IGNY8_OK) rc = dup_into(&res->base_url, r->platform.base_url);
    if (rc == IGNY8_OK)
        rc = igny8__key_lookup(c->st, c->account_id, &r->platform, &r->account, c->global.is_active,
                               &res->api_key, &res->key_source);
    static const char *const key_sources[] = { "none", "account", "global" };
    igny8__json_add_str(trace, "api_key_source", key_sources[res->key_source]);
    return rc;
}

static int run_levels(resolve_ctx *c, const char *operation, const char *request, igny8_resolution *res)
{
    int rc = IGNY8_OK;
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++) {
        if (res->model) {
            trace_level(c, level, NULL, "not_reached", NULL);
            continue;
        }
        rc = try_level(c, level, operation, request, &res->model);
        if (rc != IGNY8_OK)
            return rc;
        if (res->model)
            res->source = level;
    }
    if (res->model == NULL)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "no usable %s model for operation '%s' "
                                "(see the trace of each level: all were skipped)",
                                igny8_model_type_name(c->type), operation);
    return rc;
}

static int resolve(resolve_ctx *c, const char *operation, const char *request, igny8_resolution *res)
{
    int rc = igny8__db_operation_type(c->st, operation, &c->type);
    if (rc == IGNY8_OK) rc = igny8__db_global_get(c->st, &c->global);
    if (rc == IGNY8_OK) rc = choose_provider(c);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *trace = igny8__json_object();
    igny8__json_add_str(trace, "operation", operation);
    igny8__json_add_str(trace, "model_type", igny8_model_type_name(c->type));
    igny8__json_add_int(trace, "account_id", c->account_id);
    igny8__json_add_str(trace, "integration", c->provider);
    igny8__json_add_str(trace, "integration_source", c->provider_source);
    igny8__json_add_bool(trace, "global_active", c->global.is_active);
    c->levels = igny8__json_add_array(trace, "levels");
    rc = run_levels(c, operation, request, res);
    if (rc == IGNY8_OK) {
        igny8__json_add_str(trace, "model", res->model->model_name);
        igny8__json_add_str(trace, "source", level_names[res->source]);
        rc = fill_settings(c, res, trace);
    }
    if (rc == IGNY8_OK)
        rc = igny8__json_emit(trace, &res->trace);
    cJSON_Delete(trace);
    return rc;
}

int igny8_get_model_for_operation(igny8_store *st, int64_t account_id, const char *operation,
                                  const char *request_model, igny8_resolution **out)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(operation);
    IGNY8__CHECK_ACCOUNT(account_id);
    igny8_resolution *res = igny8__calloc(1, sizeof(*res));
    if (res == NULL)
        return igny8__error_oom();
    resolve_ctx c;
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.account_id = account_id;
    int rc = dup_into(&res->operation, operation);
    if (rc == IGNY8_OK && (rc = igny8__store_read_begin(st)) == IGNY8_OK)
        rc = igny8__store_read_end(st, resolve(&c, operation, request_model, res));
    ctx_clear(&c);
    if (rc != IGNY8_OK) {
        igny8_resolution_free(res);
        return rc;
    }
    *out = res;
    return IGNY8_OK;
}

void igny8_resolution_free(igny8_resolution *r)
{
    if (r == NULL)
        return;
    igny8_model_free(r->model);
    char *strings[] = { r->operation, r->size, r->quality, r->style, r->base_url, r->trace };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(strings); i++)
        igny8__free(strings[i]);
    igny8__free_secret(r->api_key);
    igny8__free(r);
}

int igny8_resolution_to_json(const igny8_resolution *r, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(r);
    static const char *const key_sources[] = { "none", "account", "global" };
    cJSON *j = igny8__json_object();
    igny8__json_add_str(j, "operation", r->operation);
    igny8__json_add_str(j, "model", r->model->model_name);
    igny8__json_add_str(j, "provider", r->model->provider);
    igny8__json_add_str(j, "integration", r->model->integration);
    igny8__json_add_str(j, "model_type", igny8_model_type_name(r->model->model_type));
    igny8__json_add_str(j, "source", level_names[r->source]);
    igny8__json_add_num(j, "temperature", r->temperature);
    igny8__json_add_count(j, "max_tokens", r->max_tokens);
    igny8__json_add_str(j, "size", r->size);
    igny8__json_add_str(j, "quality", r->quality);
    igny8__json_add_str(j, "style", r->style);
    igny8__json_add_str(j, "base_url", r->base_url);
    igny8__json_add_str(j, "api_key_source", key_sources[r->key_source]);
    igny8__json_attach(j, "pricing", igny8__model_json(r->model));
    cJSON *trace = NULL;
    igny8__json_parse(r->trace, "trace", &trace);
    if (trace == NULL)
        igny8__json_note_oom();
    igny8__json_attach(j, "trace", trace);
    return igny8__json_emit_free(j, out_json);
}

const igny8_model *igny8_resolution_model(const igny8_resolution *r) { return r ? r->model : NULL; }
const char *igny8_resolution_model_name(const igny8_resolution *r) { return r ? r->model->model_name : NULL; }
const char *igny8_resolution_provider(const igny8_resolution *r) { return r ? r->model->provider : NULL; }
const char *igny8_resolution_integration(const igny8_resolution *r) { return r ? r->model->integration : NULL; }
int igny8_resolution_model_type(const igny8_resolution *r) { return r ? r->model->model_type : 0; }
const char *igny8_resolution_operation(const igny8_resolution *r) { return r ? r->operation : NULL; }
int igny8_resolution_source(const igny8_resolution *r) { return r ? r->source : 0; }
const char *igny8_resolution_source_name(const igny8_resolution *r) { return r ? level_names[r->source] : NULL; }
double igny8_resolution_temperature(const igny8_resolution *r) { return r ? r->temperature : NAN; }
int igny8_resolution_max_tokens(const igny8_resolution *r) { return r ? r->max_tokens : 0; }
const char *igny8_resolution_size(const igny8_resolution *r) { return r ? r->size : NULL; }
const char *igny8_resolution_quality(const igny8_resolution *r) { return r ? r->quality : NULL; }
const char *igny8_resolution_style(const igny8_resolution *r) { return r ? r->style : NULL; }
const char *igny8_resolution_base_url(const igny8_resolution *r) { return r ? r->base_url : NULL; }
int igny8_resolution_api_key_source(const igny8_resolution *r) { return r ? r->key_source : IGNY8_KEY_NONE; }
const char *igny8_resolution_api_key(const igny8_resolution *r) { return r ? r->api_key : NULL; }
const char *igny8_resolution_trace_json(const igny8_resolution *r) { return r ? r->trace : NULL; }
