/*
 * keyfile.h — private: the vault's key files (docs/vault.md "Key files").
 *
 * A key file is two text lines:
 *   constat-key-v1 plain\n<base64 secret>\n
 *   constat-key-v1 sealed argon2id13 <opslimit> <memlimit>\n<base64 salt16||nonce24||ciphertext>\n
 * Sealed files encrypt the secret with XChaCha20-Poly1305 under a key derived
 * from the passphrase by Argon2id; the header line (without its newline) is
 * the associated data, so the KDF parameters cannot be altered unnoticed.
 */
#ifndef CONSTAT_KEYFILE_H
#define CONSTAT_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"

#define CONSTAT_KEYFILE_MAGIC "constat-key-v1"
#define CONSTAT_KEYFILE_SALT 16
#define CONSTAT_KEYFILE_NONCE 24
#define CONSTAT_KEYFILE_TAG 16
/* Largest secret a key file holds (an Ed25519 libsodium secret key). */
#define CONSTAT_KEYFILE_SECRET_MAX 64
/* Largest key file we read, in bytes. */
#define CONSTAT_KEYFILE_MAX_BYTES 4096

/* A key-encryption key derived from a passphrase, with the salt and
 * parameters it was derived with. Holds secret material: keep it in
 * sodium_malloc'd memory and wipe with constat_kek_wipe. */
typedef struct {
    int valid;
    uint8_t salt[CONSTAT_KEYFILE_SALT];
    unsigned long long opslimit;
    size_t memlimit;
    uint8_t key[32];
} constat_kek;

/* The Argon2id parameters new key files use: OPSLIMIT/MEMLIMIT_MODERATE, or
 * the _MIN ones when the environment has CONSTAT_KDF=fast (tests only). */
void constat_kek_params(unsigned long long *opslimit, size_t *memlimit);

/* Derive a KEK from `passphrase` with a fresh random salt (salt == NULL) or
 * the given one. Errors: CONSTAT_EINVAL (empty passphrase), CONSTAT_ENOMEM
 * (Argon2id could not get its memory). */
constat_status constat_kek_derive(constat_kek *k, const char *passphrase,
                                  const uint8_t *salt, unsigned long long opslimit,
                                  size_t memlimit, constat_error *err) CONSTAT_WARN_UNUSED;
void constat_kek_wipe(constat_kek *k);

/* Encode `secret` as key file text into `out` (sodium_malloc'd by the
 * caller, capacity `cap`), sealed with `kek` (NULL: plain). *outlen gets the
 * length (not counting the NUL written after it).
 * Errors: CONSTAT_EINVAL (secret too long), CONSTAT_ELIMIT (cap too small). */
constat_status constat_keyfile_encode(const uint8_t *secret, size_t len, const constat_kek *kek,
                                      char *out, size_t cap, size_t *outlen,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* Decode key file text (outside input: every byte is checked). `label`
 * names the file in messages ("keys/org.key"). For a sealed file the KEK is
 * taken from `cache` when its salt and parameters match, otherwise derived
 * from `passphrase` and stored into `cache` (may be NULL). *sealed (may be
 * NULL) says which kind the file was.
 * Errors: CONSTAT_EINVAL (malformed, naming the line), CONSTAT_ELIMIT (too
 * big, secret larger than cap), CONSTAT_ECRYPTO ("wrong passphrase for
 * <label>", or a sealed key and no passphrase), CONSTAT_ENOMEM. */
constat_status constat_keyfile_decode(const char *text, size_t len, const char *label,
                                      const char *passphrase, constat_kek *cache,
                                      uint8_t *secret, size_t cap, size_t *outlen,
                                      int *sealed, constat_error *err) CONSTAT_WARN_UNUSED;

/* Write a new key file at `path`: created 0600 with O_CREAT|O_EXCL|O_NOFOLLOW
 * (never replaces a file, never follows a link), fsync'd with its directory.
 * Errors: CONSTAT_ECONFLICT (exists), CONSTAT_EIO. */
constat_status constat_keyfile_write(const char *path, const char *label,
                                     const uint8_t *secret, size_t len, const constat_kek *kek,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* Read and decode the key file at `path` (O_NOFOLLOW, regular file, at most
 * CONSTAT_KEYFILE_MAX_BYTES). Errors: those of constat_keyfile_decode,
 * CONSTAT_ENOTFOUND (missing), CONSTAT_EIO. */
constat_status constat_keyfile_read(const char *path, const char *label, const char *passphrase,
                                    constat_kek *cache, uint8_t *secret, size_t cap,
                                    size_t *outlen, int *sealed,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* Overwrite the file at `path` with zeros (where the file system keeps
 * blocks in place), fsync it, unlink it; a link or a non-regular file is
 * only unlinked. Errors are not reported: the caller checks what is left. */
void constat_wipe_unlink(const char *path);

#endif
