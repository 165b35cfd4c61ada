/* test_import.c — CSV rows to incident records: the demo file, exact field
 * values, time zones and DST, coordinates, and every row error naming file,
 * line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/import.h"
#include "constat/record/record.h"

#define HEADER                                                                            \
    "source_id,source_url_or_repo_path,date,time,place_name,country,lat,lon,"             \
    "incident_types,authority,persons_affected,minors_involved,nationalities,"            \
    "items_seized_or_destroyed,notes_facts\n"
#define GOOD_ROW                                                                          \
    "T-1,https://example.org/r/1,2022-07-14,10:15,Calais living site,France,50.951,"     \
    "1.858,eviction;arrest,CRS; Police nationale,12,yes,Afghanistan; Sudan,"              \
    "tents:3;phones:unknown,observers saw the eviction\n"

static constat_taxonomy *tax;
static constat_countries *countries;

static int setup(void **state)
{
    constat_error err;
    (void)state;
    if (constat_init() != CONSTAT_OK)
        return -1;
    if (constat_taxonomy_load(CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json", &tax, &err) !=
        CONSTAT_OK) {
        fprintf(stderr, "taxonomy: %s\n", err.msg);
        return -1;
    }
    if (constat_countries_load(CONSTAT_SOURCE_DIR "/data/gazetteer/countries.json", &countries,
                               &err) != CONSTAT_OK) {
        fprintf(stderr, "countries: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    constat_taxonomy_free(tax);
    constat_countries_free(countries);
    return 0;
}

static constat_import_opts opts(const char *what)
{
    constat_import_opts o = {what, "human-rights-observers", "hro-import",
                             "2026-11-20T10:00:00Z", tax, countries, 0};
    return o;
}

/* Collected records (json array) and row errors. */
typedef struct {
    json_t *records;
    unsigned long lines[256];
    char errors[8][CONSTAT_ERROR_MSG_MAX];
    size_t nerr;
} sink;

static constat_status collect(void *ctx, unsigned long line, json_t *record, constat_error *err)
{
    sink *s = ctx;
    (void)err;
    if (json_array_size(s->records) < 256)
        s->lines[json_array_size(s->records)] = line;
    json_array_append(s->records, record);
    return CONSTAT_OK;
}

static constat_status collect_err(void *ctx, unsigned long line, const constat_error *e)
{
    sink *s = ctx;
    (void)line;
    if (s->nerr < 8)
        memcpy(s->errors[s->nerr], e->msg, sizeof s->errors[0]);
    s->nerr++;
    return CONSTAT_OK;
}

static void sink_init(sink *s)
{
    memset(s, 0, sizeof *s);
    s->records = json_array();
}

/* member by dotted path ("occurred.start", "items.1.count") */
static json_t *jpath(json_t *v, const char *path)
{
    char buf[128];
    char *save = NULL, *tok;
    snprintf(buf, sizeof buf, "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)strtoul(tok, NULL, 10));
        else
            v = json_object_get(v, tok);
    }
    return v;
}

static const char *jstr(json_t *rec, const char *path)
{
    json_t *v = jpath(rec, path);
    if (!json_is_string(v))
        fail_msg("%s is not a string", path);
    return json_string_value(v);
}

static long long jint(json_t *rec, const char *path)
{
    json_t *v = jpath(rec, path);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", path);
    return json_integer_value(v);
}

static json_t *find_id(json_t *records, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(records, i, r) if (strcmp(jstr(r, "id"), id) == 0) return r;
    fail_msg("record %s not found", id);
    return NULL;
}

static void expect_array(json_t *rec, const char *path, const char *const *want, size_t n)
{
    json_t *a = jpath(rec, path);
    assert_true(json_is_array(a));
    assert_int_equal(json_array_size(a), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(a, i)), want[i]);
}

/* ---------------------------------------------------------------------- */

static void test_demo_file(void **state)
{
    sink s;
    constat_import_counts c;
    constat_error err;
    constat_import_opts o = opts(NULL);
    constat_status st;
    json_t *r;
    size_t i;
    (void)state;

    sink_init(&s);
    constat_error_clear(&err);
    st = constat_import_csv(CONSTAT_SOURCE_DIR "/data/demo/incidents_public.csv", &o, collect,
                            collect_err, &s, &c, &err);
    for (size_t k = 0; k < s.nerr && k < 8; k++)
        fprintf(stderr, "row error: %s\n", s.errors[k]);
    assert_int_equal(c.rows, 170);
    assert_int_equal(c.duplicates, 0);
    assert_int_equal(s.nerr, c.rejected);
    assert_int_equal(c.records + c.rejected, 170);
    assert_int_equal(json_array_size(s.records), c.records);
    assert_int_equal(c.rejected, 0);
    assert_int_equal(st, CONSTAT_OK);
    assert_int_equal(c.records, 170);

    /* line 52 says "cigarettes:discarded": an action word instead of a
     * count, kept as action "destroyed" with an unknown count */
    r = find_id(s.records, "AYS-NNK-2018-10-15");
    assert_non_null(r);
    {
        json_t *items = json_object_get(r, "items"), *it;
        size_t k;
        int seen = 0;
        json_array_foreach(items, k, it) {
            if (strcmp(json_string_value(json_object_get(it, "kind")), "cigarettes") == 0) {
                assert_string_equal(json_string_value(json_object_get(it, "action")),
                                    "destroyed");
                assert_true(json_is_null(json_object_get(it, "count")));
                seen = 1;
            }
        }
        assert_true(seen);
    }

    /* every record validates again on its own, and ids are unique */
    json_array_foreach(s.records, i, r) {
        constat_error verr;
        assert_int_equal(constat_record_validate(r, tax, &verr), CONSTAT_OK);
        assert_string_equal(jstr(r, "id"), jstr(r, "source.source_id"));
        assert_string_equal(jstr(r, "org"), "human-rights-observers");
        assert_string_equal(jstr(r, "recorded_at"), "2026-11-20T10:00:00Z");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(jstr(r, "id"), jstr(json_array_get(s.records, j), "id"));
    }
    assert_int_equal(s.lines[0], 2);

    /* line 2: date only, French summer time */
    r = find_id(s.records, "SQUAT-2013-09-05-MOURON");
    assert_string_equal(jstr(r, "kind"), "incident");
    assert_int_equal(jint(r, "v"), 1);
    assert_string_equal(jstr(r, "occurred.precision"), "day");
    assert_string_equal(jstr(r, "occurred.start"), "2013-09-05T00:00:00+02:00");
    assert_string_equal(jstr(r, "occurred.end"), "2013-09-06T00:00:00+02:00");
    assert_string_equal(jstr(r, "place.name"), "Squat on rue Mouron, Calais");
    assert_string_equal(jstr(r, "place.country"), "France");
    assert_int_equal(jint(r, "place.lat_e7"), 509510000);
    assert_int_equal(jint(r, "place.lon_e7"), 18580000);
    assert_int_equal(jint(r, "place.precision_m"), 5000);
    assert_null(jpath(r, "place.commune"));
    expect_array(r, "categories", (const char *const[]){"eviction"}, 1);
    expect_array(r, "authority.forces", (const char *const[]){"Police nationale"}, 1);
    assert_string_equal(jstr(r, "affected.minors"), "unknown");
    assert_null(jpath(r, "affected.count"));
    assert_null(jpath(r, "affected.nationalities"));
    assert_null(jpath(r, "items"));
    assert_string_equal(jstr(r, "source.type"), "publication");
    assert_string_equal(jstr(r, "source.reference"),
                        "https://fr.squat.net/2014/05/26/calais-expulsions-annoncees-ou-en-est-on/");
    assert_string_equal(jstr(r, "summary"), "first of a wave of evictions in September-October "
                                            "2013 cited in the article");

    /* line 14: French winter date */
    r = find_id(s.records, "PRESS-2017-11-24-DUNES");
    assert_string_equal(jstr(r, "occurred.start"), "2017-11-24T00:00:00+01:00");
    assert_string_equal(jstr(r, "occurred.end"), "2017-11-25T00:00:00+01:00");
    assert_int_equal(jint(r, "place.lon_e7"), 19000000);
    assert_int_equal(jint(r, "affected.count"), 1);
    expect_array(r, "affected.nationalities", (const char *const[]){"Eritrea"}, 1);
    expect_array(r, "categories", (const char *const[]){"tear_gas"}, 1);

    /* line 118: a time, summer; three counted items */
    r = find_id(s.records, "HRO-2021-05-18-GS");
    assert_string_equal(jstr(r, "occurred.precision"), "minute");
    assert_string_equal(jstr(r, "occurred.start"), "2021-05-18T08:29:00+02:00");
    assert_string_equal(jstr(r, "occurred.end"), "2021-05-18T08:29:00+02:00");
    assert_int_equal(jint(r, "place.lat_e7"), 510140000);
    assert_int_equal(jint(r, "place.lon_e7"), 23030000);
    expect_array(r, "categories",
                 (const char *const[]){"eviction", "property_destruction", "property_seizure"}, 3);
    assert_int_equal(json_array_size(jpath(r, "items")), 3);
    assert_string_equal(jstr(r, "items.0.kind"), "tents");
    assert_string_equal(jstr(r, "items.0.action"), "seized_or_destroyed");
    assert_int_equal(jint(r, "items.0.count"), 110);
    assert_string_equal(jstr(r, "items.1.kind"), "tarpaulins");
    assert_int_equal(jint(r, "items.1.count"), 113);
    /* "wooden_shelters_destroyed:10": the action suffix becomes the action */
    assert_string_equal(jstr(r, "items.2.kind"), "wooden_shelters");
    assert_string_equal(jstr(r, "items.2.action"), "destroyed");
    assert_int_equal(jint(r, "items.2.count"), 10);
    assert_int_equal(jint(r, "affected.count"), 300);
    assert_string_equal(jstr(r, "affected.minors"), "yes");

    /* line 144: Romania, still summer time (+03:00) on 25 October 2022 */
    r = find_id(s.records, "BVMN-2022-10-25-MAJDAN");
    assert_string_equal(jstr(r, "occurred.start"), "2022-10-25T16:00:00+03:00");
    assert_int_equal(jint(r, "place.lat_e7"), 460600000);
    assert_int_equal(jint(r, "place.lon_e7"), 203300000);
    expect_array(r, "authority.forces", (const char *const[]){"Romanian border police"}, 1);
    assert_string_equal(jstr(r, "items.0.kind"), "cash_eur");
    assert_int_equal(jint(r, "items.0.count"), 350);
    assert_true(json_is_null(jpath(r, "items.1.count")));
    assert_string_equal(jstr(r, "items.1.kind"), "clothes");
    assert_string_equal(jstr(r, "items.1.action"), "destroyed");
    /* "phones_burned:1" */
    assert_string_equal(jstr(r, "items.2.kind"), "phones");
    assert_string_equal(jstr(r, "items.2.action"), "destroyed");
    assert_int_equal(jint(r, "items.2.count"), 1);
    expect_array(r, "categories",
                 (const char *const[]){"humiliating_behaviour", "physical_violence",
                                       "property_destruction", "pushback", "theft"},
                 5);

    /* line 17: Menton, one week after the spring change (+02:00); quoted notes */
    r = find_id(s.records, "PRESS-2018-03-31-MENTON");
    assert_string_equal(jstr(r, "occurred.start"), "2018-03-31T08:00:00+02:00");
    assert_int_equal(jint(r, "place.lat_e7"), 437840000);

    /* a row without coordinates: no lat/lon/precision */
    r = find_id(s.records, "BVMN-2020-09-01-TOVARNIK");
    assert_null(jpath(r, "place.lat_e7"));
    assert_null(jpath(r, "place.lon_e7"));
    assert_null(jpath(r, "place.precision_m"));
    assert_string_equal(jstr(r, "occurred.start"), "2020-09-01T01:00:00+02:00");

    /* three forces, split on "; " in order */
    r = find_id(s.records, "HRO-2021-04-16-PUYTHOUCK");
    expect_array(r, "authority.forces",
                 (const char *const[]){"Municipal authorities of Grande-Synthe",
                                       "municipal police", "private security"},
                 3);
    json_decref(s.records);
}

/* Import `csv` (a string) and expect exactly `msg` (without a callback for
 * row errors, so the first error stops). */
static void expect_import_error(const char *csv, constat_status code, const char *msg)
{
    constat_import_opts o = opts("t.csv");
    constat_import_counts c;
    constat_error err;
    constat_error_clear(&err);
    assert_int_equal(constat_import_csv_mem(csv, strlen(csv), &o, NULL, NULL, NULL, &c, &err),
                     code);
    assert_string_equal(err.msg, msg);
}

static void test_good_row(void **state)
{
    const char *csv = HEADER GOOD_ROW;
    constat_import_opts o = opts("t.csv");
    constat_import_counts c;
    constat_error err;
    sink s;
    json_t *r;
    char *dump;
    (void)state;
    sink_init(&s);
    assert_int_equal(constat_import_csv_mem(csv, strlen(csv), &o, collect, NULL, &s, &c, &err),
                     CONSTAT_OK);
    assert_int_equal(c.records, 1);
    r = json_array_get(s.records, 0);
    dump = json_dumps(r, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(
        dump,
        "{\"affected\":{\"count\":12,\"minors\":\"yes\",\"nationalities\":[\"Afghanistan\","
        "\"Sudan\"]},\"authority\":{\"forces\":[\"CRS\",\"Police nationale\"]},"
        "\"categories\":[\"arrest\",\"eviction\"],\"id\":\"T-1\",\"items\":[{\"action\":"
        "\"seized_or_destroyed\",\"count\":3,\"kind\":\"tents\"},{\"action\":"
        "\"seized_or_destroyed\",\"count\":null,\"kind\":\"phones\"}],\"kind\":\"incident\","
        "\"monitor\":\"hro-import\",\"occurred\":{\"end\":\"2022-07-14T10:15:00+02:00\","
        "\"precision\":\"minute\",\"start\":\"2022-07-14T10:15:00+02:00\"},\"org\":"
        "\"human-rights-observers\",\"place\":{\"country\":\"France\",\"lat_e7\":509510000,"
        "\"lon_e7\":18580000,\"name\":\"Calais living site\",\"precision_m\":5000},"
        "\"recorded_at\":\"2026-11-20T10:00:00Z\",\"source\":{\"reference\":"
        "\"https://example.org/r/1\",\"source_id\":\"T-1\",\"type\":\"publication\"},"
        "\"summary\":\"observers saw the eviction\",\"v\":1}");
    free(dump);
    json_decref(s.records);
}

/* Kinds with the action in their name become kind + action; the value
 * word and the suffix may agree; an event within the tolerance of the
 * recording time is accepted. */
static void test_item_suffixes(void **state)
{
    constat_import_opts o = opts("t.csv");
    constat_error err;
    sink s = {json_array(), {0}, {{0}}, 0};
    json_t *r;
    const char *csv =
        HEADER
        "T-1,u,2022-07-14,,p,France,,,eviction,,,no,,phones_broken:4;phones_taken:6;"
        "mosque_destroyed:1;cash_eur:700;fine_paid_eur:270;cash:unknown;bags_thrown:destroyed,\n"
        /* 11:09 in Paris is 10:09Z, 540 s after recorded_at 10:00Z: within the tolerance */
        "T-2,u,2026-11-20,11:09,p,France,,,eviction,,,no,,,\n";
    (void)state;
    constat_error_clear(&err);
    assert_int_equal(constat_import_csv_mem(csv, strlen(csv), &o, collect, NULL, &s, NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(json_array_size(s.records), 2);
    r = json_array_get(s.records, 0);
    assert_string_equal(jstr(r, "items.0.kind"), "phones");
    assert_string_equal(jstr(r, "items.0.action"), "destroyed");
    assert_int_equal(jint(r, "items.0.count"), 4);
    assert_string_equal(jstr(r, "items.1.kind"), "phones");
    assert_string_equal(jstr(r, "items.1.action"), "seized");
    assert_int_equal(jint(r, "items.1.count"), 6);
    assert_string_equal(jstr(r, "items.2.kind"), "mosque");
    assert_string_equal(jstr(r, "items.2.action"), "destroyed");
    /* kinds the taxonomy lists as they are stay whole, suffix-like or not */
    assert_string_equal(jstr(r, "items.3.kind"), "cash_eur");
    assert_string_equal(jstr(r, "items.3.action"), "seized_or_destroyed");
    assert_string_equal(jstr(r, "items.4.kind"), "fine_paid_eur");
    assert_string_equal(jstr(r, "items.5.kind"), "cash");
    assert_true(json_is_null(jpath(r, "items.5.count")));
    assert_string_equal(jstr(r, "items.6.kind"), "bags");
    assert_string_equal(jstr(r, "items.6.action"), "destroyed");
    assert_true(json_is_null(jpath(r, "items.6.count")));
    r = json_array_get(s.records, 1);
    assert_string_equal(jstr(r, "occurred.start"), "2026-11-20T11:09:00+01:00");
    json_decref(s.records);
}

static void test_row_errors(void **state)
{
    (void)state;
    expect_import_error(HEADER GOOD_ROW "T-2,u,2022-07-14,,p,France,1,2,eviction,,,yes,,\n",
                        CONSTAT_EINVAL, "t.csv: line 3: expected 15 columns, found 14");
    expect_import_error(HEADER GOOD_ROW
                        "T-2,u,2022-07-14,,p,France,1,2,eviction,,,yes,,,note,extra\n",
                        CONSTAT_EINVAL, "t.csv: line 3: expected 15 columns, found 16");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-30,,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column date: '2023-02-30' is not a valid YYYY-MM-DD date");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-29,,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column date: '2023-02-29' is not a valid YYYY-MM-DD date");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,24:00,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column time: '24:00' is not a valid HH:MM time");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction; xyz,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column incident_types: unknown category 'xyz'");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,,,,no,,,\n", CONSTAT_EINVAL,
                        "t.csv: line 3, column incident_types: at least one category is required");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,tents:x,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: count of 'tents' must "
                        "be a non-negative integer, 'unknown', or one of destroyed, discarded, burned, "
                        "broken, seized, taken; not 'x'");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,tents,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: 'tents' is not "
                        "kind:count");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,Tents:1,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: item kind 'Tents' must "
                        "be 1-64 characters of a-z, 0-9, _");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,Atlantis,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column country: unknown country 'Atlantis' (not in the "
                        "gazetteer)");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,,maybe,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column minors_involved: 'maybe' is not one of yes, no, "
                        "unknown");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,-3,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column persons_affected: '-3' is not a non-negative "
                        "integer");
    expect_import_error(HEADER GOOD_ROW "T 2,u,2023-02-28,,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column source_id: 'T 2' is not a record id (1-128 "
                        "characters of A-Z a-z 0-9 . _ : -)");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL, "t.csv: line 3, column place_name: a place name is required");
    expect_import_error(HEADER GOOD_ROW "T-2,,2023-02-28,,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column source_url_or_repo_path: a source reference is "
                        "required");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,45.1,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column lon: lat and lon must both be given or both be "
                        "empty");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,90.0000001,1,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column lat: '90.0000001' is not decimal degrees within "
                        "-90..90");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,45,1e1,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column lon: '1e1' is not decimal degrees within "
                        "-180..180");
    /* a quoted field spanning lines: the error names the row's first line */
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,\"p\nq\",France,,,eviction,,,huh,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column minors_involved: 'huh' is not one of yes, no, "
                        "unknown");
    /* spring forward: 02:30 does not exist in Paris on 31 March 2019 */
    expect_import_error(HEADER GOOD_ROW "T-2,u,2019-03-31,02:30,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column time: local time 2019-03-31 02:30 does not exist "
                        "in Europe/Paris (clocks moved forward)");
    /* items: kinds the taxonomy does not know, with or without a suffix */
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,kettles:1,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: unknown item kind "
                        "'kettles' (not in the taxonomy's item_kinds, with or without an action "
                        "suffix)");
    expect_import_error(HEADER GOOD_ROW
                        "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,kettles_broken:1,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: unknown item kind "
                        "'kettles_broken' (not in the taxonomy's item_kinds, with or without an "
                        "action suffix)");
    /* two actions for one entry; one kind and action twice */
    expect_import_error(HEADER GOOD_ROW
                        "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,phones_broken:taken,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: 'phones_broken:taken' "
                        "states two actions (destroyed in the kind, seized in the value)");
    expect_import_error(HEADER GOOD_ROW
                        "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,phones_broken:1;phones_burned:2,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column items_seized_or_destroyed: item kind 'phones' "
                        "with action destroyed given twice");
    /* an amount of cash in no stated currency cannot be summed */
    expect_import_error(HEADER GOOD_ROW "T-2,u,2023-02-28,,p,France,,,eviction,,,no,,cash:50,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3: items[0].count: an amount of \"cash\", whose currency is "
                        "not stated, must be null (use a kind with an ISO 4217 currency)");
    /* events after the recording time (2026-11-20T10:00:00Z) beyond 600 s */
    expect_import_error(HEADER GOOD_ROW "T-2,u,2031-11-20,,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column date: the incident starts at "
                        "2031-11-20T00:00:00+01:00, after the recording time "
                        "2026-11-20T10:00:00Z (more than 600 s later): an event cannot be "
                        "recorded before it happens");
    expect_import_error(HEADER GOOD_ROW "T-2,u,2026-11-20,11:11,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column time: the incident starts at "
                        "2026-11-20T11:11:00+01:00, after the recording time "
                        "2026-11-20T10:00:00Z (more than 600 s later): an event cannot be "
                        "recorded before it happens");
    /* CSV syntax errors come through with the file name */
    expect_import_error(HEADER GOOD_ROW "T-2,\"u", CONSTAT_EINVAL,
                        "t.csv: line 3: unterminated quoted field (field 2) at end of input");
}

static void test_header_errors(void **state)
{
    (void)state;
    expect_import_error("", CONSTAT_EINVAL, "t.csv: empty file");
    expect_import_error("\xEF\xBB\xBF", CONSTAT_EINVAL, "t.csv: empty file");
    expect_import_error("source_id,source_url_or_repo_path,date,place_name,country,lat,lon,"
                        "incident_types,authority,persons_affected,minors_involved,"
                        "nationalities,items_seized_or_destroyed,notes_facts\n",
                        CONSTAT_EINVAL, "t.csv: line 1: missing column 'time'");
    expect_import_error("source_id,source_url_or_repo_path,date,time,place_name,country,lat,lon,"
                        "incident_types,authority,persons_affected,minors_involved,"
                        "nationalities,items_seized_or_destroyed,notes_facts,witness\n",
                        CONSTAT_EINVAL, "t.csv: line 1: unexpected column 'witness'");
    expect_import_error("source_id,source_url_or_repo_path,time,date,place_name,country,lat,lon,"
                        "incident_types,authority,persons_affected,minors_involved,"
                        "nationalities,items_seized_or_destroyed,notes_facts\n",
                        CONSTAT_EINVAL, "t.csv: line 1: column 3 is 'time', expected 'date'");
    expect_import_error("source_id,source_url_or_repo_path,date,time,place_name,country,lat,lon,"
                        "incident_types,authority,persons_affected,minors_involved,"
                        "nationalities,items_seized_or_destroyed,notes_facts,date\n",
                        CONSTAT_EINVAL, "t.csv: line 1: column 'date' appears twice");
}

static void test_duplicates(void **state)
{
    const char *csv = HEADER GOOD_ROW "\n" GOOD_ROW;
    constat_import_opts o = opts("t.csv");
    constat_import_counts c;
    constat_error err;
    sink s;
    (void)state;
    sink_init(&s);
    assert_int_equal(constat_import_csv_mem(csv, strlen(csv), &o, collect, NULL, &s, &c, &err),
                     CONSTAT_OK);
    assert_int_equal(c.rows, 2);
    assert_int_equal(c.records, 1);
    assert_int_equal(c.duplicates, 1);
    assert_int_equal(json_array_size(s.records), 1);
    json_decref(s.records);

    /* same id, different content: refused, naming the first line */
    expect_import_error(HEADER GOOD_ROW
                        "T-1,https://example.org/r/1,2022-07-15,,p,France,,,eviction,,,no,,,\n",
                        CONSTAT_EINVAL,
                        "t.csv: line 3, column source_id: id 'T-1' already used by line 2 with "
                        "different content");
}

/* With a row-error callback the whole file is read and every error listed. */
static void test_keep_going(void **state)
{
    const char *csv = HEADER "T-0,u,2022-01-01,,p,France,,,eviction,,,no,,,\n"
                             "T-1,u,2022-13-01,,p,France,,,eviction,,,no,,,\n"
                             "T-2,u,2022-01-02,,p,France,,,eviction,,,no,,,\n"
                             "T-3,u,2022-01-03,,p,Narnia,,,eviction,,,no,,,\n";
    constat_import_opts o = opts("k.csv");
    constat_import_counts c;
    constat_error err;
    sink s;
    (void)state;
    sink_init(&s);
    assert_int_equal(constat_import_csv_mem(csv, strlen(csv), &o, collect, collect_err, &s, &c,
                                            &err),
                     CONSTAT_EINVAL);
    assert_string_equal(err.msg, "k.csv: 2 rows rejected");
    assert_int_equal(c.rows, 4);
    assert_int_equal(c.records, 2);
    assert_int_equal(c.rejected, 2);
    assert_int_equal(s.nerr, 2);
    assert_string_equal(s.errors[0],
                        "k.csv: line 3, column date: '2022-13-01' is not a valid YYYY-MM-DD date");
    assert_string_equal(s.errors[1],
                        "k.csv: line 5, column country: unknown country 'Narnia' (not in the "
                        "gazetteer)");
    assert_int_equal(s.lines[0], 2);
    assert_int_equal(s.lines[1], 4);
    json_decref(s.records);
}

static constat_status refuse(void *ctx, unsigned long line, json_t *record, constat_error *err)
{
    (void)ctx;
    (void)record;
    if (line == 3)
        return constat_error_set(err, CONSTAT_ECONFLICT, "vault says no");
    return CONSTAT_OK;
}

static void test_callback_stops(void **state)
{
    const char *csv = HEADER "T-0,u,2022-01-01,,p,France,,,eviction,,,no,,,\n"
                             "T-1,u,2022-01-02,,p,France,,,eviction,,,no,,,\n"
                             "T-2,u,2022-01-03,,p,France,,,eviction,,,no,,,\n";
    constat_import_opts o = opts("c.csv");
    constat_import_counts c;
    constat_error err;
    (void)state;
    assert_int_equal(constat_import_csv_mem(csv, strlen(csv), &o, refuse, NULL, NULL, &c, &err),
                     CONSTAT_ECONFLICT);
    assert_string_equal(err.msg, "c.csv: line 3: vault says no");
    assert_int_equal(c.records, 1);
}

/* BOM + CRLF gives the same records as plain LF; a trailing blank line is
 * ignored. */
static void test_bom_crlf_same(void **state)
{
    const char *lf = HEADER GOOD_ROW "T-9,u,2022-01-01,,\"two\nlines\",France,,,eviction,,,no,,,\n\n";
    const char *crlf = "\xEF\xBB\xBF" "source_id,source_url_or_repo_path,date,time,place_name,"
                       "country,lat,lon,incident_types,authority,persons_affected,"
                       "minors_involved,nationalities,items_seized_or_destroyed,notes_facts\r\n"
                       "T-1,https://example.org/r/1,2022-07-14,10:15,Calais living site,France,"
                       "50.951,1.858,eviction;arrest,CRS; Police nationale,12,yes,Afghanistan; "
                       "Sudan,tents:3;phones:unknown,observers saw the eviction\r\n"
                       "T-9,u,2022-01-01,,\"two\r\nlines\",France,,,eviction,,,no,,,\r\n";
    constat_import_opts o = opts("t.csv");
    constat_error err;
    sink a, b;
    (void)state;
    sink_init(&a);
    sink_init(&b);
    assert_int_equal(constat_import_csv_mem(lf, strlen(lf), &o, collect, NULL, &a, NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_import_csv_mem(crlf, strlen(crlf), &o, collect, NULL, &b, NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(json_array_size(a.records), 2);
    assert_true(json_equal(a.records, b.records));
    assert_string_equal(jstr(json_array_get(a.records, 1), "place.name"), "two\nlines");
    assert_string_equal(jstr(json_array_get(a.records, 1), "occurred.start"),
                        "2022-01-01T00:00:00+01:00");
    json_decref(a.records);
    json_decref(b.records);
}

/* Coordinates are exact decimal conversions with half-away-from-zero rounding. */
static void test_coordinates(void **state)
{
    static const struct {
        const char *lat, *lon;
        long long la, lo;
    } cases[] = {
        {"45.1950", "15.787", 451950000, 157870000},
        {"0.1", "-0.1", 1000000, -1000000},
        {"45.12345675", "-15.12345675", 451234568, -151234568},
        {"45.12345674999", "15.123456749", 451234567, 151234567},
        {"-0.00000005", "0.00000004", -1, 0},
        {"90", "-180", 900000000, -1800000000},
        {"-90.0000000", "180.00000004", -900000000, 1800000000},
        {"+1.5", "007.25", 15000000, 72500000},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[1024];
        constat_import_opts o = opts("t.csv");
        constat_error err;
        sink s;
        sink_init(&s);
        snprintf(csv, sizeof csv, HEADER "T-%zu,u,2022-01-01,,p,France,%s,%s,eviction,,,no,,,\n",
                 i, cases[i].lat, cases[i].lon);
        if (constat_import_csv_mem(csv, strlen(csv), &o, collect, NULL, &s, NULL, &err) !=
            CONSTAT_OK)
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(jint(json_array_get(s.records, 0), "place.lat_e7"), cases[i].la);
        assert_int_equal(jint(json_array_get(s.records, 0), "place.lon_e7"), cases[i].lo);
        json_decref(s.records);
    }
}

/* DST edges through the public conversion and through day precision. */
static void test_local_time(void **state)
{
    int64_t t;
    int off;
    constat_error err;
    (void)state;
    /* Paris, 2024-03-31: 01:59 is +01:00, 03:00 is +02:00, 02:30 does not exist */
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 3, 31, 1, 59, &t, &off, &err),
                     CONSTAT_OK);
    assert_int_equal(off, 3600);
    assert_int_equal(t, 1711846740); /* 2024-03-31T00:59:00Z */
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 3, 31, 3, 0, &t, &off, &err),
                     CONSTAT_OK);
    assert_int_equal(off, 7200);
    assert_int_equal(t, 1711846800); /* 2024-03-31T01:00:00Z */
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 3, 31, 2, 30, &t, &off, &err),
                     CONSTAT_EINVAL);
    assert_string_equal(err.msg, "local time 2024-03-31 02:30 does not exist in Europe/Paris "
                                 "(clocks moved forward)");
    /* 2024-10-27 02:30 happens twice: the first (+02:00) is taken */
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 10, 27, 2, 30, &t, &off, &err),
                     CONSTAT_OK);
    assert_int_equal(off, 7200);
    assert_int_equal(t, 1729989000); /* 2024-10-27T00:30:00Z */
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 10, 27, 3, 0, &t, &off, &err),
                     CONSTAT_OK);
    assert_int_equal(off, 3600);
    assert_int_equal(constat_local_to_utc("Europe/Nowhere", 2024, 1, 1, 0, 0, &t, &off, &err),
                     CONSTAT_EINVAL);
    assert_string_equal(err.msg, "unknown time zone 'Europe/Nowhere'");
    assert_int_equal(constat_local_to_utc("../etc/passwd", 2024, 1, 1, 0, 0, &t, &off, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2023, 2, 29, 0, 0, &t, &off, &err),
                     CONSTAT_EINVAL);
    /* TZ is restored */
    setenv("TZ", "Asia/Tokyo", 1);
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 1, 1, 0, 0, &t, &off, &err),
                     CONSTAT_OK);
    assert_string_equal(getenv("TZ"), "Asia/Tokyo");
    unsetenv("TZ");
    assert_int_equal(constat_local_to_utc("Europe/Paris", 2024, 1, 1, 0, 0, &t, &off, &err),
                     CONSTAT_OK);
    assert_null(getenv("TZ"));
}

static void test_day_precision_dst(void **state)
{
    /* a gazetteer where midnight itself is skipped or repeated (Sao Paulo
     * moved clocks at 00:00 until 2019) */
    const char *gz = "{\"v\":1,\"countries\":[{\"name\":\"France\",\"iso2\":\"FR\",\"zone\":"
                     "\"Europe/Paris\"},{\"name\":\"Brazil\",\"iso2\":\"BR\",\"zone\":"
                     "\"America/Sao_Paulo\"}]}";
    const char *csv = HEADER "A,u,2024-03-31,,p,France,,,eviction,,,no,,,\n"
                             "B,u,2024-10-27,,p,France,,,eviction,,,no,,,\n"
                             "C,u,2018-11-04,,p,Brazil,,,eviction,,,no,,,\n"
                             "D,u,2019-02-16,,p,Brazil,,,eviction,,,no,,,\n"
                             "E,u,2019-02-16,23:30,p,Brazil,,,eviction,,,no,,,\n";
    constat_countries *gzc;
    constat_import_opts o = opts("t.csv");
    constat_error err;
    sink s;
    (void)state;
    assert_int_equal(constat_countries_parse(gz, strlen(gz), "gz", &gzc, &err), CONSTAT_OK);
    o.countries = gzc;
    sink_init(&s);
    if (constat_import_csv_mem(csv, strlen(csv), &o, collect, NULL, &s, NULL, &err) != CONSTAT_OK)
        fail_msg("%s", err.msg);
    /* 23-hour and 25-hour days in Paris */
    assert_string_equal(jstr(json_array_get(s.records, 0), "occurred.start"),
                        "2024-03-31T00:00:00+01:00");
    assert_string_equal(jstr(json_array_get(s.records, 0), "occurred.end"),
                        "2024-04-01T00:00:00+02:00");
    assert_string_equal(jstr(json_array_get(s.records, 1), "occurred.start"),
                        "2024-10-27T00:00:00+02:00");
    assert_string_equal(jstr(json_array_get(s.records, 1), "occurred.end"),
                        "2024-10-28T00:00:00+01:00");
    /* midnight skipped: the day starts at its first instant (01:00-02:00),
     * written as midnight at -03:00 */
    assert_string_equal(jstr(json_array_get(s.records, 2), "occurred.start"),
                        "2018-11-04T00:00:00-03:00");
    assert_string_equal(jstr(json_array_get(s.records, 2), "occurred.end"),
                        "2018-11-05T00:00:00-02:00");
    /* a 25-hour day ending at the repeated hour's second midnight */
    assert_string_equal(jstr(json_array_get(s.records, 3), "occurred.start"),
                        "2019-02-16T00:00:00-02:00");
    assert_string_equal(jstr(json_array_get(s.records, 3), "occurred.end"),
                        "2019-02-17T00:00:00-03:00");
    /* 23:30 happened twice that night: the first, at -02:00 */
    assert_string_equal(jstr(json_array_get(s.records, 4), "occurred.start"),
                        "2019-02-16T23:30:00-02:00");
    json_decref(s.records);
    constat_countries_free(gzc);
}

static void test_gazetteer(void **state)
{
    constat_countries *c;
    constat_error err;
    const constat_country *fr;
    (void)state;
    /* every country of the demo file, with its code and zone */
    static const char *const want[][3] = {
        {"Croatia", "HR", "Europe/Zagreb"},      {"France", "FR", "Europe/Paris"},
        {"Slovenia", "SI", "Europe/Ljubljana"},  {"Italy", "IT", "Europe/Rome"},
        {"North Macedonia", "MK", "Europe/Skopje"}, {"Greece", "GR", "Europe/Athens"},
        {"Romania", "RO", "Europe/Bucharest"},   {"Hungary", "HU", "Europe/Budapest"},
        {"Albania", "AL", "Europe/Tirane"},      {"Bulgaria", "BG", "Europe/Sofia"},
        {"Serbia", "RS", "Europe/Belgrade"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        fr = constat_countries_find(countries, want[i][0]);
        assert_non_null(fr);
        assert_string_equal(fr->iso2, want[i][1]);
        assert_string_equal(fr->zone, want[i][2]);
    }
    assert_null(constat_countries_find(countries, "france"));
    assert_true(constat_countries_count(countries) >= 11);
    assert_non_null(constat_countries_at(countries, 0));
    assert_null(constat_countries_at(countries, 1000));

#define BAD_GZ(json, want_msg)                                                                 \
    do {                                                                                  \
        constat_error_clear(&err);                                                        \
        assert_int_equal(constat_countries_parse(json, strlen(json), "g", &c, &err),      \
                         CONSTAT_EINVAL);                                                 \
        assert_null(c);                                                                   \
        assert_string_equal(err.msg, want_msg);                                           \
    } while (0)
    BAD_GZ("{\"v\":1,\"countries\":[{\"name\":\"X\",\"iso2\":\"XX\",\"zone\":\"Mars/Olympus\"}]}",
           "g: countries[0].zone: unknown time zone 'Mars/Olympus'");
    BAD_GZ("{\"v\":1,\"countries\":[{\"name\":\"X\",\"iso2\":\"xx\",\"zone\":\"Europe/Paris\"}]}",
           "g: countries[0].iso2: 'xx' is not two capital letters");
    BAD_GZ("{\"v\":1,\"countries\":[{\"name\":\"X\",\"iso2\":\"XX\",\"zone\":\"Europe/Paris\"},"
           "{\"name\":\"X\",\"iso2\":\"XY\",\"zone\":\"Europe/Paris\"}]}",
           "g: countries[1]: 'X' / XY already listed");
    BAD_GZ("{\"v\":2,\"countries\":[]}", "g: v: must be 1");
    BAD_GZ("{\"v\":1,\"countries\":[{\"name\":\"X\",\"iso2\":\"XX\"}]}",
           "g: countries[0].zone: must be a non-empty string");
    BAD_GZ("{\"v\":1,\"v\":1}", "g: line 1: duplicate object key near '\"v\"'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_file),
        cmocka_unit_test(test_good_row),
        cmocka_unit_test(test_item_suffixes),
        cmocka_unit_test(test_row_errors),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_keep_going),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_bom_crlf_same),
        cmocka_unit_test(test_coordinates),
        cmocka_unit_test(test_local_time),
        cmocka_unit_test(test_day_precision_dst),
        cmocka_unit_test(test_gazetteer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
