/* cmd_custody.c — `constat custody`: log one signed chain-of-custody event
 * for an evidence record (docs/evidence.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/evidence/evidence.h"

int cmd_custody(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"event", required_argument, NULL, 'e'},
        {"to", required_argument, NULL, 't'},
        {"note", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL, *event = NULL, *to = NULL, *note = NULL;
    int c, rc;
    constat_vault *v;
    constat_note_signer signer;
    constat_error err;
    constat_status st;
    uint64_t index = 0;
    char id[64] = "";

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 'e': event = optarg; break;
        case 't': to = optarg; break;
        case 'n': note = optarg; break;
        default: return cli_usage("custody");
        }
    }
    if (!monitor || !event || !to || argc - optind != 1)
        return cli_usage("custody");
    if (!constat_custody_event_valid(event)) {
        fprintf(stderr, "constat: --event: '%s' is not one of copied, handed_over, sealed, "
                        "received\n", cli_text(event));
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_error_clear(&err);
    if ((rc = cli_monitor_refuse_revoked(v, monitor)) != 0) { /* cmd_keylife.c */
        constat_vault_close(v);
        return rc;
    }
    st = constat_vault_monitor_key(v, monitor, &signer, &err);
    if (st != CONSTAT_OK) {
        constat_vault_close(v);
        return cli_report_error(monitor, st, &err);
    }
    st = constat_custody_log(v, argv[optind], event, to, note, monitor, &signer, cli_now(),
                             &index, id, &err);
    constat_note_signer_wipe(&signer);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error(argv[optind], st, &err);
    printf("custody event %s logged at leaf %llu: %s %s to %s\n", cli_text(id),
           (unsigned long long)index, cli_text(argv[optind]), cli_text(event), cli_text(to));
    return cli_finish_stdout(0);
}
