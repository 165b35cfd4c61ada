/*
 * keylife.h — the life cycle of monitor keys, in the log (docs/vault.md
 * "Revocation"): a revocation record, signed by the organisation key, says
 * that a monitor's key is not to be trusted for records it signed from a
 * given time on (a lost or seized device). Verification then fails every
 * record that key signed at or after that time, and every record it signed
 * that was logged after the revocation whatever time it claims (a thief can
 * set the device clock back).
 */
#ifndef CONSTAT_KEYLIFE_H
#define CONSTAT_KEYLIFE_H

#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/vault/vault.h"

/* Append a revocation record for monitor `name`'s key, signed by the
 * organisation key: {"v":1,"kind":"revocation","id":"revocation-<16 hex of
 * SHA-256(key id)>","org","monitor":name,"key_id":"<name>+<hex8>","from":
 * RFC 3339 of `from` (UTC),"reason","recorded_at": RFC 3339 of `now`}.
 * `reason` is public text, 1-1000 bytes. *index (may be NULL) gets its leaf.
 * Errors: CONSTAT_ENOTFOUND (no such monitor), CONSTAT_ECONFLICT (its key is
 * already revoked, naming the leaf), CONSTAT_EINVAL (reason; `from` later
 * than `now` + CONSTAT_CLOCK_TOLERANCE_S: a revocation says what is known),
 * CONSTAT_ECRYPTO (the vault was opened without its keys), CONSTAT_EIO. */
constat_status constat_vault_monitor_revoke(constat_vault *v, const char *name, int64_t from,
                                            const char *reason, int64_t now, uint64_t *index,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* The revocations in the log whose signature by the organisation key
 * verifies: *out a new object (caller json_decref's) of key id ->
 * {"leaf": N, "monitor", "from" (RFC 3339), "from_epoch", "reason"}.
 * Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_revocations(constat_vault *v, json_t **out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* The revocation rule for one leaf: 1 when the leaf at `index`, signed by
 * `key_id`, of `record`, is rejected by `rev` (the entry of that key in
 * constat_vault_revocations' object): its recorded_at is at or after the
 * revocation's `from` (or missing or unparsable), or it is logged after the
 * revocation's leaf; msg[cap] then gets the sentence verification prints
 * ("leaf N (record ID): signed by KEY, whose key was REVOKED by leaf L from
 * FROM (reason: ...): ..."). Else 0, msg untouched. */
int constat_revocation_rejects(const json_t *rev, uint64_t index, const char *key_id,
                               const json_t *record, char *msg, size_t cap);

/* The check `constat verify VAULT` runs after constat_vault_verify: every
 * leaf signed by a key a rotation retired whose recorded_at is at or after
 * the rotation (naming it), and every leaf signed by a revoked key
 * whose recorded_at is at or after the revocation's `from`, or which was
 * logged after the revocation, is reported through fail(ctx, index, msg)
 * naming the record, the key and the revocation (leaf, from, reason); so is
 * a revocation not signed by the organisation key. *failures (may be NULL)
 * gets the count. Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_verify_revocations(constat_vault *v, constat_failure_fn fail,
                                                void *ctx, size_t *failures,
                                                constat_error *err) CONSTAT_WARN_UNUSED;

/* Rotate monitor `name`'s key (docs/vault.md "Rotation"): a new key is
 * generated and written sealed to keys/monitors/<name>+<hex8>.key, then ONE
 * transaction appends a monitor_rotation record signed by the organisation
 * key, {"v":1,"kind":"monitor_rotation","id":"rotation-<16 hex of SHA-256(new
 * key id)>","org","monitor":name,"retires":old key id,"vkey":new verifier
 * key,"recorded_at": RFC 3339 of `now` (UTC)}, and makes the new key the one
 * constat_vault_monitor_key returns. Records the old key signs with a
 * recorded_at at or after `now` fail verification naming the rotation.
 * After the commit the old key file is removed (nothing signs with it any
 * more). A crash before the commit leaves the old key in force and an
 * unused key file, which the next rotation removes; after it, the rotation
 * is complete (a retired key file left by a crash is removed likewise). *index (may be NULL) gets the leaf,
 * new_kid[cap] (may be NULL) the new key id.
 * Errors: CONSTAT_ENOTFOUND (no such monitor), CONSTAT_ECRYPTO (vault opened
 * without its keys, or the monitor's key is held by its device),
 * CONSTAT_EINVAL, CONSTAT_EIO. */
constat_status constat_vault_monitor_rotate(constat_vault *v, const char *name, int64_t now,
                                            uint64_t *index, char *new_kid, size_t cap,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* The monitor rotations in the log whose signature by the organisation key
 * verifies: *out a new object (caller json_decref's) of retired key id ->
 * {"leaf": N, "monitor", "at" (RFC 3339), "at_epoch", "new_key_id", "vkey" (the
 * new verifier key)}. The
 * check constat_vault_verify_revocations runs also fails every leaf signed
 * by a retired key whose recorded_at is at or after its rotation's "at".
 * Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_rotations(constat_vault *v, json_t **out,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* Fault injection for tests (as constat_erase_test_hook): when set, called
 * by constat_vault_monitor_rotate with "file" after the new key file is
 * written, and "txn" inside the transaction before its commit, where a
 * non-zero return rolls the rotation back (CONSTAT_EIO). NULL in normal
 * use; not thread-safe. */
extern int (*constat_rotate_test_hook)(const char *step);

#endif
