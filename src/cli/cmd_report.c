/* cmd_report.c — `constat report --out DIR [--country CC] [--commune NAME]
 * [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: index.html (FR/EN, SVG charts),
 * figures.json (every figure lists the leaves it counts) and CSV files, over
 * the incidents of the selection (constat_dossier_filter, format.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_records.h"
#include "constat/evidence/tsa.h"
#include "constat/vault/org_name.h"
#include "constat/record/import.h"

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

/* The tree size of a signed checkpoint note (C2SP tlog-checkpoint: the
 * body ends at the blank line before the signatures). */
static constat_status checkpoint_size(const constat_buf *note, uint64_t *size,
                                      constat_error *err)
{
    constat_checkpoint cp;
    constat_status st;

    for (size_t i = 0; i + 1 < note->len; i++)
        if (note->data[i] == '\n' && note->data[i + 1] == '\n') {
            st = constat_checkpoint_parse((const char *)note->data, i + 1, &cp, err);
            if (st == CONSTAT_OK)
                *size = cp.size;
            return st;
        }
    return constat_error_set(err, CONSTAT_EIO, "vault.db: the newest checkpoint is not a note");
}

/* The scope in words, in the English phrases report.c translates:
 * "incidents in France (FR), in commune Calais, that occurred (local date)
 * from 2018-01-01 to 2018-12-31", or "all incidents in the log". */
static constat_status scope_text(const constat_dossier_filter *f, const char *code,
                                 constat_buf *b)
{
    if (!f->country && !f->commune && !f->from && !f->to)
        return constat_buf_puts(b, "all incidents in the log");
    if (constat_buf_puts(b, "incidents"))
        return CONSTAT_ENOMEM;
    if (f->country && constat_buf_printf(b, " in %s (%s)", f->country, code))
        return CONSTAT_ENOMEM;
    if (f->commune && constat_buf_printf(b, "%s in commune %s", f->country ? "," : "",
                                         f->commune))
        return CONSTAT_ENOMEM;
    if ((f->from || f->to) &&
        constat_buf_printf(b, "%s that occurred (local date) from %s to %s",
                           f->country || f->commune ? "," : "",
                           f->from ? f->from : "the start", f->to ? f->to : "the end"))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}

/* --first-hand: only the incidents a monitor observed (source.type
 * direct_observation, as logged), docs/indicators.md "First-hand only". */
static void keep_first_hand(cli_records *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const json_t *t = json_object_get(json_object_get(r->recs[i].record, "source"), "type");
        if (json_is_string(t) && strcmp(json_string_value(t), "direct_observation") == 0)
            r->recs[k++] = r->recs[i];
        else
            json_decref(r->recs[i].record);
    }
    r->n = k;
}

/* The scope, said in words: "..., first-hand records only". Returns
 * non-zero when out of memory. */
static int first_hand_scope(constat_buf *scope)
{
    return constat_buf_puts(scope, ", first-hand records only (source.type "
                                   "direct_observation)") != CONSTAT_OK;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"taxonomy", required_argument, NULL, 't'},
        {"country", required_argument, NULL, 'C'},
        {"commune", required_argument, NULL, 'm'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'T'},
        {"first-hand", no_argument, NULL, 'F'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *out = NULL, *taxo = NULL, *code = NULL;
    constat_dossier_filter f = {NULL, NULL, NULL, NULL, NULL, NULL};
    constat_countries *gz = NULL;
    constat_buf scope;
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
    uint64_t size = 0;
    int c, rc, first_hand = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'o': out = optarg; break;
        case 't': taxo = optarg; break;
        case 'C': code = optarg; break;
        case 'm': f.commune = optarg; break;
        case 'f': f.from = optarg; break;
        case 'T': f.to = optarg; break;
        case 'F': first_hand = 1; break;
        default: return cli_usage("report");
        }
    }
    if (!out || optind != argc)
        return cli_usage("report");
    constat_error_clear(&err);
    constat_buf_init(&scope);
    st = code ? cli_country_name(code, &gz, &f.country, &err) : CONSTAT_OK;
    if (st == CONSTAT_OK && (st = constat_dossier_filter_check(&f, NULL, &err)) != CONSTAT_OK &&
        strncmp(err.msg, "filter.", 7) == 0) {
        /* name the flag the user typed: "filter.from: ..." -> "--from: ..." */
        char msg[sizeof err.msg];
        snprintf(msg, sizeof msg, "--%s", err.msg + 7);
        constat_error_set(&err, st, "%s", msg);
    }
    if (st == CONSTAT_OK && scope_text(&f, code, &scope))
        st = constat_error_set(&err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK && first_hand && first_hand_scope(&scope))
        st = constat_error_set(&err, CONSTAT_ENOMEM, "out of memory");
    if (st != CONSTAT_OK) {
        constat_countries_free(gz);
        constat_buf_free(&scope);
        return cli_report_error("report", st, &err);
    }
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0) {
        constat_countries_free(gz);
        constat_buf_free(&scope);
        return rc;
    }
    /* A report is derived data: it never signs, so it never asks for the
     * passphrase. It covers the tree of the newest signed checkpoint, the
     * one it cites (docs/cli.md "report"). */
    if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0) {
        constat_taxonomy_free(tax);
        constat_countries_free(gz);
        constat_buf_free(&scope);
        return rc;
    }
    constat_buf_init(&note);
    st = constat_vault_latest_checkpoint(v, &note, &err);
    if (st == CONSTAT_ENOTFOUND)
        st = constat_error_set(&err, CONSTAT_ENOTFOUND,
                               "%s: no signed checkpoint yet: run 'constat checkpoint' (it "
                               "signs, so it needs the passphrase of a sealed vault), then the "
                               "report", cli_vault_dir(dir));
    if (st == CONSTAT_OK)
        st = checkpoint_size(&note, &size, &err);
    if (st == CONSTAT_OK && size > constat_vault_size(v))
        st = constat_error_set(&err, CONSTAT_EVERIFY,
                               "vault.db: the newest checkpoint claims %llu leaves, the log "
                               "holds %llu (run 'constat verify' on the vault)",
                               (unsigned long long)size,
                               (unsigned long long)constat_vault_size(v));
    if (st == CONSTAT_OK)
        st = cli_records_load_upto(v, size, "incident", &f, &recs, &err);
    if (st == CONSTAT_OK && first_hand)
        keep_first_hand(&recs);
    if (st == CONSTAT_OK && recs.n == 0)
        st = constat_error_set(&err, CONSTAT_ENOTFOUND,
                               "no incident among the %llu leaves of the newest checkpoint%s%s: "
                               "no report written", (unsigned long long)size,
                               strcmp((const char *)scope.data, "all incidents in the log")
                                   ? " is in the selection: "
                                   : "",
                               strcmp((const char *)scope.data, "all incidents in the log")
                                   ? (const char *)scope.data
                                   : "");
    /* evidence records after the incidents: the evidence_flagged figure
     * compares each with its incident (docs/evidence.md) */
    nincidents = recs.n;
    /* then corrections and retractions: the figures and the report use the
     * latest version of each record and leave retracted ones out */
    static const char *const more[] = {"evidence", "correction", "retraction", "erasure",
                                       "register", "shift"};
    for (size_t m = 0; st == CONSTAT_OK && m < sizeof more / sizeof more[0]; m++) {
        cli_records ev;
        memset(&ev, 0, sizeof ev);
        st = cli_records_load_upto(v, size, more[m], NULL, &ev, &err);
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
        /* the display name beside the key name, when init set one */
        char shown[CONSTAT_ORG_DISPLAY_MAX + 160], disp[CONSTAT_ORG_DISPLAY_MAX + 2];
        constat_error de;
        if (constat_org_display_read(constat_vault_dir(v), disp, sizeof disp, &de) == CONSTAT_OK)
            snprintf(shown, sizeof shown, "%s (%s)", disp, constat_vault_org(v));
        else
            snprintf(shown, sizeof shown, "%s", constat_vault_org(v));
        constat_report_meta meta = {shown, constat_vault_origin(v), size,
                                    (const char *)note.data, now,
                                    (const char *)scope.data};
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
               nincidents, (unsigned long long)size, cli_text(shown),
               len == 1 && out[0] == '/' ? "" : "/");
        /* how many records the figures count in a corrected version, and
         * how many they leave out (figures records_corrected/_retracted) */
        {
            json_int_t amended[2] = {0, 0};
            const json_t *figs = json_object_get(figures, "figures");
            for (size_t i = 0; i < json_array_size(figs); i++) {
                const json_t *fig = json_array_get(figs, i);
                const char *fid = json_string_value(json_object_get(fig, "id"));
                int k = fid && strcmp(fid, "records_corrected") == 0   ? 0
                        : fid && strcmp(fid, "records_retracted") == 0 ? 1
                                                                       : -1;
                const json_t *rows = json_object_get(fig, "rows");
                for (size_t j = 0; k >= 0 && j < json_array_size(rows); j++)
                    amended[k] += json_integer_value(json_object_get(json_array_get(rows, j),
                                                                     "value"));
            }
            if (amended[0] || amended[1])
                printf("  %lld record(s) counted in their corrected version, %lld retracted "
                       "and left out\n", (long long)amended[0], (long long)amended[1]);
        }
        if (constat_vault_size(v) > size)
            fprintf(stderr, "constat: note: the %llu leaves logged after the checkpoint of size "
                            "%llu are not in the report: run 'constat checkpoint' to include "
                            "them\n", (unsigned long long)(constat_vault_size(v) - size),
                    (unsigned long long)size);
    }
    else
        rc = cli_report_error(out, st, &err);
    json_decref(figures);
    free(times);
    cli_records_free(&recs);
    constat_buf_free(&note);
    constat_buf_free(&scope);
    constat_countries_free(gz);
    constat_vault_close(v);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
