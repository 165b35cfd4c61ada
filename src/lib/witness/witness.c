/*
 * witness.c — C2SP tlog-witness add-checkpoint as one library function, plus
 * the request body parser and the witness tables (docs/witness.md).
 *
 * Why one BEGIN IMMEDIATE transaction around read-check-update: tlog-witness
 * warns that checking the old size and persisting the new checkpoint must be
 * atomic, or two requests can roll the witness back. The write lock is taken
 * before the stored size is read, so a concurrent `constat witness cosign`
 * in another process and the HTTP server serialize on the database.
 *
 * Why alerts are committed even though the request fails: the refused
 * checkpoint is signed by the log, so together with the one cosigned before
 * it is evidence a third party can check; losing it with the rollback of a
 * failed request would throw the evidence away.
 *
 * The witness tables are read and written through the store interface
 * (vault/store.h, constat_store_witness_*); store_sqlite.c creates them with
 * the rest of the schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/witness/witness.h"
#include "constat/base/limits.h"
#include "constat/vault/keychain.h"
#include "vault/store.h"
#include "base/text.h"

/* ---- request body ---- */

constat_status constat_witness_request_parse(const char *body, size_t len,
                                             constat_witness_request *out, constat_error *err)
{
    size_t pos = 0, line = 1;
    const char *nl;

    if (!body || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "add-checkpoint: no body");
    memset(out, 0, sizeof *out);
    if (len > CONSTAT_WITNESS_BODY_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "add-checkpoint: body of %zu bytes exceeds %u", len,
                                 CONSTAT_WITNESS_BODY_MAX);
    nl = memchr(body, '\n', len);
    if (!nl)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "add-checkpoint line 1: no newline after the old size line");
    if ((size_t)(nl - body) < 4 || memcmp(body, "old ", 4) != 0 ||
        !constat_decimal_u64(body + 4, (size_t)(nl - body) - 4, &out->old_size))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "add-checkpoint line 1: want \"old N\" with N a decimal "
                                 "without leading zeros");
    pos = (size_t)(nl - body) + 1;
    for (;;) {
        size_t ll, got = 0;
        line++;
        nl = pos < len ? memchr(body + pos, '\n', len - pos) : NULL;
        if (!nl)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "add-checkpoint line %zu: body ends before the empty line "
                                     "that precedes the checkpoint",
                                     line);
        ll = (size_t)(nl - (body + pos));
        if (ll == 0) {
            pos++;
            break;
        }
        if (out->proof.n == CONSTAT_WITNESS_MAX_PROOF)
            return constat_error_set(err, CONSTAT_ELIMIT,
                                     "add-checkpoint line %zu: more than %d proof lines", line,
                                     CONSTAT_WITNESS_MAX_PROOF);
        if (ll != 44 || constat_unbase64(body + pos, ll, out->proof.hash[out->proof.n], 32,
                                         &got) != CONSTAT_OK ||
            got != 32)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "add-checkpoint line %zu: a proof line must be one "
                                     "32-byte hash in canonical base64",
                                     line);
        out->proof.n++;
        pos += ll + 1;
    }
    if (pos >= len)
        return constat_error_set(err, CONSTAT_EINVAL, "add-checkpoint: no checkpoint after "
                                                      "the empty line");
    out->note_off = pos;
    return CONSTAT_OK;
}

/* The first n hashes of `proof`, one base64 line each, then the empty
 * line that ends them (C2SP tlog-witness request bodies). */
static constat_status proof_lines(constat_buf *out, const constat_proof *proof, size_t n)
{
    constat_status st = CONSTAT_OK;
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++) {
        char b64[48];
        constat_base64(proof->hash[i], 32, b64);
        st = constat_buf_printf(out, "%s\n", b64);
    }
    return st == CONSTAT_OK ? constat_buf_append(out, "\n", 1) : st;
}

constat_status constat_witness_request_format(uint64_t old_size, const constat_proof *proof,
                                              const char *note, size_t len, constat_buf *out)
{
    size_t n = proof ? proof->n : 0;
    size_t mark;
    constat_status st;

    if (!out || !note || len == 0 || n > CONSTAT_WITNESS_MAX_PROOF)
        return CONSTAT_EINVAL;
    mark = out->len;
    st = constat_buf_printf(out, "old %llu\n", (unsigned long long)old_size);
    if (st == CONSTAT_OK)
        st = proof_lines(out, proof, n);
    if (st == CONSTAT_OK)
        st = constat_buf_append(out, note, len);
    if (st != CONSTAT_OK) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
    }
    return st;
}

/* ---- add-key-transition body (witness.h) ---- */

/* Proof lines from body[*pos] up to and including the empty line that ends
 * them; *line counts lines. */
static constat_status proof_block(const char *body, size_t len, size_t *pos, size_t *line,
                                  constat_proof *p, constat_error *err)
{
    p->n = 0;
    for (;;) {
        const char *nl = *pos < len ? memchr(body + *pos, '\n', len - *pos) : NULL;
        size_t ll, got = 0;
        (*line)++;
        if (!nl)
            return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition line %zu: body "
                                     "ends before the empty line that ends a proof", *line);
        ll = (size_t)(nl - (body + *pos));
        if (ll == 0) {
            (*pos)++;
            return CONSTAT_OK;
        }
        if (p->n == CONSTAT_WITNESS_MAX_PROOF)
            return constat_error_set(err, CONSTAT_ELIMIT, "add-key-transition line %zu: more "
                                     "than %d proof lines", *line, CONSTAT_WITNESS_MAX_PROOF);
        if (ll != 44 || constat_unbase64(body + *pos, ll, p->hash[p->n], 32, &got) !=
                            CONSTAT_OK ||
            got != 32)
            return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition line %zu: a "
                                     "proof line must be one 32-byte hash in canonical base64",
                                     *line);
        p->n++;
        *pos += ll + 1;
    }
}

constat_status constat_witness_transition_request_parse(const char *body, size_t len,
                                                        constat_witness_transition_request *out,
                                                        constat_error *err)
{
    static const char head[] = "key-transitions ";
    static const char tr[] = "transition ";
    size_t pos, line = 1, k;
    uint64_t n = 0;
    const char *nl;
    constat_status st;

    if (!body || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition: no body");
    memset(out, 0, sizeof *out);
    if (len > CONSTAT_WITNESS_BODY_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT, "add-key-transition: body of %zu bytes "
                                 "exceeds %u", len, CONSTAT_WITNESS_BODY_MAX);
    nl = memchr(body, '\n', len);
    if (!nl || (size_t)(nl - body) <= sizeof head - 1 ||
        memcmp(body, head, sizeof head - 1) != 0 ||
        !constat_decimal_u64(body + sizeof head - 1, (size_t)(nl - body) - (sizeof head - 1),
                             &n) ||
        n == 0 || n > CONSTAT_WITNESS_MAX_TRANSITIONS)
        return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition line 1: want "
                                 "\"key-transitions K\" with K from 1 to %d",
                                 CONSTAT_WITNESS_MAX_TRANSITIONS);
    pos = (size_t)(nl - body) + 1;
    /* "old N", the consistency proof and its empty line, as add-checkpoint */
    st = constat_witness_request_parse(body + pos, len - pos, &out->base, err);
    if (st != CONSTAT_OK)
        return constat_error_prefix(err, "add-key-transition (from line 2): ");
    line = 2 + 1 + out->base.proof.n;
    pos += out->base.note_off;
    out->base.note_off = 0;
    for (k = 0; k < n; k++) {
        constat_witness_transition *t = &out->t[k];
        const char *sp;
        size_t ll;
        line++;
        nl = pos < len ? memchr(body + pos, '\n', len - pos) : NULL;
        if (!nl || (size_t)(nl - (body + pos)) <= sizeof tr - 1 ||
            memcmp(body + pos, tr, sizeof tr - 1) != 0)
            return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition line %zu: want "
                                     "\"transition INDEX LEAF\" (transition %zu of %llu)", line,
                                     k + 1, (unsigned long long)n);
        ll = (size_t)(nl - (body + pos));
        sp = memchr(body + pos + sizeof tr - 1, ' ', ll - (sizeof tr - 1));
        if (!sp || !constat_decimal_u64(body + pos + sizeof tr - 1,
                                        (size_t)(sp - (body + pos + sizeof tr - 1)),
                                        &t->index))
            return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition line %zu: the "
                                     "index must be a decimal without leading zeros, then one "
                                     "space", line);
        t->leaf_off = (size_t)(sp + 1 - body);
        t->leaf_len = (size_t)(nl - (sp + 1));
        if (t->leaf_len == 0 || t->leaf_len > CONSTAT_RECORD_MAX_BYTES ||
            memchr(body + t->leaf_off, 0, t->leaf_len))
            return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition line %zu: the "
                                     "leaf must be 1 to %u bytes without NUL", line,
                                     (unsigned)CONSTAT_RECORD_MAX_BYTES);
        pos = (size_t)(nl - body) + 1;
        st = proof_block(body, len, &pos, &line, &t->proof, err);
        if (st != CONSTAT_OK)
            return st;
    }
    out->n = (size_t)n;
    if (pos >= len)
        return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition: no checkpoint after "
                                 "the last transition");
    out->base.note_off = pos;
    return CONSTAT_OK;
}

constat_status constat_witness_transition_request_format(
    uint64_t old_size, const constat_proof *proof, size_t n, const uint64_t *index,
    const char *const *leaf, const size_t *leaf_len, const constat_proof *incl,
    const char *note, size_t len, constat_buf *out)
{
    static const constat_proof none = {0};
    size_t mark;
    constat_status st;

    if (!out || !note || len == 0 || n == 0 || n > CONSTAT_WITNESS_MAX_TRANSITIONS || !index ||
        !leaf || !leaf_len || !incl)
        return CONSTAT_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!leaf[i] || leaf_len[i] == 0 || memchr(leaf[i], '\n', leaf_len[i]) ||
            incl[i].n > CONSTAT_WITNESS_MAX_PROOF)
            return CONSTAT_EINVAL;
    mark = out->len;
    st = constat_buf_printf(out, "key-transitions %zu\n", n);
    /* the add-checkpoint part without its note: formatted with a one-byte
     * placeholder note, which is then dropped */
    if (st == CONSTAT_OK)
        st = constat_witness_request_format(old_size, proof ? proof : &none, "x", 1, out);
    if (st == CONSTAT_OK)
        out->data[--out->len] = 0;
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++) {
        st = constat_buf_printf(out, "transition %llu ", (unsigned long long)index[i]);
        if (st == CONSTAT_OK)
            st = constat_buf_append(out, leaf[i], leaf_len[i]);
        if (st == CONSTAT_OK)
            st = constat_buf_append(out, "\n", 1);
        if (st == CONSTAT_OK)
            st = proof_lines(out, &incl[i], incl[i].n);
    }
    if (st == CONSTAT_OK)
        st = constat_buf_append(out, note, len);
    if (st != CONSTAT_OK) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
    }
    return st;
}

/* ---- tables ---- */

constat_status constat_witness_log_add(constat_vault *v, const char *origin, const char *vkey,
                                       int64_t now, constat_error *err)
{
    constat_note_verifier ver;
    constat_status r;

    if (!origin || !constat_note_text_valid(origin, strlen(origin)) || !origin[0] ||
        strchr(origin, '\n') || strlen(origin) > CONSTAT_KEY_NAME_MAX)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "origin \"%.100s\" is not a checkpoint origin line",
                                 origin ? origin : "");
    if (!vkey)
        return constat_error_set(err, CONSTAT_EINVAL, "no log key given");
    r = constat_note_verifier_parse(vkey, &ver, err);
    if (r != CONSTAT_OK)
        return constat_error_prefix(err, "log key: ");
    if (ver.alg != CONSTAT_NOTE_ALG_ED25519)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "log key %s is not an Ed25519 note key (alg 0x01)", ver.name);
    return constat_store_witness_log_put(constat_vault_store(v), origin, vkey, now, err);
}

constat_status constat_witness_logs(constat_vault *v, constat_witness_log_fn fn, void *ctx,
                                    constat_error *err)
{
    return constat_store_witness_logs(constat_vault_store(v), fn, ctx, err);
}

constat_status constat_witness_alerts(constat_vault *v, constat_witness_alert_fn fn, void *ctx,
                                      constat_error *err)
{
    return constat_store_witness_alerts(constat_vault_store(v), fn, ctx, err);
}

/* ---- add-checkpoint ---- */

typedef struct {
    int found;
    uint64_t size;
    uint8_t root[32];
    char *note;
} witness_state;

static constat_status state_get(constat_store *store, const char *origin, witness_state *ws,
                                constat_error *err)
{
    constat_buf note;
    constat_status r;

    memset(ws, 0, sizeof *ws);
    constat_buf_init(&note);
    r = constat_store_witness_state_get(store, origin, &ws->found, &ws->size, ws->root, &note,
                                        err);
    if (r == CONSTAT_OK && ws->found)
        ws->note = (char *)constat_buf_detach(&note, NULL);
    constat_buf_free(&note);
    return r;
}

static constat_status lookup_vkey(constat_store *store, const char *origin,
                                  constat_note_verifier *ver, constat_error *err)
{
    constat_buf k;
    constat_status r;

    constat_buf_init(&k);
    r = constat_store_witness_log_vkey(store, origin, &k, err);
    if (r == CONSTAT_OK &&
        constat_note_verifier_parse(k.data ? (const char *)k.data : "", ver, err) != CONSTAT_OK)
        r = constat_error_set(err, CONSTAT_EIO,
                              "vault.db: stored key of witnessed log \"%s\" is damaged",
                              origin);
    constat_buf_free(&k);
    return r;
}

static int http_for(constat_status st)
{
    switch (st) {
    case CONSTAT_EINVAL:
    case CONSTAT_ELIMIT:
        return 400;
    case CONSTAT_ENOTFOUND:
        return 404;
    case CONSTAT_EVERIFY:
        return 403;
    default:
        return 500;
    }
}

/* The log key transitions of an add-key-transition request (witness.h). */
typedef struct {
    const constat_witness_transition_request *rq;
    const char *body;
    char vkey[CONSTAT_KEY_NAME_MAX + 128]; /* the key they lead to, formatted */
} follow;

static void follow_fail(void *ctx, int64_t index, const char *msg)
{
    (void)index;
    snprintf(ctx, CONSTAT_ERROR_MSG_MAX, "%s", msg);
}

/* Follow f's transitions from the pinned key *ver, which becomes the key
 * they lead to. EVERIFY naming the transition that does not follow. */
static constat_status follow_keys(follow *f, constat_note_verifier *ver, constat_error *err)
{
    constat_keychain *kc = malloc(sizeof *kc);
    constat_status st = CONSTAT_OK;
    char why[CONSTAT_ERROR_MSG_MAX];

    if (!kc)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    constat_keychain_init_log(kc);
    kc->n = 1;
    kc->k[0].ver = *ver;
    constat_record_key_id(ver, kc->k[0].key_id, sizeof kc->k[0].key_id);
    kc->k[0].transition = -1;
    for (size_t i = 0; st == CONSTAT_OK && i < f->rq->n; i++) {
        const constat_witness_transition *t = &f->rq->t[i];
        size_t before = kc->n, bad = 0;
        why[0] = 0;
        if (i > 0 && t->index <= f->rq->t[i - 1].index) {
            st = constat_error_set(err, CONSTAT_EINVAL, "key transitions: leaf %llu after leaf "
                                   "%llu: not in log order", (unsigned long long)t->index,
                                   (unsigned long long)f->rq->t[i - 1].index);
            break;
        }
        st = constat_keychain_feed(kc, t->index, (const uint8_t *)f->body + t->leaf_off,
                                   t->leaf_len, follow_fail, why, &bad, err);
        if (st == CONSTAT_OK && bad)
            st = constat_error_set(err, CONSTAT_EVERIFY, "%s", why);
        else if (st == CONSTAT_OK && kc->n == before)
            st = constat_error_set(err, CONSTAT_EVERIFY, "leaf %llu: not a key transition of "
                                   "the log key (a leaf that parses, of kind key_transition, "
                                   "\"key\": \"log\")", (unsigned long long)t->index);
    }
    if (st == CONSTAT_OK) {
        *ver = kc->k[kc->n - 1].ver;
        if (constat_note_verifier_format(ver, f->vkey, sizeof f->vkey) != CONSTAT_OK)
            st = constat_error_set(err, CONSTAT_EINVAL, "key transitions: key name too long");
    }
    free(kc);
    return st;
}

/* Everything that needs no database state: origin, signature, checkpoint;
 * with `f`, the key transitions from the pinned key first. */
static constat_status check_note(constat_store *store, const char *note, size_t len, char *origin,
                                 constat_checkpoint *cp, size_t *text_len, follow *f,
                                 constat_error *err)
{
    constat_note_verifier ver;
    constat_note *opened;
    const char *nl = memchr(note, '\n', len);
    size_t olen;
    constat_status st;

    if (!nl)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: no origin line");
    olen = (size_t)(nl - note);
    if (olen == 0 || olen > CONSTAT_KEY_NAME_MAX || memchr(note, 0, olen))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: origin line empty or over %d bytes",
                                 CONSTAT_KEY_NAME_MAX);
    memcpy(origin, note, olen);
    origin[olen] = 0;
    st = lookup_vkey(store, origin, &ver, err);
    if (st == CONSTAT_OK && f)
        st = follow_keys(f, &ver, err);
    if (st != CONSTAT_OK)
        return st;
    opened = malloc(sizeof *opened);
    if (!opened)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_note_open(note, len, &ver, 1, opened, err);
    if (st == CONSTAT_ELIMIT)
        st = CONSTAT_EINVAL;
    if (st == CONSTAT_EVERIFY && !f) /* signed by another key of that name: rotated? */
        for (size_t i = 0; i < opened->nsigs; i++)
            if (strcmp(opened->sigs[i].name, ver.name) == 0 &&
                opened->sigs[i].key_id != ver.key_id) {
                st = constat_error_set(err, CONSTAT_EVERIFY,
                                       "no valid signature by the log key %s+%08x this witness "
                                       "pins for \"%s\": the checkpoint is signed by key id "
                                       "%08x of that name (a rotated log key? the log hands "
                                       "its key transitions over with POST "
                                       "/constat/add-key-transition)", ver.name, ver.key_id,
                                       origin, opened->sigs[i].key_id);
                break;
            }
    if (st == CONSTAT_OK) {
        *text_len = opened->text_len;
        st = constat_checkpoint_parse(note, opened->text_len, cp, err);
        if (st == CONSTAT_ELIMIT)
            st = CONSTAT_EINVAL;
    }
    free(opened);
    if (st == CONSTAT_OK && strcmp(cp->origin, origin) != 0)
        st = constat_error_set(err, CONSTAT_EINVAL, "checkpoint: origin mismatch");
    return st;
}

/* With `f`: the transitions' place in the log, inside the transaction. 0,
 * or the HTTP status with *err set (*alert when the witness's state was
 * signed by a key a transition retires). */
static int transitions_in_log(const follow *f, const witness_state *ws,
                              const constat_checkpoint *cp, char *reason, size_t rcap,
                              int *alert, constat_error *err)
{
    const constat_witness_transition *t0 = &f->rq->t[0];
    if (ws->found && t0->index < ws->size) {
        snprintf(reason, rcap, "retired-key: the key transition at leaf %llu retires the key "
                 "that signed the checkpoint of size %llu cosigned before",
                 (unsigned long long)t0->index, (unsigned long long)ws->size);
        *alert = 1;
        constat_error_set(err, CONSTAT_ECONFLICT, "%s", reason);
        return 409;
    }
    for (size_t i = 0; i < f->rq->n; i++) {
        const constat_witness_transition *t = &f->rq->t[i];
        uint8_t lh[32];
        constat_error perr;
        if (t->index >= cp->size) {
            constat_error_set(err, CONSTAT_EINVAL, "the key transition at leaf %llu is not in "
                              "the checkpoint of size %llu", (unsigned long long)t->index,
                              (unsigned long long)cp->size);
            return 400;
        }
        constat_merkle_leaf_hash((const uint8_t *)f->body + t->leaf_off, t->leaf_len, lh);
        if (constat_merkle_verify_inclusion(t->index, cp->size, lh, &t->proof, cp->root,
                                            &perr) != CONSTAT_OK) {
            constat_error_set(err, CONSTAT_EVERIFY, "the key transition at leaf %llu: its "
                              "inclusion proof in the checkpoint of size %llu does not "
                              "verify (%.80s)", (unsigned long long)t->index,
                              (unsigned long long)cp->size, perr.msg);
            return 422;
        }
    }
    return 0;
}

static constat_status add_core(constat_vault *v, const constat_note_signer *witness,
                               uint64_t old_size, const constat_proof *proof, const char *note,
                               size_t len, uint64_t now, constat_buf *out,
                               constat_witness_outcome *res, follow *f, constat_error *err);

constat_status constat_witness_add_checkpoint(constat_vault *v,
                                              const constat_note_signer *witness,
                                              uint64_t old_size, const constat_proof *proof,
                                              const char *note, size_t len, uint64_t now,
                                              constat_buf *out, constat_witness_outcome *res,
                                              constat_error *err)
{
    return add_core(v, witness, old_size, proof, note, len, now, out, res, NULL, err);
}

constat_status constat_witness_add_checkpoint_transition(
    constat_vault *v, const constat_note_signer *witness,
    const constat_witness_transition_request *rq, const char *body, size_t len, uint64_t now,
    constat_buf *out, constat_witness_outcome *res, constat_error *err)
{
    follow f;
    if (!res)
        return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition: no outcome");
    if (!rq || !body || rq->n == 0 || rq->n > CONSTAT_WITNESS_MAX_TRANSITIONS ||
        rq->base.note_off >= len) {
        memset(res, 0, sizeof *res);
        res->http = 400;
        return constat_error_set(err, CONSTAT_EINVAL, "add-key-transition: no transition or "
                                 "no checkpoint");
    }
    memset(&f, 0, sizeof f);
    f.rq = rq;
    f.body = body;
    return add_core(v, witness, rq->base.old_size, &rq->base.proof, body + rq->base.note_off,
                    len - rq->base.note_off, now, out, res, &f, err);
}

static constat_status add_core(constat_vault *v, const constat_note_signer *witness,
                               uint64_t old_size, const constat_proof *proof, const char *note,
                               size_t len, uint64_t now, constat_buf *out,
                               constat_witness_outcome *res, follow *f, constat_error *err)
{
    static const constat_proof empty = {0};
    char origin[CONSTAT_KEY_NAME_MAX + 1], reason[240];
    constat_store *store;
    constat_checkpoint cp;
    witness_state ws = {0};
    size_t text_len = 0, mark;
    char *note_z = NULL;
    int alert = 0;
    constat_status st;

    if (!res)
        return constat_error_set(err, CONSTAT_EINVAL, "add-checkpoint: no outcome");
    memset(res, 0, sizeof *res);
    res->http = 500;
    if (!v || !witness || !note || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "add-checkpoint: missing argument");
    if (!proof)
        proof = &empty;
    store = constat_vault_store(v);
    mark = out->len;

    st = check_note(store, note, len, origin, &cp, &text_len, f, err);
    if (st != CONSTAT_OK) {
        res->http = http_for(st);
        return st;
    }
    if (old_size > cp.size) {
        res->http = 400;
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "old size %llu is larger than the checkpoint size %llu",
                                 (unsigned long long)old_size, (unsigned long long)cp.size);
    }
    if (old_size == 0 && proof->n != 0) {
        res->http = 400;
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "old size 0 takes an empty proof, got %zu hashes", proof->n);
    }
    /* the note as a C string, for the state and alert tables */
    note_z = malloc(len + 1);
    if (!note_z)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    memcpy(note_z, note, len);
    note_z[len] = 0;

    st = constat_store_begin(store, err);
    if (st != CONSTAT_OK) {
        free(note_z);
        return st;
    }
    st = state_get(store, origin, &ws, err);
    if (st == CONSTAT_OK && f && old_size == ws.size &&
        (res->http = transitions_in_log(f, &ws, &cp, reason, sizeof reason, &alert, err)) != 0) {
        st = err->code;
    } else if (st == CONSTAT_OK && old_size != ws.size) {
        res->http = 409;
        res->size = ws.size;
        res->size_known = 1;
        st = constat_error_set(err, CONSTAT_ECONFLICT,
                               "old size %llu does not match the size %llu last cosigned "
                               "for \"%s\"",
                               (unsigned long long)old_size, (unsigned long long)ws.size,
                               origin);
    } else if (st == CONSTAT_OK && ws.found && old_size == cp.size) {
        if (memcmp(ws.root, cp.root, 32) != 0) {
            res->http = 409;
            snprintf(reason, sizeof reason,
                     "fork: two different signed roots for size %llu",
                     (unsigned long long)cp.size);
            alert = 1;
            st = constat_error_set(err, CONSTAT_ECONFLICT, "%s of \"%s\"", reason, origin);
        }
    } else if (st == CONSTAT_OK && old_size > 0) {
        constat_error perr;
        constat_status pst = constat_merkle_verify_consistency(old_size, cp.size, ws.root,
                                                               cp.root, proof, &perr);
        if (pst != CONSTAT_OK) {
            res->http = 422;
            snprintf(reason, sizeof reason,
                     "inconsistent: no valid consistency proof from size %llu to %llu "
                     "(%.80s)",
                     (unsigned long long)old_size, (unsigned long long)cp.size, perr.msg);
            alert = 1;
            st = constat_error_set(err, CONSTAT_EVERIFY, "%s", reason);
        }
    }
    if (res->http == 0)
        res->http = 500; /* the transitions are in the log: on with the other checks */
    if (alert) {
        constat_error aerr;
        /* keep the evidence, then answer the refusal */
        if (constat_store_witness_alert_put(store, origin, ws.note, note_z, reason,
                                            (int64_t)now, &aerr) == CONSTAT_OK &&
            constat_store_commit(store, &aerr) == CONSTAT_OK)
            res->alert = 1;
        else
            constat_store_rollback(store);
        free(ws.note);
        free(note_z);
        return st;
    }
    if (st == CONSTAT_OK && f) /* the witness follows the log to its new key */
        st = constat_store_witness_log_rekey(store, origin, f->vkey, err);
    if (st == CONSTAT_OK)
        st = constat_cosignature_sign(note, text_len, now, witness, out, err);
    if (st == CONSTAT_OK)
        st = constat_store_witness_state_put(store, origin, cp.size, cp.root, note_z,
                                             (int64_t)now, err);
    if (st == CONSTAT_OK)
        st = constat_store_commit(store, err);
    if (st != CONSTAT_OK) {
        constat_store_rollback(store);
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
        if (res->http == 500 && st == CONSTAT_EINVAL)
            res->http = 400;
    } else {
        res->http = 200;
    }
    free(ws.note);
    free(note_z);
    return st;
}
