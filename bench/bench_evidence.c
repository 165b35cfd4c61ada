/* bench_evidence.c — throughput of the evidence hash (constat's streaming
 * SHA-256 through OpenSSL, 1 MiB blocks) on one file, best of N runs, for
 * bench/run to print beside `openssl dgst -sha256` on the same file.
 * Usage: bench_evidence FILE [RUNS]   prints "evidence_hash_MiB_per_s X". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "constat/constat.h"
#include "constat/evidence/evidence.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    double best = 0;
    uint64_t size = 0;
    uint8_t h[32];
    char hex[65];
    constat_error err;

    if (argc < 2 || runs < 1) {
        fprintf(stderr, "usage: bench_evidence FILE [RUNS]\n");
        return 2;
    }
    if (constat_init() != CONSTAT_OK)
        return 3;
    for (int i = 0; i < runs; i++) {
        double t0 = now(), dt, rate;
        if (constat_evidence_hash_copy(argv[1], -1, h, &size, &err) != CONSTAT_OK) {
            fprintf(stderr, "bench_evidence: %s\n", err.msg);
            return 3;
        }
        dt = now() - t0;
        rate = (double)size / (1024.0 * 1024.0) / dt;
        if (rate > best)
            best = rate;
    }
    constat_hex(h, 32, hex);
    printf("evidence_sha256 %s\n", hex);
    printf("evidence_bytes %llu\n", (unsigned long long)size);
    printf("evidence_hash_MiB_per_s %.1f\n", best);
    return 0;
}
