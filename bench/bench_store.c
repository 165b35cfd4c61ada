/* bench_store.c — durable appends to a store (src/lib/vault/store.h), on
 * SQLite or PostgreSQL: W writer processes share N transactions, each one
 * append as the vault makes it (begin, which takes the write lock; tree
 * size; one 200-byte leaf; commit, which returns once the commit is on
 * disk). Prints the appends per second over all writers, and checks that
 * the store ends with exactly N dense leaves (one log, no fork).
 * Usage: bench_store LOCATION N WRITERS
 *   LOCATION: a new file path (SQLite), or postgresql://...#SCHEMA (a
 *   schema that must not exist yet). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/constat.h"
#include "vault/store.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int writer(const char *loc, int w, long count)
{
    constat_store *s;
    constat_error err;
    uint8_t leaf[200], hash[32];
    char id[64];
    if (constat_store_open(loc, &s, &err) != CONSTAT_OK) {
        fprintf(stderr, "bench_store: writer %d: %s\n", w, err.msg);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        uint64_t size;
        snprintf(id, sizeof id, "bench:%d-%ld", w, i);
        memset(leaf, 0, sizeof leaf);
        memcpy(leaf, id, strlen(id));
        crypto_hash_sha256(hash, leaf, sizeof leaf);
        if (constat_store_begin(s, &err) != CONSTAT_OK ||
            constat_store_size(s, &size, &err) != CONSTAT_OK ||
            constat_store_leaf_put(s, size, leaf, sizeof leaf, id, "bench", hash, &err) !=
                CONSTAT_OK ||
            constat_store_commit(s, &err) != CONSTAT_OK) {
            fprintf(stderr, "bench_store: writer %d: %s\n", w, err.msg);
            constat_store_rollback(s);
            constat_store_close(s);
            return 1;
        }
    }
    constat_store_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    constat_store *s;
    constat_error err;
    long n;
    int writers, bad = 0;
    uint64_t size = 0;
    double t0, t1;

    if (argc != 4 || (n = atol(argv[2])) < 1 || (writers = atoi(argv[3])) < 1) {
        fprintf(stderr, "usage: bench_store LOCATION N WRITERS\n");
        return 2;
    }
    if (sodium_init() < 0 || constat_store_create(argv[1], &s, &err) != CONSTAT_OK) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
        return 1;
    }
    constat_store_close(s);
    t0 = now();
    for (int w = 0; w < writers; w++) {
        pid_t p = fork();
        if (p == 0)
            _exit(writer(argv[1], w, n / writers + (w < n % writers)));
        if (p < 0)
            return 1;
    }
    for (int w = 0; w < writers; w++) {
        int status;
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            bad = 1;
    }
    t1 = now();
    if (constat_store_open(argv[1], &s, &err) != CONSTAT_OK ||
        constat_store_size(s, &size, &err) != CONSTAT_OK) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
        return 1;
    }
    constat_store_close(s);
    if (bad || size != (uint64_t)n) {
        fprintf(stderr, "bench_store: %llu leaves after %ld appends\n",
                (unsigned long long)size, n);
        return 1;
    }
    printf("durable_appends_per_s %.0f\n", (double)n / (t1 - t0));
    return 0;
}
