/* checkpoint.c — C2SP tlog-checkpoint note text.
 *
 * The parser is strict where a lenient reading would let two parties see
 * different tree heads in the same bytes: one canonical spelling of the
 * size, exactly 32 root bytes in canonical base64, no empty lines. */
#include <string.h>

#include "constat/base/hash.h"
#include "constat/log/note.h"
#include "base/text.h"

/* libsodium 1.0.18's base64 decoder takes bytes >= 0x80 as digits, so the
 * alphabet is checked first: one spelling per value. */
static int b64_alphabet_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return 0;
    }
    return 1;
}

constat_status constat_checkpoint_format(const char *origin, uint64_t size,
                                         const uint8_t root[32], constat_buf *out,
                                         constat_error *err)
{
    char b64[48];
    size_t olen;
    constat_status st;

    if (!origin || !root || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: missing argument");
    olen = strlen(origin);
    if (olen == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: empty origin");
    if (olen > CONSTAT_KEY_NAME_MAX)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: origin is %zu bytes, at most %d", olen,
                                 CONSTAT_KEY_NAME_MAX);
    /* No newline or other control character may split the origin line. */
    if (!constat_note_text_valid(origin, olen) || memchr(origin, '\n', olen))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: origin holds invalid UTF-8 or a control "
                                 "character");
    constat_base64(root, 32, b64);
    st = constat_buf_printf(out, "%s\n%llu\n%s\n", origin, (unsigned long long)size, b64);
    if (st != CONSTAT_OK)
        return constat_error_set(err, st, "checkpoint: out of memory");
    return CONSTAT_OK;
}

/* Canonical decimal: "0" or [1-9][0-9]*, at most UINT64_MAX (shared with
 * the witness protocol's "old N" line through text.h). */
int constat_decimal_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

constat_status constat_checkpoint_parse(const char *text, size_t len,
                                        constat_checkpoint *out, constat_error *err)
{
    const char *line[3];
    size_t llen[3];
    size_t pos = 0, got = 0;

    if (!text || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: missing argument");
    memset(out, 0, sizeof *out);
    if (len > CONSTAT_NOTE_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT, "checkpoint: %zu bytes, at most %u",
                                 len, CONSTAT_NOTE_MAX_BYTES);
    if (len == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: empty");
    if (!constat_note_text_valid(text, len))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: invalid UTF-8 or a control character");
    if (text[len - 1] != '\n')
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: text does not end with a newline");
    for (int i = 0; i < 3; i++) {
        const char *nl;
        static const char *const what[3] = {"origin", "tree size", "root hash"};
        if (pos >= len)
            return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: line %d: missing %s",
                                     i + 1, what[i]);
        nl = memchr(text + pos, '\n', len - pos);
        line[i] = text + pos;
        llen[i] = (size_t)(nl - line[i]);
        pos += llen[i] + 1;
    }
    if (llen[0] == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "checkpoint: line 1: empty origin");
    if (llen[0] > CONSTAT_KEY_NAME_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "checkpoint: line 1: origin is %zu bytes, at most %d",
                                 llen[0], CONSTAT_KEY_NAME_MAX);
    if (!constat_decimal_u64(line[1], llen[1], &out->size))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: line 2: tree size \"%.*s\" is not a canonical "
                                 "decimal below 2^64",
                                 (int)(llen[1] > 40 ? 40 : llen[1]), line[1]);
    if (llen[2] != 44 || !b64_alphabet_ok(line[2], llen[2]) ||
        constat_unbase64(line[2], llen[2], out->root, sizeof out->root, &got) != CONSTAT_OK ||
        got != 32)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "checkpoint: line 3: root hash is not base64 of 32 bytes");
    out->ext_off = pos;
    out->ext_len = len - pos;
    for (size_t p = pos, n = 4; p < len; n++) {
        const char *nl = memchr(text + p, '\n', len - p);
        if (nl == text + p)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "checkpoint: line %zu: empty extension line", n);
        p = (size_t)(nl - text) + 1;
    }
    memcpy(out->origin, line[0], llen[0]);
    out->origin[llen[0]] = '\0';
    return CONSTAT_OK;
}
