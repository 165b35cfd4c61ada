/* cmd_checkpoint.c — `constat checkpoint`: sign the current tree head. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int cmd_checkpoint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    constat_vault *v;
    constat_error err;
    constat_status st;
    constat_buf note;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else
            return cli_usage("checkpoint");
    }
    if (optind != argc)
        return cli_usage("checkpoint");
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_buf_init(&note);
    constat_error_clear(&err);
    st = constat_vault_checkpoint(v, &note, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK) {
        constat_buf_free(&note);
        return cli_report_error("checkpoint", st, &err);
    }
    fwrite(note.data, 1, note.len, stdout);
    constat_buf_free(&note);
    return cli_finish_stdout(0);
}
