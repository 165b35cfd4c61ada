/* cmd_init.c — `constat init`: a new vault. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "constat/vault/org_name.h"

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"org", required_argument, NULL, 'o'},
        {"origin", required_argument, NULL, 'g'},
        {"dir", required_argument, NULL, 'd'},
        {"coordinator", required_argument, NULL, 'c'},
        {"org-name", required_argument, NULL, 'n'},
        {"no-passphrase", no_argument, NULL, 'P'},
        {"store", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0}};
    const char *org = NULL, *origin = NULL, *dir = NULL, *coord = NULL, *display = NULL;
    const char *store = NULL;
    char derived[72];
    constat_error err;
    constat_status st;
    char *pass = NULL;
    int c, no_pass = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': org = optarg; break;
        case 'g': origin = optarg; break;
        case 'd': dir = optarg; break;
        case 'c': coord = optarg; break;
        case 'n': display = optarg; break;
        case 'P': no_pass = 1; break;
        case 's': store = optarg; break;
        default: return cli_usage("init");
        }
    }
    if ((!org && !display) || !origin || optind != argc)
        return cli_usage("init");
    if (display) {
        /* checked before anything is written; the key name is derived from it
         * when --org is not given */
        constat_error_clear(&err);
        if (constat_org_display_check(display, &err) != CONSTAT_OK)
            return cli_report_error("--org-name", CONSTAT_EINVAL, &err);
        if (!org) {
            if (constat_org_key_name(display, derived, sizeof derived) != 0) {
                fprintf(stderr, "constat: --org-name: no key name can be derived from it (no "
                                "ASCII letter or digit): give --org NAME too\n");
                return 2;
            }
            org = derived;
        }
    }
    dir = cli_vault_dir(dir);
    if (coord && !getenv("CONSTAT_USER_PASSWORD") && !isatty(STDIN_FILENO)) {
        fprintf(stderr, "constat: init --coordinator: no password for %s (set "
                        "CONSTAT_USER_PASSWORD or run on a terminal); nothing created\n",
                cli_text(coord));
        return CLI_EXIT_USAGE;
    }
    umask(077); /* the vault is 0700 / 0600 whatever the caller's umask */
    if (no_pass) {
        const char *env = getenv("CONSTAT_PASSPHRASE");
        if (env && *env) {
            fprintf(stderr, "constat: init: --no-passphrase and $CONSTAT_PASSPHRASE both given: "
                            "choose one\n");
            return CLI_EXIT_USAGE;
        }
    } else {
        c = cli_passphrase_new("passphrase to seal the vault keys: ", &pass);
        if (c)
            return c; /* asked before anything is written: no directory, no file */
        if (!pass || !*pass) {
            cli_passphrase_free(pass);
            fprintf(stderr, "constat: init: refusing to write the vault keys NOT sealed: give a "
                            "passphrase ($CONSTAT_PASSPHRASE, or typed on a terminal), or "
                            "--no-passphrase for a vault whose keys anyone with its folder can "
                            "use; nothing was written\n");
            return CLI_EXIT_USAGE;
        }
    }
    constat_error_clear(&err);
    st = constat_vault_create_store(dir, org, origin, pass && *pass ? pass : NULL, store, &err);
    if (st != CONSTAT_OK) {
        cli_passphrase_free(pass);
        return cli_report_error(dir, st, &err);
    }
    if (display && (st = constat_org_display_write(dir, display, &err)) != CONSTAT_OK) {
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
        if (display)
            printf("organisation: %s (key name %s)\n", cli_text(display), org);
        else
            printf("organisation: %s\n", cli_text(org));
        if (constat_note_verifier_format(&constat_vault_org_key(v)->pub, vkey, sizeof vkey) ==
            CONSTAT_OK)
            printf("organisation key: %s\n", cli_text(vkey));
        if (constat_note_verifier_format(&constat_vault_log_key(v)->pub, vkey, sizeof vkey) ==
            CONSTAT_OK)
            printf("log key:          %s\n", cli_text(vkey));
        printf("publish both keys where verifiers can find them (web site, letters to the "
               "Defender): they pin them with 'constat verify --trust'.\n");
        /* the first account of `constat serve` */
        c = coord ? cli_user_add(v, coord, "coordinator") : 0;
        constat_vault_close(v);
        if (c)
            return c;
    }
    return cli_finish_stdout(0);
}
