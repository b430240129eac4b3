#include <stddef.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "cache.h"
#include "store.h"

/* The size of the options struct each version knows: fields are only ever appended. */
static const size_t store_options_size[] = { 0, offsetof(igny8_store_options, cache_accounts),
                                             offsetof(igny8_store_options, schema),
                                             offsetof(igny8_store_options, master_key), sizeof(igny8_store_options) };

int igny8_store_options_init(igny8_store_options *opts, unsigned int version)
{
    IGNY8__CHECK_ARG(opts);
    if (version < 1 || version > IGNY8_STORE_OPTIONS_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "store options version %u is not supported (1..%u)",
                                version, IGNY8_STORE_OPTIONS_VERSION);
    memset(opts, 0, store_options_size[version]);  /* the caller's struct is of that version's size */
    opts->version = version;
    return IGNY8_OK;
}

/* A PostgreSQL schema name we never need to quote: a lower-case identifier. */
static int check_schema_name(const char *name)
{
    size_t n = strlen(name);
    int ok = n >= 1 && n <= 63 && !(name[0] >= '0' && name[0] <= '9');
    for (const char *c = name; ok && *c; c++)
        ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
    return ok ? IGNY8_OK : igny8__error_set(IGNY8_EINVAL, "schema", "schema '%.64s' is not a lower-case "
                                            "identifier of 1..63 letters, digits and '_'", name);
}

static int read_options(igny8_store_options *o, const igny8_store_options *given)
{
    memset(o, 0, sizeof(*o));
    o->version = IGNY8_STORE_OPTIONS_VERSION;
    if (given) {
        int rc = igny8__options_copy(o, given, store_options_size, IGNY8_STORE_OPTIONS_VERSION, "store options");
        if (rc != IGNY8_OK)
            return rc;
    }
    if (o->busy_timeout_ms == 0)
        o->busy_timeout_ms = IGNY8_BUSY_TIMEOUT_DEFAULT_MS;
    if (o->busy_timeout_ms > IGNY8_BUSY_TIMEOUT_MAX_MS)
        return igny8__error_set(IGNY8_EINVAL, "busy_timeout_ms", "busy_timeout_ms %u is above %u",
                                o->busy_timeout_ms, IGNY8_BUSY_TIMEOUT_MAX_MS);
    if (o->cache_accounts == 0)
        o->cache_accounts = IGNY8_CACHE_ACCOUNTS_DEFAULT;
    if (o->flags & ~(IGNY8_STORE_READONLY | IGNY8_STORE_NOCREATE | IGNY8_STORE_SYNC_NORMAL | IGNY8_STORE_POSTGRES |
                     IGNY8_STORE_ALLOW_HTTP))
        return igny8__error_set(IGNY8_EINVAL, "flags", "unknown store flags 0x%x", (unsigned)o->flags);
    if (o->schema == NULL)
        o->schema = IGNY8_STORE_SCHEMA_DEFAULT;
    return check_schema_name(o->schema);
}

int igny8_store_open(igny8_store **out, const char *path, const igny8_store_options *opts)
{
    IGNY8__CHECK_ARG(out);
    *out = NULL;
    IGNY8__CHECK_ARG(path);
    if (path[0] == '\0')
        return igny8__error_set(IGNY8_EINVAL, "path", "path is empty");
    igny8_store_options o;
    int rc = read_options(&o, opts);
    if (rc != IGNY8_OK)
        return rc;
    igny8_store *st = igny8__calloc(1, sizeof(*st));
    if (st == NULL)
        return igny8__error_oom();
    st->flags = o.flags;
    st->cache_accounts = o.cache_accounts;
    st->path = igny8__strdup(path);
    if (st->path == NULL || pthread_mutex_init(&st->lock, NULL) != 0) {
        igny8__free(st->path);
        igny8__free(st);
        return igny8__error_oom();
    }
    igny8__open_params p = { path, o.flags, o.busy_timeout_ms, o.schema };
    rc = igny8__db_open(st, &p);
    if (rc == IGNY8_OK)
        rc = igny8__keys_open(st, o.master_key);
    if (rc == IGNY8_OK)
        rc = igny8__cache_open(st);
    if (rc != IGNY8_OK) {
        igny8_store_close(st);
        return rc;
    }
    *out = st;
    return IGNY8_OK;
}

void igny8_store_close(igny8_store *st)
{
    if (st == NULL)
        return;
    igny8__cache_close(st);
    igny8__keys_close(st);
    igny8__db_close(st);
    pthread_mutex_destroy(&st->lock);
    igny8__free(st->path);
    igny8__free(st);
}

const char *igny8_store_path(const igny8_store *st)
{
    return st ? st->path : NULL;
}

void igny8__store_lock(igny8_store *st) { pthread_mutex_lock(&st->lock); }
void igny8__store_unlock(igny8_store *st) { pthread_mutex_unlock(&st->lock); }

int igny8__store_read_begin(igny8_store *st)
{
    IGNY8__CHECK_ARG(st);
    pthread_mutex_lock(&st->lock);
    int rc = igny8__db_begin(st, 0);
    if (rc != IGNY8_OK)
        pthread_mutex_unlock(&st->lock);
    return rc;
}

int igny8__store_allows_http(const igny8_store *st)
{
    return (st->flags & IGNY8_STORE_ALLOW_HTTP) != 0;
}

int igny8__store_check_writable(igny8_store *st)
{
    IGNY8__CHECK_ARG(st);
    if (st->flags & IGNY8_STORE_READONLY)
        return igny8__error_set(IGNY8_EREADONLY, NULL, "store '%s' is open read-only", st->path);
    /* A file this process may not write is opened read-only by SQLite, a standby server
     * takes no writes: say so, rather than "attempt to write a readonly database" or
     * "cannot execute INSERT in a read-only transaction" from the first statement. */
    pthread_mutex_lock(&st->lock);
    const char *reason = igny8__db_readonly_reason(st);
    pthread_mutex_unlock(&st->lock);
    if (reason)
        return igny8__error_set(IGNY8_EREADONLY, NULL, "store '%s' is read-only: %s", st->path, reason);
    return IGNY8_OK;
}

int igny8__store_write_begin(igny8_store *st)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__store_check_writable(st);
    if (rc != IGNY8_OK)
        return rc;
    pthread_mutex_lock(&st->lock);
    rc = igny8__db_begin(st, 1);
    if (rc != IGNY8_OK)
        pthread_mutex_unlock(&st->lock);
    return rc;
}

static int store_end(igny8_store *st, int rc, int write)
{
    if (rc == IGNY8_OK)
        rc = igny8__db_commit(st);
    else
        igny8__db_rollback(st);
    if (write)
        st->writes++;  /* the resolver's cache checks it: our own commits, also in :memory: */
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int igny8__store_read_end(igny8_store *st, int rc) { return store_end(st, rc, 0); }
int igny8__store_write_end(igny8_store *st, int rc) { return store_end(st, rc, 1); }

int igny8_store_schema_version(igny8_store *st, int *out)
{
    IGNY8__CHECK_ARG(out);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_read_end(st, igny8__db_schema_version(st, out));
}

int igny8__check_actor(const char *actor)
{
    if (actor == NULL)
        return igny8__error_set(IGNY8_EINVAL, "actor", "argument actor is NULL");
    size_t n = strlen(actor);
    if (n == 0 || n > 128)
        return igny8__error_set(IGNY8_EINVAL, "actor", "actor must be 1..128 bytes, not %zu", n);
    for (const unsigned char *p = (const unsigned char *)actor; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return igny8__error_set(IGNY8_EINVAL, "actor", "actor contains a control character");
    return igny8__check_text(actor, "actor", 128);
}

int igny8__check_text(const char *text, const char *field, size_t max)
{
    size_t bad = 0;
    if (text == NULL)
        return IGNY8_OK;
    if (strlen(text) > max)
        return igny8__error_set(IGNY8_EINVAL, field, "%s is longer than %zu bytes", field, max);
    if (!igny8__utf8_valid(text, &bad))
        return igny8__error_set(IGNY8_EINVAL, field, "%s is not valid UTF-8 (at byte %zu)", field, bad);
    return IGNY8_OK;
}
