/* test_note.c — C2SP signed notes and key strings against the vectors in
 * tests/vectors/signed-note and the tessera log, plus tamper, limit and
 * malformed-input cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "testutil.h"

#define VKEY_PETER "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define SKEY_PETER "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define VKEY_ENOCH "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define TEXT_PETER                                                                       \
    "If you think cryptography is the answer to your problem,\n"                         \
    "then you don't know what your problem is.\n"
#define NOTE_PETER                                                                       \
    TEXT_PETER "\n\xe2\x80\x94 PeterNeumann "                                            \
               "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define TESSERA_SKEY                                                                     \
    "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg"
#define TESSERA_VKEY                                                                     \
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"

static constat_note g_note; /* ~42 KB: keep it off the stack */

static int setup(void **state)
{
    (void)state;
    return constat_init() == CONSTAT_OK ? 0 : -1;
}

static json_t *load_vectors(void)
{
    size_t len;
    char *s = tu_read_vector("signed-note/signed-note-vectors.json", &len);
    json_error_t je;
    json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
    free(s);
    if (!j)
        fail_msg("signed-note-vectors.json: %s (line %d)", je.text, je.line);
    return j;
}

static constat_note_verifier vparse(const char *vkey)
{
    constat_note_verifier v;
    constat_error e;
    constat_status st = constat_note_verifier_parse(vkey, &v, &e);
    if (st != CONSTAT_OK)
        fail_msg("vkey %s: %s", vkey, e.msg);
    return v;
}

static size_t text_len_of(const char *note)
{
    /* the text ends at the last blank line */
    size_t n = strlen(note);
    for (size_t i = n; i >= 2; i--)
        if (note[i - 2] == '\n' && note[i - 1] == '\n')
            return i - 1;
    fail_msg("no blank line in test note");
    return 0;
}

/* Look a vkey up by key name among the cases and the public test keys. */
static const char *vkey_by_name(json_t *root, const char *name, size_t nlen)
{
    json_t *arrs[2] = {json_object_get(root, "cases"),
                       json_object_get(json_object_get(root, "public_test_keys"), "keys")};
    for (int a = 0; a < 2; a++) {
        size_t i;
        json_t *c;
        json_array_foreach(arrs[a], i, c)
        {
            const char *vk = json_string_value(json_object_get(c, "vkey"));
            if (vk && strncmp(vk, name, nlen) == 0 && vk[nlen] == '+')
                return vk;
        }
    }
    fail_msg("no vkey named %.*s in the vectors", (int)nlen, name);
    return NULL;
}

/* Every entry of "cases": what "expect" says must hold. */
static void test_vector_cases(void **state)
{
    json_t *root = load_vectors();
    json_t *cases = json_object_get(root, "cases");
    json_t *c;
    size_t i, handled = 0, signed_ok = 0, per_key = 0, checkpoints = 0;
    (void)state;

    json_array_foreach(cases, i, c)
    {
        const char *vkey = json_string_value(json_object_get(c, "vkey"));
        const char *note = json_string_value(json_object_get(c, "note"));
        const char *expect = json_string_value(json_object_get(c, "expect"));
        const char *skey = json_string_value(json_object_get(c, "skey"));
        size_t nlen, tlen;
        constat_note_verifier v;
        constat_error e;
        char buf[512];

        assert_non_null(vkey);
        assert_non_null(note);
        assert_non_null(expect);
        assert_true(strncmp(expect, "valid", 5) == 0);
        nlen = strlen(note);
        tlen = text_len_of(note);

        v = vparse(vkey);
        assert_int_equal(constat_note_verifier_format(&v, buf, sizeof buf), CONSTAT_OK);
        assert_string_equal(buf, vkey);

        if (strstr(expect, "valid for ")) {
            /* "valid for X vkey (...)": each named key alone opens the note,
             * the other line being an unknown signature. */
            const char *p = expect;
            while ((p = strstr(p, "valid for ")) != NULL) {
                const char *name = p + strlen("valid for ");
                const char *sp = strchr(name, ' ');
                constat_note_verifier kv;
                assert_non_null(sp);
                assert_true(strncmp(sp, " vkey", 5) == 0);
                kv = vparse(vkey_by_name(root, name, (size_t)(sp - name)));
                assert_int_equal(constat_note_open(note, nlen, &kv, 1, &g_note, &e), CONSTAT_OK);
                assert_int_equal(g_note.text_len, tlen);
                assert_int_equal(g_note.nsigs, 2);
                assert_int_equal(g_note.nverified, 1);
                for (size_t k = 0; k < 2; k++) {
                    int mine = strcmp(g_note.sigs[k].name, kv.name) == 0;
                    assert_int_equal(g_note.sigs[k].verified, mine);
                    if (mine)
                        assert_int_equal(g_note.sigs[k].key_id, kv.key_id);
                }
                per_key++;
                p = sp;
            }
        } else {
            assert_int_equal(constat_note_open(note, nlen, &v, 1, &g_note, &e), CONSTAT_OK);
            assert_int_equal(g_note.text_len, tlen);
            assert_int_equal(g_note.nsigs, 1);
            assert_int_equal(g_note.nverified, 1);
            assert_int_equal(g_note.sigs[0].key_id, v.key_id);
            assert_int_equal(g_note.sigs[0].sig_len, CONSTAT_ED25519_SIG);
        }

        if (strstr(expect, "Sign(text) with skey must reproduce")) {
            constat_note_signer s;
            constat_buf out;
            assert_non_null(skey);
            assert_int_equal(constat_note_signer_parse(skey, &s, &e), CONSTAT_OK);
            assert_string_equal(s.pub.name, v.name);
            assert_int_equal(s.pub.key_id, v.key_id);
            assert_memory_equal(s.pub.pk, v.pk, 32);
            constat_buf_init(&out);
            assert_int_equal(constat_note_sign(note, tlen, &s, 1, &out, &e), CONSTAT_OK);
            assert_int_equal(out.len, nlen);
            assert_memory_equal(out.data, note, nlen);
            constat_buf_free(&out);
            constat_note_signer_wipe(&s);
            signed_ok++;
        }

        if (strstr(expect, "valid checkpoint")) {
            char origin[300];
            unsigned long long size;
            constat_checkpoint cp;
            const char *o = strstr(expect, "origin='");
            assert_non_null(o);
            assert_int_equal(sscanf(o, "origin='%299[^']', size=%llu", origin, &size), 2);
            assert_int_equal(constat_checkpoint_parse(note, tlen, &cp, &e), CONSTAT_OK);
            assert_string_equal(cp.origin, origin);
            assert_int_equal(cp.size, size);
            assert_int_equal(cp.ext_len, 0);
            checkpoints++;
        }
        handled++;
    }
    assert_int_equal(handled, 4);
    assert_int_equal(signed_ok, 1);
    assert_int_equal(per_key, 2);
    assert_int_equal(checkpoints, 1);
    json_decref(root);
}

/* "every proper substring of a valid vkey, and every single-byte increment
 * of it, must be rejected" */
static void check_mutations_rejected(const char *vkey)
{
    size_t n = strlen(vkey);
    char *buf = malloc(n + 1);
    constat_note_verifier v;
    assert_non_null(buf);
    for (size_t start = 0; start < n; start++) {
        for (size_t l = 0; start + l <= n; l++) {
            if (start == 0 && l == n)
                continue;
            memcpy(buf, vkey + start, l);
            buf[l] = '\0';
            if (constat_note_verifier_parse(buf, &v, NULL) != CONSTAT_EINVAL)
                fail_msg("substring [%zu,+%zu) of %s accepted", start, l, vkey);
        }
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(buf, vkey, n + 1);
        buf[i]++;
        if (constat_note_verifier_parse(buf, &v, NULL) != CONSTAT_EINVAL)
            fail_msg("increment of byte %zu of %s accepted: %s", i, vkey, buf);
    }
    free(buf);
}

static void test_invalid_vkeys(void **state)
{
    json_t *root = load_vectors();
    json_t *arr = json_object_get(root, "invalid_vkeys");
    json_t *c;
    size_t i, handled = 0, rules = 0;
    constat_note_verifier v;
    (void)state;

    json_array_foreach(arr, i, c)
    {
        const char *vkey = json_string_value(json_object_get(c, "vkey"));
        const char *rule = json_string_value(json_object_get(c, "rule"));
        if (vkey) {
            constat_error e;
            assert_int_equal(constat_note_verifier_parse(vkey, &v, &e), CONSTAT_EINVAL);
            assert_true(strlen(e.msg) > 0);
            handled++;
        } else {
            json_t *cases = json_object_get(root, "cases");
            json_t *cc;
            size_t k;
            assert_non_null(rule);
            assert_non_null(strstr(rule, "proper substring"));
            assert_non_null(strstr(rule, "single-byte increment"));
            json_array_foreach(cases, k, cc)
            {
                check_mutations_rejected(json_string_value(json_object_get(cc, "vkey")));
                rules++;
            }
            handled++;
        }
    }
    assert_int_equal(handled, 3);
    assert_int_equal(rules, 4);
    json_decref(root);
}

/* Replace the UTF-8 encoding of U+00FF (C3 BF) by the single byte 0xFF.
 * JSON cannot carry the invalid byte of Go's "\xffIf you think..." test
 * message, so the transcription wrote U+00FF; we restore the byte. */
static size_t restore_ff(char *s)
{
    size_t r = 0, w = 0, n = strlen(s), count = 0;
    while (r < n) {
        if ((unsigned char)s[r] == 0xc3 && r + 1 < n && (unsigned char)s[r + 1] == 0xbf) {
            s[w++] = (char)0xff;
            r += 2;
            count++;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return count;
}

static void test_malformed_notes(void **state)
{
    json_t *root = load_vectors();
    json_t *m = json_object_get(root, "malformed_notes_for_PeterNeumann_vkey");
    json_t *arr = json_object_get(m, "notes");
    json_t *c;
    size_t i, handled = 0, restored = 0;
    constat_note_verifier v = vparse(VKEY_PETER);
    (void)state;

    assert_string_equal(json_string_value(json_object_get(m, "expect")), "malformed note");
    json_array_foreach(arr, i, c)
    {
        char *note = strdup(json_string_value(c));
        constat_error e;
        assert_non_null(note);
        if (strstr(note, "\xc3\xbf")) {
            /* As transcribed (valid UTF-8 "ÿ"), the note is well formed but
             * its text is not what was signed. */
            assert_int_equal(constat_note_open(note, strlen(note), &v, 1, &g_note, &e),
                             CONSTAT_EVERIFY);
            restored += restore_ff(note);
        }
        assert_int_equal(constat_note_open(note, strlen(note), &v, 1, &g_note, &e),
                         CONSTAT_EINVAL);
        assert_int_equal(g_note.nsigs, 0);
        free(note);
        handled++;
    }
    assert_int_equal(handled, 4);
    assert_int_equal(restored, 1);
    json_decref(root);
}

static void test_public_keys(void **state)
{
    json_t *root = load_vectors();
    json_t *arr = json_object_get(json_object_get(root, "public_test_keys"), "keys");
    json_t *c;
    size_t i, handled = 0, skeys = 0, cosig = 0;
    (void)state;

    json_array_foreach(arr, i, c)
    {
        const char *vkey = json_string_value(json_object_get(c, "vkey"));
        const char *skey = json_string_value(json_object_get(c, "skey"));
        const char *src = json_string_value(json_object_get(c, "source"));
        constat_note_verifier v = vparse(vkey);
        char buf[512];
        constat_error e;

        assert_int_equal(v.alg, CONSTAT_NOTE_ALG_ED25519);
        assert_int_equal(constat_note_key_id(v.name, v.alg, v.pk), v.key_id);
        assert_int_equal(constat_note_verifier_format(&v, buf, sizeof buf), CONSTAT_OK);
        assert_string_equal(buf, vkey);
        if (skey) {
            constat_note_signer s;
            assert_int_equal(constat_note_signer_parse(skey, &s, &e), CONSTAT_OK);
            assert_int_equal(constat_note_verifier_format(&s.pub, buf, sizeof buf), CONSTAT_OK);
            assert_string_equal(buf, vkey);
            assert_int_equal(constat_note_signer_format(&s, buf, sizeof buf), CONSTAT_OK);
            assert_string_equal(buf, skey);
            skeys++;
            if (src && strstr(src, "recomputed with 0x04 -> ")) {
                unsigned want;
                constat_note_signer w;
                assert_int_equal(sscanf(strstr(src, "-> ") + 3, "%8x", &want), 1);
                assert_int_equal(constat_note_signer_from_seed(s.pub.name,
                                                               CONSTAT_NOTE_ALG_COSIGNATURE_V1,
                                                               s.sk, &w, &e),
                                 CONSTAT_OK);
                assert_int_equal(w.pub.key_id, want);
                assert_int_equal(constat_note_key_id(v.name, 0x04, v.pk), want);
                assert_memory_equal(w.pub.pk, v.pk, 32);
                constat_note_signer_wipe(&w);
                cosig++;
            }
            constat_note_signer_wipe(&s);
        }
        handled++;
    }
    assert_int_equal(handled, 6);
    assert_int_equal(skeys, 4);
    assert_int_equal(cosig, 1);
    json_decref(root);
}

/* The tessera log: signing each checkpoint body with the published skey
 * reproduces the file byte for byte, and each file opens with the vkey. */
static void test_tessera_checkpoints(void **state)
{
    constat_note_signer s;
    constat_note_verifier v = vparse(TESSERA_VKEY);
    constat_error e;
    int files = 0;
    (void)state;

    assert_int_equal(constat_note_signer_parse(TESSERA_SKEY, &s, &e), CONSTAT_OK);
    assert_int_equal(s.pub.key_id, v.key_id);
    assert_memory_equal(s.pub.pk, v.pk, 32);
    for (int i = -1; i <= 15; i++) {
        char rel[256];
        size_t len, tlen;
        char *file;
        constat_checkpoint cp;
        constat_buf out, body;
        uint8_t root[32];

        if (i < 0)
            snprintf(rel, sizeof rel, "tlog-tiles/tessera-testdata/testdata/log/checkpoint");
        else
            snprintf(rel, sizeof rel, "tlog-tiles/tessera-testdata/testdata/log/checkpoint.%d",
                     i);
        file = tu_read_vector(rel, &len);
        tlen = text_len_of(file);
        assert_int_equal(constat_checkpoint_parse(file, tlen, &cp, &e), CONSTAT_OK);
        assert_string_equal(cp.origin, "example.com/log/testdata");
        assert_int_equal(cp.size, i < 0 ? 15 : i);
        assert_int_equal(cp.ext_len, 0);

        /* the body re-formatted from its parts is the same text */
        memcpy(root, cp.root, 32);
        constat_buf_init(&body);
        assert_int_equal(constat_checkpoint_format(cp.origin, cp.size, root, &body, &e),
                         CONSTAT_OK);
        assert_int_equal(body.len, tlen);
        assert_memory_equal(body.data, file, tlen);

        constat_buf_init(&out);
        assert_int_equal(constat_note_sign((const char *)body.data, body.len, &s, 1, &out, &e),
                         CONSTAT_OK);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, file, len);

        assert_int_equal(constat_note_open(file, len, &v, 1, &g_note, &e), CONSTAT_OK);
        assert_int_equal(g_note.nverified, 1);
        assert_int_equal(g_note.text_len, tlen);
        constat_buf_free(&out);
        constat_buf_free(&body);
        free(file);
        files++;
    }
    assert_int_equal(files, 17);
    constat_note_signer_wipe(&s);
}

static void open_expect(const char *msg, size_t len, const constat_note_verifier *v, size_t nv,
                        constat_status want)
{
    constat_error e;
    constat_error_clear(&e);
    constat_status st = constat_note_open(msg, len, v, nv, &g_note, &e);
    if (st != want)
        fail_msg("open: got %d (%s), want %d", st, e.msg, want);
    if (st != CONSTAT_OK)
        assert_true(strlen(e.msg) > 0);
}

static void test_tamper(void **state)
{
    constat_note_verifier peter = vparse(VKEY_PETER), enoch = vparse(VKEY_ENOCH);
    constat_note_verifier both[2];
    char buf[1024];
    size_t n = strlen(NOTE_PETER);
    char *sigb64;
    (void)state;

    open_expect(NOTE_PETER, n, &peter, 1, CONSTAT_OK);

    /* a flipped byte in the text */
    memcpy(buf, NOTE_PETER, n + 1);
    buf[3] ^= 0x01;
    open_expect(buf, n, &peter, 1, CONSTAT_EVERIFY);

    /* a changed base64 character in the signature (still valid base64) */
    memcpy(buf, NOTE_PETER, n + 1);
    sigb64 = strstr(buf, "x08go/") + 20;
    *sigb64 = (char)(*sigb64 == 'A' ? 'B' : 'A');
    open_expect(buf, n, &peter, 1, CONSTAT_EVERIFY);

    /* non-canonical base64 (a padding bit set in the last digit, "M=" ->
     * "N="): Go's decoder yields the same bytes and accepts; we reject the
     * line as malformed, so one note has one spelling */
    memcpy(buf, NOTE_PETER, n + 1);
    sigb64 = strstr(buf, "JnAM=");
    assert_non_null(sigb64);
    sigb64[3] = 'N';
    open_expect(buf, n, &peter, 1, CONSTAT_EINVAL);

    /* changed key id bytes make the line unknown: no known signer */
    memcpy(buf, NOTE_PETER, n + 1);
    sigb64 = strstr(buf, "x08go/");
    sigb64[0] = 'y';
    open_expect(buf, n, &peter, 1, CONSTAT_EVERIFY);
    assert_int_equal(g_note.nsigs, 1);
    assert_int_equal(g_note.sigs[0].verified, 0);

    /* wrong key: only EnochRoot known; the note still parses */
    open_expect(NOTE_PETER, n, &enoch, 1, CONSTAT_EVERIFY);
    assert_int_equal(g_note.nsigs, 1);
    assert_string_equal(g_note.sigs[0].name, "PeterNeumann");
    open_expect(NOTE_PETER, n, NULL, 0, CONSTAT_EVERIFY);

    /* a known key whose name matches but whose pk differs (id differs) */
    both[0] = enoch;
    memcpy(both[0].name, "PeterNeumann", sizeof "PeterNeumann");
    open_expect(NOTE_PETER, n, both, 1, CONSTAT_EVERIFY);
    /* same name and id, wrong key: the signature is checked and fails */
    both[0] = peter;
    both[0].pk[0] ^= 1;
    open_expect(NOTE_PETER, n, both, 1, CONSTAT_EVERIFY);
    /* the same (name, id) twice among the verifiers is ambiguous */
    both[0] = peter;
    both[1] = peter;
    open_expect(NOTE_PETER, n, both, 2, CONSTAT_EINVAL);

    /* missing blank line */
    snprintf(buf, sizeof buf, "%s%s", TEXT_PETER, strstr(NOTE_PETER, "\n\n") + 2);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    /* trailing garbage, with and without a newline */
    snprintf(buf, sizeof buf, "%sgarbage", NOTE_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    snprintf(buf, sizeof buf, "%sgarbage\n", NOTE_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    /* no final newline */
    open_expect(NOTE_PETER, n - 1, &peter, 1, CONSTAT_EINVAL);
    /* a second blank line after the signatures: the last blank line
     * separates, so there are no signature lines */
    snprintf(buf, sizeof buf, "%s\n", NOTE_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    /* text with a NUL, a CR, a tab, an overlong '/', a surrogate */
    {
        static const char *const bad[] = {"\x00", "\r", "\t", "\xc0\xaf", "\xed\xa0\x80",
                                          "\xf4\x90\x80\x80", "\xe2\x80"};
        static const size_t badlen[] = {1, 1, 1, 2, 3, 4, 2};
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            memcpy(buf, NOTE_PETER, n);
            memcpy(buf + 5, bad[k], badlen[k]);
            open_expect(buf, n, &peter, 1, CONSTAT_EINVAL);
        }
    }
    /* U+FFFD itself and DEL are allowed characters (signature then fails) */
    memcpy(buf, NOTE_PETER, n + 1);
    memcpy(buf + 5, "\xef\xbf\xbd", 3);
    open_expect(buf, n, &peter, 1, CONSTAT_EVERIFY);
    /* a well-formed line by an unknown key; then too short, empty, no em
     * dash, a name with '+', a name with U+00A0 */
    snprintf(buf, sizeof buf, "%s\n\xe2\x80\x94 Peter AAAAAAA=\n", TEXT_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EVERIFY);
    snprintf(buf, sizeof buf, "%s\n\xe2\x80\x94 Peter AAAAAA==\n", TEXT_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    snprintf(buf, sizeof buf, "%s\n\xe2\x80\x94 Peter \n", TEXT_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    snprintf(buf, sizeof buf, "%s\n- Peter AAAAAAA=\n", TEXT_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    snprintf(buf, sizeof buf, "%s\n\xe2\x80\x94 Pe+ter AAAAAAA=\n", TEXT_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
    snprintf(buf, sizeof buf, "%s\n\xe2\x80\x94 Peter\xc2\xa0X AAAAAAA=\n", TEXT_PETER);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EINVAL);
}

/* Repeated signatures by a known key: as Go's note.Open, only the first is
 * checked; a bad first one fails the note, a later one is skipped. */
static void test_duplicates(void **state)
{
    constat_note_verifier peter = vparse(VKEY_PETER);
    const char *line = strstr(NOTE_PETER, "\xe2\x80\x94");
    char bad[256], buf[1024];
    char *p;
    (void)state;

    snprintf(bad, sizeof bad, "%s", line);
    p = strstr(bad, "x08go/") + 30;
    *p = (char)(*p == 'A' ? 'B' : 'A');

    snprintf(buf, sizeof buf, "%s%s", NOTE_PETER, bad);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_OK);
    assert_int_equal(g_note.nsigs, 2);
    assert_int_equal(g_note.nverified, 1);
    assert_int_equal(g_note.sigs[0].verified, 1);
    assert_int_equal(g_note.sigs[0].duplicate, 0);
    assert_int_equal(g_note.sigs[1].verified, 0);
    assert_int_equal(g_note.sigs[1].duplicate, 1);

    snprintf(buf, sizeof buf, "%s\n%s%s", TEXT_PETER, bad, line);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_EVERIFY);

    snprintf(buf, sizeof buf, "%s%s", NOTE_PETER, line);
    open_expect(buf, strlen(buf), &peter, 1, CONSTAT_OK);
    assert_int_equal(g_note.nverified, 1);
    assert_int_equal(g_note.sigs[1].duplicate, 1);
    /* line offsets point at the lines */
    assert_int_equal(g_note.sigs[0].line_off, strlen(TEXT_PETER) + 1);
    assert_int_equal(g_note.sigs[0].line_len, strlen(line) - 1);
}

/* A note with `unknown` signatures by unknown keys, then PeterNeumann's. */
static size_t build_many(char *buf, size_t cap, int unknown)
{
    size_t w = (size_t)snprintf(buf, cap, "%s\n", TEXT_PETER);
    for (int k = 0; k < unknown; k++)
        w += (size_t)snprintf(buf + w, cap - w, "\xe2\x80\x94 unknown%d AAAAAAA=\n", k);
    w += (size_t)snprintf(buf + w, cap - w, "%s", strstr(NOTE_PETER, "\xe2\x80\x94"));
    assert_true(w < cap);
    return w;
}

static void test_limits(void **state)
{
    constat_note_verifier peter = vparse(VKEY_PETER);
    static char buf[CONSTAT_NOTE_MAX_BYTES + 64];
    constat_note_signer s;
    constat_buf out;
    constat_error e;
    size_t len;
    char *text;
    (void)state;

    len = build_many(buf, sizeof buf, 16);
    open_expect(buf, len, &peter, 1, CONSTAT_OK);
    assert_int_equal(g_note.nsigs, 17);
    assert_int_equal(g_note.nverified, 1);
    assert_int_equal(g_note.sigs[16].verified, 1);
    for (int k = 0; k < 16; k++)
        assert_int_equal(g_note.sigs[k].verified, 0);

    len = build_many(buf, sizeof buf, CONSTAT_NOTE_MAX_SIGS - 1);
    open_expect(buf, len, &peter, 1, CONSTAT_OK);
    assert_int_equal(g_note.nsigs, CONSTAT_NOTE_MAX_SIGS);
    len = build_many(buf, sizeof buf, CONSTAT_NOTE_MAX_SIGS);
    open_expect(buf, len, &peter, 1, CONSTAT_ELIMIT);
    assert_int_equal(g_note.nsigs, 0);

    /* whole-note size: exactly at the limit opens, one more byte does not */
    assert_int_equal(constat_note_signer_parse(SKEY_PETER, &s, &e), CONSTAT_OK);
    {
        size_t sigline = strlen(strstr(NOTE_PETER, "\xe2\x80\x94"));
        size_t tlen = CONSTAT_NOTE_MAX_BYTES - 1 - sigline;
        text = malloc(tlen + 2);
        assert_non_null(text);
        memset(text, 'a', tlen + 1);
        text[tlen - 1] = '\n';
        constat_buf_init(&out);
        assert_int_equal(constat_note_sign(text, tlen, &s, 1, &out, &e), CONSTAT_OK);
        assert_int_equal(out.len, CONSTAT_NOTE_MAX_BYTES);
        open_expect((const char *)out.data, out.len, &peter, 1, CONSTAT_OK);
        constat_buf_reset(&out);
        text[tlen] = '\n';
        assert_int_equal(constat_note_sign(text, tlen + 1, &s, 1, &out, &e), CONSTAT_ELIMIT);
        assert_int_equal(out.len, 0);
        constat_buf_free(&out);
        free(text);
    }
    memset(buf, 'a', sizeof buf);
    open_expect(buf, CONSTAT_NOTE_MAX_BYTES + 1, &peter, 1, CONSTAT_ELIMIT);
    constat_note_signer_wipe(&s);
}

static void test_sign_rules(void **state)
{
    constat_note_signer s[2], w;
    constat_note_verifier v[2];
    constat_buf out;
    constat_error e;
    uint8_t seed[32] = {0};
    (void)state;

    assert_int_equal(constat_note_signer_generate("example.org/a", &s[0], &e), CONSTAT_OK);
    assert_int_equal(constat_note_signer_generate("example.org/b", &s[1], &e), CONSTAT_OK);
    v[0] = s[0].pub;
    v[1] = s[1].pub;
    constat_buf_init(&out);

    /* multi-signer round trip; text may hold blank lines */
    assert_int_equal(constat_note_sign("a\n\nb\n", 5, s, 2, &out, &e), CONSTAT_OK);
    open_expect((const char *)out.data, out.len, v, 2, CONSTAT_OK);
    assert_int_equal(g_note.nverified, 2);
    assert_int_equal(g_note.text_len, 5);
    assert_int_equal(g_note.sigs[1].verifier, 1);
    open_expect((const char *)out.data, out.len, &v[1], 1, CONSTAT_OK);
    assert_int_equal(g_note.nverified, 1);
    assert_int_equal(g_note.sigs[0].verified, 0);

    constat_buf_reset(&out);
    assert_int_equal(constat_note_sign("abc", 3, s, 1, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_sign("", 0, s, 1, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_sign("a\x01\n", 3, s, 1, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_sign("a\n\xe2\x80\x94 x\n", 9, s, 1, &out, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_sign("a\xff\n", 3, s, 1, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_sign("a\n", 2, s, 0, &out, &e), CONSTAT_EINVAL);
    assert_int_equal(out.len, 0);
    /* a cosignature key cannot make a plain note signature */
    assert_int_equal(constat_note_signer_from_seed("w", CONSTAT_NOTE_ALG_COSIGNATURE_V1, seed,
                                                   &w, &e),
                     CONSTAT_OK);
    assert_int_equal(constat_note_sign("a\n", 2, &w, 1, &out, &e), CONSTAT_EINVAL);
    /* the secret is wiped */
    constat_note_signer_wipe(&w);
    for (size_t i = 0; i < sizeof w.sk; i++)
        assert_int_equal(w.sk[i], 0);
    constat_buf_free(&out);
    constat_note_signer_wipe(&s[0]);
    constat_note_signer_wipe(&s[1]);
}

static void test_key_strings(void **state)
{
    constat_note_signer s, s2;
    constat_note_verifier v;
    constat_error e;
    char buf[512], bad[512];
    uint8_t seed[32];
    char longname[CONSTAT_KEY_NAME_MAX + 2];
    constat_note_sig sig;
    (void)state;

    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    assert_int_equal(constat_note_signer_from_seed("example.org/k", 1, seed, &s, &e), CONSTAT_OK);
    assert_int_equal(constat_note_signer_format(&s, buf, sizeof buf), CONSTAT_OK);
    assert_true(strncmp(buf, "PRIVATE+KEY+example.org/k+", 26) == 0);
    assert_int_equal(constat_note_signer_parse(buf, &s2, &e), CONSTAT_OK);
    assert_memory_equal(&s, &s2, sizeof s);
    constat_note_signer_wipe(&s2);

    assert_int_equal(constat_note_verifier_format(&s.pub, buf, sizeof buf), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_parse(buf, &v, &e), CONSTAT_OK);
    assert_memory_equal(&v, &s.pub, sizeof v);
    /* too small an output buffer */
    assert_int_equal(constat_note_verifier_format(&s.pub, bad, 10), CONSTAT_ELIMIT);
    assert_int_equal(constat_note_signer_format(&s, bad, 30), CONSTAT_ELIMIT);
    for (int i = 0; i < 30; i++)
        assert_int_equal(bad[i], 0);

    /* bad hex id: not hex, too short, too long, wrong */
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20aZ+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v,
                         &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v,
                         &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                         &v, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v,
                         &e),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(e.msg, "does not match"));
    /* uppercase hex is accepted, as Go's ParseUint does */
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v,
                         &e),
                     CONSTAT_OK);
    /* bad base64: bad character, missing padding, spaces, empty */
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!", &v,
                         &e),
                     CONSTAT_EINVAL);
    /* bytes >= 0x80 are not base64 digits (libsodium 1.0.18 takes them) */
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10\xc5\x96",
                         &v, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_sig_parse("\xe2\x80\x94 a AAAAA\xc3\xa9==", 14, &sig, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse("PeterNeumann+c74f20a3+ARpc2Qc", &v, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse(
                         "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ",
                         &v, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse("PeterNeumann+c74f20a3+", &v, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse("", &v, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_verifier_parse("+c74f20a3+AA==", &v, &e), CONSTAT_EINVAL);

    /* names */
    assert_int_equal(constat_note_signer_from_seed("a+b", 1, seed, &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("a b", 1, seed, &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("a\xc2\xa0" "b", 1, seed, &s2, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("a\xe3\x80\x80" "b", 1, seed, &s2, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("a\xe2\x80\xa8" "b", 1, seed, &s2, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("", 1, seed, &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("a\xff", 1, seed, &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("ok", 2, seed, &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_from_seed("caf\xc3\xa9/\xe2\x80\x94", 1, seed, &s2, &e),
                     CONSTAT_OK);
    constat_note_signer_wipe(&s2);
    memset(longname, 'n', sizeof longname);
    longname[CONSTAT_KEY_NAME_MAX] = '\0';
    assert_int_equal(constat_note_signer_from_seed(longname, 1, seed, &s2, &e), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&s2.pub, buf, sizeof buf), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_parse(buf, &v, &e), CONSTAT_OK);
    assert_string_equal(v.name, longname);
    constat_note_signer_wipe(&s2);
    longname[CONSTAT_KEY_NAME_MAX] = 'n';
    longname[CONSTAT_KEY_NAME_MAX + 1] = '\0';
    assert_int_equal(constat_note_signer_from_seed(longname, 1, seed, &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_name_valid("x", 1), 1);
    assert_int_equal(constat_note_name_valid("x\0y", 3), 0);

    /* a vkey of alg 0x04 (cosignature) parses; the base64 holds '+' */
    assert_int_equal(constat_note_verifier_parse(
                         "Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk", &v, &e),
                     CONSTAT_OK);
    assert_int_equal(v.alg, CONSTAT_NOTE_ALG_COSIGNATURE_V1);
    assert_int_equal(v.key_id, 0x9b3fb2d5u);

    /* skey parse errors */
    assert_int_equal(constat_note_signer_parse(&SKEY_PETER[1], &s2, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_parse("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK", &s2, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_signer_parse(
                         "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
                         &s2, &e),
                     CONSTAT_EINVAL);
    for (size_t i = 0; i < sizeof s2; i++)
        assert_int_equal(((unsigned char *)&s2)[i], 0);
    assert_int_equal(constat_note_signer_parse(VKEY_PETER, &s2, &e), CONSTAT_EINVAL);
    /* a vkey is not an skey, and an skey is not a vkey */
    assert_int_equal(constat_note_verifier_parse(SKEY_PETER, &v, &e), CONSTAT_EINVAL);
    constat_note_signer_wipe(&s);
}

static void test_sig_parse(void **state)
{
    constat_note_sig sig;
    constat_buf out;
    constat_error e;
    uint8_t raw[100];
    const char *line = strstr(NOTE_PETER, "\xe2\x80\x94");
    (void)state;

    assert_int_equal(constat_note_sig_parse(line, strlen(line), &sig, &e), CONSTAT_OK);
    assert_string_equal(sig.name, "PeterNeumann");
    assert_int_equal(sig.key_id, 0xc74f20a3u);
    assert_int_equal(sig.sig_len, 64);
    /* format writes the same line back */
    constat_buf_init(&out);
    assert_int_equal(constat_note_sig_format(sig.name, sig.key_id, sig.sig, sig.sig_len, &out),
                     CONSTAT_OK);
    assert_int_equal(out.len, strlen(line));
    assert_memory_equal(out.data, line, out.len);
    /* a 200-byte signature (an unknown post-quantum key, say) parses */
    constat_buf_reset(&out);
    memset(raw, 7, sizeof raw);
    assert_int_equal(constat_note_sig_format("pq", 1, raw, 100, &out), CONSTAT_OK);
    assert_int_equal(constat_note_sig_parse((const char *)out.data, out.len, &sig, &e),
                     CONSTAT_OK);
    assert_int_equal(sig.sig_len, 100);
    assert_int_equal(constat_note_sig_format("pq", 1, raw, 0, &out), CONSTAT_EINVAL);
    assert_int_equal(constat_note_sig_format("p q", 1, raw, 4, &out), CONSTAT_EINVAL);
    constat_buf_free(&out);
    assert_int_equal(constat_note_sig_parse("\xe2\x80\x94 a AAAA\nAAAA", 14, &sig, &e),
                     CONSTAT_EINVAL);
    assert_int_equal(constat_note_sig_parse("\xe2\x80\x94", 3, &sig, &e), CONSTAT_EINVAL);
    assert_int_equal(constat_note_sig_parse("\xe2\x80\x94 a", 5, &sig, &e), CONSTAT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_cases),   cmocka_unit_test(test_invalid_vkeys),
        cmocka_unit_test(test_malformed_notes), cmocka_unit_test(test_public_keys),
        cmocka_unit_test(test_tessera_checkpoints), cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_duplicates),     cmocka_unit_test(test_limits),
        cmocka_unit_test(test_sign_rules),     cmocka_unit_test(test_key_strings),
        cmocka_unit_test(test_sig_parse),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
