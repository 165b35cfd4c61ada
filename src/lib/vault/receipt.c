/* receipt.c — receipts of appended records and their offline check
 * (receipt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/hash.h"
#include "constat/log/batch_proof.h"
#include "constat/log/merkle.h"
#include "constat/vault/receipt.h"

/* The receipt of leaf `index` (bytes leaf/len) in a tree of `size` whose
 * checkpoint is `note`. */
static constat_status receipt_json(uint64_t index, const char *record_id, const uint8_t lh[32],
                                   const constat_buf *note, uint64_t size,
                                   const constat_proof *p, json_t **out, constat_error *err);

static constat_status receipt_one(constat_vault *v, uint64_t index, const char *record_id,
                                  const uint8_t *leaf, size_t len, const constat_buf *note,
                                  uint64_t size, json_t **out, constat_error *err)
{
    constat_proof proof;
    uint8_t lh[32];
    constat_status st;

    *out = NULL;
    st = constat_vault_prove_inclusion(v, index, size, &proof, err);
    if (st != CONSTAT_OK)
        return st;
    constat_merkle_leaf_hash(leaf, len, lh);
    return receipt_json(index, record_id, lh, note, size, &proof, out, err);
}

/* The receipt object of receipt.h, members in their order. */
static constat_status receipt_json(uint64_t index, const char *record_id, const uint8_t lh[32],
                                   const constat_buf *note, uint64_t size,
                                   const constat_proof *p, json_t **out, constat_error *err)
{
    char b64[64];
    json_t *o, *arr;

    *out = NULL;
    constat_base64(lh, 32, b64);
    o = json_pack("{s:s, s:I, s:I, s:s%, s:s}", "record_id", record_id, "index",
                  (json_int_t)index, "tree_size", (json_int_t)size, "checkpoint",
                  (const char *)note->data, note->len, "leaf_hash", b64);
    arr = json_array();
    for (size_t i = 0; o && arr && i < p->n; i++) {
        constat_base64(p->hash[i], 32, b64);
        json_array_append_new(arr, json_string(b64));
    }
    if (!o || !arr || json_object_set_new(o, "inclusion_proof", arr) != 0) {
        json_decref(o);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    *out = o;
    return CONSTAT_OK;
}

constat_status constat_vault_receipt(constat_vault *v, uint64_t index, const char *record_id,
                                     json_t **out, constat_error *err)
{
    constat_buf leaf, note;
    constat_status st;

    *out = NULL;
    constat_buf_init(&leaf);
    constat_buf_init(&note);
    st = constat_vault_leaf(v, index, &leaf, err);
    if (st == CONSTAT_OK)
        st = constat_vault_checkpoint(v, &note, err);
    if (st == CONSTAT_OK)
        st = receipt_one(v, index, record_id, leaf.data, leaf.len, &note, constat_vault_size(v),
                         out, err);
    constat_buf_free(&leaf);
    constat_buf_free(&note);
    return st;
}

constat_status constat_vault_receipts(constat_vault *v, uint64_t first, size_t n,
                                      const char *const *record_ids,
                                      const uint8_t *const *leaves, const size_t *lens,
                                      json_t **out, constat_error *err)
{
    constat_buf note;
    constat_status st;
    uint64_t size = constat_vault_size(v);

    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    constat_buf_init(&note);
    st = constat_vault_checkpoint(v, &note, err);
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++)
        st = receipt_one(v, first + i, record_ids[i], leaves[i], lens[i], &note, size, &out[i],
                         err);
    if (st != CONSTAT_OK)
        for (size_t i = 0; i < n; i++) {
            json_decref(out[i]);
            out[i] = NULL;
        }
    constat_buf_free(&note);
    return st;
}

constat_status constat_batch_receipts(const constat_batch_result *r,
                                      const char *const *record_ids,
                                      const uint8_t *const *leaves, const size_t *lens,
                                      json_t **out, constat_error *err)
{
    uint8_t(*lh)[32] = NULL;
    constat_batch_tree t;
    constat_status st = CONSTAT_OK;
    size_t n = r->appended;

    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    memset(&t, 0, sizeof t);
    if (n == 0)
        return CONSTAT_OK;
    if (r->checkpoint.len == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "batch receipts: no checkpoint");
    lh = malloc(n * sizeof *lh);
    if (!lh)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        constat_merkle_leaf_hash(leaves[i], lens[i], lh[i]);
    st = constat_batch_tree_build(&t, &r->start, (const uint8_t(*)[32])lh, n, err);
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++) {
        constat_proof p;
        st = constat_batch_tree_prove(&t, r->first + i, &p, err);
        if (st == CONSTAT_OK)
            st = receipt_json(r->first + i, record_ids[i], lh[i], &r->checkpoint, t.size, &p,
                              &out[i], err);
    }
    if (st != CONSTAT_OK)
        for (size_t i = 0; i < n; i++) {
            json_decref(out[i]);
            out[i] = NULL;
        }
    constat_batch_tree_free(&t);
    free(lh);
    return st;
}

static constat_status b64_hash(const json_t *j, const char *what, uint8_t out[32],
                               constat_error *err)
{
    const char *s = json_string_value(j);
    size_t n = 0;
    if (!s || constat_unbase64(s, strlen(s), out, 32, &n) != CONSTAT_OK || n != 32)
        return constat_error_set(err, CONSTAT_EINVAL, "receipt: %s is not a base64 hash", what);
    return CONSTAT_OK;
}

constat_status constat_receipt_verify(const json_t *receipt, const uint8_t *leaf, size_t len,
                                      const constat_note_verifier *log_key, constat_error *err)
{
    const json_t *idx = json_object_get(receipt, "index");
    const json_t *size = json_object_get(receipt, "tree_size");
    const char *note = json_string_value(json_object_get(receipt, "checkpoint"));
    const json_t *proof = json_object_get(receipt, "inclusion_proof");
    constat_note n;
    constat_checkpoint cp;
    constat_proof p;
    uint8_t lh[32], claimed[32];
    constat_status st;

    if (!json_is_integer(idx) || json_integer_value(idx) < 0)
        return constat_error_set(err, CONSTAT_EINVAL, "receipt: index missing");
    if (!json_is_integer(size) || json_integer_value(size) <= json_integer_value(idx))
        return constat_error_set(err, CONSTAT_EINVAL, "receipt: tree_size missing or <= index");
    if (!note)
        return constat_error_set(err, CONSTAT_EINVAL, "receipt: checkpoint missing");
    if (!json_is_array(proof) || json_array_size(proof) > CONSTAT_PROOF_MAX_HASHES)
        return constat_error_set(err, CONSTAT_EINVAL, "receipt: inclusion_proof missing");
    st = constat_note_open(note, strlen(note), log_key, 1, &n, err);
    if (st != CONSTAT_OK) {
        char why[CONSTAT_ERROR_MSG_MAX];
        const char *rotated = "";
        snprintf(why, sizeof why, "%s", err->msg);
        for (size_t i = 0; st == CONSTAT_EVERIFY && i < n.nsigs; i++)
            if (strcmp(n.sigs[i].name, log_key->name) == 0 && n.sigs[i].key_id != log_key->key_id)
                rotated = " (it is signed by another key of the log's name: the log key was "
                          "rotated since it was pinned? docs/vault.md \"Log key rotation\")";
        return constat_error_set(err, CONSTAT_EVERIFY, "receipt: checkpoint: %s%s", why,
                                 rotated);
    }
    st = constat_checkpoint_parse(note, n.text_len, &cp, err);
    if (st != CONSTAT_OK)
        return st;
    if (cp.size != (uint64_t)json_integer_value(size) || strcmp(cp.origin, log_key->name) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "receipt: checkpoint is of another tree size or log");
    if ((st = b64_hash(json_object_get(receipt, "leaf_hash"), "leaf_hash", claimed, err)))
        return st;
    constat_merkle_leaf_hash(leaf, len, lh);
    if (memcmp(lh, claimed, 32) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "receipt: leaf_hash is not the hash of the submitted leaf");
    p.n = json_array_size(proof);
    for (size_t i = 0; i < p.n; i++)
        if ((st = b64_hash(json_array_get(proof, i), "inclusion_proof", p.hash[i], err)))
            return st;
    st = constat_merkle_verify_inclusion((uint64_t)json_integer_value(idx), cp.size, lh, &p,
                                         cp.root, err);
    if (st != CONSTAT_OK) {
        char why[CONSTAT_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        return constat_error_set(err, CONSTAT_EVERIFY, "receipt: inclusion proof: %s", why);
    }
    return CONSTAT_OK;
}
