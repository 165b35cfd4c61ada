/* dynlib.c — shared libraries loaded on first use (dynlib.h). */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

/* dlopen and dlsym every name; on failure d->why says why */
static constat_status load(constat_dynlib *d)
{
    void *got[CONSTAT_DYNLIB_MAX_SYMBOLS], *h;
    if (d->n > CONSTAT_DYNLIB_MAX_SYMBOLS) {
        snprintf(d->why, sizeof d->why, "%s: %zu symbols asked, at most %d", d->soname, d->n,
                 CONSTAT_DYNLIB_MAX_SYMBOLS);
        return CONSTAT_EINTERNAL;
    }
    h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(d->why, sizeof d->why, "cannot load %s: %s", d->soname, why ? why : "?");
        return CONSTAT_EIO;
    }
    for (size_t i = 0; i < d->n; i++) {
        dlerror();
        got[i] = dlsym(h, d->names[i]);
        if (!got[i]) {
            const char *why = dlerror();
            snprintf(d->why, sizeof d->why, "%s: no symbol %s%s%s", d->soname, d->names[i],
                     why ? ": " : "", why ? why : "");
            dlclose(h);
            return CONSTAT_EIO;
        }
    }
    /* data pointers stored as function pointers: the same size (POSIX) */
    for (size_t i = 0; i < d->n; i++)
        memcpy((char *)d->fns + i * sizeof(void (*)(void)), &got[i], sizeof got[i]);
    return CONSTAT_OK;
}

constat_status constat_dynlib_use(constat_dynlib *d, constat_error *err)
{
    constat_status st;
    pthread_mutex_lock(&dynlib_lock);
    if (!d->tried) {
        d->st = load(d);
        d->tried = 1;
    }
    st = d->st;
    pthread_mutex_unlock(&dynlib_lock);
    if (st != CONSTAT_OK)
        return constat_error_set(err, st, "%s", d->why);
    return CONSTAT_OK;
}
