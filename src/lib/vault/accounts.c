/*
 * accounts.c — accounts, the audit table, enrolment codes and the sealing
 * key of `constat serve` (accounts.h). Storage goes through store.h.
 *
 * Why the code is stored hashed: the enrolment code is a bearer secret until
 * used; a copy of vault.db must not let anyone enrol as the monitor.
 * Why the sealing key is derived from the organisation key: the client pins
 * one key (the organisation vkey it trusts) and can seal to it; see
 * accounts.h and docs/api.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/record/record.h"
#include "constat/vault/accounts.h"
#include "vault/keyfile.h"
#include "vault/store.h"

int constat_role_valid(const char *role)
{
    return role && (strcmp(role, CONSTAT_ROLE_COORDINATOR) == 0 ||
                    strcmp(role, CONSTAT_ROLE_MONITOR) == 0 ||
                    strcmp(role, CONSTAT_ROLE_AUDITOR) == 0);
}

static int name_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len > CONSTAT_MONITOR_NAME_MAX || n[0] == '.' || n[0] == '-')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '.' && n[i] != '_' && n[i] != '-')
            return 0;
    return 1;
}

static constat_status bad_name(const char *n, constat_error *err)
{
    return constat_error_set(err, CONSTAT_EINVAL,
                             "name: \"%.140s\" must be 1-%d characters of [A-Za-z0-9._-], "
                             "not starting with '.' or '-'",
                             n ? n : "", CONSTAT_MONITOR_NAME_MAX);
}

static constat_status hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
                                    constat_error *err)
{
    unsigned long long ops;
    size_t mem;
    size_t len = password ? strlen(password) : 0;
    if (len < CONSTAT_PASSWORD_MIN || len > CONSTAT_PASSWORD_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "password: must be %d-%d bytes long",
                                 CONSTAT_PASSWORD_MIN, CONSTAT_PASSWORD_MAX);
    constat_kek_params(&ops, &mem);
    if (crypto_pwhash_str(out, password, len, ops, mem) != 0)
        return constat_error_set(err, CONSTAT_ENOMEM, "password hashing: out of memory");
    return CONSTAT_OK;
}

constat_status constat_account_add(constat_vault *v, const char *name, const char *role,
                                   const char *password, int64_t now, constat_error *err)
{
    char h[crypto_pwhash_STRBYTES];
    constat_status st;
    if (!name_ok(name))
        return bad_name(name, err);
    if (!constat_role_valid(role))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "role: \"%.40s\" is not coordinator, monitor or auditor",
                                 role ? role : "");
    if ((st = hash_password(password, h, err)) != CONSTAT_OK)
        return st;
    return constat_store_account_put(constat_vault_store(v), name, role, h, now, err);
}

constat_status constat_account_role(constat_vault *v, const char *name, char role[16],
                                    int *disabled, constat_error *err)
{
    constat_buf r;
    constat_status st;
    constat_buf_init(&r);
    st = constat_store_account_get(constat_vault_store(v), name, &r, NULL, disabled, err);
    if (st == CONSTAT_OK)
        snprintf(role, 16, "%s", (const char *)r.data);
    constat_buf_free(&r);
    return st;
}

constat_status constat_account_login(constat_vault *v, const char *name, const char *password,
                                     char role[16], constat_error *err)
{
    constat_buf h;
    char r[16];
    int disabled = 0;
    constat_status st;

    constat_buf_init(&h);
    st = constat_account_fetch(v, name, &h, r, &disabled, err);
    if (st == CONSTAT_ENOTFOUND) {
        constat_password_dummy();
        st = constat_error_set(err, CONSTAT_EVERIFY, "unknown account");
    } else if (st == CONSTAT_OK) {
        if (!constat_password_check((const char *)h.data, password))
            st = constat_error_set(err, CONSTAT_EVERIFY, "wrong password");
        else if (disabled)
            st = constat_error_set(err, CONSTAT_EVERIFY, "account is disabled");
        else
            snprintf(role, 16, "%s", r);
    }
    if (h.data)
        sodium_memzero(h.data, h.len);
    constat_buf_free(&h);
    return st;
}

constat_status constat_account_fetch(constat_vault *v, const char *name, constat_buf *pwhash,
                                     char role[16], int *disabled, constat_error *err)
{
    constat_buf r;
    constat_status st;
    if (!name_ok(name))
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no account \"%.140s\"",
                                 name ? name : "");
    constat_buf_init(&r);
    st = constat_store_account_get(constat_vault_store(v), name, &r, pwhash, disabled, err);
    if (st == CONSTAT_OK)
        snprintf(role, 16, "%s", (const char *)r.data);
    constat_buf_free(&r);
    return st;
}

int constat_password_check(const char *pwhash, const char *password)
{
    size_t len = password ? strlen(password) : 0;
    if (!pwhash || !password || len > CONSTAT_PASSWORD_MAX)
        return 0;
    return crypto_pwhash_str_verify(pwhash, password, len) == 0;
}

void constat_password_dummy(void)
{
    char dummy[crypto_pwhash_STRBYTES];
    if (hash_password("not a password of anyone", dummy, NULL) != CONSTAT_OK)
        dummy[0] = 0;
}

constat_status constat_account_set_disabled(constat_vault *v, const char *name, int disabled,
                                            constat_error *err)
{
    if (!name_ok(name))
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no account \"%.140s\"",
                                 name ? name : "");
    return constat_store_account_update(constat_vault_store(v), name, NULL, disabled ? 1 : 0,
                                        err);
}

constat_status constat_account_passwd(constat_vault *v, const char *name, const char *password,
                                      constat_error *err)
{
    char h[crypto_pwhash_STRBYTES];
    constat_status st;
    if (!name_ok(name))
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no account \"%.140s\"",
                                 name ? name : "");
    if ((st = hash_password(password, h, err)) != CONSTAT_OK)
        return st;
    return constat_store_account_update(constat_vault_store(v), name, h, -1, err);
}

constat_status constat_account_list(constat_vault *v, constat_account_fn fn, void *ctx,
                                    constat_error *err)
{
    return constat_store_accounts(constat_vault_store(v), fn, ctx, err);
}

constat_status constat_audit_add(constat_vault *v, int64_t at, const char *account,
                                 const char *address, const char *action, const char *detail,
                                 constat_error *err)
{
    return constat_store_audit_put(constat_vault_store(v), at, account, address, action, detail,
                                   err);
}

constat_status constat_audit_add_many(constat_vault *v, const constat_audit_entry *e, size_t n,
                                      constat_error *err)
{
    constat_store *s = constat_vault_store(v);
    constat_status st = constat_store_begin(s, err);
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++)
        st = constat_store_audit_put(s, e[i].at, e[i].account, e[i].address, e[i].action,
                                     e[i].detail, err);
    if (st == CONSTAT_OK)
        st = constat_store_commit(s, err);
    if (st != CONSTAT_OK)
        constat_store_rollback(s);
    return st;
}

constat_status constat_audit_list(constat_vault *v, constat_audit_fn fn, void *ctx,
                                  constat_error *err)
{
    return constat_store_audits(constat_vault_store(v), fn, ctx, err);
}

/* ---- enrolment codes ---- */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The code as stored: upper case, blanks and '-' dropped, then SHA-256.
 * 0 if it is not CONSTAT_ENROL_CODE_LEN base32 characters. */
static int code_hash(const char *code, uint8_t out[32])
{
    char c[CONSTAT_ENROL_CODE_LEN + 1];
    size_t n = 0;
    for (const char *p = code ? code : ""; *p; p++) {
        int ch = toupper((unsigned char)*p);
        if (ch == ' ' || ch == '-')
            continue;
        if (n == CONSTAT_ENROL_CODE_LEN || !strchr(b32, ch) || ch == 0)
            return 0;
        c[n++] = (char)ch;
    }
    if (n != CONSTAT_ENROL_CODE_LEN)
        return 0;
    c[n] = 0;
    constat_sha256((const uint8_t *)c, n, out);
    return 1;
}

constat_status constat_enrol_code_issue(constat_vault *v, const char *name, int64_t now,
                                        int64_t ttl, char code[CONSTAT_ENROL_CODE_LEN + 1],
                                        constat_error *err)
{
    uint8_t raw[CONSTAT_ENROL_CODE_LEN * 5 / 8], h[32];
    constat_store *s = constat_vault_store(v);
    constat_status st;
    unsigned acc = 0, bits = 0;
    size_t n = 0;

    if (!name_ok(name))
        return bad_name(name, err);
    if (ttl <= 0)
        return constat_error_set(err, CONSTAT_EINVAL, "ttl: must be > 0 seconds");
    if (strcmp(name, constat_vault_org(v)) == 0)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "monitor name \"%s\" is the organisation's own name: choose "
                                 "another", name);
    st = constat_store_monitor_get(s, name, NULL, NULL, err);
    if (st == CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ECONFLICT, "monitor \"%s\" is already enrolled",
                                 name);
    if (st != CONSTAT_ENOTFOUND)
        return st;
    st = constat_store_account_get(s, name, NULL, NULL, NULL, err);
    if (st == CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ECONFLICT, "an account \"%s\" already exists",
                                 name);
    if (st != CONSTAT_ENOTFOUND)
        return st;
    constat_error_clear(err);
    randombytes_buf(raw, sizeof raw);
    for (size_t i = 0; i < sizeof raw; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 5) {
            code[n++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    code[n] = 0;
    sodium_memzero(raw, sizeof raw);
    if (!code_hash(code, h))
        return constat_error_set(err, CONSTAT_EINTERNAL, "enrolment code not well formed");
    return constat_store_enrol_code_put(s, h, name, now + ttl, err);
}

typedef struct {
    constat_vault *v;
    uint8_t hash[32];
    const char *name;
    const char *pwhash;
    int64_t now;
} redeem_ctx;

/* The refusal of a code issued for another name: it names only the name
 * the device asked for, never the monitor the code is for. */
static constat_status other_name(const char *asked, constat_error *err)
{
    return constat_error_set(err, CONSTAT_ECONFLICT,
                             "code: this enrolment code was issued for another monitor "
                             "name, not \"%s\"", asked);
}

/* Check the code before anything else, in a transaction rolled back so the
 * code stays usable: an unknown, used, expired code or one issued for
 * another name is refused as such, not as "already enrolled" (which would
 * confirm that a monitor of that name exists). */
static constat_status code_check(constat_store *s, const uint8_t hash[32], const char *name,
                                 int64_t now, constat_error *err)
{
    constat_buf who;
    constat_status st;
    constat_buf_init(&who);
    st = constat_store_begin(s, err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_store_enrol_code_take(s, hash, now, &who, err);
    constat_store_rollback(s);
    if (st == CONSTAT_OK && strcmp((const char *)who.data, name) != 0)
        st = other_name(name, err);
    constat_buf_free(&who);
    return st;
}

static constat_status redeem_hook(void *ctx, constat_error *err)
{
    redeem_ctx *r = ctx;
    constat_store *s = constat_vault_store(r->v);
    constat_buf who;
    constat_status st;
    constat_buf_init(&who);
    st = constat_store_enrol_code_take(s, r->hash, r->now, &who, err);
    if (st == CONSTAT_OK && strcmp((const char *)who.data, r->name) != 0)
        st = other_name(r->name, err);
    constat_buf_free(&who);
    if (st == CONSTAT_OK)
        st = constat_store_account_put(s, r->name, CONSTAT_ROLE_MONITOR, r->pwhash, r->now,
                                       err);
    return st;
}

constat_status constat_enrol_code_redeem(constat_vault *v, const char *code, const char *vkey,
                                         const char *password, int64_t now,
                                         char name[CONSTAT_KEY_NAME_MAX + 1], uint64_t *index,
                                         constat_error *err)
{
    char h[crypto_pwhash_STRBYTES];
    constat_note_verifier ver;
    redeem_ctx r;
    constat_status st;

    memset(&r, 0, sizeof r);
    if (!code_hash(code, r.hash))
        return constat_error_set(err, CONSTAT_ENOTFOUND, "code: unknown enrolment code");
    if (!vkey || constat_note_verifier_parse(vkey, &ver, NULL) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "vkey: not a signed-note verifier key");
    st = code_check(constat_vault_store(v), r.hash, ver.name, now, err);
    if (st != CONSTAT_OK)
        return st;
    if ((st = hash_password(password, h, err)) != CONSTAT_OK)
        return st;
    r.v = v;
    r.name = ver.name;
    r.pwhash = h;
    r.now = now;
    st = constat_vault_monitor_enrol_vkey(v, ver.name, vkey, now, redeem_hook, &r, index, err);
    if (st == CONSTAT_OK)
        snprintf(name, CONSTAT_KEY_NAME_MAX + 1, "%s", ver.name);
    return st;
}

int constat_monitor_key_on_device(constat_vault *v, const char *name)
{
    return name_ok(name) ? constat_vault_key_on_device(v, name) : -1;
}

/* ---- sealing ---- */

constat_status constat_seal_public_key(const constat_note_verifier *org, uint8_t pk[32],
                                       constat_error *err)
{
    if (!org || org->alg != CONSTAT_NOTE_ALG_ED25519 ||
        crypto_sign_ed25519_pk_to_curve25519(pk, org->pk) != 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "organisation key: not an Ed25519 key with an X25519 form");
    return CONSTAT_OK;
}

constat_status constat_seal_b64(const constat_note_verifier *org, const uint8_t *msg, size_t len,
                                constat_buf *out, constat_error *err)
{
    uint8_t pk[32];
    uint8_t *box;
    size_t n = len + crypto_box_SEALBYTES;
    constat_status st = constat_seal_public_key(org, pk, err);
    if (st != CONSTAT_OK)
        return st;
    box = malloc(n);
    if (!box || constat_buf_reserve(out, constat_base64_len(n)) != CONSTAT_OK) {
        free(box);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    crypto_box_seal(box, msg, len, pk);
    constat_base64(box, n, (char *)out->data + out->len);
    out->len += constat_base64_len(n) - 1;
    free(box);
    return CONSTAT_OK;
}

constat_status constat_vault_unseal_b64(constat_vault *v, const char *b64, size_t max,
                                        constat_buf *out, constat_error *err)
{
    const constat_note_signer *org;
    uint8_t pk[32], sk[32];
    uint8_t *box;
    size_t blen = b64 ? strlen(b64) : 0, n = 0, cap = max + crypto_box_SEALBYTES;
    constat_status st;

    if (!constat_vault_has_keys(v))
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "opening sealed values needs the vault keys");
    if (blen > constat_base64_len(cap))
        return constat_error_set(err, CONSTAT_EINVAL, "sealed: longer than %zu bytes", max);
    box = malloc(cap ? cap : 1);
    if (!box)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (constat_unbase64(b64, blen, box, cap, &n) != CONSTAT_OK || n < crypto_box_SEALBYTES) {
        free(box);
        return constat_error_set(err, CONSTAT_EINVAL, "sealed: not base64 of a sealed box");
    }
    org = constat_vault_org_key(v);
    st = constat_seal_public_key(&org->pub, pk, err);
    if (st == CONSTAT_OK && crypto_sign_ed25519_sk_to_curve25519(sk, org->sk) != 0)
        st = constat_error_set(err, CONSTAT_ECRYPTO, "organisation key has no X25519 form");
    if (st == CONSTAT_OK && constat_buf_reserve(out, n - crypto_box_SEALBYTES + 1) != CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK) {
        const constat_seal_keys *k = constat_vault_seal_keys(v);
        /* after an organisation key rotation a client may still seal to the
         * first key, which data keys stay sealed to (docs/vault.md) */
        if (crypto_box_seal_open(out->data + out->len, box, n, pk, sk) != 0 &&
            (!k->has_sk || crypto_box_seal_open(out->data + out->len, box, n, k->pk[0],
                                                k->sk) != 0)) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "sealed: not sealed to this organisation's key");
        } else {
            out->len += n - crypto_box_SEALBYTES;
            out->data[out->len] = 0;
        }
    }
    sodium_memzero(sk, sizeof sk);
    free(box);
    return st;
}
