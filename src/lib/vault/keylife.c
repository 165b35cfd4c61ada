/* keylife.c — revocation and rotation of monitor keys, as signed records
 * in the log (docs/vault.md "Revocation", "Rotation"), and the verification
 * rules they set. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "constat/base/hash.h"
#include "constat/vault/keylife.h"
#include "vault/append_hook.h"
#include "vault/monitor_keys.h"
#include "vault/org_append.h"
#include "constat/vault/keyrot.h"

/* The record's id, or "?" for a damaged leaf. */
static const char *rid(const json_t *r)
{
    const char *s = json_string_value(json_object_get(r, "id"));
    return s ? s : "?";
}

/* All leaves, parsed, with the org-signed revocations picked out. */
struct rscan {
    constat_vault *v;
    json_t *revs;   /* key id -> revocation summary */
    json_t *rots;   /* retired key id -> rotation summary */
    json_t *leaves; /* array of {"index","key_id","record"} */
    size_t bad;     /* revocations not signed by the organisation key */
    constat_keychain orgs; /* the organisation keys in force (keyrot.h) */
    constat_failure_fn fail;
    void *fctx;
    constat_status st;
    constat_error *err;
};

static int rscan_leaf(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct rscan *s = ctx;
    constat_leaf l;
    constat_error e;
    const char *kind;

    constat_error_clear(&e);
    if (constat_leaf_parse(leaf, len, &l, &e) != CONSTAT_OK)
        return 0; /* constat_vault_verify reports leaves that do not parse */
    kind = json_string_value(json_object_get(l.record, "kind"));
    if (kind && strcmp(kind, "revocation") == 0) {
        const char *kid = json_string_value(json_object_get(l.record, "key_id"));
        const char *from = json_string_value(json_object_get(l.record, "from"));
        int64_t fe;
        int off;
        if (constat_leaf_verify(&l, &constat_keychain_at(&s->orgs, index)->ver, &e) !=
                CONSTAT_OK ||
            !kid || !from || constat_rfc3339_parse(from, &fe, &off) != CONSTAT_OK) {
            char msg[CONSTAT_ERROR_MSG_MAX + 200];
            s->bad++;
            snprintf(msg, sizeof msg, "leaf %llu (record %.128s): revocation not signed by "
                     "the organisation key, or malformed: %s", (unsigned long long)index,
                     rid(l.record), e.msg);
            if (s->fail)
                s->fail(s->fctx, (int64_t)index, msg);
        } else if (!json_object_get(s->revs, kid)) {
            json_object_set_new(s->revs, kid, json_pack(
                "{s:I, s:O, s:s, s:I, s:O}", "leaf", (json_int_t)index, "monitor",
                json_object_get(l.record, "monitor"), "from", from, "from_epoch",
                (json_int_t)fe, "reason", json_object_get(l.record, "reason")));
        }
    } else if (kind && strcmp(kind, "monitor_rotation") == 0) {
        /* checked by constat_vault_verify (vault.c); only a valid one counts */
        const char *old = json_string_value(json_object_get(l.record, "retires"));
        const char *at = json_string_value(json_object_get(l.record, "recorded_at"));
        const char *vk = json_string_value(json_object_get(l.record, "vkey"));
        constat_note_verifier nv;
        char nk[CONSTAT_KEY_NAME_MAX + 16];
        int64_t te;
        int off;
        if (constat_leaf_verify(&l, &constat_keychain_at(&s->orgs, index)->ver, &e) ==
                CONSTAT_OK &&
            old && at && vk && constat_rfc3339_parse(at, &te, &off) == CONSTAT_OK &&
            constat_note_verifier_parse(vk, &nv, &e) == CONSTAT_OK &&
            !json_object_get(s->rots, old)) {
            constat_record_key_id(&nv, nk, sizeof nk);
            json_object_set_new(s->rots, old, json_pack(
                "{s:I, s:O, s:s, s:I, s:s, s:s}", "leaf", (json_int_t)index, "monitor",
                json_object_get(l.record, "monitor"), "at", at, "at_epoch", (json_int_t)te,
                "new_key_id", nk, "vkey", vk));
        }
    } else if (kind && strcmp(kind, "key_transition") == 0) {
        /* constat_vault_org_chain checks it */
    } else if (s->leaves) {
        json_array_append_new(s->leaves, json_pack("{s:I, s:s, s:O}", "index",
                                                   (json_int_t)index, "key_id", l.key_id,
                                                   "record", l.record));
    }
    constat_leaf_free(&l);
    return 0;
}

static constat_status rscan_run(struct rscan *s, int keep_leaves)
{
    constat_status st;
    s->revs = json_object();
    s->rots = json_object();
    s->leaves = keep_leaves ? json_array() : NULL;
    if (!s->revs || !s->rots || (keep_leaves && !s->leaves))
        return constat_error_set(s->err, CONSTAT_ENOMEM, "out of memory");
    /* transitions that fail are reported once, by the verify pass */
    st = constat_vault_org_chain(s->v, &s->orgs, keep_leaves ? s->fail : NULL, s->fctx,
                                 &s->bad, s->err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_vault_leaves(s->v, 0, constat_vault_size(s->v), rscan_leaf, s, s->err);
    return st;
}

/* The revocations (which 0) or rotations (which 1) of the log. */
static constat_status scan_one(constat_vault *v, int which, json_t **out, constat_error *err)
{
    struct rscan s;
    constat_status st;

    memset(&s, 0, sizeof s);
    s.v = v;
    s.err = err;
    *out = NULL;
    st = rscan_run(&s, 0);
    json_decref(which ? s.revs : s.rots);
    if (st != CONSTAT_OK) {
        json_decref(which ? s.rots : s.revs);
        return st;
    }
    *out = which ? s.rots : s.revs;
    return CONSTAT_OK;
}

constat_status constat_vault_revocations(constat_vault *v, json_t **out, constat_error *err)
{
    return scan_one(v, 0, out, err);
}

constat_status constat_vault_rotations(constat_vault *v, json_t **out, constat_error *err)
{
    return scan_one(v, 1, out, err);
}

/* A leaf signed by a key a rotation retired, recorded at or after the
 * rotation: reported, 1; else 0. */
static int retired_use(const json_t *rot, const json_t *e, constat_failure_fn fail, void *ctx)
{
    const json_t *r = json_object_get(e, "record");
    const char *ra = json_string_value(json_object_get(r, "recorded_at"));
    json_int_t idx = json_integer_value(json_object_get(e, "index"));
    char msg[CONSTAT_ERROR_MSG_MAX + 400];
    int64_t t = 0;
    int off;

    if (ra && constat_rfc3339_parse(ra, &t, &off) == CONSTAT_OK &&
        t < json_integer_value(json_object_get(rot, "at_epoch")))
        return 0;
    snprintf(msg, sizeof msg, "leaf %lld (record %.128s): signed by %s, a key RETIRED by the "
             "rotation at leaf %lld (%s, new key %s): its recorded_at is at or after the "
             "rotation", (long long)idx, rid(r),
             json_string_value(json_object_get(e, "key_id")),
             (long long)json_integer_value(json_object_get(rot, "leaf")),
             json_string_value(json_object_get(rot, "at")),
             json_string_value(json_object_get(rot, "new_key_id")));
    if (fail)
        fail(ctx, (int64_t)idx, msg);
    return 1;
}

int constat_revocation_rejects(const json_t *rev, uint64_t index, const char *key_id,
                               const json_t *record, char *msg, size_t cap)
{
    const char *ra = json_string_value(json_object_get(record, "recorded_at"));
    json_int_t rleaf = json_integer_value(json_object_get(rev, "leaf"));
    json_int_t from = json_integer_value(json_object_get(rev, "from_epoch"));
    int64_t t = 0;
    int off, after_time, after_leaf;

    after_time = !ra || constat_rfc3339_parse(ra, &t, &off) != CONSTAT_OK || t >= from;
    after_leaf = rleaf >= 0 && index > (uint64_t)rleaf;
    if (!after_time && !after_leaf)
        return 0;
    snprintf(msg, cap, "leaf %llu (record %.128s): signed by %s, whose key was "
             "REVOKED by leaf %lld from %s (reason: %.200s): %s", (unsigned long long)index,
             rid(record), key_id ? key_id : "?", (long long)rleaf,
             json_string_value(json_object_get(rev, "from")),
             json_is_string(json_object_get(rev, "reason"))
                 ? json_string_value(json_object_get(rev, "reason"))
                 : "",
             after_time ? "its recorded_at is at or after that time"
                        : "it was logged after the revocation (its recorded_at, before "
                          "that time, cannot be trusted from a revoked key)");
    return 1;
}

constat_status constat_vault_verify_revocations(constat_vault *v, constat_failure_fn fail,
                                                void *ctx, size_t *failures,
                                                constat_error *err)
{
    struct rscan s;
    constat_status st;
    size_t i, n = 0;
    json_t *e;

    memset(&s, 0, sizeof s);
    s.v = v;
    s.err = err;
    s.fail = fail;
    s.fctx = ctx;
    if (failures)
        *failures = 0;
    if ((st = rscan_run(&s, 1)) != CONSTAT_OK)
        goto out;
    if (json_object_size(s.revs) == 0 && json_object_size(s.rots) == 0)
        goto out;
    json_array_foreach(s.leaves, i, e) {
        const json_t *r = json_object_get(e, "record");
        const char *ekid = json_string_value(json_object_get(e, "key_id"));
        const json_t *rev = json_object_get(s.revs, ekid);
        const json_t *rot = json_object_get(s.rots, ekid);
        json_int_t idx = json_integer_value(json_object_get(e, "index"));
        char msg[CONSTAT_ERROR_MSG_MAX + 400];
        if (rot)
            n += (size_t)retired_use(rot, e, fail, ctx);
        if (!rev || !constat_revocation_rejects(rev, (uint64_t)idx, ekid, r, msg, sizeof msg))
            continue;
        n++;
        if (fail)
            fail(ctx, (int64_t)idx, msg);
    }
out:
    if (failures)
        *failures = n + s.bad;
    json_decref(s.revs);
    json_decref(s.rots);
    json_decref(s.leaves);
    return st;
}

/* The key id of enrolled monitor `name`. */
struct find_mon {
    const char *name;
    int found;
    char vkey[CONSTAT_KEY_NAME_MAX + 160]; /* of the newest enrolment of name */
};

static int find_mon_cb(void *ctx, const char *name, const char *vkey, uint64_t idx)
{
    struct find_mon *f = ctx;
    (void)idx;
    if (strcmp(name, f->name) == 0) {
        f->found = 1;
        snprintf(f->vkey, sizeof f->vkey, "%s", vkey ? vkey : "");
    }
    return 0; /* on to the end: a device that enrolled again has a newer key */
}

/* The newest enrolment of monitor `name` into *fm (its verifier key);
 * CONSTAT_ENOTFOUND when it never enrolled. */
static constat_status find_enrolled(constat_vault *v, const char *name, struct find_mon *fm,
                                    constat_error *err)
{
    constat_status st;
    memset(fm, 0, sizeof *fm);
    fm->name = name;
    if ((st = constat_vault_monitor_list(v, find_mon_cb, fm, err)) != CONSTAT_OK)
        return st;
    if (!fm->found)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no monitor \"%s\" is enrolled", name);
    return CONSTAT_OK;
}

/* The key id of monitor `name`'s current key: the vault's key file when
 * the vault holds the key; else, when `device` is set, the verifier key of
 * its enrolment (a key kept on the monitor's device, key_custody device).
 * CONSTAT_ENOTFOUND when neither. */
static constat_status monitor_key_id(constat_vault *v, const char *name, int device, char *out,
                                     size_t cap, constat_error *err)
{
    constat_note_signer s;
    constat_status st = constat_vault_monitor_key(v, name, &s, err);
    if (st == CONSTAT_ENOTFOUND && device) {
        struct find_mon fm;
        constat_note_verifier pub;
        if ((st = find_enrolled(v, name, &fm, err)) != CONSTAT_OK)
            return st;
        if ((st = constat_note_verifier_parse(fm.vkey, &pub, err)) != CONSTAT_OK)
            return constat_error_prefix(err, "monitor \"%s\": enrolled key: ", name);
        constat_record_key_id(&pub, out, cap);
        return CONSTAT_OK;
    }
    if (st != CONSTAT_OK)
        return st == CONSTAT_ENOTFOUND
                   ? constat_error_set(err, CONSTAT_ENOTFOUND, "no monitor \"%s\" is enrolled",
                                       name)
                   : st;
    constat_record_key_id(&s.pub, out, cap);
    constat_note_signer_wipe(&s);
    return CONSTAT_OK;
}

constat_status constat_vault_monitor_revoke(constat_vault *v, const char *name, int64_t from,
                                            const char *reason, int64_t now, uint64_t *index,
                                            constat_error *err)
{
    char kid[CONSTAT_KEY_NAME_MAX + 16], id[64], hex[65], fromt[32], nowt[32];
    uint8_t h[32];
    json_t *revs = NULL, *rec, *prior;
    constat_status st;

    if (!constat_vault_has_keys(v))
        return constat_error_set(err, CONSTAT_ECRYPTO, "revoking a key needs the organisation "
                                 "key: open the vault with its passphrase");
    if (!reason || !reason[0] || strlen(reason) > CONSTAT_AMEND_REASON_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "reason: must be 1-%d bytes",
                                 CONSTAT_AMEND_REASON_MAX);
    if (from > now + CONSTAT_CLOCK_TOLERANCE_S)
        return constat_error_set(err, CONSTAT_EINVAL, "--from is in the future: a revocation "
                                 "states from when a key is known to be lost");
    if ((st = monitor_key_id(v, name, 1, kid, sizeof kid, err)) != CONSTAT_OK)
        return st;
    if ((st = constat_vault_revocations(v, &revs, err)) != CONSTAT_OK)
        return st;
    prior = json_object_get(revs, kid);
    if (prior) {
        st = constat_error_set(err, CONSTAT_ECONFLICT, "the key %s of monitor \"%s\" is "
                               "already revoked by leaf %lld (from %s)", kid, name,
                               (long long)json_integer_value(json_object_get(prior, "leaf")),
                               json_string_value(json_object_get(prior, "from")));
        json_decref(revs);
        return st;
    }
    json_decref(revs);
    constat_sha256(kid, strlen(kid), h);
    constat_hex(h, 32, hex);
    snprintf(id, sizeof id, "revocation-%.16s", hex);
    constat_rfc3339_format(from, 0, fromt);
    constat_rfc3339_format(now, 0, nowt);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "revocation", "id", id, "org", constat_vault_org(v), "monitor", name,
                    "key_id", kid, "from", fromt, "reason", reason, "recorded_at", nowt);
    if (!rec)
        return constat_error_set(err, CONSTAT_EINVAL, "reason: must be UTF-8 text");
    st = constat_org_append(v, rec, id, "revocation", NULL, NULL, index, err);
    json_decref(rec);
    return st;
}

/* Test hook (include/constat/vault/keylife.h). */
int (*constat_rotate_test_hook)(const char *step);

static int rotate_step(const char *step)
{
    return constat_rotate_test_hook ? constat_rotate_test_hook(step) : 0;
}

struct rotate_meta {
    const char *key;
    const char *vkey;
};

/* Inside the rotation's transaction: the monitor's current key moves. */
static constat_status rotate_hook(void *ctx, constat_store *st, constat_error *err)
{
    const struct rotate_meta *m = ctx;
    constat_status r = constat_store_meta_set(st, m->key, m->vkey, err);
    if (r == CONSTAT_OK && rotate_step("txn") != 0)
        r = constat_error_set(err, CONSTAT_EIO, "rotation interrupted (test hook)");
    return r;
}

/* Remove every key file of monitor `name` in keys/monitors/ but the one of
 * key id `keep`: the retired key once a rotation committed, and the unused
 * keys interrupted rotations left (monitor_keys.h: "<name>.key" and
 * "<name>+<hex8>.key"; no other monitor's file has either form). */
static void drop_other_keys(constat_vault *v, const char *name, const char *keep)
{
    char d[4096], path[4400], want[CONSTAT_KEY_NAME_MAX + 24];
    size_t nl = strlen(name);
    struct dirent *e;
    DIR *dir;
    int cur_rotated = strchr(keep, '+') != NULL;

    snprintf(d, sizeof d, "%s/keys/monitors", constat_vault_dir(v));
    snprintf(want, sizeof want, "%s.key", keep);
    if (!(dir = opendir(d)))
        return;
    while ((e = readdir(dir)) != NULL) {
        const char *f = e->d_name;
        size_t fl = strlen(f);
        int mine = strncmp(f, name, nl) == 0 && fl > 4 && strcmp(f + fl - 4, ".key") == 0 &&
                   (f[nl] == '+' || strcmp(f + nl, ".key") == 0);
        if (!mine || strcmp(f, want) == 0)
            continue;
        if (!cur_rotated && strcmp(f + nl, ".key") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", d, f);
        unlink(path);
    }
    closedir(dir);
}

/* The key id whose file holds monitor `name`'s current key, or the name
 * itself while it was never rotated ("<name>.key"). */
static void current_key_file(constat_vault *v, const char *name, const char *kid, char *out,
                             size_t cap)
{
    json_t *rots = NULL;
    constat_error e;
    int rotated = 0;
    if (constat_vault_rotations(v, &rots, &e) == CONSTAT_OK) {
        const char *k;
        json_t *r;
        json_object_foreach(rots, k, r)
            if (strcmp(json_string_value(json_object_get(r, "new_key_id")), kid) == 0)
                rotated = 1;
    }
    json_decref(rots);
    snprintf(out, cap, "%s", rotated ? kid : name);
}

constat_status constat_vault_monitor_rotate(constat_vault *v, const char *name, int64_t now,
                                            uint64_t *index, char *new_kid, size_t cap,
                                            constat_error *err)
{
    char old[CONSTAT_KEY_NAME_MAX + 16], nk[CONSTAT_KEY_NAME_MAX + 16], vkey[512], path[4096],
        meta[CONSTAT_KEY_NAME_MAX + 32], id[64], hex[65], nowt[32];
    constat_note_verifier nv;
    uint8_t h[32];
    json_t *rec;
    struct rotate_meta m;
    constat_status st;

    if (!constat_vault_has_keys(v))
        return constat_error_set(err, CONSTAT_ECRYPTO, "rotating a key needs the organisation "
                                 "key: open the vault with its passphrase");
    {
        struct find_mon fm;
        if ((st = find_enrolled(v, name, &fm, err)) != CONSTAT_OK)
            return st;
    }
    if ((st = monitor_key_id(v, name, 0, old, sizeof old, err)) == CONSTAT_ENOTFOUND)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "monitor \"%s\": the key is held on the monitor's device, not "
                                 "in the vault, so the vault cannot rotate it: the device must "
                                 "enrol again with a new key (constat submit enrol or the web "
                                 "app), and the old key be revoked (constat monitor revoke)",
                                 name);
    if (st != CONSTAT_OK)
        return st;
    if (constat_monitor_key_meta(name, meta, sizeof meta) != 0)
        return constat_error_set(err, CONSTAT_EINVAL, "monitor name too long");
    {
        char keep[CONSTAT_KEY_NAME_MAX + 16];
        current_key_file(v, name, old, keep, sizeof keep);
        drop_other_keys(v, name, keep); /* what interrupted rotations left */
    }
    if ((st = constat_vault_monitor_key_new(v, name, vkey, sizeof vkey, path, sizeof path,
                                            err)) != CONSTAT_OK)
        return st;
    (void)rotate_step("file");
    if ((st = constat_note_verifier_parse(vkey, &nv, err)) != CONSTAT_OK) {
        unlink(path);
        return st;
    }
    constat_record_key_id(&nv, nk, sizeof nk);
    constat_sha256(nk, strlen(nk), h);
    constat_hex(h, 32, hex);
    snprintf(id, sizeof id, "rotation-%.16s", hex);
    constat_rfc3339_format(now, 0, nowt);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "monitor_rotation", "id", id, "org", constat_vault_org(v), "monitor", name,
                    "retires", old, "vkey", vkey, "recorded_at", nowt);
    if (!rec) {
        unlink(path);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    m.key = meta;
    m.vkey = vkey;
    st = constat_org_append(v, rec, id, "monitor_rotation", rotate_hook, &m, index, err);
    json_decref(rec);
    if (st != CONSTAT_OK) {
        unlink(path); /* the database never named it */
        return st;
    }
    drop_other_keys(v, name, nk); /* the retired key signs nothing more */
    if (new_kid)
        snprintf(new_kid, cap, "%s", nk);
    return CONSTAT_OK;
}
