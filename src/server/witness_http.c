/*
 * witness_http.c — C2SP tlog-witness over HTTP on libmicrohttpd.
 *
 * Why one internal polling thread: every decision goes through one SQLite
 * connection and its transaction, so requests of this process are handled
 * one after the other and need no lock; another process writing the same
 * vault serializes with us through BEGIN IMMEDIATE and the busy timeout.
 * The add-checkpoint work is a few milliseconds, far below network time.
 *
 * Why bodies are capped while they arrive: the protocol body is at most 63
 * hashes and a note, a few KiB; anything past CONSTAT_WITNESS_BODY_MAX is
 * dropped unread and refused, so a client cannot make us buffer much.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "base/dynlib.h"
#include "constat/witness/witness.h"
#include "witness_http.h"

/* libmicrohttpd, loaded when a server starts (base/dynlib.h: the other
 * commands do not pay for it and GnuTLS below it): names and pointers in the
 * same order */
static const char *const mhd_names[] = {
    "MHD_create_response_from_buffer", "MHD_add_response_header", "MHD_queue_response",
    "MHD_destroy_response",            "MHD_start_daemon",        "MHD_get_daemon_info",
    "MHD_stop_daemon"};
static struct {
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
                                           const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status_code,
                                      struct MHD_Response *r);
    void (*destroy_response)(struct MHD_Response *r);
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *d,
                                                   enum MHD_DaemonInfoType info_type, ...);
    void (*stop_daemon)(struct MHD_Daemon *d);
} mhd;
static constat_dynlib mhd_lib = CONSTAT_DYNLIB("libmicrohttpd.so.12", mhd_names, mhd);
#undef MHD_create_response_from_buffer
#define MHD_create_response_from_buffer mhd.create_response_from_buffer
#define MHD_add_response_header mhd.add_response_header
#define MHD_queue_response mhd.queue_response
#define MHD_destroy_response mhd.destroy_response
#define MHD_start_daemon mhd.start_daemon
#define MHD_get_daemon_info mhd.get_daemon_info
#define MHD_stop_daemon mhd.stop_daemon

struct witness_http {
    struct MHD_Daemon *d;
    const witness_http_config *cfg;
};

typedef struct {
    constat_buf body;
    int too_big;
} request;

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *type,
                              const char *text, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned code, const char *msg)
{
    char line[CONSTAT_ERROR_MSG_MAX + 2];
    int n = snprintf(line, sizeof line, "%s\n", msg);
    return answer(c, code, "text/plain; charset=utf-8", line,
                  n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void log_line(const witness_http *s, const char *method, const char *url, unsigned code,
                     const char *msg)
{
    if (!s->cfg->log)
        return;
    fprintf(s->cfg->log, "witness: %.8s %.80s -> %u%s%s\n", method, url, code,
            msg && msg[0] ? ": " : "", msg ? msg : "");
    fflush(s->cfg->log);
}

static enum MHD_Result add_checkpoint(witness_http *s, struct MHD_Connection *c,
                                      const char *method, const char *url, request *rq)
{
    constat_witness_request wr;
    constat_witness_outcome out;
    constat_error err;
    constat_buf sig;
    constat_status st;
    enum MHD_Result ok;

    if (rq->too_big) {
        log_line(s, method, url, 413, "body too large");
        return answer_text(c, 413, "request body too large");
    }
    st = constat_witness_request_parse((const char *)rq->body.data, rq->body.len, &wr, &err);
    if (st != CONSTAT_OK) {
        log_line(s, method, url, 400, err.msg);
        return answer_text(c, MHD_HTTP_BAD_REQUEST, err.msg);
    }
    constat_buf_init(&sig);
    st = constat_witness_add_checkpoint(s->cfg->vault, s->cfg->key, wr.old_size, &wr.proof,
                                        (const char *)rq->body.data + wr.note_off,
                                        rq->body.len - wr.note_off, (uint64_t)s->cfg->now(),
                                        &sig, &out, &err);
    if (st == CONSTAT_OK) {
        log_line(s, method, url, 200, "cosigned");
        ok = answer(c, MHD_HTTP_OK, "text/plain; charset=utf-8", (const char *)sig.data,
                    sig.len);
    } else if (out.http == 409 && out.size_known) {
        char size[32];
        int n = snprintf(size, sizeof size, "%llu\n", (unsigned long long)out.size);
        log_line(s, method, url, 409, err.msg);
        ok = answer(c, MHD_HTTP_CONFLICT, "text/x.tlog.size", size, (size_t)n);
    } else {
        unsigned code = out.http >= 400 && out.http <= 599 ? (unsigned)out.http : 500;
        /* internal failures are logged in full but not detailed to the client */
        log_line(s, method, url, code, err.msg);
        ok = answer_text(c, code, code == 500 ? "internal error" : err.msg);
    }
    constat_buf_free(&sig);
    return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **con_cls)
{
    witness_http *s = cls;
    request *rq = *con_cls;
    (void)version;

    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        constat_buf_init(&rq->body);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*data_size > 0) {
        if (!rq->too_big) {
            if (rq->body.len + *data_size > CONSTAT_WITNESS_BODY_MAX) {
                rq->too_big = 1;
                constat_buf_free(&rq->body);
            } else if (constat_buf_append(&rq->body, data, *data_size) != CONSTAT_OK) {
                return MHD_NO;
            }
        }
        *data_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/add-checkpoint") != 0) {
        log_line(s, method, url, 404, "no such path");
        return answer_text(c, MHD_HTTP_NOT_FOUND, "not found (this witness serves POST "
                                                  "/add-checkpoint)");
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
        struct MHD_Response *r =
            MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ok;
        log_line(s, method, url, 405, "not POST");
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, MHD_HTTP_METHOD_POST);
        ok = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
        MHD_destroy_response(r);
        return ok;
    }
    return add_checkpoint(s, c, method, url, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    request *rq = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (rq) {
        constat_buf_free(&rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

int witness_http_start(const witness_http_config *cfg, const char *listen, witness_http **out,
                       unsigned *port, char *errbuf, size_t cap)
{
    struct sockaddr_in sa;
    const char *colon;
    char host[64];
    unsigned long p;
    char *end;
    witness_http *s;
    const union MHD_DaemonInfo *info;
    constat_error e;

    *out = NULL;
    colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || (size_t)(colon - listen) >= sizeof host || colon == listen) {
        snprintf(errbuf, cap, "--listen wants IPV4:PORT, got \"%.100s\"", listen ? listen : "");
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    errno = 0;
    p = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || p > 65535) {
        snprintf(errbuf, cap, "--listen: bad port \"%.20s\"", colon + 1);
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)p);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(errbuf, cap, "--listen: \"%.60s\" is not an IPv4 address", host);
        return -1;
    }
    constat_error_clear(&e);
    if (constat_dynlib_use(&mhd_lib, &e) != CONSTAT_OK) {
        snprintf(errbuf, cap, "%s", e.msg);
        return -1;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, cap, "out of memory");
        return -1;
    }
    s->cfg = cfg;
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
                            (uint16_t)p, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!s->d) {
        snprintf(errbuf, cap, "cannot listen on %s (port in use or not permitted)", listen);
        free(s);
        return -1;
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : (unsigned)p;
    *out = s;
    return 0;
}

void witness_http_stop(witness_http *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    free(s);
}
