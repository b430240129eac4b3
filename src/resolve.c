/* get_model_for_operation: the five-level precedence of DESIGN §2 over the resolver's
 * cache (cache.h), parameters field by field, the key, and the decisions the trace shows.
 * A resolution is one allocation: the model, names and platform values point into the
 * snapshot it holds a reference to; only what came from the account's entry is copied.
 * The trace JSON is built on first request. */
#include <math.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "cache.h"
#include "json.h"
#include "model.h"
#include "settings.h"

enum { OWN_SIZE = 1, OWN_QUALITY = 2, OWN_STYLE = 4, OWN_KEY = 8 };

typedef struct level_decision {
    const char *candidate;   /* NULL: none */
    const char *status;      /* "used", "skipped", "not_reached" */
    const char *reason;      /* for skipped */
} level_decision;

struct igny8_resolution {
    igny8__snapshot *snap;
    igny8_model model;       /* the snapshot's row, its strings borrowed */
    const char *operation, *integration_name, *integration_source, *base_url;
    const char *size, *quality, *style;
    const char *stored_key;  /* as the store keeps it (keys.h); opened by igny8_resolution_api_key */
    const char *key_integration;  /* the row the key comes from: the snapshot's string */
    int64_t key_account;
    igny8_store *st;         /* for the master keys; igny8_resolution_api_key needs it open */
    char *api_key;           /* the plain key once asked for, under the store lock; wiped on free */
    const char *source_temperature, *source_max_tokens, *source_size, *source_quality, *source_style;
    double temperature;
    int64_t account_id;
    int type, source, key_source, max_tokens, capped_from, global_active;
    unsigned owned;
    level_decision levels[6];
    char *trace;             /* built on first use; set atomically */
};

static const char *const level_names[] = {
    NULL, "request", "account_operation", "account_integration", "global_default", "system_default"
};
static const char *const key_sources[] = { "none", "account", "global" };

typedef struct {
    const igny8__snapshot *s;
    const igny8__account *a;
    int type, provider;      /* the account's integration P for the type, -1 none */
} resolve_ctx;

/* The candidate model of a level: an index, -1 when the level has none, -2 when the name
 * is not in the registry (*name then says which). */
static int candidate(const resolve_ctx *c, int level, int operation, const char *request, const char **name)
{
    const igny8__account_row *row;
    *name = NULL;
    switch (level) {
    case IGNY8_SOURCE_REQUEST: {
        int m = igny8__snapshot_model(c->s, request);
        *name = request;
        return request == NULL ? -1 : m >= 0 ? m : -2;
    }
    case IGNY8_SOURCE_ACCOUNT_OPERATION:
        for (size_t i = 0; c->a && i < c->a->n_ops; i++)
            if (c->a->op_operation[i] == operation)
                return c->a->op_model[i];
        return -1;
    case IGNY8_SOURCE_ACCOUNT_INTEGRATION:
        row = c->provider >= 0 ? igny8__account_row_of(c->a, c->provider) : NULL;
        return row ? row->model : -1;
    case IGNY8_SOURCE_GLOBAL_DEFAULT:
        return c->provider >= 0 ? c->s->integration_default_model[c->provider] : -1;
    default:
        return c->s->default_model[c->type];
    }
}

/* Why a candidate cannot be used, or NULL when it can. */
static const char *unusable(const resolve_ctx *c, int level, int m)
{
    if (m == -2)
        return "unknown_model";
    const igny8__model_row *model = &c->s->models[m];
    const igny8__account_row *row = igny8__account_row_of(c->a, c->s->model_integration[m]);
    if (model->model_type != c->type) return "wrong_type";
    if (!model->is_active) return "inactive";
    if (row && !row->enabled) return "integration_disabled";
    if (level == IGNY8_SOURCE_GLOBAL_DEFAULT && !c->s->global_active) return "global_inactive";
    return NULL;
}

static int request_error(const char *request, const char *reason)
{
    return igny8__error_set(IGNY8_EINVAL, "model", "requested model '%.64s' cannot be used: %s", request,
                            strcmp(reason, "unknown_model") == 0 ? "it is not in the registry"
                            : strcmp(reason, "wrong_type") == 0 ? "it is of another model type than the operation"
                            : strcmp(reason, "inactive") == 0 ? "it is inactive"
                            : "its integration is disabled for the account");
}

/* Walk the five levels; *chosen is the model's index. */
static int choose(const resolve_ctx *c, int operation, const char *request, igny8_resolution *r, int *chosen)
{
    *chosen = -1;
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++) {
        level_decision *d = &r->levels[level];
        const char *name = NULL;
        if (*chosen >= 0) {
            d->status = "not_reached";
            continue;
        }
        int m = candidate(c, level, operation, request, &name);
        d->candidate = m >= 0 ? c->s->models[m].model_name : name;
        d->reason = m == -1 ? ((level == 3 || level == 4) && c->provider < 0 ? "no_provider" : "not_set")
                            : unusable(c, level, m);
        if (d->reason && level == IGNY8_SOURCE_REQUEST && request)
            return request_error(request, d->reason);
        d->status = d->reason ? "skipped" : "used";
        if (!d->reason) {
            *chosen = m;
            r->source = level;
        }
    }
    return IGNY8_OK;
}

static int own_copy(igny8_resolution *r, const char **field, const char *value, unsigned flag)
{
    *field = value;
    if (value == NULL)
        return IGNY8_OK;
    char *copy = igny8__strdup(value);
    if (copy == NULL)
        return igny8__error_oom();
    *field = copy;
    r->owned |= flag;
    return IGNY8_OK;
}

/* A parameter string: copied when it came from the account's entry (the entry may be
 * evicted once the store lock is released), else pointed at (snapshot or built-in). */
static int param_str(igny8_resolution *r, const char **dst, const char *value, const char *source, unsigned flag)
{
    if (source && strcmp(source, "account") == 0)
        return own_copy(r, dst, value, flag);
    *dst = value;
    return IGNY8_OK;
}

/* Parameters, the max_tokens cap, the base URL and the key of the chosen model m. */
static int settings(const resolve_ctx *c, igny8_resolution *r, int m)
{
    int integ = c->s->model_integration[m], from = c->s->integration_key_from[integ];
    const igny8__integ_row *platform = &c->s->integrations[integ];
    const igny8__account_row *row = igny8__account_row_of(c->a, integ);
    const igny8__account_row *from_row = from >= 0 ? igny8__account_row_of(c->a, from) : NULL;
    igny8__param_values pv;
    igny8__params p;
    igny8__integ_row_params(platform, &pv);
    igny8__params_pick(c->s->global_active ? &pv : NULL, row ? &row->params : NULL, c->type, &p);
    r->temperature = p.temperature;
    r->max_tokens = p.max_tokens;
    if (r->model.row.max_output_tokens > 0 && r->max_tokens > r->model.row.max_output_tokens) {
        r->capped_from = r->max_tokens;
        r->max_tokens = r->model.row.max_output_tokens;
    }
    r->source_temperature = p.source_temperature;
    r->source_max_tokens = p.source_max_tokens;
    r->source_size = p.source_size;
    r->source_quality = p.source_quality;
    r->source_style = p.source_style;
    r->base_url = platform->base_url;
    int from_key_from = 0;
    const char *key = igny8__key_choose(row ? row->api_key : NULL, from_row ? from_row->api_key : NULL,
                                        platform->api_key, from >= 0 ? c->s->integrations[from].api_key : NULL,
                                        c->s->global_active, &r->key_source, &from_key_from);
    r->key_account = r->key_source == IGNY8_KEY_ACCOUNT ? r->account_id : 0;
    r->key_integration = from_key_from ? c->s->integrations[from].name : platform->name;
    int rc = param_str(r, &r->stored_key, key, r->key_source == IGNY8_KEY_ACCOUNT ? "account" : NULL, OWN_KEY);
    if (rc == IGNY8_OK) rc = param_str(r, &r->size, p.size, p.source_size, OWN_SIZE);
    if (rc == IGNY8_OK) rc = param_str(r, &r->quality, p.quality, p.source_quality, OWN_QUALITY);
    if (rc == IGNY8_OK) rc = param_str(r, &r->style, p.style, p.source_style, OWN_STYLE);
    return rc;
}

/* Under the store lock: everything the resolution needs, from the cache. */
static int resolve(igny8_store *st, int64_t account_id, const char *operation, const char *request,
                   igny8_resolution *r)
{
    igny8__account *a = NULL;
    int rc = igny8__cache_get(st, account_id, &r->snap, &a);
    if (rc != IGNY8_OK)
        return rc;
    resolve_ctx c = { r->snap, a, 0, -1 };
    int op = igny8__snapshot_operation(c.s, operation), m = -1;
    if (op < 0)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "operation '%.64s' is not known", operation);
    r->operation = c.s->operation_names[op];
    r->type = c.type = c.s->operation_types[op];
    int own = a ? a->provider[c.type] : -1;
    c.provider = own >= 0 ? own : c.s->type_integration[c.type];
    r->integration_name = c.provider >= 0 ? c.s->integrations[c.provider].name : NULL;
    r->integration_source = own >= 0 ? "account" : c.provider >= 0 ? "platform" : NULL;
    r->global_active = c.s->global_active;
    if ((rc = choose(&c, op, request, r, &m)) != IGNY8_OK)
        return rc;
    if (m < 0)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "no usable %s model for operation '%s' (see the "
                                "trace of each level: all were skipped)", igny8_model_type_name(c.type), operation);
    r->model.row = c.s->models[m];
    return settings(&c, r, m);
}

int igny8_get_model_for_operation(igny8_store *st, int64_t account_id, const char *operation,
                                  const char *request_model, igny8_resolution **out)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(operation);
    IGNY8__CHECK_ACCOUNT(account_id);
    igny8_resolution *r = igny8__calloc(1, sizeof(*r));
    if (r == NULL)
        return igny8__error_oom();
    r->account_id = account_id;
    r->st = st;
    r->temperature = NAN;
    igny8__store_lock(st);
    int rc = resolve(st, account_id, operation, request_model, r);  /* a usable request is in the snapshot */
    igny8__store_unlock(st);
    if (rc != IGNY8_OK) {
        igny8_resolution_free(r);
        return rc;
    }
    *out = r;
    return IGNY8_OK;
}

void igny8_resolution_free(igny8_resolution *r)
{
    if (r == NULL)
        return;
    if (r->owned & OWN_KEY) igny8__free_secret((char *)r->stored_key);
    igny8__free_secret(r->api_key);
    if (r->owned & OWN_SIZE) igny8__free((char *)r->size);
    if (r->owned & OWN_QUALITY) igny8__free((char *)r->quality);
    if (r->owned & OWN_STYLE) igny8__free((char *)r->style);
    igny8__free(__atomic_load_n(&r->trace, __ATOMIC_ACQUIRE));
    igny8__snapshot_release(r->snap);
    igny8__free(r);
}

/* ---- the trace, built on first request ---- */

static void trace_param(cJSON *params, const char *name, cJSON *value, const char *source)
{
    cJSON *p = igny8__json_add_object(params, name);
    igny8__json_attach(p, "value", value ? value : cJSON_CreateNull());
    igny8__json_add_str(p, "source", source);
}

static void trace_parameters(const igny8_resolution *r, cJSON *trace)
{
    cJSON *params = igny8__json_add_object(trace, "parameters");
    if (r->type == IGNY8_MODEL_TEXT) {
        trace_param(params, "temperature", cJSON_CreateNumber(r->temperature), r->source_temperature);
        trace_param(params, "max_tokens", cJSON_CreateNumber(r->max_tokens), r->source_max_tokens);
        if (r->capped_from)
            igny8__json_add_int(cJSON_GetObjectItemCaseSensitive(params, "max_tokens"), "capped_from", r->capped_from);
    } else {
        trace_param(params, "size", cJSON_CreateString(r->size), r->source_size);
        trace_param(params, "quality", cJSON_CreateString(r->quality), r->source_quality);
        trace_param(params, "style", cJSON_CreateString(r->style), r->source_style);
    }
}

static cJSON *trace_tree(const igny8_resolution *r)
{
    cJSON *t = cJSON_CreateObject();
    igny8__json_add_str(t, "operation", r->operation);
    igny8__json_add_str(t, "model_type", igny8_model_type_name(r->type));
    igny8__json_add_int(t, "account_id", r->account_id);
    igny8__json_add_str(t, "integration", r->integration_name);
    igny8__json_add_str(t, "integration_source", r->integration_source);
    igny8__json_add_bool(t, "global_active", r->global_active);
    cJSON *levels = igny8__json_add_array(t, "levels");
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++) {
        const level_decision *d = &r->levels[level];
        cJSON *l = igny8__json_attach(levels, NULL, cJSON_CreateObject());
        igny8__json_add_str(l, "level", level_names[level]);
        igny8__json_add_str(l, "candidate", strcmp(d->status, "not_reached") ? d->candidate : NULL);
        igny8__json_add_str(l, "status", d->status);
        if (d->reason && strcmp(d->status, "skipped") == 0)
            igny8__json_add_str(l, "reason", d->reason);
    }
    igny8__json_add_str(t, "model", r->model.row.model_name);
    igny8__json_add_str(t, "source", level_names[r->source]);
    trace_parameters(r, t);
    igny8__json_add_str(t, "api_key_source", key_sources[r->key_source]);
    return t;
}

const char *igny8_resolution_trace_json(const igny8_resolution *r)
{
    if (r == NULL)
        return NULL;
    char *trace = __atomic_load_n(&r->trace, __ATOMIC_ACQUIRE);
    if (trace)
        return trace;
    igny8__json_reset();
    cJSON *t = trace_tree(r);
    if (igny8__json_emit_free(t, &trace) != IGNY8_OK)
        return "{}";  /* out of memory: an empty trace rather than NULL */
    char *expected = NULL;
    igny8_resolution *w = (igny8_resolution *)r;  /* the trace is a cache of immutable data */
    if (!__atomic_compare_exchange_n(&w->trace, &expected, trace, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        igny8__free(trace);  /* another thread built it first */
        return expected;
    }
    return trace;
}

int igny8_resolution_to_json(const igny8_resolution *r, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(r);
    cJSON *j = igny8__json_object();
    igny8__json_add_str(j, "operation", r->operation);
    igny8__json_add_str(j, "model", r->model.row.model_name);
    igny8__json_add_str(j, "provider", r->model.row.provider);
    igny8__json_add_str(j, "integration", r->model.row.integration);
    igny8__json_add_str(j, "model_type", igny8_model_type_name(r->model.row.model_type));
    igny8__json_add_str(j, "source", level_names[r->source]);
    igny8__json_add_num(j, "temperature", r->temperature);
    igny8__json_add_count(j, "max_tokens", r->max_tokens);
    igny8__json_add_str(j, "size", r->size);
    igny8__json_add_str(j, "quality", r->quality);
    igny8__json_add_str(j, "style", r->style);
    igny8__json_add_str(j, "base_url", r->base_url);
    igny8__json_add_str(j, "api_key_source", key_sources[r->key_source]);
    igny8__json_attach(j, "pricing", igny8__model_json(&r->model));
    igny8__json_attach(j, "trace", trace_tree(r));
    return igny8__json_emit_free(j, out_json);
}

const igny8_model *igny8_resolution_model(const igny8_resolution *r) { return r ? &r->model : NULL; }
const char *igny8_resolution_model_name(const igny8_resolution *r) { return r ? r->model.row.model_name : NULL; }
const char *igny8_resolution_provider(const igny8_resolution *r) { return r ? r->model.row.provider : NULL; }
const char *igny8_resolution_integration(const igny8_resolution *r) { return r ? r->model.row.integration : NULL; }
int igny8_resolution_model_type(const igny8_resolution *r) { return r ? r->model.row.model_type : 0; }
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
/* The key is opened on first use, not at resolve time: a resolve that never asks for it
 * costs no decryption, and the plain key exists only in resolutions that need it. */
const char *igny8_resolution_api_key(const igny8_resolution *r)
{
    if (r == NULL || r->stored_key == NULL)
        return NULL;
    igny8_resolution *m = (igny8_resolution *)r;
    igny8__store_lock(r->st);
    if (m->api_key == NULL && igny8__keys_reveal(r->st, r->key_account, r->key_integration, r->stored_key,
                                                 &m->api_key) != IGNY8_OK)
        m->api_key = NULL;
    char *key = m->api_key;
    igny8__store_unlock(r->st);
    return key;
}

/* The size of the view each version knows: a caller built against an older header has a
 * smaller struct, and nothing past its end may be written. */
static const size_t view_size[] = { 0, sizeof(igny8_resolution_view) };

static int view_version_check(unsigned int version)
{
    if (version < 1 || version > IGNY8_RESOLUTION_VIEW_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "resolution view version %u is not supported (1..%u)",
                                version, IGNY8_RESOLUTION_VIEW_VERSION);
    return IGNY8_OK;
}

int igny8_resolution_view_init(igny8_resolution_view *view, unsigned int version)
{
    IGNY8__CHECK_ARG(view);
    int rc = view_version_check(version);
    if (rc != IGNY8_OK)
        return rc;
    memset(view, 0, view_size[version]);
    view->version = version;
    return IGNY8_OK;
}

/* Every field from the getters themselves, so that the view cannot drift from them. */
int igny8_resolution_view_get(const igny8_resolution *r, igny8_resolution_view *out)
{
    IGNY8__CHECK_ARG(r);
    IGNY8__CHECK_ARG(out);
    unsigned int version = out->version;
    int rc = view_version_check(version);
    if (rc != IGNY8_OK)
        return rc;
    igny8_resolution_view v = {
        version, igny8_resolution_model_type(r), igny8_resolution_model_name(r), igny8_resolution_provider(r),
        igny8_resolution_integration(r), igny8_resolution_operation(r), igny8_resolution_source(r),
        igny8_resolution_api_key_source(r), igny8_resolution_source_name(r), igny8_resolution_temperature(r),
        igny8_resolution_max_tokens(r), igny8_resolution_size(r), igny8_resolution_quality(r),
        igny8_resolution_style(r), igny8_resolution_base_url(r)
    };
    memcpy(out, &v, view_size[version]);
    return IGNY8_OK;
}
