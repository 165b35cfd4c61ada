/* cmd_keylife.c — `constat monitor revoke NAME --from TIME --reason TEXT`
 * (docs/vault.md "Revocation"), and the refusal to sign with a revoked
 * monitor key. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/vault/keylife.h"

int cli_monitor_revoke(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, 'f'},
        {"reason", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *from = NULL, *reason = NULL;
    constat_vault *v;
    constat_error err;
    constat_status st;
    uint64_t index = 0;
    int64_t t;
    int off, c, rc;

    optind = 2; /* argv[1] is "revoke" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'f': from = optarg; break;
        case 'r': reason = optarg; break;
        default: return cli_usage("monitor");
        }
    }
    if (!from || !reason || argc - optind != 1)
        return cli_usage("monitor");
    if (constat_rfc3339_parse(from, &t, &off) != CONSTAT_OK) {
        fprintf(stderr, "constat: monitor revoke: --from %s: not an RFC 3339 time with an "
                        "offset (2026-11-28T14:00:00+01:00)\n", cli_text(from));
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_error_clear(&err);
    st = constat_vault_monitor_revoke(v, argv[optind], t, reason, cli_now(), &index, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error("monitor revoke", st, &err);
    printf("revoked the key of monitor %s from %s (revocation record at leaf %llu, signed by "
           "the organisation key)\nrecords that key signed at or after that time, or logged "
           "from now on, fail verification\n", cli_text(argv[optind]), cli_text(from),
           (unsigned long long)index);
    return cli_finish_stdout(0);
}

int cli_monitor_refuse_revoked(constat_vault *v, const char *monitor)
{
    constat_note_signer s;
    constat_error err;
    json_t *revs = NULL, *r;
    char kid[CONSTAT_KEY_NAME_MAX + 16];

    constat_error_clear(&err);
    if (constat_vault_monitor_key(v, monitor, &s, &err) != CONSTAT_OK)
        return 0; /* the caller reports an unknown monitor */
    constat_record_key_id(&s.pub, kid, sizeof kid);
    constat_note_signer_wipe(&s);
    if (constat_vault_revocations(v, &revs, &err) != CONSTAT_OK)
        return cli_report_error(monitor, err.code, &err);
    r = json_object_get(revs, kid);
    if (r) {
        fprintf(stderr, "constat: %s: the key %s of monitor %s was revoked by leaf %lld "
                        "(from %s, reason: %s); nothing signed with it is logged\n",
                cli_text(monitor), cli_text(kid), cli_text(monitor),
                (long long)json_integer_value(json_object_get(r, "leaf")),
                cli_text(json_string_value(json_object_get(r, "from"))),
                cli_text(json_string_value(json_object_get(r, "reason"))));
        json_decref(revs);
        return CLI_EXIT_USAGE;
    }
    json_decref(revs);
    return 0;
}
