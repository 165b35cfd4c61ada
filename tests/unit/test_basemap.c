/* test_basemap.c — the bundled base map (analysis/basemap.h,
 * data/basemap/PROVENANCE.md): the compiled vertices are the data file's,
 * and the report's map draws them, projected as worked out below, only over
 * the Calais area, with the credit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "analysis/basemap.h"
#include "analysis/map.h"

static void test_vertices_are_the_data_file(void **state)
{
    json_error_t je;
    json_t *doc = json_load_file(CONSTAT_SOURCE_DIR "/data/basemap/calais-ne50m.json",
                                 JSON_REJECT_DUPLICATES, &je);
    const json_t *ring;
    const report_basemap_pt *l;
    size_t n;
    (void)state;

    assert_non_null(doc);
    ring = json_array_get(json_object_get(json_object_get(doc, "geometry"), "coordinates"), 0);
    l = report_basemap_land(&n);
    assert_int_equal(n, 14);
    /* GeoJSON closes the ring by repeating the first vertex */
    assert_int_equal(json_array_size(ring), n + 1);
    for (size_t i = 0; i <= n; i++) {
        const json_t *p = json_array_get(ring, i);
        assert_true(fabs(json_real_value(json_array_get(p, 0)) - l[i % n].lon) < 1e-9);
        assert_true(fabs(json_real_value(json_array_get(p, 1)) - l[i % n].lat) < 1e-9);
    }
    json_decref(doc);
}

static json_t *recs[3];

static const json_t *get(void *ctx, size_t i)
{
    (void)ctx;
    return recs[i];
}

static char *render(size_t n)
{
    constat_buf b;
    constat_error err;
    char *s;
    constat_buf_init(&b);
    assert_int_equal(report_map_html(&b, get, NULL, n, &err), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&b, "", 1), CONSTAT_OK);
    s = strdup((const char *)b.data);
    constat_buf_free(&b);
    return s;
}

static void test_map_draws_land_over_calais(void **state)
{
    char *s;
    (void)state;

    /* two places in Calais: the view is the Calais area, 50.85..51.05 N,
     * 1.70..2.00 E, in a 720 x 480 box with 36 of padding. Worked out:
     * cos(50.95 deg) = 0.629998; 648 / (0.3 * 0.629998) = 3428.6 and
     * 408 / 0.2 = 2040, so 2040 px a degree of latitude and 2040 * 0.629998
     * = 1285.2 a degree of longitude. The vertex (1.9125 E, 50.990625 N):
     * x = 36 + 0.2125 * 1285.2 = 309.1, y = 480 - 36 - 0.140625 * 2040 =
     * 157.1; the vertex (1.767676 E, 50.935693 N): x = 36 + 0.067676 *
     * 1285.2 = 123.0, y = 444 - 0.085693 * 2040 = 269.2. */
    recs[0] = json_pack("{s:{s:s,s:I,s:I}}", "place", "name", "Gare de Calais", "lat_e7",
                        (json_int_t)509540000, "lon_e7", (json_int_t)18600000);
    recs[1] = json_pack("{s:{s:s,s:I,s:I}}", "place", "name", "Dunes", "lat_e7",
                        (json_int_t)509650000, "lon_e7", (json_int_t)19000000);
    s = render(2);
    assert_non_null(strstr(s, "<polygon fill=\"#ebe6d6\""));
    assert_non_null(strstr(s, " 123.0,269.2 309.1,157.1 "));
    assert_non_null(strstr(s, "Base map: land (beige) from Natural Earth 1:50m (public domain)"));
    assert_non_null(strstr(s, "Natural Earth au 1:50 000 000 (domaine public)"));
    /* the graticule every 0.05 degree (the span, 0.3 degree, computed as
     * 0.30000000000000004, once fell to the 0.5 step: one line only) */
    assert_non_null(strstr(s, ">50.90 N</text>"));
    assert_non_null(strstr(s, ">1.85 E</text>"));
    /* the land is drawn before the circles, so they stay on top */
    assert_true(strstr(s, "<polygon") < strstr(s, "<circle"));
    free(s);
    json_decref(recs[0]);
    json_decref(recs[1]);

    /* a place in Paris only: no base map there, and the caption says so */
    recs[0] = json_pack("{s:{s:s,s:I,s:I}}", "place", "name", "Paris", "lat_e7",
                        (json_int_t)488566000, "lon_e7", (json_int_t)23522000);
    s = render(1);
    assert_null(strstr(s, "<polygon"));
    assert_non_null(strstr(s, "Outside the Calais area no base map is bundled"));
    free(s);
    json_decref(recs[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vertices_are_the_data_file),
        cmocka_unit_test(test_map_draws_land_over_calais),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
