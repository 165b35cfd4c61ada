/* batch_proof.c — inclusion proofs of a batch's leaves from memory
 * (batch_proof.h): the nodes over the batch are built level by level, those
 * left of it are the old tree's right edge, and the proof itself is
 * constat_merkle_prove_inclusion over a reader of these. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/limits.h"
#include "constat/log/batch_proof.h"

/* Node (level, index), a complete node of the tree of t->size leaves. */
static constat_status node(void *ctx, unsigned level, uint64_t index,
                           uint8_t out[CONSTAT_HASH_SIZE], constat_error *err)
{
    const constat_batch_tree *t = ctx;
    uint64_t lo, hi;

    if (level >= 64)
        return constat_error_set(err, CONSTAT_EINTERNAL, "batch tree: level %u", level);
    lo = t->first >> level;
    hi = t->size >> level;
    if (index >= lo && index < hi && t->level[level]) {
        memcpy(out, t->level[level][index - lo], CONSTAT_HASH_SIZE);
        return CONSTAT_OK;
    }
    /* wholly left of the batch: only the old tree's right edge is asked for */
    if (((t->first >> level) & 1) && index + 1 == lo) {
        memcpy(out, t->edge[level], CONSTAT_HASH_SIZE);
        return CONSTAT_OK;
    }
    return constat_error_set(err, CONSTAT_EINTERNAL,
                             "batch tree: node (%u, %" PRIu64 ") is neither over the batch "
                             "[%" PRIu64 ", %" PRIu64 ") nor on the edge before it",
                             level, index, t->first, t->size);
}

constat_status constat_batch_tree_build(constat_batch_tree *t,
                                        const constat_merkle_builder *start,
                                        const uint8_t (*leaf_hashes)[CONSTAT_HASH_SIZE],
                                        size_t n, constat_error *err)
{
    memset(t, 0, sizeof *t);
    if (n == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "batch tree: no leaves");
    if (start->size > CONSTAT_LOG_MAX_SIZE || n > CONSTAT_LOG_MAX_SIZE - start->size)
        return constat_error_set(err, CONSTAT_ELIMIT, "batch tree: beyond %llu leaves",
                                 (unsigned long long)CONSTAT_LOG_MAX_SIZE);
    t->first = start->size;
    t->size = start->size + n;
    memcpy(t->edge, start->edge, sizeof t->edge);
    for (unsigned l = 0; l < 64; l++) {
        uint64_t lo = t->first >> l, hi = t->size >> l;
        if (hi <= lo)
            break; /* no complete node over the batch at this level or above */
        t->level[l] = malloc((size_t)(hi - lo) * CONSTAT_HASH_SIZE);
        if (!t->level[l])
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        for (uint64_t i = lo; i < hi; i++) {
            uint8_t a[CONSTAT_HASH_SIZE], b[CONSTAT_HASH_SIZE];
            constat_status st;
            if (l == 0) {
                memcpy(t->level[0][i - lo], leaf_hashes[i - lo], CONSTAT_HASH_SIZE);
                continue;
            }
            if ((st = node(t, l - 1, 2 * i, a, err)) != CONSTAT_OK ||
                (st = node(t, l - 1, 2 * i + 1, b, err)) != CONSTAT_OK)
                return st;
            constat_merkle_node_hash(a, b, t->level[l][i - lo]);
        }
    }
    return CONSTAT_OK;
}

constat_status constat_batch_tree_prove(const constat_batch_tree *t, uint64_t index,
                                        constat_proof *out, constat_error *err)
{
    if (index < t->first || index >= t->size)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "batch tree: leaf %" PRIu64 " is not in the batch [%" PRIu64
                                 ", %" PRIu64 ")",
                                 index, t->first, t->size);
    return constat_merkle_prove_inclusion(node, (void *)t, index, t->size, out, err);
}

constat_status constat_batch_tree_root(const constat_batch_tree *t,
                                       uint8_t out[CONSTAT_HASH_SIZE], constat_error *err)
{
    return constat_merkle_root(node, (void *)t, t->size, out, err);
}

void constat_batch_tree_free(constat_batch_tree *t)
{
    for (unsigned l = 0; l < 64; l++) {
        free(t->level[l]);
        t->level[l] = NULL;
    }
}
