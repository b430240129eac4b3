/*
 * libigny8settings — the audit log: one entry for every write, made in the same
 * transaction as the write, with the state before and after as JSON. API keys never
 * appear: a key is recorded as {"configured":true} or {"configured":false}.
 * Thread safety: store calls as in store.h.
 */
#ifndef IGNY8_AUDIT_H
#define IGNY8_AUDIT_H

#include "common.h"

IGNY8_BEGIN_DECL

#define IGNY8_AUDIT_LIMIT_DEFAULT 100u
#define IGNY8_AUDIT_LIMIT_MAX 10000u

/** Filter of igny8_audit_query_json(); 0/NULL fields match everything. */
typedef struct igny8_audit_query {
    unsigned int version;   /**< IGNY8_AUDIT_QUERY_VERSION */
    const char *entity;     /**< e.g. "model", "account_integration"; NULL = any */
    int64_t account_id;     /**< entries about this account; 0 = any */
    const char *since;      /**< ISO 8601 UTC time; entries at or after it; NULL = all */
    unsigned int limit;     /**< at most this many, newest first; 0 = 100; max 10000 */
    const char *actor;      /**< entries by this actor; NULL = any */
} igny8_audit_query;

#define IGNY8_AUDIT_QUERY_VERSION 1
#define IGNY8_AUDIT_QUERY_INIT { IGNY8_AUDIT_QUERY_VERSION, NULL, 0, NULL, 0, NULL }

/** Fill *q with the defaults of the given struct version. IGNY8_EINVAL: bad version. */
IGNY8_API int igny8_audit_query_init(igny8_audit_query *q, unsigned int version);

/** Entries matching q (NULL = the newest 100), newest first, as
 *  {"entries":[{"id":1,"at":"2026-11-26T09:41:30.123Z","actor":"ops","entity":"model",
 *  "key":"gpt-4o","account_id":null,"action":"update","before":{...},"after":{...}}]}.
 *  *out_json: caller's, igny8_free(). IGNY8_EINVAL: bad filter (field named). */
IGNY8_API int igny8_audit_query_json(igny8_store *st, const igny8_audit_query *q, char **out_json);

IGNY8_END_DECL

#endif
