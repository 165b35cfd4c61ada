/*
 * disclosure.h — selective disclosure of private fields (docs/dossier.md
 * "Selective disclosure"): for chosen records and fields, the values with
 * their salts, in clear or sealed to a recipient's X25519 key
 * (crypto_box_seal), and the check of each revealed value against the salted
 * commitment inside the signed leaf of a dossier (docs/record.md "Private
 * fields and commitments").
 */
#ifndef CONSTAT_DISCLOSURE_H
#define CONSTAT_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/vault/vault.h"

/* File names inside a disclosure folder. */
#define CONSTAT_DISCLOSURE_CLEAR "disclosure.json"
#define CONSTAT_DISCLOSURE_SEALED "disclosure.sealed"
#define CONSTAT_DISCLOSURE_RECIPIENT "recipient.pub"
/* Largest disclosure.json / disclosure.sealed read (bytes). */
#define CONSTAT_DISCLOSURE_MAX (16u * 1024u * 1024u)
/* Largest number of items in one disclosure. */
#define CONSTAT_DISCLOSURE_MAX_ITEMS 100000u
/* First word of a recipient public / secret key file line. */
#define CONSTAT_RECIPIENT_PUB_TAG "constat-recipient-v1"
#define CONSTAT_RECIPIENT_KEY_TAG "constat-recipient-secret-v1"

/* A recipient's X25519 key pair (crypto_box). */
typedef struct {
    uint8_t pk[32];
    uint8_t sk[32]; /* zero when only the public key is loaded */
} constat_recipient;

/* Generate a recipient key pair and write `pub_path` (one line
 * "constat-recipient-v1 <base64 pk>\n", mode 0644) and `key_path` (one line
 * "constat-recipient-secret-v1 <base64 sk>\n", mode 0600, created with
 * O_EXCL). Neither file may exist.
 * Errors: CONSTAT_ECONFLICT (a file exists), CONSTAT_EIO. */
constat_status constat_recipient_new(const char *pub_path, const char *key_path,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* Parse a recipient public key line (`text`, `len` bytes, a final newline
 * allowed) into r->pk (r->sk zeroed). `what` names the input in messages.
 * Errors: CONSTAT_EINVAL (not "constat-recipient-v1 <base64 of 32 bytes>"). */
constat_status constat_recipient_parse_pub(const char *text, size_t len, const char *what,
                                           constat_recipient *r,
                                           constat_error *err) CONSTAT_WARN_UNUSED;
/* Read a public key file (≤ 1 KiB) as constat_recipient_parse_pub.
 * Errors: CONSTAT_ENOTFOUND / CONSTAT_EIO (unreadable), CONSTAT_EINVAL. */
constat_status constat_recipient_load_pub(const char *path, constat_recipient *r,
                                          constat_error *err) CONSTAT_WARN_UNUSED;
/* Read a secret key file (≤ 1 KiB): r->sk, and r->pk derived from it.
 * Wipe *r after use (sodium_memzero).
 * Errors: CONSTAT_ENOTFOUND / CONSTAT_EIO, CONSTAT_EINVAL (not a secret key
 * line: a public key file given as --key is named as such). */
constat_status constat_recipient_load_key(const char *path, constat_recipient *r,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* Write a disclosure folder `out_dir` (trailing slashes ignored; must not exist; created 0700, written
 * in a temporary sibling and renamed, so nothing half-written is left) for
 * `nrecords` record ids and `nfields` private field names: for every pair
 * where the record commits to the field, one item
 *   {"record","leaf_index","leaf_hash" (64 hex of SHA-256(0x00 || leaf)),
 *    "field","salt" (32 hex),"value"}
 * in disclosure.json ({"v":1,"kind":"constat-disclosure","origin","org",
 * "items":[...]}, RFC 8785 bytes). With `to` non-NULL those bytes are sealed
 * to to->pk (crypto_box_seal) into disclosure.sealed, and recipient.pub
 * names the key; nothing is written in clear. The private values are read
 * through constat_vault_private (the vault must be opened with its keys
 * when they are sealed). *items (may be NULL) gets the item count.
 * Errors: CONSTAT_ENOTFOUND (a record id not in the log, or a record that
 * commits to none of the fields, naming it), CONSTAT_EINVAL (no records or
 * fields, a field given twice), CONSTAT_EVERIFY (a stored value that no
 * longer matches its commitment: the vault is damaged), CONSTAT_ECONFLICT
 * (out_dir exists), CONSTAT_ECRYPTO (private values need the keys),
 * CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_disclosure_write(constat_vault *v, const char *const *records,
                                        size_t nrecords, const char *const *fields,
                                        size_t nfields, const constat_recipient *to,
                                        const char *out_dir, size_t *items,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Parse disclosure.json bytes (`len` bytes; at most CONSTAT_DISCLOSURE_MAX):
 * exactly the members v (1), kind ("constat-disclosure"), origin, org, items
 * (1..CONSTAT_DISCLOSURE_MAX_ITEMS objects with exactly record, leaf_index,
 * leaf_hash, field, salt, value, typed as in constat_disclosure_write).
 * *out (caller json_decref's) is the whole object.
 * Errors: CONSTAT_EINVAL naming the item and member, CONSTAT_ELIMIT,
 * CONSTAT_ENOMEM. */
constat_status constat_disclosure_parse(const char *text, size_t len, json_t **out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* The outcome for one revealed field. */
typedef enum {
    CONSTAT_DISCLOSED_MATCH = 0,    /* revealed and matches the signed record */
    CONSTAT_DISCLOSED_MISMATCH,     /* value or salt is not the committed one */
    CONSTAT_DISCLOSED_OTHER_RECORD, /* made for another leaf than the dossier's */
    CONSTAT_DISCLOSED_NOT_IN_DOSSIER, /* no record of that id in the dossier */
    CONSTAT_DISCLOSED_NO_COMMITMENT /* the signed record commits to no such field */
} constat_disclosed_state;

/* One revealed field: `leaf_index` is the dossier's leaf of that record id
 * (-1 when not in the dossier), `value` the revealed value (borrowed),
 * `why` a sentence for every state but MATCH (empty then). */
typedef void (*constat_disclosed_fn)(void *ctx, const char *record_id, const char *field,
                                     int64_t leaf_index, constat_disclosed_state state,
                                     const json_t *value, const char *why);

/* Check the disclosure folder `disclosure_dir` against the dossier
 * `dossier_dir` (whose records.jsonl and proofs.jsonl are read; the caller
 * verifies the dossier itself first with constat_verify_dossier, since a
 * value matching a leaf is worth what that leaf's signature and inclusion
 * are worth). A sealed disclosure needs `key` (the recipient's secret key);
 * a clear one ignores it. For every item fn is called once, in order.
 * *matched and *failed (may be NULL) count the items.
 * Returns CONSTAT_OK when every item matches, CONSTAT_EVERIFY when one does
 * not (also when the disclosure's origin is not the dossier's).
 * Errors: CONSTAT_ECRYPTO (sealed and no key given, or it does not open:
 * another recipient's key, or the sealed file was changed),
 * CONSTAT_ENOTFOUND (neither disclosure.json nor disclosure.sealed),
 * CONSTAT_EINVAL (malformed disclosure or dossier lines), CONSTAT_EIO,
 * CONSTAT_ELIMIT, CONSTAT_ENOMEM. */
constat_status constat_disclosure_verify(const char *dossier_dir, const char *disclosure_dir,
                                         const constat_recipient *key, constat_disclosed_fn fn,
                                         void *ctx, size_t *matched, size_t *failed,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

#endif
