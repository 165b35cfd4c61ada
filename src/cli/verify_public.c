/* verify_public.c — `constat verify DIR` on a public report folder
 * (`constat report --public`): does it obey its declared k, and are its
 * pages the ones its figures give (constat_verify_public_report). */
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>

#include "cli.h"
#include "constat/dossier/public.h"

typedef struct {
    int json;
    json_t *list;
} pub_out;

static void on_fail(void *ctx, const char *file, const char *msg)
{
    pub_out *o = ctx;
    if (o->json) {
        json_array_append_new(o->list, json_pack("{s:s, s:s}", "file", file, "message", msg));
        return;
    }
    printf("FAIL: %s: ", cli_text(file));
    printf("%s\n", cli_text(msg));
}

int cli_verify_public(const char *dir, int json)
{
    pub_out o = {json, json_array()};
    uint64_t passed = 0, failed = 0;
    constat_error err;
    constat_status st;

    constat_error_clear(&err);
    if (!json)
        printf("public report %s\n", cli_text(dir));
    st = constat_verify_public_report(dir, on_fail, &o, &passed, &failed, &err);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY) {
        json_decref(o.list);
        return cli_report_error(dir, st, &err);
    }
    if (json) {
        json_t *r = json_pack("{s:s, s:b, s:I, s:I, s:O}", "kind", "public_report", "ok",
                              st == CONSTAT_OK, "passed", (json_int_t)passed, "failed",
                              (json_int_t)failed, "failures", o.list);
        char *s = r ? json_dumps(r, JSON_COMPACT) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(r);
    } else {
        printf("  checks: %llu passed, %llu failed\n", (unsigned long long)passed,
               (unsigned long long)failed);
        printf(st == CONSTAT_OK ? "VERIFIED: the public report obeys the k it declares and "
                                  "shows the figures it holds.\n"
                                : "NOT VERIFIED: %llu failure(s) above.\n",
               (unsigned long long)failed);
    }
    json_decref(o.list);
    return cli_finish_stdout(st == CONSTAT_OK ? 0 : 1);
}
