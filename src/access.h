#ifndef IGNY8__ACCESS_H
#define IGNY8__ACCESS_H

#include "igny8/access.h"
#include "db.h"
#include "json.h"

/* The allow rule, one definition for the resolver and the writes: an account's own rule
 * for the model (IGNY8_ACCESS_ALLOW / _DENY) wins; else its group's membership; an account
 * without a group may use every model. */
static inline int igny8__access_allows(int own_rule, int has_group, int in_group)
{
    return own_rule != IGNY8_ACCESS_INHERIT ? own_rule == IGNY8_ACCESS_ALLOW : !has_group || in_group;
}

/* The price a ceiling is compared with: an image model's per image; a text model's higher
 * of input and output per 1k tokens; NaN when the model has none. */
double igny8__access_price(const igny8__model_row *m);
/* 1 when the model is over the account's ceiling of its type (NaN: none). */
int igny8__access_over_budget(const igny8__model_row *m, double max_cost_per_1k_tokens, double max_cost_per_image);

/* An account's access as the writes check it: its row, its own rules (by model name) and
 * its group's models (sorted). */
typedef struct igny8__access_rule {
    char *model;
    int allowed;
} igny8__access_rule;
typedef struct igny8__access_state {
    int64_t account_id;
    igny8__account_access_row row;
    igny8__access_rule *rules;
    size_t n_rules;
    char **group_models;
    size_t n_group_models;
} igny8__access_state;
/* Inside a transaction. */
int igny8__access_load(igny8_store *st, int64_t account_id, igny8__access_state *out);
void igny8__access_state_clear(igny8__access_state *a);
/* Whether the state allows the model (by the rule above). */
int igny8__access_state_allows(const igny8__access_state *a, const char *model);
/* The state's "group", "additions", "removals" (rules sorted by model) and ceilings, in
 * that order, added to o: the account's access as its body and its audit entries show it. */
void igny8__access_fields_json(cJSON *o, const igny8__access_state *a);
/* A JSON array of the names (NULL on OOM, noted for igny8__json_emit). */
cJSON *igny8__names_json(const char *const *names, size_t n);
/* IGNY8_OK when the account may choose m (allowed, within its ceilings), else IGNY8_EINVAL
 * naming field. */
int igny8__access_check_model(const igny8__access_state *a, const igny8__model_row *m, const char *field);
/* igny8__access_load, then igny8__access_check_model, inside the caller's transaction. */
int igny8__access_check(igny8_store *st, int64_t account_id, const igny8__model_row *m, const char *field);

/* The writes, shared by the typed calls (access.c) and the bodies (access_json.c), inside
 * the caller's write transaction. unknown_code: what an unknown name gives, IGNY8_ENOTFOUND
 * in typed calls and IGNY8_EINVAL in bodies. */
typedef struct igny8__group_edit {
    int set_description, set_models, unknown_code;
    const char *description;
    const char *const *models;
    size_t n_models;
} igny8__group_edit;
int igny8__access_group_apply(igny8_store *st, const char *actor, const char *name, const igny8__group_edit *e);
/* 0 or IGNY8_EINVAL naming field. */
int igny8__access_group_check_name(const char *name, const char *field);

enum {
    IGNY8__EDIT_GROUP = 1, IGNY8__EDIT_ADDITIONS = 2, IGNY8__EDIT_REMOVALS = 4, IGNY8__EDIT_TEXT_CEILING = 8,
    IGNY8__EDIT_IMAGE_CEILING = 16, IGNY8__EDIT_RULE = 32
};
typedef struct igny8__access_edit {
    unsigned set;                  /* IGNY8__EDIT_*: what changes */
    int unknown_code;
    const char *group;             /* NULL: none */
    const char *const *additions;  /* replace the account's additions */
    size_t n_additions;
    const char *const *removals;   /* replace its removals */
    size_t n_removals;
    const char *rule_model;        /* one model's rule (IGNY8_ACCESS_*) */
    int rule;
    double max_cost_per_1k_tokens, max_cost_per_image;  /* NaN: none */
} igny8__access_edit;
int igny8__account_access_apply(igny8_store *st, const char *actor, int64_t account_id, const igny8__access_edit *e);

/* Set (models non-NULL) or remove the chain of (account_id, operation); errors name
 * field[i] for a model, and field for the list or (bodies) the operation. */
int igny8__fallback_chain_apply(igny8_store *st, const char *actor, int64_t account_id, const char *operation,
                                const char *const *models, size_t n, const char *field, int unknown_code);

/* A group's models (or every group's: name NULL), by name, as borrowed names over owned
 * strings: free with igny8__names_free(owned, n). */
int igny8__access_group_models(igny8_store *st, const char *name, const char ***models, size_t *n, char ***owned);
void igny8__names_free(char **owned, size_t n);

/* The fallback chains view of an owner
 * (account_id 0: the platform's), for the bodies (access_json.c). */
int igny8__fallback_chains_view(igny8_store *st, int64_t account_id, cJSON **out);
/* Apply a chains body (an object of operation -> list or null) inside the caller's write;
 * errors name prefix + "operation[i]". */
int igny8__fallback_chains_apply(igny8_store *st, const char *actor, int64_t account_id, const cJSON *body,
                                 const char *prefix);

#endif
