/*
 * serve.h — `constat serve`: the organisation's HTTP server (docs/api.md).
 * Private to src/server/. One file per concern:
 *   serve_http.c    the libmicrohttpd core: listening, TLS, thread pool,
 *                   timeouts, body limits per route, answers
 *   serve_routes.c  the route table, roles, the JSON API handlers, the
 *                   witness endpoint and read-only tiles
 *   serve_auth.c    sessions (cookies, idle and absolute expiry), CSRF
 *                   tokens, login rate limiting
 *   serve_intake.c  intake batching: submissions appended in batches, one
 *                   durable commit and one checkpoint per batch, 503 when
 *                   the queue is full
 *   serve_offline.c records signed offline on the device: clock check,
 *                   person commitments opened, the pseudonym binding
 *   serve_dossier.c a coordinator's dossier of chosen incidents, as a tar
 *                   archive (POST /api/v1/dossier)
 *
 * Concurrency: the vault (one SQLite connection) is used under
 * serve_ctx.lock only; everything CPU-bound that needs no vault (JSON
 * parsing, signature checks, Argon2id) runs outside it on the pool threads.
 */
#ifndef CONSTAT_SERVE_H
#define CONSTAT_SERVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "constat/base/buf.h"
#include "constat/log/note.h"
#include "constat/record/record.h"
#include "constat/vault/intake.h"
#include "constat/vault/vault.h"

/* Body limits per route, in bytes (413 above them). */
#define SERVE_BODY_SMALL (16 * 1024)          /* login, enrol, invites */
#define SERVE_BODY_RECORD (256 * 1024)        /* a record, prepared or signed */
#define SERVE_BODY_EVIDENCE (64 * 1024 * 1024) /* one evidence file */
#define SERVE_BODY_WITNESS (64 * 1024)        /* add-checkpoint */
#define SERVE_BODY_CHUNK (8 * 1024 * 1024)    /* one chunk of a resumable upload */
/* Resumable uploads (serve_upload.c): the largest file, and what one
 * monitor may have open at once (count, declared bytes in all). */
#define SERVE_UPLOAD_MAX (2ULL * 1024 * 1024 * 1024)
#define SERVE_UPLOAD_OPEN 4u
#define SERVE_UPLOAD_QUOTA (4ULL * 1024 * 1024 * 1024)

/* Session lifetimes, in seconds (defaults of serve_ctx.session_*). */
#define SERVE_SESSION_IDLE (30 * 60)
#define SERVE_SESSION_MAX (12 * 3600)
/* Idle or slow connections are closed after this many seconds (default of
 * serve_ctx.client_timeout). */
#define SERVE_CONNECTION_TIMEOUT 15
#define SERVE_IDLE(ctx) ((ctx)->session_idle ? (ctx)->session_idle : SERVE_SESSION_IDLE)
#define SERVE_MAX(ctx) ((ctx)->session_max ? (ctx)->session_max : SERVE_SESSION_MAX)
/* Login rate limit: this many failures per account or per address within
 * the window lock further attempts of it out until the window passes (429). */
#define SERVE_LOGIN_FAILS 5
#define SERVE_LOGIN_FAILS_ADDRESS 30 /* one address may serve several people */
#define SERVE_LOGIN_WINDOW (15 * 60)

typedef struct serve_sessions serve_sessions;
typedef struct serve_intake serve_intake;
typedef struct serve_cache serve_cache;

/* Accounts' roles and monitors' keys are cached this long (serve_cache.c):
 * a change made by the CLI, another process, shows within it. */
#define SERVE_CACHE_TTL_MS 1000

typedef struct {
    constat_vault *vault;
    pthread_mutex_t lock; /* held for every use of vault */
    constat_taxonomy *tax;
    constat_note_signer *witness_key; /* NULL: this server is no witness */
    int tls;                          /* cookies get Secure */
    FILE *log;                        /* one line per request (may be NULL) */
    int64_t (*now)(void);             /* record and audit time, seconds */
    serve_sessions *sessions;
    serve_intake *intake;
    serve_cache *cache; /* NULL: every lookup reads the vault */
    /* seconds; 0: SERVE_SESSION_IDLE, SERVE_SESSION_MAX and
     * SERVE_CONNECTION_TIMEOUT (serve --session-idle, --session-max,
     * --client-timeout) */
    unsigned session_idle, session_max, client_timeout;
    /* serve_offline.c: key id -> leaf of its revocation, for the leaves
     * [0, revoked_upto) read so far (under lock; the caller json_decref's) */
    json_t *revoked;
    uint64_t revoked_upto;
    /* dossiers (serve_dossier.c): the taxonomy file tax was loaded from
     * (copied into each dossier), and the bundled published figures
     * (data/demo/published_figures.csv, as `constat dossier` reads them;
     * NULL when absent) */
    const char *taxonomy_path;
    const void *published;
    size_t published_len;
} serve_ctx;

/* A request as the routes see it (all strings valid during the call). */
typedef struct {
    const char *method;
    const char *url;
    const char *address;      /* client IPv4/IPv6 text */
    const char *content_type; /* NULL if none */
    const char *cookie;       /* value of our session cookie, NULL if none */
    const char *csrf;         /* X-CSRF-Token header, NULL if none */
    const char *if_none_match; /* If-None-Match header, NULL if none */
    const char *content_range; /* Content-Range header, NULL if none */
    const uint8_t *body;
    size_t len;
    /* Non-NULL when the HTTP layer can hold the connection while a handler
     * waits (serve_http.c): the handler may then set the reply's `deferred`
     * and answer later through serve_http_deferred_done(defer, ...) from any
     * thread. NULL: the handler answers before it returns. */
    void *defer;
} serve_request;

/* The answer: status, content type (static), body, and optional headers. */
typedef struct {
    unsigned status;
    const char *type;
    constat_buf body;
    char set_cookie[256];
    char allow[64];
    unsigned retry_after; /* seconds; 0: no header */
    const char *cache;    /* Cache-Control (static); NULL: no-store */
    char etag[72];        /* ETag header; empty: none */
    int page;             /* a file of the web app: CSP and its other headers */
    char disposition[160]; /* Content-Disposition header; empty: none */
    int deferred;         /* the answer comes later (serve_request.defer) */
} serve_reply;

/* ---- serve_http.c ---- */
typedef struct serve_http serve_http;
/* Listen on "IPV4:PORT" (port 0: any) with `threads` pool threads; TLS when
 * cert_pem and key_pem (PEM text) are given. *port gets the bound port.
 * On failure a message in errbuf and -1. */
int serve_http_start(serve_ctx *ctx, const char *listen, unsigned threads,
                     const char *cert_pem, const char *key_pem, serve_http **out,
                     unsigned *port, char *errbuf, size_t cap);
/* Stop: new requests get 503, those waiting for their batch are answered,
 * then the daemon stops. */
void serve_http_stop(serve_http *s);
/* The deferred answer of the request whose serve_request.defer was `defer`:
 * takes rp's body, then lets the connection send it. Any thread, once. */
void serve_http_deferred_done(void *defer, serve_reply *rp);

/* ---- serve_routes.c ---- */
/* The body limit of the route `method url` (SERVE_BODY_*; 0: no body). */
size_t serve_route_limit(const char *method, const char *url);
/* Answer a request (the body is complete and within the limit). */
void serve_route(serve_ctx *ctx, const serve_request *rq, serve_reply *rp);
/* Fill rp with a JSON error {"error": msg, "field": field (omitted when
 * NULL)} and status. */
void serve_error(serve_reply *rp, unsigned status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Fill rp with a JSON body (takes the reference) and status. */
void serve_json(serve_reply *rp, unsigned status, json_t *body);
/* Parse the body as one JSON object with only the members `allowed`
 * (NULL-terminated); *out a new reference. 0, or -1 with rp filled (400). */
int serve_json_object(const serve_request *rq, const char *const *allowed, json_t **out,
                      serve_reply *rp);
/* The same for a body larger than a record (the dossier route's list of
 * ids): bounded by the route's body limit only. */
int serve_json_object_large(const serve_request *rq, const char *const *allowed, json_t **out,
                            serve_reply *rp);
/* The routes, for `constat serve --routes` (and the test that compares them
 * with docs/openapi.yaml): one "METHOD PATH" a line. */
void serve_routes_print(FILE *f);

/* ---- serve_static.c ---- */
/* The Content-Security-Policy of the web app's files. */
#define SERVE_APP_CSP                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " \
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "       \
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
/* One embedded file (the table is generated from web/ by
 * cmake/web_embed.cmake into the build tree). */
typedef struct {
    const char *path; /* "/js/app.js" */
    const unsigned char *data;
    size_t len;
    const char *etag; /* quoted */
} serve_asset;
extern const serve_asset serve_assets[];
extern const size_t serve_assets_n;
/* The web app (web/, embedded at build time): answer a GET or HEAD of
 * a path no API route takes. Returns 1 when it answered (200, 304, 400
 * for a path that is not a plain file path, 404 for no such file), 0 when
 * the request is not for it (another method, an /api/ path). */
int serve_static(const serve_request *rq, serve_reply *rp);
/* GET or HEAD /taxonomy.json: the bytes of the taxonomy file the server
 * loaded (ctx->tax), with an ETag of their SHA-256, in place of the copy
 * built into the program. Returns 1 when it answered, 0 when the request is
 * not for it or there is no taxonomy (serve_static answers then). */
int serve_taxonomy(const serve_ctx *ctx, const serve_request *rq, serve_reply *rp);

/* ---- serve_auth.c ---- */
typedef struct {
    char account[CONSTAT_KEY_NAME_MAX + 1];
    char role[16];
    char csrf[65];
} serve_session;
serve_sessions *serve_sessions_new(void);
void serve_sessions_free(serve_sessions *s);
/* Open a session for account/role: token and csrf written into the reply's
 * cookie and *out. Returns 0, -1 when full. */
int serve_session_open(serve_ctx *ctx, const char *account, const char *role,
                       serve_reply *rp, serve_session *out);
/* Look up the cookie's session: 0 and *out filled; -1 none or expired. */
int serve_session_get(serve_ctx *ctx, const char *cookie, serve_session *out);
void serve_session_close(serve_ctx *ctx, const char *cookie, serve_reply *rp);
/* End every session of `account` (it was disabled). */
void serve_session_drop_account(serve_ctx *ctx, const char *account);
/* Login rate limit: seconds to wait before another attempt of this
 * account or address (0: go ahead); note a failure or a success. */
unsigned serve_login_wait(serve_ctx *ctx, const char *account, const char *address);
void serve_login_result(serve_ctx *ctx, const char *account, const char *address, int ok);

/* ---- serve_dossier.c ---- */
/* Body limit of POST /api/v1/dossier: at least 30,000 record ids of the
 * longest (128 bytes), some 150,000 of the usual 20. */
#define SERVE_BODY_DOSSIER (4 * 1024 * 1024)
/* POST /api/v1/dossier {"ids": [...]} (coordinator, docs/api.md
 * "Dossiers"): the dossier of those incidents as a ustar archive. */
void serve_dossier(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                   const char *param, serve_reply *rp);

/* ---- serve_cache.c ---- */
serve_cache *serve_cache_new(void);
void serve_cache_free(serve_cache *c);
/* Role and disabled flag of `account` (constat_account_role, cached; takes
 * ctx->lock on a miss: call without it). Errors: those of
 * constat_account_role (CONSTAT_ENOTFOUND: no such account). */
constat_status serve_cache_role(serve_ctx *ctx, const char *account, char role[16],
                                int *disabled, constat_error *err);
/* The enrolled key of monitor `name` (cached; ctx->lock taken on a miss).
 * Errors: CONSTAT_ENOTFOUND (no enrolled key), those of
 * constat_vault_monitor_list and constat_note_verifier_parse. */
constat_status serve_cache_monitor_key(serve_ctx *ctx, const char *name,
                                       constat_note_verifier *out, constat_error *err);
/* Drop what is cached of `account` (this server changed it). */
void serve_cache_forget(serve_ctx *ctx, const char *account);

/* ---- serve_intake.c ---- */
/* One submission: the signed, checked item. */
typedef struct {
    constat_intake_item item; /* owned by the caller */
    /* has_binding: the organisation-signed pseudonym binding of item
     * (serve_offline.c), appended right after it in the same batch, or
     * not at all when item is a replay */
    constat_intake_item binding;
    int has_binding;
    const char *account;
    const char *address;
    /* result */
    unsigned status; /* 201 new leaf, 200 same content already logged, 409, 500 */
    json_t *receipt; /* new reference on 200/201 */
    char error[CONSTAT_ERROR_MSG_MAX];
    /* non-NULL: answered without a waiting thread (serve_intake_enqueue):
     * the intake thread turns the result into a reply, hands it to
     * serve_http_deferred_done(defer, ...) and frees the submission */
    void *defer;
    char account_buf[CONSTAT_KEY_NAME_MAX + 1]; /* account and address point */
    char address_buf[64];                       /* here when deferred */
} serve_submission;
/* Start the intake thread: batches of at most `batch` items gathered for
 * at most `window_us` microseconds; at most `queue` waiting (0: every
 * submission is refused with 503). */
serve_intake *serve_intake_start(serve_ctx *ctx, unsigned queue, unsigned batch,
                                 unsigned window_us);
void serve_intake_stop(serve_intake *in);
/* Queue `sub` and wait until its batch is committed (or refused): returns
 * 0 when done (sub->status set), or the Retry-After seconds when the
 * queue is full (nothing queued). */
unsigned serve_intake_submit(serve_intake *in, serve_submission *sub);
/* Queue `sub` (heap-allocated, sub->defer set) and return at once: 0 queued
 * (the intake thread answers and frees it, see serve_submission.defer), or
 * the Retry-After seconds when the queue is full (nothing queued; sub is
 * still the caller's). */
unsigned serve_intake_enqueue(serve_intake *in, serve_submission *sub);
/* 1 when record id `rid` is logged with exactly the leaf bytes `leaf`
 * (len bytes): a replay, which the intake answers with the receipt of that
 * leaf (200) whatever the checks of a new record would say now (a seal to
 * a retired organisation key, a revoked key, a changed taxonomy); else 0
 * (also when the log cannot be read: the checks then run as for a new
 * record). Takes ctx->lock. */
int serve_intake_logged(serve_ctx *ctx, const char *rid, const char *leaf, size_t len);
/* 1 when an incident record of id `id` is queued or being appended by
 * the intake `in` (a serve_intake *; the `pending` of
 * constat_intake_amend_check_pending): an evidence record submitted right
 * after it names a logged incident once its batch is in (checked again
 * there). Takes the intake's lock, not ctx->lock. */
int serve_intake_pending_incident(void *in, const char *id);
/* The reply for a finished submission: its receipt (200/201) or its JSON
 * error. Takes sub->receipt. */
void serve_submission_reply(serve_submission *sub, serve_reply *rp);
/* Release a submission made for serve_intake_enqueue (its item, receipt,
 * and itself). */
void serve_submission_free(serve_submission *sub);

/* ---- serve_offline.c ---- */
/* The checks of a monitor-signed leaf `l` (its bytes leaf_text) that need
 * the server's clock and keys: recorded_at (and an incident's
 * occurred.start) not in the future beyond CONSTAT_CLOCK_TOLERANCE_S; the
 * record's affected.person_commitments opened by `sealed_persons` (base64
 * sealed box of [{"salt", "identifier"}], may be NULL), and then the
 * organisation-signed pseudonym binding put in sub->binding
 * (sub->has_binding = 1). 0, or -1 with the JSON error in rp (400 naming
 * recorded_at, occurred.start or sealed_persons; 500). Takes ctx->lock
 * for the vault. */
int serve_offline_check(serve_ctx *ctx, const constat_leaf *l, const char *leaf_text,
                        const char *sealed_persons, serve_submission *sub, serve_reply *rp);

/* ---- serve_upload.c (docs/api.md "Resumable uploads") ---- */
/* Route handlers: POST /api/v1/uploads, GET, PUT and DELETE
 * /api/v1/uploads/{id}, POST /api/v1/uploads/{id}/finish (param: what
 * follows "/api/v1/uploads/"). */
void serve_upload_new(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp);
void serve_upload_get(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp);
void serve_upload_put(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp);
void serve_upload_delete(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                         const char *param, serve_reply *rp);
void serve_upload_finish(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                         const char *param, serve_reply *rp);
/* Parse a Content-Range value "bytes FIRST-LAST/TOTAL" (RFC 9110 14.4):
 * 0 when well formed with FIRST <= LAST < TOTAL, else -1. */
int serve_content_range(const char *s, uint64_t *first, uint64_t *last, uint64_t *total);

#endif
