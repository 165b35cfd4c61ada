/*
 * disclosure.h — disclosure control for public reports (docs/indicators.md
 * "Public reports: disclosure control"): figures fit to publish without
 * exposing anyone, and the check that a public report obeys the k it
 * declares.
 *
 * A public figures document has the shape of figures.json (report.h) with:
 *   "disclosure": {"k": K, "grid_m": 500, "rules": [...],
 *                  "merged_dimensions": [...], "identifying_dimensions": [...]}
 * and in each figure:
 *   "rows":       the rows shown, each with "leaves": [] (a public report
 *                 names no leaf: the incident list would give every cell);
 *   "suppressed": [{"key": [...], "rule": "primary" | "secondary"}, ...]
 *                 the cells withheld, in key order;
 *   "withheld":   N, rows withheld whole because a dimension identifies one
 *                 person or record (their keys are not shown).
 * Every function here is deterministic: the same input gives the same bytes.
 */
#ifndef CONSTAT_DISCLOSURE_H
#define CONSTAT_DISCLOSURE_H

#include <jansson.h>
#include "constat/base/errors.h"

/* The default k of `constat report --public`. */
#define CONSTAT_DISCLOSURE_K_DEFAULT 5
/* The range of k accepted. */
#define CONSTAT_DISCLOSURE_K_MIN 2
#define CONSTAT_DISCLOSURE_K_MAX 1000
/* Side of the grid exact positions are snapped to, in metres (at least). */
#define CONSTAT_DISCLOSURE_GRID_M 500
/* A position within this many metres of a named register site is shown as
 * the site (public_map.h). */
#define CONSTAT_PUBLIC_SITE_RADIUS_M 300

/* Apply disclosure control with threshold `k` to `figures` (a figures.json
 * document, from constat_figures_compute; not changed):
 *   1. identifying: a figure with a dimension that names one person, record
 *      or file ("person", "record", "evidence") shows no row;
 *   2. merge: along a dimension of small groups ("minors", "nationality",
 *      "legal_status"), rows under k are merged into one row whose key
 *      element is "merged_small_groups" (value: the sum, leaves: the union);
 *   3. primary: a row counting 1 to k - 1 (units incidents, persons,
 *      records, mentions, files), or resting on 1 to k - 1 leaves (any
 *      unit), is suppressed;
 *   4. secondary: for every figure and every proper subset S of its
 *      dimensions, among the rows agreeing on S, one suppressed cell alone
 *      is never left: the smallest other non-zero shown cell is suppressed
 *      too; when there is none, the row of a figure of the same unit over
 *      exactly S (its marginal, e.g. incidents_by_month for
 *      incidents_by_month_category, incidents_total for a one-dimension
 *      figure) is suppressed instead; repeated until nothing changes.
 * *out gets a new public figures document (caller json_decref's it).
 * Errors: CONSTAT_EINVAL (k out of range, figures not of the figures.json
 * shape), CONSTAT_ENOMEM. */
constat_status constat_disclosure_apply(const json_t *figures, int k, json_t **out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Failure callback of constat_disclosure_check: `msg` names the figure and
 * the row key. */
typedef void (*constat_disclosure_fail_fn)(void *ctx, const char *msg);

/* Check that `pub` (a public figures document, hostile input) obeys the k it
 * declares: disclosure.k in range; no row lists a leaf; no row of a figure
 * with an identifying dimension; no shown count of 1 to k - 1; no group (as
 * in rule 4) with exactly one suppressed cell while another non-zero cell
 * or its marginal row is shown. Calls fail(ctx, msg) for each violation
 * (fail may be NULL) and returns CONSTAT_EVERIFY (err: the first) if any,
 * CONSTAT_OK if none. Rows resting on fewer than k leaves cannot be checked
 * without the leaves (docs/indicators.md says so).
 * Errors: CONSTAT_EVERIFY, CONSTAT_EINVAL (not a public figures document:
 * no disclosure member, or not of the figures.json shape), CONSTAT_ENOMEM. */
constat_status constat_disclosure_check(const json_t *pub, constat_disclosure_fail_fn fail,
                                        void *ctx, constat_error *err) CONSTAT_WARN_UNUSED;

/* Snap a position (degrees, WGS 84) to the centre of its cell of a grid of
 * at least CONSTAT_DISCLOSURE_GRID_M metres a side: rows of 0.0045 degrees
 * of latitude (500.4 m), each row cut into cells of 0.0045 / cos(latitude
 * of the row's pole-side edge) degrees of longitude, so no cell is narrower
 * than 500 m. Positions within 0.5 degree of a pole snap to the pole. */
void constat_disclosure_snap(double lat, double lon, double *slat, double *slon);

#endif
