/* The envelope of a stored API key (src/keys.c): a sealed key opens only under its master
 * key, for its row and its key id; master keys parse from every source and are refused,
 * without being repeated, when they are not base64 of 32 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "alloc.h"
#include "keys.h"

#define PLAIN "sk-FAKE-envelope-0123456789"

static void two_keys(igny8__keyring *kr, char a[IGNY8__MASTER_KEY_B64_SIZE], char b[IGNY8__MASTER_KEY_B64_SIZE])
{
    char text[2 * IGNY8__MASTER_KEY_B64_SIZE + 2];
    assert_igny8_ok(igny8__master_key_generate(a));
    assert_igny8_ok(igny8__master_key_generate(b));
    snprintf(text, sizeof(text), "%s,%s", a, b);
    memset(kr, 0, sizeof(*kr));
    assert_igny8_ok(igny8__keyring_parse(kr, text, "the test"));
    assert_int_equal(kr->n, 2);
}

static void test_keys_internal__a_sealed_key_opens_only_for_its_row(void **state)
{
    (void)state;
    igny8__keyring kr;
    char a[IGNY8__MASTER_KEY_B64_SIZE], b[IGNY8__MASTER_KEY_B64_SIZE], id[IGNY8__IDENTITY_SIZE];
    two_keys(&kr, a, b);
    igny8__key_identity(id, 42, "openai");
    assert_string_equal(id, "account_integration/42/openai");
    char *sealed = NULL, *plain = NULL, *again = NULL;
    assert_igny8_ok(igny8__key_seal(&kr.keys[0], id, PLAIN, &sealed));
    testutil_assert_not_contains(sealed, "FAKE");
    assert_igny8_ok(igny8__key_seal(&kr.keys[0], id, PLAIN, &again));
    assert_string_not_equal(sealed, again);  /* a fresh nonce each time */
    assert_igny8_ok(igny8__key_open(&kr, kr.keys[0].id, id, sealed, &plain));
    assert_string_equal(plain, PLAIN);
    igny8__free_secret(plain);
    char other[IGNY8__IDENTITY_SIZE];
    igny8__key_identity(other, 0, "openai");
    assert_string_equal(other, "integration/openai");
    assert_igny8_fails(IGNY8_ECORRUPT, "api_key", igny8__key_open(&kr, kr.keys[0].id, other, sealed, &plain));
    assert_null(plain);
    /* relabelled with the other key's id: that key cannot open it either */
    assert_igny8_fails(IGNY8_ECORRUPT, "api_key", igny8__key_open(&kr, kr.keys[1].id, id, sealed, &plain));
    sealed[5] = sealed[5] == 'A' ? 'B' : 'A';
    assert_igny8_fails(IGNY8_ECORRUPT, "api_key", igny8__key_open(&kr, kr.keys[0].id, id, sealed, &plain));
    assert_igny8_fails(IGNY8_ECORRUPT, "api_key", igny8__key_open(&kr, kr.keys[0].id, id, "not base64!", &plain));
    assert_igny8_fails(IGNY8_ECORRUPT, "api_key", igny8__key_open(&kr, kr.keys[0].id, id, "", &plain));
    igny8__free(sealed);
    igny8__free(again);
    igny8__keyring_clear(&kr);
}

static void test_keys_internal__a_missing_master_key_is_eperm(void **state)
{
    (void)state;
    igny8__keyring kr, empty;
    char a[IGNY8__MASTER_KEY_B64_SIZE], b[IGNY8__MASTER_KEY_B64_SIZE], id[IGNY8__IDENTITY_SIZE];
    two_keys(&kr, a, b);
    igny8__key_identity(id, 0, "anthropic");
    char *sealed = NULL, *plain = NULL;
    assert_igny8_ok(igny8__key_seal(&kr.keys[1], id, PLAIN, &sealed));
    memset(&empty, 0, sizeof(empty));
    assert_igny8_fails(IGNY8_EPERM, "master_key", igny8__key_open(&empty, kr.keys[1].id, id, sealed, &plain));
    testutil_assert_contains(igny8_error_last()->message, kr.keys[1].id);
    testutil_assert_contains(igny8_error_last()->message, "IGNY8_MASTER_KEY");
    /* the other key of the ring opens it: rows sealed before a rotation stay readable */
    assert_igny8_ok(igny8__key_open(&kr, kr.keys[1].id, id, sealed, &plain));
    assert_string_equal(plain, PLAIN);
    igny8__free_secret(plain);
    igny8__keyring_prefer(&kr, kr.keys[1].id);
    assert_igny8_ok(igny8__key_open(&kr, kr.keys[0].id, id, sealed, &plain));
    igny8__free_secret(plain);
    igny8__free(sealed);
    igny8__keyring_clear(&kr);
}

static void test_keys_internal__ids_and_checks_derive_from_the_key(void **state)
{
    (void)state;
    igny8__keyring kr, same;
    char a[IGNY8__MASTER_KEY_B64_SIZE], b[IGNY8__MASTER_KEY_B64_SIZE];
    two_keys(&kr, a, b);
    memset(&same, 0, sizeof(same));
    assert_igny8_ok(igny8__keyring_parse(&same, a, "the test"));
    assert_string_equal(same.keys[0].id, kr.keys[0].id);
    assert_string_equal(same.keys[0].check, kr.keys[0].check);
    assert_string_not_equal(kr.keys[0].id, kr.keys[1].id);
    assert_int_equal(strlen(kr.keys[0].id), 16);
    assert_int_equal(strlen(kr.keys[0].check), 32);
    assert_ptr_equal(igny8__keyring_find(&kr, kr.keys[1].id), &kr.keys[1]);
    assert_null(igny8__keyring_find(&kr, "0000000000000000"));
    igny8__keyring_clear(&same);
    igny8__keyring_clear(&kr);
}

static void test_keys_internal__bad_master_keys_are_named_not_shown(void **state)
{
    (void)state;
    const char *bad[] = { "c2hvcnQ=", "not base64 at all", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        igny8__keyring kr;
        memset(&kr, 0, sizeof(kr));
        assert_igny8_fails(IGNY8_EINVAL, "master_key", igny8__keyring_parse(&kr, bad[i], "IGNY8_MASTER_KEY"));
        testutil_assert_contains(igny8_error_last()->message, "IGNY8_MASTER_KEY");
        testutil_assert_not_contains(igny8_error_last()->message, bad[i]);
        assert_null(kr.keys);
    }
}

static void test_keys_internal__the_environment_is_read_in_order(void **state)
{
    (void)state;
    char a[IGNY8__MASTER_KEY_B64_SIZE], b[IGNY8__MASTER_KEY_B64_SIZE], path[] = "/tmp/igny8-mk-XXXXXX";
    igny8__keyring kr, ref;
    two_keys(&ref, a, b);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, b, strlen(b)) == (ssize_t)strlen(b) && write(fd, "\n", 1) == 1);
    close(fd);
    setenv("IGNY8_MASTER_KEY", a, 1);
    setenv("IGNY8_MASTER_KEY_FILE", path, 1);
    assert_igny8_ok(igny8__keyring_load(&kr, NULL));  /* the file wins over the variable */
    assert_int_equal(kr.n, 1);
    assert_string_equal(kr.keys[0].id, ref.keys[1].id);
    igny8__keyring_clear(&kr);
    assert_igny8_ok(igny8__keyring_load(&kr, a));  /* the option wins over both */
    assert_string_equal(kr.keys[0].id, ref.keys[0].id);
    igny8__keyring_clear(&kr);
    unsetenv("IGNY8_MASTER_KEY_FILE");
    assert_igny8_ok(igny8__keyring_load(&kr, NULL));
    assert_string_equal(kr.keys[0].id, ref.keys[0].id);
    igny8__keyring_clear(&kr);
    setenv("IGNY8_MASTER_KEY_FILE", "/nonexistent/igny8-master-key", 1);
    assert_igny8_fails(IGNY8_EIO, "master_key", igny8__keyring_load(&kr, NULL));
    unsetenv("IGNY8_MASTER_KEY_FILE");
    unsetenv("IGNY8_MASTER_KEY");
    assert_igny8_ok(igny8__keyring_load(&kr, NULL));
    assert_int_equal(kr.n, 0);
    unlink(path);
    igny8__keyring_clear(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_internal__a_sealed_key_opens_only_for_its_row),
        cmocka_unit_test(test_keys_internal__a_missing_master_key_is_eperm),
        cmocka_unit_test(test_keys_internal__ids_and_checks_derive_from_the_key),
        cmocka_unit_test(test_keys_internal__bad_master_keys_are_named_not_shown),
        cmocka_unit_test(test_keys_internal__the_environment_is_read_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
