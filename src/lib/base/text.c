/*
 * text.c — escaping text for terminals, Markdown, HTML and CSV (text.h).
 *
 * One walk over the UTF-8 text decides, character by character, whether it
 * is kept, escaped as a byte (\xNN) or named by its code point (<U+XXXX>);
 * the terminal and HTML escapers differ only in how they spell the result
 * and in the five characters HTML reserves.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/text.h"
#include "base/text.h"

void constat_bprintf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

size_t constat_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c;
    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (*cp < 0x10000 || *cp > 0x10FFFF)
            return 0;
        return 4;
    }
    return 0;
}

int constat_text_unsafe(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0xFFFE || cp == 0xFFFF;
}

/* Spellings of the shared walk. */
enum { ESC_TERMINAL, ESC_HTML, ESC_CSV };

/* The shared walk: `mode` selects the spelling (ESC_CSV: as the terminal,
 * but tab, CR and LF kept; the CSV quoting is constat_csv_field's). */
static constat_status escape(constat_buf *out, const char *s, size_t n, unsigned flags,
                             int mode)
{
    const int html = mode == ESC_HTML;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *end = p + (s ? n : 0);
    const unsigned char *run = p; /* start of bytes kept as they are */
    constat_status st;

    while (p < end) {
        uint32_t cp = 0;
        size_t k = constat_utf8_seq(p, (size_t)(end - p), &cp);
        char tmp[16];
        const char *rep = NULL;

        if (k == 0) { /* not UTF-8: the byte itself */
            snprintf(tmp, sizeof tmp, "\\x%02x", p[0]);
            rep = tmp;
            k = 1;
        } else if (cp == '\n' && (flags & CONSTAT_ESC_KEEP_NEWLINE)) {
            rep = NULL;
        } else if (mode == ESC_CSV && (cp == '\t' || cp == '\r' || cp == '\n')) {
            rep = NULL;
        } else if (cp < 0x20 || cp == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)cp);
            rep = tmp;
        } else if (constat_text_unsafe(cp)) {
            snprintf(tmp, sizeof tmp, html ? "&lt;U+%04X&gt;" : "<U+%04X>", (unsigned)cp);
            rep = tmp;
        } else if (html) {
            switch (cp) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default: break;
            }
        }
        if (rep) {
            if ((st = constat_buf_append(out, run, (size_t)(p - run))) ||
                (st = constat_buf_puts(out, rep)))
                return st;
            run = p + k;
        }
        p += k;
    }
    return constat_buf_append(out, run, (size_t)(p - run));
}

constat_status constat_text_escape_n(constat_buf *out, const char *s, size_t n, unsigned flags)
{
    return escape(out, s, n, flags, ESC_TERMINAL);
}

constat_status constat_text_escape(constat_buf *out, const char *s)
{
    return escape(out, s, s ? strlen(s) : 0, 0, ESC_TERMINAL);
}

char *constat_text_escaped(const char *s)
{
    constat_buf b;
    size_t len;
    char *r;

    constat_buf_init(&b);
    if (constat_text_escape(&b, s) != CONSTAT_OK || constat_buf_append(&b, "", 1) != CONSTAT_OK) {
        constat_buf_free(&b);
        return NULL;
    }
    r = (char *)constat_buf_detach(&b, &len);
    return r;
}

constat_status constat_html_escape_n(constat_buf *out, const char *s, size_t n, unsigned flags)
{
    return escape(out, s, n, flags, ESC_HTML);
}

constat_status constat_html_escape(constat_buf *out, const char *s)
{
    return escape(out, s, s ? strlen(s) : 0, 0, ESC_HTML);
}

constat_status constat_csv_field(constat_buf *out, const char *s)
{
    int formula, quote;
    const char *p;
    constat_buf e;
    constat_status st;

    if (!s || !*s)
        return CONSTAT_OK;
    /* printable ASCII with nothing to quote or escape, the common cell:
     * written as it is (the walk below would give the same bytes) */
    if (!strchr("=+-@", s[0])) {
        for (p = s; *p >= 0x20 && *p < 0x7F && *p != '"' && *p != ','; p++)
            ;
        if (!*p)
            return constat_buf_append(out, s, (size_t)(p - s));
    }
    /* controls (but tab, CR, LF), invalid UTF-8 and the invisible or
     * direction-changing characters spelled as the terminal escaper does */
    constat_buf_init(&e);
    if ((st = escape(&e, s, strlen(s), 0, ESC_CSV)) ||
        (st = constat_buf_append(&e, "", 1))) {
        constat_buf_free(&e);
        return st;
    }
    s = (const char *)e.data;
    formula = strchr("=+-@\t\r", s[0]) != NULL;
    quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    st = quote ? constat_buf_puts(out, "\"") : CONSTAT_OK;
    if (!st && formula)
        st = constat_buf_puts(out, "'");
    for (p = s; !st && *p; p++) {
        st = constat_buf_append(out, p, 1);
        if (!st && *p == '"')
            st = constat_buf_append(out, "\"", 1);
    }
    if (!st && quote)
        st = constat_buf_puts(out, "\"");
    constat_buf_free(&e);
    return st;
}
