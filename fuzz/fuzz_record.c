/* fuzz_record.c — arbitrary bytes through the record pipeline: strict JSON
 * parse (record limits), RFC 8785 canonicalisation (which must be stable:
 * canonicalising the canonical form again gives the same bytes), record
 * validation, content hash, and leaf parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    json_t *v = NULL;
    constat_buf b, b2;
    constat_error e;
    constat_leaf leaf;
    uint8_t h[32];

    if (!ready) {
        if (constat_init() != CONSTAT_OK)
            abort();
        ready = 1;
    }
    constat_buf_init(&b);
    constat_buf_init(&b2);
    if (constat_json_parse((const char *)data, size, "fuzz", 1, &v, &e) == CONSTAT_OK) {
        if (constat_canon(v, &b, &e) == CONSTAT_OK) {
            /* the canonical form is a fixed point */
            if (constat_canon_text((const char *)b.data, b.len, &b2, &e) != CONSTAT_OK ||
                b2.len != b.len || memcmp(b.data, b2.data, b.len) != 0)
                abort();
        }
        if (constat_record_validate(v, NULL, &e) == CONSTAT_OK) {
            if (constat_record_content_hash(v, h, &e) != CONSTAT_OK)
                abort();
        }
        json_decref(v);
    }
    if (constat_leaf_parse(data, size, &leaf, &e) == CONSTAT_OK) {
        /* an accepted leaf is exactly its own canonical form */
        if (!leaf.record)
            abort();
        constat_leaf_free(&leaf);
    }
    constat_buf_free(&b);
    constat_buf_free(&b2);
    return 0;
}
