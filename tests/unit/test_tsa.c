/* test_tsa.c — RFC 3161 time-stamp tokens (tsa.h): real tokens from
 * tests/vectors/rfc3161 verified offline, requests we build, fresh tokens
 * from a test TSA made on the fly (tests/tsa/make-tsa.sh + `openssl ts
 * -reply`), each failure a distinct reason, the proven-time timeline, and
 * the vault side (configuration, a TSA that is down). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "constat/base/hash.h"
#include "constat/evidence/tsa.h"
#include "constat/vault/vault.h"
#include "testutil.h"

#define TOB "rfc3161/trailofbits-rfc3161-client/test/fixtures/"
#define DIG "rfc3161/digitorus-timestamp/"

static const uint8_t HELLO[] = "hello";
#define HELLO_LEN 5

static constat_status verify_data(const char *tsr, const char *ca, const void *data,
                                  size_t dlen, constat_tsa_info *info, constat_error *err)
{
    size_t rl, cl;
    char *r = tu_read_vector(tsr, &rl);
    char *c = tu_read_vector(ca, &cl);
    constat_tsa_check chk = {(const uint8_t *)c, cl, data, dlen, NULL, 0};
    constat_status st = constat_tsa_verify((const uint8_t *)r, rl, &chk, info, err);
    free(r);
    free(c);
    return st;
}

/* sigstage: real responses over "hello" with SHA-256/384/512 verify with
 * their ts_chain.pem, whose top certificate is an intermediate (partial
 * chain: every bundle certificate is an anchor). */
static void test_sigstage(void **state)
{
    static const char *const f[] = {"response-sha256.tsr", "response-sha384.tsr",
                                    "response-sha512.tsr"};
    static const char *const hash[] = {"SHA256", "SHA384", "SHA512"};
    static const char *const when[] = {"2025-05-09T11:58:55Z", "2025-05-09T11:58:55Z",
                                       "2025-05-09T11:58:56Z"};
    (void)state;
    for (int i = 0; i < 3; i++) {
        char p[200];
        constat_tsa_info info;
        constat_error err;
        snprintf(p, sizeof p, TOB "sigstage/%s", f[i]);
        assert_int_equal(verify_data(p, TOB "sigstage/ts_chain.pem", HELLO, HELLO_LEN, &info,
                                     &err),
                         CONSTAT_OK);
        assert_int_equal(info.reason, CONSTAT_TSA_OK);
        assert_string_equal(info.hash, hash[i]);
        assert_string_equal(info.gen_time_text, when[i]);
        assert_true(info.has_nonce);
        assert_non_null(strstr(info.tsa, "CN="));
    }
    {
        constat_tsa_info info;
        constat_error err;
        assert_int_equal(verify_data(TOB "sigstage/response-sha256.tsr", TOB "sigstage/ts_chain.pem",
                                     "hellO", 5, &info, &err),
                         CONSTAT_EVERIFY);
        assert_int_equal(info.reason, CONSTAT_TSA_IMPRINT);
        assert_non_null(strstr(err.msg, "imprint"));
    }
}

static void test_sigstage_invalid_signature(void **state)
{
    constat_tsa_info info;
    constat_error err;
    (void)state;
    assert_int_equal(verify_data(TOB "sigstage/response-invalid-signature.tsr",
                                 TOB "sigstage/ts_chain.pem", HELLO, HELLO_LEN, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_SIGNATURE);
    assert_non_null(strstr(err.msg, "bad signature"));
}

/* A token without embedded certificate finds its signer in the CA bundle
 * (which the verifier trusts); with an unrelated bundle it fails. */
static void test_sigstage_no_embedded_cert(void **state)
{
    constat_tsa_info info;
    constat_error err;
    (void)state;
    assert_int_equal(verify_data(TOB "sigstage/response-no-embedded-cert.tsr",
                                 TOB "sigstage/ts_chain.pem", HELLO, HELLO_LEN, &info, &err),
                     CONSTAT_OK);
    assert_string_equal(info.gen_time_text, "2025-06-18T08:13:02Z");
    assert_int_equal(verify_data(TOB "sigstage/response-no-embedded-cert.tsr",
                                 TOB "test_tsa/ts_chain.pem", HELLO, HELLO_LEN, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_SIGNER);
}

/* IdenTrust: DER root as the bundle; the TSA certificate has expired since,
 * but the chain is judged at the token's genTime. */
static void test_identrust(void **state)
{
    constat_tsa_info info;
    constat_error err;
    (void)state;
    assert_int_equal(verify_data(TOB "identrust/issue-104.tsr", TOB "identrust/ts_chain.pem",
                                 HELLO, HELLO_LEN, &info, &err),
                     CONSTAT_OK);
    assert_int_equal(info.gen_time, 1741683128);
    assert_string_equal(info.hash, "SHA512");
    assert_string_equal(info.serial, "400195846778D8EBD3E0D31354082A24");
    assert_non_null(strstr(info.tsa, "IdenTrust"));
    /* its TSA certificate (CN=TrustID Timestamp Authority), as `openssl
     * pkcs7 -print_certs | openssl x509 -dates` shows it: valid from
     * 2024-10-18 19:48:40 to 2026-01-17 19:48:39 UTC */
    {
        size_t rl, cl;
        char *r = tu_read_vector(TOB "identrust/issue-104.tsr", &rl);
        char *c = tu_read_vector(TOB "identrust/ts_chain.pem", &cl);
        constat_tsa_check chk = {(const uint8_t *)c, cl, HELLO, HELLO_LEN, NULL, 0};
        chk.now = 1767000000; /* 2025-12-29: still valid */
        assert_int_equal(constat_tsa_verify((const uint8_t *)r, rl, &chk, &info, &err),
                         CONSTAT_OK);
        assert_string_equal(info.cert_not_before_text, "2024-10-18T19:48:40Z");
        assert_string_equal(info.cert_not_after_text, "2026-01-17T19:48:39Z");
        assert_int_equal(info.cert_not_after, 1768679319);
        assert_int_equal(info.cert_expired, 0);
        chk.now = 1768679320; /* one second after notAfter */
        assert_int_equal(constat_tsa_verify((const uint8_t *)r, rl, &chk, &info, &err),
                         CONSTAT_OK);
        assert_int_equal(info.cert_expired, 1);
        assert_string_equal(info.cert_not_after_text, "2026-01-17T19:48:39Z");
        free(r);
        free(c);
    }
}

/* The embedded certificates of a token as a PEM bundle (the digitorus
 * vectors come without a chain file). With `only_self_signed`, only the
 * self-signed ones (the injected look-alike). */
static char *token_certs_pem(const char *tsr, int only_self_signed, size_t *len)
{
    size_t rl;
    char *r = tu_read_vector(tsr, &rl);
    const unsigned char *q = (const unsigned char *)r;
    TS_RESP *resp = d2i_TS_RESP(NULL, &q, (long)rl);
    PKCS7 *tok;
    STACK_OF(X509) *certs;
    BIO *out = BIO_new(BIO_s_mem());
    char *data, *copy;
    long n;

    assert_non_null(resp);
    tok = TS_RESP_get_token(resp);
    certs = tok->d.sign->cert;
    assert_non_null(certs);
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        if (only_self_signed &&
            X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0)
            continue;
        assert_int_equal(PEM_write_bio_X509(out, x), 1);
    }
    n = BIO_get_mem_data(out, &data);
    assert_true(n > 0);
    copy = malloc((size_t)n);
    memcpy(copy, data, (size_t)n);
    *len = (size_t)n;
    BIO_free(out);
    TS_RESP_free(resp);
    free(r);
    return copy;
}

/* The injected-certs attack: the token carries a "Spoofed TSA" and a
 * self-signed look-alike of the real TSA certificate. It verifies against
 * the real chain (the signer is the certificate the SignerInfo names), and
 * must not verify when only the look-alike is trusted. */
static void test_injected_certs(void **state)
{
    constat_tsa_info info;
    constat_error err;
    size_t rl, cl;
    char *r, *c;
    constat_tsa_check chk;
    (void)state;
    assert_int_equal(verify_data(TOB "test_tsa/response-injected-certs.tsr",
                                 TOB "test_tsa/ts_chain.pem", HELLO, HELLO_LEN, &info, &err),
                     CONSTAT_OK);
    assert_string_equal(info.tsa, "/O=local/CN=Test TSA Timestamping");
    assert_string_equal(info.gen_time_text, "2024-10-08T15:40:32Z");

    r = tu_read_vector(TOB "test_tsa/response-injected-certs.tsr", &rl);
    c = token_certs_pem(TOB "test_tsa/response-injected-certs.tsr", 1, &cl);
    chk = (constat_tsa_check){(const uint8_t *)c, cl, HELLO, HELLO_LEN, NULL, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)r, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_UNTRUSTED);
    free(r);
    free(c);
    /* and the good response with an unrelated CA */
    assert_int_equal(verify_data(TOB "test_tsa/response.tsr", TOB "sigstage/ts_chain.pem", HELLO,
                                 HELLO_LEN, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_UNTRUSTED);
}

/* GlobalSign 2017: nonce and no-nonce replies over the 45-byte line, both
 * with the data and against their requests (imprint + nonce). */
static void test_digitorus(void **state)
{
    static const char line[] = "RhT49MYCgJzWssTF+LXtFZbLD4pe94q4uezLWoTLzyM=\n";
    constat_tsa_info info;
    constat_error err;
    size_t cl, rl, ql, hl;
    char *ca = token_certs_pem(DIG "resp-nonce.tsr", 0, &cl);
    char *h = tu_read_vector(DIG "hashed-message.sha256.bin", &hl);
    uint8_t mine[32];
    (void)state;

    assert_int_equal(hl, 32);
    constat_sha256(line, 45, mine);
    assert_memory_equal(mine, h, 32);
    for (int i = 0; i < 2; i++) {
        const char *resp = i == 0 ? DIG "resp-nonce.tsr" : DIG "resp-no-nonce.tsr";
        char *r = tu_read_vector(resp, &rl);
        constat_tsa_check chk = {(const uint8_t *)ca, cl, (const uint8_t *)line, 45, NULL, 0};
        assert_int_equal(constat_tsa_verify((const uint8_t *)r, rl, &chk, &info, &err),
                         CONSTAT_OK);
        assert_int_equal(info.has_nonce, i == 0);
        assert_string_equal(info.gen_time_text,
                            i == 0 ? "2017-04-19T06:29:53Z" : "2017-04-19T06:28:13Z");
        free(r);
    }
    {
        char *q = tu_read_vector(DIG "req-nonce.tsq", &ql);
        constat_tsa_request req = {(uint8_t *)q, ql, {0}, 0};
        constat_tsa_check chk = {(const uint8_t *)ca, cl, NULL, 0, &req, 0};
        char *r = tu_read_vector(DIG "resp-nonce.tsr", &rl);
        assert_int_equal(constat_tsa_verify((const uint8_t *)r, rl, &chk, &info, &err),
                         CONSTAT_OK);
        free(r);
        /* the reply without a nonce does not answer a request with one */
        r = tu_read_vector(DIG "resp-no-nonce.tsr", &rl);
        assert_int_equal(constat_tsa_verify((const uint8_t *)r, rl, &chk, &info, &err),
                         CONSTAT_EVERIFY);
        assert_int_equal(info.reason, CONSTAT_TSA_NONCE);
        free(r);
        free(q);
    }
    free(ca);
    free(h);
}

static void test_rejection_and_malformed(void **state)
{
    constat_tsa_info info;
    constat_error err;
    size_t rl;
    char *r = tu_read_vector(DIG "resp-rejection.tsr", &rl);
    uint8_t junk[4] = {0x30, 0x03, 0x02, 0x01};
    (void)state;

    assert_int_equal(constat_tsa_parse((const uint8_t *)r, rl, &info, &err), CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_REJECTED);
    assert_non_null(strstr(err.msg, "rejection"));
    assert_non_null(strstr(err.msg, "Error during serial number generation"));
    assert_non_null(strstr(err.msg, "addInfoNotAvailable"));
    assert_int_equal(verify_data(DIG "resp-rejection.tsr", TOB "sigstage/ts_chain.pem", HELLO,
                                 HELLO_LEN, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_REJECTED);
    free(r);

    assert_int_equal(constat_tsa_parse(junk, sizeof junk, &info, &err), CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_MALFORMED);
    assert_int_equal(constat_tsa_parse(junk, 0, &info, &err), CONSTAT_EVERIFY);
    /* every truncation of a real response is refused, never a crash */
    r = tu_read_vector(TOB "sigstage/response-sha256.tsr", &rl);
    for (size_t n = 0; n < rl; n += 7)
        assert_int_equal(constat_tsa_parse((const uint8_t *)r, n, &info, &err),
                         CONSTAT_EVERIFY);
    /* a trailing byte is refused too */
    {
        char *longer = malloc(rl + 1);
        memcpy(longer, r, rl);
        longer[rl] = 0;
        assert_int_equal(constat_tsa_parse((const uint8_t *)longer, rl + 1, &info, &err),
                         CONSTAT_EVERIFY);
        free(longer);
    }
    assert_int_equal(constat_tsa_parse((const uint8_t *)r, CONSTAT_TSA_RESPONSE_MAX + 1, &info,
                                       &err),
                     CONSTAT_ELIMIT);
    free(r);
    /* bare TimeStampToken (digitorus timestamp-token.p7s) parses */
    r = tu_read_vector(DIG "timestamp-token.p7s", &rl);
    assert_int_equal(constat_tsa_parse((const uint8_t *)r, rl, &info, &err), CONSTAT_OK);
    assert_string_equal(info.gen_time_text, "2017-02-01T15:39:50Z");
    free(r);
}

static void test_request(void **state)
{
    uint8_t imprint[32];
    constat_tsa_request a, b;
    constat_error err;
    const unsigned char *q;
    TS_REQ *req;
    TS_MSG_IMPRINT *mi;
    const ASN1_INTEGER *n;
    BIGNUM *bn;
    uint8_t nb[8];
    uint64_t nonce = 0;
    (void)state;

    constat_sha256("checkpoint", 10, imprint);
    assert_int_equal(constat_tsa_request_make(imprint, &a, &err), CONSTAT_OK);
    assert_int_equal(constat_tsa_request_make(imprint, &b, &err), CONSTAT_OK);
    assert_true(a.nonce != 0);
    assert_true(a.nonce != b.nonce);
    q = a.der;
    req = d2i_TS_REQ(NULL, &q, (long)a.der_len);
    assert_non_null(req);
    assert_ptr_equal(q, a.der + a.der_len);
    assert_int_equal(TS_REQ_get_version(req), 1);
    assert_int_equal(TS_REQ_get_cert_req(req), 1);
    assert_null(TS_REQ_get_policy_id(req));
    mi = TS_REQ_get_msg_imprint(req);
    {
        const ASN1_OBJECT *obj;
        X509_ALGOR_get0(&obj, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
        assert_int_equal(OBJ_obj2nid(obj), NID_sha256);
    }
    assert_int_equal(ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(mi)), 32);
    assert_memory_equal(ASN1_STRING_get0_data(TS_MSG_IMPRINT_get_msg(mi)), imprint, 32);
    n = TS_REQ_get_nonce(req);
    assert_non_null(n);
    bn = ASN1_INTEGER_to_BN(n, NULL);
    assert_true(BN_num_bytes(bn) <= 8);
    memset(nb, 0, sizeof nb);
    BN_bn2binpad(bn, nb, 8);
    for (int i = 0; i < 8; i++)
        nonce = (nonce << 8) | nb[i];
    assert_true(nonce == a.nonce);
    BN_free(bn);
    TS_REQ_free(req);
    constat_tsa_request_free(&a);
    constat_tsa_request_free(&b);
    assert_null(a.der);
}

/* ---- a fresh test TSA ---------------------------------------------------- */

typedef struct {
    char *dir;
} tsa_fixture;

static int setup_tsa(void **state)
{
    tsa_fixture *f = calloc(1, sizeof *f);
    char cmd[1200];
    f->dir = tu_tmpdir();
    snprintf(cmd, sizeof cmd, "sh '%s/tests/tsa/make-tsa.sh' '%s/tsa'", CONSTAT_SOURCE_DIR,
             f->dir);
    if (system(cmd) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown_tsa(void **state)
{
    tsa_fixture *f = *state;
    tu_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Answer `req` with `openssl ts -reply` (which itself refuses to sign with
 * a certificate lacking the timeStamping EKU). */
static char *reply_to(tsa_fixture *f, const constat_tsa_request *req, const char *signer,
                      size_t *len)
{
    char q[1100], r[1100], cmd[5000];
    FILE *fp;
    snprintf(q, sizeof q, "%s/q.tsq", f->dir);
    snprintf(r, sizeof r, "%s/r.tsr", f->dir);
    fp = fopen(q, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(req->der, 1, req->der_len, fp), req->der_len);
    fclose(fp);
    snprintf(cmd, sizeof cmd,
             "openssl ts -reply -config '%s/tsa/tsa.cnf' -queryfile '%s' -signer '%s/tsa/%s.pem' "
             "-inkey '%s/tsa/%s.key' -chain '%s/tsa/ca.pem' -out '%s' 2>/dev/null",
             f->dir, q, f->dir, signer, f->dir, signer, f->dir, r);
    assert_int_equal(system(cmd), 0);
    return tu_read_file(r, len);
}

static char *fixture_file(tsa_fixture *f, const char *name, size_t *len)
{
    char p[1100];
    snprintf(p, sizeof p, "%s/tsa/%s", f->dir, name);
    return tu_read_file(p, len);
}

static void test_fresh_token(void **state)
{
    tsa_fixture *f = *state;
    const char note[] = "example.org/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
                        "— example.org/log abc=\n";
    uint8_t imprint[32], other[32];
    constat_tsa_request req, req2, req3;
    constat_tsa_info info;
    constat_error err;
    size_t rl, cl, ol;
    char *resp, *ca, *oca;
    constat_tsa_check chk;

    constat_sha256(note, sizeof note - 1, imprint);
    constat_sha256("something else", 14, other);
    assert_int_equal(constat_tsa_request_make(imprint, &req, &err), CONSTAT_OK);
    assert_int_equal(constat_tsa_request_make(imprint, &req2, &err), CONSTAT_OK);
    assert_int_equal(constat_tsa_request_make(other, &req3, &err), CONSTAT_OK);
    resp = reply_to(f, &req, "tsa", &rl);
    ca = fixture_file(f, "ca.pem", &cl);
    oca = fixture_file(f, "other-ca.pem", &ol);

    /* the right request, the right CA */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, NULL, 0, &req, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_OK);
    assert_string_equal(info.tsa, "/O=constat test/CN=constat test TSA");
    assert_string_equal(info.hash, "SHA256");
    assert_string_equal(info.policy, "1.3.6.1.4.1.4146.2.3");
    assert_true(info.has_nonce);
    assert_true(info.gen_time > 1700000000);
    /* offline, from the note bytes */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, (const uint8_t *)note, sizeof note - 1,
                              NULL, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_OK);

    /* wrong nonce: same imprint, another request */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, NULL, 0, &req2, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_NONCE);
    assert_non_null(strstr(err.msg, "nonce"));
    /* wrong imprint */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, NULL, 0, &req3, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_IMPRINT);
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, (const uint8_t *)note, sizeof note - 2,
                              NULL, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_IMPRINT);
    /* untrusted CA */
    chk = (constat_tsa_check){(const uint8_t *)oca, ol, NULL, 0, &req, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.reason, CONSTAT_TSA_UNTRUSTED);
    /* a CA bundle that holds no certificate */
    chk = (constat_tsa_check){(const uint8_t *)"not a cert", 10, NULL, 0, &req, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(info.reason, CONSTAT_TSA_BAD_CA);
    /* misuse: both data and request */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, (const uint8_t *)note, 3, &req, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EINVAL);
    /* one flipped byte in the signature value (the last bytes of the DER) */
    resp[rl - 3] ^= 1;
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, NULL, 0, &req, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_true(info.reason == CONSTAT_TSA_SIGNATURE || info.reason == CONSTAT_TSA_MALFORMED);
    free(resp);
    free(ca);
    free(oca);
    constat_tsa_request_free(&req);
    constat_tsa_request_free(&req2);
    constat_tsa_request_free(&req3);
}

/* Exit status of a shell command (-1 if it did not exit normally). */
static int run_status(const char *cmd)
{
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    fclose(fp);
}

/* Request nonce x reply nonce, against `openssl ts -verify` run here.
 * Three requests over the same data (`openssl ts -query`): nonce A, nonce B,
 * no nonce; each answered by `openssl ts -reply`, so the replies carry A, B
 * and no nonce. Every (request, reply) pair must get the verdict `openssl
 * ts -verify -queryfile Q -in R -CAfile ca.pem` gives, and the verdicts are
 * also the table below, which is what `openssl ts -verify` (OpenSSL 3.0)
 * gave when measured:
 *                  reply A  reply B  reply none
 *   request A      ok       nonce    nonce (not returned)
 *   request B      nonce    ok       nonce (not returned)
 *   request none   ok       ok       ok      (no nonce asked: none checked)
 * Before the fix, "request none, reply A" crashed (NULL nonce compared) and
 * "request none, reply none" was refused. */
static void test_nonce_combinations(void **state)
{
    static const int expect_ok[3][3] = {{1, 0, 0}, {0, 1, 0}, {1, 1, 1}};
    static const char *const opt[3] = {"", "", "-no_nonce"};
    tsa_fixture *f = *state;
    const char data[] = "test.example/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n";
    char path[1100], cmd[6000];
    char *q[3], *r[3], *ca;
    size_t ql[3], rl[3], cl;

    snprintf(path, sizeof path, "%s/nonce-data", f->dir);
    write_bytes(path, data, sizeof data - 1);
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd,
                 "openssl ts -query -data '%s/nonce-data' -sha256 -cert %s -out '%s/q%d.tsq' "
                 ">/dev/null 2>&1 && "
                 "openssl ts -reply -config '%s/tsa/tsa.cnf' -queryfile '%s/q%d.tsq' "
                 "-signer '%s/tsa/tsa.pem' -inkey '%s/tsa/tsa.key' -chain '%s/tsa/ca.pem' "
                 "-out '%s/r%d.tsr' >/dev/null 2>&1",
                 f->dir, opt[i], f->dir, i, f->dir, f->dir, i, f->dir, f->dir, f->dir, f->dir,
                 i);
        assert_int_equal(run_status(cmd), 0);
        snprintf(path, sizeof path, "%s/q%d.tsq", f->dir, i);
        q[i] = tu_read_file(path, &ql[i]);
        snprintf(path, sizeof path, "%s/r%d.tsr", f->dir, i);
        r[i] = tu_read_file(path, &rl[i]);
    }
    ca = fixture_file(f, "ca.pem", &cl);
    for (int i = 0; i < 3; i++) {
        constat_tsa_info info;
        constat_error err;
        assert_int_equal(constat_tsa_parse((const uint8_t *)r[i], rl[i], &info, &err),
                         CONSTAT_OK);
        assert_int_equal(info.has_nonce, i != 2);
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            constat_tsa_request req = {(uint8_t *)q[i], ql[i], {0}, 0};
            constat_tsa_check chk = {(const uint8_t *)ca, cl, NULL, 0, &req, 0};
            constat_tsa_info info;
            constat_error err;
            constat_status st;
            int ossl;

            snprintf(cmd, sizeof cmd,
                     "openssl ts -verify -queryfile '%s/q%d.tsq' -in '%s/r%d.tsr' "
                     "-CAfile '%s/tsa/ca.pem' >/dev/null 2>&1",
                     f->dir, i, f->dir, j, f->dir);
            ossl = run_status(cmd);
            assert_true(ossl == 0 || ossl == 1);
            st = constat_tsa_verify((const uint8_t *)r[j], rl[j], &chk, &info, &err);
            print_message("request %d reply %d: openssl %s, constat %s\n", i, j,
                          ossl == 0 ? "ok" : "refused",
                          st == CONSTAT_OK ? "ok" : constat_tsa_reason_name(info.reason));
            assert_int_equal(st == CONSTAT_OK, ossl == 0);
            assert_int_equal(st == CONSTAT_OK, expect_ok[i][j]);
            if (st == CONSTAT_OK) {
                assert_int_equal(info.reason, CONSTAT_TSA_OK);
                assert_string_equal(info.tsa, "/O=constat test/CN=constat test TSA");
            } else {
                assert_int_equal(st, CONSTAT_EVERIFY);
                assert_int_equal(info.reason, CONSTAT_TSA_NONCE);
                assert_non_null(strstr(err.msg, j == 2 ? "nonce not returned"
                                                       : "nonce mismatch"));
            }
        }
    /* offline (data instead of a request) no nonce is asked: all three verify,
     * as `openssl ts -verify -data` says */
    for (int j = 0; j < 3; j++) {
        constat_tsa_check chk = {(const uint8_t *)ca, cl, (const uint8_t *)data, sizeof data - 1,
                                 NULL, 0};
        constat_tsa_info info;
        constat_error err;
        snprintf(cmd, sizeof cmd,
                 "openssl ts -verify -data '%s/nonce-data' -in '%s/r%d.tsr' "
                 "-CAfile '%s/tsa/ca.pem' >/dev/null 2>&1",
                 f->dir, f->dir, j, f->dir);
        assert_int_equal(run_status(cmd), 0);
        assert_int_equal(constat_tsa_verify((const uint8_t *)r[j], rl[j], &chk, &info, &err),
                         CONSTAT_OK);
    }
    /* a request that is not a TimeStampReq is the caller's error, not a crash
     * and not "out of memory": junk, every truncation, a trailing byte */
    {
        constat_tsa_info info;
        constat_error err;
        char *longer = malloc(ql[0] + 1);
        for (size_t n = 0; n <= ql[0]; n++) {
            constat_tsa_request req = {(uint8_t *)(n ? q[0] : "x"), n ? n : 1, {0}, 0};
            constat_tsa_check chk = {(const uint8_t *)ca, cl, NULL, 0, &req, 0};
            constat_status st = constat_tsa_verify((const uint8_t *)r[0], rl[0], &chk, &info,
                                                   &err);
            if (n == ql[0]) {
                assert_int_equal(st, CONSTAT_OK);
            } else {
                assert_int_equal(st, CONSTAT_EINVAL);
                assert_non_null(strstr(err.msg, "TimeStampReq"));
            }
        }
        memcpy(longer, q[0], ql[0]);
        longer[ql[0]] = 0;
        {
            constat_tsa_request req = {(uint8_t *)longer, ql[0] + 1, {0}, 0};
            constat_tsa_check chk = {(const uint8_t *)ca, cl, NULL, 0, &req, 0};
            assert_int_equal(constat_tsa_verify((const uint8_t *)r[0], rl[0], &chk, &info,
                                                &err),
                             CONSTAT_EINVAL);
        }
        free(longer);
    }
    for (int i = 0; i < 3; i++) {
        free(q[i]);
        free(r[i]);
    }
    free(ca);
}

/* An X.509 time of the certificate in `pem_path`, read with OpenSSL and
 * printed with strftime (not with constat's RFC 3339 code). */
static void cert_dates(const char *pem_path, int64_t *nb, int64_t *na, char nbt[32],
                       char nat[32])
{
    FILE *fp = fopen(pem_path, "r");
    X509 *x;
    struct tm tm;
    time_t t;
    assert_non_null(fp);
    x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(x);
    assert_int_equal(ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm), 1);
    t = timegm(&tm);
    *nb = (int64_t)t;
    strftime(nbt, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    assert_int_equal(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
    t = timegm(&tm);
    *na = (int64_t)t;
    strftime(nat, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    X509_free(x);
}

/* A token signed with a TSA certificate valid for 2 days (short.pem, made
 * by make-tsa.sh in this test's set-up, -days 2): its genTime is inside the
 * validity. Verified now, the certificate is valid; verified a day after
 * notAfter, the token still verifies (judged at genTime) and the result
 * says the certificate has expired, with both dates. */
static void test_expired_tsa_certificate(void **state)
{
    tsa_fixture *f = *state;
    const char note[] = "example.org/log\n4\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n";
    uint8_t imprint[32];
    constat_tsa_request req;
    constat_tsa_info info;
    constat_error err;
    constat_tsa_check chk;
    char path[1100], nbt[32], nat[32], *resp, *ca, *lresp;
    int64_t nb, na, lnb, lna;
    size_t rl, cl, ll;

    snprintf(path, sizeof path, "%s/tsa/short.pem", f->dir);
    cert_dates(path, &nb, &na, nbt, nat);
    assert_int_equal(na - nb, 2 * 86400);
    assert_true(nb <= (int64_t)time(NULL) && nb > (int64_t)time(NULL) - 3600);
    constat_sha256(note, sizeof note - 1, imprint);
    assert_int_equal(constat_tsa_request_make(imprint, &req, &err), CONSTAT_OK);
    resp = reply_to(f, &req, "short", &rl);
    ca = fixture_file(f, "ca.pem", &cl);

    /* the verification clock (0): valid, dates given */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, NULL, 0, &req, 0};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_OK);
    assert_string_equal(info.tsa, "/O=constat test/CN=constat short-lived TSA");
    assert_true(info.gen_time >= nb && info.gen_time <= na);
    assert_int_equal(info.cert_not_before, nb);
    assert_int_equal(info.cert_not_after, na);
    assert_string_equal(info.cert_not_before_text, nbt);
    assert_string_equal(info.cert_not_after_text, nat);
    assert_int_equal(info.cert_expired, 0);
    /* at notAfter itself: still valid (RFC 5280 4.1.2.5: inclusive) */
    chk.now = na;
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_OK);
    assert_int_equal(info.cert_expired, 0);
    /* a day after notAfter, offline from the note bytes: the token stands, expired said */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, (const uint8_t *)note, sizeof note - 1,
                              NULL, na + 86400};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_OK);
    assert_int_equal(info.reason, CONSTAT_TSA_OK);
    assert_int_equal(info.cert_expired, 1);
    assert_string_equal(info.cert_not_before_text, nbt);
    assert_string_equal(info.cert_not_after_text, nat);
    /* `openssl ts -verify` judges the chain at the current time by default:
     * with -attime after notAfter it refuses what constat accepts (and says
     * expired); at genTime it accepts */
    {
        char cmd[4000], r[1100];
        snprintf(r, sizeof r, "%s/r.tsr", f->dir);
        snprintf(path, sizeof path, "%s/note", f->dir);
        write_bytes(path, note, sizeof note - 1);
        snprintf(cmd, sizeof cmd,
                 "openssl ts -verify -in '%s' -data '%s' -CAfile '%s/tsa/ca.pem' -attime %lld "
                 ">/dev/null 2>&1",
                 r, path, f->dir, (long long)(na + 86400));
        assert_int_equal(run_status(cmd), 1);
        snprintf(cmd, sizeof cmd,
                 "openssl ts -verify -in '%s' -data '%s' -CAfile '%s/tsa/ca.pem' -attime %lld "
                 ">/dev/null 2>&1",
                 r, path, f->dir, (long long)info.gen_time);
        assert_int_equal(run_status(cmd), 0);
    }
    /* a token whose genTime is outside a certificate's validity is not
     * "expired", it is untrusted: the long-lived TSA at the same later
     * time is simply valid */
    {
        constat_tsa_request req2;
        assert_int_equal(constat_tsa_request_make(imprint, &req2, &err), CONSTAT_OK);
        lresp = reply_to(f, &req2, "tsa", &ll);
        snprintf(path, sizeof path, "%s/tsa/tsa.pem", f->dir);
        cert_dates(path, &lnb, &lna, nbt, nat);
        chk = (constat_tsa_check){(const uint8_t *)ca, cl, NULL, 0, &req2, na + 86400};
        assert_int_equal(constat_tsa_verify((const uint8_t *)lresp, ll, &chk, &info, &err),
                         CONSTAT_OK);
        assert_int_equal(info.cert_expired, 0);
        assert_int_equal(info.cert_not_after, lna);
        assert_string_equal(info.cert_not_after_text, nat);
        constat_tsa_request_free(&req2);
        free(lresp);
    }
    /* a failed verification leaves the dates unset */
    chk = (constat_tsa_check){(const uint8_t *)ca, cl, (const uint8_t *)note, sizeof note - 2,
                              NULL, na + 86400};
    assert_int_equal(constat_tsa_verify((const uint8_t *)resp, rl, &chk, &info, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(info.cert_expired, 0);
    assert_string_equal(info.cert_not_after_text, "");
    free(resp);
    free(ca);
    constat_tsa_request_free(&req);
}

static void test_timeline(void **state)
{
    constat_tsa_timeline tl;
    int64_t t = 0;
    const char *who = NULL;
    (void)state;
    constat_tsa_timeline_init(&tl);
    assert_int_equal(constat_tsa_timeline_proven(&tl, 0, &t, NULL), 0);
    assert_int_equal(constat_tsa_timeline_add(&tl, 10, 1000, "a"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_add(&tl, 5, 2000, "b"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_add(&tl, 20, 500, "c"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_add(&tl, 30, 3000, "d"), CONSTAT_OK);
    /* leaf 0..4: sizes 5,10,20,30 cover it; earliest is c at 500 */
    assert_int_equal(constat_tsa_timeline_proven(&tl, 0, &t, &who), 1);
    assert_int_equal(t, 500);
    assert_string_equal(who, "c");
    assert_int_equal(constat_tsa_timeline_proven(&tl, 19, &t, &who), 1);
    assert_int_equal(t, 500);
    assert_int_equal(constat_tsa_timeline_proven(&tl, 20, &t, &who), 1);
    assert_int_equal(t, 3000);
    assert_string_equal(who, "d");
    assert_int_equal(constat_tsa_timeline_proven(&tl, 29, &t, NULL), 1);
    assert_int_equal(constat_tsa_timeline_proven(&tl, 30, &t, NULL), 0);
    /* adding after a query re-sorts */
    assert_int_equal(constat_tsa_timeline_add(&tl, 40, 100, "e"), CONSTAT_OK);
    assert_int_equal(constat_tsa_timeline_proven(&tl, 35, &t, &who), 1);
    assert_int_equal(t, 100);
    assert_int_equal(constat_tsa_timeline_proven(&tl, 0, &t, &who), 1);
    assert_int_equal(t, 100);
    assert_string_equal(who, "e");
    constat_tsa_timeline_free(&tl);
}

static int count_token(void *ctx, const constat_tsa_token *t)
{
    (void)t;
    (*(int *)ctx)++;
    return 0;
}

/* Vault side: configuration checks, and a TSA that is down changes nothing. */
static void test_vault_config_and_down(void **state)
{
    tsa_fixture *f = *state;
    char vdir[1100];
    constat_vault *v;
    constat_error err;
    constat_tsa_config cfg;
    size_t cl;
    char *ca = fixture_file(f, "ca.pem", &cl);
    constat_tsa_info info;
    int count = 0;
    constat_buf note;

    snprintf(vdir, sizeof vdir, "%s/vault", f->dir);
    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_vault_create(vdir, "org-a", "example.org/log", NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_open(vdir, NULL, &v, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(v, "amina", 1700000000, NULL, &err), CONSTAT_OK);

    cfg = (constat_tsa_config){"bad name", "http://127.0.0.1:1/", (const uint8_t *)ca, cl};
    assert_int_equal(constat_tsa_add(v, &cfg, 1, &err), CONSTAT_EINVAL);
    cfg = (constat_tsa_config){"local", "ftp://127.0.0.1/", (const uint8_t *)ca, cl};
    assert_int_equal(constat_tsa_add(v, &cfg, 1, &err), CONSTAT_EINVAL);
    cfg = (constat_tsa_config){"local", "http://127.0.0.1:1/", (const uint8_t *)"x", 1};
    assert_int_equal(constat_tsa_add(v, &cfg, 1, &err), CONSTAT_EINVAL);
    /* port 1 on loopback: nothing listens there */
    cfg = (constat_tsa_config){"local", "http://127.0.0.1:1/", (const uint8_t *)ca, cl};
    assert_int_equal(constat_tsa_add(v, &cfg, 1, &err), CONSTAT_OK);
    assert_int_equal(constat_tsa_add(v, &cfg, 1, &err), CONSTAT_ECONFLICT);

    assert_int_equal(constat_tsa_timestamp(v, &cfg, 2, &info, NULL, &err), CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "TSA local"));
    assert_non_null(strstr(err.msg, "127.0.0.1:1"));
    assert_int_equal(constat_tsa_tokens(v, count_token, &count, &err), CONSTAT_OK);
    assert_int_equal(count, 0);
    constat_buf_init(&note);
    assert_int_equal(constat_vault_latest_checkpoint(v, &note, &err), CONSTAT_OK);
    constat_buf_free(&note);
    constat_vault_close(v);
    free(ca);
}

/* constat_tsa_http against a local server: the request it sends and each
 * reply it refuses, with the TSA client's own wording. */
static void test_http_replies(void **state)
{
    static uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    constat_tsa_request req = {.der = der, .der_len = sizeof der};
    char *big = malloc(CONSTAT_TSA_RESPONSE_MAX + 200);
    char url[100], want[300];
    constat_buf out;
    constat_error e;
    tu_server s;
    int n;
    (void)state;

    assert_non_null(big);
    constat_buf_init(&out);

    /* a token reply: appended, and the request was a timestamp-query POST */
    tu_server_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n"
                        "Content-Length: 3\r\nConnection: close\r\n\r\nabc", 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tsa", s.port);
    assert_int_equal(constat_tsa_http(url, &req, &out, &e), CONSTAT_OK);
    tu_server_stop(&s);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "abc", 3);
    assert_memory_equal(s.request, "POST /tsa HTTP/1.1\r\n", 20);
    assert_non_null(strstr(s.request, "\r\nContent-Type: application/timestamp-query\r\n"));
    assert_non_null(strstr(s.request, "\r\nAccept: application/timestamp-reply\r\n"));
    assert_non_null(strstr(s.request, "\r\nUser-Agent: constat\r\n"));
    assert_memory_equal(s.request + s.request_len - sizeof der, der, sizeof der);

    /* a reply over the cap, announced or not */
    n = snprintf(big, 200, "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n"
                           "Connection: close\r\n\r\n");
    memset(big + n, 'x', CONSTAT_TSA_RESPONSE_MAX + 1);
    tu_server_start(&s, big, (size_t)n + CONSTAT_TSA_RESPONSE_MAX + 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tsa", s.port);
    assert_int_equal(constat_tsa_http(url, &req, &out, &e), CONSTAT_ELIMIT);
    tu_server_stop(&s);
    snprintf(want, sizeof want, "%s: reply exceeds %u bytes", url, CONSTAT_TSA_RESPONSE_MAX);
    assert_string_equal(e.msg, want);
    assert_int_equal(out.len, 3);
    tu_server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\nConnection: close\r\n\r\n",
                    0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tsa", s.port);
    assert_int_equal(constat_tsa_http(url, &req, &out, &e), CONSTAT_ELIMIT);
    tu_server_stop(&s);

    /* the wrong content type: named, cleaned, and the body not kept */
    tu_server_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n"
                        "Connection: close\r\n\r\nhi", 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tsa", s.port);
    assert_int_equal(constat_tsa_http(url, &req, &out, &e), CONSTAT_EIO);
    tu_server_stop(&s);
    snprintf(want, sizeof want,
             "%s: reply content type is text/html, not application/timestamp-reply", url);
    assert_string_equal(e.msg, want);
    assert_int_equal(out.len, 3);
    tu_server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
                    0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tsa", s.port);
    assert_int_equal(constat_tsa_http(url, &req, &out, &e), CONSTAT_EIO);
    tu_server_stop(&s);
    assert_non_null(strstr(e.msg, "reply content type is none,"));

    /* an HTTP error status; a redirect is not followed */
    tu_server_start(&s, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\n"
                        "Content-Length: 0\r\nConnection: close\r\n\r\n", 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tsa", s.port);
    assert_int_equal(constat_tsa_http(url, &req, &out, &e), CONSTAT_EIO);
    tu_server_stop(&s);
    snprintf(want, sizeof want, "%s: HTTP status 302", url);
    assert_string_equal(e.msg, want);

    /* URLs refused before any connection */
    assert_int_equal(constat_tsa_http("ftp://127.0.0.1/tsa", &req, &out, &e), CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "TSA URL must be http:// or https://"));
    assert_int_equal(constat_tsa_http("http://127.0.0.1/a b", &req, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(out.len, 3);
    constat_buf_free(&out);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigstage),
        cmocka_unit_test(test_sigstage_invalid_signature),
        cmocka_unit_test(test_sigstage_no_embedded_cert),
        cmocka_unit_test(test_identrust),
        cmocka_unit_test(test_injected_certs),
        cmocka_unit_test(test_digitorus),
        cmocka_unit_test(test_rejection_and_malformed),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_http_replies),
        cmocka_unit_test_setup_teardown(test_fresh_token, setup_tsa, teardown_tsa),
        cmocka_unit_test_setup_teardown(test_nonce_combinations, setup_tsa, teardown_tsa),
        cmocka_unit_test_setup_teardown(test_expired_tsa_certificate, setup_tsa, teardown_tsa),
        cmocka_unit_test_setup_teardown(test_vault_config_and_down, setup_tsa, teardown_tsa),
    };
    if (constat_init() != CONSTAT_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
