/*
 * receipt.h — the receipt of an appended record, as `constat record --json`
 * prints it and `constat serve` answers a submission: record id, leaf index,
 * tree size, leaf hash, the signed checkpoint of that tree and the inclusion
 * proof of the leaf in it (RFC 9162 2.1.3), and its offline check.
 */
#ifndef CONSTAT_RECEIPT_H
#define CONSTAT_RECEIPT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/append_batch.h"
#include "constat/vault/vault.h"

/* Build the receipt of leaf `index` (record `record_id`) against the
 * vault's current tree, signing a checkpoint if the tree grew
 * (constat_vault_checkpoint): {"record_id", "index", "tree_size",
 * "checkpoint" (signed note text), "leaf_hash" (base64), "inclusion_proof"
 * (array of base64 hashes)}, members in that order. *out is a new reference.
 * Errors: those of constat_vault_leaf, _checkpoint, _prove_inclusion;
 * CONSTAT_ENOMEM. */
constat_status constat_vault_receipt(constat_vault *v, uint64_t index, const char *record_id,
                                     json_t **out, constat_error *err) CONSTAT_WARN_UNUSED;

/* The receipts of n leaves first..first+n-1 just appended (a batch of
 * `constat serve`), against the vault's current tree: one checkpoint read
 * (or signed) for all of them, and each leaf's hash taken from the bytes
 * given (leaves[i], lens[i]: the appended leaf i) instead of read back from
 * the store. out[i] gets what constat_vault_receipt gives for leaf first+i
 * (new references); on error every out[i] is NULL.
 * Errors: those of constat_vault_receipt. */
constat_status constat_vault_receipts(constat_vault *v, uint64_t first, size_t n,
                                      const char *const *record_ids,
                                      const uint8_t *const *leaves, const size_t *lens,
                                      json_t **out, constat_error *err) CONSTAT_WARN_UNUSED;

/* The receipts of the leaves a constat_vault_append_batch just appended
 * (r->appended of them, r->first onwards; leaves[i], lens[i] the bytes of
 * leaf r->first + i, record_ids[i] its id), from memory: the checkpoint is
 * r->checkpoint and each inclusion proof comes from r->start and the
 * batch's leaf hashes (constat/log/batch_proof.h), no store read. out[i]
 * gets what constat_vault_receipt would give for that leaf at that tree
 * size (new references); on error every out[i] is NULL.
 * Errors: CONSTAT_EINVAL (no checkpoint in r), CONSTAT_ENOMEM,
 * CONSTAT_EINTERNAL (r->start is not the tree before the batch). */
constat_status constat_batch_receipts(const constat_batch_result *r,
                                      const char *const *record_ids,
                                      const uint8_t *const *leaves, const size_t *lens,
                                      json_t **out, constat_error *err) CONSTAT_WARN_UNUSED;

/* Check a receipt offline: the checkpoint is signed by `log_key` and its
 * tree size is the receipt's tree_size, the leaf hash is that of
 * `leaf` (the exact leaf bytes the client signed) and the inclusion proof
 * leads from it at `index` to the checkpoint's root. Errors: CONSTAT_EINVAL
 * (a member missing or malformed, naming it), CONSTAT_EVERIFY (signature,
 * leaf hash or proof: the message says which). */
constat_status constat_receipt_verify(const json_t *receipt, const uint8_t *leaf, size_t len,
                                      const constat_note_verifier *log_key, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
