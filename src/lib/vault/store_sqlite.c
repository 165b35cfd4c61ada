/*
 * store_sqlite.c — the vault's storage on one SQLite file (see store.h and
 * docs/vault.md).
 *
 * Durability: WAL with synchronous=FULL, so a COMMIT that returned has been
 * fsync'd (docs/architecture.md, "Library traps": NORMAL may lose the last transactions on power loss).
 * Tables are STRICT so a wrong type is refused rather than silently stored.
 * Statements used per leaf are prepared once and reused; iterations prepare
 * their own statement so they can run while other statements are used from
 * their callbacks (verify reads tiles while walking leaves).
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* this backend's names for the store functions (store_names.h) */
#define STORE_PREFIX constat_sqlite_store_
#include "vault/store_names.h"
#include "vault/store.h"

long constat_store_fault_countdown = 0;
/* What step() returns for an injected fault: no SQLite result code is negative. */
#define INJECTED_FAULT (-1)

enum {
    Q_BEGIN, Q_COMMIT, Q_META_GET, Q_META_SET, Q_SIZE, Q_FIND_CONTENT, Q_LEAF_PUT, Q_LEAF_GET,
    Q_FIND_ID, Q_TILE_GET, Q_TILE_PUT, Q_TILE_COUNT, Q_CP_PUT, Q_CP_LATEST, Q_PRIV_PUT,
    Q_PRIV_GET, Q_MON_PUT, Q_MON_GET, Q_WLOG_PUT, Q_WLOG_VKEY, Q_WLOG_REKEY, Q_WSTATE_GET,
    Q_WSTATE_PUT,
    Q_WALERT_PUT, Q_PUBW_PUT, Q_PUBW_GET, Q_COSIG_PUT, Q_TSA_PUT, Q_TOKEN_PUT, Q_AUDIT_PUT, Q__N
};

static const char *const sql_text[Q__N] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [Q_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
    [Q_SIZE] = "SELECT max(idx) FROM leaves",
    [Q_FIND_CONTENT] = "SELECT idx FROM leaves WHERE content_hash = ?1",
    [Q_LEAF_PUT] = "INSERT INTO leaves(idx, leaf, record_id, kind, content_hash) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_LEAF_GET] = "SELECT leaf FROM leaves WHERE idx = ?1",
    [Q_FIND_ID] = "SELECT idx FROM leaves WHERE record_id = ?1",
    [Q_TILE_GET] = "SELECT width, hashes FROM tiles WHERE level = ?1 AND idx = ?2",
    [Q_TILE_PUT] = "INSERT OR REPLACE INTO tiles(level, idx, width, hashes) "
                   "VALUES (?1, ?2, ?3, ?4)",
    [Q_TILE_COUNT] = "SELECT count(*) FROM tiles",
    [Q_CP_PUT] = "INSERT INTO checkpoints(size, note, created_at) VALUES (?1, ?2, ?3)",
    [Q_CP_LATEST] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
    [Q_PRIV_PUT] = "INSERT OR REPLACE INTO private_values(record_id, value_json) VALUES (?1, ?2)",
    [Q_PRIV_GET] = "SELECT value_json FROM private_values WHERE record_id = ?1",
    [Q_MON_PUT] = "INSERT INTO monitors(name, vkey, enrol_index) VALUES (?1, ?2, ?3)",
    [Q_MON_GET] = "SELECT vkey, enrol_index FROM monitors WHERE name = ?1",
    [Q_WLOG_PUT] = "INSERT INTO witness_logs(origin, vkey, added_at) VALUES (?1, ?2, ?3)",
    [Q_WLOG_VKEY] = "SELECT vkey FROM witness_logs WHERE origin = ?1",
    [Q_WLOG_REKEY] = "UPDATE witness_logs SET vkey = ?2 WHERE origin = ?1",
    [Q_WSTATE_GET] = "SELECT size, root, note FROM witness_state WHERE origin = ?1",
    [Q_WSTATE_PUT] = "INSERT OR REPLACE INTO witness_state(origin, size, root, note, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_WALERT_PUT] = "INSERT INTO witness_alerts(origin, note_a, note_b, reason, created_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_PUBW_PUT] = "INSERT INTO publish_witnesses(name, url, vkey) VALUES (?1, ?2, ?3)",
    [Q_PUBW_GET] = "SELECT url, vkey, coalesce((SELECT max(size) FROM cosignatures c "
                   "WHERE c.witness = w.name), 0) FROM publish_witnesses w WHERE name = ?1",
    [Q_COSIG_PUT] = "INSERT OR REPLACE INTO cosignatures(size, witness, line, received_at) "
                    "VALUES (?1, ?2, ?3, ?4)",
    [Q_TSA_PUT] = "INSERT INTO tsa_configs(name, url, ca, added_at) VALUES (?1, ?2, ?3, ?4)",
    [Q_TOKEN_PUT] = "INSERT INTO tsa_tokens(checkpoint_size, note, note_sha256, tsa_name, url, "
                    "ca, token, gen_time, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    /* one per submission of `constat serve`: kept prepared (accounts_ready first) */
    [Q_AUDIT_PUT] = "INSERT INTO audit(at, account, address, action, detail) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
};

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE leaves(idx INTEGER PRIMARY KEY CHECK (idx >= 0),\n"
    "  leaf BLOB NOT NULL, record_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,\n"
    "  content_hash BLOB NOT NULL UNIQUE CHECK (length(content_hash) = 32)) STRICT;\n"
    "CREATE TABLE tiles(level INTEGER NOT NULL, idx INTEGER NOT NULL,\n"
    "  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256), hashes BLOB NOT NULL,\n"
    "  PRIMARY KEY(level, idx)) STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL) STRICT;\n"
    "CREATE TABLE private_values(record_id TEXT PRIMARY KEY\n"
    "  REFERENCES leaves(record_id), value_json TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE monitors(name TEXT PRIMARY KEY, vkey TEXT NOT NULL,\n"
    "  enrol_index INTEGER NOT NULL REFERENCES leaves(idx)) STRICT;\n";

/* Witness and publish tables (docs/witness.md). Created with IF NOT EXISTS on
 * every open, so vaults made before them gain them; once present this is a
 * no-op that takes no write lock. */
static const char witness_schema[] =
    "CREATE TABLE IF NOT EXISTS witness_logs(origin TEXT PRIMARY KEY,\n"
    "  vkey TEXT NOT NULL, added_at INTEGER NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS witness_state(origin TEXT PRIMARY KEY\n"
    "  REFERENCES witness_logs(origin), size INTEGER NOT NULL CHECK (size >= 0),\n"
    "  root BLOB NOT NULL CHECK (length(root) = 32), note TEXT NOT NULL,\n"
    "  updated_at INTEGER NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS witness_alerts(id INTEGER PRIMARY KEY,\n"
    "  origin TEXT NOT NULL, note_a TEXT NOT NULL, note_b TEXT NOT NULL,\n"
    "  reason TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS publish_witnesses(name TEXT PRIMARY KEY,\n"
    "  url TEXT NOT NULL, vkey TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS cosignatures(size INTEGER NOT NULL\n"
    "  REFERENCES checkpoints(size), witness TEXT NOT NULL\n"
    "  REFERENCES publish_witnesses(name), line TEXT NOT NULL,\n"
    "  received_at INTEGER NOT NULL, PRIMARY KEY(size, witness)) STRICT;\n";

/* Trusted time (docs/time.md): configured RFC 3161 TSAs and the tokens they
 * returned, each over the exact bytes of one signed checkpoint note. Created
 * IF NOT EXISTS on every open, like the witness tables; read and written by
 * tsa.c through the constat_store_tsa_* functions below. */
static const char tsa_schema[] =
    "CREATE TABLE IF NOT EXISTS tsa_configs(name TEXT PRIMARY KEY, url TEXT NOT NULL,\n"
    "  ca BLOB NOT NULL, added_at INTEGER NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS tsa_tokens(id INTEGER PRIMARY KEY,\n"
    "  checkpoint_size INTEGER NOT NULL CHECK (checkpoint_size >= 0),\n"
    "  note BLOB NOT NULL, note_sha256 BLOB NOT NULL CHECK (length(note_sha256) = 32),\n"
    "  tsa_name TEXT NOT NULL, url TEXT NOT NULL, ca BLOB NOT NULL, token BLOB NOT NULL,\n"
    "  gen_time INTEGER NOT NULL, received_at INTEGER NOT NULL) STRICT;\n";

struct constat_store {
    sqlite3 *db;
    int readonly; /* opened read-only: the file or its folder cannot be written */
    int accounts_made; /* accounts_ready ran since the last rollback */
    sqlite3_stmt *q[Q__N];
};

static constat_status db_error(constat_store *s, constat_status code, const char *op,
                               constat_error *err)
{
    /* a write to a vault opened read-only (docs/vault.md "Read-only vaults") */
    if (s && s->db && s->readonly && (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_READONLY)
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: cannot be written (read-only file or folder): "
                                 "this command changes the vault; reading commands work, or "
                                 "copy the vault to a writable place");
    return constat_error_set(err, code, "vault.db: %s: %s", op,
                             s && s->db ? sqlite3_errmsg(s->db) : "cannot open");
}

/* Every step goes through here so the fault hook can fail any one of them. */
static int step(sqlite3_stmt *st)
{
    if (constat_store_fault_countdown > 0 && --constat_store_fault_countdown == 0)
        return INJECTED_FAULT;
    return sqlite3_step(st);
}

static constat_status step_error(constat_store *s, int rc, const char *op, constat_error *err)
{
    if (rc == INJECTED_FAULT)
        return constat_error_set(err, CONSTAT_EIO, "vault.db: %s: injected I/O fault", op);
    return db_error(s, CONSTAT_EIO, op, err);
}

static constat_status prep(constat_store *s, int which, sqlite3_stmt **out, constat_error *err)
{
    if (!s->q[which] &&
        sqlite3_prepare_v3(s->db, sql_text[which], -1, SQLITE_PREPARE_PERSISTENT, &s->q[which],
                           NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "prepare", err);
    sqlite3_reset(s->q[which]);
    sqlite3_clear_bindings(s->q[which]);
    *out = s->q[which];
    return CONSTAT_OK;
}

/* Run a statement that returns no rows, then reset it. */
static constat_status run_done(constat_store *s, sqlite3_stmt *st, const char *op,
                               constat_error *err)
{
    int rc = step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return step_error(s, rc, op, err);
    return CONSTAT_OK;
}

static constat_status configure(constat_store *s, int creating, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int wal = 0;

    sqlite3_extended_result_codes(s->db, 1);
    if (sqlite3_busy_timeout(s->db, 10000) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "busy_timeout", err);
    if (s->readonly) {
        /* nothing is written: no journal mode change, no table created
         * (a vault opened once by this version has them) */
        if (sqlite3_exec(s->db, "PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF; "
                                "PRAGMA cache_size=-65536; SELECT count(*) FROM meta;",
                         NULL, NULL, NULL) != SQLITE_OK)
            return db_error(s, CONSTAT_EIO, "read-only open", err);
        return CONSTAT_OK;
    }
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK) {
        /* WAL needs its -wal and -shm files even to read */
        if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_READONLY)
            return constat_error_set(err, CONSTAT_EIO,
                                     "vault.db: cannot be written (read-only file or folder): "
                                     "constat needs write access to the vault folder even to "
                                     "read it; copy the vault to a writable place");
        return db_error(s, CONSTAT_EIO, "journal_mode", err);
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0);
        wal = m && strcmp((const char *)m, "wal") == 0;
    }
    sqlite3_finalize(st);
    if (!wal)
        return constat_error_set(err, CONSTAT_EIO, "vault.db: cannot switch to WAL mode");
    if (sqlite3_exec(s->db,
                     "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                     "PRAGMA trusted_schema=OFF; "
                     /* a replaced or deleted row (a value sealed in place,
                      * docs/vault.md "Sealed at rest") is overwritten with
                      * zeros, not left in a free page */
                     "PRAGMA secure_delete=ON; "
                     /* a large import inserts into two unique indexes at
                      * random places: a 64 MiB page cache keeps them in
                      * memory instead of re-reading pages per insert */
                     "PRAGMA cache_size=-65536;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "pragma", err);
    if (creating) {
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            constat_status stt = db_error(s, CONSTAT_EIO, "create schema", err);
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return stt;
        }
    }
    if (sqlite3_exec(s->db, witness_schema, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "create witness tables", err);
    if (sqlite3_exec(s->db, tsa_schema, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "create timestamp tables", err);
    return CONSTAT_OK;
}

/* "file:" URI of `path` with `query` (RFC 3986 percent-encoding of every
 * byte but unreserved ones and '/'), into out[cap]; 0, or -1 if too long. */
static int file_uri(const char *path, const char *query, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    int w;

    if (cap < 6)
        return -1;
    memcpy(out, "file:", 5);
    n = 5;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
                    *p == '~' || *p == '/';
        if (n + 4 >= cap)
            return -1;
        if (plain) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    w = snprintf(out + n, cap - n, "?%s", query);
    return w < 0 || (size_t)w >= cap - n ? -1 : 0;
}

/* 1 if the process cannot write `path` or the folder that holds it (where
 * SQLite makes its -wal and -shm files). */
static int cannot_write(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (access(path, W_OK) != 0)
        return 1;
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - path) >= sizeof dir)
        return 0;
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return access(dir, W_OK) != 0;
}

/* Open a vault that cannot be written, read-only (docs/vault.md "Read-only
 * vaults"). With its -wal and -shm files readable (or creatable), SQLite
 * reads it as usual, the write-ahead log included. Otherwise, when there is
 * no write-ahead log with content (a vault closed cleanly has none), the
 * database file holds everything and is opened immutable: a copy on
 * read-only media, or a folder of another owner. A write-ahead log that
 * holds changes but cannot be read with it is refused. */
static constat_status open_readonly(constat_store *s, const char *path, constat_error *err)
{
    char uri[8192], wal[4200];
    struct stat w;
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW |
                SQLITE_OPEN_FULLMUTEX;

    s->readonly = 1;
    if (file_uri(path, "mode=ro", uri, sizeof uri) != 0)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", path);
    if (sqlite3_open_v2(uri, &s->db, flags, NULL) == SQLITE_OK &&
        configure(s, 0, err) == CONSTAT_OK)
        return CONSTAT_OK;
    sqlite3_close_v2(s->db);
    s->db = NULL;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &w) == 0 && w.st_size > 0)
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: cannot be written (read-only file or folder), and "
                                 "its write-ahead log vault.db-wal holds changes that cannot be "
                                 "read without write access: open the vault once with write "
                                 "access (any command), or copy the folder to a writable place");
    if (file_uri(path, "mode=ro&immutable=1", uri, sizeof uri) != 0)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", path);
    if (sqlite3_open_v2(uri, &s->db, flags, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "read-only open", err);
    return configure(s, 0, err);
}

static constat_status store_start(const char *path, int creating, constat_store **out,
                                  constat_error *err)
{
    struct stat stt;
    constat_store *s;
    constat_status st;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;

    *out = NULL;
    if (lstat(path, &stt) == 0) {
        if (creating)
            return constat_error_set(err, CONSTAT_ECONFLICT, "%s already exists", path);
        if (!S_ISREG(stt.st_mode))
            return constat_error_set(err, CONSTAT_EIO, "%s is not a regular file", path);
    } else if (!creating) {
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    }
    if (creating) {
        /* made 0600 here, whatever the umask: SQLite gives the -wal and -shm
         * files the mode of the database file (an empty file is an empty
         * database) */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return constat_error_set(err, errno == EEXIST ? CONSTAT_ECONFLICT : CONSTAT_EIO,
                                     "%s: %s", path, strerror(errno));
        close(fd);
        flags |= SQLITE_OPEN_CREATE;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (!creating && cannot_write(path)) {
        st = open_readonly(s, path, err);
        if (st != CONSTAT_OK) {
            constat_store_close(s);
            return st;
        }
        *out = s;
        return CONSTAT_OK;
    }
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        st = db_error(s, CONSTAT_EIO, "open", err);
        constat_store_close(s);
        return st;
    }
    st = configure(s, creating, err);
    if (st != CONSTAT_OK) {
        constat_store_close(s);
        return st;
    }
    *out = s;
    return CONSTAT_OK;
}

constat_status constat_store_create(const char *path, constat_store **out, constat_error *err)
{
    return store_start(path, 1, out, err);
}

constat_status constat_store_open(const char *path, constat_store **out, constat_error *err)
{
    return store_start(path, 0, out, err);
}

void constat_store_close(constat_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < Q__N; i++)
        sqlite3_finalize(s->q[i]);
    sqlite3_close_v2(s->db);
    free(s);
}

constat_status constat_store_begin(constat_store *s, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_BEGIN, &st, err);
    return r ? r : run_done(s, st, "begin", err);
}

constat_status constat_store_commit(constat_store *s, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_COMMIT, &st, err);
    return r ? r : run_done(s, st, "commit", err);
}

void constat_store_rollback(constat_store *s)
{
    s->accounts_made = 0; /* tables made in the rolled-back transaction are gone */
    for (int i = 0; i < Q__N; i++)
        if (s->q[i])
            sqlite3_reset(s->q[i]);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

constat_status constat_store_flush(constat_store *s, constat_error *err)
{
    if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
        SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "wal checkpoint", err);
    return CONSTAT_OK;
}

constat_status constat_store_compact(constat_store *s, constat_error *err)
{
    if (sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "vacuum", err);
    return constat_store_flush(s, err);
}

/* Append column `col` (text or blob) to out. */
static constat_status column_to_buf(sqlite3_stmt *st, int col, constat_buf *out,
                                    constat_error *err)
{
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (n > 0 && constat_buf_append(out, p, (size_t)n) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (n == 0 && constat_buf_reserve(out, 1) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

/* Single-row lookup: binds done by caller; returns OK with row, ENOTFOUND, EIO. */
static constat_status row(constat_store *s, sqlite3_stmt *st, const char *op,
                          constat_error *err)
{
    int rc = step(st);
    if (rc == SQLITE_ROW)
        return CONSTAT_OK;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_ENOTFOUND;
    return step_error(s, rc, op, err);
}

constat_status constat_store_meta_get(constat_store *s, const char *key, constat_buf *out,
                                      constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_META_GET, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    r = row(s, st, "read meta", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "vault.db: meta has no \"%s\"", key);
    if (r)
        return r;
    r = column_to_buf(st, 0, out, err);
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_meta_set(constat_store *s, const char *key, const char *value,
                                      constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_META_SET, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return run_done(s, st, "write meta", err);
}

constat_status constat_store_size(constat_store *s, uint64_t *size, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_SIZE, &st, err);
    if (r)
        return r;
    r = row(s, st, "tree size", err);
    if (r)
        return r == CONSTAT_ENOTFOUND ? db_error(s, CONSTAT_EIO, "tree size", err) : r;
    if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        *size = 0;
    } else {
        sqlite3_int64 m = sqlite3_column_int64(st, 0);
        if (m < 0) {
            sqlite3_reset(st);
            return constat_error_set(err, CONSTAT_EIO, "vault.db: negative leaf index");
        }
        *size = (uint64_t)m + 1;
    }
    sqlite3_reset(st);
    return CONSTAT_OK;
}

constat_status constat_store_find_content(constat_store *s, const uint8_t hash[32], int *found,
                                          uint64_t *idx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_FIND_CONTENT, &st, err);
    if (r)
        return r;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    r = row(s, st, "find content hash", err);
    *found = 0;
    if (r == CONSTAT_ENOTFOUND)
        return CONSTAT_OK;
    if (r)
        return r;
    *found = 1;
    *idx = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return CONSTAT_OK;
}

constat_status constat_store_find_id(constat_store *s, const char *record_id, uint64_t *idx,
                                     constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_FIND_ID, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
    r = row(s, st, "find record id", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no record \"%s\" in the log", record_id);
    if (r)
        return r;
    *idx = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return CONSTAT_OK;
}

constat_status constat_store_leaf_put(constat_store *s, uint64_t idx, const uint8_t *leaf,
                                      size_t len, const char *record_id, const char *kind,
                                      const uint8_t content_hash[32], constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep(s, Q_LEAF_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 2, leaf, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, record_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, content_hash, 32, SQLITE_STATIC);
    rc = step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT) {
        uint64_t other = 0;
        if (constat_store_find_id(s, record_id, &other, NULL) == CONSTAT_OK)
            return constat_error_set(err, CONSTAT_ECONFLICT,
                                     "record id \"%s\" is already used by leaf %llu with other "
                                     "content",
                                     record_id, (unsigned long long)other);
    }
    return step_error(s, rc, "insert leaf", err);
}

constat_status constat_store_leaf_get(constat_store *s, uint64_t idx, constat_buf *out,
                                      constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_LEAF_GET, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    r = row(s, st, "read leaf", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no leaf %llu", (unsigned long long)idx);
    if (r)
        return r;
    r = column_to_buf(st, 0, out, err);
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_leaves(constat_store *s, uint64_t from, uint64_t to,
                                    constat_store_leaf_fn fn, void *ctx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = CONSTAT_OK;
    int rc;

    if (sqlite3_prepare_v2(s->db,
                           "SELECT idx, leaf, record_id, kind, content_hash FROM leaves "
                           "WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "prepare", err);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(from > INT64_MAX ? INT64_MAX : from));
    sqlite3_bind_int64(st, 2, (sqlite3_int64)(to > INT64_MAX ? INT64_MAX : to));
    while ((rc = step(st)) == SQLITE_ROW) {
        constat_store_leaf lf;
        static const uint8_t empty[1];
        lf.idx = (uint64_t)sqlite3_column_int64(st, 0);
        lf.leaf = sqlite3_column_blob(st, 1);
        lf.len = (size_t)sqlite3_column_bytes(st, 1);
        if (!lf.leaf)
            lf.leaf = empty;
        lf.record_id = (const char *)sqlite3_column_text(st, 2);
        lf.kind = (const char *)sqlite3_column_text(st, 3);
        lf.content_hash = sqlite3_column_bytes(st, 4) == 32 ? sqlite3_column_blob(st, 4) : NULL;
        if (!lf.record_id)
            lf.record_id = "";
        if (!lf.kind)
            lf.kind = "";
        if (fn(ctx, &lf) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = step_error(s, rc, "read leaves", err);
    sqlite3_finalize(st);
    return r;
}

constat_status constat_store_tile_get(constat_store *s, unsigned level, uint64_t n,
                                      uint8_t *hashes, unsigned *width, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 w;
    int bytes;
    constat_status r = prep(s, Q_TILE_GET, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
    r = row(s, st, "read tile", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no tile %u/%llu", level, (unsigned long long)n);
    if (r)
        return r;
    w = sqlite3_column_int64(st, 0);
    bytes = sqlite3_column_bytes(st, 1);
    if (w < 1 || w > 256 || bytes != (int)w * 32) {
        sqlite3_reset(st);
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: tile %u/%llu: width %lld with %d bytes of hashes",
                                 level, (unsigned long long)n, (long long)w, bytes);
    }
    memcpy(hashes, sqlite3_column_blob(st, 1), (size_t)bytes);
    *width = (unsigned)w;
    sqlite3_reset(st);
    return CONSTAT_OK;
}

constat_status constat_store_tile_put(constat_store *s, unsigned level, uint64_t n,
                                      unsigned width, const uint8_t *hashes, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_TILE_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, level);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
    sqlite3_bind_int64(st, 3, width);
    sqlite3_bind_blob(st, 4, hashes, (int)width * 32, SQLITE_STATIC);
    return run_done(s, st, "write tile", err);
}

constat_status constat_store_tile_count(constat_store *s, uint64_t *count, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_TILE_COUNT, &st, err);
    if (r)
        return r;
    r = row(s, st, "count tiles", err);
    if (r)
        return r == CONSTAT_ENOTFOUND ? db_error(s, CONSTAT_EIO, "count tiles", err) : r;
    *count = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return CONSTAT_OK;
}

constat_status constat_store_checkpoint_put(constat_store *s, uint64_t size, const char *note,
                                            int64_t created_at, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_CP_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, created_at);
    return run_done(s, st, "store checkpoint", err);
}

constat_status constat_store_checkpoint_latest(constat_store *s, uint64_t *size,
                                               constat_buf *note, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_CP_LATEST, &st, err);
    if (r)
        return r;
    r = row(s, st, "read checkpoint", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no checkpoint yet");
    if (r)
        return r;
    *size = (uint64_t)sqlite3_column_int64(st, 0);
    r = note ? column_to_buf(st, 1, note, err) : CONSTAT_OK;
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_checkpoints(constat_store *s, constat_store_checkpoint_fn fn,
                                         void *ctx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = CONSTAT_OK;
    int rc;

    if (sqlite3_prepare_v2(s->db, "SELECT size, note FROM checkpoints ORDER BY size", -1, &st,
                           NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "prepare", err);
    while ((rc = step(st)) == SQLITE_ROW) {
        const char *note = (const char *)sqlite3_column_text(st, 1);
        if (fn(ctx, (uint64_t)sqlite3_column_int64(st, 0), note ? note : "",
               (size_t)sqlite3_column_bytes(st, 1)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = step_error(s, rc, "read checkpoints", err);
    sqlite3_finalize(st);
    return r;
}

constat_status constat_store_private_put(constat_store *s, const char *record_id,
                                         const char *json, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_PRIV_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
    return run_done(s, st, "store private values", err);
}

constat_status constat_store_private_erase(constat_store *s, const char *record_id,
                                           int *erased, constat_error *err)
{
    /* secure_delete zeroes the freed content of the pages it touches; the
     * UPDATE first overwrites the value in place with as many '0' bytes
     * (the column is TEXT), so that no page keeps it */
#define ZERO_FILL                                                                          \
    "UPDATE private_values SET value_json = substr(hex(zeroblob(length(CAST(value_json "   \
    "AS BLOB)))), 1, length(CAST(value_json AS BLOB))) WHERE record_id = ?1"
    static const char *const sql[] = {"PRAGMA secure_delete=ON", ZERO_FILL,
                                      "DELETE FROM private_values WHERE record_id = ?1",
                                      "PRAGMA secure_delete=OFF"};
#undef ZERO_FILL
    constat_status r = CONSTAT_OK;

    if (erased)
        *erased = 0;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && r == CONSTAT_OK; i++) {
        sqlite3_stmt *st = NULL;
        int rc;
        if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK) {
            r = constat_error_set(err, CONSTAT_EIO, "vault.db: erase private values: %s",
                                  sqlite3_errmsg(s->db));
            break;
        }
        if (i == 1 || i == 2)
            sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            r = constat_error_set(err, CONSTAT_EIO, "vault.db: erase private values of "
                                  "\"%s\": %s", record_id, sqlite3_errmsg(s->db));
        else if (i == 2 && erased)
            *erased = sqlite3_changes(s->db) > 0;
        sqlite3_finalize(st);
    }
    return r;
}

constat_status constat_store_private_get(constat_store *s, const char *record_id,
                                         constat_buf *out, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_PRIV_GET, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
    r = row(s, st, "read private values", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no private values for \"%s\"", record_id);
    if (r)
        return r;
    r = column_to_buf(st, 0, out, err);
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_monitor_put(constat_store *s, const char *name, const char *vkey,
                                         uint64_t enrol_index, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep(s, Q_MON_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)enrol_index);
    rc = step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return constat_error_set(err, CONSTAT_ECONFLICT, "monitor \"%s\" is already enrolled",
                                 name);
    return step_error(s, rc, "insert monitor", err);
}

constat_status constat_store_monitor_get(constat_store *s, const char *name, constat_buf *vkey,
                                         uint64_t *enrol_index, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_MON_GET, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    r = row(s, st, "read monitor", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no monitor \"%s\" is enrolled", name);
    if (r)
        return r;
    if (enrol_index)
        *enrol_index = (uint64_t)sqlite3_column_int64(st, 1);
    r = vkey ? column_to_buf(st, 0, vkey, err) : CONSTAT_OK;
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_monitors(constat_store *s, constat_store_monitor_fn fn, void *ctx,
                                      constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = CONSTAT_OK;
    int rc;

    if (sqlite3_prepare_v2(s->db, "SELECT name, vkey, enrol_index FROM monitors ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "prepare", err);
    while ((rc = step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *vkey = (const char *)sqlite3_column_text(st, 1);
        if (fn(ctx, name ? name : "", vkey ? vkey : "",
               (uint64_t)sqlite3_column_int64(st, 2)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = step_error(s, rc, "read monitors", err);
    sqlite3_finalize(st);
    return r;
}

/* ---- iteration helper ---- */

/* Prepare a statement of its own for an iteration (so callbacks may use the
 * cached ones); the caller binds, steps with step() and finalizes. */
static constat_status prep_own(constat_store *s, const char *sql, sqlite3_stmt **st,
                               constat_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "prepare", err);
    return CONSTAT_OK;
}

static const char *text_or_empty(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

/* The end of an iteration: rc is the last step's result (SQLITE_DONE when
 * the callback stopped it). */
static constat_status iter_end(constat_store *s, sqlite3_stmt *st, int rc, const char *op,
                               constat_error *err)
{
    constat_status r = CONSTAT_OK;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = step_error(s, rc, op, err);
    sqlite3_finalize(st);
    return r;
}

/* ---- witness tables ---- */

constat_status constat_store_witness_log_put(constat_store *s, const char *origin,
                                             const char *vkey, int64_t added_at,
                                             constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep(s, Q_WLOG_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, added_at);
    rc = step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return constat_error_set(err, CONSTAT_ECONFLICT, "the log \"%s\" is already witnessed",
                                 origin);
    return step_error(s, rc, "add witnessed log", err);
}

constat_status constat_store_witness_log_vkey(constat_store *s, const char *origin,
                                              constat_buf *vkey, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_WLOG_VKEY, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    r = row(s, st, "read witnessed log", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "unknown log \"%.200s\"", origin);
    if (r)
        return r;
    r = column_to_buf(st, 0, vkey, err);
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_witness_log_rekey(constat_store *s, const char *origin,
                                               const char *vkey, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_WLOG_REKEY, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
    return run_done(s, st, "update witnessed log key", err);
}

constat_status constat_store_witness_logs(constat_store *s, constat_store_witness_log_fn fn,
                                          void *ctx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_own(s,
                                "SELECT l.origin, l.vkey, coalesce(s.size, 0) FROM witness_logs l "
                                "LEFT JOIN witness_state s ON s.origin = l.origin "
                                "ORDER BY l.origin",
                                &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW)
        if (fn(ctx, text_or_empty(st, 0), text_or_empty(st, 1),
               (uint64_t)sqlite3_column_int64(st, 2)) != 0)
            break;
    return iter_end(s, st, rc, "read witnessed logs", err);
}

constat_status constat_store_witness_state_get(constat_store *s, const char *origin, int *found,
                                               uint64_t *size, uint8_t root[32],
                                               constat_buf *note, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    const void *rt;
    const unsigned char *nt;
    constat_status r = prep(s, Q_WSTATE_GET, &st, err);
    *found = 0;
    if (r)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    r = row(s, st, "read witness state", err);
    if (r == CONSTAT_ENOTFOUND)
        return CONSTAT_OK;
    if (r)
        return r;
    rt = sqlite3_column_blob(st, 1);
    nt = sqlite3_column_text(st, 2);
    if (!rt || sqlite3_column_bytes(st, 1) != 32 || !nt) {
        sqlite3_reset(st);
        return constat_error_set(err, CONSTAT_EIO, "vault.db: witness state of \"%s\" is "
                                                   "damaged",
                                 origin);
    }
    *size = (uint64_t)sqlite3_column_int64(st, 0);
    memcpy(root, rt, 32);
    r = column_to_buf(st, 2, note, err);
    sqlite3_reset(st);
    if (r == CONSTAT_OK)
        *found = 1;
    return r;
}

constat_status constat_store_witness_state_put(constat_store *s, const char *origin,
                                               uint64_t size, const uint8_t root[32],
                                               const char *note, int64_t updated_at,
                                               constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_WSTATE_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
    sqlite3_bind_blob(st, 3, root, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, updated_at);
    return run_done(s, st, "update witness state", err);
}

constat_status constat_store_witness_alert_put(constat_store *s, const char *origin,
                                               const char *note_a, const char *note_b,
                                               const char *reason, int64_t created_at,
                                               constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_WALERT_PUT, &st, err);
    if (r)
        return r;
    /* a NULL pointer binds SQL NULL, which NOT NULL refuses */
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, note_a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, note_b, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, created_at);
    return run_done(s, st, "record alert", err);
}

constat_status constat_store_witness_alerts(constat_store *s, constat_store_witness_alert_fn fn,
                                            void *ctx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_own(s,
                                "SELECT id, origin, reason, created_at, note_a, note_b "
                                "FROM witness_alerts ORDER BY id",
                                &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(st, 0), text_or_empty(st, 1), text_or_empty(st, 2),
               sqlite3_column_int64(st, 3), text_or_empty(st, 4), text_or_empty(st, 5)) != 0)
            break;
    return iter_end(s, st, rc, "read witness alerts", err);
}

/* ---- publish tables ---- */

constat_status constat_store_publish_witness_put(constat_store *s, const char *name,
                                                 const char *url, const char *vkey,
                                                 constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep(s, Q_PUBW_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, vkey, -1, SQLITE_STATIC);
    rc = step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return constat_error_set(err, CONSTAT_ECONFLICT, "a witness named \"%s\" is configured",
                                 name);
    return step_error(s, rc, "add witness", err);
}

constat_status constat_store_publish_witness_get(constat_store *s, const char *name,
                                                 constat_buf *url, constat_buf *vkey,
                                                 uint64_t *cosigned, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_PUBW_GET, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    r = row(s, st, "read witness", err);
    if (r == CONSTAT_ENOTFOUND)
        return constat_error_set(err, r, "no witness \"%.200s\" is configured", name);
    if (r)
        return r;
    if (url)
        r = column_to_buf(st, 0, url, err);
    if (r == CONSTAT_OK && vkey)
        r = column_to_buf(st, 1, vkey, err);
    if (r == CONSTAT_OK && cosigned)
        *cosigned = (uint64_t)sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    return r;
}

constat_status constat_store_publish_witnesses(constat_store *s,
                                               constat_store_publish_witness_fn fn, void *ctx,
                                               constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_own(s,
                                "SELECT w.name, w.url, w.vkey, coalesce((SELECT max(size) FROM "
                                "cosignatures c WHERE c.witness = w.name), 0) "
                                "FROM publish_witnesses w ORDER BY w.name",
                                &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW)
        if (fn(ctx, text_or_empty(st, 0), text_or_empty(st, 1), text_or_empty(st, 2),
               (uint64_t)sqlite3_column_int64(st, 3)) != 0)
            break;
    return iter_end(s, st, rc, "read witnesses", err);
}

constat_status constat_store_cosignature_put(constat_store *s, uint64_t size,
                                             const char *witness, const char *line, size_t len,
                                             int64_t received_at, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep(s, Q_COSIG_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, witness, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, line, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, received_at);
    rc = step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return constat_error_set(err, CONSTAT_ENOTFOUND,
                                 "checkpoint of size %llu is not one of this vault's",
                                 (unsigned long long)size);
    return step_error(s, rc, "store cosignature", err);
}

constat_status constat_store_cosignatures(constat_store *s, uint64_t size,
                                          constat_store_cosignature_fn fn, void *ctx,
                                          constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_own(s,
                                "SELECT witness, line FROM cosignatures WHERE size = ?1 "
                                "ORDER BY witness",
                                &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    while ((rc = step(st)) == SQLITE_ROW)
        if (fn(ctx, text_or_empty(st, 0), text_or_empty(st, 1),
               (size_t)sqlite3_column_bytes(st, 1)) != 0)
            break;
    return iter_end(s, st, rc, "read cosignatures", err);
}

/* ---- time-stamp tables ---- */

constat_status constat_store_tsa_config_put(constat_store *s, const constat_store_tsa_config *c,
                                            int64_t added_at, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep(s, Q_TSA_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->url, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, c->ca, (int)c->ca_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, added_at);
    rc = step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return constat_error_set(err, CONSTAT_ECONFLICT, "TSA \"%s\" is already configured",
                                 c->name);
    return step_error(s, rc, "add TSA", err);
}

constat_status constat_store_tsa_configs(constat_store *s, constat_store_tsa_config_fn fn,
                                         void *ctx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r =
        prep_own(s, "SELECT name, url, ca FROM tsa_configs ORDER BY name", &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW) {
        constat_store_tsa_config c;
        c.name = text_or_empty(st, 0);
        c.url = text_or_empty(st, 1);
        c.ca = sqlite3_column_blob(st, 2);
        c.ca_len = (size_t)sqlite3_column_bytes(st, 2);
        if (fn(ctx, &c) != 0)
            break;
    }
    return iter_end(s, st, rc, "read TSAs", err);
}

constat_status constat_store_tsa_token_put(constat_store *s, const constat_store_tsa_token *t,
                                           constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep(s, Q_TOKEN_PUT, &st, err);
    if (r)
        return r;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)t->checkpoint_size);
    sqlite3_bind_blob(st, 2, t->note, (int)t->note_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, t->note_sha256, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->tsa_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, t->url ? t->url : "", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, t->ca, (int)t->ca_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, t->der, (int)t->der_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, t->gen_time);
    sqlite3_bind_int64(st, 9, t->received_at);
    return run_done(s, st, "store token", err);
}

constat_status constat_store_tsa_tokens(constat_store *s, constat_store_tsa_token_fn fn,
                                        void *ctx, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_own(s,
                                "SELECT id, checkpoint_size, note, note_sha256, tsa_name, url, "
                                "ca, token, gen_time, received_at FROM tsa_tokens ORDER BY id",
                                &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW) {
        constat_store_tsa_token t;
        t.id = sqlite3_column_int64(st, 0);
        t.checkpoint_size = (uint64_t)sqlite3_column_int64(st, 1);
        t.note = sqlite3_column_blob(st, 2);
        t.note_len = (size_t)sqlite3_column_bytes(st, 2);
        t.note_sha256 = sqlite3_column_bytes(st, 3) == 32 ? sqlite3_column_blob(st, 3) : NULL;
        t.tsa_name = text_or_empty(st, 4);
        t.url = text_or_empty(st, 5);
        t.ca = sqlite3_column_blob(st, 6);
        t.ca_len = (size_t)sqlite3_column_bytes(st, 6);
        t.der = sqlite3_column_blob(st, 7);
        t.der_len = (size_t)sqlite3_column_bytes(st, 7);
        t.gen_time = sqlite3_column_int64(st, 8);
        t.received_at = sqlite3_column_int64(st, 9);
        if (fn(ctx, &t) != 0)
            break;
    }
    return iter_end(s, st, rc, "read tokens", err);
}

/* ---- accounts, audit and enrolment codes (docs/api.md, docs/vault.md) ----
 * Created IF NOT EXISTS on first use, like the witness tables, so vaults
 * made before them gain them. */
static const char accounts_schema[] =
    "CREATE TABLE IF NOT EXISTS accounts(name TEXT PRIMARY KEY, role TEXT NOT NULL,\n"
    "  pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,\n"
    "  account TEXT NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL,\n"
    "  detail TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS enrol_codes(code_hash BLOB PRIMARY KEY\n"
    "  CHECK (length(code_hash) = 32), monitor TEXT NOT NULL, expires_at INTEGER NOT NULL,\n"
    "  used_at INTEGER) STRICT;\n";

static constat_status accounts_ready(constat_store *s, constat_error *err)
{
    if (s->accounts_made)
        return CONSTAT_OK; /* made once a handle; a rollback may undo it */
    if (sqlite3_exec(s->db, accounts_schema, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, CONSTAT_EIO, "create account tables", err);
    s->accounts_made = 1;
    return CONSTAT_OK;
}

/* prep_own after making sure the account tables exist */
static constat_status prep_acc(constat_store *s, const char *sql, sqlite3_stmt **st,
                               constat_error *err)
{
    constat_status r = accounts_ready(s, err);
    return r ? r : prep_own(s, sql, st, err);
}

/* Step a one-shot statement expecting DONE, then finalize it. */
static constat_status done_own(constat_store *s, sqlite3_stmt *st, const char *op,
                               constat_error *err)
{
    int rc = step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    return step_error(s, rc, op, err);
}

constat_status constat_store_account_put(constat_store *s, const char *name, const char *role,
                                         const char *pwhash, int64_t created_at,
                                         constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_acc(s,
                                "INSERT INTO accounts(name, role, pwhash, created_at) "
                                "VALUES (?1, ?2, ?3, ?4)",
                                &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, created_at);
    rc = step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return CONSTAT_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return constat_error_set(err, CONSTAT_ECONFLICT, "account \"%s\" already exists", name);
    return step_error(s, rc, "insert account", err);
}

constat_status constat_store_account_get(constat_store *s, const char *name, constat_buf *role,
                                         constat_buf *pwhash, int *disabled, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_acc(s, "SELECT role, pwhash, disabled FROM accounts WHERE name = ?1",
                                &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = step(st);
    if (rc == SQLITE_ROW) {
        if (role)
            r = column_to_buf(st, 0, role, err);
        if (!r && pwhash)
            r = column_to_buf(st, 1, pwhash, err);
        if (disabled)
            *disabled = sqlite3_column_int(st, 2) != 0;
    } else if (rc == SQLITE_DONE) {
        r = constat_error_set(err, CONSTAT_ENOTFOUND, "no account \"%s\"", name);
    } else {
        r = step_error(s, rc, "read account", err);
    }
    sqlite3_finalize(st);
    return r;
}

constat_status constat_store_account_update(constat_store *s, const char *name,
                                            const char *pwhash, int disabled,
                                            constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep_acc(s,
                                "UPDATE accounts SET pwhash = coalesce(?2, pwhash), "
                                "disabled = CASE WHEN ?3 < 0 THEN disabled ELSE ?3 END "
                                "WHERE name = ?1",
                                &st, err);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (pwhash)
        sqlite3_bind_text(st, 2, pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, disabled);
    r = done_own(s, st, "update account", err);
    if (r == CONSTAT_OK && sqlite3_changes(s->db) == 0)
        r = constat_error_set(err, CONSTAT_ENOTFOUND, "no account \"%s\"", name);
    return r;
}

constat_status constat_store_accounts(constat_store *s, constat_store_account_fn fn, void *ctx,
                                      constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_acc(s,
                                "SELECT name, role, disabled, created_at FROM accounts "
                                "ORDER BY name",
                                &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW)
        if (fn(ctx, text_or_empty(st, 0), text_or_empty(st, 1), sqlite3_column_int(st, 2),
               sqlite3_column_int64(st, 3)) != 0)
            break;
    return iter_end(s, st, rc, "read accounts", err);
}

constat_status constat_store_audit_put(constat_store *s, int64_t at, const char *account,
                                       const char *address, const char *action,
                                       const char *detail, constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = accounts_ready(s, err);
    if (r || (r = prep(s, Q_AUDIT_PUT, &st, err)))
        return r;
    sqlite3_bind_int64(st, 1, at);
    sqlite3_bind_text(st, 2, account ? account : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, address ? address : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action ? action : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_STATIC);
    return run_done(s, st, "write audit", err);
}

constat_status constat_store_audits(constat_store *s, constat_store_audit_fn fn, void *ctx,
                                    constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    constat_status r = prep_acc(s,
                                "SELECT id, at, account, address, action, detail FROM audit "
                                "ORDER BY id",
                                &st, err);
    if (r)
        return r;
    while ((rc = step(st)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
               text_or_empty(st, 2), text_or_empty(st, 3), text_or_empty(st, 4),
               text_or_empty(st, 5)) != 0)
            break;
    return iter_end(s, st, rc, "read audit", err);
}

constat_status constat_store_enrol_code_put(constat_store *s, const uint8_t code_hash[32],
                                            const char *monitor, int64_t expires_at,
                                            constat_error *err)
{
    sqlite3_stmt *st = NULL;
    constat_status r = prep_acc(s,
                                "INSERT INTO enrol_codes(code_hash, monitor, expires_at) "
                                "VALUES (?1, ?2, ?3)",
                                &st, err);
    if (r)
        return r;
    sqlite3_bind_blob(st, 1, code_hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, monitor, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, expires_at);
    return done_own(s, st, "write enrolment code", err);
}

constat_status constat_store_enrol_code_take(constat_store *s, const uint8_t code_hash[32],
                                             int64_t now, constat_buf *monitor,
                                             constat_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc, used = 0;
    int64_t expires = 0;
    constat_status r = prep_acc(s,
                                "SELECT monitor, expires_at, used_at IS NOT NULL FROM "
                                "enrol_codes WHERE code_hash = ?1",
                                &st, err);
    if (r)
        return r;
    sqlite3_bind_blob(st, 1, code_hash, 32, SQLITE_STATIC);
    rc = step(st);
    if (rc == SQLITE_ROW) {
        expires = sqlite3_column_int64(st, 1);
        used = sqlite3_column_int(st, 2);
        r = column_to_buf(st, 0, monitor, err);
    } else if (rc == SQLITE_DONE) {
        r = constat_error_set(err, CONSTAT_ENOTFOUND, "code: unknown enrolment code");
    } else {
        r = step_error(s, rc, "read enrolment code", err);
    }
    sqlite3_finalize(st);
    if (r)
        return r;
    if (used)
        return constat_error_set(err, CONSTAT_ECONFLICT, "code: this enrolment code was "
                                                         "already used");
    if (now >= expires)
        return constat_error_set(err, CONSTAT_EVERIFY, "code: this enrolment code has expired");
    r = prep_own(s, "UPDATE enrol_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL",
                 &st, err);
    if (r)
        return r;
    sqlite3_bind_blob(st, 1, code_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    r = done_own(s, st, "use enrolment code", err);
    if (r == CONSTAT_OK && sqlite3_changes(s->db) != 1)
        r = constat_error_set(err, CONSTAT_ECONFLICT, "code: this enrolment code was already "
                                                      "used");
    return r;
}
