/* test_canon.c — strict JSON parsing and the RFC 8785 writer, against the
 * cyberphone JCS test data and the RFC 8785 Appendix B number samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *const jcs_files[] = {"arrays", "french", "structures",
                                        "unicode", "values", "weird"};

/* Canonicalise text and compare with the expected bytes. */
static void expect_canon(const char *in, const char *want)
{
    constat_buf b;
    constat_error e;
    constat_buf_init(&b);
    if (constat_canon_text(in, strlen(in), &b, &e) != CONSTAT_OK)
        fail_msg("canon of %s failed: %s", in, e.msg);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    constat_buf_free(&b);
}

/* Parse must fail with `code` and a message containing `sub`. */
static void expect_parse_error(const char *in, size_t len, constat_status code,
                               const char *sub)
{
    json_t *v = (json_t *)1;
    constat_error e;
    constat_status st = constat_json_parse(in, len, "test.json", 1, &v, &e);
    if (st != code)
        fail_msg("parse of %.60s: status %d, want %d (%s)", in, st, code,
                 st ? e.msg : "ok");
    assert_null(v);
    if (!strstr(e.msg, sub))
        fail_msg("message \"%s\" lacks \"%s\"", e.msg, sub);
}

static void test_cyberphone_vectors(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof jcs_files / sizeof jcs_files[0]; i++) {
        char p[256];
        size_t inlen, outlen;
        char *in, *want;
        constat_buf b;
        constat_error e;

        snprintf(p, sizeof p, "jcs/cyberphone/testdata/input/%s.json", jcs_files[i]);
        in = tu_read_vector(p, &inlen);
        snprintf(p, sizeof p, "jcs/cyberphone/testdata/output/%s.json", jcs_files[i]);
        want = tu_read_vector(p, &outlen);
        constat_buf_init(&b);
        if (constat_canon_text(in, inlen, &b, &e) != CONSTAT_OK)
            fail_msg("%s: %s", jcs_files[i], e.msg);
        if (b.len != outlen || memcmp(b.data, want, outlen) != 0)
            fail_msg("%s: got %s want %s", jcs_files[i], (char *)b.data, want);
        constat_buf_free(&b);
        free(in);
        free(want);
    }
}

static void test_appendix_b_numbers(void **state)
{
    size_t len, i, n;
    char *text = tu_read_vector("jcs/rfc8785-appendix-b-numbers.json", &len);
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je), *rows;
    (void)state;
    assert_non_null(root);
    rows = json_object_get(root, "rows");
    n = json_array_size(rows);
    assert_true(n >= 20);
    for (i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i);
        const char *hex = json_string_value(json_object_get(row, "ieee754_hex"));
        json_t *want = json_object_get(row, "expected");
        uint64_t bits = strtoull(hex, NULL, 16);
        double d;
        char out[32];
        constat_status st;

        memcpy(&d, &bits, sizeof d);
        st = constat_canon_number(d, out);
        if (json_is_null(want)) {
            assert_int_equal(st, CONSTAT_EINVAL);
        } else {
            assert_int_equal(st, CONSTAT_OK);
            if (strcmp(out, json_string_value(want)) != 0)
                fail_msg("%s: got %s want %s", hex, out, json_string_value(want));
        }
    }
    json_decref(root);
    free(text);
}

static void test_numbers_more(void **state)
{
    char out[32];
    json_t *v;
    (void)state;

    assert_int_equal(constat_canon_number(-0.0, out), CONSTAT_OK);
    assert_string_equal(out, "0");
    assert_int_equal(constat_canon_number(1e21, out), CONSTAT_OK);
    assert_string_equal(out, "1e+21");
    assert_int_equal(constat_canon_number(1e20, out), CONSTAT_OK);
    assert_string_equal(out, "100000000000000000000");
    assert_int_equal(constat_canon_number(1e-7, out), CONSTAT_OK);
    assert_string_equal(out, "1e-7");
    assert_int_equal(constat_canon_number(1e-6, out), CONSTAT_OK);
    assert_string_equal(out, "0.000001");
    assert_int_equal(constat_canon_number(0.1, out), CONSTAT_OK);
    assert_string_equal(out, "0.1");
    assert_int_equal(constat_canon_number(-1.5e-9, out), CONSTAT_OK);
    assert_string_equal(out, "-1.5e-9");
    assert_int_equal(constat_canon_number(123e300, out), CONSTAT_OK);
    assert_string_equal(out, "1.23e+302");
    /* a power of two whose shortest form lies on the narrow side: 2^-1074*2^52 */
    assert_int_equal(constat_canon_number(ldexp(1.0, -1022), out), CONSTAT_OK);
    assert_string_equal(out, "2.2250738585072014e-308");
    assert_int_equal(constat_canon_number(NAN, out), CONSTAT_EINVAL);
    assert_int_equal(constat_canon_number(-INFINITY, out), CONSTAT_EINVAL);

    expect_canon("[-0, -0.0, 0.0, 1E21, 1e-7, 10, 4.50, 9007199254740993]",
                 "[0,0,0,1e+21,1e-7,10,4.5,9007199254740992]");
    /* integer literals beyond 64 bits: doubles for canon_text (JCS output
     * writes such doubles that way, and must read them back), refused by
     * the strict parser */
    expect_canon("[262100000000000000000,18446744073709551616,-9223372036854775809]",
                 "[262100000000000000000,18446744073709552000,-9223372036854776000]");
    expect_canon("[262100000000000000000]", "[262100000000000000000]");
    expect_parse_error("262100000000000000000", 21, CONSTAT_EINVAL, "too big");

    /* jansson itself refuses to hold a NaN, so the writer's check is a
     * second line of defence only reachable through constat_canon_number */
    v = json_real(0);
    assert_int_equal(json_real_set(v, NAN), -1);
    json_decref(v);
}

static void test_strings_and_order(void **state)
{
    (void)state;
    /* controls: named escapes, others lowercase \u00xx; DEL and / raw */
    expect_canon("\"\\u0001\\u001F\\b\\t\\n\\f\\r\\\"\\\\\\/\\u007f\"",
                 "\"\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\x7f\"");
    /* UTF-16 order: U+1F600 (D83D DE00) sorts before U+E000, although its
     * code point is larger */
    expect_canon("{\"\\ue000\":1,\"\\ud83d\\ude00\":2,\"z\":3}",
                 "{\"z\":3,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1}");
    /* same lead surrogate: trail unit decides */
    expect_canon("{\"\\ud83d\\ude01\":1,\"\\ud83d\\ude00\":2}",
                 "{\"\xf0\x9f\x98\x80\":2,\"\xf0\x9f\x98\x81\":1}");
    /* prefix sorts first; empty key first */
    expect_canon("{\"ab\":1,\"a\":2,\"\":3}", "{\"\":3,\"a\":2,\"ab\":1}");
    expect_canon("  {\"a\" : [ true , false , null ] }\n", "{\"a\":[true,false,null]}");
}

static void test_duplicates(void **state)
{
    (void)state;
    expect_parse_error("{\"id\":\"a\",\"id\":\"b\"}", 19, CONSTAT_EINVAL, "duplicate");
    expect_parse_error("{\"\\u0069d\":\"a\",\"id\":\"b\"}", 24, CONSTAT_EINVAL, "duplicate");
    expect_parse_error("{\"x\":{\"k\":1,\"\\u006b\":2}}", 24, CONSTAT_EINVAL, "line 1");
}

static void test_bad_text(void **state)
{
    (void)state;
    /* invalid UTF-8: lone continuation byte, overlong, encoded surrogate */
    expect_parse_error("\"\x80\"", 3, CONSTAT_EINVAL, "test.json");
    expect_parse_error("\"\xc0\xaf\"", 4, CONSTAT_EINVAL, "test.json");
    expect_parse_error("\"\xed\xa0\x80\"", 5, CONSTAT_EINVAL, "test.json");
    /* lone surrogate escape */
    expect_parse_error("\"\\ud800\"", 8, CONSTAT_EINVAL, "test.json");
    /* NUL escaped and raw */
    expect_parse_error("\"a\\u0000b\"", 10, CONSTAT_EINVAL, "test.json");
    /* said in the user's words, not as jansson's JSON_ALLOW_NUL flag */
    expect_parse_error("\"a\\u0000b\"", 10, CONSTAT_EINVAL,
                       "line 1 column 10: \\u0000 (NUL) is not allowed in a string");
    expect_parse_error("{\"a\":1}\0", 8, CONSTAT_EINVAL, "NUL byte");
    /* trailing bytes, syntax, with line and column */
    expect_parse_error("{} x", 4, CONSTAT_EINVAL, "line 1");
    expect_parse_error("{\n \"a\": tru }", 13, CONSTAT_EINVAL, "line 2");
    /* integers beyond 64 bits, real overflow */
    expect_parse_error("123456789012345678901234567890", 30, CONSTAT_EINVAL, "test.json");
    expect_parse_error("1e400", 5, CONSTAT_EINVAL, "test.json");
    expect_parse_error("", 0, CONSTAT_EINVAL, "test.json");
}

static char *nested(int depth, size_t *len)
{
    char *s = malloc((size_t)depth * 2 + 1);
    int i;
    assert_non_null(s);
    for (i = 0; i < depth; i++) {
        s[i] = '[';
        s[2 * depth - 1 - i] = ']';
    }
    s[2 * depth] = 0;
    *len = (size_t)depth * 2;
    return s;
}

static void test_depth(void **state)
{
    size_t len;
    char *s;
    json_t *v;
    constat_error e;
    constat_buf b;
    (void)state;

    s = nested(CONSTAT_JSON_MAX_DEPTH, &len);
    assert_int_equal(constat_json_parse(s, len, "deep", 1, &v, &e), CONSTAT_OK);
    constat_buf_init(&b);
    assert_int_equal(constat_canon(v, &b, &e), CONSTAT_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, s, len);
    constat_buf_free(&b);
    json_decref(v);
    free(s);

    s = nested(CONSTAT_JSON_MAX_DEPTH + 1, &len);
    assert_int_equal(constat_json_parse(s, len, "deep", 1, &v, &e), CONSTAT_ELIMIT);
    assert_non_null(strstr(e.msg, "column 33"));
    free(s);

    /* brackets inside strings do not count */
    {
        char t[200];
        int i, o = 0;
        for (i = 0; i < CONSTAT_JSON_MAX_DEPTH; i++)
            t[o++] = '[';
        o += snprintf(t + o, sizeof t - (size_t)o, "\"[[[\\\"[{\"");
        for (i = 0; i < CONSTAT_JSON_MAX_DEPTH; i++)
            t[o++] = ']';
        assert_int_equal(constat_json_parse(t, (size_t)o, "str", 1, &v, &e), CONSTAT_OK);
        json_decref(v);
    }

    /* a value built in code deeper than the limit is refused by the writer */
    {
        json_t *root = json_array(), *cur = root;
        int i;
        for (i = 0; i < CONSTAT_JSON_MAX_DEPTH; i++) {
            json_t *a = json_array();
            json_array_append_new(cur, a);
            cur = a;
        }
        constat_buf_init(&b);
        assert_int_equal(constat_canon(root, &b, &e), CONSTAT_ELIMIT);
        assert_int_equal(b.len, 0);
        constat_buf_free(&b);
        json_decref(root);
    }
}

static void test_record_size_limit(void **state)
{
    size_t n = CONSTAT_RECORD_MAX_BYTES;
    char *s = malloc(n + 2);
    json_t *v;
    constat_error e;
    (void)state;
    assert_non_null(s);
    memset(s, ' ', n + 1);
    s[0] = '1';
    s[n + 1] = 0;
    assert_int_equal(constat_json_parse(s, n, "big", 1, &v, &e), CONSTAT_OK);
    json_decref(v);
    assert_int_equal(constat_json_parse(s, n + 1, "big", 1, &v, &e), CONSTAT_ELIMIT);
    assert_non_null(strstr(e.msg, "big"));
    /* without the record limit the same text parses */
    assert_int_equal(constat_json_parse(s, n + 1, "big", 0, &v, &e), CONSTAT_OK);
    json_decref(v);
    free(s);
}

static void test_invalid_utf8_in_built_value(void **state)
{
    json_t *v = json_stringn_nocheck("a\xff", 2);
    constat_buf b;
    constat_error e;
    (void)state;
    constat_buf_init(&b);
    assert_int_equal(constat_canon(v, &b, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "UTF-8"));
    constat_buf_free(&b);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cyberphone_vectors),
        cmocka_unit_test(test_appendix_b_numbers),
        cmocka_unit_test(test_numbers_more),
        cmocka_unit_test(test_strings_and_order),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_record_size_limit),
        cmocka_unit_test(test_invalid_utf8_in_built_value),
    };
    if (constat_init() != CONSTAT_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
