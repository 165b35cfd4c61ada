/* errors.c — the constat_error helpers (see errors.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "constat/base/errors.h"

constat_status constat_error_set(constat_error *err, constat_status code,
                                 const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

constat_status constat_error_prefix(constat_error *err, const char *fmt, ...)
{
    char prefix[CONSTAT_ERROR_MSG_MAX];
    char old[CONSTAT_ERROR_MSG_MAX];
    va_list ap;

    if (!err)
        return CONSTAT_EINTERNAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    {
        size_t pl = strnlen(prefix, sizeof err->msg - 1);
        memcpy(err->msg, prefix, pl);
        /* keep as much of the old message as fits after the prefix */
        size_t ol = strnlen(old, sizeof err->msg - 1 - pl);
        memcpy(err->msg + pl, old, ol);
        err->msg[pl + ol] = '\0';
    }
    return err->code;
}

void constat_error_clear(constat_error *err)
{
    if (err) {
        err->code = CONSTAT_OK;
        err->msg[0] = '\0';
    }
}

const char *constat_status_name(constat_status code)
{
    switch (code) {
    case CONSTAT_OK: return "ok";
    case CONSTAT_EINVAL: return "bad input";
    case CONSTAT_EVERIFY: return "verification failed";
    case CONSTAT_EIO: return "i/o error";
    case CONSTAT_ENOTFOUND: return "not found";
    case CONSTAT_ECONFLICT: return "conflict";
    case CONSTAT_ENOMEM: return "out of memory";
    case CONSTAT_ELIMIT: return "limit exceeded";
    case CONSTAT_ECRYPTO: return "key error";
    case CONSTAT_EINTERNAL: return "internal error";
    }
    return "unknown error";
}

int constat_status_exit_code(constat_status code)
{
    switch (code) {
    case CONSTAT_OK: return 0;
    case CONSTAT_EVERIFY: return 1;
    case CONSTAT_EINVAL:
    case CONSTAT_ELIMIT:
    case CONSTAT_ENOTFOUND:
    case CONSTAT_ECONFLICT: return 2;
    default: return 3;
    }
}
