/* igny8_store_open on a file whose bytes are the input (seeds: small stores the library
 * made), in a temporary directory of the process, one path reused: the file and its -wal,
 * -shm and -journal are removed before every input. The file is opened read-only, then
 * read-write; whatever opens is read (resolutions, GET bodies, the export) and written (a
 * PUT). DESIGN §5: a file that is not a store, or is corrupt, is an error, never a crash
 * or a hang.
 * Invariants: every call returns 0 or a negative code; a JSON result is JSON. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

static void remove_files(void)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char p[128];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static void cleanup(void)
{
    remove_files();
    rmdir(dir);
}

static void write_input(const uint8_t *data, size_t size)
{
    if (dir[0] == '\0') {
        snprintf(dir, sizeof(dir), "%s", "/tmp/igny8-fuzz-store-XXXXXX");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof(path), "%s/store.db", dir);
        atexit(cleanup);
    }
    remove_files();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        FUZZ_CHECK(n > 0);
        done += (size_t)n;
    }
    FUZZ_CHECK(close(fd) == 0);
}

/* A call that gives JSON: 0 and JSON, or a negative code and no text. */
static void json_result(int rc, char *json)
{
    if (rc == IGNY8_OK)
        FUZZ_CHECK(fuzz_json_valid(json));
    else
        FUZZ_CHECK(rc < 0 && json == NULL);
    igny8_free(json);
}

static void resolve(igny8_store *st, int64_t account, const char *operation)
{
    igny8_resolution *r = NULL;
    int rc = igny8_get_model_for_operation(st, account, operation, NULL, &r);
    if (rc == IGNY8_OK) {
        FUZZ_CHECK(r != NULL && igny8_resolution_model_name(r) != NULL);
        FUZZ_CHECK(fuzz_json_valid(igny8_resolution_trace_json(r)));
    } else {
        FUZZ_CHECK(rc < 0 && r == NULL);
    }
    igny8_resolution_free(r);
}

static void read_all(igny8_store *st)
{
    char *json = NULL;
    int version = 0;
    int rc = igny8_store_schema_version(st, &version);
    FUZZ_CHECK(rc <= 0);
    resolve(st, FUZZ_ACCOUNT, "content_generation");
    resolve(st, FUZZ_ACCOUNT, "image_generation");
    resolve(st, 1, "clustering");
    rc = igny8_integration_get_json(st, FUZZ_ACCOUNT, "openai", &json);
    json_result(rc, json);
    json = NULL;
    rc = igny8_global_settings_get_json(st, &json);
    json_result(rc, json);
    json = NULL;
    rc = igny8_store_export_json(st, NULL, &json);
    json_result(rc, json);
}

static void open_and_use(uint32_t flags)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    igny8_store *st = (igny8_store *)1;
    char *json = NULL;
    o.flags = flags;
    o.busy_timeout_ms = 100;
    o.cache_accounts = 16;
    int rc = igny8_store_open(&st, path, &o);
    if (rc != IGNY8_OK) {
        FUZZ_CHECK(rc < 0 && st == NULL);
        return;
    }
    read_all(st);
    rc = igny8_integration_put_json(st, "fuzz", FUZZ_ACCOUNT, "openai", "{\"temperature\":0.5}", &json);
    json_result(rc, json);
    if (rc == IGNY8_OK)
        resolve(st, FUZZ_ACCOUNT, "content_generation");
    igny8_store_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    open_and_use(IGNY8_STORE_READONLY | IGNY8_STORE_NOCREATE);
    open_and_use(IGNY8_STORE_NOCREATE);
    return 0;
}
