/* cmd_record.c — `constat record`: sign one record, log it, print the receipt
 * (leaf index, leaf hash, signed checkpoint, inclusion proof to it). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "constat/vault/accounts.h"
#include "constat/vault/intake.h"
#include "constat/vault/receipt.h"

void cli_print_receipt(const json_t *r, int json)
{
    if (json) {
        char *s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
    } else {
        const json_t *proof = json_object_get(r, "inclusion_proof");
        printf("record %s\nleaf index %lld\nleaf hash %s\ncheckpoint:\n%s",
               cli_text(json_string_value(json_object_get(r, "record_id"))),
               (long long)json_integer_value(json_object_get(r, "index")),
               cli_text(json_string_value(json_object_get(r, "leaf_hash"))),
               cli_text_lines(json_string_value(json_object_get(r, "checkpoint"))));
        printf("inclusion proof (leaf %lld in tree of %lld, %zu hashes):\n",
               (long long)json_integer_value(json_object_get(r, "index")),
               (long long)json_integer_value(json_object_get(r, "tree_size")),
               json_array_size(proof));
        for (size_t i = 0; i < json_array_size(proof); i++)
            printf("%s\n", cli_text(json_string_value(json_array_get(proof, i))));
    }
}

static int print_receipt(constat_vault *v, uint64_t index, const char *id, int json)
{
    constat_error err;
    json_t *r = NULL;
    constat_status st;

    constat_error_clear(&err);
    st = constat_vault_receipt(v, index, id, &r, &err);
    if (st != CONSTAT_OK)
        return cli_report_error("receipt", st, &err);
    cli_print_receipt(r, json);
    json_decref(r);
    return 0;
}

int cli_log_input(constat_vault *v, const constat_taxonomy *tax, const json_t *input,
                  const json_t *private_values, const char *what, const char *monitor,
                  char **attach, int nattach, int json)
{
    constat_note_signer signer;
    constat_error err;
    constat_status st;
    json_t *record = NULL, *priv = NULL;
    constat_intake_item item;
    constat_append_item view;
    size_t appended = 0, skipped = 0;
    uint64_t first = 0;
    int rc;

    constat_error_clear(&err);
    if ((rc = cli_monitor_refuse_revoked(v, monitor)) != 0) /* cmd_keylife.c */
        return rc;
    st = constat_vault_monitor_key(v, monitor, &signer, &err);
    if (st != CONSTAT_OK)
        return cli_report_error(monitor, st, &err);
    st = constat_intake_prepare(v, input, monitor, cli_now(), tax, &record, &priv, &err);
    if (st == CONSTAT_OK && !priv && private_values)
        priv = json_incref((json_t *)private_values);
    if (st == CONSTAT_OK) {
        /* one record an id: a second one is refused, whatever its content
         * (a mistake is corrected or retracted, docs/record.md) */
        const char *id = json_string_value(json_object_get(record, "id"));
        uint64_t idx;
        st = constat_intake_amend_check(v, record, &err);
        if (st == CONSTAT_OK && constat_vault_find(v, id, &idx, NULL) == CONSTAT_OK) {
            fprintf(stderr, "constat: %s: record id \"%s\" is already logged at leaf %llu; "
                            "nothing added (to change it: constat correct %s FILE, or "
                            "constat retract %s --reason TEXT)\n",
                    cli_text(what), cli_text(id), (unsigned long long)idx, cli_text(id),
                    cli_text(id));
            constat_note_signer_wipe(&signer);
            json_decref(record);
            json_decref(priv);
            return constat_status_exit_code(CONSTAT_ECONFLICT);
        }
    }
    if (st == CONSTAT_OK)
        st = constat_intake_sign(record, priv, &signer, &item, &err);
    constat_note_signer_wipe(&signer);
    json_decref(record);
    json_decref(priv);
    if (st != CONSTAT_OK)
        return cli_report_error(what, st, &err);
    constat_intake_item_view(&item, &view);
    st = constat_vault_append(v, &view, 1, &first, &appended, &skipped, NULL, NULL, &err);
    if (st == CONSTAT_OK && skipped) {
        /* its id is new (checked above): the same content under another id */
        fprintf(stderr, "constat: the same content is already logged (under another "
                        "record id); nothing added\n");
        constat_intake_item_free(&item);
        return 0;
    }
    if (st != CONSTAT_OK) {
        rc = cli_report_error(item.record_id, st, &err);
        constat_intake_item_free(&item);
        return rc;
    }
    if (constat_audit_add(v, cli_now(), monitor, "", "record", item.record_id, &err) !=
        CONSTAT_OK)
        fprintf(stderr, "constat: warning: audit row not written: %s\n", cli_text(err.msg));
    rc = print_receipt(v, first, item.record_id, json);
    if (rc == 0 && nattach > 0)
        rc = cli_attach_files(v, item.record_id, attach, nattach, monitor, json);
    constat_intake_item_free(&item);
    return rc;
}

/* Whole-line comments: a line whose first non-blank characters are "//"
 * becomes blanks up to its line end, so that the strict JSON parser still
 * names the right line and column. A JSON string cannot hold a raw line
 * break, so such a line is never inside a string. */
static void blank_comment_lines(uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j + 1 < n && s[j] == '/' && s[j + 1] == '/')
            while (j < n && s[j] != '\n' && s[j] != '\r')
                s[j++] = ' ';
        while (j < n && s[j] != '\n')
            j++;
        i = j + 1;
    }
}

int cmd_record(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"taxonomy", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"attach", required_argument, NULL, 'a'},
        {"new", no_argument, NULL, 'n'},
        {"template", no_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL, *taxo = NULL, *path = "-", *what;
    char *attach[64];
    char chosen[CONSTAT_KEY_NAME_MAX + 1];
    int nattach = 0;
    int json = 0, fresh = 0, template = 0, c, rc;
    constat_vault *v = NULL;
    constat_taxonomy *tax = NULL;
    constat_error err;
    constat_status st;
    constat_buf text;
    json_t *input = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 't': taxo = optarg; break;
        case 'j': json = 1; break;
        case 'n': fresh = 1; break;
        case 'T': template = 1; break;
        case 'a':
            if (nattach == (int)(sizeof attach / sizeof attach[0])) {
                fprintf(stderr, "constat: at most %zu --attach files at once\n",
                        sizeof attach / sizeof attach[0]);
                return CLI_EXIT_USAGE;
            }
            attach[nattach++] = optarg;
            break;
        default: return cli_usage("record");
        }
    }
    if (template && !fresh) {
        fprintf(stderr, "constat: record: --template goes with --new\n");
        return cli_usage("record");
    }
    if (fresh) {
        if (optind != argc)
            return cli_usage("record");
        if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
            return rc;
        if (template || !isatty(STDIN_FILENO)) {
            /* no one to ask: a template to edit and pass to `record FILE` */
            rc = cli_record_template(stdout, tax, cli_taxonomy_path(taxo), monitor,
                                     cli_now());
            constat_taxonomy_free(tax);
            return cli_finish_stdout(rc);
        }
        if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
            goto out;
        rc = cli_record_ask(stdin, stderr, v, tax, monitor, chosen, sizeof chosen, cli_now(),
                            &input);
        if (rc == 0)
            rc = cli_log_input(v, tax, input, NULL, "record --new", chosen, attach, nattach,
                               json);
        goto out;
    }
    if (optind < argc)
        path = argv[optind++];
    if (!monitor || optind != argc)
        return cli_usage("record");
    what = strcmp(path, "-") ? path : "standard input";
    constat_buf_init(&text);
    if ((rc = cli_read_file(path, &text, CONSTAT_RECORD_MAX_BYTES)) != 0) {
        constat_buf_free(&text);
        return rc;
    }
    blank_comment_lines(text.data, text.len);
    constat_error_clear(&err);
    st = constat_json_parse((const char *)text.data, text.len, what, 1, &input, &err);
    constat_buf_free(&text);
    if (st != CONSTAT_OK)
        return cli_report_error(NULL, st, &err);
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        goto out;
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        goto out;
    rc = cli_log_input(v, tax, input, NULL, what, monitor, attach, nattach, json);
out:
    json_decref(input);
    if (v)
        constat_vault_close(v);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
