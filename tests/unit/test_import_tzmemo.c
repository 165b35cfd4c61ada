/* test_import_tzmemo.c — the zone offsets an import remembers a week at a
 * time (src/lib/record/import.c, tz_memo): rows alternating two zones, each
 * time asked twice (the second answer comes from the memo), in a plain week,
 * the week of a change to summer time and the week after, give the offsets
 * tzdata gives, worked out by hand below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/import.h"
#include "constat/record/record.h"

#define HEADER                                                                            \
    "source_id,source_url_or_repo_path,date,time,place_name,country,lat,lon,"             \
    "incident_types,authority,persons_affected,minors_involved,nationalities,"            \
    "items_seized_or_destroyed,notes_facts\n"

static constat_status collect(void *ctx, unsigned long line, json_t *record, constat_error *err)
{
    (void)line;
    (void)err;
    json_array_append((json_t *)ctx, record);
    return CONSTAT_OK;
}

static const char *start_of(json_t *records, size_t i)
{
    json_t *v = json_object_get(json_object_get(json_array_get(records, i), "occurred"), "start");
    if (!json_is_string(v))
        fail_msg("record %zu has no occurred.start", i);
    return json_string_value(v);
}

static void test_alternating_zones_across_dst(void **state)
{
    /* each row twice: France (Europe/Paris), Romania (Europe/Bucharest).
     * 2024-03-31 both move an hour forward at 01:00 UTC: Paris 02:00 ->
     * 03:00 (+01:00 -> +02:00), Bucharest 03:00 -> 04:00 (+02:00 -> +03:00).
     * 2024-03-27 23:30 is the week before (weeks from the epoch start on
     * Thursdays, 2024-03-28 00:00 UTC); 2024-04-10 the week after. */
    static const struct {
        const char *date, *time, *country, *want;
    } rows[] = {
        {"2024-03-13", "10:00", "France", "2024-03-13T10:00:00+01:00"},
        {"2024-03-13", "10:00", "Romania", "2024-03-13T10:00:00+02:00"},
        {"2024-03-27", "23:30", "France", "2024-03-27T23:30:00+01:00"},
        {"2024-03-27", "23:30", "Romania", "2024-03-27T23:30:00+02:00"},
        {"2024-03-31", "01:30", "France", "2024-03-31T01:30:00+01:00"},
        {"2024-03-31", "03:30", "France", "2024-03-31T03:30:00+02:00"},
        {"2024-03-31", "02:30", "Romania", "2024-03-31T02:30:00+02:00"},
        {"2024-03-31", "04:30", "Romania", "2024-03-31T04:30:00+03:00"},
        {"2024-04-10", "10:00", "France", "2024-04-10T10:00:00+02:00"},
        {"2024-04-10", "10:00", "Romania", "2024-04-10T10:00:00+03:00"},
    };
    enum { NROWS = sizeof rows / sizeof rows[0] };
    char csv[8192];
    size_t len;
    constat_taxonomy *tax;
    constat_countries *countries;
    constat_error err;
    json_t *records = json_array();
    (void)state;

    assert_int_equal(constat_init(), CONSTAT_OK);
    assert_int_equal(constat_taxonomy_load(CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json", &tax,
                                           &err),
                     CONSTAT_OK);
    assert_int_equal(constat_countries_load(CONSTAT_SOURCE_DIR "/data/gazetteer/countries.json",
                                            &countries, &err),
                     CONSTAT_OK);
    len = (size_t)snprintf(csv, sizeof csv, "%s", HEADER);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < NROWS; i++)
            len += (size_t)snprintf(csv + len, sizeof csv - len,
                                    "Z-%d-%zu,u,%s,%s,p,%s,,,eviction,,,no,,,\n", pass, i,
                                    rows[i].date, rows[i].time, rows[i].country);
    assert_true(len < sizeof csv);
    {
        constat_import_opts o = {"t.csv", "human-rights-observers", "hro-import",
                                 "2026-11-20T10:00:00Z", tax, countries, 0};
        if (constat_import_csv_mem(csv, len, &o, collect, NULL, records, NULL, &err) !=
            CONSTAT_OK)
            fail_msg("%s", err.msg);
    }
    assert_int_equal(json_array_size(records), 2 * NROWS);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < NROWS; i++)
            assert_string_equal(start_of(records, pass * NROWS + i), rows[i].want);
    json_decref(records);
    constat_taxonomy_free(tax);
    constat_countries_free(countries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alternating_zones_across_dst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
