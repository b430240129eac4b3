/* Loading the shipped defaults (data/defaults.json, built into the library) into an
 * empty store, in one transaction. */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "library.h"
#include "model.h"
#include "prompt.h"
#include "settings.h"

#define DEFAULTS_FORMAT 1

extern const char igny8__defaults_json[];

/* Give a nested error the document path of the item it came from. */
static int at_path(int rc, const char *section, int index)
{
    if (rc != IGNY8_OK) {
        char path[200];
        const char *field = igny8_error_last()->field;
        if (index >= 0)
            snprintf(path, sizeof(path), "$.%s[%d]%s%.100s", section, index, field ? "." : "", field ? field : "");
        else
            snprintf(path, sizeof(path), "$.%s%s%.100s", section, field ? "." : "", field ? field : "");
        igny8__error_set_field(path);
        if (igny8_error_last()->code == rc && igny8_error_last()->field == NULL)
            igny8__error_set(rc, path, "%s", "invalid value");
    }
    return rc;
}

static int get_str(const cJSON *obj, const char *key, int required, const char **out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (item == NULL || cJSON_IsNull(item))
        return required ? igny8__error_set(IGNY8_EINVAL, key, "%s is required", key) : IGNY8_OK;
    return igny8__json_get_string(item, key, out, NULL);
}

static int get_type(const cJSON *obj, int *out)
{
    const char *v;
    int rc = get_str(obj, "model_type", 1, &v);
    if (rc == IGNY8_OK && (*out = igny8__model_type_from_name(v)) == 0)
        rc = igny8__error_set(IGNY8_EINVAL, "model_type", "model_type '%.32s' is not text or image", v);
    return rc;
}

static int load_provider(igny8_store *st, const char *actor, const cJSON *o)
{
    igny8__provider_row p;
    IGNY8__UNUSED(actor);
    int rc = get_str(o, "name", 1, &p.name);
    if (rc == IGNY8_OK) rc = get_str(o, "display_name", 1, &p.display_name);
    if (rc == IGNY8_OK) rc = get_str(o, "connection_test", 0, &p.connection_test);
    if (rc == IGNY8_OK) rc = get_str(o, "default_base_url", 0, &p.default_base_url);
    /* the same rules as a base_url set later: a document's URL gets the key too */
    if (rc == IGNY8_OK && p.default_base_url &&
        (rc = igny8__base_url_check(p.default_base_url, igny8__store_allows_http(st))) != IGNY8_OK)
        igny8__error_set_field("default_base_url");
    return rc == IGNY8_OK ? igny8__db_transfer_provider_put(st, &p) : rc;
}

static int load_integration(igny8_store *st, const char *actor, const cJSON *o)
{
    igny8__integ_row r;
    const char *name = NULL, *provider = NULL, *key_from = NULL;
    IGNY8__UNUSED(actor);
    igny8__integ_row_init(&r);
    int rc = get_str(o, "name", 1, &name);
    if (rc == IGNY8_OK) rc = get_str(o, "provider", 1, &provider);
    if (rc == IGNY8_OK) rc = get_str(o, "key_from", 0, &key_from);
    if (rc == IGNY8_OK) rc = get_type(o, &r.model_type);
    r.name = (char *)name;  /* borrowed: the row is not cleared */
    r.provider = (char *)provider;
    r.key_from = (char *)key_from;
    return rc == IGNY8_OK ? igny8__db_integration_insert(st, &r) : rc;
}

static int load_operation(igny8_store *st, const char *actor, const cJSON *o)
{
    const char *name, *description;
    int type = 0;
    IGNY8__UNUSED(actor);
    int rc = get_str(o, "name", 1, &name);
    if (rc == IGNY8_OK) rc = get_type(o, &type);
    if (rc == IGNY8_OK) rc = get_str(o, "description", 0, &description);
    return rc == IGNY8_OK ? igny8__db_operation_insert(st, name, type, description) : rc;
}

static int load_module(igny8_store *st, const char *actor, const cJSON *o)
{
    const char *name, *description;
    char now[IGNY8__TIME_LEN];
    const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(o, "enabled");
    int on = 1;
    int rc = get_str(o, "name", 1, &name);
    if (rc == IGNY8_OK) rc = get_str(o, "description", 0, &description);
    if (rc == IGNY8_OK && enabled) rc = igny8__json_get_bool(enabled, "enabled", &on, NULL);
    igny8__now_iso(now);
    return rc == IGNY8_OK ? igny8__db_module_insert(st, name, description, on, now, actor) : rc;
}

static int load_model(igny8_store *st, const char *actor, const cJSON *o)
{
    return igny8__model_add(st, actor, o);
}

static int load_prompt(igny8_store *st, const char *actor, const cJSON *o)
{
    return igny8__prompt_load(st, actor, o);
}

static int load_library_item(igny8_store *st, const char *actor, const cJSON *o)
{
    return igny8__library_load(st, actor, o);
}

typedef int (*load_fn)(igny8_store *st, const char *actor, const cJSON *item);

static int load_section(igny8_store *st, const char *actor, const cJSON *doc, const char *section, load_fn fn,
                        int *count)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, section);
    int i = 0;
    *count = 0;
    if (arr == NULL)
        return IGNY8_OK;
    if (!cJSON_IsArray(arr))
        return igny8__error_set(IGNY8_EINVAL, section, "$.%s must be an array", section);
    for (const cJSON *item = arr->child; item; item = item->next, i++) {
        int rc = cJSON_IsObject(item) ? fn(st, actor, item)
                                      : igny8__error_set(IGNY8_EINVAL, NULL, "must be an object");
        if (rc != IGNY8_OK)
            return at_path(rc, section, i);
    }
    *count = i;
    return IGNY8_OK;
}

static int check_format(const cJSON *doc)
{
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(doc, "format");
    if (!cJSON_IsNumber(format))
        return igny8__error_set(IGNY8_EINVAL, "$.format", "$.format is required (a number)");
    if (format->valuedouble > DEFAULTS_FORMAT)
        return igny8__error_set(IGNY8_EVERSION, "$.format", "defaults format %g is newer than this library's %d",
                                format->valuedouble, DEFAULTS_FORMAT);
    if (format->valuedouble != DEFAULTS_FORMAT)
        return igny8__error_set(IGNY8_EINVAL, "$.format", "defaults format %g is not %d", format->valuedouble,
                                DEFAULTS_FORMAT);
    return IGNY8_OK;
}

static int load_document(igny8_store *st, const char *actor, const cJSON *doc)
{
    static const struct { const char *name; load_fn fn; } sections[] = {
        { "providers", load_provider }, { "integrations", load_integration }, { "operations", load_operation },
        { "modules", load_module }, { "models", load_model }, { "prompts", load_prompt },
        { "library", load_library_item },
    };
    int empty = 0, count;
    int rc = igny8__db_is_empty(st, &empty);
    if (rc == IGNY8_OK && !empty)
        return igny8__error_set(IGNY8_EEXISTS, NULL, "the store already has providers or models; defaults load "
                                "only into an empty store");
    cJSON *summary = cJSON_CreateObject();
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(sections); i++) {
        rc = load_section(st, actor, doc, sections[i].name, sections[i].fn, &count);
        igny8__json_add_int(summary, sections[i].name, count);
    }
    const cJSON *global = cJSON_GetObjectItemCaseSensitive(doc, "global_settings");
    if (rc == IGNY8_OK && global)
        rc = cJSON_IsObject(global) ? at_path(igny8__global_settings_apply(st, actor, global), "global_settings", -1)
                                    : igny8__error_set(IGNY8_EINVAL, "$.global_settings", "must be an object");
    if (rc == IGNY8_OK)
        rc = summary ? igny8__audit(st, actor, "store", "defaults", 0, "load_defaults", NULL, summary)
                     : igny8__error_oom();
    cJSON_Delete(summary);
    return rc;
}

int igny8_defaults_load(igny8_store *st, const char *actor, const char *json)
{
    cJSON *doc = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    if (rc == IGNY8_OK)
        rc = igny8__json_parse_body(json ? json : igny8__defaults_json, "json", 0, "$", &doc);
    if (rc == IGNY8_OK)
        rc = check_format(doc);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, load_document(st, actor, doc));
    cJSON_Delete(doc);
    return rc;
}
