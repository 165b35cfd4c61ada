/*
 * store_switch.c — which backend a store lives on (see store.h and
 * docs/postgresql.md).
 *
 * A store location is either a file path (SQLite, store_sqlite.c) or a
 * PostgreSQL URL "postgresql://...#SCHEMA" (store_pg.c). A vault folder
 * holds vault.db for the first, or a one-line store.url naming the second.
 * Every constat_store_* function below hands its call to the backend the
 * handle was opened on; the backends name their functions through
 * store_names.h. The switch itself knows no SQL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "vault/store.h"

typedef struct constat_sqlite_store_handle constat_sqlite_store_handle;
typedef struct constat_pg_store_handle constat_pg_store_handle;

struct constat_store {
    constat_sqlite_store_handle *lite; /* exactly one of the two is set */
    constat_pg_store_handle *pg;
};

#define UNPAREN(...) __VA_ARGS__

/* X(name, (parameters after the handle), (arguments after the handle)):
 * every store function of the plain shape "status f(store, ...)". */
#define STORE_FUNCTIONS(X)                                                                        \
    X(begin, (constat_error * err), (err))                                                       \
    X(commit, (constat_error * err), (err))                                                      \
    X(flush, (constat_error * err), (err))                                                       \
    X(compact, (constat_error * err), (err))                                                     \
    X(meta_get, (const char *key, constat_buf *out, constat_error *err), (key, out, err))        \
    X(meta_set, (const char *key, const char *value, constat_error *err), (key, value, err))     \
    X(size, (uint64_t * size, constat_error *err), (size, err))                                  \
    X(find_content, (const uint8_t hash[32], int *found, uint64_t *idx, constat_error *err),     \
      (hash, found, idx, err))                                                                   \
    X(leaf_put,                                                                                  \
      (uint64_t idx, const uint8_t *leaf, size_t len, const char *record_id, const char *kind,   \
       const uint8_t content_hash[32], constat_error *err),                                      \
      (idx, leaf, len, record_id, kind, content_hash, err))                                      \
    X(leaf_get, (uint64_t idx, constat_buf *out, constat_error *err), (idx, out, err))           \
    X(find_id, (const char *record_id, uint64_t *idx, constat_error *err),                       \
      (record_id, idx, err))                                                                     \
    X(leaves,                                                                                    \
      (uint64_t from, uint64_t to, constat_store_leaf_fn fn, void *ctx, constat_error *err),     \
      (from, to, fn, ctx, err))                                                                  \
    X(tile_get,                                                                                  \
      (unsigned level, uint64_t n, uint8_t *hashes, unsigned *width, constat_error *err),        \
      (level, n, hashes, width, err))                                                            \
    X(tile_put,                                                                                  \
      (unsigned level, uint64_t n, unsigned width, const uint8_t *hashes, constat_error *err),   \
      (level, n, width, hashes, err))                                                            \
    X(tile_count, (uint64_t * count, constat_error *err), (count, err))                          \
    X(checkpoint_put, (uint64_t size, const char *note, int64_t created_at, constat_error *err), \
      (size, note, created_at, err))                                                             \
    X(checkpoint_latest, (uint64_t * size, constat_buf *note, constat_error *err),               \
      (size, note, err))                                                                         \
    X(checkpoints, (constat_store_checkpoint_fn fn, void *ctx, constat_error *err),              \
      (fn, ctx, err))                                                                            \
    X(private_put, (const char *record_id, const char *json, constat_error *err),                \
      (record_id, json, err))                                                                    \
    X(private_get, (const char *record_id, constat_buf *out, constat_error *err),                \
      (record_id, out, err))                                                                     \
    X(monitor_put,                                                                               \
      (const char *name, const char *vkey, uint64_t enrol_index, constat_error *err),            \
      (name, vkey, enrol_index, err))                                                            \
    X(monitor_get,                                                                               \
      (const char *name, constat_buf *vkey, uint64_t *enrol_index, constat_error *err),          \
      (name, vkey, enrol_index, err))                                                            \
    X(monitors, (constat_store_monitor_fn fn, void *ctx, constat_error *err), (fn, ctx, err))    \
    X(witness_log_put,                                                                           \
      (const char *origin, const char *vkey, int64_t added_at, constat_error *err),              \
      (origin, vkey, added_at, err))                                                             \
    X(witness_log_vkey, (const char *origin, constat_buf *vkey, constat_error *err),             \
      (origin, vkey, err))                                                                       \
    X(witness_log_rekey, (const char *origin, const char *vkey, constat_error *err),             \
      (origin, vkey, err))                                                                       \
    X(witness_logs, (constat_store_witness_log_fn fn, void *ctx, constat_error *err),            \
      (fn, ctx, err))                                                                            \
    X(witness_state_get,                                                                         \
      (const char *origin, int *found, uint64_t *size, uint8_t root[32], constat_buf *note,      \
       constat_error *err),                                                                      \
      (origin, found, size, root, note, err))                                                    \
    X(witness_state_put,                                                                         \
      (const char *origin, uint64_t size, const uint8_t root[32], const char *note,              \
       int64_t updated_at, constat_error *err),                                                  \
      (origin, size, root, note, updated_at, err))                                               \
    X(witness_alert_put,                                                                         \
      (const char *origin, const char *note_a, const char *note_b, const char *reason,           \
       int64_t created_at, constat_error *err),                                                  \
      (origin, note_a, note_b, reason, created_at, err))                                         \
    X(witness_alerts, (constat_store_witness_alert_fn fn, void *ctx, constat_error *err),        \
      (fn, ctx, err))                                                                            \
    X(publish_witness_put,                                                                       \
      (const char *name, const char *url, const char *vkey, constat_error *err),                 \
      (name, url, vkey, err))                                                                    \
    X(publish_witness_get,                                                                       \
      (const char *name, constat_buf *url, constat_buf *vkey, uint64_t *cosigned,                \
       constat_error *err),                                                                      \
      (name, url, vkey, cosigned, err))                                                          \
    X(publish_witnesses, (constat_store_publish_witness_fn fn, void *ctx, constat_error *err),   \
      (fn, ctx, err))                                                                            \
    X(cosignature_put,                                                                           \
      (uint64_t size, const char *witness, const char *line, size_t len, int64_t received_at,    \
       constat_error *err),                                                                      \
      (size, witness, line, len, received_at, err))                                              \
    X(cosignatures,                                                                              \
      (uint64_t size, constat_store_cosignature_fn fn, void *ctx, constat_error *err),           \
      (size, fn, ctx, err))                                                                      \
    X(tsa_config_put,                                                                            \
      (const constat_store_tsa_config *c, int64_t added_at, constat_error *err),                 \
      (c, added_at, err))                                                                        \
    X(tsa_configs, (constat_store_tsa_config_fn fn, void *ctx, constat_error *err),              \
      (fn, ctx, err))                                                                            \
    X(tsa_token_put, (const constat_store_tsa_token *t, constat_error *err), (t, err))           \
    X(tsa_tokens, (constat_store_tsa_token_fn fn, void *ctx, constat_error *err), (fn, ctx, err)) \
    X(private_erase, (const char *record_id, int *erased, constat_error *err),                   \
      (record_id, erased, err))                                                                  \
    X(account_put,                                                                               \
      (const char *name, const char *role, const char *pwhash, int64_t created_at,               \
       constat_error *err),                                                                      \
      (name, role, pwhash, created_at, err))                                                     \
    X(account_get,                                                                               \
      (const char *name, constat_buf *role, constat_buf *pwhash, int *disabled,                  \
       constat_error *err),                                                                      \
      (name, role, pwhash, disabled, err))                                                       \
    X(account_update, (const char *name, const char *pwhash, int disabled, constat_error *err),  \
      (name, pwhash, disabled, err))                                                             \
    X(accounts, (constat_store_account_fn fn, void *ctx, constat_error *err), (fn, ctx, err))    \
    X(audit_put,                                                                                 \
      (int64_t at, const char *account, const char *address, const char *action,                 \
       const char *detail, constat_error *err),                                                  \
      (at, account, address, action, detail, err))                                               \
    X(audits, (constat_store_audit_fn fn, void *ctx, constat_error *err), (fn, ctx, err))        \
    X(enrol_code_put,                                                                            \
      (const uint8_t code_hash[32], const char *monitor, int64_t expires_at, constat_error *err), \
      (code_hash, monitor, expires_at, err))                                                     \
    X(enrol_code_take,                                                                           \
      (const uint8_t code_hash[32], int64_t now, constat_buf *monitor, constat_error *err),      \
      (code_hash, now, monitor, err))

/* the backends' own functions (store_names.h gives them these names) */
#define DECLARE(name, params, args)                                                               \
    constat_status constat_sqlite_store_##name(constat_sqlite_store_handle *s, UNPAREN params);  \
    constat_status constat_pg_store_##name(constat_pg_store_handle *s, UNPAREN params);
STORE_FUNCTIONS(DECLARE)
constat_status constat_sqlite_store_create(const char *path, constat_sqlite_store_handle **out,
                                           constat_error *err);
constat_status constat_sqlite_store_open(const char *path, constat_sqlite_store_handle **out,
                                         constat_error *err);
void constat_sqlite_store_close(constat_sqlite_store_handle *s);
void constat_sqlite_store_rollback(constat_sqlite_store_handle *s);
constat_status constat_pg_store_create(const char *url, constat_pg_store_handle **out,
                                       constat_error *err);
constat_status constat_pg_store_open(const char *url, constat_pg_store_handle **out,
                                     constat_error *err);
void constat_pg_store_close(constat_pg_store_handle *s);
void constat_pg_store_rollback(constat_pg_store_handle *s);

#define DISPATCH(name, params, args)                                                              \
    constat_status constat_store_##name(constat_store *s, UNPAREN params)                        \
    {                                                                                            \
        return s->pg ? constat_pg_store_##name(s->pg, UNPAREN args)                              \
                     : constat_sqlite_store_##name(s->lite, UNPAREN args);                       \
    }
STORE_FUNCTIONS(DISPATCH)

int constat_store_is_url(const char *location)
{
    return location && (strncmp(location, "postgresql://", 13) == 0 ||
                        strncmp(location, "postgres://", 11) == 0);
}

static constat_status start(const char *location, int creating, constat_store **out,
                            constat_error *err)
{
    constat_store *s;
    constat_status st;

    *out = NULL;
    s = calloc(1, sizeof *s);
    if (!s)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (constat_store_is_url(location))
        st = creating ? constat_pg_store_create(location, &s->pg, err)
                      : constat_pg_store_open(location, &s->pg, err);
    else
        st = creating ? constat_sqlite_store_create(location, &s->lite, err)
                      : constat_sqlite_store_open(location, &s->lite, err);
    if (st != CONSTAT_OK) {
        free(s);
        return st;
    }
    *out = s;
    return CONSTAT_OK;
}

constat_status constat_store_create(const char *path, constat_store **out, constat_error *err)
{
    return start(path, 1, out, err);
}

constat_status constat_store_open(const char *path, constat_store **out, constat_error *err)
{
    return start(path, 0, out, err);
}

void constat_store_close(constat_store *s)
{
    if (!s)
        return;
    if (s->pg)
        constat_pg_store_close(s->pg);
    else
        constat_sqlite_store_close(s->lite);
    free(s);
}

void constat_store_rollback(constat_store *s)
{
    if (s->pg)
        constat_pg_store_rollback(s->pg);
    else
        constat_sqlite_store_rollback(s->lite);
}

const char *constat_store_backend(const constat_store *s)
{
    return s->pg ? "postgresql" : "sqlite";
}

/* ---- the vault folder: vault.db, or store.url naming a PostgreSQL store ---- */

#define STORE_URL_FILE "store.url"
#define STORE_URL_MAX 2048

static constat_status join(char *out, size_t n, const char *dir, const char *name,
                           constat_error *err)
{
    if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n)
        return constat_error_set(err, CONSTAT_ELIMIT, "path too long: %s/%s", dir, name);
    return CONSTAT_OK;
}

/* Read DIR/store.url (one line) into loc[n]: OK, ENOTFOUND (no such file),
 * EIO, EINVAL (not a PostgreSQL URL). */
static constat_status read_url(const char *dir, char *loc, size_t n, constat_error *err)
{
    char path[4096];
    FILE *f;
    size_t len;
    constat_status st = join(path, sizeof path, dir, STORE_URL_FILE, err);
    if (st != CONSTAT_OK)
        return st;
    f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? CONSTAT_ENOTFOUND
                               : constat_error_set(err, CONSTAT_EIO, "%s: %s", path,
                                                   strerror(errno));
    if (!fgets(loc, (int)n, f)) {
        fclose(f);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: empty", path);
    }
    fclose(f);
    len = strlen(loc);
    while (len > 0 && (loc[len - 1] == '\n' || loc[len - 1] == '\r'))
        loc[--len] = '\0';
    if (!constat_store_is_url(loc))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: line 1: not a postgresql:// URL", path);
    return CONSTAT_OK;
}

constat_status constat_store_locate(const char *dir, char *loc, size_t n, constat_error *err)
{
    constat_status st = read_url(dir, loc, n, err);
    if (st == CONSTAT_ENOTFOUND)
        return join(loc, n, dir, "vault.db", err);
    return st;
}

int constat_store_in(const char *dir)
{
    char path[4096];
    if (join(path, sizeof path, dir, "vault.db", NULL) == CONSTAT_OK && access(path, F_OK) == 0)
        return 1;
    return join(path, sizeof path, dir, STORE_URL_FILE, NULL) == CONSTAT_OK &&
           access(path, F_OK) == 0;
}

constat_status constat_store_open_in(const char *dir, constat_store **out, constat_error *err)
{
    char loc[STORE_URL_MAX];
    constat_status st = constat_store_locate(dir, loc, sizeof loc, err);
    *out = NULL;
    return st ? st : constat_store_open(loc, out, err);
}

/* Write DIR/store.url (mode 0600: the URL may carry a password), synced. */
static constat_status write_url(const char *dir, const char *loc, constat_error *err)
{
    char path[4096];
    size_t len = strlen(loc);
    int fd, bad;
    constat_status st = join(path, sizeof path, dir, STORE_URL_FILE, err);
    if (st != CONSTAT_OK)
        return st;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return constat_error_set(err, errno == EEXIST ? CONSTAT_ECONFLICT : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    bad = write(fd, loc, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0;
    if (close(fd) != 0)
        bad = 1;
    if (bad) {
        st = constat_error_set(err, CONSTAT_EIO, "cannot write %s: %s", path, strerror(errno));
        unlink(path);
    }
    return st;
}

constat_status constat_store_create_in(const char *dir, const char *url, constat_store **out,
                                       constat_error *err)
{
    char loc[STORE_URL_MAX];
    constat_status st;

    *out = NULL;
    if (!url || !url[0]) {
        st = join(loc, sizeof loc, dir, "vault.db", err);
        return st ? st : constat_store_create(loc, out, err);
    }
    if (!constat_store_is_url(url))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "store \"%.200s\" is not a postgresql:// URL", url);
    if (strchr(url, '#')) {
        if (strlen(url) >= sizeof loc)
            return constat_error_set(err, CONSTAT_ELIMIT, "store URL longer than %d bytes",
                                     STORE_URL_MAX - 1);
        memcpy(loc, url, strlen(url) + 1);
    } else {
        /* a schema of its own: several vaults may share one database */
        uint8_t r[8];
        char hex[17];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(hex, sizeof hex, r, sizeof r);
        if ((size_t)snprintf(loc, sizeof loc, "%s#vault_%s", url, hex) >= sizeof loc)
            return constat_error_set(err, CONSTAT_ELIMIT, "store URL longer than %d bytes",
                                     STORE_URL_MAX - 1);
    }
    st = constat_store_create(loc, out, err);
    if (st == CONSTAT_OK)
        st = write_url(dir, loc, err);
    if (st != CONSTAT_OK && *out) {
        constat_store_close(*out);
        *out = NULL;
    }
    return st;
}
