/* test_exif.c — capture metadata from EXIF: every sample photo of
 * data/demo/media against its PROVENANCE.md (ExifTool 12.57) values, the
 * broken files reported as absent, and hand-built EXIF blocks for the traps
 * (zero GPS denominators, camera default dates, hour 24, missing hemisphere,
 * time offsets, a truncated APP1), invalid dates kept as written, and IFD
 * pointers that loop or leave the block (named, and bounded in time). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "constat/evidence/evidence.h"

#define MEDIA CONSTAT_SOURCE_DIR "/data/demo/media/"

static int setup(void **state)
{
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

typedef struct {
    const char *file;
    const char *local_time; /* NULL: absent */
    int has_gps;
    int64_t lat_e7, lon_e7;
    int has_alt;
    int64_t alt_cm;
    const char *make, *model; /* "" : absent */
} sample;

/* Times and positions: PROVENANCE.md (ExifTool -n; positions there to 1e-6
 * degrees, here to 1e-7 from the same rationals). Make/model as written in
 * IFD 0 (trailing blanks dropped). */
static const sample samples[] = {
    {"gps_DSCN0010.jpg", "2008-10-22T16:28:39", 1, 434674483, 118851267, 0, 0, "NIKON",
     "COOLPIX P6000"},
    {"gps_DSCN0021.jpg", "2008-10-22T16:38:20", 1, 434670817, 118845383, 0, 0, "NIKON",
     "COOLPIX P6000"},
    {"gps_DSCN0042.jpg", "2008-10-22T17:00:07", 1, 434644550, 118814783, 0, 0, "NIKON",
     "COOLPIX P6000"},
    {"Kodak_CX7530.jpg", "2005-08-13T09:47:23", 1, -3713000, 360564167, 0, 0,
     "EASTMAN KODAK COMPANY", "KODAK CX7530 ZOOM DIGITAL CAMERA"},
    {"tests_87_OSError.jpg", "2005-12-14T14:39:47", 1, 437855944, 112346194, 1, 4212,
     "NIKON CORPORATION", "NIKON D70s"},
    {"tests_67-0_length_string.jpg", NULL, 1, 510250000, 75919444, 1, 34000, "samsung",
     "SM-G930F"},
    {"Canon_40D.jpg", "2008-05-30T15:56:01", 0, 0, 0, 0, 0, "Canon", "Canon EOS 40D"},
    {"Nikon_D70.jpg", "2008-03-15T09:52:01", 0, 0, 0, 0, 0, "NIKON CORPORATION", "NIKON D70"},
    {"exif-org_kodak-dc240.jpg", "1999-05-25T21:00:09", 0, 0, 0, 0, 0, "EASTMAN KODAK COMPANY",
     "KODAK DC240 ZOOM DIGITAL CAMERA"},
    {"exif-org_sanyo-vpcg250.jpg", "1998-01-01T00:00:00", 0, 0, 0, 0, 0,
     "SANYO Electric Co.,Ltd.", "SR6"},
    {"WWL_Polaroid_ION230.jpg", "2026-11-24T14:41:16", 0, 0, 0, 0, 0, "WWL", "ION230"},
    {"orientation_landscape_6.jpg", NULL, 0, 0, 0, 0, 0, "", ""},
    /* malformed: empty GPS IFD -> no position, the time is still there */
    {"tests_45-gps_ifd.jpg", "2012-06-23T06:55:49", 0, 0, 0, 0, 0, "Polyphony Digital Inc.",
     "Gran Turismo 5"},
    /* malformed: the Exif IFD pointer has type ASCII -> nothing behind it
     * is reported (ExifTool agrees: DateTimeOriginal only in XMP) */
    {"tests_30-type_error.jpg", NULL, 0, 0, 0, 0, 0, "", ""},
    {"tests_32-lens_data.jpeg", "2012-07-14T16:30:12", 0, 0, 0, 0, 0, "NIKON CORPORATION",
     "NIKON D300"},
    /* no EXIF APP1 segment at all */
    {"invalid_image02206.jpg", NULL, 0, 0, 0, 0, 0, "", ""},
};

static void check_sample(const sample *s, const constat_capture *c)
{
    if (s->local_time) {
        assert_int_equal(c->has_local_time, 1);
        assert_string_equal(c->local_time, s->local_time);
    } else {
        assert_int_equal(c->has_local_time, 0);
    }
    assert_int_equal(c->has_offset, 0); /* none of the samples has OffsetTimeOriginal */
    assert_int_equal(c->has_gps, s->has_gps);
    if (s->has_gps) {
        assert_true(c->lat_e7 == s->lat_e7);
        assert_true(c->lon_e7 == s->lon_e7);
    }
    assert_int_equal(c->has_alt, s->has_alt);
    if (s->has_alt)
        assert_true(c->alt_cm == s->alt_cm);
    assert_string_equal(c->make, s->make);
    assert_string_equal(c->model, s->model);
    /* no sample writes an invalid date; one has a broken IFD structure */
    assert_int_equal(c->time_invalid, 0);
    assert_string_equal(c->time_raw, "");
    if (strcmp(s->file, "tests_45-gps_ifd.jpg") == 0) {
        /* its GPS pointer leads to the Exif IFD (hence ExifTool's "empty GPS
         * IFD") */
        assert_int_equal(c->exif_malformed, 1);
        assert_string_equal(c->exif_problem,
                            "GPS IFD pointer in IFD 0 points to offset 340, already read as "
                            "Exif IFD");
    } else {
        assert_int_equal(c->exif_malformed, 0);
        assert_string_equal(c->exif_problem, "");
    }
}

static void test_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[1024];
        constat_capture c, m;
        constat_error err;
        size_t len;
        char *bytes;
        snprintf(path, sizeof path, MEDIA "%s", samples[i].file);
        /* from the file, streamed */
        assert_int_equal(constat_exif_read_file(path, &c, &err), CONSTAT_OK);
        check_sample(&samples[i], &c);
        /* from memory: the same answer */
        bytes = tu_read_file(path, &len);
        assert_int_equal(constat_exif_parse((const uint8_t *)bytes, len, &m, &err), CONSTAT_OK);
        assert_memory_equal(&c, &m, sizeof c);
        free(bytes);
    }
}

static void test_positions_match_provenance(void **state)
{
    /* PROVENANCE.md gives decimal degrees to 6 places: ours round to them */
    static const struct { const char *file; double lat, lon; } p[] = {
        {"gps_DSCN0010.jpg", 43.467448, 11.885127},
        {"gps_DSCN0021.jpg", 43.467082, 11.884538},
        {"gps_DSCN0042.jpg", 43.464455, 11.881478},
        {"Kodak_CX7530.jpg", -0.371300, 36.056417},
        {"tests_87_OSError.jpg", 43.785594, 11.234619},
        {"tests_67-0_length_string.jpg", 51.025000, 7.591944},
    };
    (void)state;
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        char path[1024];
        constat_capture c;
        constat_error err;
        snprintf(path, sizeof path, MEDIA "%s", p[i].file);
        assert_int_equal(constat_exif_read_file(path, &c, &err), CONSTAT_OK);
        assert_true(c.has_gps);
        assert_true(llabs(c.lat_e7 - (int64_t)llround(p[i].lat * 1e7)) <= 5);
        assert_true(llabs(c.lon_e7 - (int64_t)llround(p[i].lon * 1e7)) <= 5);
    }
}

/* ---- hand-built EXIF blocks (little-endian TIFF) ---- */

typedef struct {
    uint8_t b[1024];
    size_t n;
} blk;

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static void entry(uint8_t *p, unsigned tag, unsigned type, uint32_t count, uint32_t value)
{
    put16(p, tag);
    put16(p + 2, type);
    put32(p + 4, count);
    put32(p + 8, value);
}

/* "Exif\0\0" + TIFF: IFD0 {DateTimeOriginal (if date), OffsetTimeOriginal (if
 * offset), GPS pointer}; GPS IFD {LatRef, Lat, LonRef, Lon}. rat[12]: lat
 * d/m/s then lon d/m/s as numerator, denominator pairs. */
static void build(blk *k, const char *date, const char *offset, const char *lat_ref,
                  const char *lon_ref, const uint32_t rat[12])
{
    uint8_t *t;
    size_t ifd0 = 8, n0 = 1 + (date != NULL) + (offset != NULL);
    size_t data = ifd0 + 2 + 12 * n0 + 4, gps, e = 0;
    memset(k, 0, sizeof *k);
    memcpy(k->b, "Exif\0\0", 6);
    t = k->b + 6;
    memcpy(t, "II*\0", 4);
    put32(t + 4, (uint32_t)ifd0);
    put16(t + ifd0, (unsigned)n0);
    /* entries in tag order: 0x8825 < 0x9003 < 0x9011 */
    gps = data + 20 + 8;
    entry(t + ifd0 + 2 + 12 * e++, 0x8825, 4, 1, (uint32_t)gps);
    if (date) {
        entry(t + ifd0 + 2 + 12 * e++, 0x9003, 2, 20, (uint32_t)data);
        memcpy(t + data, date, strlen(date) + 1);
    }
    if (offset) {
        entry(t + ifd0 + 2 + 12 * e++, 0x9011, 2, 7, (uint32_t)(data + 20));
        memcpy(t + data + 20, offset, strlen(offset) + 1);
    }
    put16(t + gps, 4);
    {
        size_t rd = gps + 2 + 4 * 12 + 4;
        entry(t + gps + 2, 0x0001, 2, 2, 0);
        memcpy(t + gps + 2 + 8, lat_ref, 2);
        entry(t + gps + 14, 0x0002, 5, 3, (uint32_t)rd);
        entry(t + gps + 26, 0x0003, 2, 2, 0);
        memcpy(t + gps + 26 + 8, lon_ref, 2);
        entry(t + gps + 38, 0x0004, 5, 3, (uint32_t)(rd + 24));
        for (int i = 0; i < 12; i++)
            put32(t + rd + 4 * i, rat[i]);
        k->n = 6 + rd + 48;
    }
}

static const uint32_t CALAIS[12] = {50, 1, 57, 1, 3000, 100, 1, 1, 51, 1, 1200, 100};

static void test_built_block(void **state)
{
    blk k;
    constat_capture c;
    constat_error err;
    json_t *j;
    (void)state;
    build(&k, "2024:03:05 06:30:00", "+01:00", "N", "E", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_true(c.has_local_time);
    assert_string_equal(c.local_time, "2024-03-05T06:30:00");
    assert_true(c.has_offset);
    assert_int_equal(c.offset_s, 3600);
    assert_true(c.has_gps);
    /* 50 + 57/60 + 30/3600 = 50.9583333.. ; 1 + 51/60 + 12/3600 = 1.8533333.. */
    assert_true(c.lat_e7 == 509583333);
    assert_true(c.lon_e7 == 18533333);
    j = constat_capture_to_json(&c);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "time")),
                        "2024-03-05T06:30:00+01:00");
    assert_null(json_object_get(j, "local_time"));
    assert_int_equal(json_integer_value(json_object_get(j, "lat_e7")), 509583333);
    json_decref(j);

    /* southern / western hemispheres */
    build(&k, "2024:03:05 06:30:00", NULL, "S", "W", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_true(c.lat_e7 == -509583333 && c.lon_e7 == -18533333);
    assert_false(c.has_offset);
    j = constat_capture_to_json(&c);
    assert_string_equal(json_string_value(json_object_get(j, "local_time")),
                        "2024-03-05T06:30:00");
    assert_null(json_object_get(j, "time"));
    json_decref(j);
}

/* An evidence record around capture *c, as attach would sign it. */
static json_t *evidence_record(const constat_capture *c)
{
    uint8_t h[32] = {0};
    json_t *ev = constat_evidence_input("INC-1", h, 1, "image/jpeg", c, "f.jpg");
    assert_non_null(ev);
    json_object_set_new(ev, "v", json_integer(1));
    json_object_set_new(ev, "org", json_string("org"));
    json_object_set_new(ev, "monitor", json_string("m"));
    json_object_set_new(ev, "recorded_at", json_string("2024-01-01T00:00:00Z"));
    json_object_set_new(ev, "private",
                        json_pack("{s:s}", "file_name",
                                  "0000000000000000000000000000000000000000000000000000000000000000"));
    return ev;
}

static void test_traps(void **state)
{
    blk k;
    constat_capture c;
    constat_error err;
    uint32_t r[12];
    /* not dates, kept as written (the last one as its printable text) */
    static const char *const bad_dates[] = {"0000:00:00 00:00:00", "2024:03:05 24:00:00",
                                            "2023:02:29 10:00:00", "2024:13:01 10:00:00",
                                            "2019:13:45 25:61:00", "2024:03:05 10:00:60",
                                            "2024:03:05", "yesterday\x01  "};
    static const char *const raw[] = {"0000:00:00 00:00:00", "2024:03:05 24:00:00",
                                      "2023:02:29 10:00:00", "2024:13:01 10:00:00",
                                      "2019:13:45 25:61:00", "2024:03:05 10:00:60",
                                      "2024:03:05", "yesterday?"};
    (void)state;
    for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
        json_t *j;
        build(&k, bad_dates[i], "+01:00", "N", "E", CALAIS);
        assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
        assert_false(c.has_local_time);
        assert_false(c.has_offset);
        assert_true(c.has_gps); /* the rest of the block still counts */
        assert_int_equal(c.time_invalid, 1);
        assert_string_equal(c.time_raw, raw[i]);
        assert_string_equal(c.local_time, "");
        j = constat_capture_to_json(&c);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "time_invalid")), raw[i]);
        assert_null(json_object_get(j, "local_time"));
        assert_null(json_object_get(j, "time"));
        json_decref(j);
    }
    /* all blanks is the standard's "unknown": no date, not an invalid one */
    build(&k, "    :  :     :  :  ", "+01:00", "N", "E", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_false(c.has_local_time);
    assert_int_equal(c.time_invalid, 0);
    assert_string_equal(c.time_raw, "");
    /* a leap day is a date */
    build(&k, "2024:02:29 23:59:59", "+25:00", "N", "E", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_true(c.has_local_time);
    assert_false(c.has_offset); /* +25:00 is no offset */

    /* each zero denominator: no position at all, never 0,0 */
    for (int i = 1; i < 12; i += 2) {
        memcpy(r, CALAIS, sizeof r);
        r[i] = 0;
        build(&k, NULL, NULL, "N", "E", r);
        assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
        assert_false(c.has_gps);
        assert_true(c.lat_e7 == 0 && c.lon_e7 == 0);
    }
    /* no hemisphere reference, or a wrong one */
    build(&k, NULL, NULL, "X", "E", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_false(c.has_gps);
    /* all-zero position (no fix) */
    memset(r, 0, sizeof r);
    for (int i = 1; i < 12; i += 2)
        r[i] = 1;
    build(&k, NULL, NULL, "N", "E", r);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_false(c.has_gps);
    /* minutes of 60 or more: not a position */
    memcpy(r, CALAIS, sizeof r);
    r[2] = 999;
    r[3] = 1;
    build(&k, NULL, NULL, "N", "E", r);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_false(c.has_gps);
    /* a position that rounds to 0,0 at 1e-7 degree: no fix either */
    memset(r, 0, sizeof r);
    for (int i = 1; i < 12; i += 2)
        r[i] = 1;
    r[4] = 1;
    r[5] = 4294967295u; /* 1/4294967295 second of latitude */
    build(&k, NULL, NULL, "N", "E", r);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_false(c.has_gps);
    /* latitude beyond 90 */
    memcpy(r, CALAIS, sizeof r);
    r[0] = 91;
    build(&k, NULL, NULL, "N", "E", r);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_false(c.has_gps);
    assert_null(constat_capture_to_json(&c));
}

static void test_invalid_date_record(void **state)
{
    blk k;
    constat_capture c;
    constat_error err;
    constat_evidence_flags fl;
    char what[CONSTAT_EVIDENCE_FLAGS_TEXT];
    json_t *ev, *inc;
    (void)state;
    build(&k, "0000:00:00 00:00:00", NULL, "N", "E", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_int_equal(c.time_invalid, 1);
    /* what the camera wrote can be signed */
    ev = evidence_record(&c);
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ev, "capture"), "time_invalid")),
        "0000:00:00 00:00:00");
    /* it is a flag of its own, whatever the incident */
    inc = json_pack("{s:s, s:s, s:{s:s, s:s}}", "kind", "incident", "id", "INC-1", "occurred",
                    "start", "2024-03-05T06:00:00+01:00", "end", "2024-03-05T07:00:00+01:00");
    assert_int_equal(constat_evidence_flags_compute(ev, inc, &fl, &err), CONSTAT_OK);
    assert_int_equal(fl.time_invalid, 1);
    assert_string_equal(fl.time_raw, "0000:00:00 00:00:00");
    assert_int_equal(fl.time_checked, 0);
    assert_int_equal(constat_evidence_flags_describe(&fl, what, sizeof what), 1);
    assert_string_equal(what, "invalid EXIF date \"0000:00:00 00:00:00\" (the camera wrote a "
                              "date that is not one)");
    /* an invalid date never stands beside a time */
    json_object_set_new(json_object_get(ev, "capture"), "local_time",
                        json_string("2024-03-05T06:30:00"));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "time_invalid excludes time and local_time"));
    json_object_del(json_object_get(ev, "capture"), "local_time");
    json_object_set_new(json_object_get(ev, "capture"), "time_invalid", json_string(""));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    json_decref(ev);
    json_decref(inc);

    /* a real date is no such flag */
    build(&k, "2024:03:05 06:30:00", "+01:00", "N", "E", CALAIS);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_int_equal(c.time_invalid, 0);
    assert_int_equal(c.exif_malformed, 0);
    ev = evidence_record(&c);
    assert_null(json_object_get(json_object_get(ev, "capture"), "time_invalid"));
    assert_null(json_object_get(json_object_get(ev, "capture"), "exif_malformed"));
    json_decref(ev);
}

/* ---- IFD pointers that loop or leave the block ---- */

/* "Exif\0\0" + little-endian TIFF: IFD 0 at 8 with a DateTimeOriginal and
 * `np` pointer entries (tags[i] -> to[i]), next-IFD pointer `next`; the date
 * text after it. Returns the TIFF offset just past the date. */
static size_t build_ptrs_d(blk *k, const unsigned *tags, const uint32_t *to, size_t np,
                           uint32_t next, int with_date)
{
    uint8_t *t;
    size_t n0 = np + (with_date != 0), data;
    memset(k, 0, sizeof *k);
    memcpy(k->b, "Exif\0\0", 6);
    t = k->b + 6;
    memcpy(t, "II*\0", 4);
    put32(t + 4, 8);
    put16(t + 8, (unsigned)n0);
    data = 8 + 2 + 12 * n0 + 4;
    for (size_t i = 0; i < np; i++)
        entry(t + 10 + 12 * i, tags[i], 4, 1, to[i]);
    put32(t + 10 + 12 * n0, next);
    if (!with_date) {
        k->n = 6 + data;
        return data;
    }
    entry(t + 10 + 12 * np, 0x9003, 2, 20, (uint32_t)data);
    memcpy(t + data, "2019:01:02 03:04:05", 20);
    k->n = 6 + data + 20;
    return data + 20;
}

static size_t build_ptrs(blk *k, const unsigned *tags, const uint32_t *to, size_t np,
                         uint32_t next)
{
    return build_ptrs_d(k, tags, to, np, next, 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds of the fastest of `reps` parses of k: the minimum does not count
 * the times the test was preempted. */
static double parse_time(const blk *k, int reps)
{
    constat_capture c;
    constat_error err;
    double best = 1e9;
    for (int i = 0; i < reps; i++) {
        double t0 = now_s(), t;
        assert_int_equal(constat_exif_parse(k->b, k->n, &c, &err), CONSTAT_OK);
        t = now_s() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

static void test_cycle_bounded(void **state)
{
    /* every pointer of IFD 0 leads back to IFD 0, and no IFD holds a value
     * that would tell libexif it was read already: libexif alone re-reads it
     * down its recursion budget, 0.1 s or more for this 76-byte block */
    static const unsigned tags[] = {0x8769, 0x8825, 0xa005, 0x8769, 0x8825};
    static const uint32_t self[] = {8, 8, 8, 8, 8};
    blk cyc, ok;
    constat_capture c;
    constat_error err;
    double tc, tn;
    (void)state;
    build_ptrs_d(&cyc, tags, self, 5, 8, 0);
    build_ptrs(&ok, tags, self, 0, 0);
    /* the time bound, per parse, as a ratio to a normal parse in this same
     * run (few cyclic parses: without the walk each one takes ~0.3 s) */
    parse_time(&ok, 20); /* warm up */
    tn = parse_time(&ok, 500);
    tc = parse_time(&cyc, 10);
    print_message("normal parse %.2f us, cyclic parse %.2f us\n", tn * 1e6, tc * 1e6);
    assert_true(tc < 20 * tn);
    assert_int_equal(constat_exif_parse(cyc.b, cyc.n, &c, &err), CONSTAT_OK);
    assert_int_equal(c.exif_malformed, 1);
    assert_string_equal(c.exif_problem,
                        "Exif IFD pointer in IFD 0 points back to IFD 0 at offset 8 (cycle) "
                        "(and 5 more)");
    /* with a date beside the pointers: IFD 0's own values still count */
    build_ptrs(&cyc, tags, self, 5, 8);
    assert_int_equal(constat_exif_parse(cyc.b, cyc.n, &c, &err), CONSTAT_OK);
    assert_int_equal(c.exif_malformed, 1);
    assert_non_null(strstr(c.exif_problem, "points back to IFD 0 at offset 8 (cycle)"));
    assert_int_equal(c.has_local_time, 1);
    assert_string_equal(c.local_time, "2019-01-02T03:04:05");
    assert_int_equal(constat_exif_parse(ok.b, ok.n, &c, &err), CONSTAT_OK);
    assert_int_equal(c.exif_malformed, 0);
    assert_string_equal(c.local_time, "2019-01-02T03:04:05");
}

static void test_pointer_problems(void **state)
{
    static const struct {
        unsigned tags[3];
        uint32_t to[3];
        size_t np;
        uint32_t next;
        const char *problem; /* NULL: well formed */
        int has_time;
    } cases[] = {
        /* the next-IFD pointer of IFD 0 back to IFD 0 */
        {{0}, {0}, 0, 8, "next-IFD pointer in IFD 0 points back to IFD 0 at offset 8 (cycle)", 1},
        /* out of the block, into the header */
        {{0x8769}, {70000}, 1, 0,
         "Exif IFD pointer in IFD 0 points to offset 70000, outside the block (58-byte TIFF "
         "block)", 1},
        {{0x8825}, {4}, 1, 0,
         "GPS IFD pointer in IFD 0 points to offset 4, inside the TIFF header (58-byte TIFF "
         "block)", 1},
        {{0}, {0}, 0, 100000,
         "next-IFD pointer in IFD 0 points to offset 100000, outside the block (46-byte TIFF "
         "block)", 1},
        /* a well-formed block: a next pointer of 0 is "none" */
        {{0}, {0}, 0, 0, NULL, 1},
    };
    blk k;
    constat_capture c;
    constat_error err;
    json_t *ev;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        build_ptrs(&k, cases[i].tags, cases[i].to, cases[i].np, cases[i].next);
        assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
        if (cases[i].problem) {
            assert_int_equal(c.exif_malformed, 1);
            assert_string_equal(c.exif_problem, cases[i].problem);
        } else {
            assert_int_equal(c.exif_malformed, 0);
            assert_string_equal(c.exif_problem, "");
        }
        assert_int_equal(c.has_local_time, cases[i].has_time);
        /* the malformed structure is named in the record, and it signs */
        ev = evidence_record(&c);
        assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_OK);
        if (cases[i].problem)
            assert_string_equal(json_string_value(json_object_get(
                                    json_object_get(ev, "capture"), "exif_malformed")),
                                cases[i].problem);
        json_decref(ev);
    }

    /* Exif IFD -> Interop IFD -> back to the Exif IFD; GPS -> the Exif IFD again */
    {
        static const unsigned tags[] = {0x8769, 0x8825};
        uint32_t to[2];
        size_t end;
        uint8_t *t;
        to[0] = to[1] = 0;
        end = build_ptrs(&k, tags, to, 2, 0);
        t = k.b + 6;
        /* Exif IFD at `end`: one Interop pointer to `end + 18`; Interop IFD
         * there: one Exif pointer back to `end` */
        put32(t + 10 + 8, (uint32_t)end);
        put32(t + 10 + 12 + 8, (uint32_t)end);
        put16(t + end, 1);
        entry(t + end + 2, 0xa005, 4, 1, (uint32_t)(end + 18));
        put16(t + end + 18, 1);
        entry(t + end + 20, 0x8769, 4, 1, (uint32_t)end);
        k.n = 6 + end + 36;
        assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
        assert_int_equal(c.exif_malformed, 1);
        {
            char want[CONSTAT_EXIF_PROBLEM_MAX + 1];
            snprintf(want, sizeof want,
                     "Exif IFD pointer in Interop IFD points back to Exif IFD at offset %zu "
                     "(cycle) (and 1 more)",
                     end);
            assert_string_equal(c.exif_problem, want);
        }
        assert_int_equal(c.has_local_time, 1);
    }

    /* big-endian TIFF: the same walk */
    {
        static const uint8_t mm[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
                                     0, 1, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0};
        assert_int_equal(constat_exif_parse(mm, sizeof mm, &c, &err), CONSTAT_OK);
        assert_int_equal(c.exif_malformed, 1);
        assert_string_equal(c.exif_problem,
                            "Exif IFD pointer in IFD 0 points back to IFD 0 at offset 8 (cycle)");
    }

    /* IFD 0 itself outside the block: nothing is read */
    build_ptrs(&k, NULL, NULL, 0, 0);
    put32(k.b + 6 + 4, 5000);
    assert_int_equal(constat_exif_parse(k.b, k.n, &c, &err), CONSTAT_OK);
    assert_int_equal(c.exif_malformed, 1);
    assert_string_equal(c.exif_problem,
                        "IFD 0 offset 5000 is outside the block (46-byte TIFF block)");
    assert_int_equal(c.has_local_time, 0);
}

static void test_truncated_and_garbage(void **state)
{
    char path[1024];
    size_t len;
    char *bytes;
    constat_capture c;
    constat_error err;
    (void)state;
    snprintf(path, sizeof path, MEDIA "gps_DSCN0010.jpg");
    bytes = tu_read_file(path, &len);
    /* cut the file at every length through its first 4 KiB (inside APP1):
     * never a crash, never a made-up value */
    for (size_t cut = 0; cut < 4096 && cut < len; cut += 7) {
        assert_int_equal(constat_exif_parse((const uint8_t *)bytes, cut, &c, &err), CONSTAT_OK);
        if (c.has_gps) {
            assert_true(c.lat_e7 == 434674483);
            assert_true(c.lon_e7 == 118851267);
        }
        if (c.has_local_time)
            assert_string_equal(c.local_time, "2008-10-22T16:28:39");
    }
    /* flip bytes inside the EXIF block */
    for (size_t i = 20; i < 600; i += 13) {
        char save = bytes[i];
        bytes[i] = (char)(bytes[i] ^ 0x5a);
        assert_int_equal(constat_exif_parse((const uint8_t *)bytes, len, &c, &err), CONSTAT_OK);
        bytes[i] = save;
    }
    free(bytes);
    assert_int_equal(constat_exif_parse((const uint8_t *)"", 0, &c, &err), CONSTAT_OK);
    assert_false(c.has_local_time || c.has_gps);
    assert_int_equal(constat_exif_parse((const uint8_t *)"not a jpeg at all", 17, &c, &err),
                     CONSTAT_OK);
    assert_false(c.has_local_time || c.has_gps);
    assert_int_equal(constat_exif_parse(NULL, 1, &c, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_exif_read_file("/nonexistent/x.jpg", &c, &err), CONSTAT_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_positions_match_provenance),
        cmocka_unit_test(test_built_block),
        cmocka_unit_test(test_traps),
        cmocka_unit_test(test_invalid_date_record),
        cmocka_unit_test(test_cycle_bounded),
        cmocka_unit_test(test_pointer_problems),
        cmocka_unit_test(test_truncated_and_garbage),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
