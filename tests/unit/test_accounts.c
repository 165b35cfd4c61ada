/* test_accounts.c — accounts, enrolment codes, device-held keys, sealing
 * and receipts (accounts.h, receipt.h): each success checked against values
 * worked out here, each refusal with its status and without a change. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "constat/record/canon.h"
#include "constat/vault/accounts.h"
#include "constat/vault/intake.h"
#include "constat/vault/receipt.h"
#include "testutil.h"

#define ORG "hro-unit"
#define ORIGIN "unit.example/log"

typedef struct {
    char *dir;
    constat_vault *v;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    constat_error err;
    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_init(), CONSTAT_OK);
    f->dir = tu_tmpdir();
    assert_int_equal(constat_vault_create(f->dir, ORG, ORIGIN, "pass phrase", &err), CONSTAT_OK);
    assert_int_equal(constat_vault_open(f->dir, "pass phrase", &f->v, &err), CONSTAT_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    constat_vault_close(f->v);
    tu_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void accounts_login(void **state)
{
    fx *f = *state;
    constat_error err;
    char role[16];
    int disabled = -1;

    assert_int_equal(constat_account_add(f->v, "chef", "coordinator", "long password", 100, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_account_add(f->v, "chef", "auditor", "long password", 100, &err),
                     CONSTAT_ECONFLICT);
    assert_int_equal(constat_account_add(f->v, "x", "witness", "long password", 100, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "role"));
    assert_int_equal(constat_account_add(f->v, "y", "auditor", "short", 100, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "password"));
    assert_int_equal(constat_account_add(f->v, ".bad", "auditor", "long password", 100, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_account_login(f->v, "chef", "long password", role, &err),
                     CONSTAT_OK);
    assert_string_equal(role, "coordinator");
    assert_int_equal(constat_account_login(f->v, "chef", "long passwore", role, &err),
                     CONSTAT_EVERIFY);
    assert_string_equal(err.msg, "wrong password");
    assert_int_equal(constat_account_login(f->v, "nobody", "long password", role, &err),
                     CONSTAT_EVERIFY);
    assert_string_equal(err.msg, "unknown account");
    assert_int_equal(constat_account_set_disabled(f->v, "chef", 1, &err), CONSTAT_OK);
    assert_int_equal(constat_account_login(f->v, "chef", "long password", role, &err),
                     CONSTAT_EVERIFY);
    assert_string_equal(err.msg, "account is disabled");
    assert_int_equal(constat_account_role(f->v, "chef", role, &disabled, &err), CONSTAT_OK);
    assert_int_equal(disabled, 1);
    assert_int_equal(constat_account_set_disabled(f->v, "chef", 0, &err), CONSTAT_OK);
    assert_int_equal(constat_account_passwd(f->v, "chef", "another password", &err), CONSTAT_OK);
    assert_int_equal(constat_account_login(f->v, "chef", "long password", role, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(constat_account_login(f->v, "chef", "another password", role, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_account_passwd(f->v, "ghost", "another password", &err),
                     CONSTAT_ENOTFOUND);
}

static int count_audit(void *ctx, int64_t id, int64_t at, const char *account,
                       const char *address, const char *action, const char *detail)
{
    int *n = ctx;
    (void)id;
    if (*n == 0) {
        assert_int_equal(at, 7);
        assert_string_equal(account, "chef");
        assert_string_equal(address, "127.0.0.1");
        assert_string_equal(action, "login");
        assert_string_equal(detail, "");
    }
    (*n)++;
    return 0;
}

static void audit_rows(void **state)
{
    fx *f = *state;
    constat_error err;
    constat_audit_entry e[2] = {{8, "a", "b", "record", "r1"}, {9, "a", "b", "record", "r2"}};
    int n = 0;
    assert_int_equal(constat_audit_add(f->v, 7, "chef", "127.0.0.1", "login", NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_audit_add_many(f->v, e, 2, &err), CONSTAT_OK);
    assert_int_equal(constat_audit_list(f->v, count_audit, &n, &err), CONSTAT_OK);
    assert_int_equal(n, 3);
}

/* a device key for `name`, its vkey string into vkey[512] */
static void device_key(const char *name, constat_note_signer *s, char vkey[512])
{
    uint8_t seed[32];
    constat_error err;
    randombytes_buf(seed, sizeof seed);
    assert_int_equal(constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, s, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&s->pub, vkey, 512), CONSTAT_OK);
}

static void enrolment_codes(void **state)
{
    fx *f = *state;
    constat_error err;
    constat_note_signer s, other;
    char code[CONSTAT_ENROL_CODE_LEN + 1], late[CONSTAT_ENROL_CODE_LEN + 1];
    char vkey[512], vother[512], name[CONSTAT_KEY_NAME_MAX + 1], lower[64];
    uint64_t idx = 99, size0;
    char role[16];

    device_key("amina", &s, vkey);
    device_key("mallory", &other, vother);
    assert_int_equal(constat_enrol_code_issue(f->v, "amina", 1000, 60, code, &err), CONSTAT_OK);
    assert_int_equal(strlen(code), CONSTAT_ENROL_CODE_LEN);
    assert_int_equal(strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), CONSTAT_ENROL_CODE_LEN);
    assert_int_equal(constat_enrol_code_issue(f->v, "late", 1000, 60, late, &err), CONSTAT_OK);
    size0 = constat_vault_size(f->v);
    /* another name than the code's: refused, nothing changes, code stays */
    assert_int_equal(constat_enrol_code_redeem(f->v, code, vother, "long password", 1010, name,
                                               &idx, &err),
                     CONSTAT_ECONFLICT);
    assert_int_equal(constat_vault_size(f->v), size0);
    assert_int_equal(constat_account_role(f->v, "mallory", role, NULL, &err), CONSTAT_ENOTFOUND);
    /* expired */
    device_key("late", &other, vother);
    assert_int_equal(constat_enrol_code_redeem(f->v, late, vother, "long password", 1060, name,
                                               &idx, &err),
                     CONSTAT_EVERIFY);
    assert_non_null(strstr(err.msg, "expired"));
    /* unknown */
    assert_int_equal(constat_enrol_code_redeem(f->v, "AAAAAAAAAAAAAAAAAAAAAAAA", vkey,
                                               "long password", 1010, name, &idx, &err),
                     CONSTAT_ENOTFOUND);
    /* the code typed in lower case with blanks is the same code */
    snprintf(lower, sizeof lower, "%.12s %s", code, code + 12);
    for (char *p = lower; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    assert_int_equal(constat_enrol_code_redeem(f->v, lower, vkey, "long password", 1010, name,
                                               &idx, &err),
                     CONSTAT_OK);
    assert_string_equal(name, "amina");
    assert_int_equal(idx, size0);
    assert_int_equal(constat_vault_size(f->v), size0 + 1);
    assert_int_equal(constat_monitor_key_on_device(f->v, "amina"), 1);
    assert_int_equal(constat_account_role(f->v, "amina", role, NULL, &err), CONSTAT_OK);
    assert_string_equal(role, "monitor");
    /* the vault has no secret key for a device-held one */
    assert_int_not_equal(constat_vault_monitor_key(f->v, "amina", &other, &err), CONSTAT_OK);
    /* once only */
    assert_int_equal(constat_enrol_code_redeem(f->v, code, vkey, "long password", 1020, name,
                                               &idx, &err),
                     CONSTAT_ECONFLICT);
    assert_int_equal(constat_vault_size(f->v), size0 + 1);
    /* a vault-held key says so */
    assert_int_equal(constat_vault_monitor_add(f->v, "carla", 1030, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_monitor_key_on_device(f->v, "carla"), 0);
    assert_int_equal(constat_monitor_key_on_device(f->v, "nobody"), -1);
    /* an invite for an enrolled name is refused */
    assert_int_equal(constat_enrol_code_issue(f->v, "carla", 1000, 60, code, &err),
                     CONSTAT_ECONFLICT);
    constat_note_signer_wipe(&s);
}

static void sealing(void **state)
{
    fx *f = *state;
    constat_error err;
    constat_buf box, plain;
    const char *msg = "{\"private\":{\"narrative\":\"x\"}}";
    constat_buf_init(&box);
    constat_buf_init(&plain);
    assert_int_equal(constat_seal_b64(&constat_vault_org_key(f->v)->pub, (const uint8_t *)msg,
                                      strlen(msg), &box, &err),
                     CONSTAT_OK);
    /* base64 of len + 48 bytes: 4 * ceil((31 + 48) / 3) */
    assert_int_equal(box.len, 4 * ((strlen(msg) + 48 + 2) / 3));
    assert_int_equal(constat_vault_unseal_b64(f->v, (const char *)box.data, 1024, &plain, &err),
                     CONSTAT_OK);
    assert_int_equal(plain.len, strlen(msg));
    assert_memory_equal(plain.data, msg, plain.len);
    /* one byte changed: does not open */
    box.data[10] = box.data[10] == 'A' ? 'B' : 'A';
    constat_buf_reset(&plain);
    assert_int_equal(constat_vault_unseal_b64(f->v, (const char *)box.data, 1024, &plain, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "sealed"));
    assert_int_equal(constat_vault_unseal_b64(f->v, "not base64!", 1024, &plain, &err),
                     CONSTAT_EINVAL);
    constat_buf_free(&box);
    constat_buf_free(&plain);
}

static void receipts(void **state)
{
    fx *f = *state;
    constat_error err;
    json_t *r = NULL;
    constat_buf leaf;
    uint64_t idx, i2;
    constat_note_verifier wrong;
    const constat_note_verifier *logk = &constat_vault_log_key(f->v)->pub;

    assert_int_equal(constat_vault_monitor_add(f->v, "dina", 2000, &idx, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(f->v, "emil", 2000, &i2, &err), CONSTAT_OK);
    constat_buf_init(&leaf);
    assert_int_equal(constat_vault_leaf(f->v, idx, &leaf, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_receipt(f->v, idx, "enrol:dina", &r, &err), CONSTAT_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "index")), (json_int_t)idx);
    assert_int_equal(json_integer_value(json_object_get(r, "tree_size")), (json_int_t)(i2 + 1));
    /* a tree of two leaves: the proof of leaf 0 is one hash, leaf 1's hash */
    assert_int_equal(json_array_size(json_object_get(r, "inclusion_proof")), 1);
    assert_int_equal(constat_receipt_verify(r, leaf.data, leaf.len, logk, &err), CONSTAT_OK);
    /* another leaf's bytes */
    leaf.data[leaf.len - 2] ^= 1;
    assert_int_equal(constat_receipt_verify(r, leaf.data, leaf.len, logk, &err), CONSTAT_EVERIFY);
    assert_non_null(strstr(err.msg, "leaf_hash"));
    leaf.data[leaf.len - 2] ^= 1;
    /* another key */
    wrong = *logk;
    wrong.pk[0] ^= 1;
    assert_int_equal(constat_receipt_verify(r, leaf.data, leaf.len, &wrong, &err),
                     CONSTAT_EVERIFY);
    /* a wrong index */
    json_object_set_new(r, "index", json_integer(1));
    assert_int_equal(constat_receipt_verify(r, leaf.data, leaf.len, logk, &err), CONSTAT_EVERIFY);
    json_object_del(r, "inclusion_proof");
    assert_int_equal(constat_receipt_verify(r, leaf.data, leaf.len, logk, &err), CONSTAT_EINVAL);
    json_decref(r);
    constat_buf_free(&leaf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(accounts_login, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(enrolment_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(sealing, setup, teardown),
        cmocka_unit_test_setup_teardown(receipts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
