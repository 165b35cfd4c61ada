/* test_seal.c — sealing at rest (seal.h): private values sealed to the
 * organisation and to a named recipient, opened by each, refused when
 * changed, truncated or moved; sealed files (v2) round trip at chunk and
 * segment boundaries, on one thread and on several, and refuse truncation,
 * swapped segments, a segment from another file, flipped bytes, another key
 * and trailing data, each naming the file; fixed vectors of v1 (still read)
 * and v2, the v2 layout opened by hand; the
 * recipient key file parser on the RFC 8410 example key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "constat/constat.h"
#include "constat/vault/seal.h"
#include "testutil.h"

typedef struct {
    uint8_t ed_pk[32], ed_sk[64];
    uint8_t r_pk[32], r_sk[32];
    constat_seal_keys k;
} keyset;

static void keys_make(keyset *s)
{
    char json[200], b64[64];
    constat_error err;
    crypto_sign_keypair(s->ed_pk, s->ed_sk);
    crypto_box_keypair(s->r_pk, s->r_sk);
    constat_base64(s->r_pk, 32, b64);
    snprintf(json, sizeof json, "{\"backup\":\"%s\"}", b64);
    assert_int_equal(constat_seal_keys_init(&s->k, s->ed_pk, s->ed_sk, json, &err), CONSTAT_OK);
}

static void test_keys(void **state)
{
    keyset s;
    uint8_t x[32];
    constat_error err;
    constat_seal_keys k;
    (void)state;
    keys_make(&s);
    assert_int_equal(s.k.n, 2);
    assert_string_equal(s.k.names[0], "org");
    assert_string_equal(s.k.names[1], "backup");
    assert_memory_equal(s.k.pk[1], s.r_pk, 32);
    /* the organisation's X25519 public key is the one its secret key gives */
    assert_true(s.k.has_sk);
    crypto_scalarmult_base(x, s.k.sk);
    assert_memory_equal(x, s.k.pk[0], 32);
    /* public half only */
    assert_int_equal(constat_seal_keys_init(&k, s.ed_pk, NULL, NULL, &err), CONSTAT_OK);
    assert_false(k.has_sk);
    assert_int_equal(k.n, 1);
    assert_memory_equal(k.pk[0], s.k.pk[0], 32);
    /* malformed recipients */
    assert_int_equal(constat_seal_keys_init(&k, s.ed_pk, NULL, "{\"org\":\"AAAA\"}", &err),
                     CONSTAT_EIO);
    assert_non_null(strstr(err.msg, "\"org\""));
    assert_int_equal(constat_seal_keys_init(&k, s.ed_pk, NULL, "[]", &err), CONSTAT_EIO);
    assert_true(constat_seal_name_valid("coordinator-2"));
    assert_false(constat_seal_name_valid("org"));
    assert_false(constat_seal_name_valid("-x"));
    assert_false(constat_seal_name_valid("a b"));
}

static json_t *values(void)
{
    return json_pack("{s:{s:s, s:s}, s:{s:s, s:i}}", "narrative", "salt",
                     "00112233445566778899aabbccddeeff", "value", "kept 10 m away", "shelter",
                     "salt", "ffeeddccbbaa99887766554433221100", "value", 42);
}

/* Replace the base64 of fields.<field> in the sealed text by a copy with
 * one byte flipped (at `off` from the start of the decoded bytes) or cut to
 * `cut` bytes (cut > 0). */
static json_t *alter_field(const char *sealed, const char *field, size_t off, size_t cut)
{
    json_t *j = json_loads(sealed, 0, NULL), *f = json_object_get(j, "fields");
    const char *b = json_string_value(json_object_get(f, field));
    uint8_t raw[512];
    char out[800];
    size_t n = tu_unbase64(b, raw, sizeof raw);
    assert_true(n > 40);
    if (cut)
        n = cut;
    else
        raw[off] ^= 0x01;
    constat_base64(raw, n, out);
    json_object_set_new(f, field, json_string(out));
    return j;
}

/* Flip one bit of byte `off` of the base64 member `key` of `o` (`n` bytes). */
static void flip_b64(json_t *o, const char *key, size_t n, size_t off)
{
    uint8_t raw[128];
    char b64[200];
    assert_int_equal(tu_unbase64(json_string_value(json_object_get(o, key)), raw, sizeof raw), n);
    raw[off] ^= 0x01;
    constat_base64(raw, n, b64);
    json_object_set_new(o, key, json_string(b64));
}

/* Opening `stored` as record `id` with the organisation's key fails with
 * `want`, and the message holds `msg`. */
static void expect_refused(const keyset *s, const char *id, const json_t *stored,
                           constat_status want, const char *msg)
{
    json_t *got = NULL;
    constat_error err;
    assert_int_equal(constat_seal_private_open(s->k.sk, s->k.pk[0], id, stored, &got, &err),
                     want);
    assert_null(got);
    assert_non_null(strstr(err.msg, msg));
}

static void test_private(void **state)
{
    keyset s, other;
    json_t *v = values(), *stored, *got = NULL, *bad;
    char *sealed = NULL;
    constat_error err;
    (void)state;
    keys_make(&s);
    keys_make(&other);
    assert_int_equal(constat_seal_private(&s.k, "inc-1", v, &sealed, &err), CONSTAT_OK);
    assert_null(strstr(sealed, "kept 10 m"));
    assert_null(strstr(sealed, "00112233"));
    stored = json_loads(sealed, 0, NULL);
    assert_true(constat_seal_private_is(stored));
    assert_int_equal(json_array_size(json_object_get(stored, "keys")), 2);
    /* the organisation opens it */
    assert_int_equal(constat_seal_private_open(s.k.sk, s.k.pk[0], "inc-1", stored, &got, &err),
                     CONSTAT_OK);
    assert_true(json_equal(got, v));
    json_decref(got);
    /* so does the named recipient, with its own key */
    assert_int_equal(constat_seal_private_open(s.r_sk, s.r_pk, "inc-1", stored, &got, &err),
                     CONSTAT_OK);
    assert_true(json_equal(got, v));
    json_decref(got);
    /* another organisation's key: not sealed to it */
    got = (json_t *)1;
    assert_int_equal(
        constat_seal_private_open(other.k.sk, other.k.pk[0], "inc-1", stored, &got, &err),
        CONSTAT_ECRYPTO);
    assert_null(got);
    assert_non_null(strstr(err.msg, "not sealed to this key"));
    /* moved to another record: its data key no longer unwraps, named */
    expect_refused(&s, "inc-2", stored, CONSTAT_EVERIFY, "record \"inc-2\": its data key does not open");
    /* a field moved from another record (same session key, other data key) */
    {
        char *other2 = NULL;
        json_t *o, *f2;
        assert_int_equal(constat_seal_private(&s.k, "inc-9", v, &other2, &err), CONSTAT_OK);
        o = json_loads(other2, 0, NULL);
        f2 = json_loads(sealed, 0, NULL);
        json_object_set(json_object_get(f2, "fields"), "shelter",
                        json_object_get(json_object_get(o, "fields"), "shelter"));
        expect_refused(&s, "inc-1", f2, CONSTAT_EVERIFY, "record \"inc-1\", field \"shelter\"");
        json_decref(o);
        json_decref(f2);
        free(other2);
    }
    /* a flipped ciphertext byte, and a truncated value */
    bad = alter_field(sealed, "shelter", 30, 0);
    expect_refused(&s, "inc-1", bad, CONSTAT_EVERIFY, "record \"inc-1\", field \"shelter\": sealed value does "
                                    "not open");
    json_decref(bad);
    bad = alter_field(sealed, "narrative", 0, 30);
    expect_refused(&s, "inc-1", bad, CONSTAT_EVERIFY, "field \"narrative\": sealed value malformed or truncated");
    json_decref(bad);
    /* one field's ciphertext copied under another field's name */
    bad = json_loads(sealed, 0, NULL);
    json_object_set(json_object_get(bad, "fields"), "shelter",
                    json_object_get(json_object_get(bad, "fields"), "narrative"));
    expect_refused(&s, "inc-1", bad, CONSTAT_EVERIFY, "field \"shelter\"");
    json_decref(bad);
    /* a changed data-key box */
    bad = json_loads(sealed, 0, NULL);
    flip_b64(json_array_get(json_object_get(bad, "keys"), 0), "box", 80, 50);
    expect_refused(&s, "inc-1", bad, CONSTAT_ECRYPTO, "record \"inc-1\": its data key does not open");
    json_decref(bad);
    /* a changed wrapped data key */
    bad = json_loads(sealed, 0, NULL);
    flip_b64(bad, "dk", 72, 40);
    expect_refused(&s, "inc-1", bad, CONSTAT_EVERIFY, "record \"inc-1\": its data key does not open");
    json_decref(bad);
    /* each sealing uses a fresh data key and nonces */
    {
        char *again = NULL;
        assert_int_equal(constat_seal_private(&s.k, "inc-1", v, &again, &err), CONSTAT_OK);
        assert_string_not_equal(again, sealed);
        free(again);
    }
    json_decref(stored);
    json_decref(v);
    free(sealed);
}

/* Seal `n` bytes of a pattern into a temporary file; returns its path. */
static char *seal_file(const constat_seal_keys *k, size_t n, uint8_t **plain)
{
    char *dir = tu_tmpdir(), *path = malloc(strlen(dir) + 8);
    constat_seal_writer *w = NULL;
    constat_error err;
    uint8_t *p = malloc(n + 1);
    int fd;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131 + (i >> 11));
    sprintf(path, "%s/f", dir);
    free(dir);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(constat_seal_writer_new(k, fd, &w, &err), CONSTAT_OK);
    /* written in uneven pieces, so buffering across chunks is exercised */
    for (size_t off = 0; off < n;) {
        size_t take = n - off < 70001 ? n - off : 70001;
        assert_int_equal(constat_seal_writer_write(w, p + off, take, &err), CONSTAT_OK);
        off += take;
    }
    assert_int_equal(constat_seal_writer_finish(w, &err), CONSTAT_OK);
    constat_seal_writer_free(w);
    close(fd);
    *plain = p;
    return path;
}

/* Read the sealed file back; returns the status, the bytes into *got. */
static constat_status unseal(const uint8_t *sk, const uint8_t *pk, const char *path,
                             uint8_t **got, size_t *len, constat_error *err)
{
    constat_seal_reader *r = NULL;
    constat_status st;
    int fd = open(path, O_RDONLY), done = 0;
    size_t cap = 0;
    *got = NULL;
    *len = 0;
    assert_true(fd >= 0);
    assert_int_equal(constat_seal_file_is(fd), 1);
    st = constat_seal_reader_new(sk, pk, fd, "f", &r, err);
    while (st == CONSTAT_OK && !done) {
        const uint8_t *d;
        size_t n;
        st = constat_seal_reader_next(r, &d, &n, &done, err);
        if (st == CONSTAT_OK && n) {
            if (*len + n > cap) {
                cap = (*len + n) * 2;
                *got = realloc(*got, cap);
            }
            memcpy(*got + *len, d, n);
            *len += n;
        }
    }
    constat_seal_reader_free(r);
    close(fd);
    return st;
}

static int contains(const uint8_t *h, size_t hn, const uint8_t *n, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, n, nn) == 0)
            return 1;
    return 0;
}

static void truncate_to(const char *path, off_t n)
{
    assert_int_equal(truncate(path, n), 0);
}

/* Remove a file made by seal_file with its folder; free both buffers. */
static void drop_file(char *path, uint8_t *plain)
{
    *strrchr(path, '/') = 0;
    tu_rmrf(path);
    free(path);
    free(plain);
}

/* Stored bytes of a v2 segment of `len` plaintext bytes in `chunk`s: the
 * 24-byte stream header, then 17 bytes (tag, MAC) per chunk. */
static size_t seg_bytes(size_t len, size_t chunk)
{
    size_t chunks = len == 0 ? 1 : (len + chunk - 1) / chunk;
    return 24 + len + 17 * chunks;
}

/* Copy `n` bytes of the file at `from` over `to`, in place. */
static void patch(const char *path, off_t to, off_t from, size_t n, const uint8_t *src)
{
    uint8_t *buf = malloc(n);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    if (src)
        memcpy(buf, src, n);
    else
        assert_int_equal(pread(fd, buf, n, from), (ssize_t)n);
    assert_int_equal(pwrite(fd, buf, n, to), (ssize_t)n);
    close(fd);
    free(buf);
}

static void expect_file_refused(const keyset *s, const char *path, const char *msg)
{
    uint8_t *got;
    size_t len;
    constat_error err;
    assert_int_equal(unseal(s->k.sk, s->k.pk[0], path, &got, &len, &err), CONSTAT_EVERIFY);
    free(got);
    /* the message names the file ("f") and what is wrong */
    assert_true(strncmp(err.msg, "f: ", 3) == 0);
    if (!strstr(err.msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void test_files(void **state)
{
    static const size_t sizes[] = {0, 1, CONSTAT_SEAL_V2_CHUNK, CONSTAT_SEAL_SEGMENT - 1,
                                   CONSTAT_SEAL_SEGMENT, CONSTAT_SEAL_SEGMENT + 1,
                                   3 * CONSTAT_SEAL_SEGMENT + 5};
    const size_t seg = CONSTAT_SEAL_SEGMENT, chunk = CONSTAT_SEAL_V2_CHUNK;
    /* magic, n, two (key, sealed file key), segment and chunk size */
    const size_t hl = 16 + 1 + 2 * 112 + 8, full = seg_bytes(seg, chunk);
    keyset s, other;
    constat_error err;
    (void)state;
    keys_make(&s);
    keys_make(&other);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *plain, *got, *bytes;
        size_t len, fl, nseg = sizes[i] == 0 ? 1 : (sizes[i] + seg - 1) / seg;
        size_t last = sizes[i] - (nseg - 1) * seg;
        char *path;
        /* the larger sizes once on the caller's thread only, once on workers */
        constat_seal_set_threads(i == 5 ? 1 : 0);
        path = seal_file(&s.k, sizes[i], &plain);
        constat_seal_set_threads(0);
        bytes = (uint8_t *)tu_read_file(path, &fl);
        assert_memory_equal(bytes, "constat-seal-v2\n", 16);
        assert_int_equal(bytes[16], 2);
        /* segment 512 KiB, chunk 64 KiB, big-endian */
        assert_memory_equal(bytes + 16 + 1 + 224, "\x00\x08\x00\x00\x00\x01\x00\x00", 8);
        assert_int_equal(fl, hl + (nseg - 1) * full + seg_bytes(last, chunk));
        if (sizes[i] > 64)
            assert_false(contains(bytes, fl, plain, 64));
        free(bytes);
        assert_int_equal(unseal(s.k.sk, s.k.pk[0], path, &got, &len, &err), CONSTAT_OK);
        assert_int_equal(len, sizes[i]);
        if (len)
            assert_memory_equal(got, plain, len);
        free(got);
        assert_int_equal(unseal(s.r_sk, s.r_pk, path, &got, &len, &err), CONSTAT_OK);
        assert_int_equal(len, sizes[i]);
        free(got);
        /* another key */
        assert_int_equal(unseal(other.k.sk, other.k.pk[0], path, &got, &len, &err),
                         CONSTAT_ECRYPTO);
        assert_non_null(strstr(err.msg, "f: not sealed to this key"));
        free(got);
        /* trailing data: the last segment no longer opens as what it is */
        {
            int fd = open(path, O_WRONLY | O_APPEND);
            assert_int_equal(write(fd, "x", 1), 1);
            close(fd);
        }
        expect_file_refused(&s, path, "segment");
        /* one byte cut from the end */
        truncate_to(path, (off_t)fl - 1);
        expect_file_refused(&s, path, "segment");
        /* cut at a segment boundary: the segment left last is not the last */
        if (nseg > 1) {
            truncate_to(path, (off_t)(hl + full));
            expect_file_refused(&s, path, "truncated: it ends with segment 0, which is not its "
                                          "last");
        }
        /* header cut */
        truncate_to(path, 40);
        assert_int_equal(unseal(s.k.sk, s.k.pk[0], path, &got, &len, &err),
                         CONSTAT_EVERIFY);
        assert_non_null(strstr(err.msg, "f: sealed file header truncated"));
        free(got);
        drop_file(path, plain);
    }
    /* four segments: swapped, from another file, a flipped byte */
    {
        uint8_t *plain, *plain2, *seg1;
        size_t n = 3 * seg + 5, len;
        char *path = seal_file(&s.k, n, &plain), *path2 = seal_file(&s.k, n, &plain2);
        char *b2 = tu_read_file(path2, &len);
        seg1 = (uint8_t *)b2 + hl + full;
        /* segment 1 of another file sealed to the same keys, in its place */
        patch(path, (off_t)(hl + full), 0, full, seg1);
        expect_file_refused(&s, path, "f: segment 1 does not open under this file's key "
                                      "(tampered, or taken from another sealed file)");
        free(b2);
        drop_file(path2, plain2);
        drop_file(path, plain);
        /* segments 1 and 2 swapped */
        path = seal_file(&s.k, n, &plain);
        b2 = tu_read_file(path, &len);
        patch(path, (off_t)(hl + full), 0, full, (uint8_t *)b2 + hl + 2 * full);
        patch(path, (off_t)(hl + 2 * full), 0, full, (uint8_t *)b2 + hl + full);
        expect_file_refused(&s, path, "f: position 1 holds segment 2 of this file (segments "
                                      "reordered or swapped)");
        /* put back in order, then a flipped byte in the first chunk, in a later one */
        patch(path, (off_t)(hl + full), 0, full, (uint8_t *)b2 + hl + full);
        patch(path, (off_t)(hl + 2 * full), 0, full, (uint8_t *)b2 + hl + 2 * full);
        b2[hl + full + 24 + 100] ^= 1; /* segment 1, chunk 0 */
        patch(path, (off_t)(hl + full), 0, full, (uint8_t *)b2 + hl + full);
        expect_file_refused(&s, path, "f: segment 1 does not open");
        b2[hl + full + 24 + 100] ^= 1;
        b2[hl + full + 24 + (chunk + 17) + 7] ^= 1; /* segment 1, chunk 1 */
        patch(path, (off_t)(hl + full), 0, full, (uint8_t *)b2 + hl + full);
        expect_file_refused(&s, path, "f: segment 1 chunk 1 does not open (tampered)");
        free(b2);
        drop_file(path, plain);
    }
}

/* The secret key of the vectors in tests/vectors/seal (PROVENANCE.md). */
static void vector_key(uint8_t pk[32], uint8_t sk[32])
{
    uint8_t seed[32] = {7};
    crypto_box_seed_keypair(pk, sk, seed);
}

static void read_vector(const char *name, uint8_t **got, size_t *len, constat_status want,
                        constat_error *err)
{
    uint8_t pk[32], sk[32];
    char *dir = tu_tmpdir(), path[600], *bytes;
    size_t n;
    FILE *f;
    vector_key(pk, sk);
    bytes = tu_read_vector(name, &n);
    snprintf(path, sizeof path, "%s/f", dir);
    f = fopen(path, "wb");
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    free(bytes);
    assert_int_equal(unseal(sk, pk, path, got, len, err), want);
    tu_rmrf(dir);
    free(dir);
}

static void test_file_vectors(void **state)
{
    static const char v1[] = "constat sealed-file vector, format v1: a photograph of a police "
                             "line at the Porte de la Chapelle, 06:40.";
    static const char v2[] = "constat sealed-file vector, format v2: a photograph of a police "
                             "line at the Porte de la Chapelle, 06:40.";
    uint8_t *got, pk[32], sk[32], key[32], sub[32], ad[137 + 25], out[4096];
    size_t len, n;
    constat_error err;
    crypto_secretstream_xchacha20poly1305_state ss;
    unsigned long long pl;
    unsigned char tag;
    uint8_t *b;
    (void)state;
    /* format v1 files, written before v2, still read */
    read_vector("seal/seal-v1-small.bin", &got, &len, CONSTAT_OK, &err);
    assert_int_equal(len, strlen(v1));
    assert_memory_equal(got, v1, len);
    free(got);
    read_vector("seal/seal-v1-empty.bin", &got, &len, CONSTAT_OK, &err);
    assert_int_equal(len, 0);
    free(got);
    read_vector("seal/seal-v2-small.bin", &got, &len, CONSTAT_OK, &err);
    assert_int_equal(len, strlen(v2));
    assert_memory_equal(got, v2, len);
    free(got);
    read_vector("seal/seal-v2-3seg.bin", &got, &len, CONSTAT_OK, &err);
    assert_int_equal(len, 20000);
    for (size_t i = 0; i < len; i++)
        if (got[i] != (uint8_t)(i * 131 + (i >> 11)))
            fail_msg("byte %zu", i);
    free(got);
    /* the v2 layout opened by hand (docs/vault.md): header of 137 bytes,
     * segments of 8192 in chunks of 4096, subkey 2*i+last under "cnstseg2",
     * associated data header | i | last | count | length */
    vector_key(pk, sk);
    b = (uint8_t *)tu_read_vector("seal/seal-v2-3seg.bin", &n);
    assert_int_equal(n, 137 + 2 * (24 + 8192 + 2 * 17) + (24 + 3616 + 17));
    assert_int_equal(b[16], 1);
    assert_memory_equal(b + 17, pk, 32);
    assert_memory_equal(b + 129, "\x00\x00\x20\x00\x00\x00\x10\x00", 8);
    assert_int_equal(crypto_box_seal_open(key, b + 49, 80, pk, sk), 0);
    /* segment 0, first chunk */
    crypto_kdf_derive_from_key(sub, 32, 0, "cnstseg2", key);
    memcpy(ad, b, 137);
    memset(ad + 137, 0, 25);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&ss, b + 137, sub), 0);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&ss, out, &pl, &tag, b + 161,
                                                                4096 + 17, ad, sizeof ad), 0);
    assert_int_equal(pl, 4096);
    assert_int_equal(tag, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    assert_int_equal(out[1], 131);
    /* segment 2, the last: id 5, count 3, length 20000 (0x4e20) */
    crypto_kdf_derive_from_key(sub, 32, 5, "cnstseg2", key);
    ad[137 + 7] = 2;
    ad[137 + 8] = 1;
    ad[137 + 16] = 3;
    ad[137 + 23] = 0x4e;
    ad[137 + 24] = 0x20;
    {
        size_t off = 137 + 2 * 8250;
        assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&ss, b + off, sub), 0);
        assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&ss, out, &pl, &tag,
                                                                    b + off + 24, 3616 + 17, ad,
                                                                    sizeof ad), 0);
        assert_int_equal(pl, 3616);
        assert_int_equal(tag, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
        assert_int_equal(out[0], (uint8_t)(16384 * 131 + (16384 >> 11)));
    }
    free(b);
}

static void test_pub_parse(void **state)
{
    /* RFC 8410, section 10.2: the example X25519 public key */
    static const char x25519[] = "-----BEGIN PUBLIC KEY-----\n"
                                 "MCowBQYDK2VuAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                                 "-----END PUBLIC KEY-----\n";
    /* RFC 8410, section 10.1: an Ed25519 public key, not for sealing */
    static const char ed25519[] = "-----BEGIN PUBLIC KEY-----\n"
                                  "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                                  "-----END PUBLIC KEY-----\n";
    static const uint8_t want[32] = {0x19, 0xbf, 0x44, 0x09, 0x69, 0x84, 0xcd, 0xfe,
                                     0x85, 0x41, 0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96,
                                     0xc8, 0x50, 0x86, 0xaa, 0x30, 0xb6, 0xb6, 0xcb,
                                     0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1};
    uint8_t pk[32];
    char buf[300];
    constat_error err;
    (void)state;
    assert_int_equal(constat_seal_pub_parse(x25519, strlen(x25519), "r.pub", pk, &err),
                     CONSTAT_OK);
    assert_memory_equal(pk, want, 32);
    assert_int_equal(constat_seal_pub_parse(ed25519, strlen(ed25519), "r.pub", pk, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "r.pub: not an X25519 public key"));
    snprintf(buf, sizeof buf, "junk\n%s", x25519);
    assert_int_equal(constat_seal_pub_parse(buf, strlen(buf), "r.pub", pk, &err),
                     CONSTAT_EINVAL);
    snprintf(buf, sizeof buf, "%sjunk\n", x25519);
    assert_int_equal(constat_seal_pub_parse(buf, strlen(buf), "r.pub", pk, &err),
                     CONSTAT_EINVAL);
    memcpy(buf, x25519, sizeof x25519);
    buf[40] = '!';
    assert_int_equal(constat_seal_pub_parse(buf, strlen(buf), "r.pub", pk, &err),
                     CONSTAT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_private),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_file_vectors),
        cmocka_unit_test(test_pub_parse),
    };
    if (constat_init() != CONSTAT_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
