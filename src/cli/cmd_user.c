/* cmd_user.c — `constat user add|list|disable|enable|passwd`: the accounts
 * of `constat serve` (docs/api.md "Accounts and roles"), and
 * `constat audit`: the table of what they did. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/vault/accounts.h"

static int print_account(void *ctx, const char *name, const char *role, int disabled,
                         int64_t at)
{
    json_t *items = ctx;
    char when[32];
    constat_rfc3339_format(at, 0, when);
    if (items)
        return json_array_append_new(items, json_pack("{s:s, s:s, s:b, s:s}", "name", name,
                                                      "role", role, "disabled", disabled,
                                                      "created_at", when));
    printf("%-24s %-12s %-9s %s\n", cli_text(name), cli_text(role),
           disabled ? "disabled" : "active", when);
    return 0;
}

/* Add account `name` with `role`, its password from CONSTAT_USER_PASSWORD
 * or asked; used by `user add` and by `init --coordinator`. */
int cli_user_add(constat_vault *v, const char *name, const char *role)
{
    constat_error err;
    constat_status st;
    char *pw = cli_user_password("password for the new account: ", 1);
    if (!pw) {
        fprintf(stderr, "constat: user add: no password (set CONSTAT_USER_PASSWORD or run "
                        "on a terminal)\n");
        return CLI_EXIT_USAGE;
    }
    constat_error_clear(&err);
    st = constat_account_add(v, name, role, pw, cli_now(), &err);
    cli_passphrase_free(pw);
    if (st == CONSTAT_OK)
        st = constat_audit_add(v, cli_now(), name, "", "account_add", role, &err);
    if (st != CONSTAT_OK)
        return cli_report_error(name, st, &err);
    printf("account %s (%s) added\n", cli_text(name), role);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"role", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *role = NULL, *sub;
    int json = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st = CONSTAT_OK;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'r': role = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("user");
        }
    }
    if (optind >= argc)
        return cli_usage("user");
    sub = argv[optind];
    dir = cli_vault_dir(dir);
    constat_error_clear(&err);
    if (strcmp(sub, "list") == 0) {
        json_t *items;
        if (optind + 1 != argc || role)
            return cli_usage("user");
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        items = json ? json_array() : NULL;
        st = constat_account_list(v, print_account, items, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK) {
            json_decref(items);
            return cli_report_error(dir, st, &err);
        }
        return cli_finish_stdout(json ? cli_json_listing("user list", items, NULL) : 0);
    }
    if (optind + 2 != argc || json)
        return cli_usage("user");
    if (strcmp(sub, "add") == 0) {
        if (!constat_role_valid(role)) {
            fprintf(stderr, "constat: user add: --role must be coordinator, monitor or "
                            "auditor\n");
            return CLI_EXIT_USAGE;
        }
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        rc = cli_user_add(v, argv[optind + 1], role);
        constat_vault_close(v);
        return cli_finish_stdout(rc);
    }
    if (role)
        return cli_usage("user");
    if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
        int off = strcmp(sub, "disable") == 0;
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        st = constat_account_set_disabled(v, argv[optind + 1], off, &err);
        if (st == CONSTAT_OK)
            st = constat_audit_add(v, cli_now(), argv[optind + 1], "", off ? "disable" : "enable",
                                   NULL, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK)
            return cli_report_error(argv[optind + 1], st, &err);
        printf("account %s %s\n", cli_text(argv[optind + 1]), off ? "disabled" : "enabled");
        return cli_finish_stdout(0);
    }
    if (strcmp(sub, "passwd") == 0) {
        char *pw;
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        pw = cli_user_password("new password: ", 1);
        if (!pw) {
            constat_vault_close(v);
            fprintf(stderr, "constat: user passwd: no password (set CONSTAT_USER_PASSWORD or "
                            "run on a terminal)\n");
            return CLI_EXIT_USAGE;
        }
        st = constat_account_passwd(v, argv[optind + 1], pw, &err);
        cli_passphrase_free(pw);
        if (st == CONSTAT_OK)
            st = constat_audit_add(v, cli_now(), argv[optind + 1], "", "passwd", NULL, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK)
            return cli_report_error(argv[optind + 1], st, &err);
        printf("password of %s changed\n", cli_text(argv[optind + 1]));
        return cli_finish_stdout(0);
    }
    return cli_usage("user");
}

static int print_audit(void *ctx, int64_t id, int64_t at, const char *account,
                       const char *address, const char *action, const char *detail)
{
    json_t *items = ctx;
    char when[32];
    constat_rfc3339_format(at, 0, when);
    if (items)
        return json_array_append_new(items,
                                     json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
                                               (json_int_t)id, "time", when, "account", account,
                                               "address", address, "action", action, "detail",
                                               detail));
    printf("%-6lld %s %-20s %-15s %-16s %s\n", (long long)id, when, cli_text(account),
           address[0] ? cli_text(address) : "cli", cli_text(action), cli_text(detail));
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int json = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st;
    json_t *items;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("audit");
        }
    }
    if (optind != argc)
        return cli_usage("audit");
    if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
        return rc;
    items = json ? json_array() : NULL;
    constat_error_clear(&err);
    st = constat_audit_list(v, print_audit, items, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK) {
        json_decref(items);
        return cli_report_error("audit", st, &err);
    }
    return cli_finish_stdout(json ? cli_json_listing("audit", items, NULL) : 0);
}
