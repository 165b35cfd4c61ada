/*
 * dossier.h — writing a dossier: a self-contained folder that lets a sceptic
 * verify a selection of incident records offline, with one command
 * (`constat verify DIR`, see verify.h) or by hand. The layout and every
 * check are in docs/dossier.md:
 *
 *   records.jsonl   leaf bytes exactly as logged, one per line, index order:
 *                   the selected incidents and the enrolments of their monitors
 *   proofs.jsonl    line i: {"index","leaf_hash","proof"} for records line i
 *                   (RFC 9162 2.1.3 inclusion proof to the checkpoint)
 *   checkpoint      the signed C2SP checkpoint note the proofs lead to, with
 *                   the witnesses' cosignature lines when they cosigned it
 *   keys/log.vkey   C2SP verifier key of the log key
 *   keys/org.vkey   C2SP verifier key of the organisation key
 *   taxonomy.json   the taxonomy the records and figures use
 *   figures.json    figures recomputed from the selected incidents
 *   report/         the human report over the same incidents
 *   VERIFY.md       what is proven, what is not, how to check
 *   manifest.json   JCS: {"v":1,"origin","org","tree_size","filter",
 *                   "records","files":{path: sha256 hex}} listing every
 *                   other file of the folder
 *   manifest.sig    JCS {"key_id","signature"}: the organisation key's
 *                   Ed25519 signature over "constat-manifest-v1\n" ||
 *                   manifest.json (docs/dossier.md "Manifest signature")
 */
#ifndef CONSTAT_DOSSIER_H
#define CONSTAT_DOSSIER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"
#include "constat/dossier/format.h"

/* What constat_dossier_write wrote. */
typedef struct {
    uint64_t records;       /* lines of records.jsonl */
    uint64_t incidents;     /* of which incidents */
    uint64_t monitors;      /* of which monitor enrolments */
    uint64_t tree_size;     /* checkpoint size the proofs lead to */
    uint8_t root[32];       /* checkpoint root */
    uint64_t evidence;       /* evidence and custody records (docs/evidence.md) */
    uint64_t other;          /* other records that travel with them: register
                                entries, erasures, revocations, rotations and key
                                transitions (docs/record.md), not counted above */
    uint64_t evidence_files; /* evidence files copied (CONSTAT_DOSSIER_WITH_EVIDENCE) */
    uint64_t cosignatures;   /* witness cosignatures the checkpoint carries (0: not
                                cosigned, e.g. not published since the tree grew) */
    uint64_t witnesses;      /* witnesses the vault publishes to (publish.h) */
    uint64_t amendments;     /* corrections and retractions of the selected records
                                (docs/record.md), not counted in `evidence` */
} constat_dossier_summary;

/* Write a dossier of the incidents of vault `v` matching `f` (NULL: all)
 * into `outdir`, which must not exist or be an empty directory. Signs a new
 * checkpoint if the tree grew since the latest one; otherwise the latest
 * one travels with the cosignatures witnesses returned for it
 * (constat_witness_dossier_note, witness_policy.h). `tax` is the taxonomy
 * loaded from `taxonomy_path` (copied byte for byte into taxonomy.json).
 * Everything is written into a temporary sibling directory, verified with
 * constat_verify_dossier, then renamed onto `outdir`: on any error nothing
 * is left behind. `out` (may be NULL) receives the summary.
 * Errors: CONSTAT_EINVAL (bad filter or arguments), CONSTAT_ENOTFOUND (no
 * incident matches `f`: the message restates the filter; nothing written,
 * though a checkpoint may have been signed), CONSTAT_ECONFLICT
 * (outdir exists and is not an empty directory), CONSTAT_EIO (naming the
 * file), CONSTAT_EVERIFY (the vault's data does not verify: the message names
 * the leaf and check), CONSTAT_ENOMEM, and errors of the vault and report
 * modules. */
constat_status constat_dossier_write(constat_vault *v, const char *outdir,
                                     const constat_dossier_filter *f,
                                     const constat_taxonomy *tax,
                                     const char *taxonomy_path,
                                     constat_dossier_summary *out,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* constat_dossier_write with options. Evidence and custody records of the
 * selected incidents always travel in records.jsonl (with their signers'
 * enrolments); with CONSTAT_DOSSIER_WITH_EVIDENCE the evidence files too,
 * copied from the vault's store to evidence/sha256/ab/cd/<hash> and listed
 * in the manifest (docs/evidence.md). Without it only their hashes travel.
 * Errors: those of constat_dossier_write, and CONSTAT_ENOTFOUND /
 * CONSTAT_EVERIFY for an evidence file missing from, or changed in, the
 * vault's store. */
#define CONSTAT_DOSSIER_WITH_EVIDENCE 1u
constat_status constat_dossier_write_opt(constat_vault *v, const char *outdir,
                                         const constat_dossier_filter *f,
                                         const constat_taxonomy *tax,
                                         const char *taxonomy_path, unsigned flags,
                                         constat_dossier_summary *out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* What constat_dossier_write_ex adds to constat_dossier_write_opt. */
typedef struct {
    /* 0, or a public dossier with this k (2..1000) (below) */
    int public_k;
    /* NULL, or `published_len` bytes of a published-figures CSV
     * (data/demo/published_figures.csv, constat_validation_html): the
     * report gets the validation table of the selected incidents beside
     * them, and when it has a row the dossier holds the CSV as
     * published_figures.csv, so that the verifier renders the
     * same table again. A CSV that does not parse is an error. */
    const void *published;
    size_t published_len;
} constat_dossier_extra;

/* constat_dossier_write_opt with `extra` (may be NULL: none). With
 * extra->public_k a public dossier (`constat dossier --public`,
 * docs/dossier.md "Public dossier"): the same folder, plus public/ holding
 * the public report (constat_report_write_public) of the same figures under
 * disclosure control with threshold k and the positions of the same
 * records, and its keys/log.vkey; all of it in the signed manifest. Before
 * anything is written a public dossier is refused (CONSTAT_EINVAL, naming
 * the leaf and the site) when a leaf holds an exact position (not on the
 * 0.01 degree grid of coarse positions, docs/record.md "Location
 * precision") within CONSTAT_PUBLIC_SITE_RADIUS_M metres of a living site
 * of the registers it carries. Other errors: those of
 * constat_dossier_write_opt; CONSTAT_EINVAL for k out of range, a
 * public dossier with CONSTAT_DOSSIER_WITH_EVIDENCE (the files would
 * publish their EXIF positions; refused before anything is written) or a
 * published-figures CSV that does not parse (naming its line). */
constat_status constat_dossier_write_ex(constat_vault *v, const char *outdir,
                                        const constat_dossier_filter *f,
                                        const constat_taxonomy *tax,
                                        const char *taxonomy_path, unsigned flags,
                                        const constat_dossier_extra *extra,
                                        constat_dossier_summary *out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

#endif
