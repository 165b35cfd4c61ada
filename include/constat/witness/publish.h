/*
 * publish.h — the log side of C2SP tlog-witness: the witnesses a vault's log
 * is published to, sending them the newest checkpoint with a consistency
 * proof, and keeping the cosignatures they return (docs/witness.md).
 *
 * Tables (vault.db): publish_witnesses(name, url, vkey) and
 * cosignatures(size, witness, line, received_at). A witness is named by
 * its key name (the name in its vkey and in its cosignature lines).
 */
#ifndef CONSTAT_PUBLISH_H
#define CONSTAT_PUBLISH_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/vault/vault.h"

/* Longest witness URL (the tlog-witness submission prefix), in bytes. */
#define CONSTAT_PUBLISH_URL_MAX 1024

/* Configure a witness: `vkey` is its cosignature/v1 verifier key string
 * (alg 0x04), `url` its submission prefix ("http://host:port" or with a
 * path; requests go to <url>/add-checkpoint), http or https only, no spaces
 * or control characters. Errors: CONSTAT_EINVAL (bad vkey, not alg 0x04,
 * bad URL), CONSTAT_ECONFLICT (a witness of that name is configured),
 * CONSTAT_EIO. */
constat_status constat_publish_witness_add(constat_vault *v, const char *vkey, const char *url,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* Configured witnesses, by name: fn(ctx, name, url, vkey, largest checkpoint
 * size it cosigned for us (0 if none)); stops when fn returns non-zero.
 * Errors: CONSTAT_EIO. */
typedef int (*constat_publish_witness_fn)(void *ctx, const char *name, const char *url,
                                          const char *vkey, uint64_t cosigned_size);
constat_status constat_publish_witnesses(constat_vault *v, constat_publish_witness_fn fn,
                                         void *ctx, constat_error *err) CONSTAT_WARN_UNUSED;

/* What the vault holds of one configured witness, checked again
 * (constat_publish_status); pointers valid during the callback. */
typedef struct {
    const char *name;       /* the witness's key name */
    const char *url;        /* its submission prefix */
    const char *vkey;       /* its cosignature/v1 verifier key */
    uint64_t cosigned_size; /* the largest checkpoint size it cosigned for us; 0: none yet */
    /* 1: its stored cosignature of that checkpoint verifies with vkey over
     * the stored checkpoint text (tlog-cosignature, as
     * constat_publish_accept checked it when it arrived); 0: it does not,
     * msg says why (a damaged or altered vault); -1: nothing cosigned yet */
    int verified;
    uint64_t timestamp;     /* verified 1: the cosignature's time, seconds since the epoch */
    const char *msg;        /* verified 0: why; "" otherwise */
} constat_publish_witness_state;
typedef int (*constat_publish_state_fn)(void *ctx, const constat_publish_witness_state *w);

/* The configured witnesses, by name, each with the newest checkpoint it
 * cosigned for us and whether that stored cosignature still verifies:
 * fn(ctx, state) for each; stops when fn returns non-zero. Reads only (for
 * `GET /api/v1/witnesses`, docs/api.md). A cosignature that does not
 * verify is a state (verified 0), not an error.
 * Errors: CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_publish_status(constat_vault *v, constat_publish_state_fn fn, void *ctx,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* Check a 200 add-checkpoint response `body` (signature lines) from the
 * configured witness `witness` for the stored signed checkpoint `note`
 * (which must be one of the vault's checkpoints), and store its
 * cosignature: lines of other keys are ignored (tlog-witness); the first
 * line with the witness's (name, key id) must be a valid cosignature/v1
 * over the checkpoint text (tlog-cosignature). Stored in one transaction
 * (replacing an older one for the same size and witness). `now` is the
 * receipt time (seconds since the epoch).
 * Errors: CONSTAT_EINVAL (malformed response line), CONSTAT_ENOTFOUND (no
 * such witness configured, or the checkpoint is not in the vault),
 * CONSTAT_EVERIFY (no line by that witness, or its cosignature is invalid),
 * CONSTAT_ELIMIT (body over CONSTAT_WITNESS_RESPONSE_MAX), CONSTAT_EIO. */
constat_status constat_publish_accept(constat_vault *v, const char *witness, const char *note,
                                      size_t len, const char *body, size_t blen, int64_t now,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* How requests reach a witness: POST `body` to `url`, fill *http with the
 * status, `content_type` and `response` (both appended, NUL-terminated).
 * NULL in constat_publish_run means libcurl (timeouts 10 s to connect, 30 s
 * in all, responses capped at CONSTAT_WITNESS_RESPONSE_MAX bytes, http and
 * https only); tests pass their own to talk to a witness in process.
 * Errors: CONSTAT_EIO naming the URL (no answer), CONSTAT_ELIMIT. */
typedef constat_status (*constat_publish_post_fn)(void *ctx, const char *url, const char *body,
                                                  size_t len, int *http,
                                                  constat_buf *content_type,
                                                  constat_buf *response, constat_error *err);

/* One witness's outcome of a publish. */
typedef struct {
    const char *witness;    /* its name */
    const char *url;
    int http;               /* last HTTP status, 0 if none was received */
    uint64_t size;          /* the checkpoint size sent */
    constat_status status;  /* CONSTAT_OK: cosigned (or already cosigned) */
    int already;            /* 1 if it had cosigned this size before: nothing sent */
    const char *msg;        /* what happened, one line */
} constat_publish_result;
typedef void (*constat_publish_fn)(void *ctx, const constat_publish_result *r);

/* Publish the log: sign a checkpoint of the current tree if the newest one
 * is older (constat_vault_checkpoint), then for each configured witness POST
 * tlog-witness add-checkpoint with old = the size it last cosigned for us
 * (0 at first) and a consistency proof to the checkpoint; on 409 with
 * text/x.tlog.size, retry once from the size the witness holds (refused
 * locally if that size is larger than ours: it would be a rollback). Valid
 * cosignatures are stored (constat_publish_accept). `report` (may be NULL)
 * gets each witness's outcome. Each witness's cosignature is stored in its
 * own transaction: a failure leaves the others and the vault intact.
 * Returns CONSTAT_OK if every witness cosigned, else the status of the first
 * that did not (the messages name the witness and URL): CONSTAT_ECONFLICT
 * (409: the witness holds another view), CONSTAT_EVERIFY (422 or 403, or a
 * bad cosignature), CONSTAT_ENOTFOUND (404), CONSTAT_EINVAL (400),
 * CONSTAT_EIO (network, other status). CONSTAT_ENOTFOUND also when no
 * witness is configured. */
constat_status constat_publish_run(constat_vault *v, int64_t now, constat_publish_post_fn post,
                                   void *post_ctx, constat_publish_fn report, void *report_ctx,
                                   constat_error *err) CONSTAT_WARN_UNUSED;

/* The cosigned checkpoint: the newest stored signed checkpoint with the
 * stored cosignature lines for its size appended (a C2SP note with several
 * signatures, as tlog-witness suggests clients assemble it), appended to
 * out; *ncosigs (may be NULL) gets the number of cosignatures.
 * Errors: CONSTAT_ENOTFOUND (no checkpoint yet), CONSTAT_EIO,
 * CONSTAT_ENOMEM. */
constat_status constat_publish_cosigned(constat_vault *v, constat_buf *out, size_t *ncosigs,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

#endif
