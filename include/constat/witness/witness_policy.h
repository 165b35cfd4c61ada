/*
 * witness_policy.h — what a verifier requires of witnesses: k of n named
 * witnesses must have cosigned (C2SP tlog-cosignature, cosignature/v1) the
 * checkpoint a dossier carries (docs/witness.md, "Witness policy"); and, on
 * the writing side, the cosigned checkpoint a dossier should carry.
 *
 * Policy file (UTF-8 text, at most CONSTAT_WITNESS_POLICY_MAX_BYTES):
 *
 *   # comment lines start with '#'; blank lines are ignored
 *   witness NAME VKEY     NAME is the key name of VKEY, a cosignature/v1
 *                         verifier key (type 0x04); 1 to
 *                         CONSTAT_WITNESS_POLICY_MAX_WITNESSES lines
 *   quorum K              at most once; 1 <= K <= number of witnesses;
 *                         default: every listed witness
 *
 * Fields are separated by spaces or tabs; a known line may end with a
 * comment starting with '#' after a separator; a line ending in CR LF is
 * read as if it ended in LF. Lines starting with another word are ignored
 * (room for later keywords); a known keyword with missing, extra or bad
 * fields is an error naming the line.
 */
#ifndef CONSTAT_WITNESS_POLICY_H
#define CONSTAT_WITNESS_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/vault.h"

/* Largest policy file, in bytes. */
#define CONSTAT_WITNESS_POLICY_MAX_BYTES (64u * 1024u)
/* Longest policy line, in bytes (without its newline). */
#define CONSTAT_WITNESS_POLICY_LINE_MAX 1024u
/* Most `witness` lines in one policy. */
#define CONSTAT_WITNESS_POLICY_MAX_WITNESSES 32u

/* A parsed policy. About 10 KB: keep one, not many, on the stack. */
typedef struct {
    size_t n;                /* witnesses listed, 1..MAX_WITNESSES */
    size_t quorum;           /* cosignatures required, 1..n */
    int quorum_given;        /* 1 if a `quorum` line set it, 0 for the default n */
    constat_note_verifier w[CONSTAT_WITNESS_POLICY_MAX_WITNESSES]; /* alg 0x04 each */
} constat_witness_policy;

/* Parse policy text (`len` bytes, need not be NUL-terminated) into `out`.
 * Errors: CONSTAT_EINVAL naming the line ("line 3: witness: ..."): a bad
 * vkey, a vkey not of type 0x04, NAME differing from the vkey's key name, a
 * witness listed twice (same name), a second quorum line, K not a canonical
 * decimal in 1..n, no witness line, a NUL byte; CONSTAT_ELIMIT (text over
 * CONSTAT_WITNESS_POLICY_MAX_BYTES, a line over
 * CONSTAT_WITNESS_POLICY_LINE_MAX, more than
 * CONSTAT_WITNESS_POLICY_MAX_WITNESSES witnesses). */
constat_status constat_witness_policy_parse(const char *text, size_t len,
                                            constat_witness_policy *out,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* Read and parse the policy file at `path`; messages start with the path.
 * Errors: those of constat_witness_policy_parse, CONSTAT_ENOTFOUND (no such
 * file), CONSTAT_EIO. */
constat_status constat_witness_policy_load(const char *path, constat_witness_policy *out,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* What the checkpoint says of one listed witness. */
typedef enum {
    CONSTAT_COSIG_ABSENT = 0,  /* no line with its (name, key id) */
    CONSTAT_COSIG_VALID = 1,   /* its first line verifies (tlog-cosignature) */
    CONSTAT_COSIG_INVALID = 2  /* its first line does not verify */
} constat_cosig_state;

typedef struct {
    const char *name;          /* the witness's name (points into the policy) */
    constat_cosig_state state;
    uint64_t timestamp;        /* VALID: cosignature time, seconds since the epoch */
    char msg[256];             /* INVALID: why; ABSENT: "" or a hint (a line by
                                  that name with another key id) */
} constat_witness_result;

/* Check the signed checkpoint note `note` (`len` bytes, as in a dossier's
 * `checkpoint` file; its log signature is not checked here) against policy
 * `p`: for each listed witness, its first signature line with the witness's
 * (name, key id) is verified as a cosignature/v1 over the note text.
 * `res` (caller-owned, p->n entries) receives one result per witness, in
 * policy order; *nvalid (may be NULL) the number of VALID ones.
 * Returns CONSTAT_OK when at least p->quorum are valid and none is
 * INVALID; else CONSTAT_EVERIFY with a message saying how many of how many
 * were required and naming the witnesses missing or invalid (res is filled
 * in either case).
 * Errors: CONSTAT_EVERIFY; CONSTAT_EINVAL / CONSTAT_ELIMIT (the note is
 * malformed: no result is meaningful, every state is ABSENT);
 * CONSTAT_ENOMEM. */
constat_status constat_witness_policy_check(const constat_witness_policy *p, const char *note,
                                            size_t len, constat_witness_result *res,
                                            size_t *nvalid,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* One cosignature a dossier carries (writing side). */
typedef struct {
    char name[CONSTAT_KEY_NAME_MAX + 1];
    char vkey[512];            /* the witness's cosignature/v1 vkey */
    uint64_t timestamp;        /* seconds since the epoch */
} constat_dossier_cosig;

/* The checkpoint a dossier of vault `v` should carry, given `note`, the
 * signed checkpoint constat_vault_checkpoint returned: if it is still the
 * vault's newest checkpoint and witnesses cosigned it (publish.h), the note
 * with the stored cosignature lines appended (constat_publish_cosigned),
 * each checked again with its configured witness key; otherwise `note`
 * unchanged. Appends the result to `out`. `cosigs` (may be NULL if max is
 * 0) receives up to `max` cosignatures, *ncosigs their number (may be
 * NULL), *nwitnesses (may be NULL) the number of configured witnesses.
 * Errors: CONSTAT_EVERIFY (a stored cosignature does not verify: the vault
 * is damaged, the message names the witness), CONSTAT_EIO, CONSTAT_ENOMEM,
 * CONSTAT_ELIMIT (more cosignatures than a note may carry). */
constat_status constat_witness_dossier_note(constat_vault *v, const char *note, size_t len,
                                            constat_buf *out, constat_dossier_cosig *cosigs,
                                            size_t max, size_t *ncosigs, size_t *nwitnesses,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* Append the "Witnesses" section of a dossier's VERIFY.md to `out`: who
 * cosigned the checkpoint and when (RFC 3339, UTC), their vkeys and a
 * ready-to-check policy, or that it is not cosigned (and, when
 * `nwitnesses` > 0, that `constat publish` would have it cosigned).
 * Errors: CONSTAT_ENOMEM. */
constat_status constat_witness_dossier_md(const constat_dossier_cosig *cosigs, size_t n,
                                          size_t nwitnesses,
                                          constat_buf *out) CONSTAT_WARN_UNUSED;

/* The same section in French, for VERIFY.fr.md ("## Témoins"): the same
 * facts, names, times and keys, the same policy lines (which stay in the
 * policy file's syntax). Errors: CONSTAT_ENOMEM. */
constat_status constat_witness_dossier_md_fr(const constat_dossier_cosig *cosigs, size_t n,
                                             size_t nwitnesses, constat_buf *out);

#endif
