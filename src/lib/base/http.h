/*
 * http.h — the library's one HTTP client (libcurl), library-private.
 *
 * Every transfer is restricted the same way: http:// and https:// only (also
 * for redirects), a cap on the response body (checked against
 * Content-Length before the body and against the bytes as they arrive), no
 * signals (safe in threads), and timeouts. What differs between callers —
 * timeouts, redirects, request headers, user agent, compression — is an
 * option. Used by the RFC 3161 client (evidence/tsa.c), publishing to
 * witnesses (witness/publish.c) and the tile audit (log/tlog_audit.c).
 */
#ifndef CONSTAT_HTTP_H
#define CONSTAT_HTTP_H

#include <stddef.h>

#include "constat/base/buf.h"
#include "constat/base/errors.h"

typedef struct {
    /* Whole transfer, in seconds; 0: no overall limit (set a low-speed limit). */
    long timeout_s;
    /* Connecting, in seconds; 0: libcurl's default (300 s). */
    long connect_timeout_s;
    /* Abort when slower than low_speed_bytes per second for low_speed_s
     * seconds; 0: no such check. */
    long low_speed_bytes;
    long low_speed_s;
    /* Redirects followed (each http or https only); 0: none, a 3xx reply is
     * returned as it is. */
    long max_redirects;
    /* 1: offer every encoding libcurl decodes (gzip, deflate, identity). */
    int accept_encoding;
    /* User-Agent header; NULL: none. */
    const char *user_agent;
    /* NULL-terminated list of "Name: value" request headers, or NULL. */
    const char *const *headers;
    /* 1: keep the cookies servers set, in memory, for this client's later
     * requests (libcurl's cookie engine, no file): the session of
     * `constat submit`. */
    int cookies;
} constat_http_options;

/* A client: one libcurl handle, reused by every request (keeps connections). */
typedef struct constat_http constat_http;

/* Start a client with options `o` (copied; the strings must outlive the
 * client). *out is malloc'd: release with constat_http_close.
 * Errors: CONSTAT_EINVAL (o NULL), CONSTAT_ENOMEM, CONSTAT_EIO
 * "cannot start libcurl" (global initialisation or the handle failed). */
constat_status constat_http_open(const constat_http_options *o, constat_http **out,
                                 constat_error *err);

/* GET `url` (body NULL), or POST the `len` bytes at `body`. The response
 * body, at most `max` bytes (> 0), is appended to `out`; on any error `out` is cut back to its length
 * before the call. *status gets the HTTP status of the last response (any
 * value, 3xx included when redirects are off: the caller judges it), and
 * `ctype`, when not NULL, is reset and gets its Content-Type ("" when none).
 * Errors (messages start with the URL): CONSTAT_EINVAL (url NULL, max 0),
 * CONSTAT_ELIMIT "<url>: larger than <max> bytes", CONSTAT_ENOMEM
 * "<url>: out of memory", CONSTAT_EIO "<url>: <libcurl's reason>" (no
 * connection, timeout, a scheme other than http/https, TLS, ...). */
constat_status constat_http_request(constat_http *h, const char *url, const void *body,
                                    size_t len, size_t max, constat_buf *out, long *status,
                                    constat_buf *ctype, constat_error *err);

/* Replace the request headers of client `h` by the NULL-terminated list
 * `headers` ("Name: value"; NULL: none) for its later requests.
 * Errors: CONSTAT_ENOMEM (the old headers are then kept). */
constat_status constat_http_set_headers(constat_http *h, const char *const *headers,
                                        constat_error *err);

/* Release a client; NULL is allowed. */
void constat_http_close(constat_http *h);

/* 1 if `url` is an acceptable endpoint: 1 to `max` bytes, beginning with
 * "http://" or "https://", only printable ASCII without spaces (0x21..0x7e);
 * else 0. NULL is 0. */
int constat_http_url_ok(const char *url, size_t max);

#endif
