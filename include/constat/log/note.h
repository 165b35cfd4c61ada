/*
 * note.h — C2SP signed notes (signed-note), the Ed25519 keys that sign them
 * and their string forms, checkpoints (tlog-checkpoint) and timestamped
 * cosignatures (tlog-cosignature, cosignature/v1).
 *
 * One header, four files, in dependency order (no file calls a later one):
 *   cosignature.c  the cosignature/v1 algorithm: message, timestamp, verify
 *   note.c         signed notes, key strings, Ed25519; opens notes whose
 *                  signatures are Ed25519 or cosignature/v1
 *   checkpoint.c   checkpoint bodies: format and parse
 *   cosign.c       cosigning a checkpoint (what a witness does)
 *
 * Ed25519 verification follows libsodium's rules (crypto_sign_verify_detached):
 * non-canonical signatures and small-order public keys are rejected, which
 * Go's crypto/ed25519 accepts; honest signatures verify the same in both.
 */
#ifndef CONSTAT_NOTE_H
#define CONSTAT_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"
#include "constat/base/limits.h"

#define CONSTAT_ED25519_PK 32
#define CONSTAT_ED25519_SK 64   /* libsodium form: seed || public key */
#define CONSTAT_ED25519_SEED 32
#define CONSTAT_ED25519_SIG 64

/* Signature algorithm bytes of signed-note key ids. */
#define CONSTAT_NOTE_ALG_ED25519 0x01
#define CONSTAT_NOTE_ALG_COSIGNATURE_V1 0x04

/* A verifier: a named public key. */
typedef struct {
    char name[CONSTAT_KEY_NAME_MAX + 1];
    uint8_t alg;                        /* 0x01 or 0x04 */
    uint32_t key_id;                    /* first 4 bytes of SHA-256(name||0x0A||alg||pk) */
    uint8_t pk[CONSTAT_ED25519_PK];
} constat_note_verifier;

/* A signer: a named secret key. Holds secret material: wipe with
 * constat_note_signer_wipe. */
typedef struct {
    constat_note_verifier pub;
    uint8_t sk[CONSTAT_ED25519_SK];
} constat_note_signer;

/* A valid key name: non-empty, at most CONSTAT_KEY_NAME_MAX bytes, no
 * Unicode spaces and no '+' (signed-note "Verifier keys"). 1 if valid.
 * Also requires valid UTF-8 and no control character (below U+0020), which
 * a note could never carry anyway. */
int constat_note_name_valid(const char *name, size_t len);

/* 1 if `len` bytes at `text` are valid UTF-8 (no overlong forms, no
 * surrogates) holding no ASCII control character other than newline: the
 * character rule of signed-note "Format" for a whole note. */
int constat_note_text_valid(const char *text, size_t len);

/* Key id = big-endian first 4 bytes of SHA-256(name || 0x0A || alg || pk). */
uint32_t constat_note_key_id(const char *name, uint8_t alg,
                             const uint8_t pk[CONSTAT_ED25519_PK]);

/* Generate a fresh Ed25519 signer named `name` (alg 0x01) from libsodium's
 * RNG. Errors: CONSTAT_EINVAL (bad name). */
constat_status constat_note_signer_generate(const char *name, constat_note_signer *out,
                                            constat_error *err) CONSTAT_WARN_UNUSED;
/* Build a signer from a 32-byte seed (deterministic, RFC 8032 key
 * derivation). `alg` is 0x01 (note signer) or 0x04 (cosignature/v1
 * witness; the same seed gives the same Ed25519 key but another key id).
 * Errors: CONSTAT_EINVAL (bad name or alg). */
constat_status constat_note_signer_from_seed(const char *name, uint8_t alg,
                                             const uint8_t seed[CONSTAT_ED25519_SEED],
                                             constat_note_signer *out,
                                             constat_error *err) CONSTAT_WARN_UNUSED;
/* Zero the whole signer with sodium_memzero. NULL is allowed. */
void constat_note_signer_wipe(constat_note_signer *s);

/* Parse "name+hex8+base64(alg||pk)" (the vkey form, signed-note "Verifier
 * keys"). The string is split on the first two '+' only (base64 may hold
 * '+'); hex8 is exactly 8 hex digits of either case; base64 is standard,
 * padded and canonical; alg is 0x01 or 0x04 with a 32-byte key; the hex id
 * must match the computed key id. Errors: CONSTAT_EINVAL naming what is
 * wrong. */
constat_status constat_note_verifier_parse(const char *vkey, constat_note_verifier *out,
                                           constat_error *err) CONSTAT_WARN_UNUSED;
/* Format a verifier key string into out (NUL-terminated; 512 bytes is ample;
 * hex id in lowercase). Errors: CONSTAT_ELIMIT if it does not fit,
 * CONSTAT_EINVAL for NULL arguments. */
constat_status constat_note_verifier_format(const constat_note_verifier *v, char *out,
                                            size_t cap);
/* Parse "PRIVATE+KEY+name+hex8+base64(alg||seed)" (the skey form of
 * golang.org/x/mod/sumdb/note; alg 0x01, or 0x04 for a witness). The key id
 * is checked against the derived public key. `out` holds secret material:
 * wipe it. Errors: CONSTAT_EINVAL. */
constat_status constat_note_signer_parse(const char *skey, constat_note_signer *out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* Format the skey string into out (NUL-terminated; secret: wipe it after
 * use). Errors: CONSTAT_ELIMIT (out is then zeroed), CONSTAT_EINVAL. */
constat_status constat_note_signer_format(const constat_note_signer *s, char *out,
                                          size_t cap);

/* Sign note text (must be non-empty and end in '\n'; no line may start with
 * the em dash signature prefix; valid UTF-8 without control characters other
 * than newline) with each signer (1 to CONSTAT_NOTE_MAX_SIGS signers, all of
 * alg 0x01), appending the note to `out`: text, a blank line, then one
 * "— name base64(keyid||sig)\n" line per signer (signed-note "Signatures").
 * Ed25519 is deterministic, so the output is reproducible byte for byte.
 * On error `out` is left as it was.
 * Errors: CONSTAT_EINVAL (bad text, no signer, signer of alg 0x04),
 * CONSTAT_ELIMIT (note over CONSTAT_NOTE_MAX_BYTES, too many signers),
 * CONSTAT_ENOMEM. */
constat_status constat_note_sign(const char *text, size_t len,
                                 const constat_note_signer *signers, size_t nsigners,
                                 constat_buf *out, constat_error *err) CONSTAT_WARN_UNUSED;

/* One signature line of a note. */
typedef struct {
    char name[CONSTAT_KEY_NAME_MAX + 1];
    uint32_t key_id;
    uint8_t sig[128];       /* signature bytes after the 4-byte key id */
    size_t sig_len;
    int verified;           /* 1 if a known verifier checked it */
    size_t verifier;        /* index into the verifiers array when verified */
    /* Added for cosignatures and diagnostics: */
    uint64_t timestamp;     /* cosignature/v1 time (seconds since the epoch)
                               when verified by an alg 0x04 verifier, else 0 */
    int duplicate;          /* 1 if an earlier line had the same (name, key id)
                               of a known verifier: not checked (as Go's
                               note.Open drops repeated signatures) */
    size_t line_off;        /* the line is msg[line_off .. line_off+line_len),
                               without its newline */
    size_t line_len;
} constat_note_sig;
/* `sig` holds at most 128 bytes; a longer signature (possible only for keys
 * we do not know, e.g. post-quantum ones) keeps its true length in sig_len,
 * its first 128 bytes in sig, and its full text at line_off. */

/* Append one signature line "— name base64(keyid || sig)\n" to out (sig is
 * 1 to 128 bytes). Errors: CONSTAT_EINVAL (bad name or length),
 * CONSTAT_ENOMEM. */
constat_status constat_note_sig_format(const char *name, uint32_t key_id,
                                      const uint8_t *sig, size_t sig_len,
                                      constat_buf *out) CONSTAT_WARN_UNUSED;

/* Parse one signature line "— name base64(keyid||sig)" (`len` bytes, one
 * trailing newline allowed) into out, with verified = 0. The signature must
 * decode to at least 5 bytes (key id and one signature byte), as Go requires.
 * Errors: CONSTAT_EINVAL (no em dash prefix, bad name, bad base64, too
 * short), CONSTAT_ELIMIT (line over CONSTAT_NOTE_MAX_BYTES). */
constat_status constat_note_sig_parse(const char *line, size_t len, constat_note_sig *out,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* A parsed, opened note. Owns no heap memory. About 42 KB: do not put many
 * on the stack. */
typedef struct {
    size_t text_len;                         /* text is msg[0..text_len) */
    size_t nsigs;
    constat_note_sig sigs[CONSTAT_NOTE_MAX_SIGS];
    size_t nverified;
} constat_note;

/* Parse `msg` as a signed note and verify every signature whose (name,
 * key id) matches one of `verifiers`; signatures by unknown keys are kept
 * with verified == 0 and otherwise ignored. Succeeds only if at least one
 * known verifier's signature is valid.
 * The text is msg up to the last blank line (signed-note "Format").
 * Verifiers of alg 0x01 check Ed25519 over the text; verifiers of alg 0x04
 * check a cosignature/v1 (tlog-cosignature) over its timestamp and the text,
 * and record the timestamp in the sig. A second line with the (name, key id)
 * of a known verifier is not checked and gets duplicate = 1 (Go's note.Open
 * drops it the same way; only the first line of each known key counts).
 * Two verifiers with the same (name, key id) are an error (CONSTAT_EINVAL).
 * On CONSTAT_EVERIFY because no known key signed, `out` still describes the
 * parsed note (every sig unverified); on any other error out->nsigs is 0.
 * Errors: CONSTAT_EINVAL (malformed note: no blank line before signatures,
 * text not ending in newline, bad signature line, bad UTF-8, control
 * characters), CONSTAT_ELIMIT (size > CONSTAT_NOTE_MAX_BYTES, more than
 * CONSTAT_NOTE_MAX_SIGS signatures), CONSTAT_EVERIFY (a known key's
 * signature is invalid, or no known key signed: the message says which). */
constat_status constat_note_open(const char *msg, size_t len,
                                 const constat_note_verifier *verifiers, size_t nverifiers,
                                 constat_note *out, constat_error *err) CONSTAT_WARN_UNUSED;

/* ---- checkpoint.c ---- */

/* C2SP tlog-checkpoint: the note text "origin\nsize\nbase64(root)\n" plus
 * optional extension lines. */
typedef struct {
    char origin[CONSTAT_KEY_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[32];
    size_t ext_len;       /* extension lines are text[ext_off .. ext_off+ext_len) */
    size_t ext_off;
} constat_checkpoint;

/* Append the checkpoint body (without extensions) to out:
 * "origin\nsize\nbase64(root)\n" (tlog-checkpoint "Note text").
 * The origin must be non-empty, at most CONSTAT_KEY_NAME_MAX bytes, valid
 * UTF-8 without control characters (so no newline).
 * Errors: CONSTAT_EINVAL (bad origin), CONSTAT_ENOMEM. */
constat_status constat_checkpoint_format(const char *origin, uint64_t size,
                                         const uint8_t root[32], constat_buf *out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* Parse a checkpoint body (the note text, `len` bytes ending in a newline)
 * per tlog-checkpoint "Note text": origin non-empty (any characters a note
 * allows, spaces and '+' included); size canonical decimal (no sign, no
 * leading zero except "0", fits uint64); root exactly 32 bytes of canonical
 * padded base64; extension lines non-empty. ext_off/ext_len locate the
 * extension lines (ext_len 0 if none) inside `text`.
 * Errors: CONSTAT_EINVAL naming the line (origin empty, size not a canonical
 * decimal, root not 32 bytes of base64, empty extension line, bad UTF-8 or
 * control character, missing final newline), CONSTAT_ELIMIT (origin over
 * CONSTAT_KEY_NAME_MAX bytes, text over CONSTAT_NOTE_MAX_BYTES). */
constat_status constat_checkpoint_parse(const char *text, size_t len,
                                        constat_checkpoint *out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* ---- cosignature.c and cosign.c ---- */

/* The cosignature/v1 timestamp is at most 2^63-1 (tlog-cosignature). */
#define CONSTAT_COSIG_MAX_TIMESTAMP 0x7fffffffffffffffull
/* Bytes after the key id in a cosignature/v1: u64be timestamp || sig. */
#define CONSTAT_COSIG_V1_LEN (8 + CONSTAT_ED25519_SIG)

/* Append the cosignature/v1 signed message to out:
 * "cosignature/v1\ntime <ts>\n" || body (tlog-cosignature "Ed25519 signed
 * message"; ts in decimal without leading zeros).
 * Errors: CONSTAT_EINVAL (timestamp over 2^63-1), CONSTAT_ENOMEM. */
constat_status constat_cosignature_message(const char *body, size_t len, uint64_t timestamp,
                                           constat_buf *out) CONSTAT_WARN_UNUSED;

/* Read the timestamp of a cosignature/v1 blob (the 72 bytes after the key
 * id). Errors: CONSTAT_EINVAL (length not 72, timestamp over 2^63-1). */
constat_status constat_cosignature_timestamp(const uint8_t *sig, size_t sig_len,
                                             uint64_t *timestamp,
                                             constat_error *err) CONSTAT_WARN_UNUSED;

/* C2SP tlog-cosignature: sign cosignature/v1 over checkpoint text `body`
 * at `timestamp` (seconds since the epoch, UTC) with a signer of alg 0x04:
 * signs "cosignature/v1\ntime <ts>\n" || body and appends one note signature
 * line ("— name base64(keyid || u64be ts || sig)\n") to out. `body` must parse
 * as a checkpoint (constat_checkpoint_parse).
 * Errors: CONSTAT_EINVAL (signer not alg 0x04, timestamp over 2^63-1, body
 * not a checkpoint), CONSTAT_ELIMIT (body too long), CONSTAT_ENOMEM. */
constat_status constat_cosignature_sign(const char *body, size_t len, uint64_t timestamp,
                                        const constat_note_signer *witness,
                                        constat_buf *out, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* Verify a cosignature/v1 signature `sig` (the 72 bytes after the key id)
 * by `witness` (alg 0x04) over checkpoint text `body`; *timestamp (may be
 * NULL) receives its time, only on success. The key id is not seen here:
 * the caller matched it.
 * Errors: CONSTAT_EINVAL (length not 72, timestamp over 2^63-1, witness not
 * alg 0x04), CONSTAT_EVERIFY (signature invalid), CONSTAT_ENOMEM. */
constat_status constat_cosignature_verify(const char *body, size_t len,
                                          const uint8_t *sig, size_t sig_len,
                                          const constat_note_verifier *witness,
                                          uint64_t *timestamp, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
