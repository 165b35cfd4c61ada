/* public_dossier.c — the public part of a public dossier (public_dossier.h):
 * written beside the leaves it is counted from, and checked against them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dossier/public_dossier.h"
#include "constat/analysis/disclosure.h"
#include "constat/analysis/public_map.h"
#include "constat/analysis/public_report.h"
#include "constat/base/file.h"
#include "constat/dossier/format.h"
#include "constat/dossier/public.h"
#include "constat/record/canon.h"
#include "base/text.h"

/* A coarse position is on the 0.01 degree grid (docs/record.md). */
#define COARSE_E7 100000

static const char *kind_of(const json_t *rec)
{
    const char *k = json_string_value(json_object_get(rec, "kind"));
    return k ? k : "";
}

static int get_pos(const json_t *o, int64_t *lat, int64_t *lon)
{
    const json_t *a = json_object_get(o, "lat_e7"), *b = json_object_get(o, "lon_e7");
    if (!json_is_integer(a) || !json_is_integer(b))
        return 0;
    *lat = (int64_t)json_integer_value(a);
    *lon = (int64_t)json_integer_value(b);
    return 1;
}

/* The exact positions a record holds (place and transport.release_place
 * of an incident, of a corrected incident, unless its source is a
 * publication, whose source published the positions already; capture of an
 * evidence record, of a corrected one): the `which`th of them (0, 1), if
 * any. */
static int exact_pos(const json_t *rec, int which, int64_t *lat, int64_t *lon)
{
    const char *k = kind_of(rec);
    if (strcmp(k, "correction") == 0) {
        rec = json_object_get(rec, "replacement");
        k = kind_of(rec);
    }
    if (strcmp(k, "incident") == 0) {
        /* a publication's positions were published by its source already */
        const char *st = json_string_value(json_object_get(json_object_get(rec, "source"),
                                                           "type"));
        const json_t *at = which == 0 ? json_object_get(rec, "place")
                                      : json_object_get(json_object_get(rec, "transport"),
                                                        "release_place");
        if ((st && strcmp(st, "publication") == 0) || !get_pos(at, lat, lon))
            return 0;
    } else if (strcmp(k, "evidence") == 0) {
        if (which != 0 || !get_pos(json_object_get(rec, "capture"), lat, lon))
            return 0;
    } else {
        return 0;
    }
    return *lat % COARSE_E7 != 0 || *lon % COARSE_E7 != 0;
}

/* The living sites with a position among recs (names borrowed). */
static constat_named_site *living_sites(const constat_indexed_record *recs, size_t n,
                                        size_t *ns)
{
    constat_named_site *s = malloc((n + 1) * sizeof *s);
    *ns = 0;
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *r = recs[i].record;
        const char *reg = json_string_value(json_object_get(r, "register"));
        const char *name = json_string_value(json_object_get(r, "name"));
        if (strcmp(kind_of(r), "register") != 0 || !reg || strcmp(reg, "living_site") != 0 ||
            !name || !get_pos(json_object_get(r, "position"), &s[*ns].lat_e7, &s[*ns].lon_e7))
            continue;
        s[(*ns)++].name = name;
    }
    return s;
}

long dossier_public_exact_leaf(const constat_indexed_record *recs, size_t n,
                               const char **site)
{
    size_t ns;
    constat_named_site *s = living_sites(recs, n, &ns);
    long hit = -1;

    *site = NULL;
    if (!s)
        return -1;
    for (size_t i = 0; ns && i < n && hit < 0; i++)
        for (int which = 0; which < 2 && hit < 0; which++) {
            int64_t lat, lon, sl, so;
            long w;
            if (!exact_pos(recs[i].record, which, &lat, &lon))
                continue;
            w = constat_public_place(lat, lon, s, ns, CONSTAT_PUBLIC_SITE_RADIUS_M, &sl, &so);
            if (w >= 0) {
                hit = (long)i;
                *site = s[w].name;
            }
        }
    free(s);
    return hit;
}

static int idx_cmp(const void *a, const void *b)
{
    uint64_t x = ((const constat_indexed_record *)a)->index,
             y = ((const constat_indexed_record *)b)->index;
    return x < y ? -1 : x > y;
}

/* The public figures of `figures` under k, with the positions of recs:
 * the same records in the same order on both sides (the verifier's: the
 * kinds the figures read, by leaf index). */
static constat_status public_figures(const constat_indexed_record *recs, size_t n,
                                     const json_t *figures, int k, json_t **out,
                                     constat_error *err)
{
    static const char *const kinds[] = {"incident", "evidence",  "correction", "retraction",
                                        "erasure",  "register", "shift"};
    constat_indexed_record *r = malloc((n + 1) * sizeof *r);
    size_t m = 0;
    constat_status st;

    *out = NULL;
    if (!r)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < sizeof kinds / sizeof *kinds; j++)
            if (strcmp(kind_of(recs[i].record), kinds[j]) == 0) {
                r[m++] = recs[i];
                break;
            }
    qsort(r, m, sizeof *r, idx_cmp);
    st = constat_disclosure_apply(figures, k, out, err);
    if (st == CONSTAT_OK)
        st = constat_public_positions(r, m, k, *out, err);
    if (st != CONSTAT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    free(r);
    return st;
}

static constat_status put(const char *path, const void *data, size_t len, constat_error *err)
{
    FILE *f = fopen(path, "wb");
    int bad;
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open for writing: %s", path,
                                 strerror(errno));
    bad = len && fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    return bad ? constat_error_set(err, CONSTAT_EIO, "%s: write failed", path) : CONSTAT_OK;
}

static constat_status slurp(const char *path, constat_buf *b, constat_error *err)
{
    FILE *f = fopen(path, "rb");
    constat_status st;
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open", path);
    st = constat_file_read(f, CONSTAT_DOSSIER_JSON_MAX, b, err);
    fclose(f);
    return st;
}

constat_status dossier_public_write(const char *dir, const constat_indexed_record *recs,
                                    size_t n, const json_t *figures,
                                    const constat_taxonomy *tax,
                                    const constat_report_meta *meta, const char *logvk, int k,
                                    constat_error *err)
{
    char pd[4200], path[4300];
    const char *site;
    long hit = dossier_public_exact_leaf(recs, n, &site);
    json_t *pub = NULL;
    constat_buf tb;
    constat_status st;

    if (hit >= 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "public dossier: leaf %llu holds an exact position within "
                                 "%d m of the living site \"%s\": a public dossier publishes "
                                 "its leaves, so it needs coarse positions there "
                                 "(location_precision, docs/record.md); nothing written",
                                 (unsigned long long)recs[hit].index,
                                 CONSTAT_PUBLIC_SITE_RADIUS_M, site);
    if (k < CONSTAT_DISCLOSURE_K_MIN || k > CONSTAT_DISCLOSURE_K_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "public dossier: k %d out of range", k);
    constat_bprintf(pd, sizeof pd, "%s/" CONSTAT_PUBLIC_DOSSIER_DIR, dir);
    constat_bprintf(path, sizeof path, "%s/keys", pd);
    if (mkdir(pd, 0755) != 0 || mkdir(path, 0755) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    constat_buf_init(&tb);
    constat_bprintf(path, sizeof path, "%s/taxonomy.json", dir);
    st = slurp(path, &tb, err);
    if (st == CONSTAT_OK)
        st = public_figures(recs, n, figures, k, &pub, err);
    if (st == CONSTAT_OK) {
        /* a public report carries no validation table (its small cells) */
        constat_report_meta pm = *meta;
        pm.validation_html = NULL;
        st = constat_report_write_public(pd, tax, tb.data, tb.len, pub, &pm, err);
    }
    if (st == CONSTAT_OK) {
        constat_buf_reset(&tb);
        if (constat_buf_puts(&tb, logvk) != CONSTAT_OK || constat_buf_puts(&tb, "\n"))
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    constat_bprintf(path, sizeof path, "%s/keys/log.vkey", pd);
    if (st == CONSTAT_OK)
        st = put(path, tb.data, tb.len, err);
    json_decref(pub);
    constat_buf_free(&tb);
    return st;
}

/* ---- verification -------------------------------------------------------- */

typedef struct {
    dossier_public_fail_fn fail;
    dossier_public_pass_fn pass;
    void *ctx;
} pv;

static void pv_fail(pv *c, int64_t index, const char *where, const char *fmt, ...)
    CONSTAT_PRINTF(4, 5);
static void pv_fail(pv *c, int64_t index, const char *where, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->fail(c->ctx, index, where, msg);
}

static void pub_report_fail(void *ctx, const char *file, const char *msg)
{
    char where[600];
    constat_bprintf(where, sizeof where, CONSTAT_PUBLIC_DOSSIER_DIR "/%s", file);
    pv_fail(ctx, -1, where, "%s", msg);
}

/* The figure of id `id` in the array `figs`, or NULL. */
static const json_t *figure_by_id(const json_t *figs, const char *id)
{
    size_t i;
    json_t *f;
    json_array_foreach(figs, i, f) {
        const char *fid = json_string_value(json_object_get(f, "id"));
        if (fid && strcmp(fid, id) == 0)
            return f;
    }
    return NULL;
}

/* One member (a figure, or "positions", "disclosure", "v") compared. */
static void compare_one(pv *c, const char *name, const json_t *claimed, const json_t *recount,
                        int k)
{
    static const char where[] = CONSTAT_PUBLIC_DOSSIER_DIR "/figures.json";
    if (!claimed)
        pv_fail(c, -1, where, "%.200s: missing; the recount under k = %d has it", name, k);
    else if (!json_equal((json_t *)claimed, (json_t *)recount))
        pv_fail(c, -1, where, "%.200s: differs from the figure recounted from the leaves and "
                "suppressed again with k = %d", name, k);
    else
        c->pass(c->ctx);
}

/* The claimed public figures against the recount: member by member, and
 * figure by figure (by id) inside "figures"; members or figures the recount
 * does not have are failures too. */
static void compare_figures(pv *c, const json_t *claimed, const json_t *recount, int k)
{
    static const char where[] = CONSTAT_PUBLIC_DOSSIER_DIR "/figures.json";
    const json_t *cf = json_object_get(claimed, "figures");
    const char *key;
    json_t *val, *f;
    size_t i;

    json_object_foreach((json_t *)recount, key, val) {
        if (strcmp(key, "figures") != 0 || !json_is_array(cf) || !json_is_array(val)) {
            compare_one(c, key, json_object_get(claimed, key), val, k);
            continue;
        }
        json_array_foreach(val, i, f) {
            const char *id = json_string_value(json_object_get(f, "id"));
            compare_one(c, id ? id : "(figure without id)", id ? figure_by_id(cf, id) : NULL,
                        f, k);
        }
        json_array_foreach(cf, i, f) {
            const char *id = json_string_value(json_object_get(f, "id"));
            if (!id || !figure_by_id(val, id))
                pv_fail(c, -1, where, "figures[%zu] (%.200s): not a figure of the recount "
                        "from the leaves", i, id ? id : "no id");
        }
    }
    json_object_foreach((json_t *)claimed, key, val)
        if (!json_object_get(recount, key))
            pv_fail(c, -1, where, "%.200s: not a member of the recount from the leaves", key);
}

/* Every site of the claimed positions is a register entry of the leaves. */
static void check_sites(pv *c, const json_t *claimed, const constat_indexed_record *recs,
                        size_t n)
{
    const json_t *sites = json_object_get(json_object_get(claimed, "positions"), "sites");
    static const char where[] = CONSTAT_PUBLIC_DOSSIER_DIR "/figures.json";
    size_t i;
    json_t *s;

    json_array_foreach(sites, i, s) {
        const char *name = json_string_value(json_object_get(s, "name"));
        int64_t la, lo, rla, rlo;
        int found = 0;
        const char *shown = name ? name : "(no name)";
        if (!name || !get_pos(s, &la, &lo)) {
            pv_fail(c, -1, where, "positions.sites[%zu] \"%s\": no name or no position", i,
                    shown);
            continue;
        }
        for (size_t r = 0; r < n && !found; r++) {
            const json_t *rec = recs[r].record;
            const char *rn = json_string_value(json_object_get(rec, "name"));
            found = strcmp(kind_of(rec), "register") == 0 && rn && strcmp(rn, name) == 0 &&
                    get_pos(json_object_get(rec, "position"), &rla, &rlo) && rla == la &&
                    rlo == lo;
        }
        if (found)
            c->pass(c->ctx);
        else
            pv_fail(c, -1, where, "positions.sites[%zu] \"%s\" at (%lld, %lld): no register "
                    "entry of the dossier's log has this name at this position", i, shown,
                    (long long)la, (long long)lo);
    }
}

/* public/<pub> (or the member "checkpoint" of public/meta.json when
 * `member` is given) holds the bytes of the dossier's own <own>: the public
 * report is labelled with the dossier's taxonomy, carries its log key and
 * cites its checkpoint, not ones of its own. */
static constat_status same_as_dossier(pv *c, const char *dir, const char *pub,
                                      const char *member, const char *own)
{
    char path[4300], where[300];
    constat_buf a, b;
    constat_error e;
    constat_status st;
    json_t *meta = NULL;
    const unsigned char *got = NULL;
    size_t glen = 0;

    constat_buf_init(&a);
    constat_buf_init(&b);
    constat_bprintf(where, sizeof where, CONSTAT_PUBLIC_DOSSIER_DIR "/%s", pub);
    constat_bprintf(path, sizeof path, "%s/%s", dir, own);
    constat_error_clear(&e);
    st = slurp(path, &a, &e);
    if (st == CONSTAT_OK) {
        constat_bprintf(path, sizeof path, "%s/" CONSTAT_PUBLIC_DOSSIER_DIR "/%s", dir, pub);
        st = slurp(path, &b, &e);
    }
    if (st == CONSTAT_OK && member) {
        st = constat_json_parse(b.data ? (char *)b.data : "", b.len, pub, 0, &meta, &e);
        if (st == CONSTAT_OK) {
            const char *v = json_string_value(json_object_get(meta, member));
            got = (const unsigned char *)v;
            glen = v ? strlen(v) : 0;
        }
    } else {
        got = b.data;
        glen = b.len;
    }
    if (st == CONSTAT_ENOMEM)
        goto out;
    if (st != CONSTAT_OK) /* a missing or unreadable file is said by the report check */
        st = CONSTAT_OK;
    else if (member && !got)
        ; /* no checkpoint member: the public report check names it */
    else if (glen == a.len && (glen == 0 || memcmp(got, a.data, glen) == 0))
        c->pass(c->ctx);
    else if (member)
        pv_fail(c, -1, where, "field \"%s\": not the dossier's %s, byte for byte: a public "
                "report inside a dossier shows the dossier's own", member, own);
    else
        pv_fail(c, -1, where, "not the dossier's %s, byte for byte: a public report inside a "
                "dossier shows the dossier's own", own);
out:
    json_decref(meta);
    constat_buf_free(&a);
    constat_buf_free(&b);
    return st;
}

/* public/keys/log.vkey holds `log_key` (the key of the dossier's log-key
 * chain in force at its checkpoint), as the writer puts it: the vkey and a
 * newline. */
static constat_status same_log_key(pv *c, const char *dir, const constat_note_verifier *log_key)
{
    char path[4300], vk[CONSTAT_DOSSIER_VKEY_MAX];
    constat_buf b;
    constat_error e;
    constat_status st;
    size_t n;

    if (constat_note_verifier_format(log_key, vk, sizeof vk) != CONSTAT_OK)
        return CONSTAT_OK; /* not a key this dossier could carry: said elsewhere */
    n = strlen(vk);
    constat_buf_init(&b);
    constat_bprintf(path, sizeof path, "%s/" CONSTAT_PUBLIC_DOSSIER_DIR "/keys/log.vkey", dir);
    constat_error_clear(&e);
    st = slurp(path, &b, &e);
    if (st == CONSTAT_OK) {
        if (b.len == n + 1 && memcmp(b.data, vk, n) == 0 && b.data[n] == '\n')
            c->pass(c->ctx);
        else
            pv_fail(c, -1, CONSTAT_PUBLIC_DOSSIER_DIR "/keys/log.vkey",
                    "not the log key that signs the dossier's checkpoint (%s), byte for byte: "
                    "a public report inside a dossier shows the dossier's own", log_key->name);
    }
    constat_buf_free(&b);
    return st == CONSTAT_ENOMEM ? st : CONSTAT_OK;
}

constat_status dossier_public_verify(const char *dir, const char *trust_file,
                                     const constat_note_verifier *log_key,
                                     const constat_indexed_record *recs, size_t n,
                                     const json_t *recomputed, dossier_public_fail_fn fail,
                                     dossier_public_pass_fn pass, void *ctx)
{
    pv c = {fail, pass, ctx};
    char pd[4200], path[4300];
    const char *site;
    long hit = dossier_public_exact_leaf(recs, n, &site);
    uint64_t passed = 0;
    json_t *claimed = NULL, *recount = NULL, *kv;
    constat_buf b;
    constat_error e;
    constat_status st;

    if (hit >= 0) {
        const char *shown = site;
        pv_fail(&c, (int64_t)recs[hit].index, "records.jsonl",
                "leaf %llu holds an exact position within %d m of the living site \"%s\": a "
                "public dossier must not publish it", (unsigned long long)recs[hit].index,
                CONSTAT_PUBLIC_SITE_RADIUS_M, shown);
    } else {
        pass(ctx);
    }
    constat_bprintf(pd, sizeof pd, "%s/" CONSTAT_PUBLIC_DOSSIER_DIR, dir);
    constat_error_clear(&e);
    st = dossier_verify_public_report_key(pd, trust_file, log_key, pub_report_fail, &c, &passed,
                                          NULL, NULL, &e);
    if (st == CONSTAT_ENOMEM)
        return st;
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY)
        pv_fail(&c, -1, CONSTAT_PUBLIC_DOSSIER_DIR, "%s", e.msg);
    while (passed--)
        pass(ctx);
    /* the log key: the dossier's keys/log.vkey, or after a rotation of the
     * log key the key of the chain that signs the dossier's checkpoint */
    if ((st = same_as_dossier(&c, dir, "taxonomy.json", NULL, "taxonomy.json")) != CONSTAT_OK ||
        (st = log_key ? same_log_key(&c, dir, log_key)
                      : same_as_dossier(&c, dir, "keys/log.vkey", NULL, "keys/log.vkey")) !=
            CONSTAT_OK ||
        (st = same_as_dossier(&c, dir, "meta.json", "checkpoint", "checkpoint")) != CONSTAT_OK)
        return st;
    if (!recomputed)
        return CONSTAT_OK; /* the figures failed: their failure says why */
    constat_buf_init(&b);
    constat_bprintf(path, sizeof path, "%s/figures.json", pd);
    constat_error_clear(&e);
    st = slurp(path, &b, &e);
    if (st == CONSTAT_OK)
        st = constat_json_parse(b.data ? (char *)b.data : "", b.len, "figures.json", 0,
                                &claimed, &e);
    constat_buf_free(&b);
    if (st == CONSTAT_ENOMEM)
        return st;
    if (st != CONSTAT_OK) {
        pv_fail(&c, -1, CONSTAT_PUBLIC_DOSSIER_DIR "/figures.json", "%s", e.msg);
        return CONSTAT_OK;
    }
    kv = json_object_get(json_object_get(claimed, "disclosure"), "k");
    if (!json_is_integer(kv) || json_integer_value(kv) < CONSTAT_DISCLOSURE_K_MIN ||
        json_integer_value(kv) > CONSTAT_DISCLOSURE_K_MAX) {
        pv_fail(&c, -1, CONSTAT_PUBLIC_DOSSIER_DIR "/figures.json",
                "disclosure.k: not an integer from %d to %d: nothing to suppress again with",
                CONSTAT_DISCLOSURE_K_MIN, CONSTAT_DISCLOSURE_K_MAX);
        json_decref(claimed);
        return CONSTAT_OK;
    }
    constat_error_clear(&e);
    st = public_figures(recs, n, recomputed, (int)json_integer_value(kv), &recount, &e);
    if (st == CONSTAT_ENOMEM) {
        json_decref(claimed);
        return st;
    }
    if (st != CONSTAT_OK)
        pv_fail(&c, -1, CONSTAT_PUBLIC_DOSSIER_DIR "/figures.json",
                "cannot be recounted: %s", e.msg);
    else
        compare_figures(&c, claimed, recount, (int)json_integer_value(kv));
    check_sites(&c, claimed, recs, n);
    json_decref(recount);
    json_decref(claimed);
    return CONSTAT_OK;
}
