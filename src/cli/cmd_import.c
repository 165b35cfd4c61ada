/* cmd_import.c — `constat import FILE.csv --monitor NAME`: every row becomes
 * an incident record signed by the monitor; all rows are checked before
 * anything is written, and the batch is appended in one transaction, so a
 * file with any bad row leaves the vault exactly as it was. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "constat/record/import.h"
#include "constat/vault/accounts.h"
#include "constat/vault/intake.h"

/* Rows are converted by the importer in file order on the main thread; full
 * chunks are prepared and signed (the bulk of the work) by worker threads on
 * every core while the main thread converts the next chunk, and appends the
 * chunk signed before it. All appends are one transaction
 * (constat_vault_append_begin .. _end), committed only when every row of the
 * file is good: one bad row and it is rolled back, so nothing is stored. One
 * chunk is signed while the next fills and each signed chunk is freed once
 * appended, which bounds the memory held. */
#define CHUNK 2048
#define MAX_THREADS 8

struct pending {
    json_t *record;
    unsigned long line;
    constat_status st;
    constat_error err;
};

struct chunk;

struct worker {
    struct chunk *c;
    size_t from, to;
    pthread_t th;
    int started;
};

struct chunk {
    struct pending p[CHUNK];
    constat_intake_item items[CHUNK];
    size_t n;       /* rows in p[] */
    size_t signed_; /* items[0 .. signed_) are valid, in file order */
    struct worker w[MAX_THREADS];
    int in_flight;
};

struct import_ctx {
    constat_vault *v;
    const constat_note_signer *signer;
    const constat_taxonomy *tax;
    const char *monitor;
    int64_t now;
    int threads;
    struct chunk **chunks; /* all chunks, the last one filling */
    size_t nchunks, capchunks;
    unsigned long bad_rows;
    int show_progress;
    size_t done;
    /* the one append transaction: opened at the first signed chunk */
    int txn_open;
    constat_status append_st; /* the first append error; later chunks are not appended */
    constat_error append_err;
    uint64_t first;
    size_t nsigned, appended, skipped;
    int have_first;
};

static struct import_ctx *worker_ctx; /* read-only while workers run */

static void *sign_range(void *arg)
{
    struct worker *w = arg;
    struct import_ctx *ic = worker_ctx;
    for (size_t i = w->from; i < w->to; i++) {
        struct pending *p = &w->c->p[i];
        constat_error_clear(&p->err);
        p->st = constat_intake_record(ic->v, p->record, ic->monitor, ic->now, ic->tax,
                                      ic->signer, &w->c->items[i], &p->err);
    }
    return NULL;
}

/* Start signing chunk c on `threads` workers (the caller's thread runs any
 * range a thread could not be started for). */
static void chunk_start(struct import_ctx *ic, struct chunk *c)
{
    size_t per = (c->n + (size_t)ic->threads - 1) / (size_t)ic->threads;
    for (int t = 0; t < ic->threads; t++) {
        struct worker *w = &c->w[t];
        w->c = c;
        w->from = (size_t)t * per < c->n ? (size_t)t * per : c->n;
        w->to = w->from + per < c->n ? w->from + per : c->n;
        w->started = w->from < w->to && pthread_create(&w->th, NULL, sign_range, w) == 0;
        if (!w->started)
            sign_range(w);
    }
    c->in_flight = 1;
}

/* Append chunk c's signed items inside the import's transaction, then free
 * them. Nothing is appended once a row has failed (the transaction will be
 * rolled back) or an append has failed (its error is reported at the end). */
static void chunk_append(struct import_ctx *ic, struct chunk *c)
{
    constat_append_item views[CHUNK];
    uint64_t first = 0;
    size_t a = 0, s = 0;

    if (ic->bad_rows || ic->append_st != CONSTAT_OK || c->signed_ == 0)
        return;
    if (!ic->txn_open) {
        ic->append_st = constat_vault_append_begin(ic->v, &ic->append_err);
        if (ic->append_st != CONSTAT_OK)
            return;
        ic->txn_open = 1;
    }
    for (size_t j = 0; j < c->signed_; j++)
        constat_intake_item_view(&c->items[j], &views[j]);
    ic->append_st = constat_vault_append_more(ic->v, views, c->signed_, &first, &a, &s,
                                              &ic->append_err);
    if (ic->append_st != CONSTAT_OK)
        return;
    if (!ic->have_first) {
        ic->first = first;
        ic->have_first = 1;
    }
    ic->appended += a;
    ic->skipped += s;
    for (size_t j = 0; j < c->signed_; j++)
        constat_intake_item_free(&c->items[j]);
    c->signed_ = 0;
}

/* Wait for chunk c, keep its signed items in file order, report bad rows,
 * append them. */
static void chunk_finish(struct import_ctx *ic, struct chunk *c)
{
    size_t kept = 0;
    if (!c->in_flight)
        return;
    for (int t = 0; t < ic->threads; t++)
        if (c->w[t].started)
            pthread_join(c->w[t].th, NULL);
    c->in_flight = 0;
    for (size_t i = 0; i < c->n; i++) {
        struct pending *p = &c->p[i];
        if (p->st == CONSTAT_OK) {
            if (kept != i)
                c->items[kept] = c->items[i];
            kept++;
        } else {
            ic->bad_rows++;
            fprintf(stderr, "constat: line %lu: %s\n", p->line, cli_text(p->err.msg));
        }
        json_decref(p->record);
        p->record = NULL;
    }
    c->signed_ = kept;
    ic->done += c->n;
    ic->nsigned += kept;
    if (ic->show_progress)
        fprintf(stderr, "\rread and signed %zu rows", ic->done);
    chunk_append(ic, c);
}

static constat_status new_chunk(struct import_ctx *ic, constat_error *err)
{
    struct chunk *c;
    if (ic->nchunks == ic->capchunks) {
        size_t cap = ic->capchunks ? 2 * ic->capchunks : 64;
        struct chunk **p = realloc(ic->chunks, cap * sizeof *p);
        if (!p)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        ic->chunks = p;
        ic->capchunks = cap;
    }
    c = calloc(1, sizeof *c);
    if (!c)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    ic->chunks[ic->nchunks++] = c;
    return CONSTAT_OK;
}

/* The filling chunk is full or the file has ended: start signing it, then
 * finish (and append) the chunk in flight, so that the append runs while the
 * workers sign. The workers read only what does not change meanwhile: the
 * vault's keys, the signer, the taxonomy. */
static void flush(struct import_ctx *ic)
{
    struct chunk *c = ic->chunks[ic->nchunks - 1];
    if (c->n)
        chunk_start(ic, c);
    if (ic->nchunks >= 2)
        chunk_finish(ic, ic->chunks[ic->nchunks - 2]);
}

static constat_status on_record(void *ctx, unsigned long line, json_t *record,
                                constat_error *err)
{
    struct import_ctx *ic = ctx;
    struct chunk *c = ic->chunks[ic->nchunks - 1];

    c->p[c->n].record = json_incref(record);
    c->p[c->n].line = line;
    if (++c->n == CHUNK) {
        flush(ic);
        return new_chunk(ic, err);
    }
    return CONSTAT_OK;
}

static constat_status on_row_error(void *ctx, unsigned long line, const constat_error *e)
{
    struct import_ctx *ic = ctx;
    (void)line;
    ic->bad_rows++;
    fprintf(stderr, "constat: %s\n", cli_text(e->msg));
    return ic->bad_rows < 50 ? CONSTAT_OK : CONSTAT_EINVAL;
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
    constat_error err;
    constat_status st;
    char recorded_at[32];
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
    if ((rc = cli_monitor_refuse_revoked(v, monitor)) != 0) /* cmd_keylife.c */
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
    ic.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (ic.threads < 1)
        ic.threads = 1;
    if (ic.threads > MAX_THREADS)
        ic.threads = MAX_THREADS;
    worker_ctx = &ic;
    ic.show_progress = !quiet && isatty(STDERR_FILENO);
    if (new_chunk(&ic, &err) != CONSTAT_OK) {
        rc = cli_report_error(path, CONSTAT_ENOMEM, NULL);
        goto out;
    }
    constat_rfc3339_format(ic.now, 0, recorded_at);
    {
        /* records are validated once, by constat_intake_record */
        constat_import_opts o = {path, constat_vault_org(v), monitor, recorded_at, tax,
                                 countries, 1};
        st = constat_import_csv(path, &o, on_record, on_row_error, &ic, &counts, &err);
        flush(&ic);
        chunk_finish(&ic, ic.chunks[ic.nchunks - 1]);
        if (ic.show_progress)
            fputc('\n', stderr);
    }
    if (st == CONSTAT_OK && ic.bad_rows)
        st = constat_error_set(&err, CONSTAT_EINVAL, "%s: %lu bad row(s)", path, ic.bad_rows);
    if (st != CONSTAT_OK) {
        /* the importer's messages already name the file */
        (void)constat_vault_append_end(v, 0, NULL);
        rc = cli_report_error(NULL, st, &err);
        fprintf(stderr, "constat: nothing imported, the vault is unchanged\n");
        goto out;
    }
    /* an empty file still opens (and commits) the transaction, as one
     * append of no records did */
    if (ic.append_st == CONSTAT_OK && !ic.txn_open) {
        ic.append_st = constat_vault_append_begin(v, &ic.append_err);
        ic.txn_open = ic.append_st == CONSTAT_OK;
    }
    st = ic.append_st;
    err = ic.append_err;
    if (st == CONSTAT_OK)
        st = constat_vault_append_end(v, 1, &err);
    else
        (void)constat_vault_append_end(v, 0, NULL);
    if (st != CONSTAT_OK) {
        rc = cli_report_error(path, st, &err);
        fprintf(stderr, "constat: nothing imported, the vault is unchanged\n");
        goto out;
    }
    if (!ic.have_first)
        ic.first = constat_vault_size(v);
    if (ic.appended) {
        /* an import is an action of the audit table (docs/api.md "Audit"),
         * written once the records are committed, as an export is; one that
         * adds nothing leaves the vault as it was, audit table included */
        char detail[4200];
        constat_error aerr = {0};
        snprintf(detail, sizeof detail, "%.4000s: %zu new record(s) at leaves %llu..%llu", path,
                 ic.appended, (unsigned long long)ic.first,
                 (unsigned long long)(ic.first + ic.appended - 1));
        if (constat_audit_add(v, cli_now(), monitor, "", "import", detail, &aerr) != CONSTAT_OK)
            fprintf(stderr, "constat: warning: the import is not in the audit table: %s\n",
                    cli_text(aerr.msg));
    }
    printf("%s: %zu rows read, %zu records signed by %s\n", cli_text(path), counts.rows,
           ic.nsigned, cli_text(monitor));
    if (counts.duplicates)
        printf("  %zu duplicate row(s) in the file skipped\n", counts.duplicates);
    if (ic.appended)
        printf("  %zu new record(s) logged at leaves %llu..%llu\n", ic.appended,
               (unsigned long long)ic.first, (unsigned long long)(ic.first + ic.appended - 1));
    if (ic.skipped)
        printf("  %zu record(s) already in the log (same content): not added again\n",
               ic.skipped);
    printf("  tree size %llu; run 'constat checkpoint' to sign it\n",
           (unsigned long long)constat_vault_size(v));
out:
    for (size_t k = 0; k < ic.nchunks; k++) {
        struct chunk *ch = ic.chunks[k];
        chunk_finish(&ic, ch);
        for (size_t j = 0; j < ch->signed_; j++)
            constat_intake_item_free(&ch->items[j]);
        for (size_t j = 0; j < ch->n; j++)
            json_decref(ch->p[j].record);
        free(ch);
    }
    free(ic.chunks);
    if (have_signer)
        constat_note_signer_wipe(&signer);
    if (v)
        constat_vault_close(v);
    constat_countries_free(countries);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
