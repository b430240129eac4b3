/*
 * libigny8settings — the resolver: which model, parameters and API key an account
 * uses for an operation (DESIGN §2).
 *
 * The operation gives the model type T; the account's provider P for T is its own
 * choice, else the platform's. The model is the first usable candidate of
 *   1 request              the model the caller names (unusable: an error, no fallback)
 *   2 account_operation    the account's model for the operation
 *   3 account_integration  the model override of the account's settings for P
 *   4 global_default       the platform's default model for P
 *   5 system_default       the registry's is_default model of type T
 * A candidate is skipped when its model is inactive, of another type, its integration is
 * disabled for the account, (level 4) the platform's settings are inactive, the account
 * may not use it or it is over the account's cost ceiling (access.h), or, when asked
 * (igny8_resolve_options), its integration's last connection test failed lately.
 * Then the fallbacks (@since 1.3): the models of the operation's fallback chain (the
 * account's, else the platform's; access.h) that are usable by the same rules and have a
 * key, each with its own parameters and key; when no level gives a model, the first of
 * them is the model (source "fallback").
 * Parameters come field by field from the account's settings of the chosen model's
 * integration, else the platform's, else the built-in defaults; max_tokens is capped at
 * the model's max_output_tokens. The key is the account's own, else the platform's.
 * Every call reads the committed state of the store: a change made by any process is
 * seen by the next call.
 *
 * Thread safety: store calls as in store.h; an igny8_resolution is an immutable snapshot
 * any thread may read and exactly one thread frees.
 */
#ifndef IGNY8_RESOLVE_H
#define IGNY8_RESOLVE_H

#include "common.h"
#include "model.h"

IGNY8_BEGIN_DECL

/** The precedence level a resolution's model came from. */
typedef enum igny8_source {
    IGNY8_SOURCE_REQUEST = 1,
    IGNY8_SOURCE_ACCOUNT_OPERATION = 2,
    IGNY8_SOURCE_ACCOUNT_INTEGRATION = 3,
    IGNY8_SOURCE_GLOBAL_DEFAULT = 4,
    IGNY8_SOURCE_SYSTEM_DEFAULT = 5,
    IGNY8_SOURCE_FALLBACK = 6      /**< @since 1.3: from the fallback chain */
} igny8_source;

/** Where the resolution's API key came from. */
typedef enum igny8_key_source {
    IGNY8_KEY_NONE = 0,
    IGNY8_KEY_ACCOUNT = 1,
    IGNY8_KEY_GLOBAL = 2
} igny8_key_source;

typedef struct igny8_resolution igny8_resolution;

/** Resolve the model, parameters and key an account uses for an operation.
 *  request_model: the caller's explicit model, or NULL.
 *  *out: caller's, release with igny8_resolution_free(); NULL on error.
 *  IGNY8_ENOTFOUND: unknown operation, or no usable model (field "operation");
 *  IGNY8_EINVAL: account_id < 1, or request_model unknown, inactive, of the wrong type,
 *  of a disabled integration, or (@since 1.3) not allowed by the account's plan or over its
 *  ceiling (field "model"); IGNY8_ECORRUPT: the store is damaged. */
IGNY8_API int igny8_get_model_for_operation(igny8_store *st, int64_t account_id, const char *operation,
                                            const char *request_model, igny8_resolution **out);

/** @since 1.3: options of igny8_get_model_for_operation_v2. Initialise with
 *  IGNY8_RESOLVE_OPTIONS_INIT or igny8_resolve_options_init(); in every field 0 means the
 *  default. */
typedef struct igny8_resolve_options {
    unsigned int version;             /**< IGNY8_RESOLVE_OPTIONS_VERSION */
    uint32_t flags;                   /**< IGNY8_RESOLVE_SKIP_UNHEALTHY */
    unsigned int unhealthy_window_s;  /**< how recent a failed connection test must be to skip
                                           its integration; 0 = IGNY8_UNHEALTHY_WINDOW_DEFAULT_S */
} igny8_resolve_options;

/** Skip a candidate (reason "unhealthy") whose integration's last connection test with the
 *  key it would use (the account's own key's test, else the platform's) failed within the
 *  window: a provider's outage moves traffic to the fallbacks without a settings change.
 *  A requested model whose integration is unhealthy is an error. */
#define IGNY8_RESOLVE_SKIP_UNHEALTHY (1u << 0)
#define IGNY8_UNHEALTHY_WINDOW_DEFAULT_S 300u
#define IGNY8_UNHEALTHY_WINDOW_MAX_S 604800u
#define IGNY8_RESOLVE_OPTIONS_VERSION 1
#define IGNY8_RESOLVE_OPTIONS_INIT { IGNY8_RESOLVE_OPTIONS_VERSION, 0, 0 }

/** @since 1.3: clear *opts and set its version. IGNY8_EINVAL: opts NULL, or a version 0 or
 *  newer than the library's (field "version"). */
IGNY8_API int igny8_resolve_options_init(igny8_resolve_options *opts, unsigned int version);

/** @since 1.3: igny8_get_model_for_operation with options (NULL: the defaults, which make it
 *  the same call). IGNY8_EINVAL also for bad options: a version (field "version"), unknown
 *  flags ("flags"), a window above IGNY8_UNHEALTHY_WINDOW_MAX_S ("unhealthy_window_s"); and
 *  a request_model whose integration is unhealthy (field "model"). */
IGNY8_API int igny8_get_model_for_operation_v2(igny8_store *st, int64_t account_id, const char *operation,
                                               const char *request_model, const igny8_resolve_options *opts,
                                               igny8_resolution **out);

/** @since 1.3: how many fallbacks the resolution has (0 for a fallback itself). */
IGNY8_API size_t igny8_resolution_fallback_count(const igny8_resolution *r);

/** @since 1.3: fallback i (0 first), or NULL when i is out of range: a resolution of its own
 *  (source IGNY8_SOURCE_FALLBACK, with its parameters, key source and key) that every
 *  getter takes, owned by r and valid until igny8_resolution_free(r); never free it. */
IGNY8_API const igny8_resolution *igny8_resolution_fallback_at(const igny8_resolution *r, size_t i);

/** The chosen model (with its pricing), owned by the resolution. */
IGNY8_API const igny8_model *igny8_resolution_model(const igny8_resolution *r);
IGNY8_API const char *igny8_resolution_model_name(const igny8_resolution *r);
IGNY8_API const char *igny8_resolution_provider(const igny8_resolution *r);
/** The integration whose settings and key were used (e.g. "dalle" for dall-e-3). */
IGNY8_API const char *igny8_resolution_integration(const igny8_resolution *r);
IGNY8_API int igny8_resolution_model_type(const igny8_resolution *r);
IGNY8_API const char *igny8_resolution_operation(const igny8_resolution *r);
/** An igny8_source value. */
IGNY8_API int igny8_resolution_source(const igny8_resolution *r);
/** "request", "account_operation", "account_integration", "global_default", "system_default"
 *  or "fallback". */
IGNY8_API const char *igny8_resolution_source_name(const igny8_resolution *r);
/** Text models: temperature and max_tokens (size/quality/style NULL); image models:
 *  size, quality, style (temperature NaN, max_tokens 0). */
IGNY8_API double igny8_resolution_temperature(const igny8_resolution *r);
IGNY8_API int igny8_resolution_max_tokens(const igny8_resolution *r);
IGNY8_API const char *igny8_resolution_size(const igny8_resolution *r);
IGNY8_API const char *igny8_resolution_quality(const igny8_resolution *r);
IGNY8_API const char *igny8_resolution_style(const igny8_resolution *r);
/** The base URL to call: the platform's setting for the integration, else NULL (the
 *  provider's public endpoint). */
IGNY8_API const char *igny8_resolution_base_url(const igny8_resolution *r);
/** An igny8_key_source value. */
IGNY8_API int igny8_resolution_api_key_source(const igny8_resolution *r);
/** The API key itself (NULL when the source is IGNY8_KEY_NONE): the one call that reveals
 *  a key. Owned by the resolution, wiped when it is freed; never log it. */
IGNY8_API const char *igny8_resolution_api_key(const igny8_resolution *r);
/** The trace: {"operation":...,"levels":[{"level":"request","candidate":null,
 *  "status":"skipped","reason":"not_set"},...],"parameters":{...},"api_key_source":...,
 *  "fallback_chain":"platform","fallbacks":[{"model":...,"status":"used"},...]}; each
 *  candidate model with its "estimated_cost". A fallback's trace is its own: its model,
 *  position in the chain, parameters and key source. Owned by the resolution; never
 *  contains a key. */
IGNY8_API const char *igny8_resolution_trace_json(const igny8_resolution *r);

/** @since 1.2: every plain field of a resolution at once, for bindings whose every foreign
 *  call costs (the Python one): the getters above, in one struct. Initialise with
 *  IGNY8_RESOLUTION_VIEW_INIT or igny8_resolution_view_init(); fields are only ever appended,
 *  and the library fills exactly the fields of the caller's version. Never holds the key. */
typedef struct igny8_resolution_view {
    unsigned int version;     /**< IGNY8_RESOLUTION_VIEW_VERSION: which fields the caller's struct has */
    int model_type;           /**< IGNY8_MODEL_TEXT or IGNY8_MODEL_IMAGE */
    const char *model_name;
    const char *provider;
    const char *integration;  /**< whose settings and key were used */
    const char *operation;
    int source;               /**< an igny8_source value */
    int api_key_source;       /**< an igny8_key_source value */
    const char *source_name;  /**< "request", "account_operation", ... */
    double temperature;       /**< NaN for image models */
    int max_tokens;           /**< 0 for image models */
    const char *size;         /**< size, quality, style: NULL for text models */
    const char *quality;
    const char *style;
    const char *base_url;     /**< NULL: the provider's public endpoint */
} igny8_resolution_view;

#define IGNY8_RESOLUTION_VIEW_VERSION 1
#define IGNY8_RESOLUTION_VIEW_INIT \
    { IGNY8_RESOLUTION_VIEW_VERSION, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL, NULL }

/** @since 1.2: clear *view and set its version, for callers without the INIT macro.
 *  IGNY8_EINVAL: view is NULL (field "view"), or version is 0 or newer than the library's
 *  (field "version"). */
IGNY8_API int igny8_resolution_view_init(igny8_resolution_view *view, unsigned int version);

/** @since 1.2: fill the fields of out->version with r's values, exactly as the getters give
 *  them; the strings are owned by r and live until igny8_resolution_free(r). Fields newer
 *  than out->version are not touched, nor is *out on error. IGNY8_EINVAL: r or out NULL (field
 *  "r", "out"), out->version 0 or newer than the library's (field "version"). */
IGNY8_API int igny8_resolution_view_get(const igny8_resolution *r, igny8_resolution_view *out);

/** The whole resolution (model, pricing, parameters, key source, trace, and since 1.3 its
 *  "fallbacks", each the same without a trace) as JSON, without the key.
 *  *out_json: caller's, igny8_free(). IGNY8_EINVAL: NULL argument. */
IGNY8_API int igny8_resolution_to_json(const igny8_resolution *r, char **out_json);

/** Free a resolution and its fallbacks, wiping their keys. NULL, and a fallback (which its
 *  resolution owns), are no-ops. */
IGNY8_API void igny8_resolution_free(igny8_resolution *r);

IGNY8_END_DECL

#endif
