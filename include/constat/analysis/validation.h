/*
 * validation.h — our figures beside published ones (docs/indicators.md
 * "Validation against published figures"): for each published figure whose
 * period and place the records cover, what the records count for the same
 * period, place and indicator, and why the two differ.
 */
#ifndef CONSTAT_VALIDATION_H
#define CONSTAT_VALIDATION_H

#include <stddef.h>
#include "constat/analysis/report.h"
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* Read `len` bytes of a published-figures CSV (columns source, period,
 * place, indicator, value, unit: data/demo/published_figures.csv, `what`
 * its name in messages) and append to `out` an HTML <section
 * id="validation"> with one table row per published figure that
 *   - has a period of the forms YYYY, YYYY-MM, YYYY-MM-DD or "A to B" of
 *     those (others, such as "to page snapshot", are left out),
 *   - has a place whose parts (split at " and " and "/") name a commune,
 *     a place name or a country of the records,
 *   - counts evictions (unit evictions or site-evictions; ours: incidents
 *     of category eviction), persons pushed back (ours: persons affected
 *     by incidents of category pushback) or persons arrested (category
 *     arrest), and
 *   - is covered: at least one incident of `recs` (n records, other kinds
 *     ignored) occurred (local date) in that period at that place;
 * each row: the period, place, indicator, the published value and unit,
 * ours, ours as a share of it, and the difference explained. Nothing is
 * appended when no figure is covered. Text is escaped for HTML.
 * Errors: CONSTAT_EINVAL (not a CSV of those six columns, naming the line),
 * CONSTAT_ENOMEM. */
constat_status constat_validation_html(const void *csv, size_t len, const char *what,
                                       const constat_indexed_record *recs, size_t n,
                                       constat_buf *out, constat_error *err) CONSTAT_WARN_UNUSED;

#endif
