/* Keys at rest: master keys and the envelope of a stored API key (keys.h says what and why). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "alloc.h"
#include "error.h"
#include "keys.h"

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_FILE_MAX 4096

static const char ad_prefix[] = "igny8settings api_key v1\n";

int igny8__crypto_init(void)
{
    if (sodium_init() < 0)
        return igny8__error_set(IGNY8_ERROR, NULL, "libsodium could not be initialised");
    return IGNY8_OK;
}

/* A value derived from the key for one purpose: its id, its check value. */
static void derive_hex(const unsigned char key[IGNY8__MASTER_KEY_BYTES], const char *purpose, size_t bytes,
                       char *hex, size_t hex_size)
{
    unsigned char out[16];
    crypto_generichash(out, bytes, (const unsigned char *)purpose, strlen(purpose), key, IGNY8__MASTER_KEY_BYTES);
    sodium_bin2hex(hex, hex_size, out, bytes);
}

static int add_key(igny8__keyring *kr, const char *b64, size_t len)
{
    unsigned char key[IGNY8__MASTER_KEY_BYTES];
    size_t n = 0;
    if (sodium_base642bin(key, sizeof(key), b64, len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != sizeof(key)) {
        sodium_memzero(key, sizeof(key));
        return igny8__error_set(IGNY8_EINVAL, "master_key", "master key %zu of %s is not base64 of 32 bytes "
                                "(igny8ctl keys new-master makes one)", kr->n + 1, kr->source);
    }
    if (kr->n == IGNY8__MASTER_KEYS_MAX) {
        sodium_memzero(key, sizeof(key));
        return igny8__error_set(IGNY8_EINVAL, "master_key", "%s gives more than %d master keys", kr->source,
                                IGNY8__MASTER_KEYS_MAX);
    }
    igny8__master_key *mk = &kr->keys[kr->n++];
    memcpy(mk->key, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    derive_hex(mk->key, "igny8settings master key id", 8, mk->id, sizeof(mk->id));
    derive_hex(mk->key, "igny8settings master key check", 16, mk->check, sizeof(mk->check));
    return IGNY8_OK;
}

int igny8__keyring_parse(igny8__keyring *kr, const char *text, const char *source)
{
    int init = igny8__crypto_init();
    if (init != IGNY8_OK)
        return init;
    if (kr->keys == NULL && (kr->keys = sodium_malloc(sizeof(igny8__master_key) * IGNY8__MASTER_KEYS_MAX)) == NULL)
        return igny8__error_oom();
    snprintf(kr->source, sizeof(kr->source), "%s", source);
    for (const char *p = text; *p;) {
        size_t skip = strspn(p, ", \t\r\n"), len;
        p += skip;
        if ((len = strcspn(p, ", \t\r\n")) == 0)
            break;
        int rc = add_key(kr, p, len);
        if (rc != IGNY8_OK) {
            igny8__keyring_clear(kr);
            return rc;
        }
        p += len;
    }
    return IGNY8_OK;
}

/* The file's bytes in guarded memory; a file that does not exist is an error (it was named). */
static int read_key_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return igny8__error_set(IGNY8_EIO, "master_key", "cannot read IGNY8_MASTER_KEY_FILE '%.200s': %s", path,
                                strerror(errno));
    char *buf = sodium_malloc(KEY_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, KEY_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return igny8__error_oom();
    if (n > KEY_FILE_MAX) {
        sodium_free(buf);
        return igny8__error_set(IGNY8_EINVAL, "master_key", "IGNY8_MASTER_KEY_FILE '%.200s' is larger than %d bytes",
                                path, KEY_FILE_MAX);
    }
    buf[n] = '\0';
    *out = buf;
    return IGNY8_OK;
}

int igny8__keyring_load(igny8__keyring *kr, const char *option)
{
    memset(kr, 0, sizeof(*kr));
    if (option)
        return igny8__keyring_parse(kr, option, "the master_key option");
    const char *path = getenv("IGNY8_MASTER_KEY_FILE");
    if (path && *path) {
        char *text = NULL;
        int rc = read_key_file(path, &text);
        if (rc == IGNY8_OK) {
            rc = igny8__keyring_parse(kr, text, "IGNY8_MASTER_KEY_FILE");
            sodium_free(text);
        }
        return rc;
    }
    const char *env = getenv("IGNY8_MASTER_KEY");
    return env && *env ? igny8__keyring_parse(kr, env, "IGNY8_MASTER_KEY") : IGNY8_OK;
}

void igny8__keyring_clear(igny8__keyring *kr)
{
    if (kr->keys)
        sodium_free(kr->keys);  /* zeroes it */
    kr->keys = NULL;
    kr->n = 0;
}

const igny8__master_key *igny8__keyring_find(const igny8__keyring *kr, const char *id)
{
    for (size_t i = 0; id && i < kr->n; i++)
        if (strcmp(kr->keys[i].id, id) == 0)
            return &kr->keys[i];
    return NULL;
}

void igny8__keyring_prefer(igny8__keyring *kr, const char *id)
{
    for (size_t i = 1; id && i < kr->n; i++)
        if (strcmp(kr->keys[i].id, id) == 0) {
            igny8__master_key first = kr->keys[0];
            kr->keys[0] = kr->keys[i];
            kr->keys[i] = first;
            sodium_memzero(&first, sizeof(first));
            return;
        }
}

int igny8__master_key_generate(char out[IGNY8__MASTER_KEY_B64_SIZE])
{
    unsigned char key[IGNY8__MASTER_KEY_BYTES];
    int rc = igny8__crypto_init();
    if (rc != IGNY8_OK)
        return rc;
    randombytes_buf(key, sizeof(key));
    sodium_bin2base64(out, IGNY8__MASTER_KEY_B64_SIZE, key, sizeof(key), sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(key, sizeof(key));
    return IGNY8_OK;
}

void igny8__key_identity(char out[IGNY8__IDENTITY_SIZE], long long account_id, const char *integration)
{
    if (account_id == 0)
        snprintf(out, IGNY8__IDENTITY_SIZE, "integration/%.64s", integration);
    else
        snprintf(out, IGNY8__IDENTITY_SIZE, "account_integration/%lld/%.64s", account_id, integration);
}

/* prefix, identity, key id: what the tag covers besides the key. */
static size_t make_ad(unsigned char *ad, size_t size, const char *identity, const char *key_id)
{
    int n = snprintf((char *)ad, size, "%s%s\n%s", ad_prefix, identity, key_id);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int igny8__key_seal(const igny8__master_key *mk, const char *identity, const char *plain, char **out)
{
    size_t plain_len = strlen(plain), raw_len = NONCE_BYTES + plain_len + TAG_BYTES;
    size_t b64_size = sodium_base64_ENCODED_LEN(raw_len, sodium_base64_VARIANT_ORIGINAL);
    unsigned char ad[IGNY8__IDENTITY_SIZE + 64];
    unsigned char *raw = igny8__malloc(raw_len);
    *out = raw ? igny8__malloc(b64_size) : NULL;
    if (*out == NULL) {
        igny8__free(raw);
        return igny8__error_oom();
    }
    size_t ad_len = make_ad(ad, sizeof(ad), identity, mk->id);
    randombytes_buf(raw, NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(raw + NONCE_BYTES, NULL, (const unsigned char *)plain, plain_len,
                                               ad, ad_len, NULL, raw, mk->key);
    sodium_bin2base64(*out, b64_size, raw, raw_len, sodium_base64_VARIANT_ORIGINAL);
    igny8__free(raw);
    return IGNY8_OK;
}

static int decode_sealed(const char *sealed, unsigned char **raw, size_t *raw_len)
{
    size_t len = strlen(sealed);
    *raw = igny8__malloc(len + 1);
    if (*raw == NULL)
        return igny8__error_oom();
    if (sodium_base642bin(*raw, len + 1, sealed, len, NULL, raw_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        *raw_len < NONCE_BYTES + TAG_BYTES) {
        igny8__free(*raw);
        *raw = NULL;
        return IGNY8_ECORRUPT;
    }
    return IGNY8_OK;
}

int igny8__key_open(const igny8__keyring *kr, const char *key_id, const char *identity, const char *sealed,
                    char **plain)
{
    *plain = NULL;
    const igny8__master_key *mk = igny8__keyring_find(kr, key_id);
    if (mk == NULL)
        return igny8__error_set(IGNY8_EPERM, "master_key", "the API key of %s is encrypted under master key %s, "
                                "which this store was not opened with (the master_key option, "
                                "IGNY8_MASTER_KEY_FILE or IGNY8_MASTER_KEY)", identity, key_id);
    unsigned char *raw = NULL, ad[IGNY8__IDENTITY_SIZE + 64];
    size_t raw_len = 0, ad_len = make_ad(ad, sizeof(ad), identity, mk->id);
    int rc = decode_sealed(sealed, &raw, &raw_len);
    size_t plain_len = rc == IGNY8_OK ? raw_len - NONCE_BYTES - TAG_BYTES : 0;
    if (rc == IGNY8_OK && (*plain = igny8__malloc(plain_len + 1)) == NULL)
        rc = igny8__error_oom();
    if (rc == IGNY8_OK &&
        crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)*plain, NULL, NULL, raw + NONCE_BYTES,
                                                   raw_len - NONCE_BYTES, ad, ad_len, raw, mk->key) != 0)
        rc = IGNY8_ECORRUPT;
    igny8__free(raw);
    if (rc == IGNY8_ECORRUPT) {
        if (*plain) {
            sodium_memzero(*plain, plain_len + 1);  /* what a failed decryption may have left */
            igny8__free(*plain);
            *plain = NULL;
        }
        return igny8__error_set(IGNY8_ECORRUPT, "api_key", "the API key of %s does not decrypt under master key %s: "
                                "it was altered or copied from another row", identity, mk->id);
    }
    if (rc == IGNY8_OK)
        (*plain)[plain_len] = '\0';
    return rc;
}

void igny8__key_last4(const char *plain, char out[5])
{
    size_t n = strlen(plain);
    snprintf(out, 5, "%s", n > 4 ? plain + n - 4 : "");
}
