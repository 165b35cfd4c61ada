/* test_witness_policy.c — witness policy files (witness NAME VKEY, quorum K)
 * and k-of-n checks of cosigned checkpoints, against the derived
 * cosignature/v1 vectors (tests/vectors/tlog-cosignature), with tampered,
 * missing and foreign cosignatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "constat/witness/witness_policy.h"
#include "testutil.h"

#define TESSERA_VKEY                                                                     \
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
#define WIT1_VKEY "Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk"
#define WIT2_VKEY "Wit2+38153445+BGVbwFJte9wMQIPSnEnj4KibeO6vSIOEDUTDp3o63c2x"
#define WIT1_TS 1679315147u
#define WIT2_TS 1700000000u

static constat_witness_policy g_pol;
static char g_note[4096];     /* checkpoint 15 + log sig + Wit1 + Wit2 */
static char g_note1[4096];    /* checkpoint 15 + log sig + Wit1 */
static char g_wit2_line[512];

static int setup(void **state)
{
    json_t *root, *vecs;
    json_error_t je;
    size_t len;
    char *s;
    (void)state;
    if (constat_init() != CONSTAT_OK)
        return -1;
    s = tu_read_vector("tlog-cosignature/derived-cosignature-v1-ed25519.json", &len);
    root = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
    free(s);
    if (!root)
        return -1;
    vecs = json_object_get(root, "vectors");
    snprintf(g_note1, sizeof g_note1, "%s",
             json_string_value(json_object_get(json_array_get(vecs, 0), "cosigned_checkpoint")));
    snprintf(g_wit2_line, sizeof g_wit2_line, "%s",
             json_string_value(json_object_get(json_array_get(vecs, 1), "signature_line")));
    snprintf(g_note, sizeof g_note, "%s%s", g_note1, g_wit2_line);
    json_decref(root);
    return strlen(g_note1) > 100 && strstr(g_note, "\xe2\x80\x94 Wit2 ") ? 0 : -1;
}

static constat_status parse(const char *text, constat_error *e)
{
    constat_error_clear(e);
    return constat_witness_policy_parse(text, strlen(text), &g_pol, e);
}

/* A cosignature/v1 vkey for `name` from a fixed seed byte. */
static void make_vkey(const char *name, uint8_t seedbyte, char *out, size_t cap)
{
    uint8_t seed[CONSTAT_ED25519_SEED];
    constat_note_signer s;
    memset(seed, seedbyte, sizeof seed);
    assert_int_equal(constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_COSIGNATURE_V1, seed,
                                                   &s, NULL),
                     CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&s.pub, out, cap), CONSTAT_OK);
    constat_note_signer_wipe(&s);
}

static void test_parse_good(void **state)
{
    constat_error e;
    (void)state;
    assert_int_equal(parse("# our witnesses\r\n"
                           "\n"
                           "witness Wit1 " WIT1_VKEY "\r\n"
                           "  witness\tWit2\t" WIT2_VKEY "   # the second one\n"
                           "url Wit2 https://later.example/keyword-we-do-not-know\n"
                           "quorum 1 # either will do",
                           &e),
                     CONSTAT_OK);
    assert_int_equal(g_pol.n, 2);
    assert_int_equal(g_pol.quorum, 1);
    assert_int_equal(g_pol.quorum_given, 1);
    assert_string_equal(g_pol.w[0].name, "Wit1");
    assert_string_equal(g_pol.w[1].name, "Wit2");
    assert_int_equal(g_pol.w[0].key_id, 0x9b3fb2d5u);
    assert_int_equal(g_pol.w[1].key_id, 0x38153445u);
    assert_int_equal(g_pol.w[0].alg, CONSTAT_NOTE_ALG_COSIGNATURE_V1);
    /* default quorum: every listed witness */
    assert_int_equal(parse("witness Wit1 " WIT1_VKEY "\nwitness Wit2 " WIT2_VKEY "\n", &e),
                     CONSTAT_OK);
    assert_int_equal(g_pol.quorum, 2);
    assert_int_equal(g_pol.quorum_given, 0);
}

static void expect_bad(const char *text, constat_status want, const char *needle)
{
    constat_error e;
    constat_status st = parse(text, &e);
    if (st != want || !strstr(e.msg, needle))
        fail_msg("policy %.60s: got %d \"%s\", want %d with \"%s\"", text, st, e.msg, want,
                 needle);
    assert_int_equal(g_pol.n, 0); /* nothing half-parsed is left */
}

static void test_parse_bad(void **state)
{
    char big[CONSTAT_WITNESS_POLICY_MAX_BYTES + 16];
    char line[CONSTAT_WITNESS_POLICY_LINE_MAX + 160];
    constat_buf many;
    (void)state;
    expect_bad("witness example.com/log/testdata " TESSERA_VKEY "\n", CONSTAT_EINVAL,
               "line 1: witness example.com/log/testdata: the vkey is of type 0x01");
    expect_bad("#\nwitness Wit2 " WIT1_VKEY "\n", CONSTAT_EINVAL,
               "line 2: witness Wit2: the vkey is named Wit1");
    expect_bad("witness Wit1 " WIT1_VKEY "\nwitness Wit1 " WIT1_VKEY "\n", CONSTAT_EINVAL,
               "line 2: witness Wit1 is listed twice");
    expect_bad("witness Wit1 " WIT1_VKEY "\nquorum 1\nquorum 1\n", CONSTAT_EINVAL,
               "line 3: a second quorum line (the first is line 2)");
    expect_bad("witness Wit1 " WIT1_VKEY "\nquorum 0\n", CONSTAT_EINVAL, "line 2: quorum");
    expect_bad("witness Wit1 " WIT1_VKEY "\nquorum 01\n", CONSTAT_EINVAL, "line 2: quorum");
    expect_bad("witness Wit1 " WIT1_VKEY "\nquorum -1\n", CONSTAT_EINVAL, "line 2: quorum");
    expect_bad("witness Wit1 " WIT1_VKEY "\nquorum\n", CONSTAT_EINVAL, "line 2: quorum");
    expect_bad("witness Wit1 " WIT1_VKEY "\nquorum 1 2\n", CONSTAT_EINVAL, "line 2: quorum");
    expect_bad("quorum 3\nwitness Wit1 " WIT1_VKEY "\nwitness Wit2 " WIT2_VKEY "\n",
               CONSTAT_EINVAL, "line 1: quorum 3 but only 2 witness(es) listed");
    expect_bad("witness Wit1\n", CONSTAT_EINVAL, "line 1: witness: expected");
    expect_bad("witness Wit1 " WIT1_VKEY " https://x.example\n", CONSTAT_EINVAL,
               "line 1: witness: expected");
    expect_bad("witness Wit1 Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClK\n",
               CONSTAT_EINVAL, "line 1: witness Wit1: bad vkey");
    expect_bad("# nothing\nquorum 1\n", CONSTAT_EINVAL, "no \"witness NAME VKEY\" line");
    expect_bad("", CONSTAT_EINVAL, "no \"witness NAME VKEY\" line");
    {
        constat_error e;
        const char nul[] = "witness Wit1 " WIT1_VKEY "\n\0quorum 1\n";
        assert_int_equal(constat_witness_policy_parse(nul, sizeof nul - 1, &g_pol, &e),
                         CONSTAT_EINVAL);
        assert_non_null(strstr(e.msg, "NUL"));
    }
    /* a line at the limit is read (and ignored: unknown keyword), one past it is not */
    memset(line, 'x', sizeof line);
    snprintf(line + CONSTAT_WITNESS_POLICY_LINE_MAX, sizeof line - CONSTAT_WITNESS_POLICY_LINE_MAX, "\nwitness Wit1 %s\n", WIT1_VKEY);
    {
        constat_error e;
        if (parse(line, &e) != CONSTAT_OK)
            fail_msg("line at the limit: %s", e.msg);
        line[0] = 'y';
        memmove(line + 1, line, strlen(line) + 1);
        assert_int_equal(parse(line, &e), CONSTAT_ELIMIT);
        assert_non_null(strstr(e.msg, "line 1: longer than 1024 bytes"));
    }
    /* the file limit */
    memset(big, '#', sizeof big);
    {
        constat_error e;
        assert_int_equal(constat_witness_policy_parse(big, CONSTAT_WITNESS_POLICY_MAX_BYTES + 1,
                                                      &g_pol, &e),
                         CONSTAT_ELIMIT);
    }
    /* the witness limit: 32 fit, 33 do not */
    constat_buf_init(&many);
    for (unsigned i = 0; i <= CONSTAT_WITNESS_POLICY_MAX_WITNESSES; i++) {
        char name[16], vk[600];
        constat_error e;
        snprintf(name, sizeof name, "w%u", i);
        make_vkey(name, (uint8_t)i, vk, sizeof vk);
        assert_int_equal(constat_buf_printf(&many, "witness %s %s\n", name, vk), CONSTAT_OK);
        if (i == CONSTAT_WITNESS_POLICY_MAX_WITNESSES - 1) {
            assert_int_equal(constat_witness_policy_parse((const char *)many.data, many.len,
                                                          &g_pol, &e),
                             CONSTAT_OK);
            assert_int_equal(g_pol.n, CONSTAT_WITNESS_POLICY_MAX_WITNESSES);
        }
    }
    {
        constat_error e;
        assert_int_equal(
            constat_witness_policy_parse((const char *)many.data, many.len, &g_pol, &e),
            CONSTAT_ELIMIT);
        assert_non_null(strstr(e.msg, "line 33: more than 32 witnesses"));
    }
    constat_buf_free(&many);
}

static constat_status check(const char *note, constat_witness_result *res, size_t *nvalid,
                            constat_error *e)
{
    constat_error_clear(e);
    return constat_witness_policy_check(&g_pol, note, strlen(note), res, nvalid, e);
}

static void test_check_quorum(void **state)
{
    constat_witness_result res[CONSTAT_WITNESS_POLICY_MAX_WITNESSES];
    constat_error e;
    size_t nv = 99;
    (void)state;

    /* 2 of 2: both valid, with their own times, in policy order */
    assert_int_equal(parse("witness Wit2 " WIT2_VKEY "\nwitness Wit1 " WIT1_VKEY "\n", &e),
                     CONSTAT_OK);
    assert_int_equal(check(g_note, res, &nv, &e), CONSTAT_OK);
    assert_int_equal(nv, 2);
    assert_string_equal(res[0].name, "Wit2");
    assert_int_equal(res[0].state, CONSTAT_COSIG_VALID);
    assert_int_equal(res[0].timestamp, WIT2_TS);
    assert_string_equal(res[1].name, "Wit1");
    assert_int_equal(res[1].state, CONSTAT_COSIG_VALID);
    assert_int_equal(res[1].timestamp, WIT1_TS);

    /* only Wit1 cosigned: 2 of 2 fails naming Wit2, 1 of 2 passes */
    assert_int_equal(check(g_note1, res, &nv, &e), CONSTAT_EVERIFY);
    assert_int_equal(nv, 1);
    assert_int_equal(res[0].state, CONSTAT_COSIG_ABSENT);
    assert_int_equal(res[1].state, CONSTAT_COSIG_VALID);
    assert_non_null(strstr(e.msg, "witness policy not met: 1 valid cosignature(s), 2 of the 2"));
    assert_non_null(strstr(e.msg, "missing: Wit2 (no cosignature)"));
    assert_int_equal(parse("witness Wit2 " WIT2_VKEY "\nwitness Wit1 " WIT1_VKEY "\nquorum 1\n",
                           &e),
                     CONSTAT_OK);
    assert_int_equal(check(g_note1, res, &nv, &e), CONSTAT_OK);
    assert_int_equal(nv, 1);

    /* the log's own signature is not a cosignature */
    assert_int_equal(check("example.com/log/testdata\n15\n"
                           "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n\n"
                           "\xe2\x80\x94 example.com/log/testdata M9e0luh4jTG+UMBqOUo9/q+yAEvx1"
                           "ilBEniMvjf1zfcBOhg+CKubMt53MvIt/uEWP6zdkdIQzd/fmwlM/dlPWF74ewI=\n",
                           res, &nv, &e),
                     CONSTAT_EVERIFY);
    assert_int_equal(nv, 0);
}

static void test_check_third_witness(void **state)
{
    constat_witness_result res[CONSTAT_WITNESS_POLICY_MAX_WITNESSES];
    char vk3[600], pol[2048];
    constat_error e;
    size_t nv;
    (void)state;
    make_vkey("Wit3", 3, vk3, sizeof vk3);
    snprintf(pol, sizeof pol, "witness Wit1 %s\nwitness Wit2 %s\nwitness Wit3 %s\nquorum 3\n",
             WIT1_VKEY, WIT2_VKEY, vk3);
    assert_int_equal(parse(pol, &e), CONSTAT_OK);
    assert_int_equal(check(g_note, res, &nv, &e), CONSTAT_EVERIFY);
    assert_int_equal(nv, 2);
    assert_int_equal(res[2].state, CONSTAT_COSIG_ABSENT);
    assert_non_null(strstr(e.msg, "2 valid cosignature(s), 3 of the 3"));
    assert_non_null(strstr(e.msg, "missing: Wit3 (no cosignature)"));
    assert_null(strstr(e.msg, "Wit1 ("));
    /* 2 of 3 holds */
    snprintf(pol, sizeof pol, "witness Wit1 %s\nwitness Wit2 %s\nwitness Wit3 %s\nquorum 2\n",
             WIT1_VKEY, WIT2_VKEY, vk3);
    assert_int_equal(parse(pol, &e), CONSTAT_OK);
    assert_int_equal(check(g_note, res, &nv, &e), CONSTAT_OK);
}

static void test_check_tampered(void **state)
{
    constat_witness_result res[CONSTAT_WITNESS_POLICY_MAX_WITNESSES];
    char bad[4096], *p;
    constat_error e;
    size_t nv;
    (void)state;
    /* one base64 character of Wit2's signature changed (the Ed25519 part) */
    snprintf(bad, sizeof bad, "%s", g_note);
    p = strstr(bad, "\xe2\x80\x94 Wit2 ");
    assert_non_null(p);
    p += strlen("\xe2\x80\x94 Wit2 ") + 40;
    *p = *p == 'A' ? 'B' : 'A';
    assert_int_equal(parse("witness Wit1 " WIT1_VKEY "\nwitness Wit2 " WIT2_VKEY "\nquorum 1\n",
                           &e),
                     CONSTAT_OK);
    /* a listed witness's invalid cosignature fails even when the quorum is met */
    assert_int_equal(check(bad, res, &nv, &e), CONSTAT_EVERIFY);
    assert_int_equal(nv, 1);
    assert_int_equal(res[0].state, CONSTAT_COSIG_VALID);
    assert_int_equal(res[1].state, CONSTAT_COSIG_INVALID);
    assert_non_null(strstr(res[1].msg, "Wit2"));
    assert_non_null(strstr(e.msg, "Wit2 (invalid cosignature)"));
    /* the checkpoint text changed: every cosignature is invalid */
    snprintf(bad, sizeof bad, "%s", g_note);
    bad[strlen("example.com/log/testdata\n1")] = '6';
    assert_int_equal(check(bad, res, &nv, &e), CONSTAT_EVERIFY);
    assert_int_equal(nv, 0);
    assert_int_equal(res[0].state, CONSTAT_COSIG_INVALID);
    assert_int_equal(res[1].state, CONSTAT_COSIG_INVALID);
    /* a key of the same name but another key: absent, with a hint */
    {
        char vk[600], pol[1024];
        make_vkey("Wit1", 7, vk, sizeof vk);
        snprintf(pol, sizeof pol, "witness Wit1 %s\n", vk);
        assert_int_equal(parse(pol, &e), CONSTAT_OK);
        assert_int_equal(check(g_note, res, &nv, &e), CONSTAT_EVERIFY);
        assert_int_equal(res[0].state, CONSTAT_COSIG_ABSENT);
        assert_non_null(strstr(res[0].msg, "carries key id 9b3fb2d5"));
    }
    /* not a note at all */
    assert_int_equal(check("hello\n", res, &nv, &e), CONSTAT_EINVAL);
    assert_int_equal(res[0].state, CONSTAT_COSIG_ABSENT);
    assert_int_equal(check("", res, &nv, &e), CONSTAT_EINVAL);
}

static void test_load(void **state)
{
    char *dir = tu_tmpdir(), path[4096];
    constat_error e;
    FILE *f;
    (void)state;
    snprintf(path, sizeof path, "%s/none.txt", dir);
    assert_int_equal(constat_witness_policy_load(path, &g_pol, &e), CONSTAT_ENOTFOUND);
    snprintf(path, sizeof path, "%s/policy.txt", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("witness Wit1 " WIT1_VKEY "\nquorum 2\n", f);
    fclose(f);
    assert_int_equal(constat_witness_policy_load(path, &g_pol, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "policy.txt: line 2: quorum 2 but only 1"));
    f = fopen(path, "w");
    fputs("witness Wit1 " WIT1_VKEY "\n", f);
    fclose(f);
    assert_int_equal(constat_witness_policy_load(path, &g_pol, &e), CONSTAT_OK);
    assert_int_equal(g_pol.n, 1);
    /* one byte over the limit: refused before parsing, the file named */
    {
        char want[4200];
        f = fopen(path, "w");
        assert_non_null(f);
        for (unsigned i = 0; i <= CONSTAT_WITNESS_POLICY_MAX_BYTES; i++)
            fputc(i % 64 == 63 ? '\n' : '#', f);
        fclose(f);
        assert_int_equal(constat_witness_policy_load(path, &g_pol, &e), CONSTAT_ELIMIT);
        snprintf(want, sizeof want, "%s: witness policy: larger than %u bytes", path,
                 CONSTAT_WITNESS_POLICY_MAX_BYTES);
        assert_string_equal(e.msg, want);
    }
    tu_rmrf(dir);
    free(dir);
}

static void test_dossier_md(void **state)
{
    constat_dossier_cosig c[2];
    constat_buf b;
    (void)state;
    memset(c, 0, sizeof c);
    snprintf(c[0].name, sizeof c[0].name, "Wit1");
    snprintf(c[0].vkey, sizeof c[0].vkey, "%s", WIT1_VKEY);
    c[0].timestamp = WIT1_TS;
    snprintf(c[1].name, sizeof c[1].name, "Wit2");
    snprintf(c[1].vkey, sizeof c[1].vkey, "%s", WIT2_VKEY);
    c[1].timestamp = WIT2_TS;
    constat_buf_init(&b);
    assert_int_equal(constat_witness_dossier_md(c, 2, 2, &b), CONSTAT_OK);
    assert_non_null(strstr((char *)b.data, "- Wit1, at 2023-03-20T12:25:47Z: `" WIT1_VKEY "`"));
    assert_non_null(strstr((char *)b.data, "- Wit2, at 2023-11-14T22:13:20Z"));
    assert_non_null(strstr((char *)b.data, "    witness Wit2 " WIT2_VKEY "\n    quorum 2\n"));
    /* the policy it suggests parses and holds on the cosigned note */
    {
        constat_witness_result res[2];
        const char *pol = strstr((char *)b.data, "    witness Wit1");
        constat_error e;
        assert_non_null(pol);
        assert_int_equal(constat_witness_policy_parse(pol, strlen(pol), &g_pol, &e), CONSTAT_OK);
        assert_int_equal(g_pol.quorum, 2);
        assert_int_equal(check(g_note, res, NULL, &e), CONSTAT_OK);
    }
    constat_buf_reset(&b);
    assert_int_equal(constat_witness_dossier_md(NULL, 0, 2, &b), CONSTAT_OK);
    assert_non_null(strstr((char *)b.data, "**not cosigned**"));
    assert_non_null(strstr((char *)b.data, "`constat publish`"));
    constat_buf_reset(&b);
    assert_int_equal(constat_witness_dossier_md(NULL, 0, 0, &b), CONSTAT_OK);
    assert_null(strstr((char *)b.data, "constat publish"));
    constat_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),       cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_check_quorum),     cmocka_unit_test(test_check_third_witness),
        cmocka_unit_test(test_check_tampered),   cmocka_unit_test(test_load),
        cmocka_unit_test(test_dossier_md),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
