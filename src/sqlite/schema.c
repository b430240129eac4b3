/* SQLite backend: the schema of every version, its migrations and the triggers that
 * keep prompt versions immutable. Its counterpart is src/postgres/schema.c. */
#include <stdio.h>

#include "sqlite.h"

/* The triggers that keep prompt versions immutable and never deleted (schema v3). One
 * definition for the migration that creates them and for the import that replaces the
 * whole store, which drops them around its delete and creates them again. */
#define PROMPT_VERSION_TRIGGERS \
    "CREATE TRIGGER prompt_version_is_immutable BEFORE UPDATE ON prompt_version" \
    " BEGIN SELECT RAISE(ABORT, 'prompt versions are immutable'); END;" \
    "CREATE TRIGGER prompt_version_is_kept BEFORE DELETE ON prompt_version" \
    " BEGIN SELECT RAISE(ABORT, 'prompt versions are never deleted'); END;"
#define PROMPT_VERSION_TRIGGERS_DROP \
    "DROP TRIGGER prompt_version_is_immutable; DROP TRIGGER prompt_version_is_kept;"

/* migrations[i] takes a store from schema version i to i + 1. Append only. */
/* The three triggers of a platform table, made again to log the snapshot part it is. */
#define PLATFORM_LOGGED_ON(table, event, part) \
    "DROP TRIGGER " table "_" event "_logged; CREATE TRIGGER " table "_" event "_logged AFTER " event " ON " table \
    " BEGIN INSERT INTO change_log (account_id, part) VALUES (NULL, " part "); END;"
#define PLATFORM_LOGGED(table, part) \
    PLATFORM_LOGGED_ON(table, "insert", part) PLATFORM_LOGGED_ON(table, "update", part) \
    PLATFORM_LOGGED_ON(table, "delete", part)
/* Schema 8's triggers, on tables that had none: a platform table's (the part it is), an
 * account table's, and those of a table whose rows of account_id 0 are the platform's. */
#define LOGGED_ON(table, event, values) \
    "CREATE TRIGGER " table "_" event "_logged AFTER " event " ON " table \
    " BEGIN INSERT INTO change_log (account_id, part) VALUES " values "; END;"
#define LOGGED(table, values_new, values_old) \
    LOGGED_ON(table, "insert", values_new) LOGGED_ON(table, "update", values_new) \
    LOGGED_ON(table, "delete", values_old)
#define PLATFORM_LOGGED_NEW(table, part) LOGGED(table, "(NULL, " part ")", "(NULL, " part ")")
#define ACCOUNT_LOGGED(table) LOGGED(table, "(new.account_id, NULL)", "(old.account_id, NULL)")
#define OWNER_LOGGED(table, part) \
    LOGGED(table, "(nullif(new.account_id, 0), CASE WHEN new.account_id = 0 THEN " part " END)", \
           "(nullif(old.account_id, 0), CASE WHEN old.account_id = 0 THEN " part " END)")

static const char *const migrations[] = {
    /* 0 -> 1: the settings core */
    "CREATE TABLE provider ("
    "  name TEXT PRIMARY KEY,"
    "  display_name TEXT NOT NULL,"
    "  connection_test TEXT NOT NULL DEFAULT 'none',"
    "  default_base_url TEXT"
    ") WITHOUT ROWID;"
    "CREATE TABLE integration ("
    "  name TEXT PRIMARY KEY,"
    "  provider TEXT NOT NULL REFERENCES provider(name),"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  key_from TEXT REFERENCES integration(name),"
    "  api_key TEXT, base_url TEXT,"
    "  default_model TEXT REFERENCES model(model_name) DEFERRABLE INITIALLY DEFERRED,"
    "  temperature REAL, max_tokens INTEGER, size TEXT, quality TEXT, style TEXT,"
    "  updated_at TEXT, updated_by TEXT,"
    "  UNIQUE (provider, model_type)"
    ");"
    "CREATE TABLE model ("
    "  model_name TEXT PRIMARY KEY,"
    "  display_name TEXT NOT NULL,"
    "  provider TEXT NOT NULL,"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  input_cost_per_1k REAL CHECK (input_cost_per_1k >= 0),"
    "  output_cost_per_1k REAL CHECK (output_cost_per_1k >= 0),"
    "  cost_per_image REAL CHECK (cost_per_image >= 0),"
    "  tokens_per_credit INTEGER CHECK (tokens_per_credit >= 1),"
    "  credits_per_image INTEGER CHECK (credits_per_image >= 0),"
    "  max_output_tokens INTEGER CHECK (max_output_tokens >= 1),"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0,1)),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  FOREIGN KEY (provider, model_type) REFERENCES integration(provider, model_type)"
    ");"
    "CREATE UNIQUE INDEX model_one_default_per_type ON model(model_type) WHERE is_default = 1;"
    "CREATE TABLE global_settings ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  is_active INTEGER NOT NULL DEFAULT 1,"
    "  text_integration TEXT REFERENCES integration(name),"
    "  image_integration TEXT REFERENCES integration(name),"
    "  updated_at TEXT, updated_by TEXT"
    ");"
    "INSERT INTO global_settings (id) VALUES (1);"
    "CREATE TABLE operation ("
    "  name TEXT PRIMARY KEY,"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  description TEXT"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_integration ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  integration TEXT NOT NULL REFERENCES integration(name),"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  model TEXT REFERENCES model(model_name),"
    "  temperature REAL, max_tokens INTEGER, size TEXT, quality TEXT, style TEXT,"
    "  api_key TEXT,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, integration)"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_provider ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  model_type TEXT NOT NULL CHECK (model_type IN ('text','image')),"
    "  integration TEXT NOT NULL REFERENCES integration(name),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, model_type)"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_operation_model ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  operation TEXT NOT NULL REFERENCES operation(name),"
    "  model_name TEXT NOT NULL REFERENCES model(model_name),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, operation)"
    ") WITHOUT ROWID;"
    "CREATE TABLE module ("
    "  name TEXT PRIMARY KEY,"
    "  description TEXT,"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_module ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  module TEXT NOT NULL REFERENCES module(name),"
    "  enabled INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, module)"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL, actor TEXT NOT NULL, entity TEXT NOT NULL, key TEXT,"
    "  account_id INTEGER, action TEXT NOT NULL, before TEXT, after TEXT"
    ");",
    /* 1 -> 2: audit queries by entity and account stay fast as the log grows; the last
     * connection test per integration and key owner (DESIGN §1 "connection status"). */
    "CREATE INDEX audit_by_entity ON audit(entity, id);"
    "CREATE INDEX audit_by_account ON audit(account_id, id) WHERE account_id IS NOT NULL;"
    "CREATE TABLE connection_status ("
    "  integration TEXT NOT NULL REFERENCES integration(name),"
    "  account_id INTEGER NOT NULL DEFAULT 0,"
    "  tested_at TEXT NOT NULL, ok INTEGER NOT NULL, http_status INTEGER,"
    "  latency_ms REAL, error_class TEXT, message TEXT,"
    "  PRIMARY KEY (integration, account_id)"
    ") WITHOUT ROWID;",
    /* 2 -> 3: prompt templates. Versions are immutable and never deleted: the triggers
     * hold that promise even against a write that bypasses the library. */
    "CREATE TABLE prompt_type ("
    "  name TEXT PRIMARY KEY,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  published_version INTEGER,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE prompt_version ("
    "  prompt_type TEXT NOT NULL REFERENCES prompt_type(name),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  value TEXT NOT NULL, description TEXT, message TEXT, variables TEXT NOT NULL,"
    "  author TEXT NOT NULL, created_at TEXT NOT NULL,"
    "  PRIMARY KEY (prompt_type, version)"
    ") WITHOUT ROWID;"
    PROMPT_VERSION_TRIGGERS
    "CREATE TABLE account_prompt ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  prompt_type TEXT NOT NULL REFERENCES prompt_type(name),"
    "  prompt_value TEXT NOT NULL, default_prompt TEXT NOT NULL,"
    "  based_on_version INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, prompt_type)"
    ") WITHOUT ROWID;"
    "CREATE INDEX account_prompt_by_type ON account_prompt(prompt_type, based_on_version);",
    /* 3 -> 4: the libraries of author profiles and strategies, and the accounts' copies.
     * `fields` holds the kind's own fields as a JSON object; a copy keeps its source's
     * revision and content at clone time, for "changed since" and reset. */
    "CREATE TABLE library_item ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('author_profile','strategy')),"
    "  name TEXT NOT NULL, description TEXT, category TEXT NOT NULL,"
    "  fields TEXT NOT NULL,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  UNIQUE (kind, name)"
    ");"
    "CREATE TABLE account_library_item ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  kind TEXT NOT NULL CHECK (kind IN ('author_profile','strategy')),"
    "  source_id INTEGER NOT NULL REFERENCES library_item(id),"
    "  based_on_revision INTEGER NOT NULL,"
    "  based_on TEXT NOT NULL,"
    "  name TEXT NOT NULL, description TEXT, category TEXT NOT NULL,"
    "  fields TEXT NOT NULL,"
    "  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0,1)),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  UNIQUE (account_id, source_id)"
    ");"
    "CREATE INDEX account_library_by_account ON account_library_item(account_id, kind);",
    /* 4 -> 5: the change log behind the resolver's cache. Triggers record every change of
     * what the resolver reads, by any writer (another process, the sqlite3 shell), as the
     * account it concerns (NULL: platform data). Readers that saw the store change read
     * the log since their last position and drop only what changed; the log keeps its
     * last 10,000 entries (a reader further behind drops everything). */
    "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER);"
    "CREATE TRIGGER change_log_trim AFTER INSERT ON change_log WHEN new.seq % 1000 = 0"
    " BEGIN DELETE FROM change_log WHERE seq <= new.seq - 10000; END;"
    "CREATE TRIGGER account_integration_insert_logged AFTER INSERT ON account_integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_integration_update_logged AFTER UPDATE ON account_integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_integration_delete_logged AFTER DELETE ON account_integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (old.account_id); END;"
    "CREATE TRIGGER account_provider_insert_logged AFTER INSERT ON account_provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_provider_update_logged AFTER UPDATE ON account_provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_provider_delete_logged AFTER DELETE ON account_provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (old.account_id); END;"
    "CREATE TRIGGER account_operation_model_insert_logged AFTER INSERT ON account_operation_model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_operation_model_update_logged AFTER UPDATE ON account_operation_model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (new.account_id); END;"
    "CREATE TRIGGER account_operation_model_delete_logged AFTER DELETE ON account_operation_model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (old.account_id); END;"
    "CREATE TRIGGER model_insert_logged AFTER INSERT ON model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER model_update_logged AFTER UPDATE ON model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER model_delete_logged AFTER DELETE ON model"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER integration_insert_logged AFTER INSERT ON integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER integration_update_logged AFTER UPDATE ON integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER integration_delete_logged AFTER DELETE ON integration"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER global_settings_insert_logged AFTER INSERT ON global_settings"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER global_settings_update_logged AFTER UPDATE ON global_settings"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER global_settings_delete_logged AFTER DELETE ON global_settings"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER operation_insert_logged AFTER INSERT ON operation"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER operation_update_logged AFTER UPDATE ON operation"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER operation_delete_logged AFTER DELETE ON operation"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER provider_insert_logged AFTER INSERT ON provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER provider_update_logged AFTER UPDATE ON provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;"
    "CREATE TRIGGER provider_delete_logged AFTER DELETE ON provider"
    " BEGIN INSERT INTO change_log (account_id) VALUES (NULL); END;",
    /* 5 -> 6: the master keys API keys are sealed under (keys.h), by id and check value. */
    ("CREATE TABLE master_key (key_id TEXT PRIMARY KEY, check_value TEXT NOT NULL,"
     "  added_at TEXT NOT NULL, added_by TEXT NOT NULL) WITHOUT ROWID;"),
    /* 6 -> 7: platform entries of the change log say which part of the resolver's snapshot
     * changed (cache.h, IGNY8__PART_*), so that a reader reloads that part alone. */
    "ALTER TABLE change_log ADD COLUMN part INTEGER;"
    PLATFORM_LOGGED("global_settings", "1") PLATFORM_LOGGED("integration", "2") PLATFORM_LOGGED("model", "3")
    PLATFORM_LOGGED("operation", "4") PLATFORM_LOGGED("provider", "5"),
    /* 7 -> 8: plans and fallbacks (access.h). Access groups are the platform's named sets
     * of models; an account has at most one, its own additions (allowed 1) and removals
     * (allowed 0), and cost ceilings. A fallback chain (account_id 0: the platform's) is
     * the ordered models to try after the chosen one; a model appears in it once, so it
     * cannot loop, and at most 8 times. The change log learns of all of them, and of the
     * connection status the health-aware choice reads: groups are platform part 6, chains
     * of account 0 part 7, and every connection status part 8 (tests are few, and the
     * snapshot keeps them all, the accounts' own keys' too). */
    "CREATE TABLE access_group ("
    "  name TEXT PRIMARY KEY, description TEXT,"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE access_group_model ("
    "  group_name TEXT NOT NULL REFERENCES access_group(name) ON DELETE CASCADE,"
    "  model_name TEXT NOT NULL REFERENCES model(model_name),"
    "  PRIMARY KEY (group_name, model_name)"
    ") WITHOUT ROWID;"
    "CREATE TABLE account_access ("
    "  account_id INTEGER PRIMARY KEY CHECK (account_id > 0),"
    "  group_name TEXT REFERENCES access_group(name),"
    "  max_cost_per_1k_tokens REAL CHECK (max_cost_per_1k_tokens >= 0),"
    "  max_cost_per_image REAL CHECK (max_cost_per_image >= 0),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL"
    ");"
    "CREATE INDEX account_access_by_group ON account_access(group_name) WHERE group_name IS NOT NULL;"
    "CREATE TABLE account_access_model ("
    "  account_id INTEGER NOT NULL CHECK (account_id > 0),"
    "  model_name TEXT NOT NULL REFERENCES model(model_name),"
    "  allowed INTEGER NOT NULL CHECK (allowed IN (0,1)),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, model_name)"
    ") WITHOUT ROWID;"
    "CREATE TABLE fallback_chain ("
    "  account_id INTEGER NOT NULL CHECK (account_id >= 0),"
    "  operation TEXT NOT NULL REFERENCES operation(name),"
    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, operation)"
    ") WITHOUT ROWID;"
    "CREATE TABLE fallback_chain_model ("
    "  account_id INTEGER NOT NULL, operation TEXT NOT NULL,"
    "  position INTEGER NOT NULL CHECK (position >= 0 AND position < 8),"
    "  model_name TEXT NOT NULL REFERENCES model(model_name),"
    "  PRIMARY KEY (account_id, operation, position),"
    "  UNIQUE (account_id, operation, model_name),"
    "  FOREIGN KEY (account_id, operation) REFERENCES fallback_chain(account_id, operation) ON DELETE CASCADE"
    ") WITHOUT ROWID;"
    /* an account with own models or chains has an account_access row (its header), which
     * the resolver reads first: an account without one costs no look in the other two */
    "CREATE TRIGGER account_access_model_header AFTER INSERT ON account_access_model"
    " BEGIN INSERT INTO account_access (account_id, updated_at, updated_by) SELECT new.account_id, new.updated_at,"
    " new.updated_by WHERE NOT EXISTS (SELECT 1 FROM account_access WHERE account_id = new.account_id); END;"
    "CREATE TRIGGER fallback_chain_header AFTER INSERT ON fallback_chain WHEN new.account_id > 0"
    " BEGIN INSERT INTO account_access (account_id, updated_at, updated_by) SELECT new.account_id, new.updated_at,"
    " new.updated_by WHERE NOT EXISTS (SELECT 1 FROM account_access WHERE account_id = new.account_id); END;"
    "CREATE TRIGGER account_access_is_kept BEFORE DELETE ON account_access"
    " WHEN EXISTS (SELECT 1 FROM account_access_model WHERE account_id = old.account_id)"
    " OR EXISTS (SELECT 1 FROM fallback_chain WHERE account_id = old.account_id)"
    " BEGIN SELECT RAISE(ABORT, 'the account_access row of an account with own models or chains is kept'); END;"
    PLATFORM_LOGGED_NEW("access_group", "6") PLATFORM_LOGGED_NEW("access_group_model", "6")
    ACCOUNT_LOGGED("account_access") ACCOUNT_LOGGED("account_access_model")
    OWNER_LOGGED("fallback_chain", "7") OWNER_LOGGED("fallback_chain_model", "7")
    PLATFORM_LOGGED_NEW("connection_status", "8"),
};

#undef PLATFORM_LOGGED
#undef PLATFORM_LOGGED_ON
#undef LOGGED_ON
#undef LOGGED
#undef PLATFORM_LOGGED_NEW
#undef ACCOUNT_LOGGED
#undef OWNER_LOGGED

_Static_assert(IGNY8__ARRAY_LEN(migrations) == IGNY8_SCHEMA_VERSION,
               "one migration per schema version");


/* Bring the schema to IGNY8_SCHEMA_VERSION in one transaction. The version is read again
 * under the write lock: another process may have migrated the file meanwhile. */
int igny8__sqlite_migrate(igny8_store *st)
{
    int version, rc = igny8__sqlite_exec(st, "BEGIN IMMEDIATE", "begin migration");
    if (rc != IGNY8_OK)
        return rc;
    rc = igny8__sqlite_int(st, "PRAGMA user_version", &version);
    if (rc == IGNY8_OK && version < 0)  /* written since the open checked it: no migration starts there */
        rc = igny8__error_set(IGNY8_ECORRUPT, "path", "the store's schema version %d is no version: the store is "
                              "damaged", version);
    for (int v = version; rc == IGNY8_OK && v < IGNY8_SCHEMA_VERSION; v++)
        rc = igny8__sqlite_exec(st, migrations[v], "migrate schema");
    if (rc == IGNY8_OK && version < IGNY8_SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d;",
                 IGNY8_SCHEMA_VERSION, IGNY8__SQLITE_APPLICATION_ID);
        rc = igny8__sqlite_exec(st, sql, "record schema version");
    }
    if (rc == IGNY8_OK)
        return igny8__sqlite_exec(st, "COMMIT", "commit migration");
    sqlite3_exec(igny8__sqlite_conn(st), "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int igny8__sqlite_prompt_versions_clear(igny8_store *st)
{
    return igny8__sqlite_exec(st, PROMPT_VERSION_TRIGGERS_DROP "DELETE FROM prompt_version;" PROMPT_VERSION_TRIGGERS,
                              "empty prompt versions");
}
