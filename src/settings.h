#ifndef IGNY8__SETTINGS_H
#define IGNY8__SETTINGS_H

#include "igny8/settings.h"
#include "cache.h"
#include "db.h"
#include "json.h"

#define IGNY8__FIELD_ALL 0xffu
#define IGNY8__FIELD_OVERRIDES (IGNY8_FIELD_MODEL | IGNY8_FIELD_TEMPERATURE | IGNY8_FIELD_MAX_TOKENS | \
                                IGNY8_FIELD_SIZE | IGNY8_FIELD_QUALITY | IGNY8_FIELD_STYLE)

/* Effective parameters of one integration: set field by field from the account's row,
 * else the platform's, else the built-in defaults. `source_*` say which level
 * ("account", "global", "default"). Strings point into the rows or static defaults. */
typedef struct igny8__params {
    double temperature;
    int max_tokens;
    const char *size, *quality, *style;
    const char *source_temperature, *source_max_tokens, *source_size, *source_quality, *source_style;
} igny8__params;
void igny8__params_resolve(const igny8__integ_row *platform, const igny8__integ_row *account, int model_type,
                           igny8__params *out);

void igny8__integ_row_params(const igny8__integ_row *r, igny8__param_values *out);
/* The same choice as igny8__params_resolve over plain values (the resolver's cache). */
void igny8__params_pick(const igny8__param_values *platform, const igny8__param_values *account, int model_type,
                        igny8__params *out);

/* The key chain: the account's own key, the account's key of the key_from integration,
 * the platform's own, the platform's key_from (the platform's only while global_active).
 * Returns the chosen key (one of the arguments, or NULL), its igny8_key_source, and in
 * *from_key_from whether it is the key_from integration's (its row is then that one). */
const char *igny8__key_choose(const char *account_own, const char *account_from, const char *platform_own,
                              const char *platform_from, int global_active, int *source, int *from_key_from);

/* The stored API key (keys.h: sealed, or plain in a store without master keys) to use
 * for an integration: the account's own (its row, then the row of the integration's
 * key_from), else the platform's (only when global_active). *key is a copy the caller
 * frees with igny8__free_secret (NULL when none); *source an igny8_key_source; *row_account
 * and *row_integration (borrowed from the arguments) the row it comes from, for
 * igny8__keys_reveal. account_id 0: the platform's only. */
typedef struct igny8__key_found {
    char *stored;
    int source;
    int64_t row_account;
    const char *row_integration;
} igny8__key_found;
int igny8__key_lookup(igny8_store *st, int64_t account_id, const igny8__integ_row *platform,
                      const igny8__integ_row *account, int global_active, igny8__key_found *out);

/* Shared by the typed setters and the PUT bodies, inside the caller's write transaction.
 * Errors name the plain field ("temperature"); the JSON layer prefixes its path. */
int igny8__global_integration_apply(igny8_store *st, const char *actor, const char *integration,
                                    const igny8_integration_update *u);
int igny8__account_integration_apply(igny8_store *st, const char *actor, int64_t account_id,
                                     const char *integration, const igny8_integration_update *u);
int igny8__global_active_apply(igny8_store *st, const char *actor, int active);
int igny8__global_default_model_apply(igny8_store *st, const char *actor, const char *model_name);
int igny8__global_provider_apply(igny8_store *st, const char *actor, int model_type, const char *provider);

/* Checks of an update that need no store, shared with the import: which fields apply to
 * the level (is_account) and to the integration's model type (p: its name and
 * model_type), and their values (ranges, enums, URLs; allow_http as for
 * igny8__base_url_check). Errors name the plain field. */
int igny8__integration_update_check(const igny8__integ_row *p, const igny8_integration_update *u, int is_account,
                                    int allow_http);
/* An API key's shape (8..IGNY8_API_KEY_MAX printable ASCII); the error names "key" and
 * never the key. */
int igny8__key_check(const char *key);
/* An http(s) URL of at most IGNY8_BASE_URL_MAX bytes, without credentials, query or
 * fragment, and https unless its host is loopback (127.0.0.0/8, [::1], localhost) or
 * allow_http (the store's IGNY8_STORE_ALLOW_HTTP); the error names "base_url". */
int igny8__base_url_check(const char *url, int allow_http);
/* 1 when url is plain http:// to a host that is not loopback (the key would travel
 * unencrypted); sets no error. */
int igny8__base_url_unencrypted(const char *url);

/* Read the settings fields of a JSON object into a typed update: an account's names
 * (is_account: "enabled", "model", "temperature", ...) or the platform's ("default_model",
 * ..., "base_url"); null clears a field. Secret fields and the names in `readonly`
 * (NULL-terminated) are skipped; any other field is an error. Errors name prefix + field. */
int igny8__integration_body_read(const cJSON *body, int is_account, const char *const *readonly,
                                 const char *prefix, igny8_integration_update *u);

/* Apply a global-settings PUT body (the loader's "global_settings" too). */
int igny8__global_settings_apply(igny8_store *st, const char *actor, const cJSON *body);

/* Build the snapshot of an integration for the platform (account_id 0) or an account. */
int igny8__integration_load(igny8_store *st, int64_t account_id, const char *integration,
                            igny8_integration **out);
/* The DESIGN §3 GET body of an integration for an account, as cJSON. */
cJSON *igny8__integration_json(const igny8_integration *s);

struct igny8_integration {
    char *name, *provider, *model, *size, *quality, *style, *base_url;
    int model_type, enabled, max_tokens, key_configured;
    double temperature;
    uint32_t overrides;   /* IGNY8_FIELD_* bits set at this level */
};

#endif
