/*
 * csv.h — a streaming RFC 4180 CSV reader (docs/formats.md, "CSV syntax").
 *
 * Accepted syntax: comma separator; fields optionally enclosed in double
 * quotes, with "" standing for one quote inside a quoted field; quoted fields
 * may hold commas and line breaks; records end with LF or CRLF (the last one
 * may end at end of input without a line break). A UTF-8 byte order mark at
 * the very start is skipped. Everything must be valid UTF-8 (no overlong
 * forms, no surrogates, nothing above U+10FFFF) without NUL bytes.
 *
 * Rejected (CONSTAT_EINVAL, message "<what>: line N...": physical line
 * numbers, 1-based): a quote inside an unquoted field, anything but a comma
 * or a line end after a closing quote, a CR not followed by LF outside
 * quotes, an unterminated quoted field (naming the line where it started),
 * invalid UTF-8 or a NUL byte (naming line and byte column).
 * Limits (CONSTAT_ELIMIT, naming the line): a record of more than
 * CONSTAT_CSV_LINE_MAX bytes of input (quoted line breaks included), more
 * than CONSTAT_CSV_MAX_FIELDS fields, and optionally a total input size.
 *
 * Inside a quoted field, CRLF is stored as LF so that the same file with LF
 * or CRLF line ends yields the same field values.
 *
 * The reader holds one record plus one read buffer (64 KiB) at a time, so
 * an over-long line fails after reading about CONSTAT_CSV_LINE_MAX bytes.
 */
#ifndef CONSTAT_CSV_H
#define CONSTAT_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "constat/base/errors.h"

typedef struct constat_csv constat_csv;

/* One record. `fields[i]` is NUL-terminated UTF-8 of `lens[i]` bytes (it
 * holds no NUL itself). All pointers are owned by the reader and stay valid
 * until the next constat_csv_next or constat_csv_free. An empty line is a
 * record of one empty field. */
typedef struct {
    unsigned long line; /* physical line (1-based) where the record starts */
    size_t nfields;     /* 1..CONSTAT_CSV_MAX_FIELDS */
    const char *const *fields;
    const size_t *lens;
} constat_csv_row;

/* A reader over `len` bytes at `data`, which the caller keeps alive and
 * unchanged until constat_csv_free. `what` names the input in error
 * messages (a file name; copied; NULL means "input"). Free with
 * constat_csv_free. Errors: CONSTAT_ENOMEM. */
constat_status constat_csv_open_mem(const void *data, size_t len, const char *what,
                                    constat_csv **out, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* A reader over an open stream `f` (read from its current position; the
 * caller still owns and closes it). Same `what`, ownership and errors as
 * constat_csv_open_mem. */
constat_status constat_csv_open_file(FILE *f, const char *what, constat_csv **out,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* Refuse inputs of more than `max_bytes` bytes in total (0, the default,
 * means no limit beyond the per-record ones): constat_csv_next then fails
 * with CONSTAT_ELIMIT as soon as byte max_bytes + 1 is read. */
void constat_csv_set_max_bytes(constat_csv *r, uint64_t max_bytes);

/* Read the next record into `row` and set *got = 1, or set *got = 0 at the
 * end of input (an empty input, or one holding only a BOM, has no records).
 * Errors: CONSTAT_EINVAL (syntax, UTF-8, NUL: see the top of this file),
 * CONSTAT_ELIMIT (record size, field count, total size), CONSTAT_EIO (read
 * error on the stream). After an error every later call fails again. */
constat_status constat_csv_next(constat_csv *r, constat_csv_row *row, int *got,
                                constat_error *err) CONSTAT_WARN_UNUSED;

/* Total input bytes consumed so far (the BOM included). */
uint64_t constat_csv_bytes_read(const constat_csv *r);

/* Release the reader (NULL is fine). Does not close a FILE. */
void constat_csv_free(constat_csv *r);

#endif
