/* serve_http_stub.c — for fuzz_serve_routes only: the one function of
 * serve_http.c that the intake calls (the harness's requests never defer:
 * serve_request.defer is NULL, so it is never reached), and a one-file
 * table of the web app for serve_static.c, whose program table is
 * generated from web/ (cmake/web_embed.cmake). */
#include <stdlib.h>

#include "serve.h"

void serve_http_deferred_done(void *defer, serve_reply *rp)
{
    (void)defer;
    (void)rp;
    abort();
}

static const unsigned char stub_index[] = "<!doctype html>";
const serve_asset serve_assets[] = {{"/index.html", stub_index, sizeof stub_index - 1, "\"1\""}};
const size_t serve_assets_n = 1;
