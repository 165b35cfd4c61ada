/*
 * org_keys.h — private to the vault layer: the files and meta rows behind
 * the organisation key once it has been rotated (keyrot.c, docs/vault.md
 * "Organisation key rotation"). vault.c implements them, because key files
 * are sealed with the vault's key-encryption key, which only it holds.
 *
 * meta "org_vkey" is the key the organisation signs with now; "org_key_file"
 * (absent: keys/org.key) its file; "seal_vkey" (absent: org_vkey) the key
 * whose X25519 form data keys are sealed to: the first organisation key,
 * kept in keys/org.key, in a vault rotated before re-sealing existed, and
 * org_vkey since. "reseal_vkey" (absent or "": none) and "reseal_key_file"
 * name the retiring sealing key while the re-seal that follows a rotation is
 * not finished (docs/vault.md "Re-sealing after a rotation"): the vault loads
 * it too, so that what is not re-sealed yet still opens; the re-seal sets
 * reseal_vkey to "" and then destroys the retired key files.
 */
#ifndef CONSTAT_ORG_KEYS_H
#define CONSTAT_ORG_KEYS_H

#include <stddef.h>
#include "constat/vault/vault.h"

/* Generate a new organisation Ed25519 key into *out (sodium_malloc'd by the
 * caller; wipe with constat_note_signer_wipe) and write it, sealed like the
 * vault's other keys, to keys/org-<hex8>.key (fsync'd): its relative name
 * into rel[rcap], its path into path[pcap] (the caller unlinks it if the
 * rotation then fails). Errors: CONSTAT_ECRYPTO (opened without its keys),
 * CONSTAT_EIO. */
constat_status constat_vault_org_key_new(constat_vault *v, constat_note_signer *out, char *rel,
                                         size_t rcap, char *path, size_t pcap,
                                         constat_error *err) CONSTAT_WARN_UNUSED;

/* After a committed rotation: `v` signs with `s` (copied) from now on and
 * seals to its X25519 form; the key it sealed to before is kept in memory
 * as the retiring key (seal.h has_old) until constat_vault_reseal_drop.
 * Errors: those of reloading the seal keys (CONSTAT_ECRYPTO, CONSTAT_EIO). */
constat_status constat_vault_org_key_switch(constat_vault *v, const constat_note_signer *s,
                                            constat_error *err) CONSTAT_WARN_UNUSED;

/* After the re-seal committed meta reseal_vkey = "": forget (wipe) the
 * retiring key. */
void constat_vault_reseal_drop(constat_vault *v);

#endif
