/*
 * libigny8settings — export and import of the whole store as one JSON document: models,
 * providers, integrations and the global settings, operations, modules, every account's
 * settings and choices, prompts with all their versions, the plans and fallbacks (access
 * groups, fallback chains, accounts' access and own model rules; @since 1.3), the
 * libraries and the accounts' copies. The audit log is not part of it (an import adds one
 * entry).
 *
 * The document is {"format":"igny8settings","format_version":2,...}. An import reads
 * versions 1 (1.0 to 1.2: without plans and fallbacks, which such a document may not
 * hold) and 2; a newer format_version is refused with IGNY8_EVERSION. Keys are left out
 * unless the caller asks for them. An export imported into an empty store and exported
 * again is the same document, byte for byte.
 *
 * Keys on import: a row with "api_key" sets that key, "api_key": null removes it, and a
 * row without the field keeps the key the store has in a merge (so importing a key-less
 * export never wipes production keys) and has none in a replace.
 *
 * Thread safety: store calls as in store.h.
 */
#ifndef IGNY8_TRANSFER_H
#define IGNY8_TRANSFER_H

#include "common.h"

IGNY8_BEGIN_DECL

/** The document format this library writes and the newest it reads (2 since 1.3; 1 before). */
#define IGNY8_EXPORT_FORMAT_VERSION 2

/** Include the API keys (platform and accounts) in the export, sealed: under the
 *  passphrase when one is given (Argon2id), else under the store's master key (then only
 *  a store with that master key imports them). IGNY8_EINVAL without either, unless
 *  IGNY8_EXPORT_PLAINTEXT_KEYS. */
#define IGNY8_EXPORT_WITH_KEYS (1u << 0)
/** With IGNY8_EXPORT_WITH_KEYS: the keys in plain text. Handle the document as a secret.
 *  (Options of version 1, from callers built against 1.0, get this with WITH_KEYS.) */
#define IGNY8_EXPORT_PLAINTEXT_KEYS (1u << 1)

typedef struct igny8_export_options {
    unsigned int version;   /**< IGNY8_EXPORT_OPTIONS_VERSION */
    uint32_t flags;         /**< IGNY8_EXPORT_WITH_KEYS, IGNY8_EXPORT_PLAINTEXT_KEYS; 0 = no keys */
    const char *passphrase; /**< @since version 2 (1.1): seals the keys of IGNY8_EXPORT_WITH_KEYS */
} igny8_export_options;

#define IGNY8_EXPORT_OPTIONS_VERSION 2
#define IGNY8_EXPORT_OPTIONS_INIT { IGNY8_EXPORT_OPTIONS_VERSION, 0, NULL }

/** Import modes. */
enum {
    IGNY8_IMPORT_MERGE = 0,    /**< rows of the document replace rows with the same key (an access
                                *   group with its models, a fallback chain whole); others stay */
    IGNY8_IMPORT_REPLACE = 1   /**< the store becomes exactly the document (the audit log stays) */
};

typedef struct igny8_import_options {
    unsigned int version;   /**< IGNY8_IMPORT_OPTIONS_VERSION */
    int mode;               /**< IGNY8_IMPORT_MERGE (0) or IGNY8_IMPORT_REPLACE */
    const char *passphrase; /**< @since version 2 (1.1): opens a document's keys sealed under a passphrase */
} igny8_import_options;

#define IGNY8_IMPORT_OPTIONS_VERSION 2
#define IGNY8_IMPORT_OPTIONS_INIT { IGNY8_IMPORT_OPTIONS_VERSION, IGNY8_IMPORT_MERGE, NULL }

/** Fill the options with the defaults of the given struct version. IGNY8_EINVAL: bad version. */
IGNY8_API int igny8_export_options_init(igny8_export_options *opts, unsigned int version);
IGNY8_API int igny8_import_options_init(igny8_import_options *opts, unsigned int version);

/** Export the store (opts NULL: no keys). *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_store_export_json(igny8_store *st, const igny8_export_options *opts, char **out_json);

/** Import a document in one transaction: everything is validated first and either all of it
 *  is applied or nothing. IGNY8_EINVAL: the first bad value, field = its JSON path (e.g.
 *  "$.models[3].input_cost_per_1k"; a key given twice in an object is bad too);
 *  IGNY8_EVERSION: a newer format_version; IGNY8_EEXISTS:
 *  a merge that would change an existing prompt version (versions are immutable). */
IGNY8_API int igny8_store_import_json(igny8_store *st, const char *actor, const char *json,
                                      const igny8_import_options *opts);

IGNY8_END_DECL

#endif
