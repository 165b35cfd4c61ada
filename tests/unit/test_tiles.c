/* test_tiles.c — C2SP tlog-tiles paths and tile sets: the path vectors,
 * the tessera test log (layout, contents, roots against its checkpoints),
 * format/parse round trips and malformed paths. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "testutil.h"

#define H CONSTAT_HASH_SIZE
#define TESSERA_LOG "tlog-tiles/tessera-testdata/testdata/log"

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

static json_t *load_vectors(void)
{
    char *text = tu_read_vector("tlog-tiles/tile-paths.json", NULL);
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!j)
        fail_msg("tile-paths.json: line %d: %s", je.line, je.text);
    return j;
}

static void expect_parse(const char *path, int level, uint64_t n, unsigned width)
{
    int l = 99;
    uint64_t got_n = 0;
    unsigned w = 0;
    constat_error err;
    if (constat_tile_path_parse(path, &l, &got_n, &w, &err) != CONSTAT_OK)
        fail_msg("%s: %s", path, err.msg);
    assert_int_equal(l, level);
    assert_int_equal(got_n, n);
    assert_int_equal(w, width);
}

static void test_index_encoding_vectors(void **state)
{
    json_t *j = load_vectors();
    json_t *rows = json_object_get(j, "index_encoding");
    size_t i;
    (void)state;
    assert_true(json_array_size(rows) >= 9);
    for (i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        uint64_t n = (uint64_t)json_integer_value(json_object_get(row, "n"));
        const char *elem = json_string_value(json_object_get(row, "path_elem"));
        char out[96], want[96];
        int level;
        assert_non_null(elem);
        for (level = -1; level <= 2; level++) {
            if (level < 0)
                snprintf(want, sizeof want, "tile/entries/%s", elem);
            else
                snprintf(want, sizeof want, "tile/%d/%s", level, elem);
            assert_int_equal(constat_tile_path(level, n, 256, out), CONSTAT_OK);
            assert_string_equal(out, want);
            expect_parse(want, level, n, 256);
            snprintf(want + strlen(want), sizeof want - strlen(want), ".p/%u", 1 + (unsigned)i);
            assert_int_equal(constat_tile_path(level, n, 1 + (unsigned)i, out), CONSTAT_OK);
            assert_string_equal(out, want);
            expect_parse(want, level, n, 1 + (unsigned)i);
        }
    }
    /* the spec's own example, spelled out */
    expect_parse("tile/0/x001/x234/067", 0, 1234067, 256);
    expect_parse("tile/entries/x001/x234/067.p/128", -1, 1234067, 128);
    json_decref(j);
}

static void test_sumdb_vectors(void **state)
{
    json_t *j = load_vectors();
    json_t *rows = json_object_get(j, "sumdb_paths");
    size_t i;
    unsigned valid = 0, invalid = 0;
    (void)state;
    assert_int_equal(json_array_size(rows), 8);
    for (i = 0; i < json_array_size(rows); i++) {
        const char *path = json_string_value(json_array_get(json_array_get(rows, i), 0));
        const char *desc = json_string_value(json_array_get(json_array_get(rows, i), 1));
        unsigned h = 0, w = 0, wh, ww;
        int l = 0, wl;
        unsigned long long wn;
        uint64_t n = 0;
        constat_error err;
        constat_status st = constat_tile_path_parse_sumdb(path, &h, &l, &n, &w, &err);
        if (strncmp(desc, "invalid", 7) == 0) {
            assert_int_equal(st, CONSTAT_EINVAL);
            assert_non_null(strstr(err.msg, path));
            invalid++;
            continue;
        }
        if (st != CONSTAT_OK)
            fail_msg("%s: %s", path, err.msg);
        if (strstr(desc, "data tile")) {
            /* "tile/1/data/x003/x057/500": height 1, entries, full width 2 */
            assert_int_equal(h, 1);
            assert_int_equal(l, -1);
            assert_int_equal(n, 3057500);
            assert_int_equal(w, 2);
        } else {
            assert_int_equal(sscanf(desc, "H=%u L=%d N=%llu W=%u", &wh, &wl, &wn, &ww), 4);
            assert_int_equal(h, wh);
            assert_int_equal(l, wl);
            assert_int_equal(n, wn);
            assert_int_equal(w, ww);
        }
        valid++;
        /* the C2SP parser has no height segment and must not take these */
        assert_int_not_equal(constat_tile_path_parse(path, &l, &n, &w, &err), CONSTAT_OK);
    }
    assert_int_equal(valid, 6);
    assert_int_equal(invalid, 2);
    json_decref(j);
}

static void test_tree_size_examples(void **state)
{
    json_t *j = load_vectors();
    json_t *rows = json_object_get(j, "tree_size_examples");
    size_t i, k;
    (void)state;
    assert_int_equal(json_array_size(rows), 3);
    for (i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        uint64_t size = (uint64_t)json_integer_value(json_object_get(row, "size"));
        json_t *derived = json_object_get(row, "derived");
        assert_int_equal(constat_tile_levels(size), json_array_size(derived));
        for (k = 0; k < json_array_size(derived); k++) {
            json_t *d = json_array_get(derived, k);
            int level = (int)json_integer_value(json_object_get(d, "level"));
            json_t *pp = json_object_get(d, "partial_path");
            uint64_t full = 0;
            unsigned partial = 0;
            char out[96];
            assert_int_equal(level, (int)k);
            assert_int_equal(constat_tile_count(level, size, &full, &partial), CONSTAT_OK);
            assert_int_equal(full, json_integer_value(json_object_get(d, "full_tiles")));
            assert_int_equal(partial, json_integer_value(json_object_get(d, "partial_width")));
            if (json_is_null(pp)) {
                assert_int_equal(partial, 0);
            } else {
                assert_int_equal(constat_tile_path(level, full, partial, out), CONSTAT_OK);
                assert_string_equal(out, json_string_value(pp));
            }
        }
        /* entry bundles follow level 0 */
        {
            uint64_t f0, fe;
            unsigned p0, pe;
            assert_int_equal(constat_tile_count(0, size, &f0, &p0), CONSTAT_OK);
            assert_int_equal(constat_tile_count(-1, size, &fe, &pe), CONSTAT_OK);
            assert_int_equal(f0, fe);
            assert_int_equal(p0, pe);
        }
    }
    /* edges of constat_tile_count / constat_tile_levels */
    {
        uint64_t full;
        unsigned partial;
        assert_int_equal(constat_tile_levels(0), 0);
        assert_int_equal(constat_tile_levels(1), 1);
        assert_int_equal(constat_tile_levels(255), 1);
        assert_int_equal(constat_tile_levels(65535), 2);
        assert_int_equal(constat_tile_levels(65536), 3);
        assert_int_equal(constat_tile_levels(UINT64_MAX), 8);
        assert_int_equal(constat_tile_count(7, UINT64_MAX, &full, &partial), CONSTAT_OK);
        assert_int_equal(full, 0);
        assert_int_equal(partial, 255);
        assert_int_equal(constat_tile_count(8, 1, &full, &partial), CONSTAT_EINVAL);
        assert_int_equal(constat_tile_count(-2, 1, &full, &partial), CONSTAT_EINVAL);
        assert_int_equal(constat_tile_count(1, 0, &full, &partial), CONSTAT_OK);
        assert_int_equal(full, 0);
        assert_int_equal(partial, 0);
    }
    json_decref(j);
}

/* --- the tessera test log ---------------------------------------------- */

typedef struct {
    unsigned files, level0, entries;
} walk_stats;

static void walk_tiles(const char *root, const char *rel, walk_stats *st)
{
    char dir[8192];
    DIR *d;
    struct dirent *e;
    if (snprintf(dir, sizeof dir, "%s/%s", root, rel) >= (int)sizeof dir)
        fail_msg("path too long");
    d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    while ((e = readdir(d)) != NULL) {
        char path[8192], relpath[8192], out[96];
        struct stat sb;
        int level;
        uint64_t n, full;
        unsigned w, partial;
        constat_error err;
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(relpath, sizeof relpath, "%s/%s", rel, e->d_name) >= (int)sizeof relpath)
            fail_msg("path too long");
        assert_int_equal(stat(path, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            walk_tiles(root, relpath, st);
            continue;
        }
        /* every file of the log is a tile whose path is in canonical form */
        if (constat_tile_path_parse(relpath, &level, &n, &w, &err) != CONSTAT_OK)
            fail_msg("%s: %s", relpath, err.msg);
        assert_int_equal(constat_tile_path(level, n, w, out), CONSTAT_OK);
        assert_string_equal(out, relpath);
        /* a log of 15 entries: its tiles are the partial tiles of the
         * checkpoints 1..15, all N = 0 */
        assert_int_equal(n, 0);
        assert_true(w >= 1 && w <= 15);
        assert_int_equal(constat_tile_count(level, w, &full, &partial), CONSTAT_OK);
        assert_int_equal(full, 0);
        assert_int_equal(partial, w);
        if (level == 0) {
            assert_int_equal(sb.st_size, (off_t)w * H);
            st->level0++;
        } else {
            assert_int_equal(level, -1);
            st->entries++;
        }
        st->files++;
    }
    closedir(d);
}

typedef struct {
    const uint8_t *hashes; /* level-0 tile */
    uint64_t count, size;
} tile_reader;

static constat_status tile_read(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                constat_error *err)
{
    tile_reader *r = ctx;
    uint8_t l[H], rr[H];
    constat_status st;
    if (index >= (r->size >> level))
        fail_msg("tile reader: node (%u, %llu) outside tree %llu", level,
                 (unsigned long long)index, (unsigned long long)r->size);
    if (level == 0) {
        assert_true(index < r->count);
        memcpy(out, r->hashes + index * H, H);
        return CONSTAT_OK;
    }
    /* higher nodes of a tile are recomputed from its hashes, as a tlog-tiles
     * client does */
    st = tile_read(ctx, level - 1, 2 * index, l, err);
    if (st == CONSTAT_OK)
        st = tile_read(ctx, level - 1, 2 * index + 1, rr, err);
    if (st == CONSTAT_OK)
        constat_merkle_node_hash(l, rr, out);
    return st;
}

static void test_tessera_log(void **state)
{
    char root[4096];
    walk_stats st = {0, 0, 0};
    char *tile;
    size_t tile_len;
    unsigned w;
    (void)state;

    snprintf(root, sizeof root, "%s/%s", CONSTAT_VECTORS, TESSERA_LOG);
    walk_tiles(root, "tile", &st);
    assert_int_equal(st.files, 30);
    assert_int_equal(st.level0, 15);
    assert_int_equal(st.entries, 15);

    tile = tu_read_vector(TESSERA_LOG "/tile/0/000.p/15", &tile_len);
    assert_int_equal(tile_len, 15 * H);
    for (w = 1; w <= 15; w++) {
        char rel[256], *bundle, *cp;
        size_t blen, pos = 0, cplen;
        unsigned count = 0;
        char *line2, *line3, *eol;
        uint8_t want[H], got[H];
        tile_reader r;

        /* the entry bundle of width w: w u16be-length-prefixed entries whose
         * leaf hashes are the first w hashes of the level-0 tile */
        snprintf(rel, sizeof rel, TESSERA_LOG "/tile/entries/000.p/%u", w);
        bundle = tu_read_vector(rel, &blen);
        while (pos < blen) {
            size_t len;
            assert_true(pos + 2 <= blen);
            len = ((size_t)(uint8_t)bundle[pos] << 8) | (uint8_t)bundle[pos + 1];
            pos += 2;
            assert_true(pos + len <= blen);
            constat_merkle_leaf_hash(bundle + pos, len, got);
            assert_true(count < 15);
            assert_memory_equal(got, tile + count * H, H);
            pos += len;
            count++;
        }
        assert_int_equal(count, w);
        free(bundle);

        /* the smaller level-0 tiles are prefixes of the largest */
        snprintf(rel, sizeof rel, TESSERA_LOG "/tile/0/000.p/%u", w);
        bundle = tu_read_vector(rel, &blen);
        assert_int_equal(blen, w * H);
        assert_memory_equal(bundle, tile, blen);
        free(bundle);

        /* checkpoint.w: origin, size, base64 root; our root from the tile
         * must match */
        snprintf(rel, sizeof rel, TESSERA_LOG "/checkpoint.%u", w);
        cp = tu_read_vector(rel, &cplen);
        line2 = strchr(cp, '\n');
        assert_non_null(line2);
        line2++;
        assert_int_equal(strtoull(line2, NULL, 10), w);
        line3 = strchr(line2, '\n');
        assert_non_null(line3);
        line3++;
        eol = strchr(line3, '\n');
        assert_non_null(eol);
        *eol = '\0';
        assert_int_equal(tu_unbase64(line3, want, H), H);
        r.hashes = (const uint8_t *)tile;
        r.count = 15;
        r.size = w;
        assert_int_equal(constat_merkle_root(tile_read, &r, w, got, NULL), CONSTAT_OK);
        assert_memory_equal(got, want, H);
        free(cp);
    }
    free(tile);
}

/* --- round trips and malformed paths ------------------------------------ */

static void test_round_trip(void **state)
{
    int k;
    char out[96];
    (void)state;
    for (k = 0; k < 20000; k++) {
        int level = (int)(rnd() % 9) - 1;
        uint64_t n = k == 0 ? UINT64_MAX : k == 1 ? 0 : rnd() >> (rnd() % 64);
        unsigned width = k % 3 == 0 ? 256 : 1 + (unsigned)(rnd() % 255);
        assert_int_equal(constat_tile_path(level, n, width, out), CONSTAT_OK);
        assert_true(strlen(out) < 96);
        expect_parse(out, level, n, width);
    }
    assert_int_equal(constat_tile_path(0, UINT64_MAX, 255, out), CONSTAT_OK);
    assert_string_equal(out, "tile/0/x018/x446/x744/x073/x709/x551/615.p/255");
    assert_int_equal(constat_tile_path(7, 1000, 256, out), CONSTAT_OK);
    assert_string_equal(out, "tile/7/x001/000");
    /* bad arguments */
    assert_int_equal(constat_tile_path(0, 0, 0, out), CONSTAT_EINVAL);
    assert_int_equal(constat_tile_path(0, 0, 257, out), CONSTAT_EINVAL);
    assert_int_equal(constat_tile_path(-2, 0, 1, out), CONSTAT_EINVAL);
    assert_int_equal(constat_tile_path(8, 0, 1, out), CONSTAT_EINVAL);
}

static void test_malformed(void **state)
{
    static const struct {
        const char *path, *why;
    } bad[] = {
        {"", "tile/"},
        {"tiles/0/000", "tile/"},
        {"/tile/0/000", "tile/"},
        {"tile/", "level"},
        {"tile//000", "level"},
        {"tile/00/000", "level"},
        {"tile/01/000", "level"},
        {"tile/8/000", "level too high"},
        {"tile/-1/000", "level"},
        {"tile/data/000", "level"},
        {"tile/entries000", "level"},
        {"tile/0", "'/'"},
        {"tile/0/", "3 digits"},
        {"tile/0/00", "3 digits"},
        {"tile/0/0000", "3 digits"},
        {"tile/0/1", "3 digits"},
        {"tile/0/abc", "3 digits"},
        {"tile/0/x12/000", "3 digits"},
        {"tile/0/x001", "followed by '/'"},
        {"tile/0/x001/", "3 digits"},
        {"tile/0/001/002", "not prefixed"},
        {"tile/0/x000/001", "leading zero group"},
        {"tile/0/x000/x001/002", "leading zero group"},
        {"tile/0/x001/x002/x003/x004/x005/x006/x007/008", "too many groups"},
        {"tile/0/x018/x446/x744/x073/x709/x551/616", "64 bits"},
        {"tile/0/x099/x999/x999/x999/x999/x999/999", "64 bits"},
        {"tile/0/000/", "not prefixed"},
        {"tile/0/000.p/0", "width 0"},
        {"tile/0/000.p/00", "leading zero"},
        {"tile/0/000.p/010", "leading zero"},
        {"tile/0/000.p/256", "must be below 256"},
        {"tile/0/000.p/99999999999", "width"},
        {"tile/0/000.p/", "width"},
        {"tile/0/000.p/1x", "trailing"},
        {"tile/0/000.p/1/", "trailing"},
        {"tile/0/000.p/+1", "width"},
        {"tile/0/000.p/-1", "width"},
        {"tile/0/000.q/1", "expected end"},
        {"tile/0/000.p1", "expected end"},
        {"tile/0/000 ", "expected end"},
        {"tile/0/000\n", "expected end"},
        {"tile/0/x001/234/067", "not prefixed"},
        {"tile/0/X001/000", "3 digits"},
        {"tile/entries/x001", "followed by '/'"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int l = 42;
        uint64_t n = 42;
        unsigned w = 42;
        constat_error err;
        constat_error_clear(&err);
        if (constat_tile_path_parse(bad[i].path, &l, &n, &w, &err) != CONSTAT_EINVAL)
            fail_msg("accepted malformed tile path \"%s\"", bad[i].path);
        assert_int_equal(err.code, CONSTAT_EINVAL);
        if (!strstr(err.msg, bad[i].why))
            fail_msg("\"%s\": message \"%s\" does not say \"%s\"", bad[i].path, err.msg,
                     bad[i].why);
        /* outputs untouched on failure */
        assert_int_equal(l, 42);
        assert_int_equal(n, 42);
        assert_int_equal(w, 42);
    }
    /* limits that are valid */
    expect_parse("tile/0/x018/x446/x744/x073/x709/x551/615", 0, UINT64_MAX, 256);
    expect_parse("tile/7/000.p/255", 7, 0, 255);
    expect_parse("tile/0/000.p/1", 0, 0, 1);
    /* sumdb form: height limits, width below 2^H */
    {
        unsigned h, w;
        int l;
        uint64_t n;
        constat_error err;
        assert_int_equal(constat_tile_path_parse_sumdb("tile/30/0/000.p/1073741823", &h, &l, &n,
                                                       &w, &err),
                         CONSTAT_OK);
        assert_int_equal(w, (1u << 30) - 1);
        assert_int_equal(constat_tile_path_parse_sumdb("tile/31/0/000", &h, &l, &n, &w, &err),
                         CONSTAT_EINVAL);
        assert_int_equal(constat_tile_path_parse_sumdb("tile/0/0/000", &h, &l, &n, &w, &err),
                         CONSTAT_EINVAL);
        assert_int_equal(constat_tile_path_parse_sumdb("tile/4/0/001.p/16", &h, &l, &n, &w, &err),
                         CONSTAT_EINVAL);
        assert_int_equal(constat_tile_path_parse_sumdb("tile/4/16/000", &h, &l, &n, &w, &err),
                         CONSTAT_EINVAL);
        assert_int_equal(constat_tile_path_parse_sumdb("tile/4/15/000", &h, &l, &n, &w, &err),
                         CONSTAT_OK);
        assert_int_equal(constat_tile_path_parse_sumdb("tile/8/entries/000", &h, &l, &n, &w,
                                                       &err),
                         CONSTAT_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_encoding_vectors),
        cmocka_unit_test(test_sumdb_vectors),
        cmocka_unit_test(test_tree_size_examples),
        cmocka_unit_test(test_tessera_log),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
