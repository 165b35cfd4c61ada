/*
 * errors.h — the one error convention of libconstat.
 *
 * Every library function that can fail returns a constat_status: 0 on
 * success, a negative code naming the kind of failure otherwise. It also
 * fills an optional caller-owned constat_error (pass NULL to ignore) with a
 * message that names the file, line, field or record involved. The library
 * never prints and never exits; the CLI maps codes to exit statuses:
 *   CONSTAT_EVERIFY -> 1, CONSTAT_EINVAL/ELIMIT/ENOTFOUND/ECONFLICT -> 2,
 *   CONSTAT_EIO/ENOMEM/ECRYPTO/EINTERNAL -> 3.
 */
#ifndef CONSTAT_ERRORS_H
#define CONSTAT_ERRORS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define CONSTAT_WARN_UNUSED __attribute__((warn_unused_result))
#define CONSTAT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CONSTAT_WARN_UNUSED
#define CONSTAT_PRINTF(f, a)
#endif

typedef enum {
    CONSTAT_OK = 0,
    CONSTAT_EINVAL = -1,    /* malformed or out-of-range input */
    CONSTAT_EVERIFY = -2,   /* a signature, hash or proof does not verify */
    CONSTAT_EIO = -3,       /* file system or database failure */
    CONSTAT_ENOTFOUND = -4, /* no such record, key, file or index */
    CONSTAT_ECONFLICT = -5, /* already exists, duplicate, rollback, fork */
    CONSTAT_ENOMEM = -6,    /* allocation failed */
    CONSTAT_ELIMIT = -7,    /* input exceeds a named limit (limits.h) */
    CONSTAT_ECRYPTO = -8,   /* wrong passphrase, sealed key unreadable */
    CONSTAT_EINTERNAL = -9  /* a library invariant broke (a bug) */
} constat_status;

#define CONSTAT_ERROR_MSG_MAX 512

/* Caller-owned error detail. `msg` is always NUL-terminated. */
typedef struct {
    constat_status code;
    char msg[CONSTAT_ERROR_MSG_MAX];
} constat_error;

/* Set `err` (may be NULL) to `code` and a printf-style message; returns
 * `code` so callers can write `return constat_error_set(err, ...)`. */
constat_status constat_error_set(constat_error *err, constat_status code,
                                 const char *fmt, ...) CONSTAT_PRINTF(3, 4);

/* Prefix the message already in `err` with a printf-style context
 * ("line 12: " + old message). Returns err->code (or CONSTAT_EINTERNAL if err
 * is NULL). */
constat_status constat_error_prefix(constat_error *err, const char *fmt, ...)
    CONSTAT_PRINTF(2, 3);

/* Reset `err` to CONSTAT_OK with an empty message. */
void constat_error_clear(constat_error *err);

/* Static lowercase name of a status ("bad input", "verification failed"...). */
const char *constat_status_name(constat_status code);

/* CLI exit status for a code, as listed at the top of this file. */
int constat_status_exit_code(constat_status code);

/* A verifier's failure report: fn(ctx, index, message) for each failed
 * check, `index` the 0-based leaf index the failure concerns or -1 when it
 * concerns no one leaf, `message` (valid during the call only) names the
 * record, the check and why. Used by every verification (vault.h, tlog.h,
 * verify.h). */
typedef void (*constat_failure_fn)(void *ctx, int64_t index, const char *msg);

#endif
