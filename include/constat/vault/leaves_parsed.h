/*
 * leaves_parsed.h — the leaves of a vault read in one streaming query and
 * opened (constat_leaf_parse: canonical form checked, signature decoded) on
 * several threads, then handed over one by one in log order. For the
 * commands that read every leaf: the report and the dossier.
 */
#ifndef CONSTAT_LEAVES_PARSED_H
#define CONSTAT_LEAVES_PARSED_H

#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"

/* Receives leaf `index`, in log order, on the calling thread. When st is
 * CONSTAT_OK, *leaf is the opened leaf and the callee owns it (it
 * constat_leaf_free's it, or takes leaf->record and zeroes it); otherwise
 * *leaf is zeroed and `e` holds constat_leaf_parse's message (the callee
 * decides whether a bad leaf stops the walk). Return non-zero to stop. */
typedef int (*constat_parsed_leaf_fn)(void *ctx, uint64_t index, constat_leaf *leaf,
                                      constat_status st, const constat_error *e);

/* Most threads constat_vault_leaves_parsed starts (threads 0: this many,
 * or fewer when the machine has fewer cores online). */
#define CONSTAT_LEAVES_PARSED_THREADS 8

/* Read leaves [from, to) of `v` (constat_vault_leaves: one query, in
 * order) in chunks of at most 4096 leaves or 16 MiB, open each chunk's
 * leaves on `threads` threads (the calling one included; 0: one a core
 * online, at most CONSTAT_LEAVES_PARSED_THREADS; 1: no thread started) and
 * call fn for each, in log order. Leaves after a stop are freed unseen.
 * Opening the leaves in parallel changes no result: fn sees what a loop of
 * constat_leaf_parse would give it, in the same order.
 * Errors: those of constat_vault_leaves (CONSTAT_EIO), CONSTAT_ENOMEM; a
 * stop by fn is not an error (CONSTAT_OK), the callee keeps its own. */
constat_status constat_vault_leaves_parsed(constat_vault *v, uint64_t from, uint64_t to,
                                           int threads, constat_parsed_leaf_fn fn,
                                           void *ctx, constat_error *err) CONSTAT_WARN_UNUSED;

#endif
