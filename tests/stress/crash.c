/* Crash safety (issue 9, item 5): a writer process killed with SIGKILL at random moments,
 * CYCLES times; after every kill the store opens, PRAGMA integrity_check is "ok", and
 * every write the writer acknowledged is in the store.
 *
 *   crash_sigkill                                            the test
 *   crash_sigkill --writer PATH LOG SEED FIRST_SEQ READY_FD  the writer (this binary, exec'd)
 *
 * The writer opens the store (creating it and loading the defaults in the first cycle of
 * an epoch), writes one byte to READY_FD, then writes until it is killed: integration
 * PUTs (openai max_tokens and temperature of accounts 1..8), module toggles (planner and
 * writer of accounts 1..8) and prompt commits (ideas and clustering, a quarter of them
 * publishing). Before each call it appends an intent line to LOG ("I seq ..."), and only
 * after the call returned 0 an acknowledgement ("A seq [version]"): O_APPEND and one
 * write(2) per line, which a SIGKILL cannot undo (fsync would only matter for a power
 * cut, which this test does not simulate).
 *
 * The parent kills it after a random delay of 0..50 ms (seeded), measured from the fork
 * in even cycles (so kills also land in exec, open, recovery, schema creation and the
 * defaults load) and from the writer's ready byte in odd cycles (so they land among
 * writes and commits). Then, with no writer left, it opens the store through the library
 * (it must open), checks PRAGMA integrity_check with sqlite3, and checks every key:
 * the store holds the last acknowledged value, or the value of a later write that was
 * not acknowledged (it may have committed just before the kill: the intent is the last
 * line of that cycle). Every acknowledged prompt commit must exist with its version
 * number and message, every version must come from an intent, and the published version
 * must be the last acknowledged publishing commit or a later unacknowledged one.
 * The cycles are split into EPOCHS, each on a new store file, so that several kills hit
 * a store being created.
 *
 * IGNY8_CRASH_CYCLES (default 200) and IGNY8_CRASH_SEED (default 5) change the run. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "igny8.h"

#define DEFAULT_CYCLES 200
#define EPOCHS 4
#define ACCOUNTS 8
#define MAX_DELAY_US 50000
#define SEQ_PER_CYCLE 1000000

static const char *const modules[2] = { "planner", "writer" };
static const char *const prompt_types[2] = { "ideas", "clustering" };

static char self_path[4096];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)  /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static unsigned rnd(uint64_t *s, unsigned n) { return (unsigned)((rng_next(s) >> 33) % n); }

/* A PUT of seq writes max_tokens m and temperature t/8192: one pair per seq. */
static int put_max_tokens(int64_t seq) { return 1 + (int)(seq % 16000); }
static int put_temp(int64_t seq) { return (int)((seq / 16000) % 16385); }

/* ======================================================================== writer == */

static void log_line(int fd, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    if (write(fd, line, (size_t)n) != n)
        _exit(3);
}

static void writer_fail(const char *what, int rc)
{
    fprintf(stderr, "crash writer: %s -> %d %s: %s\n", what, rc, igny8_strerror(rc), igny8_error_last()->message);
    _exit(2);
}

static int writer_main(const char *path, const char *log_path, uint64_t seed, int64_t seq, int ready_fd)
{
    igny8_store *st = NULL;
    uint64_t rng = seed | 1;
    alarm(60);  /* the parent kills it long before; never outlive a dead parent */
    int log = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (log < 0)
        return 3;
    int rc = igny8_store_open(&st, path, NULL);
    if (rc != IGNY8_OK)
        writer_fail("store_open", rc);
    rc = igny8_defaults_load(st, "crash-writer", NULL);
    if (rc != IGNY8_OK && rc != IGNY8_EEXISTS)
        writer_fail("defaults_load", rc);
    if (write(ready_fd, "R", 1) != 1)
        return 3;
    close(ready_fd);
    for (;; seq++) {
        unsigned op = rnd(&rng, 4);
        int64_t a = 1 + rnd(&rng, ACCOUNTS);
        if (op <= 1) {
            char body[96];
            snprintf(body, sizeof(body), "{\"max_tokens\":%d,\"temperature\":%.17g}", put_max_tokens(seq),
                     put_temp(seq) / 8192.0);
            log_line(log, "I %" PRId64 " put %" PRId64, seq, a);
            if ((rc = igny8_integration_put_json(st, "crash-writer", a, "openai", body, NULL)) != IGNY8_OK)
                writer_fail("integration_put_json", rc);
            log_line(log, "A %" PRId64, seq);
        } else if (op == 2) {
            int m = (int)rnd(&rng, 2), v = (int)rnd(&rng, 2);
            char body[64];
            snprintf(body, sizeof(body), "{\"%s\":%s}", modules[m], v ? "true" : "false");
            log_line(log, "I %" PRId64 " mod %" PRId64 " %d %d", seq, a, m, v);
            if ((rc = igny8_module_put_json(st, "crash-writer", a, body, NULL)) != IGNY8_OK)
                writer_fail("module_put_json", rc);
            log_line(log, "A %" PRId64, seq);
        } else {
            int t = (int)rnd(&rng, 2), publish = rnd(&rng, 4) == 0;
            char value[96], message[32];
            igny8_prompt *p = NULL;
            igny8_prompt_commit_options o = IGNY8_PROMPT_COMMIT_OPTIONS_INIT;
            snprintf(value, sizeof(value), "Crash test write %" PRId64 " for {site_name}.\n", seq);
            snprintf(message, sizeof(message), "s%" PRId64, seq);
            o.prompt_type = prompt_types[t];
            o.value = value;
            o.message = message;
            o.publish = publish;
            log_line(log, "I %" PRId64 " commit %d %d", seq, t, publish);
            if ((rc = igny8_prompt_commit(st, "crash-writer", &o, &p)) != IGNY8_OK)
                writer_fail("prompt_commit", rc);
            log_line(log, "A %" PRId64 " %d", seq, igny8_prompt_version(p));
            igny8_prompt_free(p);
        }
    }
}

/* ======================================================================== parent == */

enum { OP_PUT, OP_MOD, OP_COMMIT };

typedef struct {
    int64_t seq;
    int op, a, m, v, t, publish;  /* put: a; mod: a, m (module), v; commit: t, publish */
    int acked, version;           /* version: of an acknowledged commit */
} record;

typedef struct {
    record *r;
    size_t n, cap;
} records;

static int failures;

static void fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failures++;
}

static record *find(records *rs, int64_t seq)
{
    for (size_t i = rs->n; i-- > 0;)  /* the ack follows its intent closely */
        if (rs->r[i].seq == seq)
            return &rs->r[i];
    return NULL;
}

/* Read the log lines written since *offset; cut an unfinished last line (none is
 * expected: one write(2) per line) so the next writer's lines start clean. */
static void read_log(const char *path, off_t *offset, records *rs, int64_t *unacked_seq)
{
    FILE *f = fopen(path, "r+");
    char line[256];
    *unacked_seq = -1;
    if (f == NULL)
        return;  /* killed before its first write */
    fseeko(f, *offset, SEEK_SET);
    while (fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n') {
            fail("an unfinished log line: %s", line);
            break;
        }
        *offset += (off_t)len;
        int64_t seq;
        int a, x, y, n = 0;
        char op[16];
        if (line[0] == 'I' && sscanf(line, "I %" SCNd64 " %15s %n", &seq, op, &n) == 2) {
            if (rs->n == rs->cap) {
                rs->cap = rs->cap ? 2 * rs->cap : 1024;
                rs->r = realloc(rs->r, rs->cap * sizeof(record));
            }
            record *r = &rs->r[rs->n++];
            memset(r, 0, sizeof(*r));
            r->seq = seq;
            if (strcmp(op, "put") == 0 && sscanf(line + n, "%d", &a) == 1) {
                r->op = OP_PUT, r->a = a;
            } else if (strcmp(op, "mod") == 0 && sscanf(line + n, "%d %d %d", &a, &x, &y) == 3) {
                r->op = OP_MOD, r->a = a, r->m = x, r->v = y;
            } else if (strcmp(op, "commit") == 0 && sscanf(line + n, "%d %d", &x, &y) == 2) {
                r->op = OP_COMMIT, r->t = x, r->publish = y;
            } else {
                fail("bad log line: %s", line);
                rs->n--;
                continue;
            }
            if (*unacked_seq >= 0)
                fail("intent %" PRId64 " was neither acknowledged nor the writer's last", *unacked_seq);
            *unacked_seq = seq;
        } else if (line[0] == 'A' && sscanf(line, "A %" SCNd64 " %n", &seq, &n) == 1) {
            record *r = find(rs, seq);
            if (r == NULL || r->acked) {
                fail("acknowledgement of an unknown write %" PRId64, seq);
                continue;
            }
            r->acked = 1;
            if (r->op == OP_COMMIT && sscanf(line + n, "%d", &r->version) != 1)
                fail("a commit acknowledged without its version: %s", line);
            if (*unacked_seq == seq)
                *unacked_seq = -1;
        } else {
            fail("bad log line: %s", line);
        }
    }
    if (ftruncate(fileno(f), *offset) != 0)
        fail("cannot cut the log: %s", strerror(errno));
    fclose(f);
}

typedef struct {
    long checked_keys, acked_commits_checked, unacked_committed, unacked_lost;
} figures;

/* Whether an unacknowledged write is in the store, for the figures (NULL: unknown). */
static void count_unacked(figures *fig, int present) { present ? fig->unacked_committed++ : fig->unacked_lost++; }

static int integration_matches(igny8_store *st, int a, int64_t seq)  /* seq -1: no override */
{
    igny8_integration *s = NULL;
    if (igny8_account_integration_get(st, a, "openai", &s) != IGNY8_OK) {
        fail("account_integration_get %d: %s", a, igny8_error_last()->message);
        return 0;
    }
    int over = igny8_integration_is_override(s, IGNY8_FIELD_MAX_TOKENS);
    int ok = seq < 0 ? !over && !igny8_integration_is_override(s, IGNY8_FIELD_TEMPERATURE)
                     : over && igny8_integration_max_tokens(s) == put_max_tokens(seq) &&
                       igny8_integration_temperature(s) == put_temp(seq) / 8192.0;
    igny8_integration_free(s);
    return ok;
}

static int module_state(igny8_store *st, int a, int m)  /* -1 inherit, 0, 1; -2 on error */
{
    char *json = NULL;
    int state = -2;
    if (igny8_module_list_json(st, a, &json) != IGNY8_OK) {
        fail("module_list_json %d: %s", a, igny8_error_last()->message);
        return -2;
    }
    cJSON *j = cJSON_Parse(json), *it;
    igny8_free(json);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "modules")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(it, "name"));
        const char *source = cJSON_GetStringValue(cJSON_GetObjectItem(it, "source"));
        if (name && source && strcmp(name, modules[m]) == 0)
            state = strcmp(source, "account") == 0 ? cJSON_IsTrue(cJSON_GetObjectItem(it, "enabled")) : -1;
    }
    cJSON_Delete(j);
    return state;
}

static void check_keys(igny8_store *st, const records *rs, int cycle, figures *fig)
{
    /* the integration of each account, and its two modules */
    for (int a = 1; a <= ACCOUNTS; a++) {
        for (int key = 0; key < 3; key++) {
            int op = key == 0 ? OP_PUT : OP_MOD, m = key - 1;
            const record *last = NULL;
            for (size_t i = 0; i < rs->n; i++)
                if (rs->r[i].acked && rs->r[i].op == op && rs->r[i].a == a && (op == OP_PUT || rs->r[i].m == m))
                    last = &rs->r[i];
            int ok, state = op == OP_MOD ? module_state(st, a, m) : 0;
            ok = op == OP_PUT ? integration_matches(st, a, last ? last->seq : -1)
                              : state == (last ? last->v : -1);
            /* else a later write that was not acknowledged */
            for (size_t i = 0; i < rs->n && !ok; i++) {
                const record *r = &rs->r[i];
                if (r->acked || r->op != op || r->a != a || (op == OP_MOD && r->m != m) || (last && r->seq < last->seq))
                    continue;
                ok = op == OP_PUT ? integration_matches(st, a, r->seq) : state == r->v;
            }
            if (!ok)
                fail("cycle %d: account %d %s%s is not its last acknowledged value (seq %" PRId64 ") nor a later "
                     "unacknowledged one", cycle, a, op == OP_PUT ? "openai" : "module ", op == OP_PUT ? "" : modules[m],
                     last ? last->seq : (int64_t)-1);
            fig->checked_keys += last != NULL;
        }
    }
    /* prompts: every acknowledged commit, and nothing that was never attempted */
    for (int t = 0; t < 2; t++) {
        char *json = NULL;
        if (igny8_prompt_versions_json(st, prompt_types[t], &json) != IGNY8_OK) {
            fail("cycle %d: prompt_versions_json %s: %s", cycle, prompt_types[t], igny8_error_last()->message);
            continue;
        }
        cJSON *j = cJSON_Parse(json), *it;
        igny8_free(json);
        int published = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "published_version"));
        int last_published = 1;  /* the shipped version 1 is published */
        int64_t last_published_seq = -1;
        for (size_t i = 0; i < rs->n; i++) {
            const record *r = &rs->r[i];
            if (r->op != OP_COMMIT || r->t != t || !r->acked)
                continue;
            char want[32];
            snprintf(want, sizeof(want), "s%" PRId64, r->seq);
            int found = 0;
            cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "versions")) {
                const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(it, "message"));
                if ((int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "version")) == r->version)
                    found = msg && strcmp(msg, want) == 0;
            }
            if (!found)
                fail("cycle %d: acknowledged commit %s (%s) is not version %d", cycle, prompt_types[t], want, r->version);
            fig->acked_commits_checked++;
            if (r->publish)
                last_published = r->version, last_published_seq = r->seq;
        }
        int published_ok = published == last_published;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "versions")) {
            int v = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "version"));
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(it, "message"));
            int64_t seq = -1;
            if (v == 1)
                continue;
            record *r = msg && sscanf(msg, "s%" SCNd64, &seq) == 1 ? find((records *)rs, seq) : NULL;
            if (r == NULL || r->op != OP_COMMIT || r->t != t)
                fail("cycle %d: %s version %d (%s) was never written", cycle, prompt_types[t], v, msg ? msg : "?");
            else if (!r->acked && r->publish && r->seq > last_published_seq && published == v)
                published_ok = 1;  /* a later publishing commit that landed before the kill */
        }
        if (!published_ok)
            fail("cycle %d: %s published version %d, the last acknowledged publish was %d", cycle, prompt_types[t],
                 published, last_published);
        cJSON_Delete(j);
    }
}

static const char *integrity(const char *path, char *buf, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    snprintf(buf, size, "(no answer)");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(s, 0));
    else
        snprintf(buf, size, "(error: %s)", db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_finalize(s);
    sqlite3_close(db);
    return buf;
}

static void remove_store(const char *path)
{
    char f[600];
    const char *suffix[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
        unlink(f);
    }
}

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "--writer") == 0)
        return writer_main(argv[2], argv[3], strtoull(argv[4], NULL, 10), strtoll(argv[5], NULL, 10), atoi(argv[6]));
    if (argc != 1) {
        fprintf(stderr, "usage: %s   (the test; --writer PATH LOG SEED FIRST_SEQ READY_FD is its child)\n", argv[0]);
        return 2;
    }
    if (realpath(argv[0], self_path) == NULL)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    int cycles = (int)env_long("IGNY8_CRASH_CYCLES", DEFAULT_CYCLES);
    uint64_t rng = (uint64_t)env_long("IGNY8_CRASH_SEED", 5) * UINT64_C(0x9E3779B97F4A7C15) | 1;
    char dir[] = "/tmp/igny8-crash-XXXXXX", path[512], log[512];
    if (mkdtemp(dir) == NULL)
        return 1;
    printf("crash: %d cycles of a writer killed with SIGKILL after 0..%d ms, %d store files, in %s\n", cycles,
           MAX_DELAY_US / 1000, EPOCHS, dir);

    figures fig = { 0, 0, 0, 0 };
    records rs = { NULL, 0, 0 };
    off_t offset = 0;
    long acked_total = 0, killed_before_ready = 0, unfinished_at_kill = 0;
    int done = 0;
    double start = now_s(), max_recovery = 0;
    int per_epoch = (cycles + EPOCHS - 1) / EPOCHS;
    for (int cycle = 0; cycle < cycles && failures == 0; cycle++) {
        int epoch = cycle / per_epoch;
        snprintf(path, sizeof(path), "%s/store%d.db", dir, epoch);
        snprintf(log, sizeof(log), "%s/acks%d.log", dir, epoch);
        if (cycle % per_epoch == 0) {  /* a new store file: the writer creates it */
            if (epoch > 0) {
                char prev[512];
                snprintf(prev, sizeof(prev), "%s/store%d.db", dir, epoch - 1);
                remove_store(prev);
            }
            for (size_t i = 0; i < rs.n; i++)
                acked_total += rs.r[i].acked;
            rs.n = 0;
            offset = 0;
        }
        int ready[2];
        if (pipe(ready) != 0)
            return 1;
        int from_ready = cycle % 2;
        unsigned delay_us = rnd(&rng, MAX_DELAY_US + 1);
        char seed[32], first[32], fd[16];
        snprintf(seed, sizeof(seed), "%" PRIu64, rng_next(&rng));
        snprintf(first, sizeof(first), "%" PRId64, (int64_t)cycle * SEQ_PER_CYCLE);
        snprintf(fd, sizeof(fd), "%d", ready[1]);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(ready[0]);
            execl(self_path, "crash_sigkill", "--writer", path, log, seed, first, fd, (char *)NULL);
            _exit(127);
        }
        close(ready[1]);
        if (from_ready) {
            struct pollfd p = { ready[0], POLLIN, 0 };
            if (poll(&p, 1, 30000) != 1) {
                fail("cycle %d: the writer did not open the store within 30 s", cycle);
                kill(pid, SIGKILL);
            }
        }
        struct timespec pause = { 0, (long)delay_us * 1000 };
        nanosleep(&pause, NULL);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            fail("cycle %d: the writer ended by itself (status 0x%x): it met an error", cycle, status);
        char byte;
        int was_ready = read(ready[0], &byte, 1) == 1;
        close(ready[0]);
        killed_before_ready += !was_ready;

        int64_t unacked = -1;
        read_log(log, &offset, &rs, &unacked);
        unfinished_at_kill += unacked >= 0;

        /* the store opens (recovering the WAL), passes the integrity check, and has every
         * acknowledged write */
        double t0 = now_s();
        igny8_store *st = NULL;
        int rc = igny8_store_open(&st, path, NULL);
        double recovery = now_s() - t0;
        if (recovery > max_recovery)
            max_recovery = recovery;
        if (rc != IGNY8_OK) {
            fail("cycle %d: the store does not open after the kill: %d %s", cycle, rc, igny8_error_last()->message);
            break;
        }
        int loaded = 0;
        char *json = NULL;
        if (igny8_prompt_list_json(st, &json) == IGNY8_OK) {
            cJSON *j = cJSON_Parse(json);
            loaded = cJSON_GetArraySize(j) > 0;  /* the defaults load (one transaction) committed */
            cJSON_Delete(j);
            igny8_free(json);
        }
        if (loaded) {
            check_keys(st, &rs, cycle, &fig);
            igny8_resolution *r = NULL;
            if (igny8_get_model_for_operation(st, 1, "clustering", NULL, &r) != IGNY8_OK)
                fail("cycle %d: resolve after the kill: %s", cycle, igny8_error_last()->message);
            igny8_resolution_free(r);
            if (unacked >= 0) {  /* was the write in flight committed? (for the figures) */
                record *u = find(&rs, unacked);
                if (u->op == OP_PUT)
                    count_unacked(&fig, integration_matches(st, u->a, u->seq));
            }
        } else {
            for (size_t i = 0; i < rs.n; i++)
                if (rs.r[i].acked)
                    fail("cycle %d: the defaults are gone, with acknowledged writes", cycle);
        }
        igny8_store_close(st);
        char buf[256];
        if (strcmp(integrity(path, buf, sizeof(buf)), "ok") != 0)
            fail("cycle %d: PRAGMA integrity_check: %s", cycle, buf);
        done++;
    }
    for (size_t i = 0; i < rs.n; i++)
        acked_total += rs.r[i].acked;
    double elapsed = now_s() - start;
    printf("  %d cycles in %.1f s: %ld acknowledged writes (%ld prompt commits re-checked in every later cycle of "
           "their store, %ld key checks); %ld kills before the store was open, %ld with a write in flight "
           "(of the PUTs among them %ld had committed, %ld had not); slowest open after a kill %.1f ms; "
           "integrity_check ok after every kill\n",
           done, elapsed, acked_total, fig.acked_commits_checked, fig.checked_keys, killed_before_ready,
           unfinished_at_kill, fig.unacked_committed, fig.unacked_lost, max_recovery * 1e3);
    free(rs.r);
    if (failures) {
        fprintf(stderr, "crash: %d failures; the store and log are kept in %s\n", failures, dir);
        return 1;
    }
    remove_store(path);
    for (int e = 0; e < EPOCHS; e++) {
        snprintf(log, sizeof(log), "%s/acks%d.log", dir, e);
        unlink(log);
    }
    rmdir(dir);
    printf("crash: PASS\n");
    return 0;
}
