/*
 * node_cache.h — private: the interior nodes of recently read hash tiles, so
 * that proofs from a large log do not rehash the same tiles.
 *
 * A stored tile (C2SP tlog-tiles) keeps only its bottom row of 256 hashes;
 * the nodes of the 7 levels above it inside the tile are recomputed when a
 * proof needs them (up to 255 node hashes per tile). Every inclusion or
 * consistency proof of a tree passes through the same few upper tiles, so
 * the vault keeps, per tile read, all its interior nodes: a tile of width W
 * is fixed once stored at that width (a partial tile only grows), so an entry
 * of width W answers every node lying in its first W hashes, for ever.
 * Direct-mapped: 64 slots for level-0 tiles and 256 for the upper levels,
 * 16 KiB each (5 MiB of address space, resident only as slots are used),
 * allocated on first use.
 * Not thread-safe (neither is a vault handle).
 */
#ifndef CONSTAT_NODE_CACHE_H
#define CONSTAT_NODE_CACHE_H

#include <stdint.h>

#include "constat/log/merkle.h"

typedef struct constat_node_cache constat_node_cache;

/* A new, empty cache, or NULL when out of memory (callers then hash the
 * tile as before). Freed with constat_node_cache_free (NULL is fine). */
constat_node_cache *constat_node_cache_new(void);
void constat_node_cache_free(constat_node_cache *c);
/* Forget every tile (after a rolled-back transaction); NULL is fine. */
void constat_node_cache_clear(constat_node_cache *c);

/* The root of the `count` hashes (a power of two, 1..256) at offset `off`
 * (a multiple of count) of tile (level, n), if the cache holds that tile
 * with at least off + count hashes: copied into out, returns 1. Else 0. */
int constat_node_cache_get(const constat_node_cache *c, unsigned level, uint64_t n,
                           unsigned off, unsigned count, uint8_t out[CONSTAT_HASH_SIZE]);

/* Keep tile (level, n) of `width` (1..256) hashes: every complete interior
 * node is computed now (width - 1 node hashes at most), replacing whatever
 * the slot held. */
void constat_node_cache_put(constat_node_cache *c, unsigned level, uint64_t n, unsigned width,
                            const uint8_t *hashes);

#endif
