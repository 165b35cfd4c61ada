/* test_text.c — the escapers of constat/base/text.h on hostile strings: a
 * newline that would forge a line of `constat log`, ESC [ sequences that
 * would drive the terminal, bidirectional overrides that would reorder what
 * is shown, and bytes that are not UTF-8. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/base/text.h"

static char *text(const char *s)
{
    char *r = constat_text_escaped(s);
    assert_non_null(r);
    return r;
}

/* 1 if the bytes hold a C0 control, DEL, or a UTF-8 C1 control / bidi
 * character: what a terminal would act on. */
static int has_unsafe(const char *s, int allow_newline)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        size_t k = constat_utf8_seq(p, n, &cp);
        if (k == 0)
            return 1; /* invalid UTF-8 left in the output */
        if (constat_text_unsafe(cp) && !(allow_newline && cp == '\n'))
            return 1;
        p += k;
        n -= k;
    }
    return 0;
}

static void test_terminal_hostile(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        /* a place name that would print as a forged second line */
        {"Calais\n42      incident           fake-id",
         "Calais\\x0a42      incident           fake-id"},
        {"a\r\nb\tc", "a\\x0d\\x0ab\\x09c"},
        /* ANSI: clear the screen, recolour, set the window title */
        {"\x1b[2J\x1b[31mred\x1b[0m", "\\x1b[2J\\x1b[31mred\\x1b[0m"},
        {"\x1b]0;owned\x07", "\\x1b]0;owned\\x07"},
        /* U+202E RIGHT-TO-LEFT OVERRIDE: "photo\u202egpj.exe" shows as photoexe.jpg */
        {"photo\xe2\x80\xaegpj.exe", "photo<U+202E>gpj.exe"},
        /* the other embeddings, overrides, isolates and marks */
        {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "<U+202A><U+202B><U+202C><U+202D>"},
        {"\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "<U+2066><U+2067><U+2068><U+2069>"},
        {"\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "<U+200E><U+200F><U+061C>"},
        /* line and paragraph separators break lines in some viewers */
        {"a\xe2\x80\xa8" "b\xe2\x80\xa9", "a<U+2028>b<U+2029>"},
        /* DEL and C1 controls (U+0085 NEL, U+009B CSI) */
        {"x\x7fy\xc2\x85z\xc2\x9b" "2J", "x\\x7fy<U+0085>z<U+009B>2J"},
        /* not UTF-8: a lone continuation byte, 0xff, an overlong '/', a
         * surrogate, a cut sequence at the end */
        {"\x80\xff", "\\x80\\xff"},
        {"\xc0\xaf", "\\xc0\\xaf"},
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"},
        {"ok\xe2\x80", "ok\\xe2\\x80"},
        {"\xef\xbf\xbe\xef\xbf\xbf", "<U+FFFE><U+FFFF>"},
        /* kept: letters of any script, emoji, backslash, quotes, < > */
        {"Gr\xc3\xa4" "fenhausen \xd8\xa7\xd9\x84\xd9\x82\xd8\xaf\xd8\xb3 \xf0\x9f\x98\x80",
         "Gr\xc3\xa4" "fenhausen \xd8\xa7\xd9\x84\xd9\x82\xd8\xaf\xd8\xb3 \xf0\x9f\x98\x80"},
        {"C:\\x <b>\"'&", "C:\\x <b>\"'&"},
        {"", ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = text(cases[i].in);
        assert_string_equal(r, cases[i].out);
        assert_false(has_unsafe(r, 0));
        assert_null(strchr(r, '\n'));
        free(r);
    }
    {
        char *r = text(NULL);
        assert_string_equal(r, "");
        free(r);
    }
}

static void test_terminal_lengths_and_newlines(void **state)
{
    constat_buf b;
    (void)state;
    constat_buf_init(&b);
    /* an embedded NUL within n bytes is a control like the others */
    assert_int_equal(constat_text_escape_n(&b, "a\0b", 3, 0), CONSTAT_OK);
    assert_string_equal((char *)b.data, "a\\x00b");
    /* a sequence cut by n is bytes, not a character read past the end */
    constat_buf_reset(&b);
    assert_int_equal(constat_text_escape_n(&b, "\xe2\x80\xae", 2, 0), CONSTAT_OK);
    assert_string_equal((char *)b.data, "\\xe2\\x80");
    /* a block of lines: our newlines kept, everything else escaped */
    constat_buf_reset(&b);
    {
        static const char dump[] = "{\n  \"p\": \"\xe2\x80\xae\x1b[0m\"\n}";
        assert_int_equal(constat_text_escape_n(&b, dump, sizeof dump - 1,
                                               CONSTAT_ESC_KEEP_NEWLINE),
                         CONSTAT_OK);
    }
    assert_string_equal((char *)b.data, "{\n  \"p\": \"<U+202E>\\x1b[0m\"\n}");
    assert_false(has_unsafe((char *)b.data, 1));
    /* appending keeps what the buffer held */
    assert_int_equal(constat_text_escape(&b, "\r"), CONSTAT_OK);
    assert_string_equal((char *)b.data, "{\n  \"p\": \"<U+202E>\\x1b[0m\"\n}\\x0d");
    constat_buf_free(&b);
}

static void test_html_hostile(void **state)
{
    constat_buf b;
    (void)state;
    constat_buf_init(&b);
    assert_int_equal(constat_html_escape(&b, "a<b>&\"'\x01\x7f\xc2\x85z\xff\xed\xa0\x80"
                                             "\xef\xbf\xbf\xf0\x9f\x98\x80\t\n"),
                     CONSTAT_OK);
    assert_string_equal((char *)b.data,
                        "a&lt;b&gt;&amp;&quot;&#39;\\x01\\x7f&lt;U+0085&gt;z"
                        "\\xff\\xed\\xa0\\x80&lt;U+FFFF&gt;\xf0\x9f\x98\x80\\x09\\x0a");
    constat_buf_reset(&b);
    /* markup and a bidi override in a place name */
    assert_int_equal(constat_html_escape(&b, "<script>alert(1)</script>\xe2\x80\xae" "sialaC"),
                     CONSTAT_OK);
    assert_string_equal((char *)b.data,
                        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;U+202E&gt;sialaC");
    constat_buf_reset(&b);
    assert_int_equal(constat_html_escape(&b, "\x1b[2J\xe2\x81\xa7x\xe2\x81\xa9"), CONSTAT_OK);
    assert_string_equal((char *)b.data, "\\x1b[2J&lt;U+2067&gt;x&lt;U+2069&gt;");
    /* <pre> blocks keep their newlines, and only those */
    constat_buf_reset(&b);
    assert_int_equal(constat_html_escape_n(&b, "log\n12\n\xe2\x80\xae<\r", 12,
                                           CONSTAT_ESC_KEEP_NEWLINE),
                     CONSTAT_OK);
    assert_string_equal((char *)b.data, "log\n12\n&lt;U+202E&gt;&lt;\\x0d");
    /* a prefix of n bytes */
    constat_buf_reset(&b);
    assert_int_equal(constat_html_escape_n(&b, "<ab>", 2, 0), CONSTAT_OK);
    assert_string_equal((char *)b.data, "&lt;a");
    constat_buf_free(&b);
}

static void test_csv(void **state)
{
    constat_buf b;
    (void)state;
    constat_buf_init(&b);
    assert_int_equal(constat_csv_field(&b, "plain"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, ""), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, NULL), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "a,b"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "say \"hi\"\n"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "-1+1"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "@SUM(A1)"), CONSTAT_OK);
    assert_string_equal((char *)b.data,
                        "plain\"a,b\"\"say \"\"hi\"\"\n\"\"'-1+1\"\"'@SUM(A1)\"");
    constat_buf_free(&b);
}

/* Controls other than tab, CR, LF, invalid UTF-8 and bidi overrides never
 * reach a CSV file raw: spelled as the terminal escaper does. */
static void test_csv_controls(void **state)
{
    constat_buf b;
    (void)state;
    constat_buf_init(&b);
    /* ESC [ 2 J (clear screen), BEL, NUL-free C0, DEL */
    assert_int_equal(constat_csv_field(&b, "a\x1b[2Jb\x07" "c\x7f"), CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    /* U+202E RIGHT-TO-LEFT OVERRIDE, U+0085 NEL (C1), a lone 0xff byte */
    assert_int_equal(constat_csv_field(&b, "x\xe2\x80\xaey\xc2\x85z\xff"), CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    /* tab, CR and LF are kept (quoted); accents and Arabic are kept */
    assert_int_equal(constat_csv_field(&b, "t\tr\r\n\xc3\xa9\xd9\x85"), CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    /* an escape at the start is no formula: the text starts with a backslash */
    assert_int_equal(constat_csv_field(&b, "\x1b=1"), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&b, "", 1), CONSTAT_OK);
    assert_string_equal((char *)b.data, "a\\x1b[2Jb\\x07c\\x7f|"
                                        "x<U+202E>y<U+0085>z\\xff|"
                                        "\"t\tr\r\n\xc3\xa9\xd9\x85\"|"
                                        "\\x1b=1");
    constat_buf_free(&b);
}

/* The plain-cell fast path of constat_csv_field ends where the walk
 * begins: at the first byte outside printable ASCII, at a quote or comma,
 * and never for a cell opening with a formula character. */
static void test_csv_fast_path_edges(void **state)
{
    constat_buf b;
    (void)state;
    constat_buf_init(&b);
    assert_int_equal(constat_csv_field(&b, "a=b ~ 1"), CONSTAT_OK); /* '=' inside: plain */
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "=a"), CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "ab\x7f"), CONSTAT_OK); /* DEL last */
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "caf\xc3\xa9"), CONSTAT_OK);
    assert_int_equal(constat_buf_puts(&b, "|"), CONSTAT_OK);
    assert_int_equal(constat_csv_field(&b, "x\""), CONSTAT_OK);
    assert_string_equal((char *)b.data, "a=b ~ 1|\"'=a\"|ab\\x7f|caf\xc3\xa9|\"x\"\"\"");
    constat_buf_free(&b);
}

/* Integers appended without printf print what printf prints, and printf
 * into a buffer gives the same text whether or not it had to grow. */
static void test_buf_numbers(void **state)
{
    constat_buf b, g;
    char want[64];
    static const int64_t v[] = {0, 7, -1, 10, 99, 1000000, 9007199254740991LL, INT64_MIN,
                                INT64_MAX};
    (void)state;
    constat_buf_init(&b);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        constat_buf_reset(&b);
        assert_int_equal(constat_buf_put_i64(&b, v[i]), CONSTAT_OK);
        snprintf(want, sizeof want, "%" PRId64, v[i]);
        assert_string_equal((char *)b.data, want);
    }
    constat_buf_reset(&b);
    assert_int_equal(constat_buf_put_u64(&b, UINT64_MAX), CONSTAT_OK);
    assert_int_equal(constat_buf_put_u64(&b, 0), CONSTAT_OK);
    assert_string_equal((char *)b.data, "184467440737095516150");
    assert_int_equal(b.len, 21);
    /* printf: into the room left, then past it (the buffer grows from 64) */
    constat_buf_init(&g);
    for (int i = 0; i < 40; i++)
        assert_int_equal(constat_buf_printf(&g, "%d:%s;", i, "leaf"), CONSTAT_OK);
    constat_buf_reset(&b);
    for (int i = 0; i < 40; i++) {
        snprintf(want, sizeof want, "%d:leaf;", i);
        assert_int_equal(constat_buf_puts(&b, want), CONSTAT_OK);
    }
    assert_int_equal(g.len, b.len);
    assert_string_equal((char *)g.data, (char *)b.data);
    constat_buf_free(&g);
    constat_buf_free(&b);
}

static void test_utf8_seq(void **state)
{
    uint32_t cp = 0;
    (void)state;
    assert_int_equal(constat_utf8_seq((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(constat_utf8_seq((const unsigned char *)"\xe2\x80\xae", 3, &cp), 3);
    assert_int_equal(cp, 0x202E);
    assert_int_equal(constat_utf8_seq((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    assert_int_equal(constat_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0);
    assert_int_equal(constat_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3, &cp), 0);
    assert_int_equal(constat_utf8_seq((const unsigned char *)"\xe2\x80\xae", 2, &cp), 0);
    assert_int_equal(constat_utf8_seq((const unsigned char *)"", 0, &cp), 0);
    assert_true(constat_text_unsafe(0x202E));
    assert_true(constat_text_unsafe(0x9F));
    assert_false(constat_text_unsafe(0xA0));
    assert_false(constat_text_unsafe(0x202F));
    assert_false(constat_text_unsafe(0x2065));
    assert_false(constat_text_unsafe(0x206A));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminal_hostile),
        cmocka_unit_test(test_terminal_lengths_and_newlines),
        cmocka_unit_test(test_html_hostile),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_controls),
        cmocka_unit_test(test_csv_fast_path_edges),
        cmocka_unit_test(test_buf_numbers),
        cmocka_unit_test(test_utf8_seq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
