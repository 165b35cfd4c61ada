/* validation_table.c — the validation table a dossier's report shows
 * (public_dossier.h): our figures beside the published figures the dossier
 * holds, made the same way by the writer and by the verifier. */
#include "dossier/public_dossier.h"
#include "constat/analysis/validation.h"

constat_status dossier_validation_html(const void *csv, size_t len,
                                       const constat_indexed_record *recs, size_t n,
                                       constat_buf *out, constat_error *err)
{
    constat_buf_reset(out);
    return constat_validation_html(csv, len, CONSTAT_DOSSIER_VALIDATION_CSV, recs, n, out,
                                   err);
}
