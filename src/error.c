#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

#define IGNY8__MESSAGE_MAX 512
#define IGNY8__FIELD_MAX 160

typedef struct {
    igny8_error pub;
    char message[IGNY8__MESSAGE_MAX];
    char field[IGNY8__FIELD_MAX];
} thread_error;

static _Thread_local thread_error tl_error;
static _Thread_local const igny8_error *tl_last;

static const igny8_error no_error = { IGNY8_OK, "no error", NULL };
/* Reporting OOM must not allocate. */
static const igny8_error oom_error = { IGNY8_ENOMEM, "out of memory", NULL };

/* The length of the well-formed UTF-8 sequence at p (not ASCII), or 0. */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned int cp, min;
    size_t n;
    if ((*p & 0xE0) == 0xC0) { n = 1; cp = *p & 0x1Fu; min = 0x80; }
    else if ((*p & 0xF0) == 0xE0) { n = 2; cp = *p & 0x0Fu; min = 0x800; }
    else if ((*p & 0xF8) == 0xF0) { n = 3; cp = *p & 0x07u; min = 0x10000; }
    else return 0;
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80)  /* also stops at the terminating NUL */
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    return (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) ? 0 : n + 1;
}

/* Messages and fields often quote the caller's input (a name, a JSON key), which may hold
 * a line break or bytes that are not UTF-8, and truncation may cut a character in two.
 * Each control character and each byte of a malformed sequence becomes '?', so the error
 * is always one line of valid UTF-8 (a log line, a Python str, a JSON string). */
static void make_one_clean_line(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : utf8_sequence(p);
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

int igny8__error_set(int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tl_error.message, sizeof(tl_error.message), fmt, ap);
    va_end(ap);
    make_one_clean_line(tl_error.message);
    tl_error.pub.code = code;
    tl_error.pub.message = tl_error.message;
    if (field) {
        snprintf(tl_error.field, sizeof(tl_error.field), "%s", field);
        make_one_clean_line(tl_error.field);
        tl_error.pub.field = tl_error.field;
    } else {
        tl_error.pub.field = NULL;
    }
    tl_last = &tl_error.pub;
    return code;
}

int igny8__error_oom(void)
{
    tl_last = &oom_error;
    return IGNY8_ENOMEM;
}

void igny8__error_set_field(const char *field)
{
    if (tl_last != &tl_error.pub || field == NULL)
        return;
    snprintf(tl_error.field, sizeof(tl_error.field), "%s", field);
    make_one_clean_line(tl_error.field);
    tl_error.pub.field = tl_error.field;
}

const igny8_error *igny8_error_last(void)
{
    return tl_last ? tl_last : &no_error;
}

const char *igny8_strerror(int code)
{
    switch (code) {
    case IGNY8_OK: return "success";
    case IGNY8_ERROR: return "internal error";
    case IGNY8_EINVAL: return "invalid argument or input";
    case IGNY8_ENOTFOUND: return "not found";
    case IGNY8_EEXISTS: return "already exists";
    case IGNY8_EBUSY: return "store is busy";
    case IGNY8_ECORRUPT: return "not a store, or damaged";
    case IGNY8_ENOMEM: return "out of memory";
    case IGNY8_EVERSION: return "made by a newer library version";
    case IGNY8_EIO: return "input/output error";
    case IGNY8_EREADONLY: return "store is read-only";
    case IGNY8_EPERM: return "master key missing or wrong";
    default: return "unknown error code";
    }
}
