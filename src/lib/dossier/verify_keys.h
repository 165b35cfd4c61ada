/* verify_keys.h — the chain of organisation keys, and of log keys, of a
 * dossier (docs/dossier.md "Across an organisation key rotation", "Across a
 * log key rotation"), from the key_transition records
 * its records.jsonl carries, for verify.c. Internal to the dossier layer. */
#ifndef CONSTAT_DOSSIER_VERIFY_KEYS_H
#define CONSTAT_DOSSIER_VERIFY_KEYS_H

#include <stddef.h>
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/keychain.h"

/* Read records.jsonl and proofs.jsonl of dossier `dir` in step and feed
 * every key_transition leaf, at the index its proof line gives, to *kc
 * (keychain.h: each checked against the key then in force, signed by it and
 * by its new key). The chain must start at `first` (the pinned organisation
 * key, or the dossier's keys/org.vkey): a first transition retiring another
 * key is reported and not followed. With no transition the chain is `first`
 * alone. Failures go to fail(ctx, leaf or -1, msg), counted in *bad.
 * Unreadable files are left to the line checks (the chain is then `first`
 * alone). Errors: CONSTAT_ENOMEM, CONSTAT_ELIMIT (more than
 * CONSTAT_KEYCHAIN_MAX keys). */
constat_status constat_dossier_org_chain(const char *dir, const constat_note_verifier *first,
                                         constat_keychain *kc, constat_failure_fn fail,
                                         void *ctx, size_t *bad,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* The same for the chain of organisation keys (log 0) or of log keys (log
 * 1: the key_transition records with "key": "log", from `first`, the pinned
 * log key or the dossier's keys/log.vkey). */
constat_status constat_dossier_key_chain(const char *dir, const constat_note_verifier *first,
                                         int log, constat_keychain *kc,
                                         constat_failure_fn fail, void *ctx, size_t *bad,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* The verifier of the chain's key whose key id is `key_id`, or `dflt` when
 * no key of the chain has it (then the signature check fails naming dflt). */
const constat_note_verifier *constat_dossier_org_key_for(const constat_keychain *kc,
                                                         const char *key_id,
                                                         const constat_note_verifier *dflt);

#endif
