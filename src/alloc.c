#include <stdlib.h>
#include <string.h>

#include "common.h"

void *igny8__malloc(size_t n) { return malloc(n ? n : 1); }
void *igny8__calloc(size_t count, size_t size) { return calloc(count ? count : 1, size ? size : 1); }
void *igny8__realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void igny8__free(void *p) { free(p); }

char *igny8__strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = igny8__malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

void igny8__free_secret(char *s)
{
    if (s == NULL)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

void igny8_free(void *p) { igny8__free(p); }
