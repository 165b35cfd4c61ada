/* serve_http_stub.c — for fuzz_serve_routes only: the one function of
 * serve_http.c that the intake calls. The harness's requests never defer
 * (serve_request.defer is NULL), so it is never reached. */
#include <stdlib.h>

#include "serve.h"

void serve_http_deferred_done(void *defer, serve_reply *rp)
{
    (void)defer;
    (void)rp;
    abort();
}
