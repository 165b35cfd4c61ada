/* test_canon_fast.c — the short reader of canonical JSON
 * (constat_canon_parse_fast): what it reads gives the value
 * constat_json_parse gives and constat_canon writes the text back byte for
 * byte; what is outside its subset it leaves to the full path (NULL), and a
 * leaf outside the subset is still judged by the full path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/record.h"

/* `text` is read on the short path, equal to the full path's value, and
 * constat_canon writes exactly `text` again. */
static void expect_fast(const char *text)
{
    size_t len = strlen(text);
    json_t *f = constat_canon_parse_fast(text, len), *slow = NULL;
    constat_error e;
    constat_buf b;

    if (!f)
        fail_msg("short path refused %s", text);
    assert_int_equal(constat_json_parse(text, len, "t", 0, &slow, &e), CONSTAT_OK);
    assert_true(json_equal(f, slow));
    assert_int_equal(json_typeof(f), json_typeof(slow));
    constat_buf_init(&b);
    assert_int_equal(constat_canon(f, &b, &e), CONSTAT_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, text, len);
    constat_buf_free(&b);
    json_decref(f);
    json_decref(slow);
}

static void expect_refused(const char *text, size_t len)
{
    json_t *f = constat_canon_parse_fast(text, len);
    if (f) {
        json_decref(f);
        fail_msg("short path read %.*s", (int)len, text);
    }
}

#define REFUSED(s) expect_refused(s, sizeof(s) - 1)

static void test_subset_read(void **state)
{
    (void)state;
    expect_fast("{}");
    expect_fast("[]");
    expect_fast("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\"}}");
    expect_fast("{\"kind\":\"incident\",\"n\":-12,\"z\":0}");
    /* keys ordered bytewise, a prefix before its extensions */
    expect_fast("{\"a\":1,\"aa\":2,\"ab\":3,\"b\":4}");
    /* UTF-8 in values: 2, 3 and 4 bytes, and DEL, all written as they are */
    expect_fast("{\"fr\":\"Défenseur des droits – 2012 \xf0\x9f\x93\xb7\x7f\"}");
    /* the integers at the edge of JCS's exact range */
    expect_fast("[9007199254740992,-9007199254740992,9007199254740991]");
    expect_fast("\"a string alone\"");
    expect_fast("42");
}

static void test_depth(void **state)
{
    char deep[2 * CONSTAT_JSON_MAX_DEPTH + 3];
    int i;
    (void)state;
    /* CONSTAT_JSON_MAX_DEPTH levels read, one more left to the full path */
    for (i = 0; i < CONSTAT_JSON_MAX_DEPTH; i++) {
        deep[i] = '[';
        deep[CONSTAT_JSON_MAX_DEPTH + i] = ']';
    }
    deep[2 * CONSTAT_JSON_MAX_DEPTH] = 0;
    expect_fast(deep);
    for (i = 0; i <= CONSTAT_JSON_MAX_DEPTH; i++) {
        deep[i] = '[';
        deep[CONSTAT_JSON_MAX_DEPTH + 1 + i] = ']';
    }
    expect_refused(deep, 2 * (CONSTAT_JSON_MAX_DEPTH + 1));
}

static void test_outside_subset(void **state)
{
    (void)state;
    REFUSED("");
    REFUSED(" {}");
    REFUSED("{} ");
    REFUSED("{\"a\": 1}");
    REFUSED("{\"b\":1,\"a\":2}");       /* out of order */
    REFUSED("{\"a\":1,\"a\":2}");       /* duplicate */
    REFUSED("{\"ab\":1,\"a\":2}");      /* prefix after its extension */
    REFUSED("{\"\xc3\xa9\":1}");         /* non-ASCII key: UTF-16 order differs */
    REFUSED("[\"a\\\"b\"]");             /* any escape */
    REFUSED("[\"a\\u0069\"]");
    REFUSED("[\"a\tb\"]");               /* raw control byte */
    REFUSED("[\"a\0b\"]");
    REFUSED("[1.5]");
    REFUSED("[1e3]");
    REFUSED("[1E3]");
    REFUSED("[-0]");
    REFUSED("[01]");
    REFUSED("[9007199254740993]");      /* beyond 2^53 */
    REFUSED("[12345678901234567]");
    REFUSED("[-]");
    REFUSED("[+1]");
    REFUSED("[\"\xc0\xaf\"]");           /* overlong '/' */
    REFUSED("[\"\xe0\x80\xaf\"]");       /* overlong, 3 bytes */
    REFUSED("[\"\xed\xa0\x80\"]");       /* surrogate D800 */
    REFUSED("[\"\xf4\x90\x80\x80\"]");   /* beyond U+10FFFF */
    REFUSED("[\"\xf0\x8f\xbf\xbf\"]");   /* overlong, 4 bytes */
    REFUSED("[\"\xe2\x82\"]");           /* cut short */
    REFUSED("[\"abc");
    REFUSED("[1,]");
    REFUSED("{\"a\":1,}");
    REFUSED("{\"a\"}");
    REFUSED("[tru]");
    REFUSED("[nul]");
    REFUSED("[1][2]");
}

/* A leaf outside the subset is still read (and judged) by the full path:
 * a canonical leaf with an escaped quote reads, the same leaf with a space
 * is refused as not canonical. */
static void test_leaf_fallback(void **state)
{
    static const char sig[] =
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
    char leaf[512];
    constat_leaf l;
    constat_error e;
    int n;
    (void)state;

    n = snprintf(leaf, sizeof leaf,
                 "{\"key_id\":\"m+0000000a\",\"record\":{\"note\":\"say \\\"no\\\"\"},"
                 "\"signature\":\"%s\"}", sig);
    assert_null(constat_canon_parse_fast(leaf, (size_t)n));
    assert_int_equal(constat_leaf_parse((const uint8_t *)leaf, (size_t)n, &l, &e), CONSTAT_OK);
    assert_string_equal(json_string_value(json_object_get(l.record, "note")), "say \"no\"");
    assert_string_equal(l.key_id, "m+0000000a");
    constat_leaf_free(&l);

    n = snprintf(leaf, sizeof leaf,
                 "{\"key_id\":\"m+0000000a\",\"record\":{\"note\":\"x\"},\"signature\":\"%s\"}",
                 sig);
    assert_int_equal(constat_leaf_parse((const uint8_t *)leaf, (size_t)n, &l, &e), CONSTAT_OK);
    assert_string_equal(json_string_value(json_object_get(l.record, "note")), "x");
    constat_leaf_free(&l);
    n = snprintf(leaf, sizeof leaf,
                 "{\"key_id\":\"m+0000000a\",\"record\":{\"note\": \"x\"},\"signature\":\"%s\"}",
                 sig);
    assert_int_equal(constat_leaf_parse((const uint8_t *)leaf, (size_t)n, &l, &e),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "canonical"));
    /* keys out of order: read by the full path, refused as not canonical */
    n = snprintf(leaf, sizeof leaf,
                 "{\"key_id\":\"m+0000000a\",\"signature\":\"%s\",\"record\":{}}", sig);
    assert_int_equal(constat_leaf_parse((const uint8_t *)leaf, (size_t)n, &l, &e),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "canonical"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subset_read),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_outside_subset),
        cmocka_unit_test(test_leaf_fallback),
    };
    if (constat_init() != CONSTAT_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
