/* fuzz_proof.c — the proof verifiers and the tile path parsers on arbitrary
 * input. Layout: index u64le, size u64le, size2 u64le, then 32-byte hashes:
 * leaf/root1, root/root2, then the proof (as many as remain, up to and one
 * past the limit, so over-long proofs are exercised). The whole input, as a
 * NUL-terminated string, also goes to both tile path parsers, whose output
 * must format back to the same path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/log/merkle.h"

static uint64_t u64le(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static constat_proof proof;
    uint8_t a[32] = {0}, b[32] = {0};
    uint64_t index = 0, tsize = 0, size2 = 0;
    size_t off = 24, i;
    constat_error err;
    char *s;

    if (size >= 24) {
        index = u64le(data);
        tsize = u64le(data + 8);
        size2 = u64le(data + 16);
        if (size >= off + 32) {
            memcpy(a, data + off, 32);
            off += 32;
        }
        if (size >= off + 32) {
            memcpy(b, data + off, 32);
            off += 32;
        }
        proof.n = 0;
        for (i = 0; off + 32 <= size && i < CONSTAT_PROOF_MAX_HASHES; i++, off += 32)
            memcpy(proof.hash[i], data + off, 32);
        proof.n = i;
        if (off < size && (data[off] & 1))
            proof.n = CONSTAT_PROOF_MAX_HASHES + 1; /* must be refused, never read */
        (void)!constat_merkle_verify_inclusion(index, tsize, a, &proof, b, &err);
        (void)!constat_merkle_verify_consistency(tsize, size2, a, b, &proof, &err);
        /* small sizes make the verifiers walk their whole loops */
        (void)!constat_merkle_verify_inclusion(index & 0xffff, (tsize & 0xffff) + 1, a, &proof,
                                               b, &err);
        (void)!constat_merkle_verify_consistency((tsize & 0xffff) + 1,
                                                 (tsize & 0xffff) + 1 + (size2 & 0xffff), a, b,
                                                 &proof, &err);
    }

    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    {
        int level;
        uint64_t n;
        unsigned w, h;
        char out[96];
        if (constat_tile_path_parse(s, &level, &n, &w, &err) == CONSTAT_OK) {
            if (constat_tile_path(level, n, w, out) != CONSTAT_OK || strcmp(out, s) != 0)
                abort(); /* the parser accepted a non-canonical spelling */
        }
        (void)!constat_tile_path_parse_sumdb(s, &h, &level, &n, &w, &err);
    }
    free(s);
    return 0;
}
