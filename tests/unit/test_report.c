/* test_report.c — figures, indicators, the figures check and the report
 * files, on a small hand-built set of records whose figures are worked out
 * by hand in the comments below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"
#include "constat/analysis/report.h"
#include "constat/base/text.h"
#include "constat/dossier/format.h"
#include "analysis/svg.h"

#define P1 "p:1111111111111111111111111111111111111111111111111111111111111111"
#define P2 "p:2222222222222222222222222222222222222222222222222222222222222222"

#define J tu_json

/* An incident with the common fields; `extra` members are merged in. */
static json_t *incident(const char *id, const char *start, const char *end,
                        const char *precision, const char *recorded, const char *cats,
                        const char *extra)
{
    json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:o,s:{s:s}}", "v", 1,
                          "kind", "incident", "id", id, "org", "Test Org", "monitor", "m1",
                          "recorded_at", recorded, "occurred", "start", start, "end", end,
                          "precision", precision, "categories", J(cats), "source", "type",
                          "direct_observation");
    assert_non_null(r);
    if (extra) {
        json_t *x = J(extra);
        assert_int_equal(json_object_update(r, x), 0);
        json_decref(x);
    }
    return r;
}

#define NRECS 12
static constat_indexed_record recs[NRECS];
static constat_taxonomy *tax;

/*
 * Leaves (0 and 11 are not incidents and must be ignored):
 *  1  2019-01-01T00:30+02:00 (local month 2019-01, UTC 2018-12-31) arrest+identity_check,
 *     P1, count 3, minors yes, Calais/France, CRS+PAF, recorded 1 h after the end (<1 d)
 *  2  2019-01-04T00:30+02:00 (3 days after 1) detention+transport_to_station, P1, count 2,
 *     asylum_seeker 2, Calais, PAF, recorded ~2 days after the end (1-7 d)
 *  3  2019-01-10T08:00+01:00 identity_check, P2, no count, Grande-Synthe, recorded 15 d later
 *  5  2019-01-20T08:00+01:00 (10 days after 3) arrest, P2, recorded 40 d later (30-365 d)
 *  6  2018-07-11T08:00+02:00 eviction+property_seizure, tents 12 + tents 3 seized, blankets
 *     seized (no count), count 40, minors no, publication, recorded 2026 (> 1 year)
 *  7  2018-07-20T23:15+02:00 minute, living_site_visit at site "Site A" (no country),
 *     recorded before the end (before_end) -> night visit
 *  8  2018-07-21T00:00+02:00 day precision living_site_visit, site "Site A": NOT night
 *  9  2018-07-22 day precision night_visit+tear_gas, Loon-Plage, testimony -> night, chemical
 * 10  2018-08-05T14:00+02:00 physical_violence+intervention_near_aid+pushback, phones
 *     destroyed 2, count 5, place "<b>Evil</b>", Croatia, hostile summary, testimony
 */
static int setup(void **state)
{
    constat_error e;
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    if (constat_taxonomy_load(CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json", &tax, &e))
        fail_msg("taxonomy: %s", e.msg);
    recs[0].index = 0;
    recs[0].record = J("{'v':1,'kind':'monitor_enrolment','id':'enrol:m1','org':'Test Org',"
                       "'monitor':'m1','vkey':'x','enrolled_at':'2018-01-01T00:00:00Z',"
                       "'recorded_at':'2018-01-01T00:00:00Z'}");
    recs[1].index = 1;
    recs[1].record = incident(
        "a", "2019-01-01T00:30:00+02:00", "2019-01-01T01:00:00+02:00", "minute",
        "2019-01-01T02:00:00+02:00", "['arrest','identity_check']",
        "{'place':{'name':'Calais','country':'France'},'authority':{'forces':['CRS','PAF']},"
        "'affected':{'count':3,'minors':'yes','persons':['" P1 "']}}");
    recs[2].index = 2;
    recs[2].record = incident(
        "b", "2019-01-04T00:30:00+02:00", "2019-01-04T01:30:00+02:00", "minute",
        "2019-01-06T00:30:00+02:00", "['detention','transport_to_station']",
        "{'place':{'name':'Calais','country':'France'},'authority':{'forces':['PAF']},"
        "'affected':{'count':2,'legal_status':{'asylum_seeker':2},'persons':['" P1 "','" P1
        "']}}");
    recs[3].index = 3;
    recs[3].record = incident(
        "c", "2019-01-10T08:00:00+01:00", "2019-01-10T09:00:00+01:00", "hour",
        "2019-01-25T09:00:00+01:00", "['identity_check']",
        "{'place':{'name':'Grande-Synthe','country':'France'},'affected':{'persons':['" P2
        "']}}");
    recs[4].index = 5;
    recs[4].record = incident(
        "d", "2019-01-20T08:00:00+01:00", "2019-01-20T09:00:00+01:00", "hour",
        "2019-03-01T09:00:00+01:00", "['arrest']",
        "{'place':{'name':'Grande-Synthe','country':'France'},'affected':{'persons':['" P2
        "']}}");
    recs[5].index = 6;
    recs[5].record = incident(
        "e", "2018-07-11T08:00:00+02:00", "2018-07-11T10:00:00+02:00", "minute",
        "2026-11-01T10:00:00Z", "['eviction','property_seizure']",
        "{'place':{'name':'Calais','country':'France'},'affected':{'count':40,'minors':'no'},"
        "'items':[{'kind':'tents','action':'seized','count':12},"
        "{'kind':'blankets','action':'seized','count':null},"
        "{'kind':'tents','action':'seized','count':3}],"
        "'source':{'type':'publication','reference':'https://example.org/x'}}");
    recs[6].index = 7;
    recs[6].record = incident("f", "2018-07-20T23:15:00+02:00", "2018-07-20T23:45:00+02:00",
                              "minute", "2018-07-20T23:30:00+02:00", "['living_site_visit']",
                              "{'place':{'site':'Site A'}}");
    recs[7].index = 8;
    recs[7].record = incident("g", "2018-07-21T00:00:00+02:00", "2018-07-22T00:00:00+02:00",
                              "day", "2026-11-01T10:00:00Z", "['living_site_visit']",
                              "{'place':{'site':'Site A'}}");
    recs[8].index = 9;
    recs[8].record = incident(
        "h", "2018-07-22T00:00:00+02:00", "2018-07-23T00:00:00+02:00", "day",
        "2026-11-01T10:00:00Z", "['night_visit','tear_gas']",
        "{'place':{'name':'Loon-Plage','country':'France'},'source':{'type':'testimony'},"
        "'summary':'=HYPERLINK(1)'}");
    recs[9].index = 10;
    recs[9].record = incident(
        "i", "2018-08-05T14:00:00+02:00", "2018-08-05T15:00:00+02:00", "minute",
        "2026-11-01T10:00:00Z", "['intervention_near_aid','physical_violence','pushback']",
        "{'place':{'name':'<b>Evil</b>','country':'Croatia'},"
        "'authority':{'forces':['Croatian police']},'affected':{'count':5},"
        "'items':[{'kind':'phones','action':'destroyed','count':2}],"
        "'source':{'type':'testimony'},"
        "'summary':'<script>alert(1)</script> & \\u0022quoted\\u0022 caf\\u00e9'}");
    recs[10].index = 11;
    recs[10].record = J("{'v':1,'kind':'shift','id':'s1','org':'Test Org','monitor':'m1',"
                        "'recorded_at':'2018-07-01T00:00:00Z','start':'2018-07-01T08:00:00Z',"
                        "'end':'2018-07-01T12:00:00Z','area':{'name':'Calais'}}");
    /* index 4 is deliberately absent: leaves need not be contiguous */
    recs[11].index = 12;
    recs[11].record = J("{'v':1,'kind':'shift','id':'s2','org':'Test Org','monitor':'m1',"
                        "'recorded_at':'2018-07-01T00:00:00Z','start':'2018-07-01T08:00:00Z',"
                        "'end':'2018-07-01T12:00:00Z','area':{'name':'Calais'}}");
    return 0;
}

static int teardown(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < NRECS; i++)
        json_decref(recs[i].record);
    constat_taxonomy_free(tax);
    return 0;
}

static json_t *compute(void)
{
    json_t *f = NULL;
    constat_error e;
    if (constat_figures_compute(recs, NRECS, tax, &f, &e) != CONSTAT_OK)
        fail_msg("compute: %s", e.msg);
    return f;
}

static const json_t *fig(const json_t *figs, const char *id)
{
    const json_t *a = json_object_get(figs, "figures");
    size_t i;
    for (i = 0; i < json_array_size(a); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "id")), id) == 0)
            return json_array_get(a, i);
    fail_msg("no figure %s", id);
    return NULL;
}

/* Assert that figure `id` has exactly the rows in `rows_json`
 * ([[key, value, [leaves]], ...], with ' for "). */
static void expect_rows(const json_t *figs, const char *id, const char *rows_json)
{
    const json_t *rows = json_object_get(fig(figs, id), "rows");
    json_t *want = J(rows_json);
    size_t i;
    if (json_array_size(rows) != json_array_size(want)) {
        char *got = json_dumps(rows, JSON_COMPACT);
        fail_msg("%s: %zu rows, want %zu: %s", id, json_array_size(rows), json_array_size(want),
                 got);
    }
    for (i = 0; i < json_array_size(want); i++) {
        const json_t *w = json_array_get(want, i), *r = json_array_get(rows, i);
        json_t *exp = json_pack("{s:O,s:O,s:O}", "key", json_array_get(w, 0), "value",
                                json_array_get(w, 1), "leaves", json_array_get(w, 2));
        if (!json_equal(exp, (json_t *)r)) {
            char *a = json_dumps(exp, JSON_COMPACT | JSON_SORT_KEYS);
            char *b = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
            fail_msg("%s row %zu: want %s got %s", id, i, a, b);
        }
        json_decref(exp);
    }
    json_decref(want);
}

static void test_figures_values(void **state)
{
    json_t *f = compute();
    (void)state;

    assert_int_equal(json_integer_value(json_object_get(f, "v")), 3);
    expect_rows(f, "incidents_total", "[[[],9,[1,2,3,5,6,7,8,9,10]]]");
    /* leaf 1 is 2018-12-31 in UTC but 2019-01 in its own offset */
    expect_rows(f, "incidents_by_month",
                "[[['2018-07'],4,[6,7,8,9]],[['2018-08'],1,[10]],[['2019-01'],4,[1,2,3,5]]]");
    expect_rows(f, "incidents_by_month_category",
                "[[['2018-07','eviction'],1,[6]],[['2018-07','living_site_visit'],2,[7,8]],"
                "[['2018-07','night_visit'],1,[9]],[['2018-07','property_seizure'],1,[6]],"
                "[['2018-07','tear_gas'],1,[9]],"
                "[['2018-08','intervention_near_aid'],1,[10]],"
                "[['2018-08','physical_violence'],1,[10]],[['2018-08','pushback'],1,[10]],"
                "[['2019-01','arrest'],2,[1,5]],[['2019-01','detention'],1,[2]],"
                "[['2019-01','identity_check'],2,[1,3]],"
                "[['2019-01','transport_to_station'],1,[2]]]");
    expect_rows(f, "incidents_by_category",
                "[[['arrest'],2,[1,5]],[['detention'],1,[2]],[['eviction'],1,[6]],"
                "[['identity_check'],2,[1,3]],[['intervention_near_aid'],1,[10]],"
                "[['living_site_visit'],2,[7,8]],[['night_visit'],1,[9]],"
                "[['physical_violence'],1,[10]],[['property_seizure'],1,[6]],"
                "[['pushback'],1,[10]],[['tear_gas'],1,[9]],"
                "[['transport_to_station'],1,[2]]]");
    expect_rows(f, "incidents_by_place",
                "[[['<b>Evil</b>'],1,[10]],[['Calais'],3,[1,2,6]],"
                "[['Grande-Synthe'],2,[3,5]],[['Loon-Plage'],1,[9]],[['Site A'],2,[7,8]]]");
    expect_rows(f, "incidents_by_country",
                "[[[null],2,[7,8]],[['Croatia'],1,[10]],[['France'],6,[1,2,3,5,6,9]]]");
    /* known counts summed (12 + 3), unknown counts counted as mentions */
    expect_rows(f, "items_by_kind",
                "[[['phones','destroyed'],2,[10]],[['tents','seized'],15,[6]]]");
    expect_rows(f, "money_by_currency", "[]");
    expect_rows(f, "persons_by_item_kind", "[]");
    expect_rows(f, "items_unknown_count_by_kind", "[[['blankets','seized'],1,[6]]]");
    /* no proven times given: no clock skew can be seen */
    expect_rows(f, "clock_skew_flagged", "[]");
    expect_rows(f, "persons_affected_total", "[[[],50,[1,2,6,10]]]");
    expect_rows(f, "persons_affected_by_month",
                "[[['2018-07'],40,[6]],[['2018-08'],5,[10]],[['2019-01'],5,[1,2]]]");
    expect_rows(f, "incidents_persons_count_unknown", "[[[],5,[3,5,7,8,9]]]");
    expect_rows(f, "incidents_by_minors",
                "[[['no'],1,[6]],[['unknown'],7,[2,3,5,7,8,9,10]],[['yes'],1,[1]]]");
    expect_rows(f, "incidents_by_source_type",
                "[[['direct_observation'],6,[1,2,3,5,7,8]],[['publication'],1,[6]],"
                "[['testimony'],2,[9,10]]]");
    expect_rows(f, "incidents_by_authority_force",
                "[[[null],6,[3,5,6,7,8,9]],[['CRS'],1,[1]],[['Croatian police'],1,[10]],"
                "[['PAF'],2,[1,2]]]");
    expect_rows(f, "recording_delay",
                "[[['0_before_end'],1,[7]],[['1_lt_1d'],1,[1]],[['2_1d_7d'],1,[2]],"
                "[['3_7d_30d'],1,[3]],[['4_30d_365d'],1,[5]],[['5_gt_365d'],4,[6,8,9,10]]]");
    /* P1: leaves 1 and 2, 3 days apart -> a repeat; P2: 10 days apart -> not */
    expect_rows(f, "repeated_checks_by_person", "[[['" P1 "'],2,[1,2]]]");
    expect_rows(f, "indicators",
                "[[['chemical_agents'],1,[9]],[['evictions'],1,[6]],"
                "[['humiliating_behaviour'],0,[]],"
                "[['incidents_with_minors'],1,[1]],"
                "[['incidents_with_person_pseudonyms'],4,[1,2,3,5]],"
                "[['intervention_near_aid'],1,[10]],"
                "[['night_living_site_visits'],2,[7,9]],"
                "[['physical_violence'],1,[10]],"
                "[['property_destruction_or_seizure'],2,[6,10]],"
                "[['repeated_checks_same_person'],2,[1,2]],"
                "[['transport_to_station'],1,[2]],"
                "[['transport_to_station_lawfully_present'],1,[2]]]");
    json_decref(f);
}

/* Same records in another order give the same bytes. */
static void test_figures_deterministic(void **state)
{
    constat_indexed_record rev[NRECS];
    json_t *a = compute(), *b = NULL;
    constat_buf x, y;
    size_t i;
    (void)state;
    for (i = 0; i < NRECS; i++)
        rev[i] = recs[NRECS - 1 - i];
    assert_int_equal(constat_figures_compute(rev, NRECS, tax, &b, NULL), CONSTAT_OK);
    constat_buf_init(&x);
    constat_buf_init(&y);
    assert_int_equal(constat_canon(a, &x, NULL), CONSTAT_OK);
    assert_int_equal(constat_canon(b, &y, NULL), CONSTAT_OK);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    constat_buf_free(&x);
    constat_buf_free(&y);
    json_decref(a);
    json_decref(b);
}

/* The repeat window is inclusive at exactly 7 days and exclusive past it. */
static void test_repeat_window(void **state)
{
    constat_indexed_record r[2];
    json_t *f = NULL;
    (void)state;
    r[0].index = 0;
    r[0].record = incident("x", "2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "minute",
                           "2020-01-01T12:00:00Z", "['identity_check']",
                           "{'place':{'name':'A'},'affected':{'persons':['" P2 "']}}");
    r[1].index = 1;
    r[1].record = incident("y", "2020-01-08T12:00:00+02:00", "2020-01-08T13:00:00+02:00",
                           "minute", "2020-01-08T14:00:00+02:00", "['detention']",
                           "{'place':{'name':'A'},'affected':{'persons':['" P2 "']}}");
    assert_int_equal(constat_figures_compute(r, 2, tax, &f, NULL), CONSTAT_OK);
    expect_rows(f, "repeated_checks_by_person", "[[['" P2 "'],2,[0,1]]]");
    json_decref(f);
    /* one second more than 7 days */
    json_object_set_new(json_object_get(r[1].record, "occurred"), "start",
                        json_string("2020-01-08T12:00:01+02:00"));
    assert_int_equal(constat_figures_compute(r, 2, tax, &f, NULL), CONSTAT_OK);
    expect_rows(f, "repeated_checks_by_person", "[]");
    json_decref(f);
    /* a category outside checks/arrests/detentions does not count */
    json_object_set_new(json_object_get(r[1].record, "occurred"), "start",
                        json_string("2020-01-02T12:00:00+02:00"));
    json_object_set_new(r[1].record, "categories", J("['eviction']"));
    assert_int_equal(constat_figures_compute(r, 2, tax, &f, NULL), CONSTAT_OK);
    expect_rows(f, "repeated_checks_by_person", "[]");
    json_decref(f);
    json_decref(r[0].record);
    json_decref(r[1].record);
}

/* Counts are added only within one unit (the taxonomy's): objects in
 * items_by_kind, money per currency in money_by_currency, persons in
 * persons_by_item_kind. Before units, 700 EUR and 270 EUR were added to
 * the phones as "items". */
static void test_units(void **state)
{
    constat_indexed_record r[3];
    constat_taxonomy *t = NULL;
    json_t *f = NULL;
    constat_error e;
    char *dir, path[512];
    FILE *fp;
    (void)state;
    r[0].index = 3;
    r[0].record = incident(
        "m1", "2018-07-02T10:00:00+02:00", "2018-07-02T11:00:00+02:00", "minute",
        "2026-11-01T10:00:00Z", "['theft']",
        "{'items':[{'kind':'phones','action':'seized','count':6},"
        "{'kind':'phones','action':'destroyed','count':4},"
        "{'kind':'cash_eur','action':'seized','count':700},"
        "{'kind':'cash_usd','action':'seized','count':25},"
        "{'kind':'cash','action':'seized','count':null}]}");
    r[1].index = 7;
    r[1].record = incident(
        "m2", "2019-02-27T10:00:00+01:00", "2019-02-27T11:00:00+01:00", "minute",
        "2026-11-01T10:00:00Z", "['arrest']",
        "{'items':[{'kind':'fine_paid_eur','action':'seized_or_destroyed','count':270},"
        "{'kind':'cash_eur','action':'seized','count':100},"
        "{'kind':'phones','action':'seized','count':2}]}");
    r[2].index = 9;
    r[2].record = incident("m3", "2019-03-01T10:00:00+01:00", "2019-03-01T11:00:00+01:00",
                           "minute", "2026-11-01T10:00:00Z", "['arrest']", NULL);
    assert_int_equal(constat_figures_compute(r, 3, tax, &f, &e), CONSTAT_OK);
    expect_rows(f, "items_by_kind",
                "[[['phones','destroyed'],4,[3]],[['phones','seized'],8,[3,7]]]");
    expect_rows(f, "money_by_currency",
                "[[['EUR','cash_eur','seized'],800,[3,7]],"
                "[['EUR','fine_paid_eur','seized_or_destroyed'],270,[7]],"
                "[['USD','cash_usd','seized'],25,[3]]]");
    expect_rows(f, "items_unknown_count_by_kind", "[[['cash','seized'],1,[3]]]");
    expect_rows(f, "persons_by_item_kind", "[]");
    json_decref(f);
    f = NULL;
    /* without a taxonomy no unit is known: every kind counts as objects */
    assert_int_equal(constat_figures_compute(r, 3, NULL, &f, &e), CONSTAT_OK);
    expect_rows(f, "money_by_currency", "[]");
    json_decref(f);
    f = NULL;

    /* a kind the taxonomy does not list is an error, as a category is */
    json_object_set_new(r[2].record, "items",
                        J("[{'kind':'phones_broken','action':'destroyed','count':1}]"));
    assert_int_equal(constat_figures_compute(r, 3, tax, &f, &e), CONSTAT_EINVAL);
    assert_null(f);
    if (!strstr(e.msg, "leaf 9 (id m3): items[0].kind: \"phones_broken\" is not an item kind "
                       "of the taxonomy"))
        fail_msg("%s", e.msg);
    /* an amount of money whose currency is not stated cannot be added */
    json_object_set_new(r[2].record, "items",
                        J("[{'kind':'cash','action':'seized','count':50}]"));
    assert_int_equal(constat_figures_compute(r, 3, tax, &f, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "items[0].count: an amount of \"cash\""));

    /* a taxonomy with a persons unit */
    dir = tu_tmpdir();
    snprintf(path, sizeof path, "%s/t.json", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"version\":2,\"categories\":[{\"id\":\"arrest\",\"label\":{\"fr\":\"A\",\"en\":\"A\"},"
          "\"description\":{\"fr\":\"d\",\"en\":\"d\"}},{\"id\":\"theft\",\"label\":{\"fr\":\"T\","
          "\"en\":\"T\"},\"description\":{\"fr\":\"d\",\"en\":\"d\"}}],\"item_kinds\":["
          "{\"id\":\"phones\",\"unit\":\"items\",\"label\":{\"fr\":\"T\",\"en\":\"P\"}},"
          "{\"id\":\"cash\",\"unit\":\"currency\",\"label\":{\"fr\":\"A\",\"en\":\"C\"}},"
          "{\"id\":\"cash_eur\",\"unit\":\"currency\",\"currency\":\"EUR\",\"label\":{\"fr\":\"A\",\"en\":\"C\"}},"
          "{\"id\":\"cash_usd\",\"unit\":\"currency\",\"currency\":\"USD\",\"label\":{\"fr\":\"A\",\"en\":\"C\"}},"
          "{\"id\":\"fine_paid_eur\",\"unit\":\"currency\",\"currency\":\"EUR\",\"label\":{\"fr\":\"A\",\"en\":\"F\"}},"
          "{\"id\":\"children_separated\",\"unit\":\"persons\",\"label\":{\"fr\":\"E\",\"en\":\"C\"}}]}",
          fp);
    fclose(fp);
    if (constat_taxonomy_load(path, &t, &e) != CONSTAT_OK)
        fail_msg("%s", e.msg);
    json_object_set_new(r[2].record, "items",
                        J("[{'kind':'children_separated','action':'seized','count':3}]"));
    assert_int_equal(constat_figures_compute(r, 3, t, &f, &e), CONSTAT_OK);
    expect_rows(f, "persons_by_item_kind", "[[['children_separated','seized'],3,[9]]]");
    expect_rows(f, "items_by_kind",
                "[[['phones','destroyed'],4,[3]],[['phones','seized'],8,[3,7]]]");
    json_decref(f);
    constat_taxonomy_free(t);
    tu_rmrf(dir);
    free(dir);
    for (size_t i = 0; i < 3; i++)
        json_decref(r[i].record);
}

/* recorded_at after the proven time by more than the tolerance (600 s) is
 * clock skew, flagged by record id; at exactly 600 s it is not. */
static void test_clock_skew(void **state)
{
    constat_indexed_record r[3];
    constat_proven_time t[3];
    json_t *f = NULL;
    constat_error e;
    int64_t rec;
    (void)state;
    assert_int_equal(constat_rfc3339_parse("2024-01-01T12:00:00Z", &rec, NULL), CONSTAT_OK);
    r[0].index = 1;
    r[0].record = incident("s1", "2024-01-01T09:00:00Z", "2024-01-01T10:00:00Z", "minute",
                           "2024-01-01T12:00:00Z", "['arrest']", NULL);
    r[1].index = 2;
    r[1].record = incident("s2", "2024-01-01T09:00:00Z", "2024-01-01T10:00:00Z", "minute",
                           "2024-01-01T12:00:00Z", "['arrest']", NULL);
    r[2].index = 3;
    r[2].record = incident("s3", "2024-01-01T09:00:00Z", "2024-01-01T10:00:00Z", "minute",
                           "2024-01-01T12:00:00Z", "['arrest']", NULL);
    t[0].proven = 1;
    t[0].time = rec - 600; /* within the tolerance */
    t[1].proven = 1;
    t[1].time = rec - 601; /* the monitor's clock ran ahead */
    t[2].proven = 0;       /* no token: nothing to compare with */
    t[2].time = 0;
    assert_int_equal(constat_figures_compute_timed(r, 3, tax, t, &f, &e), CONSTAT_OK);
    expect_rows(f, "clock_skew_flagged", "[[['s2'],1,[2]]]");
    json_decref(f);
    assert_int_equal(constat_clock_skewed(rec, 1, rec - 601), 1);
    assert_int_equal(constat_clock_skewed(rec, 1, rec - 600), 0);
    assert_int_equal(constat_clock_skewed(rec, 1, rec + 5000), 0);
    assert_int_equal(constat_clock_skewed(rec, 0, rec - 5000), 0);
    for (size_t i = 0; i < 3; i++)
        json_decref(r[i].record);
}

static void test_compute_errors(void **state)
{
    constat_indexed_record r[2];
    json_t *f = NULL;
    constat_error e;
    (void)state;
    r[0].index = 4;
    r[0].record = incident("bad", "2020-01-01T10:00:00", "2020-01-01T11:00:00Z", "minute",
                           "2020-01-01T12:00:00Z", "['arrest']", NULL);
    assert_int_equal(constat_figures_compute(r, 1, tax, &f, &e), CONSTAT_EINVAL);
    assert_null(f);
    assert_non_null(strstr(e.msg, "leaf 4"));
    assert_non_null(strstr(e.msg, "occurred.start"));
    json_decref(r[0].record);

    r[0].record = incident("bad\x1b[31m", "2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z",
                           "minute", "2020-01-01T12:00:00Z", "['not_a_category']", NULL);
    assert_int_equal(constat_figures_compute(r, 1, tax, &f, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "not_a_category"));
    /* hostile text reaches the message as printable ASCII only */
    assert_non_null(strstr(e.msg, "(id bad?[31m)"));
    /* without a taxonomy the category is counted as written */
    assert_int_equal(constat_figures_compute(r, 1, NULL, &f, &e), CONSTAT_OK);
    expect_rows(f, "incidents_by_category", "[[['not_a_category'],1,[4]]]");
    json_decref(f);
    f = NULL;
    json_decref(r[0].record);

    r[0].record = incident("bad", "2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "minute",
                           "2020-01-01T12:00:00Z", "['arrest']",
                           "{'items':[{'kind':'tents','action':'seized','count':-1}]}");
    assert_int_equal(constat_figures_compute(r, 1, tax, &f, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "items[0].count"));
    json_decref(r[0].record);

    r[0].record = incident("bad", "2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "minute",
                           "2020-01-01T12:00:00Z", "['arrest']",
                           "{'affected':{'count':'many'}}");
    assert_int_equal(constat_figures_compute(r, 1, tax, &f, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "affected.count"));
    json_decref(r[0].record);

    /* a sum beyond 2^53-1 cannot be written exactly by JCS */
    r[0].record = incident("big1", "2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "minute",
                           "2020-01-01T12:00:00Z", "['arrest']",
                           "{'affected':{'count':9007199254740991}}");
    r[1].index = 5;
    r[1].record = incident("big2", "2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "minute",
                           "2020-01-01T12:00:00Z", "['arrest']", "{'affected':{'count':1}}");
    assert_int_equal(constat_figures_compute(r, 2, tax, &f, &e), CONSTAT_ELIMIT);
    /* the same leaf twice */
    r[1].index = 4;
    assert_int_equal(constat_figures_compute(r, 2, tax, &f, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "leaf 4 given twice"));
    json_decref(r[0].record);
    json_decref(r[1].record);

    /* no records: every always-present row is there, with zeros */
    assert_int_equal(constat_figures_compute(NULL, 0, tax, &f, &e), CONSTAT_OK);
    expect_rows(f, "incidents_total", "[[[],0,[]]]");
    expect_rows(f, "incidents_by_month", "[]");
    assert_int_equal(json_array_size(json_object_get(fig(f, "indicators"), "rows")), 12);
    json_decref(f);
}

typedef struct {
    int n;
    char first[CONSTAT_ERROR_MSG_MAX];
} fails_t;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    fails_t *f = ctx;
    assert_int_equal(index, -1);
    if (f->n++ == 0)
        snprintf(f->first, sizeof f->first, "%s", msg);
}

static json_t *row_of(json_t *figs, const char *id, size_t i)
{
    return json_array_get(json_object_get((json_t *)fig(figs, id), "rows"), i);
}

static void test_figures_check(void **state)
{
    json_t *good = compute(), *bad;
    fails_t fl;
    constat_error e;
    (void)state;

    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(good, good, on_fail, &fl, &e), CONSTAT_OK);
    assert_int_equal(fl.n, 0);

    /* one value changed */
    bad = json_deep_copy(good);
    json_object_set_new(row_of(bad, "incidents_by_month", 0), "value", json_integer(5));
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, &e), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 1);
    assert_non_null(strstr(fl.first, "incidents_by_month"));
    assert_non_null(strstr(fl.first, "[\"2018-07\"]"));
    assert_non_null(strstr(fl.first, "claimed 5, recomputed 4"));
    assert_non_null(strstr(e.msg, "incidents_by_month"));
    json_decref(bad);

    /* one leaf changed */
    bad = json_deep_copy(good);
    json_array_set_new(json_object_get(row_of(bad, "items_by_kind", 1), "leaves"), 0,
                       json_integer(7));
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, NULL), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 1);
    assert_non_null(strstr(fl.first, "items_by_kind"));
    assert_non_null(strstr(fl.first, "leaves claimed [7], recomputed [6]"));
    json_decref(bad);

    /* a row removed and an invented row */
    bad = json_deep_copy(good);
    json_array_remove(json_object_get((json_t *)fig(bad, "incidents_by_country"), "rows"), 0);
    json_array_append_new(json_object_get((json_t *)fig(bad, "incidents_by_place"), "rows"),
                          J("{'key':['Nowhere'],'value':1,'leaves':[3]}"));
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, NULL), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 2);
    json_decref(bad);

    /* a whole figure missing, one invented, a retitled one */
    bad = json_deep_copy(good);
    json_array_remove(json_object_get(bad, "figures"), 0);
    json_array_append_new(json_object_get(bad, "figures"),
                          J("{'id':'made_up','rows':[]}"));
    json_object_set_new(json_object_get((json_t *)fig(bad, "indicators"), "title"), "en",
                        json_string("Something else"));
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, NULL), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 3);
    assert_non_null(strstr(fl.first, "incidents_total"));
    json_decref(bad);

    /* claimed is not a figures document at all */
    bad = J("[1,2,3]");
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, NULL), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 1);
    json_decref(bad);
    /* nor is the recomputed one: a caller error */
    assert_int_equal(constat_figures_check(good, json_null(), NULL, NULL, NULL), CONSTAT_EINVAL);
    json_decref(good);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_read_file(path, len);
}

static void test_report_write(void **state)
{
    json_t *f = compute();
    char *dir = tu_tmpdir(), out[4096], *html, *csv, *fj;
    constat_report_meta meta = {"Test <Org>", "example.org/constat/log", 13,
                                "example.org/constat/log\n13\nAAAA\n\n\xe2\x80\x94 x y\n",
                                "2026-11-29T12:00:00Z", "all incidents", NULL};
    constat_buf canon;
    constat_error e;
    size_t len, lines = 0, i;
    (void)state;

    snprintf(out, sizeof out, "%s/rep/sub", dir); /* its parent is missing */
    assert_int_equal(constat_report_write(out, recs, NRECS, tax, f, &meta, &e),
                     CONSTAT_EIO); /* mkdir is not recursive: the parent must exist */
    snprintf(out, sizeof out, "%s/rep", dir);
    if (constat_report_write(out, recs, NRECS, tax, f, &meta, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);

    /* figures.json is exactly the JCS bytes of the figures */
    fj = slurp(out, "figures.json", &len);
    constat_buf_init(&canon);
    assert_int_equal(constat_canon(f, &canon, NULL), CONSTAT_OK);
    assert_int_equal(len, canon.len);
    assert_memory_equal(fj, canon.data, len);
    constat_buf_free(&canon);
    free(fj);

    html = slurp(out, "index.html", &len);
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "<title id=\"t-c-month-category\">"));
    assert_non_null(strstr(html, "<desc id=\"d-c-month-category\">"));
    assert_null(strstr(html, "<script")); /* no JavaScript at all, and none injected */
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; caf\xc3\xa9"));
    assert_null(strstr(html, "<b>Evil"));
    assert_non_null(strstr(html, "&lt;b&gt;Evil&lt;/b&gt;"));
    assert_non_null(strstr(html, "Test &lt;Org&gt;"));
    /* both languages, labels from the taxonomy */
    assert_non_null(strstr(html, "Rapport d&#39;incidents"));
    assert_non_null(strstr(html, "Incident report"));
    assert_non_null(strstr(html, "Contr\xc3\xb4le d&#39;identit\xc3\xa9"));
    assert_non_null(strstr(html, "Identity check"));
    assert_non_null(strstr(html, "do not prove"));
    assert_non_null(strstr(html, "ne prouvent pas"));
    assert_non_null(strstr(html, "<pre>example.org/constat/log\n13\nAAAA\n"));
    assert_non_null(strstr(html, "Selection bias"));
    /* leaf cells link to the incident list, and the anchors exist */
    assert_non_null(strstr(html, "<a href=\"#leaf-10\">10</a>"));
    assert_non_null(strstr(html, "<tr id=\"leaf-10\">"));
    assert_null(strstr(html, "id=\"leaf-11\"")); /* the shift is not an incident */
    free(html);

    csv = slurp(out, "figures/incidents_by_month.csv", &len);
    assert_string_equal(csv, "month,value,leaves\r\n2018-07,4,6 7 8 9\r\n2018-08,1,10\r\n"
                             "2019-01,4,1 2 3 5\r\n");
    free(csv);
    csv = slurp(out, "figures/incidents_by_country.csv", &len);
    assert_string_equal(csv, "country,value,leaves\r\n,2,7 8\r\nCroatia,1,10\r\n"
                             "France,6,1 2 3 5 6 9\r\n");
    free(csv);
    csv = slurp(out, "incidents.csv", &len);
    for (i = 0; i < len; i++)
        lines += csv[i] == '\n';
    assert_int_equal(lines, 10); /* header + 9 incidents */
    assert_non_null(strstr(csv, "\"'=HYPERLINK(1)\""));
    assert_non_null(strstr(csv, "\"<script>alert(1)</script> & \"\"quoted\"\" caf\xc3\xa9\""));
    assert_non_null(strstr(csv, "tents:seized:12;blankets:seized:unknown;tents:seized:3"));
    free(csv);

    /* a hostile figure id must not become a path */
    json_object_set_new(json_array_get(json_object_get(f, "figures"), 0), "id",
                        json_string("../../x"));
    assert_int_equal(constat_report_write(out, recs, NRECS, tax, f, &meta, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "[a-z0-9_]"));
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

/* No incidents at all: every file is still written, charts say so. */
static void test_report_empty(void **state)
{
    json_t *f = NULL;
    char *dir = tu_tmpdir(), *html;
    constat_error e;
    size_t len;
    (void)state;
    assert_int_equal(constat_figures_compute(recs, 1, tax, &f, &e), CONSTAT_OK); /* enrolment only */
    if (constat_report_write(dir, recs, 1, tax, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(dir, "index.html", &len);
    assert_non_null(strstr(html, "Nothing to chart."));
    assert_non_null(strstr(html, "repeated-checks indicator is 0 by construction"));
    free(html);
    free(slurp(dir, "figures/indicators.csv", &len));
    free(slurp(dir, "incidents.csv", &len));
    assert_int_equal(len, strlen("leaf,id,occurred_start,occurred_end,precision,recorded_at,"
                                 "proven_at,monitor,place_name,place_site,commune,country,lat_e7,lon_e7,"
                                 "categories,forces,persons_affected,minors,items,source_type,"
                                 "source_reference,source_id,summary\r\n"));
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

/* Control and bidirectional characters in record text and in the header are
 * made visible in index.html (the incident list, the charts' labels and
 * tooltips, the <pre> note keeps only its own newlines), and kept exact in
 * the CSV. */
static void test_report_hostile_text(void **state)
{
    constat_indexed_record one[1];
    json_t *f = NULL;
    char *dir = tu_tmpdir(), out[4096], *html, *csv;
    constat_report_meta meta = {"Org\xe2\x80\xae" "gro\n<x>", "example.org/log", 1,
                                "example.org/log\n1\n\x1b[2J\xe2\x81\xa7" "AAAA\n",
                                "2026-11-29T12:00:00Z", "all incidents", NULL};
    constat_error e;
    size_t len;
    (void)state;

    one[0].index = 1;
    one[0].record = incident(
        "x", "2019-01-01T00:30:00+02:00", "2019-01-01T01:30:00+02:00", "minute",
        "2019-01-01T02:30:00+02:00", "['arrest']",
        "{'place':{'name':'Calais\\n99 forged\\u202egpj.exe\\u001b[2J',"
        "'country':'Fr\\u202eance'}}");
    assert_int_equal(constat_figures_compute(one, 1, tax, &f, &e), CONSTAT_OK);
    snprintf(out, sizeof out, "%s/rep", dir);
    if (constat_report_write(out, one, 1, tax, f, &meta, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    assert_non_null(strstr(html, "Calais\\x0a99 forged&lt;U+202E&gt;gpj.exe\\x1b[2J"));
    assert_non_null(strstr(html, "Org&lt;U+202E&gt;gro\\x0a&lt;x&gt;"));
    /* the country is a bar label of the by-country chart (SVG) */
    assert_non_null(strstr(html, ">Fr&lt;U+202E&gt;ance</text>"));
    assert_non_null(strstr(html, "<pre>example.org/log\n1\n\\x1b[2J&lt;U+2067&gt;AAAA\n</pre>"));
    assert_null(strstr(html, "\xe2\x80\xae"));
    assert_null(strstr(html, "\xe2\x81\xa7"));
    assert_null(strchr(html, '\x1b'));
    free(html);
    /* CSV: the newline kept inside quotes, the override and the escape
     * spelled out (constat_csv_field), never raw */
    csv = slurp(out, "incidents.csv", &len);
    assert_non_null(strstr(csv, "\"Calais\n99 forged<U+202E>gpj.exe\\x1b[2J\""));
    assert_null(strchr(csv, '\x1b'));
    assert_null(strstr(csv, "\xe2\x80\xae"));
    free(csv);
    json_decref(f);
    json_decref(one[0].record);
    tu_rmrf(dir);
    free(dir);
}

static void test_svg_chart(void **state)
{
    static const char *const bars[] = {"one", "<two>"};
    static const char *const series[] = {"s1", "s2"};
    static const int64_t vals[] = {1, 2, 0, 4};
    static const int64_t neg[] = {1, -2, 0, 4};
    constat_chart c;
    constat_buf b;
    constat_error e;
    (void)state;

    memset(&c, 0, sizeof c);
    c.id = "t1";
    c.title = "T & t";
    c.desc = "D";
    c.n_bars = 2;
    c.bar_labels = bars;
    c.n_series = 2;
    c.series_labels = series;
    c.values = vals;
    constat_buf_init(&b);
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_OK);
    assert_non_null(strstr((char *)b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""));
    assert_non_null(strstr((char *)b.data, "aria-labelledby=\"t-t1 d-t1\""));
    assert_non_null(strstr((char *)b.data, "<title id=\"t-t1\">T &amp; t</title>"));
    assert_non_null(strstr((char *)b.data, "&lt;two&gt;"));
    assert_non_null(strstr((char *)b.data, "<title>&lt;two&gt; \xe2\x80\x94 s2: 4</title>"));
    /* bar totals 3 and 4 are written on top of the bars */
    assert_non_null(strstr((char *)b.data, "font-size=\"12\">3</text>"));
    assert_non_null(strstr((char *)b.data, "font-size=\"12\">4</text>"));
    assert_non_null(strstr((char *)b.data, "</svg>"));
    c.horizontal = 1;
    constat_buf_reset(&b);
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_OK);
    assert_non_null(strstr((char *)b.data, "<rect"));
    c.values = neg;
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_EINVAL);
    c.values = vals;
    c.id = "bad\"id";
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_EINVAL);
    c.id = "t1";
    c.n_series = 0;
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_EINVAL);
    constat_buf_free(&b);
}

/* Set every row value of figure `id` in `f` to `v`. */
static void set_values(json_t *f, const char *id, json_int_t v)
{
    json_t *figs = json_object_get(f, "figures");
    size_t i, j;
    for (i = 0; i < json_array_size(figs); i++) {
        json_t *fig = json_array_get(figs, i), *rows = json_object_get(fig, "rows");
        if (strcmp(json_string_value(json_object_get(fig, "id")), id) != 0)
            continue;
        for (j = 0; j < json_array_size(rows); j++)
            json_object_set_new(json_array_get(rows, j), "value", json_integer(v));
        return;
    }
    fail_msg("no figure %s", id);
}

/* Sums near the figures' limit (2^53 - 1, e.g. 10^6 records of
 * CONSTAT_COUNT_MAX items in one month) still draw, with exact numbers;
 * a value beyond it is refused before anything is written. */
static void test_report_huge_values(void **state)
{
    json_t *f = compute();
    char *dir = tu_tmpdir(), out[4096], *html;
    constat_error e;
    size_t len;
    struct stat sb;
    (void)state;

    set_values(f, "items_by_kind", INT64_C(9007199254740991));
    set_values(f, "persons_affected_by_month", INT64_C(1000000000000000));
    set_values(f, "incidents_by_month_category", INT64_C(1000000000) * 1000000);
    snprintf(out, sizeof out, "%s/big", dir);
    if (constat_report_write(out, recs, NRECS, tax, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    assert_non_null(strstr(html, "<title id=\"t-c-items\">"));
    assert_non_null(strstr(html, "<title id=\"t-c-persons-month\">"));
    assert_non_null(strstr(html, "<title id=\"t-c-month-category\">"));
    /* exact values on the chart and in the table; short ticks (10^15 = 1P) */
    assert_non_null(strstr(html, ">9007199254740991</text>"));
    assert_non_null(strstr(html, "<td class=\"n\">9007199254740991</td>"));
    assert_non_null(strstr(html, ">1P</text>"));
    assert_non_null(strstr(html, "max 1000000000000000</text>"));
    free(html);

    set_values(f, "items_by_kind", INT64_C(9007199254740992));
    snprintf(out, sizeof out, "%s/bigger", dir);
    assert_int_equal(constat_report_write(out, recs, NRECS, tax, f, NULL, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "2^53"));
    assert_int_not_equal(stat(out, &sb), 0); /* nothing written */
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

/* The report is staged and moved into place: a trailing slash names the
 * same folder, a refreshed folder keeps its other files, and no staging
 * folder is left behind, also when the move fails. */
static void test_report_staging(void **state)
{
    json_t *f = compute();
    char *dir = tu_tmpdir(), out[4096], path[4200], *html;
    constat_error e;
    constat_report_meta meta;
    size_t len;
    struct stat sb;
    FILE *x;
    (void)state;

    memset(&meta, 0, sizeof meta);
    meta.scope = "incidents that occurred (local date) from 2018-07-01 to the end, in category "
                 "pushback, with a place name containing \"<Calais>\"";
    snprintf(out, sizeof out, "%s/r/", dir);
    if (constat_report_write(out, recs, NRECS, tax, f, &meta, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    /* the scope in both languages */
    assert_non_null(strstr(html, "<span lang=\"fr\">incidents survenus (date locale) du "
                                 "2018-07-01 jusqu&#39;à la fin, de la catégorie pushback, dont "
                                 "le nom de lieu contient « &lt;Calais&gt; »</span>"));
    assert_non_null(strstr(html, "/ incidents that occurred (local date) from 2018-07-01"));
    free(html);
    /* only r/ in the parent: the staging folder was renamed into place */
    snprintf(path, sizeof path, "%s/r.partial-", dir);
    {
        char cmd[4400];
        snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep -v '^r$')\"", dir);
        assert_int_equal(system(cmd), 0);
    }

    /* refresh: an extra file stays, the report files are replaced */
    snprintf(path, sizeof path, "%s/r/notes.txt", dir);
    x = fopen(path, "w");
    assert_non_null(x);
    fputs("mine", x);
    fclose(x);
    snprintf(out, sizeof out, "%s/r", dir);
    meta.scope = "all incidents in the log";
    if (constat_report_write(out, recs, NRECS, tax, f, &meta, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    assert_int_equal(stat(path, &sb), 0);
    html = slurp(out, "index.html", &len);
    assert_non_null(strstr(html, "tous les incidents du journal"));
    free(html);

    /* a move that fails (index.html is a non-empty folder) is an I/O
     * error, and the staging folder is removed */
    snprintf(path, sizeof path, "%s/r/index.html", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/r/index.html/keep", dir);
    x = fopen(path, "w");
    assert_non_null(x);
    fclose(x);
    assert_int_equal(constat_report_write(out, recs, NRECS, tax, f, &meta, &e), CONSTAT_EIO);
    {
        char cmd[4400];
        snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s/r' | grep constat-report)\"", dir);
        assert_int_equal(system(cmd), 0);
    }
    /* a path that is a file is refused before anything is written */
    snprintf(out, sizeof out, "%s/r/notes.txt", dir);
    assert_int_equal(constat_report_write(out, recs, NRECS, tax, f, &meta, &e), CONSTAT_EIO);
    assert_non_null(strstr(e.msg, "not a directory"));
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

/* Long labels are wrapped or shortened, never cut without their full text;
 * strips (multiples) have no legend and say their own maximum; totals up
 * to CONSTAT_CHART_VALUE_MAX draw, beyond it they are refused. */
/* What a reader opens: the summary with its scope, period and main figures
 * comes before any cryptographic text, which sits in "How to verify" at the
 * end; ids do not wrap, day-precision dates show no midnight, the page is
 * laid out for phones. */
static void test_report_reader_layout(void **state)
{
    json_t *f = compute();
    char *dir = tu_tmpdir(), out[4096], *html;
    constat_report_meta meta = {"Test Org", "example.org/constat/log", 13,
                                "example.org/constat/log\n13\nAAAA\n\n\xe2\x80\x94 x y\n",
                                "2026-11-29T12:00:00Z",
                                "incidents in France (FR), in commune Calais, that occurred "
                                "(local date) from 2018-01-01 to 2019-12-31", NULL};
    const char *summary, *pre, *verify, *first_fig, *row8, *row6;
    constat_error e;
    size_t len;
    (void)state;

    snprintf(out, sizeof out, "%s/rep", dir);
    if (constat_report_write(out, recs, NRECS, tax, f, &meta, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    summary = strstr(html, "<section id=\"summary\">");
    pre = strstr(html, "<pre>example.org/constat/log\n13\n");
    verify = strstr(html, "<section id=\"verify\">");
    first_fig = strstr(html, "<section id=\"fig-");
    assert_non_null(summary);
    assert_non_null(pre);
    assert_non_null(verify);
    assert_non_null(first_fig);
    assert_true(summary < first_fig);
    assert_true(first_fig < verify);
    assert_true(verify < pre);
    assert_null(strstr(html, "Tree size") < summary ? strstr(html, "Tree size") : NULL);
    /* the scope in words, both languages, and the period of the incidents */
    assert_non_null(strstr(summary, "<span lang=\"fr\">incidents du pays France (FR), de la "
                                    "commune Calais, survenus (date locale) du 2018-01-01 au "
                                    "2019-12-31</span>"));
    assert_non_null(strstr(summary, "from 2018-07-11 to 2019-01-20 (local dates as claimed)"));
    /* main figures: 9 incidents, 50 persons (3 + 2 + 40 + 5), identity checks 2 */
    assert_non_null(strstr(summary, "Incidents recorded</span></td><td class=\"n\">9</td>"));
    assert_non_null(strstr(summary, "Persons affected (stated counts)</span></td><td "
                                    "class=\"n\">50</td>"));
    assert_non_null(strstr(summary, "<a href=\"#fig-incidents_by_category\">Contr\xc3\xb4le "
                                    "d&#39;identit\xc3\xa9</a> <span class=\"en\" lang=\"en\">/ "
                                    "Identity check</span></td><td class=\"n\">2</td>"));
    assert_non_null(strstr(summary, "France</a> <span class=\"en\" lang=\"en\">/ France</span>"
                                    "</td><td class=\"n\">6</td>"));
    assert_true(strstr(summary, "Identity check") < first_fig);
    /* ids never wrap; a day-precision start shows as the date */
    assert_non_null(strstr(html, "td.id,td.date{white-space:nowrap"));
    row8 = strstr(html, "<tr id=\"leaf-8\">");
    assert_non_null(row8);
    assert_non_null(strstr(row8, "<td class=\"id\">g</td><td class=\"date\">2018-07-21</td>"));
    row6 = strstr(html, "<tr id=\"leaf-6\">"); /* minute precision: the time stays */
    assert_non_null(row6);
    assert_non_null(strstr(row6, "<td class=\"date\">2018-07-11T08:00:00+02:00</td>"));
    /* source URL as a link */
    assert_non_null(strstr(row6, "<a href=\"https://example.org/x\" rel=\"noopener "
                                 "noreferrer\">https://example.org/x</a>"));
    /* phones */
    assert_non_null(strstr(html, "<meta name=\"viewport\" content=\"width=device-width, "
                                 "initial-scale=1\">"));
    assert_non_null(strstr(html, "@media (max-width:40rem){"));
    assert_non_null(strstr(html, "figure svg{max-width:none}"));
    free(html);
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

/* Only http and https references become links; anything else is text. */
static void test_report_source_links(void **state)
{
    static const char *const refs[] = {
        "HTTPS://Example.org/a?b=1&c=2", "javascript:alert(1)",
        "data/demo/incidents_public.csv", "https://x.org/\"onmouseover=alert(1)",
        "http://", "http://ok.example/p q", "http://ok.example/p"};
    constat_indexed_record r[7];
    json_t *f = NULL;
    char *dir = tu_tmpdir(), out[4096], *html;
    constat_error e;
    size_t i, len;
    (void)state;

    for (i = 0; i < 7; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%zu", i);
        r[i].index = i;
        r[i].record = incident(id, "2018-07-11T08:00:00+02:00", "2018-07-11T09:00:00+02:00",
                               "minute", "2018-07-11T10:00:00+02:00", "['eviction']",
                               "{'place':{'name':'Calais','country':'France'}}");
        json_object_set_new(json_object_get(r[i].record, "source"), "reference",
                            json_string(refs[i]));
    }
    if (constat_figures_compute(r, 7, tax, &f, &e) != CONSTAT_OK)
        fail_msg("compute: %s", e.msg);
    snprintf(out, sizeof out, "%s/rep", dir);
    if (constat_report_write(out, r, 7, tax, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    assert_non_null(strstr(html, "<small><a href=\"HTTPS://Example.org/a?b=1&amp;c=2\" "
                                 "rel=\"noopener noreferrer\">"));
    assert_non_null(strstr(html, "<small>javascript:alert(1)</small>"));
    assert_non_null(strstr(html, "<small>data/demo/incidents_public.csv</small>"));
    assert_non_null(strstr(html, "<small>https://x.org/&quot;onmouseover=alert(1)</small>"));
    assert_non_null(strstr(html, "<small>http://</small>"));
    assert_non_null(strstr(html, "<small>http://ok.example/p q</small>"));
    assert_non_null(strstr(html, "<small><a href=\"http://ok.example/p\" rel=\"noopener "
                                 "noreferrer\">http://ok.example/p</a></small>"));
    assert_null(strstr(html, "href=\"javascript"));
    free(html);
    for (i = 0; i < 7; i++)
        json_decref(r[i].record);
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

/* Past 1,000 incidents the list is paged: index.html links the pages, each
 * figure row links at most 5 leaves (to the page that lists them) and
 * refers to its CSV for the rest; a shorter report written over a longer
 * one removes the pages it no longer has. */
static void test_report_paged(void **state)
{
    enum { N = 2500 };
    constat_indexed_record *r = calloc(N, sizeof *r);
    json_t *f = NULL;
    char *dir = tu_tmpdir(), out[4096], path[4200], *html, *pg;
    constat_error e;
    struct stat sb;
    size_t i, len, plen;
    (void)state;

    assert_non_null(r);
    for (i = 0; i < N; i++) {
        char id[16], start[32], end[32];
        snprintf(id, sizeof id, "g%zu", i);
        snprintf(start, sizeof start, "2018-%02zu-%02zuT08:00:00+02:00", i % 12 + 1, i % 28 + 1);
        snprintf(end, sizeof end, "2018-%02zu-%02zuT09:00:00+02:00", i % 12 + 1, i % 28 + 1);
        r[i].index = i + 1;
        r[i].record = incident(id, start, end, "minute", "2026-11-01T10:00:00Z",
                               i % 2 ? "['eviction']" : "['transport_to_station']",
                               "{'place':{'name':'Calais','country':'France'}}");
    }
    if (constat_figures_compute(r, N, tax, &f, &e) != CONSTAT_OK)
        fail_msg("compute: %s", e.msg);
    snprintf(out, sizeof out, "%s/rep", dir);
    if (constat_report_write(out, r, N, tax, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    assert_null(strstr(html, "<tr id=\"leaf-")); /* no incident rows in the index */
    assert_non_null(strstr(html, "<li><a href=\"incidents-1.html\">page 1</a> \xe2\x80\x94 "
                                 "feuilles <span class=\"en\">/ leaves</span> 1\xe2\x80\x93" "1000 "
                                 "(1000)</li>"));
    assert_non_null(strstr(html, "<li><a href=\"incidents-3.html\">page 3</a> \xe2\x80\x94 "
                                 "feuilles <span class=\"en\">/ leaves</span> 2001\xe2\x80\x93"
                                 "2500 (500)</li>"));
    /* incidents_total: 2500 leaves, 5 linked, the rest in the CSV */
    assert_non_null(strstr(html, "<a href=\"incidents-1.html#leaf-1\">1</a> "));
    assert_non_null(strstr(html, "et 2495 autres"));
    assert_non_null(strstr(html, "and 2495 more</span>: <a href=\"figures/incidents_total.csv\">"));
    {
        const char *sec = strstr(html, "<section id=\"fig-incidents_total\">");
        assert_non_null(sec);
        assert_true(strstr(sec, "#leaf-5\">5</a> \xe2\x80\xa6 <span lang=\"fr\">et 2495 autres") <
                    strstr(sec, "</section>"));
        assert_true(strstr(sec, "#leaf-5\">5</a> \xe2\x80\xa6") != NULL);
    }
    assert_non_null(strstr(html, "Taken to a police station</span></td><td class=\"n\">1250"));
    /* each page lists its own incidents, and links back */
    pg = slurp(out, "incidents-3.html", &plen);
    assert_non_null(strstr(pg, "<tr id=\"leaf-2001\">"));
    assert_non_null(strstr(pg, "<tr id=\"leaf-2500\">"));
    assert_null(strstr(pg, "<tr id=\"leaf-2000\">"));
    assert_non_null(strstr(pg, "<a href=\"incidents-2.html\">&larr; page 2</a>"));
    assert_non_null(strstr(pg, "<a href=\"index.html\">"));
    free(pg);
    pg = slurp(out, "incidents-2.html", &plen);
    assert_non_null(strstr(pg, "<tr id=\"leaf-1001\">"));
    assert_non_null(strstr(pg, "<tr id=\"leaf-2000\">"));
    free(pg);
    snprintf(path, sizeof path, "%s/incidents-4.html", out);
    assert_int_not_equal(stat(path, &sb), 0);
    /* the index is small beside the list: under 60 % of the three pages */
    {
        size_t pages = 0;
        for (i = 1; i <= 3; i++) {
            snprintf(path, sizeof path, "%s/incidents-%zu.html", out, i);
            assert_int_equal(stat(path, &sb), 0);
            pages += (size_t)sb.st_size;
        }
        assert_true(len * 10 < pages * 6);
    }
    free(html);
    json_decref(f);

    /* 1,000 incidents fit in index.html: the old pages go */
    if (constat_figures_compute(r, 1000, tax, &f, &e) != CONSTAT_OK)
        fail_msg("compute: %s", e.msg);
    if (constat_report_write(out, r, 1000, tax, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    html = slurp(out, "index.html", &len);
    assert_non_null(strstr(html, "<tr id=\"leaf-1000\">"));
    assert_non_null(strstr(html, "<a href=\"#leaf-1\">1</a> "));
    assert_null(strstr(html, "incidents-1.html"));
    free(html);
    for (i = 1; i <= 3; i++) {
        snprintf(path, sizeof path, "%s/incidents-%zu.html", out, i);
        assert_int_not_equal(stat(path, &sb), 0);
    }
    json_decref(f);
    for (i = 0; i < N; i++)
        json_decref(r[i].record);
    free(r);
    tu_rmrf(dir);
    free(dir);
}

/* The report's scope: country is the record's English country name, commune
 * is place.commune (folded) or, without one, found in place.name. */
static void test_scope_filter(void **state)
{
    constat_dossier_filter fr = {NULL, NULL, NULL, NULL, "France", NULL, NULL, NULL, 0};
    constat_dossier_filter calais = {NULL, NULL, NULL, NULL, "France", "calais", NULL, NULL, 0};
    constat_dossier_filter longw = {NULL, NULL, NULL, NULL, NULL, "", NULL, NULL, 0};
    json_t *named = incident("n", "2018-07-11T08:00:00+02:00", "2018-07-11T09:00:00+02:00",
                             "minute", "2018-07-11T10:00:00+02:00", "['eviction']",
                             "{'place':{'name':'Squat rue Mouron, Calais','country':'France'}}");
    json_t *communed = incident("c", "2018-07-11T08:00:00+02:00", "2018-07-11T09:00:00+02:00",
                                "minute", "2018-07-11T10:00:00+02:00", "['eviction']",
                                "{'place':{'name':'Calais-Nord','commune':'Coquelles',"
                                "'country':'France'}}");
    json_t *hr = incident("h", "2018-07-11T08:00:00+02:00", "2018-07-11T09:00:00+02:00",
                          "minute", "2018-07-11T10:00:00+02:00", "['pushback']",
                          "{'place':{'name':'Calais','country':'Croatia'}}");
    constat_error e;
    (void)state;

    assert_int_equal(constat_dossier_filter_match(&fr, named), 1);
    assert_int_equal(constat_dossier_filter_match(&fr, hr), 0);
    assert_int_equal(constat_dossier_filter_match(&calais, named), 1);
    /* a stated commune decides: Coquelles is not Calais, whatever the name says */
    assert_int_equal(constat_dossier_filter_match(&calais, communed), 0);
    calais.commune = "COQUELLES";
    assert_int_equal(constat_dossier_filter_match(&calais, communed), 1);
    calais.commune = "Coq"; /* a commune is matched whole, not in part */
    assert_int_equal(constat_dossier_filter_match(&calais, communed), 0);
    assert_int_equal(constat_dossier_filter_check(&longw, NULL, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "filter.commune"));
    json_decref(named);
    json_decref(communed);
    json_decref(hr);
}

static void test_svg_labels_and_limits(void **state)
{
    static const char *const bars[] = {
        "A very long place name that goes on and on; expelled near a border crossing after "
        "a long walk through the woods at night",
        "short"};
    static const char *const series[] = {
        "Intervention lors d'une distribution ou contre des aidants / Intervention at aid "
        "distribution or against aid workers",
        "s2"};
    int64_t vals[] = {1, 2, 0, 4};
    constat_chart c;
    constat_buf b;
    constat_error e;
    const char *svg;
    (void)state;

    memset(&c, 0, sizeof c);
    c.id = "t2";
    c.n_bars = 2;
    c.bar_labels = bars;
    c.n_series = 2;
    c.series_labels = series;
    c.values = vals;
    c.horizontal = 1;
    c.value_label = "incidents";
    constat_buf_init(&b);
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_OK);
    svg = (const char *)b.data;
    /* the long bar label: two lines, shortened, whole text as tooltip */
    assert_non_null(strstr(svg, "<tspan"));
    assert_non_null(strstr(svg, "<title>A very long place name that goes on and on; expelled "
                                "near a border crossing after a long walk through the woods at "
                                "night</title>"));
    assert_non_null(strstr(svg, "\xe2\x80\xa6</tspan>"));
    /* legend: long series label kept whole or with its tooltip */
    assert_non_null(strstr(svg, "class=\"legend\""));
    assert_non_null(strstr(svg, "Intervention at aid distribution or against aid workers"));
    assert_non_null(strstr(svg, ">incidents</text>"));

    /* strips */
    c.horizontal = 0;
    c.multiples = 1;
    constat_buf_reset(&b);
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_OK);
    svg = (const char *)b.data;
    assert_null(strstr(svg, "class=\"legend\""));
    assert_non_null(strstr(svg, ">max 1</text>"));
    assert_non_null(strstr(svg, ">max 4</text>"));

    /* limits */
    c.multiples = 0;
    vals[0] = CONSTAT_CHART_VALUE_MAX - 2;
    vals[1] = 2;
    constat_buf_reset(&b);
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_OK);
    vals[1] = 3;
    assert_int_equal(constat_svg_chart(&b, &c, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "total above"));
    constat_buf_free(&b);
}

/* Corrections and retractions: the figures count the latest version of an
 * incident at its correction's leaf, leave a retracted incident (and its
 * evidence) out, and say how many, naming the amending leaves. */
static void test_figures_amended(void **state)
{
    constat_indexed_record r[8];
    json_t *a = incident("inc-a", "2019-02-01T10:00:00+01:00", "2019-02-01T11:00:00+01:00",
                         "minute", "2019-02-01T12:00:00+01:00", "['arrest']",
                         "{'affected':{'count':3},'place':{'name':'A'}}");
    json_t *b = incident("inc-b", "2019-02-02T10:00:00+01:00", "2019-02-02T11:00:00+01:00",
                         "minute", "2019-02-02T12:00:00+01:00", "['eviction']",
                         "{'affected':{'count':7},'place':{'name':'B'}}");
    json_t *a1 = incident("inc-a", "2019-03-01T10:00:00+01:00", "2019-03-01T11:00:00+01:00",
                          "minute", "2019-03-01T12:00:00+01:00", "['identity_check']",
                          "{'affected':{'count':5},'place':{'name':'A'}}");
    json_t *a2 = json_deep_copy(a1);
    json_t *c1, *c2, *rt, *ev, *f;
    constat_indexed_record *eff = NULL;
    constat_proven_time *efft = NULL;
    size_t neff = 0;
    constat_error e;
    (void)state;

    json_object_set_new(json_object_get(a2, "affected"), "count", json_integer(6));
    c1 = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "v", 1, "kind", "correction", "id",
                   "cor-1", "org", "Test Org", "monitor", "m1", "recorded_at",
                   "2019-03-02T12:00:00Z", "corrects", "inc-a", "replacement", a1);
    c2 = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "v", 1, "kind", "correction", "id",
                   "cor-2", "org", "Test Org", "monitor", "m1", "recorded_at",
                   "2019-03-03T12:00:00Z", "corrects", "inc-a", "replacement", a2);
    rt = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "v", 1, "kind", "retraction", "id",
                   "ret-1", "org", "Test Org", "monitor", "m1", "recorded_at",
                   "2019-03-04T12:00:00Z", "retracts", "inc-b", "reason", "recorded twice");
    ev = J("{'v':1,'kind':'evidence','id':'ev-1','org':'Test Org','monitor':'m1',"
           "'recorded_at':'2019-02-02T12:00:00Z','incident':'inc-b','sha256':"
           "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855','size':0,"
           "'media_type':'image/jpeg','capture':{'time':'2025-01-01T00:00:00Z'}}");
    /* leaves out of order on purpose: the latest correction is the highest leaf */
    r[0] = (constat_indexed_record){1, a};
    r[1] = (constat_indexed_record){2, b};
    r[2] = (constat_indexed_record){9, c2};
    r[3] = (constat_indexed_record){5, c1};
    r[4] = (constat_indexed_record){12, rt};
    r[5] = (constat_indexed_record){3, ev};

    /* without the amendments: both originals, the evidence flagged */
    assert_int_equal(constat_figures_compute(r, 2, tax, &f, &e), CONSTAT_OK);
    expect_rows(f, "incidents_total", "[[[], 2, [1, 2]]]");
    expect_rows(f, "records_corrected", "[[['evidence'], 0, []], [['incident'], 0, []]]");
    json_decref(f);
    r[2].record = ev, r[2].index = 3;
    assert_int_equal(constat_figures_compute(r, 3, tax, &f, &e), CONSTAT_OK);
    expect_rows(f, "evidence_flagged", "[[['ev-1', 'time'], 1, [3]]]");
    json_decref(f);
    r[2] = (constat_indexed_record){9, c2};

    if (constat_figures_compute(r, 6, tax, &f, &e) != CONSTAT_OK)
        fail_msg("compute: %s", e.msg);
    /* inc-a once, in its latest version (leaf 9: count 6, March); inc-b out */
    expect_rows(f, "incidents_total", "[[[], 1, [9]]]");
    expect_rows(f, "incidents_by_month", "[[['2019-03'], 1, [9]]]");
    expect_rows(f, "incidents_by_category", "[[['identity_check'], 1, [9]]]");
    expect_rows(f, "persons_affected_total", "[[[], 6, [9]]]");
    expect_rows(f, "records_corrected", "[[['evidence'], 0, []], [['incident'], 1, [9]]]");
    expect_rows(f, "records_retracted", "[[['evidence'], 0, []], [['incident'], 1, [12]]]");
    /* the retracted incident's evidence is no longer compared with it */
    expect_rows(f, "evidence_flagged", "[]");
    json_decref(f);

    /* the effective list: originals replaced or dropped, the rest kept in order */
    assert_int_equal(constat_records_effective(r, 6, NULL, &eff, &efft, &neff, &e), CONSTAT_OK);
    assert_int_equal(neff, 5);
    assert_int_equal(eff[0].index, 9);
    assert_ptr_equal(eff[0].record, json_object_get(c2, "replacement"));
    assert_int_equal(eff[1].index, 9); /* the corrections themselves pass */
    assert_int_equal(eff[2].index, 5);
    assert_int_equal(eff[3].index, 12);
    assert_int_equal(eff[4].index, 3);
    free(eff);
    free(efft);

    /* retracting the evidence instead: the incident counts, the file is detached */
    json_object_set_new(rt, "retracts", json_string("ev-1"));
    assert_int_equal(constat_figures_compute(r, 6, tax, &f, &e), CONSTAT_OK);
    expect_rows(f, "incidents_total", "[[[], 2, [2, 9]]]");
    expect_rows(f, "records_retracted", "[[['evidence'], 1, [12]], [['incident'], 0, []]]");
    expect_rows(f, "evidence_flagged", "[]");
    json_decref(f);

    /* a correction whose replacement changes the id is not applied */
    json_object_set_new(json_object_get(c2, "replacement"), "id", json_string("inc-z"));
    json_object_set_new(rt, "retracts", json_string("inc-b"));
    assert_int_equal(constat_figures_compute(r, 6, tax, &f, &e), CONSTAT_OK);
    expect_rows(f, "incidents_total", "[[[], 1, [5]]]");
    expect_rows(f, "persons_affected_total", "[[[], 5, [5]]]");
    json_decref(f);

    json_decref(a);
    json_decref(b);
    json_decref(a1);
    json_decref(a2);
    json_decref(c1);
    json_decref(c2);
    json_decref(rt);
    json_decref(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_amended),
        cmocka_unit_test(test_figures_values),   cmocka_unit_test(test_figures_deterministic),
        cmocka_unit_test(test_repeat_window),    cmocka_unit_test(test_units),
        cmocka_unit_test(test_clock_skew),       cmocka_unit_test(test_compute_errors),
        cmocka_unit_test(test_figures_check),    cmocka_unit_test(test_report_write),
        cmocka_unit_test(test_report_empty),     cmocka_unit_test(test_report_hostile_text),
        cmocka_unit_test(test_svg_chart),        cmocka_unit_test(test_report_huge_values),
        cmocka_unit_test(test_report_staging),   cmocka_unit_test(test_svg_labels_and_limits),
        cmocka_unit_test(test_report_reader_layout), cmocka_unit_test(test_report_source_links),
        cmocka_unit_test(test_report_paged),     cmocka_unit_test(test_scope_filter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
