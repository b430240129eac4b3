/*
 * The resolver's read path: an in-memory copy of what igny8_get_model_for_operation
 * reads, kept exactly as fresh as the store.
 *
 * - The platform's data (models, integrations with their keys, the global row,
 *   operations, access groups, the platform's fallback chains, the last connection
 *   tests) is one immutable, reference-counted snapshot; resolutions keep a reference to
 *   it, so they can point into it.
 * - Accounts' settings are loaded on demand into a bounded cache, sized by
 *   igny8_store_options.cache_accounts; when it is full, the clock algorithm evicts an
 *   account not used since the hand last passed (a hit only sets a bit in the entry it has
 *   already read: no list to relink on the hot path).
 * - Freshness: every call compares the backend's change token (db.h: SQLite's WAL-index
 *   header, 48 bytes that every commit of any connection in any process rewrites, read
 *   through a mapping; PostgreSQL's change-log position, one round trip) and this
 *   handle's own write counter with what the cache last saw. Equal: the cache is current.
 *   Different: one read transaction reads change_log from the last position (filled by
 *   triggers, so every writer is seen) and drops the accounts that changed; platform
 *   data changed: a new snapshot that reads again only the parts the log names (the
 *   global row, integrations, models, operations, groups, chains, tests) and shares the
 *   others, the account entries kept unless a model, integration, operation or group
 *   came or went (they hold indexes into it); the log trimmed past us: every entry goes.
 *   Without a token (no WAL) every call takes that transaction.
 * - A first read of an account on a current cache is one statement: its three tables,
 *   its plan (own models and chains only under its access row) and the log's end, in one
 *   snapshot; a log that moved since the token was compared sends it down the
 *   transaction above instead.
 * The cache sees only the plain rows of db.h: it depends on the SQL layer, never on the
 * domain. All functions run with the store mutex held.
 */
#ifndef IGNY8__CACHE_H
#define IGNY8__CACHE_H

#include "db.h"
#include "store.h"

/* The parameter values of one level (unset: NaN, 0, NULL), as the resolver picks them
 * field by field (settings.h, igny8__params_pick). */
typedef struct igny8__param_values {
    double temperature;
    int max_tokens;
    const char *size, *quality, *style;
} igny8__param_values;

/* What a platform entry of the change log changed (db.h, igny8__change_fn): the part of
 * the snapshot a reader reloads; 0, unknown, reloads them all. Providers are not read by
 * the resolver: a change of them reloads nothing. Since schema 8: access groups and their
 * models (6), the platform's fallback chains (7), and every connection status (8). */
enum { IGNY8__PART_GLOBAL = 1, IGNY8__PART_INTEGRATIONS, IGNY8__PART_MODELS, IGNY8__PART_OPERATIONS,
       IGNY8__PART_PROVIDERS, IGNY8__PART_GROUPS, IGNY8__PART_CHAINS, IGNY8__PART_HEALTH };

/* One table's rows, shared by every snapshot that did not reload them (refs atomic). */
typedef struct igny8__snapshot_part {
    int refs;
    int kind;                   /* an IGNY8__PART_* that is a table (not _GLOBAL, _PROVIDERS) */
    size_t n, cap;
    void *items;                /* igny8__integ_row, igny8__model_row, char * (an operation's name),
                                   or cache.c's own items of groups, chains and health */
    int *types;                 /* operations: each one's model type */
} igny8__snapshot_part;

/* The error classes of a failed connection test (health.h), as the cache keeps them. */
enum { IGNY8__CLASS_NONE = 0, IGNY8__CLASS_AUTH, IGNY8__CLASS_RATE_LIMITED, IGNY8__CLASS_TIMEOUT,
       IGNY8__CLASS_NETWORK, IGNY8__CLASS_SERVER, IGNY8__CLASS_UNEXPECTED };
/* "auth", ... ("unexpected" for anything unknown); NULL for IGNY8__CLASS_NONE. */
const char *igny8__class_name(int error_class);

typedef struct igny8__snapshot {
    int refs;                   /* atomic */
    igny8__snapshot_part *parts[IGNY8__PART_HEALTH + 1];  /* the tables, by part */
    char *global_text, *global_image;  /* the global row's integration names */
    int global_active;
    int type_integration[3];    /* per model type: the platform's integration, -1 none */
    int default_model[3];       /* per model type: the registry default, -1 none */
    /* the parts' rows, as the resolver reads them */
    size_t n_integrations;
    igny8__integ_row *integrations;   /* platform rows by name order, keys included */
    int *integration_key_from;        /* index of key_from, -1 */
    int *integration_default_model;   /* index of the default model, -1 */
    size_t n_models;
    igny8__model_row *models;   /* by name order */
    int *model_integration;     /* index of the model's integration */
    size_t n_operations;
    char **operation_names;     /* by name order */
    int *operation_types;
    /* access groups, by name order: each a bitmap of model indexes, group_words words */
    size_t n_groups, group_words;
    const char **group_names;
    uint64_t *group_bits;
    /* the platform's fallback chains: per operation, chain_count[op] model indexes from
     * chain_models[chain_first[op]] (-2: a name the registry lacks) */
    int *chain_first, *chain_count, *chain_models;
    /* the platform's last connection test per integration: when it failed (ms since the
     * epoch; 0 when it passed or never ran) and why (IGNY8__CLASS_*) */
    int64_t *failed_at;
    unsigned char *failed_class;
    /* the last test of each account's own key, by account then integration (few: only
     * accounts that bring a key and test it) */
    size_t n_account_tests;
    struct igny8__account_test *account_tests;
} igny8__snapshot;

typedef struct igny8__account_test {
    int64_t account_id;
    int integration;
    int failed_class;
    int64_t failed_at;          /* as the snapshot's */
} igny8__account_test;

typedef struct igny8__account_row {
    int integration;            /* index in the snapshot */
    int enabled;
    int model;                  /* index of the override, -1 none, -2 a name the snapshot lacks */
    igny8__param_values params;
    char *api_key;
} igny8__account_row;

/* What an account has of plans and fallbacks (access.h), when it has any. */
typedef struct igny8__account_chain {
    int operation, position;
    int model;                  /* -1: the chain is empty; -2: a name the snapshot lacks */
} igny8__account_chain;
typedef struct igny8__account_rule {
    int model;                  /* -2: a name the snapshot lacks */
    int rule;                   /* IGNY8_ACCESS_ALLOW or _DENY */
} igny8__account_rule;
typedef struct igny8__account_extra {
    int group;                  /* index in the snapshot; -1 none; -2 a name it lacks (allows nothing) */
    double max_cost_per_1k_tokens, max_cost_per_image;  /* NaN: none */
    size_t n_rules, n_chain;
    igny8__account_rule *rules;
    igny8__account_chain *chain;     /* by operation, then position */
} igny8__account_extra;

typedef struct igny8__account {
    int64_t id;
    int provider[3];            /* per model type: the account's integration, -1 none */
    size_t n_rows;
    igny8__account_row *rows;   /* in the same allocation, right after the entry */
    size_t n_ops;
    int *op_operation, *op_model;    /* operation index -> model index (-2: unknown) */
    igny8__account_extra *x;    /* NULL: no access row (nor own models or chains, which it heads) */
    int refs;                   /* atomic: the cache's, and each resolution's that points into it */
    size_t slot;                /* its place in the cache's clock ring */
    unsigned char referenced;   /* used since the clock hand last passed */
} igny8__account;

int igny8__cache_open(igny8_store *st);
void igny8__cache_close(igny8_store *st);

/* Make the cache current, then give the snapshot (a new reference, released with
 * igny8__snapshot_release) and the account's entry (valid until the next cache call, or
 * while retained). */
int igny8__cache_get(igny8_store *st, int64_t account_id, igny8__snapshot **snap, igny8__account **account);
void igny8__snapshot_release(igny8__snapshot *snap);

/* An entry outlives its place in the cache while a resolution holds it: its rows never
 * change, so a resolution may point into them instead of copying. Release frees the
 * entry when the last reference goes, on any thread. */
void igny8__account_retain(const igny8__account *a);
void igny8__account_release(const igny8__account *a);

/* Lookups in a snapshot by name: the index, or -1. */
int igny8__snapshot_model(const igny8__snapshot *s, const char *name);
int igny8__snapshot_integration(const igny8__snapshot *s, const char *name);
int igny8__snapshot_operation(const igny8__snapshot *s, const char *name);
int igny8__snapshot_group(const igny8__snapshot *s, const char *name);
/* The last test of an account's own key for an integration, or NULL. */
const igny8__account_test *igny8__snapshot_account_test(const igny8__snapshot *s, int64_t account_id, int integration);
/* The account's row for an integration, or NULL. */
const igny8__account_row *igny8__account_row_of(const igny8__account *a, int integration);

#endif
