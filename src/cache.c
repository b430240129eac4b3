/* The resolver's read path (cache.h): a snapshot of the platform's data, a bounded
 * cache of accounts, and the freshness check that keeps both exactly current. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "cache.h"
#include "db.h"

struct igny8__cache {
    igny8__snapshot *snap;
    struct slot { int64_t id; igny8__account *a; } *table;  /* open addressing; id 0: empty */
    size_t table_mask, count, capacity;
    igny8__account **ring;                  /* the cached accounts, in slots 0..count-1 */
    size_t hand;                            /* the clock hand: the next slot to consider */
    int64_t last_seq;
    uint64_t writes_seen;
    unsigned char token[IGNY8__CHANGE_TOKEN_BYTES];  /* the change token when last current */
    int has_token;
    int64_t log_id;                         /* the change log last_seq is a position in */
};

/* ---- the snapshot ---- */

/* The tables a snapshot is made of, in the order they are read. */
static const int table_parts[] = { IGNY8__PART_INTEGRATIONS, IGNY8__PART_MODELS, IGNY8__PART_OPERATIONS,
                                   IGNY8__PART_GROUPS, IGNY8__PART_CHAINS, IGNY8__PART_HEALTH };

/* The items of the parts that have no row struct in db.h: a group's model, a model of the
 * platform's chain of an operation (in chain order), an integration's last test. */
typedef struct pair_item { char *name, *model; } pair_item;
typedef struct health_item { char *integration; int64_t account_id, failed_at; int failed_class; } health_item;

static size_t item_size(int kind)
{
    switch (kind) {
    case IGNY8__PART_INTEGRATIONS: return sizeof(igny8__integ_row);
    case IGNY8__PART_MODELS: return sizeof(igny8__model_row);
    case IGNY8__PART_OPERATIONS: return sizeof(char *);
    case IGNY8__PART_HEALTH: return sizeof(health_item);
    default: return sizeof(pair_item);
    }
}

static void item_clear(int kind, void *item)
{
    switch (kind) {
    case IGNY8__PART_INTEGRATIONS: igny8__integ_row_clear(item); break;
    case IGNY8__PART_MODELS: igny8__model_row_clear(item); break;
    case IGNY8__PART_OPERATIONS: igny8__free(*(char **)item); break;
    case IGNY8__PART_HEALTH: igny8__free(((health_item *)item)->integration); break;
    default: igny8__free(((pair_item *)item)->name); igny8__free(((pair_item *)item)->model);
    }
}

static void part_release(igny8__snapshot_part *p)
{
    if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    for (size_t i = 0; i < p->n; i++)
        item_clear(p->kind, (char *)p->items + i * item_size(p->kind));
    igny8__free(p->items);
    igny8__free(p->types);
    igny8__free(p);
}

void igny8__snapshot_release(igny8__snapshot *s)
{
    if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    for (size_t k = 0; k < IGNY8__ARRAY_LEN(table_parts); k++)
        part_release(s->parts[table_parts[k]]);
    void *owned[] = { s->global_text, s->global_image, s->integration_key_from, s->integration_default_model,
                      s->model_integration, s->group_names, s->group_bits, s->chain_first, s->chain_count,
                      s->chain_models, s->failed_at, s->failed_class, s->account_tests };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(owned); i++)
        igny8__free(owned[i]);
    igny8__free(s);
}

static int find_sorted(const void *base, size_t n, size_t stride, size_t offset, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *key = *(const char *const *)((const char *)base + mid * stride + offset);
        int c = strcmp(name, key);
        if (c == 0)
            return (int)mid;
        if (c < 0) hi = mid; else lo = mid + 1;
    }
    return -1;
}

int igny8__snapshot_model(const igny8__snapshot *s, const char *name)
{
    return name ? find_sorted(s->models, s->n_models, sizeof(igny8__model_row),
                              offsetof(igny8__model_row, model_name), name) : -1;
}

int igny8__snapshot_integration(const igny8__snapshot *s, const char *name)
{
    return name ? find_sorted(s->integrations, s->n_integrations, sizeof(igny8__integ_row),
                              offsetof(igny8__integ_row, name), name) : -1;
}

int igny8__snapshot_operation(const igny8__snapshot *s, const char *name)
{
    return name ? find_sorted(s->operation_names, s->n_operations, sizeof(char *), 0, name) : -1;
}

int igny8__snapshot_group(const igny8__snapshot *s, const char *name)
{
    return name ? find_sorted(s->group_names, s->n_groups, sizeof(char *), 0, name) : -1;
}

const char *igny8__class_name(int error_class)
{
    static const char *const names[] = { NULL, "auth", "rate_limited", "timeout", "network", "server", "unexpected" };
    return error_class > 0 && error_class < (int)IGNY8__ARRAY_LEN(names) ? names[error_class] : NULL;
}

static int class_of(const char *name)
{
    for (int c = IGNY8__CLASS_AUTH; c <= IGNY8__CLASS_UNEXPECTED; c++)
        if (name && strcmp(name, igny8__class_name(c)) == 0)
            return c;
    return IGNY8__CLASS_UNEXPECTED;
}

/* When a failed test ran (ms since the epoch), 0 for a test that passed. */
static int64_t failed_at_of(int ok, const char *tested_at)
{
    int64_t ms = ok ? 0 : igny8__iso_to_ms(tested_at);
    return ms > 0 ? ms : 0;
}

/* Room for one more item (of size bytes; operations also a type) in the part. */
static int part_grow(igny8__snapshot_part *p, size_t size)
{
    if (p->n < p->cap)
        return IGNY8_OK;
    size_t cap = p->cap ? p->cap * 2 : 16;
    void *items = igny8__realloc(p->items, cap * size);
    if (items) p->items = items;
    int *types = p->kind == IGNY8__PART_OPERATIONS ? igny8__realloc(p->types, cap * sizeof(int)) : NULL;
    if (types) p->types = types;
    if (!items || (p->kind == IGNY8__PART_OPERATIONS && !types))
        return igny8__error_oom();
    p->cap = cap;
    return IGNY8_OK;
}

static int add_operation(void *payload, const char *name, int type, const char *description)
{
    igny8__snapshot_part *p = payload;
    IGNY8__UNUSED(description);
    int rc = part_grow(p, sizeof(char *));
    if (rc == IGNY8_OK && (((char **)p->items)[p->n] = igny8__strdup(name)) == NULL)
        rc = igny8__error_oom();
    if (rc == IGNY8_OK)
        p->types[p->n++] = type;
    return rc;
}

/* The part takes the row and its strings; the row is left zeroed, which frees nothing. */
static int take_row(igny8__snapshot_part *p, void *row, size_t size)
{
    int rc = part_grow(p, size);
    if (rc == IGNY8_OK) {
        memcpy((char *)p->items + p->n++ * size, row, size);
        memset(row, 0, size);
    }
    return rc;
}

static int add_model(void *payload, igny8__model_row *row) { return take_row(payload, row, sizeof(*row)); }
static int add_integration(void *payload, igny8__integ_row *row) { return take_row(payload, row, sizeof(*row)); }

static int add_pair(igny8__snapshot_part *p, const char *name, const char *model)
{
    pair_item item = { igny8__strdup(name), igny8__strdup(model) };
    int rc = (item.name && (item.model || !model)) ? take_row(p, &item, sizeof(item)) : igny8__error_oom();
    item_clear(p->kind, &item);
    return rc;
}

static int add_group_model(void *payload, const char *group, const char *model)
{
    return add_pair(payload, group, model);
}

static int add_chain_model(void *payload, const igny8__chain_row *row)
{
    return row->model ? add_pair(payload, row->operation, row->model) : IGNY8_OK;
}

static int add_test(void *payload, const igny8__conn_status_row *row)
{
    health_item item = { igny8__strdup(row->integration), row->account_id, failed_at_of(row->ok, row->tested_at),
                         class_of(row->error_class) };
    int rc = item.integration ? take_row(payload, &item, sizeof(item)) : igny8__error_oom();
    igny8__free(item.integration);
    return rc;
}

static int read_part(igny8_store *st, igny8__snapshot_part *p)
{
    static const igny8__model_filter all = { NULL, 0, -1 };
    switch (p->kind) {
    case IGNY8__PART_INTEGRATIONS: return igny8__db_integration_each(st, add_integration, p);
    case IGNY8__PART_MODELS: return igny8__db_model_each(st, &all, add_model, p);
    case IGNY8__PART_OPERATIONS: return igny8__db_operation_each(st, add_operation, p);
    case IGNY8__PART_GROUPS: return igny8__db_access_group_models_each(st, NULL, add_group_model, p);
    case IGNY8__PART_CHAINS: return igny8__db_fallback_chain_each(st, 0, add_chain_model, p);
    default: return igny8__db_conn_status_each(st, NULL, -1, add_test, p);
    }
}

/* One table's rows, in one statement, in name order. */
static int load_part(igny8_store *st, int kind, igny8__snapshot_part **out)
{
    igny8__snapshot_part *p = igny8__calloc(1, sizeof(*p));
    if (p == NULL)
        return igny8__error_oom();
    p->refs = 1;
    p->kind = kind;
    int rc = read_part(st, p);
    if (rc != IGNY8_OK) {
        part_release(p);
        return rc;
    }
    *out = p;
    return IGNY8_OK;
}

/* The global row's values, from the store or from the snapshot before. */
static int load_global(igny8_store *st, const igny8__snapshot *old, igny8__snapshot *s)
{
    igny8__global_row g = { 0 };
    int rc = old ? IGNY8_OK : igny8__db_global_get(st, &g);
    const char *text = old ? old->global_text : g.text_integration;
    const char *image = old ? old->global_image : g.image_integration;
    s->global_active = old ? old->global_active : g.is_active;
    if (rc == IGNY8_OK && ((text && (s->global_text = igny8__strdup(text)) == NULL) ||
                           (image && (s->global_image = igny8__strdup(image)) == NULL)))
        rc = igny8__error_oom();
    if (!old)
        igny8__global_row_clear(&g);
    return rc;
}

/* Each group's models as a bitmap of model indexes; the pairs come by group, then model. */
static int link_groups(igny8__snapshot *s)
{
    const igny8__snapshot_part *gp = s->parts[IGNY8__PART_GROUPS];
    const pair_item *pairs = gp->items;
    s->group_words = (s->n_models + 63) / 64 + 1;
    s->group_names = igny8__calloc(gp->n ? gp->n : 1, sizeof(char *));
    s->group_bits = igny8__calloc((gp->n ? gp->n : 1) * s->group_words, sizeof(uint64_t));
    if (!s->group_names || !s->group_bits)
        return igny8__error_oom();
    for (size_t i = 0; i < gp->n; i++) {
        if (s->n_groups == 0 || strcmp(s->group_names[s->n_groups - 1], pairs[i].name) != 0)
            s->group_names[s->n_groups++] = pairs[i].name;
        int m = igny8__snapshot_model(s, pairs[i].model);
        if (m >= 0)
            s->group_bits[(s->n_groups - 1) * s->group_words + (size_t)m / 64] |= UINT64_C(1) << (m % 64);
    }
    return IGNY8_OK;
}

/* The platform's chains by operation index; the models come by operation, in chain order. */
static int link_chains(igny8__snapshot *s)
{
    const igny8__snapshot_part *cp = s->parts[IGNY8__PART_CHAINS];
    const pair_item *items = cp->items;
    size_t ops = s->n_operations ? s->n_operations : 1;
    s->chain_first = igny8__calloc(ops, sizeof(int));
    s->chain_count = igny8__calloc(ops, sizeof(int));
    s->chain_models = igny8__calloc(cp->n ? cp->n : 1, sizeof(int));
    if (!s->chain_first || !s->chain_count || !s->chain_models)
        return igny8__error_oom();
    for (size_t i = 0; i < cp->n; i++) {
        int op = igny8__snapshot_operation(s, items[i].name), m = igny8__snapshot_model(s, items[i].model);
        s->chain_models[i] = m >= 0 ? m : -2;
        if (op < 0)
            continue;
        if (s->chain_count[op]++ == 0)
            s->chain_first[op] = (int)i;
    }
    return IGNY8_OK;
}

static int test_order(const void *a, const void *b)
{
    const igny8__account_test *x = a, *y = b;
    return x->account_id != y->account_id ? (x->account_id > y->account_id) - (x->account_id < y->account_id)
                                          : (x->integration > y->integration) - (x->integration < y->integration);
}

/* The last tests: the platform's per integration, the accounts' in their sorted array. */
static int link_health(igny8__snapshot *s)
{
    const igny8__snapshot_part *hp = s->parts[IGNY8__PART_HEALTH];
    const health_item *items = hp->items;
    size_t n = s->n_integrations ? s->n_integrations : 1;
    s->failed_at = igny8__calloc(n, sizeof(int64_t));
    s->failed_class = igny8__calloc(n, 1);
    s->account_tests = igny8__calloc(hp->n ? hp->n : 1, sizeof(igny8__account_test));
    if (!s->failed_at || !s->failed_class || !s->account_tests)
        return igny8__error_oom();
    for (size_t i = 0; i < hp->n; i++) {
        int integ = igny8__snapshot_integration(s, items[i].integration);
        if (integ >= 0 && items[i].account_id > 0) {
            s->account_tests[s->n_account_tests++] = (igny8__account_test){ items[i].account_id, integ,
                                                                             items[i].failed_class, items[i].failed_at };
        } else if (integ >= 0) {
            s->failed_at[integ] = items[i].failed_at;
            s->failed_class[integ] = (unsigned char)items[i].failed_class;
        }
    }
    if (s->n_account_tests > 1)
        qsort(s->account_tests, s->n_account_tests, sizeof(*s->account_tests), test_order);
    return IGNY8_OK;
}

const igny8__account_test *igny8__snapshot_account_test(const igny8__snapshot *s, int64_t account_id, int integration)
{
    igny8__account_test key = { account_id, integration, 0, 0 };
    return s->n_account_tests ? bsearch(&key, s->account_tests, s->n_account_tests, sizeof(key), test_order) : NULL;
}

/* Indexes between the parts, once all are there. */
static int link_snapshot(igny8__snapshot *s)
{
    igny8__snapshot_part *ip = s->parts[IGNY8__PART_INTEGRATIONS], *mp = s->parts[IGNY8__PART_MODELS];
    igny8__snapshot_part *op = s->parts[IGNY8__PART_OPERATIONS];
    s->integrations = ip->items;
    s->n_integrations = ip->n;
    s->models = mp->items;
    s->n_models = mp->n;
    s->operation_names = op->items;
    s->operation_types = op->types;
    s->n_operations = op->n;
    s->integration_key_from = igny8__calloc(ip->n ? ip->n : 1, sizeof(int));
    s->integration_default_model = igny8__calloc(ip->n ? ip->n : 1, sizeof(int));
    s->model_integration = igny8__calloc(mp->n ? mp->n : 1, sizeof(int));
    if (!s->integration_key_from || !s->integration_default_model || !s->model_integration)
        return igny8__error_oom();
    for (size_t i = 0; i < s->n_models; i++) {
        s->model_integration[i] = igny8__snapshot_integration(s, s->models[i].integration);
        if (s->models[i].is_default)
            s->default_model[s->models[i].model_type] = (int)i;
    }
    for (size_t i = 0; i < s->n_integrations; i++) {
        s->integration_key_from[i] = igny8__snapshot_integration(s, s->integrations[i].key_from);
        s->integration_default_model[i] = igny8__snapshot_model(s, s->integrations[i].model);
    }
    s->type_integration[IGNY8_MODEL_TEXT] = igny8__snapshot_integration(s, s->global_text);
    s->type_integration[IGNY8_MODEL_IMAGE] = igny8__snapshot_integration(s, s->global_image);
    int rc = link_groups(s);
    if (rc == IGNY8_OK)
        rc = link_chains(s);
    return rc == IGNY8_OK ? link_health(s) : rc;
}

/* The lookups are binary searches over the names in the order SQL gave them, and a
 * model's integration is an index: a damaged file (an index that no longer matches its
 * table) can break both, and the resolver must then fail, not read out of bounds. */
static int out_of_order(const char *previous, const char *name)
{
    return name == NULL || (previous && strcmp(previous, name) >= 0);
}

static int check_snapshot(const igny8__snapshot *s)
{
    const char *what = NULL;
    for (size_t i = 0; !what && i < s->n_integrations; i++)
        if (out_of_order(i ? s->integrations[i - 1].name : NULL, s->integrations[i].name))
            what = "integrations";
    for (size_t i = 0; !what && i < s->n_models; i++)
        if (out_of_order(i ? s->models[i - 1].model_name : NULL, s->models[i].model_name) ||
            s->model_integration[i] < 0)
            what = "models";
    for (size_t i = 0; !what && i < s->n_operations; i++)
        if (out_of_order(i ? s->operation_names[i - 1] : NULL, s->operation_names[i]))
            what = "operations";
    for (size_t i = 0; !what && i < s->n_groups; i++)
        if (out_of_order(i ? s->group_names[i - 1] : NULL, s->group_names[i]))
            what = "access groups";
    if (what == NULL)
        return IGNY8_OK;
    return igny8__error_set(IGNY8_ECORRUPT, NULL, "the store's %s do not read back consistently (a damaged "
                            "index?): the store is damaged; PRAGMA integrity_check says where", what);
}

/* A new snapshot: the parts in `changed` (a bit per IGNY8__PART_*) read from the store, the
 * others shared with old (NULL: all read). */
static int load_snapshot(igny8_store *st, const igny8__snapshot *old, unsigned changed, igny8__snapshot **out)
{
    igny8__snapshot *s = igny8__calloc(1, sizeof(*s));
    if (s == NULL)
        return igny8__error_oom();
    s->refs = 1;
    for (int t = 0; t < 3; t++)
        s->type_integration[t] = s->default_model[t] = -1;
    int rc = IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(table_parts); i++) {
        int k = table_parts[i];
        if (old && !(changed & (1u << k))) {
            s->parts[k] = old->parts[k];
            __atomic_add_fetch(&s->parts[k]->refs, 1, __ATOMIC_RELAXED);
        } else {
            rc = load_part(st, k, &s->parts[k]);
        }
    }
    if (rc == IGNY8_OK) rc = load_global(st, old && !(changed & (1u << IGNY8__PART_GLOBAL)) ? old : NULL, s);
    if (rc == IGNY8_OK) rc = link_snapshot(s);
    if (rc == IGNY8_OK) rc = check_snapshot(s);
    if (rc != IGNY8_OK) {
        igny8__snapshot_release(s);
        return rc;
    }
    *out = s;
    return IGNY8_OK;
}

/* ---- accounts ---- */

static void extra_free(igny8__account_extra *x)
{
    if (x == NULL)
        return;
    igny8__free(x->rules);
    igny8__free(x->chain);
    igny8__free(x);
}

static void account_free(igny8__account *a);

void igny8__account_retain(const igny8__account *a)
{
    __atomic_add_fetch(&((igny8__account *)a)->refs, 1, __ATOMIC_RELAXED);
}

void igny8__account_release(const igny8__account *a)
{
    if (a && __atomic_sub_fetch(&((igny8__account *)a)->refs, 1, __ATOMIC_ACQ_REL) == 0)
        account_free((igny8__account *)a);
}

static void account_free(igny8__account *a)
{
    if (a == NULL)
        return;
    extra_free(a->x);
    for (size_t i = 0; i < a->n_rows; i++) {
        igny8__account_row *r = &a->rows[i];
        igny8__free((char *)r->params.size);
        igny8__free((char *)r->params.quality);
        igny8__free((char *)r->params.style);
        igny8__free_secret(r->api_key);
    }
    igny8__free(a->op_operation);
    igny8__free(a->op_model);
    igny8__free(a);
}

const igny8__account_row *igny8__account_row_of(const igny8__account *a, int integration)
{
    for (size_t i = 0; a && i < a->n_rows; i++)
        if (a->rows[i].integration == integration)
            return &a->rows[i];
    return NULL;
}

static int model_ref(const igny8__snapshot *s, const char *name)
{
    if (name == NULL)
        return -1;
    int i = igny8__snapshot_model(s, name);
    return i >= 0 ? i : -2;
}

struct account_ctx {
    igny8__account *a;
    const igny8__snapshot *s;
    igny8__account_row *rows;
    size_t n_rows;
    int64_t log_end;            /* the change log's end in the snapshot the rows come from */
};

static int dup_opt(const char **dst, const char *v)
{
    *dst = NULL;
    return (v && (*dst = igny8__strdup(v)) == NULL) ? igny8__error_oom() : IGNY8_OK;
}

static int add_row(void *payload, const igny8__integ_row *row)
{
    struct account_ctx *c = payload;
    igny8__account_row *rows = igny8__realloc(c->rows, (c->n_rows + 1) * sizeof(*rows));
    if (rows == NULL)
        return igny8__error_oom();
    c->rows = rows;
    igny8__account_row *r = &rows[c->n_rows];
    memset(r, 0, sizeof(*r));
    c->n_rows++;
    r->integration = igny8__snapshot_integration(c->s, row->name);
    r->enabled = row->enabled;
    r->model = model_ref(c->s, row->model);
    r->params.temperature = row->temperature;
    r->params.max_tokens = row->max_tokens;
    int rc = dup_opt(&r->params.size, row->size);
    if (rc == IGNY8_OK) rc = dup_opt(&r->params.quality, row->quality);
    if (rc == IGNY8_OK) rc = dup_opt(&r->params.style, row->style);
    if (rc == IGNY8_OK && row->api_key && (r->api_key = igny8__strdup(row->api_key)) == NULL)
        rc = igny8__error_oom();
    return rc;
}

static int add_op(void *payload, const char *operation, const char *model)
{
    struct account_ctx *c = payload;
    size_t n = c->a->n_ops + 1;
    int *ops = igny8__realloc(c->a->op_operation, n * sizeof(int));
    if (ops) c->a->op_operation = ops;
    int *models = igny8__realloc(c->a->op_model, n * sizeof(int));
    if (models) c->a->op_model = models;
    if (!ops || !models)
        return igny8__error_oom();
    c->a->op_operation[c->a->n_ops] = igny8__snapshot_operation(c->s, operation);
    c->a->op_model[c->a->n_ops] = model_ref(c->s, model);
    c->a->n_ops = n;
    return IGNY8_OK;
}

static int add_provider(void *payload, int model_type, const char *integration)
{
    struct account_ctx *c = payload;
    if (model_type == IGNY8_MODEL_TEXT || model_type == IGNY8_MODEL_IMAGE)
        c->a->provider[model_type] = igny8__snapshot_integration(c->s, integration);
    return IGNY8_OK;
}

static int note_log_end(void *payload, int64_t seq)
{
    ((struct account_ctx *)payload)->log_end = seq;
    return IGNY8_OK;
}

/* The account's plans and fallbacks, made on the first row that has some. */
static igny8__account_extra *extra_of(struct account_ctx *c)
{
    if (c->a->x == NULL && (c->a->x = igny8__calloc(1, sizeof(igny8__account_extra))) != NULL) {
        c->a->x->group = -1;
        c->a->x->max_cost_per_1k_tokens = c->a->x->max_cost_per_image = NAN;
    }
    return c->a->x;
}

/* Room for one more item in an array of the extra. */
static int extra_grow(void **items, size_t n, size_t size)
{
    void *p = igny8__realloc(*items, (n + 1) * size);
    if (p == NULL)
        return igny8__error_oom();
    *items = p;
    return IGNY8_OK;
}

static int add_access(void *payload, const char *group, double max_text, double max_image)
{
    struct account_ctx *c = payload;
    igny8__account_extra *x = extra_of(c);
    if (x == NULL)
        return igny8__error_oom();
    int g = igny8__snapshot_group(c->s, group);
    x->group = group == NULL ? -1 : g >= 0 ? g : -2;
    x->max_cost_per_1k_tokens = max_text;
    x->max_cost_per_image = max_image;
    return IGNY8_OK;
}

static int add_access_model(void *payload, const char *model, int allowed)
{
    struct account_ctx *c = payload;
    igny8__account_extra *x = extra_of(c);
    int rc = x ? extra_grow((void **)&x->rules, x->n_rules, sizeof(*x->rules)) : igny8__error_oom();
    if (rc == IGNY8_OK)
        x->rules[x->n_rules++] = (igny8__account_rule){ model_ref(c->s, model),
                                                        allowed ? IGNY8_ACCESS_ALLOW : IGNY8_ACCESS_DENY };
    return rc;
}

static int add_chain(void *payload, const char *operation, int position, const char *model)
{
    struct account_ctx *c = payload;
    igny8__account_extra *x = extra_of(c);
    int op = igny8__snapshot_operation(c->s, operation);
    int rc = x ? IGNY8_OK : igny8__error_oom();
    if (rc == IGNY8_OK && op >= 0 && (rc = extra_grow((void **)&x->chain, x->n_chain, sizeof(*x->chain))) == IGNY8_OK)
        x->chain[x->n_chain++] = (igny8__account_chain){ op, model ? position : -1, model_ref(c->s, model) };
    return rc;
}

static int chain_order(const void *a, const void *b)
{
    const igny8__account_chain *x = a, *y = b;
    return x->operation != y->operation ? (x->operation > y->operation) - (x->operation < y->operation)
                                        : (x->position > y->position) - (x->position < y->position);
}

/* The entry and its rows in one allocation: a hit touches one block. */
static int finish_account(struct account_ctx *c, igny8__account **out)
{
    igny8__account *a = igny8__malloc(sizeof(*a) + c->n_rows * sizeof(igny8__account_row));
    if (a == NULL)
        return igny8__error_oom();
    *a = *c->a;
    a->rows = (igny8__account_row *)(a + 1);
    a->n_rows = c->n_rows;
    a->refs = 1;  /* the cache's */
    if (c->n_rows)
        memcpy(a->rows, c->rows, c->n_rows * sizeof(igny8__account_row));
    igny8__free(c->rows);
    igny8__free(c->a);
    c->rows = NULL;
    c->n_rows = 0;
    c->a = NULL;
    if (a->x && a->x->n_chain > 1)
        qsort(a->x->chain, a->x->n_chain, sizeof(*a->x->chain), chain_order);
    *out = a;
    return IGNY8_OK;
}

static void discard_account(struct account_ctx *c)
{
    c->a->rows = c->rows;
    c->a->n_rows = c->n_rows;
    for (size_t i = 0; i < c->n_rows; i++) {
        igny8__free((char *)c->rows[i].params.size);
        igny8__free((char *)c->rows[i].params.quality);
        igny8__free((char *)c->rows[i].params.style);
        igny8__free_secret(c->rows[i].api_key);
    }
    igny8__free(c->rows);
    igny8__free(c->a->op_operation);
    igny8__free(c->a->op_model);
    extra_free(c->a->x);
    igny8__free(c->a);
}

/* *log_end (may be NULL): the change log's end in the snapshot the account was read from. */
static int load_account(igny8_store *st, const igny8__snapshot *s, int64_t id, igny8__account **out, int64_t *log_end)
{
    igny8__account *a = igny8__calloc(1, sizeof(*a));
    if (a == NULL)
        return igny8__error_oom();
    a->id = id;
    a->provider[0] = a->provider[1] = a->provider[2] = -1;
    struct account_ctx c = { a, s, NULL, 0, -1 };
    static const igny8__account_rows_fns fns = { add_row, add_provider, add_op, note_log_end, add_access,
                                                 add_access_model, add_chain };
    int rc = igny8__db_account_rows_each(st, id, &fns, &c);
    if (log_end)
        *log_end = c.log_end;
    if (rc == IGNY8_OK)
        return finish_account(&c, out);
    discard_account(&c);
    return rc;
}

/* ---- the account table: open addressing by id, clock eviction ---- */

static size_t home_of(const struct igny8__cache *c, int64_t id)
{
    return (size_t)(((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & c->table_mask;
}

static igny8__account *find_account(struct igny8__cache *c, int64_t id)
{
    for (size_t i = home_of(c, id);; i = (i + 1) & c->table_mask) {
        if (c->table[i].id == id)
            return c->table[i].a;
        if (c->table[i].id == 0)
            return NULL;
    }
}

/* Linear probing with backward-shift deletion: no tombstones to slow later lookups. */
static void table_delete(struct igny8__cache *c, int64_t id)
{
    size_t i = home_of(c, id);
    while (c->table[i].id != id)
        i = (i + 1) & c->table_mask;
    for (size_t j = (i + 1) & c->table_mask; c->table[j].id != 0; j = (j + 1) & c->table_mask) {
        size_t home = home_of(c, c->table[j].id);
        /* move j back into the hole at i unless its home lies cyclically in (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            c->table[i] = c->table[j];
            i = j;
        }
    }
    c->table[i].id = 0;
    c->table[i].a = NULL;
}

static void remove_account(struct igny8__cache *c, igny8__account *a)
{
    table_delete(c, a->id);
    igny8__account *last = c->ring[--c->count];  /* the last slot fills the hole */
    c->ring[a->slot] = last;
    last->slot = a->slot;
    if (c->hand >= c->count)
        c->hand = 0;
    igny8__account_release(a);
}

/* The clock: pass over used accounts (clearing their bit) to the first unused one. */
static void evict_one(struct igny8__cache *c)
{
    while (c->ring[c->hand]->referenced) {
        c->ring[c->hand]->referenced = 0;
        c->hand = (c->hand + 1) % c->count;
    }
    remove_account(c, c->ring[c->hand]);
}

static void insert_account(struct igny8__cache *c, igny8__account *a)
{
    if (c->count >= c->capacity && c->count > 0)
        evict_one(c);
    size_t i = home_of(c, a->id);
    while (c->table[i].id != 0)
        i = (i + 1) & c->table_mask;
    c->table[i].id = a->id;
    c->table[i].a = a;
    a->slot = c->count;
    a->referenced = 1;
    c->ring[c->count++] = a;
}

static void drop_accounts(struct igny8__cache *c)
{
    while (c->count)
        remove_account(c, c->ring[c->count - 1]);
}

/* ---- freshness ---- */

static int is_memory(const igny8_store *st) { return strcmp(st->path, ":memory:") == 0; }

int igny8__cache_open(igny8_store *st)
{
    struct igny8__cache *c = igny8__calloc(1, sizeof(*c));
    if (c == NULL)
        return igny8__error_oom();
    c->capacity = st->cache_accounts;
    size_t slots = 1024;
    while (slots < 2 * (size_t)c->capacity)  /* at most half full: short probes */
        slots <<= 1;
    c->table_mask = slots - 1;
    c->table = igny8__calloc(slots, sizeof(*c->table));
    c->ring = igny8__calloc(c->capacity, sizeof(*c->ring));
    if (c->table == NULL || c->ring == NULL) {
        igny8__free(c->table);
        igny8__free(c->ring);
        igny8__free(c);
        return igny8__error_oom();
    }
    st->cache = c;
    return IGNY8_OK;
}

void igny8__cache_close(igny8_store *st)
{
    struct igny8__cache *c = st->cache;
    if (c == NULL)
        return;
    drop_accounts(c);
    igny8__snapshot_release(c->snap);
    igny8__free(c->table);
    igny8__free(c->ring);
    igny8__free(c);
    st->cache = NULL;
}

/* 1 when nothing changed since the cache was last made current; a backend that cannot
 * read its token (a PostgreSQL server gone) fails the call. */
/* The token read (*known 0 when none was) is kept for refresh(): read before its
 * transaction, it is a safe one to remember after it. */
static int is_current(igny8_store *st, const struct igny8__cache *c, unsigned char now[IGNY8__CHANGE_TOKEN_BYTES],
                      int *known, int64_t *log_id, int *current)
{
    int rc = IGNY8_OK;
    *current = *known = 0;
    if (c->snap == NULL)
        return IGNY8_OK;
    if (c->has_token)
        rc = igny8__db_change_token(st, now, known, log_id);
    if (rc != IGNY8_OK || c->writes_seen != st->writes)
        return rc;
    if (!c->has_token)
        *current = is_memory(st);  /* nobody else can write a private in-memory database */
    else
        *current = *known && memcmp(now, c->token, IGNY8__CHANGE_TOKEN_BYTES) == 0;
    return IGNY8_OK;
}

#define ALL_PARTS (~0u)

struct log_ctx { struct igny8__cache *c; unsigned parts; int64_t first, last; };

/* Entries from the last one applied (seq == c->last_seq, which is skipped) on. */
static int apply_change(void *payload, int64_t seq, int64_t account_id, int part)
{
    struct log_ctx *l = payload;
    if (l->first < 0)
        l->first = seq;
    l->last = seq;
    if (seq == l->c->last_seq)
        return IGNY8_OK;
    igny8__account *a = account_id ? find_account(l->c, account_id) : NULL;
    if (account_id == 0)
        l->parts |= part > 0 && part < 32 ? 1u << part : ALL_PARTS;
    else if (a)
        remove_account(l->c, a);
    return IGNY8_OK;
}

/* Whether every index an account entry holds means the same in both snapshots: the same
 * models, integrations, operations and access groups, by name, in the same order. What a global PUT,
 * a key or a price changes leaves them so. */
static int same_names(const igny8__snapshot *a, const igny8__snapshot *b)
{
    if (a->n_models != b->n_models || a->n_integrations != b->n_integrations || a->n_operations != b->n_operations)
        return 0;
    for (size_t i = 0; i < a->n_models; i++)
        if (strcmp(a->models[i].model_name, b->models[i].model_name) != 0)
            return 0;
    for (size_t i = 0; i < a->n_integrations; i++)
        if (strcmp(a->integrations[i].name, b->integrations[i].name) != 0)
            return 0;
    for (size_t i = 0; i < a->n_operations; i++)
        if (strcmp(a->operation_names[i], b->operation_names[i]) != 0)
            return 0;
    if (a->n_groups != b->n_groups)
        return 0;
    for (size_t i = 0; i < a->n_groups; i++)
        if (strcmp(a->group_names[i], b->group_names[i]) != 0)
            return 0;
    return 1;
}

/* A platform change: a new snapshot, which reads again only the parts that changed (a bit
 * per IGNY8__PART_*) and shares the others. The accounts' entries are the accounts' own
 * rows, pointing into the snapshot by index, so they stay when the names do: a global
 * change costs the rows of the tables it changed, not a miss for every account. */
static int reload_platform(igny8_store *st, struct igny8__cache *c, int accounts_changed, unsigned parts)
{
    igny8__snapshot *s = NULL;
    if (!accounts_changed && c->snap && !(parts & ~(1u << IGNY8__PART_PROVIDERS)))
        return IGNY8_OK;  /* the resolver reads no provider row */
    int rc = load_snapshot(st, accounts_changed ? NULL : c->snap, parts, &s);
    if (rc != IGNY8_OK) {
        drop_accounts(c);
        return rc;
    }
    if (accounts_changed || c->snap == NULL || !same_names(c->snap, s))
        drop_accounts(c);
    igny8__snapshot_release(c->snap);
    c->snap = s;
    return IGNY8_OK;
}

/* Inside a read transaction: follow the log from the last position, in one statement
 * that starts at the entry last applied. That entry was the log's newest once, and the
 * trim keeps the newest 10,000, so when it is gone the log was trimmed past us or made
 * anew (a store dropped and created again): which accounts changed is lost, all go. */
static int follow_log(igny8_store *st, struct igny8__cache *c, int new_log)
{
    int64_t end = 0;
    int rc;
    if (c->snap == NULL || new_log) {  /* the first load, or a log made anew: only where it ends */
        rc = igny8__db_change_log_end(st, &end);
        if (rc == IGNY8_OK && (rc = reload_platform(st, c, new_log, ALL_PARTS)) == IGNY8_OK)
            c->last_seq = end;
        return rc;
    }
    struct log_ctx l = { c, 0, -1, c->last_seq };
    rc = igny8__db_change_log_each(st, c->last_seq, apply_change, &l);
    int behind = c->last_seq > 0 ? l.first != c->last_seq : l.first > 1;
    if (rc == IGNY8_OK && (behind || l.parts))
        rc = reload_platform(st, c, behind, behind ? ALL_PARTS : l.parts);
    if (rc == IGNY8_OK)
        c->last_seq = l.last;
    return rc;
}

/* token, has_token and log_id: what is_current() read, before the transaction (a later
 * commit is a change); has_token 0 when it read none. A log_id that changed is a store
 * dropped and made again (PostgreSQL): its seq numbers say nothing of the old ones. */
static int refresh(igny8_store *st, struct igny8__cache *c, int64_t account_id, unsigned char *token, int has_token,
                   int64_t log_id, igny8__account **out)
{
    uint64_t writes = st->writes;
    int rc = igny8__db_begin(st, 0);
    if (rc != IGNY8_OK)
        return rc;
    rc = follow_log(st, c, c->snap != NULL && has_token && c->has_token && log_id != c->log_id);
    *out = rc == IGNY8_OK && account_id > 0 ? find_account(c, account_id) : NULL;
    if (rc == IGNY8_OK && account_id > 0 && *out == NULL && (rc = load_account(st, c->snap, account_id, out, NULL)) == IGNY8_OK)
        insert_account(c, *out);
    if (rc == IGNY8_OK)
        rc = igny8__db_commit(st);
    else
        igny8__db_rollback(st);
    /* The first refresh is what opens SQLite's WAL: its token could only be read after the
     * transaction, when a commit may already have slipped in, so remember none (all zeros
     * never match) and let the next call take one the safe way. */
    if (rc == IGNY8_OK && !has_token && (rc = igny8__db_change_token(st, token, &has_token, &log_id)) == IGNY8_OK &&
        has_token)
        memset(token, 0, IGNY8__CHANGE_TOKEN_BYTES);
    if (rc == IGNY8_OK) {
        memcpy(c->token, token, IGNY8__CHANGE_TOKEN_BYTES);
        c->has_token = has_token;
        c->log_id = log_id;
        c->writes_seen = writes;
    } else {
        *out = NULL;
    }
    return rc;
}

/* A cold miss on a current cache: nothing to follow, only the account to load, in one
 * statement, which is a consistent read of its own on both backends (no BEGIN and COMMIT:
 * two round trips fewer on PostgreSQL). It reads the change log's end in the same
 * snapshot: when a commit has landed since the token was compared, the rows may hold
 * half of a commit whose platform half the cached snapshot lacks, so they are dropped and the
 * whole refresh runs instead (*out NULL, *stale 1). */
static int load_missing(igny8_store *st, struct igny8__cache *c, int64_t account_id, igny8__account **out,
                        int *stale)
{
    int64_t log_end = -1;
    int rc = load_account(st, c->snap, account_id, out, &log_end);
    *stale = rc == IGNY8_OK && log_end != c->last_seq;
    if (rc == IGNY8_OK && *stale)
        igny8__account_release(*out);
    else if (rc == IGNY8_OK)
        insert_account(c, *out);
    if (rc != IGNY8_OK || *stale)
        *out = NULL;
    return rc;
}

int igny8__cache_get(igny8_store *st, int64_t account_id, igny8__snapshot **snap, igny8__account **account)
{
    struct igny8__cache *c = st->cache;
    igny8__account *a = NULL;
    unsigned char token[IGNY8__CHANGE_TOKEN_BYTES];
    int current = 0, known = 0;
    int64_t log_id = 0;
    int rc = is_current(st, c, token, &known, &log_id, &current);
    if (rc != IGNY8_OK)
        return rc;
    if (current && (account_id <= 0 || (a = find_account(c, account_id)) != NULL)) {
        if (a)
            a->referenced = 1;
    } else {
        int stale = 0;
        if (current)
            rc = load_missing(st, c, account_id, &a, &stale);
        if (rc == IGNY8_OK && (!current || stale))
            rc = refresh(st, c, account_id, token, known, log_id, &a);
    }
    if (rc != IGNY8_OK)
        return rc;
    __atomic_add_fetch(&c->snap->refs, 1, __ATOMIC_RELAXED);
    *snap = c->snap;
    *account = a;
    return IGNY8_OK;
}
