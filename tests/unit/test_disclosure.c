/* test_disclosure.c — selective disclosure documents and recipient keys
 * (docs/dossier.md "Selective disclosure"), and the coarse positions of
 * "location_precision" (docs/record.md "Location precision"), with values
 * worked out by hand. */
#include <string.h>

#include <sodium.h>

#include "testutil.h"
#include "constat/dossier/disclosure.h"
#include "vault/location.h"

#define ITEM                                                                                  \
    "{\"record\":\"inc-a\",\"leaf_index\":1,\"leaf_hash\":\"" HASH64 "\",\"field\":"          \
    "\"narrative\",\"salt\":\"00112233445566778899aabbccddeeff\",\"value\":\"Tents.\"}"
#define HASH64 "abababababababababababababababababababababababababababababababab"
#define DOC(items)                                                                            \
    "{\"v\":1,\"kind\":\"constat-disclosure\",\"origin\":\"o\",\"org\":\"g\",\"items\":[" items \
    "]}"

static void parse_case(const char *text, constat_status want, const char *msg_part)
{
    json_t *doc = NULL;
    constat_error err;
    constat_status st;

    constat_error_clear(&err);
    st = constat_disclosure_parse(text, strlen(text), &doc, &err);
    assert_int_equal(st, want);
    if (want == CONSTAT_OK) {
        assert_non_null(doc);
        json_decref(doc);
    } else {
        assert_null(doc);
        assert_non_null(strstr(err.msg, msg_part));
    }
}

static void test_parse(void **state)
{
    (void)state;
    parse_case(DOC(ITEM), CONSTAT_OK, NULL);
    parse_case(DOC(ITEM "," ITEM), CONSTAT_OK, NULL);
    parse_case(DOC(""), CONSTAT_EINVAL, "items: must be a non-empty array");
    parse_case("{\"v\":2,\"kind\":\"constat-disclosure\",\"origin\":\"o\",\"org\":\"g\","
               "\"items\":[" ITEM "]}", CONSTAT_EINVAL, "v: must be 1");
    parse_case("{\"v\":1,\"kind\":\"other\",\"origin\":\"o\",\"org\":\"g\",\"items\":[" ITEM "]}",
               CONSTAT_EINVAL, "kind:");
    parse_case("{\"v\":1,\"v\":1}", CONSTAT_EINVAL, "duplicate");
    /* an item with a short salt, an upper-case hash, a negative index, a member more */
    parse_case(DOC("{\"record\":\"inc-a\",\"leaf_index\":1,\"leaf_hash\":\"" HASH64 "\","
                   "\"field\":\"narrative\",\"salt\":\"0011\",\"value\":1}"),
               CONSTAT_EINVAL, "items[0].salt");
    parse_case(DOC(ITEM ",{\"record\":\"inc-a\",\"leaf_index\":1,\"leaf_hash\":\"AB" HASH64 "\","
                   "\"field\":\"narrative\",\"salt\":\"00112233445566778899aabbccddeeff\","
                   "\"value\":1}"),
               CONSTAT_EINVAL, "items[1].leaf_hash");
    parse_case(DOC("{\"record\":\"inc-a\",\"leaf_index\":-1,\"leaf_hash\":\"" HASH64 "\","
                   "\"field\":\"narrative\",\"salt\":\"00112233445566778899aabbccddeeff\","
                   "\"value\":1}"),
               CONSTAT_EINVAL, "items[0].leaf_index");
    parse_case(DOC("{\"record\":\"inc-a\",\"leaf_index\":1,\"leaf_hash\":\"" HASH64 "\","
                   "\"field\":\"narrative\",\"salt\":\"00112233445566778899aabbccddeeff\","
                   "\"value\":1,\"x\":0}"),
               CONSTAT_EINVAL, "items[0]: must hold exactly");
}

static void test_recipient_pub(void **state)
{
    constat_recipient r;
    constat_error err;
    /* 32 bytes 0x01..0x20 in base64 */
    static const char line[] =
        "constat-recipient-v1 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n";
    (void)state;
    assert_int_equal(constat_recipient_parse_pub(line, strlen(line), "t", &r, &err), CONSTAT_OK);
    for (int i = 0; i < 32; i++)
        assert_int_equal(r.pk[i], i + 1);
    assert_int_equal(constat_recipient_parse_pub(line, 20, "t", &r, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_recipient_parse_pub("constat-recipient-v1 AQID\n", 26, "t", &r,
                                                 &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "32 bytes"));
}

/* Apply location_precision to a record with the given position. */
static json_t *coarse(json_int_t lat, json_int_t lon, int with_pm)
{
    json_t *rec = json_pack("{s:s, s:{s:s, s:I, s:I}}", "location_precision", "coarse",
                            "place", "name", "x", "lat_e7", lat, "lon_e7", lon);
    constat_error err;
    if (with_pm)
        json_object_set_new(json_object_get(rec, "place"), "precision_m", json_integer(20));
    assert_int_equal(constat_location_apply(rec, &err), CONSTAT_OK);
    return rec;
}

static json_int_t geti(const json_t *rec, const char *a, const char *b)
{
    return json_integer_value(json_object_get(json_object_get(rec, a), b));
}

static void test_location(void **state)
{
    json_t *rec;
    constat_error err;
    (void)state;
    /* 50.9512345 -> 50.95; 1.8550001 -> 1.86; precision 20 + 1000 */
    rec = coarse(509512345, 18550001, 1);
    assert_int_equal(geti(rec, "place", "lat_e7"), 509500000);
    assert_int_equal(geti(rec, "place", "lon_e7"), 18600000);
    assert_int_equal(geti(rec, "place", "precision_m"), 1020);
    assert_int_equal(
        geti(json_object_get(rec, "private"), "place_exact", "lat_e7"), 509512345);
    assert_int_equal(geti(json_object_get(rec, "private"), "place_exact", "precision_m"), 20);
    assert_null(json_object_get(rec, "location_precision"));
    json_decref(rec);
    /* negative coordinates, halves away from zero: -33.865 -> -33.87;
     * -151.2049999 -> -151.20; no precision_m -> 1000 */
    rec = coarse(-338650000, -1512049999, 0);
    assert_int_equal(geti(rec, "place", "lat_e7"), -338700000);
    assert_int_equal(geti(rec, "place", "lon_e7"), -1512000000);
    assert_int_equal(geti(rec, "place", "precision_m"), 1000);
    assert_null(json_object_get(json_object_get(json_object_get(rec, "private"),
                                                "place_exact"), "precision_m"));
    json_decref(rec);
    /* exact: only the member goes */
    rec = json_pack("{s:s, s:{s:I, s:I}}", "location_precision", "exact", "place", "lat_e7",
                    (json_int_t)509512345, "lon_e7", (json_int_t)18550001);
    assert_int_equal(constat_location_apply(rec, &err), CONSTAT_OK);
    assert_int_equal(geti(rec, "place", "lat_e7"), 509512345);
    assert_null(json_object_get(rec, "private"));
    assert_null(json_object_get(rec, "location_precision"));
    json_decref(rec);
    /* transport.release_place: rounded too, the exact one private */
    rec = json_pack("{s:s, s:{s:I, s:I}, s:{s:{s:s, s:I, s:I}}}", "location_precision",
                    "coarse", "place", "lat_e7", (json_int_t)509512345, "lon_e7",
                    (json_int_t)18550001, "transport", "release_place", "name", "lane",
                    "lat_e7", (json_int_t)509610000, "lon_e7", (json_int_t)-18549999);
    assert_int_equal(constat_location_apply(rec, &err), CONSTAT_OK);
    {
        json_t *rp = json_object_get(json_object_get(rec, "transport"), "release_place");
        json_t *ex = json_object_get(json_object_get(rec, "private"), "release_place_exact");
        assert_int_equal(json_integer_value(json_object_get(rp, "lat_e7")), 509600000);
        assert_int_equal(json_integer_value(json_object_get(rp, "lon_e7")), -18500000);
        assert_int_equal(json_object_size(ex), 2);
        assert_int_equal(json_integer_value(json_object_get(ex, "lat_e7")), 509610000);
        assert_int_equal(json_integer_value(json_object_get(ex, "lon_e7")), -18549999);
    }
    json_decref(rec);
    /* a release_place_exact given by hand is refused */
    rec = json_pack("{s:s, s:{s:I, s:I}, s:{s:i}}", "location_precision", "coarse", "place",
                    "lat_e7", (json_int_t)509512345, "lon_e7", (json_int_t)18550001, "private",
                    "release_place_exact", 1);
    assert_int_equal(constat_location_apply(rec, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "private.release_place_exact"));
    json_decref(rec);
    /* refused: another value, no coordinates */
    rec = json_pack("{s:s, s:{s:s}}", "location_precision", "fuzzy", "place", "name", "x");
    assert_int_equal(constat_location_apply(rec, &err), CONSTAT_EINVAL);
    json_object_set_new(rec, "location_precision", json_string("coarse"));
    assert_int_equal(constat_location_apply(rec, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "needs place.lat_e7"));
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_recipient_pub),
        cmocka_unit_test(test_location),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
