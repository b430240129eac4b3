/* Keys at rest: master keys and the envelope of a stored API key (keys.h says what and why). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "alloc.h"
#include "audit.h"
#include "common.h"
#include "db.h"
#include "error.h"
#include "keys.h"
#include "store.h"

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

static void derive_names(igny8__master_key *mk)
{
    derive_hex(mk->key, "igny8settings master key id", 8, mk->id, sizeof(mk->id));
    derive_hex(mk->key, "igny8settings master key check", 16, mk->check, sizeof(mk->check));
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
    derive_names(mk);
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
    int rc = igny8__crypto_init();  /* sodium_malloc aborts before it */
    if (rc != IGNY8_OK)
        return rc;
    if (option)
        return igny8__keyring_parse(kr, option, "the master_key option");
    const char *path = getenv("IGNY8_MASTER_KEY_FILE");
    if (path && *path) {
        char *text = NULL;
        rc = read_key_file(path, &text);
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

int igny8__passphrase_keyring(igny8__keyring *kr, const char *passphrase, const unsigned char *salt,
                              unsigned long long opslimit, size_t memlimit)
{
    memset(kr, 0, sizeof(*kr));
    if (passphrase == NULL || passphrase[0] == '\0')
        return igny8__error_set(IGNY8_EINVAL, "passphrase", "the passphrase is empty");
    if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > 16 || memlimit < crypto_pwhash_MEMLIMIT_MIN ||
        memlimit > 1024u * 1024 * 1024)
        return igny8__error_set(IGNY8_EINVAL, "passphrase", "the document's key derivation limits (opslimit %llu, "
                                "memlimit %zu) are outside 1..16 and 8 KiB..1 GiB", opslimit, memlimit);
    int rc = igny8__keyring_parse(kr, "", "the passphrase");
    if (rc != IGNY8_OK)
        return rc;
    igny8__master_key *mk = &kr->keys[0];
    if (crypto_pwhash(mk->key, sizeof(mk->key), passphrase, strlen(passphrase), salt, opslimit, memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        igny8__keyring_clear(kr);
        return igny8__error_set(IGNY8_ENOMEM, "passphrase", "not enough memory to derive the key from the passphrase");
    }
    derive_names(mk);
    kr->n = 1;
    return IGNY8_OK;
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
    int shown = (int)strcspn(identity, "\n");  /* the row; what the tag also covers stays out of messages */
    const igny8__master_key *mk = igny8__keyring_find(kr, key_id);
    if (mk == NULL)
        return igny8__error_set(IGNY8_EPERM, "master_key", "the API key of %.*s is encrypted under master key %s, "
                                "which this store was not opened with (the master_key option, "
                                "IGNY8_MASTER_KEY_FILE or IGNY8_MASTER_KEY)", shown, identity, key_id);
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
        return igny8__error_set(IGNY8_ECORRUPT, "api_key", "the API key of %.*s does not decrypt under master key "
                                "%s: it was altered or copied from another row", shown, identity, mk->id);
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

/* ---- the column's format ---- */

int igny8__stored_key_is_sealed(const char *stored)
{
    return stored && strncmp(stored, IGNY8__SEALED_PREFIX, sizeof(IGNY8__SEALED_PREFIX) - 1) == 0;
}

/* The parts of "igny8$1$KEYID$SEALED$LAST4"; 0 if it is not one. */
static int split_sealed(const char *stored, char id[IGNY8__KEY_ID_SIZE], const char **sealed, size_t *sealed_len,
                        const char **last4)
{
    const char *p = stored + sizeof(IGNY8__SEALED_PREFIX) - 1, *dollar = strchr(p, '$');
    if (!igny8__stored_key_is_sealed(stored) || dollar == NULL || dollar - p != IGNY8__KEY_ID_SIZE - 1)
        return 0;
    memcpy(id, p, IGNY8__KEY_ID_SIZE - 1);
    id[IGNY8__KEY_ID_SIZE - 1] = '\0';
    *sealed = dollar + 1;
    const char *end = strchr(*sealed, '$');
    if (end == NULL || strlen(end + 1) > 4)
        return 0;
    *sealed_len = (size_t)(end - *sealed);
    *last4 = end + 1;
    return 1;
}

void igny8__stored_key_last4(const char *stored, char out[5])
{
    char id[IGNY8__KEY_ID_SIZE];
    const char *sealed, *last4;
    size_t len;
    if (split_sealed(stored, id, &sealed, &len, &last4))
        snprintf(out, 5, "%s", last4);
    else
        igny8__key_last4(stored, out);
}

void igny8__stored_key_id(const char *stored, char out[IGNY8__KEY_ID_SIZE])
{
    const char *sealed, *last4;
    size_t len;
    if (!split_sealed(stored, out, &sealed, &len, &last4))
        out[0] = '\0';
}

/* The identity the tag covers: the row, and the last four characters shown in clear. */
static void bound_identity(char out[IGNY8__IDENTITY_SIZE + 8], const char *identity, const char *last4)
{
    snprintf(out, IGNY8__IDENTITY_SIZE + 8, "%s\n%s", identity, last4);
}

int igny8__stored_key_make(const igny8__master_key *mk, const char *identity, const char *plain, char **out)
{
    if (mk == NULL)
        return (*out = igny8__strdup(plain)) ? IGNY8_OK : igny8__error_oom();
    char last4[5], bound[IGNY8__IDENTITY_SIZE + 8], *sealed = NULL;
    igny8__key_last4(plain, last4);
    bound_identity(bound, identity, last4);
    int rc = igny8__key_seal(mk, bound, plain, &sealed);
    if (rc != IGNY8_OK)
        return rc;
    size_t n = sizeof(IGNY8__SEALED_PREFIX) + IGNY8__KEY_ID_SIZE + strlen(sealed) + 8;
    if ((*out = igny8__malloc(n)) != NULL)
        snprintf(*out, n, IGNY8__SEALED_PREFIX "%s$%s$%s", mk->id, sealed, last4);
    igny8__free(sealed);
    return *out ? IGNY8_OK : igny8__error_oom();
}

int igny8__stored_key_reveal(const igny8__keyring *kr, const char *identity, const char *stored, char **plain)
{
    char id[IGNY8__KEY_ID_SIZE], bound[IGNY8__IDENTITY_SIZE + 8];
    const char *sealed, *last4;
    size_t len;
    *plain = NULL;
    if (!igny8__stored_key_is_sealed(stored))
        return (*plain = igny8__strdup(stored)) ? IGNY8_OK : igny8__error_oom();
    if (!split_sealed(stored, id, &sealed, &len, &last4))
        return igny8__error_set(IGNY8_ECORRUPT, "api_key", "the API key of %s is not a sealed key the library "
                                "made", identity);
    char *copy = igny8__malloc(len + 1);
    if (copy == NULL)
        return igny8__error_oom();
    memcpy(copy, sealed, len);
    copy[len] = '\0';
    bound_identity(bound, identity, last4);
    int rc = igny8__key_open(kr, id, bound, copy, plain);
    igny8__free(copy);
    return rc;
}

/* ---- the store's keys ---- */

/* The master key new keys are sealed with, inside the caller's transaction: the first of
 * the keyring that the store records; with none recorded yet, the keyring's first (then
 * recorded when `record`); NULL for a store without master keys (keys stay plain, and
 * health says so). IGNY8_EPERM when the store has master keys and none of them is given. */
static int sealing_key(igny8_store *st, const char *actor, int record, const igny8__master_key **out)
{
    int n = 0, rc = igny8__db_master_key_count(st, &n);
    *out = NULL;
    for (size_t i = 0; rc == IGNY8_OK && i < st->keyring.n && *out == NULL; i++) {
        char *check = NULL;
        rc = igny8__db_master_key_check(st, st->keyring.keys[i].id, &check);
        if (rc == IGNY8_OK && check && strcmp(check, st->keyring.keys[i].check) != 0)
            rc = igny8__error_set(IGNY8_EPERM, "master_key", "master key %s of %s fails the store's key check",
                                  st->keyring.keys[i].id, st->keyring.source);
        if (rc == IGNY8_OK && check)
            *out = &st->keyring.keys[i];
        igny8__free(check);
    }
    if (rc != IGNY8_OK || *out || (n == 0 && st->keyring.n == 0))
        return rc;
    if (n > 0)
        return igny8__error_set(IGNY8_EPERM, "master_key", st->keyring.n == 0
                                ? "store '%s' keeps its API keys encrypted, and no master key was given (the "
                                  "master_key option, IGNY8_MASTER_KEY_FILE or IGNY8_MASTER_KEY)"
                                : "store '%s' keeps its API keys under another master key than the ones given",
                                st->path);
    *out = &st->keyring.keys[0];
    if (!record)
        return IGNY8_OK;
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    return igny8__db_master_key_add(st, (*out)->id, (*out)->check, now, actor);
}

int igny8__keys_current(igny8_store *st, const igny8__master_key **out)
{
    return sealing_key(st, "igny8settings", 0, out);
}

int igny8__keys_store(igny8_store *st, const char *actor, int64_t account_id, const char *integration,
                      const char *plain, char **stored)
{
    const igny8__master_key *mk = NULL;
    char identity[IGNY8__IDENTITY_SIZE];
    *stored = NULL;
    int rc = sealing_key(st, actor, 1, &mk);
    igny8__key_identity(identity, account_id, integration);
    return rc == IGNY8_OK ? igny8__stored_key_make(mk, identity, plain, stored) : rc;
}

int igny8__keys_reveal(igny8_store *st, int64_t account_id, const char *integration, const char *stored,
                       char **plain)
{
    char identity[IGNY8__IDENTITY_SIZE];
    igny8__key_identity(identity, account_id, integration);
    return igny8__stored_key_reveal(&st->keyring, identity, stored, plain);
}

/* Seal the stored keys under mk: the plain ones, or (a rotation) every one not under mk
 * yet; inside the caller's write transaction. *count: how many were sealed. */
static int reseal(igny8_store *st, const igny8__master_key *mk, int only_plain, size_t *count)
{
    igny8__stored_key_row *rows = NULL;
    size_t n = 0;
    int rc = igny8__db_stored_keys(st, &rows, &n);
    *count = 0;
    for (size_t i = 0; rc == IGNY8_OK && i < n; i++) {
        char *plain = NULL, *sealed = NULL, id[IGNY8__KEY_ID_SIZE];
        igny8__stored_key_id(rows[i].stored, id);
        if (strcmp(id, mk->id) == 0 || (only_plain && id[0]))
            continue;
        char identity[IGNY8__IDENTITY_SIZE];
        igny8__key_identity(identity, rows[i].account_id, rows[i].integration);
        rc = igny8__stored_key_reveal(&st->keyring, identity, rows[i].stored, &plain);
        if (rc == IGNY8_OK) rc = igny8__stored_key_make(mk, identity, plain, &sealed);
        if (rc == IGNY8_OK) rc = igny8__db_stored_key_set(st, rows[i].account_id, rows[i].integration, sealed);
        if (rc == IGNY8_OK) (*count)++;
        igny8__free_secret(plain);
        igny8__free(sealed);
    }
    igny8__stored_keys_free(rows, n);
    return rc;
}

static int audit_keys(igny8_store *st, const char *actor, const char *action, const char *from, const char *to,
                      size_t count)
{
    cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();
    int rc = before && after ? IGNY8_OK : igny8__error_oom();
    if (rc == IGNY8_OK) {
        if (from) igny8__json_add_str(before, "master_key", from);
        igny8__json_add_str(after, "master_key", to);
        igny8__json_add_int(after, "keys", (int64_t)count);
        rc = igny8__audit(st, actor, "store", "master_key", 0, action, from ? before : NULL, after);
    }
    cJSON_Delete(before);
    cJSON_Delete(after);
    return rc;
}

/* At open, with a keyring: a wrong master key is refused at once; a writable store
 * records its first master key and seals the keys it still keeps in plain text. */
static int attach_keys(igny8_store *st)
{
    const igny8__master_key *mk = NULL;
    int rc = igny8__store_read_begin(st);
    if (rc == IGNY8_OK)
        rc = igny8__store_read_end(st, sealing_key(st, "igny8settings", 0, &mk));
    if (rc != IGNY8_OK || (st->flags & IGNY8_STORE_READONLY) || igny8__store_check_writable(st) != IGNY8_OK)
        return rc;
    igny8__stored_key_row *rows = NULL;
    size_t n = 0, plain = 0, count = 0;
    if ((rc = igny8__store_read_begin(st)) == IGNY8_OK)
        rc = igny8__store_read_end(st, igny8__db_stored_keys(st, &rows, &n));
    for (size_t i = 0; i < n; i++)
        plain += !igny8__stored_key_is_sealed(rows[i].stored);
    igny8__stored_keys_free(rows, n);
    if (rc != IGNY8_OK || plain == 0)
        return rc;
    if ((rc = igny8__store_write_begin(st)) != IGNY8_OK)
        return rc;
    rc = sealing_key(st, "igny8settings", 1, &mk);
    if (rc == IGNY8_OK) rc = reseal(st, mk, 1, &count);
    if (rc == IGNY8_OK) rc = audit_keys(st, "igny8settings", "seal_keys", NULL, mk->id, count);
    return igny8__store_write_end(st, rc);
}

int igny8__keys_open(igny8_store *st, const char *option)
{
    int rc = igny8__keyring_load(&st->keyring, option);
    return rc == IGNY8_OK && st->keyring.n > 0 ? attach_keys(st) : rc;
}

void igny8__keys_close(igny8_store *st) { igny8__keyring_clear(&st->keyring); }

int igny8_master_key_new(char out[IGNY8_MASTER_KEY_SIZE])
{
    IGNY8__CHECK_ARG(out);
    return igny8__master_key_generate(out);
}

/* The handle's keyring after a rotation: the new key first, then the ones it had. */
static int adopt_key(igny8_store *st, const igny8__keyring *fresh)
{
    igny8__keyring kr;
    memset(&kr, 0, sizeof(kr));
    int rc = igny8__keyring_parse(&kr, "", st->keyring.n ? st->keyring.source : fresh->source);
    if (rc != IGNY8_OK)
        return rc;
    kr.keys[kr.n++] = fresh->keys[0];
    for (size_t i = 0; i < st->keyring.n && kr.n < IGNY8__MASTER_KEYS_MAX; i++)
        if (strcmp(st->keyring.keys[i].id, fresh->keys[0].id) != 0)
            kr.keys[kr.n++] = st->keyring.keys[i];
    igny8__keyring_clear(&st->keyring);
    st->keyring = kr;
    return IGNY8_OK;
}

static int rekey_in(igny8_store *st, const char *actor, const igny8__master_key *mk, size_t *count)
{
    const igny8__master_key *old = NULL;
    int rc = st->keyring.n ? sealing_key(st, actor, 0, &old) : IGNY8_OK;
    char now[IGNY8__TIME_LEN], old_id[IGNY8__KEY_ID_SIZE] = "";
    if (old) snprintf(old_id, sizeof(old_id), "%s", old->id);
    igny8__now_iso(now);
    if (rc == IGNY8_OK) rc = reseal(st, mk, 0, count);
    if (rc == IGNY8_OK) rc = igny8__db_master_key_add(st, mk->id, mk->check, now, actor);
    if (rc == IGNY8_OK) rc = igny8__db_master_keys_clear(st, mk->id);
    if (rc == IGNY8_OK) rc = audit_keys(st, actor, "rekey", old_id[0] ? old_id : NULL, mk->id, *count);
    return rc;
}

int igny8_store_rekey(igny8_store *st, const char *actor, const char *new_master_key)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(new_master_key);
    igny8__keyring fresh;
    memset(&fresh, 0, sizeof(fresh));
    size_t count = 0;
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK) rc = igny8__keyring_parse(&fresh, new_master_key, "new_master_key");
    if (rc == IGNY8_OK && fresh.n != 1)
        rc = igny8__error_set(IGNY8_EINVAL, "master_key", "new_master_key must be exactly one master key");
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK) {
        rc = igny8__store_write_end(st, rekey_in(st, actor, &fresh.keys[0], &count));
        if (rc == IGNY8_OK) {
            igny8__store_lock(st);
            rc = adopt_key(st, &fresh);
            igny8__store_unlock(st);
        }
    }
    igny8__keyring_clear(&fresh);
    return rc;
}
