#ifndef IGNY8__MODEL_H
#define IGNY8__MODEL_H

#include "igny8/model.h"
#include "db.h"

/* A snapshot of a model: its registry row. The resolver's copies borrow the strings of
 * the cache's row (resolve.c); every other snapshot owns them. */
struct igny8_model {
    igny8__model_row row;
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
/* A model of the registry as a new snapshot: ENOTFOUND (field "model") when there is none,
 * or for find, *out NULL and this thread's last error untouched. */
int igny8__model_get(igny8_store *st, const char *name, igny8_model **out);
int igny8__model_find(igny8_store *st, const char *name, igny8_model **out);
/* The caller's filter (NULL: all) into *f, checked: IGNY8_EINVAL naming the field. */
int igny8__model_filter_read(igny8_model_filter *f, const igny8_model_filter *given);
/* The registry's models that pass f (checked by the caller) as a new list. */
int igny8__model_list(igny8_store *st, const igny8_model_filter *f, igny8_models **out);
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
