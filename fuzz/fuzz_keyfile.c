/* fuzz_keyfile.c — libFuzzer harness for the key-file reader (keyfile.h):
 * arbitrary bytes as a key file, plain or sealed, must never crash. */
#include <stdint.h>
#include <stddef.h>
#include <sodium.h>
#include "vault/keyfile.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t secret[64];
    size_t got;
    int sealed;
    static int init;
    if (!init) { if (sodium_init() < 0) return 0; init = 1; }
    if (constat_keyfile_decode((const char *)data, size, "fuzz.key", NULL, NULL, secret,
                                 sizeof secret, &got, &sealed, NULL) == CONSTAT_OK && got > sizeof secret)
        __builtin_trap();
    return 0;
}
