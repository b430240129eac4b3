/* igny8ctl — the store as a whole: init, defaults, audit, export/import, health, connection tests. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmd_init(ctl_ctx *c, const ctl_args *a)
{
    int version = 0;
    (void)a;
    CTL_TRY(igny8_store_schema_version(c->st, &version));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", igny8_store_path(c->st));
    cJSON_AddNumberToObject(o, "schema_version", version);
    cJSON_AddStringToObject(o, "library_version", igny8_version(NULL, NULL, NULL));
    return ctl_emit_cjson(c, o);
}

static int cmd_defaults_load(ctl_ctx *c, const ctl_args *a)
{
    const char *file = ctl_opt(a, "file");
    char *doc = NULL;
    if (file) {
        int rc = ctl_read_input(file, "file", &doc);
        if (rc)
            return rc;
    }
    int rc = igny8_defaults_load(c->st, c->actor, doc);
    free(doc);
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "defaults", file ? file : "built-in");
    cJSON_AddBoolToObject(o, "loaded", 1);
    return ctl_emit_cjson(c, o);
}

static int cmd_audit(ctl_ctx *c, const ctl_args *a)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    const char *account = ctl_opt(a, "account"), *limit = ctl_opt(a, "limit");
    int rc = CTL_OK, n = 0;
    char *json = NULL;
    q.entity = ctl_opt(a, "entity");
    q.since = ctl_opt(a, "since");
    q.actor = ctl_opt(a, "actor");
    if (account && (rc = ctl_parse_id(account, "--account", "account", &q.account_id)) != CTL_OK)
        return rc;
    if (limit && (rc = ctl_parse_int(limit, "limit", &n)) != CTL_OK)
        return rc;
    if (limit && n < 1)
        return ctl_invalid("limit", "limit %d is below 1", n);
    q.limit = (unsigned int)n;
    CTL_TRY(igny8_audit_query_json(c->st, &q, &json));
    return ctl_emit_owned(c, json);
}

/* Write the document to a file; 0600 when it holds keys. */
static int write_file(const char *path, const char *json, int secret)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0666);
    if (fd < 0)
        return ctl_invalid("o", "cannot write %s: %s", path, strerror(errno));
    FILE *f = secret && fchmod(fd, 0600) != 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        int err = errno;
        close(fd);
        return ctl_invalid("o", "cannot write %s: %s", path, strerror(err));
    }
    ctl_json_pretty(f, json);
    if (fclose(f) != 0)
        return ctl_invalid("o", "cannot write %s: %s", path, strerror(errno));
    return CTL_OK;
}

/* A passphrase from --passphrase-file (its first line) or --passphrase-env, never argv;
 * *out NULL when neither is given. */
static int read_passphrase(const ctl_args *a, char **out)
{
    const char *file = ctl_opt(a, "passphrase-file"), *env = ctl_opt(a, "passphrase-env");
    *out = NULL;
    if (file && env)
        return ctl_invalid("passphrase-file", "give --passphrase-file or --passphrase-env, not both");
    if (file) {
        int rc = ctl_read_input(file, "passphrase-file", out);
        if (rc == CTL_OK)
            (*out)[strcspn(*out, "\r\n")] = '\0';
        return rc;
    }
    if (env && (getenv(env) == NULL || (*out = strdup(getenv(env))) == NULL))
        return ctl_invalid("passphrase-env", "the environment variable named by --passphrase-env is not set");
    return CTL_OK;
}

static void free_passphrase(char *p)
{
    if (p)
        explicit_bzero(p, strlen(p));
    free(p);
}

static int cmd_export(ctl_ctx *c, const ctl_args *a)
{
    igny8_export_options opts = IGNY8_EXPORT_OPTIONS_INIT;
    const char *out = ctl_opt(a, "o");
    char *json = NULL, *passphrase = NULL;
    int prc = read_passphrase(a, &passphrase);
    if (prc)
        return prc;
    if (ctl_flag(a, "with-keys")) {
        opts.flags |= IGNY8_EXPORT_WITH_KEYS | (ctl_flag(a, "plaintext-keys") ? IGNY8_EXPORT_PLAINTEXT_KEYS : 0);
        if (opts.flags & IGNY8_EXPORT_PLAINTEXT_KEYS)
            fputs("igny8ctl: warning: the document contains API keys in plain text; keep it secret\n", stderr);
    } else if (ctl_flag(a, "plaintext-keys") || passphrase) {
        free_passphrase(passphrase);
        return ctl_usage(c, "--plaintext-keys and a passphrase go with --with-keys");
    }
    opts.passphrase = passphrase;
    int erc = igny8_store_export_json(c->st, &opts, &json);
    free_passphrase(passphrase);
    CTL_TRY(erc);
    if (!out || strcmp(out, "-") == 0) {
        ctl_json_pretty(stdout, json);
        igny8_free(json);
        return fflush(stdout) == 0 && !ferror(stdout) ? CTL_OK : ctl_other("cannot write to standard output");
    }
    int rc = write_file(out, json, (opts.flags & IGNY8_EXPORT_WITH_KEYS) != 0);
    igny8_free(json);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "exported", out);
    cJSON_AddBoolToObject(o, "with_keys", (opts.flags & IGNY8_EXPORT_WITH_KEYS) != 0);
    return ctl_emit_cjson(c, o);
}

/* The rows per section the import recorded in its audit entry (NULL if not found). */
static cJSON *import_rows(ctl_ctx *c)
{
    igny8_audit_query q = IGNY8_AUDIT_QUERY_INIT;
    char *json = NULL;
    q.entity = "store";
    q.limit = 1;
    if (igny8_audit_query_json(c->st, &q, &json) != IGNY8_OK)
        return NULL;
    cJSON *root = cJSON_Parse(json);
    igny8_free(json);
    cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "entries"), 0);
    cJSON *after = cJSON_DetachItemFromObjectCaseSensitive(entry, "after");
    cJSON_Delete(root);
    return after;
}

static int cmd_import(ctl_ctx *c, const ctl_args *a)
{
    igny8_import_options opts = IGNY8_IMPORT_OPTIONS_INIT;
    char *doc = NULL;
    int rc = ctl_read_input(a->pos[0], "file", &doc);
    if (rc)
        return rc;
    opts.mode = ctl_flag(a, "replace") ? IGNY8_IMPORT_REPLACE : IGNY8_IMPORT_MERGE;
    char *passphrase = NULL;
    if ((rc = read_passphrase(a, &passphrase)) != CTL_OK) {
        free_passphrase(doc);
        return rc;
    }
    opts.passphrase = passphrase;
    rc = igny8_store_import_json(c->st, c->actor, doc, &opts);
    free_passphrase(passphrase);
    free_passphrase(doc);  /* it may hold keys */
    if (rc != IGNY8_OK)
        return ctl_fail(rc);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "imported", strcmp(a->pos[0], "-") == 0 ? "standard input" : a->pos[0]);
    cJSON_AddStringToObject(o, "mode", opts.mode == IGNY8_IMPORT_REPLACE ? "replace" : "merge");
    cJSON *rows = import_rows(c);
    if (rows)
        cJSON_AddItemToObject(o, "rows", rows);
    return ctl_emit_cjson(c, o);
}

/* Whether the "ok" member of a JSON result is true. */
static int result_ok(const char *json)
{
    cJSON *root = cJSON_Parse(json);
    int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "ok"));
    cJSON_Delete(root);
    return ok;
}

static int cmd_health(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    CTL_TRY(igny8_health_json(c->st, &json));
    int ok = result_ok(json);
    int rc = ctl_emit_owned(c, json);
    if (rc == CTL_OK && !ok && ctl_flag(a, "check")) {
        fputs("igny8ctl: the store is not healthy (see reasons)\n", stderr);
        return CTL_ETESTFAILED;
    }
    return rc;
}

static int parse_timeout(const ctl_args *a, const char *name, unsigned int *out)
{
    const char *s = ctl_opt(a, name);
    int v = 0, rc;
    if (!s)
        return CTL_OK;
    if ((rc = ctl_parse_int(s, name, &v)) != CTL_OK)
        return rc;
    if (v < 1)
        return ctl_invalid(name, "%s %d is below 1", name, v);
    *out = (unsigned int)v;
    return CTL_OK;
}

static int cmd_test_connection(ctl_ctx *c, const ctl_args *a)
{
    igny8_connection_test_options opts = IGNY8_CONNECTION_TEST_OPTIONS_INIT;
    const char *account = ctl_opt(a, "account");
    char *json = NULL;
    int rc = account ? ctl_parse_id(account, "--account", "account", &opts.account_id) : CTL_OK;
    if (rc == CTL_OK)
        rc = parse_timeout(a, "timeout-ms", &opts.timeout_ms);
    if (rc == CTL_OK)
        rc = parse_timeout(a, "connect-timeout-ms", &opts.connect_timeout_ms);
    if (rc)
        return rc;
    CTL_TRY(igny8_connection_test(c->st, c->actor, a->pos[0], &opts, &json));
    int ok = result_ok(json);
    rc = ctl_emit_owned(c, json);
    if (rc == CTL_OK && !ok) {
        fprintf(stderr, "igny8ctl: the connection test of %s failed (see error_class)\n", a->pos[0]);
        return CTL_ETESTFAILED;
    }
    return rc;
}

static int cmd_connection_status(ctl_ctx *c, const ctl_args *a)
{
    char *json = NULL;
    (void)a;
    CTL_TRY(igny8_connection_status_json(c->st, &json));
    return ctl_emit_owned(c, json);
}

/* ---- copying a whole store ---- */

/* An export with keys (a secret): wiped before it is freed. */
static void free_secret_doc(char *doc)
{
    if (doc)
        explicit_bzero(doc, strlen(doc));
    igny8_free(doc);
}

static int export_all(igny8_store *st, char **out)
{
    igny8_export_options opts = IGNY8_EXPORT_OPTIONS_INIT;
    opts.flags = IGNY8_EXPORT_WITH_KEYS | IGNY8_EXPORT_PLAINTEXT_KEYS;  /* in memory only, wiped */
    return igny8_store_export_json(st, &opts, out);
}

/* Whether a store holds no settings yet (no provider, no model): what a new store is. */
static int is_empty(igny8_store *st, int *empty)
{
    char *doc = NULL;
    int rc = export_all(st, &doc);
    if (rc != IGNY8_OK)
        return rc;
    cJSON *root = cJSON_Parse(doc);
    free_secret_doc(doc);
    *empty = root && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "providers")) == 0 &&
             cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "models")) == 0;
    cJSON_Delete(root);
    return IGNY8_OK;
}

/* SRC's document (with keys) imported into DST in one transaction, replacing what it held,
 * then both exported again and compared byte for byte. The keys never leave memory. */
static int copy_store(ctl_ctx *c, igny8_store *src, igny8_store *dst, int *identical)
{
    igny8_import_options io = IGNY8_IMPORT_OPTIONS_INIT;
    char *doc = NULL, *again = NULL;
    io.mode = IGNY8_IMPORT_REPLACE;
    int rc = export_all(src, &doc);
    if (rc == IGNY8_OK)
        rc = igny8_store_import_json(dst, c->actor, doc, &io);
    if (rc == IGNY8_OK)
        rc = export_all(dst, &again);
    *identical = rc == IGNY8_OK && strcmp(doc, again) == 0;
    free_secret_doc(doc);
    free_secret_doc(again);
    return rc;
}

static int cmd_store_copy(ctl_ctx *c, const ctl_args *a)
{
    const char *src_schema = ctl_opt(a, "src-schema"), *dst_schema = ctl_opt(a, "dst-schema");
    igny8_store *src = NULL, *dst = NULL;
    int empty = 0, identical = 0, rc;
    rc = ctl_open(&src, a->pos[0], src_schema ? src_schema : c->schema, IGNY8_STORE_READONLY | IGNY8_STORE_NOCREATE);
    if (rc == IGNY8_OK)
        rc = ctl_open(&dst, a->pos[1], dst_schema ? dst_schema : c->schema, c->store_flags);
    if (rc == IGNY8_OK)
        rc = is_empty(dst, &empty);
    if (rc == IGNY8_OK && !empty && !ctl_flag(a, "replace")) {
        igny8_store_close(src);
        igny8_store_close(dst);
        return ctl_invalid("DST", "%s holds settings already: pass --replace to make it a copy of %s",
                           a->pos[1], a->pos[0]);
    }
    if (rc == IGNY8_OK)
        rc = copy_store(c, src, dst, &identical);
    if (rc != IGNY8_OK) {
        igny8_store_close(src);
        igny8_store_close(dst);
        return ctl_fail(rc);
    }
    c->st = dst;  /* the rows of the import's audit entry */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "from", igny8_store_path(src));
    cJSON_AddStringToObject(o, "to", igny8_store_path(dst));
    cJSON_AddBoolToObject(o, "identical", identical);
    cJSON *rows = import_rows(c);
    if (rows)
        cJSON_AddItemToObject(o, "rows", rows);
    c->st = NULL;
    igny8_store_close(src);
    igny8_store_close(dst);
    if (!identical) {
        cJSON_Delete(o);
        return ctl_other("the copy's export differs from the source's: the copy is not faithful");
    }
    return ctl_emit_cjson(c, o);
}

const ctl_command ctl_store_commands[] = {
    { "init", "", "", "Open the store, creating it (mode 0600) when missing, migrate its schema and print its version",
      "", "", 0, 0, CTL_STORE_CREATE, cmd_init, NULL },
    { "defaults", "load", "[--file FILE|-]", "Load the shipped defaults (providers, integrations, operations, modules, "
      "models, prompts, library, global settings) into an empty store",
      "file=", "--file FILE|-\ta document of the shape of data/defaults.json instead of the built-in copy\n",
      0, 0, CTL_STORE_OPEN, cmd_defaults_load, NULL },
    { "audit", "", "[--entity E] [--account ID] [--since TIME] [--limit N] [--actor A]",
      "The audit log, newest first",
      "entity=,account=,since=,limit=,actor=",
      "--entity E\tonly entries about this entity (model, global_settings, account_integration, prompt, ...)\n"
      "--account ID\tonly entries about this account\n"
      "--since TIME\tonly entries at or after this ISO 8601 UTC time (2026-11-26T09:00:00Z)\n"
      "--limit N\tat most N entries (default 100, at most 10000)\n"
      "--actor A\tonly entries by this actor (here --actor filters; it does not set who acts)\n",
      0, 0, CTL_STORE_OPEN, cmd_audit, "id,at,actor,entity,key,account_id,action" },
    { "export", "", "[--with-keys [--passphrase-file FILE | --passphrase-env VAR | --plaintext-keys]] [-o FILE]",
      "Write the whole store as one JSON document (without API keys unless asked)",
      "with-keys,plaintext-keys,passphrase-file=,passphrase-env=,o=",
      "--with-keys\tinclude the API keys, sealed under the passphrase, else under the store's master key (a file "
      "is written with mode 0600)\n"
      "--passphrase-file FILE\tseal them under the passphrase on the first line of FILE (Argon2id)\n"
      "--passphrase-env VAR\tseal them under the passphrase in the environment variable VAR\n"
      "--plaintext-keys\tthe keys in plain text: the document is then a secret\n"
      "-o FILE\twrite to FILE instead of standard output\n",
      0, 0, CTL_STORE_OPEN, cmd_export, NULL },
    { "import", "", "FILE|- [--replace] [--passphrase-file FILE | --passphrase-env VAR]",
      "Load a document written by export, in one transaction (all or nothing)",
      "replace,passphrase-file=,passphrase-env=",
      "FILE|-\tthe document, or - for standard input\n"
      "--passphrase-file FILE\tthe passphrase its keys are sealed under (first line of FILE)\n"
      "--passphrase-env VAR\tthe passphrase its keys are sealed under, from the environment variable VAR\n"
      "--replace\tthe store becomes exactly the document (default: merge, rows of the document replace "
      "rows with the same key)\n",
      1, 1, CTL_STORE_OPEN, cmd_import, NULL },
    { "health", "", "[--check]", "The store's health: schema, integrity check, keys and default models per provider",
      "check", "--check\texit with 8 when the store is not healthy\n",
      0, 0, CTL_STORE_OPEN, cmd_health, "integration,provider,key_configured,default_model,default_model_usable" },
    { "test-connection", "", "INTEGRATION [--account ID] [--timeout-ms N] [--connect-timeout-ms N]",
      "Test an integration's API with the platform's (or an account's own) key; exit 8 when the test fails",
      "account=,timeout-ms=,connect-timeout-ms=",
      "INTEGRATION\topenai, anthropic, dalle, runware, ...\n"
      "--account ID\ttest the account's own key instead of the platform's\n"
      "--timeout-ms N\tthe whole request (default 15000, at most 120000)\n"
      "--connect-timeout-ms N\tconnecting (default 5000)\n",
      1, 1, CTL_STORE_OPEN, cmd_test_connection, NULL },
    { "connection-status", "", "", "The last connection test of every integration and key owner",
      "", "", 0, 0, CTL_STORE_OPEN, cmd_connection_status,
      "integration,account_id,key_source,ok,http_status,latency_ms,error_class,tested_at" },
    { "store", "copy", "SRC DST [--src-schema NAME] [--dst-schema NAME] [--replace]",
      "Copy every setting and key of SRC into DST (a file or a postgresql:// URL, created when missing) in one "
      "transaction, and check that both export the same bytes",
      "src-schema=,dst-schema=,replace",
      "SRC\tthe store to copy (opened read-only)\n"
      "DST\tthe store to write; it must hold no settings unless --replace\n"
      "--src-schema NAME\tPostgreSQL: SRC's schema (default: --schema)\n"
      "--dst-schema NAME\tPostgreSQL: DST's schema (default: --schema)\n"
      "--replace\tDST becomes the copy even if it held settings (its audit log stays)\n",
      2, 2, CTL_STORE_NONE, cmd_store_copy, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
