/* test_tlog.c — C2SP tlog-tiles export and audit (tlog.h): the tessera test
 * log audits OK and our export of its 15 entries with its key equals it
 * byte for byte; tampered, missing and rolled-back publications are named;
 * a vault exports incrementally; entry bundles parse strictly. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "constat/log/tlog.h"
#include "constat/vault/vault.h"

#define TESSERA "tlog-tiles/tessera-testdata/testdata/log"
#define TESSERA_SKEY                                                                     \
    "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg"
#define TESSERA_VKEY                                                                     \
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"

static int setup(void **state)
{
    (void)state;
    return constat_init() == CONSTAT_OK ? 0 : -1;
}

/* ---- an in-memory log: the generic source fed by something not a vault --- */

typedef struct {
    uint64_t n, cap;
    uint8_t **leaf;
    size_t *len;
    uint8_t *hashes[CONSTAT_TILE_MAX_LEVEL + 1]; /* every level-8L node, by index */
    uint64_t nh[CONSTAT_TILE_MAX_LEVEL + 1];
    constat_merkle_builder b;
    constat_note_signer signer;
    const char *origin;
    uint64_t cp_size; /* size to sign */
} memlog;

static constat_status mem_node(void *ctx, unsigned level, uint64_t index, const uint8_t h[32],
                               constat_error *err)
{
    memlog *m = ctx;
    unsigned tl = level / 8;
    (void)err;
    if (level % 8 != 0)
        return CONSTAT_OK;
    assert_int_equal(index, m->nh[tl]);
    if ((m->nh[tl] & (m->nh[tl] - 1)) == 0) { /* grow at powers of two */
        m->hashes[tl] = realloc(m->hashes[tl], (size_t)(m->nh[tl] ? 2 * m->nh[tl] : 1) * 32);
        assert_non_null(m->hashes[tl]);
    }
    memcpy(m->hashes[tl] + m->nh[tl] * 32, h, 32);
    m->nh[tl]++;
    return CONSTAT_OK;
}

static void mem_add(memlog *m, const void *data, size_t len)
{
    uint8_t lh[32];
    constat_error err;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->leaf = realloc(m->leaf, m->cap * sizeof *m->leaf);
        m->len = realloc(m->len, m->cap * sizeof *m->len);
    }
    m->leaf[m->n] = malloc(len ? len : 1);
    memcpy(m->leaf[m->n], data, len);
    m->len[m->n] = len;
    m->n++;
    constat_merkle_leaf_hash(data, len, lh);
    assert_int_equal(constat_merkle_builder_append(&m->b, lh, mem_node, m, &err), CONSTAT_OK);
    m->cp_size = m->n;
}

static void mem_free(memlog *m)
{
    for (uint64_t i = 0; i < m->n; i++)
        free(m->leaf[i]);
    free(m->leaf);
    free(m->len);
    for (int l = 0; l <= CONSTAT_TILE_MAX_LEVEL; l++)
        free(m->hashes[l]);
    constat_note_signer_wipe(&m->signer);
}

static constat_status mem_leaves(void *ctx, uint64_t from, uint64_t to, constat_leaf_fn fn,
                                 void *fnctx, constat_error *err)
{
    memlog *m = ctx;
    if (to > m->n)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no leaf %llu",
                                 (unsigned long long)m->n);
    for (uint64_t i = from; i < to; i++)
        if (fn(fnctx, i, m->leaf[i], m->len[i]))
            break;
    return CONSTAT_OK;
}

static constat_status mem_tile(void *ctx, unsigned level, uint64_t n, unsigned width,
                               constat_buf *out, constat_error *err)
{
    memlog *m = ctx;
    if (level > CONSTAT_TILE_MAX_LEVEL || n * 256 + width > m->nh[level])
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no tile %u/%llu", level,
                                 (unsigned long long)n);
    return constat_buf_append(out, m->hashes[level] + n * 256 * 32, (size_t)width * 32);
}

static constat_tlog_source *g_src_self;
static constat_status mem_checkpoint(void *ctx, constat_buf *out, constat_error *err)
{
    memlog *m = ctx;
    return constat_tlog_checkpoint_sign(g_src_self, m->cp_size, m->origin, &m->signer, out, err);
}

static void mem_init(memlog *m, constat_tlog_source *src, const char *skey)
{
    constat_error err;
    memset(m, 0, sizeof *m);
    assert_int_equal(constat_merkle_builder_init(&m->b, 0, NULL, NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_note_signer_parse(skey, &m->signer, &err), CONSTAT_OK);
    m->origin = m->signer.pub.name;
    src->ctx = m;
    src->leaves = mem_leaves;
    src->tile = mem_tile;
    src->checkpoint = mem_checkpoint;
    g_src_self = src;
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
    int n;
    char msgs[4096];
} fails;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    fails *f = ctx;
    size_t l = strlen(f->msgs);
    (void)index;
    f->n++;
    snprintf(f->msgs + l, sizeof f->msgs - l, "%s\n", msg);
}

static constat_status audit(const char *dir, const char *vkey, const char *since, fails *f,
                            constat_tlog_audit_summary *sum)
{
    constat_note_verifier key;
    constat_tlog_audit_opts o = {NULL, NULL, 0, NULL, NULL, NULL};
    constat_error err;
    memset(f, 0, sizeof *f);
    if (vkey) {
        assert_int_equal(constat_note_verifier_parse(vkey, &key, &err), CONSTAT_OK);
        o.log_key = &key;
    }
    if (since) {
        o.since_checkpoint = since;
        o.since_len = strlen(since);
    }
    return constat_tlog_audit(dir, &o, on_fail, f, sum, &err);
}

static char *path_in(const char *dir, const char *rel)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return p;
}

static void flip(const char *dir, const char *rel, long off)
{
    FILE *fp = fopen(path_in(dir, rel), "r+b");
    int c;
    assert_non_null(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    c = fgetc(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    fputc(c ^ 1, fp);
    fclose(fp);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        char p[4096];
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &sb) != 0)
            continue;
        n += S_ISDIR(sb.st_mode) ? count_files(p) : 1;
    }
    closedir(d);
    return n;
}

/* ---- tests -------------------------------------------------------------- */

static void test_bundle_parse(void **state)
{
    constat_tlog_entry e[CONSTAT_TILE_WIDTH];
    constat_error err;
    unsigned n = 99;
    uint8_t b[4 + 3 + 2];
    uint8_t *big;
    (void)state;
    /* "one", "", "ab" */
    memcpy(b, "\x00\x03one\x00\x00", 7);
    memcpy(b + 7, "\x00\x02", 2);
    assert_int_equal(constat_tlog_bundle_parse(b, 9, 0, e, &n, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "entry 2: length 2"));
    assert_int_equal(n, 0);
    {
        uint8_t ok[] = {0, 3, 'o', 'n', 'e', 0, 0, 0, 2, 'a', 'b'};
        assert_int_equal(constat_tlog_bundle_parse(ok, sizeof ok, 3, e, &n, &err), CONSTAT_OK);
        assert_int_equal(n, 3);
        assert_int_equal(e[0].len, 3);
        assert_memory_equal(e[0].data, "one", 3);
        assert_int_equal(e[1].len, 0);
        assert_memory_equal(e[2].data, "ab", 2);
        assert_int_equal(constat_tlog_bundle_parse(ok, sizeof ok, 4, e, &n, &err), CONSTAT_EINVAL);
        assert_non_null(strstr(err.msg, "holds 3 entries, its path says 4"));
        assert_int_equal(constat_tlog_bundle_parse(ok, sizeof ok - 1, 0, e, &n, &err),
                         CONSTAT_EINVAL);
        assert_int_equal(constat_tlog_bundle_parse(ok, 1, 0, e, &n, &err), CONSTAT_EINVAL);
        assert_non_null(strstr(err.msg, "length prefix cut short at byte 0"));
        assert_int_equal(constat_tlog_bundle_parse(ok, 0, 0, e, &n, &err), CONSTAT_OK);
        assert_int_equal(n, 0);
    }
    /* 256 empty entries fit, 257 do not; the largest entry (65535) parses */
    big = calloc(1, 2 * 257 + 65535);
    assert_int_equal(constat_tlog_bundle_parse(big, 2 * 256, 256, e, &n, &err), CONSTAT_OK);
    assert_int_equal(n, 256);
    assert_int_equal(constat_tlog_bundle_parse(big, 2 * 257, 0, e, &n, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "more than 256 entries"));
    big[0] = 0xff;
    big[1] = 0xff;
    assert_int_equal(constat_tlog_bundle_parse(big, 2 + 65535, 1, e, &n, &err), CONSTAT_OK);
    assert_int_equal(e[0].len, CONSTAT_TLOG_ENTRY_MAX);
    free(big);
}

static void test_tessera_audit(void **state)
{
    char dir[4096];
    constat_tlog_audit_summary sum;
    fails f;
    char *cp7;
    size_t len;
    (void)state;
    snprintf(dir, sizeof dir, "%s/%s", CONSTAT_VECTORS, TESSERA);
    assert_int_equal(audit(dir, TESSERA_VKEY, NULL, &f, &sum), CONSTAT_OK);
    assert_int_equal(f.n, 0);
    assert_int_equal(sum.size, 15);
    assert_int_equal(sum.entries, 15);
    assert_int_equal(sum.tiles, 1);
    assert_int_equal(sum.signature_ok, 1);
    assert_string_equal(sum.origin, "example.com/log/testdata");
    /* every older checkpoint it kept is consistent with the newest */
    for (int i = 0; i <= 15; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, TESSERA "/checkpoint.%d", i);
        cp7 = tu_read_vector(rel, &len);
        assert_int_equal(audit(dir, TESSERA_VKEY, cp7, &f, &sum), CONSTAT_OK);
        assert_int_equal(sum.since_checked, 1);
        assert_int_equal(sum.since_size, (uint64_t)i);
        free(cp7);
    }
    /* a key of another log: the signature is reported, the rest still checked */
    assert_int_equal(audit(dir, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                           NULL, &f, &sum),
                     CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "pinned log key does not verify"));
    assert_non_null(strstr(f.msgs, "not the name of the pinned log key"));
    assert_int_equal(sum.entries, 15);
    /* no key: consistency only */
    assert_int_equal(audit(dir, NULL, NULL, &f, &sum), CONSTAT_OK);
    assert_int_equal(sum.key_pinned, 0);
    assert_int_equal(sum.signature_ok, 0);
}

static void compare_file(const char *ours, const char *rel)
{
    char vec[256], p[4096];
    size_t a, b;
    char *x, *y;
    snprintf(vec, sizeof vec, TESSERA "/%s", rel);
    snprintf(p, sizeof p, "%s/%s", ours, rel);
    x = tu_read_vector(vec, &a);
    y = tu_read_file(p, &b);
    if (a != b || memcmp(x, y, a) != 0)
        fail_msg("%s differs from tessera's (%zu vs %zu bytes)", rel, b, a);
    free(x);
    free(y);
}

static void test_tessera_export(void **state)
{
    memlog m;
    constat_tlog_source src;
    constat_tlog_entry e[CONSTAT_TILE_WIDTH];
    constat_tlog_export_stats st;
    constat_error err;
    unsigned n;
    size_t len;
    char *bundle = tu_read_vector(TESSERA "/tile/entries/000.p/15", &len);
    char *out = tu_tmpdir();
    (void)state;

    assert_int_equal(constat_tlog_bundle_parse((uint8_t *)bundle, len, 15, e, &n, &err),
                     CONSTAT_OK);
    assert_int_equal(e[0].len, 3);
    assert_memory_equal(e[0].data, "one", 3);
    assert_int_equal(e[14].len, 6);
    assert_memory_equal(e[14].data, "fivten", 6); /* sic, as tessera spells it */
    mem_init(&m, &src, TESSERA_SKEY);
    for (unsigned i = 0; i < n; i++)
        mem_add(&m, e[i].data, e[i].len);
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.size, 15);
    assert_int_equal(st.entries, 15);
    assert_int_equal(st.files_written, 2);
    assert_int_equal(st.checkpoint_written, 1);
    /* what we write, byte for byte; tessera also keeps checkpoint.0..15 (its
     * history) and partial tiles .p/1..14 of earlier sizes, which a
     * one-shot export of size 15 has no reason to write */
    compare_file(out, "checkpoint");
    compare_file(out, "tile/0/000.p/15");
    compare_file(out, "tile/entries/000.p/15");
    assert_int_equal(count_files(out), 3);
    /* again: nothing rewritten */
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.files_written, 0);
    assert_int_equal(st.files_unchanged, 2);
    assert_int_equal(st.checkpoint_written, 0);
    /* rollback refused: a checkpoint of size 14 over one of size 15 */
    m.cp_size = 14;
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_ECONFLICT);
    assert_non_null(strstr(err.msg, "roll the log back"));
    compare_file(out, "checkpoint");
    mem_free(&m);
    free(bundle);
    tu_rmrf(out);
    free(out);
}

/* A log with three tile levels: full level-0 and level-1 tiles and partial
 * ones at every level. Export, audit, then break it in every way. */
static void test_tamper(void **state)
{
    memlog m;
    constat_tlog_source src;
    constat_tlog_export_stats st;
    constat_tlog_audit_summary sum;
    constat_error err;
    constat_buf early, forked;
    fails f;
    char *out = tu_tmpdir(), vkey[600];
    const uint64_t size = 256 * 256 + 300;
    (void)state;

    mem_init(&m, &src, TESSERA_SKEY);
    assert_int_equal(constat_note_verifier_format(&m.signer.pub, vkey, sizeof vkey), CONSTAT_OK);
    for (uint64_t i = 0; i < size; i++) {
        char leaf[32];
        int l = snprintf(leaf, sizeof leaf, "entry %llu", (unsigned long long)i);
        mem_add(&m, leaf, (size_t)l);
    }
    /* an earlier checkpoint the auditor kept, and a forked one */
    constat_buf_init(&early);
    constat_buf_init(&forked);
    assert_int_equal(constat_tlog_checkpoint_sign(&src, 1000, m.origin, &m.signer, &early, &err),
                     CONSTAT_OK);
    {
        constat_buf body;
        uint8_t root[32];
        constat_buf_init(&body);
        memset(root, 7, 32);
        assert_int_equal(constat_checkpoint_format(m.origin, 1000, root, &body, &err), CONSTAT_OK);
        assert_int_equal(constat_note_sign((char *)body.data, body.len, &m.signer, 1, &forked, &err),
                         CONSTAT_OK);
        constat_buf_free(&body);
    }

    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    /* 258 bundles + 258 level-0 tiles (the last .p/44), full and partial
     * level 1, partial level 2 */
    assert_int_equal(st.files_written, 258 + 258 + 2 + 1);
    assert_int_equal(count_files(out), 258 + 258 + 2 + 1 + 1);
    assert_int_equal(audit(out, vkey, (char *)early.data, &f, &sum), CONSTAT_OK);
    assert_int_equal(sum.entries, size);
    assert_int_equal(sum.tiles, 258 + 2 + 1);
    assert_int_equal(audit(out, vkey, (char *)forked.data, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "another root at size 1000"));
    assert_non_null(strstr(f.msgs, "consistency proof from size 1000"));

    /* one byte of an entry */
    flip(out, "tile/entries/001", 5);
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "tile/0/001: 1 hash(es) differ"));
    assert_non_null(strstr(f.msgs, "(leaf 256)"));
    /* re-export repairs it and says so */
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.files_replaced, 1);
    assert_string_equal(st.first_replaced, "tile/entries/001");
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_OK);

    /* a byte of a level-1 tile, of the partial level-2 tile, of the checkpoint */
    flip(out, "tile/1/000", 100);
    flip(out, "tile/2/000.p/1", 0);
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "tile/1/000: 1 hash(es) differ"));
    assert_non_null(strstr(f.msgs, "tile/2/000.p/1: 1 hash(es) differ"));
    assert_int_equal(f.n, 2);
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.files_replaced, 2);
    flip(out, "checkpoint", 3);
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "checkpoint: the pinned log key does not verify"));
    /* the flipped byte is in the origin: the exporter will not overwrite what
     * looks like another log's checkpoint */
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_ECONFLICT);
    assert_non_null(strstr(err.msg, "checkpoint of another log"));
    unlink(path_in(out, "checkpoint"));
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.checkpoint_written, 1);
    /* a changed root (re-signed: only the tree can tell) */
    {
        constat_buf note;
        constat_buf body;
        uint8_t root[32];
        FILE *fp;
        constat_buf_init(&note);
        constat_buf_init(&body);
        memset(root, 9, 32);
        assert_int_equal(constat_checkpoint_format(m.origin, size, root, &body, &err), CONSTAT_OK);
        assert_int_equal(constat_note_sign((char *)body.data, body.len, &m.signer, 1, &note, &err),
                         CONSTAT_OK);
        fp = fopen(path_in(out, "checkpoint"), "wb");
        fwrite(note.data, 1, note.len, fp);
        fclose(fp);
        assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
        assert_non_null(strstr(f.msgs, "root does not match the tree recomputed"));
        assert_int_equal(f.n, 1);
        constat_buf_free(&note);
        constat_buf_free(&body);
    }
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);

    /* missing files: a tile, a bundle (its level-0 tile stands in), both */
    unlink(path_in(out, "tile/0/100"));
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "tile/0/100: missing"));
    assert_int_equal(f.n, 1);
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.files_written, 1);
    unlink(path_in(out, "tile/entries/200"));
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "tile/entries/200: missing (entries 51200..51455)"));
    assert_int_equal(f.n, 1);
    assert_int_equal(sum.entries, size - 256);
    unlink(path_in(out, "tile/0/200"));
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "cannot be recomputed past leaf 51200"));
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    unlink(path_in(out, "checkpoint"));
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "checkpoint: missing"));
    /* a truncated bundle */
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(truncate(path_in(out, "tile/entries/257.p/44"), 20), 0);
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_non_null(strstr(f.msgs, "tile/entries/257.p/44: entry bundle: entry"));

    /* the log grows: the old partial tiles stay, new ones appear; a reader of
     * the old checkpoint can use the full tile in place of a removed partial */
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    for (int i = 0; i < 300; i++)
        mem_add(&m, "more", 4);
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.size, size + 300);
    assert_int_equal(audit(out, vkey, (char *)early.data, &f, &sum), CONSTAT_OK);
    assert_int_equal(access(path_in(out, "tile/entries/257.p/44"), F_OK), 0);
    assert_int_equal(access(path_in(out, "tile/entries/257"), F_OK), 0);

    constat_buf_free(&early);
    constat_buf_free(&forked);
    mem_free(&m);
    tu_rmrf(out);
    free(out);
}

/* The vault as the source; incremental export; the u16 entry limit. */
static void test_vault_export(void **state)
{
    char *dir = tu_tmpdir(), vdir[4200], out[4200], vkey[600], *trust;
    constat_vault *v;
    constat_tlog_source src;
    constat_tlog_export_stats st;
    constat_tlog_audit_summary sum;
    constat_note_verifier key;
    constat_error err;
    fails f;
    FILE *fp;
    (void)state;

    snprintf(vdir, sizeof vdir, "%s/v", dir);
    snprintf(out, sizeof out, "%s/pub", dir);
    assert_int_equal(constat_vault_create(vdir, "org-t", "t.example/log", NULL, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_open(vdir, NULL, &v, &err), CONSTAT_OK);
    constat_tlog_vault_source(v, &src);

    /* the empty log: a checkpoint and nothing else */
    assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
    assert_int_equal(st.size, 0);
    assert_int_equal(count_files(out), 1);

    for (int round = 0; round < 2; round++) {
        enum { N = 600 };
        constat_append_item *items = calloc(N, sizeof *items);
        char (*ids)[24] = calloc(N, 24);
        uint8_t (*leaves)[100] = calloc(N, 100);
        for (int i = 0; i < N; i++) {
            snprintf(ids[i], 24, "r%d-%d", round, i);
            snprintf((char *)leaves[i], 100, "synthetic leaf %d of round %d", i, round);
            items[i].leaf = leaves[i];
            items[i].leaf_len = 100;
            items[i].record_id = ids[i];
            items[i].kind = "incident";
            constat_sha256(leaves[i], 100, items[i].content_hash);
        }
        assert_int_equal(constat_vault_append(v, items, N, NULL, NULL, NULL, NULL, NULL, &err),
                         CONSTAT_OK);
        free(items);
        free(ids);
        free(leaves);
        assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
        assert_int_equal(st.files_replaced, 0);
        if (round == 0) {
            /* 600: bundles and tiles 0, 1, 2.p/88, level 1 partial of width 2 */
            assert_int_equal(st.size, 600);
            assert_int_equal(st.files_written, 3 + 3 + 1);
        } else {
            /* 1200: 0 and 1 unchanged; 2..4.p/176 and 1.p/4 are new */
            assert_int_equal(st.size, 1200);
            assert_int_equal(st.files_unchanged, 4);
            assert_int_equal(st.files_written, 3 + 3 + 1);
        }
    }
    assert_int_equal(constat_note_verifier_format(&constat_vault_log_key(v)->pub, vkey,
                                                  sizeof vkey),
                     CONSTAT_OK);
    assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_OK);
    assert_int_equal(sum.entries, 1200);

    /* trust file, as `constat keys` prints it */
    trust = malloc(4300);
    snprintf(trust, 4300, "%s/trust.txt", dir);
    fp = fopen(trust, "w");
    fprintf(fp, "# keys\n\nlog %s\norg %s\n", vkey, TESSERA_VKEY);
    fclose(fp);
    assert_int_equal(constat_tlog_trust_log_key(trust, &key, &err), CONSTAT_OK);
    assert_string_equal(key.name, "t.example/log");
    fp = fopen(trust, "w");
    fprintf(fp, "log %s\nlog %s\n", vkey, vkey);
    fclose(fp);
    assert_int_equal(constat_tlog_trust_log_key(trust, &key, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "line 2: second log key"));
    fp = fopen(trust, "w");
    fprintf(fp, "org %s\n", vkey);
    fclose(fp);
    assert_int_equal(constat_tlog_trust_log_key(trust, &key, &err), CONSTAT_ENOTFOUND);
    fp = fopen(trust, "w");
    fprintf(fp, "witness %s\n", vkey);
    fclose(fp);
    assert_int_equal(constat_tlog_trust_log_key(trust, &key, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "line 1: expected"));
    free(trust);

    /* a leaf too large for a u16 length prefix: the vault refuses it
     * (CONSTAT_RECORD_MAX_BYTES is the tile entry limit), so the log stays
     * publishable */
    {
        size_t big = CONSTAT_TLOG_ENTRY_MAX + 1;
        uint8_t *leaf = calloc(1, big);
        constat_append_item it;
        memset(&it, 0, sizeof it);
        memset(leaf, 'x', big);
        it.leaf = leaf;
        it.leaf_len = big;
        it.record_id = "big";
        it.kind = "incident";
        constat_sha256(leaf, big, it.content_hash);
        assert_int_equal(constat_vault_append(v, &it, 1, NULL, NULL, NULL, NULL, NULL, &err),
                         CONSTAT_ELIMIT);
        assert_int_equal(constat_tlog_export(out, &src, &st, &err), CONSTAT_OK);
        free(leaf);
        /* the published checkpoint still describes what was published */
        assert_int_equal(audit(out, vkey, NULL, &f, &sum), CONSTAT_OK);
        assert_int_equal(sum.size, 1200);
    }
    /* not a directory, not a URL */
    assert_int_equal(audit("ftp://example.org/log", NULL, NULL, &f, &sum), CONSTAT_EINVAL);
    snprintf(vdir, sizeof vdir, "%s/nothing-here", dir);
    assert_int_equal(audit(vdir, NULL, NULL, &f, &sum), CONSTAT_ENOTFOUND);
    constat_vault_close(v);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_parse),
        cmocka_unit_test(test_tessera_audit),
        cmocka_unit_test(test_tessera_export),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_vault_export),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
