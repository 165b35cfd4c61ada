/* test_record.c — record validation (docs/record.md), commitments,
 * pseudonyms, content hashes, leaves, RFC 3339 and the taxonomy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "testutil.h"
#include "constat/record/record.h"

static constat_taxonomy *tax;

static const char *incident_text =
    "{\"v\":1,\"kind\":\"incident\",\"id\":\"HRO-2024-03-05.1\",\"org\":\"hro-calais\","
    "\"monitor\":\"amina\",\"recorded_at\":\"2024-03-05T10:12:00+01:00\","
    "\"occurred\":{\"start\":\"2024-03-05T08:30:00+01:00\",\"end\":\"2024-03-05T09:15:00+01:00\","
    "\"precision\":\"minute\"},"
    "\"place\":{\"site\":\"site-7\",\"name\":\"Rue des Verrotières\",\"commune\":\"Calais\","
    "\"country\":\"France\",\"lat_e7\":509510000,\"lon_e7\":18580000,\"precision_m\":500},"
    "\"categories\":[\"eviction\",\"property_seizure\",\"tear_gas\"],"
    "\"authority\":{\"forces\":[\"CRS\",\"Police nationale\"],\"unit\":\"CRS 8\","
    "\"vehicles\":[{\"kind\":\"van\",\"count\":6}],\"officers\":30,\"id_numbers\":[\"1234567\"]},"
    "\"affected\":{\"count\":45,\"minors\":\"unknown\",\"legal_status\":{\"asylum_seeker\":3},"
    "\"nationalities\":[\"Eritrea\",\"Sudan\"],"
    "\"persons\":[\"p:0000000000000000000000000000000000000000000000000000000000000000\"]},"
    "\"items\":[{\"kind\":\"tents\",\"action\":\"seized\",\"count\":12},"
    "{\"kind\":\"sleeping_bags\",\"action\":\"seized_or_destroyed\",\"count\":null}],"
    "\"source\":{\"type\":\"direct_observation\",\"source_id\":\"obs-88\"},"
    "\"summary\":\"Eviction of a living site; tents taken.\","
    "\"evidence\":[{\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}],"
    "\"private\":{\"narrative\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}}";

static const char *shift_text =
    "{\"v\":1,\"kind\":\"shift\",\"id\":\"shift-2024-03-05-amina\",\"org\":\"hro-calais\","
    "\"monitor\":\"amina\",\"recorded_at\":\"2024-03-05T18:00:00Z\","
    "\"start\":\"2024-03-05T07:00:00+01:00\",\"end\":\"2024-03-05T12:00:00+01:00\","
    "\"area\":{\"name\":\"Zone industrielle des Dunes\",\"commune\":\"Calais\","
    "\"lat_e7\":509700000,\"lon_e7\":18900000,\"radius_m\":1500}}";

static json_t *parse(const char *text)
{
    json_t *v;
    constat_error e;
    if (constat_json_parse(text, strlen(text), "fixture", 1, &v, &e) != CONSTAT_OK)
        fail_msg("fixture: %s", e.msg);
    return v;
}

/* Build a signer by hand from a seed byte (as note.h describes the struct). */
static void make_signer(const char *name, uint8_t seedbyte, constat_note_signer *s)
{
    uint8_t seed[32], h[32], buf[300];
    size_t n = strlen(name);
    memset(seed, seedbyte, sizeof seed);
    memset(s, 0, sizeof *s);
    crypto_sign_seed_keypair(s->pub.pk, s->sk, seed);
    snprintf(s->pub.name, sizeof s->pub.name, "%s", name);
    s->pub.alg = 1;
    memcpy(buf, name, n);
    buf[n] = '\n';
    buf[n + 1] = 0x01;
    memcpy(buf + n + 2, s->pub.pk, 32);
    constat_sha256(buf, n + 2 + 32, h);
    s->pub.key_id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static json_t *enrolment(const constat_note_signer *mon)
{
    char vkey[512], b64[64], kid[300];
    uint8_t raw[33];
    raw[0] = 1;
    memcpy(raw + 1, mon->pub.pk, 32);
    constat_base64(raw, 33, b64);
    constat_record_key_id(&mon->pub, kid, sizeof kid);
    snprintf(vkey, sizeof vkey, "%s+%s", kid, b64);
    return json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "v", 1, "kind", "monitor_enrolment",
                     "id", "enrol:amina", "org", "hro-calais", "monitor", "amina", "vkey", vkey,
                     "enrolled_at", "2024-01-10T09:00:00+01:00", "recorded_at",
                     "2024-01-10T09:00:05+01:00");
}

static void expect_valid(const json_t *r)
{
    constat_error e;
    if (constat_record_validate(r, tax, &e) != CONSTAT_OK)
        fail_msg("expected valid: %s", e.msg);
}

static void expect_invalid(const json_t *r, const char *sub)
{
    constat_error e;
    constat_status st = constat_record_validate(r, tax, &e);
    if (st == CONSTAT_OK)
        fail_msg("expected invalid (%s)", sub);
    assert_int_equal(st, CONSTAT_EINVAL);
    if (!strstr(e.msg, sub))
        fail_msg("message \"%s\" lacks \"%s\"", e.msg, sub);
}

/* Copy of the incident with `path` (a.b or top) set to `val` (stolen), or
 * deleted when val is NULL; then expect `sub` in the error. */
static void mutate_expect(const char *base, const char *obj, const char *key, json_t *val,
                          const char *sub)
{
    json_t *r = parse(base), *o = obj ? json_object_get(r, obj) : r;
    assert_non_null(o);
    if (val)
        json_object_set_new(o, key, val);
    else
        json_object_del(o, key);
    if (sub)
        expect_invalid(r, sub);
    else
        expect_valid(r);
    json_decref(r);
}

static void test_valid_examples(void **state)
{
    json_t *r;
    constat_note_signer mon;
    (void)state;
    r = parse(incident_text);
    expect_valid(r);
    json_decref(r);
    r = parse(shift_text);
    expect_valid(r);
    json_decref(r);
    make_signer("amina", 7, &mon);
    r = enrolment(&mon);
    expect_valid(r);
    json_decref(r);
    /* minimal incident: only required fields */
    r = parse("{\"v\":1,\"kind\":\"incident\",\"id\":\"a\",\"org\":\"o\",\"monitor\":\"m\","
              "\"recorded_at\":\"2024-01-01T00:00:00Z\",\"occurred\":{\"start\":"
              "\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-02T00:00:00Z\",\"precision\":\"day\"},"
              "\"place\":{\"name\":\"x\"},\"categories\":[\"arrest\"],"
              "\"source\":{\"type\":\"testimony\"}}");
    expect_valid(r);
    json_decref(r);
}

static void test_top_level_rules(void **state)
{
    json_t *r;
    char longid[140];
    (void)state;
    r = json_array();
    expect_invalid(r, "must be a JSON object");
    json_decref(r);
    mutate_expect(incident_text, NULL, "v", json_integer(2), "v:");
    mutate_expect(incident_text, NULL, "v", NULL, "v: missing");
    mutate_expect(incident_text, NULL, "kind", json_string("report"), "kind: \"report\" is not one of");
    mutate_expect(incident_text, NULL, "id", json_string("a b"), "id:");
    memset(longid, 'x', 128);
    longid[128] = 0;
    mutate_expect(incident_text, NULL, "id", json_string(longid), NULL);
    longid[128] = 'x';
    longid[129] = 0;
    mutate_expect(incident_text, NULL, "id", json_string(longid), "id:");
    mutate_expect(incident_text, NULL, "org", json_string("Human Rights"), "org:");
    mutate_expect(incident_text, NULL, "monitor", json_string("a+b"), "monitor:");
    mutate_expect(incident_text, NULL, "monitor", json_integer(3), "monitor: must be a string");
    mutate_expect(incident_text, NULL, "recorded_at", json_string("2024-03-05T10:12:00"),
                  "recorded_at:");
    mutate_expect(incident_text, NULL, "recorded_at", json_string("2024-03-05T10:12:00.5Z"),
                  "whole seconds");
    mutate_expect(incident_text, NULL, "note", json_string("x"), "note: unknown field");
    mutate_expect(incident_text, NULL, "summary", json_string(""), "summary: must not be empty");
    mutate_expect(incident_text, NULL, "summary", json_null(), "summary: must be a string");
    /* NUL inside a string built in code */
    mutate_expect(incident_text, NULL, "summary", json_stringn("a\0b", 3), "summary: NUL");
}

static void test_numbers(void **state)
{
    (void)state;
    mutate_expect(incident_text, "place", "lat_e7", json_real(509510000.0),
                  "place.lat_e7: must be an integer (reals");
    mutate_expect(incident_text, "place", "lat_e7", json_integer(900000000), NULL);
    mutate_expect(incident_text, "place", "lat_e7", json_integer(-900000000), NULL);
    mutate_expect(incident_text, "place", "lat_e7", json_integer(900000001), "place.lat_e7");
    mutate_expect(incident_text, "place", "lat_e7", json_integer(-900000001), "place.lat_e7");
    mutate_expect(incident_text, "place", "lon_e7", json_integer(1800000000), NULL);
    mutate_expect(incident_text, "place", "lon_e7", json_integer(1800000001), "place.lon_e7");
    mutate_expect(incident_text, "place", "lon_e7", NULL, "place.lon_e7: missing");
    mutate_expect(incident_text, "affected", "count", json_integer(CONSTAT_COUNT_MAX), NULL);
    mutate_expect(incident_text, "affected", "count", json_integer(CONSTAT_COUNT_MAX + 1),
                  "affected.count: must be an integer within 0..1000000000");
    mutate_expect(incident_text, "affected", "count", json_integer(-1), "affected.count");
    mutate_expect(incident_text, "place", "precision_m", json_integer(-5), "place.precision_m");
    /* a real deep inside an open map */
    mutate_expect(incident_text, "affected", "legal_status",
                  json_pack("{s:f}", "minor", 1.5), "affected.legal_status.minor");
}

static void test_occurred_place(void **state)
{
    (void)state;
    mutate_expect(incident_text, "occurred", "end", json_string("2024-03-05T08:29:59+01:00"),
                  "occurred.end: is before occurred.start");
    /* same instant written at another offset is not before */
    mutate_expect(incident_text, "occurred", "end", json_string("2024-03-05T07:30:00Z"), NULL);
    mutate_expect(incident_text, "occurred", "start", json_string("2024-02-30T08:30:00+01:00"),
                  "occurred.start");
    mutate_expect(incident_text, "occurred", "precision", json_string("week"),
                  "occurred.precision");
    /* day precision: local midnight to the next local midnight */
    mutate_expect(incident_text, "occurred", "precision", json_string("day"),
                  "occurred: day precision runs from local midnight");
    {
        json_t *r = parse(incident_text), *o = json_object_get(r, "occurred");
        /* recorded after the DST day below */
        json_object_set_new(r, "recorded_at", json_string("2024-04-05T10:00:00+02:00"));
        json_object_set_new(o, "precision", json_string("day"));
        json_object_set_new(o, "start", json_string("2024-03-31T00:00:00+01:00"));
        json_object_set_new(o, "end", json_string("2024-04-01T00:00:00+02:00")); /* DST: 23 h */
        expect_valid(r);
        json_object_set_new(o, "end", json_string("2024-04-02T00:00:00+02:00"));
        expect_invalid(r, "occurred: day precision");
        json_object_set_new(o, "start", json_string("1969-12-31T00:00:00Z"));
        json_object_set_new(o, "end", json_string("1970-01-01T00:00:00Z"));
        expect_valid(r);
        json_object_set_new(o, "end", json_string("1970-01-01T00:00:01Z"));
        expect_invalid(r, "occurred: day precision");
        json_decref(r);
    }
    mutate_expect(incident_text, "occurred", "timezone", json_string("CET"),
                  "occurred.timezone: unknown field");
    /* an incident cannot start after it was recorded (recorded_at is
     * 2024-03-05T10:12:00+01:00), beyond the clock tolerance of 600 s */
    {
        json_t *r = parse(incident_text), *o = json_object_get(r, "occurred");
        constat_error e;
        json_object_set_new(o, "start", json_string("2024-03-05T10:22:00+01:00")); /* +600 s */
        json_object_set_new(o, "end", json_string("2024-03-05T10:30:00+01:00"));
        expect_valid(r);
        json_object_set_new(o, "start", json_string("2024-03-05T10:22:01+01:00")); /* +601 s */
        expect_invalid(r, "occurred.start: 2024-03-05T10:22:01+01:00 is after recorded_at "
                          "2024-03-05T10:12:00+01:00 by more than 600 s");
        /* five years ahead: refused without a taxonomy too */
        json_object_set_new(o, "start", json_string("2029-03-05T08:30:00+01:00"));
        json_object_set_new(o, "end", json_string("2029-03-05T09:00:00+01:00"));
        assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_EINVAL);
        assert_non_null(strstr(e.msg, "occurred.start: "));
        /* the same instant at another offset is not later */
        json_object_set_new(o, "start", json_string("2024-03-05T09:12:00Z"));
        json_object_set_new(o, "end", json_string("2024-03-05T09:12:00Z"));
        expect_valid(r);
        json_decref(r);
    }
    {
        json_t *r = parse(incident_text), *p = json_object_get(r, "place");
        json_object_del(p, "name");
        expect_valid(r);
        json_object_del(p, "site");
        expect_invalid(r, "place: needs at least name or site");
        json_decref(r);
    }
    mutate_expect(incident_text, "place", "altitude", json_integer(3),
                  "place.altitude: unknown field");
    mutate_expect(incident_text, NULL, "place", NULL, "place: missing");
}

static void test_categories(void **state)
{
    constat_error e;
    json_t *r;
    (void)state;
    mutate_expect(incident_text, NULL, "categories",
                  json_pack("[s,s]", "eviction", "arrest"), "categories[1]: categories must be sorted");
    mutate_expect(incident_text, NULL, "categories",
                  json_pack("[s,s]", "arrest", "arrest"), "categories[1]: duplicate category");
    mutate_expect(incident_text, NULL, "categories", json_array(), "at least one");
    mutate_expect(incident_text, NULL, "categories",
                  json_pack("[s,s]", "arrest", "kettling"),
                  "categories[1]: unknown category \"kettling\"");
    mutate_expect(incident_text, NULL, "categories", json_pack("[i]", 3),
                  "categories[0]: must be a string");
    /* without a taxonomy the unknown category passes */
    r = parse(incident_text);
    json_object_set_new(r, "categories", json_pack("[s]", "kettling"));
    assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_OK);
    json_decref(r);
}

/* The bundled taxonomy gives item kinds a unit; records name known kinds,
 * and an amount of money in no stated currency is refused. */
static void test_item_kinds(void **state)
{
    constat_item_unit unit;
    const char *cur, *act;
    char base[80];
    json_t *r, *it;
    (void)state;

    assert_int_equal(constat_taxonomy_item_kind(tax, "phones", &unit, &cur), 1);
    assert_int_equal(unit, CONSTAT_UNIT_ITEMS);
    assert_null(cur);
    assert_int_equal(constat_taxonomy_item_kind(tax, "cash_eur", &unit, &cur), 1);
    assert_int_equal(unit, CONSTAT_UNIT_CURRENCY);
    assert_string_equal(cur, "EUR");
    assert_int_equal(constat_taxonomy_item_kind(tax, "fine_paid_eur", &unit, &cur), 1);
    assert_string_equal(cur, "EUR");
    assert_int_equal(constat_taxonomy_item_kind(tax, "cash_usd", &unit, &cur), 1);
    assert_string_equal(cur, "USD");
    assert_int_equal(constat_taxonomy_item_kind(tax, "cash", &unit, &cur), 1);
    assert_int_equal(unit, CONSTAT_UNIT_CURRENCY);
    assert_null(cur);
    assert_int_equal(constat_taxonomy_item_kind(tax, "phones_broken", NULL, NULL), 0);
    assert_string_equal(constat_taxonomy_item_label(tax, "cash_eur", "en"), "Cash (EUR)");
    assert_string_equal(constat_item_unit_name(CONSTAT_UNIT_PERSONS), "persons");
    assert_true(constat_taxonomy_item_count(tax) >= 40);

    /* action suffixes */
    assert_int_equal(constat_item_kind_split("phones_broken", base, sizeof base, &act), 1);
    assert_string_equal(base, "phones");
    assert_string_equal(act, "destroyed");
    assert_int_equal(constat_item_kind_split("mosque_destroyed", base, sizeof base, &act), 1);
    assert_string_equal(base, "mosque");
    assert_string_equal(act, "destroyed");
    assert_int_equal(constat_item_kind_split("phones_taken", base, sizeof base, &act), 1);
    assert_string_equal(act, "seized");
    assert_int_equal(constat_item_kind_split("phones", base, sizeof base, &act), 0);
    assert_int_equal(constat_item_kind_split("_broken", base, sizeof base, &act), 0);
    assert_int_equal(constat_item_kind_split("phones_broken", base, 6, &act), 0);

    /* a kind the taxonomy does not list; with a suffix, the hint */
    r = parse(incident_text);
    it = json_array_get(json_object_get(r, "items"), 0);
    json_object_set_new(it, "kind", json_string("phones_broken"));
    expect_invalid(r, "items[0].kind: unknown item kind \"phones_broken\" (write kind "
                      "\"phones\" with action \"destroyed\")");
    json_object_set_new(it, "kind", json_string("kettles"));
    expect_invalid(r, "items[0].kind: unknown item kind \"kettles\"");
    {
        constat_error e;
        assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_OK); /* no taxonomy */
    }
    /* money: an amount needs a currency; cash of no stated currency only
     * as a mention */
    json_object_set_new(it, "kind", json_string("cash_eur"));
    expect_valid(r);
    json_object_set_new(it, "kind", json_string("cash"));
    expect_invalid(r, "items[0].count: an amount of \"cash\", whose currency is not stated, "
                      "must be null");
    json_object_set_new(it, "count", json_null());
    expect_valid(r);
    json_decref(r);
}

static void test_items_source_private(void **state)
{
    json_t *r;
    (void)state;
    r = parse(incident_text);
    json_object_set_new(json_array_get(json_object_get(r, "items"), 0), "action",
                        json_string("burned"));
    expect_invalid(r, "items[0].action: \"burned\" is not one of seized, destroyed");
    json_decref(r);
    r = parse(incident_text);
    json_object_set_new(json_array_get(json_object_get(r, "items"), 1), "count",
                        json_integer(-1));
    expect_invalid(r, "items[1].count");
    json_object_del(json_array_get(json_object_get(r, "items"), 1), "count");
    expect_invalid(r, "items[1].count");
    json_decref(r);

    mutate_expect(incident_text, "source", "type", json_string("rumour"), "source.type");
    mutate_expect(incident_text, "source", "type", json_string("publication"),
                  "source.reference: missing");
    {
        json_t *s;
        r = parse(incident_text);
        s = json_object_get(r, "source");
        json_object_set_new(s, "type", json_string("publication"));
        json_object_set_new(s, "reference", json_string("https://example.org/report"));
        expect_valid(r);
        json_decref(r);
    }
    mutate_expect(incident_text, "private", "narrative",
                  json_string("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"),
                  "private.narrative: must be a commitment");
    mutate_expect(incident_text, "private", "witness", json_string("Ali"),
                  "private.witness: must be a commitment");
    mutate_expect(incident_text, "affected", "persons", json_pack("[s]", "Ali Hassan"),
                  "affected.persons[0]: must be a pseudonym");
    mutate_expect(incident_text, "affected", "minors", json_string("maybe"), "affected.minors");
    mutate_expect(incident_text, NULL, "evidence", json_pack("[{s:s}]", "sha256", "abc"),
                  "evidence[0].sha256");
    mutate_expect(incident_text, "authority", "vehicles", json_pack("[{s:s,s:i}]", "kind", "van",
                  "count", -2), "authority.vehicles[0].count");
    mutate_expect(incident_text, "authority", "forces", json_pack("[s,i]", "CRS", 1),
                  "authority.forces[1]");
}

static void test_enrolment_rules(void **state)
{
    constat_note_signer mon;
    json_t *r;
    char vk[512];
    (void)state;
    make_signer("amina", 7, &mon);

    r = enrolment(&mon);
    json_object_set_new(r, "id", json_string("enrol:bilal"));
    expect_invalid(r, "id: must be \"enrol:amina\"");
    json_decref(r);

    r = enrolment(&mon);
    json_object_set_new(r, "monitor", json_string("bilal"));
    json_object_set_new(r, "id", json_string("enrol:bilal"));
    expect_invalid(r, "vkey: key name does not match");
    json_decref(r);

    /* key id digits that do not belong to the key */
    r = enrolment(&mon);
    snprintf(vk, sizeof vk, "%s", json_string_value(json_object_get(r, "vkey")));
    vk[6] = vk[6] == '0' ? '1' : '0';
    json_object_set_new(r, "vkey", json_string(vk));
    expect_invalid(r, "vkey: key id");
    json_decref(r);

    r = enrolment(&mon);
    json_object_del(r, "enrolled_at");
    expect_invalid(r, "enrolled_at: missing");
    json_decref(r);

    r = enrolment(&mon);
    json_object_set_new(r, "area", json_object());
    expect_invalid(r, "area: unknown field");
    json_decref(r);
}

static void test_shift_rules(void **state)
{
    (void)state;
    mutate_expect(shift_text, NULL, "end", json_string("2024-03-05T06:59:59+01:00"),
                  "end: is before start");
    mutate_expect(shift_text, "area", "radius_m", json_integer(-1), "area.radius_m");
    mutate_expect(shift_text, "area", "lat_e7", json_real(50.97), "area.lat_e7");
    mutate_expect(shift_text, "area", "site", json_string("x"), "area.site: unknown field");
    mutate_expect(shift_text, NULL, "area", NULL, "area: missing");
    mutate_expect(shift_text, NULL, "categories", json_pack("[s]", "arrest"),
                  "categories: unknown field");
}

static void test_commitment(void **state)
{
    uint8_t salt[16], got[32], want[32];
    uint8_t buf[256];
    size_t n = 0, i;
    const char *field = "narrative";
    const char *jcs = "{\"a\":\"\xc3\xa9t\xc3\xa9\",\"b\":[1,true]}";
    json_t *value;
    constat_error e;
    (void)state;

    for (i = 0; i < 16; i++)
        salt[i] = (uint8_t)(0xA0 + i);
    value = json_pack("{s:[i,b],s:s}", "b", 1, 1, "a", "\xc3\xa9t\xc3\xa9");
    assert_int_equal(constat_record_commit(field, value, salt, got, &e), CONSTAT_OK);

    memcpy(buf + n, "constat-commit-v1", 17);
    n += 17;
    buf[n++] = 0;
    memcpy(buf + n, salt, 16);
    n += 16;
    memcpy(buf + n, field, strlen(field));
    n += strlen(field);
    buf[n++] = 0;
    memcpy(buf + n, jcs, strlen(jcs));
    n += strlen(jcs);
    constat_sha256(buf, n, want);
    assert_memory_equal(got, want, 32);

    /* another salt, another field: another commitment */
    salt[0] ^= 1;
    assert_int_equal(constat_record_commit(field, value, salt, want, &e), CONSTAT_OK);
    assert_memory_not_equal(got, want, 32);
    salt[0] ^= 1;
    assert_int_equal(constat_record_commit("witness", value, salt, want, &e), CONSTAT_OK);
    assert_memory_not_equal(got, want, 32);
    assert_int_equal(constat_record_commit("", value, salt, want, &e), CONSTAT_EINVAL);
    json_decref(value);
}

static void test_pseudonym(void **state)
{
    uint8_t key[32], mac[32];
    char a[67], b[67], c[67], want[67];
    constat_error e;
    size_t i;
    (void)state;
    for (i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    assert_int_equal(constat_record_pseudonym(key, "  Ali  HASSAN ", a, &e), CONSTAT_OK);
    assert_int_equal(constat_record_pseudonym(key, "ali hassan", b, &e), CONSTAT_OK);
    assert_int_equal(constat_record_pseudonym(key, "ALI\t\n Hassan", c, &e), CONSTAT_OK);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    crypto_auth_hmacsha256(mac, (const unsigned char *)"ali hassan", 10, key);
    want[0] = 'p';
    want[1] = ':';
    constat_hex(mac, 32, want + 2);
    assert_string_equal(a, want);
    assert_int_equal(strlen(a), 66);
    assert_int_equal(constat_record_pseudonym(key, "alihassan", c, &e), CONSTAT_OK);
    assert_string_not_equal(a, c);
    key[0] ^= 1;
    assert_int_equal(constat_record_pseudonym(key, "ali hassan", c, &e), CONSTAT_OK);
    assert_string_not_equal(a, c);
    assert_int_equal(constat_record_pseudonym(key, " \t ", c, &e), CONSTAT_EINVAL);
}

static void test_content_hash(void **state)
{
    json_t *r1 = parse(incident_text), *r2 = parse(incident_text);
    uint8_t h1[32], h2[32], want[32];
    constat_buf b;
    constat_error e;
    (void)state;

    assert_int_equal(constat_record_content_hash(r1, h1, &e), CONSTAT_OK);
    json_object_set_new(r2, "recorded_at", json_string("2025-01-01T00:00:00Z"));
    json_object_del(r2, "private");
    assert_int_equal(constat_record_content_hash(r2, h2, &e), CONSTAT_OK);
    assert_memory_equal(h1, h2, 32);
    /* the input is left unchanged */
    assert_non_null(json_object_get(r1, "recorded_at"));
    assert_non_null(json_object_get(r1, "private"));

    json_object_del(r2, "recorded_at");
    constat_buf_init(&b);
    assert_int_equal(constat_canon(r2, &b, &e), CONSTAT_OK);
    constat_sha256(b.data, b.len, want);
    assert_memory_equal(h1, want, 32);
    constat_buf_free(&b);

    json_object_set_new(r2, "summary", json_string("other"));
    assert_int_equal(constat_record_content_hash(r2, h2, &e), CONSTAT_OK);
    assert_memory_not_equal(h1, h2, 32);
    json_decref(r1);
    json_decref(r2);
}

static void sign_incident(const constat_note_signer *s, constat_buf *leaf)
{
    json_t *r = parse(incident_text);
    constat_error e;
    constat_buf_init(leaf);
    if (constat_record_sign(r, s, leaf, &e) != CONSTAT_OK)
        fail_msg("sign: %s", e.msg);
    json_decref(r);
}

static void test_sign_roundtrip(void **state)
{
    constat_note_signer s, other;
    constat_buf leaf;
    constat_leaf l;
    constat_error e;
    json_t *r = parse(incident_text);
    char kid[300], prefix[400];
    uint8_t msgsig[64];
    constat_buf msg;
    (void)state;

    make_signer("amina", 7, &s);
    sign_incident(&s, &leaf);
    constat_record_key_id(&s.pub, kid, sizeof kid);
    assert_int_equal(strlen(kid), 5 + 1 + 8);
    snprintf(prefix, sizeof prefix, "{\"key_id\":\"%s\",\"record\":{\"affected\":", kid);
    assert_memory_equal(leaf.data, prefix, strlen(prefix));

    assert_int_equal(constat_leaf_parse(leaf.data, leaf.len, &l, &e), CONSTAT_OK);
    assert_string_equal(l.key_id, kid);
    assert_true(json_equal(l.record, r));
    assert_int_equal(constat_leaf_verify(&l, &s.pub, &e), CONSTAT_OK);

    /* the signature is over the domain string and the JCS of the record */
    constat_buf_init(&msg);
    assert_int_equal(constat_buf_puts(&msg, "constat-record-v1\n"), CONSTAT_OK);
    assert_int_equal(constat_canon(r, &msg, &e), CONSTAT_OK);
    assert_int_equal(crypto_sign_verify_detached(l.signature, msg.data, msg.len, s.pub.pk), 0);
    crypto_sign_detached(msgsig, NULL, msg.data, msg.len, s.sk);
    assert_memory_equal(msgsig, l.signature, 64); /* Ed25519 is deterministic */
    constat_buf_free(&msg);

    /* another key with another name: key id mismatch */
    make_signer("bilal", 8, &other);
    assert_int_equal(constat_leaf_verify(&l, &other.pub, &e), CONSTAT_EVERIFY);
    assert_non_null(strstr(e.msg, "key id mismatch"));
    /* same name, wrong public key but forged key id: bad signature */
    make_signer("amina", 9, &other);
    other.pub.key_id = s.pub.key_id;
    assert_int_equal(constat_leaf_verify(&l, &other.pub, &e), CONSTAT_EVERIFY);
    assert_non_null(strstr(e.msg, "signature does not verify"));
    constat_leaf_free(&l);
    assert_null(l.record);

    /* invalid records are not signed */
    json_object_set_new(r, "v", json_integer(2));
    {
        constat_buf b2;
        constat_buf_init(&b2);
        assert_int_equal(constat_record_sign(r, &s, &b2, &e), CONSTAT_EINVAL);
        assert_int_equal(b2.len, 0);
        constat_buf_free(&b2);
    }
    json_decref(r);
    constat_buf_free(&leaf);
}

static void test_leaf_tamper(void **state)
{
    constat_note_signer s;
    constat_buf leaf;
    constat_leaf l;
    constat_error e;
    size_t i;
    int parse_fail = 0, verify_fail = 0;
    (void)state;

    make_signer("amina", 7, &s);
    sign_incident(&s, &leaf);
    for (i = 0; i < leaf.len; i++) {
        unsigned char saved = leaf.data[i];
        leaf.data[i] ^= 0x01;
        if (constat_leaf_parse(leaf.data, leaf.len, &l, &e) != CONSTAT_OK) {
            parse_fail++;
        } else {
            if (constat_leaf_verify(&l, &s.pub, &e) == CONSTAT_OK)
                fail_msg("tampered byte %zu still verifies", i);
            verify_fail++;
            constat_leaf_free(&l);
        }
        leaf.data[i] = saved;
    }
    assert_true(parse_fail > 0);
    assert_true(verify_fail > 0);

    /* summary changed in place (still canonical): the signature check fails */
    {
        char *p = strstr((char *)leaf.data, "Eviction");
        assert_non_null(p);
        p[0] = 'e';
        assert_int_equal(constat_leaf_parse(leaf.data, leaf.len, &l, &e), CONSTAT_OK);
        assert_int_equal(constat_leaf_verify(&l, &s.pub, &e), CONSTAT_EVERIFY);
        assert_non_null(strstr(e.msg, "signature does not verify"));
        constat_leaf_free(&l);
        p[0] = 'E';
    }
    constat_buf_free(&leaf);
}

static void test_leaf_not_canonical(void **state)
{
    constat_note_signer s;
    constat_buf leaf, mod;
    constat_leaf l;
    constat_error e;
    char *sig;
    (void)state;

    make_signer("amina", 7, &s);
    sign_incident(&s, &leaf);

    /* an extra space after the opening brace */
    constat_buf_init(&mod);
    assert_int_equal(constat_buf_append(&mod, "{ ", 2), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&mod, leaf.data + 1, leaf.len - 1), CONSTAT_OK);
    assert_int_equal(constat_leaf_parse(mod.data, mod.len, &l, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "canonical"));
    assert_null(l.record);
    constat_buf_free(&mod);

    /* a trailing newline */
    constat_buf_init(&mod);
    assert_int_equal(constat_buf_append(&mod, leaf.data, leaf.len), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&mod, "\n", 1), CONSTAT_OK);
    assert_int_equal(constat_leaf_parse(mod.data, mod.len, &l, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "canonical"));
    constat_buf_free(&mod);

    /* an extra member, in canonical position */
    constat_buf_init(&mod);
    sig = strstr((char *)leaf.data, ",\"signature\":");
    assert_non_null(sig);
    assert_int_equal(constat_buf_append(&mod, leaf.data, (size_t)(sig - (char *)leaf.data)),
                     CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&mod, ",\"seq\":1"), CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&mod, sig), CONSTAT_OK);
    assert_int_equal(constat_leaf_parse(mod.data, mod.len, &l, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "seq: unknown field"));
    constat_buf_free(&mod);

    /* base64 with non-zero padding bits */
    constat_buf_init(&mod);
    assert_int_equal(constat_buf_append(&mod, leaf.data, leaf.len), CONSTAT_OK);
    {
        char *pad = strstr((char *)mod.data, "==\"}");
        assert_non_null(pad);
        pad[-1] = pad[-1] == 'A' ? 'B' : (char)(pad[-1] ^ 0x01);
        assert_int_equal(constat_leaf_parse(mod.data, mod.len, &l, &e), CONSTAT_EINVAL);
        assert_non_null(strstr(e.msg, "signature"));
    }
    constat_buf_free(&mod);

    /* missing signature */
    assert_int_equal(constat_leaf_parse((const uint8_t *)"{\"key_id\":\"a+00000000\",\"record\":{}}",
                                        35, &l, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "leaf.signature"));
    constat_buf_free(&leaf);
}

static void test_leaf_limit(void **state)
{
    constat_note_signer s;
    constat_buf leaf;
    constat_error e;
    constat_leaf l;
    json_t *r = parse(incident_text);
    char *big = malloc(CONSTAT_RECORD_MAX_BYTES + 1);
    (void)state;
    assert_non_null(big);
    memset(big, 'a', CONSTAT_RECORD_MAX_BYTES);
    big[CONSTAT_RECORD_MAX_BYTES] = 0;
    json_object_set_new(r, "summary", json_string(big));
    make_signer("amina", 7, &s);
    constat_buf_init(&leaf);
    assert_int_equal(constat_record_sign(r, &s, &leaf, &e), CONSTAT_ELIMIT);
    assert_int_equal(leaf.len, 0);
    /* a leaf over the limit is refused before parsing */
    assert_int_equal(constat_leaf_parse((const uint8_t *)big, CONSTAT_RECORD_MAX_BYTES + 1, &l,
                                        &e), CONSTAT_ELIMIT);
    constat_buf_free(&leaf);
    json_decref(r);
    free(big);
}

static void test_rfc3339(void **state)
{
    int64_t t;
    int off;
    char out[32];
    static const char *const good[] = {"2018-07-11T14:00:00+02:00", "1970-01-01T00:00:00Z",
                                       "2000-02-29T23:59:59-05:30", "1969-12-31T23:59:59Z",
                                       "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"};
    static const char *const bad[] = {
        "2018-07-11T24:00:00Z",  "2018-02-30T10:00:00Z",  "2019-02-29T10:00:00Z",
        "1900-02-29T10:00:00Z",  "2018-07-11T14:00:00",   "2018-07-11 14:00:00Z",
        "2018-07-11T14:00:60Z",  "2018-07-11T14:60:00Z",  "2018-13-01T00:00:00Z",
        "2018-00-01T00:00:00Z",  "2018-07-00T00:00:00Z",  "2018-07-11T14:00:00+24:00",
        "2018-07-11T14:00:00+0200", "2018-07-11T14:00:00z", "2018-07-11T14:00:00Zx",
        "2018-07-11T14:00:00.Z", "18-07-11T14:00:00Z",    "",
        "2018-07-11T14:00:00+02:00 "};
    size_t i;
    (void)state;

    assert_int_equal(constat_rfc3339_parse("2018-07-11T14:00:00+02:00", &t, &off), CONSTAT_OK);
    assert_int_equal(t, 1531310400);
    assert_int_equal(off, 7200);
    assert_int_equal(constat_rfc3339_parse("2000-02-29T23:59:59-05:30", &t, &off), CONSTAT_OK);
    assert_int_equal(t, 951888599);
    assert_int_equal(off, -19800);
    assert_int_equal(constat_rfc3339_parse("1969-12-31T23:59:59Z", &t, &off), CONSTAT_OK);
    assert_int_equal(t, -1);
    assert_int_equal(constat_rfc3339_parse("2018-07-11T14:00:00.987654Z", &t, &off), CONSTAT_OK);
    assert_int_equal(t, 1531317600);

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (constat_rfc3339_parse(good[i], &t, &off) != CONSTAT_OK)
            fail_msg("rejected %s", good[i]);
        constat_rfc3339_format(t, off, out);
        assert_string_equal(out, good[i]);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (constat_rfc3339_parse(bad[i], &t, &off) == CONSTAT_OK)
            fail_msg("accepted %s", bad[i]);

    constat_rfc3339_format(0, 0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    constat_rfc3339_format(1531310400, -3600, out);
    assert_string_equal(out, "2018-07-11T11:00:00-01:00");

    /* round trips over a spread of instants and offsets */
    for (i = 0; i < 20000; i++) {
        int64_t e0 = (int64_t)i * 12345679 - 40000000000LL;
        int o0 = (int)((i % 57) * 1800) - 50400;
        int64_t e1;
        int o1;
        constat_rfc3339_format(e0, o0, out);
        assert_int_equal(constat_rfc3339_parse(out, &e1, &o1), CONSTAT_OK);
        assert_int_equal(e0, e1);
        assert_int_equal(o0, o1);
    }
}

/* The incident_types of the demo CSV, with a small quoted-CSV reader. */
static void test_taxonomy(void **state)
{
    constat_taxonomy *t;
    constat_error e;
    char path[4096], *csv, *p;
    size_t len, col = 0, field = 0, types_col = (size_t)-1, rows = 0;
    char cell[4096];
    size_t cl = 0;
    int inq = 0, header = 1;
    (void)state;

    snprintf(path, sizeof path, "%s/data/taxonomy/calais.json", CONSTAT_SOURCE_DIR);
    assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_OK);
    assert_true(constat_taxonomy_count(t) >= 19);
    assert_true(constat_taxonomy_has(t, "chemical_agent"));
    assert_true(constat_taxonomy_has(t, "tear_gas"));
    assert_true(constat_taxonomy_has(t, "obstruction_of_monitoring"));
    assert_false(constat_taxonomy_has(t, "kettling"));
    assert_string_equal(constat_taxonomy_label(t, "arrest", "fr"), "Interpellation");
    assert_string_equal(constat_taxonomy_label(t, "arrest", "en"), "Arrest");
    assert_string_equal(constat_taxonomy_label(t, "kettling", "fr"), "kettling");
    assert_string_equal(constat_taxonomy_id(t, 0), "identity_check");
    assert_null(constat_taxonomy_id(t, 1000));

    snprintf(path, sizeof path, "%s/data/demo/incidents_public.csv", CONSTAT_SOURCE_DIR);
    csv = tu_read_file(path, &len);
    (void)field;
    for (p = csv; p <= csv + len; p++) {
        char c = p < csv + len ? *p : '\n';
        if (inq) {
            if (c == '"' && p + 1 < csv + len && p[1] == '"') {
                cell[cl++] = '"';
                p++;
            } else if (c == '"') {
                inq = 0;
            } else if (cl < sizeof cell - 1) {
                cell[cl++] = c;
            }
            continue;
        }
        if (c == '"') {
            inq = 1;
        } else if (c == ',' || c == '\n') {
            cell[cl] = 0;
            if (header && strcmp(cell, "incident_types") == 0)
                types_col = col;
            if (!header && col == types_col && cl > 0) {
                char *s = cell, *semi;
                for (;;) {
                    semi = strchr(s, ';');
                    if (semi)
                        *semi = 0;
                    if (!constat_taxonomy_has(t, s))
                        fail_msg("CSV incident type \"%s\" not in the taxonomy", s);
                    if (!semi)
                        break;
                    s = semi + 1;
                }
                rows++;
            }
            cl = 0;
            col++;
            if (c == '\n') {
                if (col > 1)
                    header = 0;
                col = 0;
            }
        } else if (c != '\r' && cl < sizeof cell - 1) {
            cell[cl++] = c;
        }
    }
    assert_true(types_col != (size_t)-1);
    assert_true(rows >= 150);
    free(csv);
    constat_taxonomy_free(t);

    /* missing file, malformed files */
    assert_int_equal(constat_taxonomy_load("/nonexistent/tax.json", &t, &e), CONSTAT_ENOTFOUND);
    {
        char *dir = tu_tmpdir();
        FILE *f;
        snprintf(path, sizeof path, "%s/t.json", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"version\":2,\"categories\":[{\"id\":\"a\",\"label\":{\"fr\":\"A\",\"en\":\"A\"},"
              "\"description\":{\"fr\":\"d\",\"en\":\"d\"}},{\"id\":\"a\",\"label\":{\"fr\":\"A\","
              "\"en\":\"A\"},\"description\":{\"fr\":\"d\",\"en\":\"d\"}}],"
              "\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]}", f);
        fclose(f);
        assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_EINVAL);
        if (!strstr(e.msg, "duplicate id \"a\""))
            fail_msg("%s", e.msg);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"version\":2,\"categories\":[{\"id\":\"b\",\"label\":{\"fr\":\"B\"},"
              "\"description\":{\"fr\":\"d\",\"en\":\"d\"}}],"
              "\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]}", f);
        fclose(f);
        assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_EINVAL);
        assert_non_null(strstr(e.msg, "\"b\""));
        /* item kinds: each bad file names the entry and what is wrong */
        {
            static const struct {
                const char *kinds, *want;
            } bad[] = {
                {"", "item_kinds: must be a non-empty array"},
                {",\"item_kinds\":[]", "item_kinds: must be a non-empty array"},
                {",\"item_kinds\":[{\"id\":\"x\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "item kind \"x\": unit must be items, persons or currency"},
                {",\"item_kinds\":[{\"id\":\"x\",\"unit\":\"euros\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "item kind \"x\": unit must be"},
                {",\"item_kinds\":[{\"id\":\"x\",\"unit\":\"currency\",\"currency\":\"eur\","
                 "\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "item kind \"x\": currency must be an ISO 4217 code"},
                {",\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"currency\":\"EUR\","
                 "\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "only with unit currency"},
                {",\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"label\":{\"fr\":\"X\"}}]",
                 "item kind \"x\": needs a label in fr and en"},
                {",\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}},"
                 "{\"id\":\"x\",\"unit\":\"items\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "item_kinds[1]: duplicate id \"x\""},
                {",\"item_kinds\":[{\"id\":\"phones_broken\",\"unit\":\"items\","
                 "\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "item kind \"phones_broken\": ends with an action suffix (write kind \"phones\""},
                {",\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"colour\":\"red\","
                 "\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]",
                 "item_kinds[0].colour: unknown field"},
            };
            for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                f = fopen(path, "w");
                assert_non_null(f);
                fprintf(f, "{\"version\":2,\"categories\":[{\"id\":\"a\",\"label\":{\"fr\":\"A\","
                           "\"en\":\"A\"},\"description\":{\"fr\":\"d\",\"en\":\"d\"}}]%s}",
                        bad[i].kinds);
                fclose(f);
                assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_EINVAL);
                if (!strstr(e.msg, bad[i].want))
                    fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, bad[i].want);
            }
            /* a version 1 file (no units) is refused, saying why */
            f = fopen(path, "w");
            assert_non_null(f);
            fputs("{\"version\":1,\"categories\":[{\"id\":\"a\",\"label\":{\"fr\":\"A\",\"en\":\"A\"},"
                  "\"description\":{\"fr\":\"d\",\"en\":\"d\"}}]}", f);
            fclose(f);
            assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_EINVAL);
            assert_non_null(strstr(e.msg, "not a version 2 taxonomy"));
        }
        tu_rmrf(dir);
        free(dir);
    }
}

/* Legal statuses and vehicle kinds: the taxonomy's lists, read by the
 * validation and the figures (docs/formats.md "Taxonomy"); a taxonomy
 * without them leaves both open and the lawful statuses at their default. */
static void test_statuses_vehicles(void **state)
{
    static const char *const head =
        "{\"version\":2,\"categories\":[{\"id\":\"a\",\"label\":{\"fr\":\"A\",\"en\":\"A\"},"
        "\"description\":{\"fr\":\"d\",\"en\":\"d\"}}],"
        "\"item_kinds\":[{\"id\":\"x\",\"unit\":\"items\",\"label\":{\"fr\":\"X\",\"en\":\"X\"}}]";
    static const struct {
        const char *lists, *want;
    } bad[] = {
        {",\"legal_statuses\":[]", "legal_statuses: must be a non-empty array"},
        {",\"vehicle_kinds\":{}", "vehicle_kinds: must be a non-empty array"},
        {",\"vehicle_kinds\":[\"van\"]", "vehicle_kinds[0]: must be an object"},
        {",\"vehicle_kinds\":[{\"id\":\"Van\",\"label\":{\"fr\":\"F\",\"en\":\"V\"}}]",
         "vehicle_kinds[0].id: must be [a-z0-9_]{1,64}"},
        {",\"vehicle_kinds\":[{\"id\":\"van\",\"label\":{\"fr\":\"F\"}}]",
         "vehicle_kinds \"van\": needs a label in fr and en"},
        {",\"vehicle_kinds\":[{\"id\":\"van\",\"lawfully_present\":true,"
         "\"label\":{\"fr\":\"F\",\"en\":\"V\"}}]",
         "vehicle_kinds[0].lawfully_present: unknown field"},
        {",\"legal_statuses\":[{\"id\":\"r\",\"lawfully_present\":1,"
         "\"label\":{\"fr\":\"R\",\"en\":\"R\"}}]",
         "legal_statuses \"r\": lawfully_present must be true or false"},
        {",\"legal_statuses\":[{\"id\":\"r\",\"label\":{\"fr\":\"R\",\"en\":\"R\"}},"
         "{\"id\":\"r\",\"label\":{\"fr\":\"R\",\"en\":\"R\"}}]",
         "legal_statuses[1]: duplicate id \"r\""},
    };
    constat_taxonomy *t;
    constat_error e;
    char *dir = tu_tmpdir(), path[4096];
    const char *bytes;
    size_t len;
    json_t *r;
    FILE *f;
    (void)state;

    /* the bundled taxonomy: the lists the app offers and the figures count */
    assert_int_equal(constat_taxonomy_status_count(tax), 6);
    assert_string_equal(constat_taxonomy_status_id(tax, 0), "asylum_seeker");
    assert_true(constat_taxonomy_has_status(tax, "undocumented"));
    assert_false(constat_taxonomy_lawfully_present(tax, "undocumented"));
    assert_true(constat_taxonomy_lawfully_present(tax, "stateless"));
    assert_string_equal(constat_taxonomy_lawful_status(tax, 4), "stateless");
    assert_null(constat_taxonomy_lawful_status(tax, 5));
    assert_string_equal(constat_taxonomy_status_label(tax, "refugee", "fr"), "Réfugiés");
    assert_int_equal(constat_taxonomy_vehicle_count(tax), 5);
    assert_string_equal(constat_taxonomy_vehicle_id(tax, 4), "cleaning_truck");
    assert_string_equal(constat_taxonomy_vehicle_label(tax, "van", "en"), "Vans");
    assert_string_equal(constat_taxonomy_vehicle_label(tax, "tank", "en"), "tank");
    bytes = constat_taxonomy_bytes(tax, &len);
    assert_non_null(bytes);
    assert_true(len > 1000 && strncmp(bytes, "{", 1) == 0 && strlen(bytes) == len);

    /* the validation reads them */
    r = parse(incident_text);
    expect_valid(r);
    json_object_set_new(json_array_get(json_object_get(json_object_get(r, "authority"),
                                                       "vehicles"), 0),
                        "kind", json_string("tank"));
    expect_invalid(r, "authority.vehicles[0].kind: unknown vehicle kind \"tank\"");
    assert_int_equal(constat_record_validate(r, NULL, &e), CONSTAT_OK); /* no taxonomy */
    json_decref(r);
    r = parse(incident_text);
    json_object_set_new(json_object_get(json_object_get(r, "affected"), "legal_status"),
                        "tourist", json_integer(1));
    expect_invalid(r, "affected.legal_status.tourist: unknown legal status \"tourist\"");
    json_decref(r);
    /* one entry a vehicle kind; no more persons by status than affected */
    r = parse(incident_text);
    json_array_append_new(json_object_get(json_object_get(r, "authority"), "vehicles"),
                          json_pack("{s:s, s:i}", "kind", "van", "count", 2));
    expect_invalid(r, "authority.vehicles[1].kind: \"van\" is listed already at "
                      "authority.vehicles[0]");
    json_decref(r);
    r = parse(incident_text);
    json_object_set_new(json_object_get(json_object_get(r, "affected"), "legal_status"),
                        "refugee", json_integer(43));
    expect_invalid(r, "affected.legal_status: counts 46 persons, more than affected.count (45)");
    json_object_set_new(json_object_get(json_object_get(r, "affected"), "legal_status"),
                        "refugee", json_integer(42));
    expect_valid(r);
    json_object_set_new(r, "eviction", json_object());
    expect_invalid(r, "eviction: must not be empty");
    json_decref(r);

    /* malformed lists */
    snprintf(path, sizeof path, "%s/t.json", dir);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "%s%s}", head, bad[i].lists);
        fclose(f);
        assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_EINVAL);
        if (!strstr(e.msg, bad[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, bad[i].want);
    }

    /* without the lists: any status and kind, the default lawful five */
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s}", head);
    fclose(f);
    assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_OK);
    assert_int_equal(constat_taxonomy_status_count(t), 0);
    assert_int_equal(constat_taxonomy_vehicle_count(t), 0);
    assert_true(constat_taxonomy_lawfully_present(t, "refugee"));
    assert_false(constat_taxonomy_lawfully_present(t, "undocumented"));
    assert_string_equal(constat_taxonomy_lawful_status(t, 0), "asylum_seeker");
    assert_null(constat_taxonomy_lawful_status(t, 5));
    assert_true(constat_taxonomy_lawfully_present(NULL, "stateless"));
    constat_taxonomy_free(t);

    /* a list of its own: the record is checked against it */
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s,\"legal_statuses\":[{\"id\":\"visa\",\"lawfully_present\":true,"
               "\"label\":{\"fr\":\"V\",\"en\":\"V\"}},{\"id\":\"none\",\"label\":{\"fr\":\"N\","
               "\"en\":\"N\"}}],\"vehicle_kinds\":[{\"id\":\"horse\",\"label\":{\"fr\":\"C\","
               "\"en\":\"H\"}}]}", head);
    fclose(f);
    assert_int_equal(constat_taxonomy_load(path, &t, &e), CONSTAT_OK);
    assert_true(constat_taxonomy_lawfully_present(t, "visa"));
    assert_false(constat_taxonomy_lawfully_present(t, "asylum_seeker"));
    assert_string_equal(constat_taxonomy_lawful_status(t, 0), "visa");
    assert_null(constat_taxonomy_lawful_status(t, 1));
    r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:{s:s},s:[s],s:{s:s},"
                  "s:{s:[{s:s,s:i}]},s:{s:{s:i,s:i}}}",
                  "v", 1, "kind", "incident", "id", "i1", "org", "o", "monitor", "m",
                  "recorded_at", "2024-03-05T10:12:00Z", "occurred", "start",
                  "2024-03-05T08:30:00Z", "end", "2024-03-05T08:30:00Z", "precision", "minute",
                  "place", "name", "p", "categories", "a", "source", "type", "testimony",
                  "authority", "vehicles", "kind", "horse", "count", 2, "affected",
                  "legal_status", "visa", 1, "none", 3);
    assert_int_equal(constat_record_validate(r, t, &e), CONSTAT_OK);
    assert_int_equal(constat_record_validate(r, tax, &e), CONSTAT_EINVAL);
    json_decref(r);
    constat_taxonomy_free(t);
    tu_rmrf(dir);
    free(dir);
}

/* correction and retraction records (docs/record.md) */
static void test_amend_rules(void **state)
{
    json_t *inc = parse(incident_text), *c, *r;
    (void)state;

    c = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:s}", "v", 1, "kind", "correction", "id",
                  "cor-1", "org", "hro-calais", "monitor", "amina", "recorded_at",
                  "2024-03-06T10:00:00Z", "corrects", "HRO-2024-03-05.1", "replacement", inc,
                  "reason", "wrong count");
    expect_valid(c);
    json_object_del(c, "reason");
    expect_valid(c); /* a correction's reason is optional */
    json_object_set_new(c, "reason", json_string(""));
    expect_invalid(c, "reason: must not be empty");
    json_object_del(c, "reason");
    json_object_set_new(c, "corrects", json_string("other-id"));
    expect_invalid(c, "replacement.id: must be the corrected id \"other-id\"");
    json_object_set_new(c, "corrects", json_string("bad id"));
    expect_invalid(c, "corrects: must be a record id");
    json_object_set_new(c, "corrects", json_string("HRO-2024-03-05.1"));
    json_object_set_new(c, "note", json_string("x"));
    expect_invalid(c, "note: unknown field");
    json_object_del(c, "note");
    /* the replacement is validated as a record of its own kind */
    json_object_set_new(json_object_get(json_object_get(c, "replacement"), "affected"), "count",
                        json_integer(-1));
    expect_invalid(c, "replacement.affected.count");
    json_object_set_new(c, "replacement", json_deep_copy(inc));
    json_array_set_new(json_object_get(json_object_get(c, "replacement"), "categories"), 0,
                       json_string("evicton"));
    expect_invalid(c, "replacement.categories[0]: unknown category");
    json_object_set_new(c, "replacement", json_deep_copy(inc));
    json_object_set_new(json_object_get(c, "replacement"), "monitor", json_string("bob"));
    expect_invalid(c, "replacement.monitor: must be the correction's monitor");
    json_object_set_new(c, "replacement", json_deep_copy(inc));
    json_object_set_new(json_object_get(c, "replacement"), "org", json_string("other"));
    expect_invalid(c, "replacement.org: must be the correction's org");
    /* only incidents and evidence are corrected, never a correction */
    json_object_set_new(c, "replacement", json_deep_copy(c));
    expect_invalid(c, "replacement.kind: must be \"incident\" or \"evidence\"");
    json_object_del(c, "replacement");
    expect_invalid(c, "replacement: missing");

    r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "v", 1, "kind", "retraction", "id",
                  "ret-1", "org", "hro-calais", "monitor", "amina", "recorded_at",
                  "2024-03-06T10:00:00Z", "retracts", "HRO-2024-03-05.1", "reason",
                  "recorded twice");
    expect_valid(r);
    json_object_del(r, "reason");
    expect_invalid(r, "reason: missing");
    json_object_set_new(r, "reason", json_string(""));
    expect_invalid(r, "reason: must not be empty");
    {
        char big[1002];
        memset(big, 'x', 1001);
        big[1001] = 0;
        json_object_set_new(r, "reason", json_string(big));
        expect_invalid(r, "reason: must be 1-1000 bytes");
        big[1000] = 0;
        json_object_set_new(r, "reason", json_string(big));
        expect_valid(r);
    }
    json_object_del(r, "retracts");
    expect_invalid(r, "retracts: missing");
    json_object_set_new(r, "retracts", json_string("HRO-2024-03-05.1"));
    json_object_set_new(r, "replacement", json_object());
    expect_invalid(r, "replacement: unknown field");
    json_decref(c);
    json_decref(r);
    json_decref(inc);
}

static int setup(void **state)
{
    char path[4096];
    constat_error e;
    (void)state;
    snprintf(path, sizeof path, "%s/data/taxonomy/calais.json", CONSTAT_SOURCE_DIR);
    return constat_taxonomy_load(path, &tax, &e) == CONSTAT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    constat_taxonomy_free(tax);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_examples),
        cmocka_unit_test(test_amend_rules),
        cmocka_unit_test(test_top_level_rules),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_occurred_place),
        cmocka_unit_test(test_categories),
        cmocka_unit_test(test_item_kinds),
        cmocka_unit_test(test_items_source_private),
        cmocka_unit_test(test_enrolment_rules),
        cmocka_unit_test(test_shift_rules),
        cmocka_unit_test(test_commitment),
        cmocka_unit_test(test_pseudonym),
        cmocka_unit_test(test_content_hash),
        cmocka_unit_test(test_sign_roundtrip),
        cmocka_unit_test(test_leaf_tamper),
        cmocka_unit_test(test_leaf_not_canonical),
        cmocka_unit_test(test_leaf_limit),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_taxonomy),
        cmocka_unit_test(test_statuses_vehicles),
    };
    if (constat_init() != CONSTAT_OK)
        return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
