/* cmd_import.c — `constat import FILE.csv --monitor NAME`: every row becomes
 * an incident record signed by the monitor; all rows are checked before
 * anything is written, and the batch is appended in one transaction, so a
 * file with any bad row leaves the vault exactly as it was. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "constat/import.h"
#include "constat/intake.h"

struct import_ctx {
    constat_vault *v;
    const constat_note_signer *signer;
    const constat_taxonomy *tax;
    const char *monitor;
    int64_t now;
    constat_intake_item *items;
    size_t n, cap;
    unsigned long bad_rows;
};

static constat_status on_record(void *ctx, unsigned long line, json_t *record,
                                constat_error *err)
{
    struct import_ctx *ic = ctx;
    json_t *prepared = NULL, *priv = NULL;
    constat_status st;

    if (ic->n == ic->cap) {
        size_t cap = ic->cap ? ic->cap * 2 : 1024;
        constat_intake_item *p = realloc(ic->items, cap * sizeof *p);
        if (!p)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        ic->items = p;
        ic->cap = cap;
    }
    st = constat_intake_prepare(ic->v, record, ic->monitor, ic->now, ic->tax, &prepared,
                                &priv, err);
    if (st == CONSTAT_OK)
        st = constat_intake_sign(prepared, priv, ic->signer, &ic->items[ic->n], err);
    json_decref(prepared);
    json_decref(priv);
    if (st != CONSTAT_OK)
        return constat_error_prefix(err, "line %lu: ", line);
    ic->n++;
    return CONSTAT_OK;
}

static constat_status on_row_error(void *ctx, unsigned long line, const constat_error *e)
{
    struct import_ctx *ic = ctx;
    (void)line;
    ic->bad_rows++;
    fprintf(stderr, "constat: %s\n", e->msg);
    return ic->bad_rows < 50 ? CONSTAT_OK : CONSTAT_EINVAL;
}

static void progress(void *ctx, size_t done, size_t total)
{
    int width = 40, fill = total ? (int)((double)done / (double)total * width) : width;
    (void)ctx;
    fprintf(stderr, "\rappending %zu/%zu [%.*s%*s]", done, total, fill,
            "########################################", width - fill, "");
    if (done == total)
        fputc('\n', stderr);
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"taxonomy", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL, *taxo = NULL, *path;
    struct import_ctx ic;
    constat_vault *v = NULL;
    constat_taxonomy *tax = NULL;
    constat_countries *countries = NULL;
    constat_note_signer signer;
    constat_import_counts counts;
    constat_append_item *views = NULL;
    constat_error err;
    constat_status st;
    char recorded_at[32];
    size_t appended = 0, skipped = 0;
    uint64_t first = 0;
    int quiet = 0, c, rc = 0, have_signer = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 't': taxo = optarg; break;
        case 'q': quiet = 1; break;
        default: return cli_usage("import");
        }
    }
    if (!monitor || optind + 1 != argc)
        return cli_usage("import");
    path = argv[optind];
    memset(&ic, 0, sizeof ic);
    memset(&counts, 0, sizeof counts);
    constat_error_clear(&err);
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        return rc;
    st = constat_countries_load(NULL, &countries, &err);
    if (st != CONSTAT_OK) {
        rc = cli_report_error("gazetteer", st, &err);
        goto out;
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        goto out;
    st = constat_vault_monitor_key(v, monitor, &signer, &err);
    if (st != CONSTAT_OK) {
        rc = cli_report_error(monitor, st, &err);
        goto out;
    }
    have_signer = 1;
    ic.v = v;
    ic.signer = &signer;
    ic.tax = tax;
    ic.monitor = monitor;
    ic.now = cli_now();
    constat_rfc3339_format(ic.now, 0, recorded_at);
    {
        constat_import_opts o = {path, constat_vault_org(v), monitor, recorded_at, tax,
                                 countries};
        st = constat_import_csv(path, &o, on_record, on_row_error, &ic, &counts, &err);
    }
    if (st == CONSTAT_OK && ic.bad_rows)
        st = constat_error_set(&err, CONSTAT_EINVAL, "%s: %lu bad row(s)", path, ic.bad_rows);
    if (st != CONSTAT_OK) {
        /* the importer's messages already name the file */
        rc = cli_report_error(NULL, st, &err);
        fprintf(stderr, "constat: nothing imported, the vault is unchanged\n");
        goto out;
    }
    views = calloc(ic.n ? ic.n : 1, sizeof *views);
    if (!views) {
        rc = cli_report_error(path, CONSTAT_ENOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < ic.n; i++)
        constat_intake_item_view(&ic.items[i], &views[i]);
    st = constat_vault_append(v, views, ic.n, &first, &appended, &skipped,
                              !quiet && isatty(STDERR_FILENO) ? progress : NULL, NULL, &err);
    if (st != CONSTAT_OK) {
        rc = cli_report_error(path, st, &err);
        fprintf(stderr, "constat: nothing imported, the vault is unchanged\n");
        goto out;
    }
    printf("%s: %zu rows read, %zu records signed by %s\n", path, counts.rows, ic.n, monitor);
    if (counts.duplicates)
        printf("  %zu duplicate row(s) in the file skipped\n", counts.duplicates);
    if (appended)
        printf("  %zu new record(s) logged at leaves %llu..%llu\n", appended,
               (unsigned long long)first, (unsigned long long)(first + appended - 1));
    if (skipped)
        printf("  %zu record(s) already in the log (same content): not added again\n", skipped);
    printf("  tree size %llu; run 'constat checkpoint' to sign it\n",
           (unsigned long long)constat_vault_size(v));
out:
    free(views);
    for (size_t i = 0; i < ic.n; i++)
        constat_intake_item_free(&ic.items[i]);
    free(ic.items);
    if (have_signer)
        constat_note_signer_wipe(&signer);
    if (v)
        constat_vault_close(v);
    constat_countries_free(countries);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
