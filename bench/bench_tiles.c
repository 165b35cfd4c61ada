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

#include "common.h"
#include "constat/log/tlog.h"
#include "constat/vault/vault.h"

#define LEAF 100

static double sign_rate(int count)
{
    uint8_t pk[32], sk[64], sig[64], msg[120];
    double t0;
    crypto_sign_keypair(pk, sk);
    memset(msg, 'c', sizeof msg);
    t0 = bench_now();
    for (int i = 0; i < count; i++) {
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
        msg[i % sizeof msg] ^= sig[0];
    }
    return (double)count / (bench_now() - t0);
}

static void random_leaf(uint8_t *leaf, size_t len, uint64_t i)
{
    (void)i;
    randombytes_buf(leaf, len);
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

    if (constat_init() != CONSTAT_OK || leaves == 0)
        return 2;
    if (!work) {
        work = mkdtemp(tmpl);
        if (!work)
            return 3;
    }
    for (int r = 0; r < 3; r++) {
        double s = bench_sha_rate(1 + LEAF, 2000000), g = sign_rate(20000);
        if (s > best_sha)
            best_sha = s;
        if (g > best_sign)
            best_sign = g;
    }
    printf("baseline sha256 (0x00 || %d-byte leaf): %.0f hashes/s\n", LEAF, best_sha);
    printf("baseline ed25519 sign: %.0f signatures/s\n", best_sign);

    snprintf(vdir, sizeof vdir, "%s/vault", work);
    snprintf(out, sizeof out, "%s/pub", work);
    v = bench_vault(vdir, "bench.example/log", leaves, LEAF, "b", "incident", random_leaf, &t_append, &err);
    if (!v)
        return die("vault", &err);
    printf("vault of %llu leaves appended in %.2f s (%.0f leaves/s; setup, not measured "
           "here)\n",
           (unsigned long long)leaves, t_append, (double)leaves / t_append);

    constat_tlog_vault_source(v, &src);
    t0 = bench_now();
    if (constat_tlog_export(out, &src, &st, &err) != CONSTAT_OK)
        return die("export", &err);
    t_export = bench_now() - t0;
    printf("tiles export: %llu entries, %llu files in %.2f s: %.0f entries/s  (%.2f x raw "
           "sha256 of the leaves)\n",
           (unsigned long long)st.entries, (unsigned long long)st.files_written, t_export,
           (double)st.entries / t_export, (double)st.entries / t_export / best_sha);
    t0 = bench_now();
    if (constat_tlog_export(out, &src, &st, &err) != CONSTAT_OK)
        return die("export again", &err);
    t_again = bench_now() - t0;
    printf("tiles export again (nothing new, every file compared): %.2f s: %.0f entries/s, "
           "%llu written\n",
           t_again, (double)st.entries / t_again, (unsigned long long)st.files_written);

    key = constat_vault_log_key(v)->pub;
    memset(&opts, 0, sizeof opts);
    opts.log_key = &key;
    t0 = bench_now();
    if (constat_tlog_audit(out, &opts, NULL, NULL, &sum, &err) != CONSTAT_OK)
        return die("audit", &err);
    t_audit = bench_now() - t0;
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
