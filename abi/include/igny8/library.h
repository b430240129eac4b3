/*
 * libigny8settings — the libraries of author profiles (GlobalAuthorProfile) and content
 * strategies (GlobalStrategy), and the accounts' copies of them.
 *
 * A library item is a JSON object; every kind has
 *   "name" (1..200 chars, unique per kind), "description" (optional, up to 4096 chars),
 *   "category" (see below), "is_active" (default true),
 * an author profile also
 *   "tone" (1..200 chars), "language" (a BCP-47-like tag such as "en" or "pt-BR";
 *   default "en"), "structure_template": {"sections":[{"heading":"Introduction",
 *   "word_count":150,"elements":["paragraph","bullet_list"]}, ...], "notes":"..."}
 *   with 1..50 sections, each a "heading" (1..200 chars), an optional "word_count"
 *   (1..20000) and optional "elements" from paragraph, bullet_list, numbered_list, table,
 *   quote, image, code, faq, cta, summary; "notes" optional;
 * a strategy also
 *   "prompt_types": a non-empty list of known prompt types without duplicates,
 *   "section_logic": {"order":"fixed"|"flexible","sections":[{"name":"intro",
 *   "prompt_type":"content_generation","required":true,"min_words":100,"max_words":300}]}
 *   with 1..50 sections, each a "name" (an identifier, unique in the list), a
 *   "prompt_type" among the strategy's prompt_types, optional "required" (bool) and
 *   optional "min_words" <= "max_words" (1..20000); "order" optional (default "fixed").
 * Categories: author profiles saas, ecommerce, blog, technical, creative, news, academic;
 * strategies blog, ecommerce, saas, news, technical, marketing.
 * Errors name the field by its path, e.g. "structure_template.sections[2].heading".
 *
 * The views add "id", "kind", "revision" (incremented by every change of the global
 * item), "updated_at" and "updated_by". An account's copy remembers its source and the
 * source's revision and content at clone time; its view adds "account_id", "source_id",
 * "based_on_revision", "source": {"name","revision","is_active"}, "source_changed"
 * (the source has a newer revision), "source_active" (false once the global item is
 * deactivated: the copy stays usable) and "modified" (the copy differs from what was
 * cloned). Reset makes the copy equal to the current global item again.
 *
 * Thread safety: store calls as in store.h.
 */
#ifndef IGNY8_LIBRARY_H
#define IGNY8_LIBRARY_H

#include "common.h"

IGNY8_BEGIN_DECL

/** Kinds of library item. */
enum {
    IGNY8_LIBRARY_AUTHOR_PROFILE = 1,
    IGNY8_LIBRARY_STRATEGY = 2
};

/** What igny8_library_bulk_clone does with an account that already has a copy of a source. */
enum {
    IGNY8_CLONE_SKIP = 0,   /**< leave the existing copy and go on */
    IGNY8_CLONE_FAIL = 1    /**< IGNY8_EEXISTS, and nothing is cloned */
};

/** Filter of igny8_library_list_json(); 0/NULL fields match everything. */
typedef struct igny8_library_filter {
    unsigned int version;   /**< IGNY8_LIBRARY_FILTER_VERSION */
    const char *category;   /**< only this category; NULL = any */
    int active;             /**< IGNY8_FILTER_ACTIVE or IGNY8_FILTER_INACTIVE (model.h); 0 = any */
    const char *search;     /**< case-insensitive substring of name or description; NULL = any */
} igny8_library_filter;

#define IGNY8_LIBRARY_FILTER_VERSION 1
#define IGNY8_LIBRARY_FILTER_INIT { IGNY8_LIBRARY_FILTER_VERSION, NULL, 0, NULL }

/** Fill *f with the defaults of the given struct version. IGNY8_EINVAL: bad version. */
IGNY8_API int igny8_library_filter_init(igny8_library_filter *f, unsigned int version);

/** "author_profile" or "strategy" for a kind; NULL for anything else. Static. */
IGNY8_API const char *igny8_library_kind_name(int kind);

/* ---- the platform's library ---- */

/** Create a global item from a JSON object (the shape above). *out_id (may be NULL): its id.
 *  IGNY8_EINVAL: bad field (its path); IGNY8_EEXISTS: the name is taken (field "name"). */
IGNY8_API int igny8_library_create_json(igny8_store *st, const char *actor, int kind, const char *json,
                                        int64_t *out_id);

/** Change a global item with a JSON patch (fields present are set; read-only view fields
 *  are ignored). Its revision goes up when anything changed.
 *  IGNY8_ENOTFOUND: no such item (field "id"); IGNY8_EINVAL / IGNY8_EEXISTS: as for create. */
IGNY8_API int igny8_library_update_json(igny8_store *st, const char *actor, int kind, int64_t id,
                                        const char *patch_json);

/** Activate or deactivate a global item; the accounts' copies are not touched.
 *  IGNY8_ENOTFOUND: no such item. */
IGNY8_API int igny8_library_set_active(igny8_store *st, const char *actor, int kind, int64_t id, int active);

/** Activate or deactivate several items in one transaction.
 *  IGNY8_ENOTFOUND: no such item (field "ids[i]"), and nothing changes. */
IGNY8_API int igny8_library_set_active_bulk(igny8_store *st, const char *actor, int kind, const int64_t *ids,
                                            size_t count, int active);

/** A global item's view. *out_json: igny8_free(). IGNY8_ENOTFOUND: no such item. */
IGNY8_API int igny8_library_get_json(igny8_store *st, int kind, int64_t id, char **out_json);

/** The global items matching filter (NULL: all), by name, as a JSON array.
 *  *out_json: igny8_free(). IGNY8_EINVAL: bad filter. */
IGNY8_API int igny8_library_list_json(igny8_store *st, int kind, const igny8_library_filter *filter,
                                      char **out_json);

/* ---- the accounts' copies ---- */

/** Clone a global item into the account's own copy. *out_id (may be NULL): the copy's id.
 *  IGNY8_ENOTFOUND: no such item; IGNY8_EEXISTS: the account has a copy of it already. */
IGNY8_API int igny8_library_clone(igny8_store *st, const char *actor, int kind, int64_t account_id,
                                  int64_t source_id, int64_t *out_id);

/** Clone every source to every account in one transaction (the admin's bulk action).
 *  on_existing: IGNY8_CLONE_SKIP or IGNY8_CLONE_FAIL. *out_created (may be NULL): copies made.
 *  IGNY8_ENOTFOUND: no such source (field "source_ids[i]"); IGNY8_EINVAL: an account id
 *  < 1 (field "account_ids[i]"); IGNY8_EEXISTS (with FAIL): field "account_ids[i]". */
IGNY8_API int igny8_library_bulk_clone(igny8_store *st, const char *actor, int kind, const int64_t *source_ids,
                                       size_t source_count, const int64_t *account_ids, size_t account_count,
                                       int on_existing, size_t *out_created);

/** Edit an account's copy with a JSON patch (the item's fields).
 *  IGNY8_ENOTFOUND: the account has no such copy (field "id"); IGNY8_EINVAL: bad field. */
IGNY8_API int igny8_library_copy_update_json(igny8_store *st, const char *actor, int kind, int64_t account_id,
                                             int64_t copy_id, const char *patch_json);

/** Make a copy equal to the current global item again (and remember its revision).
 *  IGNY8_ENOTFOUND: no such copy. */
IGNY8_API int igny8_library_copy_reset(igny8_store *st, const char *actor, int kind, int64_t account_id,
                                       int64_t copy_id);

/** Delete an account's copy. IGNY8_ENOTFOUND: no such copy. */
IGNY8_API int igny8_library_copy_delete(igny8_store *st, const char *actor, int kind, int64_t account_id,
                                        int64_t copy_id);

/** A copy's view. *out_json: igny8_free(). IGNY8_ENOTFOUND: no such copy. */
IGNY8_API int igny8_library_copy_get_json(igny8_store *st, int kind, int64_t account_id, int64_t copy_id,
                                          char **out_json);

/** An account's copies of a kind, by name, as a JSON array. *out_json: igny8_free(). */
IGNY8_API int igny8_library_copy_list_json(igny8_store *st, int kind, int64_t account_id, char **out_json);

IGNY8_END_DECL

#endif
