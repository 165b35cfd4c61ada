/* verify_failures.h — for the unit tests of key life cycles
 * (test_keylife.c, test_keyrot.c): a vault with monitor alice enrolled, the
 * failures `constat verify VAULT` reports, collected, and an append of one
 * record signed by a given key. */
#ifndef CONSTAT_TEST_VERIFY_FAILURES_H
#define CONSTAT_TEST_VERIFY_FAILURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/vault/keylife.h"
#include "constat/vault/vault.h"

#define ORG "calais-watch.example"
#define ORIGIN "calais-watch.example/log"
/* 2026-11-29T10:00:00Z */
#define T 1795946400

static int setup(void **state)
{
    (void)state;
    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_init(), CONSTAT_OK);
    return 0;
}

/* A fresh vault in parent/v with alice enrolled at T - 1 h: `old` is her
 * key, `org0` the (first) organisation key and `org0_kid` its key id. */
typedef struct {
    char *parent, dir[600];
    constat_vault *v;
    constat_note_signer old, org0;
    char org0_kid[128];
} fixture;

static void fx_new(fixture *f)
{
    constat_error err;
    memset(f, 0, sizeof *f);
    f->parent = tu_tmpdir();
    snprintf(f->dir, sizeof f->dir, "%s/v", f->parent);
    if (constat_vault_create(f->dir, ORG, ORIGIN, NULL, &err) != CONSTAT_OK ||
        constat_vault_open(f->dir, NULL, &f->v, &err) != CONSTAT_OK ||
        constat_vault_monitor_add(f->v, "alice", T - 3600, NULL, &err) != CONSTAT_OK ||
        constat_vault_monitor_key(f->v, "alice", &f->old, &err) != CONSTAT_OK)
        fail_msg("fixture: %s", err.msg);
    f->org0 = *constat_vault_org_key(f->v);
    constat_record_key_id(&f->org0.pub, f->org0_kid, sizeof f->org0_kid);
}

static void fx_free(fixture *f)
{
    constat_vault_close(f->v);
    constat_note_signer_wipe(&f->old);
    constat_note_signer_wipe(&f->org0);
    tu_rmrf(f->parent);
    free(f->parent);
}

typedef struct {
    int n;
    int64_t idx[8];
    char msg[8][1024];
} failures;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    failures *fl = ctx;
    if (fl->n < 8) {
        fl->idx[fl->n] = index;
        snprintf(fl->msg[fl->n], sizeof fl->msg[fl->n], "%s", msg);
    }
    fl->n++;
}

/* Both checks `constat verify VAULT` runs; the number of failures. */
static int tu_verify_all(constat_vault *v, failures *fl)
{
    constat_error err;
    size_t n = 0;
    memset(fl, 0, sizeof *fl);
    if (constat_vault_verify(v, on_fail, fl, &err) != CONSTAT_OK && fl->n == 0)
        fail_msg("verify: %s", err.msg);
    assert_int_equal(constat_vault_verify_revocations(v, on_fail, fl, &n, &err), CONSTAT_OK);
    return fl->n;
}

/* Sign `rec` (record id `id`, kind `kind`) with `signer` and append it to
 * `v`; its leaf. Fails the test on any error. */
static uint64_t tu_append_signed(constat_vault *v, const json_t *rec, const char *id,
                                 const char *kind, const constat_note_signer *signer)
{
    constat_error err;
    constat_buf leaf;
    constat_append_item item;
    uint64_t idx = 0;

    constat_buf_init(&leaf);
    memset(&item, 0, sizeof item);
    assert_int_equal(constat_record_sign(rec, signer, &leaf, &err), CONSTAT_OK);
    assert_int_equal(constat_record_content_hash(rec, item.content_hash, &err), CONSTAT_OK);
    item.leaf = leaf.data;
    item.leaf_len = leaf.len;
    item.record_id = id;
    item.kind = kind;
    if (constat_vault_append(v, &item, 1, &idx, NULL, NULL, NULL, NULL, &err) != CONSTAT_OK)
        fail_msg("append %s: %s", id, err.msg);
    constat_buf_free(&leaf);
    return idx;
}

#endif
