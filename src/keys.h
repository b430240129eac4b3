/* Keys at rest: the master keys a store is opened with, and the envelope every stored API
 * key is sealed in (XChaCha20-Poly1305, libsodium). The store keeps, per key, the sealed
 * bytes, the id of the master key that sealed them and the last four characters in clear
 * (what the views show); the plain key exists only in igny8_resolution_api_key(), the
 * connection test and an export that asks for keys, and is wiped after use.
 *
 * Associated data binds a sealed key to its row ("integration/openai",
 * "account_integration/42/openai") and to its master key id: a ciphertext copied to
 * another row, or relabelled with another key id, does not open. */
#ifndef IGNY8_KEYS_H
#define IGNY8_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define IGNY8__MASTER_KEY_BYTES 32
#define IGNY8__MASTER_KEY_B64_SIZE 45  /* base64 of 32 bytes, with its NUL */
#define IGNY8__KEY_ID_SIZE 17          /* 8 bytes in hex, with its NUL */
#define IGNY8__KEY_CHECK_SIZE 33       /* 16 bytes in hex, with its NUL */
#define IGNY8__MASTER_KEYS_MAX 8
#define IGNY8__IDENTITY_SIZE 96

typedef struct igny8__master_key {
    unsigned char key[IGNY8__MASTER_KEY_BYTES];
    char id[IGNY8__KEY_ID_SIZE];        /* derived from the key: names it on every row */
    char check[IGNY8__KEY_CHECK_SIZE];  /* derived too: the store keeps it to refuse a wrong key */
} igny8__master_key;

/* The master keys of one store handle, in libsodium's guarded memory: the first is the
 * one new keys are sealed with; the others only open rows not yet rotated. */
typedef struct igny8__keyring {
    igny8__master_key *keys;
    size_t n;
    char source[48];  /* where they came from, for messages: "the master_key option", ... */
} igny8__keyring;

/* libsodium's sodium_init, once. IGNY8_ERROR if it cannot start. */
int igny8__crypto_init(void);

/* The keyring from the store option (one or more base64 keys, separated by commas or
 * newlines), else the file $IGNY8_MASTER_KEY_FILE, else $IGNY8_MASTER_KEY; none of them
 * set: an empty keyring. IGNY8_EINVAL (field "master_key") names the source of a key that
 * is not base64 of 32 bytes, never the key. */
int igny8__keyring_load(igny8__keyring *kr, const char *option);
int igny8__keyring_parse(igny8__keyring *kr, const char *text, const char *source);
void igny8__keyring_clear(igny8__keyring *kr);
const igny8__master_key *igny8__keyring_find(const igny8__keyring *kr, const char *id);
/* Put the key with this id first (the one new keys are sealed with). */
void igny8__keyring_prefer(igny8__keyring *kr, const char *id);

/* A new random master key as base64 into out. */
int igny8__master_key_generate(char out[IGNY8__MASTER_KEY_B64_SIZE]);

/* The identity of a key's row: "integration/NAME" (account 0) or "account_integration/ID/NAME". */
void igny8__key_identity(char out[IGNY8__IDENTITY_SIZE], long long account_id, const char *integration);

/* Seal plain for the row: *out (base64 of nonce and ciphertext) is the caller's. */
int igny8__key_seal(const igny8__master_key *mk, const char *identity, const char *plain, char **out);
/* Open a sealed key: *plain is the caller's, release with igny8__free_secret().
 * IGNY8_EPERM: no master key of that id in the keyring (the message says how to give one);
 * IGNY8_ECORRUPT: it does not open (altered, or moved from another row). */
int igny8__key_open(const igny8__keyring *kr, const char *key_id, const char *identity, const char *sealed,
                    char **plain);

/* The last four characters the views show ("" for a key of four or fewer). */
void igny8__key_last4(const char *plain, char out[5]);

/* What the api_key column holds: a key of a store without master keys as it is, or a
 * sealed one as "igny8$1$KEYID$SEALED$LAST4" (the PHC-string idea: the format says how
 * it was made, and the id names the master key it needs). Plain keys may not begin with
 * the prefix (igny8__key_check refuses it). */
#define IGNY8__SEALED_PREFIX "igny8$1$"
int igny8__stored_key_is_sealed(const char *stored);
/* The last four characters of a stored key, sealed or not. */
void igny8__stored_key_last4(const char *stored, char out[5]);
/* The master key id of a sealed key into out ("" for a plain one). */
void igny8__stored_key_id(const char *stored, char out[IGNY8__KEY_ID_SIZE]);
/* plain as the column keeps it: sealed under mk, or copied when mk is NULL. *out: caller's. */
int igny8__stored_key_make(const igny8__master_key *mk, const char *identity, const char *plain, char **out);
/* The plain key of a stored one: *plain is the caller's (igny8__free_secret). Errors as
 * igny8__key_open; a damaged envelope is IGNY8_ECORRUPT. */
int igny8__stored_key_reveal(const igny8__keyring *kr, const char *identity, const char *stored, char **plain);

/* A keyring of one key derived from a passphrase (Argon2id, libsodium crypto_pwhash) for
 * the keys of an export. salt: IGNY8__SALT_BYTES. IGNY8_EINVAL (field "passphrase"):
 * empty, or limits outside what this library would ever write. */
#define IGNY8__SALT_BYTES 16
#define IGNY8__PWHASH_OPSLIMIT 3ULL               /* crypto_pwhash_OPSLIMIT_MODERATE */
#define IGNY8__PWHASH_MEMLIMIT (64u * 1024 * 1024) /* 64 MiB: an export on a small host */
int igny8__passphrase_keyring(igny8__keyring *kr, const char *passphrase, const unsigned char *salt,
                              unsigned long long opslimit, size_t memlimit);
/* The master key new keys are sealed with (as igny8__keys_store picks it), for an
 * export: NULL in a store without master keys. In a transaction. */
int igny8__keys_current(struct igny8_store *st, const igny8__master_key **out);

/* ---- the store's keys (keys.c, with the store's keyring) ---- */
struct igny8_store;
/* At open: the keyring from the option or the environment; with one, a wrong master key
 * is IGNY8_EPERM, and a writable store records its first key and seals its plain keys. */
int igny8__keys_open(struct igny8_store *st, const char *option);
void igny8__keys_close(struct igny8_store *st);
/* What the api_key column of a row gets for plain: sealed under the store's master key
 * (recorded on first use), or plain in a store without one. In a write transaction.
 * IGNY8_EPERM: the store has master keys and none was given. *stored: caller's. */
int igny8__keys_store(struct igny8_store *st, const char *actor, int64_t account_id, const char *integration,
                      const char *plain, char **stored);
/* The plain key of a row's stored key, under the store lock; *plain: igny8__free_secret. */
int igny8__keys_reveal(struct igny8_store *st, int64_t account_id, const char *integration, const char *stored,
                       char **plain);

#endif
