/*
 * location.h — private to the vault layer: location for publication
 * (docs/record.md "Location precision"), applied by intake.c before the
 * private fields are committed to.
 */
#ifndef CONSTAT_LOCATION_H
#define CONSTAT_LOCATION_H

#include <jansson.h>
#include "constat/base/errors.h"

/* The private field that keeps the exact position. */
#define CONSTAT_PLACE_EXACT_FIELD "place_exact"
/* The private field that keeps the exact transport.release_place. */
#define CONSTAT_RELEASE_PLACE_EXACT_FIELD "release_place_exact"
/* The coarse grid: 0.01 degree (10^5 in degrees x 10^7), about 1.1 km of
 * latitude. */
#define CONSTAT_COARSE_GRID_E7 100000
/* Added to place.precision_m by the rounding: half a grid cell's diagonal
 * at the equator is 786 m; 1000 m covers it everywhere. */
#define CONSTAT_COARSE_PRECISION_M 1000
#define CONSTAT_JSON_SAFE_MAX 9007199254740991LL

/* If the input record `rec` (changed in place) holds "location_precision":
 * "exact", the member is removed; "coarse": place.lat_e7/lon_e7/precision_m
 * are copied into private.place_exact, then place.lat_e7 and lon_e7 rounded
 * to the nearest multiple of CONSTAT_COARSE_GRID_E7 and precision_m raised
 * by CONSTAT_COARSE_PRECISION_M; transport.release_place.lat_e7/lon_e7,
 * when given, copied into private.release_place_exact and rounded the same
 * way; and the member removed. No member: no change.
 * Errors: CONSTAT_EINVAL (another value; coarse without both coordinates;
 * private.place_exact or release_place_exact given by hand), CONSTAT_ENOMEM. */
constat_status constat_location_apply(json_t *rec, constat_error *err);

/* The private field that keeps an evidence file's exact capture position. */
#define CONSTAT_CAPTURE_EXACT_FIELD "capture_exact"

/* An evidence input `ev` (changed in place) for an incident recorded with
 * "location_precision": "coarse": when capture.lat_e7/lon_e7 are given (the
 * GPS position the camera wrote, docs/evidence.md), they and capture.alt_cm
 * are copied into private.capture_exact, capture.lat_e7 and lon_e7 rounded
 * to the nearest multiple of CONSTAT_COARSE_GRID_E7 and alt_cm removed, so
 * the leaf does not give away the spot the incident's own leaf keeps
 * private (docs/record.md "Location precision"). No position: no change.
 * Errors: CONSTAT_EINVAL (private is not an object; private.capture_exact
 * given by hand), CONSTAT_ENOMEM. */
constat_status constat_location_coarsen_capture(json_t *ev, constat_error *err);

#endif
