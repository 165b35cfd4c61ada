/*
 * public.h — checking a public report folder (`constat report --public`,
 * docs/indicators.md "Public reports: disclosure control") offline.
 */
#ifndef CONSTAT_DOSSIER_PUBLIC_H
#define CONSTAT_DOSSIER_PUBLIC_H

#include <stdint.h>
#include "constat/base/errors.h"

/* One failed check: `file` the path inside the folder, `msg` why. */
typedef void (*constat_public_fail_fn)(void *ctx, const char *file, const char *msg);

/* Check the public report in folder `dir`:
 *   1. figures.json parses (duplicate keys refused) and obeys the k it
 *      declares (constat_disclosure_check: every violation named, with the
 *      figure and row key);
 *   2. the report is rendered again from figures.json, meta.json and
 *      taxonomy.json of the folder (constat_report_write_public wrote them)
 *      and every rendered file (index.html, figures/<id>.csv, incidents.csv,
 *      figures.json) must be byte for byte the folder's, so the page shows
 *      what was checked.
 * Files are opened without following links; a missing or oversized file is
 * a failure naming it. fail(ctx, file, msg) is called per failure (may be
 * NULL); *passed and *failed (may be NULL) get the counts.
 * Returns CONSTAT_OK when every check passed, CONSTAT_EVERIFY otherwise (err:
 * the first failure), CONSTAT_ENOMEM. */
constat_status constat_verify_public_report(const char *dir, constat_public_fail_fn fail,
                                            void *ctx, uint64_t *passed, uint64_t *failed,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

#endif
