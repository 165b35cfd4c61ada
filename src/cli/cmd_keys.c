/* cmd_keys.c — `constat keys`: print the vault's public keys in the form
 * `constat verify --trust FILE` reads ("log <vkey>", "org <vkey>"). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_keys(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    constat_vault *v;
    char vkey[600];
    int c, rc, json = 0;

    if (argc > 1 && strcmp(argv[1], "recipient-new") == 0) /* cmd_disclose.c */
        return cli_keys_recipient_new(argc, argv);
    if (argc > 1 && strcmp(argv[1], "history") == 0) /* cmd_keylife.c */
        return cli_keys_history(argc, argv);
    if (argc > 1 && strcmp(argv[1], "rotate") == 0) /* cmd_keyrot.c */
        return cli_keys_rotate(argc, argv);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage("keys");
    }
    if (optind != argc)
        return cli_keys_sub(cli_vault_dir(dir), argc - optind, argv + optind);
    if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
        return rc;
    if (json) {
        json_t *items = json_array();
        char org[600];
        if (constat_note_verifier_format(&constat_vault_log_key(v)->pub, vkey, sizeof vkey) !=
                CONSTAT_OK ||
            constat_note_verifier_format(&constat_vault_org_key(v)->pub, org, sizeof org) !=
                CONSTAT_OK) {
            json_decref(items);
            constat_vault_close(v);
            fprintf(stderr, "constat: keys: a public key cannot be formatted\n");
            return 3;
        }
        json_array_append_new(items, json_pack("{s:s, s:s}", "role", "log", "vkey", vkey));
        json_array_append_new(items, json_pack("{s:s, s:s}", "role", "org", "vkey", org));
        rc = cli_json_listing("keys", items,
                              json_pack("{s:s, s:s}", "organisation", constat_vault_org(v),
                                        "origin", constat_vault_origin(v)));
        constat_vault_close(v);
        return cli_finish_stdout(rc);
    }
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
