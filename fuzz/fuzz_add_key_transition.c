/* fuzz_add_key_transition.c — arbitrary bytes as a body of constat's POST
 * /constat/add-key-transition (witness.h): the strict parser (a body it
 * accepts formats back to the same bytes), then the witness decision on a
 * scratch vault witnessing a log of two leaves (leaf 1 a transition of its
 * log key, made with fixed keys, so that a seed can carry a valid one). The
 * checkpoint part is used as received, and, when its text is a checkpoint
 * of that log, re-signed with the log's new key, so the transition, proof,
 * rekey and cosignature paths run too. CONSTAT_FUZZ_SEED_OUT=FILE writes the
 * valid request (the seed corpus's `valid`). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/constat.h"
#include "constat/record/canon.h"
#include "constat/vault/keychain.h"
#include "constat/witness/witness.h"
#include "vault/store.h"

#define ORIGIN "fuzz.example/log"

static char g_dir[64];
static constat_vault *g_vault;
static constat_note_signer g_wit, g_old, g_new;
static char g_old_vkey[600];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static void cleanup(void)
{
    constat_vault_close(g_vault);
    if (g_dir[0])
        nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The log: leaf 0 "leaf zero", leaf 1 the transition g_old -> g_new; the
 * valid request from size 0 to the checkpoint of size 2 signed by g_new. */
static void valid_request(constat_buf *body)
{
    static const char zero[] = "leaf zero";
    char nvk[600], okid[160], sig64[100];
    uint8_t sig[64], l0[32], l1[32], root[32];
    constat_buf msg, leaf, cpb, note;
    constat_proof incl;
    uint64_t idx = 1;
    const char *lp;
    size_t ll;
    json_t *rec;

    if (constat_note_verifier_format(&g_new.pub, nvk, sizeof nvk) != CONSTAT_OK)
        abort();
    constat_record_key_id(&g_old.pub, okid, sizeof okid);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "key_transition", "id", "transition-0000000000000000", "org",
                    "fuzz.example", "monitor", ORIGIN, "key", "log", "retires", okid,
                    "old_vkey", g_old_vkey, "vkey", nvk, "reason", "fuzz", "recorded_at",
                    "2026-11-29T10:00:00Z");
    constat_buf_init(&msg);
    constat_buf_init(&leaf);
    constat_buf_init(&cpb);
    constat_buf_init(&note);
    if (!rec || constat_transition_message(rec, &msg, NULL) != CONSTAT_OK)
        abort();
    crypto_sign_detached(sig, NULL, msg.data, msg.len, g_new.sk);
    constat_base64(sig, sizeof sig, sig64);
    json_object_set_new(rec, "new_signature", json_string(sig64));
    if (constat_record_sign(rec, &g_old, &leaf, NULL) != CONSTAT_OK)
        abort();
    constat_merkle_leaf_hash(zero, sizeof zero - 1, l0);
    constat_merkle_leaf_hash(leaf.data, leaf.len, l1);
    constat_merkle_node_hash(l0, l1, root);
    incl.n = 1;
    memcpy(incl.hash[0], l0, 32);
    if (constat_checkpoint_format(ORIGIN, 2, root, &cpb, NULL) != CONSTAT_OK ||
        constat_note_sign((const char *)cpb.data, cpb.len, &g_new, 1, &note, NULL) !=
            CONSTAT_OK)
        abort();
    lp = (const char *)leaf.data;
    ll = leaf.len;
    if (constat_witness_transition_request_format(0, NULL, 1, &idx, &lp, &ll, &incl,
                                                  (const char *)note.data, note.len, body) !=
        CONSTAT_OK)
        abort();
    json_decref(rec);
    constat_buf_free(&msg);
    constat_buf_free(&leaf);
    constat_buf_free(&cpb);
    constat_buf_free(&note);
}

static void setup(void)
{
    static const uint8_t s_old[32] = {1}, s_new[32] = {2};
    char vdir[96];
    const char *out = getenv("CONSTAT_FUZZ_SEED_OUT");

    if (constat_init() != CONSTAT_OK)
        abort();
    snprintf(g_dir, sizeof g_dir, "/tmp/fuzz_add_key_transition.XXXXXX");
    if (!mkdtemp(g_dir))
        abort();
    snprintf(vdir, sizeof vdir, "%s/w", g_dir);
    if (constat_note_signer_from_seed(ORIGIN, CONSTAT_NOTE_ALG_ED25519, s_old, &g_old, NULL) !=
            CONSTAT_OK ||
        constat_note_signer_from_seed(ORIGIN, CONSTAT_NOTE_ALG_ED25519, s_new, &g_new, NULL) !=
            CONSTAT_OK ||
        constat_note_verifier_format(&g_old.pub, g_old_vkey, sizeof g_old_vkey) != CONSTAT_OK ||
        constat_vault_create(vdir, "wit.example", "wit.example/log", NULL, NULL) !=
            CONSTAT_OK ||
        constat_vault_open(vdir, NULL, &g_vault, NULL) != CONSTAT_OK ||
        constat_vault_witness_key(g_vault, 1, &g_wit, NULL) != CONSTAT_OK ||
        constat_witness_log_add(g_vault, ORIGIN, g_old_vkey, 0, NULL) != CONSTAT_OK)
        abort();
    atexit(cleanup);
    if (out) {
        constat_buf b;
        FILE *f = fopen(out, "wb");
        constat_buf_init(&b);
        valid_request(&b);
        if (!f || fwrite(b.data, 1, b.len, f) != b.len)
            abort();
        fclose(f);
        constat_buf_free(&b);
    }
}

static void decide(const constat_witness_transition_request *rq, const char *body, size_t len)
{
    constat_witness_outcome res;
    constat_error err;
    constat_buf out;
    constat_status st;

    constat_buf_init(&out);
    st = constat_witness_add_checkpoint_transition(g_vault, &g_wit, rq, body, len, 1764410000u,
                                                   &out, &res, &err);
    if ((st == CONSTAT_OK) != (res.http == 200))
        abort();
    if (res.http != 200 && res.http != 400 && res.http != 403 && res.http != 404 &&
        res.http != 409 && res.http != 422)
        abort();
    if ((st == CONSTAT_OK) != (out.len > 0))
        abort();
    if (st == CONSTAT_OK) {
        /* pinned to the new key now: back to the old one for the next
         * input, so that transitions stay meaningful (the state stays) */
        constat_store *s = constat_vault_store(g_vault);
        if (constat_store_begin(s, &err) != CONSTAT_OK ||
            constat_store_witness_log_rekey(s, ORIGIN, g_old_vkey, &err) != CONSTAT_OK ||
            constat_store_commit(s, &err) != CONSTAT_OK)
            abort();
    }
    constat_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    constat_witness_transition_request *rq;
    constat_error err;
    constat_buf again, resigned;
    constat_checkpoint cp;
    const char *in = (const char *)data;
    const char *lp[CONSTAT_WITNESS_MAX_TRANSITIONS];
    size_t ll[CONSTAT_WITNESS_MAX_TRANSITIONS];
    uint64_t idx[CONSTAT_WITNESS_MAX_TRANSITIONS];
    constat_proof *incl;

    if (!g_vault)
        setup();
    rq = malloc(sizeof *rq);
    incl = malloc(sizeof *incl * CONSTAT_WITNESS_MAX_TRANSITIONS);
    if (!rq || !incl)
        abort();
    if (constat_witness_transition_request_parse(in, size, rq, &err) != CONSTAT_OK) {
        free(rq);
        free(incl);
        return 0;
    }
    if (rq->n == 0 || rq->n > CONSTAT_WITNESS_MAX_TRANSITIONS || rq->base.note_off == 0 ||
        rq->base.note_off >= size || rq->base.proof.n > CONSTAT_WITNESS_MAX_PROOF)
        abort();
    for (size_t i = 0; i < rq->n; i++) {
        const constat_witness_transition *t = &rq->t[i];
        if (t->leaf_len == 0 || t->leaf_off + t->leaf_len > rq->base.note_off ||
            t->proof.n > CONSTAT_WITNESS_MAX_PROOF)
            abort();
        lp[i] = in + t->leaf_off;
        ll[i] = t->leaf_len;
        idx[i] = t->index;
        incl[i] = t->proof;
    }
    /* a body the parser accepts formats back to the same bytes */
    constat_buf_init(&again);
    if (constat_witness_transition_request_format(rq->base.old_size, &rq->base.proof, rq->n, idx,
                                                  lp, ll, incl, in + rq->base.note_off,
                                                  size - rq->base.note_off,
                                                  &again) != CONSTAT_OK ||
        again.len != size || memcmp(again.data, data, size) != 0)
        abort();

    decide(rq, in, size);

    /* the same with the checkpoint signed by the log's new key */
    constat_buf_init(&resigned);
    if (constat_checkpoint_parse(in + rq->base.note_off, size - rq->base.note_off, &cp, &err) ==
            CONSTAT_OK &&
        strcmp(cp.origin, ORIGIN) == 0 &&
        constat_note_sign(in + rq->base.note_off, size - rq->base.note_off, &g_new, 1, &resigned,
                          &err) == CONSTAT_OK) {
        size_t nl = rq->base.note_off + resigned.len;
        char *b2 = malloc(nl);
        if (!b2)
            abort();
        memcpy(b2, in, rq->base.note_off);
        memcpy(b2 + rq->base.note_off, resigned.data, resigned.len);
        decide(rq, b2, nl);
        free(b2);
    }
    constat_buf_free(&resigned);
    constat_buf_free(&again);
    free(incl);
    free(rq);
    return 0;
}
