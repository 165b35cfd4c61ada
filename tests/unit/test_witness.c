/* test_witness.c — C2SP tlog-witness: the add-checkpoint body parser (spec
 * example), the witness decisions replayed over the tessera test log
 * (checkpoints 0..15 signed by its published test key, proofs computed from
 * its level-0 tile), forks and rollbacks with evidence kept, the witness key,
 * and the publish client against a witness in process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "testutil.h"
#include "constat/witness/publish.h"
#include "constat/witness/witness.h"
#include "vault/store.h"

#define TESSERA_ORIGIN "example.com/log/testdata"
#define TESSERA_VKEY                                                                     \
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
#define TESSERA_SKEY                                                                     \
    "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg"
#define NOW 1764410000u

static uint8_t g_leaves[15][32];

static int setup(void **state)
{
    size_t len;
    char *t;
    (void)state;
    setenv("CONSTAT_KDF", "fast", 1);
    if (constat_init() != CONSTAT_OK)
        return -1;
    t = tu_read_vector("tlog-tiles/tessera-testdata/testdata/log/tile/0/000.p/15", &len);
    if (len != sizeof g_leaves) {
        free(t);
        return -1;
    }
    memcpy(g_leaves, t, len);
    free(t);
    return 0;
}

/* Node (level, index) of the tessera tree, from its leaf hashes. */
static void node(unsigned level, uint64_t index, uint8_t out[32])
{
    uint8_t l[32], r[32];
    if (level == 0) {
        memcpy(out, g_leaves[index], 32);
        return;
    }
    node(level - 1, 2 * index, l);
    node(level - 1, 2 * index + 1, r);
    constat_merkle_node_hash(l, r, out);
}

static constat_status reader(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                             constat_error *err)
{
    (void)ctx;
    (void)err;
    node(level, index, out);
    return CONSTAT_OK;
}

static char *checkpoint(int n, size_t *len)
{
    char rel[128];
    snprintf(rel, sizeof rel, "tlog-tiles/tessera-testdata/testdata/log/checkpoint.%d", n);
    return tu_read_vector(rel, len);
}

static void prove(uint64_t s1, uint64_t s2, constat_proof *p)
{
    constat_error e;
    p->n = 0;
    if (s1 > 0 && s1 < s2)
        assert_int_equal(constat_merkle_prove_consistency(reader, NULL, s1, s2, p, &e),
                         CONSTAT_OK);
}

typedef struct {
    char *dir;
    constat_vault *v;
    constat_note_signer key;
} fixture;

static void fixture_open(fixture *f, const char *org, const char *origin)
{
    constat_error e;
    f->dir = tu_tmpdir();
    assert_int_equal(constat_vault_create(f->dir, org, origin, NULL, &e), CONSTAT_OK);
    assert_int_equal(constat_vault_open(f->dir, NULL, &f->v, &e), CONSTAT_OK);
    assert_int_equal(constat_vault_witness_key(f->v, 1, &f->key, &e), CONSTAT_OK);
}

static void fixture_close(fixture *f)
{
    constat_note_signer_wipe(&f->key);
    constat_vault_close(f->v);
    tu_rmrf(f->dir);
    free(f->dir);
}

static constat_status add(fixture *f, uint64_t old, const constat_proof *p, const char *note,
                          size_t len, constat_buf *out, constat_witness_outcome *res)
{
    constat_error e;
    return constat_witness_add_checkpoint(f->v, &f->key, old, p, note, len, NOW, out, res, &e);
}

/* ---- body parser ---- */

static void test_parse_spec_example(void **state)
{
    size_t len;
    char *s = tu_read_vector("tlog-cosignature/c2sp-spec-examples.json", &len);
    json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
    const char *body = json_string_value(
        json_object_get(json_object_get(j, "tlog-witness.md"), "add_checkpoint_request_body"));
    constat_witness_request rq;
    constat_error e;
    uint8_t first[32];
    (void)state;
    assert_non_null(body);
    assert_int_equal(constat_witness_request_parse(body, strlen(body), &rq, &e), CONSTAT_OK);
    assert_int_equal(rq.old_size, 20852014);
    assert_int_equal(rq.proof.n, 4);
    tu_unbase64("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=", first, 32);
    assert_memory_equal(rq.proof.hash[0], first, 32);
    assert_true(strncmp(body + rq.note_off, "example.com/behind-the-sofa\n20852163\n", 37) == 0);
    /* format gives back the same bytes */
    {
        constat_buf b;
        constat_buf_init(&b);
        assert_int_equal(constat_witness_request_format(rq.old_size, &rq.proof,
                                                        body + rq.note_off,
                                                        strlen(body) - rq.note_off, &b),
                         CONSTAT_OK);
        assert_int_equal(b.len, strlen(body));
        assert_memory_equal(b.data, body, b.len);
        constat_buf_free(&b);
    }
    json_decref(j);
    free(s);
}

static void test_parse_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "old 1",
        "old\n\ncp\n",
        "old 01\n\ncp\n",
        "old -1\n\ncp\n",
        "old +1\n\ncp\n",
        "old  1\n\ncp\n",
        "Old 1\n\ncp\n",
        "old 18446744073709551616\n\ncp\n",
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n",
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw\n\ncp\n",
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=\n\ncp\n", /* non-canonical */
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw= \n\ncp\n",
        "old 1\r\n\ncp\n",
        "old 1\n\n",
    };
    constat_witness_request rq;
    constat_error e;
    constat_buf b;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(constat_witness_request_parse(bad[i], strlen(bad[i]), &rq, &e),
                         CONSTAT_EINVAL);
    assert_int_equal(constat_witness_request_parse("old 18446744073709551615\n\nx", 28, &rq, &e),
                     CONSTAT_OK);
    assert_true(rq.old_size == UINT64_MAX);
    /* 63 proof lines pass, 64 are over the limit */
    constat_buf_init(&b);
    for (int n = 63; n <= 64; n++) {
        constat_buf_reset(&b);
        assert_int_equal(constat_buf_puts(&b, "old 5\n"), CONSTAT_OK);
        for (int i = 0; i < n; i++)
            assert_int_equal(constat_buf_puts(&b, "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"),
                             CONSTAT_OK);
        assert_int_equal(constat_buf_puts(&b, "\ncp\n"), CONSTAT_OK);
        assert_int_equal(constat_witness_request_parse((const char *)b.data, b.len, &rq, &e),
                         n == 63 ? CONSTAT_OK : CONSTAT_ELIMIT);
    }
    /* body size limit, at and past it */
    constat_buf_reset(&b);
    assert_int_equal(constat_buf_puts(&b, "old 0\n\n"), CONSTAT_OK);
    while (b.len < CONSTAT_WITNESS_BODY_MAX)
        assert_int_equal(constat_buf_append(&b, "x", 1), CONSTAT_OK);
    assert_int_equal(constat_witness_request_parse((const char *)b.data, b.len, &rq, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_buf_append(&b, "x", 1), CONSTAT_OK);
    assert_int_equal(constat_witness_request_parse((const char *)b.data, b.len, &rq, &e),
                     CONSTAT_ELIMIT);
    constat_buf_free(&b);
}

/* ---- witness decisions over the tessera log ---- */

static int count_alert(void *ctx, int64_t id, const char *origin, const char *reason,
                       int64_t created_at, const char *note_a, const char *note_b)
{
    json_t *arr = ctx;
    (void)id;
    assert_string_equal(origin, TESSERA_ORIGIN);
    assert_int_equal(created_at, NOW);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "reason", reason, "a", note_a, "b",
                                         note_b));
    return 0;
}

static void test_tessera_sequence(void **state)
{
    fixture f;
    constat_error e;
    constat_buf sig;
    constat_witness_outcome res;
    constat_proof p;
    constat_note_verifier wv;
    constat_note_signer logkey;
    constat_note *opened = malloc(sizeof *opened);
    size_t len, len15;
    char *cp, *cp15;
    json_t *alerts = json_array();
    (void)state;

    fixture_open(&f, "witness.example", "witness.example/log");
    wv = f.key.pub;
    assert_int_equal(wv.alg, CONSTAT_NOTE_ALG_COSIGNATURE_V1);
    constat_buf_init(&sig);
    cp = checkpoint(3, &len);
    /* unknown origin: 404 */
    assert_int_equal(add(&f, 0, NULL, cp, len, &sig, &res), CONSTAT_ENOTFOUND);
    assert_int_equal(res.http, 404);
    assert_int_equal(constat_witness_log_add(f.v, TESSERA_ORIGIN, TESSERA_VKEY, NOW, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_witness_log_add(f.v, TESSERA_ORIGIN, TESSERA_VKEY, NOW, &e),
                     CONSTAT_ECONFLICT);
    assert_int_equal(constat_witness_log_add(f.v, "x", "not a key", NOW, &e), CONSTAT_EINVAL);
    free(cp);

    /* cosign 0 (old 0) then every size 1..15 with a consistency proof */
    for (int n = 0; n <= 15; n++) {
        uint64_t old = n == 0 ? 0 : (uint64_t)(n - 1);
        cp = checkpoint(n, &len);
        prove(old, (uint64_t)n, &p);
        constat_buf_reset(&sig);
        assert_int_equal(add(&f, old, &p, cp, len, &sig, &res), CONSTAT_OK);
        assert_int_equal(res.http, 200);
        /* the answer is one cosignature line that verifies on the note */
        {
            constat_buf both;
            constat_note_verifier vs[2];
            constat_buf_init(&both);
            assert_int_equal(constat_buf_append(&both, cp, len), CONSTAT_OK);
            assert_int_equal(constat_buf_append(&both, sig.data, sig.len), CONSTAT_OK);
            assert_int_equal(constat_note_verifier_parse(TESSERA_VKEY, &vs[0], &e), CONSTAT_OK);
            vs[1] = wv;
            assert_int_equal(constat_note_open((const char *)both.data, both.len, vs, 2, opened,
                                               &e),
                             CONSTAT_OK);
            assert_int_equal(opened->nverified, 2);
            assert_int_equal(opened->sigs[1].timestamp, NOW);
            constat_buf_free(&both);
        }
        free(cp);
    }

    cp15 = checkpoint(15, &len15);
    /* same checkpoint again: cosigned again (same size, same root) */
    assert_int_equal(add(&f, 15, NULL, cp15, len15, &sig, &res), CONSTAT_OK);
    /* stale old size: 409 with the size held */
    prove(7, 15, &p);
    assert_int_equal(add(&f, 7, &p, cp15, len15, &sig, &res), CONSTAT_ECONFLICT);
    assert_int_equal(res.http, 409);
    assert_true(res.size_known);
    assert_int_equal(res.size, 15);
    assert_false(res.alert);
    /* rollback: an older checkpoint, client claiming its own older state: 409 */
    cp = checkpoint(7, &len);
    prove(3, 7, &p);
    assert_int_equal(add(&f, 3, &p, cp, len, &sig, &res), CONSTAT_ECONFLICT);
    assert_int_equal(res.http, 409);
    assert_int_equal(res.size, 15);
    /* rollback with old = the size held: old > checkpoint size is a 400 */
    assert_int_equal(add(&f, 15, NULL, cp, len, &sig, &res), CONSTAT_EINVAL);
    assert_int_equal(res.http, 400);
    free(cp);
    /* old 0 with a proof: 400 */
    prove(3, 15, &p);
    assert_int_equal(add(&f, 0, &p, cp15, len15, &sig, &res), CONSTAT_EINVAL);
    assert_int_equal(res.http, 400);
    /* a note not signed by the log key: 403 (signature by an unknown key only) */
    {
        constat_note_signer other;
        constat_buf n2;
        const char *text_end = strstr(cp15, "\n\n");
        constat_buf_init(&n2);
        assert_int_equal(constat_note_signer_generate(TESSERA_ORIGIN, &other, &e), CONSTAT_OK);
        assert_int_equal(constat_note_sign(cp15, (size_t)(text_end - cp15) + 1, &other, 1, &n2,
                                           &e),
                         CONSTAT_OK);
        assert_int_equal(add(&f, 15, NULL, (const char *)n2.data, n2.len, &sig, &res),
                         CONSTAT_EVERIFY);
        assert_int_equal(res.http, 403);
        /* a log signature with a flipped bit: 403 */
        cp15[len15 - 10] ^= 1;
        assert_int_equal(add(&f, 15, NULL, cp15, len15, &sig, &res), CONSTAT_EVERIFY);
        assert_int_equal(res.http, 403);
        cp15[len15 - 10] ^= 1;
        constat_note_signer_wipe(&other);
        constat_buf_free(&n2);
    }

    /* forks signed with the tessera test key */
    assert_int_equal(constat_note_signer_parse(TESSERA_SKEY, &logkey, &e), CONSTAT_OK);
    {
        uint8_t root[32];
        constat_buf text, note;
        constat_buf_init(&text);
        constat_buf_init(&note);
        /* same size 15, another root: 409 and an alert */
        memset(root, 0x5a, 32);
        assert_int_equal(constat_checkpoint_format(TESSERA_ORIGIN, 15, root, &text, &e),
                         CONSTAT_OK);
        assert_int_equal(constat_note_sign((const char *)text.data, text.len, &logkey, 1, &note,
                                           &e),
                         CONSTAT_OK);
        constat_buf_reset(&sig);
        assert_int_equal(add(&f, 15, NULL, (const char *)note.data, note.len, &sig, &res),
                         CONSTAT_ECONFLICT);
        assert_int_equal(res.http, 409);
        assert_false(res.size_known);
        assert_true(res.alert);
        assert_int_equal(sig.len, 0);
        /* size 20 with a proof that cannot hold: 422 and an alert */
        constat_buf_reset(&text);
        constat_buf_reset(&note);
        assert_int_equal(constat_checkpoint_format(TESSERA_ORIGIN, 20, root, &text, &e),
                         CONSTAT_OK);
        assert_int_equal(constat_note_sign((const char *)text.data, text.len, &logkey, 1, &note,
                                           &e),
                         CONSTAT_OK);
        prove(3, 15, &p); /* a proof, but for other sizes */
        assert_int_equal(add(&f, 15, &p, (const char *)note.data, note.len, &sig, &res),
                         CONSTAT_EVERIFY);
        assert_int_equal(res.http, 422);
        assert_true(res.alert);
        /* evidence: both notes, exactly as received */
        assert_int_equal(constat_witness_alerts(f.v, count_alert, alerts, &e), CONSTAT_OK);
        assert_int_equal(json_array_size(alerts), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 0), "a")),
                            cp15);
        assert_non_null(strstr(json_string_value(json_object_get(json_array_get(alerts, 0),
                                                                 "reason")),
                               "fork"));
        assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 1), "b")),
                            (const char *)note.data);
        assert_non_null(strstr(json_string_value(json_object_get(json_array_get(alerts, 1),
                                                                 "reason")),
                               "inconsistent"));
        constat_buf_free(&text);
        constat_buf_free(&note);
    }
    /* the state was not moved by any refusal: 15 still cosigns with old 15 */
    assert_int_equal(add(&f, 15, NULL, cp15, len15, &sig, &res), CONSTAT_OK);
    constat_note_signer_wipe(&logkey);
    free(cp15);
    json_decref(alerts);
    free(opened);
    constat_buf_free(&sig);
    fixture_close(&f);
}

static void test_witness_key(void **state)
{
    char *dir = tu_tmpdir();
    constat_vault *v;
    constat_note_signer a, b;
    constat_error e;
    char va[512], vb[512];
    (void)state;
    assert_int_equal(constat_vault_create(dir, "org.example", "org.example/log", "pw", &e),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_open(dir, "pw", &v, &e), CONSTAT_OK);
    assert_int_equal(constat_vault_witness_key(v, 0, &a, &e), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_vault_witness_key(v, 1, &a, &e), CONSTAT_OK);
    assert_string_equal(a.pub.name, "org.example");
    assert_int_equal(a.pub.alg, CONSTAT_NOTE_ALG_COSIGNATURE_V1);
    constat_vault_close(v);
    assert_int_equal(constat_vault_open(dir, "pw", &v, &e), CONSTAT_OK);
    assert_int_equal(constat_vault_witness_key(v, 0, &b, &e), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&a.pub, va, sizeof va), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&b.pub, vb, sizeof vb), CONSTAT_OK);
    assert_string_equal(va, vb);
    assert_memory_equal(a.sk, b.sk, sizeof a.sk);
    constat_vault_close(v);
    /* sealed like the other keys: not plain on disk */
    {
        char path[1024];
        size_t len;
        char *t;
        snprintf(path, sizeof path, "%s/keys/witness.key", dir);
        t = tu_read_file(path, &len);
        assert_non_null(strstr(t, "sealed"));
        free(t);
    }
    constat_note_signer_wipe(&a);
    constat_note_signer_wipe(&b);
    tu_rmrf(dir);
    free(dir);
}

/* ---- publish against a witness in process ---- */

typedef struct {
    fixture *w;
    int calls;
} transport;

static constat_status in_process(void *ctx, const char *url, const char *body, size_t len,
                                 int *http, constat_buf *ctype, constat_buf *resp,
                                 constat_error *err)
{
    transport *t = ctx;
    constat_witness_request rq;
    constat_witness_outcome out;
    constat_error e;
    t->calls++;
    assert_string_equal(url, "http://w.example/sub/add-checkpoint");
    if (constat_witness_request_parse(body, len, &rq, &e) != CONSTAT_OK) {
        *http = 400;
        return CONSTAT_OK;
    }
    constat_status st = constat_witness_add_checkpoint(t->w->v, &t->w->key, rq.old_size, &rq.proof,
                                         body + rq.note_off, len - rq.note_off, NOW, resp, &out,
                                         &e);
    *http = out.http;
    assert_true((st == CONSTAT_OK) == (out.http == 200));
    if (out.http == 409 && out.size_known) {
        constat_buf_printf(resp, "%llu\n", (unsigned long long)out.size);
        constat_buf_puts(ctype, "text/x.tlog.size");
    }
    (void)err;
    return CONSTAT_OK;
}

static void grow(constat_vault *v, const char *name)
{
    constat_error e;
    assert_int_equal(constat_vault_monitor_add(v, name, NOW, NULL, &e), CONSTAT_OK);
}

static void test_publish(void **state)
{
    fixture logf, wit;
    transport t;
    constat_error e;
    constat_buf cos, cpn;
    char wvkey[512], lvkey[512];
    constat_note_verifier vs[2];
    constat_note *opened = malloc(sizeof *opened);
    size_t n = 0;
    (void)state;

    fixture_open(&logf, "log.example", "log.example/log");
    fixture_open(&wit, "wit.example", "wit.example/log");
    t.w = &wit;
    t.calls = 0;
    assert_int_equal(constat_note_verifier_format(&wit.key.pub, wvkey, sizeof wvkey),
                     CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&constat_vault_log_key(logf.v)->pub, lvkey,
                                                  sizeof lvkey),
                     CONSTAT_OK);
    /* nothing configured */
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_ENOTFOUND);
    assert_int_equal(constat_publish_witness_add(logf.v, lvkey, "http://w.example", &e),
                     CONSTAT_EINVAL); /* a note key, not a witness key */
    assert_int_equal(constat_publish_witness_add(logf.v, wvkey, "ftp://w.example", &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_publish_witness_add(logf.v, wvkey, "http://w.example/sub/", &e),
                     CONSTAT_OK);
    assert_int_equal(constat_publish_witness_add(logf.v, wvkey, "http://w.example/sub", &e),
                     CONSTAT_ECONFLICT);
    /* the witness does not know the log yet: 404 */
    grow(logf.v, "m1");
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_ENOTFOUND);
    assert_int_equal(constat_witness_log_add(wit.v, "log.example/log", lvkey, NOW, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_OK);
    grow(logf.v, "m2");
    grow(logf.v, "m3");
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_OK);
    /* up to date: nothing sent */
    t.calls = 0;
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_OK);
    assert_int_equal(t.calls, 0);
    /* the cosigned checkpoint verifies with the log key and the witness key */
    constat_buf_init(&cos);
    assert_int_equal(constat_publish_cosigned(logf.v, &cos, &n, &e), CONSTAT_OK);
    assert_int_equal(n, 1);
    vs[0] = constat_vault_log_key(logf.v)->pub;
    vs[1] = wit.key.pub;
    assert_int_equal(constat_note_open((const char *)cos.data, cos.len, vs, 2, opened, &e),
                     CONSTAT_OK);
    assert_int_equal(opened->nverified, 2);
    assert_non_null(strstr((const char *)cos.data, "log.example/log\n3\n"));

    /* the witness moved on without us (someone else published size 4): our
     * table says 3, the witness answers 409 with 4, we retry from 4 */
    grow(logf.v, "m4");
    constat_buf_init(&cpn);
    assert_int_equal(constat_vault_checkpoint(logf.v, &cpn, &e), CONSTAT_OK);
    {
        constat_proof p;
        constat_buf s;
        constat_witness_outcome o;
        constat_buf_init(&s);
        assert_int_equal(constat_vault_prove_consistency(logf.v, 3, 4, &p, &e), CONSTAT_OK);
        assert_int_equal(add(&wit, 3, &p, (const char *)cpn.data, cpn.len, &s, &o), CONSTAT_OK);
        constat_buf_free(&s);
    }
    grow(logf.v, "m5");
    t.calls = 0;
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_OK);
    assert_int_equal(t.calls, 2);

    /* publish_accept: the spec's example response holds only unknown keys */
    {
        size_t len;
        char *s = tu_read_vector("tlog-cosignature/c2sp-spec-examples.json", &len);
        json_t *j = json_loadb(s, len, JSON_DECODE_INT_AS_REAL, NULL);
        const char *body = json_string_value(json_object_get(
            json_object_get(j, "tlog-witness.md"), "add_checkpoint_response_body"));
        constat_buf line;
        constat_witness_outcome o;
        assert_int_equal(constat_publish_accept(logf.v, "wit.example", (const char *)cpn.data,
                                                cpn.len, body, strlen(body), NOW, &e),
                         CONSTAT_EVERIFY);
        /* a real cosignature with one character changed */
        constat_buf_init(&line);
        assert_int_equal(constat_cosignature_sign((const char *)cpn.data,
                                                  strstr((const char *)cpn.data, "\n\n") + 1 -
                                                      (const char *)cpn.data,
                                                  NOW, &wit.key, &line, &e),
                         CONSTAT_OK);
        assert_int_equal(constat_publish_accept(logf.v, "wit.example", (const char *)cpn.data,
                                                cpn.len, (const char *)line.data, line.len, NOW,
                                                &e),
                         CONSTAT_OK);
        line.data[line.len - 5] = line.data[line.len - 5] == 'A' ? 'B' : 'A';
        assert_int_equal(constat_publish_accept(logf.v, "wit.example", (const char *)cpn.data,
                                                cpn.len, (const char *)line.data, line.len, NOW,
                                                &e),
                         CONSTAT_EVERIFY);
        assert_int_equal(constat_publish_accept(logf.v, "nobody", (const char *)cpn.data,
                                                cpn.len, (const char *)line.data, line.len, NOW,
                                                &e),
                         CONSTAT_ENOTFOUND);
        (void)o;
        constat_buf_free(&line);
        json_decref(j);
        free(s);
    }
    constat_buf_free(&cpn);
    constat_buf_free(&cos);
    free(opened);
    fixture_close(&logf);
    fixture_close(&wit);
}

typedef struct {
    int n;
    int verified;
    uint64_t size, timestamp;
    char name[64], msg[512];
} status_seen;

static int status_cb(void *ctx, const constat_publish_witness_state *w)
{
    status_seen *s = ctx;
    s->n++;
    s->verified = w->verified;
    s->size = w->cosigned_size;
    s->timestamp = w->timestamp;
    snprintf(s->name, sizeof s->name, "%s", w->name);
    snprintf(s->msg, sizeof s->msg, "%s", w->msg);
    return 0;
}

/* constat_publish_status: each witness, its newest cosigned size, and the
 * stored cosignature checked again (GET /api/v1/witnesses) */
static void test_publish_status(void **state)
{
    fixture logf, wit;
    transport t;
    constat_error e;
    status_seen s;
    char wvkey[512], lvkey[512];
    (void)state;

    fixture_open(&logf, "log.example", "log.example/log");
    fixture_open(&wit, "wit.example", "wit.example/log");
    t.w = &wit;
    t.calls = 0;
    assert_int_equal(constat_note_verifier_format(&wit.key.pub, wvkey, sizeof wvkey),
                     CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&constat_vault_log_key(logf.v)->pub, lvkey,
                                                  sizeof lvkey),
                     CONSTAT_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(constat_publish_status(logf.v, status_cb, &s, &e), CONSTAT_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(constat_publish_witness_add(logf.v, wvkey, "http://w.example/sub", &e),
                     CONSTAT_OK);
    assert_int_equal(constat_witness_log_add(wit.v, "log.example/log", lvkey, NOW, &e),
                     CONSTAT_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(constat_publish_status(logf.v, status_cb, &s, &e), CONSTAT_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.verified, -1); /* nothing cosigned yet */
    assert_int_equal(s.size, 0);
    grow(logf.v, "m1");
    grow(logf.v, "m2");
    assert_int_equal(constat_publish_run(logf.v, NOW, in_process, &t, NULL, NULL, &e),
                     CONSTAT_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(constat_publish_status(logf.v, status_cb, &s, &e), CONSTAT_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.name, "wit.example");
    assert_int_equal(s.verified, 1);
    assert_int_equal(s.size, 2);
    assert_int_equal(s.timestamp, NOW);
    assert_string_equal(s.msg, "");
    /* the stored line altered (the vault's table, not the witness): it no
     * longer verifies, and the reason says so */
    {
        typedef struct {
            char line[512];
        } got;
        got g = {""};
        constat_buf l;
        constat_buf_init(&l);
        assert_int_equal(constat_publish_cosigned(logf.v, &l, NULL, &e), CONSTAT_OK);
        {
            const char *p = strstr((const char *)l.data, "\n\xe2\x80\x94 wit.example ");
            assert_non_null(p);
            snprintf(g.line, sizeof g.line, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
        }
        g.line[strlen(g.line) - 5] = g.line[strlen(g.line) - 5] == 'A' ? 'B' : 'A';
        assert_int_equal(constat_store_cosignature_put(constat_vault_store(logf.v), 2,
                                                       "wit.example", g.line, strlen(g.line),
                                                       NOW, &e),
                         CONSTAT_OK);
        constat_buf_free(&l);
    }
    memset(&s, 0, sizeof s);
    assert_int_equal(constat_publish_status(logf.v, status_cb, &s, &e), CONSTAT_OK);
    assert_int_equal(s.verified, 0);
    assert_int_equal(s.size, 2);
    assert_non_null(strstr(s.msg, "does not verify with the witness's key"));
    fixture_close(&logf);
    fixture_close(&wit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_spec_example),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_tessera_sequence),
        cmocka_unit_test(test_witness_key),
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_publish_status),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
