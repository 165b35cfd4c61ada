/*
 * monitor_keys.h — private to the vault layer: the files and the meta row
 * behind a monitor's current key once it has been rotated (keylife.c,
 * docs/vault.md "Rotation"). vault.c implements them, because the key files
 * are sealed with the vault's key-encryption key, which only it holds.
 *
 * An enrolled monitor's key is keys/monitors/<name>.key, its public key the
 * monitors row. After a rotation, meta "monitor_key:<name>" holds the new
 * verifier key string and the key file is keys/monitors/<name>+<hex8>.key
 * (the key id: '+' is never part of a monitor name, so no two monitors'
 * files meet). constat_vault_monitor_key reads through the meta row.
 */
#ifndef CONSTAT_MONITOR_KEYS_H
#define CONSTAT_MONITOR_KEYS_H

#include <stddef.h>
#include "constat/base/buf.h"
#include "constat/vault/vault.h"

/* The meta key holding the current vkey of monitor `name` after a
 * rotation, into out[cap] ("monitor_key:<name>"). 0, or -1 if too long. */
int constat_monitor_key_meta(const char *name, char *out, size_t cap);

/* Generate a new Ed25519 key for monitor `name` (enrolled, its key held by
 * the vault) and write it, sealed like the vault's other keys, to
 * keys/monitors/<name>+<hex8>.key (fsync'd; a file left there by a rotation
 * that never committed is replaced). The verifier key string goes into
 * vkey[cap], the file's path into path[pcap] (the caller unlinks it if the
 * rotation then fails). Errors: CONSTAT_ECRYPTO (opened without its keys),
 * CONSTAT_EINVAL (name too long), CONSTAT_EIO. */
constat_status constat_vault_monitor_key_new(constat_vault *v, const char *name, char *vkey,
                                             size_t cap, char *path, size_t pcap,
                                             constat_error *err) CONSTAT_WARN_UNUSED;

#endif
