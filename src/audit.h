#ifndef IGNY8__AUDIT_H
#define IGNY8__AUDIT_H

#include "igny8/audit.h"
#include "json.h"

/* Record one write in the audit log, inside the caller's write transaction. before and
 * after may be NULL; any string under a secret-named field is redacted as a last line of
 * defence (callers never pass keys). account_id 0: not about an account. */
int igny8__audit(igny8_store *st, const char *actor, const char *entity, const char *key,
                 int64_t account_id, const char *action, const cJSON *before, const cJSON *after);

#endif
