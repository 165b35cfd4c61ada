/* test_findings.c — the figures of the Defender's findings (findings.c) and
 * the record model they read (register entries, transport, eviction, item
 * origin), on a hand-made set of records whose every expected value is
 * worked out by hand in the comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/record.h"
#include "constat/analysis/report.h"
#include "analysis/findings.h"

#define P1 "p:1111111111111111111111111111111111111111111111111111111111111111"
#define P2 "p:2222222222222222222222222222222222222222222222222222222222222222"
#define P3 "p:3333333333333333333333333333333333333333333333333333333333333333"
#define P4 "p:4444444444444444444444444444444444444444444444444444444444444444"

#define J tu_json

static json_t *with(json_t *r, const char *extra)
{
    json_t *x = J(extra);
    assert_int_equal(json_object_update(r, x), 0);
    json_decref(x);
    return r;
}

/* An incident of monitor m1, org hro, direct observation, minute
 * precision (start = end), at `start`; `extra` merged in. */
static json_t *inc(const char *id, const char *start, const char *cats, const char *extra)
{
    json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:o,s:{s:s},s:{s:s}}", "v", 1,
                  "kind", "incident", "id", id, "org", "hro", "monitor", "m1", "recorded_at",
                  "2026-12-01T00:00:00Z", "occurred", "start", start, "end", start, "precision",
                  "minute", "categories", J(cats), "source", "type", "direct_observation",
                  "place", "name", "somewhere");
    assert_non_null(r);
    return extra ? with(r, extra) : r;
}

static json_t *shift(const char *id, const char *org, const char *start, const char *end)
{
    json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "v", 1, "kind", "shift",
                          "id", id, "org", org, "monitor", "m1", "recorded_at",
                          "2026-12-01T00:00:00Z", "start", start, "end", end, "area", "name",
                          "Calais");
    assert_non_null(r);
    return r;
}

#define NR 31
static constat_indexed_record recs[NR];
static constat_taxonomy *tax;
static json_t *figs;

/*
 * Leaves:
 *  0 register place reg:place:coq at (50.90, 1.85)
 *  1 register aid_point reg:aid_point:a at (50.95, 1.85), radius 100 m, Monday 18:00-20:00
 *  2-9 identity checks, no position:
 *    2 P1 2026-01-05T10:00+01:00 site S1    3 P1 11:00 same day S1    4 P1 next day 11:00 S1
 *    5 P2 2026-03-29T01:30+01:00 S2 and 6 P2 03:30+02:00 S2: across the DST change, 1 h apart
 *    7 P3 once only (no interval)
 *    8 P4 2026-01-07T23:50+01:00 S1 and 9 P4 00:10 the next day S1: 20 min apart, two days
 *  10 T1 transport 2026-01-05T19:00 (Monday) at (50.95,1.85), destination reg:place:coq,
 *     legal_status asylum_seeker 2, undocumented 3, refugee 1, count 6
 *  11 T2 transport 2026-01-06T19:00 at (50.951,1.85), released at (50.950,1.85),
 *     undocumented 2, count 2
 *  12 T3 transport, day precision, no position, testimony
 *  13 N1 2026-01-12T21:00 (Monday, after the distribution) at (50.95,1.85)
 *  14-17 living-site visits: 23:10, 05:59, 06:00, and one of day precision
 *  18-22 evictions: S1 on 01-01 (associations invited and present), 01-03, 01-03, 01-10;
 *     S2 on 01-02; 18 holds items
 *  23-26 corroboration: 23 C1 m1/hro 2026-02-10T10:00 (51.000,2.000) identity_check;
 *     24 C2 m2/ldh 11:59 (51.003,2.000) arrest+identity_check; 25 C3 m3/hro 12:30
 *     (51.003,2.000) arrest; 26 C5 m1/hro 13:00 same place, eviction (no common category)
 *  27-30 shifts: hro 01-05 17:00-21:30, 01-05 22:00-23:00, 01-31 23:00-02-01 01:00;
 *     ldh 02-03 10:00-12:00
 */
static int setup(void **state)
{
    constat_error e;
    int k = 0;
    (void)state;
    assert_int_equal(constat_taxonomy_load(CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json", &tax,
                                           &e),
                     CONSTAT_OK);
#define ADD(x) (recs[k].index = (uint64_t)k, recs[k].record = (x), k++)
    ADD(J("{'v':1,'kind':'register','id':'reg:place:coq','org':'hro','monitor':'hro',"
          "'recorded_at':'2026-01-01T00:00:00Z','register':'place','name':'PAF',"
          "'position':{'lat_e7':509000000,'lon_e7':18500000}}"));
    ADD(J("{'v':1,'kind':'register','id':'reg:aid_point:a','org':'hro','monitor':'hro',"
          "'recorded_at':'2026-01-01T00:00:00Z','register':'aid_point','name':'Meals',"
          "'position':{'lat_e7':509500000,'lon_e7':18500000},'radius_m':100,"
          "'zone':'Europe/Paris','valid_from':'2026-01-01',"
          "'schedule':[{'weekday':'mon','start':'18:00','end':'20:00'}]}"));
    ADD(inc("k1", "2026-01-05T10:00:00+01:00", "['identity_check']",
            "{'place':{'site':'S1'},'affected':{'persons':['" P1 "']}}"));
    ADD(inc("k2", "2026-01-05T11:00:00+01:00", "['identity_check']",
            "{'place':{'site':'S1'},'affected':{'persons':['" P1 "']}}"));
    ADD(inc("k3", "2026-01-06T11:00:00+01:00", "['identity_check']",
            "{'place':{'site':'S1'},'affected':{'persons':['" P1 "']}}"));
    ADD(inc("k4", "2026-03-29T01:30:00+01:00", "['identity_check']",
            "{'place':{'site':'S2'},'affected':{'persons':['" P2 "']}}"));
    ADD(inc("k5", "2026-03-29T03:30:00+02:00", "['identity_check']",
            "{'place':{'site':'S2'},'affected':{'persons':['" P2 "']}}"));
    ADD(inc("k6", "2026-01-09T10:00:00+01:00", "['identity_check']",
            "{'place':{'site':'S3'},'affected':{'persons':['" P3 "']}}"));
    ADD(inc("k7", "2026-01-07T23:50:00+01:00", "['identity_check']",
            "{'place':{'site':'S1'},'affected':{'persons':['" P4 "']}}"));
    ADD(inc("k8", "2026-01-08T00:10:00+01:00", "['identity_check']",
            "{'place':{'site':'S1'},'affected':{'persons':['" P4 "']}}"));
    ADD(inc("t1", "2026-01-05T19:00:00+01:00", "['transport_to_station']",
            "{'place':{'name':'x','lat_e7':509500000,'lon_e7':18500000},"
            "'affected':{'count':6,'legal_status':{'asylum_seeker':2,'undocumented':3,"
            "'refugee':1}},'transport':{'destination':'reg:place:coq'}}"));
    ADD(inc("t2", "2026-01-06T19:00:00+01:00", "['transport_to_station']",
            "{'place':{'name':'x','lat_e7':509510000,'lon_e7':18500000},"
            "'affected':{'count':2,'legal_status':{'undocumented':2}},"
            "'transport':{'release_place':{'lat_e7':509500000,'lon_e7':18500000}}}"));
    ADD(inc("t3", "2026-01-07T00:00:00+01:00", "['transport_to_station']",
            "{'occurred':{'start':'2026-01-07T00:00:00+01:00','end':'2026-01-08T00:00:00+01:00',"
            "'precision':'day'},'source':{'type':'testimony'}}"));
    ADD(inc("n1", "2026-01-12T21:00:00+01:00", "['intervention_near_aid']",
            "{'place':{'name':'x','lat_e7':509500000,'lon_e7':18500000}}"));
    ADD(inc("v1", "2026-01-07T23:10:00+01:00", "['living_site_visit']", NULL));
    ADD(inc("v2", "2026-01-08T05:59:00+01:00", "['living_site_visit']", NULL));
    ADD(inc("v3", "2026-01-08T06:00:00+01:00", "['night_visit']", NULL));
    ADD(inc("v4", "2026-01-09T00:00:00+01:00", "['living_site_visit']",
            "{'occurred':{'start':'2026-01-09T00:00:00+01:00','end':'2026-01-10T00:00:00+01:00',"
            "'precision':'day'}}"));
    ADD(inc("e1", "2026-01-01T08:00:00+01:00", "['eviction']",
            "{'place':{'site':'S1'},'eviction':{'associations_invited':['HRO'],"
            "'associations_present':['HRO'],'invited_by':'sous-préfecture'},"
            "'items':[{'kind':'tents','action':'seized','count':5,'origin':'humanitarian'},"
            "{'kind':'phones','action':'seized','count':2,'origin':'personal'},"
            "{'kind':'blankets','action':'destroyed','count':3},"
            "{'kind':'cash_eur','action':'seized','count':50}]}"));
    ADD(inc("e2", "2026-01-03T08:00:00+01:00", "['eviction']", "{'place':{'site':'S1'}}"));
    ADD(inc("e3", "2026-01-03T09:00:00+01:00", "['eviction']", "{'place':{'site':'S1'}}"));
    ADD(inc("e4", "2026-01-10T08:00:00+01:00", "['eviction']", "{'place':{'site':'S1'}}"));
    ADD(inc("e5", "2026-01-02T08:00:00+01:00", "['eviction']", "{'place':{'site':'S2'}}"));
    ADD(inc("c1", "2026-02-10T10:00:00+01:00", "['identity_check']",
            "{'place':{'name':'y','lat_e7':510000000,'lon_e7':20000000}}"));
    ADD(inc("c2", "2026-02-10T11:59:00+01:00", "['arrest','identity_check']",
            "{'org':'ldh','monitor':'m2','place':{'name':'y','lat_e7':510030000,"
            "'lon_e7':20000000}}"));
    ADD(inc("c3", "2026-02-10T12:30:00+01:00", "['arrest']",
            "{'monitor':'m3','place':{'name':'y','lat_e7':510030000,'lon_e7':20000000}}"));
    ADD(inc("c5", "2026-02-10T13:00:00+01:00", "['eviction']",
            "{'place':{'name':'y','lat_e7':510030000,'lon_e7':20000000}}"));
    ADD(shift("s1", "hro", "2026-01-05T17:00:00+01:00", "2026-01-05T21:30:00+01:00"));
    ADD(shift("s2", "hro", "2026-01-05T22:00:00+01:00", "2026-01-05T23:00:00+01:00"));
    ADD(shift("s3", "hro", "2026-01-31T23:00:00+01:00", "2026-02-01T01:00:00+01:00"));
    ADD(shift("s4", "ldh", "2026-02-03T10:00:00+01:00", "2026-02-03T12:00:00+01:00"));
#undef ADD
    assert_int_equal(k, NR);
    constat_error_clear(&e);
    if (constat_figures_compute(recs, NR, tax, &figs, &e) != CONSTAT_OK)
        fail_msg("figures: %s", e.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NR; i++)
        json_decref(recs[i].record);
    json_decref(figs);
    constat_taxonomy_free(tax);
    return 0;
}

static const json_t *fig(const char *id)
{
    const json_t *a = json_object_get(figs, "figures");
    for (size_t i = 0; i < json_array_size(a); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "id")), id) == 0)
            return json_array_get(a, i);
    fail_msg("no figure %s", id);
    return NULL;
}

/* The row of figure `id` whose key is the JSON text `key` (' for "):
 * asserts its value and its leaves (JSON text). */
static void row(const char *id, const char *key, long long value, const char *leaves)
{
    const json_t *rows = json_object_get(fig(id), "rows");
    json_t *k = J(key), *l = J(leaves);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i);
        if (json_equal(json_object_get(r, "key"), k)) {
            char *got = json_dumps(json_object_get(r, "leaves"), JSON_COMPACT);
            if (json_integer_value(json_object_get(r, "value")) != value ||
                !json_equal(json_object_get(r, "leaves"), l))
                fail_msg("%s %s: value %lld leaves %s, expected %lld %s", id, key,
                         (long long)json_integer_value(json_object_get(r, "value")), got,
                         value, leaves);
            free(got);
            json_decref(k);
            json_decref(l);
            return;
        }
    }
    fail_msg("%s: no row %s", id, key);
}

static void no_row(const char *id, const char *key)
{
    const json_t *rows = json_object_get(fig(id), "rows");
    json_t *k = J(key);
    for (size_t i = 0; i < json_array_size(rows); i++)
        if (json_equal(json_object_get(json_array_get(rows, i), "key"), k))
            fail_msg("%s: unexpected row %s", id, key);
    json_decref(k);
}

/* Intervals (seconds), sorted: P4 1200 (8,9; across midnight), P1 3600 (2,3),
 * P2 3600 (5,6; 01:30+01:00 to 03:30+02:00 is one hour, not two), P1 86400
 * (3,4). P3 has one check: no interval. n = 4; nearest rank: q1 = ceil(1) ->
 * 1st = 1200, median = ceil(2) -> 2nd = 3600 (2,3), q3 = ceil(3) -> 3rd =
 * 3600 (5,6). Under 2 h: 3 of 4 -> 750 per thousand; under 24 h: 86400 is
 * not under, 3 -> 750. */
static void test_check_intervals(void **state)
{
    (void)state;
    row("check_intervals", "['persons_checked_twice_or_more']", 3, "[2,3,4,5,6,8,9]");
    row("check_intervals", "['intervals']", 4, "[2,3,4,5,6,8,9]");
    row("check_intervals", "['q1_s']", 1200, "[8,9]");
    row("check_intervals", "['median_s']", 3600, "[2,3]");
    row("check_intervals", "['q3_s']", 3600, "[5,6]");
    row("check_intervals", "['under_2h']", 3, "[2,3,5,6,8,9]");
    row("check_intervals", "['under_24h']", 3, "[2,3,5,6,8,9]");
    row("check_intervals", "['under_2h_permille']", 750, "[2,3,5,6,8,9]");
    row("check_intervals", "['under_24h_permille']", 750, "[2,3,5,6,8,9]");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(fig("check_intervals"), "parameters"), "under_short_s")),
                     7200);
}

/* P1 twice at S1 on 2026-01-05 (2,3); P2 twice at S2 on 2026-03-29 (5,6);
 * P4 at S1 at 23:50 and 00:10: two local days, no row; P1's third check is
 * alone on its day. */
static void test_same_place_same_day(void **state)
{
    (void)state;
    row("checks_same_place_same_day", "['S1','2026-01-05']", 1, "[2,3]");
    row("checks_same_place_same_day", "['S2','2026-03-29']", 1, "[5,6]");
    no_row("checks_same_place_same_day", "['S1','2026-01-07']");
    no_row("checks_same_place_same_day", "['S1','2026-01-08']");
    no_row("checks_same_place_same_day", "['S1','2026-01-06']");
    assert_int_equal(json_array_size(json_object_get(fig("checks_same_place_same_day"), "rows")),
                     2);
}

/* Statuses: asylum_seeker 2 + refugee 1 lawful = 3 of 2+3+1+2 = 8 stated:
 * 3000/8 = 375 per thousand. Persons transported (stated counts) 6 + 2. */
static void test_transported(void **state)
{
    (void)state;
    row("transported_by_legal_status", "['incidents',null]", 3, "[10,11,12]");
    row("transported_by_legal_status", "['persons','asylum_seeker']", 2, "[10]");
    row("transported_by_legal_status", "['persons','refugee']", 1, "[10]");
    row("transported_by_legal_status", "['persons','undocumented']", 5, "[10,11]");
    row("transported_by_legal_status", "['lawfully_present',null]", 3, "[10]");
    row("transported_by_legal_status", "['persons_with_stated_status',null]", 8, "[10,11]");
    row("transported_by_legal_status", "['share_lawfully_present_permille',null]", 375,
        "[10,11]");
    row("transported_by_legal_status", "['persons_transported',null]", 8, "[10,11]");
}

/* Same meridian, so the great circle is R * dlat: T1 from the register's
 * station at 50.90 back to 50.95: 6371008.8 * 0.05 * pi / 180 = 5559.75 ->
 * 5560 m (band 5-10 km, listing the register entry, leaf 0); T2 released at
 * 50.950, incident at 50.951: 111.195 -> 111 m; T3 has no position. Median
 * of (111, 5560), nearest rank ceil(1) = 1st = 111 (leaf 11). */
static void test_release_distance(void **state)
{
    (void)state;
    assert_int_equal(constat_distance_m(509000000, 18500000, 509500000, 18500000), 5560);
    assert_int_equal(constat_distance_m(509500000, 18500000, 509510000, 18500000), 111);
    assert_int_equal(constat_distance_m(1, 2, 1, 2), 0);
    row("release_distance", "['incidents','2_5_10km']", 1, "[0,10]");
    row("release_distance", "['incidents','0_lt_1km']", 1, "[11]");
    row("release_distance", "['incidents','1_1_5km']", 0, "[]");
    row("release_distance", "['not_computable',null]", 1, "[12]");
    row("release_distance", "['median_m',null]", 111, "[11]");
}

/* Timed incidents with a position: T1, T2, N1, C1, C2, C3, C5; period
 * 2026-01-05 .. 2026-02-10 = 37 days, whose Mondays are 01-05, 12, 19, 26,
 * 02-02, 02-09: 6 x 120 = 720 min of distribution, 37 x 1440 - 720 = 52560
 * outside, 53280 for the rest of the city. T1 (Monday 19:00, at the point)
 * is during; N1 (Monday 21:00) outside the hours; T2 is 111 m away (> 100 m)
 * and the C records far: rest of the city, 5. Rates per 1000 h = n * 60000
 * / minutes: 60000/720 = 83, 60000/52560 = 1, 300000/53280 = 5. Excluded:
 * 8 checks, T3, 4 visits, 5 evictions = 18. */
static void test_near_aid(void **state)
{
    (void)state;
    row("near_aid_during_distribution", "['incidents','reg:aid_point:a','during']", 1, "[1,10]");
    row("near_aid_during_distribution", "['incidents','reg:aid_point:a','outside_hours']", 1,
        "[1,13]");
    row("near_aid_during_distribution", "['incidents',null,'rest_of_city']", 5,
        "[11,23,24,25,26]");
    row("near_aid_during_distribution", "['exposure_minutes','reg:aid_point:a','during']", 720,
        "[1]");
    row("near_aid_during_distribution",
        "['exposure_minutes','reg:aid_point:a','outside_hours']", 52560, "[1]");
    row("near_aid_during_distribution", "['exposure_minutes',null,'rest_of_city']", 53280, "[]");
    row("near_aid_during_distribution", "['per_1000_hours','reg:aid_point:a','during']", 83,
        "[1,10]");
    row("near_aid_during_distribution", "['per_1000_hours','reg:aid_point:a','outside_hours']",
        1, "[1,13]");
    row("near_aid_during_distribution", "['per_1000_hours',null,'rest_of_city']", 5,
        "[11,23,24,25,26]");
    row("near_aid_during_distribution", "['excluded',null,null]", 18,
        "[2,3,4,5,6,7,8,9,12,14,15,16,17,18,19,20,21,22]");
}

/* 23:10 and 05:59 are night (22:00-06:00), 06:00 is not; the day-precision
 * visit has no hour. 2 of 3 -> 666 per thousand. */
static void test_visits_by_hour(void **state)
{
    (void)state;
    row("visits_by_hour", "['visits','23']", 1, "[14]");
    row("visits_by_hour", "['visits','05']", 1, "[15]");
    row("visits_by_hour", "['visits','06']", 1, "[16]");
    row("visits_by_hour", "['visits','12']", 0, "[]");
    row("visits_by_hour", "['night',null]", 2, "[14,15]");
    row("visits_by_hour", "['total',null]", 3, "[14,15,16]");
    row("visits_by_hour", "['night_share_permille',null]", 666, "[14,15]");
}

/* S1: 4 evictions on the distinct dates 01-01, 01-03, 01-10: gaps 2 and 7
 * days, median nearest rank ceil(1) = 2. S2: one eviction, no interval. */
static void test_evictions(void **state)
{
    (void)state;
    row("evictions_by_site", "['evictions','S1']", 4, "[18,19,20,21]");
    row("evictions_by_site", "['evictions','S2']", 1, "[22]");
    row("evictions_by_site", "['associations_present','S1']", 1, "[18]");
    row("evictions_by_site", "['associations_invited','S1']", 1, "[18]");
    row("eviction_interval_by_site", "['intervals','S1']", 2, "[18,19,20,21]");
    row("eviction_interval_by_site", "['median_days','S1']", 2, "[18,19,20,21]");
    no_row("eviction_interval_by_site", "['median_days','S2']");
}

/* Money (cash_eur) is not an object and stays out. */
static void test_items_origin(void **state)
{
    (void)state;
    row("items_by_kind_and_origin", "['humanitarian','tents','seized']", 5, "[18]");
    row("items_by_kind_and_origin", "['personal','phones','seized']", 2, "[18]");
    row("items_by_kind_and_origin", "['unstated','blankets','destroyed']", 3, "[18]");
    assert_int_equal(json_array_size(json_object_get(fig("items_by_kind_and_origin"), "rows")),
                     3);
}

/* hro in January: 3 shifts, 4.5 + 1 + 2 = 7.5 h -> 7, days 01-05 and 01-31
 * (the shift past midnight counts on its first day); ldh in February. */
static void test_presence(void **state)
{
    (void)state;
    row("field_presence_by_org", "['shifts','2026-01','hro']", 3, "[27,28,29]");
    row("field_presence_by_org", "['hours','2026-01','hro']", 7, "[27,28,29]");
    row("field_presence_by_org", "['distinct_days','2026-01','hro']", 2, "[27,28,29]");
    row("field_presence_by_org", "['organisations_present','2026-01',null]", 1, "[27,28,29]");
    row("field_presence_by_org", "['shifts','2026-02','ldh']", 1, "[30]");
    row("field_presence_by_org", "['hours','2026-02','ldh']", 2, "[30]");
    row("field_presence_by_org", "['organisations_present','2026-02',null]", 1, "[30]");
}

/* C1-C2: 1 h 59 min, 333.6 m, identity_check in common, m1/m2: linked; C2-C3:
 * 31 min, same point, arrest: linked; C1-C3 2.5 h apart, joined through C2.
 * C5 is 30 min from C3 at the same point but shares no category. One group
 * of 3 incidents, 3 monitors, 2 organisations, named by c1 (leaf 23). */
static void test_corroborated(void **state)
{
    (void)state;
    row("corroborated_incidents", "['groups',null]", 1, "[23,24,25]");
    row("corroborated_incidents", "['incidents',null]", 3, "[23,24,25]");
    row("corroborated_incidents", "['group_monitors','c1']", 3, "[23,24,25]");
    row("corroborated_incidents", "['group_orgs','c1']", 2, "[23,24,25]");
    row("corroborated_incidents", "['groups_two_orgs_or_more',null]", 1, "[23,24,25]");
}

/* transported_by_legal_status lists incidents 10, 11 (direct) and 12
 * (testimony) and the register entry 0 is not an incident: 2 of 3 first
 * hand -> 666 per thousand. */
static void test_source_share(void **state)
{
    (void)state;
    row("source_share_by_figure", "['transported_by_legal_status','direct_observation']", 2,
        "[10,11]");
    row("source_share_by_figure", "['transported_by_legal_status','testimony']", 1, "[12]");
    row("source_share_by_figure", "['transported_by_legal_status','first_hand_permille']", 666,
        "[10,11]");
    row("source_share_by_figure", "['release_distance','direct_observation']", 2, "[10,11]");
    row("source_share_by_figure", "['incidents_total','testimony']", 1, "[12]");
}

/* The check compares the stated parameters too: a dossier cannot claim a
 * figure computed with another window. */
static void test_check_parameters(void **state)
{
    json_t *claimed = json_deep_copy(figs), *a;
    constat_error e;
    (void)state;
    assert_int_equal(constat_figures_check(claimed, figs, NULL, NULL, &e), CONSTAT_OK);
    a = json_object_get(claimed, "figures");
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *f = json_array_get(a, i);
        if (strcmp(json_string_value(json_object_get(f, "id")), "corroborated_incidents") == 0)
            json_object_set_new(json_object_get(f, "parameters"), "radius_m", json_integer(5000));
    }
    assert_int_equal(constat_figures_check(claimed, figs, NULL, NULL, &e), CONSTAT_EVERIFY);
    assert_non_null(strstr(e.msg, "corroborated_incidents: parameters"));
    json_decref(claimed);
}

/* The figures are the same bytes for the records in another order. */
static void test_order_independent(void **state)
{
    constat_indexed_record rev[NR];
    json_t *again;
    constat_error e;
    (void)state;
    for (int i = 0; i < NR; i++)
        rev[i] = recs[NR - 1 - i];
    assert_int_equal(constat_figures_compute(rev, NR, tax, &again, &e), CONSTAT_OK);
    assert_true(json_equal(again, figs));
    json_decref(again);
}

static void expect_invalid(const char *rec, const char *msg)
{
    json_t *r = J(rec);
    constat_error e;
    constat_error_clear(&e);
    assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_EINVAL);
    if (!strstr(e.msg, msg))
        fail_msg("expected \"%s\" in \"%s\"", msg, e.msg);
    json_decref(r);
}

#define REG_HEAD "{'v':1,'kind':'register','org':'hro','monitor':'hro'," \
                 "'recorded_at':'2026-01-01T00:00:00Z',"
#define INC_HEAD "{'v':1,'kind':'incident','id':'i1','org':'hro','monitor':'m1'," \
                 "'recorded_at':'2026-01-01T10:00:00Z','occurred':{'start':"    \
                 "'2026-01-01T09:00:00Z','end':'2026-01-01T09:10:00Z','precision':'minute'}," \
                 "'place':{'name':'x'},'categories':['arrest'],'source':{'type':'testimony'},"

static void test_record_model(void **state)
{
    constat_error e;
    (void)state;
    /* every register entry of the setup is valid */
    for (int i = 0; i < 2; i++)
        assert_int_equal(constat_record_validate(recs[i].record, NULL, &e), CONSTAT_OK);
    for (int i = 27; i < NR; i++)
        assert_int_equal(constat_record_validate(recs[i].record, NULL, &e), CONSTAT_OK);
    expect_invalid(REG_HEAD "'id':'x1','register':'place','name':'n'}", "id");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'kiosk','name':'n'}", "register");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'place','name':'n','radius_m':5}",
                   "radius_m: a radius needs a position");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'place','name':'n','colour':'red'}",
                   "colour: unknown field");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'aid_point','name':'n','zone':'Europe/Paris',"
                            "'schedule':[{'weekday':'mon','start':'20:00','end':'18:00'}]}",
                   "schedule[0]: start must be before end");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'aid_point','name':'n',"
                            "'schedule':[{'weekday':'mon','start':'18:00','end':'20:00'}]}",
                   "zone");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'aid_point','name':'n','zone':'Z',"
                            "'schedule':[{'weekday':'monday','start':'18:00','end':'20:00'}]}",
                   "weekday");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'aid_point','name':'n','zone':'Z',"
                            "'schedule':[{'weekday':'mon','start':'18:60','end':'20:00'}]}",
                   "schedule[0].start: must be a time of day HH:MM");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'living_site','name':'n',"
                            "'valid_from':'2026-02-01','valid_to':'2026-01-01'}",
                   "valid_to: is before valid_from");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'living_site','name':'n',"
                            "'valid_from':'2026-02-30'}",
                   "valid_from: must be a date");
    expect_invalid("{'v':1,'kind':'register','org':'hro','monitor':'m1','recorded_at':"
                   "'2026-01-01T00:00:00Z','id':'reg:x','register':'place','name':'n'}",
                   "monitor: must be the organisation");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'living_site','name':'n','operator':'o'}",
                   "only aid points");
    expect_invalid(REG_HEAD "'id':'reg:x','register':'place','name':'n','polygon':"
                            "[{'lat_e7':1,'lon_e7':1},{'lat_e7':2,'lon_e7':2}]}",
                   "polygon: must list 3");
    /* an incident may not take a register id */
    {
        json_t *r = J(INC_HEAD "'summary':'s'}");
        json_object_set_new(r, "id", json_string("reg:i1"));
        constat_error_clear(&e);
        assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_EINVAL);
        assert_non_null(strstr(e.msg, "only they"));
        json_decref(r);
    }
    expect_invalid(INC_HEAD "'transport':{'destination':'coquelles'}}",
                   "transport.destination: must be the id of a register entry");
    expect_invalid(INC_HEAD "'transport':{'released_at':'2026-01-01T08:00:00Z'}}",
                   "transport.released_at: is before occurred.start");
    expect_invalid(INC_HEAD "'transport':{'release_place':{'lat_e7':900000001,'lon_e7':0}}}",
                   "transport.release_place: lat_e7");
    expect_invalid(INC_HEAD "'transport':{}}", "transport: must not be empty");
    expect_invalid(INC_HEAD "'eviction':{'associations_present':[''] }}",
                   "eviction.associations_present: must be an array of non-empty strings");
    expect_invalid(INC_HEAD "'eviction':{'notified':true}}", "eviction.notified: unknown field");
    expect_invalid(INC_HEAD "'items':[{'kind':'tents','action':'seized','count':1,"
                            "'origin':'donated'}]}",
                   "items[0].origin");
    {
        json_t *r = J(INC_HEAD "'transport':{'destination':'reg:place:coq','released_at':"
                               "'2026-01-01T12:00:00+01:00','release_place':{'name':'PAF',"
                               "'lat_e7':-1,'lon_e7':-2}},'eviction':{'invited_by':'mairie'}}");
        assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_OK);
        json_decref(r);
    }
}

static void test_calendar(void **state)
{
    int64_t d;
    int m;
    (void)state;
    assert_int_equal(constat_civil_days("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(constat_civil_days("2026-01-05", &d), 0);
    assert_int_equal(d, 20458); /* 56 years incl. 14 leap days: 56*365+14 = 20454, + 4 */
    assert_int_equal(constat_civil_days("2024-02-29", NULL), 0);
    assert_int_equal(constat_civil_days("2025-02-29", NULL), -1);
    assert_int_equal(constat_civil_days("2025-1-01", NULL), -1);
    assert_int_equal(constat_clock_minutes("24:00", &m), 0);
    assert_int_equal(m, 1440);
    assert_int_equal(constat_clock_minutes("24:01", NULL), -1);
    assert_int_equal(constat_weekday_index("sun"), 6);
    assert_int_equal(constat_weekday_index("Sun"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_intervals),  cmocka_unit_test(test_same_place_same_day),
        cmocka_unit_test(test_transported),      cmocka_unit_test(test_release_distance),
        cmocka_unit_test(test_near_aid),         cmocka_unit_test(test_visits_by_hour),
        cmocka_unit_test(test_evictions),        cmocka_unit_test(test_items_origin),
        cmocka_unit_test(test_presence),         cmocka_unit_test(test_corroborated),
        cmocka_unit_test(test_source_share),     cmocka_unit_test(test_check_parameters),
        cmocka_unit_test(test_order_independent), cmocka_unit_test(test_record_model),
        cmocka_unit_test(test_calendar),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
