/* test_sim_fit.c — the yearly rates a synthetic vault is drawn with
 * (src/lib/vault/sim_fit.h), and the living-site rule of a public dossier
 * (src/lib/dossier/public_dossier.h), on hand-made inputs whose expected
 * values are worked out in the comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vault/sim_fit.h"
#include "dossier/public_dossier.h"

static char *write_csv(const char *text)
{
    char *dir = tu_tmpdir(), *path = malloc(4200);
    FILE *f;
    snprintf(path, 4200, "%s/p.csv", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(dir);
    return path;
}

static void test_years(void **state)
{
    /* counted: 2020 Calais 900 and 1000 (the largest, 1000), 2022 Calais
     * 400. Not counted: a month (2021-04), another place, a unit other than
     * evictions, an indicator not about evictions, a year outside 2018..2024,
     * a value that is not a number. The five other years: (1000 + 400) / 2
     * = 700. */
    char *p = write_csv("source,period,place,indicator,value,unit\n"
                        "\"A, quoted\",2020,Calais,evictions recorded,900,evictions\n"
                        "B,2020,Calais,evictions of living sites,1000,evictions\n"
                        "C,2022,Calais,evictions observed,400,evictions\n"
                        "D,2021-04,Calais,evictions recorded,5000,evictions\n"
                        "E,2021,Grande-Synthe,evictions recorded,5000,evictions\n"
                        "F,2021,Calais,average evictions per month,102,evictions/month\n"
                        "G,2021,Calais,people arrested,5000,evictions\n"
                        "H,2017,Calais,evictions recorded,5000,evictions\n"
                        "I,2023,Calais,evictions recorded,many,evictions\n");
    double w[SIM_FIT_YEARS];
    const double want[SIM_FIT_YEARS] = {700, 700, 1000, 700, 400, 700, 700};
    int nfit = -1;
    constat_error err;
    (void)state;

    assert_int_equal(sim_fit_years(p, w, &nfit, &err), CONSTAT_OK);
    assert_int_equal(nfit, 2);
    for (int i = 0; i < SIM_FIT_YEARS; i++)
        assert_true(w[i] == want[i]);
    free(p);

    /* no row that counts: every year alike */
    p = write_csv("source,period,place,indicator,value,unit\nA,2020,Paris,evictions,9,evictions\n");
    assert_int_equal(sim_fit_years(p, w, &nfit, &err), CONSTAT_OK);
    assert_int_equal(nfit, 0);
    for (int i = 0; i < SIM_FIT_YEARS; i++)
        assert_true(w[i] == 1);
    free(p);

    /* not six columns: refused, naming the line */
    p = write_csv("source,period,place,indicator,value,unit\nA,2020,Calais\n");
    assert_int_equal(sim_fit_years(p, w, &nfit, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "line 2: 3 fields, not 6"));
    free(p);
    assert_int_equal(sim_fit_years("/nonexistent/p.csv", w, &nfit, &err), CONSTAT_EIO);
}

static json_t *site(const char *reg, const char *name, int64_t la, int64_t lo)
{
    return json_pack("{s:s, s:s, s:s, s:{s:I, s:I}}", "kind", "register", "register", reg,
                     "name", name, "position", "lat_e7", (json_int_t)la, "lon_e7",
                     (json_int_t)lo);
}

static json_t *placed(const char *kind, const char *member, int64_t la, int64_t lo)
{
    return json_pack("{s:s, s:{s:I, s:I}}", "kind", kind, member, "lat_e7", (json_int_t)la,
                     "lon_e7", (json_int_t)lo);
}

static void test_exact_leaf(void **state)
{
    /* a living site at 50.96 N 1.85 E and a police station (a "place") at
     * 50.93 N 1.81 E */
    constat_indexed_record r[6] = {
        {1, site("living_site", "Dunes", 509600000, 18500000)},
        {2, site("place", "Station", 509300000, 18100000)},
        /* coarse (on the 0.01 degree grid) at the site itself: allowed */
        {3, placed("incident", "place", 509600000, 18500000)},
        /* exact, 33 m from the station only (not a living site): allowed */
        {4, placed("incident", "place", 509303000, 18100000)},
        /* exact, 0.0040 degree = 442 m north of the living site: allowed */
        {5, placed("incident", "place", 509640000, 18500000)},
        /* an evidence record's capture, exact, 0.0020 degree = 221 m north of
         * the living site: the one */
        {6, placed("evidence", "capture", 509620000, 18500000)},
    };
    const char *name = NULL;
    (void)state;

    assert_int_equal(dossier_public_exact_leaf(r, 5, &name), -1);
    assert_null(name);
    assert_int_equal(dossier_public_exact_leaf(r, 6, &name), 5);
    assert_string_equal(name, "Dunes");
    /* no living site: nothing is near one */
    assert_int_equal(dossier_public_exact_leaf(r + 1, 5, &name), -1);
    {
        /* an incident with a coarse place but an exact release place
         * 0.0010 degree = 111 m north of the living site; the same of a
         * publication (published already): allowed */
        constat_indexed_record q[3] = {
            {1, site("living_site", "Dunes", 509600000, 18500000)},
            {2, placed("incident", "place", 509600000, 18500000)},
            {3, placed("incident", "place", 509600000, 18500000)},
        };
        json_object_set_new(q[1].record, "transport",
                            json_pack("{s:{s:I, s:I}}", "release_place", "lat_e7",
                                      (json_int_t)509610000, "lon_e7", (json_int_t)18500000));
        json_object_set(q[2].record, "transport", json_object_get(q[1].record, "transport"));
        json_object_set_new(q[2].record, "source", json_pack("{s:s}", "type", "publication"));
        assert_int_equal(dossier_public_exact_leaf(q, 3, &name), 1);
        assert_string_equal(name, "Dunes");
        json_object_del(q[1].record, "transport");
        assert_int_equal(dossier_public_exact_leaf(q, 3, &name), -1);
        for (size_t i = 0; i < 3; i++)
            json_decref(q[i].record);
    }
    for (size_t i = 0; i < 6; i++)
        json_decref(r[i].record);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_years),
        cmocka_unit_test(test_exact_leaf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
