/* hash.c — SHA-256 via OpenSSL's low-level interface (SHA-NI path, no
 * per-call EVP fetch; docs/architecture.md, "Library traps"), hex and base64 via libsodium. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>
#include <sodium.h>

#include "constat/base/hash.h"

_Static_assert(sizeof(constat_sha256_ctx) >= sizeof(SHA256_CTX),
               "constat_sha256_ctx too small for SHA256_CTX");

void constat_sha256(const void *data, size_t len, uint8_t out[CONSTAT_HASH_SIZE])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

void constat_sha256_init(constat_sha256_ctx *c)
{
    SHA256_Init((SHA256_CTX *)(void *)c);
}

void constat_sha256_update(constat_sha256_ctx *c, const void *data, size_t len)
{
    SHA256_Update((SHA256_CTX *)(void *)c, data, len);
}

void constat_sha256_final(constat_sha256_ctx *c, uint8_t out[CONSTAT_HASH_SIZE])
{
    SHA256_Final(out, (SHA256_CTX *)(void *)c);
}

constat_status constat_sha256_file(const char *path, uint8_t out[CONSTAT_HASH_SIZE],
                                   uint64_t *size, constat_error *err)
{
    enum { BLOCK = 1 << 20 };
    constat_sha256_ctx c;
    uint64_t total = 0;
    unsigned char *block;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    block = malloc(BLOCK);
    if (!block) {
        close(fd);
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    }
    constat_sha256_init(&c);
    for (;;) {
        ssize_t n = read(fd, block, BLOCK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            constat_error_set(err, CONSTAT_EIO, "%s: read: %s", path, strerror(errno));
            free(block);
            close(fd);
            return CONSTAT_EIO;
        }
        if (n == 0)
            break;
        constat_sha256_update(&c, block, (size_t)n);
        total += (uint64_t)n;
    }
    free(block);
    close(fd);
    constat_sha256_final(&c, out);
    if (size)
        *size = total;
    return CONSTAT_OK;
}

void constat_hex(const uint8_t *in, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

constat_status constat_unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(hex) != 2 * n)
        return CONSTAT_EINVAL;
    if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) != 0 || got != n ||
        *end != '\0')
        return CONSTAT_EINVAL;
    return CONSTAT_OK;
}

size_t constat_base64_len(size_t n)
{
    return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
}

void constat_base64(const uint8_t *in, size_t n, char *out)
{
    sodium_bin2base64(out, constat_base64_len(n), in, n, sodium_base64_VARIANT_ORIGINAL);
}

constat_status constat_unbase64(const char *in, size_t inlen, uint8_t *out, size_t cap,
                                size_t *outlen)
{
    size_t got = 0;
    const char *end = NULL;
    /* libsodium accepts the input only if padding is right; reject any
     * trailing bytes it did not consume. */
    if (inlen % 4 != 0)
        return CONSTAT_EINVAL;
    if (sodium_base642bin(out, cap, in, inlen, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return CONSTAT_EINVAL;
    if (end != in + inlen)
        return CONSTAT_EINVAL;
    /* libsodium 1.0.18 takes bytes >= 0x80 as digits and ignores non-zero
     * padding bits: accept only the one canonical spelling, by encoding the
     * result again and comparing. */
    {
        char again[4 * 64 + 4];
        char *heap = NULL, *p = again;
        int same;
        if (constat_base64_len(got) > sizeof again) {
            heap = malloc(constat_base64_len(got));
            if (!heap)
                return CONSTAT_ENOMEM;
            p = heap;
        }
        constat_base64(out, got, p);
        same = strlen(p) == inlen && memcmp(p, in, inlen) == 0;
        free(heap);
        if (!same)
            return CONSTAT_EINVAL;
    }
    if (outlen)
        *outlen = got;
    return CONSTAT_OK;
}
