/* bench_seal.c — the cost of sealing at rest (seal.h), for bench/run to
 * print beside baselines measured in the same run:
 *   bench_seal private N     seals N private-values objects like an
 *                            incident's (a narrative and a contact) to the
 *                            organisation and one recipient: prints
 *                            "seal_private_per_s X"
 *   bench_seal file PATH [RUNS [THREADS]]  encrypts PATH with the sealed-file
 *                            writer (format v2: secretstream XChaCha20-Poly1305
 *                            segments, on THREADS workers, 0: one per core)
 *                            into /dev/null, reading PATH in 1 MiB pieces,
 *                            best of RUNS: prints "seal_file_MiB_per_s X" */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "constat/constat.h"
#include "constat/vault/seal.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static constat_seal_keys k;
    uint8_t edpk[32], edsk[64], rpk[32], rsk[32];
    char json[128], b64[64];
    constat_error err;

    if (argc < 3 || constat_init() != CONSTAT_OK) {
        fprintf(stderr, "usage: bench_seal private N | file PATH [RUNS [THREADS]]\n");
        return 2;
    }
    crypto_sign_keypair(edpk, edsk);
    crypto_box_keypair(rpk, rsk);
    constat_base64(rpk, 32, b64);
    snprintf(json, sizeof json, "{\"coordinator\":\"%s\"}", b64);
    if (constat_seal_keys_init(&k, edpk, edsk, json, &err) != CONSTAT_OK) {
        fprintf(stderr, "bench_seal: %s\n", err.msg);
        return 3;
    }
    if (strcmp(argv[1], "private") == 0) {
        long n = atol(argv[2]);
        json_t *v = json_pack("{s:{s:s,s:s}, s:{s:s,s:s}}", "narrative", "salt",
                              "00112233445566778899aabbccddeeff", "value",
                              "Observers were kept 50 m away behind a perimeter; one officer "
                              "filmed them.", "witness_contact", "salt",
                              "ffeeddccbbaa99887766554433221100", "value", "+33 6 00 00 00 00");
        double t0 = now(), dt;
        for (long i = 0; i < n; i++) {
            char id[32], *out = NULL;
            snprintf(id, sizeof id, "inc-%ld", i);
            if (constat_seal_private(&k, id, v, &out, &err) != CONSTAT_OK) {
                fprintf(stderr, "bench_seal: %s\n", err.msg);
                return 3;
            }
            free(out);
        }
        dt = now() - t0;
        json_decref(v);
        printf("seal_private_per_s %.0f\n", (double)n / dt);
        return 0;
    }
    if (strcmp(argv[1], "file") == 0) {
        int runs = argc > 3 ? atoi(argv[3]) : 3;
        constat_seal_set_threads(argc > 4 ? (unsigned)atoi(argv[4]) : 0);
        double best = 0;
        uint8_t *buf = malloc(CONSTAT_SEAL_CHUNK);
        for (int r = 0; r < runs; r++) {
            int in = open(argv[2], O_RDONLY), out = open("/dev/null", O_WRONLY);
            constat_seal_writer *w = NULL;
            uint64_t total = 0;
            double t0 = now(), rate;
            ssize_t got;
            if (in < 0 || out < 0 || !buf ||
                constat_seal_writer_new(&k, out, &w, &err) != CONSTAT_OK)
                return 3;
            while ((got = read(in, buf, CONSTAT_SEAL_CHUNK)) > 0) {
                if (constat_seal_writer_write(w, buf, (size_t)got, &err) != CONSTAT_OK)
                    return 3;
                total += (uint64_t)got;
            }
            if (constat_seal_writer_finish(w, &err) != CONSTAT_OK)
                return 3;
            constat_seal_writer_free(w);
            close(in);
            close(out);
            rate = (double)total / (1024.0 * 1024.0) / (now() - t0);
            if (rate > best)
                best = rate;
        }
        free(buf);
        printf("seal_file_MiB_per_s %.0f\n", best);
        return 0;
    }
    fprintf(stderr, "usage: bench_seal private N | file PATH [RUNS [THREADS]]\n");
    return 2;
}
