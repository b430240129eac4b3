/* A JSON-aware mutator for the targets whose input is a JSON document (libFuzzer builds
 * only: it calls LLVMFuzzerMutate). Byte flips rarely get past a JSON parser, and never
 * far into the checks behind it; so most of the time this parses the input, changes one
 * node and prints it again:
 *   - a value becomes another: null, a boolean, an edge number, a string or a whole value
 *     found elsewhere in the document (names that refer to each other), {} or [];
 *   - a member or element is dropped, duplicated (a repeated key, a repeated row) or
 *     moved under another key found in the document;
 *   - a string or number is mutated in place.
 * Inputs that do not parse, and one mutation in four, get libFuzzer's own mutations.
 * The target says how many bytes come before its JSON (fuzz_json_prefix): fuzz_import's
 * mode byte, which this sets to M or R now and then. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz_common.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

typedef struct { uint64_t s; } rng;

static unsigned pick(rng *r, unsigned n)
{
    r->s = r->s * 6364136223846793005u + 1442695040888963407u;
    return n ? (unsigned)((r->s >> 33) % n) : 0;
}

/* Every node of the tree, parents before children. */
typedef struct { cJSON **v; size_t n, cap; } nodes;

static void collect(nodes *all, cJSON *j)
{
    for (; j; j = j->next) {
        if (all->n == all->cap) {
            all->cap = all->cap ? all->cap * 2 : 64;
            all->v = realloc(all->v, all->cap * sizeof(*all->v));
            FUZZ_CHECK(all->v != NULL);
        }
        all->v[all->n++] = j;
        collect(all, j->child);
    }
}

static cJSON *parent_of(const nodes *all, const cJSON *child)
{
    for (size_t i = 0; i < all->n; i++)
        for (cJSON *c = all->v[i]->child; c; c = c->next)
            if (c == child)
                return all->v[i];
    return NULL;
}

static const char *const strings[] = {
    "", " ", "x", "null", "text", "image", "openai", "anthropic", "dalle", "runware", "gpt-4o", "dall-e-3",
    "author_profile", "strategy", "igny8settings", "{name}", "{{", "}", "\xc3\xa9", "\xed\xa0\x80", "a\tb",
    "1024x1024", "0x0", "99999x1", "https://x.example", "ftp://x", "2026-11-26T09:41:30.123Z",
};
static const double numbers[] = {
    0, -0.0, 1, -1, 0.5, 2, 2.0000001, 255, 256, 8192, 16384, 65536, 2147483647, 2147483648.0, -2147483649.0,
    4294967296.0, 9007199254740991.0, 9007199254740993.0, 1e300, -1e300, 1e-300, 0.1,
};

/* A new value: a constant, or a copy of a random node of the document. */
static cJSON *new_value(rng *r, const nodes *all)
{
    switch (pick(r, 8)) {
    case 0: return cJSON_CreateNull();
    case 1: return cJSON_CreateBool(pick(r, 2));
    case 2: return cJSON_CreateNumber(numbers[pick(r, sizeof(numbers) / sizeof(numbers[0]))]);
    case 3: return cJSON_CreateString(strings[pick(r, sizeof(strings) / sizeof(strings[0]))]);
    case 4: return pick(r, 2) ? cJSON_CreateObject() : cJSON_CreateArray();
    default: return cJSON_Duplicate(all->v[pick(r, (unsigned)all->n)], 1);
    }
}

/* A key found in the document, or a constant. */
static const char *some_key(rng *r, const nodes *all)
{
    for (int tries = 0; tries < 8; tries++) {
        const cJSON *n = all->v[pick(r, (unsigned)all->n)];
        if (n->string)
            return n->string;
    }
    return strings[pick(r, sizeof(strings) / sizeof(strings[0]))];
}

static void mutate_scalar(rng *r, cJSON *n)
{
    if (cJSON_IsNumber(n)) {
        double d = n->valuedouble;
        double v[] = { d + 1, d - 1, -d, d * 1000, d / 3, floor(d), nextafter(d, INFINITY) };
        cJSON_SetNumberValue(n, v[pick(r, sizeof(v) / sizeof(v[0]))]);
    } else if (cJSON_IsString(n)) {
        size_t len = strlen(n->valuestring), cap = len + 64;
        uint8_t *buf = malloc(cap + 1);
        FUZZ_CHECK(buf != NULL);
        memcpy(buf, n->valuestring, len);
        len = LLVMFuzzerMutate(buf, len, cap);
        buf[len] = '\0';
        cJSON *s = cJSON_CreateString((const char *)buf);  /* cut at a NUL, like any C string */
        free(buf);
        if (s) {
            free(n->valuestring);
            n->valuestring = s->valuestring;
            s->valuestring = NULL;
            cJSON_Delete(s);
        }
    }
}

/* One structural change; 0 when there was nothing to change. */
static int mutate_tree(rng *r, cJSON *root)
{
    nodes all = { NULL, 0, 0 };
    collect(&all, root);
    cJSON *n = all.v[pick(r, (unsigned)all.n)], *parent = parent_of(&all, n), *v;
    int changed = 1;
    switch (pick(r, 6)) {
    case 0:  /* replace the value */
        if (parent && (v = new_value(r, &all)) != NULL) {
            free(v->string);  /* a copy of a member has its key: take n's */
            v->string = NULL;
            if (n->string && (v->string = strdup(n->string)) == NULL)
                abort();
            cJSON_ReplaceItemViaPointer(parent, n, v);  /* frees n */
        } else {
            changed = 0;
        }
        break;
    case 1:  /* drop it */
        if (parent)
            cJSON_Delete(cJSON_DetachItemViaPointer(parent, n));
        else
            changed = 0;
        break;
    case 2:  /* duplicate it next to itself (a repeated key or row) */
        if (parent && (v = cJSON_Duplicate(n, 1)) != NULL) {
            if (cJSON_IsObject(parent))
                cJSON_AddItemToObject(parent, n->string, v);
            else
                cJSON_AddItemToArray(parent, v);
        } else {
            changed = 0;
        }
        break;
    case 3:  /* add a member or element found elsewhere */
        if ((cJSON_IsObject(n) || cJSON_IsArray(n)) && (v = new_value(r, &all)) != NULL) {
            if (cJSON_IsObject(n))
                cJSON_AddItemToObject(n, some_key(r, &all), v);
            else
                cJSON_AddItemToArray(n, v);
        } else {
            changed = 0;
        }
        break;
    case 4:  /* rename a member */
        if (parent && cJSON_IsObject(parent) && (v = cJSON_Duplicate(n, 1)) != NULL) {
            cJSON_AddItemToObject(parent, some_key(r, &all), v);
            cJSON_Delete(cJSON_DetachItemViaPointer(parent, n));
        } else {
            changed = 0;
        }
        break;
    default:
        mutate_scalar(r, n);
        break;
    }
    free(all.v);
    return changed;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    rng r = { seed * 2654435761u + 1 };
    size_t prefix = fuzz_json_prefix;
    if (size <= prefix || pick(&r, 4) == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    char *text = fuzz_cstr(data + prefix, size - prefix);
    cJSON *root = cJSON_ParseWithOpts(text, NULL, 1);
    free(text);
    if (root == NULL)
        return LLVMFuzzerMutate(data, size, max_size);
    for (unsigned i = 0, n = 1 + pick(&r, 3); i < n; i++)
        mutate_tree(&r, root);
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    size_t len = out ? strlen(out) : 0;
    if (out == NULL || prefix + len > max_size) {
        free(out);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    if (prefix && pick(&r, 8) == 0)
        data[0] = (uint8_t)"MR"[pick(&r, 2)];  /* fuzz_import's mode byte, now and then */
    memcpy(data + prefix, out, len);
    free(out);
    return prefix + len;
}
