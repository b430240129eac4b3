/* The libraries (library.h): igny8_library_create_json of the input as an author profile
 * and as a strategy, and the validation the import shares (igny8__library_validate),
 * on the baseline store.
 *
 * Invariants:
 * - validation fails => its field starts with the path it was given;
 * - create succeeds => the item validates; its view is JSON; the same body, and the view
 *   itself, sent as an update are accepted and change nothing; a copy of it cloned to an
 *   account is JSON, not "modified", and stays so after an update with the same body;
 * - create fails => a negative code and no audit entry; when the item validates, only
 *   because the name is taken (IGNY8_EEXISTS). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"

/* internal: the validation shared with the import */
#include "common.h"
#include "library.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const size_t fuzz_json_prefix = 0;

static char *view(igny8_store *st, int kind, int64_t id)
{
    char *json = NULL;
    FUZZ_CHECK(igny8_library_get_json(st, kind, id, &json) == IGNY8_OK);
    FUZZ_CHECK(fuzz_json_valid(json));
    return json;
}

static int copy_modified(igny8_store *st, int kind, int64_t copy)
{
    char *json = NULL;
    FUZZ_CHECK(igny8_library_copy_get_json(st, kind, FUZZ_NEW_ACCOUNT, copy, &json) == IGNY8_OK);
    cJSON *j = cJSON_Parse(json);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "modified");
    FUZZ_CHECK(cJSON_IsBool(m));
    int modified = cJSON_IsTrue(m);
    cJSON_Delete(j);
    igny8_free(json);
    return modified;
}

static int validates(igny8_store *st, int kind, const cJSON *item, int creating)
{
    static const char prefix[] = "$.library[0].";
    int rc = igny8__library_validate(st, kind, item, creating, prefix);
    if (rc != IGNY8_OK) {
        const char *field = igny8_error_last()->field;
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(field && strncmp(field, prefix, sizeof(prefix) - 2) == 0);
    }
    return rc == IGNY8_OK;
}

static void one_kind(igny8_store *st, int kind, const char *body, const cJSON *item)
{
    int valid = item && validates(st, kind, item, 1);
    if (item)
        validates(st, kind, item, 0);
    long long audit = fuzz_audit_count(st);
    int64_t id = 0, copy = 0;
    int rc = igny8_library_create_json(st, "fuzz", kind, body, &id);
    if (rc != IGNY8_OK) {
        FUZZ_CHECK(rc < 0 && id == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audit);
        /* EINVAL despite a valid tree: the text itself is refused (\u0000 inside a string,
         * a key given twice), which a cJSON tree cannot show */
        FUZZ_CHECK(!valid || rc == IGNY8_EEXISTS || rc == IGNY8_EINVAL);
        return;
    }
    FUZZ_CHECK(valid && id > 0);
    char *before = view(st, kind, id);
    FUZZ_CHECK(igny8_library_update_json(st, "fuzz", kind, id, body) == IGNY8_OK);
    char *after = view(st, kind, id);
    FUZZ_CHECK(strcmp(before, after) == 0);
    FUZZ_CHECK(igny8_library_update_json(st, "fuzz", kind, id, before) == IGNY8_OK);
    igny8_free(after);
    after = view(st, kind, id);
    FUZZ_CHECK(strcmp(before, after) == 0);

    FUZZ_CHECK(igny8_library_clone(st, "fuzz", kind, FUZZ_NEW_ACCOUNT, id, &copy) == IGNY8_OK);
    FUZZ_CHECK(!copy_modified(st, kind, copy));
    FUZZ_CHECK(igny8_library_copy_update_json(st, "fuzz", kind, FUZZ_NEW_ACCOUNT, copy, body) == IGNY8_OK);
    FUZZ_CHECK(!copy_modified(st, kind, copy));
    igny8_free(before);
    igny8_free(after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_cstr(data, size);
    size_t bad = 0;
    /* parsed as the library parses it: UTF-8, and nothing after the value */
    cJSON *item = igny8__utf8_valid(body, &bad) ? cJSON_ParseWithOpts(body, NULL, 1) : NULL;
    igny8_store *st = fuzz_store();
    one_kind(st, IGNY8_LIBRARY_AUTHOR_PROFILE, body, item);
    one_kind(st, IGNY8_LIBRARY_STRATEGY, body, item);
    cJSON_Delete(item);
    free(body);
    return 0;
}
