/* cmd_keyrot.c — `constat keys rotate --org|--log [--reason TEXT]`
 * (docs/vault.md "Organisation key rotation", "Log key rotation"). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "constat/vault/keyrot.h"
#include "constat/vault/sealing.h"

/* $CONSTAT_TEST_ORG_ROTATE (tests only: tests/e2e/t0730-org-rotate.sh):
 * "file" or "txn" kills the process at that step of the rotation; "newsig"
 * spoils the new key's signature (a transition signed by the old key only). */
static int rotate_test(const char *step)
{
    const char *k = getenv("CONSTAT_TEST_ORG_ROTATE");
    if (!k || strcmp(k, step) != 0)
        return 0;
    if (strcmp(step, "newsig") == 0)
        return 1;
    raise(SIGKILL);
    return 0;
}

/* $CONSTAT_TEST_LOG_ROTATE (tests only: tests/e2e/t0740-log-rotate.sh,
 * t0741-log-rotate-kill9.sh): "file", "txn" or "shred" kills the process at
 * that step of the rotation; "newsig" spoils the new key's signature, "oldsig"
 * has the new key sign the leaf in the old key's place. */
static int log_rotate_test(const char *step)
{
    const char *k = getenv("CONSTAT_TEST_LOG_ROTATE");
    if (!k || strcmp(k, step) != 0)
        return 0;
    if (strcmp(step, "newsig") == 0 || strcmp(step, "oldsig") == 0)
        return 1;
    raise(SIGKILL);
    return 0;
}

/* `keys rotate --log` on an open vault, holding serve.lock. */
static int rotate_log(constat_vault *v, const char *reason)
{
    char kid[CONSTAT_KEY_NAME_MAX + 16], old[CONSTAT_KEY_NAME_MAX + 16];
    constat_error err;
    constat_status st;
    uint64_t index = 0;

    if (getenv("CONSTAT_TEST_LOG_ROTATE"))
        constat_log_rotate_test_hook = log_rotate_test;
    constat_record_key_id(&constat_vault_log_key(v)->pub, old, sizeof old);
    constat_error_clear(&err);
    st = constat_vault_log_rotate(v, reason, cli_now(), &index, kid, sizeof kid, &err);
    if (st != CONSTAT_OK && index == 0 && !strstr(err.msg, "the rotation is logged"))
        return cli_report_error("keys rotate", st, &err);
    printf("rotated the log key: new key %s (key transition at leaf %llu, signed by the old "
           "key %s and the new key)\ncheckpoints of tree size %llu and more are signed by the "
           "new key, the retired key file is destroyed; the origin stays %s\npublish the new "
           "key ('constat keys'); dossiers carry the transition, and verifiers and witnesses "
           "pinning the old key follow it ('constat publish' hands it to the witnesses)\n",
           cli_text(kid), (unsigned long long)index, cli_text(old),
           (unsigned long long)index + 1, cli_text(constat_vault_origin(v)));
    if (st != CONSTAT_OK)
        return cli_report_error("keys rotate", st, &err);
    return cli_finish_stdout(0);
}

/* $CONSTAT_TEST_RESEAL_KILL_AT=N (tests only: t0782): SIGKILL right after
 * the N-th durable step of the re-seal that follows the rotation. */
static void reseal_step(void *ctx, const char *step, uint64_t n)
{
    const char *at = getenv("CONSTAT_TEST_RESEAL_KILL_AT");
    (void)ctx;
    (void)step;
    if (at && *at && strtoull(at, NULL, 10) == n)
        raise(SIGKILL);
}

int cli_keys_rotate(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"org", no_argument, NULL, 'o'},
                                         {"log", no_argument, NULL, 'l'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *reason = "scheduled rotation";
    char kid[CONSTAT_KEY_NAME_MAX + 16];
    constat_vault *v;
    constat_seal_stats stats;
    constat_error err;
    constat_status st;
    uint64_t index = 0;
    int c, rc, org = 0, log = 0, lockfd = -1;

    optind = 2; /* argv[1] is "rotate" */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'o': org = 1; break;
        case 'l': log = 1; break;
        case 'r': reason = optarg; break;
        default: return cli_usage("keys");
        }
    }
    if (optind != argc || org + log != 1)
        return cli_usage("keys");
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    if ((lockfd = cli_serve_lock(constat_vault_dir(v), 1, "keys rotate")) < 0) {
        constat_vault_close(v);
        return CLI_EXIT_USAGE;
    }
    if (log) {
        rc = rotate_log(v, reason);
        constat_vault_close(v);
        close(lockfd);
        return rc;
    }
    if (getenv("CONSTAT_TEST_ORG_ROTATE"))
        constat_org_rotate_test_hook = rotate_test;
    constat_error_clear(&err);
    st = constat_vault_org_rotate(v, reason, cli_now(), &index, kid, sizeof kid, &err);
    if (st != CONSTAT_OK) {
        constat_vault_close(v);
        close(lockfd);
        return cli_report_error("keys rotate", st, &err);
    }
    printf("rotated the organisation key: new key %s (key transition at leaf %llu, signed by "
           "the old and the new key)\norganisation records from now on are signed by the new "
           "key; publish it ('constat keys'); verifiers pinning the old key follow the "
           "transition\n", cli_text(kid), (unsigned long long)index);
    fflush(stdout);
    /* the re-seal (docs/vault.md "Re-sealing after a rotation"): resumable
     * by 'constat vault seal' if cut short */
    st = constat_vault_seal_existing(v, reseal_step, NULL, &stats, &err);
    constat_vault_close(v);
    close(lockfd);
    if (st != CONSTAT_OK) {
        constat_error_prefix(&err, "the rotation is logged, but re-sealing to the new key "
                             "did not finish (run 'constat vault seal' to finish it): ");
        return cli_report_error("keys rotate", st, &err);
    }
    printf("re-sealed to the new key: %llu record(s) of private values, %llu evidence "
           "file(s); the retired key files are destroyed\n",
           (unsigned long long)stats.private_sealed, (unsigned long long)stats.files_sealed);
    return cli_finish_stdout(0);
}

void cli_keys_org_era(const constat_keychain *c, const constat_key_era *e);

void cli_keys_org_era(const constat_keychain *c, const constat_key_era *e)
{
    size_t i = (size_t)(e - c->k);
    if (e->transition >= 0)
        printf("; in force from leaf %llu (key transition at leaf %lld, %s)",
               (unsigned long long)e->from, (long long)e->transition, cli_text(e->at));
    else if (c->n > 1)
        printf("; in force from leaf 0 (the first organisation key)");
    if (i + 1 < c->n)
        printf("; RETIRED by the key transition at leaf %lld (%s): new key %s",
               (long long)c->k[i + 1].transition, cli_text(c->k[i + 1].at),
               cli_text(c->k[i + 1].key_id));
}

int cli_org_key_of(constat_vault *v, const char *kid, constat_note_verifier *out)
{
    constat_keychain *c = malloc(sizeof *c);
    constat_error err;
    const constat_key_era *e = NULL;
    int found = 0;

    constat_error_clear(&err);
    if (c && constat_vault_org_chain(v, c, NULL, NULL, NULL, &err) == CONSTAT_OK &&
        (e = constat_keychain_find(c, kid)) != NULL) {
        *out = e->ver;
        found = 1;
    }
    free(c);
    return found;
}
