#ifndef IGNY8__ERROR_H
#define IGNY8__ERROR_H

#include "igny8/errors.h"

/* Record this thread's last error and return code. field may be NULL. */
int igny8__error_set(int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record out-of-memory without allocating; returns IGNY8_ENOMEM. */
int igny8__error_oom(void);

/* Replace the field of this thread's last error (callers that know the path better,
 * e.g. "integrations.openai.temperature"), keeping the code and message. */
void igny8__error_set_field(const char *field);

#endif
