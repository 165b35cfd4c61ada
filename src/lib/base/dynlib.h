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

/* One library and the functions taken from it: `fns` points to a struct of
 * `n` function pointers of any type, in the order of `names` (POSIX: function
 * and object pointers have one size). Define one per library with
 * CONSTAT_DYNLIB(soname, names, fns) at file scope. */
typedef struct {
    const char *soname;
    const char *const *names;
    size_t n;
    void *fns;
    int tried;          /* set once the load was attempted */
    constat_status st;  /* its outcome */
    char why[256];      /* and, on failure, why */
} constat_dynlib;
#define CONSTAT_DYNLIB(soname, names, fns) \
    {(soname), (names), sizeof(names) / sizeof((names)[0]), &(fns), 0, CONSTAT_EIO, ""}

/* Load d's library (dlopen, RTLD_NOW | RTLD_LOCAL) and fill its functions on
 * the first call; later calls return the first outcome at once. Thread-safe
 * (one lock for all libraries). The handle is never closed. Errors:
 * CONSTAT_EIO naming the library and dlerror()'s reason (then no function
 * is set), CONSTAT_EINTERNAL for more than CONSTAT_DYNLIB_MAX_SYMBOLS names. */
constat_status constat_dynlib_use(constat_dynlib *d, constat_error *err);

#endif
