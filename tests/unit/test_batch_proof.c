/* test_batch_proof.c — inclusion proofs of an appended batch from memory
 * (log/batch_proof.h) against the RFC 9162 2.1.3.1 definition written out
 * here recursively (MTH and PATH over the whole leaf list), for every batch
 * [first, first + n) of trees up to 70 leaves; each proof also verifies
 * against the root of constat_merkle_builder. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/base/limits.h"
#include "constat/log/batch_proof.h"

#define H CONSTAT_HASH_SIZE
#define MAXL 70

static uint8_t leaf[MAXL][H];

/* RFC 9162 2.1.1: MTH(D[lo:hi]) */
static void mth(uint64_t lo, uint64_t hi, uint8_t out[H])
{
    uint64_t k = 1;
    uint8_t a[H], b[H];
    if (hi - lo == 1) {
        memcpy(out, leaf[lo], H);
        return;
    }
    while (k * 2 < hi - lo)
        k *= 2; /* the largest power of two smaller than hi - lo */
    mth(lo, lo + k, a);
    mth(lo + k, hi, b);
    constat_merkle_node_hash(a, b, out);
}

/* RFC 9162 2.1.3.1: PATH(m, D[lo:hi]), leaf side first */
static void path(uint64_t m, uint64_t lo, uint64_t hi, constat_proof *p)
{
    uint64_t k = 1;
    if (hi - lo == 1)
        return;
    while (k * 2 < hi - lo)
        k *= 2;
    if (m < k) {
        path(m, lo, lo + k, p);
        mth(lo + k, hi, p->hash[p->n++]);
    } else {
        path(m - k, lo + k, hi, p);
        mth(lo, lo + k, p->hash[p->n++]);
    }
}

static void test_every_batch(void **state)
{
    (void)state;
    for (unsigned i = 0; i < MAXL; i++) {
        char d[16];
        int len = snprintf(d, sizeof d, "leaf %u", i);
        constat_merkle_leaf_hash(d, (size_t)len, leaf[i]);
    }
    for (uint64_t first = 0; first < MAXL; first++)
        for (uint64_t n = 1; first + n <= MAXL; n++) {
            constat_merkle_builder start, end;
            constat_batch_tree t;
            constat_error err;
            uint8_t root[H], want[H];
            assert_int_equal(constat_merkle_builder_init(&start, 0, NULL, NULL, &err),
                             CONSTAT_OK);
            for (uint64_t i = 0; i < first; i++)
                assert_int_equal(constat_merkle_builder_append(&start, leaf[i], NULL, NULL, &err),
                                 CONSTAT_OK);
            end = start;
            for (uint64_t i = first; i < first + n; i++)
                assert_int_equal(constat_merkle_builder_append(&end, leaf[i], NULL, NULL, &err),
                                 CONSTAT_OK);
            constat_merkle_builder_root(&end, want);
            assert_int_equal(constat_batch_tree_build(&t, &start,
                                                      (const uint8_t(*)[H])leaf[first], n, &err),
                             CONSTAT_OK);
            assert_int_equal(constat_batch_tree_root(&t, root, &err), CONSTAT_OK);
            assert_memory_equal(root, want, H);
            mth(0, first + n, root);
            assert_memory_equal(root, want, H);
            for (uint64_t m = first; m < first + n; m++) {
                constat_proof got, ref;
                memset(&ref, 0, sizeof ref);
                path(m, 0, first + n, &ref);
                assert_int_equal(constat_batch_tree_prove(&t, m, &got, &err), CONSTAT_OK);
                assert_int_equal(got.n, ref.n);
                assert_memory_equal(got.hash, ref.hash, ref.n * H);
                assert_int_equal(
                    constat_merkle_verify_inclusion(m, first + n, leaf[m], &got, want, &err),
                    CONSTAT_OK);
            }
            /* leaves outside the batch are refused, not proved wrongly */
            {
                constat_proof p;
                if (first > 0)
                    assert_int_equal(constat_batch_tree_prove(&t, first - 1, &p, &err),
                                     CONSTAT_EINVAL);
                assert_int_equal(constat_batch_tree_prove(&t, first + n, &p, &err),
                                 CONSTAT_EINVAL);
            }
            constat_batch_tree_free(&t);
        }
}

static void test_errors(void **state)
{
    constat_merkle_builder start;
    constat_batch_tree t;
    constat_error err;
    (void)state;
    memset(&start, 0, sizeof start);
    assert_int_equal(constat_batch_tree_build(&t, &start, (const uint8_t(*)[H])leaf, 0, &err),
                     CONSTAT_EINVAL);
    constat_batch_tree_free(&t);
    start.size = CONSTAT_LOG_MAX_SIZE;
    assert_int_equal(constat_batch_tree_build(&t, &start, (const uint8_t(*)[H])leaf, 1, &err),
                     CONSTAT_ELIMIT);
    constat_batch_tree_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_batch),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
