/* Internal prelude of libigny8settings: every source file includes this first. */
#ifndef IGNY8__COMMON_H
#define IGNY8__COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "igny8.h"
#include "alloc.h"
#include "error.h"

/* A NULL argument is IGNY8_EINVAL naming it, in every build: the library never aborts. */
#define IGNY8__CHECK_ARG(arg) do { \
        if ((arg) == NULL) \
            return igny8__error_set(IGNY8_EINVAL, #arg, "argument %s is NULL", #arg); \
    } while (0)

/* Account ids are the host's positive primary keys. */
#define IGNY8__CHECK_ACCOUNT(id) do { \
        if ((id) < 1) \
            return igny8__error_set(IGNY8_EINVAL, "account_id", \
                                    "account_id %lld is not a positive id", (long long)(id)); \
    } while (0)

#define IGNY8__UNUSED(x) ((void)(x))
#define IGNY8__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The current time as ISO 8601 UTC with milliseconds: "2026-11-26T09:41:30.123Z". */
#define IGNY8__TIME_LEN 64
void igny8__now_iso(char buf[IGNY8__TIME_LEN]);
/* Milliseconds since the epoch of such a time (a "Z" time with or without milliseconds),
 * or -1 when it is not one. */
int64_t igny8__iso_to_ms(const char *iso);
/* The current time in milliseconds since the epoch. */
int64_t igny8__now_ms(void);
/* ms since the epoch as such a time. */
void igny8__ms_to_iso(int64_t ms, char buf[IGNY8__TIME_LEN]);

/* Whether text is well-formed UTF-8; *bad: the offset of the first bad byte. */
int igny8__utf8_valid(const char *text, size_t *bad);
/* A free-text argument (a description): valid UTF-8 of at most max bytes; NULL is fine. */
int igny8__check_text(const char *text, const char *field, size_t max);

/* "text"/"image" <-> IGNY8_MODEL_*; 0 for an unknown name (the names: igny8_model_type_name). */
int igny8__model_type_from_name(const char *name);
/* "author_profile"/"strategy" <-> IGNY8_LIBRARY_*; NULL / 0 for an unknown kind or name. */
const char *igny8__library_kind_name(int kind);
int igny8__library_kind_from_name(const char *name);

/* Options structs: check `version` (1..current) and copy only the fields that version
 * has; the rest keep the defaults already in *dst. */
int igny8__options_copy(void *dst, const void *src, const size_t *size_by_version,
                        unsigned int current_version, const char *what);

#endif
