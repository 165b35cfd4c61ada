/* cmd_keys.c — `constat keys`: print the vault's public keys in the form
 * `constat verify --trust FILE` reads ("log <vkey>", "org <vkey>"). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int cmd_keys(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    constat_vault *v;
    char vkey[600];
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else
            return cli_usage("keys");
    }
    if (optind != argc)
        return cli_usage("keys");
    if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
        return rc;
    printf("# public keys of %s (log origin %s): publish them; verifiers pin them with\n"
           "# constat verify DOSSIER --trust THIS_FILE\n",
           cli_text(constat_vault_org(v)), cli_text(constat_vault_origin(v)));
    if (constat_note_verifier_format(&constat_vault_log_key(v)->pub, vkey, sizeof vkey) ==
        CONSTAT_OK)
        printf("log %s\n", cli_text(vkey));
    if (constat_note_verifier_format(&constat_vault_org_key(v)->pub, vkey, sizeof vkey) ==
        CONSTAT_OK)
        printf("org %s\n", cli_text(vkey));
    constat_vault_close(v);
    return cli_finish_stdout(0);
}
