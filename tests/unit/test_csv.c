/* test_csv.c — the RFC 4180 reader: syntax, line numbers, UTF-8, limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/csv.h"
#include "constat/base/limits.h"

/* Read every record of `in` into a flat description "line:f1|f2;line:..."
 * (fields with '\n' shown as '\n'), or return the error. */
static constat_status read_all(const char *in, size_t len, char *out, size_t cap,
                               constat_error *err)
{
    constat_csv *r;
    constat_csv_row row;
    constat_status st;
    int got;
    size_t o = 0;

    out[0] = 0;
    st = constat_csv_open_mem(in, len, "t.csv", &r, err);
    assert_int_equal(st, CONSTAT_OK);
    for (;;) {
        st = constat_csv_next(r, &row, &got, err);
        if (st != CONSTAT_OK || !got)
            break;
        o += (size_t)snprintf(out + o, cap - o, "%lu:", row.line);
        for (size_t i = 0; i < row.nfields; i++) {
            assert_int_equal(strlen(row.fields[i]), row.lens[i]);
            o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "|" : "", row.fields[i]);
        }
        o += (size_t)snprintf(out + o, cap - o, ";");
        assert_true(o < cap);
    }
    constat_csv_free(r);
    return st;
}

static void expect_rows(const char *in, const char *want)
{
    char out[4096];
    constat_error err;
    constat_error_clear(&err);
    constat_status st = read_all(in, strlen(in), out, sizeof out, &err);
    if (st != CONSTAT_OK)
        fail_msg("unexpected error: %s", err.msg);
    assert_string_equal(out, want);
}

static void expect_error(const char *in, size_t len, constat_status code, const char *msg)
{
    char out[4096];
    constat_error err;
    constat_error_clear(&err);
    constat_status st = read_all(in, len, out, sizeof out, &err);
    assert_int_equal(st, code);
    assert_string_equal(err.msg, msg);
}

/* in: a string literal, NUL bytes included */
#define E(in, code, msg) expect_error(in, sizeof(in) - 1, code, msg)

static void test_simple(void **state)
{
    (void)state;
    expect_rows("a,b,c\n1,2,3\n", "1:a|b|c;2:1|2|3;");
    /* no final line break; empty fields; an empty line is one empty field */
    expect_rows("a,,c\n\n,\nx", "1:a||c;2:;3:|;4:x;");
    expect_rows("a,b,", "1:a|b|;");
}

static void test_quotes(void **state)
{
    (void)state;
    expect_rows("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", "1:a,b|say \"hi\"|;");
    /* embedded newlines: the next record's line is the physical line */
    expect_rows("\"one\ntwo\nthree\",x\nnext,y\n", "1:one\ntwo\nthree|x;4:next|y;");
    /* a field that is just a quote */
    expect_rows("\"\"\"\"\n", "1:\";");
    /* multibyte UTF-8 is kept */
    expect_rows("\"Velika Kladuša\",Ñ\n", "1:Velika Kladuša|Ñ;");
}

static void test_crlf_bom(void **state)
{
    (void)state;
    expect_rows("a,b\r\nc,d\r\n", "1:a|b;2:c|d;");
    expect_rows("\xEF\xBB\xBF" "a,b\r\n", "1:a|b;");
    /* CRLF inside quotes is stored as LF; a lone CR inside quotes is kept */
    expect_rows("\"x\r\ny\",\"p\rq\"\r\nz\r\n", "1:x\ny|p\rq;3:z;");
    /* closing quote followed by CRLF */
    expect_rows("\"a\"\r\n\"b\"", "1:a;2:b;");
    /* a BOM later in the file is content, not stripped */
    expect_rows("a\n\xEF\xBB\xBF" "b\n", "1:a;2:\xEF\xBB\xBF" "b;");
}

static void test_empty(void **state)
{
    (void)state;
    expect_rows("", "");
    expect_rows("\xEF\xBB\xBF", "");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    E("a,b\nc,\"open\nmore\nstill\n", CONSTAT_EINVAL,
                 "t.csv: line 2: unterminated quoted field (field 2) at end of input");
    E("a,b\"c\n", CONSTAT_EINVAL,
                 "t.csv: line 1, byte 4 (field 2): quote inside an unquoted field");
    E("x\n\"a\"b\n", CONSTAT_EINVAL,
                 "t.csv: line 2, byte 4 (field 1): unexpected character after closing quote");
    E("a\rb\n", CONSTAT_EINVAL,
                 "t.csv: line 1, byte 2: carriage return not followed by a line feed outside quotes");
}

static void test_utf8(void **state)
{
    (void)state;
    /* lone continuation byte */
    E("ok\nab,c\x80\n", CONSTAT_EINVAL,
                 "t.csv: line 2, byte 5 (field 2): invalid UTF-8");
    /* overlong encoding of '/' */
    E("\xC0\xAF\n", CONSTAT_EINVAL,
                 "t.csv: line 1, byte 1 (field 1): invalid UTF-8");
    /* UTF-16 surrogate D800 */
    E("a\n\n\xED\xA0\x80\n", CONSTAT_EINVAL,
                 "t.csv: line 3, byte 2 (field 1): invalid UTF-8");
    /* above U+10FFFF */
    E("\xF4\x90\x80\x80", CONSTAT_EINVAL,
                 "t.csv: line 1, byte 2 (field 1): invalid UTF-8");
    /* truncated at end of input */
    E("a,\xE2\x82", CONSTAT_EINVAL,
                 "t.csv: line 1, byte 4: invalid UTF-8 (truncated sequence at end of input)");
    /* multibyte sequence cut by a line break */
    E("\xE2\n", CONSTAT_EINVAL, "t.csv: line 1, byte 2 (field 1): invalid UTF-8");
    /* the largest valid code point and a 4-byte emoji are fine */
    expect_rows("\xF4\x8F\xBF\xBF,\xF0\x9F\x98\x80\n", "1:\xF4\x8F\xBF\xBF|\xF0\x9F\x98\x80;");
}

static void test_nul(void **state)
{
    (void)state;
    E("a,b\nc,d\0e\n", CONSTAT_EINVAL, "t.csv: line 2, byte 4: NUL byte");
    E("\"a\0\"\n", CONSTAT_EINVAL, "t.csv: line 1, byte 3: NUL byte");
}

static void test_field_limit(void **state)
{
    char in[4 * CONSTAT_CSV_MAX_FIELDS + 16];
    char out[4096];
    constat_error err;
    size_t n = 0;
    (void)state;
    /* exactly CONSTAT_CSV_MAX_FIELDS fields: fine */
    n += (size_t)snprintf(in + n, sizeof in - n, "h\n");
    for (int i = 0; i < CONSTAT_CSV_MAX_FIELDS; i++)
        n += (size_t)snprintf(in + n, sizeof in - n, "%sx", i ? "," : "");
    n += (size_t)snprintf(in + n, sizeof in - n, "\n");
    assert_int_equal(read_all(in, n, out, sizeof out, &err), CONSTAT_OK);
    /* one more: CONSTAT_ELIMIT naming line 2 */
    n--;
    n += (size_t)snprintf(in + n, sizeof in - n, ",y\n");
    constat_error_clear(&err);
    assert_int_equal(read_all(in, n, out, sizeof out, &err), CONSTAT_ELIMIT);
    assert_string_equal(err.msg, "t.csv: line 2: more than 64 fields");
}

static void test_line_limit(void **state)
{
    size_t len = CONSTAT_CSV_LINE_MAX + 2;
    char *in = malloc(len + 1);
    char out[4096];
    constat_error err;
    (void)state;
    assert_non_null(in);
    /* a line of exactly CONSTAT_CSV_LINE_MAX bytes is accepted */
    memset(in, 'a', CONSTAT_CSV_LINE_MAX);
    in[CONSTAT_CSV_LINE_MAX] = '\n';
    {
        constat_csv *r;
        constat_csv_row row;
        int got;
        assert_int_equal(constat_csv_open_mem(in, CONSTAT_CSV_LINE_MAX + 1, "t.csv", &r, &err),
                         CONSTAT_OK);
        assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_OK);
        assert_int_equal(got, 1);
        assert_int_equal(row.lens[0], CONSTAT_CSV_LINE_MAX);
        constat_csv_free(r);
    }
    /* one byte more fails */
    memset(in, 'a', CONSTAT_CSV_LINE_MAX + 1);
    in[CONSTAT_CSV_LINE_MAX + 1] = '\n';
    assert_int_equal(read_all(in, len, out, sizeof out, &err), CONSTAT_ELIMIT);
    assert_string_equal(err.msg, "t.csv: line 1: record longer than 65536 bytes");
    free(in);
}

/* A 10 MB line from a stream fails with CONSTAT_ELIMIT after reading little
 * more than the limit, not the whole line. */
static void test_long_line_stream(void **state)
{
    const size_t big = 10u * 1024u * 1024u;
    FILE *f = tmpfile();
    char *chunk = malloc(1024 * 1024);
    constat_csv *r;
    constat_csv_row row;
    constat_error err;
    int got;
    (void)state;
    assert_non_null(f);
    assert_non_null(chunk);
    fputs("h1,h2\nfirst,ok\n", f);
    memset(chunk, 'z', 1024 * 1024);
    for (size_t i = 0; i < big / (1024 * 1024); i++)
        assert_int_equal(fwrite(chunk, 1, 1024 * 1024, f), 1024 * 1024);
    fputs("\nlast,row\n", f);
    rewind(f);
    assert_int_equal(constat_csv_open_file(f, "big.csv", &r, &err), CONSTAT_OK);
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_OK);
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_OK);
    assert_string_equal(row.fields[1], "ok");
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_ELIMIT);
    assert_string_equal(err.msg, "big.csv: line 3: record longer than 65536 bytes");
    assert_true(constat_csv_bytes_read(r) < 4u * CONSTAT_CSV_LINE_MAX);
    /* the reader stays failed */
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_EINVAL);
    constat_csv_free(r);
    fclose(f);
    free(chunk);
}

/* An unterminated quote in a big file: the limit names where it opened. */
static void test_unterminated_long(void **state)
{
    size_t len = CONSTAT_CSV_LINE_MAX + 100;
    char *in = malloc(len);
    char out[256];
    constat_error err;
    (void)state;
    assert_non_null(in);
    memset(in, '\n', len);
    memcpy(in, "a\nb\n\"x", 6);
    assert_int_equal(read_all(in, len, out, sizeof out, &err), CONSTAT_ELIMIT);
    assert_string_equal(err.msg, "t.csv: line 3: record longer than 65536 bytes (the quoted "
                                 "field opened on line 3 is still open)");
    free(in);
}

/* Streams give the same records as memory, across read-buffer boundaries
 * (multibyte characters and CRLF split at 64 KiB). */
static void test_stream_equals_mem(void **state)
{
    size_t n = 0, cap = 300000;
    char *in = malloc(cap);
    FILE *f = tmpfile();
    constat_csv *rm, *rf;
    constat_csv_row a, b;
    constat_error err;
    int ga, gb, rows = 0;
    (void)state;
    assert_non_null(in);
    while (n < cap - 100) {
        n += (size_t)snprintf(in + n, cap - n, "%d,\"é\"\"\r\nx\",ü€😀\r\n", rows++);
    }
    assert_int_equal(fwrite(in, 1, n, f), n);
    rewind(f);
    assert_int_equal(constat_csv_open_mem(in, n, "m", &rm, &err), CONSTAT_OK);
    assert_int_equal(constat_csv_open_file(f, "m", &rf, &err), CONSTAT_OK);
    constat_csv_set_max_bytes(rf, n);
    rows = 0;
    for (;;) {
        assert_int_equal(constat_csv_next(rm, &a, &ga, &err), CONSTAT_OK);
        assert_int_equal(constat_csv_next(rf, &b, &gb, &err), CONSTAT_OK);
        assert_int_equal(ga, gb);
        if (!ga)
            break;
        assert_int_equal(a.line, b.line);
        assert_int_equal(a.line, 2 * rows + 1);
        assert_int_equal(a.nfields, 3);
        assert_int_equal(b.nfields, 3);
        for (size_t i = 0; i < 3; i++)
            assert_string_equal(a.fields[i], b.fields[i]);
        assert_string_equal(a.fields[1], "é\"\nx");
        rows++;
    }
    assert_true(rows > 5000);
    assert_int_equal(constat_csv_bytes_read(rf), n);
    constat_csv_free(rm);
    constat_csv_free(rf);
    fclose(f);
    free(in);
}

static void test_max_bytes(void **state)
{
    constat_csv *r;
    constat_csv_row row;
    constat_error err;
    int got;
    (void)state;
    assert_int_equal(constat_csv_open_mem("a\nb\nc\n", 6, "t", &r, &err), CONSTAT_OK);
    constat_csv_set_max_bytes(r, 4);
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_OK);
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_OK);
    assert_int_equal(constat_csv_next(r, &row, &got, &err), CONSTAT_ELIMIT);
    assert_string_equal(err.msg, "t: line 3: input larger than 4 bytes");
    constat_csv_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_crlf_bom),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_long_line_stream),
        cmocka_unit_test(test_unterminated_long),
        cmocka_unit_test(test_stream_equals_mem),
        cmocka_unit_test(test_max_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
