#ifndef IGNY8__STORE_H
#define IGNY8__STORE_H

#include <pthread.h>

#include "igny8/store.h"
#include "keys.h"

struct igny8__db;
struct igny8__cache;

struct igny8_store {
    pthread_mutex_t lock;   /* held for the whole of every public call */
    struct igny8__db *db;   /* the backend connection (db.h) */
    struct igny8__cache *cache;  /* the resolver's read path (cache.h) */
    char *path;
    uint32_t flags;
    unsigned int cache_accounts;
    uint64_t writes;        /* write transactions ended through this handle */
    igny8__keyring keyring; /* the master keys this handle was given (keys.h) */
};

/* Every public call that touches the store runs between one of these begin/end pairs:
 * the store mutex plus one database transaction. *_end commits when rc is 0 and rolls
 * back otherwise, and returns rc (or the commit's error). */
int igny8__store_read_begin(igny8_store *st);
int igny8__store_read_end(igny8_store *st, int rc);
int igny8__store_write_begin(igny8_store *st);
int igny8__store_write_end(igny8_store *st, int rc);
/* IGNY8_EREADONLY when a write cannot happen: the store was opened read-only, or the
 * file is one this process may not write. write_begin checks it; a call that must know
 * before it starts (a connection test records its result) asks first. */
int igny8__store_check_writable(igny8_store *st);

/* The store mutex alone, for the resolver's cache, which opens a transaction only when
 * it has to. */
void igny8__store_lock(igny8_store *st);
void igny8__store_unlock(igny8_store *st);

/* Whether the store was opened with IGNY8_STORE_ALLOW_HTTP (base URLs may be plain http
 * to any host). */
int igny8__store_allows_http(const igny8_store *st);

/* Validate an actor string (who made a write): non-empty, at most 128 bytes, printable. */
int igny8__check_actor(const char *actor);

#endif
