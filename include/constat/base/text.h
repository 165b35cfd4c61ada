/*
 * text.h — escaping record-derived text for the places people read it:
 * terminals and Markdown (VERIFY.md), HTML and SVG (the report), CSV.
 *
 * Text from records, dossiers and other outside input is hostile: a place
 * name holding a newline would print as a second line of `constat log`
 * that is no record; ESC [ sequences would recolour or clear the terminal;
 * a right-to-left override (U+202E) would make "gpj.exe" read as "exe.jpg"
 * and reorder the rest of the line. The escapers below make every such
 * character visible instead (docs/formats.md, "Text shown to people"):
 *
 *   C0 controls U+0000..U+001F and DEL   \xNN (two lowercase hex digits),
 *                                        e.g. newline -> \x0a, ESC -> \x1b
 *   C1 controls U+0080..U+009F           <U+0085>
 *   bidirectional embeddings, overrides  <U+202A> .. <U+202E>,
 *   and isolates, and the marks          <U+2066> .. <U+2069>,
 *   LRM, RLM, ALM                        <U+200E> <U+200F> <U+061C>
 *   line and paragraph separators        <U+2028> <U+2029>
 *   the non-characters U+FFFE, U+FFFF    <U+FFFE> <U+FFFF>
 *   a byte that is not valid UTF-8       \xNN (the byte: overlongs,
 *                                        surrogates, above U+10FFFF, cut)
 *
 * Everything else (printable ASCII, letters of any script, emoji) is kept
 * as is, so names stay readable. A backslash is kept too: the output is for
 * reading, not for decoding back, and a literal "\x0a" in a value cannot
 * start a new line. The output is always valid UTF-8 and holds no control
 * character other than the newlines CONSTAT_ESC_KEEP_NEWLINE keeps.
 */
#ifndef CONSTAT_BASE_TEXT_H
#define CONSTAT_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* Flag for the *_n escapers: keep U+000A (newline) as is, for a block of
 * several lines whose line breaks are ours (a signed note in <pre>, an
 * indented JSON dump), while every other character is escaped as above. */
#define CONSTAT_ESC_KEEP_NEWLINE 1u

/* Length in bytes (1..4) of the valid UTF-8 sequence at s[0..n), with its
 * code point in *cp; 0 when s does not start with a valid sequence
 * (overlong, surrogate, above U+10FFFF, or cut short by n) or n == 0. */
size_t constat_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* 1 if the code point cp is escaped by the escapers (the table above,
 * controls included), else 0. */
int constat_text_unsafe(uint32_t cp);

/* Append `s` (NUL-terminated UTF-8, may be NULL = empty) escaped for a
 * terminal line or Markdown text, as in the table above. Newlines are
 * escaped: the result is always one line.
 * Errors: CONSTAT_ENOMEM (out may hold part of the text). */
constat_status constat_text_escape(constat_buf *out, const char *s) CONSTAT_WARN_UNUSED;

/* As constat_text_escape, for the `n` bytes at `s` (NUL bytes among them
 * become \x00), with `flags` 0 or CONSTAT_ESC_KEEP_NEWLINE.
 * Errors: CONSTAT_ENOMEM. */
constat_status constat_text_escape_n(constat_buf *out, const char *s, size_t n,
                                     unsigned flags) CONSTAT_WARN_UNUSED;

/* The escaped text of `s` (NULL = empty) as a new NUL-terminated string
 * (caller free()s it), or NULL when out of memory. */
char *constat_text_escaped(const char *s);

/* Append `s` (NULL = empty) escaped for HTML text and double- or
 * single-quoted attribute values (HTML Living Standard, "Serializing HTML
 * fragments"): & < > " ' become &amp; &lt; &gt; &quot; &#39;, and the
 * characters of the table above are made visible the same way, their
 * angle brackets as entities (U+202E -> &lt;U+202E&gt;, newline -> \x0a).
 * The result holds no raw < > " ' and is valid UTF-8.
 * Errors: CONSTAT_ENOMEM. */
constat_status constat_html_escape(constat_buf *out, const char *s) CONSTAT_WARN_UNUSED;

/* As constat_html_escape, for the `n` bytes at `s`, with `flags` 0 or
 * CONSTAT_ESC_KEEP_NEWLINE (for <pre>). Errors: CONSTAT_ENOMEM. */
constat_status constat_html_escape_n(constat_buf *out, const char *s, size_t n,
                                     unsigned flags) CONSTAT_WARN_UNUSED;

/* Append one CSV field (RFC 4180 §2): quoted when it contains a comma,
 * quote, CR or LF (quotes doubled); a field starting with = + - @ or a
 * tab/CR is prefixed with an apostrophe inside quotes, against spreadsheet
 * formula injection. Control characters other than tab, CR and LF, bytes
 * that are not UTF-8 and the other characters of the table above are
 * written as constat_text_escape spells them (ESC -> \x1b, U+202E ->
 * <U+202E>), so that a CSV file shown in a terminal or a spreadsheet cannot
 * be forged by the data; other text is kept as it is. NULL is an empty
 * field. Errors: CONSTAT_ENOMEM. */
constat_status constat_csv_field(constat_buf *out, const char *s) CONSTAT_WARN_UNUSED;

#endif
