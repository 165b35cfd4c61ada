/* test_org_name.c — the organisation's display name and the key name
 * derived from it (org_name.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "constat/vault/org_name.h"

static void derive(const char *display, const char *want)
{
    char out[72];
    assert_int_equal(constat_org_key_name(display, out, sizeof out), 0);
    assert_string_equal(out, want);
}

static void test_key_name(void **state)
{
    char out[72], small[4];
    (void)state;
    derive("Ligue des droits de l'Homme", "ligue-des-droits-de-l-homme");
    derive("  Auberge des migrants  ", "auberge-des-migrants");
    derive("Médecins du Monde", "medecins-du-monde"); /* é folded to e */
    derive("Été solidaire", "ete-solidaire");
    derive("Straße Œuvre ÇA", "strasse-oeuvre-ca");
    derive("2 × 3", "2-3");                       /* a sign is a separator */
    derive("مرحبا Calais", "calais");             /* other scripts are separators */
    derive("HRO", "hro");
    assert_int_equal(constat_org_key_name("ÉÉ !", out, sizeof out), 0);
    assert_string_equal(out, "ee");
    assert_int_equal(constat_org_key_name("مرحبا !", out, sizeof out), -1);
    assert_int_equal(constat_org_key_name("Ééé", small, sizeof small), 0); /* cut whole */
    assert_string_equal(small, "eee");
    assert_int_equal(constat_org_key_name("abÆ", small, sizeof small), 0);
    assert_string_equal(small, "ab");
    assert_int_equal(constat_org_key_name("abcdef", small, sizeof small), 0);
    assert_string_equal(small, "abc");
    /* at most 64 bytes */
    {
        char longname[200];
        memset(longname, 'a', 150);
        longname[150] = 0;
        assert_int_equal(constat_org_key_name(longname, out, sizeof out), 0);
        assert_int_equal(strlen(out), 64);
    }
}

static void expect_bad(const char *name, const char *msg)
{
    constat_error e;
    constat_error_clear(&e);
    assert_int_equal(constat_org_display_check(name, &e), CONSTAT_EINVAL);
    if (!strstr(e.msg, msg))
        fail_msg("expected \"%s\" in \"%s\"", msg, e.msg);
}

static void test_check(void **state)
{
    constat_error e;
    char big[CONSTAT_ORG_DISPLAY_MAX + 2];
    (void)state;
    assert_int_equal(constat_org_display_check("Ligue des droits de l'Homme", &e), CONSTAT_OK);
    assert_int_equal(constat_org_display_check("جمعية — 協会", &e), CONSTAT_OK);
    expect_bad("", "1-200 bytes");
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    expect_bad(big, "1-200 bytes");
    expect_bad(" LDH", "space");
    expect_bad("LDH\n", "control character U+000A at byte 3");
    expect_bad("a\x7f", "U+007F");
    expect_bad("a\xc2\x85", "U+0085"); /* NEL, a C1 control */
    expect_bad("a\xe2\x80\xae", "bidirectional control U+202E");
    expect_bad("a\xe2\x81\xa6", "U+2066");
    expect_bad("a\xc3", "not valid UTF-8 at byte 1");
    expect_bad("a\xc0\xaf", "not valid UTF-8"); /* overlong '/' */
    expect_bad("a\xed\xa0\x80", "not valid UTF-8"); /* surrogate */
}

static void test_file(void **state)
{
    char dir[] = "/tmp/test_org_name-XXXXXX", out[CONSTAT_ORG_DISPLAY_MAX + 2], path[64];
    constat_error e;
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(constat_org_display_read(dir, out, sizeof out, &e), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_org_display_write(dir, "LDH \xe2\x80\xae", &e), CONSTAT_EINVAL);
    assert_int_equal(constat_org_display_read(dir, out, sizeof out, &e), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_org_display_write(dir, "Ligue des droits de l'Homme", &e),
                     CONSTAT_OK);
    assert_int_equal(constat_org_display_read(dir, out, sizeof out, &e), CONSTAT_OK);
    assert_string_equal(out, "Ligue des droits de l'Homme");
    /* a file edited by hand to hold a control character is refused */
    snprintf(path, sizeof path, "%s/org-name", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("LDH\033[2J\n", f);
    fclose(f);
    assert_int_equal(constat_org_display_read(dir, out, sizeof out, &e), CONSTAT_EINVAL);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_key_name), cmocka_unit_test(test_check),
                                       cmocka_unit_test(test_file)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
