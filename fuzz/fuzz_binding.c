/* fuzz_binding.c — arbitrary bytes as the opened `sealed_persons` envelope
 * of a record signed offline (serve_offline.c): strict JSON parse, then
 * constat_binding_open against a record with two person commitments. It
 * must never crash; when it succeeds, the pseudonyms make a valid binding
 * that fits the record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/record/binding.h"
#include "constat/base/hash.h"
#include "constat/record/canon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static const uint8_t key[CONSTAT_PSEUDONYM_KEY_SIZE] = {7};
    static const uint8_t lh[32] = {1};
    json_t *opened = NULL, *persons = NULL, *rec, *b = NULL;
    constat_error e;

    if (!ready) {
        if (constat_init() != CONSTAT_OK)
            abort();
        ready = 1;
    }
    /* commitments of "a" and "b" under the salts 00..00 and 11..11 (the corpus opens them) */
    {
        uint8_t salt[CONSTAT_SALT_SIZE], c[32];
        char ha[65], hb[65];
        json_t *a = json_string("a"), *bb = json_string("b");
        memset(salt, 0, sizeof salt);
        if (constat_record_commit(CONSTAT_PERSON_COMMIT_FIELD, a, salt, c, &e) != CONSTAT_OK)
            abort();
        constat_hex(c, 32, ha);
        memset(salt, 0x11, sizeof salt);
        if (constat_record_commit(CONSTAT_PERSON_COMMIT_FIELD, bb, salt, c, &e) != CONSTAT_OK)
            abort();
        constat_hex(c, 32, hb);
        json_decref(a);
        json_decref(bb);
        rec = json_pack("{s:s, s:{s:[ss]}}", "id", "incident-x", "affected",
                        "person_commitments", ha, hb);
        if (!rec)
            abort();
    }
    if (constat_json_parse((const char *)data, size, "fuzz", 1, &opened, &e) == CONSTAT_OK &&
        constat_binding_open(rec, opened, key, &persons, &e) == CONSTAT_OK && persons) {
        if (constat_binding_build("org", "incident-x", lh, "2026-01-01T00:00:00Z", persons, &b,
                                  &e) != CONSTAT_OK ||
            constat_binding_fits(b, rec, lh, &e) != CONSTAT_OK)
            abort();
    }
    json_decref(b);
    json_decref(persons);
    json_decref(opened);
    json_decref(rec);
    return 0;
}
