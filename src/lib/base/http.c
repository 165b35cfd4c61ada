/*
 * http.c — the library's HTTP client over libcurl (http.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* the functions are called through pointers (dynlib.h): no type-checking
 * macros over them */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "base/dynlib.h"
#include "base/http.h"

/* libcurl, loaded by the first constat_http_open (dynlib.h): the names and
 * the pointers in the same order */
static const char *const curl_names[] = {
    "curl_global_init",    "curl_easy_init",     "curl_easy_setopt",
    "curl_easy_perform",   "curl_easy_getinfo",  "curl_easy_strerror",
    "curl_easy_cleanup",   "curl_slist_append",  "curl_slist_free_all"};
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*easy_cleanup)(CURL *curl);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
} cu;
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init cu.global_init
#define curl_easy_init cu.easy_init
#define curl_easy_setopt cu.easy_setopt
#define curl_easy_perform cu.easy_perform
#define curl_easy_getinfo cu.easy_getinfo
#define curl_easy_strerror cu.easy_strerror
#define curl_easy_cleanup cu.easy_cleanup
#define curl_slist_append cu.slist_append
#define curl_slist_free_all cu.slist_free_all

struct constat_http {
    CURL *curl;
    struct curl_slist *hdr;
    char errbuf[CURL_ERROR_SIZE];
};

typedef struct {
    constat_buf *out;
    size_t start, max;
    int over, oom;
} sink;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->out->len - s->start + n > s->max) {
        s->over = 1;
        return 0;
    }
    if (constat_buf_append(s->out, p, n) != CONSTAT_OK) {
        s->oom = 1;
        return 0;
    }
    return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static constat_dynlib curl_lib = CONSTAT_DYNLIB("libcurl.so.4", curl_names, cu);

static void init_curl(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

constat_status constat_http_open(const constat_http_options *o, constat_http **out,
                                 constat_error *err)
{
    constat_http *h;

    *out = NULL;
    if (!o)
        return constat_error_set(err, CONSTAT_EINVAL, "HTTP client: no options");
    if (constat_dynlib_use(&curl_lib, err) != CONSTAT_OK)
        return CONSTAT_EIO;
    pthread_once(&curl_once, init_curl);
    if (curl_init_rc != CURLE_OK)
        return constat_error_set(err, CONSTAT_EIO, "cannot start libcurl");
    h = calloc(1, sizeof *h);
    if (!h)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; o->headers && o->headers[i]; i++) {
        struct curl_slist *n = curl_slist_append(h->hdr, o->headers[i]);
        if (!n) {
            constat_http_close(h);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
        h->hdr = n;
    }
    h->curl = curl_easy_init();
    if (!h->curl) {
        constat_http_close(h);
        return constat_error_set(err, CONSTAT_EIO, "cannot start libcurl");
    }
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, o->max_redirects > 0 ? 1L : 0L);
    if (o->max_redirects > 0)
        curl_easy_setopt(h->curl, CURLOPT_MAXREDIRS, o->max_redirects);
    if (o->timeout_s > 0)
        curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, o->timeout_s);
    if (o->connect_timeout_s > 0)
        curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    if (o->low_speed_bytes > 0 && o->low_speed_s > 0) {
        curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
        curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, o->low_speed_s);
    }
    if (o->accept_encoding)
        curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, "");
    if (o->user_agent)
        curl_easy_setopt(h->curl, CURLOPT_USERAGENT, o->user_agent);
    if (h->hdr)
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->hdr);
    if (o->cookies)
        curl_easy_setopt(h->curl, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
    *out = h;
    return CONSTAT_OK;
}

constat_status constat_http_set_headers(constat_http *h, const char *const *headers,
                                        constat_error *err)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *n = curl_slist_append(list, headers[i]);
        if (!n) {
            curl_slist_free_all(list);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
        list = n;
    }
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, list);
    curl_slist_free_all(h->hdr);
    h->hdr = list;
    return CONSTAT_OK;
}

constat_status constat_http_request(constat_http *h, const char *url, const void *body,
                                    size_t len, size_t max, constat_buf *out, long *status,
                                    constat_buf *ctype, constat_error *err)
{
    sink s = {out, out->len, max, 0, 0};
    constat_status st = CONSTAT_OK;
    long code = 0;
    char *ct = NULL;
    CURLcode rc;

    *status = 0;
    if (!url || max == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "HTTP request: no URL or no limit");
    h->errbuf[0] = '\0';
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
    if (body) {
        curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, (const char *)body);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
    }
    rc = curl_easy_perform(h->curl);
    if (s.oom)
        st = constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", url);
    else if (s.over || rc == CURLE_FILESIZE_EXCEEDED)
        st = constat_error_set(err, CONSTAT_ELIMIT, "%s: larger than %zu bytes", url, max);
    else if (rc != CURLE_OK)
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", url,
                               h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
    if (st == CONSTAT_OK) {
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
        *status = code;
        if (ctype) {
            curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct);
            constat_buf_reset(ctype);
            if (constat_buf_puts(ctype, ct ? ct : "") != CONSTAT_OK)
                st = constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", url);
        }
    }
    if (st != CONSTAT_OK) {
        out->len = s.start;
        if (out->data)
            out->data[out->len] = 0;
    }
    /* the body pointer is the caller's: never keep it past this call */
    if (body)
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, (const char *)NULL);
    return st;
}

void constat_http_close(constat_http *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    if (h->hdr)
        curl_slist_free_all(h->hdr);
    free(h);
}

int constat_http_url_ok(const char *url, size_t max)
{
    size_t n;
    if (!url)
        return 0;
    n = strlen(url);
    if (n == 0 || n > max)
        return 0;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
            return 0;
    return 1;
}
