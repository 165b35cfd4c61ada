/*
 * keyrot.h — rotation of the organisation key (docs/vault.md "Organisation
 * key rotation", docs/record.md "Key transition"): a key_transition record,
 * signed by the old key (the leaf's signature) AND by the new key (its
 * "new_signature" member), replaces the key the organisation signs with.
 * Organisation-signed leaves (enrolments, monitor rotations, revocations,
 * erasures, register entries) before the transition's leaf must be signed
 * by the old key, those after it by the new one. The chain of transitions
 * from the first key is what verification follows.
 */
#ifndef CONSTAT_KEYROT_H
#define CONSTAT_KEYROT_H

#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/keychain.h"
#include "constat/vault/vault.h"

/* The organisation keys of the log, in order (keychain.h: every leaf fed
 * to constat_keychain_feed, then constat_keychain_finish with the vault's
 * key). Failures go to fail(ctx, leaf, msg) (may be NULL), counted in *bad
 * (may be NULL). Errors: CONSTAT_ELIMIT (more than CONSTAT_KEYCHAIN_MAX keys),
 * CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_org_chain(constat_vault *v, constat_keychain *out,
                                       constat_failure_fn fail, void *ctx, size_t *bad,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* Rotate the organisation key: a new Ed25519 key (same note name, the
 * organisation's) is written sealed to keys/org-<hex8>.key first, then ONE
 * transaction appends the key_transition record {"v":1,"kind":
 * "key_transition","id":"transition-<16 hex of SHA-256(new key id)>","org",
 * "monitor": org name,"key":"org","retires": old key id,"old_vkey","vkey": new
 * verifier key,"reason","recorded_at": RFC 3339 of `now` (UTC),
 * "new_signature": base64 Ed25519 by the new key over
 * CONSTAT_TRANSITION_SIG_DOMAIN || JCS(record without it)}, its leaf signed
 * by the old key, and sets meta org_vkey / org_key_file / seal_vkey to the
 * new key and reseal_vkey / reseal_key_file to the key data keys were
 * sealed to (org_keys.h). After the commit `v` signs and seals with the new
 * key and still opens with the old one: the re-seal is then PENDING, and
 * constat_vault_seal_existing (sealing.h) performs it, then destroys the
 * retired key files (docs/vault.md "Re-sealing after a rotation"); the CLI
 * runs both. A crash before the commit leaves the old key in force and an
 * unused key file. `reason` is public text, 1-1000 bytes. *index (may be
 * NULL) gets the leaf, new_kid[cap] (may be NULL) the new key id.
 * Errors: CONSTAT_ECRYPTO (vault opened without its keys), CONSTAT_EINVAL
 * (reason), CONSTAT_ECONFLICT (the re-seal after the previous rotation is
 * still pending: nothing changed), CONSTAT_ELIMIT (CONSTAT_KEYCHAIN_MAX keys
 * already), CONSTAT_EIO. */
constat_status constat_vault_org_rotate(constat_vault *v, const char *reason, int64_t now,
                                        uint64_t *index, char *new_kid, size_t cap,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Fault injection for tests: when set, called by constat_vault_org_rotate
 * with "file" after the new key file is written and "txn" inside the
 * transaction (non-zero rolls back, CONSTAT_EIO), and with "newsig" as
 * the new key signs, where non-zero spoils that signature (tamper tests:
 * a transition signed by the old key only). NULL in normal use. */
extern int (*constat_org_rotate_test_hook)(const char *step);

/* ---- the log key (docs/vault.md "Log key rotation") ----
 *
 * The log key signs checkpoints. A key_transition record with "key": "log"
 * ("monitor": the log's origin, the note name of every log key) hands it
 * over: its leaf at index T is signed by the old log key, its
 * "new_signature" by the new one, exactly as for the organisation key. The
 * checkpoints of tree sizes up to T are signed by the old key, those of
 * sizes T + 1 and more (every checkpoint that contains the transition) by
 * the new one (keychain.h constat_keychain_for_size). The origin line of the
 * checkpoints does not change: the log is the same log; the key name in
 * their signature line stays the origin and only its key id changes. */

/* The log keys of the log, in order (keychain.h, a log chain: every leaf fed,
 * then constat_keychain_finish with the vault's log key). Failures as for
 * constat_vault_org_chain. */
constat_status constat_vault_log_chain(constat_vault *v, constat_keychain *out,
                                       constat_failure_fn fail, void *ctx, size_t *bad,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* Rotate the log key: the key files of interrupted rotations are destroyed
 * first; a new Ed25519 key (note name: the origin) is written sealed to
 * keys/log-<hex8>.key and fsync'd; then ONE transaction appends the
 * key_transition record {"v":1,"kind":"key_transition","id":"transition-<16
 * hex of SHA-256(new key id)>","org","monitor": origin,"key":"log","retires":
 * old key id,"old_vkey","vkey","reason","recorded_at","new_signature"}, its
 * leaf (index T) signed by the old log key, sets meta log_vkey / log_key_file
 * to the new key, and signs with the new key the checkpoint of size T + 1
 * (the first that contains the transition). After the commit `v` signs with
 * the new key, and every log key file but the new one is overwritten and
 * removed. A crash before the commit leaves the old key in force (and an
 * unused key file the next rotation destroys); after it, the new key is in
 * force (and a retired key file left over is destroyed by the next rotation
 * or `constat vault seal`). Refused while the log's chain of log keys does
 * not verify. *index (may be NULL) gets T, new_kid[cap] (may be NULL) the new
 * key id. Errors: CONSTAT_ECRYPTO (vault opened without its keys),
 * CONSTAT_EINVAL (reason), CONSTAT_EVERIFY (the chain does not verify),
 * CONSTAT_ELIMIT (CONSTAT_KEYCHAIN_MAX log keys already), CONSTAT_EIO. */
constat_status constat_vault_log_rotate(constat_vault *v, const char *reason, int64_t now,
                                        uint64_t *index, char *new_kid, size_t cap,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Fault injection for tests (NULL in normal use): called by
 * constat_vault_log_rotate with "file" after the new key file is written,
 * "txn" inside the transaction (non-zero rolls back, CONSTAT_EIO), "shred"
 * after the commit and before the retired key file is destroyed; and with
 * "newsig" (non-zero spoils the new key's signature: a transition signed by
 * the old key only) and "oldsig" (non-zero signs the leaf with the new key:
 * a transition the old key did not sign). */
extern int (*constat_log_rotate_test_hook)(const char *step);

#endif
