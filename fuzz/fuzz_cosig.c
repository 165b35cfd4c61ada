/* fuzz_cosig.c — arbitrary bytes as cosignature/v1 material: the input's
 * first line as a note signature line checked against a fixed witness over
 * a fixed checkpoint, the raw bytes as a 72-byte blob, and the rest as a
 * checkpoint body a witness signs and then verifies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"

#define VKEY_WIT1 "Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk"
#define BODY15 "example.com/log/testdata\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static constat_note_verifier wit;
    static constat_note_signer signer;
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t first = nl ? (size_t)(nl - in) + 1 : size;
    constat_note_sig sig;
    constat_error err;
    uint64_t ts = 0;

    if (!ready) {
        uint8_t seed[32] = {4};
        if (constat_init() != CONSTAT_OK ||
            constat_note_verifier_parse(VKEY_WIT1, &wit, NULL) != CONSTAT_OK ||
            constat_note_signer_from_seed("fuzz.example/w", CONSTAT_NOTE_ALG_COSIGNATURE_V1,
                                          seed, &signer, NULL) != CONSTAT_OK)
            abort();
        ready = 1;
    }

    /* a timestamp that verifies is always in range */
    if (constat_note_sig_parse(in, first, &sig, &err) == CONSTAT_OK &&
        sig.sig_len <= sizeof sig.sig &&
        constat_cosignature_verify(BODY15, strlen(BODY15), sig.sig, sig.sig_len, &wit, &ts,
                                   &err) == CONSTAT_OK &&
        ts > CONSTAT_COSIG_MAX_TIMESTAMP)
        abort();
    if (constat_cosignature_timestamp(data, size, &ts, &err) == CONSTAT_OK &&
        (size != CONSTAT_COSIG_V1_LEN || ts > CONSTAT_COSIG_MAX_TIMESTAMP))
        abort();
    if (size == CONSTAT_COSIG_V1_LEN &&
        constat_cosignature_verify(BODY15, strlen(BODY15), data, size, &wit, &ts, &err) ==
            CONSTAT_OK &&
        ts > CONSTAT_COSIG_MAX_TIMESTAMP)
        abort();

    /* sign whatever parses as a checkpoint; it must verify at that time */
    if (size > first) {
        constat_buf out;
        uint64_t t = size >= 8 ? ((uint64_t)data[0] << 32) | data[1] : 1;
        constat_buf_init(&out);
        if (constat_cosignature_sign(in + first, size - first, t, &signer, &out, &err) ==
            CONSTAT_OK) {
            uint64_t got = 0;
            if (constat_note_sig_parse((const char *)out.data, out.len, &sig, &err) != CONSTAT_OK ||
                constat_cosignature_verify(in + first, size - first, sig.sig, sig.sig_len,
                                           &signer.pub, &got, &err) != CONSTAT_OK ||
                got != t)
                abort();
        }
        constat_buf_free(&out);
    }
    return 0;
}
