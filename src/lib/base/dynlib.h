/*
 * dynlib.h — private: load a shared library when it is first needed.
 *
 * libcurl (and through it GnuTLS, Kerberos, LDAP, libssh2 ...), libmicrohttpd
 * and libmagic are big, and most commands use none of them: linked at start
 * they cost every run several MiB of resident memory and their constructors'
 * time (GnuTLS and p11-kit initialise themselves on load). The files that use
 * them (base/http.c, evidence/evidence.c, src/server/witness_http.c) resolve
 * their functions here on first use instead. The library names are the
 * sonames of the Debian packages the build uses (libcurl.so.4,
 * libmicrohttpd.so.12, libmagic.so.1), the same on bookworm and trixie.
 */
#ifndef CONSTAT_DYNLIB_H
#define CONSTAT_DYNLIB_H

#include <stddef.h>

#include "constat/base/errors.h"

#define CONSTAT_DYNLIB_MAX_SYMBOLS 32

/* Open `soname` (dlopen, RTLD_NOW | RTLD_LOCAL) and resolve the `n` symbols
 * `names` into `fns`, an array of n function pointers of any type, in order
 * (POSIX: function and object pointers have one size). The handle is never
 * closed. Errors: CONSTAT_EIO naming the library and dlerror()'s reason,
 * CONSTAT_EINTERNAL for more than CONSTAT_DYNLIB_MAX_SYMBOLS names; then no
 * slot is set. Thread-safe only under the caller's pthread_once. */
constat_status constat_dynlib_load(const char *soname, const char *const *names, size_t n,
                                   void *fns, constat_error *err);

#endif
