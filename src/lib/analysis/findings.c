/*
 * findings.c — the figures that answer the Defender's findings
 * (docs/indicators.md "Findings figures"; findings.h).
 *
 * Every figure here states its parameters in the figure itself
 * ("parameters") and every row lists the leaves it counts: the incidents,
 * and the register entry or shift records a row relies on. Statistics
 * (median, quartiles) are nearest-rank values, so each is one observed
 * interval and its row names the two records that make it. Shares are
 * integers per thousand, rounded down. All times of day are the local wall
 * clock written in the record's own RFC 3339 string (the offset the monitor
 * recorded at the place), so a DST change never shifts a local hour.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"

#define SAFE_MAX 9007199254740991LL
#define TWO_H 7200
#define DAY_S 86400
#define CORR_WINDOW_S 7200
#define CORR_RADIUS_M 500

/* ---- a figure under construction ------------------------------------------ */

typedef struct {
    json_t *key;
    int64_t value;
    uint64_t *lv;
    size_t nlv, cap;
} frow;

typedef struct {
    json_t *fig;   /* id, title, unit, dimensions, parameters */
    frow *r;
    size_t n, cap;
    json_t *map;   /* key text -> index */
    constat_error *err;
} ftab;

static int u64cmp_leaves(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static constat_status nomem(constat_error *err)
{
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

static constat_status tab_init(ftab *t, const char *id, const char *en, const char *fr,
                               const char *unit, json_t *dims, json_t *params,
                               constat_error *err)
{
    memset(t, 0, sizeof *t);
    t->err = err;
    t->map = json_object();
    t->fig = json_pack("{s:s,s:{s:s,s:s},s:s,s:o,s:o}", "id", id, "title", "en", en, "fr", fr,
                       "unit", unit, "dimensions", dims, "parameters", params);
    if (!t->map || !t->fig)
        return nomem(err);
    return CONSTAT_OK;
}

static void tab_free(ftab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        json_decref(t->r[i].key);
        free(t->r[i].lv);
    }
    free(t->r);
    json_decref(t->map);
    json_decref(t->fig);
    memset(t, 0, sizeof *t);
}

json_t *constat_fig_key(size_t n, const char *a, const char *b, const char *c)
{
    const char *v[3] = {a, b, c};
    json_t *key = json_array();
    for (size_t i = 0; key && i < n && i < 3; i++) {
        json_t *e = v[i] ? json_string(v[i]) : json_null();
        if (!e || json_array_append_new(key, e)) {
            json_decref(key);
            key = NULL;
        }
    }
    return key;
}

/* Append n bytes at *len of buf (cap), spilling into *heap when full. */
static int key_put(char **out, size_t *len, size_t *cap, char *buf, const char *p, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = (*len + n + 1) * 2;
        char *h = *out == buf ? malloc(nc) : realloc(*out, nc);
        if (!h)
            return -1;
        if (*out == buf)
            memcpy(h, buf, *len);
        *out = h;
        *cap = nc;
    }
    memcpy(*out + *len, p, n);
    *len += n;
    (*out)[*len] = 0;
    return 0;
}

char *constat_fig_key_text(const json_t *key, char *buf, size_t cap)
{
    char *out = buf;
    size_t len = 0;

    if (!json_is_array(key) || cap < 1)
        return json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY);
    buf[0] = 0;
    for (size_t i = 0; i < json_array_size(key); i++) {
        const json_t *e = json_array_get(key, i);
        char head[32];
        int hn, bad;
        if (json_is_string(e)) {
            hn = snprintf(head, sizeof head, "s%zu:", json_string_length(e));
            bad = key_put(&out, &len, &cap, buf, head, (size_t)hn) ||
                  key_put(&out, &len, &cap, buf, json_string_value(e), json_string_length(e));
        } else if (json_is_integer(e)) {
            hn = snprintf(head, sizeof head, "i%lld;", (long long)json_integer_value(e));
            bad = key_put(&out, &len, &cap, buf, head, (size_t)hn);
        } else if (json_is_null(e)) {
            bad = key_put(&out, &len, &cap, buf, "n", 1);
        } else {
            if (out != buf)
                free(out);
            return json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY);
        }
        if (bad) {
            if (out != buf)
                free(out);
            return NULL;
        }
    }
    return out;
}

void constat_fig_sort_leaves(uint64_t *v, size_t n)
{
    size_t i;
    for (i = 1; i < n && v[i - 1] <= v[i]; i++)
        ;
    if (i < n)
        qsort(v, n, sizeof *v, u64cmp_leaves);
}

/* The row of `key` (reference stolen), created with value 0. */
static frow *tab_row(ftab *t, json_t *key)
{
    char stack[256], *text;
    json_t *ix;
    if (!key)
        return NULL;
    text = constat_fig_key_text(key, stack, sizeof stack);
    if (!text) {
        json_decref(key);
        return NULL;
    }
    ix = json_object_get(t->map, text);
    if (ix) {
        if (text != stack)
            free(text);
        json_decref(key);
        return &t->r[json_integer_value(ix)];
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        frow *nr = realloc(t->r, nc * sizeof *nr);
        if (!nr)
            goto fail;
        t->r = nr;
        t->cap = nc;
    }
    if (json_object_set_new(t->map, text, json_integer((json_int_t)t->n)))
        goto fail;
    if (text != stack)
        free(text);
    memset(&t->r[t->n], 0, sizeof t->r[0]);
    t->r[t->n].key = key;
    return &t->r[t->n++];
fail:
    if (text != stack)
        free(text);
    json_decref(key);
    return NULL;
}

static constat_status row_leaf(ftab *t, frow *r, uint64_t leaf)
{
    if (r->nlv == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 8;
        uint64_t *nl = realloc(r->lv, nc * sizeof *nl);
        if (!nl)
            return nomem(t->err);
        r->lv = nl;
        r->cap = nc;
    }
    r->lv[r->nlv++] = leaf;
    return CONSTAT_OK;
}

/* Add delta to the row `key` (stolen), listing `leaf`. */
static constat_status add(ftab *t, json_t *key, uint64_t leaf, int64_t delta)
{
    frow *r = tab_row(t, key);
    if (!r)
        return nomem(t->err);
    if (delta > SAFE_MAX - r->value)
        return constat_error_set(t->err, CONSTAT_ELIMIT, "figure %s: a value exceeds 2^53-1",
                                 json_string_value(json_object_get(t->fig, "id")));
    r->value += delta;
    return row_leaf(t, r, leaf);
}

/* Make sure the row `key` (stolen) exists, with value `value` if new. */
static constat_status touch(ftab *t, json_t *key, int64_t value)
{
    size_t before = t->n;
    frow *r = tab_row(t, key);
    if (!r)
        return nomem(t->err);
    if (t->n > before)
        r->value = value;
    return CONSTAT_OK;
}

/* Set the row `key` (stolen) to `value`, listing the leaves of `from`
 * (may be NULL) and `extra` (may be NULL). */
static constat_status set(ftab *t, json_t *key, int64_t value, const frow *from,
                          const uint64_t *extra, size_t nextra)
{
    frow *r = tab_row(t, key);
    constat_status st;
    if (!r)
        return nomem(t->err);
    r->value = value;
    for (size_t i = 0; from && i < from->nlv; i++)
        if ((st = row_leaf(t, r, from->lv[i])))
            return st;
    for (size_t i = 0; i < nextra; i++)
        if ((st = row_leaf(t, r, extra[i])))
            return st;
    return CONSTAT_OK;
}

static int keycmp(const json_t *a, const json_t *b)
{
    size_t na = json_array_size(a), nb = json_array_size(b);
    for (size_t i = 0; i < na && i < nb; i++) {
        const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
        int c;
        if (json_is_null(x) || json_is_null(y)) {
            c = !json_is_null(x) - !json_is_null(y);
        } else {
            c = strcmp(json_string_value(x), json_string_value(y));
        }
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb;
}

static int rowcmp(const void *a, const void *b)
{
    return keycmp(((const frow *)a)->key, ((const frow *)b)->key);
}

/* Move the figure, rows sorted and leaves unique, onto figs. */
static constat_status tab_emit(ftab *t, json_t *figs)
{
    json_t *rows = json_array();
    if (!rows)
        return nomem(t->err);
    if (t->n)
        qsort(t->r, t->n, sizeof *t->r, rowcmp);
    for (size_t i = 0; i < t->n; i++) {
        frow *r = &t->r[i];
        json_t *lv = json_array(), *row;
        size_t k = 0;
        constat_fig_sort_leaves(r->lv, r->nlv);
        for (size_t j = 0; j < r->nlv; j++)
            if (j == 0 || r->lv[j] != r->lv[j - 1])
                r->lv[k++] = r->lv[j];
        r->nlv = k;
        for (size_t j = 0; lv && j < k; j++)
            if (json_array_append_new(lv, json_integer((json_int_t)r->lv[j]))) {
                json_decref(lv);
                lv = NULL;
            }
        row = lv ? json_pack("{s:O,s:I,s:o}", "key", r->key, "value", (json_int_t)r->value,
                             "leaves", lv)
                 : NULL;
        if (!row || json_array_append_new(rows, row)) {
            json_decref(rows);
            return nomem(t->err);
        }
    }
    if (json_object_set_new(t->fig, "rows", rows) || json_array_append(figs, t->fig))
        return nomem(t->err);
    return CONSTAT_OK;
}

static json_t *k1(const char *a)
{
    return constat_fig_key(1, a, NULL, NULL);
}

static json_t *k2(const char *a, const char *b)
{
    return constat_fig_key(2, a, b, NULL);
}

static json_t *k3(const char *a, const char *b, const char *c)
{
    return constat_fig_key(3, a, b, c);
}

static json_t *dims(const char *a, const char *b, const char *c)
{
    json_t *d = json_array();
    const char *v[3] = {a, b, c};
    for (int i = 0; d && i < 3; i++)
        if (v[i] && json_array_append_new(d, json_string(v[i]))) {
            json_decref(d);
            return NULL;
        }
    return d;
}

static int64_t permille(int64_t part, int64_t whole)
{
    return whole > 0 ? part * 1000 / whole : 0;
}

/* Nearest rank: the smallest value with at least p% of the values at or
 * below it (n >= 1). */
static size_t rank(size_t n, int p)
{
    size_t k = (n * (size_t)p + 99) / 100;
    return k ? k - 1 : 0;
}

/* ---- reading records ------------------------------------------------------- */

static const char *sget(const json_t *o, const char *name)
{
    const json_t *v = o ? json_object_get(o, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int iget(const json_t *o, const char *name, int64_t *out)
{
    const json_t *v = o ? json_object_get(o, name) : NULL;
    if (!json_is_integer(v))
        return 0;
    *out = json_integer_value(v);
    return 1;
}

static int has_pos(const json_t *o, int64_t *lat, int64_t *lon)
{
    return iget(o, "lat_e7", lat) && iget(o, "lon_e7", lon);
}

int64_t constat_distance_m(int64_t lat1_e7, int64_t lon1_e7, int64_t lat2_e7, int64_t lon2_e7)
{
    const double r = 6371008.8, k = 3.14159265358979323846 / 180.0 / 1e7;
    double p1 = (double)lat1_e7 * k, p2 = (double)lat2_e7 * k;
    double dp = (double)(lat2_e7 - lat1_e7) * k, dl = (double)(lon2_e7 - lon1_e7) * k;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1)
        a = 1;
    return (int64_t)llround(2 * r * asin(sqrt(a)));
}

typedef struct {
    uint64_t leaf;
    const json_t *rec;
    const char *id, *start, *precision, *stype, *monitor, *org, *site;
    int64_t t;       /* occurred.start, epoch */
    int64_t day;     /* local date, days since 1970-01-01 */
    int minute;      /* local minute of the day */
    int timed;       /* precision minute or hour */
    int haspos;
    int64_t lat, lon;
    const json_t *cats;
} finc;

typedef struct {
    uint64_t leaf;
    const json_t *rec;
    const char *id;
} freg;

static int has_cat(const finc *in, const char *c)
{
    for (size_t i = 0; i < json_array_size(in->cats); i++)
        if (json_is_string(json_array_get(in->cats, i)) &&
            strcmp(json_string_value(json_array_get(in->cats, i)), c) == 0)
            return 1;
    return 0;
}

/* occurred.start "YYYY-MM-DDTHH:MM..." -> local day and minute. */
static int local_parts(const char *s, int64_t *day, int *minute)
{
    char d[11];
    if (!s || strlen(s) < 16 || s[10] != 'T' || s[13] != ':')
        return 0;
    memcpy(d, s, 10);
    d[10] = 0;
    if (constat_civil_days(d, day) != 0)
        return 0;
    *minute = ((s[11] - '0') * 10 + (s[12] - '0')) * 60 + (s[14] - '0') * 10 + (s[15] - '0');
    return 1;
}

static void day_text(int64_t days, char out[11])
{
    /* civil from days (proleptic Gregorian) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 11, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
}

static const char *site_of(const json_t *place)
{
    const char *s = sget(place, "site");
    return s ? s : sget(place, "name");
}

typedef struct {
    const constat_indexed_record *recs;
    size_t n;
    const constat_taxonomy *tax;
    finc *inc;
    size_t ninc;
    freg *reg;
    size_t nreg;
    json_t *regmap; /* register id -> index in reg */
    constat_error *err;
} fctx;

static int reg_cmp(const void *a, const void *b)
{
    return strcmp(((const freg *)a)->id, ((const freg *)b)->id);
}

static constat_status gather(fctx *c)
{
    c->inc = calloc(c->n ? c->n : 1, sizeof *c->inc);
    c->reg = calloc(c->n ? c->n : 1, sizeof *c->reg);
    c->regmap = json_object();
    if (!c->inc || !c->reg || !c->regmap)
        return nomem(c->err);
    for (size_t i = 0; i < c->n; i++) {
        const json_t *r = c->recs[i].record;
        const char *kind = sget(r, "kind");
        if (!kind)
            continue;
        if (strcmp(kind, "register") == 0 && sget(r, "id")) {
            /* a malformed entry is the validation's to report; not read */
            constat_error e;
            if (constat_record_validate(r, NULL, &e) != CONSTAT_OK)
                continue;
            c->reg[c->nreg].leaf = c->recs[i].index;
            c->reg[c->nreg].rec = r;
            c->reg[c->nreg].id = sget(r, "id");
            c->nreg++;
        } else if (strcmp(kind, "incident") == 0) {
            finc *in = &c->inc[c->ninc];
            const json_t *occ = json_object_get(r, "occurred"), *place;
            memset(in, 0, sizeof *in);
            in->leaf = c->recs[i].index;
            in->rec = r;
            in->id = sget(r, "id");
            in->start = sget(occ, "start");
            in->precision = sget(occ, "precision");
            if (!in->start || constat_rfc3339_parse(in->start, &in->t, NULL) != CONSTAT_OK ||
                !local_parts(in->start, &in->day, &in->minute))
                continue; /* constat_figures_compute refused it already */
            in->timed = in->precision && (strcmp(in->precision, "minute") == 0 ||
                                          strcmp(in->precision, "hour") == 0);
            in->stype = sget(json_object_get(r, "source"), "type");
            in->monitor = sget(r, "monitor");
            in->org = sget(r, "org");
            place = json_object_get(r, "place");
            in->site = site_of(place);
            in->haspos = has_pos(place, &in->lat, &in->lon);
            in->cats = json_object_get(r, "categories");
            c->ninc++;
        }
    }
    if (c->nreg)
        qsort(c->reg, c->nreg, sizeof *c->reg, reg_cmp);
    for (size_t i = 0; i < c->nreg; i++)
        if (!json_object_get(c->regmap, c->reg[i].id) &&
            json_object_set_new(c->regmap, c->reg[i].id, json_integer((json_int_t)i)))
            return nomem(c->err);
    return CONSTAT_OK;
}

static const freg *find_reg(const fctx *c, const char *id)
{
    const json_t *ix = id ? json_object_get(c->regmap, id) : NULL;
    return ix ? &c->reg[json_integer_value(ix)] : NULL;
}

/* The local date is known: precision minute, hour or day. */
static int day_known(const finc *in)
{
    return in->timed || (in->precision && strcmp(in->precision, "day") == 0);
}

static int is_check(const finc *in)
{
    return has_cat(in, "identity_check") || has_cat(in, "arrest") || has_cat(in, "detention");
}

#define TRY(x)                                                                                   \
    do {                                                                                         \
        if ((st = (x)) != CONSTAT_OK)                                                            \
            goto out;                                                                            \
    } while (0)

/* ---- check_intervals, checks_same_place_same_day ------------------------------- */

typedef struct {
    const char *person;
    const finc *in;
} sight;

static int sight_cmp(const void *a, const void *b)
{
    const sight *x = a, *y = b;
    int c = strcmp(x->person, y->person);
    if (c)
        return c;
    if (x->in->t != y->in->t)
        return x->in->t < y->in->t ? -1 : 1;
    return x->in->leaf < y->in->leaf ? -1 : x->in->leaf > y->in->leaf;
}

typedef struct {
    int64_t d;
    uint64_t a, b;
} gap;

static int gap_cmp(const void *pa, const void *pb)
{
    const gap *x = pa, *y = pb;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* Sightings of pseudonyms in checks; timed_only keeps minute/hour ones. */
static constat_status sightings(const fctx *c, int timed_only, sight **out, size_t *nout)
{
    size_t n = 0, cap = 0;
    sight *s = NULL;
    *out = NULL;
    *nout = 0;
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        const json_t *ps = json_object_get(json_object_get(in->rec, "affected"), "persons");
        if (!is_check(in) || (timed_only && !in->timed))
            continue;
        for (size_t j = 0; j < json_array_size(ps); j++) {
            const char *p = json_string_value(json_array_get(ps, j));
            int dup = 0;
            if (!p)
                continue;
            for (size_t k = 0; k < j; k++)
                if (json_is_string(json_array_get(ps, k)) &&
                    strcmp(json_string_value(json_array_get(ps, k)), p) == 0)
                    dup = 1;
            if (dup)
                continue;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 32;
                sight *ns = realloc(s, nc * sizeof *ns);
                if (!ns) {
                    free(s);
                    return nomem(c->err);
                }
                s = ns;
                cap = nc;
            }
            s[n].person = p;
            s[n].in = in;
            n++;
        }
    }
    if (n)
        qsort(s, n, sizeof *s, sight_cmp);
    *out = s;
    *nout = n;
    return CONSTAT_OK;
}

static constat_status fig_check_intervals(fctx *c, json_t *figs)
{
    ftab t;
    sight *s = NULL;
    gap *g = NULL;
    size_t ns = 0, ng = 0;
    constat_status st;
    static const struct {
        const char *key;
        int p;
    } q[] = {{"q1_s", 25}, {"median_s", 50}, {"q3_s", 75}};

    if ((st = tab_init(&t, "check_intervals",
                       "Intervals between consecutive checks of the same person (pseudonyms "
                       "checked twice or more)",
                       "Intervalles entre contrôles successifs d'une même personne "
                       "(pseudonymes contrôlés deux fois ou plus)",
                       "see statistic: _s seconds, _permille per thousand, else a count",
                       dims("statistic", NULL, NULL),
                       json_pack("{s:[sss],s:[ss],s:s,s:i,s:i}", "categories", "arrest",
                                 "detention", "identity_check", "precision", "hour", "minute",
                                 "quantiles", "nearest rank", "under_short_s", TWO_H,
                                 "under_long_s", DAY_S),
                       c->err)))
        goto out;
    TRY(sightings(c, 1, &s, &ns));
    g = calloc(ns ? ns : 1, sizeof *g);
    if (!g) {
        st = nomem(c->err);
        goto out;
    }
    TRY(touch(&t, k1("intervals"), 0));
    TRY(touch(&t, k1("under_2h"), 0));
    TRY(touch(&t, k1("under_24h"), 0));
    TRY(touch(&t, k1("persons_checked_twice_or_more"), 0)); /* the placeholder leaf 0 above is not a record */
    for (size_t i = 0, j; i < ns; i = j) {
        for (j = i + 1; j < ns && strcmp(s[j].person, s[i].person) == 0; j++)
            ;
        if (j - i < 2)
            continue;
        for (size_t k = i; k < j; k++)
            TRY(add(&t, k1("persons_checked_twice_or_more"), s[k].in->leaf,
                    k == i ? 1 : 0));
        for (size_t k = i + 1; k < j; k++) {
            gap *x = &g[ng++];
            x->d = s[k].in->t - s[k - 1].in->t;
            x->a = s[k - 1].in->leaf;
            x->b = s[k].in->leaf;
        }
    }
    /* tab_row pointers move when rows are added: look them up again */
    for (size_t i = 0; i < ng; i++) {
        TRY(add(&t, k1("intervals"), g[i].a, 1));
        TRY(add(&t, k1("intervals"), g[i].b, 0));
        if (g[i].d < TWO_H) {
            TRY(add(&t, k1("under_2h"), g[i].a, 1));
            TRY(add(&t, k1("under_2h"), g[i].b, 0));
        }
        if (g[i].d < DAY_S) {
            TRY(add(&t, k1("under_24h"), g[i].a, 1));
            TRY(add(&t, k1("under_24h"), g[i].b, 0));
        }
    }
    if (ng) {
        qsort(g, ng, sizeof *g, gap_cmp);
        for (size_t i = 0; i < 3; i++) {
            const gap *x = &g[rank(ng, q[i].p)];
            uint64_t two[2] = {x->a, x->b};
            TRY(set(&t, k1(q[i].key), x->d, NULL, two, 2));
        }
        {
            frow *a2 = tab_row(&t, k1("under_2h"));
            frow *a24;
            int64_t v2 = a2 ? a2->value : 0;
            if (!a2) {
                st = nomem(c->err);
                goto out;
            }
            TRY(set(&t, k1("under_2h_permille"), permille(v2, (int64_t)ng), a2, NULL, 0));
            a24 = tab_row(&t, k1("under_24h"));
            if (!a24) {
                st = nomem(c->err);
                goto out;
            }
            TRY(set(&t, k1("under_24h_permille"), permille(a24->value, (int64_t)ng), a24, NULL,
                    0));
        }
    }
    st = tab_emit(&t, figs);
out:
    free(s);
    free(g);
    tab_free(&t);
    return st;
}

static constat_status fig_same_place_day(fctx *c, json_t *figs)
{
    ftab t;
    sight *s = NULL;
    size_t ns = 0;
    constat_status st;

    if ((st = tab_init(&t, "checks_same_place_same_day",
                       "Persons checked again at the same site on the same local day",
                       "Personnes contrôlées à nouveau au même lieu le même jour", "persons",
                       dims("site", "date", NULL),
                       json_pack("{s:[sss],s:s,s:s}", "categories", "arrest", "detention",
                                 "identity_check", "site", "place.site, else place.name",
                                 "day", "local date of occurred.start as written"),
                       c->err)))
        goto out;
    TRY(sightings(c, 0, &s, &ns));
    /* sorted by person then time: a person's checks at one site and day
     * are not always adjacent (another site between), so compare all of a
     * person's checks pairwise within the person's run */
    for (size_t i = 0, j; i < ns; i = j) {
        for (j = i + 1; j < ns && strcmp(s[j].person, s[i].person) == 0; j++)
            ;
        for (size_t a = i; a < j; a++) {
            int first = 1, again = 0;
            if (!s[a].in->site || !day_known(s[a].in))
                continue;
            for (size_t b = i; b < j; b++) {
                if (b == a || !s[b].in->site || !day_known(s[b].in) ||
                    s[b].in->day != s[a].in->day || strcmp(s[b].in->site, s[a].in->site) != 0)
                    continue;
                again = 1;
                if (b < a)
                    first = 0; /* counted at the person's first check there */
            }
            if (again) {
                char d[11];
                day_text(s[a].in->day, d);
                TRY(add(&t, k2(s[a].in->site, d), s[a].in->leaf, first ? 1 : 0));
            }
        }
    }
    st = tab_emit(&t, figs);
out:
    free(s);
    tab_free(&t);
    return st;
}

/* ---- transports ------------------------------------------------------------------ */

/* The statuses counted as lawfully present, in order
 * (constat_taxonomy_lawful_status: the taxonomy's, else the default five). */
static json_t *lawful_list(const constat_taxonomy *tax)
{
    json_t *a = json_array();
    const char *id;
    for (size_t i = 0; a && (id = constat_taxonomy_lawful_status(tax, i)) != NULL; i++)
        json_array_append_new(a, json_string(id));
    return a;
}

static constat_status fig_transport_status(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;
    int64_t law = 0, stated = 0;
    frow *lr, *sr;

    if ((st = tab_init(&t, "transported_by_legal_status",
                       "Persons transported to a police station, by legal status",
                       "Personnes conduites au poste de police, par statut administratif",
                       "persons (share: per thousand)", dims("measure", "status", NULL),
                       json_pack("{s:s,s:o}", "category", "transport_to_station",
                                 "lawfully_present", lawful_list(c->tax)),
                       c->err)))
        goto out;
    TRY(touch(&t, k2("incidents", NULL), 0));
    TRY(touch(&t, k2("lawfully_present", NULL), 0));
    TRY(touch(&t, k2("persons_with_stated_status", NULL), 0));
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        const json_t *aff = json_object_get(in->rec, "affected");
        const json_t *ls = json_object_get(aff, "legal_status"), *v;
        const char *k;
        int64_t cnt;
        if (!has_cat(in, "transport_to_station"))
            continue;
        TRY(add(&t, k2("incidents", NULL), in->leaf, 1));
        if (iget(aff, "count", &cnt) && cnt >= 0)
            TRY(add(&t, k2("persons_transported", NULL), in->leaf, cnt));
        if (!json_is_object(ls))
            continue;
        json_object_foreach((json_t *)ls, k, v) {
            int64_t x = json_is_integer(v) ? json_integer_value(v) : 0;
            if (x < 0)
                continue;
            TRY(add(&t, k2("persons", k), in->leaf, x));
            TRY(add(&t, k2("persons_with_stated_status", NULL), in->leaf, x));
            stated += x;
            if (constat_taxonomy_lawfully_present(c->tax, k)) {
                TRY(add(&t, k2("lawfully_present", NULL), in->leaf, x));
                law += x;
            }
        }
    }
    lr = tab_row(&t, k2("lawfully_present", NULL));
    sr = tab_row(&t, k2("persons_with_stated_status", NULL));
    if (!lr || !sr) {
        st = nomem(c->err);
        goto out;
    }
    if (stated > 0) {
        frow copy = *sr;
        TRY(set(&t, k2("share_lawfully_present_permille", NULL), permille(law, stated), &copy,
                NULL, 0));
    }
    st = tab_emit(&t, figs);
out:
    tab_free(&t);
    return st;
}

static const char *band_of(int64_t m)
{
    if (m < 1000)
        return "0_lt_1km";
    if (m < 5000)
        return "1_1_5km";
    if (m < 10000)
        return "2_5_10km";
    if (m < 20000)
        return "3_10_20km";
    return "4_ge_20km";
}

typedef struct {
    int64_t m;
    uint64_t leaf, reg;
    int has_reg;
} dist;

static int dist_cmp(const void *pa, const void *pb)
{
    const dist *x = pa, *y = pb;
    if (x->m != y->m)
        return x->m < y->m ? -1 : 1;
    return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

static constat_status fig_release_distance(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;
    dist *d = calloc(c->ninc ? c->ninc : 1, sizeof *d);
    size_t nd = 0;
    static const char *const bands[] = {"0_lt_1km", "1_1_5km", "2_5_10km", "3_10_20km",
                                        "4_ge_20km"};

    memset(&t, 0, sizeof t);
    if (!d)
        return nomem(c->err);
    if ((st = tab_init(&t, "release_distance",
                       "Distance back from the place of release to the place of the incident",
                       "Distance du lieu de remise en liberté au lieu de l'incident",
                       "incidents (median: metres)", dims("measure", "band", NULL),
                       json_pack("{s:s,s:s,s:s,s:s}", "category", "transport_to_station", "from",
                                 "transport.release_place position, else the position of the "
                                 "register entry transport.destination",
                                 "to", "place.lat_e7/lon_e7 of the incident", "distance",
                                 "great circle (haversine, radius 6371008.8 m), whole metres"),
                       c->err)))
        goto out;
    for (size_t i = 0; i < 5; i++) {
        TRY(touch(&t, k2("incidents", bands[i]), 0));
    }
    TRY(touch(&t, k2("not_computable", NULL), 0));
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        const json_t *tr = json_object_get(in->rec, "transport");
        const json_t *rp = json_object_get(tr, "release_place");
        const freg *rg = NULL;
        int64_t la, lo;
        int ok;
        if (!has_cat(in, "transport_to_station"))
            continue;
        ok = has_pos(rp, &la, &lo);
        if (!ok && (rg = find_reg(c, sget(tr, "destination"))) != NULL)
            ok = has_pos(json_object_get(rg->rec, "position"), &la, &lo);
        if (!ok || !in->haspos) {
            TRY(add(&t, k2("not_computable", NULL), in->leaf, 1));
            continue;
        }
        d[nd].m = constat_distance_m(la, lo, in->lat, in->lon);
        d[nd].leaf = in->leaf;
        d[nd].has_reg = rg != NULL;
        d[nd].reg = rg ? rg->leaf : 0;
        TRY(add(&t, k2("incidents", band_of(d[nd].m)), in->leaf, 1));
        if (rg)
            TRY(add(&t, k2("incidents", band_of(d[nd].m)), rg->leaf, 0));
        nd++;
    }
    if (nd) {
        const dist *m;
        uint64_t two[2];
        qsort(d, nd, sizeof *d, dist_cmp);
        m = &d[rank(nd, 50)];
        two[0] = m->leaf;
        two[1] = m->reg;
        TRY(set(&t, k2("median_m", NULL), m->m, NULL, two, m->has_reg ? 2 : 1));
    }
    st = tab_emit(&t, figs);
out:
    free(d);
    tab_free(&t);
    return st;
}

/* ---- aid distributions ------------------------------------------------------------- */

static int in_polygon(const json_t *poly, int64_t lat, int64_t lon)
{
    size_t n = json_array_size(poly);
    int inside = 0;
    if (n < 3)
        return 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        int64_t yi, xi, yj, xj;
        if (!has_pos(json_array_get(poly, i), &yi, &xi) ||
            !has_pos(json_array_get(poly, j), &yj, &xj))
            return 0;
        if ((yi > lat) != (yj > lat)) {
            /* x of the edge at lat, compared without division */
            double x = (double)xi + (double)(lat - yi) * (double)(xj - xi) / (double)(yj - yi);
            if ((double)lon < x)
                inside = !inside;
        }
    }
    return inside;
}

static int reg_valid_on(const freg *r, int64_t day)
{
    int64_t a, b;
    const char *f = sget(r->rec, "valid_from"), *t = sget(r->rec, "valid_to");
    if (f && constat_civil_days(f, &a) == 0 && day < a)
        return 0;
    if (t && constat_civil_days(t, &b) == 0 && day > b)
        return 0;
    return 1;
}

static int reg_contains(const freg *r, int64_t lat, int64_t lon)
{
    const json_t *poly = json_object_get(r->rec, "polygon");
    int64_t la, lo, rad;
    if (poly)
        return in_polygon(poly, lat, lon);
    return has_pos(json_object_get(r->rec, "position"), &la, &lo) &&
           iget(r->rec, "radius_m", &rad) && constat_distance_m(la, lo, lat, lon) <= rad;
}

/* An aid point whose area is known: a polygon, or a position and a radius. */
static int aid_area(const freg *r)
{
    return strcmp(sget(r->rec, "register"), "aid_point") == 0 &&
           (json_object_get(r->rec, "polygon") ||
            (json_object_get(r->rec, "position") && json_object_get(r->rec, "radius_m")));
}

/* Minutes of distribution on weekday wd (0 = Monday); 1 when `minute` is
 * inside a slot of that weekday (minute < 0: not asked). */
static int schedule(const freg *r, int wd, int minute, int64_t *total)
{
    const json_t *s = json_object_get(r->rec, "schedule");
    int hit = 0;
    *total = 0;
    for (size_t i = 0; i < json_array_size(s); i++) {
        const json_t *slot = json_array_get(s, i);
        int a, b;
        if (constat_weekday_index(sget(slot, "weekday")) != wd ||
            constat_clock_minutes(sget(slot, "start"), &a) != 0 ||
            constat_clock_minutes(sget(slot, "end"), &b) != 0)
            continue;
        *total += b - a;
        if (minute >= a && minute < b)
            hit = 1;
    }
    return hit;
}

static int weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday (index 3) */
    return (int)(((day % 7) + 7 + 3) % 7);
}

static constat_status fig_near_aid(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;
    int64_t d0 = 0, d1 = -1;
    int any = 0;

    if ((st = tab_init(&t, "near_aid_during_distribution",
                       "Incidents inside an aid point's area during its distribution hours, "
                       "outside them, and in the rest of the area, per hour of exposure",
                       "Incidents dans la zone d'un point d'aide pendant les distributions, hors "
                       "distributions et ailleurs, par heure d'exposition",
                       "incidents; exposure_minutes minutes; per_1000_hours incidents per 1000 h",
                       dims("measure", "aid_point", "window"),
                       json_pack("{s:[ss],s:s,s:s,s:s,s:i}", "precision", "hour", "minute",
                                 "inside", "distance to position <= radius_m, or inside polygon "
                                 "(first aid point by register id)",
                                 "time", "local wall clock of occurred.start as written, against "
                                 "the schedule's local hours",
                                 "period", "local dates of the first to the last incident "
                                 "counted, within each entry's valid_from..valid_to",
                                 "rate_per_hours", 1000),
                       c->err)))
        goto out;
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        if (!in->timed || !in->haspos)
            continue;
        if (!any || in->day < d0)
            d0 = in->day;
        if (!any || in->day > d1)
            d1 = in->day;
        any = 1;
    }
    TRY(touch(&t, k3("excluded", NULL, NULL), 0));
    TRY(touch(&t, k3("incidents", NULL, "rest_of_city"), 0));
    for (size_t r = 0; r < c->nreg; r++) {
        const freg *g = &c->reg[r];
        int64_t dur = 0, out_m = 0;
        if (!aid_area(g))
            continue;
        if (any) {
            /* the days of the period within the entry's validity, counted by
             * weekday: whole weeks, then the days left from the first one */
            int64_t a = d0, b = d1, week[7], wk = 0, n, lo, hi;
            const char *vf = sget(g->rec, "valid_from"), *vt = sget(g->rec, "valid_to");
            if (vf && constat_civil_days(vf, &lo) == 0 && lo > a)
                a = lo;
            if (vt && constat_civil_days(vt, &hi) == 0 && hi < b)
                b = hi;
            for (int w = 0; w < 7; w++) {
                (void)schedule(g, w, -1, &week[w]);
                wk += week[w];
            }
            n = b >= a ? b - a + 1 : 0;
            dur = n / 7 * wk;
            for (int64_t k = 0; k < n % 7; k++)
                dur += week[weekday(a + k)];
            out_m = n * 1440 - dur;
        }
        TRY(add(&t, k3("exposure_minutes", g->id, "during"), g->leaf, dur));
        TRY(add(&t, k3("exposure_minutes", g->id, "outside_hours"), g->leaf, out_m));
        TRY(add(&t, k3("incidents", g->id, "during"), g->leaf, 0));
        TRY(add(&t, k3("incidents", g->id, "outside_hours"), g->leaf, 0));
    }
    TRY(touch(&t, k3("exposure_minutes", NULL, "rest_of_city"), any ? (d1 - d0 + 1) * 1440 : 0));
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        const freg *hit = NULL;
        int64_t m;
        if (!in->timed || !in->haspos) {
            TRY(add(&t, k3("excluded", NULL, NULL), in->leaf, 1));
            continue;
        }
        for (size_t r = 0; r < c->nreg && !hit; r++)
            if (aid_area(&c->reg[r]) && reg_valid_on(&c->reg[r], in->day) &&
                reg_contains(&c->reg[r], in->lat, in->lon))
                hit = &c->reg[r];
        if (!hit)
            TRY(add(&t, k3("incidents", NULL, "rest_of_city"), in->leaf, 1));
        else
            TRY(add(&t, k3("incidents", hit->id,
                           schedule(hit, weekday(in->day), in->minute, &m) ? "during"
                                                                            : "outside_hours"),
                    in->leaf, 1));
    }
    /* rates: incidents * 60000 / exposure minutes (per 1000 hours) */
    {
        size_t n0 = t.n;
        for (size_t i = 0; i < n0; i++) {
            frow *inc = &t.r[i], *ex;
            const json_t *k = inc->key;
            json_t *ek;
            frow copy;
            if (strcmp(json_string_value(json_array_get(k, 0)), "incidents") != 0 ||
                json_is_null(json_array_get(k, 2)))
                continue;
            ek = json_pack("[sOO]", "exposure_minutes", json_array_get(k, 1),
                           json_array_get(k, 2));
            ex = tab_row(&t, ek);
            if (!ex) {
                st = nomem(c->err);
                goto out;
            }
            inc = &t.r[i];
            if (ex->value <= 0)
                continue;
            copy = *inc;
            {
                uint64_t *both = malloc((inc->nlv + ex->nlv + 1) * sizeof *both);
                int64_t rate = inc->value * 60000 / ex->value;
                json_t *rk;
                if (!both) {
                    st = nomem(c->err);
                    goto out;
                }
                if (ex->nlv)
                    memcpy(both, ex->lv, ex->nlv * sizeof *both);
                rk = json_pack("[sOO]", "per_1000_hours", json_array_get(k, 1),
                               json_array_get(k, 2));
                st = set(&t, rk, rate, &copy, both, ex->nlv);
                free(both);
                if (st)
                    goto out;
            }
        }
    }
    st = tab_emit(&t, figs);
out:
    tab_free(&t);
    return st;
}

/* ---- living-site visits by hour ------------------------------------------------------ */

static constat_status fig_visits_by_hour(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;
    int64_t night = 0, total = 0;
    char h[3];

    if ((st = tab_init(&t, "visits_by_hour", "Living-site visits by local hour, and the night share",
                       "Passages sur les lieux de vie par heure locale, et la part de nuit",
                       "visits (share: per thousand)", dims("measure", "hour", NULL),
                       json_pack("{s:[ss],s:[ss],s:s,s:s}", "categories", "living_site_visit",
                                 "night_visit", "precision", "hour", "minute", "night",
                                 "22:00-06:00 local", "hour",
                                 "local wall clock of occurred.start as written"),
                       c->err)))
        goto out;
    for (int i = 0; i < 24; i++) {
        snprintf(h, sizeof h, "%02d", i);
        TRY(touch(&t, k2("visits", h), 0));
    }
    TRY(touch(&t, k2("night", NULL), 0));
    TRY(touch(&t, k2("total", NULL), 0));
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        int hour = in->minute / 60;
        if (!in->timed || !(has_cat(in, "living_site_visit") || has_cat(in, "night_visit")))
            continue;
        snprintf(h, sizeof h, "%02d", hour);
        TRY(add(&t, k2("visits", h), in->leaf, 1));
        TRY(add(&t, k2("total", NULL), in->leaf, 1));
        total++;
        if (hour >= 22 || hour < 6) {
            TRY(add(&t, k2("night", NULL), in->leaf, 1));
            night++;
        }
    }
    if (total) {
        frow *nr = tab_row(&t, k2("night", NULL)), copy;
        if (!nr) {
            st = nomem(c->err);
            goto out;
        }
        copy = *nr;
        TRY(set(&t, k2("night_share_permille", NULL), permille(night, total), &copy, NULL, 0));
    }
    st = tab_emit(&t, figs);
out:
    tab_free(&t);
    return st;
}

/* ---- evictions ------------------------------------------------------------------------ */

typedef struct {
    const char *site;
    int64_t day;
    uint64_t leaf;
} evd;

static int evd_cmp(const void *pa, const void *pb)
{
    const evd *x = pa, *y = pb;
    int c = strcmp(x->site, y->site);
    if (c)
        return c;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

static int i64_cmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return a < b ? -1 : a > b;
}

static constat_status fig_evictions(fctx *c, json_t *figs)
{
    ftab t, iv;
    constat_status st;
    evd *e = calloc(c->ninc ? c->ninc : 1, sizeof *e);
    int64_t *gaps = calloc(c->ninc ? c->ninc : 1, sizeof *gaps);
    size_t ne = 0;

    memset(&t, 0, sizeof t);
    memset(&iv, 0, sizeof iv);
    if (!e || !gaps) {
        st = nomem(c->err);
        goto out;
    }
    if ((st = tab_init(&t, "evictions_by_site", "Evictions per site, and whether associations "
                                                "were invited or present",
                       "Expulsions par lieu, et présence ou invitation des associations",
                       "evictions", dims("measure", "site", NULL),
                       json_pack("{s:s,s:s}", "category", "eviction", "site",
                                 "place.site, else place.name"),
                       c->err)) ||
        (st = tab_init(&iv, "eviction_interval_by_site",
                       "Median interval in days between evictions at each site",
                       "Intervalle médian en jours entre expulsions sur chaque lieu",
                       "days (intervals: a count)", dims("measure", "site", NULL),
                       json_pack("{s:s,s:s,s:s}", "category", "eviction", "days",
                                 "between distinct local dates of occurred.start", "median",
                                 "nearest rank"),
                       c->err)))
        goto out;
    for (size_t i = 0; i < c->ninc; i++) {
        const finc *in = &c->inc[i];
        const json_t *ev = json_object_get(in->rec, "eviction");
        if (!has_cat(in, "eviction"))
            continue;
        TRY(add(&t, k2("evictions", in->site), in->leaf, 1));
        if (json_array_size(json_object_get(ev, "associations_present")) > 0)
            TRY(add(&t, k2("associations_present", in->site), in->leaf, 1));
        if (json_array_size(json_object_get(ev, "associations_invited")) > 0)
            TRY(add(&t, k2("associations_invited", in->site), in->leaf, 1));
        if (in->site && day_known(in)) {
            e[ne].site = in->site;
            e[ne].day = in->day;
            e[ne].leaf = in->leaf;
            ne++;
        }
    }
    if (ne)
        qsort(e, ne, sizeof *e, evd_cmp);
    for (size_t i = 0, j; i < ne; i = j) {
        size_t ng = 0;
        frow *row;
        for (j = i + 1; j < ne && strcmp(e[j].site, e[i].site) == 0; j++)
            ;
        for (size_t k = i + 1; k < j; k++)
            if (e[k].day != e[k - 1].day)
                gaps[ng++] = e[k].day - e[k - 1].day;
        if (!ng)
            continue;
        for (size_t k = i; k < j; k++)
            TRY(add(&iv, k2("intervals", e[i].site), e[k].leaf, k == i ? (int64_t)ng : 0));
        /* gaps of one site: sort and take the nearest-rank median */
        qsort(gaps, ng, sizeof *gaps, i64_cmp);
        row = tab_row(&iv, k2("intervals", e[i].site));
        if (!row) {
            st = nomem(c->err);
            goto out;
        }
        {
            frow copy = *row;
            TRY(set(&iv, k2("median_days", e[i].site), gaps[rank(ng, 50)], &copy, NULL, 0));
        }
    }
    if ((st = tab_emit(&t, figs)))
        goto out;
    st = tab_emit(&iv, figs);
out:
    free(e);
    free(gaps);
    tab_free(&t);
    tab_free(&iv);
    return st;
}

/* ---- items by origin ------------------------------------------------------------------ */

static constat_status fig_items_origin(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;

    if ((st = tab_init(&t, "items_by_kind_and_origin",
                       "Items seized or destroyed by origin (humanitarian material apart from "
                       "personal effects), known counts",
                       "Biens saisis ou détruits selon leur origine (matériel humanitaire à part "
                       "des effets personnels), nombres connus",
                       "items", dims("origin", "kind", "action"),
                       json_pack("{s:s,s:s}", "origin",
                                 "items[].origin: humanitarian, personal, else unstated", "units",
                                 "objects only (money and persons are counted apart)"),
                       c->err)))
        goto out;
    for (size_t i = 0; i < c->ninc; i++) {
        const json_t *items = json_object_get(c->inc[i].rec, "items");
        for (size_t j = 0; j < json_array_size(items); j++) {
            const json_t *it = json_array_get(items, j);
            const char *kind = sget(it, "kind"), *origin = sget(it, "origin");
            constat_item_unit unit = CONSTAT_UNIT_ITEMS;
            int64_t n;
            if (!kind || !iget(it, "count", &n) || n < 0)
                continue;
            if (c->tax)
                (void)constat_taxonomy_item_kind(c->tax, kind, &unit, NULL);
            if (unit != CONSTAT_UNIT_ITEMS)
                continue;
            TRY(add(&t, k3(origin ? origin : "unstated", kind, sget(it, "action")),
                    c->inc[i].leaf, n));
        }
    }
    st = tab_emit(&t, figs);
out:
    tab_free(&t);
    return st;
}

/* ---- field presence -------------------------------------------------------------------- */

static constat_status fig_presence(fctx *c, json_t *figs)
{
    ftab t, days, secs;
    constat_status st;

    memset(&days, 0, sizeof days);
    memset(&secs, 0, sizeof secs);
    if ((st = tab_init(&t, "field_presence_by_org",
                       "Field presence per organisation and month: shifts, hours, distinct days, "
                       "and organisations present",
                       "Présence sur le terrain par organisation et par mois : permanences, "
                       "heures, jours distincts, et organisations présentes",
                       "see measure: shifts, hours (rounded down), days, organisations",
                       dims("measure", "month", "org"),
                       json_pack("{s:s,s:s,s:s}", "records", "shift", "month",
                                 "local month of start as written", "day",
                                 "local date of start (a shift past midnight counts on its "
                                 "first day)"),
                       c->err)) ||
        (st = tab_init(&days, "x", "x", "x", "x", json_array(), json_object(), c->err)) ||
        (st = tab_init(&secs, "x", "x", "x", "x", json_array(), json_object(), c->err)))
        goto out;
    for (size_t i = 0; i < c->n; i++) {
        const json_t *r = c->recs[i].record;
        const char *s = sget(r, "start"), *e = sget(r, "end"), *org = sget(r, "org");
        int64_t a, b;
        char month[8], day[11];
        constat_error ce;
        if (!sget(r, "kind") || strcmp(sget(r, "kind"), "shift") != 0 || !s || !e || !org ||
            constat_record_validate(r, NULL, &ce) != CONSTAT_OK ||
            constat_rfc3339_parse(s, &a, NULL) != CONSTAT_OK ||
            constat_rfc3339_parse(e, &b, NULL) != CONSTAT_OK)
            continue;
        memcpy(month, s, 7);
        month[7] = 0;
        memcpy(day, s, 10);
        day[10] = 0;
        TRY(add(&t, k3("shifts", month, org), c->recs[i].index, 1));
        TRY(add(&secs, k2(month, org), c->recs[i].index, b - a));
        TRY(add(&days, k3(month, org, day), c->recs[i].index, 1));
        TRY(add(&t, k3("organisations_present", month, NULL), c->recs[i].index, 0));
    }
    for (size_t i = 0; i < secs.n; i++) {
        const frow *r = &secs.r[i];
        TRY(set(&t, k3("hours", json_string_value(json_array_get(r->key, 0)),
                       json_string_value(json_array_get(r->key, 1))),
                r->value / 3600, r, NULL, 0));
    }
    for (size_t i = 0; i < days.n; i++) {
        const frow *r = &days.r[i];
        TRY(set(&t, k3("distinct_days", json_string_value(json_array_get(r->key, 0)),
                       json_string_value(json_array_get(r->key, 1))),
                0, r, NULL, 0));
    }
    /* distinct days and organisations: counted from the keys */
    for (size_t i = 0; i < days.n; i++) {
        frow *d = tab_row(&t, k3("distinct_days", json_string_value(json_array_get(days.r[i].key, 0)),
                                 json_string_value(json_array_get(days.r[i].key, 1))));
        if (!d) {
            st = nomem(c->err);
            goto out;
        }
        d->value++;
    }
    for (size_t i = 0; i < secs.n; i++) {
        frow *o = tab_row(&t, k3("organisations_present",
                                 json_string_value(json_array_get(secs.r[i].key, 0)), NULL));
        if (!o) {
            st = nomem(c->err);
            goto out;
        }
        o->value++;
    }
    st = tab_emit(&t, figs);
out:
    tab_free(&t);
    tab_free(&days);
    tab_free(&secs);
    return st;
}

/* ---- corroborated incidents --------------------------------------------------------------- */

static int by_time(const void *pa, const void *pb)
{
    const finc *x = *(const finc *const *)pa, *y = *(const finc *const *)pb;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

static size_t uf_find(size_t *p, size_t i)
{
    while (p[i] != i) {
        p[i] = p[p[i]];
        i = p[i];
    }
    return i;
}

typedef struct {
    size_t root, i;
    uint64_t leaf;
} member;

static int member_cmp(const void *pa, const void *pb)
{
    const member *x = pa, *y = pb;
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    return x->leaf < y->leaf ? -1 : x->leaf > y->leaf;
}

static int cats_overlap(const finc *a, const finc *b)
{
    for (size_t i = 0; i < json_array_size(a->cats); i++) {
        const char *x = json_string_value(json_array_get(a->cats, i));
        if (x && has_cat(b, x))
            return 1;
    }
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct strings among v[n] (v is reordered). */
static int distinct_count(const char **v, size_t n)
{
    int d = 0;
    if (n)
        qsort(v, n, sizeof *v, str_cmp);
    for (size_t i = 0; i < n; i++)
        d += i == 0 || strcmp(v[i], v[i - 1]) != 0;
    return d;
}

/* Two positions whose latitudes differ by more than this (degrees x 10^7)
 * are more than CORR_RADIUS_M apart: the great-circle distance is never
 * less than the distance along the meridian, and 0.0046 degrees of
 * latitude are 511 m (> 500.5, so even rounded). Skips the haversine for
 * most pairs of the time window. */
#define CORR_LAT_E7 46000

static int64_t lat_apart(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

static constat_status fig_corroborated(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;
    const finc **v = calloc(c->ninc ? c->ninc : 1, sizeof *v);
    size_t *par = calloc(c->ninc ? c->ninc : 1, sizeof *par);
    const char **mons = calloc(c->ninc ? c->ninc : 1, sizeof *mons);
    const char **orgs = calloc(c->ninc ? c->ninc : 1, sizeof *orgs);
    member *grp = calloc(c->ninc ? c->ninc : 1, sizeof *grp);
    size_t nv = 0;

    memset(&t, 0, sizeof t);
    if (!v || !par || !mons || !orgs || !grp) {
        st = nomem(c->err);
        goto out;
    }
    if ((st = tab_init(&t, "corroborated_incidents",
                       "Incidents recorded independently by two monitors or more (groups; "
                       "organisations counted apart)",
                       "Incidents enregistrés indépendamment par deux observateurs ou plus "
                       "(groupes ; organisations comptées à part)",
                       "see measure: groups, incidents, monitors, organisations",
                       dims("measure", "group", NULL),
                       json_pack("{s:i,s:i,s:s,s:[ss],s:s}", "window_s", CORR_WINDOW_S,
                                 "radius_m", CORR_RADIUS_M, "categories", "at least one in common",
                                 "precision", "hour", "minute", "group",
                                 "records linked pairwise by different monitors, transitively; "
                                 "named by the id of its earliest leaf"),
                       c->err)))
        goto out;
    for (size_t i = 0; i < c->ninc; i++)
        if (c->inc[i].timed && c->inc[i].haspos && c->inc[i].monitor && c->inc[i].org)
            v[nv++] = &c->inc[i];
    if (nv)
        qsort(v, nv, sizeof *v, by_time);
    for (size_t i = 0; i < nv; i++)
        par[i] = i;
    for (size_t i = 0; i < nv; i++)
        for (size_t j = i + 1; j < nv && v[j]->t - v[i]->t <= CORR_WINDOW_S; j++)
            if (lat_apart(v[i]->lat, v[j]->lat) <= CORR_LAT_E7 &&
                strcmp(v[i]->monitor, v[j]->monitor) != 0 && cats_overlap(v[i], v[j]) &&
                constat_distance_m(v[i]->lat, v[i]->lon, v[j]->lat, v[j]->lon) <= CORR_RADIUS_M)
                par[uf_find(par, j)] = uf_find(par, i);
    TRY(touch(&t, k2("groups", NULL), 0));
    TRY(touch(&t, k2("groups_two_orgs_or_more", NULL), 0));
    TRY(touch(&t, k2("incidents", NULL), 0));
    /* members of each group together: indices sorted by (root, leaf) */
    for (size_t i = 0; i < nv; i++)
        grp[i].root = uf_find(par, i), grp[i].i = i, grp[i].leaf = v[i]->leaf;
    if (nv)
        qsort(grp, nv, sizeof *grp, member_cmp);
    for (size_t a = 0, b; a < nv; a = b) {
        size_t nm = 0;
        const finc *first = v[grp[a].i];
        int dm, dor;
        for (b = a; b < nv && grp[b].root == grp[a].root; b++) {
            mons[nm] = v[grp[b].i]->monitor;
            orgs[nm] = v[grp[b].i]->org;
            nm++;
        }
        dm = distinct_count(mons, nm);
        if (dm < 2)
            continue;
        dor = distinct_count(orgs, nm);
        for (size_t k = a; k < b; k++) {
            const finc *x = v[grp[k].i];
            int head = k == a;
            TRY(add(&t, k2("group_monitors", first->id), x->leaf, head ? dm : 0));
            TRY(add(&t, k2("group_orgs", first->id), x->leaf, head ? dor : 0));
            TRY(add(&t, k2("groups", NULL), x->leaf, head));
            TRY(add(&t, k2("incidents", NULL), x->leaf, 1));
            if (dor >= 2)
                TRY(add(&t, k2("groups_two_orgs_or_more", NULL), x->leaf, head));
        }
    }
    st = tab_emit(&t, figs);
out:
    free(grp);
    free(v);
    free(par);
    free(mons);
    free(orgs);
    tab_free(&t);
    return st;
}

/* ---- share of first-hand records per figure ------------------------------------------------ */

typedef struct {
    uint64_t leaf;
    const char *type;
    size_t stamp; /* 1 + the figure that last counted it */
} lsrc;

static int lsrc_cmp(const void *a, const void *b)
{
    uint64_t x = ((const lsrc *)a)->leaf, y = ((const lsrc *)b)->leaf;
    return x < y ? -1 : x > y;
}

static lsrc *lsrc_find(lsrc *v, size_t n, uint64_t leaf)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].leaf < leaf)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].leaf == leaf ? &v[lo] : NULL;
}

static constat_status fig_source_share(fctx *c, json_t *figs)
{
    ftab t;
    constat_status st;
    static const char *const types[] = {"direct_observation", "testimony", "publication",
                                        "unstated"};
    size_t nfig = json_array_size(figs);
    lsrc *src = calloc(c->ninc ? c->ninc : 1, sizeof *src);
    lsrc **dense = NULL;
    size_t dense_n = 0;
    uint64_t *by[4];

    memset(&t, 0, sizeof t);
    for (size_t i = 0; i < 4; i++)
        by[i] = calloc(c->ninc ? c->ninc : 1, sizeof *by[i]);
    if (!src || !by[0] || !by[1] || !by[2] || !by[3]) {
        st = nomem(c->err);
        goto out;
    }
    if ((st = tab_init(&t, "source_share_by_figure",
                       "Incidents each figure counts, by source: first-hand observation, "
                       "testimony, publication",
                       "Incidents comptés par chaque figure, par source : constat direct, "
                       "témoignage, publication",
                       "incidents (first_hand_permille: per thousand)",
                       dims("figure", "source_type", NULL),
                       json_pack("{s:s,s:s}", "first_hand", "source.type direct_observation",
                                 "counted", "distinct incident leaves listed by the figure's rows"),
                       c->err)))
        goto out;
    for (size_t i = 0; i < c->ninc; i++) {
        const char *ty = c->inc[i].stype;
        src[i].leaf = c->inc[i].leaf;
        src[i].type = types[3];
        for (size_t k = 0; ty && k < 3; k++)
            if (strcmp(ty, types[k]) == 0)
                src[i].type = types[k];
    }
    if (c->ninc)
        qsort(src, c->ninc, sizeof *src, lsrc_cmp);
    /* leaf -> its incident in src, a direct table when the leaves are dense
     * (every leaf a figure lists is looked up: millions in a large log);
     * a binary search of src otherwise */
    if (c->ninc && src[c->ninc - 1].leaf < 8 * (uint64_t)c->ninc + 1024) {
        dense_n = (size_t)src[c->ninc - 1].leaf + 1;
        dense = calloc(dense_n, sizeof *dense);
        if (!dense) {
            st = nomem(c->err);
            goto out;
        }
        for (size_t i = 0; i < c->ninc; i++)
            dense[src[i].leaf] = &src[i];
    }
    for (size_t f = 0; f < nfig; f++) {
        const json_t *fig = json_array_get(figs, f), *rows = json_object_get(fig, "rows");
        const char *id = sget(fig, "id");
        int64_t total = 0, direct = 0;
        size_t nby[4] = {0, 0, 0, 0};
        for (size_t r = 0; r < json_array_size(rows); r++) {
            const json_t *lv = json_object_get(json_array_get(rows, r), "leaves");
            for (size_t l = 0; l < json_array_size(lv); l++) {
                json_int_t x = json_integer_value(json_array_get(lv, l));
                lsrc *s = x < 0                        ? NULL
                          : dense                      ? ((uint64_t)x < dense_n ? dense[x] : NULL)
                                                       : lsrc_find(src, c->ninc, (uint64_t)x);
                size_t k;
                if (!s || s->stamp == f + 1)
                    continue; /* not an incident, or counted already */
                s->stamp = f + 1;
                total++;
                direct += s->type == types[0];
                for (k = 0; k < 3 && s->type != types[k]; k++)
                    ;
                by[k][nby[k]++] = s->leaf;
            }
        }
        for (size_t i = 0; i < 4; i++)
            TRY(set(&t, k2(id, types[i]), (int64_t)nby[i], NULL, by[i], nby[i]));
        if (total) {
            frow *d = tab_row(&t, k2(id, types[0])), copy;
            if (!d) {
                st = nomem(c->err);
                goto out;
            }
            copy = *d;
            TRY(set(&t, k2(id, "first_hand_permille"), permille(direct, total), &copy, NULL, 0));
        }
    }
    st = tab_emit(&t, figs);
out:
    free(dense);
    free(src);
    for (size_t i = 0; i < 4; i++)
        free(by[i]);
    tab_free(&t);
    return st;
}

constat_status constat_findings_figures(const constat_indexed_record *recs, size_t n,
                                        const constat_taxonomy *tax, json_t *figs,
                                        constat_error *err)
{
    fctx c;
    constat_status st;

    memset(&c, 0, sizeof c);
    c.recs = recs;
    c.n = n;
    c.tax = tax;
    c.err = err;
    if ((st = gather(&c)) || (st = fig_check_intervals(&c, figs)) ||
        (st = fig_same_place_day(&c, figs)) || (st = fig_transport_status(&c, figs)) ||
        (st = fig_release_distance(&c, figs)) || (st = fig_near_aid(&c, figs)) ||
        (st = fig_visits_by_hour(&c, figs)) || (st = fig_evictions(&c, figs)) ||
        (st = fig_items_origin(&c, figs)) || (st = fig_presence(&c, figs)) ||
        (st = fig_corroborated(&c, figs)) || (st = fig_source_share(&c, figs)))
        goto out;
out:
    free(c.inc);
    free(c.reg);
    json_decref(c.regmap);
    return st;
}
