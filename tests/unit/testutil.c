/* testutil.c — see testutil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "testutil.h"

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    if (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n)
        fail_msg("short read on %s", path);
    p[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return p;
}

char *tu_read_vector(const char *relpath, size_t *len)
{
    char path[4096];
    if (relpath[0] == '/')
        return tu_read_file(relpath, len);
    snprintf(path, sizeof path, "%s/%s", CONSTAT_VECTORS, relpath);
    return tu_read_file(path, len);
}

size_t tu_unbase64(const char *b64, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (constat_unbase64(b64, strlen(b64), out, cap, &n) != CONSTAT_OK)
        fail_msg("bad base64 in vector: %s", b64);
    return n;
}

char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/constat-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d)
        fail_msg("mkdtemp failed");
    return strdup(d);
}

void tu_rmrf(const char *dir)
{
    char cmd[4200];
    if (!dir || strncmp(dir, "/tmp/constat-test-", 18) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

static void *tu_serve_one(void *ud)
{
    tu_server *s = ud;
    int fd = accept(s->lfd, NULL, NULL);
    size_t want = 0, n, o = 0;
    char *hdr_end = NULL;

    if (fd < 0)
        return NULL;
    s->request_len = 0;
    for (;;) {
        ssize_t r = read(fd, s->request + s->request_len, sizeof s->request - 1 - s->request_len);
        if (r <= 0)
            break;
        s->request_len += (size_t)r;
        s->request[s->request_len] = 0;
        if (!hdr_end && (hdr_end = strstr(s->request, "\r\n\r\n")) != NULL) {
            const char *cl = strstr(s->request, "Content-Length: ");
            want = (size_t)(hdr_end + 4 - s->request) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
        }
        if (hdr_end && s->request_len >= want)
            break;
    }
    n = s->reply_len ? s->reply_len : strlen(s->reply);
    while (o < n) {
        ssize_t w = send(fd, s->reply + o, n - o, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        o += (size_t)w;
    }
    close(fd);
    return NULL;
}

void tu_server_start(tu_server *s, const char *reply, size_t reply_len)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;

    memset(s, 0, sizeof *s);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->lfd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->lfd, 4), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    s->reply = reply;
    s->reply_len = reply_len;
    assert_int_equal(pthread_create(&s->th, NULL, tu_serve_one, s), 0);
}

void tu_server_stop(tu_server *s)
{
    /* a client that never connected leaves accept waiting: shutdown ends it */
    shutdown(s->lfd, SHUT_RDWR);
    pthread_join(s->th, NULL);
    close(s->lfd);
}

json_t *tu_json(const char *text)
{
    char *s = strdup(text), *p;
    json_t *v;
    json_error_t je;
    assert_non_null(s);
    for (p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    v = json_loads(s, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        fail_msg("bad test JSON: %s: %s", je.text, s);
    free(s);
    return v;
}

/* ---- the database under a vault, whichever backend it is on ---- */

/* dir/store.url's URL and schema, or 0 if the vault is on vault.db */
static int pg_location(const char *dir, char *uri, size_t n, char *schema, size_t sn)
{
    char path[700], *loc, *h;
    size_t len;
    snprintf(path, sizeof path, "%s/store.url", dir);
    if (access(path, F_OK) != 0)
        return 0;
    loc = tu_read_file(path, &len);
    while (len > 0 && (loc[len - 1] == '\n' || loc[len - 1] == '\r'))
        loc[--len] = 0;
    h = strrchr(loc, '#');
    assert_non_null(h);
    *h = 0;
    snprintf(uri, n, "%s", loc);
    snprintf(schema, sn, "%s", h + 1);
    free(loc);
    return 1;
}

static PGconn *pg_connect(const char *uri, const char *schema)
{
    char sql[200];
    PGconn *c = PQconnectdb(uri);
    PGresult *r;
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", uri, PQerrorMessage(c));
    snprintf(sql, sizeof sql, "SET search_path TO %s", schema);
    r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    return c;
}

void tu_vault_sql(const char *dir, const char *sql, const void *blob, size_t blen)
{
    char uri[700], schema[80];
    if (pg_location(dir, uri, sizeof uri, schema, sizeof schema)) {
        char *q = strdup(sql), *p;
        PGconn *c = pg_connect(uri, schema);
        const char *v[1] = {blob};
        int l[1] = {(int)blen}, fm[1] = {1};
        PGresult *r;
        assert_non_null(q);
        while ((p = strstr(q, "?1")) != NULL) /* SQLite's ?1 is PostgreSQL's $1 */
            *p = '$';
        r = PQexecParams(c, q, blob ? 1 : 0, NULL, v, l, fm, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fail_msg("%s: %s", q, PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        free(q);
    } else {
        char path[700];
        sqlite3 *db;
        sqlite3_stmt *st;
        snprintf(path, sizeof path, "%s/vault.db", dir);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (blob)
            sqlite3_bind_blob(st, 1, blob, (int)blen, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
}

char *tu_vault_dump(const char *dir, size_t *len)
{
    char uri[700], schema[80], path[700];
    if (pg_location(dir, uri, sizeof uri, schema, sizeof schema)) {
        PGconn *c = pg_connect(uri, schema);
        PGresult *t = PQexec(c, "SELECT tablename FROM pg_tables WHERE schemaname = "
                                "current_schema() ORDER BY tablename");
        char *out = NULL;
        size_t n = 0;
        assert_int_equal(PQresultStatus(t), PGRES_TUPLES_OK);
        for (int i = 0; i < PQntuples(t); i++) {
            char sql[300];
            PGresult *r;
            snprintf(sql, sizeof sql,
                     "SELECT '%s:' || coalesce(string_agg(x::text, chr(10) ORDER BY x::text), "
                     "'') FROM %s x",
                     PQgetvalue(t, i, 0), PQgetvalue(t, i, 0));
            r = PQexec(c, sql);
            assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
            {
                size_t k = strlen(PQgetvalue(r, 0, 0));
                out = realloc(out, n + k + 2);
                assert_non_null(out);
                memcpy(out + n, PQgetvalue(r, 0, 0), k);
                n += k;
                out[n++] = '\n';
                out[n] = 0;
            }
            PQclear(r);
        }
        PQclear(t);
        PQfinish(c);
        if (len)
            *len = n;
        return out ? out : strdup("");
    }
    snprintf(path, sizeof path, "%s/vault.db", dir);
    return tu_read_file(path, len);
}
