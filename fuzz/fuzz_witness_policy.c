/* fuzz_witness_policy.c — arbitrary bytes as a witness policy file, and,
 * after the first NUL byte, as the cosigned checkpoint it is checked
 * against. Checks the invariants witness_policy.h promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/witness/witness_policy.h"

static constat_witness_policy pol;
static constat_witness_result res[CONSTAT_WITNESS_POLICY_MAX_WITNESSES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    const char *text = (const char *)data;
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    size_t nvalid = 0, counted = 0;
    constat_error err;
    constat_status st;

    if (!ready) {
        if (constat_init() != CONSTAT_OK)
            abort();
        ready = 1;
    }
    st = constat_witness_policy_parse(text, plen, &pol, &err);
    if (st != CONSTAT_OK) {
        if (pol.n != 0 || err.msg[0] == '\0')
            abort();
        return 0;
    }
    if (pol.n == 0 || pol.n > CONSTAT_WITNESS_POLICY_MAX_WITNESSES || pol.quorum == 0 ||
        pol.quorum > pol.n)
        abort();
    for (size_t i = 0; i < pol.n; i++)
        if (pol.w[i].alg != CONSTAT_NOTE_ALG_COSIGNATURE_V1)
            abort();
    if (!nul)
        return 0;
    st = constat_witness_policy_check(&pol, (const char *)nul + 1, size - plen - 1, res,
                                      &nvalid, &err);
    for (size_t i = 0; i < pol.n; i++) {
        if (res[i].state == CONSTAT_COSIG_VALID)
            counted++;
        if (res[i].name != pol.w[i].name)
            abort();
    }
    if (counted != nvalid || (st == CONSTAT_OK && nvalid < pol.quorum))
        abort();
    return 0;
}
