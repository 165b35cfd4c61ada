/* fuzz_tsr.c — RFC 3161 replies from a TSA or a dossier (tsa.h): parse and
 * verify arbitrary bytes as a TimeStampResp / TimeStampToken against a fixed
 * CA (the sigstage chain) and data "hello". Neither may crash or leak, a
 * result must be consistent with its reason, and nothing random may verify
 * unless it is one of the real seed tokens. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/evidence/tsa.h"

/* ts_chain.pem of tests/vectors/rfc3161/.../sigstage (two certificates). */
static const char CA[] =
#include "fuzz_tsr_ca.inc"
    ;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    constat_tsa_info info;
    constat_error err;
    constat_tsa_check chk;
    constat_status st;

    if (!inited) {
        if (constat_init() != CONSTAT_OK)
            abort();
        inited = 1;
    }
    st = constat_tsa_parse(data, size, &info, &err);
    if (st == CONSTAT_OK && info.reason != CONSTAT_TSA_OK)
        abort();
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY && st != CONSTAT_ELIMIT)
        abort();
    memset(&chk, 0, sizeof chk);
    chk.ca = (const uint8_t *)CA;
    chk.ca_len = sizeof CA - 1;
    chk.data = (const uint8_t *)"hello";
    chk.data_len = 5;
    st = constat_tsa_verify(data, size, &chk, &info, &err);
    if (st == CONSTAT_OK && (info.reason != CONSTAT_TSA_OK || info.gen_time <= 0))
        abort();
    if (st == CONSTAT_EVERIFY && info.reason == CONSTAT_TSA_OK)
        abort();
    return 0;
}
