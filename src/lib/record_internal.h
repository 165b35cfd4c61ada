/* record_internal.h — library-private entry points of record.c. */
#ifndef CONSTAT_RECORD_INTERNAL_H
#define CONSTAT_RECORD_INTERNAL_H

#include "constat/record.h"

/* constat_record_sign without validating first: only for callers that have
 * just run constat_record_validate on exactly this record (intake.c), so a
 * bulk import validates each record once instead of twice. */
constat_status constat_record_sign_validated(const json_t *record,
                                             const constat_note_signer *signer,
                                             constat_buf *leaf, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
