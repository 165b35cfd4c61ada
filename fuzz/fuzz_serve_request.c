/* fuzz_serve_request.c — what `constat serve` and `constat submit` parse of
 * each other's bytes: a submission body ({"leaf": "<leaf>", ...}: strict
 * JSON, then the leaf's canonical-form parser), an enrolment code redeemed
 * against an empty vault is not reached here (it needs a vault), and a
 * receipt as the client checks it offline (constat_receipt_verify) against
 * a fixed log key and leaf. First byte: 0 submission, else receipt. Any
 * input must be refused cleanly with a message, or accepted consistently:
 * a leaf that parses must re-verify its canonical form (parse again). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/errors.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"
#include "constat/vault/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void submission(const uint8_t *d, size_t n)
{
    constat_error err;
    json_t *o = NULL;
    const char *leaf;
    constat_leaf l;

    if (constat_json_parse((const char *)d, n, "body", 1, &o, &err) != CONSTAT_OK) {
        if (err.msg[0] == 0)
            abort();
        return;
    }
    leaf = json_string_value(json_object_get(o, "leaf"));
    if (leaf) {
        if (constat_leaf_parse((const uint8_t *)leaf, strlen(leaf), &l, &err) == CONSTAT_OK) {
            constat_leaf again;
            if (!json_is_object(l.record))
                abort();
            if (constat_leaf_parse((const uint8_t *)leaf, strlen(leaf), &again, &err) !=
                CONSTAT_OK)
                abort();
            constat_leaf_free(&again);
            constat_leaf_free(&l);
        } else if (err.msg[0] == 0) {
            abort();
        }
    }
    json_decref(o);
}

static void receipt(const uint8_t *d, size_t n)
{
    static const uint8_t leaf[] = "{\"key_id\":\"a+00000000\"}";
    constat_note_verifier key;
    constat_error err;
    json_t *o = NULL;

    memset(&key, 0, sizeof key);
    strcpy(key.name, "test.example/log");
    key.alg = 1;
    if (constat_json_parse((const char *)d, n, "receipt", 1, &o, &err) != CONSTAT_OK)
        return;
    /* no valid signature can be made by the fuzzer for this zero key: any
     * receipt must be refused, with a message */
    if (constat_receipt_verify(o, leaf, sizeof leaf - 1, &key, &err) == CONSTAT_OK ||
        err.msg[0] == 0)
        abort();
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] == 0)
        submission(data + 1, size - 1);
    else
        receipt(data + 1, size - 1);
    return 0;
}
