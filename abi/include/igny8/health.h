/*
 * libigny8settings — operations: the store's health and real connection tests of the
 * providers' APIs with libcurl.
 *
 * A connection test makes one request to the provider with the key the platform (or an
 * account) would use: OpenAI, DALL·E (the OpenAI key unless DALL·E has its own) and
 * Anthropic list their models, Runware answers an authentication task. The base URL is
 * the integration's base_url, else the provider's default, so a proxy — or a test's fake
 * provider on 127.0.0.1 — can stand in. TLS is verified; proxies come from the
 * environment as libcurl reads them; the key travels only in a request header, never in
 * a URL, a message, the result or the audit log.
 *
 * Thread safety: store calls as in store.h. A connection test holds the store lock only
 * to read the key and to record the result, never during the request; each test uses a
 * new curl handle, and curl_global_init runs once per process.
 */
#ifndef IGNY8_HEALTH_H
#define IGNY8_HEALTH_H

#include "common.h"

IGNY8_BEGIN_DECL

/** Defaults and upper bounds of the connection test's timeouts. */
#define IGNY8_CONNECT_TIMEOUT_DEFAULT_MS 5000u
#define IGNY8_TEST_TIMEOUT_DEFAULT_MS 15000u
#define IGNY8_TEST_TIMEOUT_MAX_MS 120000u

/** Options of igny8_connection_test(); 0 fields are defaults. */
typedef struct igny8_connection_test_options {
    unsigned int version;             /**< IGNY8_CONNECTION_TEST_OPTIONS_VERSION */
    unsigned int connect_timeout_ms;  /**< 0 = 5000 */
    unsigned int timeout_ms;          /**< the whole request; 0 = 15000; max 120000 */
    int64_t account_id;               /**< 0: the platform's key; else that account's own key */
} igny8_connection_test_options;

#define IGNY8_CONNECTION_TEST_OPTIONS_VERSION 1
#define IGNY8_CONNECTION_TEST_OPTIONS_INIT { IGNY8_CONNECTION_TEST_OPTIONS_VERSION, 0, 0, 0 }

/** Fill *opts with the defaults of the given struct version. IGNY8_EINVAL: bad version. */
IGNY8_API int igny8_connection_test_options_init(igny8_connection_test_options *opts, unsigned int version);

/** Test the connection of an integration with its key: one real request. The result is
 *  recorded as the integration's connection status (per key owner) and in the audit log,
 *  and given in *out_json (may be NULL): {"integration":"openai","provider":"openai",
 *  "account_id":null,"key_source":"global","ok":false,"http_status":401,
 *  "latency_ms":87.5,"error_class":"auth","message":"...","tested_at":"..."} where
 *  error_class is null, "auth" (401/403), "rate_limited" (429), "timeout", "network"
 *  (DNS, refused, TLS), "server" (5xx) or "unexpected" (anything else, including a body
 *  that is not what the provider sends). A failed test is a result, not an error.
 *  account_id 0 tests the platform's configured key (also while the global settings are
 *  inactive); an account id tests that account's own key only.
 *  *out_json: caller's, igny8_free(). IGNY8_ENOTFOUND: unknown integration, or no key to
 *  test with (field "api_key"); IGNY8_EINVAL: bad option (field named), a provider with no
 *  connection test (field "integration"), no URL to test, or a stored one that the rules of
 *  a base_url refuse, such as plain http:// to a host that is not loopback without
 *  IGNY8_STORE_ALLOW_HTTP (field "base_url"; no request is sent);
 *  IGNY8_EREADONLY: the store is read-only (the result could not be recorded). */
IGNY8_API int igny8_connection_test(igny8_store *st, const char *actor, const char *integration,
                                    const igny8_connection_test_options *opts, char **out_json);

/** The last connection test of every integration and key owner, as a JSON array of
 *  results (the shape above). *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_connection_status_json(igny8_store *st, char **out_json);

/** The store's health: {"ok":true,"reasons":[],"warnings":[],"library_version":"1.3.0",
 *  "schema_version":8,"store":{"backend":"sqlite","path":...,"size_bytes":...,"quick_check":"ok"},
 *  "keys":{"master_key_given":true,"sealed":3,"plain":0,"unopenable":0},
 *  "providers":[{"integration":"openai","provider":"openai","key_configured":true,
 *  "default_model":"gpt-4o-mini","default_model_usable":true,"last_test":{...}|null}],
 *  "counts":{"models":12,"active_models":12,"accounts_with_overrides":3,
 *  "customized_prompts":5,"library_copies":2,"access_groups":2,"accounts_with_plans":40,
 *  "fallback_chains":3}} (the last three @since 1.3). ok is false, with one reason per
 *  problem, when the quick check fails, an integration the platform uses has no key or
 *  no usable default model, the global settings are inactive, keys are sealed under a
 *  master key this handle lacks, or (without IGNY8_STORE_ALLOW_HTTP) an integration's
 *  base URL is plain http:// to another host; warnings (ok stays true) say that keys are
 *  kept in plain text (a store without a master key).
 *  *out_json: caller's, igny8_free(). */
IGNY8_API int igny8_health_json(igny8_store *st, char **out_json);

IGNY8_END_DECL

#endif
