/*
 * append_batch.h — one intake batch of `constat serve` (docs/api.md
 * "Batching") as one durable commit: the new leaves, the audit lines of the
 * batch and the signed checkpoint of the grown tree are written in a single
 * transaction, so a batch costs one WAL fsync (SQLite synchronous=FULL) or
 * one PostgreSQL commit, not three; and the caller gets what it needs to
 * answer every submitter from memory: the checkpoint note and the right edge
 * of the tree before the batch, from which constat_merkle_batch_prove
 * (constat/log/batch_proof.h) computes each new leaf's inclusion proof without
 * reading the store.
 */
#ifndef CONSTAT_APPEND_BATCH_H
#define CONSTAT_APPEND_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/merkle.h"
#include "constat/vault/accounts.h"
#include "constat/vault/vault.h"

/* What constat_vault_append_batch did. The caller initialises checkpoint
 * (constat_buf_init) and frees it. */
typedef struct {
    uint64_t first;                /* index of the first new leaf */
    size_t appended, skipped;      /* as constat_vault_append */
    constat_merkle_builder start;  /* the tree before the batch: size first, its right edge */
    constat_buf checkpoint;        /* signed checkpoint note of the tree of first + appended
                                    * leaves (C2SP tlog-checkpoint, signed-note); empty when
                                    * nothing was appended */
} constat_batch_result;

/*
 * Append items[0..n) as constat_vault_append does (same checks, same
 * skipping of content already logged), write audit[0..naudit) (may be 0)
 * and, when at least one leaf was appended, sign a checkpoint of the grown
 * tree with the log key and store it: all in ONE transaction, committed
 * durably before this returns CONSTAT_OK. With `whole` non-zero, an item
 * whose content is already logged (under another record id) rolls the whole
 * batch back with CONSTAT_ECONFLICT, so the caller can retry the items one
 * by one. On any error nothing of the batch is stored and out->appended is
 * 0. The tree size (constat_vault_size) moves only on success.
 * Errors: those of constat_vault_append, CONSTAT_ECONFLICT (see `whole`),
 * CONSTAT_ECRYPTO (a vault opened without its secret keys cannot sign the
 * checkpoint), CONSTAT_EIO (the commit failed).
 */
constat_status constat_vault_append_batch(constat_vault *v, const constat_append_item *items,
                                          size_t n, const constat_audit_entry *audit,
                                          size_t naudit, int whole, constat_batch_result *out,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

#endif
