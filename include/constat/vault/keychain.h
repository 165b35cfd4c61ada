/*
 * keychain.h — the chain of organisation keys, or of log (checkpoint) keys,
 * a log's key_transition records set (docs/vault.md "Organisation key
 * rotation", "Log key rotation"), built from leaf bytes alone, so that the
 * vault's verification, the dossier verifier and keyrot.c share it without
 * depending on each other.
 */
#ifndef CONSTAT_KEYCHAIN_H
#define CONSTAT_KEYCHAIN_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/base/limits.h"
#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/log/note.h"

/* Most organisation keys (or log keys) one log holds (transitions + 1). */
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
    int log;  /* 0: the organisation keys ("key": "org", and every transition
                 that is not "log", so that a malformed one is reported);
                 1: the log keys ("key": "log") */
} constat_keychain;

/* Append to `msg` what a transition's new key signs: the domain, then the
 * RFC 8785 form of `rec` without its "new_signature" member.
 * Errors: CONSTAT_ENOMEM, CONSTAT_EINVAL (not canonicalisable). */
constat_status constat_transition_message(const json_t *rec, constat_buf *msg,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* Add to the key_transition record `rec` its "new_signature": the base64
 * Ed25519 signature by `ns` (the key the transition brings in) over
 * constat_transition_message(rec). `spoil` non-zero flips a bit of it (the
 * rotations' tamper-test hooks). Errors: those of
 * constat_transition_message, CONSTAT_ENOMEM. */
constat_status constat_transition_sign_new(json_t *rec, const constat_note_signer *ns,
                                           int spoil, constat_error *err) CONSTAT_WARN_UNUSED;

/* Start an empty chain of organisation keys, or of log keys. */
void constat_keychain_init(constat_keychain *c);
void constat_keychain_init_log(constat_keychain *c);

/* The key of a LOG chain that signs the checkpoint of tree size `size`:
 * the era in force at leaf `size` (constat_keychain_at). A transition at
 * leaf T retires its old key for every checkpoint that contains it: sizes up
 * to T are signed by the old key, sizes from T + 1 on by the new one. */
const constat_key_era *constat_keychain_for_size(const constat_keychain *c, uint64_t size);

/* Why the checkpoint of tree size `size` fails with era `by` of log chain
 * `c` (the key its signature line names) instead of the era in force at
 * that size: a message naming both keys and the transition between them,
 * into out[cap]. */
void constat_keychain_size_fault(const constat_keychain *c, const constat_key_era *by,
                                 uint64_t size, char *out, size_t cap);

/* Feed leaf `index` (len bytes, in log order): a key_transition leaf of the
 * chain's kind (above) is
 * checked (1) it retires exactly the key then in force (retires / old_vkey;
 * the first transition of a log sets the first key from its old_vkey),
 * (2) its leaf is signed by that key, (3) its new_signature by its new key
 * verifies; then its new key is in force from index + 1. A transition
 * failing a check is reported through fail(ctx, index, msg) (may be NULL)
 * naming the leaf, the record and the check, counted in *bad, and not
 * followed. Other leaves are ignored. Errors: CONSTAT_ELIMIT (more than
 * CONSTAT_KEYCHAIN_MAX keys). */
constat_status constat_keychain_feed(constat_keychain *c, uint64_t index, const uint8_t *leaf,
                                     size_t len, constat_failure_fn fail, void *ctx,
                                     size_t *bad, constat_error *err) CONSTAT_WARN_UNUSED;

/* After the last leaf: a chain no transition started begins with `cur` (the
 * key the vault holds); otherwise its last key must be `cur`, or that is
 * reported (leaf -1) and counted in *bad. */
void constat_keychain_finish(constat_keychain *c, const constat_note_verifier *cur,
                             constat_failure_fn fail, void *ctx, size_t *bad);

/* The era in force at leaf `index` (never NULL for a chain the function
 * above filled), and the era whose key id is `key_id` (NULL: none). */
const constat_key_era *constat_keychain_at(const constat_keychain *c, uint64_t index);
const constat_key_era *constat_keychain_find(const constat_keychain *c, const char *key_id);

#endif
