/* dynlib.c — shared libraries loaded on first use (dynlib.h). */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <string.h>

constat_status constat_dynlib_load(const char *soname, const char *const *names, size_t n,
                                   void *fns, constat_error *err)
{
    void *got[CONSTAT_DYNLIB_MAX_SYMBOLS], *h;
    if (n > CONSTAT_DYNLIB_MAX_SYMBOLS)
        return constat_error_set(err, CONSTAT_EINTERNAL, "%s: %zu symbols asked, at most %d",
                                 soname, n, CONSTAT_DYNLIB_MAX_SYMBOLS);
    h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return constat_error_set(err, CONSTAT_EIO, "cannot load %s: %s", soname, dlerror());
    for (size_t i = 0; i < n; i++) {
        void *sym;
        dlerror();
        sym = dlsym(h, names[i]);
        if (!sym) {
            const char *why = dlerror();
            dlclose(h);
            return constat_error_set(err, CONSTAT_EIO, "%s: no symbol %s%s%s", soname, names[i],
                                     why ? ": " : "", why ? why : "");
        }
        got[i] = sym;
    }
    /* data pointers stored as function pointers: the same size (POSIX) */
    for (size_t i = 0; i < n; i++)
        memcpy((char *)fns + i * sizeof(void (*)(void)), &got[i], sizeof got[i]);
    return CONSTAT_OK;
}
