/*
 * hash.h — SHA-256 (FIPS 180-4) through OpenSSL libcrypto, which uses the
 * SHA-NI / AVX2 code paths on this hardware. Contexts are reusable.
 */
#ifndef CONSTAT_HASH_H
#define CONSTAT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"

#define CONSTAT_HASH_SIZE 32

/* One-shot SHA-256 of `len` bytes at `data` into out[32]. Never fails. */
void constat_sha256(const void *data, size_t len, uint8_t out[CONSTAT_HASH_SIZE]);

/* Streaming SHA-256. The struct is opaque storage sized for OpenSSL's
 * SHA256_CTX; init, update any number of times, final. Never fails. */
typedef struct {
    uint64_t opaque[16];
} constat_sha256_ctx;
void constat_sha256_init(constat_sha256_ctx *c);
void constat_sha256_update(constat_sha256_ctx *c, const void *data, size_t len);
void constat_sha256_final(constat_sha256_ctx *c, uint8_t out[CONSTAT_HASH_SIZE]);

/* SHA-256 of a whole file, read in 1 MiB blocks (never all in memory).
 * `size` (may be NULL) receives the byte count. Errors: CONSTAT_EIO naming
 * the path, CONSTAT_ENOTFOUND if it does not exist. */
constat_status constat_sha256_file(const char *path, uint8_t out[CONSTAT_HASH_SIZE],
                                   uint64_t *size, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Lowercase hex of `n` bytes into `out` (2n+1 bytes, NUL-terminated). */
void constat_hex(const uint8_t *in, size_t n, char *out);
/* Parse exactly 2n hex digits (either case). Errors: CONSTAT_EINVAL. */
constat_status constat_unhex(const char *hex, uint8_t *out, size_t n);

/* Standard base64 (RFC 4648 section 4, padded) of `n` bytes into `out`,
 * which must hold constat_base64_len(n) bytes including the NUL. */
size_t constat_base64_len(size_t n);
void constat_base64(const uint8_t *in, size_t n, char *out);
/* Decode standard padded base64 `in` (exactly `inlen` chars, no spaces) into
 * out (capacity `cap`); *outlen gets the byte count. Errors: CONSTAT_EINVAL
 * (bad characters, padding, or more than `cap` bytes). */
constat_status constat_unbase64(const char *in, size_t inlen, uint8_t *out,
                                size_t cap, size_t *outlen);

#endif
