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
#include "constat/vault/vault.h"

/* Most organisation keys one log holds (transitions + 1). */
#define CONSTAT_KEYCHAIN_MAX 32
/* The domain of the new key's signature: it signs this string followed by
 * the RFC 8785 form of the record without its "new_signature" member. */
#define CONSTAT_TRANSITION_SIG_DOMAIN "constat-key-transition-v1\n"

/* One organisation key and the leaves it signs from. */
typedef struct {
    constat_note_verifier ver;
    char key_id[CONSTAT_KEY_NAME_MAX + 16]; /* "<org>+<hex8>" */
    uint64_t from;       /* first leaf it signs: 0, or its transition's leaf + 1 */
    int64_t transition;  /* the leaf of the transition that brought it in, -1 for the first */
    char at[40];         /* that transition's recorded_at ("" for the first) */
} constat_key_era;

typedef struct {
    size_t n; /* 1..CONSTAT_KEYCHAIN_MAX */
    constat_key_era k[CONSTAT_KEYCHAIN_MAX];
} constat_keychain;

/* The organisation keys of the log, in order: the first is the old key of
 * the first valid transition (or the vault's key when there is none), each
 * next one brought in by a key_transition leaf that (1) retires exactly the
 * key then in force (retires / old_vkey), (2) is signed by that key and (3)
 * carries a new_signature by its new key that verifies. A transition failing
 * any of these is reported through fail(ctx, leaf, msg) (may be NULL) naming
 * the leaf, the record and the failed check, counted in *bad (may be NULL),
 * and not followed; so is a last key that is not the one the vault holds
 * (leaf -1). Errors: CONSTAT_ELIMIT (more than CONSTAT_KEYCHAIN_MAX keys),
 * CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_org_chain(constat_vault *v, constat_keychain *out,
                                       constat_failure_fn fail, void *ctx, size_t *bad,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* The era in force at leaf `index` (never NULL for a chain the function
 * above filled), and the era whose key id is `key_id` (NULL: none). */
const constat_key_era *constat_keychain_at(const constat_keychain *c, uint64_t index);
const constat_key_era *constat_keychain_find(const constat_keychain *c, const char *key_id);

/* Rotate the organisation key: a new Ed25519 key (same note name, the
 * organisation's) is written sealed to keys/org-<hex8>.key first, then ONE
 * transaction appends the key_transition record {"v":1,"kind":
 * "key_transition","id":"transition-<16 hex of SHA-256(new key id)>","org",
 * "monitor": org name,"key":"org","retires": old key id,"old_vkey","vkey": new
 * verifier key,"reason","recorded_at": RFC 3339 of `now` (UTC),
 * "new_signature": base64 Ed25519 by the new key over
 * CONSTAT_TRANSITION_SIG_DOMAIN || JCS(record without it)}, its leaf signed
 * by the old key, and sets meta org_vkey / org_key_file to the new key (and
 * seal_vkey, once, to the first key: data keys stay sealed to the first
 * organisation key, docs/vault.md). After the commit `v` signs with the new
 * key. The old key file stays (sealed like the others): it still opens the
 * data keys. A crash before the commit leaves the old key in force and an
 * unused key file. `reason` is public text, 1-1000 bytes. *index (may be
 * NULL) gets the leaf, new_kid[cap] (may be NULL) the new key id.
 * Errors: CONSTAT_ECRYPTO (vault opened without its keys), CONSTAT_EINVAL
 * (reason), CONSTAT_ELIMIT (CONSTAT_KEYCHAIN_MAX keys already), CONSTAT_EIO. */
constat_status constat_vault_org_rotate(constat_vault *v, const char *reason, int64_t now,
                                        uint64_t *index, char *new_kid, size_t cap,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Fault injection for tests: when set, called by constat_vault_org_rotate
 * with "file" after the new key file is written and "txn" inside the
 * transaction (non-zero rolls back, CONSTAT_EIO), and with "newsig" after
 * the new key signed, where non-zero spoils that signature (tamper tests:
 * a transition signed by the old key only). NULL in normal use. */
extern int (*constat_org_rotate_test_hook)(const char *step);

#endif
