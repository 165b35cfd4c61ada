/* test_amend_owner.c — only a record's own monitor amends it (docs/record.md
 * "Corrections and retractions", "Erasure"): a monitor key signs only the
 * kinds monitors write (constat_intake_monitor_kind); in a log that holds
 * them already, a correction, retraction or monitor-signed erasure of
 * another monitor's record fails `constat verify` naming both monitors and
 * is not applied by constat_records_effective (a dossier of it is refused by
 * its own verification), while a monitor's erasure of
 * their own record (as erasures were before) still verifies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "verify_failures.h"
#include "constat/analysis/report.h"
#include "constat/vault/intake.h"
#include "constat/dossier/dossier.h"
#include "constat/dossier/verify.h"
#include "constat/record/record.h"

#define TAXONOMY CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json"


/* tu_append_signed, naming the error of the signature */
static uint64_t append(constat_vault *v, const json_t *rec, const char *id, const char *kind,
                       const constat_note_signer *signer)
{
    constat_error err;
    constat_buf leaf;
    constat_buf_init(&leaf);
    if (constat_record_sign(rec, signer, &leaf, &err) != CONSTAT_OK)
        fail_msg("sign %s: %s", id, err.msg);
    constat_buf_free(&leaf);
    return tu_append_signed(v, rec, id, kind, signer);
}

static json_t *incident(const char *id, const char *monitor)
{
    json_t *r = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s}, s:[s], "
                          "s:{s:s}}",
                          "v", 1, "kind", "incident", "id", id, "org", ORG, "monitor", monitor,
                          "recorded_at", "2026-11-29T09:00:00Z", "occurred", "start",
                          "2026-11-28T07:40:00Z", "end", "2026-11-28T08:00:00Z", "precision",
                          "minute", "place", "name", "Gare", "categories", "eviction", "source",
                          "type", "direct_observation");
    assert_non_null(r);
    return r;
}

static void test_monitor_kinds(void **state)
{
    static const char *const ok[] = {"incident",   "evidence",   "custody",
                                      "correction", "retraction", "shift"};
    static const char *const org[] = {"revocation",        "erasure",          "key_transition",
                                       "monitor_enrolment", "monitor_rotation", "register",
                                       "pseudonym_binding"};
    constat_error err;
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        json_t *r = json_pack("{s:s}", "kind", ok[i]);
        assert_int_equal(constat_intake_monitor_kind(r, &err), CONSTAT_OK);
        json_decref(r);
    }
    for (size_t i = 0; i < sizeof org / sizeof org[0]; i++) {
        json_t *r = json_pack("{s:s}", "kind", org[i]);
        assert_int_equal(constat_intake_monitor_kind(r, &err), CONSTAT_EINVAL);
        assert_non_null(strstr(err.msg, "signed by the organisation key"));
        assert_int_equal(strncmp(err.msg, "kind: ", 6), 0);
        json_decref(r);
    }
    {
        json_t *r = json_pack("{s:s}", "kind", "nonsense");
        assert_int_equal(constat_intake_monitor_kind(r, &err), CONSTAT_EINVAL);
        assert_non_null(strstr(err.msg, "\"nonsense\" is not a kind a monitor records"));
        json_decref(r);
        r = json_pack("{s:i}", "kind", 3);
        assert_int_equal(constat_intake_monitor_kind(r, &err), CONSTAT_EINVAL);
        assert_string_equal(err.msg, "kind: must be a string");
        json_decref(r);
    }
}

static int has(const failures *fl, int64_t idx, const char *text)
{
    for (int i = 0; i < fl->n && i < 8; i++)
        if (fl->idx[i] == idx && strstr(fl->msg[i], text))
            return 1;
    return 0;
}

static void test_cross_monitor_amendments(void **state)
{
    fixture f;
    constat_note_signer bob;
    constat_error err;
    failures fl;
    json_t *a, *b, *ret, *era, *own, *corr, *rep;
    uint64_t ia, ib, iret, iera, iown, icorr;
    (void)state;

    fx_new(&f);
    assert_int_equal(constat_vault_monitor_add(f.v, "bob", T - 3000, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_key(f.v, "bob", &bob, &err), CONSTAT_OK);
    a = incident("INC-A", "alice");
    b = incident("INC-B", "alice");
    ia = append(f.v, a, "INC-A", "incident", &f.old);
    ib = append(f.v, b, "INC-B", "incident", &f.old);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* bob retracts alice's INC-A, erases it with his key, and takes INC-B
     * over in a correction (the validation has its replacement keep the
     * correction's monitor): each fails, naming both monitors */
    ret = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind", "retraction",
                    "id", "retraction-1", "org", ORG, "monitor", "bob", "recorded_at",
                    "2026-11-29T09:10:00Z", "retracts", "INC-A", "reason", "x");
    iret = append(f.v, ret, "retraction-1", "retraction", &bob);
    era = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "v", 1, "kind",
                    "erasure", "id", "erasure-1", "org", ORG, "monitor", "bob", "recorded_at",
                    "2026-11-29T09:11:00Z", "erases", "INC-A", "leaf", (json_int_t)ia, "reason",
                    "x", "figures", "exclude");
    iera = append(f.v, era, "erasure-1", "erasure", &bob);
    rep = incident("INC-B", "bob");
    corr = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "v", 1, "kind", "correction",
                     "id", "correction-1", "org", ORG, "monitor", "bob", "recorded_at",
                     "2026-11-29T09:12:00Z", "corrects", "INC-B", "replacement", rep);
    icorr = append(f.v, corr, "correction-1", "correction", &bob);
    /* alice's erasure of her own record, signed with her key: still accepted */
    own = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "v", 1, "kind",
                    "erasure", "id", "erasure-2", "org", ORG, "monitor", "alice", "recorded_at",
                    "2026-11-29T09:13:00Z", "erases", "INC-B", "leaf", (json_int_t)ib, "reason",
                    "x", "figures", "keep");
    iown = append(f.v, own, "erasure-2", "erasure", &f.old);

    assert_int_equal(tu_verify_all(f.v, &fl), 3);
    assert_true(has(&fl, (int64_t)iret, "retraction of record \"INC-A\" by monitor \"bob\": it "
                                        "was recorded by monitor \"alice\", who alone amends it "
                                        "(not applied)"));
    assert_true(has(&fl, (int64_t)iera, "erasure of record \"INC-A\" by monitor \"bob\""));
    assert_true(has(&fl, (int64_t)icorr, "correction of record \"INC-B\" by monitor \"bob\": it "
                                         "was recorded by monitor \"alice\""));
    assert_false(has(&fl, (int64_t)iown, ""));

    /* a dossier of the log: its verification fails them too */
    {
        char dir[700];
        constat_taxonomy *tax = NULL;
        constat_buf cp;
        constat_buf_init(&cp);
        assert_int_equal(constat_taxonomy_load(TAXONOMY, &tax, &err), CONSTAT_OK);
        assert_int_equal(constat_vault_checkpoint(f.v, &cp, &err), CONSTAT_OK);
        constat_buf_free(&cp);
        snprintf(dir, sizeof dir, "%s/dossier", f.parent);
        /* the writer verifies the dossier as a reader would
         * (constat_verify_dossier) and refuses it, naming the first */
        assert_int_equal(constat_dossier_write(f.v, dir, NULL, tax, TAXONOMY, NULL, &err),
                         CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "the dossier does not verify, not written: leaf 4 "
                                        "(record retraction-1): retraction of record \"INC-A\" "
                                        "by monitor \"bob\": it was recorded by monitor "
                                        "\"alice\", who alone amends it (not applied)"));
        constat_taxonomy_free(tax);
    }

    /* the figures apply none of them: both incidents count, as alice's */
    {
        constat_indexed_record recs[6] = {{ia, a},     {ib, b},     {iret, ret},
                                          {iera, era}, {icorr, corr}, {iown, own}};
        constat_indexed_record *eff = NULL;
        size_t n = 0, incidents = 0;
        assert_int_equal(constat_records_effective(recs, 6, NULL, &eff, NULL, &n, &err),
                         CONSTAT_OK);
        for (size_t i = 0; i < n; i++)
            if (strcmp(json_string_value(json_object_get(eff[i].record, "kind")), "incident") ==
                0) {
                incidents++;
                assert_string_equal(json_string_value(json_object_get(eff[i].record, "monitor")),
                                    "alice");
            }
        assert_int_equal(incidents, 2);
        free(eff);
        /* alice's own retraction of INC-A is applied */
        json_object_set_new(ret, "monitor", json_string("alice"));
        assert_int_equal(constat_records_effective(recs, 6, NULL, &eff, NULL, &n, &err),
                         CONSTAT_OK);
        incidents = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(json_string_value(json_object_get(eff[i].record, "kind")), "incident") ==
                0)
                incidents++;
        assert_int_equal(incidents, 1);
        free(eff);
    }
    json_decref(a);
    json_decref(b);
    json_decref(ret);
    json_decref(era);
    json_decref(rep);
    json_decref(corr);
    json_decref(own);
    constat_note_signer_wipe(&bob);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor_kinds),
        cmocka_unit_test(test_cross_monitor_amendments),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
