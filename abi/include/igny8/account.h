/*
 * libigny8settings — an account's model choices and the operations they apply to.
 * An account may choose a provider per model type (e.g. "anthropic" for text,
 * "runware" for images; unset = the platform's) and a model per operation.
 * Account ids are the host's positive 64-bit primary keys; the library never invents
 * accounts, and an id < 1 is IGNY8_EINVAL (field "account_id").
 * Thread safety: store calls as in store.h.
 */
#ifndef IGNY8_ACCOUNT_H
#define IGNY8_ACCOUNT_H

#include "common.h"

IGNY8_BEGIN_DECL

/** Choose the account's provider for a model type: a provider ("openai") or an
 *  integration name ("dalle") that has an integration of that type; NULL follows the
 *  platform again. IGNY8_EINVAL: bad model type; IGNY8_ENOTFOUND: no such integration. */
IGNY8_API int igny8_account_provider_set(igny8_store *st, const char *actor, int64_t account_id,
                                         int model_type, const char *provider);

/** Choose the account's model for an operation; NULL removes the choice.
 *  IGNY8_ENOTFOUND: unknown operation (field "operation") or model (field "model");
 *  IGNY8_EINVAL: the model is inactive or of another type than the operation's. */
IGNY8_API int igny8_account_operation_model_set(igny8_store *st, const char *actor, int64_t account_id,
                                                const char *operation, const char *model_name);

/** The account's choices as JSON: {"account_id":7,"providers":{"text":"anthropic",
 *  "image":null},"operations":{"clustering":"gpt-4o"}}. *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_account_models_get_json(igny8_store *st, int64_t account_id, char **out_json);

/** The operation's model type into *out. IGNY8_ENOTFOUND: unknown operation. */
IGNY8_API int igny8_operation_model_type(igny8_store *st, const char *operation, int *out);

/** Every operation as a JSON array of {"name","model_type","description"}.
 *  *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_operation_list_json(igny8_store *st, char **out_json);

IGNY8_END_DECL

#endif
