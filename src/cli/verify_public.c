/* verify_public.c — `constat verify DIR` on a public report folder
 * (`constat report --public`): does it obey its declared k, and are its
 * pages the ones its figures give (constat_verify_public_report). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

int cli_verify_public(const char *dir, const char *trust, int json)
{
    pub_out o = {json, json_array()};
    uint64_t passed = 0, failed = 0;
    int from = -1;
    static const char *const keyfrom[] = {
        "no usable log key: the checkpoint signature is not checked",
        ("the public report's own keys/log.vkey (not pinned: this proves consistency only; "
         "pin the log key with --trust)"),
        "pinned by --trust"};
    static const char limits[] =
        "a public report proves that its pages show its figures, that the figures obey the k "
        "they declare, and that the log key signed the checkpoint it cites; it holds no leaf, "
        "so its figures cannot be recounted from the log: only a dossier can show that";
    constat_error err;
    constat_status st;

    constat_error_clear(&err);
    char pdfpath[4200];
    struct stat sb;
    snprintf(pdfpath, sizeof pdfpath, "%s/report.pdf", dir);
    int pdf = lstat(pdfpath, &sb) == 0 && S_ISREG(sb.st_mode);
    if (!json)
        printf("public report %s\n", cli_text(dir));
    st = constat_verify_public_report(dir, trust, on_fail, &o, &passed, &failed, &from, &err);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY) {
        json_decref(o.list);
        return cli_report_error(dir, st, &err);
    }
    if (json) {
        json_t *r = json_pack("{s:s, s:b, s:I, s:I, s:s, s:s, s:O}", "kind", "public_report",
                              "ok", st == CONSTAT_OK, "passed", (json_int_t)passed, "failed",
                              (json_int_t)failed, "log_key", keyfrom[from + 1], "limits",
                              limits, "failures", o.list);
        if (r && pdf)
            json_object_set_new(r, "not_checked", json_pack("[s]", "report.pdf"));
        char *s = r ? json_dumps(r, JSON_COMPACT) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(r);
    } else {
        printf("  log key: %s\n", keyfrom[from + 1]);
        printf("  checks: %llu passed, %llu failed\n", (unsigned long long)passed,
               (unsigned long long)failed);
        printf("  note: %s\n", limits);
        if (pdf)
            printf("  not checked: report.pdf (printed from index.html by a browser; its bytes "
                   "cannot be rendered again: read index.html, which is checked)\n");
        printf(st == CONSTAT_OK ? "VERIFIED: the public report obeys the k it declares, "
                                  "shows the figures it holds and cites a checkpoint the "
                                  "log key signed.\n"
                                : "NOT VERIFIED: %llu failure(s) above.\n",
               (unsigned long long)failed);
    }
    json_decref(o.list);
    return cli_finish_stdout(st == CONSTAT_OK ? 0 : 1);
}
