/* The libraries of author profiles and strategies, and the accounts' copies of them:
 * validation, JSON views, clone/reset/changed-since and the audit. One implementation
 * for both kinds: the kind is a parameter. SQL in db_library.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "audit.h"
#include "db.h"
#include "json.h"
#include "library.h"
#include "store.h"

#define PATH_LEN 160          /* the longest field path an error keeps */
#define TEXT_MAX 200          /* name, tone, heading */
#define LONG_TEXT_MAX 4096    /* description, notes */
#define SECTIONS_MAX 50
#define WORDS_MAX 20000
#define IDENT_MAX 64          /* prompt types, section names */
#define LANGUAGE_MAX 64
#define SEARCH_MAX 1000

static const size_t filter_size[] = { 0, sizeof(igny8_library_filter) };

static const char *const profile_categories[] = { "saas", "ecommerce", "blog", "technical", "creative", "news",
                                                  "academic", NULL };
static const char *const strategy_categories[] = { "blog", "ecommerce", "saas", "news", "technical", "marketing",
                                                   NULL };
static const char *const element_names[] = { "paragraph", "bullet_list", "numbered_list", "table", "quote", "image",
                                             "code", "faq", "cta", "summary", NULL };
static const char *const orders[] = { "fixed", "flexible", NULL };
/* Read-only fields of the views: accepted in input and ignored, so a view can be sent back. */
static const char *const view_fields[] = { "id", "kind", "revision", "updated_at", "updated_by", "account_id",
                                           "source_id", "based_on_revision", "source", "source_changed",
                                           "source_active", "modified", NULL };
static const char *const template_keys[] = { "sections", "notes", NULL };
static const char *const template_section_keys[] = { "heading", "word_count", "elements", NULL };
static const char *const logic_keys[] = { "order", "sections", NULL };
static const char *const logic_section_keys[] = { "name", "prompt_type", "required", "min_words", "max_words",
                                                  NULL };

/* ---- kinds ---- */

const char *igny8_library_kind_name(int kind) { return igny8__library_kind_name(kind); }

static int check_kind(int kind)
{
    if (igny8_library_kind_name(kind))
        return IGNY8_OK;
    return igny8__error_set(IGNY8_EINVAL, "kind", "kind %d is not IGNY8_LIBRARY_AUTHOR_PROFILE (1) or "
                            "IGNY8_LIBRARY_STRATEGY (2)", kind);
}

/* "an author_profile", "a strategy": the kind with its article, for messages. */
static const char *a_kind(int kind)
{
    return kind == IGNY8_LIBRARY_STRATEGY ? "a strategy" : "an author_profile";
}

static const char *const *categories_of(int kind)
{
    return kind == IGNY8_LIBRARY_STRATEGY ? strategy_categories : profile_categories;
}

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* "a, b, c": a list for a message. */
static const char *joined(const char *const *list, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (; *list && n < size; list++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", *list);
    return buf;
}

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* ---- validation ---- */

/* IGNY8_EINVAL naming path; the message starts with the path. */
__attribute__((format(printf, 2, 3)))
static int bad(const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return igny8__error_set(IGNY8_EINVAL, path, "%s %s", path, msg);
}

/* out := parent + sep + tail, cut to what an error keeps (never inside a UTF-8 sequence). */
static void path_join(char out[PATH_LEN], const char *parent, const char *sep, const char *tail)
{
    const char *parts[] = { parent, sep, tail };
    size_t n = 0;
    int cut = 0;
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(parts); i++)
        for (const char *c = parts[i]; *c && !cut; c++) {
            cut = n == PATH_LEN - 1;
            if (!cut)
                out[n++] = *c;
        }
    while (cut && n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
        n--;
    if (cut && n > 0 && (unsigned char)out[n - 1] >= 0xC0)
        n--;
    out[n] = '\0';
}

/* parent + key: "a.b"; after "" or a prefix ending in '.' ("$.library[3].") no dot is added. */
static void child_key(char out[PATH_LEN], const char *parent, const char *key)
{
    size_t n = strlen(parent);
    path_join(out, parent, (n == 0 || parent[n - 1] == '.') ? "" : ".", key);
}

static void child_index(char out[PATH_LEN], const char *parent, size_t i)
{
    char index[32];
    snprintf(index, sizeof(index), "[%zu]", i);
    path_join(out, parent, index, "");
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* A string of min..max characters (with min >= 1, not blank); nullable: JSON null is
 * allowed and gives *out NULL. */
static int get_text(const cJSON *j, const char *path, size_t min, size_t max, int nullable, const char **out)
{
    int is_null = 0;
    size_t bad_at = 0;
    int rc = igny8__json_get_string(j, path, out, nullable ? &is_null : NULL);
    if (rc != IGNY8_OK || is_null)
        return rc;
    if (!igny8__utf8_valid(*out, &bad_at))
        return bad(path, "is not valid UTF-8 (at byte %zu)", bad_at);
    size_t n = utf8_chars(*out);
    if (n < min || n > max)
        return bad(path, "must be %zu..%zu characters, not %zu", min, max, n);
    if (min > 0 && blank(*out))
        return bad(path, "must not be blank");
    return IGNY8_OK;
}

static int is_identifier(const char *s)
{
    if (*s >= '0' && *s <= '9')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* 2-3 letters, then subtags of 1-8 letters or digits after '-': "en", "pt-BR", "zh-Hant-TW". */
static int is_language_tag(const char *s)
{
    size_t n = 0;
    while (is_alpha(s[n]))
        n++;
    if (n < 2 || n > 3)
        return 0;
    for (s += n; *s == '-'; s += n) {
        s++;
        for (n = 0; is_alnum(s[n]); n++)
            ;
        if (n < 1 || n > 8)
            return 0;
    }
    return *s == '\0';
}

/* c's key was used by an earlier member of obj. */
static int key_repeated(const cJSON *obj, const cJSON *c)
{
    for (const cJSON *e = obj->child; e != c; e = e->next)
        if (strcmp(e->string, c->string) == 0)
            return 1;
    return 0;
}

/* obj is an object with no key outside `allowed` and none twice. */
static int check_object(const cJSON *obj, const char *path, const char *const *allowed)
{
    char p[PATH_LEN], list[200];
    if (!cJSON_IsObject(obj))
        return bad(path, "must be an object");
    for (const cJSON *c = obj->child; c; c = c->next) {
        child_key(p, path, c->string);
        if (!in_list(allowed, c->string))
            return bad(p, "is an unknown field (known: %s)", joined(allowed, list, sizeof(list)));
        if (key_repeated(obj, c))
            return bad(p, "is given twice");
    }
    return IGNY8_OK;
}

/* A required member: *out, or an error naming its path (in p). */
static int need(const cJSON *obj, const char *key, const char *path, char p[PATH_LEN], const cJSON **out)
{
    child_key(p, path, key);
    *out = field(obj, key);
    return *out ? IGNY8_OK : bad(p, "is required");
}

/* An optional whole number min..max (null allowed). */
static int optional_int(const cJSON *obj, const char *key, const char *path, int64_t *out, int *is_set)
{
    char p[PATH_LEN];
    int is_null = 1;
    const cJSON *v = field(obj, key);
    int rc = IGNY8_OK;
    child_key(p, path, key);
    if (v)
        rc = igny8__json_get_int(v, p, 1, WORDS_MAX, out, &is_null);
    *is_set = rc == IGNY8_OK && !is_null;
    return rc;
}

/* What validation needs besides the JSON: the store (prompt types) and the item's
 * prompt_types once they have been checked. */
struct vctx {
    igny8_store *st;
    int kind;
    const cJSON *prompt_types;
};

typedef int (*section_fn)(const struct vctx *v, const cJSON *list, const cJSON *section, const char *path);

/* block.sections: 1..SECTIONS_MAX objects of the given keys, each checked by fn. */
static int check_sections(const struct vctx *v, const cJSON *block, const char *path, const char *const *keys,
                          section_fn fn)
{
    char p[PATH_LEN], q[PATH_LEN];
    const cJSON *list;
    int rc = need(block, "sections", path, p, &list);
    if (rc != IGNY8_OK)
        return rc;
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n < 1 || n > SECTIONS_MAX)
        return bad(p, "must be a list of 1..%d sections", SECTIONS_MAX);
    size_t i = 0;
    for (const cJSON *s = list->child; s; s = s->next, i++) {
        child_index(q, p, i);
        rc = check_object(s, q, keys);
        if (rc == IGNY8_OK)
            rc = fn(v, list, s, q);
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

static int check_elements(const cJSON *section, const char *path)
{
    char p[PATH_LEN], q[PATH_LEN], list[200];
    const cJSON *e = field(section, "elements");
    child_key(p, path, "elements");
    if (e == NULL || cJSON_IsNull(e))
        return IGNY8_OK;
    if (!cJSON_IsArray(e))
        return bad(p, "must be a list of element names");
    size_t i = 0;
    for (const cJSON *c = e->child; c; c = c->next, i++) {
        child_index(q, p, i);
        if (!cJSON_IsString(c))
            return bad(q, "must be an element name (%s)", joined(element_names, list, sizeof(list)));
        if (!in_list(element_names, c->valuestring))
            return bad(q, "'%.64s' is not one of %s", c->valuestring, joined(element_names, list, sizeof(list)));
    }
    return IGNY8_OK;
}

static int check_template_section(const struct vctx *v, const cJSON *list, const cJSON *s, const char *path)
{
    char p[PATH_LEN];
    const cJSON *heading;
    const char *text;
    int64_t words;
    int is_set;
    IGNY8__UNUSED(v);
    IGNY8__UNUSED(list);
    int rc = need(s, "heading", path, p, &heading);
    if (rc == IGNY8_OK)
        rc = get_text(heading, p, 1, TEXT_MAX, 0, &text);
    if (rc == IGNY8_OK)
        rc = optional_int(s, "word_count", path, &words, &is_set);
    return rc == IGNY8_OK ? check_elements(s, path) : rc;
}

static int check_structure(const struct vctx *v, const cJSON *value, const char *path)
{
    char p[PATH_LEN];
    const char *notes;
    int rc = check_object(value, path, template_keys);
    if (rc == IGNY8_OK)
        rc = check_sections(v, value, path, template_section_keys, check_template_section);
    child_key(p, path, "notes");
    if (rc == IGNY8_OK && field(value, "notes"))
        rc = get_text(field(value, "notes"), p, 0, LONG_TEXT_MAX, 1, &notes);
    return rc;
}

/* t is the same string as an earlier member of list. */
static int string_repeated(const cJSON *list, const cJSON *t)
{
    for (const cJSON *e = list->child; e != t; e = e->next)
        if (cJSON_IsString(e) && strcmp(e->valuestring, t->valuestring) == 0)
            return 1;
    return 0;
}

static int check_prompt_types(const struct vctx *v, const cJSON *value, const char *path)
{
    char p[PATH_LEN];
    if (!cJSON_IsArray(value) || value->child == NULL)
        return bad(path, "must be a non-empty list of prompt types");
    size_t i = 0;
    for (const cJSON *t = value->child; t; t = t->next, i++) {
        const char *name;
        int exists = 0;
        child_index(p, path, i);
        int rc = get_text(t, p, 1, IDENT_MAX, 0, &name);
        if (rc == IGNY8_OK && string_repeated(value, t))
            rc = bad(p, "'%s' is listed twice", name);
        if (rc == IGNY8_OK)
            rc = igny8__db_prompt_type_exists(v->st, name, &exists);
        if (rc == IGNY8_OK && !exists)
            rc = bad(p, "'%s' is not a known prompt type", name);
        if (rc != IGNY8_OK)
            return rc;
    }
    return IGNY8_OK;
}

/* A section's prompt_type: one of the strategy's prompt_types (when the item has them: a
 * patch without them is checked again once merged). */
static int check_section_type(const struct vctx *v, const cJSON *s, const char *path)
{
    char p[PATH_LEN];
    const cJSON *type;
    const char *name;
    int rc = need(s, "prompt_type", path, p, &type);
    if (rc == IGNY8_OK)
        rc = get_text(type, p, 1, IDENT_MAX, 0, &name);
    if (rc != IGNY8_OK || v->prompt_types == NULL)
        return rc;
    for (const cJSON *t = v->prompt_types->child; t; t = t->next)
        if (strcmp(t->valuestring, name) == 0)
            return IGNY8_OK;
    return bad(p, "'%s' is not one of the strategy's prompt_types", name);
}

/* An earlier section of list has the same name as s. */
static int name_repeated(const cJSON *list, const cJSON *s, const char *name)
{
    for (const cJSON *e = list->child; e != s; e = e->next) {
        const char *other = cJSON_GetStringValue(field(e, "name"));
        if (other && strcmp(other, name) == 0)
            return 1;
    }
    return 0;
}

static int check_words(const cJSON *s, const char *path)
{
    char p[PATH_LEN];
    int64_t lo = 0, hi = 0;
    int lo_set = 0, hi_set = 0;
    int rc = optional_int(s, "min_words", path, &lo, &lo_set);
    if (rc == IGNY8_OK)
        rc = optional_int(s, "max_words", path, &hi, &hi_set);
    child_key(p, path, "max_words");
    if (rc == IGNY8_OK && lo_set && hi_set && lo > hi)
        rc = bad(p, "%lld is below min_words %lld", (long long)hi, (long long)lo);
    return rc;
}

static int check_logic_section(const struct vctx *v, const cJSON *list, const cJSON *s, const char *path)
{
    char p[PATH_LEN];
    const cJSON *name;
    const char *text;
    int required, is_null;
    int rc = need(s, "name", path, p, &name);
    if (rc == IGNY8_OK)
        rc = get_text(name, p, 1, IDENT_MAX, 0, &text);
    if (rc == IGNY8_OK && !is_identifier(text))
        rc = bad(p, "'%s' is not an identifier (letters, digits and '_', not starting with a digit)", text);
    if (rc == IGNY8_OK && name_repeated(list, s, text))
        rc = bad(p, "'%s' names two sections", text);
    if (rc == IGNY8_OK)
        rc = check_section_type(v, s, path);
    child_key(p, path, "required");
    if (rc == IGNY8_OK && field(s, "required"))
        rc = igny8__json_get_bool(field(s, "required"), p, &required, &is_null);
    return rc == IGNY8_OK ? check_words(s, path) : rc;
}

static int check_section_logic(const struct vctx *v, const cJSON *value, const char *path)
{
    char p[PATH_LEN], list[64];
    const char *order = NULL;
    int rc = check_object(value, path, logic_keys);
    child_key(p, path, "order");
    if (rc == IGNY8_OK && field(value, "order"))
        rc = get_text(field(value, "order"), p, 1, IDENT_MAX, 1, &order);
    if (rc == IGNY8_OK && order && !in_list(orders, order))
        rc = bad(p, "'%s' is not one of %s", order, joined(orders, list, sizeof(list)));
    return rc == IGNY8_OK ? check_sections(v, value, path, logic_section_keys, check_logic_section) : rc;
}

static int check_name(const struct vctx *v, const cJSON *value, const char *path)
{
    const char *text;
    IGNY8__UNUSED(v);
    return get_text(value, path, 1, TEXT_MAX, 0, &text);
}

static int check_description(const struct vctx *v, const cJSON *value, const char *path)
{
    const char *text;
    IGNY8__UNUSED(v);
    return get_text(value, path, 0, LONG_TEXT_MAX, 1, &text);
}

static int check_category(const struct vctx *v, const cJSON *value, const char *path)
{
    const char *text;
    char list[200];
    int rc = get_text(value, path, 1, IDENT_MAX, 0, &text);
    if (rc == IGNY8_OK && !in_list(categories_of(v->kind), text))
        rc = bad(path, "'%s' is not a category of %s (%s)", text, a_kind(v->kind),
                 joined(categories_of(v->kind), list, sizeof(list)));
    return rc;
}

static int check_is_active(const struct vctx *v, const cJSON *value, const char *path)
{
    int active;
    IGNY8__UNUSED(v);
    return igny8__json_get_bool(value, path, &active, NULL);
}

static int check_language(const struct vctx *v, const cJSON *value, const char *path)
{
    const char *tag = NULL;
    IGNY8__UNUSED(v);
    int rc = get_text(value, path, 2, LANGUAGE_MAX, 1, &tag);
    if (rc == IGNY8_OK && tag && !is_language_tag(tag))
        rc = bad(path, "'%s' is not a language tag such as en, pt-BR or zh-Hant-TW", tag);
    return rc;
}

typedef int (*field_fn)(const struct vctx *v, const cJSON *value, const char *path);

/* The item's fields, checked in this order (prompt_types before the section_logic that
 * refers to them). kind 0: every kind. */
static const struct field_rule {
    const char *key;
    int kind;
    int required;
    field_fn check;
} field_rules[] = {
    { "name", 0, 1, check_name },
    { "description", 0, 0, check_description },
    { "category", 0, 1, check_category },
    { "is_active", 0, 0, check_is_active },
    { "tone", IGNY8_LIBRARY_AUTHOR_PROFILE, 1, check_name },
    { "language", IGNY8_LIBRARY_AUTHOR_PROFILE, 0, check_language },
    { "structure_template", IGNY8_LIBRARY_AUTHOR_PROFILE, 1, check_structure },
    { "prompt_types", IGNY8_LIBRARY_STRATEGY, 1, check_prompt_types },
    { "section_logic", IGNY8_LIBRARY_STRATEGY, 1, check_section_logic },
};

static const struct field_rule *rule_for(int kind, const char *key)
{
    for (size_t i = 0; i < IGNY8__ARRAY_LEN(field_rules); i++)
        if ((field_rules[i].kind == 0 || field_rules[i].kind == kind) && strcmp(field_rules[i].key, key) == 0)
            return &field_rules[i];
    return NULL;
}

static int check_keys(int kind, const cJSON *item, const char *prefix)
{
    char p[PATH_LEN];
    for (const cJSON *c = item->child; c; c = c->next) {
        child_key(p, prefix, c->string);
        if (key_repeated(item, c))
            return bad(p, "is given twice");
        if (!in_list(view_fields, c->string) && rule_for(kind, c->string) == NULL)
            return bad(p, "is an unknown field of %s", a_kind(kind));
    }
    return IGNY8_OK;
}

static int not_an_object(const char *prefix, int kind)
{
    char p[PATH_LEN];
    child_key(p, prefix[0] ? prefix : "item", "");
    if (p[strlen(p) - 1] == '.')
        p[strlen(p) - 1] = '\0';
    return igny8__error_set(IGNY8_EINVAL, p, "%s: %s must be a JSON object", p, a_kind(kind));
}

int igny8__library_validate(igny8_store *st, int kind, const cJSON *item, int creating, const char *path)
{
    struct vctx v = { st, kind, NULL };
    const char *prefix = path ? path : "";
    char p[PATH_LEN];
    int rc = check_kind(kind);
    if (rc != IGNY8_OK)
        return rc;
    if (!cJSON_IsObject(item))
        return not_an_object(prefix, kind);
    if (kind == IGNY8_LIBRARY_STRATEGY && st == NULL)
        return igny8__error_set(IGNY8_EINVAL, "st", "argument st is NULL: a strategy's prompt types are "
                                "checked against the store");
    rc = check_keys(kind, item, prefix);
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(field_rules); i++) {
        const struct field_rule *r = &field_rules[i];
        const cJSON *value = field(item, r->key);
        if (r->kind != 0 && r->kind != kind)
            continue;
        child_key(p, prefix, r->key);
        if (value == NULL)
            rc = (creating && r->required) ? bad(p, "is required") : IGNY8_OK;
        else
            rc = r->check(&v, value, p);
        if (rc == IGNY8_OK && value && r->check == check_prompt_types)
            v.prompt_types = value;
    }
    return rc;
}

/* ---- rows and their JSON ---- */

static int set_str(char **dst, const char *v)
{
    char *copy = NULL;
    if (v && (copy = igny8__strdup(v)) == NULL)
        return igny8__error_oom();
    igny8__free(*dst);
    *dst = copy;
    return IGNY8_OK;
}

static int row_copy(igny8__library_row *dst, const igny8__library_row *src)
{
    *dst = *src;
    dst->name = dst->description = dst->category = dst->fields = NULL;
    dst->updated_at = dst->updated_by = dst->based_on = dst->source_name = NULL;
    const char *from[] = { src->name, src->description, src->category, src->fields, src->updated_at,
                           src->updated_by, src->based_on, src->source_name };
    char **to[] = { &dst->name, &dst->description, &dst->category, &dst->fields, &dst->updated_at,
                    &dst->updated_by, &dst->based_on, &dst->source_name };
    int rc = IGNY8_OK;
    for (size_t i = 0; rc == IGNY8_OK && i < IGNY8__ARRAY_LEN(from); i++)
        rc = set_str(to[i], from[i]);
    return rc;
}

/* A copy of src's keys, in the order of keys, leaving out nulls (builder failures are
 * noted for igny8__json_emit()). */
static cJSON *pick(const cJSON *src, const char *const *keys)
{
    cJSON *out = cJSON_CreateObject();
    if (out == NULL)
        igny8__json_note_oom();
    for (; out && *keys; keys++) {
        const cJSON *v = field(src, *keys);
        if (v && !cJSON_IsNull(v))
            igny8__json_attach(out, *keys, cJSON_Duplicate(v, 1));
    }
    return out;
}

static cJSON *pick_sections(const cJSON *block, const char *const *keys)
{
    cJSON *list = cJSON_CreateArray();
    if (list == NULL)
        igny8__json_note_oom();
    for (const cJSON *s = field(block, "sections")->child; list && s; s = s->next)
        igny8__json_attach(list, NULL, pick(s, keys));
    return list;
}

static void add_default(cJSON *obj, const char *key, const cJSON *value, const char *dflt)
{
    igny8__json_add_str(obj, key, cJSON_IsString(value) ? value->valuestring : dflt);
}

/* The kind's own fields of a validated item, in a fixed order, with the defaults filled in. */
static cJSON *canonical_fields(int kind, const cJSON *item)
{
    cJSON *f = cJSON_CreateObject();
    if (f == NULL)
        igny8__json_note_oom();
    if (kind == IGNY8_LIBRARY_AUTHOR_PROFILE) {
        const cJSON *tpl = field(item, "structure_template"), *notes = field(tpl, "notes");
        igny8__json_attach(f, "tone", cJSON_Duplicate(field(item, "tone"), 1));
        add_default(f, "language", field(item, "language"), "en");
        cJSON *t = igny8__json_add_object(f, "structure_template");
        igny8__json_attach(t, "sections", pick_sections(tpl, template_section_keys));
        if (notes && !cJSON_IsNull(notes))
            igny8__json_attach(t, "notes", cJSON_Duplicate(notes, 1));
    } else {
        const cJSON *logic = field(item, "section_logic");
        igny8__json_attach(f, "prompt_types", cJSON_Duplicate(field(item, "prompt_types"), 1));
        cJSON *l = igny8__json_add_object(f, "section_logic");
        add_default(l, "order", field(logic, "order"), "fixed");
        igny8__json_attach(l, "sections", pick_sections(logic, logic_section_keys));
    }
    return f;
}

/* Set the item fields of r from a validated, complete item. */
static int row_set_item(igny8__library_row *r, int kind, const cJSON *item)
{
    const cJSON *active = field(item, "is_active");
    char *fields = NULL;
    r->kind = kind;
    r->is_active = active ? cJSON_IsTrue(active) : 1;
    igny8__json_reset();
    int rc = igny8__json_emit_free(canonical_fields(kind, item), &fields);
    if (rc != IGNY8_OK)
        return rc;
    igny8__free(r->fields);
    r->fields = fields;
    rc = set_str(&r->name, cJSON_GetStringValue(field(item, "name")));
    if (rc == IGNY8_OK)
        rc = set_str(&r->description, cJSON_GetStringValue(field(item, "description")));
    return rc == IGNY8_OK ? set_str(&r->category, cJSON_GetStringValue(field(item, "category"))) : rc;
}

/* Append r's item fields to obj: name, description, category, the kind's fields and,
 * with_active, is_active. A row whose fields are not a JSON object is a damaged store. */
static int add_item_fields(cJSON *obj, const igny8__library_row *r, int with_active)
{
    cJSON *f = NULL;
    if (r->fields == NULL || igny8__json_parse_object(r->fields, "fields", &f) != IGNY8_OK)
        return igny8__error_set(IGNY8_ECORRUPT, "fields", "%s %lld has malformed fields in the store",
                                igny8_library_kind_name(r->kind), (long long)r->id);
    igny8__json_add_str(obj, "name", r->name);
    igny8__json_add_str(obj, "description", r->description);
    igny8__json_add_str(obj, "category", r->category);
    while (f->child)
        igny8__json_attach(obj, NULL, cJSON_DetachItemViaPointer(f, f->child));
    cJSON_Delete(f);
    if (with_active)
        igny8__json_add_bool(obj, "is_active", r->is_active);
    return IGNY8_OK;
}

/* r's item fields as a new object (with_active: and is_active). */
static int item_of(const igny8__library_row *r, int with_active, cJSON **out)
{
    *out = cJSON_CreateObject();
    int rc = *out ? add_item_fields(*out, r, with_active) : igny8__error_oom();
    if (rc != IGNY8_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* r's content (the item fields but is_active) as JSON text: what a copy is based on. */
static int content_text(const igny8__library_row *r, char **out)
{
    cJSON *c = NULL;
    *out = NULL;
    igny8__json_reset();
    int rc = item_of(r, 0, &c);
    return rc == IGNY8_OK ? igny8__json_emit_free(c, out) : rc;
}

/* Whether a's item fields equal b's (with_active: is_active too), or b's equal `text`. */
static int same_item(const igny8__library_row *a, const igny8__library_row *b, const char *text, int with_active,
                     int *same)
{
    cJSON *x = NULL, *y = NULL;
    int rc = item_of(a, with_active, &x);
    if (rc == IGNY8_OK && b)
        rc = item_of(b, with_active, &y);
    else if (rc == IGNY8_OK && (text == NULL || igny8__json_parse(text, "based_on", &y) != IGNY8_OK))
        rc = igny8__error_set(IGNY8_ECORRUPT, "based_on", "%s copy %lld has a malformed based_on in the store",
                              igny8_library_kind_name(a->kind), (long long)a->id);
    *same = rc == IGNY8_OK && cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return rc;
}

static cJSON *new_view(const igny8__library_row *r)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        igny8__json_note_oom();
    igny8__json_add_int(j, "id", r->id);
    igny8__json_add_str(j, "kind", igny8_library_kind_name(r->kind));
    return j;
}

static int finish_view(cJSON *j, int rc, cJSON **out)
{
    if (rc == IGNY8_OK && j == NULL)
        rc = igny8__error_oom();
    if (rc != IGNY8_OK) {
        cJSON_Delete(j);
        j = NULL;
    }
    *out = j;
    return rc;
}

static int global_view(const igny8__library_row *r, cJSON **out)
{
    cJSON *j = new_view(r);
    int rc = j ? add_item_fields(j, r, 1) : IGNY8_OK;
    igny8__json_add_int(j, "revision", r->revision);
    igny8__json_add_str(j, "updated_at", r->updated_at);
    igny8__json_add_str(j, "updated_by", r->updated_by);
    return finish_view(j, rc, out);
}

static int copy_view(const igny8__library_row *r, cJSON **out)
{
    int as_based_on = 0;
    cJSON *j = new_view(r);
    igny8__json_add_int(j, "account_id", r->account_id);
    igny8__json_add_int(j, "source_id", r->source_id);
    int rc = j ? add_item_fields(j, r, 1) : IGNY8_OK;
    if (rc == IGNY8_OK)
        rc = same_item(r, NULL, r->based_on, 0, &as_based_on);
    igny8__json_add_int(j, "based_on_revision", r->based_on_revision);
    cJSON *source = igny8__json_add_object(j, "source");
    igny8__json_add_str(source, "name", r->source_name);
    igny8__json_add_int(source, "revision", r->source_revision);
    igny8__json_add_bool(source, "is_active", r->source_active);
    igny8__json_add_bool(j, "source_changed", r->source_revision > r->based_on_revision);
    igny8__json_add_bool(j, "source_active", r->source_active);
    igny8__json_add_bool(j, "modified", !as_based_on);
    igny8__json_add_str(j, "updated_at", r->updated_at);
    igny8__json_add_str(j, "updated_by", r->updated_by);
    return finish_view(j, rc, out);
}

static int row_view(const igny8__library_row *r, cJSON **out)
{
    return r->account_id ? copy_view(r, out) : global_view(r, out);
}

/* ---- writes ---- */

/* Where a row lives: a global item (account_id 0) or an account's copy. */
struct where {
    int kind;
    int64_t account_id;
    int64_t id;
};

static int load(igny8_store *st, const struct where *w, igny8__library_row *r)
{
    return w->account_id ? igny8__db_library_copy_get(st, w->kind, w->account_id, w->id, r)
                         : igny8__db_library_get(st, w->kind, w->id, r);
}

static int stamp(igny8__library_row *r, const char *actor)
{
    char now[IGNY8__TIME_LEN];
    igny8__now_iso(now);
    int rc = set_str(&r->updated_at, now);
    return rc == IGNY8_OK ? set_str(&r->updated_by, actor) : rc;
}

/* Audit a write with the view before (owned: deleted here) and, with_after, the stored
 * view after it. Entity "library_item" or "account_library_item", key "<kind>:<id>". */
static int audit_write(igny8_store *st, const char *actor, const struct where *w, const char *action,
                       cJSON *before, int with_after)
{
    igny8__library_row r;
    cJSON *after = NULL;
    char key[64];
    int rc = with_after ? load(st, w, &r) : IGNY8_OK;
    if (rc == IGNY8_OK && with_after) {
        rc = row_view(&r, &after);
        igny8__library_row_clear(&r);
    }
    snprintf(key, sizeof(key), "%s:%lld", igny8_library_kind_name(w->kind), (long long)w->id);
    if (rc == IGNY8_OK)
        rc = igny8__audit(st, actor, w->account_id ? "account_library_item" : "library_item", key, w->account_id,
                          action, before, after);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return rc;
}

/* Write `after` over `before` (stamped now) and audit both views. */
static int write_change(igny8_store *st, const char *actor, const struct where *w, const igny8__library_row *before,
                        igny8__library_row *after, const char *action)
{
    cJSON *old = NULL;
    int rc = stamp(after, actor);
    if (rc == IGNY8_OK)
        rc = row_view(before, &old);
    if (rc == IGNY8_OK)
        rc = w->account_id ? igny8__db_library_copy_update(st, after) : igny8__db_library_update(st, after);
    if (rc != IGNY8_OK) {
        cJSON_Delete(old);
        return rc;
    }
    return audit_write(st, actor, w, action, old, 1);
}

static int create(igny8_store *st, const char *actor, int kind, const cJSON *item, int64_t *out_id)
{
    igny8__library_row r;
    struct where w = { kind, 0, 0 };
    memset(&r, 0, sizeof(r));
    r.revision = 1;
    int rc = igny8__library_validate(st, kind, item, 1, "");
    if (rc == IGNY8_OK)
        rc = row_set_item(&r, kind, item);
    if (rc == IGNY8_OK)
        rc = stamp(&r, actor);
    if (rc == IGNY8_OK)
        rc = igny8__db_library_insert(st, &r, &w.id);
    if (rc == IGNY8_OK)
        rc = audit_write(st, actor, &w, "create", NULL, 1);
    igny8__library_row_clear(&r);
    if (out_id)
        *out_id = rc == IGNY8_OK ? w.id : 0;
    return rc;
}

int igny8__library_load(igny8_store *st, const char *actor, const cJSON *item)
{
    const cJSON *kind_item = field(item, "kind");
    const char *name = NULL;
    int rc = kind_item ? igny8__json_get_string(kind_item, "kind", &name, NULL)
                       : igny8__error_set(IGNY8_EINVAL, "kind", "kind is required (author_profile or strategy)");
    int kind = rc == IGNY8_OK ? igny8__library_kind_from_name(name) : 0;
    if (rc == IGNY8_OK && kind == 0)
        rc = igny8__error_set(IGNY8_EINVAL, "kind", "kind '%.64s' is not author_profile or strategy", name);
    return rc == IGNY8_OK ? create(st, actor, kind, item, NULL) : rc;
}

/* item := patch over item, leaving out the read-only view fields. */
static int merge(cJSON *item, const cJSON *patch)
{
    for (const cJSON *c = patch->child; c; c = c->next) {
        if (in_list(view_fields, c->string))
            continue;
        cJSON *value = cJSON_Duplicate(c, 1);
        if (value == NULL)
            return igny8__error_oom();
        cJSON_DeleteItemFromObjectCaseSensitive(item, c->string);
        if (igny8__json_attach(item, c->string, value) == NULL)
            return igny8__error_oom();
    }
    return IGNY8_OK;
}

/* *after := before with the patch applied, validated as a whole item; *same: nothing changed. */
static int patched(igny8_store *st, const igny8__library_row *before, const cJSON *patch,
                   igny8__library_row *after, int *same)
{
    cJSON *item = NULL;
    int rc = row_copy(after, before);
    if (rc == IGNY8_OK)
        rc = igny8__library_validate(st, before->kind, patch, 0, "");
    if (rc == IGNY8_OK)
        rc = item_of(before, 1, &item);
    if (rc == IGNY8_OK)
        rc = merge(item, patch);
    if (rc == IGNY8_OK)
        rc = igny8__library_validate(st, before->kind, item, 1, "");
    if (rc == IGNY8_OK)
        rc = row_set_item(after, before->kind, item);
    if (rc == IGNY8_OK)
        rc = same_item(before, after, NULL, 1, same);
    cJSON_Delete(item);
    return rc;
}

/* Apply a patch to a global item (its revision goes up) or a copy; no change: no write. */
static int update(igny8_store *st, const char *actor, const struct where *w, const cJSON *patch)
{
    igny8__library_row before, after;
    int same = 0;
    memset(&after, 0, sizeof(after));
    int rc = load(st, w, &before);
    if (rc != IGNY8_OK)
        return rc;
    rc = patched(st, &before, patch, &after, &same);
    if (rc == IGNY8_OK && !same) {
        if (w->account_id == 0)
            after.revision = before.revision + 1;
        rc = write_change(st, actor, w, &before, &after, "update");
    }
    igny8__library_row_clear(&before);
    igny8__library_row_clear(&after);
    return rc;
}

static int set_active(igny8_store *st, const char *actor, int kind, int64_t id, int active)
{
    struct where w = { kind, 0, id };
    igny8__library_row before, after;
    memset(&after, 0, sizeof(after));
    int rc = load(st, &w, &before);
    if (rc != IGNY8_OK)
        return rc;
    if (before.is_active != (active != 0)) {
        rc = row_copy(&after, &before);
        after.is_active = active != 0;
        after.revision = before.revision + 1;
        if (rc == IGNY8_OK)
            rc = write_change(st, actor, &w, &before, &after, active ? "activate" : "deactivate");
    }
    igny8__library_row_clear(&before);
    igny8__library_row_clear(&after);
    return rc;
}

/* ---- copies ---- */

/* *r := a new copy of src for the account: src's content, remembered with its revision. */
static int clone_row(const igny8__library_row *src, int64_t account_id, igny8__library_row *r)
{
    char *based_on = NULL;
    int rc = row_copy(r, src);
    r->id = 0;
    r->account_id = account_id;
    r->source_id = src->id;
    r->based_on_revision = src->revision;
    r->is_active = 1;
    if (rc == IGNY8_OK)
        rc = content_text(src, &based_on);
    igny8__free(r->based_on);
    r->based_on = based_on;
    return rc;
}

static int clone_one(igny8_store *st, const char *actor, int64_t account_id, const igny8__library_row *src,
                     int64_t *out_id)
{
    igny8__library_row r;
    struct where w = { src->kind, account_id, 0 };
    int rc = clone_row(src, account_id, &r);
    if (rc == IGNY8_OK)
        rc = stamp(&r, actor);
    if (rc == IGNY8_OK)
        rc = igny8__db_library_copy_insert(st, &r, &w.id);
    if (rc == IGNY8_OK)
        rc = audit_write(st, actor, &w, "clone", NULL, 1);
    igny8__library_row_clear(&r);
    if (out_id)
        *out_id = rc == IGNY8_OK ? w.id : 0;
    return rc;
}

static int get_source(igny8_store *st, int kind, int64_t source_id, const char *field_name,
                      igny8__library_row *out)
{
    int rc = igny8__db_library_get(st, kind, source_id, out);
    if (rc == IGNY8_ENOTFOUND)
        igny8__error_set_field(field_name);
    return rc;
}

static int clone_source(igny8_store *st, const char *actor, int kind, int64_t account_id, int64_t source_id,
                 int64_t *out_id)
{
    igny8__library_row src;
    int64_t existing = 0;
    int rc = get_source(st, kind, source_id, "source_id", &src);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__db_library_copy_find(st, account_id, source_id, &existing);
    if (rc == IGNY8_OK && existing)
        rc = igny8__error_set(IGNY8_EEXISTS, "source_id", "account %lld has a copy of %s %lld already (copy %lld)",
                              (long long)account_id, igny8_library_kind_name(kind), (long long)source_id,
                              (long long)existing);
    if (rc == IGNY8_OK)
        rc = clone_one(st, actor, account_id, &src, out_id);
    igny8__library_row_clear(&src);
    return rc;
}

struct bulk_clone {
    const int64_t *sources, *accounts;
    size_t source_count, account_count;
    int on_existing;
    size_t created;
};

static int check_bulk_clone(const struct bulk_clone *b)
{
    char p[48];
    if (b->source_count && b->sources == NULL)
        return igny8__error_set(IGNY8_EINVAL, "source_ids", "argument source_ids is NULL");
    if (b->account_count && b->accounts == NULL)
        return igny8__error_set(IGNY8_EINVAL, "account_ids", "argument account_ids is NULL");
    if (b->on_existing != IGNY8_CLONE_SKIP && b->on_existing != IGNY8_CLONE_FAIL)
        return igny8__error_set(IGNY8_EINVAL, "on_existing", "on_existing %d is not IGNY8_CLONE_SKIP (0) or "
                                "IGNY8_CLONE_FAIL (1)", b->on_existing);
    for (size_t i = 0; i < b->account_count; i++)
        if (b->accounts[i] < 1) {
            snprintf(p, sizeof(p), "account_ids[%zu]", i);
            return igny8__error_set(IGNY8_EINVAL, p, "%s: account id %lld is not a positive id", p,
                                    (long long)b->accounts[i]);
        }
    return IGNY8_OK;
}

/* Clone one source to every account of b. */
static int clone_to_accounts(igny8_store *st, const char *actor, const igny8__library_row *src,
                             struct bulk_clone *b)
{
    char p[48];
    int rc = IGNY8_OK;
    for (size_t j = 0; rc == IGNY8_OK && j < b->account_count; j++) {
        int64_t existing = 0;
        rc = igny8__db_library_copy_find(st, b->accounts[j], src->id, &existing);
        if (rc != IGNY8_OK || (existing && b->on_existing == IGNY8_CLONE_SKIP))
            continue;
        snprintf(p, sizeof(p), "account_ids[%zu]", j);
        if (existing)
            return igny8__error_set(IGNY8_EEXISTS, p, "%s: account %lld has a copy of %s %lld already", p,
                                    (long long)b->accounts[j], igny8_library_kind_name(src->kind),
                                    (long long)src->id);
        rc = clone_one(st, actor, b->accounts[j], src, NULL);
        b->created += rc == IGNY8_OK;
    }
    return rc;
}

static int bulk_clone(igny8_store *st, const char *actor, int kind, struct bulk_clone *b)
{
    igny8__library_row src;
    char p[48];
    int rc = IGNY8_OK;
    for (int pass = 0; pass < 2; pass++)  /* every source is checked before anything is cloned */
        for (size_t i = 0; rc == IGNY8_OK && i < b->source_count; i++) {
            snprintf(p, sizeof(p), "source_ids[%zu]", i);
            rc = get_source(st, kind, b->sources[i], p, &src);
            if (rc == IGNY8_OK && pass == 1)
                rc = clone_to_accounts(st, actor, &src, b);
            igny8__library_row_clear(&src);
        }
    return rc;
}

static int reset(igny8_store *st, const char *actor, const struct where *w)
{
    igny8__library_row copy, src, after;
    int same_content = 0, same_base = 0;
    memset(&src, 0, sizeof(src));
    memset(&after, 0, sizeof(after));
    int rc = load(st, w, &copy);
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__db_library_get(st, w->kind, copy.source_id, &src);
    if (rc == IGNY8_OK)
        rc = clone_row(&src, copy.account_id, &after);
    after.id = copy.id;
    after.is_active = copy.is_active;  /* the account's own switch */
    if (rc == IGNY8_OK)
        rc = same_item(&copy, &src, NULL, 0, &same_content);
    if (rc == IGNY8_OK)
        rc = same_item(&src, NULL, copy.based_on, 0, &same_base);
    if (rc == IGNY8_OK && !(same_content && same_base && copy.based_on_revision == src.revision))
        rc = write_change(st, actor, w, &copy, &after, "reset");
    igny8__library_row_clear(&copy);
    igny8__library_row_clear(&src);
    igny8__library_row_clear(&after);
    return rc;
}

static int delete_copy(igny8_store *st, const char *actor, const struct where *w)
{
    igny8__library_row r;
    cJSON *before = NULL;
    int rc = load(st, w, &r);
    if (rc != IGNY8_OK)
        return rc;
    rc = row_view(&r, &before);
    igny8__library_row_clear(&r);
    if (rc == IGNY8_OK)
        rc = igny8__db_library_copy_delete(st, w->kind, w->account_id, w->id);
    if (rc != IGNY8_OK) {
        cJSON_Delete(before);
        return rc;
    }
    return audit_write(st, actor, w, "delete", before, 0);
}

/* ---- public writes ---- */

static int check_write(igny8_store *st, const char *actor, int kind)
{
    IGNY8__CHECK_ARG(st);
    int rc = igny8__check_actor(actor);
    return rc == IGNY8_OK ? check_kind(kind) : rc;
}

int igny8_library_create_json(igny8_store *st, const char *actor, int kind, const char *json, int64_t *out_id)
{
    cJSON *item = NULL;
    int64_t id = 0;
    if (out_id)
        *out_id = 0;
    int rc = check_write(st, actor, kind);
    if (rc == IGNY8_OK)
        rc = igny8__json_parse_body(json, "json", IGNY8_BODY_MAX_BYTES, "", &item);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, create(st, actor, kind, item, &id));
    cJSON_Delete(item);
    if (rc == IGNY8_OK && out_id)
        *out_id = id;
    return rc;
}

/* A write of a patch to a global item (account_id 0) or a copy. */
static int patch_write(igny8_store *st, const char *actor, const struct where *w, const char *patch_json)
{
    cJSON *patch = NULL;
    int rc = check_write(st, actor, w->kind);
    if (rc == IGNY8_OK)
        rc = igny8__json_parse_body(patch_json, "patch_json", IGNY8_BODY_MAX_BYTES, "", &patch);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, update(st, actor, w, patch));
    cJSON_Delete(patch);
    return rc;
}

int igny8_library_update_json(igny8_store *st, const char *actor, int kind, int64_t id, const char *patch_json)
{
    struct where w = { kind, 0, id };
    return patch_write(st, actor, &w, patch_json);
}

int igny8_library_set_active(igny8_store *st, const char *actor, int kind, int64_t id, int active)
{
    int rc = check_write(st, actor, kind);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, set_active(st, actor, kind, id, active));
    return rc;
}

int igny8_library_set_active_bulk(igny8_store *st, const char *actor, int kind, const int64_t *ids, size_t count,
                                  int active)
{
    char p[48];
    int rc = check_write(st, actor, kind);
    if (rc == IGNY8_OK && count > 0 && ids == NULL)
        rc = igny8__error_set(IGNY8_EINVAL, "ids", "argument ids is NULL");
    if (rc != IGNY8_OK || (rc = igny8__store_write_begin(st)) != IGNY8_OK)
        return rc;
    for (size_t i = 0; rc == IGNY8_OK && i < count; i++) {
        rc = set_active(st, actor, kind, ids[i], active);
        snprintf(p, sizeof(p), "ids[%zu]", i);
        if (rc != IGNY8_OK)
            igny8__error_set_field(p);
    }
    return igny8__store_write_end(st, rc);
}

int igny8_library_clone(igny8_store *st, const char *actor, int kind, int64_t account_id, int64_t source_id,
                        int64_t *out_id)
{
    int64_t id = 0;
    if (out_id)
        *out_id = 0;
    IGNY8__CHECK_ACCOUNT(account_id);
    int rc = check_write(st, actor, kind);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, clone_source(st, actor, kind, account_id, source_id, &id));
    if (rc == IGNY8_OK && out_id)
        *out_id = id;
    return rc;
}

int igny8_library_bulk_clone(igny8_store *st, const char *actor, int kind, const int64_t *source_ids,
                             size_t source_count, const int64_t *account_ids, size_t account_count,
                             int on_existing, size_t *out_created)
{
    struct bulk_clone b = { source_ids, account_ids, source_count, account_count, on_existing, 0 };
    if (out_created)
        *out_created = 0;
    int rc = check_write(st, actor, kind);
    if (rc == IGNY8_OK)
        rc = check_bulk_clone(&b);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, bulk_clone(st, actor, kind, &b));
    if (rc == IGNY8_OK && out_created)
        *out_created = b.created;
    return rc;
}

int igny8_library_copy_update_json(igny8_store *st, const char *actor, int kind, int64_t account_id,
                                   int64_t copy_id, const char *patch_json)
{
    struct where w = { kind, account_id, copy_id };
    IGNY8__CHECK_ACCOUNT(account_id);
    return patch_write(st, actor, &w, patch_json);
}

typedef int (*copy_write_fn)(igny8_store *st, const char *actor, const struct where *w);

static int copy_write(igny8_store *st, const char *actor, const struct where *w, copy_write_fn fn)
{
    IGNY8__CHECK_ACCOUNT(w->account_id);
    int rc = check_write(st, actor, w->kind);
    if (rc == IGNY8_OK && (rc = igny8__store_write_begin(st)) == IGNY8_OK)
        rc = igny8__store_write_end(st, fn(st, actor, w));
    return rc;
}

int igny8_library_copy_reset(igny8_store *st, const char *actor, int kind, int64_t account_id, int64_t copy_id)
{
    struct where w = { kind, account_id, copy_id };
    return copy_write(st, actor, &w, reset);
}

int igny8_library_copy_delete(igny8_store *st, const char *actor, int kind, int64_t account_id, int64_t copy_id)
{
    struct where w = { kind, account_id, copy_id };
    return copy_write(st, actor, &w, delete_copy);
}

/* ---- reads ---- */

int igny8_library_filter_init(igny8_library_filter *f, unsigned int version)
{
    IGNY8__CHECK_ARG(f);
    if (version < 1 || version > IGNY8_LIBRARY_FILTER_VERSION)
        return igny8__error_set(IGNY8_EINVAL, "version", "library filter version %u is not supported (1..%u)",
                                version, IGNY8_LIBRARY_FILTER_VERSION);
    memset(f, 0, sizeof(*f));
    f->version = version;
    return IGNY8_OK;
}

static int read_filter(int kind, const igny8_library_filter *given, igny8_library_filter *f)
{
    char list[200];
    memset(f, 0, sizeof(*f));
    f->version = IGNY8_LIBRARY_FILTER_VERSION;
    int rc = given ? igny8__options_copy(f, given, filter_size, IGNY8_LIBRARY_FILTER_VERSION, "library filter")
                   : IGNY8_OK;
    if (rc == IGNY8_OK && f->category && !in_list(categories_of(kind), f->category))
        rc = igny8__error_set(IGNY8_EINVAL, "category", "category '%.64s' is not a category of %s (%s)", f->category,
                              a_kind(kind), joined(categories_of(kind), list, sizeof(list)));
    if (rc == IGNY8_OK && f->active != 0 && f->active != IGNY8_FILTER_ACTIVE && f->active != IGNY8_FILTER_INACTIVE)
        rc = igny8__error_set(IGNY8_EINVAL, "active", "active filter %d is not 0, 1 or 2", f->active);
    return rc == IGNY8_OK ? igny8__check_text(f->search, "search", SEARCH_MAX) : rc;
}

/* Run a read that builds a JSON view into *out_json, inside one read transaction. */
typedef int (*view_fn)(igny8_store *st, const void *arg, cJSON **out);

static int read_view(igny8_store *st, view_fn fn, const void *arg, char **out_json)
{
    cJSON *j = NULL;
    int rc = igny8__store_read_begin(st);
    if (rc != IGNY8_OK)
        return rc;
    igny8__json_reset();
    rc = igny8__store_read_end(st, fn(st, arg, &j));
    if (rc != IGNY8_OK) {
        cJSON_Delete(j);
        return rc;
    }
    return igny8__json_emit_free(j, out_json);
}

static int one_view(igny8_store *st, const void *arg, cJSON **out)
{
    igny8__library_row r;
    int rc = load(st, arg, &r);
    if (rc != IGNY8_OK)
        return rc;
    rc = row_view(&r, out);
    igny8__library_row_clear(&r);
    return rc;
}

static int add_row(void *payload, const igny8__library_row *r)
{
    cJSON *v = NULL;
    int rc = row_view(r, &v);
    if (rc == IGNY8_OK)
        igny8__json_attach(payload, NULL, v);
    return rc;
}

struct list_arg {
    int kind;
    int64_t account_id;               /* 0: the platform's library */
    const igny8_library_filter *filter;
};

static int list_view(igny8_store *st, const void *arg, cJSON **out)
{
    const struct list_arg *a = arg;
    if ((*out = cJSON_CreateArray()) == NULL)
        return igny8__error_oom();
    if (a->account_id)
        return igny8__db_library_copy_each(st, a->kind, a->account_id, add_row, *out);
    const igny8_library_filter *f = a->filter;
    igny8__library_filter rows = { f ? f->category : NULL,
                                   !f || f->active == 0 ? -1 : f->active == IGNY8_FILTER_ACTIVE ? 1 : 0,
                                   f ? f->search : NULL };
    return igny8__db_library_each(st, a->kind, &rows, add_row, *out);
}

/* Check the arguments every view takes, then run it. */
static int view_json(igny8_store *st, int kind, view_fn fn, const void *arg, char **out_json)
{
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ARG(st);
    int rc = check_kind(kind);
    return rc == IGNY8_OK ? read_view(st, fn, arg, out_json) : rc;
}

int igny8_library_get_json(igny8_store *st, int kind, int64_t id, char **out_json)
{
    struct where w = { kind, 0, id };
    return view_json(st, kind, one_view, &w, out_json);
}

int igny8_library_list_json(igny8_store *st, int kind, const igny8_library_filter *filter, char **out_json)
{
    igny8_library_filter f;
    struct list_arg a = { kind, 0, &f };
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    int rc = check_kind(kind);
    if (rc == IGNY8_OK)
        rc = read_filter(kind, filter, &f);
    return rc == IGNY8_OK ? view_json(st, kind, list_view, &a, out_json) : rc;
}

int igny8_library_copy_get_json(igny8_store *st, int kind, int64_t account_id, int64_t copy_id, char **out_json)
{
    struct where w = { kind, account_id, copy_id };
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ACCOUNT(account_id);
    return view_json(st, kind, one_view, &w, out_json);
}

int igny8_library_copy_list_json(igny8_store *st, int kind, int64_t account_id, char **out_json)
{
    struct list_arg a = { kind, account_id, NULL };
    IGNY8__CHECK_ARG(out_json);
    *out_json = NULL;
    IGNY8__CHECK_ACCOUNT(account_id);
    return view_json(st, kind, list_view, &a, out_json);
}
