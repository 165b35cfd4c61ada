/* fuzz_disclosure.c — arbitrary bytes as a disclosure.json
 * (constat_disclosure_parse, docs/dossier.md "Selective disclosure") and as
 * a recipient public key line (constat_recipient_parse_pub). Invariants: no
 * crash, no hang; an accepted disclosure has v 1, a non-empty item list and
 * every item's salt is 32 hex digits; a refused one says why; an accepted
 * key line is exactly "constat-recipient-v1 " + 44 base64 characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/dossier/disclosure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    constat_error err;
    constat_recipient r;
    json_t *doc = NULL;
    constat_status st;

    constat_error_clear(&err);
    st = constat_disclosure_parse((const char *)data, size, &doc, &err);
    if (st == CONSTAT_OK) {
        json_t *items = json_object_get(doc, "items");
        if (json_integer_value(json_object_get(doc, "v")) != 1 || json_array_size(items) == 0)
            abort();
        for (size_t i = 0; i < json_array_size(items); i++) {
            const char *salt =
                json_string_value(json_object_get(json_array_get(items, i), "salt"));
            if (!salt || strlen(salt) != 32)
                abort();
        }
        json_decref(doc);
    } else if (doc || err.msg[0] == '\0') {
        abort();
    }
    constat_error_clear(&err);
    st = constat_recipient_parse_pub((const char *)data, size, "fuzz", &r, &err);
    if (st == CONSTAT_OK) {
        size_t n = size > 0 && data[size - 1] == '\n' ? size - 1 : size;
        if (n != strlen(CONSTAT_RECIPIENT_PUB_TAG) + 1 + 44)
            abort();
    } else if (err.msg[0] == '\0') {
        abort();
    }
    return 0;
}
