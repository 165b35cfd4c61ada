/*
 * format.h — what the dossier writer (dossier.h) and the offline verifier
 * (verify.h) share: the limits a verifier reads a dossier's files with, and
 * the selection filter that manifest.json records (docs/dossier.md). Kept
 * apart so that neither side includes the other.
 */
#ifndef CONSTAT_DOSSIER_FORMAT_H
#define CONSTAT_DOSSIER_FORMAT_H

#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/record/record.h"

/* Most lines a dossier's records.jsonl / proofs.jsonl may hold (a verifier
 * keeps every parsed record in memory to recompute the figures). */
#define CONSTAT_DOSSIER_MAX_RECORDS 1000000u
/* One proofs.jsonl line, in bytes (64 base64 hashes fit in 3.2 KiB). */
#define CONSTAT_DOSSIER_PROOF_LINE_MAX 8192u
/* manifest.json and figures.json, each, in bytes. */
#define CONSTAT_DOSSIER_JSON_MAX (64u * 1024u * 1024u)
/* A keys/ verifier key file or one line of a trust file, in bytes. */
#define CONSTAT_DOSSIER_VKEY_MAX 1024u
/* Largest file of report/ a verifier reads (index.html, a CSV, a page). */
#define CONSTAT_DOSSIER_REPORT_FILE_MAX (256u * 1024u * 1024u)
/* Files listed in a manifest. */
#define CONSTAT_DOSSIER_MAX_FILES 10000u
/* A place filter, in bytes. */
#define CONSTAT_DOSSIER_PLACE_MAX 256u

/* Which incidents a dossier holds. Every member may be NULL (no constraint);
 * all given constraints must hold:
 *   from, to  "YYYY-MM-DD": the local date of occurred.start (the date as
 *             written in the record, in its own UTC offset) lies within
 *             [from, to], both inclusive. A record without occurred.start
 *             never matches a date constraint.
 *   category  a taxonomy id the record's `categories` array contains.
 *   place     found in place.name, place.commune or place.site once both
 *             sides are folded: case, and the accents of Latin-1 Supplement
 *             and Latin Extended-A letters, aside (é -> e, ç -> c, œ -> oe,
 *             ß -> ss); other text must match as written (docs/dossier.md
 *             "Selection").
 *   country   place.country is exactly this English name, as records write
 *             it (data/gazetteer/countries.json; the CLI maps an ISO 3166-1
 *             alpha-2 code such as FR to it).
 *   commune   place.commune equals it once both sides are folded as for
 *             `place`; a record without place.commune matches when its
 *             place.name contains it (folded): imported publications state
 *             the commune only inside the place name ("Squat on rue Mouron,
 *             Calais").
 *   source_type  source.type is exactly this ("direct_observation",
 *             "testimony" or "publication"): `dossier --first-hand` gives
 *             "direct_observation", first-hand records only.
 *   ids, nids  the incidents chosen one by one (the review page's download,
 *             docs/api.md "Dossiers"): the record's id is one of these nids
 *             record ids, which are in strictly ascending byte order (no
 *             duplicate), each a valid record id (docs/record.md), at most
 *             CONSTAT_DOSSIER_MAX_IDS of them; nids 0 is no constraint. The
 *             writer refuses a listed id that is not a selected incident of
 *             the log, and the verifier checks that every listed id is an
 *             incident of the dossier: the selection is exactly the list.
 * A filter with only from/to/category/place is the one dossiers have always
 * recorded; country, commune, source_type and ids are recorded (and checked
 * by the verifier) only when given. */
typedef struct {
    const char *from;
    const char *to;
    const char *category;
    const char *place;
    const char *country;
    const char *commune;
    const char *source_type;
    const char *const *ids;
    size_t nids;
} constat_dossier_filter;

/* Most record ids a filter lists (filter.ids). */
#define CONSTAT_DOSSIER_MAX_IDS 100000u

/* Check a filter's syntax: dates are real calendar dates in YYYY-MM-DD form,
 * from <= to, place, country and commune each non-empty and at most
 * CONSTAT_DOSSIER_PLACE_MAX bytes,
 * category known to `tax` (tax may be NULL to skip that), ids valid record
 * ids in strictly ascending order, at most CONSTAT_DOSSIER_MAX_IDS.
 * Errors: CONSTAT_EINVAL naming the member ("filter.from: ..."). */
constat_status constat_dossier_filter_check(const constat_dossier_filter *f,
                                            const constat_taxonomy *tax,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 if `record` (a record object) is an incident matching `f` (NULL matches
 * every incident), 0 otherwise (including for other kinds). */
int constat_dossier_filter_match(const constat_dossier_filter *f, const json_t *record);

/* The selection `f` (NULL: all) in words, appended to `b`: in English
 * ("all incidents", "incidents that occurred (local date) from A to B, in
 * category C ...") or, when `french` is non-zero, in French ("tous les
 * incidents", "les incidents survenus ..."). The dossier writer shows it in
 * the report and VERIFY.md; the verifier derives it from manifest.json's
 * filter to render the same report. Errors: CONSTAT_ENOMEM. */
constat_status constat_dossier_filter_describe(const constat_dossier_filter *f, int french,
                                               constat_buf *b) CONSTAT_WARN_UNUSED;

/* The evidence file listing of a dossier (docs/dossier.md "Evidence file
 * listing"), at this path inside the dossier. */
#define CONSTAT_DOSSIER_EVIDENCE_INDEX "evidence/files.tsv"
/* Its largest size a verifier reads, in bytes. */
#define CONSTAT_DOSSIER_EVIDENCE_INDEX_MAX (16u * 1024u * 1024u)

/* The bytes of evidence/files.tsv for the dossier folder `dir`: a header
 * line "file\trecord\tincident\tmedia_type\tsuggested_name", then, in the
 * order of `records` (n record objects; those not of kind "evidence" are
 * skipped), one line per evidence record whose file is present in `dir` as
 * a regular file at its hash name (constat_evidence_path): that path
 * relative to `dir`, the record id, the incident id, the media type, and a
 * suggested file name = the record id (bytes outside A-Za-z0-9._- as '_')
 * followed by the media type's extension (constat_evidence_extension).
 * Text fields are escaped as for terminals (constat_text_escape), so a tab
 * or newline in a record cannot add a column or a row. Lines end in "\n".
 * The writer and the verifier both call it: the verifier compares the
 * dossier's file with it byte for byte. *out is reset first and stays empty
 * when no evidence file is present (no listing is written then).
 * Errors: CONSTAT_ENOMEM. */
constat_status constat_dossier_evidence_index(const char *dir, const json_t *const *records,
                                              size_t n, constat_buf *out,
                                              constat_error *err) CONSTAT_WARN_UNUSED;

#endif
