/* test_merkle.c — RFC 6962 / 9162 Merkle tree: external vectors
 * (transparency-dev/merkle, the RFC 6962 reference tree, real Argon2020 CT
 * responses), and round trips against a naive recursive implementation. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "testutil.h"

#define H CONSTAT_HASH_SIZE

/* ---------------------------------------------------------------------- */
/* A naive full tree in memory, and a reader over it that refuses (fails the
 * test on) any node that is not complete in the tree size being read. */

#define NAIVE_MAX 1024

typedef struct {
    uint8_t leaf[NAIVE_MAX][H];
    uint8_t (*level[11])[H]; /* level[l][i], complete nodes of the 1024-leaf tree */
    uint64_t count[11];
} naive_tree;

typedef struct {
    const naive_tree *t;
    uint64_t size; /* tree size being read */
    unsigned reads;
    constat_status fail_with; /* nonzero: every read fails with this */
} tree_reader;

static naive_tree *g_tree;

static void naive_tree_build(naive_tree *t)
{
    unsigned l;
    uint64_t i;
    for (i = 0; i < NAIVE_MAX; i++) {
        char data[32];
        /* distinct leaves of varying length, one of them empty */
        int n = i == 0 ? 0 : snprintf(data, sizeof data, "leaf %llu", (unsigned long long)i);
        constat_merkle_leaf_hash(data, (size_t)n, t->leaf[i]);
    }
    t->level[0] = t->leaf;
    t->count[0] = NAIVE_MAX;
    for (l = 1; l < 11; l++) {
        t->count[l] = t->count[l - 1] / 2;
        t->level[l] = malloc(t->count[l] * H);
        assert_non_null(t->level[l]);
        for (i = 0; i < t->count[l]; i++)
            constat_merkle_node_hash(t->level[l - 1][2 * i], t->level[l - 1][2 * i + 1],
                                     t->level[l][i]);
    }
}

static constat_status tree_read(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                constat_error *err)
{
    tree_reader *r = ctx;
    r->reads++;
    if (r->fail_with)
        return constat_error_set(err, r->fail_with, "test reader: injected failure");
    if (level > 10 || index >= (r->size >> level))
        fail_msg("reader asked for node (%u, %llu), not complete in tree %llu", level,
                 (unsigned long long)index, (unsigned long long)r->size);
    memcpy(out, r->t->level[level][index], H);
    return CONSTAT_OK;
}

/* MTH(D[lo:hi]) by the RFC 9162 2.1.1 recursion. */
static void naive_mth(uint64_t lo, uint64_t hi, uint8_t out[H])
{
    uint64_t k = 1;
    uint8_t l[H], r[H];
    if (hi == lo) {
        constat_merkle_empty_root(out);
        return;
    }
    if (hi - lo == 1) {
        memcpy(out, g_tree->leaf[lo], H);
        return;
    }
    while (k * 2 < hi - lo)
        k *= 2;
    naive_mth(lo, lo + k, l);
    naive_mth(lo + k, hi, r);
    constat_merkle_node_hash(l, r, out);
}

/* RFC 9162 2.1.3.1 PATH(m, D[lo:hi]). */
static void naive_path(uint64_t m, uint64_t lo, uint64_t hi, constat_proof *p)
{
    uint64_t k = 1;
    if (hi - lo <= 1)
        return;
    while (k * 2 < hi - lo)
        k *= 2;
    if (m < k) {
        naive_path(m, lo, lo + k, p);
        naive_mth(lo + k, hi, p->hash[p->n++]);
    } else {
        naive_path(m - k, lo + k, hi, p);
        naive_mth(lo, lo + k, p->hash[p->n++]);
    }
}

/* RFC 9162 2.1.4.1 SUBPROOF(m, D[lo:hi], b). */
static void naive_subproof(uint64_t m, uint64_t lo, uint64_t hi, int b, constat_proof *p)
{
    uint64_t n = hi - lo, k = 1;
    if (m == n) {
        if (!b)
            naive_mth(lo, hi, p->hash[p->n++]);
        return;
    }
    while (k * 2 < n)
        k *= 2;
    if (m <= k) {
        naive_subproof(m, lo, lo + k, b, p);
        naive_mth(lo + k, hi, p->hash[p->n++]);
    } else {
        naive_subproof(m - k, lo + k, hi, 0, p);
        naive_mth(lo, lo + k, p->hash[p->n++]);
    }
}

static void assert_proof_eq(const constat_proof *a, const constat_proof *b)
{
    size_t i;
    assert_int_equal(a->n, b->n);
    for (i = 0; i < a->n; i++)
        assert_memory_equal(a->hash[i], b->hash[i], H);
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(constat_init(), CONSTAT_OK);
    g_tree = calloc(1, sizeof *g_tree);
    assert_non_null(g_tree);
    naive_tree_build(g_tree);
    return 0;
}

static int teardown(void **state)
{
    unsigned l;
    (void)state;
    for (l = 1; l < 11; l++)
        free(g_tree->level[l]);
    free(g_tree);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON helpers. Integers are read from the raw text because one vector holds
 * 2^64 - 1, beyond what jansson decodes as an integer. */

static json_t *load_json(const char *text, const char *what)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
    if (!j)
        fail_msg("%s: JSON error line %d: %s", what, je.line, je.text);
    return j;
}

/* Value of the unsigned integer member "key"; returns 0 if it is negative
 * or out of uint64 range (the vector is then rejected by the caller). */
static int raw_u64(const char *text, const char *key, uint64_t *out, const char *what)
{
    char pat[64];
    const char *p;
    char *end;
    unsigned long long v;
    snprintf(pat, sizeof pat, "\"%s\"", key);
    p = strstr(text, pat);
    if (!p)
        fail_msg("%s: no member %s", what, key);
    p += strlen(pat);
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    if (*p++ != ':')
        fail_msg("%s: malformed member %s", what, key);
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    if (*p == '-')
        return 0;
    errno = 0;
    v = strtoull(p, &end, 10);
    if (end == p)
        fail_msg("%s: member %s is not a number", what, key);
    if (errno == ERANGE)
        return 0;
    *out = (uint64_t)v;
    return 1;
}

/* Decode a base64 hash; returns 1 only for exactly 32 bytes. A hash of any
 * other length is not a SHA-256 value, so the vector is rejected before
 * the verifier runs. */
static int hash32(json_t *s, uint8_t out[H])
{
    uint8_t buf[256];
    size_t n = 0;
    const char *b64;
    if (!json_is_string(s))
        return 0;
    b64 = json_string_value(s);
    if (constat_unbase64(b64, strlen(b64), buf, sizeof buf, &n) != CONSTAT_OK)
        return 0;
    if (n != H)
        return 0;
    memcpy(out, buf, H);
    return 1;
}

/* Proof array (null = empty). Returns 0 if a hash is not 32 bytes or the
 * proof exceeds CONSTAT_PROOF_MAX_HASHES. */
static int proof_from_json(json_t *a, constat_proof *p)
{
    size_t i;
    p->n = 0;
    if (json_is_null(a))
        return 1;
    if (!json_is_array(a) || json_array_size(a) > CONSTAT_PROOF_MAX_HASHES)
        return 0;
    for (i = 0; i < json_array_size(a); i++)
        if (!hash32(json_array_get(a, i), p->hash[i]))
            return 0;
    p->n = json_array_size(a);
    return 1;
}

/* The 8-leaf reference tree (rfc6962-reference-tree.json), for comparing
 * generated proofs with the happy-path vectors. */
typedef struct {
    uint8_t level[4][8][H];
    uint64_t size;
    unsigned reads;
} ref_reader;

static ref_reader g_ref;

static constat_status ref_read(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                               constat_error *err)
{
    ref_reader *r = ctx;
    (void)err;
    r->reads++;
    if (level > 3 || index >= (r->size >> level))
        fail_msg("ref reader: node (%u, %llu) not complete in tree %llu", level,
                 (unsigned long long)index, (unsigned long long)r->size);
    memcpy(out, r->level[level][index], H);
    return CONSTAT_OK;
}

static void load_reference_tree(void)
{
    char *text = tu_read_vector("merkle/rfc6962-reference-tree.json", NULL);
    json_t *j = load_json(text, "rfc6962-reference-tree.json");
    json_t *inputs = json_object_get(j, "leaf_inputs_hex");
    json_t *hashes = json_object_get(j, "leaf_hashes_hex");
    size_t i;
    unsigned l;
    assert_int_equal(json_array_size(inputs), 8);
    for (i = 0; i < 8; i++) {
        const char *hex = json_string_value(json_array_get(inputs, i));
        uint8_t data[64], want[H];
        size_t n = strlen(hex) / 2;
        assert_true(n <= sizeof data);
        assert_int_equal(constat_unhex(hex, data, n), CONSTAT_OK);
        constat_merkle_leaf_hash(data, n, g_ref.level[0][i]);
        assert_int_equal(constat_unhex(json_string_value(json_array_get(hashes, i)), want, H),
                         CONSTAT_OK);
        assert_memory_equal(g_ref.level[0][i], want, H);
    }
    for (l = 1; l < 4; l++)
        for (i = 0; i < (8u >> l); i++)
            constat_merkle_node_hash(g_ref.level[l - 1][2 * i], g_ref.level[l - 1][2 * i + 1],
                                     g_ref.level[l][i]);
    json_decref(j);
    free(text);
}

/* ---------------------------------------------------------------------- */
/* transparency-dev/merkle testdata */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

typedef struct {
    unsigned files, rejected, happy_checked;
    unsigned by_verifier; /* rejections by the verifier, not by decoding */
    unsigned policy;      /* files where our verdict is not wantErr, on purpose */
} vec_stats;

/* Vectors whose wantErr constat reverses by policy (see the comments where
 * they are handled). Only this one: the size1 == 0 case agrees with
 * wantErr under our rule. */
static int policy_reversed(const char *relpath)
{
    return ends_with(relpath, "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json");
}

static const char *INCL_DIR = "merkle/transparency-dev-merkle/testdata/inclusion";
static const char *CONS_DIR = "merkle/transparency-dev-merkle/testdata/consistency";


/* One inclusion vector: returns 1 if our verifier (or our 32-byte decoding
 * rule) rejects it. */
static int run_inclusion_vector(const char *path, const char *text, vec_stats *st)
{
    json_t *j = load_json(text, path);
    uint64_t idx = 0, size = 0;
    uint8_t root[H], leaf[H];
    constat_proof proof;
    constat_error err;
    int ok_num = raw_u64(text, "leafIdx", &idx, path) & raw_u64(text, "treeSize", &size, path);
    int rejected;

    constat_error_clear(&err);
    if (!ok_num || !hash32(json_object_get(j, "root"), root) ||
        !hash32(json_object_get(j, "leafHash"), leaf) ||
        !proof_from_json(json_object_get(j, "proof"), &proof)) {
        rejected = 1;
    } else {
        constat_status s = constat_merkle_verify_inclusion(idx, size, leaf, &proof, root, &err);
        rejected = s != CONSTAT_OK;
        st->by_verifier += (unsigned)rejected;
        if (rejected) {
            assert_true(s == CONSTAT_EINVAL || s == CONSTAT_EVERIFY);
            assert_int_equal(err.code, s);
            assert_true(err.msg[0] != '\0');
        }
        /* Happy paths use the reference tree: our generator must produce
         * exactly the proof the vector carries. */
        if (ends_with(path, "/happy-path.json")) {
            constat_proof gen;
            g_ref.size = size;
            assert_int_equal(constat_merkle_prove_inclusion(ref_read, &g_ref, idx, size, &gen,
                                                            NULL),
                             CONSTAT_OK);
            assert_proof_eq(&gen, &proof);
            st->happy_checked++;
        }
    }
    json_decref(j);
    return rejected;
}

static int run_consistency_vector(const char *path, const char *text, vec_stats *st)
{
    json_t *j = load_json(text, path);
    uint64_t s1 = 0, s2 = 0;
    uint8_t r1[H], r2[H];
    constat_proof proof;
    constat_error err;
    int ok_num = raw_u64(text, "size1", &s1, path) & raw_u64(text, "size2", &s2, path);
    int rejected;

    constat_error_clear(&err);
    if (ends_with(path, "/sizes-are-equal-zero-and-proof-is-empty.json")) {
        /* Policy case (PROVENANCE.md): RFC 9162 alone would accept 0 -> 0
         * with an empty proof, but constat, like transparency-dev, refuses
         * size1 == 0: an empty tree is consistent with every tree, so such
         * a proof proves nothing and only hides a caller's mistake. The
         * roots here are not even 32-byte hashes; check that the size rule
         * alone rejects it, whatever the roots. */
        uint8_t z[H] = {0};
        constat_proof empty = {0};
        assert_true(ok_num);
        assert_int_equal(s1, 0);
        assert_int_equal(s2, 0);
        assert_int_equal(constat_merkle_verify_consistency(0, 0, z, z, &empty, &err),
                         CONSTAT_EINVAL);
        assert_non_null(strstr(err.msg, "size1 is 0"));
    }
    if (ends_with(path, "/sizes-are-equal-one-and-proof-is-empty.json")) {
        /* Policy case: its roots are the 12-byte string "don't care 2";
         * Go compares the two byte strings, finds them equal and accepts
         * (wantErr false). constat takes only 32-byte hashes, so decoding
         * rejects the vector; the walk below expects that reversal. The
         * rule it tests (equal sizes, empty proof, equal roots) holds for
         * real hashes: */
        uint8_t z[H];
        constat_proof empty = {0};
        memset(z, 0x42, H);
        assert_int_equal(constat_merkle_verify_consistency(1, 1, z, z, &empty, &err),
                         CONSTAT_OK);
    }
    if (!ok_num || !hash32(json_object_get(j, "root1"), r1) ||
        !hash32(json_object_get(j, "root2"), r2) ||
        !proof_from_json(json_object_get(j, "proof"), &proof)) {
        rejected = 1;
    } else {
        constat_status s = constat_merkle_verify_consistency(s1, s2, r1, r2, &proof, &err);
        rejected = s != CONSTAT_OK;
        st->by_verifier += (unsigned)rejected;
        if (rejected) {
            assert_true(s == CONSTAT_EINVAL || s == CONSTAT_EVERIFY);
            assert_true(err.msg[0] != '\0');
        }
        if (ends_with(path, "/happy-path.json")) {
            constat_proof gen;
            g_ref.size = s2;
            assert_int_equal(constat_merkle_prove_consistency(ref_read, &g_ref, s1, s2, &gen,
                                                              NULL),
                             CONSTAT_OK);
            assert_proof_eq(&gen, &proof);
            st->happy_checked++;
        }
    }
    json_decref(j);
    return rejected;
}

static void walk_vectors(const char *rel, int inclusion, vec_stats *st)
{
    char dir[4096];
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof dir, "%s/%s", CONSTAT_VECTORS, rel);
    d = opendir(dir);
    if (!d)
        fail_msg("cannot open vector directory %s", dir);
    while ((e = readdir(d)) != NULL) {
        char path[8192], relpath[8192];
        struct stat sb;
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(relpath, sizeof relpath, "%s/%s", rel, e->d_name) >= (int)sizeof relpath)
            fail_msg("path too long under %s", dir);
        assert_int_equal(stat(path, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            walk_vectors(relpath, inclusion, st);
        } else if (ends_with(e->d_name, ".json")) {
            char *text = tu_read_file(path, NULL);
            json_t *j = load_json(text, path);
            int want_err = json_is_true(json_object_get(j, "wantErr"));
            int rejected;
            assert_true(json_is_boolean(json_object_get(j, "wantErr")));
            json_decref(j);
            rejected = inclusion ? run_inclusion_vector(path, text, st)
                                 : run_consistency_vector(path, text, st);
            if (policy_reversed(relpath)) {
                assert_int_equal(want_err, 0);
                assert_int_equal(rejected, 1);
                st->policy++;
            } else if (rejected != want_err)
                fail_msg("%s: wantErr %d but constat %s it", relpath, want_err,
                         rejected ? "rejects" : "accepts");
            st->files++;
            st->rejected += (unsigned)rejected;
            free(text);
        }
    }
    closedir(d);
}

static void test_transparency_dev_inclusion(void **state)
{
    vec_stats st = {0, 0, 0, 0, 0};
    (void)state;
    load_reference_tree();
    walk_vectors(INCL_DIR, 1, &st);
    print_message("inclusion vectors: %u files, %u rejected (%u by the verifier)\n", st.files,
                  st.rejected, st.by_verifier);
    /* 98 files upstream (PROVENANCE.md): a missing directory fails here. */
    assert_int_equal(st.files, 98);
    assert_int_equal(st.happy_checked, 5);
    /* 92 tamper cases: 26 with a hash that is not 32 bytes (garbage before
     * or after, empty), 66 that decode and that the verifier must refuse. */
    assert_int_equal(st.rejected, 92);
    assert_int_equal(st.by_verifier, 66);
}

static void test_transparency_dev_consistency(void **state)
{
    vec_stats st = {0, 0, 0, 0, 0};
    (void)state;
    load_reference_tree();
    walk_vectors(CONS_DIR, 0, &st);
    print_message("consistency vectors: %u files, %u rejected (%u by the verifier), "
                  "%u policy\n", st.files, st.rejected, st.by_verifier, st.policy);
    assert_int_equal(st.policy, 1);
    assert_int_equal(st.files, 98);
    assert_int_equal(st.happy_checked, 5);
    assert_int_equal(st.rejected, 93);
    assert_int_equal(st.by_verifier, 66);
}

/* inclusion/single-entry/empty-root-and-leaf.json carries "" for both the
 * root and the leaf hash. Go compares the (empty) byte slices and could call
 * them equal; our rule is that a hash is exactly 32 bytes, so decoding fails
 * and the vector is rejected before any hashing. */
static void test_empty_hash_is_rejected(void **state)
{
    char *text = tu_read_vector(
        "merkle/transparency-dev-merkle/testdata/inclusion/single-entry/empty-root-and-leaf.json",
        NULL);
    json_t *j = load_json(text, "empty-root-and-leaf.json");
    uint8_t h[H];
    (void)state;
    assert_string_equal(json_string_value(json_object_get(j, "root")), "");
    assert_false(hash32(json_object_get(j, "root"), h));
    assert_false(hash32(json_object_get(j, "leafHash"), h));
    assert_true(json_is_true(json_object_get(j, "wantErr")));
    json_decref(j);
    free(text);
}

/* ---------------------------------------------------------------------- */
/* RFC 6962 reference tree and hasher vectors */

static void test_reference_tree(void **state)
{
    char *text = tu_read_vector("merkle/rfc6962-reference-tree.json", NULL);
    json_t *j = load_json(text, "rfc6962-reference-tree.json");
    json_t *roots = json_object_get(j, "root_hashes_by_tree_size_hex");
    json_t *extra = json_object_get(j, "extra_rfc6962_hasher_vectors");
    constat_merkle_builder b;
    uint8_t got[H], want[H];
    uint64_t size;
    (void)state;

    load_reference_tree();
    assert_int_equal(json_array_size(roots), 9);
    assert_int_equal(constat_merkle_builder_init(&b, 0, NULL, NULL, NULL), CONSTAT_OK);
    for (size = 0; size <= 8; size++) {
        assert_int_equal(constat_unhex(json_string_value(json_array_get(roots, size)), want, H),
                         CONSTAT_OK);
        g_ref.size = size;
        g_ref.reads = 0;
        assert_int_equal(constat_merkle_root(ref_read, &g_ref, size, got, NULL), CONSTAT_OK);
        assert_memory_equal(got, want, H);
        assert_int_equal(g_ref.reads, (unsigned)__builtin_popcountll(size));
        constat_merkle_builder_root(&b, got);
        assert_memory_equal(got, want, H);
        if (size < 8)
            assert_int_equal(
                constat_merkle_builder_append(&b, g_ref.level[0][size], NULL, NULL, NULL),
                CONSTAT_OK);
    }

    constat_merkle_empty_root(got);
    assert_int_equal(constat_unhex(json_string_value(json_object_get(extra, "empty_tree_root")),
                                   want, H),
                     CONSTAT_OK);
    assert_memory_equal(got, want, H);
    constat_merkle_leaf_hash("", 0, got);
    assert_int_equal(
        constat_unhex(json_string_value(json_object_get(extra, "leaf_hash_of_empty_leaf")), want,
                      H),
        CONSTAT_OK);
    assert_memory_equal(got, want, H);
    constat_merkle_leaf_hash("L123456", 7, got);
    assert_int_equal(
        constat_unhex(json_string_value(json_object_get(extra, "leaf_hash_of_L123456")), want, H),
        CONSTAT_OK);
    assert_memory_equal(got, want, H);
    /* node_hash_of_N123_N456 hashes 4-byte children, which our 32-byte API
     * cannot express; the node hash is checked through every root above. */
    json_decref(j);
    free(text);
}

static void test_node_hash_aliasing(void **state)
{
    uint8_t a[H], b[H], want[H], x[H];
    uint8_t msg[1 + 2 * H];
    (void)state;
    memset(a, 0xaa, H);
    memset(b, 0x55, H);
    msg[0] = 1;
    memcpy(msg + 1, a, H);
    memcpy(msg + 1 + H, b, H);
    constat_sha256(msg, sizeof msg, want);
    constat_merkle_node_hash(a, b, x);
    assert_memory_equal(x, want, H);
    memcpy(x, a, H);
    constat_merkle_node_hash(x, b, x);
    assert_memory_equal(x, want, H);
    memcpy(x, b, H);
    constat_merkle_node_hash(a, x, x);
    assert_memory_equal(x, want, H);
}

/* ---------------------------------------------------------------------- */
/* Real CT responses from Google's Argon2020 log */

static void b64_32(const char *b64, uint8_t out[H])
{
    assert_int_equal(tu_unbase64(b64, out, H), H);
}

static void proof_from_b64_array(json_t *a, constat_proof *p)
{
    size_t i;
    assert_true(json_is_array(a));
    assert_true(json_array_size(a) <= CONSTAT_PROOF_MAX_HASHES);
    p->n = json_array_size(a);
    for (i = 0; i < p->n; i++)
        b64_32(json_string_value(json_array_get(a, i)), p->hash[i]);
}

static void sth_root(uint64_t *size, uint8_t root[H])
{
    char *text = tu_read_vector("merkle/ct-argon2020/get-sth.json", NULL);
    json_t *j = load_json(text, "get-sth.json");
    assert_true(raw_u64(text, "tree_size", size, "get-sth.json"));
    b64_32(json_string_value(json_object_get(j, "sha256_root_hash")), root);
    json_decref(j);
    free(text);
}

static void test_ct_argon2020_inclusion(void **state)
{
    char *text = tu_read_vector("merkle/ct-argon2020/get-entries-start-10000-end-10000.json",
                                NULL);
    json_t *j = load_json(text, "get-entries");
    const char *b64 = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "entries"), 0), "leaf_input"));
    size_t cap, n = 0;
    uint8_t *leaf, leaf_hash[H], want_hash[H], root[H];
    uint64_t size, idx = 0;
    char *ptext;
    json_t *pj;
    constat_proof proof;
    constat_error err;
    (void)state;

    assert_non_null(b64);
    cap = strlen(b64);
    leaf = malloc(cap);
    assert_non_null(leaf);
    assert_int_equal(constat_unbase64(b64, strlen(b64), leaf, cap, &n), CONSTAT_OK);
    constat_merkle_leaf_hash(leaf, n, leaf_hash);
    /* The proof was fetched by this hash (URL-encoded in the file name). */
    b64_32("nCs3mfIydh9x4CKyQ+u2xtmpxmFggA5MLymHwNQSlLg=", want_hash);
    assert_memory_equal(leaf_hash, want_hash, H);

    sth_root(&size, root);
    assert_int_equal(size, 961984011);
    ptext = tu_read_vector("merkle/ct-argon2020/get-proof-by-hash-tree-size-961984011-hash-"
                           "nCs3mfIydh9x4CKyQ-2Bu2xtmpxmFggA5MLymHwNQSlLg-3D.json",
                           NULL);
    pj = load_json(ptext, "get-proof-by-hash");
    assert_true(raw_u64(ptext, "leaf_index", &idx, "get-proof-by-hash"));
    assert_int_equal(idx, 10000);
    proof_from_b64_array(json_object_get(pj, "audit_path"), &proof);
    assert_int_equal(proof.n, 30);

    assert_int_equal(constat_merkle_verify_inclusion(idx, size, leaf_hash, &proof, root, &err),
                     CONSTAT_OK);
    /* Tampering: each proof hash, the leaf, the index, the size, the root. */
    for (size_t i = 0; i < proof.n; i++) {
        proof.hash[i][i % H] ^= 0x01;
        assert_int_equal(
            constat_merkle_verify_inclusion(idx, size, leaf_hash, &proof, root, &err),
            CONSTAT_EVERIFY);
        proof.hash[i][i % H] ^= 0x01;
    }
    leaf_hash[0] ^= 0x80;
    assert_int_equal(constat_merkle_verify_inclusion(idx, size, leaf_hash, &proof, root, &err),
                     CONSTAT_EVERIFY);
    leaf_hash[0] ^= 0x80;
    assert_int_not_equal(
        constat_merkle_verify_inclusion(idx + 1, size, leaf_hash, &proof, root, &err),
        CONSTAT_OK);
    /* The proof does not bind the tree size where the path has the same
     * shape (size + 1 would verify: the signed tree head binds the size).
     * A size that changes the shape must fail. */
    assert_int_not_equal(
        constat_merkle_verify_inclusion(idx, 10001, leaf_hash, &proof, root, &err), CONSTAT_OK);
    assert_int_not_equal(
        constat_merkle_verify_inclusion(idx, size / 2, leaf_hash, &proof, root, &err),
        CONSTAT_OK);
    root[31] ^= 0x01;
    assert_int_equal(constat_merkle_verify_inclusion(idx, size, leaf_hash, &proof, root, &err),
                     CONSTAT_EVERIFY);
    assert_non_null(strstr(err.msg, "root differs"));

    json_decref(pj);
    free(ptext);
    free(leaf);
    json_decref(j);
    free(text);
}

static void test_ct_argon2020_consistency(void **state)
{
    char *text = tu_read_vector(
        "merkle/ct-argon2020/get-sth-consistency-first-3654490-second-961984011.json", NULL);
    json_t *j = load_json(text, "get-sth-consistency");
    uint8_t root1[H], root2[H];
    uint64_t size2;
    constat_proof proof;
    constat_error err;
    (void)state;

    sth_root(&size2, root2);
    /* Old root from azul crates/tlog_tiles/src/lib.rs (PROVENANCE.md). */
    b64_32("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=", root1);
    proof_from_b64_array(json_object_get(j, "consistency"), &proof);
    assert_int_equal(proof.n, 30);
    assert_int_equal(constat_merkle_verify_consistency(3654490, size2, root1, root2, &proof, &err),
                     CONSTAT_OK);
    for (size_t i = 0; i < proof.n; i++) {
        proof.hash[i][31 - i % H] ^= 0x40;
        assert_int_equal(
            constat_merkle_verify_consistency(3654490, size2, root1, root2, &proof, &err),
            CONSTAT_EVERIFY);
        proof.hash[i][31 - i % H] ^= 0x40;
    }
    root1[5] ^= 1;
    assert_int_equal(constat_merkle_verify_consistency(3654490, size2, root1, root2, &proof, &err),
                     CONSTAT_EVERIFY);
    assert_non_null(strstr(err.msg, "old root"));
    root1[5] ^= 1;
    assert_int_not_equal(
        constat_merkle_verify_consistency(3654491, size2, root1, root2, &proof, &err),
        CONSTAT_OK);
    proof.n--;
    assert_int_equal(constat_merkle_verify_consistency(3654490, size2, root1, root2, &proof, &err),
                     CONSTAT_EVERIFY);
    json_decref(j);
    free(text);
}

/* ---------------------------------------------------------------------- */
/* Round trips against the naive tree */

static void test_roots_1_to_1000(void **state)
{
    tree_reader r = {0};
    uint8_t got[H], want[H];
    uint64_t size;
    (void)state;
    r.t = g_tree;
    for (size = 0; size <= 1000; size++) {
        r.size = size;
        r.reads = 0;
        assert_int_equal(constat_merkle_root(tree_read, &r, size, got, NULL), CONSTAT_OK);
        naive_mth(0, size, want);
        assert_memory_equal(got, want, H);
        assert_int_equal(r.reads, (unsigned)__builtin_popcountll(size));
    }
}

static void test_inclusion_round_trip(void **state)
{
    tree_reader r = {0};
    uint64_t size;
    (void)state;
    r.t = g_tree;
    for (size = 1; size <= 1000; size++) {
        uint8_t root[H];
        int k;
        naive_mth(0, size, root);
        for (k = 0; k < 4; k++) {
            uint64_t idx = k == 0 ? 0 : k == 1 ? size - 1 : rnd() % size;
            constat_proof p, want = {0};
            constat_error err;
            unsigned bit;
            r.size = size;
            r.reads = 0;
            assert_int_equal(constat_merkle_prove_inclusion(tree_read, &r, idx, size, &p, &err),
                             CONSTAT_OK);
            assert_true(r.reads <= 2 * 11); /* O(log n): never leaf by leaf */
            naive_path(idx, 0, size, &want);
            assert_proof_eq(&p, &want);
            assert_int_equal(
                constat_merkle_verify_inclusion(idx, size, g_tree->leaf[idx], &p, root, &err),
                CONSTAT_OK);
            if (p.n > 0) {
                bit = (unsigned)(rnd() % (p.n * H * 8));
                p.hash[bit / (H * 8)][(bit / 8) % H] ^= (uint8_t)(1u << (bit % 8));
                assert_int_equal(
                    constat_merkle_verify_inclusion(idx, size, g_tree->leaf[idx], &p, root, &err),
                    CONSTAT_EVERIFY);
                p.hash[bit / (H * 8)][(bit / 8) % H] ^= (uint8_t)(1u << (bit % 8));
            }
            if (size > 1) {
                /* another leaf with this proof, or this leaf at another index */
                uint64_t other = (idx + 1) % size;
                assert_int_not_equal(constat_merkle_verify_inclusion(
                                         idx, size, g_tree->leaf[other], &p, root, &err),
                                     CONSTAT_OK);
                assert_int_not_equal(constat_merkle_verify_inclusion(
                                         other, size, g_tree->leaf[idx], &p, root, &err),
                                     CONSTAT_OK);
            }
        }
    }
}

static void check_consistency(uint64_t s1, uint64_t s2)
{
    tree_reader r = {0};
    constat_proof p, want = {0};
    constat_error err;
    uint8_t r1[H], r2[H];
    r.t = g_tree;
    r.size = s2;
    naive_mth(0, s1, r1);
    naive_mth(0, s2, r2);
    assert_int_equal(constat_merkle_prove_consistency(tree_read, &r, s1, s2, &p, &err),
                     CONSTAT_OK);
    assert_true(r.reads <= 2 * 11 + 1);
    if (s1 < s2)
        naive_subproof(s1, 0, s2, 1, &want);
    assert_proof_eq(&p, &want);
    if (constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err) != CONSTAT_OK)
        fail_msg("%llu -> %llu: %s", (unsigned long long)s1, (unsigned long long)s2, err.msg);
    if (p.n > 0) {
        unsigned bit = (unsigned)(rnd() % (p.n * H * 8));
        p.hash[bit / (H * 8)][(bit / 8) % H] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err),
                         CONSTAT_EVERIFY);
        p.hash[bit / (H * 8)][(bit / 8) % H] ^= (uint8_t)(1u << (bit % 8));
        /* dropping a hash, or one hash too many, fails */
        p.n--;
        assert_int_not_equal(constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err),
                             CONSTAT_OK);
        p.n += 2;
        memset(p.hash[p.n - 1], 0, H);
        assert_int_not_equal(constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err),
                             CONSTAT_OK);
        p.n--;
    }
    /* the wrong old root or new root fails */
    r1[0] ^= 1;
    assert_int_equal(constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err),
                     CONSTAT_EVERIFY);
    r1[0] ^= 1;
    r2[31] ^= 0x10;
    assert_int_equal(constat_merkle_verify_consistency(s1, s2, r1, r2, &p, &err),
                     CONSTAT_EVERIFY);
}

static void test_consistency_round_trip(void **state)
{
    uint64_t s1, s2;
    int k;
    (void)state;
    for (s2 = 1; s2 <= 70; s2++) /* every pair of small trees */
        for (s1 = 1; s1 <= s2; s1++)
            check_consistency(s1, s2);
    for (k = 0; k < 1500; k++) { /* random pairs up to 1000 */
        s2 = 1 + rnd() % 1000;
        s1 = 1 + rnd() % s2;
        check_consistency(s1, s2);
    }
}

/* Writer that checks every reported node against the naive tree and counts
 * reports per level. */
typedef struct {
    uint64_t reported;
    uint64_t expect_next_leaf;
    int fail_at_level; /* >= 0: fail when a node of this level is reported */
} node_log;

static constat_status log_write(void *ctx, unsigned level, uint64_t index,
                                const uint8_t hash[32], constat_error *err)
{
    node_log *lg = ctx;
    if ((int)level == lg->fail_at_level)
        return constat_error_set(err, CONSTAT_EIO, "test writer: injected failure");
    if (level > 10 || index >= g_tree->count[level])
        fail_msg("writer got node (%u, %llu) outside the test tree", level,
                 (unsigned long long)index);
    assert_memory_equal(hash, g_tree->level[level][index], H);
    if (level == 0) {
        assert_int_equal(index, lg->expect_next_leaf);
        lg->expect_next_leaf++;
    }
    lg->reported++;
    return CONSTAT_OK;
}

static void test_builder(void **state)
{
    constat_merkle_builder b;
    node_log lg = {0, 0, -1};
    tree_reader r = {0};
    uint8_t got[H], want[H];
    uint64_t i, start;
    constat_error err;
    (void)state;

    assert_int_equal(constat_merkle_builder_init(&b, 0, NULL, NULL, &err), CONSTAT_OK);
    constat_merkle_builder_root(&b, got);
    constat_merkle_empty_root(want);
    assert_memory_equal(got, want, H);
    for (i = 0; i < NAIVE_MAX; i++) {
        assert_int_equal(constat_merkle_builder_append(&b, g_tree->leaf[i], log_write, &lg, &err),
                         CONSTAT_OK);
        assert_int_equal(b.size, i + 1);
        constat_merkle_builder_root(&b, got);
        naive_mth(0, i + 1, want);
        assert_memory_equal(got, want, H);
    }
    /* a full tree of 1024 leaves has 2047 nodes, each reported once */
    assert_int_equal(lg.reported, 2 * NAIVE_MAX - 1);

    /* Resuming from a stored tree of any size gives the same roots and
     * reports exactly the nodes that appending the rest completes. */
    r.t = g_tree;
    for (start = 0; start <= 300; start += (start < 40 ? 1 : 37)) {
        node_log lg2 = {0, start, -1};
        r.size = start;
        r.reads = 0;
        assert_int_equal(constat_merkle_builder_init(&b, start, tree_read, &r, &err), CONSTAT_OK);
        assert_int_equal(r.reads, (unsigned)__builtin_popcountll(start));
        for (i = start; i < 512; i++)
            assert_int_equal(
                constat_merkle_builder_append(&b, g_tree->leaf[i], log_write, &lg2, &err),
                CONSTAT_OK);
        constat_merkle_builder_root(&b, got);
        naive_mth(0, 512, want);
        assert_memory_equal(got, want, H);
        /* nodes completed in (start, 512]: complete nodes of 512 minus those of start */
        {
            uint64_t before = 0, after = 0;
            unsigned l;
            for (l = 0; l < 11; l++) {
                before += start >> l;
                after += 512u >> l;
            }
            assert_int_equal(lg2.reported, after - before);
        }
    }
}

static void test_builder_writer_failure(void **state)
{
    constat_merkle_builder b, copy;
    node_log lg = {0, 0, -1};
    uint64_t i;
    uint8_t got[H], want[H];
    constat_error err;
    (void)state;

    assert_int_equal(constat_merkle_builder_init(&b, 0, NULL, NULL, &err), CONSTAT_OK);
    for (i = 0; i < 7; i++)
        assert_int_equal(constat_merkle_builder_append(&b, g_tree->leaf[i], log_write, &lg, &err),
                         CONSTAT_OK);
    /* leaf 7 completes nodes at levels 0..3; fail at level 2 */
    copy = b;
    lg.fail_at_level = 2;
    assert_int_equal(constat_merkle_builder_append(&b, g_tree->leaf[7], log_write, &lg, &err),
                     CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "injected"));
    assert_memory_equal(&b, &copy, sizeof b); /* unchanged: the append can be retried */
    lg.fail_at_level = -1;
    lg.expect_next_leaf = 7;
    assert_int_equal(constat_merkle_builder_append(&b, g_tree->leaf[7], log_write, &lg, &err),
                     CONSTAT_OK);
    constat_merkle_builder_root(&b, got);
    naive_mth(0, 8, want);
    assert_memory_equal(got, want, H);
}

/* ---------------------------------------------------------------------- */
/* Large trees, up to 2^64 - 1 leaves: every leaf has the same hash except a
 * few "special" ones, so node (l, i) is a per-level constant unless its
 * range holds a special leaf, and then it is computed from its children.
 * That is a genuine Merkle tree whose nodes cost O(64 * specials) each. */

#define MAX_SPECIAL 8

typedef struct {
    uint64_t size;
    unsigned reads;
    uint64_t special[MAX_SPECIAL];
    unsigned nspecial;
    uint8_t plain[64][H]; /* plain[l]: a level-l node with no special leaf */
} sparse_tree;

static void sparse_node(const sparse_tree *t, unsigned level, uint64_t index, uint8_t out[H])
{
    uint64_t lo = index << level, hi = lo + (((uint64_t)1 << level) - 1);
    unsigned s;
    int hit = 0;
    for (s = 0; s < t->nspecial; s++)
        if (t->special[s] >= lo && t->special[s] <= hi)
            hit = 1;
    if (!hit) {
        memcpy(out, t->plain[level], H);
    } else if (level == 0) {
        constat_merkle_leaf_hash(&index, sizeof index, out);
    } else {
        uint8_t l[H], r[H];
        sparse_node(t, level - 1, 2 * index, l);
        sparse_node(t, level - 1, 2 * index + 1, r);
        constat_merkle_node_hash(l, r, out);
    }
}

static constat_status sparse_read(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                  constat_error *err)
{
    sparse_tree *t = ctx;
    (void)err;
    t->reads++;
    if (level >= 64 || index >= (t->size >> level))
        fail_msg("sparse reader: node (%u, %llu) outside tree %llu", level,
                 (unsigned long long)index, (unsigned long long)t->size);
    sparse_node(t, level, index, out);
    return CONSTAT_OK;
}

static void test_large_trees(void **state)
{
    sparse_tree *t = calloc(1, sizeof *t);
    unsigned l;
    int k;
    (void)state;
    assert_non_null(t);
    constat_merkle_leaf_hash("plain", 5, t->plain[0]);
    for (l = 1; l < 64; l++)
        constat_merkle_node_hash(t->plain[l - 1], t->plain[l - 1], t->plain[l]);

    for (k = 0; k < 300; k++) {
        uint64_t size = k == 0 ? UINT64_MAX : k == 1 ? CONSTAT_LOG_MAX_SIZE
                                                    : (rnd() >> (rnd() % 64)) | 1;
        uint64_t idx = k == 0 ? UINT64_MAX - 1 : rnd() % size;
        uint64_t s1 = 1 + rnd() % size;
        uint8_t root[H], root1[H], leaf[H];
        constat_proof p;
        constat_error err;

        t->nspecial = 0;
        t->special[t->nspecial++] = idx;
        t->special[t->nspecial++] = s1 - 1; /* the old tree's last leaf */
        if (s1 < size)
            t->special[t->nspecial++] = s1; /* the new tree's first new leaf */
        t->special[t->nspecial++] = size - 1;
        t->special[t->nspecial++] = rnd() % size;

        t->size = size;
        assert_int_equal(constat_merkle_root(sparse_read, t, size, root, &err), CONSTAT_OK);
        sparse_node(t, 0, idx, leaf);
        t->reads = 0;
        assert_int_equal(constat_merkle_prove_inclusion(sparse_read, t, idx, size, &p, &err),
                         CONSTAT_OK);
        assert_true(t->reads <= 128);
        if (constat_merkle_verify_inclusion(idx, size, leaf, &p, root, &err) != CONSTAT_OK)
            fail_msg("inclusion %llu in %llu: %s", (unsigned long long)idx,
                     (unsigned long long)size, err.msg);
        leaf[3] ^= 4;
        assert_int_equal(constat_merkle_verify_inclusion(idx, size, leaf, &p, root, &err),
                         CONSTAT_EVERIFY);

        t->size = s1;
        assert_int_equal(constat_merkle_root(sparse_read, t, s1, root1, &err), CONSTAT_OK);
        t->size = size;
        t->reads = 0;
        assert_int_equal(constat_merkle_prove_consistency(sparse_read, t, s1, size, &p, &err),
                         CONSTAT_OK);
        assert_true(t->reads <= 129);
        if (constat_merkle_verify_consistency(s1, size, root1, root, &p, &err) != CONSTAT_OK)
            fail_msg("consistency %llu -> %llu: %s", (unsigned long long)s1,
                     (unsigned long long)size, err.msg);
        root1[0] ^= 1;
        assert_int_equal(constat_merkle_verify_consistency(s1, size, root1, root, &p, &err),
                         CONSTAT_EVERIFY);
    }
    free(t);
}

/* ---------------------------------------------------------------------- */
/* Limits and argument errors */

static void test_limits_and_errors(void **state)
{
    tree_reader r = {0};
    constat_proof p, big;
    constat_error err;
    uint8_t root[H], root2[H];
    constat_merkle_builder b;
    sparse_tree *sp = calloc(1, sizeof *sp);
    (void)state;

    r.t = g_tree;
    r.size = 100;
    naive_mth(0, 100, root);
    assert_int_equal(constat_merkle_prove_inclusion(tree_read, &r, 42, 100, &p, &err),
                     CONSTAT_OK);
    assert_int_equal(p.n, 7);
    /* one hash more than a tree of 100 leaves can have (bitlen(99) = 7) */
    p.n = 8;
    assert_int_equal(constat_merkle_verify_inclusion(42, 100, g_tree->leaf[42], &p, root, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "at most 7"));
    /* a proof claiming more hashes than the struct holds is refused before
     * any read past the array */
    memset(&big, 0, sizeof big);
    big.n = CONSTAT_PROOF_MAX_HASHES + 1;
    assert_int_equal(
        constat_merkle_verify_inclusion(42, UINT64_MAX, g_tree->leaf[42], &big, root, &err),
        CONSTAT_EINVAL);
    assert_int_equal(constat_merkle_verify_consistency(5, UINT64_MAX, root, root, &big, &err),
                     CONSTAT_EINVAL);
    big.n = CONSTAT_PROOF_MAX_HASHES; /* at the limit: bad length, not a crash */
    assert_int_equal(
        constat_merkle_verify_inclusion(42, UINT64_MAX, g_tree->leaf[42], &big, root, &err),
        CONSTAT_EVERIFY);
    /* index out of range */
    assert_int_equal(constat_merkle_verify_inclusion(100, 100, g_tree->leaf[0], &p, root, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_merkle_prove_inclusion(tree_read, &r, 100, 100, &p, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_merkle_prove_inclusion(tree_read, &r, 0, 0, &p, &err),
                     CONSTAT_EINVAL);
    /* consistency argument rules */
    assert_int_equal(constat_merkle_prove_consistency(tree_read, &r, 0, 10, &p, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_merkle_prove_consistency(tree_read, &r, 11, 10, &p, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_merkle_prove_consistency(tree_read, &r, 10, 10, &p, &err),
                     CONSTAT_OK);
    assert_int_equal(p.n, 0);
    naive_mth(0, 10, root2);
    assert_int_equal(constat_merkle_verify_consistency(10, 10, root2, root2, &p, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_merkle_verify_consistency(10, 10, root2, root, &p, &err),
                     CONSTAT_EVERIFY);
    p.n = 1;
    memcpy(p.hash[0], root2, H);
    assert_int_equal(constat_merkle_verify_consistency(10, 10, root2, root2, &p, &err),
                     CONSTAT_EVERIFY);
    assert_int_equal(constat_merkle_verify_consistency(11, 10, root2, root2, &p, &err),
                     CONSTAT_EINVAL);
    p.n = 0;
    assert_int_equal(constat_merkle_verify_consistency(0, 10, root2, root2, &p, &err),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_merkle_verify_consistency(3, 10, root2, root, &p, &err),
                     CONSTAT_EVERIFY); /* empty proof between different sizes */

    /* reader failures propagate with their message */
    r.fail_with = CONSTAT_EIO;
    assert_int_equal(constat_merkle_root(tree_read, &r, 100, root, &err), CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "injected"));
    assert_int_equal(constat_merkle_prove_inclusion(tree_read, &r, 3, 100, &p, &err),
                     CONSTAT_EIO);
    assert_int_equal(constat_merkle_prove_consistency(tree_read, &r, 3, 100, &p, &err),
                     CONSTAT_EIO);
    assert_int_equal(constat_merkle_builder_init(&b, 100, tree_read, &r, &err), CONSTAT_EIO);
    assert_int_equal(constat_merkle_builder_init(&b, 100, NULL, NULL, &err), CONSTAT_EINVAL);

    /* builder size limit, at and past CONSTAT_LOG_MAX_SIZE */
    assert_non_null(sp);
    sp->size = CONSTAT_LOG_MAX_SIZE;
    assert_int_equal(constat_merkle_builder_init(&b, CONSTAT_LOG_MAX_SIZE + 1, sparse_read, sp,
                                                 &err),
                     CONSTAT_ELIMIT);
    assert_int_equal(constat_merkle_builder_init(&b, CONSTAT_LOG_MAX_SIZE - 1, sparse_read, sp,
                                                 &err),
                     CONSTAT_OK);
    free(sp);
    assert_int_equal(constat_merkle_builder_append(&b, root, NULL, NULL, &err), CONSTAT_OK);
    assert_int_equal(b.size, CONSTAT_LOG_MAX_SIZE);
    assert_int_equal(constat_merkle_builder_append(&b, root, NULL, NULL, &err), CONSTAT_ELIMIT);
    assert_int_equal(b.size, CONSTAT_LOG_MAX_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_hash_aliasing),
        cmocka_unit_test(test_reference_tree),
        cmocka_unit_test(test_transparency_dev_inclusion),
        cmocka_unit_test(test_transparency_dev_consistency),
        cmocka_unit_test(test_empty_hash_is_rejected),
        cmocka_unit_test(test_ct_argon2020_inclusion),
        cmocka_unit_test(test_ct_argon2020_consistency),
        cmocka_unit_test(test_roots_1_to_1000),
        cmocka_unit_test(test_inclusion_round_trip),
        cmocka_unit_test(test_consistency_round_trip),
        cmocka_unit_test(test_builder),
        cmocka_unit_test(test_builder_writer_failure),
        cmocka_unit_test(test_large_trees),
        cmocka_unit_test(test_limits_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
