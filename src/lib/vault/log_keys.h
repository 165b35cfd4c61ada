/*
 * log_keys.h — private to the vault layer: the files and meta rows behind
 * the log (checkpoint-signing) key once it has been rotated (keyrot_log.c,
 * docs/vault.md "Log key rotation"). vault.c implements them, because key
 * files are sealed with the vault's key-encryption key, which only it holds.
 *
 * meta "log_vkey" is the key that signs checkpoints now; "log_key_file"
 * (absent: keys/log.key) its file. The retired log key files are destroyed
 * right after the rotation commits (keyrot_log.c).
 */
#ifndef CONSTAT_LOG_KEYS_H
#define CONSTAT_LOG_KEYS_H

#include <stddef.h>
#include "constat/base/errors.h"
#include "constat/log/note.h"
#include "constat/vault/vault.h"

/* Generate a new log Ed25519 key (note name: the log's origin) into *out
 * (sodium_malloc'd by the caller; wipe with constat_note_signer_wipe) and
 * write it, sealed like the vault's other keys, to keys/log-<hex8>.key
 * (fsync'd): its relative name into rel[rcap], its path into path[pcap] (the
 * caller unlinks it if the rotation then fails). Errors: CONSTAT_ECRYPTO
 * (opened without its keys), CONSTAT_EIO. */
constat_status constat_vault_log_key_new(constat_vault *v, constat_note_signer *out, char *rel,
                                         size_t rcap, char *path, size_t pcap,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* After a committed rotation: `v` signs checkpoints with `s` (copied); the
 * retired key is wiped from memory. */
void constat_vault_log_key_switch(constat_vault *v, const constat_note_signer *s);

/* Destroy the log key files no meta row names: every keys/log.key and
 * keys/log-<hex8>.key but the current log_key_file (absent: keys/log.key;
 * overwritten with zeros, fsync'd, removed; then the folder fsync'd).
 * Nothing on a vault opened without its keys. Errors: CONSTAT_EIO. */
constat_status constat_vault_log_keys_shred(constat_vault *v,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

#endif
