#include <stdio.h>
#include <string.h>

#include "common.h"
#include "store.h"
#include "audit.h"
#include "db.h"

static const size_t audit_query_size[] = { 0, sizeof(igny8_audit_query) };

static void redact(cJSON *j)
{
    for (cJSON *c = j ? j->child : NULL; c; c = c->next) {
        if (c->string && cJSON_IsString(c) && igny8__json_is_secret_field(c->string))
            cJSON_SetValuestring(c, "[redacted]");
        else if (cJSON_IsObject(c) || cJSON_IsArray(c))
            redact(c);
    }
}

static int redacted_text(const cJSON *j, char **out)
{
    *out = NULL;
    if (j == NULL)
        return IGNY8_OK;
    cJSON *copy = cJSON_Duplicate(j, 1);
    if (copy == NULL)
        return igny8__error_oom();
    redact(copy);
    *out = igny8__json_print(copy);
    cJSON_Delete(copy);
    return *out ? IGNY8_OK : igny8__error_oom();
}

int igny8__audit(igny8_store *st, const char *actor, const char *entity, const char *key,
                 int64_t account_id, const char *action, const cJSON *before, const cJSON *after)
{
    char at[IGNY8__TIME_LEN], *before_text = NULL, *after_text = NULL;
    igny8__now_iso(at);
    int rc = redacted_text(before, &before_text);
    if (rc == IGNY8_OK)
        rc = redacted_text(after, &after_text);
    if (rc == IGNY8_OK) {
        igny8__audit_row row = { 0, at, actor, entity, key, account_id, action, before_text, after_text };
        rc = igny8__db_audit_insert(st, &row);
    }
    igny8__free(before_text);
    igny8__free(after_text);
    return rc;
}

int igny8_audit_query_init(igny8_audit_query *q, unsigned int version)
{
    IGNY8__CHECK_ARG(q);
    if (version < 1 || version > IGNY8_AUDIT_QUERY_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "audit query version %u is not supported", version);
    memset(q, 0, sizeof(*q));
    q->version = version;
    return IGNY8_OK;
}

static cJSON *parsed_or_null(const char *text)
{
    cJSON *j = NULL;
    if (text == NULL)
        j = cJSON_CreateNull();
    else
        igny8__json_parse(text, "audit entry", &j);  /* our own JSON: only OOM can fail */
    if (j == NULL)
        igny8__json_note_oom();
    return j;
}

static int add_entry(void *payload, const igny8__audit_row *r)
{
    cJSON *e = igny8__json_attach((cJSON *)payload, NULL, cJSON_CreateObject());
    igny8__json_add_int(e, "id", r->id);
    igny8__json_add_str(e, "at", r->at);
    igny8__json_add_str(e, "actor", r->actor);
    igny8__json_add_str(e, "entity", r->entity);
    igny8__json_add_str(e, "key", r->key);
    if (r->account_id > 0)
        igny8__json_add_int(e, "account_id", r->account_id);
    else
        igny8__json_add_null(e, "account_id");
    igny8__json_add_str(e, "action", r->action);
    igny8__json_attach(e, "before", parsed_or_null(r->before));
    igny8__json_attach(e, "after", parsed_or_null(r->after));
    return IGNY8_OK;
}

static int take_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int take_char(const char **p, char c)
{
    if (**p != c)
        return 0;
    (*p)++;
    return 1;
}

/* since: an ISO 8601 UTC time ("2026-11-26", "2026-11-26T09:41", "2026-11-26T09:41:30",
 * "...:30.5", each time optionally with "Z" or "+00:00") into the stored form
 * "2026-11-26T09:41:30.500Z", so that comparing the text compares the times. */
static int normalise_since(const char *since, char out[IGNY8__TIME_LEN])
{
    const char *p = since;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    int ok = take_digits(&p, 4, &y) && take_char(&p, '-') && take_digits(&p, 2, &mo) && take_char(&p, '-') &&
             take_digits(&p, 2, &d);
    if (ok && take_char(&p, 'T')) {
        ok = take_digits(&p, 2, &h) && take_char(&p, ':') && take_digits(&p, 2, &mi);
        if (ok && take_char(&p, ':')) {
            ok = take_digits(&p, 2, &s);
            if (ok && take_char(&p, '.')) {
                int n = 0;
                for (; *p >= '0' && *p <= '9'; p++, n++)
                    if (n < 3)
                        ms = ms * 10 + (*p - '0');
                for (int k = n; k < 3; k++)
                    ms *= 10;
                ok = n > 0;
            }
        }
        if (ok && (strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0))
            p += strlen(p);
    }
    ok = ok && *p == '\0' && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
    if (!ok)
        return igny8__error_set(IGNY8_EINVAL, "since", "since '%.40s' is not an ISO 8601 UTC time "
                                "such as 2026-11-26T09:41:30Z", since);
    snprintf(out, IGNY8__TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms);
    return IGNY8_OK;
}

static int read_query(igny8_audit_query *q, const igny8_audit_query *given, char since[IGNY8__TIME_LEN])
{
    memset(q, 0, sizeof(*q));
    q->version = IGNY8_AUDIT_QUERY_VERSION;
    if (given) {
        int rc = igny8__options_copy(q, given, audit_query_size, IGNY8_AUDIT_QUERY_VERSION, "audit query");
        if (rc != IGNY8_OK)
            return rc;
    }
    if (q->limit == 0)
        q->limit = IGNY8_AUDIT_LIMIT_DEFAULT;
    if (q->limit > IGNY8_AUDIT_LIMIT_MAX)
        return igny8__error_set(IGNY8_EINVAL, "limit", "limit %u is above %u", q->limit, IGNY8_AUDIT_LIMIT_MAX);
    if (q->account_id < 0)
        return igny8__error_set(IGNY8_EINVAL, "account_id", "account_id %lld is negative",
                                (long long)q->account_id);
    if (q->since) {
        int rc = normalise_since(q->since, since);
        if (rc != IGNY8_OK)
            return rc;
        q->since = since;
    }
    return IGNY8_OK;
}

int igny8_audit_query_json(igny8_store *st, const igny8_audit_query *query, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    igny8_audit_query q;
    char since[IGNY8__TIME_LEN];
    int rc = read_query(&q, query, since);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *root = igny8__json_object();
    cJSON *entries = igny8__json_add_array(root, "entries");
    rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK) {
        cJSON_Delete(root);
        return rc;
    }
    igny8__audit_filter f = { q.entity, q.since, q.actor, q.account_id, q.limit };
    rc = igny8__store_read_end(st, igny8__db_audit_each(st, &f, add_entry, entries));
    if (rc != IGNY8_OK) {
        cJSON_Delete(root);
        return rc;
    }
    return igny8__json_emit_free(root, out_json);
}
