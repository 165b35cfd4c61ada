/* test_keyrot.c — rotation of the organisation key (docs/vault.md
 * "Organisation key rotation"): the chain of keys (first key in force up to
 * the transition's leaf, the new one after it); a record signed by the old
 * organisation key after the transition fails naming the transition; a
 * transition whose new key did not sign is not followed; forged
 * transitions; a rotation rolled back inside its transaction changes
 * nothing and leaves no key file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"
#include "verify_failures.h"
#include "constat/record/canon.h"
#include "constat/vault/keylife.h"
#include "constat/vault/keyrot.h"
#include "constat/vault/vault.h"


/* Append a revocation of bob's key signed by `signer`; its leaf. */
static uint64_t add_revocation(fixture *f, const char *id, const constat_note_signer *signer)
{
    uint64_t idx;
    json_t *rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                            "revocation", "id", id, "org", ORG, "monitor", "alice", "key_id",
                            "alice+00000000", "from", "2026-11-29T09:00:00Z", "reason",
                            "lost-device", "recorded_at", "2026-11-29T10:00:00Z");
    idx = tu_append_signed(f->v, rec, id, "revocation", signer);
    json_decref(rec);
    return idx;
}

static void test_chain(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_keychain kc;
    char nk[128];
    uint64_t t = 0;
    size_t bad = 0;

    (void)state;
    fx_new(&f);
    assert_int_equal(constat_vault_org_rotate(f.v, "yearly", T, &t, nk, sizeof nk, &err),
                     CONSTAT_OK);
    assert_int_equal(t, 1); /* leaf 0 is alice's enrolment */
    assert_string_not_equal(nk, f.org0_kid);
    /* the vault now signs with the new key */
    {
        char cur[128];
        constat_record_key_id(&constat_vault_org_key(f.v)->pub, cur, sizeof cur);
        assert_string_equal(cur, nk);
    }
    assert_int_equal(constat_vault_monitor_add(f.v, "bob", T, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_org_chain(f.v, &kc, NULL, NULL, &bad, &err), CONSTAT_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(kc.n, 2);
    assert_string_equal(kc.k[0].key_id, f.org0_kid);
    assert_int_equal(kc.k[0].from, 0);
    assert_int_equal(kc.k[0].transition, -1);
    assert_string_equal(kc.k[1].key_id, nk);
    assert_int_equal(kc.k[1].from, 2);
    assert_int_equal(kc.k[1].transition, 1);
    assert_string_equal(kc.k[1].at, "2026-11-29T10:00:00Z");
    /* leaves 0 and 1 (the transition itself) are the old key's, 2 on the new one's */
    assert_ptr_equal(constat_keychain_at(&kc, 0), &kc.k[0]);
    assert_ptr_equal(constat_keychain_at(&kc, 1), &kc.k[0]);
    assert_ptr_equal(constat_keychain_at(&kc, 2), &kc.k[1]);
    assert_ptr_equal(constat_keychain_at(&kc, 99), &kc.k[1]);
    assert_ptr_equal(constat_keychain_find(&kc, nk), &kc.k[1]);
    assert_null(constat_keychain_find(&kc, "calais-watch.example+00000000"));
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* reopened with the passphrase-less keys: the new key file is loaded */
    constat_vault_close(f.v);
    assert_int_equal(constat_vault_open(f.dir, NULL, &f.v, &err), CONSTAT_OK);
    {
        char cur[128];
        constat_record_key_id(&constat_vault_org_key(f.v)->pub, cur, sizeof cur);
        assert_string_equal(cur, nk);
    }
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* a record the OLD organisation key signs after the transition fails,
     * naming both keys and the transition */
    uint64_t bad_leaf = add_revocation(&f, "revocation-old-key", &f.org0);
    assert_int_equal(bad_leaf, 3);
    assert_int_equal(tu_verify_all(f.v, &fl), 2); /* the leaf, and the revocation check */
    assert_int_equal(fl.idx[0], 3);
    {
        char want[512];
        snprintf(want, sizeof want, "revocation signed by the organisation key %s, but %s is "
                 "in force at this leaf (key transition at leaf 1)", f.org0_kid, nk);
        assert_non_null(strstr(fl.msg[0], want));
    }
    assert_non_null(strstr(fl.msg[1], "leaf 3 (record revocation-old-key): revocation not "
                                      "signed by the organisation key"));
    fx_free(&f);
}

static int fail_txn(const char *step)
{
    return strcmp(step, "txn") == 0;
}

static int spoil_newsig(const char *step)
{
    return strcmp(step, "newsig") == 0;
}

/* Rolled back inside the transaction: nothing logged, the old key still
 * signs, the unused key file is removed; a transition the new key did not
 * sign is not followed. */
static void test_rollback_and_one_signature(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_keychain kc;
    char cur[128], keys[700];
    size_t bad = 0;
    int files = 0;

    (void)state;
    fx_new(&f);
    constat_org_rotate_test_hook = fail_txn;
    assert_int_equal(constat_vault_org_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_EIO);
    constat_org_rotate_test_hook = NULL;
    assert_int_equal(constat_vault_size(f.v), 1);
    constat_record_key_id(&constat_vault_org_key(f.v)->pub, cur, sizeof cur);
    assert_string_equal(cur, f.org0_kid);
    snprintf(keys, sizeof keys, "%s/keys", f.dir);
    {
        char cmd[900];
        FILE *p;
        snprintf(cmd, sizeof cmd, "ls %s | grep -c '^org-' || true", keys);
        p = popen(cmd, "r");
        assert_non_null(p);
        assert_int_equal(fscanf(p, "%d", &files), 1);
        pclose(p);
    }
    assert_int_equal(files, 0);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* the new key's signature spoiled: verify refuses the transition, and
     * the vault's key is not where the chain leads */
    constat_org_rotate_test_hook = spoil_newsig;
    assert_int_equal(constat_vault_org_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    constat_org_rotate_test_hook = NULL;
    memset(&fl, 0, sizeof fl);
    assert_int_equal(constat_vault_org_chain(f.v, &kc, on_fail, &fl, &bad, &err), CONSTAT_OK);
    assert_int_equal(bad, 2);
    assert_int_equal(kc.n, 1);
    assert_string_equal(kc.k[0].key_id, f.org0_kid);
    assert_int_equal(fl.idx[0], 1);
    assert_non_null(strstr(fl.msg[0], "the transition is signed by the old key only"));
    assert_int_equal(fl.idx[1], -1);
    assert_non_null(strstr(fl.msg[1], "is not the one its key transitions lead to"));
    fx_free(&f);
}

/* Append a key_transition retiring `old` for `next`, the leaf signed by
 * `leaf_signer` and new_signature by `next`. Its leaf. */
static uint64_t add_transition(fixture *f, const char *id, const constat_note_verifier *old,
                               const constat_note_signer *leaf_signer,
                               const constat_note_signer *next)
{
    char ovk[512], nvk[512], okid[128], sig64[100];
    uint8_t sig[64];
    constat_error err;
    constat_buf msg;
    uint64_t idx;
    json_t *rec;

    assert_int_equal(constat_note_verifier_format(old, ovk, sizeof ovk), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&next->pub, nvk, sizeof nvk), CONSTAT_OK);
    constat_record_key_id(old, okid, sizeof okid);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "key_transition", "id", id, "org", ORG, "monitor", ORG, "key", "org",
                    "retires", okid, "old_vkey", ovk, "vkey", nvk, "reason", "forged",
                    "recorded_at", "2026-11-29T10:00:00Z");
    constat_buf_init(&msg);
    assert_int_equal(constat_buf_puts(&msg, CONSTAT_TRANSITION_SIG_DOMAIN), CONSTAT_OK);
    assert_int_equal(constat_canon(rec, &msg, &err), CONSTAT_OK);
    crypto_sign_detached(sig, NULL, msg.data, msg.len, next->sk);
    constat_buf_free(&msg);
    constat_base64(sig, sizeof sig, sig64);
    json_object_set_new(rec, "new_signature", json_string(sig64));
    idx = tu_append_signed(f->v, rec, id, "key_transition", leaf_signer);
    json_decref(rec);
    return idx;
}

/* Forged transitions: one retiring a key that was never the organisation's
 * (mallory hands her key over to herself), and one claiming to retire the
 * key in force but signed by another key. */
static void test_forged(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_note_signer m1, m2;
    constat_keychain kc;
    uint8_t s1[32] = {9}, s2[32] = {10};
    char cur[128];

    (void)state;
    assert_int_equal(constat_note_signer_from_seed(ORG, CONSTAT_NOTE_ALG_ED25519, s1, &m1, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_note_signer_from_seed(ORG, CONSTAT_NOTE_ALG_ED25519, s2, &m2, &err),
                     CONSTAT_OK);

    /* 1: the first transition of the log, by mallory for mallory: the
     * chain starts at her key, so the real enrolment at leaf 0 fails, and
     * the vault's key is not where the chain leads */
    fx_new(&f);
    assert_int_equal(add_transition(&f, "transition-forged", &m1.pub, &m1, &m2), 1);
    assert_int_equal(tu_verify_all(f.v, &fl), 3);
    assert_int_equal(fl.idx[0], 0);
    assert_non_null(strstr(fl.msg[0], "enrolment not signed by the organisation key: key id "
                                      "mismatch"));
    assert_int_equal(fl.idx[1], 0);
    assert_non_null(strstr(fl.msg[1], "monitor \"alice\" is listed but has no valid enrolment"));
    assert_int_equal(fl.idx[2], -1);
    assert_non_null(strstr(fl.msg[2], "is not the one its key transitions lead to"));
    fx_free(&f);

    /* 2: after a real rotation, a transition retiring the key in force but
     * signed by mallory: not followed, named */
    fx_new(&f);
    assert_int_equal(constat_vault_org_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    assert_int_equal(add_transition(&f, "transition-forged-2", &constat_vault_org_key(f.v)->pub,
                                    &m1, &m2), 2);
    assert_int_equal(tu_verify_all(f.v, &fl), 1);
    assert_int_equal(fl.idx[0], 2);
    assert_non_null(strstr(fl.msg[0], "leaf 2 (record transition-forged-2): key transition of "
                                      "the organisation key not followed: not signed by the "
                                      "old key"));
    assert_int_equal(constat_vault_org_chain(f.v, &kc, NULL, NULL, NULL, &err), CONSTAT_OK);
    assert_int_equal(kc.n, 2);
    constat_record_key_id(&constat_vault_org_key(f.v)->pub, cur, sizeof cur);
    assert_string_equal(kc.k[1].key_id, cur);
    fx_free(&f);
    constat_note_signer_wipe(&m1);
    constat_note_signer_wipe(&m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_rollback_and_one_signature),
        cmocka_unit_test(test_forged),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
