/* test_leaves_parsed.c — constat_vault_leaves_parsed (leaves_parsed.h):
 * over a simulated vault of more than two chunks, every thread count hands
 * over what a plain loop of constat_leaf_parse gives, leaf for leaf, in log
 * order; a stop is honoured at once and frees the rest; a leaf rewritten
 * out of canonical form reaches the callback as an error at its index. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/record/canon.h"
#include "constat/record/import.h"
#include "constat/vault/leaves_parsed.h"
#include "constat/vault/synthetic.h"
#include "constat/vault/vault.h"

#define NREC 9000 /* more than two chunks of 4096 leaves */

typedef struct {
    char **canon; /* canonical text of each leaf's record, by index */
    char (*kid)[64];
    size_t n, cap;
    uint64_t next;  /* the index expected next */
    size_t stop_at; /* stop after this many (0: never) */
    size_t bad;     /* leaves reported bad */
    uint64_t bad_index;
    char bad_msg[256];
} seen;

static char *canon_text(const json_t *rec)
{
    constat_buf b;
    constat_error err;
    constat_buf_init(&b);
    assert_int_equal(constat_canon(rec, &b, &err), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&b, "", 1), CONSTAT_OK);
    return (char *)constat_buf_detach(&b, NULL);
}

static void seen_add(seen *s, uint64_t index, const constat_leaf *l)
{
    assert_int_equal(index, s->next); /* log order, none missing */
    s->next++;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->canon = realloc(s->canon, s->cap * sizeof *s->canon);
        s->kid = realloc(s->kid, s->cap * sizeof *s->kid);
        assert_non_null(s->canon);
        assert_non_null(s->kid);
    }
    s->canon[s->n] = canon_text(l->record);
    snprintf(s->kid[s->n], sizeof s->kid[0], "%s", l->key_id);
    s->n++;
}

static void seen_free(seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->canon[i]);
    free(s->canon);
    free(s->kid);
    memset(s, 0, sizeof *s);
}

/* the reference: one leaf at a time, constat_leaf_parse in a plain loop */
static int plain_one(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    seen *s = ctx;
    constat_leaf l;
    constat_error err;
    assert_int_equal(constat_leaf_parse(leaf, len, &l, &err), CONSTAT_OK);
    seen_add(s, index, &l);
    constat_leaf_free(&l);
    return 0;
}

static int parsed_one(void *ctx, uint64_t index, constat_leaf *l, constat_status st,
                      const constat_error *e)
{
    seen *s = ctx;
    if (st != CONSTAT_OK) {
        assert_null(l->record);
        s->bad++;
        s->bad_index = index;
        snprintf(s->bad_msg, sizeof s->bad_msg, "%s", e->msg);
        s->next++;
        return 0;
    }
    seen_add(s, index, l);
    constat_leaf_free(l);
    return s->stop_at && s->n == s->stop_at;
}

static char *make_vault(void)
{
    char *dir = tu_tmpdir(), path[4096];
    constat_simulate_opts o;
    constat_simulate_summary sum;
    constat_taxonomy *tax = NULL;
    constat_countries *countries = NULL;
    constat_error err;

    snprintf(path, sizeof path, "%s/v", dir);
    memset(&o, 0, sizeof o);
    assert_int_equal(constat_taxonomy_load(CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json",
                                           &tax, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_countries_load(NULL, &countries, &err), CONSTAT_OK);
    o.records = NREC;
    o.seed = 5;
    o.now = 1767225600; /* 2026-01-01 */
    o.templates_csv = CONSTAT_SOURCE_DIR "/data/demo/incidents_public.csv";
    o.tax = tax;
    o.countries = countries;
    if (constat_simulate(path, &o, &sum, &err) != CONSTAT_OK)
        fail_msg("simulate: %s", err.msg);
    constat_countries_free(countries);
    constat_taxonomy_free(tax);
    free(dir);
    return strdup(path);
}

static void test_same_as_plain_loop(void **state)
{
    char *dir = make_vault();
    constat_vault *v = NULL;
    constat_error err;
    seen ref = {0};
    static const int threads[] = {1, 2, 3, 0};
    uint64_t size;

    (void)state;
    assert_int_equal(constat_vault_open_public(dir, &v, &err), CONSTAT_OK);
    size = constat_vault_size(v);
    assert_true(size > NREC); /* the records and the monitors' enrolments */
    assert_int_equal(constat_vault_leaves(v, 0, size, plain_one, &ref, &err), CONSTAT_OK);
    assert_int_equal(ref.n, size);
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        seen s = {0};
        assert_int_equal(
            constat_vault_leaves_parsed(v, 0, size, threads[t], parsed_one, &s, &err),
            CONSTAT_OK);
        assert_int_equal(s.n, ref.n);
        assert_int_equal(s.bad, 0);
        for (size_t i = 0; i < s.n; i++) {
            assert_string_equal(s.canon[i], ref.canon[i]);
            assert_string_equal(s.kid[i], ref.kid[i]);
        }
        seen_free(&s);
    }
    /* a range inside the log starts at its first index */
    {
        seen s = {0};
        s.next = 4000;
        assert_int_equal(constat_vault_leaves_parsed(v, 4000, 4100, 2, parsed_one, &s, &err),
                         CONSTAT_OK);
        assert_int_equal(s.n, 100);
        assert_string_equal(s.canon[0], ref.canon[4000]);
        assert_string_equal(s.canon[99], ref.canon[4099]);
        seen_free(&s);
    }
    /* a stop inside the second chunk: nothing after it is handed over */
    {
        seen s = {0};
        s.stop_at = 5000;
        assert_int_equal(constat_vault_leaves_parsed(v, 0, size, 2, parsed_one, &s, &err),
                         CONSTAT_OK);
        assert_int_equal(s.n, 5000);
        assert_int_equal(s.next, 5000);
        seen_free(&s);
    }
    assert_int_equal(constat_vault_leaves_parsed(v, 0, size, 2, NULL, NULL, &err),
                     CONSTAT_EINVAL);
    constat_vault_close(v);

    /* leaf 6000 rewritten with a space after its first brace: no longer
     * canonical; the callback hears of it at its index, the others pass */
    {
        seen s = {0};
        constat_buf leaf, bent;
        constat_buf_init(&leaf);
        constat_buf_init(&bent);
        assert_int_equal(constat_vault_open_public(dir, &v, &err), CONSTAT_OK);
        assert_int_equal(constat_vault_leaf(v, 6000, &leaf, &err), CONSTAT_OK);
        constat_vault_close(v);
        assert_int_equal(leaf.data[0], '{');
        assert_int_equal(constat_buf_append(&bent, "{ ", 2), CONSTAT_OK);
        assert_int_equal(constat_buf_append(&bent, leaf.data + 1, leaf.len - 1), CONSTAT_OK);
        tu_vault_sql(dir, "UPDATE leaves SET leaf = ?1 WHERE idx = 6000", bent.data, bent.len);
        constat_buf_free(&leaf);
        constat_buf_free(&bent);
        assert_int_equal(constat_vault_open_public(dir, &v, &err), CONSTAT_OK);
        assert_int_equal(constat_vault_leaves_parsed(v, 0, size, 2, parsed_one, &s, &err),
                         CONSTAT_OK);
        assert_int_equal(s.bad, 1);
        assert_int_equal(s.bad_index, 6000);
        assert_non_null(strstr(s.bad_msg, "canonical"));
        assert_int_equal(s.n, size - 1);
        assert_string_equal(s.canon[5999], ref.canon[5999]);
        assert_string_equal(s.canon[6000], ref.canon[6001]);
        seen_free(&s);
        constat_vault_close(v);
    }
    seen_free(&ref);
    {
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", dir);
        *strrchr(parent, '/') = 0;
        tu_rmrf(parent);
    }
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_plain_loop),
    };
    assert_int_equal(constat_init(), CONSTAT_OK);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
