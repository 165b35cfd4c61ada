/*
 * report.h — figures computed from incident records, the check that a
 * dossier's claimed figures follow from its records, and the static report
 * (index.html with inline SVG charts, figures.json, CSV files).
 *
 * Every figure names the leaves it counts: a row is
 *   {"key": [..], "value": <int>, "leaves": [<leaf index>, ...]}
 * and its value is recomputable from exactly its listed leaves (a count of
 * them, or a sum over them). Definitions of every figure and indicator, and
 * what they do not count, are in docs/indicators.md.
 *
 * figures.json shape (integers only, so that RFC 8785 bytes are stable):
 *   {"v": 3, "figures": [
 *     {"id": "incidents_by_month_category",
 *      "title": {"en": "...", "fr": "..."},
 *      "unit": "incidents",
 *      "dimensions": ["month", "category"],
 *      "parameters": {...},   (findings figures only: their windows, radii,
 *                              categories; compared by constat_figures_check)
 *      "rows": [{"key": ["2018-07", "pushback"], "value": 12,
 *                "leaves": [3, 7, ...]}, ...]}, ...]}
 * Figures appear in a fixed order; rows are sorted by key (element by
 * element: null before strings, strings by UTF-8 bytes); leaves ascending
 * and unique. A key element is null where the record does not state the
 * dimension (e.g. no place.country).
 */
#ifndef CONSTAT_REPORT_H
#define CONSTAT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/record/record.h"

/* Version of the figures.json format above (2: money and persons counted
 * under items are apart from objects, money_by_currency,
 * persons_by_item_kind and clock_skew_flagged; 3: the findings figures of
 * docs/indicators.md "Findings figures", with their "parameters"). */
#define CONSTAT_FIGURES_VERSION 3

/* Seconds in the window of the repeated-checks indicator (7 days). */
#define CONSTAT_REPEAT_WINDOW_S (7 * 86400)

/* A record with its leaf index. `record` is borrowed: the caller keeps it
 * alive for the duration of the call it is passed to. */
typedef struct {
    uint64_t index;
    json_t *record;
} constat_indexed_record;

/* Compute every figure of docs/indicators.md from `n` records (records of
 * kinds other than "incident" are ignored, but evidence feeds
 * evidence_flagged and corrections and retractions apply first, as
 * constat_records_effective: figures count the latest version of each
 * incident, at its correction's leaf, and leave retracted ones out;
 * records_corrected and records_retracted count them, per kind of the
 * amended record, by the leaf of the correction or retraction; `recs` may be
 * NULL when n == 0).
 * `tax` may be NULL; when given, every category of an incident must be in
 * it. The same leaf index twice is an error (a leaf is one record).
 * On success *out is a new JSON object of the shape above (caller
 * json_decref's it). Records must follow docs/record.md; fields the
 * figures read are checked for type, and a wrong type is an error rather
 * than a silently uncounted incident.
 * Errors: CONSTAT_EINVAL naming the leaf index, record id and field
 * ("leaf 12 (id x): occurred.start: not an RFC 3339 time"), CONSTAT_ELIMIT
 * (a sum beyond 2^53 - 1, which JCS cannot write exactly), CONSTAT_ENOMEM. */
constat_status constat_figures_compute(const constat_indexed_record *recs, size_t n,
                                       const constat_taxonomy *tax, json_t **out,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* The proven time of one record (docs/time.md): the earliest genTime of a
 * valid RFC 3161 token over a checkpoint whose tree contains the record
 * (constat_tsa_timeline_proven gives it). It bounds when the record
 * existed, not when the event happened. */
typedef struct {
    int proven;   /* 1 if some token covers the record, else 0 (time unused) */
    int64_t time; /* seconds since the epoch, UTC */
} constat_proven_time;

/* As constat_figures_compute, with `times` (may be NULL) parallel to `recs`:
 * times[i] is the proven time of recs[i]. It feeds the figure
 * delay_event_to_proven (docs/indicators.md), whose rows are always present:
 * with NULL every incident is "not_proven". constat_figures_compute is this
 * function with NULL. Same errors. */
constat_status constat_figures_compute_timed(const constat_indexed_record *recs, size_t n,
                                             const constat_taxonomy *tax,
                                             const constat_proven_time *times, json_t **out,
                                             constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 when a record's recorded_at (seconds since the epoch, the monitor's
 * clock) is later than its proven time (proven = 1; proven_time from
 * constat_proven_time) by more than CONSTAT_CLOCK_TOLERANCE_S: the
 * monitor's clock ran ahead of the time-stamping authority's. 0 otherwise,
 * and always 0 when proven is 0. Feeds the figure clock_skew_flagged and
 * the warnings of `constat verify` (docs/time.md "Clock tolerance"). */
int constat_clock_skewed(int64_t recorded_at, int proven, int64_t proven_time);

/* The latest version of each record (docs/record.md "Corrections and
 * retractions"): `recs` (n of them, `times` parallel or NULL) with every
 * incident or evidence record named by a retraction among recs left out,
 * and every one named by a correction among recs (replacement of the same
 * kind, keeping the id) replaced by the replacement of its latest correction
 * (highest leaf), carrying that correction's leaf index and proven time. An
 * amendment (correction, retraction, erasure with figures "exclude") whose
 * `monitor` (or a replacement's) is not that of the record it names, when
 * that record is among recs, is not applied: only a record's own monitor
 * amends it.
 * Other records, the corrections and retractions included, pass unchanged,
 * in the same order. *out (and *out_times when out_times is not NULL) are
 * new arrays of *nout entries the caller free()s; the records in them are
 * borrowed from `recs` (a replacement is a member of its correction). This
 * is what constat_figures_compute* and constat_report_write* read.
 * Errors: CONSTAT_EINVAL (n > 0 and recs NULL), CONSTAT_ENOMEM. */
constat_status constat_records_effective(const constat_indexed_record *recs, size_t n,
                                         const constat_proven_time *times,
                                         constat_indexed_record **out,
                                         constat_proven_time **out_times, size_t *nout,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* Failure callback: same shape as constat_failure_fn in vault.h. */
typedef void (*constat_figure_failure_fn)(void *ctx, int64_t index, const char *msg);

/* Compare `claimed` figures (e.g. a dossier's figures.json, hostile input)
 * with `recomputed` ones (from constat_figures_compute). Calls
 * fail(ctx, -1, msg) for each difference: format version, a figure missing
 * or unexpected, a figure's title/unit/dimensions/parameters, a row missing,
 * unexpected or duplicated, a row's value or leaf list. Each message names
 * the figure id and the row key and gives both values, e.g.
 *   figure incidents_by_month row ["2018-07"]: value claimed 12, recomputed 11
 * `fail` may be NULL (only the status is wanted).
 * Returns CONSTAT_OK when they agree exactly.
 * Errors: CONSTAT_EVERIFY (one or more differences, or `claimed` is not of
 * the figures.json shape; err holds the first message), CONSTAT_EINVAL
 * (`recomputed` is not of the figures.json shape), CONSTAT_ENOMEM. */
constat_status constat_figures_check(const json_t *claimed, const json_t *recomputed,
                                     constat_figure_failure_fn fail, void *ctx,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* What the report states. Every field may be NULL (shown as a dash).
 * `checkpoint_note` is the signed checkpoint text, shown verbatim in <pre>
 * in the closing "How to verify" section; `generated_at` an RFC 3339 time;
 * `scope` a description in English of which records were selected, shown in
 * the summary. The phrases constat writes get a French version too: "all
 * incidents", "all incidents in the log", and "incidents" followed by
 * clauses such as " in France (FR)", ", in commune Calais", ", that occurred
 * (local date) from 2018-07-01 to 2018-12-31", ", in category eviction";
 * other text is shown as given. */
typedef struct {
    const char *org;
    const char *origin;
    uint64_t tree_size;
    const char *checkpoint_note;
    const char *generated_at;
    const char *scope;
    /* HTML of the validation table (constat_validation_html, trusted: made
     * by the library, not escaped again), shown after the figures; NULL:
     * none (dossiers carry none). */
    const char *validation_html;
} constat_report_meta;

/* Write the static report into `dir` (created, mode 0755, if missing;
 * existing files of the same names are replaced; a trailing '/' is
 * ignored). The files are written into a staging folder first ("DIR.partial-
 * XXXXXX" beside a new `dir`, "DIR/.constat-report-XXXXXX" inside an
 * existing one) and moved into place once all are complete; on failure the
 * staging folder is removed, so a failed run leaves no partial report:
 *   dir/figures.json      the RFC 8785 (JCS) bytes of `figures`, no newline
 *   dir/figures/<id>.csv  one per figure: dimension columns, value, leaves
 *                         (space-separated indices)
 *   dir/incidents.csv     one row per incident among `recs` (leaf index,
 *                         id, times, place, categories, counts, source,
 *                         summary), ascending leaf index
 *   dir/index.html        French and English, no JavaScript, inline CSS and
 *                         SVG charts: first a summary (meta->scope in words,
 *                         the period of the incidents, incidents_total,
 *                         persons_affected_total and the rows of
 *                         incidents_by_category and incidents_by_country),
 *                         the caveats, one table per figure whose cells link
 *                         the counted leaves to the incident list (at most
 *                         100 a row, 5 when the list is paged; all are in the
 *                         figure's CSV), the incident list, and last "How to
 *                         verify": the meta, the checkpoint note and what
 *                         signatures prove (docs/indicators.md "The report").
 *   dir/incidents-K.html  only past 1,000 incidents: the incident list in
 *                         pages of 1,000 (K = 1, 2, ...), in place of the list
 *                         in index.html; pages of an earlier report beyond the
 *                         new count are removed from an existing `dir`.
 * `figures` is normally the output of constat_figures_compute over the same
 * records, but is treated as untrusted (it may come from a dossier): figure
 * ids must match [a-z0-9_]{1,64}; all record and figure text is escaped for
 * HTML and CSV (cells starting with = + - @ get a leading apostrophe against
 * spreadsheet formula injection). `tax` (may be NULL) gives category labels
 * in both languages. `meta` may be NULL.
 * Errors: CONSTAT_EINVAL (figures not of the figures.json shape, bad figure
 * id, a record not an object), CONSTAT_EIO naming the path, CONSTAT_ENOMEM. */
constat_status constat_report_write(const char *dir, const constat_indexed_record *recs,
                                    size_t n, const constat_taxonomy *tax,
                                    const json_t *figures, const constat_report_meta *meta,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* As constat_report_write, with `times` (may be NULL: nothing proven)
 * parallel to `recs`, giving each incident's proven time: a column
 * proven_at (RFC 3339 UTC, empty when not proven) after recorded_at in
 * incidents.csv, and the three times (occurred, recorded as claimed, proven)
 * in the HTML incident list. constat_report_write is this function with
 * NULL. Same errors. */
constat_status constat_report_write_timed(const char *dir, const constat_indexed_record *recs,
                                          size_t n, const constat_taxonomy *tax,
                                          const constat_proven_time *times,
                                          const json_t *figures,
                                          const constat_report_meta *meta,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

/* Receives one rendered file of the report: `name` is its path inside the
 * report folder ("figures.json", "figures/<id>.csv", "incidents.csv",
 * "index.html", "incidents-K.html"), `data` its `len` bytes (borrowed for the
 * call). A status other than CONSTAT_OK stops the rendering and is returned
 * (with err set by the callback). */
typedef constat_status (*constat_report_emit_fn)(void *ctx, const char *name,
                                                 const unsigned char *data, size_t len,
                                                 constat_error *err);

/* The files constat_report_write_timed writes, in the same order and with
 * the same bytes, handed to `emit` instead of written (for `constat verify`,
 * which renders the report from the verified figures and compares it with a
 * dossier's copy). Deterministic: nothing depends on the clock, the locale
 * or the order of a hash table; the only time shown is meta->generated_at.
 * Same arguments and errors as constat_report_write_timed, plus
 * CONSTAT_EINVAL when `emit` is NULL and whatever `emit` returns. */
constat_status constat_report_render(const constat_indexed_record *recs, size_t n,
                                     const constat_taxonomy *tax,
                                     const constat_proven_time *times, const json_t *figures,
                                     const constat_report_meta *meta,
                                     constat_report_emit_fn emit, void *ctx,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

#endif
