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
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/note.h"

#define CONSTAT_RECORD_SIG_DOMAIN "constat-record-v1\n"
#define CONSTAT_COMMIT_DOMAIN "constat-commit-v1"
#define CONSTAT_SALT_SIZE 16
#define CONSTAT_PSEUDONYM_KEY_SIZE 32
/* Longest `reason` of a correction or retraction, in bytes (docs/record.md). */
#define CONSTAT_AMEND_REASON_MAX 1000

/* Clock tolerance, in seconds, between the clocks that time a record: an
 * incident may start at most this long after its recorded_at (the monitor's
 * clock may run slightly behind the one that dated the event), intake
 * refuses an event starting more than this after its own "now", and a
 * recorded_at more than this after the record's proven time (RFC 3161) is
 * flagged as clock skew (docs/time.md "Clock tolerance"). */
#define CONSTAT_CLOCK_TOLERANCE_S 600

/* Version of the taxonomy file format (docs/formats.md "Taxonomy"). */
#define CONSTAT_TAXONOMY_VERSION 2

/* The taxonomy of incident categories and item kinds
 * (data/taxonomy/calais.json). */
typedef struct constat_taxonomy constat_taxonomy;

/* What the count of an item kind counts (docs/formats.md "Taxonomy"):
 * objects, persons, or an amount of money in a currency (the kind's ISO
 * 4217 code, or none stated). Counts of different units are never added. */
typedef enum {
    CONSTAT_UNIT_ITEMS = 0,
    CONSTAT_UNIT_PERSONS = 1,
    CONSTAT_UNIT_CURRENCY = 2
} constat_item_unit;

/* Load a taxonomy file: {"version":2,"categories":[{"id","label":{"fr","en"},
 * "description":{"fr","en"}}...], "item_kinds":[{"id","unit","currency"?,
 * "label":{"fr","en"}}...], optionally "legal_statuses" and "vehicle_kinds"
 * (below)} with ids of [a-z0-9_]{1,64}, unique in each
 * list, non-empty labels (and category descriptions) in both languages;
 * unit one of "items", "persons", "currency"; currency (only with unit
 * "currency", optional there) an ISO 4217 alphabetic code of three capital
 * letters; no item kind ending in an action suffix (constat_item_kind_split);
 * at most 1 MiB. The caller frees *out with constat_taxonomy_free.
 * Errors: CONSTAT_ENOTFOUND (no such file), CONSTAT_EIO (unreadable),
 * CONSTAT_ELIMIT (too large), CONSTAT_EINVAL (JSON or format, naming the
 * entry; "not a version 2 taxonomy" for a file of another version),
 * CONSTAT_ENOMEM. */
constat_status constat_taxonomy_load(const char *path, constat_taxonomy **out,
                                     constat_error *err) CONSTAT_WARN_UNUSED;
void constat_taxonomy_free(constat_taxonomy *t);
/* 1 if `id` is a category of the taxonomy (0 if t or id is NULL). */
int constat_taxonomy_has(const constat_taxonomy *t, const char *id);
/* Label of a category in `lang` ("fr" or "en"); falls back to the id. The
 * string is owned by the taxonomy. */
const char *constat_taxonomy_label(const constat_taxonomy *t, const char *id,
                                   const char *lang);
/* Number of categories, and the id of the i-th in file order (NULL when
 * i >= count). Strings are owned by the taxonomy. */
size_t constat_taxonomy_count(const constat_taxonomy *t);
const char *constat_taxonomy_id(const constat_taxonomy *t, size_t i);

/* 1 if `id` is an item kind of the taxonomy (0 if t or id is NULL), with
 * *unit and *currency (each may be NULL) set to its unit and its ISO 4217
 * code (NULL when the kind states none, and for units other than currency).
 * The currency string is owned by the taxonomy. */
int constat_taxonomy_item_kind(const constat_taxonomy *t, const char *id,
                               constat_item_unit *unit, const char **currency);
/* Label of an item kind in `lang` ("fr" or "en"); falls back to the id.
 * Owned by the taxonomy. */
const char *constat_taxonomy_item_label(const constat_taxonomy *t, const char *id,
                                        const char *lang);
/* Number of item kinds, and the id of the i-th in file order (NULL when
 * i >= count). Owned by the taxonomy. */
size_t constat_taxonomy_item_count(const constat_taxonomy *t);
const char *constat_taxonomy_item_id(const constat_taxonomy *t, size_t i);
/* "items", "persons" or "currency" (static string). */
const char *constat_item_unit_name(constat_item_unit unit);

/* The legal statuses (keys of `affected.legal_status`) and the vehicle
 * kinds (`authority.vehicles[].kind`) the taxonomy lists, in file order
 * ("legal_statuses", "vehicle_kinds": [{"id", "label": {"fr", "en"}}],
 * statuses with an optional "lawfully_present": true). Both lists are
 * optional: a count of 0 means the file lists none, and then a record may
 * name any status or vehicle kind, as before the lists existed. Ids and
 * labels are owned by the taxonomy; a label falls back to the id. */
size_t constat_taxonomy_status_count(const constat_taxonomy *t);
const char *constat_taxonomy_status_id(const constat_taxonomy *t, size_t i);
int constat_taxonomy_has_status(const constat_taxonomy *t, const char *id);
const char *constat_taxonomy_status_label(const constat_taxonomy *t, const char *id,
                                          const char *lang);
/* 1 if the figures count persons of status `id` as lawfully present
 * (docs/indicators.md transported_by_legal_status): the statuses the
 * taxonomy marks "lawfully_present"; with no legal_statuses listed (or no
 * taxonomy), asylum_seeker, refugee, residence_permit,
 * subsidiary_protection and stateless, as the figures always counted. */
int constat_taxonomy_lawfully_present(const constat_taxonomy *t, const char *id);
/* The i-th of those statuses (in the taxonomy's order), NULL past the last. */
const char *constat_taxonomy_lawful_status(const constat_taxonomy *t, size_t i);
size_t constat_taxonomy_vehicle_count(const constat_taxonomy *t);
const char *constat_taxonomy_vehicle_id(const constat_taxonomy *t, size_t i);
int constat_taxonomy_has_vehicle(const constat_taxonomy *t, const char *id);
const char *constat_taxonomy_vehicle_label(const constat_taxonomy *t, const char *id,
                                           const char *lang);
/* The taxonomy file's bytes as they were read (NUL-terminated; *len set
 * when len is not NULL): what `constat serve` gives the app as
 * /taxonomy.json. Owned by the taxonomy. */
const char *constat_taxonomy_bytes(const constat_taxonomy *t, size_t *len);

/* Split an item kind that carries the action in its name, as published
 * sources write them ("phones_broken", "mosque_destroyed"): when `kind`
 * ends with one of the suffixes of docs/formats.md ("Item kinds and action
 * suffixes": _broken _burned _cut _destroyed _discarded _shredded _slashed
 * _smashed _thrown _torn -> "destroyed"; _confiscated _seized _stolen
 * _taken -> "seized") after at least one character, writes the part before
 * the suffix into base[cap] (NUL-terminated), sets *action (may be NULL) to
 * the static action name and returns 1. Returns 0 (base untouched) when
 * there is no such suffix or the base does not fit in cap bytes. */
int constat_item_kind_split(const char *kind, char *base, size_t cap, const char **action);

/* Check a record object against docs/record.md for its kind (incident,
 * monitor_enrolment, shift, evidence, custody, correction, retraction;
 * evidence and custody: evidence.h). Closed world: a member not listed there is an
 * error at every level (only `private` and `affected.legal_status` are open
 * maps, of commitments and of counts). Required: v, kind, id, org, monitor,
 * recorded_at, and per kind: incident occurred{start,end,precision}, place,
 * categories, source{type}; monitor_enrolment vkey, enrolled_at; shift
 * start, end, area (with name or lat_e7/lon_e7); evidence incident, sha256
 * (64 lowercase hex), size >= 0, media_type "type/subtype", optional capture
 * {time | local_time "YYYY-MM-DDTHH:MM:SS", lat_e7/lon_e7, alt_cm, make,
 * model}; custody evidence (64 hex), incident, event (copied, handed_over,
 * sealed, received), to, optional note; correction corrects (record id),
 * replacement (a complete incident or evidence record with id == corrects,
 * the same org and monitor, itself validated with `tax`; errors on it are
 * prefixed "replacement."), optional reason; retraction retracts (record
 * id), reason (1-CONSTAT_AMEND_REASON_MAX bytes). Whether the named record
 * exists is the vault's check (constat_intake_amend_check), not this one. Checked: "v" == 1; id of 1-128
 * [A-Za-z0-9._:-]; org and monitor valid signed-note key names; no reals
 * anywhere and integers within ±(2^53-1); lat_e7 within ±900000000, lon_e7
 * within ±1800000000, both or neither; counts, officers, precision_m and
 * radius_m >= 0; RFC 3339 times with offset and whole seconds;
 * occurred.start <= occurred.end (shift: start <= end); occurred.start
 * at most CONSTAT_CLOCK_TOLERANCE_S after recorded_at; precision "day"
 * runs from a local midnight to the next local midnight, each at its own
 * offset (23- and 25-hour days are fine); place with name or
 * site; categories non-empty, sorted (byte order), unique and, when `tax`
 * is not NULL, known; items {kind, action, count} with count an integer
 * >= 0 or null, and when `tax` is not NULL a kind it lists, with count null
 * for a currency kind that states no currency; authority.vehicles[].kind and
 * the keys of affected.legal_status, when `tax` lists vehicle kinds and
 * legal statuses, among them; source.type enum, source.reference required for
 * "publication"; persons "p:" + 64 lowercase hex; private values and
 * evidence sha256 64 lowercase hex; enrolment id "enrol:<monitor>" and vkey
 * "monitor+hex8+base64(0x01||pk)" whose key id matches the key.
 * Errors: CONSTAT_EINVAL naming the field path first
 * ("place.lat_e7: must be an integer within -900000000..900000000",
 * "categories[1]: unknown category \"kettling\"", "note: unknown field",
 * "items[0].kind: unknown item kind \"phones_broken\" (write kind \"phones\"
 * with action \"destroyed\")", "occurred.start: ... is after recorded_at ..."),
 * CONSTAT_ELIMIT (a value built in code nested deeper than
 * CONSTAT_JSON_MAX_DEPTH). */
constat_status constat_record_validate(const json_t *record, const constat_taxonomy *tax,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* Commitment to a private field (docs/record.md), into out[32] (the record
 * carries its lowercase hex):
 * SHA-256("constat-commit-v1" || 0x00 || salt16 || field || 0x00 || JCS(value)).
 * `field` is the NUL-terminated member name under "private".
 * Errors: CONSTAT_EINVAL (empty field name, value not canonicalisable),
 * CONSTAT_ELIMIT (value too deep), CONSTAT_ENOMEM. */
constat_status constat_record_commit(const char *field, const json_t *value,
                                     const uint8_t salt[CONSTAT_SALT_SIZE],
                                     uint8_t out[32], constat_error *err) CONSTAT_WARN_UNUSED;

/* Pseudonym "p:<64 hex>" = HMAC-SHA256(key, normalised identifier) into
 * out[67] (NUL-terminated). Normalisation: trim ASCII whitespace, collapse
 * inner runs of ASCII whitespace to one space, lower-case A-Z; other bytes
 * are kept as they are ("  Ali  HASSAN " and "ali hassan" agree).
 * Errors: CONSTAT_EINVAL (NULL or empty identifier after normalising),
 * CONSTAT_ENOMEM. */
constat_status constat_record_pseudonym(const uint8_t key[CONSTAT_PSEUDONYM_KEY_SIZE],
                                        const char *identifier, char out[67],
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Content hash for deduplication, into out[32]: SHA-256(JCS(record minus
 * its top-level recorded_at and private members)). `record` is not changed.
 * Errors: CONSTAT_EINVAL (not an object, not canonicalisable),
 * CONSTAT_ELIMIT, CONSTAT_ENOMEM. */
constat_status constat_record_content_hash(const json_t *record, uint8_t out[32],
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* "name+hex8" (v->name, '+', v->key_id as 8 lowercase hex digits) into
 * out[cap], NUL-terminated; cap = CONSTAT_KEY_NAME_MAX + 10 always fits.
 * For a signer pass &signer->pub. */
void constat_record_key_id(const constat_note_verifier *v, char *out, size_t cap);

/* Sign `record` with `signer` (alg 0x01, libsodium crypto_sign_detached
 * over "constat-record-v1\n" || JCS(record)) and append the leaf bytes
 * JCS({"key_id", "record", "signature": base64}) to `leaf`. The record is
 * validated first (constat_record_validate without taxonomy): nothing
 * unchecked is ever signed. On error nothing is appended.
 * Errors: CONSTAT_EINVAL (invalid record, or not an Ed25519 signer),
 * CONSTAT_ELIMIT (record or leaf > CONSTAT_RECORD_MAX_BYTES),
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
 * the same bytes, the signature's base64 is canonical) with exactly the
 * members key_id, record (an object) and signature (64 bytes). Does not
 * check the signature nor validate the record. On success the caller
 * releases *out with constat_leaf_free; on failure *out is zeroed.
 * Errors: CONSTAT_EINVAL naming the problem (not canonical, missing or
 * unknown member, bad base64, JSON errors), CONSTAT_ELIMIT (len >
 * CONSTAT_RECORD_MAX_BYTES, depth), CONSTAT_ENOMEM. */
constat_status constat_leaf_parse(const uint8_t *leaf, size_t len, constat_leaf *out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;
/* Release the record reference and zero *l. NULL and zeroed leaves are fine. */
void constat_leaf_free(constat_leaf *l);

/* Verify the leaf's signature with `v`, whose "name+hex8" must equal
 * l->key_id (libsodium rules, see note.h).
 * Errors: CONSTAT_EVERIFY with distinct messages: "key id mismatch: ..."
 * (another key), "signature does not verify ..." (right key id, bad
 * signature), or a non-Ed25519 verifier; CONSTAT_ENOMEM. */
constat_status constat_leaf_verify(const constat_leaf *l, const constat_note_verifier *v,
                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* Local calendar helpers of the register and the findings figures
 * (docs/record.md "register"; no time zone state):
 * constat_civil_days: "YYYY-MM-DD" (a real Gregorian date, nothing after
 * it) into *days since 1970-01-01 (days may be NULL); returns 0, or -1 when
 * s is not such a date.
 * constat_clock_minutes: "HH:MM" (00:00-24:00) into minutes after local
 * midnight (may be NULL); 0, or -1 when malformed.
 * constat_weekday_index: "mon".."sun" -> 0..6, anything else -> -1. */
int constat_civil_days(const char *s, int64_t *days);
int constat_clock_minutes(const char *s, int *minutes);
int constat_weekday_index(const char *name);

/* RFC 3339 helpers, with no libc time zone state. Parse
 * "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (uppercase T and Z, years
 * 0000-9999, real calendar dates, no hour 24, no leap second 60) into
 * seconds since the epoch (UTC; a fraction is dropped) and the offset in
 * seconds east of UTC. Either output pointer may be NULL.
 * Errors: CONSTAT_EINVAL (no offset, out-of-range field, hour 24, Feb 30,
 * trailing bytes). */
constat_status constat_rfc3339_parse(const char *s, int64_t *epoch, int *offset_s)
    CONSTAT_WARN_UNUSED;
/* Format epoch seconds at an offset (seconds east of UTC, whole minutes;
 * |offset| >= 24 h is treated as 0) into out[32] with whole seconds;
 * offset 0 prints "Z". Instants outside years 0000-9999 are clamped. */
void constat_rfc3339_format(int64_t epoch, int offset_s, char out[32]);

#endif
