/* test_keyrot_log.c — rotation of the log key (docs/vault.md "Log key
 * rotation"): the key_transition record with "key": "log" (validated, and
 * kept apart from the chain of organisation keys), the chain of log keys
 * (checkpoints up to the transition's leaf by the old key, from the next
 * size on by the new one), the checkpoint the rotation signs, the key files;
 * a checkpoint signed by the old key after the transition fails naming the
 * checkpoint, the key and the transition; a transition with one signature
 * spoiled or missing is not followed; a rotation rolled back changes
 * nothing; and a witness pinned to the old key follows the transition
 * (add-key-transition: parsed, formatted, decided). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"
#include "verify_failures.h"
#include "constat/record/canon.h"
#include "constat/vault/keyrot.h"
#include "constat/vault/vault.h"
#include "constat/witness/witness.h"
#include "vault/store.h"

/* How many files of dir/keys start with `prefix`. */
static int key_files(const char *dir, const char *prefix)
{
    char d[700];
    DIR *dd;
    struct dirent *e;
    int n = 0;
    snprintf(d, sizeof d, "%s/keys", dir);
    dd = opendir(d);
    assert_non_null(dd);
    while ((e = readdir(dd)) != NULL)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(dd);
    return n;
}

/* The newest checkpoint of v. */
static void latest(constat_vault *v, constat_buf *note)
{
    constat_error err;
    constat_buf_reset(note);
    assert_int_equal(constat_vault_latest_checkpoint(v, note, &err), CONSTAT_OK);
}

/* The checkpoint of the first `size` leaves of v signed by `s`. */
static void sign_cp(constat_vault *v, uint64_t size, const constat_note_signer *s,
                    constat_buf *note)
{
    constat_error err;
    constat_buf body;
    uint8_t root[32];
    constat_buf_init(&body);
    constat_buf_reset(note);
    assert_int_equal(constat_vault_root(v, size, root, &err), CONSTAT_OK);
    assert_int_equal(constat_checkpoint_format(ORIGIN, size, root, &body, &err), CONSTAT_OK);
    assert_int_equal(constat_note_sign((const char *)body.data, body.len, s, 1, note, &err),
                     CONSTAT_OK);
    constat_buf_free(&body);
}

static int opens(const constat_buf *note, const constat_note_verifier *k)
{
    constat_note *n = malloc(sizeof *n);
    constat_error err;
    int ok = constat_note_open((const char *)note->data, note->len, k, 1, n, &err) == CONSTAT_OK;
    free(n);
    return ok;
}

/* The record a log key transition carries validates; another "key" does
 * not; an organisation chain ignores it, a log chain follows it. */
static void test_record_and_chains(void **state)
{
    fixture f;
    constat_error err;
    constat_keychain orgs, logs;
    constat_buf leaf;
    json_t *rec;
    size_t bad = 0;
    uint64_t t = 0;
    char nk[128], ok0[128];

    (void)state;
    fx_new(&f);
    constat_record_key_id(&constat_vault_log_key(f.v)->pub, ok0, sizeof ok0);
    assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, &t, nk, sizeof nk, &err),
                     CONSTAT_OK);
    assert_int_equal(t, 1);
    assert_string_not_equal(nk, ok0);
    assert_int_equal(strncmp(nk, ORIGIN "+", strlen(ORIGIN) + 1), 0);
    constat_buf_init(&leaf);
    assert_int_equal(constat_vault_leaf(f.v, 1, &leaf, &err), CONSTAT_OK);
    {
        constat_leaf l;
        assert_int_equal(constat_leaf_parse(leaf.data, leaf.len, &l, &err), CONSTAT_OK);
        /* signed by the old log key, naming the origin */
        assert_string_equal(l.key_id, ok0);
        assert_string_equal(json_string_value(json_object_get(l.record, "key")), "log");
        assert_string_equal(json_string_value(json_object_get(l.record, "monitor")), ORIGIN);
        assert_string_equal(json_string_value(json_object_get(l.record, "retires")), ok0);
        assert_int_equal(constat_record_validate(l.record, NULL, &err), CONSTAT_OK);
        rec = json_deep_copy(l.record);
        constat_leaf_free(&l);
    }
    json_object_set_new(rec, "key", json_string("witness"));
    assert_int_equal(constat_record_validate(rec, NULL, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "key"));
    json_decref(rec);
    constat_buf_free(&leaf);

    assert_int_equal(constat_vault_org_chain(f.v, &orgs, NULL, NULL, &bad, &err), CONSTAT_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(orgs.n, 1);
    assert_string_equal(orgs.k[0].key_id, f.org0_kid);
    assert_int_equal(constat_vault_log_chain(f.v, &logs, NULL, NULL, &bad, &err), CONSTAT_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(logs.n, 2);
    assert_string_equal(logs.k[0].key_id, ok0);
    assert_string_equal(logs.k[1].key_id, nk);
    assert_int_equal(logs.k[1].from, 2);
    assert_int_equal(logs.k[1].transition, 1);
    /* sizes 0 and 1 are the old key's (the transition's leaf is leaf 1),
     * the checkpoints that contain the transition (2 on) the new key's */
    assert_ptr_equal(constat_keychain_for_size(&logs, 0), &logs.k[0]);
    assert_ptr_equal(constat_keychain_for_size(&logs, 1), &logs.k[0]);
    assert_ptr_equal(constat_keychain_for_size(&logs, 2), &logs.k[1]);
    assert_ptr_equal(constat_keychain_for_size(&logs, 50), &logs.k[1]);
    fx_free(&f);
}

/* The rotation signs the checkpoint that holds the transition with the new
 * key, in force from then on and after reopening; the old key file is gone;
 * the vault verifies; a checkpoint the OLD key signs after the transition
 * fails, naming the checkpoint, the key and the transition. */
static void test_rotate_and_old_key(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_note_signer old;
    constat_buf note;
    char nk[128], ok0[128], cur[128];
    uint64_t t = 0;

    (void)state;
    fx_new(&f);
    old = *constat_vault_log_key(f.v);
    constat_record_key_id(&old.pub, ok0, sizeof ok0);
    assert_int_equal(key_files(f.dir, "log.key"), 1);
    assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, &t, nk, sizeof nk, &err),
                     CONSTAT_OK);
    assert_int_equal(key_files(f.dir, "log.key"), 0); /* destroyed */
    assert_int_equal(key_files(f.dir, "log-"), 1);
    constat_buf_init(&note);
    latest(f.v, &note);
    {
        constat_checkpoint cp;
        constat_note n;
        assert_int_equal(constat_note_open((const char *)note.data, note.len,
                                           &constat_vault_log_key(f.v)->pub, 1, &n, &err),
                         CONSTAT_OK);
        assert_int_equal(constat_checkpoint_parse((const char *)note.data, n.text_len, &cp,
                                                  &err),
                         CONSTAT_OK);
        assert_int_equal(cp.size, 2); /* the first that contains the transition */
        assert_string_equal(cp.origin, ORIGIN); /* the log is the same log */
    }
    assert_false(opens(&note, &old.pub));
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* on with the new key, also after reopening */
    assert_int_equal(constat_vault_monitor_add(f.v, "bob", T, NULL, &err), CONSTAT_OK);
    constat_buf_reset(&note);
    assert_int_equal(constat_vault_checkpoint(f.v, &note, &err), CONSTAT_OK);
    assert_true(opens(&note, &constat_vault_log_key(f.v)->pub));
    constat_vault_close(f.v);
    assert_int_equal(constat_vault_open(f.dir, NULL, &f.v, &err), CONSTAT_OK);
    constat_record_key_id(&constat_vault_log_key(f.v)->pub, cur, sizeof cur);
    assert_string_equal(cur, nk);
    assert_int_equal(tu_verify_all(f.v, &fl), 0);

    /* the thief of the old key signs the checkpoint of size 4 */
    assert_int_equal(constat_vault_monitor_add(f.v, "carol", T, NULL, &err), CONSTAT_OK);
    sign_cp(f.v, 4, &old, &note);
    assert_int_equal(constat_store_begin(constat_vault_store(f.v), &err), CONSTAT_OK);
    assert_int_equal(constat_store_checkpoint_put(constat_vault_store(f.v), 4,
                                                  (const char *)note.data, T, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_commit(constat_vault_store(f.v), &err), CONSTAT_OK);
    assert_int_equal(tu_verify_all(f.v, &fl), 1);
    {
        char want[600];
        snprintf(want, sizeof want, "checkpoint of size 4: signed by the log key %s, RETIRED by "
                 "the key transition at leaf 1 (2026-11-29T10:00:00Z, new key %s): a checkpoint "
                 "of tree size 4, which contains that transition, is signed by %s only", ok0, nk,
                 nk);
        assert_non_null(strstr(fl.msg[0], want));
    }
    constat_buf_free(&note);
    constat_note_signer_wipe(&old);
    fx_free(&f);
}

/* A process that opened the vault before the rotation holds the old key:
 * it signs no checkpoint with it. */
static void test_stale_process(void **state)
{
    fixture f;
    constat_error err;
    constat_vault *stale = NULL;
    constat_buf note;

    (void)state;
    fx_new(&f);
    assert_int_equal(constat_vault_open(f.dir, NULL, &stale, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(stale, "bob", T, NULL, &err), CONSTAT_OK);
    constat_buf_init(&note);
    assert_int_equal(constat_vault_checkpoint(stale, &note, &err), CONSTAT_ECONFLICT);
    assert_non_null(strstr(err.msg, "the log key was rotated"));
    constat_vault_close(stale);
    constat_buf_free(&note);
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

static int spoil_oldsig(const char *step)
{
    return strcmp(step, "oldsig") == 0;
}

/* Rolled back inside the transaction: nothing logged, the old key in force,
 * no new key file; a transition missing the old key's or the new key's
 * signature is not followed, the checkpoints after it fail, and a later
 * rotation is refused. */
static void test_rollback_and_one_signature(void **state)
{
    for (int which = 0; which < 3; which++) {
        fixture f;
        failures fl;
        constat_error err;
        char ok0[128], cur[128];

        (void)state;
        fx_new(&f);
        constat_record_key_id(&constat_vault_log_key(f.v)->pub, ok0, sizeof ok0);
        constat_log_rotate_test_hook = which == 0 ? fail_txn
                                       : which == 1 ? spoil_newsig
                                                    : spoil_oldsig;
        if (which == 0) {
            assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                             CONSTAT_EIO);
            constat_log_rotate_test_hook = NULL;
            assert_int_equal(constat_vault_size(f.v), 1);
            constat_record_key_id(&constat_vault_log_key(f.v)->pub, cur, sizeof cur);
            assert_string_equal(cur, ok0);
            assert_int_equal(key_files(f.dir, "log-"), 0);
            assert_int_equal(key_files(f.dir, "log.key"), 1);
            assert_int_equal(tu_verify_all(f.v, &fl), 0);
            fx_free(&f);
            continue;
        }
        assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                         CONSTAT_OK);
        constat_log_rotate_test_hook = NULL;
        assert_int_equal(tu_verify_all(f.v, &fl), 3);
        assert_int_equal(fl.idx[0], -1);
        assert_non_null(strstr(fl.msg[0], "leaf 1 (record transition-"));
        assert_non_null(strstr(fl.msg[0], "key transition of the log key not followed: "));
        assert_non_null(strstr(fl.msg[0], which == 1 ? "the transition is signed by the old "
                                                       "key only"
                                                     : "not signed by the old key"));
        assert_non_null(strstr(fl.msg[1], "the vault's log key"));
        assert_non_null(strstr(fl.msg[1], "is not the one its key transitions lead to"));
        assert_non_null(strstr(fl.msg[2], "checkpoint of size 2: log key"));
        assert_int_equal(constat_vault_log_rotate(f.v, "again", T, NULL, NULL, 0, &err),
                         CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "the chain of log keys of this log does not verify"));
        fx_free(&f);
    }
}

/* ---- a witness pinned to the old key ---- */

/* The witness request body for v's checkpoint `note` from `old` (the
 * witness's size), carrying v's log key transitions at leaves >= old. */
static void transition_request(constat_vault *v, uint64_t old, const constat_buf *note,
                               uint64_t size, constat_buf *body, int spoil_proof)
{
    constat_error err;
    constat_keychain kc;
    constat_buf leaves[4];
    constat_proof cons, incl[4];
    uint64_t index[4];
    const char *lp[4];
    size_t ll[4], n = 0;

    assert_int_equal(constat_vault_log_chain(v, &kc, NULL, NULL, NULL, &err), CONSTAT_OK);
    for (size_t i = 1; i < kc.n; i++) {
        if ((uint64_t)kc.k[i].transition < old)
            continue;
        index[n] = (uint64_t)kc.k[i].transition;
        constat_buf_init(&leaves[n]);
        assert_int_equal(constat_vault_leaf(v, index[n], &leaves[n], &err), CONSTAT_OK);
        assert_int_equal(constat_vault_prove_inclusion(v, index[n], size, &incl[n], &err),
                         CONSTAT_OK);
        if (spoil_proof && incl[n].n)
            incl[n].hash[0][0] ^= 1;
        lp[n] = (const char *)leaves[n].data;
        ll[n] = leaves[n].len;
        n++;
    }
    cons.n = 0;
    if (old > 0 && old < size)
        assert_int_equal(constat_vault_prove_consistency(v, old, size, &cons, &err), CONSTAT_OK);
    constat_buf_reset(body);
    assert_int_equal(constat_witness_transition_request_format(old, &cons, n, index, lp, ll,
                                                               incl, (const char *)note->data,
                                                               note->len, body),
                     CONSTAT_OK);
    for (size_t i = 0; i < n; i++)
        constat_buf_free(&leaves[i]);
}

static constat_status decide_transition(constat_vault *w, const constat_note_signer *wk,
                                        const constat_buf *body, constat_witness_outcome *res,
                                        constat_error *err)
{
    constat_witness_transition_request *rq = malloc(sizeof *rq);
    constat_buf out;
    constat_status st;
    assert_non_null(rq);
    constat_buf_init(&out);
    st = constat_witness_transition_request_parse((const char *)body->data, body->len, rq, err);
    if (st == CONSTAT_OK)
        st = constat_witness_add_checkpoint_transition(w, wk, rq, (const char *)body->data,
                                                       body->len, T, &out, res, err);
    assert_int_equal(st == CONSTAT_OK, out.len > 0);
    constat_buf_free(&out);
    free(rq);
    return st;
}

struct pinned {
    char vkey[600];
};

static int pinned_of(void *ctx, const char *origin, const char *vkey, uint64_t size)
{
    (void)origin;
    (void)size;
    snprintf(((struct pinned *)ctx)->vkey, sizeof ((struct pinned *)ctx)->vkey, "%s", vkey);
    return 0;
}

static void test_witness_follows(void **state)
{
    fixture f;
    constat_vault *w = NULL;
    constat_note_signer wk, old;
    constat_witness_outcome res;
    constat_error err;
    constat_buf note, body, out;
    char wdir[700], vk[600];
    struct pinned p;

    (void)state;
    fx_new(&f);
    snprintf(wdir, sizeof wdir, "%s/w", f.parent);
    assert_int_equal(constat_vault_create(wdir, "wit.example", "wit.example/log", NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_open(wdir, NULL, &w, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_witness_key(w, 1, &wk, &err), CONSTAT_OK);
    old = *constat_vault_log_key(f.v);
    assert_int_equal(constat_note_verifier_format(&old.pub, vk, sizeof vk), CONSTAT_OK);
    assert_int_equal(constat_witness_log_add(w, ORIGIN, vk, T, &err), CONSTAT_OK);
    constat_buf_init(&note);
    constat_buf_init(&body);
    constat_buf_init(&out);
    /* cosigned at size 1 with the old key */
    assert_int_equal(constat_vault_checkpoint(f.v, &note, &err), CONSTAT_OK);
    assert_int_equal(constat_witness_add_checkpoint(w, &wk, 0, NULL, (const char *)note.data,
                                                    note.len, T, &out, &res, &err),
                     CONSTAT_OK);
    /* rotated: the new key's checkpoint of size 3 alone is refused, naming why */
    assert_int_equal(constat_vault_log_rotate(f.v, "yearly", T, NULL, NULL, 0, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(f.v, "bob", T, NULL, &err), CONSTAT_OK);
    constat_buf_reset(&note);
    assert_int_equal(constat_vault_checkpoint(f.v, &note, &err), CONSTAT_OK);
    {
        constat_proof cons;
        assert_int_equal(constat_vault_prove_consistency(f.v, 1, 3, &cons, &err), CONSTAT_OK);
        constat_buf_reset(&out);
        assert_int_equal(constat_witness_add_checkpoint(w, &wk, 1, &cons,
                                                        (const char *)note.data, note.len, T,
                                                        &out, &res, &err),
                         CONSTAT_EVERIFY);
        assert_int_equal(res.http, 403);
        assert_non_null(strstr(err.msg, "a rotated log key?"));
    }
    /* the parser: the body formats back to its bytes; bad bodies */
    transition_request(f.v, 1, &note, 3, &body, 0);
    {
        constat_witness_transition_request *rq = malloc(sizeof *rq);
        static const char *const bad[] = {
            "key-transitions 0\nold 0\n\nx",
            "key-transitions 9\nold 0\n\nx",
            "key-transitions 1\nold 0\n\nx",
            "key-transitions 1\nold 0\n\ntransition 01 {}\n\nx",
            "key-transitions 1\nold 0\n\ntransition 1 \n\nx",
            "key-transitions 1\nold 0\n\ntransition 1 {}\n\n",
            "key-transitions 1\nold 0\n\ntransition 1 {}\nAAAA\n\nx",
        };
        assert_non_null(rq);
        assert_int_equal(constat_witness_transition_request_parse((const char *)body.data,
                                                                  body.len, rq, &err),
                         CONSTAT_OK);
        assert_int_equal(rq->n, 1);
        assert_int_equal(rq->t[0].index, 1);
        assert_int_equal(rq->base.old_size, 1);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            assert_int_equal(constat_witness_transition_request_parse(bad[i], strlen(bad[i]),
                                                                      rq, &err),
                             CONSTAT_EINVAL);
        free(rq);
    }
    /* a spoiled inclusion proof: 422, nothing changes */
    transition_request(f.v, 1, &note, 3, &body, 1);
    assert_int_equal(decide_transition(w, &wk, &body, &res, &err), CONSTAT_EVERIFY);
    assert_int_equal(res.http, 422);
    assert_non_null(strstr(err.msg, "inclusion proof"));
    /* the transition: cosigned, and the witness pins the new key */
    transition_request(f.v, 1, &note, 3, &body, 0);
    assert_int_equal(decide_transition(w, &wk, &body, &res, &err), CONSTAT_OK);
    assert_int_equal(res.http, 200);
    assert_int_equal(constat_witness_logs(w, pinned_of, &p, &err), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&constat_vault_log_key(f.v)->pub, vk,
                                                  sizeof vk),
                     CONSTAT_OK);
    assert_string_equal(p.vkey, vk);
    /* the old key's signature is refused from now on */
    {
        constat_proof cons;
        constat_buf fake;
        constat_buf_init(&fake);
        assert_int_equal(constat_vault_monitor_add(f.v, "carol", T, NULL, &err), CONSTAT_OK);
        sign_cp(f.v, 4, &old, &fake);
        assert_int_equal(constat_vault_prove_consistency(f.v, 3, 4, &cons, &err), CONSTAT_OK);
        constat_buf_reset(&out);
        assert_int_equal(constat_witness_add_checkpoint(w, &wk, 3, &cons,
                                                        (const char *)fake.data, fake.len, T,
                                                        &out, &res, &err),
                         CONSTAT_EVERIFY);
        assert_int_equal(res.http, 403);
        constat_buf_free(&fake);
    }
    constat_vault_close(w);
    constat_note_signer_wipe(&wk);

    /* a second witness, pinned to the old key, cosigned a checkpoint the old
     * key signed AFTER the transition (the thief's): the transition then
     * shows the log signed with a retired key: 409 and an alert */
    {
        char w2dir[700];
        constat_buf fake;
        snprintf(w2dir, sizeof w2dir, "%s/w2", f.parent);
        assert_int_equal(constat_vault_create(w2dir, "wit2.example", "wit2.example/log", NULL,
                                              &err),
                         CONSTAT_OK);
        assert_int_equal(constat_vault_open(w2dir, NULL, &w, &err), CONSTAT_OK);
        assert_int_equal(constat_vault_witness_key(w, 1, &wk, &err), CONSTAT_OK);
        assert_int_equal(constat_note_verifier_format(&old.pub, vk, sizeof vk), CONSTAT_OK);
        assert_int_equal(constat_witness_log_add(w, ORIGIN, vk, T, &err), CONSTAT_OK);
        constat_buf_init(&fake);
        sign_cp(f.v, 3, &old, &fake);
        constat_buf_reset(&out);
        assert_int_equal(constat_witness_add_checkpoint(w, &wk, 0, NULL, (const char *)fake.data,
                                                        fake.len, T, &out, &res, &err),
                         CONSTAT_OK);
        constat_buf_reset(&note);
        assert_int_equal(constat_vault_checkpoint(f.v, &note, &err), CONSTAT_OK);
        /* from the witness's size 3 to the log's checkpoint of size 4 */
        {
            constat_proof cons;
            uint64_t idx = 1;
            constat_buf leaf;
            const char *lp;
            size_t ll;
            constat_proof incl;
            constat_buf_init(&leaf);
            assert_int_equal(constat_vault_leaf(f.v, 1, &leaf, &err), CONSTAT_OK);
            assert_int_equal(constat_vault_prove_inclusion(f.v, 1, 4, &incl, &err), CONSTAT_OK);
            assert_int_equal(constat_vault_prove_consistency(f.v, 3, 4, &cons, &err),
                             CONSTAT_OK);
            lp = (const char *)leaf.data;
            ll = leaf.len;
            constat_buf_reset(&body);
            assert_int_equal(constat_witness_transition_request_format(
                                 3, &cons, 1, &idx, &lp, &ll, &incl, (const char *)note.data,
                                 note.len, &body),
                             CONSTAT_OK);
            constat_buf_free(&leaf);
        }
        assert_int_equal(decide_transition(w, &wk, &body, &res, &err), CONSTAT_ECONFLICT);
        assert_int_equal(res.http, 409);
        assert_true(res.alert);
        assert_non_null(strstr(err.msg, "retired-key: the key transition at leaf 1 retires the "
                                        "key that signed the checkpoint of size 3"));
        constat_buf_free(&fake);
        constat_vault_close(w);
        constat_note_signer_wipe(&wk);
    }
    constat_buf_free(&note);
    constat_buf_free(&body);
    constat_buf_free(&out);
    constat_note_signer_wipe(&old);
    fx_free(&f);
}

/* A forged transition of the log key: retiring the key in force, but the
 * leaf signed by mallory: not followed, named; the old key stays in force. */
static void test_forged(void **state)
{
    fixture f;
    failures fl;
    constat_error err;
    constat_note_signer m1, m2;
    uint8_t s1[32] = {9}, s2[32] = {10};
    char ovk[512], nvk[512], okid[128], sig64[100];
    uint8_t sig[64];
    constat_buf msg;
    json_t *rec;

    (void)state;
    fx_new(&f);
    assert_int_equal(constat_note_signer_from_seed(ORIGIN, CONSTAT_NOTE_ALG_ED25519, s1, &m1,
                                                   &err),
                     CONSTAT_OK);
    assert_int_equal(constat_note_signer_from_seed(ORIGIN, CONSTAT_NOTE_ALG_ED25519, s2, &m2,
                                                   &err),
                     CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&constat_vault_log_key(f.v)->pub, ovk,
                                                  sizeof ovk),
                     CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&m2.pub, nvk, sizeof nvk), CONSTAT_OK);
    constat_record_key_id(&constat_vault_log_key(f.v)->pub, okid, sizeof okid);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "key_transition", "id", "transition-forged", "org", ORG, "monitor", ORIGIN,
                    "key", "log", "retires", okid, "old_vkey", ovk, "vkey", nvk, "reason",
                    "forged", "recorded_at", "2026-11-29T10:00:00Z");
    constat_buf_init(&msg);
    assert_int_equal(constat_transition_message(rec, &msg, &err), CONSTAT_OK);
    crypto_sign_detached(sig, NULL, msg.data, msg.len, m2.sk);
    constat_buf_free(&msg);
    constat_base64(sig, sizeof sig, sig64);
    json_object_set_new(rec, "new_signature", json_string(sig64));
    assert_int_equal(tu_append_signed(f.v, rec, "transition-forged", "key_transition", &m1), 1);
    json_decref(rec);
    assert_int_equal(tu_verify_all(f.v, &fl), 1);
    assert_non_null(strstr(fl.msg[0], "leaf 1 (record transition-forged): key transition of "
                                      "the log key not followed: not signed by the old key"));
    constat_note_signer_wipe(&m1);
    constat_note_signer_wipe(&m2);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_and_chains),
        cmocka_unit_test(test_rotate_and_old_key),
        cmocka_unit_test(test_stale_process),
        cmocka_unit_test(test_rollback_and_one_signature),
        cmocka_unit_test(test_witness_follows),
        cmocka_unit_test(test_forged),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
