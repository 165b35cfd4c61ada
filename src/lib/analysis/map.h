/*
 * map.h — private to src/lib/analysis: the SVG map of the report (map.c):
 * incidents by place, each a circle sized by its count, over a graticule.
 */
#ifndef CONSTAT_ANALYSIS_MAP_H
#define CONSTAT_ANALYSIS_MAP_H

#include <stddef.h>
#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* The i-th record (0 <= i < n) of the caller's list. */
typedef const json_t *(*report_map_get_fn)(void *ctx, size_t i);

/* Append a <section id="map"> to `b`: the incidents among get(ctx, 0..n) that
 * state place.lat_e7 and place.lon_e7, grouped by place (place.site, else
 * place.name, else the position), one circle a place at its first stated
 * position, of area proportional to its count, the ten largest labelled,
 * over lines of latitude and longitude, equirectangular with the scale of
 * the middle latitude. The area drawn is the Calais area (50.85..51.05 N,
 * 1.70..2.00 E) when most placed incidents are in it, else the box of all
 * of them; in that second case, when some placed incidents are in the
 * Calais area, a second section (id "map-calais") follows: the Calais area
 * over the base map, circles sized on the main map's scale. Nothing is
 * written when no incident states a position.
 * Deterministic (no clock, no locale: numbers printed in the C locale the
 * library runs in). Text is escaped for HTML.
 * Errors: CONSTAT_ENOMEM. */
constat_status report_map_html(constat_buf *b, report_map_get_fn get, void *ctx, size_t n,
                               constat_error *err) CONSTAT_WARN_UNUSED;

#endif
