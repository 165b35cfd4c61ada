/*
 * merkle.h — the RFC 6962 / RFC 9162 Merkle tree: hashes, roots, and
 * inclusion and consistency proofs (generation and verification).
 *
 * Hashes are 32-byte SHA-256 values. A node is named by its level (0 = leaf
 * hashes) and its index at that level; node (level, i) is the root of the
 * complete subtree over leaves [i * 2^level, (i+1) * 2^level).
 */
#ifndef CONSTAT_MERKLE_H
#define CONSTAT_MERKLE_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/base/hash.h"
#include "constat/base/limits.h"

/* RFC 9162 2.1.1: SHA-256(0x00 || leaf). */
void constat_merkle_leaf_hash(const void *leaf, size_t len,
                              uint8_t out[CONSTAT_HASH_SIZE]);
/* RFC 9162 2.1.1: SHA-256(0x01 || left || right). `out` may alias inputs. */
void constat_merkle_node_hash(const uint8_t left[CONSTAT_HASH_SIZE],
                              const uint8_t right[CONSTAT_HASH_SIZE],
                              uint8_t out[CONSTAT_HASH_SIZE]);
/* The root of the empty tree: SHA-256 of no bytes. */
void constat_merkle_empty_root(uint8_t out[CONSTAT_HASH_SIZE]);

/* Source of stored hashes for proof generation: put into `out` the hash of
 * complete node (level, index), which the caller guarantees lies inside the
 * tree being read. Return CONSTAT_OK or an error (filled into err). */
typedef constat_status (*constat_node_reader)(void *ctx, unsigned level,
                                              uint64_t index, uint8_t out[32],
                                              constat_error *err);

/* Root hash of the tree of the first `size` leaves (RFC 9162 2.1.1),
 * reading O(log size) nodes. size may be 0 (empty root).
 * Errors: whatever the reader returns. */
constat_status constat_merkle_root(constat_node_reader rd, void *ctx, uint64_t size,
                                   uint8_t out[CONSTAT_HASH_SIZE],
                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* A proof: up to CONSTAT_PROOF_MAX_HASHES hashes, caller-owned storage. */
typedef struct {
    size_t n;
    uint8_t hash[CONSTAT_PROOF_MAX_HASHES][CONSTAT_HASH_SIZE];
} constat_proof;

/* RFC 9162 2.1.3.1: inclusion proof of leaf `index` in tree `size`.
 * Hashes are stored leaf side first. Reads at most 2 * 64 complete nodes
 * through `rd` (a subtree cut by the right edge is folded from the complete
 * nodes covering it, never from single leaves). `out` is caller-owned;
 * out->n is 0 on error.
 * Errors: CONSTAT_EINVAL if index >= size; reader errors. */
constat_status constat_merkle_prove_inclusion(constat_node_reader rd, void *ctx,
                                              uint64_t index, uint64_t size,
                                              constat_proof *out,
                                              constat_error *err) CONSTAT_WARN_UNUSED;

/* RFC 9162 2.1.4.1: consistency proof from `size1` to `size2`.
 * 0 < size1 <= size2 (size1 == size2 gives an empty proof). `rd` reads the
 * tree of size2; O(log size2) reads as for inclusion.
 * Errors: CONSTAT_EINVAL for sizes out of order or size1 == 0; reader errors. */
constat_status constat_merkle_prove_consistency(constat_node_reader rd, void *ctx,
                                                uint64_t size1, uint64_t size2,
                                                constat_proof *out,
                                                constat_error *err) CONSTAT_WARN_UNUSED;

/* RFC 9162 2.1.3.2: verify that `leaf_hash` is leaf `index` of the tree of
 * `size` leaves with root `root`. Errors: CONSTAT_EINVAL (index >= size,
 * proof longer than the tree allows), CONSTAT_EVERIFY (wrong length or the
 * recomputed root differs; the message says which). */
constat_status constat_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                               const uint8_t leaf_hash[32],
                                               const constat_proof *proof,
                                               const uint8_t root[32],
                                               constat_error *err) CONSTAT_WARN_UNUSED;

/* RFC 9162 2.1.4.2: verify that the tree (size1, root1) is a prefix of
 * (size2, root2). size1 == size2 requires an empty proof and equal roots;
 * size1 == 0 is rejected with CONSTAT_EINVAL (as transparency-dev does: an
 * empty tree is consistent with anything, so a proof from it proves nothing).
 * Errors: CONSTAT_EINVAL (size1 > size2, size1 == 0, more than
 * CONSTAT_PROOF_MAX_HASHES hashes or more than a tree of size2 allows),
 * CONSTAT_EVERIFY (wrong length, either recomputed root differs; the
 * message says which). */
constat_status constat_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                                 const uint8_t root1[32],
                                                 const uint8_t root2[32],
                                                 const constat_proof *proof,
                                                 constat_error *err) CONSTAT_WARN_UNUSED;

/*
 * Tiles (C2SP tlog-tiles): hashes are grouped in tiles of height 8, 256
 * hashes wide. Tile (L, N) holds the level-8L node hashes with indices
 * [256N, 256N + 256); a partial tile holds the first W of them.
 */

/* Path of a tile per C2SP tlog-tiles: "tile/<L>/<N>[.p/<W>]" with N in
 * 3-digit groups ("x001/x234/067"); L == -1 gives "tile/entries/...".
 * W == 256 means a full tile. `out` must hold 96 bytes.
 * Errors: CONSTAT_EINVAL (W == 0 or W > 256). */
constat_status constat_tile_path(int level, uint64_t n, unsigned width, char out[96]);

/* Parse a tile path as above: exactly "tile/...", nothing before or after.
 * *level gets -1 for "entries", *width gets 256 for a full tile. Only the
 * spelling constat_tile_path produces is accepted.
 * Errors: CONSTAT_EINVAL with the reason
 * (leading zeros, bad group, width 0 or >= 256 in .p/, ...). */
constat_status constat_tile_path_parse(const char *path, int *level, uint64_t *n,
                                       unsigned *width, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Highest tile level: a level-8 tile would hold level-64 nodes, which no
 * 64-bit tree has. constat_tile_path and the parsers reject levels above it
 * (and below -1) with CONSTAT_EINVAL. */
#define CONSTAT_TILE_MAX_LEVEL 7

/* Which tiles of level `level` (-1 for entry bundles, which follow level 0)
 * a tree of `size` leaves consists of (C2SP tlog-tiles): *full_tiles full
 * tiles N = 0 .. *full_tiles - 1, then, if *partial_width != 0, the partial
 * tile N = *full_tiles of that width (1..255). Either may be 0.
 * Errors: CONSTAT_EINVAL for a level outside -1..CONSTAT_TILE_MAX_LEVEL. */
constat_status constat_tile_count(int level, uint64_t size, uint64_t *full_tiles,
                                  unsigned *partial_width) CONSTAT_WARN_UNUSED;

/* Where Merkle node (level, index) lies in hash tiles (C2SP tlog-tiles):
 * it is the root of `count` = 2^(level % 8) consecutive hashes starting at
 * `off` in tile (`tile_level` = level / 8, `tile_n`); `width` is the number
 * of hashes that tile has in a tree of `size` leaves (256 for a full tile).
 * This is the one place that arithmetic is written; every node reader over
 * tiles (vault, dossier prover, tile export, tile audit) uses it. */
typedef struct {
    unsigned tile_level;
    uint64_t tile_n;
    unsigned off, count;
    unsigned width;
} constat_tile_span;

/* Locate node (level, index) in the tiles of a tree of `size` leaves; with
 * size == 0 the tree size is not known and `width` is set to off + count
 * (the fewest hashes the tile must hold).
 * Errors: CONSTAT_EINTERNAL naming the node when it lies outside any 64-bit
 * tree, or (size > 0) beyond the tree of `size` leaves: a node reader is
 * never asked for such a node by the merkle functions. */
constat_status constat_tile_node_span(unsigned level, uint64_t index, uint64_t size,
                                      constat_tile_span *out,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* The subtree root of `count` (a power of two, 1..256) consecutive hashes
 * (count * 32 bytes at `hashes`), RFC 9162 2.1.1 node hashing. */
void constat_tile_subtree_root(const uint8_t *hashes, unsigned count,
                               uint8_t out[CONSTAT_HASH_SIZE]);

/* Number of hash tile levels (0, 1, ...) that hold at least one hash for a
 * tree of `size` leaves: 0 for the empty tree, 1 up to 255 leaves, 2 up to
 * 65535, ... A tree's tiles are constat_tile_count(L, size) for L = 0 ..
 * constat_tile_levels(size) - 1, plus the entry bundles (L = -1). */
unsigned constat_tile_levels(uint64_t size);

/* Parse the older golang.org/x/mod sumdb tile path "tile/<H>/<L>/<N>[.p/<W>]"
 * (tile height H in 1..30, L a number or "data" for -1, N as above, W in
 * 1 .. 2^H - 1; a full tile gives *width = 2^H). C2SP tlog-tiles is this
 * with H fixed at 8 and the segment dropped. Errors: CONSTAT_EINVAL with
 * the reason. */
constat_status constat_tile_path_parse_sumdb(const char *path, unsigned *height,
                                             int *level, uint64_t *n, unsigned *width,
                                             constat_error *err) CONSTAT_WARN_UNUSED;

/*
 * Incremental builder: appends leaf hashes and reports every tile hash that
 * becomes known, so a store can persist tiles. The builder keeps the right
 * edge of the tree (one pending hash per level), O(log n) memory.
 */
typedef struct {
    uint64_t size;                               /* leaves so far */
    uint8_t edge[64][CONSTAT_HASH_SIZE];          /* complete subtree roots */
} constat_merkle_builder;

/* Start from an existing tree of `size` leaves whose complete-subtree roots
 * (the "compact range": for each set bit of size, from the highest, the node
 * covering that stretch) are read through `rd`. size 0 needs no reader.
 * Errors: reader errors, CONSTAT_ELIMIT beyond CONSTAT_LOG_MAX_SIZE. */
constat_status constat_merkle_builder_init(constat_merkle_builder *b, uint64_t size,
                                           constat_node_reader rd, void *ctx,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* Called for every node hash that becomes complete by an append: level 0 for
 * the leaf hash itself, then each parent completed by it. */
typedef constat_status (*constat_node_writer)(void *ctx, unsigned level,
                                              uint64_t index, const uint8_t hash[32],
                                              constat_error *err);

/* Append one leaf hash; calls `wr` (may be NULL) for each completed node,
 * lowest level first. If the writer fails, the builder is left exactly as
 * before the call, so the append can be retried (the nodes already reported
 * for it are then reported again).
 * Errors: writer errors, CONSTAT_ELIMIT (the tree already holds
 * CONSTAT_LOG_MAX_SIZE leaves). */
constat_status constat_merkle_builder_append(constat_merkle_builder *b,
                                             const uint8_t leaf_hash[32],
                                             constat_node_writer wr, void *ctx,
                                             constat_error *err) CONSTAT_WARN_UNUSED;

/* Root of the tree the builder holds (empty root for size 0). */
void constat_merkle_builder_root(const constat_merkle_builder *b,
                                 uint8_t out[CONSTAT_HASH_SIZE]);

/* A leaf callback: leaf `index` (0-based) is `len` bytes at `leaf` (valid
 * during the call only); return non-zero to stop the iteration. Used by the
 * vault (vault.h) and by tile export sources (tlog.h). */
typedef int (*constat_leaf_fn)(void *ctx, uint64_t index, const uint8_t *leaf, size_t len);

#endif
