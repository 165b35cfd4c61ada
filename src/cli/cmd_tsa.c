/* cmd_tsa.c — `constat tsa add|list`: the RFC 3161 time-stamping
 * authorities a vault asks (docs/time.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/evidence/tsa.h"

static int print_tsa(void *ctx, const constat_tsa_config *c)
{
    json_t *items = ctx;
    uint8_t h[32];
    char hex[65];
    constat_sha256(c->ca, c->ca_len, h);
    constat_hex(h, 32, hex);
    if (items) {
        if (json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "name", c->name, "url",
                                                   c->url, "ca_sha256", hex)) != 0)
            return -1;
    } else {
        printf("%-16s %s  (CA bundle sha256 %.16s…)\n", cli_text(c->name), cli_text(c->url),
               hex);
    }
    return 0;
}

int cmd_tsa(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"ca", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *ca = NULL;
    int json = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'c': ca = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("tsa");
        }
    }
    if (optind >= argc)
        return cli_usage("tsa");
    dir = cli_vault_dir(dir);
    constat_error_clear(&err);
    if (strcmp(argv[optind], "add") == 0) {
        constat_tsa_config cfg;
        constat_buf b;
        if (optind + 3 != argc || !ca)
            return cli_usage("tsa");
        constat_buf_init(&b);
        if ((rc = cli_read_file(ca, &b, CONSTAT_TSA_CA_MAX)) != 0)
            return rc;
        if ((rc = cli_open_vault(dir, &v)) != 0) {
            constat_buf_free(&b);
            return rc;
        }
        cfg.name = argv[optind + 1];
        cfg.url = argv[optind + 2];
        cfg.ca = b.data;
        cfg.ca_len = b.len;
        st = constat_tsa_add(v, &cfg, cli_now(), &err);
        constat_vault_close(v);
        constat_buf_free(&b);
        if (st != CONSTAT_OK)
            return cli_report_error("tsa add", st, &err);
        printf("TSA %s added: %s\n", cli_text(argv[optind + 1]), cli_text(argv[optind + 2]));
        return cli_finish_stdout(0);
    }
    if (strcmp(argv[optind], "list") == 0) {
        if (optind + 1 != argc)
            return cli_usage("tsa");
        if ((rc = cli_open_vault(dir, &v)) != 0)
            return rc;
        json_t *items = json ? json_array() : NULL;
        st = constat_tsa_list(v, print_tsa, items, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK) {
            json_decref(items);
            return cli_report_error("tsa list", st, &err);
        }
        return cli_finish_stdout(json ? cli_json_listing("tsa list", items, NULL) : 0);
    }
    return cli_usage("tsa");
}
