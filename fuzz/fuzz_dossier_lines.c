/* fuzz_dossier_lines.c — the proofs.jsonl line parser
 * (constat_dossier_proof_line_parse), over arbitrary bytes: whole inputs and
 * each newline-separated line, as the verifier feeds it. Nothing may crash,
 * leak or read out of bounds; a parsed line must respect its limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/dossier/verify.h"

static void one(const char *p, size_t n)
{
    constat_dossier_proof_line pl;
    constat_error err;
    constat_status st = constat_dossier_proof_line_parse(p, n, &pl, &err);
    if (st == CONSTAT_OK) {
        if (pl.proof.n > CONSTAT_PROOF_MAX_HASHES || pl.index >= CONSTAT_LOG_MAX_SIZE)
            abort();
    } else if (err.msg[0] == '\0' || strnlen(err.msg, sizeof err.msg) == sizeof err.msg) {
        abort(); /* every failure explains itself */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* copy so an over-read past `size` is caught by the sanitizer */
    char *buf = malloc(size ? size : 1);
    size_t start = 0;
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    one(buf, size);
    for (size_t i = 0; i <= size; i++) {
        if (i == size || buf[i] == '\n') {
            if (i > start)
                one(buf + start, i - start);
            start = i + 1;
        }
    }
    free(buf);
    return 0;
}
