/*
 * serve_static.c — the monitor's web app (web/, docs/field-app.md) as
 * `constat serve` gives it at "/": files embedded in the program at build
 * time (cmake/web_embed.cmake), so nothing is read from the disk and no
 * path can reach outside the app. A path must still be a plain file path:
 * segments of [A-Za-z0-9_-] with dots inside, no empty or dot-led segment
 * ("..", ".git", "//"), else 400; a path the app lacks is 404. Each answer
 * carries its type, an ETag (304 when If-None-Match has it), "no-cache"
 * (the browser asks again, the service worker keeps the copy for offline
 * use) and the app's Content-Security-Policy (serve.h SERVE_APP_CSP).
 * /taxonomy.json is the taxonomy the server validates against, as its file
 * was read (serve_taxonomy), so the form offers what intake accepts.
 */
#include <string.h>

#include "constat/base/hash.h"
#include "serve.h"

#define STATIC_PATH_MAX 200

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* 1 when `p` is "/" followed by segments of [A-Za-z0-9._-], none empty
 * and none starting with a dot. */
static int plain_path(const char *p)
{
    size_t n = strlen(p);
    if (n < 2 || n > STATIC_PATH_MAX || p[0] != '/')
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = p[i];
        int seg_start = p[i - 1] == '/';
        if (c == '/' ? seg_start : (seg_start && c == '.'))
            return 0;
        if (c != '/' && c != '.' && c != '_' && c != '-' && !(c >= 'a' && c <= 'z') &&
            !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9'))
            return 0;
    }
    return p[n - 1] != '/';
}

/* 200 with the bytes, their type, ETag and no-cache (304 when the client
 * has them). */
static int answer(const serve_request *rq, serve_reply *rp, const char *path,
                  const unsigned char *data, size_t len, const char *etag)
{
    rp->type = type_of(path);
    rp->cache = "no-cache";
    rp->page = 1;
    snprintf(rp->etag, sizeof rp->etag, "%s", etag);
    if (rq->if_none_match && strstr(rq->if_none_match, etag)) {
        rp->status = 304;
        return 1;
    }
    rp->status = 200;
    constat_buf_reset(&rp->body);
    if (constat_buf_append(&rp->body, data, len) != CONSTAT_OK) {
        rp->page = 0;
        rp->etag[0] = 0;
        rp->cache = NULL;
        serve_error(rp, 500, NULL, "out of memory");
    }
    return 1;
}

int serve_static(const serve_request *rq, serve_reply *rp)
{
    const char *path = rq->url;
    if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0)
        return 0;
    if (strncmp(path, "/api/", 5) == 0)
        return 0;
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    if (!plain_path(path)) {
        serve_error(rp, 400, NULL, "not a file path of the web app: %.100s", rq->url);
        return 1;
    }
    for (size_t i = 0; i < serve_assets_n; i++) {
        const serve_asset *a = &serve_assets[i];
        if (strcmp(a->path, path) == 0)
            return answer(rq, rp, path, a->data, a->len, a->etag);
    }
    serve_error(rp, 404, NULL, "no such route: %.100s", rq->url);
    return 1;
}

int serve_taxonomy(const serve_ctx *ctx, const serve_request *rq, serve_reply *rp)
{
    uint8_t h[32];
    char hex[65], etag[24];
    size_t len;
    const char *bytes = constat_taxonomy_bytes(ctx->tax, &len);

    if (!bytes || strcmp(rq->url, "/taxonomy.json") != 0 ||
        (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0))
        return 0;
    constat_sha256((const uint8_t *)bytes, len, h);
    constat_hex(h, 8, hex);
    snprintf(etag, sizeof etag, "\"%s\"", hex);
    return answer(rq, rp, rq->url, (const unsigned char *)bytes, len, etag);
}
