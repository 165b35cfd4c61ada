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

#include "constat/base/text.h"
#include "constat/witness/witness.h"
#include "listen.h"
#include "mhd.h"
#include "witness_http.h"


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

/* Append the first `max` bytes of untrusted `s` (NULL = empty) to b,
 * escaped for a terminal line (constat_text_escape_n): a log line is read
 * on a terminal, and the method, the path (percent-decoded by
 * libmicrohttpd) and error messages quoting the request are the client's. */
static int log_text(constat_buf *b, const char *s, size_t max)
{
    size_t n = s ? strnlen(s, max) : 0;
    return constat_text_escape_n(b, s ? s : "", n, 0) != CONSTAT_OK;
}

static void log_line(const witness_http *s, const char *method, const char *url, unsigned code,
                     const char *msg)
{
    constat_buf m, u, e;
    if (!s->cfg->log)
        return;
    constat_buf_init(&m);
    constat_buf_init(&u);
    constat_buf_init(&e);
    if (!log_text(&m, method, 8) && !log_text(&u, url, 80) &&
        !log_text(&e, msg, CONSTAT_ERROR_MSG_MAX) && constat_buf_append(&m, "", 1) == CONSTAT_OK &&
        constat_buf_append(&u, "", 1) == CONSTAT_OK && constat_buf_append(&e, "", 1) == CONSTAT_OK)
        fprintf(s->cfg->log, "witness: %s %s -> %u%s%s\n", (const char *)m.data,
                (const char *)u.data, code, msg && msg[0] ? ": " : "", (const char *)e.data);
    else
        fprintf(s->cfg->log, "witness: -> %u (log line not shown: out of memory)\n", code);
    fflush(s->cfg->log);
    constat_buf_free(&m);
    constat_buf_free(&u);
    constat_buf_free(&e);
}

/* The answer to a decided request (add-checkpoint or add-key-transition). */
static unsigned decided(constat_status st, const constat_witness_outcome *out_,
                        const constat_error *err, constat_buf *out, const char **type,
                        char *msg, size_t cap);

unsigned witness_http_add_checkpoint(const witness_http_config *cfg, const uint8_t *body,
                                     size_t len, constat_buf *out, const char **type,
                                     char *msg, size_t cap)
{
    constat_witness_request wr;
    constat_witness_outcome out_;
    constat_error err;
    constat_status st;

    *type = "text/plain; charset=utf-8";
    st = constat_witness_request_parse((const char *)body, len, &wr, &err);
    if (st != CONSTAT_OK) {
        snprintf(msg, cap, "%s", err.msg);
        constat_buf_printf(out, "%s\n", err.msg);
        return 400;
    }
    st = constat_witness_add_checkpoint(cfg->vault, cfg->key, wr.old_size, &wr.proof,
                                        (const char *)body + wr.note_off, len - wr.note_off,
                                        (uint64_t)cfg->now(), out, &out_, &err);
    return decided(st, &out_, &err, out, type, msg, cap);
}

unsigned witness_http_add_key_transition(const witness_http_config *cfg, const uint8_t *body,
                                         size_t len, constat_buf *out, const char **type,
                                         char *msg, size_t cap)
{
    constat_witness_transition_request *wr = malloc(sizeof *wr);
    constat_witness_outcome out_;
    constat_error err;
    constat_status st;
    unsigned code;

    *type = "text/plain; charset=utf-8";
    if (!wr) {
        snprintf(msg, cap, "out of memory");
        constat_buf_puts(out, "internal error\n");
        return 500;
    }
    st = constat_witness_transition_request_parse((const char *)body, len, wr, &err);
    if (st != CONSTAT_OK) {
        free(wr);
        snprintf(msg, cap, "%s", err.msg);
        constat_buf_printf(out, "%s\n", err.msg);
        return 400;
    }
    st = constat_witness_add_checkpoint_transition(cfg->vault, cfg->key, wr, (const char *)body,
                                                   len, (uint64_t)cfg->now(), out, &out_, &err);
    free(wr);
    code = decided(st, &out_, &err, out, type, msg, cap);
    if (code == 200)
        snprintf(msg, cap, "cosigned, following the log's key transitions to its new key");
    return code;
}

static unsigned decided(constat_status st, const constat_witness_outcome *o,
                        const constat_error *e, constat_buf *out, const char **type,
                        char *msg, size_t cap)
{
    constat_witness_outcome out_ = *o;
    constat_error err = *e;
    unsigned code;

    if (st == CONSTAT_OK) {
        snprintf(msg, cap, "cosigned");
        return 200;
    }
    constat_buf_reset(out);
    snprintf(msg, cap, "%s", err.msg);
    if (out_.http == 409 && out_.size_known) {
        *type = "text/x.tlog.size";
        constat_buf_printf(out, "%llu\n", (unsigned long long)out_.size);
        return 409;
    }
    code = out_.http >= 400 && out_.http <= 599 ? (unsigned)out_.http : 500;
    /* internal failures are logged in full but not detailed to the client */
    constat_buf_printf(out, "%s\n", code == 500 ? "internal error" : err.msg);
    return code;
}

static enum MHD_Result add_checkpoint(witness_http *s, struct MHD_Connection *c,
                                      const char *method, const char *url, request *rq)
{
    constat_buf reply;
    const char *type;
    char msg[CONSTAT_ERROR_MSG_MAX];
    unsigned code;
    enum MHD_Result ok;

    if (rq->too_big) {
        log_line(s, method, url, 413, "body too large");
        return answer_text(c, 413, "request body too large");
    }
    constat_buf_init(&reply);
    code = strcmp(url, "/add-checkpoint") == 0
               ? witness_http_add_checkpoint(s->cfg, rq->body.data, rq->body.len, &reply, &type,
                                             msg, sizeof msg)
               : witness_http_add_key_transition(s->cfg, rq->body.data, rq->body.len, &reply,
                                                 &type, msg, sizeof msg);
    log_line(s, method, url, code, msg);
    ok = answer(c, code, type, reply.data ? (const char *)reply.data : "", reply.len);
    constat_buf_free(&reply);
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
    if (strcmp(url, "/add-checkpoint") != 0 && strcmp(url, "/constat/add-key-transition") != 0) {
        log_line(s, method, url, 404, "no such path");
        return answer_text(c, MHD_HTTP_NOT_FOUND, "not found (this witness serves POST "
                                                  "/add-checkpoint and POST "
                                                  "/constat/add-key-transition)");
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
    witness_http *s;

    *out = NULL;
    if (http_listen_addr(listen, &sa, errbuf, cap) != 0)
        return -1;
    if (constat_mhd_load(errbuf, cap) != 0)
        return -1;
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, cap, "out of memory");
        return -1;
    }
    s->cfg = cfg;
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
                            ntohs(sa.sin_port), NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!s->d) {
        snprintf(errbuf, cap, "cannot listen on %s (port in use or not permitted)", listen);
        free(s);
        return -1;
    }
    *port = constat_mhd_bound_port(s->d, &sa);
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
