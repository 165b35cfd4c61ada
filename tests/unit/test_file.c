/* test_file.c — bounded whole-file reads, directory fsync (base/file.h) and
 * fixed-buffer formatting (constat_bprintf, base/text.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/text.h"

static char *write_tmp(const char *dir, const char *name, const char *data, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    FILE *f;
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return p;
}

static constat_status read_path(const char *path, size_t max, constat_buf *b, constat_error *e)
{
    FILE *f = fopen(path, "rb");
    constat_status st;
    assert_non_null(f);
    st = constat_file_read(f, max, b, e);
    fclose(f);
    return st;
}

static void test_read_limits(void **state)
{
    char *dir = tu_tmpdir();
    char *big = malloc(200000);
    char *p, *q, *z;
    constat_buf b;
    constat_error e;
    (void)state;

    assert_non_null(big);
    for (size_t i = 0; i < 200000; i++)
        big[i] = (char)('a' + i % 26);
    p = write_tmp(dir, "big", big, 200000);
    constat_buf_init(&b);

    /* exactly the limit: read in full, across several 64 KiB chunks */
    constat_error_clear(&e);
    assert_int_equal(read_path(p, 200000, &b, &e), CONSTAT_OK);
    assert_int_equal(b.len, 200000);
    assert_memory_equal(b.data, big, 200000);
    assert_int_equal(b.data[b.len], 0);

    /* one byte under: refused with the limit named */
    constat_buf_reset(&b);
    assert_int_equal(read_path(p, 199999, &b, &e), CONSTAT_ELIMIT);
    assert_int_equal(e.code, CONSTAT_ELIMIT);
    assert_string_equal(e.msg, "larger than 199999 bytes");

    /* the limit counts only what this call appends */
    q = write_tmp(dir, "small", "hello", 5);
    constat_buf_reset(&b);
    assert_int_equal(constat_buf_puts(&b, "0123456789"), CONSTAT_OK);
    assert_int_equal(read_path(q, 5, &b, &e), CONSTAT_OK);
    assert_int_equal(b.len, 15);
    assert_string_equal((const char *)b.data, "0123456789hello");
    assert_int_equal(read_path(q, 4, &b, &e), CONSTAT_ELIMIT);
    assert_string_equal(e.msg, "larger than 4 bytes");

    /* an empty file is no error and appends nothing */
    z = write_tmp(dir, "empty", "", 0);
    constat_buf_reset(&b);
    assert_int_equal(read_path(z, 0, &b, &e), CONSTAT_OK);
    assert_int_equal(b.len, 0);

    constat_buf_free(&b);
    free(p);
    free(q);
    free(z);
    free(big);
    tu_rmrf(dir);
    free(dir);
}

static void test_read_error(void **state)
{
    char *dir = tu_tmpdir();
    constat_buf b;
    constat_error e;
    FILE *f;
    (void)state;

    /* a directory opens with fopen on Linux, but reading it fails: EISDIR */
    f = fopen(dir, "rb");
    assert_non_null(f);
    constat_buf_init(&b);
    constat_error_clear(&e);
    errno = 0;
    assert_int_equal(constat_file_read(f, 100, &b, &e), CONSTAT_EIO);
    assert_int_equal(errno, EISDIR);
    assert_string_equal(e.msg, "read error");
    assert_int_equal(b.len, 0);
    fclose(f);
    /* a NULL error is allowed */
    f = fopen(dir, "rb");
    assert_non_null(f);
    assert_int_equal(constat_file_read(f, 100, &b, NULL), CONSTAT_EIO);
    fclose(f);
    constat_buf_free(&b);
    tu_rmrf(dir);
    free(dir);
}

static void test_fsync_dir(void **state)
{
    char *dir = tu_tmpdir();
    char *p, missing[4200];
    (void)state;

    assert_int_equal(constat_fsync_dir(dir), 0);
    p = write_tmp(dir, "file", "x", 1);
    errno = 0;
    assert_int_equal(constat_fsync_dir(p), -1);
    assert_int_equal(errno, ENOTDIR);
    snprintf(missing, sizeof missing, "%s/none", dir);
    errno = 0;
    assert_int_equal(constat_fsync_dir(missing), -1);
    assert_int_equal(errno, ENOENT);
    free(p);
    tu_rmrf(dir);
    free(dir);
}

static void test_bprintf(void **state)
{
    char out[8];
    (void)state;

    constat_bprintf(out, sizeof out, "%s/%d", "ab", 12);
    assert_string_equal(out, "ab/12");
    constat_bprintf(out, sizeof out, "%s", "0123456789");
    assert_string_equal(out, "0123456");
    constat_bprintf(out, 1, "%s", "x");
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_limits),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_fsync_dir),
        cmocka_unit_test(test_bprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
