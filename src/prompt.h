#ifndef IGNY8__PROMPT_H
#define IGNY8__PROMPT_H

#include "igny8/prompt.h"
#include "db.h"

/* A global version (is_customized 0) or an account's effective prompt: the stored row,
 * and what the domain works out. */
struct igny8_prompt {
    igny8__prompt_row row;
    int is_customized, is_stale;
};

void igny8__prompt_clear(igny8_prompt *p);

/* A prompt type name: an identifier of 1..64 letters, digits and '_'; the error names
 * `field`. */
int igny8__prompt_type_check_name(const char *name, const char *field);

/* Add a prompt type and commit and publish its first version, inside the caller's write
 * transaction (the defaults loader): {"prompt_type":..,"description":..,"value":..}. */
struct cJSON;
int igny8__prompt_load(igny8_store *st, const char *actor, const struct cJSON *item);

#endif
