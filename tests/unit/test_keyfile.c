/* test_keyfile.c — key file format: plain and sealed round trips, wrong and
 * missing passphrases, tampering, malformed input, file creation rules. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"
#include "vault/keyfile.h"

static int setup(void **state)
{
    (void)state;
    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

static constat_kek *new_kek(const char *pass)
{
    constat_kek *k = sodium_malloc(sizeof *k);
    unsigned long long ops;
    size_t mem;
    assert_non_null(k);
    constat_kek_params(&ops, &mem);
    assert_int_equal(constat_kek_derive(k, pass, NULL, ops, mem, NULL), CONSTAT_OK);
    return k;
}

static void test_params(void **state)
{
    unsigned long long ops;
    size_t mem;
    (void)state;
    constat_kek_params(&ops, &mem);
    assert_int_equal(ops, crypto_pwhash_OPSLIMIT_MIN);
    assert_int_equal(mem, crypto_pwhash_MEMLIMIT_MIN);
    unsetenv("CONSTAT_KDF");
    constat_kek_params(&ops, &mem);
    assert_int_equal(ops, crypto_pwhash_OPSLIMIT_MODERATE);
    assert_int_equal(mem, crypto_pwhash_MEMLIMIT_MODERATE);
    setenv("CONSTAT_KDF", "fast", 1);
}

static void test_plain_roundtrip(void **state)
{
    uint8_t secret[32], back[64];
    char text[512], b64[64];
    size_t tl = 0, got = 0;
    int sealed = -1;
    (void)state;
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(constat_keyfile_encode(secret, 32, NULL, text, sizeof text, &tl, NULL),
                     CONSTAT_OK);
    constat_base64(secret, 32, b64);
    {
        char expect[128];
        snprintf(expect, sizeof expect, "constat-key-v1 plain\n%s\n", b64);
        assert_string_equal(text, expect);
        assert_int_equal(tl, strlen(expect));
    }
    assert_int_equal(constat_keyfile_decode(text, tl, "k", NULL, NULL, back, sizeof back, &got,
                                            &sealed, NULL),
                     CONSTAT_OK);
    assert_int_equal(got, 32);
    assert_int_equal(sealed, 0);
    assert_memory_equal(back, secret, 32);
    /* cap smaller than the secret */
    assert_int_equal(constat_keyfile_decode(text, tl, "k", NULL, NULL, back, 16, &got, NULL, NULL),
                     CONSTAT_ELIMIT);
}

static void test_sealed_roundtrip(void **state)
{
    uint8_t secret[32], back[32];
    char text[512];
    size_t tl = 0, got = 0;
    int sealed = -1;
    constat_kek *k = new_kek("correct horse");
    constat_kek *cache = sodium_malloc(sizeof *cache);
    constat_error err;
    char header[128];
    (void)state;

    randombytes_buf(secret, sizeof secret);
    assert_int_equal(constat_keyfile_encode(secret, 32, k, text, sizeof text, &tl, NULL),
                     CONSTAT_OK);
    snprintf(header, sizeof header, "constat-key-v1 sealed argon2id13 %llu %zu\n",
             (unsigned long long)crypto_pwhash_OPSLIMIT_MIN, (size_t)crypto_pwhash_MEMLIMIT_MIN);
    assert_int_equal(strncmp(text, header, strlen(header)), 0);
    /* the secret does not appear in clear */
    {
        char b64[64];
        constat_base64(secret, 32, b64);
        assert_null(strstr(text, b64));
    }
    sodium_memzero(cache, sizeof *cache);
    assert_int_equal(constat_keyfile_decode(text, tl, "keys/org.key", "correct horse", cache,
                                            back, sizeof back, &got, &sealed, &err),
                     CONSTAT_OK);
    assert_int_equal(sealed, 1);
    assert_int_equal(got, 32);
    assert_memory_equal(back, secret, 32);
    /* the cache now holds the KEK for this salt */
    assert_true(cache->valid);
    assert_memory_equal(cache->key, k->key, 32);
    assert_memory_equal(cache->salt, k->salt, 16);
    /* a second file sealed with the same KEK opens from the cache, even with a
     * wrong passphrase (the cache stands for a passphrase already checked) */
    {
        char text2[512];
        size_t tl2 = 0;
        assert_int_equal(constat_keyfile_encode(secret, 32, k, text2, sizeof text2, &tl2, NULL),
                         CONSTAT_OK);
        assert_true(strcmp(text, text2) != 0); /* fresh nonce */
        assert_int_equal(constat_keyfile_decode(text2, tl2, "k2", "x", cache, back, sizeof back,
                                                &got, NULL, NULL),
                         CONSTAT_OK);
    }

    /* wrong passphrase */
    assert_int_equal(constat_keyfile_decode(text, tl, "keys/org.key", "wrong", NULL, back,
                                            sizeof back, &got, NULL, &err),
                     CONSTAT_ECRYPTO);
    assert_non_null(strstr(err.msg, "wrong passphrase for keys/org.key"));
    /* missing passphrase */
    assert_int_equal(constat_keyfile_decode(text, tl, "keys/org.key", NULL, NULL, back,
                                            sizeof back, &got, NULL, &err),
                     CONSTAT_ECRYPTO);
    assert_non_null(strstr(err.msg, "passphrase is needed"));
    assert_non_null(strstr(err.msg, "CONSTAT_PASSPHRASE"));
    assert_int_equal(constat_keyfile_decode(text, tl, "keys/org.key", "", NULL, back,
                                            sizeof back, &got, NULL, &err),
                     CONSTAT_ECRYPTO);

    /* flip each byte of the base64 payload in turn: never accepted */
    for (size_t i = strlen(header); i + 1 < tl; i += 3) {
        char t2[512];
        memcpy(t2, text, tl);
        t2[i] = t2[i] == 'A' ? 'B' : 'A';
        assert_int_not_equal(constat_keyfile_decode(t2, tl, "k", "correct horse", NULL, back,
                                                    sizeof back, &got, NULL, NULL),
                             CONSTAT_OK);
    }
    /* raise the opslimit in the header: authenticated as associated data */
    {
        char t2[512];
        int n = snprintf(t2, sizeof t2, "constat-key-v1 sealed argon2id13 %llu %zu%s",
                         (unsigned long long)crypto_pwhash_OPSLIMIT_MIN + 1,
                         (size_t)crypto_pwhash_MEMLIMIT_MIN, strchr(text, '\n'));
        assert_int_equal(constat_keyfile_decode(t2, (size_t)n, "k", "correct horse", NULL, back,
                                                sizeof back, &got, NULL, &err),
                         CONSTAT_ECRYPTO);
    }
    constat_kek_wipe(k);
    sodium_free(k);
    constat_kek_wipe(cache);
    sodium_free(cache);
}

static void test_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "constat-key-v1 plain",
        "constat-key-v1 plain\n",
        "constat-key-v1 plain\nAAAA",
        "constat-key-v1 plain\n!!!!\n",
        "constat-key-v1 plain\n\n",
        "constat-key-v1 plain\nAAAA\nextra",
        "constat-key-v2 plain\nAAAA\n",
        "constat-key-v1 plain \nAAAA\n",
        "constat-key-v1 sealed argon2id13 1\nAAAA\n",
        "constat-key-v1 sealed argon2id13 01 8192\nAAAA\n",
        "constat-key-v1 sealed argon2id13 1 8192 \nAAAA\n",
        "constat-key-v1 sealed argon2id13 0 8192\nAAAA\n",
        "constat-key-v1 sealed argon2id13 1 1\nAAAA\n",
        "constat-key-v1 sealed argon2id13 1 99999999999999999999999\nAAAA\n",
        "constat-key-v1 sealed argon2id13 1 8192\nAAAA\n", /* payload too short */
        "constat-key-v1 sealed argon2i13 1 8192\nAAAA\n",
    };
    uint8_t back[64];
    size_t got;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        constat_error err;
        constat_status st = constat_keyfile_decode(bad[i], strlen(bad[i]), "keys/x.key", "p",
                                                   NULL, back, sizeof back, &got, NULL, &err);
        assert_true(st == CONSTAT_EINVAL || st == CONSTAT_ELIMIT);
        assert_non_null(strstr(err.msg, "keys/x.key"));
    }
    /* over the size limit */
    {
        char *big = malloc(CONSTAT_KEYFILE_MAX_BYTES + 10);
        memset(big, 'A', CONSTAT_KEYFILE_MAX_BYTES + 10);
        assert_int_equal(constat_keyfile_decode(big, CONSTAT_KEYFILE_MAX_BYTES + 10, "k", NULL,
                                                NULL, back, sizeof back, &got, NULL, NULL),
                         CONSTAT_ELIMIT);
        free(big);
    }
}

static void test_files(void **state)
{
    char *dir = tu_tmpdir();
    char path[512], link[512];
    uint8_t secret[32], back[32];
    size_t got = 0;
    struct stat st;
    constat_error err;
    (void)state;

    randombytes_buf(secret, sizeof secret);
    snprintf(path, sizeof path, "%s/a.key", dir);
    assert_int_equal(constat_keyfile_write(path, "a.key", secret, 32, NULL, &err), CONSTAT_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* never replaces */
    assert_int_equal(constat_keyfile_write(path, "a.key", secret, 32, NULL, &err),
                     CONSTAT_ECONFLICT);
    assert_int_equal(constat_keyfile_read(path, "a.key", NULL, NULL, back, sizeof back, &got,
                                          NULL, &err),
                     CONSTAT_OK);
    assert_memory_equal(back, secret, 32);
    /* symlinks are not followed, for writing or reading */
    snprintf(link, sizeof link, "%s/l.key", dir);
    assert_int_equal(symlink(path, link), 0);
    assert_int_not_equal(constat_keyfile_read(link, "l.key", NULL, NULL, back, sizeof back, &got,
                                              NULL, &err),
                         CONSTAT_OK);
    {
        char dangling[512], target[512];
        snprintf(target, sizeof target, "%s/target.key", dir);
        snprintf(dangling, sizeof dangling, "%s/d.key", dir);
        assert_int_equal(symlink(target, dangling), 0);
        assert_int_not_equal(constat_keyfile_write(dangling, "d.key", secret, 32, NULL, &err),
                             CONSTAT_OK);
        assert_int_equal(access(target, F_OK), -1);
    }
    /* missing */
    snprintf(path, sizeof path, "%s/none.key", dir);
    assert_int_equal(constat_keyfile_read(path, "none.key", NULL, NULL, back, sizeof back, &got,
                                          NULL, &err),
                     CONSTAT_ENOTFOUND);
    /* sealed on disk */
    {
        constat_kek *k = new_kek("pw");
        snprintf(path, sizeof path, "%s/s.key", dir);
        assert_int_equal(constat_keyfile_write(path, "s.key", secret, 32, k, &err), CONSTAT_OK);
        assert_int_equal(constat_keyfile_read(path, "s.key", "pw", NULL, back, sizeof back, &got,
                                              NULL, &err),
                         CONSTAT_OK);
        assert_memory_equal(back, secret, 32);
        assert_int_equal(constat_keyfile_read(path, "s.key", "pw2", NULL, back, sizeof back,
                                              &got, NULL, &err),
                         CONSTAT_ECRYPTO);
        constat_kek_wipe(k);
        sodium_free(k);
    }
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_plain_roundtrip),
        cmocka_unit_test(test_sealed_roundtrip),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
