/* bench_tiles.c — C2SP tlog-tiles export and audit of a large vault, beside
 * the raw SHA-256 and Ed25519 rates measured in the same run.
 *
 * (a) baselines: SHA-256 of (0x00 || leaf) for leaves of the bench's size,
 *     OpenSSL low-level calls on one reused context (the bound on hashing
 *     every entry once); Ed25519 signatures/s (libsodium) over a
 *     checkpoint-sized message;
 * (b) a vault of N synthetic 100-byte leaves (default 1,000,000), appended
 *     in batches of 100,000 (timed, reported, not the subject);
 * (c) export into an empty directory: entries/s (each leaf read from
 *     SQLite, hashed against its level-0 tile, written into its bundle;
 *     every tile copied); then a second export into the same directory
 *     (nothing changes: every file compared, none written);
 * (d) audit of the export from the directory: entries/s (every entry
 *     hashed, every tile recomputed and compared).
 * Usage: bench_tiles [leaves] [workdir]   (workdir default: a new dir in /tmp,
 * removed at the end) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>
#include <sodium.h>

#include "constat/constat.h"
#include "constat/log/tlog.h"
#include "constat/vault/vault.h"

#define LEAF 100

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile uint8_t sink;

static double sha_rate(uint64_t count)
{
    uint8_t msg[1 + LEAF], out[32];
    SHA256_CTX c;
    double t0;
    memset(msg, 0x5a, sizeof msg);
    msg[0] = 0x00;
    t0 = now();
    for (uint64_t i = 0; i < count; i++) {
        SHA256_Init(&c);
        SHA256_Update(&c, msg, sizeof msg);
        SHA256_Final(out, &c);
        memcpy(msg + 1, out, 32);
    }
    sink = msg[1];
    return (double)count / (now() - t0);
}

static double sign_rate(int count)
{
    uint8_t pk[32], sk[64], sig[64], msg[120];
    double t0;
    crypto_sign_keypair(pk, sk);
    memset(msg, 'c', sizeof msg);
    t0 = now();
    for (int i = 0; i < count; i++) {
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
        msg[i % sizeof msg] ^= sig[0];
    }
    return (double)count / (now() - t0);
}

static int die(const char *what, const constat_error *err)
{
    fprintf(stderr, "bench_tiles: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t leaves = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    char tmpl[] = "/tmp/constat-bench-tiles.XXXXXX", vdir[4200], out[4200], cmd[4300];
    const char *work = argc > 2 ? argv[2] : NULL;
    double best_sha = 0, best_sign = 0, t0, t_append, t_export, t_again, t_audit;
    constat_vault *v;
    constat_tlog_source src;
    constat_tlog_export_stats st;
    constat_tlog_audit_summary sum;
    constat_note_verifier key;
    constat_tlog_audit_opts opts;
    constat_error err;
    const size_t batch = 100000;
    constat_append_item *items;
    uint8_t (*data)[LEAF];
    char (*ids)[24];

    if (constat_init() != CONSTAT_OK || leaves == 0)
        return 2;
    if (!work) {
        work = mkdtemp(tmpl);
        if (!work)
            return 3;
    }
    for (int r = 0; r < 3; r++) {
        double s = sha_rate(2000000), g = sign_rate(20000);
        if (s > best_sha)
            best_sha = s;
        if (g > best_sign)
            best_sign = g;
    }
    printf("baseline sha256 (0x00 || %d-byte leaf): %.0f hashes/s\n", LEAF, best_sha);
    printf("baseline ed25519 sign: %.0f signatures/s\n", best_sign);

    snprintf(vdir, sizeof vdir, "%s/vault", work);
    snprintf(out, sizeof out, "%s/pub", work);
    if (constat_vault_create(vdir, "bench-org", "bench.example/log", NULL, &err) != CONSTAT_OK)
        return die("create", &err);
    if (constat_vault_open(vdir, NULL, &v, &err) != CONSTAT_OK)
        return die("open", &err);
    items = calloc(batch, sizeof *items);
    data = calloc(batch, LEAF);
    ids = calloc(batch, 24);
    if (!items || !data || !ids)
        return 3;
    t0 = now();
    for (uint64_t done = 0; done < leaves;) {
        size_t n = leaves - done < batch ? (size_t)(leaves - done) : batch;
        for (size_t i = 0; i < n; i++) {
            snprintf(ids[i], 24, "b%llu", (unsigned long long)(done + i));
            randombytes_buf(data[i], LEAF);
            items[i].leaf = data[i];
            items[i].leaf_len = LEAF;
            items[i].record_id = ids[i];
            items[i].kind = "incident";
            constat_sha256(data[i], LEAF, items[i].content_hash);
        }
        if (constat_vault_append(v, items, n, NULL, NULL, NULL, NULL, NULL, &err) != CONSTAT_OK)
            return die("append", &err);
        done += n;
    }
    t_append = now() - t0;
    free(items);
    free(data);
    free(ids);
    printf("vault of %llu leaves appended in %.2f s (%.0f leaves/s; setup, not measured "
           "here)\n",
           (unsigned long long)leaves, t_append, (double)leaves / t_append);

    constat_tlog_vault_source(v, &src);
    t0 = now();
    if (constat_tlog_export(out, &src, &st, &err) != CONSTAT_OK)
        return die("export", &err);
    t_export = now() - t0;
    printf("tiles export: %llu entries, %llu files in %.2f s: %.0f entries/s  (%.2f x raw "
           "sha256 of the leaves)\n",
           (unsigned long long)st.entries, (unsigned long long)st.files_written, t_export,
           (double)st.entries / t_export, (double)st.entries / t_export / best_sha);
    t0 = now();
    if (constat_tlog_export(out, &src, &st, &err) != CONSTAT_OK)
        return die("export again", &err);
    t_again = now() - t0;
    printf("tiles export again (nothing new, every file compared): %.2f s: %.0f entries/s, "
           "%llu written\n",
           t_again, (double)st.entries / t_again, (unsigned long long)st.files_written);

    key = constat_vault_log_key(v)->pub;
    memset(&opts, 0, sizeof opts);
    opts.log_key = &key;
    t0 = now();
    if (constat_tlog_audit(out, &opts, NULL, NULL, &sum, &err) != CONSTAT_OK)
        return die("audit", &err);
    t_audit = now() - t0;
    printf("tiles audit (directory): %llu entries, %llu tiles in %.2f s: %.0f entries/s  "
           "(%.2f x raw sha256; the tree costs about one more hash per entry)\n",
           (unsigned long long)sum.entries, (unsigned long long)sum.tiles, t_audit,
           (double)sum.entries / t_audit, (double)sum.entries / t_audit / best_sha);
    constat_vault_close(v);
    if (argc <= 2) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_tiles: could not remove %s\n", work);
    }
    return 0;
}
