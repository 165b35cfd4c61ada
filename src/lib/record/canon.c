/*
 * canon.c — strict JSON parsing and the RFC 8785 (JCS) writer.
 *
 * Parsing is jansson's, with the flags evidence needs; what jansson does not
 * enforce (a nesting limit below its own 2048, NUL bytes outside strings as a
 * clear message) is checked by a pre-scan of the text, so deep input never
 * reaches jansson's recursive parser. The writer is ours because json_dumps
 * is not RFC 8785 (docs/architecture.md, "Library traps"): it sorts keys by code
 * point, prints reals in C form, and escapes controls with uppercase hex.
 *
 * Numbers: constat_json_parse keeps jansson's refusal of integer literals
 * beyond 64 bits (records hold integers within ±(2^53-1) only).
 * constat_canon_text instead decodes every number as a double
 * (JSON_DECODE_INT_AS_REAL): JCS treats all numbers as IEEE-754 doubles, and
 * its own output writes doubles in [2^63, 1e21) as integer literals
 * ("262100000000000000000"), which must canonicalise again to themselves.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/record/canon.h"
#include "constat/base/limits.h"

/* ---- parsing ---- */

/* Position (1-based line and column, in bytes) of offset `off` in text. */
static void text_pos(const char *text, size_t off, size_t *line, size_t *col)
{
    size_t i, l = 1, c = 1;
    for (i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Reject NUL bytes and nesting deeper than CONSTAT_JSON_MAX_DEPTH before
 * jansson sees the text. The string tracking is exact for valid JSON; for
 * invalid JSON it may misjudge, but jansson then rejects the text anyway. */
static constat_status prescan(const char *text, size_t len, const char *what,
                              constat_error *err)
{
    size_t i, depth = 0, line, col;
    int in_str = 0;

    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == 0) {
            text_pos(text, i, &line, &col);
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: line %zu column %zu: NUL byte in JSON text",
                                     what, line, col);
        }
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > CONSTAT_JSON_MAX_DEPTH) {
                text_pos(text, i, &line, &col);
                return constat_error_set(err, CONSTAT_ELIMIT,
                                         "%s: line %zu column %zu: JSON nesting deeper than %d",
                                         what, line, col, CONSTAT_JSON_MAX_DEPTH);
            }
        } else if (ch == ']' || ch == '}') {
            if (depth > 0)
                depth--;
        }
    }
    return CONSTAT_OK;
}

static constat_status parse_flags(const char *text, size_t len, const char *what,
                                  int limit_record, size_t flags, json_t **out,
                                  constat_error *err)
{
    json_error_t je;
    json_t *v;
    constat_status st;

    *out = NULL;
    if (!what)
        what = "JSON";
    if (!text && len > 0)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: no text", what);
    if (limit_record && len > CONSTAT_RECORD_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "%s: %zu bytes exceeds the record limit of %u bytes",
                                 what, len, CONSTAT_RECORD_MAX_BYTES);
    st = prescan(text ? text : "", len, what, err);
    if (st != CONSTAT_OK)
        return st;
    /* jansson: no JSON_ALLOW_NUL (so "\u0000" is rejected), UTF-8 and lone
     * surrogates are checked, trailing bytes rejected (EOF check on). */
    v = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | flags, &je);
    if (!v) {
        if (json_error_code(&je) == json_error_out_of_memory)
            return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory parsing JSON",
                                     what);
        if (json_error_code(&je) == json_error_null_character) /* not jansson's flag name */
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: line %d column %d: \\u0000 (NUL) is not allowed in a "
                                     "string", what, je.line, je.column);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: line %d column %d: %s", what,
                                 je.line, je.column, je.text);
    }
    *out = v;
    return CONSTAT_OK;
}

constat_status constat_json_parse(const char *text, size_t len, const char *what,
                                  int limit_record, json_t **out, constat_error *err)
{
    return parse_flags(text, len, what, limit_record, 0, out, err);
}

/* ---- numbers: ECMAScript Number::toString (ES2015 7.1.12.1) ---- */

/* Value of "<m>e<q>" parsed back by strtod (the candidate decimal m*10^q). */
static double decimal_value(uint64_t m, int q)
{
    char s[48];
    snprintf(s, sizeof s, "%llue%d", (unsigned long long)m, q);
    return strtod(s, NULL);
}

/* Shortest decimal m*10^q (m without trailing zeros) that reads back as d,
 * for finite d > 0. %.*e gives the nearest p-digit decimal; near a power of
 * two the round-trip interval is asymmetric, so when the nearest one fails
 * its neighbours m-1 and m+1 are tried too before adding a digit. */
static void shortest_decimal(double d, uint64_t *mant, int *exp10)
{
    int p;
    for (p = 1; p <= 17; p++) {
        char s[64], *e;
        uint64_t m = 0;
        int x, q, k;
        const char *c;
        uint64_t cand[3];

        snprintf(s, sizeof s, "%.*e", p - 1, d);
        e = strchr(s, 'e');
        if (!e)
            break;
        for (c = s; c < e; c++)
            if (*c >= '0' && *c <= '9')
                m = m * 10 + (uint64_t)(*c - '0');
        x = (int)strtol(e + 1, NULL, 10);
        q = x - (p - 1);
        cand[0] = m;
        cand[1] = m - 1;
        cand[2] = m + 1;
        for (k = 0; k < 3; k++) {
            if (cand[k] == 0 || (k > 0 && p == 17))
                continue;
            if (decimal_value(cand[k], q) == d) {
                uint64_t r = cand[k];
                while (r % 10 == 0) {
                    r /= 10;
                    q++;
                }
                *mant = r;
                *exp10 = q;
                return;
            }
        }
    }
    /* unreachable for finite doubles: 17 significant digits always round-trip */
    *mant = 0;
    *exp10 = 0;
}

constat_status constat_canon_number(double d, char out[32])
{
    uint64_t m;
    int q, n, k, i;
    char digits[24];
    char *o = out;

    if (isnan(d) || isinf(d)) {
        snprintf(out, 32, "%s", "");
        return CONSTAT_EINVAL;
    }
    if (d == 0) { /* also -0 */
        snprintf(out, 32, "0");
        return CONSTAT_OK;
    }
    if (d < 0) {
        *o++ = '-';
        d = -d;
    }
    shortest_decimal(d, &m, &q);
    k = snprintf(digits, sizeof digits, "%llu", (unsigned long long)m);
    n = q + k; /* value = 0.digits * 10^n */
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += snprintf(o, 8, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = 0;
    return CONSTAT_OK;
}

/* ---- strings ---- */

/* Decode one UTF-8 sequence at s[0..len), strictly (no overlongs, no
 * surrogates, nothing above U+10FFFF). Returns its length, 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    uint32_t c;
    size_t n, i;

    if (len == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

static constat_status write_string(const char *s, size_t len, constat_buf *out,
                                   constat_error *err)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    constat_status st;

    if ((st = constat_buf_append(out, "\"", 1)) != CONSTAT_OK)
        return st;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        if (ch >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
            if (n == 0)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "invalid UTF-8 in string at byte %zu", i);
            i += n;
            continue;
        }
        switch (ch) {
        case '\b': esc = "\\b"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\f': esc = "\\f"; break;
        case '\r': esc = "\\r"; break;
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        default:
            if (ch < 0x20) {
                u[0] = '\\';
                u[1] = 'u';
                u[2] = '0';
                u[3] = '0';
                u[4] = hex[ch >> 4];
                u[5] = hex[ch & 15];
                u[6] = 0;
                esc = u;
            }
        }
        if (esc) {
            if ((st = constat_buf_append(out, s + run, i - run)) != CONSTAT_OK ||
                (st = constat_buf_puts(out, esc)) != CONSTAT_OK)
                return st;
            run = i + 1;
        }
        i++;
    }
    if ((st = constat_buf_append(out, s + run, len - run)) != CONSTAT_OK)
        return st;
    return constat_buf_append(out, "\"", 1);
}

/* ---- key order: UTF-16 code units (RFC 8785 3.2.3) ---- */

typedef struct {
    const char *key;
    size_t len;
    json_t *value;
} member;

/* First UTF-16 code unit of a code point, and its second (0 if none). */
static uint32_t utf16_lead(uint32_t cp)
{
    return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

/* Keys were validated as UTF-8 before sorting; a malformed byte (which
 * cannot happen then) is ordered by its byte value so the sort stays total. */
static int member_cmp(const void *pa, const void *pb)
{
    const member *a = pa, *b = pb;
    size_t i = 0, j = 0;

    while (i < a->len && j < b->len) {
        uint32_t ca, cb, ua, ub;
        size_t na = utf8_decode((const unsigned char *)a->key + i, a->len - i, &ca);
        size_t nb = utf8_decode((const unsigned char *)b->key + j, b->len - j, &cb);
        if (na == 0) {
            ca = (unsigned char)a->key[i];
            na = 1;
        }
        if (nb == 0) {
            cb = (unsigned char)b->key[j];
            nb = 1;
        }
        if (ca != cb) {
            ua = utf16_lead(ca);
            ub = utf16_lead(cb);
            if (ua != ub)
                return ua < ub ? -1 : 1;
            /* same lead surrogate: the trail units order as the code points */
            return ca < cb ? -1 : 1;
        }
        i += na;
        j += nb;
    }
    if (i < a->len)
        return 1;
    if (j < b->len)
        return -1;
    return 0;
}

static int utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* ---- values ---- */

static constat_status write_value(const json_t *v, constat_buf *out, int depth,
                                  constat_error *err)
{
    constat_status st = CONSTAT_OK;
    char num[32];

    if (depth > CONSTAT_JSON_MAX_DEPTH)
        return constat_error_set(err, CONSTAT_ELIMIT, "JSON nesting deeper than %d",
                                 CONSTAT_JSON_MAX_DEPTH);
    switch (json_typeof(v)) {
    case JSON_NULL:
        return constat_buf_puts(out, "null");
    case JSON_TRUE:
        return constat_buf_puts(out, "true");
    case JSON_FALSE:
        return constat_buf_puts(out, "false");
    case JSON_INTEGER:
        /* Integers a double holds exactly print as their digits in ES6
         * form; skip the shortest-digits search for them (records are
         * integers only, so this is the common path). */
        if (json_integer_value(v) >= -(1LL << 53) && json_integer_value(v) <= (1LL << 53)) {
            return constat_buf_put_i64(out, json_integer_value(v));
        }
        /* fall through */
    case JSON_REAL: {
        double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
        if (constat_canon_number(d, num) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "NaN or infinity has no JSON form");
        return constat_buf_puts(out, num);
    }
    case JSON_STRING:
        return write_string(json_string_value(v), json_string_length(v), out, err);
    case JSON_ARRAY: {
        size_t i, n = json_array_size(v);
        if ((st = constat_buf_append(out, "[", 1)) != CONSTAT_OK)
            return st;
        for (i = 0; i < n; i++) {
            if (i && (st = constat_buf_append(out, ",", 1)) != CONSTAT_OK)
                return st;
            if ((st = write_value(json_array_get(v, i), out, depth + 1, err)) != CONSTAT_OK)
                return st;
        }
        return constat_buf_append(out, "]", 1);
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        member *m;
        void *it;
        if (n == 0)
            return constat_buf_puts(out, "{}");
        m = malloc(n * sizeof *m);
        if (!m)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        for (it = json_object_iter((json_t *)v); it && i < n;
             it = json_object_iter_next((json_t *)v, it)) {
            m[i].key = json_object_iter_key(it);
            m[i].len = json_object_iter_key_len(it);
            m[i].value = json_object_iter_value(it);
            if (!utf8_valid(m[i].key, m[i].len)) {
                free(m);
                return constat_error_set(err, CONSTAT_EINVAL, "invalid UTF-8 in object key");
            }
            i++;
        }
        n = i;
        qsort(m, n, sizeof *m, member_cmp);
        st = constat_buf_append(out, "{", 1);
        for (i = 0; i < n && st == CONSTAT_OK; i++) {
            if (i)
                st = constat_buf_append(out, ",", 1);
            if (st == CONSTAT_OK)
                st = write_string(m[i].key, m[i].len, out, err);
            if (st == CONSTAT_OK)
                st = constat_buf_append(out, ":", 1);
            if (st == CONSTAT_OK)
                st = write_value(m[i].value, out, depth + 1, err);
        }
        free(m);
        if (st != CONSTAT_OK)
            return st;
        return constat_buf_append(out, "}", 1);
    }
    }
    return constat_error_set(err, CONSTAT_EINVAL, "unknown JSON value type");
}

constat_status constat_canon(const json_t *v, constat_buf *out, constat_error *err)
{
    size_t mark = out->len;
    constat_status st;

    if (!v)
        return constat_error_set(err, CONSTAT_EINVAL, "no JSON value");
    st = write_value(v, out, 1, err);
    if (st != CONSTAT_OK) {
        /* leave the buffer as it was: no half-written canonical form */
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
        if (st == CONSTAT_ENOMEM)
            constat_error_set(err, CONSTAT_ENOMEM, "out of memory writing canonical JSON");
    }
    return st;
}

constat_status constat_canon_text(const char *text, size_t len, constat_buf *out,
                                  constat_error *err)
{
    json_t *v;
    constat_status st = parse_flags(text, len, "JSON", 0, JSON_DECODE_INT_AS_REAL, &v, err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_canon(v, out, err);
    json_decref(v);
    return st;
}
