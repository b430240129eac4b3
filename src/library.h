#ifndef IGNY8__LIBRARY_H
#define IGNY8__LIBRARY_H

#include "igny8/library.h"
#include "json.h"

/* Validate a library item of `kind` (the JSON shape of library.h). creating: the required
 * fields must be present (an update patch may omit them). Read-only view fields ("id",
 * "kind", "revision", "updated_at", "updated_by", and for copies "account_id",
 * "source_id", "based_on_revision", "source", "source_changed", "source_active",
 * "modified") are accepted and ignored. On error the field is `path` followed by the
 * field's own path, e.g. path "$.library[3]." gives "$.library[3].structure_template.
 * sections[0].heading"; pass "" for plain field paths. Strategies need the store to know
 * the prompt types. */
int igny8__library_validate(igny8_store *st, int kind, const cJSON *item, int creating, const char *path);

/* Create a global item from a shipped-defaults entry, {"kind":"author_profile",...the
 * item's fields}, inside the caller's write transaction (the defaults loader). Errors
 * name the field's plain path ("kind", "structure_template.sections[0].heading"). */
int igny8__library_load(igny8_store *st, const char *actor, const cJSON *item);

#endif
