/* test_disclosure.c — disclosure control of public reports (disclosure.h):
 * hand-made figures whose suppressed cells are worked out in the comments,
 * the check that refuses a public document breaking its k, and the
 * position grid. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "constat/analysis/disclosure.h"

/* JSON with ' for " (readable literals). */
static json_t *J(const char *text)
{
    char *s = strdup(text), *p;
    json_t *v;
    json_error_t je;
    assert_non_null(s);
    for (p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    v = json_loads(s, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        fail_msg("bad test JSON: %s: %s", je.text, s);
    free(s);
    return v;
}

#define T "'title':{'en':'t','fr':'t'}"

/* incidents_total 40; by month: 2018-01 20, 2018-02 3, 2018-03 7, 2018-04 10;
 * by month and category (two categories a, b). */
static json_t *figures(void)
{
    return J("{'v':2,'figures':["
             "{'id':'total','unit':'incidents'," T ",'dimensions':[],"
             " 'rows':[{'key':[],'value':40,'leaves':[]}]},"
             "{'id':'by_month','unit':'incidents'," T ",'dimensions':['month'],"
             " 'rows':[{'key':['2018-01'],'value':20,'leaves':[]},"
             "         {'key':['2018-02'],'value':3,'leaves':[]},"
             "         {'key':['2018-03'],'value':7,'leaves':[]},"
             "         {'key':['2018-04'],'value':10,'leaves':[]}]},"
             "{'id':'by_month_cat','unit':'incidents'," T ",'dimensions':['month','category'],"
             " 'rows':[{'key':['2018-01','a'],'value':12,'leaves':[]},"
             "         {'key':['2018-01','b'],'value':8,'leaves':[]},"
             "         {'key':['2018-03','a'],'value':7,'leaves':[]},"
             "         {'key':['2018-04','a'],'value':6,'leaves':[]},"
             "         {'key':['2018-04','b'],'value':4,'leaves':[]}]},"
             "{'id':'money','unit':'amount'," T ",'dimensions':['currency'],"
             " 'rows':[{'key':['EUR'],'value':500,'leaves':[1,2]},"
             "         {'key':['USD'],'value':900,'leaves':[3,4,5,6,7]}]},"
             "{'id':'minors','unit':'incidents'," T ",'dimensions':['minors'],"
             " 'rows':[{'key':['no'],'value':30,'leaves':[]},"
             "         {'key':['unknown'],'value':2,'leaves':[]},"
             "         {'key':['yes'],'value':3,'leaves':[]}]},"
             "{'id':'repeats','unit':'incidents'," T ",'dimensions':['person'],"
             " 'rows':[{'key':['p:1'],'value':9,'leaves':[1]}]}]}");
}

static const json_t *fig(const json_t *doc, const char *id)
{
    const json_t *figs = json_object_get(doc, "figures");
    for (size_t i = 0; i < json_array_size(figs); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(figs, i), "id")), id) == 0)
            return json_array_get(figs, i);
    fail_msg("no figure %s", id);
    return NULL;
}

/* "key0[,key1] value" of the shown rows, and "key:rule" of the suppressed,
 * space-separated. */
static void shown(const json_t *f, char *out, size_t cap)
{
    const json_t *rows = json_object_get(f, "rows"), *sup = json_object_get(f, "suppressed");
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i), *k = json_object_get(r, "key");
        assert_int_equal(json_array_size(json_object_get(r, "leaves")), 0);
        for (size_t j = 0; j < json_array_size(k); j++)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", j ? "," : "",
                                  json_string_value(json_array_get(k, j)));
        o += (size_t)snprintf(out + o, cap - o, "=%lld ",
                              (long long)json_integer_value(json_object_get(r, "value")));
    }
    for (size_t i = 0; i < json_array_size(sup); i++) {
        const json_t *r = json_array_get(sup, i), *k = json_object_get(r, "key");
        for (size_t j = 0; j < json_array_size(k); j++)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", j ? "," : "",
                                  json_string_value(json_array_get(k, j)));
        o += (size_t)snprintf(out + o, cap - o, ":%s ",
                              json_string_value(json_object_get(r, "rule")));
    }
}

static void test_apply(void **state)
{
    json_t *in = figures(), *pub = NULL;
    constat_error err;
    char s[1024];
    (void)state;

    assert_int_equal(constat_disclosure_apply(in, 5, &pub, &err), CONSTAT_OK);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(pub, "disclosure"), "k")),
                     5);
    /* the total stands */
    shown(fig(pub, "total"), s, sizeof s);
    assert_string_equal(s, "=40 ");
    /* 2018-02 (3) is under 5: primary; alone in its figure, the smallest
     * other non-zero month, 2018-03 (7), goes too: secondary */
    shown(fig(pub, "by_month"), s, sizeof s);
    assert_string_equal(s, "2018-01=20 2018-04=10 2018-02:primary 2018-03:secondary ");
    /* 2018-04,b (4) is primary. Then, groups by month first, then by
     * category, repeated: month 2018-04 {a 6, b 4*}: a goes; category a
     * {2018-01 12, 2018-03 7, 2018-04 6*}: 7 goes; category b {2018-01 8,
     * 2018-04 4*}: 8 goes; month 2018-01 {a 12, b 8*}: 12 goes. Every
     * group now holds two suppressed cells or none. */
    shown(fig(pub, "by_month_cat"), s, sizeof s);
    assert_string_equal(s, "2018-01,a:secondary 2018-01,b:secondary 2018-03,a:secondary "
                           "2018-04,a:secondary 2018-04,b:primary ");
    /* amounts: EUR rests on 2 leaves (< 5): primary; USD then secondary
     * (the only other cell; money has no marginal figure) */
    shown(fig(pub, "money"), s, sizeof s);
    assert_string_equal(s, "EUR:primary USD:secondary ");
    /* minors: unknown 2 and yes 3 merged into 5, which is not under k */
    shown(fig(pub, "minors"), s, sizeof s);
    assert_string_equal(s, "merged_small_groups=5 no=30 ");
    /* per person: nothing shown, one row withheld */
    shown(fig(pub, "repeats"), s, sizeof s);
    assert_string_equal(s, "");
    assert_int_equal(json_integer_value(json_object_get(fig(pub, "repeats"), "withheld")), 1);

    /* what apply makes, check accepts */
    assert_int_equal(constat_disclosure_check(pub, NULL, NULL, &err), CONSTAT_OK);
    /* a full (non-public) document is not a public report */
    assert_int_equal(constat_disclosure_check(in, NULL, NULL, &err), CONSTAT_EINVAL);
    /* k out of range */
    json_decref(pub);
    assert_int_equal(constat_disclosure_apply(in, 1, &pub, &err), CONSTAT_EINVAL);
    assert_null(pub);
    json_decref(in);
}

typedef struct {
    int n;
    char all[4096];
} msgs;

static void collect(void *ctx, const char *msg)
{
    msgs *m = ctx;
    size_t l = strlen(m->all);
    m->n++;
    snprintf(m->all + l, sizeof m->all - l, "%s\n", msg);
}

static void test_check_refuses(void **state)
{
    json_t *in = figures(), *pub = NULL;
    json_t *rows, *sup;
    constat_error err;
    msgs m;
    (void)state;

    assert_int_equal(constat_disclosure_apply(in, 5, &pub, &err), CONSTAT_OK);
    /* a suppressed month put back with its value 3 */
    rows = json_object_get((json_t *)fig(pub, "by_month"), "rows");
    sup = json_object_get((json_t *)fig(pub, "by_month"), "suppressed");
    json_array_append_new(rows, J("{'key':['2018-02'],'value':3,'leaves':[]}"));
    json_array_remove(sup, 0); /* 2018-02 */
    memset(&m, 0, sizeof m);
    assert_int_equal(constat_disclosure_check(pub, collect, &m, &err), CONSTAT_EVERIFY);
    if (!strstr(m.all, "figure by_month row [\"2018-02\"]: value 3 is under the declared k 5"))
        fail_msg("got: %s", m.all);
    /* and 2018-03 is now the only cell suppressed among the months */
    if (!strstr(m.all, "figure by_month row [\"2018-03\"]: the only cell suppressed among the "
                       "rows sharing []: the shown rows and their total give it"))
        fail_msg("got: %s", m.all);
    assert_int_equal(m.n, 2);
    json_decref(pub);

    /* a row naming leaves, and a person's row shown */
    assert_int_equal(constat_disclosure_apply(in, 5, &pub, &err), CONSTAT_OK);
    json_array_append_new(json_object_get((json_t *)fig(pub, "total"), "rows"), NULL);
    json_array_set_new(json_object_get((json_t *)fig(pub, "total"), "rows"), 0,
                       J("{'key':[],'value':40,'leaves':[1]}"));
    json_array_remove(json_object_get((json_t *)fig(pub, "total"), "rows"), 1);
    json_array_append_new(json_object_get((json_t *)fig(pub, "repeats"), "rows"),
                          J("{'key':['p:1'],'value':9,'leaves':[]}"));
    memset(&m, 0, sizeof m);
    assert_int_equal(constat_disclosure_check(pub, collect, &m, &err), CONSTAT_EVERIFY);
    if (!strstr(m.all, "figure total row []: names leaves: a public report names none") ||
        !strstr(m.all, "figure repeats row [\"p:1\"]: shown, but a dimension of this figure "
                       "identifies one person or record"))
        fail_msg("got: %s", m.all);
    assert_int_equal(m.n, 2);

    /* a declared k below 2 */
    json_object_set_new(json_object_get(pub, "disclosure"), "k", json_integer(1));
    memset(&m, 0, sizeof m);
    assert_int_equal(constat_disclosure_check(pub, collect, &m, &err), CONSTAT_EVERIFY);
    assert_string_equal(m.all, "figures.json: disclosure.k: not an integer in 2..1000\n");
    json_decref(pub);
    json_decref(in);
}

/* Distance in metres between two positions (equirectangular, enough at
 * these scales). */
static double metres(double la1, double lo1, double la2, double lo2)
{
    double x = (lo2 - lo1) * cos((la1 + la2) / 2 * M_PI / 180) * 111320.0;
    double y = (la2 - la1) * 110540.0;
    return sqrt(x * x + y * y);
}

static void test_snap(void **state)
{
    double la, lo, la2, lo2;
    (void)state;

    /* Calais, place d'Armes (50.9581, 1.8503): the row of 0.0045 degrees
     * holding 50.9581 is [50.9535, 50.958) + ... worked out: floor(50.9581 /
     * 0.0045) = 11324, centre (11324.5) * 0.0045 = 50.96025 */
    constat_disclosure_snap(50.9581, 1.8503, &la, &lo);
    assert_true(fabs(la - 50.96025) < 1e-9);
    /* two points 30 m apart in one cell snap to the same centre */
    constat_disclosure_snap(50.9582, 1.8504, &la2, &lo2);
    assert_true(la == la2 && lo == lo2);
    /* the snapped point is within a cell's half-diagonal, and cells are at
     * least 500 m wide: the neighbour cell's centre is >= 500 m away */
    assert_true(metres(50.9581, 1.8503, la, lo) < 500.0);
    {
        double nla, nlo, step;
        constat_disclosure_snap(la, lo + 0.02, &nla, &nlo);
        step = nlo - lo;
        /* 0.02 degrees east is a whole number of cells */
        assert_true(step > 0);
        constat_disclosure_snap(la, lo + 0.0072, &nla, &nlo); /* next cell */
        assert_true(metres(la, lo, nla, nlo) >= 500.0);
    }
    /* near the poles: the pole */
    constat_disclosure_snap(89.9, 120.0, &la, &lo);
    assert_true(la == 90.0 && lo == 0.0);
}

/* Free-text places: by_place A 10, B 2, C 7 and by_site A 6, D 3, E 20.
 * by_place: B (2) primary, then C (7), the smallest other, secondary; by_site:
 * D (3) primary, A (6) secondary. Shown rows name A (by_place) and E
 * (by_site) only, so the suppressed keys B, C and D read "withheld_place",
 * while by_site's suppressed A may keep its name: a shown row publishes it. */
static void test_withheld_places(void **state)
{
    json_t *in = J("{'v':2,'figures':["
                   "{'id':'by_place','unit':'incidents'," T ",'dimensions':['place'],"
                   " 'rows':[{'key':['A'],'value':10,'leaves':[]},"
                   "         {'key':['B'],'value':2,'leaves':[]},"
                   "         {'key':['C'],'value':7,'leaves':[]}]},"
                   "{'id':'by_site','unit':'incidents'," T ",'dimensions':['site'],"
                   " 'rows':[{'key':['A'],'value':6,'leaves':[]},"
                   "         {'key':['D'],'value':3,'leaves':[]},"
                   "         {'key':['E'],'value':20,'leaves':[]}]}]}");
    json_t *pub = NULL, *sup;
    constat_error err;
    msgs m;
    char s[1024], *dump;
    (void)state;

    assert_int_equal(constat_disclosure_apply(in, 5, &pub, &err), CONSTAT_OK);
    shown(fig(pub, "by_place"), s, sizeof s);
    assert_string_equal(s, "A=10 withheld_place:primary withheld_place:secondary ");
    shown(fig(pub, "by_site"), s, sizeof s);
    assert_string_equal(s, "E=20 A:secondary withheld_place:primary ");
    /* no byte of the public document names B, C or D */
    dump = json_dumps(pub, JSON_COMPACT);
    assert_non_null(dump);
    assert_null(strstr(dump, "\"B\""));
    assert_null(strstr(dump, "\"C\""));
    assert_null(strstr(dump, "\"D\""));
    free(dump);
    assert_int_equal(constat_disclosure_check(pub, NULL, NULL, &err), CONSTAT_OK);

    /* the name of B put back into its suppressed key: refused */
    sup = json_object_get((json_t *)fig(pub, "by_place"), "suppressed");
    json_object_set_new(json_array_get(sup, 0), "key", J("['B']"));
    memset(&m, 0, sizeof m);
    assert_int_equal(constat_disclosure_check(pub, collect, &m, &err), CONSTAT_EVERIFY);
    assert_string_equal(m.all, "figure by_place row [\"B\"]: suppressed, but its key names a "
                               "place that no shown row names (it must read "
                               "\"withheld_place\")\n");
    json_decref(pub);
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_check_refuses),
        cmocka_unit_test(test_snap),
        cmocka_unit_test(test_withheld_places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
