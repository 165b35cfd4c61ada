/*
 * tlog_export.c — write a log as C2SP tlog-tiles static files (tlog.h).
 *
 * Why the checks before writing: a published log is read by people who
 * cannot ask us anything, so we never publish a checkpoint the tiles do not
 * support. The root is recomputed from the source's tiles (O(log n) tiles)
 * and every leaf is hashed against its level-0 tile as its bundle is built;
 * upper tiles are copied from the source (the vault's verify checks them).
 *
 * Why compare before writing: tiles and full bundles are immutable, and
 * caches downstream keep them forever; rewriting an identical file would
 * only change its mtime, and a file with other bytes can only be a torn or
 * tampered earlier export, which we replace and report.
 *
 * Why no fsync per file: the export is a copy regenerated from the vault;
 * a crash leaves at worst torn files, which the next export finds (by the
 * comparison above) and rewrites, and the checkpoint is written last.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "constat/log/tlog.h"

/* ---- nodes from the source's tiles -------------------------------------- */

typedef struct {
    const constat_tlog_source *src;
    uint64_t size;
    int have;
    unsigned level, width;
    uint64_t n;
    constat_buf tile;
} tile_nodes;

/* constat_node_reader: node (level, i) is the root of 2^(level % 8)
 * consecutive hashes of tile level level / 8, read at the width that tile
 * has in the tree of `size` leaves. */
static constat_status read_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                constat_error *err)
{
    tile_nodes *t = ctx;
    constat_tile_span sp;
    constat_status st;

    if ((st = constat_tile_node_span(level, index, t->size, &sp, err)) != CONSTAT_OK)
        return st;
    if (!t->have || t->level != sp.tile_level || t->n != sp.tile_n) {
        constat_buf_reset(&t->tile);
        t->have = 0;
        st = t->src->tile(t->src->ctx, sp.tile_level, sp.tile_n, sp.width, &t->tile, err);
        if (st != CONSTAT_OK)
            return st;
        if (t->tile.len != (size_t)sp.width * 32)
            return constat_error_set(err, CONSTAT_EIO, "tile %u/%" PRIu64 ": %zu bytes, not %u",
                                     sp.tile_level, sp.tile_n, t->tile.len, sp.width * 32);
        t->have = 1;
        t->level = sp.tile_level;
        t->n = sp.tile_n;
        t->width = sp.width;
    }
    constat_tile_subtree_root(t->tile.data + (size_t)sp.off * 32, sp.count, out);
    return CONSTAT_OK;
}

static constat_status source_root(const constat_tlog_source *src, uint64_t size,
                                  uint8_t root[32], constat_error *err)
{
    tile_nodes t;
    constat_status st;
    memset(&t, 0, sizeof t);
    t.src = src;
    t.size = size;
    constat_buf_init(&t.tile);
    st = constat_merkle_root(read_node, &t, size, root, err);
    constat_buf_free(&t.tile);
    return st;
}

constat_status constat_tlog_checkpoint_sign(const constat_tlog_source *src, uint64_t size,
                                            const char *origin,
                                            const constat_note_signer *signer,
                                            constat_buf *out, constat_error *err)
{
    uint8_t root[32];
    constat_buf body;
    constat_status st;

    if (!src || !src->tile || !origin || !signer || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: missing argument");
    st = source_root(src, size, root, err);
    if (st != CONSTAT_OK)
        return st;
    constat_buf_init(&body);
    st = constat_checkpoint_format(origin, size, root, &body, err);
    if (st == CONSTAT_OK)
        st = constat_note_sign((const char *)body.data, body.len, signer, 1, out, err);
    constat_buf_free(&body);
    return st;
}

/* Parse a signed checkpoint without checking any signature (the exporter
 * publishes what its source signed; auditors check the signature). */
static constat_status parse_checkpoint(const uint8_t *note, size_t len, constat_checkpoint *cp,
                                       constat_error *err)
{
    constat_note *n = malloc(sizeof *n);
    constat_status st;
    if (!n)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_note_open((const char *)note, len, NULL, 0, n, err);
    if (st == CONSTAT_EVERIFY && n->nsigs > 0)
        st = CONSTAT_OK; /* parsed; no key was asked to verify */
    if (st == CONSTAT_OK)
        st = constat_checkpoint_parse((const char *)note, n->text_len, cp, err);
    free(n);
    return st;
}

/* ---- files -------------------------------------------------------------- */

typedef struct {
    const char *dir;
    char made[4096]; /* the last directory known to exist */
    constat_tlog_export_stats *stats;
    constat_buf scratch;
} exporter;

static constat_status mkdirs(exporter *ex, const char *path, constat_error *err)
{
    char d[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;

    if (n == 0 || n >= sizeof d)
        return CONSTAT_OK;
    memcpy(d, path, n);
    d[n] = '\0';
    if (strcmp(d, ex->made) == 0)
        return CONSTAT_OK;
    for (size_t i = 1; i <= n; i++) {
        if (d[i] != '/' && d[i] != '\0')
            continue;
        d[i] = '\0';
        if (mkdir(d, 0755) != 0 && errno != EEXIST)
            return constat_error_set(err, CONSTAT_EIO, "%s: cannot create directory: %s", d,
                                     strerror(errno));
        if (i < n)
            d[i] = '/';
    }
    snprintf(ex->made, sizeof ex->made, "%s", d);
    return CONSTAT_OK;
}

/* 1 if `path` holds exactly `len` bytes equal to data, 0 if it holds other
 * bytes, -1 if it does not exist. */
static int same_file(exporter *ex, const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    size_t got = 0;
    int same;

    if (fd < 0)
        return errno == ENOENT ? -1 : 0;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != len) {
        close(fd);
        return 0;
    }
    constat_buf_reset(&ex->scratch);
    if (constat_buf_reserve(&ex->scratch, len + 1) != CONSTAT_OK) {
        close(fd);
        return 0;
    }
    while (got < len) {
        ssize_t r = read(fd, ex->scratch.data + got, len - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    same = got == len && memcmp(ex->scratch.data, data, len) == 0;
    return same;
}

static constat_status write_new(const char *path, const uint8_t *data, size_t len,
                                constat_error *err)
{
    char tmp[4200];
    size_t off = 0;
    int fd;

    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot create: %s", tmp,
                                 strerror(errno));
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return constat_error_set(err, CONSTAT_EIO, "%s: write failed: %s", tmp,
                                     strerror(e));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return CONSTAT_OK;
}

/* Write `rel` (a path below the export directory) unless it already holds
 * these bytes. *written (may be NULL) gets 1 if the file was written. */
static constat_status put_file(exporter *ex, const char *rel, const uint8_t *data, size_t len,
                               int *written, constat_error *err)
{
    char path[4096];
    constat_status st;
    int same;

    if (written)
        *written = 0;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", ex->dir, rel) >= sizeof path)
        return constat_error_set(err, CONSTAT_EINVAL, "%s/%s: path too long", ex->dir, rel);
    st = mkdirs(ex, path, err);
    if (st != CONSTAT_OK)
        return st;
    same = same_file(ex, path, data, len);
    if (same == 1) {
        ex->stats->files_unchanged++;
        return CONSTAT_OK;
    }
    st = write_new(path, data, len, err);
    if (st != CONSTAT_OK)
        return st;
    if (written)
        *written = 1;
    if (same == 0) {
        ex->stats->files_replaced++;
        if (ex->stats->first_replaced[0] == '\0')
            snprintf(ex->stats->first_replaced, sizeof ex->stats->first_replaced, "%s", rel);
    } else {
        ex->stats->files_written++;
    }
    return CONSTAT_OK;
}

/* ---- bundles ------------------------------------------------------------ */

typedef struct {
    uint64_t next;          /* index expected next */
    const uint8_t *hashes;  /* level-0 tile of the bundle */
    uint64_t first;
    constat_buf *bundle;
    constat_status st;
    constat_error *err;
} bundle_ctx;

static int add_entry(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    bundle_ctx *b = ctx;
    uint8_t lh[32], pre[2];

    if (index != b->next) {
        b->st = constat_error_set(b->err, CONSTAT_EIO,
                                  "source gave leaf %" PRIu64 " where %" PRIu64 " was expected",
                                  index, b->next);
        return 1;
    }
    if (len > CONSTAT_TLOG_ENTRY_MAX) {
        b->st = constat_error_set(b->err, CONSTAT_ELIMIT,
                                  "leaf %" PRIu64 " is %zu bytes: a C2SP tlog-tiles entry "
                                  "bundle holds entries of at most %u bytes (u16 length "
                                  "prefix), so this log cannot be published as tiles",
                                  index, len, CONSTAT_TLOG_ENTRY_MAX);
        return 1;
    }
    constat_merkle_leaf_hash(leaf, len, lh);
    if (memcmp(lh, b->hashes + (size_t)(index - b->first) * 32, 32) != 0) {
        b->st = constat_error_set(b->err, CONSTAT_EVERIFY,
                                  "leaf %" PRIu64 " does not hash to its entry in level-0 "
                                  "tile %" PRIu64 ": the source is inconsistent, nothing "
                                  "more is published",
                                  index, index / CONSTAT_TILE_WIDTH);
        return 1;
    }
    pre[0] = (uint8_t)(len >> 8);
    pre[1] = (uint8_t)len;
    if (constat_buf_append(b->bundle, pre, 2) != CONSTAT_OK ||
        constat_buf_append(b->bundle, leaf, len) != CONSTAT_OK) {
        b->st = constat_error_set(b->err, CONSTAT_ENOMEM, "out of memory");
        return 1;
    }
    b->next++;
    return 0;
}

static constat_status export_level0(exporter *ex, const constat_tlog_source *src,
                                    uint64_t size, constat_error *err)
{
    uint64_t full, n;
    unsigned pw;
    constat_buf tile, bundle;
    constat_status st = CONSTAT_OK;
    char rel[96];

    if (constat_tile_count(0, size, &full, &pw) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINTERNAL, "tile count");
    constat_buf_init(&tile);
    constat_buf_init(&bundle);
    for (n = 0; st == CONSTAT_OK && n < full + (pw != 0); n++) {
        unsigned w = n < full ? CONSTAT_TILE_WIDTH : pw;
        uint64_t first = n * CONSTAT_TILE_WIDTH;
        bundle_ctx b = {first, NULL, first, &bundle, CONSTAT_OK, err};

        constat_buf_reset(&tile);
        constat_buf_reset(&bundle);
        st = src->tile(src->ctx, 0, n, w, &tile, err);
        if (st == CONSTAT_OK && tile.len != (size_t)w * 32)
            st = constat_error_set(err, CONSTAT_EIO, "tile 0/%" PRIu64 ": %zu bytes, not %u",
                                   n, tile.len, w * 32);
        if (st != CONSTAT_OK)
            break;
        b.hashes = tile.data;
        st = src->leaves(src->ctx, first, first + w, add_entry, &b, err);
        if (st == CONSTAT_OK)
            st = b.st;
        if (st == CONSTAT_OK && b.next != first + w)
            st = constat_error_set(err, CONSTAT_EIO,
                                   "source gave %" PRIu64 " leaves for bundle %" PRIu64
                                   ", not %u",
                                   b.next - first, n, w);
        if (st != CONSTAT_OK)
            break;
        constat_tile_path(-1, n, w, rel);
        st = put_file(ex, rel, bundle.data, bundle.len, NULL, err);
        ex->stats->entries += w;
        if (st == CONSTAT_OK) {
            constat_tile_path(0, n, w, rel);
            st = put_file(ex, rel, tile.data, tile.len, NULL, err);
        }
    }
    constat_buf_free(&tile);
    constat_buf_free(&bundle);
    return st;
}

static constat_status export_upper(exporter *ex, const constat_tlog_source *src, uint64_t size,
                                   constat_error *err)
{
    unsigned levels = constat_tile_levels(size);
    constat_buf tile;
    constat_status st = CONSTAT_OK;
    char rel[96];

    constat_buf_init(&tile);
    for (unsigned l = 1; st == CONSTAT_OK && l < levels; l++) {
        uint64_t full, n;
        unsigned pw;
        if (constat_tile_count((int)l, size, &full, &pw) != CONSTAT_OK)
            break;
        for (n = 0; st == CONSTAT_OK && n < full + (pw != 0); n++) {
            unsigned w = n < full ? CONSTAT_TILE_WIDTH : pw;
            constat_buf_reset(&tile);
            st = src->tile(src->ctx, l, n, w, &tile, err);
            if (st == CONSTAT_OK && tile.len != (size_t)w * 32)
                st = constat_error_set(err, CONSTAT_EIO,
                                       "tile %u/%" PRIu64 ": %zu bytes, not %u", l, n,
                                       tile.len, w * 32);
            if (st == CONSTAT_OK) {
                constat_tile_path((int)l, n, w, rel);
                st = put_file(ex, rel, tile.data, tile.len, NULL, err);
            }
        }
    }
    constat_buf_free(&tile);
    return st;
}

/* Refuse to replace a published checkpoint of another log, or of a larger
 * tree (readers that saw it would see the log shrink). */
static constat_status check_existing(exporter *ex, const constat_checkpoint *cp,
                                     constat_error *err)
{
    char path[4096];
    constat_buf old;
    constat_checkpoint ocp;
    constat_status st;
    int fd;
    uint8_t chunk[4096];
    ssize_t r;

    snprintf(path, sizeof path, "%s/checkpoint", ex->dir);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return CONSTAT_OK;
    constat_buf_init(&old);
    while ((r = read(fd, chunk, sizeof chunk)) > 0 && old.len <= CONSTAT_NOTE_MAX_BYTES)
        if (constat_buf_append(&old, chunk, (size_t)r) != CONSTAT_OK)
            break;
    close(fd);
    st = parse_checkpoint(old.data ? old.data : (const uint8_t *)"", old.len, &ocp, NULL);
    constat_buf_free(&old);
    if (st != CONSTAT_OK)
        return CONSTAT_OK; /* unreadable: replaced like any torn file */
    if (strcmp(ocp.origin, cp->origin) != 0)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "%s holds a checkpoint of another log (origin \"%s\", not "
                                 "\"%s\"): export into an empty directory",
                                 path, ocp.origin, cp->origin);
    if (ocp.size > cp->size)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "%s already publishes size %" PRIu64 ", larger than %" PRIu64
                                 ": publishing this one would roll the log back",
                                 path, ocp.size, cp->size);
    return CONSTAT_OK;
}

constat_status constat_tlog_export(const char *dir, const constat_tlog_source *src,
                                   constat_tlog_export_stats *stats, constat_error *err)
{
    constat_tlog_export_stats local;
    exporter ex;
    constat_buf note;
    constat_checkpoint cp;
    uint8_t root[32];
    constat_status st;
    int written = 0;

    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!dir || !*dir || !src || !src->leaves || !src->tile || !src->checkpoint)
        return constat_error_set(err, CONSTAT_EINVAL, "export: missing argument");
    memset(&ex, 0, sizeof ex);
    ex.dir = dir;
    ex.stats = stats;
    constat_buf_init(&ex.scratch);
    constat_buf_init(&note);

    st = src->checkpoint(src->ctx, &note, err);
    if (st == CONSTAT_OK) {
        st = parse_checkpoint(note.data, note.len, &cp, err);
        if (st != CONSTAT_OK)
            constat_error_prefix(err, "checkpoint to publish: ");
    }
    if (st == CONSTAT_OK)
        st = source_root(src, cp.size, root, err);
    if (st == CONSTAT_OK && memcmp(root, cp.root, 32) != 0)
        st = constat_error_set(err, CONSTAT_EVERIFY,
                               "the checkpoint of size %" PRIu64 " does not match the root "
                               "of the source's tiles: nothing published",
                               cp.size);
    if (st == CONSTAT_OK && mkdir(dir, 0755) != 0 && errno != EEXIST)
        st = constat_error_set(err, CONSTAT_EIO, "%s: cannot create directory: %s", dir,
                               strerror(errno));
    if (st == CONSTAT_OK)
        st = check_existing(&ex, &cp, err);
    if (st == CONSTAT_OK) {
        stats->size = cp.size;
        st = export_level0(&ex, src, cp.size, err);
    }
    if (st == CONSTAT_OK)
        st = export_upper(&ex, src, cp.size, err);
    if (st == CONSTAT_OK) {
        /* the checkpoint is reported on its own, not among tiles and bundles */
        constat_tlog_export_stats keep = *stats;
        st = put_file(&ex, "checkpoint", note.data, note.len, &written, err);
        *stats = keep;
    }
    stats->checkpoint_written = written;
    constat_buf_free(&ex.scratch);
    constat_buf_free(&note);
    return st;
}
