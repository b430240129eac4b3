#ifndef IGNY8__STORE_H
#define IGNY8__STORE_H

#include <pthread.h>

#include "igny8/store.h"

struct igny8__db;

struct igny8_store {
    pthread_mutex_t lock;   /* held for the whole of every public call */
    struct igny8__db *db;   /* the backend connection (db.h) */
    char *path;
    uint32_t flags;
};

/* Every public call that touches the store runs between one of these begin/end pairs:
 * the store mutex plus one database transaction. *_end commits when rc is 0 and rolls
 * back otherwise, and returns rc (or the commit's error). */
int igny8__store_read_begin(igny8_store *st);
int igny8__store_read_end(igny8_store *st, int rc);
int igny8__store_write_begin(igny8_store *st);
int igny8__store_write_end(igny8_store *st, int rc);

/* Validate an actor string (who made a write): non-empty, at most 128 bytes, printable. */
int igny8__check_actor(const char *actor);

#endif
