/* public_map.c — positions in a public report (public_map.h): snapped to a
 * named register site within a radius, else to the 500 m grid; counted;
 * counts under k withheld; the check of a public document's positions; and
 * the map a public report draws from them (report_public.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/analysis/public_map.h"
#include "constat/analysis/disclosure.h"
#include "analysis/map.h"
#include "analysis/report_public.h"
#include "base/text.h"

#define PI 3.14159265358979323846

static double metres(int64_t la1, int64_t lo1, int64_t la2, int64_t lo2)
{
    double a = (double)la1 / 1e7, b = (double)la2 / 1e7;
    double x = ((double)(lo2 - lo1) / 1e7) * cos((a + b) / 2 * PI / 180) * 111320.0;
    double y = (b - a) * 110540.0;
    return sqrt(x * x + y * y);
}

static int64_t e7(double deg)
{
    return (int64_t)llround(deg * 1e7);
}

long constat_public_place(int64_t lat_e7, int64_t lon_e7, const constat_named_site *sites,
                          size_t n, double radius_m, int64_t *slat, int64_t *slon)
{
    long best = -1;
    double bd = 0, la, lo;
    for (size_t i = 0; i < n; i++) {
        double d = metres(lat_e7, lon_e7, sites[i].lat_e7, sites[i].lon_e7);
        if (d <= radius_m && (best < 0 || d < bd)) {
            best = (long)i;
            bd = d;
        }
    }
    if (best >= 0) {
        *slat = sites[best].lat_e7;
        *slon = sites[best].lon_e7;
        return best;
    }
    constat_disclosure_snap((double)lat_e7 / 1e7, (double)lon_e7 / 1e7, &la, &lo);
    *slat = e7(la);
    *slon = e7(lo);
    return -1;
}

static int pos_of(const json_t *o, int64_t *la, int64_t *lo)
{
    const json_t *a = json_object_get(o, "lat_e7"), *b = json_object_get(o, "lon_e7");
    if (!json_is_integer(a) || !json_is_integer(b))
        return 0;
    *la = json_integer_value(a);
    *lo = json_integer_value(b);
    return *la >= -900000000 && *la <= 900000000 && *lo >= -1800000000 && *lo <= 1800000000;
}

static int site_cmp(const void *a, const void *b)
{
    const constat_named_site *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->lat_e7 != y->lat_e7 ? (x->lat_e7 < y->lat_e7 ? -1 : 1)
                                  : (x->lon_e7 > y->lon_e7) - (x->lon_e7 < y->lon_e7);
}

typedef struct {
    long site; /* index in sites, or -1 */
    int64_t lat, lon;
    json_int_t n;
} pcell;

static int cell_cmp(const void *a, const void *b)
{
    const pcell *x = a, *y = b;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return (x->lon > y->lon) - (x->lon < y->lon);
}

constat_status constat_public_positions(const constat_indexed_record *recs, size_t n, int k,
                                        json_t *pub, constat_error *err)
{
    constat_indexed_record *eff = NULL;
    size_t neff = 0, ns = 0, nc = 0, w = 0;
    constat_named_site *sites = NULL;
    pcell *cells = NULL;
    json_t *pos = NULL, *js = NULL, *rows = NULL;
    json_int_t suppressed = 0;
    constat_status st;

    if (k < CONSTAT_DISCLOSURE_K_MIN || k > CONSTAT_DISCLOSURE_K_MAX || !json_is_object(pub))
        return constat_error_set(err, CONSTAT_EINVAL, "positions: k out of range or no "
                                 "public figures document");
    st = constat_records_effective(recs, n, NULL, &eff, NULL, &neff, err);
    if (st != CONSTAT_OK)
        return st;
    sites = calloc(neff + 1, sizeof *sites);
    cells = calloc(neff + 1, sizeof *cells);
    if (!sites || !cells)
        goto nomem;
    for (size_t i = 0; i < neff; i++) {
        const json_t *r = eff[i].record;
        const char *kind = json_string_value(json_object_get(r, "kind"));
        const char *name = json_string_value(json_object_get(r, "name"));
        if (kind && strcmp(kind, "register") == 0 && name &&
            pos_of(json_object_get(r, "position"), &sites[ns].lat_e7, &sites[ns].lon_e7))
            sites[ns++].name = name;
    }
    if (ns)
        qsort(sites, ns, sizeof *sites, site_cmp);
    for (size_t i = 0; i < ns; i++) /* one entry a name: the first position */
        if (w == 0 || strcmp(sites[w - 1].name, sites[i].name) != 0)
            sites[w++] = sites[i];
    ns = w;
    for (size_t i = 0; i < neff; i++) {
        const json_t *r = eff[i].record;
        const char *kind = json_string_value(json_object_get(r, "kind"));
        int64_t la, lo;
        if (!kind || strcmp(kind, "incident") != 0 ||
            !pos_of(json_object_get(r, "place"), &la, &lo))
            continue;
        cells[nc].site = constat_public_place(la, lo, sites, ns, CONSTAT_PUBLIC_SITE_RADIUS_M,
                                              &cells[nc].lat, &cells[nc].lon);
        cells[nc++].n = 1;
    }
    if (nc)
        qsort(cells, nc, sizeof *cells, cell_cmp);
    w = 0;
    for (size_t i = 0; i < nc; i++) {
        if (w && cell_cmp(&cells[w - 1], &cells[i]) == 0)
            cells[w - 1].n++;
        else
            cells[w++] = cells[i];
    }
    nc = w;
    pos = json_object();
    js = json_array();
    rows = json_array();
    if (!pos || !js || !rows)
        goto nomem;
    for (size_t i = 0; i < ns; i++)
        if (json_array_append_new(js, json_pack("{s:s, s:I, s:I}", "name", sites[i].name,
                                                "lat_e7", (json_int_t)sites[i].lat_e7, "lon_e7",
                                                (json_int_t)sites[i].lon_e7)))
            goto nomem;
    for (size_t i = 0; i < nc; i++) {
        json_t *row;
        if (cells[i].n < k) {
            suppressed++;
            continue;
        }
        row = json_pack("{s:s?, s:I, s:I, s:I}", "site",
                        cells[i].site >= 0 ? sites[cells[i].site].name : NULL, "lat_e7",
                        (json_int_t)cells[i].lat, "lon_e7", (json_int_t)cells[i].lon, "value",
                        cells[i].n);
        if (!row || json_array_append_new(rows, row))
            goto nomem;
    }
    if (json_object_set_new(pos, "radius_m", json_integer(CONSTAT_PUBLIC_SITE_RADIUS_M)) ||
        json_object_set_new(pos, "grid_m", json_integer(CONSTAT_DISCLOSURE_GRID_M)) ||
        json_object_set(pos, "sites", js) || json_object_set(pos, "rows", rows) ||
        json_object_set_new(pos, "suppressed", json_integer(suppressed)) ||
        json_object_set(pub, "positions", pos))
        goto nomem;
    st = CONSTAT_OK;
    goto out;
nomem:
    st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
out:
    json_decref(pos);
    json_decref(js);
    json_decref(rows);
    free(sites);
    free(cells);
    free(eff);
    return st;
}

/* ---- check ------------------------------------------------------------------ */

typedef struct {
    constat_public_positions_fail_fn fail;
    void *ctx;
    size_t n;
    char first[CONSTAT_ERROR_MSG_MAX];
} pchk;

/* "positions[.WHERE[I]]: WHY" (WHERE NULL: the member itself) */
static void pviol(pchk *c, const char *where, size_t i, const char *why)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    if (where)
        constat_bprintf(msg, sizeof msg, "positions.%s[%zu]: %s", where, i, why);
    else
        constat_bprintf(msg, sizeof msg, "positions: %s", why);
    if (c->n++ == 0)
        constat_bprintf(c->first, sizeof c->first, "%s", msg);
    if (c->fail)
        c->fail(c->ctx, msg);
}

constat_status constat_public_positions_check(const json_t *pub,
                                              constat_public_positions_fail_fn fail, void *ctx,
                                              constat_error *err)
{
    const json_t *p = json_object_get(pub, "positions");
    const json_t *kv = json_object_get(json_object_get(pub, "disclosure"), "k");
    const json_t *sites, *rows, *rad, *grid;
    json_int_t k = json_is_integer(kv) ? json_integer_value(kv) : CONSTAT_DISCLOSURE_K_MAX;
    pchk c;

    if (!p)
        return CONSTAT_OK;
    memset(&c, 0, sizeof c);
    c.fail = fail;
    c.ctx = ctx;
    sites = json_object_get(p, "sites");
    rows = json_object_get(p, "rows");
    rad = json_object_get(p, "radius_m");
    grid = json_object_get(p, "grid_m");
    if (!json_is_object(p) || !json_is_array(sites) || !json_is_array(rows) ||
        !json_is_integer(rad) || json_integer_value(rad) < 0 ||
        json_integer_value(rad) > CONSTAT_PUBLIC_SITE_RADIUS_M || !json_is_integer(grid) ||
        json_integer_value(grid) < CONSTAT_DISCLOSURE_GRID_M)
        pviol(&c, NULL, 0,
              "not of the shape {radius_m 0..300, grid_m >= 500, sites, rows}");
    for (size_t i = 0; c.n == 0 && i < json_array_size(sites); i++) {
        const json_t *s = json_array_get(sites, i);
        int64_t la, lo;
        if (!json_is_string(json_object_get(s, "name")) || !pos_of(s, &la, &lo))
            pviol(&c, "sites", i, "needs a name and lat_e7/lon_e7");
    }
    for (size_t i = 0; c.n == 0 && i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i), *v = json_object_get(r, "value");
        const json_t *site = json_object_get(r, "site");
        int64_t la, lo, sla, slo;
        if (!pos_of(r, &la, &lo) || !json_is_integer(v) || (site && !json_is_string(site) &&
                                                             !json_is_null(site))) {
            pviol(&c, "rows", i,
                  "needs lat_e7/lon_e7, an integer value and a site (a name or null)");
            continue;
        }
        if (json_integer_value(v) < k) {
            char why[96];
            constat_bprintf(why, sizeof why, "value %lld is under the declared k %lld",
                            (long long)json_integer_value(v), (long long)k);
            pviol(&c, "rows", i, why);
        }
        if (json_is_string(site)) {
            int found = 0;
            for (size_t j = 0; j < json_array_size(sites); j++) {
                const json_t *s = json_array_get(sites, j);
                found |= json_equal(json_object_get(s, "name"), site) && pos_of(s, &sla, &slo) &&
                         sla == la && slo == lo;
            }
            if (!found)
                pviol(&c, "rows", i,
                      "names a site that is not in positions.sites at that position");
        } else if (constat_public_place(la, lo, NULL, 0, 0, &sla, &slo) < 0 &&
                   (sla != la || slo != lo)) {
            pviol(&c, "rows", i,
                  "not at the centre of its 500 m grid cell: an exact position is shown");
        }
    }
    if (c.n)
        return constat_error_set(err, CONSTAT_EVERIFY, "%s", c.first);
    return CONSTAT_OK;
}

/* ---- the public map ------------------------------------------------------------ */

typedef struct {
    json_t *spots;  /* one place object per row */
    json_int_t *cum; /* cumulative values */
    size_t n;
} pmap;

static const json_t *pmap_get(void *ctx, size_t i)
{
    const pmap *m = ctx;
    size_t lo = 0, hi = m->n ? m->n - 1 : 0;
    while (lo < hi) { /* the first row r with i < cum[r] */
        size_t mid = (lo + hi) / 2;
        if ((json_int_t)i < m->cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return json_array_get(m->spots, lo);
}

constat_status report_public_map_html(constat_buf *b, const json_t *figures, constat_error *err)
{
    const json_t *rows = json_object_get(json_object_get(figures, "positions"), "rows");
    pmap m;
    json_int_t total = 0;
    constat_status st = CONSTAT_OK;

    if (!json_object_get(figures, "disclosure") || json_array_size(rows) == 0)
        return CONSTAT_OK;
    m.n = json_array_size(rows);
    m.spots = json_array();
    m.cum = calloc(m.n + 1, sizeof *m.cum);
    for (size_t i = 0; m.spots && m.cum && i < m.n; i++) {
        const json_t *r = json_array_get(rows, i);
        const char *site = json_string_value(json_object_get(r, "site"));
        json_int_t la = json_integer_value(json_object_get(r, "lat_e7"));
        json_int_t lo = json_integer_value(json_object_get(r, "lon_e7"));
        json_int_t v = json_integer_value(json_object_get(r, "value"));
        char label[96];
        if (v < 0 || v > 1000000000) /* the check refuses such a page already */
            v = 0;
        constat_bprintf(label, sizeof label, "%.4f N %.4f E (500 m)", (double)la / 1e7,
                        (double)lo / 1e7);
        total += v;
        m.cum[i] = total;
        if (json_array_append_new(m.spots,
                                  json_pack("{s:{s:s, s:I, s:I}}", "place", "name",
                                            site ? site : label, "lat_e7", la, "lon_e7", lo))) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            break;
        }
    }
    if (!m.spots || !m.cum)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK)
        st = report_map_html(b, pmap_get, &m, (size_t)total, err);
    json_decref(m.spots);
    free(m.cum);
    return st;
}
