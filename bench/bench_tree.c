/* bench_tree.c — tree hashing throughput against raw SHA-256.
 *
 * (a) raw: SHA-256 of 65-byte messages (the size of an RFC 6962 node-hash
 *     input) with OpenSSL's low-level calls on one reused context;
 * (b) tree: 1,000,000 leaf hashes appended through constat_merkle_builder
 *     with a writer that only counts, reported as node hashes/s (the builder
 *     computes one node hash per completed parent, about one per leaf) and
 *     leaves/s.
 * Each is run 3 times; the best run counts. The ratio tree/raw says how
 * much of the hash rate the builder keeps (target >= 0.8).
 * Usage: bench_tree [leaves]   (default 1000000) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "constat/constat.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile uint8_t sink;

/* Hashes/s of SHA-256 over 65-byte messages; each digest feeds the next
 * message so the compiler cannot drop or batch the work. */
static double raw_rate(uint64_t count)
{
    uint8_t msg[65], out[32];
    SHA256_CTX c;
    uint64_t i;
    double t0, t1;
    memset(msg, 0x5a, sizeof msg);
    msg[0] = 0x01;
    t0 = now();
    for (i = 0; i < count; i++) {
        SHA256_Init(&c);
        SHA256_Update(&c, msg, sizeof msg);
        SHA256_Final(out, &c);
        memcpy(msg + 1 + (i & 1) * 32, out, 32);
    }
    t1 = now();
    sink = msg[1];
    return (double)count / (t1 - t0);
}

typedef struct {
    uint64_t nodes; /* parent nodes reported, i.e. node hashes computed */
    uint64_t leaves;
} counter;

static constat_status count_node(void *ctx, unsigned level, uint64_t index,
                                 const uint8_t hash[32], constat_error *err)
{
    counter *c = ctx;
    (void)index;
    (void)hash;
    (void)err;
    if (level == 0)
        c->leaves++;
    else
        c->nodes++;
    return CONSTAT_OK;
}

int main(int argc, char **argv)
{
    uint64_t leaves = 1000000, i;
    uint8_t (*leaf)[32];
    double best_raw = 0, best_tree_s = 1e30;
    uint64_t hashes = 0;
    uint8_t root[32];
    char hex[65];
    int run;

    if (argc > 1) {
        char *end;
        leaves = strtoull(argv[1], &end, 10);
        if (*end || leaves == 0) {
            fprintf(stderr, "usage: %s [leaves]\n", argv[0]);
            return 2;
        }
    }
    if (constat_init() != CONSTAT_OK) {
        fprintf(stderr, "bench_tree: constat_init failed\n");
        return 3;
    }
    /* Leaf hashes prepared up front: the benchmark measures tree hashing,
     * not leaf hashing. */
    leaf = malloc(leaves * sizeof *leaf);
    if (!leaf) {
        fprintf(stderr, "bench_tree: out of memory\n");
        return 3;
    }
    for (i = 0; i < leaves; i++)
        constat_merkle_leaf_hash(&i, sizeof i, leaf[i]);

    for (run = 0; run < 3; run++) {
        double r = raw_rate(2 * leaves);
        constat_merkle_builder b;
        counter cnt = {0, 0};
        double t0, t1;
        if (r > best_raw)
            best_raw = r;
        if (constat_merkle_builder_init(&b, 0, NULL, NULL, NULL) != CONSTAT_OK)
            return 3;
        t0 = now();
        for (i = 0; i < leaves; i++)
            if (constat_merkle_builder_append(&b, leaf[i], count_node, &cnt, NULL) !=
                CONSTAT_OK)
                return 3;
        constat_merkle_builder_root(&b, root);
        t1 = now();
        /* the root itself needs popcount(leaves) - 1 more node hashes */
        hashes = cnt.nodes + (uint64_t)__builtin_popcountll(leaves) - 1;
        if (cnt.leaves != leaves)
            return 3;
        if (t1 - t0 < best_tree_s)
            best_tree_s = t1 - t0;
    }
    constat_hex(root, 32, hex);
    {
        double tree_rate = (double)hashes / best_tree_s;
        printf("leaves: %llu, node hashes: %llu (%.2f per leaf), root %s\n",
               (unsigned long long)leaves, (unsigned long long)hashes,
               (double)hashes / (double)leaves, hex);
        printf("tree hashing: %.1f M hashes/s, %.1f M leaves/s  (raw SHA-256 65 B: %.1f M/s, "
               "ratio %.2f, target >= 0.8)\n",
               tree_rate / 1e6, (double)leaves / best_tree_s / 1e6, best_raw / 1e6,
               tree_rate / best_raw);
    }
    free(leaf);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 3;
    return 0;
}
