/* fuzz_serve_routes.c — the request bodies `constat serve` parses, through
 * its own route code (src/server/serve_routes.c: the strict JSON body with
 * its allowed members, string fields, the record of /records/prepare run
 * through constat_intake_prepare, a submission's leaf, an enrolment code, an
 * invitation, a disable, a witness's add-checkpoint, a resumable upload's
 * declaration, its chunk with the Content-Range line before the bytes, its
 * id in the URL for GET, DELETE and finish), against a real vault
 * made once in a temporary folder, with a monitor's and a coordinator's
 * session open. First byte: the route (and whose session); the rest is the
 * body. Every answer must be a JSON object with a status the API documents,
 * and an error must say what is wrong. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "constat/constat.h"
#include "constat/vault/accounts.h"
#include "serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static serve_ctx ctx;
static serve_session mon, coord;
static char mon_cookie[80], coord_cookie[80];
static char upload_url[80]; /* "/api/v1/uploads/ID" of an open upload */

static int64_t fixed_now(void)
{
    return 1795946400; /* 2026-11-29T10:00:00Z */
}

static void cookie_of(const serve_reply *rp, char *out, size_t cap)
{
    const char *p = strstr(rp->set_cookie, "constat_session=");
    size_t n;
    if (!p)
        abort();
    p += strlen("constat_session=");
    n = strcspn(p, ";");
    if (n >= cap)
        abort();
    memcpy(out, p, n);
    out[n] = 0;
}

static char dir[] = "/tmp/fuzz-serve-XXXXXX";

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    serve_intake_stop(ctx.intake);
    constat_vault_close(ctx.vault);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void)
{
    constat_error err;
    serve_reply rp;

    setenv("CONSTAT_KDF", "fast", 1);
    if (constat_init() != CONSTAT_OK || !mkdtemp(dir))
        return -1;
    atexit(cleanup); /* the vault lives as long as the process */
    if (constat_vault_create_store(dir, "fuzz-org", "fuzz.example/log", NULL, "", &err) !=
            CONSTAT_OK ||
        constat_vault_open(dir, NULL, &ctx.vault, &err) != CONSTAT_OK ||
        constat_account_add(ctx.vault, "amina", "monitor", "amina password", 0, &err) !=
            CONSTAT_OK ||
        constat_account_add(ctx.vault, "chef", "coordinator", "chef password", 0, &err) !=
            CONSTAT_OK)
        return -1;
    pthread_mutex_init(&ctx.lock, NULL);
    ctx.now = fixed_now;
    ctx.sessions = serve_sessions_new();
    ctx.cache = serve_cache_new();
    ctx.intake = serve_intake_start(&ctx, 16, 16, 0);
    if (!ctx.sessions || !ctx.cache || !ctx.intake)
        return -1;
    memset(&rp, 0, sizeof rp);
    if (serve_session_open(&ctx, "amina", "monitor", &rp, &mon) != 0)
        return -1;
    cookie_of(&rp, mon_cookie, sizeof mon_cookie);
    memset(&rp, 0, sizeof rp);
    if (serve_session_open(&ctx, "chef", "coordinator", &rp, &coord) != 0)
        return -1;
    cookie_of(&rp, coord_cookie, sizeof coord_cookie);
    {
        /* one open upload of 4096 bytes for the chunks to go to */
        static const char decl[] = "{\"sha256\":\"00000000000000000000000000000000000000000"
                                   "00000000000000000000000\",\"size\":4096}";
        serve_request rq;
        json_t *o;
        memset(&rq, 0, sizeof rq);
        rq.method = "POST";
        rq.url = "/api/v1/uploads";
        rq.address = "127.0.0.1";
        rq.content_type = "application/json";
        rq.cookie = mon_cookie;
        rq.csrf = mon.csrf;
        rq.body = (const uint8_t *)decl;
        rq.len = strlen(decl);
        memset(&rp, 0, sizeof rp);
        constat_buf_init(&rp.body);
        serve_route(&ctx, &rq, &rp);
        if (rp.status != 201 || constat_json_parse((const char *)rp.body.data, rp.body.len,
                                                   "answer", 0, &o, &err) != CONSTAT_OK)
            return -1;
        snprintf(upload_url, sizeof upload_url, "/api/v1/uploads/%s",
                 json_string_value(json_object_get(o, "id")));
        json_decref(o);
        constat_buf_free(&rp.body);
    }
    return 0;
}

static const struct {
    const char *method, *url, *type;
    int who;  /* 0 none, 1 monitor, 2 coordinator */
    int mode; /* 0 the body; 1 "Content-Range\n" then the body, to upload_url;
                 2 the url is url + the input */
} routes[] = {
    {"POST", "/api/v1/login", "application/json", 0, 0},
    {"POST", "/api/v1/enrol", "application/json", 0, 0},
    {"POST", "/api/v1/records/prepare", "application/json", 1, 0},
    {"POST", "/api/v1/records", "application/json", 1, 0},
    {"POST", "/api/v1/invites", "application/json", 2, 0},
    {"POST", "/api/v1/accounts/zed/disable", NULL, 2, 0},
    {"POST", "/add-checkpoint", "text/plain", 0, 0},
    {"POST", "/api/v1/records", "application/json", 2, 0}, /* a coordinator may not submit */
    {"POST", "/api/v1/uploads", "application/json", 1, 0},
    {"PUT", NULL, "application/octet-stream", 1, 1},
    {"GET", "/api/v1/uploads/", NULL, 1, 2},
    {"POST", "/api/v1/uploads/", NULL, 1, 2}, /* ID/finish */
    {"DELETE", "/api/v1/uploads/", NULL, 1, 2},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready = 0;
    serve_request rq;
    serve_reply rp;
    json_t *o;
    size_t r;
    char range[128], url[256];

    if (!ready) {
        if (setup() != 0)
            abort();
        ready = 1;
    }
    if (size == 0)
        return 0;
    r = data[0] % (sizeof routes / sizeof routes[0]);
    memset(&rq, 0, sizeof rq);
    rq.method = routes[r].method;
    rq.url = routes[r].url;
    rq.address = "127.0.0.1";
    rq.content_type = routes[r].type;
    rq.cookie = routes[r].who == 1 ? mon_cookie : routes[r].who == 2 ? coord_cookie : NULL;
    rq.csrf = routes[r].who == 1 ? mon.csrf : routes[r].who == 2 ? coord.csrf : NULL;
    rq.body = data + 1;
    rq.len = size - 1;
    if (routes[r].mode == 1) {
        const uint8_t *nl = memchr(rq.body, '\n', rq.len);
        size_t n = nl ? (size_t)(nl - rq.body) : rq.len;
        if (n >= sizeof range || memchr(rq.body, 0, n))
            return 0; /* a header holds no NUL and is short */
        memcpy(range, rq.body, n);
        range[n] = 0;
        rq.content_range = range;
        rq.url = upload_url;
        rq.body += nl ? n + 1 : n;
        rq.len -= nl ? n + 1 : n;
    } else if (routes[r].mode == 2) {
        if (rq.len >= sizeof url - strlen(routes[r].url) || memchr(rq.body, 0, rq.len))
            return 0; /* the HTTP layer gives a NUL-free path */
        snprintf(url, sizeof url, "%s%.*s", routes[r].url, (int)rq.len, (const char *)rq.body);
        rq.url = url;
        rq.body = (const uint8_t *)"";
        rq.len = 0;
    }
    if (rq.len > serve_route_limit(rq.method, rq.url))
        return 0; /* the HTTP layer answers 413 before any route */
    memset(&rp, 0, sizeof rp);
    constat_buf_init(&rp.body);
    serve_route(&ctx, &rq, &rp);
    if (getenv("FUZZ_SERVE_SHOW")) /* what each input got, to check a corpus */
        fprintf(stderr, "%s %s -> %u %.*s\n", rq.method, rq.url, rp.status,
                (int)(rp.body.len > 160 ? 160 : rp.body.len), (const char *)rp.body.data);
    if (rp.status < 200 || rp.status > 599 || rp.deferred)
        abort();
    if (rp.body.len) {
        constat_error err;
        if (constat_json_parse((const char *)rp.body.data, rp.body.len, "answer", 0, &o, &err) !=
                CONSTAT_OK &&
            !(routes[r].url && strcmp(routes[r].url, "/add-checkpoint") == 0))
            abort(); /* the API answers JSON (add-checkpoint: C2SP text) */
        if (o && rp.status >= 400 && !json_string_value(json_object_get(o, "error")))
            abort();
        json_decref(o);
    }
    constat_buf_free(&rp.body);
    return 0;
}
