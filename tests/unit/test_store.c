/* test_store.c — the store interface (src/lib/vault/store.h) for the
 * witness, publish and time-stamp tables, on a store of its own: keyed
 * reads and writes round-trip exactly, iterations come in the promised
 * order and stop when asked, conflicts and missing keys give the promised
 * codes, data survives close and reopen, and an injected I/O fault in any
 * write is CONSTAT_EIO and leaves the tables as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vault/store.h"

typedef struct {
    char *dir;
    constat_store *s;
} fixture;

static fixture *fx_new(void)
{
    fixture *f = calloc(1, sizeof *f);
    constat_error err;
    assert_non_null(f);
    f->dir = tu_tmpdir();
    /* the pg/ run of the suite sets CONSTAT_STORE: the same contract on
     * PostgreSQL (docs/postgresql.md) */
    assert_int_equal(constat_store_create_in(f->dir, getenv("CONSTAT_STORE"), &f->s, &err),
                     CONSTAT_OK);
    return f;
}

static void fx_reopen(fixture *f)
{
    constat_error err;
    constat_store_close(f->s);
    f->s = NULL;
    assert_int_equal(constat_store_open_in(f->dir, &f->s, &err), CONSTAT_OK);
}

static void fx_free(fixture *f)
{
    constat_store_close(f->s);
    tu_rmrf(f->dir);
    free(f->dir);
    free(f);
}

/* ---- collectors: each iteration's rows as one text, so order is checked ---- */

typedef struct {
    constat_buf b;
    int calls, stop_after;
} rows;

static void rows_init(rows *r, int stop_after)
{
    constat_buf_init(&r->b);
    r->calls = 0;
    r->stop_after = stop_after;
}

static int rows_next(rows *r)
{
    r->calls++;
    return r->stop_after && r->calls >= r->stop_after;
}

static const char *rows_text(rows *r)
{
    return r->b.data ? (const char *)r->b.data : "";
}

static int on_log(void *ctx, const char *origin, const char *vkey, uint64_t size)
{
    rows *r = ctx;
    assert_int_equal(constat_buf_printf(&r->b, "%s|%s|%llu;", origin, vkey,
                                        (unsigned long long)size),
                     CONSTAT_OK);
    return rows_next(r);
}

static int on_alert(void *ctx, int64_t id, const char *origin, const char *reason,
                    int64_t created_at, const char *note_a, const char *note_b)
{
    rows *r = ctx;
    assert_int_equal(constat_buf_printf(&r->b, "%lld|%s|%s|%lld|%s|%s;", (long long)id, origin,
                                        reason, (long long)created_at, note_a, note_b),
                     CONSTAT_OK);
    return rows_next(r);
}

static int on_witness(void *ctx, const char *name, const char *url, const char *vkey,
                      uint64_t cosigned)
{
    rows *r = ctx;
    assert_int_equal(constat_buf_printf(&r->b, "%s|%s|%s|%llu;", name, url, vkey,
                                        (unsigned long long)cosigned),
                     CONSTAT_OK);
    return rows_next(r);
}

static int on_cosig(void *ctx, const char *witness, const char *line, size_t len)
{
    rows *r = ctx;
    assert_int_equal(strlen(line), len);
    assert_int_equal(constat_buf_printf(&r->b, "%s|%s;", witness, line), CONSTAT_OK);
    return rows_next(r);
}

static int on_tsa(void *ctx, const constat_store_tsa_config *c)
{
    rows *r = ctx;
    assert_int_equal(constat_buf_printf(&r->b, "%s|%s|%.*s;", c->name, c->url, (int)c->ca_len,
                                        (const char *)c->ca),
                     CONSTAT_OK);
    return rows_next(r);
}

static int on_token(void *ctx, const constat_store_tsa_token *t)
{
    rows *r = ctx;
    char hex[65];
    assert_non_null(t->note_sha256);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", t->note_sha256[i]);
    assert_int_equal(constat_buf_printf(&r->b, "%lld|%llu|%.*s|%s|%s|%s|%.*s|%zu|%lld|%lld;",
                                        (long long)t->id,
                                        (unsigned long long)t->checkpoint_size,
                                        (int)t->note_len, (const char *)t->note, hex,
                                        t->tsa_name, t->url, (int)t->ca_len,
                                        (const char *)t->ca, t->der_len,
                                        (long long)t->gen_time, (long long)t->received_at),
                     CONSTAT_OK);
    return rows_next(r);
}

static void expect_logs(constat_store *s, const char *want)
{
    rows r;
    constat_error err;
    rows_init(&r, 0);
    assert_int_equal(constat_store_witness_logs(s, on_log, &r, &err), CONSTAT_OK);
    assert_string_equal(rows_text(&r), want);
    constat_buf_free(&r.b);
}

static void expect_witnesses(constat_store *s, const char *want)
{
    rows r;
    constat_error err;
    rows_init(&r, 0);
    assert_int_equal(constat_store_publish_witnesses(s, on_witness, &r, &err), CONSTAT_OK);
    assert_string_equal(rows_text(&r), want);
    constat_buf_free(&r.b);
}

static void expect_cosigs(constat_store *s, uint64_t size, const char *want)
{
    rows r;
    constat_error err;
    rows_init(&r, 0);
    assert_int_equal(constat_store_cosignatures(s, size, on_cosig, &r, &err), CONSTAT_OK);
    assert_string_equal(rows_text(&r), want);
    constat_buf_free(&r.b);
}

/* ---- tests ---- */

static void test_witness_logs(void **state)
{
    fixture *f = fx_new();
    constat_error err;
    constat_buf k;
    rows r;
    (void)state;

    expect_logs(f->s, "");
    assert_int_equal(constat_store_witness_log_put(f->s, "b.example/log", "KEY-B", 100, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_witness_log_put(f->s, "a.example/log", "KEY-A", 101, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_witness_log_put(f->s, "a.example/log", "OTHER", 102, &err),
                     CONSTAT_ECONFLICT);
    assert_string_equal(err.msg, "the log \"a.example/log\" is already witnessed");
    /* by origin, size 0 before any state */
    expect_logs(f->s, "a.example/log|KEY-A|0;b.example/log|KEY-B|0;");

    constat_buf_init(&k);
    assert_int_equal(constat_store_witness_log_vkey(f->s, "b.example/log", &k, &err),
                     CONSTAT_OK);
    assert_string_equal((const char *)k.data, "KEY-B");
    assert_int_equal(constat_store_witness_log_vkey(f->s, "c.example/log", &k, &err),
                     CONSTAT_ENOTFOUND);
    assert_string_equal(err.msg, "unknown log \"c.example/log\"");
    assert_string_equal((const char *)k.data, "KEY-B"); /* untouched */
    constat_buf_free(&k);

    /* the callback stops the iteration, which is still a success */
    rows_init(&r, 1);
    assert_int_equal(constat_store_witness_logs(f->s, on_log, &r, &err), CONSTAT_OK);
    assert_int_equal(r.calls, 1);
    assert_string_equal(rows_text(&r), "a.example/log|KEY-A|0;");
    constat_buf_free(&r.b);
    fx_free(f);
}

static void test_witness_state(void **state)
{
    fixture *f = fx_new();
    constat_error err;
    constat_buf note;
    uint8_t root[32], got[32];
    uint64_t size = 77;
    int found = 5;
    (void)state;

    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(constat_store_witness_log_put(f->s, "a.example/log", "KEY-A", 1, &err),
                     CONSTAT_OK);
    constat_buf_init(&note);
    assert_int_equal(constat_store_witness_state_get(f->s, "a.example/log", &found, &size, got,
                                                     &note, &err),
                     CONSTAT_OK);
    assert_int_equal(found, 0);
    assert_int_equal(size, 77); /* nothing set when not found */
    assert_int_equal(note.len, 0);

    assert_int_equal(constat_store_witness_state_put(f->s, "a.example/log", 15, root,
                                                     "note fifteen\n", 200, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_witness_state_get(f->s, "a.example/log", &found, &size, got,
                                                     &note, &err),
                     CONSTAT_OK);
    assert_int_equal(found, 1);
    assert_int_equal(size, 15);
    assert_memory_equal(got, root, 32);
    assert_string_equal((const char *)note.data, "note fifteen\n");
    expect_logs(f->s, "a.example/log|KEY-A|15;");

    /* put replaces */
    root[0] ^= 0xff;
    assert_int_equal(constat_store_witness_state_put(f->s, "a.example/log", 16, root,
                                                     "note sixteen\n", 201, &err),
                     CONSTAT_OK);
    constat_buf_reset(&note);
    assert_int_equal(constat_store_witness_state_get(f->s, "a.example/log", &found, &size, got,
                                                     &note, &err),
                     CONSTAT_OK);
    assert_int_equal(size, 16);
    assert_memory_equal(got, root, 32);
    assert_string_equal((const char *)note.data, "note sixteen\n");

    /* the origin must be witnessed (foreign key) */
    assert_int_equal(constat_store_witness_state_put(f->s, "z.example/log", 1, root, "n\n", 1,
                                                     &err),
                     CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "update witness state"));

    fx_reopen(f);
    constat_buf_reset(&note);
    assert_int_equal(constat_store_witness_state_get(f->s, "a.example/log", &found, &size, got,
                                                     &note, &err),
                     CONSTAT_OK);
    assert_int_equal(found, 1);
    assert_int_equal(size, 16);
    assert_string_equal((const char *)note.data, "note sixteen\n");
    expect_logs(f->s, "a.example/log|KEY-A|16;");
    constat_buf_free(&note);
    fx_free(f);
}

static void test_witness_alerts(void **state)
{
    fixture *f = fx_new();
    constat_error err;
    rows r;
    (void)state;

    assert_int_equal(constat_store_witness_alert_put(f->s, "b.example/log", "A1", "B1", "fork",
                                                     300, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_witness_alert_put(f->s, "a.example/log", "A2", "B2",
                                                     "inconsistent", 301, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_witness_alert_put(f->s, "a.example/log", NULL, "B3", "x", 302,
                                                     &err),
                     CONSTAT_EIO);
    rows_init(&r, 0);
    assert_int_equal(constat_store_witness_alerts(f->s, on_alert, &r, &err), CONSTAT_OK);
    /* oldest first, not by origin */
    assert_string_equal(rows_text(&r), "1|b.example/log|fork|300|A1|B1;"
                                       "2|a.example/log|inconsistent|301|A2|B2;");
    constat_buf_free(&r.b);
    fx_free(f);
}

static void test_publish_and_cosignatures(void **state)
{
    fixture *f = fx_new();
    constat_error err;
    constat_buf url, vkey;
    uint64_t cosigned = 99;
    (void)state;

    assert_int_equal(constat_store_publish_witness_put(f->s, "w2", "http://w2", "VK2", &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_publish_witness_put(f->s, "w1", "http://w1", "VK1", &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_publish_witness_put(f->s, "w1", "http://x", "VKX", &err),
                     CONSTAT_ECONFLICT);
    assert_string_equal(err.msg, "a witness named \"w1\" is configured");
    expect_witnesses(f->s, "w1|http://w1|VK1|0;w2|http://w2|VK2|0;");

    constat_buf_init(&url);
    constat_buf_init(&vkey);
    assert_int_equal(constat_store_publish_witness_get(f->s, "w2", &url, &vkey, &cosigned, &err),
                     CONSTAT_OK);
    assert_string_equal((const char *)url.data, "http://w2");
    assert_string_equal((const char *)vkey.data, "VK2");
    assert_int_equal(cosigned, 0);
    assert_int_equal(constat_store_publish_witness_get(f->s, "w3", NULL, NULL, NULL, &err),
                     CONSTAT_ENOTFOUND);
    assert_string_equal(err.msg, "no witness \"w3\" is configured");

    /* a cosignature needs a stored checkpoint of that size */
    assert_int_equal(constat_store_cosignature_put(f->s, 5, "w1", "— w1 AAAA\nrest", 9, 400,
                                                   &err),
                     CONSTAT_ENOTFOUND);
    assert_string_equal(err.msg, "checkpoint of size 5 is not one of this vault's");
    assert_int_equal(constat_store_checkpoint_put(f->s, 5, "cp5\n", 10, &err), CONSTAT_OK);
    assert_int_equal(constat_store_checkpoint_put(f->s, 9, "cp9\n", 11, &err), CONSTAT_OK);
    /* ... and a configured witness */
    assert_int_equal(constat_store_cosignature_put(f->s, 5, "w9", "x", 1, 400, &err),
                     CONSTAT_ENOTFOUND);
    /* only `len` bytes of the line are stored */
    assert_int_equal(constat_store_cosignature_put(f->s, 5, "w2", "w2-on-5 tail", 7, 401, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_cosignature_put(f->s, 5, "w1", "w1-on-5", 7, 402, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_cosignature_put(f->s, 9, "w1", "w1-on-9-old", 11, 403, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_cosignature_put(f->s, 9, "w1", "w1-on-9", 7, 404, &err),
                     CONSTAT_OK); /* replaces */
    expect_cosigs(f->s, 5, "w1|w1-on-5;w2|w2-on-5;");
    expect_cosigs(f->s, 9, "w1|w1-on-9;");
    expect_cosigs(f->s, 7, "");
    expect_witnesses(f->s, "w1|http://w1|VK1|9;w2|http://w2|VK2|5;");
    assert_int_equal(constat_store_publish_witness_get(f->s, "w1", NULL, NULL, &cosigned, &err),
                     CONSTAT_OK);
    assert_int_equal(cosigned, 9);

    fx_reopen(f);
    expect_cosigs(f->s, 5, "w1|w1-on-5;w2|w2-on-5;");
    expect_witnesses(f->s, "w1|http://w1|VK1|9;w2|http://w2|VK2|5;");
    constat_buf_free(&url);
    constat_buf_free(&vkey);
    fx_free(f);
}

static void test_tsa(void **state)
{
    fixture *f = fx_new();
    constat_error err;
    constat_store_tsa_config c;
    constat_store_tsa_token t;
    uint8_t sha[32];
    rows r;
    (void)state;

    c.name = "zeta";
    c.url = "http://tsa.z";
    c.ca = (const uint8_t *)"CA-Z";
    c.ca_len = 4;
    assert_int_equal(constat_store_tsa_config_put(f->s, &c, 1, &err), CONSTAT_OK);
    c.name = "alpha";
    c.url = "https://tsa.a/x";
    c.ca = (const uint8_t *)"CA-A!";
    c.ca_len = 5;
    assert_int_equal(constat_store_tsa_config_put(f->s, &c, 2, &err), CONSTAT_OK);
    assert_int_equal(constat_store_tsa_config_put(f->s, &c, 3, &err), CONSTAT_ECONFLICT);
    assert_string_equal(err.msg, "TSA \"alpha\" is already configured");
    rows_init(&r, 0);
    assert_int_equal(constat_store_tsa_configs(f->s, on_tsa, &r, &err), CONSTAT_OK);
    assert_string_equal(rows_text(&r), "alpha|https://tsa.a/x|CA-A!;zeta|http://tsa.z|CA-Z;");
    constat_buf_free(&r.b);

    for (int i = 0; i < 32; i++)
        sha[i] = (uint8_t)(0xa0 + i);
    memset(&t, 0, sizeof t);
    t.id = 42; /* ignored by put */
    t.checkpoint_size = 6;
    t.note = (const uint8_t *)"note6\n\nsig\n";
    t.note_len = 11;
    t.note_sha256 = sha;
    t.tsa_name = "zeta";
    t.url = "http://tsa.z";
    t.ca = (const uint8_t *)"CA-Z";
    t.ca_len = 4;
    t.der = (const uint8_t *)"\x30\x03\x02\x01\x00";
    t.der_len = 5;
    t.gen_time = 1764410000;
    t.received_at = 1764410002;
    assert_int_equal(constat_store_tsa_token_put(f->s, &t, &err), CONSTAT_OK);
    t.checkpoint_size = 8;
    t.note = (const uint8_t *)"note8";
    t.note_len = 5;
    t.tsa_name = "command-line";
    t.url = NULL; /* stored as "" */
    t.der_len = 3;
    t.gen_time = 1764410100;
    t.received_at = 1764410101;
    assert_int_equal(constat_store_tsa_token_put(f->s, &t, &err), CONSTAT_OK);

    fx_reopen(f);
    rows_init(&r, 0);
    assert_int_equal(constat_store_tsa_tokens(f->s, on_token, &r, &err), CONSTAT_OK);
    assert_string_equal(rows_text(&r),
                        "1|6|note6\n\nsig\n|a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9"
                        "babbbcbdbebf|zeta|http://tsa.z|CA-Z|5|1764410000|1764410002;"
                        "2|8|note8|a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd"
                        "bebf|command-line||CA-Z|3|1764410100|1764410101;");
    constat_buf_free(&r.b);
    rows_init(&r, 1);
    assert_int_equal(constat_store_tsa_tokens(f->s, on_token, &r, &err), CONSTAT_OK);
    assert_int_equal(r.calls, 1);
    constat_buf_free(&r.b);
    fx_free(f);
}

/* Every write, and every iteration, fails cleanly under an injected fault. */
static void test_faults(void **state)
{
    fixture *f = fx_new();
    constat_error err;
    constat_store_tsa_config c = {"t", "http://t", (const uint8_t *)"CA", 2};
    constat_store_tsa_token t;
    uint8_t root[32] = {1}, sha[32] = {2};
    rows r;
    (void)state;

    memset(&t, 0, sizeof t);
    t.note = (const uint8_t *)"n";
    t.note_len = 1;
    t.note_sha256 = sha;
    t.tsa_name = "t";
    t.ca = c.ca;
    t.ca_len = 2;
    t.der = (const uint8_t *)"d";
    t.der_len = 1;
    assert_int_equal(constat_store_witness_log_put(f->s, "a.example/log", "K", 1, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_publish_witness_put(f->s, "w1", "http://w1", "VK1", &err),
                     CONSTAT_OK);
    assert_int_equal(constat_store_checkpoint_put(f->s, 3, "cp3\n", 1, &err), CONSTAT_OK);

#define FAULT(call)                                                                   \
    do {                                                                              \
        constat_store_fault_countdown = 1;                                            \
        assert_int_equal((call), CONSTAT_EIO);                                        \
        assert_int_equal(constat_store_fault_countdown, 0);                           \
        assert_non_null(strstr(err.msg, "injected I/O fault"));                       \
    } while (0)
    FAULT(constat_store_witness_log_put(f->s, "b.example/log", "K", 1, &err));
    FAULT(constat_store_witness_state_put(f->s, "a.example/log", 3, root, "n", 1, &err));
    FAULT(constat_store_witness_alert_put(f->s, "a.example/log", "x", "y", "z", 1, &err));
    FAULT(constat_store_publish_witness_put(f->s, "w2", "http://w2", "VK2", &err));
    FAULT(constat_store_cosignature_put(f->s, 3, "w1", "line", 4, 1, &err));
    FAULT(constat_store_tsa_config_put(f->s, &c, 1, &err));
    FAULT(constat_store_tsa_token_put(f->s, &t, &err));
    rows_init(&r, 0);
    FAULT(constat_store_witness_logs(f->s, on_log, &r, &err));
    FAULT(constat_store_witness_alerts(f->s, on_alert, &r, &err));
    FAULT(constat_store_publish_witnesses(f->s, on_witness, &r, &err));
    FAULT(constat_store_cosignatures(f->s, 3, on_cosig, &r, &err));
    FAULT(constat_store_tsa_configs(f->s, on_tsa, &r, &err));
    FAULT(constat_store_tsa_tokens(f->s, on_token, &r, &err));
    assert_int_equal(r.calls, 0);
#undef FAULT

    /* nothing was written by the failed calls */
    expect_logs(f->s, "a.example/log|K|0;");
    expect_witnesses(f->s, "w1|http://w1|VK1|0;");
    expect_cosigs(f->s, 3, "");
    assert_int_equal(constat_store_witness_alerts(f->s, on_alert, &r, &err), CONSTAT_OK);
    assert_int_equal(constat_store_tsa_configs(f->s, on_tsa, &r, &err), CONSTAT_OK);
    assert_int_equal(constat_store_tsa_tokens(f->s, on_token, &r, &err), CONSTAT_OK);
    assert_int_equal(r.calls, 0);
    constat_buf_free(&r.b);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_witness_logs),
        cmocka_unit_test(test_witness_state),
        cmocka_unit_test(test_witness_alerts),
        cmocka_unit_test(test_publish_and_cosignatures),
        cmocka_unit_test(test_tsa),
        cmocka_unit_test(test_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
