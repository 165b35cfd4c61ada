/*
 * accounts.h — people who use a vault through `constat serve`: accounts with
 * roles, passwords hashed with Argon2id, the audit table of their actions,
 * one-time enrolment codes by which a monitor's device enrols its own key,
 * and the organisation's sealing key for private values sent to the server
 * (docs/api.md, docs/threat-model.md "Server").
 */
#ifndef CONSTAT_ACCOUNTS_H
#define CONSTAT_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/vault.h"

/* Roles (docs/api.md "Roles"). A witness is another organisation's
 * cosigning key and has no account. */
#define CONSTAT_ROLE_COORDINATOR "coordinator"
#define CONSTAT_ROLE_MONITOR "monitor"
#define CONSTAT_ROLE_AUDITOR "auditor"
/* Shortest and longest password, in bytes. */
#define CONSTAT_PASSWORD_MIN 10
#define CONSTAT_PASSWORD_MAX 1024
/* An enrolment code: 24 characters of the RFC 4648 base32 alphabet
 * (A-Z, 2-7), 120 random bits. */
#define CONSTAT_ENROL_CODE_LEN 24
/* Default life of an enrolment code, in seconds (72 hours). */
#define CONSTAT_ENROL_CODE_TTL (72 * 3600)

/* 1 if `role` is "coordinator", "monitor" or "auditor". */
int constat_role_valid(const char *role);

/* Add account `name` (the monitor-name rules: 1-CONSTAT_MONITOR_NAME_MAX of [A-Za-z0-9._-], not
 * starting with '.' or '-') with `role` and `password`
 * (CONSTAT_PASSWORD_MIN..MAX bytes), hashed with crypto_pwhash_str
 * (Argon2id, moderate limits; the minimum ones under CONSTAT_KDF=fast, tests
 * only), at `now` (seconds since the epoch). Errors: CONSTAT_EINVAL (name,
 * role or password length, naming which), CONSTAT_ECONFLICT (exists),
 * CONSTAT_ENOMEM (Argon2id could not get its memory), CONSTAT_EIO. */
constat_status constat_account_add(constat_vault *v, const char *name, const char *role,
                                   const char *password, int64_t now, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Check `password` for account `name`: on success role[16] gets its role.
 * Errors: CONSTAT_EVERIFY for an unknown account, a wrong password or a
 * disabled account (the message says which, for the audit; a server must
 * not tell the client which), CONSTAT_EIO. */
constat_status constat_account_login(constat_vault *v, const char *name, const char *password,
                                     char role[16], constat_error *err) CONSTAT_WARN_UNUSED;

/* The two halves of constat_account_login, so that a server can read the
 * account under its vault lock and run Argon2id outside it: fetch appends
 * the stored password hash to `pwhash` and fills role[16] and *disabled
 * (Errors: CONSTAT_ENOTFOUND, CONSTAT_EIO); password_check returns 1 when
 * `password` matches `pwhash` (a crypto_pwhash_str string), else 0 (also
 * for an over-long password). */
constat_status constat_account_fetch(constat_vault *v, const char *name, constat_buf *pwhash,
                                     char role[16], int *disabled, constat_error *err)
    CONSTAT_WARN_UNUSED;
int constat_password_check(const char *pwhash, const char *password);
/* Spend the time of one password check (for unknown names, so timing does
 * not tell which names exist). */
void constat_password_dummy(void);

/* Role of account `name` into role[16] and *disabled (may be NULL).
 * Errors: CONSTAT_ENOTFOUND, CONSTAT_EIO. */
constat_status constat_account_role(constat_vault *v, const char *name, char role[16],
                                    int *disabled, constat_error *err) CONSTAT_WARN_UNUSED;

/* Disable (disabled 1) or re-enable (0) an account; set a new password.
 * Errors: CONSTAT_ENOTFOUND, CONSTAT_EINVAL (password length), CONSTAT_EIO. */
constat_status constat_account_set_disabled(constat_vault *v, const char *name, int disabled,
                                            constat_error *err) CONSTAT_WARN_UNUSED;
constat_status constat_account_passwd(constat_vault *v, const char *name, const char *password,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* Accounts by name: fn(ctx, name, role, disabled, created_at); stops when fn
 * returns non-zero. Errors: CONSTAT_EIO. */
typedef int (*constat_account_fn)(void *ctx, const char *name, const char *role, int disabled,
                                  int64_t created_at);
constat_status constat_account_list(constat_vault *v, constat_account_fn fn, void *ctx,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* Append an audit row: time `at`, the acting account ("" when none, e.g. a
 * failed login of an unknown name is written with the name tried),
 * `address` (client IP, "" for the CLI), `action` (a short word: login,
 * login_failed, record, enrol, disable, ...) and `detail` (may be NULL).
 * Errors: CONSTAT_EIO. */
constat_status constat_audit_add(constat_vault *v, int64_t at, const char *account,
                                 const char *address, const char *action, const char *detail,
                                 constat_error *err) CONSTAT_WARN_UNUSED;
/* Several audit rows in one transaction (one durable commit for a batch
 * of submissions). Errors: CONSTAT_EIO (then none is written). */
typedef struct {
    int64_t at;
    const char *account, *address, *action, *detail;
} constat_audit_entry;
constat_status constat_audit_add_many(constat_vault *v, const constat_audit_entry *e, size_t n,
                                      constat_error *err) CONSTAT_WARN_UNUSED;
/* The audit table, oldest first: fn(ctx, id, at, account, address, action,
 * detail). Errors: CONSTAT_EIO. */
typedef int (*constat_audit_fn)(void *ctx, int64_t id, int64_t at, const char *account,
                                const char *address, const char *action, const char *detail);
constat_status constat_audit_list(constat_vault *v, constat_audit_fn fn, void *ctx,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* Issue a one-time enrolment code for monitor `name` (not yet enrolled,
 * no account of that name), valid `ttl` seconds from `now`, into
 * code[CONSTAT_ENROL_CODE_LEN + 1]. Only the code's SHA-256 is stored.
 * Errors: CONSTAT_EINVAL (bad name, ttl <= 0), CONSTAT_ECONFLICT (the monitor
 * or account exists), CONSTAT_EIO. */
constat_status constat_enrol_code_issue(constat_vault *v, const char *name, int64_t now,
                                        int64_t ttl, char code[CONSTAT_ENROL_CODE_LEN + 1],
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Redeem an enrolment code: in one transaction, use up `code` (case and
 * blanks ignored), check that it was issued for the monitor `vkey` names,
 * create that monitor's account (role monitor, `password`) and append its
 * enrolment with the device-held key (constat_vault_monitor_enrol_vkey).
 * name[CONSTAT_KEY_NAME_MAX + 1] gets the monitor name and *index the
 * enrolment leaf. On any error nothing changes (the code stays usable).
 * Errors: CONSTAT_ENOTFOUND (unknown code), CONSTAT_ECONFLICT (code used, or
 * issued for another name), CONSTAT_EVERIFY (expired), CONSTAT_EINVAL (vkey,
 * password), those of the enrolment, CONSTAT_EIO. */
constat_status constat_enrol_code_redeem(constat_vault *v, const char *code, const char *vkey,
                                         const char *password, int64_t now,
                                         char name[CONSTAT_KEY_NAME_MAX + 1], uint64_t *index,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 if the enrolment record of monitor `name` says its key is held by the
 * monitor's device ("key_custody": "device"), 0 if by the organisation (the
 * vault), -1 if the monitor is unknown or its record unreadable. */
int constat_monitor_key_on_device(constat_vault *v, const char *name);

/* The organisation's X25519 sealing key. Until the vault has a key of its
 * own for sealing, it is derived from the organisation's Ed25519 key
 * (crypto_sign_ed25519_pk_to_curve25519 / _sk_to_curve25519), so that a
 * client that pins the organisation key (its vkey) can seal to it without
 * any other key exchange (docs/api.md "Sealed private values"). */

/* pk[32] from an organisation verifier key. Errors: CONSTAT_EINVAL (not an
 * Ed25519 key, or a key with no X25519 form). */
constat_status constat_seal_public_key(const constat_note_verifier *org, uint8_t pk[32],
                                       constat_error *err) CONSTAT_WARN_UNUSED;
/* Seal `len` bytes to `org` (libsodium crypto_box_seal) and append the
 * standard base64 of the box to `out` (NUL-terminated).
 * Errors: CONSTAT_EINVAL (key), CONSTAT_ENOMEM. */
constat_status constat_seal_b64(const constat_note_verifier *org, const uint8_t *msg, size_t len,
                                constat_buf *out, constat_error *err) CONSTAT_WARN_UNUSED;
/* Open the base64 sealed box `b64` (at most `max` bytes of plaintext) with
 * the vault's organisation key, appending the plaintext to `out`.
 * Errors: CONSTAT_EINVAL (not base64, too long, or does not open: "sealed:
 * not sealed to this organisation's key"), CONSTAT_ECRYPTO (vault opened
 * without keys), CONSTAT_ENOMEM. */
constat_status constat_vault_unseal_b64(constat_vault *v, const char *b64, size_t max,
                                        constat_buf *out, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
