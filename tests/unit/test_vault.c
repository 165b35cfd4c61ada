/* test_vault.c — the vault: create/open, sealed keys, monitors, appends
 * against a naive RFC 9162 root, C2SP tile layout, proofs, dedupe, id
 * conflicts, checkpoints, fault injection, and verify on tampered data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"
#include "constat/vault/intake.h"
#include "constat/vault/vault.h"
#include "vault/store.h"

#define ORG "calais-watch.example"
#define ORIGIN "calais-watch.example/log"
#define NOW 1720000000

static int setup(void **state)
{
    (void)state;
    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

/* ---- helpers ---- */

typedef struct {
    char *dir;
    constat_vault *v;
    constat_note_signer alice;
} fixture;

static void fx_open(fixture *f, const char *pass)
{
    constat_error err;
    constat_status st = constat_vault_open(f->dir, pass, &f->v, &err);
    if (st != CONSTAT_OK)
        fail_msg("open: %s", err.msg);
}

static fixture *fx_new(const char *pass)
{
    fixture *f = calloc(1, sizeof *f);
    constat_error err;
    char path[512];
    f->dir = tu_tmpdir();
    snprintf(path, sizeof path, "%s/v", f->dir);
    free(f->dir);
    f->dir = strdup(path);
    if (constat_vault_create(f->dir, ORG, ORIGIN, pass, &err) != CONSTAT_OK)
        fail_msg("create: %s", err.msg);
    fx_open(f, pass);
    if (constat_vault_monitor_add(f->v, "alice", NOW, NULL, &err) != CONSTAT_OK)
        fail_msg("monitor add: %s", err.msg);
    assert_int_equal(constat_vault_monitor_key(f->v, "alice", &f->alice, &err), CONSTAT_OK);
    return f;
}

static void fx_free(fixture *f)
{
    char *parent;
    constat_vault_close(f->v);
    constat_note_signer_wipe(&f->alice);
    parent = strdup(f->dir);
    *strrchr(parent, '/') = '\0';
    tu_rmrf(parent);
    free(parent);
    free(f->dir);
    free(f);
}

/* A signed shift leaf numbered i, with its item. */
typedef struct {
    constat_buf leaf;
    char id[64];
    json_t *priv;
    constat_append_item item;
} made;

static void make(made *m, const constat_note_signer *signer, const char *monitor, int i,
                 const char *id_override, int with_private)
{
    json_t *rec;
    constat_error err;
    char summary[64];
    snprintf(m->id, sizeof m->id, "%s", id_override ? id_override : "");
    if (!id_override)
        snprintf(m->id, sizeof m->id, "inc-%d", i);
    snprintf(summary, sizeof summary, "event number %d", i);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "v", 1, "kind",
                    "shift", "id", m->id, "org", ORG, "monitor", monitor, "recorded_at",
                    "2024-07-01T10:00:00Z", "start", "2024-07-01T08:00:00Z", "end",
                    "2024-07-01T09:00:00Z", "area", "name", summary);
    assert_non_null(rec);
    constat_buf_init(&m->leaf);
    if (constat_record_sign(rec, signer, &m->leaf, &err) != CONSTAT_OK)
        fail_msg("sign: %s", err.msg);
    if (constat_record_content_hash(rec, m->item.content_hash, &err) != CONSTAT_OK)
        fail_msg("content hash: %s", err.msg);
    json_decref(rec);
    m->priv = with_private ? json_pack("{s:{s:s, s:s}}", "narrative", "salt",
                                       "00112233445566778899aabbccddeeff", "value", "secret")
                           : NULL;
    m->item.leaf = m->leaf.data;
    m->item.leaf_len = m->leaf.len;
    m->item.record_id = m->id;
    m->item.kind = "shift";
    m->item.private_values = m->priv;
}

static void unmake(made *m)
{
    constat_buf_free(&m->leaf);
    json_decref(m->priv);
}

/* Append incidents [from, to) in one batch: its own transaction, or (in_txn)
 * inside the one open with constat_vault_append_begin; returns the status. */
static constat_status append_range_in(fixture *f, int in_txn, int from, int to,
                                      size_t *appended, size_t *skipped, constat_error *err)
{
    size_t n = (size_t)(to - from);
    made *ms = calloc(n ? n : 1, sizeof *ms);
    constat_append_item *items = calloc(n ? n : 1, sizeof *items);
    constat_status st;
    for (size_t i = 0; i < n; i++) {
        make(&ms[i], &f->alice, "alice", from + (int)i, NULL, (from + (int)i) % 3 == 0);
        items[i] = ms[i].item;
    }
    st = in_txn ? constat_vault_append_more(f->v, items, n, NULL, appended, skipped, err)
                : constat_vault_append(f->v, items, n, NULL, appended, skipped, NULL, NULL, err);
    for (size_t i = 0; i < n; i++)
        unmake(&ms[i]);
    free(ms);
    free(items);
    return st;
}

static constat_status append_range(fixture *f, int from, int to, size_t *appended,
                                   size_t *skipped, constat_error *err)
{
    return append_range_in(f, 0, from, to, appended, skipped, err);
}

/* All leaf hashes of the vault, read back leaf by leaf. */
static int collect_hash(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    uint8_t (*h)[32] = ctx;
    constat_merkle_leaf_hash(leaf, len, h[index]);
    return 0;
}

static uint8_t (*leaf_hashes(fixture *f, uint64_t *n))[32]
{
    uint64_t size = constat_vault_size(f->v);
    uint8_t (*h)[32] = calloc(size ? size : 1, 32);
    assert_int_equal(constat_vault_leaves(f->v, 0, size, collect_hash, h, NULL), CONSTAT_OK);
    *n = size;
    return h;
}

/* RFC 9162 2.1.1 MTH, straight from the definition. */
static void naive_root(uint8_t (*h)[32], uint64_t n, uint8_t out[32])
{
    uint64_t k = 1;
    uint8_t l[32], r[32];
    if (n == 0) {
        constat_sha256("", 0, out);
        return;
    }
    if (n == 1) {
        memcpy(out, h[0], 32);
        return;
    }
    while (k * 2 < n)
        k *= 2;
    naive_root(h, k, l);
    naive_root(h + k, n - k, r);
    constat_merkle_node_hash(l, r, out);
}

static void check_roots(fixture *f)
{
    uint64_t n;
    uint8_t (*h)[32] = leaf_hashes(f, &n);
    for (uint64_t s = 0; s <= n; s++) {
        uint8_t a[32], b[32];
        constat_error err;
        if (constat_vault_root(f->v, s, a, &err) != CONSTAT_OK)
            fail_msg("root %llu: %s", (unsigned long long)s, err.msg);
        naive_root(h, s, b);
        assert_memory_equal(a, b, 32);
    }
    free(h);
}

typedef struct {
    int64_t idx[64];
    char msg[64][600];
    size_t n;
} failures;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    failures *fl = ctx;
    if (fl->n < 64) {
        fl->idx[fl->n] = index;
        snprintf(fl->msg[fl->n], sizeof fl->msg[fl->n], "%s", msg);
    }
    fl->n++;
}

static int reported(const failures *fl, int64_t idx)
{
    for (size_t i = 0; i < fl->n && i < 64; i++)
        if (fl->idx[i] == idx)
            return 1;
    return 0;
}

static void expect_verifies(fixture *f)
{
    failures fl = {0};
    constat_error err;
    constat_status st = constat_vault_verify(f->v, on_fail, &fl, &err);
    if (st != CONSTAT_OK)
        fail_msg("verify: %s (first: %lld %s)", err.msg, fl.n ? (long long)fl.idx[0] : 0LL,
                 fl.n ? fl.msg[0] : "");
}

static void db_exec(fixture *f, const char *sql, const void *blob, int blen)
{
    tu_vault_sql(f->dir, sql, blob, (size_t)blen);
}

/* ---- tests ---- */

static void test_create_open(void **state)
{
    char *parent = tu_tmpdir(), dir[512], path[700];
    constat_vault *v = NULL;
    constat_error err;
    struct stat st;
    (void)state;

    snprintf(dir, sizeof dir, "%s/v", parent);
    assert_int_equal(constat_vault_open(dir, NULL, &v, &err), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_vault_create(dir, "bad org", ORIGIN, NULL, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_vault_create(dir, ORG, "a+b", NULL, &err), CONSTAT_EINVAL);
    assert_int_equal(access(dir, F_OK), -1); /* nothing left behind */
    assert_int_equal(constat_vault_create(dir, ORG, ORIGIN, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_create(dir, ORG, ORIGIN, NULL, &err), CONSTAT_ECONFLICT);
    assert_int_equal(constat_vault_create(parent, ORG, ORIGIN, NULL, &err), CONSTAT_ECONFLICT);

    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/keys", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    for (int i = 0; i < 3; i++) {
        static const char *const k[] = {"log", "org", "pseudonym"};
        char *text;
        snprintf(path, sizeof path, "%s/keys/%s.key", dir, k[i]);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        text = tu_read_file(path, NULL);
        assert_int_equal(strncmp(text, "constat-key-v1 plain\n", 21), 0);
        free(text);
    }

    assert_int_equal(constat_vault_open(dir, NULL, &v, &err), CONSTAT_OK);
    assert_string_equal(constat_vault_org(v), ORG);
    assert_string_equal(constat_vault_origin(v), ORIGIN);
    assert_string_equal(constat_vault_dir(v), dir);
    assert_string_equal(constat_vault_log_key(v)->pub.name, ORIGIN);
    assert_string_equal(constat_vault_org_key(v)->pub.name, ORG);
    assert_int_equal(constat_vault_size(v), 0);
    {
        uint8_t root[32], empty[32];
        constat_buf b;
        assert_int_equal(constat_vault_root(v, 0, root, &err), CONSTAT_OK);
        constat_merkle_empty_root(empty);
        assert_memory_equal(root, empty, 32);
        assert_int_equal(constat_vault_root(v, 1, root, &err), CONSTAT_EINVAL);
        constat_buf_init(&b);
        assert_int_equal(constat_vault_latest_checkpoint(v, &b, &err), CONSTAT_ENOTFOUND);
        assert_int_equal(constat_vault_leaf(v, 0, &b, &err), CONSTAT_ENOTFOUND);
        constat_buf_free(&b);
    }
    {
        uint8_t pk1[32], pseud[32];
        memcpy(pk1, constat_vault_log_key(v)->pub.pk, 32);
        memcpy(pseud, constat_vault_pseudonym_key(v), 32);
        constat_vault_close(v);
        assert_int_equal(constat_vault_open(dir, "ignored", &v, &err), CONSTAT_OK);
        assert_memory_equal(constat_vault_log_key(v)->pub.pk, pk1, 32);
        assert_memory_equal(constat_vault_pseudonym_key(v), pseud, 32);
        /* signer really is the stored key: sign a note and open it */
        {
            constat_buf note;
            constat_note *n = malloc(sizeof *n);
            constat_buf_init(&note);
            assert_int_equal(constat_note_sign("hello\n", 6, constat_vault_log_key(v), 1, &note,
                                               &err),
                             CONSTAT_OK);
            assert_int_equal(constat_note_open((const char *)note.data, note.len,
                                               &constat_vault_log_key(v)->pub, 1, n, &err),
                             CONSTAT_OK);
            free(n);
            constat_buf_free(&note);
        }
        constat_vault_close(v);
    }
    /* a swapped key file is refused */
    {
        char other[600], p2[700];
        snprintf(other, sizeof other, "%s/w", parent);
        assert_int_equal(constat_vault_create(other, ORG, ORIGIN, NULL, &err), CONSTAT_OK);
        snprintf(path, sizeof path, "%s/keys/org.key", dir);
        snprintf(p2, sizeof p2, "%s/keys/org.key", other);
        assert_int_equal(rename(p2, path), 0);
        assert_int_equal(constat_vault_open(dir, NULL, &v, &err), CONSTAT_ECRYPTO);
        assert_non_null(strstr(err.msg, "keys/org.key"));
    }
    tu_rmrf(parent);
    free(parent);
}

static void test_sealed(void **state)
{
    char *parent = tu_tmpdir(), dir[512], path[700];
    constat_vault *v = NULL;
    constat_error err;
    constat_note_signer bob;
    uint8_t pk[32];
    (void)state;

    snprintf(dir, sizeof dir, "%s/v", parent);
    assert_int_equal(constat_vault_create(dir, ORG, ORIGIN, "s3cret pass", &err), CONSTAT_OK);
    snprintf(path, sizeof path, "%s/keys/org.key", dir);
    {
        char *text = tu_read_file(path, NULL);
        assert_int_equal(strncmp(text, "constat-key-v1 sealed argon2id13 ", 33), 0);
        free(text);
    }
    assert_int_equal(constat_vault_open(dir, NULL, &v, &err), CONSTAT_ECRYPTO);
    assert_non_null(strstr(err.msg, "passphrase is needed"));
    assert_null(v);
    assert_int_equal(constat_vault_open(dir, "", &v, &err), CONSTAT_ECRYPTO);
    assert_int_equal(constat_vault_open(dir, "wrong", &v, &err), CONSTAT_ECRYPTO);
    assert_non_null(strstr(err.msg, "wrong passphrase for keys/log.key"));
    assert_int_equal(constat_vault_open(dir, "s3cret pass", &v, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(v, "bob", NOW, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_key(v, "bob", &bob, &err), CONSTAT_OK);
    memcpy(pk, bob.pub.pk, 32);
    constat_note_signer_wipe(&bob);
    constat_vault_close(v);
    snprintf(path, sizeof path, "%s/keys/monitors/bob.key", dir);
    {
        struct stat st;
        char *text = tu_read_file(path, NULL);
        assert_int_equal(strncmp(text, "constat-key-v1 sealed", 21), 0);
        free(text);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    assert_int_equal(constat_vault_open(dir, "s3cret pass", &v, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_key(v, "bob", &bob, &err), CONSTAT_OK);
    assert_memory_equal(bob.pub.pk, pk, 32);
    constat_note_signer_wipe(&bob);
    constat_vault_close(v);
    /* a plain key file dropped into a sealed vault is refused */
    {
        char other[600], p2[700];
        snprintf(other, sizeof other, "%s/w", parent);
        assert_int_equal(constat_vault_create(other, ORG, ORIGIN, NULL, &err), CONSTAT_OK);
        snprintf(path, sizeof path, "%s/keys/pseudonym.key", dir);
        snprintf(p2, sizeof p2, "%s/keys/pseudonym.key", other);
        assert_int_equal(rename(p2, path), 0);
        assert_int_equal(constat_vault_open(dir, "s3cret pass", &v, &err), CONSTAT_ECRYPTO);
        assert_non_null(strstr(err.msg, "plain"));
    }
    tu_rmrf(parent);
    free(parent);
}

/* Private values are stored sealed to the organisation's X25519 key: a
 * vault opened without its keys refuses to read them, and can still store
 * them (sealing needs only the public key), readable once the keys are in. */
static void test_sealed_private(void **state)
{
    fixture *f = fx_new("s3cret pass");
    constat_error err;
    constat_vault *pub = NULL;
    json_t *p = NULL;
    size_t a = 0, s = 0;
    (void)state;

    assert_int_equal(append_range(f, 0, 5, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(a, 5);
    /* with the keys: opened */
    assert_int_equal(constat_vault_private(f->v, "inc-3", &p, &err), CONSTAT_OK);
    assert_non_null(p);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(p, "narrative"), "value")), "secret");
    json_decref(p);
    assert_int_equal(constat_vault_private(f->v, "inc-4", &p, &err), CONSTAT_OK);
    assert_null(p);
    constat_vault_close(f->v);
    f->v = NULL;
    /* sealed at rest: the database file (its WAL folded in on close) never
     * holds the value in clear, and does hold the sealed form */
    {
        char *db;
        size_t n = 0;
        int sealed = 0;
        db = tu_vault_dump(f->dir, &n);
        for (size_t i = 0; i + 18 <= n; i++) {
            assert_false(memcmp(db + i, "\"secret\"", 8) == 0);
            sealed |= memcmp(db + i, "constat-private-v2", 18) == 0;
        }
        assert_true(sealed);
        free(db);
    }
    /* without the keys: refused, before anything is read or written */
    assert_int_equal(constat_vault_open_public(f->dir, &pub, &err), CONSTAT_OK);
    p = (json_t *)1;
    assert_int_equal(constat_vault_private(pub, "inc-3", &p, &err), CONSTAT_ECRYPTO);
    assert_null(p);
    assert_non_null(strstr(err.msg, "reading private values needs the vault's keys"));
    assert_int_equal(constat_vault_private(pub, "inc-4", &p, &err), CONSTAT_ECRYPTO);
    {
        made m;
        make(&m, &f->alice, "alice", 6, NULL, 1);
        assert_int_equal(constat_vault_append(pub, &m.item, 1, NULL, NULL, NULL, NULL, NULL,
                                              &err),
                         CONSTAT_OK);
        assert_int_equal(constat_vault_size(pub), 7);
        assert_int_equal(constat_vault_private(pub, "inc-6", &p, &err), CONSTAT_ECRYPTO);
        unmake(&m);
    }
    constat_vault_close(pub);
    fx_open(f, "s3cret pass");
    assert_int_equal(constat_vault_size(f->v), 7);
    assert_int_equal(constat_vault_private(f->v, "inc-6", &p, &err), CONSTAT_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(p, "narrative"), "value")), "secret");
    json_decref(p);
    expect_verifies(f);
    fx_free(f);
}

typedef struct {
    char names[8][32];
    char vkeys[8][512];
    uint64_t idx[8];
    size_t n;
} mlist;

static int list_cb(void *ctx, const char *name, const char *vkey, uint64_t idx)
{
    mlist *l = ctx;
    snprintf(l->names[l->n], 32, "%s", name);
    snprintf(l->vkeys[l->n], 512, "%s", vkey);
    l->idx[l->n++] = idx;
    return 0;
}

static void test_monitors(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    uint64_t idx = 99;
    mlist l = {0};
    constat_note_signer s;
    (void)state;

    assert_int_equal(constat_vault_monitor_add(f->v, "bob.b-2_x", NOW + 5, &idx, &err),
                     CONSTAT_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(constat_vault_monitor_add(f->v, "alice", NOW, NULL, &err),
                     CONSTAT_ECONFLICT);
    assert_int_equal(constat_vault_size(f->v), 2);
    static const char *const bad[] = {"", "a/b", ".hidden", "-x", "a b", "a+b", "é", "..",
                                      "enrol:x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(constat_vault_monitor_add(f->v, bad[i], NOW, NULL, &err),
                         CONSTAT_EINVAL);
    assert_int_equal(constat_vault_size(f->v), 2);
    assert_int_equal(constat_vault_monitor_list(f->v, list_cb, &l, &err), CONSTAT_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.names[0], "alice");
    assert_string_equal(l.names[1], "bob.b-2_x");
    assert_int_equal(l.idx[0], 0);
    assert_int_equal(l.idx[1], 1);
    assert_int_equal(constat_vault_monitor_key(f->v, "nobody", &s, &err), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_vault_monitor_key(f->v, "bob.b-2_x", &s, &err), CONSTAT_OK);
    {
        char vk[512];
        assert_int_equal(constat_note_verifier_format(&s.pub, vk, sizeof vk), CONSTAT_OK);
        assert_string_equal(vk, l.vkeys[1]);
    }
    constat_note_signer_wipe(&s);
    /* the enrolment leaf: signed by the org key, fields per docs/record.md */
    {
        constat_buf b;
        constat_leaf lf;
        uint64_t at;
        constat_buf_init(&b);
        assert_int_equal(constat_vault_find(f->v, "enrol:bob.b-2_x", &at, &err), CONSTAT_OK);
        assert_int_equal(at, 1);
        assert_int_equal(constat_vault_leaf(f->v, 1, &b, &err), CONSTAT_OK);
        assert_int_equal(constat_leaf_parse(b.data, b.len, &lf, &err), CONSTAT_OK);
        assert_int_equal(constat_leaf_verify(&lf, &constat_vault_org_key(f->v)->pub, &err),
                         CONSTAT_OK);
        assert_string_equal(json_string_value(json_object_get(lf.record, "kind")),
                            "monitor_enrolment");
        assert_string_equal(json_string_value(json_object_get(lf.record, "monitor")),
                            "bob.b-2_x");
        assert_string_equal(json_string_value(json_object_get(lf.record, "org")), ORG);
        assert_string_equal(json_string_value(json_object_get(lf.record, "vkey")), l.vkeys[1]);
        assert_string_equal(json_string_value(json_object_get(lf.record, "enrolled_at")),
                            "2024-07-03T09:46:45Z");
        assert_int_equal(json_integer_value(json_object_get(lf.record, "v")), 1);
        assert_int_equal(constat_record_validate(lf.record, NULL, &err), CONSTAT_OK);
        constat_leaf_free(&lf);
        constat_buf_free(&b);
    }
    expect_verifies(f);
    fx_free(f);
}

static void test_append_roots_tiles(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    size_t a = 0, s = 0;
    /* batches crossing tile boundaries in every way */
    static const int batch[] = {1, 2, 252, 1, 1, 255, 300, 0, 17};
    int next = 0;
    (void)state;

    for (size_t b = 0; b < sizeof batch / sizeof batch[0]; b++) {
        uint64_t before = constat_vault_size(f->v);
        constat_status st = append_range(f, next, next + batch[b], &a, &s, &err);
        if (st != CONSTAT_OK)
            fail_msg("append: %s", err.msg);
        assert_int_equal(a, (size_t)batch[b]);
        assert_int_equal(s, 0);
        assert_int_equal(constat_vault_size(f->v), before + (uint64_t)batch[b]);
        next += batch[b];
    }
    check_roots(f);
    /* size = 1 enrolment + 829 incidents = 830 */
    assert_int_equal(constat_vault_size(f->v), 830);
    {
        uint64_t n;
        uint8_t (*h)[32] = leaf_hashes(f, &n);
        constat_buf t;
        uint8_t r[32];
        constat_buf_init(&t);
        /* level 0: concatenated leaf hashes */
        for (uint64_t tn = 0; tn < 4; tn++) {
            unsigned w = tn < 3 ? 256 : 830 - 768;
            constat_buf_reset(&t);
            assert_int_equal(constat_vault_tile(f->v, 0, tn, w, &t, &err), CONSTAT_OK);
            assert_int_equal(t.len, (size_t)w * 32);
            assert_memory_equal(t.data, h[tn * 256], (size_t)w * 32);
        }
        assert_int_equal(constat_vault_tile(f->v, 0, 3, 63, &t, &err), CONSTAT_ENOTFOUND);
        assert_int_equal(constat_vault_tile(f->v, 0, 4, 1, &t, &err), CONSTAT_ENOTFOUND);
        /* a narrower width of a stored tile is its prefix */
        constat_buf_reset(&t);
        assert_int_equal(constat_vault_tile(f->v, 0, 3, 5, &t, &err), CONSTAT_OK);
        assert_memory_equal(t.data, h[768], 5 * 32);
        /* level 1: roots of the full level-0 tiles */
        constat_buf_reset(&t);
        assert_int_equal(constat_vault_tile(f->v, 1, 0, 3, &t, &err), CONSTAT_OK);
        for (int j = 0; j < 3; j++) {
            naive_root(h + j * 256, 256, r);
            assert_memory_equal(t.data + j * 32, r, 32);
        }
        assert_int_equal(constat_vault_tile(f->v, 1, 0, 4, &t, &err), CONSTAT_ENOTFOUND);
        assert_int_equal(constat_vault_tile(f->v, 2, 0, 1, &t, &err), CONSTAT_ENOTFOUND);
        constat_buf_free(&t);
        free(h);
    }
    /* private values */
    {
        json_t *p = NULL;
        assert_int_equal(constat_vault_private(f->v, "inc-3", &p, &err), CONSTAT_OK);
        assert_non_null(p);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(p, "narrative"), "value")),
            "secret");
        json_decref(p);
        assert_int_equal(constat_vault_private(f->v, "inc-4", &p, &err), CONSTAT_OK);
        assert_null(p);
    }
    expect_verifies(f);
    /* reopen: the same roots from the stored tiles */
    constat_vault_close(f->v);
    fx_open(f, NULL);
    check_roots(f);
    fx_free(f);
}

static void test_proofs(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    uint64_t n;
    uint8_t (*h)[32];
    (void)state;

    assert_int_equal(append_range(f, 0, 299, NULL, NULL, &err), CONSTAT_OK);
    h = leaf_hashes(f, &n);
    assert_int_equal(n, 300);
    static const uint64_t sizes[] = {1, 2, 3, 7, 8, 255, 256, 257, 299, 300};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        uint64_t size = sizes[si];
        uint8_t root[32];
        assert_int_equal(constat_vault_root(f->v, size, root, &err), CONSTAT_OK);
        for (uint64_t i = 0; i < size; i++) {
            constat_proof p;
            if (constat_vault_prove_inclusion(f->v, i, size, &p, &err) != CONSTAT_OK)
                fail_msg("prove %llu/%llu: %s", (unsigned long long)i,
                         (unsigned long long)size, err.msg);
            if (constat_merkle_verify_inclusion(i, size, h[i], &p, root, &err) != CONSTAT_OK)
                fail_msg("verify %llu/%llu: %s", (unsigned long long)i,
                         (unsigned long long)size, err.msg);
            /* and not for another leaf */
            assert_int_not_equal(
                constat_merkle_verify_inclusion(i, size, h[(i + 1) % n], &p, root, &err),
                CONSTAT_OK);
        }
    }
    for (uint64_t s1 = 1; s1 <= 300; s1 += 13)
        for (uint64_t s2 = s1; s2 <= 300; s2 += 29) {
            constat_proof p;
            uint8_t r1[32], r2[32];
            assert_int_equal(constat_vault_root(f->v, s1, r1, &err), CONSTAT_OK);
            assert_int_equal(constat_vault_root(f->v, s2, r2, &err), CONSTAT_OK);
            assert_int_equal(constat_vault_prove_consistency(f->v, s1, s2, &p, &err), CONSTAT_OK);
            if (constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err) != CONSTAT_OK)
                fail_msg("consistency %llu->%llu: %s", (unsigned long long)s1,
                         (unsigned long long)s2, err.msg);
        }
    {
        constat_proof p;
        assert_int_equal(constat_vault_prove_inclusion(f->v, 300, 300, &p, &err),
                         CONSTAT_EINVAL);
        assert_int_equal(constat_vault_prove_inclusion(f->v, 0, 301, &p, &err), CONSTAT_EINVAL);
        assert_int_equal(constat_vault_prove_consistency(f->v, 0, 5, &p, &err), CONSTAT_EINVAL);
        assert_int_equal(constat_vault_prove_consistency(f->v, 6, 5, &p, &err), CONSTAT_EINVAL);
        assert_int_equal(constat_vault_prove_consistency(f->v, 5, 301, &p, &err),
                         CONSTAT_EINVAL);
    }
    free(h);
    fx_free(f);
}

static void test_dedupe_conflict(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    size_t a = 9, s = 9;
    uint64_t first = 0, size;
    made m[3];
    constat_append_item items[3];
    (void)state;

    assert_int_equal(append_range(f, 0, 10, &a, &s, &err), CONSTAT_OK);
    size = constat_vault_size(f->v);
    /* re-append: all skipped */
    assert_int_equal(append_range(f, 0, 10, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(a, 0);
    assert_int_equal(s, 10);
    assert_int_equal(constat_vault_size(f->v), size);
    /* overlap: 5 skipped, 5 new */
    assert_int_equal(append_range(f, 5, 15, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(a, 5);
    assert_int_equal(s, 5);
    size += 5;
    /* a duplicate inside one batch */
    make(&m[0], &f->alice, "alice", 100, NULL, 0);
    make(&m[1], &f->alice, "alice", 100, NULL, 0);
    items[0] = m[0].item;
    items[1] = m[1].item;
    assert_int_equal(constat_vault_append(f->v, items, 2, &first, &a, &s, NULL, NULL, &err),
                     CONSTAT_OK);
    assert_int_equal(first, size);
    assert_int_equal(a, 1);
    assert_int_equal(s, 1);
    size++;
    unmake(&m[0]);
    unmake(&m[1]);
    /* id conflict: inc-3 with other content; the new record before it is not kept */
    make(&m[0], &f->alice, "alice", 200, NULL, 0);
    make(&m[1], &f->alice, "alice", 201, "inc-3", 1);
    items[0] = m[0].item;
    items[1] = m[1].item;
    assert_int_equal(constat_vault_append(f->v, items, 2, &first, &a, &s, NULL, NULL, &err),
                     CONSTAT_ECONFLICT);
    assert_non_null(strstr(err.msg, "inc-3"));
    assert_int_equal(a, 0);
    assert_int_equal(constat_vault_size(f->v), size);
    {
        uint64_t at;
        assert_int_equal(constat_vault_find(f->v, "inc-200", &at, &err), CONSTAT_ENOTFOUND);
        assert_int_equal(constat_vault_find(f->v, "inc-3", &at, &err), CONSTAT_OK);
        assert_int_equal(at, 4);
    }
    unmake(&m[0]);
    unmake(&m[1]);
    /* bad items */
    make(&m[0], &f->alice, "alice", 300, NULL, 0);
    items[0] = m[0].item;
    items[0].record_id = "bad id!";
    assert_int_equal(constat_vault_append(f->v, items, 1, NULL, NULL, NULL, NULL, NULL, &err),
                     CONSTAT_EINVAL);
    unmake(&m[0]);
    make(&m[0], &f->alice, "alice", 301, NULL, 0);
    items[0] = m[0].item;
    items[0].leaf_len = CONSTAT_RECORD_MAX_BYTES + 1;
    assert_int_equal(constat_vault_append(f->v, items, 1, NULL, NULL, NULL, NULL, NULL, &err),
                     CONSTAT_ELIMIT);
    unmake(&m[0]);
    assert_int_equal(constat_vault_size(f->v), size);
    check_roots(f);
    expect_verifies(f);
    fx_free(f);
}

/* Several batches in one transaction (constat_vault_append_begin/more/end):
 * committed, they are one append (tiles across a tile boundary, roots and
 * proofs as for one batch, duplicates of an earlier batch skipped); rolled
 * back, nothing of any batch is kept; misuse is refused. */
static void test_append_batches(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    size_t a = 9, s = 9;
    uint64_t size0 = 0, at;
    (void)state;

    assert_int_equal(constat_vault_append_more(f->v, NULL, 0, NULL, &a, &s, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_vault_append_end(f->v, 1, &err), CONSTAT_EINVAL);
    assert_int_equal(constat_vault_append_end(f->v, 0, &err), CONSTAT_OK);
    size0 = constat_vault_size(f->v); /* the enrolment of alice */
    assert_int_equal(size0, 1);

    assert_int_equal(constat_vault_append_begin(f->v, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_append_begin(f->v, &err), CONSTAT_EINVAL);
    assert_int_equal(append_range_in(f, 1, 0, 300, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(a, 300);
    assert_int_equal(s, 0);
    /* this handle sees its own batches before the commit */
    assert_int_equal(constat_vault_size(f->v), size0 + 300);
    /* 290..299 again: skipped, as inside one batch */
    assert_int_equal(append_range_in(f, 1, 290, 600, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(a, 300);
    assert_int_equal(s, 10);
    assert_int_equal(constat_vault_append_end(f->v, 1, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_size(f->v), size0 + 600);
    assert_int_equal(constat_vault_find(f->v, "inc-599", &at, &err), CONSTAT_OK);
    assert_int_equal(at, size0 + 599);
    check_roots(f);

    /* rolled back: none of the batches is kept */
    assert_int_equal(constat_vault_append_begin(f->v, &err), CONSTAT_OK);
    assert_int_equal(append_range_in(f, 1, 600, 700, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(append_range_in(f, 1, 700, 710, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_append_end(f->v, 0, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_size(f->v), size0 + 600);
    assert_int_equal(constat_vault_find(f->v, "inc-650", &at, &err), CONSTAT_ENOTFOUND);
    assert_int_equal(constat_vault_find(f->v, "inc-705", &at, &err), CONSTAT_ENOTFOUND);
    check_roots(f);

    /* a failed batch (a record id of other content), then the rollback */
    assert_int_equal(constat_vault_append_begin(f->v, &err), CONSTAT_OK);
    assert_int_equal(append_range_in(f, 1, 800, 810, &a, &s, &err), CONSTAT_OK);
    {
        made m;
        constat_append_item item;
        make(&m, &f->alice, "alice", 900, "inc-3", 0);
        item = m.item;
        assert_int_equal(constat_vault_append_more(f->v, &item, 1, NULL, &a, &s, &err),
                         CONSTAT_ECONFLICT);
        assert_non_null(strstr(err.msg, "inc-3"));
        unmake(&m);
    }
    assert_int_equal(constat_vault_append_end(f->v, 0, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_size(f->v), size0 + 600);
    assert_int_equal(constat_vault_find(f->v, "inc-805", &at, &err), CONSTAT_ENOTFOUND);
    /* and the vault takes a plain append afterwards */
    assert_int_equal(append_range(f, 600, 610, &a, &s, &err), CONSTAT_OK);
    assert_int_equal(a, 10);
    assert_int_equal(constat_vault_size(f->v), size0 + 610);
    check_roots(f);
    expect_verifies(f);
    fx_free(f);
}

static void test_checkpoint(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    constat_buf c1, c2, c3;
    constat_note *note = malloc(sizeof *note);
    constat_checkpoint cp;
    uint8_t root[32];
    (void)state;

    constat_buf_init(&c1);
    constat_buf_init(&c2);
    constat_buf_init(&c3);
    assert_int_equal(append_range(f, 0, 40, NULL, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_checkpoint(f->v, &c1, &err), CONSTAT_OK);
    assert_int_equal(constat_note_open((const char *)c1.data, c1.len,
                                       &constat_vault_log_key(f->v)->pub, 1, note, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_checkpoint_parse((const char *)c1.data, note->text_len, &cp, &err),
                     CONSTAT_OK);
    assert_string_equal(cp.origin, ORIGIN);
    assert_int_equal(cp.size, 41);
    assert_int_equal(constat_vault_root(f->v, 41, root, &err), CONSTAT_OK);
    assert_memory_equal(cp.root, root, 32);
    /* unchanged tree: the same checkpoint */
    assert_int_equal(constat_vault_checkpoint(f->v, &c2, &err), CONSTAT_OK);
    assert_int_equal(c1.len, c2.len);
    assert_memory_equal(c1.data, c2.data, c1.len);
    assert_int_equal(constat_vault_latest_checkpoint(f->v, &c3, &err), CONSTAT_OK);
    assert_memory_equal(c1.data, c3.data, c1.len);
    /* grown tree: a new one */
    assert_int_equal(append_range(f, 40, 45, NULL, NULL, &err), CONSTAT_OK);
    constat_buf_reset(&c2);
    assert_int_equal(constat_vault_checkpoint(f->v, &c2, &err), CONSTAT_OK);
    assert_int_equal(constat_note_open((const char *)c2.data, c2.len,
                                       &constat_vault_log_key(f->v)->pub, 1, note, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_checkpoint_parse((const char *)c2.data, note->text_len, &cp, &err),
                     CONSTAT_OK);
    assert_int_equal(cp.size, 46);
    expect_verifies(f);

    /* a checkpoint tampered in the database is reported */
    constat_vault_close(f->v);
    db_exec(f, "UPDATE checkpoints SET note = replace(note, '41', '42') WHERE size = 41", NULL, 0);
    fx_open(f, NULL);
    {
        failures fl = {0};
        assert_int_equal(constat_vault_verify(f->v, on_fail, &fl, &err), CONSTAT_EVERIFY);
        assert_true(reported(&fl, -1));
        assert_non_null(strstr(fl.msg[0], "checkpoint"));
    }
    free(note);
    constat_buf_free(&c1);
    constat_buf_free(&c2);
    constat_buf_free(&c3);
    fx_free(f);
}

static void test_tamper(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    constat_buf leaf, tile;
    (void)state;

    constat_buf_init(&leaf);
    constat_buf_init(&tile);
    assert_int_equal(append_range(f, 0, 299, NULL, NULL, &err), CONSTAT_OK);
    expect_verifies(f);
    assert_int_equal(constat_vault_leaf(f->v, 5, &leaf, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_tile(f->v, 0, 0, 256, &tile, &err), CONSTAT_OK);
    constat_vault_close(f->v);

    /* 1. a leaf blob changed: "event number 4" -> "event number 9" */
    {
        char *p = strstr((char *)leaf.data, "event number 4");
        assert_non_null(p);
        p[13] = '9';
        db_exec(f, "UPDATE leaves SET leaf = ?1 WHERE idx = 5", leaf.data, (int)leaf.len);
        p[13] = '4';
    }
    fx_open(f, NULL);
    {
        failures fl = {0};
        assert_int_equal(constat_vault_verify(f->v, on_fail, &fl, &err), CONSTAT_EVERIFY);
        assert_true(reported(&fl, 5));
        for (size_t i = 0; i < fl.n; i++)
            if (fl.idx[i] != 5 && fl.idx[i] != -1) /* -1: whole-tree root check */
                fail_msg("blamed %lld: %s", (long long)fl.idx[i], fl.msg[i]);
        assert_true(fl.n >= 2);            /* tile hash and signature at least */
        /* each failure of the leaf names it and its record, as a dossier's do */
        for (size_t i = 0; i < fl.n && i < 64; i++)
            if (fl.idx[i] == 5 && strncmp(fl.msg[i], "leaf 5 (record ", 15) != 0)
                fail_msg("failure of leaf 5 does not name it: %s", fl.msg[i]);
    }
    constat_vault_close(f->v);
    db_exec(f, "UPDATE leaves SET leaf = ?1 WHERE idx = 5", leaf.data, (int)leaf.len);
    fx_open(f, NULL);
    expect_verifies(f);
    constat_vault_close(f->v);

    /* 2. a level-0 tile entry changed */
    tile.data[7 * 32 + 3] ^= 1;
    db_exec(f, "UPDATE tiles SET hashes = ?1 WHERE level = 0 AND idx = 0", tile.data,
            (int)tile.len);
    fx_open(f, NULL);
    {
        failures fl = {0};
        assert_int_equal(constat_vault_verify(f->v, on_fail, &fl, &err), CONSTAT_EVERIFY);
        assert_true(reported(&fl, 7));
        assert_true(reported(&fl, 0)); /* tile 1/0 entry 0 no longer matches */
    }
    constat_vault_close(f->v);
    tile.data[7 * 32 + 3] ^= 1;
    db_exec(f, "UPDATE tiles SET hashes = ?1 WHERE level = 0 AND idx = 0", tile.data,
            (int)tile.len);

    /* 3. a level-1 tile changed */
    {
        uint8_t bad[32];
        memset(bad, 0xab, 32);
        db_exec(f, "UPDATE tiles SET hashes = ?1 WHERE level = 1 AND idx = 0", bad, 32);
    }
    fx_open(f, NULL);
    {
        failures fl = {0};
        uint8_t root[32];
        assert_int_equal(constat_vault_verify(f->v, on_fail, &fl, &err), CONSTAT_EVERIFY);
        assert_true(reported(&fl, 0));
        assert_true(fl.n >= 1);
        /* proofs read the tampered tile, so the root is now wrong too */
        assert_int_equal(constat_vault_root(f->v, 300, root, &err), CONSTAT_OK);
    }
    constat_vault_close(f->v);

    /* 4. a leaf deleted */
    db_exec(f, "DELETE FROM leaves WHERE idx = 200", NULL, 0);
    fx_open(f, NULL);
    {
        failures fl = {0};
        assert_int_equal(constat_vault_verify(f->v, on_fail, &fl, &err), CONSTAT_EVERIFY);
        assert_true(reported(&fl, 200));
    }
    constat_buf_free(&leaf);
    constat_buf_free(&tile);
    fx_free(f);
}

static void test_enrolment_tamper(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    (void)state;
    assert_int_equal(append_range(f, 0, 3, NULL, NULL, &err), CONSTAT_OK);
    constat_vault_close(f->v);
    /* the monitors table is not trusted: a swapped vkey there is reported */
    db_exec(f, "UPDATE monitors SET vkey = 'x' WHERE name = 'alice'", NULL, 0);
    fx_open(f, NULL);
    {
        failures fl = {0};
        assert_int_equal(constat_vault_verify(f->v, on_fail, &fl, &err), CONSTAT_EVERIFY);
        assert_int_equal(fl.n, 1);
        assert_true(reported(&fl, 0));
    }
    fx_free(f);
}

/* Byte image of vault.db after folding the WAL into it (on PostgreSQL:
 * of every row of the vault's tables). */
static void db_digest(fixture *f, uint8_t out[32])
{
    constat_error err;
    size_t n;
    char *db;
    assert_int_equal(constat_store_flush(constat_vault_store(f->v), &err), CONSTAT_OK);
    db = tu_vault_dump(f->dir, &n);
    crypto_hash_sha256(out, (const unsigned char *)db, n);
    free(db);
}

static void test_fault_injection(void **state)
{
    fixture *f = fx_new(NULL);
    constat_error err;
    uint8_t before[32], after[32];
    uint64_t size;
    long n;
    int failed = 0;
    (void)state;

    assert_int_equal(append_range(f, 0, 250, NULL, NULL, &err), CONSTAT_OK);
    size = constat_vault_size(f->v);
    db_digest(f, before);
    /* fail each step of a batch crossing a tile boundary, in turn */
    for (n = 1;; n++) {
        constat_status st;
        constat_store_fault_countdown = n;
        st = append_range(f, 250, 270, NULL, NULL, &err);
        if (constat_store_fault_countdown > 0) {
            /* the batch ran out of steps before the fault: it succeeded */
            constat_store_fault_countdown = 0;
            assert_int_equal(st, CONSTAT_OK);
            break;
        }
        assert_int_equal(st, CONSTAT_EIO);
        assert_non_null(strstr(err.msg, "injected"));
        failed++;
        assert_int_equal(constat_vault_size(f->v), size);
        db_digest(f, after);
        assert_memory_equal(before, after, 32);
    }
    assert_true(failed > 40); /* 20 leaves: lookups, inserts, private values, tiles, commit */
    assert_int_equal(constat_vault_size(f->v), size + 20);
    check_roots(f);
    expect_verifies(f);

    /* monitor enrolment and checkpoints under faults */
    size = constat_vault_size(f->v);
    db_digest(f, before);
    for (n = 1;; n++) {
        constat_status st;
        char path[600];
        constat_store_fault_countdown = n;
        st = constat_vault_monitor_add(f->v, "carol", NOW, NULL, &err);
        if (constat_store_fault_countdown > 0) {
            constat_store_fault_countdown = 0;
            assert_int_equal(st, CONSTAT_OK);
            break;
        }
        assert_int_not_equal(st, CONSTAT_OK);
        db_digest(f, after);
        assert_memory_equal(before, after, 32);
        snprintf(path, sizeof path, "%s/keys/monitors/carol.key", f->dir);
        assert_int_equal(access(path, F_OK), -1); /* the key file was removed */
    }
    assert_int_equal(constat_vault_size(f->v), size + 1);
    db_digest(f, before);
    for (n = 1;; n++) {
        constat_status st;
        constat_buf b;
        constat_buf_init(&b);
        constat_store_fault_countdown = n;
        st = constat_vault_checkpoint(f->v, &b, &err);
        constat_buf_free(&b);
        if (constat_store_fault_countdown > 0) {
            constat_store_fault_countdown = 0;
            assert_int_equal(st, CONSTAT_OK);
            break;
        }
        assert_int_not_equal(st, CONSTAT_OK);
        db_digest(f, after);
        assert_memory_equal(before, after, 32);
    }
    expect_verifies(f);
    fx_free(f);
}

static void test_throughput(void **state)
{
    /* Synthetic leaves (the vault does not parse leaves on append): measures
     * the store, not signing. Prints records/s; asserts the tree is right. */
    fixture *f = fx_new(NULL);
    const size_t n = 20000;
    constat_append_item *items = calloc(n, sizeof *items);
    char (*ids)[16] = calloc(n, 16);
    uint8_t (*leaves)[200] = calloc(n, 200);
    constat_error err;
    size_t a = 0;
    struct timespec t0, t1;
    double secs;
    (void)state;

    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], 16, "syn-%zu", i);
        randombytes_buf(leaves[i], 200);
        items[i].leaf = leaves[i];
        items[i].leaf_len = 200;
        items[i].record_id = ids[i];
        items[i].kind = "incident";
        constat_sha256(leaves[i], 200, items[i].content_hash);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(constat_vault_append(f->v, items, n, NULL, &a, NULL, NULL, NULL, &err),
                     CONSTAT_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("appended %zu leaves in %.3f s: %.0f records/s\n", a, secs, (double)a / secs);
    assert_int_equal(a, n);
    {
        uint64_t m;
        uint8_t (*h)[32] = leaf_hashes(f, &m);
        uint8_t r1[32], r2[32];
        naive_root(h, m, r1);
        assert_int_equal(constat_vault_root(f->v, m, r1[0] ? r2 : r2, &err), CONSTAT_OK);
        assert_memory_equal(r1, r2, 32);
        free(h);
    }
    free(items);
    free(ids);
    free(leaves);
    fx_free(f);
}


/* Intake refuses an event, or a recording time, after now beyond the clock
 * tolerance (600 s), naming the field; within it, the record is prepared. */
static void test_intake_future(void **state)
{
    char *dir = tu_tmpdir();
    constat_vault *v = NULL;
    constat_error err;
    json_t *in, *rec = NULL, *priv = NULL;
    char start[32], end[32];
    (void)state;
    assert_int_equal(constat_vault_create(dir, ORG, ORIGIN, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_open(dir, NULL, &v, &err), CONSTAT_OK);
    /* NOW is 2024-07-03T09:46:40Z; the event starts 600 s later: accepted */
    constat_rfc3339_format(NOW + 600, 0, start);
    constat_rfc3339_format(NOW + 1200, 0, end);
    in = json_pack("{s:{s:s,s:s,s:s},s:{s:s},s:[s],s:{s:s}}", "occurred", "start", start, "end",
                   end, "precision", "minute", "place", "name", "Calais", "categories",
                   "eviction", "source", "type", "direct_observation");
    assert_non_null(in);
    assert_int_equal(constat_intake_prepare(v, in, "m1", NOW, NULL, &rec, &priv, &err),
                     CONSTAT_OK);
    json_decref(rec);
    rec = NULL;
    /* 601 s later: refused, naming the field and now */
    constat_rfc3339_format(NOW + 601, 0, start);
    json_object_set_new(json_object_get(in, "occurred"), "start", json_string(start));
    assert_int_equal(constat_intake_prepare(v, in, "m1", NOW, NULL, &rec, &priv, &err),
                     CONSTAT_EINVAL);
    assert_null(rec);
    if (!strstr(err.msg, "occurred.start: 2024-07-03T09:56:41Z is in the future (now is "
                         "2024-07-03T09:46:40Z, tolerance 600 s)"))
        fail_msg("%s", err.msg);
    /* a recorded_at in the future is refused too */
    constat_rfc3339_format(NOW - 3600, 0, start);
    json_object_set_new(json_object_get(in, "occurred"), "start", json_string(start));
    json_object_set_new(in, "recorded_at", json_string("2030-01-01T00:00:00Z"));
    assert_int_equal(constat_intake_prepare(v, in, "m1", NOW, NULL, &rec, &priv, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "recorded_at: 2030-01-01T00:00:00Z is in the future"));
    json_decref(in);
    constat_vault_close(v);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_open),
        cmocka_unit_test(test_intake_future),
        cmocka_unit_test(test_sealed),
        cmocka_unit_test(test_sealed_private),
        cmocka_unit_test(test_monitors),
        cmocka_unit_test(test_append_roots_tiles),
        cmocka_unit_test(test_proofs),
        cmocka_unit_test(test_dedupe_conflict),
        cmocka_unit_test(test_checkpoint),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_enrolment_tamper),
        cmocka_unit_test(test_append_batches),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
