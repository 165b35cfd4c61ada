/*
 * serve_routes.c — the routes of `constat serve` (docs/api.md): one table
 * saying, for each route, who may call it (roles), whether it changes state
 * (then a CSRF token is required), the content type and body limit it
 * takes, and its handler. The dispatcher checks these in that order, so a
 * handler only ever sees an authorised, well-typed request.
 *
 * Every refusal is a JSON body {"error": "...", "field": "..."} ("field"
 * only when one member of the request is at fault) with the status the
 * docs give; no refusal changes the vault.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/evidence/evidence.h"
#include "constat/log/merkle.h"
#include "constat/record/canon.h"
#include "constat/vault/accounts.h"
#include "constat/vault/org_name.h"
#include "constat/vault/receipt.h"
#include "constat/vault/erase.h"
#include "constat/vault/keylife.h"
#include "constat/vault/register.h"
#include "constat/vault/transitions.h"
#include "constat/witness/publish.h"
#include "serve.h"
#include "witness_http.h"

enum { R_PUBLIC = 0, R_COORD = 1, R_MONITOR = 2, R_AUDITOR = 4, R_ANY = 7 };
enum { T_NONE, T_JSON, T_OCTETS, T_ANY };

typedef struct route route;
typedef void (*handler)(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                        const char *param, serve_reply *rp);
struct route {
    const char *method;
    const char *path; /* a trailing '*' matches one or more further bytes: the param */
    int roles;
    int type;
    size_t limit;
    handler fn;
};

/* ---- replies ---- */

void serve_json(serve_reply *rp, unsigned status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    rp->status = status;
    rp->type = "application/json";
    constat_buf_reset(&rp->body);
    if (s) {
        (void)constat_buf_puts(&rp->body, s);
        (void)constat_buf_puts(&rp->body, "\n");
    } else {
        rp->status = 500;
        (void)constat_buf_puts(&rp->body, "{\"error\":\"out of memory\"}\n");
    }
    free(s);
    json_decref(body);
}

void serve_error(serve_reply *rp, unsigned status, const char *field, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    json_t *o;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o = json_pack("{s:s}", "error", msg);
    if (o && field)
        json_object_set_new(o, "field", json_string(field));
    serve_json(rp, status, o);
}

/* A library message "path: reason" names its field: the path is returned
 * in field[cap] (else ""). */
static const char *field_of(const char *msg, char *field, size_t cap)
{
    size_t n = strcspn(msg, ": ");
    field[0] = 0;
    if (n > 0 && n < cap && msg[n] == ':' && msg[n + 1] == ' ') {
        for (size_t i = 0; i < n; i++)
            if (!(msg[i] == '_' || msg[i] == '.' || msg[i] == '[' || msg[i] == ']' ||
                  (msg[i] >= 'a' && msg[i] <= 'z') || (msg[i] >= '0' && msg[i] <= '9')))
                return NULL;
        memcpy(field, msg, n);
        field[n] = 0;
        return field;
    }
    return NULL;
}

static unsigned status_of(constat_status st)
{
    switch (st) {
    case CONSTAT_EINVAL: return 400;
    case CONSTAT_ELIMIT: return 413;
    case CONSTAT_ENOTFOUND: return 404;
    case CONSTAT_ECONFLICT: return 409;
    case CONSTAT_EVERIFY: return 403;
    default: return 500;
    }
}

/* Reply with a library error (500s are logged, not detailed). */
static void lib_error(serve_ctx *ctx, serve_reply *rp, constat_status st,
                      const constat_error *err)
{
    char f[64];
    unsigned code = status_of(st);
    if (code == 500) {
        if (ctx->log)
            fprintf(ctx->log, "serve: internal error: %s\n", err->msg);
        serve_error(rp, 500, NULL, "internal error");
        return;
    }
    serve_error(rp, code, field_of(err->msg, f, sizeof f), "%s", err->msg);
}

static void audit(serve_ctx *ctx, const char *account, const char *address, const char *action,
                  const char *detail)
{
    constat_error err;
    if (constat_audit_add(ctx->vault, ctx->now(), account, address, action, detail, &err) !=
            CONSTAT_OK &&
        ctx->log)
        fprintf(ctx->log, "serve: audit not written: %s\n", err.msg);
}

/* ---- request bodies ---- */

/* Parse the body as one JSON object with only the members `allowed`
 * (NULL-terminated); *out a new reference. 0, or -1 with rp filled. */
static int json_body_limit(const serve_request *rq, const char *const *allowed, json_t **out,
                           serve_reply *rp, int record_limit)
{
    constat_error err;
    const char *k;
    json_t *v;
    *out = NULL;
    if (constat_json_parse((const char *)rq->body, rq->len, "request body", record_limit, out,
                           &err) !=
        CONSTAT_OK) {
        serve_error(rp, 400, NULL, "malformed JSON: %s", err.msg);
        return -1;
    }
    if (!json_is_object(*out)) {
        serve_error(rp, 400, NULL, "the body must be a JSON object");
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    json_object_foreach(*out, k, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], k) != 0)
            i++;
        if (!allowed[i]) {
            serve_error(rp, 400, k, "%.100s: unknown field", k);
            json_decref(*out);
            *out = NULL;
            return -1;
        }
    }
    return 0;
}

/* A body of a record's size at most (CONSTAT_RECORD_MAX_BYTES). */
static int json_body(const serve_request *rq, const char *const *allowed, json_t **out,
                     serve_reply *rp)
{
    return json_body_limit(rq, allowed, out, rp, 1);
}

int serve_json_object(const serve_request *rq, const char *const *allowed, json_t **out,
                      serve_reply *rp)
{
    return json_body(rq, allowed, out, rp);
}

int serve_json_object_large(const serve_request *rq, const char *const *allowed, json_t **out,
                            serve_reply *rp)
{
    return json_body_limit(rq, allowed, out, rp, 0);
}

/* A required (or optional) string member; -1 with rp filled. */
static int str_field(const json_t *o, const char *name, int required, const char **out,
                     serve_reply *rp)
{
    const json_t *v = json_object_get(o, name);
    *out = NULL;
    if (!v && !required)
        return 0;
    if (!json_is_string(v)) {
        serve_error(rp, 400, name, "%s: %s", name, v ? "must be a string" : "missing");
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* ---- public routes ---- */

static void vkey_of(const constat_note_signer *k, char out[512])
{
    if (constat_note_verifier_format(&k->pub, out, 512) != CONSTAT_OK)
        out[0] = 0;
}

static void h_info(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                   const char *param, serve_reply *rp)
{
    char logk[512], orgk[512], disp[CONSTAT_ORG_DISPLAY_MAX + 2];
    uint64_t size;
    constat_error err;
    (void)rq, (void)se, (void)param;
    pthread_mutex_lock(&ctx->lock);
    vkey_of(constat_vault_log_key(ctx->vault), logk);
    vkey_of(constat_vault_org_key(ctx->vault), orgk);
    size = constat_vault_size(ctx->vault);
    /* the display name (docs/vault.md "Display name"), null when none is set */
    if (constat_org_display_read(constat_vault_dir(ctx->vault), disp, sizeof disp, &err) !=
        CONSTAT_OK)
        disp[0] = 0;
    serve_json(rp, 200,
               json_pack("{s:s, s:o, s:s, s:s, s:s, s:I, s:b, s:s}", "org",
                         constat_vault_org(ctx->vault), "org_name",
                         disp[0] ? json_string(disp) : json_null(), "origin",
                         constat_vault_origin(ctx->vault), "log_key", logk, "org_key", orgk,
                         "tree_size", (json_int_t)size, "witness", ctx->witness_key != NULL,
                         "sealing", "x25519 of org_key (crypto_sign_ed25519_pk_to_curve25519)"));
    pthread_mutex_unlock(&ctx->lock);
}

/* The key_transition leaves at idx[0..n), each with its receipt, as a JSON
 * array appended to `list`. Called with ctx->lock held. */
static constat_status transition_list(serve_ctx *ctx, const uint64_t *idx, size_t n,
                                      json_t *list, constat_error *err)
{
    constat_status st = CONSTAT_OK;
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++) {
        constat_buf leaf;
        json_t *receipt = NULL;
        char id[32];
        snprintf(id, sizeof id, "leaf-%llu", (unsigned long long)idx[i]);
        constat_buf_init(&leaf);
        st = constat_vault_leaf(ctx->vault, idx[i], &leaf, err);
        if (st == CONSTAT_OK)
            st = constat_buf_append(&leaf, "", 1);
        if (st == CONSTAT_OK)
            st = constat_vault_receipt(ctx->vault, idx[i], id, &receipt, err);
        if (st == CONSTAT_OK &&
            json_array_append_new(list, json_pack("{s:I, s:s, s:o}", "index",
                                                  (json_int_t)idx[i], "leaf",
                                                  (const char *)leaf.data, "receipt",
                                                  receipt)) != 0)
            st = CONSTAT_ENOMEM;
        constat_buf_free(&leaf);
    }
    return st;
}

/* GET /api/v1/key-transitions (public): the key_transition leaves that
 * brought in the organisation keys, and those that brought in the log
 * keys, oldest first, each with its receipt, so a device that pinned
 * earlier keys follows the rotations from the keys it trusts
 * (transitions.h, docs/api.md "Key transitions"). */
static void h_key_transitions(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                              const char *param, serve_reply *rp)
{
    uint64_t org[CONSTAT_KEYCHAIN_MAX], logk[CONSTAT_KEYCHAIN_MAX];
    size_t no = 0, nl = 0;
    constat_error err;
    constat_status st;
    json_t *lo = json_array(), *ll = json_array();
    (void)rq, (void)se, (void)param;

    if (!lo || !ll) {
        json_decref(lo);
        json_decref(ll);
        serve_error(rp, 500, NULL, "out of memory");
        return;
    }
    constat_error_clear(&err);
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_org_transitions(ctx->vault, org, CONSTAT_KEYCHAIN_MAX, &no, &err);
    if (st == CONSTAT_OK)
        st = constat_vault_log_transitions(ctx->vault, logk, CONSTAT_KEYCHAIN_MAX, &nl, &err);
    if (st == CONSTAT_OK)
        st = transition_list(ctx, org, no, lo, &err);
    if (st == CONSTAT_OK)
        st = transition_list(ctx, logk, nl, ll, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        json_decref(lo);
        json_decref(ll);
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_json(rp, 200, json_pack("{s:o, s:o}", "transitions", lo, "log_transitions", ll));
}

static void h_login(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                    const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"name", "password", NULL};
    const char *name, *password;
    constat_buf h;
    char role[16] = "";
    int disabled = 0, ok = 0, known;
    unsigned wait;
    serve_session s;
    constat_error err;
    json_t *o;
    (void)se, (void)param;

    if (json_body(rq, allowed, &o, rp) || str_field(o, "name", 1, &name, rp) ||
        str_field(o, "password", 1, &password, rp)) {
        json_decref(o);
        return;
    }
    if ((wait = serve_login_wait(ctx, name, rq->address)) > 0) {
        serve_error(rp, 429, NULL, "too many failed logins; try again in %u s", wait);
        rp->retry_after = wait;
        pthread_mutex_lock(&ctx->lock);
        audit(ctx, name, rq->address, "login_throttled", NULL);
        pthread_mutex_unlock(&ctx->lock);
        json_decref(o);
        return;
    }
    constat_buf_init(&h);
    pthread_mutex_lock(&ctx->lock);
    known = constat_account_fetch(ctx->vault, name, &h, role, &disabled, &err) == CONSTAT_OK;
    pthread_mutex_unlock(&ctx->lock);
    /* Argon2id outside the vault lock: logins do not stall intake */
    if (known)
        ok = constat_password_check((const char *)h.data, password) && !disabled;
    else
        constat_password_dummy();
    if (h.data)
        sodium_memzero(h.data, h.len);
    constat_buf_free(&h);
    serve_login_result(ctx, name, rq->address, ok);
    pthread_mutex_lock(&ctx->lock);
    audit(ctx, name, rq->address, ok ? "login" : "login_failed",
          ok ? role : !known ? "unknown account" : disabled ? "account disabled"
                                                            : "wrong password");
    pthread_mutex_unlock(&ctx->lock);
    if (!ok) {
        /* the same answer whatever the reason: no probing for names */
        serve_error(rp, 401, NULL, "wrong name or password, or the account is disabled");
    } else if (serve_session_open(ctx, name, role, rp, &s) != 0) {
        serve_error(rp, 503, NULL, "too many open sessions");
        rp->retry_after = 60;
    } else {
        serve_json(rp, 200,
                   json_pack("{s:s, s:s, s:s, s:i, s:i}", "account", s.account, "role", s.role,
                             "csrf", s.csrf, "idle_timeout", (json_int_t)SERVE_IDLE(ctx),
                             "absolute_timeout", (json_int_t)SERVE_MAX(ctx)));
    }
    json_decref(o);
}

static void h_enrol(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                    const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"code", "vkey", "password", NULL};
    const char *code, *vkey, *password;
    char name[CONSTAT_KEY_NAME_MAX + 1];
    uint64_t index = 0;
    constat_error err;
    constat_status st;
    json_t *o;
    (void)se, (void)param;

    if (json_body(rq, allowed, &o, rp) || str_field(o, "code", 1, &code, rp) ||
        str_field(o, "vkey", 1, &vkey, rp) || str_field(o, "password", 1, &password, rp)) {
        json_decref(o);
        return;
    }
    constat_error_clear(&err);
    pthread_mutex_lock(&ctx->lock);
    st = constat_enrol_code_redeem(ctx->vault, code, vkey, password, ctx->now(), name, &index,
                                   &err);
    audit(ctx, st == CONSTAT_OK ? name : "", rq->address,
          st == CONSTAT_OK ? "enrol" : "enrol_refused", st == CONSTAT_OK ? vkey : err.msg);
    pthread_mutex_unlock(&ctx->lock);
    if (st == CONSTAT_OK)
        serve_json(rp, 201,
                   json_pack("{s:s, s:I, s:s}", "monitor", name, "enrolment_index",
                             (json_int_t)index, "key_custody", "device"));
    else if (st == CONSTAT_EVERIFY)
        serve_error(rp, 410, "code", "%s", err.msg); /* expired */
    else
        lib_error(ctx, rp, st, &err);
    json_decref(o);
}

static void h_checkpoint(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                         const char *param, serve_reply *rp)
{
    constat_error err;
    constat_status st;
    (void)rq, (void)se, (void)param;
    pthread_mutex_lock(&ctx->lock);
    constat_buf_reset(&rp->body);
    st = constat_vault_size(ctx->vault) ? constat_vault_checkpoint(ctx->vault, &rp->body, &err)
                                        : constat_error_set(&err, CONSTAT_ENOTFOUND,
                                                            "the log is empty");
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        lib_error(ctx, rp, st, &err);
        return;
    }
    rp->status = 200;
    rp->type = "text/plain; charset=utf-8";
}

typedef struct {
    constat_buf *out;
    int oom;
} bundle_ctx;

static int bundle_entry(void *c, uint64_t index, const uint8_t *leaf, size_t len)
{
    bundle_ctx *b = c;
    uint8_t pre[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    (void)index;
    if (len > CONSTAT_TLOG_ENTRY_MAX || constat_buf_append(b->out, pre, 2) != CONSTAT_OK ||
        constat_buf_append(b->out, leaf, len) != CONSTAT_OK) {
        b->oom = 1;
        return 1;
    }
    return 0;
}

static void h_tile(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                   const char *param, serve_reply *rp)
{
    int level;
    uint64_t n, size;
    unsigned width;
    constat_error err;
    constat_status st;
    (void)se, (void)param;

    if (constat_tile_path_parse(rq->url + 1, &level, &n, &width, &err) != CONSTAT_OK) {
        serve_error(rp, 400, NULL, "not a C2SP tile path: %s", err.msg);
        return;
    }
    constat_buf_reset(&rp->body);
    pthread_mutex_lock(&ctx->lock);
    size = constat_vault_size(ctx->vault);
    if (level < 0) {
        /* entries [256n, 256n + width) must all be in the tree */
        bundle_ctx b = {&rp->body, 0};
        if (n > (UINT64_MAX >> 8) - 1 || n * 256 + width > size)
            st = constat_error_set(&err, CONSTAT_ENOTFOUND, "no such entry bundle");
        else
            st = constat_vault_leaves(ctx->vault, n * 256, n * 256 + width, bundle_entry, &b,
                                      &err);
        if (st == CONSTAT_OK && b.oom)
            st = constat_error_set(&err, CONSTAT_ENOMEM, "out of memory");
    } else {
        st = constat_vault_tile(ctx->vault, (unsigned)level, n, width, &rp->body, &err);
    }
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        if (st == CONSTAT_ENOTFOUND)
            serve_error(rp, 404, NULL, "no such tile: %s", rq->url + 1);
        else
            lib_error(ctx, rp, st, &err);
        return;
    }
    rp->status = 200;
    rp->type = "application/octet-stream";
}

static void witness_route(serve_ctx *ctx, const serve_request *rq, serve_reply *rp,
                          int transition)
{
    witness_http_config cfg;
    const char *type;
    char msg[CONSTAT_ERROR_MSG_MAX];
    if (!ctx->witness_key) {
        serve_error(rp, 404, NULL, "this server is no witness (constat witness init makes "
                                   "its key)");
        return;
    }
    cfg.vault = ctx->vault;
    cfg.key = ctx->witness_key;
    cfg.now = ctx->now;
    cfg.log = NULL;
    constat_buf_reset(&rp->body);
    pthread_mutex_lock(&ctx->lock);
    rp->status = transition ? witness_http_add_key_transition(&cfg, rq->body, rq->len,
                                                              &rp->body, &type, msg, sizeof msg)
                            : witness_http_add_checkpoint(&cfg, rq->body, rq->len, &rp->body,
                                                          &type, msg, sizeof msg);
    pthread_mutex_unlock(&ctx->lock);
    rp->type = type;
}

static void h_add_checkpoint(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                             const char *param, serve_reply *rp)
{
    (void)se, (void)param;
    witness_route(ctx, rq, rp, 0);
}

/* constat's extension (witness.h): add-checkpoint across log key transitions */
static void h_add_key_transition(serve_ctx *ctx, const serve_request *rq,
                                 const serve_session *se, const char *param, serve_reply *rp)
{
    (void)se, (void)param;
    witness_route(ctx, rq, rp, 1);
}

/* ---- sessions ---- */

static void h_session(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    (void)ctx, (void)rq, (void)param;
    serve_json(rp, 200,
               json_pack("{s:s, s:s, s:s}", "account", se->account, "role", se->role, "csrf",
                         se->csrf));
}

static void h_logout(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                     const char *param, serve_reply *rp)
{
    (void)param;
    serve_session_close(ctx, rq->cookie, rp);
    pthread_mutex_lock(&ctx->lock);
    audit(ctx, se->account, rq->address, "logout", NULL);
    pthread_mutex_unlock(&ctx->lock);
    serve_json(rp, 200, json_pack("{s:b}", "logged_out", 1));
}

/* ---- records ---- */

static void h_prepare(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"record", "sealed", NULL};
    static const char *const sealed_allowed[] = {"private", "person_identifiers", NULL};
    const char *sealed;
    json_t *o, *input = NULL, *inner = NULL, *record = NULL, *priv = NULL, *v;
    constat_buf plain, boxed;
    constat_error err;
    constat_status st;
    const char *k;
    (void)param;

    constat_buf_init(&plain);
    constat_buf_init(&boxed);
    if (json_body(rq, allowed, &o, rp) || str_field(o, "sealed", 0, &sealed, rp))
        goto out;
    if (!json_is_object(json_object_get(o, "record"))) {
        serve_error(rp, 400, "record", "record: must be an object");
        goto out;
    }
    input = json_deep_copy(json_object_get(o, "record"));
    if (!input) {
        serve_error(rp, 500, NULL, "out of memory");
        goto out;
    }
    if (json_object_get(input, "private") ||
        json_object_get(json_object_get(input, "affected"), "person_identifiers")) {
        serve_error(rp, 400,
                    json_object_get(input, "private") ? "record.private"
                                                      : "record.affected.person_identifiers",
                    "private values and person identifiers travel sealed, in \"sealed\", "
                    "never in clear");
        goto out;
    }
    if (sealed) {
        pthread_mutex_lock(&ctx->lock);
        st = constat_vault_unseal_b64(ctx->vault, sealed, SERVE_BODY_RECORD, &plain, &err);
        pthread_mutex_unlock(&ctx->lock);
        if (st != CONSTAT_OK) {
            serve_error(rp, status_of(st) == 500 ? 500 : 400, "sealed", "%s", err.msg);
            goto out;
        }
        if (constat_json_parse((const char *)plain.data, plain.len, "sealed", 1, &inner,
                               &err) != CONSTAT_OK ||
            !json_is_object(inner)) {
            serve_error(rp, 400, "sealed", "sealed: the opened envelope is not a JSON object");
            goto out;
        }
        json_object_foreach(inner, k, v) {
            size_t i = 0;
            while (sealed_allowed[i] && strcmp(sealed_allowed[i], k) != 0)
                i++;
            if (!sealed_allowed[i]) {
                serve_error(rp, 400, "sealed", "sealed.%.100s: unknown field", k);
                goto out;
            }
        }
        if ((v = json_object_get(inner, "private")))
            json_object_set(input, "private", v);
        if ((v = json_object_get(inner, "person_identifiers"))) {
            json_t *aff = json_object_get(input, "affected");
            if (!aff) {
                aff = json_object();
                json_object_set_new(input, "affected", aff);
            }
            if (!json_is_object(aff)) {
                serve_error(rp, 400, "record.affected", "record.affected: must be an object");
                goto out;
            }
            json_object_set(aff, "person_identifiers", v);
        }
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_intake_prepare(ctx->vault, input, se->account, ctx->now(), ctx->tax, &record,
                                &priv, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        lib_error(ctx, rp, st, &err);
        goto out;
    }
    if (priv) {
        char *text = json_dumps(priv, JSON_COMPACT | JSON_SORT_KEYS);
        const constat_note_signer *org = constat_vault_org_key(ctx->vault);
        st = text ? constat_seal_b64(&org->pub, (const uint8_t *)text, strlen(text), &boxed,
                                     &err)
                  : constat_error_set(&err, CONSTAT_ENOMEM, "out of memory");
        if (text) {
            sodium_memzero(text, strlen(text));
            free(text);
        }
        if (st != CONSTAT_OK) {
            lib_error(ctx, rp, st, &err);
            goto out;
        }
    }
    serve_json(rp, 200,
               json_pack("{s:O, s:s?}", "record", record, "sealed_private",
                         priv ? (const char *)boxed.data : NULL));
out:
    if (plain.data)
        sodium_memzero(plain.data, plain.len);
    constat_buf_free(&plain);
    constat_buf_free(&boxed);
    json_decref(o);
    json_decref(input);
    json_decref(inner);
    json_decref(record);
    json_decref(priv);
}

/* The private values match the record's commitments exactly. 0 or -1 (rp). */
static int check_private(const json_t *record, const json_t *priv, serve_reply *rp)
{
    const json_t *commits = json_object_get(record, "private");
    const char *k;
    json_t *v;
    constat_error err;
    if (!commits && !priv)
        return 0;
    if (!commits || !priv || !json_is_object(priv) ||
        json_object_size(commits) != json_object_size(priv)) {
        serve_error(rp, 400, "sealed_private",
                    "sealed_private: must hold exactly the private fields the record commits "
                    "to");
        return -1;
    }
    json_object_foreach((json_t *)commits, k, v) {
        const json_t *pv = json_object_get(priv, k);
        const char *salt_hex = json_string_value(json_object_get(pv, "salt"));
        const json_t *value = json_object_get(pv, "value");
        uint8_t salt[CONSTAT_SALT_SIZE], c[32];
        char hex[65];
        if (!salt_hex || strlen(salt_hex) != 2 * CONSTAT_SALT_SIZE ||
            constat_unhex(salt_hex, salt, sizeof salt) != CONSTAT_OK || !value ||
            json_object_size(pv) != 2 ||
            constat_record_commit(k, value, salt, c, &err) != CONSTAT_OK) {
            serve_error(rp, 400, "sealed_private", "sealed_private.%.100s: not {salt, value}",
                        k);
            return -1;
        }
        constat_hex(c, 32, hex);
        if (!json_is_string(v) || strcmp(hex, json_string_value(v)) != 0) {
            serve_error(rp, 400, "sealed_private",
                        "sealed_private.%.100s: does not open the record's commitment", k);
            return -1;
        }
    }
    return 0;
}

static void h_submit(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                     const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"leaf", "sealed_private", "sealed_persons", NULL};
    const char *leaf_text, *sealed, *sealed_persons, *kind, *monitor, *org, *rid;
    json_t *o = NULL, *priv = NULL;
    constat_leaf l;
    constat_note_verifier ver;
    constat_buf plain;
    constat_error err;
    constat_status st;
    serve_submission sub;
    (void)param;

    memset(&l, 0, sizeof l);
    memset(&sub, 0, sizeof sub);
    constat_buf_init(&plain);
    constat_buf_init(&sub.item.leaf);
    constat_buf_init(&sub.binding.leaf);
    if (json_body(rq, allowed, &o, rp) || str_field(o, "leaf", 1, &leaf_text, rp) ||
        str_field(o, "sealed_private", 0, &sealed, rp) ||
        str_field(o, "sealed_persons", 0, &sealed_persons, rp))
        goto out;
    if (constat_leaf_parse((const uint8_t *)leaf_text, strlen(leaf_text), &l, &err) !=
        CONSTAT_OK) {
        serve_error(rp, 400, "leaf", "leaf: %s", err.msg);
        goto out;
    }
    kind = json_string_value(json_object_get(l.record, "kind"));
    monitor = json_string_value(json_object_get(l.record, "monitor"));
    org = json_string_value(json_object_get(l.record, "org"));
    rid = json_string_value(json_object_get(l.record, "id"));
    /* a device signs with its monitor's key: only the kinds monitors
     * write, as constat_intake_prepare checks on the CLI */
    if (constat_intake_monitor_kind(l.record, &err) != CONSTAT_OK) {
        serve_error(rp, 400, "kind", "%s", err.msg);
        goto out;
    }
    if (!monitor || strcmp(monitor, se->account) != 0) {
        serve_error(rp, 403, "monitor", "monitor: a record is submitted by its own monitor "
                                        "(you are \"%s\")",
                    se->account);
        goto out;
    }
    if (!org || strcmp(org, constat_vault_org(ctx->vault)) != 0) {
        serve_error(rp, 400, "org", "org: must be \"%s\"", constat_vault_org(ctx->vault));
        goto out;
    }
    st = serve_cache_monitor_key(ctx, monitor, &ver, &err);
    if (st != CONSTAT_OK && st != CONSTAT_ENOTFOUND && st != CONSTAT_EINVAL) {
        lib_error(ctx, rp, st, &err);
        goto out;
    }
    if (st != CONSTAT_OK) {
        serve_error(rp, 403, "key_id", "monitor \"%s\" has no enrolled key", monitor);
        goto out;
    }
    if (constat_leaf_verify(&l, &ver, &err) != CONSTAT_OK) {
        serve_error(rp, 403, "signature", "signature: %s", err.msg);
        goto out;
    }
    /* a replay of a leaf already logged, byte for byte, gets that leaf's
     * receipt first, whatever the checks below would say of it now (its
     * boxes sealed to an organisation key rotated since, its key revoked
     * since): nothing new is logged or kept (docs/api.md) */
    if (serve_intake_logged(ctx, rid, leaf_text, strlen(leaf_text)))
        goto queue;
    if (constat_record_validate(l.record, ctx->tax, &err) != CONSTAT_OK) {
        lib_error(ctx, rp, CONSTAT_EINVAL, &err);
        goto out;
    }
    if (sealed) {
        pthread_mutex_lock(&ctx->lock);
        st = constat_vault_unseal_b64(ctx->vault, sealed, SERVE_BODY_RECORD, &plain, &err);
        pthread_mutex_unlock(&ctx->lock);
        if (st != CONSTAT_OK ||
            constat_json_parse((const char *)plain.data, plain.len, "sealed_private", 1, &priv,
                               &err) != CONSTAT_OK) {
            serve_error(rp, 400, "sealed_private", "sealed_private: %s", err.msg);
            goto out;
        }
    }
    if (check_private(l.record, priv, rp) ||
        serve_offline_check(ctx, &l, leaf_text, sealed_persons, &sub, rp))
        goto out;
    if (strcmp(kind, "evidence") == 0) {
        char path[4096];
        struct stat sb;
        const char *hex = json_string_value(json_object_get(l.record, "sha256"));
        if (!hex ||
            constat_evidence_path(constat_vault_dir(ctx->vault), hex, path, sizeof path) !=
                CONSTAT_OK ||
            stat(path, &sb) != 0) {
            serve_error(rp, 409, "sha256",
                        "sha256: the file is not uploaded (POST /api/v1/evidence first)");
            goto out;
        }
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_intake_amend_check_pending(ctx->vault, l.record, serve_intake_pending_incident,
                                            ctx->intake, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        lib_error(ctx, rp, st, &err);
        goto out;
    }
queue:
    if (constat_buf_append(&sub.item.leaf, leaf_text, strlen(leaf_text)) != CONSTAT_OK ||
        constat_record_content_hash(l.record, sub.item.content_hash, &err) != CONSTAT_OK ||
        !(sub.item.record_id = strdup(rid)) || !(sub.item.kind = strdup(kind))) {
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    sub.item.private_values = priv;
    priv = NULL;
    sub.account = se->account;
    sub.address = rq->address;
    if (rq->defer) {
        /* answered by the intake thread after the commit: this pool thread
         * goes back to its other connections meanwhile */
        serve_submission *d = malloc(sizeof *d);
        if (!d) {
            serve_error(rp, 500, NULL, "out of memory");
            goto out;
        }
        *d = sub;
        snprintf(d->account_buf, sizeof d->account_buf, "%s", se->account);
        snprintf(d->address_buf, sizeof d->address_buf, "%s", rq->address);
        d->account = d->account_buf;
        d->address = d->address_buf;
        d->defer = rq->defer;
        if (serve_intake_enqueue(ctx->intake, d) != 0) {
            sub = *d; /* the item is freed below */
            free(d);
            serve_error(rp, 503, NULL, "the intake queue is full; try again shortly");
            rp->retry_after = 1;
            goto out;
        }
        memset(&sub, 0, sizeof sub); /* the intake thread owns the item now */
        constat_buf_init(&sub.item.leaf);
        constat_buf_init(&sub.binding.leaf);
        rp->deferred = 1;
        goto out;
    }
    if (serve_intake_submit(ctx->intake, &sub) != 0) {
        serve_error(rp, 503, NULL, "the intake queue is full; try again shortly");
        rp->retry_after = 1;
        goto out;
    }
    serve_submission_reply(&sub, rp);
out:
    if (plain.data)
        sodium_memzero(plain.data, plain.len);
    constat_buf_free(&plain);
    constat_intake_item_free(&sub.item);
    constat_intake_item_free(&sub.binding);
    constat_leaf_free(&l);
    json_decref(o);
    json_decref(priv);
}

typedef struct {
    const serve_session *se;
    json_t *items;
} list_ctx;

static int list_cb(void *c, uint64_t index, const uint8_t *leaf, size_t len)
{
    list_ctx *lc = c;
    constat_leaf l;
    const char *monitor;
    if (constat_leaf_parse(leaf, len, &l, NULL) != CONSTAT_OK)
        return 0;
    monitor = json_string_value(json_object_get(l.record, "monitor"));
    if (strcmp(lc->se->role, CONSTAT_ROLE_MONITOR) != 0 ||
        (monitor && strcmp(monitor, lc->se->account) == 0)) {
        const char *kind = json_string_value(json_object_get(l.record, "kind"));
        json_t *o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?}", "index", (json_int_t)index,
                              "record_id", json_string_value(json_object_get(l.record, "id")),
                              "kind", kind, "monitor", monitor, "recorded_at",
                              json_string_value(json_object_get(l.record, "recorded_at")));
        /* a shift's presence: when it began and ended, as the monitor signed it */
        if (o && kind && strcmp(kind, "shift") == 0) {
            const json_t *a = json_object_get(l.record, "start"),
                         *b = json_object_get(l.record, "end");
            if (json_is_string(a))
                json_object_set(o, "start", (json_t *)a);
            if (json_is_string(b))
                json_object_set(o, "end", (json_t *)b);
        }
        if (o)
            json_array_append_new(lc->items, o);
    }
    constat_leaf_free(&l);
    return 0;
}

static void h_records(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    list_ctx lc = {se, json_array()};
    constat_error err;
    constat_status st;
    (void)rq, (void)param;
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_leaves(ctx->vault, 0, constat_vault_size(ctx->vault), list_cb, &lc, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        json_decref(lc.items);
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_json(rp, 200, json_pack("{s:o}", "records", lc.items));
}

static void h_record(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                     const char *param, serve_reply *rp)
{
    uint64_t idx;
    constat_buf leaf;
    constat_leaf l;
    constat_error err;
    constat_status st;
    json_t *receipt = NULL;
    const char *monitor;
    (void)rq;

    memset(&l, 0, sizeof l);
    constat_buf_init(&leaf);
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_find(ctx->vault, param, &idx, &err);
    if (st == CONSTAT_OK)
        st = constat_vault_leaf(ctx->vault, idx, &leaf, &err);
    if (st == CONSTAT_OK)
        st = constat_leaf_parse(leaf.data, leaf.len, &l, &err);
    monitor = st == CONSTAT_OK ? json_string_value(json_object_get(l.record, "monitor")) : NULL;
    if (st == CONSTAT_OK && strcmp(se->role, CONSTAT_ROLE_MONITOR) == 0 &&
        (!monitor || strcmp(monitor, se->account) != 0)) {
        audit(ctx, se->account, rq->address, "denied", param);
        pthread_mutex_unlock(&ctx->lock);
        serve_error(rp, 403, NULL, "record \"%.128s\" was submitted by another monitor", param);
        goto out;
    }
    if (st == CONSTAT_OK)
        st = constat_vault_receipt(ctx->vault, idx, param, &receipt, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        if (st == CONSTAT_ENOTFOUND)
            serve_error(rp, 404, NULL, "no record \"%.128s\"", param);
        else
            lib_error(ctx, rp, st, &err);
        goto out;
    }
    serve_json(rp, 200,
               json_pack("{s:O, s:s, s:o}", "record", l.record, "key_id", l.key_id, "receipt",
                         receipt));
out:
    constat_leaf_free(&l);
    constat_buf_free(&leaf);
}

static void h_evidence(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                       const char *param, serve_reply *rp)
{
    char hex[65], media[128];
    uint8_t h[32];
    uint64_t size = 0;
    int fresh = 0;
    constat_error err;
    constat_status st;
    (void)param;

    if (rq->len == 0) {
        serve_error(rp, 400, NULL, "an evidence file is not empty");
        return;
    }
    /* hashed and sealed from memory into the store (docs/vault.md): no
     * plaintext byte of the upload reaches the disk */
    st = constat_evidence_store_sealed_bytes(constat_vault_dir(ctx->vault),
                                             constat_vault_seal_keys(ctx->vault), rq->body,
                                             rq->len, media, sizeof media, h, &size, &fresh,
                                             &err);
    if (st != CONSTAT_OK) {
        lib_error(ctx, rp, st, &err);
        return;
    }
    constat_hex(h, 32, hex);
    pthread_mutex_lock(&ctx->lock);
    audit(ctx, se->account, rq->address, "evidence_upload", hex);
    pthread_mutex_unlock(&ctx->lock);
    serve_json(rp, fresh ? 201 : 200,
               json_pack("{s:s, s:I, s:s}", "sha256", hex, "size", (json_int_t)size,
                         "media_type", media));
}

/* ---- the register: named sites for the app's form ---- */

static int site_cb(void *c, uint64_t index, const json_t *r)
{
    json_t *o = json_pack("{s:s?, s:s?, s:s?}", "id", json_string_value(json_object_get(r, "id")),
                          "register", json_string_value(json_object_get(r, "register")),
                          "name", json_string_value(json_object_get(r, "name")));
    const json_t *v;
    (void)index;
    if (!o)
        return 1;
    if ((v = json_object_get(r, "commune")) && json_is_string(v))
        json_object_set(o, "commune", (json_t *)v);
    if ((v = json_object_get(r, "position")) && json_is_object(v))
        json_object_set_new(o, "position",
                            json_pack("{s:O, s:O}", "lat_e7", json_object_get(v, "lat_e7"),
                                      "lon_e7", json_object_get(v, "lon_e7")));
    return json_array_append_new(c, o) != 0;
}

/* GET /api/v1/sites: the register entries of the log (any role), for a
 * form's named-site choice: {sites: [{id, register, name, commune?,
 * position?}]}, in log order. */
static void h_sites(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                    const char *param, serve_reply *rp)
{
    json_t *sites = json_array();
    constat_error err;
    constat_status st;
    (void)rq, (void)se, (void)param;
    if (!sites) {
        serve_error(rp, 500, NULL, "out of memory");
        return;
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_register_list(ctx->vault, site_cb, sites, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        json_decref(sites);
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_json(rp, 200, json_pack("{s:o}", "sites", sites));
}

/* ---- coordinator and auditor ---- */

static void h_invite(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                     const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"name", NULL};
    char code[CONSTAT_ENROL_CODE_LEN + 1];
    const char *name;
    int64_t now = ctx->now();
    constat_error err;
    constat_status st;
    json_t *o;
    (void)param;
    if (json_body(rq, allowed, &o, rp) || str_field(o, "name", 1, &name, rp)) {
        json_decref(o);
        return;
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_enrol_code_issue(ctx->vault, name, now, CONSTAT_ENROL_CODE_TTL, code, &err);
    if (st == CONSTAT_OK)
        audit(ctx, se->account, rq->address, "invite", name);
    pthread_mutex_unlock(&ctx->lock);
    if (st == CONSTAT_OK)
        serve_json(rp, 201,
                   json_pack("{s:s, s:s, s:I}", "monitor", name, "code", code, "expires_at",
                             (json_int_t)(now + CONSTAT_ENROL_CODE_TTL)));
    else
        lib_error(ctx, rp, st, &err);
    sodium_memzero(code, sizeof code);
    json_decref(o);
}

static int account_cb(void *c, const char *name, const char *role, int disabled, int64_t at)
{
    json_array_append_new(c, json_pack("{s:s, s:s, s:b, s:I}", "name", name, "role", role,
                                       "disabled", disabled, "created_at", (json_int_t)at));
    return 0;
}

static int audit_cb(void *c, int64_t id, int64_t at, const char *account, const char *address,
                    const char *action, const char *detail)
{
    char when[32];
    constat_rfc3339_format(at, 0, when);
    json_array_append_new(c, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
                                       "time", when, "account", account, "address", address,
                                       "action", action, "detail", detail));
    return 0;
}

/* A listing of the accounts (audit 0) or of the audit table (audit 1) as
 * {key: [...]}. */
static void listing(serve_ctx *ctx, serve_reply *rp, int audit_table)
{
    json_t *items = json_array();
    constat_error err;
    constat_status st;
    pthread_mutex_lock(&ctx->lock);
    st = audit_table ? constat_audit_list(ctx->vault, audit_cb, items, &err)
                     : constat_account_list(ctx->vault, account_cb, items, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        json_decref(items);
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_json(rp, 200, json_pack("{s:o}", audit_table ? "audit" : "accounts", items));
}

static void h_accounts(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                       const char *param, serve_reply *rp)
{
    (void)rq, (void)se, (void)param;
    listing(ctx, rp, 0);
}

static void h_disable(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    char name[CONSTAT_KEY_NAME_MAX + 1];
    size_t n = strlen(param);
    constat_error err;
    constat_status st;
    /* param is "NAME/disable" */
    if (n <= 8 || strcmp(param + n - 8, "/disable") != 0 || n - 8 > CONSTAT_KEY_NAME_MAX) {
        serve_error(rp, 404, NULL, "no such route");
        return;
    }
    memcpy(name, param, n - 8);
    name[n - 8] = 0;
    if (strcmp(name, se->account) == 0) {
        serve_error(rp, 409, NULL, "a coordinator does not disable their own account");
        return;
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_account_set_disabled(ctx->vault, name, 1, &err);
    if (st == CONSTAT_OK)
        audit(ctx, se->account, rq->address, "disable", name);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_cache_forget(ctx, name);
    serve_session_drop_account(ctx, name);
    serve_json(rp, 200, json_pack("{s:s, s:b}", "account", name, "disabled", 1));
}

static void h_audit(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                    const char *param, serve_reply *rp)
{
    (void)rq, (void)se, (void)param;
    listing(ctx, rp, 1);
}

static void verify_fail(void *c, int64_t index, const char *msg)
{
    json_array_append_new(c, json_pack("{s:I, s:s}", "leaf", (json_int_t)index, "error", msg));
}

/* Each evidence leaf's stored file, re-hashed (not those of erased
 * records, whose files are gone on purpose), as `constat verify VAULT`
 * does (src/cli/cmd_verify.c). */
typedef struct {
    constat_vault *v;
    const json_t *erased;
    json_t *fails;
    size_t bad;
} store_check;

static int store_check_one(void *c, uint64_t index, const uint8_t *leaf, size_t len)
{
    store_check *sc = c;
    constat_leaf l;
    char msg[600], line[900];
    int rehashed = 0;
    const char *kind, *id;

    if (constat_leaf_parse(leaf, len, &l, NULL) != CONSTAT_OK)
        return 0; /* constat_vault_verify names it */
    kind = json_string_value(json_object_get(l.record, "kind"));
    id = json_string_value(json_object_get(l.record, "id"));
    if (kind && strcmp(kind, "evidence") == 0 && id && !json_object_get(sc->erased, id) &&
        constat_evidence_check_stored(sc->v, l.record, &rehashed, msg, sizeof msg) !=
            CONSTAT_OK) {
        snprintf(line, sizeof line, "leaf %llu (record %s): evidence store: %s",
                 (unsigned long long)index, id, msg);
        verify_fail(sc->fails, (int64_t)index, line);
        sc->bad++;
    }
    constat_leaf_free(&l);
    return 0;
}

/* GET /api/v1/verify: the checks of `constat verify VAULT` (src/cli/cmd_verify.c),
 * all of them: the log, its leaves, signatures and checkpoints
 * (constat_vault_verify), the revocations and rotations of monitor keys
 * (constat_vault_verify_revocations), and every evidence file of the store
 * re-hashed. */
static void h_verify(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                     const char *param, serve_reply *rp)
{
    json_t *fails = json_array(), *erased = NULL;
    constat_error err;
    constat_status st;
    uint64_t size;
    size_t nrev = 0;
    store_check sc;
    (void)rq, (void)se, (void)param;
    constat_error_clear(&err);
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_verify(ctx->vault, verify_fail, fails, &err);
    if (st == CONSTAT_OK || st == CONSTAT_EVERIFY) {
        constat_error rerr;
        constat_error_clear(&rerr);
        if (constat_vault_verify_revocations(ctx->vault, verify_fail, fails, &nrev, &rerr) !=
            CONSTAT_OK) {
            verify_fail(fails, -1, rerr.msg);
            st = CONSTAT_EVERIFY;
        } else if (nrev > 0) {
            st = CONSTAT_EVERIFY;
        }
    }
    if (st == CONSTAT_OK || st == CONSTAT_EVERIFY) {
        constat_error serr;
        constat_error_clear(&serr);
        sc.v = ctx->vault;
        sc.fails = fails;
        sc.bad = 0;
        if (constat_vault_erasures(ctx->vault, &erased, &serr) != CONSTAT_OK ||
            (sc.erased = erased,
             constat_vault_leaves(ctx->vault, 0, constat_vault_size(ctx->vault), store_check_one,
                                  &sc, &serr) != CONSTAT_OK)) {
            verify_fail(fails, -1, serr.msg);
            st = CONSTAT_EVERIFY;
        } else if (sc.bad > 0) {
            st = CONSTAT_EVERIFY;
        }
    }
    size = constat_vault_size(ctx->vault);
    pthread_mutex_unlock(&ctx->lock);
    json_decref(erased);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY) {
        json_decref(fails);
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_json(rp, 200,
               json_pack("{s:b, s:I, s:o}", "ok", st == CONSTAT_OK, "tree_size",
                         (json_int_t)size, "failures", fails));
}

static int witness_cb(void *c, const constat_publish_witness_state *w)
{
    char when[32] = "";
    constat_note_verifier ver;
    char kid[16] = "";
    json_t *o;
    if (w->verified == 1)
        constat_rfc3339_format(w->timestamp > (uint64_t)INT64_MAX ? INT64_MAX
                                                                  : (int64_t)w->timestamp,
                               0, when);
    if (constat_note_verifier_parse(w->vkey, &ver, NULL) == CONSTAT_OK)
        snprintf(kid, sizeof kid, "%08x", (unsigned)ver.key_id);
    o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", w->name, "key_id", kid, "vkey", w->vkey,
                  "url", w->url, "cosigned_size", (json_int_t)w->cosigned_size);
    if (!o)
        return 1;
    json_object_set_new(o, "cosigned_at", w->verified == 1 ? json_string(when) : json_null());
    json_object_set_new(o, "verified", w->verified < 0 ? json_null() : json_boolean(w->verified));
    if (w->verified == 0)
        json_object_set_new(o, "error", json_string(w->msg));
    return json_array_append_new(c, o) != 0;
}

/* GET /api/v1/witnesses (coordinator, auditor): the witnesses the log is
 * published to (`constat publish add`), each with the newest checkpoint it
 * cosigned and whether that stored cosignature verifies with its key
 * (constat_publish_status), beside the log's own size and newest
 * checkpoint. */
static void h_witnesses(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                        const char *param, serve_reply *rp)
{
    json_t *items = json_array();
    constat_buf note;
    constat_checkpoint cp;
    constat_note *opened = malloc(sizeof *opened);
    uint64_t size, cps = 0;
    int have_cp = 0;
    constat_error err;
    constat_status st;
    (void)rq, (void)se, (void)param;
    if (!items || !opened) {
        json_decref(items);
        free(opened);
        serve_error(rp, 500, NULL, "out of memory");
        return;
    }
    constat_buf_init(&note);
    pthread_mutex_lock(&ctx->lock);
    size = constat_vault_size(ctx->vault);
    st = constat_publish_status(ctx->vault, witness_cb, items, &err);
    if (st == CONSTAT_OK &&
        constat_vault_latest_checkpoint(ctx->vault, &note, NULL) == CONSTAT_OK &&
        constat_note_open((const char *)note.data, note.len,
                          &constat_vault_log_key(ctx->vault)->pub, 1, opened, NULL) ==
            CONSTAT_OK &&
        constat_checkpoint_parse((const char *)note.data, opened->text_len, &cp, NULL) ==
            CONSTAT_OK) {
        have_cp = 1;
        cps = cp.size;
    }
    pthread_mutex_unlock(&ctx->lock);
    free(opened);
    constat_buf_free(&note);
    if (st != CONSTAT_OK) {
        json_decref(items);
        lib_error(ctx, rp, st, &err);
        return;
    }
    serve_json(rp, 200,
               json_pack("{s:I, s:o, s:o}", "tree_size", (json_int_t)size, "checkpoint_size",
                         have_cp ? json_integer((json_int_t)cps) : json_null(), "witnesses",
                         items));
}

/* ---- the table ---- */

static const route routes[] = {
    {"GET", "/api/v1/info", R_PUBLIC, T_NONE, 0, h_info},
    {"GET", "/api/v1/key-transitions", R_PUBLIC, T_NONE, 0, h_key_transitions},
    {"POST", "/api/v1/login", R_PUBLIC, T_JSON, SERVE_BODY_SMALL, h_login},
    {"POST", "/api/v1/enrol", R_PUBLIC, T_JSON, SERVE_BODY_SMALL, h_enrol},
    {"GET", "/api/v1/session", R_ANY, T_NONE, 0, h_session},
    {"POST", "/api/v1/logout", R_ANY, T_NONE, SERVE_BODY_SMALL, h_logout},
    {"POST", "/api/v1/records/prepare", R_MONITOR, T_JSON, SERVE_BODY_RECORD, h_prepare},
    {"POST", "/api/v1/records", R_MONITOR, T_JSON, SERVE_BODY_RECORD, h_submit},
    {"GET", "/api/v1/records", R_ANY, T_NONE, 0, h_records},
    {"GET", "/api/v1/records/*", R_ANY, T_NONE, 0, h_record},
    {"GET", "/api/v1/sites", R_ANY, T_NONE, 0, h_sites},
    {"POST", "/api/v1/evidence", R_MONITOR, T_OCTETS, SERVE_BODY_EVIDENCE, h_evidence},
    {"POST", "/api/v1/uploads", R_MONITOR, T_JSON, SERVE_BODY_SMALL, serve_upload_new},
    {"GET", "/api/v1/uploads/*", R_MONITOR, T_NONE, 0, serve_upload_get},
    {"PUT", "/api/v1/uploads/*", R_MONITOR, T_OCTETS, SERVE_BODY_CHUNK, serve_upload_put},
    {"DELETE", "/api/v1/uploads/*", R_MONITOR, T_NONE, 0, serve_upload_delete},
    {"POST", "/api/v1/uploads/*", R_MONITOR, T_NONE, SERVE_BODY_SMALL, serve_upload_finish},
    {"POST", "/api/v1/invites", R_COORD, T_JSON, SERVE_BODY_SMALL, h_invite},
    {"GET", "/api/v1/accounts", R_COORD, T_NONE, 0, h_accounts},
    {"POST", "/api/v1/accounts/*", R_COORD, T_NONE, SERVE_BODY_SMALL, h_disable},
    {"GET", "/api/v1/audit", R_COORD | R_AUDITOR, T_NONE, 0, h_audit},
    {"GET", "/api/v1/verify", R_COORD | R_AUDITOR, T_NONE, 0, h_verify},
    {"GET", "/api/v1/witnesses", R_COORD | R_AUDITOR, T_NONE, 0, h_witnesses},
    {"POST", "/api/v1/dossier", R_COORD, T_JSON, SERVE_BODY_DOSSIER, serve_dossier},
    {"POST", "/add-checkpoint", R_PUBLIC, T_ANY, SERVE_BODY_WITNESS, h_add_checkpoint},
    {"POST", "/constat/add-key-transition", R_PUBLIC, T_ANY, SERVE_BODY_WITNESS,
     h_add_key_transition},
    {"GET", "/checkpoint", R_PUBLIC, T_NONE, 0, h_checkpoint},
    {"GET", "/tile/*", R_PUBLIC, T_NONE, 0, h_tile},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Does `url` match `path`? *param gets the part a trailing '*' matched. */
static int matches(const char *path, const char *url, const char **param)
{
    size_t n = strlen(path);
    *param = NULL;
    if (n && path[n - 1] == '*') {
        if (strncmp(url, path, n - 1) != 0 || url[n - 1] == 0)
            return 0;
        *param = url + n - 1;
        return 1;
    }
    return strcmp(url, path) == 0;
}

static const route *find_route(const char *method, const char *url, const char **param,
                               char *allow, size_t cap)
{
    size_t used = 0;
    if (allow)
        allow[0] = 0;
    for (size_t i = 0; i < NROUTES; i++) {
        if (!matches(routes[i].path, url, param))
            continue;
        /* "/api/v1/records/prepare" is not a record id for GET */
        if (strcmp(routes[i].method, method) == 0)
            return &routes[i];
        if (allow && used + strlen(routes[i].method) + 3 < cap && !strstr(allow, routes[i].method))
            used += (size_t)snprintf(allow + used, cap - used, "%s%s", used ? ", " : "",
                                     routes[i].method);
    }
    return NULL;
}

size_t serve_route_limit(const char *method, const char *url)
{
    const char *param;
    const route *r = find_route(method, url, &param, NULL, 0);
    return r ? r->limit : 0;
}

void serve_routes_print(FILE *f)
{
    for (size_t i = 0; i < NROUTES; i++) {
        size_t n = strlen(routes[i].path);
        if (routes[i].path[n - 1] == '*')
            fprintf(f, "%s %.*s%s\n", routes[i].method, (int)(n - 1), routes[i].path,
                    strcmp(routes[i].path, "/tile/*") == 0              ? "{path}"
                    : strcmp(routes[i].path, "/api/v1/accounts/*") == 0 ? "{name}/disable"
                    : strcmp(routes[i].method, "POST") == 0 &&
                            strcmp(routes[i].path, "/api/v1/uploads/*") == 0
                        ? "{id}/finish"
                                                                        : "{id}");
        else
            fprintf(f, "%s %s\n", routes[i].method, routes[i].path);
    }
}

static const char *role_names(int roles, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s", roles & R_COORD ? " coordinator" : "",
             roles & R_MONITOR ? " monitor" : "", roles & R_AUDITOR ? " auditor" : "");
    return out[0] ? out + 1 : out;
}

static int role_bit(const char *role)
{
    return strcmp(role, CONSTAT_ROLE_COORDINATOR) == 0 ? R_COORD
           : strcmp(role, CONSTAT_ROLE_MONITOR) == 0   ? R_MONITOR
           : strcmp(role, CONSTAT_ROLE_AUDITOR) == 0   ? R_AUDITOR
                                                       : 0;
}

static int type_ok(int want, const char *ct)
{
    size_t n;
    const char *t = want == T_JSON ? "application/json" : "application/octet-stream";
    if (want == T_NONE || want == T_ANY)
        return 1;
    if (!ct)
        return 0;
    n = strlen(t);
    return strncasecmp(ct, t, n) == 0 && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

void serve_route(serve_ctx *ctx, const serve_request *rq, serve_reply *rp)
{
    const char *param = NULL;
    char allow[64], names[64];
    serve_session se;
    const route *r = find_route(rq->method, rq->url, &param, allow, sizeof allow);

    memset(&se, 0, sizeof se);
    if (!r && !allow[0] && (serve_taxonomy(ctx, rq, rp) || serve_static(rq, rp)))
        return;
    if (!r) {
        if (allow[0]) {
            serve_error(rp, 405, NULL, "%.8s is not allowed here (allowed: %s)", rq->method,
                        allow);
            snprintf(rp->allow, sizeof rp->allow, "%s", allow);
        } else {
            serve_error(rp, 404, NULL, "no such route: %.100s", rq->url);
        }
        return;
    }
    if (r->roles != R_PUBLIC) {
        char role[16];
        int disabled = 0;
        if (serve_session_get(ctx, rq->cookie, &se) != 0) {
            serve_error(rp, 401, NULL, "log in first (POST /api/v1/login): no session, or it "
                                       "expired");
            return;
        }
        /* an account disabled meanwhile (by the CLI too: within
         * SERVE_CACHE_TTL_MS) loses its session */
        if (serve_cache_role(ctx, se.account, role, &disabled, NULL) != CONSTAT_OK || disabled) {
            serve_session_drop_account(ctx, se.account);
            serve_error(rp, 401, NULL, "account \"%s\" is disabled", se.account);
            return;
        }
        if (!(r->roles & role_bit(se.role))) {
            pthread_mutex_lock(&ctx->lock);
            audit(ctx, se.account, rq->address, "denied", rq->url);
            pthread_mutex_unlock(&ctx->lock);
            serve_error(rp, 403, NULL, "role %s may not %s %s (allowed: %s)", se.role,
                        rq->method, rq->url, role_names(r->roles, names, sizeof names));
            return;
        }
        if (strcmp(rq->method, "GET") != 0 &&
            (!rq->csrf || strlen(rq->csrf) != strlen(se.csrf) ||
             sodium_memcmp(rq->csrf, se.csrf, strlen(se.csrf)) != 0)) {
            serve_error(rp, 403, "X-CSRF-Token",
                        "missing or wrong CSRF token (send the one the login gave in the "
                        "X-CSRF-Token header)");
            return;
        }
    }
    if (!type_ok(r->type, rq->content_type)) {
        serve_error(rp, 415, "Content-Type", "Content-Type must be %s",
                    r->type == T_JSON ? "application/json" : "application/octet-stream");
        return;
    }
    r->fn(ctx, rq, &se, param, rp);
}
