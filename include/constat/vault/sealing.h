/*
 * sealing.h — what a coordinator does with a vault's sealing
 * (docs/vault.md "Sealed at rest"): name further recipients of data keys,
 * seal an existing vault in place (the migration), change the passphrase.
 * Built on vault.h and seal.h; nothing in the vault depends on it.
 */
#ifndef CONSTAT_SEALING_H
#define CONSTAT_SEALING_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"
#include "constat/vault/seal.h"
#include "constat/vault/vault.h"

/* Name recipient `name` (constat_seal_name_valid) with X25519 public key
 * pk[32]: values and files sealed from now on get a copy of their data key
 * sealed to it too (existing ones do once `constat_vault_seal_existing`
 * runs). Stored in meta "recipients" in one transaction; the vault's keys
 * are reloaded. Errors: CONSTAT_EINVAL (bad name), CONSTAT_ECONFLICT (name
 * or key already a recipient, or the organisation's own key), CONSTAT_ELIMIT
 * (CONSTAT_SEAL_MAX_RECIPIENTS - 1 already), CONSTAT_EIO. */
constat_status constat_vault_recipient_add(constat_vault *v, const char *name,
                                           const uint8_t pk[CONSTAT_SEAL_PK],
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* What constat_vault_seal_existing did. */
typedef struct {
    uint64_t private_sealed;   /* records whose private values were (re)sealed now */
    uint64_t private_already;  /* records already sealed to every current key */
    uint64_t files_sealed;     /* evidence files encrypted now */
    uint64_t files_already;    /* evidence files already sealed */
    uint64_t leftovers;        /* temporary files of an interrupted run cleaned up */
    int reseal_finished;       /* 1: the re-seal after an organisation key rotation
                                  ended now, the retired key files destroyed */
} constat_seal_stats;

/* Called after each durable step of the migration ("private" after each
 * committed batch, "file-written", "file-linked", "file-renamed",
 * "file-wiped" for each evidence file, "reseal" once the re-seal after a
 * rotation ended, "compact" at the end), `n` counting
 * the steps from 1. A test may stop the process there (kill -9). */
typedef void (*constat_seal_step_fn)(void *ctx, const char *step, uint64_t n);

/* Seal an existing vault in place, crash-safe and idempotent (docs/vault.md
 * "Sealing an existing vault"): private values stored in clear or in the
 * constat-private-v1 form, or sealed to fewer keys than the vault's current
 * ones, are re-sealed (batches of 256 records, one transaction each);
 * evidence files stored in clear are encrypted (written beside, fsync'd,
 * re-hashed against their name, renamed over the clear copy, whose blocks
 * are then overwritten with zeros where the file system allows); the leftovers
 * of an interrupted run are finished or removed; then the database is
 * compacted (VACUUM, WAL truncated) so no old page keeps a clear value.
 * Folders are made 0700 and files 0600 (evidence 0400). After an
 * organisation key rotation (keyrot.h) this is the re-seal: values and files
 * sealed to the retiring key (opened with it) are re-sealed to the new one;
 * then, under the write lock, meta reseal_vkey is set to "" and every
 * retired keys/org*.key file is overwritten and removed (docs/vault.md
 * "Re-sealing after a rotation"); CONSTAT_ECONFLICT if a value was sealed to
 * the retiring key meanwhile (run it again). Needs the vault's
 * keys. Interrupted at any point (kill -9), running it again loses nothing
 * and leaves nothing in clear. Errors: CONSTAT_ECRYPTO (opened without its
 * keys), CONSTAT_EVERIFY (an evidence file whose contents do not hash to
 * its name: the store is damaged, nothing more is done to that file),
 * CONSTAT_EIO, CONSTAT_ENOMEM. */
constat_status constat_vault_seal_existing(constat_vault *v, constat_seal_step_fn step,
                                           void *ctx, constat_seal_stats *stats,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

/* Change the passphrase of the sealed vault in `dir` from `old` to `new_pass`
 * (non-empty): every key file (the .key files of keys/ and keys/monitors/) is re-sealed
 * under a key derived from new_pass with a fresh salt, written into
 * keys.new/ and fsync'd, then keys.new/ and keys/ are swapped in one atomic
 * rename (renameat2 RENAME_EXCHANGE) and the old files removed. A crash
 * leaves either the old or the new set in keys/, never a mix; a keys.new/
 * left by one is removed by the next run. Runs under the database's write
 * lock, so no monitor is enrolled meanwhile.
 * Errors: CONSTAT_ECRYPTO (wrong old passphrase), CONSTAT_EINVAL (empty new
 * passphrase, or the vault's keys are not sealed: it has no passphrase to
 * change), CONSTAT_EIO. */
constat_status constat_vault_passwd(const char *dir, const char *old, const char *new_pass,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

#endif
