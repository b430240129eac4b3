/*
 * libigny8settings — error model.
 * Every fallible call returns 0 (IGNY8_OK) or a negative igny8_error_code; the details
 * of the failure are this thread's last error, from igny8_error_last().
 * Thread safety: the last error is per thread (valid until that thread's next failing
 * igny8 call); igny8_strerror() is safe from any thread.
 */
#ifndef IGNY8_ERRORS_H
#define IGNY8_ERRORS_H

#include "common.h"

IGNY8_BEGIN_DECL

/** Error codes. Values are fixed and never reused; new codes are only appended. */
typedef enum igny8_error_code {
    IGNY8_OK = 0,
    IGNY8_ERROR = -1,      /**< anything not covered below (an internal or SQLite failure) */
    IGNY8_EINVAL = -2,     /**< bad argument or input; `field` names it */
    IGNY8_ENOTFOUND = -3,  /**< the named model, integration, operation, module... does not exist */
    IGNY8_EEXISTS = -4,    /**< it exists already, or would break a uniqueness rule */
    IGNY8_EBUSY = -5,      /**< the store stayed locked by another process past the busy timeout */
    IGNY8_ECORRUPT = -6,   /**< the file is not a store, or is damaged */
    IGNY8_ENOMEM = -7,     /**< out of memory */
    IGNY8_EVERSION = -8,   /**< the store (or document) comes from a newer library version */
    IGNY8_EIO = -9,        /**< the file cannot be created, opened, read or written */
    IGNY8_EREADONLY = -10, /**< a write on a store opened read-only */
    IGNY8_EPERM = -11      /**< an API key is needed and the store was not given its master key */
} igny8_error_code;

/** The details of a failure. */
typedef struct igny8_error {
    int code;             /**< the igny8_error_code the call returned */
    const char *message;  /**< one line naming the offending field or value; never a secret */
    const char *field;    /**< the input field or argument at fault, or NULL */
} igny8_error;

/** This thread's last error: never NULL (code 0 and "no error" before any failure).
 *  Owned by the library; valid until this thread's next igny8 call that fails. */
IGNY8_API const igny8_error *igny8_error_last(void);

/** Static text for an error code; never NULL, also for unknown codes. */
IGNY8_API const char *igny8_strerror(int code);

IGNY8_END_DECL

#endif
