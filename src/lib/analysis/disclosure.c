/*
 * disclosure.c — disclosure control for public reports (disclosure.h,
 * docs/indicators.md "Public reports: disclosure control").
 *
 * The rules work on every figure through its dimensions and unit only, so a
 * figure added later is covered without a line here. The applying side and
 * the checking side share one table of cells and one group walk: what
 * constat_disclosure_apply fixes is exactly what constat_disclosure_check
 * refuses.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/analysis/disclosure.h"
#include "base/text.h"

#define MERGED_KEY "merged_small_groups"
#define WITHHELD_PLACE "withheld_place"

enum { SHOWN = 0, PRIMARY = 1, SECONDARY = 2 };

/* dimensions whose values name a person or a log entry: a figure keyed by
 * one is withheld from a public report ("group" is corroborated_incidents',
 * each group named by the id of its earliest record) */
static const char *const identifying_dims[] = {"person", "record", "evidence", "group"};
static const char *const merged_dims[] = {"minors", "nationality", "legal_status"};
/* dimensions whose values are free-text place names: a suppressed cell's
 * key shows such a name only when a shown row of some figure names it too,
 * else the element reads WITHHELD_PLACE (the place is not published) */
static const char *const place_dims[] = {"place", "site"};
static const char *const count_units[] = {"incidents", "persons", "records", "mentions",
                                          "files"};

typedef struct {
    json_t *key;       /* owned */
    json_int_t value;  /* -1 when suppressed in a public document (unknown) */
    size_t nleaves;
    json_t *leaves;    /* owned, apply only */
    int state;
    char *gk;          /* scratch: the group key text */
} cell;

typedef struct {
    const char *id, *unit;
    const json_t *dims;
    size_t nd;
    int identifying;
    cell *c;
    size_t n;
    size_t withheld;
} dfig;

typedef struct {
    dfig *f;
    size_t n;
    int k;
    int fix;                         /* 1: apply (suppress), 0: check (report) */
    constat_disclosure_fail_fn fail; /* check only */
    void *ctx;
    size_t violations;
    char first[CONSTAT_ERROR_MSG_MAX];
} dtable;

static int in_list(const char *s, const char *const *l, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, l[i]) == 0)
            return 1;
    return 0;
}

#define IN(s, l) in_list((s), (l), sizeof(l) / sizeof(*(l)))

static void table_free(dtable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->f[i].n; j++) {
            json_decref(t->f[i].c[j].key);
            json_decref(t->f[i].c[j].leaves);
            free(t->f[i].c[j].gk);
        }
        free(t->f[i].c);
    }
    free(t->f);
}

/* "figure ID row KEY: WHY" */
static void violation(dtable *t, const char *id, const json_t *key, const char *why)
{
    char *ks = key ? json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char msg[CONSTAT_ERROR_MSG_MAX];
    constat_bprintf(msg, sizeof msg, "figure %s row %s: %s", id, ks ? ks : "[]", why);
    free(ks);
    if (t->violations++ == 0)
        constat_bprintf(t->first, sizeof t->first, "%s", msg);
    if (t->fail)
        t->fail(t->ctx, msg);
}

/* Key text of the elements of `key` at the dimensions in `mask` (in the
 * figure's order of dimensions, or in the order `order` gives). */
static char *group_text(const json_t *key, unsigned mask, size_t nd)
{
    json_t *a = json_array();
    char *s;
    for (size_t d = 0; a && d < nd; d++)
        if (mask & (1u << d))
            json_array_append(a, json_array_get(key, d));
    s = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(a);
    return s;
}

/* The figure of unit `unit` whose dimensions are exactly the names of F's
 * dimensions in `mask`; with pos[] the position in G of each of them. */
static dfig *marginal_of(dtable *t, const dfig *F, unsigned mask, size_t pos[3])
{
    size_t want = 0;
    for (size_t d = 0; d < F->nd; d++)
        want += (mask >> d) & 1u;
    for (size_t g = 0; g < t->n; g++) {
        dfig *G = &t->f[g];
        size_t m = 0;
        if (G == F || G->nd != want || strcmp(G->unit, F->unit) != 0 || G->identifying)
            continue;
        for (size_t d = 0; d < F->nd; d++) {
            const char *name = json_string_value(json_array_get(F->dims, d));
            if (!(mask & (1u << d)))
                continue;
            for (size_t e = 0; e < G->nd; e++)
                if (strcmp(name, json_string_value(json_array_get(G->dims, e))) == 0) {
                    pos[m++] = e;
                    break;
                }
        }
        if (m == want)
            return G;
    }
    return NULL;
}

/* The row of G whose key, read at pos[0..m), has the text `gk`. */
static cell *marginal_row(dfig *G, const size_t *pos, size_t m, const char *gk)
{
    for (size_t j = 0; j < G->n; j++) {
        json_t *a = json_array();
        char *s;
        int same;
        for (size_t i = 0; a && i < m; i++)
            json_array_append(a, json_array_get(G->c[j].key, pos[i]));
        s = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        json_decref(a);
        same = s && strcmp(s, gk) == 0;
        free(s);
        if (same)
            return &G->c[j];
    }
    return NULL;
}

static int gk_cmp(const void *a, const void *b)
{
    const cell *x = *(const cell *const *)a, *y = *(const cell *const *)b;
    return strcmp(x->gk, y->gk);
}

/* One pass of rule 4 over every figure and every proper subset of its
 * dimensions. Returns the number of cells suppressed (apply) or violations
 * found (check); -1 when out of memory. */
static long secondary_pass(dtable *t)
{
    long changed = 0;
    for (size_t fi = 0; fi < t->n; fi++) {
        dfig *F = &t->f[fi];
        cell **v;
        if (F->identifying || F->n == 0 || F->nd == 0)
            continue;
        v = malloc(F->n * sizeof *v);
        if (!v)
            return -1;
        for (unsigned mask = 0; mask + 1 < (1u << F->nd); mask++) {
            size_t pos[3], m = 0;
            dfig *G = marginal_of(t, F, mask, pos);
            for (size_t d = 0; d < F->nd; d++)
                m += (mask >> d) & 1u;
            for (size_t j = 0; j < F->n; j++) {
                free(F->c[j].gk);
                F->c[j].gk = group_text(F->c[j].key, mask, F->nd);
                if (!F->c[j].gk) {
                    free(v);
                    return -1;
                }
                v[j] = &F->c[j];
            }
            qsort(v, F->n, sizeof *v, gk_cmp);
            for (size_t a = 0, b; a < F->n; a = b) {
                size_t ns = 0;
                cell *alone = NULL, *smallest = NULL;
                for (b = a; b < F->n && strcmp(v[b]->gk, v[a]->gk) == 0; b++) {
                    if (v[b]->state != SHOWN) {
                        ns++;
                        alone = v[b];
                    } else if (v[b]->value > 0 &&
                               (!smallest || v[b]->value < smallest->value)) {
                        smallest = v[b];
                    }
                }
                if (ns != 1)
                    continue;
                if (!smallest && G) {
                    cell *mr = marginal_row(G, pos, m, v[a]->gk);
                    if (mr && mr->state == SHOWN && mr->value > 0) {
                        if (t->fix) {
                            mr->state = SECONDARY;
                        } else {
                            violation(t, F->id, alone->key,
                                      "the one cell suppressed in its group is given by "
                                      "the shown row of its marginal figure");
                        }
                        changed++;
                    }
                } else if (smallest) {
                    if (t->fix)
                        smallest->state = SECONDARY;
                    else {
                        char why[400];
                        constat_bprintf(why, sizeof why, "the only cell suppressed among the "
                                        "rows sharing %s: the shown rows and their total "
                                        "give it (secondary suppression missing)", v[a]->gk);
                        violation(t, F->id, alone->key, why);
                    }
                    changed++;
                }
            }
        }
        free(v);
    }
    return changed;
}

/* ---- apply ----------------------------------------------------------------- */

static int primary(const dfig *F, json_int_t value, size_t nleaves, int k)
{
    if (nleaves > 0 && nleaves < (size_t)k)
        return 1;
    return IN(F->unit, count_units) && value > 0 && value < k;
}

static int key_elem_cmp(const json_t *a, const json_t *b)
{
    if (json_is_null(a) || json_is_null(b))
        return json_is_null(b) - json_is_null(a);
    return strcmp(json_string_value(a), json_string_value(b));
}

static int cell_cmp(const void *pa, const void *pb)
{
    const cell *a = pa, *b = pb;
    for (size_t i = 0; i < json_array_size(a->key); i++) {
        int c = key_elem_cmp(json_array_get(a->key, i), json_array_get(b->key, i));
        if (c)
            return c;
    }
    return 0;
}

static int leaf_cmp(const void *a, const void *b)
{
    json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;
    return x < y ? -1 : x > y;
}

/* Rule 2 along dimension d: rows under k merged by the rest of their key. */
static constat_status merge_dim(dfig *F, size_t d, int k, constat_error *err)
{
    size_t w = 0;
    for (size_t i = 0; i < F->n; i++) {
        cell *c = &F->c[i];
        size_t into;
        if (!(c->value > 0 && c->value < k))
            continue;
        json_array_set_new(c->key, d, json_string(MERGED_KEY));
        for (into = 0; into < i; into++) {
            if (F->c[into].key && json_equal(F->c[into].key, c->key))
                break;
        }
        if (into == i)
            continue;
        F->c[into].value += c->value;
        json_array_extend(F->c[into].leaves, c->leaves);
        json_decref(c->key);
        json_decref(c->leaves);
        c->key = NULL;
        c->leaves = NULL;
    }
    for (size_t i = 0; i < F->n; i++)
        if (F->c[i].key)
            F->c[w++] = F->c[i];
    F->n = w;
    /* leaves of merged rows: ascending and unique again */
    for (size_t i = 0; i < F->n; i++) {
        json_t *l = F->c[i].leaves;
        size_t n = json_array_size(l), u = 0;
        json_int_t *a = malloc((n + 1) * sizeof *a);
        if (!a)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        for (size_t j = 0; j < n; j++)
            a[j] = json_integer_value(json_array_get(l, j));
        qsort(a, n, sizeof *a, leaf_cmp);
        json_array_clear(l);
        for (size_t j = 0; j < n; j++)
            if (j == 0 || a[j] != a[j - 1]) {
                json_array_append_new(l, json_integer(a[j]));
                u++;
            }
        F->c[i].nleaves = u;
        free(a);
    }
    qsort(F->c, F->n, sizeof *F->c, cell_cmp);
    return CONSTAT_OK;
}

static constat_status load(dtable *t, const json_t *figures, int public_doc, constat_error *err)
{
    const json_t *figs = json_object_get(figures, "figures");
    if (!json_is_object(figures) || !json_is_array(figs))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "figures: not an object with a \"figures\" array");
    t->f = calloc(json_array_size(figs) + 1, sizeof *t->f);
    if (!t->f)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i), *rows = json_object_get(f, "rows");
        const json_t *sup = json_object_get(f, "suppressed");
        dfig *F = &t->f[t->n++];
        size_t nsup = public_doc ? json_array_size(sup) : 0;
        F->id = json_string_value(json_object_get(f, "id"));
        F->unit = json_string_value(json_object_get(f, "unit"));
        F->dims = json_object_get(f, "dimensions");
        F->nd = json_array_size(F->dims);
        if (!F->id || !F->unit || !json_is_array(F->dims) || F->nd > 3 || !json_is_array(rows) ||
            (public_doc && sup && !json_is_array(sup)))
            return constat_error_set(err, CONSTAT_EINVAL, "figures[%zu]: not of the "
                                     "figures.json shape (id, unit, at most 3 dimensions, rows)",
                                     i);
        for (size_t d = 0; d < F->nd; d++) {
            if (!json_is_string(json_array_get(F->dims, d)))
                return constat_error_set(err, CONSTAT_EINVAL, "figure %s: a dimension is not "
                                         "a string", F->id);
            F->identifying |= IN(json_string_value(json_array_get(F->dims, d)),
                                 identifying_dims);
        }
        F->c = calloc(json_array_size(rows) + nsup + 1, sizeof *F->c);
        if (!F->c)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        for (size_t j = 0; j < json_array_size(rows) + nsup; j++) {
            int is_sup = j >= json_array_size(rows);
            const json_t *r = is_sup ? json_array_get(sup, j - json_array_size(rows))
                                     : json_array_get(rows, j);
            const json_t *key = json_object_get(r, "key"), *val = json_object_get(r, "value");
            const json_t *leaves = json_object_get(r, "leaves");
            cell *c = &F->c[F->n];
            if (!json_is_array(key) || json_array_size(key) != F->nd ||
                (!is_sup && (!json_is_integer(val) || !json_is_array(leaves))))
                return constat_error_set(err, CONSTAT_EINVAL, "figure %s: %s[%zu] needs a key "
                                         "of one element per dimension%s", F->id,
                                         is_sup ? "suppressed" : "rows",
                                         is_sup ? j - json_array_size(rows) : j,
                                         is_sup ? "" : ", an integer value and leaves");
            for (size_t e = 0; e < F->nd; e++)
                if (!json_is_string(json_array_get(key, e)) &&
                    !json_is_null(json_array_get(key, e)))
                    return constat_error_set(err, CONSTAT_EINVAL, "figure %s: a key element "
                                             "is not a string or null", F->id);
            c->key = json_deep_copy(key);
            c->value = is_sup ? -1 : json_integer_value(val);
            c->nleaves = is_sup ? 0 : json_array_size(leaves);
            c->leaves = public_doc || is_sup ? NULL : json_deep_copy(leaves);
            c->state = is_sup ? PRIMARY : SHOWN;
            F->n++;
            if (!c->key || (!public_doc && !c->leaves))
                return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    return CONSTAT_OK;
}

/* The place names that shown rows of the table hold (object name -> true),
 * over every figure and every place dimension. NULL when out of memory. */
static json_t *shown_places(const dtable *t)
{
    json_t *named = json_object();
    for (size_t i = 0; named && i < t->n; i++) {
        const dfig *F = &t->f[i];
        for (size_t d = 0; !F->identifying && d < F->nd; d++) {
            if (!IN(json_string_value(json_array_get(F->dims, d)), place_dims))
                continue;
            for (size_t j = 0; j < F->n; j++) {
                const char *s = json_string_value(json_array_get(F->c[j].key, d));
                if (F->c[j].state == SHOWN && s && json_object_set_new(named, s, json_true())) {
                    json_decref(named);
                    return NULL;
                }
            }
        }
    }
    return named;
}

/* A copy of `key` (a suppressed cell of F) whose place elements that no
 * shown row names read WITHHELD_PLACE. NULL when out of memory. */
static json_t *withheld_key(const dfig *F, const json_t *key, const json_t *named)
{
    json_t *k = json_deep_copy(key);
    for (size_t d = 0; k && d < F->nd; d++) {
        const char *s = json_string_value(json_array_get(k, d));
        if (s && IN(json_string_value(json_array_get(F->dims, d)), place_dims) &&
            !json_object_get(named, s) && json_array_set_new(k, d, json_string(WITHHELD_PLACE))) {
            json_decref(k);
            return NULL;
        }
    }
    return k;
}

static json_t *public_doc(const json_t *figures, const dtable *t, int k)
{
    json_t *out = json_deep_copy(figures), *figs = json_object_get(out, "figures");
    json_t *disc = json_object(), *rules = json_array(), *md = json_array(),
           *id = json_array(), *named = shown_places(t);
    static const char *const rule_names[] = {"identifying", "merge", "primary", "secondary",
                                             "no_leaves", "withheld_places", "grid"};
    int bad = !out || !disc || !rules || !md || !id || !named;

    for (size_t i = 0; !bad && i < sizeof rule_names / sizeof *rule_names; i++)
        bad |= json_array_append_new(rules, json_string(rule_names[i]));
    for (size_t i = 0; !bad && i < sizeof merged_dims / sizeof *merged_dims; i++)
        bad |= json_array_append_new(md, json_string(merged_dims[i]));
    for (size_t i = 0; !bad && i < sizeof identifying_dims / sizeof *identifying_dims; i++)
        bad |= json_array_append_new(id, json_string(identifying_dims[i]));
    if (!bad)
        bad = json_object_set_new(disc, "k", json_integer(k)) ||
              json_object_set_new(disc, "grid_m", json_integer(CONSTAT_DISCLOSURE_GRID_M)) ||
              json_object_set(disc, "rules", rules) ||
              json_object_set(disc, "merged_dimensions", md) ||
              json_object_set(disc, "identifying_dimensions", id) ||
              json_object_set(out, "disclosure", disc);
    for (size_t i = 0; !bad && i < t->n; i++) {
        const dfig *F = &t->f[i];
        json_t *f = json_array_get(figs, i), *rows = json_array(), *sup = json_array();
        bad = !rows || !sup;
        for (size_t j = 0; !bad && !F->identifying && j < F->n; j++) {
            const cell *c = &F->c[j];
            if (c->state == SHOWN)
                bad = json_array_append_new(rows, json_pack("{s:O, s:I, s:[]}", "key", c->key,
                                                             "value", c->value, "leaves")) != 0;
            else {
                json_t *wk = withheld_key(F, c->key, named);
                bad = !wk || json_array_append_new(
                                 sup, json_pack("{s:O, s:s}", "key", wk, "rule",
                                                c->state == PRIMARY ? "primary"
                                                                    : "secondary")) != 0;
                json_decref(wk);
            }
        }
        if (!bad)
            bad = json_object_set(f, "rows", rows) || json_object_set(f, "suppressed", sup) ||
                  json_object_set_new(f, "withheld",
                                      json_integer((json_int_t)(F->identifying ? F->n : 0)));
        json_decref(rows);
        json_decref(sup);
    }
    json_decref(disc);
    json_decref(rules);
    json_decref(md);
    json_decref(id);
    json_decref(named);
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

constat_status constat_disclosure_apply(const json_t *figures, int k, json_t **out,
                                        constat_error *err)
{
    dtable t;
    constat_status st;
    long ch;

    *out = NULL;
    if (k < CONSTAT_DISCLOSURE_K_MIN || k > CONSTAT_DISCLOSURE_K_MAX)
        return constat_error_set(err, CONSTAT_EINVAL, "k: %d is not in %d..%d", k,
                                 CONSTAT_DISCLOSURE_K_MIN, CONSTAT_DISCLOSURE_K_MAX);
    memset(&t, 0, sizeof t);
    t.k = k;
    t.fix = 1;
    st = load(&t, figures, 0, err);
    for (size_t i = 0; st == CONSTAT_OK && i < t.n; i++) {
        dfig *F = &t.f[i];
        for (size_t d = 0; st == CONSTAT_OK && !F->identifying && d < F->nd; d++)
            if (IN(json_string_value(json_array_get(F->dims, d)), merged_dims))
                st = merge_dim(F, d, k, err);
        for (size_t j = 0; st == CONSTAT_OK && j < F->n; j++)
            if (primary(F, F->c[j].value, F->c[j].nleaves, k))
                F->c[j].state = PRIMARY;
    }
    while (st == CONSTAT_OK && (ch = secondary_pass(&t)) != 0)
        if (ch < 0)
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK && !(*out = public_doc(figures, &t, k)))
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    table_free(&t);
    return st;
}

/* ---- check ------------------------------------------------------------------ */

/* A suppressed cell whose key names a place that no shown row names:
 * the key would publish what the suppression withholds. */
static constat_status check_places(dtable *t)
{
    json_t *named = shown_places(t);
    if (!named)
        return CONSTAT_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        const dfig *F = &t->f[i];
        for (size_t j = 0; !F->identifying && j < F->n; j++) {
            for (size_t d = 0; F->c[j].state != SHOWN && d < F->nd; d++) {
                const char *s = json_string_value(json_array_get(F->c[j].key, d));
                if (s && strcmp(s, WITHHELD_PLACE) != 0 &&
                    IN(json_string_value(json_array_get(F->dims, d)), place_dims) &&
                    !json_object_get(named, s))
                    violation(t, F->id, F->c[j].key,
                              "suppressed, but its key names a place that no shown row names "
                              "(it must read \"" WITHHELD_PLACE "\")");
            }
        }
    }
    json_decref(named);
    return CONSTAT_OK;
}

constat_status constat_disclosure_check(const json_t *pub, constat_disclosure_fail_fn fail,
                                        void *ctx, constat_error *err)
{
    const json_t *disc = json_object_get(pub, "disclosure"), *kv = json_object_get(disc, "k");
    const json_t *figs = json_object_get(pub, "figures");
    dtable t;
    constat_status st;

    if (!json_is_object(disc))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "figures.json: no \"disclosure\" member: not a public report");
    memset(&t, 0, sizeof t);
    t.fail = fail;
    t.ctx = ctx;
    if (!json_is_integer(kv) || json_integer_value(kv) < CONSTAT_DISCLOSURE_K_MIN ||
        json_integer_value(kv) > CONSTAT_DISCLOSURE_K_MAX) {
        const char *msg = "figures.json: disclosure.k: not an integer in 2..1000";
        if (fail)
            fail(ctx, msg);
        return constat_error_set(err, CONSTAT_EVERIFY, "%s", msg);
    }
    t.k = (int)json_integer_value(kv);
    st = load(&t, pub, 1, err);
    for (size_t i = 0; st == CONSTAT_OK && i < t.n; i++) {
        const dfig *F = &t.f[i];
        const json_t *rows = json_object_get(json_array_get(figs, i), "rows");
        for (size_t j = 0; j < json_array_size(rows); j++) {
            const cell *c = &F->c[j];
            char why[96];
            if (F->identifying) {
                violation(&t, F->id, c->key, "shown, but a dimension of this figure "
                          "identifies one person or record");
                continue;
            }
            if (json_array_size(json_object_get(json_array_get(rows, j), "leaves")) > 0)
                violation(&t, F->id, c->key, "names leaves: a public report names none");
            if (IN(F->unit, count_units) && c->value > 0 && c->value < t.k) {
                constat_bprintf(why, sizeof why, "value %lld is under the declared k %d",
                                (long long)c->value, t.k);
                violation(&t, F->id, c->key, why);
            }
        }
    }
    if (st == CONSTAT_OK && check_places(&t) != CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK && secondary_pass(&t) < 0)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK && t.violations)
        st = constat_error_set(err, CONSTAT_EVERIFY, "%s", t.first);
    table_free(&t);
    return st;
}

/* ---- positions ----------------------------------------------------------------- */

#define GRID_DEG 0.0045 /* 500.4 m of latitude */
#define PI 3.14159265358979323846

void constat_disclosure_snap(double lat, double lon, double *slat, double *slon)
{
    double row, edge, step, c;

    if (lat > 89.5 || lat < -89.5) {
        *slat = lat > 0 ? 90.0 : -90.0;
        *slon = 0.0;
        return;
    }
    row = floor(lat / GRID_DEG);
    *slat = (row + 0.5) * GRID_DEG;
    /* the edge nearer the pole is the narrower one */
    edge = fabs(lat >= 0 ? (row + 1) * GRID_DEG : row * GRID_DEG);
    c = cos(edge * PI / 180.0);
    step = GRID_DEG / (c > 0.0087 ? c : 0.0087);
    *slon = (floor((lon + 180.0) / step) + 0.5) * step - 180.0;
    if (*slon > 180.0)
        *slon -= 360.0;
}
