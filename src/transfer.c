/* Export and import of the whole store as one JSON document (transfer.h): the document's
 * shape, its validation with JSON paths, the order of the writes and the audit entry.
 * SQL in db_transfer.c (and db_access.c for plans and fallbacks).
 *
 * The document is {"format":"igny8settings","format_version":2, then one section per
 * entity, in the order of `sections` below}. Every section is an array of objects in
 * primary-key order (global_settings is one object); field names are those of the JSON
 * views. Nothing in it depends on the time of the export, so that an export imported into
 * an empty store and exported again is the same document, byte for byte. Version 2 added
 * the plans and fallbacks (access_groups, fallback_chains, account_access,
 * account_model_access); a version 1 document has none of them and imports as it did.
 *
 * Keys ("api_key" of integrations and account_integrations) are written only with
 * IGNY8_EXPORT_WITH_KEYS. On import, an "api_key" that is absent keeps the key the store
 * has for that row in a merge, and means no key in a replace; null removes it. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common.h"
#include "access.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "library.h"
#include "model.h"
#include "modules.h"
#include "prompt.h"
#include "settings.h"
#include "store.h"
#include "template.h"

#define FORMAT_NAME "igny8settings"
#define OLDEST_FORMAT_VERSION 1    /* the oldest document an import reads */
#define ID_MAX 9007199254740991LL  /* 2^53 - 1: the largest id a JSON number carries exactly */
#define TPATH 160                  /* a JSON path (the error field holds as much) */

static const size_t export_options_size[] = { 0, offsetof(igny8_export_options, passphrase),
                                              sizeof(igny8_export_options) };
static const size_t import_options_size[] = { 0, offsetof(igny8_import_options, passphrase),
                                              sizeof(igny8_import_options) };

int igny8_export_options_init(igny8_export_options *opts, unsigned int version)
{
    IGNY8__CHECK_ARG(opts);
    if (version < 1 || version > IGNY8_EXPORT_OPTIONS_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "export options version %u is not supported", version);
    memset(opts, 0, export_options_size[version]);  /* the caller's struct is of that version's size */
    opts->version = version;
    return IGNY8_OK;
}

int igny8_import_options_init(igny8_import_options *opts, unsigned int version)
{
    IGNY8__CHECK_ARG(opts);
    if (version < 1 || version > IGNY8_IMPORT_OPTIONS_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "import options version %u is not supported", version);
    memset(opts, 0, import_options_size[version]);  /* the caller's struct is of that version's size */
    opts->version = version;
    opts->mode = IGNY8_IMPORT_MERGE;
    return IGNY8_OK;
}

/* Keys of library rows that are columns (or view-only fields), not the kind's own fields. */
static const char *const item_columns[] = {
    "id", "kind", "revision", "name", "description", "category", "is_active", "updated_at", "updated_by", NULL
};
static const char *const copy_columns[] = {
    "id", "account_id", "kind", "source_id", "based_on_revision", "based_on", "name", "description", "category",
    "is_active", "updated_at", "updated_by", "source", "source_changed", "source_active", "modified", NULL
};

/* A field of a document's row: NULL, or 0, when it is absent or of another type. */
static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && fabs(v->valuedouble) <= (double)ID_MAX ? (int64_t)v->valuedouble : 0;
}

/* A document may hold keys: wipe them before it is freed (an export with keys, every
 * import). cJSON's print buffers and SQLite's pages are out of our reach. */
static void wipe_keys(cJSON *doc)
{
    static const char *const holders[] = { "integrations", "account_integrations" };
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(holders); i++) {
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(doc, holders[i])) {
            char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "api_key"));
            if (key)
                explicit_bzero(key, strlen(key));
        }
    }
}

/* ---- keys in the document: sealed under a passphrase or the master key ---- */

typedef int (*doc_key_fn)(void *ctx, const char *identity, cJSON *row);

/* Every row of the document with a string "api_key", with its identity in the document
 * (the row's identity under "export/": a sealed key does not open in another row). */
static int each_doc_key(cJSON *doc, doc_key_fn fn, void *ctx)
{
    static const char *const holders[] = { "integrations", "account_integrations" };
    int rc = IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(holders); i++) {
        cJSON *row;
        size_t n = 0;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(doc, holders[i])) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(row, i ? "integration" : "name");
            const cJSON *account = cJSON_GetObjectItemCaseSensitive(row, "account_id");
            char row_identity[IGNY8__IDENTITY_SIZE], identity[IGNY8__IDENTITY_SIZE + 8], path[64];
            snprintf(path, sizeof(path), "$.%s[%zu]", holders[i], n++);
            if (rc != IGNY8_OK || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "api_key")))
                continue;
            if (!cJSON_IsString(name) || (i && !cJSON_IsNumber(account)))
                return igny8__error_set(IGNY8_EINVAL, path, "%s has an api_key but no %s", path,
                                        i ? "account_id and integration" : "name");
            igny8__key_identity(row_identity, i ? (long long)account->valuedouble : 0, name->valuestring);
            snprintf(identity, sizeof(identity), "export/%s", row_identity);
            rc = fn(ctx, identity, row);
        }
    }
    return rc;
}

/* The row's api_key becomes value (wiped and freed here; the old text is wiped). */
static int replace_doc_key(cJSON *row, char *value)
{
    char *old = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "api_key"));
    cJSON *item = value ? cJSON_CreateString(value) : NULL;
    if (old)
        explicit_bzero(old, strlen(old));
    igny8__free_secret(value);
    if (item == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(row, "api_key", item)) {
        cJSON_Delete(item);
        return igny8__error_oom();
    }
    return IGNY8_OK;
}

static int seal_doc_key(void *ctx, const char *identity, cJSON *row)
{
    char *sealed = NULL;
    const char *plain = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "api_key"));
    int rc = igny8__stored_key_make(ctx, identity, plain, &sealed);
    return rc == IGNY8_OK ? replace_doc_key(row, sealed) : rc;
}

static int open_doc_key(void *ctx, const char *identity, cJSON *row)
{
    char *plain = NULL;
    const char *sealed = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "api_key"));
    int rc = igny8__stored_key_reveal(ctx, identity, sealed, &plain);
    return rc == IGNY8_OK ? replace_doc_key(row, plain) : rc;
}

/* "keys":{"sealed_with":"passphrase","kdf":"argon2id13","opslimit":3,"memlimit":67108864,
 * "salt":"...","key_id":"..."} or {"sealed_with":"master_key","key_id":"..."}, and every
 * key sealed. Called with the keys of the store in plain text in the document. */
static int seal_doc_keys(igny8_store *st, cJSON *root, const char *passphrase)
{
    igny8__keyring kr;
    const igny8__master_key *mk = NULL;
    unsigned char salt[IGNY8__SALT_BYTES];
    char salt_b64[64];
    memset(&kr, 0, sizeof(kr));
    randombytes_buf(salt, sizeof(salt));
    sodium_bin2base64(salt_b64, sizeof(salt_b64), salt, sizeof(salt), sodium_base64_VARIANT_ORIGINAL);
    int rc = IGNY8_OK;
    if (passphrase) {
        rc = igny8__passphrase_keyring(&kr, passphrase, salt, IGNY8__PWHASH_OPSLIMIT, IGNY8__PWHASH_MEMLIMIT);
        mk = rc == IGNY8_OK ? &kr.keys[0] : NULL;
    } else if ((rc = igny8__store_read_begin(st)) == IGNY8_OK) {
        rc = igny8__store_read_end(st, igny8__keys_current(st, &mk));
        if (rc == IGNY8_OK && mk == NULL)
            rc = igny8__error_set(IGNY8_EINVAL, "flags", "an export with keys seals them under a passphrase or the "
                                  "store's master key, and there is neither: give a passphrase, a master key, or "
                                  "IGNY8_EXPORT_PLAINTEXT_KEYS");
    }
    cJSON *h = rc == IGNY8_OK ? igny8__json_add_object(root, "keys") : NULL;
    igny8__json_add_str(h, "sealed_with", passphrase ? "passphrase" : "master_key");
    if (h && passphrase) {
        igny8__json_add_str(h, "kdf", "argon2id13");
        igny8__json_add_int(h, "opslimit", (int64_t)IGNY8__PWHASH_OPSLIMIT);
        igny8__json_add_int(h, "memlimit", (int64_t)IGNY8__PWHASH_MEMLIMIT);
        igny8__json_add_str(h, "salt", salt_b64);
    }
    igny8__json_add_str(h, "key_id", mk ? mk->id : NULL);
    if (rc == IGNY8_OK)
        rc = each_doc_key(root, seal_doc_key, (void *)mk);
    igny8__keyring_clear(&kr);
    return rc;
}

/* The keys that open a document's header: a passphrase-derived one, or the store's. */
static int doc_keyring(igny8_store *st, const cJSON *h, const char *passphrase, igny8__keyring *kr, int *own)
{
    const char *with = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "sealed_with"));
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "key_id"));
    *own = 0;
    if (with && strcmp(with, "master_key") == 0 && id) {
        *kr = st->keyring;
        return igny8__keyring_find(kr, id) ? IGNY8_OK
               : igny8__error_set(IGNY8_EPERM, "master_key", "the document's keys are sealed under master key %.16s, "
                                  "which this store was not opened with", id);
    }
    const char *kdf = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "kdf"));
    const char *salt_b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "salt"));
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(h, "opslimit"), *mem = cJSON_GetObjectItemCaseSensitive(h, "memlimit");
    unsigned char salt[IGNY8__SALT_BYTES];
    size_t n = 0;
    if (!with || strcmp(with, "passphrase") != 0 || !kdf || strcmp(kdf, "argon2id13") != 0 || !id ||
        !cJSON_IsNumber(ops) || !cJSON_IsNumber(mem) || !salt_b64 ||
        sodium_base642bin(salt, sizeof(salt), salt_b64, strlen(salt_b64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof(salt))
        return igny8__error_set(IGNY8_EINVAL, "$.keys", "$.keys is not a header this library writes");
    if (passphrase == NULL)
        return igny8__error_set(IGNY8_EPERM, "passphrase", "the document's keys are sealed under a passphrase: "
                                "give it to import them");
    int rc = igny8__passphrase_keyring(kr, passphrase, salt, (unsigned long long)ops->valuedouble,
                                       (size_t)mem->valuedouble);
    *own = rc == IGNY8_OK;
    if (rc == IGNY8_OK && strcmp(kr->keys[0].id, id) != 0)
        rc = igny8__error_set(IGNY8_EPERM, "passphrase", "the passphrase does not open the document's keys");
    return rc;
}

/* Before anything else of an import: the keys of a sealed document in plain text (in
 * memory only; wiped with the document), and its header gone. */
static int open_doc_keys(igny8_store *st, cJSON *doc, const char *passphrase)
{
    cJSON *h = cJSON_GetObjectItemCaseSensitive(doc, "keys");
    if (h == NULL)
        return IGNY8_OK;
    igny8__keyring kr;
    const char *with = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "sealed_with"));
    int own = 0, locked = with && strcmp(with, "master_key") == 0;
    memset(&kr, 0, sizeof(kr));
    if (locked)  /* the store's keyring may change in a rotation; a passphrase needs no lock */
        igny8__store_lock(st);
    int rc = doc_keyring(st, h, passphrase, &kr, &own);
    if (rc == IGNY8_OK)
        rc = each_doc_key(doc, open_doc_key, &kr);
    if (locked)
        igny8__store_unlock(st);
    if (own)
        igny8__keyring_clear(&kr);
    if (rc == IGNY8_OK)
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "keys");
    return rc;
}

/* ======================================================================== export */

struct export_ctx {
    igny8_store *st;
    int with_keys;
    cJSON *arr;     /* the section being filled */
    cJSON *parent;  /* the row the next child row belongs to: a prompt type (its versions),
                     * a fallback chain (its models) */
    int64_t parent_account;  /* a chain's owner: an id above INT_MAX is a raw number in
                              * parent, which reads back as no number */
};

static cJSON *new_item(cJSON *arr)
{
    return igny8__json_attach(arr, NULL, cJSON_CreateObject());
}

static void add_stamps(cJSON *o, const char *at, const char *by)
{
    igny8__json_add_str(o, "updated_at", at);
    igny8__json_add_str(o, "updated_by", by);
}

/* The parameters that apply to the integration's model type. */
static void add_params(cJSON *o, int model_type, const igny8__integ_row *r)
{
    if (model_type == IGNY8_MODEL_TEXT) {
        igny8__json_add_num(o, "temperature", r->temperature);
        igny8__json_add_count(o, "max_tokens", r->max_tokens);
    } else {
        igny8__json_add_str(o, "size", r->size);
        igny8__json_add_str(o, "quality", r->quality);
        igny8__json_add_str(o, "style", r->style);
    }
}

static int export_provider(void *payload, const igny8__provider_row *p)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_str(o, "name", p->name);
    igny8__json_add_str(o, "display_name", p->display_name);
    igny8__json_add_str(o, "connection_test", p->connection_test);
    igny8__json_add_str(o, "default_base_url", p->default_base_url);
    return IGNY8_OK;
}

/* "api_key": the plain key of a stored one (an export with keys opens them all). */
static int add_key(const struct export_ctx *c, cJSON *o, int64_t account_id, const igny8__integ_row *r)
{
    char *plain = NULL;
    int rc = r->api_key ? igny8__keys_reveal(c->st, account_id, r->name, r->api_key, &plain) : IGNY8_OK;
    if (rc == IGNY8_OK)
        igny8__json_add_str(o, "api_key", plain);
    igny8__free_secret(plain);
    return rc;
}

static int export_integration(void *payload, const igny8__integ_row *r)
{
    const struct export_ctx *c = payload;
    cJSON *o = new_item(c->arr);
    igny8__json_add_str(o, "name", r->name);
    igny8__json_add_str(o, "provider", r->provider);
    igny8__json_add_str(o, "model_type", igny8_model_type_name(r->model_type));
    igny8__json_add_str(o, "key_from", r->key_from);
    igny8__json_add_str(o, "default_model", r->model);
    add_params(o, r->model_type, r);
    igny8__json_add_str(o, "base_url", r->base_url);
    int rc = c->with_keys ? add_key(c, o, 0, r) : IGNY8_OK;
    add_stamps(o, r->updated_at, r->updated_by);
    return rc;
}

static int export_account_integration(void *payload, int64_t account_id, int model_type, const igny8__integ_row *r)
{
    const struct export_ctx *c = payload;
    cJSON *o = new_item(c->arr);
    igny8__json_add_int(o, "account_id", account_id);
    igny8__json_add_str(o, "integration", r->name);
    igny8__json_add_bool(o, "enabled", r->enabled);
    igny8__json_add_str(o, "model", r->model);
    add_params(o, model_type, r);
    int rc = c->with_keys ? add_key(c, o, account_id, r) : IGNY8_OK;
    add_stamps(o, r->updated_at, r->updated_by);
    return rc;
}

static int export_operation(void *payload, const char *name, int model_type, const char *description)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_str(o, "name", name);
    igny8__json_add_str(o, "model_type", igny8_model_type_name(model_type));
    igny8__json_add_str(o, "description", description);
    return IGNY8_OK;
}

static int export_module(void *payload, const igny8__transfer_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_str(o, "name", r->key);
    igny8__json_add_str(o, "description", r->value);
    igny8__json_add_bool(o, "enabled", r->flag);
    add_stamps(o, r->updated_at, r->updated_by);
    return IGNY8_OK;
}

static int export_account_module(void *payload, const igny8__transfer_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "account_id", r->account_id);
    igny8__json_add_str(o, "module", r->key);
    igny8__json_add_bool(o, "enabled", r->flag);
    add_stamps(o, r->updated_at, r->updated_by);
    return IGNY8_OK;
}

static int export_account_provider(void *payload, const igny8__transfer_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "account_id", r->account_id);
    igny8__json_add_str(o, "model_type", r->key);
    igny8__json_add_str(o, "integration", r->value);
    add_stamps(o, r->updated_at, r->updated_by);
    return IGNY8_OK;
}

static int export_account_operation_model(void *payload, const igny8__transfer_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "account_id", r->account_id);
    igny8__json_add_str(o, "operation", r->key);
    igny8__json_add_str(o, "model", r->value);
    add_stamps(o, r->updated_at, r->updated_by);
    return IGNY8_OK;
}

static int export_prompt_type(void *payload, const igny8__transfer_prompt_type *t)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_str(o, "prompt_type", t->name);
    igny8__json_add_bool(o, "is_active", t->is_active);
    igny8__json_add_count(o, "published_version", t->published_version);
    add_stamps(o, t->updated_at, t->updated_by);
    igny8__json_add_array(o, "versions");
    return IGNY8_OK;
}

/* Versions come by type then version, as the types do: walk the types along with them. */
static int export_version(void *payload, const igny8__prompt_row *p)
{
    struct export_ctx *c = payload;
    for (;;) {
        const char *name = str_of(c->parent, "prompt_type");
        if (c->parent == NULL)
            return igny8__error_set(IGNY8_ECORRUPT, NULL, "prompt version %d of unknown type '%.64s'",
                                    p->version, p->prompt_type);
        if (name == NULL)
            return igny8__error_oom();  /* the type's name was not added */
        if (strcmp(name, p->prompt_type) == 0)
            break;
        c->parent = c->parent->next;
    }
    cJSON *v = new_item(cJSON_GetObjectItemCaseSensitive(c->parent, "versions"));
    igny8__json_add_int(v, "version", p->version);
    igny8__json_add_str(v, "value", p->value);
    igny8__json_add_str(v, "description", p->description);
    igny8__json_add_str(v, "message", p->message);
    igny8__json_add_str(v, "author", p->author);
    igny8__json_add_str(v, "created_at", p->created_at);
    return IGNY8_OK;
}

static int export_account_prompt(void *payload, int64_t account_id, const igny8__prompt_row *p)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "account_id", account_id);
    igny8__json_add_str(o, "prompt_type", p->prompt_type);
    igny8__json_add_str(o, "value", p->value);
    igny8__json_add_str(o, "default_prompt", p->default_prompt);
    igny8__json_add_int(o, "based_on_version", p->based_on_version);
    add_stamps(o, p->created_at, p->author);
    return IGNY8_OK;
}

/* A group with its models, sorted (few groups: one statement each). */
static int export_access_group(void *payload, const igny8__access_group_row *g)
{
    const struct export_ctx *c = payload;
    const char **models = NULL;
    char **owned = NULL;
    size_t n = 0;
    int rc = igny8__access_group_models(c->st, g->name, &models, &n, &owned);
    cJSON *o = new_item(c->arr);
    igny8__json_add_str(o, "name", g->name);
    igny8__json_add_str(o, "description", g->description);
    cJSON *list = igny8__json_add_array(o, "models");
    for (size_t i = 0; i < n; i++)
        igny8__json_add_str(list, NULL, models[i]);
    add_stamps(o, g->updated_at, g->updated_by);
    igny8__names_free(owned, n);
    return rc;
}

/* Chains come as their models, by owner, operation and position (an empty chain: one row
 * without a model): a chain starts where the owner or the operation changes. */
static int export_chain_model(void *payload, const igny8__chain_row *r)
{
    struct export_ctx *c = payload;
    const char *operation = str_of(c->parent, "operation");
    if (c->parent == NULL || c->parent_account != r->account_id || operation == NULL ||
        strcmp(operation, r->operation) != 0) {
        cJSON *o = c->parent = new_item(c->arr);
        c->parent_account = r->account_id;
        if (r->account_id)
            igny8__json_add_int(o, "account_id", r->account_id);
        else
            igny8__json_add_null(o, "account_id");  /* the platform's */
        igny8__json_add_str(o, "operation", r->operation);
        igny8__json_add_array(o, "models");
        add_stamps(o, r->updated_at, r->updated_by);
    }
    if (r->model)
        igny8__json_add_str(cJSON_GetObjectItemCaseSensitive(c->parent, "models"), NULL, r->model);
    return IGNY8_OK;
}

static int export_account_access_row(void *payload, int64_t account_id, const igny8__account_access_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "account_id", account_id);
    igny8__json_add_str(o, "group", r->group);
    igny8__json_add_num(o, "max_cost_per_1k_tokens", r->max_cost_per_1k_tokens);
    igny8__json_add_num(o, "max_cost_per_image", r->max_cost_per_image);
    add_stamps(o, r->updated_at, r->updated_by);
    return IGNY8_OK;
}

static int export_account_model_rule(void *payload, const igny8__access_model_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "account_id", r->account_id);
    igny8__json_add_str(o, "model", r->model);
    igny8__json_add_bool(o, "allowed", r->allowed);
    add_stamps(o, r->updated_at, r->updated_by);
    return IGNY8_OK;
}

/* Stored JSON text of a library row as a value; ECORRUPT when it is not JSON. */
static int stored_json(const char *text, int64_t id, const char *column, cJSON **out)
{
    int rc = igny8__json_parse(text, column, out);
    if (rc == IGNY8_OK || rc == IGNY8_ENOMEM)
        return rc;
    return igny8__error_set(IGNY8_ECORRUPT, NULL, "library row %lld: %s is not JSON", (long long)id, column);
}

/* The kind's own fields (stored as one JSON object) as keys of the row's object. */
static int add_fields(cJSON *o, const igny8__transfer_library_row *r)
{
    cJSON *f = NULL;
    int rc = stored_json(r->fields, r->id, "fields", &f);
    if (rc == IGNY8_OK && !cJSON_IsObject(f))
        rc = igny8__error_set(IGNY8_ECORRUPT, NULL, "library row %lld: fields is not a JSON object", (long long)r->id);
    while (rc == IGNY8_OK && f->child) {
        cJSON *field = cJSON_DetachItemViaPointer(f, f->child);
        igny8__json_attach(o, field->string, field);
    }
    cJSON_Delete(f);
    return rc;
}

static void add_library_head(cJSON *o, const igny8__transfer_library_row *r)
{
    igny8__json_add_str(o, "name", r->name);
    if (r->description)  /* optional in an item: absent rather than null */
        igny8__json_add_str(o, "description", r->description);
    igny8__json_add_str(o, "category", r->category);
    igny8__json_add_bool(o, "is_active", r->is_active);
}

static int export_library_item(void *payload, const igny8__transfer_library_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr);
    igny8__json_add_int(o, "id", r->id);
    igny8__json_add_str(o, "kind", r->kind);
    igny8__json_add_int(o, "revision", r->revision);
    add_library_head(o, r);
    int rc = add_fields(o, r);
    add_stamps(o, r->updated_at, r->updated_by);
    return rc;
}

static int export_library_copy(void *payload, const igny8__transfer_library_row *r)
{
    cJSON *o = new_item(((struct export_ctx *)payload)->arr), *based_on = NULL;
    igny8__json_add_int(o, "id", r->id);
    igny8__json_add_int(o, "account_id", r->account_id);
    igny8__json_add_str(o, "kind", r->kind);
    igny8__json_add_int(o, "source_id", r->source_id);
    igny8__json_add_int(o, "based_on_revision", r->based_on_revision);
    add_library_head(o, r);
    int rc = add_fields(o, r);
    if (rc == IGNY8_OK && (rc = stored_json(r->based_on, r->id, "based_on", &based_on)) == IGNY8_OK)
        igny8__json_attach(o, "based_on", based_on);
    add_stamps(o, r->updated_at, r->updated_by);
    return rc;
}

/* ---- the sections ---- */

static int export_providers(struct export_ctx *c)
{
    return igny8__db_transfer_providers_each(c->st, export_provider, c);
}

static int export_integrations(struct export_ctx *c)
{
    return igny8__db_transfer_integrations_each(c->st, export_integration, c);
}

/* Models as igny8_model_to_json gives them, without the read-only "integration". */
static int export_models(struct export_ctx *c)
{
    igny8_model_filter f = IGNY8_MODEL_FILTER_INIT;
    igny8_models *list = NULL;
    int rc = igny8__model_list(c->st, &f, &list);
    for (size_t i = 0; rc == IGNY8_OK && i < list->count; i++) {
        cJSON *m = igny8__model_json(list->items[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(m, "integration");
        igny8__json_attach(c->arr, NULL, m);
    }
    igny8_models_free(list);
    return rc;
}

/* The one global settings row, as an object (c->arr is that object). */
static int export_global(struct export_ctx *c)
{
    igny8__global_row g;
    int rc = igny8__db_global_get(c->st, &g);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_add_bool(c->arr, "is_active", g.is_active);
    igny8__json_add_str(c->arr, "text_provider", g.text_integration);
    igny8__json_add_str(c->arr, "image_provider", g.image_integration);
    add_stamps(c->arr, g.updated_at, g.updated_by);
    igny8__global_row_clear(&g);
    return IGNY8_OK;
}

static int export_operations(struct export_ctx *c)
{
    return igny8__db_operation_each(c->st, export_operation, c);
}

static int export_modules(struct export_ctx *c)
{
    return igny8__db_transfer_rows_each(c->st, IGNY8__TRANSFER_MODULE, export_module, c);
}

static int export_prompts(struct export_ctx *c)
{
    int rc = igny8__db_transfer_prompt_types_each(c->st, export_prompt_type, c);
    c->parent = c->arr->child;
    return rc == IGNY8_OK ? igny8__db_transfer_versions_each(c->st, export_version, c) : rc;
}

static int export_account_integrations(struct export_ctx *c)
{
    return igny8__db_transfer_account_integrations_each(c->st, export_account_integration, c);
}

static int export_account_providers(struct export_ctx *c)
{
    return igny8__db_transfer_rows_each(c->st, IGNY8__TRANSFER_ACCOUNT_PROVIDER, export_account_provider, c);
}

static int export_account_operation_models(struct export_ctx *c)
{
    return igny8__db_transfer_rows_each(c->st, IGNY8__TRANSFER_ACCOUNT_OPERATION_MODEL,
                                        export_account_operation_model, c);
}

static int export_account_modules(struct export_ctx *c)
{
    return igny8__db_transfer_rows_each(c->st, IGNY8__TRANSFER_ACCOUNT_MODULE, export_account_module, c);
}

static int export_account_prompts(struct export_ctx *c)
{
    return igny8__db_transfer_account_prompts_each(c->st, export_account_prompt, c);
}

static int export_access_groups(struct export_ctx *c)
{
    return igny8__db_access_group_each(c->st, export_access_group, c);
}

/* The platform's chains (account 0) first, then each account's. */
static int export_fallback_chains(struct export_ctx *c)
{
    c->parent = NULL;
    return igny8__db_fallback_chain_each(c->st, -1, export_chain_model, c);
}

static int export_account_access(struct export_ctx *c)
{
    return igny8__db_account_access_each(c->st, export_account_access_row, c);
}

static int export_account_model_access(struct export_ctx *c)
{
    return igny8__db_account_access_models_each(c->st, -1, export_account_model_rule, c);
}

static int export_library(struct export_ctx *c)
{
    return igny8__db_transfer_library_each(c->st, 0, export_library_item, c);
}

static int export_account_library(struct export_ctx *c)
{
    return igny8__db_transfer_library_each(c->st, 1, export_library_copy, c);
}

/* ======================================================================== import */

/* The document's names, for references between sections (found before the store). */
typedef struct ix_entry {
    const char *name, *a, *b;  /* integrations: a provider, b default_model; models: a provider; library: a kind */
    int type;                  /* the model type */
    int64_t n;                 /* models: max_output_tokens; library: id */
    const cJSON *item;
} ix_entry;

typedef struct ix_list { ix_entry *v; size_t n; } ix_list;

typedef struct import_ctx {
    igny8_store *st;
    const char *actor;
    int merge;                 /* IGNY8_IMPORT_MERGE: the store's rows count as references too */
    const cJSON *doc;
    ix_list providers, integrations, models, operations, groups, library;
    const char *defaults[3];   /* the model that claims the default, per model type */
    cJSON *counts;             /* rows per section, for the audit entry */
} import_ctx;

/* ---- errors with their JSON path ---- */

/* A path into a TPATH buffer (cut there; no path of a real document comes near). */
__attribute__((format(printf, 2, 3)))
static void fmt(char out[TPATH], const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(out, TPATH, format, ap);
    va_end(ap);
}

/* An error of a nested check given the document path: a plain field ("temperature", or
 * `field` when given) becomes path.field, and the message is prefixed with the path. A
 * field that is a document path already is left as it is. */
static int at_path(int rc, const char *path, const char *field)
{
    char full[TPATH], message[512];
    if (rc == IGNY8_OK || rc == IGNY8_ENOMEM)
        return rc;
    const igny8_error *e = igny8_error_last();
    if (e->field && e->field[0] == '$')
        return rc;
    const char *f = field ? field : e->field;
    fmt(full, "%s%s%s", path, (f && f[0]) ? "." : "", f ? f : "");
    snprintf(message, sizeof(message), "%s", e->message);
    return igny8__error_set(rc, full, "%s: %s", path, message);
}

/* The store refused a row that passed the checks (a foreign key, a unique rule): name the row. */
static int at_row(int rc, const char *path)
{
    char message[512];
    if (rc != IGNY8_EINVAL && rc != IGNY8_EEXISTS)
        return rc;
    snprintf(message, sizeof(message), "%s", igny8_error_last()->message);
    return igny8__error_set(rc, path, "%s is refused by the store (%s)", path, message);
}

static int not_found(const import_ctx *c, const char *path, const char *field, const char *what, const char *name)
{
    char full[TPATH];
    fmt(full, "%s.%s", path, field);
    return igny8__error_set(IGNY8_EINVAL, full, "%s: %s '%.64s' is not in the document%s", full, what, name,
                            c->merge ? " or the store" : "");
}

/* ---- reading fields ---- */

enum {
    V_NAME = 1, V_STR, V_TEXT, V_BOOL, V_ID, V_INT, V_STAMP, V_ACTOR, V_TYPE, V_KEY, V_SKIP, V_ARRAY, V_OBJECT,
    V_COST  /* a cost ceiling in USD: 0..IGNY8_MAX_COST_LIMIT */
};
#define REQ 1u  /* required */
#define NUL 2u  /* may be null */

typedef struct spec { const char *key; unsigned char kind, flags; } spec;
typedef struct val { const cJSON *item; const char *s; int64_t i; double d; int set; } val;

static int check_string(const char *s, const char *path, int kind, val *v)
{
    if ((kind == V_NAME || kind == V_STAMP) && s[0] == '\0')
        return igny8__error_set(IGNY8_EINVAL, path, "%s must not be empty", path);
    switch (kind) {
    case V_TYPE:
        v->i = igny8__model_type_from_name(s);
        return v->i ? IGNY8_OK : igny8__error_set(IGNY8_EINVAL, path, "%s '%.16s' is not text or image", path, s);
    case V_ACTOR: return at_path(igny8__check_actor(s), path, "");
    case V_KEY: return at_path(igny8__key_check(s), path, "");
    case V_NAME: return igny8__check_text(s, path, 128);
    case V_STAMP: return igny8__check_text(s, path, 64);
    case V_TEXT: return igny8__check_text(s, path, IGNY8_PROMPT_MAX_BYTES);
    default: return igny8__check_text(s, path, 4096);
    }
}

static int read_value(const cJSON *it, const char *path, int kind, val *v)
{
    int b = 0, rc;
    switch (kind) {
    case V_SKIP: return IGNY8_OK;
    case V_BOOL:
        rc = igny8__json_get_bool(it, path, &b, NULL);
        v->i = b;
        return rc;
    case V_ID: return igny8__json_get_int(it, path, 1, ID_MAX, &v->i, NULL);
    case V_INT: return igny8__json_get_int(it, path, 1, INT32_MAX, &v->i, NULL);
    case V_COST:
        rc = igny8__json_get_number(it, path, &v->d, NULL);
        if (rc == IGNY8_OK && !(v->d >= 0 && v->d <= IGNY8_MAX_COST_LIMIT))
            return igny8__error_set(IGNY8_EINVAL, path, "%s %g is outside 0..%g (USD)", path, v->d,
                                    IGNY8_MAX_COST_LIMIT);
        return rc;
    case V_ARRAY:
    case V_OBJECT:
        if (kind == V_ARRAY ? cJSON_IsArray(it) : cJSON_IsObject(it))
            return IGNY8_OK;
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be an %s", path, kind == V_ARRAY ? "array" : "object");
    default:
        rc = igny8__json_get_string(it, path, &v->s, NULL);
        return rc == IGNY8_OK ? check_string(v->s, path, kind, v) : rc;
    }
}

/* One field (it may be NULL: absent) by its spec. */
static int read_field(const cJSON *it, const char *path, const spec *s, val *v)
{
    char fp[TPATH];
    fmt(fp, "%s.%s", path, s->key);
    v->item = it;
    if (it == NULL || (cJSON_IsNull(it) && (s->flags & NUL))) {
        if (s->flags & REQ)
            return igny8__error_set(IGNY8_EINVAL, fp, "%s is required", fp);
        return IGNY8_OK;
    }
    int rc = read_value(it, fp, s->kind, v);
    v->set = rc == IGNY8_OK;
    return rc;
}

/* Every field of obj by the specs (an unknown field is an error), in the document's order,
 * then the required ones that are missing. */
static int read_fields(const cJSON *obj, const char *path, const spec *specs, size_t n, val *vals)
{
    char fp[TPATH];
    memset(vals, 0, n * sizeof(*vals));
    for (const cJSON *it = obj->child; it; it = it->next) {
        size_t k = 0;
        while (k < n && strcmp(specs[k].key, it->string) != 0)
            k++;
        if (k == n) {
            fmt(fp, "%s.%s", path, it->string);
            return igny8__error_set(IGNY8_EINVAL, fp, "%s is not a field of %s", fp, path);
        }
        int rc = read_field(it, path, &specs[k], &vals[k]);
        if (rc != IGNY8_OK)
            return rc;
    }
    for (size_t k = 0; k < n; k++)
        if ((specs[k].flags & REQ) && vals[k].item == NULL)
            return read_field(NULL, path, &specs[k], &vals[k]);
    return IGNY8_OK;
}

/* One field by name, for objects whose other fields are free (library items). */
static int read_one(const cJSON *obj, const char *path, const char *key, int kind, unsigned flags, val *v)
{
    spec s = { key, (unsigned char)kind, (unsigned char)flags };
    memset(v, 0, sizeof(*v));
    return read_field(cJSON_GetObjectItemCaseSensitive(obj, key), path, &s, v);
}

/* ---- the document's index and the lookups ---- */

/* Index a section as it is: entries of the wrong type are simply not found, and the
 * section's own check reports them. */
static int ix_build(ix_list *l, const cJSON *doc, const char *section, const char *const keys[5])
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, section);
    size_t n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
    if (n == 0)
        return IGNY8_OK;
    if ((l->v = igny8__calloc(n, sizeof(*l->v))) == NULL)
        return igny8__error_oom();
    for (const cJSON *it = arr->child; it && l->n < n; it = it->next) {
        ix_entry *e = &l->v[l->n++];
        e->item = it;
        e->name = keys[0] ? str_of(it, keys[0]) : NULL;
        e->a = keys[1] ? str_of(it, keys[1]) : NULL;
        e->b = keys[2] ? str_of(it, keys[2]) : NULL;
        e->type = keys[3] ? igny8__model_type_from_name(str_of(it, keys[3])) : 0;
        e->n = keys[4] ? num_of(it, keys[4]) : 0;
    }
    return IGNY8_OK;
}

static int ix_build_all(import_ctx *c)
{
    static const char *const providers[5] = { "name", NULL, NULL, NULL, NULL };
    static const char *const integrations[5] = { "name", "provider", "default_model", "model_type", NULL };
    static const char *const models[5] = { "model_name", "provider", NULL, "model_type", "max_output_tokens" };
    static const char *const operations[5] = { "name", NULL, NULL, "model_type", NULL };
    static const char *const groups[5] = { "name", NULL, NULL, NULL, NULL };
    static const char *const library[5] = { NULL, "kind", NULL, NULL, "id" };
    int rc = ix_build(&c->providers, c->doc, "providers", providers);
    if (rc == IGNY8_OK) rc = ix_build(&c->integrations, c->doc, "integrations", integrations);
    if (rc == IGNY8_OK) rc = ix_build(&c->models, c->doc, "models", models);
    if (rc == IGNY8_OK) rc = ix_build(&c->operations, c->doc, "operations", operations);
    if (rc == IGNY8_OK) rc = ix_build(&c->groups, c->doc, "access_groups", groups);
    if (rc == IGNY8_OK) rc = ix_build(&c->library, c->doc, "library", library);
    return rc;
}

static void ix_free_all(import_ctx *c)
{
    igny8__free(c->providers.v);
    igny8__free(c->integrations.v);
    igny8__free(c->models.v);
    igny8__free(c->operations.v);
    igny8__free(c->groups.v);
    igny8__free(c->library.v);
}

static const ix_entry *ix_find(const ix_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].name && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static int find_provider(import_ctx *c, const char *name, int *found)
{
    *found = ix_find(&c->providers, name) != NULL;
    return (*found || !c->merge) ? IGNY8_OK : igny8__db_provider_exists(c->st, name, found);
}

static int find_operation(import_ctx *c, const char *name, int *type)
{
    const ix_entry *e = ix_find(&c->operations, name);
    *type = e ? e->type : 0;
    return (e || !c->merge) ? IGNY8_OK : igny8__db_transfer_operation_type(c->st, name, type);
}

typedef struct integ_info { int type; char default_model[TPATH]; } integ_info;

/* An integration's type (0: unknown) and default model. */
static int find_integration(import_ctx *c, const char *name, integ_info *out)
{
    const ix_entry *e = ix_find(&c->integrations, name);
    char *model = NULL;
    memset(out, 0, sizeof(*out));
    if (e) {
        out->type = e->type;
        snprintf(out->default_model, sizeof(out->default_model), "%s", e->b ? e->b : "");
        return IGNY8_OK;
    }
    int rc = c->merge ? igny8__db_transfer_integration_find(c->st, name, &out->type, &model) : IGNY8_OK;
    snprintf(out->default_model, sizeof(out->default_model), "%s", model ? model : "");
    igny8__free(model);
    return rc;
}

/* The integration of a provider's models of a type, into buf ("" when none). */
static int integration_of(import_ctx *c, const char *provider, int type, char buf[TPATH])
{
    char *name = NULL;
    buf[0] = '\0';
    for (size_t i = 0; provider && i < c->integrations.n; i++) {
        const ix_entry *e = &c->integrations.v[i];
        if (e->name && e->a && strcmp(e->a, provider) == 0 && e->type == type) {
            snprintf(buf, TPATH, "%s", e->name);
            return IGNY8_OK;
        }
    }
    int rc = (provider && c->merge) ? igny8__db_transfer_integration_for(c->st, provider, type, &name) : IGNY8_OK;
    if (name)
        snprintf(buf, TPATH, "%s", name);
    igny8__free(name);
    return rc;
}

typedef struct model_info { int found, type, max_out; char integration[TPATH]; } model_info;

static int find_model(import_ctx *c, const char *name, model_info *out)
{
    const ix_entry *e = ix_find(&c->models, name);
    igny8_model *m = NULL;
    memset(out, 0, sizeof(*out));
    if (e) {
        out->found = 1;
        out->type = e->type;
        out->max_out = (int)e->n;
        return integration_of(c, e->a, e->type, out->integration);
    }
    int rc = c->merge ? igny8__model_find(c->st, name, &m) : IGNY8_OK;
    if (rc == IGNY8_OK && m) {
        out->found = 1;
        out->type = m->row.model_type;
        out->max_out = m->row.max_output_tokens;
        snprintf(out->integration, sizeof(out->integration), "%s", m->row.integration);
    }
    igny8_model_free(m);
    return rc;
}

static int find_group(import_ctx *c, const char *name, int *found)
{
    igny8__access_group_row g;
    *found = ix_find(&c->groups, name) != NULL;
    if (*found || !c->merge)
        return IGNY8_OK;
    int rc = igny8__db_access_group_get(c->st, name, &g, found);
    igny8__access_group_row_clear(&g);
    return rc;
}

/* A library item's kind name into buf ("" when there is no item with that id). */
static int find_library(import_ctx *c, int64_t id, char buf[32])
{
    char *kind = NULL;
    buf[0] = '\0';
    for (size_t i = 0; i < c->library.n; i++)
        if (c->library.v[i].n == id) {
            snprintf(buf, 32, "%s", c->library.v[i].a ? c->library.v[i].a : "");
            return IGNY8_OK;
        }
    int rc = c->merge ? igny8__db_transfer_library_kind(c->st, id, &kind) : IGNY8_OK;
    if (kind)
        snprintf(buf, 32, "%s", kind);
    igny8__free(kind);
    return rc;
}

/* ---- integrations' settings ---- */

/* An integration row for a write, borrowing the update's strings. */
static void row_from_update(igny8__integ_row *r, const igny8_integration_update *u)
{
    igny8__integ_row_init(r);
    if (u->set & IGNY8_FIELD_ENABLED) r->enabled = u->enabled;
    if (u->set & IGNY8_FIELD_MODEL) r->model = (char *)u->model;
    if (u->set & IGNY8_FIELD_TEMPERATURE) r->temperature = u->temperature;
    if (u->set & IGNY8_FIELD_MAX_TOKENS) r->max_tokens = u->max_tokens;
    if (u->set & IGNY8_FIELD_SIZE) r->size = (char *)u->size;
    if (u->set & IGNY8_FIELD_QUALITY) r->quality = (char *)u->quality;
    if (u->set & IGNY8_FIELD_STYLE) r->style = (char *)u->style;
    if (u->set & IGNY8_FIELD_BASE_URL) r->base_url = (char *)u->base_url;
}

/* Read a row's settings fields and check them against the integration (name, type). */
static int read_settings(const import_ctx *c, const cJSON *it, const char *path, const char *name, int type,
                         int is_account, igny8_integration_update *u)
{
    static const char *const platform_ro[] = { "name", "provider", "model_type", "key_from", "updated_at",
                                               "updated_by", NULL };
    static const char *const account_ro[] = { "account_id", "integration", "updated_at", "updated_by", NULL };
    char prefix[TPATH];
    igny8__integ_row p;
    fmt(prefix, "%s.", path);
    int rc = igny8__integration_body_read(it, is_account, is_account ? account_ro : platform_ro, prefix, u);
    if (rc != IGNY8_OK)
        return rc;
    igny8__integ_row_init(&p);
    p.name = (char *)name;  /* borrowed: p is not cleared */
    p.model_type = type;
    rc = igny8__integration_update_check(&p, u, is_account, igny8__store_allows_http(c->st));
    const char *f = igny8_error_last()->field;
    return at_path(rc, path, (rc != IGNY8_OK && !is_account && f && strcmp(f, "model") == 0) ? "default_model" : NULL);
}

/* A model named by a row of integration `integration`: it exists and is one of its models. */
static int check_model_of(import_ctx *c, const char *name, const char *integration, const char *path,
                          const char *field, model_info *m)
{
    char full[TPATH];
    int rc = find_model(c, name, m);
    if (rc != IGNY8_OK)
        return rc;
    if (!m->found)
        return not_found(c, path, field, "model", name);
    fmt(full, "%s.%s", path, field);
    if (strcmp(m->integration, integration) != 0)
        return igny8__error_set(IGNY8_EINVAL, full, "%s: model '%.64s' belongs to integration '%.64s', not '%.64s'",
                                full, name, m->integration, integration);
    return IGNY8_OK;
}

/* ---- the sections' rows ---- */

typedef int (*row_fn)(import_ctx *c, const cJSON *it, const char *path, int write);
typedef int (*after_fn)(import_ctx *c, const cJSON *it, const char *path);

enum { P_NAME, P_DISPLAY, P_TEST, P_URL };
static const spec provider_spec[] = {
    { "name", V_NAME, REQ }, { "display_name", V_STR, REQ }, { "connection_test", V_NAME, 0 },
    { "default_base_url", V_STR, NUL },
};

static int do_provider(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(provider_spec)];
    int rc = read_fields(it, path, provider_spec, IGNY8__ARRAY_LEN(provider_spec), v);
    if (rc == IGNY8_OK && v[P_URL].set)
        rc = at_path(igny8__base_url_check(v[P_URL].s, igny8__store_allows_http(c->st)), path, "default_base_url");
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__provider_row p = { v[P_NAME].s, v[P_DISPLAY].s, v[P_TEST].s, v[P_URL].s };
    return at_row(igny8__db_transfer_provider_put(c->st, &p), path);
}

enum { I_NAME, I_PROVIDER, I_TYPE, I_KEY_FROM, I_KEY, I_AT, I_BY };
static const spec integration_spec[] = {
    { "name", V_NAME, REQ }, { "provider", V_NAME, REQ }, { "model_type", V_TYPE, REQ },
    { "key_from", V_NAME, NUL }, { "api_key", V_KEY, NUL }, { "updated_at", V_STAMP, NUL },
    { "updated_by", V_ACTOR, NUL }, { "default_model", V_SKIP, 0 }, { "temperature", V_SKIP, 0 },
    { "max_tokens", V_SKIP, 0 }, { "size", V_SKIP, 0 }, { "quality", V_SKIP, 0 }, { "style", V_SKIP, 0 },
    { "base_url", V_SKIP, 0 },
};

/* The provider and key_from exist; the default model is one of this integration's. */
static int check_integration_refs(import_ctx *c, const val *v, const igny8_integration_update *u, const char *path)
{
    integ_info key_from;
    model_info m;
    int found = 0;
    int rc = find_provider(c, v[I_PROVIDER].s, &found);
    if (rc == IGNY8_OK && !found)
        return not_found(c, path, "provider", "provider", v[I_PROVIDER].s);
    if (rc == IGNY8_OK && v[I_KEY_FROM].set && (rc = find_integration(c, v[I_KEY_FROM].s, &key_from)) == IGNY8_OK &&
        key_from.type == 0)
        return not_found(c, path, "key_from", "integration", v[I_KEY_FROM].s);
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_MODEL))
        rc = check_model_of(c, u->model, v[I_NAME].s, path, "default_model", &m);
    return rc;
}

static int do_integration(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(integration_spec)];
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    igny8__integ_row r;
    int rc = read_fields(it, path, integration_spec, IGNY8__ARRAY_LEN(integration_spec), v);
    if (rc == IGNY8_OK)
        rc = read_settings(c, it, path, v[I_NAME].s, (int)v[I_TYPE].i, 0, &u);
    if (rc == IGNY8_OK)
        rc = check_integration_refs(c, v, &u, path);
    if (rc != IGNY8_OK || !write)
        return rc;
    row_from_update(&r, &u);
    r.name = (char *)v[I_NAME].s;
    r.provider = (char *)v[I_PROVIDER].s;
    r.model_type = (int)v[I_TYPE].i;
    r.updated_at = (char *)v[I_AT].s;
    r.updated_by = (char *)v[I_BY].s;
    rc = v[I_KEY].s ? igny8__keys_store(c->st, c->actor, 0, r.name, v[I_KEY].s, &r.api_key) : IGNY8_OK;
    if (rc == IGNY8_OK)
        rc = at_row(igny8__db_transfer_integration_put(c->st, &r, c->merge && v[I_KEY].item == NULL), path);
    igny8__free(r.api_key);
    return rc;
}

/* Once every integration is in: the integrations whose key they use. */
static int after_integration(import_ctx *c, const cJSON *it, const char *path)
{
    const char *key_from = str_of(it, "key_from");
    if (key_from == NULL)
        return IGNY8_OK;
    return at_row(igny8__db_transfer_key_from_set(c->st, str_of(it, "name"), key_from), path);
}

/* The provider and its integration of the model's type exist; one default per type. */
static int check_model_refs(import_ctx *c, const igny8_model *m, const char *path)
{
    char integration[TPATH], full[TPATH];
    int found = 0;
    int rc = find_provider(c, m->row.provider, &found);
    if (rc == IGNY8_OK && !found)
        return not_found(c, path, "provider", "provider", m->row.provider);
    if (rc == IGNY8_OK && (rc = integration_of(c, m->row.provider, m->row.model_type, integration)) == IGNY8_OK &&
        integration[0] == '\0') {
        fmt(full, "%s.model_type", path);
        return igny8__error_set(IGNY8_EINVAL, full, "%s: provider '%.64s' has no %s integration", full, m->row.provider,
                                igny8_model_type_name(m->row.model_type));
    }
    const char **claimed = &c->defaults[m->row.model_type];
    if (rc == IGNY8_OK && m->row.is_default && *claimed && strcmp(*claimed, m->row.model_name) != 0) {
        fmt(full, "%s.is_default", path);
        return igny8__error_set(IGNY8_EEXISTS, full, "%s: '%.64s' is the default %s model already", full, *claimed,
                                igny8_model_type_name(m->row.model_type));
    }
    return rc;
}

static int do_model(import_ctx *c, const cJSON *it, const char *path, int write)
{
    igny8_model m;
    val at, by;
    igny8__model_init(&m);
    int rc = at_path(igny8__model_from_json(&m, it), path, NULL);
    if (rc == IGNY8_OK) rc = read_one(it, path, "updated_at", V_STAMP, REQ, &at);
    if (rc == IGNY8_OK) rc = read_one(it, path, "updated_by", V_ACTOR, REQ, &by);
    if (rc == IGNY8_OK) rc = check_model_refs(c, &m, path);
    if (rc == IGNY8_OK && m.row.is_default && c->defaults[m.row.model_type] == NULL)
        c->defaults[m.row.model_type] = str_of(it, "model_name");
    if (rc == IGNY8_OK && write) {
        m.row.updated_at = (char *)at.s;  /* borrowed until the write is done */
        m.row.updated_by = (char *)by.s;
        m.row.is_default = 0;             /* set once every model is in (after_model) */
        rc = at_row(igny8__db_transfer_model_put(c->st, &m.row), path);
        m.row.updated_at = m.row.updated_by = NULL;
    }
    igny8__model_clear(&m);
    return rc;
}

static int after_model(import_ctx *c, const cJSON *it, const char *path)
{
    char full[TPATH];
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "is_default")))
        return IGNY8_OK;
    fmt(full, "%s.is_default", path);
    return at_row(igny8__db_transfer_model_set_default(c->st, str_of(it, "model_name")), full);
}

enum { G_ACTIVE, G_TEXT, G_IMAGE, G_AT, G_BY };
static const spec global_spec[] = {
    { "is_active", V_BOOL, REQ }, { "text_provider", V_NAME, NUL }, { "image_provider", V_NAME, NUL },
    { "updated_at", V_STAMP, NUL }, { "updated_by", V_ACTOR, NUL },
};

/* The platform's provider of a model type is an integration of that type. */
static int check_platform_provider(import_ctx *c, const val *v, const char *path, const char *field, int type)
{
    integ_info in;
    char full[TPATH];
    if (!v->set)
        return IGNY8_OK;
    int rc = find_integration(c, v->s, &in);
    if (rc == IGNY8_OK && in.type == 0)
        return not_found(c, path, field, "integration", v->s);
    fmt(full, "%s.%s", path, field);
    if (rc == IGNY8_OK && in.type != type)
        return igny8__error_set(IGNY8_EINVAL, full, "%s: integration '%.64s' is not a %s integration", full, v->s,
                                igny8_model_type_name(type));
    return rc;
}

static int do_global(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(global_spec)];
    int rc = read_fields(it, path, global_spec, IGNY8__ARRAY_LEN(global_spec), v);
    if (rc == IGNY8_OK) rc = check_platform_provider(c, &v[G_TEXT], path, "text_provider", IGNY8_MODEL_TEXT);
    if (rc == IGNY8_OK) rc = check_platform_provider(c, &v[G_IMAGE], path, "image_provider", IGNY8_MODEL_IMAGE);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__global_row g = { (int)v[G_ACTIVE].i, (char *)v[G_TEXT].s, (char *)v[G_IMAGE].s, (char *)v[G_AT].s,
                            (char *)v[G_BY].s };
    return at_row(igny8__db_global_update(c->st, &g), path);
}

enum { O_NAME, O_TYPE, O_DESCRIPTION };
static const spec operation_spec[] = {
    { "name", V_NAME, REQ }, { "model_type", V_TYPE, REQ }, { "description", V_STR, NUL },
};

static int do_operation(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(operation_spec)];
    int rc = read_fields(it, path, operation_spec, IGNY8__ARRAY_LEN(operation_spec), v);
    if (rc != IGNY8_OK || !write)
        return rc;
    return at_row(igny8__db_transfer_operation_put(c->st, v[O_NAME].s, (int)v[O_TYPE].i, v[O_DESCRIPTION].s), path);
}

enum { M_NAME, M_DESCRIPTION, M_ENABLED, M_AT, M_BY };
static const spec module_spec[] = {
    { "name", V_NAME, REQ }, { "description", V_STR, NUL }, { "enabled", V_BOOL, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

static int do_module(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(module_spec)];
    int rc = read_fields(it, path, module_spec, IGNY8__ARRAY_LEN(module_spec), v);
    if (rc == IGNY8_OK) rc = at_path(igny8__module_check_name(v[M_NAME].s), path, "name");
    if (rc == IGNY8_OK) rc = at_path(igny8__check_text(v[M_DESCRIPTION].s, "description", 1024), path, NULL);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__transfer_row r = { 0, v[M_NAME].s, v[M_DESCRIPTION].s, (int)v[M_ENABLED].i, v[M_AT].s, v[M_BY].s };
    return at_row(igny8__db_transfer_row_put(c->st, IGNY8__TRANSFER_MODULE, &r), path);
}

/* ---- prompts ---- */

enum { PV_VERSION, PV_VALUE, PV_DESCRIPTION, PV_MESSAGE, PV_AUTHOR, PV_CREATED };
static const spec version_spec[] = {
    { "version", V_INT, REQ }, { "value", V_TEXT, REQ }, { "description", V_STR, NUL }, { "message", V_STR, NUL },
    { "author", V_ACTOR, REQ }, { "created_at", V_STAMP, REQ },
    { "variables", V_SKIP, 0 },  /* derived from the value: recomputed, never taken from the document */
};

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The same content: value, description and message. Who committed it and when may differ
 * (two stores loaded with the same defaults at different times); the store keeps its own. */
static int same_version(const igny8__prompt_row *p, const val *v)
{
    return same_text(p->value, v[PV_VALUE].s) && same_text(p->description, v[PV_DESCRIPTION].s) &&
           same_text(p->message, v[PV_MESSAGE].s);
}

static int write_version(import_ctx *c, const char *type, const val *v, const char *path)
{
    char field[TPATH];
    igny8__prompt_row p;
    memset(&p, 0, sizeof(p));
    fmt(field, "%s.value", path);
    int rc = igny8__template_check(v[PV_VALUE].s, field, &p.variables);
    if (rc != IGNY8_OK)
        return rc;
    p.prompt_type = (char *)type;
    p.version = (int)v[PV_VERSION].i;
    p.value = (char *)v[PV_VALUE].s;
    p.description = (char *)v[PV_DESCRIPTION].s;
    p.message = (char *)v[PV_MESSAGE].s;
    p.author = (char *)v[PV_AUTHOR].s;
    p.created_at = (char *)v[PV_CREATED].s;
    rc = at_row(igny8__db_prompt_version_insert(c->st, &p), path);
    igny8__free(p.variables);
    return rc;
}

/* One version: its fields, its order, its template; in a merge, a version the store has
 * already must be the same (versions are immutable) and is not written again. */
static int do_version(import_ctx *c, const char *type, const cJSON *it, const char *path, int64_t *prev, int write)
{
    val v[IGNY8__ARRAY_LEN(version_spec)];
    char field[TPATH];
    igny8__prompt_row old;
    int found = 0;
    memset(&old, 0, sizeof(old));
    int rc = read_fields(it, path, version_spec, IGNY8__ARRAY_LEN(version_spec), v);
    fmt(field, "%s.version", path);
    if (rc == IGNY8_OK && v[PV_VERSION].i <= *prev)
        return igny8__error_set(IGNY8_EINVAL, field, "%s: version %lld does not follow version %lld", field,
                                (long long)v[PV_VERSION].i, (long long)*prev);
    *prev = v[PV_VERSION].i;
    fmt(field, "%s.value", path);
    if (rc == IGNY8_OK) rc = igny8__template_check(v[PV_VALUE].s, field, NULL);
    if (rc == IGNY8_OK && c->merge)
        rc = igny8__db_transfer_version_find(c->st, type, (int)v[PV_VERSION].i, &old, &found);
    if (rc == IGNY8_OK && found && !same_version(&old, v))
        rc = igny8__error_set(IGNY8_EEXISTS, path, "%s: version %lld of '%.64s' exists in the store with other "
                              "content, and versions are immutable", path, (long long)v[PV_VERSION].i, type);
    if (rc == IGNY8_OK && write && !found)
        rc = write_version(c, type, v, path);
    igny8__prompt_row_clear(&old);
    return rc;
}

static int each_version(import_ctx *c, const char *type, const cJSON *versions, const char *path, int write)
{
    char vp[TPATH];
    int64_t prev = 0;
    int i = 0;
    for (const cJSON *it = versions->child; it; it = it->next, i++) {
        fmt(vp, "%s.versions[%d]", path, i);
        int rc = cJSON_IsObject(it) ? do_version(c, type, it, vp, &prev, write)
                                    : igny8__error_set(IGNY8_EINVAL, vp, "%s must be an object", vp);
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

/* The published version is one of the type's versions (in a merge, the store's count too). */
static int check_published(import_ctx *c, const char *type, const cJSON *versions, int64_t published,
                           const char *path)
{
    char field[TPATH];
    igny8__prompt_row p;
    int found = 0;
    memset(&p, 0, sizeof(p));
    for (const cJSON *it = versions->child; it; it = it->next)
        if (num_of(it, "version") == published)
            return IGNY8_OK;
    int rc = c->merge ? igny8__db_transfer_version_find(c->st, type, (int)published, &p, &found) : IGNY8_OK;
    igny8__prompt_row_clear(&p);
    fmt(field, "%s.published_version", path);
    if (rc == IGNY8_OK && !found)
        return igny8__error_set(IGNY8_EINVAL, field, "%s: %lld is not one of the versions of '%.64s'", field,
                                (long long)published, type);
    return rc;
}

enum { PT_NAME, PT_ACTIVE, PT_PUBLISHED, PT_AT, PT_BY, PT_VERSIONS };
static const spec prompt_spec[] = {
    { "prompt_type", V_NAME, REQ }, { "is_active", V_BOOL, REQ }, { "published_version", V_INT, NUL },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ }, { "versions", V_ARRAY, REQ },
};

static int do_prompt(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(prompt_spec)];
    char field[TPATH];
    int rc = read_fields(it, path, prompt_spec, IGNY8__ARRAY_LEN(prompt_spec), v);
    fmt(field, "%s.prompt_type", path);
    if (rc == IGNY8_OK) rc = igny8__prompt_type_check_name(v[PT_NAME].s, field);
    if (rc == IGNY8_OK) rc = each_version(c, v[PT_NAME].s, v[PT_VERSIONS].item, path, 0);
    if (rc == IGNY8_OK && v[PT_PUBLISHED].set)
        rc = check_published(c, v[PT_NAME].s, v[PT_VERSIONS].item, v[PT_PUBLISHED].i, path);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__transfer_prompt_type t = { v[PT_NAME].s, (int)v[PT_ACTIVE].i, (int)v[PT_PUBLISHED].i, v[PT_AT].s,
                                      v[PT_BY].s };
    rc = at_row(igny8__db_transfer_prompt_type_put(c->st, &t), path);
    return rc == IGNY8_OK ? each_version(c, v[PT_NAME].s, v[PT_VERSIONS].item, path, 1) : rc;
}

/* ---- the accounts' rows ---- */

enum { AI_ACCOUNT, AI_INTEGRATION, AI_KEY, AI_AT, AI_BY };
static const spec account_integration_spec[] = {
    { "account_id", V_ID, REQ }, { "integration", V_NAME, REQ }, { "api_key", V_KEY, NUL },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ }, { "enabled", V_SKIP, 0 },
    { "model", V_SKIP, 0 }, { "temperature", V_SKIP, 0 }, { "max_tokens", V_SKIP, 0 }, { "size", V_SKIP, 0 },
    { "quality", V_SKIP, 0 }, { "style", V_SKIP, 0 },
};

/* The override model is one of the integration's; max_tokens fits the model it applies to. */
static int check_account_model(import_ctx *c, const integ_info *in, const char *integration,
                               const igny8_integration_update *u, const char *path)
{
    model_info m;
    char full[TPATH];
    int rc = IGNY8_OK;
    if (u->set & IGNY8_FIELD_MODEL)
        rc = check_model_of(c, u->model, integration, path, "model", &m);
    else if (in->default_model[0])
        rc = find_model(c, in->default_model, &m);
    else
        return IGNY8_OK;
    fmt(full, "%s.max_tokens", path);
    if (rc == IGNY8_OK && (u->set & IGNY8_FIELD_MAX_TOKENS) && m.max_out > 0 && u->max_tokens > m.max_out)
        return igny8__error_set(IGNY8_EINVAL, full, "%s: max_tokens %d is above the %d output tokens of the model",
                                full, u->max_tokens, m.max_out);
    return rc;
}

static int do_account_integration(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_integration_spec)];
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    integ_info in;
    igny8__integ_row r;
    int rc = read_fields(it, path, account_integration_spec, IGNY8__ARRAY_LEN(account_integration_spec), v);
    if (rc == IGNY8_OK && (rc = find_integration(c, v[AI_INTEGRATION].s, &in)) == IGNY8_OK && in.type == 0)
        return not_found(c, path, "integration", "integration", v[AI_INTEGRATION].s);
    if (rc == IGNY8_OK) rc = read_settings(c, it, path, v[AI_INTEGRATION].s, in.type, 1, &u);
    if (rc == IGNY8_OK) rc = check_account_model(c, &in, v[AI_INTEGRATION].s, &u, path);
    if (rc != IGNY8_OK || !write)
        return rc;
    row_from_update(&r, &u);
    r.name = (char *)v[AI_INTEGRATION].s;
    r.updated_at = (char *)v[AI_AT].s;
    r.updated_by = (char *)v[AI_BY].s;
    rc = v[AI_KEY].s ? igny8__keys_store(c->st, c->actor, v[AI_ACCOUNT].i, r.name, v[AI_KEY].s, &r.api_key)
                     : IGNY8_OK;
    if (rc == IGNY8_OK)
        rc = at_row(igny8__db_transfer_account_integration_put(c->st, v[AI_ACCOUNT].i, &r,
                                                                c->merge && v[AI_KEY].item == NULL), path);
    igny8__free(r.api_key);
    return rc;
}

enum { R_ACCOUNT, R_KEY, R_VALUE, R_AT, R_BY };
static const spec account_provider_spec[] = {
    { "account_id", V_ID, REQ }, { "model_type", V_TYPE, REQ }, { "integration", V_NAME, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

static int do_account_provider(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_provider_spec)];
    int rc = read_fields(it, path, account_provider_spec, IGNY8__ARRAY_LEN(account_provider_spec), v);
    if (rc == IGNY8_OK)
        rc = check_platform_provider(c, &v[R_VALUE], path, "integration", (int)v[R_KEY].i);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__transfer_row r = { v[R_ACCOUNT].i, igny8_model_type_name((int)v[R_KEY].i), v[R_VALUE].s, 0,
                              v[R_AT].s, v[R_BY].s };
    return at_row(igny8__db_transfer_row_put(c->st, IGNY8__TRANSFER_ACCOUNT_PROVIDER, &r), path);
}

static const spec account_operation_spec[] = {
    { "account_id", V_ID, REQ }, { "operation", V_NAME, REQ }, { "model", V_NAME, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

static int do_account_operation_model(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_operation_spec)];
    model_info m;
    char full[TPATH];
    int type = 0;
    int rc = read_fields(it, path, account_operation_spec, IGNY8__ARRAY_LEN(account_operation_spec), v);
    if (rc == IGNY8_OK && (rc = find_operation(c, v[R_KEY].s, &type)) == IGNY8_OK && type == 0)
        return not_found(c, path, "operation", "operation", v[R_KEY].s);
    if (rc == IGNY8_OK && (rc = find_model(c, v[R_VALUE].s, &m)) == IGNY8_OK && !m.found)
        return not_found(c, path, "model", "model", v[R_VALUE].s);
    fmt(full, "%s.model", path);
    if (rc == IGNY8_OK && m.type != type)
        return igny8__error_set(IGNY8_EINVAL, full, "%s: model '%.64s' is of type %s; operation '%.64s' needs type %s",
                                full, v[R_VALUE].s, igny8_model_type_name(m.type), v[R_KEY].s,
                                igny8_model_type_name(type));
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__transfer_row r = { v[R_ACCOUNT].i, v[R_KEY].s, v[R_VALUE].s, 0, v[R_AT].s, v[R_BY].s };
    return at_row(igny8__db_transfer_row_put(c->st, IGNY8__TRANSFER_ACCOUNT_OPERATION_MODEL, &r), path);
}

static const spec account_module_spec[] = {
    { "account_id", V_ID, REQ }, { "module", V_NAME, REQ }, { "enabled", V_BOOL, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

/* The module is not looked up: the store's foreign key names the row that lacks one. */
static int do_account_module(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_module_spec)];
    int rc = read_fields(it, path, account_module_spec, IGNY8__ARRAY_LEN(account_module_spec), v);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__transfer_row r = { v[R_ACCOUNT].i, v[R_KEY].s, NULL, (int)v[R_VALUE].i, v[R_AT].s, v[R_BY].s };
    return at_row(igny8__db_transfer_row_put(c->st, IGNY8__TRANSFER_ACCOUNT_MODULE, &r), path);
}

enum { AP_ACCOUNT, AP_TYPE, AP_VALUE, AP_DEFAULT, AP_BASED_ON, AP_AT, AP_BY };
static const spec account_prompt_spec[] = {
    { "account_id", V_ID, REQ }, { "prompt_type", V_NAME, REQ }, { "value", V_TEXT, REQ },
    { "default_prompt", V_TEXT, REQ }, { "based_on_version", V_INT, REQ }, { "updated_at", V_STAMP, REQ },
    { "updated_by", V_ACTOR, REQ },
};

static int do_account_prompt(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_prompt_spec)];
    char field[TPATH];
    igny8__prompt_row p;
    int rc = read_fields(it, path, account_prompt_spec, IGNY8__ARRAY_LEN(account_prompt_spec), v);
    fmt(field, "%s.value", path);
    if (rc == IGNY8_OK)
        rc = igny8__template_check(v[AP_VALUE].s, field, NULL);
    if (rc != IGNY8_OK || !write)
        return rc;
    memset(&p, 0, sizeof(p));
    p.prompt_type = (char *)v[AP_TYPE].s;
    p.value = (char *)v[AP_VALUE].s;
    p.default_prompt = (char *)v[AP_DEFAULT].s;
    p.based_on_version = (int)v[AP_BASED_ON].i;
    p.created_at = (char *)v[AP_AT].s;
    p.author = (char *)v[AP_BY].s;
    return at_row(igny8__db_account_prompt_put(c->st, v[AP_ACCOUNT].i, &p), path);
}

/* ---- plans and fallbacks ---- */

/* models[i] of a row: a model of the document (or the store, in a merge), not one of the
 * names before it, and of the operation's type when type is set (a chain's). Neither
 * active nor allowed by an account's plan is asked for: a store holds such chains and
 * groups after later changes (the resolver skips those models), and its export imports. */
static int check_model_name(import_ctx *c, const cJSON *it, const char *path, int i, const char **names, int type,
                            const char *operation)
{
    char field[32], at[TPATH], first[TPATH];
    model_info m;
    val v;
    memset(&v, 0, sizeof(v));
    fmt(at, "%s.models[%d]", path, i);
    int rc = read_value(it, at, V_NAME, &v);
    for (int j = 0; rc == IGNY8_OK && j < i; j++)
        if (strcmp(names[j], v.s) == 0) {
            fmt(first, "%s.models[%d]", path, j);
            return igny8__error_set(IGNY8_EINVAL, at, "%s: model '%.64s' is given twice (%s and %s)%s", at, v.s,
                                    first, at, type ? ": a fallback chain may not loop" : "");
        }
    snprintf(field, sizeof(field), "models[%d]", i);
    if (rc == IGNY8_OK && (rc = find_model(c, v.s, &m)) == IGNY8_OK && !m.found)
        return not_found(c, path, field, "model", v.s);
    if (rc == IGNY8_OK && type && m.type != type)
        return igny8__error_set(IGNY8_EINVAL, at, "%s: model '%.64s' is of type %s; operation '%.64s' needs type %s", at,
                                v.s, igny8_model_type_name(m.type), operation, igny8_model_type_name(type));
    names[i] = v.s;
    return rc;
}

/* A row's "models" (an array) into *names, borrowed from the document (the caller frees
 * the array). */
static int read_model_names(import_ctx *c, const cJSON *list, const char *path, int type, const char *operation,
                            const char ***names, size_t *n)
{
    int i = 0, rc = IGNY8_OK;
    *n = (size_t)cJSON_GetArraySize(list);
    if ((*names = igny8__calloc(*n ? *n : 1, sizeof(char *))) == NULL)
        return igny8__error_oom();
    for (const cJSON *it = list->child; rc == IGNY8_OK && it; it = it->next, i++)
        rc = check_model_name(c, it, path, i, *names, type, operation);
    return rc;
}

enum { AG_NAME, AG_DESCRIPTION, AG_MODELS, AG_AT, AG_BY };
static const spec access_group_spec[] = {
    { "name", V_NAME, REQ }, { "description", V_STR, NUL }, { "models", V_ARRAY, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

/* A group and its models: the store's group of that name becomes this one. */
static int do_access_group(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(access_group_spec)];
    char field[TPATH];
    const char **models = NULL;
    size_t n = 0;
    int rc = read_fields(it, path, access_group_spec, IGNY8__ARRAY_LEN(access_group_spec), v);
    fmt(field, "%s.name", path);
    if (rc == IGNY8_OK) rc = igny8__access_group_check_name(v[AG_NAME].s, field);
    if (rc == IGNY8_OK) rc = read_model_names(c, v[AG_MODELS].item, path, 0, NULL, &models, &n);
    if (rc == IGNY8_OK && write) {
        igny8__access_group_row g = { (char *)v[AG_NAME].s, (char *)v[AG_DESCRIPTION].s, (char *)v[AG_AT].s,
                                      (char *)v[AG_BY].s, 0 };
        rc = at_row(igny8__db_access_group_put(c->st, &g), path);
        if (rc == IGNY8_OK)
            rc = at_row(igny8__db_access_group_models_set(c->st, g.name, models, n), path);
    }
    igny8__free(models);
    return rc;
}

enum { FC_ACCOUNT, FC_OPERATION, FC_MODELS, FC_AT, FC_BY };
static const spec fallback_chain_spec[] = {
    { "account_id", V_ID, NUL }, { "operation", V_NAME, REQ }, { "models", V_ARRAY, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

/* The owner is given: an account, or null for the platform's chain (0 in the C calls, but
 * no account id in a document). */
static int check_chain_owner(const cJSON *it, const char *path)
{
    const cJSON *owner = cJSON_GetObjectItemCaseSensitive(it, "account_id");
    char field[TPATH];
    fmt(field, "%s.account_id", path);
    if (owner == NULL)
        return igny8__error_set(IGNY8_EINVAL, field, "%s is required: an account, or null for the platform's chain",
                                field);
    if (cJSON_IsNumber(owner) && owner->valuedouble == 0)
        return igny8__error_set(IGNY8_EINVAL, field, "%s: 0 is no account; the platform's chain has account_id null",
                                field);
    return IGNY8_OK;
}

/* At most IGNY8_FALLBACK_CHAIN_MAX models, and the platform's chain not empty: only an
 * account's empty chain means something (no fallbacks); the platform's would be no chain,
 * which the store never holds. */
static int check_chain_length(const val *v, const char *path)
{
    char field[TPATH];
    int n = cJSON_GetArraySize(v[FC_MODELS].item);
    fmt(field, "%s.models", path);
    if (n > IGNY8_FALLBACK_CHAIN_MAX)
        return igny8__error_set(IGNY8_EINVAL, field, "%s holds at most %d models; %d given", field,
                                IGNY8_FALLBACK_CHAIN_MAX, n);
    if (n == 0 && !v[FC_ACCOUNT].set)
        return igny8__error_set(IGNY8_EINVAL, field, "%s: the platform's chain holds at least one model (without "
                                "one it is no chain: leave the row out)", field);
    return IGNY8_OK;
}

/* One chain (the platform's, or an account's own): the store's chain of that owner and
 * operation becomes this one. */
static int do_fallback_chain(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(fallback_chain_spec)];
    const char **models = NULL;
    size_t n = 0;
    int type = 0;
    int rc = check_chain_owner(it, path);
    if (rc == IGNY8_OK) rc = read_fields(it, path, fallback_chain_spec, IGNY8__ARRAY_LEN(fallback_chain_spec), v);
    if (rc == IGNY8_OK) rc = check_chain_length(v, path);
    if (rc == IGNY8_OK && (rc = find_operation(c, v[FC_OPERATION].s, &type)) == IGNY8_OK && type == 0)
        return not_found(c, path, "operation", "operation", v[FC_OPERATION].s);
    if (rc == IGNY8_OK)
        rc = read_model_names(c, v[FC_MODELS].item, path, type, v[FC_OPERATION].s, &models, &n);
    if (rc == IGNY8_OK && write)
        rc = at_row(igny8__db_fallback_chain_put(c->st, v[FC_ACCOUNT].i, v[FC_OPERATION].s, models, n, v[FC_AT].s,
                                                 v[FC_BY].s), path);
    igny8__free(models);
    return rc;
}

enum { AA_ACCOUNT, AA_GROUP, AA_TEXT, AA_IMAGE, AA_AT, AA_BY };
static const spec account_access_spec[] = {
    { "account_id", V_ID, REQ }, { "group", V_NAME, NUL }, { "max_cost_per_1k_tokens", V_COST, NUL },
    { "max_cost_per_image", V_COST, NUL }, { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

/* An account's group and cost ceilings (null: none). */
static int do_account_access(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_access_spec)];
    igny8__account_access_row r;
    char field[TPATH];
    int found = 0;
    int rc = read_fields(it, path, account_access_spec, IGNY8__ARRAY_LEN(account_access_spec), v);
    fmt(field, "%s.group", path);
    if (rc == IGNY8_OK && v[AA_GROUP].set)
        rc = igny8__access_group_check_name(v[AA_GROUP].s, field);
    if (rc == IGNY8_OK && v[AA_GROUP].set && (rc = find_group(c, v[AA_GROUP].s, &found)) == IGNY8_OK && !found)
        return not_found(c, path, "group", "access group", v[AA_GROUP].s);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__account_access_row_init(&r);  /* borrows the document's strings: not cleared */
    r.exists = 1;
    r.group = (char *)v[AA_GROUP].s;
    r.max_cost_per_1k_tokens = v[AA_TEXT].set ? v[AA_TEXT].d : NAN;
    r.max_cost_per_image = v[AA_IMAGE].set ? v[AA_IMAGE].d : NAN;
    r.updated_at = (char *)v[AA_AT].s;
    r.updated_by = (char *)v[AA_BY].s;
    return at_row(igny8__db_account_access_put(c->st, v[AA_ACCOUNT].i, &r), path);
}

static const spec account_model_access_spec[] = {
    { "account_id", V_ID, REQ }, { "model", V_NAME, REQ }, { "allowed", V_BOOL, REQ },
    { "updated_at", V_STAMP, REQ }, { "updated_by", V_ACTOR, REQ },
};

/* An account's own rule for one model: an addition (allowed) or a removal. */
static int do_account_model_access(import_ctx *c, const cJSON *it, const char *path, int write)
{
    val v[IGNY8__ARRAY_LEN(account_model_access_spec)];
    model_info m;
    int rc = read_fields(it, path, account_model_access_spec, IGNY8__ARRAY_LEN(account_model_access_spec), v);
    if (rc == IGNY8_OK && (rc = find_model(c, v[R_KEY].s, &m)) == IGNY8_OK && !m.found)
        return not_found(c, path, "model", "model", v[R_KEY].s);
    if (rc != IGNY8_OK || !write)
        return rc;
    igny8__access_model_row r = { v[R_ACCOUNT].i, v[R_KEY].s, (int)v[R_VALUE].i, v[R_AT].s, v[R_BY].s };
    return at_row(igny8__db_account_access_model_put(c->st, &r), path);
}

/* ---- libraries ---- */

static int is_column(const char *key, const char *const *columns)
{
    for (const char *const *k = columns; *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    return 0;
}

/* The kind's own fields of a row (every key that is not a column) as one JSON object text. */
static int fields_text(const cJSON *it, const char *const *columns, char **out)
{
    cJSON *f = cJSON_CreateObject();
    int ok = f != NULL;
    for (const cJSON *k = it->child; ok && k; k = k->next)
        if (!is_column(k->string, columns))
            ok = cJSON_AddItemReferenceToObject(f, k->string, (cJSON *)k);
    *out = ok ? igny8__json_print(f) : NULL;
    cJSON_Delete(f);
    return *out ? IGNY8_OK : igny8__error_oom();
}

/* The columns every library row has, read after the library's own validation. */
typedef struct library_cols { val id, kind, at, by, name, description, category, active; int kind_id; } library_cols;

static int read_library_cols(const cJSON *it, const char *path, library_cols *l)
{
    char field[TPATH];
    int rc = read_one(it, path, "id", V_ID, REQ, &l->id);
    if (rc == IGNY8_OK) rc = read_one(it, path, "kind", V_NAME, REQ, &l->kind);
    if (rc == IGNY8_OK) rc = read_one(it, path, "updated_at", V_STAMP, REQ, &l->at);
    if (rc == IGNY8_OK) rc = read_one(it, path, "updated_by", V_ACTOR, REQ, &l->by);
    fmt(field, "%s.kind", path);
    if (rc == IGNY8_OK && (l->kind_id = igny8__library_kind_from_name(l->kind.s)) == 0)
        return igny8__error_set(IGNY8_EINVAL, field, "%s: '%.64s' is not author_profile or strategy", field,
                                l->kind.s);
    return rc;
}

static int read_library_head(const cJSON *it, const char *path, library_cols *l)
{
    int rc = read_one(it, path, "name", V_STR, REQ, &l->name);
    if (rc == IGNY8_OK) rc = read_one(it, path, "description", V_STR, NUL, &l->description);
    if (rc == IGNY8_OK) rc = read_one(it, path, "category", V_NAME, REQ, &l->category);
    if (rc == IGNY8_OK) rc = read_one(it, path, "is_active", V_BOOL, 0, &l->active);
    if (rc == IGNY8_OK && !l->active.set)
        l->active.i = 1;
    return rc;
}

static int library_validate(import_ctx *c, int kind, const cJSON *item, const char *path)
{
    char prefix[TPATH];
    fmt(prefix, "%s.", path);
    return igny8__library_validate(c->st, kind, item, 1, prefix);
}

static void library_row(igny8__transfer_library_row *r, const library_cols *l)
{
    memset(r, 0, sizeof(*r));
    r->id = l->id.i;
    r->kind = l->kind.s;
    r->name = l->name.s;
    r->description = l->description.s;
    r->category = l->category.s;
    r->is_active = (int)l->active.i;
    r->updated_at = l->at.s;
    r->updated_by = l->by.s;
}

static int do_library_item(import_ctx *c, const cJSON *it, const char *path, int write)
{
    library_cols l;
    val revision;
    igny8__transfer_library_row r;
    char *fields = NULL;
    int rc = read_library_cols(it, path, &l);
    if (rc == IGNY8_OK) rc = read_one(it, path, "revision", V_INT, REQ, &revision);
    if (rc == IGNY8_OK) rc = library_validate(c, l.kind_id, it, path);
    if (rc == IGNY8_OK) rc = read_library_head(it, path, &l);
    if (rc != IGNY8_OK || !write)
        return rc;
    if ((rc = fields_text(it, item_columns, &fields)) != IGNY8_OK)
        return rc;
    library_row(&r, &l);
    r.revision = (int)revision.i;
    r.fields = fields;
    rc = at_row(igny8__db_transfer_library_put(c->st, 0, &r), path);
    igny8__free(fields);
    return rc;
}

/* A copy is validated as an item of its kind (without based_on, which is no item field);
 * its source exists and is of the same kind. */
static int check_copy(import_ctx *c, const cJSON *it, const char *path, const library_cols *l, const val *source)
{
    char kind[32], field[TPATH];
    cJSON *item = cJSON_Duplicate(it, 1);
    if (item == NULL)
        return igny8__error_oom();
    cJSON_DeleteItemFromObjectCaseSensitive(item, "based_on");
    int rc = library_validate(c, l->kind_id, item, path);
    cJSON_Delete(item);
    if (rc == IGNY8_OK) rc = find_library(c, source->i, kind);
    fmt(field, "%s.source_id", path);
    if (rc == IGNY8_OK && kind[0] == '\0')
        return igny8__error_set(IGNY8_EINVAL, field, "%s: library item %lld is not in the document%s", field,
                                (long long)source->i, c->merge ? " or the store" : "");
    if (rc == IGNY8_OK && strcmp(kind, l->kind.s) != 0)
        return igny8__error_set(IGNY8_EINVAL, field, "%s: library item %lld is of kind %s, not %s", field,
                                (long long)source->i, kind, l->kind.s);
    return rc;
}

static int do_library_copy(import_ctx *c, const cJSON *it, const char *path, int write)
{
    library_cols l;
    val account, source, based_on_revision, based_on;
    igny8__transfer_library_row r;
    char *fields = NULL, *based_on_text = NULL;
    int rc = read_library_cols(it, path, &l);
    if (rc == IGNY8_OK) rc = read_one(it, path, "account_id", V_ID, REQ, &account);
    if (rc == IGNY8_OK) rc = read_one(it, path, "source_id", V_ID, REQ, &source);
    if (rc == IGNY8_OK) rc = read_one(it, path, "based_on_revision", V_INT, REQ, &based_on_revision);
    if (rc == IGNY8_OK) rc = read_one(it, path, "based_on", V_OBJECT, REQ, &based_on);
    if (rc == IGNY8_OK) rc = check_copy(c, it, path, &l, &source);
    if (rc == IGNY8_OK) rc = read_library_head(it, path, &l);
    if (rc != IGNY8_OK || !write)
        return rc;
    rc = fields_text(it, copy_columns, &fields);
    if (rc == IGNY8_OK && (based_on_text = igny8__json_print(based_on.item)) == NULL)
        rc = igny8__error_oom();
    library_row(&r, &l);
    r.account_id = account.i;
    r.source_id = source.i;
    r.based_on_revision = (int)based_on_revision.i;
    r.fields = fields;
    r.based_on = based_on_text;
    if (rc == IGNY8_OK)
        rc = at_row(igny8__db_transfer_library_put(c->st, 1, &r), path);
    igny8__free(fields);
    igny8__free(based_on_text);
    return rc;
}

/* ---- sections ---- */

typedef struct section {
    const char *name;
    int (*export_fn)(struct export_ctx *c);
    row_fn row;
    after_fn after;        /* a second pass over the written rows, or NULL */
    const char *id, *key;  /* the fields of the row's key (duplicates are refused) */
    unsigned flags;
} section;

#define S_OBJECT 1u  /* one object, not an array of rows */
#define S_LATE 2u    /* checked once the sections before it are written: the library's
                      * validation reads the prompt types from the store */
#define S_V2 4u      /* since format_version 2: a version 1 document has no such section */

/* In dependency order: a row only refers to rows of the sections before it. */
static const section sections[] = {
    { "providers", export_providers, do_provider, NULL, NULL, "name", 0 },
    { "integrations", export_integrations, do_integration, after_integration, NULL, "name", 0 },
    { "models", export_models, do_model, after_model, NULL, "model_name", 0 },
    { "global_settings", export_global, do_global, NULL, NULL, NULL, S_OBJECT },
    { "operations", export_operations, do_operation, NULL, NULL, "name", 0 },
    { "modules", export_modules, do_module, NULL, NULL, "name", 0 },
    { "prompts", export_prompts, do_prompt, NULL, NULL, "prompt_type", 0 },
    { "access_groups", export_access_groups, do_access_group, NULL, NULL, "name", S_V2 },
    { "fallback_chains", export_fallback_chains, do_fallback_chain, NULL, "account_id", "operation", S_V2 },
    { "account_integrations", export_account_integrations, do_account_integration, NULL, "account_id",
      "integration", 0 },
    { "account_providers", export_account_providers, do_account_provider, NULL, "account_id", "model_type", 0 },
    { "account_operation_models", export_account_operation_models, do_account_operation_model, NULL, "account_id",
      "operation", 0 },
    { "account_modules", export_account_modules, do_account_module, NULL, "account_id", "module", 0 },
    { "account_prompts", export_account_prompts, do_account_prompt, NULL, "account_id", "prompt_type", 0 },
    { "account_access", export_account_access, do_account_access, NULL, "account_id", NULL, S_V2 },
    { "account_model_access", export_account_model_access, do_account_model_access, NULL, "account_id", "model",
      S_V2 },
    { "library", export_library, do_library_item, NULL, "id", NULL, S_LATE },
    { "account_library", export_account_library, do_library_copy, NULL, "id", NULL, S_LATE },
};

/* ---- duplicates ---- */

typedef struct key_ref { int64_t id; const char *key; int index; } key_ref;

static int compare_keys(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    int d = strcmp(x->key, y->key);
    return d ? d : (x->index > y->index) - (x->index < y->index);
}

/* Two rows of a section with the same key would silently become one: refuse the later. */
static int check_unique(const section *s, const cJSON *arr)
{
    int n = cJSON_GetArraySize(arr), i = 0, dup = -1, first = -1;
    char path[TPATH];
    key_ref *v = igny8__calloc(n > 0 ? (size_t)n : 1, sizeof(*v));
    if (v == NULL)
        return igny8__error_oom();
    for (const cJSON *it = arr->child; it && i < n; it = it->next, i++) {
        const char *key = s->key ? str_of(it, s->key) : NULL;
        v[i] = (key_ref){ s->id ? num_of(it, s->id) : 0, key ? key : "", i };
    }
    qsort(v, (size_t)n, sizeof(*v), compare_keys);
    for (i = 1; i < n; i++)
        if (v[i].id == v[i - 1].id && strcmp(v[i].key, v[i - 1].key) == 0 && (dup < 0 || v[i].index < dup)) {
            dup = v[i].index;
            first = v[i - 1].index;
        }
    igny8__free(v);
    if (dup < 0)
        return IGNY8_OK;
    fmt(path, "$.%s[%d]", s->name, dup);
    return igny8__error_set(IGNY8_EINVAL, path, "%s has the same %s%s%s as $.%s[%d]", path, s->id ? s->id : "",
                            s->id && s->key ? " and " : "", s->key ? s->key : "", s->name, first);
}

/* ---- the import ---- */

enum { PASS_CHECK, PASS_WRITE, PASS_AFTER };

static int run_rows(import_ctx *c, const section *s, const cJSON *arr, int pass)
{
    char path[TPATH];
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        fmt(path, "$.%s[%d]", s->name, i);
        int rc = !cJSON_IsObject(it) ? igny8__error_set(IGNY8_EINVAL, path, "%s must be an object", path)
                 : pass == PASS_AFTER ? (s->after ? s->after(c, it, path) : IGNY8_OK)
                                      : s->row(c, it, path, pass == PASS_WRITE);
        if (rc != IGNY8_OK)
            return rc;
    }
    return pass == PASS_CHECK && (s->id || s->key) ? check_unique(s, arr) : IGNY8_OK;
}

static int run_section(import_ctx *c, const section *s, int pass)
{
    char path[TPATH];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->doc, s->name);
    fmt(path, "$.%s", s->name);
    if (v == NULL)
        return IGNY8_OK;
    if ((s->flags & S_OBJECT) && !cJSON_IsObject(v))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be an object", path);
    if (s->flags & S_OBJECT)
        return pass == PASS_AFTER ? IGNY8_OK : s->row(c, v, path, pass == PASS_WRITE);
    if (!cJSON_IsArray(v))
        return igny8__error_set(IGNY8_EINVAL, path, "%s must be an array", path);
    return run_rows(c, s, v, pass);
}

/* Rows per section for the audit entry (and versions of the prompts). */
static void count_section(import_ctx *c, const section *s)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->doc, s->name);
    int versions = 0;
    if (v == NULL)
        return;
    igny8__json_add_int(c->counts, s->name, (s->flags & S_OBJECT) ? 1 : cJSON_GetArraySize(v));
    if (strcmp(s->name, "prompts") != 0)
        return;
    for (const cJSON *t = v->child; t; t = t->next)
        versions += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "versions"));
    igny8__json_add_int(c->counts, "prompt_versions", versions);
}

/* Check the sections of one phase (late or not). */
static int check_phase(import_ctx *c, unsigned late)
{
    int rc = IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(sections); i++)
        if ((sections[i].flags & S_LATE) == late)
            rc = run_section(c, &sections[i], PASS_CHECK);
    return rc;
}

/* Write the sections of one phase, each followed by its second pass. */
static int write_phase(import_ctx *c, unsigned late)
{
    int rc = IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(sections); i++)
        if ((sections[i].flags & S_LATE) == late) {
            rc = run_section(c, &sections[i], PASS_WRITE);
            if (rc == IGNY8_OK)
                rc = run_section(c, &sections[i], PASS_AFTER);
            count_section(c, &sections[i]);
        }
    return rc;
}

/* Inside the write transaction: check everything, then write in dependency order. The
 * library's sections are checked after the rest is written (their validation reads the
 * store's prompt types), still before any of them is written; they come last in the
 * document, so the first error found is still the first in the document. */
static int import_document(import_ctx *c)
{
    int rc = check_phase(c, 0);
    if (rc == IGNY8_OK && !c->merge)
        rc = igny8__db_transfer_clear(c->st);
    if (rc == IGNY8_OK) rc = write_phase(c, 0);
    if (rc == IGNY8_OK) rc = check_phase(c, S_LATE);
    if (rc == IGNY8_OK) rc = write_phase(c, S_LATE);
    if (rc == IGNY8_OK)
        rc = c->counts ? igny8__audit(c->st, c->actor, "store", "import", 0,
                                      c->merge ? "import_merge" : "import_replace", NULL, c->counts)
                       : igny8__error_oom();
    return rc;
}

/* Every key of the document is a section of its version (or the format's own). */
static int check_sections(const cJSON *doc, int version)
{
    char path[TPATH];
    for (const cJSON *it = doc->child; it; it = it->next) {
        const section *s = NULL;
        if (!strcmp(it->string, "format") || !strcmp(it->string, "format_version") || !strcmp(it->string, "keys"))
            continue;
        for (size_t i = 0; !s && i < IGNY8__ARRAY_LEN(sections); i++)
            s = strcmp(it->string, sections[i].name) == 0 ? &sections[i] : NULL;
        fmt(path, "$.%.64s", it->string);
        if (s == NULL)
            return igny8__error_set(IGNY8_EINVAL, path, "%s is not a section of the document", path);
        if ((s->flags & S_V2) && version < 2)
            return igny8__error_set(IGNY8_EINVAL, path, "%s is not a section of a format_version %d document "
                                    "(it is one since format_version 2)", path, version);
    }
    return IGNY8_OK;
}

/* The format, and a version this library reads: 1 (without plans and fallbacks) up to
 * IGNY8_EXPORT_FORMAT_VERSION. */
static int check_format(const cJSON *doc)
{
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(doc, "format");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "format_version");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, FORMAT_NAME) != 0)
        return igny8__error_set(IGNY8_EINVAL, "$.format", "$.format must be \"" FORMAT_NAME "\": this is not an "
                                "export of an igny8 settings store");
    if (!cJSON_IsNumber(version))
        return igny8__error_set(IGNY8_EINVAL, "$.format_version", "$.format_version is required (a number)");
    double v = version->valuedouble;
    if (v > IGNY8_EXPORT_FORMAT_VERSION)
        return igny8__error_set(IGNY8_EVERSION, "$.format_version", "$.format_version %g is newer than this "
                                "library's %d: upgrade libigny8settings", v, IGNY8_EXPORT_FORMAT_VERSION);
    if (v < OLDEST_FORMAT_VERSION || v != floor(v))
        return igny8__error_set(IGNY8_EINVAL, "$.format_version", "$.format_version %g is not a version of the "
                                "document (%d to %d)", v, OLDEST_FORMAT_VERSION, IGNY8_EXPORT_FORMAT_VERSION);
    return check_sections(doc, (int)v);
}

/* No object of the document has a key twice. The checks and the writes look fields up in
 * different ways (by key: the first; member by member: the last), so such an object could
 * pass the checks as one row and be written as another: a published_version that checks
 * against "version": 1 and a version written as "version": 2. */
static int check_repeated_keys(const cJSON *j, const char *path)
{
    char p[TPATH];
    const cJSON *dup = NULL;
    int rc = cJSON_IsObject(j) ? igny8__json_repeated_key(j, &dup) : IGNY8_OK, i = 0;
    if (rc != IGNY8_OK)
        return rc;
    if (dup) {
        fmt(p, "%s.%s", path, dup->string);
        return igny8__error_set(IGNY8_EINVAL, p, "%s is given twice", p);
    }
    for (const cJSON *c = j->child; rc == IGNY8_OK && c; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        if (cJSON_IsObject(j))
            fmt(p, "%s.%s", path, c->string);
        else
            fmt(p, "%s[%d]", path, i);
        rc = check_repeated_keys(c, p);
    }
    return rc;
}

static int read_import_options(igny8_import_options *o, const igny8_import_options *given)
{
    igny8_import_options_init(o, IGNY8_IMPORT_OPTIONS_VERSION);
    int rc = given ? igny8__options_copy(o, given, import_options_size, IGNY8_IMPORT_OPTIONS_VERSION,
                                         "import options")
                   : IGNY8_OK;
    if (rc == IGNY8_OK && o->mode != IGNY8_IMPORT_MERGE && o->mode != IGNY8_IMPORT_REPLACE)
        return igny8__error_set(IGNY8_EINVAL, "mode", "import mode %d is not IGNY8_IMPORT_MERGE (0) or "
                                "IGNY8_IMPORT_REPLACE (1)", o->mode);
    return rc;
}

int igny8_store_import_json(igny8_store *st, const char *actor, const char *json, const igny8_import_options *opts)
{
    igny8_import_options o;
    import_ctx c;
    cJSON *doc = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = read_import_options(&o, opts);
    if (rc == IGNY8_OK) rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK) rc = igny8__json_parse_body(json, "json", 0, "$", &doc);
    if (rc == IGNY8_OK) rc = check_format(doc);
    if (rc == IGNY8_OK) rc = check_repeated_keys(doc, "$");
    if (rc == IGNY8_OK) rc = open_doc_keys(st, doc, o.passphrase);
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.actor = actor;
    c.merge = o.mode == IGNY8_IMPORT_MERGE;
    c.doc = doc;
    if (rc == IGNY8_OK) rc = ix_build_all(&c);
    if (rc == IGNY8_OK && (c.counts = cJSON_CreateObject()) == NULL) rc = igny8__error_oom();
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, import_document(&c));
    cJSON_Delete(c.counts);
    ix_free_all(&c);
    wipe_keys(doc);
    cJSON_Delete(doc);
    return rc;
}

/* ---- export ---- */

static int export_document(struct export_ctx *c, cJSON *root)
{
    int rc = IGNY8_OK;
    igny8__json_add_str(root, "format", FORMAT_NAME);
    igny8__json_add_int(root, "format_version", IGNY8_EXPORT_FORMAT_VERSION);
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(sections); i++) {
        c->arr = (sections[i].flags & S_OBJECT) ? igny8__json_add_object(root, sections[i].name)
                                                : igny8__json_add_array(root, sections[i].name);
        rc = c->arr ? sections[i].export_fn(c) : igny8__error_oom();
    }
    return rc;
}

int igny8_store_export_json(igny8_store *st, const igny8_export_options *opts, char **out_json)
{
    igny8_export_options o;
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    igny8_export_options_init(&o, IGNY8_EXPORT_OPTIONS_VERSION);
    int rc = opts ? igny8__options_copy(&o, opts, export_options_size, IGNY8_EXPORT_OPTIONS_VERSION, "export options")
                  : IGNY8_OK;
    if (rc == IGNY8_OK && (o.flags & ~(IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS)))
        return igny8__error_set(IGNY8_EINVAL, "flags", "unknown export flags 0x%x", (unsigned)o.flags);
    /* A caller built against 1.0 (options version 1) was promised the keys themselves. */
    if (rc == IGNY8_OK && opts && opts->version == 1 && (o.flags & IGNY8_EXPORT_WITH_KEYS))
        o.flags |= IGNY8_EXPORT_PLAINTEXT_KEYS;
    if (rc == IGNY8_OK && (o.flags & IGNY8_EXPORT_PLAINTEXT_KEYS) && !(o.flags & IGNY8_EXPORT_WITH_KEYS))
        return igny8__error_set(IGNY8_EINVAL, "flags", "IGNY8_EXPORT_PLAINTEXT_KEYS needs IGNY8_EXPORT_WITH_KEYS");
    if (rc == IGNY8_OK && o.passphrase && (!(o.flags & IGNY8_EXPORT_WITH_KEYS) || (o.flags & IGNY8_EXPORT_PLAINTEXT_KEYS)))
        return igny8__error_set(IGNY8_EINVAL, "passphrase", "a passphrase seals the keys of IGNY8_EXPORT_WITH_KEYS, "
                                "without IGNY8_EXPORT_PLAINTEXT_KEYS");
    if (rc != IGNY8_OK || (rc = igny8__store_read_begin(st)) != IGNY8_OK)
        return rc;
    struct export_ctx c = { st, (o.flags & IGNY8_EXPORT_WITH_KEYS) != 0, NULL, NULL, 0 };
    cJSON *root = igny8__json_object();
    rc = igny8__store_read_end(st, root ? export_document(&c, root) : igny8__error_oom());
    if (rc == IGNY8_OK && c.with_keys && !(o.flags & IGNY8_EXPORT_PLAINTEXT_KEYS))
        rc = seal_doc_keys(st, root, o.passphrase);
    if (rc == IGNY8_OK)
        rc = igny8__json_emit(root, out_json);
    if (c.with_keys)
        wipe_keys(root);
    cJSON_Delete(root);
    return rc;
}
