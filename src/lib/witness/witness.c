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
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++) {
        char b64[48];
        constat_base64(proof->hash[i], 32, b64);
        st = constat_buf_printf(out, "%s\n", b64);
    }
    if (st == CONSTAT_OK)
        st = constat_buf_append(out, "\n", 1);
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

/* Everything that needs no database state: origin, signature, checkpoint. */
static constat_status check_note(constat_store *store, const char *note, size_t len, char *origin,
                                 constat_checkpoint *cp, size_t *text_len, constat_error *err)
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
    if (st != CONSTAT_OK)
        return st;
    opened = malloc(sizeof *opened);
    if (!opened)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_note_open(note, len, &ver, 1, opened, err);
    if (st == CONSTAT_ELIMIT)
        st = CONSTAT_EINVAL;
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

constat_status constat_witness_add_checkpoint(constat_vault *v,
                                              const constat_note_signer *witness,
                                              uint64_t old_size, const constat_proof *proof,
                                              const char *note, size_t len, uint64_t now,
                                              constat_buf *out, constat_witness_outcome *res,
                                              constat_error *err)
{
    static const constat_proof empty = {0};
    char origin[CONSTAT_KEY_NAME_MAX + 1], reason[160];
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

    st = check_note(store, note, len, origin, &cp, &text_len, err);
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
    if (st == CONSTAT_OK && old_size != ws.size) {
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
