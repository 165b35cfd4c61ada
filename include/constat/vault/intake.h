/*
 * intake.h — turning what a monitor writes into a record ready to sign:
 * filling the organisation, monitor and recording time, replacing clear
 * private fields by salted commitments (docs/record.md "Private fields") and
 * clear person identifiers by keyed pseudonyms, then validating.
 */
#ifndef CONSTAT_INTAKE_H
#define CONSTAT_INTAKE_H

#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"

/*
 * Prepare `input` (a JSON object as a monitor writes it; not modified) into
 * a record:
 *  - `v` defaults to 1, `kind` to "incident", which must be a kind monitors
 *    write (constat_intake_monitor_kind);
 *  - `org` is set to the vault's organisation (a different one is an error);
 *  - `monitor` is set to `monitor` (a different one is an error);
 *  - `recorded_at` defaults to `now` (seconds since the epoch) in UTC;
 *  - `private`: an object of clear values; each becomes a commitment with a
 *    fresh 16-byte salt, and (salt, value) goes into *private_values;
 *  - `affected.person_identifiers`: clear identifiers (array of strings);
 *    each becomes a pseudonym under the vault's pseudonym key, merged into
 *    `affected.persons` (sorted, unique); the identifiers are dropped;
 *  - `id` defaults to "<kind>-" + the first 16 hex digits of the content hash;
 *  - categories are sorted and deduplicated;
 *  - "location_precision": "coarse" applied (docs/record.md "Location
 *    precision"); an evidence record whose incident is coarse in its
 *    effective version (constat_intake_effective) gets its capture
 *    position coarsened, the exact one in private.capture_exact;
 *  - an incident whose occurred.start, or any record whose recorded_at, is
 *    later than `now` by more than CONSTAT_CLOCK_TOLERANCE_S is refused
 *    (docs/time.md "Clock tolerance"); then the record is validated.
 * *record and *private_values (NULL when there are none) are new references.
 * Errors: CONSTAT_EINVAL naming the field ("occurred.start: ... is in the
 * future (now is ..., tolerance 600 s)"), CONSTAT_ENOMEM.
 */
constat_status constat_intake_prepare(constat_vault *v, const json_t *input,
                                      const char *monitor, int64_t now,
                                      const constat_taxonomy *tax, json_t **record,
                                      json_t **private_values, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* The kind check of constat_intake_prepare alone, for a record signed
 * by a monitor's key (here or on a device): its "kind" must be one monitors
 * write (incident, evidence, custody, correction, retraction, shift;
 * docs/record.md "Kinds"). Errors: CONSTAT_EINVAL naming `kind`; for an
 * organisation kind (revocation, erasure, key_transition,
 * monitor_enrolment, monitor_rotation, pseudonym_binding, register) saying
 * the organisation key signs it and with which command. */
constat_status constat_intake_monitor_kind(const json_t *record, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* constat_intake_prepare for the erasure record `constat erase` signs with
 * the organisation key: `input` must be of kind "erasure"; `monitor` names
 * the erased record's author. No private values. *record is a new
 * reference. Errors: those of constat_intake_prepare; CONSTAT_EINVAL
 * naming `kind` for another kind. */
constat_status constat_intake_prepare_erasure(constat_vault *v, const json_t *input,
                                              const char *monitor, int64_t now,
                                              json_t **record, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* The clock check of constat_intake_prepare alone, for a record signed
 * elsewhere (a device, offline): its recorded_at, and an incident's
 * occurred.start, not later than `now` (seconds since the epoch) by more
 * than CONSTAT_CLOCK_TOLERANCE_S. Times that do not parse pass (the
 * validator names them). Errors: CONSTAT_EINVAL naming the field
 * ("recorded_at: ... is in the future (now is ..., tolerance 600 s)"). */
constat_status constat_intake_not_in_future(const json_t *record, int64_t now,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* A prepared record signed and ready for constat_vault_append. Owns its
 * memory: release with constat_intake_item_free. */
typedef struct {
    constat_buf leaf;
    char *record_id;
    char *kind;
    json_t *private_values;
    uint8_t content_hash[32];
} constat_intake_item;

/* Sign `record` with `signer` into `item` (leaf, id, kind, content hash;
 * takes a new reference to private_values, which may be NULL).
 * Errors: those of constat_record_sign and constat_record_content_hash. */
constat_status constat_intake_sign(const json_t *record, const json_t *private_values,
                                   const constat_note_signer *signer,
                                   constat_intake_item *item, constat_error *err)
    CONSTAT_WARN_UNUSED;
void constat_intake_item_free(constat_intake_item *item);

/* constat_intake_prepare then constat_intake_sign, validating the record
 * once (the bulk path of `constat import`). `item` is filled on success.
 * Errors: those of both. */
constat_status constat_intake_record(constat_vault *v, const json_t *input,
                                     const char *monitor, int64_t now,
                                     const constat_taxonomy *tax,
                                     const constat_note_signer *signer,
                                     constat_intake_item *item, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* The log-side checks of a correction or retraction record (docs/record.md
 * "Corrections and retractions"), run before it is signed, and of an
 * evidence record (constat_intake_incident_check); other kinds pass
 * unchecked. The record it names (`corrects` / `retracts`) must be in the
 * log, be an incident or evidence record (for a correction: of the same kind
 * as `replacement`), and not be retracted by a later leaf. Reads the log
 * (every leaf after the named one); changes nothing.
 * Errors: CONSTAT_ENOTFOUND (no such record id in the log), CONSTAT_EINVAL
 * (the named record is of another kind, or the replacement's kind differs;
 * an evidence record, or replacement, naming no logged incident),
 * CONSTAT_ECONFLICT (already retracted, naming the retraction's leaf),
 * CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_intake_amend_check(constat_vault *v, const json_t *record,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* constat_intake_amend_check, with `pending` (may be NULL; ctx passed to
 * it) saying whether an incident record id not in the log yet is to be
 * appended before `record` (queued earlier in the same intake batch of
 * `constat serve`), for constat_intake_incident_check. */
constat_status constat_intake_amend_check_pending(constat_vault *v, const json_t *record,
                                                  int (*pending)(void *ctx, const char *id),
                                                  void *ctx,
                                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* The incident an evidence record binds its file to (docs/evidence.md):
 * for a record of kind "evidence", its `incident`; for a correction of
 * one, its replacement's. It must be a logged incident record, or an id
 * for which `pending` (may be NULL) returns non-zero. Other kinds pass.
 * Reads one leaf; changes nothing. Errors: CONSTAT_EINVAL (no incident
 * member; not in the log and not pending; a record of another kind, naming
 * the id and the field), CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_intake_incident_check(constat_vault *v, const json_t *record,
                                             int (*pending)(void *ctx, const char *id),
                                             void *ctx, constat_error *err) CONSTAT_WARN_UNUSED;

/* The effective version of the logged record `id` (docs/record.md
 * "Corrections and retractions"): the replacement of its latest correction,
 * or the record as first logged; a new reference in *record (json_decref
 * it), its first leaf's index in *index (may be NULL). Reads every leaf
 * after it. Errors: CONSTAT_ENOTFOUND (no such record), CONSTAT_EIO,
 * CONSTAT_EINVAL (a leaf that does not parse), CONSTAT_ENOMEM. */
constat_status constat_intake_effective(constat_vault *v, const char *id, json_t **record,
                                        uint64_t *index, constat_error *err) CONSTAT_WARN_UNUSED;

/* Whether a logged incident record (an effective version) has its position
 * coarse (a private.place_exact commitment, docs/record.md "Location
 * precision"). */
int constat_intake_coarse(const json_t *record);

/* View of an item for constat_vault_append (borrows item's memory). */
void constat_intake_item_view(const constat_intake_item *item, constat_append_item *out);

#endif
