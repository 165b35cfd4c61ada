/* bench_serve_leaves.c — for `make bench`: N incident records signed by a
 * device key (the key file of `constat submit enrol`), one POST
 * /api/v1/records body a line, for wrk to send to `constat serve`; and the
 * Ed25519 verification bound of the same leaves, measured here, which is
 * what the server's intake can at most reach on these cores, and the cost
 * of one leaf's parse + verify on one thread (leaf_verify_us).
 * Usage: bench_serve_leaves KEYFILE ORG N OUT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "constat/constat.h"
#include "constat/base/hash.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"

/* CPU time of this thread, seconds: unlike the wall clock, it does not
 * grow when other processes share the cores */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    constat_buf *leaves;
    size_t from, to;
    const constat_note_verifier *v;
} job;

static void *verify_part(void *arg)
{
    job *j = arg;
    constat_error err;
    for (size_t i = j->from; i < j->to; i++) {
        constat_leaf l;
        if (constat_leaf_parse(j->leaves[i].data, j->leaves[i].len, &l, &err) != CONSTAT_OK ||
            constat_leaf_verify(&l, j->v, &err) != CONSTAT_OK)
            abort();
        constat_leaf_free(&l);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    constat_note_signer s;
    constat_error err;
    json_t *key;
    uint8_t seed[32];
    size_t n, got = 0, cores = 2;
    constat_buf *leaves;
    FILE *out;
    double t0, t1;
    pthread_t th[2];
    job jobs[2];

    if (argc != 5 || constat_init() != CONSTAT_OK)
        return 2;
    n = strtoul(argv[3], NULL, 10);
    key = json_load_file(argv[1], 0, NULL);
    if (!key ||
        constat_unbase64(json_string_value(json_object_get(key, "seed")),
                         strlen(json_string_value(json_object_get(key, "seed"))), seed, 32,
                         &got) != CONSTAT_OK ||
        constat_note_signer_from_seed(json_string_value(json_object_get(key, "name")),
                                      CONSTAT_NOTE_ALG_ED25519, seed, &s, &err) != CONSTAT_OK)
        return 2;
    leaves = calloc(n, sizeof *leaves);
    out = fopen(argv[4], "w");
    if (!leaves || !out)
        return 3;
    for (size_t i = 0; i < n; i++) {
        char place[64], id[64];
        json_t *rec, *body;
        char *text;
        snprintf(place, sizeof place, "bench place %zu", i);
        snprintf(id, sizeof id, "bench-%zu", i);
        rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s}, s:[s], "
                        "s:{s:s}}",
                        "v", 1, "kind", "incident", "id", id, "org", argv[2], "monitor",
                        s.pub.name, "recorded_at", "2026-11-29T10:00:00Z", "occurred", "start",
                        "2026-11-29T07:00:00+01:00", "end", "2026-11-29T07:10:00+01:00",
                        "precision", "minute", "place", "name", place, "categories",
                        "identity_check", "source", "type", "direct_observation");
        constat_buf_init(&leaves[i]);
        if (!rec || constat_record_sign(rec, &s, &leaves[i], &err) != CONSTAT_OK) {
            fprintf(stderr, "bench_serve_leaves: %s\n", err.msg);
            return 2;
        }
        body = json_pack("{s:s%}", "leaf", (const char *)leaves[i].data, leaves[i].len);
        text = json_dumps(body, JSON_COMPACT);
        fprintf(out, "%s\n", text);
        free(text);
        json_decref(body);
        json_decref(rec);
    }
    fclose(out);
    /* the verification bound: parse + verify every leaf on `cores` threads */
    t0 = now_s();
    for (size_t c = 0; c < cores; c++) {
        jobs[c] = (job){leaves, n * c / cores, n * (c + 1) / cores, &s.pub};
        pthread_create(&th[c], NULL, verify_part, &jobs[c]);
    }
    for (size_t c = 0; c < cores; c++)
        pthread_join(th[c], NULL);
    t1 = now_s();
    printf("leaf_verify_per_s %.0f\n", (double)n / (t1 - t0));
    /* one leaf's parse + verify on one thread, in microseconds of CPU
     * time: what the server pays at least per record, whatever the load */
    {
        size_t m = n < 5000 ? n : 5000;
        double best = 0;
        for (int round = 0; round < 3; round++) {
            job one = {leaves, 0, m, &s.pub};
            double a = cpu_s(), d;
            verify_part(&one);
            d = (cpu_s() - a) * 1e6 / (double)m;
            if (round == 0 || d < best)
                best = d;
        }
        printf("leaf_verify_us %.2f\n", best);
    }
    for (size_t i = 0; i < n; i++)
        constat_buf_free(&leaves[i]);
    free(leaves);
    constat_note_signer_wipe(&s);
    json_decref(key);
    return 0;
}
