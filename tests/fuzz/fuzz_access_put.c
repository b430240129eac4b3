/* The bodies of plans and fallbacks (access.h) on the baseline store. The first byte of
 * the input chooses the body, the rest is the body: 'g' an access group's ("starter"), 'c'
 * the platform's fallback chains, 'C' the baseline account's chains, anything else the
 * baseline account's access body.
 *
 * Invariants (access.h):
 * - success: the reply is JSON and is exactly what a GET gives afterwards, and that body
 *   PUT back is accepted and writes nothing (no audit entry);
 * - failure: a negative code, no reply, and nothing written: the groups, the account's
 *   access, both owners' chains and the audit log are as before;
 * - either way the resolver then answers every operation for the account with 0 or a
 *   negative code; a resolution's trace and body are JSON, and each fallback is a model of
 *   the chain the trace names, none of them the resolution's model. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const size_t fuzz_json_prefix = 1;

static const char *const operations[] = { "clustering", "ideas", "content_generation", "image_generation" };

typedef int (*get_fn)(igny8_store *st, char **out);
typedef int (*put_fn)(igny8_store *st, const char *body, char **out);

static int get_group(igny8_store *st, char **out) { return igny8_access_group_get_json(st, "starter", out); }
static int put_group(igny8_store *st, const char *body, char **out)
{
    return igny8_access_group_put_json(st, "fuzz", "starter", body, out);
}
static int get_platform_chains(igny8_store *st, char **out) { return igny8_fallback_chains_get_json(st, 0, out); }
static int put_platform_chains(igny8_store *st, const char *body, char **out)
{
    return igny8_fallback_chains_put_json(st, "fuzz", 0, body, out);
}
static int get_account_chains(igny8_store *st, char **out)
{
    return igny8_fallback_chains_get_json(st, FUZZ_ACCOUNT, out);
}
static int put_account_chains(igny8_store *st, const char *body, char **out)
{
    return igny8_fallback_chains_put_json(st, "fuzz", FUZZ_ACCOUNT, body, out);
}
static int get_access(igny8_store *st, char **out) { return igny8_account_access_get_json(st, FUZZ_ACCOUNT, out); }
static int put_access(igny8_store *st, const char *body, char **out)
{
    return igny8_account_access_put_json(st, "fuzz", FUZZ_ACCOUNT, body, out);
}

/* Everything a PUT of these bodies could change, as one string (caller frees). */
static char *views(igny8_store *st)
{
    char *parts[4] = { NULL, NULL, NULL, NULL };
    FUZZ_CHECK(igny8_access_group_list_json(st, &parts[0]) == IGNY8_OK);
    FUZZ_CHECK(igny8_account_access_get_json(st, FUZZ_ACCOUNT, &parts[1]) == IGNY8_OK);
    FUZZ_CHECK(igny8_fallback_chains_get_json(st, 0, &parts[2]) == IGNY8_OK);
    FUZZ_CHECK(igny8_fallback_chains_get_json(st, FUZZ_ACCOUNT, &parts[3]) == IGNY8_OK);
    size_t n = 1;  /* the NUL */
    for (int i = 0; i < 4; i++)
        n += strlen(parts[i]) + 1;
    char *all = malloc(n);
    FUZZ_CHECK(all != NULL);
    all[0] = '\0';
    for (int i = 0; i < 4; i++) {
        strcat(all, parts[i]);
        strcat(all, "\n");
        igny8_free(parts[i]);
    }
    return all;
}

static void put(igny8_store *st, get_fn get, put_fn put_body, const char *body)
{
    char *before = views(st), *reply = (char *)1, *now = NULL, *again = NULL;
    long long audit = fuzz_audit_count(st);
    int rc = put_body(st, body, &reply);
    if (rc == IGNY8_OK) {
        FUZZ_CHECK(fuzz_json_valid(reply));
        FUZZ_CHECK(get(st, &now) == IGNY8_OK);
        FUZZ_CHECK(strcmp(reply, now) == 0);
        audit = fuzz_audit_count(st);
        FUZZ_CHECK(put_body(st, now, &again) == IGNY8_OK);
        FUZZ_CHECK(strcmp(again, now) == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audit);
    } else {
        char *after = views(st);
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(reply == NULL);
        FUZZ_CHECK(strcmp(before, after) == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audit);
        free(after);
    }
    igny8_free(again);
    igny8_free(now);
    igny8_free(reply);
    free(before);
}

/* Whether name is a model of the trace's chain. */
static int in_chain(const cJSON *trace, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(trace, "fallbacks")) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "model");
        if (cJSON_IsString(m) && strcmp(m->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

static void resolve_all(igny8_store *st)
{
    for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++) {
        igny8_resolution *r = NULL;
        char *body = NULL;
        int rc = igny8_get_model_for_operation(st, FUZZ_ACCOUNT, operations[i], NULL, &r);
        FUZZ_CHECK(rc <= 0);
        if (rc != IGNY8_OK) {
            FUZZ_CHECK(r == NULL);
            continue;
        }
        cJSON *trace = cJSON_Parse(igny8_resolution_trace_json(r));
        FUZZ_CHECK(trace != NULL);
        for (size_t k = 0; k < igny8_resolution_fallback_count(r); k++) {
            const char *name = igny8_resolution_model_name(igny8_resolution_fallback_at(r, k));
            FUZZ_CHECK(in_chain(trace, name));
            FUZZ_CHECK(strcmp(name, igny8_resolution_model_name(r)) != 0);
        }
        FUZZ_CHECK(igny8_resolution_to_json(r, &body) == IGNY8_OK && fuzz_json_valid(body));
        cJSON_Delete(trace);
        igny8_free(body);
        igny8_resolution_free(r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *body = fuzz_cstr(data + 1, size - 1);
    igny8_store *st = fuzz_store();
    switch (data[0]) {
    case 'g': put(st, get_group, put_group, body); break;
    case 'c': put(st, get_platform_chains, put_platform_chains, body); break;
    case 'C': put(st, get_account_chains, put_account_chains, body); break;
    default: put(st, get_access, put_access, body); break;
    }
    resolve_all(st);
    free(body);
    return 0;
}
