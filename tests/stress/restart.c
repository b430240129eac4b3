/* A PostgreSQL server restart in the middle of a writer loop (issue 12, item 4).
 *
 *   stress_pg_restart      the test (IGNY8_TEST_PG_URL: the server; IGNY8_PG_SCRIPT: scripts/pg.sh)
 *
 * One process writes an account's openai temperature (counter n / 65536, so every value is
 * exact and every write changes it) and resolves it after every write, while a child
 * restarts the server twice through scripts/pg.sh: once with a fast shutdown, once with
 * an immediate one (what a crash leaves: recovery from the WAL on start). It checks:
 *
 * - every call during an outage fails with IGNY8_EIO and a message, and a resolve never
 *   answers from the cache while the server is away (stale data presented as fresh);
 * - every acknowledged write is there after the restarts: a resolve right after it sees
 *   it, and the final value is the last acknowledged one, or a later one whose commit
 *   the library reported as of unknown outcome (IGNY8_EIO after the COMMIT was sent);
 * - one audit entry per acknowledged write, plus at most one per unknown outcome;
 * - the outage was really hit (some calls failed) and the store recovered (many writes
 *   succeeded after the last failure), with no call to reopen it.
 *
 * Runs alone (RUN_SERIAL): the restarts would fail the other tests' connections. Only for
 * the cluster scripts/pg.sh runs; it returns 77 (skipped) when IGNY8_PG_SCRIPT is unset. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>

#include "igny8.h"

#define ACTOR "restart"
#define ACCOUNT 7
#define RECOVERED_WRITES 200  /* writes that must succeed after the last failure */

typedef struct {
    long attempted, acked, failed_writes, failed_reads, unknown;
    long last_acked_n, last_attempted_n, since_last_failure;
    int failures;
} tally;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

__attribute__((format(printf, 2, 3))) static void fail(tally *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    t->failures++;
}

/* A failed call: IGNY8_EIO with a message, nothing else. */
static void check_outage_error(tally *t, const char *what, int rc, long n)
{
    const igny8_error *e = igny8_error_last();
    if (rc != IGNY8_EIO)
        fail(t, "%s at write %ld: code %d (%s), not IGNY8_EIO", what, n, rc, e->message ? e->message : "");
    else if (e->message == NULL || e->message[0] == '\0')
        fail(t, "%s at write %ld: no message", what, n);
    t->since_last_failure = 0;
}

static void resolve_after(igny8_store *st, tally *t, long n, int acked)
{
    igny8_resolution *r = NULL;
    int rc = igny8_get_model_for_operation(st, ACCOUNT, "clustering", NULL, &r);
    if (rc != IGNY8_OK) {
        t->failed_reads++;
        check_outage_error(t, "resolve", rc, n);
        return;
    }
    long seen = lround(igny8_resolution_temperature(r) * 65536.0);
    igny8_resolution_free(r);
    /* After an acknowledged write its value; after a failed one the last acknowledged
     * value or (unknown outcome) one attempted since. */
    if (acked ? seen != n : (seen < t->last_acked_n || seen > t->last_attempted_n))
        fail(t, "%s: resolve after write %ld shows another value", acked ? "acknowledged" : "failed", n);
}

static void write_once(igny8_store *st, tally *t, long n)
{
    char body[64];
    snprintf(body, sizeof(body), "{\"temperature\":%.17g}", (double)n / 65536.0);
    t->attempted++;
    t->last_attempted_n = n;
    int rc = igny8_integration_put_json(st, ACTOR, ACCOUNT, "openai", body, NULL);
    if (rc == IGNY8_OK) {
        t->acked++;
        t->last_acked_n = n;
        t->since_last_failure++;
    } else {
        t->failed_writes++;
        if (strstr(igny8_error_last()->message, "outcome unknown") != NULL)
            t->unknown++;
        check_outage_error(t, "write", rc, n);
    }
    resolve_after(st, t, n, rc == IGNY8_OK);
}

static pid_t start_restarts(const char *script)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        const char *modes[] = { "fast", "immediate" };
        for (int i = 0; i < 2; i++) {
            usleep(700 * 1000);
            char cmd[4200];
            snprintf(cmd, sizeof(cmd), "bash '%s' restart \"${IGNY8_PG_DIR:-/tmp/igny8-pg}\" %s", script, modes[i]);
            printf("  restarting the server (%s shutdown)\n", modes[i]);
            fflush(stdout);
            if (system(cmd) != 0)
                _exit(1);
        }
        _exit(0);
    }
    return pid;
}

static long audit_count(const char *url, const char *schema)
{
    PGconn *conn = PQconnectdb(url);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\".audit WHERE actor = '" ACTOR "'", schema);
    PGresult *r = PQexec(conn, sql);
    long n = PQresultStatus(r) == PGRES_TUPLES_OK ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    snprintf(sql, sizeof(sql), "SET client_min_messages = warning; DROP SCHEMA \"%s\" CASCADE", schema);
    PQclear(PQexec(conn, sql));
    PQfinish(conn);
    return n;
}

/* What a fresh connection finds: the final value and the audit entries. */
static void verify_final(const char *url, const char *schema, tally *t)
{
    igny8_store *st = NULL;
    igny8_store_options opts = IGNY8_STORE_OPTIONS_INIT;
    opts.schema = schema;
    igny8_resolution *r = NULL;
    if (igny8_store_open(&st, url, &opts) != IGNY8_OK ||
        igny8_get_model_for_operation(st, ACCOUNT, "clustering", NULL, &r) != IGNY8_OK) {
        fail(t, "reopen after the restarts: %s", igny8_error_last()->message);
    } else {
        long final = lround(igny8_resolution_temperature(r) * 65536.0);
        printf("  final value: write %ld (last acknowledged %ld, last attempted %ld)\n", final,
               t->last_acked_n, t->last_attempted_n);
        if (final < t->last_acked_n || final > t->last_attempted_n)
            fail(t, "an acknowledged write was lost: final value is write %ld", final);
    }
    igny8_resolution_free(r);
    igny8_store_close(st);
    long audits = audit_count(url, schema);
    printf("  audit entries: %ld (acknowledged writes %ld, unknown outcomes %ld)\n", audits, t->acked, t->unknown);
    if (audits < t->acked || audits > t->acked + t->unknown)
        fail(t, "audit entries do not match the acknowledged writes: %ld", audits);
}

static tally write_through_restarts(igny8_store *st, const char *script)
{
    tally t;
    memset(&t, 0, sizeof(t));
    pid_t child = start_restarts(script);
    int status = -1, done = 0;
    double start = now_s();
    for (long n = 1; !done || t.since_last_failure < RECOVERED_WRITES; n++) {
        write_once(st, &t, n);
        if (!done && waitpid(child, &status, WNOHANG) == child)
            done = 1;
        if (t.since_last_failure == 0)
            usleep(2000);  /* an outage: do not spin on refused connections */
        if (now_s() - start > 120) {
            fail(&t, "no recovery within 120 s (%ld writes after the last failure)", t.since_last_failure);
            break;
        }
    }
    if (!done)
        waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail(&t, "scripts/pg.sh restart failed (status %d)", status);
    printf("  %ld writes in %.1f s: %ld acknowledged, %ld failed (%ld of unknown outcome), %ld resolves failed\n",
           t.attempted, now_s() - start, t.acked, t.failed_writes, t.unknown, t.failed_reads);
    if (t.failed_writes == 0)
        fail(&t, "no call failed: the test never met the outage (%ld writes)", t.attempted);
    return t;
}

int main(void)
{
    const char *script = getenv("IGNY8_PG_SCRIPT");
    const char *url = getenv("IGNY8_TEST_PG_URL");
    if (script == NULL || *script == '\0' || url == NULL || *url == '\0') {
        printf("stress_pg_restart: skipped (needs IGNY8_PG_SCRIPT and IGNY8_TEST_PG_URL)\n");
        return 77;
    }
    alarm(300);
    char schema[64];
    snprintf(schema, sizeof(schema), "restart_%ld", (long)getpid());
    igny8_store_options opts = IGNY8_STORE_OPTIONS_INIT;
    opts.schema = schema;
    igny8_store *st = NULL;
    if (igny8_store_open(&st, url, &opts) != IGNY8_OK || igny8_defaults_load(st, "restart-setup", NULL) != IGNY8_OK) {
        fprintf(stderr, "FAIL: setting up %s: %s\n", url, igny8_error_last()->message);
        return 1;
    }
    printf("stress_pg_restart: writing to %s (schema %s) while the server restarts twice\n",
           igny8_store_path(st), schema);
    tally t = write_through_restarts(st, script);
    igny8_store_close(st);
    verify_final(url, schema, &t);
    if (t.failures) {
        fprintf(stderr, "stress_pg_restart: %d failures\n", t.failures);
        return 1;
    }
    printf("stress_pg_restart: PASS\n");
    return 0;
}
