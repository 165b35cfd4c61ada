/*
 * witness.h — an organisation's witness (C2SP tlog-witness): it cosigns the
 * checkpoints of other organisations' logs, but only after checking the log's
 * signature and a consistency proof from the last checkpoint it cosigned for
 * that log, so it never cosigns two views of one log that contradict each
 * other. A fork it is shown is kept as evidence (both signed notes).
 *
 * State lives in the witness organisation's own vault (tables witness_logs,
 * witness_state, witness_alerts; docs/witness.md). The HTTP front
 * (`constat witness serve`) and the CLI (`constat witness cosign`) are thin
 * layers over constat_witness_add_checkpoint.
 */
#ifndef CONSTAT_WITNESS_H
#define CONSTAT_WITNESS_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/merkle.h"
#include "constat/log/note.h"
#include "constat/vault/vault.h"

/* Largest add-checkpoint request body we read, in bytes. */
#define CONSTAT_WITNESS_BODY_MAX (64u * 1024u)
/* Most consistency proof lines in one request (tlog-witness: a client MUST
 * NOT send more than 63). */
#define CONSTAT_WITNESS_MAX_PROOF 63
/* Largest add-checkpoint response body the client reads, in bytes. */
#define CONSTAT_WITNESS_RESPONSE_MAX (64u * 1024u)

/* A parsed add-checkpoint request body (tlog-witness "add-checkpoint"):
 * "old N\n", proof lines, "\n", then the signed checkpoint note, which is
 * body[note_off .. len). */
typedef struct {
    uint64_t old_size;
    constat_proof proof;
    size_t note_off;
} constat_witness_request;

/* Parse an add-checkpoint body strictly: "old " and a canonical decimal
 * (no sign, no leading zero except "0"), each proof line exactly one
 * 32-byte hash in canonical padded base64, at most CONSTAT_WITNESS_MAX_PROOF
 * of them, an empty line, then a non-empty note (not checked here).
 * Errors: CONSTAT_EINVAL naming the line (the HTTP answer is 400),
 * CONSTAT_ELIMIT (body over CONSTAT_WITNESS_BODY_MAX, more than 63 proof
 * lines). */
constat_status constat_witness_request_parse(const char *body, size_t len,
                                             constat_witness_request *out,
                                             constat_error *err) CONSTAT_WARN_UNUSED;

/* Append an add-checkpoint body for (old_size, proof, note) to out (the
 * client side). Errors: CONSTAT_EINVAL (more than 63 hashes, empty note),
 * CONSTAT_ENOMEM. */
constat_status constat_witness_request_format(uint64_t old_size, const constat_proof *proof,
                                              const char *note, size_t len,
                                              constat_buf *out) CONSTAT_WARN_UNUSED;

/* Start witnessing the log `origin` whose checkpoints are signed by `vkey`
 * (a signed-note verifier key string, alg 0x01). `now` is stored as the
 * time it was added (seconds since the epoch).
 * Errors: CONSTAT_EINVAL (bad origin or vkey), CONSTAT_ECONFLICT (origin
 * already witnessed), CONSTAT_EIO. */
constat_status constat_witness_log_add(constat_vault *v, const char *origin, const char *vkey,
                                       int64_t now, constat_error *err) CONSTAT_WARN_UNUSED;

/* Witnessed logs: fn(ctx, origin, vkey, size cosigned so far (0 if none))
 * for each, by origin; stops when fn returns non-zero. Errors: CONSTAT_EIO. */
typedef int (*constat_witness_log_fn)(void *ctx, const char *origin, const char *vkey,
                                      uint64_t size);
constat_status constat_witness_logs(constat_vault *v, constat_witness_log_fn fn, void *ctx,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* What add-checkpoint decided, in the terms of tlog-witness. */
typedef struct {
    int http;        /* 200, 400, 403, 404, 409, 422, or 500 (I/O, bug) */
    uint64_t size;   /* on a 409 size mismatch: the size the witness holds */
    int size_known;  /* 1 if the 409 answer carries `size` (text/x.tlog.size);
                        0 for a 409 fork at equal size */
    int alert;       /* 1 if evidence of misbehaviour was recorded */
} constat_witness_outcome;

/* C2SP tlog-witness add-checkpoint, the whole decision, atomic (one write
 * transaction: the state read, the check and the update cannot interleave
 * with another request, in this process or another):
 *  - the origin (first line of `note`) must be witnessed: else ENOTFOUND/404;
 *  - the note must open (signed-note) with the log's vkey, other signatures
 *    ignored: malformed -> EINVAL/400, no valid log signature -> EVERIFY/403;
 *  - the text must be a checkpoint (tlog-checkpoint): else EINVAL/400;
 *  - old_size <= checkpoint size: else EINVAL/400; old_size 0 needs an empty
 *    proof: else EINVAL/400;
 *  - old_size must equal the size last cosigned (0 if none): else ECONFLICT/
 *    409 with out->size (so a rollback, a checkpoint smaller than the one
 *    cosigned, is refused with 409 to a client that says where it stands);
 *  - old_size == size: the root must equal the stored one, else a fork:
 *    ECONFLICT/409 (size_known 0) and an alert with both notes;
 *  - otherwise the RFC 9162 2.1.4.2 consistency proof from (old, stored root)
 *    to (size, root) must verify: else EVERIFY/422 and an alert with both
 *    notes (an inconsistent pair).
 * On success the state becomes (size, root, note), and one cosignature/v1
 * line at `now` (seconds since the epoch) by `witness` (alg 0x04) is appended
 * to `out` (tlog-cosignature): the 200 response body.
 * `res` (required) always says the HTTP status to answer.
 * Errors: as above, plus CONSTAT_EIO, CONSTAT_ENOMEM (500). */
constat_status constat_witness_add_checkpoint(constat_vault *v,
                                              const constat_note_signer *witness,
                                              uint64_t old_size, const constat_proof *proof,
                                              const char *note, size_t len, uint64_t now,
                                              constat_buf *out, constat_witness_outcome *res,
                                              constat_error *err) CONSTAT_WARN_UNUSED;

/* ---- log key transitions (constat's extension, docs/witness.md "After a
 * rotation of the log key") ----
 *
 * A witness pins a log's key (witness_logs.vkey). When the log rotates its
 * key (keyrot.h "the log key"), its checkpoints are signed by the new key
 * and add-checkpoint answers 403. The log then sends the same request with
 * the key transitions that lead from the pinned key to the one that signs
 * the checkpoint, each with its inclusion proof in that checkpoint, to
 * POST /constat/add-key-transition:
 *
 *     key-transitions K\n            (1 <= K <= CONSTAT_WITNESS_MAX_TRANSITIONS)
 *     old N\n                        then the consistency proof lines, then \n
 *     transition INDEX LEAF\n        K times: the leaf (the log's exact leaf
 *                                    bytes, one line of JSON) at INDEX, then
 *                                    its inclusion proof lines, then \n
 *     <the signed checkpoint>
 */

/* Most log key transitions one request carries. */
#define CONSTAT_WITNESS_MAX_TRANSITIONS 8

typedef struct {
    uint64_t index;            /* the transition's leaf index */
    size_t leaf_off, leaf_len; /* its leaf bytes in the body */
    constat_proof proof;       /* its inclusion proof in the checkpoint */
} constat_witness_transition;

typedef struct {
    constat_witness_request base; /* old size, consistency proof, note_off in the body */
    size_t n;                     /* 1..CONSTAT_WITNESS_MAX_TRANSITIONS */
    constat_witness_transition t[CONSTAT_WITNESS_MAX_TRANSITIONS];
} constat_witness_transition_request;

/* Parse an add-key-transition body strictly (the add-checkpoint rules for
 * the old size and proof lines; INDEX a canonical decimal; LEAF non-empty,
 * at most CONSTAT_RECORD_MAX_BYTES, no NUL; at most 63 inclusion proof lines
 * each). Errors: CONSTAT_EINVAL naming the line (400), CONSTAT_ELIMIT (body
 * over CONSTAT_WITNESS_BODY_MAX, too many lines or transitions). */
constat_status constat_witness_transition_request_parse(const char *body, size_t len,
                                                        constat_witness_transition_request *out,
                                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* Append an add-key-transition body to out (the client side): n transitions
 * at index[i], leaf[i] (leaf_len[i] bytes, no newline), incl[i].
 * Errors: CONSTAT_EINVAL (n out of range, a leaf with a newline, more than 63
 * hashes, empty note), CONSTAT_ENOMEM. */
constat_status constat_witness_transition_request_format(
    uint64_t old_size, const constat_proof *proof, size_t n, const uint64_t *index,
    const char *const *leaf, const size_t *leaf_len, const constat_proof *incl,
    const char *note, size_t len, constat_buf *out) CONSTAT_WARN_UNUSED;

/* add-checkpoint across log key transitions, atomic as add-checkpoint:
 * starting from the key the witness pins for the origin, each transition
 * must be a key_transition of the log key ("key": "log") that retires
 * exactly the key then reached, its leaf signed by that key and its
 * new_signature by its new key (keychain.h), at increasing indices; else
 * EVERIFY/403 naming the transition. The note must then open with the last
 * key reached, and every add-checkpoint check applies. Besides: each
 * transition's index must be below the checkpoint size and its inclusion
 * proof verify against the checkpoint root (else EVERIFY/422); and no
 * transition may precede the size last cosigned: that checkpoint was signed
 * by the key the transition retires, so the log signed with a retired key
 * (ECONFLICT/409 and an alert "retired-key" with both notes). On success
 * the witness pins the new key (witness_logs.vkey) and cosigns, in one
 * transaction. */
constat_status constat_witness_add_checkpoint_transition(
    constat_vault *v, const constat_note_signer *witness,
    const constat_witness_transition_request *rq, const char *body, size_t len, uint64_t now,
    constat_buf *out, constat_witness_outcome *res, constat_error *err) CONSTAT_WARN_UNUSED;

/* Evidence of misbehaviour, oldest first: fn(ctx, id, origin, reason,
 * created_at, note_a (the checkpoint cosigned before), note_b (the one
 * refused)); both notes are the signed notes exactly as received. Stops when
 * fn returns non-zero. Errors: CONSTAT_EIO. */
typedef int (*constat_witness_alert_fn)(void *ctx, int64_t id, const char *origin,
                                        const char *reason, int64_t created_at,
                                        const char *note_a, const char *note_b);
constat_status constat_witness_alerts(constat_vault *v, constat_witness_alert_fn fn, void *ctx,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

#endif
