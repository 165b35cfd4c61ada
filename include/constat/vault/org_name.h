/*
 * org_name.h — the organisation's display name (docs/vault.md "Display
 * name"): any UTF-8 text such as "Ligue des droits de l'Homme", shown in
 * reports beside the key name, which stays a signed-note key name (no
 * spaces) because keys, records and file names are named after it.
 */
#ifndef CONSTAT_VAULT_ORG_NAME_H
#define CONSTAT_VAULT_ORG_NAME_H

#include <stddef.h>
#include "constat/base/errors.h"

/* Longest display name, in bytes. */
#define CONSTAT_ORG_DISPLAY_MAX 200

/* Check a display name: 1-CONSTAT_ORG_DISPLAY_MAX bytes of valid UTF-8
 * (no overlong forms, no surrogates), not starting or ending with a space,
 * without control characters (U+0000-U+001F, U+007F-U+009F) or
 * bidirectional controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).
 * Errors: CONSTAT_EINVAL saying which rule and at which byte. */
constat_status constat_org_display_check(const char *name, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* A key name derived from a display name, into out[cap] (cap >= 2): ASCII
 * letters lower-cased and digits kept, the accented Latin letters of
 * U+00C0..U+00FF and Œ/œ folded to their letters ("Été" -> "ete",
 * "Straße" -> "strasse"), every other run of bytes one '-',
 * none at either end, at most 64 bytes ("Ligue des droits de l'Homme" ->
 * "ligue-des-droits-de-l-homme"). Returns 0, or -1 when nothing is left
 * (a name of no ASCII letter or digit: give --org). */
int constat_org_key_name(const char *display, char *out, size_t cap);

/* Write DIR/org-name (the display name and a newline, mode 0644, replacing
 * it atomically). Errors: those of constat_org_display_check, CONSTAT_EIO
 * naming the file. */
constat_status constat_org_display_write(const char *dir, const char *name, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Read DIR/org-name into out[cap] (cap > CONSTAT_ORG_DISPLAY_MAX), without
 * its newline. Errors: CONSTAT_ENOTFOUND (no display name set),
 * CONSTAT_EINVAL (the file does not hold a valid display name), CONSTAT_EIO. */
constat_status constat_org_display_read(const char *dir, char *out, size_t cap,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

/* The organisation as reports and dossiers show it, into out[cap]:
 * "DISPLAY (KEY)" when `display` is given and not NULL or empty, else
 * "KEY" (truncated to cap - 1 bytes; cap >= 1). The same bytes wherever it
 * is rendered, so a verifier renders the report again identically. */
void constat_org_shown(const char *display, const char *key, char *out, size_t cap);

#endif
