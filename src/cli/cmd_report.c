/* cmd_report.c — `constat report --out DIR`: index.html (FR/EN, SVG charts),
 * figures.json (every figure lists the leaves it counts) and CSV files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_records.h"
#include "constat/evidence/tsa.h"

/* Each record's proven time (docs/time.md) from the vault's stored tokens,
 * parallel to `recs`: for delay_event_to_proven and the incident list. */
static constat_status proven_times(constat_vault *v, const cli_records *recs,
                                   constat_proven_time **out, constat_error *err)
{
    constat_tsa_timeline tl;
    constat_status st;

    *out = calloc(recs->n + 1, sizeof **out);
    if (!*out)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    constat_tsa_timeline_init(&tl);
    st = constat_tsa_timeline_load(v, &tl, err);
    for (size_t i = 0; st == CONSTAT_OK && i < recs->n; i++)
        (*out)[i].proven =
            constat_tsa_timeline_proven(&tl, recs->recs[i].index, &(*out)[i].time, NULL);
    constat_tsa_timeline_free(&tl);
    return st;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"taxonomy", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *out = NULL, *taxo = NULL;
    constat_vault *v = NULL;
    constat_taxonomy *tax = NULL;
    constat_error err;
    constat_status st;
    constat_buf note;
    cli_records recs = {0};
    json_t *figures = NULL;
    constat_proven_time *times = NULL;
    char now[32];
    size_t nincidents = 0;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'o': out = optarg; break;
        case 't': taxo = optarg; break;
        default: return cli_usage("report");
        }
    }
    if (!out || optind != argc)
        return cli_usage("report");
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        return rc;
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0) {
        constat_taxonomy_free(tax);
        return rc;
    }
    constat_error_clear(&err);
    constat_buf_init(&note);
    st = constat_vault_checkpoint(v, &note, &err);
    if (st == CONSTAT_OK)
        st = cli_records_load(v, "incident", NULL, &recs, &err);
    /* evidence records after the incidents: the evidence_flagged figure
     * compares each with its incident (docs/evidence.md) */
    nincidents = recs.n;
    if (st == CONSTAT_OK) {
        cli_records ev;
        memset(&ev, 0, sizeof ev);
        st = cli_records_load(v, "evidence", NULL, &ev, &err);
        for (size_t i = 0; st == CONSTAT_OK && i < ev.n; i++) {
            if (recs.n == recs.cap) {
                size_t cap = recs.cap ? recs.cap * 2 : 16;
                constat_indexed_record *nr = realloc(recs.recs, cap * sizeof *nr);
                if (!nr) {
                    st = constat_error_set(&err, CONSTAT_ENOMEM, "out of memory");
                    break;
                }
                recs.recs = nr;
                recs.cap = cap;
            }
            recs.recs[recs.n++] = ev.recs[i]; /* the reference moves over */
            ev.recs[i].record = NULL;
        }
        cli_records_free(&ev);
    }
    if (st == CONSTAT_OK)
        st = proven_times(v, &recs, &times, &err);
    if (st == CONSTAT_OK)
        st = constat_figures_compute_timed(recs.recs, recs.n, tax, times, &figures, &err);
    if (st == CONSTAT_OK) {
        constat_report_meta meta = {constat_vault_org(v), constat_vault_origin(v),
                                    constat_vault_size(v), (const char *)note.data, now,
                                    "all incidents in the log"};
        constat_rfc3339_format(cli_now(), 0, now);
        st = constat_report_write_timed(out, recs.recs, recs.n, tax, times, figures, &meta,
                                        &err);
    }
    if (st == CONSTAT_OK) {
        /* "r/" and "r" name the same folder: print r/index.html either way */
        size_t len = strlen(out);
        while (len > 1 && out[len - 1] == '/')
            len--;
        char shown[4096];
        snprintf(shown, sizeof shown, "%.*s", (int)len, out);
        printf("report of %zu incidents (tree size %llu) written to %s%sindex.html\n",
               nincidents, (unsigned long long)constat_vault_size(v), cli_text(shown),
               len == 1 && out[0] == '/' ? "" : "/");
    }
    else
        rc = cli_report_error(out, st, &err);
    json_decref(figures);
    free(times);
    cli_records_free(&recs);
    constat_buf_free(&note);
    constat_vault_close(v);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
