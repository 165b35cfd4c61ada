/*
 * tsa.h — trusted time: RFC 3161 time-stamp tokens over signed checkpoints
 * (docs/time.md).
 *
 * A vault can be configured with time-stamping authorities (TSAs). `constat
 * timestamp` sends each a TimeStampReq (RFC 3161 section 2.4.1) whose message
 * imprint is SHA-256 of the full bytes of the newest signed checkpoint note,
 * with a 64-bit random nonce and certReq true, over HTTP (RFC 3161 section
 * 3.4, application/timestamp-query). The reply is checked — status granted,
 * nonce, imprint, signature, ESS signing-certificate binding, and the TSA
 * certificate chain to the configured CA bundle with the critical
 * timeStamping extended key usage (RFC 3161 section 2.3) — and the whole
 * TimeStampResp DER is stored with the checkpoint it covers.
 *
 * A record at leaf index i is *proven* to have existed at time T when a
 * valid token with genTime T covers a checkpoint of size > i (the record is
 * inside that tree). The earliest such T is the record's proven time.
 *
 * Certificate rules, the same online and offline:
 *   - the trust anchors are exactly the certificates of the CA bundle (PEM,
 *     one or more certificates, or one DER certificate). Every certificate in
 *     it is a trust anchor, including an intermediate (OpenSSL's
 *     X509_V_FLAG_PARTIAL_CHAIN): the bundle is what the verifier chose to
 *     trust. Certificates carried in the token only help build the chain;
 *     the signer is the certificate the SignerInfo names, never "the first
 *     one in the token".
 *   - the chain is checked at the token's genTime (X509_V_FLAG_USE_CHECK_TIME),
 *     not at the time of verification: a token made while the TSA
 *     certificate was valid stays valid after it expires; the result then
 *     says so, with the certificate's notBefore/notAfter
 *     (constat_tsa_info.cert_expired, docs/time.md). No revocation is
 *     checked (offline).
 *   - the TSA certificate must carry extendedKeyUsage timeStamping only,
 *     marked critical (RFC 3161 section 2.3).
 */
#ifndef CONSTAT_TSA_H
#define CONSTAT_TSA_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/keychain.h"
#include "constat/vault/vault.h"

/* A TimeStampResp or TimeStampToken we accept, in bytes. */
#define CONSTAT_TSA_RESPONSE_MAX (64u * 1024u)
/* A CA bundle, in bytes. */
#define CONSTAT_TSA_CA_MAX (1024u * 1024u)
/* A TSA name: 1..64 bytes of [A-Za-z0-9._-]. */
#define CONSTAT_TSA_NAME_MAX 64
/* A TSA URL (http:// or https://), in bytes. */
#define CONSTAT_TSA_URL_MAX 2048
/* Seconds one HTTP exchange with a TSA may take. */
#define CONSTAT_TSA_TIMEOUT_S 30
/* Tokens in one dossier. */
#define CONSTAT_TSA_DOSSIER_MAX_TOKENS 10000u

/* Why a token did not verify. Each is a distinct reason so that a verifier
 * (and a test) can tell them apart; constat_tsa_reason_name gives its name. */
typedef enum {
    CONSTAT_TSA_OK = 0,
    CONSTAT_TSA_MALFORMED,   /* not DER of a TimeStampResp / TimeStampToken */
    CONSTAT_TSA_REJECTED,    /* PKIStatus is not granted (0) */
    CONSTAT_TSA_BAD_CA,      /* the CA bundle holds no readable certificate */
    CONSTAT_TSA_UNTRUSTED,   /* the TSA certificate does not chain to the CA bundle
                              * at genTime, or lacks the critical timeStamping EKU */
    CONSTAT_TSA_SIGNER,      /* signer certificate absent or not the one the ESS
                              * signing-certificate attribute names */
    CONSTAT_TSA_SIGNATURE,   /* the CMS signature does not verify */
    CONSTAT_TSA_IMPRINT,     /* message imprint differs from the data's hash */
    CONSTAT_TSA_NONCE,       /* nonce absent or not the request's */
    CONSTAT_TSA_VERSION,     /* TSTInfo version is not 1 */
    CONSTAT_TSA_HASH,        /* imprint algorithm is not SHA-256 (requests we make) */
    CONSTAT_TSA_OTHER        /* any other failure OpenSSL reports */
} constat_tsa_reason;

/* Static name of a reason ("nonce mismatch", "untrusted certificate"...). */
const char *constat_tsa_reason_name(constat_tsa_reason r);

/* What a parsed or verified token says. */
typedef struct {
    int64_t gen_time;        /* TSTInfo genTime, seconds since the epoch (UTC,
                              * fractions dropped) */
    char gen_time_text[32];  /* the same as RFC 3339 UTC, "2026-11-29T10:00:00Z" */
    char serial[84];         /* serialNumber in hex (at most 40 bytes shown) */
    char hash[24];           /* imprint algorithm short name ("SHA256") */
    char policy[96];         /* policy OID, dotted */
    char tsa[256];           /* signer certificate subject, one line, printable
                              * ASCII ("" when not verified) */
    int has_nonce;
    constat_tsa_reason reason; /* CONSTAT_TSA_OK, or why verification failed */
    /* The signer (TSA) certificate's validity, RFC 5280 section 4.1.2.5; set
     * by constat_tsa_verify when the token verified (0 and "" otherwise): */
    int64_t cert_not_before;       /* notBefore, seconds since the epoch */
    int64_t cert_not_after;        /* notAfter, seconds since the epoch */
    char cert_not_before_text[32]; /* the same as RFC 3339 UTC */
    char cert_not_after_text[32];
    int cert_expired;              /* 1: notAfter is before the verification
                                    * time (constat_tsa_check.now). The token
                                    * still verifies — the chain is judged at
                                    * genTime, inside the validity — but a
                                    * verdict should say so, with the dates. */
} constat_tsa_info;

/* A TimeStampReq we made: DER bytes (owned, free with
 * constat_tsa_request_free) and the values it carries. */
typedef struct {
    uint8_t *der;
    size_t der_len;
    uint8_t imprint[32];
    uint64_t nonce;
} constat_tsa_request;

/* Build a TimeStampReq (RFC 3161 section 2.4.1): version 1, messageImprint
 * SHA-256 = `imprint`, a fresh random 64-bit nonce (never 0), certReq true,
 * no policy, no extensions. `out` is overwritten; release with
 * constat_tsa_request_free. Errors: CONSTAT_ENOMEM, CONSTAT_EINTERNAL. */
constat_status constat_tsa_request_make(const uint8_t imprint[32], constat_tsa_request *out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;
void constat_tsa_request_free(constat_tsa_request *r);

/* What a token must be checked against. `ca`/`ca_len` (required) is the CA
 * bundle. Exactly one of:
 *   data/data_len   the time-stamped bytes: the imprint is recomputed with
 *                   the token's own hash algorithm (offline verification);
 *   request         a request (DER of a TimeStampReq, request->der and
 *                   der_len; the other fields are not read): the imprint
 *                   must be the request's and the hash SHA-256 (a fresh
 *                   reply); when the request carries a nonce the reply must
 *                   return it, when it carries none no nonce is checked;
 *                   when it names a policy the reply's must be it. These
 *                   are the verdicts of `openssl ts -verify -queryfile`
 *                   (RFC 3161 section 2.4.2: "nonce ... MUST be present if
 *                   it was present in the TimeStampReq"). */
typedef struct {
    const uint8_t *ca;
    size_t ca_len;
    const uint8_t *data;
    size_t data_len;
    const constat_tsa_request *request;
    int64_t now;  /* the verification time, seconds since the epoch (0: the
                   * current clock); it only decides info->cert_expired */
} constat_tsa_check;

/* Verify `resp` (`len` bytes: DER of a TimeStampResp, RFC 3161 section
 * 2.4.2, or of a bare TimeStampToken) against `chk`, with the certificate
 * rules at the top of this file and TS_VERIFY_CTX flags set explicitly
 * (version, signature, signer, imprint or data, nonce when a request is
 * given). `info` (may be NULL) receives what the token says and the reason;
 * it is filled as far as parsing got even on failure; on success also the
 * signer certificate's notBefore/notAfter and whether it has expired by
 * chk->now. Revocation is not checked (offline).
 * Errors: CONSTAT_EINVAL (chk malformed: no CA, both or neither of data and
 * request, a request that is not DER of a TimeStampReq with a non-empty
 * message imprint, without trailing bytes), CONSTAT_ELIMIT (len > CONSTAT_TSA_RESPONSE_MAX, or the CA bundle
 * > CONSTAT_TSA_CA_MAX), CONSTAT_EVERIFY (the token does not verify, or the
 * status is not granted: the message names the reason, the status text and
 * OpenSSL's detail; info->reason says which), CONSTAT_ENOMEM. */
constat_status constat_tsa_verify(const uint8_t *resp, size_t len,
                                  const constat_tsa_check *chk, constat_tsa_info *info,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* Parse without verifying (for display and fuzzing): status and TSTInfo.
 * Errors: CONSTAT_ELIMIT, CONSTAT_EVERIFY with reason CONSTAT_TSA_MALFORMED
 * or CONSTAT_TSA_REJECTED (naming the status and its text). */
constat_status constat_tsa_parse(const uint8_t *resp, size_t len, constat_tsa_info *info,
                                 constat_error *err) CONSTAT_WARN_UNUSED;

/* POST `req` to `url` (http:// or https:// only, no redirects, timeout
 * CONSTAT_TSA_TIMEOUT_S) with Content-Type application/timestamp-query and
 * append the reply body to `out` (at most CONSTAT_TSA_RESPONSE_MAX bytes).
 * Errors: CONSTAT_EINVAL (bad URL), CONSTAT_EIO (connection failed, HTTP
 * status not 200, reply content type not application/timestamp-reply:
 * the message names the URL and the cause), CONSTAT_ELIMIT, CONSTAT_ENOMEM. */
constat_status constat_tsa_http(const char *url, const constat_tsa_request *req,
                                constat_buf *out, constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 if `name` is a valid TSA name (see CONSTAT_TSA_NAME_MAX). */
int constat_tsa_name_valid(const char *name);

/* A configured TSA (pointers valid during a callback, or owned by whoever
 * filled it). */
typedef struct {
    const char *name;
    const char *url;
    const uint8_t *ca;
    size_t ca_len;
} constat_tsa_config;

/* Add a TSA to the vault's configuration. The CA bundle is checked to hold
 * at least one certificate and stored as given. `now` is seconds since the
 * epoch. Errors: CONSTAT_EINVAL (bad name, URL or CA bundle),
 * CONSTAT_ELIMIT, CONSTAT_ECONFLICT (name already configured), CONSTAT_EIO. */
constat_status constat_tsa_add(constat_vault *v, const constat_tsa_config *cfg, int64_t now,
                               constat_error *err) CONSTAT_WARN_UNUSED;

/* Call fn for each configured TSA in name order; stop when fn returns
 * non-zero. Errors: CONSTAT_EIO. */
typedef int (*constat_tsa_config_fn)(void *ctx, const constat_tsa_config *cfg);
constat_status constat_tsa_list(constat_vault *v, constat_tsa_config_fn fn, void *ctx,
                                constat_error *err) CONSTAT_WARN_UNUSED;

/* A stored token (pointers valid during a callback only). */
typedef struct {
    int64_t id;              /* row id, ascending in the order received */
    uint64_t checkpoint_size;
    const uint8_t *note;     /* the signed checkpoint note bytes time-stamped */
    size_t note_len;
    const char *tsa_name;
    const char *url;
    const uint8_t *ca;       /* the CA bundle it was verified with */
    size_t ca_len;
    const uint8_t *der;      /* TimeStampResp DER as received */
    size_t der_len;
    int64_t gen_time;
    int64_t received_at;
} constat_tsa_token;

/* Time-stamp the vault's newest checkpoint with one TSA: sign a checkpoint
 * first if the tree grew, build a request over SHA-256 of the note bytes,
 * send it, verify the reply against cfg->ca, and store the token. Nothing is
 * stored unless every check passes. `now` is when it was received (seconds).
 * `info` (may be NULL) receives the token's details; *size (may be NULL) the
 * checkpoint size it covers.
 * Errors: those of constat_tsa_http (TSA unreachable: vault unchanged apart
 * from a checkpoint that had to be signed), CONSTAT_EVERIFY (reply does not
 * verify), CONSTAT_EINVAL, CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_tsa_timestamp(constat_vault *v, const constat_tsa_config *cfg,
                                     int64_t now, constat_tsa_info *info, uint64_t *size,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* Call fn for each stored token in the order received; stop when fn
 * returns non-zero. Errors: CONSTAT_EIO. */
typedef int (*constat_tsa_token_fn)(void *ctx, const constat_tsa_token *t);
constat_status constat_tsa_tokens(constat_vault *v, constat_tsa_token_fn fn, void *ctx,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/*
 * A timeline answers "when was leaf i first proven to exist?" from a set of
 * (checkpoint size, genTime) points: the minimum genTime over points whose
 * size is > i. Build it with _add (any order), then query; queries are
 * O(log n) after the first, which sorts.
 */
typedef struct {
    size_t n, cap;
    int sorted;
    uint64_t *size;
    int64_t *time;     /* after sorting: suffix minimum of genTime */
    char (*tsa)[CONSTAT_TSA_NAME_MAX + 1]; /* the TSA giving that minimum */
} constat_tsa_timeline;

void constat_tsa_timeline_init(constat_tsa_timeline *tl);
void constat_tsa_timeline_free(constat_tsa_timeline *tl);
/* Add a point. `tsa` may be NULL. Errors: CONSTAT_ENOMEM. */
constat_status constat_tsa_timeline_add(constat_tsa_timeline *tl, uint64_t size, int64_t time,
                                        const char *tsa) CONSTAT_WARN_UNUSED;
/* 1 and *time (and *tsa, may be NULL: a pointer into the timeline) set if
 * leaf `index` is proven; 0 if no point covers it. */
int constat_tsa_timeline_proven(constat_tsa_timeline *tl, uint64_t index, int64_t *time,
                                const char **tsa);
/* Load every stored token of the vault whose checkpoint size is at most the
 * current tree size. Tokens are trusted as stored (each was verified when
 * received; constat_vault_verify does not re-check them).
 * Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_tsa_timeline_load(constat_vault *v, constat_tsa_timeline *tl,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* The same, keeping only tokens over checkpoints of size 1..max_size (a
 * dossier's tokens: those covering trees within its checkpoint).
 * Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_tsa_timeline_load_upto(constat_vault *v, uint64_t max_size,
                                              constat_tsa_timeline *tl, constat_error *err)
    CONSTAT_WARN_UNUSED;

/*
 * Dossiers (docs/dossier.md, "timestamps/"). For each stored token whose
 * checkpoint size s satisfies 0 < s <= the dossier's tree size, numbered
 * n = 1, 2, ... in the order received:
 *   timestamps/<n>.tsr         the TimeStampResp DER
 *   timestamps/<n>.checkpoint  the signed checkpoint note bytes it covers
 *   timestamps/<n>.ca.pem      the CA bundle it was verified with (as configured)
 *   timestamps/<n>.json        JCS {"v":1,"tsa":name,"url":url,"checkpoint_size":s,
 *                              "consistency":[base64 hashes]}: the RFC 9162
 *                              2.1.4 consistency proof from size s to the
 *                              dossier's tree size
 */

/* Write the timestamps/ folder into `dir` (the dossier being built) for a
 * dossier whose checkpoint has `tree_size` leaves. Writes nothing (not even
 * the folder) when no token qualifies. *count (may be NULL) gets the number
 * of tokens written. Errors: CONSTAT_EIO naming the file, CONSTAT_ENOMEM,
 * errors of the vault's proofs. */
constat_status constat_tsa_dossier_write(constat_vault *v, const char *dir,
                                         uint64_t tree_size, uint64_t *count,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* What the dossier verifier gives the timestamp checks. */
typedef struct {
    const char *dir;                 /* the dossier */
    const char *ca_file;             /* --tsa-ca: a pinned CA bundle replacing every
                                      * timestamps/<n>.ca.pem, or NULL */
    const constat_note_verifier *log_key; /* NULL: checkpoints cannot be checked */
    /* NULL, or the chain of log keys after a log key rotation (keychain.h):
     * each covered checkpoint is then checked with the key in force at its
     * tree size instead of log_key */
    const constat_keychain *log_chain;
    uint64_t tree_size;              /* the dossier checkpoint's size and root */
    const uint8_t *root;
    void (*fail)(void *ctx, const char *where, const char *msg);
    void (*pass)(void *ctx);
    void *ctx;
    int64_t now;                     /* verification time (seconds; 0: the clock),
                                      * for constat_tsa_info.cert_expired */
    /* NULL, or called (with ctx) for each token that passed every check:
     * `where` is "timestamps/<n>.tsr", `tsa` the TSA name of <n>.json, `info`
     * what the token says, with its TSA certificate's validity and whether it
     * has expired by `now`. Pointers valid during the call only. */
    void (*token)(void *ctx, const char *where, const char *tsa,
                  const constat_tsa_info *info);
} constat_tsa_dossier_check;

/* Verify every token of a dossier's timestamps/ folder, offline: the token
 * against the CA (pinned or the dossier's), its imprint against the bytes of
 * timestamps/<n>.checkpoint, that note's signature by the log key and its
 * origin, its consistency proof to the dossier checkpoint. Each failed check
 * calls c->fail naming the file and the reason; each passed one c->pass.
 * Every token that passes adds (size, genTime, tsa) to `tl` and is handed
 * to c->token.
 * *tokens (may be NULL) gets the number of tokens found.
 * Returns CONSTAT_OK even when tokens fail (failures go through c->fail).
 * Errors: CONSTAT_ENOTFOUND / CONSTAT_EIO / CONSTAT_ELIMIT for a pinned
 * ca_file that cannot be read, CONSTAT_ENOMEM. */
constat_status constat_tsa_dossier_verify(const constat_tsa_dossier_check *c,
                                          constat_tsa_timeline *tl, uint64_t *tokens,
                                          constat_error *err) CONSTAT_WARN_UNUSED;

#endif
