/*
 * vault.h — an organisation's vault: one directory holding the SQLite
 * database (log leaves, tiles, checkpoints, private values, monitors) and the
 * key files (log key, organisation key, pseudonym key, monitor keys), sealed
 * with a passphrase (Argon2id + XChaCha20-Poly1305) when one is given.
 *
 * Writes are transactional: an append either stores every leaf of the batch,
 * its tiles and private values, or nothing. Acknowledged appends survive
 * kill -9 and power loss (WAL with synchronous=FULL).
 */
#ifndef CONSTAT_VAULT_H
#define CONSTAT_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/merkle.h"
#include "constat/log/note.h"
#include "constat/log/tlog.h"
#include "constat/record/record.h"
#include "constat/vault/seal.h"

/* Longest account or monitor name, in bytes: "enrol:" + name must be a
 * record id (at most 128 bytes, docs/record.md). */
#define CONSTAT_MONITOR_NAME_MAX 122

typedef struct constat_vault constat_vault;

/* Create a new vault in `dir` (created if missing; must be empty or absent)
 * for organisation `org` and log origin `origin` (a signed-note key name,
 * e.g. "example.org/constat/log"). Generates the log key (named `origin`),
 * the organisation key (named `org`), and the pseudonym key; key files are
 * 0600, sealed when `passphrase` is non-NULL and non-empty.
 * Errors: CONSTAT_EINVAL (bad names), CONSTAT_ECONFLICT (dir not empty),
 * CONSTAT_EIO. */
constat_status constat_vault_create(const char *dir, const char *org, const char *origin,
                                    const char *passphrase, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* The same, with the store named: `store` NULL takes the environment's
 * CONSTAT_STORE; NULL or "" keeps everything but the keys and evidence in
 * dir/vault.db (SQLite); a "postgresql://..." connection URL puts it in a new
 * schema of that PostgreSQL database ("vault_" and 16 random hex digits, or
 * the URL's own "#SCHEMA"), whose location is written to dir/store.url
 * (docs/postgresql.md). Errors: those above, and CONSTAT_EINVAL (store not
 * a postgresql:// URL, or a bad #SCHEMA), CONSTAT_ECONFLICT (the schema
 * exists), CONSTAT_EIO (cannot connect, naming the schema). */
constat_status constat_vault_create_store(const char *dir, const char *org, const char *origin,
                                          const char *passphrase, const char *store,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* Open the vault in `dir`. `passphrase` unseals the keys (NULL if they are
 * not sealed). The caller closes with constat_vault_close.
 * Errors: CONSTAT_ENOTFOUND (no vault), CONSTAT_ECRYPTO (wrong or missing
 * passphrase), CONSTAT_EIO. */
constat_status constat_vault_open(const char *dir, const char *passphrase,
                                  constat_vault **out, constat_error *err)
    CONSTAT_WARN_UNUSED;
void constat_vault_close(constat_vault *v);

/* Open the vault in `dir` WITHOUT its secret keys (no passphrase needed):
 * for listing, showing, proving, reporting and verifying. The public log and
 * organisation keys come from the database. Operations that sign (enrolling
 * a monitor, signing a checkpoint of a grown tree, monitor and witness keys)
 * fail with CONSTAT_ECRYPTO saying the keys are needed; the pseudonym key is
 * not available (constat_vault_pseudonym_key returns NULL).
 * Errors: as constat_vault_open, without CONSTAT_ECRYPTO. */
constat_status constat_vault_open_public(const char *dir, constat_vault **out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* 1 if the vault was opened with its secret keys. */
int constat_vault_has_keys(const constat_vault *v);

/* Strings owned by the vault, valid until close. */
const char *constat_vault_org(const constat_vault *v);
const char *constat_vault_origin(const constat_vault *v);
const char *constat_vault_dir(const constat_vault *v);
/* Keys owned by the vault, valid until close. */
const constat_note_signer *constat_vault_log_key(const constat_vault *v);
const constat_note_signer *constat_vault_org_key(const constat_vault *v);
const uint8_t *constat_vault_pseudonym_key(const constat_vault *v); /* 32 bytes; NULL
                                                                        when opened public */

/* The organisation's witness key (C2SP tlog-cosignature, alg 0x04, named
 * after the organisation), copied into *out (secret: wipe after use). It is
 * kept in keys/witness.key, sealed like the other keys, its vkey recorded in
 * the database. With `create` non-zero a missing key is generated and stored
 * in one transaction (docs/witness.md).
 * Errors: CONSTAT_ENOTFOUND (no key and create == 0), CONSTAT_ECRYPTO (key
 * file unreadable or not the recorded key), CONSTAT_EIO. */
constat_status constat_vault_witness_key(constat_vault *v, int create, constat_note_signer *out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* Enrol monitor `name`: generate its key (stored in the vault, sealed like
 * the others), and append a monitor_enrolment record signed by the
 * organisation key at time `now` (seconds since the epoch).
 * *index (may be NULL) gets its leaf index.
 * Errors: CONSTAT_EINVAL (bad name), CONSTAT_ECONFLICT (already enrolled),
 * CONSTAT_EIO. */
constat_status constat_vault_monitor_add(constat_vault *v, const char *name, int64_t now,
                                         uint64_t *index, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* A step run inside an enrolment's transaction (for example: using up the
 * enrolment code that authorised it); a non-OK status rolls the enrolment
 * back. */
typedef constat_status (*constat_txn_hook)(void *ctx, constat_error *err);

/* Enrol monitor `name` with a public key its own device holds: `vkey` is a
 * signed-note verifier key string ("name+hex8+base64(0x01||pk)") named
 * `name`. Appends a monitor_enrolment record with "key_custody": "device",
 * signed by the organisation key at `now`; the vault never holds the
 * private key, so constat_vault_monitor_key fails for this monitor. `hook`
 * (may be NULL) runs inside the same transaction. *index (may be NULL) gets
 * the leaf index. Errors: CONSTAT_EINVAL (bad name, bad vkey or not named
 * `name`), CONSTAT_ECONFLICT (already enrolled), CONSTAT_ECRYPTO (vault
 * opened without keys), errors of `hook`, CONSTAT_EIO. */
constat_status constat_vault_monitor_enrol_vkey(constat_vault *v, const char *name,
                                                const char *vkey, int64_t now,
                                                constat_txn_hook hook, void *hctx,
                                                uint64_t *index, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* The signer of an enrolled monitor (copied into *out; wipe after use).
 * Errors: CONSTAT_ENOTFOUND. */
constat_status constat_vault_monitor_key(constat_vault *v, const char *name,
                                         constat_note_signer *out, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* Enrolled monitors: calls fn for each (name, vkey string, leaf index of
 * the enrolment). Stops early if fn returns non-zero. Errors: CONSTAT_EIO. */
typedef int (*constat_monitor_fn)(void *ctx, const char *name, const char *vkey,
                                  uint64_t enrol_index);
constat_status constat_vault_monitor_list(constat_vault *v, constat_monitor_fn fn,
                                          void *ctx, constat_error *err);

/* One record to append. `leaf` is the signed leaf (constat_record_sign);
 * `record_id` and `content_hash` index it; `private_values` (may be NULL)
 * is an object field -> {"salt": hex32, "value": any} kept in the vault,
 * never in the log (always stored sealed, see constat_vault_private). */
typedef struct {
    const uint8_t *leaf;
    size_t leaf_len;
    const char *record_id;
    const char *kind;
    uint8_t content_hash[32];
    const json_t *private_values;
} constat_append_item;

/* Append a batch in one transaction. Items whose content hash is already in
 * the log are skipped (not an error); *appended and *skipped (may be NULL)
 * get the counts; *first (may be NULL) the index of the first new leaf.
 * `progress` (may be NULL) is called every so often with (done, total).
 * On any error nothing is stored.
 * Errors: CONSTAT_ECONFLICT (a record id already used by other content,
 * naming it), CONSTAT_ELIMIT (log full), CONSTAT_ECRYPTO (private values
 * for a sealed vault opened without its keys), CONSTAT_EIO. */
typedef void (*constat_progress_fn)(void *ctx, size_t done, size_t total);
constat_status constat_vault_append(constat_vault *v, const constat_append_item *items,
                                    size_t n, uint64_t *first, size_t *appended,
                                    size_t *skipped, constat_progress_fn progress,
                                    void *pctx, constat_error *err) CONSTAT_WARN_UNUSED;

/* The same append in several calls inside one transaction, so that a caller
 * can append each batch as soon as it is ready (import: while the next rows
 * are signed) and still store all or nothing. begin opens the transaction
 * (BEGIN IMMEDIATE: it waits for other writers); more appends a batch as
 * constat_vault_append does (same skipping of known content, same checks,
 * *first the index of the batch's first new leaf), visible to later calls of
 * the same transaction only; end commits (commit != 0) or rolls back
 * (commit == 0, or a failed commit): on rollback nothing of any batch is
 * stored. Until end, the batches are seen by this handle only
 * (constat_vault_size counts them), not by other processes. After an error
 * from more, call end(v, 0). No other write to the vault may happen
 * between begin and end.
 * Errors: begin: CONSTAT_EINVAL (a transaction is already open), CONSTAT_EIO;
 * more: those of constat_vault_append, CONSTAT_EINVAL (none open);
 * end: CONSTAT_EINVAL (commit with none open), CONSTAT_EIO. */
constat_status constat_vault_append_begin(constat_vault *v,
                                          constat_error *err) CONSTAT_WARN_UNUSED;
constat_status constat_vault_append_more(constat_vault *v, const constat_append_item *items,
                                         size_t n, uint64_t *first, size_t *appended,
                                         size_t *skipped, constat_error *err) CONSTAT_WARN_UNUSED;
constat_status constat_vault_append_end(constat_vault *v, int commit, constat_error *err);

/* Current tree size (number of leaves). */
uint64_t constat_vault_size(constat_vault *v);
/* Leaf bytes of `index` appended to `out`. Errors: CONSTAT_ENOTFOUND, CONSTAT_EIO. */
constat_status constat_vault_leaf(constat_vault *v, uint64_t index, constat_buf *out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;
/* 1 if the enrolment record of monitor `name` (at most
 * CONSTAT_MONITOR_NAME_MAX bytes) says its key is held by the monitor's
 * device ("key_custody": "device", docs/api.md "Monitors hold their own
 * keys"), 0 if by the organisation (the vault), -1 if the monitor is
 * unknown or its record unreadable. */
int constat_vault_key_on_device(constat_vault *v, const char *name);
/* Leaf index of a record id. Errors: CONSTAT_ENOTFOUND. */
constat_status constat_vault_find(constat_vault *v, const char *record_id,
                                  uint64_t *index, constat_error *err) CONSTAT_WARN_UNUSED;
/* Iterate leaves [from, to) in order: fn(ctx, index, leaf, len) (constat_leaf_fn,
 * merkle.h); stop when fn returns non-zero. Errors: CONSTAT_EIO. */
constat_status constat_vault_leaves(constat_vault *v, uint64_t from, uint64_t to,
                                    constat_leaf_fn fn, void *ctx, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* Private values object stored for a record id (new reference owned by the
 * caller, or NULL if none). They are stored sealed under a per-record data
 * key sealed to the organisation's X25519 key (constat-private-v2, seal.h,
 * docs/vault.md "Sealed at rest") and opened here, in memory only; values
 * of earlier versions (constat-private-v1, or in clear) are still read.
 * Errors: CONSTAT_ECRYPTO (opened without its keys, constat_vault_open_public:
 * the passphrase is needed; or the data key does not open), CONSTAT_EVERIFY
 * (a sealed field that does not open: changed, truncated, or moved from
 * another record or field; the message names the record and the field),
 * CONSTAT_EIO (unreadable or not an object), CONSTAT_ENOMEM. */
constat_status constat_vault_private(constat_vault *v, const char *record_id, json_t **out,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* The keys this vault seals data keys to (seal.h: the organisation's X25519
 * key, then the named recipients), with the organisation's secret X25519 key
 * (has_sk) when the vault was opened with its keys. Owned by the vault,
 * valid until close; loaded at open. Never NULL. */
const constat_seal_keys *constat_vault_seal_keys(const constat_vault *v);
/* Reload them after the recipients changed (constat_vault_recipient_add).
 * Errors: those of constat_seal_keys_init, CONSTAT_EIO. */
constat_status constat_vault_seal_reload(constat_vault *v, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Root hash of the tree of the first `size` leaves, from stored tiles.
 * Errors: CONSTAT_EINVAL (size > tree size), CONSTAT_EIO. */
constat_status constat_vault_root(constat_vault *v, uint64_t size, uint8_t root[32],
                                  constat_error *err) CONSTAT_WARN_UNUSED;
/* Proofs from stored tiles (RFC 9162 2.1.3.1 and 2.1.4.1).
 * Errors: CONSTAT_EINVAL (index/sizes out of range), CONSTAT_EIO. */
constat_status constat_vault_prove_inclusion(constat_vault *v, uint64_t index,
                                             uint64_t size, constat_proof *out,
                                             constat_error *err) CONSTAT_WARN_UNUSED;
constat_status constat_vault_prove_consistency(constat_vault *v, uint64_t size1,
                                               uint64_t size2, constat_proof *out,
                                               constat_error *err) CONSTAT_WARN_UNUSED;
/* Read a stored tile (C2SP tlog-tiles: level 0.., index N, width 1..256)
 * into out (width * 32 bytes). Errors: CONSTAT_ENOTFOUND, CONSTAT_EIO. */
constat_status constat_vault_tile(constat_vault *v, unsigned level, uint64_t n,
                                  unsigned width, constat_buf *out, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Sign a checkpoint (C2SP tlog-checkpoint) of the current tree with the log
 * key, store it, and append the signed note to `out`. If the newest stored
 * checkpoint already covers the current size it is returned unchanged.
 * Errors: CONSTAT_EIO. */
constat_status constat_vault_checkpoint(constat_vault *v, constat_buf *out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;
/* The newest stored signed checkpoint, appended to out.
 * Errors: CONSTAT_ENOTFOUND (none yet), CONSTAT_EIO. */
constat_status constat_vault_latest_checkpoint(constat_vault *v, constat_buf *out,
                                               constat_error *err) CONSTAT_WARN_UNUSED;

/* Recompute the whole vault: every leaf hash against tile level 0, every
 * stored tile from the level below, every stored checkpoint's root and
 * signature, every leaf's signature (by the enrolled monitor key, or the
 * organisation key for enrolments). Calls fail(ctx, index or -1, message)
 * for each failure; returns CONSTAT_EVERIFY if any, CONSTAT_OK if none.
 * Errors: CONSTAT_EVERIFY, CONSTAT_EIO. (constat_failure_fn: errors.h) */
constat_status constat_vault_verify(constat_vault *v, constat_failure_fn fail, void *ctx,
                                    constat_error *err) CONSTAT_WARN_UNUSED;


/* Fill *src to read vault `v` (which must outlive the export): leaves and
 * stored tiles through this header, and as checkpoint the vault's newest
 * signed checkpoint, signed now if the tree grew since
 * (constat_vault_checkpoint). The log layer's export and audit read only
 * through constat_tlog_source (tlog.h); this adapter lives in the vault
 * (vault_tlog.c) so that the log knows no vault. Never fails. */
void constat_tlog_vault_source(constat_vault *v, constat_tlog_source *src);

#endif
