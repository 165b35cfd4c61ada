/* cmd_disclose.c — selective disclosure (docs/dossier.md "Selective
 * disclosure"): `constat disclose`, `constat keys recipient-new` and the
 * `--disclosure DIR [--key FILE]` part of `constat verify DOSSIER`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "constat/dossier/disclosure.h"

#define MAX_LIST 4096

/* Split the comma-separated `s` into list[*n...] (pointers into `s`, which
 * is modified). Returns 0, or CLI_EXIT_USAGE (printed) on an empty element
 * or too many. */
static int split_list(char *s, const char *what, char **list, size_t *n)
{
    char *p = s;
    for (;;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        if (!*p) {
            fprintf(stderr, "constat: disclose: %s: an empty name in \"%s\"\n", what,
                    cli_text(s));
            return CLI_EXIT_USAGE;
        }
        if (*n >= MAX_LIST) {
            fprintf(stderr, "constat: disclose: %s: more than %d\n", what, MAX_LIST);
            return CLI_EXIT_USAGE;
        }
        list[(*n)++] = p;
        if (!c)
            return 0;
        p = c + 1;
    }
}

int cmd_disclose(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},   {"fields", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},    {"clear", no_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},   {NULL, 0, NULL, 0}};
    const char *dir = NULL, *to = NULL, *out = NULL;
    char *fields_arg = NULL;
    static char *records[MAX_LIST], *fields[MAX_LIST];
    size_t nrecords = 0, nfields = 0, nitems = 0;
    constat_recipient rcp;
    constat_vault *v;
    constat_error err;
    constat_status st;
    int c, rc, clear = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'f': fields_arg = optarg; break;
        case 't': to = optarg; break;
        case 'c': clear = 1; break;
        case 'o': out = optarg; break;
        default: return cli_usage("disclose");
        }
    }
    if (optind >= argc || !fields_arg || !out || (!to == !clear)) {
        if (optind < argc && fields_arg && out)
            fprintf(stderr, "constat: disclose: give exactly one of --to RECIPIENT.pub "
                            "(sealed to the recipient) and --clear (readable by anyone)\n");
        return cli_usage("disclose");
    }
    for (int i = optind; i < argc; i++)
        if ((rc = split_list(argv[i], "RECORDS", records, &nrecords)) != 0)
            return rc;
    if ((rc = split_list(fields_arg, "--fields", fields, &nfields)) != 0)
        return rc;
    constat_error_clear(&err);
    if (to && constat_recipient_load_pub(to, &rcp, &err) != CONSTAT_OK)
        return cli_report_error("disclose", err.code, &err);
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    st = constat_disclosure_write(v, (const char *const *)records, nrecords,
                                  (const char *const *)fields, nfields, to ? &rcp : NULL, out,
                                  &nitems, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error("disclose", st, &err);
    /* shown as the folder it is: "disc/" is disc */
    char shown[4096];
    snprintf(shown, sizeof shown, "%.*s", (int)cli_path_len(out), out);
    out = shown;
    printf("disclosure %s: %zu field value(s) of %zu record(s), %s\n", cli_text(out), nitems,
           nrecords, to ? "sealed to the recipient key (disclosure.sealed)"
                        : "IN CLEAR (disclosure.json): anyone holding the folder reads them");
    printf("check it with: constat verify DOSSIER --disclosure %s%s\n", cli_text(out),
           to ? " --key RECIPIENT.key" : "");
    return cli_finish_stdout(0);
}

/* `constat keys recipient-new NAME`: NAME.pub and NAME.key. */
int cli_keys_recipient_new(int argc, char **argv)
{
    char pub[4096], key[4096];
    constat_error err;

    if (argc != 3 || argv[2][0] == '-')
        return cli_usage("keys");
    if ((size_t)snprintf(pub, sizeof pub, "%s.pub", argv[2]) >= sizeof pub ||
        (size_t)snprintf(key, sizeof key, "%s.key", argv[2]) >= sizeof key) {
        fprintf(stderr, "constat: keys: %s: name too long\n", cli_text(argv[2]));
        return CLI_EXIT_USAGE;
    }
    constat_error_clear(&err);
    if (constat_recipient_new(pub, key, &err) != CONSTAT_OK)
        return cli_report_error("keys recipient-new", err.code, &err);
    printf("recipient key pair: %s (public: give it to whoever writes the disclosure)\n"
           "                    %s (secret, mode 0600: keep it; it opens the disclosures)\n",
           cli_text(pub), cli_text(key));
    return cli_finish_stdout(0);
}

static const char *state_text(constat_disclosed_state s)
{
    switch (s) {
    case CONSTAT_DISCLOSED_MATCH: return "revealed and matches the signed record";
    case CONSTAT_DISCLOSED_MISMATCH: return "WRONG VALUE";
    case CONSTAT_DISCLOSED_OTHER_RECORD: return "OTHER RECORD";
    case CONSTAT_DISCLOSED_NOT_IN_DOSSIER: return "NOT IN DOSSIER";
    case CONSTAT_DISCLOSED_NO_COMMITMENT: return "NO SUCH FIELD";
    }
    return "?";
}

static void print_field(void *ctx, const char *record_id, const char *field,
                        int64_t leaf_index, constat_disclosed_state state,
                        const json_t *value, const char *why)
{
    char at[40] = "";
    (void)ctx;
    if (leaf_index >= 0)
        snprintf(at, sizeof at, " (leaf %lld)", (long long)leaf_index);
    if (state == CONSTAT_DISCLOSED_MATCH) {
        char *text = json_is_string(value) ? NULL : json_dumps(value, JSON_ENCODE_ANY);
        printf("  record %s%s, field %s: %s\n    %s\n", cli_text(record_id), at,
               cli_text(field), state_text(state),
               cli_text(text ? text : json_string_value(value)));
        free(text);
    } else {
        printf("  FAIL: record %s%s, field %s: %s: %s\n", cli_text(record_id), at,
               cli_text(field), state_text(state), cli_text(why));
    }
}

int cli_verify_disclosure(const char *dossier, const char *disclosure, const char *keyfile)
{
    constat_recipient key;
    constat_error err;
    constat_status st;
    size_t ok = 0, bad = 0;

    constat_error_clear(&err);
    if (keyfile && constat_recipient_load_key(keyfile, &key, &err) != CONSTAT_OK)
        return cli_report_error("verify --key", err.code, &err);
    printf("disclosure %s:\n", cli_text(disclosure));
    st = constat_disclosure_verify(dossier, disclosure, keyfile ? &key : NULL, print_field,
                                   NULL, &ok, &bad, &err);
    if (keyfile)
        sodium_memzero(&key, sizeof key);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY) {
        printf("  FAIL: %s\n", cli_text(err.msg));
        printf("DISCLOSURE NOT VERIFIED: %s\n", st == CONSTAT_ECRYPTO ? "cannot decrypt"
                                                                      : "cannot be read");
        return cli_finish_stdout(1);
    }
    if (st == CONSTAT_OK)
        printf("DISCLOSURE VERIFIED: %zu revealed field(s), each the value committed to in "
               "its signed record\n", ok);
    else
        printf("DISCLOSURE NOT VERIFIED: %zu of %zu revealed field(s) failed\n", bad, ok + bad);
    return cli_finish_stdout(st == CONSTAT_OK ? 0 : 1);
}
