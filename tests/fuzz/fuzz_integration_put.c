/* igny8_integration_put_json: the same body PUT to a text integration (openai, where the
 * baseline account has overrides) and an image one (dalle, where it has none), for the
 * baseline account and for an account the store does not know.
 *
 * Invariants (settings.h, DESIGN §3):
 * - success: the reply is JSON and is exactly what a GET gives afterwards;
 * - failure: a negative code, no reply, and nothing written: the GET body of every
 *   integration of the account and the audit log are as before. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const size_t fuzz_json_prefix = 0;

static char *list(igny8_store *st, int64_t account)
{
    char *json = NULL;
    FUZZ_CHECK(igny8_integration_list_json(st, account, &json) == IGNY8_OK);
    return json;
}

static void put(igny8_store *st, int64_t account, const char *integration, const char *body)
{
    char *before = list(st, account), *reply = (char *)1, *get = NULL;
    long long audit = fuzz_audit_count(st);
    int rc = igny8_integration_put_json(st, "fuzz", account, integration, body, &reply);
    if (rc == IGNY8_OK) {
        FUZZ_CHECK(fuzz_json_valid(reply));
        FUZZ_CHECK(igny8_integration_get_json(st, account, integration, &get) == IGNY8_OK);
        FUZZ_CHECK(strcmp(reply, get) == 0);
    } else {
        char *after = list(st, account);
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(reply == NULL);
        FUZZ_CHECK(strcmp(before, after) == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audit);
        igny8_free(after);
    }
    igny8_free(get);
    igny8_free(reply);
    igny8_free(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_cstr(data, size);
    igny8_store *st = fuzz_store();
    put(st, FUZZ_ACCOUNT, "openai", body);
    put(st, FUZZ_ACCOUNT, "dalle", body);
    put(st, FUZZ_NEW_ACCOUNT, "openai", body);
    free(body);
    return 0;
}
