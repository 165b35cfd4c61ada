/* bench_proofs.c — inclusion and consistency proofs from a large log, read
 * from the vault's stored tiles, beside the raw SHA-256 rate measured in the
 * same run.
 *
 * (a) baseline: SHA-256 of (0x00 || leaf) for leaves of the bench's size and
 *     of the 65-byte interior node input (0x01 || left || right), OpenSSL
 *     low-level calls on one reused context. Building a tree costs one leaf
 *     hash and about one node hash per leaf, so the bound on building is
 *     1 / (1/leaf rate + 1/node rate);
 * (b) a vault of N unsigned synthetic leaves (default 10,000,000), appended
 *     straight into the store in batches of 100,000 (constat_vault_append:
 *     one transaction a batch, every tile stored): leaves/s beside the bound;
 * (c) P inclusion proofs (default 2,000) of random leaves in the tree of size
 *     N and P consistency proofs from a random earlier size to N, each timed
 *     alone: median and 99th percentile in microseconds. Every proof is then
 *     verified against the roots (not timed), so a fast wrong proof fails
 *     the bench.
 * Usage: bench_proofs [leaves] [proofs] [workdir]   (workdir default: a new
 * dir in /tmp, removed at the end). Prints "key value" lines for bench/run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "common.h"
#include "constat/log/merkle.h"

#define LEAF 48

static int die(const char *what, const constat_error *err)
{
    fprintf(stderr, "bench_proofs: %s: %s\n", what, err->msg);
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the synthetic leaf of index i: fixed text, the index, random padding */
static void make_leaf(uint8_t *leaf, size_t len, uint64_t i)
{
    randombytes_buf(leaf, len);
    snprintf((char *)leaf, 24, "bench-leaf-%012llu", (unsigned long long)i);
}

static uint64_t rand_below(uint64_t n)
{
    uint64_t r;
    randombytes_buf(&r, sizeof r);
    return r % n;
}

int main(int argc, char **argv)
{
    uint64_t leaves = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    int proofs = argc > 2 ? atoi(argv[2]) : 2000;
    char tmpl[] = "/tmp/constat-bench-proofs.XXXXXX", vdir[4200], cmd[4300];
    const char *work = argc > 3 ? argv[3] : NULL;
    double best_leaf = 0, best_node = 0, t0, t_build, *t_inc, *t_con;
    constat_vault *v;
    constat_error err;
    uint8_t root[32];
    uint64_t *inc_idx, *con_old;
    constat_proof *inc, *con;
    struct stat sb;

    if (constat_init() != CONSTAT_OK || leaves < 2 || proofs < 1)
        return 2;
    if (!work) {
        work = mkdtemp(tmpl);
        if (!work)
            return 3;
    }
    for (int r = 0; r < 3; r++) {
        double l = bench_sha_rate(1 + LEAF, 2000000), n = bench_sha_rate(65, 2000000);
        if (l > best_leaf)
            best_leaf = l;
        if (n > best_node)
            best_node = n;
    }
    printf("sha256_leaf_per_s %.0f\n", best_leaf);
    printf("sha256_node_per_s %.0f\n", best_node);
    printf("tree_build_bound_per_s %.0f\n", 1.0 / (1.0 / best_leaf + 1.0 / best_node));

    snprintf(vdir, sizeof vdir, "%s/vault", work);
    v = bench_vault(vdir, "bench.example/proofs", leaves, LEAF, "p", "bench", make_leaf, &t_build, &err);
    if (!v)
        return die("vault", &err);
    printf("tree_leaves %llu\n", (unsigned long long)leaves);
    printf("tree_build_s %.2f\n", t_build);
    printf("tree_build_per_s %.0f\n", (double)leaves / t_build);
    snprintf(cmd, sizeof cmd, "%s/vault.db", vdir);
    if (stat(cmd, &sb) == 0)
        printf("tree_vault_bytes_per_leaf %.1f\n", (double)sb.st_size / (double)leaves);

    t_inc = calloc((size_t)proofs, sizeof *t_inc);
    t_con = calloc((size_t)proofs, sizeof *t_con);
    inc_idx = calloc((size_t)proofs, sizeof *inc_idx);
    con_old = calloc((size_t)proofs, sizeof *con_old);
    inc = calloc((size_t)proofs, sizeof *inc);
    con = calloc((size_t)proofs, sizeof *con);
    if (!t_inc || !t_con || !inc_idx || !con_old || !inc || !con)
        return 3;
    for (int i = 0; i < proofs; i++) {
        inc_idx[i] = rand_below(leaves);
        con_old[i] = 1 + rand_below(leaves - 1);
    }
    for (int i = 0; i < proofs; i++) {
        t0 = bench_now();
        if (constat_vault_prove_inclusion(v, inc_idx[i], leaves, &inc[i], &err) != CONSTAT_OK)
            return die("inclusion proof", &err);
        t_inc[i] = bench_now() - t0;
    }
    for (int i = 0; i < proofs; i++) {
        t0 = bench_now();
        if (constat_vault_prove_consistency(v, con_old[i], leaves, &con[i], &err) != CONSTAT_OK)
            return die("consistency proof", &err);
        t_con[i] = bench_now() - t0;
    }
    /* every proof checked against roots recomputed from the stored tiles */
    if (constat_vault_root(v, leaves, root, &err) != CONSTAT_OK)
        return die("root", &err);
    for (int i = 0; i < proofs; i++) {
        constat_buf leaf;
        uint8_t lh[32], old_root[32];
        constat_buf_init(&leaf);
        if (constat_vault_leaf(v, inc_idx[i], &leaf, &err) != CONSTAT_OK)
            return die("leaf", &err);
        constat_merkle_leaf_hash(leaf.data, leaf.len, lh);
        constat_buf_free(&leaf);
        if (constat_merkle_verify_inclusion(inc_idx[i], leaves, lh, &inc[i], root, &err) !=
            CONSTAT_OK)
            return die("inclusion proof does not verify", &err);
        if (constat_vault_root(v, con_old[i], old_root, &err) != CONSTAT_OK)
            return die("root", &err);
        if (constat_merkle_verify_consistency(con_old[i], leaves, old_root, root, &con[i], &err) !=
            CONSTAT_OK)
            return die("consistency proof does not verify", &err);
    }
    qsort(t_inc, (size_t)proofs, sizeof *t_inc, cmp_double);
    qsort(t_con, (size_t)proofs, sizeof *t_con, cmp_double);
    printf("proofs_checked %d\n", proofs);
    printf("inclusion_median_us %.1f\n", t_inc[proofs / 2] * 1e6);
    printf("inclusion_p99_us %.1f\n", t_inc[(proofs * 99) / 100] * 1e6);
    printf("consistency_median_us %.1f\n", t_con[proofs / 2] * 1e6);
    printf("consistency_p99_us %.1f\n", t_con[(proofs * 99) / 100] * 1e6);
    free(t_inc);
    free(t_con);
    free(inc_idx);
    free(con_old);
    free(inc);
    free(con);
    constat_vault_close(v);
    if (argc <= 3) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_proofs: could not remove %s\n", work);
    }
    return 0;
}
