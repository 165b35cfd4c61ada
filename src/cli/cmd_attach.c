/* cmd_attach.c — `constat attach`: store evidence files and log an evidence
 * record for each; also the evidence part of `constat show` (files of an
 * incident with their flags, and each file's chain of custody). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_records.h"
#include "constat/evidence/evidence.h"

/* The record logged under `id` (new reference) or NULL. */
static json_t *record_by_id(constat_vault *v, const char *id)
{
    constat_buf leaf;
    constat_leaf l;
    constat_error err;
    uint64_t idx;
    json_t *r = NULL;

    constat_buf_init(&leaf);
    if (id && constat_vault_find(v, id, &idx, &err) == CONSTAT_OK &&
        constat_vault_leaf(v, idx, &leaf, &err) == CONSTAT_OK &&
        constat_leaf_parse(leaf.data, leaf.len, &l, &err) == CONSTAT_OK) {
        r = json_incref(l.record);
        constat_leaf_free(&l);
    }
    constat_buf_free(&leaf);
    return r;
}

static void print_capture(FILE *f, const json_t *cap)
{
    const char *t = json_string_value(json_object_get(cap, "time"));
    const char *lt = json_string_value(json_object_get(cap, "local_time"));
    json_t *la = json_object_get(cap, "lat_e7"), *lo = json_object_get(cap, "lon_e7");
    const char *mk = json_string_value(json_object_get(cap, "make"));
    const char *md = json_string_value(json_object_get(cap, "model"));
    const char *bad = json_string_value(json_object_get(cap, "time_invalid"));
    const char *mal = json_string_value(json_object_get(cap, "exif_malformed"));
    if (!json_is_object(cap)) {
        fprintf(f, "no capture metadata");
        return;
    }
    if (t)
        fprintf(f, "taken %s", cli_text(t));
    else if (lt)
        fprintf(f, "taken %s (camera clock, no offset)", cli_text(lt));
    else if (bad)
        fprintf(f, "invalid EXIF date \"%s\"", cli_text(bad));
    else
        fprintf(f, "no capture time");
    if (json_is_integer(la) && json_is_integer(lo))
        fprintf(f, ", at %.7f, %.7f", (double)json_integer_value(la) / 1e7,
                (double)json_integer_value(lo) / 1e7);
    if (mk || md)
        fprintf(f, ", camera %s%s%s", cli_text(mk), mk && md ? " " : "", cli_text(md));
    if (mal)
        fprintf(f, ", malformed EXIF: %s", cli_text(mal));
}

/* "flags: ..." or "no flag" (and why nothing could be checked). */
static int print_flags(FILE *f, const json_t *ev, const json_t *incident)
{
    constat_evidence_flags fl;
    char what[CONSTAT_EVIDENCE_FLAGS_TEXT];
    int n;
    if (!incident || constat_evidence_flags_compute(ev, incident, &fl, NULL) != CONSTAT_OK) {
        fprintf(f, "flags: not computed (incident not found)");
        return 0;
    }
    n = constat_evidence_flags_describe(&fl, what, sizeof what);
    if (n)
        fprintf(f, "FLAGGED: %s", cli_text(what));
    else if (!fl.time_checked && !fl.gps_checked)
        fprintf(f, "no flag (nothing to compare: no capture time or position)");
    else
        fprintf(f, "no flag (%s%s%s)", fl.time_checked ? "time within 1 h of the incident" : "",
                fl.time_checked && fl.gps_checked ? ", " : "",
                fl.gps_checked ? "position within 2 km" : "");
    return n;
}

/* Leaves that name evidence or custody, found without parsing every leaf. */
typedef struct {
    const char *incident; /* match evidence/custody of this incident, or */
    const char *sha256;   /* custody of this file (with incident) */
    int any_custody;      /* also custody of every incident (files moved by a correction) */
    json_t *found;        /* array of {index, record} */
} scan_ctx;

/* memmem is a GNU extension; leaves are small. */
static int contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static int scan_leaf(void *vctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    scan_ctx *s = vctx;
    constat_leaf l;
    constat_error err;
    const char *kind, *inc, *ev;
    if (!contains(leaf, len, "\"kind\":\"evidence\"") &&
        !contains(leaf, len, "\"kind\":\"custody\""))
        return 0;
    if (constat_leaf_parse(leaf, len, &l, &err) != CONSTAT_OK)
        return 0;
    kind = json_string_value(json_object_get(l.record, "kind"));
    inc = json_string_value(json_object_get(l.record, "incident"));
    ev = json_string_value(json_object_get(l.record, "evidence"));
    if (kind && inc && (strcmp(inc, s->incident) == 0 ||
                        (s->any_custody && strcmp(kind, "custody") == 0)) &&
        (!s->sha256 || (strcmp(kind, "custody") == 0 && ev && strcmp(ev, s->sha256) == 0)))
        json_array_append_new(s->found, json_pack("{s:I, s:O}", "index", (json_int_t)index,
                                                  "record", l.record));
    constat_leaf_free(&l);
    return 0;
}

static void print_custody(FILE *f, const json_t *found, const char *sha256, const char *indent)
{
    size_t i, n = 0;
    json_t *it;
    json_array_foreach(found, i, it) {
        json_t *r = json_object_get(it, "record");
        const char *kind = json_string_value(json_object_get(r, "kind"));
        const char *ev = json_string_value(json_object_get(r, "evidence"));
        const char *note = json_string_value(json_object_get(r, "note"));
        if (!kind || strcmp(kind, "custody") != 0 || !ev || strcmp(ev, sha256) != 0)
            continue;
        if (n++ == 0)
            fprintf(f, "%schain of custody:\n", indent);
        fprintf(f, "%s  %s  %-11s to %s, by %s (leaf %lld, %s)%s%s\n", indent,
                cli_text(json_string_value(json_object_get(r, "recorded_at"))),
                cli_text(json_string_value(json_object_get(r, "event"))),
                cli_text(json_string_value(json_object_get(r, "to"))),
                cli_text(json_string_value(json_object_get(r, "monitor"))),
                (long long)json_integer_value(json_object_get(it, "index")),
                cli_text(json_string_value(json_object_get(r, "id"))), note ? ": " : "",
                cli_text(note));
    }
    if (n == 0)
        fprintf(f, "%sno custody event logged\n", indent);
}

/* The evidence files of incident `id` by their current binding (docs/record.md
 * "Corrections and retractions"): the latest version of each evidence
 * record (constat_records_effective) that names the incident, a file moved
 * here by a correction included; then those first attached here that a
 * retraction detached or a correction moved elsewhere, each with the leaf
 * that did it. `found` holds the evidence leaves first logged for the
 * incident and the custody leaves. Returns how many shown files are flagged. */
static int show_bound_evidence(constat_vault *v, const json_t *record, const char *id,
                               const json_t *found, FILE *f)
{
    static const char *const kinds[] = {"evidence", "correction", "retraction", NULL};
    cli_records all;
    constat_indexed_record *eff = NULL;
    constat_error err;
    size_t neff = 0, n = 0, i;
    json_t *it;
    int flagged = 0;

    if (cli_records_load_kinds(v, kinds, &all, &err) != CONSTAT_OK)
        return 0;
    if (constat_records_effective(all.recs, all.n, NULL, &eff, NULL, &neff, &err) !=
        CONSTAT_OK) {
        fprintf(f, "evidence files: not listed (%s)\n", cli_text(err.msg));
        cli_records_free(&all);
        return 0;
    }
    for (i = 0; i < neff; i++) {
        const json_t *ev = eff[i].record;
        const char *k = json_string_value(json_object_get(ev, "kind"));
        const char *inc = json_string_value(json_object_get(ev, "incident"));
        if (!k || strcmp(k, "evidence") != 0 || !inc || strcmp(inc, id) != 0)
            continue;
        if (n++ == 0)
            fprintf(f, "evidence files:\n");
        fprintf(f, "  %s (leaf %llu): %s, %lld bytes, sha256 %s\n    ",
                cli_text(json_string_value(json_object_get(ev, "id"))),
                (unsigned long long)eff[i].index,
                cli_text(json_string_value(json_object_get(ev, "media_type"))),
                (long long)json_integer_value(json_object_get(ev, "size")),
                cli_text(json_string_value(json_object_get(ev, "sha256"))));
        print_capture(f, json_object_get(ev, "capture"));
        fprintf(f, "\n    ");
        flagged += print_flags(f, ev, record) > 0;
        fprintf(f, "\n");
        print_custody(f, found, json_string_value(json_object_get(ev, "sha256")), "    ");
    }
    if (n == 0)
        fprintf(f, "no evidence files attached\n");
    /* first attached here, no longer bound here */
    json_array_foreach(found, i, it) {
        const json_t *ev = json_object_get(it, "record");
        const char *k = json_string_value(json_object_get(ev, "kind"));
        const char *eid = json_string_value(json_object_get(ev, "id"));
        const char *now = NULL;
        uint64_t at = 0;
        if (!k || strcmp(k, "evidence") != 0 || !eid)
            continue;
        for (size_t j = 0; j < neff; j++) {
            const json_t *r = eff[j].record;
            const char *rk = json_string_value(json_object_get(r, "kind"));
            const char *rid = json_string_value(json_object_get(r, "id"));
            if (rk && strcmp(rk, "evidence") == 0 && rid && strcmp(rid, eid) == 0) {
                now = json_string_value(json_object_get(r, "incident"));
                at = eff[j].index;
                now = now ? now : "";
                break;
            }
        }
        if (now && strcmp(now, id) == 0)
            continue;
        if (now) {
            fprintf(f, "  %s (leaf %lld): moved to incident %s by the correction at leaf %llu\n",
                    cli_text(eid), (long long)json_integer_value(json_object_get(it, "index")),
                    cli_text(now), (unsigned long long)at);
            continue;
        }
        for (size_t j = 0; j < all.n; j++) {
            const char *t = json_string_value(json_object_get(all.recs[j].record, "retracts"));
            if (t && strcmp(t, eid) == 0) {
                at = all.recs[j].index;
                break;
            }
        }
        fprintf(f, "  %s (leaf %lld): detached, retracted by leaf %llu\n", cli_text(eid),
                (long long)json_integer_value(json_object_get(it, "index")),
                (unsigned long long)at);
    }
    free(eff);
    cli_records_free(&all);
    return flagged;
}

int cli_show_evidence(constat_vault *v, const json_t *record, FILE *f)
{
    const char *kind = json_string_value(json_object_get(record, "kind"));
    scan_ctx s;
    constat_error err;
    int flagged = 0;

    if (!kind)
        return 0;
    memset(&s, 0, sizeof s);
    s.found = json_array();
    if (strcmp(kind, "incident") == 0) {
        s.incident = json_string_value(json_object_get(record, "id"));
        s.any_custody = 1;
        if (s.incident &&
            constat_vault_leaves(v, 0, constat_vault_size(v), scan_leaf, &s, &err) == CONSTAT_OK)
            flagged = show_bound_evidence(v, record, s.incident, s.found, f);
    } else if (strcmp(kind, "evidence") == 0) {
        json_t *inc;
        s.incident = json_string_value(json_object_get(record, "incident"));
        s.sha256 = json_string_value(json_object_get(record, "sha256"));
        if (!s.incident || !s.sha256)
            goto out;
        inc = record_by_id(v, s.incident);
        fprintf(f, "evidence for incident %s: ", cli_text(s.incident));
        print_capture(f, json_object_get(record, "capture"));
        fprintf(f, "\n");
        flagged += print_flags(f, record, inc) > 0;
        fprintf(f, "\n");
        json_decref(inc);
        {
            char p[4200];
            if (constat_evidence_path(constat_vault_dir(v), s.sha256, p, sizeof p) == CONSTAT_OK)
                fprintf(f, "stored file: %s (sealed at rest: 'constat dossier --with-evidence' "
                           "writes it in clear)\n", cli_text(p));
        }
        if (constat_vault_leaves(v, 0, constat_vault_size(v), scan_leaf, &s, &err) ==
            CONSTAT_OK)
            print_custody(f, s.found, s.sha256, "");
    }
out:
    json_decref(s.found);
    return flagged;
}

/* Attach each file; print one block per file. Returns the exit code. */
int cli_attach_files(constat_vault *v, const char *incident_id, char **files, int nfiles,
                     const char *monitor, int json)
{
    constat_note_signer signer;
    constat_error err;
    constat_status st;
    json_t *incident, *out = json ? json_array() : NULL;
    int rc = 0;

    constat_error_clear(&err);
    if ((rc = cli_monitor_refuse_revoked(v, monitor)) != 0) { /* cmd_keylife.c */
        json_decref(out);
        return rc;
    }
    st = constat_vault_monitor_key(v, monitor, &signer, &err);
    if (st != CONSTAT_OK) {
        json_decref(out);
        return cli_report_error(monitor, st, &err);
    }
    incident = record_by_id(v, incident_id);
    for (int i = 0; i < nfiles; i++) {
        constat_evidence_result r;
        json_t *ev;
        constat_error_clear(&err);
        st = constat_evidence_attach(v, incident_id, files[i], monitor, &signer, cli_now(), &r,
                                     &err);
        if (st != CONSTAT_OK) {
            /* an unknown incident is the record id's fault, not the file's */
            rc = cli_report_error(st == CONSTAT_ENOTFOUND && !incident ? "attach" : files[i], st,
                                  &err);
            break;
        }
        ev = record_by_id(v, r.record_id);
        if (json) {
            constat_evidence_flags fl;
            char what[CONSTAT_EVIDENCE_FLAGS_TEXT] = "";
            if (ev && incident &&
                constat_evidence_flags_compute(ev, incident, &fl, NULL) == CONSTAT_OK)
                constat_evidence_flags_describe(&fl, what, sizeof what);
            json_array_append_new(
                out, json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:b, s:b, s:s}", "file",
                               files[i], "record_id", r.record_id, "sha256", r.sha256, "size",
                               (json_int_t)r.size, "media_type", r.media_type, "index",
                               (json_int_t)r.index, "stored_new", r.stored_new,
                               "already_logged", r.already_logged, "flags", what));
        } else {
            printf("%s\n  record %s, leaf %llu%s\n  sha256 %s, %llu bytes, %s (%s)\n  ",
                   cli_text(files[i]), cli_text(r.record_id), (unsigned long long)r.index,
                   r.already_logged ? " (already logged: nothing added)" : "",
                   cli_text(r.sha256), (unsigned long long)r.size, cli_text(r.media_type),
                   r.stored_new ? "stored" : "already in the store");
            print_capture(stdout, ev ? json_object_get(ev, "capture") : NULL);
            printf("\n  ");
            if (ev)
                print_flags(stdout, ev, incident);
            printf("\n");
        }
        json_decref(ev);
    }
    constat_note_signer_wipe(&signer);
    json_decref(incident);
    if (json) {
        char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(out);
    }
    return rc;
}

int cmd_attach(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"monitor", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *monitor = NULL;
    int json = 0, c, rc;
    constat_vault *v;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'm': monitor = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("attach");
        }
    }
    if (!monitor || argc - optind < 2)
        return cli_usage("attach");
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0)
        return rc;
    rc = cli_attach_files(v, argv[optind], argv + optind + 1, argc - optind - 1, monitor, json);
    constat_vault_close(v);
    return cli_finish_stdout(rc);
}
