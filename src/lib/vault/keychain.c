/* keychain.c — the chain of organisation keys, or of log keys, that
 * key_transition leaves set, from leaf bytes alone (keychain.h, docs/vault.md
 * "Organisation key rotation", "Log key rotation"). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"
#include "constat/vault/keychain.h"

/* keychain.h */
constat_status constat_transition_message(const json_t *rec, constat_buf *msg,
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

const constat_key_era *constat_keychain_at(const constat_keychain *c, uint64_t index)
{
    size_t i = c->n;
    while (i > 1 && c->k[i - 1].from > index)
        i--;
    return &c->k[i - 1];
}

const constat_key_era *constat_keychain_for_size(const constat_keychain *c, uint64_t size)
{
    return constat_keychain_at(c, size);
}

void constat_keychain_size_fault(const constat_keychain *c, const constat_key_era *by,
                                 uint64_t size, char *out, size_t cap)
{
    const constat_key_era *in = constat_keychain_for_size(c, size);
    size_t bi = (size_t)(by - c->k);
    if (by->from > size)
        snprintf(out, cap, "signed by the log key %s, which signs only the checkpoints of tree "
                 "size %llu and more (key transition at leaf %lld, %s): %s is in force at "
                 "size %llu", by->key_id, (unsigned long long)by->from,
                 (long long)by->transition, by->at, in->key_id, (unsigned long long)size);
    else if (bi + 1 < c->n)
        snprintf(out, cap, "signed by the log key %s, RETIRED by the key transition at leaf "
                 "%lld (%s, new key %s): a checkpoint of tree size %llu, which contains that "
                 "transition, is signed by %s only", by->key_id,
                 (long long)c->k[bi + 1].transition, c->k[bi + 1].at, c->k[bi + 1].key_id,
                 (unsigned long long)size, in->key_id);
    else
        snprintf(out, cap, "signed by the log key %s, not by %s, the key in force at size %llu",
                 by->key_id, in->key_id, (unsigned long long)size);
}

const constat_key_era *constat_keychain_find(const constat_keychain *c, const char *key_id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->k[i].key_id, key_id) == 0)
            return &c->k[i];
    return NULL;
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
};

/* "organisation" or "log": what the chain's keys sign. */
static const char *chain_what(const constat_keychain *c)
{
    return c->log ? "log" : "organisation";
}

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
        snprintf(why, cap, "it retires %s, but the %s key in force is %s",
                 rec_str(r, "retires"), chain_what(s->c), tail->key_id);
        return why;
    }
    if (constat_leaf_verify(l, tail ? &tail->ver : &ov, &e) != CONSTAT_OK) {
        snprintf(why, cap, "not signed by the old key %s: %s", rec_str(r, "retires"), e.msg);
        return why;
    }
    constat_buf_init(&msg);
    if (constat_transition_message(r, &msg, &e) != CONSTAT_OK) {
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

constat_status constat_keychain_feed(constat_keychain *c, uint64_t index, const uint8_t *leaf,
                                     size_t len, constat_failure_fn fail, void *ctx,
                                     size_t *bad, constat_error *err)
{
    struct chain_scan sc = {c}, *s = &sc;
    constat_leaf l;
    constat_error e;
    constat_note_verifier nv;
    char why[CONSTAT_ERROR_MSG_MAX + 200], msg[CONSTAT_ERROR_MSG_MAX + 600];
    const char *kind, *fault;
    constat_status st = CONSTAT_OK;

    constat_error_clear(&e);
    if (constat_leaf_parse(leaf, len, &l, &e) != CONSTAT_OK)
        return CONSTAT_OK; /* constat_vault_verify reports leaves that do not parse */
    kind = json_string_value(json_object_get(l.record, "kind"));
    /* a log chain takes the transitions of the log key; an organisation
     * chain every other one, so that a malformed "key" is reported */
    if (!kind || strcmp(kind, "key_transition") != 0 ||
        (strcmp(rec_str(l.record, "key"), "log") == 0) != (c->log != 0)) {
        constat_leaf_free(&l);
        return CONSTAT_OK;
    }
    fault = transition_fault(s, index, &l, &nv, why, sizeof why);
    if (s->c->n == 0) { /* the first key is the one the first transition retires */
        constat_note_verifier ov;
        if (constat_note_verifier_parse(rec_str(l.record, "old_vkey"), &ov, &e) == CONSTAT_OK)
            era_set(&s->c->k[s->c->n++], &ov, 0, -1, NULL);
    }
    if (fault) {
        (*bad)++;
        snprintf(msg, sizeof msg, "leaf %llu (record %.128s): key transition of the "
                 "%s key not followed: %s", (unsigned long long)index,
                 rec_str(l.record, "id"), chain_what(c), fault);
        if (fail)
            fail(ctx, (int64_t)index, msg);
    } else if (s->c->n >= CONSTAT_KEYCHAIN_MAX) {
        st = constat_error_set(err, CONSTAT_ELIMIT, "more than %d %s keys",
                               CONSTAT_KEYCHAIN_MAX, chain_what(c));
    } else {
        era_set(&s->c->k[s->c->n++], &nv, index + 1, (int64_t)index,
                rec_str(l.record, "recorded_at"));
    }
    constat_leaf_free(&l);
    return st;
}

void constat_keychain_init(constat_keychain *c)
{
    memset(c, 0, sizeof *c);
}

void constat_keychain_init_log(constat_keychain *c)
{
    memset(c, 0, sizeof *c);
    c->log = 1;
}

void constat_keychain_finish(constat_keychain *c, const constat_note_verifier *cur,
                             constat_failure_fn fail, void *ctx, size_t *bad)
{
    if (c->n == 0) {
        era_set(&c->k[c->n++], cur, 0, -1, NULL);
    } else if (sodium_memcmp(c->k[c->n - 1].ver.pk, cur->pk, 32) != 0) {
        char kid[CONSTAT_KEY_NAME_MAX + 16], msg[CONSTAT_KEY_NAME_MAX * 2 + 200];
        constat_record_key_id(cur, kid, sizeof kid);
        (*bad)++;
        snprintf(msg, sizeof msg, "the vault's %s key %s is not the one its key "
                 "transitions lead to (%s)", chain_what(c), kid, c->k[c->n - 1].key_id);
        if (fail)
            fail(ctx, -1, msg);
    }
}

constat_status constat_transition_sign_new(json_t *rec, const constat_note_signer *ns,
                                           int spoil, constat_error *err)
{
    constat_buf msg;
    uint8_t sig[64];
    char sig64[100];
    constat_status st;

    constat_buf_init(&msg);
    st = constat_transition_message(rec, &msg, err);
    if (st == CONSTAT_OK) {
        crypto_sign_detached(sig, NULL, msg.data, msg.len, ns->sk);
        if (spoil)
            sig[0] ^= 1;
        constat_base64(sig, sizeof sig, sig64);
        sodium_memzero(sig, sizeof sig);
        if (json_object_set_new(rec, "new_signature", json_string(sig64)) != 0)
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    constat_buf_free(&msg);
    return st;
}
