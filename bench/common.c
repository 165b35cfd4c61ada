/* common.c — helpers shared by the benchmarks (common.h). */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile uint8_t sink;

double bench_sha_rate(size_t len, uint64_t count)
{
    uint8_t msg[128], out[32];
    SHA256_CTX c;
    double t0;
    if (len > sizeof msg)
        len = sizeof msg;
    memset(msg, 0x5a, sizeof msg);
    msg[0] = 0x00;
    t0 = bench_now();
    for (uint64_t i = 0; i < count; i++) {
        SHA256_Init(&c);
        SHA256_Update(&c, msg, len);
        SHA256_Final(out, &c);
        memcpy(msg + 1, out, 32);
    }
    sink = msg[1];
    return (double)count / (bench_now() - t0);
}

constat_vault *bench_vault(const char *dir, const char *origin, uint64_t leaves, size_t len,
                           const char *prefix, const char *kind, bench_leaf_fn fill,
                           double *took, constat_error *err)
{
    const size_t batch = 100000;
    constat_append_item *items = calloc(batch, sizeof *items);
    uint8_t *data = calloc(batch, len);
    char (*ids)[32] = calloc(batch, 32);
    constat_vault *v = NULL;
    double t0;

    if (constat_vault_create(dir, "bench-org", origin, NULL, err) != CONSTAT_OK ||
        constat_vault_open(dir, NULL, &v, err) != CONSTAT_OK)
        goto out;
    t0 = bench_now();
    if (!items || !data || !ids) {
        constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto out;
    }
    for (uint64_t done = 0; done < leaves;) {
        size_t n = leaves - done < batch ? (size_t)(leaves - done) : batch;
        for (size_t i = 0; i < n; i++) {
            snprintf(ids[i], 32, "%s%llu", prefix, (unsigned long long)(done + i));
            fill(data + i * len, len, done + i);
            items[i].leaf = data + i * len;
            items[i].leaf_len = len;
            items[i].record_id = ids[i];
            items[i].kind = kind;
            constat_sha256(data + i * len, len, items[i].content_hash);
        }
        if (constat_vault_append(v, items, n, NULL, NULL, NULL, NULL, NULL, err) != CONSTAT_OK)
            goto out;
        done += n;
    }
    *took = bench_now() - t0;
    free(items);
    free(data);
    free(ids);
    return v;
out:
    constat_vault_close(v);
    free(items);
    free(data);
    free(ids);
    return NULL;
}
