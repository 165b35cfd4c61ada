/*
 * canon_fast.c — a reader for JSON text that is already in constat's
 * canonical form (RFC 8785 as constat_canon writes it), without jansson's
 * lexer and without writing the value again to compare.
 *
 * Reading a leaf used to be: jansson parses it, constat_canon writes the
 * value back, the two byte strings are compared. For a leaf in the form
 * constat itself writes, this reader does both at once: it accepts only a
 * subset of JCS in which the text is canonical by construction, and builds
 * the same jansson values. Anything outside the subset (whitespace, an
 * escape in a string, a non-ASCII key, a fraction, an exponent, an integer
 * beyond 2^53, "-0", deeper nesting than CONSTAT_JSON_MAX_DEPTH) makes it
 * answer NULL, and the caller takes the full path, which gives the error
 * message if there is one. So it never accepts what the full path refuses,
 * and never gives a different value (fuzz/fuzz_canon_fast.c checks both).
 *
 * The subset, each rule the reason the text equals constat_canon's output:
 * - no byte between tokens (JCS writes no whitespace);
 * - strings: no '"', '\\' or byte below 0x20 inside, valid UTF-8 without
 *   overlong forms or surrogates (JCS writes such text as it is; every
 *   escape it writes is for '"', '\\' or a control);
 * - object keys ASCII, strictly increasing bytewise: for ASCII, byte order
 *   is UTF-16 code unit order (JCS 3.2.3), and strictness refuses
 *   duplicates;
 * - numbers: -?(0|[1-9][0-9]*) within ±2^53, not "-0": constat_canon
 *   writes such integers in exactly that form;
 * - true, false, null.
 */
#include <stdint.h>
#include <string.h>

#include "constat/record/canon.h"
#include "constat/base/limits.h"

typedef struct {
    const unsigned char *p, *end;
} rd;

static json_t *value(rd *r, int depth);

/* Length of the string body at r->p (after the opening quote) up to the
 * closing quote, or -1 when it leaves the subset. */
static long string_body(rd *r, int ascii_only)
{
    const unsigned char *s = r->p;
    while (s < r->end) {
        unsigned char c = *s;
        if (c == '"') {
            long n = (long)(s - r->p);
            return n;
        }
        if (c < 0x20 || c == '\\')
            return -1;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (ascii_only)
            return -1;
        if (c >= 0xc2 && c <= 0xdf) {
            if (r->end - s < 2 || (s[1] & 0xc0) != 0x80)
                return -1;
            s += 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            uint32_t cp;
            if (r->end - s < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
                return -1;
            cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
            if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
                return -1;
            s += 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            uint32_t cp;
            if (r->end - s < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
                (s[3] & 0xc0) != 0x80)
                return -1;
            cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
                 ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
            if (cp < 0x10000 || cp > 0x10ffff)
                return -1;
            s += 4;
        } else {
            return -1;
        }
    }
    return -1;
}

static json_t *number(rd *r)
{
    const unsigned char *s = r->p;
    int neg = 0;
    uint64_t v = 0;
    size_t digits = 0;

    if (s < r->end && *s == '-') {
        neg = 1;
        s++;
    }
    if (s >= r->end || *s < '0' || *s > '9')
        return NULL;
    if (*s == '0') {
        s++;
        if (neg)
            return NULL; /* "-0": JCS writes 0 */
    } else {
        while (s < r->end && *s >= '0' && *s <= '9') {
            if (++digits > 16)
                return NULL; /* beyond 2^53 for sure */
            v = v * 10 + (uint64_t)(*s - '0');
            s++;
        }
        if (v > (1ULL << 53))
            return NULL;
    }
    if (s < r->end && (*s == '.' || *s == 'e' || *s == 'E'))
        return NULL;
    r->p = s;
    return json_integer(neg ? -(json_int_t)v : (json_int_t)v);
}

static int word(rd *r, const char *w, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return 0;
    r->p += n;
    return 1;
}

/* After a member or element: 1 at ',' (another follows), 0 at `close`
 * (the container ends), -1 otherwise; the byte is consumed. */
static int next_or_close(rd *r, unsigned char close)
{
    if (r->p < r->end && (*r->p == ',' || *r->p == close))
        return *r->p++ == ',';
    return -1;
}

/* An empty container right after its opening byte: consumed, 1. */
static int empty(rd *r, unsigned char close)
{
    r->p++; /* the opening '{' or '[' */
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return 1;
    }
    return 0;
}

static json_t *object(rd *r, int depth)
{
    json_t *o = json_object();
    const unsigned char *prev = NULL;
    long prevn = 0;

    if (!o)
        return NULL;
    if (empty(r, '}'))
        return o;
    for (;;) {
        long n;
        const unsigned char *k;
        json_t *v;
        int c;

        if (r->p >= r->end || *r->p != '"')
            goto fail;
        r->p++;
        if ((n = string_body(r, 1)) < 0)
            goto fail;
        k = r->p;
        if (prev) {
            c = memcmp(prev, k, (size_t)(prevn < n ? prevn : n));
            if (c > 0 || (c == 0 && prevn >= n))
                goto fail; /* out of order, or a duplicate */
        }
        prev = k;
        prevn = n;
        r->p += n + 1;
        if (r->p >= r->end || *r->p != ':')
            goto fail;
        r->p++;
        if (!(v = value(r, depth)) ||
            json_object_setn_new_nocheck(o, (const char *)k, (size_t)n, v) != 0)
            goto fail;
        if ((c = next_or_close(r, '}')) == 0)
            return o;
        if (c < 0)
            goto fail;
    }
fail:
    json_decref(o);
    return NULL;
}

static json_t *array(rd *r, int depth)
{
    json_t *a = json_array();

    if (!a)
        return NULL;
    if (empty(r, ']'))
        return a;
    for (;;) {
        json_t *v = value(r, depth);
        int c;
        if (!v || json_array_append_new(a, v) != 0)
            goto fail;
        if ((c = next_or_close(r, ']')) == 0)
            return a;
        if (c < 0)
            goto fail;
    }
fail:
    json_decref(a);
    return NULL;
}

static json_t *value(rd *r, int depth)
{
    if (r->p >= r->end)
        return NULL;
    switch (*r->p) {
    case '{':
        return depth < CONSTAT_JSON_MAX_DEPTH ? object(r, depth + 1) : NULL;
    case '[':
        return depth < CONSTAT_JSON_MAX_DEPTH ? array(r, depth + 1) : NULL;
    case '"': {
        long n;
        json_t *s;
        r->p++;
        if ((n = string_body(r, 0)) < 0)
            return NULL;
        s = json_stringn_nocheck((const char *)r->p, (size_t)n);
        r->p += n + 1;
        return s;
    }
    case 't':
        return word(r, "true", 4) ? json_true() : NULL;
    case 'f':
        return word(r, "false", 5) ? json_false() : NULL;
    case 'n':
        return word(r, "null", 4) ? json_null() : NULL;
    default:
        return number(r);
    }
}

json_t *constat_canon_parse_fast(const char *text, size_t len)
{
    rd r;
    json_t *v;

    if (!text || len == 0)
        return NULL;
    r.p = (const unsigned char *)text;
    r.end = r.p + len;
    v = value(&r, 0);
    if (v && r.p != r.end) {
        json_decref(v);
        return NULL; /* trailing bytes */
    }
    return v;
}
