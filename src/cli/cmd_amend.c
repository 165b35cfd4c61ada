/* cmd_amend.c — `constat correct` and `constat retract`: log a signed
 * correction or retraction of an incident or evidence record
 * (docs/record.md "Corrections and retractions"). Nothing is deleted: the
 * original stays in the log and provable; figures use the latest version and
 * leave retracted records out. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/record/canon.h"
#include "constat/vault/intake.h"

int cmd_correct(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"taxonomy", required_argument, NULL, 't'},
        {"reason", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL, *taxo = NULL, *reason = NULL, *id, *path, *what;
    int json = 0, c, rc;
    constat_vault *v = NULL;
    constat_taxonomy *tax = NULL;
    constat_error err;
    constat_status st;
    constat_buf text;
    json_t *input = NULL, *rep = NULL, *priv = NULL, *corr = NULL;
    const json_t *given;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 't': taxo = optarg; break;
        case 'r': reason = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("correct");
        }
    }
    if (!monitor || argc - optind != 2)
        return cli_usage("correct");
    id = argv[optind];
    path = argv[optind + 1];
    what = strcmp(path, "-") ? path : "standard input";
    constat_buf_init(&text);
    if ((rc = cli_read_file(path, &text, CONSTAT_RECORD_MAX_BYTES)) != 0) {
        constat_buf_free(&text);
        return rc;
    }
    constat_error_clear(&err);
    st = constat_json_parse((const char *)text.data, text.len, what, 1, &input, &err);
    constat_buf_free(&text);
    if (st != CONSTAT_OK)
        return cli_report_error(NULL, st, &err);
    if (!json_is_object(input)) {
        fprintf(stderr, "constat: %s: the replacement must be a JSON object (a whole record)\n",
                cli_text(what));
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    /* the replacement keeps the corrected id */
    given = json_object_get(input, "id");
    if (given && (!json_is_string(given) || strcmp(json_string_value(given), id) != 0)) {
        fprintf(stderr, "constat: %s: id: the replacement names another id than the corrected "
                        "record \"%s\" (leave it out or give the same)\n",
                cli_text(what), cli_text(id));
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    json_object_set_new(input, "id", json_string(id));
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        goto out;
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        goto out;
    st = constat_intake_prepare(v, input, monitor, cli_now(), tax, &rep, &priv, &err);
    if (st != CONSTAT_OK) {
        rc = cli_report_error(what, st, &err);
        goto out;
    }
    corr = json_pack("{s:s, s:s, s:O}", "kind", "correction", "corrects", id, "replacement",
                     rep);
    if (corr && reason && json_object_set_new(corr, "reason", json_string(reason)) != 0) {
        fprintf(stderr, "constat: --reason: not valid UTF-8 text\n");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (!corr) {
        rc = cli_report_error(what, CONSTAT_ENOMEM, NULL);
        goto out;
    }
    rc = cli_log_input(v, tax, corr, priv, what, monitor, NULL, 0, json);
out:
    json_decref(input);
    json_decref(rep);
    json_decref(priv);
    json_decref(corr);
    if (v)
        constat_vault_close(v);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}

int cmd_retract(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"reason", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL, *reason = NULL;
    int json = 0, c, rc;
    constat_vault *v = NULL;
    json_t *input;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 'r': reason = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("retract");
        }
    }
    if (!monitor || !reason || argc - optind != 1)
        return cli_usage("retract");
    input = json_pack("{s:s, s:s, s:s}", "kind", "retraction", "retracts", argv[optind],
                      "reason", reason);
    if (!input) {
        fprintf(stderr, "constat: retract: the id and --reason must be valid UTF-8 text\n");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0) {
        json_decref(input);
        return rc;
    }
    rc = cli_log_input(v, NULL, input, NULL, "retract", monitor, NULL, 0, json);
    json_decref(input);
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
