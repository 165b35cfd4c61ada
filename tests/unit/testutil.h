/* testutil.h — helpers shared by the cmocka unit tests. */
#ifndef CONSTAT_TESTUTIL_H
#define CONSTAT_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "constat/constat.h"

/* Read a whole file under tests/vectors (path relative to it) or an absolute
 * path; fails the test if missing. Returns malloc'd NUL-terminated bytes. */
char *tu_read_vector(const char *relpath, size_t *len);
char *tu_read_file(const char *path, size_t *len);
/* Decode standard base64 into out[cap]; returns length, fails test on error. */
size_t tu_unbase64(const char *b64, uint8_t *out, size_t cap);
/* Parse JSON written with ' for " (readable literals in C strings),
 * duplicates refused; fails the test on bad JSON. New reference. */
json_t *tu_json(const char *text);
/* A fresh empty temporary directory (malloc'd path). */
char *tu_tmpdir(void);
/* rm -rf the directory. */
void tu_rmrf(const char *dir);

/* The database under the vault in `dir`, on whichever backend it is
 * (dir/vault.db, or the PostgreSQL schema dir/store.url names): sql runs
 * one statement (fails the test if it fails), `blob` (NULL: none) bound
 * as ?1 (rewritten $1 for PostgreSQL). dump: its whole content, malloc'd
 * and NUL-terminated (SQLite: the file's bytes, so flush first;
 * PostgreSQL: every row of every table as text, in order). */
void tu_vault_sql(const char *dir, const char *sql, const void *blob, size_t blen);
char *tu_vault_dump(const char *dir, size_t *len);

/* A one-thread HTTP server on 127.0.0.1 (an ephemeral port): it accepts one
 * connection, reads the request (headers and Content-Length body) into
 * `request`, writes `reply` (a whole HTTP response; reply_len 0: strlen)
 * and closes. */
typedef struct {
    int lfd;
    int port;
    const char *reply;
    size_t reply_len;
    char request[8192];
    size_t request_len;
    pthread_t th;
} tu_server;
void tu_server_start(tu_server *s, const char *reply, size_t reply_len);
/* Wait for the one connection to be served (or give up when none came). */
void tu_server_stop(tu_server *s);

#endif
