/* bench_cosign.c — witness cosigning throughput over a 1,000,000-entry log
 * (or argv[1] entries), beside raw SHA-256 and Ed25519 measured in the same
 * run. Each witness operation opens the log's signed checkpoint (one Ed25519
 * verify), verifies a consistency proof from the size it holds to a larger
 * one, and cosigns (one Ed25519 sign): first as pure computation, then as
 * the whole constat_witness_add_checkpoint on a vault (state read, check,
 * update and commit with synchronous=FULL: the durable figure). The
 * checkpoints and proofs are made before timing: they are the log's work. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/constat.h"
#include "constat/witness/witness.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole tree in memory: levels[l][i] = node (l, i), complete nodes only. */
static uint8_t (*levels[64])[32];
static uint64_t counts[64];

static constat_status reader(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                             constat_error *err)
{
    (void)ctx;
    if (level >= 64 || index >= counts[level])
        return constat_error_set(err, CONSTAT_EINTERNAL, "node %u/%llu not built", level,
                                 (unsigned long long)index);
    memcpy(out, levels[level][index], 32);
    return CONSTAT_OK;
}

static void build(uint64_t n)
{
    counts[0] = n;
    levels[0] = malloc(n * 32);
    if (!levels[0])
        abort();
    for (uint64_t i = 0; i < n; i++) {
        uint8_t leaf[16];
        memcpy(leaf, &i, sizeof i);
        memcpy(leaf + 8, "entry...", 8);
        constat_merkle_leaf_hash(leaf, sizeof leaf, levels[0][i]);
    }
    for (unsigned l = 1; counts[l - 1] >= 2; l++) {
        counts[l] = counts[l - 1] / 2;
        levels[l] = malloc(counts[l] * 32);
        if (!levels[l])
            abort();
        for (uint64_t i = 0; i < counts[l]; i++)
            constat_merkle_node_hash(levels[l - 1][2 * i], levels[l - 1][2 * i + 1],
                                     levels[l][i]);
    }
}

typedef struct {
    uint64_t size;
    constat_buf note;
    size_t text_len;
    uint8_t root[32];
    constat_proof proof; /* from the previous size */
} step;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    int nsteps = argc > 2 ? atoi(argv[2]) : 2000;
    constat_note_signer logk, wit;
    constat_note_verifier logv;
    constat_error e;
    constat_note *opened = malloc(sizeof *opened);
    step *steps;
    double t, t_build, cpu_rate, vault_rate, sha_rate, sign_rate, verify_rate;
    char dir[64] = "/tmp/bench_cosign.XXXXXX", vdir[96], vkey[512];
    constat_vault *v;
    constat_buf sig;
    uint64_t size = 0;

    if (constat_init() != CONSTAT_OK || !opened || n < 2 || nsteps < 1)
        return 2;
    t = now_s();
    build(n);
    t_build = now_s() - t;

    if (constat_note_signer_generate("bench.example/log", &logk, &e) != CONSTAT_OK)
        return 3;
    logv = logk.pub;
    {
        uint8_t seed[32];
        randombytes_buf(seed, sizeof seed);
        if (constat_note_signer_from_seed("bench.example/witness",
                                          CONSTAT_NOTE_ALG_COSIGNATURE_V1, seed, &wit,
                                          &e) != CONSTAT_OK)
            return 3;
    }
    /* checkpoints of growing sizes, each with a proof from the one before */
    steps = calloc((size_t)nsteps, sizeof *steps);
    if (!steps)
        return 3;
    for (int i = 0; i < nsteps; i++) {
        constat_buf text;
        uint64_t remain = n - size, stepmax = remain / (uint64_t)(nsteps - i);
        uint64_t inc = 1 + (stepmax > 1 ? randombytes_uniform((uint32_t)(2 * stepmax - 1)) : 0);
        if (inc > remain - (uint64_t)(nsteps - i - 1))
            inc = remain - (uint64_t)(nsteps - i - 1);
        if (inc == 0)
            inc = 1;
        steps[i].size = size + inc;
        if (constat_merkle_root(reader, NULL, steps[i].size, steps[i].root, &e) != CONSTAT_OK)
            return 3;
        if (size > 0 && constat_merkle_prove_consistency(reader, NULL, size, steps[i].size,
                                                         &steps[i].proof, &e) != CONSTAT_OK)
            return 3;
        constat_buf_init(&text);
        constat_buf_init(&steps[i].note);
        if (constat_checkpoint_format("bench.example/log", steps[i].size, steps[i].root, &text,
                                      &e) != CONSTAT_OK ||
            constat_note_sign((const char *)text.data, text.len, &logk, 1, &steps[i].note,
                              &e) != CONSTAT_OK)
            return 3;
        steps[i].text_len = text.len;
        constat_buf_free(&text);
        size = steps[i].size;
    }

    /* baselines, this run: 65-byte SHA-256 (a Merkle node), Ed25519 on a
     * checkpoint-sized message */
    {
        uint8_t in[65] = {1}, out[32], s[64];
        int k = 2000000;
        t = now_s();
        for (int i = 0; i < k; i++) {
            in[1] = (uint8_t)i;
            constat_sha256(in, sizeof in, out);
        }
        sha_rate = k / (now_s() - t);
        k = 20000;
        t = now_s();
        for (int i = 0; i < k; i++)
            crypto_sign_detached(s, NULL, steps[0].note.data, steps[0].text_len, logk.sk);
        sign_rate = k / (now_s() - t);
        t = now_s();
        for (int i = 0; i < k; i++)
            if (crypto_sign_verify_detached(s, steps[0].note.data, steps[0].text_len,
                                            logk.pub.pk) != 0)
                return 4;
        verify_rate = k / (now_s() - t);
    }

    /* the witness work as computation only */
    constat_buf_init(&sig);
    t = now_s();
    for (int i = 0; i < nsteps; i++) {
        constat_checkpoint cp;
        if (constat_note_open((const char *)steps[i].note.data, steps[i].note.len, &logv, 1,
                              opened, &e) != CONSTAT_OK ||
            constat_checkpoint_parse((const char *)steps[i].note.data, opened->text_len, &cp,
                                     &e) != CONSTAT_OK)
            return 4;
        if (i > 0 && constat_merkle_verify_consistency(steps[i - 1].size, cp.size,
                                                       steps[i - 1].root, cp.root,
                                                       &steps[i].proof, &e) != CONSTAT_OK)
            return 4;
        constat_buf_reset(&sig);
        if (constat_cosignature_sign((const char *)steps[i].note.data, opened->text_len,
                                     1764410000u, &wit, &sig, &e) != CONSTAT_OK)
            return 4;
    }
    cpu_rate = nsteps / (now_s() - t);

    /* the whole library call on a vault: durable state per checkpoint */
    if (!mkdtemp(dir))
        return 3;
    snprintf(vdir, sizeof vdir, "%s/w", dir);
    setenv("CONSTAT_KDF", "fast", 1);
    if (constat_vault_create(vdir, "bench.example", "bench.example/wlog", NULL, &e) !=
            CONSTAT_OK ||
        constat_vault_open(vdir, NULL, &v, &e) != CONSTAT_OK ||
        constat_vault_witness_key(v, 1, &wit, &e) != CONSTAT_OK ||
        constat_note_verifier_format(&logv, vkey, sizeof vkey) != CONSTAT_OK ||
        constat_witness_log_add(v, "bench.example/log", vkey, 0, &e) != CONSTAT_OK) {
        fprintf(stderr, "bench_cosign: %s\n", e.msg);
        return 3;
    }
    t = now_s();
    for (int i = 0; i < nsteps; i++) {
        constat_witness_outcome res;
        constat_buf_reset(&sig);
        if (constat_witness_add_checkpoint(v, &wit, i ? steps[i - 1].size : 0, &steps[i].proof,
                                           (const char *)steps[i].note.data, steps[i].note.len,
                                           1764410000u, &sig, &res, &e) != CONSTAT_OK) {
            fprintf(stderr, "bench_cosign: step %d: %s\n", i, e.msg);
            return 4;
        }
    }
    vault_rate = nsteps / (now_s() - t);
    constat_vault_close(v);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

    printf("tree_entries %llu\n", (unsigned long long)n);
    printf("tree_build_s %.2f\n", t_build);
    printf("cosign_steps %d\n", nsteps);
    printf("sha256_65B_per_s %.0f\n", sha_rate);
    printf("ed25519_sign_per_s %.0f\n", sign_rate);
    printf("ed25519_verify_per_s %.0f\n", verify_rate);
    printf("witness_cosign_cpu_per_s %.0f\n", cpu_rate);
    printf("witness_add_checkpoint_vault_per_s %.0f\n", vault_rate);
    printf("# one cosign = 1 verify + 1 proof (<= %d hashes) + 1 sign: bound ~ %.0f/s from "
           "the Ed25519 rates alone\n",
           2 * 20, 1.0 / (1.0 / sign_rate + 1.0 / verify_rate));

    for (int i = 0; i < nsteps; i++)
        constat_buf_free(&steps[i].note);
    free(steps);
    constat_buf_free(&sig);
    for (unsigned l = 0; l < 64; l++)
        free(levels[l]);
    free(opened);
    constat_note_signer_wipe(&logk);
    constat_note_signer_wipe(&wit);
    return 0;
}
