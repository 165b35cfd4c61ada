/* fuzz_proof_line_fast.c — the proofs.jsonl line parser reads lines in
 * constat's own form without jansson; any other form goes through jansson.
 * Differential check: a line starting with '{' is parsed as it is and with
 * a space after the '{' (valid JSON whitespace, which the shortcut never
 * takes); both must agree on success or failure and on every value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/dossier/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    constat_dossier_proof_line a, b;
    constat_error ea, eb;
    constat_status sa, sb;
    char *buf, *spaced;

    if (size == 0 || size + 1 > CONSTAT_DOSSIER_PROOF_LINE_MAX || data[0] != '{')
        return 0;
    /* copies so an over-read past `size` is caught by the sanitizer */
    buf = malloc(size);
    spaced = malloc(size + 1);
    if (!buf || !spaced) {
        free(buf);
        free(spaced);
        return 0;
    }
    memcpy(buf, data, size);
    spaced[0] = '{';
    spaced[1] = ' ';
    memcpy(spaced + 2, data + 1, size - 1);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    sa = constat_dossier_proof_line_parse(buf, size, &a, &ea);
    sb = constat_dossier_proof_line_parse(spaced, size + 1, &b, &eb);
    if ((sa == CONSTAT_OK) != (sb == CONSTAT_OK))
        abort();
    if (sa == CONSTAT_OK) {
        if (a.index != b.index || a.proof.n != b.proof.n ||
            memcmp(a.leaf_hash, b.leaf_hash, 32) != 0)
            abort();
        for (size_t i = 0; i < a.proof.n; i++)
            if (memcmp(a.proof.hash[i], b.proof.hash[i], 32) != 0)
                abort();
    }
    free(buf);
    free(spaced);
    return 0;
}
