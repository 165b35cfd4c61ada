/*
 * tiles.c — C2SP tlog-tiles paths and tile sets (see merkle.h).
 *
 * Tile paths arrive from mirrors and witnesses, so the parser is strict: it
 * accepts exactly the one spelling the formatter produces for each tile.
 * Two spellings of one tile would let a cache or a store hold two copies
 * that can disagree, so leading zeros, empty or short groups, a missing "x"
 * and a ".p/256" (a full tile written as partial) are all rejected.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "constat/base/errors.h"
#include "constat/log/merkle.h"

/* Decimal digits of N in groups of three: at most 7 for a uint64_t. */
#define MAX_GROUPS 7

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static constat_status bad(constat_error *err, const char *path, const char *at,
                          const char *why)
{
    return constat_error_set(err, CONSTAT_EINVAL,
                             "tile path \"%.80s%s\": at offset %td: %s", path,
                             strlen(path) > 80 ? "..." : "", at - path, why);
}

/* A plain decimal without leading zeros ("0" itself is fine), at most
 * `maxdigits` digits; advances *pp past it. */
static int parse_small(const char **pp, unsigned maxdigits, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    unsigned nd = 0;
    while (is_digit(*p)) {
        if (nd == maxdigits)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
        nd++;
        p++;
    }
    if (nd == 0 || (nd > 1 && **pp == '0'))
        return -1;
    *pp = p;
    *out = v;
    return 0;
}

/* Parse the shared tail "<N>[.p/<W>]" with full width `full`. */
static constat_status parse_index_width(const char *path, const char *p, unsigned full,
                                        uint64_t *n, unsigned *width, constat_error *err)
{
    uint64_t v = 0, w;
    unsigned groups = 0;

    for (;;) {
        int prefixed = (*p == 'x');
        const char *g = p + prefixed;
        unsigned d;
        if (!is_digit(g[0]) || !is_digit(g[1]) || !is_digit(g[2]))
            return bad(err, path, g, "index group must be exactly 3 digits");
        if (groups == MAX_GROUPS)
            return bad(err, path, p, "index has too many groups for a 64-bit number");
        d = (unsigned)(g[0] - '0') * 100 + (unsigned)(g[1] - '0') * 10 +
            (unsigned)(g[2] - '0');
        if (groups == 0 && prefixed && d == 0)
            return bad(err, path, p, "index has a leading zero group (x000)");
        if (__builtin_mul_overflow(v, (uint64_t)1000, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v))
            return bad(err, path, p, "index does not fit in 64 bits");
        groups++;
        p = g + 3;
        if (prefixed) {
            if (*p != '/')
                return bad(err, path, p, "an x-prefixed index group must be followed by '/'");
            p++;
            continue;
        }
        break;
    }
    if (is_digit(*p))
        return bad(err, path, p, "index group must be exactly 3 digits");
    if (*p == '/')
        return bad(err, path, p, "index group not prefixed by 'x' is followed by more");
    if (*p == '\0') {
        *n = v;
        *width = full;
        return CONSTAT_OK;
    }
    if (strncmp(p, ".p/", 3) != 0)
        return bad(err, path, p, "expected end of path or \".p/<width>\"");
    p += 3;
    if (*p == '0')
        return bad(err, path, p,
                   is_digit(p[1]) ? "width has a leading zero" : "width 0: a partial tile holds at least one hash");
    if (parse_small(&p, 10, &w) != 0)
        return bad(err, path, p, "width must be a decimal number");
    if (w >= full) {
        char why[96];
        snprintf(why, sizeof why, "width %" PRIu64 " must be below %u (a full tile has no .p/)",
                 w, full);
        return bad(err, path, p, why);
    }
    if (*p != '\0')
        return bad(err, path, p, "trailing characters after the width");
    *n = v;
    *width = (unsigned)w;
    return CONSTAT_OK;
}

/* Parse "<L>/" where L is 0..maxlevel or the name `entries` (level -1). */
static constat_status parse_level(const char *path, const char **pp, const char *entries,
                                  unsigned maxlevel, int *level, constat_error *err)
{
    const char *p = *pp;
    size_t el = strlen(entries);
    uint64_t v;

    if (strncmp(p, entries, el) == 0 && p[el] == '/') {
        *level = -1;
        *pp = p + el + 1;
        return CONSTAT_OK;
    }
    if (parse_small(&p, 3, &v) != 0)
        return bad(err, path, *pp, "level must be a decimal number without leading zeros");
    if (v > maxlevel)
        return bad(err, path, *pp, "level too high (a 64-bit tree has no such tiles)");
    if (*p != '/')
        return bad(err, path, p, "expected '/' after the level");
    *level = (int)v;
    *pp = p + 1;
    return CONSTAT_OK;
}

constat_status constat_tile_path_parse(const char *path, int *level, uint64_t *n,
                                       unsigned *width, constat_error *err)
{
    const char *p = path;
    int lv;
    uint64_t idx;
    unsigned w;
    constat_status st;

    if (!path)
        return constat_error_set(err, CONSTAT_EINVAL, "tile path: missing");
    if (strncmp(p, "tile/", 5) != 0)
        return bad(err, path, p, "does not start with \"tile/\"");
    p += 5;
    st = parse_level(path, &p, "entries", CONSTAT_TILE_MAX_LEVEL, &lv, err);
    if (st != CONSTAT_OK)
        return st;
    st = parse_index_width(path, p, CONSTAT_TILE_WIDTH, &idx, &w, err);
    if (st != CONSTAT_OK)
        return st;
    *level = lv;
    *n = idx;
    *width = w;
    return CONSTAT_OK;
}

constat_status constat_tile_path_parse_sumdb(const char *path, unsigned *height,
                                             int *level, uint64_t *n, unsigned *width,
                                             constat_error *err)
{
    const char *p = path;
    uint64_t h, idx;
    int lv;
    unsigned w;
    constat_status st;

    if (!path)
        return constat_error_set(err, CONSTAT_EINVAL, "tile path: missing");
    if (strncmp(p, "tile/", 5) != 0)
        return bad(err, path, p, "does not start with \"tile/\"");
    p += 5;
    if (parse_small(&p, 2, &h) != 0 || h < 1 || h > 30)
        return bad(err, path, path + 5, "tile height must be 1..30 without leading zeros");
    if (*p != '/')
        return bad(err, path, p, "expected '/' after the tile height");
    p++;
    st = parse_level(path, &p, "data", 63, &lv, err);
    if (st != CONSTAT_OK)
        return st;
    if (lv >= 0 && (uint64_t)lv * h >= 64)
        return bad(err, path, path + 5, "level times height reaches 64 (no such nodes)");
    st = parse_index_width(path, p, 1u << h, &idx, &w, err);
    if (st != CONSTAT_OK)
        return st;
    *height = (unsigned)h;
    *level = lv;
    *n = idx;
    *width = w;
    return CONSTAT_OK;
}

constat_status constat_tile_path(int level, uint64_t n, unsigned width, char out[96])
{
    unsigned group[MAX_GROUPS];
    int ng = 0, i;
    size_t len;

    out[0] = '\0';
    if (level < -1 || level > CONSTAT_TILE_MAX_LEVEL || width == 0 ||
        width > CONSTAT_TILE_WIDTH)
        return CONSTAT_EINVAL;
    if (level < 0)
        len = (size_t)snprintf(out, 96, "tile/entries/");
    else
        len = (size_t)snprintf(out, 96, "tile/%d/", level);
    do {
        group[ng++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n != 0);
    /* At most 13 + 7 * 4 + 7 bytes: the buffer cannot overflow. */
    for (i = ng - 1; i > 0; i--)
        len += (size_t)snprintf(out + len, 96 - len, "x%03u/", group[i]);
    len += (size_t)snprintf(out + len, 96 - len, "%03u", group[0]);
    if (width < CONSTAT_TILE_WIDTH)
        snprintf(out + len, 96 - len, ".p/%u", width);
    return CONSTAT_OK;
}

constat_status constat_tile_count(int level, uint64_t size, uint64_t *full_tiles,
                                  unsigned *partial_width)
{
    uint64_t nodes;
    if (level < -1 || level > CONSTAT_TILE_MAX_LEVEL)
        return CONSTAT_EINVAL;
    nodes = level <= 0 ? size : size >> (CONSTAT_TILE_HEIGHT * (unsigned)level);
    *full_tiles = nodes / CONSTAT_TILE_WIDTH;
    *partial_width = (unsigned)(nodes % CONSTAT_TILE_WIDTH);
    return CONSTAT_OK;
}

unsigned constat_tile_levels(uint64_t size)
{
    unsigned levels = 0;
    while (size != 0) {
        levels++;
        size >>= CONSTAT_TILE_HEIGHT;
    }
    return levels;
}

constat_status constat_tile_node_span(unsigned level, uint64_t index, uint64_t size,
                                      constat_tile_span *out, constat_error *err)
{
    unsigned tl = level / CONSTAT_TILE_HEIGHT, k = level % CONSTAT_TILE_HEIGHT;
    uint64_t first;

    if (tl > CONSTAT_TILE_MAX_LEVEL || index >= (CONSTAT_LOG_MAX_SIZE >> level))
        return constat_error_set(err, CONSTAT_EINTERNAL, "node %u/%" PRIu64 " outside any tree",
                                 level, index);
    first = index << k;
    out->tile_level = tl;
    out->tile_n = first / CONSTAT_TILE_WIDTH;
    out->off = (unsigned)(first % CONSTAT_TILE_WIDTH);
    out->count = 1u << k;
    out->width = out->off + out->count;
    if (size > 0) {
        uint64_t full;
        unsigned pw;
        if (constat_tile_count((int)tl, size, &full, &pw) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_EINTERNAL, "node %u/%" PRIu64 " outside any tree",
                                     level, index);
        out->width = out->tile_n < full ? CONSTAT_TILE_WIDTH : pw;
        if (out->off + out->count > out->width)
            return constat_error_set(err, CONSTAT_EINTERNAL,
                                     "node %u/%" PRIu64 " beyond the tree of size %" PRIu64,
                                     level, index, size);
    }
    return CONSTAT_OK;
}

void constat_tile_subtree_root(const uint8_t *hashes, unsigned count,
                               uint8_t out[CONSTAT_HASH_SIZE])
{
    uint8_t tmp[CONSTAT_TILE_WIDTH][CONSTAT_HASH_SIZE];
    memcpy(tmp, hashes, (size_t)count * CONSTAT_HASH_SIZE);
    for (unsigned w = count; w > 1; w /= 2)
        for (unsigned i = 0; i < w / 2; i++)
            constat_merkle_node_hash(tmp[2 * i], tmp[2 * i + 1], tmp[i]);
    memcpy(out, tmp[0], CONSTAT_HASH_SIZE);
}
