/*
 * org_append.h — private to the vault layer: append one record signed by
 * the organisation key (keylife.c implements it; keylife.c and keyrot.c use
 * it for revocations, monitor rotations and key transitions).
 */
#ifndef CONSTAT_ORG_APPEND_H
#define CONSTAT_ORG_APPEND_H

#include <jansson.h>
#include "vault/append_hook.h"

/* Validate `rec` (of kind `kind`, id `id`), sign it with the organisation
 * key the vault holds now and append it, `hook` (may be NULL) in the same
 * transaction. *index (may be NULL) gets its leaf. Errors: those of
 * constat_record_validate and constat_vault_append_hooked,
 * CONSTAT_ECONFLICT (already logged). */
constat_status constat_org_append(constat_vault *v, const json_t *rec, const char *id,
                                  const char *kind, constat_append_hook hook, void *hctx,
                                  uint64_t *index, constat_error *err) CONSTAT_WARN_UNUSED;

/* The same, the leaf signed by `signer` (keyrot_log.c: a transition of the
 * log key is signed by the old log key). */
constat_status constat_signed_append(constat_vault *v, const json_t *rec, const char *id,
                                     const char *kind, const constat_note_signer *signer,
                                     constat_append_hook hook, void *hctx, uint64_t *index,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

#endif
