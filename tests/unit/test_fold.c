/* test_fold.c — folding UTF-8 text for loose matching (base/text.h). */
#include <string.h>

#include "testutil.h"
#include "base/text.h"

/* Fold a NUL-terminated string and check the exact result. */
static void expect_fold(const char *in, const char *want)
{
    char out[256];
    size_t n = strlen(in), got;

    assert_true(n <= sizeof out);
    got = constat_text_fold(in, n, out);
    assert_true(got <= n);
    if (got != strlen(want) || memcmp(out, want, got) != 0)
        fail_msg("fold(\"%s\") = \"%.*s\", expected \"%s\"", in, (int)got, out, want);
}

static void test_ascii(void **state)
{
    (void)state;
    expect_fold("", "");
    expect_fold("Calais", "calais");
    expect_fold("COQUELLES 62231", "coquelles 62231");
    expect_fold("Rue-des-Verrotieres_@[`{", "rue-des-verrotieres_@[`{");
}

static void test_latin1(void **state)
{
    (void)state;
    expect_fold("\xc3\x89VACUATION", "evacuation");                 /* ÉVACUATION */
    expect_fold("\xc3\xa9vacuation", "evacuation");                 /* évacuation */
    expect_fold("Verroti\xc3\xa8res", "verrotieres");               /* è */
    expect_fold("Fran\xc3\xa7" "ais \xc3\x87", "francais c");       /* ç Ç */
    expect_fold("Stra\xc3\x9f" "e", "strasse");                     /* ß */
    expect_fold("\xc3\x86" "gir \xc3\xa6", "aegir ae");             /* Æ æ */
    expect_fold("\xc3\x98resund \xc3\xb8", "oresund o");            /* Ø ø */
    expect_fold("\xc3\x9e\xc3\xbe", "thth");                        /* Þ þ */
    expect_fold("\xc3\xbf\xc3\x9d\xc3\x91\xc3\xb1", "yynn");        /* ÿ Ý Ñ ñ */
    expect_fold("\xc3\x80\xc3\x85\xc3\xa0\xc3\xa5", "aaaa");        /* À Å à å */
    expect_fold("\xc3\x8e\xc3\xaf\xc3\x94\xc3\xb6\xc3\x9b\xc3\xbc", "iioouu");
    /* × and ÷ are not letters: kept */
    expect_fold("2\xc3\x97" "3\xc3\xb7", "2\xc3\x97" "3\xc3\xb7");
}

static void test_latin_ext_a(void **state)
{
    (void)state;
    expect_fold("\xc5\x92UVRE \xc5\x93uvre", "oeuvre oeuvre");      /* Œ œ */
    expect_fold("\xc5\x81\xc3\xb3" "d\xc5\xba", "lodz");            /* Łódź */
    expect_fold("\xc4\x8c" "esk\xc3\xa9 Bud\xc4\x9b" "jovice", "ceske budejovice");
    expect_fold("\xc5\x9e" "anl\xc4\xb1urfa", "sanliurfa");         /* Ş ı */
    expect_fold("\xc4\x90\xc4\x91\xc4\xa6\xc4\xa7\xc5\xa6\xc5\xa7", "ddhhtt");
    expect_fold("\xc4\xb2\xc4\xb3", "ijij");                        /* Ĳ ĳ */
    expect_fold("\xc5\xb8\xc5\xbd\xc5\xbe\xc5\xbf", "yzzs");        /* Ÿ Ž ž ſ */
    expect_fold("\xc4\x80\xc4\x85\xc4\x9c\xc4\xa3", "aagg");        /* Ā ą Ĝ ģ */
}

static void test_combining_marks(void **state)
{
    (void)state;
    /* e + U+0301 COMBINING ACUTE, C + U+0327 COMBINING CEDILLA */
    expect_fold("E\xcc\x81vacuation", "evacuation");
    expect_fold("C\xcc\xa7" "a", "ca");
    expect_fold("\xcd\xaf", "");                                    /* U+036F, last mark */
    expect_fold("\xcd\xb0", "\xcd\xb0");                            /* U+0370: not a mark */
}

static void test_other_text_kept(void **state)
{
    (void)state;
    /* Arabic (no case) and Greek (not folded) compare as they are */
    expect_fold("\xd9\x85\xd8\xae\xd9\x8a\xd9\x85 Calais",
                "\xd9\x85\xd8\xae\xd9\x8a\xd9\x85 calais");
    expect_fold("\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1",
                "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1");
    /* three- and four-byte sequences kept: U+2019, U+1F600 */
    expect_fold("l\xe2\x80\x99H\xc3\xb4pital \xf0\x9f\x98\x80",
                "l\xe2\x80\x99hopital \xf0\x9f\x98\x80");
    /* invalid UTF-8 is copied byte for byte: a lone lead byte, a lone
     * continuation, an overlong form, a truncated sequence at the end */
    expect_fold("a\xc3" "B", "a\xc3" "b");
    expect_fold("\x80\xc0\xa9\xc1\x81", "\x80\xc0\xa9\xc1\x81");
    expect_fold("caf\xc3", "caf\xc3");
}

static void test_nul_inside(void **state)
{
    char out[8];
    (void)state;
    /* a NUL byte is text like any other: folding does not stop at it */
    assert_int_equal(constat_text_fold("A\0\xc3\x89", 4, out), 3);
    assert_memory_equal(out, "a\0e", 3);
}

static void test_find(void **state)
{
    (void)state;
    assert_int_equal(constat_text_find("calais", 6, "", 0), 1);
    assert_int_equal(constat_text_find("calais", 6, "lais", 4), 1);
    assert_int_equal(constat_text_find("calais", 6, "calais", 6), 1);
    assert_int_equal(constat_text_find("calais", 6, "calaisx", 7), 0);
    assert_int_equal(constat_text_find("calais", 5, "lais", 4), 0); /* length, not NUL */
    assert_int_equal(constat_text_find("a\0b", 3, "\0b", 2), 1);
    assert_int_equal(constat_text_find("", 0, "a", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii),
        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_latin_ext_a),
        cmocka_unit_test(test_combining_marks),
        cmocka_unit_test(test_other_text_kept),
        cmocka_unit_test(test_nul_inside),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
