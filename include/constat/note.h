/*
 * note.h — C2SP signed notes (signed-note), the Ed25519 keys that sign them
 * and their string forms, checkpoints (tlog-checkpoint) and timestamped
 * cosignatures (tlog-cosignature, cosignature/v1).
 *
 * Ed25519 verification follows libsodium's rules (crypto_sign_verify_detached):
 * non-canonical signatures and small-order public keys are rejected, which
 * Go's crypto/ed25519 accepts; honest signatures verify the same in both.
 */
#ifndef CONSTAT_NOTE_H
#define CONSTAT_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "errors.h"
#include "limits.h"

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
 * Unicode spaces and no '+' (signed-note "Verifier keys"). 1 if valid. */
int constat_note_name_valid(const char *name, size_t len);

/* Key id = big-endian first 4 bytes of SHA-256(name || 0x0A || alg || pk). */
uint32_t constat_note_key_id(const char *name, uint8_t alg,
                             const uint8_t pk[CONSTAT_ED25519_PK]);

/* Generate a fresh Ed25519 signer named `name` (alg 0x01).
 * Errors: CONSTAT_EINVAL (bad name). */
constat_status constat_note_signer_generate(const char *name, constat_note_signer *out,
                                            constat_error *err) CONSTAT_WARN_UNUSED;
/* Build a signer from a 32-byte seed (deterministic). Errors: CONSTAT_EINVAL. */
constat_status constat_note_signer_from_seed(const char *name, uint8_t alg,
                                             const uint8_t seed[CONSTAT_ED25519_SEED],
                                             constat_note_signer *out,
                                             constat_error *err) CONSTAT_WARN_UNUSED;
void constat_note_signer_wipe(constat_note_signer *s);

/* Parse "name+hex8+base64(alg||pk)" (the vkey form). The string is split on
 * the first two '+' only; the hex id must match the computed key id.
 * Errors: CONSTAT_EINVAL naming what is wrong. */
constat_status constat_note_verifier_parse(const char *vkey, constat_note_verifier *out,
                                           constat_error *err) CONSTAT_WARN_UNUSED;
/* Format a verifier key string into out (NUL-terminated; 512 bytes is ample).
 * Errors: CONSTAT_ELIMIT if it does not fit. */
constat_status constat_note_verifier_format(const constat_note_verifier *v, char *out,
                                            size_t cap);
/* Parse "PRIVATE+KEY+name+hex8+base64(alg||seed)" (the skey form of
 * golang.org/x/mod/sumdb/note). Errors: CONSTAT_EINVAL. */
constat_status constat_note_signer_parse(const char *skey, constat_note_signer *out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* Format the skey string. Errors: CONSTAT_ELIMIT. */
constat_status constat_note_signer_format(const constat_note_signer *s, char *out,
                                          size_t cap);

/* Sign note text (must be non-empty and end in '\n'; no line may start with
 * the em dash signature prefix) with each signer, appending the note to
 * `out`: text, a blank line, then one "— name base64(keyid||sig)\n" line per
 * signer. Errors: CONSTAT_EINVAL (bad text), CONSTAT_ENOMEM. */
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
} constat_note_sig;

/* A parsed, opened note. Owns no heap memory. */
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
 * Errors: CONSTAT_EINVAL (malformed note: no blank line before signatures,
 * text not ending in newline, bad signature line, bad UTF-8, control
 * characters), CONSTAT_ELIMIT (size > CONSTAT_NOTE_MAX_BYTES, more than
 * CONSTAT_NOTE_MAX_SIGS signatures), CONSTAT_EVERIFY (a known key's
 * signature is invalid, or no known key signed: the message says which). */
constat_status constat_note_open(const char *msg, size_t len,
                                 const constat_note_verifier *verifiers, size_t nverifiers,
                                 constat_note *out, constat_error *err) CONSTAT_WARN_UNUSED;

/* C2SP tlog-checkpoint: the note text "origin\nsize\nbase64(root)\n" plus
 * optional extension lines. */
typedef struct {
    char origin[CONSTAT_KEY_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[32];
    size_t ext_len;       /* extension lines are text[ext_off .. ext_off+ext_len) */
    size_t ext_off;
} constat_checkpoint;

/* Format the checkpoint body (without extensions) into out.
 * Errors: CONSTAT_EINVAL (bad origin), CONSTAT_ENOMEM. */
constat_status constat_checkpoint_format(const char *origin, uint64_t size,
                                         const uint8_t root[32], constat_buf *out,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* Parse a checkpoint body (the note text). Errors: CONSTAT_EINVAL naming
 * the line (origin empty, size not a canonical decimal, root not 32 bytes of
 * base64, empty extension line). */
constat_status constat_checkpoint_parse(const char *text, size_t len,
                                        constat_checkpoint *out,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* C2SP tlog-cosignature: sign cosignature/v1 over checkpoint text `body`
 * at `timestamp` (seconds since the epoch, UTC) with a signer of alg 0x04:
 * signs "cosignature/v1\ntime <ts>\n" || body and writes one note signature
 * line ("— name base64(keyid || u64be ts || sig)\n") into out.
 * Errors: CONSTAT_EINVAL, CONSTAT_ENOMEM. */
constat_status constat_cosignature_sign(const char *body, size_t len, uint64_t timestamp,
                                        const constat_note_signer *witness,
                                        constat_buf *out, constat_error *err)
    CONSTAT_WARN_UNUSED;
/* Verify a cosignature/v1 signature `sig` (the 72 bytes after the key id)
 * by `witness` over checkpoint text `body`; *timestamp receives its time.
 * Errors: CONSTAT_EINVAL (length), CONSTAT_EVERIFY. */
constat_status constat_cosignature_verify(const char *body, size_t len,
                                          const uint8_t *sig, size_t sig_len,
                                          const constat_note_verifier *witness,
                                          uint64_t *timestamp, constat_error *err)
    CONSTAT_WARN_UNUSED;

#endif
