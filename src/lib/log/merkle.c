/*
 * merkle.c — RFC 6962 / RFC 9162 Merkle tree (see merkle.h).
 *
 * Generation never walks leaves: every hash a proof needs is either a
 * complete node, read through the caller's reader, or the hash of a subtree
 * cut off by the right edge of the tree, which is folded from the complete
 * nodes that tile its range (at most one such "ephemeral" node per proof).
 * So a proof costs O(log n) reads whatever the store.
 *
 * Hashing goes through OpenSSL's low-level SHA256_* on a stack context: the
 * EVP interface costs a provider fetch per context, about 3x slower for the
 * 65-byte messages that dominate tree building (docs/architecture.md, "Library traps").
 */
#include <inttypes.h>
#include <string.h>

#include <openssl/sha.h>

#include "constat/log/merkle.h"

/* Bit length of x: 0 for 0, 64 for values with the top bit set. */
static unsigned bitlen64(uint64_t x)
{
    return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
}

static unsigned popcount64(uint64_t x)
{
    return (unsigned)__builtin_popcountll(x);
}

void constat_merkle_leaf_hash(const void *leaf, size_t len,
                              uint8_t out[CONSTAT_HASH_SIZE])
{
    static const uint8_t prefix = 0x00;
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, &prefix, 1);
    SHA256_Update(&c, leaf, len);
    SHA256_Final(out, &c);
}

void constat_merkle_node_hash(const uint8_t left[CONSTAT_HASH_SIZE],
                              const uint8_t right[CONSTAT_HASH_SIZE],
                              uint8_t out[CONSTAT_HASH_SIZE])
{
    /* One contiguous 65-byte message: a single Update lets OpenSSL run both
     * compression blocks without buffering, and copying first makes
     * aliasing of out with left or right harmless. */
    uint8_t msg[1 + 2 * CONSTAT_HASH_SIZE];
    SHA256_CTX c;
    msg[0] = 0x01;
    memcpy(msg + 1, left, CONSTAT_HASH_SIZE);
    memcpy(msg + 1 + CONSTAT_HASH_SIZE, right, CONSTAT_HASH_SIZE);
    SHA256_Init(&c);
    SHA256_Update(&c, msg, sizeof msg);
    SHA256_Final(out, &c);
}

void constat_merkle_empty_root(uint8_t out[CONSTAT_HASH_SIZE])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Final(out, &c);
}

/* Read complete node (level, index), turning a reader failure without a
 * message into one that names the node. */
static constat_status read_node(constat_node_reader rd, void *ctx, unsigned level,
                                uint64_t index, uint8_t out[CONSTAT_HASH_SIZE],
                                constat_error *err)
{
    constat_status st;
    if (!rd)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "merkle: no node reader for node (%u, %" PRIu64 ")",
                                 level, index);
    st = rd(ctx, level, index, out, err);
    if (st != CONSTAT_OK && err && err->msg[0] == '\0')
        constat_error_set(err, st, "merkle: reading node (%u, %" PRIu64 "): %s", level,
                          index, constat_status_name(st));
    return st;
}

/* MTH of the leaves [start, start + len), len > 0, start a multiple of
 * 2^bitlen(len) (0 for a root; for a ragged subtree its aligned start). The
 * range is cut into complete nodes by the set bits of len, highest first
 * (each piece is then aligned), and folded right to left, the shape RFC 9162
 * 2.1.1 gives an unbalanced tree. popcount(len) reads. */
static constat_status range_hash(constat_node_reader rd, void *ctx, uint64_t start,
                                 uint64_t len, uint8_t out[CONSTAT_HASH_SIZE],
                                 constat_error *err)
{
    uint8_t piece[64][CONSTAT_HASH_SIZE];
    unsigned n = 0, k;
    uint64_t pos = start;
    constat_status st;

    for (k = 64; k-- > 0;) {
        if (!((len >> k) & 1))
            continue;
        st = read_node(rd, ctx, k, pos >> k, piece[n], err);
        if (st != CONSTAT_OK)
            return st;
        n++;
        pos += (uint64_t)1 << k;
    }
    if (n == 0)
        return constat_error_set(err, CONSTAT_EINTERNAL, "merkle: empty range");
    memcpy(out, piece[n - 1], CONSTAT_HASH_SIZE);
    while (n-- > 1)
        constat_merkle_node_hash(piece[n - 1], out, out);
    return CONSTAT_OK;
}

/* MTH of the subtree at (level, index) in a tree of `size` leaves: the stored
 * node if complete, else the fold over its part that lies inside the tree.
 * The caller guarantees index << level < size. */
static constat_status subtree_hash(constat_node_reader rd, void *ctx, unsigned level,
                                   uint64_t index, uint64_t size,
                                   uint8_t out[CONSTAT_HASH_SIZE], constat_error *err)
{
    uint64_t start;
    if (level >= 64)
        return constat_error_set(err, CONSTAT_EINTERNAL, "merkle: level %u", level);
    if (index < (size >> level)) /* (index + 1) << level <= size, without overflow */
        return read_node(rd, ctx, level, index, out, err);
    start = index << level;
    if ((start >> level) != index || start >= size)
        return constat_error_set(err, CONSTAT_EINTERNAL,
                                 "merkle: node (%u, %" PRIu64 ") outside tree of %" PRIu64,
                                 level, index, size);
    return range_hash(rd, ctx, start, size - start, out, err);
}

constat_status constat_merkle_root(constat_node_reader rd, void *ctx, uint64_t size,
                                   uint8_t out[CONSTAT_HASH_SIZE], constat_error *err)
{
    if (size == 0) {
        constat_merkle_empty_root(out);
        return CONSTAT_OK;
    }
    return range_hash(rd, ctx, 0, size, out, err);
}

/* Number of hashes in the path of node `index` among `m` nodes of one level
 * (RFC 9162 2.1.3.1 PATH, counted): the siblings below the level where the
 * paths to `index` and to the last node diverge, plus one left sibling for
 * each set bit of index above it. */
static unsigned path_len(uint64_t index, uint64_t m)
{
    unsigned inner = bitlen64(index ^ (m - 1));
    return inner + popcount64(inner >= 64 ? 0 : index >> inner);
}

/* Append to `out` the audit path of node (level, index) in the tree of
 * `size` leaves, leaf side first: RFC 9162 2.1.3.1 PATH applied to the
 * sequence of level-`level` subtrees. */
static constat_status node_path(constat_node_reader rd, void *ctx, unsigned level,
                                uint64_t index, uint64_t size, constat_proof *out,
                                constat_error *err)
{
    uint64_t m = ((size - 1) >> level) + 1; /* subtrees at this level, last maybe ragged */
    unsigned inner = bitlen64(index ^ (m - 1));
    unsigned h;
    constat_status st;

    for (h = 0; h + level < 64 && (h < inner || (index >> h) != 0); h++) {
        uint64_t here = index >> h;
        if (h >= inner && !(here & 1))
            continue; /* right edge above the fork: no sibling at this level */
        if (out->n >= CONSTAT_PROOF_MAX_HASHES)
            return constat_error_set(err, CONSTAT_EINTERNAL,
                                     "merkle: proof exceeds %d hashes",
                                     CONSTAT_PROOF_MAX_HASHES);
        st = subtree_hash(rd, ctx, level + h, here ^ 1, size, out->hash[out->n], err);
        if (st != CONSTAT_OK)
            return st;
        out->n++;
    }
    return CONSTAT_OK;
}

constat_status constat_merkle_prove_inclusion(constat_node_reader rd, void *ctx,
                                              uint64_t index, uint64_t size,
                                              constat_proof *out, constat_error *err)
{
    out->n = 0;
    if (index >= size)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "inclusion proof: leaf index %" PRIu64
                                 " is not below tree size %" PRIu64,
                                 index, size);
    return node_path(rd, ctx, 0, index, size, out, err);
}

constat_status constat_merkle_prove_consistency(constat_node_reader rd, void *ctx,
                                                uint64_t size1, uint64_t size2,
                                                constat_proof *out, constat_error *err)
{
    unsigned level;
    uint64_t index;
    constat_status st;

    out->n = 0;
    if (size1 == 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "consistency proof: size1 is 0 (an empty tree proves nothing)");
    if (size1 > size2)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "consistency proof: size1 %" PRIu64
                                 " is larger than size2 %" PRIu64,
                                 size1, size2);
    if (size1 == size2)
        return CONSTAT_OK;
    /* RFC 9162 2.1.4.1 SUBPROOF, unrolled: the last complete subtree of the
     * old tree (omitted when it is the whole old tree, whose root the
     * verifier holds), then that subtree's audit path in the new tree. */
    level = (unsigned)__builtin_ctzll(size1);
    index = (size1 - 1) >> level;
    if (index != 0) {
        st = read_node(rd, ctx, level, index, out->hash[0], err);
        if (st != CONSTAT_OK)
            return st;
        out->n = 1;
    }
    return node_path(rd, ctx, level, index, size2, out, err);
}

constat_status constat_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                               const uint8_t leaf_hash[32],
                                               const constat_proof *proof,
                                               const uint8_t root[32], constat_error *err)
{
    uint64_t fn, sn;
    uint8_t r[CONSTAT_HASH_SIZE];
    unsigned maxlen, want;
    size_t i;

    if (index >= size)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "inclusion proof: leaf index %" PRIu64
                                 " is not below tree size %" PRIu64,
                                 index, size);
    maxlen = bitlen64(size - 1);
    if (proof->n > CONSTAT_PROOF_MAX_HASHES || proof->n > maxlen)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "inclusion proof: %zu hashes, but a tree of %" PRIu64
                                 " leaves allows at most %u",
                                 proof->n, size, maxlen);
    want = path_len(index, size);
    if (proof->n != want)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "inclusion proof: wrong length: %zu hashes, leaf %" PRIu64
                                 " of a tree of %" PRIu64 " needs %u",
                                 proof->n, index, size, want);

    /* RFC 9162 2.1.3.2, step by step. */
    fn = index;
    sn = size - 1;
    memcpy(r, leaf_hash, CONSTAT_HASH_SIZE);
    for (i = 0; i < proof->n; i++) {
        if (sn == 0)
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "inclusion proof: wrong length: hash %zu is beyond the root",
                                     i);
        if ((fn & 1) || fn == sn) {
            constat_merkle_node_hash(proof->hash[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            constat_merkle_node_hash(r, proof->hash[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "inclusion proof: wrong length: too few hashes to reach the root");
    if (memcmp(r, root, CONSTAT_HASH_SIZE) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "inclusion proof: recomputed root differs from the tree "
                                 "root (leaf %" PRIu64 ", tree size %" PRIu64 ")",
                                 index, size);
    return CONSTAT_OK;
}

/* Length of the consistency proof from size1 to size2 (0 < size1 < size2). */
static unsigned consistency_len(uint64_t size1, uint64_t size2)
{
    unsigned level = (unsigned)__builtin_ctzll(size1);
    uint64_t index = (size1 - 1) >> level;
    uint64_t m = ((size2 - 1) >> level) + 1;
    return (index != 0 ? 1u : 0u) + path_len(index, m);
}

constat_status constat_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                                 const uint8_t root1[32],
                                                 const uint8_t root2[32],
                                                 const constat_proof *proof,
                                                 constat_error *err)
{
    const uint8_t (*path)[CONSTAT_HASH_SIZE];
    size_t n, i;
    uint64_t fn, sn;
    uint8_t fr[CONSTAT_HASH_SIZE], sr[CONSTAT_HASH_SIZE];
    unsigned maxlen, want;

    if (size1 == 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "consistency proof: size1 is 0 (an empty tree is "
                                 "consistent with anything, so the proof proves nothing)");
    if (size1 > size2)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "consistency proof: size1 %" PRIu64
                                 " is larger than size2 %" PRIu64,
                                 size1, size2);
    if (proof->n > CONSTAT_PROOF_MAX_HASHES)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "consistency proof: %zu hashes, limit is %d", proof->n,
                                 CONSTAT_PROOF_MAX_HASHES);
    if (size1 == size2) {
        if (proof->n != 0)
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "consistency proof: wrong length: equal sizes need an "
                                     "empty proof, got %zu hashes",
                                     proof->n);
        if (memcmp(root1, root2, CONSTAT_HASH_SIZE) != 0)
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "consistency proof: trees of equal size %" PRIu64
                                     " have different roots",
                                     size1);
        return CONSTAT_OK;
    }
    maxlen = bitlen64(size2 - 1) + 1;
    if (proof->n > maxlen)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "consistency proof: %zu hashes, but a tree of %" PRIu64
                                 " leaves allows at most %u",
                                 proof->n, size2, maxlen);
    want = consistency_len(size1, size2);
    if (proof->n != want)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "consistency proof: wrong length: %zu hashes, %" PRIu64
                                 " -> %" PRIu64 " needs %u",
                                 proof->n, size1, size2, want);

    /* RFC 9162 2.1.4.2. When size1 is a power of two the old root is itself
     * the first node of the path; instead of copying the proof to prepend
     * it, start from root1 and walk the proof as given. */
    path = (const uint8_t(*)[CONSTAT_HASH_SIZE])proof->hash;
    n = proof->n;
    fn = size1 - 1;
    sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(fr, root1, CONSTAT_HASH_SIZE);
        i = 0;
    } else {
        if (n == 0)
            return constat_error_set(err, CONSTAT_EVERIFY, "consistency proof: empty");
        memcpy(fr, path[0], CONSTAT_HASH_SIZE);
        i = 1;
    }
    memcpy(sr, fr, CONSTAT_HASH_SIZE);
    for (; i < n; i++) {
        if (sn == 0)
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "consistency proof: wrong length: hash %zu is beyond "
                                     "the root",
                                     i);
        if ((fn & 1) || fn == sn) {
            constat_merkle_node_hash(path[i], fr, fr);
            constat_merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            constat_merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "consistency proof: wrong length: too few hashes to "
                                 "reach the new root");
    if (memcmp(fr, root1, CONSTAT_HASH_SIZE) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "consistency proof: recomputed old root differs from "
                                 "root1 (size %" PRIu64 ")",
                                 size1);
    if (memcmp(sr, root2, CONSTAT_HASH_SIZE) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "consistency proof: recomputed new root differs from "
                                 "root2 (size %" PRIu64 ")",
                                 size2);
    return CONSTAT_OK;
}

constat_status constat_merkle_builder_init(constat_merkle_builder *b, uint64_t size,
                                           constat_node_reader rd, void *ctx,
                                           constat_error *err)
{
    unsigned k;
    constat_status st;

    memset(b, 0, sizeof *b);
    if (size > CONSTAT_LOG_MAX_SIZE)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "merkle builder: tree size %" PRIu64 " exceeds the limit %llu",
                                 size, (unsigned long long)CONSTAT_LOG_MAX_SIZE);
    /* edge[k] is the complete subtree for bit k of size: node (k, (size >> k) - 1). */
    for (k = 0; k < 64; k++) {
        if (!((size >> k) & 1))
            continue;
        st = read_node(rd, ctx, k, (size >> k) - 1, b->edge[k], err);
        if (st != CONSTAT_OK) {
            memset(b, 0, sizeof *b);
            return st;
        }
    }
    b->size = size;
    return CONSTAT_OK;
}

constat_status constat_merkle_builder_append(constat_merkle_builder *b,
                                             const uint8_t leaf_hash[32],
                                             constat_node_writer wr, void *ctx,
                                             constat_error *err)
{
    uint8_t h[CONSTAT_HASH_SIZE];
    uint64_t size = b->size, newsize;
    unsigned level = 0;
    constat_status st;

    if (size >= CONSTAT_LOG_MAX_SIZE)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "merkle builder: tree is full (%llu leaves)",
                                 (unsigned long long)CONSTAT_LOG_MAX_SIZE);
    newsize = size + 1;
    memcpy(h, leaf_hash, CONSTAT_HASH_SIZE);
    /* Report every node before touching the builder, so a failing writer
     * leaves the builder at the old size and the append can be retried. */
    if (wr) {
        st = wr(ctx, 0, size, h, err);
        if (st != CONSTAT_OK)
            return st;
    }
    while ((size >> level) & 1) {
        constat_merkle_node_hash(b->edge[level], h, h);
        level++;
        if (wr) {
            st = wr(ctx, level, (newsize >> level) - 1, h, err);
            if (st != CONSTAT_OK)
                return st;
        }
    }
    memcpy(b->edge[level], h, CONSTAT_HASH_SIZE);
    b->size = newsize;
    return CONSTAT_OK;
}

void constat_merkle_builder_root(const constat_merkle_builder *b,
                                 uint8_t out[CONSTAT_HASH_SIZE])
{
    uint64_t size = b->size;
    unsigned k;
    int have = 0;

    if (size == 0) {
        constat_merkle_empty_root(out);
        return;
    }
    for (k = 0; k < 64; k++) {
        if (!((size >> k) & 1))
            continue;
        if (!have) {
            memcpy(out, b->edge[k], CONSTAT_HASH_SIZE);
            have = 1;
        } else {
            constat_merkle_node_hash(b->edge[k], out, out);
        }
    }
}
