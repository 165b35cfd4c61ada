/* fuzz_public_report.c — arbitrary bytes as the figures.json of a public
 * report folder (what `constat verify DIR` reads from a stranger): parsed
 * as JSON with duplicates refused, then constat_disclosure_check (k, rows,
 * suppressed keys, withheld places, secondary suppression) and
 * constat_public_positions_check (positions at named sites or grid
 * centres, counts under k). Invariants: no crash, no hang; a refusal says
 * why; a violation reported through the callback is also the return. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/record/canon.h"
#include "constat/analysis/disclosure.h"
#include "constat/analysis/public_map.h"

static void count(void *ctx, const char *msg)
{
    if (!msg || !msg[0])
        abort();
    (*(size_t *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    constat_error err;
    json_t *doc = NULL;
    constat_status st;
    size_t n = 0;

    constat_error_clear(&err);
    if (constat_json_parse((const char *)data, size, "figures.json", 0, &doc, &err) !=
        CONSTAT_OK)
        return 0;
    st = constat_disclosure_check(doc, count, &n, &err);
    if ((st == CONSTAT_EVERIFY) != (n > 0) && st != CONSTAT_EINVAL && st != CONSTAT_ENOMEM)
        abort();
    if (st != CONSTAT_OK && !err.msg[0])
        abort();
    n = 0;
    constat_error_clear(&err);
    st = constat_public_positions_check(doc, count, &n, &err);
    if ((st == CONSTAT_EVERIFY) != (n > 0) && st != CONSTAT_ENOMEM)
        abort();
    if (st != CONSTAT_OK && !err.msg[0])
        abort();
    json_decref(doc);
    return 0;
}
