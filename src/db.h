/*
 * The SQL layer: every SQL statement of the library lives behind this interface. The
 * domain code (model.c, settings.c, resolve.c, ...) sees rows as the plain C structs
 * declared here and never SQL or a backend; the SQL files (src/db_*.c) are written once
 * for both backends (db_backend.h; SQLite in src/sqlite/, PostgreSQL in src/postgres/)
 * and include no domain header. All functions run inside a transaction opened by
 * store.c; strings in rows are allocated with igny8__malloc and released by the
 * matching *_clear().
 */
#ifndef IGNY8__DB_H
#define IGNY8__DB_H

#include "common.h"

/* ---- connection, transactions, schema (db_statement.c, and each backend) ---- */
/* What igny8_store_open hands the backend it chose, from the store's options. */
typedef struct igny8__open_params {
    const char *target;            /* the path, or the PostgreSQL URL or connection string */
    uint32_t flags;                /* IGNY8_STORE_* */
    unsigned int busy_timeout_ms;  /* how long a write waits for another writer */
    const char *schema;            /* PostgreSQL: the schema the store lives in */
} igny8__open_params;
/* Open the store with the backend its target names (a postgresql:// or postgres:// URL,
 * or IGNY8_STORE_POSTGRES: PostgreSQL; anything else: a SQLite file), creating or
 * migrating its schema. Sets st->db. */
int igny8__db_open(igny8_store *st, const igny8__open_params *p);
void igny8__db_close(igny8_store *st);
/* "sqlite" or "postgresql". */
const char *igny8__db_backend_name(igny8_store *st);
int igny8__db_begin(igny8_store *st, int write);
int igny8__db_commit(igny8_store *st);
void igny8__db_rollback(igny8_store *st);
int igny8__db_schema_version(igny8_store *st, int *out);
/* ---- keys at rest (db_keys.c) ---- */

/* The check value recorded for a master key id into *check (NULL: not recorded). */
int igny8__db_master_key_check(igny8_store *st, const char *key_id, char **check);
int igny8__db_master_key_count(igny8_store *st, int *out);
int igny8__db_master_key_add(igny8_store *st, const char *key_id, const char *check, const char *at, const char *by);
/* Forget every master key but keep_id (after a rotation). */
int igny8__db_master_keys_clear(igny8_store *st, const char *keep_id);
/* One stored API key: account_id 0 for the platform's integration row. */
typedef struct igny8__stored_key_row {
    int64_t account_id;
    char *integration;
    char *stored;
} igny8__stored_key_row;
/* Every stored key of both tables, platform first; *rows: release with igny8__stored_keys_free. */
int igny8__db_stored_keys(igny8_store *st, igny8__stored_key_row **rows, size_t *n);
void igny8__stored_keys_free(igny8__stored_key_row *rows, size_t n);
/* Replace the api_key of one existing row (the rest of the row stays). */
int igny8__db_stored_key_set(igny8_store *st, int64_t account_id, const char *integration, const char *stored);

/* 1 when the store has no providers and no models (igny8_defaults_load's rule). */
int igny8__db_is_empty(igny8_store *st, int *out);
/* Why the backend will refuse writes although the store was opened read-write (SQLite:
 * this process may not write the file; PostgreSQL: the server is a standby), or NULL. */
const char *igny8__db_readonly_reason(igny8_store *st);
/* The bytes the store takes (the SQLite file; the PostgreSQL schema's tables). */
int64_t igny8__db_size(igny8_store *st);

/* ---- providers, integrations, operations (db_settings.c) ---- */
typedef struct igny8__provider_row {
    const char *name, *display_name, *connection_test, *default_base_url;
} igny8__provider_row;
int igny8__db_provider_exists(igny8_store *st, const char *name, int *out);

/* One integration's settings: the platform's row (integration table) or an account's
 * (account_integration). Unset values: NULL strings, NaN temperature, 0 max_tokens. */
typedef struct igny8__integ_row {
    char *name;
    char *provider;        /* platform rows only */
    int model_type;        /* platform rows only */
    char *key_from;        /* platform rows only: integration whose key is used when none is set */
    int exists;            /* account rows: 1 when the account has a row */
    int enabled;           /* account rows: 1 unless disabled */
    char *model;           /* platform: default model; account: override */
    double temperature;
    int max_tokens;
    char *size, *quality, *style;
    char *base_url;        /* platform rows only */
    char *api_key;
    char *updated_at, *updated_by;
} igny8__integ_row;
void igny8__integ_row_init(igny8__integ_row *r);
void igny8__integ_row_clear(igny8__integ_row *r);
int igny8__integ_row_copy(igny8__integ_row *dst, const igny8__integ_row *src);

int igny8__db_integration_insert(igny8_store *st, const igny8__integ_row *r);
/* IGNY8_ENOTFOUND (field "integration") for an unknown name. */
int igny8__db_integration_get(igny8_store *st, const char *name, igny8__integ_row *out);
/* Every integration row, in name order, in one statement: fn may take the row's strings
 * (setting them NULL); what it leaves is freed. */
typedef int (*igny8__integ_take_fn)(void *payload, igny8__integ_row *row);
int igny8__db_integration_each(igny8_store *st, igny8__integ_take_fn fn, void *payload);
int igny8__db_integration_update(igny8_store *st, const igny8__integ_row *r);
/* The integration of model_type whose name or provider is `name`; ENOTFOUND if none. */
int igny8__db_integration_find(igny8_store *st, const char *name, int model_type, char **out);
/* Every integration name, in name order: a NULL-terminated array, freed with
 * igny8__db_strv_free(). */
int igny8__db_integration_names(igny8_store *st, char ***out);
void igny8__db_strv_free(char **v);

/* Account rows: *out->exists is 0 (and the rest unset, enabled 1) when the account has
 * no row. put upserts; delete removes. */
int igny8__db_account_integration_get(igny8_store *st, int64_t account_id, const char *name,
                                      igny8__integ_row *out);
int igny8__db_account_integration_put(igny8_store *st, int64_t account_id, const igny8__integ_row *r);
int igny8__db_account_integration_delete(igny8_store *st, int64_t account_id, const char *name);

typedef struct igny8__global_row {
    int is_active;
    char *text_integration, *image_integration;
    char *updated_at, *updated_by;
} igny8__global_row;
void igny8__global_row_clear(igny8__global_row *g);
int igny8__db_global_get(igny8_store *st, igny8__global_row *out);
int igny8__db_global_update(igny8_store *st, const igny8__global_row *g);

int igny8__db_operation_insert(igny8_store *st, const char *name, int model_type, const char *description);
/* ENOTFOUND (field "operation") for an unknown operation. */
int igny8__db_operation_type(igny8_store *st, const char *name, int *out);
/* Calls fn for each operation in name order; a non-zero return stops and is returned. */
typedef int (*igny8__operation_fn)(void *payload, const char *name, int model_type,
                                   const char *description);
int igny8__db_operation_each(igny8_store *st, igny8__operation_fn fn, void *payload);

/* ---- account model choices (db_account.c) ---- */
/* *out NULL when the account made no choice. */
int igny8__db_account_provider_get(igny8_store *st, int64_t account_id, int model_type, char **out);
int igny8__db_account_provider_set(igny8_store *st, int64_t account_id, int model_type,
                                   const char *integration, const char *now, const char *actor);
int igny8__db_account_operation_model_get(igny8_store *st, int64_t account_id, const char *operation,
                                          char **out);
int igny8__db_account_operation_model_set(igny8_store *st, int64_t account_id, const char *operation,
                                          const char *model_name, const char *now, const char *actor);
/* Calls fn(payload, operation, model) for each of the account's operation choices. */
typedef int (*igny8__pair_fn)(void *payload, const char *a, const char *b);
int igny8__db_account_operation_model_each(igny8_store *st, int64_t account_id, igny8__pair_fn fn,
                                           void *payload);

/* ---- models (db_model.c) ---- */
/* A model of the registry. Unset prices are NaN; unset counts are 0. integration is read
 * (the integration of the model's provider and type) and ignored by writes. */
typedef struct igny8__model_row {
    char *model_name, *display_name, *provider, *integration;
    int model_type;
    double input_cost_per_1k, output_cost_per_1k, cost_per_image;
    int tokens_per_credit, credits_per_image, max_output_tokens;
    int is_active, is_default;
    char *updated_at, *updated_by;
} igny8__model_row;
/* A zeroed row with unset prices, active. */
void igny8__model_row_init(igny8__model_row *m);
void igny8__model_row_clear(igny8__model_row *m);
/* *found 0 (and *out initialised) when the registry has no such model; this thread's
 * last error is then untouched. */
int igny8__db_model_find(igny8_store *st, const char *name, igny8__model_row *out, int *found);
/* Which models igny8__db_model_each gives: NULL / 0 / -1 mean any. */
typedef struct igny8__model_filter {
    const char *provider;
    int model_type;
    int active;     /* 1 active, 0 inactive, -1 any */
} igny8__model_filter;
/* fn may take the row's strings (setting them NULL); what it leaves is freed. */
typedef int (*igny8__model_fn)(void *payload, igny8__model_row *row);
int igny8__db_model_each(igny8_store *st, const igny8__model_filter *f, igny8__model_fn fn, void *payload);
int igny8__db_model_insert(igny8_store *st, const igny8__model_row *m);
int igny8__db_model_update(igny8_store *st, const igny8__model_row *m);
/* The is_default model of a type into *out (NULL when none). */
int igny8__db_model_default_name(igny8_store *st, int model_type, char **out);

/* ---- modules (db_modules.c) ---- */
typedef struct igny8__module_row {
    const char *name, *description;
    int enabled;          /* the platform's value */
    int account_enabled;  /* the account's override, or -1 */
} igny8__module_row;
int igny8__db_module_insert(igny8_store *st, const char *name, const char *description, int enabled,
                            const char *now, const char *actor);
/* ENOTFOUND (field "module") for an unknown module; account_id 0: no override read. */
int igny8__db_module_get(igny8_store *st, int64_t account_id, const char *name, int *enabled,
                         int *account_enabled);
int igny8__db_module_set(igny8_store *st, const char *name, int enabled, const char *now,
                         const char *actor);
/* enabled < 0 removes the override. */
int igny8__db_module_account_set(igny8_store *st, int64_t account_id, const char *name, int enabled,
                                 const char *now, const char *actor);
typedef int (*igny8__module_fn)(void *payload, const igny8__module_row *row);
int igny8__db_module_each(igny8_store *st, int64_t account_id, igny8__module_fn fn, void *payload);

/* ---- prompts (db_prompt.c) ---- */
typedef struct igny8__prompt_type_row {
    char *name;
    int is_active;
    int published_version;  /* 0: none */
    int latest_version;     /* 0: no versions */
} igny8__prompt_type_row;
void igny8__prompt_type_row_clear(igny8__prompt_type_row *r);
int igny8__db_prompt_type_insert(igny8_store *st, const char *name, const char *now, const char *actor);
/* ENOTFOUND (field "prompt_type") for an unknown type. */
int igny8__db_prompt_type_get(igny8_store *st, const char *name, igny8__prompt_type_row *out);
int igny8__db_prompt_type_update(igny8_store *st, const igny8__prompt_type_row *r, const char *now, const char *actor);
typedef int (*igny8__prompt_type_fn)(void *payload, const igny8__prompt_type_row *row);
int igny8__db_prompt_type_each(igny8_store *st, igny8__prompt_type_fn fn, void *payload);

/* A global version (prompt_type, version, value, variables, description, message, author,
 * created_at; is_published and is_active read from its type and ignored by writes), or an
 * account's customisation (prompt_type, value, default_prompt, based_on_version, and
 * author and created_at for its updated_by and updated_at). */
typedef struct igny8__prompt_row {
    char *prompt_type, *value, *variables, *description, *message, *author, *created_at, *default_prompt;
    int version, based_on_version, is_published, is_active;
} igny8__prompt_row;
void igny8__prompt_row_clear(igny8__prompt_row *r);
int igny8__db_prompt_version_insert(igny8_store *st, const igny8__prompt_row *p);
/* ENOTFOUND (field "version") for a missing version. */
int igny8__db_prompt_version_get(igny8_store *st, const char *type, int version, igny8__prompt_row *out);
/* Each version of a type, newest first; the row is the callback's only for the call. */
typedef int (*igny8__prompt_fn)(void *payload, const igny8__prompt_row *p);
int igny8__db_prompt_version_each(igny8_store *st, const char *type, igny8__prompt_fn fn, void *payload);

/* An account's customisation; *found 0 when there is none. */
int igny8__db_account_prompt_get(igny8_store *st, int64_t account_id, const char *type, igny8__prompt_row *out,
                                 int *found);
int igny8__db_account_prompt_put(igny8_store *st, int64_t account_id, const igny8__prompt_row *p);
int igny8__db_account_prompt_delete(igny8_store *st, int64_t account_id, const char *type);
/* Accounts of a type whose customisation is based on a version below `version`. */
typedef int (*igny8__account_version_fn)(void *payload, int64_t account_id, int based_on_version);
int igny8__db_account_prompt_stale_each(igny8_store *st, const char *type, int version,
                                        igny8__account_version_fn fn, void *payload);

/* ---- library items: author profiles, strategies, the accounts' copies (db_library.c) ---- */
int igny8__db_prompt_type_exists(igny8_store *st, const char *name, int *out);

/* A global item (account_id 0) or an account's copy. The kind's own fields are one JSON
 * object in `fields`; a copy also keeps its source's revision and content (`based_on`,
 * JSON text) from clone or reset time, and reads the source's current name, revision and
 * is_active (source_*; ignored by writes). Strings are released by *_row_clear(). */
typedef struct igny8__library_row {
    int64_t id;
    int kind;
    char *name, *description, *category, *fields;
    int is_active;
    int revision;            /* global items */
    char *updated_at, *updated_by;
    int64_t account_id;      /* copies from here on */
    int64_t source_id;
    int based_on_revision;
    char *based_on;
    char *source_name;
    int source_revision, source_active;
} igny8__library_row;
void igny8__library_row_clear(igny8__library_row *r);
typedef int (*igny8__library_fn)(void *payload, const igny8__library_row *row);

/* IGNY8_EEXISTS (field "name") when the kind has an item of that name. */
int igny8__db_library_insert(igny8_store *st, const igny8__library_row *r, int64_t *out_id);
int igny8__db_library_update(igny8_store *st, const igny8__library_row *r);
/* IGNY8_ENOTFOUND (field "id") when the kind has no such item. */
int igny8__db_library_get(igny8_store *st, int kind, int64_t id, igny8__library_row *out);
/* The kind's items matching f (checked by the caller; NULL: all), by name. */
/* Which items igny8__db_library_each gives: NULL / 0 mean any. search: a case-insensitive
 * (ASCII) substring of the name or description. */
typedef struct igny8__library_filter {
    const char *category;
    int active;     /* 1 active, 0 inactive, -1 any */
    const char *search;
} igny8__library_filter;
int igny8__db_library_each(igny8_store *st, int kind, const igny8__library_filter *f, igny8__library_fn fn,
                           void *payload);

/* IGNY8_EEXISTS when the account has a copy of the source already. */
int igny8__db_library_copy_insert(igny8_store *st, const igny8__library_row *r, int64_t *out_id);
int igny8__db_library_copy_update(igny8_store *st, const igny8__library_row *r);
/* IGNY8_ENOTFOUND (field "id") unless the account has a copy of that kind with that id. */
int igny8__db_library_copy_get(igny8_store *st, int kind, int64_t account_id, int64_t id,
                               igny8__library_row *out);
/* The id of the account's copy of a source into *out_id; 0 when there is none. */
int igny8__db_library_copy_find(igny8_store *st, int64_t account_id, int64_t source_id, int64_t *out_id);
int igny8__db_library_copy_delete(igny8_store *st, int kind, int64_t account_id, int64_t id);
/* The account's copies of the kind, by name. */
int igny8__db_library_copy_each(igny8_store *st, int kind, int64_t account_id, igny8__library_fn fn,
                                void *payload);

/* ---- the change log behind the resolver's cache (db_cache.c) ---- */
/* A token that differs after every commit to the store, by any connection in any process
 * or on any host (SQLite: the WAL-index header, read through SQLite's own mapping of the
 * -shm file; PostgreSQL: the change log's position, one round trip). *known 0 when the
 * backend has none right now (":memory:", no WAL yet): then only a transaction tells.
 * *log_id names the change log itself: PostgreSQL's table oid, which a store dropped and
 * made again changes while seq numbers come back; 0 on SQLite, where a file cannot be made
 * anew under an open connection. */
#define IGNY8__CHANGE_TOKEN_BYTES 48
int igny8__db_change_token(igny8_store *st, unsigned char out[IGNY8__CHANGE_TOKEN_BYTES], int *known,
                           int64_t *log_id);
/* The highest seq in the log (0 when empty). */
int igny8__db_change_log_end(igny8_store *st, int64_t *end);
/* Each entry from seq `from` on, in order: fn(payload, seq, account_id, part) with
 * account_id 0 for platform data, and then part the snapshot part it changed (cache.h,
 * IGNY8__PART_*; 0 unknown: an entry written before schema 7). */
typedef int (*igny8__change_fn)(void *payload, int64_t seq, int64_t account_id, int part);
int igny8__db_change_log_each(igny8_store *st, int64_t from, igny8__change_fn fn, void *payload);
/* Everything the resolver's cache keeps of an account, in one statement (one snapshot,
 * and one round trip on PostgreSQL): each account_integration row (row->name set), each
 * provider choice per model type (IGNY8_MODEL_*), each operation's model, and the change
 * log's end in the same snapshot (the highest seq, 0 when empty). */
typedef int (*igny8__integ_row_fn)(void *payload, const igny8__integ_row *row);
typedef struct igny8__account_rows_fns {
    igny8__integ_row_fn integration;
    int (*provider)(void *payload, int model_type, const char *integration);
    igny8__pair_fn operation;
    int (*log_end)(void *payload, int64_t seq);
    /* since schema 8: the access row (group, ceilings: NaN none), each own addition or
     * removal, each model of the account's chains (model NULL: an empty chain; position
     * says where); the last two only for an account with an access row, their header */
    int (*access)(void *payload, const char *group, double max_cost_per_1k_tokens, double max_cost_per_image);
    int (*access_model)(void *payload, const char *model, int allowed);
    int (*chain)(void *payload, const char *operation, int position, const char *model);
} igny8__account_rows_fns;
int igny8__db_account_rows_each(igny8_store *st, int64_t account_id, const igny8__account_rows_fns *fns, void *payload);

/* ---- plans and fallbacks: access groups, accounts' access, fallback chains (db_access.c) ---- */
/* A group: the platform's named set of models. accounts is read (how many accounts are
 * assigned it) and ignored by writes. */
typedef struct igny8__access_group_row {
    char *name, *description, *updated_at, *updated_by;
    int64_t accounts;
} igny8__access_group_row;
void igny8__access_group_row_clear(igny8__access_group_row *r);
/* *found 0 (and *out zeroed) when there is no such group. */
int igny8__db_access_group_get(igny8_store *st, const char *name, igny8__access_group_row *out, int *found);
/* Every group in name order; the row is the callback's only for the call. */
typedef int (*igny8__access_group_fn)(void *payload, const igny8__access_group_row *row);
int igny8__db_access_group_each(igny8_store *st, igny8__access_group_fn fn, void *payload);
/* Upsert name, description and stamps. */
int igny8__db_access_group_put(igny8_store *st, const igny8__access_group_row *r);
/* Delete the group and its models. */
int igny8__db_access_group_delete(igny8_store *st, const char *name);
/* fn(payload, group, model) for every model of one group (name) or of every group (NULL),
 * by group then model; a group without models gives one call with model NULL. */
int igny8__db_access_group_models_each(igny8_store *st, const char *name, igny8__pair_fn fn, void *payload);
/* Replace the models of a group (names already checked). */
int igny8__db_access_group_models_set(igny8_store *st, const char *name, const char *const *models, size_t n);

/* An account's access row: its group, cost ceilings (NaN: none) and stamps; exists 0 (the
 * rest unset) when it has none. */
typedef struct igny8__account_access_row {
    int exists;
    char *group;
    double max_cost_per_1k_tokens, max_cost_per_image;
    char *updated_at, *updated_by;
} igny8__account_access_row;
void igny8__account_access_row_init(igny8__account_access_row *r);
void igny8__account_access_row_clear(igny8__account_access_row *r);
int igny8__db_account_access_get(igny8_store *st, int64_t account_id, igny8__account_access_row *out);
/* Every account's row by account (export); account_id in the row's callback. */
typedef int (*igny8__account_access_fn)(void *payload, int64_t account_id, const igny8__account_access_row *r);
int igny8__db_account_access_each(igny8_store *st, igny8__account_access_fn fn, void *payload);
int igny8__db_account_access_put(igny8_store *st, int64_t account_id, const igny8__account_access_row *r);
/* Delete the account's row when it holds nothing: no group, no ceilings, and the account
 * has no own models and no chains (the row is their header: the schema's triggers make it
 * when they come, and keep it while they are there). */
int igny8__db_account_access_prune(igny8_store *st, int64_t account_id);

/* An account's own addition (allowed 1) or removal (allowed 0) of a model. */
typedef struct igny8__access_model_row {
    int64_t account_id;
    const char *model;
    int allowed;
    const char *updated_at, *updated_by;
} igny8__access_model_row;
typedef int (*igny8__access_model_fn)(void *payload, const igny8__access_model_row *row);
/* The account's rows by model (account_id < 0: every account's, by account then model). */
int igny8__db_account_access_models_each(igny8_store *st, int64_t account_id, igny8__access_model_fn fn,
                                          void *payload);
/* Upsert the row, or delete it when allowed < 0. */
int igny8__db_account_access_model_put(igny8_store *st, const igny8__access_model_row *r);

/* One model of a fallback chain (account_id 0: the platform's), in position order; model
 * NULL: the chain is empty (an account's "no fallbacks"). */
typedef struct igny8__chain_row {
    int64_t account_id;
    const char *operation, *model;
    const char *updated_at, *updated_by;
} igny8__chain_row;
typedef int (*igny8__chain_fn)(void *payload, const igny8__chain_row *row);
/* The chains of one owner (account_id >= 0), or of all (< 0, by account), by operation
 * then position. */
int igny8__db_fallback_chain_each(igny8_store *st, int64_t account_id, igny8__chain_fn fn, void *payload);
/* Replace the chain of (account_id, operation) with models[0..n) (names already checked;
 * n 0: an empty chain), stamped; models NULL removes the chain. */
int igny8__db_fallback_chain_put(igny8_store *st, int64_t account_id, const char *operation,
                                 const char *const *models, size_t n, const char *at, const char *by);

/* ---- audit (db_audit.c) ---- */
typedef struct igny8__audit_row {
    int64_t id;
    const char *at, *actor, *entity, *key;
    int64_t account_id;    /* 0: none */
    const char *action, *before, *after;  /* JSON text or NULL */
} igny8__audit_row;
int igny8__db_audit_insert(igny8_store *st, const igny8__audit_row *row);
typedef int (*igny8__audit_fn)(void *payload, const igny8__audit_row *row);
/* Which entries igny8__db_audit_each gives, newest first: NULL / 0 mean any. */
typedef struct igny8__audit_filter {
    const char *entity, *since, *actor;
    int64_t account_id;
    int64_t limit;
} igny8__audit_filter;
int igny8__db_audit_each(igny8_store *st, const igny8__audit_filter *f, igny8__audit_fn fn, void *payload);

/* ---- export / import of the whole store (db_transfer.c) ---- */
/* Every row of a table in primary-key order through a callback (strings are borrowed for
 * the call), and writes that keep a row as it is: ids, revisions and stamps. Writes are
 * upserts on the primary key, so that merge and replace share them; any other unique
 * rule or foreign key still refuses a row. */

/* The small tables, in one shape. */
enum {
    IGNY8__TRANSFER_MODULE = 0,                 /* key name, value description, flag enabled */
    IGNY8__TRANSFER_ACCOUNT_MODULE = 1,         /* account_id, key module, flag enabled */
    IGNY8__TRANSFER_ACCOUNT_PROVIDER = 2,       /* account_id, key model type name, value integration */
    IGNY8__TRANSFER_ACCOUNT_OPERATION_MODEL = 3 /* account_id, key operation, value model name */
};
typedef struct igny8__transfer_row {
    int64_t account_id;
    const char *key, *value;
    int flag;
    const char *updated_at, *updated_by;
} igny8__transfer_row;
typedef int (*igny8__transfer_row_fn)(void *payload, const igny8__transfer_row *row);
int igny8__db_transfer_rows_each(igny8_store *st, int table, igny8__transfer_row_fn fn, void *payload);
int igny8__db_transfer_row_put(igny8_store *st, int table, const igny8__transfer_row *row);

typedef int (*igny8__provider_fn)(void *payload, const igny8__provider_row *row);
int igny8__db_transfer_providers_each(igny8_store *st, igny8__provider_fn fn, void *payload);
int igny8__db_transfer_provider_put(igny8_store *st, const igny8__provider_row *p);

/* The platform's integration rows with every column. put writes key_from as NULL (a row
 * may name an integration written after it); key_from_set sets it once all are in.
 * keep_key: a row that exists keeps its API key (r->api_key is not used then). */
typedef int (*igny8__integ_fn)(void *payload, const igny8__integ_row *row);
int igny8__db_transfer_integrations_each(igny8_store *st, igny8__integ_fn fn, void *payload);
int igny8__db_transfer_integration_put(igny8_store *st, const igny8__integ_row *r, int keep_key);
int igny8__db_transfer_key_from_set(igny8_store *st, const char *name, const char *key_from);
/* Every account's integration row (name = the integration), with the integration's type. */
typedef int (*igny8__account_integ_fn)(void *payload, int64_t account_id, int model_type,
                                       const igny8__integ_row *row);
int igny8__db_transfer_account_integrations_each(igny8_store *st, igny8__account_integ_fn fn, void *payload);
int igny8__db_transfer_account_integration_put(igny8_store *st, int64_t account_id, const igny8__integ_row *r,
                                               int keep_key);

int igny8__db_transfer_operation_put(igny8_store *st, const char *name, int model_type, const char *description);

/* A model with every column as given (integration ignored). Write the models with
 * is_default 0 first and set_default afterwards, so that a default moving between two
 * models never meets the one-default-per-type rule half-way. */
int igny8__db_transfer_model_put(igny8_store *st, const igny8__model_row *m);
int igny8__db_transfer_model_set_default(igny8_store *st, const char *name);

typedef struct igny8__transfer_prompt_type {
    const char *name;
    int is_active;
    int published_version;  /* 0: none */
    const char *updated_at, *updated_by;
} igny8__transfer_prompt_type;
typedef int (*igny8__transfer_prompt_type_fn)(void *payload, const igny8__transfer_prompt_type *t);
int igny8__db_transfer_prompt_types_each(igny8_store *st, igny8__transfer_prompt_type_fn fn, void *payload);
int igny8__db_transfer_prompt_type_put(igny8_store *st, const igny8__transfer_prompt_type *t);
/* Every version of every type, by type then version (as igny8__db_prompt_version_each). */
int igny8__db_transfer_versions_each(igny8_store *st, igny8__prompt_fn fn, void *payload);
/* A version, or *found 0 (and no error) when there is none. */
int igny8__db_transfer_version_find(igny8_store *st, const char *type, int version, igny8__prompt_row *out,
                                    int *found);
/* Every account's customisation (as igny8__db_account_prompt_get gives it, with
 * prompt_type), by account then type. */
typedef int (*igny8__account_prompt_fn)(void *payload, int64_t account_id, const igny8__prompt_row *p);
int igny8__db_transfer_account_prompts_each(igny8_store *st, igny8__account_prompt_fn fn, void *payload);

/* A library item (copies 0) or an account's copy (copies 1). */
typedef struct igny8__transfer_library_row {
    int64_t id;
    int64_t account_id, source_id;  /* copies */
    const char *kind, *name, *description, *category;
    const char *fields;             /* the kind's own fields: a JSON object text */
    int is_active;
    int revision;                   /* items */
    int based_on_revision;          /* copies */
    const char *based_on;           /* copies: the source's content at clone time, JSON text */
    const char *updated_at, *updated_by;
} igny8__transfer_library_row;
typedef int (*igny8__transfer_library_fn)(void *payload, const igny8__transfer_library_row *row);
int igny8__db_transfer_library_each(igny8_store *st, int copies, igny8__transfer_library_fn fn, void *payload);
int igny8__db_transfer_library_put(igny8_store *st, int copies, const igny8__transfer_library_row *row);

/* Lookups for which nothing found is no error: *out 0 / NULL. */
int igny8__db_transfer_operation_type(igny8_store *st, const char *name, int *out);
/* An integration's model type (0: unknown) and default model (may be NULL). */
int igny8__db_transfer_integration_find(igny8_store *st, const char *name, int *model_type, char **default_model);
/* The integration of a provider and model type. */
int igny8__db_transfer_integration_for(igny8_store *st, const char *provider, int model_type, char **out);
/* The kind name of a library item. */
int igny8__db_transfer_library_kind(igny8_store *st, int64_t id, char **out);

/* Empty every table a document holds, and the connection status (the results of tests of
 * keys the document replaces); prompt versions, which the schema otherwise never lets go,
 * through the backend. The global settings row stays, reset; the audit log stays. */
int igny8__db_transfer_clear(igny8_store *st);

/* ---- operations: connection status, health (db_health.c) ---- */
/* A provider's connection test kind ("openai_models", "anthropic_models", "runware_auth",
 * "none") and default base URL (may be NULL). IGNY8_ENOTFOUND (field "provider"). */
int igny8__db_provider_test_get(igny8_store *st, const char *provider, char **kind, char **default_base_url);

/* The last connection test of an integration with one key owner (account_id 0: the
 * platform). http_status 0: no HTTP answer; latency_ms NaN: none; error_class NULL when
 * ok. provider is read from the integration (ignored by put). */
typedef struct igny8__conn_status_row {
    const char *integration, *provider;
    int64_t account_id;
    const char *tested_at;
    int ok;
    int http_status;
    double latency_ms;
    const char *error_class, *message;
} igny8__conn_status_row;
int igny8__db_conn_status_put(igny8_store *st, const igny8__conn_status_row *row);
/* Rows by integration then account; integration NULL: all; account_id < 0: every owner. */
typedef int (*igny8__conn_status_fn)(void *payload, const igny8__conn_status_row *row);
int igny8__db_conn_status_each(igny8_store *st, const char *integration, int64_t account_id,
                               igny8__conn_status_fn fn, void *payload);

/* The backend's check of the store (SQLite: the first line of PRAGMA quick_check(1)):
 * "ok" for a sound store. */
int igny8__db_quick_check(igny8_store *st, char **out);

typedef struct igny8__health_counts {
    int64_t models, active_models;
    int64_t accounts_with_overrides;  /* accounts with any row of their own settings */
    int64_t customized_prompts, library_copies;
    int64_t access_groups, accounts_with_plans;  /* accounts with an access row: a group, a ceiling,
                                                    own models or own chains */
    int64_t fallback_chains;                     /* the platform's and accounts' */
} igny8__health_counts;
int igny8__db_health_counts(igny8_store *st, igny8__health_counts *out);

#endif
