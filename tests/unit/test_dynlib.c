/* test_dynlib.c — shared libraries loaded on first use (src/lib/base/dynlib.c):
 * functions taken from a real library work; a
 * missing library or symbol is an I/O error naming it, remembered for later
 * calls, and leaves the function table untouched; the libraries constat
 * loads this way (libcurl, libmicrohttpd, libmagic) are found by their
 * sonames on this system. */
#include <string.h>

#include "testutil.h"
#include "base/dynlib.h"

static int setup(void **state)
{
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

static const char *const libc_names[] = {"strlen", "strcmp"};
static struct {
    size_t (*strlen_)(const char *s);
    int (*strcmp_)(const char *a, const char *b);
} libc_fns;

static void test_real_library(void **state)
{
    static constat_dynlib libc = CONSTAT_DYNLIB("libc.so.6", libc_names, libc_fns);
    constat_error err;
    (void)state;
    assert_int_equal(constat_dynlib_use(&libc, &err), CONSTAT_OK);
    assert_non_null(libc_fns.strlen_);
    assert_int_equal(libc_fns.strlen_("constat"), 7);
    assert_true(libc_fns.strcmp_("a", "b") < 0);
    /* a second use: the same outcome, nothing reloaded */
    assert_int_equal(constat_dynlib_use(&libc, &err), CONSTAT_OK);
}

static const char *const bad_names[] = {"strlen", "constat_no_such_function"};
static struct {
    void (*a)(void);
    void (*b)(void);
} bad_fns;

static void test_missing(void **state)
{
    static constat_dynlib nolib =
        CONSTAT_DYNLIB("libconstat-no-such-library.so.0", libc_names, libc_fns);
    static constat_dynlib nosym = CONSTAT_DYNLIB("libc.so.6", bad_names, bad_fns);
    constat_error err;
    (void)state;
    constat_error_clear(&err);
    assert_int_equal(constat_dynlib_use(&nolib, &err), CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "cannot load libconstat-no-such-library.so.0"));
    constat_error_clear(&err);
    assert_int_equal(constat_dynlib_use(&nolib, &err), CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "libconstat-no-such-library.so.0"));
    constat_error_clear(&err);
    assert_int_equal(constat_dynlib_use(&nosym, &err), CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "no symbol constat_no_such_function"));
    /* the first symbol was found, but nothing is set when one is missing */
    assert_null(bad_fns.a);
    assert_null(bad_fns.b);
}

/* the sonames the library asks for exist here, with the functions it takes */
static const char *const curl_names[] = {"curl_easy_init", "curl_easy_setopt"};
static const char *const mhd_names[] = {"MHD_start_daemon", "MHD_stop_daemon"};
static const char *const magic_names[] = {"magic_open", "magic_load"};
static struct {
    void (*a)(void);
    void (*b)(void);
} curl_fns, mhd_fns, magic_fns;

static void test_constat_libraries(void **state)
{
    static constat_dynlib libs[] = {CONSTAT_DYNLIB("libcurl.so.4", curl_names, curl_fns),
                                    CONSTAT_DYNLIB("libmicrohttpd.so.12", mhd_names, mhd_fns),
                                    CONSTAT_DYNLIB("libmagic.so.1", magic_names, magic_fns)};
    constat_error err;
    (void)state;
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        if (constat_dynlib_use(&libs[i], &err) != CONSTAT_OK)
            fail_msg("%s", err.msg);
    }
    assert_non_null(curl_fns.a);
    assert_non_null(mhd_fns.b);
    assert_non_null(magic_fns.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_library),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_constat_libraries),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
