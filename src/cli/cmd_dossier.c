/* cmd_dossier.c — `constat dossier --out DIR [filters]`: a self-contained
 * folder a sceptic verifies offline (docs/dossier.md). */
#include <getopt.h>
#include <stdio.h>

#ifndef CONSTAT_DATA_DIR
#define CONSTAT_DATA_DIR "data"
#endif

#include "cli.h"
#include "constat/vault/accounts.h"
#include "cli_records.h"
#include "constat/dossier/dossier.h"
#include "constat/analysis/disclosure.h"
#include "constat/base/file.h"

int cmd_dossier(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"category", required_argument, NULL, 'c'},
        {"place", required_argument, NULL, 'p'},
        {"taxonomy", required_argument, NULL, 'x'},
        {"with-evidence", no_argument, NULL, 'e'},
        {"country", required_argument, NULL, 'C'},
        {"commune", required_argument, NULL, 'm'},
        {"first-hand", no_argument, NULL, 'F'},
        {"public", no_argument, NULL, 'P'},
        {"k", required_argument, NULL, 'k'},
        {NULL, 0, NULL, 0}};
    int public_k = 0; /* --public: a public dossier with this k */
    const char *kopt = NULL;
    unsigned flags = 0;
    const char *dir = NULL, *out = NULL, *taxo = NULL, *code = NULL;
    constat_countries *gz = NULL;
    constat_dossier_filter f = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0};
    constat_dossier_summary sum;
    constat_vault *v;
    constat_taxonomy *tax = NULL;
    constat_error err;
    constat_status st;
    char root[64];
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'o': out = optarg; break;
        case 'f': f.from = optarg; break;
        case 't': f.to = optarg; break;
        case 'c': f.category = optarg; break;
        case 'p': f.place = optarg; break;
        case 'x': taxo = optarg; break;
        case 'e': flags |= CONSTAT_DOSSIER_WITH_EVIDENCE; break;
        case 'C': code = optarg; break;
        case 'm': f.commune = optarg; break;
        case 'F': f.source_type = "direct_observation"; break;
        case 'P': public_k = CONSTAT_DISCLOSURE_K_DEFAULT; break;
        case 'k': kopt = optarg; break;
        default: return cli_usage("dossier");
        }
    }
    if (!out || optind != argc)
        return cli_usage("dossier");
    if (kopt && (rc = cli_public_k(kopt, &public_k)) != 0) /* --k implies --public */
        return rc;
    if (public_k && (flags & CONSTAT_DOSSIER_WITH_EVIDENCE)) {
        /* before the vault is opened: nothing written (docs/dossier.md) */
        fprintf(stderr, "constat: dossier: --public with --with-evidence: a public dossier is "
                        "published, and the evidence files would publish what they hold (the "
                        "EXIF GPS position of a photo, faces); write the public dossier without "
                        "--with-evidence (the hashes travel); nothing written\n");
        return 2;
    }
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        return rc;
    constat_error_clear(&err);
    /* --country FR selects place.country "France", as `report` does; the
     * manifest's filter records the name, which the verifier checks */
    if ((code && (st = cli_country_name(code, &gz, &f.country, &err)) != CONSTAT_OK) ||
        (st = constat_dossier_filter_check(&f, tax, &err)) != CONSTAT_OK) {
        constat_countries_free(gz);
        constat_taxonomy_free(tax);
        return cli_filter_error(st, &err);
    }
    if ((rc = cli_open_vault(cli_vault_dir(dir), &v)) != 0) {
        constat_countries_free(gz);
        constat_taxonomy_free(tax);
        return rc;
    }
    {
        /* the validation table: the bundled published figures, when there */
        constat_dossier_extra ex = {public_k, NULL, 0};
        constat_buf csv;
        FILE *pf = fopen(CONSTAT_DATA_DIR "/demo/published_figures.csv", "rb");
        constat_buf_init(&csv);
        if (pf && constat_file_read(pf, 4u * 1024 * 1024, &csv, &err) == CONSTAT_OK) {
            ex.published = csv.data;
            ex.published_len = csv.len;
        }
        if (pf)
            fclose(pf);
        constat_error_clear(&err);
        st = constat_dossier_write_ex(v, out, &f, tax, cli_taxonomy_path(taxo), flags, &ex,
                                      &sum, &err);
        constat_buf_free(&csv);
    }
    /* an export is an action of the audit table (docs/api.md "Audit"). The
     * dossier is written by then: a vault that cannot record it (a read-only
     * copy, docs/vault.md "Read-only vaults") gets a warning, not a failure. */
    if (st == CONSTAT_OK) {
        constat_error aerr = {0};
        if (constat_audit_add(v, cli_now(), "", "", "export", out, &aerr) != CONSTAT_OK)
            fprintf(stderr, "constat: warning: the export is not in the audit table: %s\n",
                    cli_text(aerr.msg));
    }
    constat_vault_close(v);
    constat_countries_free(gz);
    constat_taxonomy_free(tax);
    if (st != CONSTAT_OK)
        return cli_report_error(out, st, &err);
    constat_base64(sum.root, 32, root);
    printf("dossier %s: %llu record%s (%llu incident%s, %llu monitor enrolment%s), "
           "proofs to checkpoint of size %llu, root %s\n"
           "verify it with: constat verify %s --trust KEYS_FILE\n",
           cli_text(out), (unsigned long long)sum.records, sum.records == 1 ? "" : "s",
           (unsigned long long)sum.incidents, sum.incidents == 1 ? "" : "s",
           (unsigned long long)sum.monitors, sum.monitors == 1 ? "" : "s",
           (unsigned long long)sum.tree_size, root, cli_text(out));
    if (public_k)
        printf("  public dossier: public/ holds the public report (k = %d), recounted from "
               "these leaves by constat verify\n", public_k);
    if (sum.cosignatures)
        printf("  checkpoint cosigned by %llu witness(es): see VERIFY.md (--witness-policy)\n",
               (unsigned long long)sum.cosignatures);
    else if (sum.witnesses)
        printf("  checkpoint NOT YET COSIGNED by the %llu configured witness(es): run "
               "`constat publish`, then write the dossier again\n",
               (unsigned long long)sum.witnesses);
    else
        printf("  checkpoint not cosigned (no witness configured: docs/witness.md)\n");
    if (sum.evidence)
        printf("  with %llu evidence/custody records and %llu evidence files%s\n",
               (unsigned long long)sum.evidence, (unsigned long long)sum.evidence_files,
               flags & CONSTAT_DOSSIER_WITH_EVIDENCE ? "" : " (hashes only: --with-evidence "
                                                           "copies the files)");
    if (sum.other)
        printf("  with %llu register, erasure and key records (revocations, rotations, key "
               "transitions) the selected records depend on\n", (unsigned long long)sum.other);
    if (sum.amendments)
        printf("  with %llu correction/retraction records (figures use the latest version, "
               "retracted records left out)\n", (unsigned long long)sum.amendments);
    return cli_finish_stdout(0);
}
