/* fuzz_tsr_pair.c — a TSA's reply checked against the request we sent
 * (tsa.h, constat_tsa_verify with chk.request): both halves are arbitrary.
 * Input: 2 bytes big-endian L, L bytes of TimeStampReq DER, the rest a
 * TimeStampResp / TimeStampToken. CA: the root of a throw-away test TSA
 * (fuzz_tsr_pair_ca.inc; the seeds in fuzz/corpus/fuzz_tsr_pair/ are every
 * request-nonce x reply-nonce combination under it, made by
 * fuzz/make-tsr-pair-corpus.sh). No input may crash or leak; a verdict must
 * agree with its reason; a request that carried a nonce is never answered
 * "ok" by a reply without one; CONSTAT_EINVAL only for a request that is not
 * DER of a TimeStampReq with a message imprint
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ts.h>

#include "constat/constat.h"
#include "constat/evidence/tsa.h"

static const char CA[] =
#include "fuzz_tsr_pair_ca.inc"
    ;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    constat_tsa_request req;
    constat_tsa_check chk;
    constat_tsa_info info;
    constat_error err;
    constat_status st;
    const unsigned char *q;
    TS_REQ *parsed;
    int req_ok, req_nonce = 0, req_imprint = 0;
    size_t qlen;

    if (!inited) {
        if (constat_init() != CONSTAT_OK)
            abort();
        inited = 1;
    }
    if (size < 2)
        return 0;
    qlen = ((size_t)data[0] << 8) | data[1];
    if (qlen > size - 2)
        qlen = size - 2;
    /* what the request is, by OpenSSL's own reading */
    q = data + 2;
    parsed = qlen ? d2i_TS_REQ(NULL, &q, (long)qlen) : NULL;
    req_ok = parsed && q == data + 2 + qlen;
    if (parsed) {
        req_nonce = TS_REQ_get_nonce(parsed) != NULL;
        req_imprint =
            ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(parsed))) > 0;
    }
    TS_REQ_free(parsed);
    ERR_clear_error();

    memset(&req, 0, sizeof req);
    req.der = (uint8_t *)(data + 2);
    req.der_len = qlen;
    memset(&chk, 0, sizeof chk);
    chk.ca = (const uint8_t *)CA;
    chk.ca_len = sizeof CA - 1;
    chk.request = &req;
    st = constat_tsa_verify(data + 2 + qlen, size - 2 - qlen, &chk, &info, &err);
    switch (st) {
    case CONSTAT_OK:
        if (info.reason != CONSTAT_TSA_OK || info.gen_time <= 0 || !req_ok)
            abort();
        if (req_nonce && !info.has_nonce)
            abort();
        break;
    case CONSTAT_EVERIFY:
        if (info.reason == CONSTAT_TSA_OK)
            abort();
        break;
    case CONSTAT_EINVAL:
        /* only a bad request (the CA is fixed and good) */
        if (req_ok && req_imprint)
            abort();
        break;
    case CONSTAT_ELIMIT:
    case CONSTAT_ENOMEM:
        break;
    default:
        abort();
    }
    return 0;
}
