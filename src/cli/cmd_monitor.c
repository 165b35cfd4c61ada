/* cmd_monitor.c — `constat monitor add|list`: enrolment of monitors. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/vault/accounts.h"

static int print_monitor(void *ctx, const char *name, const char *vkey, uint64_t index)
{
    json_t *items = ctx;
    if (items) {
        if (json_array_append_new(items, json_pack("{s:s, s:s, s:I}", "name", name, "vkey", vkey,
                                                   "enrolment_index", (json_int_t)index)) != 0)
            return -1;
    } else {
        printf("%-20s leaf %-8llu %s\n", cli_text(name), (unsigned long long)index,
               cli_text(vkey));
    }
    return 0;
}

int cmd_monitor(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"qr", required_argument, NULL, 'q'},
        {"ttl", required_argument, NULL, 't'},
        {"server", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *qr = NULL, *server = NULL;
    uint64_t ttl = CONSTAT_ENROL_CODE_TTL;
    int json = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st;

    if (argc > 1 && strcmp(argv[1], "revoke") == 0) /* cmd_keylife.c */
        return cli_monitor_revoke(argc, argv);
    if (argc > 1 && strcmp(argv[1], "rotate") == 0) /* cmd_keylife.c */
        return cli_monitor_rotate(argc, argv);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'j': json = 1; break;
        case 'q': qr = optarg; break;
        case 's': server = optarg; break;
        case 't':
            if (cli_parse_u64("--ttl", optarg, &ttl) || ttl == 0 || ttl > 30 * 86400) {
                fprintf(stderr, "constat: monitor invite: --ttl is 1 to 2592000 seconds\n");
                return CLI_EXIT_USAGE;
            }
            break;
        default: return cli_usage("monitor");
        }
    }
    if (optind >= argc)
        return cli_usage("monitor");
    dir = cli_vault_dir(dir);
    constat_error_clear(&err);
    if (strcmp(argv[optind], "invite") == 0) {
        char code[CONSTAT_ENROL_CODE_LEN + 1], path[4096], text[4096];
        const char *name;
        int64_t now = cli_now();
        if (optind + 2 != argc || json)
            return cli_usage("monitor");
        name = argv[optind + 1];
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        st = constat_enrol_code_issue(v, name, now, (int64_t)ttl, code, &err);
        if (st == CONSTAT_OK)
            st = constat_audit_add(v, now, name, "", "invite", name, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK)
            return cli_report_error(name, st, &err);
        snprintf(path, sizeof path, "%s", qr ? qr : "");
        if (!qr)
            snprintf(path, sizeof path, "enrol-%s.svg", name);
        snprintf(text, sizeof text, "constat-enrol:%s?monitor=%s%s%s", code, name,
                 server ? "&server=" : "", server ? server : "");
        rc = cli_qr_svg(text, path);
        {
            char when[32];
            constat_rfc3339_format(now + (int64_t)ttl, 0, when);
            printf("enrolment code for monitor %s: %s\nvalid until %s, once\nQR code: %s\n",
                   cli_text(name), code, when, rc == 0 ? cli_text(path) : "(not written)");
        }
        return cli_finish_stdout(rc);
    }
    if (strcmp(argv[optind], "add") == 0) {
        uint64_t index;
        if (optind + 2 != argc)
            return cli_usage("monitor");
        if ((rc = cli_open_vault(dir, &v)) != 0)
            return rc;
        st = constat_vault_monitor_add(v, argv[optind + 1], cli_now(), &index, &err);
        if (st == CONSTAT_OK &&
            constat_audit_add(v, cli_now(), argv[optind + 1], "", "enrol",
                              "key held by the organisation", &err) != CONSTAT_OK)
            fprintf(stderr, "constat: warning: audit row not written: %s\n", cli_text(err.msg));
        if (st == CONSTAT_OK) {
            constat_note_signer s;
            char vkey[600] = "";
            if (constat_vault_monitor_key(v, argv[optind + 1], &s, &err) == CONSTAT_OK) {
                if (constat_note_verifier_format(&s.pub, vkey, sizeof vkey) != CONSTAT_OK)
                    vkey[0] = 0;
                constat_note_signer_wipe(&s);
            }
            printf("enrolled monitor %s (enrolment record at leaf %llu)\nmonitor key: %s\n",
                   cli_text(argv[optind + 1]), (unsigned long long)index, cli_text(vkey));
        }
        constat_vault_close(v);
        if (st != CONSTAT_OK)
            return cli_report_error(argv[optind + 1], st, &err);
        return cli_finish_stdout(0);
    }
    if (strcmp(argv[optind], "list") == 0) {
        if (optind + 1 != argc)
            return cli_usage("monitor");
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        json_t *items = json ? json_array() : NULL;
        st = constat_vault_monitor_list(v, print_monitor, items, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK) {
            json_decref(items);
            return cli_report_error(dir, st, &err);
        }
        return cli_finish_stdout(json ? cli_json_listing("monitor list", items, NULL) : 0);
    }
    return cli_usage("monitor");
}
