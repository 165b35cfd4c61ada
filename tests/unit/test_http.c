/* test_http.c — the library's HTTP client (base/http.h) against the one-reply
 * test server of testutil.h on 127.0.0.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/http.h"

static const constat_http_options plain = {
    .timeout_s = 10,
    .connect_timeout_s = 5,
    .user_agent = "constat-test",
};

static void test_get(void **state)
{
    tu_server s;
    constat_http *h;
    constat_buf out, ct;
    constat_error e;
    long code = -1;
    char url[100];
    (void)state;

    tu_server_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                     "Connection: close\r\n\r\nhello", 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/tile/0/000", s.port);
    constat_buf_init(&out);
    constat_buf_init(&ct);
    constat_error_clear(&e);
    assert_int_equal(constat_http_open(&plain, &h, &e), CONSTAT_OK);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 100, &out, &code, &ct, &e), CONSTAT_OK);
    tu_server_stop(&s);
    assert_int_equal(code, 200);
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.data, "hello", 5);
    assert_string_equal((const char *)ct.data, "text/plain");
    assert_memory_equal(s.request, "GET /tile/0/000 HTTP/1.1\r\n", 26);
    assert_non_null(strstr(s.request, "\r\nUser-Agent: constat-test\r\n"));
    constat_http_close(h);
    constat_buf_free(&out);
    constat_buf_free(&ct);
}

static void test_post(void **state)
{
    static const char *const hdrs[] = {"Content-Type: application/timestamp-query", NULL};
    constat_http_options o = plain;
    tu_server s;
    constat_http *h;
    constat_buf out;
    constat_error e;
    long code = -1;
    char url[100];
    (void)state;

    o.headers = hdrs;
    tu_server_start(&s, "HTTP/1.1 409 Conflict\r\nContent-Length: 2\r\nConnection: close\r\n\r\n42",
                 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/add-checkpoint", s.port);
    constat_buf_init(&out);
    assert_int_equal(constat_buf_puts(&out, "kept:"), CONSTAT_OK);
    assert_int_equal(constat_http_open(&o, &h, &e), CONSTAT_OK);
    assert_int_equal(constat_http_request(h, url, "a\0b", 3, 100, &out, &code, NULL, &e),
                     CONSTAT_OK);
    tu_server_stop(&s);
    /* any status is returned for the caller to judge; the body is appended */
    assert_int_equal(code, 409);
    assert_string_equal((const char *)out.data, "kept:42");
    assert_memory_equal(s.request, "POST /add-checkpoint HTTP/1.1\r\n", 31);
    assert_non_null(strstr(s.request, "\r\nContent-Type: application/timestamp-query\r\n"));
    assert_non_null(strstr(s.request, "\r\nContent-Length: 3\r\n"));
    assert_memory_equal(s.request + s.request_len - 3, "a\0b", 3);
    constat_http_close(h);
    constat_buf_free(&out);
}

static void test_limits(void **state)
{
    char big[3000];
    tu_server s;
    constat_http *h;
    constat_buf out;
    constat_error e;
    long code = -1;
    char url[100], want[200];
    int n;
    (void)state;

    constat_buf_init(&out);
    assert_int_equal(constat_http_open(&plain, &h, &e), CONSTAT_OK);

    /* announced by Content-Length: refused before the body */
    tu_server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n", 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a", s.port);
    assert_int_equal(constat_buf_puts(&out, "xy"), CONSTAT_OK);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 999, &out, &code, NULL, &e),
                     CONSTAT_ELIMIT);
    tu_server_stop(&s);
    snprintf(want, sizeof want, "%s: larger than 999 bytes", url);
    assert_string_equal(e.msg, want);
    assert_string_equal((const char *)out.data, "xy"); /* cut back */

    /* not announced: counted as it arrives (only this call's bytes count) */
    n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    memset(big + n, 'z', 2000);
    tu_server_start(&s, big, (size_t)n + 2000);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/b", s.port);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 1999, &out, &code, NULL, &e),
                     CONSTAT_ELIMIT);
    tu_server_stop(&s);
    assert_int_equal(out.len, 2);
    tu_server_start(&s, big, (size_t)n + 2000);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/c", s.port);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 2000, &out, &code, NULL, &e),
                     CONSTAT_OK);
    tu_server_stop(&s);
    assert_int_equal(code, 200);
    assert_int_equal(out.len, 2002);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 0, &out, &code, NULL, &e),
                     CONSTAT_EINVAL);
    constat_http_close(h);
    constat_buf_free(&out);
}

static void test_redirects(void **state)
{
    tu_server s;
    constat_http *h;
    constat_buf out;
    constat_error e;
    long code = -1;
    char url[100], reply[300];
    constat_http_options o = plain;
    (void)state;

    constat_buf_init(&out);
    /* off: the 302 itself comes back */
    tu_server_start(&s, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n", 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/r", s.port);
    assert_int_equal(constat_http_open(&plain, &h, &e), CONSTAT_OK);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 100, &out, &code, NULL, &e),
                     CONSTAT_OK);
    tu_server_stop(&s);
    assert_int_equal(code, 302);
    constat_http_close(h);

    /* on: a redirect to another scheme is refused */
    o.max_redirects = 5;
    snprintf(reply, sizeof reply, "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\n"
                                  "Content-Length: 0\r\nConnection: close\r\n\r\n");
    tu_server_start(&s, reply, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/r", s.port);
    assert_int_equal(constat_http_open(&o, &h, &e), CONSTAT_OK);
    assert_int_equal(constat_http_request(h, url, NULL, 0, 100, &out, &code, NULL, &e),
                     CONSTAT_EIO);
    tu_server_stop(&s);
    assert_int_equal(out.len, 0);
    assert_int_equal(strncmp(e.msg, url, strlen(url)), 0);
    constat_http_close(h);
    constat_buf_free(&out);
}

static void test_refused(void **state)
{
    constat_http *h;
    constat_buf out;
    constat_error e;
    long code = -1;
    (void)state;

    constat_buf_init(&out);
    assert_int_equal(constat_http_open(&plain, &h, &e), CONSTAT_OK);
    /* schemes other than http and https never reach the network */
    assert_int_equal(constat_http_request(h, "file:///etc/hostname", NULL, 0, 100, &out, &code,
                                          NULL, &e),
                     CONSTAT_EIO);
    assert_int_equal(strncmp(e.msg, "file:///etc/hostname: ", 22), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(constat_http_request(h, "ftp://127.0.0.1/x", NULL, 0, 100, &out, &code,
                                          NULL, &e),
                     CONSTAT_EIO);
    assert_int_equal(code, 0);
    constat_http_close(h);
    constat_buf_free(&out);
}

static void test_url_ok(void **state)
{
    (void)state;
    assert_int_equal(constat_http_url_ok("https://tsa.example/ts", 100), 1);
    assert_int_equal(constat_http_url_ok("http://w.example:8080/add-checkpoint", 100), 1);
    assert_int_equal(constat_http_url_ok("https://a.example/x", 19), 1);
    assert_int_equal(constat_http_url_ok("https://a.example/x", 18), 0);
    assert_int_equal(constat_http_url_ok("", 100), 0);
    assert_int_equal(constat_http_url_ok(NULL, 100), 0);
    assert_int_equal(constat_http_url_ok("ftp://a.example/", 100), 0);
    assert_int_equal(constat_http_url_ok("HTTP://a.example/", 100), 0);
    assert_int_equal(constat_http_url_ok("https://a.example/a b", 100), 0);
    assert_int_equal(constat_http_url_ok("https://a.example/\x7f", 100), 0);
    assert_int_equal(constat_http_url_ok("https://a.example/\xc3\xa9", 100), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),      cmocka_unit_test(test_post),
        cmocka_unit_test(test_limits),   cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_refused),  cmocka_unit_test(test_url_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
