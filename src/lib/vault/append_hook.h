/*
 * append_hook.h — private to the vault layer: an append with more writes in
 * the same transaction (vault.c implements it, erase.c uses it).
 */
#ifndef CONSTAT_APPEND_HOOK_H
#define CONSTAT_APPEND_HOOK_H

#include "constat/vault/vault.h"
#include "vault/store.h"

/* constat_vault_append with more writes in its transaction: `hook` (may be
 * NULL) runs after the leaves are stored and before the commit; a non-OK
 * return rolls everything back (erase.c: the erasure leaf and the erased
 * rows are one transaction). Same errors as constat_vault_append, and the
 * hook's. */
typedef constat_status (*constat_append_hook)(void *ctx, constat_store *s, constat_error *err);
constat_status constat_vault_append_hooked(constat_vault *v, const constat_append_item *items,
                                           size_t n, constat_append_hook hook, void *hctx,
                                           uint64_t *first, size_t *appended, size_t *skipped,
                                           constat_progress_fn progress, void *pctx,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* Inside such a hook: the size and root of the tree the append made (the
 * checkpoint a log key rotation signs in the same transaction). */
void constat_vault_txn_head(const constat_vault *v, uint64_t *size, uint8_t root[32]);

#endif
