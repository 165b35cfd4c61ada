/*
 * tsa.c — RFC 3161 time-stamp tokens over signed checkpoints (tsa.h,
 * docs/time.md).
 *
 * OpenSSL's TS API does the ASN.1 and CMS work, but TS_RESP_verify_response
 * checks only what the TS_VERIFY_CTX flags ask for (docs/architecture.md, "Library traps"), and
 * TS_REQ_to_TS_VERIFY_CTX even clears the signature flag. So every context is
 * built here with its flags set explicitly, the store holds only the CA
 * bundle the caller trusts, and the check time is the token's own genTime.
 * The tables live in the vault's store (store_sqlite.c creates them); this
 * file reads and writes them through the store interface (vault/store.h,
 * constat_store_tsa_*), like every caller above the store.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "constat/record/canon.h"
#include "constat/base/hash.h"
#include "constat/base/limits.h"
#include "constat/log/merkle.h"
#include "constat/record/record.h"
#include "constat/evidence/tsa.h"
#include "constat/base/file.h"
#include "vault/store.h"
#include "base/http.h"
#include "base/text.h"


/* Text from certificates, TSAs and files is hostile: keep it printable. */
static void printable(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    if (!cap)
        return;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[o] = 0;
}

const char *constat_tsa_reason_name(constat_tsa_reason r)
{
    switch (r) {
    case CONSTAT_TSA_OK: return "ok";
    case CONSTAT_TSA_MALFORMED: return "malformed token";
    case CONSTAT_TSA_REJECTED: return "request not granted";
    case CONSTAT_TSA_BAD_CA: return "unreadable CA bundle";
    case CONSTAT_TSA_UNTRUSTED: return "untrusted TSA certificate";
    case CONSTAT_TSA_SIGNER: return "wrong or missing signer certificate";
    case CONSTAT_TSA_SIGNATURE: return "bad signature";
    case CONSTAT_TSA_IMPRINT: return "message imprint mismatch";
    case CONSTAT_TSA_NONCE: return "nonce mismatch";
    case CONSTAT_TSA_VERSION: return "unsupported version";
    case CONSTAT_TSA_HASH: return "imprint hash is not SHA-256";
    case CONSTAT_TSA_OTHER: return "verification failed";
    }
    return "verification failed";
}

/* Drain OpenSSL's error queue into `out` and name the first reason that
 * maps to one of ours. */
static constat_tsa_reason drain_errors(char *out, size_t cap)
{
    constat_tsa_reason r = CONSTAT_TSA_OTHER;
    int mapped = 0;
    size_t o = 0;
    unsigned long e;
    const char *data;
    int flags;

    if (cap)
        out[0] = 0;
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);
        constat_tsa_reason m = CONSTAT_TSA_OK;
        char one[300];
        const char *rs = ERR_reason_error_string(e);

        if (lib == ERR_LIB_TS) {
            switch (reason) {
            case TS_R_CERTIFICATE_VERIFY_ERROR:
            case TS_R_INVALID_SIGNER_CERTIFICATE_PURPOSE:
            case TS_R_TSA_UNTRUSTED:
                m = CONSTAT_TSA_UNTRUSTED;
                break;
            case TS_R_ESS_SIGNING_CERTIFICATE_ERROR:
            case TS_R_THERE_MUST_BE_ONE_SIGNER:
            case TS_R_TSA_NAME_MISMATCH:
                m = CONSTAT_TSA_SIGNER;
                break;
            case TS_R_SIGNATURE_FAILURE:
                m = CONSTAT_TSA_SIGNATURE;
                break;
            case TS_R_MESSAGE_IMPRINT_MISMATCH:
                m = CONSTAT_TSA_IMPRINT;
                break;
            case TS_R_NONCE_MISMATCH:
            case TS_R_NONCE_NOT_RETURNED:
                m = CONSTAT_TSA_NONCE;
                break;
            case TS_R_UNSUPPORTED_VERSION:
                m = CONSTAT_TSA_VERSION;
                break;
            case TS_R_WRONG_CONTENT_TYPE:
            case TS_R_BAD_PKCS7_TYPE:
            case TS_R_BAD_TYPE:
            case TS_R_DETACHED_CONTENT:
            case TS_R_NO_CONTENT:
            case TS_R_NO_TIME_STAMP_TOKEN:
            case TS_R_PKCS7_TO_TS_TST_INFO_FAILED:
                m = CONSTAT_TSA_MALFORMED;
                break;
            default:
                break;
            }
        } else if (lib == ERR_LIB_PKCS7 && reason == PKCS7_R_SIGNER_CERTIFICATE_NOT_FOUND) {
            m = CONSTAT_TSA_SIGNER;
        }
        if (m != CONSTAT_TSA_OK && !mapped) {
            r = m;
            mapped = 1;
        }
        constat_bprintf(one, sizeof one, "%s%s%s", rs ? rs : "error",
                (data && (flags & ERR_TXT_STRING) && *data) ? ": " : "",
                (data && (flags & ERR_TXT_STRING)) ? data : "");
        if (o < cap && o + 3 < cap) {
            char clean[300];
            printable(one, strlen(one), clean, sizeof clean);
            constat_bprintf(out + o, cap - o, "%s%s", o ? "; " : "", clean);
            o += strlen(out + o);
        }
    }
    return r;
}

/* ---- requests ------------------------------------------------------------ */

void constat_tsa_request_free(constat_tsa_request *r)
{
    if (!r)
        return;
    OPENSSL_free(r->der);
    memset(r, 0, sizeof *r);
}

constat_status constat_tsa_request_make(const uint8_t imprint[32], constat_tsa_request *out,
                                        constat_error *err)
{
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *nonce = NULL;
    BIGNUM *bn = NULL;
    unsigned char *der = NULL;
    uint8_t nb[8];
    uint64_t n = 0;
    int len;
    constat_status rc = CONSTAT_ENOMEM;

    memset(out, 0, sizeof *out);
    if (!req || !mi || !alg)
        goto done;
    /* a zero nonce would be encoded as 0 and look like "no nonce" to a
     * careless TSA: draw again */
    while (n == 0) {
        randombytes_buf(nb, sizeof nb);
        n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | nb[i];
    }
    for (int i = 0; i < 8; i++)
        nb[i] = (uint8_t)(n >> (56 - 8 * i));
    bn = BN_bin2bn(nb, 8, NULL);
    nonce = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    if (!nonce)
        goto done;
    if (!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
        !TS_MSG_IMPRINT_set_algo(mi, alg) || !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)imprint, 32) ||
        !TS_REQ_set_version(req, 1) || !TS_REQ_set_msg_imprint(req, mi) ||
        !TS_REQ_set_nonce(req, nonce) || !TS_REQ_set_cert_req(req, 1))
        goto done;
    len = i2d_TS_REQ(req, &der);
    if (len <= 0)
        goto done;
    out->der = der;
    out->der_len = (size_t)len;
    memcpy(out->imprint, imprint, 32);
    out->nonce = n;
    der = NULL;
    rc = CONSTAT_OK;
done:
    ERR_clear_error();
    TS_REQ_free(req);
    TS_MSG_IMPRINT_free(mi);
    X509_ALGOR_free(alg);
    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    OPENSSL_free(der);
    if (rc != CONSTAT_OK)
        return constat_error_set(err, rc, "cannot build the time-stamp request: out of memory");
    return CONSTAT_OK;
}

/* ---- parsing ------------------------------------------------------------- */

typedef struct {
    TS_RESP *resp;      /* NULL when the input was a bare token */
    PKCS7 *token;       /* owned only when resp is NULL */
    TS_TST_INFO *tst;   /* owned only when resp is NULL */
} parsed;

static void parsed_free(parsed *p)
{
    if (p->resp) {
        TS_RESP_free(p->resp);
    } else {
        PKCS7_free(p->token);
        TS_TST_INFO_free(p->tst);
    }
    memset(p, 0, sizeof *p);
}

static constat_status fail_reason(constat_tsa_info *info, constat_tsa_reason r,
                                  constat_error *err, const char *fmt, ...)
    CONSTAT_PRINTF(4, 5);
static constat_status fail_reason(constat_tsa_info *info, constat_tsa_reason r,
                                  constat_error *err, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (info)
        info->reason = r;
    return constat_error_set(err, CONSTAT_EVERIFY, "%s: %s", constat_tsa_reason_name(r), msg);
}

static void status_text(TS_STATUS_INFO *si, char *out, size_t cap)
{
    const STACK_OF(ASN1_UTF8STRING) *text = TS_STATUS_INFO_get0_text(si);
    const ASN1_BIT_STRING *fi = TS_STATUS_INFO_get0_failure_info(si);
    static const char *const fnames[] = {"badAlg", NULL, "badRequest", NULL, NULL,
                                         "badDataFormat", NULL, NULL, NULL, NULL,
                                         NULL, NULL, NULL, NULL, "timeNotAvailable",
                                         "unacceptedPolicy", "unacceptedExtension",
                                         "addInfoNotAvailable", NULL, NULL, NULL, NULL,
                                         NULL, NULL, NULL, "systemFailure"};
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; text && i < sk_ASN1_UTF8STRING_num(text) && o + 4 < cap; i++) {
        const ASN1_UTF8STRING *s = sk_ASN1_UTF8STRING_value(text, i);
        char clean[200];
        printable((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), clean,
                  sizeof clean);
        constat_bprintf(out + o, cap - o, "%s\"%s\"", o ? ", " : "", clean);
        o += strlen(out + o);
    }
    for (int b = 0; fi && b < (int)(sizeof fnames / sizeof fnames[0]) && o + 4 < cap; b++)
        if (fnames[b] && ASN1_BIT_STRING_get_bit(fi, b)) {
            constat_bprintf(out + o, cap - o, "%s%s", o ? ", " : "", fnames[b]);
            o += strlen(out + o);
        }
}

static void fill_info(TS_TST_INFO *tst, constat_tsa_info *info)
{
    const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(tst);
    const ASN1_INTEGER *serial = TS_TST_INFO_get_serial(tst);
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
    X509_ALGOR *alg = mi ? TS_MSG_IMPRINT_get_algo(mi) : NULL;
    ASN1_OBJECT *pol = TS_TST_INFO_get_policy_id(tst);
    struct tm tm;

    if (gt && ASN1_TIME_to_tm(gt, &tm) == 1) {
        time_t t = timegm(&tm);
        info->gen_time = (int64_t)t;
        constat_rfc3339_format(info->gen_time, 0, info->gen_time_text);
    }
    if (serial) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        if (hex)
            printable(hex, strlen(hex), info->serial, sizeof info->serial);
        OPENSSL_free(hex);
        BN_free(bn);
    }
    if (alg) {
        const ASN1_OBJECT *obj = NULL;
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
        int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : "unknown";
        printable(sn, strlen(sn), info->hash, sizeof info->hash);
    }
    if (pol) {
        char txt[96];
        if (OBJ_obj2txt(txt, sizeof txt, pol, 1) > 0)
            printable(txt, strlen(txt), info->policy, sizeof info->policy);
    }
    info->has_nonce = TS_TST_INFO_get_nonce(tst) != NULL;
}

/* Parse DER as a TimeStampResp (requiring status granted) or, failing
 * that, as a bare TimeStampToken. */
static constat_status parse_any(const uint8_t *der, size_t len, parsed *p,
                                constat_tsa_info *info, constat_error *err)
{
    const unsigned char *q = der;
    memset(p, 0, sizeof *p);
    if (len > CONSTAT_TSA_RESPONSE_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "time-stamp response of %zu bytes exceeds %u", len,
                                 CONSTAT_TSA_RESPONSE_MAX);
    if (len == 0)
        return fail_reason(info, CONSTAT_TSA_MALFORMED, err, "empty");
    p->resp = d2i_TS_RESP(NULL, &q, (long)len);
    if (p->resp && q != der + len) {
        TS_RESP_free(p->resp);
        ERR_clear_error();
        return fail_reason(info, CONSTAT_TSA_MALFORMED, err,
                           "%zu bytes after the TimeStampResp", (size_t)(der + len - q));
    }
    if (p->resp) {
        TS_STATUS_INFO *si = TS_RESP_get_status_info(p->resp);
        long status = si ? ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si)) : -1;
        if (status != 0) {
            static const char *const names[] = {"granted", "grantedWithMods", "rejection",
                                                "waiting", "revocationWarning",
                                                "revocationNotification"};
            char text[300] = "";
            if (si)
                status_text(si, text, sizeof text);
            parsed_free(p);
            ERR_clear_error();
            return fail_reason(info, CONSTAT_TSA_REJECTED, err, "status %ld (%s)%s%s", status,
                               status >= 0 && status <= 5 ? names[status] : "unknown",
                               text[0] ? ": " : "", text);
        }
        p->token = TS_RESP_get_token(p->resp);
        p->tst = TS_RESP_get_tst_info(p->resp);
        if (!p->token || !p->tst) {
            parsed_free(p);
            ERR_clear_error();
            return fail_reason(info, CONSTAT_TSA_MALFORMED, err,
                               "status granted but no time-stamp token");
        }
    } else {
        q = der;
        p->token = d2i_PKCS7(NULL, &q, (long)len);
        if (!p->token || q != der + len) {
            PKCS7_free(p->token);
            p->token = NULL;
            ERR_clear_error();
            return fail_reason(info, CONSTAT_TSA_MALFORMED, err,
                               "neither a TimeStampResp nor a TimeStampToken (DER)");
        }
        p->tst = PKCS7_to_TS_TST_INFO(p->token);
        if (!p->tst) {
            char detail[400];
            drain_errors(detail, sizeof detail);
            parsed_free(p);
            return fail_reason(info, CONSTAT_TSA_MALFORMED, err, "not a time-stamp token: %s",
                               detail);
        }
    }
    if (info)
        fill_info(p->tst, info);
    ERR_clear_error();
    return CONSTAT_OK;
}

constat_status constat_tsa_parse(const uint8_t *resp, size_t len, constat_tsa_info *info,
                                 constat_error *err)
{
    parsed p;
    constat_status rc;
    if (info)
        memset(info, 0, sizeof *info);
    rc = parse_any(resp, len, &p, info, err);
    if (rc == CONSTAT_OK)
        parsed_free(&p);
    return rc;
}

/* ---- verification -------------------------------------------------------- */

/* The CA bundle as trust anchors: PEM with one or more certificates, or a
 * single DER certificate (IdenTrust ships its root that way). */
static constat_status load_ca(const uint8_t *ca, size_t len, X509_STORE **store,
                              STACK_OF(X509) **certs, constat_error *err)
{
    BIO *bio;
    X509 *x;
    int n = 0;

    *store = NULL;
    *certs = NULL;
    if (len > CONSTAT_TSA_CA_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT, "CA bundle of %zu bytes exceeds %u",
                                 len, CONSTAT_TSA_CA_MAX);
    *store = X509_STORE_new();
    *certs = sk_X509_new_null();
    if (!*store || !*certs)
        goto nomem;
    bio = BIO_new_mem_buf(ca, (int)len);
    if (!bio)
        goto nomem;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!X509_STORE_add_cert(*store, x) || !sk_X509_push(*certs, x)) {
            X509_free(x);
            BIO_free(bio);
            goto nomem;
        }
        n++;
    }
    BIO_free(bio);
    ERR_clear_error();
    if (n == 0 && len > 0) {
        const unsigned char *q = ca;
        x = d2i_X509(NULL, &q, (long)len);
        if (x && q == ca + len) {
            if (!X509_STORE_add_cert(*store, x) || !sk_X509_push(*certs, x)) {
                X509_free(x);
                goto nomem;
            }
            n++;
        } else {
            X509_free(x);
        }
        ERR_clear_error();
    }
    if (n == 0) {
        X509_STORE_free(*store);
        sk_X509_pop_free(*certs, X509_free);
        *store = NULL;
        *certs = NULL;
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: the CA bundle holds no certificate (PEM or DER)",
                                 constat_tsa_reason_name(CONSTAT_TSA_BAD_CA));
    }
    return CONSTAT_OK;
nomem:
    X509_STORE_free(*store);
    sk_X509_pop_free(*certs, X509_free);
    *store = NULL;
    *certs = NULL;
    ERR_clear_error();
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

/* An X.509 time as seconds since the epoch; 0 if it cannot be read. */
static int asn1_seconds(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    *out = (int64_t)timegm(&tm);
    return 1;
}

/* The verified signer certificate: its subject, its validity, and whether
 * it has expired by `now` (the chain itself was judged at genTime). */
static void signer_details(PKCS7 *token, STACK_OF(X509) *extra, int64_t now,
                           constat_tsa_info *info)
{
    STACK_OF(X509) *signers = PKCS7_get0_signers(token, extra, 0);
    info->tsa[0] = 0;
    if (signers && sk_X509_num(signers) == 1) {
        X509 *x = sk_X509_value(signers, 0);
        char buf[512];
        X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
        printable(buf, strlen(buf), info->tsa, sizeof info->tsa);
        if (asn1_seconds(X509_get0_notBefore(x), &info->cert_not_before))
            constat_rfc3339_format(info->cert_not_before, 0, info->cert_not_before_text);
        if (asn1_seconds(X509_get0_notAfter(x), &info->cert_not_after)) {
            constat_rfc3339_format(info->cert_not_after, 0, info->cert_not_after_text);
            info->cert_expired = now > info->cert_not_after;
        }
    }
    sk_X509_free(signers);
    ERR_clear_error();
}

constat_status constat_tsa_verify(const uint8_t *resp, size_t len,
                                  const constat_tsa_check *chk, constat_tsa_info *info,
                                  constat_error *err)
{
    constat_tsa_info local;
    parsed p;
    X509_STORE *store = NULL;
    STACK_OF(X509) *certs = NULL, *extra = NULL;
    TS_VERIFY_CTX *ctx = NULL;
    TS_REQ *req = NULL;
    constat_status rc;
    int ok;

    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (!chk || !chk->ca || !chk->ca_len)
        return constat_error_set(err, CONSTAT_EINVAL, "no CA bundle to verify the token with");
    if ((chk->data != NULL) == (chk->request != NULL))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "give either the time-stamped data or the request");
    rc = parse_any(resp, len, &p, info, err);
    if (rc != CONSTAT_OK)
        return rc;
    rc = load_ca(chk->ca, chk->ca_len, &store, &certs, err);
    if (rc != CONSTAT_OK) {
        if (rc == CONSTAT_EINVAL)
            info->reason = CONSTAT_TSA_BAD_CA;
        parsed_free(&p);
        return rc;
    }
    /* Every certificate of the bundle is a trust anchor, and the chain is
     * judged at the token's genTime (tsa.h). */
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), (time_t)info->gen_time);
    extra = X509_chain_up_ref(certs);
    if (!extra)
        goto nomem;

    if (chk->request) {
        const unsigned char *q = chk->request->der;
        const ASN1_OBJECT *obj = NULL;
        X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(p.tst));
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
        if (!obj || OBJ_obj2nid(obj) != NID_sha256) {
            rc = fail_reason(info, CONSTAT_TSA_HASH, err, "the token uses %s", info->hash);
            goto done;
        }
        if (!chk->request->der || chk->request->der_len == 0 ||
            chk->request->der_len > CONSTAT_TSA_RESPONSE_MAX) {
            rc = constat_error_set(err, CONSTAT_EINVAL,
                                   "the request is not DER of a TimeStampReq (%zu bytes)",
                                   chk->request->der_len);
            goto done;
        }
        req = d2i_TS_REQ(NULL, &q, (long)chk->request->der_len);
        if (!req || q != chk->request->der + chk->request->der_len ||
            ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(req))) <= 0) {
            rc = constat_error_set(err, CONSTAT_EINVAL,
                                   "the request is not DER of a TimeStampReq with a message "
                                   "imprint");
            goto done;
        }
        ctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
        if (!ctx)
            goto nomem;
        /* TS_REQ_to_TS_VERIFY_CTX leaves the signature check off, so the flags
         * are set here, as `openssl ts -verify -queryfile` sets them: the
         * nonce is checked when the request carried one (then the reply must
         * return it), and not at all when it did not (a reply may then carry
         * any nonce, or none); the policy likewise. */
        TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_SIGNER |
                                         TS_VFY_IMPRINT |
                                         (TS_REQ_get_nonce(req) ? TS_VFY_NONCE : 0) |
                                         (TS_REQ_get_policy_id(req) ? TS_VFY_POLICY : 0));
    } else {
        BIO *data = BIO_new_mem_buf(chk->data, (int)chk->data_len);
        ctx = TS_VERIFY_CTX_new();
        if (!ctx || !data) {
            BIO_free(data);
            goto nomem;
        }
        TS_VERIFY_CTX_set_data(ctx, data);
        TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_SIGNER |
                                         TS_VFY_DATA);
    }
    /* the context owns the store and the bundle's certificates (which also
     * let a token that carries no certificate find its signer) */
    TS_VERIFY_CTX_set_store(ctx, store);
    store = NULL;
    TS_VERIFY_CTX_set_certs(ctx, certs);
    certs = NULL;
    ERR_clear_error();
    ok = p.resp ? TS_RESP_verify_response(ctx, p.resp) : TS_RESP_verify_token(ctx, p.token);
    if (ok != 1) {
        char detail[400];
        constat_tsa_reason r = drain_errors(detail, sizeof detail);
        rc = fail_reason(info, r, err, "%s", detail[0] ? detail : "OpenSSL gave no detail");
        goto done;
    }
    signer_details(p.token, extra, chk->now ? chk->now : (int64_t)time(NULL), info);
    info->reason = CONSTAT_TSA_OK;
    rc = CONSTAT_OK;
    goto done;
nomem:
    rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
done:
    ERR_clear_error();
    TS_VERIFY_CTX_free(ctx);
    TS_REQ_free(req);
    X509_STORE_free(store);
    sk_X509_pop_free(certs, X509_free);
    sk_X509_pop_free(extra, X509_free);
    parsed_free(&p);
    return rc;
}

/* ---- HTTP ---------------------------------------------------------------- */

constat_status constat_tsa_http(const char *url, const constat_tsa_request *req,
                                constat_buf *out, constat_error *err)
{
    static const char *const headers[] = {"Content-Type: application/timestamp-query",
                                          "Accept: application/timestamp-reply", NULL};
    const constat_http_options o = {
        .timeout_s = CONSTAT_TSA_TIMEOUT_S,
        .connect_timeout_s = 10,
        .user_agent = "constat",
        .headers = headers,
    };
    constat_http *h;
    constat_buf ctype;
    size_t start = out->len;
    long code = 0;
    constat_status rc;

    if (!url || !constat_http_url_ok(url, CONSTAT_TSA_URL_MAX))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "TSA URL must be http:// or https://, printable, at most %u bytes",
                                 CONSTAT_TSA_URL_MAX);
    rc = constat_http_open(&o, &h, err);
    if (rc == CONSTAT_EIO)
        return constat_error_set(err, CONSTAT_ENOMEM, "cannot start libcurl");
    if (rc != CONSTAT_OK)
        return rc;
    constat_buf_init(&ctype);
    rc = constat_http_request(h, url, req->der, req->der_len, CONSTAT_TSA_RESPONSE_MAX, out, &code, &ctype, err);
    if (rc == CONSTAT_ELIMIT) {
        rc = constat_error_set(err, CONSTAT_ELIMIT, "%s: reply exceeds %u bytes", url,
                               CONSTAT_TSA_RESPONSE_MAX);
    } else if (rc == CONSTAT_OK) {
        const char *ct = (const char *)ctype.data;
        if (code != 200) {
            rc = constat_error_set(err, CONSTAT_EIO, "%s: HTTP status %ld", url, code);
        } else if (!ct || !*ct || strncmp(ct, "application/timestamp-reply", 27) != 0) {
            char clean[100];
            const char *shown = ct && *ct ? ct : "none";
            printable(shown, strlen(shown), clean, sizeof clean);
            rc = constat_error_set(err, CONSTAT_EIO,
                                   "%s: reply content type is %s, not "
                                   "application/timestamp-reply",
                                   url, clean);
        }
        if (rc != CONSTAT_OK) /* a reply that is not a token is not kept */
            out->len = start;
    }
    constat_buf_free(&ctype);
    constat_http_close(h);
    return rc;
}

/* ---- configuration and tokens in the vault ------------------------------- */

int constat_tsa_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > CONSTAT_TSA_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

constat_status constat_tsa_add(constat_vault *v, const constat_tsa_config *cfg, int64_t now,
                               constat_error *err)
{
    X509_STORE *store;
    STACK_OF(X509) *certs;
    constat_store_tsa_config row;
    constat_status rc;

    if (!cfg || !constat_tsa_name_valid(cfg->name))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "TSA name must be 1 to %d characters of A-Z a-z 0-9 . _ -",
                                 CONSTAT_TSA_NAME_MAX);
    if (!cfg->url || !constat_http_url_ok(cfg->url, CONSTAT_TSA_URL_MAX))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "TSA URL must be http:// or https://, printable, at most %u bytes",
                                 CONSTAT_TSA_URL_MAX);
    rc = load_ca(cfg->ca, cfg->ca_len, &store, &certs, err);
    if (rc != CONSTAT_OK)
        return rc;
    X509_STORE_free(store);
    sk_X509_pop_free(certs, X509_free);
    row.name = cfg->name;
    row.url = cfg->url;
    row.ca = cfg->ca;
    row.ca_len = cfg->ca_len;
    return constat_store_tsa_config_put(constat_vault_store(v), &row, now, err);
}

/* The store's rows handed on as the public structs of tsa.h. */
typedef struct {
    constat_tsa_config_fn cfg_fn;
    constat_tsa_token_fn token_fn;
    void *ctx;
} row_relay;

static int relay_config(void *vctx, const constat_store_tsa_config *c)
{
    row_relay *r = vctx;
    constat_tsa_config out;
    out.name = c->name;
    out.url = c->url;
    out.ca = c->ca;
    out.ca_len = c->ca_len;
    return r->cfg_fn(r->ctx, &out);
}

constat_status constat_tsa_list(constat_vault *v, constat_tsa_config_fn fn, void *ctx,
                                constat_error *err)
{
    row_relay r = {fn, NULL, ctx};
    return constat_store_tsa_configs(constat_vault_store(v), relay_config, &r, err);
}

static int relay_token(void *vctx, const constat_store_tsa_token *t)
{
    row_relay *r = vctx;
    constat_tsa_token out;
    out.id = t->id;
    out.checkpoint_size = t->checkpoint_size;
    out.note = t->note;
    out.note_len = t->note_len;
    out.tsa_name = t->tsa_name;
    out.url = t->url;
    out.ca = t->ca;
    out.ca_len = t->ca_len;
    out.der = t->der;
    out.der_len = t->der_len;
    out.gen_time = t->gen_time;
    out.received_at = t->received_at;
    return r->token_fn(r->ctx, &out);
}

constat_status constat_tsa_tokens(constat_vault *v, constat_tsa_token_fn fn, void *ctx,
                                  constat_error *err)
{
    row_relay r = {NULL, fn, ctx};
    return constat_store_tsa_tokens(constat_vault_store(v), relay_token, &r, err);
}

/* Length of a signed note's text (up to and including the newline before
 * the blank line), 0 if there is no blank line. */
static size_t note_text_len(const uint8_t *note, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (note[i] == '\n' && note[i + 1] == '\n')
            return i + 1;
    return 0;
}

constat_status constat_tsa_timestamp(constat_vault *v, const constat_tsa_config *cfg,
                                     int64_t now, constat_tsa_info *info, uint64_t *size,
                                     constat_error *err)
{
    constat_buf note, reply;
    constat_tsa_request req;
    constat_tsa_check chk;
    constat_tsa_info local;
    constat_checkpoint cp;
    uint8_t imprint[32];
    constat_store_tsa_token row;
    size_t tl;
    constat_status rc;

    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    memset(&req, 0, sizeof req);
    if (!cfg || !constat_tsa_name_valid(cfg->name) || !cfg->ca || !cfg->ca_len)
        return constat_error_set(err, CONSTAT_EINVAL, "no valid TSA name or CA bundle");
    constat_buf_init(&note);
    constat_buf_init(&reply);
    rc = constat_vault_checkpoint(v, &note, err);
    if (rc != CONSTAT_OK)
        goto done;
    tl = note_text_len(note.data, note.len);
    rc = tl ? constat_checkpoint_parse((const char *)note.data, tl, &cp, err)
            : constat_error_set(err, CONSTAT_EINTERNAL, "the vault's checkpoint is not a note");
    if (rc != CONSTAT_OK)
        goto done;
    constat_sha256(note.data, note.len, imprint);
    rc = constat_tsa_request_make(imprint, &req, err);
    if (rc != CONSTAT_OK)
        goto done;
    rc = constat_tsa_http(cfg->url, &req, &reply, err);
    if (rc != CONSTAT_OK) {
        constat_error_prefix(err, "TSA %s: ", cfg->name);
        goto done;
    }
    memset(&chk, 0, sizeof chk);
    chk.ca = cfg->ca;
    chk.ca_len = cfg->ca_len;
    chk.request = &req;
    rc = constat_tsa_verify(reply.data, reply.len, &chk, info, err);
    if (rc != CONSTAT_OK) {
        constat_error_prefix(err, "TSA %s (%s): reply refused: ", cfg->name, cfg->url);
        goto done;
    }
    memset(&row, 0, sizeof row);
    row.checkpoint_size = cp.size;
    row.note = note.data;
    row.note_len = note.len;
    row.note_sha256 = imprint;
    row.tsa_name = cfg->name;
    row.url = cfg->url ? cfg->url : "";
    row.ca = cfg->ca;
    row.ca_len = cfg->ca_len;
    row.der = reply.data;
    row.der_len = reply.len;
    row.gen_time = info->gen_time;
    row.received_at = now;
    rc = constat_store_tsa_token_put(constat_vault_store(v), &row, err);
    if (rc == CONSTAT_OK && size)
        *size = cp.size;
done:
    constat_tsa_request_free(&req);
    constat_buf_free(&note);
    constat_buf_free(&reply);
    return rc;
}

/* ---- timeline ------------------------------------------------------------ */

void constat_tsa_timeline_init(constat_tsa_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
}

void constat_tsa_timeline_free(constat_tsa_timeline *tl)
{
    free(tl->size);
    free(tl->time);
    free(tl->tsa);
    memset(tl, 0, sizeof *tl);
}

constat_status constat_tsa_timeline_add(constat_tsa_timeline *tl, uint64_t size, int64_t time,
                                        const char *tsa)
{
    if (tl->n == tl->cap) {
        size_t cap = tl->cap ? tl->cap * 2 : 16;
        uint64_t *s = realloc(tl->size, cap * sizeof *s);
        if (!s)
            return CONSTAT_ENOMEM;
        tl->size = s;
        int64_t *t = realloc(tl->time, cap * sizeof *t);
        if (!t)
            return CONSTAT_ENOMEM;
        tl->time = t;
        char(*a)[CONSTAT_TSA_NAME_MAX + 1] = realloc(tl->tsa, cap * sizeof *a);
        if (!a)
            return CONSTAT_ENOMEM;
        tl->tsa = a;
        tl->cap = cap;
    }
    tl->size[tl->n] = size;
    tl->time[tl->n] = time;
    constat_bprintf(tl->tsa[tl->n], sizeof tl->tsa[tl->n], "%s", tsa ? tsa : "");
    tl->n++;
    tl->sorted = 0;
    return CONSTAT_OK;
}

/* Sort points by size (insertion sort on few points would do, but a vault
 * timestamped daily for years has thousands), then turn times into suffix
 * minima so a query is one binary search. */
static void timeline_sort(constat_tsa_timeline *tl)
{
    size_t *ord;
    uint64_t *s;
    int64_t *t;
    char(*a)[CONSTAT_TSA_NAME_MAX + 1];

    if (tl->sorted || tl->n == 0) {
        tl->sorted = 1;
        return;
    }
    ord = malloc(tl->n * sizeof *ord);
    s = malloc(tl->n * sizeof *s);
    t = malloc(tl->n * sizeof *t);
    a = malloc(tl->n * sizeof *a);
    if (ord && s && t && a) {
        for (size_t i = 0; i < tl->n; i++)
            ord[i] = i;
        /* shell sort on indices: no global context needed (qsort has none) */
        for (size_t gap = tl->n / 2; gap > 0; gap /= 2)
            for (size_t i = gap; i < tl->n; i++)
                for (size_t j = i; j >= gap && tl->size[ord[j - gap]] > tl->size[ord[j]];
                     j -= gap) {
                    size_t x = ord[j];
                    ord[j] = ord[j - gap];
                    ord[j - gap] = x;
                }
        for (size_t i = 0; i < tl->n; i++) {
            s[i] = tl->size[ord[i]];
            t[i] = tl->time[ord[i]];
            memcpy(a[i], tl->tsa[ord[i]], sizeof a[i]);
        }
        for (size_t i = tl->n - 1; i > 0; i--)
            if (t[i] < t[i - 1]) {
                t[i - 1] = t[i];
                memcpy(a[i - 1], a[i], sizeof a[i]);
            }
        free(tl->size);
        free(tl->time);
        free(tl->tsa);
        tl->size = s;
        tl->time = t;
        tl->tsa = a;
        tl->cap = tl->n;
        tl->sorted = 1;
        free(ord);
        return;
    }
    free(ord);
    free(s);
    free(t);
    free(a);
}

int constat_tsa_timeline_proven(constat_tsa_timeline *tl, uint64_t index, int64_t *time,
                                const char **tsa)
{
    size_t lo = 0, hi;
    timeline_sort(tl);
    if (!tl->sorted) {
        /* out of memory while sorting: answer by a linear scan */
        int found = 0;
        for (size_t i = 0; i < tl->n; i++)
            if (tl->size[i] > index && (!found || tl->time[i] < *time)) {
                *time = tl->time[i];
                if (tsa)
                    *tsa = tl->tsa[i];
                found = 1;
            }
        return found;
    }
    hi = tl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->size[mid] > index)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == tl->n)
        return 0;
    *time = tl->time[lo];
    if (tsa)
        *tsa = tl->tsa[lo];
    return 1;
}

typedef struct {
    constat_tsa_timeline *tl;
    uint64_t tree;
    constat_status rc;
} load_ctx;

static int load_one(void *vctx, const constat_tsa_token *t)
{
    load_ctx *c = vctx;
    if (t->checkpoint_size == 0 || t->checkpoint_size > c->tree)
        return 0;
    c->rc = constat_tsa_timeline_add(c->tl, t->checkpoint_size, t->gen_time, t->tsa_name);
    return c->rc != CONSTAT_OK;
}

constat_status constat_tsa_timeline_load(constat_vault *v, constat_tsa_timeline *tl,
                                         constat_error *err)
{
    return constat_tsa_timeline_load_upto(v, constat_vault_size(v), tl, err);
}

constat_status constat_tsa_timeline_load_upto(constat_vault *v, uint64_t max_size,
                                              constat_tsa_timeline *tl, constat_error *err)
{
    load_ctx c = {tl, max_size, CONSTAT_OK};
    constat_status rc = constat_tsa_tokens(v, load_one, &c, err);
    if (rc != CONSTAT_OK)
        return rc;
    if (c.rc != CONSTAT_OK)
        return constat_error_set(err, c.rc, "out of memory");
    return CONSTAT_OK;
}

/* ---- dossiers ------------------------------------------------------------ */

typedef struct {
    uint64_t size;
    uint8_t *note, *ca, *der;
    size_t note_len, ca_len, der_len;
    char tsa[CONSTAT_TSA_NAME_MAX + 1];
    char *url;
} held_token;

typedef struct {
    held_token *v;
    size_t n, cap;
    uint64_t tree;
    int oom;
} held;

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

static int hold_one(void *vctx, const constat_tsa_token *t)
{
    held *h = vctx;
    held_token *x;
    if (t->checkpoint_size == 0 || t->checkpoint_size > h->tree)
        return 0;
    if (h->n == CONSTAT_TSA_DOSSIER_MAX_TOKENS)
        return 1;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        held_token *nv = realloc(h->v, cap * sizeof *nv);
        if (!nv) {
            h->oom = 1;
            return 1;
        }
        h->v = nv;
        h->cap = cap;
    }
    x = &h->v[h->n];
    memset(x, 0, sizeof *x);
    x->size = t->checkpoint_size;
    x->note = dup_bytes(t->note, t->note_len);
    x->ca = dup_bytes(t->ca, t->ca_len);
    x->der = dup_bytes(t->der, t->der_len);
    x->url = strdup(t->url);
    x->note_len = t->note_len;
    x->ca_len = t->ca_len;
    x->der_len = t->der_len;
    constat_bprintf(x->tsa, sizeof x->tsa, "%s", t->tsa_name);
    h->n++;
    if (!x->note || !x->ca || !x->der || !x->url) {
        h->oom = 1;
        return 1;
    }
    return 0;
}

static void held_free(held *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].note);
        free(h->v[i].ca);
        free(h->v[i].der);
        free(h->v[i].url);
    }
    free(h->v);
}

static constat_status put_file(const char *dir, const char *name, const void *data, size_t len,
                               constat_error *err)
{
    char path[4400];
    FILE *f;
    constat_bprintf(path, sizeof path, "%s/timestamps/%s", dir, name);
    f = fopen(path, "wbx");
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot create: %s", path,
                                 strerror(errno));
    int bad = len && fwrite(data, 1, len, f) != len;
    /* close even after a failed write, so no descriptor leaks */
    if (fclose(f) != 0)
        bad = 1;
    if (bad) {
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot write: %s", path,
                                 strerror(errno));
    }
    return CONSTAT_OK;
}

constat_status constat_tsa_dossier_write(constat_vault *v, const char *dir,
                                         uint64_t tree_size, uint64_t *count,
                                         constat_error *err)
{
    held h;
    constat_status rc;
    constat_buf b;
    char path[4400];

    memset(&h, 0, sizeof h);
    h.tree = tree_size;
    if (count)
        *count = 0;
    if (strlen(dir) > 4000)
        return constat_error_set(err, CONSTAT_EINVAL, "dossier path too long");
    rc = constat_tsa_tokens(v, hold_one, &h, err);
    if (rc == CONSTAT_OK && h.oom)
        rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (rc != CONSTAT_OK || h.n == 0) {
        held_free(&h);
        return rc;
    }
    constat_bprintf(path, sizeof path, "%s/timestamps", dir);
    if (mkdir(path, 0755) != 0) {
        rc = constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
        held_free(&h);
        return rc;
    }
    constat_buf_init(&b);
    for (size_t i = 0; i < h.n && rc == CONSTAT_OK; i++) {
        held_token *t = &h.v[i];
        constat_proof proof;
        json_t *o = NULL, *arr = NULL;
        char name[64];

        rc = constat_vault_prove_consistency(v, t->size, tree_size, &proof, err);
        if (rc != CONSTAT_OK)
            break;
        o = json_object();
        arr = json_array();
        if (!o || !arr) {
            json_decref(o);
            json_decref(arr);
            rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < proof.n; k++) {
            char b64[48];
            constat_base64(proof.hash[k], 32, b64);
            json_array_append_new(arr, json_string(b64));
        }
        if (json_object_set_new(o, "v", json_integer(1)) ||
            json_object_set_new(o, "tsa", json_string(t->tsa)) ||
            json_object_set_new(o, "url", json_string(t->url)) ||
            json_object_set_new(o, "checkpoint_size", json_integer((json_int_t)t->size)) ||
            json_object_set(o, "consistency", arr)) {
            json_decref(o);
            json_decref(arr);
            rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            break;
        }
        json_decref(arr);
        constat_buf_reset(&b);
        rc = constat_canon(o, &b, err);
        json_decref(o);
        if (rc != CONSTAT_OK)
            break;
        constat_bprintf(name, sizeof name, "%zu.json", i + 1);
        rc = put_file(dir, name, b.data, b.len, err);
        constat_bprintf(name, sizeof name, "%zu.tsr", i + 1);
        if (rc == CONSTAT_OK)
            rc = put_file(dir, name, t->der, t->der_len, err);
        constat_bprintf(name, sizeof name, "%zu.checkpoint", i + 1);
        if (rc == CONSTAT_OK)
            rc = put_file(dir, name, t->note, t->note_len, err);
        constat_bprintf(name, sizeof name, "%zu.ca.pem", i + 1);
        if (rc == CONSTAT_OK)
            rc = put_file(dir, name, t->ca, t->ca_len, err);
    }
    if (rc == CONSTAT_OK && count)
        *count = h.n;
    constat_buf_free(&b);
    held_free(&h);
    return rc;
}

static constat_status slurp(const char *path, size_t max, constat_buf *out, constat_error *err)
{
    FILE *f = fopen(path, "rb");
    constat_status rc;
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "cannot read: %s", strerror(errno));
    rc = constat_file_read(f, max, out, err);
    fclose(f);
    return rc;
}

static int u64cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* "<n>.tsr" with n a canonical decimal in [1, 10^6). */
static int tsr_number(const char *name, uint64_t *n)
{
    size_t len = strlen(name), d = 0;
    uint64_t v = 0;
    if (len < 5 || strcmp(name + len - 4, ".tsr") != 0 || name[0] < '1' || name[0] > '9')
        return 0;
    for (d = 0; d < len - 4; d++) {
        if (name[d] < '0' || name[d] > '9' || d >= 6)
            return 0;
        v = v * 10 + (uint64_t)(name[d] - '0');
    }
    *n = v;
    return 1;
}

static void cfail(const constat_tsa_dossier_check *c, const char *where, const char *fmt, ...)
    CONSTAT_PRINTF(3, 4);
static void cfail(const constat_tsa_dossier_check *c, const char *where, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->fail)
        c->fail(c->ctx, where, msg);
}

static void cpass(const constat_tsa_dossier_check *c)
{
    if (c->pass)
        c->pass(c->ctx);
}

/* The <n>.json description: exactly v, tsa, url, checkpoint_size, consistency. */
static int parse_desc(const constat_buf *b, char *tsa, uint64_t *size, constat_proof *proof,
                      char *why, size_t cap)
{
    json_error_t je;
    json_t *o = json_loadb((const char *)b->data, b->len, JSON_REJECT_DUPLICATES, &je);
    json_t *v, *t, *u, *s, *arr;
    int ok = 0;

    if (!o || !json_is_object(o)) {
        constat_bprintf(why, cap, "not a JSON object: %s", o ? "wrong type" : je.text);
        json_decref(o);
        return 0;
    }
    v = json_object_get(o, "v");
    t = json_object_get(o, "tsa");
    u = json_object_get(o, "url");
    s = json_object_get(o, "checkpoint_size");
    arr = json_object_get(o, "consistency");
    if (json_object_size(o) != 5 || !json_is_integer(v) || json_integer_value(v) != 1 ||
        !json_is_string(t) || !constat_tsa_name_valid(json_string_value(t)) ||
        !json_is_string(u) || !json_is_integer(s) || json_integer_value(s) <= 0 ||
        !json_is_array(arr) || json_array_size(arr) > CONSTAT_PROOF_MAX_HASHES) {
        constat_bprintf(why, cap, "must hold exactly v (1), tsa (a TSA name), url, checkpoint_size "
                          "(> 0) and consistency (at most %d hashes)",
                CONSTAT_PROOF_MAX_HASHES);
        goto out;
    }
    constat_bprintf(tsa, CONSTAT_TSA_NAME_MAX + 1, "%s", json_string_value(t));
    *size = (uint64_t)json_integer_value(s);
    proof->n = json_array_size(arr);
    for (size_t i = 0; i < proof->n; i++) {
        json_t *h = json_array_get(arr, i);
        size_t got = 0;
        if (!json_is_string(h) ||
            constat_unbase64(json_string_value(h), json_string_length(h), proof->hash[i], 32,
                             &got) != CONSTAT_OK ||
            got != 32) {
            constat_bprintf(why, cap, "consistency[%zu] is not base64 of 32 bytes", i);
            goto out;
        }
    }
    ok = 1;
out:
    json_decref(o);
    return ok;
}

/* The pinned --tsa-ca bundle, when there is one (empty otherwise). */
static constat_status read_pinned_ca(const constat_tsa_dossier_check *c, constat_buf *pinned,
                                     constat_error *err)
{
    constat_error e;
    constat_status rc;
    if (!c->ca_file)
        return CONSTAT_OK;
    constat_error_clear(&e);
    rc = slurp(c->ca_file, CONSTAT_TSA_CA_MAX, pinned, &e);
    if (rc != CONSTAT_OK)
        return constat_error_set(err, rc, "%s: %s", c->ca_file, e.msg);
    return CONSTAT_OK;
}

/* The numbers n of the timestamps/<n>.tsr files, ascending, at most
 * CONSTAT_TSA_DOSSIER_MAX_TOKENS (more is a failure through c->fail).
 * *nums is malloc'd (NULL when n is 0); no timestamps/ folder is 0 tokens. */
static constat_status list_tokens(const constat_tsa_dossier_check *c, uint64_t **nums,
                                  size_t *count, constat_error *err)
{
    char path[4400];
    DIR *d;
    struct dirent *de;
    size_t n = 0, cap = 0;

    *nums = NULL;
    *count = 0;
    constat_bprintf(path, sizeof path, "%s/timestamps", c->dir);
    d = opendir(path);
    if (!d)
        return CONSTAT_OK; /* no timestamps: records simply have no proven time */
    while ((de = readdir(d)) != NULL) {
        uint64_t k;
        if (!tsr_number(de->d_name, &k))
            continue;
        if (n == CONSTAT_TSA_DOSSIER_MAX_TOKENS) {
            cfail(c, "timestamps/", "more than %u tokens: the rest are not checked",
                  CONSTAT_TSA_DOSSIER_MAX_TOKENS);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            uint64_t *nn = realloc(*nums, nc * sizeof *nn);
            if (!nn) {
                closedir(d);
                free(*nums);
                *nums = NULL;
                return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            }
            *nums = nn;
            cap = nc;
        }
        (*nums)[n++] = k;
    }
    closedir(d);
    if (n)
        qsort(*nums, n, sizeof **nums, u64cmp);
    *count = n;
    return CONSTAT_OK;
}

/* The four files of token n (the CA bundle only when none is pinned), in
 * buffers reused from token to token. */
typedef struct {
    char w_tsr[64], w_cp[64], w_json[64], w_ca[64]; /* "timestamps/<n>.tsr" ... */
    constat_buf tsr, note, desc, ca;
} token_files;

static void token_files_init(token_files *f)
{
    memset(f, 0, sizeof *f);
    constat_buf_init(&f->tsr);
    constat_buf_init(&f->note);
    constat_buf_init(&f->desc);
    constat_buf_init(&f->ca);
}

static void token_files_free(token_files *f)
{
    constat_buf_free(&f->tsr);
    constat_buf_free(&f->note);
    constat_buf_free(&f->desc);
    constat_buf_free(&f->ca);
}

/* Read `where` (relative to the dossier) into `buf`: a file that cannot be
 * read is a failure naming it (*ok = 0); only running out of memory is an
 * error. */
static constat_status read_one(const constat_tsa_dossier_check *c, const char *where,
                               constat_buf *buf, size_t max, int *ok)
{
    char path[4400];
    constat_error e;
    constat_status rc;
    constat_bprintf(path, sizeof path, "%s/%s", c->dir, where);
    constat_error_clear(&e);
    rc = slurp(path, max, buf, &e);
    if (rc == CONSTAT_ENOMEM)
        return rc;
    if (rc != CONSTAT_OK) {
        cfail(c, where, "%s", e.msg);
        *ok = 0;
    }
    return CONSTAT_OK;
}

/* Every file of token n is read (each missing one is its own failure);
 * *ok is 0 when one could not be. */
static constat_status read_token_files(const constat_tsa_dossier_check *c, uint64_t n,
                                       token_files *f, int *ok)
{
    constat_status rc;
    constat_bprintf(f->w_tsr, sizeof f->w_tsr, "timestamps/%" PRIu64 ".tsr", n);
    constat_bprintf(f->w_cp, sizeof f->w_cp, "timestamps/%" PRIu64 ".checkpoint", n);
    constat_bprintf(f->w_json, sizeof f->w_json, "timestamps/%" PRIu64 ".json", n);
    constat_bprintf(f->w_ca, sizeof f->w_ca, "timestamps/%" PRIu64 ".ca.pem", n);
    constat_buf_reset(&f->tsr);
    constat_buf_reset(&f->note);
    constat_buf_reset(&f->desc);
    constat_buf_reset(&f->ca);
    *ok = 1;
    rc = read_one(c, f->w_tsr, &f->tsr, CONSTAT_TSA_RESPONSE_MAX, ok);
    if (rc == CONSTAT_OK)
        rc = read_one(c, f->w_cp, &f->note, CONSTAT_NOTE_MAX_BYTES, ok);
    if (rc == CONSTAT_OK)
        rc = read_one(c, f->w_json, &f->desc, 64u * 1024u, ok);
    if (rc == CONSTAT_OK && !c->ca_file)
        rc = read_one(c, f->w_ca, &f->ca, CONSTAT_TSA_CA_MAX, ok);
    return rc;
}

/* The token itself, over the exact bytes of the checkpoint file, against
 * the pinned CA bundle or the dossier's. 1 if it verifies (`info` filled). */
static int check_token(const constat_tsa_dossier_check *c, const token_files *f,
                       const constat_buf *pinned, const char *tsa, constat_tsa_info *info)
{
    constat_tsa_check chk;
    constat_error e;
    memset(&chk, 0, sizeof chk);
    chk.now = c->now;
    chk.ca = c->ca_file ? pinned->data : f->ca.data;
    chk.ca_len = c->ca_file ? pinned->len : f->ca.len;
    chk.data = f->note.data ? f->note.data : (const uint8_t *)"";
    chk.data_len = f->note.len;
    constat_error_clear(&e);
    if (constat_tsa_verify(f->tsr.data, f->tsr.len, &chk, info, &e) != CONSTAT_OK) {
        cfail(c, f->w_tsr, "RFC 3161 token (TSA %s) does not verify against %s: %s", tsa,
              c->ca_file ? "the pinned --tsa-ca bundle" : f->w_ca, e.msg);
        return 0;
    }
    cpass(c);
    return 1;
}

/* The earlier tree (`cp`) is a prefix of the dossier's: the consistency
 * proof of the description. 1 if it verifies. */
static int check_consistency(const constat_tsa_dossier_check *c, const token_files *f,
                             const constat_checkpoint *cp, const constat_proof *proof)
{
    constat_error e;
    constat_error_clear(&e);
    if (!c->root) {
        cfail(c, f->w_json, "no dossier checkpoint to prove consistency to");
        return 0;
    }
    if (constat_merkle_verify_consistency(cp->size, c->tree_size, cp->root, c->root, proof,
                                          &e) != CONSTAT_OK) {
        cfail(c, f->w_json,
              "consistency proof from size %" PRIu64 " to the dossier checkpoint "
              "(size %" PRIu64 ") does not verify: %s",
              cp->size, c->tree_size, e.msg);
        return 0;
    }
    cpass(c);
    return 1;
}

/* The checkpoint the token covers: signed by the log key, of the dossier's
 * log (origin), of the size the description gives and within the dossier's
 * tree, and consistent with it. *ok is 0 when a check fails; only running out
 * of memory is an error. */
static constat_status check_covered_checkpoint(const constat_tsa_dossier_check *c,
                                               const token_files *f, uint64_t size,
                                               const constat_proof *proof, int *ok)
{
    const constat_buf *note = &f->note;
    const constat_note_verifier *key = c->log_key;
    const constat_key_era *era = NULL;
    const char *text = (const char *)(note->data ? note->data : (uint8_t *)"");
    constat_checkpoint cp;
    constat_error e;
    constat_note *nt;
    size_t tl_len;

    if (!c->log_key) {
        cfail(c, f->w_cp, "cannot be checked: no log key");
        *ok = 0;
        return CONSTAT_OK;
    }
    nt = malloc(sizeof *nt);
    if (!nt)
        return CONSTAT_ENOMEM;
    tl_len = note_text_len(note->data, note->len);
    constat_error_clear(&e);
    /* after a log key rotation: the key in force at the checkpoint's size */
    if (c->log_chain && tl_len && constat_checkpoint_parse(text, tl_len, &cp, &e) == CONSTAT_OK) {
        era = constat_keychain_for_size(c->log_chain, cp.size);
        key = &era->ver;
    }
    constat_error_clear(&e);
    if (constat_note_open(text, note->len, key, 1, nt, &e) != CONSTAT_OK) {
        char why[CONSTAT_ERROR_MSG_MAX + 400];
        int named = 0;
        for (size_t i = 0; era && i < c->log_chain->n && !named; i++) {
            constat_error oe;
            constat_error_clear(&oe);
            if (&c->log_chain->k[i] != era &&
                constat_note_open(text, note->len, &c->log_chain->k[i].ver, 1, nt, &oe) ==
                    CONSTAT_OK) {
                constat_keychain_size_fault(c->log_chain, &c->log_chain->k[i], cp.size, why,
                                            sizeof why);
                cfail(c, f->w_cp, "checkpoint of tree size %" PRIu64 ": %s", cp.size, why);
                named = 1;
            }
        }
        if (!named)
            cfail(c, f->w_cp, "no valid signature by the log key%s%s: %s", era ? " " : "",
                  era ? era->key_id : "", e.msg);
        *ok = 0;
    } else if (constat_error_clear(&e),
               constat_checkpoint_parse((const char *)note->data, tl_len, &cp, &e) !=
                   CONSTAT_OK) {
        cfail(c, f->w_cp, "not a tlog-checkpoint: %s", e.msg);
        *ok = 0;
    } else if (strcmp(cp.origin, c->log_key->name) != 0) {
        cfail(c, f->w_cp, "origin is not the log key's name %s", c->log_key->name);
        *ok = 0;
    } else if (cp.size != size) {
        cfail(c, f->w_cp, "size %" PRIu64 " differs from %s checkpoint_size %" PRIu64, cp.size,
              f->w_json, size);
        *ok = 0;
    } else if (cp.size > c->tree_size) {
        cfail(c, f->w_cp, "size %" PRIu64 " is beyond the dossier checkpoint's %" PRIu64,
              cp.size, c->tree_size);
        *ok = 0;
    } else {
        cpass(c);
        if (!check_consistency(c, f, &cp, proof))
            *ok = 0;
    }
    free(nt);
    return CONSTAT_OK;
}

/* One token: its files, its description, the token, the checkpoint it
 * covers. When every check passes, (size, genTime, tsa) goes into `tl`. */
static constat_status check_one_token(const constat_tsa_dossier_check *c, uint64_t n,
                                      token_files *f, const constat_buf *pinned,
                                      constat_tsa_timeline *tl)
{
    char tsa[CONSTAT_TSA_NAME_MAX + 1] = "", why[300];
    constat_proof proof;
    constat_tsa_info info;
    uint64_t size = 0;
    int ok = 1;
    constat_status rc;

    rc = read_token_files(c, n, f, &ok);
    if (rc != CONSTAT_OK || !ok)
        return rc;
    /* what the token claims to cover */
    if (!parse_desc(&f->desc, tsa, &size, &proof, why, sizeof why)) {
        cfail(c, f->w_json, "%s", why);
        return CONSTAT_OK;
    }
    cpass(c);
    if (!check_token(c, f, pinned, tsa, &info))
        ok = 0;
    rc = check_covered_checkpoint(c, f, size, &proof, &ok);
    if (rc != CONSTAT_OK)
        return rc;
    if (!ok)
        return CONSTAT_OK;
    if (tl && constat_tsa_timeline_add(tl, size, info.gen_time, tsa) != CONSTAT_OK)
        return CONSTAT_ENOMEM;
    if (c->token)
        c->token(c->ctx, f->w_tsr, tsa, &info);
    return CONSTAT_OK;
}

constat_status constat_tsa_dossier_verify(const constat_tsa_dossier_check *c,
                                          constat_tsa_timeline *tl, uint64_t *tokens,
                                          constat_error *err)
{
    uint64_t *nums = NULL;
    size_t n = 0;
    constat_buf pinned;
    token_files f;
    constat_status rc;

    if (tokens)
        *tokens = 0;
    if (strlen(c->dir) > 4000)
        return constat_error_set(err, CONSTAT_EINVAL, "dossier path too long");
    constat_buf_init(&pinned);
    rc = read_pinned_ca(c, &pinned, err);
    if (rc == CONSTAT_OK)
        rc = list_tokens(c, &nums, &n, err);
    if (rc != CONSTAT_OK) {
        constat_buf_free(&pinned);
        return rc;
    }
    if (tokens)
        *tokens = n;
    token_files_init(&f);
    for (size_t i = 0; i < n && rc == CONSTAT_OK; i++)
        rc = check_one_token(c, nums[i], &f, &pinned, tl);
    if (rc != CONSTAT_OK)
        rc = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    free(nums);
    constat_buf_free(&pinned);
    token_files_free(&f);
    return rc;
}
