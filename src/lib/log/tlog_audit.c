/*
 * tlog_audit.c — audit a C2SP tlog-tiles log from scratch (tlog.h), from a
 * directory or over HTTP(S) with libcurl.
 *
 * Why recompute rather than trust the tiles: the auditor holds nothing but
 * the checkpoint and (perhaps) the log key. The tree is rebuilt from the
 * entries alone with the incremental builder, which hands over every
 * level-8L node as it completes; each fetched tile is compared with the
 * recomputed one as soon as it is complete, so memory stays at one tile per
 * level however large the log, and every wrong tile is named, not only the
 * first. A bundle that cannot be read is replaced by its level-0 tile (after
 * reporting it) so one bad file does not hide the state of the rest.
 *
 * Why the consistency proof as well as the recomputed root: the root of the
 * earlier size recomputed from the entries is the strong check; the proof
 * from the published tiles is what a light client would check, and both
 * must agree for the published tiles to serve such clients honestly.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "constat/log/tlog.h"
#include "base/http.h"

/* ---- entry bundles ------------------------------------------------------ */

constat_status constat_tlog_bundle_parse(const uint8_t *bundle, size_t len, unsigned want,
                                         constat_tlog_entry out[CONSTAT_TILE_WIDTH],
                                         unsigned *count, constat_error *err)
{
    size_t off = 0;
    unsigned c = 0;

    *count = 0;
    if (want > CONSTAT_TILE_WIDTH)
        return constat_error_set(err, CONSTAT_EINVAL, "entry bundle: %u entries asked, at most %u",
                                 want, CONSTAT_TILE_WIDTH);
    if (!bundle && len > 0)
        return constat_error_set(err, CONSTAT_EINVAL, "entry bundle: missing");
    while (off < len) {
        size_t el;
        if (c == CONSTAT_TILE_WIDTH)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "entry bundle: more than %u entries (byte %zu of %zu)",
                                     CONSTAT_TILE_WIDTH, off, len);
        if (len - off < 2)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "entry bundle: entry %u: length prefix cut short at "
                                     "byte %zu",
                                     c, off);
        el = (size_t)bundle[off] << 8 | bundle[off + 1];
        if (el > len - off - 2)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "entry bundle: entry %u: length %zu at byte %zu runs past "
                                     "the end (%zu bytes left)",
                                     c, el, off, len - off - 2);
        out[c].data = bundle + off + 2;
        out[c].len = el;
        off += 2 + el;
        c++;
    }
    if (want != 0 && c != want)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "entry bundle: holds %u entries, its path says %u", c, want);
    *count = c;
    return CONSTAT_OK;
}

/* ---- trust file --------------------------------------------------------- */

constat_status constat_tlog_trust_log_key(const char *path, constat_note_verifier *out,
                                          constat_error *err)
{
    FILE *f;
    char line[1024];
    int lineno = 0, found = 0;
    constat_status st = CONSTAT_OK;

    if (!path || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "trust file: missing argument");
    f = fopen(path, "r");
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "trust file %s: %s", path, strerror(errno));
    while (st == CONSTAT_OK && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        lineno++;
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            st = constat_error_set(err, CONSTAT_EINVAL, "trust file %s line %d: too long", path,
                                   lineno);
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                         line[n - 1] == '\t'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        if (strncmp(line, "org ", 4) == 0)
            continue;
        if (strncmp(line, "log ", 4) != 0) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "trust file %s line %d: expected \"log <vkey>\" or "
                                   "\"org <vkey>\"",
                                   path, lineno);
            break;
        }
        if (found) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "trust file %s line %d: second log key (first on line %d)",
                                   path, lineno, found);
            break;
        }
        {
            const char *vk = line + 4;
            while (*vk == ' ')
                vk++;
            st = constat_note_verifier_parse(vk, out, err);
            if (st != CONSTAT_OK) {
                constat_error_prefix(err, "trust file %s line %d: ", path, lineno);
                st = CONSTAT_EINVAL;
            }
        }
        found = lineno;
    }
    if (st == CONSTAT_OK && ferror(f))
        st = constat_error_set(err, CONSTAT_EIO, "trust file %s: read error", path);
    fclose(f);
    if (st == CONSTAT_OK && !found)
        st = constat_error_set(err, CONSTAT_ENOTFOUND, "trust file %s: no \"log <vkey>\" line",
                               path);
    return st;
}

/* ---- fetching ----------------------------------------------------------- */

typedef struct {
    const char *base;
    int url;
    constat_http *http;
} fetcher;

static constat_status fetcher_open(fetcher *f, const char *location, constat_error *err)
{
    struct stat sb;
    memset(f, 0, sizeof *f);
    f->base = location;
    if (strncmp(location, "http://", 7) == 0 || strncmp(location, "https://", 8) == 0) {
        /* tlog-tiles: clients SHOULD accept gzip and identity */
        const constat_http_options o = {
            .connect_timeout_s = 30,
            .low_speed_bytes = 100,
            .low_speed_s = 60,
            .max_redirects = 5,
            .accept_encoding = 1,
            .user_agent = "constat/" "0.1.0",
        };
        f->url = 1;
        if (constat_http_open(&o, &f->http, err) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_EIO, "%s: cannot start libcurl", location);
        return CONSTAT_OK;
    }
    if (strstr(location, "://"))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: only directories and http:// or https:// URLs can be "
                                 "audited",
                                 location);
    if (stat(location, &sb) != 0)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "%s: %s", location, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a directory", location);
    return CONSTAT_OK;
}

static void fetcher_close(fetcher *f)
{
    constat_http_close(f->http);
    f->http = NULL;
}

/* Fetch `rel` into out (reset first), at most `max` bytes.
 * Errors: CONSTAT_ENOTFOUND (no such file, HTTP 404/410), CONSTAT_ELIMIT
 * (larger than max), CONSTAT_EIO, CONSTAT_ENOMEM. */
static constat_status fetch(fetcher *f, const char *rel, size_t max, constat_buf *out,
                            constat_error *err)
{
    char where[4200];
    size_t bl = strlen(f->base);
    const char *sep = bl > 0 && f->base[bl - 1] == '/' ? "" : "/";

    constat_buf_reset(out);
    if ((size_t)snprintf(where, sizeof where, "%s%s%s", f->base, sep, rel) >= sizeof where)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: location too long", rel);
    if (f->url) {
        long code = 0;
        constat_status st = constat_http_request(f->http, where, NULL, 0, max, out, &code,
                                                 NULL, err);
        if (st != CONSTAT_OK)
            return st;
        if (code == 404 || code == 410)
            return constat_error_set(err, CONSTAT_ENOTFOUND, "%s: HTTP %ld", where, code);
        if (code != 200)
            return constat_error_set(err, CONSTAT_EIO, "%s: HTTP %ld", where, code);
        return CONSTAT_OK;
    } else {
        int fd = open(where, O_RDONLY | O_CLOEXEC);
        struct stat sb;
        size_t got = 0;
        if (fd < 0)
            return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                     "%s: %s", where, strerror(errno));
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            close(fd);
            return constat_error_set(err, CONSTAT_EIO, "%s: not a regular file", where);
        }
        if ((uint64_t)sb.st_size > max) {
            close(fd);
            return constat_error_set(err, CONSTAT_ELIMIT, "%s: %lld bytes, at most %zu", where,
                                     (long long)sb.st_size, max);
        }
        if (constat_buf_reserve(out, (size_t)sb.st_size + 1) != CONSTAT_OK) {
            close(fd);
            return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", where);
        }
        for (;;) {
            ssize_t r = read(fd, out->data + got, (size_t)sb.st_size + 1 - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                int e = errno;
                close(fd);
                return constat_error_set(err, CONSTAT_EIO, "%s: %s", where, strerror(e));
            }
            if (r == 0)
                break;
            got += (size_t)r;
            if (got > (size_t)sb.st_size) {
                close(fd);
                return constat_error_set(err, CONSTAT_EIO, "%s: grew while read", where);
            }
        }
        close(fd);
        out->len = got;
        out->data[got] = 0;
        return CONSTAT_OK;
    }
}

/* ---- the audit ---------------------------------------------------------- */

#define TILE_LEVELS (CONSTAT_TILE_MAX_LEVEL + 1)

typedef struct {
    fetcher f;
    constat_failure_fn fail;
    void *ctx;
    constat_tlog_audit_summary *sum;
    constat_error first;
    uint64_t size;
    constat_merkle_builder b;
    uint8_t comp[TILE_LEVELS][CONSTAT_TILE_WIDTH][32]; /* recomputed tiles being filled */
    constat_buf got;                                   /* a fetched file */
    uint64_t since_size;
    int want_since_root, have_since_root;
    uint8_t since_root[32];
    /* node reader over fetched tiles (consistency proof) */
    int have_rt;
    unsigned rt_level;
    uint64_t rt_n;
    constat_buf rt;
    const constat_tlog_audit_opts *opts;
    constat_buf note;   /* the checkpoint, kept while its key is not known */
} audit;

static void report(audit *a, int64_t index, const char *fmt, ...) CONSTAT_PRINTF(3, 4);
static void report(audit *a, int64_t index, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (a->sum->failures == 0)
        constat_error_set(&a->first, CONSTAT_EVERIFY, "%s", msg);
    a->sum->failures++;
    if (a->fail)
        a->fail(a->ctx, index, msg);
}

/* Fetch tile (level, n) of width w (level -1: entry bundle) into a->got.
 * A missing partial tile may be served by the full tile that extends it
 * (tlog-tiles "Partial Tiles"): *used_width gets the width fetched.
 * `path` gets the path fetched (or tried first, when nothing was found). */
static constat_status fetch_tile(audit *a, int level, uint64_t n, unsigned w,
                                 unsigned *used_width, char path[96], constat_error *err)
{
    size_t max = level < 0 ? CONSTAT_TLOG_BUNDLE_MAX : CONSTAT_TLOG_TILE_MAX;
    char full[96];
    constat_status st;

    constat_tile_path(level, n, w, path);
    *used_width = w;
    st = fetch(&a->f, path, max, &a->got, err);
    if (st != CONSTAT_ENOTFOUND || w == CONSTAT_TILE_WIDTH)
        return st;
    constat_tile_path(level, n, CONSTAT_TILE_WIDTH, full);
    if (fetch(&a->f, full, max, &a->got, NULL) == CONSTAT_OK) {
        memcpy(path, full, sizeof full);
        *used_width = CONSTAT_TILE_WIDTH;
        return CONSTAT_OK;
    }
    return st;
}

/* Compare a recomputed tile with the published one. */
static constat_status check_tile(audit *a, unsigned level, uint64_t n, unsigned w,
                                 const uint8_t (*hashes)[32], constat_error *err)
{
    char path[96];
    unsigned used, first_bad = 0, bad = 0;
    constat_error e;
    constat_status st = fetch_tile(a, (int)level, n, w, &used, path, &e);

    if (st == CONSTAT_ENOTFOUND || st == CONSTAT_ELIMIT) {
        report(a, -1, "%s: %s", path, st == CONSTAT_ENOTFOUND ? "missing" : e.msg);
        return CONSTAT_OK;
    }
    if (st != CONSTAT_OK)
        return constat_error_set(err, st, "%s", e.msg);
    if (a->got.len != (size_t)used * 32) {
        report(a, -1, "%s: %zu bytes, a tile of width %u has %u", path, a->got.len, used,
               used * 32);
        return CONSTAT_OK;
    }
    a->sum->tiles++;
    for (unsigned i = 0; i < w; i++)
        if (memcmp(a->got.data + (size_t)i * 32, hashes[i], 32) != 0) {
            if (bad++ == 0)
                first_bad = i;
        }
    if (bad > 0) {
        if (level == 0)
            report(a, (int64_t)(n * CONSTAT_TILE_WIDTH + first_bad),
                   "%s: %u hash(es) differ from the hashes of the entries, the first at "
                   "position %u (leaf %" PRIu64 ")",
                   path, bad, first_bad, n * CONSTAT_TILE_WIDTH + first_bad);
        else
            report(a, -1,
                   "%s: %u hash(es) differ from the tiles recomputed from the level below, "
                   "the first at position %u",
                   path, bad, first_bad);
    }
    return CONSTAT_OK;
}

/* constat_node_writer: every level-8L node (L >= 1) goes into its
 * recomputed tile; a tile that becomes full is compared at once. */
static constat_status on_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32],
                              constat_error *err)
{
    audit *a = ctx;
    unsigned tl = level / CONSTAT_TILE_HEIGHT, pos;
    if (level == 0 || level % CONSTAT_TILE_HEIGHT != 0 || tl >= TILE_LEVELS)
        return CONSTAT_OK;
    pos = (unsigned)(index % CONSTAT_TILE_WIDTH);
    memcpy(a->comp[tl][pos], hash, 32);
    if (pos == CONSTAT_TILE_WIDTH - 1)
        return check_tile(a, tl, index / CONSTAT_TILE_WIDTH, CONSTAT_TILE_WIDTH,
                          (const uint8_t (*)[32])a->comp[tl], err);
    return CONSTAT_OK;
}

static constat_status feed(audit *a, const uint8_t (*hashes)[32], unsigned w,
                           constat_error *err)
{
    for (unsigned i = 0; i < w; i++) {
        constat_status st = constat_merkle_builder_append(&a->b, hashes[i], on_node, a, err);
        if (st != CONSTAT_OK)
            return st;
        if (a->want_since_root && a->b.size == a->since_size) {
            constat_merkle_builder_root(&a->b, a->since_root);
            a->have_since_root = 1;
        }
    }
    return CONSTAT_OK;
}

/* One bundle and its level-0 tile. *stop is set when neither can be read:
 * the tree cannot be recomputed past this point. */
static constat_status audit_bundle(audit *a, uint64_t n, unsigned w, int *stop,
                                   constat_error *err)
{
    uint8_t (*lh)[32] = a->comp[0];
    uint64_t first = n * CONSTAT_TILE_WIDTH;
    char path[96];
    unsigned used, count = 0;
    int have = 0;
    constat_error e;
    constat_status st;

    st = fetch_tile(a, -1, n, w, &used, path, &e);
    if (st == CONSTAT_OK) {
        constat_tlog_entry *es = malloc(sizeof(constat_tlog_entry) * CONSTAT_TILE_WIDTH);
        if (!es)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        a->sum->bundles++;
        st = constat_tlog_bundle_parse(a->got.data, a->got.len, used, es, &count, &e);
        if (st == CONSTAT_OK) {
            for (unsigned i = 0; i < w; i++) {
                constat_merkle_leaf_hash(es[i].data, es[i].len, lh[i]);
                if (a->opts && a->opts->entry)
                    a->opts->entry(a->opts->hook_ctx, first + i, es[i].data, es[i].len);
            }
            a->sum->entries += w;
            have = 1;
        } else {
            report(a, (int64_t)first, "%s: %s", path, e.msg);
        }
        free(es);
    } else if (st == CONSTAT_ENOTFOUND || st == CONSTAT_ELIMIT) {
        report(a, (int64_t)first, "%s: %s (entries %" PRIu64 "..%" PRIu64 ")", path,
               st == CONSTAT_ENOTFOUND ? "missing" : e.msg, first, first + w - 1);
    } else {
        return constat_error_set(err, st, "%s", e.msg);
    }

    if (have) {
        st = check_tile(a, 0, n, w, (const uint8_t (*)[32])lh, err);
        if (st != CONSTAT_OK)
            return st;
    } else {
        /* no entries: carry on with the published leaf hashes, if any */
        st = fetch_tile(a, 0, n, w, &used, path, &e);
        if (st == CONSTAT_OK && a->got.len == (size_t)used * 32) {
            a->sum->tiles++;
            memcpy(lh, a->got.data, (size_t)w * 32);
        } else if (st == CONSTAT_OK || st == CONSTAT_ENOTFOUND || st == CONSTAT_ELIMIT) {
            report(a, -1, "%s: %s; the tree cannot be recomputed past leaf %" PRIu64, path,
                   st == CONSTAT_OK ? "wrong size" : st == CONSTAT_ENOTFOUND ? "missing" : e.msg,
                   first);
            *stop = 1;
            return CONSTAT_OK;
        } else {
            return constat_error_set(err, st, "%s", e.msg);
        }
    }
    return feed(a, (const uint8_t (*)[32])lh, w, err);
}

/* constat_node_reader over the published tiles of the tree of a->size. */
static constat_status tile_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                constat_error *err)
{
    audit *a = ctx;
    constat_tile_span sp;
    unsigned used;
    char path[96];
    constat_status st;

    if ((st = constat_tile_node_span(level, index, a->size, &sp, err)) != CONSTAT_OK)
        return st;
    if (!a->have_rt || a->rt_level != sp.tile_level || a->rt_n != sp.tile_n) {
        constat_error e;
        a->have_rt = 0;
        st = fetch_tile(a, (int)sp.tile_level, sp.tile_n, sp.width, &used, path, &e);
        if (st != CONSTAT_OK)
            return constat_error_set(err, st == CONSTAT_ENOTFOUND ? CONSTAT_EVERIFY : st, "%s",
                                     e.msg);
        if (a->got.len != (size_t)used * 32)
            return constat_error_set(err, CONSTAT_EVERIFY, "%s: wrong size", path);
        constat_buf_reset(&a->rt);
        if (constat_buf_append(&a->rt, a->got.data, a->got.len) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        a->have_rt = 1;
        a->rt_level = sp.tile_level;
        a->rt_n = sp.tile_n;
    }
    if ((size_t)(sp.off + sp.count) * 32 > a->rt.len)
        return constat_error_set(err, CONSTAT_EVERIFY, "tile %u/%" PRIu64 " is too short",
                                 sp.tile_level, sp.tile_n);
    constat_tile_subtree_root(a->rt.data + (size_t)sp.off * 32, sp.count, out);
    return CONSTAT_OK;
}

/* Open a signed checkpoint: with the pinned key when there is one (a bad
 * or missing signature is reported, and the text is still parsed so the
 * audit can go on), else only parsed. *sig_ok gets 1 if the key verified
 * it. Returns non-OK only when the note or checkpoint cannot be parsed. */
static constat_status open_checkpoint(const uint8_t *msg, size_t len,
                                      const constat_note_verifier *key, constat_checkpoint *cp,
                                      int *sig_ok, constat_error *err)
{
    constat_note *n = malloc(sizeof *n);
    constat_status st, parse;
    if (!n)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    *sig_ok = 0;
    st = constat_note_open((const char *)msg, len, key, key ? 1 : 0, n, err);
    if (st == CONSTAT_OK)
        *sig_ok = 1;
    if (st != CONSTAT_OK && key && st == CONSTAT_EVERIFY) {
        /* reparse without the key to read the text */
        constat_error e2;
        constat_status st2 = constat_note_open((const char *)msg, len, NULL, 0, n, &e2);
        if (!(st2 == CONSTAT_EVERIFY && n->nsigs > 0)) {
            free(n);
            return st;
        }
    } else if (st != CONSTAT_OK && !(st == CONSTAT_EVERIFY && n->nsigs > 0)) {
        free(n);
        return st;
    }
    parse = constat_checkpoint_parse((const char *)msg, n->text_len, cp,
                                     st == CONSTAT_OK || !key ? err : NULL);
    free(n);
    if (parse != CONSTAT_OK)
        return parse;
    return key && st != CONSTAT_OK ? CONSTAT_EVERIFY : CONSTAT_OK;
}

static constat_status audit_since(audit *a, const constat_tlog_audit_opts *opts,
                                  const constat_checkpoint *cp, constat_error *err)
{
    constat_checkpoint old;
    constat_error e;
    int sig_ok = 0;
    constat_status st;
    constat_proof *proof;

    {
        const constat_note_verifier *k = opts->log_key;
        if (opts->key_for_size && opts->log_key && a->want_since_root) {
            const constat_note_verifier *k2 = opts->key_for_size(opts->hook_ctx, a->since_size);
            if (k2)
                k = k2;
        }
        st = open_checkpoint((const uint8_t *)opts->since_checkpoint, opts->since_len, k, &old,
                             &sig_ok, &e);
    }
    if (st == CONSTAT_EVERIFY) {
        report(a, -1, "earlier checkpoint: the pinned log key does not verify it: %s", e.msg);
    } else if (st != CONSTAT_OK) {
        return constat_error_set(err, st == CONSTAT_ENOMEM ? st : CONSTAT_EINVAL,
                                 "earlier checkpoint: %s", e.msg);
    }
    a->sum->since_checked = 1;
    a->sum->since_size = old.size;
    if (strcmp(old.origin, cp->origin) != 0) {
        report(a, -1, "earlier checkpoint is of origin \"%s\", the published one of \"%s\"",
               old.origin, cp->origin);
        return CONSTAT_OK;
    }
    if (old.size > cp->size) {
        report(a, -1,
               "the published checkpoint (size %" PRIu64 ") is older than the one you kept "
               "(size %" PRIu64 "): the log was rolled back or forked",
               cp->size, old.size);
        return CONSTAT_OK;
    }
    if (a->have_since_root && memcmp(a->since_root, old.root, 32) != 0)
        report(a, -1,
               "the entries published give another root at size %" PRIu64 " than the "
               "checkpoint you kept: the log was rewritten (fork)",
               old.size);
    if (old.size == 0) {
        /* the empty tree is a prefix of every tree; only its root can be wrong */
        uint8_t empty[32];
        constat_merkle_empty_root(empty);
        if (memcmp(empty, old.root, 32) != 0)
            report(a, -1, "earlier checkpoint of size 0 does not carry the empty-tree root");
        return CONSTAT_OK;
    }
    proof = malloc(sizeof *proof);
    if (!proof)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_merkle_prove_consistency(tile_node, a, old.size, cp->size, proof, &e);
    if (st == CONSTAT_OK)
        st = constat_merkle_verify_consistency(old.size, cp->size, old.root, cp->root, proof,
                                               &e);
    free(proof);
    if (st == CONSTAT_EVERIFY || st == CONSTAT_EINVAL)
        report(a, -1,
               "consistency proof from size %" PRIu64 " to %" PRIu64
               " computed from the published tiles: %s",
               old.size, cp->size, e.msg);
    else if (st != CONSTAT_OK)
        return constat_error_set(err, st, "%s", e.msg);
    return CONSTAT_OK;
}

static constat_status run(audit *a, const constat_tlog_audit_opts *opts, constat_error *err)
{
    const constat_note_verifier *key = opts ? opts->log_key : NULL;
    constat_tlog_audit_summary *sum = a->sum;
    constat_checkpoint cp;
    constat_error e;
    constat_status st;
    uint64_t full, n;
    unsigned pw;
    int sig_ok = 0, stop = 0, deferred = 0;
    uint8_t root[32];
    char why[CONSTAT_ERROR_MSG_MAX];

    a->opts = opts;
    st = fetch(&a->f, "checkpoint", CONSTAT_NOTE_MAX_BYTES, &a->got, &e);
    if (st == CONSTAT_ENOTFOUND || st == CONSTAT_ELIMIT) {
        report(a, -1, "checkpoint: %s", st == CONSTAT_ENOTFOUND ? "missing" : e.msg);
        return CONSTAT_OK;
    }
    if (st != CONSTAT_OK)
        return constat_error_set(err, st, "%s", e.msg);
    st = open_checkpoint(a->got.data, a->got.len, key, &cp, &sig_ok, &e);
    if (st == CONSTAT_ENOMEM)
        return constat_error_set(err, st, "%s", e.msg);
    if (st == CONSTAT_EVERIFY && opts && opts->key_for_size) {
        /* perhaps a later log key: known once the entries are read */
        deferred = 1;
        snprintf(why, sizeof why, "%s", e.msg);
        if (constat_buf_append(&a->note, a->got.data, a->got.len) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    } else if (st == CONSTAT_EVERIFY) {
        report(a, -1, "checkpoint: the pinned log key does not verify it: %s", e.msg);
    } else if (st != CONSTAT_OK) {
        report(a, -1, "checkpoint: %s", e.msg);
        return CONSTAT_OK;
    }
    snprintf(sum->origin, sizeof sum->origin, "%s", cp.origin);
    sum->size = cp.size;
    memcpy(sum->root, cp.root, 32);
    sum->signature_ok = sig_ok;
    if (key && strcmp(key->name, cp.origin) != 0)
        report(a, -1, "checkpoint: origin \"%s\" is not the name of the pinned log key (%s)",
               cp.origin, key->name);
    if (cp.size > CONSTAT_LOG_MAX_SIZE) {
        report(a, -1, "checkpoint: size %" PRIu64 " is beyond any log constat audits (2^48)",
               cp.size);
        return CONSTAT_OK;
    }
    a->size = cp.size;
    if (opts && opts->since_checkpoint) {
        constat_checkpoint old;
        int ok;
        /* know the earlier size before the walk, to catch its root on the way */
        if (open_checkpoint((const uint8_t *)opts->since_checkpoint, opts->since_len, NULL, &old,
                            &ok, NULL) == CONSTAT_OK &&
            old.size <= cp.size) {
            a->since_size = old.size;
            a->want_since_root = old.size > 0;
        }
    }

    st = constat_merkle_builder_init(&a->b, 0, NULL, NULL, err);
    if (st != CONSTAT_OK)
        return st;
    if (constat_tile_count(0, cp.size, &full, &pw) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINTERNAL, "tile count");
    for (n = 0; !stop && n < full + (pw != 0); n++) {
        st = audit_bundle(a, n, n < full ? CONSTAT_TILE_WIDTH : pw, &stop, err);
        if (st != CONSTAT_OK)
            return st;
    }
    if (stop)
        return CONSTAT_OK;
    /* the right-edge partial tiles above level 0 */
    for (unsigned l = 1; l < constat_tile_levels(cp.size); l++) {
        if (constat_tile_count((int)l, cp.size, &full, &pw) != CONSTAT_OK)
            break;
        if (pw != 0) {
            st = check_tile(a, l, full, pw, (const uint8_t (*)[32])a->comp[l], err);
            if (st != CONSTAT_OK)
                return st;
        }
    }
    constat_merkle_builder_root(&a->b, root);
    if (memcmp(root, cp.root, 32) != 0)
        report(a, -1,
               "checkpoint: root does not match the tree recomputed from the entries "
               "(size %" PRIu64 ")",
               cp.size);
    if (deferred) {
        const constat_note_verifier *k2 = opts->key_for_size(opts->hook_ctx, cp.size);
        constat_checkpoint cp2;
        int ok2 = 0;
        constat_error_clear(&e);
        if (k2 && open_checkpoint(a->note.data, a->note.len, k2, &cp2, &ok2, &e) == CONSTAT_OK &&
            ok2) {
            sum->signature_ok = 1;
            sum->key_followed = 1;
        } else {
            report(a, -1, "checkpoint: the pinned log key does not verify it%s: %s",
                   k2 ? ", nor the key the log key transitions among the entries lead to"
                      : " (and no log key transition among the entries leads from it to "
                        "another key)",
                   k2 ? e.msg : why);
        }
    }
    if (opts && opts->since_checkpoint)
        return audit_since(a, opts, &cp, err);
    return CONSTAT_OK;
}

constat_status constat_tlog_audit(const char *location, const constat_tlog_audit_opts *opts,
                                  constat_failure_fn fail, void *ctx,
                                  constat_tlog_audit_summary *out, constat_error *err)
{
    constat_tlog_audit_summary local;
    audit *a;
    constat_status st;

    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    if (!location || !*location)
        return constat_error_set(err, CONSTAT_EINVAL, "audit: no location");
    out->key_pinned = opts && opts->log_key;
    a = calloc(1, sizeof *a);
    if (!a)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    a->fail = fail;
    a->ctx = ctx;
    a->sum = out;
    constat_buf_init(&a->got);
    constat_buf_init(&a->rt);
    constat_buf_init(&a->note);
    st = fetcher_open(&a->f, location, err);
    if (st == CONSTAT_OK)
        st = run(a, opts, err);
    if (st == CONSTAT_OK && out->failures > 0) {
        if (out->failures > 1)
            constat_error_prefix(&a->first, "%" PRIu64 " failures, the first: ", out->failures);
        if (err)
            *err = a->first;
        st = CONSTAT_EVERIFY;
    }
    fetcher_close(&a->f);
    constat_buf_free(&a->got);
    constat_buf_free(&a->rt);
    constat_buf_free(&a->note);
    free(a);
    return st;
}
