/* fuzz_canon_fast.c — the short reader of canonical JSON
 * (constat_canon_parse_fast, src/lib/record/canon_fast.c) against the full
 * path. Differential check: whatever the short reader accepts, the full
 * path (constat_json_parse) accepts too, with an equal value, and
 * constat_canon writes the input back byte for byte; so the short reader
 * never lets through a leaf that the full path would refuse as not
 * canonical, nor reads one differently. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    json_t *f, *slow = NULL;
    constat_buf b;
    constat_error e;
    char *buf;

    if (!ready) {
        if (constat_init() != CONSTAT_OK)
            abort();
        ready = 1;
    }
    /* a copy, so that a read past `size` is caught by the sanitizer */
    buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    f = constat_canon_parse_fast(buf, size);
    if (f) {
        if (constat_json_parse(buf, size, "fuzz", 0, &slow, &e) != CONSTAT_OK ||
            !json_equal(f, slow) || json_typeof(f) != json_typeof(slow))
            abort();
        constat_buf_init(&b);
        if (constat_canon(f, &b, &e) != CONSTAT_OK || b.len != size ||
            memcmp(b.data, buf, size) != 0)
            abort();
        constat_buf_free(&b);
        json_decref(slow);
        json_decref(f);
    }
    free(buf);
    return 0;
}
