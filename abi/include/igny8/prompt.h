/*
 * libigny8settings — prompt templates (GlobalAIPrompt and the accounts' AIPrompt).
 *
 * A prompt type ("clustering", "content_generation", ...) has numbered, immutable
 * versions; one of them is published, and accounts get that one unless they customised
 * the prompt. A customisation remembers the global value and version it was based on:
 * reset returns the account to the published prompt, and a customisation based on an
 * older version than the published one is "stale".
 *
 * Templates are the named-field subset of Python's str.format: "{name}" (name an ASCII
 * identifier) is replaced by a variable, "{{" and "}}" stand for literal braces. Anything
 * else with a brace ("{}", "{0}", "{a.b}", "{a[0]}", "{a!r}", "{a:>10}", a lone "{" or
 * "}") is malformed and refused when a version is committed or a customisation saved.
 * Rendering is one pass (a substituted value is never scanned again); variables come as
 * a JSON object whose values are strings, numbers or booleans, written as Python's str()
 * writes them (True, 3, 3.5, 1e+16); a missing variable is an error naming it.
 *
 * Thread safety: store calls as in store.h; an igny8_prompt is an immutable snapshot
 * that any thread may read and exactly one thread frees. The igny8_template_* and
 * igny8_text_diff calls use no store and may run on any thread.
 */
#ifndef IGNY8_PROMPT_H
#define IGNY8_PROMPT_H

#include "common.h"

IGNY8_BEGIN_DECL

/** The largest template, customisation or rendered prompt: 16 MiB. */
#define IGNY8_PROMPT_MAX_BYTES (16u * 1024u * 1024u)

typedef struct igny8_prompt igny8_prompt;

/* ---- pure text functions ---- */

/** Check a template and list its variables, in order of first use without duplicates, as
 *  a JSON array of strings. *out_json: caller's, igny8_free().
 *  IGNY8_EINVAL: malformed template (field "template"; the message gives the byte offset,
 *  line and column) or not UTF-8. */
IGNY8_API int igny8_template_variables_json(const char *template_text, char **out_json);

/** Render a template with the variables of a JSON object (NULL: no variables).
 *  *out_text: caller's, igny8_free(). IGNY8_EINVAL: malformed template (field "template"),
 *  malformed variables (field "variables"), a variable of another JSON type (field: its
 *  name) or a missing variable (field: its name). */
IGNY8_API int igny8_template_render(const char *template_text, const char *variables_json, char **out_text);

/** A line-based unified diff (3 lines of context, "--- old_label" / "+++ new_label"
 *  headers, "\ No newline at end of file" markers) from old_text to new_text; "" when they
 *  are equal. Labels may be NULL ("a" and "b"). *out_diff: caller's, igny8_free(). */
IGNY8_API int igny8_text_diff(const char *old_text, const char *new_text, const char *old_label,
                              const char *new_label, char **out_diff);

/* ---- global prompts ---- */

/** Options of igny8_prompt_commit(); 0/NULL fields are defaults. */
typedef struct igny8_prompt_commit_options {
    unsigned int version;       /**< IGNY8_PROMPT_COMMIT_OPTIONS_VERSION */
    const char *prompt_type;    /**< required */
    const char *value;          /**< required: the template */
    const char *description;    /**< what the prompt does; NULL = the previous version's */
    const char *message;        /**< why this version; NULL = none */
    int publish;                /**< non-zero: publish the new version in the same transaction */
} igny8_prompt_commit_options;

#define IGNY8_PROMPT_COMMIT_OPTIONS_VERSION 1
#define IGNY8_PROMPT_COMMIT_OPTIONS_INIT { IGNY8_PROMPT_COMMIT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0 }

/** Fill *opts with the defaults of the given struct version. IGNY8_EINVAL: bad version. */
IGNY8_API int igny8_prompt_commit_options_init(igny8_prompt_commit_options *opts, unsigned int version);

/** Add a prompt type (an identifier, 1..64 chars) with no versions yet.
 *  IGNY8_EEXISTS: it exists; IGNY8_EINVAL: bad name (field "prompt_type"). */
IGNY8_API int igny8_prompt_type_add(igny8_store *st, const char *actor, const char *prompt_type);

/** Commit a new version (the latest + 1) of a prompt type. *out may be NULL; else the new
 *  version, caller's, release with igny8_prompt_free().
 *  IGNY8_ENOTFOUND: unknown prompt type; IGNY8_EINVAL: malformed template (field "value"). */
IGNY8_API int igny8_prompt_commit(igny8_store *st, const char *actor, const igny8_prompt_commit_options *opts,
                                  igny8_prompt **out);

/** Publish a version: accounts that did not customise the prompt get it from now on.
 *  Publishing an older version is a rollback (recorded in the audit log; versions never
 *  change). IGNY8_ENOTFOUND: unknown type or version (field "version"). */
IGNY8_API int igny8_prompt_publish(igny8_store *st, const char *actor, const char *prompt_type, int version);

/** Activate or deactivate a prompt type; an inactive type cannot be rendered.
 *  IGNY8_ENOTFOUND: unknown prompt type. */
IGNY8_API int igny8_prompt_set_active(igny8_store *st, const char *actor, const char *prompt_type, int active);

/** A version of a prompt type (version 0: the published one). *out: caller's,
 *  igny8_prompt_free(). IGNY8_ENOTFOUND: unknown type, no such version, or nothing
 *  published (field "version"). */
IGNY8_API int igny8_prompt_get(igny8_store *st, const char *prompt_type, int version, igny8_prompt **out);

/** The versions of a prompt type, newest first: {"prompt_type":"ideas","published_version":2,
 *  "versions":[{"version":3,"message":"...","description":"...","author":"ops",
 *  "created_at":"...","published":false,"variables":[...]}]}. *out_json: igny8_free(). */
IGNY8_API int igny8_prompt_versions_json(igny8_store *st, const char *prompt_type, char **out_json);

/** Unified diff between two versions of a prompt type (labels "<type> v<n>").
 *  *out_diff: igny8_free(). IGNY8_ENOTFOUND: unknown type or version (field "version"). */
IGNY8_API int igny8_prompt_diff(igny8_store *st, const char *prompt_type, int from_version, int to_version,
                                char **out_diff);

/** The admin list: [{"prompt_type":"ideas","published_version":2,"latest_version":3,
 *  "is_active":true,"description":"...","variables":[...]}] (description and variables of
 *  the published version). *out_json: igny8_free(). */
IGNY8_API int igny8_prompt_list_json(igny8_store *st, char **out_json);

/* ---- bulk actions (each one transaction: all or nothing; the error names the first bad type) ---- */

/** For each type, commit the published value again as a new version with `message` and
 *  publish it. IGNY8_ENOTFOUND: unknown type or nothing published (field "prompt_types[i]"). */
IGNY8_API int igny8_prompt_increment_version(igny8_store *st, const char *actor, const char *const *prompt_types,
                                             size_t count, const char *message);

/** Activate or deactivate several types. IGNY8_ENOTFOUND: unknown type (field "prompt_types[i]"). */
IGNY8_API int igny8_prompt_set_active_bulk(igny8_store *st, const char *actor, const char *const *prompt_types,
                                           size_t count, int active);

/* ---- accounts ---- */

/** Customise the prompt of a type for an account: stores the value, and the published
 *  global value and version it is based on. IGNY8_ENOTFOUND: unknown type, or nothing
 *  published to base it on; IGNY8_EINVAL: malformed template (field "value"). */
IGNY8_API int igny8_account_prompt_customize(igny8_store *st, const char *actor, int64_t account_id,
                                             const char *prompt_type, const char *value);

/** Remove the account's customisation: it follows the published prompt again. Resetting
 *  an account that did not customise is not an error. IGNY8_ENOTFOUND: unknown type. */
IGNY8_API int igny8_account_prompt_reset(igny8_store *st, const char *actor, int64_t account_id,
                                         const char *prompt_type);

/** Reset the customisation of a type for several accounts in one transaction.
 *  IGNY8_EINVAL: an account id < 1 (field "account_ids[i]"); IGNY8_ENOTFOUND: unknown type. */
IGNY8_API int igny8_account_prompt_reset_bulk(igny8_store *st, const char *actor, const int64_t *account_ids,
                                              size_t count, const char *prompt_type);

/** The effective prompt of a type for an account: its customisation, else the published
 *  version. *out: caller's, igny8_prompt_free(). IGNY8_ENOTFOUND: unknown type, or
 *  neither a customisation nor a published version. */
IGNY8_API int igny8_account_prompt_get(igny8_store *st, int64_t account_id, const char *prompt_type,
                                       igny8_prompt **out);

/** The account's view of a type: {"prompt_type":"ideas","value":"...","is_customized":true,
 *  "based_on_version":1,"published_version":2,"stale":true,"default_prompt":"...",
 *  "is_active":true,"variables":[...]}. *out_json: igny8_free(). */
IGNY8_API int igny8_account_prompt_get_json(igny8_store *st, int64_t account_id, const char *prompt_type,
                                            char **out_json);

/** The account's view of every prompt type, as a JSON array. *out_json: igny8_free(). */
IGNY8_API int igny8_account_prompt_list_json(igny8_store *st, int64_t account_id, char **out_json);

/** Accounts whose customisation of a type is stale: {"prompt_type":"ideas",
 *  "published_version":2,"accounts":[{"account_id":7,"based_on_version":1}]}.
 *  *out_json: igny8_free(). IGNY8_ENOTFOUND: unknown type. */
IGNY8_API int igny8_prompt_stale_accounts_json(igny8_store *st, const char *prompt_type, char **out_json);

/** Render the effective prompt of a type for an account (account_id 0: the published
 *  global prompt) with a JSON object of variables. *out_text: igny8_free().
 *  IGNY8_EINVAL: the type is inactive (field "prompt_type"), or as igny8_template_render();
 *  IGNY8_ENOTFOUND: unknown type or nothing to render. */
IGNY8_API int igny8_prompt_render(igny8_store *st, int64_t account_id, const char *prompt_type,
                                  const char *variables_json, char **out_text);

/* ---- the snapshot ---- */

IGNY8_API const char *igny8_prompt_type(const igny8_prompt *p);
/** The template text. */
IGNY8_API const char *igny8_prompt_value(const igny8_prompt *p);
/** Global version: its number; account prompt: the published version (0 if none). */
IGNY8_API int igny8_prompt_version(const igny8_prompt *p);
/** The variables of the value as a JSON array of strings. */
IGNY8_API const char *igny8_prompt_variables_json(const igny8_prompt *p);
/** Global version: its description, commit message, author and time. An account's
 *  customisation: the published version's description, no message (NULL), and the author
 *  and time of the customisation. */
IGNY8_API const char *igny8_prompt_description(const igny8_prompt *p);
IGNY8_API const char *igny8_prompt_message(const igny8_prompt *p);
IGNY8_API const char *igny8_prompt_author(const igny8_prompt *p);
IGNY8_API const char *igny8_prompt_created_at(const igny8_prompt *p);
/** 1 when this global version is the published one. */
IGNY8_API int igny8_prompt_is_published(const igny8_prompt *p);
/** Account prompts: 1 when the value is the account's customisation. */
IGNY8_API int igny8_prompt_is_customized(const igny8_prompt *p);
/** Account prompts: the global version the customisation was based on (0 if none). */
IGNY8_API int igny8_prompt_based_on_version(const igny8_prompt *p);
/** Account prompts: 1 when the customisation is based on an older version than the published one. */
IGNY8_API int igny8_prompt_is_stale(const igny8_prompt *p);
/** Free a snapshot. NULL is a no-op. */
IGNY8_API void igny8_prompt_free(igny8_prompt *p);

IGNY8_END_DECL

#endif
