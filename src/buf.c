#include <string.h>

#include "common.h"
#include "buf.h"

int igny8__buf_reserve(igny8__buf *b, size_t extra)
{
    if (extra >= SIZE_MAX / 2 - b->len)
        return igny8__error_oom();
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return IGNY8_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = igny8__realloc(b->data, cap);
    if (grown == NULL)
        return igny8__error_oom();
    b->data = grown;
    b->cap = cap;
    return IGNY8_OK;
}

int igny8__buf_append(igny8__buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n) {  /* also true for an unallocated buffer: cap 0 */
        int rc = igny8__buf_reserve(b, n);
        if (rc != IGNY8_OK)
            return rc;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return IGNY8_OK;
}

int igny8__buf_puts(igny8__buf *b, const char *s)
{
    return igny8__buf_append(b, s, strlen(s));
}

int igny8__buf_finish(igny8__buf *b, char **out)
{
    *out = NULL;
    int rc = igny8__buf_reserve(b, 0);
    if (rc != IGNY8_OK) {
        igny8__buf_free(b);
        return rc;
    }
    b->data[b->len] = '\0';
    *out = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return IGNY8_OK;
}

void igny8__buf_free(igny8__buf *b)
{
    igny8__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
