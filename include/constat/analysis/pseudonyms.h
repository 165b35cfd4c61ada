/*
 * pseudonyms.h — the one place where the pseudonyms of records signed
 * offline on a device join their records for analysis (docs/record.md
 * "Person commitments and pseudonym bindings").
 */
#ifndef CONSTAT_ANALYSIS_PSEUDONYMS_H
#define CONSTAT_ANALYSIS_PSEUDONYMS_H

#include <stddef.h>
#include "constat/analysis/report.h"
#include "constat/base/errors.h"

/* In recs[0..n) (in leaf order; the caller OWNS one reference to each
 * record): every record carrying affected.person_commitments that a
 * `pseudonym_binding` among recs names (by id, the binding at a later leaf;
 * the first such binding) is replaced, in place, by a copy whose
 * affected.persons is the binding's pseudonyms and which has no
 * person_commitments; the old reference is released. The bindings stay in
 * recs (the figures ignore their kind). A record without a binding keeps
 * its commitments: its persons are unknown to the figures. Run once on the
 * records of a report, a dossier or a verification before computing
 * figures (cmd_report.c, dossier.c, verify.c call it).
 * Errors: CONSTAT_EINVAL (n > 0 and recs NULL), CONSTAT_ENOMEM (recs
 * unchanged from the record where it failed on). */
constat_status constat_records_join_pseudonyms(constat_indexed_record *recs, size_t n,
                                               constat_error *err) CONSTAT_WARN_UNUSED;

#endif
