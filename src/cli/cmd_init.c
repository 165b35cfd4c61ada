/* cmd_init.c — `constat init`: a new vault. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"org", required_argument, NULL, 'o'},
        {"origin", required_argument, NULL, 'g'},
        {"dir", required_argument, NULL, 'd'},
        {"store", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0}};
    const char *org = NULL, *origin = NULL, *dir = NULL, *store = NULL;
    constat_error err;
    constat_status st;
    char *pass;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': org = optarg; break;
        case 'g': origin = optarg; break;
        case 'd': dir = optarg; break;
        case 's': store = optarg; break;
        default: return cli_usage("init");
        }
    }
    if (!org || !origin || optind != argc)
        return cli_usage("init");
    dir = cli_vault_dir(dir);
    c = cli_passphrase_new("passphrase to seal the vault keys: ", &pass);
    if (c)
        return c; /* asked before anything is written: no directory, no file */
    constat_error_clear(&err);
    st = constat_vault_create_store(dir, org, origin, pass && *pass ? pass : NULL, store, &err);
    if (st != CONSTAT_OK) {
        cli_passphrase_free(pass);
        return cli_report_error(dir, st, &err);
    }
    /* only once the keys exist: a refused init wrote no key to warn about */
    if (!pass || !*pass)
        fprintf(stderr, "constat: warning: the keys in %s/keys are NOT sealed with a "
                        "passphrase (set CONSTAT_PASSPHRASE to seal them)\n", cli_text(dir));
    {
        constat_vault *v;
        char vkey[600];
        /* open with the passphrase just chosen: never ask for it a third time */
        constat_error_clear(&err);
        st = constat_vault_open(dir, pass && *pass ? pass : NULL, &v, &err);
        cli_passphrase_free(pass);
        if (st != CONSTAT_OK)
            return cli_report_error(dir, st, &err);
        printf("created vault %s\n", cli_text(dir));
        printf("organisation: %s\n", cli_text(org));
        if (constat_note_verifier_format(&constat_vault_org_key(v)->pub, vkey, sizeof vkey) ==
            CONSTAT_OK)
            printf("organisation key: %s\n", cli_text(vkey));
        if (constat_note_verifier_format(&constat_vault_log_key(v)->pub, vkey, sizeof vkey) ==
            CONSTAT_OK)
            printf("log key:          %s\n", cli_text(vkey));
        printf("publish both keys where verifiers can find them (web site, letters to the "
               "Defender): they pin them with 'constat verify --trust'.\n");
        constat_vault_close(v);
    }
    return cli_finish_stdout(0);
}
