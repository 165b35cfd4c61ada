/* fuzz_exif.c — arbitrary bytes as a JPEG file and as a bare EXIF block
 * through constat_exif_parse. Invariants: never a crash; a reported position
 * is within range and never 0,0; a reported time is a real calendar time; an
 * invalid date comes with its printable text and never with a time; a
 * malformed IFD structure is always named; the capture object built from it
 * always passes the evidence record rules (what the camera wrote can always
 * be signed). The corpus holds cyclic and out-of-range IFD pointers, which
 * the pre-walk keeps to one pass (docs/evidence.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/evidence/evidence.h"

static void check(const constat_capture *c)
{
    json_t *cap, *ev;
    uint8_t h[32] = {0};
    if (c->has_gps) {
        if (c->lat_e7 < -900000000 || c->lat_e7 > 900000000 || c->lon_e7 < -1800000000 ||
            c->lon_e7 > 1800000000 || (c->lat_e7 == 0 && c->lon_e7 == 0))
            abort();
    } else if (c->lat_e7 || c->lon_e7 || c->has_alt) {
        abort();
    }
    if (!c->has_local_time && (c->local_time[0] || c->has_offset))
        abort();
    /* an invalid date is never beside a time, and always has its text */
    if (c->time_invalid ? (c->has_local_time || !c->time_raw[0]) : c->time_raw[0] != 0)
        abort();
    for (const char *p = c->time_raw; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            abort();
    /* a malformed structure is always named, and only then */
    if (c->exif_malformed ? !c->exif_problem[0] : c->exif_problem[0] != 0)
        abort();
    if (strlen(c->make) > CONSTAT_EXIF_TEXT_MAX || strlen(c->model) > CONSTAT_EXIF_TEXT_MAX)
        abort();
    cap = constat_capture_to_json(c);
    ev = constat_evidence_input("INC-1", h, 1, "image/jpeg", c, "f.jpg");
    if (!ev)
        abort();
    json_object_set_new(ev, "v", json_integer(1));
    json_object_set_new(ev, "org", json_string("org"));
    json_object_set_new(ev, "monitor", json_string("m"));
    json_object_set_new(ev, "recorded_at", json_string("2024-01-01T00:00:00Z"));
    json_object_set_new(ev, "private",
                        json_pack("{s:s}", "file_name",
                                  "0000000000000000000000000000000000000000000000000000000000000000"));
    if (constat_record_validate(ev, NULL, NULL) != CONSTAT_OK)
        abort();
    json_decref(ev);
    json_decref(cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    constat_capture c;
    uint8_t *block;

    if (!ready) {
        if (constat_init() != CONSTAT_OK)
            abort();
        ready = 1;
    }
    if (size > (1u << 20))
        return 0;
    if (constat_exif_parse(data, size, &c, NULL) != CONSTAT_OK)
        abort();
    check(&c);
    /* the same bytes as the TIFF part of a bare EXIF block */
    block = malloc(size + 6);
    if (!block)
        return 0;
    memcpy(block, "Exif\0\0", 6);
    if (size)
        memcpy(block + 6, data, size);
    if (constat_exif_parse(block, size + 6, &c, NULL) != CONSTAT_OK)
        abort();
    check(&c);
    free(block);
    return 0;
}
