/*
 * csv.c — streaming RFC 4180 reader (see csv.h and docs/formats.md).
 *
 * One pass, one byte at a time, through a small state machine. The record
 * being built lives in one block sized for the largest record allowed
 * (CONSTAT_CSV_LINE_MAX bytes of field data plus a NUL per field), so no
 * input can make the reader grow: an over-long line is refused as soon as it
 * passes the limit, without reading the rest of it. UTF-8 is checked by a
 * byte-wise decoder so the error can name the exact line and byte column,
 * including for sequences split across read-buffer boundaries.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "constat/record/csv.h"
#include "constat/base/limits.h"

#define READ_CHUNK (64u * 1024u)
#define REC_CAP (CONSTAT_CSV_LINE_MAX + CONSTAT_CSV_MAX_FIELDS + 1u)

/* What next_byte returns besides a byte value. */
#define B_EOF (-1)
#define B_IOERR (-2)
#define B_LIMIT (-3)
#define B_NONE (-4)

struct constat_csv {
    /* source: either a memory block or a stream with a read buffer */
    const unsigned char *mem;
    size_t mem_len;
    FILE *f;
    unsigned char *rbuf;
    size_t rlen, rpos;
    int src_eof;

    char *what;
    uint64_t total;     /* bytes consumed */
    uint64_t max_total; /* 0 = no limit */
    int started;        /* BOM check done */
    int failed;
    int pushback;       /* one byte of look-ahead, or B_NONE */

    unsigned long line; /* physical line of the next byte */
    unsigned long col;  /* byte column of the last byte read (1-based) */

    char *rec; /* REC_CAP bytes */
    size_t rec_len;
    const char *fields[CONSTAT_CSV_MAX_FIELDS];
    size_t lens[CONSTAT_CSV_MAX_FIELDS];
    size_t offs[CONSTAT_CSV_MAX_FIELDS];
};

static constat_status alloc_reader(const char *what, constat_csv **out, constat_error *err)
{
    constat_csv *r = calloc(1, sizeof *r);
    if (!r)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    r->what = strdup(what ? what : "input");
    r->rec = malloc(REC_CAP);
    if (!r->what || !r->rec) {
        constat_csv_free(r);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    r->line = 1;
    r->pushback = B_NONE;
    *out = r;
    return CONSTAT_OK;
}

constat_status constat_csv_open_mem(const void *data, size_t len, const char *what,
                                    constat_csv **out, constat_error *err)
{
    constat_status st;
    *out = NULL;
    st = alloc_reader(what, out, err);
    if (st != CONSTAT_OK)
        return st;
    (*out)->mem = data;
    (*out)->mem_len = data ? len : 0;
    (*out)->src_eof = 1;
    /* the memory block is the read buffer */
    (*out)->rlen = (*out)->mem_len;
    return CONSTAT_OK;
}

constat_status constat_csv_open_file(FILE *f, const char *what, constat_csv **out,
                                     constat_error *err)
{
    constat_status st;
    *out = NULL;
    st = alloc_reader(what, out, err);
    if (st != CONSTAT_OK)
        return st;
    (*out)->f = f;
    (*out)->rbuf = malloc(READ_CHUNK);
    if (!(*out)->rbuf) {
        constat_csv_free(*out);
        *out = NULL;
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    return CONSTAT_OK;
}

void constat_csv_set_max_bytes(constat_csv *r, uint64_t max_bytes)
{
    r->max_total = max_bytes;
}

uint64_t constat_csv_bytes_read(const constat_csv *r)
{
    return r->total;
}

void constat_csv_free(constat_csv *r)
{
    if (!r)
        return;
    free(r->what);
    free(r->rec);
    free(r->rbuf);
    free(r);
}

static const unsigned char *buf_base(const constat_csv *r)
{
    return r->f ? r->rbuf : r->mem;
}

/* Make at least one unread byte available; 0 at end, -1 on a read error. */
static int fill(constat_csv *r)
{
    if (r->rpos < r->rlen)
        return 1;
    if (r->src_eof)
        return 0;
    r->rlen = fread(r->rbuf, 1, READ_CHUNK, r->f);
    r->rpos = 0;
    if (r->rlen == 0) {
        r->src_eof = 1;
        return ferror(r->f) ? -1 : 0;
    }
    return 1;
}

/* Skip a UTF-8 BOM at the very start. fread only returns a short count at
 * end of file, so the first chunk holds all three BOM bytes if there are. */
static int skip_bom(constat_csv *r)
{
    int fr = fill(r);
    const unsigned char *b;
    if (fr <= 0)
        return fr;
    b = buf_base(r) + r->rpos;
    if (r->rlen - r->rpos >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        r->rpos += 3;
        r->total += 3;
    }
    return 1;
}

static int next_byte(constat_csv *r)
{
    int c, fr;
    if (r->pushback != B_NONE) {
        c = r->pushback;
        r->pushback = B_NONE;
        return c;
    }
    fr = fill(r);
    if (fr < 0)
        return B_IOERR;
    if (fr == 0)
        return B_EOF;
    if (r->max_total && r->total >= r->max_total)
        return B_LIMIT;
    c = buf_base(r)[r->rpos++];
    r->total++;
    return c;
}

/* Look at the next byte without consuming it (line/col untouched). */
static int peek_byte(constat_csv *r)
{
    if (r->pushback == B_NONE)
        r->pushback = next_byte(r);
    return r->pushback;
}

/*
 * Incremental UTF-8 check (RFC 3629). `need` counts continuation bytes still
 * expected; lo/hi bound the next one (tightened after E0, ED, F0, F4 so that
 * overlong forms, surrogates and values above U+10FFFF are refused).
 */
typedef struct {
    int need;
    unsigned char lo, hi;
} utf8_state;

static int utf8_step(utf8_state *s, int c)
{
    if (s->need) {
        if (c < s->lo || c > s->hi)
            return -1;
        s->need--;
        s->lo = 0x80;
        s->hi = 0xBF;
        return 0;
    }
    if (c < 0x80)
        return 0;
    s->lo = 0x80;
    s->hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        s->need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        s->need = 2;
        if (c == 0xE0)
            s->lo = 0xA0;
        else if (c == 0xED)
            s->hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        s->need = 3;
        if (c == 0xF0)
            s->lo = 0x90;
        else if (c == 0xF4)
            s->hi = 0x8F;
    } else {
        return -1;
    }
    return 0;
}

enum { ST_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN };

static constat_status fail(constat_csv *r, constat_error *err, constat_status code,
                           const char *fmt, ...) CONSTAT_PRINTF(4, 5);

static constat_status fail(constat_csv *r, constat_error *err, constat_status code,
                           const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    r->failed = 1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return constat_error_set(err, code, "%s: %s", r->what, msg);
}

constat_status constat_csv_next(constat_csv *r, constat_csv_row *row, int *got,
                                constat_error *err)
{
    int state = ST_START;
    size_t nf = 0;
    size_t raw = 0; /* input bytes of this record, line break excluded */
    unsigned long rec_line, quote_line = 0;
    utf8_state u = {0, 0x80, 0xBF};

    *got = 0;
    if (r->failed)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: reader stopped after an error",
                                 r->what);
    if (!r->started) {
        r->started = 1;
        if (skip_bom(r) < 0)
            return fail(r, err, CONSTAT_EIO, "read error: %s", strerror(errno));
    }
    rec_line = r->line;
    r->rec_len = 0;
    r->offs[0] = 0;

    for (;;) {
        int c = next_byte(r);
        int end_field = 0, end_record = 0;

        if (c == B_IOERR)
            return fail(r, err, CONSTAT_EIO, "line %lu: read error: %s", r->line,
                        strerror(errno));
        if (c == B_LIMIT)
            return fail(r, err, CONSTAT_ELIMIT, "line %lu: input larger than %llu bytes",
                        r->line, (unsigned long long)r->max_total);
        if (c == B_EOF) {
            if (u.need)
                return fail(r, err, CONSTAT_EINVAL,
                            "line %lu, byte %lu: invalid UTF-8 (truncated sequence at end of input)",
                            r->line, r->col);
            if (state == ST_QUOTED)
                return fail(r, err, CONSTAT_EINVAL,
                            "line %lu: unterminated quoted field (field %zu) at end of input",
                            quote_line, nf + 1);
            if (state == ST_START && nf == 0 && raw == 0)
                return CONSTAT_OK; /* clean end of input */
            end_record = 1;
        } else {
            /* a byte: position, NUL, UTF-8, size limit */
            r->col++;
            if (c == 0)
                return fail(r, err, CONSTAT_EINVAL, "line %lu, byte %lu: NUL byte",
                            r->line, r->col);
            if (utf8_step(&u, c) < 0)
                return fail(r, err, CONSTAT_EINVAL,
                            "line %lu, byte %lu (field %zu): invalid UTF-8", r->line,
                            r->col, nf + 1);
            if (c == '\n') {
                r->line++;
                r->col = 0;
            }
        }

        if (!end_record) {
            int append = -1;
            switch (state) {
            case ST_START:
            case ST_UNQUOTED:
                if (c == ',') {
                    end_field = 1;
                } else if (c == '\n') {
                    end_record = 1;
                } else if (c == '\r') {
                    int p = peek_byte(r);
                    if (p != '\n' && p != B_IOERR && p != B_LIMIT)
                        return fail(r, err, CONSTAT_EINVAL,
                                    "line %lu, byte %lu: carriage return not followed by a line feed outside quotes",
                                    r->line, r->col);
                    /* the LF is consumed on the next turn and ends the record */
                } else if (c == '"') {
                    if (state == ST_UNQUOTED)
                        return fail(r, err, CONSTAT_EINVAL,
                                    "line %lu, byte %lu (field %zu): quote inside an unquoted field",
                                    r->line, r->col, nf + 1);
                    state = ST_QUOTED;
                    quote_line = r->line;
                } else {
                    append = c;
                    state = ST_UNQUOTED;
                }
                break;
            case ST_QUOTED:
                if (c == '"')
                    state = ST_QUOTE_SEEN;
                else if (c == '\r' && peek_byte(r) == '\n')
                    ; /* CRLF inside quotes is stored as its LF */
                else
                    append = c;
                break;
            case ST_QUOTE_SEEN:
                if (c == '"') {
                    append = '"';
                    state = ST_QUOTED;
                } else if (c == ',') {
                    end_field = 1;
                } else if (c == '\n') {
                    end_record = 1;
                } else if (c == '\r' && peek_byte(r) == '\n') {
                    state = ST_UNQUOTED; /* the LF ends the record next turn */
                } else {
                    return fail(r, err, CONSTAT_EINVAL,
                                "line %lu, byte %lu (field %zu): unexpected character after closing quote",
                                r->line, r->col, nf + 1);
                }
                break;
            }
            if (!end_record && ++raw > CONSTAT_CSV_LINE_MAX) {
                if (state == ST_QUOTED)
                    return fail(r, err, CONSTAT_ELIMIT,
                                "line %lu: record longer than %u bytes (the quoted field opened on line %lu is still open)",
                                rec_line, (unsigned)CONSTAT_CSV_LINE_MAX, quote_line);
                return fail(r, err, CONSTAT_ELIMIT, "line %lu: record longer than %u bytes",
                            rec_line, (unsigned)CONSTAT_CSV_LINE_MAX);
            }
            if (append >= 0)
                r->rec[r->rec_len++] = (char)append;
        }

        if (end_field || end_record) {
            r->rec[r->rec_len] = '\0';
            r->lens[nf] = r->rec_len - r->offs[nf];
            r->rec_len++;
            nf++;
            state = ST_START;
            if (end_record)
                break;
            if (nf >= CONSTAT_CSV_MAX_FIELDS)
                return fail(r, err, CONSTAT_ELIMIT, "line %lu: more than %u fields",
                            rec_line, (unsigned)CONSTAT_CSV_MAX_FIELDS);
            r->offs[nf] = r->rec_len;
        }
    }

    for (size_t i = 0; i < nf; i++)
        r->fields[i] = r->rec + r->offs[i];
    row->line = rec_line;
    row->nfields = nf;
    row->fields = r->fields;
    row->lens = r->lens;
    *got = 1;
    return CONSTAT_OK;
}
