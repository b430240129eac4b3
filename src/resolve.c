/* get_model_for_operation: the five-level precedence of DESIGN §2 over the resolver's
 * cache (cache.h), parameters field by field, the key, and the decisions the trace shows.
 * A resolution is one allocation: the model, names and platform values point into the
 * snapshot it holds a reference to; only what came from the account's entry is copied.
 * The trace JSON is built on first request. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "access.h"
#include "cache.h"
#include "json.h"
#include "model.h"
#include "settings.h"

enum { OWN_SIZE = 1, OWN_QUALITY = 2, OWN_STYLE = 4, OWN_KEY = 8 };

/* What became of one candidate: a level's, or a model of the fallback chain. */
typedef struct decision {
    const char *candidate;   /* NULL: none */
    const char *status;      /* levels: "used", "skipped", "not_reached"; chain: "chosen", "used", "skipped" */
    const char *reason;      /* for skipped */
    int model;               /* its index in the snapshot; -1 none, -2 unknown */
    int64_t failed_at;       /* unhealthy: when its integration's test failed */
    int failed_class;
} decision;

struct igny8_resolution {
    igny8__snapshot *snap;   /* a fallback's is its resolution's, not a reference of its own */
    const igny8_resolution *parent;  /* a fallback: the resolution that owns it; else NULL */
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
    decision levels[6];
    /* the account's plan, as the trace shows it */
    const char *group;
    double max_cost_per_1k_tokens, max_cost_per_image;
    unsigned int unhealthy_window_s;  /* 0: unhealthy integrations were not skipped */
    /* the fallback chain: each model and what became of it; the fallbacks themselves */
    const char *chain_source;        /* "account", "platform", or NULL: none */
    size_t n_chain, n_fallbacks;
    decision chain[IGNY8_FALLBACK_CHAIN_MAX];
    igny8_resolution *fallbacks;
    int position;            /* a fallback's position in the chain */
    char *trace;             /* built on first use; set atomically */
};

static const char *const level_names[] = {
    NULL, "request", "account_operation", "account_integration", "global_default", "system_default", "fallback"
};
static const char *const key_sources[] = { "none", "account", "global" };

typedef struct {
    const igny8__snapshot *s;
    const igny8__account *a;
    const igny8__account_extra *x;  /* the account's plan and chains, or NULL */
    int type, provider;      /* the account's integration P for the type, -1 none */
    int64_t now_ms, window_ms;      /* window 0: the health of integrations is not asked */
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

/* Whether the account's plan lets it use model m (access.h's rule). */
static int allowed(const resolve_ctx *c, int m)
{
    const igny8__account_extra *x = c->x;
    if (x == NULL)
        return 1;
    int rule = IGNY8_ACCESS_INHERIT;
    for (size_t i = 0; i < x->n_rules; i++)
        if (x->rules[i].model == m)
            rule = x->rules[i].rule;
    int in_group = x->group >= 0 &&
                   (c->s->group_bits[(size_t)x->group * c->s->group_words + (size_t)m / 64] >> (m % 64)) & 1;
    return igny8__access_allows(rule, x->group != -1, in_group);
}

/* The stored key an integration's requests would carry (one of the rows', or NULL). */
static const char *key_for(const resolve_ctx *c, int integ, int *source, int *from_key_from)
{
    int from = c->s->integration_key_from[integ];
    const igny8__account_row *row = igny8__account_row_of(c->a, integ);
    const igny8__account_row *from_row = from >= 0 ? igny8__account_row_of(c->a, from) : NULL;
    return igny8__key_choose(row ? row->api_key : NULL, from_row ? from_row->api_key : NULL,
                             c->s->integrations[integ].api_key, from >= 0 ? c->s->integrations[from].api_key : NULL,
                             c->s->global_active, source, from_key_from);
}

/* Whether the last test of the key integ's requests would carry failed within the window:
 * the account's own key's test, else the platform's. */
static int unhealthy(const resolve_ctx *c, int integ, decision *d)
{
    int source = IGNY8_KEY_NONE, from_key_from = 0;
    key_for(c, integ, &source, &from_key_from);
    d->failed_at = source == IGNY8_KEY_ACCOUNT ? 0 : c->s->failed_at[integ];
    d->failed_class = source == IGNY8_KEY_ACCOUNT ? 0 : c->s->failed_class[integ];
    for (size_t i = 0; source == IGNY8_KEY_ACCOUNT && c->x && i < c->x->n_health; i++)
        if (c->x->health[i].integration == integ) {
            d->failed_at = c->x->health[i].failed_at;
            d->failed_class = c->x->health[i].failed_class;
        }
    return d->failed_at > 0 && c->now_ms - d->failed_at <= c->window_ms;
}

/* Why a candidate cannot be used, or NULL when it can. */
static const char *unusable(const resolve_ctx *c, int level, int m, decision *d)
{
    if (m == -2)
        return "unknown_model";
    const igny8__model_row *model = &c->s->models[m];
    int integ = c->s->model_integration[m];
    const igny8__account_row *row = igny8__account_row_of(c->a, integ);
    if (model->model_type != c->type) return "wrong_type";
    if (!model->is_active) return "inactive";
    if (row && !row->enabled) return "integration_disabled";
    if (level == IGNY8_SOURCE_GLOBAL_DEFAULT && !c->s->global_active) return "global_inactive";
    if (!allowed(c, m)) return "not_allowed";
    if (c->x && igny8__access_over_budget(model, c->x->max_cost_per_1k_tokens, c->x->max_cost_per_image))
        return "over_budget";
    if (c->window_ms && unhealthy(c, integ, d)) return "unhealthy";
    return NULL;
}

static int request_error(const resolve_ctx *c, const char *request, const decision *d)
{
    static const char *const why[][2] = {
        { "unknown_model", "it is not in the registry" },
        { "wrong_type", "it is of another model type than the operation" },
        { "inactive", "it is inactive" },
        { "integration_disabled", "its integration is disabled for the account" },
        { "not_allowed", "the account's access group and own models do not allow it" },
        { "over_budget", "it costs more than the account's ceiling" },
    };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(why); i++)
        if (strcmp(d->reason, why[i][0]) == 0)
            return igny8__error_set(IGNY8_EINVAL, "model", "requested model '%.64s' cannot be used: %s", request,
                                    why[i][1]);
    return igny8__error_set(IGNY8_EINVAL, "model", "requested model '%.64s' cannot be used: its integration's last "
                            "connection test failed (%s) %lld s ago", request,
                            igny8__class_name(d->failed_class) ? igny8__class_name(d->failed_class) : "unknown",
                            (long long)((c->now_ms - d->failed_at) / 1000));
}

/* Walk the five levels; *chosen is the model's index. */
static int choose(const resolve_ctx *c, int operation, const char *request, igny8_resolution *r, int *chosen)
{
    *chosen = -1;
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++) {
        decision *d = &r->levels[level];
        const char *name = NULL;
        if (*chosen >= 0) {
            d->status = "not_reached";
            d->model = -1;
            continue;
        }
        int m = candidate(c, level, operation, request, &name);
        d->model = m;
        d->candidate = m >= 0 ? c->s->models[m].model_name : name;
        d->reason = m == -1 ? ((level == 3 || level == 4) && c->provider < 0 ? "no_provider" : "not_set")
                            : unusable(c, level, m, d);
        if (d->reason && level == IGNY8_SOURCE_REQUEST && request)
            return request_error(c, request, d);
        d->status = d->reason ? "skipped" : "used";
        if (!d->reason) {
            *chosen = m;
            r->source = level;
        }
    }
    return IGNY8_OK;
}

/* The models of the operation's chain: the account's own, else the platform's. */
static size_t chain_of(const resolve_ctx *c, int operation, int models[IGNY8_FALLBACK_CHAIN_MAX], const char **source)
{
    size_t n = 0;
    int own = 0;
    *source = NULL;
    for (size_t i = 0; c->x && i < c->x->n_chain; i++)
        if (c->x->chain[i].operation == operation) {
            own = 1;
            if (c->x->chain[i].model != -1 && n < IGNY8_FALLBACK_CHAIN_MAX)
                models[n++] = c->x->chain[i].model;
        }
    if (own) {
        *source = "account";
        return n;
    }
    for (int i = 0; i < c->s->chain_count[operation] && n < IGNY8_FALLBACK_CHAIN_MAX; i++)
        models[n++] = c->s->chain_models[c->s->chain_first[operation] + i];
    *source = n ? "platform" : NULL;
    return n;
}

/* Each model of the chain: the resolution's model already ("chosen"), usable with a key
 * ("used", a fallback; the first is the model when no level gave one), or skipped. */
static void walk_chain(const resolve_ctx *c, int operation, igny8_resolution *r, int *chosen, int *used, size_t *n_used)
{
    int models[IGNY8_FALLBACK_CHAIN_MAX];
    r->n_chain = chain_of(c, operation, models, &r->chain_source);
    *n_used = 0;
    for (size_t i = 0; i < r->n_chain; i++) {
        decision *d = &r->chain[i];
        int m = models[i], source = IGNY8_KEY_NONE, from_key_from = 0;
        d->model = m;
        d->candidate = m >= 0 ? c->s->models[m].model_name : NULL;
        d->reason = m == *chosen ? NULL : unusable(c, 0, m, d);
        if (!d->reason && m != *chosen && !key_for(c, c->s->model_integration[m], &source, &from_key_from))
            d->reason = "no_key";
        d->status = d->reason ? "skipped" : m == *chosen || *chosen < 0 ? "chosen" : "used";
        if (!d->reason && *chosen < 0) {
            *chosen = m;
            r->source = IGNY8_SOURCE_FALLBACK;
        } else if (!d->reason && m != *chosen) {
            used[(*n_used)++] = (int)i;
        }
    }
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

/* The model m, its parameters, the max_tokens cap, the base URL and the key. */
static int settings(const resolve_ctx *c, igny8_resolution *r, int m)
{
    int integ = c->s->model_integration[m];
    const igny8__integ_row *platform = &c->s->integrations[integ];
    const igny8__account_row *row = igny8__account_row_of(c->a, integ);
    igny8__param_values pv;
    igny8__params p;
    r->model.row = c->s->models[m];
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
    const char *key = key_for(c, integ, &r->key_source, &from_key_from);
    r->key_account = r->key_source == IGNY8_KEY_ACCOUNT ? r->account_id : 0;
    r->key_integration = from_key_from ? c->s->integrations[c->s->integration_key_from[integ]].name : platform->name;
    int rc = param_str(r, &r->stored_key, key, r->key_source == IGNY8_KEY_ACCOUNT ? "account" : NULL, OWN_KEY);
    if (rc == IGNY8_OK) rc = param_str(r, &r->size, p.size, p.source_size, OWN_SIZE);
    if (rc == IGNY8_OK) rc = param_str(r, &r->quality, p.quality, p.source_quality, OWN_QUALITY);
    if (rc == IGNY8_OK) rc = param_str(r, &r->style, p.style, p.source_style, OWN_STYLE);
    return rc;
}

/* The usable models of the chain (used: their positions in it) as resolutions of their own. */
static int make_fallbacks(const resolve_ctx *c, igny8_resolution *r, const int *used, size_t n)
{
    if (n == 0)
        return IGNY8_OK;
    if ((r->fallbacks = igny8__calloc(n, sizeof(*r->fallbacks))) == NULL)
        return igny8__error_oom();
    int rc = IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < n; i++) {
        igny8_resolution *f = &r->fallbacks[i];
        r->n_fallbacks++;
        f->snap = r->snap;
        f->parent = r;
        f->st = r->st;
        f->account_id = r->account_id;
        f->operation = r->operation;
        f->type = r->type;
        f->source = IGNY8_SOURCE_FALLBACK;
        f->global_active = r->global_active;
        f->integration_name = c->s->integrations[c->s->model_integration[r->chain[used[i]].model]].name;
        f->position = used[i];
        rc = settings(c, f, r->chain[used[i]].model);
    }
    return rc;
}

/* The account's plan and the health option, for the walk and the trace. */
static void plan_of(resolve_ctx *c, igny8_resolution *r, const igny8_resolve_options *o)
{
    c->x = c->a ? c->a->x : NULL;
    r->group = c->x && c->x->group >= 0 ? c->s->group_names[c->x->group] : NULL;
    r->max_cost_per_1k_tokens = c->x ? c->x->max_cost_per_1k_tokens : NAN;
    r->max_cost_per_image = c->x ? c->x->max_cost_per_image : NAN;
    if (o->flags & IGNY8_RESOLVE_SKIP_UNHEALTHY) {
        r->unhealthy_window_s = o->unhealthy_window_s ? o->unhealthy_window_s : IGNY8_UNHEALTHY_WINDOW_DEFAULT_S;
        c->window_ms = (int64_t)r->unhealthy_window_s * 1000;
        c->now_ms = igny8__now_ms();
    }
}

/* Under the store lock: everything the resolution needs, from the cache. */
static int resolve(igny8_store *st, int64_t account_id, const char *operation, const char *request,
                   const igny8_resolve_options *o, igny8_resolution *r)
{
    igny8__account *a = NULL;
    int rc = igny8__cache_get(st, account_id, &r->snap, &a);
    if (rc != IGNY8_OK)
        return rc;
    resolve_ctx c = { r->snap, a, NULL, 0, -1, 0, 0 };
    int op = igny8__snapshot_operation(c.s, operation), m = -1, used[IGNY8_FALLBACK_CHAIN_MAX];
    size_t n_used = 0;
    if (op < 0)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "operation '%.64s' is not known", operation);
    plan_of(&c, r, o);
    r->operation = c.s->operation_names[op];
    r->type = c.type = c.s->operation_types[op];
    int own = a ? a->provider[c.type] : -1;
    c.provider = own >= 0 ? own : c.s->type_integration[c.type];
    r->integration_name = c.provider >= 0 ? c.s->integrations[c.provider].name : NULL;
    r->integration_source = own >= 0 ? "account" : c.provider >= 0 ? "platform" : NULL;
    r->global_active = c.s->global_active;
    if ((rc = choose(&c, op, request, r, &m)) != IGNY8_OK)
        return rc;
    walk_chain(&c, op, r, &m, used, &n_used);
    if (m < 0)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "no usable %s model for operation '%s': every level "
                                "and fallback was skipped", igny8_model_type_name(c.type), operation);
    rc = settings(&c, r, m);
    return rc == IGNY8_OK ? make_fallbacks(&c, r, used, n_used) : rc;
}

static const size_t resolve_options_size[] = { 0, sizeof(igny8_resolve_options) };

int igny8_resolve_options_init(igny8_resolve_options *opts, unsigned int version)
{
    IGNY8__CHECK_ARG(opts);
    if (version < 1 || version > IGNY8_RESOLVE_OPTIONS_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "resolve options version %u is not supported (1..%u)",
                                version, IGNY8_RESOLVE_OPTIONS_VERSION);
    memset(opts, 0, resolve_options_size[version]);
    opts->version = version;
    return IGNY8_OK;
}

static int read_options(igny8_resolve_options *o, const igny8_resolve_options *given)
{
    igny8_resolve_options_init(o, IGNY8_RESOLVE_OPTIONS_VERSION);
    int rc = given ? igny8__options_copy(o, given, resolve_options_size, IGNY8_RESOLVE_OPTIONS_VERSION,
                                         "resolve options") : IGNY8_OK;
    if (rc == IGNY8_OK && (o->flags & ~IGNY8_RESOLVE_SKIP_UNHEALTHY))
        return igny8__error_set(IGNY8_EINVAL, "flags", "resolve flags 0x%x are not known", (unsigned)o->flags);
    if (rc == IGNY8_OK && o->unhealthy_window_s > IGNY8_UNHEALTHY_WINDOW_MAX_S)
        return igny8__error_set(IGNY8_EINVAL, "unhealthy_window_s", "unhealthy_window_s %u is above %u",
                                o->unhealthy_window_s, IGNY8_UNHEALTHY_WINDOW_MAX_S);
    return rc;
}

int igny8_get_model_for_operation_v2(igny8_store *st, int64_t account_id, const char *operation,
                                     const char *request_model, const igny8_resolve_options *opts,
                                     igny8_resolution **out)
{
    igny8_resolve_options o;
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(operation);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = read_options(&o, opts);
    if (rc != IGNY8_OK)
        return rc;
    igny8_resolution *r = igny8__calloc(1, sizeof(*r));
    if (r == NULL)
        return igny8__error_oom();
    r->account_id = account_id;
    r->st = st;
    r->temperature = NAN;
    igny8__store_lock(st);
    rc = resolve(st, account_id, operation, request_model, &o, r);  /* a usable request is in the snapshot */
    igny8__store_unlock(st);
    if (rc != IGNY8_OK) {
        igny8_resolution_free(r);
        return rc;
    }
    *out = r;
    return IGNY8_OK;
}

int igny8_get_model_for_operation(igny8_store *st, int64_t account_id, const char *operation,
                                  const char *request_model, igny8_resolution **out)
{
    return igny8_get_model_for_operation_v2(st, account_id, operation, request_model, NULL, out);
}

/* The strings and key one resolution owns (not its fallbacks, nor the struct). */
static void free_owned(igny8_resolution *r)
{
    if (r->owned & OWN_KEY) igny8__free_secret((char *)r->stored_key);
    igny8__free_secret(r->api_key);
    if (r->owned & OWN_SIZE) igny8__free((char *)r->size);
    if (r->owned & OWN_QUALITY) igny8__free((char *)r->quality);
    if (r->owned & OWN_STYLE) igny8__free((char *)r->style);
    igny8__free(__atomic_load_n(&r->trace, __ATOMIC_ACQUIRE));
}

void igny8_resolution_free(igny8_resolution *r)
{
    if (r == NULL || r->parent != NULL)
        return;
    for (size_t i = 0; i < r->n_fallbacks; i++)
        free_owned(&r->fallbacks[i]);
    igny8__free(r->fallbacks);
    free_owned(r);
    igny8__snapshot_release(r->snap);
    igny8__free(r);
}

size_t igny8_resolution_fallback_count(const igny8_resolution *r) { return r ? r->n_fallbacks : 0; }

const igny8_resolution *igny8_resolution_fallback_at(const igny8_resolution *r, size_t i)
{
    return r && i < r->n_fallbacks ? &r->fallbacks[i] : NULL;
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

/* What a model costs, as a ceiling compares it: per 1k tokens in and out, or per image. */
static void trace_cost(cJSON *o, const igny8__model_row *m)
{
    cJSON *cost = igny8__json_add_object(o, "estimated_cost");
    if (m->model_type == IGNY8_MODEL_IMAGE) {
        igny8__json_add_num(cost, "per_image", m->cost_per_image);
    } else {
        igny8__json_add_num(cost, "input_per_1k", m->input_cost_per_1k);
        igny8__json_add_num(cost, "output_per_1k", m->output_cost_per_1k);
    }
}

/* One decision: a level's (name given) or a chain model's. */
static void trace_decision(const igny8_resolution *r, cJSON *arr, const char *level, const decision *d)
{
    int reached = strcmp(d->status, "not_reached") != 0;
    cJSON *o = igny8__json_attach(arr, NULL, cJSON_CreateObject());
    if (level)
        igny8__json_add_str(o, "level", level);
    igny8__json_add_str(o, level ? "candidate" : "model", reached ? d->candidate : NULL);
    igny8__json_add_str(o, "status", d->status);
    if (d->reason && strcmp(d->status, "skipped") == 0)
        igny8__json_add_str(o, "reason", d->reason);
    if (reached && d->model >= 0)
        trace_cost(o, &r->snap->models[d->model]);
    if (d->reason && strcmp(d->reason, "unhealthy") == 0) {
        char at[IGNY8__TIME_LEN];
        igny8__ms_to_iso(d->failed_at, at);
        cJSON *t = igny8__json_add_object(o, "last_test");
        igny8__json_add_str(t, "failed_at", at);
        igny8__json_add_str(t, "error_class", igny8__class_name(d->failed_class));
    }
}

static void trace_plan(const igny8_resolution *r, cJSON *t)
{
    cJSON *access = igny8__json_add_object(t, "access");
    igny8__json_add_str(access, "group", r->group);
    igny8__json_add_num(access, "max_cost_per_1k_tokens", r->max_cost_per_1k_tokens);
    igny8__json_add_num(access, "max_cost_per_image", r->max_cost_per_image);
    igny8__json_add_bool(t, "skip_unhealthy", r->unhealthy_window_s > 0);
    if (r->unhealthy_window_s)
        igny8__json_add_int(t, "unhealthy_window_s", r->unhealthy_window_s);
}

/* A fallback's own trace: its model, place in the chain, parameters and key source. */
static cJSON *fallback_trace(const igny8_resolution *r)
{
    cJSON *t = cJSON_CreateObject();
    igny8__json_add_str(t, "operation", r->operation);
    igny8__json_add_str(t, "model_type", igny8_model_type_name(r->type));
    igny8__json_add_int(t, "account_id", r->account_id);
    igny8__json_add_str(t, "model", r->model.row.model_name);
    igny8__json_add_str(t, "source", level_names[r->source]);
    igny8__json_add_str(t, "fallback_chain", r->parent->chain_source);
    igny8__json_add_int(t, "position", r->position);
    trace_cost(t, &r->model.row);
    trace_parameters(r, t);
    igny8__json_add_str(t, "api_key_source", key_sources[r->key_source]);
    return t;
}

static cJSON *trace_tree(const igny8_resolution *r)
{
    if (r->parent)
        return fallback_trace(r);
    cJSON *t = cJSON_CreateObject();
    igny8__json_add_str(t, "operation", r->operation);
    igny8__json_add_str(t, "model_type", igny8_model_type_name(r->type));
    igny8__json_add_int(t, "account_id", r->account_id);
    igny8__json_add_str(t, "integration", r->integration_name);
    igny8__json_add_str(t, "integration_source", r->integration_source);
    igny8__json_add_bool(t, "global_active", r->global_active);
    trace_plan(r, t);
    cJSON *levels = igny8__json_add_array(t, "levels");
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++)
        trace_decision(r, levels, level_names[level], &r->levels[level]);
    igny8__json_add_str(t, "model", r->model.row.model_name);
    igny8__json_add_str(t, "source", level_names[r->source]);
    trace_parameters(r, t);
    igny8__json_add_str(t, "api_key_source", key_sources[r->key_source]);
    igny8__json_add_str(t, "fallback_chain", r->chain_source);
    cJSON *chain = igny8__json_add_array(t, "fallbacks");
    for (size_t i = 0; i < r->n_chain; i++)
        trace_decision(r, chain, NULL, &r->chain[i]);
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

/* A resolution's body: its model, parameters and key source, with its trace or not. */
static cJSON *resolution_json(const igny8_resolution *r, int with_trace)
{
    cJSON *j = cJSON_CreateObject();
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
    if (with_trace)
        igny8__json_attach(j, "trace", trace_tree(r));
    return j;
}

int igny8_resolution_to_json(const igny8_resolution *r, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(r);
    igny8__json_reset();
    cJSON *j = resolution_json(r, 1);
    if (!r->parent) {
        cJSON *fallbacks = igny8__json_add_array(j, "fallbacks");
        for (size_t i = 0; i < r->n_fallbacks; i++)
            igny8__json_attach(fallbacks, NULL, resolution_json(&r->fallbacks[i], 0));
    }
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
