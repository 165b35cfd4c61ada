/* fuzz_seal.c — libFuzzer harness for what sealing at rest reads from disk
 * (seal.h): the first byte chooses the parser, the rest is its input.
 *   0: a recipient's public key file (constat_seal_pub_parse);
 *   1: a sealed evidence file (constat_seal_reader_*), read to its end with
 *      a fixed test key, never more plaintext than the file holds;
 *   2: a stored private-values envelope (constat_seal_private_open).
 * The corpus holds a valid input of each kind for the fixed key. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <jansson.h>

#include "constat/vault/seal.h"

static uint8_t pk[32], sk[32];

static void read_sealed(const uint8_t *data, size_t size)
{
    FILE *f = tmpfile();
    constat_seal_reader *r = NULL;
    size_t total = 0;
    int done = 0;
    if (!f)
        return;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return;
    }
    fflush(f);
    rewind(f);
    if (constat_seal_reader_new(sk, pk, fileno(f), "fuzz", &r, NULL) == CONSTAT_OK) {
        while (!done) {
            const uint8_t *d;
            size_t n;
            if (constat_seal_reader_next(r, &d, &n, &done, NULL) != CONSTAT_OK)
                break;
            total += n;
            if (total > size || n > CONSTAT_SEAL_CHUNK)
                __builtin_trap();
        }
    }
    constat_seal_reader_free(r);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        uint8_t seed[32] = {0};
        if (sodium_init() < 0)
            return 0;
        seed[0] = 7; /* the fixed test key of the corpus */
        crypto_box_seed_keypair(pk, sk, seed);
        init = 1;
    }
    if (size == 0)
        return 0;
    if (data[0] == 0) {
        uint8_t out[32];
        if (constat_seal_pub_parse((const char *)data + 1, size - 1, "fuzz.pub", out, NULL) ==
                CONSTAT_OK &&
            size - 1 > 4096) /* accepted beyond its limit */
            __builtin_trap();
    } else if (data[0] == 1) {
        read_sealed(data + 1, size - 1);
    } else if (data[0] == 2) {
        json_t *j = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
        json_t *out = NULL;
        if (j && constat_seal_private_open(sk, pk, "r", j, &out, NULL) == CONSTAT_OK &&
            !json_is_object(out))
            __builtin_trap();
        json_decref(out);
        json_decref(j);
    }
    return 0;
}
