/*
 * seal.h — sealing at rest (docs/vault.md "Sealed at rest"): each record's
 * private values and each evidence file are encrypted under a fresh random
 * data key, and that data key is sealed (libsodium crypto_box_seal:
 * X25519 + XSalsa20-Poly1305, anonymous sender) to the organisation's X25519
 * key and to every further recipient the coordinator named.
 *
 * The organisation's X25519 key pair is the birationally equivalent form of
 * its Ed25519 key (libsodium crypto_sign_ed25519_pk_to_curve25519 /
 * _sk_to_curve25519): its public half follows from the published
 * organisation key, its secret half is unlocked with the organisation key
 * (the passphrase), and no further key file exists.
 *
 * Private values: a fresh data key per record; one XChaCha20-Poly1305 (IETF)
 * ciphertext per field under it, with "constat-private-v2\n" <record id>
 * "\n" <field> as associated data. The data key is wrapped (XChaCha20-Poly1305,
 * associated data "constat-private-v2\n" <record id> "\n" "") under the
 * session's wrapping key, itself sealed to each recipient, so that a batch
 * of records costs one X25519 operation per recipient, not one per record.
 * Evidence files (format v2, docs/vault.md "Sealed evidence files"): the
 * plaintext is cut into segments of CONSTAT_SEAL_SEGMENT bytes (the last one
 * shorter, never empty unless the file is), each its own libsodium
 * crypto_secretstream_xchacha20poly1305 stream in chunks of
 * CONSTAT_SEAL_V2_CHUNK bytes, the last chunk of each segment tagged FINAL,
 * under a subkey crypto_kdf_derive_from_key(file key, id 2*index + last,
 * context "cnstseg2"), the header (magic, sealed file keys, segment and chunk
 * size) plus the segment's index, whether it is the last one and, for the
 * last one, the segment count and the plaintext length as associated data of
 * its first chunk. Segments are independent, so they are encrypted on every
 * core; a truncated file, segments reordered, a segment from another file
 * and a flipped byte are each refused with their own message. Format v1
 * (one stream of CONSTAT_SEAL_CHUNK chunks) is still read.
 * The file's name, its SHA-256, is checked by the caller
 * on the plaintext (a sealed file moved to another name fails that check).
 */
#ifndef CONSTAT_SEAL_H
#define CONSTAT_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"

/* Most recipients a data key is sealed to (the organisation included). */
#define CONSTAT_SEAL_MAX_RECIPIENTS 16
/* X25519 key sizes, bytes. */
#define CONSTAT_SEAL_PK 32
#define CONSTAT_SEAL_SK 32
/* A data key sealed to one recipient: crypto_box_SEALBYTES + 32 bytes. */
#define CONSTAT_SEAL_BOX 80
/* Plaintext bytes per secretstream chunk of a v1 sealed file, and the
 * largest chunk a v2 file may declare (no chunk read is longer). */
#define CONSTAT_SEAL_CHUNK (1u << 20)
/* Plaintext bytes per segment and per chunk of the v2 files written. */
#define CONSTAT_SEAL_SEGMENT (512u * 1024u)
#define CONSTAT_SEAL_V2_CHUNK (64u * 1024u)
/* Largest segment a v2 file may declare. */
#define CONSTAT_SEAL_SEGMENT_MAX (16u << 20)
/* Most threads a sealed-file writer encrypts on. */
#define CONSTAT_SEAL_THREADS_MAX 8
/* Longest recipient name (same characters as a monitor name). */
#define CONSTAT_SEAL_NAME_MAX 64
/* The first 16 bytes of a sealed evidence file (as written now: v2), and
 * those of format v1 (still read). */
#define CONSTAT_SEAL_FILE_MAGIC "constat-seal-v2\n"
#define CONSTAT_SEAL_FILE_MAGIC_V1 "constat-seal-v1\n"
#define CONSTAT_SEAL_FILE_MAGIC_LEN 16
/* The tag of sealed private values (value of "v" in the stored object). */
#define CONSTAT_SEAL_PRIVATE_TAG "constat-private-v2"

/* The keys data keys are sealed to, and (has_sk) the organisation's secret
 * X25519 key that opens them. pk[0] is always the organisation's; names[0]
 * is "org". Holds secret material when has_sk: keep it in sodium_malloc'd
 * memory (the vault does) and wipe it with sodium_memzero. */
typedef struct {
    size_t n;
    uint8_t pk[CONSTAT_SEAL_MAX_RECIPIENTS][CONSTAT_SEAL_PK];
    char names[CONSTAT_SEAL_MAX_RECIPIENTS][CONSTAT_SEAL_NAME_MAX + 1];
    int has_sk;
    uint8_t sk[CONSTAT_SEAL_SK];
    /* The session's wrapping key: made fresh by constat_seal_keys_init and
     * sealed once to each key (wrap_box[i] to pk[i]); each record's data key
     * is wrapped under it, so sealing a record costs no X25519 operation. */
    uint8_t wrap[CONSTAT_SEAL_SK];
    uint8_t wrap_box[CONSTAT_SEAL_MAX_RECIPIENTS][CONSTAT_SEAL_BOX];
    /* While a re-seal after an organisation key rotation is pending
     * (docs/vault.md "Re-sealing after a rotation"): the retiring sealing
     * key pair, tried when a value or file is not sealed to pk[0]. Nothing
     * is sealed to it. 0 / zeros otherwise. */
    int has_old;
    uint8_t old_pk[CONSTAT_SEAL_PK];
    uint8_t old_sk[CONSTAT_SEAL_SK];
} constat_seal_keys;

/* Fill *k (a fresh wrapping key included) from the organisation's Ed25519
 * public key org_pk[32] and, when
 * org_sk64 is non-NULL, its 64-byte libsodium secret key, plus the named
 * recipients of `recipients_json` (the vault's meta "recipients": a JSON
 * object name -> base64 of a 32-byte X25519 public key; NULL or "" for
 * none). Errors: CONSTAT_ECRYPTO (the organisation key has no X25519 form),
 * CONSTAT_EIO (recipients_json malformed, naming the entry), CONSTAT_ELIMIT
 * (more than CONSTAT_SEAL_MAX_RECIPIENTS - 1 recipients). */
constat_status constat_seal_keys_init(constat_seal_keys *k, const uint8_t org_pk[32],
                                      const uint8_t *org_sk64, const char *recipients_json,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* Add to *k the retiring organisation key (Ed25519 public key old_pk[32],
 * 64-byte libsodium secret key old_sk64) whose X25519 form still opens what
 * a re-seal has not reached yet (has_old). Errors: CONSTAT_ECRYPTO (no
 * X25519 form). */
constat_status constat_seal_keys_add_old(constat_seal_keys *k, const uint8_t old_pk[32],
                                         const uint8_t *old_sk64,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* A name that is also a plain file name (monitors, recipients): 1..max
 * characters of [A-Za-z0-9._-], not starting with '.' or '-'. 1 if so. */
int constat_file_name_ok(const char *name, size_t max);
/* A recipient name: constat_file_name_ok(name, CONSTAT_SEAL_NAME_MAX), and
 * not "org". 1 if valid. */
int constat_seal_name_valid(const char *name);

/* Parse a recipient's public key file (outside input): a PEM
 * "PUBLIC KEY" block holding an X25519 key, as `openssl genpkey -algorithm
 * X25519 | openssl pkey -pubout` writes it. `len` bytes at `text` (at most
 * 4096), the key into pk[32]. `label` names the file in messages.
 * Errors: CONSTAT_EINVAL (not PEM, not X25519, trailing data),
 * CONSTAT_ELIMIT (too long). */
constat_status constat_seal_pub_parse(const char *text, size_t len, const char *label,
                                      uint8_t pk[CONSTAT_SEAL_PK],
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* ## Private values */

/* Seal the private values object `values` (field -> {"salt","value"}) of
 * `record_id` to every key of *k: a fresh data key, one ciphertext per
 * field. *out (malloc'd, caller frees) gets the compact JSON text stored in
 * the vault: {"v":"constat-private-v2","keys":[{"pk":b64,"box":b64}...],
 * "dk": b64(nonce24 || wrapped data key || tag16),
 * "fields":{field: b64(nonce24 || ciphertext || tag16)}} ("box": the
 * wrapping key sealed to "pk").
 * Errors: CONSTAT_EINVAL (not an object, record id or field too long),
 * CONSTAT_ENOMEM. */
constat_status constat_seal_private(const constat_seal_keys *k, const char *record_id,
                                    const json_t *values, char **out,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 if the stored value (parsed) is a constat-private-v2 object. */
int constat_seal_private_is(const json_t *stored);

/* Open a constat-private-v2 object of `record_id` with the secret X25519
 * key sk[32] whose public key is pk[32] (the organisation's, or a named
 * recipient's). *out gets a new object field -> {"salt","value"}.
 * Errors: CONSTAT_ECRYPTO (not sealed to that key, or its data key does not
 * open: tampered), CONSTAT_EVERIFY (a field does not open: changed,
 * truncated, or moved from another record or field — the message names the
 * record and the field), CONSTAT_EIO (malformed envelope), CONSTAT_ENOMEM. */
constat_status constat_seal_private_open(const uint8_t sk[CONSTAT_SEAL_SK],
                                         const uint8_t pk[CONSTAT_SEAL_PK],
                                         const char *record_id, const json_t *stored,
                                         json_t **out, constat_error *err) CONSTAT_WARN_UNUSED;

/* constat_seal_private_open with the organisation's key of *k (needs
 * has_sk), then, when that key is not among the value's ones and has_old,
 * with the retiring key. Same errors. */
constat_status constat_seal_private_open_keys(const constat_seal_keys *k, const char *record_id,
                                              const json_t *stored, json_t **out,
                                              constat_error *err) CONSTAT_WARN_UNUSED;

/* 1 if the constat-private-v2 object `stored` lists pk[32] among its keys. */
int constat_seal_private_has_key(const json_t *stored, const uint8_t pk[CONSTAT_SEAL_PK]);

/* ## Sealed files (secretstream) */

typedef struct constat_seal_writer constat_seal_writer;

/* Threads the sealed-file writers of this process encrypt on: 0 (the
 * default) for one per online core up to CONSTAT_SEAL_THREADS_MAX, 1 for
 * none besides the caller's. For benchmarks and tests; set it before
 * starting writers. Never fails. */
void constat_seal_set_threads(unsigned n);

/* Start a v2 sealed file on `fd` (open for writing, at offset 0): writes the
 * header (magic, one byte n, n x (recipient X25519 key, file key sealed to
 * it), segment size and chunk size as 4-byte big-endian numbers). Worker
 * threads start with the second segment (a file of one segment is sealed
 * by the caller's thread). Errors: CONSTAT_EIO, CONSTAT_ENOMEM,
 * CONSTAT_EINVAL (no keys). */
constat_status constat_seal_writer_new(const constat_seal_keys *k, int fd,
                                       constat_seal_writer **out,
                                       constat_error *err) CONSTAT_WARN_UNUSED;
/* Add `n` plaintext bytes (copied; segments are encrypted as they fill,
 * on the worker threads, and written to fd in order). Errors: CONSTAT_EIO
 * (a write failed; the writer is then unusable). */
constat_status constat_seal_writer_write(constat_seal_writer *w, const uint8_t *p, size_t n,
                                         constat_error *err) CONSTAT_WARN_UNUSED;
/* Seal the last segment, wait for every segment and write what is left.
 * Does not fsync or close fd. Errors: CONSTAT_EIO. */
constat_status constat_seal_writer_finish(constat_seal_writer *w,
                                          constat_error *err) CONSTAT_WARN_UNUSED;
/* Stop the threads, wipe and free (NULL is fine). */
void constat_seal_writer_free(constat_seal_writer *w);

typedef struct constat_seal_reader constat_seal_reader;

/* Open the sealed file (v1 or v2) on `fd` (a regular file, at offset 0)
 * with the secret key sk (public pk); `label` names the file in messages.
 * Errors: CONSTAT_EINVAL (not a sealed file: no magic; or a v2 file on a
 * descriptor that is not a regular file), CONSTAT_EVERIFY (malformed or
 * truncated header, segment or chunk size out of range), CONSTAT_ECRYPTO
 * (not sealed to this key, or the data key does not open), CONSTAT_EIO,
 * CONSTAT_ENOMEM. */
constat_status constat_seal_reader_new(const uint8_t sk[CONSTAT_SEAL_SK],
                                       const uint8_t pk[CONSTAT_SEAL_PK], int fd,
                                       const char *label,
                                       constat_seal_reader **out,
                                       constat_error *err) CONSTAT_WARN_UNUSED;
/* The next plaintext chunk (at most CONSTAT_SEAL_CHUNK bytes): *data
 * (valid until the next call) and *len; *done 1 once the file's last chunk
 * was returned (then nothing follows).
 * Errors: CONSTAT_EVERIFY, the message naming the label and the segment or
 * chunk: a chunk does not open (a flipped byte), the file is truncated (its
 * last segment missing or cut), data follows the end, segments reordered
 * ("position i holds segment j"), a segment taken from another file (it
 * opens under no key of this file); CONSTAT_EIO. */
constat_status constat_seal_reader_next(constat_seal_reader *r, const uint8_t **data,
                                        size_t *len, int *done,
                                        constat_error *err) CONSTAT_WARN_UNUSED;
void constat_seal_reader_free(constat_seal_reader *r);

/* constat_seal_reader_new with the organisation's key of *k (needs has_sk),
 * then, when the file is not sealed to it and has_old, with the retiring
 * key (fd is rewound to offset 0 for the second try: a regular file).
 * Same errors. */
constat_status constat_seal_reader_new_keys(const constat_seal_keys *k, int fd,
                                            const char *label, constat_seal_reader **out,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* The format of the sealed file on fd (read with pread, the offset is
 * unchanged): 2 or 1 for the v2 or v1 magic, 0 if neither, -1 on a read
 * error. */
int constat_seal_file_version(int fd);
/* 1 if the file on fd is a sealed file of either format (see
 * constat_seal_file_version), 0 if not, -1 on a read error. */
int constat_seal_file_is(int fd);

#endif
