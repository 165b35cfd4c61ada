/* test_proven.c — the delay_event_to_proven figure and the proven times of
 * the report (docs/indicators.md, docs/time.md), from hand-made proven
 * times and from a hand-made RFC 3161 timeline whose answers are worked
 * out in the comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"
#include "constat/analysis/report.h"
#include "constat/evidence/tsa.h"

/* occurred.end of every incident below: 2026-01-10T12:00:00+01:00 */
#define E INT64_C(1768042800) /* = 2026-01-10T11:00:00Z */
#define DAY INT64_C(86400)

#define NRECS 13
static constat_indexed_record recs[NRECS];
static constat_taxonomy *tax;

static json_t *incident(const char *id)
{
    json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:[s],s:{s:s}}", "v", 1,
                          "kind", "incident", "id", id, "org", "Test Org", "monitor", "m1",
                          "recorded_at", "2026-01-10T13:00:00+01:00", "occurred", "start",
                          "2026-01-10T11:00:00+01:00", "end", "2026-01-10T12:00:00+01:00",
                          "precision", "minute", "categories", "arrest", "source", "type",
                          "direct_observation");
    assert_non_null(r);
    return r;
}

/* Leaves 0..12 in recs[0..12]: 0 an enrolment, 8 a shift (neither
 * counts), the others incidents. */
static int setup(void **state)
{
    constat_error e;
    size_t i;
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    if (constat_taxonomy_load(CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json", &tax, &e))
        fail_msg("taxonomy: %s", e.msg);
    recs[0].record = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "v", 1, "kind",
                               "monitor_enrolment", "id", "enrol:m1", "org", "Test Org",
                               "monitor", "m1", "vkey", "x", "enrolled_at",
                               "2026-01-01T00:00:00Z", "recorded_at", "2026-01-01T00:00:00Z");
    recs[8].record = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "v", 1, "kind",
                               "shift", "id", "s1", "org", "Test Org", "monitor", "m1",
                               "recorded_at", "2026-01-10T00:00:00Z", "start",
                               "2026-01-10T08:00:00Z", "end", "2026-01-10T12:00:00Z", "area",
                               "name", "Calais");
    for (i = 0; i < NRECS; i++) {
        char id[8];
        recs[i].index = i;
        if (i == 0 || i == 8)
            continue;
        snprintf(id, sizeof id, "i%zu", i);
        recs[i].record = incident(id);
    }
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

/* Proven times by leaf, relative to the claimed end E:
 *   1  E-1        0_before_end (existed before the event, by its own account, ended)
 *   2  E          1_lt_1d (boundary: 0 is not "before")
 *   3  E+1d-1     1_lt_1d
 *   4  E+1d       2_1d_7d (boundary)
 *   5  E+7d       3_7d_30d (boundary)
 *   6  E+30d-1    3_7d_30d
 *   7  none       not_proven
 *   8  E          (a shift: not counted)
 *   9  E+365d     5_gt_365d (boundary)
 *  10  INT64_MAX  5_gt_365d (no overflow)
 *  11  INT64_MIN  0_before_end (no overflow)
 *  12  E+100d     4_30d_365d
 */
static void hand_times(constat_proven_time t[NRECS])
{
    static const struct {
        uint64_t leaf;
        int proven;
        int64_t time;
    } by_leaf[] = {{0, 1, E},          {1, 1, E - 1},          {2, 1, E},
                   {3, 1, E + DAY - 1}, {4, 1, E + DAY},        {5, 1, E + 7 * DAY},
                   {6, 1, E + 30 * DAY - 1}, {7, 0, 0},         {8, 1, E},
                   {9, 1, E + 365 * DAY}, {10, 1, INT64_MAX},   {11, 1, INT64_MIN},
                   {12, 1, E + 100 * DAY}};
    size_t i, j;
    for (i = 0; i < NRECS; i++)
        for (j = 0; j < sizeof by_leaf / sizeof *by_leaf; j++)
            if (by_leaf[j].leaf == recs[i].index) {
                t[i].proven = by_leaf[j].proven;
                t[i].time = by_leaf[j].time;
            }
}

static json_t *compute(const constat_proven_time *t)
{
    json_t *f = NULL;
    constat_error e;
    if (constat_figures_compute_timed(recs, NRECS, tax, t, &f, &e) != CONSTAT_OK)
        fail_msg("compute: %s", e.msg);
    return f;
}

static json_t *rows_of(json_t *figs, const char *id)
{
    json_t *a = json_object_get(figs, "figures"), *f;
    size_t i;
    json_array_foreach(a, i, f)
        if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0)
            return json_object_get(f, "rows");
    fail_msg("no figure %s", id);
    return NULL;
}

/* The figure's rows must be exactly `want` (compact JSON, keys sorted). */
static void expect_rows(json_t *figs, const char *want)
{
    char *got = json_dumps(rows_of(figs, "delay_event_to_proven"),
                           JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("delay_event_to_proven rows:\n got  %s\n want %s", got, want);
    free(got);
}

static void test_buckets(void **state)
{
    constat_proven_time t[NRECS];
    json_t *f;
    (void)state;
    memset(t, 0, sizeof t);
    hand_times(t);
    f = compute(t);
    expect_rows(f, "[{\"key\":[\"0_before_end\"],\"leaves\":[1,11],\"value\":2},"
                   "{\"key\":[\"1_lt_1d\"],\"leaves\":[2,3],\"value\":2},"
                   "{\"key\":[\"2_1d_7d\"],\"leaves\":[4],\"value\":1},"
                   "{\"key\":[\"3_7d_30d\"],\"leaves\":[5,6],\"value\":2},"
                   "{\"key\":[\"4_30d_365d\"],\"leaves\":[12],\"value\":1},"
                   "{\"key\":[\"5_gt_365d\"],\"leaves\":[9,10],\"value\":2},"
                   "{\"key\":[\"not_proven\"],\"leaves\":[7],\"value\":1}]");
    /* it sits right after recording_delay, with the delay dimension */
    {
        json_t *a = json_object_get(f, "figures");
        size_t i;
        for (i = 0; i + 1 < json_array_size(a); i++)
            if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "id")),
                       "recording_delay") == 0)
                break;
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(a, i + 1), "id")),
            "delay_event_to_proven");
        assert_string_equal(json_string_value(json_array_get(
                                json_object_get(json_array_get(a, i + 1), "dimensions"), 0)),
                            "delay");
    }
    json_decref(f);
}

/* Without proven times every incident is not_proven, every bucket row is
 * still there with 0, and constat_figures_compute gives the same bytes. */
static void test_no_times(void **state)
{
    json_t *a = compute(NULL), *b = NULL;
    constat_buf x, y;
    constat_proven_time t[NRECS];
    (void)state;
    expect_rows(a, "[{\"key\":[\"0_before_end\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"1_lt_1d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"2_1d_7d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"3_7d_30d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"4_30d_365d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"5_gt_365d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"not_proven\"],\"leaves\":[1,2,3,4,5,6,7,9,10,11,12],"
                   "\"value\":11}]");
    assert_int_equal(constat_figures_compute(recs, NRECS, tax, &b, NULL), CONSTAT_OK);
    constat_buf_init(&x);
    constat_buf_init(&y);
    assert_int_equal(constat_canon(a, &x, NULL), CONSTAT_OK);
    assert_int_equal(constat_canon(b, &y, NULL), CONSTAT_OK);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    json_decref(b);
    /* an all-"not proven" array is the same as NULL */
    memset(t, 0, sizeof t);
    t[3].time = E; /* ignored: proven is 0 */
    b = compute(t);
    constat_buf_reset(&y);
    assert_int_equal(constat_canon(b, &y, NULL), CONSTAT_OK);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    constat_buf_free(&x);
    constat_buf_free(&y);
    json_decref(a);
    json_decref(b);
}

/*
 * Proven times from a timeline of (checkpoint size, genTime) points, the
 * way `constat report`, `constat dossier` and the verifier build them:
 *   size 3 at E+5000 (TSA a), size 6 at E+100 (b), size 10 at E+2d (c),
 *   size 3 at E+50 (d, a second token over the same checkpoint)
 * leaves 0..2: covered by all four, earliest E+50 (d)      -> 1_lt_1d
 * leaves 3..5: sizes 6 and 10, earliest E+100 (b)          -> 1_lt_1d
 * leaves 6..9: size 10 only, E+2d (c)                      -> 2_1d_7d
 * leaves 10..: no token                                    -> not_proven
 */
static void test_from_timeline(void **state)
{
    constat_tsa_timeline tl;
    constat_proven_time t[NRECS];
    const char *tsa = NULL;
    int64_t when = 0;
    json_t *f;
    size_t i;
    (void)state;
    constat_tsa_timeline_init(&tl);
    assert_int_equal(constat_tsa_timeline_add(&tl, 3, E + 5000, "a"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_add(&tl, 6, E + 100, "b"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_add(&tl, 10, E + 2 * DAY, "c"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_add(&tl, 3, E + 50, "d"), CONSTAT_OK);
    for (i = 0; i < NRECS; i++)
        t[i].proven = constat_tsa_timeline_proven(&tl, recs[i].index, &t[i].time, NULL);
    assert_int_equal(constat_tsa_timeline_proven(&tl, 2, &when, &tsa), 1);
    assert_true(when == E + 50);
    assert_string_equal(tsa, "d");
    constat_tsa_timeline_free(&tl);
    f = compute(t);
    expect_rows(f, "[{\"key\":[\"0_before_end\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"1_lt_1d\"],\"leaves\":[1,2,3,4,5],\"value\":5},"
                   "{\"key\":[\"2_1d_7d\"],\"leaves\":[6,7,9],\"value\":3},"
                   "{\"key\":[\"3_7d_30d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"4_30d_365d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"5_gt_365d\"],\"leaves\":[],\"value\":0},"
                   "{\"key\":[\"not_proven\"],\"leaves\":[10,11,12],\"value\":3}]");
    json_decref(f);
}

typedef struct {
    int n;
    char first[CONSTAT_ERROR_MSG_MAX];
} fails_t;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    fails_t *fl = ctx;
    (void)index;
    if (fl->n++ == 0)
        snprintf(fl->first, sizeof fl->first, "%s", msg);
}

static json_t *row_key(json_t *figs, const char *key)
{
    json_t *rows = rows_of(figs, "delay_event_to_proven"), *r;
    size_t i;
    json_array_foreach(rows, i, r)
        if (strcmp(json_string_value(json_array_get(json_object_get(r, "key"), 0)), key) == 0)
            return r;
    fail_msg("no row %s", key);
    return NULL;
}

/* The check compares claimed and recomputed proven-time rows like any other
 * figure: a claimed value altered, or a verifier whose tokens prove less
 * (here: leaf 4's token did not verify, so it is not proven). */
static void test_check(void **state)
{
    constat_proven_time t[NRECS], fewer[NRECS];
    json_t *good, *bad, *recomputed;
    fails_t fl;
    constat_error e;
    size_t i;
    (void)state;
    memset(t, 0, sizeof t);
    hand_times(t);
    good = compute(t);
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(good, good, on_fail, &fl, &e), CONSTAT_OK);

    /* claimed value changed */
    bad = json_deep_copy(good);
    json_object_set_new(row_key(bad, "not_proven"), "value", json_integer(0));
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, &e), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 1);
    assert_non_null(strstr(fl.first, "figure delay_event_to_proven row [\"not_proven\"]: "
                                     "value claimed 0, recomputed 1"));
    json_decref(bad);

    /* claimed leaves moved from one bucket to another */
    bad = json_deep_copy(good);
    json_object_set_new(row_key(bad, "2_1d_7d"), "leaves", json_pack("[]"));
    json_object_set_new(row_key(bad, "2_1d_7d"), "value", json_integer(0));
    json_object_set_new(row_key(bad, "1_lt_1d"), "leaves", json_pack("[i,i,i]", 2, 3, 4));
    json_object_set_new(row_key(bad, "1_lt_1d"), "value", json_integer(3));
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(bad, good, on_fail, &fl, NULL), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 4); /* value and leaves of both rows */
    assert_non_null(strstr(fl.first, "delay_event_to_proven"));
    json_decref(bad);

    /* the verifier proves less: leaf 4 not proven on its side */
    memcpy(fewer, t, sizeof fewer);
    for (i = 0; i < NRECS; i++)
        if (recs[i].index == 4)
            fewer[i].proven = 0;
    recomputed = compute(fewer);
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(good, recomputed, on_fail, &fl, &e), CONSTAT_EVERIFY);
    assert_int_equal(fl.n, 4);
    assert_non_null(strstr(e.msg, "delay_event_to_proven row [\"2_1d_7d\"]: value claimed 1, "
                                  "recomputed 0"));
    json_decref(recomputed);

    /* and a dossier made before any token fails against a verifier that has one */
    recomputed = compute(NULL);
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_figures_check(good, recomputed, on_fail, &fl, NULL),
                     CONSTAT_EVERIFY);
    assert_true(fl.n > 0);
    json_decref(recomputed);
    json_decref(good);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_read_file(path, len);
}

/* The report: proven_at in incidents.csv, three times in the incident list,
 * the chart and the sentence saying what "proven" means. */
static void test_report(void **state)
{
    constat_proven_time t[NRECS];
    json_t *f;
    char *dir = tu_tmpdir(), *csv, *html;
    constat_error e;
    size_t len;
    (void)state;
    memset(t, 0, sizeof t);
    hand_times(t);
    f = compute(t);
    if (constat_report_write_timed(dir, recs, NRECS, tax, t, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);

    csv = slurp(dir, "incidents.csv", &len);
    assert_non_null(strstr(csv, "leaf,id,occurred_start,occurred_end,precision,recorded_at,"
                                "proven_at,monitor,"));
    /* leaf 2 proven at E, leaf 7 not proven (empty), leaf 1 a second before E */
    assert_non_null(strstr(csv, "\r\n2,i2,2026-01-10T11:00:00+01:00,2026-01-10T12:00:00+01:00,"
                                "minute,2026-01-10T13:00:00+01:00,2026-01-10T11:00:00Z,m1,"));
    assert_non_null(strstr(csv, "\r\n7,i7,2026-01-10T11:00:00+01:00,2026-01-10T12:00:00+01:00,"
                                "minute,2026-01-10T13:00:00+01:00,,m1,"));
    assert_non_null(strstr(csv, ",2026-01-10T10:59:59Z,m1,"));
    assert_null(strstr(csv, "\r\n8,")); /* the shift is not an incident */
    free(csv);

    csv = slurp(dir, "figures/delay_event_to_proven.csv", &len);
    assert_string_equal(csv, "delay,value,leaves\r\n0_before_end,2,1 11\r\n1_lt_1d,2,2 3\r\n"
                             "2_1d_7d,1,4\r\n3_7d_30d,2,5 6\r\n4_30d_365d,1,12\r\n"
                             "5_gt_365d,2,9 10\r\nnot_proven,1,7\r\n");
    free(csv);

    html = slurp(dir, "index.html", &len);
    assert_non_null(strstr(html, "id=\"fig-delay_event_to_proven\""));
    assert_non_null(strstr(html, "<svg")); /* charts are drawn */
    assert_non_null(strstr(html, "c-proven"));
    /* what "proven" means, in both languages */
    assert_non_null(strstr(html, "It bounds when the record existed, not when the event "
                                 "happened."));
    assert_non_null(strstr(html, "borne le moment o\xc3\xb9 l&#39;enregistrement existait"));
    assert_non_null(strstr(html, "existed by (proven, RFC 3161)"));
    assert_non_null(strstr(html, "recorded (claimed by the device)"));
    /* leaf 2's row carries its three times; leaf 7's says not proven */
    {
        const char *row2 = strstr(html, "<tr id=\"leaf-2\">");
        const char *row7 = strstr(html, "<tr id=\"leaf-7\">");
        assert_non_null(row2);
        assert_non_null(row7);
        assert_non_null(strstr(row2, "<td class=\"date\">2026-01-10T11:00:00+01:00</td><td>"
                                     "2026-01-10T13:00:00+01:00</td><td>"
                                     "2026-01-10T11:00:00Z</td>"));
        assert_true(strstr(row7, "not proven") < strstr(row7, "</tr>"));
    }
    assert_non_null(strstr(html, "not proven (no token)")); /* the row label */
    free(html);

    /* without times: proven_at is empty everywhere */
    json_decref(f);
    f = compute(NULL);
    if (constat_report_write(dir, recs, NRECS, tax, f, NULL, &e) != CONSTAT_OK)
        fail_msg("report: %s", e.msg);
    csv = slurp(dir, "incidents.csv", &len);
    assert_null(strstr(csv, "Z,m1,"));
    assert_non_null(strstr(csv, "+01:00,,m1,"));
    free(csv);
    json_decref(f);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets),       cmocka_unit_test(test_no_times),
        cmocka_unit_test(test_from_timeline), cmocka_unit_test(test_check),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
