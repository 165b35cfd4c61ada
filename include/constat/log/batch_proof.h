/*
 * batch_proof.h — RFC 9162 2.1.3.1 inclusion proofs of the leaves of one
 * appended batch, from memory: the right edge of the tree before the batch
 * (constat_merkle_builder, the "compact range" of its first `first` leaves)
 * and the batch's own leaf hashes are all the proof of a new leaf needs,
 * since every node of that proof left of the batch is one of the edge's
 * complete subtrees (a sibling wholly left of leaf `first` ends at a set bit
 * of `first`), and every other node is built from the batch. So an intake
 * batch answers its submitters without reading the store (append_batch.h).
 */
#ifndef CONSTAT_BATCH_PROOF_H
#define CONSTAT_BATCH_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "constat/base/errors.h"
#include "constat/log/merkle.h"

/* The nodes of the grown tree that cover the batch: for each level L, the
 * complete nodes (L, i) for i in [first >> L, size >> L). Owns its memory. */
typedef struct {
    uint64_t first, size;                /* the batch is leaves [first, size) */
    uint8_t edge[64][CONSTAT_HASH_SIZE]; /* the tree before: edge[k] = node (k, (first >> k) - 1)
                                          * for each set bit k of first */
    uint8_t (*level[64])[CONSTAT_HASH_SIZE];
} constat_batch_tree;

/* Build t from `start` (the tree of start->size leaves before the batch) and
 * the batch's n leaf hashes (leaves start->size .. start->size + n - 1).
 * Release with constat_batch_tree_free (also after an error).
 * Errors: CONSTAT_EINVAL (n is 0), CONSTAT_ELIMIT (beyond
 * CONSTAT_LOG_MAX_SIZE), CONSTAT_ENOMEM. */
constat_status constat_batch_tree_build(constat_batch_tree *t,
                                        const constat_merkle_builder *start,
                                        const uint8_t (*leaf_hashes)[CONSTAT_HASH_SIZE],
                                        size_t n, constat_error *err) CONSTAT_WARN_UNUSED;

/* The inclusion proof of leaf `index` (first <= index < size) in the tree of
 * t->size leaves, the same hashes constat_merkle_prove_inclusion gives.
 * Errors: CONSTAT_EINVAL (index outside the batch). */
constat_status constat_batch_tree_prove(const constat_batch_tree *t, uint64_t index,
                                        constat_proof *out, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Root of the tree of t->size leaves (RFC 9162 2.1.1). */
constat_status constat_batch_tree_root(const constat_batch_tree *t,
                                       uint8_t out[CONSTAT_HASH_SIZE],
                                       constat_error *err) CONSTAT_WARN_UNUSED;

void constat_batch_tree_free(constat_batch_tree *t);

#endif
