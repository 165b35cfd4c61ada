/* cmd_verify.c — `constat verify DIR`: a dossier (offline, everything
 * recomputed) or a whole vault. One line per failure, naming the record and
 * the check; exit 0 only if everything holds. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "constat/vault/accounts.h"
#include "cli_records.h"
#include "constat/evidence/evidence.h"
#include "constat/dossier/verify.h"
#include "constat/vault/erase.h"
#include "constat/vault/keylife.h"
#include "constat/witness/witness_policy.h"

/* Failures and per-record lines are collected while the verification runs
 * and printed after the header (what is verified: origin, size, keys), so
 * that a reader sees what the lines are about before them. */
struct failures {
    unsigned long count;
    int json;
    json_t *list;  /* --json: the failures */
    json_t *lines; /* text: the lines to print after the header */
};

/* Print the collected lines, in the order they came, and empty the list. */
static void print_lines(json_t *lines)
{
    size_t i;
    json_t *s;
    json_array_foreach(lines, i, s)
        printf("%s\n", json_string_value(s));
    json_array_clear(lines);
}

static void on_failure(void *ctx, int64_t index, const char *msg)
{
    struct failures *f = ctx;
    f->count++;
    if (f->json) {
        json_array_append_new(f->list, index >= 0
                                           ? json_pack("{s:I, s:s}", "index", (json_int_t)index,
                                                       "message", msg)
                                           : json_pack("{s:s}", "message", msg));
        return;
    }
    /* library messages already name the leaf and record where they know them */
    char line[1200];
    snprintf(line, sizeof line, "FAIL: %s", cli_text(msg));
    if (json_array_append_new(f->lines, json_string(line)) != 0)
        printf("%s\n", line); /* out of memory: at least the failure is shown */
}

static int exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

/* The evidence store: every file an evidence record binds must be there
 * with its logged hash and size (loss is found now, not when a dossier
 * needs the file). Returns the status after these checks. */
static unsigned long store_not_rehashed; /* sealed files checked without the keys */

static constat_status vault_check_store(constat_vault *v, struct failures *f,
                                        constat_status st)
{
    cli_records ev;
    constat_error lerr;

    json_t *erased = NULL; /* files of erased records are gone on purpose */

    constat_error_clear(&lerr);
    if (cli_records_load(v, "evidence", NULL, &ev, &lerr) != CONSTAT_OK ||
        constat_vault_erasures(v, &erased, &lerr) != CONSTAT_OK) {
        on_failure(f, -1, lerr.msg);
        return CONSTAT_EVERIFY;
    }
    for (size_t i = 0; i < ev.n; i++) {
        char msg[600], line[800];
        int rehashed = 0;
        constat_status fs;
        if (json_object_get(erased, json_string_value(json_object_get(ev.recs[i].record,
                                                                      "id"))))
            continue;
        fs = constat_evidence_check_stored(v, ev.recs[i].record, &rehashed, msg, sizeof msg);
        if (fs == CONSTAT_OK) {
            store_not_rehashed += !rehashed;
            continue;
        }
        snprintf(line, sizeof line, "leaf %llu (record %s): evidence store: %s",
                 (unsigned long long)ev.recs[i].index,
                 json_string_value(json_object_get(ev.recs[i].record, "id")), msg);
        on_failure(f, (int64_t)ev.recs[i].index, line);
        st = CONSTAT_EVERIFY;
    }
    cli_records_free(&ev);
    json_decref(erased);
    return st;
}

/* One line per monitor: who holds the key that signs their records. */
static int print_custody(void *ctx, const char *name, const char *vkey, uint64_t index)
{
    int dev = constat_monitor_key_on_device(ctx, name);
    (void)vkey;
    printf("  monitor %s (enrolment leaf %llu): %s\n", cli_text(name), (unsigned long long)index,
           dev > 0 ? "key held by the monitor's device (the vault never had it)"
                   : "key held by the organisation (in the vault): its records say the "
                     "organisation vouches for them");
    return 0;
}

/* The vault's text report: the header (what was verified), the collected
 * per-record lines, then the verdict. */
static void vault_print_text(constat_vault *v, const char *dir, struct failures *f,
                             constat_status st)
{
    char vkey[600];

    if (constat_note_verifier_format(&constat_vault_log_key(v)->pub, vkey, sizeof vkey) !=
        CONSTAT_OK)
        snprintf(vkey, sizeof vkey, "?");
    printf("vault %s: log %s, %llu leaves, log key %s\n", cli_text(dir),
           cli_text(constat_vault_origin(v)), (unsigned long long)constat_vault_size(v),
           cli_text(vkey));
    print_lines(f->lines);
    /* which claim a monitor's signature makes (docs/api.md "Key custody"),
     * before the verdict so that the verdict is the last line */
    (void)constat_vault_monitor_list(v, print_custody, v, NULL);
    if (st == CONSTAT_OK && store_not_rehashed)
        printf("vault %s: every leaf, tile, checkpoint and signature verified; %lu sealed "
               "evidence file(s) present but not re-hashed: that needs the passphrase "
               "(%llu leaves)\n", cli_text(dir), store_not_rehashed,
               (unsigned long long)constat_vault_size(v));
    else if (st == CONSTAT_OK)
        printf("vault %s: every leaf, tile, checkpoint and signature verified, and every "
               "evidence file re-hashed (%llu leaves)\n", cli_text(dir),
               (unsigned long long)constat_vault_size(v));
    else if (st == CONSTAT_EVERIFY)
        printf("vault %s: %lu check(s) FAILED\n", cli_text(dir), f->count);
}

static int verify_vault(const char *dir, int json)
{
    constat_vault *v;
    constat_error err;
    constat_status st;
    struct failures f = {0, json, json ? json_array() : NULL, json_array()};
    int rc;

    if ((rc = cli_open_vault_public(dir, &v)) != 0) {
        json_decref(f.list);
        json_decref(f.lines);
        return rc;
    }
    constat_error_clear(&err);
    st = constat_vault_verify(v, on_failure, &f, &err);
    if (st == CONSTAT_OK || st == CONSTAT_EVERIFY) { /* revoked keys (keylife.h) */
        size_t nrev = 0;
        constat_error rerr;
        constat_error_clear(&rerr);
        if (constat_vault_verify_revocations(v, on_failure, &f, &nrev, &rerr) != CONSTAT_OK) {
            on_failure(&f, -1, rerr.msg);
            st = CONSTAT_EVERIFY;
        } else if (nrev > 0) {
            st = CONSTAT_EVERIFY;
        }
    }
    if (st == CONSTAT_OK || st == CONSTAT_EVERIFY)
        st = vault_check_store(v, &f, st);
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:I, s:b, s:o}", "kind", "vault", "origin",
                              constat_vault_origin(v), "tree_size",
                              (json_int_t)constat_vault_size(v), "ok", st == CONSTAT_OK,
                              "failures", f.list);
        char *s = json_dumps(o, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    } else {
        vault_print_text(v, dir, &f, st);
    }
    json_decref(f.lines);
    constat_vault_close(v);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY)
        return cli_report_error(dir, st, &err);
    return cli_finish_stdout(st == CONSTAT_OK ? 0 : 1);
}

static const char *provenance(constat_key_provenance p, int differs)
{
    if (p == CONSTAT_KEY_PINNED)
        return differs ? "pinned by --trust: the dossier's copy DIFFERS (verified with the "
                         "pinned key)"
                       : "pinned by --trust and matched";
    return "taken from the dossier itself (not pinned: this shows the dossier is "
           "consistent, not who made it)";
}

static const char *provenance_json(constat_key_provenance p, int differs)
{
    return p == CONSTAT_KEY_PINNED ? (differs ? "pinned_differs" : "pinned") : "from_dossier";
}

/* Plausibility flags of evidence (docs/evidence.md): warnings, never failures. */
static void print_evidence_flag(void *ctx, const char *evidence_id, const char *incident_id,
                                const char *what)
{
    (void)ctx;
    printf("  WARNING (flag, not a failure): evidence %s for incident %s: %s\n",
           cli_text(evidence_id), cli_text(incident_id), cli_text(what));
}

/* Trusted time (docs/time.md): one line per record, or a JSON array. */
struct proven_out {
    int json;
    json_t *list;  /* --json: the proven times */
    json_t *skew;  /* --json: clock skew warnings, or NULL */
    json_t *persons; /* --json: corrections that keep no pseudonyms, or NULL */
    json_t *lines; /* text: the lines, printed after the header */
};

static void print_proven(void *ctx, uint64_t index, const char *record_id, int64_t t,
                         const char *tsa)
{
    struct proven_out *p = ctx;
    char when[32];
    if (t >= 0)
        constat_rfc3339_format(t, 0, when);
    if (p->json) {
        json_array_append_new(p->list,
                              t >= 0 ? json_pack("{s:I, s:s, s:s, s:s}", "index",
                                                 (json_int_t)index, "record", record_id,
                                                 "proven_time", when, "tsa", tsa ? tsa : "")
                                     : json_pack("{s:I, s:s, s:n}", "index", (json_int_t)index,
                                                 "record", record_id, "proven_time"));
        return;
    }
    /* records without a token are counted in the timestamps summary line,
     * not listed one by one */
    if (t >= 0) {
        char line[1200];
        snprintf(line, sizeof line, "  proven time: leaf %llu (record %s) existed by %s (RFC "
                 "3161, TSA %s)", (unsigned long long)index, cli_text(record_id), when,
                 tsa ? cli_text(tsa) : "?");
        if (json_array_append_new(p->lines, json_string(line)) != 0)
            printf("%s\n", line);
    }
}

/* RFC 3161 tokens whose TSA certificate has expired since they were made
 * (docs/time.md): collected, printed under the timestamps line. */
static void collect_expired(void *ctx, const char *file, const char *tsa,
                            const constat_tsa_info *info)
{
    json_t *list = ctx;
    if (!info->cert_expired)
        return;
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "file", file,
                                          "tsa", tsa, "signer", info->tsa, "gen_time",
                                          info->gen_time_text, "not_before",
                                          info->cert_not_before_text, "not_after",
                                          info->cert_not_after_text));
}

static void print_expired(const json_t *list, const char *now_text)
{
    size_t i;
    json_t *e;
#define F(k) json_string_value(json_object_get(e, k))
    json_array_foreach(list, i, e) {
        printf("    %s (TSA %s): the TSA certificate %s EXPIRED on %s (valid from %s to %s; "
               "this verification: %s). The token was made at %s, inside that validity, so "
               "it stands; revocation is not checked (offline).\n",
               cli_text(F("file")), cli_text(F("tsa")), cli_text(F("signer")),
               cli_text(F("not_after")), cli_text(F("not_before")), cli_text(F("not_after")),
               now_text, cli_text(F("gen_time")));
    }
#undef F
}

/* Clock skew (docs/time.md "Clock tolerance"): warnings, never failures. */
static void print_clock_skew(void *ctx, uint64_t index, const char *record_id,
                             int64_t recorded_at, int64_t proven)
{
    struct proven_out *p = ctx;
    char ra[32], pt[32], line[1200];
    constat_rfc3339_format(recorded_at, 0, ra);
    constat_rfc3339_format(proven, 0, pt);
    if (p->json) {
        if (!p->skew)
            p->skew = json_array();
        json_array_append_new(p->skew, json_pack("{s:I, s:s, s:s, s:s}", "index",
                                                 (json_int_t)index, "record", record_id,
                                                 "recorded_at", ra, "proven_time", pt));
        return;
    }
    snprintf(line, sizeof line, "  WARNING (clock skew, not a failure): leaf %llu (record "
             "%s): recorded_at %s is after its proven time %s by more than %d s: the "
             "monitor's clock ran ahead", (unsigned long long)index, cli_text(record_id), ra, pt,
             CONSTAT_CLOCK_TOLERANCE_S);
    if (json_array_append_new(p->lines, json_string(line)) != 0)
        printf("%s\n", line); /* out of memory: at least the warning is shown */
}

/* A counted correction that keeps no pseudonyms of the record it corrects
 * (docs/record.md "Person commitments and pseudonym bindings"): a warning,
 * never a failure. */
static void print_persons_note(void *ctx, uint64_t index, const char *msg)
{
    struct proven_out *p = ctx;
    char line[1400];
    if (p->json) {
        if (!p->persons)
            p->persons = json_array();
        json_array_append_new(p->persons, json_pack("{s:I, s:s}", "index", (json_int_t)index,
                                                    "message", msg));
        return;
    }
    (void)index; /* the message names the correction's leaf */
    snprintf(line, sizeof line, "  WARNING (persons not counted, not a failure): %s",
             cli_text(msg));
    if (json_array_append_new(p->lines, json_string(line)) != 0)
        printf("%s\n", line);
}

/* Witness cosignatures (docs/witness.md): collected, printed with the
 * checkpoint they vouch for. */
static void collect_witness(void *ctx, const char *name, int state, uint64_t ts,
                            const char *msg)
{
    json_t *list = ctx, *o;
    char when[32];
    if (state == CONSTAT_COSIG_VALID) {
        constat_rfc3339_format(ts > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)ts, 0, when);
        o = json_pack("{s:s, s:s, s:s, s:I}", "name", name, "state", "valid", "time", when,
                      "timestamp", (json_int_t)(ts > (uint64_t)INT64_MAX ? INT64_MAX : ts));
    } else {
        o = json_pack("{s:s, s:s, s:s}", "name", name, "state",
                      state == CONSTAT_COSIG_INVALID ? "invalid" : "absent", "message",
                      msg ? msg : "");
    }
    json_array_append_new(list, o);
}

static void print_witnesses(const json_t *list, const constat_verify_summary *sum,
                            const char *policy)
{
    size_t i;
    json_t *w;
    if (!policy) {
        printf("  witnesses: not checked (--witness-policy FILE requires cosignatures)\n");
        return;
    }
    printf("  witnesses: %llu of %llu listed in %s cosigned this checkpoint; %llu required "
           "— %s\n",
           (unsigned long long)sum->witnesses_valid, (unsigned long long)sum->witnesses_listed,
           cli_text(policy), (unsigned long long)sum->witness_quorum,
           sum->witnesses_valid >= sum->witness_quorum ? "quorum met" : "QUORUM NOT MET");
    json_array_foreach(list, i, w) {
        const char *st = json_string_value(json_object_get(w, "state"));
        const char *name = json_string_value(json_object_get(w, "name"));
        const char *m = json_string_value(json_object_get(w, "message"));
        if (st && strcmp(st, "valid") == 0)
            printf("    %s: cosigned at %s\n", cli_text(name),
                   cli_text(json_string_value(json_object_get(w, "time"))));
        else if (st && strcmp(st, "invalid") == 0)
            printf("    %s: cosignature INVALID: %s\n", cli_text(name), cli_text(m));
        else
            printf("    %s: no cosignature%s%s\n", cli_text(name), m && *m ? ": " : "",
                   cli_text(m));
    }
}

/* One run of `constat verify DIR` on a dossier: the options, what the
 * library reported, and the lists the callbacks collected. */
struct dossier_run {
    const char *dir, *trust, *tsa_ca, *wpolicy;
    int json;
    json_t *wlist, *expired; /* witness cosignatures, expired TSA certificates */
    struct proven_out po;
    struct failures f;
    constat_verify_summary sum;
    constat_error err;
    constat_status st;
    char root[64], now_text[32];
};

/* Run the library's verification with the callbacks that collect into r. */
static void dossier_run_verify(struct dossier_run *r)
{
    constat_verify_opts opts = {r->trust};
    constat_verify_time_opts topts;

    memset(&topts, 0, sizeof topts);
    topts.tsa_ca_file = r->tsa_ca;
    topts.proven = print_proven;
    topts.proven_ctx = &r->po;
    topts.clock_skew = print_clock_skew;
    topts.clock_skew_ctx = &r->po;
    topts.persons_note = print_persons_note;
    topts.persons_note_ctx = &r->po;
    topts.witness_policy_file = r->wpolicy;
    topts.witnessed = collect_witness;
    topts.witnessed_ctx = r->wlist;
    topts.now = cli_now();
    topts.tsa_token = collect_expired;
    topts.tsa_token_ctx = r->expired;
    constat_rfc3339_format(topts.now, 0, r->now_text);
    constat_error_clear(&r->err);
    r->st = constat_verify_dossier_timed(r->dir, &opts, &topts, on_failure, &r->f, &r->sum,
                                         &r->err);
    constat_base64(r->sum.root, 32, r->root);
}

/* The JSON verdict's pinning flags and warnings, set on o. */
static void dossier_json_pins(const struct dossier_run *r, json_t *o)
{
    const constat_verify_summary *sum = &r->sum;

    json_object_set_new(o, "manifest_signed", json_boolean(sum->manifest_signed));
    if (sum->org_name[0])
        json_object_set_new(o, "org_name", json_string(sum->org_name));
    json_object_set_new(o, "refused", json_boolean(sum->refused));
    json_object_set_new(o, "org_key_pinned", json_boolean(sum->org_key == CONSTAT_KEY_PINNED));
    json_object_set_new(o, "log_key_pinned", json_boolean(sum->log_key == CONSTAT_KEY_PINNED));
    if (sum->log_rotations[0])
        json_object_set_new(o, "log_key_rotations", json_string(sum->log_rotations));
    json_object_set_new(o, "tsa_ca_pinned", json_boolean(r->tsa_ca != NULL));
    if (sum->tsa_tokens > 0 && !r->tsa_ca)
        json_object_set_new(o, "tsa_warning",
                            json_string("TSA CA NOT pinned (no --tsa-ca): the tokens "
                                        "were checked against the dossier's own CA "
                                        "bundle"));
    if (sum->org_key != CONSTAT_KEY_PINNED)
        json_object_set_new(
            o, "warning",
            json_string(r->trust ? "organisation key NOT pinned: the trust file has no "
                                   "org line; the signatures on the enrolments and the "
                                   "manifest were checked with the dossier's own copy"
                                 : "no key pinned (no --trust): the dossier is consistent "
                                   "with itself, not tied to the organisation"));
}

/* --json: the whole verdict as one JSON object on stdout. */
static void dossier_print_json(struct dossier_run *r)
{
    const constat_verify_summary *sum = &r->sum;
    json_t *o = json_pack(
        "{s:s, s:b, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:o}", "kind",
        "dossier", "ok", r->st == CONSTAT_OK, "origin", sum->origin, "tree_size",
        (json_int_t)sum->tree_size, "root", r->root, "records", (json_int_t)sum->records,
        "incidents", (json_int_t)sum->incidents, "monitors", (json_int_t)sum->monitors,
        "checks_passed", (json_int_t)sum->checks_passed, "checks_failed",
        (json_int_t)sum->checks_failed, "log_key",
        provenance_json(sum->log_key, sum->log_key_differs), "org_key",
        provenance_json(sum->org_key, sum->org_key_differs), "failures", r->f.list);

    if (o) {
        dossier_json_pins(r, o);
        json_object_set_new(o, "verification_time", json_string(r->now_text));
        json_object_set(o, "tsa_certificates_expired", r->expired);
        json_object_set_new(o, "proven_times", r->po.list);
        json_object_set_new(o, "clock_skew", r->po.skew ? r->po.skew : json_array());
        json_object_set_new(o, "persons_not_counted",
                            r->po.persons ? r->po.persons : json_array());
        json_object_set_new(
            o, "witness_policy",
            r->wpolicy ? json_pack("{s:s, s:I, s:I, s:I, s:b, s:O}", "file", r->wpolicy,
                                   "listed", (json_int_t)sum->witnesses_listed, "quorum",
                                   (json_int_t)sum->witness_quorum, "valid",
                                   (json_int_t)sum->witnesses_valid, "met",
                                   sum->witness_policy &&
                                       sum->witnesses_valid >= sum->witness_quorum,
                                   "witnesses", r->wlist)
                       : json_null());
    } else {
        json_decref(r->po.list);
        json_decref(r->po.skew);
        json_decref(r->po.persons);
    }
    char *s = json_dumps(o, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
    json_decref(o);
}

/* The text report's evidence and timestamps lines. */
static void dossier_print_evidence_time(const struct dossier_run *r)
{
    const constat_verify_summary *sum = &r->sum;

    if (sum->evidence) {
        constat_error fe;
        printf("  evidence: %llu evidence/custody records, %llu evidence files re-hashed "
               "(absent files: only their hashes travel)\n",
               (unsigned long long)sum->evidence, (unsigned long long)sum->evidence_files);
        constat_error_clear(&fe);
        if (constat_evidence_dossier_flags(r->dir, print_evidence_flag, NULL, &fe) !=
            CONSTAT_OK)
            printf("  evidence flags not computed: %s\n", cli_text(fe.msg));
    }
    if (sum->tsa_tokens) {
        printf("  timestamps: %llu RFC 3161 token(s), %llu valid%s; %llu of %llu records "
               "have a proven time\n",
               (unsigned long long)sum->tsa_tokens, (unsigned long long)sum->tsa_tokens_ok,
               r->tsa_ca ? " against the CA pinned by --tsa-ca"
                         : " against the CA bundles in the dossier (not pinned)",
               (unsigned long long)sum->records_proven, (unsigned long long)sum->records);
        if (json_array_size(r->expired))
            printf("  timestamps whose TSA certificate has expired since: %zu (valid "
                   "tokens all the same: each is judged at its genTime)\n",
                   json_array_size(r->expired));
        print_expired(r->expired, r->now_text);
    } else {
        printf("  timestamps: none (no record has a proven time)\n");
    }
}

/* The text report's closing lines: VERIFIED with what it rests on, or NOT
 * VERIFIED with the failure count. */
static void dossier_print_verdict(const struct dossier_run *r)
{
    const constat_verify_summary *sum = &r->sum;

    if (r->st == CONSTAT_OK) {
        /* the verdict line itself says which key the result rests on */
        const char *pin = !r->trust ? " (no key pinned: without --trust the dossier is shown "
                                      "consistent with itself, not tied to the organisation)"
                          : sum->org_key != CONSTAT_KEY_PINNED
                              ? " (organisation key NOT pinned: the trust file has no org "
                                "line; the enrolments and the manifest signature were "
                                "checked with the dossier's own copy of that key)"
                          : sum->log_key != CONSTAT_KEY_PINNED
                              ? " (log key NOT pinned: the trust file has no log line; the "
                                "checkpoint was checked with the dossier's own copy)"
                              : "";
        printf("VERIFIED%s: every record is signed by an enrolled monitor, included in the "
               "signed checkpoint, and every figure recounts from its records; the "
               "selection (filter, record count), the files and the figures are as the "
               "organisation signed them (manifest.sig).\n"
               "This does not prove that the events happened as described, nor that the "
               "organisation's selection is complete: see VERIFY.md.\n", pin);
    }
    if (r->st == CONSTAT_OK && sum->tsa_tokens > 0 && !r->tsa_ca)
        printf("Proven times: the time-stamping authority's CA was NOT pinned (no "
               "--tsa-ca): the tokens were checked against the CA bundle shipped in the "
               "dossier, so the proven times are only as good as that bundle.\n");
    if (r->st == CONSTAT_OK && r->wpolicy)
        printf("The checkpoint is cosigned by %llu of the witnesses %s names (%llu "
               "required): they saw this exact tree.\n",
               (unsigned long long)sum->witnesses_valid, cli_text(r->wpolicy),
               (unsigned long long)sum->witness_quorum);
    else if (r->st != CONSTAT_OK)
        printf("NOT VERIFIED: %lu failure(s) above.\n", r->f.count);
}

/* Who holds each monitor's key, from the dossier's enrolment leaves (the
 * enrolments are signed by the organisation, so this is its statement):
 * printed after a verification, read with the same strict leaf parser. */
static void dossier_print_custody(const char *dir)
{
    char path[4096];
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f;
    snprintf(path, sizeof path, "%s/records.jsonl", dir);
    if (!(f = fopen(path, "r")))
        return;
    while ((n = getline(&line, &cap, f)) > 0) {
        constat_leaf l;
        const char *kind, *custody;
        if (line[n - 1] == '\n')
            n--;
        /* a leaf is canonical JSON (letters never escaped, no NUL): one without the
         * word is no enrolment, and is not parsed again (the verifier did) */
        if (!strstr(line, "monitor_enrolment"))
            continue;
        if (constat_leaf_parse((const uint8_t *)line, (size_t)n, &l, NULL) != CONSTAT_OK)
            continue;
        kind = json_string_value(json_object_get(l.record, "kind"));
        custody = json_string_value(json_object_get(l.record, "key_custody"));
        if (kind && strcmp(kind, "monitor_enrolment") == 0)
            printf("  monitor %s: %s\n",
                   cli_text(json_string_value(json_object_get(l.record, "monitor"))),
                   custody && strcmp(custody, "device") == 0
                       ? "key held by the monitor's device (the organisation never had it)"
                       : "key held by the organisation (in its vault): its records say the "
                         "organisation vouches for them");
        constat_leaf_free(&l);
    }
    free(line);
    fclose(f);
}

/* The text report: checkpoint, witnesses, keys, manifest, records,
 * evidence, timestamps, check counts and the verdict. */
static void dossier_print_text(struct dossier_run *r)
{
    const constat_verify_summary *sum = &r->sum;

    /* the header — what is verified: origin, size, keys — then the
     * per-record lines, then the summary */
    printf("dossier %s\n", cli_text(r->dir));
    printf("  checkpoint: %s, size %llu, root %s — signature %s\n", cli_text(sum->origin),
           (unsigned long long)sum->tree_size, r->root,
           sum->checkpoint_ok ? "valid" : "INVALID");
    if (sum->org_name[0])
        printf("  organisation:     %s\n", cli_text(sum->org_name));
    printf("  log key:          %s\n                    %s\n", cli_text(sum->log_vkey),
           provenance(sum->log_key, sum->log_key_differs));
    printf("  organisation key: %s\n                    %s\n", cli_text(sum->org_vkey),
           provenance(sum->org_key, sum->org_key_differs));
    /* the chains from those keys (docs/dossier.md) */
    for (int k = 0; k < 2; k++) {
        const char *rot = k ? sum->org_rotations : sum->log_rotations;
        char *t = rot[0] ? strdup(rot) : NULL, *line, *save = NULL;
        for (line = t ? strtok_r(t, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
            printf("  %s\n", cli_text(line));
        free(t);
    }
    print_lines(r->f.lines);
    print_lines(r->po.lines);
    print_witnesses(r->wlist, sum, r->wpolicy);
    printf("  manifest: %s\n",
           sum->manifest_signed ? "signed by the organisation key (manifest.sig valid): "
                                  "selection, file list and hashes are the organisation's"
                                : "NOT signed by the organisation key (see the failures)");
    printf("  records: %llu (%llu incident%s, %llu monitor enrolment%s); figure leaf "
           "references checked: %llu\n",
           (unsigned long long)sum->records, (unsigned long long)sum->incidents,
           sum->incidents == 1 ? "" : "s", (unsigned long long)sum->monitors,
           sum->monitors == 1 ? "" : "s", (unsigned long long)sum->figures_leaves);
    dossier_print_evidence_time(r);
    dossier_print_custody(r->dir);
    printf("  checks: %llu passed, %llu failed\n", (unsigned long long)sum->checks_passed,
           (unsigned long long)sum->checks_failed);
    dossier_print_verdict(r);
}

static int verify_dossier(const char *dir, const char *trust, const char *tsa_ca,
                          const char *wpolicy, int json)
{
    struct dossier_run r;

    memset(&r, 0, sizeof r);
    r.dir = dir;
    r.trust = trust;
    r.tsa_ca = tsa_ca;
    r.wpolicy = wpolicy;
    r.json = json;
    r.wlist = json_array();
    r.expired = json_array();
    r.po.json = json;
    r.po.list = json ? json_array() : NULL;
    r.f.json = json;
    r.f.list = json ? json_array() : NULL;
    r.f.lines = json_array();
    r.po.lines = json_array();
    dossier_run_verify(&r);
    if (json)
        dossier_print_json(&r);
    else if (r.st == CONSTAT_EVERIFY && r.sum.refused) {
        printf("dossier %s: REFUSED: it holds entries that are not regular files (named "
               "below); nothing else was read.\n", cli_text(dir));
        print_lines(r.f.lines);
        printf("NOT VERIFIED: %lu failure(s) above.\n", r.f.count);
    } else if (r.st == CONSTAT_OK || r.st == CONSTAT_EVERIFY) {
        dossier_print_text(&r);
    }
    /* an error that stopped the verification: the failures found before it */
    print_lines(r.f.lines);
    json_decref(r.f.lines);
    json_decref(r.po.lines);
    json_decref(r.wlist);
    json_decref(r.expired);
    if (r.st != CONSTAT_OK && r.st != CONSTAT_EVERIFY) {
        if (json)
            fprintf(stderr, "constat: %s: %s\n", cli_text(dir), cli_text(r.err.msg));
        return cli_report_error(dir, r.st, &r.err);
    }
    return cli_finish_stdout(r.st == CONSTAT_OK ? 0 : 1);
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"trust", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"tiles", required_argument, NULL, 'T'},
        {"log-key", required_argument, NULL, 'k'},
        {"since-checkpoint", required_argument, NULL, 's'},
        {"tsa-ca", required_argument, NULL, 'A'},
        {"witness-policy", required_argument, NULL, 'W'},
        {"disclosure", required_argument, NULL, 'D'},
        {"key", required_argument, NULL, 'K'},
        {NULL, 0, NULL, 0}};
    const char *disclosure = NULL, *dkey = NULL;
    const char *tsa_ca = NULL, *wpolicy = NULL;
    const char *trust = NULL, *dir, *tiles = NULL, *log_key = NULL, *since = NULL;
    int json = 0, c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': trust = optarg; break;
        case 'j': json = 1; break;
        case 'T': tiles = optarg; break;
        case 'k': log_key = optarg; break;
        case 's': since = optarg; break;
        case 'A': tsa_ca = optarg; break;
        case 'W': wpolicy = optarg; break;
        case 'D': disclosure = optarg; break;
        case 'K': dkey = optarg; break;
        default: return cli_usage("verify");
        }
    }
    if ((dkey && !disclosure) || (disclosure && (json || tiles)))
        return cli_usage("verify");
    if (tiles) /* a C2SP tlog-tiles publication: cmd_tiles.c */
        return optind == argc ? cli_tiles_audit(tiles, trust, log_key, since, json)
                              : cli_usage("verify");
    if (log_key || since)
        return cli_usage("verify");
    if (optind + 1 != argc)
        return cli_usage("verify");
    dir = argv[optind];
    {
        struct stat sb;
        if (stat(dir, &sb) != 0) {
            fprintf(stderr, "constat: %s: %s (give a dossier folder or a vault folder)\n",
                    cli_text(dir), strerror(errno));
            return 2;
        }
        if (!S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "constat: %s: not a folder: give a dossier folder or a vault "
                            "folder\n", cli_text(dir));
            return 2;
        }
    }
    if (exists(dir, "vault.db") || exists(dir, "store.url")) { /* SQLite or PostgreSQL */
        if (trust)
            fprintf(stderr, "constat: note: --trust applies to dossiers; a vault is checked "
                            "against its own keys\n");
        if (wpolicy)
            fprintf(stderr, "constat: note: --witness-policy applies to dossiers; `constat "
                            "publish cosigned` shows a vault's cosignatures\n");
        return verify_vault(dir, json);
    }
    if (exists(dir, "records.jsonl") || exists(dir, "manifest.json") ||
        exists(dir, "checkpoint")) {
        int rc = verify_dossier(dir, trust, tsa_ca, wpolicy, json);
        if (disclosure && (rc == 0 || rc == 1)) { /* cmd_disclose.c */
            int drc = cli_verify_disclosure(dir, disclosure, dkey);
            rc = rc > drc ? rc : drc;
        }
        return rc;
    }
    if (exists(dir, "meta.json") && exists(dir, "figures.json")) /* verify_public.c */
        return cli_verify_public(dir, trust, json);
    if (exists(dir, "index.html") && exists(dir, "figures.json")) {
        fprintf(stderr, "constat: %s: a full report folder (`constat report`: index.html and "
                        "figures.json, no meta.json): it names no checkpoint and carries no "
                        "leaf, so there is nothing to verify offline; verify the dossier "
                        "(`constat dossier`) or the public report (`constat report --public`) "
                        "of the same records\n", cli_text(dir));
        return 2;
    }
    fprintf(stderr, "constat: %s: neither a vault (no vault.db) nor a dossier (no "
                    "records.jsonl, manifest.json or checkpoint)\n", cli_text(dir));
    return 2;
}
