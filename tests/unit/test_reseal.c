/* test_reseal.c — the retiring key of a re-seal after an organisation key
 * rotation (seal.h has_old, docs/vault.md "Re-sealing after a rotation"):
 * a value or file sealed to the old key opens with the new key set only
 * while the old key is loaded beside it; once re-sealed to the new key, the
 * old key opens nothing; a value sealed to neither is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "constat/constat.h"
#include "constat/vault/seal.h"
#include "testutil.h"

typedef struct {
    uint8_t pk[32], sk[64];
} edkey;

static void ed_make(edkey *e)
{
    crypto_sign_keypair(e->pk, e->sk);
}

/* The key set of organisation key `org` (no recipients), with `old` as the
 * retiring key when non-NULL. */
static void keys_of(constat_seal_keys *k, const edkey *org, const edkey *old)
{
    constat_error err;
    assert_int_equal(constat_seal_keys_init(k, org->pk, org->sk, NULL, &err), CONSTAT_OK);
    assert_int_equal(k->has_old, 0);
    if (old) {
        assert_int_equal(constat_seal_keys_add_old(k, old->pk, old->sk, &err), CONSTAT_OK);
        assert_int_equal(k->has_old, 1);
    }
}

static json_t *sealed_value(const constat_seal_keys *k, const char *id, const char *text)
{
    constat_error err;
    json_t *values = json_pack("{s:{s:s, s:s}}", "narrative", "salt", "c2FsdA==", "value", text);
    char *out = NULL;
    json_t *stored;
    assert_int_equal(constat_seal_private(k, id, values, &out, &err), CONSTAT_OK);
    stored = json_loads(out, 0, NULL);
    assert_non_null(stored);
    free(out);
    json_decref(values);
    return stored;
}

static const char *narrative(const json_t *v)
{
    return json_string_value(json_object_get(json_object_get(v, "narrative"), "value"));
}

static void test_private(void **state)
{
    edkey a, b, c;
    constat_seal_keys ka, kb, kba, kc;
    constat_error err;
    json_t *stored, *out = NULL, *again;

    (void)state;
    ed_make(&a);
    ed_make(&b);
    ed_make(&c);
    keys_of(&ka, &a, NULL);
    keys_of(&kb, &b, NULL);
    keys_of(&kba, &b, &a); /* during the re-seal: new key b, retiring a */
    keys_of(&kc, &c, NULL);
    stored = sealed_value(&ka, "inc-1", "PRIV before the rotation");
    assert_int_equal(constat_seal_private_has_key(stored, ka.pk[0]), 1);
    assert_int_equal(constat_seal_private_has_key(stored, kb.pk[0]), 0);

    /* the new key alone does not open it; with the retiring key it does */
    assert_int_equal(constat_seal_private_open_keys(&kb, "inc-1", stored, &out, &err),
                     CONSTAT_ECRYPTO);
    assert_null(out);
    assert_int_equal(constat_seal_private_open_keys(&kba, "inc-1", stored, &out, &err),
                     CONSTAT_OK);
    assert_string_equal(narrative(out), "PRIV before the rotation");

    /* re-sealed to the new key set: the new key opens it, the old one no
     * more (neither alone nor as its "retiring" half of another set) */
    again = sealed_value(&kba, "inc-1", narrative(out));
    json_decref(out);
    out = NULL;
    assert_int_equal(constat_seal_private_has_key(again, ka.pk[0]), 0);
    assert_int_equal(constat_seal_private_has_key(again, kb.pk[0]), 1);
    assert_int_equal(constat_seal_private_open_keys(&kb, "inc-1", again, &out, &err),
                     CONSTAT_OK);
    assert_string_equal(narrative(out), "PRIV before the rotation");
    json_decref(out);
    out = NULL;
    assert_int_equal(constat_seal_private_open_keys(&ka, "inc-1", again, &out, &err),
                     CONSTAT_ECRYPTO);
    assert_null(out);

    /* a third key, and the retiring key tried for a value sealed to neither */
    {
        constat_seal_keys kca;
        keys_of(&kca, &c, &a);
        assert_int_equal(constat_seal_private_open_keys(&kca, "inc-1", again, &out, &err),
                         CONSTAT_ECRYPTO);
        assert_null(out);
        sodium_memzero(&kca, sizeof kca);
    }
    /* moved to another record: the retiring key does not make it open */
    assert_int_equal(constat_seal_private_open_keys(&kba, "inc-2", stored, &out, &err),
                     CONSTAT_EVERIFY);
    assert_null(out);
    json_decref(again);
    json_decref(stored);
    sodium_memzero(&kc, sizeof kc);
}

/* Seal `text` to *k into a new temporary file; its fd, at offset 0. */
static int sealed_file(const constat_seal_keys *k, const char *dir, const char *name,
                       const char *text)
{
    char path[700];
    constat_seal_writer *w = NULL;
    constat_error err;
    int fd;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(constat_seal_writer_new(k, fd, &w, &err), CONSTAT_OK);
    assert_int_equal(constat_seal_writer_write(w, (const uint8_t *)text, strlen(text), &err),
                     CONSTAT_OK);
    assert_int_equal(constat_seal_writer_finish(w, &err), CONSTAT_OK);
    constat_seal_writer_free(w);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* Read the whole sealed file on fd with *k; CONSTAT_OK and the text in
 * got[cap], or the error of opening it. */
static constat_status read_with(const constat_seal_keys *k, int fd, char *got, size_t cap)
{
    constat_seal_reader *r = NULL;
    constat_error err;
    constat_status st;
    size_t n = 0;
    int done = 0;
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    st = constat_seal_reader_new_keys(k, fd, "evidence/test", &r, &err);
    while (st == CONSTAT_OK && !done) {
        const uint8_t *d;
        size_t len;
        st = constat_seal_reader_next(r, &d, &len, &done, &err);
        assert_true(n + len < cap);
        memcpy(got + n, d, len);
        n += len;
    }
    constat_seal_reader_free(r);
    got[n] = 0;
    return st;
}

static void test_files(void **state)
{
    edkey a, b;
    constat_seal_keys ka, kb, kba;
    char *dir = tu_tmpdir(), got[256];
    int old, renewed;

    (void)state;
    ed_make(&a);
    ed_make(&b);
    keys_of(&ka, &a, NULL);
    keys_of(&kb, &b, NULL);
    keys_of(&kba, &b, &a);
    old = sealed_file(&ka, dir, "old", "EVID sealed to the first key");
    assert_int_equal(read_with(&kb, old, got, sizeof got), CONSTAT_ECRYPTO);
    /* the second try rewinds the file: the whole text comes back */
    assert_int_equal(read_with(&kba, old, got, sizeof got), CONSTAT_OK);
    assert_string_equal(got, "EVID sealed to the first key");
    renewed = sealed_file(&kba, dir, "new", got);
    assert_int_equal(read_with(&kb, renewed, got, sizeof got), CONSTAT_OK);
    assert_string_equal(got, "EVID sealed to the first key");
    assert_int_equal(read_with(&ka, renewed, got, sizeof got), CONSTAT_ECRYPTO);
    close(old);
    close(renewed);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private),
        cmocka_unit_test(test_files),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
