/* test_node_cache.c — the vault's cache of tile interior nodes
 * (src/lib/vault/node_cache.c): every node it answers equals the subtree
 * root hashed from the tile's own hashes (RFC 9162 2.1.1, worked out here by
 * hand for two leaves and by constat_tile_subtree_root for the rest), for
 * full and partial tiles; nodes beyond a cached tile's width, other tiles
 * and malformed requests are misses; a slot taken by another tile forgets
 * the first; clear forgets everything. Proofs through the cache are
 * checked against the tree in test_vault.c and test_merkle.c. */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "testutil.h"
#include "vault/node_cache.h"

#define H CONSTAT_HASH_SIZE

static uint8_t tile[CONSTAT_TILE_WIDTH][H];

static int setup(void **state)
{
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    for (unsigned i = 0; i < CONSTAT_TILE_WIDTH; i++)
        for (unsigned j = 0; j < H; j++)
            tile[i][j] = (uint8_t)(i * 7 + j * 13 + 1);
    return 0;
}

/* every aligned power-of-two span inside `width` is answered, and equals the
 * subtree root of those hashes; every span reaching past it is a miss */
static void check_all_spans(constat_node_cache *c, unsigned level, uint64_t n, unsigned width)
{
    for (unsigned count = 1; count <= CONSTAT_TILE_WIDTH; count *= 2)
        for (unsigned off = 0; off + count <= CONSTAT_TILE_WIDTH; off += count) {
            uint8_t got[H], want[H];
            int hit = constat_node_cache_get(c, level, n, off, count, got);
            if (off + count > width) {
                assert_int_equal(hit, 0);
                continue;
            }
            assert_int_equal(hit, 1);
            constat_tile_subtree_root(tile[off], count, want);
            assert_memory_equal(got, want, H);
        }
}

static void test_full_tile(void **state)
{
    constat_node_cache *c = constat_node_cache_new();
    uint8_t got[H], want[H], in[1 + 2 * H];
    SHA256_CTX sc;
    (void)state;
    assert_non_null(c);
    assert_int_equal(constat_node_cache_get(c, 0, 5, 0, 2, got), 0);
    constat_node_cache_put(c, 0, 5, CONSTAT_TILE_WIDTH, tile[0]);
    /* the node over hashes 2 and 3, by hand: SHA-256(0x01 || h2 || h3) */
    in[0] = 0x01;
    memcpy(in + 1, tile[2], H);
    memcpy(in + 1 + H, tile[3], H);
    SHA256_Init(&sc);
    SHA256_Update(&sc, in, sizeof in);
    SHA256_Final(want, &sc);
    assert_int_equal(constat_node_cache_get(c, 0, 5, 2, 2, got), 1);
    assert_memory_equal(got, want, H);
    check_all_spans(c, 0, 5, CONSTAT_TILE_WIDTH);
    /* another tile, the same tile at another level: misses */
    assert_int_equal(constat_node_cache_get(c, 0, 6, 0, 2, got), 0);
    assert_int_equal(constat_node_cache_get(c, 1, 5, 0, 2, got), 0);
    /* malformed requests */
    assert_int_equal(constat_node_cache_get(c, 0, 5, 1, 2, got), 0);   /* unaligned */
    assert_int_equal(constat_node_cache_get(c, 0, 5, 0, 3, got), 0);   /* not a power of 2 */
    assert_int_equal(constat_node_cache_get(c, 0, 5, 0, 512, got), 0); /* wider than a tile */
    assert_int_equal(constat_node_cache_get(c, 0, 5, 0, 0, got), 0);
    assert_int_equal(constat_node_cache_get(NULL, 0, 5, 0, 2, got), 0);
    constat_node_cache_clear(c);
    assert_int_equal(constat_node_cache_get(c, 0, 5, 0, 2, got), 0);
    constat_node_cache_free(c);
}

static void test_partial_tiles(void **state)
{
    static const unsigned widths[] = {1, 2, 3, 45, 128, 152, 255};
    constat_node_cache *c = constat_node_cache_new();
    (void)state;
    assert_non_null(c);
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        constat_node_cache_put(c, 2, 0, widths[i], tile[0]);
        check_all_spans(c, 2, 0, widths[i]);
    }
    /* a wider version of the tile replaces the narrower one */
    constat_node_cache_put(c, 2, 0, 3, tile[0]);
    constat_node_cache_put(c, 2, 0, 200, tile[0]);
    check_all_spans(c, 2, 0, 200);
    constat_node_cache_free(c);
}

/* many tiles: each answers for itself or misses, never for another tile */
static void test_many_tiles(void **state)
{
    constat_node_cache *c = constat_node_cache_new();
    uint8_t got[H], want[H];
    unsigned hits = 0;
    (void)state;
    assert_non_null(c);
    for (uint64_t n = 0; n < 1000; n++) {
        tile[0][0] = (uint8_t)n;
        constat_node_cache_put(c, 1, n, CONSTAT_TILE_WIDTH, tile[0]);
    }
    for (uint64_t n = 0; n < 1000; n++) {
        if (!constat_node_cache_get(c, 1, n, 0, 2, got))
            continue;
        hits++;
        tile[0][0] = (uint8_t)n;
        constat_tile_subtree_root(tile[0], 2, want);
        assert_memory_equal(got, want, H);
    }
    /* the last tile put is always held; 1000 tiles do not fit */
    assert_true(hits >= 1 && hits < 1000);
    tile[0][0] = (uint8_t)999;
    assert_int_equal(constat_node_cache_get(c, 1, 999, 0, 256, got), 1);
    constat_tile_subtree_root(tile[0], 256, want);
    assert_memory_equal(got, want, H);
    tile[0][0] = 1;
    constat_node_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_tile),
        cmocka_unit_test(test_partial_tiles),
        cmocka_unit_test(test_many_tiles),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
