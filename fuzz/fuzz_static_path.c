/* fuzz_static_path.c — the web app's path check of `constat serve`
 * (src/server/serve_static.c) on arbitrary URLs: any bytes (as
 * libmicrohttpd hands over the decoded path, up to a NUL) must be answered
 * 400, 404 or 200/304, and 200 only for a path of the asset table, never
 * for one with an empty or dot-led segment. The table here is two files;
 * the program's is generated from web/ (cmake/web_embed.cmake). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/server/serve_static.c"

static const unsigned char idx[] = "<!doctype html>", js[] = "export {};";
const serve_asset serve_assets[] = {
    {"/index.html", idx, sizeof idx - 1, "\"1\""},
    {"/js/app.js", js, sizeof js - 1, "\"2\""},
};
const size_t serve_assets_n = 2;

/* serve_routes.c's, reduced to what the check needs */
void serve_error(serve_reply *rp, unsigned status, const char *field, const char *fmt, ...)
{
    (void)field, (void)fmt;
    rp->status = status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char url[512];
    serve_request rq;
    serve_reply rp;
    size_t n = size < sizeof url - 1 ? size : sizeof url - 1;

    memcpy(url, data, n);
    url[n] = 0;
    memset(&rq, 0, sizeof rq);
    memset(&rp, 0, sizeof rp);
    constat_buf_init(&rp.body);
    rq.method = "GET";
    rq.url = url;
    if (!serve_static(&rq, &rp)) {
        if (strncmp(url, "/api/", 5) != 0)
            abort();
    } else if (rp.status == 200) {
        const char *p = strcmp(url, "/") == 0 ? "/index.html" : url;
        int found = 0;
        for (size_t i = 0; i < serve_assets_n; i++)
            found |= strcmp(serve_assets[i].path, p) == 0 && rp.body.len == serve_assets[i].len &&
                     memcmp(rp.body.data, serve_assets[i].data, rp.body.len) == 0;
        if (!found || strstr(url, "/.") || strstr(url, "//"))
            abort();
    } else if (rp.status != 400 && rp.status != 404) {
        abort();
    }
    constat_buf_free(&rp.body);
    return 0;
}
