/*
 * libigny8settings — the model registry (AIModelConfig): models, pricing, defaults.
 *
 * A model is described in JSON by the same object that igny8_model_to_json() gives:
 *   {"model_name":"gpt-4o-mini","display_name":"GPT-4o mini","provider":"openai",
 *    "model_type":"text","input_cost_per_1k":0.00015,"output_cost_per_1k":0.0006,
 *    "cost_per_image":null,"tokens_per_credit":1000,"credits_per_image":null,
 *    "max_output_tokens":16384,"is_active":true,"is_default":false}
 * Prices are USD and never negative; null means "not set" (never 0).
 *
 * Thread safety: store calls as in store.h. An igny8_model is an immutable snapshot:
 * any thread may read it; exactly one thread frees it.
 */
#ifndef IGNY8_MODEL_H
#define IGNY8_MODEL_H

#include "common.h"

IGNY8_BEGIN_DECL

typedef struct igny8_model igny8_model;
/** A list of model snapshots (igny8_model_list). */
typedef struct igny8_models igny8_models;

/** Filter of igny8_model_list(); 0/NULL fields match everything. */
typedef struct igny8_model_filter {
    unsigned int version;   /**< IGNY8_MODEL_FILTER_VERSION */
    const char *provider;   /**< only this provider; NULL = any */
    int model_type;         /**< IGNY8_MODEL_TEXT or IGNY8_MODEL_IMAGE; 0 = any */
    int active;             /**< IGNY8_FILTER_ACTIVE or IGNY8_FILTER_INACTIVE; 0 = any */
} igny8_model_filter;

#define IGNY8_FILTER_ACTIVE 1
#define IGNY8_FILTER_INACTIVE 2
#define IGNY8_MODEL_FILTER_VERSION 1
#define IGNY8_MODEL_FILTER_INIT { IGNY8_MODEL_FILTER_VERSION, NULL, 0, 0 }

/** Fill *f with the defaults of the given struct version. IGNY8_EINVAL: bad version. */
IGNY8_API int igny8_model_filter_init(igny8_model_filter *f, unsigned int version);

/** A cost estimate (igny8_model_estimate_cost). */
typedef struct igny8_cost {
    double usd;        /**< USD */
    int64_t credits;   /**< credits, rounded up to a whole credit */
} igny8_cost;

/** Add a model described by a JSON object (see above; model_name, provider and
 *  model_type required; is_active defaults to true). *out may be NULL; else the new
 *  snapshot, caller's, release with igny8_model_free().
 *  IGNY8_EINVAL: bad field (named); IGNY8_EEXISTS: model_name taken, or is_default
 *  while the type has a default (field "is_default"); IGNY8_ENOTFOUND: unknown provider. */
IGNY8_API int igny8_model_add_json(igny8_store *st, const char *actor, const char *json,
                                   igny8_model **out);

/** Update a model with a JSON patch: fields present are changed, null clears a price;
 *  model_name, provider and model_type cannot change. *out as for add.
 *  IGNY8_ENOTFOUND: no such model; IGNY8_EINVAL / IGNY8_EEXISTS: as for add. */
IGNY8_API int igny8_model_update_json(igny8_store *st, const char *actor, const char *model_name,
                                      const char *patch_json, igny8_model **out);

/** Activate (active != 0) or deactivate a model. IGNY8_ENOTFOUND: no such model. */
IGNY8_API int igny8_model_set_active(igny8_store *st, const char *actor, const char *model_name,
                                     int active);

/** Make the model the default of its type, clearing the previous default in the same
 *  transaction. IGNY8_ENOTFOUND: no such model; IGNY8_EINVAL: the model is inactive. */
IGNY8_API int igny8_model_set_default(igny8_store *st, const char *actor, const char *model_name);

/** Look a model up by name. *out: caller's, release with igny8_model_free(); NULL on error.
 *  IGNY8_ENOTFOUND: no such model. */
IGNY8_API int igny8_model_get(igny8_store *st, const char *model_name, igny8_model **out);

/** The models matching filter (NULL = all), ordered by model_name.
 *  *out: caller's, release with igny8_models_free(). IGNY8_EINVAL: bad filter. */
IGNY8_API int igny8_model_list(igny8_store *st, const igny8_model_filter *filter,
                               igny8_models **out);

/** The same list as a JSON array of model objects. *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_model_list_json(igny8_store *st, const igny8_model_filter *filter,
                                    char **out_json);

/** Number of models in a list (0 for NULL). */
IGNY8_API size_t igny8_models_count(const igny8_models *list);
/** The i-th model of a list, owned by the list; NULL when i is out of range. */
IGNY8_API const igny8_model *igny8_models_at(const igny8_models *list, size_t i);
/** Free a list and its models. NULL is a no-op. */
IGNY8_API void igny8_models_free(igny8_models *list);

/** The model as a JSON object (the shape above). *out_json: caller's, igny8_free().
 *  IGNY8_EINVAL: NULL argument. */
IGNY8_API int igny8_model_to_json(const igny8_model *m, char **out_json);

/** Estimate the cost of a call: tokens for a text model, images for an image model.
 *  IGNY8_EINVAL: a negative count, or a count that does not fit the model's type
 *  (field "images" / "input_tokens"); IGNY8_ENOTFOUND: the price needed is not set
 *  (field: the price's name). */
IGNY8_API int igny8_model_estimate_cost(const igny8_model *m, int64_t input_tokens,
                                        int64_t output_tokens, int64_t images, igny8_cost *out);

/* Getters: strings are owned by the model and live until it is freed. */
IGNY8_API const char *igny8_model_name(const igny8_model *m);
IGNY8_API const char *igny8_model_display_name(const igny8_model *m);
IGNY8_API const char *igny8_model_provider(const igny8_model *m);
/** The integration the model belongs to (its provider and type, e.g. "dalle" for dall-e-3). */
IGNY8_API const char *igny8_model_integration(const igny8_model *m);
/** IGNY8_MODEL_TEXT or IGNY8_MODEL_IMAGE. */
IGNY8_API int igny8_model_type(const igny8_model *m);
/** Prices in USD; NaN when not set. */
IGNY8_API double igny8_model_input_cost_per_1k(const igny8_model *m);
IGNY8_API double igny8_model_output_cost_per_1k(const igny8_model *m);
IGNY8_API double igny8_model_cost_per_image(const igny8_model *m);
/** Credit rates; 0 when not set. */
IGNY8_API int igny8_model_tokens_per_credit(const igny8_model *m);
IGNY8_API int igny8_model_credits_per_image(const igny8_model *m);
/** The most output tokens the model can produce; 0 when not set (no cap). */
IGNY8_API int igny8_model_max_output_tokens(const igny8_model *m);
IGNY8_API int igny8_model_is_active(const igny8_model *m);
IGNY8_API int igny8_model_is_default(const igny8_model *m);
/** When and by whom the model was last written (ISO 8601 UTC). */
IGNY8_API const char *igny8_model_updated_at(const igny8_model *m);
IGNY8_API const char *igny8_model_updated_by(const igny8_model *m);

/** Free a model snapshot. NULL is a no-op. */
IGNY8_API void igny8_model_free(igny8_model *m);

/** "text" or "image" for a model type; NULL for anything else. Static. */
IGNY8_API const char *igny8_model_type_name(int model_type);

IGNY8_END_DECL

#endif
