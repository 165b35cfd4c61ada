/* fuzz_tile_path.c — the C2SP tlog-tiles path parser and the entry bundle
 * parser (tlog.h) on arbitrary input. Layout: a tile path, a newline, then
 * the bytes of a bundle. The path must format back to itself when it
 * parses; the bundle is parsed with any count and, when the path names an
 * entry bundle, with the count its width gives. A parsed bundle must
 * re-encode to exactly its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/log/merkle.h"
#include "constat/log/tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bundle(const uint8_t *b, size_t len, unsigned want)
{
    static constat_tlog_entry e[CONSTAT_TILE_WIDTH];
    constat_error err;
    unsigned n = 12345;
    size_t off = 0;

    if (constat_tlog_bundle_parse(b, len, want, e, &n, &err) != CONSTAT_OK) {
        if (n != 0 || err.msg[0] == '\0')
            abort();
        return;
    }
    if (n > CONSTAT_TILE_WIDTH || (want != 0 && n != want))
        abort();
    for (unsigned i = 0; i < n; i++) {
        if (e[i].len > CONSTAT_TLOG_ENTRY_MAX || off + 2 + e[i].len > len)
            abort();
        if (b[off] != (uint8_t)(e[i].len >> 8) || b[off + 1] != (uint8_t)e[i].len ||
            e[i].data != b + off + 2)
            abort();
        off += 2 + e[i].len;
    }
    if (off != len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    const uint8_t *bundle = nl ? nl + 1 : data;
    size_t blen = nl ? size - plen - 1 : size;
    char *path = malloc(plen + 1);
    constat_error err;
    int level;
    uint64_t n;
    unsigned width;

    if (!path)
        return 0;
    memcpy(path, data, plen);
    path[plen] = '\0';
    if (constat_tile_path_parse(path, &level, &n, &width, &err) == CONSTAT_OK) {
        char back[96];
        if (level < -1 || level > CONSTAT_TILE_MAX_LEVEL || width == 0 ||
            width > CONSTAT_TILE_WIDTH)
            abort();
        if (constat_tile_path(level, n, width, back) != CONSTAT_OK || strcmp(back, path) != 0)
            abort();
        if (level == -1)
            check_bundle(bundle, blen, width);
    }
    check_bundle(bundle, blen, 0);
    free(path);
    return 0;
}
