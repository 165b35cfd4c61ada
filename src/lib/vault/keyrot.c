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

struct chain_scan {
    constat_keychain *c;
    constat_failure_fn fail;
    void *fctx;
    size_t bad;
    constat_status st;
    constat_error *err;
};

static int chain_leaf(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct chain_scan *s = ctx;
    s->st = constat_keychain_feed(s->c, index, leaf, len, s->fail, s->fctx, &s->bad, s->err);
    return s->st != CONSTAT_OK;
}

/* The chain of organisation keys (log 0) or of log keys (log 1) of v:
 * every leaf fed, then finished with the key the vault holds. */
static constat_status vault_chain(constat_vault *v, int log, constat_keychain *out,
                                  constat_failure_fn fail, void *ctx, size_t *bad,
                                  constat_error *err)
{
    struct chain_scan s = {out, fail, ctx, 0, CONSTAT_OK, err};
    constat_status st;

    if (log)
        constat_keychain_init_log(out);
    else
        constat_keychain_init(out);
    st = constat_vault_leaves(v, 0, constat_vault_size(v), chain_leaf, &s, err);
    if (st == CONSTAT_OK)
        st = s.st;
    if (st != CONSTAT_OK)
        return st;
    constat_keychain_finish(out, log ? &constat_vault_log_key(v)->pub
                                     : &constat_vault_org_key(v)->pub,
                            fail, ctx, &s.bad);
    if (bad)
        *bad += s.bad;
    return CONSTAT_OK;
}

constat_status constat_vault_org_chain(constat_vault *v, constat_keychain *out,
                                       constat_failure_fn fail, void *ctx, size_t *bad,
                                       constat_error *err)
{
    return vault_chain(v, 0, out, fail, ctx, bad, err);
}

constat_status constat_vault_log_chain(constat_vault *v, constat_keychain *out,
                                       constat_failure_fn fail, void *ctx, size_t *bad,
                                       constat_error *err)
{
    return vault_chain(v, 1, out, fail, ctx, bad, err);
}

struct org_switch {
    const char *vkey, *file;     /* the new key */
    const char *old_seal, *old_file; /* the sealing key it replaces (org_keys.h) */
};

/* Inside the rotation's transaction: the organisation key moves. */
static constat_status switch_hook(void *ctx, constat_store *st, constat_error *err)
{
    const struct org_switch *m = ctx;
    constat_status r;
    /* data keys are sealed to the new key from now on; the old sealing key
     * opens what the re-seal has not reached yet */
    r = constat_store_meta_set(st, "seal_vkey", m->vkey, err);
    if (r == CONSTAT_OK)
        r = constat_store_meta_set(st, "reseal_vkey", m->old_seal, err);
    if (r == CONSTAT_OK)
        r = constat_store_meta_set(st, "reseal_key_file", m->old_file, err);
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
    char ok[CONSTAT_KEY_NAME_MAX + 16], nk[CONSTAT_KEY_NAME_MAX + 16], hex[65], nowt[32];
    uint8_t h[32];
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
    if (constat_transition_sign_new(rec, ns, rot_step("newsig") != 0, err) != CONSTAT_OK) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

/* The sealing key a rotation retires: seal[] its verifier key (empty: the
 * signing key being retired), file[] its key file, NUL-terminated. Refused
 * while the re-seal after the previous rotation is not finished. */
static constat_status old_sealing(constat_vault *v, constat_buf *seal, constat_buf *file,
                                  constat_error *err)
{
    constat_store *s = constat_vault_store(v);
    constat_buf b, org;
    char cur[512];
    constat_status st;

    constat_buf_init(&b);
    st = constat_store_meta_get(s, "reseal_vkey", &b, err);
    if (st == CONSTAT_OK && b.len)
        st = constat_error_set(err, CONSTAT_ECONFLICT, "the re-seal after the previous "
                               "rotation of the organisation key is not finished: run "
                               "'constat vault seal' first; nothing changed");
    else if (st == CONSTAT_ENOTFOUND || st == CONSTAT_OK)
        constat_error_clear(err), st = CONSTAT_OK;
    constat_buf_free(&b);
    if (st != CONSTAT_OK)
        return st;
    st = constat_store_meta_get(s, "seal_vkey", seal, err);
    if (st == CONSTAT_ENOTFOUND)
        constat_error_clear(err), st = CONSTAT_OK;
    if (st != CONSTAT_OK)
        return st;
    if (constat_note_verifier_format(&constat_vault_org_key(v)->pub, cur, sizeof cur) !=
        CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "organisation key name too long");
    if (seal->len && (seal->len != strlen(cur) || memcmp(seal->data, cur, seal->len) != 0))
        /* rotated before re-sealing existed: sealed to the first key */
        return constat_buf_puts(file, "keys/org.key") == CONSTAT_OK &&
                       constat_buf_append(seal, "", 1) == CONSTAT_OK
                   ? CONSTAT_OK
                   : constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    seal->len = 0; /* sealed to the signing key itself */
    constat_buf_init(&org);
    st = constat_store_meta_get(s, "org_key_file", &org, err);
    if (st == CONSTAT_ENOTFOUND)
        constat_error_clear(err), st = constat_buf_puts(&org, "keys/org.key");
    if (st == CONSTAT_OK && (constat_buf_append(&org, "", 1) != CONSTAT_OK ||
                             constat_buf_puts(file, (const char *)org.data) != CONSTAT_OK ||
                             constat_buf_append(file, "", 1) != CONSTAT_OK))
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    constat_buf_free(&org);
    return st;
}

constat_status constat_vault_org_rotate(constat_vault *v, const char *reason, int64_t now,
                                        uint64_t *index, char *new_kid, size_t cap,
                                        constat_error *err)
{
    char rel[256], path[4096], id[64], nvk[512], ovk[512];
    constat_note_signer *ns = NULL;
    constat_keychain *kc = NULL;
    struct org_switch m = {nvk, rel, NULL, NULL};
    constat_buf seal, file;
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
    constat_buf_init(&file);
    if (st == CONSTAT_OK)
        st = old_sealing(v, &seal, &file, err);
    if (st == CONSTAT_OK) {
        /* absent seal_vkey: the key sealed to is the one being retired */
        m.old_seal = seal.len ? (const char *)seal.data : ovk;
        m.old_file = (const char *)file.data;
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
    if (new_kid)
        constat_record_key_id(&ns->pub, new_kid, cap);
    st = constat_vault_org_key_switch(v, ns, err);
    if (st != CONSTAT_OK)
        constat_error_prefix(err, "the rotation is logged (leaf %llu) but the keys did not "
                             "reload: open the vault again: ", index ? (unsigned long long)*index : 0ULL);
out:
    json_decref(rec);
    constat_buf_free(&file);
    constat_buf_free(&seal);
    constat_note_signer_wipe(ns);
    sodium_free(ns);
    sodium_free(kc);
    return st;
}
