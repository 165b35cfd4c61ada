/* basemap.c — the bundled base map's vertices (basemap.h). Copied from
 * data/basemap/calais-ne50m.json, itself printed by data/basemap/extract.R
 * from Natural Earth 1:50m (public domain); test_basemap checks that the two
 * agree. */
#include "analysis/basemap.h"

static const report_basemap_pt land[] = {
    {1.579492, 50.739258}, {1.609570, 50.819482}, {1.672266, 50.885010},
    {1.767676, 50.935693}, {1.912500, 50.990625}, {2.445703, 51.066504},
    {2.524902, 51.097119}, {2.536035, 51.049512}, {2.574805, 50.988574},
    {2.601465, 50.955273}, {2.579297, 50.911768}, {2.596777, 50.875928},
    {2.669141, 50.811426}, {2.759375, 50.750635},
};

const report_basemap_pt *report_basemap_land(size_t *n)
{
    *n = sizeof land / sizeof *land;
    return land;
}
