/* The REST bodies of DESIGN §3 for integration settings: the account's GET/PUT and the
 * admin's global-settings GET/PUT. They translate JSON to the typed updates of
 * settings.c, so both paths share every rule. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "model.h"
#include "settings.h"

/* ---- the account's integration body ---- */

cJSON *igny8__integration_json(const igny8_integration *s)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL) {
        igny8__json_note_oom();
        return NULL;
    }
    igny8__json_add_str(j, "id", s->name);
    igny8__json_add_bool(j, "enabled", s->enabled);
    igny8__json_add_str(j, "model", s->model);
    if (s->model_type == IGNY8_MODEL_TEXT) {
        igny8__json_add_num(j, "temperature", s->temperature);
        igny8__json_add_int(j, "max_tokens", s->max_tokens);
    } else {
        igny8__json_add_str(j, "size", s->size);
        igny8__json_add_str(j, "quality", s->quality);
        igny8__json_add_str(j, "style", s->style);
    }
    igny8__json_add_bool(j, "using_global", igny8_integration_using_global(s));
    return j;
}

static int integration_body(igny8_store *st, int64_t account_id, const char *integration, char **out_json)
{
    igny8_integration *s = NULL;
    int rc = igny8__integration_load(st, account_id, integration, &s);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    rc = igny8__json_emit_free(igny8__integration_json(s), out_json);
    igny8_integration_free(s);
    return rc;
}

int igny8_integration_get_json(igny8_store *st, int64_t account_id, const char *integration, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(integration);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_read_end(st, integration_body(st, account_id, integration, out_json));
}

static int list_bodies(igny8_store *st, int64_t account_id, cJSON *arr)
{
    char **names = NULL;
    int rc = igny8__db_integration_names(st, &names);
    for (char **n = names; rc == IGNY8_OK && *n; n++) {
        igny8_integration *s = NULL;
        rc = igny8__integration_load(st, account_id, *n, &s);
        if (rc == IGNY8_OK)
            igny8__json_attach(arr, NULL, igny8__integration_json(s));
        igny8_integration_free(s);
    }
    igny8__db_strv_free(names);
    return rc;
}

int igny8_integration_list_json(igny8_store *st, int64_t account_id, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    cJSON *arr = cJSON_CreateArray();
    rc = igny8__store_read_end(st, list_bodies(st, account_id, arr));
    if (rc != IGNY8_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    return igny8__json_emit_free(arr, out_json);
}

/* One settings field of a PUT body into the typed update: null clears it. `names` maps
 * JSON names to bits ("model" for the account, "default_model" for the platform). */
typedef struct field_map { const char *name; uint32_t bit; } field_map;

static int read_setting(const cJSON *item, const char *path, uint32_t bit, igny8_integration_update *u)
{
    int is_null = 0, rc;
    int64_t n = 0;
    switch (bit) {
    case IGNY8_FIELD_ENABLED: rc = igny8__json_get_bool(item, path, &u->enabled, &is_null); break;
    case IGNY8_FIELD_TEMPERATURE: rc = igny8__json_get_number(item, path, &u->temperature, &is_null); break;
    case IGNY8_FIELD_MAX_TOKENS:
        rc = igny8__json_get_int(item, path, IGNY8_MAX_TOKENS_MIN, IGNY8_MAX_TOKENS_MAX, &n, &is_null);
        u->max_tokens = (int)n;
        break;
    default: {
        const char *v = NULL;
        rc = igny8__json_get_string(item, path, &v, &is_null);
        if (bit == IGNY8_FIELD_MODEL) u->model = v;
        else if (bit == IGNY8_FIELD_SIZE) u->size = v;
        else if (bit == IGNY8_FIELD_QUALITY) u->quality = v;
        else if (bit == IGNY8_FIELD_STYLE) u->style = v;
        else u->base_url = v;
    }
    }
    if (rc == IGNY8_OK) {
        if (is_null) u->clear |= bit;
        else u->set |= bit;
    }
    return rc;
}

static const field_map account_fields[] = {
    { "enabled", IGNY8_FIELD_ENABLED }, { "model", IGNY8_FIELD_MODEL },
    { "temperature", IGNY8_FIELD_TEMPERATURE }, { "max_tokens", IGNY8_FIELD_MAX_TOKENS },
    { "size", IGNY8_FIELD_SIZE }, { "quality", IGNY8_FIELD_QUALITY }, { "style", IGNY8_FIELD_STYLE },
};

static const field_map global_fields[] = {
    { "default_model", IGNY8_FIELD_MODEL }, { "temperature", IGNY8_FIELD_TEMPERATURE },
    { "max_tokens", IGNY8_FIELD_MAX_TOKENS }, { "size", IGNY8_FIELD_SIZE }, { "quality", IGNY8_FIELD_QUALITY },
    { "style", IGNY8_FIELD_STYLE }, { "base_url", IGNY8_FIELD_BASE_URL },
};

static const field_map *find_field(const field_map *map, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(map[i].name, name) == 0)
            return &map[i];
    return NULL;
}

/* Read a body's settings fields. Key fields are stripped; read-only ones (the `readonly`
 * list) are skipped; anything else unknown is an error. prefix: path for errors. */
static int read_settings_body(const cJSON *body, const field_map *map, size_t n, const char *const *readonly,
                              const char *prefix, igny8_integration_update *u)
{
    char path[256];
    for (const cJSON *item = body->child; item; item = item->next) {
        const char *k = item->string;
        snprintf(path, sizeof(path), "%s%s", prefix, k);
        if (igny8__json_is_secret_field(k))
            continue;  /* keys are set only through the key calls */
        int skip = 0;
        for (const char *const *r = readonly; *r && !skip; r++)
            skip = strcmp(*r, k) == 0;
        if (skip)
            continue;
        const field_map *f = find_field(map, n, k);
        if (f == NULL)
            return igny8__error_set(IGNY8_EINVAL, path, "unknown field '%.64s'", path);
        int rc = read_setting(item, path, f->bit, u);
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

int igny8__integration_body_read(const cJSON *body, int is_account, const char *const *readonly,
                                 const char *prefix, igny8_integration_update *u)
{
    return is_account ? read_settings_body(body, account_fields, IGNY8__ARRAY_LEN(account_fields), readonly, prefix, u)
                      : read_settings_body(body, global_fields, IGNY8__ARRAY_LEN(global_fields), readonly, prefix, u);
}

static int check_id(const cJSON *body, const char *integration)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
    if (id && !(cJSON_IsString(id) && strcmp(id->valuestring, integration) == 0))
        return igny8__error_set(IGNY8_EINVAL, "id", "id does not match the integration '%s'", integration);
    const cJSON *ug = cJSON_GetObjectItemCaseSensitive(body, "using_global");
    if (ug && !cJSON_IsBool(ug))
        return igny8__error_set(IGNY8_EINVAL, "using_global", "using_global must be true or false");
    return IGNY8_OK;
}

static int put_account_body(igny8_store *st, const char *actor, int64_t account_id, const char *integration,
                            const cJSON *body, char **out_json)
{
    static const char *const readonly[] = { "id", "using_global", NULL };
    igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
    int rc = check_id(body, integration);
    if (rc == IGNY8_OK)
        rc = read_settings_body(body, account_fields, IGNY8__ARRAY_LEN(account_fields), readonly, "", &u);
    if (rc == IGNY8_OK)
        rc = igny8__account_integration_apply(st, actor, account_id, integration, &u);
    if (rc == IGNY8_OK && out_json)
        rc = integration_body(st, account_id, integration, out_json);
    return rc;
}

int igny8_integration_put_json(igny8_store *st, const char *actor, int64_t account_id, const char *integration,
                               const char *body, char **out_json)
{
    cJSON *j = NULL;
    if (out_json)
        *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(integration);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK) rc = igny8__json_parse_body(body, "body", IGNY8_BODY_MAX_BYTES, "", &j);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, put_account_body(st, actor, account_id, integration, j, out_json));
    if (rc != IGNY8_OK && out_json) {
        igny8_free(*out_json);
        *out_json = NULL;
    }
    cJSON_Delete(j);
    return rc;
}

/* ---- the admin's global settings body ---- */

/* {"configured":true,"last4":"abcd","from":"openai"}: the key that applies, masked. */
static int add_key_mask(igny8_store *st, cJSON *obj, const igny8__integ_row *p)
{
    igny8__key_found key;
    int rc = igny8__key_lookup(st, 0, p, NULL, 1, &key);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *k = igny8__json_add_object(obj, "api_key");
    igny8__json_add_bool(k, "configured", key.stored != NULL);
    if (key.stored) {
        char last4[5];
        igny8__stored_key_last4(key.stored, last4);  /* kept in clear: the view needs no master key */
        igny8__json_add_str(k, "last4", last4);
        igny8__json_add_str(k, "from", p->api_key ? p->name : p->key_from);
    } else {
        igny8__json_add_null(k, "last4");
        igny8__json_add_null(k, "from");
    }
    igny8__free_secret(key.stored);
    return IGNY8_OK;
}

static int add_global_integration(igny8_store *st, cJSON *parent, const char *name)
{
    igny8__integ_row p;
    int rc = igny8__db_integration_get(st, name, &p);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *j = igny8__json_add_object(parent, name);
    igny8__json_add_str(j, "provider", p.provider);
    igny8__json_add_str(j, "model_type", igny8_model_type_name(p.model_type));
    igny8__json_add_str(j, "default_model", p.model);
    if (p.model_type == IGNY8_MODEL_TEXT) {
        igny8__json_add_num(j, "temperature", p.temperature);
        igny8__json_add_count(j, "max_tokens", p.max_tokens);
    } else {
        igny8__json_add_str(j, "size", p.size);
        igny8__json_add_str(j, "quality", p.quality);
        igny8__json_add_str(j, "style", p.style);
    }
    igny8__json_add_str(j, "base_url", p.base_url);
    igny8__json_add_str(j, "key_from", p.key_from);
    rc = add_key_mask(st, j, &p);
    igny8__integ_row_clear(&p);
    return rc;
}

static int add_default_model(igny8_store *st, cJSON *root, const char *key, const char *integration)
{
    igny8__integ_row p;
    if (integration == NULL) {
        igny8__json_add_null(root, key);
        return IGNY8_OK;
    }
    int rc = igny8__db_integration_get(st, integration, &p);
    if (rc == IGNY8_OK)
        igny8__json_add_str(root, key, p.model);
    igny8__integ_row_clear(&p);
    return rc;
}

static int global_body(igny8_store *st, char **out_json)
{
    igny8__global_row g;
    char **names = NULL;
    int rc = igny8__db_global_get(st, &g);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *root = igny8__json_object();
    igny8__json_add_bool(root, "is_active", g.is_active);
    rc = add_default_model(st, root, "default_text_model", g.text_integration);
    if (rc == IGNY8_OK) rc = add_default_model(st, root, "default_image_model", g.image_integration);
    igny8__json_add_str(root, "text_provider", g.text_integration);
    igny8__json_add_str(root, "image_provider", g.image_integration);
    cJSON *integrations = igny8__json_add_object(root, "integrations");
    if (rc == IGNY8_OK) rc = igny8__db_integration_names(st, &names);
    for (char **n = names; rc == IGNY8_OK && *n; n++)
        rc = add_global_integration(st, integrations, *n);
    igny8__json_add_str(root, "updated_at", g.updated_at);
    igny8__json_add_str(root, "updated_by", g.updated_by);
    igny8__db_strv_free(names);
    igny8__global_row_clear(&g);
    if (rc != IGNY8_OK) {
        cJSON_Delete(root);
        return rc;
    }
    return igny8__json_emit_free(root, out_json);
}

int igny8_global_settings_get_json(igny8_store *st, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_read_end(st, global_body(st, out_json));
}

/* In a PUT body every bad value is IGNY8_EINVAL naming its path: an unknown model or
 * provider there is bad input, not a missing object. */
static int as_body_error(int rc, const char *prefix, const char *field)
{
    if (rc == IGNY8_OK)
        return rc;
    const igny8_error *e = igny8_error_last();
    char path[256], message[512];
    const char *f = field ? field : e->field ? e->field : "";
    snprintf(path, sizeof(path), "%s%s", prefix, strcmp(f, "model") == 0 && prefix[0] ? "default_model" : f);
    snprintf(message, sizeof(message), "%s", e->message);
    return igny8__error_set(rc == IGNY8_ENOTFOUND ? IGNY8_EINVAL : rc, path, "%s", message);
}

static int put_global_integrations(igny8_store *st, const char *actor, const cJSON *integrations)
{
    static const char *const readonly[] = { "provider", "model_type", "key_from", NULL };
    char prefix[128];
    if (!cJSON_IsObject(integrations))
        return igny8__error_set(IGNY8_EINVAL, "integrations", "integrations must be an object");
    for (const cJSON *item = integrations->child; item; item = item->next) {
        igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
        snprintf(prefix, sizeof(prefix), "integrations.%.64s", item->string);
        if (!cJSON_IsObject(item))
            return igny8__error_set(IGNY8_EINVAL, prefix, "%s must be an object", prefix);
        strcat(prefix, ".");  /* the prefix of its fields' paths */
        int rc = read_settings_body(item, global_fields, IGNY8__ARRAY_LEN(global_fields), readonly, prefix, &u);
        if (rc != IGNY8_OK)
            return rc;  /* already names the full path */
        rc = igny8__global_integration_apply(st, actor, item->string, &u);
        if (rc != IGNY8_OK)
            return as_body_error(rc, rc == IGNY8_ENOTFOUND ? "integrations." : prefix,
                                 rc == IGNY8_ENOTFOUND ? item->string : NULL);
    }
    return IGNY8_OK;
}

/* default_*_model null: the platform's provider of that type keeps no default model. The
 * GET body shows null for that and for no provider at all (then there is nothing to
 * clear), so a GET body sent back is accepted and changes nothing. */
static int clear_global_default_model(igny8_store *st, const char *actor, int type)
{
    igny8__global_row g;
    int rc = igny8__db_global_get(st, &g);
    if (rc != IGNY8_OK)
        return rc;
    const char *integration = type == IGNY8_MODEL_TEXT ? g.text_integration : g.image_integration;
    if (integration) {
        igny8_integration_update u = IGNY8_INTEGRATION_UPDATE_INIT;
        u.clear = IGNY8_FIELD_MODEL;
        rc = igny8__global_integration_apply(st, actor, integration, &u);
    }
    igny8__global_row_clear(&g);
    return rc;
}

static int put_global_default_model(igny8_store *st, const char *actor, int type, const char *k, const char *v)
{
    igny8_model *m = NULL;
    if (v == NULL)
        return clear_global_default_model(st, actor, type);
    int rc = igny8__model_get(st, v, &m);
    if (rc == IGNY8_OK && m->row.model_type != type)
        rc = igny8__error_set(IGNY8_EINVAL, k, "'%s' is not a %s model", v, igny8_model_type_name(type));
    igny8_model_free(m);
    return rc == IGNY8_OK ? igny8__global_default_model_apply(st, actor, v) : rc;
}

static int put_global_field(igny8_store *st, const char *actor, const cJSON *item)
{
    const char *k = item->string, *v = NULL;
    int rc, b, is_null = 0;
    if (strcmp(k, "is_active") == 0) {
        rc = igny8__json_get_bool(item, k, &b, NULL);
        return rc == IGNY8_OK ? igny8__global_active_apply(st, actor, b) : rc;
    }
    int model = !strcmp(k, "default_text_model") || !strcmp(k, "default_image_model");
    int provider = !strcmp(k, "text_provider") || !strcmp(k, "image_provider");
    if (!model && !provider)
        return igny8__error_set(IGNY8_EINVAL, k, "unknown field '%.64s'", k);
    rc = igny8__json_get_string(item, k, &v, &is_null);
    if (rc != IGNY8_OK)
        return rc;
    int type = strstr(k, "text") ? IGNY8_MODEL_TEXT : IGNY8_MODEL_IMAGE;
    rc = provider ? igny8__global_provider_apply(st, actor, type, v) : put_global_default_model(st, actor, type, k, v);
    return as_body_error(rc, "", k);
}

/* Integrations first, then the top-level fields: default_*_model is applied last, so it
 * wins over an integration's default_model in the same body. */
static int put_global_body(igny8_store *st, const char *actor, const cJSON *body, char **out_json)
{
    const cJSON *integrations = cJSON_GetObjectItemCaseSensitive(body, "integrations");
    int rc = integrations ? put_global_integrations(st, actor, integrations) : IGNY8_OK;
    for (const cJSON *item = body->child; rc == IGNY8_OK && item; item = item->next) {
        const char *k = item->string;
        if (!strcmp(k, "integrations") || !strcmp(k, "updated_at") || !strcmp(k, "updated_by") ||
            igny8__json_is_secret_field(k))
            continue;
        rc = put_global_field(st, actor, item);
    }
    if (rc == IGNY8_OK && out_json)
        rc = global_body(st, out_json);
    return rc;
}

int igny8__global_settings_apply(igny8_store *st, const char *actor, const cJSON *body)
{
    return put_global_body(st, actor, body, NULL);
}
int igny8_global_settings_put_json(igny8_store *st, const char *actor, const char *body, char **out_json)
{
    cJSON *j = NULL;
    if (out_json)
        *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK) rc = igny8__json_parse_body(body, "body", IGNY8_BODY_MAX_BYTES, "", &j);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, put_global_body(st, actor, j, out_json));
    if (rc != IGNY8_OK && out_json) {
        igny8_free(*out_json);
        *out_json = NULL;
    }
    cJSON_Delete(j);
    return rc;
}
