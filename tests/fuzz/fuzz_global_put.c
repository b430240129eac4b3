/* igny8_global_settings_put_json on the baseline store.
 *
 * Invariants (settings.h, DESIGN §3):
 * - success: the reply is JSON and is exactly what a GET gives afterwards, and that GET
 *   body PUT back is accepted and changes nothing (a body of the GET's shape; read-only
 *   and key fields are ignored);
 * - failure: a negative code, no reply, and nothing written: the GET body, every
 *   integration's GET body for an account and the audit log are as before. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const size_t fuzz_json_prefix = 0;

static char *get(igny8_store *st)
{
    char *json = NULL;
    FUZZ_CHECK(igny8_global_settings_get_json(st, &json) == IGNY8_OK);
    return json;
}

static char *list(igny8_store *st)
{
    char *json = NULL;
    FUZZ_CHECK(igny8_integration_list_json(st, FUZZ_ACCOUNT, &json) == IGNY8_OK);
    return json;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_cstr(data, size), *reply = (char *)1;
    igny8_store *st = fuzz_store();
    char *before = get(st), *accounts = list(st);
    long long audit = fuzz_audit_count(st);
    int rc = igny8_global_settings_put_json(st, "fuzz", body, &reply);
    char *after = get(st);
    if (rc == IGNY8_OK) {
        FUZZ_CHECK(fuzz_json_valid(reply));
        FUZZ_CHECK(strcmp(reply, after) == 0);
        long long audited = fuzz_audit_count(st);
        char *again = (char *)1;
        FUZZ_CHECK(igny8_global_settings_put_json(st, "fuzz", after, &again) == IGNY8_OK);
        FUZZ_CHECK(strcmp(again, after) == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audited);
        igny8_free(again);
    } else {
        char *accounts_after = list(st);
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(reply == NULL);
        FUZZ_CHECK(strcmp(before, after) == 0);
        FUZZ_CHECK(strcmp(accounts, accounts_after) == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audit);
        igny8_free(accounts_after);
    }
    igny8_free(after);
    igny8_free(before);
    igny8_free(accounts);
    igny8_free(reply);
    free(body);
    return 0;
}
