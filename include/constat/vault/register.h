/*
 * register.h — register entries in the log (docs/record.md "register"):
 * aid points (position, radius or polygon, operator, distribution schedule
 * by weekday in the place's local hours, valid-from/to), living sites and
 * named places (e.g. a police station), each a record of kind "register"
 * signed by the organisation key, so that a figure using them is
 * recomputable from a dossier.
 */
#ifndef CONSTAT_VAULT_REGISTER_H
#define CONSTAT_VAULT_REGISTER_H

#include <jansson.h>
#include "constat/vault/vault.h"

/* Sign `entries` (a JSON array of register entry objects) with the
 * organisation key and append them in one transaction. Each entry may omit
 * v, kind, org, monitor (set to 1, "register", the vault's organisation,
 * the vault's organisation) and recorded_at (set to `now`, seconds since the
 * epoch, UTC); when given they must have those values (recorded_at any
 * RFC 3339 time). The entries are completed in place, then validated
 * (constat_record_validate); an entry whose content is already in the log
 * is skipped, as any record (*skipped). *first (may be NULL): leaf index of
 * the first new leaf; *appended, *skipped (may be NULL): counts.
 * Nothing is written when any entry fails.
 * Errors: CONSTAT_EINVAL ("entry 2: position.lat_e7: ...", not an array,
 * no entries, two entries with one id), CONSTAT_ECRYPTO (vault opened
 * without its keys), CONSTAT_ECONFLICT (an id already logged with other
 * content: the log is append-only, so a changed entry takes a new id, and
 * valid_from/valid_to say which one holds when), CONSTAT_EIO,
 * CONSTAT_ENOMEM. */
constat_status constat_vault_register_add(constat_vault *v, json_t *entries, int64_t now,
                                          uint64_t *first, size_t *appended, size_t *skipped,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* Called for each register entry in log order with its leaf index and its
 * record (borrowed for the call); non-zero stops the listing. */
typedef int (*constat_register_fn)(void *ctx, uint64_t index, const json_t *record);

/* Every register entry of the log, in log order. Works on a vault opened
 * without its keys. Errors: CONSTAT_EIO, CONSTAT_ENOMEM (fn returned
 * non-zero). */
constat_status constat_vault_register_list(constat_vault *v, constat_register_fn fn, void *ctx,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

#endif
