/*
 * buf.h — a growable byte buffer. Invariant: after constat_buf_init,
 * `data` is either NULL (len == 0) or a heap block of `cap` bytes owned by the
 * buffer, and data[len] == 0 whenever data != NULL (so text can be used as a
 * C string). Release with constat_buf_free.
 */
#ifndef CONSTAT_BUF_H
#define CONSTAT_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/errors.h"

typedef struct {
    unsigned char *data;
    size_t len;
    size_t cap;
} constat_buf;

void constat_buf_init(constat_buf *b);
/* Free the memory and re-initialise. Safe on an initialised empty buffer. */
void constat_buf_free(constat_buf *b);
/* Set len to 0, keep the memory. */
void constat_buf_reset(constat_buf *b);
/* Make room for `extra` more bytes. Errors: CONSTAT_ENOMEM. */
constat_status constat_buf_reserve(constat_buf *b, size_t extra);
/* Append `n` bytes. Errors: CONSTAT_ENOMEM. */
constat_status constat_buf_append(constat_buf *b, const void *p, size_t n);
/* Append a NUL-terminated string (without its NUL). Errors: CONSTAT_ENOMEM. */
constat_status constat_buf_puts(constat_buf *b, const char *s);
/* Append printf-style text. Errors: CONSTAT_ENOMEM. */
constat_status constat_buf_printf(constat_buf *b, const char *fmt, ...)
    CONSTAT_PRINTF(2, 3);
/* Append the decimal digits of `v` (no sign, no padding: what "%" PRIu64
 * prints), without the cost of printf, for the millions of leaf indices a
 * report lists. Errors: CONSTAT_ENOMEM. */
constat_status constat_buf_put_u64(constat_buf *b, uint64_t v);
/* Append `v` in decimal, with a '-' when negative (what "%" PRId64 prints,
 * INT64_MIN included). Errors: CONSTAT_ENOMEM. */
constat_status constat_buf_put_i64(constat_buf *b, int64_t v);
/* Hand the memory to the caller (free() it); the buffer is re-initialised.
 * Returns NULL for an empty buffer that never allocated. */
unsigned char *constat_buf_detach(constat_buf *b, size_t *len);

#endif
