/*
 * public_map.h — the positions a public report shows (docs/indicators.md
 * "Public reports: disclosure control", "Positions"): every incident's
 * position snapped to a named site of the registers when one is within
 * CONSTAT_PUBLIC_SITE_RADIUS_M metres, else to the centre of its cell of the
 * 500 m grid (constat_disclosure_snap); positions counted, and counts under
 * k withheld whole (neither their count nor their position is shown).
 *
 * In a public figures document (disclosure.h) the member is:
 *   "positions": {"radius_m": 300, "grid_m": 500,
 *                 "sites": [{"name", "lat_e7", "lon_e7"}, ...],  by name
 *                 "rows": [{"site": NAME | null, "lat_e7", "lon_e7",
 *                           "value": N}, ...],  by site, then position
 *                 "suppressed": M}   rows withheld (under k)
 * "sites" are the register entries (kind "register" with a position) the
 * positions were snapped to or could have been; a row with a site has the
 * site's position; a row with null is a grid cell's centre. Positions are
 * in units of 10^-7 degree (WGS 84), as in records.
 */
#ifndef CONSTAT_PUBLIC_MAP_H
#define CONSTAT_PUBLIC_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/analysis/report.h"
#include "constat/analysis/disclosure.h" /* CONSTAT_PUBLIC_SITE_RADIUS_M */

/* A named site: `name` borrowed, position in 10^-7 degree. */
typedef struct {
    const char *name;
    int64_t lat_e7, lon_e7;
} constat_named_site;

/* Snap the position (lat_e7, lon_e7) for publication: the nearest of the n
 * `sites` within `radius_m` metres (equirectangular distance; a tie goes to
 * the earlier site), whose index is returned and whose position is put in
 * *slat and *slon; or, when none is that near, -1 and the centre of the
 * position's 500 m grid cell (constat_disclosure_snap) rounded to 10^-7
 * degree. sites may be NULL when n is 0. */
long constat_public_place(int64_t lat_e7, int64_t lon_e7, const constat_named_site *sites,
                          size_t n, double radius_m, int64_t *slat, int64_t *slon);

/* Add the "positions" member (above) to `pub`, a public figures document
 * from constat_disclosure_apply, from the n records `recs` (the same ones
 * the figures were computed from: incidents with place.lat_e7/lon_e7 are
 * counted, register entries with a position are the sites; other records
 * are ignored), with threshold `k` (2..1000). Deterministic.
 * Errors: CONSTAT_EINVAL (k out of range, pub not an object), CONSTAT_ENOMEM. */
constat_status constat_public_positions(const constat_indexed_record *recs, size_t n, int k,
                                        json_t *pub, constat_error *err) CONSTAT_WARN_UNUSED;

/* Failure callback of constat_public_positions_check: msg names the row. */
typedef void (*constat_public_positions_fail_fn)(void *ctx, const char *msg);

/* Check the "positions" member of `pub` (hostile input) against the k it
 * declares (disclosure.k, checked by constat_disclosure_check): absent is
 * accepted (a public report made before positions were published); else
 * radius_m an integer 0..CONSTAT_PUBLIC_SITE_RADIUS_M, grid_m at least 500,
 * every site a name and a position, every row's value an integer >= k,
 * a row naming a site at exactly that site's position, a row naming none at
 * the centre of its own 500 m cell (so no exact position is shown). Calls
 * fail(ctx, msg) per violation (fail may be NULL) and returns
 * CONSTAT_EVERIFY (err: the first) if any. That the sites are register
 * entries of the log cannot be checked without the leaves.
 * Errors: CONSTAT_EVERIFY, CONSTAT_ENOMEM. */
constat_status constat_public_positions_check(const json_t *pub,
                                              constat_public_positions_fail_fn fail, void *ctx,
                                              constat_error *err) CONSTAT_WARN_UNUSED;

#endif
