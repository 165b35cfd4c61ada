/*
 * shred.h — destroying a stored evidence file for an erasure (docs/vault.md
 * "Erasure"): overwritten with zeros and synced, then unlinked.
 */
#ifndef CONSTAT_SHRED_H
#define CONSTAT_SHRED_H

#include "constat/base/errors.h"

/* Shred the evidence file of SHA-256 `hex` (64 lowercase hex) stored under
 * vault `root` (constat_evidence_path): its bytes overwritten with zeros in
 * place and fsync'd, then the file unlinked and its folder fsync'd.
 * Overwriting in place is what a file system allows from user space: on
 * copy-on-write or journalled-data file systems and on flash the old blocks
 * may survive (docs/threat-model.md). *removed (may be NULL) is 1 if the file
 * was there, 0 if it was already gone (not an error: a resumed erasure).
 * Errors: CONSTAT_EINVAL (hex), CONSTAT_EIO (cannot open, write or unlink). */
constat_status constat_evidence_shred(const char *root, const char *hex, int *removed,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

#endif
