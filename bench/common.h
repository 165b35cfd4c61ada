/* common.h — helpers shared by the benchmarks (bench/common.c). */
#ifndef CONSTAT_BENCH_COMMON_H
#define CONSTAT_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "constat/constat.h"
#include "constat/vault/vault.h"

/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);

/* SHA-256 of `len`-byte inputs (len <= 128) per second over `count` hashes,
 * OpenSSL's low-level calls on one reused context, each input chained to the
 * previous digest so that none can be skipped. */
double bench_sha_rate(size_t len, uint64_t count);

/* Fill `leaf` (`len` bytes) for leaf index i. */
typedef void (*bench_leaf_fn)(uint8_t *leaf, size_t len, uint64_t i);

/* A new vault at `dir` (log origin `origin`, no passphrase) holding
 * `leaves` synthetic unsigned leaves of `len` bytes (record ids
 * "<prefix><i>", kind `kind`), appended in batches of 100,000, one
 * transaction a batch; *took gets the seconds the appends took. Returns the
 * open vault, or NULL with err set. */
constat_vault *bench_vault(const char *dir, const char *origin, uint64_t leaves, size_t len,
                           const char *prefix, const char *kind, bench_leaf_fn fill,
                           double *took, constat_error *err);

#endif
