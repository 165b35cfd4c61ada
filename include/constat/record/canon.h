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
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* Parse `len` bytes of UTF-8 JSON text (one value of any type, optional
 * surrounding whitespace; `text` need not be NUL-terminated). `what` names
 * the input in error messages ("record.json", "line 12"; NULL gives "JSON").
 * On success *out holds a new reference (json_decref it); on failure *out is
 * NULL. Depth counts nested arrays and objects: CONSTAT_JSON_MAX_DEPTH
 * levels are accepted, one more is refused. Integers are json_integer,
 * numbers with a fraction or exponent json_real.
 * Errors: CONSTAT_EINVAL (syntax, duplicate key, bad UTF-8, lone surrogate,
 * NUL byte or \u0000, integer beyond 64 bits, real overflow; message gives
 * `what`, line and column), CONSTAT_ELIMIT (depth, or len >
 * CONSTAT_RECORD_MAX_BYTES when `limit_record` is non-zero),
 * CONSTAT_ENOMEM. */
constat_status constat_json_parse(const char *text, size_t len, const char *what,
                                  int limit_record, json_t **out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* Read `len` bytes of JSON text that is already in the canonical form
 * constat_canon writes, on a short path (src/lib/record/canon_fast.c): no
 * jansson lexer, no second writing to compare. Only a subset of RFC 8785 is
 * read: no whitespace; strings without escapes or control bytes, valid UTF-8
 * (no overlong forms, no surrogates); object keys ASCII and strictly
 * increasing bytewise (JCS section 3.2.3 order for ASCII; no duplicates);
 * integers -?(0|[1-9][0-9]*) within +-2^53 and not -0 (section 3.2.2.3);
 * true, false, null; nesting at most CONSTAT_JSON_MAX_DEPTH. Text in that
 * subset is canonical by construction, so a non-NULL result means both
 * "constat_json_parse accepts it" and "constat_canon writes `text` back",
 * with the value constat_json_parse gives. Returns a new reference
 * (json_decref it), or NULL for anything outside the subset or out of
 * memory: the caller then takes the full path (constat_json_parse and
 * constat_canon), which names the error if there is one. */
json_t *constat_canon_parse_fast(const char *text, size_t len);

/* Append the RFC 8785 canonical form of `v` to `out`: object members sorted
 * by UTF-16 code units (section 3.2.3), strings with the minimal escapes of
 * section 3.2.2.2 (\b \t \n \f \r \" \\ and lowercase \u00xx for other
 * controls; everything else as UTF-8), numbers in ECMAScript
 * Number-to-String form (section 3.2.2.3; integers are converted to
 * IEEE-754 doubles first, so 2^53+1 prints as 9007199254740992).
 * On error `out` is left as it was (nothing partial is appended).
 * Errors: CONSTAT_EINVAL (NaN or infinity, invalid UTF-8 in a string or
 * key), CONSTAT_ELIMIT (nesting deeper than CONSTAT_JSON_MAX_DEPTH),
 * CONSTAT_ENOMEM. */
constat_status constat_canon(const json_t *v, constat_buf *out,
                             constat_error *err) CONSTAT_WARN_UNUSED;

/* Parse then canonicalise: append the JCS bytes of the JSON text `text`
 * (no size limit) to `out`. Unlike constat_json_parse, every number is read
 * as a double (jansson JSON_DECODE_INT_AS_REAL), as JCS itself does: integer
 * literals beyond 64 bits are accepted, and JCS output such as
 * "262100000000000000000" canonicalises to itself.
 * Errors: those of constat_json_parse (except the 64-bit integer limit) and
 * of constat_canon. */
constat_status constat_canon_text(const char *text, size_t len, constat_buf *out,
                                  constat_error *err) CONSTAT_WARN_UNUSED;

/* ECMAScript Number::toString of a double (RFC 8785 section 3.2.2.3,
 * ES2015 7.1.12.1) into `out` (32 bytes always suffice), NUL-terminated:
 * shortest round-trip digits, "1e+21" / "1e-7" exponent form outside
 * [1e-6, 1e21), -0 as "0". Errors: CONSTAT_EINVAL for NaN/infinity (out is
 * then ""). */
constat_status constat_canon_number(double d, char out[32]);

#endif
