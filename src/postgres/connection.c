/* PostgreSQL backend: the connection (libpq), the session's settings, reconnecting
 * after the server went away, transactions and the advisory lock that serialises
 * writers, and errors. Its counterpart is src/sqlite/connection.c.
 *
 * Writes are READ COMMITTED transactions that first take one transaction-level advisory
 * lock per store (pg_advisory_xact_lock(IGN8, hashtext(schema))), so writers run one at a
 * time, as SQLite's BEGIN IMMEDIATE makes them: each statement after the lock sees every
 * write committed before it, so a read-modify-write never works on a stale row and no
 * update is lost, and no write ever fails with a serialisation error that would have to
 * be retried. (REPEATABLE READ would take its snapshot before the lock is granted.) The
 * change log's triggers take the same lock, so its sequence numbers commit in order even
 * for a writer that bypasses the library. Reads are REPEATABLE READ READ ONLY: one
 * snapshot for every statement of a call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres.h"

static void ignore_notice(void *arg, const char *message)
{
    IGNY8__UNUSED(arg);
    IGNY8__UNUSED(message);  /* the library never prints: "schema exists, skipping" and the like */
}

/* ---- errors ---- */

static int sqlstate_code(igny8_store *st, const char *state)
{
    igny8__pg_db *db = igny8__pg_of(st);
    if (state == NULL)
        return IGNY8_EIO;
    if (strcmp(state, "23505") == 0) {
        db->base.constraint = IGNY8__CONSTRAINT_UNIQUE;
        return IGNY8_EEXISTS;
    }
    if (strcmp(state, "23503") == 0) {
        db->base.constraint = IGNY8__CONSTRAINT_FOREIGN_KEY;
        return IGNY8_EINVAL;
    }
    if (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0) {  /* check, not null; a trigger's refusal */
        db->base.constraint = IGNY8__CONSTRAINT_OTHER;
        return IGNY8_EINVAL;
    }
    if (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return IGNY8_EBUSY;  /* lock_timeout (the busy timeout), serialisation, deadlock */
    if (strcmp(state, "25006") == 0)
        return IGNY8_EREADONLY;  /* opened read-only, or the server became a standby since */
    if (strcmp(state, "53200") == 0)
        return IGNY8_ENOMEM;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        strncmp(state, "58", 2) == 0)
        return IGNY8_EIO;  /* connection, disk full, shutdown, system errors */
    if (strncmp(state, "XX", 2) == 0)
        return IGNY8_ECORRUPT;
    if (strncmp(state, "22", 2) == 0)
        return IGNY8_EINVAL;  /* a value the column cannot take */
    return IGNY8_ERROR;
}

/* The first line of a libpq or server message. */
static void first_line(char *dst, size_t n, const char *msg)
{
    snprintf(dst, n, "%s", msg && *msg ? msg : "no message");
    dst[strcspn(dst, "\r\n")] = '\0';
}

int igny8__pg_lost(igny8_store *st)
{
    return PQstatus(igny8__pg_of(st)->conn) == CONNECTION_BAD;
}

int igny8__pg_fail(igny8_store *st, PGresult *res, const char *what)
{
    igny8__pg_db *db = igny8__pg_of(st);
    char msg[300];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    first_line(msg, sizeof(msg), primary ? primary : PQerrorMessage(db->conn));
    int code = res == NULL && PQstatus(db->conn) == CONNECTION_OK ? IGNY8_ENOMEM : sqlstate_code(st, state);
    PQclear(res);
    if (igny8__pg_lost(st))
        return igny8__error_set(IGNY8_EIO, NULL, "%s: the connection to the PostgreSQL server of '%s' was lost: %s",
                                what, db->display, msg);
    if (code == IGNY8_ENOMEM)
        return igny8__error_oom();
    return igny8__error_set(code, NULL, "%s: %s", what, msg);
}

int igny8__pg_check(igny8_store *st, PGresult *res, ExecStatusType status, const char *what, PGresult **keep)
{
    if (res == NULL || PQresultStatus(res) != status)
        return igny8__pg_fail(st, res, what);
    if (keep)
        *keep = res;
    else
        PQclear(res);
    return IGNY8_OK;
}

int igny8__pg_exec(igny8_store *st, const char *sql, const char *what)
{
    PGresult *res = PQexec(igny8__pg_of(st)->conn, sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return igny8__pg_check(st, res, status == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, what, NULL);
}

/* ---- the session ---- */

/* What every session of ours runs first: the store's schema, numbers that read back
 * exactly, the busy timeout as the wait for locks, the durability the flags ask for. */
static int setup_session(igny8_store *st)
{
    igny8__pg_db *db = igny8__pg_of(st);
    char sql[512];
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    snprintf(sql, sizeof(sql), "SET search_path TO \"%s\"; SET extra_float_digits = 3; SET lock_timeout = %u;"
             " SET client_min_messages = warning; SET synchronous_commit = %s; SET default_transaction_read_only = %s",
             db->schema, db->busy_timeout_ms, (db->flags & IGNY8_STORE_SYNC_NORMAL) ? "off" : "on",
             (db->flags & IGNY8_STORE_READONLY) ? "on" : "off");
    int rc = igny8__pg_exec(st, sql, "set up the session");
    PGresult *res = rc == IGNY8_OK ? PQexec(db->conn, "SELECT pg_is_in_recovery()") : NULL;
    if (rc == IGNY8_OK && (rc = igny8__pg_check(st, res, PGRES_TUPLES_OK, "read the server's role", &res)) == IGNY8_OK) {
        db->standby = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
    }
    db->generation++;  /* a new session: every statement is prepared again */
    return rc;
}

static int unreachable(igny8_store *st, const char *action)
{
    igny8__pg_db *db = igny8__pg_of(st);
    char msg[300];
    first_line(msg, sizeof(msg), PQerrorMessage(db->conn));
    return igny8__error_set(IGNY8_EIO, "path", "cannot %s the PostgreSQL server of store '%s': %s", action,
                            db->display, msg);
}

int igny8__pg_ensure_connected(igny8_store *st)
{
    igny8__pg_db *db = igny8__pg_of(st);
    if (PQstatus(db->conn) == CONNECTION_OK)
        return IGNY8_OK;
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK)
        return unreachable(st, "reconnect to");
    return setup_session(st);
}

/* ---- what may be shown of the target ---- */

static const char *option(const PQconninfoOption *o, const char *key)
{
    for (; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0 && o->val && *o->val)
            return o->val;
    return NULL;
}

/* postgresql://user@host:port/dbname of the target: never its password, whatever form
 * the target took (a URL, or key=value pairs). */
static char *display_of(const PQconninfoOption *o)
{
    const char *user = option(o, "user"), *host = option(o, "host"), *port = option(o, "port");
    const char *dbname = option(o, "dbname");
    size_t n = 32 + (user ? strlen(user) : 0) + (host ? 3 * strlen(host) : 0) + (port ? strlen(port) : 0) +
               (dbname ? strlen(dbname) : 0);
    char *d = igny8__malloc(n), *p = d;
    if (d == NULL)
        return NULL;
    p += sprintf(p, "postgresql://%s%s", user ? user : "", user ? "@" : "");
    for (const char *h = host ? host : ""; *h; h++)  /* a socket directory: its slashes encoded */
        p += *h == '/' ? sprintf(p, "%%2F") : sprintf(p, "%c", *h);
    sprintf(p, "%s%s/%s", port ? ":" : "", port ? port : "", dbname ? dbname : "");
    return d;
}

/* libpq's complaint about a target it cannot read, without the quoted part it names
 * (which could be a piece of a password). */
static int bad_target(char *err)
{
    char msg[300], *o = msg;
    int quoted = 0;
    for (const char *e = err ? err : "unreadable"; *e && *e != '\n' && o < msg + sizeof(msg) - 8; e++) {
        if (*e == '"') {
            if (!quoted)
                o += sprintf(o, "\"...\"");
            quoted = !quoted;
        } else if (!quoted) {
            *o++ = *e;
        }
    }
    *o = '\0';
    PQfreemem(err);
    return igny8__error_set(IGNY8_EINVAL, "path", "path is not a PostgreSQL URL or connection string: %s", msg);
}

static int connect_server(igny8_store *st, const char *target)
{
    igny8__pg_db *db = igny8__pg_of(st);
    char *err = NULL;
    PQconninfoOption *parsed = PQconninfoParse(target, &err);
    if (parsed == NULL)
        return err ? bad_target(err) : igny8__error_oom();
    char *display = display_of(parsed);
    PQconninfoFree(parsed);
    if (display == NULL)
        return igny8__error_oom();
    igny8__free((char *)st->path);
    st->path = display;
    db->display = display;
    /* Before dbname, a default the target may override; after it, what we need. */
    const char *keys[] = { "connect_timeout", "dbname", "client_encoding", "fallback_application_name", NULL };
    const char *values[] = { "10", target, "UTF8", "libigny8settings", NULL };
    db->conn = PQconnectdbParams(keys, values, 1);
    if (db->conn == NULL)
        return igny8__error_oom();
    if (PQstatus(db->conn) != CONNECTION_OK)
        return unreachable(st, "connect to");
    return setup_session(st);
}

/* ---- opening ---- */

static void close_store(igny8_store *st)
{
    igny8__pg_db *db = igny8__pg_of(st);
    igny8__pg_free_statements(db);
    PQfinish(db->conn);
    igny8__free(db->schema);
    igny8__free(db->lock_sql);
    igny8__free(db);
    st->db = NULL;
}

static int open_store(igny8_store *st, const igny8__open_params *p)
{
    igny8__pg_db *db = igny8__calloc(1, sizeof(*db));
    if (db == NULL)
        return igny8__error_oom();
    db->base.backend = &igny8__postgres_backend;
    db->flags = p->flags;
    db->busy_timeout_ms = p->busy_timeout_ms;
    st->db = &db->base;
    db->display = st->path;
    size_t n = strlen(p->schema) + 128;
    db->schema = igny8__strdup(p->schema);
    db->lock_sql = igny8__malloc(n);
    if (db->schema == NULL || db->lock_sql == NULL)
        return igny8__error_oom();
    /* the schema is a checked lower-case identifier (store.c): safe inside the quotes */
    snprintf(db->lock_sql, n, "BEGIN ISOLATION LEVEL READ COMMITTED;"
             " SELECT pg_advisory_xact_lock(%d, hashtext('%s'))", IGNY8__PG_APPLICATION_ID, p->schema);
    int rc = connect_server(st, p->target);
    return rc == IGNY8_OK ? igny8__pg_open_schema(st) : rc;
}

/* ---- transactions ---- */

static void rollback(igny8_store *st)
{
    PGconn *conn = igny8__pg_of(st)->conn;
    PGTransactionStatusType t = PQtransactionStatus(conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(conn, "ROLLBACK"));
}

/* A server that restarted since the last call shows only when it is used: a BEGIN that
 * finds the connection lost reconnects and begins once more (nothing has happened yet). */
static int begin(igny8_store *st, int write)
{
    igny8__pg_db *db = igny8__pg_of(st);
    const char *sql = write ? db->lock_sql : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const char *what = write ? "begin write" : "begin read";
    int rc = igny8__pg_ensure_connected(st);
    for (int attempt = 0; rc == IGNY8_OK; attempt++) {
        rc = igny8__pg_exec(st, sql, what);
        if (rc == IGNY8_OK || attempt > 0 || !igny8__pg_lost(st))
            break;
        rc = igny8__pg_ensure_connected(st);
    }
    if (rc != IGNY8_OK)
        rollback(st);
    return rc;
}

/* A COMMIT that the server did not answer, or answered by ending the session (a shutdown,
 * class 57; a connection failure, class 08), may have become durable before the answer was
 * lost: only the caller, re-reading, can tell. Any other error rolled the transaction back. */
static int commit_outcome_unknown(igny8_store *st, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return igny8__pg_lost(st) || state == NULL || strncmp(state, "57", 2) == 0 || strncmp(state, "08", 2) == 0;
}

static int commit(igny8_store *st)
{
    igny8__pg_db *db = igny8__pg_of(st);
    if (PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
        rollback(st);
        return igny8__error_set(IGNY8_ERROR, NULL, "commit: a statement of the transaction failed");
    }
    PGresult *res = PQexec(db->conn, "COMMIT");
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "COMMIT") == 0) {
        PQclear(res);
        return IGNY8_OK;
    }
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {  /* "ROLLBACK": the server refused it */
        PQclear(res);
        rollback(st);
        return igny8__error_set(IGNY8_ERROR, NULL, "commit: the server rolled the transaction back");
    }
    if (commit_outcome_unknown(st, res)) {
        PQclear(res);
        return igny8__error_set(IGNY8_EIO, NULL, "commit: the connection to the PostgreSQL server of '%s' was "
                                "lost during COMMIT: outcome unknown (the change may or may not have been applied)",
                                db->display);
    }
    int rc = igny8__pg_fail(st, res, "commit");
    rollback(st);
    return rc;
}

static const char *readonly_reason(igny8_store *st)
{
    return igny8__pg_of(st)->standby ? "the server is a read-only standby (in recovery)" : NULL;
}

const igny8__backend igny8__postgres_backend = {
    "postgresql",
    open_store, close_store, begin, commit, rollback, igny8__pg_schema_version, readonly_reason,
    igny8__pg_prepare, igny8__pg_bind_null, igny8__pg_bind_int, igny8__pg_bind_double, igny8__pg_bind_text,
    igny8__pg_step, igny8__pg_reset, igny8__pg_column_is_null, igny8__pg_column_int, igny8__pg_column_double,
    igny8__pg_column_text, igny8__pg_changes,
    igny8__pg_change_token, igny8__pg_check_store, igny8__pg_size, igny8__pg_prompt_versions_clear,
};
