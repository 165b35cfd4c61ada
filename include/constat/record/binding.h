/*
 * binding.h — records signed offline on a monitor's device and the
 * organisation's pseudonym binding that completes them (docs/record.md
 * "Person commitments and pseudonym bindings").
 *
 * A device cannot compute keyed pseudonyms (the pseudonym key never leaves
 * the vault), so a record it signs offline carries, in
 * `affected.person_commitments`, one salted commitment per person
 * identifier:
 *     SHA-256("constat-commit-v1" || 0x00 || salt16 || "person" || 0x00 ||
 *             JCS(identifier string))
 * (the private-field commitment of docs/record.md with field name
 * "person"). At intake the organisation opens them and logs, in the same
 * batch, a `pseudonym_binding` record signed by the organisation key that
 * names the record (id and leaf hash) and carries its pseudonyms.
 */
#ifndef CONSTAT_RECORD_BINDING_H
#define CONSTAT_RECORD_BINDING_H

#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/record/record.h"

/* The field name under which person identifiers are committed. */
#define CONSTAT_PERSON_COMMIT_FIELD "person"
/* At most this many person commitments in one record. */
#define CONSTAT_PERSONS_MAX 1000

/* The id of the binding of record `record_id` into out[cap] (cap >= 20):
 * "pb-" + the first 16 hex digits of SHA-256(record_id). */
void constat_binding_id(const char *record_id, char *out, size_t cap);

/* Open the person commitments of `record` (its affected.person_commitments,
 * an array of 64-hex strings; the record is not changed) with `opened`, an
 * array of {"salt": 32 hex, "identifier": string}, one per commitment in
 * any order, and turn each identifier into its pseudonym under `key`
 * (constat_record_pseudonym). *persons is a new array of the pseudonyms,
 * sorted and without duplicates; a record without commitments needs
 * opened NULL or empty and gets *persons NULL.
 * Errors: CONSTAT_EINVAL naming the field ("sealed_persons[1]: does not
 * open any of the record's person commitments", "sealed_persons: 2 opened
 * for 3 commitments"), CONSTAT_ENOMEM. */
constat_status constat_binding_open(const json_t *record, const json_t *opened,
                                    const uint8_t key[CONSTAT_PSEUDONYM_KEY_SIZE],
                                    json_t **persons, constat_error *err) CONSTAT_WARN_UNUSED;

/* The binding record (not signed): {v:1, kind:"pseudonym_binding", id
 * (constat_binding_id), org, monitor: org, recorded_at, record: record_id,
 * leaf_hash: 64 hex of leaf_hash, persons}. *out is new; validated.
 * Errors: those of constat_record_validate, CONSTAT_ENOMEM. */
constat_status constat_binding_build(const char *org, const char *record_id,
                                     const uint8_t leaf_hash[32], const char *recorded_at,
                                     const json_t *persons, json_t **out,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* Does `binding` (a pseudonym_binding record) fit `record`, logged at a
 * leaf whose hash is leaf_hash? Its `record` is the record's id, its
 * `leaf_hash` that hash, and it carries as many pseudonyms as the record
 * has person commitments (duplicates among identifiers aside: at most).
 * Returns CONSTAT_OK, or CONSTAT_EVERIFY with the reason in err. */
constat_status constat_binding_fits(const json_t *binding, const json_t *record,
                                    const uint8_t leaf_hash[32],
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* For verifiers that walk a log (or a dossier) in leaf order: `table` (a
 * JSON object the caller makes and frees) remembers each record with person
 * commitments, by id, with its leaf hash; constat_binding_seen checks a
 * pseudonym_binding against it (constat_binding_fits) and that the record
 * was not bound before. A binding naming a record not in the table (not
 * logged before it, or without commitments) is refused.
 * constat_binding_note: records without commitments are ignored; errors
 * CONSTAT_ENOMEM. constat_binding_seen: CONSTAT_OK, CONSTAT_EVERIFY with
 * the reason ("binds record \"x\", which is not logged before it"),
 * CONSTAT_ENOMEM. */
constat_status constat_binding_note(json_t *table, const json_t *record,
                                    const uint8_t leaf_hash[32],
                                    constat_error *err) CONSTAT_WARN_UNUSED;
constat_status constat_binding_seen(json_t *table, const json_t *binding,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

#endif
