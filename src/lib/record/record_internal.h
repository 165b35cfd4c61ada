/* record_internal.h — library-private entry points of record.c. */
#ifndef CONSTAT_RECORD_INTERNAL_H
#define CONSTAT_RECORD_INTERNAL_H

#include "constat/record/record.h"

/* constat_record_sign without validating first: only for callers that have
 * just run constat_record_validate on exactly this record (intake.c), so a
 * bulk import validates each record once instead of twice. */
constat_status constat_record_sign_validated(const json_t *record,
                                             const constat_note_signer *signer,
                                             constat_buf *leaf, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* constat_leaf_parse that also says where JCS(record) lies in the leaf:
 * leaf[*rec_off, *rec_off + *rec_len) are the record bytes the signature
 * covers after CONSTAT_RECORD_SIG_DOMAIN (the leaf is canonical, so they
 * are a slice of it), sparing the verifier a second canonicalisation.
 * `scratch` (initialised by the caller, who frees it) receives the leaf's
 * canonical re-encoding, so a caller parsing many leaves reuses one block.
 * rec_off and rec_len may both be NULL. Same errors as constat_leaf_parse,
 * plus CONSTAT_EINTERNAL if a canonical leaf had no record slice (a bug). */
constat_status constat_leaf_parse_span(const uint8_t *leaf, size_t len, constat_leaf *out,
                                       constat_buf *scratch, size_t *rec_off, size_t *rec_len,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* constat_leaf_verify over a signed message the caller assembled:
 * msg = CONSTAT_RECORD_SIG_DOMAIN || JCS(l->record), e.g. from the slice
 * constat_leaf_parse_span gives. Same checks, errors and messages. */
constat_status constat_leaf_verify_message(const constat_leaf *l, const uint8_t *msg,
                                           size_t msglen, const constat_note_verifier *v,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* "path: message" as CONSTAT_EINVAL, returned: the validation errors of
 * record.c and register.c ("place.lat_e7: must be ..."). */
constat_status constat_record_fail(constat_error *err, const char *path, const char *fmt, ...)
    CONSTAT_PRINTF(3, 4);

/* register.c: the incident members `transport` and `eviction`, and the
 * record kind `register` (docs/record.md). Called by
 * constat_record_validate after the common members (v, kind, id, org,
 * monitor, recorded_at) passed. Errors: CONSTAT_EINVAL naming the field
 * path ("transport.destination: ..."), CONSTAT_ENOMEM. */
constat_status constat_record_check_findings(const json_t *record, constat_error *err)
    CONSTAT_WARN_UNUSED;
constat_status constat_record_check_register(const json_t *record, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* binding.c: `affected.person_commitments` of an incident (an array of
 * 1..CONSTAT_PERSONS_MAX distinct 64-hex commitments, never beside
 * `persons`) and the record kind `pseudonym_binding` (docs/record.md
 * "Person commitments and pseudonym bindings"), after the common members
 * passed. Errors: CONSTAT_EINVAL naming the field path. */
constat_status constat_record_check_person_commitments(const json_t *affected,
                                                       constat_error *err) CONSTAT_WARN_UNUSED;
constat_status constat_record_check_binding(const json_t *record, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
