/* buf.c — growable byte buffer (see buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/buf.h"

void constat_buf_init(constat_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void constat_buf_free(constat_buf *b)
{
    free(b->data);
    constat_buf_init(b);
}

void constat_buf_reset(constat_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

constat_status constat_buf_reserve(constat_buf *b, size_t extra)
{
    size_t need, cap;
    unsigned char *p;

    if (extra > SIZE_MAX - b->len - 1)
        return CONSTAT_ENOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return CONSTAT_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (!p)
        return CONSTAT_ENOMEM;
    b->data = p;
    b->cap = cap;
    return CONSTAT_OK;
}

constat_status constat_buf_append(constat_buf *b, const void *p, size_t n)
{
    constat_status st = constat_buf_reserve(b, n);
    if (st != CONSTAT_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return CONSTAT_OK;
}

constat_status constat_buf_puts(constat_buf *b, const char *s)
{
    return constat_buf_append(b, s, strlen(s));
}

constat_status constat_buf_printf(constat_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    constat_status st;

    /* one formatting pass when the text fits the room left, a second only
     * after the buffer grew (the report prints millions of short lines) */
    va_start(ap, fmt);
    n = vsnprintf(room ? (char *)b->data + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        if (b->data)
            b->data[b->len] = 0;
        return CONSTAT_EINTERNAL;
    }
    if ((size_t)n < room) {
        b->len += (size_t)n;
        return CONSTAT_OK;
    }
    st = constat_buf_reserve(b, (size_t)n);
    if (st != CONSTAT_OK) {
        if (b->data)
            b->data[b->len] = 0;
        return st;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CONSTAT_OK;
}

constat_status constat_buf_put_u64(constat_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    constat_status st;

    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if ((st = constat_buf_reserve(b, n)) != CONSTAT_OK)
        return st;
    memcpy(b->data + b->len, tmp + sizeof tmp - n, n);
    b->len += n;
    b->data[b->len] = 0;
    return CONSTAT_OK;
}

constat_status constat_buf_put_i64(constat_buf *b, int64_t v)
{
    constat_status st;
    if (v >= 0)
        return constat_buf_put_u64(b, (uint64_t)v);
    if ((st = constat_buf_append(b, "-", 1)) != CONSTAT_OK)
        return st;
    return constat_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
}

unsigned char *constat_buf_detach(constat_buf *b, size_t *len)
{
    unsigned char *p = b->data;
    if (len)
        *len = b->len;
    constat_buf_init(b);
    return p;
}
