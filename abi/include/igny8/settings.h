/*
 * libigny8settings — integration settings: the platform's (global) settings per
 * integration and each account's overrides, as typed calls and as the REST bodies of
 * DESIGN §3.
 *
 * An integration is a provider and a model type: "openai" and "anthropic" (text),
 * "dalle" and "runware" (image); the list lives in the store. Text integrations have
 * the parameters temperature and max_tokens, image integrations size, quality, style.
 *
 * API keys are set only through igny8_global_key_set() and igny8_account_key_set();
 * no view returns them (the global view shows {"configured":true,"last4":"abcd"}),
 * every PUT body strips key fields, and the audit log records only whether one is set.
 *
 * Thread safety: store calls as in store.h; an igny8_integration is an immutable
 * snapshot that any thread may read and exactly one thread frees.
 */
#ifndef IGNY8_SETTINGS_H
#define IGNY8_SETTINGS_H

#include "common.h"

IGNY8_BEGIN_DECL

/* Bounds of the parameters; out of range is IGNY8_EINVAL naming the field, never a clamp. */
#define IGNY8_TEMPERATURE_MIN 0.0
#define IGNY8_TEMPERATURE_MAX 2.0
#define IGNY8_MAX_TOKENS_MIN 1
#define IGNY8_MAX_TOKENS_MAX 2000000
#define IGNY8_IMAGE_SIDE_MIN 64
#define IGNY8_IMAGE_SIDE_MAX 8192
#define IGNY8_API_KEY_MAX 512
#define IGNY8_BASE_URL_MAX 2048

/* Built-in defaults, used where neither the account nor the platform sets a value. */
#define IGNY8_DEFAULT_TEMPERATURE 0.7
#define IGNY8_DEFAULT_MAX_TOKENS 8192
#define IGNY8_DEFAULT_SIZE "1024x1024"
#define IGNY8_DEFAULT_QUALITY "standard"
#define IGNY8_DEFAULT_STYLE "vivid"

/* Fields of an integration, as bits of igny8_integration_update.set / .clear and as
 * the argument of igny8_integration_is_override(). */
#define IGNY8_FIELD_ENABLED     (1u << 0)  /**< account only: the integration is on for the account */
#define IGNY8_FIELD_MODEL       (1u << 1)  /**< account: model override; global: default model */
#define IGNY8_FIELD_TEMPERATURE (1u << 2)  /**< text: 0..2 */
#define IGNY8_FIELD_MAX_TOKENS  (1u << 3)  /**< text: 1..the model's max_output_tokens */
#define IGNY8_FIELD_SIZE        (1u << 4)  /**< image: "WIDTHxHEIGHT", each side 64..8192 */
#define IGNY8_FIELD_QUALITY     (1u << 5)  /**< image: "standard" or "hd" */
#define IGNY8_FIELD_STYLE       (1u << 6)  /**< image: "vivid" or "natural" */
#define IGNY8_FIELD_BASE_URL    (1u << 7)  /**< global only: URL of the provider API (proxies, tests): https://,
                                                 or http:// to loopback or with IGNY8_STORE_ALLOW_HTTP */

/** A change to an integration's settings. Only the fields whose bits are in `set` are
 *  written; the fields whose bits are in `clear` go back to inheriting (NULL); all
 *  others stay as they are, so a zeroed struct changes nothing. A bit in both is an error. */
typedef struct igny8_integration_update {
    unsigned int version;     /**< IGNY8_INTEGRATION_UPDATE_VERSION */
    uint32_t set;             /**< IGNY8_FIELD_* bits to write */
    uint32_t clear;           /**< IGNY8_FIELD_* bits to clear */
    int enabled;              /**< with IGNY8_FIELD_ENABLED: 0 or 1 */
    const char *model;        /**< with IGNY8_FIELD_MODEL */
    double temperature;       /**< with IGNY8_FIELD_TEMPERATURE */
    int max_tokens;           /**< with IGNY8_FIELD_MAX_TOKENS */
    const char *size;         /**< with IGNY8_FIELD_SIZE */
    const char *quality;      /**< with IGNY8_FIELD_QUALITY */
    const char *style;        /**< with IGNY8_FIELD_STYLE */
    const char *base_url;     /**< with IGNY8_FIELD_BASE_URL */
} igny8_integration_update;

#define IGNY8_INTEGRATION_UPDATE_VERSION 1
#define IGNY8_INTEGRATION_UPDATE_INIT \
    { IGNY8_INTEGRATION_UPDATE_VERSION, 0, 0, 0, NULL, 0.0, 0, NULL, NULL, NULL, NULL }

/** Fill *u with the defaults (no change) of the given struct version.
 *  IGNY8_EINVAL: u is NULL or the version is unknown. */
IGNY8_API int igny8_integration_update_init(igny8_integration_update *u, unsigned int version);

/** The effective settings of one integration, for the platform or for an account. */
typedef struct igny8_integration igny8_integration;

/* ---- the platform's settings ---- */

/** The platform's settings of an integration. *out: caller's, release with
 *  igny8_integration_free(); NULL on error. IGNY8_ENOTFOUND: unknown integration. */
IGNY8_API int igny8_global_integration_get(igny8_store *st, const char *integration,
                                           igny8_integration **out);

/** Change the platform's settings of an integration (IGNY8_FIELD_MODEL sets its default
 *  model, which must be an active model of the integration; IGNY8_FIELD_ENABLED is not
 *  allowed). IGNY8_ENOTFOUND: unknown integration; IGNY8_EINVAL: a bad field (named). */
IGNY8_API int igny8_global_integration_set(igny8_store *st, const char *actor, const char *integration,
                                           const igny8_integration_update *u);

/** Set (key non-NULL) or remove (NULL) the platform's API key of an integration.
 *  IGNY8_ENOTFOUND: unknown integration; IGNY8_EINVAL: empty, too long or non-printable key. */
IGNY8_API int igny8_global_key_set(igny8_store *st, const char *actor, const char *integration,
                                   const char *key);

/** Turn the platform's settings on or off. While off, the resolver uses neither the
 *  global default models, nor the global parameters, nor the global keys. */
IGNY8_API int igny8_global_set_active(igny8_store *st, const char *actor, int active);

/** Make model_name the platform's default of its type: the platform's provider for that
 *  type becomes the model's integration and that integration's default model becomes
 *  model_name, in one write. IGNY8_ENOTFOUND: no such model; IGNY8_EINVAL: inactive. */
IGNY8_API int igny8_global_default_model_set(igny8_store *st, const char *actor, const char *model_name);

/** GET /api/v1/admin/global-settings/ body (keys masked). *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_global_settings_get_json(igny8_store *st, char **out_json);

/** PUT /api/v1/admin/global-settings/: apply a body of the GET shape (fields present are
 *  changed; null clears a setting, and "default_text_model":null leaves the text provider
 *  with no default model; key fields are stripped; read-only fields are ignored; a GET body
 *  sent back changes nothing) in one transaction and give the new GET body in *out_json
 *  (may be NULL). IGNY8_EINVAL: malformed JSON, an
 *  unknown field, a wrong type or a bad value (field: its path, e.g.
 *  "integrations.openai.temperature"); nothing is written on error. */
IGNY8_API int igny8_global_settings_put_json(igny8_store *st, const char *actor, const char *body,
                                             char **out_json);

/* ---- an account's settings ---- */

/** The effective settings of an integration for an account (its overrides, else the
 *  platform's). *out: caller's, release with igny8_integration_free().
 *  IGNY8_ENOTFOUND: unknown integration; IGNY8_EINVAL: account_id < 1. */
IGNY8_API int igny8_account_integration_get(igny8_store *st, int64_t account_id,
                                            const char *integration, igny8_integration **out);

/** Change an account's overrides of an integration (IGNY8_FIELD_BASE_URL is not allowed;
 *  the model must be an active model of the integration; max_tokens at most the model's
 *  max_output_tokens). IGNY8_ENOTFOUND: unknown integration; IGNY8_EINVAL: a bad field. */
IGNY8_API int igny8_account_integration_set(igny8_store *st, const char *actor, int64_t account_id,
                                            const char *integration, const igny8_integration_update *u);

/** Remove every override (model and parameters) of an integration for an account, so it
 *  follows the platform again; enabled and the account's own key are kept.
 *  IGNY8_ENOTFOUND: unknown integration. */
IGNY8_API int igny8_account_integration_reset(igny8_store *st, const char *actor, int64_t account_id,
                                              const char *integration);

/** Set (non-NULL) or remove (NULL) an account's own API key for an integration: the
 *  privileged call, for enterprise accounts. IGNY8_ENOTFOUND / IGNY8_EINVAL as above. */
IGNY8_API int igny8_account_key_set(igny8_store *st, const char *actor, int64_t account_id,
                                    const char *integration, const char *key);

/** GET /api/v1/system/settings/integrations/{integration}/ body for an account, e.g.
 *  {"id":"openai","enabled":true,"model":"gpt-4o-mini","temperature":0.7,
 *   "max_tokens":8192,"using_global":true}. *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_integration_get_json(igny8_store *st, int64_t account_id,
                                         const char *integration, char **out_json);

/** PUT of the same path: fields enabled, model and the integration's parameters; null
 *  clears an override; key fields are stripped; "id" (must match) and "using_global" are
 *  read-only and accepted. Gives the new GET body in *out_json (may be NULL).
 *  IGNY8_EINVAL: malformed JSON, unknown field, wrong type, out of range, or a model that
 *  is unknown, inactive or of another integration (field named); nothing is written. */
IGNY8_API int igny8_integration_put_json(igny8_store *st, const char *actor, int64_t account_id,
                                         const char *integration, const char *body, char **out_json);

/** Every integration's GET body for an account, as a JSON array. *out_json: igny8_free(). */
IGNY8_API int igny8_integration_list_json(igny8_store *st, int64_t account_id, char **out_json);

/* ---- the snapshot ---- */

IGNY8_API const char *igny8_integration_name(const igny8_integration *s);
IGNY8_API const char *igny8_integration_provider(const igny8_integration *s);
/** IGNY8_MODEL_TEXT or IGNY8_MODEL_IMAGE. */
IGNY8_API int igny8_integration_model_type(const igny8_integration *s);
/** For an account: whether the integration is on; for the platform: always 1. */
IGNY8_API int igny8_integration_enabled(const igny8_integration *s);
/** The effective model: the account's override, else the platform's default; NULL if neither. */
IGNY8_API const char *igny8_integration_model(const igny8_integration *s);
/** Effective parameters (override, else platform, else built-in). Text integrations:
 *  temperature and max_tokens (size/quality/style NULL); image: size, quality, style
 *  (temperature NaN, max_tokens 0). */
IGNY8_API double igny8_integration_temperature(const igny8_integration *s);
IGNY8_API int igny8_integration_max_tokens(const igny8_integration *s);
IGNY8_API const char *igny8_integration_size(const igny8_integration *s);
IGNY8_API const char *igny8_integration_quality(const igny8_integration *s);
IGNY8_API const char *igny8_integration_style(const igny8_integration *s);
/** The provider base URL of the platform's settings; NULL when the provider's default is used. */
IGNY8_API const char *igny8_integration_base_url(const igny8_integration *s);
/** 1 when the account has no override (model or parameter) for this integration. */
IGNY8_API int igny8_integration_using_global(const igny8_integration *s);
/** 1 when the field (one IGNY8_FIELD_* bit) is set at this level rather than inherited. */
IGNY8_API int igny8_integration_is_override(const igny8_integration *s, uint32_t field);
/** 1 when an API key is set at this level (the account's own key, or the platform's). */
IGNY8_API int igny8_integration_key_configured(const igny8_integration *s);
/** Free a snapshot. NULL is a no-op. */
IGNY8_API void igny8_integration_free(igny8_integration *s);

IGNY8_END_DECL

#endif
