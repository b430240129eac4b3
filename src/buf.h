/* A growing text buffer in our allocator, for outputs built piece by piece (rendered
 * templates, diffs): appends are amortised O(1), and the text is handed over at the end. */
#ifndef IGNY8__BUF_H
#define IGNY8__BUF_H

#include <stddef.h>

typedef struct igny8__buf {
    char *data;
    size_t len;
    size_t cap;
} igny8__buf;

#define IGNY8__BUF_INIT { NULL, 0, 0 }

/* Make room for `extra` more bytes (and the final NUL). IGNY8_ENOMEM on failure. */
int igny8__buf_reserve(igny8__buf *b, size_t extra);
/* Append n bytes. IGNY8_ENOMEM on failure (the buffer keeps what it had). */
int igny8__buf_append(igny8__buf *b, const char *s, size_t n);
/* Append a NUL-terminated string. */
int igny8__buf_puts(igny8__buf *b, const char *s);
/* NUL-terminate and hand the text to *out (caller's, igny8_free()); the buffer is empty
 * afterwards. An empty buffer gives "". IGNY8_ENOMEM on failure (*out NULL). */
int igny8__buf_finish(igny8__buf *b, char **out);
/* Free the buffer's text. */
void igny8__buf_free(igny8__buf *b);

#endif
