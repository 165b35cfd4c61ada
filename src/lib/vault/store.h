/*
 * store.h — private: the storage under a vault (docs/vault.md "Schema").
 *
 * vault.c, and above it the witness (witness.c), publishing (publish.c) and
 * time-stamp (tsa.c) code, speak only to these functions; store_sqlite.c
 * implements them on one SQLite file and is the only file that knows SQL. A
 * coalition server can keep the same log in PostgreSQL by providing the same
 * functions (store_pg.c) without touching any caller: the operations are
 * plain keyed reads, writes and iterations, each inside the transaction the
 * caller opened (begin/commit below) or on its own, with no SQLite-specific
 * semantics leaking out.
 *
 * Indices are 0-based leaf indices; tiles are C2SP tlog-tiles tiles (level,
 * index, width 1..256, width * 32 bytes of hashes). Every function returns a
 * constat_status and fills err; CONSTAT_EIO names the database and the
 * operation.
 */
#ifndef CONSTAT_STORE_H
#define CONSTAT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"

typedef struct constat_store constat_store;

/* Create a new database at `path` (must not exist) with the schema, or open
 * an existing one. Both set WAL, synchronous=FULL, foreign keys and a busy
 * timeout. Open of a database whose file or folder the process cannot write
 * is read-only and writes nothing (docs/vault.md "Read-only vaults"); every
 * write then fails with CONSTAT_EIO saying the vault cannot be written.
 * Errors: CONSTAT_ECONFLICT (create: exists), CONSTAT_ENOTFOUND (open:
 * missing), CONSTAT_EIO (also: read-only with a write-ahead log that cannot
 * be read). */
constat_status constat_store_create(const char *path, constat_store **out, constat_error *err);
constat_status constat_store_open(const char *path, constat_store **out, constat_error *err);
void constat_store_close(constat_store *s);
/* A store location is a file path (SQLite) or a PostgreSQL URL
 * "postgresql://...#SCHEMA" (store_pg.c; docs/postgresql.md): create makes
 * the schema (CONSTAT_ECONFLICT if it exists), open needs it (ENOTFOUND).
 * is_url: 1 if `location` starts with postgresql:// or postgres://. */
int constat_store_is_url(const char *location);
/* "sqlite" or "postgresql" (static text). */
const char *constat_store_backend(const constat_store *s);

/* The store of the vault folder `dir`: dir/store.url (one line, a
 * PostgreSQL location) if present, else dir/vault.db. locate: the location
 * into loc[n]; CONSTAT_EINVAL if store.url is not a URL, CONSTAT_EIO,
 * CONSTAT_ELIMIT. in: 1 if dir has either file. open_in: open it (errors
 * of locate and open). create_in: url NULL or "" makes dir/vault.db; else
 * a PostgreSQL store in schema "vault_<16 hex>" of that database (or the
 * URL's own #SCHEMA), its location written to dir/store.url (mode 0600,
 * must not exist: CONSTAT_ECONFLICT); CONSTAT_EINVAL if url is not a
 * postgresql:// URL, else the errors of create. */
constat_status constat_store_locate(const char *dir, char *loc, size_t n, constat_error *err);
int constat_store_in(const char *dir);
constat_status constat_store_open_in(const char *dir, constat_store **out, constat_error *err);
constat_status constat_store_create_in(const char *dir, const char *url, constat_store **out,
                                       constat_error *err);

/* Transactions: begin takes the write lock at once (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: the schema's advisory lock, so processes sharing
 * one database append one at a time); rollback never fails from the
 * caller's point of view. */
constat_status constat_store_begin(constat_store *s, constat_error *err);
constat_status constat_store_commit(constat_store *s, constat_error *err);
void constat_store_rollback(constat_store *s);
/* Copy the WAL into the main file and truncate it (PRAGMA
 * wal_checkpoint(TRUNCATE)); used by tests and backups. PostgreSQL: no-op. */
constat_status constat_store_flush(constat_store *s, constat_error *err);

/* Rewrite the database without free space (VACUUM) and truncate the WAL
 * (wal_checkpoint(TRUNCATE)), so no page of a replaced row survives in the
 * file (docs/vault.md "Sealed at rest"). Outside any transaction.
 * Errors: CONSTAT_EIO. */
constat_status constat_store_compact(constat_store *s, constat_error *err);

/* meta(key, value). get: CONSTAT_ENOTFOUND if absent; value appended to out. */
constat_status constat_store_meta_get(constat_store *s, const char *key, constat_buf *out,
                                      constat_error *err);
constat_status constat_store_meta_set(constat_store *s, const char *key, const char *value,
                                      constat_error *err);

/* Number of leaves (max idx + 1; leaves are dense from 0). */
constat_status constat_store_size(constat_store *s, uint64_t *size, constat_error *err);

/* Leaves. find_content: *found 1 and *idx set if the content hash is stored.
 * put: CONSTAT_ECONFLICT if the record id is used (message names it and the
 * leaf holding it). get: CONSTAT_ENOTFOUND. find_id: CONSTAT_ENOTFOUND. */
constat_status constat_store_find_content(constat_store *s, const uint8_t hash[32], int *found,
                                          uint64_t *idx, constat_error *err);
constat_status constat_store_leaf_put(constat_store *s, uint64_t idx, const uint8_t *leaf,
                                      size_t len, const char *record_id, const char *kind,
                                      const uint8_t content_hash[32], constat_error *err);
constat_status constat_store_leaf_get(constat_store *s, uint64_t idx, constat_buf *out,
                                      constat_error *err);
constat_status constat_store_find_id(constat_store *s, const char *record_id, uint64_t *idx,
                                     constat_error *err);

/* One stored leaf row, as iteration reports it (pointers valid during the
 * callback only). */
typedef struct {
    uint64_t idx;
    const uint8_t *leaf;
    size_t len;
    const char *record_id;
    const char *kind;
    const uint8_t *content_hash; /* NULL if the column is not 32 bytes */
} constat_store_leaf;
/* Leaves with from <= idx < to in order; stops when fn returns non-zero. */
typedef int (*constat_store_leaf_fn)(void *ctx, const constat_store_leaf *row);
constat_status constat_store_leaves(constat_store *s, uint64_t from, uint64_t to,
                                    constat_store_leaf_fn fn, void *ctx, constat_error *err);

/* Tiles. get: hashes (up to 256 * 32 bytes) into `hashes`, width into
 * *width; CONSTAT_ENOTFOUND if absent, CONSTAT_EIO if the blob is not
 * width * 32 bytes. put replaces a smaller partial tile. count: all rows. */
constat_status constat_store_tile_get(constat_store *s, unsigned level, uint64_t n,
                                      uint8_t *hashes, unsigned *width, constat_error *err);
constat_status constat_store_tile_put(constat_store *s, unsigned level, uint64_t n,
                                      unsigned width, const uint8_t *hashes, constat_error *err);
constat_status constat_store_tile_count(constat_store *s, uint64_t *count, constat_error *err);

/* Checkpoints, keyed by tree size. latest: ENOTFOUND if none. */
constat_status constat_store_checkpoint_put(constat_store *s, uint64_t size, const char *note,
                                            int64_t created_at, constat_error *err);
constat_status constat_store_checkpoint_latest(constat_store *s, uint64_t *size,
                                               constat_buf *note, constat_error *err);
typedef int (*constat_store_checkpoint_fn)(void *ctx, uint64_t size, const char *note,
                                           size_t len);
constat_status constat_store_checkpoints(constat_store *s, constat_store_checkpoint_fn fn,
                                         void *ctx, constat_error *err);

/* Erase the private values row of `record_id`: its text overwritten with
 * zeros in place, then the row deleted, with SQLite's secure_delete on for
 * the statement, so that freed pages are zeroed (docs/vault.md "Erasure").
 * *erased (may be NULL) is 1 if a row was there. Runs inside the caller's
 * transaction. Errors: CONSTAT_EIO. */
constat_status constat_store_private_erase(constat_store *s, const char *record_id,
                                           int *erased, constat_error *err);

/* Private values (JSON text) per record id. get: ENOTFOUND if none. */
constat_status constat_store_private_put(constat_store *s, const char *record_id,
                                         const char *json, constat_error *err);
constat_status constat_store_private_get(constat_store *s, const char *record_id,
                                         constat_buf *out, constat_error *err);

/* Monitors. put: CONSTAT_ECONFLICT if the name exists. get: ENOTFOUND. */
constat_status constat_store_monitor_put(constat_store *s, const char *name, const char *vkey,
                                         uint64_t enrol_index, constat_error *err);
constat_status constat_store_monitor_get(constat_store *s, const char *name, constat_buf *vkey,
                                         uint64_t *enrol_index, constat_error *err);
typedef int (*constat_store_monitor_fn)(void *ctx, const char *name, const char *vkey,
                                        uint64_t enrol_index);
constat_status constat_store_monitors(constat_store *s, constat_store_monitor_fn fn, void *ctx,
                                      constat_error *err);

/* Test hook (fault injection, as SQLite's own tests do): when set to N > 0,
 * the N-th database step from now fails as an I/O error, then the counter
 * stays at 0 (off). Not thread-safe; for tests only. */
extern long constat_store_fault_countdown;

/* Tests reach the store under an open vault through this (vault.c). */
struct constat_vault;
constat_store *constat_vault_store(struct constat_vault *v);

/* ---- witness tables: our witness of other logs (docs/witness.md) ----
 * Origins are checkpoint origin lines, vkeys signed-note verifier key
 * strings, times seconds since the epoch; the caller validates them. */

/* witness_logs. put: CONSTAT_ECONFLICT if the origin is already witnessed.
 * vkey: the stored key string appended to `vkey`; CONSTAT_ENOTFOUND
 * ("unknown log") if the origin is not witnessed. Both also CONSTAT_EIO,
 * vkey CONSTAT_ENOMEM. */
constat_status constat_store_witness_log_put(constat_store *s, const char *origin,
                                             const char *vkey, int64_t added_at,
                                             constat_error *err);
constat_status constat_store_witness_log_vkey(constat_store *s, const char *origin,
                                              constat_buf *vkey, constat_error *err);
/* The log's key replaced by `vkey` (a followed log key transition,
 * witness.c); inside the caller's transaction. Errors: CONSTAT_EIO. */
constat_status constat_store_witness_log_rekey(constat_store *s, const char *origin,
                                               const char *vkey, constat_error *err);
/* Witnessed logs by origin: fn(ctx, origin, vkey, size of the stored
 * witness state, 0 if none); stops when fn returns non-zero. Errors:
 * CONSTAT_EIO. */
typedef int (*constat_store_witness_log_fn)(void *ctx, const char *origin, const char *vkey,
                                            uint64_t size);
constat_status constat_store_witness_logs(constat_store *s, constat_store_witness_log_fn fn,
                                          void *ctx, constat_error *err);

/* witness_state: the checkpoint last cosigned per origin. get: *found 0
 * (and nothing else set) if the origin has no state yet; else *found 1,
 * *size, root (32 bytes) and the signed note appended to `note`. Errors:
 * CONSTAT_EIO (also when the stored root is not 32 bytes), CONSTAT_ENOMEM.
 * put: insert or replace the state of `origin`, which must be witnessed
 * (else the foreign key fails: CONSTAT_EIO); root is 32 bytes, note a C
 * string. Errors: CONSTAT_EIO. */
constat_status constat_store_witness_state_get(constat_store *s, const char *origin, int *found,
                                               uint64_t *size, uint8_t root[32],
                                               constat_buf *note, constat_error *err);
constat_status constat_store_witness_state_put(constat_store *s, const char *origin,
                                               uint64_t size, const uint8_t root[32],
                                               const char *note, int64_t updated_at,
                                               constat_error *err);

/* witness_alerts: evidence of misbehaviour. put appends one (note_a, the
 * checkpoint cosigned before, and note_b, the one refused, as C strings);
 * the id is assigned ascending. Errors: CONSTAT_EIO (also a NULL field).
 * alerts: oldest first, fn(ctx, id, origin, reason, created_at, note_a,
 * note_b) with pointers valid during the call; stops when fn returns
 * non-zero. Errors: CONSTAT_EIO. */
constat_status constat_store_witness_alert_put(constat_store *s, const char *origin,
                                               const char *note_a, const char *note_b,
                                               const char *reason, int64_t created_at,
                                               constat_error *err);
typedef int (*constat_store_witness_alert_fn)(void *ctx, int64_t id, const char *origin,
                                              const char *reason, int64_t created_at,
                                              const char *note_a, const char *note_b);
constat_status constat_store_witness_alerts(constat_store *s, constat_store_witness_alert_fn fn,
                                            void *ctx, constat_error *err);

/* ---- publish tables: the witnesses that cosign our log (docs/witness.md) ---- */

/* publish_witnesses, keyed by the witness key's name. put: CONSTAT_ECONFLICT
 * if the name is configured, else CONSTAT_EIO. get: url and vkey (each may
 * be NULL) appended, *cosigned (may be NULL) the largest checkpoint size it
 * cosigned for us (0 if none); CONSTAT_ENOTFOUND ("no witness ... is
 * configured"), CONSTAT_EIO, CONSTAT_ENOMEM. witnesses: by name, fn(ctx,
 * name, url, vkey, cosigned) with pointers valid during the call; stops when
 * fn returns non-zero; CONSTAT_EIO. */
constat_status constat_store_publish_witness_put(constat_store *s, const char *name,
                                                 const char *url, const char *vkey,
                                                 constat_error *err);
constat_status constat_store_publish_witness_get(constat_store *s, const char *name,
                                                 constat_buf *url, constat_buf *vkey,
                                                 uint64_t *cosigned, constat_error *err);
typedef int (*constat_store_publish_witness_fn)(void *ctx, const char *name, const char *url,
                                                const char *vkey, uint64_t cosigned);
constat_status constat_store_publish_witnesses(constat_store *s,
                                               constat_store_publish_witness_fn fn, void *ctx,
                                               constat_error *err);

/* cosignatures, keyed by (checkpoint size, witness name). put: insert or
 * replace the signature line (`len` bytes, no newline) received at
 * `received_at`; CONSTAT_ENOTFOUND if no checkpoint of that size is stored
 * or the witness is not configured, else CONSTAT_EIO. cosignatures: the
 * lines on checkpoint `size` in witness-name order, fn(ctx, witness, line,
 * len) with pointers valid during the call; stops when fn returns non-zero;
 * CONSTAT_EIO. */
constat_status constat_store_cosignature_put(constat_store *s, uint64_t size,
                                             const char *witness, const char *line, size_t len,
                                             int64_t received_at, constat_error *err);
typedef int (*constat_store_cosignature_fn)(void *ctx, const char *witness, const char *line,
                                            size_t len);
constat_status constat_store_cosignatures(constat_store *s, uint64_t size,
                                          constat_store_cosignature_fn fn, void *ctx,
                                          constat_error *err);

/* ---- trusted time: RFC 3161 TSAs and their tokens (docs/time.md) ---- */

/* One configured TSA (pointers valid during a callback, or the caller's). */
typedef struct {
    const char *name;
    const char *url;
    const uint8_t *ca; /* PEM CA bundle, ca_len bytes (NULL if empty) */
    size_t ca_len;
} constat_store_tsa_config;
/* tsa_configs. put: CONSTAT_ECONFLICT if the name is configured, else
 * CONSTAT_EIO. configs: by name; stops when fn returns non-zero;
 * CONSTAT_EIO. */
constat_status constat_store_tsa_config_put(constat_store *s, const constat_store_tsa_config *c,
                                            int64_t added_at, constat_error *err);
typedef int (*constat_store_tsa_config_fn)(void *ctx, const constat_store_tsa_config *c);
constat_status constat_store_tsa_configs(constat_store *s, constat_store_tsa_config_fn fn,
                                         void *ctx, constat_error *err);

/* One stored time-stamp token (pointers valid during a callback, or the
 * caller's). Byte fields may be NULL when their length is 0. */
typedef struct {
    int64_t id;                  /* row id, ascending in the order stored (put ignores it) */
    uint64_t checkpoint_size;
    const uint8_t *note;         /* the signed checkpoint note bytes time-stamped */
    size_t note_len;
    const uint8_t *note_sha256;  /* 32 bytes: SHA-256 of note (the message imprint) */
    const char *tsa_name;
    const char *url;
    const uint8_t *ca;           /* the CA bundle it was verified with */
    size_t ca_len;
    const uint8_t *der;          /* TimeStampResp DER as received */
    size_t der_len;
    int64_t gen_time;            /* the token's genTime, seconds since the epoch */
    int64_t received_at;         /* seconds since the epoch */
} constat_store_tsa_token;
/* tsa_tokens. put appends one token (note_sha256 must be 32 bytes). Errors:
 * CONSTAT_EIO. tokens: in the order stored; stops when fn returns non-zero;
 * CONSTAT_EIO. */
constat_status constat_store_tsa_token_put(constat_store *s, const constat_store_tsa_token *t,
                                           constat_error *err);
typedef int (*constat_store_tsa_token_fn)(void *ctx, const constat_store_tsa_token *t);
constat_status constat_store_tsa_tokens(constat_store *s, constat_store_tsa_token_fn fn,
                                        void *ctx, constat_error *err);

/* ---- accounts, audit and enrolment codes (docs/api.md "Accounts") ----
 * Tables created on first use. Names are account names (as monitor names),
 * roles "coordinator", "monitor" or "auditor" (the caller validates them),
 * pwhash a libsodium crypto_pwhash_str string, times seconds since the
 * epoch. */

/* accounts. put: CONSTAT_ECONFLICT if the name exists, else CONSTAT_EIO.
 * get: role and pwhash (each may be NULL) appended, *disabled (may be NULL)
 * 0 or 1; CONSTAT_ENOTFOUND ("no account ..."), CONSTAT_EIO, CONSTAT_ENOMEM.
 * update: a new pwhash (NULL keeps it) and disabled (0 or 1; -1 keeps it);
 * CONSTAT_ENOTFOUND, CONSTAT_EIO. accounts: by name, fn(ctx, name, role,
 * disabled, created_at); stops when fn returns non-zero; CONSTAT_EIO. */
constat_status constat_store_account_put(constat_store *s, const char *name, const char *role,
                                         const char *pwhash, int64_t created_at,
                                         constat_error *err);
constat_status constat_store_account_get(constat_store *s, const char *name, constat_buf *role,
                                         constat_buf *pwhash, int *disabled, constat_error *err);
constat_status constat_store_account_update(constat_store *s, const char *name,
                                            const char *pwhash, int disabled,
                                            constat_error *err);
typedef int (*constat_store_account_fn)(void *ctx, const char *name, const char *role,
                                        int disabled, int64_t created_at);
constat_status constat_store_accounts(constat_store *s, constat_store_account_fn fn, void *ctx,
                                      constat_error *err);

/* audit: append one row (NULL strings are stored as ""); audits: oldest
 * first, fn(ctx, id, at, account, address, action, detail) with pointers
 * valid during the call; stops when fn returns non-zero. Errors: CONSTAT_EIO. */
constat_status constat_store_audit_put(constat_store *s, int64_t at, const char *account,
                                       const char *address, const char *action,
                                       const char *detail, constat_error *err);
typedef int (*constat_store_audit_fn)(void *ctx, int64_t id, int64_t at, const char *account,
                                      const char *address, const char *action,
                                      const char *detail);
constat_status constat_store_audits(constat_store *s, constat_store_audit_fn fn, void *ctx,
                                    constat_error *err);

/* enrol_codes: one-time enrolment codes, stored by SHA-256 of the code (the
 * code itself is never stored). put: CONSTAT_EIO. take: marks the code used
 * at `now` and appends its monitor name to `monitor`; CONSTAT_ENOTFOUND
 * (unknown code), CONSTAT_ECONFLICT (already used), CONSTAT_EVERIFY (now >=
 * expires_at), CONSTAT_EIO. Call take inside a transaction with the
 * enrolment it authorises, so a failed enrolment leaves the code unused. */
constat_status constat_store_enrol_code_put(constat_store *s, const uint8_t code_hash[32],
                                            const char *monitor, int64_t expires_at,
                                            constat_error *err);
constat_status constat_store_enrol_code_take(constat_store *s, const uint8_t code_hash[32],
                                             int64_t now, constat_buf *monitor,
                                             constat_error *err);

#endif
