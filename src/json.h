/* JSON helpers over cJSON shared by every area: parsing with clear errors, building
 * views without losing track of allocation failures, and typed field readers. */
#ifndef IGNY8__JSON_H
#define IGNY8__JSON_H

#include <cjson/cJSON.h>

/* Parse text as one JSON value; IGNY8_EINVAL naming `what` and the byte offset. */
int igny8__json_parse(const char *text, const char *what, cJSON **out);
/* Parse foreign text of len bytes (text[len] is its NUL; a provider's answer) as one
 * JSON value: NULL when it
 * is not JSON (or on OOM), and this thread's last error untouched, because text that is
 * not JSON is a result there, not a failure. */
cJSON *igny8__json_parse_quiet(const char *text, size_t len);
/* Parse and require an object. */
int igny8__json_parse_object(const char *text, const char *what, cJSON **out);
/* A body or document from the caller: at most max_bytes (0: no limit), an object, no
 * "\u0000" escape (which would cut a C string short) and no name twice in one object
 * (field: the name's path from root, "" for a body, "$" for a document). */
int igny8__json_parse_body(const char *text, const char *what, size_t max_bytes, const char *root, cJSON **out);

/* Start a view whose root is an object: the allocation-failure flag that
 * igny8__json_emit() reports is reset, and a new object made (NULL on OOM). */
cJSON *igny8__json_object(void);
/* Reset the allocation-failure flag only, for a view that does not start with
 * igny8__json_object() (an array, or an object built elsewhere). */
void igny8__json_reset(void);
/* Builders: add to obj; a NULL string becomes JSON null. Failures are remembered and
 * reported by igny8__json_emit(). They return the added item (NULL on failure). */
cJSON *igny8__json_add_str(cJSON *obj, const char *key, const char *value);
cJSON *igny8__json_add_num(cJSON *obj, const char *key, double value); /* NaN -> null */
cJSON *igny8__json_add_int(cJSON *obj, const char *key, int64_t value);
/* A positive count, or null for 0 and below ("not set"). */
cJSON *igny8__json_add_count(cJSON *obj, const char *key, int64_t value);
cJSON *igny8__json_add_bool(cJSON *obj, const char *key, int value);
cJSON *igny8__json_add_null(cJSON *obj, const char *key);
cJSON *igny8__json_add_object(cJSON *obj, const char *key);
cJSON *igny8__json_add_array(cJSON *obj, const char *key);
/* Append to an array (or add under key to an object when key is non-NULL) an item the
 * caller made; on failure the item is deleted. */
cJSON *igny8__json_attach(cJSON *parent, const char *key, cJSON *item);
/* Note an allocation failure from a direct cJSON call. */
void igny8__json_note_oom(void);

/* Print j (not freed) into a string the caller releases with igny8_free().
 * IGNY8_ENOMEM when printing or any builder since igny8__json_object() failed. */
int igny8__json_emit(const cJSON *j, char **out);
/* Emit j, then delete it. */
int igny8__json_emit_free(cJSON *j, char **out);
/* Unformatted text of j in our allocator, or NULL on OOM. */
char *igny8__json_print(const cJSON *j);

/* Typed readers of a field of an object. `path` is the field's path for errors
 * (e.g. "integrations.openai.temperature"). A JSON null is reported through *is_null
 * where the reader takes it; otherwise it is a type error. */
int igny8__json_get_string(const cJSON *item, const char *path, const char **out, int *is_null);
int igny8__json_get_number(const cJSON *item, const char *path, double *out, int *is_null);
int igny8__json_get_int(const cJSON *item, const char *path, int64_t min, int64_t max, int64_t *out,
                        int *is_null);
int igny8__json_get_bool(const cJSON *item, const char *path, int *out, int *is_null);

/* *out := the first member of obj (in document order) whose key an earlier member has,
 * or NULL. cJSON keeps every member of an object, so a lookup by key finds the first
 * and a walk over the members ends with the last: a reader must refuse the object
 * rather than let two of its parts read different ones. O(n log n) in the members. */
int igny8__json_repeated_key(const cJSON *obj, const cJSON **out);

/* True when a field name names an API key or another secret; such fields are stripped
 * from every PUT body and never stored. */
int igny8__json_is_secret_field(const char *name);

#endif
