#ifndef IGNY8__MODEL_H
#define IGNY8__MODEL_H

#include "igny8/model.h"

/* Unset prices are NaN; unset counts are 0. */
struct igny8_model {
    char *model_name, *display_name, *provider, *integration;
    int model_type;
    double input_cost_per_1k, output_cost_per_1k, cost_per_image;
    int tokens_per_credit, credits_per_image, max_output_tokens;
    int is_active, is_default;
    char *updated_at, *updated_by;
};

struct igny8_models {
    size_t count;
    igny8_model **items;
};

/* A zeroed model with unset prices. */
void igny8__model_init(igny8_model *m);
/* Free the strings of an embedded model (not the struct). */
void igny8__model_clear(igny8_model *m);
/* Deep copy into a new snapshot. */
int igny8__model_dup(const igny8_model *src, igny8_model **out);
/* The model as a cJSON object (NULL on OOM). */
struct cJSON *igny8__model_json(const igny8_model *m);
/* Read and check a model description (the shape of igny8_model_to_json) into *m, which
 * the caller set up with igny8__model_init and clears. The read-only "integration",
 * "updated_at" and "updated_by" are accepted and ignored. Needs no store: whether the
 * provider exists and the type's default is free are the caller's checks. Errors name
 * the plain field ("input_cost_per_1k"). */
int igny8__model_from_json(igny8_model *m, const struct cJSON *obj);
/* Add a model from a parsed JSON description, inside the caller's write transaction
 * (the defaults loader and igny8_model_add_json share it). */
int igny8__model_add(igny8_store *st, const char *actor, const struct cJSON *obj);

#endif
