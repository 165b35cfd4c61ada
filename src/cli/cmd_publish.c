/* cmd_publish.c — `constat publish [add VKEY URL | witnesses | cosigned]`:
 * send the log's newest checkpoint to the configured witnesses (C2SP
 * tlog-witness) and keep their cosignatures (docs/witness.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/witness/publish.h"

static int print_witness(void *ctx, const char *name, const char *url, const char *vkey,
                         uint64_t size)
{
    json_t *items = ctx;
    if (items)
        return json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I}", "name", name,
                                                      "url", url, "vkey", vkey, "cosigned_size",
                                                      (json_int_t)size)) != 0 ? -1 : 0;
    printf("%s\t%s\t%s\tcosigned size %llu\n", cli_text(name), cli_text(url), cli_text(vkey),
           (unsigned long long)size);
    return 0;
}

static void print_result(void *ctx, const constat_publish_result *r)
{
    (void)ctx;
    if (r->status == CONSTAT_OK)
        printf("%s: %s\n", cli_text(r->witness), cli_text(r->msg));
    else
        printf("%s: FAILED: %s\n", cli_text(r->witness), cli_text(r->msg));
    fflush(stdout);
}

int cmd_publish(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *sub = NULL;
    constat_vault *v;
    constat_error err;
    constat_status st;
    int c, rc = 0, nargs, json = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage("publish");
    }
    nargs = argc - optind;
    if (nargs > 0)
        sub = argv[optind];
    if (sub && !(strcmp(sub, "add") == 0 && nargs == 3) &&
        !((strcmp(sub, "witnesses") == 0 || strcmp(sub, "cosigned") == 0) && nargs == 1))
        return cli_usage("publish");
    /* --json is for the listing only */
    if (json && !(sub && strcmp(sub, "witnesses") == 0))
        return cli_usage("publish");
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    if (!sub) {
        st = constat_publish_run(v, cli_now(), NULL, NULL, print_result, NULL, &err);
        if (st != CONSTAT_OK) {
            fprintf(stderr, "constat: publish: %s\n", cli_text(err.msg));
            rc = constat_status_exit_code(st);
        }
    } else if (strcmp(sub, "add") == 0) {
        st = constat_publish_witness_add(v, argv[optind + 1], argv[optind + 2], &err);
        if (st != CONSTAT_OK)
            rc = cli_report_error("publish add", st, &err);
        else
        {
            /* the name part of the NAME+ID+KEY verifier key */
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(argv[optind + 1], "+"),
                     argv[optind + 1]);
            printf("added witness %s\n", cli_text(name));
        }
    } else if (strcmp(sub, "witnesses") == 0) {
        json_t *items = json ? json_array() : NULL;
        st = constat_publish_witnesses(v, print_witness, items, &err);
        if (st != CONSTAT_OK) {
            json_decref(items);
            rc = cli_report_error("publish witnesses", st, &err);
        } else if (json) {
            rc = cli_json_listing("publish witnesses", items, NULL);
        }
    } else {
        constat_buf out;
        constat_buf_init(&out);
        st = constat_publish_cosigned(v, &out, NULL, &err);
        if (st != CONSTAT_OK)
            rc = cli_report_error("publish cosigned", st, &err);
        else
            fwrite(out.data, 1, out.len, stdout);
        constat_buf_free(&out);
    }
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
