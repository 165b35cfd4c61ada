/*
 * seal.c — sealing at rest (seal.h, docs/vault.md "Sealed at rest"): data
 * keys sealed to X25519 recipients, private values per field, evidence files
 * in seal_file.c.
 *
 * Knows no vault: the caller hands it the keys (constat_seal_keys), so the
 * vault uses it and nothing here reaches back into the vault.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "constat/vault/seal.h"
#include "constat/base/buf.h"
#include "constat/base/hash.h"

#define DK crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

static constat_status nomem(constat_error *err)
{
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

int constat_file_name_ok(const char *name, size_t max)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > max || name[0] == '.' || name[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int constat_seal_name_valid(const char *name)
{
    return constat_file_name_ok(name, CONSTAT_SEAL_NAME_MAX) && strcmp(name, "org") != 0;
}

/* Seal the wrapping key to every key of *k. */
static constat_status seal_wrap(constat_seal_keys *k, constat_error *err)
{
    for (size_t i = 0; i < k->n; i++)
        if (crypto_box_seal(k->wrap_box[i], k->wrap, sizeof k->wrap, k->pk[i]) != 0)
            return constat_error_set(err, CONSTAT_ECRYPTO, "cannot seal to recipient %s",
                                     k->names[i]);
    return CONSTAT_OK;
}

constat_status constat_seal_keys_init(constat_seal_keys *k, const uint8_t org_pk[32],
                                      const uint8_t *org_sk64, const char *recipients_json,
                                      constat_error *err)
{
    json_t *o = NULL, *val;
    const char *name;

    sodium_memzero(k, sizeof *k);
    if (crypto_sign_ed25519_pk_to_curve25519(k->pk[0], org_pk) != 0)
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "the organisation key has no X25519 form");
    memcpy(k->names[0], "org", 4);
    k->n = 1;
    crypto_aead_xchacha20poly1305_ietf_keygen(k->wrap);
    if (org_sk64) {
        if (crypto_sign_ed25519_sk_to_curve25519(k->sk, org_sk64) != 0)
            return constat_error_set(err, CONSTAT_ECRYPTO,
                                     "the organisation key has no X25519 form");
        k->has_sk = 1;
    }
    if (!recipients_json || !recipients_json[0])
        return seal_wrap(k, err);
    o = json_loads(recipients_json, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return constat_error_set(err, CONSTAT_EIO, "vault.db: meta \"recipients\" is not a "
                                                   "JSON object");
    }
    json_object_foreach(o, name, val) {
        const char *b = json_string_value(val);
        size_t got = 0;
        if (k->n >= CONSTAT_SEAL_MAX_RECIPIENTS) {
            json_decref(o);
            return constat_error_set(err, CONSTAT_ELIMIT, "more than %d recipients",
                                     CONSTAT_SEAL_MAX_RECIPIENTS - 1);
        }
        if (!constat_seal_name_valid(name) || !b ||
            constat_unbase64(b, strlen(b), k->pk[k->n], CONSTAT_SEAL_PK, &got) != CONSTAT_OK ||
            got != CONSTAT_SEAL_PK) {
            constat_error_set(err, CONSTAT_EIO,
                              "vault.db: meta \"recipients\": entry \"%.64s\" is not a name and "
                              "a base64 X25519 key", name);
            json_decref(o); /* after the message: it frees `name` */
            return CONSTAT_EIO;
        }
        memcpy(k->names[k->n], name, strlen(name) + 1);
        k->n++;
    }
    json_decref(o);
    return seal_wrap(k, err);
}

constat_status constat_seal_pub_parse(const char *text, size_t len, const char *label,
                                      uint8_t pk[CONSTAT_SEAL_PK], constat_error *err)
{
    static const char begin[] = "-----BEGIN PUBLIC KEY-----\n";
    static const char end[] = "-----END PUBLIC KEY-----\n";
    BIO *bio;
    EVP_PKEY *key;
    size_t got = CONSTAT_SEAL_PK;
    const char *e;

    if (len > 4096)
        return constat_error_set(err, CONSTAT_ELIMIT, "%s: larger than 4096 bytes", label);
    /* exactly one PEM block and nothing else: OpenSSL skips text around it */
    if (len < sizeof begin - 1 + sizeof end - 1 || memcmp(text, begin, sizeof begin - 1) != 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: not a PEM public key (\"-----BEGIN PUBLIC KEY-----\" "
                                 "on line 1)", label);
    e = text + len - (sizeof end - 1);
    if (memcmp(e, end, sizeof end - 1) != 0 || memchr(text, '\0', len))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: the PEM block does not end with \"-----END PUBLIC "
                                 "KEY-----\" and a newline", label);
    bio = BIO_new_mem_buf(text, (int)len);
    if (!bio)
        return nomem(err);
    key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!key)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a readable PEM public key",
                                 label);
    if (EVP_PKEY_id(key) != EVP_PKEY_X25519 ||
        EVP_PKEY_get_raw_public_key(key, pk, &got) != 1 || got != CONSTAT_SEAL_PK) {
        EVP_PKEY_free(key);
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: not an X25519 public key (make one with: openssl genpkey "
                                 "-algorithm X25519)", label);
    }
    EVP_PKEY_free(key);
    return CONSTAT_OK;
}

/* ---- private values ---- */

static size_t private_ad(const char *record_id, const char *field, char *ad, size_t cap)
{
    size_t a = strlen(CONSTAT_SEAL_PRIVATE_TAG), b = strlen(record_id), c = strlen(field);
    if (a + b + c + 2 > cap)
        return 0;
    memcpy(ad, CONSTAT_SEAL_PRIVATE_TAG "\n", a + 1);
    memcpy(ad + a + 1, record_id, b);
    ad[a + 1 + b] = '\n';
    memcpy(ad + a + b + 2, field, c);
    return a + b + c + 2;
}

/* Append base64 of n bytes, in quotes. */
static int buf_b64(constat_buf *b, const uint8_t *p, size_t n)
{
    char tmp[256];
    char *s = n <= 180 ? tmp : malloc(constat_base64_len(n));
    int r;
    if (!s)
        return -1;
    constat_base64(p, n, s);
    r = constat_buf_append(b, "\"", 1) != CONSTAT_OK ||
        constat_buf_append(b, s, strlen(s)) != CONSTAT_OK ||
        constat_buf_append(b, "\"", 1) != CONSTAT_OK;
    if (s != tmp)
        free(s);
    return r ? -1 : 0;
}

/* Append `name` as a JSON string. */
static int buf_name(constat_buf *b, const char *name)
{
    size_t n = strlen(name);
    int plain = 1;
    for (size_t i = 0; i < n; i++)
        if (name[i] < 0x20 || name[i] == '"' || name[i] == '\\' || (unsigned char)name[i] > 0x7e)
            plain = 0;
    if (plain)
        return constat_buf_append(b, "\"", 1) != CONSTAT_OK ||
                       constat_buf_append(b, name, n) != CONSTAT_OK ||
                       constat_buf_append(b, "\"", 1) != CONSTAT_OK
                   ? -1
                   : 0;
    {
        json_t *j = json_string(name);
        char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        int r = !t || constat_buf_append(b, t, strlen(t)) != CONSTAT_OK;
        free(t);
        json_decref(j);
        return r ? -1 : 0;
    }
}

constat_status constat_seal_private(const constat_seal_keys *k, const char *record_id,
                                    const json_t *values, char **out, constat_error *err)
{
    /* the envelope's text is written here, not built as a jansson tree:
     * sealing a record must cost little beside signing it (make bench) */
    uint8_t dk[NONCE + DK]; /* the wrap nonce, then the data key: one call to the RNG */
    uint8_t w[NONCE + DK + ABYTES];
    constat_buf b;
    const char *field;
    json_t *val;
    unsigned long long wl = 0;
    uint64_t idx = 0;
    char ad[512];
    size_t al;
    int bad = 0;

    *out = NULL;
    if (!json_is_object(values))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "record \"%s\": private values must be an object", record_id);
    al = private_ad(record_id, "", ad, sizeof ad);
    if (!al)
        return constat_error_set(err, CONSTAT_EINVAL, "record id too long");
    randombytes_buf(dk, sizeof dk);
    memcpy(w, dk, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(w + NONCE, &wl, dk + NONCE, DK,
                                               (const uint8_t *)ad, al, NULL, w, k->wrap);
    constat_buf_init(&b);
    bad |= constat_buf_append(&b, "{\"dk\":", 6) != CONSTAT_OK || buf_b64(&b, w, sizeof w);
    bad |= constat_buf_append(&b, ",\"fields\":{", 11) != CONSTAT_OK;
    json_object_foreach((json_t *)values, field, val) {
        char *text = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        size_t tl;
        uint8_t *box;
        unsigned long long cl = 0;
        if (!text || bad) {
            free(text);
            bad = 1;
            break;
        }
        al = private_ad(record_id, field, ad, sizeof ad);
        if (!al) {
            free(text);
            constat_buf_free(&b);
            sodium_memzero(dk, sizeof dk);
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "record \"%.140s\": field name too long", record_id);
        }
        tl = strlen(text);
        box = malloc(NONCE + tl + ABYTES);
        if (!box) {
            sodium_memzero(text, tl);
            free(text);
            bad = 1;
            break;
        }
        /* the data key is this record's alone: the field's index is a nonce
         * never used twice under it */
        memset(box, 0, NONCE);
        idx++;
        for (int i = 0; i < 8; i++)
            box[i] = (uint8_t)(idx >> (8 * i));
        crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE, &cl, (const uint8_t *)text, tl,
                                                   (const uint8_t *)ad, al, NULL, box,
                                                   dk + NONCE);
        sodium_memzero(text, tl);
        free(text);
        bad |= (idx > 1 && constat_buf_append(&b, ",", 1) != CONSTAT_OK) || buf_name(&b, field) ||
               constat_buf_append(&b, ":", 1) != CONSTAT_OK ||
               buf_b64(&b, box, NONCE + (size_t)cl);
        free(box);
    }
    bad |= constat_buf_append(&b, "},\"keys\":[", 10) != CONSTAT_OK;
    for (size_t i = 0; i < k->n && !bad; i++)
        bad |= constat_buf_append(&b, i ? ",{\"box\":" : "{\"box\":", i ? 8 : 7) != CONSTAT_OK ||
               buf_b64(&b, k->wrap_box[i], CONSTAT_SEAL_BOX) ||
               constat_buf_append(&b, ",\"pk\":", 6) != CONSTAT_OK ||
               buf_b64(&b, k->pk[i], CONSTAT_SEAL_PK) ||
               constat_buf_append(&b, "}", 1) != CONSTAT_OK;
    bad |= constat_buf_append(&b, "],\"v\":\"" CONSTAT_SEAL_PRIVATE_TAG "\"}",
                              sizeof "],\"v\":\"" CONSTAT_SEAL_PRIVATE_TAG "\"}") != CONSTAT_OK;
    sodium_memzero(dk, sizeof dk);
    if (bad) {
        constat_buf_free(&b);
        return nomem(err);
    }
    *out = (char *)constat_buf_detach(&b, NULL); /* the NUL was appended last */
    return *out ? CONSTAT_OK : nomem(err);
}

int constat_seal_private_is(const json_t *stored)
{
    const char *v = json_string_value(json_object_get(stored, "v"));
    return json_is_object(stored) && v && strcmp(v, CONSTAT_SEAL_PRIVATE_TAG) == 0;
}

/* base64 string `j` into a malloc'd buffer; NULL if not base64. */
static uint8_t *unb64_json(const json_t *j, size_t *n)
{
    const char *s = json_string_value(j);
    size_t sl = s ? strlen(s) : 0;
    uint8_t *p;
    if (!s)
        return NULL;
    p = malloc(sl + 1);
    if (p && constat_unbase64(s, sl, p, sl + 1, n) != CONSTAT_OK) {
        free(p);
        return NULL;
    }
    return p;
}

/* Open this record's data key with (sk, pk) into dk: the wrapping key
 * from the box sealed to pk, then the wrapped data key "dk". */
static constat_status open_wrap_key(const uint8_t *sk, const uint8_t *pk, const char *record_id,
                                    const json_t *keys, uint8_t *dk, constat_error *err);

static constat_status open_data_key(const uint8_t *sk, const uint8_t *pk, const char *record_id,
                                    const json_t *stored, uint8_t *dk, constat_error *err)
{
    uint8_t wrap[DK], w[NONCE + DK + ABYTES];
    const char *ws = json_string_value(json_object_get(stored, "dk"));
    size_t wl = 0, al;
    char ad[512];
    unsigned long long got = 0;
    constat_status st = open_wrap_key(sk, pk, record_id, json_object_get(stored, "keys"), wrap,
                                      err);
    if (st != CONSTAT_OK)
        return st;
    al = private_ad(record_id, "", ad, sizeof ad);
    if (!ws || !al || constat_unbase64(ws, strlen(ws), w, sizeof w, &wl) != CONSTAT_OK ||
        wl != sizeof w ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(dk, &got, NULL, w + NONCE, wl - NONCE,
                                                   (const uint8_t *)ad, al, w, wrap) != 0 ||
        got != DK)
        st = constat_error_set(err, CONSTAT_EVERIFY,
                               "vault.db: record \"%s\": its data key does not open "
                               "(tampered, truncated, or moved from another record)", record_id);
    sodium_memzero(wrap, sizeof wrap);
    return st;
}

static constat_status open_wrap_key(const uint8_t *sk, const uint8_t *pk, const char *record_id,
                                    const json_t *keys, uint8_t *dk, constat_error *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(keys))
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: sealed private values of \"%s\": no key list",
                                 record_id);
    json_array_foreach(keys, i, e) {
        uint8_t epk[CONSTAT_SEAL_PK], box[CONSTAT_SEAL_BOX];
        size_t pl = 0, bl = 0;
        const char *ps = json_string_value(json_object_get(e, "pk"));
        const char *bs = json_string_value(json_object_get(e, "box"));
        if (!ps || !bs || constat_unbase64(ps, strlen(ps), epk, sizeof epk, &pl) != CONSTAT_OK ||
            pl != sizeof epk)
            return constat_error_set(err, CONSTAT_EIO,
                                     "vault.db: sealed private values of \"%s\": key entry %zu "
                                     "is malformed", record_id, i);
        if (sodium_memcmp(epk, pk, sizeof epk) != 0)
            continue;
        if (constat_unbase64(bs, strlen(bs), box, sizeof box, &bl) != CONSTAT_OK ||
            bl != sizeof box || crypto_box_seal_open(dk, box, bl, pk, sk) != 0)
            return constat_error_set(err, CONSTAT_ECRYPTO,
                                     "vault.db: record \"%s\": its data key does not open "
                                     "(tampered or truncated)", record_id);
        return CONSTAT_OK;
    }
    return constat_error_set(err, CONSTAT_ECRYPTO,
                             "vault.db: record \"%s\": its private values are not sealed to "
                             "this key", record_id);
}

constat_status constat_seal_private_open(const uint8_t sk[CONSTAT_SEAL_SK],
                                         const uint8_t pk[CONSTAT_SEAL_PK],
                                         const char *record_id, const json_t *stored,
                                         json_t **out, constat_error *err)
{
    uint8_t dk[DK];
    json_t *fields = json_object_get(stored, "fields"), *val, *res;
    const char *field;
    constat_status st;
    char ad[512];

    *out = NULL;
    if (!constat_seal_private_is(stored) || !json_is_object(fields))
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: private values of \"%s\" are not a sealed "
                                 CONSTAT_SEAL_PRIVATE_TAG " object", record_id);
    res = json_object();
    if (!res)
        return nomem(err);
    st = open_data_key(sk, pk, record_id, stored, dk, err);
    json_object_foreach(fields, field, val) {
        size_t bl = 0, al;
        unsigned long long pl = 0;
        uint8_t *box, *plain;
        json_t *v;
        if (st != CONSTAT_OK)
            break;
        al = private_ad(record_id, field, ad, sizeof ad);
        box = unb64_json(val, &bl);
        if (!al || !box || bl < NONCE + ABYTES) {
            free(box);
            st = constat_error_set(err, CONSTAT_EVERIFY,
                                   "vault.db: record \"%s\", field \"%.64s\": sealed value "
                                   "malformed or truncated", record_id, field);
            break;
        }
        plain = malloc(bl);
        if (!plain) {
            free(box);
            st = nomem(err);
            break;
        }
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &pl, NULL, box + NONCE,
                                                       bl - NONCE, (const uint8_t *)ad, al, box,
                                                       dk) != 0) {
            st = constat_error_set(err, CONSTAT_EVERIFY,
                                   "vault.db: record \"%s\", field \"%.64s\": sealed value does "
                                   "not open (tampered, truncated, or moved from another "
                                   "record or field)", record_id, field);
        } else {
            v = json_loadb((const char *)plain, (size_t)pl,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
            if (!v || json_object_set_new(res, field, v) != 0)
                st = constat_error_set(err, CONSTAT_EIO,
                                       "vault.db: record \"%s\", field \"%.64s\": opened value "
                                       "is not JSON", record_id, field);
        }
        sodium_memzero(plain, bl);
        free(plain);
        free(box);
    }
    sodium_memzero(dk, sizeof dk);
    if (st != CONSTAT_OK) {
        json_decref(res);
        return st;
    }
    *out = res;
    return CONSTAT_OK;
}

/* ---- the retiring key of a pending re-seal (seal.h) ---- */

constat_status constat_seal_keys_add_old(constat_seal_keys *k, const uint8_t old_pk[32],
                                         const uint8_t *old_sk64, constat_error *err)
{
    if (crypto_sign_ed25519_pk_to_curve25519(k->old_pk, old_pk) != 0 ||
        crypto_sign_ed25519_sk_to_curve25519(k->old_sk, old_sk64) != 0) {
        sodium_memzero(k->old_sk, sizeof k->old_sk);
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "the retiring organisation key has no X25519 form");
    }
    k->has_old = 1;
    return CONSTAT_OK;
}

int constat_seal_private_has_key(const json_t *stored, const uint8_t pk[CONSTAT_SEAL_PK])
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(stored, "keys"), i, e) {
        const char *p = json_string_value(json_object_get(e, "pk"));
        uint8_t got[CONSTAT_SEAL_PK];
        size_t n = 0;
        if (p && constat_unbase64(p, strlen(p), got, sizeof got, &n) == CONSTAT_OK &&
            n == sizeof got && sodium_memcmp(got, pk, CONSTAT_SEAL_PK) == 0)
            return 1;
    }
    return 0;
}

constat_status constat_seal_private_open_keys(const constat_seal_keys *k, const char *record_id,
                                              const json_t *stored, json_t **out,
                                              constat_error *err)
{
    if (k->has_old && !constat_seal_private_has_key(stored, k->pk[0]) &&
        constat_seal_private_has_key(stored, k->old_pk))
        return constat_seal_private_open(k->old_sk, k->old_pk, record_id, stored, out, err);
    return constat_seal_private_open(k->sk, k->pk[0], record_id, stored, out, err);
}

