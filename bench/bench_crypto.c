/* bench_crypto.c — the baselines the other benchmarks are compared with,
 * measured in the same run: libsodium Ed25519 sign/s and verify/s on a
 * record-sized message, and raw SHA-256 of 65-byte inputs/s (OpenSSL). With
 * --threads N, verify/s is also measured on N threads. Prints one
 * "key value" line per figure for bench/run to read. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "constat/constat.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char pk[32], sk[64], msg[600], sig[64];

static double sign_rate(int n)
{
    double t = now_s();
    for (int i = 0; i < n; i++) {
        msg[0] = (unsigned char)i;
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    }
    return n / (now_s() - t);
}

static void *verify_loop(void *arg)
{
    int n = *(int *)arg, bad = 0;
    for (int i = 0; i < n; i++)
        bad += crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0;
    return bad ? (void *)1 : NULL;
}

static double verify_rate(int n, int threads)
{
    pthread_t th[16];
    double t = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, verify_loop, &n);
    for (int i = 0; i < threads; i++) {
        void *r;
        pthread_join(th[i], &r);
        if (r) {
            fprintf(stderr, "bench: a verification failed\n");
            exit(1);
        }
    }
    return (double)n * threads / (now_s() - t);
}

static double sha_rate(int n)
{
    unsigned char in[65], out[32];
    double t;
    memset(in, 7, sizeof in);
    t = now_s();
    for (int i = 0; i < n; i++) {
        in[1] = (unsigned char)i;
        constat_sha256(in, sizeof in, out);
        in[2] ^= out[0];
    }
    return n / (now_s() - t);
}

int main(int argc, char **argv)
{
    int threads = 1;
    double best_sign = 0, best_verify = 0, best_verify_mt = 0, best_sha = 0;

    if (argc == 3 && strcmp(argv[1], "--threads") == 0)
        threads = atoi(argv[2]);
    if (threads < 1 || threads > 16)
        threads = 1;
    if (constat_init() != CONSTAT_OK)
        return 1;
    crypto_sign_keypair(pk, sk);
    randombytes_buf(msg, sizeof msg);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    for (int r = 0; r < 3; r++) {
        double s = sign_rate(20000), v = verify_rate(10000, 1), h = sha_rate(2000000);
        double vm = threads > 1 ? verify_rate(10000, threads) : v;
        if (s > best_sign) best_sign = s;
        if (v > best_verify) best_verify = v;
        if (vm > best_verify_mt) best_verify_mt = vm;
        if (h > best_sha) best_sha = h;
    }
    printf("ed25519_sign_per_s %.0f\n", best_sign);
    printf("ed25519_verify_per_s %.0f\n", best_verify);
    printf("ed25519_verify_per_s_threads%d %.0f\n", threads, best_verify_mt);
    printf("sha256_65B_per_s %.0f\n", best_sha);
    return 0;
}
