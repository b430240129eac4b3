/* A program outside the project, built against an installed libigny8settings (by
 * tests/install_test.cmake, once with pkg-config and once with find_package). */
#include <stdio.h>

#include <igny8.h>

int main(void)
{
    int major = 0;
    const char *version = igny8_version(&major, NULL, NULL);
    if (major != IGNY8_VERSION_MAJOR) {
        fprintf(stderr, "consumer: headers are %d.x, library is %s\n", IGNY8_VERSION_MAJOR, version);
        return 1;
    }
    igny8_store *st = NULL;
    int rc = igny8_store_open(&st, ":memory:", NULL);
    if (rc == IGNY8_OK)
        rc = igny8_defaults_load(st, "consumer", NULL);
    if (rc != IGNY8_OK) {
        fprintf(stderr, "consumer: %s\n", igny8_error_last()->message);
        igny8_store_close(st);
        return 1;
    }
    igny8_store_close(st);
    printf("consumer: libigny8settings %s\n", version);
    return 0;
}
