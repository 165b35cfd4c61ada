/* test_public_map.c — positions in a public report (public_map.h): snapped
 * to a named register site within 300 m, else to the 500 m grid; counts
 * under k withheld; the check refuses exact positions, small counts and
 * unknown sites. Expected values worked out in the comments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/analysis/public_map.h"
#include "constat/analysis/disclosure.h"

static json_t *incident(int64_t la, int64_t lo)
{
    return json_pack("{s:s, s:s, s:{s:s, s:I, s:I}}", "kind", "incident", "id", "x", "place",
                     "name", "free text that must not show", "lat_e7", (json_int_t)la, "lon_e7",
                     (json_int_t)lo);
}

static void test_place(void **state)
{
    constat_named_site s[2] = {{"A", 509650000, 19000000}, {"B", 509660000, 19000000}};
    int64_t la, lo;
    (void)state;

    /* 50.9653 N: 33 m from A, 78 m from B: A */
    assert_int_equal(constat_public_place(509653000, 19000000, s, 2, 300, &la, &lo), 0);
    assert_true(la == 509650000 && lo == 19000000);
    /* 50.9659 N: 100 m from A, 11 m from B: B */
    assert_int_equal(constat_public_place(509659000, 19000000, s, 2, 300, &la, &lo), 1);
    /* 50.9686 N: 398 m from A (0.0036 degree of 110540 m), 287 m from B:
     * B; without B, the grid: row floor(50.9686 / 0.0045) = 11326, centre
     * 50.96925; the row's pole-side edge 50.9715, cos = 0.629707, step
     * 0.0045 / 0.629707 = 0.00714618 degree; floor(181.9 / step) = 25454,
     * centre (25454.5) * step - 180 = 1.9024908 */
    assert_int_equal(constat_public_place(509686000, 19000000, s, 2, 300, &la, &lo), 1);
    assert_int_equal(constat_public_place(509686000, 19000000, s, 1, 300, &la, &lo), -1);
    assert_true(la == 509692500);
    assert_true(llabs(lo - 19024908) <= 1);
}

static void test_positions(void **state)
{
    json_t *pub = json_pack("{s:{s:i}}", "disclosure", "k", 5), *p, *rows, *row;
    constat_indexed_record r[13];
    constat_error err;
    size_t n = 0;
    char *dump;
    (void)state;

    /* the site: a register entry with a position */
    r[n++].record = json_pack("{s:s, s:s, s:s, s:{s:I, s:I}}", "kind", "register", "register",
                              "living_site", "name", "Dunes site", "position", "lat_e7",
                              (json_int_t)509650000, "lon_e7", (json_int_t)19000000);
    /* five incidents 0..44 m north of the site: the site, 5 */
    for (int i = 0; i < 5; i++)
        r[n++].record = incident(509650000 + i * 1000, 19000000);
    /* five at 50.9581 N 1.8503 E, far from any site: the grid cell centre
     * 50.96025 N (row 11324), edge 50.9625, step 0.0045 / cos(50.9625) =
     * 0.00714480 degree, floor(181.8503 / step) = 25452, centre 25452.5 *
     * step - 180 = 1.8529612 E */
    for (int i = 0; i < 5; i++)
        r[n++].record = incident(509581000, 18503000);
    /* one 398 m north of the site: its own grid cell, 1 < k: withheld */
    r[n++].record = incident(509686000, 19000000);
    /* one with no position: not counted */
    r[n++].record = json_pack("{s:s, s:s, s:{s:s}}", "kind", "incident", "id", "y", "place",
                              "name", "somewhere");
    for (size_t i = 0; i < n; i++)
        r[i].index = i + 1;

    assert_int_equal(constat_public_positions(r, n, 5, pub, &err), CONSTAT_OK);
    p = json_object_get(pub, "positions");
    assert_int_equal(json_integer_value(json_object_get(p, "radius_m")), 300);
    assert_int_equal(json_integer_value(json_object_get(p, "grid_m")), 500);
    assert_int_equal(json_integer_value(json_object_get(p, "suppressed")), 1);
    assert_int_equal(json_array_size(json_object_get(p, "sites")), 1);
    rows = json_object_get(p, "rows");
    assert_int_equal(json_array_size(rows), 2);
    /* grid cells (site -1) sort before sites */
    row = json_array_get(rows, 0);
    assert_true(json_is_null(json_object_get(row, "site")) || !json_object_get(row, "site"));
    assert_int_equal(json_integer_value(json_object_get(row, "lat_e7")), 509602500);
    assert_true(llabs(json_integer_value(json_object_get(row, "lon_e7")) - 18529612) <= 1);
    assert_int_equal(json_integer_value(json_object_get(row, "value")), 5);
    row = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_object_get(row, "site")), "Dunes site");
    assert_int_equal(json_integer_value(json_object_get(row, "lat_e7")), 509650000);
    assert_int_equal(json_integer_value(json_object_get(row, "value")), 5);
    /* no exact position and no free text reach the document */
    dump = json_dumps(pub, JSON_COMPACT);
    assert_null(strstr(dump, "509581000"));
    assert_null(strstr(dump, "509686000"));
    assert_null(strstr(dump, "free text"));
    free(dump);
    assert_int_equal(constat_public_positions_check(pub, NULL, NULL, &err), CONSTAT_OK);

    /* an exact position put back into the grid row */
    json_object_set_new(json_array_get(rows, 0), "lat_e7", json_integer(509581000));
    assert_int_equal(constat_public_positions_check(pub, NULL, NULL, &err), CONSTAT_EVERIFY);
    assert_string_equal(err.msg, "positions.rows[0]: not at the centre of its 500 m grid cell: "
                                 "an exact position is shown");
    json_object_set_new(json_array_get(rows, 0), "lat_e7", json_integer(509602500));
    /* a count under k */
    json_object_set_new(json_array_get(rows, 1), "value", json_integer(3));
    assert_int_equal(constat_public_positions_check(pub, NULL, NULL, &err), CONSTAT_EVERIFY);
    assert_string_equal(err.msg, "positions.rows[1]: value 3 is under the declared k 5");
    json_object_set_new(json_array_get(rows, 1), "value", json_integer(5));
    /* a site moved off its register position */
    json_object_set_new(json_array_get(rows, 1), "lat_e7", json_integer(509650001));
    assert_int_equal(constat_public_positions_check(pub, NULL, NULL, &err), CONSTAT_EVERIFY);
    assert_string_equal(err.msg, "positions.rows[1]: names a site that is not in "
                                 "positions.sites at that position");
    json_object_set_new(json_array_get(rows, 1), "lat_e7", json_integer(509650000));
    /* a radius above 300 m */
    json_object_set_new(p, "radius_m", json_integer(5000));
    assert_int_equal(constat_public_positions_check(pub, NULL, NULL, &err), CONSTAT_EVERIFY);
    json_object_set_new(p, "radius_m", json_integer(300));
    assert_int_equal(constat_public_positions_check(pub, NULL, NULL, &err), CONSTAT_OK);

    for (size_t i = 0; i < n; i++)
        json_decref(r[i].record);
    json_decref(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place),
        cmocka_unit_test(test_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
