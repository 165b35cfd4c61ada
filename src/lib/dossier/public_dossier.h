/*
 * public_dossier.h — private to src/lib/dossier: the public part of a
 * public dossier (`constat dossier --public`, docs/dossier.md "Public
 * dossier"). A public dossier is a dossier whose leaves are fit to publish
 * (no leaf holds an exact position near a living site of its registers)
 * with, under public/, the public report of the same records: a sceptic
 * recounts every public figure from the leaves, applies the disclosure
 * control again with the declared k, and finds every site a position was
 * snapped to among the register entries of the log.
 */
#ifndef CONSTAT_DOSSIER_PUBLIC_DOSSIER_H
#define CONSTAT_DOSSIER_PUBLIC_DOSSIER_H

#include <stddef.h>
#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/analysis/report.h"
#include "constat/dossier/public.h"
#include "constat/log/note.h"

/* The folder of the public report inside a public dossier. */
#define CONSTAT_PUBLIC_DOSSIER_DIR "public"

/* Failure callback: `where` a file of the dossier (e.g. "public/figures.json"
 * or "records.jsonl"), `index` the leaf index concerned or -1. */
typedef void (*dossier_public_fail_fn)(void *ctx, int64_t index, const char *where,
                                       const char *msg);
/* One check passed. */
typedef void (*dossier_public_pass_fn)(void *ctx);

/* The first leaf of the n records `recs` that holds an exact position (a
 * place.lat_e7/lon_e7 or transport.release_place.lat_e7/lon_e7 of an
 * incident or correction whose source.type is not "publication" (a
 * published position is public already), or a capture position
 * of an evidence record, not on the 0.01 degree grid of coarse positions,
 * docs/record.md "Location precision") within CONSTAT_PUBLIC_SITE_RADIUS_M
 * metres of a living site (register entry of register "living_site" with a
 * position) among the same records: its position in recs, with the site's
 * name in *site (borrowed from recs); -1 when there is none. */
long dossier_public_exact_leaf(const constat_indexed_record *recs, size_t n,
                               const char **site);

/* Write dir/public/: the public report (constat_report_write_public) of
 * `figures` (the dossier's figures.json, computed from `recs`) under
 * disclosure control with threshold k, with the positions of `recs`
 * (constat_public_positions), labelled with taxonomy.json as the dossier
 * holds it (read from dir), shown with `meta`, and public/keys/log.vkey
 * holding `logvk` (a C2SP verifier key string). Refused before anything is
 * written when dossier_public_exact_leaf finds a leaf.
 * Errors: CONSTAT_EINVAL (an exact position near a living site, naming the
 * leaf and the site; k out of range), CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status dossier_public_write(const char *dir, const constat_indexed_record *recs,
                                    size_t n, const json_t *figures,
                                    const constat_taxonomy *tax,
                                    const constat_report_meta *meta, const char *logvk, int k,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* constat_verify_public_report, the checkpoint checked with `log_key` when
 * it is not NULL (in a dossier whose log key was rotated: the key its chain
 * of log keys gives for the checkpoint's size, whatever the trust file
 * pins), else as that function does. */
constat_status dossier_verify_public_report_key(const char *dir, const char *trust_file,
                                                const constat_note_verifier *log_key,
                                                constat_public_fail_fn fail, void *ctx,
                                                uint64_t *passed, uint64_t *failed,
                                                int *log_key_from,
                                                constat_error *err) CONSTAT_WARN_UNUSED;

/* Check the public part of the dossier in `dir` (verified leaves `recs`, n
 * of them, and `recomputed`, the figures recounted from them):
 *   1. no leaf holds an exact position near a living site (as above);
 *   2. public/ verifies as a public report (constat_verify_public_report,
 *      with `trust_file`, may be NULL): its declared k obeyed, its pages
 *      rendered from its figures, its checkpoint signed by the log key
 *      (`log_key` when not NULL, as dossier_verify_public_report_key);
 *   3. public/figures.json equals, figure by figure, the recounted figures
 *      under disclosure control with the k it declares, with the positions
 *      recounted from the leaves;
 *   4. every site of its positions is a register entry among the leaves,
 *      at that name and position.
 * fail/pass are called per check. Returns CONSTAT_OK, or CONSTAT_ENOMEM
 * (a failed check is not an error: it is reported through fail). */
constat_status dossier_public_verify(const char *dir, const char *trust_file,
                                     const constat_note_verifier *log_key,
                                     const constat_indexed_record *recs, size_t n,
                                     const json_t *recomputed, dossier_public_fail_fn fail,
                                     dossier_public_pass_fn pass, void *ctx);

/* The published-figures CSV a dossier holds when its report has a
 * validation table (docs/dossier.md "Layout"). */
#define CONSTAT_DOSSIER_VALIDATION_CSV "published_figures.csv"

/* The validation table of a dossier's report (validation_table.c): the
 * table constat_validation_html makes of `len` bytes of published figures
 * and the n records `recs` (incidents counted, other kinds ignored), into
 * `out` (may stay empty: no figure covered). Writer and verifier call this
 * one function with the same records so the report renders the same bytes.
 * Errors: those of constat_validation_html. */
constat_status dossier_validation_html(const void *csv, size_t len,
                                       const constat_indexed_record *recs, size_t n,
                                       constat_buf *out, constat_error *err) CONSTAT_WARN_UNUSED;

#endif
