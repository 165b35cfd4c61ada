/*
 * verify.h — offline verification of a dossier (dossier.h, docs/dossier.md).
 *
 * Nothing in a dossier is trusted: every file is read with limits, every
 * signature, hash and proof is recomputed, and every failure is reported
 * through a callback with a message naming the leaf, the record id when
 * known, the check and why, e.g.
 *   leaf 42 (record AYS-NNK-2018-07-11): inclusion proof does not lead to
 *   the checkpoint root (size 170): ...
 * Verification continues after a failure so that one run lists them all.
 * (Verifying a whole vault is constat_vault_verify, in vault.h.)
 */
#ifndef CONSTAT_VERIFY_H
#define CONSTAT_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/base/limits.h"
#include "constat/log/merkle.h"
#include "constat/dossier/format.h"
#include "constat/evidence/tsa.h"     /* constat_tsa_info */
#include "constat/vault/vault.h"
#include "constat/vault/org_name.h" /* CONSTAT_ORG_DISPLAY_MAX */

typedef struct {
    /* NULL, or a file pinning keys the verifier trusts, one per line:
     *   log <vkey>     the log key (C2SP verifier key string)
     *   org <vkey>     the organisation key
     * Blank lines and lines starting with '#' are ignored. A pinned key
     * replaces the dossier's own copy; when a key is not pinned, the one in
     * keys/ is used and the summary says it came from the dossier. */
    const char *trust_file;
} constat_verify_opts;

/* Where a key used for verification came from. */
typedef enum {
    CONSTAT_KEY_FROM_DOSSIER = 0, /* keys/<name>.vkey: proves consistency only */
    CONSTAT_KEY_PINNED = 1        /* the trust file (the dossier's copy may differ: see
                                     constat_verify_summary.*_key_differs) */
} constat_key_provenance;

typedef struct {
    uint64_t records;        /* lines of records.jsonl */
    uint64_t incidents;      /* incident records among them */
    uint64_t monitors;       /* monitor_enrolment records among them */
    uint64_t figures_leaves; /* leaf references in figures.json checked */
    uint64_t checks_passed;
    uint64_t checks_failed;
    constat_key_provenance log_key, org_key;
    char log_vkey[CONSTAT_DOSSIER_VKEY_MAX]; /* the keys used ("" if unreadable) */
    char org_vkey[CONSTAT_DOSSIER_VKEY_MAX];
    /* the organisation's display name from the signed manifest (org_name,
     * docs/dossier.md; "" when it has none or it is not a valid one) */
    char org_name[CONSTAT_ORG_DISPLAY_MAX + 1];
    int checkpoint_ok;       /* 1 if the checkpoint signature verified */
    char origin[CONSTAT_KEY_NAME_MAX + 1];
    uint64_t tree_size;
    uint8_t root[32];
    uint64_t evidence;       /* evidence and custody records among the lines */
    uint64_t evidence_files; /* evidence files present and re-hashed */
    uint64_t tsa_tokens;     /* RFC 3161 tokens found under timestamps/ */
    uint64_t tsa_tokens_ok;  /* of which every check passed */
    uint64_t records_proven; /* records.jsonl lines with a proven time */
    int witness_policy;        /* 1 if a witness policy was checked */
    uint64_t witnesses_listed; /* witnesses the policy lists */
    uint64_t witnesses_valid;  /* of which the checkpoint carries a valid cosignature */
    uint64_t witness_quorum;   /* valid cosignatures the policy requires */
    /* 1 if manifest.sig verified with the organisation key (pinned or not)
     * over "constat-manifest-v1\n" || manifest.json: the selection (filter,
     * record count, origin, tree size), the file list and every file's hash
     * are as the organisation signed them (docs/dossier.md). */
    int manifest_signed;
    /* 1 if the key was pinned by the trust file and the dossier's copy in
     * keys/ is a DIFFERENT key (a failure; the pinned key was used). */
    int log_key_differs, org_key_differs;
    /* 1 if the folder held a symbolic link, FIFO, socket, device or an
     * unlistable folder: each was a failure naming it and nothing else was
     * read or checked (the other members are then zero). */
    int refused;
    /* One line per key transition of the organisation key the dossier
     * carries and verification followed ("organisation key rotated at leaf
     * N: OLD -> NEW, signed by both"), '\n'-separated; "" for none. */
    char org_rotations[1024];
    /* The same for the log key ("log key rotated at leaf N: OLD -> NEW,
     * signed by both; checkpoints of tree size N+1 and more are signed by
     * NEW"), and, when --trust pinned a later key of that chain than the
     * dossier's keys/log.vkey, a line saying so; "" for none. */
    char log_rotations[1024];
} constat_verify_summary;

/* Verify the dossier in directory `dir` (docs/dossier.md, "Checks"): the
 * folder holds regular files and folders only (a link, FIFO, socket or
 * device is a failure naming it and nothing else is read); manifest.sig, the
 * organisation key's signature over manifest.json; every file present listed
 * in the manifest; the manifest's file hashes; the checkpoint's signature by the log key (whose
 * name must be the checkpoint origin); pinned keys; every records.jsonl line
 * a canonical leaf; enrolments signed by the organisation key and carrying
 * the monitor's key; every other leaf signed by the key of a monitor enrolled
 * earlier in the log; every record valid against taxonomy.json; leaf hashes
 * and inclusion proofs to the checkpoint; line counts and ascending indices;
 * figures.json equal to figures recomputed from the incidents, and every leaf
 * it names present in the dossier; the manifest's origin, org, tree size,
 * record count and filter consistent with the rest; every evidence file
 * present under evidence/sha256/ (or listed in the manifest) re-hashed and
 * equal to its evidence record's sha256 and size (docs/evidence.md; the
 * plausibility flags are not failures: see constat_evidence_dossier_flags).
 *
 * Each failed check calls fail(ctx, leaf index or -1, message) (fail may be
 * NULL). `opts` may be NULL. `out` (may be NULL) receives the summary.
 * Returns CONSTAT_OK when every check passed, CONSTAT_EVERIFY when any failed
 * (err gets the count and the first failure).
 * Errors: CONSTAT_EVERIFY; CONSTAT_ENOTFOUND (dir does not exist, or the
 * trust file does not); CONSTAT_EINVAL (trust file malformed, naming the
 * line, or pinning no key); CONSTAT_EIO (dir cannot be opened); CONSTAT_ENOMEM. Missing, truncated or malformed files inside the
 * dossier are check failures (CONSTAT_EVERIFY), never crashes. */
constat_status constat_verify_dossier(const char *dir, const constat_verify_opts *opts,
                                      constat_failure_fn fail, void *ctx,
                                      constat_verify_summary *out,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* Trusted-time options of a dossier verification (tsa.h, docs/time.md),
 * separate from constat_verify_opts so that callers initialising that
 * struct positionally keep compiling. */
typedef struct {
    /* NULL, or a CA bundle (PEM or DER) pinned by the verifier for the
     * RFC 3161 tokens under timestamps/; it replaces every
     * timestamps/<n>.ca.pem of the dossier. */
    const char *tsa_ca_file;
    /* NULL, or called once per records.jsonl line whose leaf index is known,
     * in line order, after the timestamps are checked: `proven` is the
     * earliest genTime (seconds since the epoch) of a valid token over a
     * checkpoint containing the leaf, and `tsa` its TSA name; proven is -1
     * and tsa NULL when no token covers it ("no proven time" is not a
     * failure). `record_id` is printable ("" if unknown). */
    void (*proven)(void *ctx, uint64_t index, const char *record_id, int64_t proven,
                   const char *tsa);
    void *proven_ctx;
    /* NULL, or a witness policy file (witness_policy.h, docs/witness.md):
     * k of n named witnesses must have cosigned the dossier's checkpoint.
     * Each listed witness is a check: its cosignature line must verify when
     * present (a line by a listed key that does not verify is a failure
     * naming the witness); fewer than k valid is a failure naming the
     * missing ones. A file that cannot be read or parsed is an error
     * (CONSTAT_ENOTFOUND, CONSTAT_EIO, CONSTAT_EINVAL, CONSTAT_ELIMIT naming
     * the file and line), nothing is verified then. */
    const char *witness_policy_file;
    /* NULL, or called once per listed witness, in policy order, after the
     * checkpoint is read: `state` is a constat_cosig_state (0 absent, 1
     * valid, 2 invalid), `timestamp` the cosignature time (seconds since
     * the epoch) when valid, `msg` why when invalid (or a hint, or ""). */
    void (*witnessed)(void *ctx, const char *witness, int state, uint64_t timestamp,
                      const char *msg);
    void *witnessed_ctx;
    /* The verification time, seconds since the epoch (0: the current clock).
     * Tokens are judged at their genTime whatever it is; it only tells which
     * TSA certificates have expired since (docs/time.md). */
    int64_t now;
    /* NULL, or called once per RFC 3161 token that passed every check, in
     * file order: `file` is "timestamps/<n>.tsr", `tsa` its TSA name, `info`
     * the token (genTime, signer, the signer certificate's notBefore and
     * notAfter, cert_expired: notAfter before `now`). Pointers valid during
     * the call only. */
    void (*tsa_token)(void *ctx, const char *file, const char *tsa,
                      const constat_tsa_info *info);
    void *tsa_token_ctx;
    /* NULL, or called, in line order after `proven`, for each incident whose
     * recorded_at (the monitor's clock; seconds since the epoch) is later
     * than its proven time by more than CONSTAT_CLOCK_TOLERANCE_S
     * (constat_clock_skewed, docs/time.md "Clock tolerance"): a warning
     * naming the record, never a failure. `record_id` is printable. */
    void (*clock_skew)(void *ctx, uint64_t index, const char *record_id, int64_t recorded_at,
                       int64_t proven);
    void *clock_skew_ctx;
    /* NULL, or called for each correction the figures count whose
     * replacement does not get the pseudonyms of the record it corrects,
     * that record being bound (its person commitments are another set:
     * constat_records_join_pseudonyms_noted, docs/record.md "Person
     * commitments and pseudonym bindings"): a warning, never a failure.
     * `index` is the correction's leaf, `msg` says what and why. */
    void (*persons_note)(void *ctx, uint64_t index, const char *msg);
    void *persons_note_ctx;
} constat_verify_time_opts;

/* constat_verify_dossier with trusted-time and witness options (`topts`
 * may be NULL, which is what constat_verify_dossier passes). A pinned tsa_ca_file that
 * cannot be read is CONSTAT_ENOTFOUND / CONSTAT_EIO / CONSTAT_ELIMIT naming
 * it; every other problem with a token is a check failure naming its file.
 * Same errors otherwise. */
constat_status constat_verify_dossier_timed(const char *dir, const constat_verify_opts *opts,
                                            const constat_verify_time_opts *topts,
                                            constat_failure_fn fail, void *ctx,
                                            constat_verify_summary *out,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* One parsed proofs.jsonl line. */
typedef struct {
    uint64_t index;
    uint8_t leaf_hash[32];
    constat_proof proof;
} constat_dossier_proof_line;

/* Parse one proofs.jsonl line (without its newline):
 * {"index":N,"leaf_hash":"<base64 32 bytes>","proof":["<base64 32 bytes>",...]}
 * exactly these members, no duplicates, N an integer in [0, 2^48), at most
 * CONSTAT_PROOF_MAX_HASHES proof hashes.
 * Errors: CONSTAT_EINVAL naming the member, CONSTAT_ELIMIT (line longer than
 * CONSTAT_DOSSIER_PROOF_LINE_MAX, too many hashes), CONSTAT_ENOMEM. */
constat_status constat_dossier_proof_line_parse(const char *line, size_t len,
                                                constat_dossier_proof_line *out,
                                                constat_error *err) CONSTAT_WARN_UNUSED;

#endif
