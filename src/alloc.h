#ifndef IGNY8__ALLOC_H
#define IGNY8__ALLOC_H

#include <stddef.h>

/* Every allocation of ours goes through these, so that igny8_free() matches them. */
void *igny8__malloc(size_t n);
void *igny8__calloc(size_t count, size_t size);
void *igny8__realloc(void *p, size_t n);
char *igny8__strdup(const char *s);       /* NULL in, NULL out */
void igny8__free(void *p);
/* Free a string that may hold a secret, wiping it first. */
void igny8__free_secret(char *s);

#endif
