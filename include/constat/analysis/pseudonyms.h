/*
 * pseudonyms.h — the one place where the pseudonyms of records signed
 * offline on a device join their records for analysis (docs/record.md
 * "Person commitments and pseudonym bindings").
 */
#ifndef CONSTAT_ANALYSIS_PSEUDONYMS_H
#define CONSTAT_ANALYSIS_PSEUDONYMS_H

#include <stddef.h>
#include <stdint.h>
#include "constat/analysis/report.h"
#include "constat/base/errors.h"

/* In recs[0..n) (in leaf order; the caller OWNS one reference to each
 * record): every record carrying affected.person_commitments that a
 * `pseudonym_binding` among recs names (by id, the binding at a later leaf;
 * the first such binding) is replaced, in place, by a copy whose
 * affected.persons is the binding's pseudonyms and which has no
 * person_commitments; the old reference is released. So is every
 * `correction` of such a record whose replacement carries no
 * affected.persons and exactly the bound record's set of person
 * commitments (in any order): its replacement gets the binding's
 * pseudonyms in the same way (the same commitments open to the same
 * identifiers). A replacement with another set of commitments (more, fewer,
 * other salts, none) gets no pseudonyms. The bindings stay in recs (the
 * figures ignore their kind). A record without a binding keeps its
 * commitments: its persons are unknown to the figures. Run once on the
 * records of a report, a dossier or a verification before computing
 * figures (cmd_report.c, dossier.c, verify.c call it).
 * Errors: CONSTAT_EINVAL (n > 0 and recs NULL), CONSTAT_ENOMEM (records
 * already joined stay joined). */
constat_status constat_records_join_pseudonyms(constat_indexed_record *recs, size_t n,
                                               constat_error *err) CONSTAT_WARN_UNUSED;

/* Told, by constat_records_join_pseudonyms_noted, of a correction the
 * figures count (the latest of its record, which is not retracted:
 * constat_records_effective) whose replacement got no pseudonyms although
 * the record it corrects is bound: `index` is the correction's leaf, `msg`
 * one sentence naming the correction, its record, both numbers of
 * commitments and the binding's leaf. */
typedef void (*constat_persons_note_fn)(void *ctx, uint64_t index, const char *msg);

/* constat_records_join_pseudonyms, and then note(ctx, ...) (when note is
 * not NULL) for each such correction, in the order of the records they
 * correct in recs. Same errors. */
constat_status constat_records_join_pseudonyms_noted(constat_indexed_record *recs, size_t n,
                                                     constat_persons_note_fn note, void *ctx,
                                                     constat_error *err) CONSTAT_WARN_UNUSED;

#endif
