/* test_dossier.c — dossiers written from a real vault verify offline; every
 * kind of tampering is caught with a message naming the leaf, the record and
 * the check; hostile files never crash the verifier. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <sodium.h>

#include "testutil.h"
#include "constat/record/canon.h"
#include "constat/base/hash.h"
#include "constat/analysis/report.h"
#include "constat/dossier/dossier.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"
#include "constat/dossier/verify.h"

#define ORG "example-assoc"
#define ORIGIN "example.org/constat/log"
#define TAXONOMY CONSTAT_SOURCE_DIR "/data/taxonomy/calais.json"

/* vsnprintf into a fixed buffer: test paths are short temporary paths. */
static int tprintf(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int tprintf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n;
}

/* One vault and one good dossier shared by every test (built once). */
static char *g_tmp;
static char g_vault[4096];
static char g_dossier[4096];
static constat_taxonomy *g_tax;
static uint64_t g_enrol_alice, g_enrol_bob;
static uint64_t g_inc1, g_inc2, g_inc3, g_out_of_filter, g_shift;
static constat_dossier_summary g_sum;
static constat_dossier_filter g_filter = {"2018-07-01", "2018-07-31", NULL, NULL, NULL, NULL, NULL, NULL, 0};

/* ---- collecting failures ---- */

typedef struct {
    int n;
    char all[65536];
} failures;

static void on_fail(void *ctx, int64_t index, const char *msg)
{
    failures *f = ctx;
    size_t l = strlen(f->all);
    (void)index;
    f->n++;
    tprintf(f->all + l, sizeof f->all - l, "%s\n", msg);
}

static void assert_has(const failures *f, const char *needle)
{
    if (!strstr(f->all, needle))
        fail_msg("expected a failure containing \"%s\"; got:\n%s", needle, f->all);
}

/* ---- building the vault ---- */

static json_t *incident(const char *id, const char *monitor, const char *start,
                        const char *cat, const char *place, int count)
{
    json_t *r = json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:s,"
        " s:{s:s, s:s, s:s},"
        " s:{s:s, s:s, s:s},"
        " s:[s], s:{s:i, s:s}, s:[{s:s, s:s, s:i}], s:{s:s}, s:s}",
        "v", 1, "kind", "incident", "id", id, "org", ORG, "monitor", monitor,
        /* after every incident of the fixture: none starts after it was recorded */
        "recorded_at", "2018-08-15T15:00:00+02:00",
        "occurred", "start", start, "end", start, "precision", "minute",
        "place", "name", place, "commune", "Calais", "country", "France",
        "categories", cat,
        "affected", "count", count, "minors", "unknown",
        "items", "kind", "tents", "action", "seized", "count", count / 2,
        "source", "type", "direct_observation",
        "summary", "Test incident for the dossier unit test.");
    assert_non_null(r);
    return r;
}

static json_t *shift(const char *id, const char *monitor)
{
    json_t *r = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "v", 1,
                          "kind", "shift", "id", id, "org", ORG, "monitor", monitor,
                          "recorded_at", "2018-07-11T18:00:00+02:00", "start",
                          "2018-07-11T07:00:00+02:00", "end", "2018-07-11T12:00:00+02:00",
                          "area", "name", "Calais east");
    assert_non_null(r);
    return r;
}

static uint64_t append(constat_vault *v, const char *monitor, json_t *rec)
{
    constat_note_signer s;
    constat_buf leaf;
    constat_error err;
    constat_append_item it;
    uint64_t first = 0;
    size_t appended = 0;

    constat_buf_init(&leaf);
    constat_error_clear(&err);
    assert_int_equal(constat_record_validate(rec, g_tax, &err), CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_key(v, monitor, &s, &err), CONSTAT_OK);
    assert_int_equal(constat_record_sign(rec, &s, &leaf, &err), CONSTAT_OK);
    constat_note_signer_wipe(&s);
    memset(&it, 0, sizeof it);
    it.leaf = leaf.data;
    it.leaf_len = leaf.len;
    it.record_id = json_string_value(json_object_get(rec, "id"));
    it.kind = json_string_value(json_object_get(rec, "kind"));
    assert_int_equal(constat_record_content_hash(rec, it.content_hash, &err), CONSTAT_OK);
    if (constat_vault_append(v, &it, 1, &first, &appended, NULL, NULL, NULL, &err) != CONSTAT_OK)
        fail_msg("append: %s", err.msg);
    assert_int_equal(appended, 1);
    constat_buf_free(&leaf);
    json_decref(rec);
    return first;
}

static int setup(void **state)
{
    constat_vault *v;
    constat_error err;
    constat_buf cp;
    (void)state;

    setenv("CONSTAT_KDF", "fast", 1);
    assert_int_equal(constat_init(), CONSTAT_OK);
    g_tmp = tu_tmpdir();
    tprintf(g_vault, sizeof g_vault, "%s/vault", g_tmp);
    tprintf(g_dossier, sizeof g_dossier, "%s/dossier", g_tmp);
    constat_error_clear(&err);
    if (constat_taxonomy_load(TAXONOMY, &g_tax, &err) != CONSTAT_OK)
        fail_msg("taxonomy: %s", err.msg);
    if (constat_vault_create(g_vault, ORG, ORIGIN, NULL, &err) != CONSTAT_OK)
        fail_msg("create: %s", err.msg);
    if (constat_vault_open(g_vault, NULL, &v, &err) != CONSTAT_OK)
        fail_msg("open: %s", err.msg);
    assert_int_equal(constat_vault_monitor_add(v, "alice", 1531306800, &g_enrol_alice, &err),
                     CONSTAT_OK);
    assert_int_equal(constat_vault_monitor_add(v, "bob", 1531306800, &g_enrol_bob, &err),
                     CONSTAT_OK);
    /* carol is enrolled but signs nothing selected: her enrolment stays out */
    assert_int_equal(constat_vault_monitor_add(v, "carol", 1531306800, NULL, &err), CONSTAT_OK);
    g_inc1 = append(v, "alice", incident("AYS-NNK-2018-07-11", "alice",
                                         "2018-07-11T08:10:00+02:00", "eviction",
                                         "Jungle, rue des Garennes", 40));
    g_shift = append(v, "alice", shift("SHIFT-2018-07-11-A", "alice"));
    g_out_of_filter = append(v, "bob", incident("HRO-2018-06-30", "bob",
                                                "2018-06-30T23:30:00+02:00", "identity_check",
                                                "Coquelles PAF station", 3));
    g_inc2 = append(v, "bob", incident("HRO-2018-07-12", "bob", "2018-07-12T07:50:00+02:00",
                                       "identity_check", "Coquelles PAF station", 5));
    /* 31 July local time, 1 August in UTC: inside the July filter */
    g_inc3 = append(v, "alice", incident("HRO-2018-07-31", "alice",
                                         "2018-07-31T23:30:00+02:00", "eviction",
                                         "Jungle, rue des Garennes", 12));
    (void)append(v, "carol", incident("HRO-2018-08-01", "carol", "2018-08-01T09:00:00+02:00",
                                      "eviction", "Grande-Synthe", 8));
    constat_buf_init(&cp);
    assert_int_equal(constat_vault_checkpoint(v, &cp, &err), CONSTAT_OK);
    constat_buf_free(&cp);
    /* a leaf after the checkpoint: the dossier signs a new one covering it */
    (void)append(v, "bob", incident("HRO-2018-07-20", "bob", "2018-07-20T10:00:00+02:00",
                                    "arrest", "Calais centre", 1));

    if (constat_dossier_write(v, g_dossier, &g_filter, g_tax, TAXONOMY, &g_sum, &err) !=
        CONSTAT_OK)
        fail_msg("dossier: %s", err.msg);
    constat_vault_close(v);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    constat_taxonomy_free(g_tax);
    if (!getenv("KEEP")) tu_rmrf(g_tmp); else fprintf(stderr, "kept %s\n", g_tmp);
    free(g_tmp);
    return 0;
}

/* ---- helpers over a copy of the dossier ---- */

static void copy_dossier(const char *to)
{
    char cmd[9000];
    tprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", to, g_dossier, to);
    assert_int_equal(system(cmd), 0);
}

static char *file_path(const char *dir, const char *rel)
{
    static char p[4200];
    tprintf(p, sizeof p, "%s/%s", dir, rel);
    return p;
}

static void write_all(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Find the line of `file` containing `needle`, then replace the first
 * occurrence of `from` from that line's start by `to`. */
static void edit_line(const char *dir, const char *rel, const char *needle, const char *from,
                      const char *to)
{
    size_t len;
    char *path = file_path(dir, rel);
    char *s = tu_read_file(path, &len);
    char *at = strstr(s, needle), *hit, *nb;
    size_t fl = strlen(from), tl = strlen(to);
    if (!at)
        fail_msg("%s: no \"%s\"", rel, needle);
    while (at > s && at[-1] != '\n')
        at--; /* search `from` from the start of the needle's line */
    hit = strstr(at, from);
    assert_non_null(hit);
    nb = malloc(len - fl + tl + 1);
    memcpy(nb, s, (size_t)(hit - s));
    memcpy(nb + (hit - s), to, tl);
    memcpy(nb + (hit - s) + tl, hit + fl, len - (size_t)(hit - s) - fl);
    write_all(path, nb, len - fl + tl);
    free(nb);
    free(s);
}

/* Flip the character at `offset` after the first occurrence of `needle`
 * between two base64 letters that decode to different bits. */
static void flip_after(const char *dir, const char *rel, const char *needle, size_t offset)
{
    size_t len;
    char *path = file_path(dir, rel);
    char *s = tu_read_file(path, &len);
    char *at = strstr(s, needle);
    if (!at)
        fail_msg("%s: no \"%s\"", rel, needle);
    at += strlen(needle) + offset;
    *at = (*at == 'A') ? 'B' : 'A';
    write_all(path, s, len);
    free(s);
}

static constat_status verify(const char *dir, const char *trust, failures *f,
                             constat_verify_summary *sum)
{
    constat_verify_opts o = {trust};
    constat_error err;
    constat_status st;
    memset(f, 0, sizeof *f);
    constat_error_clear(&err);
    st = constat_verify_dossier(dir, &o, on_fail, f, sum, &err);
    if (st == CONSTAT_EVERIFY)
        assert_true(strstr(err.msg, "checks failed") != NULL);
    return st;
}

static void tampered(char *out, size_t cap, const char *name)
{
    tprintf(out, cap, "%s/t-%s", g_tmp, name);
    copy_dossier(out);
}

/* ---- tests ---- */

static void test_good_dossier(void **state)
{
    failures f;
    constat_verify_summary sum;
    size_t len;
    char *rec, *man, *vm;
    (void)state;

    /* 4 July incidents (one appended after the last checkpoint) + the
     * enrolments of alice and bob + the shift (every shift travels: the
     * figure field_presence_by_org reads them); not the June or August
     * incidents, not carol's enrolment */
    assert_int_equal(g_sum.incidents, 4);
    assert_int_equal(g_sum.monitors, 2);
    assert_int_equal(g_sum.records, 7);
    assert_int_equal(g_sum.tree_size, 10);

    assert_int_equal(verify(g_dossier, NULL, &f, &sum), CONSTAT_OK);
    assert_int_equal(f.n, 0);
    assert_int_equal(sum.records, 7);
    assert_int_equal(sum.incidents, 4);
    assert_int_equal(sum.monitors, 2);
    assert_int_equal(sum.checks_failed, 0);
    assert_true(sum.checks_passed > 20);
    assert_int_equal(sum.log_key, CONSTAT_KEY_FROM_DOSSIER);
    assert_int_equal(sum.org_key, CONSTAT_KEY_FROM_DOSSIER);
    assert_int_equal(sum.checkpoint_ok, 1);
    assert_string_equal(sum.origin, ORIGIN);
    assert_int_equal(sum.tree_size, 10);
    assert_memory_equal(sum.root, g_sum.root, 32);
    assert_true(sum.figures_leaves >= 3);

    /* records.jsonl holds the leaves in index order, incl. enrolments */
    rec = tu_read_file(file_path(g_dossier, "records.jsonl"), &len);
    assert_non_null(strstr(rec, "\"enrol:alice\""));
    assert_non_null(strstr(rec, "\"enrol:bob\""));
    assert_null(strstr(rec, "enrol:carol"));
    assert_non_null(strstr(rec, "SHIFT-2018-07-11-A"));
    assert_null(strstr(rec, "HRO-2018-06-30"));
    assert_non_null(strstr(rec, "HRO-2018-07-31"));
    assert_non_null(strstr(rec, "HRO-2018-07-20"));
    assert_null(strstr(rec, "HRO-2018-08-01"));
    assert_true(strstr(rec, "enrol:alice") < strstr(rec, "AYS-NNK-2018-07-11"));
    assert_true(strstr(rec, "HRO-2018-07-12") < strstr(rec, "HRO-2018-07-31"));
    free(rec);

    man = tu_read_file(file_path(g_dossier, "manifest.json"), &len);
    assert_non_null(strstr(man, "\"filter\":{\"from\":\"2018-07-01\",\"to\":\"2018-07-31\"}"));
    assert_non_null(strstr(man, "\"records\":7"));
    assert_non_null(strstr(man, "\"tree_size\":10"));
    assert_non_null(strstr(man, "\"report/figures.json\":"));
    assert_null(strstr(man, "\n"));
    free(man);

    vm = tu_read_file(file_path(g_dossier, "VERIFY.md"), &len);
    assert_non_null(strstr(vm, "does NOT prove"));
    assert_non_null(strstr(vm, "constat verify"));
    assert_non_null(strstr(vm, "--trust"));
    assert_non_null(strstr(vm, "2.1.3.2"));
    assert_non_null(strstr(vm, "En fran\xc3\xa7" "ais"));
    free(vm);

    /* figures.json at the top is the report's */
    {
        size_t a, b;
        char *x = tu_read_file(file_path(g_dossier, "figures.json"), &a);
        char *y = tu_read_file(file_path(g_dossier, "report/figures.json"), &b);
        assert_int_equal(a, b);
        assert_memory_equal(x, y, a);
        free(x);
        free(y);
    }
}

static void write_trust(const char *path, const char *log_line, const char *org_line)
{
    char buf[4096];
    tprintf(buf, sizeof buf, "# keys published on the organisation's site\n%s\n\n%s\n",
             log_line, org_line);
    write_all(path, buf, strlen(buf));
}

static void read_vkey(const char *rel, char *out, size_t cap)
{
    size_t len;
    char *s = tu_read_file(file_path(g_dossier, rel), &len);
    while (len && (s[len - 1] == '\n'))
        s[--len] = 0;
    tprintf(out, cap, "%s", s);
    free(s);
}

static void test_trust_pinned(void **state)
{
    char logvk[1024], orgvk[1024], l1[1100], l2[1100], tpath[4200];
    failures f;
    constat_verify_summary sum;
    (void)state;

    read_vkey("keys/log.vkey", logvk, sizeof logvk);
    read_vkey("keys/org.vkey", orgvk, sizeof orgvk);
    tprintf(l1, sizeof l1, "log %s", logvk);
    tprintf(l2, sizeof l2, "org %s", orgvk);
    tprintf(tpath, sizeof tpath, "%s/trust-good.txt", g_tmp);
    write_trust(tpath, l1, l2);
    assert_int_equal(verify(g_dossier, tpath, &f, &sum), CONSTAT_OK);
    assert_int_equal(sum.log_key, CONSTAT_KEY_PINNED);
    assert_int_equal(sum.org_key, CONSTAT_KEY_PINNED);
    assert_int_equal(sum.log_key_differs, 0);
    assert_int_equal(sum.org_key_differs, 0);
    assert_int_equal(sum.manifest_signed, 1);
}

static void test_trust_wrong_key(void **state)
{
    char orgvk[1024], other[1024], l1[1100], l2[1100], tpath[4200];
    constat_note_signer s;
    constat_error err;
    failures f;
    constat_verify_summary sum;
    (void)state;

    /* a different key with the same name: the impostor's log */
    assert_int_equal(constat_note_signer_generate(ORIGIN, &s, &err), CONSTAT_OK);
    assert_int_equal(constat_note_verifier_format(&s.pub, other, sizeof other), CONSTAT_OK);
    constat_note_signer_wipe(&s);
    read_vkey("keys/org.vkey", orgvk, sizeof orgvk);
    tprintf(l1, sizeof l1, "log %s", other);
    tprintf(l2, sizeof l2, "org %s", orgvk);
    tprintf(tpath, sizeof tpath, "%s/trust-wrong.txt", g_tmp);
    write_trust(tpath, l1, l2);
    assert_int_equal(verify(g_dossier, tpath, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "keys/log.vkey: log key " ORIGIN "+");
    assert_has(&f, "is not the key pinned in");
    assert_has(&f, "checkpoint: no valid signature by the log key");
    assert_int_equal(sum.checkpoint_ok, 0);
    /* the summary says the pinned key differs from the dossier's copy */
    assert_int_equal(sum.log_key, CONSTAT_KEY_PINNED);
    assert_int_equal(sum.log_key_differs, 1);
    assert_int_equal(sum.org_key_differs, 0);

    /* malformed trust file: bad input, not a verification failure */
    write_trust(tpath, "log nonsense", l2);
    {
        constat_verify_opts o = {tpath};
        constat_error e2;
        constat_error_clear(&e2);
        assert_int_equal(constat_verify_dossier(g_dossier, &o, NULL, NULL, NULL, &e2),
                         CONSTAT_EINVAL);
        assert_non_null(strstr(e2.msg, "line 2"));
    }
}

static void test_tamper_record(void **state)
{
    char d[4200], want[256];
    failures f;
    (void)state;

    tampered(d, sizeof d, "record");
    /* one letter of the summary of the first incident */
    edit_line(d, "records.jsonl", "AYS-NNK-2018-07-11", "Test incident", "Best incident");
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    tprintf(want, sizeof want, "leaf %llu (record AYS-NNK-2018-07-11): signature by monitor "
             "key alice+", (unsigned long long)g_inc1);
    assert_has(&f, want);
    tprintf(want, sizeof want, "leaf %llu (record AYS-NNK-2018-07-11): inclusion proof does "
             "not lead to the checkpoint root (size 10)", (unsigned long long)g_inc1);
    assert_has(&f, want);
    assert_has(&f, "(record AYS-NNK-2018-07-11): leaf_hash in proofs.jsonl line");
    assert_has(&f, "records.jsonl: SHA-256 is");
}

static void test_tamper_signature(void **state)
{
    char d[4200], want[256];
    failures f;
    (void)state;

    tampered(d, sizeof d, "sig");
    /* the signature of HRO-2018-07-12 (the last member of its leaf) */
    {
        size_t len;
        char *s = tu_read_file(file_path(d, "records.jsonl"), &len);
        char *line = strstr(s, "HRO-2018-07-12");
        char *sig = strstr(line, "\"signature\":\"");
        sig += strlen("\"signature\":\"") + 10;
        *sig = (*sig == 'A') ? 'B' : 'A';
        write_all(file_path(d, "records.jsonl"), s, len);
        free(s);
    }
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    tprintf(want, sizeof want,
             "leaf %llu (record HRO-2018-07-12): signature by monitor key bob+",
             (unsigned long long)g_inc2);
    assert_has(&f, want);
    assert_has(&f, "does not verify");
}

static void test_tamper_proof(void **state)
{
    char d[4200], needle[64], want[256];
    failures f;
    (void)state;

    tampered(d, sizeof d, "proof");
    tprintf(needle, sizeof needle, "{\"index\":%llu,", (unsigned long long)g_inc3);
    flip_after(d, "proofs.jsonl", needle, strlen("\"leaf_hash\":\"") + 44 + 2 +
                                              strlen("\"proof\":[\"") + 5);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    tprintf(want, sizeof want, "leaf %llu (record HRO-2018-07-31): inclusion proof does not "
             "lead to the checkpoint root (size 10)", (unsigned long long)g_inc3);
    assert_has(&f, want);
}

static void test_tamper_checkpoint(void **state)
{
    char d[4200];
    failures f;
    constat_verify_summary sum;
    (void)state;

    tampered(d, sizeof d, "checkpoint");
    /* inside the base64 of the signature line, after the 4-byte key id */
    flip_after(d, "checkpoint", "\xe2\x80\x94 " ORIGIN " ", 12);
    assert_int_equal(verify(d, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "checkpoint: no valid signature by the log key " ORIGIN "+");
    assert_int_equal(sum.checkpoint_ok, 0);

    /* the body changed instead: the size no longer matches the proofs */
    tampered(d, sizeof d, "checkpoint2");
    edit_line(d, "checkpoint", ORIGIN "\n", "\n10\n", "\n11\n");
    assert_int_equal(verify(d, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "checkpoint: no valid signature by the log key");
    assert_has(&f, "inclusion proof does not lead to the checkpoint root (size 11)");
}

static void test_tamper_enrolment(void **state)
{
    char d[4200], want[256];
    failures f;
    (void)state;

    tampered(d, sizeof d, "enrol");
    edit_line(d, "records.jsonl", "enrol:bob", "\"enrolled_at\":\"2018", "\"enrolled_at\":\"2017");
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    tprintf(want, sizeof want, "leaf %llu (record enrol:bob): enrolment is not signed by the "
             "organisation key " ORG "+", (unsigned long long)g_enrol_bob);
    assert_has(&f, want);
    /* and bob's incident loses its signer */
    tprintf(want, sizeof want, "leaf %llu (record HRO-2018-07-12): signed by key bob+",
             (unsigned long long)g_inc2);
    assert_has(&f, want);
    assert_has(&f, "which no valid enrolment in this dossier enrols");
}

static void test_tamper_figure(void **state)
{
    char d[4200];
    failures f;
    json_t *fig, *row;
    size_t len;
    char *s, *out;
    json_error_t je;
    (void)state;

    tampered(d, sizeof d, "figure");
    s = tu_read_file(file_path(d, "figures.json"), &len);
    fig = json_loadb(s, len, 0, &je);
    assert_non_null(fig);
    free(s);
    row = json_array_get(json_object_get(json_array_get(json_object_get(fig, "figures"), 0),
                                         "rows"), 0);
    assert_non_null(row);
    json_object_set_new(row, "value", json_integer(json_integer_value(json_object_get(row,
                                                                      "value")) + 1));
    out = json_dumps(fig, JSON_COMPACT | JSON_SORT_KEYS);
    write_all(file_path(d, "figures.json"), out, strlen(out));
    free(out);
    json_decref(fig);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "figures.json: figure ");
    assert_has(&f, "report/figures.json: differs from figures.json");

    /* a figure naming a leaf that is not in the dossier */
    tampered(d, sizeof d, "figure2");
    s = tu_read_file(file_path(d, "figures.json"), &len);
    fig = json_loadb(s, len, 0, &je);
    free(s);
    row = json_array_get(json_object_get(json_array_get(json_object_get(fig, "figures"), 0),
                                         "rows"), 0);
    json_array_append_new(json_object_get(row, "leaves"),
                          json_integer((json_int_t)g_out_of_filter));
    out = json_dumps(fig, JSON_COMPACT | JSON_SORT_KEYS);
    write_all(file_path(d, "figures.json"), out, strlen(out));
    free(out);
    json_decref(fig);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    {
        char want[128];
        tprintf(want, sizeof want, "names leaf %llu, which is not a record of this dossier",
                 (unsigned long long)g_out_of_filter);
        assert_has(&f, want);
    }
}

static void test_delete_proof_line(void **state)
{
    char d[4200];
    failures f;
    size_t len;
    char *s, *nl;
    (void)state;

    tampered(d, sizeof d, "proofline");
    s = tu_read_file(file_path(d, "proofs.jsonl"), &len);
    nl = strchr(s, '\n');
    /* drop the first line */
    write_all(file_path(d, "proofs.jsonl"), nl + 1, len - (size_t)(nl + 1 - s));
    free(s);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "proofs.jsonl: has 6 lines but records.jsonl has 7");
    assert_has(&f, "leaf_hash in proofs.jsonl line 1 is not SHA-256(0x00 || records.jsonl "
                   "line 1)");
}

static void test_hostile_files(void **state)
{
    char d[4200];
    failures f;
    size_t len;
    char *s;
    constat_error err;
    (void)state;

    /* missing files are named */
    tampered(d, sizeof d, "missing");
    assert_int_equal(remove(file_path(d, "checkpoint")), 0);
    assert_int_equal(remove(file_path(d, "keys/org.vkey")), 0);
    assert_int_equal(remove(file_path(d, "taxonomy.json")), 0);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "checkpoint: missing");
    assert_has(&f, "keys/org.vkey: missing");
    assert_has(&f, "checkpoint: listed in manifest.json but missing");
    assert_has(&f, "taxonomy.json: ");

    /* truncated records.jsonl */
    tampered(d, sizeof d, "trunc");
    s = tu_read_file(file_path(d, "records.jsonl"), &len);
    write_all(file_path(d, "records.jsonl"), s, len / 2);
    free(s);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "no newline at the end (truncated file?)");
    assert_has(&f, "is not a canonical leaf");

    /* a line far past the leaf limit, and invalid JSON everywhere */
    tampered(d, sizeof d, "huge");
    {
        size_t big = CONSTAT_RECORD_MAX_BYTES + 100;
        char *h = malloc(big + 1);
        memset(h, 'x', big);
        h[big] = '\n';
        write_all(file_path(d, "records.jsonl"), h, big + 1);
        free(h);
    }
    write_all(file_path(d, "manifest.json"), "{\"v\":1,", 7);
    write_all(file_path(d, "figures.json"), "[1,2", 4);
    write_all(file_path(d, "proofs.jsonl"), "{\"index\":1,\"index\":2}\n", 22);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "is longer than the 65535-byte leaf limit");
    assert_has(&f, "manifest.json: not valid JSON");
    assert_has(&f, "figures.json: not valid JSON");
    assert_has(&f, "proofs.jsonl: line 1: ");

    /* an empty folder: every required file named */
    tprintf(d, sizeof d, "%s/empty", g_tmp);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "manifest.json: missing");
    assert_has(&f, "records.jsonl: missing");

    /* not a folder at all */
    constat_error_clear(&err);
    assert_int_equal(constat_verify_dossier("/nonexistent/constat-dossier", NULL, NULL, NULL,
                                            NULL, &err),
                     CONSTAT_ENOTFOUND);
}

/* ---- the manifest signature (C1, C2) ---- */

/* What an attacker without the organisation key can do after editing
 * files: recompute every listed hash (dropping files that are gone) and the
 * record count; manifest.sig is left as it was. */
static void refix_manifest(const char *d)
{
    size_t len;
    char *s = tu_read_file(file_path(d, "manifest.json"), &len);
    json_error_t je;
    json_t *m = json_loadb(s, len, 0, &je), *files, *nf, *hv;
    const char *key;
    constat_buf out;
    constat_error err;
    uint64_t lines = 0;
    char *rec;

    free(s);
    assert_non_null(m);
    files = json_object_get(m, "files");
    nf = json_object();
    json_object_foreach(files, key, hv) {
        uint8_t h[32];
        char hex[65];
        char p[4200];
        tprintf(p, sizeof p, "%s/%s", d, key);
        if (access(p, F_OK) != 0)
            continue;
        assert_int_equal(constat_sha256_file(p, h, NULL, &err), CONSTAT_OK);
        constat_hex(h, 32, hex);
        json_object_set_new(nf, key, json_string(hex));
    }
    json_object_set_new(m, "files", nf);
    rec = tu_read_file(file_path(d, "records.jsonl"), &len);
    for (size_t i = 0; i < len; i++)
        lines += rec[i] == '\n';
    free(rec);
    json_object_set_new(m, "records", json_integer((json_int_t)lines));
    constat_buf_init(&out);
    assert_int_equal(constat_canon(m, &out, &err), CONSTAT_OK);
    write_all(file_path(d, "manifest.json"), (const char *)out.data, out.len);
    constat_buf_free(&out);
    json_decref(m);
}

/* A trust file pinning the dossier's own log and/or org key (the others
 * commented out). */
static void pinned_trust(char *tpath, size_t cap, int with_log, int with_org)
{
    char logvk[1024], orgvk[1024], l1[1100], l2[1100];
    read_vkey("keys/log.vkey", logvk, sizeof logvk);
    read_vkey("keys/org.vkey", orgvk, sizeof orgvk);
    tprintf(l1, sizeof l1, "%s%s", with_log ? "log " : "# ", logvk);
    tprintf(l2, sizeof l2, "%s%s", with_org ? "org " : "# ", orgvk);
    tprintf(tpath, cap, "%s/trust-%d%d.txt", g_tmp, with_log, with_org);
    write_trust(tpath, l1, l2);
}

static void test_manifest_signature(void **state)
{
    char orgvk[1024];
    constat_note_verifier ov;
    constat_error err;
    size_t mlen, slen, siglen = 0;
    char *man, *sig;
    const char *sv;
    json_t *o;
    json_error_t je;
    uint8_t raw[64];
    constat_buf msg;
    (void)state;

    /* checked here independently of the verifier: Ed25519 by the org key
     * over "constat-manifest-v1\n" || manifest.json */
    read_vkey("keys/org.vkey", orgvk, sizeof orgvk);
    assert_int_equal(constat_note_verifier_parse(orgvk, &ov, &err), CONSTAT_OK);
    man = tu_read_file(file_path(g_dossier, "manifest.json"), &mlen);
    sig = tu_read_file(file_path(g_dossier, "manifest.sig"), &slen);
    o = json_loadb(sig, slen, 0, &je);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), 2);
    assert_int_equal(strncmp(json_string_value(json_object_get(o, "key_id")), ORG "+",
                             strlen(ORG) + 1), 0);
    sv = json_string_value(json_object_get(o, "signature"));
    assert_non_null(sv);
    assert_int_equal(constat_unbase64(sv, strlen(sv), raw, sizeof raw, &siglen), CONSTAT_OK);
    assert_int_equal(siglen, 64);
    constat_buf_init(&msg);
    assert_int_equal(constat_buf_append(&msg, "constat-manifest-v1\n", 20), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&msg, man, mlen), CONSTAT_OK);
    assert_int_equal(crypto_sign_verify_detached(raw, msg.data, msg.len, ov.pk), 0);
    msg.data[0] ^= 1; /* another context does not verify */
    assert_int_not_equal(crypto_sign_verify_detached(raw, msg.data, msg.len, ov.pk), 0);
    constat_buf_free(&msg);
    /* every file is listed, VERIFY.md and the report included */
    assert_non_null(strstr(man, "\"VERIFY.md\":"));
    assert_non_null(strstr(man, "\"report/index.html\":"));
    assert_non_null(strstr(man, "\"figures.json\":"));
    assert_null(strstr(man, "\"manifest.sig\""));
    json_decref(o);
    free(man);
    free(sig);

    /* VERIFY.md says what the signature proves and what it does not */
    man = tu_read_file(file_path(g_dossier, "VERIFY.md"), &mlen);
    assert_non_null(strstr(man, "That the organisation published exactly this selection and "
                                "these files."));
    assert_non_null(strstr(man, "Its completeness is the\n  organisation's statement"));
    assert_null(strstr(man, "is not signed"));
    free(man);
}

/* Sign manifest.json again with the vault's organisation key, as the
 * dossier writer does: the organisation itself rewrites its report. */
static void resign_manifest(const char *d)
{
    static const char ctx[] = "constat-manifest-v1\n";
    constat_vault *v = NULL;
    constat_error err;
    const constat_note_signer *org;
    constat_buf msg, out;
    uint8_t sig[crypto_sign_BYTES];
    char kid[256], sig64[100];
    size_t len;
    char *man = tu_read_file(file_path(d, "manifest.json"), &len);
    json_t *o;

    assert_int_equal(constat_vault_open(g_vault, NULL, &v, &err), CONSTAT_OK);
    org = constat_vault_org_key(v);
    assert_non_null(org);
    constat_buf_init(&msg);
    constat_buf_init(&out);
    assert_int_equal(constat_buf_append(&msg, ctx, sizeof ctx - 1), CONSTAT_OK);
    assert_int_equal(constat_buf_append(&msg, man, len), CONSTAT_OK);
    crypto_sign_detached(sig, NULL, msg.data, msg.len, org->sk);
    constat_record_key_id(&org->pub, kid, sizeof kid);
    constat_base64(sig, sizeof sig, sig64);
    o = json_pack("{s:s, s:s}", "key_id", kid, "signature", sig64);
    assert_int_equal(constat_canon(o, &out, &err), CONSTAT_OK);
    write_all(file_path(d, "manifest.sig"), (const char *)out.data, out.len);
    json_decref(o);
    constat_buf_free(&msg);
    constat_buf_free(&out);
    free(man);
    constat_vault_close(v);
}

/* The report a reader sees is the report that verifies: the organisation
 * rewrites a number in report/index.html, or in a figure's CSV, fixes the
 * hashes and signs the manifest again; the signature is then valid, and the
 * verifier still fails, naming the file and the line, because it renders
 * the report itself from the figures it recomputed. */
static void test_report_resigned(void **state)
{
    char d[4200], tpath[4200];
    failures f;
    constat_verify_summary sum;
    (void)state;

    pinned_trust(tpath, sizeof tpath, 1, 1);
    /* untouched but re-signed: the helper signs as the writer does */
    tampered(d, sizeof d, "resign-none");
    resign_manifest(d);
    assert_int_equal(verify(d, tpath, &f, &sum), CONSTAT_OK);
    assert_int_equal(f.n, 0);
    assert_int_equal(sum.manifest_signed, 1);

    /* 4 incidents in the summary become 40 */
    tampered(d, sizeof d, "resign-html");
    edit_line(d, "report/index.html", "counted</span></dt><dd>4</dd>", "<dd>4</dd>",
              "<dd>40</dd>");
    refix_manifest(d);
    resign_manifest(d);
    assert_int_equal(verify(d, tpath, &f, &sum), CONSTAT_EVERIFY);
    assert_int_equal(sum.manifest_signed, 1);
    assert_has(&f, "report/index.html: line 19, byte 77 differs from the report rendered from "
                   "the verified figures: the dossier has \"...counted</span></dt><dd>40</dd>\", "
                   "the figures give \"...counted</span></dt><dd>4</dd>\"");
    assert_int_equal(f.n, 1);

    /* the CSV of incidents_total: 4 becomes 5 */
    tampered(d, sizeof d, "resign-csv");
    edit_line(d, "report/figures/incidents_total.csv", "4,3 6 7 9", "4,3 6 7 9", "5,3 6 7 9");
    refix_manifest(d);
    resign_manifest(d);
    assert_int_equal(verify(d, tpath, &f, &sum), CONSTAT_EVERIFY);
    assert_int_equal(sum.manifest_signed, 1);
    assert_has(&f, "report/figures/incidents_total.csv: line 2, byte 1 differs from the report "
                   "rendered from the verified figures: the dossier has \"5,3 6 7 9\", the "
                   "figures give \"4,3 6 7 9\"");
    assert_int_equal(f.n, 1);

    /* a page added to report/ and listed in the manifest */
    tampered(d, sizeof d, "resign-extra");
    write_all(file_path(d, "report/extra.html"), "<p>40 incidents</p>", 19);
    {
        size_t len;
        char *m = tu_read_file(file_path(d, "manifest.json"), &len);
        json_error_t je;
        json_t *mj = json_loadb(m, len, 0, &je);
        constat_buf out;
        constat_error err;
        free(m);
        json_object_set_new(json_object_get(mj, "files"), "report/extra.html",
                            json_string("0"));
        constat_buf_init(&out);
        assert_int_equal(constat_canon(mj, &out, &err), CONSTAT_OK);
        write_all(file_path(d, "manifest.json"), (const char *)out.data, out.len);
        constat_buf_free(&out);
        json_decref(mj);
    }
    refix_manifest(d);
    resign_manifest(d);
    assert_int_equal(verify(d, tpath, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "report/extra.html: is not part of the report rendered from the verified "
                   "figures");
    assert_int_equal(f.n, 1);
}

static void test_attack_rewrite_report(void **state)
{
    char d[4200], tpath[4200];
    failures f;
    constat_verify_summary sum;
    (void)state;

    pinned_trust(tpath, sizeof tpath, 1, 1);
    /* report/index.html and VERIFY.md rewritten, hashes fixed */
    tampered(d, sizeof d, "rewrite");
    edit_line(d, "report/index.html", "<body", "<body", "<body data-rewritten=\"1\"");
    edit_line(d, "VERIFY.md", "What it does NOT prove", "What it does NOT prove",
              "What it does prove beyond doubt");
    refix_manifest(d);
    assert_int_equal(verify(d, tpath, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "manifest.sig: signature does not verify with " ORG "+");
    assert_has(&f, "manifest.json is not signed by the organisation key");
    /* and the page is not the one the verified figures give */
    assert_has(&f, "report/index.html: line 9, byte 6 differs from the report rendered from the "
                   "verified figures: the dossier has \"<body data-rewritten=\"1\">\", the "
                   "figures give \"<body>\"");
    assert_int_equal(f.n, 2); /* everything else was made consistent */
    assert_int_equal(sum.manifest_signed, 0);

    /* VERIFY.md and report/ deleted and removed from the manifest */
    tampered(d, sizeof d, "delete");
    {
        char cmd[9000];
        tprintf(cmd, sizeof cmd, "rm -rf '%s/VERIFY.md' '%s/report'", d, d);
        assert_int_equal(system(cmd), 0);
    }
    refix_manifest(d);
    assert_int_equal(verify(d, tpath, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "manifest.sig: signature does not verify");
    assert_int_equal(f.n, 1);

    /* manifest.sig removed, or signed by another key of the same name */
    tampered(d, sizeof d, "nosig");
    assert_int_equal(remove(file_path(d, "manifest.sig")), 0);
    assert_int_equal(verify(d, tpath, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "manifest.sig: missing: manifest.json is not signed by the organisation key");
    tampered(d, sizeof d, "othersig");
    {
        constat_note_signer s;
        constat_error err;
        uint8_t sg[64];
        char kid[200], b64[100], buf[400];
        size_t mlen;
        char *man = tu_read_file(file_path(d, "manifest.json"), &mlen);
        constat_buf msg;
        assert_int_equal(constat_note_signer_generate(ORG, &s, &err), CONSTAT_OK);
        constat_buf_init(&msg);
        assert_int_equal(constat_buf_append(&msg, "constat-manifest-v1\n", 20), CONSTAT_OK);
        assert_int_equal(constat_buf_append(&msg, man, mlen), CONSTAT_OK);
        crypto_sign_detached(sg, NULL, msg.data, msg.len, s.sk);
        constat_record_key_id(&s.pub, kid, sizeof kid);
        constat_base64(sg, 64, b64);
        tprintf(buf, sizeof buf, "{\"key_id\":\"%s\",\"signature\":\"%s\"}", kid, b64);
        write_all(file_path(d, "manifest.sig"), buf, strlen(buf));
        constat_note_signer_wipe(&s);
        constat_buf_free(&msg);
        free(man);
    }
    assert_int_equal(verify(d, tpath, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "is not the organisation key " ORG "+");
}

/* C2: drop an incident, recompute figures.json with the library, fix the
 * manifest: everything is consistent except the organisation's signature. */
static void test_attack_drop_record(void **state)
{
    char d[4200], tpath[4200];
    failures f;
    size_t rlen, plen;
    char *rec, *prf, *r, *p;
    constat_buf nr, np, fb;
    constat_indexed_record recs[16];
    size_t n = 0;
    json_t *figs = NULL;
    constat_error err;
    (void)state;

    pinned_trust(tpath, sizeof tpath, 1, 1);
    tampered(d, sizeof d, "drop");
    rec = tu_read_file(file_path(d, "records.jsonl"), &rlen);
    prf = tu_read_file(file_path(d, "proofs.jsonl"), &plen);
    constat_buf_init(&nr);
    constat_buf_init(&np);
    r = rec;
    p = prf;
    while (r < rec + rlen) {
        char *re = strchr(r, '\n'), *pe = strchr(p, '\n');
        assert_non_null(re);
        assert_non_null(pe);
        *re = 0;
        *pe = 0;
        if (!strstr(r, "\"HRO-2018-07-12\"")) {
            json_error_t je;
            json_t *leaf = json_loads(r, 0, &je), *pl = json_loads(p, 0, &je);
            assert_non_null(leaf);
            assert_non_null(pl);
            assert_true(n < 16);
            recs[n].index = (uint64_t)json_integer_value(json_object_get(pl, "index"));
            recs[n].record = json_incref(json_object_get(leaf, "record"));
            n++;
            json_decref(leaf);
            json_decref(pl);
            assert_int_equal(constat_buf_printf(&nr, "%s\n", r), CONSTAT_OK);
            assert_int_equal(constat_buf_printf(&np, "%s\n", p), CONSTAT_OK);
        }
        r = re + 1;
        p = pe + 1;
    }
    assert_int_equal(n, 6);
    write_all(file_path(d, "records.jsonl"), (const char *)nr.data, nr.len);
    write_all(file_path(d, "proofs.jsonl"), (const char *)np.data, np.len);
    assert_int_equal(constat_figures_compute(recs, n, g_tax, &figs, &err), CONSTAT_OK);
    constat_buf_init(&fb);
    assert_int_equal(constat_canon(figs, &fb, &err), CONSTAT_OK);
    write_all(file_path(d, "figures.json"), (const char *)fb.data, fb.len);
    write_all(file_path(d, "report/figures.json"), (const char *)fb.data, fb.len);
    refix_manifest(d);
    assert_int_equal(verify(d, tpath, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "manifest.sig: signature does not verify");
    /* the report left as written still shows the dropped incident, and the
     * verifier renders it again from the figures it recomputed */
    assert_has(&f, "report/figures/incidents_total.csv: line 2, byte 1 differs from the report "
                   "rendered from the verified figures: the dossier has \"4,3 6 7 9\", the "
                   "figures give \"3,3 7 9\"");
    assert_has(&f, "report/index.html: line 19, byte 76 differs");
    assert_has(&f, "report/incidents.csv: line 3, byte 1 differs");
    {
        /* the attack is otherwise complete: the only other failure is the
         * manifest's signature */
        int other = 0;
        for (const char *l = f.all; *l; l = strchr(l, '\n') + 1)
            other += strncmp(l, "report/", 7) != 0;
        assert_int_equal(other, 1);
    }
    for (size_t i = 0; i < n; i++)
        json_decref(recs[i].record);
    json_decref(figs);
    constat_buf_free(&fb);
    constat_buf_free(&nr);
    constat_buf_free(&np);
    free(rec);
    free(prf);
}

static void test_unlisted_and_special_files(void **state)
{
    char d[4200], p2[4200];
    failures f;
    constat_verify_summary sum;
    (void)state;

    /* a file the manifest does not list */
    tampered(d, sizeof d, "extra");
    write_all(file_path(d, "report/extra.csv"), "a,b\n", 4);
    assert_int_equal(verify(d, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "report/extra.csv: is in the dossier but not listed in manifest.json");
    assert_int_equal(f.n, 1);

    /* a FIFO in place of records.jsonl: refused by name, never opened */
    tampered(d, sizeof d, "fifo");
    assert_int_equal(remove(file_path(d, "records.jsonl")), 0);
    assert_int_equal(mkfifo(file_path(d, "records.jsonl"), 0600), 0);
    assert_int_equal(verify(d, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "records.jsonl: is a FIFO (named pipe), not a regular file");
    assert_int_equal(sum.refused, 1);

    /* symbolic links: to a file, and a folder */
    tampered(d, sizeof d, "link");
    assert_int_equal(remove(file_path(d, "taxonomy.json")), 0);
    assert_int_equal(symlink(TAXONOMY, file_path(d, "taxonomy.json")), 0);
    tprintf(p2, sizeof p2, "%s/timestamps", d);
    assert_int_equal(symlink("/etc", p2), 0);
    assert_int_equal(verify(d, NULL, &f, &sum), CONSTAT_EVERIFY);
    assert_has(&f, "taxonomy.json: is a symbolic link: refused, not followed");
    assert_has(&f, "timestamps: is a symbolic link");
    assert_int_equal(f.n, 2);
    assert_int_equal(sum.refused, 1);
}

static void test_trust_empty_and_half(void **state)
{
    char tpath[4200];
    failures f;
    constat_verify_summary sum;
    constat_error err;
    constat_verify_opts o;
    (void)state;

    /* empty, or comments only: pins no key, an error */
    tprintf(tpath, sizeof tpath, "%s/trust-empty.txt", g_tmp);
    write_all(tpath, "", 0);
    o.trust_file = tpath;
    constat_error_clear(&err);
    assert_int_equal(constat_verify_dossier(g_dossier, &o, NULL, NULL, NULL, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "the trust file pins no key"));
    pinned_trust(tpath, sizeof tpath, 0, 0);
    o.trust_file = tpath;
    constat_error_clear(&err);
    assert_int_equal(constat_verify_dossier(g_dossier, &o, NULL, NULL, NULL, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "pins no key"));

    /* log line only: verifies, and the summary says the org key is not pinned */
    pinned_trust(tpath, sizeof tpath, 1, 0);
    assert_int_equal(verify(g_dossier, tpath, &f, &sum), CONSTAT_OK);
    assert_int_equal(sum.log_key, CONSTAT_KEY_PINNED);
    assert_int_equal(sum.org_key, CONSTAT_KEY_FROM_DOSSIER);
    assert_int_equal(sum.manifest_signed, 1);
}

static void test_manifest_paths(void **state)
{
    char d[4200];
    failures f;
    (void)state;
    tampered(d, sizeof d, "paths");
    edit_line(d, "manifest.json", "\"files\":{", "\"files\":{",
              "\"files\":{\"../../etc/passwd\":\"" "0000000000000000000000000000000000000000"
              "000000000000000000000000\",");
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_EVERIFY);
    assert_has(&f, "files: \"../../etc/passwd\" is not a file name inside the dossier");
}

static void test_write_refuses(void **state)
{
    constat_vault *v;
    constat_error err;
    char d[4200];
    constat_dossier_filter bad = {"2018-02-30", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0};
    constat_dossier_filter badcat = {NULL, NULL, "not_a_category", NULL, NULL, NULL, NULL, NULL, 0};
    constat_dossier_filter place = {NULL, NULL, NULL, "GARENNES", NULL, NULL, NULL, NULL, 0};
    constat_dossier_summary sum;
    failures f;
    (void)state;

    constat_error_clear(&err);
    assert_int_equal(constat_vault_open(g_vault, NULL, &v, &err), CONSTAT_OK);
    /* an existing non-empty folder is never overwritten */
    assert_int_equal(constat_dossier_write(v, g_dossier, NULL, g_tax, TAXONOMY, NULL, &err),
                     CONSTAT_ECONFLICT);
    tprintf(d, sizeof d, "%s/refused", g_tmp);
    assert_int_equal(constat_dossier_write(v, d, &bad, g_tax, TAXONOMY, NULL, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "filter.from"));
    assert_int_equal(constat_dossier_write(v, d, &badcat, g_tax, TAXONOMY, NULL, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "filter.category"));
    {
        struct stat st;
        assert_int_equal(stat(d, &st), -1);
    }
    /* an existing empty folder is fine; place matches case-insensitively */
    assert_int_equal(mkdir(d, 0700), 0);
    if (constat_dossier_write(v, d, &place, g_tax, TAXONOMY, &sum, &err) != CONSTAT_OK)
        fail_msg("dossier: %s", err.msg);
    assert_int_equal(sum.incidents, 2);
    assert_int_equal(sum.monitors, 1);
    assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_OK);
    /* country and commune (constat report's scope) are recorded in the
     * manifest and the verifier applies them */
    {
        constat_dossier_filter cc = {NULL, NULL, NULL, NULL, "France", "CALAIS", NULL, NULL, 0};
        constat_dossier_filter hr = {NULL, NULL, NULL, NULL, "Croatia", NULL, NULL, NULL, 0};
        char path[4300], *man;
        size_t mlen;
        struct stat st;
        tprintf(d, sizeof d, "%s/country", g_tmp);
        if (constat_dossier_write(v, d, &cc, g_tax, TAXONOMY, &sum, &err) != CONSTAT_OK)
            fail_msg("dossier: %s", err.msg);
        assert_true(sum.incidents >= 2);
        tprintf(path, sizeof path, "%s/manifest.json", d);
        man = tu_read_file(path, &mlen);
        assert_non_null(strstr(man, "\"filter\":{\"commune\":\"CALAIS\",\"country\":\"France\"}"));
        free(man);
        assert_int_equal(verify(d, NULL, &f, NULL), CONSTAT_OK);
        tprintf(d, sizeof d, "%s/croatia", g_tmp);
        assert_int_equal(constat_dossier_write(v, d, &hr, g_tax, TAXONOMY, &sum, &err),
                         CONSTAT_ENOTFOUND);
        assert_non_null(strstr(err.msg, "in country Croatia"));
        assert_int_equal(stat(d, &st), -1);
    }
    /* a selection of nothing is an error naming the filter; nothing is written */
    {
        constat_dossier_filter none = {NULL, NULL, "dog_attack", NULL, NULL, NULL, NULL, NULL, 0};
        constat_dossier_filter noplace = {NULL, NULL, NULL, "Lille-Lesquin", NULL, NULL, NULL, NULL, 0};
        struct stat st;
        tprintf(d, sizeof d, "%s/none", g_tmp);
        assert_int_equal(constat_dossier_write(v, d, &none, g_tax, TAXONOMY, &sum, &err),
                         CONSTAT_ENOTFOUND);
        assert_non_null(strstr(err.msg, "no incident matches the selection"));
        assert_non_null(strstr(err.msg, "in category dog_attack"));
        assert_non_null(strstr(err.msg, "among the 10 leaves"));
        assert_int_equal(stat(d, &st), -1);
        assert_int_equal(constat_dossier_write(v, d, &noplace, g_tax, TAXONOMY, &sum, &err),
                         CONSTAT_ENOTFOUND);
        assert_non_null(strstr(err.msg, "containing \"Lille-Lesquin\""));
        assert_int_equal(stat(d, &st), -1);
        /* an existing empty folder stays empty */
        assert_int_equal(mkdir(d, 0700), 0);
        assert_int_equal(constat_dossier_write(v, d, &none, g_tax, TAXONOMY, &sum, &err),
                         CONSTAT_ENOTFOUND);
        assert_int_equal(rmdir(d), 0);
    }
    constat_vault_close(v);
    /* no temporary folder left behind */
    {
        char cmd[4300];
        tprintf(cmd, sizeof cmd, "ls -d '%s'/*.tmp-* >/dev/null 2>&1", g_tmp);
        assert_int_not_equal(system(cmd), 0);
    }
}

static void test_filter_match(void **state)
{
    constat_dossier_filter f = {"2018-07-11", "2018-07-11", "eviction", "garennes",
                                NULL,         NULL,         NULL, NULL, 0};
    json_t *r = incident("X", "alice", "2018-07-11T23:59:00-05:00", "eviction",
                         "Jungle, rue des Garennes", 1);
    constat_error err;
    (void)state;

    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    assert_int_equal(constat_dossier_filter_match(NULL, r), 1);
    f.from = "2018-07-12";
    f.to = "2018-07-12";
    assert_int_equal(constat_dossier_filter_match(&f, r), 0); /* local date, not UTC */
    f.from = f.to = NULL;
    f.category = "arrest";
    assert_int_equal(constat_dossier_filter_match(&f, r), 0);
    f.category = NULL;
    f.place = "Coquelles";
    assert_int_equal(constat_dossier_filter_match(&f, r), 0);
    /* the commune and the site are searched too, accents and case aside */
    f.place = "CALAIS";
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    f.place = "rue des garennes";
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    json_object_set_new(json_object_get(r, "place"), "site", json_string("Hangar BMX"));
    json_object_set_new(json_object_get(r, "place"), "name",
                        json_string("\xc3\x89vacuation du campement C\xc5\x93ur"));
    f.place = "bmx";
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    f.place = "evacuation";
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    f.place = "\xc3\xa9VACUATION";
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    f.place = "coeur";
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    f.place = "garennes"; /* the old name is gone */
    assert_int_equal(constat_dossier_filter_match(&f, r), 0);
    json_object_del(json_object_get(r, "place"), "commune");
    f.place = "calais";
    assert_int_equal(constat_dossier_filter_match(&f, r), 0);
    json_object_set_new(r, "kind", json_string("shift"));
    f.place = NULL;
    assert_int_equal(constat_dossier_filter_match(&f, r), 0);
    json_decref(r);

    f.from = "2016-02-29";
    f.to = "2016-03-01";
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_OK);
    f.from = "2017-02-29";
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
    f.from = "2016-03-02";
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
    f.from = "2016-3-01";
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
    f.from = NULL;
    f.place = "";
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
}

/* filter.ids: incidents chosen one by one (the review page's download) */
static void test_filter_ids(void **state)
{
    static const char *const ids[] = {"AYS-NNK-2018-07-11", "HRO-2018-07-31"};
    static const char *const unsorted[] = {"HRO-2018-07-31", "AYS-NNK-2018-07-11"};
    static const char *const twice[] = {"HRO-2018-07-31", "HRO-2018-07-31"};
    static const char *const badid[] = {"a b"};
    static const char *const unknown[] = {"AYS-NNK-2018-07-11", "HRO-2099-01-01"};
    constat_dossier_filter f = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, ids, 2};
    constat_dossier_summary sum;
    constat_vault *v;
    constat_error err;
    constat_buf b;
    char d[4200], path[4300], *man;
    size_t mlen;
    failures fl;
    struct stat st;
    json_t *r;
    (void)state;

    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_OK);
    r = incident("HRO-2018-07-31", "alice", "2018-07-31T23:30:00+02:00", "eviction", "Calais", 1);
    assert_int_equal(constat_dossier_filter_match(&f, r), 1);
    json_object_set_new(r, "id", json_string("HRO-2018-07-30"));
    assert_int_equal(constat_dossier_filter_match(&f, r), 0);
    json_decref(r);
    f.ids = unsorted;
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "filter.ids[1]: "));
    assert_non_null(strstr(err.msg, "strictly ascending"));
    f.ids = twice;
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
    f.ids = badid;
    f.nids = 1;
    assert_int_equal(constat_dossier_filter_check(&f, g_tax, &err), CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "filter.ids[0]: not a record id"));
    f.ids = ids;
    f.nids = 2;
    constat_buf_init(&b);
    assert_int_equal(constat_dossier_filter_describe(&f, 0, &b), CONSTAT_OK);
    assert_string_equal((const char *)b.data, "incidents chosen one by one by record id (2 listed "
                                              "in manifest.json, filter.ids)");
    constat_buf_free(&b);

    /* written: exactly these two, the list in the manifest; verified */
    assert_int_equal(constat_vault_open(g_vault, NULL, &v, &err), CONSTAT_OK);
    tprintf(d, sizeof d, "%s/ids", g_tmp);
    if (constat_dossier_write(v, d, &f, g_tax, TAXONOMY, &sum, &err) != CONSTAT_OK)
        fail_msg("dossier: %s", err.msg);
    assert_int_equal(sum.incidents, 2);
    tprintf(path, sizeof path, "%s/manifest.json", d);
    man = tu_read_file(path, &mlen);
    assert_non_null(
        strstr(man, "\"filter\":{\"ids\":[\"AYS-NNK-2018-07-11\",\"HRO-2018-07-31\"]}"));
    free(man);
    assert_int_equal(verify(d, NULL, &fl, NULL), CONSTAT_OK);
    /* a listed id that is no incident: refused, naming it; nothing written */
    f.ids = unknown;
    tprintf(d, sizeof d, "%s/ids-unknown", g_tmp);
    assert_int_equal(constat_dossier_write(v, d, &f, g_tax, TAXONOMY, &sum, &err),
                     CONSTAT_ENOTFOUND);
    assert_non_null(strstr(err.msg, "filter.ids[1]: \"HRO-2099-01-01\" is no incident of the log"));
    assert_int_equal(stat(d, &st), -1);
    constat_vault_close(v);
}

static void test_proof_line_parse(void **state)
{
    constat_dossier_proof_line pl;
    constat_error err;
    const char *h = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    char line[8192 + 64];
    (void)state;

    tprintf(line, sizeof line, "{\"index\":7,\"leaf_hash\":\"%s\",\"proof\":[\"%s\"]}", h, h);
    assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                     CONSTAT_OK);
    assert_int_equal(pl.index, 7);
    assert_int_equal(pl.proof.n, 1);
    assert_int_equal(pl.leaf_hash[31], 31);
    /* duplicate member, extra member, negative index, short hash */
    tprintf(line, sizeof line, "{\"index\":7,\"index\":8,\"leaf_hash\":\"%s\",\"proof\":[]}", h);
    assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                     CONSTAT_EINVAL);
    tprintf(line, sizeof line, "{\"index\":7,\"x\":1,\"leaf_hash\":\"%s\",\"proof\":[]}", h);
    assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                     CONSTAT_EINVAL);
    tprintf(line, sizeof line, "{\"index\":-1,\"leaf_hash\":\"%s\",\"proof\":[]}", h);
    assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "index"));
    tprintf(line, sizeof line, "{\"index\":1,\"leaf_hash\":\"AAEC\",\"proof\":[]}");
    assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                     CONSTAT_EINVAL);
    assert_non_null(strstr(err.msg, "leaf_hash"));
    /* 64 hashes is the limit; 65 is past it */
    {
        size_t n = (size_t)tprintf(line, sizeof line, "{\"index\":1,\"leaf_hash\":\"%s\","
                                    "\"proof\":[", h);
        for (int i = 0; i < 65; i++)
            n += (size_t)tprintf(line + n, sizeof line - n, "%s\"%s\"", i ? "," : "", h);
        tprintf(line + n, sizeof line - n, "]}");
        assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                         CONSTAT_ELIMIT);
        /* cut to 64 */
        n = (size_t)tprintf(line, sizeof line, "{\"index\":1,\"leaf_hash\":\"%s\",\"proof\":[",
                             h);
        for (int i = 0; i < 64; i++)
            n += (size_t)tprintf(line + n, sizeof line - n, "%s\"%s\"", i ? "," : "", h);
        tprintf(line + n, sizeof line - n, "]}");
        assert_int_equal(constat_dossier_proof_line_parse(line, strlen(line), &pl, &err),
                         CONSTAT_OK);
        assert_int_equal(pl.proof.n, 64);
    }
    memset(line, ' ', CONSTAT_DOSSIER_PROOF_LINE_MAX + 1);
    assert_int_equal(constat_dossier_proof_line_parse(line, CONSTAT_DOSSIER_PROOF_LINE_MAX + 1,
                                                      &pl, &err),
                     CONSTAT_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_dossier),
        cmocka_unit_test(test_trust_pinned),
        cmocka_unit_test(test_trust_wrong_key),
        cmocka_unit_test(test_tamper_record),
        cmocka_unit_test(test_tamper_signature),
        cmocka_unit_test(test_tamper_proof),
        cmocka_unit_test(test_tamper_checkpoint),
        cmocka_unit_test(test_tamper_enrolment),
        cmocka_unit_test(test_tamper_figure),
        cmocka_unit_test(test_delete_proof_line),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_manifest_paths),
        cmocka_unit_test(test_manifest_signature),
        cmocka_unit_test(test_attack_rewrite_report),
        cmocka_unit_test(test_report_resigned),
        cmocka_unit_test(test_attack_drop_record),
        cmocka_unit_test(test_unlisted_and_special_files),
        cmocka_unit_test(test_trust_empty_and_half),
        cmocka_unit_test(test_write_refuses),
        cmocka_unit_test(test_filter_match),
        cmocka_unit_test(test_filter_ids),
        cmocka_unit_test(test_proof_line_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
