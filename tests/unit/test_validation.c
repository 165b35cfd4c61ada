/* test_validation.c — our figures beside published ones (validation.h), on
 * three hand-made incidents and five published rows whose outcome is worked
 * out in the comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/analysis/validation.h"

static json_t *inc(const char *start, const char *commune, const char *name,
                   const char *country, const char *cat, int persons)
{
    json_t *r = json_pack("{s:s, s:{s:s}, s:{s:s, s:s}, s:[s], s:{s:i}}", "kind", "incident",
                          "occurred", "start", start, "place", "name", name, "country", country,
                          "categories", cat, "affected", "count", persons);
    if (commune)
        json_object_set_new(json_object_get(r, "place"), "commune", json_string(commune));
    return r;
}

static void test_table(void **state)
{
    static const char csv[] =
        "source,period,place,indicator,value,unit\n"
        /* covered: two evictions in Calais in 2020 -> 2 of 100, 2.0 % */
        "HRO,2020,Calais,evictions observed,100,evictions\n"
        /* covered: the Croatian pushback of 12 persons -> 12 of 200, 6.0 % */
        "BVMN,2019-01 to 2019-08,Croatia,people pushed back at the border,200,persons\n"
        /* not covered: no incident in Calais in 2021 */
        "HRO,2021,Calais,evictions observed,50,evictions\n"
        /* not a period we read */
        "HRO,2022-02 to page snapshot,Calais,living sites evicted recorded,3383,site-evictions\n"
        /* a share, not a count */
        "HRO,2020,Calais,share of evictions without shelter,98,percent\n";
    constat_indexed_record recs[3];
    constat_buf out;
    constat_error err;
    char *s;
    (void)state;

    recs[0].index = 1;
    recs[0].record = inc("2020-03-01T07:00:00+01:00", "Calais", "Rue des Verrotières", "France",
                         "eviction", 30);
    recs[1].index = 2;
    recs[1].record = inc("2020-05-02T07:00:00+02:00", NULL, "Jungle, Calais", "France",
                         "eviction", 10);
    recs[2].index = 3;
    recs[2].record = inc("2019-02-03T22:00:00+01:00", NULL, "Near Bihac", "Croatia", "pushback",
                         12);
    constat_buf_init(&out);
    assert_int_equal(constat_validation_html(csv, sizeof csv - 1, "pub.csv", recs, 3, &out, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_buf_append(&out, "", 1), CONSTAT_OK);
    s = (char *)out.data;
    assert_non_null(strstr(s, "<section id=\"validation\">"));
    assert_non_null(strstr(s, "<tr><td>2020</td><td>Calais</td><td>evictions observed "
                              "<code>eviction</code></td><td class=\"n\">100 evictions</td><td "
                              "class=\"n\">2</td><td class=\"n\">2.0 %</td></tr>"));
    assert_non_null(strstr(s, "<tr><td>2019-01 to 2019-08</td><td>Croatia</td><td>people pushed "
                              "back at the border <code>pushback</code></td><td class=\"n\">200 "
                              "persons</td><td class=\"n\">12</td><td class=\"n\">6.0 %</td>"));
    assert_null(strstr(s, "<tr><td>2021</td>"));
    assert_null(strstr(s, "page snapshot"));
    assert_null(strstr(s, "percent"));
    constat_buf_free(&out);

    /* nothing covered: nothing written */
    constat_buf_init(&out);
    assert_int_equal(constat_validation_html(csv, sizeof csv - 1, "pub.csv", recs + 2, 0, &out,
                                             &err), CONSTAT_OK);
    assert_int_equal(out.len, 0);
    /* a file of other columns */
    assert_int_equal(constat_validation_html("a,b\n1,2\n", 8, "bad.csv", recs, 3, &out, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "bad.csv: line 1: expected 6 columns"));
    constat_buf_free(&out);
    for (int i = 0; i < 3; i++)
        json_decref(recs[i].record);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_table)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
