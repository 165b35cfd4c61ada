/*
 * erase.h — erasure that keeps the log verifiable (crypto-shredding,
 * docs/vault.md "Erasure"): a record's private values and salts are
 * destroyed in the same transaction that appends the signed erasure record
 * naming its leaf; the leaf itself stays, so every proof and checkpoint
 * still verifies.
 */
#ifndef CONSTAT_ERASE_H
#define CONSTAT_ERASE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/vault/vault.h"

/* What erasing record `record_id` touches, found by reading the log:
 * *leaf its leaf index; *kind (borrowed from a static table) "incident" or
 * "evidence"; *ids a new JSON array (caller json_decref's) of the record ids
 * whose private values go: the record, the corrections of it, and for an
 * incident its evidence records and their corrections; *hashes a new JSON
 * array of the evidence files' SHA-256 (hex) bound only by those evidence
 * records (a file another live record binds is kept); *erased_at the leaf
 * of an erasure already logged for it, or -1.
 * Errors: CONSTAT_ENOTFOUND (no such record: nothing changed),
 * CONSTAT_EINVAL (not an incident or evidence record: enrolments, shifts,
 * custody, amendments and erasures are not erased), CONSTAT_EIO,
 * CONSTAT_ENOMEM. */
constat_status constat_vault_erase_plan(constat_vault *v, const char *record_id,
                                        uint64_t *leaf, const char **kind, json_t **ids,
                                        json_t **hashes, int64_t *erased_at,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Append the signed erasure record `erasure` (a leaf of kind "erasure",
 * constat_intake_sign; NULL when one is already logged and only the rows
 * are to go) and delete the private values rows of every id in `ids` (a
 * JSON array of strings, from constat_vault_erase_plan) in ONE transaction:
 * after a crash either both are there or neither. Each row is overwritten
 * with zeros before its delete (SQLite secure_delete), and the WAL is
 * checkpointed and truncated after the commit so no copy is left in it.
 * *leaf (may be NULL) gets the erasure's leaf index; *rows (may be NULL)
 * how many rows were deleted.
 * Errors: those of constat_vault_append, CONSTAT_EINVAL (ids not an array
 * of strings), CONSTAT_EIO. */
constat_status constat_vault_erase(constat_vault *v, const constat_append_item *erasure,
                                   const json_t *ids, uint64_t *leaf, size_t *rows,
                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* Fault injection for tests (as constat_store_fault_countdown): when set,
 * called inside constat_vault_erase's transaction after the rows are
 * deleted and before the commit (the e2e test kills the process there).
 * Not thread-safe; NULL in normal use. */
extern void (*constat_erase_test_hook)(void);

/* The erasures in the log: *out a new object (caller json_decref's) of
 * erased record id -> {"leaf": erasure leaf, "figures": "keep"|"exclude"},
 * covering also the evidence records of an erased incident (with that
 * incident's erasure). Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_erasures(constat_vault *v, json_t **out,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

#endif
