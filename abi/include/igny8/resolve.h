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
 * disabled for the account, or (level 4) the platform's settings are inactive.
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
    IGNY8_SOURCE_SYSTEM_DEFAULT = 5
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
 *  IGNY8_EINVAL: account_id < 1, or request_model unknown, inactive, of the wrong type
 *  or of a disabled integration (field "model"); IGNY8_ECORRUPT: the store is damaged. */
IGNY8_API int igny8_get_model_for_operation(igny8_store *st, int64_t account_id, const char *operation,
                                            const char *request_model, igny8_resolution **out);

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
/** "request", "account_operation", "account_integration", "global_default" or "system_default". */
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
 *  "status":"skipped","reason":"not_set"},...],"parameters":{...},"api_key_source":...}.
 *  Owned by the resolution; never contains a key. */
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

/** The whole resolution (model, pricing, parameters, key source, trace) as JSON, without
 *  the key. *out_json: caller's, igny8_free(). IGNY8_EINVAL: NULL argument. */
IGNY8_API int igny8_resolution_to_json(const igny8_resolution *r, char **out_json);

/** Free a resolution, wiping its key. NULL is a no-op. */
IGNY8_API void igny8_resolution_free(igny8_resolution *r);

IGNY8_END_DECL

#endif
