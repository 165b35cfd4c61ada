/*
 * simulate.c — synthetic vaults (synthetic.h): realistic made-up records,
 * drawn from the real published incidents, for tests and benchmarks, and
 * the rule that keeps them apart from real data.
 *
 * Everything drawn comes from one generator (SplitMix64) seeded by the
 * caller, read in a fixed order, so one seed gives the same records on
 * every machine. Pseudonyms are drawn from the seed too (a synthetic
 * person is no one), not keyed by the vault's fresh pseudonym key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/vault/synthetic.h"
#include "constat/vault/intake.h"
#include "constat/vault/vault.h"
#include "constat/base/hash.h"
#include "constat/record/categories.h"
#include "base/text.h"
#include "vault/sim_fit.h"

#define SIM_MAX_RECORDS 10000000u
#define SIM_MONITORS 4
#define SIM_BATCH 8192
/* The simulated period: 2018-01-01T00:00:00Z to 2025-01-01T00:00:00Z. */
#define SIM_FROM INT64_C(1514764800)
#define SIM_DAYS 2557

/* ---- the generator ---------------------------------------------------------- */

typedef struct {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t below(rng *r, uint64_t n)
{
    return n ? next(r) % n : 0;
}

/* Uniform in [0, 1). */
static double unit(rng *r)
{
    return (double)(next(r) >> 11) / 9007199254740992.0;
}

/* ---- times ------------------------------------------------------------------ */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The day (days since the epoch) of the last Sunday of month m of year y. */
static int64_t last_sunday(int y, int m)
{
    int64_t last = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
    int64_t wd = (last + 4) % 7; /* 1970-01-01 was a Thursday: 0 = Sunday */
    return last - wd;
}

/* The UTC offset of France (Europe/Paris) at UTC time t: +2 h from 01:00 UTC
 * on the last Sunday of March to 01:00 UTC on the last Sunday of October. */
static int paris_offset(int64_t t)
{
    int64_t day = t / 86400;
    int y = 1970 + (int)(day / 365.2425);
    while (days_from_civil(y + 1, 1, 1) <= day)
        y++;
    while (days_from_civil(y, 1, 1) > day)
        y--;
    int64_t on = last_sunday(y, 3) * 86400 + 3600, off = last_sunday(y, 10) * 86400 + 3600;
    return t >= on && t < off ? 7200 : 3600;
}

static void paris_time(int64_t t, char out[32])
{
    constat_rfc3339_format(t, paris_offset(t), out);
}

/* ---- templates ---------------------------------------------------------------- */

typedef struct {
    json_t **t;
    size_t n, cap;
} templates;

static constat_status keep_template(void *ctx, unsigned long line, json_t *record,
                                    constat_error *err)
{
    templates *ts = ctx;
    const char *country =
        json_string_value(json_object_get(json_object_get(record, "place"), "country"));
    (void)line;
    if (!country || strcmp(country, "France") != 0)
        return CONSTAT_OK;
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 64;
        json_t **nt = realloc(ts->t, cap * sizeof *nt);
        if (!nt)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        ts->t = nt;
        ts->cap = cap;
    }
    ts->t[ts->n++] = json_incref(record);
    return CONSTAT_OK;
}

/* ---- records -------------------------------------------------------------------- */

typedef struct {
    rng r;
    uint64_t seed;
    const templates *ts;
    uint64_t pool;  /* recurring persons */
    const char *org;
    double cum[SIM_FIT_YEARS]; /* cumulative yearly weights (sim_fit.h), last 1 */
    int fit;                   /* opts->published_csv was given */
} sim;

static double pow3(double x)
{
    return x * x * x;
}

/* A pseudonym of the pool: person k of this seed. Skewed so that a few
 * persons are checked very often (k = pool * u^3). */
static void person(sim *s, char out[67])
{
    uint64_t k = (uint64_t)((double)s->pool * pow3(unit(&s->r)));
    char text[64];
    uint8_t h[32];
    snprintf(text, sizeof text, "synthetic-person:%" PRIu64 ":%" PRIu64, s->seed, k);
    constat_sha256((const uint8_t *)text, strlen(text), h);
    memcpy(out, "p:", 2);
    constat_hex(h, 32, out + 2);
}

/* The hour an incident of these categories starts (local): evictions and
 * visits of living sites early in the morning, night visits at night,
 * checks through the day. */
static int start_hour(sim *s, const json_t *tpl)
{
    if (constat_record_has_category(tpl, "night_visit"))
        return (int)((22 + below(&s->r, 8)) % 24);
    if (constat_record_has_category(tpl, "eviction") || constat_record_has_category(tpl, "living_site_visit"))
        return 6 + (int)below(&s->r, 4);
    return 7 + (int)below(&s->r, 14);
}

/* A day of the period: a year by its weight (the published figures',
 * sim_fit.h), a day of it uniformly; Sundays drawn at a third of the
 * weight. */
static int64_t draw_day(sim *s)
{
    while (!s->fit) { /* not fitted: every day of the period alike, as before */
        int64_t d = SIM_FROM / 86400 + (int64_t)below(&s->r, SIM_DAYS);
        if ((d + 4) % 7 != 0 || below(&s->r, 3) == 0)
            return d;
    }
    for (;;) {
        double u = unit(&s->r);
        int y = 0;
        while (y < SIM_FIT_YEARS - 1 && u >= s->cum[y])
            y++;
        int64_t d0 = days_from_civil(SIM_FIT_YEAR0 + y, 1, 1),
                d = d0 + (int64_t)below(&s->r, (uint64_t)(days_from_civil(SIM_FIT_YEAR0 + y + 1,
                                                                          1, 1) - d0));
        if ((d + 4) % 7 != 0 || below(&s->r, 3) == 0)
            return d;
    }
}

static json_t *copy_member(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v ? json_deep_copy(v) : NULL;
}

/* Incident n, from a drawn template. */
static json_t *incident(sim *s, uint64_t n, const char *monitor)
{
    const json_t *tpl = s->ts->t[below(&s->r, s->ts->n)];
    const json_t *tp = json_object_get(tpl, "place"), *ta = json_object_get(tpl, "affected");
    int64_t day = draw_day(s), local, start, end, rec;
    int hour = start_hour(s, tpl), minute = (int)below(&s->r, 60);
    json_t *r = json_object(), *occ = json_object(), *place = json_object(),
           *aff = json_object(), *src = json_object();
    char id[96], t1[32], t2[32], t3[32], sid[96], summary[600];

    local = day * 86400 + hour * 3600 + minute * 60;
    /* `local` is the wall time read as UTC; the offset an hour earlier
     * decides (a start inside the spring gap lands an hour later) */
    start = local - paris_offset(local - 3600);
    end = start + 600 + (int64_t)below(&s->r, 3 * 3600);
    rec = end + 300 + (int64_t)below(&s->r, 6 * 3600);
    paris_time(start, t1);
    paris_time(end, t2);
    constat_rfc3339_format(rec, 0, t3);
    snprintf(id, sizeof id, CONSTAT_SYNTHETIC_ID_PREFIX "%" PRIu64 "-%08" PRIu64, s->seed, n);
    snprintf(sid, sizeof sid, "synthetic:%" PRIu64 ":%" PRIu64, s->seed, n);
    json_object_set_new(r, "v", json_integer(1));
    json_object_set_new(r, "kind", json_string("incident"));
    json_object_set_new(r, "id", json_string(id));
    json_object_set_new(r, "org", json_string(s->org));
    json_object_set_new(r, "monitor", json_string(monitor));
    json_object_set_new(r, "recorded_at", json_string(t3));
    json_object_set_new(occ, "start", json_string(t1));
    json_object_set_new(occ, "end", json_string(t2));
    json_object_set_new(occ, "precision", json_string("minute"));
    json_object_set_new(r, "occurred", occ);
    /* the place: the template's, moved by up to about 300 m */
    {
        const char *keys[] = {"name", "commune", "country", "site"};
        for (size_t i = 0; i < 4; i++)
            if (json_object_get(tp, keys[i]))
                json_object_set_new(place, keys[i], copy_member(tp, keys[i]));
        if (json_is_integer(json_object_get(tp, "lat_e7"))) {
            json_int_t la = json_integer_value(json_object_get(tp, "lat_e7"));
            json_int_t lo = json_integer_value(json_object_get(tp, "lon_e7"));
            la += (json_int_t)below(&s->r, 54001) - 27000;
            lo += (json_int_t)below(&s->r, 84001) - 42000;
            json_object_set_new(place, "lat_e7", json_integer(la));
            json_object_set_new(place, "lon_e7", json_integer(lo));
            json_object_set_new(place, "precision_m", json_integer(200));
        }
    }
    json_object_set_new(r, "place", place);
    json_object_set_new(r, "categories", copy_member(tpl, "categories"));
    if (json_object_get(tpl, "authority"))
        json_object_set_new(r, "authority", copy_member(tpl, "authority"));
    /* persons: the count drawn around the template's, the template's
     * minors and nationalities, pseudonyms of the pool for checks */
    {
        json_int_t c = json_is_integer(json_object_get(ta, "count"))
                           ? json_integer_value(json_object_get(ta, "count"))
                           : 0;
        if (c <= 0 || c > 400)
            c = 1 + (json_int_t)below(&s->r, 30);
        else
            c = 1 + (json_int_t)below(&s->r, (uint64_t)c * 2);
        json_object_set_new(aff, "count", json_integer(c));
        if (json_object_get(ta, "minors"))
            json_object_set_new(aff, "minors", copy_member(ta, "minors"));
        if (json_object_get(ta, "nationalities"))
            json_object_set_new(aff, "nationalities", copy_member(ta, "nationalities"));
        if (constat_record_has_category(tpl, "identity_check") || constat_record_has_category(tpl, "arrest") ||
            constat_record_has_category(tpl, "transport_to_station")) {
            json_t *ps = json_array();
            size_t k = 1 + (size_t)below(&s->r, 3);
            for (size_t i = 0; i < k; i++) {
                char p[67];
                person(s, p);
                json_array_append_new(ps, json_string(p));
            }
            json_object_set_new(aff, "persons", ps);
        }
    }
    json_object_set_new(r, "affected", aff);
    if (json_object_get(tpl, "items"))
        json_object_set_new(r, "items", copy_member(tpl, "items"));
    json_object_set_new(src, "type", json_string(below(&s->r, 10) < 7 ? "direct_observation"
                                                                      : "testimony"));
    json_object_set_new(src, "source_id", json_string(sid));
    json_object_set_new(r, "source", src);
    {
        const json_t *cats = json_object_get(tpl, "categories");
        size_t o = (size_t)snprintf(summary, sizeof summary, "[synthetic] ");
        for (size_t i = 0; i < json_array_size(cats) && o < 400; i++)
            o += (size_t)snprintf(summary + o, sizeof summary - o, "%s%s", i ? ", " : "",
                                  json_string_value(json_array_get(cats, i)));
        snprintf(summary + o, sizeof summary - o, " at %.150s",
                 json_string_value(json_object_get(tp, "name"))
                     ? json_string_value(json_object_get(tp, "name"))
                     : "a site");
    }
    json_object_set_new(r, "summary", json_string(summary));
    return r;
}

/* Shift n of a monitor: a day in the field around Calais. */
static json_t *shift(sim *s, uint64_t n, const char *monitor)
{
    int64_t day = draw_day(s), local = day * 86400 + (6 + (int64_t)below(&s->r, 6)) * 3600;
    int64_t start = local - paris_offset(local), end = start + (3 + (int64_t)below(&s->r, 6)) * 3600;
    char id[96], t1[32], t2[32], t3[32];

    paris_time(start, t1);
    paris_time(end, t2);
    constat_rfc3339_format(end + 600, 0, t3);
    snprintf(id, sizeof id, CONSTAT_SYNTHETIC_ID_PREFIX "%" PRIu64 "-shift-%08" PRIu64, s->seed,
             n);
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:I, s:I, s:i}}",
                     "v", 1, "kind", "shift", "id", id, "org", s->org, "monitor", monitor,
                     "recorded_at", t3, "start", t1, "end", t2, "area", "name",
                     "Calais (synthetic shift area)", "commune", "Calais", "lat_e7",
                     (json_int_t)509550000, "lon_e7", (json_int_t)18560000, "radius_m", 3000);
}

static constat_status append_batch(constat_vault *v, constat_intake_item *items, size_t n,
                                   constat_error *err)
{
    constat_append_item *views = calloc(n + 1, sizeof *views);
    constat_status st;
    size_t appended = 0;

    for (size_t i = 0; views && i < n; i++)
        constat_intake_item_view(&items[i], &views[i]);
    st = views ? constat_vault_append(v, views, n, NULL, &appended, NULL, NULL, NULL, err)
               : constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    free(views);
    for (size_t i = 0; i < n; i++)
        constat_intake_item_free(&items[i]);
    if (st == CONSTAT_OK && appended != n)
        st = constat_error_set(err, CONSTAT_EINTERNAL, "simulate: %zu of %zu records appended "
                               "(a repeated record)", appended, n);
    return st;
}

constat_status constat_simulate(const char *dir, const constat_simulate_opts *opts,
                                constat_simulate_summary *out, constat_error *err)
{
    templates ts = {NULL, 0, 0};
    constat_import_opts io;
    constat_vault *v = NULL;
    constat_note_signer signers[SIM_MONITORS];
    char names[SIM_MONITORS][32], origin[96], ts3[32];
    constat_intake_item *items = NULL;
    constat_simulate_summary sum;
    constat_buf cp;
    size_t nb = 0;
    sim s;
    constat_status st;

    memset(&sum, 0, sizeof sum);
    memset(signers, 0, sizeof signers);
    constat_buf_init(&cp);
    if (!opts || opts->records == 0 || opts->records > SIM_MAX_RECORDS)
        return constat_error_set(err, CONSTAT_EINVAL, "--records: must be 1 to %u",
                                 SIM_MAX_RECORDS);
    if (opts->now < SIM_FROM + (int64_t)SIM_DAYS * 86400 + 86400)
        return constat_error_set(err, CONSTAT_EINVAL, "simulate: the clock (now) must be after "
                                 "the simulated period, 2018-01-01 to 2024-12-31");
    /* the real incidents, as the importer reads them */
    constat_rfc3339_format(opts->now, 0, ts3);
    memset(&io, 0, sizeof io);
    io.what = opts->templates_csv;
    io.org = CONSTAT_SYNTHETIC_ORG;
    io.monitor = "template";
    io.recorded_at = ts3;
    io.taxonomy = opts->tax;
    io.countries = opts->countries;
    st = constat_import_csv(opts->templates_csv, &io, keep_template, NULL, &ts, NULL, err);
    if (st == CONSTAT_OK && ts.n == 0)
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: no incident in France to draw from",
                               opts->templates_csv);
    snprintf(origin, sizeof origin, CONSTAT_SYNTHETIC_ORIGIN_PREFIX "constat/seed-%" PRIu64,
             opts->seed);
    if (st == CONSTAT_OK)
        st = constat_vault_create(dir, CONSTAT_SYNTHETIC_ORG, origin, NULL, err);
    if (st == CONSTAT_OK)
        st = constat_vault_open(dir, NULL, &v, err);
    for (int m = 0; st == CONSTAT_OK && m < SIM_MONITORS; m++) {
        snprintf(names[m], sizeof names[m], "synthetic-monitor-%d", m + 1);
        st = constat_vault_monitor_add(v, names[m], SIM_FROM - 86400, NULL, err);
        if (st == CONSTAT_OK)
            st = constat_vault_monitor_key(v, names[m], &signers[m], err);
    }
    items = st == CONSTAT_OK ? calloc(SIM_BATCH, sizeof *items) : NULL;
    if (st == CONSTAT_OK && !items)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    memset(&s, 0, sizeof s);
    {
        /* yearly rates from the published figures (sim_fit.c), else even */
        double w[SIM_FIT_YEARS], tot = 0, acc = 0;
        int nfit = 0;
        for (int y = 0; y < SIM_FIT_YEARS; y++)
            w[y] = 1;
        if (st == CONSTAT_OK && opts->published_csv)
            st = sim_fit_years(opts->published_csv, w, &nfit, err);
        for (int y = 0; y < SIM_FIT_YEARS; y++)
            tot += w[y];
        for (int y = 0; y < SIM_FIT_YEARS; y++)
            s.cum[y] = (acc += w[y]) / tot;
        s.cum[SIM_FIT_YEARS - 1] = 1;
        sum.fitted_years = (uint64_t)nfit;
        s.fit = opts->published_csv != NULL;
    }
    s.r.s = opts->seed;
    s.seed = opts->seed;
    s.ts = &ts;
    s.pool = opts->records / 20 > 50 ? opts->records / 20 : 50;
    s.org = CONSTAT_SYNTHETIC_ORG;
    for (uint64_t n = 0; st == CONSTAT_OK && n < opts->records; n++) {
        int m = (int)below(&s.r, SIM_MONITORS);
        int is_shift = below(&s.r, 10) == 0;
        json_t *in = is_shift ? shift(&s, sum.shifts, names[m]) : incident(&s, sum.incidents,
                                                                             names[m]);
        if (!in) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            break;
        }
        st = constat_intake_record(v, in, names[m], opts->now, opts->tax, &signers[m],
                                   &items[nb], err);
        json_decref(in);
        if (st != CONSTAT_OK)
            break;
        nb++;
        if (is_shift)
            sum.shifts++;
        else
            sum.incidents++;
        if (nb == SIM_BATCH) {
            st = append_batch(v, items, nb, err);
            nb = 0;
        }
    }
    if (st == CONSTAT_OK && nb)
        st = append_batch(v, items, nb, err);
    else
        for (size_t i = 0; i < nb; i++)
            constat_intake_item_free(&items[i]);
    if (st == CONSTAT_OK)
        st = constat_vault_checkpoint(v, &cp, err);
    sum.monitors = SIM_MONITORS;
    sum.persons = s.pool;
    sum.templates = ts.n;
    if (st == CONSTAT_OK && out)
        *out = sum;
    for (int m = 0; m < SIM_MONITORS; m++)
        constat_note_signer_wipe(&signers[m]);
    free(items);
    constat_buf_free(&cp);
    if (v)
        constat_vault_close(v);
    for (size_t i = 0; i < ts.n; i++)
        json_decref(ts.t[i]);
    free(ts.t);
    return st;
}
