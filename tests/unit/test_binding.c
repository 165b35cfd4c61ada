/* test_binding.c — records signed offline: person commitments, the
 * organisation's pseudonym binding (include/constat/record/binding.h) and
 * the one join of bindings into records for the figures
 * (include/constat/analysis/pseudonyms.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/analysis/pseudonyms.h"
#include "constat/base/hash.h"
#include "constat/record/binding.h"

static const uint8_t pkey[CONSTAT_PSEUDONYM_KEY_SIZE] = {1, 2, 3};

/* hex of the commitment of identifier under salt (16 bytes of `fill`),
 * computed here by the formula of docs/record.md, not by the library */
static void by_hand(const char *identifier, uint8_t fill, char out[65])
{
    uint8_t buf[256], h[32];
    size_t n = 0;
    memcpy(buf, "constat-commit-v1", 17);
    n = 17;
    buf[n++] = 0;
    memset(buf + n, fill, 16);
    n += 16;
    memcpy(buf + n, "person", 6);
    n += 6;
    buf[n++] = 0;
    buf[n++] = '"';
    memcpy(buf + n, identifier, strlen(identifier));
    n += strlen(identifier);
    buf[n++] = '"';
    constat_sha256(buf, n, h);
    constat_hex(h, 32, out);
}

static json_t *record_with(const char *c1, const char *c2)
{
    json_t *r = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s,s:s,s:s}, s:{s:s}, s:[s], "
                          "s:{s:s}, s:{s:[ss]}}",
                          "v", 1, "kind", "incident", "id", "incident-0123456789abcdef", "org",
                          "hro", "monitor", "amina", "recorded_at", "2026-12-07T10:00:00+01:00",
                          "occurred", "start", "2026-12-07T09:00:00+01:00", "end",
                          "2026-12-07T09:30:00+01:00", "precision", "minute", "place", "name",
                          "Gare", "categories", "identity_check", "source", "type",
                          "direct_observation", "affected", "person_commitments", c1, c2);
    assert_non_null(r);
    return r;
}

static json_t *pair(const char *identifier, uint8_t fill)
{
    char salt[33];
    memset(salt, 0, sizeof salt);
    for (int i = 0; i < 32; i++)
        salt[i] = "0123456789abcdef"[i % 2 ? fill & 15 : fill >> 4];
    return json_pack("{s:s, s:s}", "salt", salt, "identifier", identifier);
}

static void test_commitment_formula(void **state)
{
    char hand[65], lib[65];
    uint8_t salt[16], c[32];
    json_t *v = json_string("Ali Hassan");
    constat_error e;
    (void)state;
    memset(salt, 0x5a, sizeof salt);
    assert_int_equal(constat_record_commit(CONSTAT_PERSON_COMMIT_FIELD, v, salt, c, &e),
                     CONSTAT_OK);
    constat_hex(c, 32, lib);
    by_hand("Ali Hassan", 0x5a, hand);
    assert_string_equal(lib, hand);
    json_decref(v);
}

static void test_open_and_bind(void **state)
{
    char c1[65], c2[65], p[67], bid[32];
    json_t *rec, *opened, *persons = NULL, *b = NULL;
    constat_error e;
    uint8_t lh[32];
    (void)state;
    by_hand("Ali Hassan", 0x11, c1);
    by_hand("  ali   HASSAN ", 0x22, c2);
    rec = record_with(c1, c2);
    assert_int_equal(constat_record_validate(rec, NULL, &e), CONSTAT_OK);
    /* in another order than the commitments; both normalise to one pseudonym */
    opened = json_pack("[oo]", pair("  ali   HASSAN ", 0x22), pair("Ali Hassan", 0x11));
    assert_int_equal(constat_binding_open(rec, opened, pkey, &persons, &e), CONSTAT_OK);
    assert_int_equal(constat_record_pseudonym(pkey, "ali hassan", p, &e), CONSTAT_OK);
    assert_int_equal(json_array_size(persons), 1);
    assert_string_equal(json_string_value(json_array_get(persons, 0)), p);

    memset(lh, 0xab, sizeof lh);
    assert_int_equal(constat_binding_build("hro", "incident-0123456789abcdef", lh,
                                           "2026-12-07T09:01:00Z", persons, &b, &e),
                     CONSTAT_OK);
    constat_binding_id("incident-0123456789abcdef", bid, sizeof bid);
    assert_string_equal(json_string_value(json_object_get(b, "id")), bid);
    assert_int_equal(strlen(bid), 19);
    assert_int_equal(constat_binding_fits(b, rec, lh, &e), CONSTAT_OK);
    lh[0] ^= 1; /* another leaf */
    assert_int_equal(constat_binding_fits(b, rec, lh, &e), CONSTAT_EVERIFY);
    assert_non_null(strstr(e.msg, "is not the hash"));
    lh[0] ^= 1;
    /* a binding with another id, or with a monitor's name, is not valid */
    json_object_set_new(b, "id", json_string("pb-0000000000000000"));
    assert_int_equal(constat_record_validate(b, NULL, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "id: must be"));
    json_object_set_new(b, "id", json_string(bid));
    json_object_set_new(b, "monitor", json_string("amina"));
    assert_int_equal(constat_record_validate(b, NULL, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "monitor: must be the organisation"));
    json_decref(b);
    json_decref(persons);
    json_decref(opened);

    /* a wrong salt, a pair too few */
    opened = json_pack("[oo]", pair("Ali Hassan", 0x12), pair("  ali   HASSAN ", 0x22));
    assert_int_equal(constat_binding_open(rec, opened, pkey, &persons, &e), CONSTAT_EINVAL);
    assert_string_equal(e.msg, "sealed_persons: [0] does not open any of the record's person "
                               "commitments");
    json_decref(opened);
    opened = json_pack("[o]", pair("Ali Hassan", 0x11));
    assert_int_equal(constat_binding_open(rec, opened, pkey, &persons, &e), CONSTAT_EINVAL);
    assert_string_equal(e.msg, "sealed_persons: 1 opened for 2 person commitments");
    json_decref(opened);
    /* the same pair twice opens one commitment only */
    opened = json_pack("[oo]", pair("Ali Hassan", 0x11), pair("Ali Hassan", 0x11));
    assert_int_equal(constat_binding_open(rec, opened, pkey, &persons, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "[1] does not open"));
    json_decref(opened);

    /* pseudonyms and commitments together are refused, so are repeats */
    json_object_set_new(json_object_get(rec, "affected"), "persons", json_pack("[s]", p));
    assert_int_equal(constat_record_validate(rec, NULL, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "affected.person_commitments: a record carries pseudonyms"));
    json_decref(rec);
    rec = record_with(c1, c1);
    assert_int_equal(constat_record_validate(rec, NULL, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "affected.person_commitments: [1] repeats [0]"));
    json_decref(rec);
}

static void test_join(void **state)
{
    char c1[65], c2[65];
    const char *p1 = "p:1111111111111111111111111111111111111111111111111111111111111111";
    const char *p2 = "p:2222222222222222222222222222222222222222222222222222222222222222";
    uint8_t lh[32] = {0};
    json_t *persons = json_pack("[ss]", p1, p2), *b = NULL, *table = json_object();
    constat_indexed_record recs[3];
    constat_error e;
    (void)state;
    by_hand("a", 1, c1);
    by_hand("b", 2, c2);
    recs[0].index = 4;
    recs[0].record = record_with(c1, c2);
    assert_int_equal(constat_binding_build("hro", "incident-0123456789abcdef", lh,
                                           "2026-12-07T09:01:00Z", persons, &b, &e),
                     CONSTAT_OK);
    recs[1].index = 5;
    recs[1].record = b;
    recs[2].index = 6; /* a second binding of the same record is not joined */
    recs[2].record = json_deep_copy(b);
    json_array_clear(json_object_get(recs[2].record, "persons"));
    /* the verifiers' table: note the record, see the binding once */
    assert_int_equal(constat_binding_note(table, recs[0].record, lh, &e), CONSTAT_OK);
    assert_int_equal(constat_binding_seen(table, b, &e), CONSTAT_OK);
    assert_int_equal(constat_binding_seen(table, b, &e), CONSTAT_EVERIFY);
    assert_non_null(strstr(e.msg, "a second time"));

    assert_int_equal(constat_records_join_pseudonyms(recs, 3, &e), CONSTAT_OK);
    assert_null(json_object_get(json_object_get(recs[0].record, "affected"),
                                "person_commitments"));
    assert_true(json_equal(json_object_get(json_object_get(recs[0].record, "affected"), "persons"),
                           persons));
    for (int i = 0; i < 3; i++)
        json_decref(recs[i].record);
    json_decref(persons);
    json_decref(table);
}

/* a correction of record_with(...)'s record, its replacement carrying
 * commitments (NULL: none) */
static json_t *correction_with(const char *id, const char *c1, const char *c2)
{
    json_t *rep = record_with(c1 ? c1 : "x", c2 ? c2 : "y"), *c;
    json_object_set_new(rep, "summary", json_string("corrected"));
    if (!c1)
        json_object_del(json_object_get(rep, "affected"), "person_commitments");
    else if (!c2)
        json_array_remove(json_object_get(json_object_get(rep, "affected"), "person_commitments"),
                          1);
    c = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "v", 1, "kind", "correction", "id",
                  id, "org", "hro", "monitor", "amina", "recorded_at",
                  "2026-12-08T10:00:00+01:00", "corrects", "incident-0123456789abcdef",
                  "replacement", rep);
    assert_non_null(c);
    return c;
}

struct notes {
    int n;
    uint64_t index[4];
    char msg[4][1024];
};

static void take_note(void *ctx, uint64_t index, const char *msg)
{
    struct notes *nt = ctx;
    assert_true(nt->n < 4);
    nt->index[nt->n] = index;
    snprintf(nt->msg[nt->n], sizeof nt->msg[nt->n], "%s", msg);
    nt->n++;
}

static const json_t *rep_persons(const json_t *correction)
{
    return json_object_get(json_object_get(json_object_get(correction, "replacement"),
                                           "affected"),
                           "persons");
}

/* A correction whose replacement keeps the bound record's commitments (in
 * another order) gets the binding's pseudonyms; another set of commitments
 * gets none and, when the figures count that correction, is told. */
static void test_join_correction(void **state)
{
    char c1[65], c2[65], c3[65];
    const char *p1 = "p:1111111111111111111111111111111111111111111111111111111111111111";
    uint8_t lh[32] = {0};
    json_t *persons = json_pack("[s]", p1), *b = NULL;
    constat_indexed_record recs[6];
    struct notes nt;
    constat_error e;
    (void)state;
    by_hand("a", 1, c1);
    by_hand("b", 2, c2);
    by_hand("c", 3, c3);
    assert_int_equal(constat_binding_build("hro", "incident-0123456789abcdef", lh,
                                           "2026-12-07T09:01:00Z", persons, &b, &e),
                     CONSTAT_OK);
    /* the correction comes first in recs (a report lists incidents first,
     * then corrections, then bindings: the order is the leaves') */
    recs[0].index = 4;
    recs[0].record = record_with(c1, c2);
    recs[1].index = 9;
    recs[1].record = correction_with("corr-same", c2, c1);
    recs[2].index = 5;
    recs[2].record = b;
    memset(&nt, 0, sizeof nt);
    assert_int_equal(constat_records_join_pseudonyms_noted(recs, 3, take_note, &nt, &e),
                     CONSTAT_OK);
    assert_int_equal(nt.n, 0);
    assert_true(json_equal(rep_persons(recs[1].record), persons));
    assert_null(json_object_get(
        json_object_get(json_object_get(recs[1].record, "replacement"), "affected"),
        "person_commitments"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(recs[1].record, "replacement"), "summary")),
                        "corrected");
    assert_true(json_equal(json_object_get(json_object_get(recs[0].record, "affected"), "persons"),
                           persons));
    json_decref(recs[0].record);
    json_decref(recs[1].record);

    /* other sets: one more, one other, one fewer, none. Only the latest
     * correction counts, so only it is told */
    recs[0].record = record_with(c1, c2);
    recs[1].record = correction_with("corr-other", c1, c3);
    recs[3].index = 10;
    recs[3].record = correction_with("corr-fewer", c1, NULL);
    recs[4].index = 11;
    recs[4].record = correction_with("corr-none", NULL, NULL);
    recs[5].index = 12;
    recs[5].record = correction_with("corr-three", c1, c2);
    json_array_append_new(json_object_get(json_object_get(json_object_get(recs[5].record,
                                                                          "replacement"),
                                                          "affected"),
                                          "person_commitments"),
                          json_string(c3));
    memset(&nt, 0, sizeof nt);
    assert_int_equal(constat_records_join_pseudonyms_noted(recs, 6, take_note, &nt, &e),
                     CONSTAT_OK);
    for (int i = 1; i < 6; i++)
        if (i != 2)
            assert_null(rep_persons(recs[i].record));
    assert_int_equal(nt.n, 1);
    assert_int_equal(nt.index[0], 12);
    assert_non_null(strstr(nt.msg[0], "correction corr-three (leaf 12) of record "
                                      "incident-0123456789abcdef: its replacement's 3 person "
                                      "commitment(s) are not the 2 of the record that the "
                                      "pseudonym binding at leaf 5 gives pseudonyms to"));
    assert_non_null(strstr(nt.msg[0], "not counted by pseudonym"));
    /* the record itself is still bound */
    assert_true(json_equal(json_object_get(json_object_get(recs[0].record, "affected"), "persons"),
                           persons));
    /* without a note function: the same join, nothing told */
    for (int i = 0; i < 6; i++)
        if (i != 2)
            json_decref(recs[i].record);
    recs[0].record = record_with(c1, c2);
    recs[1].record = correction_with("corr-none", NULL, NULL);
    assert_int_equal(constat_records_join_pseudonyms(recs, 3, &e), CONSTAT_OK);
    assert_null(rep_persons(recs[1].record));
    for (int i = 0; i < 3; i++)
        json_decref(recs[i].record);
    json_decref(persons);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_commitment_formula),
                                       cmocka_unit_test(test_open_and_bind),
                                       cmocka_unit_test(test_join),
                                       cmocka_unit_test(test_join_correction)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
