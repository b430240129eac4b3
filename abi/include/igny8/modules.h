/*
 * libigny8settings — module toggles (GlobalModuleSettings): a platform-wide on/off per
 * module and an optional override per account.
 * Thread safety: store calls as in store.h.
 */
#ifndef IGNY8_MODULES_H
#define IGNY8_MODULES_H

#include "common.h"

IGNY8_BEGIN_DECL

/** Value of igny8_module_account_set(): remove the account's override. */
#define IGNY8_MODULE_INHERIT (-1)

/** Add a module (name: lowercase letters, digits and '_', 1..64 chars).
 *  IGNY8_EEXISTS: it exists; IGNY8_EINVAL: bad name (field "name"). */
IGNY8_API int igny8_module_add(igny8_store *st, const char *actor, const char *name,
                               const char *description, int enabled);

/** Turn a module on or off for the whole platform. IGNY8_ENOTFOUND: unknown module. */
IGNY8_API int igny8_module_set(igny8_store *st, const char *actor, const char *name, int enabled);

/** Override a module for an account: 1 on, 0 off, IGNY8_MODULE_INHERIT follows the platform.
 *  IGNY8_ENOTFOUND: unknown module; IGNY8_EINVAL: account_id < 1 or another value. */
IGNY8_API int igny8_module_account_set(igny8_store *st, const char *actor, int64_t account_id,
                                       const char *name, int enabled);

/** Whether the module is on for the account (account_id 0: the platform's value) into *out.
 *  IGNY8_ENOTFOUND: unknown module. */
IGNY8_API int igny8_module_enabled(igny8_store *st, int64_t account_id, const char *name, int *out);

/** GET /api/v1/system/module-settings/ for an account (0: the platform's view):
 *  {"account_id":7,"modules":[{"name":"planner","description":"...","enabled":true,
 *  "global_enabled":true,"source":"global"}]} where source is "global" or "account".
 *  *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_module_list_json(igny8_store *st, int64_t account_id, char **out_json);

/** PUT of the account's overrides: a JSON object {"planner":false,"writer":null} (null
 *  removes the override) applied in one transaction; gives the new GET body in *out_json
 *  (may be NULL). IGNY8_EINVAL: malformed JSON or a non-boolean value (field: the module);
 *  IGNY8_ENOTFOUND: unknown module (field: its name). Nothing is written on error. */
IGNY8_API int igny8_module_put_json(igny8_store *st, const char *actor, int64_t account_id,
                                    const char *body, char **out_json);

IGNY8_END_DECL

#endif
