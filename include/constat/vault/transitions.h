/*
 * transitions.h — the organisation key transitions a device needs to follow
 * a rotation (docs/vault.md "Organisation key rotation", docs/api.md "Key
 * transitions"): a device pins the organisation key at enrolment; after
 * `constat keys rotate --org` it is shown the key_transition leaves from
 * the first key to the one in force, and follows them only from the key it
 * pinned, each one signed by the key before it and by the key it brings in
 * (keychain.h), so a server cannot hand it a key the pinned one did not
 * sign for.
 */
#ifndef CONSTAT_TRANSITIONS_H
#define CONSTAT_TRANSITIONS_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/keychain.h"
#include "constat/vault/vault.h"

/* The leaf indices of the key_transition records that brought in the
 * organisation keys of `v`, in log order (oldest first): found from the key
 * in force backwards, each transition by its record id
 * ("transition-" + 16 hex of SHA-256(new key id), keyrot.h) and the key id
 * it `retires`. *n gets how many (0: never rotated), at most `cap` written
 * to idx. Errors: CONSTAT_ELIMIT (more than `cap`, or a cycle), CONSTAT_EIO
 * (a transition leaf unreadable), CONSTAT_ENOMEM. */
constat_status constat_vault_org_transitions(constat_vault *v, uint64_t *idx, size_t cap,
                                             size_t *n, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* The same for the log (checkpoint-signing) keys, `constat keys rotate
 * --log`: found back from the log key in force. Same errors. */
constat_status constat_vault_log_transitions(constat_vault *v, uint64_t *idx, size_t cap,
                                             size_t *n, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Follow the key_transition leaves leaves[i] (lens[i] bytes, at leaf
 * indices[i], in log order) from the key a device pinned, `pinned`, to
 * `current`, the key a server says is in force: every leaf fed to the
 * chain (constat_keychain_feed: each signed by the key then in force and by
 * the key it brings in), then the chain must hold `pinned` and end at
 * `current`, every transition after `pinned` followed. On success *steps
 * (may be NULL) gets how many transitions lead from `pinned` to `current`
 * (0 when they are the same key) and, when steps > 0, at[40] (may be NULL)
 * the recorded_at of the last one.
 * Errors: CONSTAT_EVERIFY (a transition fails a check, the chain does not
 * hold `pinned`, or does not end at `current`; err names the leaf and the
 * check), CONSTAT_ELIMIT (more than CONSTAT_KEYCHAIN_MAX keys),
 * CONSTAT_EINVAL (NULL arguments). */
constat_status constat_transitions_follow(const constat_note_verifier *pinned,
                                          const constat_note_verifier *current,
                                          const uint8_t *const *leaves, const size_t *lens,
                                          const uint64_t *indices, size_t n, size_t *steps,
                                          char at[40], constat_error *err) CONSTAT_WARN_UNUSED;

/* As constat_transitions_follow, for the chain of log keys (transitions
 * with "key": "log", keychain.h constat_keychain_init_log): from the log key
 * a device pinned to the one whose checkpoints it is now shown. */
constat_status constat_transitions_follow_log(const constat_note_verifier *pinned,
                                              const constat_note_verifier *current,
                                              const uint8_t *const *leaves, const size_t *lens,
                                              const uint64_t *indices, size_t n, size_t *steps,
                                              char at[40], constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
