/*
 * serve_http.c — the HTTP core of `constat serve` on libmicrohttpd: a pool
 * of threads each polling its share of connections, a timeout on idle and
 * slow connections, TLS through libmicrohttpd's GnuTLS support, and bodies
 * capped per route while they arrive (a body over its route's limit is
 * dropped unread and answered 413, so a client cannot make us buffer more
 * than the limit). What to answer is serve_routes.c's business.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include "mhd.h"

#include "listen.h"

#include "serve.h"

#define SERVE_CONNECTION_LIMIT 256

struct serve_http {
    struct MHD_Daemon *d;
    serve_ctx *ctx;
    /* deferred answers (serve_request.defer): a submission waits for its
     * batch with its connection suspended, so that a pool as small as the
     * cores keeps many batches' worth of requests in flight */
    pthread_mutex_t mu;
    pthread_cond_t idle;
    unsigned inflight; /* admitted to routing, answer not yet queued */
    int stopping;      /* no more admissions: 503 */
};

typedef struct {
    constat_buf body;
    size_t limit;
    int too_big;
    serve_http *s;
    struct MHD_Connection *c;
    int suspended, has_ready;
    int counted; /* in s->inflight */
    serve_reply ready; /* the deferred answer, once it came */
} request;

static void reply_headers(struct MHD_Response *r, const serve_reply *rp)
{
    char ra[24];
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rp->type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", rp->cache ? rp->cache : "no-store");
    if (rp->etag[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rp->etag);
    if (rp->page) {
        /* the web app: its own scripts and styles only, no framing, no
         * inline code, requests to this server only (docs/field-app.md) */
        MHD_add_response_header(r, "Content-Security-Policy", SERVE_APP_CSP);
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
        MHD_add_response_header(r, "Permissions-Policy",
                                "geolocation=(self), camera=(self), microphone=()");
    }
    if (rp->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rp->set_cookie);
    if (rp->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rp->allow);
    if (rp->disposition[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rp->disposition);
    if (rp->retry_after) {
        snprintf(ra, sizeof ra, "%u", rp->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
}

static enum MHD_Result send_reply(struct MHD_Connection *c, serve_reply *rp)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rp->body.len, rp->body.len ? rp->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    if (!r)
        return MHD_NO;
    reply_headers(r, rp);
    ok = MHD_queue_response(c, rp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static void client_address(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
                  out, (socklen_t)cap);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, out,
                  (socklen_t)cap);
}

/* The request leaves s->inflight (answered, or its connection closed). */
static void uncount(request *rq)
{
    serve_http *s = rq->s;
    pthread_mutex_lock(&s->mu);
    if (rq->counted) {
        rq->counted = 0;
        if (--s->inflight == 0)
            pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->mu);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The byte "%XX" at s[i] stands for, or -1 (no escape there). */
static int escaped_at(const char *s, size_t i, size_t n)
{
    int hi, lo;
    if (s[i] != '%' || i + 2 >= n || (hi = hex_digit(s[i + 1])) < 0 ||
        (lo = hex_digit(s[i + 2])) < 0)
        return -1;
    return hi * 16 + lo;
}

/* Percent-decoding of the path and the query (MHD_OPTION_UNESCAPE_CALLBACK),
 * in place, as libmicrohttpd's own, except that a string holding an escaped
 * control byte (%00-%1F, %7F) is left undecoded as a whole: decoded, "/%00"
 * would end at the NUL and be "/" (the app's index.html); kept, its '%' is
 * no file path and no route (400 or 404). Returns the new length. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    size_t n = strlen(s), o = 0;
    (void)cls, (void)c;
    for (size_t i = 0; i < n; i++) {
        int b = escaped_at(s, i, n);
        if (b >= 0 && (b < 0x20 || b == 0x7f))
            return n;
    }
    for (size_t i = 0; i < n; i++) {
        int b = escaped_at(s, i, n);
        if (b >= 0) {
            s[o++] = (char)b;
            i += 2;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = 0;
    return o;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **con_cls)
{
    serve_http *s = cls;
    request *rq = *con_cls;
    serve_request sr;
    serve_reply rp;
    char addr[64];
    enum MHD_Result ok;
    (void)version;

    if (!rq) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        constat_buf_init(&rq->body);
        constat_buf_init(&rq->ready.body);
        rq->s = s;
        rq->c = c;
        rq->limit = serve_route_limit(method, url);
        *con_cls = rq;
        /* a declared oversized body is refused at once, before any of it
         * is read (the client need not send it; the connection is closed
         * after the answer) */
        if (cl && strtoull(cl, NULL, 10) > rq->limit) {
            rq->too_big = 1;
            client_address(c, addr, sizeof addr);
            memset(&rp, 0, sizeof rp);
            constat_buf_init(&rp.body);
            serve_error(&rp, 413, NULL, "request body larger than %zu bytes, the limit of %s %s",
                        rq->limit, method, url);
            goto send;
        }
        return MHD_YES;
    }
    if (*data_size > 0) {
        if (!rq->too_big) {
            if (rq->body.len + *data_size > rq->limit) {
                rq->too_big = 1;
                constat_buf_free(&rq->body);
            } else if (constat_buf_append(&rq->body, data, *data_size) != CONSTAT_OK) {
                return MHD_NO;
            }
        }
        *data_size = 0;
        return MHD_YES;
    }
    client_address(c, addr, sizeof addr);
    pthread_mutex_lock(&s->mu);
    if (rq->has_ready) {
        /* resumed: the deferred answer came */
        rp = rq->ready;
        rq->has_ready = 0;
        constat_buf_init(&rq->ready.body);
        pthread_mutex_unlock(&s->mu);
        goto answer;
    }
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        memset(&rp, 0, sizeof rp);
        constat_buf_init(&rp.body);
        serve_error(&rp, 503, NULL, "the server is stopping; try again shortly");
        rp.retry_after = 1;
        goto send;
    }
    s->inflight++;
    rq->counted = 1;
    pthread_mutex_unlock(&s->mu);
    memset(&rp, 0, sizeof rp);
    constat_buf_init(&rp.body);
    if (rq->too_big) {
        serve_error(&rp, 413, NULL, "request body larger than %zu bytes, the limit of %s %s",
                    rq->limit, method, url);
    } else {
        sr.method = method;
        sr.url = url;
        sr.address = addr;
        sr.content_type =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        sr.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "constat_session");
        sr.csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        sr.if_none_match =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
        sr.content_range =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_RANGE);
        sr.body = rq->body.data ? rq->body.data : (const uint8_t *)"";
        sr.len = rq->body.len;
        sr.defer = rq;
        serve_route(s->ctx, &sr, &rp);
    }
    if (rp.deferred) {
        pthread_mutex_lock(&s->mu);
        if (rq->has_ready) { /* it came already */
            rp = rq->ready;
            rq->has_ready = 0;
            constat_buf_init(&rq->ready.body);
            pthread_mutex_unlock(&s->mu);
            goto answer;
        }
        rq->suspended = 1;
        MHD_suspend_connection(c);
        pthread_mutex_unlock(&s->mu);
        return MHD_YES;
    }
answer:
    uncount(rq);
send:
    if (s->ctx->log) {
        fprintf(s->ctx->log, "serve: %s %.8s %.100s -> %u\n", addr, method, url, rp.status);
        fflush(s->ctx->log);
    }
    ok = send_reply(c, &rp);
    constat_buf_free(&rp.body);
    return ok;
}

void serve_http_deferred_done(void *defer, serve_reply *rp)
{
    request *rq = defer;
    serve_http *s = rq->s;
    pthread_mutex_lock(&s->mu);
    rq->ready = *rp;
    constat_buf_init(&rp->body); /* taken */
    rq->ready.deferred = 0;
    rq->has_ready = 1;
    if (rq->suspended) {
        rq->suspended = 0;
        MHD_resume_connection(rq->c);
    }
    pthread_mutex_unlock(&s->mu);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    request *rq = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (rq) {
        uncount(rq); /* a client gone while its submission waited */
        constat_buf_free(&rq->body);
        constat_buf_free(&rq->ready.body);
        free(rq);
        *con_cls = NULL;
    }
}

int serve_http_start(serve_ctx *ctx, const char *listen, unsigned threads,
                     const char *cert_pem, const char *key_pem, serve_http **out,
                     unsigned *port, char *errbuf, size_t cap)
{
    struct sockaddr_in sa;
    serve_http *s;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;

    unsigned timeout = ctx->client_timeout ? ctx->client_timeout : SERVE_CONNECTION_TIMEOUT;

    *out = NULL;
    if (http_listen_addr(listen, &sa, errbuf, cap) != 0 || constat_mhd_load(errbuf, cap) != 0)
        return -1;
    if (cert_pem) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(errbuf, cap, "this libmicrohttpd has no TLS support");
            return -1;
        }
        flags |= MHD_USE_TLS;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, cap, "out of memory");
        return -1;
    }
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    if (cert_pem)
        s->d = MHD_start_daemon(flags, ntohs(sa.sin_port), NULL, NULL, handle, s,
                                MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
                                completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                                timeout, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)SERVE_CONNECTION_LIMIT, MHD_OPTION_THREAD_POOL_SIZE,
                                threads, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                                MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
                                MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(flags, ntohs(sa.sin_port), NULL, NULL, handle, s,
                                MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
                                completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                                timeout, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)SERVE_CONNECTION_LIMIT, MHD_OPTION_THREAD_POOL_SIZE,
                                threads, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                                MHD_OPTION_END);
    if (!s->d) {
        snprintf(errbuf, cap, "cannot listen on %s (port in use, not permitted, or bad TLS "
                              "certificate/key)", listen);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->idle);
        free(s);
        return -1;
    }
    *port = constat_mhd_bound_port(s->d, &sa);
    *out = s;
    return 0;
}

void serve_http_stop(serve_http *s)
{
    if (!s)
        return;
    /* the requests waiting for their batch are answered first: a suspended
     * connection must not outlive the daemon */
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    while (s->inflight > 0)
        pthread_cond_wait(&s->idle, &s->mu);
    pthread_mutex_unlock(&s->mu);
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
    free(s);
}
