/*
 * canon.h — JSON parsing with the rules evidence needs, and the RFC 8785
 * JSON Canonicalization Scheme (JCS) writer.
 *
 * Parsing (constat_json_parse) rejects what would let two parsers read one
 * signed text differently: duplicate object keys (also when they differ only
 * by escaping, "\u0069d" vs "id"), invalid UTF-8, lone surrogates, NUL in
 * strings, nesting deeper than CONSTAT_JSON_MAX_DEPTH, trailing bytes, and
 * integers beyond 64 bits. Values are jansson json_t (the caller owns the
 * returned reference and releases it with json_decref).
 */
#ifndef CONSTAT_CANON_H
#define CONSTAT_CANON_H

#include <stddef.h>
#include <jansson.h>
#include "buf.h"
#include "errors.h"

/* Parse `len` bytes of UTF-8 JSON text (one value, optional surrounding
 * whitespace). `what` names the input in error messages ("record.json",
 * "line 12"). On success *out holds a new reference.
 * Errors: CONSTAT_EINVAL (syntax, duplicate key, bad UTF-8; message gives
 * line and column), CONSTAT_ELIMIT (depth, or len > CONSTAT_RECORD_MAX_BYTES
 * when `limit_record` is non-zero), CONSTAT_ENOMEM. */
constat_status constat_json_parse(const char *text, size_t len, const char *what,
                                  int limit_record, json_t **out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* Append the RFC 8785 canonical form of `v` to `out`: object members sorted
 * by UTF-16 code units (section 3.2.3), strings with the minimal escapes of
 * section 3.2.2.2, numbers in ECMAScript Number-to-String form (section
 * 3.2.2.3; integers are converted to IEEE-754 doubles first).
 * Errors: CONSTAT_EINVAL (NaN or infinity, invalid UTF-8 in a string),
 * CONSTAT_ENOMEM. */
constat_status constat_canon(const json_t *v, constat_buf *out,
                             constat_error *err) CONSTAT_WARN_UNUSED;

/* Parse then canonicalise: the JCS bytes of the JSON text `text`.
 * Errors: those of constat_json_parse and constat_canon. */
constat_status constat_canon_text(const char *text, size_t len, constat_buf *out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* ECMAScript Number::toString of a finite double (RFC 8785 section 3.2.2.3)
 * into `out` (at least 32 bytes). Errors: CONSTAT_EINVAL for NaN/infinity. */
constat_status constat_canon_number(double d, char out[32]);

#endif
