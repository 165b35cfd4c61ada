/* cmd_report.c — `constat report --out DIR [--country CC] [--commune NAME]
 * [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: index.html (FR/EN, SVG charts),
 * figures.json (every figure lists the leaves it counts) and CSV files, over
 * the incidents of the selection (constat_dossier_filter, format.h).
 * `--public [--k N]`: the same figures under disclosure control
 * (disclosure.h), with no incident list and no leaves. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_records.h"
#include "constat/evidence/tsa.h"
#include "constat/vault/keylife.h"
#include "constat/vault/org_name.h"
#include "constat/vault/leaves_parsed.h"
#include "constat/record/import.h"
#include "constat/analysis/pseudonyms.h"
#include "constat/analysis/disclosure.h"
#include "constat/analysis/public_report.h"
#include "constat/analysis/public_map.h"
#include "constat/analysis/validation.h"
#include "constat/base/file.h"
#include "constat/dossier/format.h"
#include "constat/log/note.h"

#ifndef CONSTAT_DATA_DIR
#define CONSTAT_DATA_DIR "data"
#endif

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
static void keep_first_hand(cli_records *r, size_t *nincidents)
{
    size_t k = 0, n0 = r->n;
    for (size_t i = 0; i < r->n; i++) {
        if (i < *nincidents) { /* the incidents come first (load_for_report) */
            const json_t *t =
                json_object_get(json_object_get(r->recs[i].record, "source"), "type");
            if (!json_is_string(t) || strcmp(json_string_value(t), "direct_observation") != 0) {
                json_decref(r->recs[i].record);
                continue;
            }
        }
        r->recs[k++] = r->recs[i];
    }
    r->n = k;
    *nincidents -= n0 - k; /* every record left out was an incident */
}

/* The scope, said in words: "..., first-hand records only". Returns
 * non-zero when out of memory. */
static int first_hand_scope(constat_buf *scope)
{
    return constat_buf_puts(scope, ", first-hand records only (source.type "
                                   "direct_observation)") != CONSTAT_OK;
}

/* The validation table from the bundled published figures
 * (data/demo/published_figures.csv); 0 when written (maybe empty), else
 * nonzero with a note (the report goes on without it). */
static int validation(const constat_indexed_record *recs, size_t n, constat_buf *out)
{
    static const char path[] = CONSTAT_DATA_DIR "/demo/published_figures.csv";
    constat_buf csv;
    constat_error err;
    FILE *f = fopen(path, "rb");
    int bad;

    if (!f)
        return 1;
    constat_buf_init(&csv);
    constat_error_clear(&err);
    bad = constat_file_read(f, 4u * 1024 * 1024, &csv, &err) != CONSTAT_OK ||
          constat_validation_html(csv.data, csv.len, path, recs, n, out, &err) != CONSTAT_OK;
    fclose(f);
    if (bad)
        fprintf(stderr, "constat: note: no validation table: %s\n", cli_text(err.msg));
    constat_buf_free(&csv);
    return bad;
}

/* --k N: the threshold of --public, an integer in range (--k implies
 * --public); `dossier --public` reads it the same way (cli.h). */
int cli_public_k(const char *s, int *k)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < CONSTAT_DISCLOSURE_K_MIN || v > CONSTAT_DISCLOSURE_K_MAX) {
        fprintf(stderr, "constat: --k: \"%s\" is not an integer from %d to %d\n", cli_text(s),
                CONSTAT_DISCLOSURE_K_MIN, CONSTAT_DISCLOSURE_K_MAX);
        return 2;
    }
    *k = (int)v;
    return 0;
}

/* out/keys/log.vkey: the verifier key of the log, so that `constat verify`
 * checks the checkpoint meta.json cites (modes per umask: it is published). */
static constat_status write_log_vkey(const char *out, const constat_note_verifier *logv,
                                     constat_error *err)
{
    char path[4200], vk[CONSTAT_DOSSIER_VKEY_MAX];
    FILE *f;
    int bad;

    if (constat_note_verifier_format(logv, vk, sizeof vk) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "the log key cannot be formatted");
    snprintf(path, sizeof path, "%s/keys", out);
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/keys/log.vkey", out);
    if (!(f = fopen(path, "wb")))
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    bad = fprintf(f, "%s\n", vk) < 0;
    bad |= fclose(f) != 0;
    return bad ? constat_error_set(err, CONSTAT_EIO, "%s: write failed", path) : CONSTAT_OK;
}

/* A report folder written again must stay one kind of report: a public
 * report into a folder holding a full one would leave the full report's
 * incident pages beside the public figures, and a full report over a public
 * one would leave meta.json telling `verify` it is public. Checked before
 * anything is read or written (docs/cli.md "report"). */
static constat_status folder_kind(const char *out, int public_k, constat_error *err)
{
    char path[4200];
    struct stat sb;

    int meta, index;

    snprintf(path, sizeof path, "%s/meta.json", out);
    meta = stat(path, &sb) == 0;
    snprintf(path, sizeof path, "%s/index.html", out);
    index = stat(path, &sb) == 0;
    if (!public_k && meta)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "%s holds a public report (meta.json): write the full report "
                                 "into a folder of its own", out);
    if (public_k && index && !meta)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "%s holds a full report, with its incident list (index.html, "
                                 "incidents.csv; no meta.json): write the public report into a "
                                 "folder of its own", out);
    return CONSTAT_OK;
}

/* --public: the figures under disclosure control, written with no incident
 * list, beside the taxonomy they are labelled with. */
static constat_status write_public(const char *out, const char *taxo,
                                   const constat_taxonomy *tax, const json_t *figures, int k,
                                   const cli_records *recs, const constat_report_meta *meta,
                                   const constat_note_verifier *logv, constat_error *err)
{
    json_t *pub = NULL;
    constat_buf tb;
    constat_status st;
    FILE *f = fopen(cli_taxonomy_path(taxo), "rb");

    constat_buf_init(&tb);
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open", cli_taxonomy_path(taxo));
    st = constat_file_read(f, 16u * 1024 * 1024, &tb, err);
    fclose(f);
    if (st == CONSTAT_OK)
        st = constat_disclosure_apply(figures, k, &pub, err);
    if (st == CONSTAT_OK) /* positions snapped to named sites or the grid */
        st = constat_public_positions(recs->recs, recs->n, k, pub, err);
    if (st == CONSTAT_OK)
        st = constat_report_write_public(out, tax, tb.data, tb.len, pub, meta, err);
    if (st == CONSTAT_OK) /* the log key beside the checkpoint it signed, as in a dossier */
        st = write_log_vkey(out, logv, err);
    json_decref(pub);
    constat_buf_free(&tb);
    return st;
}

/* The records a report reads, in one pass over the first `size` leaves:
 * the incidents matching `f` (*nincidents of them), then every evidence,
 * correction, retraction, erasure, register, shift and pseudonym binding
 * record, each group in leaf order, the bindings joined into the records
 * they bind (constat_records_join_pseudonyms). */
#define NKINDS 8 /* the kinds of load_for_report */
struct report_loader {
    cli_records part[NKINDS];
    uint32_t *signer[NKINDS]; /* parallel to part[k]: the signing key, as its number in kids */
    json_t *kids;             /* key id -> number */
    int revocations;          /* a revocation record is among the leaves */
    const constat_dossier_filter *f;
    constat_error *err;
    constat_status st;
};

static int report_load_one(void *ctx, uint64_t index, constat_leaf *lp, constat_status pst,
                           const constat_error *pe)
{
    static const char *const kinds[NKINDS] = {"incident",   "evidence", "correction",
                                              "retraction", "erasure",  "register",
                                              "shift",      "pseudonym_binding"};
    struct report_loader *ld = ctx;
    constat_leaf l;
    const char *kind;
    int k;

    ld->st = pst;
    if (ld->st != CONSTAT_OK) {
        *ld->err = *pe;
        constat_error_prefix(ld->err, "leaf %llu: ", (unsigned long long)index);
        return 1;
    }
    l = *lp;
    kind = json_string_value(json_object_get(l.record, "kind"));
    if (kind && strcmp(kind, "revocation") == 0)
        ld->revocations = 1;
    for (k = 0; k < NKINDS && !(kind && strcmp(kind, kinds[k]) == 0); k++)
        ;
    if (k < NKINDS && (k > 0 || constat_dossier_filter_match(ld->f, l.record))) {
        cli_records *r = &ld->part[k];
        const json_t *kn = json_object_get(ld->kids, l.key_id);
        if (r->n == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 256;
            constat_indexed_record *p = realloc(r->recs, cap * sizeof *p);
            uint32_t *sp = p ? realloc(ld->signer[k], cap * sizeof *sp) : NULL;
            if (p)
                r->recs = p;
            if (sp)
                ld->signer[k] = sp;
            if (!p || !sp) {
                constat_leaf_free(&l);
                ld->st = constat_error_set(ld->err, CONSTAT_ENOMEM, "out of memory");
                return 1;
            }
            r->cap = cap;
        }
        if (!kn && (json_object_set_new(ld->kids, l.key_id,
                                        json_integer((json_int_t)json_object_size(ld->kids))) !=
                        0 ||
                    !(kn = json_object_get(ld->kids, l.key_id)))) {
            constat_leaf_free(&l);
            ld->st = constat_error_set(ld->err, CONSTAT_ENOMEM, "out of memory");
            return 1;
        }
        ld->signer[k][r->n] = (uint32_t)json_integer_value(kn);
        r->recs[r->n].index = index;
        r->recs[r->n].record = json_incref(l.record);
        r->n++;
    }
    constat_leaf_free(&l);
    return 0;
}

/* A counted correction that does not keep its record's pseudonyms: said,
 * not counted silently (docs/record.md "Person commitments and pseudonym
 * bindings"). */
static void warn_persons(void *ctx, uint64_t index, const char *msg)
{
    (void)ctx;
    (void)index;
    fprintf(stderr, "constat: warning: %s\n", cli_text(msg));
}

/* The id a record of the report's kinds is about: an evidence record's
 * incident, the record an amendment names; NULL for the others. */
static const char *about(const json_t *r)
{
    const char *k = json_string_value(json_object_get(r, "kind"));
    const char *m = !k                               ? NULL
                    : strcmp(k, "evidence") == 0     ? "incident"
                    : strcmp(k, "correction") == 0   ? "corrects"
                    : strcmp(k, "retraction") == 0   ? "retracts"
                    : strcmp(k, "erasure") == 0      ? "erases"
                                                     : NULL;
    return m ? json_string_value(json_object_get(r, m)) : NULL;
}

/* Records that verification fails because their key was revoked
 * (docs/vault.md "Revocation"): left out of recs (signer[i]: the number in
 * kids of recs[i]'s signing key), each that bears on the report (an
 * incident of the scope, a shift, or a record about one of those
 * incidents or their evidence) with a warning naming the record and the
 * revocation in the words of `constat verify`. Only revocations among the
 * first `size` leaves count (a dossier at that checkpoint holds those).
 * *nincidents (the incidents come first) is updated, *nleft (0 on entry)
 * counts the warnings. */
static constat_status leave_out_revoked(constat_vault *v, uint64_t size, cli_records *recs,
                                        const uint32_t *signer, const json_t *kids,
                                        size_t *nincidents, size_t *nleft, constat_error *err)
{
    json_t *revs = NULL, *byn = NULL, *scope = NULL; /* byn: key number -> its revocation */
    const char *kid;
    json_t *n, *rev;
    size_t k = 0, ninc = *nincidents;
    constat_status st = constat_vault_revocations(v, &revs, err);

    if (st != CONSTAT_OK)
        return st;
    if (!(byn = json_array()) || !(scope = json_object()))
        goto nomem;
    for (size_t i = 0; i < json_object_size(kids); i++)
        if (json_array_append_new(byn, json_null()) != 0)
            goto nomem;
    json_object_foreach((json_t *)kids, kid, n) {
        rev = json_object_get(revs, kid);
        if (rev && (uint64_t)json_integer_value(json_object_get(rev, "leaf")) < size)
            json_array_set(byn, (size_t)json_integer_value(n), rev);
    }
    /* the ids the report is about: its incidents, then their evidence */
    for (size_t i = 0; i < recs->n; i++) {
        const json_t *r = recs->recs[i].record;
        const char *id = json_string_value(json_object_get(r, "id")), *t = about(r);
        const char *kind = json_string_value(json_object_get(r, "kind"));
        if (id && (i < *nincidents || (kind && strcmp(kind, "evidence") == 0 && t &&
                                       json_object_get(scope, t))) &&
            json_object_set_new(scope, id, json_true()) != 0)
            goto nomem;
    }
    for (size_t i = 0; i < recs->n; i++) {
        char msg[CONSTAT_ERROR_MSG_MAX + 600];
        const json_t *r = recs->recs[i].record;
        const char *key = NULL, *kind = json_string_value(json_object_get(r, "kind")), *t;
        rev = json_array_get(byn, signer[i]);
        if (json_is_object(rev))
            json_object_foreach((json_t *)kids, kid, n)
                if ((uint32_t)json_integer_value(n) == signer[i]) {
                    key = kid;
                    break;
                }
        if (!json_is_object(rev) ||
            !constat_revocation_rejects(rev, recs->recs[i].index, key, r, msg, sizeof msg)) {
            recs->recs[k++] = recs->recs[i];
            continue;
        }
        t = about(r);
        if (i < *nincidents || (kind && strcmp(kind, "shift") == 0) ||
            (t && json_object_get(scope, t))) {
            fprintf(stderr, "constat: warning: %s; left out of the report and its figures, "
                            "as 'constat verify' fails it\n", cli_text(msg));
            (*nleft)++;
        }
        if (i < *nincidents)
            ninc--;
        json_decref(recs->recs[i].record);
    }
    recs->n = k;
    *nincidents = ninc;
    json_decref(scope);
    json_decref(byn);
    json_decref(revs);
    return CONSTAT_OK;
nomem:
    json_decref(scope);
    json_decref(byn);
    json_decref(revs);
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

static constat_status load_for_report(constat_vault *v, uint64_t size,
                                      const constat_dossier_filter *f, cli_records *out,
                                      size_t *nincidents, size_t *nrevoked, constat_error *err)
{
    struct report_loader ld;
    constat_status st;
    size_t total = 0;
    uint32_t *signer = NULL;

    memset(&ld, 0, sizeof ld);
    ld.f = f;
    ld.err = err;
    ld.st = CONSTAT_OK;
    memset(out, 0, sizeof *out);
    *nrevoked = 0;
    if (!(ld.kids = json_object()))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_vault_leaves_parsed(v, 0, size, 0, report_load_one, &ld, err);
    if (st == CONSTAT_OK)
        st = ld.st;
    for (int k = 0; k < NKINDS; k++)
        total += ld.part[k].n;
    *nincidents = ld.part[0].n;
    if (st == CONSTAT_OK) {
        out->recs = malloc((total + 1) * sizeof *out->recs);
        signer = malloc((total + 1) * sizeof *signer);
        if (!out->recs || !signer)
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    for (int k = 0; k < NKINDS; k++) {
        for (size_t i = 0; st == CONSTAT_OK && i < ld.part[k].n; i++) {
            signer[out->n] = ld.signer[k][i];
            out->recs[out->n++] = ld.part[k].recs[i]; /* the reference moves over */
            ld.part[k].recs[i].record = NULL;
        }
        cli_records_free(&ld.part[k]);
        free(ld.signer[k]);
    }
    out->cap = out->n;
    /* what verification fails, the report does not count */
    if (st == CONSTAT_OK && ld.revocations)
        st = leave_out_revoked(v, size, out, signer, ld.kids, nincidents, nrevoked, err);
    free(signer);
    json_decref(ld.kids);
    if (st == CONSTAT_OK) /* the pseudonyms of records signed offline */
        st = constat_records_join_pseudonyms_noted(out->recs, out->n, warn_persons, NULL, err);
    if (st != CONSTAT_OK)
        cli_records_free(out);
    return st;
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
        {"public", no_argument, NULL, 'P'},
        {"k", required_argument, NULL, 'k'},
        {"pdf", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0}};
    int public_k = 0; /* 0: the full report; else --public with this k */
    int pdf = 0;
    const char *kopt = NULL;
    const char *dir = NULL, *out = NULL, *taxo = NULL, *code = NULL;
    constat_dossier_filter f = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0};
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
    constat_buf vhtml;
    size_t nincidents = 0, nrevoked = 0;
    uint64_t size = 0;
    int c, rc, first_hand = 0, writing = 0;

    constat_buf_init(&vhtml);
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
        case 'P': public_k = CONSTAT_DISCLOSURE_K_DEFAULT; break;
        case 'k': kopt = optarg; break;
        case 'p': pdf = 1; break;
        default: return cli_usage("report");
        }
    }
    if (!out || optind != argc)
        return cli_usage("report");
    if (kopt && (c = cli_public_k(kopt, &public_k)) != 0)
        return c;
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
    if (st == CONSTAT_OK)
        st = folder_kind(out, public_k, &err);
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
    /* one pass over the leaves: the incidents of the scope first, then the
     * evidence records (the evidence_flagged figure compares each with its
     * incident, docs/evidence.md), then corrections and retractions (the
     * figures and the report use the latest version of each record and
     * leave retracted ones out) */
    if (st == CONSTAT_OK)
        st = load_for_report(v, size, &f, &recs, &nincidents, &nrevoked, &err);
    if (st == CONSTAT_OK && first_hand)
        keep_first_hand(&recs, &nincidents);
    if (st == CONSTAT_OK && nincidents == 0)
        st = constat_error_set(&err, CONSTAT_ENOTFOUND,
                               "no incident among the %llu leaves of the newest checkpoint%s%s: "
                               "no report written", (unsigned long long)size,
                               strcmp((const char *)scope.data, "all incidents in the log")
                                   ? " is in the selection: "
                                   : "",
                               strcmp((const char *)scope.data, "all incidents in the log")
                                   ? (const char *)scope.data
                                   : "");
    if (st == CONSTAT_OK)
        st = proven_times(v, &recs, &times, &err);
    if (st == CONSTAT_OK)
        st = constat_figures_compute_timed(recs.recs, recs.n, tax, times, &figures, &err);
    if (st == CONSTAT_OK) {
        /* the display name beside the key name, when init set one */
        char shown[CONSTAT_ORG_DISPLAY_MAX + 160], disp[CONSTAT_ORG_DISPLAY_MAX + 2];
        constat_error de;
        if (constat_org_display_read(constat_vault_dir(v), disp, sizeof disp, &de) != CONSTAT_OK)
            disp[0] = 0;
        constat_org_shown(disp, constat_vault_org(v), shown, sizeof shown);
        constat_report_meta meta = {shown, constat_vault_origin(v), size,
                                    (const char *)note.data, now,
                                    (const char *)scope.data, NULL};
        /* our figures beside the bundled published ones (not in a public
         * report: it lists no record to recount them from) */
        if (!public_k && validation(recs.recs, nincidents, &vhtml) == 0 && vhtml.len &&
            constat_buf_append(&vhtml, "", 1) == CONSTAT_OK)
            meta.validation_html = (const char *)vhtml.data;
        constat_rfc3339_format(cli_now(), 0, now);
        writing = 1; /* from here a failure is about the report folder */
        if (public_k)
            cli_publish_modes(); /* for a web server: the caller's umask, not 077 */
        if (public_k)
            st = write_public(out, taxo, tax, figures, public_k, &recs, &meta,
                              &constat_vault_log_key(v)->pub, &err);
        else
            st = constat_report_write_timed(out, recs.recs, recs.n, tax, times, figures, &meta,
                                            &err);
    }
    if (st == CONSTAT_OK) {
        /* "r/" and "r" name the same folder: print r/index.html either way */
        size_t len = cli_path_len(out);
        char shown[4096];
        snprintf(shown, sizeof shown, "%.*s", (int)len, out);
        printf("%sreport of %zu incident%s (tree size %llu) written to %s%sindex.html\n",
               public_k ? "public " : "", nincidents, nincidents == 1 ? "" : "s",
               (unsigned long long)size,
               cli_text(shown), len == 1 && out[0] == '/' ? "" : "/");
        if (pdf && (rc = cli_report_pdf(out)) != 0)
            pdf = -1; /* the report stands; the exit code says no PDF */
        if (public_k)
            printf("  disclosure control: k = %d (cells under k suppressed, with secondary "
                   "suppression; no incident list, no leaves)\n", public_k);
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
        if (nrevoked)
            printf("  %zu record(s) signed by a revoked key left out (the warnings above "
                   "name them)\n", nrevoked);
        if (constat_vault_size(v) > size)
            fprintf(stderr, "constat: note: the %llu leaves logged after the checkpoint of size "
                            "%llu are not in the report: run 'constat checkpoint' to include "
                            "them\n", (unsigned long long)(constat_vault_size(v) - size),
                    (unsigned long long)size);
    }
    else /* before writing, the vault is at fault, not the report folder */
        rc = cli_report_error(writing ? out : "report", st, &err);
    json_decref(figures);
    constat_buf_free(&vhtml);
    free(times);
    cli_records_free(&recs);
    constat_buf_free(&note);
    constat_buf_free(&scope);
    constat_countries_free(gz);
    constat_vault_close(v);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
