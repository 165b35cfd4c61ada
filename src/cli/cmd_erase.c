/* cmd_erase.c — `constat erase RECORD --reason TEXT`: crypto-shredding
 * (docs/vault.md "Erasure"). The record's private values and salts (and
 * those of its corrections and evidence records) go in the same
 * transaction that logs the signed erasure record; then its evidence files
 * are overwritten and unlinked. The leaf stays: every proof and checkpoint
 * still verifies. Run again on an erased record, it finishes what an
 * interrupted run left (files) and logs nothing new. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "constat/evidence/shred.h"
#include "constat/vault/erase.h"
#include "constat/vault/intake.h"

/* $CONSTAT_TEST_ERASE_KILL (tests only: tests/e2e/t0551-erase.sh): "txn"
 * kills the process inside the erase transaction, "files" after the commit
 * and before the evidence files are shredded. */
static void kill_self(void)
{
    raise(SIGKILL);
}

static const char *kill_point(void)
{
    const char *k = getenv("CONSTAT_TEST_ERASE_KILL");
    return k ? k : "";
}

/* Shred the files of `hashes`; returns 0 or 3 (printed). */
static int shred_files(constat_vault *v, const json_t *hashes, size_t *done)
{
    size_t i;
    json_t *h;
    constat_error err;

    *done = 0;
    json_array_foreach(hashes, i, h) {
        int removed = 0;
        constat_error_clear(&err);
        if (constat_evidence_shred(constat_vault_dir(v), json_string_value(h), &removed,
                                   &err) != CONSTAT_OK)
            return cli_report_error("erase", err.code, &err);
        *done += (size_t)removed;
    }
    return 0;
}

/* The monitor of the record at `leaf` (who wrote it), into out[cap]. */
static int record_monitor(constat_vault *v, uint64_t leaf, char *out, size_t cap)
{
    constat_buf b;
    constat_leaf l;
    constat_error err;
    int rc = 0;

    constat_buf_init(&b);
    constat_error_clear(&err);
    if (constat_vault_leaf(v, leaf, &b, &err) != CONSTAT_OK ||
        constat_leaf_parse(b.data, b.len, &l, &err) != CONSTAT_OK) {
        constat_buf_free(&b);
        return cli_report_error("erase", err.code, &err);
    }
    if (!json_is_string(json_object_get(l.record, "monitor"))) {
        (void)constat_error_set(&err, CONSTAT_EVERIFY, "leaf %llu names no monitor",
                                (unsigned long long)leaf);
        rc = cli_report_error("erase", err.code, &err);
    } else
        snprintf(out, cap, "%s", json_string_value(json_object_get(l.record, "monitor")));
    constat_leaf_free(&l);
    constat_buf_free(&b);
    return rc;
}

/* Sign the erasure record of `id` at `leaf` into *item with the
 * organisation key: the coordinator erases, not the monitor (its "monitor"
 * member names the erased record's author). Returns the exit code. */
static int sign_erasure(constat_vault *v, const char *id, uint64_t leaf, const char *reason,
                        int exclude, constat_intake_item *item)
{
    char monitor[CONSTAT_KEY_NAME_MAX + 1];
    constat_error err;
    constat_status st;
    json_t *input, *record = NULL;
    int rc;

    input = json_pack("{s:s, s:s, s:I, s:s, s:s}", "kind", "erasure", "erases", id, "leaf",
                      (json_int_t)leaf, "reason", reason, "figures",
                      exclude ? "exclude" : "keep");
    if (!input) {
        fprintf(stderr, "constat: erase: --reason must be valid UTF-8 text\n");
        return CLI_EXIT_USAGE;
    }
    if ((rc = record_monitor(v, leaf, monitor, sizeof monitor)) != 0) {
        json_decref(input);
        return rc;
    }
    constat_error_clear(&err);
    st = constat_intake_prepare_erasure(v, input, monitor, cli_now(), &record, &err);
    if (st == CONSTAT_OK)
        st = constat_intake_sign(record, NULL, constat_vault_org_key(v), item, &err);
    json_decref(input);
    json_decref(record);
    return st == CONSTAT_OK ? 0 : cli_report_error("erase", st, &err);
}

int cmd_erase(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"reason", required_argument, NULL, 'r'},
        {"exclude-from-figures", no_argument, NULL, 'x'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL, *reason = NULL, *id, *kind = NULL;
    constat_vault *v;
    constat_error err;
    constat_status st;
    json_t *ids = NULL, *hashes = NULL;
    uint64_t leaf = 0, eleaf = 0;
    int64_t erased_at = -1;
    size_t rows = 0, files = 0;
    int c, rc, exclude = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 'r': reason = optarg; break;
        case 'x': exclude = 1; break;
        default: return cli_usage("erase");
        }
    }
    if (!reason || argc - optind != 1)
        return cli_usage("erase");
    if (monitor) /* before the organisation key signed erasures, a monitor's did */
        fprintf(stderr, "constat: erase: --monitor is no longer used: the erasure record is "
                        "signed by the organisation key\n");
    id = argv[optind];
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    constat_error_clear(&err);
    st = constat_vault_erase_plan(v, id, &leaf, &kind, &ids, &hashes, &erased_at, &err);
    if (st != CONSTAT_OK) {
        constat_vault_close(v);
        return cli_report_error("erase", st, &err);
    }
    if (strcmp(kill_point(), "txn") == 0)
        constat_erase_test_hook = kill_self;
    if (erased_at < 0) {
        constat_intake_item item;
        constat_append_item view;
        if ((rc = sign_erasure(v, id, leaf, reason, exclude, &item)) != 0)
            goto out;
        constat_intake_item_view(&item, &view);
        st = constat_vault_erase(v, &view, ids, &eleaf, &rows, &err);
        constat_intake_item_free(&item);
    } else {
        /* already logged: delete what may remain, log nothing new */
        eleaf = (uint64_t)erased_at;
        st = constat_vault_erase(v, NULL, ids, NULL, &rows, &err);
    }
    if (st != CONSTAT_OK) {
        rc = cli_report_error("erase", st, &err);
        goto out;
    }
    if (strcmp(kill_point(), "files") == 0)
        kill_self();
    if ((rc = shred_files(v, hashes, &files)) != 0)
        goto out;
    if (erased_at >= 0)
        printf("%s %s was already erased by leaf %llu; finished: ", kind, cli_text(id),
               (unsigned long long)eleaf);
    else
        printf("erased %s %s (leaf %llu): erasure record at leaf %llu, signed by the "
               "organisation key; ", kind, cli_text(id), (unsigned long long)leaf,
               (unsigned long long)eleaf);
    printf("%zu private value row(s) and %zu evidence file(s) destroyed\n", rows, files);
    printf("the leaf stays in the log: its proofs and every checkpoint still verify; figures "
           "%s\n", exclude ? "leave it out (--exclude-from-figures)"
                           : "keep counting its public fields");
out:
    json_decref(ids);
    json_decref(hashes);
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
