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
 * The witness tables are plain SQL on the vault's SQLite handle; they are
 * created by store_sqlite.c with the rest of the schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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

static constat_status sql_error(sqlite3 *db, const char *op, constat_error *err)
{
    return constat_error_set(err, CONSTAT_EIO, "vault.db: %s: %s", op, sqlite3_errmsg(db));
}

static constat_status prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
                              constat_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return sql_error(db, "prepare", err);
    return CONSTAT_OK;
}

constat_status constat_witness_log_add(constat_vault *v, const char *origin, const char *vkey,
                                       int64_t now, constat_error *err)
{
    sqlite3 *db = constat_store_sqlite(constat_vault_store(v));
    constat_note_verifier ver;
    sqlite3_stmt *st = NULL;
    constat_status r;
    int rc;

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
    r = prepare(db,
                "INSERT INTO witness_logs(origin, vkey, added_at) VALUES (?1, ?2, ?3)",
                &st, err);
    if (r != CONSTAT_OK)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT)
        r = constat_error_set(err, CONSTAT_ECONFLICT, "the log \"%s\" is already witnessed",
                              origin);
    else if (rc != SQLITE_DONE)
        r = sql_error(db, "add witnessed log", err);
    sqlite3_finalize(st);
    return r;
}

constat_status constat_witness_logs(constat_vault *v, constat_witness_log_fn fn, void *ctx,
                                    constat_error *err)
{
    sqlite3 *db = constat_store_sqlite(constat_vault_store(v));
    sqlite3_stmt *st = NULL;
    constat_status r;
    int rc;

    r = prepare(db,
                "SELECT l.origin, l.vkey, coalesce(s.size, 0) FROM witness_logs l "
                "LEFT JOIN witness_state s ON s.origin = l.origin ORDER BY l.origin",
                &st, err);
    if (r != CONSTAT_OK)
        return r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *o = (const char *)sqlite3_column_text(st, 0);
        const char *k = (const char *)sqlite3_column_text(st, 1);
        if (fn(ctx, o ? o : "", k ? k : "", (uint64_t)sqlite3_column_int64(st, 2)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        r = sql_error(db, "read witnessed logs", err);
    sqlite3_finalize(st);
    return r;
}

constat_status constat_witness_alerts(constat_vault *v, constat_witness_alert_fn fn, void *ctx,
                                      constat_error *err)
{
    sqlite3 *db = constat_store_sqlite(constat_vault_store(v));
    sqlite3_stmt *st = NULL;
    constat_status r;
    int rc;

    r = prepare(db,
                "SELECT id, origin, reason, created_at, note_a, note_b FROM witness_alerts "
                "ORDER BY id",
                &st, err);
    if (r != CONSTAT_OK)
        return r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *o = (const char *)sqlite3_column_text(st, 1);
        const char *why = (const char *)sqlite3_column_text(st, 2);
        const char *a = (const char *)sqlite3_column_text(st, 4);
        const char *b = (const char *)sqlite3_column_text(st, 5);
        if (fn(ctx, sqlite3_column_int64(st, 0), o ? o : "", why ? why : "",
               sqlite3_column_int64(st, 3), a ? a : "", b ? b : "") != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        r = sql_error(db, "read witness alerts", err);
    sqlite3_finalize(st);
    return r;
}

/* ---- add-checkpoint ---- */

typedef struct {
    int found;
    uint64_t size;
    uint8_t root[32];
    char *note;
} witness_state;

static constat_status state_get(sqlite3 *db, const char *origin, witness_state *ws,
                                constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r;
    int rc;

    memset(ws, 0, sizeof *ws);
    r = prepare(db, "SELECT size, root, note FROM witness_state WHERE origin = ?1", &st, err);
    if (r != CONSTAT_OK)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const void *root = sqlite3_column_blob(st, 1);
        const char *note = (const char *)sqlite3_column_text(st, 2);
        if (!root || sqlite3_column_bytes(st, 1) != 32 || !note) {
            r = constat_error_set(err, CONSTAT_EIO, "vault.db: witness state of \"%s\" is "
                                                    "damaged", origin);
        } else {
            ws->found = 1;
            ws->size = (uint64_t)sqlite3_column_int64(st, 0);
            memcpy(ws->root, root, 32);
            ws->note = strdup(note);
            if (!ws->note)
                r = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    } else if (rc != SQLITE_DONE) {
        r = sql_error(db, "read witness state", err);
    }
    sqlite3_finalize(st);
    return r;
}

static constat_status exec_bound(sqlite3 *db, const char *sql, const char *op,
                                 const char *t1, const char *t2, const char *t3,
                                 const char *t4, const void *blob, int64_t i1, int64_t i2,
                                 constat_error *err)
{
    /* A small binder for the two writes below: ?1..?4 text (NULL = skip),
     * ?5 blob (32 bytes, NULL = skip), ?6 ?7 integers. */
    sqlite3_stmt *st = NULL;
    constat_status r = prepare(db, sql, &st, err);
    if (r != CONSTAT_OK)
        return r;
    if (t1)
        sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
    if (t2)
        sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
    if (t3)
        sqlite3_bind_text(st, 3, t3, -1, SQLITE_STATIC);
    if (t4)
        sqlite3_bind_text(st, 4, t4, -1, SQLITE_STATIC);
    if (blob)
        sqlite3_bind_blob(st, 5, blob, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, i1);
    sqlite3_bind_int64(st, 7, i2);
    if (sqlite3_step(st) != SQLITE_DONE)
        r = sql_error(db, op, err);
    sqlite3_finalize(st);
    return r;
}

static constat_status record_alert(sqlite3 *db, const char *origin, const char *note_a,
                                   const char *note_b, const char *reason, uint64_t now,
                                   constat_error *err)
{
    return exec_bound(db,
                      "INSERT INTO witness_alerts(origin, note_a, note_b, reason, created_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?6)",
                      "record alert", origin, note_a, note_b, reason, NULL, (int64_t)now, 0,
                      err);
}

static constat_status lookup_vkey(sqlite3 *db, const char *origin, constat_note_verifier *ver,
                                  constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prepare(db, "SELECT vkey FROM witness_logs WHERE origin = ?1", &st, err);
    int rc;
    if (r != CONSTAT_OK)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        r = constat_note_verifier_parse(k ? k : "", ver, err);
        if (r != CONSTAT_OK)
            r = constat_error_set(err, CONSTAT_EIO,
                                  "vault.db: stored key of witnessed log \"%s\" is damaged",
                                  origin);
    } else if (rc == SQLITE_DONE) {
        r = constat_error_set(err, CONSTAT_ENOTFOUND, "unknown log \"%.200s\"", origin);
    } else {
        r = sql_error(db, "read witnessed log", err);
    }
    sqlite3_finalize(st);
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
static constat_status check_note(sqlite3 *db, const char *note, size_t len, char *origin,
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
    st = lookup_vkey(db, origin, &ver, err);
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
    sqlite3 *db;
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
    db = constat_store_sqlite(store);
    mark = out->len;

    st = check_note(db, note, len, origin, &cp, &text_len, err);
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
    st = state_get(db, origin, &ws, err);
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
        if (record_alert(db, origin, ws.note, note_z, reason, now, &aerr) == CONSTAT_OK &&
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
        st = exec_bound(db,
                        "INSERT OR REPLACE INTO witness_state(origin, note, size, root, "
                        "updated_at) VALUES (?1, ?2, ?6, ?5, ?7)",
                        "update witness state", origin, note_z, NULL, NULL, cp.root,
                        (int64_t)cp.size, (int64_t)now, err);
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
