/*
 * libigny8settings — plans and fallbacks (@since 1.3): which models an account may use,
 * what they may cost, and what to call when the first choice cannot be used.
 *
 * Access groups are the platform's named sets of models (the plans: "starter", "pro").
 * An account is assigned at most one group and may have its own additions and removals:
 * it may use the group's models (every model when it has no group), plus its additions,
 * minus its removals. Cost ceilings: a text model is over an account's
 * max_cost_per_1k_tokens when its input or its output price per 1k tokens is above it; an
 * image model is over max_cost_per_image when its price per image is; a model without a
 * price is never over. The resolver skips a candidate the account may not use (trace
 * reason "not_allowed") or that is over a ceiling ("over_budget"); a requested model of
 * either kind is an error, and so is choosing one in the account's settings, operation
 * models or fallback chains (IGNY8_EINVAL naming the field).
 *
 * A fallback chain is, per operation, the ordered models to try after the resolution's
 * model: the platform's, or an account's own, which replaces the platform's for that
 * operation (an empty one: no fallbacks). A model appears in a chain at most once (a
 * chain cannot loop), at most IGNY8_FALLBACK_CHAIN_MAX models, each an active model of the
 * operation's type. igny8_get_model_for_operation returns the usable ones (resolve.h).
 *
 * Every write takes an actor, is one transaction with its audit entry (entities
 * "access_group", "account_access", "fallback_chain"), and writes nothing when it changes
 * nothing. Thread safety: store calls as in store.h.
 */
#ifndef IGNY8_ACCESS_H
#define IGNY8_ACCESS_H

#include "common.h"
#include "model.h"

IGNY8_BEGIN_DECL

/** The longest access group name: 1..64 of letters, digits, '_', '-', '.', starting with a
 *  letter or digit. */
#define IGNY8_ACCESS_GROUP_NAME_MAX 64
/** The most models a fallback chain holds. */
#define IGNY8_FALLBACK_CHAIN_MAX 8
/** The highest cost ceiling accepted, in USD (per 1k tokens, or per image). */
#define IGNY8_MAX_COST_LIMIT 1000000.0

/** igny8_account_model_access_set: the account's own rule for one model. */
#define IGNY8_ACCESS_DENY 0      /**< a removal: never, whatever its group */
#define IGNY8_ACCESS_ALLOW 1     /**< an addition: always, whatever its group */
#define IGNY8_ACCESS_INHERIT (-1) /**< neither: as its group says */

/* ---- access groups ---- */

/** Create or replace access group `name`: its description (NULL: none) and its models
 *  (n_models names, each in the registry, each once). IGNY8_EINVAL: a bad name (field
 *  "name"), description ("description"), or model list ("models", "models[i]");
 *  IGNY8_ENOTFOUND: an unknown model (field "models[i]"). */
IGNY8_API int igny8_access_group_set(igny8_store *st, const char *actor, const char *name, const char *description,
                                     const char *const *models, size_t n_models);

/** Delete access group `name`. IGNY8_ENOTFOUND: no such group (field "name");
 *  IGNY8_EEXISTS: accounts are still assigned it (field "name"): assign them another first. */
IGNY8_API int igny8_access_group_delete(igny8_store *st, const char *actor, const char *name);

/** The group's body: {"name":"starter","description":...,"models":["gpt-4o-mini"],
 *  "accounts":12,"updated_at":...,"updated_by":...}. *out_json: caller's, igny8_free().
 *  IGNY8_ENOTFOUND: no such group (field "name"). */
IGNY8_API int igny8_access_group_get_json(igny8_store *st, const char *name, char **out_json);

/** Every group's body, as a JSON array in name order. *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_access_group_list_json(igny8_store *st, char **out_json);

/** PUT of a group's body: creates the group, or changes the fields present ("description",
 *  "models": a list that replaces the group's); "name", "accounts", "updated_at" and
 *  "updated_by" are read-only ("name" must match). *out_json (may be NULL): the new body.
 *  IGNY8_EINVAL naming the field (e.g. "models[2]"), nothing written. */
IGNY8_API int igny8_access_group_put_json(igny8_store *st, const char *actor, const char *name, const char *body,
                                          char **out_json);

/* ---- an account's access ---- */

/** Assign the account access group `group` (NULL: none, every model allowed).
 *  IGNY8_ENOTFOUND: no such group (field "group"). */
IGNY8_API int igny8_account_access_group_set(igny8_store *st, const char *actor, int64_t account_id,
                                             const char *group);

/** The account's own rule for a model: IGNY8_ACCESS_ALLOW, IGNY8_ACCESS_DENY or
 *  IGNY8_ACCESS_INHERIT. IGNY8_ENOTFOUND: unknown model (field "model"); IGNY8_EINVAL: a
 *  bad rule (field "access"). */
IGNY8_API int igny8_account_model_access_set(igny8_store *st, const char *actor, int64_t account_id,
                                             const char *model_name, int access);

/** The account's cost ceilings in USD, each NaN for none: per 1k tokens (text models) and
 *  per image. IGNY8_EINVAL: negative, infinite or above IGNY8_MAX_COST_LIMIT (field
 *  "max_cost_per_1k_tokens" or "max_cost_per_image"). */
IGNY8_API int igny8_account_budget_set(igny8_store *st, const char *actor, int64_t account_id,
                                       double max_cost_per_1k_tokens, double max_cost_per_image);

/** The account's access body: {"account_id":42,"group":"starter","additions":["gpt-4o"],
 *  "removals":[],"max_cost_per_1k_tokens":0.005,"max_cost_per_image":null,
 *  "fallbacks":{"content_generation":["gpt-4o-mini"]},"allowed_models":[...],
 *  "updated_at":...,"updated_by":...}. fallbacks: the account's own chains (as
 *  igny8_fallback_chains_get_json); allowed_models: every model of the registry the rules
 *  allow, whether active or within the ceilings or not. *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_account_access_get_json(igny8_store *st, int64_t account_id, char **out_json);

/** PUT of the account's access body: the fields present change ("group", "additions",
 *  "removals": lists that replace the account's, "max_cost_per_1k_tokens",
 *  "max_cost_per_image", "fallbacks": as igny8_fallback_chains_put_json), null clears one;
 *  "account_id" (must match), "allowed_models", "updated_at" and "updated_by" are
 *  read-only. One transaction. *out_json (may be NULL): the new body. IGNY8_EINVAL naming
 *  the field ("group", "additions[1]", "fallbacks.ideas[0]"), nothing written. */
IGNY8_API int igny8_account_access_put_json(igny8_store *st, const char *actor, int64_t account_id,
                                            const char *body, char **out_json);

/** The models the account may choose (its settings page's dropdown): active, allowed and
 *  within its ceilings, that also pass `filter` (NULL: all), as the JSON array of
 *  igny8_model_list_json. *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_account_model_list_json(igny8_store *st, int64_t account_id, const igny8_model_filter *filter,
                                            char **out_json);

/* ---- fallback chains ---- */

/** Set the fallback chain of an operation: the platform's (account_id 0) or an account's;
 *  models NULL removes it (an account follows the platform's again, the platform has
 *  none), n_models 0 sets an empty one (an account: no fallbacks). IGNY8_ENOTFOUND: unknown
 *  operation (field "operation") or model ("models[i]"); IGNY8_EINVAL: more than
 *  IGNY8_FALLBACK_CHAIN_MAX models ("models"), a model twice, inactive, of another type
 *  than the operation, or one the account may not use ("models[i]"). */
IGNY8_API int igny8_fallback_chain_set(igny8_store *st, const char *actor, int64_t account_id,
                                       const char *operation, const char *const *models, size_t n_models);

/** The chains of the platform (account_id 0) or of an account (its own only), as an
 *  object of operation -> list of models: {"content_generation":["gpt-4o","claude-..."]}.
 *  *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_fallback_chains_get_json(igny8_store *st, int64_t account_id, char **out_json);

/** PUT of such an object: each operation present gets its list (as igny8_fallback_chain_set),
 *  null removes its chain. One transaction. *out_json (may be NULL): the new object.
 *  IGNY8_EINVAL naming the field ("content_generation[1]"), nothing written. */
IGNY8_API int igny8_fallback_chains_put_json(igny8_store *st, const char *actor, int64_t account_id,
                                             const char *body, char **out_json);

IGNY8_END_DECL

#endif
