/* test_transitions.c — a device follows organisation key rotations from
 * the key it pinned (transitions.h): the transition leaves found from the
 * key in force, followed over one and two rotations, and refused from a
 * key the chain does not hold, to a key it does not end at, with a leaf
 * changed by one byte, or out of log order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "verify_failures.h"
#include "constat/vault/keyrot.h"
#include "constat/vault/sealing.h"
#include "constat/vault/transitions.h"

typedef struct {
    uint64_t idx[CONSTAT_KEYCHAIN_MAX];
    constat_buf leaf[CONSTAT_KEYCHAIN_MAX];
    const uint8_t *p[CONSTAT_KEYCHAIN_MAX];
    size_t len[CONSTAT_KEYCHAIN_MAX], n;
} shown;

/* What GET /api/v1/key-transitions shows of f's vault. */
static void show(fixture *f, shown *s)
{
    constat_error err;
    memset(s, 0, sizeof *s);
    assert_int_equal(constat_vault_org_transitions(f->v, s->idx, CONSTAT_KEYCHAIN_MAX, &s->n,
                                                   &err), CONSTAT_OK);
    for (size_t i = 0; i < s->n; i++) {
        constat_buf_init(&s->leaf[i]);
        assert_int_equal(constat_vault_leaf(f->v, s->idx[i], &s->leaf[i], &err), CONSTAT_OK);
        s->p[i] = s->leaf[i].data;
        s->len[i] = s->leaf[i].len;
    }
}

static void unshow(shown *s)
{
    for (size_t i = 0; i < s->n; i++)
        constat_buf_free(&s->leaf[i]);
}

static void test_follow(void **state)
{
    fixture f;
    shown s;
    constat_error err;
    constat_note_verifier org1, org2;
    char at[40];
    size_t steps = 9;

    (void)state;
    fx_new(&f);
    /* never rotated: nothing shown, the pinned key is the key in force */
    show(&f, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(constat_transitions_follow(&f.org0.pub, &f.org0.pub, s.p, s.len, s.idx,
                                                s.n, &steps, at, &err), CONSTAT_OK);
    assert_int_equal(steps, 0);
    unshow(&s);

    assert_int_equal(constat_vault_org_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    org1 = constat_vault_org_key(f.v)->pub;
    assert_int_equal(constat_vault_monitor_add(f.v, "bob", T + 60, NULL, &err), CONSTAT_OK);
    /* the re-seal after the first rotation, as `keys rotate --org` runs it */
    assert_int_equal(constat_vault_seal_existing(f.v, NULL, NULL, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_org_rotate(f.v, "lost laptop", T + 120, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    org2 = constat_vault_org_key(f.v)->pub;
    show(&f, &s);
    /* leaf 0 alice's enrolment, 1 the first transition, 2 bob, 3 the second */
    assert_int_equal(s.n, 2);
    assert_int_equal(s.idx[0], 1);
    assert_int_equal(s.idx[1], 3);
    assert_int_equal(constat_transitions_follow(&f.org0.pub, &org2, s.p, s.len, s.idx, s.n,
                                                &steps, at, &err), CONSTAT_OK);
    assert_int_equal(steps, 2);
    assert_string_equal(at, "2026-11-29T10:02:00Z");
    assert_int_equal(constat_transitions_follow(&org1, &org2, s.p, s.len, s.idx, s.n, &steps,
                                                at, &err), CONSTAT_OK);
    assert_int_equal(steps, 1);

    /* a key the chain does not hold (the server's own, say) */
    {
        constat_note_signer m;
        uint8_t seed[32];
        memset(seed, 7, sizeof seed);
        assert_int_equal(constat_note_signer_from_seed(ORG, CONSTAT_NOTE_ALG_ED25519, seed, &m,
                                                       &err), CONSTAT_OK);
        assert_int_equal(constat_transitions_follow(&m.pub, &org2, s.p, s.len, s.idx, s.n,
                                                    &steps, at, &err), CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "no key transition starts from the organisation key "
                                        "pinned at enrolment"));
        /* a chain that does not end at the key the server says is in force */
        assert_int_equal(constat_transitions_follow(&f.org0.pub, &m.pub, s.p, s.len, s.idx,
                                                    s.n, &steps, at, &err), CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "not at the organisation key the server says is in "
                                        "force"));
        constat_note_signer_wipe(&m);
    }
    /* the last transition held back: the chain ends at org1 */
    assert_int_equal(constat_transitions_follow(&f.org0.pub, &org2, s.p, s.len, s.idx, 1,
                                                &steps, at, &err), CONSTAT_EVERIFY);
    /* out of log order */
    {
        const uint8_t *p2[2] = {s.p[1], s.p[0]};
        size_t l2[2] = {s.len[1], s.len[0]};
        uint64_t i2[2] = {s.idx[1], s.idx[0]};
        assert_int_equal(constat_transitions_follow(&f.org0.pub, &org2, p2, l2, i2, 2, &steps,
                                                    at, &err), CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "log order"));
    }
    /* one byte of the second transition's reason changed: its signatures fail */
    {
        uint8_t *b = s.leaf[1].data;
        char *r = strstr((char *)b, "lost laptop");
        assert_non_null(r);
        r[0] = 'L';
        assert_int_equal(constat_transitions_follow(&f.org0.pub, &org2, s.p, s.len, s.idx, s.n,
                                                    &steps, at, &err), CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "key transition at leaf 3"));
    }
    unshow(&s);
    fx_free(&f);
}

/* The log keys' chain: found from the log key in force, followed from the
 * first log key; the organisation keys' chain does not take its leaves. */
static void test_follow_log(void **state)
{
    fixture f;
    constat_error err;
    constat_note_verifier log0, log1;
    uint64_t idx[CONSTAT_KEYCHAIN_MAX];
    size_t n = 0, steps = 9;
    constat_buf leaf;
    const uint8_t *p;
    size_t len;
    char at[40];

    (void)state;
    fx_new(&f);
    log0 = constat_vault_log_key(f.v)->pub;
    assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    log1 = constat_vault_log_key(f.v)->pub;
    assert_int_equal(constat_vault_log_transitions(f.v, idx, CONSTAT_KEYCHAIN_MAX, &n, &err),
                     CONSTAT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(idx[0], 1);
    /* no organisation key transition in this log */
    {
        size_t no = 9;
        assert_int_equal(constat_vault_org_transitions(f.v, idx + 1, 1, &no, &err), CONSTAT_OK);
        assert_int_equal(no, 0);
    }
    constat_buf_init(&leaf);
    assert_int_equal(constat_vault_leaf(f.v, idx[0], &leaf, &err), CONSTAT_OK);
    p = leaf.data;
    len = leaf.len;
    assert_int_equal(constat_transitions_follow_log(&log0, &log1, &p, &len, idx, 1, &steps, at,
                                                    &err), CONSTAT_OK);
    assert_int_equal(steps, 1);
    /* the organisation keys' chain ignores a log key transition */
    assert_int_equal(constat_transitions_follow(&log0, &log1, &p, &len, idx, 1, &steps, at, &err),
                     CONSTAT_EVERIFY);
    constat_buf_free(&leaf);
    fx_free(&f);
}

int main(void)
{
    (void)tu_append_signed, (void)tu_verify_all; /* verify_failures.h's, not needed here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follow),
        cmocka_unit_test(test_follow_log),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
