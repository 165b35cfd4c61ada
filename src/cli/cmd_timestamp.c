/* cmd_timestamp.c — `constat timestamp`: have the newest checkpoint
 * time-stamped by every configured TSA (or one given on the command line),
 * keeping each verified RFC 3161 token (docs/time.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/evidence/tsa.h"

typedef struct {
    constat_vault *v;
    int64_t now;
    int asked, ok;
    int rc;
} run_ctx;

static void one(run_ctx *r, const constat_tsa_config *cfg)
{
    constat_tsa_info info;
    constat_error err;
    uint64_t size = 0;
    constat_status st;

    constat_error_clear(&err);
    r->asked++;
    st = constat_tsa_timestamp(r->v, cfg, r->now, &info, &size, &err);
    if (st != CONSTAT_OK) {
        int code = cli_report_error("timestamp", st, &err);
        if (r->rc == 0 || code > r->rc)
            r->rc = code;
        return;
    }
    r->ok++;
    printf("%-16s checkpoint size %llu time-stamped at %s (serial %s, %s, signer %s, "
           "certificate valid %s to %s)\n",
           cli_text(cfg->name), (unsigned long long)size, cli_text(info.gen_time_text),
           cli_text(info.serial), cli_text(info.hash), cli_text(info.tsa),
           cli_text(info.cert_not_before_text), cli_text(info.cert_not_after_text));
}

static int each(void *ctx, const constat_tsa_config *cfg)
{
    one(ctx, cfg);
    return 0;
}

int cmd_timestamp(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"tsa", required_argument, NULL, 't'},
        {"ca", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *url = NULL, *ca = NULL;
    run_ctx r;
    constat_error err;
    constat_status st;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 't': url = optarg; break;
        case 'c': ca = optarg; break;
        default: return cli_usage("timestamp");
        }
    }
    if (optind != argc || (url != NULL) != (ca != NULL))
        return cli_usage("timestamp");
    memset(&r, 0, sizeof r);
    r.now = cli_now();
    if ((rc = cli_open_vault(cli_vault_dir(dir), &r.v)) != 0)
        return rc;
    constat_error_clear(&err);
    if (url) {
        constat_buf b;
        constat_tsa_config cfg;
        constat_buf_init(&b);
        if ((rc = cli_read_file(ca, &b, CONSTAT_TSA_CA_MAX)) != 0) {
            constat_vault_close(r.v);
            return rc;
        }
        cfg.name = "command-line";
        cfg.url = url;
        cfg.ca = b.data;
        cfg.ca_len = b.len;
        one(&r, &cfg);
        constat_buf_free(&b);
    } else {
        st = constat_tsa_list(r.v, each, &r, &err);
        if (st != CONSTAT_OK) {
            constat_vault_close(r.v);
            return cli_report_error("timestamp", st, &err);
        }
        if (r.asked == 0) {
            constat_vault_close(r.v);
            fprintf(stderr, "constat: timestamp: no TSA configured (constat tsa add NAME URL "
                            "--ca FILE, or --tsa URL --ca FILE)\n");
            return CLI_EXIT_USAGE;
        }
    }
    constat_vault_close(r.v);
    if (r.ok < r.asked)
        fprintf(stderr, "constat: timestamp: %d of %d TSAs gave a valid token\n", r.ok,
                r.asked);
    return cli_finish_stdout(r.rc);
}
