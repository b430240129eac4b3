/* igny8_store_import_json on the baseline store (fuzz_common.h).
 *
 * Input: a mode byte, then the document. 'R' or 'r': IGNY8_IMPORT_REPLACE; anything else:
 * IGNY8_IMPORT_MERGE.
 * Invariants (transfer.h):
 * - a failed import changes nothing: the export (with keys) and the audit log are as before;
 * - a successful one adds one audit entry, and the store it leaves exports a document that a
 *   replace takes back exactly: importing that export and exporting again gives the same
 *   bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const size_t fuzz_json_prefix = 1;  /* the mode byte */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    igny8_import_options o = IGNY8_IMPORT_OPTIONS_INIT;
    o.mode = (data[0] == 'R' || data[0] == 'r') ? IGNY8_IMPORT_REPLACE : IGNY8_IMPORT_MERGE;
    char *json = fuzz_cstr(data + 1, size - 1);
    igny8_store *st = fuzz_store();
    /* every input starts from the same store: its export and audit count once */
    static char *before;
    static long long audit;
    if (before == NULL) {
        before = fuzz_export(st);
        audit = fuzz_audit_count(st);
    }

    int rc = igny8_store_import_json(st, "fuzz", json, &o);
    char *after = fuzz_export(st);
    if (rc != IGNY8_OK) {
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(strcmp(before, after) == 0);
        FUZZ_CHECK(fuzz_audit_count(st) == audit);
    } else {
        igny8_import_options replace = IGNY8_IMPORT_OPTIONS_INIT;
        replace.mode = IGNY8_IMPORT_REPLACE;
        FUZZ_CHECK(fuzz_audit_count(st) == audit + 1);
        FUZZ_CHECK(igny8_store_import_json(st, "fuzz", after, &replace) == IGNY8_OK);
        char *again = fuzz_export(st);
        FUZZ_CHECK(strcmp(after, again) == 0);
        igny8_free(again);
    }
    igny8_free(after);
    free(json);
    return 0;
}
