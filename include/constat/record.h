/*
 * record.h — the record model (docs/record.md): validation against the
 * taxonomy, private-field commitments, person pseudonyms, content hashes,
 * and signing a record into a leaf / opening a leaf back into a record.
 */
#ifndef CONSTAT_RECORD_H
#define CONSTAT_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "buf.h"
#include "errors.h"
#include "note.h"

#define CONSTAT_RECORD_SIG_DOMAIN "constat-record-v1\n"
#define CONSTAT_COMMIT_DOMAIN "constat-commit-v1"
#define CONSTAT_SALT_SIZE 16
#define CONSTAT_PSEUDONYM_KEY_SIZE 32

/* The taxonomy of incident categories (data/taxonomy/calais.json). */
typedef struct constat_taxonomy constat_taxonomy;

/* Load a taxonomy file. The caller frees with constat_taxonomy_free.
 * Errors: CONSTAT_ENOTFOUND / CONSTAT_EIO (path), CONSTAT_EINVAL (format,
 * naming the entry). */
constat_status constat_taxonomy_load(const char *path, constat_taxonomy **out,
                                     constat_error *err) CONSTAT_WARN_UNUSED;
void constat_taxonomy_free(constat_taxonomy *t);
/* 1 if `id` is a category of the taxonomy. */
int constat_taxonomy_has(const constat_taxonomy *t, const char *id);
/* Label of a category in `lang` ("fr" or "en"); falls back to the id. The
 * string is owned by the taxonomy. */
const char *constat_taxonomy_label(const constat_taxonomy *t, const char *id,
                                   const char *lang);
/* Number of categories, and the id of the i-th (taxonomy order). */
size_t constat_taxonomy_count(const constat_taxonomy *t);
const char *constat_taxonomy_id(const constat_taxonomy *t, size_t i);

/* Check a record object against docs/record.md for its kind (incident,
 * monitor_enrolment, shift): required fields, types, integer ranges, RFC 3339
 * times with offsets, sorted unique known categories (tax may be NULL to skip
 * the category check). Errors: CONSTAT_EINVAL naming the field path
 * ("place.lat_e7: must be an integer within ±900000000"). */
constat_status constat_record_validate(const json_t *record, const constat_taxonomy *tax,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* Commitment to a private field (docs/record.md):
 * SHA-256("constat-commit-v1" || 0x00 || salt16 || field || 0x00 || JCS(value)).
 * Errors: CONSTAT_EINVAL (value not canonicalisable), CONSTAT_ENOMEM. */
constat_status constat_record_commit(const char *field, const json_t *value,
                                     const uint8_t salt[CONSTAT_SALT_SIZE],
                                     uint8_t out[32], constat_error *err) CONSTAT_WARN_UNUSED;

/* Pseudonym "p:<64 hex>" = HMAC-SHA256(key, normalised identifier) into
 * out[67]. Errors: CONSTAT_EINVAL (empty identifier after normalising). */
constat_status constat_record_pseudonym(const uint8_t key[CONSTAT_PSEUDONYM_KEY_SIZE],
                                        const char *identifier, char out[67],
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Content hash for deduplication: SHA-256(JCS(record minus recorded_at and
 * private)). Errors: CONSTAT_EINVAL, CONSTAT_ENOMEM. */
constat_status constat_record_content_hash(const json_t *record, uint8_t out[32],
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* "name+hex8" of a signer or verifier into out[CONSTAT_KEY_NAME_MAX + 10]. */
void constat_record_key_id(const constat_note_verifier *v, char *out, size_t cap);

/* Sign `record` with `signer` and append the leaf bytes
 * JCS({"key_id", "record", "signature"}) to `leaf`.
 * Errors: CONSTAT_EINVAL, CONSTAT_ELIMIT (leaf > CONSTAT_RECORD_MAX_BYTES),
 * CONSTAT_ENOMEM. */
constat_status constat_record_sign(const json_t *record, const constat_note_signer *signer,
                                   constat_buf *leaf, constat_error *err) CONSTAT_WARN_UNUSED;

/* A leaf opened: the record (new reference, caller json_decref's), the
 * key id string and signature bytes. */
typedef struct {
    json_t *record;
    char key_id[CONSTAT_KEY_NAME_MAX + 10];
    uint8_t signature[CONSTAT_ED25519_SIG];
} constat_leaf;

/* Parse leaf bytes and check they are exactly canonical (re-encoding gives
 * the same bytes). Does not check the signature.
 * Errors: CONSTAT_EINVAL naming the problem (not canonical, missing member,
 * bad base64). */
constat_status constat_leaf_parse(const uint8_t *leaf, size_t len, constat_leaf *out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;
void constat_leaf_free(constat_leaf *l);

/* Verify the leaf's signature with `v` (whose name+id must equal key_id).
 * Errors: CONSTAT_EVERIFY ("signature does not verify", "key id mismatch"). */
constat_status constat_leaf_verify(const constat_leaf *l, const constat_note_verifier *v,
                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* RFC 3339 helpers. Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" into
 * seconds since the epoch (UTC) and the offset in seconds.
 * Errors: CONSTAT_EINVAL (no offset, out-of-range field, hour 24). */
constat_status constat_rfc3339_parse(const char *s, int64_t *epoch, int *offset_s)
    CONSTAT_WARN_UNUSED;
/* Format epoch seconds at an offset (seconds east of UTC) into out[32];
 * offset 0 prints "Z". */
void constat_rfc3339_format(int64_t epoch, int offset_s, char out[32]);

#endif
