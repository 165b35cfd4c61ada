/* test_verify_fast.c — the verifier's shortcuts give the results of the
 * long way: proofs.jsonl lines in constat's own form (read without jansson)
 * against the same lines reformatted (read by jansson), and the record
 * slice of a leaf (constat_leaf_parse_span) against the record
 * canonicalised again, with the same signature verdicts and messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "testutil.h"
#include "constat/record/canon.h"
#include "constat/dossier/dossier.h"
#include "constat/base/hash.h"
#include "constat/record/record.h"
#include "constat/dossier/verify.h"
#include "../../src/lib/record/record_internal.h"

static void hashes(uint8_t h[][32], size_t n)
{
    for (size_t i = 0; i < n; i++)
        constat_sha256(&i, sizeof i, h[i]);
}

/* constat's form of a proof line over h[0] (leaf hash) and h[1..n]. */
static void line_of(char *out, size_t cap, unsigned long long index, uint8_t h[][32], size_t n,
                    const char *sep)
{
    char b64[64];
    size_t at;
    constat_base64(h[0], 32, b64);
    at = (size_t)snprintf(out, cap, "{\"index\":%s%llu,\"leaf_hash\":%s\"%s\",\"proof\":[", sep,
                          index, sep, b64);
    for (size_t i = 1; i <= n; i++) {
        constat_base64(h[i], 32, b64);
        at += (size_t)snprintf(out + at, cap - at, "%s\"%s\"", i > 1 ? "," : "", b64);
    }
    snprintf(out + at, cap - at, "]}");
}

static void test_proof_line_forms(void **state)
{
    uint8_t h[66][32];
    char a[8192], b[8192];
    constat_dossier_proof_line pa, pb;
    constat_error e;
    (void)state;

    hashes(h, 66);
    for (size_t n = 0; n <= 64; n += 16) {
        line_of(a, sizeof a, 123456789012345ULL, h, n, "");
        line_of(b, sizeof b, 123456789012345ULL, h, n, " ");
        memset(&pa, 0, sizeof pa);
        memset(&pb, 0x55, sizeof pb);
        assert_int_equal(constat_dossier_proof_line_parse(a, strlen(a), &pa, &e), CONSTAT_OK);
        assert_int_equal(constat_dossier_proof_line_parse(b, strlen(b), &pb, &e), CONSTAT_OK);
        assert_int_equal(pa.index, 123456789012345ULL);
        assert_int_equal(pa.index, pb.index);
        assert_int_equal(pa.proof.n, n);
        assert_int_equal(pb.proof.n, n);
        assert_memory_equal(pa.leaf_hash, h[0], 32);
        assert_memory_equal(pb.leaf_hash, h[0], 32);
        for (size_t i = 0; i < n; i++) {
            assert_memory_equal(pa.proof.hash[i], h[i + 1], 32);
            assert_memory_equal(pb.proof.hash[i], h[i + 1], 32);
        }
    }
}

static void expect_error(const char *line, constat_status code, const char *msg)
{
    constat_dossier_proof_line p;
    constat_error e;
    constat_error_clear(&e);
    assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &p, &e), code);
    assert_non_null(strstr(e.msg, msg));
}

static void test_proof_line_rejects(void **state)
{
    uint8_t h[66][32];
    char a[8192];
    char *p;
    (void)state;

    hashes(h, 66);
    /* 65 hashes: too many, in constat's own form */
    line_of(a, sizeof a, 1, h, 65, "");
    expect_error(a, CONSTAT_ELIMIT, "proof: more than 64 hashes");
    /* an index at the log's size limit (2^48) */
    line_of(a, sizeof a, 281474976710656ULL, h, 2, "");
    expect_error(a, CONSTAT_EINVAL, "index: out of range");
    line_of(a, sizeof a, 281474976710655ULL, h, 2, "");
    expect_error(a, CONSTAT_OK, "");
    /* a leading zero is not JSON */
    line_of(a, sizeof a, 7, h, 2, "");
    p = strstr(a, "7");
    memmove(p + 1, p, strlen(p) + 1);
    *p = '0';
    expect_error(a, CONSTAT_EINVAL, "proof line");
    /* the spare bits of the last base64 digit set: another spelling of the
     * same bytes, refused */
    line_of(a, sizeof a, 3, h, 1, "");
    p = strstr(a, "=\",\"proof\"");
    assert_non_null(p);
    {
        static const char digits[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *d = strchr(digits, p[-1]);
        assert_non_null(d);
        p[-1] = digits[(d - digits) ^ 1];
    }
    expect_error(a, CONSTAT_EINVAL, "leaf_hash: not the base64 of 32 bytes");
    /* a character outside base64 in a proof hash */
    line_of(a, sizeof a, 3, h, 2, "");
    p = strstr(a, "\"proof\":[\"") + 10;
    p[5] = '*';
    expect_error(a, CONSTAT_EINVAL, "proof[0]: not the base64 of 32 bytes");
    /* trailing bytes */
    line_of(a, sizeof a, 3, h, 2, "");
    strcat(a, "x");
    expect_error(a, CONSTAT_EINVAL, "proof line");
    /* a member more */
    line_of(a, sizeof a, 3, h, 2, "");
    a[strlen(a) - 1] = '\0';
    strcat(a, ",\"x\":1}");
    expect_error(a, CONSTAT_EINVAL, "members other than index, leaf_hash and proof");
}

static const char *record_text =
    "{\"v\":1,\"kind\":\"shift\",\"id\":\"shift-2024-03-05-amina\",\"org\":\"hro-calais\","
    "\"monitor\":\"amina\",\"recorded_at\":\"2024-03-05T18:00:00Z\","
    "\"start\":\"2024-03-05T07:00:00+01:00\",\"end\":\"2024-03-05T12:00:00+01:00\","
    "\"area\":{\"name\":\"Zone \\\"industrielle\\\" des Dunes\\\\\",\"commune\":\"Cal\\u00e0is\","
    "\"lat_e7\":509700000,\"lon_e7\":18900000,\"radius_m\":1500}}";

static void test_leaf_span(void **state)
{
    constat_note_signer s, other;
    uint8_t seed[32];
    json_t *r = NULL;
    constat_buf leaf, canon, scratch, msg;
    constat_leaf l;
    constat_error e, e2;
    size_t off = 0, len = 0;
    (void)state;

    memset(seed, 7, sizeof seed);
    assert_int_equal(constat_note_signer_from_seed("amina", 0x01, seed, &s, &e), CONSTAT_OK);
    seed[0] = 8;
    assert_int_equal(constat_note_signer_from_seed("amina", 0x01, seed, &other, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_json_parse(record_text, strlen(record_text), "r", 1, &r, &e),
                     CONSTAT_OK);
    constat_buf_init(&leaf);
    constat_buf_init(&canon);
    constat_buf_init(&scratch);
    constat_buf_init(&msg);
    assert_int_equal(constat_record_sign(r, &s, &leaf, &e), CONSTAT_OK);
    assert_int_equal(constat_canon(r, &canon, &e), CONSTAT_OK);
    assert_int_equal(constat_leaf_parse_span(leaf.data, leaf.len, &l, &scratch, &off, &len, &e),
                     CONSTAT_OK);
    /* the slice is the record's JCS form */
    assert_int_equal(len, canon.len);
    assert_memory_equal(leaf.data + off, canon.data, len);
    /* the signature over the slice: the same verdicts and messages */
    assert_int_equal(constat_buf_puts(&msg, CONSTAT_RECORD_SIG_DOMAIN), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&msg, leaf.data + off, len), CONSTAT_OK);
    assert_int_equal(constat_leaf_verify_message(&l, msg.data, msg.len, &s.pub, &e), CONSTAT_OK);
    assert_int_equal(constat_leaf_verify(&l, &s.pub, &e), CONSTAT_OK);
    constat_error_clear(&e);
    constat_error_clear(&e2);
    assert_int_equal(constat_leaf_verify_message(&l, msg.data, msg.len, &other.pub, &e),
                     CONSTAT_EVERIFY);
    assert_int_equal(constat_leaf_verify(&l, &other.pub, &e2), CONSTAT_EVERIFY);
    assert_string_equal(e.msg, e2.msg);
    assert_non_null(strstr(e.msg, "key id mismatch"));
    l.signature[0] ^= 1;
    constat_error_clear(&e);
    constat_error_clear(&e2);
    assert_int_equal(constat_leaf_verify_message(&l, msg.data, msg.len, &s.pub, &e),
                     CONSTAT_EVERIFY);
    assert_int_equal(constat_leaf_verify(&l, &s.pub, &e2), CONSTAT_EVERIFY);
    assert_string_equal(e.msg, e2.msg);
    assert_non_null(strstr(e.msg, "signature does not verify"));
    l.signature[0] ^= 1;
    /* one byte of the record changed: the slice no longer verifies */
    msg.data[msg.len - 3] ^= 1;
    assert_int_equal(constat_leaf_verify_message(&l, msg.data, msg.len, &s.pub, &e),
                     CONSTAT_EVERIFY);
    constat_leaf_free(&l);
    /* a leaf that is not canonical is refused as before, span or not */
    {
        constat_buf spaced;
        constat_buf_init(&spaced);
        assert_int_equal(constat_buf_append(&spaced, leaf.data, 1), CONSTAT_OK);
        assert_int_equal(constat_buf_puts(&spaced, " "), CONSTAT_OK);
        assert_int_equal(constat_buf_append(&spaced, leaf.data + 1, leaf.len - 1), CONSTAT_OK);
        assert_int_equal(constat_leaf_parse_span(spaced.data, spaced.len, &l, &scratch, &off,
                                                 &len, &e),
                         CONSTAT_EINVAL);
        assert_non_null(strstr(e.msg, "not in RFC 8785 canonical form"));
        assert_null(l.record);
        constat_buf_free(&spaced);
    }
    constat_buf_free(&leaf);
    constat_buf_free(&canon);
    constat_buf_free(&scratch);
    constat_buf_free(&msg);
    json_decref(r);
    constat_note_signer_wipe(&s);
    constat_note_signer_wipe(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proof_line_forms),
        cmocka_unit_test(test_proof_line_rejects),
        cmocka_unit_test(test_leaf_span),
    };
    if (constat_init() != CONSTAT_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
