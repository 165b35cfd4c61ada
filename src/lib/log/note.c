/* note.c — C2SP signed notes and their key strings.
 *
 * The parsing rules follow golang.org/x/mod/sumdb/note, the reference
 * implementation, so that a note accepted or rejected here gets the same
 * verdict there (docs/checkpoint.md lists the few places we are stricter).
 * Ed25519 is libsodium's, whose verifier is stricter than Go's for
 * adversarial keys and signatures (see note.h). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/log/note.h"

/* The signature line prefix: em dash U+2014 then a space. */
static const char SIG_PREFIX[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4

/* Skey prefix of golang.org/x/mod/sumdb/note. */
static const char SKEY_PREFIX[] = "PRIVATE+KEY+";
#define SKEY_PREFIX_LEN 12

/* Decode one UTF-8 scalar value at s[0..len) with Go's utf8.DecodeRune
 * rules (no overlongs, no surrogates, nothing above U+10FFFF). Returns the
 * byte length, or 0 if the sequence is invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        if (len < 2 || (s[1] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1f) << 6) | (s[1] & 0x3f);
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* U+D800..U+DFFF are surrogates, not scalars */
        if (len < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
              (s[2] & 0x3f);
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
        if (len < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
            (s[3] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
              ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
        return 4;
    }
    return 0;
}

/* Unicode White_Space, as Go's unicode.IsSpace sees it. */
static int is_unicode_space(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* Offset of the first byte breaking the note character rules, or len. */
static size_t text_first_bad(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || (cp < 0x20 && cp != '\n'))
            return i;
        i += n;
    }
    return len;
}

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

static size_t line_of(const char *s, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n')
            line++;
    return line;
}

int constat_note_text_valid(const char *text, size_t len)
{
    return text_first_bad(text, len) == len;
}

int constat_note_name_valid(const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t i = 0;
    if (!name || len == 0 || len > CONSTAT_KEY_NAME_MAX)
        return 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        /* Control characters cannot appear in a note, so a name holding one
         * could never sign anything: reject it here too (Go does not). */
        if (n == 0 || cp == '+' || cp < 0x20 || is_unicode_space(cp))
            return 0;
        i += n;
    }
    return 1;
}

static uint32_t key_id_n(const char *name, size_t nlen, uint8_t alg,
                         const uint8_t pk[CONSTAT_ED25519_PK])
{
    constat_sha256_ctx c;
    uint8_t h[CONSTAT_HASH_SIZE];
    uint8_t sep[2] = {'\n', alg};
    constat_sha256_init(&c);
    constat_sha256_update(&c, name, nlen);
    constat_sha256_update(&c, sep, 2);
    constat_sha256_update(&c, pk, CONSTAT_ED25519_PK);
    constat_sha256_final(&c, h);
    return ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
}

uint32_t constat_note_key_id(const char *name, uint8_t alg,
                             const uint8_t pk[CONSTAT_ED25519_PK])
{
    return key_id_n(name, strlen(name), alg, pk);
}

static int alg_known(uint8_t alg)
{
    return alg == CONSTAT_NOTE_ALG_ED25519 || alg == CONSTAT_NOTE_ALG_COSIGNATURE_V1;
}

constat_status constat_note_signer_from_seed(const char *name, uint8_t alg,
                                             const uint8_t seed[CONSTAT_ED25519_SEED],
                                             constat_note_signer *out, constat_error *err)
{
    size_t nlen;
    if (!name || !seed || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "signer: missing argument");
    nlen = strlen(name);
    if (!constat_note_name_valid(name, nlen))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signer: invalid key name (empty, too long, "
                                 "or holds '+', a space or a control character)");
    if (!alg_known(alg))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signer: unknown signature algorithm 0x%02x", alg);
    memset(out, 0, sizeof *out);
    if (crypto_sign_seed_keypair(out->pub.pk, out->sk, seed) != 0) {
        constat_note_signer_wipe(out);
        return constat_error_set(err, CONSTAT_EINTERNAL, "signer: key derivation failed");
    }
    memcpy(out->pub.name, name, nlen);
    out->pub.name[nlen] = '\0';
    out->pub.alg = alg;
    out->pub.key_id = key_id_n(name, nlen, alg, out->pub.pk);
    return CONSTAT_OK;
}

constat_status constat_note_signer_generate(const char *name, constat_note_signer *out,
                                            constat_error *err)
{
    uint8_t seed[CONSTAT_ED25519_SEED];
    constat_status st;
    randombytes_buf(seed, sizeof seed);
    st = constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, out, err);
    sodium_memzero(seed, sizeof seed);
    return st;
}

void constat_note_signer_wipe(constat_note_signer *s)
{
    if (s)
        sodium_memzero(s, sizeof *s);
}

/* Parse "hex8+base64" (what follows "name+") into a key id and the decoded
 * key material alg || key (at most 33 bytes). */
static constat_status parse_id_and_key(const char *what, const char *rest, uint32_t *id,
                                       uint8_t key[1 + CONSTAT_ED25519_PK],
                                       size_t *keylen, constat_error *err)
{
    const char *plus = strchr(rest, '+');
    char hex[9];
    uint8_t idb[4];
    size_t b64len;
    if (!plus || plus - rest != 8)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: key id is not 8 hex digits followed by '+'", what);
    memcpy(hex, rest, 8);
    hex[8] = '\0';
    if (constat_unhex(hex, idb, 4) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: key id \"%s\" is not hex",
                                 what, hex);
    *id = ((uint32_t)idb[0] << 24) | ((uint32_t)idb[1] << 16) | ((uint32_t)idb[2] << 8) |
          idb[3];
    b64len = strlen(plus + 1);
    if (b64len == 0 || !b64_alphabet_ok(plus + 1, b64len) ||
        constat_unbase64(plus + 1, b64len, key, 1 + CONSTAT_ED25519_PK, keylen) !=
            CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: key material is not base64 of at most %d bytes",
                                 what, 1 + CONSTAT_ED25519_PK);
    if (*keylen == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: empty key material", what);
    if (!alg_known(key[0]))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: unknown signature algorithm 0x%02x", what, key[0]);
    if (*keylen != 1 + CONSTAT_ED25519_PK)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: Ed25519 key is %zu bytes, want %d", what,
                                 *keylen - 1, CONSTAT_ED25519_PK);
    return CONSTAT_OK;
}

constat_status constat_note_verifier_parse(const char *vkey, constat_note_verifier *out,
                                           constat_error *err)
{
    const char *plus;
    size_t nlen, keylen = 0;
    uint32_t id;
    uint8_t key[1 + CONSTAT_ED25519_PK];
    constat_status st;

    if (!vkey || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "verifier key: missing argument");
    plus = strchr(vkey, '+');
    if (!plus)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "verifier key: want name+keyid+key, found no '+'");
    nlen = (size_t)(plus - vkey);
    if (!constat_note_name_valid(vkey, nlen))
        return constat_error_set(err, CONSTAT_EINVAL, "verifier key: invalid key name");
    st = parse_id_and_key("verifier key", plus + 1, &id, key, &keylen, err);
    if (st != CONSTAT_OK)
        return st;
    if (key_id_n(vkey, nlen, key[0], key + 1) != id)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "verifier key: key id %08x does not match the key "
                                 "(computed %08x)",
                                 id, key_id_n(vkey, nlen, key[0], key + 1));
    memset(out, 0, sizeof *out);
    memcpy(out->name, vkey, nlen);
    out->name[nlen] = '\0';
    out->alg = key[0];
    out->key_id = id;
    memcpy(out->pk, key + 1, CONSTAT_ED25519_PK);
    return CONSTAT_OK;
}

/* "prefix name+hex8+base64(alg||key32)" into out. */
static constat_status format_key(const char *prefix, const char *name, uint32_t id,
                                 uint8_t alg, const uint8_t key[32], char *out, size_t cap)
{
    uint8_t raw[33];
    char b64[64];
    int n;
    raw[0] = alg;
    memcpy(raw + 1, key, 32);
    constat_base64(raw, sizeof raw, b64);
    sodium_memzero(raw, sizeof raw);
    n = snprintf(out, cap, "%s%s+%08x+%s", prefix, name, (unsigned)id, b64);
    sodium_memzero(b64, sizeof b64);
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            sodium_memzero(out, cap);
        return CONSTAT_ELIMIT;
    }
    return CONSTAT_OK;
}

constat_status constat_note_verifier_format(const constat_note_verifier *v, char *out,
                                            size_t cap)
{
    if (!v || !out)
        return CONSTAT_EINVAL;
    return format_key("", v->name, v->key_id, v->alg, v->pk, out, cap);
}

constat_status constat_note_signer_parse(const char *skey, constat_note_signer *out,
                                         constat_error *err)
{
    const char *name, *plus;
    char namebuf[CONSTAT_KEY_NAME_MAX + 1];
    size_t nlen, keylen = 0;
    uint32_t id;
    uint8_t key[1 + CONSTAT_ED25519_PK];
    constat_status st;

    if (!skey || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "signer key: missing argument");
    if (strncmp(skey, SKEY_PREFIX, SKEY_PREFIX_LEN) != 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signer key: does not start with PRIVATE+KEY+");
    name = skey + SKEY_PREFIX_LEN;
    plus = strchr(name, '+');
    if (!plus)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signer key: want PRIVATE+KEY+name+keyid+key");
    nlen = (size_t)(plus - name);
    if (!constat_note_name_valid(name, nlen))
        return constat_error_set(err, CONSTAT_EINVAL, "signer key: invalid key name");
    st = parse_id_and_key("signer key", plus + 1, &id, key, &keylen, err);
    if (st != CONSTAT_OK) {
        sodium_memzero(key, sizeof key);
        return st;
    }
    memcpy(namebuf, name, nlen);
    namebuf[nlen] = '\0';
    st = constat_note_signer_from_seed(namebuf, key[0], key + 1, out, err);
    sodium_memzero(key, sizeof key);
    if (st != CONSTAT_OK)
        return st;
    /* The id names the public key, which only exists once derived. */
    if (out->pub.key_id != id) {
        uint32_t want = out->pub.key_id;
        constat_note_signer_wipe(out);
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signer key: key id %08x does not match the key "
                                 "(computed %08x)",
                                 id, want);
    }
    return CONSTAT_OK;
}

constat_status constat_note_signer_format(const constat_note_signer *s, char *out,
                                          size_t cap)
{
    if (!s || !out)
        return CONSTAT_EINVAL;
    return format_key(SKEY_PREFIX, s->pub.name, s->pub.key_id, s->pub.alg, s->sk, out,
                      cap);
}

/* Append "— name base64(keyid || sig)\n". */
static constat_status append_sig_line(constat_buf *out, const char *name, uint32_t id,
                                      const uint8_t *sig, size_t siglen)
{
    uint8_t raw[4 + 128];
    char b64[sizeof raw * 4 / 3 + 4];
    constat_status st;
    raw[0] = (uint8_t)(id >> 24);
    raw[1] = (uint8_t)(id >> 16);
    raw[2] = (uint8_t)(id >> 8);
    raw[3] = (uint8_t)id;
    memcpy(raw + 4, sig, siglen);
    constat_base64(raw, 4 + siglen, b64);
    size_t start = out->len;
    if ((st = constat_buf_append(out, SIG_PREFIX, SIG_PREFIX_LEN)) != CONSTAT_OK ||
        (st = constat_buf_puts(out, name)) != CONSTAT_OK ||
        (st = constat_buf_append(out, " ", 1)) != CONSTAT_OK ||
        (st = constat_buf_puts(out, b64)) != CONSTAT_OK ||
        (st = constat_buf_append(out, "\n", 1)) != CONSTAT_OK) {
        /* no half-written line */
        out->len = start;
        if (out->data)
            out->data[start] = 0;
        return st;
    }
    return CONSTAT_OK;
}

constat_status constat_note_sig_format(const char *name, uint32_t key_id,
                                      const uint8_t *sig, size_t sig_len, constat_buf *out)
{
    if (!name || !out || (!sig && sig_len > 0))
        return CONSTAT_EINVAL;
    if (sig_len == 0 || sig_len > 128 || !constat_note_name_valid(name, strlen(name)))
        return CONSTAT_EINVAL;
    return append_sig_line(out, name, key_id, sig, sig_len);
}

/* Check note text for signing: what constat_note_open would accept. */
static constat_status check_text(const char *text, size_t len, constat_error *err)
{
    size_t bad;
    if (!text || len == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "note text: empty");
    if (text[len - 1] != '\n')
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "note text: does not end with a newline");
    bad = text_first_bad(text, len);
    if (bad != len)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "note text: line %zu: invalid UTF-8 or control "
                                 "character at byte %zu",
                                 line_of(text, bad), bad);
    for (size_t i = 0; i < len; i++) {
        if ((i == 0 || text[i - 1] == '\n') && len - i >= SIG_PREFIX_LEN &&
            memcmp(text + i, SIG_PREFIX, SIG_PREFIX_LEN) == 0)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "note text: line %zu starts like a signature line",
                                     line_of(text, i));
    }
    return CONSTAT_OK;
}

constat_status constat_note_sign(const char *text, size_t len,
                                 const constat_note_signer *signers, size_t nsigners,
                                 constat_buf *out, constat_error *err)
{
    constat_status st;
    size_t start;

    if (!out || (nsigners > 0 && !signers))
        return constat_error_set(err, CONSTAT_EINVAL, "note sign: missing argument");
    if (nsigners == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "note sign: no signer");
    if (nsigners > CONSTAT_NOTE_MAX_SIGS)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "note sign: %zu signers, at most %d", nsigners,
                                 CONSTAT_NOTE_MAX_SIGS);
    if ((st = check_text(text, len, err)) != CONSTAT_OK)
        return st;
    for (size_t i = 0; i < nsigners; i++) {
        const constat_note_signer *s = &signers[i];
        if (!constat_note_name_valid(s->pub.name, strnlen(s->pub.name, sizeof s->pub.name)))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "note sign: signer %zu has an invalid name", i);
        if (s->pub.alg != CONSTAT_NOTE_ALG_ED25519)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "note sign: signer %s has algorithm 0x%02x; "
                                     "cosignatures are made by constat_cosignature_sign",
                                     s->pub.name, s->pub.alg);
    }

    start = out->len;
    if ((st = constat_buf_append(out, text, len)) != CONSTAT_OK ||
        (st = constat_buf_append(out, "\n", 1)) != CONSTAT_OK)
        goto fail;
    for (size_t i = 0; i < nsigners; i++) {
        uint8_t sig[CONSTAT_ED25519_SIG];
        crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, signers[i].sk);
        if ((st = append_sig_line(out, signers[i].pub.name, signers[i].pub.key_id, sig,
                                  sizeof sig)) != CONSTAT_OK)
            goto fail;
    }
    if (out->len - start > CONSTAT_NOTE_MAX_BYTES) {
        st = constat_error_set(err, CONSTAT_ELIMIT,
                               "note sign: signed note is %zu bytes, at most %u",
                               out->len - start, CONSTAT_NOTE_MAX_BYTES);
        out->len = start;
        if (out->data)
            out->data[start] = 0;
        return st;
    }
    return CONSTAT_OK;
fail:
    out->len = start;
    if (out->data)
        out->data[start] = 0;
    return constat_error_set(err, st, "note sign: out of memory");
}

constat_status constat_note_sig_parse(const char *line, size_t len, constat_note_sig *out,
                                      constat_error *err)
{
    const char *name, *sp, *b64;
    size_t nlen, b64len, got = 0;
    /* A note is at most CONSTAT_NOTE_MAX_BYTES, so one line decodes to at
     * most 3/4 of that. */
    uint8_t raw[CONSTAT_NOTE_MAX_BYTES / 4 * 3 + 3];

    if (!line || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "signature line: missing argument");
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > CONSTAT_NOTE_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT, "signature line: longer than %u bytes",
                                 CONSTAT_NOTE_MAX_BYTES);
    if (memchr(line, '\n', len))
        return constat_error_set(err, CONSTAT_EINVAL, "signature line: holds a newline");
    if (len < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signature line: does not start with an em dash and a "
                                 "space");
    name = line + SIG_PREFIX_LEN;
    sp = memchr(name, ' ', len - SIG_PREFIX_LEN);
    if (!sp)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signature line: no space between key name and signature");
    nlen = (size_t)(sp - name);
    if (!constat_note_name_valid(name, nlen))
        return constat_error_set(err, CONSTAT_EINVAL, "signature line: invalid key name");
    b64 = sp + 1;
    b64len = len - (size_t)(b64 - line);
    if (b64len == 0 || !b64_alphabet_ok(b64, b64len) ||
        constat_unbase64(b64, b64len, raw, sizeof raw, &got) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signature line for %.*s: signature is not base64",
                                 (int)(nlen > 64 ? 64 : nlen), name);
    if (got < 5)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "signature line for %.*s: %zu bytes, need a key id and a "
                                 "signature",
                                 (int)(nlen > 64 ? 64 : nlen), name, got);
    memset(out, 0, sizeof *out);
    memcpy(out->name, name, nlen);
    out->name[nlen] = '\0';
    out->key_id = ((uint32_t)raw[0] << 24) | ((uint32_t)raw[1] << 16) |
                  ((uint32_t)raw[2] << 8) | raw[3];
    out->sig_len = got - 4;
    memcpy(out->sig, raw + 4, out->sig_len < sizeof out->sig ? out->sig_len : sizeof out->sig);
    out->line_len = len;
    return CONSTAT_OK;
}

/* On any error but "no known key", the note describes nothing. */
static constat_status open_fail(constat_note *out, constat_status st)
{
    out->text_len = 0;
    out->nsigs = 0;
    out->nverified = 0;
    return st;
}

constat_status constat_note_open(const char *msg, size_t len,
                                 const constat_note_verifier *verifiers, size_t nverifiers,
                                 constat_note *out, constat_error *err)
{
    size_t bad, split, pos, lineno;
    constat_status st;

    if (!msg || !out || (nverifiers > 0 && !verifiers))
        return constat_error_set(err, CONSTAT_EINVAL, "note: missing argument");
    out->text_len = 0;
    out->nsigs = 0;
    out->nverified = 0;
    if (len > CONSTAT_NOTE_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT, "note: %zu bytes, at most %u", len,
                                 CONSTAT_NOTE_MAX_BYTES);
    bad = text_first_bad(msg, len);
    if (bad != len)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "note: line %zu: invalid UTF-8 or control character at "
                                 "byte %zu",
                                 line_of(msg, bad), bad);
    /* The text ends at the last blank line (signed-note "Format"). */
    split = len;
    for (size_t i = len; i >= 2; i--) {
        if (msg[i - 2] == '\n' && msg[i - 1] == '\n') {
            split = i - 2;
            break;
        }
    }
    if (split == len)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "note: no blank line between text and signatures");
    if (split + 2 == len)
        return constat_error_set(err, CONSTAT_EINVAL, "note: no signature lines");
    if (msg[len - 1] != '\n')
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "note: line %zu: last signature line does not end with a "
                                 "newline",
                                 line_of(msg, len));
    out->text_len = split + 1;

    lineno = line_of(msg, split + 2);
    for (pos = split + 2; pos < len; lineno++) {
        const char *nl = memchr(msg + pos, '\n', len - pos);
        size_t llen = (size_t)(nl - (msg + pos));
        constat_note_sig *s;
        const constat_note_verifier *v = NULL;
        size_t vi = 0;

        if (out->nsigs == CONSTAT_NOTE_MAX_SIGS) {
            return open_fail(out, constat_error_set(err, CONSTAT_ELIMIT,
                                     "note: line %zu: more than %d signature lines", lineno,
                                     CONSTAT_NOTE_MAX_SIGS));
        }
        s = &out->sigs[out->nsigs];
        st = constat_note_sig_parse(msg + pos, llen, s, err);
        if (st != CONSTAT_OK) {
            constat_error_prefix(err, "note: line %zu: ", lineno);
            return open_fail(out, st);
        }
        s->line_off = pos;
        out->nsigs++;
        pos += llen + 1;

        for (size_t j = 0; j < nverifiers; j++) {
            if (verifiers[j].key_id == s->key_id && strcmp(verifiers[j].name, s->name) == 0) {
                if (v)
                    return open_fail(out, constat_error_set(
                                              err, CONSTAT_EINVAL,
                                              "note: verifiers %zu and %zu are both %s+%08x",
                                              vi, j, s->name, (unsigned)s->key_id));
                v = &verifiers[j];
                vi = j;
            }
        }
        if (!v)
            continue; /* unknown key: ignored, as the spec requires */
        for (size_t k = 0; k + 1 < out->nsigs; k++) {
            if (out->sigs[k].key_id == s->key_id && strcmp(out->sigs[k].name, s->name) == 0) {
                s->duplicate = 1;
                break;
            }
        }
        if (s->duplicate)
            continue;

        if (v->alg == CONSTAT_NOTE_ALG_ED25519) {
            if (s->sig_len != CONSTAT_ED25519_SIG ||
                crypto_sign_verify_detached(s->sig, (const unsigned char *)msg,
                                            out->text_len, v->pk) != 0)
                return open_fail(out, constat_error_set(err, CONSTAT_EVERIFY,
                                                        "note: line %zu: signature by "
                                                        "%s+%08x does not verify",
                                                        lineno, s->name,
                                                        (unsigned)s->key_id));
        } else if (v->alg == CONSTAT_NOTE_ALG_COSIGNATURE_V1) {
            uint64_t ts = 0;
            if (s->sig_len > sizeof s->sig)
                st = constat_error_set(err, CONSTAT_EVERIFY, "signature is %zu bytes",
                                       s->sig_len);
            else
                st = constat_cosignature_verify(msg, out->text_len, s->sig, s->sig_len, v,
                                                &ts, err);
            if (st != CONSTAT_OK) {
                if (st == CONSTAT_EINVAL)
                    st = CONSTAT_EVERIFY; /* a known key's signature that is unusable */
                if (err)
                    err->code = st;
                constat_error_prefix(err, "note: line %zu: cosignature by %s+%08x: ", lineno,
                                     s->name, (unsigned)s->key_id);
                return open_fail(out, st);
            }
            s->timestamp = ts;
        } else {
            return open_fail(out, constat_error_set(err, CONSTAT_EINVAL,
                                                    "note: verifier %s has unknown "
                                                    "algorithm 0x%02x",
                                                    v->name, v->alg));
        }
        s->verified = 1;
        s->verifier = vi;
        out->nverified++;
    }
    /* Like Go's UnverifiedNoteError, `out` still describes the note. */
    if (out->nverified == 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "note: none of its %zu signatures is by a known key "
                                 "(first is %s+%08x)",
                                 out->nsigs, out->sigs[0].name,
                                 (unsigned)out->sigs[0].key_id);
    return CONSTAT_OK;
}
