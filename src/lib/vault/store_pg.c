/*
 * store_pg.c — the vault's storage in PostgreSQL, on libpq (see store.h,
 * docs/postgresql.md). Same tables, same behaviour, same messages as
 * store_sqlite.c.
 *
 * Location: "postgresql://...#SCHEMA": everything before '#' is a libpq
 * connection URI, SCHEMA the vault's own schema in that database (so many
 * vaults, and many test runs, share one database). Every connection sets
 * search_path to it.
 *
 * One sequencer: begin is BEGIN plus pg_advisory_xact_lock on a key made
 * of the schema name, taken before any read, so of several processes on
 * one database exactly one appends at a time and each reads the tree size
 * the one before it committed (READ COMMITTED gives every later statement
 * a fresh snapshot). The lock goes with the transaction: a killed writer's
 * lock is released with its connection.
 *
 * Durability: COMMIT returns once the WAL is flushed (synchronous_commit
 * on, PostgreSQL's default; docs/postgresql.md says to keep it).
 *
 * Conventions for adding a function (mechanical): a Q_ constant and its SQL
 * in sql_text (parameters $1..), a params list filled with p_text, p_bytes
 * and p_int, then exec_q() and the col_* readers; "insert unless present"
 * uses ON CONFLICT DO NOTHING and reads the affected-row count, so a
 * conflict never aborts the caller's transaction. All results are binary:
 * integers are bigint (8 bytes, network order), text and bytea raw bytes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* this backend's names for the store functions (store_names.h) */
#define STORE_PREFIX constat_pg_store_
#include "vault/store_names.h"
#include "vault/store.h"

enum {
    Q_LOCK, Q_META_GET, Q_META_SET, Q_SIZE, Q_FIND_CONTENT, Q_LEAF_PUT, Q_LEAF_GET, Q_FIND_ID,
    Q_LEAVES, Q_TILE_GET, Q_TILE_PUT, Q_TILE_COUNT, Q_CP_PUT, Q_CP_LATEST, Q_CPS, Q_PRIV_PUT,
    Q_PRIV_GET, Q_MON_PUT, Q_MON_GET, Q_MONS, Q_WLOG_PUT, Q_WLOG_VKEY, Q_WLOG_REKEY, Q_WLOGS,
    Q_WSTATE_GET,
    Q_WSTATE_PUT, Q_WALERT_PUT, Q_WALERTS, Q_PUBW_PUT, Q_PUBW_GET, Q_PUBWS, Q_COSIG_PUT,
    Q_COSIGS, Q_TSA_PUT, Q_TSAS, Q_TOKEN_PUT, Q_TOKENS, Q_PRIV_ZERO, Q_PRIV_DEL, Q_ACC_PUT,
    Q_ACC_GET, Q_ACC_UPD, Q_ACCS, Q_AUDIT_PUT, Q_AUDITS, Q_CODE_PUT, Q_CODE_GET, Q_CODE_USE, Q__N
};

/* Rows per round trip when walking leaves or checkpoints (keyset pages:
 * callbacks may run other statements between pages). */
#define PAGE 1000

static const char *const sql_text[Q__N] = {
    /* 0x636f6e73 is "cons"; $1 the key of the schema */
    [Q_LOCK] = "SELECT pg_advisory_xact_lock(1668247155, $1::int4)",
    [Q_META_GET] = "SELECT value FROM meta WHERE key = $1",
    [Q_META_SET] = "INSERT INTO meta(key, value) VALUES ($1, $2) "
                   "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [Q_SIZE] = "SELECT max(idx) FROM leaves",
    [Q_FIND_CONTENT] = "SELECT idx FROM leaves WHERE content_hash = $1",
    [Q_LEAF_PUT] = "INSERT INTO leaves(idx, leaf, record_id, kind, content_hash) "
                   "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    [Q_LEAF_GET] = "SELECT leaf FROM leaves WHERE idx = $1",
    [Q_FIND_ID] = "SELECT idx FROM leaves WHERE record_id = $1",
    [Q_LEAVES] = "SELECT idx, leaf, record_id, kind, content_hash FROM leaves "
                 "WHERE idx >= $1 AND idx < $2 ORDER BY idx LIMIT 1000",
    [Q_TILE_GET] = "SELECT width, hashes FROM tiles WHERE level = $1 AND idx = $2",
    [Q_TILE_PUT] = "INSERT INTO tiles(level, idx, width, hashes) VALUES ($1, $2, $3, $4) "
                   "ON CONFLICT (level, idx) DO UPDATE SET width = EXCLUDED.width, "
                   "hashes = EXCLUDED.hashes",
    [Q_TILE_COUNT] = "SELECT count(*) FROM tiles",
    [Q_CP_PUT] = "INSERT INTO checkpoints(size, note, created_at) VALUES ($1, $2, $3)",
    [Q_CP_LATEST] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
    [Q_CPS] = "SELECT size, note FROM checkpoints WHERE size >= $1 ORDER BY size LIMIT 1000",
    [Q_PRIV_PUT] = "INSERT INTO private_values(record_id, value_json) VALUES ($1, $2) "
                   "ON CONFLICT (record_id) DO UPDATE SET value_json = EXCLUDED.value_json",
    [Q_PRIV_GET] = "SELECT value_json FROM private_values WHERE record_id = $1",
    [Q_MON_PUT] = "INSERT INTO monitors(name, vkey, enrol_index) VALUES ($1, $2, $3) "
                  "ON CONFLICT (name) DO NOTHING",
    [Q_MON_GET] = "SELECT vkey, enrol_index FROM monitors WHERE name = $1",
    [Q_MONS] = "SELECT name, vkey, enrol_index FROM monitors ORDER BY name COLLATE \"C\"",
    [Q_WLOG_PUT] = "INSERT INTO witness_logs(origin, vkey, added_at) VALUES ($1, $2, $3) "
                   "ON CONFLICT (origin) DO NOTHING",
    [Q_WLOG_VKEY] = "SELECT vkey FROM witness_logs WHERE origin = $1",
    [Q_WLOG_REKEY] = "UPDATE witness_logs SET vkey = $2 WHERE origin = $1",
    [Q_WLOGS] = "SELECT l.origin, l.vkey, coalesce(s.size, 0) FROM witness_logs l "
                "LEFT JOIN witness_state s ON s.origin = l.origin ORDER BY l.origin COLLATE \"C\"",
    [Q_WSTATE_GET] = "SELECT size, root, note FROM witness_state WHERE origin = $1",
    [Q_WSTATE_PUT] = "INSERT INTO witness_state(origin, size, root, note, updated_at) "
                     "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (origin) DO UPDATE SET "
                     "size = EXCLUDED.size, root = EXCLUDED.root, note = EXCLUDED.note, "
                     "updated_at = EXCLUDED.updated_at",
    [Q_WALERT_PUT] = "INSERT INTO witness_alerts(origin, note_a, note_b, reason, created_at) "
                     "VALUES ($1, $2, $3, $4, $5)",
    [Q_WALERTS] = "SELECT id, origin, reason, created_at, note_a, note_b FROM witness_alerts "
                  "ORDER BY id",
    [Q_PUBW_PUT] = "INSERT INTO publish_witnesses(name, url, vkey) VALUES ($1, $2, $3) "
                   "ON CONFLICT (name) DO NOTHING",
    [Q_PUBW_GET] = "SELECT url, vkey, coalesce((SELECT max(size) FROM cosignatures c "
                   "WHERE c.witness = w.name), 0) FROM publish_witnesses w WHERE name = $1",
    [Q_PUBWS] = "SELECT w.name, w.url, w.vkey, coalesce((SELECT max(size) FROM cosignatures c "
                "WHERE c.witness = w.name), 0) FROM publish_witnesses w "
                "ORDER BY w.name COLLATE \"C\"",
    /* inserts nothing (0 rows) when the checkpoint or the witness is unknown */
    [Q_COSIG_PUT] = "INSERT INTO cosignatures(size, witness, line, received_at) "
                    "SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM checkpoints WHERE "
                    "size = $1) AND EXISTS (SELECT 1 FROM publish_witnesses WHERE name = $2) "
                    "ON CONFLICT (size, witness) DO UPDATE SET line = EXCLUDED.line, "
                    "received_at = EXCLUDED.received_at",
    [Q_COSIGS] = "SELECT witness, line FROM cosignatures WHERE size = $1 "
                 "ORDER BY witness COLLATE \"C\"",
    [Q_TSA_PUT] = "INSERT INTO tsa_configs(name, url, ca, added_at) VALUES ($1, $2, $3, $4) "
                  "ON CONFLICT (name) DO NOTHING",
    [Q_TSAS] = "SELECT name, url, ca FROM tsa_configs ORDER BY name COLLATE \"C\"",
    [Q_TOKEN_PUT] = "INSERT INTO tsa_tokens(checkpoint_size, note, note_sha256, tsa_name, url, "
                    "ca, token, gen_time, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    [Q_TOKENS] = "SELECT id, checkpoint_size, note, note_sha256, tsa_name, url, ca, token, "
                 "gen_time, received_at FROM tsa_tokens ORDER BY id",
    /* as many '0' characters as the value has bytes, then the row deleted */
    [Q_PRIV_ZERO] = "UPDATE private_values SET value_json = repeat('0', octet_length(value_json)) "
                    "WHERE record_id = $1",
    [Q_PRIV_DEL] = "DELETE FROM private_values WHERE record_id = $1",
    [Q_ACC_PUT] = "INSERT INTO accounts(name, role, pwhash, created_at) VALUES ($1, $2, $3, $4) "
                  "ON CONFLICT (name) DO NOTHING",
    [Q_ACC_GET] = "SELECT role, pwhash, disabled FROM accounts WHERE name = $1",
    [Q_ACC_UPD] = "UPDATE accounts SET pwhash = coalesce($2::text, pwhash), "
                  "disabled = CASE WHEN $3::int8 < 0 THEN disabled ELSE $3::int8 END "
                  "WHERE name = $1",
    [Q_ACCS] = "SELECT name, role, disabled, created_at FROM accounts ORDER BY name COLLATE \"C\"",
    [Q_AUDIT_PUT] = "INSERT INTO audit(at, account, address, action, detail) "
                    "VALUES ($1, $2, $3, $4, $5)",
    [Q_AUDITS] = "SELECT id, at, account, address, action, detail FROM audit ORDER BY id",
    [Q_CODE_PUT] = "INSERT INTO enrol_codes(code_hash, monitor, expires_at) VALUES ($1, $2, $3)",
    [Q_CODE_GET] = "SELECT monitor, expires_at, (used_at IS NOT NULL)::int4::int8 FROM enrol_codes "
                   "WHERE code_hash = $1",
    [Q_CODE_USE] = "UPDATE enrol_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
};

/* The tables of store_sqlite.c, in PostgreSQL's types: every integer is
 * bigint, blobs bytea. Made in one transaction with the schema. */
static const char schema_sql[] =
    "CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);\n"
    "CREATE TABLE leaves(idx bigint PRIMARY KEY CHECK (idx >= 0),\n"
    "  leaf bytea NOT NULL, record_id text NOT NULL UNIQUE, kind text NOT NULL,\n"
    "  content_hash bytea NOT NULL UNIQUE CHECK (length(content_hash) = 32));\n"
    "CREATE TABLE tiles(level bigint NOT NULL, idx bigint NOT NULL,\n"
    "  width bigint NOT NULL CHECK (width BETWEEN 1 AND 256), hashes bytea NOT NULL,\n"
    "  PRIMARY KEY(level, idx));\n"
    "CREATE TABLE checkpoints(size bigint PRIMARY KEY, note text NOT NULL,\n"
    "  created_at bigint NOT NULL);\n"
    "CREATE TABLE private_values(record_id text PRIMARY KEY\n"
    "  REFERENCES leaves(record_id), value_json text NOT NULL);\n"
    "CREATE TABLE monitors(name text PRIMARY KEY, vkey text NOT NULL,\n"
    "  enrol_index bigint NOT NULL REFERENCES leaves(idx));\n"
    "CREATE TABLE witness_logs(origin text PRIMARY KEY, vkey text NOT NULL,\n"
    "  added_at bigint NOT NULL);\n"
    "CREATE TABLE witness_state(origin text PRIMARY KEY REFERENCES witness_logs(origin),\n"
    "  size bigint NOT NULL CHECK (size >= 0),\n"
    "  root bytea NOT NULL CHECK (length(root) = 32), note text NOT NULL,\n"
    "  updated_at bigint NOT NULL);\n"
    "CREATE TABLE witness_alerts(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  origin text NOT NULL, note_a text NOT NULL, note_b text NOT NULL,\n"
    "  reason text NOT NULL, created_at bigint NOT NULL);\n"
    "CREATE TABLE publish_witnesses(name text PRIMARY KEY, url text NOT NULL,\n"
    "  vkey text NOT NULL);\n"
    "CREATE TABLE cosignatures(size bigint NOT NULL REFERENCES checkpoints(size),\n"
    "  witness text NOT NULL REFERENCES publish_witnesses(name), line text NOT NULL,\n"
    "  received_at bigint NOT NULL, PRIMARY KEY(size, witness));\n"
    "CREATE TABLE tsa_configs(name text PRIMARY KEY, url text NOT NULL, ca bytea NOT NULL,\n"
    "  added_at bigint NOT NULL);\n"
    "CREATE TABLE tsa_tokens(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  checkpoint_size bigint NOT NULL CHECK (checkpoint_size >= 0),\n"
    "  note bytea NOT NULL, note_sha256 bytea NOT NULL CHECK (length(note_sha256) = 32),\n"
    "  tsa_name text NOT NULL, url text NOT NULL, ca bytea NOT NULL, token bytea NOT NULL,\n"
    "  gen_time bigint NOT NULL, received_at bigint NOT NULL);\n"
    /* store_sqlite.c makes these three on first use (vaults older than
     * them); a PostgreSQL vault has had them from its creation */
    "CREATE TABLE accounts(name text PRIMARY KEY, role text NOT NULL,\n"
    "  pwhash text NOT NULL, disabled bigint NOT NULL DEFAULT 0,\n"
    "  created_at bigint NOT NULL);\n"
    "CREATE TABLE audit(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  at bigint NOT NULL, account text NOT NULL, address text NOT NULL,\n"
    "  action text NOT NULL, detail text NOT NULL);\n"
    "CREATE TABLE enrol_codes(code_hash bytea PRIMARY KEY CHECK (length(code_hash) = 32),\n"
    "  monitor text NOT NULL, expires_at bigint NOT NULL, used_at bigint);\n";

#define SCHEMA_MAX 63

struct constat_store {
    PGconn *c;
    char schema[SCHEMA_MAX + 1];
    int32_t lock_key;
    unsigned char prepared[Q__N];
};

/* ---- shared helpers: parameters, statements, errors ---- */

#define PARAMS_MAX 10
typedef struct {
    int n;
    const char *v[PARAMS_MAX];
    int len[PARAMS_MAX];
    int fmt[PARAMS_MAX];
    char num[PARAMS_MAX][24];
} params;

/* A text parameter (NULL: SQL NULL, which NOT NULL columns refuse). */
static void p_text(params *p, const char *t)
{
    p->v[p->n] = t;
    p->len[p->n] = t ? (int)strlen(t) : 0;
    p->fmt[p->n++] = 1;
}

/* Bytes as text or bytea (binary format: the raw bytes). */
static void p_bytes(params *p, const void *b, size_t n)
{
    p->v[p->n] = b ? (const char *)b : "";
    p->len[p->n] = (int)n;
    p->fmt[p->n++] = 1;
}

static void p_int(params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* An index or size as a bigint parameter (clamped to the bigint range). */
static void p_u64(params *p, uint64_t x)
{
    p_int(p, x > INT64_MAX ? INT64_MAX : (int64_t)x);
}

/* libpq's last message on one line */
static const char *pg_msg(const constat_store *s, const PGresult *r)
{
    static const char none[] = "no connection";
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    if ((!m || !m[0]) && s && s->c)
        m = PQerrorMessage(s->c);
    return m && m[0] ? m : none;
}

/* libpq's message (several lines: ERROR, DETAIL, HINT) on one line into
 * out[n]: each newline with what follows it becomes "; ", tabs spaces,
 * and runs of spaces one space. */
static const char *one_line(const char *m, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = m; *p && o + 3 < n; p++) {
        if (*p == '\n') {
            while (p[1] == '\n' || p[1] == ' ')
                p++;
            if (p[1]) {
                out[o++] = ';';
                out[o++] = ' ';
            }
        } else if ((*p == ' ' || *p == '\t') && o > 0 && out[o - 1] == ' ') {
            continue;
        } else {
            out[o++] = *p == '\t' ? ' ' : *p;
        }
    }
    out[o] = '\0';
    return out;
}

static constat_status pg_error(const constat_store *s, const PGresult *r, const char *op,
                               constat_error *err)
{
    char line[768];
    return constat_error_set(err, CONSTAT_EIO, "postgresql (schema %s): %s: %s",
                             s ? s->schema : "?", op, one_line(pg_msg(s, r), line, sizeof line));
}

/* A lost connection is made again at the next begin (or statement outside
 * a transaction); the server forgot the prepared statements with it. */
static void reconnect_if_lost(constat_store *s)
{
    if (PQstatus(s->c) == CONNECTION_OK)
        return;
    PQreset(s->c);
    memset(s->prepared, 0, sizeof s->prepared);
    if (PQstatus(s->c) == CONNECTION_OK) {
        PGresult *r;
        char *id = PQescapeIdentifier(s->c, s->schema, strlen(s->schema));
        char sql[160];
        if (!id)
            return;
        snprintf(sql, sizeof sql, "SET search_path TO %s", id);
        PQfreemem(id);
        r = PQexec(s->c, sql);
        PQclear(r);
    }
}

/* The fault hook of store.h: 1 (err set) if this step is the one to fail. */
static int injected_fault(const constat_store *s, const char *op, constat_error *err)
{
    if (constat_store_fault_countdown <= 0 || --constat_store_fault_countdown != 0)
        return 0;
    constat_error_set(err, CONSTAT_EIO, "postgresql (schema %s): %s: injected I/O fault",
                      s->schema, op);
    return 1;
}

/* Run statement `q` with `p` (NULL: none); binary results. On success *out
 * is the result (PQclear it), rows or not. Every statement goes through
 * here, so the fault hook can fail any one of them. */
static constat_status exec_q(constat_store *s, int q, const params *p, PGresult **out,
                             const char *op, constat_error *err)
{
    static const params none;
    char name[16];
    PGresult *r;
    ExecStatusType rs;

    *out = NULL;
    if (!p)
        p = &none;
    if (injected_fault(s, op, err))
        return CONSTAT_EIO;
    if (PQtransactionStatus(s->c) == PQTRANS_UNKNOWN)
        reconnect_if_lost(s);
    snprintf(name, sizeof name, "q%d", q);
    if (!s->prepared[q]) {
        r = PQprepare(s->c, name, sql_text[q], 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            constat_status st = pg_error(s, r, "prepare", err);
            PQclear(r);
            return st;
        }
        PQclear(r);
        s->prepared[q] = 1;
    }
    r = PQexecPrepared(s->c, name, p->n, p->v, p->len, p->fmt, 1);
    rs = PQresultStatus(r);
    if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
        constat_status st = pg_error(s, r, op, err);
        PQclear(r);
        return st;
    }
    *out = r;
    return CONSTAT_OK;
}

/* Run a statement whose result is not read. */
static constat_status exec_done(constat_store *s, int q, const params *p, const char *op,
                                constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, q, p, &r, op, err);
    PQclear(r);
    return st;
}

/* Rows an INSERT affected (0: ON CONFLICT DO NOTHING kept the old row). */
static long affected(PGresult *r)
{
    return strtol(PQcmdTuples(r), NULL, 10);
}

/* Single-row lookup: OK with *out holding one row, ENOTFOUND (nothing to
 * free), or EIO. */
static constat_status exec_row(constat_store *s, int q, const params *p, PGresult **out,
                               const char *op, constat_error *err)
{
    constat_status st = exec_q(s, q, p, out, op, err);
    if (st == CONSTAT_OK && PQntuples(*out) < 1) {
        PQclear(*out);
        *out = NULL;
        return CONSTAT_ENOTFOUND;
    }
    return st;
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    int n = PQgetlength(r, row, col);
    uint64_t x = 0;
    if (PQgetisnull(r, row, col))
        return 0;
    for (int i = 0; i < n && i < 8; i++)
        x = x << 8 | v[i];
    if (n == 4) /* int4 */
        return (int32_t)(uint32_t)x;
    return (int64_t)x;
}

static const char *col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

static const uint8_t *col_bytes(const PGresult *r, int row, int col, size_t *len)
{
    *len = (size_t)PQgetlength(r, row, col);
    return (const uint8_t *)PQgetvalue(r, row, col);
}

/* Append column `col` of row 0 (text or bytea) to out. */
static constat_status col_to_buf(const PGresult *r, int col, constat_buf *out,
                                 constat_error *err)
{
    size_t n;
    const uint8_t *b = col_bytes(r, 0, col, &n);
    if (n > 0 && constat_buf_append(out, b, n) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (n == 0 && constat_buf_reserve(out, 1) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

/* ---- connection ---- */

/* Split "URI#SCHEMA": conninfo malloc'd into *uri, schema into s->schema.
 * The schema is 1-63 of [a-z0-9_], not starting with a digit. */
static constat_status split_location(const char *loc, char **uri, char *schema,
                                     constat_error *err)
{
    const char *h = strrchr(loc, '#');
    size_t n;
    *uri = NULL;
    if (!h)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "store \"%.200s\": no #SCHEMA after the URL", loc);
    n = strlen(h + 1);
    if (n < 1 || n > SCHEMA_MAX || (h[1] >= '0' && h[1] <= '9'))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "store \"%.200s\": the schema must be 1-%d of a-z, 0-9, _",
                                 loc, SCHEMA_MAX);
    for (size_t i = 1; i <= n; i++)
        if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') || h[i] == '_'))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "store \"%.200s\": the schema must be 1-%d of a-z, 0-9, _",
                                     loc, SCHEMA_MAX);
    memcpy(schema, h + 1, n + 1);
    *uri = strndup(loc, (size_t)(h - loc));
    if (!*uri)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

/* Run SQL text (no parameters, maybe several statements) outside the
 * prepared set: schema creation and session settings. */
static constat_status exec_text(constat_store *s, const char *sql, const char *op,
                                constat_error *err)
{
    PGresult *r = PQexec(s->c, sql);
    ExecStatusType rs = PQresultStatus(r);
    constat_status st = CONSTAT_OK;
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
        st = pg_error(s, r, op, err);
    PQclear(r);
    return st;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* PQconnectdb, but with the server's notices dropped from the start (a
 * library prints nothing; a server shutting down sends a WARNING even
 * during the connection's start-up). NULL only when out of memory. */
static PGconn *connect_quietly(const char *uri)
{
    PGconn *c = PQconnectStart(uri);
    PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
    if (!c)
        return NULL;
    PQsetNoticeProcessor(c, ignore_notice, NULL);
    if (PQstatus(c) == CONNECTION_BAD)
        return c;
    while (ps != PGRES_POLLING_OK && ps != PGRES_POLLING_FAILED) {
        struct pollfd pfd = {.fd = PQsocket(c), .events = ps == PGRES_POLLING_READING ? POLLIN
                                                                                   : POLLOUT};
        int pr = pfd.fd < 0 ? -1 : poll(&pfd, 1, 30000);
        if (pr == 0 || (pr < 0 && errno != EINTR)) /* 30 s without an answer, or no socket */
            break;
        ps = PQconnectPoll(c);
    }
    return c;
}

static constat_status store_start(const char *loc, int creating, constat_store **out,
                                  constat_error *err)
{
    char *uri = NULL, *id = NULL;
    char sql[256];
    uint32_t h = 2166136261u;
    constat_store *s;
    constat_status st;
    PGresult *r;

    *out = NULL;
    s = calloc(1, sizeof *s);
    if (!s)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = split_location(loc, &uri, s->schema, err);
    if (st != CONSTAT_OK) {
        free(s);
        return st;
    }
    for (const char *c = s->schema; *c; c++) /* FNV-1a: the schema's lock key */
        h = (h ^ (uint8_t)*c) * 16777619u;
    s->lock_key = (int32_t)h;
    s->c = connect_quietly(uri);
    free(uri);
    if (!s->c || PQstatus(s->c) != CONNECTION_OK) {
        char line[768];
        st = constat_error_set(err, CONSTAT_EIO, "postgresql: cannot connect for schema %s: %s",
                               s->schema,
                               s->c ? one_line(PQerrorMessage(s->c), line, sizeof line)
                                    : "out of memory");
        constat_store_close(s);
        return st;
    }
    id = PQescapeIdentifier(s->c, s->schema, strlen(s->schema));
    if (!id) {
        constat_store_close(s);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    /* does the schema exist? */
    {
        const char *v[1] = {s->schema};
        r = PQexecParams(s->c, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, NULL, v,
                         NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            st = pg_error(s, r, "find schema", err);
        } else if (creating && PQntuples(r) > 0) {
            st = constat_error_set(err, CONSTAT_ECONFLICT, "%s already exists", loc);
        } else if (!creating && PQntuples(r) == 0) {
            st = constat_error_set(err, CONSTAT_ENOTFOUND, "%s: no such schema in the database",
                                   loc);
        }
        PQclear(r);
    }
    if (st == CONSTAT_OK && creating) {
        snprintf(sql, sizeof sql, "BEGIN; CREATE SCHEMA %s; SET LOCAL search_path TO %s", id,
                 id);
        st = exec_text(s, sql, "create schema", err);
        if (st == CONSTAT_OK)
            st = exec_text(s, schema_sql, "create schema", err);
        if (st == CONSTAT_OK)
            st = exec_text(s, "COMMIT", "create schema", err);
        if (st != CONSTAT_OK) {
            PQclear(PQexec(s->c, "ROLLBACK"));
            if (strstr(err ? err->msg : "", "already exists"))
                st = constat_error_set(err, CONSTAT_ECONFLICT, "%s already exists", loc);
        }
    }
    if (st == CONSTAT_OK) {
        snprintf(sql, sizeof sql, "SET search_path TO %s", id);
        st = exec_text(s, sql, "set search_path", err);
    }
    PQfreemem(id);
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
    PQfinish(s->c);
    free(s);
}

/* ---- transactions ---- */

constat_status constat_store_begin(constat_store *s, constat_error *err)
{
    params p = {0};
    constat_status st;
    if (PQtransactionStatus(s->c) == PQTRANS_UNKNOWN)
        reconnect_if_lost(s);
    st = exec_text(s, "BEGIN", "begin", err);
    if (st != CONSTAT_OK)
        return st;
    p_int(&p, s->lock_key);
    st = exec_done(s, Q_LOCK, &p, "begin", err);
    if (st != CONSTAT_OK)
        constat_store_rollback(s);
    return st;
}

constat_status constat_store_commit(constat_store *s, constat_error *err)
{
    PGresult *r;
    constat_status st = CONSTAT_OK;
    if (injected_fault(s, "commit", err))
        return CONSTAT_EIO; /* the transaction stays open: the caller rolls back */
    r = PQexec(s->c, "COMMIT");
    /* COMMIT of a failed transaction "succeeds" as a ROLLBACK */
    if (PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(r), "COMMIT") != 0)
        st = PQresultStatus(r) == PGRES_COMMAND_OK
                 ? constat_error_set(err, CONSTAT_EIO,
                                     "postgresql (schema %s): commit: the transaction had "
                                     "failed and was rolled back", s->schema)
                 : pg_error(s, r, "commit", err);
    PQclear(r);
    return st;
}

void constat_store_rollback(constat_store *s)
{
    PGTransactionStatusType t = PQtransactionStatus(s->c);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(s->c, "ROLLBACK"));
}

constat_status constat_store_flush(constat_store *s, constat_error *err)
{
    (void)s;
    (void)err;
    return CONSTAT_OK; /* nothing to fold: the server's WAL is its own */
}

/* VACUUM FULL of the vault's tables, outside any transaction: each is
 * rewritten into new files without the dead row versions that an erasure
 * or the sealing of an existing vault left (PostgreSQL's MVCC keeps the old
 * version of an updated or deleted row until a vacuum). What the server's
 * own WAL and base backups still hold is the operator's (docs/postgresql.md,
 * "Sealed at rest and erasure"). */
constat_status constat_store_compact(constat_store *s, constat_error *err)
{
    static const char tables[] =
        "VACUUM (FULL) meta, leaves, tiles, checkpoints, private_values, monitors, witness_logs, "
        "witness_state, witness_alerts, publish_witnesses, cosignatures, tsa_configs, "
        "tsa_tokens, accounts, audit, enrol_codes";
    if (PQtransactionStatus(s->c) != PQTRANS_IDLE)
        reconnect_if_lost(s);
    if (PQtransactionStatus(s->c) != PQTRANS_IDLE)
        return constat_error_set(err, CONSTAT_EIO, "postgresql (schema %s): vacuum: inside a "
                                 "transaction (compact runs outside any)", s->schema);
    if (injected_fault(s, "vacuum", err))
        return CONSTAT_EIO;
    return exec_text(s, tables, "vacuum", err);
}

/* ---- meta, leaves, tiles, checkpoints ---- */

constat_status constat_store_meta_get(constat_store *s, const char *key, constat_buf *out,
                                      constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_text(&p, key);
    st = exec_row(s, Q_META_GET, &p, &r, "read meta", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "vault.db: meta has no \"%s\"", key);
    if (st)
        return st;
    st = col_to_buf(r, 0, out, err);
    PQclear(r);
    return st;
}

constat_status constat_store_meta_set(constat_store *s, const char *key, const char *value,
                                      constat_error *err)
{
    params p = {0};
    p_text(&p, key);
    p_text(&p, value);
    return exec_done(s, Q_META_SET, &p, "write meta", err);
}

constat_status constat_store_size(constat_store *s, uint64_t *size, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_row(s, Q_SIZE, NULL, &r, "tree size", err);
    if (st)
        return st == CONSTAT_ENOTFOUND ? pg_error(s, NULL, "tree size", err) : st;
    if (PQgetisnull(r, 0, 0)) {
        *size = 0;
    } else {
        int64_t m = col_i64(r, 0, 0);
        if (m < 0) {
            PQclear(r);
            return constat_error_set(err, CONSTAT_EIO, "vault.db: negative leaf index");
        }
        *size = (uint64_t)m + 1;
    }
    PQclear(r);
    return CONSTAT_OK;
}

/* One single-column bigint lookup by one parameter: *idx, or ENOTFOUND. */
static constat_status lookup_idx(constat_store *s, int q, const params *p, uint64_t *idx,
                                 const char *op, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_row(s, q, p, &r, op, err);
    if (st)
        return st;
    *idx = (uint64_t)col_i64(r, 0, 0);
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_find_content(constat_store *s, const uint8_t hash[32], int *found,
                                          uint64_t *idx, constat_error *err)
{
    params p = {0};
    constat_status st;
    p_bytes(&p, hash, 32);
    st = lookup_idx(s, Q_FIND_CONTENT, &p, idx, "find content hash", err);
    *found = st == CONSTAT_OK;
    return st == CONSTAT_ENOTFOUND ? CONSTAT_OK : st;
}

constat_status constat_store_find_id(constat_store *s, const char *record_id, uint64_t *idx,
                                     constat_error *err)
{
    params p = {0};
    constat_status st;
    p_text(&p, record_id);
    st = lookup_idx(s, Q_FIND_ID, &p, idx, "find record id", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no record \"%s\" in the log", record_id);
    return st;
}

constat_status constat_store_leaf_put(constat_store *s, uint64_t idx, const uint8_t *leaf,
                                      size_t len, const char *record_id, const char *kind,
                                      const uint8_t content_hash[32], constat_error *err)
{
    params p = {0};
    PGresult *r;
    uint64_t other = 0;
    long n;
    constat_status st;
    p_u64(&p, idx);
    p_bytes(&p, leaf, len);
    p_text(&p, record_id);
    p_text(&p, kind);
    p_bytes(&p, content_hash, 32);
    st = exec_q(s, Q_LEAF_PUT, &p, &r, "insert leaf", err);
    if (st)
        return st;
    n = affected(r);
    PQclear(r);
    if (n == 1)
        return CONSTAT_OK;
    if (constat_store_find_id(s, record_id, &other, NULL) == CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "record id \"%s\" is already used by leaf %llu with other "
                                 "content",
                                 record_id, (unsigned long long)other);
    return constat_error_set(err, CONSTAT_EIO,
                             "postgresql (schema %s): insert leaf: leaf %llu or its content "
                             "hash is already stored",
                             s->schema, (unsigned long long)idx);
}

constat_status constat_store_leaf_get(constat_store *s, uint64_t idx, constat_buf *out,
                                      constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_u64(&p, idx);
    st = exec_row(s, Q_LEAF_GET, &p, &r, "read leaf", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no leaf %llu", (unsigned long long)idx);
    if (st)
        return st;
    st = col_to_buf(r, 0, out, err);
    PQclear(r);
    return st;
}

constat_status constat_store_leaves(constat_store *s, uint64_t from, uint64_t to,
                                    constat_store_leaf_fn fn, void *ctx, constat_error *err)
{
    static const uint8_t empty[1];
    for (;;) {
        params p = {0};
        PGresult *r;
        int n;
        constat_status st;
        if (from >= to)
            return CONSTAT_OK;
        p_u64(&p, from);
        p_u64(&p, to);
        st = exec_q(s, Q_LEAVES, &p, &r, "read leaves", err);
        if (st)
            return st;
        n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            constat_store_leaf lf;
            size_t hl;
            lf.idx = (uint64_t)col_i64(r, i, 0);
            lf.leaf = col_bytes(r, i, 1, &lf.len);
            if (!lf.leaf)
                lf.leaf = empty;
            lf.record_id = col_text(r, i, 2);
            lf.kind = col_text(r, i, 3);
            lf.content_hash = col_bytes(r, i, 4, &hl);
            if (hl != 32)
                lf.content_hash = NULL;
            from = lf.idx + 1;
            if (fn(ctx, &lf) != 0) {
                PQclear(r);
                return CONSTAT_OK;
            }
        }
        PQclear(r);
        if (n < PAGE)
            return CONSTAT_OK;
    }
}

constat_status constat_store_tile_get(constat_store *s, unsigned level, uint64_t n,
                                      uint8_t *hashes, unsigned *width, constat_error *err)
{
    params p = {0};
    PGresult *r;
    int64_t w;
    size_t bytes;
    const uint8_t *b;
    constat_status st;
    p_int(&p, level);
    p_u64(&p, n);
    st = exec_row(s, Q_TILE_GET, &p, &r, "read tile", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no tile %u/%llu", level, (unsigned long long)n);
    if (st)
        return st;
    w = col_i64(r, 0, 0);
    b = col_bytes(r, 0, 1, &bytes);
    if (w < 1 || w > 256 || bytes != (size_t)w * 32) {
        PQclear(r);
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: tile %u/%llu: width %lld with %zu bytes of hashes",
                                 level, (unsigned long long)n, (long long)w, bytes);
    }
    memcpy(hashes, b, bytes);
    *width = (unsigned)w;
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_tile_put(constat_store *s, unsigned level, uint64_t n,
                                      unsigned width, const uint8_t *hashes, constat_error *err)
{
    params p = {0};
    p_int(&p, level);
    p_u64(&p, n);
    p_int(&p, width);
    p_bytes(&p, hashes, (size_t)width * 32);
    return exec_done(s, Q_TILE_PUT, &p, "write tile", err);
}

constat_status constat_store_tile_count(constat_store *s, uint64_t *count, constat_error *err)
{
    constat_status st = lookup_idx(s, Q_TILE_COUNT, NULL, count, "count tiles", err);
    return st == CONSTAT_ENOTFOUND ? pg_error(s, NULL, "count tiles", err) : st;
}

constat_status constat_store_checkpoint_put(constat_store *s, uint64_t size, const char *note,
                                            int64_t created_at, constat_error *err)
{
    params p = {0};
    p_u64(&p, size);
    p_text(&p, note);
    p_int(&p, created_at);
    return exec_done(s, Q_CP_PUT, &p, "store checkpoint", err);
}

constat_status constat_store_checkpoint_latest(constat_store *s, uint64_t *size,
                                               constat_buf *note, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_row(s, Q_CP_LATEST, NULL, &r, "read checkpoint", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no checkpoint yet");
    if (st)
        return st;
    *size = (uint64_t)col_i64(r, 0, 0);
    st = note ? col_to_buf(r, 1, note, err) : CONSTAT_OK;
    PQclear(r);
    return st;
}

constat_status constat_store_checkpoints(constat_store *s, constat_store_checkpoint_fn fn,
                                         void *ctx, constat_error *err)
{
    uint64_t from = 0;
    for (;;) {
        params p = {0};
        PGresult *r;
        int n;
        constat_status st;
        p_u64(&p, from);
        st = exec_q(s, Q_CPS, &p, &r, "read checkpoints", err);
        if (st)
            return st;
        n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            uint64_t size = (uint64_t)col_i64(r, i, 0);
            from = size + 1;
            if (fn(ctx, size, col_text(r, i, 1), (size_t)PQgetlength(r, i, 1)) != 0) {
                PQclear(r);
                return CONSTAT_OK;
            }
        }
        PQclear(r);
        if (n < PAGE)
            return CONSTAT_OK;
    }
}

/* ---- private values, monitors ---- */

constat_status constat_store_private_put(constat_store *s, const char *record_id,
                                         const char *json, constat_error *err)
{
    params p = {0};
    p_text(&p, record_id);
    p_text(&p, json);
    return exec_done(s, Q_PRIV_PUT, &p, "store private values", err);
}

/* The zero-fill UPDATE leaves a dead version holding the zeros and the
 * DELETE one more; the version before them, with the value, stays in the
 * table's pages until a vacuum (autovacuum, or constat_store_compact). */
constat_status constat_store_private_erase(constat_store *s, const char *record_id,
                                           int *erased, constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    if (erased)
        *erased = 0;
    p_text(&p, record_id);
    st = exec_done(s, Q_PRIV_ZERO, &p, "erase private values", err);
    if (st)
        return st;
    st = exec_q(s, Q_PRIV_DEL, &p, &r, "erase private values", err);
    if (st)
        return st;
    if (erased)
        *erased = affected(r) > 0;
    PQclear(r);
    return CONSTAT_OK;
}

/* A one-column lookup keyed by one text: the column appended to out;
 * ENOTFOUND unset (the caller words it). */
static constat_status text_lookup(constat_store *s, int q, const char *key, constat_buf *out,
                                  const char *op, constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_text(&p, key);
    st = exec_row(s, q, &p, &r, op, err);
    if (st)
        return st;
    st = col_to_buf(r, 0, out, err);
    PQclear(r);
    return st;
}

constat_status constat_store_private_get(constat_store *s, const char *record_id,
                                         constat_buf *out, constat_error *err)
{
    constat_status st = text_lookup(s, Q_PRIV_GET, record_id, out, "read private values", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no private values for \"%s\"", record_id);
    return st;
}

/* Run an "insert unless present" statement: OK if a row was inserted,
 * ECONFLICT (unset: the caller words it) if one was there. */
static constat_status insert_new(constat_store *s, int q, const params *p, const char *op,
                                 constat_error *err)
{
    PGresult *r;
    long n;
    constat_status st = exec_q(s, q, p, &r, op, err);
    if (st)
        return st;
    n = affected(r);
    PQclear(r);
    return n == 1 ? CONSTAT_OK : CONSTAT_ECONFLICT;
}

/* insert_new keyed by `name`: a conflict is CONSTAT_ECONFLICT with the
 * message before "NAME" after (store_sqlite.c's words). */
static constat_status insert_named(constat_store *s, int q, const params *p, const char *op,
                                   const char *before, const char *name, const char *after,
                                   constat_error *err)
{
    constat_status st = insert_new(s, q, p, op, err);
    if (st == CONSTAT_ECONFLICT)
        return constat_error_set(err, st, "%s\"%s\"%s", before, name, after);
    return st;
}

constat_status constat_store_monitor_put(constat_store *s, const char *name, const char *vkey,
                                         uint64_t enrol_index, constat_error *err)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, vkey);
    p_u64(&p, enrol_index);
    return insert_named(s, Q_MON_PUT, &p, "insert monitor", "monitor ", name,
                        " is already enrolled", err);
}

constat_status constat_store_monitor_get(constat_store *s, const char *name, constat_buf *vkey,
                                         uint64_t *enrol_index, constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_text(&p, name);
    st = exec_row(s, Q_MON_GET, &p, &r, "read monitor", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no monitor \"%s\" is enrolled", name);
    if (st)
        return st;
    if (enrol_index)
        *enrol_index = (uint64_t)col_i64(r, 0, 1);
    st = vkey ? col_to_buf(r, 0, vkey, err) : CONSTAT_OK;
    PQclear(r);
    return st;
}

constat_status constat_store_monitors(constat_store *s, constat_store_monitor_fn fn, void *ctx,
                                      constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_MONS, NULL, &r, "read monitors", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_text(r, i, 0), col_text(r, i, 1), (uint64_t)col_i64(r, i, 2)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

/* ---- witness tables ---- */

constat_status constat_store_witness_log_put(constat_store *s, const char *origin,
                                             const char *vkey, int64_t added_at,
                                             constat_error *err)
{
    params p = {0};
    p_text(&p, origin);
    p_text(&p, vkey);
    p_int(&p, added_at);
    return insert_named(s, Q_WLOG_PUT, &p, "add witnessed log", "the log ", origin,
                        " is already witnessed", err);
}

constat_status constat_store_witness_log_vkey(constat_store *s, const char *origin,
                                              constat_buf *vkey, constat_error *err)
{
    constat_status st = text_lookup(s, Q_WLOG_VKEY, origin, vkey, "read witnessed log", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "unknown log \"%.200s\"", origin);
    return st;
}

constat_status constat_store_witness_log_rekey(constat_store *s, const char *origin,
                                               const char *vkey, constat_error *err)
{
    params p = {0};
    p_text(&p, origin);
    p_text(&p, vkey);
    return exec_done(s, Q_WLOG_REKEY, &p, "update witnessed log key", err);
}

constat_status constat_store_witness_logs(constat_store *s, constat_store_witness_log_fn fn,
                                          void *ctx, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_WLOGS, NULL, &r, "read witnessed logs", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_text(r, i, 0), col_text(r, i, 1), (uint64_t)col_i64(r, i, 2)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_witness_state_get(constat_store *s, const char *origin, int *found,
                                               uint64_t *size, uint8_t root[32],
                                               constat_buf *note, constat_error *err)
{
    params p = {0};
    PGresult *r;
    size_t rl;
    const uint8_t *rt;
    constat_status st;
    *found = 0;
    p_text(&p, origin);
    st = exec_row(s, Q_WSTATE_GET, &p, &r, "read witness state", err);
    if (st == CONSTAT_ENOTFOUND)
        return CONSTAT_OK;
    if (st)
        return st;
    rt = col_bytes(r, 0, 1, &rl);
    if (rl != 32 || PQgetisnull(r, 0, 2)) {
        PQclear(r);
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: witness state of \"%s\" is damaged", origin);
    }
    *size = (uint64_t)col_i64(r, 0, 0);
    memcpy(root, rt, 32);
    st = col_to_buf(r, 2, note, err);
    PQclear(r);
    if (st == CONSTAT_OK)
        *found = 1;
    return st;
}

constat_status constat_store_witness_state_put(constat_store *s, const char *origin,
                                               uint64_t size, const uint8_t root[32],
                                               const char *note, int64_t updated_at,
                                               constat_error *err)
{
    params p = {0};
    p_text(&p, origin);
    p_u64(&p, size);
    p_bytes(&p, root, 32);
    p_text(&p, note);
    p_int(&p, updated_at);
    return exec_done(s, Q_WSTATE_PUT, &p, "update witness state", err);
}

constat_status constat_store_witness_alert_put(constat_store *s, const char *origin,
                                               const char *note_a, const char *note_b,
                                               const char *reason, int64_t created_at,
                                               constat_error *err)
{
    params p = {0};
    /* a NULL pointer binds SQL NULL, which NOT NULL refuses */
    p_text(&p, origin);
    p_text(&p, note_a);
    p_text(&p, note_b);
    p_text(&p, reason);
    p_int(&p, created_at);
    return exec_done(s, Q_WALERT_PUT, &p, "record alert", err);
}

constat_status constat_store_witness_alerts(constat_store *s, constat_store_witness_alert_fn fn,
                                            void *ctx, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_WALERTS, NULL, &r, "read witness alerts", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_i64(r, i, 0), col_text(r, i, 1), col_text(r, i, 2), col_i64(r, i, 3),
               col_text(r, i, 4), col_text(r, i, 5)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

/* ---- publish tables ---- */

constat_status constat_store_publish_witness_put(constat_store *s, const char *name,
                                                 const char *url, const char *vkey,
                                                 constat_error *err)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, url);
    p_text(&p, vkey);
    return insert_named(s, Q_PUBW_PUT, &p, "add witness", "a witness named ", name,
                        " is configured", err);
}

constat_status constat_store_publish_witness_get(constat_store *s, const char *name,
                                                 constat_buf *url, constat_buf *vkey,
                                                 uint64_t *cosigned, constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_text(&p, name);
    st = exec_row(s, Q_PUBW_GET, &p, &r, "read witness", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no witness \"%.200s\" is configured", name);
    if (st)
        return st;
    if (url)
        st = col_to_buf(r, 0, url, err);
    if (st == CONSTAT_OK && vkey)
        st = col_to_buf(r, 1, vkey, err);
    if (st == CONSTAT_OK && cosigned)
        *cosigned = (uint64_t)col_i64(r, 0, 2);
    PQclear(r);
    return st;
}

constat_status constat_store_publish_witnesses(constat_store *s,
                                               constat_store_publish_witness_fn fn, void *ctx,
                                               constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_PUBWS, NULL, &r, "read witnesses", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_text(r, i, 0), col_text(r, i, 1), col_text(r, i, 2),
               (uint64_t)col_i64(r, i, 3)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_cosignature_put(constat_store *s, uint64_t size,
                                             const char *witness, const char *line, size_t len,
                                             int64_t received_at, constat_error *err)
{
    params p = {0};
    constat_status st;
    p_u64(&p, size);
    p_text(&p, witness);
    p_bytes(&p, line, len);
    p_int(&p, received_at);
    st = insert_new(s, Q_COSIG_PUT, &p, "store cosignature", err);
    if (st == CONSTAT_ECONFLICT)
        return constat_error_set(err, CONSTAT_ENOTFOUND,
                                 "checkpoint of size %llu is not one of this vault's",
                                 (unsigned long long)size);
    return st;
}

constat_status constat_store_cosignatures(constat_store *s, uint64_t size,
                                          constat_store_cosignature_fn fn, void *ctx,
                                          constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_u64(&p, size);
    st = exec_q(s, Q_COSIGS, &p, &r, "read cosignatures", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_text(r, i, 0), col_text(r, i, 1), (size_t)PQgetlength(r, i, 1)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

/* ---- time-stamp tables ---- */

constat_status constat_store_tsa_config_put(constat_store *s, const constat_store_tsa_config *c,
                                            int64_t added_at, constat_error *err)
{
    params p = {0};
    p_text(&p, c->name);
    p_text(&p, c->url);
    p_bytes(&p, c->ca, c->ca_len);
    p_int(&p, added_at);
    return insert_named(s, Q_TSA_PUT, &p, "add TSA", "TSA ", c->name,
                        " is already configured", err);
}

constat_status constat_store_tsa_configs(constat_store *s, constat_store_tsa_config_fn fn,
                                         void *ctx, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_TSAS, NULL, &r, "read TSAs", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++) {
        constat_store_tsa_config c;
        c.name = col_text(r, i, 0);
        c.url = col_text(r, i, 1);
        c.ca = col_bytes(r, i, 2, &c.ca_len);
        if (c.ca_len == 0)
            c.ca = NULL;
        if (fn(ctx, &c) != 0)
            break;
    }
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_tsa_token_put(constat_store *s, const constat_store_tsa_token *t,
                                           constat_error *err)
{
    params p = {0};
    p_u64(&p, t->checkpoint_size);
    p_bytes(&p, t->note, t->note_len);
    p_bytes(&p, t->note_sha256, t->note_sha256 ? 32 : 0);
    p_text(&p, t->tsa_name);
    p_text(&p, t->url ? t->url : "");
    p_bytes(&p, t->ca, t->ca_len);
    p_bytes(&p, t->der, t->der_len);
    p_int(&p, t->gen_time);
    p_int(&p, t->received_at);
    return exec_done(s, Q_TOKEN_PUT, &p, "store token", err);
}

/* a byte column, NULL when empty (as SQLite returns an empty blob) */
static const uint8_t *col_bytes_or_null(const PGresult *r, int row, int col, size_t *len)
{
    const uint8_t *b = col_bytes(r, row, col, len);
    return *len ? b : NULL;
}

constat_status constat_store_tsa_tokens(constat_store *s, constat_store_tsa_token_fn fn,
                                        void *ctx, constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_TOKENS, NULL, &r, "read tokens", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++) {
        constat_store_tsa_token t;
        size_t hl;
        t.id = col_i64(r, i, 0);
        t.checkpoint_size = (uint64_t)col_i64(r, i, 1);
        t.note = col_bytes_or_null(r, i, 2, &t.note_len);
        t.note_sha256 = col_bytes(r, i, 3, &hl);
        if (hl != 32)
            t.note_sha256 = NULL;
        t.tsa_name = col_text(r, i, 4);
        t.url = col_text(r, i, 5);
        t.ca = col_bytes_or_null(r, i, 6, &t.ca_len);
        t.der = col_bytes_or_null(r, i, 7, &t.der_len);
        t.gen_time = col_i64(r, i, 8);
        t.received_at = col_i64(r, i, 9);
        if (fn(ctx, &t) != 0)
            break;
    }
    PQclear(r);
    return CONSTAT_OK;
}

/* ---- accounts, audit and enrolment codes (docs/api.md, docs/vault.md) ---- */

constat_status constat_store_account_put(constat_store *s, const char *name, const char *role,
                                         const char *pwhash, int64_t created_at,
                                         constat_error *err)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, role);
    p_text(&p, pwhash);
    p_int(&p, created_at);
    return insert_named(s, Q_ACC_PUT, &p, "insert account", "account ", name, " already exists",
                        err);
}

constat_status constat_store_account_get(constat_store *s, const char *name, constat_buf *role,
                                         constat_buf *pwhash, int *disabled, constat_error *err)
{
    params p = {0};
    PGresult *r;
    constat_status st;
    p_text(&p, name);
    st = exec_row(s, Q_ACC_GET, &p, &r, "read account", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "no account \"%s\"", name);
    if (st)
        return st;
    if (role)
        st = col_to_buf(r, 0, role, err);
    if (!st && pwhash)
        st = col_to_buf(r, 1, pwhash, err);
    if (disabled)
        *disabled = col_i64(r, 0, 2) != 0;
    PQclear(r);
    return st;
}

constat_status constat_store_account_update(constat_store *s, const char *name,
                                            const char *pwhash, int disabled,
                                            constat_error *err)
{
    params p = {0};
    PGresult *r;
    long n;
    constat_status st;
    p_text(&p, name);
    p_text(&p, pwhash); /* NULL: keep it */
    p_int(&p, disabled);
    st = exec_q(s, Q_ACC_UPD, &p, &r, "update account", err);
    if (st)
        return st;
    n = affected(r);
    PQclear(r);
    return n == 0 ? constat_error_set(err, CONSTAT_ENOTFOUND, "no account \"%s\"", name)
                  : CONSTAT_OK;
}

constat_status constat_store_accounts(constat_store *s, constat_store_account_fn fn, void *ctx,
                                      constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_ACCS, NULL, &r, "read accounts", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_text(r, i, 0), col_text(r, i, 1), (int)col_i64(r, i, 2),
               col_i64(r, i, 3)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_audit_put(constat_store *s, int64_t at, const char *account,
                                       const char *address, const char *action,
                                       const char *detail, constat_error *err)
{
    params p = {0};
    p_int(&p, at);
    p_text(&p, account ? account : "");
    p_text(&p, address ? address : "");
    p_text(&p, action ? action : "");
    p_text(&p, detail ? detail : "");
    return exec_done(s, Q_AUDIT_PUT, &p, "write audit", err);
}

constat_status constat_store_audits(constat_store *s, constat_store_audit_fn fn, void *ctx,
                                    constat_error *err)
{
    PGresult *r;
    constat_status st = exec_q(s, Q_AUDITS, NULL, &r, "read audit", err);
    if (st)
        return st;
    for (int i = 0; i < PQntuples(r); i++)
        if (fn(ctx, col_i64(r, i, 0), col_i64(r, i, 1), col_text(r, i, 2), col_text(r, i, 3),
               col_text(r, i, 4), col_text(r, i, 5)) != 0)
            break;
    PQclear(r);
    return CONSTAT_OK;
}

constat_status constat_store_enrol_code_put(constat_store *s, const uint8_t code_hash[32],
                                            const char *monitor, int64_t expires_at,
                                            constat_error *err)
{
    params p = {0};
    p_bytes(&p, code_hash, 32);
    p_text(&p, monitor);
    p_int(&p, expires_at);
    return exec_done(s, Q_CODE_PUT, &p, "write enrolment code", err);
}

constat_status constat_store_enrol_code_take(constat_store *s, const uint8_t code_hash[32],
                                             int64_t now, constat_buf *monitor,
                                             constat_error *err)
{
    params p = {0};
    PGresult *r;
    int used;
    int64_t expires;
    long n;
    constat_status st;
    p_bytes(&p, code_hash, 32);
    st = exec_row(s, Q_CODE_GET, &p, &r, "read enrolment code", err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, st, "code: unknown enrolment code");
    if (st)
        return st;
    expires = col_i64(r, 0, 1);
    used = col_i64(r, 0, 2) != 0;
    st = col_to_buf(r, 0, monitor, err);
    PQclear(r);
    if (st)
        return st;
    if (used)
        return constat_error_set(err, CONSTAT_ECONFLICT, "code: this enrolment code was "
                                                         "already used");
    if (now >= expires)
        return constat_error_set(err, CONSTAT_EVERIFY, "code: this enrolment code has expired");
    p_int(&p, now);
    st = exec_q(s, Q_CODE_USE, &p, &r, "use enrolment code", err);
    if (st)
        return st;
    n = affected(r);
    PQclear(r);
    if (n != 1) /* another transaction took it between the read and the update */
        return constat_error_set(err, CONSTAT_ECONFLICT, "code: this enrolment code was already "
                                                         "used");
    return CONSTAT_OK;
}
