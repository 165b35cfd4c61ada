/* keyrot.c — rotation of the organisation key by a key_transition record
 * signed by the old and the new key, and the chain of organisation keys
 * verification follows (keyrot.h, docs/vault.md "Organisation key
 * rotation"). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/record/canon.h"
#include "constat/vault/keyrot.h"
#include "vault/org_append.h"
#include "vault/org_keys.h"
#include "vault/store.h"

int (*constat_org_rotate_test_hook)(const char *step);

static int rot_step(const char *step)
{
    return constat_org_rotate_test_hook ? constat_org_rotate_test_hook(step) : 0;
}

const constat_key_era *constat_keychain_at(const constat_keychain *c, uint64_t index)
{
    size_t i = c->n;
    while (i > 1 && c->k[i - 1].from > index)
        i--;
    return &c->k[i - 1];
}

const constat_key_era *constat_keychain_find(const constat_keychain *c, const char *key_id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->k[i].key_id, key_id) == 0)
            return &c->k[i];
    return NULL;
}

/* The message the new key signs: the domain, then JCS of `rec` without
 * "new_signature". */
static constat_status transition_message(const json_t *rec, constat_buf *msg,
                                         constat_error *err)
{
    json_t *c = json_copy((json_t *)rec);
    constat_status st;
    if (!c)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    json_object_del(c, "new_signature");
    st = constat_buf_puts(msg, CONSTAT_TRANSITION_SIG_DOMAIN);
    if (st != CONSTAT_OK)
        st = constat_error_set(err, st, "out of memory");
    else
        st = constat_canon(c, msg, err);
    json_decref(c);
    return st;
}

static void era_set(constat_key_era *k, const constat_note_verifier *ver, uint64_t from,
                    int64_t transition, const char *at)
{
    k->ver = *ver;
    constat_record_key_id(ver, k->key_id, sizeof k->key_id);
    k->from = from;
    k->transition = transition;
    snprintf(k->at, sizeof k->at, "%s", at ? at : "");
}

struct chain_scan {
    constat_keychain *c;
    constat_failure_fn fail;
    void *fctx;
    size_t bad;
    constat_status st;
    constat_error *err;
};

static const char *rec_str(const json_t *r, const char *k)
{
    const char *s = json_string_value(json_object_get(r, k));
    return s ? s : "";
}

/* Why transition `l` at `index` does not follow the chain, or NULL. */
static const char *transition_fault(struct chain_scan *s, uint64_t index, const constat_leaf *l,
                                    constat_note_verifier *nv, char *why, size_t cap)
{
    const json_t *r = l->record;
    const constat_key_era *tail = s->c->n ? &s->c->k[s->c->n - 1] : NULL;
    constat_note_verifier ov;
    constat_error e;
    constat_buf msg;
    uint8_t sig[64];
    size_t sl = 0;
    const char *ns = rec_str(r, "new_signature");

    (void)index;
    constat_error_clear(&e);
    if (constat_record_validate(r, NULL, &e) != CONSTAT_OK) {
        snprintf(why, cap, "malformed: %s", e.msg);
        return why;
    }
    if (constat_note_verifier_parse(rec_str(r, "old_vkey"), &ov, &e) != CONSTAT_OK ||
        constat_note_verifier_parse(rec_str(r, "vkey"), nv, &e) != CONSTAT_OK) {
        snprintf(why, cap, "verifier key: %s", e.msg);
        return why;
    }
    if (tail && (sodium_memcmp(tail->ver.pk, ov.pk, 32) != 0 ||
                 strcmp(tail->key_id, rec_str(r, "retires")) != 0)) {
        snprintf(why, cap, "it retires %s, but the organisation key in force is %s",
                 rec_str(r, "retires"), tail->key_id);
        return why;
    }
    if (constat_leaf_verify(l, tail ? &tail->ver : &ov, &e) != CONSTAT_OK) {
        snprintf(why, cap, "not signed by the old key %s: %s", rec_str(r, "retires"), e.msg);
        return why;
    }
    constat_buf_init(&msg);
    if (transition_message(r, &msg, &e) != CONSTAT_OK) {
        constat_buf_free(&msg);
        snprintf(why, cap, "%s", e.msg);
        return why;
    }
    if (constat_unbase64(ns, strlen(ns), sig, sizeof sig, &sl) != CONSTAT_OK || sl != 64 ||
        crypto_sign_verify_detached(sig, msg.data, msg.len, nv->pk) != 0) {
        constat_buf_free(&msg);
        snprintf(why, cap, "new_signature does not verify under the new key: the transition "
                 "is signed by the old key only");
        return why;
    }
    constat_buf_free(&msg);
    return NULL;
}

static int chain_leaf(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct chain_scan *s = ctx;
    constat_leaf l;
    constat_error e;
    constat_note_verifier nv;
    char why[CONSTAT_ERROR_MSG_MAX + 200], msg[CONSTAT_ERROR_MSG_MAX + 600];
    const char *kind, *fault;

    constat_error_clear(&e);
    if (constat_leaf_parse(leaf, len, &l, &e) != CONSTAT_OK)
        return 0; /* constat_vault_verify reports leaves that do not parse */
    kind = json_string_value(json_object_get(l.record, "kind"));
    if (!kind || strcmp(kind, "key_transition") != 0) {
        constat_leaf_free(&l);
        return 0;
    }
    fault = transition_fault(s, index, &l, &nv, why, sizeof why);
    if (s->c->n == 0) { /* the first key is the one the first transition retires */
        constat_note_verifier ov;
        if (constat_note_verifier_parse(rec_str(l.record, "old_vkey"), &ov, &e) == CONSTAT_OK)
            era_set(&s->c->k[s->c->n++], &ov, 0, -1, NULL);
    }
    if (fault) {
        s->bad++;
        snprintf(msg, sizeof msg, "leaf %llu (record %.128s): key transition of the "
                 "organisation key not followed: %s", (unsigned long long)index,
                 rec_str(l.record, "id"), fault);
        if (s->fail)
            s->fail(s->fctx, (int64_t)index, msg);
    } else if (s->c->n >= CONSTAT_KEYCHAIN_MAX) {
        s->st = constat_error_set(s->err, CONSTAT_ELIMIT, "more than %d organisation keys",
                                  CONSTAT_KEYCHAIN_MAX);
        constat_leaf_free(&l);
        return 1;
    } else {
        era_set(&s->c->k[s->c->n++], &nv, index + 1, (int64_t)index,
                rec_str(l.record, "recorded_at"));
    }
    constat_leaf_free(&l);
    return 0;
}

constat_status constat_vault_org_chain(constat_vault *v, constat_keychain *out,
                                       constat_failure_fn fail, void *ctx, size_t *bad,
                                       constat_error *err)
{
    struct chain_scan s = {out, fail, ctx, 0, CONSTAT_OK, err};
    const constat_note_verifier *cur = &constat_vault_org_key(v)->pub;
    constat_status st;

    memset(out, 0, sizeof *out);
    st = constat_vault_leaves(v, 0, constat_vault_size(v), chain_leaf, &s, err);
    if (st == CONSTAT_OK)
        st = s.st;
    if (st != CONSTAT_OK)
        return st;
    if (out->n == 0) {
        era_set(&out->k[out->n++], cur, 0, -1, NULL);
    } else if (sodium_memcmp(out->k[out->n - 1].ver.pk, cur->pk, 32) != 0) {
        char kid[CONSTAT_KEY_NAME_MAX + 16], msg[CONSTAT_KEY_NAME_MAX * 2 + 200];
        constat_record_key_id(cur, kid, sizeof kid);
        s.bad++;
        snprintf(msg, sizeof msg, "the vault's organisation key %s is not the one its key "
                 "transitions lead to (%s)", kid, out->k[out->n - 1].key_id);
        if (fail)
            fail(ctx, -1, msg);
    }
    if (bad)
        *bad += s.bad;
    return CONSTAT_OK;
}

struct org_switch {
    const char *vkey, *file, *seal; /* seal: NULL when seal_vkey is already set */
};

/* Inside the rotation's transaction: the organisation key moves. */
static constat_status switch_hook(void *ctx, constat_store *st, constat_error *err)
{
    const struct org_switch *m = ctx;
    constat_status r = CONSTAT_OK;
    if (m->seal)
        r = constat_store_meta_set(st, "seal_vkey", m->seal, err);
    if (r == CONSTAT_OK)
        r = constat_store_meta_set(st, "org_vkey", m->vkey, err);
    if (r == CONSTAT_OK)
        r = constat_store_meta_set(st, "org_key_file", m->file, err);
    if (r == CONSTAT_OK && rot_step("txn") != 0)
        r = constat_error_set(err, CONSTAT_EIO, "rotation interrupted (test hook)");
    return r;
}

/* The transition record for the new key `ns`, signed by it. */
static json_t *transition_record(constat_vault *v, const constat_note_signer *ns,
                                 const char *reason, int64_t now, char *id, size_t idcap,
                                 char *nvk, size_t nvkcap, char *ovk, size_t ovkcap,
                                 constat_error *err)
{
    char ok[CONSTAT_KEY_NAME_MAX + 16], nk[CONSTAT_KEY_NAME_MAX + 16], hex[65], nowt[32],
        sig64[100];
    uint8_t h[32], sig[64];
    constat_buf msg;
    json_t *rec;

    constat_record_key_id(&constat_vault_org_key(v)->pub, ok, sizeof ok);
    constat_record_key_id(&ns->pub, nk, sizeof nk);
    if (constat_note_verifier_format(&constat_vault_org_key(v)->pub, ovk, ovkcap) !=
            CONSTAT_OK ||
        constat_note_verifier_format(&ns->pub, nvk, nvkcap) != CONSTAT_OK) {
        constat_error_set(err, CONSTAT_EINVAL, "organisation key name too long");
        return NULL;
    }
    constat_sha256(nk, strlen(nk), h);
    constat_hex(h, 32, hex);
    snprintf(id, idcap, "transition-%.16s", hex);
    constat_rfc3339_format(now, 0, nowt);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "key_transition", "id", id, "org", constat_vault_org(v), "monitor",
                    constat_vault_org(v), "key", "org", "retires", ok, "old_vkey", ovk, "vkey",
                    nvk, "reason", reason, "recorded_at", nowt);
    if (!rec) {
        constat_error_set(err, CONSTAT_EINVAL, "reason: must be UTF-8 text");
        return NULL;
    }
    constat_buf_init(&msg);
    if (transition_message(rec, &msg, err) != CONSTAT_OK) {
        constat_buf_free(&msg);
        json_decref(rec);
        return NULL;
    }
    crypto_sign_detached(sig, NULL, msg.data, msg.len, ns->sk);
    constat_buf_free(&msg);
    if (rot_step("newsig") != 0)
        sig[0] ^= 1;
    constat_base64(sig, sizeof sig, sig64);
    json_object_set_new(rec, "new_signature", json_string(sig64));
    return rec;
}

constat_status constat_vault_org_rotate(constat_vault *v, const char *reason, int64_t now,
                                        uint64_t *index, char *new_kid, size_t cap,
                                        constat_error *err)
{
    char rel[256], path[4096], id[64], nvk[512], ovk[512];
    constat_note_signer *ns = NULL;
    constat_keychain *kc = NULL;
    struct org_switch m = {nvk, rel, NULL};
    constat_buf seal;
    json_t *rec = NULL;
    constat_status st;

    if (!constat_vault_has_keys(v))
        return constat_error_set(err, CONSTAT_ECRYPTO, "rotating the organisation key needs "
                                 "it: open the vault with its passphrase");
    if (!reason || !reason[0] || strlen(reason) > CONSTAT_AMEND_REASON_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "reason: must be 1-%d bytes",
                                 CONSTAT_AMEND_REASON_MAX);
    if (!(kc = sodium_malloc(sizeof *kc)) || !(ns = sodium_malloc(sizeof *ns))) {
        sodium_free(kc);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    st = constat_vault_org_chain(v, kc, NULL, NULL, NULL, err);
    if (st == CONSTAT_OK && kc->n >= CONSTAT_KEYCHAIN_MAX)
        st = constat_error_set(err, CONSTAT_ELIMIT, "this log already holds %d organisation "
                               "keys", CONSTAT_KEYCHAIN_MAX);
    constat_buf_init(&seal);
    if (st == CONSTAT_OK) {
        st = constat_store_meta_get(constat_vault_store(v), "seal_vkey", &seal, err);
        if (st == CONSTAT_ENOTFOUND) {
            constat_error_clear(err);
            m.seal = ovk; /* the first rotation: data keys stay sealed to this key */
            st = CONSTAT_OK;
        }
    }
    if (st == CONSTAT_OK)
        st = constat_vault_org_key_new(v, ns, rel, sizeof rel, path, sizeof path, err);
    if (st != CONSTAT_OK)
        goto out;
    (void)rot_step("file");
    rec = transition_record(v, ns, reason, now, id, sizeof id, nvk, sizeof nvk, ovk,
                            sizeof ovk, err);
    st = rec ? constat_org_append(v, rec, id, "key_transition", switch_hook, &m, index, err)
             : err->code;
    if (st != CONSTAT_OK) {
        unlink(path); /* the database never named it */
        goto out;
    }
    constat_vault_org_key_switch(v, ns);
    if (new_kid)
        constat_record_key_id(&ns->pub, new_kid, cap);
out:
    json_decref(rec);
    constat_buf_free(&seal);
    constat_note_signer_wipe(ns);
    sodium_free(ns);
    sodium_free(kc);
    return st;
}
