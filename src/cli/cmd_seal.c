/* cmd_seal.c — sealing at rest from the command line (docs/vault.md
 * "Sealed at rest"): `constat vault seal` (seal an existing vault in
 * place), `constat keys recipient add|list`, `constat keys passwd`. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "constat/base/file.h"
#include "constat/vault/sealing.h"

/* Test hook (tests/e2e/t0510): CONSTAT_TEST_KILL_AT=N stops the process with
 * SIGKILL right after the N-th durable step of the migration, as a power cut
 * or kill -9 would, at a point the test chooses. */
static void seal_step(void *ctx, const char *step, uint64_t n)
{
    const char *at = getenv("CONSTAT_TEST_KILL_AT");
    (void)ctx;
    (void)step;
    if (at && *at && strtoull(at, NULL, 10) == n)
        kill(getpid(), SIGKILL);
}

int cmd_vault(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    constat_seal_stats stats;
    constat_vault *v;
    constat_error err;
    constat_status st;
    int c, rc, lockfd;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else
            return cli_usage("vault");
    }
    if (optind + 1 != argc || strcmp(argv[optind], "seal") != 0)
        return cli_usage("vault");
    dir = cli_vault_dir(dir);
    if ((rc = cli_open_vault(dir, &v)) != 0)
        return rc;
    if ((lockfd = cli_serve_lock(constat_vault_dir(v), 1, "vault seal")) < 0) {
        constat_vault_close(v);
        return CLI_EXIT_USAGE;
    }
    constat_error_clear(&err);
    st = constat_vault_seal_existing(v, seal_step, NULL, &stats, &err);
    constat_vault_close(v);
    close(lockfd);
    if (st != CONSTAT_OK)
        return cli_report_error(dir, st, &err);
    printf("sealed vault %s\n", cli_text(dir));
    printf("private values: %llu record(s) sealed now, %llu already sealed\n",
           (unsigned long long)stats.private_sealed, (unsigned long long)stats.private_already);
    printf("evidence files: %llu sealed now, %llu already sealed\n",
           (unsigned long long)stats.files_sealed, (unsigned long long)stats.files_already);
    if (stats.leftovers)
        printf("finished or removed %llu temporary file(s) of an interrupted run\n",
               (unsigned long long)stats.leftovers);
    if (stats.reseal_finished)
        printf("re-seal after the organisation key rotation finished: the retired key files "
               "are destroyed\n");
    return cli_finish_stdout(0);
}

static int recipient_add(const char *dir, const char *name, const char *file)
{
    constat_buf b;
    constat_error err;
    constat_status st;
    constat_vault *v;
    uint8_t pk[CONSTAT_SEAL_PK];
    FILE *f;
    int rc;

    constat_buf_init(&b);
    constat_error_clear(&err);
    f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "constat: %s: cannot be read\n", cli_text(file));
        return CLI_EXIT_USAGE;
    }
    st = constat_file_read(f, 4096, &b, &err);
    fclose(f);
    if (st == CONSTAT_OK)
        st = constat_seal_pub_parse((const char *)b.data, b.len, file, pk, &err);
    constat_buf_free(&b);
    if (st != CONSTAT_OK)
        return cli_report_error(file, st, &err);
    /* sealing needs only public keys: no passphrase asked */
    if ((rc = cli_open_vault_public(dir, &v)) != 0)
        return rc;
    st = constat_vault_recipient_add(v, name, pk, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error(name, st, &err);
    {
        char b64[64];
        constat_base64(pk, sizeof pk, b64);
        printf("recipient %s added (X25519 %s): data keys sealed from now on are sealed to it "
               "too; 'constat vault seal' re-seals the existing ones\n",
               cli_text(name), b64);
    }
    return cli_finish_stdout(0);
}

static int recipient_list(const char *dir)
{
    constat_vault *v;
    const constat_seal_keys *k;
    int rc;

    if ((rc = cli_open_vault_public(dir, &v)) != 0)
        return rc;
    k = constat_vault_seal_keys(v);
    for (size_t i = 0; i < k->n; i++) {
        char b64[64];
        constat_base64(k->pk[i], CONSTAT_SEAL_PK, b64);
        printf("%-20s %s%s\n", cli_text(k->names[i]), b64,
               i == 0 ? "  (the organisation key, X25519 form)" : "");
    }
    constat_vault_close(v);
    return cli_finish_stdout(0);
}

static int passwd(const char *dir)
{
    constat_error err;
    constat_status st;
    char *old, *neu = NULL;
    const char *env_new = getenv("CONSTAT_NEW_PASSPHRASE");
    int rc = 0;

    old = cli_passphrase("passphrase for the vault keys: ", 0);
    if (!old) {
        fprintf(stderr, "constat: %s: keys passwd needs the current passphrase "
                        "($CONSTAT_PASSPHRASE, or a terminal)\n", cli_text(dir));
        return 3;
    }
    if (getenv("CONSTAT_PASSPHRASE")) {
        /* a script: the new one from the environment too */
        if (!env_new || !*env_new) {
            cli_passphrase_free(old);
            fprintf(stderr, "constat: keys passwd: with $CONSTAT_PASSPHRASE, give the new "
                            "passphrase in $CONSTAT_NEW_PASSPHRASE\n");
            return CLI_EXIT_USAGE;
        }
        neu = strdup(env_new);
    } else {
        char *p = NULL;
        rc = cli_passphrase_new("new passphrase: ", &p);
        if (rc == 0 && (!p || !*p)) {
            fprintf(stderr, "constat: keys passwd: no new passphrase given\n");
            rc = CLI_EXIT_USAGE;
        }
        if (p)
            neu = strdup(p);
        cli_passphrase_free(p);
    }
    if (rc == 0 && !neu) {
        fprintf(stderr, "constat: out of memory\n");
        rc = 3;
    }
    if (rc == 0) {
        constat_error_clear(&err);
        st = constat_vault_passwd(dir, old, neu, &err);
        if (st != CONSTAT_OK)
            rc = cli_report_error(dir, st, &err);
        else
            printf("passphrase of %s changed: every key file re-sealed\n", cli_text(dir));
    }
    cli_passphrase_free(old);
    if (neu) {
        memset(neu, 0, strlen(neu));
        free(neu);
    }
    return rc ? rc : cli_finish_stdout(0);
}

int cli_keys_sub(const char *dir, int n, char **args)
{
    if (n == 1 && strcmp(args[0], "passwd") == 0)
        return passwd(dir);
    if (n >= 1 && strcmp(args[0], "recipient") == 0) {
        if (n == 4 && strcmp(args[1], "add") == 0)
            return recipient_add(dir, args[2], args[3]);
        if (n == 2 && strcmp(args[1], "list") == 0)
            return recipient_list(dir);
    }
    return cli_usage("keys");
}
