/* The resolver under the traffic a platform sees (issue 14), in C; bench/run.sh runs the
 * same scenarios through the Python bindings (bench_resolve.py) and the Django peer
 * (peer_django/bench_peer.py) on the same draws, and prints them side by side.
 *
 *   bench_traffic draws ACCOUNTS N zipf|uniform|distinct SEED
 *       N account ids, one per line: Zipf(1.1) over ranks scattered across 1..ACCOUNTS,
 *       uniform, or distinct (a random permutation's prefix: every read a first read)
 *   bench_traffic run SCENARIO STORE DRAWS WARM
 *       open STORE with the default options (the default cache bound), resolve the first
 *       WARM draws untimed, then time one resolve per remaining draw:
 *         read         nothing else happens
 *         writes       a writer process commits one account PUT per 100 reads, steadily,
 *                      without the reader waiting for it (1% foreign writes)
 *         global       before each timed read the writer commits a global PUT and the
 *                      reader waits for it: the read right after a platform change
 *         after-write  before each timed read the writer commits a PUT of that very account
 *                      and the reader waits: read-after-foreign-write
 *   bench_traffic writer STORE
 *       the other process of the scenarios: reads lines "ID" or "ID!" on stdin; ID > 0 sets
 *       that account's openai max_tokens (a new value each time), ID 0 flips the platform's
 *       openai temperature; "!" answers a line on stdout once committed. At end of input it
 *       clears every max_tokens it set, so the store ends as it began.
 *
 * STORE is a SQLite file or a postgresql:// URL (schema $IGNY8_BENCH_SCHEMA). `run` prints
 * one line of key=value pairs: p50/p99 in µs, the heap the cache holds per cached account
 * (mallinfo2 after the warm pass against before the first call) and the process's RSS. */
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define WRITE_EVERY 100  /* reads per foreign write in the "writes" scenario: 1% */

static void open_store(igny8_store **st, const char *store, uint32_t flags)
{
    igny8_store_options o = IGNY8_STORE_OPTIONS_INIT;
    o.flags = flags;
    bench_open(st, store, &o);
}

/* ---- draws ---- */

/* Rank r (0 = the hottest) to an account id: a multiplicative permutation of 0..n-1, so
 * that hot accounts lie all over the id range and the tables, as on a real platform. */
static long scatter(long rank, long n)
{
    const unsigned long long prime = 2654435761ULL;  /* odd; n is never a multiple of it */
    return 1 + (long)(((unsigned long long)rank * prime) % (unsigned long long)n);
}

static double uniform01(unsigned long long *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*state >> 11) / 9007199254740992.0;
}

static int draws(long accounts, long n, const char *kind, unsigned long long seed)
{
    unsigned long long state = seed;
    double *cdf = NULL;
    if (strcmp(kind, "zipf") == 0) {
        cdf = malloc(sizeof(double) * (size_t)accounts);
        double sum = 0;
        for (long r = 0; r < accounts; r++)
            cdf[r] = (sum += pow((double)(r + 1), -1.1));
        for (long r = 0; r < accounts; r++)
            cdf[r] /= sum;
    } else if (strcmp(kind, "uniform") != 0 && strcmp(kind, "distinct") != 0) {
        fprintf(stderr, "bench_traffic: draws: zipf, uniform or distinct, not '%s'\n", kind);
        return 2;
    }
    for (long i = 0; i < n; i++) {
        long rank;
        if (cdf) {
            double u = uniform01(&state);
            long lo = 0, hi = accounts - 1;
            while (lo < hi) {
                long mid = (lo + hi) / 2;
                if (cdf[mid] < u) lo = mid + 1; else hi = mid;
            }
            rank = lo;
        } else if (kind[0] == 'd') {
            rank = (i * 40503L + (long)(seed % 1000)) % accounts;  /* distinct while n <= accounts */
        } else {
            rank = (long)(uniform01(&state) * (double)accounts);
        }
        printf("%ld\n", scatter(rank, accounts));
    }
    free(cdf);
    return 0;
}

static long *read_draws(const char *path, long *n)
{
    FILE *f = fopen(path, "r");
    long cap = 1 << 16, *ids = malloc(sizeof(long) * (size_t)cap), v;
    *n = 0;
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    while (fscanf(f, "%ld", &v) == 1) {
        if (*n == cap)
            ids = realloc(ids, sizeof(long) * (size_t)(cap *= 2));
        ids[(*n)++] = v;
    }
    fclose(f);
    return ids;
}

/* ---- the writer process ---- */

static int writer(const char *store)
{
    igny8_store *st = NULL;
    char line[64], body[64];
    long n = 0, cap = 1024, *touched = malloc(sizeof(long) * (size_t)cap);
    open_store(&st, store, IGNY8_STORE_SYNC_NORMAL);
    while (fgets(line, sizeof(line), stdin)) {
        long id = atol(line);
        if (id == 0) {
            snprintf(body, sizeof(body), "{\"integrations\":{\"openai\":{\"temperature\":%s}}}", n % 2 ? "0.3" : "0.7");
            bench_check(igny8_global_settings_put_json(st, "bench", body, NULL), "global put");
        } else {
            snprintf(body, sizeof(body), "{\"max_tokens\":%ld}", 256 + n % 2048);  /* under every model's limit */
            bench_check(igny8_integration_put_json(st, "bench", id, "openai", body, NULL), "put");
            if (n == cap)
                touched = realloc(touched, sizeof(long) * (size_t)(cap *= 2));
            touched[n] = id;
        }
        n++;
        if (strchr(line, '!')) {
            fputs("\n", stdout);
            fflush(stdout);
        }
    }
    for (long i = 0; i < n; i++)
        if (touched[i] > 0)
            bench_check(igny8_integration_put_json(st, "bench", touched[i], "openai", "{\"max_tokens\":null}", NULL), "put");
    free(touched);
    igny8_store_close(st);
    return 0;
}

typedef struct { pid_t pid; FILE *to, *from; } writer_proc;

static void writer_start(writer_proc *w, const char *self, const char *store)
{
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) {
        perror("pipe");
        exit(1);
    }
    fflush(NULL);
    w->pid = fork();
    if (w->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(self, self, "writer", store, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    w->to = fdopen(in[1], "w");
    w->from = fdopen(out[0], "r");
}

/* A line to the writer; with wait, back once it has committed it. */
static void writer_send(writer_proc *w, long id, int wait)
{
    char ack[8];
    fprintf(w->to, "%ld%s\n", id, wait ? "!" : "");
    fflush(w->to);
    if (wait && fgets(ack, sizeof(ack), w->from) == NULL) {
        fprintf(stderr, "bench_traffic: the writer stopped\n");
        exit(1);
    }
}

static void writer_stop(writer_proc *w)
{
    int status = 0;
    fclose(w->to);
    waitpid(w->pid, &status, 0);
    fclose(w->from);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_traffic: the writer failed\n");
        exit(1);
    }
}

/* ---- the reader ---- */

static double resolve_once(igny8_store *st, long account)
{
    return bench_resolve_once(st, account, bench_operations[account % 11]);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* How many accounts the warm pass put in the cache: its distinct ids, up to the bound. */
static long cached_after(const long *ids, long n)
{
    long *s = malloc(sizeof(long) * (size_t)(n ? n : 1)), d = 0;
    memcpy(s, ids, sizeof(long) * (size_t)n);
    qsort(s, (size_t)n, sizeof(long), cmp_long);
    for (long i = 0; i < n; i++)
        d += i == 0 || s[i] != s[i - 1];
    free(s);
    return d < IGNY8_CACHE_ACCOUNTS_DEFAULT ? d : IGNY8_CACHE_ACCOUNTS_DEFAULT;
}

static int run(const char *self, const char *scenario, const char *store, const char *path, long warm)
{
    long n = 0, *ids = read_draws(path, &n);
    int writes = strcmp(scenario, "writes") == 0, global = strcmp(scenario, "global") == 0;
    int after = strcmp(scenario, "after-write") == 0;
    if (!writes && !global && !after && strcmp(scenario, "read") != 0) {
        fprintf(stderr, "bench_traffic: run: read, writes, global or after-write, not '%s'\n", scenario);
        return 2;
    }
    if (warm >= n) {
        fprintf(stderr, "bench_traffic: run: %ld draws, not more than WARM (%ld)\n", n, warm);
        return 2;
    }
    igny8_store *st = NULL;
    writer_proc w = { 0, NULL, NULL };
    open_store(&st, store, 0);
    if (writes || global || after)
        writer_start(&w, self, store);
    size_t heap0 = mallinfo2().uordblks;
    for (long i = 0; i < warm; i++)
        resolve_once(st, ids[i]);
    size_t heap1 = mallinfo2().uordblks;
    long timed = n - warm;
    double *t = malloc(sizeof(double) * (size_t)timed);
    for (long i = 0; i < timed; i++) {
        long id = ids[warm + i];
        if (global || after)
            writer_send(&w, global ? 0 : id, 1);
        else if (writes && i % WRITE_EVERY == 0)
            writer_send(&w, ids[(warm + i + WRITE_EVERY / 2) % n], 0);
        t[i] = resolve_once(st, id);
    }
    if (w.to)
        writer_stop(&w);
    qsort(t, (size_t)timed, sizeof(double), bench_cmp_double);
    long cached = cached_after(ids, warm);
    printf("c_traffic scenario=%s calls=%ld p50_us=%.3f p99_us=%.3f cached=%ld bytes_per_account=%.0f rss_mb=%.1f\n",
           scenario, timed, t[timed / 2] * 1e6, t[timed * 99 / 100] * 1e6, cached,
           cached ? (double)(heap1 - heap0) / (double)cached : 0.0, (double)bench_rss_kib() / 1024.0);
    free(t);
    free(ids);
    igny8_store_close(st);
    return 0;
}

int main(int argc, char **argv)
{
    bench_program = "bench_traffic";
    signal(SIGPIPE, SIG_IGN);
    if (argc == 6 && strcmp(argv[1], "draws") == 0)
        return draws(atol(argv[2]), atol(argv[3]), argv[4], strtoull(argv[5], NULL, 10));
    if (argc == 6 && strcmp(argv[1], "run") == 0)
        return run(argv[0], argv[2], argv[3], argv[4], atol(argv[5]));
    if (argc == 3 && strcmp(argv[1], "writer") == 0)
        return writer(argv[2]);
    fprintf(stderr, "usage: bench_traffic draws ACCOUNTS N zipf|uniform|distinct SEED"
                    " | run read|writes|global|after-write STORE DRAWS WARM | writer STORE\n");
    return 2;
}
