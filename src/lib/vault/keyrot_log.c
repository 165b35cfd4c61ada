/* keyrot_log.c — rotation of the log (checkpoint-signing) key by a
 * key_transition record signed by the old and the new log key, and the chain
 * of log keys verification follows (keyrot.h, docs/vault.md "Log key
 * rotation"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/base/file.h"
#include "constat/base/hash.h"
#include "constat/record/canon.h"
#include "constat/vault/keyrot.h"
#include "vault/append_hook.h"
#include "vault/keyfile.h"
#include "vault/log_keys.h"
#include "vault/org_append.h"
#include "vault/store.h"

int (*constat_log_rotate_test_hook)(const char *step);

static int rot_step(const char *step)
{
    return constat_log_rotate_test_hook ? constat_log_rotate_test_hook(step) : 0;
}


constat_status constat_vault_log_keys_shred(constat_vault *v, constat_error *err)
{
    char keys[4096], path[4400];
    constat_buf cur;
    DIR *dir;
    struct dirent *e;
    constat_status st;
    int gone = 0;

    if (!constat_vault_has_keys(v))
        return CONSTAT_OK; /* opened without its keys: nothing to compare with */
    constat_buf_init(&cur);
    st = constat_store_meta_get(constat_vault_store(v), "log_key_file", &cur, err);
    if (st == CONSTAT_ENOTFOUND) { /* never rotated: keys/log.key is the key */
        constat_error_clear(err);
        st = constat_buf_puts(&cur, "keys/log.key");
    }
    if (st == CONSTAT_OK)
        st = constat_buf_append(&cur, "", 1);
    if (st != CONSTAT_OK) {
        constat_buf_free(&cur);
        return st;
    }
    snprintf(keys, sizeof keys, "%s/keys", constat_vault_dir(v));
    if (!(dir = opendir(keys))) {
        constat_buf_free(&cur);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", keys, strerror(errno));
    }
    while ((e = readdir(dir)) != NULL) {
        const char *f = e->d_name;
        size_t l = strlen(f);
        /* "log.key" and "log-<hex8>.key" only */
        if (strcmp(f, "log.key") != 0 &&
            !(l == 16 && strncmp(f, "log-", 4) == 0 && strcmp(f + 12, ".key") == 0))
            continue;
        snprintf(path, sizeof path, "keys/%s", f);
        if (strcmp(path, (const char *)cur.data) == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", keys, f);
        constat_wipe_unlink(path);
        gone++;
    }
    closedir(dir);
    constat_buf_free(&cur);
    if (gone && constat_fsync_dir(keys) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", keys, strerror(errno));
    return CONSTAT_OK;
}

struct log_switch {
    constat_vault *v;
    const char *vkey, *file; /* the new key */
    const constat_note_signer *ns;
};

/* Inside the rotation's transaction: the log key moves, and the checkpoint
 * of the tree that now holds the transition is signed by the new key. */
static constat_status switch_hook(void *ctx, constat_store *st, constat_error *err)
{
    const struct log_switch *m = ctx;
    constat_buf body, note;
    uint64_t size = 0;
    uint8_t root[32];
    constat_status r;

    constat_buf_init(&body);
    constat_buf_init(&note);
    r = constat_store_meta_set(st, "log_vkey", m->vkey, err);
    if (r == CONSTAT_OK)
        r = constat_store_meta_set(st, "log_key_file", m->file, err);
    constat_vault_txn_head(m->v, &size, root);
    if (r == CONSTAT_OK)
        r = constat_checkpoint_format(constat_vault_origin(m->v), size, root, &body, err);
    if (r == CONSTAT_OK)
        r = constat_note_sign((const char *)body.data, body.len, m->ns, 1, &note, err);
    if (r == CONSTAT_OK)
        r = constat_store_checkpoint_put(st, size, (const char *)note.data, (int64_t)time(NULL),
                                         err);
    constat_buf_free(&body);
    constat_buf_free(&note);
    if (r == CONSTAT_OK && rot_step("txn") != 0)
        r = constat_error_set(err, CONSTAT_EIO, "rotation interrupted (test hook)");
    return r;
}

/* The transition record handing the log key over to `ns`, signed by it. */
static json_t *transition_record(constat_vault *v, const constat_note_signer *ns,
                                 const char *reason, int64_t now, char *id, size_t idcap,
                                 char *nvk, size_t nvkcap, constat_error *err)
{
    const constat_note_signer *old = constat_vault_log_key(v);
    char ok[CONSTAT_KEY_NAME_MAX + 16], nk[CONSTAT_KEY_NAME_MAX + 16], ovk[512], hex[65],
        nowt[32];
    uint8_t h[32];
    json_t *rec;

    constat_record_key_id(&old->pub, ok, sizeof ok);
    constat_record_key_id(&ns->pub, nk, sizeof nk);
    if (constat_note_verifier_format(&old->pub, ovk, sizeof ovk) != CONSTAT_OK ||
        constat_note_verifier_format(&ns->pub, nvk, nvkcap) != CONSTAT_OK) {
        constat_error_set(err, CONSTAT_EINVAL, "log origin too long for a key name");
        return NULL;
    }
    constat_sha256(nk, strlen(nk), h);
    constat_hex(h, 32, hex);
    snprintf(id, idcap, "transition-%.16s", hex);
    constat_rfc3339_format(now, 0, nowt);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "key_transition", "id", id, "org", constat_vault_org(v), "monitor",
                    constat_vault_origin(v), "key", "log", "retires", ok, "old_vkey", ovk,
                    "vkey", nvk, "reason", reason, "recorded_at", nowt);
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

constat_status constat_vault_log_rotate(constat_vault *v, const char *reason, int64_t now,
                                        uint64_t *index, char *new_kid, size_t cap,
                                        constat_error *err)
{
    char rel[256], path[4096], id[64], nvk[512];
    constat_note_signer *ns = NULL;
    constat_keychain *kc = NULL;
    struct log_switch m = {v, nvk, rel, NULL};
    json_t *rec = NULL;
    size_t bad = 0;
    uint64_t at = 0;
    constat_status st;

    if (!constat_vault_has_keys(v))
        return constat_error_set(err, CONSTAT_ECRYPTO, "rotating the log key needs it: open "
                                 "the vault with its passphrase");
    if (!reason || !reason[0] || strlen(reason) > CONSTAT_AMEND_REASON_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "reason: must be 1-%d bytes",
                                 CONSTAT_AMEND_REASON_MAX);
    if (!(kc = sodium_malloc(sizeof *kc)) || !(ns = sodium_malloc(sizeof *ns))) {
        sodium_free(kc);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    st = constat_vault_log_chain(v, kc, NULL, NULL, &bad, err);
    if (st == CONSTAT_OK && bad)
        st = constat_error_set(err, CONSTAT_EVERIFY, "the chain of log keys of this log does "
                               "not verify ('constat verify VAULT' names the transition): "
                               "nothing changed");
    if (st == CONSTAT_OK && kc->n >= CONSTAT_KEYCHAIN_MAX)
        st = constat_error_set(err, CONSTAT_ELIMIT, "this log already holds %d log keys",
                               CONSTAT_KEYCHAIN_MAX);
    if (st == CONSTAT_OK) /* what interrupted rotations left */
        st = constat_vault_log_keys_shred(v, err);
    if (st == CONSTAT_OK)
        st = constat_vault_log_key_new(v, ns, rel, sizeof rel, path, sizeof path, err);
    if (st != CONSTAT_OK)
        goto out;
    m.ns = ns;
    (void)rot_step("file");
    rec = transition_record(v, ns, reason, now, id, sizeof id, nvk, sizeof nvk, err);
    st = rec ? constat_signed_append(v, rec, id, "key_transition",
                                     rot_step("oldsig") ? ns : constat_vault_log_key(v),
                                     switch_hook, &m, &at, err)
             : err->code;
    if (st != CONSTAT_OK) {
        unlink(path); /* the database never named it */
        goto out;
    }
    if (index)
        *index = at;
    if (new_kid)
        constat_record_key_id(&ns->pub, new_kid, cap);
    constat_vault_log_key_switch(v, ns);
    (void)rot_step("shred");
    st = constat_vault_log_keys_shred(v, err);
    if (st != CONSTAT_OK)
        constat_error_prefix(err, "the rotation is logged (leaf %llu) and the new key is in "
                             "force, but the retired key file was not destroyed (the next "
                             "'constat vault seal' destroys it): ", (unsigned long long)at);
out:
    json_decref(rec);
    constat_note_signer_wipe(ns);
    sodium_free(ns);
    sodium_free(kc);
    return st;
}
