/* test_cosign.c — C2SP tlog-cosignature (cosignature/v1) against the derived
 * vectors and the spec examples, and tlog-checkpoint parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "testutil.h"

#define TESSERA_VKEY                                                                     \
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
#define BODY15                                                                           \
    "example.com/log/testdata\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n"

static constat_note g_note;

static int setup(void **state)
{
    (void)state;
    return constat_init() == CONSTAT_OK ? 0 : -1;
}

static json_t *load(const char *rel)
{
    size_t len;
    char *s = tu_read_vector(rel, &len);
    json_error_t je;
    /* jansson ints are int64: u64 timestamps over 2^63-1 need reals here;
     * their exact digits are read from the raw text (raw_u64). */
    json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
    free(s);
    if (!j)
        fail_msg("%s: %s (line %d)", rel, je.text, je.line);
    return j;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        fail_msg("vector field %s missing", k);
    return s;
}

static constat_note_verifier vparse(const char *vkey)
{
    constat_note_verifier v;
    constat_error e;
    if (constat_note_verifier_parse(vkey, &v, &e) != CONSTAT_OK)
        fail_msg("vkey %s: %s", vkey, e.msg);
    return v;
}

static void test_derived_vectors(void **state)
{
    json_t *root = load("tlog-cosignature/derived-cosignature-v1-ed25519.json");
    json_t *vecs = json_object_get(root, "vectors");
    json_t *c;
    size_t i, handled = 0;
    constat_note_verifier log = vparse(TESSERA_VKEY);
    (void)state;

    json_array_foreach(vecs, i, c)
    {
        const char *name = jstr(c, "cosigner_name");
        const char *body = jstr(c, "checkpoint_body");
        const char *line = jstr(c, "signature_line");
        const char *cosigned = jstr(c, "cosigned_checkpoint");
        const char *msgwant = jstr(c, "signed_message");
        uint64_t ts = (uint64_t)json_number_value(json_object_get(c, "timestamp"));
        constat_note_signer s, w;
        constat_note_verifier v, both[2];
        constat_note_sig sig;
        constat_buf out;
        constat_error e;
        char hex[65], idhex[9], buf[512];
        uint64_t got = 0;

        assert_true(ts > 0);
        /* the skey is a plain (0x01) note key; as a witness the same seed
         * is used with type byte 0x04 */
        assert_int_equal(constat_note_signer_parse(jstr(c, "skey"), &s, &e), CONSTAT_OK);
        assert_string_equal(s.pub.name, name);
        assert_int_equal(constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_COSIGNATURE_V1,
                                                       s.sk, &w, &e),
                         CONSTAT_OK);
        constat_hex(w.pub.pk, 32, hex);
        assert_string_equal(hex, jstr(c, "ed25519_public_key_hex"));
        snprintf(idhex, sizeof idhex, "%08x", (unsigned)w.pub.key_id);
        assert_string_equal(idhex, jstr(c, "key_id_hex"));
        assert_int_equal(constat_note_verifier_format(&w.pub, buf, sizeof buf), CONSTAT_OK);
        assert_string_equal(buf, jstr(c, "cosig_vkey_type04"));
        v = vparse(jstr(c, "cosig_vkey_type04"));
        assert_memory_equal(&v, &w.pub, sizeof v);

        /* the signed message */
        constat_buf_init(&out);
        assert_int_equal(constat_cosignature_message(body, strlen(body), ts, &out), CONSTAT_OK);
        assert_int_equal(out.len, strlen(msgwant));
        assert_memory_equal(out.data, msgwant, out.len);
        constat_buf_reset(&out);

        /* signing reproduces the line byte for byte */
        assert_int_equal(constat_cosignature_sign(body, strlen(body), ts, &w, &out, &e),
                         CONSTAT_OK);
        assert_int_equal(out.len, strlen(line));
        assert_memory_equal(out.data, line, out.len);
        constat_buf_free(&out);

        /* the blob layout: keyid(4) || u64be ts || sig(64) */
        assert_int_equal(constat_note_sig_parse(line, strlen(line), &sig, &e), CONSTAT_OK);
        assert_int_equal(sig.key_id, w.pub.key_id);
        assert_int_equal(sig.sig_len, CONSTAT_COSIG_V1_LEN);
        assert_int_equal(constat_cosignature_timestamp(sig.sig, sig.sig_len, &got, &e),
                         CONSTAT_OK);
        assert_int_equal(got, ts);
        /* independent check of the signature over the vector's message */
        assert_int_equal(crypto_sign_verify_detached(sig.sig + 8, (const unsigned char *)msgwant,
                                                     strlen(msgwant), v.pk),
                         0);
        got = 0;
        assert_int_equal(constat_cosignature_verify(body, strlen(body), sig.sig, sig.sig_len, &v,
                                                    &got, &e),
                         CONSTAT_OK);
        assert_int_equal(got, ts);

        /* tampering: another timestamp, another body, a flipped sig byte */
        sig.sig[7] ^= 1;
        assert_int_equal(constat_cosignature_verify(body, strlen(body), sig.sig, sig.sig_len, &v,
                                                    &got, &e),
                         CONSTAT_EVERIFY);
        sig.sig[7] ^= 1;
        assert_int_equal(constat_cosignature_verify(body, strlen(body) - 1, sig.sig, sig.sig_len,
                                                    &v, &got, &e),
                         CONSTAT_EVERIFY);
        sig.sig[40] ^= 0x80;
        assert_int_equal(constat_cosignature_verify(body, strlen(body), sig.sig, sig.sig_len, &v,
                                                    &got, &e),
                         CONSTAT_EVERIFY);
        sig.sig[40] ^= 0x80;
        assert_int_equal(constat_cosignature_verify(body, strlen(body), sig.sig, 71, &v, &got,
                                                    &e),
                         CONSTAT_EINVAL);
        /* a 0x01 verifier cannot check a cosignature */
        assert_int_equal(constat_cosignature_verify(body, strlen(body), sig.sig, sig.sig_len,
                                                    &s.pub, &got, &e),
                         CONSTAT_EINVAL);

        /* the cosigned checkpoint opens with log key and witness */
        both[0] = log;
        both[1] = v;
        assert_int_equal(constat_note_open(cosigned, strlen(cosigned), both, 2, &g_note, &e),
                         CONSTAT_OK);
        assert_int_equal(g_note.nverified, 2);
        assert_int_equal(g_note.sigs[1].verified, 1);
        assert_int_equal(g_note.sigs[1].verifier, 1);
        assert_int_equal(g_note.sigs[1].timestamp, ts);
        assert_int_equal(g_note.sigs[0].timestamp, 0);
        assert_int_equal(g_note.text_len, strlen(body));
        /* the witness alone suffices to open it */
        assert_int_equal(constat_note_open(cosigned, strlen(cosigned), &v, 1, &g_note, &e),
                         CONSTAT_OK);
        assert_int_equal(g_note.nverified, 1);
        assert_int_equal(g_note.sigs[0].verified, 0);
        /* the same key as a plain 0x01 verifier has another id: unknown */
        assert_int_equal(constat_note_open(cosigned, strlen(cosigned), &s.pub, 1, &g_note, &e),
                         CONSTAT_EVERIFY);
        assert_int_equal(g_note.nsigs, 2);
        assert_int_equal(g_note.nverified, 0);
        /* a known witness whose cosignature is bad fails the note */
        {
            char *bad = strdup(cosigned);
            char *p = strstr(bad, line) + strlen(line) - 10;
            assert_non_null(bad);
            *p = (char)(*p == 'A' ? 'B' : 'A');
            assert_int_equal(constat_note_open(bad, strlen(bad), both, 2, &g_note, &e),
                             CONSTAT_EVERIFY);
            assert_non_null(strstr(e.msg, name));
            assert_int_equal(constat_note_open(bad, strlen(bad), &log, 1, &g_note, &e),
                             CONSTAT_OK);
            free(bad);
        }
        constat_note_signer_wipe(&s);
        constat_note_signer_wipe(&w);
        handled++;
    }
    assert_int_equal(handled, 2);
    json_decref(root);
}

static void test_cosign_rules(void **state)
{
    constat_note_signer w, plain;
    constat_buf out;
    constat_error e;
    uint8_t seed[32];
    constat_note_sig sig;
    uint64_t got = 0;
    char note[1024];
    (void)state;

    memset(seed, 0x42, sizeof seed);
    assert_int_equal(constat_note_signer_from_seed("witness.example/w", 4, seed, &w, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_note_signer_from_seed("witness.example/w", 1, seed, &plain, &e),
                     CONSTAT_OK);
    assert_memory_equal(w.pub.pk, plain.pub.pk, 32);
    assert_int_not_equal(w.pub.key_id, plain.pub.key_id);
    constat_buf_init(&out);
    /* timestamp limits: 2^63-1 is allowed, 2^63 is not */
    assert_int_equal(constat_cosignature_sign(BODY15, strlen(BODY15), CONSTAT_COSIG_MAX_TIMESTAMP,
                                              &w, &out, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_note_sig_parse((const char *)out.data, out.len, &sig, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_cosignature_verify(BODY15, strlen(BODY15), sig.sig, sig.sig_len,
                                                &w.pub, &got, &e),
                     CONSTAT_OK);
    assert_int_equal(got, CONSTAT_COSIG_MAX_TIMESTAMP);
    constat_buf_reset(&out);
    assert_int_equal(constat_cosignature_sign(BODY15, strlen(BODY15),
                                              CONSTAT_COSIG_MAX_TIMESTAMP + 1, &w, &out, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_cosignature_message(BODY15, strlen(BODY15),
                                                 CONSTAT_COSIG_MAX_TIMESTAMP + 1, &out),
                     CONSTAT_EINVAL);
    /* timestamp 0 prints as "0" */
    assert_int_equal(constat_cosignature_message("x\n", 2, 0, &out), CONSTAT_OK);
    assert_int_equal(out.len, strlen("cosignature/v1\ntime 0\nx\n"));
    assert_memory_equal(out.data, "cosignature/v1\ntime 0\nx\n", out.len);
    constat_buf_reset(&out);
    /* a plain signer cannot cosign; a non-checkpoint is not cosigned */
    assert_int_equal(constat_cosignature_sign(BODY15, strlen(BODY15), 1, &plain, &out, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_cosignature_sign("hello\n", 6, 1, &w, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(out.len, 0);

    /* a note whose first signature is a cosignature, built by hand */
    assert_int_equal(constat_cosignature_sign(BODY15, strlen(BODY15), 1700000123, &w, &out, &e),
                     CONSTAT_OK);
    snprintf(note, sizeof note, "%s\n%s", BODY15, (const char *)out.data);
    assert_int_equal(constat_note_open(note, strlen(note), &w.pub, 1, &g_note, &e), CONSTAT_OK);
    assert_int_equal(g_note.sigs[0].timestamp, 1700000123u);
    /* a timestamp over 2^63-1 from a known witness is a failed signature */
    {
        uint8_t blob[72];
        constat_note_sig s2;
        assert_int_equal(constat_note_sig_parse((const char *)out.data, out.len, &s2, &e),
                         CONSTAT_OK);
        memcpy(blob, s2.sig, 72);
        blob[0] = 0x80;
        constat_buf_reset(&out);
        assert_int_equal(constat_note_sig_format(w.pub.name, w.pub.key_id, blob, 72, &out),
                         CONSTAT_OK);
        snprintf(note, sizeof note, "%s\n%s", BODY15, (const char *)out.data);
        assert_int_equal(constat_note_open(note, strlen(note), &w.pub, 1, &g_note, &e),
                         CONSTAT_EVERIFY);
        assert_int_equal(constat_cosignature_timestamp(blob, 72, &got, &e), CONSTAT_EINVAL);
        /* and a 68-byte (plain-length) signature under a witness id fails */
        constat_buf_reset(&out);
        assert_int_equal(constat_note_sig_format(w.pub.name, w.pub.key_id, blob + 8, 64, &out),
                         CONSTAT_OK);
        snprintf(note, sizeof note, "%s\n%s", BODY15, (const char *)out.data);
        assert_int_equal(constat_note_open(note, strlen(note), &w.pub, 1, &g_note, &e),
                         CONSTAT_EVERIFY);
    }
    constat_buf_free(&out);
    constat_note_signer_wipe(&w);
    constat_note_signer_wipe(&plain);
}

/* Exact u64 value of the "u64_timestamp" that follows "key_id_hex": "<id>"
 * in the raw vector file. */
static uint64_t raw_u64(const char *raw, const char *id)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof pat, "\"key_id_hex\": \"%s\"", id);
    p = strstr(raw, pat);
    assert_non_null(p);
    p = strstr(p, "\"u64_timestamp\": ");
    assert_non_null(p);
    return strtoull(p + strlen("\"u64_timestamp\": "), NULL, 10);
}

static uint64_t u64be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void test_spec_examples(void **state)
{
    json_t *root = load("tlog-cosignature/c2sp-spec-examples.json");
    json_t *cp = json_object_get(root, "tlog-checkpoint.md");
    json_t *cs = json_object_get(root, "tlog-cosignature.md");
    json_t *tw = json_object_get(root, "tlog-witness.md");
    constat_checkpoint c;
    constat_error e;
    constat_note_sig sig;
    constat_buf msg;
    const char *text, *dec_msg;
    uint64_t ts = 0;
    char idhex[9];
    size_t tlen;
    json_t *arr, *d;
    size_t nresp = 0;
    constat_note_signer w;
    uint8_t seed[32] = {1};
    char *raw = tu_read_vector("tlog-cosignature/c2sp-spec-examples.json", NULL);
    size_t nbig = 0;
    (void)state;

    /* tlog-checkpoint.md: parses; the log signature is 68 bytes */
    text = jstr(cp, "checkpoint");
    tlen = (size_t)(strstr(text, "\n\n") - text) + 1;
    assert_int_equal(constat_checkpoint_parse(text, tlen, &c, &e), CONSTAT_OK);
    assert_string_equal(c.origin, "example.com/behind-the-sofa");
    assert_int_equal(c.size, 20852163);
    /* no known key: EVERIFY, yet the note is described */
    assert_int_equal(constat_note_open(text, strlen(text), NULL, 0, &g_note, &e),
                     CONSTAT_EVERIFY);
    assert_int_equal(g_note.nsigs, 1);
    assert_int_equal(g_note.text_len, tlen);
    assert_int_equal(4 + g_note.sigs[0].sig_len,
                     (size_t)json_number_value(
                         json_object_get(json_object_get(cp, "log_sig_decoded"), "bytes")));
    snprintf(idhex, sizeof idhex, "%08x", (unsigned)g_note.sigs[0].key_id);
    assert_string_equal(idhex, jstr(json_object_get(cp, "log_sig_decoded"), "key_id_hex"));

    /* tlog-cosignature.md: witness sig 76 bytes, key id 8d66cf3f, time */
    text = jstr(cs, "cosigned_checkpoint");
    assert_int_equal(constat_note_open(text, strlen(text), NULL, 0, &g_note, &e),
                     CONSTAT_EVERIFY);
    assert_int_equal(g_note.nsigs, 2);
    d = json_object_get(cs, "witness_sig_decoded");
    assert_int_equal(4 + g_note.sigs[1].sig_len,
                     (size_t)json_number_value(json_object_get(d, "bytes")));
    snprintf(idhex, sizeof idhex, "%08x", (unsigned)g_note.sigs[1].key_id);
    assert_string_equal(idhex, jstr(d, "key_id_hex"));
    assert_string_equal(idhex, "8d66cf3f");
    assert_int_equal(constat_cosignature_timestamp(g_note.sigs[1].sig, g_note.sigs[1].sig_len,
                                                   &ts, &e),
                     CONSTAT_OK);
    assert_int_equal(ts, (uint64_t)json_number_value(json_object_get(d, "timestamp")));
    assert_int_equal(ts, 1679315147);
    constat_buf_init(&msg);
    assert_int_equal(constat_cosignature_message(text, g_note.text_len, ts, &msg), CONSTAT_OK);
    dec_msg = jstr(cs, "signed_message_for_that_timestamp");
    assert_int_equal(msg.len, strlen(dec_msg));
    assert_memory_equal(msg.data, dec_msg, msg.len);
    constat_buf_free(&msg);

    /* tlog-witness.md response lines: random bytes. Decode key ids and
     * timestamps; the first two exceed 2^63-1; none verifies for any key. */
    assert_int_equal(constat_note_signer_from_seed("witness.example/w1", 4, seed, &w, &e),
                     CONSTAT_OK);
    text = jstr(tw, "add_checkpoint_response_body");
    {
        const char *req = jstr(tw, "add_checkpoint_request_body");
        const char *body = strstr(req, "\n\nexample.com/") + 2;
        size_t blen = (size_t)(strstr(body, "\n\n") - body) + 1;
        const char *p = text;
        arr = json_object_get(tw, "response_sigs_decoded");
        assert_int_equal(constat_checkpoint_parse(body, blen, &c, &e), CONSTAT_OK);
        while (*p) {
            const char *nl = strchr(p, '\n');
            json_t *want = json_array_get(arr, nresp);
            uint64_t wts;
            assert_non_null(nl);
            assert_non_null(want);
            assert_int_equal(constat_note_sig_parse(p, (size_t)(nl - p) + 1, &sig, &e),
                             CONSTAT_OK);
            snprintf(idhex, sizeof idhex, "%08x", (unsigned)sig.key_id);
            assert_string_equal(idhex, jstr(want, "key_id_hex"));
            assert_int_equal(sig.sig_len, 72);
            wts = raw_u64(raw, idhex);
            assert_int_equal(u64be(sig.sig), wts);
            if (wts > CONSTAT_COSIG_MAX_TIMESTAMP) {
                assert_non_null(strstr(jstr(want, "note"), "> 2^63-1"));
                assert_int_equal(constat_cosignature_timestamp(sig.sig, 72, &ts, &e),
                                 CONSTAT_EINVAL);
                assert_int_equal(constat_cosignature_verify(body, blen, sig.sig, 72, &w.pub, &ts,
                                                            &e),
                                 CONSTAT_EINVAL);
                nbig++;
            } else {
                assert_int_equal(constat_cosignature_timestamp(sig.sig, 72, &ts, &e), CONSTAT_OK);
                assert_int_equal(ts, wts);
                assert_int_equal(constat_cosignature_verify(body, blen, sig.sig, 72, &w.pub, &ts,
                                                            &e),
                                 CONSTAT_EVERIFY);
            }
            nresp++;
            p = nl + 1;
        }
    }
    assert_int_equal(nresp, 3);
    assert_int_equal(nbig, 2);
    assert_int_equal(json_array_size(arr), 3);
    free(raw);
    constat_note_signer_wipe(&w);
    json_decref(root);
}

static void cp_expect(const char *text, constat_status want, int line)
{
    constat_checkpoint c;
    constat_error e;
    constat_error_clear(&e);
    constat_status st = constat_checkpoint_parse(text, strlen(text), &c, &e);
    if (st != want)
        fail_msg("checkpoint case at line %d: got %d (%s), want %d", line, st, e.msg, want);
    if (st != CONSTAT_OK)
        assert_true(strlen(e.msg) > 0);
}
#define CP(t, w) cp_expect(t, w, __LINE__)
#define ROOT "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs="

static void test_checkpoint_parse(void **state)
{
    constat_checkpoint c;
    constat_buf out;
    constat_error e;
    uint8_t root[32];
    const char *ext = "o\n5\n" ROOT "\nfirst ext\nsecond\n";
    char longo[CONSTAT_KEY_NAME_MAX + 8];
    char buf[600];
    (void)state;

    CP(BODY15, CONSTAT_OK);
    CP("o\n0\n" ROOT "\n", CONSTAT_OK);
    CP("o with space+plus\n1\n" ROOT "\n", CONSTAT_OK);
    CP("o\n18446744073709551615\n" ROOT "\n", CONSTAT_OK);
    CP("o\n18446744073709551616\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n99999999999999999999\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n00\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n015\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n+15\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n-1\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n 15\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n15 \n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n1e3\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n\n" ROOT "\n", CONSTAT_EINVAL);
    CP("\n15\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\n15\n", CONSTAT_EINVAL);
    CP("o\n15\n" ROOT, CONSTAT_EINVAL);
    CP("o\n15\n" ROOT "\n\n", CONSTAT_EINVAL);
    CP("o\n15\n" ROOT "\next\n\n", CONSTAT_EINVAL);
    CP("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383c=\n", CONSTAT_EINVAL);
    CP("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs\n", CONSTAT_EINVAL);
    CP("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383ct=\n", CONSTAT_EINVAL);
    CP("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=AAAA\n", CONSTAT_EINVAL);
    CP("o\n15\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja-1nk427v383cs=\n", CONSTAT_EINVAL);
    /* bytes >= 0x80 are not base64 digits (libsodium 1.0.18 takes them) */
    CP("o\n5\nrKb\xc5\x96pCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n", CONSTAT_EINVAL);
    CP("o\r\n15\n" ROOT "\n", CONSTAT_EINVAL);
    CP("o\xff\n15\n" ROOT "\n", CONSTAT_EINVAL);
    CP("", CONSTAT_EINVAL);

    /* extension lines are located, not interpreted */
    assert_int_equal(constat_checkpoint_parse(ext, strlen(ext), &c, &e), CONSTAT_OK);
    assert_int_equal(c.size, 5);
    assert_int_equal(c.ext_len, strlen("first ext\nsecond\n"));
    assert_memory_equal(ext + c.ext_off, "first ext\nsecond\n", c.ext_len);

    /* origin length limit */
    memset(longo, 'o', sizeof longo);
    longo[CONSTAT_KEY_NAME_MAX] = '\0';
    snprintf(buf, sizeof buf, "%s\n1\n" ROOT "\n", longo);
    CP(buf, CONSTAT_OK);
    longo[CONSTAT_KEY_NAME_MAX] = 'o';
    longo[CONSTAT_KEY_NAME_MAX + 1] = '\0';
    snprintf(buf, sizeof buf, "%s\n1\n" ROOT "\n", longo);
    CP(buf, CONSTAT_ELIMIT);

    /* format round trip and errors */
    tu_unbase64(ROOT, root, sizeof root);
    constat_buf_init(&out);
    assert_int_equal(constat_checkpoint_format("example.com/log/testdata", 15, root, &out, &e),
                     CONSTAT_OK);
    assert_string_equal((const char *)out.data, BODY15);
    constat_buf_reset(&out);
    assert_int_equal(constat_checkpoint_format("o", UINT64_MAX, root, &out, &e), CONSTAT_OK);
    assert_int_equal(constat_checkpoint_parse((const char *)out.data, out.len, &c, &e),
                     CONSTAT_OK);
    assert_int_equal(c.size, UINT64_MAX);
    assert_memory_equal(c.root, root, 32);
    constat_buf_reset(&out);
    assert_int_equal(constat_checkpoint_format("", 1, root, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_checkpoint_format("a\nb", 1, root, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_checkpoint_format(longo, 1, root, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(out.len, 0);
    constat_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derived_vectors),
        cmocka_unit_test(test_cosign_rules),
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_checkpoint_parse),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
