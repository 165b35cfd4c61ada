/*
 * store.h — private: the storage under a vault (docs/vault.md "Schema").
 *
 * vault.c speaks only to these functions; store_sqlite.c implements them on
 * one SQLite file. A coalition server can keep the same log in PostgreSQL by
 * providing the same functions (store_pg.c) without touching vault.c: the
 * operations are plain keyed reads and writes inside one transaction, with
 * no SQLite-specific semantics leaking out.
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
 * timeout. Errors: CONSTAT_ECONFLICT (create: exists), CONSTAT_ENOTFOUND
 * (open: missing), CONSTAT_EIO. */
constat_status constat_store_create(const char *path, constat_store **out, constat_error *err);
constat_status constat_store_open(const char *path, constat_store **out, constat_error *err);
void constat_store_close(constat_store *s);

/* Transactions: begin takes the write lock at once (BEGIN IMMEDIATE);
 * rollback never fails from the caller's point of view. */
constat_status constat_store_begin(constat_store *s, constat_error *err);
constat_status constat_store_commit(constat_store *s, constat_error *err);
void constat_store_rollback(constat_store *s);
/* Copy the WAL into the main file and truncate it (PRAGMA
 * wal_checkpoint(TRUNCATE)); used by tests and backups. */
constat_status constat_store_flush(constat_store *s, constat_error *err);

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

/* The SQLite handle under a store, for the witness and publish tables
 * (witness.c, publish.c; docs/witness.md); owned by the store. */
struct sqlite3;
struct sqlite3 *constat_store_sqlite(constat_store *s);

#endif
