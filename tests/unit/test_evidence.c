/* test_evidence.c — evidence files: the streaming hash against one-shot
 * SHA-256, the store (layout, 0444, dedupe, damaged store), libmagic types,
 * the evidence and custody records (validation, attach, custody, dedupe),
 * the flags at their exact boundaries (3600 s, 2000 m), and the dossier
 * side (copy out, re-hash, tamper). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "constat/evidence/evidence.h"
#include "constat/vault/intake.h"
#include "constat/analysis/report.h"
#include "constat/vault/vault.h"

#define MEDIA CONSTAT_SOURCE_DIR "/data/demo/media/"
#define NOW 1764410400 /* 2025-11-29T10:00:00Z */

static int setup(void **state)
{
    (void)state;
    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_stream_hash_and_store(void **state)
{
    char *dir = tu_tmpdir(), src[600], copy[600], stored[800], hex[65];
    size_t n = 3 * CONSTAT_EVIDENCE_BLOCK + 17, i;
    uint8_t *b = malloc(n), want[32], got[32];
    uint64_t size = 0;
    int fresh = -1, fd;
    struct stat sb;
    constat_error err;
    (void)state;

    /* bytes that differ across block boundaries */
    for (i = 0; i < n; i++)
        b[i] = (uint8_t)((i * 2654435761u) >> 13);
    snprintf(src, sizeof src, "%s/video.bin", dir);
    write_bytes(src, b, n);
    constat_sha256(b, n, want);

    /* hash only, then hash + copy in one pass */
    assert_int_equal(constat_evidence_hash_copy(src, -1, got, &size, &err), CONSTAT_OK);
    assert_memory_equal(got, want, 32);
    assert_true(size == n);
    snprintf(copy, sizeof copy, "%s/copy.bin", dir);
    fd = open(copy, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(constat_evidence_hash_copy(src, fd, got, &size, &err), CONSTAT_OK);
    close(fd);
    assert_memory_equal(got, want, 32);
    assert_int_equal(constat_sha256_file(copy, got, &size, &err), CONSTAT_OK);
    assert_memory_equal(got, want, 32);

    /* the store: layout, read-only, dedupe */
    assert_int_equal(constat_evidence_store(dir, src, got, &size, &fresh, &err), CONSTAT_OK);
    assert_memory_equal(got, want, 32);
    assert_int_equal(fresh, 1);
    constat_hex(want, 32, hex);
    assert_int_equal(constat_evidence_path(dir, hex, stored, sizeof stored), CONSTAT_OK);
    {
        char expect[800];
        snprintf(expect, sizeof expect, "%s/evidence/sha256/%.2s/%.2s/%s", dir, hex, hex + 2,
                 hex);
        assert_string_equal(stored, expect);
    }
    assert_int_equal(stat(stored, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0400);
    assert_true((size_t)sb.st_size == n);
    assert_int_equal(constat_evidence_store(dir, copy, got, &size, &fresh, &err), CONSTAT_OK);
    assert_int_equal(fresh, 0);
    assert_memory_equal(got, want, 32);
    {
        /* no temporary file left behind */
        char cmd[800];
        snprintf(cmd, sizeof cmd, "test -z \"$(find '%s/evidence' -name '.incoming-*')\"", dir);
        assert_int_equal(system(cmd), 0);
    }

    /* a damaged store (another size under that name) is a conflict */
    assert_int_equal(chmod(stored, 0644), 0);
    write_bytes(stored, b, 10);
    assert_int_equal(constat_evidence_store(dir, src, got, &size, &fresh, &err),
                     CONSTAT_ECONFLICT);

    /* bad input */
    assert_int_equal(constat_evidence_path(dir, "ABCD", stored, sizeof stored), CONSTAT_EINVAL);
    assert_int_equal(constat_evidence_path(dir, hex, stored, 20), CONSTAT_EINVAL);
    assert_int_equal(constat_evidence_hash_copy("/nonexistent/f", -1, got, NULL, &err),
                     CONSTAT_ENOTFOUND);
    assert_int_equal(constat_evidence_hash_copy(dir, -1, got, NULL, &err), CONSTAT_EINVAL);

    /* empty file: the SHA-256 of nothing */
    snprintf(src, sizeof src, "%s/empty", dir);
    write_bytes(src, b, 0);
    assert_int_equal(constat_evidence_hash_copy(src, -1, got, &size, &err), CONSTAT_OK);
    constat_hex(got, 32, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_true(size == 0);
    free(b);
    tu_rmrf(dir);
    free(dir);
}

static void test_media_type(void **state)
{
    char t[128];
    constat_error err;
    (void)state;
    assert_int_equal(constat_evidence_media_type(MEDIA "Canon_40D.jpg", t, sizeof t, &err),
                     CONSTAT_OK);
    assert_string_equal(t, "image/jpeg");
    assert_int_equal(constat_evidence_media_type(MEDIA "PROVENANCE.md", t, sizeof t, &err),
                     CONSTAT_OK);
    assert_true(strncmp(t, "text/", 5) == 0);
}

/* An incident in Calais, 2024-03-05 06:00-07:00 +01:00 (05:00-06:00Z). */
static json_t *incident(void)
{
    json_error_t je;
    json_t *r = json_loads(
        "{\"v\":1,\"kind\":\"incident\",\"id\":\"INC-1\",\"org\":\"org\",\"monitor\":\"amina\","
        "\"recorded_at\":\"2024-03-05T09:00:00Z\",\"occurred\":{\"start\":"
        "\"2024-03-05T06:00:00+01:00\",\"end\":\"2024-03-05T07:00:00+01:00\",\"precision\":"
        "\"hour\"},\"place\":{\"name\":\"Calais\",\"lat_e7\":509580000,\"lon_e7\":18530000},"
        "\"categories\":[\"eviction\"],\"source\":{\"type\":\"direct_observation\"}}",
        JSON_REJECT_DUPLICATES, &je);
    assert_non_null(r);
    return r;
}

static json_t *evidence_with(json_t *capture)
{
    uint8_t h[32];
    json_t *e;
    constat_sha256("x", 1, h);
    e = constat_evidence_input("INC-1", h, 1, "image/jpeg", NULL, NULL);
    assert_non_null(e);
    json_object_set_new(e, "v", json_integer(1));
    json_object_set_new(e, "org", json_string("org"));
    json_object_set_new(e, "monitor", json_string("amina"));
    json_object_set_new(e, "recorded_at", json_string("2024-03-05T09:00:00Z"));
    if (capture)
        json_object_set_new(e, "capture", capture);
    return e;
}

static void flags_of(json_t *capture, constat_evidence_flags *f)
{
    json_t *inc = incident(), *ev = evidence_with(capture);
    constat_error err;
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_evidence_flags_compute(ev, inc, f, &err), CONSTAT_OK);
    json_decref(inc);
    json_decref(ev);
}

static void test_flags_time(void **state)
{
    constat_evidence_flags f;
    char d[400];
    (void)state;
    /* window 05:00Z..06:00Z; the edges are inclusive: exactly 3600 s out is fine */
    flags_of(json_pack("{s:s}", "time", "2024-03-05T04:00:00Z"), &f);
    assert_true(f.time_checked && !f.time_flag && f.time_off_s == -3600);
    flags_of(json_pack("{s:s}", "time", "2024-03-05T03:59:59Z"), &f);
    assert_true(f.time_flag && f.time_off_s == -3601);
    flags_of(json_pack("{s:s}", "time", "2024-03-05T08:00:00+01:00"), &f);
    assert_true(!f.time_flag && f.time_off_s == 3600);
    flags_of(json_pack("{s:s}", "time", "2024-03-05T08:00:01+01:00"), &f);
    assert_true(f.time_flag && f.time_off_s == 3601);
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 1);
    assert_string_equal(d, "capture time 1 h 00 min after the incident's time");
    flags_of(json_pack("{s:s}", "time", "2024-03-05T05:30:00Z"), &f);
    assert_true(!f.time_flag && f.time_off_s == 0);
    /* a camera clock without offset is read in the incident's offset (+01:00) */
    flags_of(json_pack("{s:s}", "local_time", "2024-03-05T08:00:00"), &f);
    assert_true(f.time_assumed_offset && !f.time_flag && f.time_off_s == 3600);
    flags_of(json_pack("{s:s}", "local_time", "2024-03-05T04:59:59"), &f);
    assert_true(f.time_flag && f.time_off_s == -3601);
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 1);
    assert_non_null(strstr(d, "before the incident's time (camera clock"));
    /* no capture at all, or no time: nothing checked, no flag */
    flags_of(NULL, &f);
    assert_true(!f.time_checked && !f.gps_checked && !f.time_flag && !f.gps_flag);
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 0);
    assert_string_equal(d, "");
    flags_of(json_pack("{s:s}", "make", "Canon"), &f);
    assert_true(!f.time_checked && !f.gps_checked);
}

static void test_flags_distance(void **state)
{
    constat_evidence_flags f;
    char d[400];
    (void)state;
    /* along the meridian, 1e-7 degree = 0.0111195 m on the 6371008.8 m
     * sphere: 179864 units = 1999.999 m, 179865 = 2000.010 m */
    flags_of(json_pack("{s:I, s:I}", "lat_e7", (json_int_t)(509580000 + 179864), "lon_e7",
                       (json_int_t)18530000), &f);
    assert_true(f.gps_checked && !f.gps_flag && f.distance_m == 2000);
    flags_of(json_pack("{s:I, s:I}", "lat_e7", (json_int_t)(509580000 + 179865), "lon_e7",
                       (json_int_t)18530000), &f);
    assert_true(f.gps_checked && f.gps_flag && f.distance_m == 2000);
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 1);
    assert_string_equal(d, "taken 2.0 km from the incident's place");
    flags_of(json_pack("{s:I, s:I}", "lat_e7", (json_int_t)509580000, "lon_e7",
                       (json_int_t)18530000), &f);
    assert_true(f.gps_checked && !f.gps_flag && f.distance_m == 0);
    /* Calais to Paris (48.8566, 2.3522): about 238 km */
    flags_of(json_pack("{s:I, s:I, s:s}", "lat_e7", (json_int_t)488566000, "lon_e7",
                       (json_int_t)23522000, "time", "2024-03-05T12:00:00Z"), &f);
    assert_true(f.gps_flag && f.distance_m > 236000 && f.distance_m < 240000);
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 2);
    assert_non_null(strstr(d, "; taken 23"));
}

/* Metadata the camera wrote unusably is a flag of its own. */
static void test_flags_unusable(void **state)
{
    constat_evidence_flags f;
    char d[CONSTAT_EVIDENCE_FLAGS_TEXT];
    char problem[CONSTAT_EXIF_PROBLEM_MAX + 1], want[CONSTAT_EVIDENCE_FLAGS_TEXT];
    json_t *ev;
    constat_error err;
    (void)state;
    flags_of(json_pack("{s:s, s:s}", "time_invalid", "2019:13:45 25:61:00", "make", "ACME"), &f);
    assert_true(f.time_invalid && !f.time_checked && !f.time_flag && !f.exif_malformed);
    assert_string_equal(f.time_raw, "2019:13:45 25:61:00");
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 1);
    assert_string_equal(d, "invalid EXIF date \"2019:13:45 25:61:00\" (the camera wrote a date "
                           "that is not one)");
    /* all four at their longest fit the documented buffer, in order */
    memset(problem, 'x', CONSTAT_EXIF_PROBLEM_MAX);
    problem[CONSTAT_EXIF_PROBLEM_MAX] = 0;
    flags_of(json_pack("{s:s, s:I, s:I, s:s}", "time_invalid",
                       "0000:00:00 00:00:00 00000000000000000000000000000000000000000000",
                       "lat_e7", (json_int_t)488566000, "lon_e7", (json_int_t)23522000,
                       "exif_malformed", problem),
             &f);
    assert_true(f.gps_flag && f.time_invalid && f.exif_malformed);
    assert_int_equal(constat_evidence_flags_describe(&f, d, sizeof d), 3);
    snprintf(want, sizeof want,
             "taken 236 km from the incident's place; invalid EXIF date \"%s\" (the camera "
             "wrote a date that is not one); malformed EXIF: %s",
             "0000:00:00 00:00:00 00000000000000000000000000000000000000000000", problem);
    assert_string_equal(d, want);
    /* the record rules: bounded, never empty, never beside a time */
    problem[0] = 0;
    ev = evidence_with(json_pack("{s:s, s:s}", "time_invalid", "0000:00:00 00:00:00", "time",
                                 "2024-03-05T04:00:00Z"));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "time_invalid excludes time and local_time"));
    json_decref(ev);
    memset(want, 'y', 65);
    want[65] = 0;
    ev = evidence_with(json_pack("{s:s}", "time_invalid", want));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "capture.time_invalid"));
    json_decref(ev);
    memset(want, 'y', 201);
    want[201] = 0;
    ev = evidence_with(json_pack("{s:s}", "exif_malformed", want));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "capture.exif_malformed"));
    json_decref(ev);
    ev = evidence_with(json_pack("{s:s}", "exif_malformed", ""));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    json_decref(ev);
}

static void test_flags_errors_and_validation(void **state)
{
    json_t *inc = incident(), *ev = evidence_with(NULL), *cu;
    constat_evidence_flags f;
    constat_error err;
    (void)state;
    json_object_set_new(inc, "id", json_string("INC-2"));
    assert_int_equal(constat_evidence_flags_compute(ev, inc, &f, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_evidence_flags_compute(inc, inc, &f, &err), CONSTAT_EINVAL);

    /* the record rules of docs/record.md */
    json_object_set_new(ev, "sha256", json_string("ABC"));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "sha256"));
    json_decref(ev);
    ev = evidence_with(json_pack("{s:s, s:s}", "time", "2024-03-05T04:00:00Z", "local_time",
                                 "2024-03-05T04:00:00"));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    json_decref(ev);
    ev = evidence_with(json_pack("{s:s}", "local_time", "2024-03-05 04:00:00"));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "capture.local_time"));
    json_decref(ev);
    ev = evidence_with(json_pack("{s:I}", "lat_e7", (json_int_t)1));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    json_decref(ev);
    ev = evidence_with(json_pack("{s:s}", "checks", "none"));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "capture.checks: unknown field"));
    json_decref(ev);
    ev = evidence_with(NULL);
    json_object_set_new(ev, "size", json_integer(-1));
    assert_int_equal(constat_record_validate(ev, NULL, &err), CONSTAT_EINVAL);
    json_decref(ev);

    cu = constat_custody_input("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                               "INC-1", "sealed", "evidence locker 3", "bag 41", NOW);
    json_object_set_new(cu, "v", json_integer(1));
    json_object_set_new(cu, "org", json_string("org"));
    json_object_set_new(cu, "monitor", json_string("amina"));
    json_object_set_new(cu, "recorded_at", json_string("2024-03-05T09:00:00Z"));
    assert_int_equal(constat_record_validate(cu, NULL, &err), CONSTAT_OK);
    assert_true(strncmp(json_string_value(json_object_get(cu, "id")), "cu-", 3) == 0);
    json_object_set_new(cu, "event", json_string("lost"));
    assert_int_equal(constat_record_validate(cu, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "event"));
    assert_false(constat_custody_event_valid("lost"));
    assert_true(constat_custody_event_valid("handed_over"));
    json_decref(cu);
    json_decref(inc);
}

/* The evidence_flagged figure: one row per raised flag, on the evidence leaf */
static void test_figure(void **state)
{
    json_t *inc = incident(), *ok, *bad, *other, *unusable, *figs = NULL, *rows = NULL, *f;
    constat_indexed_record recs[5];
    constat_error err;
    size_t i;
    (void)state;
    ok = evidence_with(json_pack("{s:s}", "time", "2024-03-05T05:30:00Z"));
    json_object_set_new(ok, "id", json_string("ev-ok"));
    bad = evidence_with(json_pack("{s:s, s:I, s:I}", "time", "2024-03-05T12:00:00Z", "lat_e7",
                                  (json_int_t)488566000, "lon_e7", (json_int_t)23522000));
    json_object_set_new(bad, "id", json_string("ev-bad"));
    other = evidence_with(json_pack("{s:s}", "time", "1999-01-01T00:00:00Z"));
    json_object_set_new(other, "id", json_string("ev-other"));
    json_object_set_new(other, "incident", json_string("INC-NOT-HERE"));
    unusable = evidence_with(json_pack("{s:s, s:s}", "time_invalid", "0000:00:00 00:00:00",
                                       "exif_malformed", "Exif IFD pointer in IFD 0 points back "
                                       "to IFD 0 at offset 8 (cycle)"));
    json_object_set_new(unusable, "id", json_string("ev-unusable"));
    recs[0].index = 4; recs[0].record = inc;
    recs[1].index = 7; recs[1].record = ok;
    recs[2].index = 9; recs[2].record = bad;
    recs[3].index = 11; recs[3].record = other;
    recs[4].index = 12; recs[4].record = unusable;
    assert_int_equal(constat_figures_compute(recs, 5, NULL, &figs, &err), CONSTAT_OK);
    json_array_foreach(json_object_get(figs, "figures"), i, f)
        if (strcmp(json_string_value(json_object_get(f, "id")), "evidence_flagged") == 0)
            rows = json_object_get(f, "rows");
    assert_non_null(rows);
    {
        char *got = json_dumps(rows, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(got, "[{\"key\":[\"ev-bad\",\"place\"],\"leaves\":[9],\"value\":1},"
                                 "{\"key\":[\"ev-bad\",\"time\"],\"leaves\":[9],\"value\":1},"
                                 "{\"key\":[\"ev-unusable\",\"invalid_date\"],\"leaves\":[12],"
                                 "\"value\":1},"
                                 "{\"key\":[\"ev-unusable\",\"malformed_exif\"],\"leaves\":[12],"
                                 "\"value\":1}]");
        free(got);
    }
    /* the incidents count is not changed by evidence records */
    json_array_foreach(json_object_get(figs, "figures"), i, f)
        if (strcmp(json_string_value(json_object_get(f, "id")), "incidents_total") == 0)
            assert_int_equal(json_integer_value(json_object_get(
                                 json_array_get(json_object_get(f, "rows"), 0), "value")), 1);
    json_decref(figs);
    json_decref(inc);
    json_decref(ok);
    json_decref(bad);
    json_decref(other);
    json_decref(unusable);
}

/* A vault with one monitor and the incident above logged. */
typedef struct {
    char *dir;
    constat_vault *v;
    constat_note_signer amina;
} fixture;

static void fx_open(fixture *f)
{
    constat_error err;
    json_t *in = incident(), *rec = NULL, *priv = NULL;
    constat_intake_item item;
    constat_append_item view;
    f->dir = tu_tmpdir();
    assert_int_equal(constat_vault_create(f->dir, "org", "org.example/log", NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_open(f->dir, NULL, &f->v, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(f->v, "amina", NOW, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_key(f->v, "amina", &f->amina, &err), CONSTAT_OK);
    json_object_del(in, "org");
    json_object_del(in, "monitor");
    assert_int_equal(constat_intake_prepare(f->v, in, "amina", NOW, NULL, &rec, &priv, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_intake_sign(rec, priv, &f->amina, &item, &err), CONSTAT_OK);
    constat_intake_item_view(&item, &view);
    assert_int_equal(constat_vault_append(f->v, &view, 1, NULL, NULL, NULL, NULL, NULL, &err),
                     CONSTAT_OK);
    constat_intake_item_free(&item);
    json_decref(in);
    json_decref(rec);
    json_decref(priv);
}

static void fx_close(fixture *f)
{
    constat_note_signer_wipe(&f->amina);
    constat_vault_close(f->v);
    tu_rmrf(f->dir);
    free(f->dir);
}

static json_t *leaf_record(constat_vault *v, uint64_t index)
{
    constat_buf b;
    constat_leaf l;
    constat_error err;
    json_t *r;
    constat_buf_init(&b);
    assert_int_equal(constat_vault_leaf(v, index, &b, &err), CONSTAT_OK);
    assert_int_equal(constat_leaf_parse(b.data, b.len, &l, &err), CONSTAT_OK);
    r = json_incref(l.record);
    constat_leaf_free(&l);
    constat_buf_free(&b);
    return r;
}

static void test_attach_custody(void **state)
{
    fixture f;
    constat_evidence_result r, r2;
    constat_error err;
    json_t *rec, *cap, *priv;
    uint64_t size0, idx;
    char id[64], path[800];
    (void)state;
    fx_open(&f);
    size0 = constat_vault_size(f.v);

    assert_int_equal(constat_evidence_attach(f.v, "INC-1", MEDIA "gps_DSCN0010.jpg", "amina",
                                             &f.amina, NOW, &r, &err), CONSTAT_OK);
    assert_string_equal(r.sha256,
                        "17307b1207eb6487d7908e9d154890b46e3d2e0192369cfd3f4c33d5a5af4035");
    assert_true(r.size == 161713);
    assert_string_equal(r.media_type, "image/jpeg");
    assert_true(r.stored_new && !r.already_logged);
    assert_true(r.index == size0);
    assert_true(strncmp(r.record_id, "ev-17307b1207eb6487-", 20) == 0);
    rec = leaf_record(f.v, r.index);
    assert_string_equal(json_string_value(json_object_get(rec, "kind")), "evidence");
    assert_string_equal(json_string_value(json_object_get(rec, "incident")), "INC-1");
    assert_int_equal(json_integer_value(json_object_get(rec, "size")), 161713);
    cap = json_object_get(rec, "capture");
    assert_string_equal(json_string_value(json_object_get(cap, "local_time")),
                        "2008-10-22T16:28:39");
    assert_int_equal(json_integer_value(json_object_get(cap, "lat_e7")), 434674483);
    assert_string_equal(json_string_value(json_object_get(cap, "model")), "COOLPIX P6000");
    /* the file name is committed, not logged */
    assert_true(json_is_string(json_object_get(json_object_get(rec, "private"), "file_name")));
    assert_int_equal(constat_vault_private(f.v, r.record_id, &priv, &err), CONSTAT_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(priv, "file_name"), "value")),
        "gps_DSCN0010.jpg");
    json_decref(priv);
    json_decref(rec);

    /* again: nothing added, same record; the store keeps one file */
    assert_int_equal(constat_evidence_attach(f.v, "INC-1", MEDIA "gps_DSCN0010.jpg", "amina",
                                             &f.amina, NOW + 60, &r2, &err), CONSTAT_OK);
    assert_true(r2.already_logged && !r2.stored_new && r2.index == r.index);
    assert_string_equal(r2.record_id, r.record_id);
    assert_true(constat_vault_size(f.v) == size0 + 1);

    /* a file without EXIF: no capture member */
    assert_int_equal(constat_evidence_attach(f.v, "INC-1", MEDIA "invalid_image02206.jpg",
                                             "amina", &f.amina, NOW, &r2, &err), CONSTAT_OK);
    rec = leaf_record(f.v, r2.index);
    assert_null(json_object_get(rec, "capture"));
    json_decref(rec);

    /* custody */
    assert_int_equal(constat_custody_log(f.v, r.record_id, "handed_over", "lawyer B.", "USB key",
                                         "amina", &f.amina, NOW + 3600, &idx, id, &err),
                     CONSTAT_OK);
    rec = leaf_record(f.v, idx);
    assert_string_equal(json_string_value(json_object_get(rec, "kind")), "custody");
    assert_string_equal(json_string_value(json_object_get(rec, "evidence")), r.sha256);
    assert_string_equal(json_string_value(json_object_get(rec, "incident")), "INC-1");
    assert_string_equal(json_string_value(json_object_get(rec, "to")), "lawyer B.");
    assert_string_equal(json_string_value(json_object_get(rec, "id")), id);
    json_decref(rec);
    /* the same event at another time is another event */
    assert_int_equal(constat_custody_log(f.v, r.record_id, "handed_over", "lawyer B.", "USB key",
                                         "amina", &f.amina, NOW + 7200, &idx, NULL, &err),
                     CONSTAT_OK);
    assert_true(idx == constat_vault_size(f.v) - 1);

    /* errors */
    assert_int_equal(constat_evidence_attach(f.v, "NOPE", MEDIA "Canon_40D.jpg", "amina",
                                             &f.amina, NOW, &r2, &err), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_evidence_attach(f.v, r.record_id, MEDIA "Canon_40D.jpg", "amina",
                                             &f.amina, NOW, &r2, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_evidence_attach(f.v, "INC-1", MEDIA "missing.jpg", "amina",
                                             &f.amina, NOW, &r2, &err), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_custody_log(f.v, "INC-1", "sealed", "x", NULL, "amina", &f.amina,
                                         NOW, NULL, NULL, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_custody_log(f.v, r.record_id, "lost", "x", NULL, "amina",
                                         &f.amina, NOW, NULL, NULL, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_custody_log(f.v, r.record_id, "sealed", "", NULL, "amina",
                                         &f.amina, NOW, NULL, NULL, &err), CONSTAT_EINVAL);

    /* the dossier side: copy out, check, tamper, remove */
    {
        char *out = tu_tmpdir(), msg[700];
        rec = leaf_record(f.v, r.index);
        assert_int_equal(constat_evidence_copy_out(f.v, r.sha256, out, &err), CONSTAT_OK);
        assert_int_equal(constat_evidence_check_file(out, rec, msg, sizeof msg), CONSTAT_OK);
        /* the vault's copy is sealed: not the file's bytes, yet it re-hashes */
        {
            size_t sn = 0, pn = 0;
            int rehashed = 0;
            char *stored, *plain = tu_read_file(MEDIA "Canon_40D.jpg", &pn);
            assert_int_equal(constat_evidence_path(f.dir, r.sha256, path, sizeof path),
                             CONSTAT_OK);
            stored = tu_read_file(path, &sn);
            assert_memory_equal(stored, CONSTAT_SEAL_FILE_MAGIC, CONSTAT_SEAL_FILE_MAGIC_LEN);
            for (size_t i = 0; i + 32 <= sn; i++)
                assert_false(memcmp(stored + i, plain + 2000, 32) == 0);
            assert_int_equal(constat_evidence_check_stored(f.v, rec, &rehashed, msg, sizeof msg),
                             CONSTAT_OK);
            assert_int_equal(rehashed, 1);
            assert_non_null(strstr(msg, "sealed; hash and size match"));
            free(stored);
            free(plain);
        }
        assert_int_equal(constat_evidence_path(out, r.sha256, path, sizeof path), CONSTAT_OK);
        assert_int_equal(chmod(path, 0644), 0);
        {
            FILE *fp = fopen(path, "r+b");
            assert_non_null(fp);
            fseek(fp, 1000, SEEK_SET);
            fputc('X', fp);
            fclose(fp);
        }
        assert_int_equal(constat_evidence_check_file(out, rec, msg, sizeof msg),
                         CONSTAT_EVERIFY);
        assert_non_null(strstr(msg, "the signed record says 17307b12"));
        unlink(path);
        assert_int_equal(constat_evidence_check_file(out, rec, msg, sizeof msg),
                         CONSTAT_ENOTFOUND);
        /* a vault file changed behind our back is not copied out */
        assert_int_equal(constat_evidence_path(f.dir, r.sha256, path, sizeof path), CONSTAT_OK);
        assert_int_equal(chmod(path, 0644), 0);
        {
            FILE *fp = fopen(path, "r+b");
            fputc('Y', fp);
            fclose(fp);
        }
        assert_int_equal(constat_evidence_copy_out(f.v, r.sha256, out, &err),
                         CONSTAT_EVERIFY);
        {
            int rehashed = 1;
            assert_int_equal(constat_evidence_check_stored(f.v, rec, &rehashed, msg, sizeof msg),
                             CONSTAT_EVERIFY);
            assert_int_equal(rehashed, 0);
        }
        assert_int_equal(constat_evidence_check_file(out, rec, msg, sizeof msg),
                         CONSTAT_ENOTFOUND);
        assert_int_equal(constat_evidence_copy_out(f.v, "00000000000000000000000000000000"
                                                          "00000000000000000000000000000000",
                                                   out, &err), CONSTAT_ENOTFOUND);
        json_decref(rec);
        tu_rmrf(out);
        free(out);
    }
    fx_close(&f);
}

/* Prepare, check (constat_intake_amend_check), sign and append `in`. */
static constat_status amend(fixture *f, json_t *in, constat_error *err)
{
    json_t *rec = NULL, *priv = NULL;
    constat_intake_item item;
    constat_append_item view;
    constat_status st = constat_intake_prepare(f->v, in, "amina", NOW, NULL, &rec, &priv, err);
    if (st == CONSTAT_OK)
        st = constat_intake_amend_check(f->v, rec, err);
    if (st == CONSTAT_OK && (st = constat_intake_sign(rec, priv, &f->amina, &item, err)) ==
                                CONSTAT_OK) {
        constat_intake_item_view(&item, &view);
        st = constat_vault_append(f->v, &view, 1, NULL, NULL, NULL, NULL, NULL, err);
        constat_intake_item_free(&item);
    }
    json_decref(rec);
    json_decref(priv);
    json_decref(in);
    return st;
}

/* The log-side checks of corrections and retractions. */
static void test_amend_check(void **state)
{
    fixture f;
    constat_evidence_result r;
    constat_error err;
    json_t *rep;
    uint64_t size;
    (void)state;
    fx_open(&f);
    assert_int_equal(constat_evidence_attach(f.v, "INC-1", MEDIA "gps_DSCN0010.jpg", "amina",
                                             &f.amina, NOW, &r, &err), CONSTAT_OK);
    rep = incident();
    json_object_set_new(rep, "summary", json_string("corrected"));

    /* not in the log; not an incident or evidence record */
    assert_int_equal(amend(&f, json_pack("{s:s,s:s,s:s}", "kind", "retraction", "retracts",
                                         "INC-9", "reason", "x"), &err),
                     CONSTAT_ENOTFOUND);
    assert_string_equal(err.msg, "retracts: no record \"INC-9\" in the log to retract");
    assert_int_equal(amend(&f, json_pack("{s:s,s:s,s:s}", "kind", "retraction", "retracts",
                                         "enrol:amina", "reason", "x"), &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "is of kind \"monitor_enrolment\""));
    /* a replacement of another kind than the corrected record */
    {
        json_t *ev = leaf_record(f.v, r.index), *c;
        json_object_set_new(ev, "id", json_string("INC-1"));
        c = json_pack("{s:s,s:s,s:o}", "kind", "correction", "corrects", "INC-1",
                      "replacement", ev);
        assert_int_equal(amend(&f, c, &err), CONSTAT_EINVAL);
        assert_non_null(strstr(err.msg, "replacement.kind: record \"INC-1\" (leaf 1) is of "
                                        "kind \"incident\""));
    }
    size = constat_vault_size(f.v);
    assert_int_equal(amend(&f, json_pack("{s:s,s:s,s:O}", "kind", "correction", "corrects",
                                         "INC-1", "replacement", rep), &err),
                     CONSTAT_OK);
    assert_int_equal(amend(&f, json_pack("{s:s,s:s,s:s}", "kind", "retraction", "retracts",
                                         r.record_id, "reason", "wrong incident"), &err),
                     CONSTAT_OK);
    assert_true(constat_vault_size(f.v) == size + 2);
    /* a retracted record is neither retracted again nor corrected */
    assert_int_equal(amend(&f, json_pack("{s:s,s:s,s:s}", "kind", "retraction", "retracts",
                                         r.record_id, "reason", "again"), &err),
                     CONSTAT_ECONFLICT);
    assert_non_null(strstr(err.msg, "was retracted by leaf"));
    assert_true(constat_vault_size(f.v) == size + 2);
    json_decref(rep);
    fx_close(&f);
}

/* The extension of a media type, for evidence/files.tsv in a dossier. */
static void test_extension(void **state)
{
    (void)state;
    assert_string_equal(constat_evidence_extension("image/jpeg"), ".jpg");
    assert_string_equal(constat_evidence_extension("image/png"), ".png");
    assert_string_equal(constat_evidence_extension("video/quicktime"), ".mov");
    assert_string_equal(constat_evidence_extension("application/pdf"), ".pdf");
    assert_string_equal(constat_evidence_extension("text/plain"), ".txt");
    /* case and parameters aside */
    assert_string_equal(constat_evidence_extension("IMAGE/JPEG"), ".jpg");
    assert_string_equal(constat_evidence_extension("text/plain; charset=us-ascii"), ".txt");
    /* not in the table, or no type: .bin, never an extension a type does not have */
    assert_string_equal(constat_evidence_extension("application/x-unknown"), ".bin");
    assert_string_equal(constat_evidence_extension("image/jpe"), ".bin");
    assert_string_equal(constat_evidence_extension("image/jpegx"), ".bin");
    assert_string_equal(constat_evidence_extension(""), ".bin");
    assert_string_equal(constat_evidence_extension(NULL), ".bin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_hash_and_store),
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_flags_time),
        cmocka_unit_test(test_flags_distance),
        cmocka_unit_test(test_flags_unusable),
        cmocka_unit_test(test_flags_errors_and_validation),
        cmocka_unit_test(test_figure),
        cmocka_unit_test(test_attach_custody),
        cmocka_unit_test(test_amend_check),
        cmocka_unit_test(test_extension),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
