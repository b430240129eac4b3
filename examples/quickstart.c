/*
 * quickstart: the library in one page.
 *
 *   quickstart [STORE]     STORE: a store file to create or open (default ":memory:")
 *
 * Opens a store, loads the shipped defaults, sets a (fake) platform API key, changes an
 * account's integration through the PUT body the REST API uses, lets another account
 * choose a provider, and shows how three operations resolve: model, parameters, key
 * source and the trace of the precedence levels. The key itself is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <igny8.h>

#define ACTOR "quickstart"
/* Obviously fake: the demo never talks to a provider. */
#define FAKE_OPENAI_KEY "sk-test-FAKE-quickstart-0000"
#define FAKE_ANTHROPIC_KEY "sk-test-FAKE-quickstart-anthropic-0000"

static igny8_store *store;

/* Report a failed call with the library's message and leave. */
static void check(int rc, const char *what)
{
    if (rc == IGNY8_OK)
        return;
    const igny8_error *e = igny8_error_last();
    fprintf(stderr, "quickstart: %s failed: %s (%d): %s%s%s\n", what, igny8_strerror(rc), rc,
            e->message, e->field ? ", field " : "", e->field ? e->field : "");
    igny8_store_close(store);
    exit(1);
}

static void indent(int depth)
{
    putchar('\n');
    for (int i = 0; i < depth; i++)
        fputs("  ", stdout);
}

/* Print compact JSON with one member per line (the library's views are compact). */
static void print_json(const char *json)
{
    int depth = 0, in_string = 0;
    for (const char *p = json; *p; p++) {
        char c = *p;
        if (in_string) {
            putchar(c);
            if (c == '\\' && p[1])
                putchar(*++p);
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"': in_string = 1; putchar(c); break;
        case '{': case '[':
            putchar(c);
            if (p[1] == '}' || p[1] == ']') { putchar(*++p); break; }
            indent(++depth);
            break;
        case '}': case ']': indent(--depth); putchar(c); break;
        case ',': putchar(c); indent(depth); break;
        case ':': fputs(": ", stdout); break;
        default: putchar(c);
        }
    }
    putchar('\n');
}

/* Print a JSON string the library handed over, then free it. */
static void print_owned_json(char *json)
{
    print_json(json);
    igny8_free(json);
}

/* Resolve an operation for an account and show what the host would use. */
static void show_resolution(int64_t account, const char *operation, const char *why)
{
    igny8_resolution *r = NULL;
    char *json = NULL;

    printf("\n== account %lld, operation \"%s\": %s\n", (long long)account, operation, why);
    check(igny8_get_model_for_operation(store, account, operation, NULL, &r),
          "igny8_get_model_for_operation");

    printf("model %s (provider %s, integration %s), from level %s\n",
           igny8_resolution_model_name(r), igny8_resolution_provider(r),
           igny8_resolution_integration(r), igny8_resolution_source_name(r));
    if (igny8_resolution_model_type(r) == IGNY8_MODEL_TEXT)
        printf("parameters: temperature %.2f, max_tokens %d\n", igny8_resolution_temperature(r),
               igny8_resolution_max_tokens(r));
    else
        printf("parameters: size %s, quality %s, style %s\n", igny8_resolution_size(r),
               igny8_resolution_quality(r), igny8_resolution_style(r));

    /* igny8_resolution_api_key() is the one call that reveals the key: hand it to the HTTP
     * client, never to a log. Here we only say whether there is one. */
    static const char *const key_sources[] = { "none", "account", "global" };
    int ks = igny8_resolution_api_key_source(r);
    const char *key = igny8_resolution_api_key(r);
    printf("API key: %s (%s)\n", key_sources[ks], key ? "present, not printed" : "no key set");

    check(igny8_resolution_to_json(r, &json), "igny8_resolution_to_json");
    if (key && strstr(json, key)) {  /* cannot happen: the views never contain a key */
        fprintf(stderr, "quickstart: the resolution JSON contains the key\n");
        igny8_free(json);
        igny8_resolution_free(r);
        igny8_store_close(store);
        exit(1);
    }
    for (size_t i = 0; i < igny8_resolution_fallback_count(r); i++) {  /* if that provider fails */
        const igny8_resolution *f = igny8_resolution_fallback_at(r, i);     /* owned by r */
        printf("fallback %zu: %s (integration %s, key %s)\n", i + 1, igny8_resolution_model_name(f),
               igny8_resolution_integration(f), key_sources[igny8_resolution_api_key_source(f)]);
    }
    printf("resolution (igny8_resolution_to_json, the trace included):\n");
    print_owned_json(json);
    igny8_resolution_free(r);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : ":memory:";
    igny8_store_options opts = IGNY8_STORE_OPTIONS_INIT;
    char *json = NULL;

    printf("libigny8settings %s, store %s\n", igny8_version(NULL, NULL, NULL), path);

    /* 1. Open (or create, mode 0600) the store and load the shipped defaults: providers,
     *    integrations, operations, modules, the model registry and the global settings. */
    check(igny8_store_open(&store, path, &opts), "igny8_store_open");
    check(igny8_defaults_load(store, ACTOR, NULL), "igny8_defaults_load");

    /* 2. The platform's OpenAI key. Views only ever show it masked. */
    check(igny8_global_key_set(store, ACTOR, "openai", FAKE_OPENAI_KEY), "igny8_global_key_set");
    printf("\n== platform key for openai set; the global settings view masks it:\n");
    check(igny8_global_settings_get_json(store, &json), "igny8_global_settings_get_json");
    print_owned_json(json);

    /* 3. Account 42 overrides its OpenAI settings with the body of
     *    PUT /api/v1/system/settings/integrations/openai/; the reply is the new GET body. */
    printf("\n== PUT integrations/openai/ for account 42: {\"model\":\"gpt-4o\",\"temperature\":0.4}\n");
    check(igny8_integration_put_json(store, ACTOR, 42, "openai",
                                     "{\"model\":\"gpt-4o\",\"temperature\":0.4}", &json),
          "igny8_integration_put_json");
    print_owned_json(json);

    /* 4. Account 7 uses Anthropic for its text operations. */
    check(igny8_account_provider_set(store, ACTOR, 7, IGNY8_MODEL_TEXT, "anthropic"),
          "igny8_account_provider_set");
    printf("\n== account 7 chose anthropic for text models\n");

    /* 5. Plans and fallbacks: account 7 is on the "starter" plan, which does not have the
     *    anthropic default, and content falls back from OpenAI to Anthropic. */
    static const char *const starter[] = { "gpt-4o-mini", "claude-3-5-haiku-20241022" };
    static const char *const chain[] = { "gpt-4o-mini", "claude-3-5-haiku-20241022" };
    check(igny8_access_group_set(store, ACTOR, "starter", "Cheap models", starter, 2), "igny8_access_group_set");
    check(igny8_account_access_group_set(store, ACTOR, 7, "starter"), "igny8_account_access_group_set");
    check(igny8_global_key_set(store, ACTOR, "anthropic", FAKE_ANTHROPIC_KEY), "igny8_global_key_set");
    check(igny8_fallback_chain_set(store, ACTOR, 0, "content_generation", chain, 2), "igny8_fallback_chain_set");
    printf("\n== account 7 is on the starter plan; content_generation falls back to claude-3-5-haiku\n");

    /* 6. What the host would call, and why. */
    show_resolution(42, "content_generation", "its PUT override of openai wins; the chain gives the fallbacks");
    show_resolution(7, "clustering", "its provider's default is not in its plan: the system default");
    show_resolution(42, "image_generation", "no image override: the platform default, OpenAI key");

    igny8_store_close(store);
    return 0;
}
