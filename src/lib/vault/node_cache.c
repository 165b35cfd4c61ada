/* node_cache.c — interior nodes of recently read hash tiles (node_cache.h). */
#include "node_cache.h"

#include <stdlib.h>
#include <string.h>

/* Level-0 tiles (one per 256 leaves) are many and each serves the proofs
 * of its own 256 leaves; the upper tiles are few and every proof passes
 * through them. They get slots of their own, so that random proofs over
 * level-0 tiles never evict them: 256 upper slots hold every level-1 tile
 * of a log of up to 16.7 M leaves. */
#define LEVEL0_SLOTS 64
#define UPPER_SLOTS 256
#define NODE_CACHE_SLOTS (LEVEL0_SLOTS + UPPER_SLOTS)
/* row h of a tile (the nodes of height h inside it) starts at node
 * ROW_AT(h): 256 leaves, then 128, 64, ... 1: 511 nodes in all */
#define ROW_AT(h) (2 * CONSTAT_TILE_WIDTH - (2 * CONSTAT_TILE_WIDTH >> (h)))
#define TILE_NODES (2 * CONSTAT_TILE_WIDTH - 1)

typedef struct {
    int active;
    unsigned level, width;
    uint64_t n;
    uint8_t node[TILE_NODES][CONSTAT_HASH_SIZE];
} node_slot;

struct constat_node_cache {
    node_slot slot[NODE_CACHE_SLOTS];
};

constat_node_cache *constat_node_cache_new(void)
{
    return calloc(1, sizeof(constat_node_cache));
}

void constat_node_cache_free(constat_node_cache *c)
{
    free(c);
}

void constat_node_cache_clear(constat_node_cache *c)
{
    if (c)
        for (size_t i = 0; i < NODE_CACHE_SLOTS; i++)
            c->slot[i].active = 0;
}

static size_t slot_of(unsigned level, uint64_t n)
{
    if (level == 0)
        return (size_t)(n % LEVEL0_SLOTS);
    /* consecutive upper tiles take consecutive slots; levels apart */
    return LEVEL0_SLOTS + (size_t)((n + (uint64_t)level * 0x9E3779B1u) % UPPER_SLOTS);
}

static unsigned height_of(unsigned count)
{
    unsigned h = 0;
    while ((1u << h) < count)
        h++;
    return h;
}

int constat_node_cache_get(const constat_node_cache *c, unsigned level, uint64_t n,
                           unsigned off, unsigned count, uint8_t out[CONSTAT_HASH_SIZE])
{
    const node_slot *s;
    unsigned h;
    if (!c || count == 0 || count > CONSTAT_TILE_WIDTH || (count & (count - 1)) != 0 ||
        off % count != 0)
        return 0;
    s = &c->slot[slot_of(level, n)];
    if (!s->active || s->level != level || s->n != n || off + count > s->width)
        return 0;
    h = height_of(count);
    memcpy(out, s->node[ROW_AT(h) + (off >> h)], CONSTAT_HASH_SIZE);
    return 1;
}

void constat_node_cache_put(constat_node_cache *c, unsigned level, uint64_t n, unsigned width,
                            const uint8_t *hashes)
{
    node_slot *s;
    if (!c || width == 0 || width > CONSTAT_TILE_WIDTH)
        return;
    s = &c->slot[slot_of(level, n)];
    memcpy(s->node[0], hashes, (size_t)width * CONSTAT_HASH_SIZE);
    /* row h + 1 from row h: only the complete pairs */
    for (unsigned h = 0; (width >> (h + 1)) > 0; h++) {
        unsigned m = width >> (h + 1);
        for (unsigned i = 0; i < m; i++)
            constat_merkle_node_hash(s->node[ROW_AT(h) + 2 * i], s->node[ROW_AT(h) + 2 * i + 1],
                                     s->node[ROW_AT(h + 1) + i]);
    }
    s->active = 1;
    s->level = level;
    s->n = n;
    s->width = width;
}
