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

/* Most lines a dossier's records.jsonl / proofs.jsonl may hold (a verifier
 * keeps every parsed record in memory to recompute the figures). */
#define CONSTAT_DOSSIER_MAX_RECORDS 1000000u
/* One proofs.jsonl line, in bytes (64 base64 hashes fit in 3.2 KiB). */
#define CONSTAT_DOSSIER_PROOF_LINE_MAX 8192u
/* manifest.json and figures.json, each, in bytes. */
#define CONSTAT_DOSSIER_JSON_MAX (64u * 1024u * 1024u)
/* A keys/ verifier key file or one line of a trust file, in bytes. */
#define CONSTAT_DOSSIER_VKEY_MAX 1024u
/* Files listed in a manifest. */
#define CONSTAT_DOSSIER_MAX_FILES 10000u
/* A place filter, in bytes. */
#define CONSTAT_DOSSIER_PLACE_MAX 256u

/* Which incidents a dossier holds. Every member may be NULL (no constraint);
 * all given constraints must hold:
 *   from, to  "YYYY-MM-DD": the local date of occurred.start (the date as
 *             written in the record, in its own UTC offset) lies within
 *             [from, to], both inclusive. A record without occurred.start
 *             never matches a date constraint.
 *   category  a taxonomy id the record's `categories` array contains.
 *   place     found in place.name, place.commune or place.site once both
 *             sides are folded: case, and the accents of Latin-1 Supplement
 *             and Latin Extended-A letters, aside (é -> e, ç -> c, œ -> oe,
 *             ß -> ss); other text must match as written (docs/dossier.md
 *             "Selection"). */
typedef struct {
    const char *from;
    const char *to;
    const char *category;
    const char *place;
} constat_dossier_filter;

/* Check a filter's syntax: dates are real calendar dates in YYYY-MM-DD form,
 * from <= to, place non-empty and at most CONSTAT_DOSSIER_PLACE_MAX bytes,
 * category known to `tax` (tax may be NULL to skip that).
 * Errors: CONSTAT_EINVAL naming the member ("filter.from: ..."). */
constat_status constat_dossier_filter_check(const constat_dossier_filter *f,
                                            const constat_taxonomy *tax,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 if `record` (a record object) is an incident matching `f` (NULL matches
 * every incident), 0 otherwise (including for other kinds). */
int constat_dossier_filter_match(const constat_dossier_filter *f, const json_t *record);

/* What constat_dossier_write wrote. */
typedef struct {
    uint64_t records;       /* lines of records.jsonl */
    uint64_t incidents;     /* of which incidents */
    uint64_t monitors;      /* of which monitor enrolments */
    uint64_t tree_size;     /* checkpoint size the proofs lead to */
    uint8_t root[32];       /* checkpoint root */
    uint64_t evidence;       /* evidence and custody records (docs/evidence.md) */
    uint64_t evidence_files; /* evidence files copied (CONSTAT_DOSSIER_WITH_EVIDENCE) */
    uint64_t cosignatures;   /* witness cosignatures the checkpoint carries (0: not
                                cosigned, e.g. not published since the tree grew) */
    uint64_t witnesses;      /* witnesses the vault publishes to (publish.h) */
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

#endif
