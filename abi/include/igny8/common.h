/*
 * libigny8settings — common definitions: export macros, the store handle type,
 * the library version at run time and the one public deallocator.
 * Thread safety: every function here may be called from any thread.
 */
#ifndef IGNY8_COMMON_H
#define IGNY8_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "version.h"

#ifdef __cplusplus
# define IGNY8_BEGIN_DECL extern "C" {
# define IGNY8_END_DECL   }
#else
# define IGNY8_BEGIN_DECL
# define IGNY8_END_DECL
#endif

#if defined(__GNUC__) || defined(__clang__)
# define IGNY8_API __attribute__((visibility("default")))
#else
# define IGNY8_API
#endif

#if (defined(__GNUC__) || defined(__clang__)) && !defined(IGNY8_NO_DEPRECATION_WARNINGS) \
    && !defined(IGNY8_BUILDING)
# define IGNY8_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
# define IGNY8_DEPRECATED(msg)
#endif

IGNY8_BEGIN_DECL

/** A settings store: one SQLite file (or ":memory:") and its caches.
 *  Safe for any number of threads at once; open it after fork(), never before. */
typedef struct igny8_store igny8_store;

/** The largest JSON body the PUT-style calls accept (integration, global settings and
 *  module bodies, model descriptions and patches, library items and patches): 1 MiB.
 *  A larger one is IGNY8_EINVAL naming the body argument. Template variables may be as
 *  large as IGNY8_PROMPT_MAX_BYTES; the defaults and import documents have no limit. */
#define IGNY8_BODY_MAX_BYTES (1024u * 1024u)

/** Model types: what an operation needs and what a model produces. */
enum {
    IGNY8_MODEL_TEXT = 1,
    IGNY8_MODEL_IMAGE = 2
};

/** The version of the library actually loaded, as "1.0.0"; each non-NULL pointer
 *  receives one part. The string is static. */
IGNY8_API const char *igny8_version(int *major, int *minor, int *patch);

/** Free a string or buffer the library handed to the caller (every `char **out_json`).
 *  NULL is a no-op. */
IGNY8_API void igny8_free(void *p);

IGNY8_END_DECL

#endif
