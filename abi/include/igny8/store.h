/*
 * libigny8settings — the store holding every setting: one SQLite file (the embedded
 * default), or a schema of a PostgreSQL database (a postgresql:// URL), for a platform
 * that runs on several hosts. Every call behaves the same on both: the same codes, the
 * same fields in errors, the same JSON.
 * Thread safety: an igny8_store is safe for any number of threads at once (a store
 * mutex is held for the whole of each call). A store belongs to one process: open it
 * after fork(), never before. Several processes (and, on PostgreSQL, hosts) may open
 * the same store at once; a change committed by any of them is seen by the next call
 * of every other.
 */
#ifndef IGNY8_STORE_H
#define IGNY8_STORE_H

#include "common.h"

IGNY8_BEGIN_DECL

/** Open the file read-only: writes give IGNY8_EREADONLY, an old schema is not migrated. */
#define IGNY8_STORE_READONLY (1u << 0)
/** Do not create the file: a missing file gives IGNY8_EIO. */
#define IGNY8_STORE_NOCREATE (1u << 1)
/** Commit without waiting for the disk (SQLite synchronous=NORMAL in WAL): a crash of the
 *  process loses nothing, a power cut may lose the last commits. Default: every commit is
 *  on disk when the call returns (synchronous=FULL). */
#define IGNY8_STORE_SYNC_NORMAL (1u << 2)
/** @since 1.1: the path is a libpq connection string ("host=db1 dbname=igny8 ..."), for
 *  the PostgreSQL backend; a postgresql:// or postgres:// URL needs no flag. On
 *  PostgreSQL, IGNY8_STORE_SYNC_NORMAL is synchronous_commit off (a server crash may lose
 *  the last commits), IGNY8_STORE_NOCREATE refuses a database without the store's schema. */
#define IGNY8_STORE_POSTGRES (1u << 3)
/** @since 1.1: let a base_url be plain http:// to any host. Without it, http:// is refused
 *  (IGNY8_EINVAL, field base_url) unless the host is loopback: the API key would travel unencrypted. */
#define IGNY8_STORE_ALLOW_HTTP (1u << 4)

/** Default number of accounts whose settings the resolver keeps in memory. */
#define IGNY8_CACHE_ACCOUNTS_DEFAULT 65536u

/** The schema version this library writes (PRAGMA user_version of a current store). */
#define IGNY8_SCHEMA_VERSION 8

/** Default and upper bound of igny8_store_options.busy_timeout_ms. */
#define IGNY8_BUSY_TIMEOUT_DEFAULT_MS 5000u
#define IGNY8_BUSY_TIMEOUT_MAX_MS 600000u

/** Options of igny8_store_open(). Initialise with IGNY8_STORE_OPTIONS_INIT or
 *  igny8_store_options_init(); in every field 0 means the default. */
typedef struct igny8_store_options {
    unsigned int version;          /**< IGNY8_STORE_OPTIONS_VERSION */
    unsigned int busy_timeout_ms;  /**< how long a write waits for another process; 0 = 5000 */
    uint32_t flags;                /**< IGNY8_STORE_READONLY | IGNY8_STORE_NOCREATE | IGNY8_STORE_SYNC_NORMAL |
                                        IGNY8_STORE_POSTGRES | IGNY8_STORE_ALLOW_HTTP */
    unsigned int cache_accounts;   /**< @since version 2: the resolver's cache bound, in accounts kept in
                                        memory (clock eviction: one not used since the hand last passed
                                        goes first; some 170 bytes of heap each with a few overrides);
                                        0 = 65536 */
    const char *schema;            /**< @since version 3 (1.1): PostgreSQL: the schema the store's tables
                                        live in, created when missing; NULL = "igny8settings". A lower-case
                                        identifier of 1..63 letters, digits and '_'. Ignored by SQLite. */
    const char *master_key;        /**< @since version 4 (1.1): the master key API keys are sealed under
                                        (base64 of 32 bytes; during a rotation several, comma-separated,
                                        the first sealing new keys); NULL = the file named by
                                        $IGNY8_MASTER_KEY_FILE, else $IGNY8_MASTER_KEY, else none. */
} igny8_store_options;

#define IGNY8_STORE_OPTIONS_VERSION 4
#define IGNY8_STORE_OPTIONS_INIT { IGNY8_STORE_OPTIONS_VERSION, 0, 0, 0, NULL, NULL }

/** Bytes of a base64 master key with its NUL (igny8_master_key_new). */
#define IGNY8_MASTER_KEY_SIZE 45

/** The schema a PostgreSQL store lives in when igny8_store_options.schema is NULL. */
#define IGNY8_STORE_SCHEMA_DEFAULT "igny8settings"

/** Fill *opts with the defaults of the given struct version.
 *  IGNY8_EINVAL: opts is NULL or version is 0 or newer than the library's (field "version"). */
IGNY8_API int igny8_store_options_init(igny8_store_options *opts, unsigned int version);

/** Open the store at path: a SQLite file (created with mode 0600 when missing), ":memory:",
 *  or a PostgreSQL database given as a postgresql:// (or postgres://) URL, or as any libpq
 *  connection string with IGNY8_STORE_POSTGRES; create or migrate its schema forward in
 *  one transaction. opts may be NULL (all defaults).
 *  *out: caller's, release with igny8_store_close(); NULL on error.
 *  IGNY8_EIO: cannot create or open the file, or reach the server (field "path");
 *  IGNY8_ECORRUPT: not a store, or damaged; IGNY8_EVERSION: made by a newer library;
 *  IGNY8_EINVAL: bad argument or option; IGNY8_EPERM: the master key given is not the
 *  store's (field "master_key"). A store opened without its master key serves everything
 *  but the keys themselves. */
IGNY8_API int igny8_store_open(igny8_store **out, const char *path, const igny8_store_options *opts);

/** Close the store and release everything it holds. NULL is a no-op. No other thread
 *  may be using the store. */
IGNY8_API void igny8_store_close(igny8_store *st);

/** The path the store was opened with (a PostgreSQL URL or connection string without its
 *  password); owned by the store, valid until it is closed. */
IGNY8_API const char *igny8_store_path(const igny8_store *st);

/** The schema version of the open file into *out (IGNY8_SCHEMA_VERSION once migrated).
 *  IGNY8_EINVAL: NULL argument; IGNY8_ECORRUPT: the file cannot be read. */
IGNY8_API int igny8_store_schema_version(igny8_store *st, int *out);

/** A new random master key (base64 of 32 bytes) into out, a buffer of IGNY8_MASTER_KEY_SIZE
 *  bytes: keep it secret and out of the store's backups. IGNY8_EINVAL: out is NULL. */
IGNY8_API int igny8_master_key_new(char out[IGNY8_MASTER_KEY_SIZE]);

/** Rotate: seal every API key of the store under new_master_key, in one audited
 *  transaction; the store then records only that key and this handle seals with it.
 *  Give other processes both keys first ("NEW,OLD"). IGNY8_EINVAL (field "master_key"):
 *  not one base64 key of 32 bytes; IGNY8_EPERM: a key cannot be opened with this
 *  handle's master keys (nothing changes). */
IGNY8_API int igny8_store_rekey(igny8_store *st, const char *actor, const char *new_master_key);

/** Load the shipped defaults (providers, integrations, operations, modules, the model
 *  registry and the global settings) into an empty store, in one transaction.
 *  json: a document of the shape of data/defaults.json, or NULL for the copy built
 *  into the library. IGNY8_EEXISTS: the store is not empty; IGNY8_EINVAL: a bad
 *  document (field: the JSON path of the first bad value). */
IGNY8_API int igny8_defaults_load(igny8_store *st, const char *actor, const char *json);

IGNY8_END_DECL

#endif
