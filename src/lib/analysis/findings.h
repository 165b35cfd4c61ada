/*
 * findings.h — the figures that answer the Defender's findings one by one
 * (docs/indicators.md "Findings figures"): check intervals, transports by
 * legal status and the distance back, operations beside aid distributions,
 * living-site visits by hour, evictions per site, items by origin, field
 * presence per organisation, corroborated incidents, and each figure's
 * share of first-hand records. Private to the analysis layer.
 */
#ifndef CONSTAT_FINDINGS_H
#define CONSTAT_FINDINGS_H

#include <jansson.h>
#include "constat/analysis/report.h"

/* Append the findings figures, in their fixed order, to `figs` (the
 * "figures" array being built by constat_figures_compute_timed). `recs`
 * are the effective records (constat_records_effective: latest version,
 * retracted ones left out), of every kind: incidents, shifts and register
 * entries are read, others ignored. `tax` may be NULL (every item kind then
 * counts as objects). Fields of the wrong type are read as not stated: the
 * record validation (run by intake and by the verifier) reports them.
 * The last figure, source_share_by_figure, counts the incidents listed by
 * every figure already in `figs` by source type, so call this after the
 * other figures are appended.
 * Errors: CONSTAT_ELIMIT (a sum beyond 2^53-1), CONSTAT_ENOMEM. */
constat_status constat_findings_figures(const constat_indexed_record *recs, size_t n,
                                        const constat_taxonomy *tax, json_t *figs,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Great-circle distance in metres (haversine, mean Earth radius
 * 6371008.8 m), rounded to the nearest metre, between two WGS 84 positions
 * in degrees x 10^7. */
int64_t constat_distance_m(int64_t lat1_e7, int64_t lon1_e7, int64_t lat2_e7, int64_t lon2_e7);

/* A figure row key of `n` elements (0 to 3): a JSON array of the strings
 * a, b, c, each NULL written as null ("not stated"). New reference; NULL
 * when out of memory or a string is not UTF-8. Shared by both tables of
 * figures (analysis.c, findings.c), built without json_pack's format
 * parsing: a report of a million records builds tens of millions. */
json_t *constat_fig_key(size_t n, const char *a, const char *b, const char *c);

/* The lookup text of a row key: keys are arrays of strings, integers and
 * nulls; each element is written with its type and length, so distinct keys
 * give distinct texts. Written into buf (cap bytes) when it fits, else into
 * a malloc'd block; other shapes fall back to json_dumps (malloc'd). Returns
 * the text, which the caller frees when it is not buf, or NULL (out of
 * memory). */
char *constat_fig_key_text(const json_t *key, char *buf, size_t cap);

/* Sort `n` leaf indices ascending (qsort), unless they already are: rows
 * mostly list their leaves in log order. */
void constat_fig_sort_leaves(uint64_t *v, size_t n);

#endif
