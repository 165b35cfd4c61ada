/*
 * tlog.h — static publication of the log per C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles), and an audit of a published log from
 * scratch. docs/tiles.md describes the layout, the checks and their limits.
 *
 * A published log is a directory (or an HTTP prefix) holding
 *   checkpoint                     the signed checkpoint (C2SP tlog-checkpoint)
 *   tile/<L>/<N>[.p/<W>]           hash tiles, 256 hashes of level 8L
 *   tile/entries/<N>[.p/<W>]       entry bundles: u16be length-prefixed leaves
 * that any static web server or object store can serve.
 */
#ifndef CONSTAT_TLOG_H
#define CONSTAT_TLOG_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/base/limits.h"
#include "constat/log/merkle.h"
#include "constat/log/note.h"

/* The largest entry an entry bundle can carry: its length prefix is a
 * big-endian uint16 (tlog-tiles "Log entries"). */
#define CONSTAT_TLOG_ENTRY_MAX 65535u
/* An entry bundle of 256 entries of the largest size, in bytes. */
#define CONSTAT_TLOG_BUNDLE_MAX ((size_t)CONSTAT_TILE_WIDTH * (2u + CONSTAT_TLOG_ENTRY_MAX))
/* A hash tile: 256 hashes of 32 bytes. */
#define CONSTAT_TLOG_TILE_MAX ((size_t)CONSTAT_TILE_WIDTH * CONSTAT_HASH_SIZE)

/*
 * ## Entry bundles
 */

/* One entry of a parsed bundle: points into the caller's bundle bytes. */
typedef struct {
    const uint8_t *data;
    size_t len;
} constat_tlog_entry;

/* Parse an entry bundle (tlog-tiles "Log entries": a sequence of u16be
 * length-prefixed entries) of `len` bytes into out[0 .. *count). Empty
 * entries are allowed. `want` is the number of entries the bundle must hold
 * (1..256, from its path), or 0 to accept any count up to 256.
 * Errors: CONSTAT_EINVAL naming the byte offset and entry (length prefix
 * cut short, entry running past the end, more than 256 entries, count not
 * `want`); *count is then 0. */
constat_status constat_tlog_bundle_parse(const uint8_t *bundle, size_t len, unsigned want,
                                         constat_tlog_entry out[CONSTAT_TILE_WIDTH],
                                         unsigned *count, constat_error *err)
    CONSTAT_WARN_UNUSED;

/*
 * ## Export
 */

/* Where an export reads the log from. A vault fills it with
 * constat_tlog_vault_source (vault.h); tests and other logs bring their own. */
typedef struct {
    void *ctx;
    /* Leaves [from, to) in order through fn (merkle.h); stop when fn
     * returns non-zero. */
    constat_status (*leaves)(void *ctx, uint64_t from, uint64_t to, constat_leaf_fn fn,
                             void *fnctx, constat_error *err);
    /* Append the first `width` hashes (width * 32 bytes) of hash tile
     * (level, n) to out; the tile is one of a tree at least as large as the
     * one exported. */
    constat_status (*tile)(void *ctx, unsigned level, uint64_t n, unsigned width,
                           constat_buf *out, constat_error *err);
    /* Append the signed checkpoint (a signed note) to publish to out. */
    constat_status (*checkpoint)(void *ctx, constat_buf *out, constat_error *err);
} constat_tlog_source;

/* Compute the root of the first `size` leaves from src's tiles, format the
 * checkpoint body for `origin` (tlog-checkpoint, no extension lines) and
 * sign it with `signer`, appending the signed note to out. For sources that
 * are not a vault. Errors: CONSTAT_EINVAL (bad origin, signer), source
 * errors, CONSTAT_ENOMEM. */
constat_status constat_tlog_checkpoint_sign(const constat_tlog_source *src, uint64_t size,
                                            const char *origin,
                                            const constat_note_signer *signer,
                                            constat_buf *out, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* What an export did. Paths are relative to the export directory. */
typedef struct {
    uint64_t size;            /* tree size of the published checkpoint */
    uint64_t entries;         /* leaves published (= size) */
    uint64_t files_written;   /* tiles and bundles written (new) */
    uint64_t files_unchanged; /* already present with identical bytes */
    uint64_t files_replaced;  /* present with other bytes: rewritten */
    char first_replaced[96];  /* path of the first replaced file, or "" */
    int checkpoint_written;   /* 0 if the checkpoint file was already identical */
} constat_tlog_export_stats;

/* Publish the log of `src` into directory `dir` (created if missing) per
 * C2SP tlog-tiles, for the tree size of src's checkpoint: every full and the
 * right-edge partial tile of every level, every entry bundle, then the
 * checkpoint, last, so that a reader never sees a checkpoint whose tiles are
 * missing. Each file is written under a temporary name and renamed.
 * Exporting again into the same directory is incremental: a file already
 * holding the right bytes is left alone; one holding other bytes (a torn or
 * tampered earlier export) is rewritten and counted in files_replaced.
 * Partial tiles of earlier sizes are left (the spec allows it).
 * Before anything is written the checkpoint's root is recomputed from src's
 * tiles; each leaf's hash is checked against its level-0 tile as its bundle
 * is written. Upper tiles are taken from src, never recomputed.
 * `stats` (may be NULL) gets the counts.
 * Errors: CONSTAT_ELIMIT (a leaf over CONSTAT_TLOG_ENTRY_MAX bytes, naming
 * its index: tlog-tiles cannot carry it), CONSTAT_EVERIFY (the checkpoint
 * does not match src's tiles, or a leaf does not hash to its tile entry),
 * CONSTAT_ECONFLICT (dir already holds a checkpoint of another origin or of
 * a larger tree: a rollback), CONSTAT_EINVAL (unparseable checkpoint),
 * CONSTAT_EIO naming the path, source errors, CONSTAT_ENOMEM. */
constat_status constat_tlog_export(const char *dir, const constat_tlog_source *src,
                                   constat_tlog_export_stats *stats, constat_error *err)
    CONSTAT_WARN_UNUSED;

/*
 * ## Audit
 */

/* Read the log key from a trust file (the format `constat keys` prints and
 * dossiers use: "log <vkey>" and "org <vkey>" lines, blank lines and '#'
 * comments ignored). Errors: CONSTAT_ENOTFOUND (no file, or no log line),
 * CONSTAT_EINVAL naming the line (unknown keyword, bad vkey, second log
 * line), CONSTAT_EIO. */
constat_status constat_tlog_trust_log_key(const char *path, constat_note_verifier *out,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

typedef struct {
    /* The log's key, pinned by the auditor (NULL: the checkpoint signature
     * cannot be checked, and the audit shows internal consistency only).
     * Its name must be the checkpoint origin. */
    const constat_note_verifier *log_key;
    /* An earlier signed checkpoint the auditor kept (NULL if none): checked
     * (signature when a key is pinned, same origin, size not above the
     * published one) and proved consistent with the published checkpoint
     * by an RFC 9162 consistency proof computed from the published tiles,
     * and by the root recomputed from the entries at its size. */
    const char *since_checkpoint;
    size_t since_len;
    /* After a rotation of the log key (docs/vault.md "Log key rotation"):
     * entry (may be NULL) gets every entry the audit reads, in log order,
     * so that the caller can follow the log key transitions among them from
     * log_key (cmd_tiles.c); key_for_size (may be NULL), called after the
     * walk when log_key does not verify a checkpoint, answers the key that
     * signs the checkpoint of tree size `size` (NULL: none but log_key). The
     * checkpoint, and the since_checkpoint, are then checked with it. */
    void (*entry)(void *ctx, uint64_t index, const uint8_t *data, size_t len);
    const constat_note_verifier *(*key_for_size)(void *ctx, uint64_t size);
    void *hook_ctx;
} constat_tlog_audit_opts;

typedef struct {
    char origin[CONSTAT_KEY_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[32];
    int key_pinned;         /* 1 if opts->log_key was given */
    int signature_ok;       /* 1 if the pinned key's signature verified (or that of
                               the key key_for_size answered: key_followed) */
    int key_followed;       /* 1 if the checkpoint verified with the key the log key
                               transitions lead to from the pinned one */
    uint64_t entries;       /* entries read and hashed */
    uint64_t bundles;       /* entry bundles fetched */
    uint64_t tiles;         /* hash tiles fetched and compared */
    uint64_t failures;      /* failures reported */
    int since_checked;      /* 1 if a since-checkpoint was given and checked */
    uint64_t since_size;
} constat_tlog_audit_summary;

/* Audit the log published at `location`: a directory, or an "http://" or
 * "https://" URL prefix fetched with libcurl (gzip accepted; sizes capped
 * at CONSTAT_TLOG_BUNDLE_MAX / CONSTAT_TLOG_TILE_MAX / CONSTAT_NOTE_MAX_BYTES
 * per file). Reads the checkpoint and checks its signature with the pinned
 * key; fetches every entry bundle and every hash tile the checkpoint's tree
 * consists of (a missing partial tile may be replaced by the full tile that
 * extends it, as tlog-tiles allows); recomputes every leaf hash from the
 * entries and every tile from the level below, compares each fetched tile
 * with the recomputed one, and the recomputed root with the checkpoint's.
 * Each inconsistency calls fail(ctx, leaf index or -1, message) naming the
 * tile path or entry index, and the audit goes on (a missing or malformed
 * bundle is replaced by its level-0 tile, when there is one, so the rest of
 * the tree is still checked). `opts`, `fail` and `out` may be NULL.
 * Returns CONSTAT_OK when everything holds, CONSTAT_EVERIFY when any check
 * failed (err names the first).
 * Errors: CONSTAT_EVERIFY; CONSTAT_ENOTFOUND (no such directory);
 * CONSTAT_EINVAL (location neither a directory nor an http(s) URL, malformed
 * since-checkpoint); CONSTAT_EIO (network failure other than a missing
 * file, naming the URL); CONSTAT_ENOMEM. */
constat_status constat_tlog_audit(const char *location, const constat_tlog_audit_opts *opts,
                                  constat_failure_fn fail, void *ctx,
                                  constat_tlog_audit_summary *out, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
