/* trust.h — the trust file of `constat verify --trust` (dossiers and public
 * reports), parsed in verify.c. Internal to the dossier layer. */
#ifndef CONSTAT_DOSSIER_TRUST_H
#define CONSTAT_DOSSIER_TRUST_H

#include "constat/base/errors.h"
#include "constat/log/note.h"

/* One pinned key: have 1 when the file has the line, `line` its number. */
typedef struct {
    int have;
    int line;
    constat_note_verifier v;
} pinned_key;

/* Parse trust file `path` (lines "log <vkey>" / "org <vkey>", blank lines
 * and '#' comments ignored; at most one of each) into *log and *org (zero
 * them first). Errors: CONSTAT_EINVAL naming the file and line (unknown
 * line, second key, bad vkey, NUL byte, too long, no key at all), or the
 * read error (CONSTAT_ENOTFOUND, CONSTAT_EIO, CONSTAT_ELIMIT) prefixed
 * with the file name. */
constat_status constat_trust_file_parse(const char *path, pinned_key *log, pinned_key *org,
                                        constat_error *err) CONSTAT_WARN_UNUSED;

#endif
