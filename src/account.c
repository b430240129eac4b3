/* An account's model choices (provider per model type, model per operation) and the
 * operations; SQL in db_account.c and db_settings.c. */
#include <string.h>

#include "common.h"
#include "store.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "model.h"
#include "access.h"

static int same_choice(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int audit_choice(igny8_store *st, const char *actor, const char *entity, const char *key, int64_t account_id,
                        const char *field, const char *before, const char *after)
{
    cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
    int rc = (a && b) ? IGNY8_OK : igny8__error_oom();
    if (rc == IGNY8_OK) {
        igny8__json_add_str(b, field, before);
        igny8__json_add_str(a, field, after);
        const char *action = !after ? "delete" : before ? "update" : "create";
        rc = igny8__audit(st, actor, entity, key, account_id, action, b, a);
    }
    cJSON_Delete(b);
    cJSON_Delete(a);
    return rc;
}

static int set_provider(igny8_store *st, const char *actor, int64_t account_id, int model_type, const char *provider)
{
    char *integration = NULL, *before = NULL, now[IGNY8__TIME_LEN];
    int rc = provider ? igny8__db_integration_find(st, provider, model_type, &integration) : IGNY8_OK;
    if (rc == IGNY8_OK)
        rc = igny8__db_account_provider_get(st, account_id, model_type, &before);
    igny8__now_iso(now);
    if (rc == IGNY8_OK && !same_choice(before, integration)) {  /* no change: no write, no entry */
        rc = igny8__db_account_provider_set(st, account_id, model_type, integration, now, actor);
        if (rc == IGNY8_OK)
            rc = audit_choice(st, actor, "account_provider", igny8_model_type_name(model_type), account_id,
                              "provider", before, integration);
    }
    igny8__free(integration);
    igny8__free(before);
    return rc;
}

int igny8_account_provider_set(igny8_store *st, const char *actor, int64_t account_id, int model_type,
                               const char *provider)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ACCOUNT(account_id);
    if (igny8_model_type_name(model_type) == NULL)
        return igny8__error_set(IGNY8_EINVAL, "model_type", "model_type %d is not a model type", model_type);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, set_provider(st, actor, account_id, model_type, provider));
    return rc;
}

static int check_operation_model(igny8_store *st, int64_t account_id, const char *operation, const char *model_name)
{
    int type = 0;
    igny8_model *m = NULL;
    int rc = igny8__db_operation_type(st, operation, &type);
    if (rc != IGNY8_OK || model_name == NULL)
        return rc;
    rc = igny8__model_get(st, model_name, &m);
    if (rc == IGNY8_OK && !m->row.is_active)
        rc = igny8__error_set(IGNY8_EINVAL, "model", "model '%s' is inactive", model_name);
    else if (rc == IGNY8_OK && m->row.model_type != type)
        rc = igny8__error_set(IGNY8_EINVAL, "model", "model '%s' is of type %s; operation '%s' needs type %s", model_name,
                              igny8_model_type_name(m->row.model_type), operation, igny8_model_type_name(type));
    else if (rc == IGNY8_OK)
        rc = igny8__access_check(st, account_id, &m->row, "model");  /* the account's plan */
    igny8_model_free(m);
    return rc;
}

static int set_operation_model(igny8_store *st, const char *actor, int64_t account_id, const char *operation,
                               const char *model_name)
{
    char *before = NULL, now[IGNY8__TIME_LEN];
    int rc = check_operation_model(st, account_id, operation, model_name);
    if (rc == IGNY8_OK)
        rc = igny8__db_account_operation_model_get(st, account_id, operation, &before);
    igny8__now_iso(now);
    if (rc == IGNY8_OK && !same_choice(before, model_name)) {
        rc = igny8__db_account_operation_model_set(st, account_id, operation, model_name, now, actor);
        if (rc == IGNY8_OK)
            rc = audit_choice(st, actor, "account_operation_model", operation, account_id, "model", before, model_name);
    }
    igny8__free(before);
    return rc;
}

int igny8_account_operation_model_set(igny8_store *st, const char *actor, int64_t account_id, const char *operation,
                                      const char *model_name)
{
    IGNY8__CHECK_ARG(st);
    IGNY8__CHECK_ARG(operation);
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, set_operation_model(st, actor, account_id, operation, model_name));
    return rc;
}

static int add_pair(void *payload, const char *operation, const char *model)
{
    igny8__json_add_str((cJSON *)payload, operation, model);
    return IGNY8_OK;
}

static int account_models_body(igny8_store *st, int64_t account_id, cJSON *root)
{
    igny8__json_add_int(root, "account_id", account_id);
    cJSON *providers = igny8__json_add_object(root, "providers");
    int rc = IGNY8_OK;
    for (int type = IGNY8_MODEL_TEXT; rc == IGNY8_OK && type <= IGNY8_MODEL_IMAGE; type++) {
        char *integration = NULL;
        rc = igny8__db_account_provider_get(st, account_id, type, &integration);
        igny8__json_add_str(providers, igny8_model_type_name(type), integration);
        igny8__free(integration);
    }
    cJSON *ops = igny8__json_add_object(root, "operations");
    return rc == IGNY8_OK ? igny8__db_account_operation_model_each(st, account_id, add_pair, ops) : rc;
}

int igny8_account_models_get_json(igny8_store *st, int64_t account_id, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *root = igny8__json_object();
    rc = igny8__store_read_end(st, account_models_body(st, account_id, root));
    if (rc != IGNY8_OK) {
        cJSON_Delete(root);
        return rc;
    }
    return igny8__json_emit_free(root, out_json);
}

int igny8_operation_model_type(igny8_store *st, const char *operation, int *out)
{
    IGNY8__CHECK_ARG(operation);
    IGNY8__CHECK_ARG(out);
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    return igny8__store_read_end(st, igny8__db_operation_type(st, operation, out));
}

static int add_operation(void *payload, const char *name, int model_type, const char *description)
{
    cJSON *o = igny8__json_attach((cJSON *)payload, NULL, cJSON_CreateObject());
    igny8__json_add_str(o, "name", name);
    igny8__json_add_str(o, "model_type", igny8_model_type_name(model_type));
    igny8__json_add_str(o, "description", description);
    return IGNY8_OK;
}

int igny8_operation_list_json(igny8_store *st, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    cJSON *arr = cJSON_CreateArray();
    rc = igny8__store_read_end(st, igny8__db_operation_each(st, add_operation, arr));
    if (rc != IGNY8_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    return igny8__json_emit_free(arr, out_json);
}
