/* PostgreSQL backend: the schema of every version in PostgreSQL's dialect, the store's
 * identity (igny8_meta, as SQLite's application_id and user_version), creation and
 * migration. Its counterpart is src/sqlite/schema.c.
 *
 * The tables are SQLite's, column for column, with the types that keep every value as
 * SQLite keeps it: BIGINT for ids and account ids, DOUBLE PRECISION for prices and
 * temperatures, and every text column COLLATE "C", so that names sort and compare byte
 * by byte as SQLite's BINARY collation does, whatever the database's locale: the JSON
 * views list rows in the same order, and the resolver's binary searches hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres.h"

#define T " TEXT COLLATE \"C\""

/* migrations[i] takes a store from schema version i to i + 1. Append only; one per
 * SQLite migration, with the same version numbers. */
static const char *const migrations[] = {
    /* 0 -> 1: the settings core */
    "CREATE TABLE provider (name" T " PRIMARY KEY, display_name" T " NOT NULL,"
    "  connection_test" T " NOT NULL DEFAULT 'none', default_base_url" T ");"
    "CREATE TABLE integration ("
    "  name" T " PRIMARY KEY, provider" T " NOT NULL REFERENCES provider(name),"
    "  model_type" T " NOT NULL CHECK (model_type IN ('text','image')),"
    "  key_from" T " REFERENCES integration(name), api_key" T ", base_url" T ", default_model" T ","
    "  temperature DOUBLE PRECISION, max_tokens INTEGER, size" T ", quality" T ", style" T ","
    "  updated_at" T ", updated_by" T ", UNIQUE (provider, model_type));"
    "CREATE TABLE model ("
    "  model_name" T " PRIMARY KEY, display_name" T " NOT NULL, provider" T " NOT NULL,"
    "  model_type" T " NOT NULL CHECK (model_type IN ('text','image')),"
    "  input_cost_per_1k DOUBLE PRECISION CHECK (input_cost_per_1k >= 0),"
    "  output_cost_per_1k DOUBLE PRECISION CHECK (output_cost_per_1k >= 0),"
    "  cost_per_image DOUBLE PRECISION CHECK (cost_per_image >= 0),"
    "  tokens_per_credit INTEGER CHECK (tokens_per_credit >= 1),"
    "  credits_per_image INTEGER CHECK (credits_per_image >= 0),"
    "  max_output_tokens INTEGER CHECK (max_output_tokens >= 1),"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0,1)),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL,"
    "  FOREIGN KEY (provider, model_type) REFERENCES integration(provider, model_type));"
    "ALTER TABLE integration ADD FOREIGN KEY (default_model) REFERENCES model(model_name)"
    "  DEFERRABLE INITIALLY DEFERRED;"
    "CREATE UNIQUE INDEX model_one_default_per_type ON model(model_type) WHERE is_default = 1;"
    "CREATE TABLE global_settings (id INTEGER PRIMARY KEY CHECK (id = 1), is_active INTEGER NOT NULL DEFAULT 1,"
    "  text_integration" T " REFERENCES integration(name), image_integration" T " REFERENCES integration(name),"
    "  updated_at" T ", updated_by" T ");"
    "INSERT INTO global_settings (id) VALUES (1);"
    "CREATE TABLE operation (name" T " PRIMARY KEY,"
    "  model_type" T " NOT NULL CHECK (model_type IN ('text','image')), description" T ");"
    "CREATE TABLE account_integration ("
    "  account_id BIGINT NOT NULL CHECK (account_id > 0), integration" T " NOT NULL REFERENCES integration(name),"
    "  enabled INTEGER NOT NULL DEFAULT 1, model" T " REFERENCES model(model_name),"
    "  temperature DOUBLE PRECISION, max_tokens INTEGER, size" T ", quality" T ", style" T ", api_key" T ","
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, PRIMARY KEY (account_id, integration));"
    "CREATE TABLE account_provider ("
    "  account_id BIGINT NOT NULL CHECK (account_id > 0),"
    "  model_type" T " NOT NULL CHECK (model_type IN ('text','image')),"
    "  integration" T " NOT NULL REFERENCES integration(name),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, PRIMARY KEY (account_id, model_type));"
    "CREATE TABLE account_operation_model ("
    "  account_id BIGINT NOT NULL CHECK (account_id > 0), operation" T " NOT NULL REFERENCES operation(name),"
    "  model_name" T " NOT NULL REFERENCES model(model_name),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, PRIMARY KEY (account_id, operation));"
    "CREATE TABLE module (name" T " PRIMARY KEY, description" T ", enabled INTEGER NOT NULL DEFAULT 1,"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL);"
    "CREATE TABLE account_module ("
    "  account_id BIGINT NOT NULL CHECK (account_id > 0), module" T " NOT NULL REFERENCES module(name),"
    "  enabled INTEGER NOT NULL, updated_at" T " NOT NULL, updated_by" T " NOT NULL,"
    "  PRIMARY KEY (account_id, module));"
    "CREATE TABLE audit (id BIGINT PRIMARY KEY, at" T " NOT NULL, actor" T " NOT NULL, entity" T " NOT NULL,"
    "  key" T ", account_id BIGINT, action" T " NOT NULL, before" T ", after" T ");",
    /* 1 -> 2: audit indexes; the last connection test per integration and key owner */
    "CREATE INDEX audit_by_entity ON audit(entity, id);"
    "CREATE INDEX audit_by_account ON audit(account_id, id) WHERE account_id IS NOT NULL;"
    "CREATE TABLE connection_status ("
    "  integration" T " NOT NULL REFERENCES integration(name), account_id BIGINT NOT NULL DEFAULT 0,"
    "  tested_at" T " NOT NULL, ok INTEGER NOT NULL, http_status INTEGER, latency_ms DOUBLE PRECISION,"
    "  error_class" T ", message" T ", PRIMARY KEY (integration, account_id));",
    /* 2 -> 3: prompt templates. Versions are immutable and never deleted: the triggers hold
     * that promise even against a write that bypasses the library; only the import that
     * replaces the whole store empties them (igny8__pg_prompt_versions_clear). */
    "CREATE TABLE prompt_type (name" T " PRIMARY KEY,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)), published_version INTEGER,"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL);"
    "CREATE TABLE prompt_version ("
    "  prompt_type" T " NOT NULL REFERENCES prompt_type(name), version INTEGER NOT NULL CHECK (version >= 1),"
    "  value" T " NOT NULL, description" T ", message" T ", variables" T " NOT NULL,"
    "  author" T " NOT NULL, created_at" T " NOT NULL, PRIMARY KEY (prompt_type, version));"
    "CREATE FUNCTION prompt_version_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  IF TG_OP = 'DELETE' THEN"
    "    IF current_setting('igny8.clearing_prompt_versions', true) = 'on' THEN RETURN OLD; END IF;"
    "    RAISE EXCEPTION 'prompt versions are never deleted';"
    "  END IF;"
    "  RAISE EXCEPTION 'prompt versions are immutable'; END $$;"
    "CREATE TRIGGER prompt_version_is_immutable BEFORE UPDATE ON prompt_version"
    "  FOR EACH ROW EXECUTE FUNCTION prompt_version_refuse();"
    "CREATE TRIGGER prompt_version_is_kept BEFORE DELETE ON prompt_version"
    "  FOR EACH ROW EXECUTE FUNCTION prompt_version_refuse();"
    "CREATE TABLE account_prompt ("
    "  account_id BIGINT NOT NULL CHECK (account_id > 0), prompt_type" T " NOT NULL REFERENCES prompt_type(name),"
    "  prompt_value" T " NOT NULL, default_prompt" T " NOT NULL, based_on_version INTEGER NOT NULL,"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, PRIMARY KEY (account_id, prompt_type));"
    "CREATE INDEX account_prompt_by_type ON account_prompt(prompt_type, based_on_version);",
    /* 3 -> 4: the libraries of author profiles and strategies, and the accounts' copies */
    "CREATE TABLE library_item (id BIGINT PRIMARY KEY,"
    "  kind" T " NOT NULL CHECK (kind IN ('author_profile','strategy')),"
    "  name" T " NOT NULL, description" T ", category" T " NOT NULL, fields" T " NOT NULL,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, UNIQUE (kind, name));"
    "CREATE TABLE account_library_item (id BIGINT PRIMARY KEY,"
    "  account_id BIGINT NOT NULL CHECK (account_id > 0),"
    "  kind" T " NOT NULL CHECK (kind IN ('author_profile','strategy')),"
    "  source_id BIGINT NOT NULL REFERENCES library_item(id), based_on_revision INTEGER NOT NULL,"
    "  based_on" T " NOT NULL, name" T " NOT NULL, description" T ", category" T " NOT NULL, fields" T " NOT NULL,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, UNIQUE (account_id, source_id));"
    "CREATE INDEX account_library_by_account ON account_library_item(account_id, kind);",
    /* 4 -> 5: the change log behind the resolver's cache. Triggers record every change of
     * what the resolver reads, by any writer, as the account it concerns (NULL: platform
     * data), after taking the store's write lock: sequence numbers then commit in order,
     * so a reader that saw seq N has seen everything before it. The log keeps its last
     * 10,000 entries. */
    "CREATE TABLE change_log (seq BIGSERIAL PRIMARY KEY, account_id BIGINT);"
    "CREATE FUNCTION change_log_add(account BIGINT, tg_schema TEXT) RETURNS void LANGUAGE plpgsql AS $$"
    " DECLARE n BIGINT; BEGIN"
    "  PERFORM pg_advisory_xact_lock(1229409848, hashtext(tg_schema));"
    "  INSERT INTO change_log (account_id) VALUES (account) RETURNING seq INTO n;"
    "  IF n % 1000 = 0 THEN DELETE FROM change_log WHERE seq <= n - 10000; END IF;"
    " END $$;"
    "CREATE FUNCTION change_log_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  IF TG_OP = 'DELETE' THEN PERFORM change_log_add(OLD.account_id, TG_TABLE_SCHEMA); RETURN OLD; END IF;"
    "  PERFORM change_log_add(NEW.account_id, TG_TABLE_SCHEMA); RETURN NEW; END $$;"
    "CREATE FUNCTION change_log_platform() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  PERFORM change_log_add(NULL, TG_TABLE_SCHEMA); RETURN NULL; END $$;"
    "CREATE TRIGGER account_integration_logged AFTER INSERT OR UPDATE OR DELETE ON account_integration"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_account();"
    "CREATE TRIGGER account_provider_logged AFTER INSERT OR UPDATE OR DELETE ON account_provider"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_account();"
    "CREATE TRIGGER account_operation_model_logged AFTER INSERT OR UPDATE OR DELETE ON account_operation_model"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_account();"
    "CREATE TRIGGER model_logged AFTER INSERT OR UPDATE OR DELETE ON model"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();"
    "CREATE TRIGGER integration_logged AFTER INSERT OR UPDATE OR DELETE ON integration"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();"
    "CREATE TRIGGER global_settings_logged AFTER INSERT OR UPDATE OR DELETE ON global_settings"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();"
    "CREATE TRIGGER operation_logged AFTER INSERT OR UPDATE OR DELETE ON operation"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();"
    "CREATE TRIGGER provider_logged AFTER INSERT OR UPDATE OR DELETE ON provider"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();",
    /* 5 -> 6: the master keys API keys are sealed under (keys.h), by id and check value. */
    ("CREATE TABLE master_key (key_id" T " PRIMARY KEY, check_value" T " NOT NULL,"
     "  added_at" T " NOT NULL, added_by" T " NOT NULL);"),
    /* 6 -> 7: platform entries of the change log say which part of the resolver's snapshot
     * changed (cache.h, IGNY8__PART_*), so that a reader reloads that part alone. */
    "ALTER TABLE change_log ADD COLUMN part INTEGER;"
    "CREATE FUNCTION change_log_add(account BIGINT, part INTEGER, tg_schema TEXT) RETURNS void LANGUAGE plpgsql AS $$"
    " DECLARE n BIGINT; BEGIN"
    "  PERFORM pg_advisory_xact_lock(1229409848, hashtext(tg_schema));"
    "  INSERT INTO change_log (account_id, part) VALUES (account, part) RETURNING seq INTO n;"
    "  IF n % 1000 = 0 THEN DELETE FROM change_log WHERE seq <= n - 10000; END IF;"
    " END $$;"
    "CREATE OR REPLACE FUNCTION change_log_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  IF TG_OP = 'DELETE' THEN PERFORM change_log_add(OLD.account_id, NULL, TG_TABLE_SCHEMA); RETURN OLD; END IF;"
    "  PERFORM change_log_add(NEW.account_id, NULL, TG_TABLE_SCHEMA); RETURN NEW; END $$;"
    "CREATE OR REPLACE FUNCTION change_log_platform() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  PERFORM change_log_add(NULL, CASE TG_TABLE_NAME WHEN 'global_settings' THEN 1 WHEN 'integration' THEN 2"
    "    WHEN 'model' THEN 3 WHEN 'operation' THEN 4 WHEN 'provider' THEN 5 END, TG_TABLE_SCHEMA);"
    "  RETURN NULL; END $$;"
    "DROP FUNCTION change_log_add(BIGINT, TEXT);",
    /* 7 -> 8: plans and fallbacks (access.h), as SQLite's 7 -> 8, with its header rows and
     * the connection status logged as platform part 8. change_log_owned() logs a row of
     * account_id 0 as the platform part its trigger names, any other as that account. */
    "CREATE TABLE access_group (name" T " PRIMARY KEY, description" T ","
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL);"
    "CREATE TABLE access_group_model ("
    "  group_name" T " NOT NULL REFERENCES access_group(name) ON DELETE CASCADE,"
    "  model_name" T " NOT NULL REFERENCES model(model_name), PRIMARY KEY (group_name, model_name));"
    "CREATE TABLE account_access (account_id BIGINT PRIMARY KEY CHECK (account_id > 0),"
    "  group_name" T " REFERENCES access_group(name),"
    "  max_cost_per_1k_tokens DOUBLE PRECISION CHECK (max_cost_per_1k_tokens >= 0),"
    "  max_cost_per_image DOUBLE PRECISION CHECK (max_cost_per_image >= 0),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL);"
    "CREATE INDEX account_access_by_group ON account_access(group_name) WHERE group_name IS NOT NULL;"
    "CREATE TABLE account_access_model (account_id BIGINT NOT NULL CHECK (account_id > 0),"
    "  model_name" T " NOT NULL REFERENCES model(model_name), allowed INTEGER NOT NULL CHECK (allowed IN (0,1)),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, PRIMARY KEY (account_id, model_name));"
    "CREATE TABLE fallback_chain (account_id BIGINT NOT NULL CHECK (account_id >= 0),"
    "  operation" T " NOT NULL REFERENCES operation(name),"
    "  updated_at" T " NOT NULL, updated_by" T " NOT NULL, PRIMARY KEY (account_id, operation));"
    "CREATE TABLE fallback_chain_model (account_id BIGINT NOT NULL, operation" T " NOT NULL,"
    "  position INTEGER NOT NULL CHECK (position >= 0 AND position < 8),"
    "  model_name" T " NOT NULL REFERENCES model(model_name),"
    "  PRIMARY KEY (account_id, operation, position), UNIQUE (account_id, operation, model_name),"
    "  FOREIGN KEY (account_id, operation) REFERENCES fallback_chain(account_id, operation) ON DELETE CASCADE);"
    "CREATE OR REPLACE FUNCTION change_log_platform() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  PERFORM change_log_add(NULL, CASE TG_TABLE_NAME WHEN 'global_settings' THEN 1 WHEN 'integration' THEN 2"
    "    WHEN 'model' THEN 3 WHEN 'operation' THEN 4 WHEN 'provider' THEN 5 WHEN 'access_group' THEN 6"
    "    WHEN 'access_group_model' THEN 6 WHEN 'connection_status' THEN 8 END, TG_TABLE_SCHEMA);"
    "  RETURN NULL; END $$;"
    "CREATE FUNCTION account_access_header() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  IF NEW.account_id > 0 THEN"
    "    INSERT INTO account_access (account_id, updated_at, updated_by)"
    "      VALUES (NEW.account_id, NEW.updated_at, NEW.updated_by) ON CONFLICT (account_id) DO NOTHING;"
    "  END IF; RETURN NULL; END $$;"
    "CREATE FUNCTION account_access_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    "  IF EXISTS (SELECT 1 FROM account_access_model WHERE account_id = OLD.account_id)"
    "     OR EXISTS (SELECT 1 FROM fallback_chain WHERE account_id = OLD.account_id) THEN"
    "    RAISE EXCEPTION 'the account_access row of an account with own models or chains is kept';"
    "  END IF; RETURN OLD; END $$;"
    "CREATE TRIGGER account_access_model_header AFTER INSERT ON account_access_model"
    "  FOR EACH ROW EXECUTE FUNCTION account_access_header();"
    "CREATE TRIGGER fallback_chain_header AFTER INSERT ON fallback_chain"
    "  FOR EACH ROW EXECUTE FUNCTION account_access_header();"
    "CREATE TRIGGER account_access_is_kept BEFORE DELETE ON account_access"
    "  FOR EACH ROW EXECUTE FUNCTION account_access_is_kept();"
    "CREATE FUNCTION change_log_owned() RETURNS trigger LANGUAGE plpgsql AS $$"
    " DECLARE account BIGINT; BEGIN"
    "  IF TG_OP = 'DELETE' THEN account := OLD.account_id; ELSE account := NEW.account_id; END IF;"
    "  IF account = 0 THEN PERFORM change_log_add(NULL, TG_ARGV[0]::INTEGER, TG_TABLE_SCHEMA);"
    "  ELSE PERFORM change_log_add(account, NULL, TG_TABLE_SCHEMA); END IF;"
    "  RETURN NULL; END $$;"
    "CREATE TRIGGER access_group_logged AFTER INSERT OR UPDATE OR DELETE ON access_group"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();"
    "CREATE TRIGGER access_group_model_logged AFTER INSERT OR UPDATE OR DELETE ON access_group_model"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();"
    "CREATE TRIGGER account_access_logged AFTER INSERT OR UPDATE OR DELETE ON account_access"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_account();"
    "CREATE TRIGGER account_access_model_logged AFTER INSERT OR UPDATE OR DELETE ON account_access_model"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_account();"
    "CREATE TRIGGER fallback_chain_logged AFTER INSERT OR UPDATE OR DELETE ON fallback_chain"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_owned('7');"
    "CREATE TRIGGER fallback_chain_model_logged AFTER INSERT OR UPDATE OR DELETE ON fallback_chain_model"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_owned('7');"
    "CREATE TRIGGER connection_status_logged AFTER INSERT OR UPDATE OR DELETE ON connection_status"
    "  FOR EACH ROW EXECUTE FUNCTION change_log_platform();",
};

_Static_assert(IGNY8__ARRAY_LEN(migrations) == IGNY8_SCHEMA_VERSION, "one migration per schema version");

/* One integer from a query of one row (or *found 0); schema and meta queries only. */
static int query_int(igny8_store *st, const char *sql, const char *param, int64_t *out, int *found)
{
    PGconn *conn = igny8__pg_of(st)->conn;
    PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
    int rc = igny8__pg_check(st, res, PGRES_TUPLES_OK, "read the store's schema", &res);
    if (rc != IGNY8_OK)
        return rc;
    *found = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0);
    *out = *found ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return IGNY8_OK;
}

int igny8__pg_schema_version(igny8_store *st, int *out)
{
    int64_t v = 0;
    int found = 0;
    int rc = query_int(st, "SELECT schema_version FROM igny8_meta", NULL, &v, &found);
    *out = (int)v;
    return rc;
}

typedef struct identity {
    int schema_exists, has_meta, application_id, version;
    int64_t tables;
} identity;

static int read_identity(igny8_store *st, identity *id)
{
    igny8__pg_db *db = igny8__pg_of(st);
    int64_t v = 0;
    int found = 0;
    memset(id, 0, sizeof(*id));
    int rc = query_int(st, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", db->schema, &v, &found);
    id->schema_exists = v > 0;
    if (rc == IGNY8_OK && id->schema_exists)
        rc = query_int(st, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')", db->schema,
                       &id->tables, &found);
    if (rc == IGNY8_OK && id->schema_exists)
        rc = query_int(st, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE n.nspname = $1 AND c.relname = 'igny8_meta'", db->schema, &v, &found);
    id->has_meta = v > 0;
    if (rc == IGNY8_OK && id->has_meta && (rc = query_int(st, "SELECT application_id FROM igny8_meta", NULL, &v,
                                                          &found)) == IGNY8_OK) {
        id->application_id = found ? (int)v : 0;
        rc = query_int(st, "SELECT schema_version FROM igny8_meta", NULL, &v, &found);
        id->version = (int)v;
    }
    return rc;
}

static int check_identity(igny8_store *st, const identity *id)
{
    igny8__pg_db *db = igny8__pg_of(st);
    if (!id->has_meta && id->tables > 0)
        return igny8__error_set(IGNY8_ECORRUPT, "path", "schema '%s' of '%s' holds tables of another application, "
                                "not an igny8 settings store", db->schema, db->display);
    if (id->has_meta && id->application_id != IGNY8__PG_APPLICATION_ID)
        return igny8__error_set(IGNY8_ECORRUPT, "path", "schema '%s' of '%s' is not an igny8 settings store "
                                "(igny8_meta is another application's)", db->schema, db->display);
    if (id->version > IGNY8_SCHEMA_VERSION)
        return igny8__error_set(IGNY8_EVERSION, "path", "store '%s' (schema '%s') has schema version %d, newer "
                                "than this library's %d: upgrade libigny8settings", db->display, db->schema,
                                id->version, IGNY8_SCHEMA_VERSION);
    if (id->has_meta && id->version == IGNY8_SCHEMA_VERSION)
        return IGNY8_OK;
    if (!id->has_meta && (db->flags & (IGNY8_STORE_READONLY | IGNY8_STORE_NOCREATE)))
        return igny8__error_set(IGNY8_EIO, "path", "store '%s' has no schema '%s' holding a store", db->display,
                                db->schema);
    if (db->flags & IGNY8_STORE_READONLY)
        return igny8__error_set(IGNY8_EREADONLY, "path", "store '%s' has schema version %d and must be migrated; "
                                "open it read-write once", db->display, id->version);
    return IGNY8_OK;
}

/* Create or migrate in one transaction under the store's write lock; the version is read
 * again under it: another process or host may have migrated the store meanwhile. */
static int migrate(igny8_store *st, int create_schema)
{
    igny8__pg_db *db = igny8__pg_of(st);
    char sql[256];
    int64_t version = 0;
    int found = 0;
    int rc = igny8__pg_exec(st, db->lock_sql, "begin migration");
    if (rc == IGNY8_OK && create_schema) {
        snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS \"%s\"", db->schema);
        rc = igny8__pg_exec(st, sql, "create the store's schema");
    }
    if (rc == IGNY8_OK)
        rc = igny8__pg_exec(st, "CREATE TABLE IF NOT EXISTS igny8_meta (application_id INTEGER NOT NULL,"
                                " schema_version INTEGER NOT NULL)", "create igny8_meta");
    if (rc == IGNY8_OK)
        rc = query_int(st, "SELECT schema_version FROM igny8_meta", NULL, &version, &found);
    if (rc == IGNY8_OK && !found)
        rc = igny8__pg_exec(st, "INSERT INTO igny8_meta VALUES (1229409848, 0)", "create igny8_meta");
    for (int v = (int)version; rc == IGNY8_OK && v < IGNY8_SCHEMA_VERSION; v++)
        rc = igny8__pg_exec(st, migrations[v], "migrate schema");
    if (rc == IGNY8_OK && version < IGNY8_SCHEMA_VERSION) {
        snprintf(sql, sizeof(sql), "UPDATE igny8_meta SET schema_version = %d", IGNY8_SCHEMA_VERSION);
        rc = igny8__pg_exec(st, sql, "record schema version");
    }
    if (rc == IGNY8_OK)
        return igny8__pg_exec(st, "COMMIT", "commit migration");
    PQclear(PQexec(db->conn, "ROLLBACK"));
    return rc;
}

int igny8__pg_open_schema(igny8_store *st)
{
    identity id;
    int rc = read_identity(st, &id);
    if (rc == IGNY8_OK)
        rc = check_identity(st, &id);
    if (rc == IGNY8_OK && (!id.has_meta || id.version < IGNY8_SCHEMA_VERSION))
        rc = migrate(st, !id.schema_exists);
    if (rc != IGNY8_OK && igny8_error_last()->field == NULL)
        igny8__error_set_field("path");
    return rc;
}

int igny8__pg_prompt_versions_clear(igny8_store *st)
{
    return igny8__pg_exec(st, "SET LOCAL igny8.clearing_prompt_versions = 'on'; DELETE FROM prompt_version;"
                              " SET LOCAL igny8.clearing_prompt_versions = 'off'", "empty prompt versions");
}
