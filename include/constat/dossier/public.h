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
 *   2. the checkpoint note of meta.json verifies (C2SP signed-note) with the
 *      log key: the one `trust_file` pins ("log <vkey>" line, the trust file
 *      of constat_verify_opts), else the folder's own keys/log.vkey (which
 *      proves consistency only); a pinned key that differs from the folder's
 *      copy is a failure too. The checkpoint's tree size and origin must be
 *      the "tree_size" and "origin" of meta.json (which index.html shows);
 *   3. the report is rendered again from figures.json, meta.json and
 *      taxonomy.json of the folder (constat_report_write_public wrote them)
 *      and every rendered file (index.html, figures/<id>.csv, incidents.csv,
 *      figures.json) must be byte for byte the folder's, so the page shows
 *      what was checked.
 * What it cannot prove: that the figures were counted from the log the
 * checkpoint commits to. A public report holds no leaf, so its figures are
 * not recountable; the organisation can be held to them only through a
 * dossier (docs/indicators.md "What a public report proves").
 * Files are opened without following links; a missing or oversized file is
 * a failure naming it. fail(ctx, file, msg) is called per failure (may be
 * NULL); *passed and *failed (may be NULL) get the counts; *log_key_from
 * (may be NULL) gets 1 (pinned by the trust file), 0 (the folder's own
 * copy) or -1 (no usable log key).
 * Returns CONSTAT_OK when every check passed, CONSTAT_EVERIFY otherwise (err:
 * the first failure), CONSTAT_EINVAL / CONSTAT_ENOTFOUND / CONSTAT_EIO (the
 * trust file is malformed or unreadable, naming it and the line; nothing
 * checked), CONSTAT_ENOMEM. */
constat_status constat_verify_public_report(const char *dir, const char *trust_file,
                                            constat_public_fail_fn fail, void *ctx,
                                            uint64_t *passed, uint64_t *failed,
                                            int *log_key_from,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

#endif
