/*
 * report_check.h — "the report a reader sees is the report that verifies"
 * (private to src/lib/dossier): the verifier renders the report itself from
 * the verified figures (constat_report_render) and compares every file with
 * the dossier's copy in report/, byte for byte.
 */
#ifndef CONSTAT_DOSSIER_REPORT_CHECK_H
#define CONSTAT_DOSSIER_REPORT_CHECK_H

#include <stdint.h>
#include <jansson.h>
#include "constat/analysis/report.h"
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* Reads the dossier's report/<rel> into out (reset first). CONSTAT_ENOTFOUND
 * when missing; other errors with err set. */
typedef constat_status (*constat_report_read_fn)(void *ctx, const char *rel, constat_buf *out,
                                                 constat_error *err);
/* One failed check: `file` is the path (`prefix` then the report's name,
 * "report/index.html" in a dossier), `msg`
 * why, naming the first differing line. */
typedef void (*constat_report_fail_fn)(void *ctx, const char *file, const char *msg);

/* Render the report from `recs` (the dossier's incident records, n of them,
 * `times` parallel or NULL), `tax`, the verified `figures` and `meta`, and
 * compare each rendered file with what `rd` reads (its name, without
 * `prefix`; failures name prefix + name): a missing file, or one
 * whose bytes differ, is a failure naming the file and the first differing
 * line and byte with both versions around it (a few dozen bytes each, control
 * bytes shown as ?). Then
 * every name under `prefix` (every name when `prefix` is empty) among the
 * keys of `manifest_files` (the manifest's "files" object, or the files a
 * public report folder holds; may be NULL) that the rendering does not make
 * is a failure too: a page the verifier cannot vouch for. *nchecked (may be
 * NULL) gets the number of files that matched.
 * Returns CONSTAT_OK when the comparison ran (failures go to `fail`),
 * CONSTAT_ENOMEM, or the rendering's error when the figures cannot be
 * rendered (err set; the caller reports it as a failure). */
constat_status constat_report_recheck(const constat_indexed_record *recs, size_t n,
                                      const constat_taxonomy *tax,
                                      const constat_proven_time *times, const json_t *figures,
                                      const constat_report_meta *meta,
                                      const char *prefix, const json_t *manifest_files,
                                      constat_report_read_fn rd,
                                      constat_report_fail_fn fail, void *ctx,
                                      uint64_t *nchecked, constat_error *err) CONSTAT_WARN_UNUSED;

#endif
