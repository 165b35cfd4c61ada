/*
 * basemap.h — private to src/lib/analysis: the simplified base map bundled
 * for the report's SVG map (data/basemap/PROVENANCE.md): the land of France
 * around Calais from Natural Earth 1:50m (public domain), compiled in so
 * that a verifier renders the same map without reading any file.
 */
#ifndef CONSTAT_BASEMAP_H
#define CONSTAT_BASEMAP_H

#include <stddef.h>

/* One vertex, degrees WGS 84. */
typedef struct {
    double lon, lat;
} report_basemap_pt;

/* The land ring (closed: the last vertex is not repeated), in ring order;
 * *n gets the number of vertices. The same vertices as
 * data/basemap/calais-ne50m.json. */
const report_basemap_pt *report_basemap_land(size_t *n);

/* The credit shown under the map (plain ASCII text, no markup). */
#define REPORT_BASEMAP_CREDIT                                                                 \
    "Natural Earth 1:50m (public domain), land of France; simplified: the coast may be a few " \
    "km off"

#endif
