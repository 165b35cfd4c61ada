/*
 * witness_http.h — `constat witness serve`: the C2SP tlog-witness HTTP
 * interface (POST /add-checkpoint) on libmicrohttpd, a thin front over
 * constat_witness_add_checkpoint (witness.h, docs/witness.md).
 */
#ifndef CONSTAT_WITNESS_HTTP_H
#define CONSTAT_WITNESS_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "constat/log/note.h"
#include "constat/vault/vault.h"

typedef struct witness_http witness_http;

typedef struct {
    constat_vault *vault;              /* used from the server thread only */
    const constat_note_signer *key;    /* the witness key (alg 0x04) */
    int64_t (*now)(void);              /* cosignature time, seconds */
    FILE *log;                         /* one line per request (may be NULL) */
} witness_http_config;

/* Listen on `listen` ("IPV4:PORT"; port 0 picks a free port) and serve in
 * a background thread, one request at a time (so the vault needs no lock
 * in this process; other processes serialize on the database). *port gets
 * the bound port. `cfg` must outlive the server. On failure writes a
 * message into errbuf and returns -1. */
int witness_http_start(const witness_http_config *cfg, const char *listen, witness_http **out,
                       unsigned *port, char *errbuf, size_t cap);
/* The add-checkpoint exchange without the HTTP transport, for every server
 * that offers it (`constat witness serve`, `constat serve`): the request
 * body `body` (len bytes) is answered into `out` (appended), with its
 * content type in *type (static) and a one-line log message in msg[cap].
 * Returns the HTTP status (200, 400, 403, 404, 409, 422, 500, ...). */
unsigned witness_http_add_checkpoint(const witness_http_config *cfg, const uint8_t *body,
                                     size_t len, constat_buf *out, const char **type,
                                     char *msg, size_t cap);

/* The same for constat's POST /constat/add-key-transition (witness.h: the
 * request carries the log key transitions from the key the witness pins). */
unsigned witness_http_add_key_transition(const witness_http_config *cfg, const uint8_t *body,
                                         size_t len, constat_buf *out, const char **type,
                                         char *msg, size_t cap);

/* Stop accepting, finish the request in progress, free the server. */
void witness_http_stop(witness_http *s);

#endif
