/* get_model_for_operation: the five-level precedence of DESIGN §2 over the resolver's
 * cache (cache.h), the account's plan (access.h), the fallback chain, parameters field by
 * field, the key, and the decisions the trace shows. A resolution is one allocation: the
 * resolution, room for its fallbacks, and the decisions of its trace; the decisions are
 * made on the stack and the block allocated once they say how many fallbacks it holds.
 * Names and values point into the snapshot it holds a reference to, and into the account's
 * cache entry, which it retains when it does (an entry's rows never change). So the
 * fallbacks, which only the calls that ask for them read, are filled on first use, and
 * filling cannot fail. The trace JSON is built on first request too. */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "access.h"
#include "cache.h"
#include "json.h"
#include "model.h"
#include "settings.h"

/* What became of a candidate, and why it was skipped; a level's or a model of the chain. */
enum { ST_NOT_REACHED, ST_USED, ST_SKIPPED, ST_CHOSEN };
enum { WHY_NONE, WHY_NOT_SET, WHY_NO_PROVIDER, WHY_UNKNOWN_MODEL, WHY_WRONG_TYPE, WHY_INACTIVE,
       WHY_INTEGRATION_DISABLED, WHY_GLOBAL_INACTIVE, WHY_NOT_ALLOWED, WHY_OVER_BUDGET, WHY_UNHEALTHY, WHY_NO_KEY };
static const char *const status_names[] = { "not_reached", "used", "skipped", "chosen" };
static const char *const reason_names[] = {
    NULL, "not_set", "no_provider", "unknown_model", "wrong_type", "inactive", "integration_disabled",
    "global_inactive", "not_allowed", "over_budget", "unhealthy", "no_key"
};

typedef struct decision {
    int64_t failed_at;       /* unhealthy: when its integration's test failed */
    int model;               /* its index in the snapshot; -1 none, -2 a name it lacks */
    unsigned char status, reason, failed_class;
} decision;

/* The resolution's own trace data; its fallbacks have none. */
typedef struct why {
    decision levels[6];
    decision chain[IGNY8_FALLBACK_CHAIN_MAX];
    size_t n_chain;
    const char *chain_source;        /* "account", "platform", or NULL: none */
    const char *group;               /* the account's plan */
    double max_cost_per_1k_tokens, max_cost_per_image;
    unsigned int unhealthy_window_s; /* 0: unhealthy integrations were not skipped */
    int operation;                   /* its index in the snapshot */
    unsigned char used[IGNY8_FALLBACK_CHAIN_MAX];  /* the fallbacks' positions in the chain */
} why;

enum { FALLBACKS_EMPTY, FALLBACKS_FILLING, FALLBACKS_READY };

struct igny8_resolution {
    igny8__snapshot *snap;   /* a fallback's is its resolution's, not a reference of its own */
    const igny8__account *account;  /* retained when the resolution points into it, else NULL */
    const igny8_resolution *parent;  /* a fallback: the resolution that owns it; else NULL */
    why *why;                /* the resolution's; NULL in a fallback */
    igny8_resolution *fallbacks;
    size_t n_fallbacks;
    int fallbacks_state;     /* atomic: FALLBACKS_*; the array is garbage until READY */
    int position;            /* a fallback's position in the chain */
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
    int borrows;             /* a value points into the account's entry */
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
    igny8_store *st;
    int64_t account_id;
    int operation, type, provider;  /* provider: the account's integration P for the type, -1 none */
    int own_provider;               /* P is the account's own choice */
    int64_t now_ms, window_ms;      /* window 0: the health of integrations is not asked */
} resolve_ctx;

/* The candidate model of a level: an index, -1 when the level has none, -2 when the name
 * is not in the registry. */
static int candidate(const resolve_ctx *c, int level, int operation, const char *request)
{
    const igny8__account_row *row;
    switch (level) {
    case IGNY8_SOURCE_REQUEST: {
        int m = igny8__snapshot_model(c->s, request);
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
    const igny8__account_test *own = source == IGNY8_KEY_ACCOUNT
                                     ? igny8__snapshot_account_test(c->s, c->account_id, integ) : NULL;
    d->failed_at = source != IGNY8_KEY_ACCOUNT ? c->s->failed_at[integ] : own ? own->failed_at : 0;
    d->failed_class = (unsigned char)(source != IGNY8_KEY_ACCOUNT ? c->s->failed_class[integ]
                                                                 : own ? own->failed_class : 0);
    return d->failed_at > 0 && c->now_ms - d->failed_at <= c->window_ms;
}

/* Why a candidate cannot be used (WHY_*), or WHY_NONE when it can. */
static int unusable(const resolve_ctx *c, int level, int m, decision *d)
{
    if (m == -2)
        return WHY_UNKNOWN_MODEL;
    const igny8__model_row *model = &c->s->models[m];
    int integ = c->s->model_integration[m];
    const igny8__account_row *row = igny8__account_row_of(c->a, integ);
    if (model->model_type != c->type) return WHY_WRONG_TYPE;
    if (!model->is_active) return WHY_INACTIVE;
    if (row && !row->enabled) return WHY_INTEGRATION_DISABLED;
    if (level == IGNY8_SOURCE_GLOBAL_DEFAULT && !c->s->global_active) return WHY_GLOBAL_INACTIVE;
    if (!allowed(c, m)) return WHY_NOT_ALLOWED;
    if (c->x && igny8__access_over_budget(model, c->x->max_cost_per_1k_tokens, c->x->max_cost_per_image))
        return WHY_OVER_BUDGET;
    if (c->window_ms && unhealthy(c, integ, d)) return WHY_UNHEALTHY;
    return WHY_NONE;
}

static int request_error(const resolve_ctx *c, const char *request, const decision *d)
{
    static const char *const why_not[] = {
        [WHY_UNKNOWN_MODEL] = "it is not in the registry",
        [WHY_WRONG_TYPE] = "it is of another model type than the operation",
        [WHY_INACTIVE] = "it is inactive",
        [WHY_INTEGRATION_DISABLED] = "its integration is disabled for the account",
        [WHY_NOT_ALLOWED] = "the account's access group and own models do not allow it",
        [WHY_OVER_BUDGET] = "it costs more than the account's ceiling",
    };
    if (d->reason != WHY_UNHEALTHY)
        return igny8__error_set(IGNY8_EINVAL, "model", "requested model '%.64s' cannot be used: %s", request,
                                why_not[d->reason]);
    const char *cls = igny8__class_name(d->failed_class);
    return igny8__error_set(IGNY8_EINVAL, "model", "requested model '%.64s' cannot be used: its integration's last "
                            "connection test failed (%s) %lld s ago", request, cls ? cls : "unknown",
                            (long long)((c->now_ms - d->failed_at) / 1000));
}

/* Walk the five levels; *chosen is the model's index. */
static int choose(const resolve_ctx *c, const char *request, why *w, int *source, int *chosen)
{
    *chosen = -1;
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++) {
        decision *d = &w->levels[level];
        d->model = -1;
        d->status = ST_NOT_REACHED;
        d->reason = WHY_NONE;
        if (*chosen >= 0)
            continue;
        int m = candidate(c, level, c->operation, request);
        d->model = m;
        d->reason = (unsigned char)(m == -1 ? ((level == 3 || level == 4) && c->provider < 0 ? WHY_NO_PROVIDER
                                                                                             : WHY_NOT_SET)
                                            : unusable(c, level, m, d));
        if (d->reason && level == IGNY8_SOURCE_REQUEST && request)
            return request_error(c, request, d);
        d->status = d->reason ? ST_SKIPPED : ST_USED;
        if (!d->reason) {
            *chosen = m;
            *source = level;
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
static void walk_chain(const resolve_ctx *c, why *w, int *source, int *chosen, int *used, size_t *n_used)
{
    int models[IGNY8_FALLBACK_CHAIN_MAX];
    w->n_chain = chain_of(c, c->operation, models, &w->chain_source);
    *n_used = 0;
    for (size_t i = 0; i < w->n_chain; i++) {
        decision *d = &w->chain[i];
        int m = models[i], key_source = IGNY8_KEY_NONE, from_key_from = 0;
        d->model = m;
        d->reason = (unsigned char)(m == *chosen ? WHY_NONE : unusable(c, 0, m, d));
        if (!d->reason && m != *chosen && !key_for(c, c->s->model_integration[m], &key_source, &from_key_from))
            d->reason = WHY_NO_KEY;
        d->status = d->reason ? ST_SKIPPED : m == *chosen || *chosen < 0 ? ST_CHOSEN : ST_USED;
        if (!d->reason && *chosen < 0) {
            *chosen = m;
            *source = IGNY8_SOURCE_FALLBACK;
        } else if (!d->reason && m != *chosen) {
            used[(*n_used)++] = (int)i;
        }
    }
}

/* The model m, its parameters, the max_tokens cap, the base URL and the key: pointers into
 * the snapshot, the built-in defaults, or the account's entry (r->borrows says so). */
static void settings(const resolve_ctx *c, igny8_resolution *r, int m)
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
    r->capped_from = 0;
    if (r->model.row.max_output_tokens > 0 && r->max_tokens > r->model.row.max_output_tokens) {
        r->capped_from = r->max_tokens;
        r->max_tokens = r->model.row.max_output_tokens;
    }
    r->source_temperature = p.source_temperature;
    r->source_max_tokens = p.source_max_tokens;
    r->source_size = p.source_size;
    r->source_quality = p.source_quality;
    r->source_style = p.source_style;
    r->size = p.size;
    r->quality = p.quality;
    r->style = p.style;
    r->base_url = platform->base_url;
    int from_key_from = 0;
    r->stored_key = key_for(c, integ, &r->key_source, &from_key_from);
    r->key_account = r->key_source == IGNY8_KEY_ACCOUNT ? r->account_id : 0;
    r->key_integration = from_key_from ? c->s->integrations[c->s->integration_key_from[integ]].name : platform->name;
    r->borrows = r->key_source == IGNY8_KEY_ACCOUNT || (row && (row->params.size || row->params.quality ||
                                                                 row->params.style));
}

/* What one resolution owns besides its block: the key once opened, the trace. */
static void free_owned(igny8_resolution *r)
{
    igny8__free_secret(r->api_key);
    igny8__free(__atomic_load_n(&r->trace, __ATOMIC_ACQUIRE));
}

/* The resolution of model m (the chosen one, or a fallback of parent), in place. Every
 * field is set here or in settings(), none by a memset: a resolve fills up to nine of
 * these, and clearing 344 bytes each was most of a fallback's cost. */
static void fill(const resolve_ctx *c, igny8_resolution *r, const igny8_resolution *parent, int m, int source)
{
    r->snap = (igny8__snapshot *)c->s;
    r->account = NULL;
    r->parent = parent;
    r->why = NULL;
    r->fallbacks = NULL;
    r->n_fallbacks = 0;
    r->fallbacks_state = FALLBACKS_EMPTY;
    r->position = 0;
    r->st = c->st;
    r->api_key = NULL;
    r->trace = NULL;
    r->account_id = c->account_id;
    r->operation = c->s->operation_names[c->operation];
    r->type = c->type;
    r->source = source;
    r->global_active = c->s->global_active;
    r->integration_name = parent ? c->s->integrations[c->s->model_integration[m]].name
                        : c->provider >= 0 ? c->s->integrations[c->provider].name : NULL;
    r->integration_source = parent ? NULL : c->own_provider ? "account" : c->provider >= 0 ? "platform" : NULL;
    settings(c, r, m);
}

/* The fallbacks, filled by the first call that reads them; a call that meets another
 * filling waits for it (a few hundred nanoseconds of plain assignments). */
static void fallbacks_ready(const igny8_resolution *r)
{
    igny8_resolution *w = (igny8_resolution *)r;  /* the fallbacks are a cache of immutable data */
    int state = FALLBACKS_EMPTY;
    if (r->n_fallbacks == 0 || __atomic_load_n(&r->fallbacks_state, __ATOMIC_ACQUIRE) == FALLBACKS_READY)
        return;
    if (__atomic_compare_exchange_n(&w->fallbacks_state, &state, FALLBACKS_FILLING, 0, __ATOMIC_ACQUIRE,
                                    __ATOMIC_ACQUIRE)) {
        resolve_ctx c = { r->snap, r->account, r->account ? r->account->x : NULL, r->st, r->account_id,
                          r->why->operation, r->type, -1, 0, 0, 0 };
        for (size_t i = 0; i < r->n_fallbacks; i++) {
            fill(&c, &w->fallbacks[i], r, r->why->chain[r->why->used[i]].model, IGNY8_SOURCE_FALLBACK);
            w->fallbacks[i].position = r->why->used[i];
        }
        __atomic_store_n(&w->fallbacks_state, FALLBACKS_READY, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&r->fallbacks_state, __ATOMIC_ACQUIRE) != FALLBACKS_READY)
        sched_yield();
}

/* The block: the resolution, room for its n fallbacks, and its trace's decisions (w,
 * copied). It retains the account's entry when it points into it or has fallbacks. */
static int make_block(const resolve_ctx *c, const why *w, int m, int source, size_t n, igny8_resolution **out)
{
    igny8_resolution *r = igny8__malloc(sizeof(*r) * (1 + n) + sizeof(why));
    if (r == NULL)
        return igny8__error_oom();
    fill(c, r, NULL, m, source);
    r->why = (why *)(r + 1 + n);
    memcpy(r->why, w, sizeof(*w));
    r->fallbacks = n ? r + 1 : NULL;
    r->n_fallbacks = n;
    if (c->a && (r->borrows || n)) {
        igny8__account_retain(c->a);
        r->account = c->a;
    }
    *out = r;
    return IGNY8_OK;
}

/* The account's plan and the health option, for the walk and the trace. */
static void plan_of(resolve_ctx *c, why *w, const igny8_resolve_options *o)
{
    c->x = c->a ? c->a->x : NULL;
    w->group = c->x && c->x->group >= 0 ? c->s->group_names[c->x->group] : NULL;
    w->max_cost_per_1k_tokens = c->x ? c->x->max_cost_per_1k_tokens : NAN;
    w->max_cost_per_image = c->x ? c->x->max_cost_per_image : NAN;
    w->unhealthy_window_s = 0;
    if (o->flags & IGNY8_RESOLVE_SKIP_UNHEALTHY) {
        w->unhealthy_window_s = o->unhealthy_window_s ? o->unhealthy_window_s : IGNY8_UNHEALTHY_WINDOW_DEFAULT_S;
        c->window_ms = (int64_t)w->unhealthy_window_s * 1000;
        c->now_ms = igny8__now_ms();
    }
}

/* Under the store lock, from the cache: the decisions, then the resolution. snap: the
 * cache's reference, which the resolution keeps. */
static int resolve(resolve_ctx *c, const char *operation, const char *request, const igny8_resolve_options *o,
                   igny8_resolution **out)
{
    why w;
    int m = -1, source = 0, used[IGNY8_FALLBACK_CHAIN_MAX], rc;
    size_t n_used = 0;
    w.operation = -1;
    w.operation = c->operation = igny8__snapshot_operation(c->s, operation);
    if (c->operation < 0)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "operation '%.64s' is not known", operation);
    plan_of(c, &w, o);
    c->type = c->s->operation_types[c->operation];
    int own = c->a ? c->a->provider[c->type] : -1;
    c->own_provider = own >= 0;
    c->provider = own >= 0 ? own : c->s->type_integration[c->type];
    if ((rc = choose(c, request, &w, &source, &m)) != IGNY8_OK)
        return rc;
    walk_chain(c, &w, &source, &m, used, &n_used);
    if (m < 0)
        return igny8__error_set(IGNY8_ENOTFOUND, "operation", "no usable %s model for operation '%s': every level "
                                "and fallback was skipped", igny8_model_type_name(c->type), operation);
    for (size_t i = 0; i < n_used; i++)
        w.used[i] = (unsigned char)used[i];
    return make_block(c, &w, m, source, n_used, out);
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
    igny8__snapshot *snap = NULL;
    igny8__account *a = NULL;
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(operation);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = read_options(&o, opts);
    if (rc != IGNY8_OK)
        return rc;
    igny8__store_lock(st);
    rc = igny8__cache_get(st, account_id, &snap, &a);
    if (rc == IGNY8_OK) {
        resolve_ctx c = { snap, a, NULL, st, account_id, -1, 0, -1, 0, 0, 0 };
        rc = resolve(&c, operation, request_model, &o, out);  /* a usable request is in the snapshot */
    }
    igny8__store_unlock(st);
    if (rc != IGNY8_OK)
        igny8__snapshot_release(snap);
    return rc;
}

int igny8_get_model_for_operation(igny8_store *st, int64_t account_id, const char *operation,
                                  const char *request_model, igny8_resolution **out)
{
    return igny8_get_model_for_operation_v2(st, account_id, operation, request_model, NULL, out);
}

void igny8_resolution_free(igny8_resolution *r)
{
    if (r == NULL || r->parent != NULL)
        return;
    if (__atomic_load_n(&r->fallbacks_state, __ATOMIC_ACQUIRE) == FALLBACKS_READY)
        for (size_t i = 0; i < r->n_fallbacks; i++)
            free_owned(&r->fallbacks[i]);
    free_owned(r);
    igny8__account_release(r->account);
    igny8__snapshot_release(r->snap);
    igny8__free(r);
}

size_t igny8_resolution_fallback_count(const igny8_resolution *r) { return r ? r->n_fallbacks : 0; }

const igny8_resolution *igny8_resolution_fallback_at(const igny8_resolution *r, size_t i)
{
    if (r == NULL || i >= r->n_fallbacks)
        return NULL;
    fallbacks_ready(r);
    return &r->fallbacks[i];
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
    cJSON *o = igny8__json_attach(arr, NULL, cJSON_CreateObject());
    if (level)
        igny8__json_add_str(o, "level", level);
    igny8__json_add_str(o, level ? "candidate" : "model", d->model >= 0 ? r->snap->models[d->model].model_name : NULL);
    igny8__json_add_str(o, "status", status_names[d->status]);
    if (d->status == ST_SKIPPED)
        igny8__json_add_str(o, "reason", reason_names[d->reason]);
    if (d->model >= 0)
        trace_cost(o, &r->snap->models[d->model]);
    if (d->reason == WHY_UNHEALTHY) {
        char at[IGNY8__TIME_LEN];
        igny8__ms_to_iso(d->failed_at, at);
        cJSON *t = igny8__json_add_object(o, "last_test");
        igny8__json_add_str(t, "failed_at", at);
        igny8__json_add_str(t, "error_class", igny8__class_name(d->failed_class));
    }
}

static void trace_plan(const why *w, cJSON *t)
{
    cJSON *access = igny8__json_add_object(t, "access");
    igny8__json_add_str(access, "group", w->group);
    igny8__json_add_num(access, "max_cost_per_1k_tokens", w->max_cost_per_1k_tokens);
    igny8__json_add_num(access, "max_cost_per_image", w->max_cost_per_image);
    igny8__json_add_bool(t, "skip_unhealthy", w->unhealthy_window_s > 0);
    if (w->unhealthy_window_s)
        igny8__json_add_int(t, "unhealthy_window_s", w->unhealthy_window_s);
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
    igny8__json_add_str(t, "fallback_chain", r->parent->why->chain_source);
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
    const why *w = r->why;
    cJSON *t = cJSON_CreateObject();
    igny8__json_add_str(t, "operation", r->operation);
    igny8__json_add_str(t, "model_type", igny8_model_type_name(r->type));
    igny8__json_add_int(t, "account_id", r->account_id);
    igny8__json_add_str(t, "integration", r->integration_name);
    igny8__json_add_str(t, "integration_source", r->integration_source);
    igny8__json_add_bool(t, "global_active", r->global_active);
    trace_plan(w, t);
    cJSON *levels = igny8__json_add_array(t, "levels");
    for (int level = IGNY8_SOURCE_REQUEST; level <= IGNY8_SOURCE_SYSTEM_DEFAULT; level++)
        trace_decision(r, levels, level_names[level], &w->levels[level]);
    igny8__json_add_str(t, "model", r->model.row.model_name);
    igny8__json_add_str(t, "source", level_names[r->source]);
    trace_parameters(r, t);
    igny8__json_add_str(t, "api_key_source", key_sources[r->key_source]);
    igny8__json_add_str(t, "fallback_chain", w->chain_source);
    cJSON *chain = igny8__json_add_array(t, "fallbacks");
    for (size_t i = 0; i < w->n_chain; i++)
        trace_decision(r, chain, NULL, &w->chain[i]);
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
        fallbacks_ready(r);
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
