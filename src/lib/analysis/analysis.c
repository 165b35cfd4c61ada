/*
 * analysis.c — figures and indicators from incident records, and the check
 * that claimed figures follow from the records (docs/indicators.md).
 *
 * Every row keeps the leaves it counted so that a verifier can recount it
 * from those leaves alone; that is why sums list every contributing leaf and
 * why the repeated-checks indicator lists every incident of a repeat, not
 * only the later ones. Rows are kept in a small table per figure with a
 * jansson object as the key -> row index map (the key's compact JSON text),
 * which gives deterministic output without a hand-written hash table.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/evidence/evidence.h"
#include "constat/analysis/report.h"
#include "analysis/findings.h"

/* Largest integer JCS (IEEE-754 doubles) writes exactly. */
#define MAX_SAFE_INT 9007199254740991LL

typedef struct {
    json_t *key; /* array of strings / null, owned */
    int64_t value;
    uint64_t *leaves;
    size_t nleaves, cap;
} row_t;

typedef struct {
    const char *id;
    const char *title_en;
    const char *title_fr;
    const char *unit;
    const char *dims[3];
    size_t ndims;
    row_t *rows;
    size_t nrows, cap;
    json_t *map; /* key text -> integer row index */
} fig_t;

enum {
    F_TOTAL,
    F_MONTH,
    F_CATEGORY,
    F_MONTH_CATEGORY,
    F_PLACE,
    F_COUNTRY,
    F_ITEMS,
    F_MONEY,
    F_ITEMS_PERSONS,
    F_ITEMS_UNKNOWN,
    F_PERSONS_TOTAL,
    F_PERSONS_MONTH,
    F_PERSONS_UNKNOWN,
    F_MINORS,
    F_SOURCE,
    F_FORCE,
    F_DELAY,
    F_PROVEN_DELAY,
    F_CLOCK_SKEW,
    F_REPEAT_PERSON,
    F_INDICATORS,
    F_EVIDENCE_FLAGGED,
    F_CORRECTED,
    F_RETRACTED,
    F_COUNT
};

static const fig_t fig_defs[F_COUNT] = {
    {"incidents_total", "Incidents recorded", "Incidents enregistrés", "incidents",
     {NULL, NULL}, 0, NULL, 0, 0, NULL},
    {"incidents_by_month", "Incidents per month", "Incidents par mois", "incidents",
     {"month", NULL}, 1, NULL, 0, 0, NULL},
    {"incidents_by_category", "Incidents by category", "Incidents par catégorie", "incidents",
     {"category", NULL}, 1, NULL, 0, 0, NULL},
    {"incidents_by_month_category", "Incidents per month by category",
     "Incidents par mois et par catégorie", "incidents", {"month", "category"}, 2, NULL, 0, 0,
     NULL},
    {"incidents_by_place", "Incidents by place", "Incidents par lieu", "incidents",
     {"place", NULL}, 1, NULL, 0, 0, NULL},
    {"incidents_by_country", "Incidents by country", "Incidents par pays", "incidents",
     {"country", NULL}, 1, NULL, 0, 0, NULL},
    {"items_by_kind", "Items seized or destroyed (known counts)",
     "Biens saisis ou détruits (nombres connus)", "items", {"kind", "action"}, 2, NULL, 0, 0,
     NULL},
    {"money_by_currency", "Money seized or destroyed (known amounts)",
     "Argent saisi ou détruit (montants connus)", "amount", {"currency", "kind", "action"}, 3,
     NULL, 0, 0, NULL},
    {"persons_by_item_kind", "Persons counted under items (known counts)",
     "Personnes comptées parmi les biens (nombres connus)", "persons", {"kind", "action"}, 2,
     NULL, 0, 0, NULL},
    {"items_unknown_count_by_kind", "Mentions of items seized or destroyed without a count",
     "Mentions de biens saisis ou détruits sans nombre", "mentions", {"kind", "action"}, 2, NULL,
     0, 0, NULL},
    {"persons_affected_total", "Persons affected (stated counts)",
     "Personnes concernées (nombres indiqués)", "persons", {NULL, NULL}, 0, NULL, 0, 0, NULL},
    {"persons_affected_by_month", "Persons affected per month (stated counts)",
     "Personnes concernées par mois (nombres indiqués)", "persons", {"month", NULL}, 1, NULL, 0,
     0, NULL},
    {"incidents_persons_count_unknown", "Incidents without a count of persons affected",
     "Incidents sans nombre de personnes concernées", "incidents", {NULL, NULL}, 0, NULL, 0, 0,
     NULL},
    {"incidents_by_minors", "Incidents by presence of minors",
     "Incidents selon la présence de mineurs", "incidents", {"minors", NULL}, 1, NULL, 0, 0,
     NULL},
    {"incidents_by_source_type", "Incidents by source type", "Incidents par type de source",
     "incidents", {"source_type", NULL}, 1, NULL, 0, 0, NULL},
    {"incidents_by_authority_force", "Incidents by force involved",
     "Incidents par force impliquée", "incidents", {"force", NULL}, 1, NULL, 0, 0, NULL},
    {"recording_delay", "Delay from the end of the event to its recording",
     "Délai entre la fin de l'événement et son enregistrement", "incidents", {"delay", NULL}, 1,
     NULL, 0, 0, NULL},
    {"delay_event_to_proven",
     "Delay from the end of the event to the record's earliest proven existence (RFC 3161)",
     "Délai entre la fin de l'événement et la première preuve d'existence de l'enregistrement "
     "(RFC 3161)",
     "incidents", {"delay", NULL}, 1, NULL, 0, 0, NULL},
    {"clock_skew_flagged",
     "Incidents recorded (by the monitor's clock) after their proven time: clock skew (flags, "
     "not rejections)",
     "Incidents enregistrés (selon l'horloge de l'observateur) après leur heure prouvée : "
     "décalage d'horloge (signalements, non des rejets)",
     "incidents", {"record", NULL}, 1, NULL, 0, 0, NULL},
    {"repeated_checks_by_person",
     "Checks, arrests or detentions of the same person within 7 days",
     "Contrôles, interpellations ou retenues de la même personne à moins de 7 jours",
     "incidents", {"person", NULL}, 1, NULL, 0, 0, NULL},
    {"indicators", "Indicators (the Defender's findings of 2012)",
     "Indicateurs (constats du Défenseur des droits, 2012)", "incidents",
     {"indicator", NULL}, 1, NULL, 0, 0, NULL},
    {"evidence_flagged",
     "Evidence files whose capture metadata conflicts with their incident (flags, not rejections)",
     "Fichiers de preuve dont les métadonnées de prise de vue contredisent l'incident "
     "(signalements, non des rejets)",
     "files", {"evidence", "flag"}, 2, NULL, 0, 0, NULL},
    {"records_corrected", "Records counted in their corrected version (latest correction)",
     "Enregistrements comptés dans leur version corrigée (dernière correction)", "records",
     {"kind", NULL}, 1, NULL, 0, 0, NULL},
    {"records_retracted", "Records retracted and left out of every figure",
     "Enregistrements retirés et exclus de tous les chiffres", "records", {"kind", NULL}, 1,
     NULL, 0, 0, NULL},
};

/* Keys of the recording_delay rows: the numeric prefix keeps them in
 * duration order under the common key sort. */
static const char *const delay_keys[] = {"0_before_end", "1_lt_1d", "2_1d_7d",
                                         "3_7d_30d", "4_30d_365d", "5_gt_365d"};
/* delay_event_to_proven: the same buckets, and a row for incidents no
 * token covers ("n" sorts after the digits, so it comes last). */
#define NOT_PROVEN_KEY "not_proven"

/* Indicator ids (docs/indicators.md); all are always present. */
enum {
    I_REPEAT,
    I_PSEUDONYMS,
    I_TRANSPORT,
    I_TRANSPORT_LAWFUL,
    I_AID,
    I_NIGHT,
    I_HUMILIATING,
    I_PROPERTY,
    I_EVICTION,
    I_VIOLENCE,
    I_CHEMICAL,
    I_MINORS,
    I_COUNT
};
static const char *const indicator_keys[I_COUNT] = {
    "repeated_checks_same_person",
    "incidents_with_person_pseudonyms",
    "transport_to_station",
    "transport_to_station_lawfully_present",
    "intervention_near_aid",
    "night_living_site_visits",
    "humiliating_behaviour",
    "property_destruction_or_seizure",
    "evictions",
    "physical_violence",
    "chemical_agents",
    "incidents_with_minors",
};

/* One pseudonym occurrence in a check/arrest/detention incident. */
typedef struct {
    const char *person;
    int64_t t;
    uint64_t leaf;
} sighting_t;

typedef struct {
    fig_t f[F_COUNT];
    sighting_t *sight;
    size_t nsight, capsight;
    constat_error *err;
} calc_t;

/* ---- rows ---------------------------------------------------------------- */

static int key_cmp(const json_t *a, const json_t *b)
{
    size_t na = json_array_size(a), nb = json_array_size(b), i;
    for (i = 0; i < na && i < nb; i++) {
        const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
        int c;
        if (json_is_null(x) || json_is_null(y)) {
            c = (json_is_null(x) ? 0 : 1) - (json_is_null(y) ? 0 : 1);
            if (c)
                return c;
            continue;
        }
        c = strcmp(json_string_value(x), json_string_value(y));
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static int row_cmp(const void *pa, const void *pb)
{
    return key_cmp(((const row_t *)pa)->key, ((const row_t *)pb)->key);
}

static int u64_cmp(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* Find or create the row for `key` (reference stolen). */
static constat_status fig_row(fig_t *f, json_t *key, row_t **out, constat_error *err)
{
    char stack[256], *text;
    json_t *idx;

    if (!key)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    text = constat_fig_key_text(key, stack, sizeof stack);
    if (!text) {
        json_decref(key);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    idx = json_object_get(f->map, text);
    if (idx) {
        *out = &f->rows[json_integer_value(idx)];
        json_decref(key);
        if (text != stack)
            free(text);
        return CONSTAT_OK;
    }
    if (f->nrows == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        row_t *r = realloc(f->rows, cap * sizeof *r);
        if (!r)
            goto nomem;
        f->rows = r;
        f->cap = cap;
    }
    if (json_object_set_new(f->map, text, json_integer((json_int_t)f->nrows)) != 0)
        goto nomem;
    if (text != stack)
        free(text);
    memset(&f->rows[f->nrows], 0, sizeof f->rows[0]);
    f->rows[f->nrows].key = key;
    *out = &f->rows[f->nrows++];
    return CONSTAT_OK;
nomem:
    if (text != stack)
        free(text);
    json_decref(key);
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

/* Add `delta` to the row `key` (stolen) and list `leaf` in it. */
static constat_status fig_add(fig_t *f, json_t *key, uint64_t leaf, int64_t delta,
                              constat_error *err)
{
    row_t *r = NULL;
    constat_status st = fig_row(f, key, &r, err);
    if (st)
        return st;
    if (delta > MAX_SAFE_INT - r->value)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "figure %s: a value exceeds 2^53-1", f->id);
    r->value += delta;
    if (r->nleaves == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        uint64_t *l = realloc(r->leaves, cap * sizeof *l);
        if (!l)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        r->leaves = l;
        r->cap = cap;
    }
    r->leaves[r->nleaves++] = leaf;
    return CONSTAT_OK;
}

/* Make sure the row `key` (stolen) exists, with value 0 if new. */
static constat_status fig_touch(fig_t *f, json_t *key, constat_error *err)
{
    row_t *r;
    return fig_row(f, key, &r, err);
}

static json_t *key0(void)
{
    return json_array();
}

/* A one-element key; NULL `a` means "not stated" (JSON null). */
static json_t *key1(const char *a)
{
    return constat_fig_key(1, a, NULL, NULL);
}

static json_t *key2(const char *a, const char *b)
{
    return constat_fig_key(2, a, b, NULL);
}

/* ---- reading one incident ---------------------------------------------- */

typedef struct {
    uint64_t leaf;
    const char *id;
    const json_t *rec;
    const char *start;
    int64_t t_start, t_end, t_rec;
    const constat_proven_time *proven; /* NULL: no token covers it */
    int start_off;
    char month[8];
    const char *precision;
    const json_t *categories;
    const json_t *place;
    const json_t *affected;
    const json_t *items;
    const json_t *source;
    const json_t *forces;
} inc_t;

#define BAD(...) return bad(c, in, __VA_ARGS__)

/* Record text quoted in an error message: printable ASCII only, at most
 * 64 characters, so a hostile record cannot write control sequences or
 * bidirectional overrides to the verifier's terminal. */
static const char *plain(const char *s, char out[72])
{
    size_t i, k = 0;
    for (i = 0; s[i] && k < 64; i++)
        out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i])
        out[k++] = '.', out[k++] = '.', out[k++] = '.';
    out[k] = 0;
    return out;
}

static constat_status bad(calc_t *c, const inc_t *in, const char *fmt, ...)
    CONSTAT_PRINTF(3, 4);
static constat_status bad(calc_t *c, const inc_t *in, const char *fmt, ...)
{
    char what[CONSTAT_ERROR_MSG_MAX], id[72];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return constat_error_set(c->err, CONSTAT_EINVAL, "leaf %" PRIu64 " (id %s): %s", in->leaf,
                             plain(in->id ? in->id : "?", id), what);
}

static int has_cat(const inc_t *in, const char *cat)
{
    size_t i;
    for (i = 0; i < json_array_size(in->categories); i++)
        if (strcmp(json_string_value(json_array_get(in->categories, i)), cat) == 0)
            return 1;
    return 0;
}

/* An optional member: absent is fine, present must have the JSON type. */
static int opt(const json_t *obj, const char *name, json_type type, const json_t **out)
{
    const json_t *v = obj ? json_object_get(obj, name) : NULL;
    *out = v;
    return !v || json_typeof(v) == type;
}

static int safe_count(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0 &&
           json_integer_value(v) <= MAX_SAFE_INT;
}

static constat_status time_field(calc_t *c, inc_t *in, const json_t *obj, const char *name,
                                 const char *path, const char **s, int64_t *t, int *off)
{
    const json_t *v = json_object_get(obj, name);
    int o;
    if (!json_is_string(v))
        BAD("%s: missing or not a string", path);
    if (constat_rfc3339_parse(json_string_value(v), t, &o) != CONSTAT_OK)
        BAD("%s: not an RFC 3339 time with offset", path);
    /* The figures read the local date and hour from the string itself. */
    if (strlen(json_string_value(v)) < 16 || json_string_value(v)[4] != '-' ||
        json_string_value(v)[13] != ':')
        BAD("%s: not of the form YYYY-MM-DDTHH:MM", path);
    if (s)
        *s = json_string_value(v);
    if (off)
        *off = o;
    return CONSTAT_OK;
}

static constat_status read_incident(calc_t *c, inc_t *in, const constat_taxonomy *tax)
{
    const json_t *r = in->rec, *occ, *v, *auth;
    char shown[72];
    constat_status st;
    size_t i;

    v = json_object_get(r, "id");
    in->id = json_is_string(v) ? json_string_value(v) : NULL;
    if (!in->id)
        BAD("id: missing or not a string");
    occ = json_object_get(r, "occurred");
    if (!json_is_object(occ))
        BAD("occurred: missing or not an object");
    if ((st = time_field(c, in, occ, "start", "occurred.start", &in->start, &in->t_start,
                         &in->start_off)))
        return st;
    if ((st = time_field(c, in, occ, "end", "occurred.end", NULL, &in->t_end, NULL)))
        return st;
    if ((st = time_field(c, in, r, "recorded_at", "recorded_at", NULL, &in->t_rec, NULL)))
        return st;
    /* The local month is the one written in the string (its own offset). */
    memcpy(in->month, in->start, 7);
    in->month[7] = 0;
    if (!opt(occ, "precision", JSON_STRING, &v))
        BAD("occurred.precision: not a string");
    in->precision = v ? json_string_value(v) : NULL;

    in->categories = json_object_get(r, "categories");
    if (!json_is_array(in->categories) || json_array_size(in->categories) == 0)
        BAD("categories: missing, not an array, or empty");
    for (i = 0; i < json_array_size(in->categories); i++) {
        v = json_array_get(in->categories, i);
        if (!json_is_string(v))
            BAD("categories[%zu]: not a string", i);
        if (tax && !constat_taxonomy_has(tax, json_string_value(v)))
            BAD("categories[%zu]: \"%s\" is not in the taxonomy", i,
                plain(json_string_value(v), shown));
        if (i > 0 && strcmp(json_string_value(json_array_get(in->categories, i - 1)),
                            json_string_value(v)) >= 0)
            BAD("categories: not sorted and unique");
    }

    if (!opt(r, "place", JSON_OBJECT, &in->place))
        BAD("place: not an object");
    if (!opt(in->place, "name", JSON_STRING, &v) || !opt(in->place, "site", JSON_STRING, &v) ||
        !opt(in->place, "country", JSON_STRING, &v))
        BAD("place: name, site and country must be strings");

    if (!opt(r, "affected", JSON_OBJECT, &in->affected))
        BAD("affected: not an object");
    if (in->affected) {
        v = json_object_get(in->affected, "count");
        if (v && !safe_count(v))
            BAD("affected.count: not an integer within 0..2^53-1");
        if (!opt(in->affected, "minors", JSON_STRING, &v))
            BAD("affected.minors: not a string");
        if (!opt(in->affected, "persons", JSON_ARRAY, &v))
            BAD("affected.persons: not an array");
        for (i = 0; i < json_array_size(v); i++)
            if (!json_is_string(json_array_get(v, i)))
                BAD("affected.persons[%zu]: not a string", i);
        if (!opt(in->affected, "legal_status", JSON_OBJECT, &v))
            BAD("affected.legal_status: not an object");
        if (v) {
            const char *k;
            json_t *x;
            json_object_foreach((json_t *)v, k, x) {
                if (!safe_count(x))
                    BAD("affected.legal_status.%s: not a count", plain(k, shown));
            }
        }
    }

    if (!opt(r, "items", JSON_ARRAY, &in->items))
        BAD("items: not an array");
    for (i = 0; i < json_array_size(in->items); i++) {
        const json_t *it = json_array_get(in->items, i), *cnt;
        if (!json_is_object(it) || !json_is_string(json_object_get(it, "kind")) ||
            !json_is_string(json_object_get(it, "action")))
            BAD("items[%zu]: needs string kind and action", i);
        cnt = json_object_get(it, "count");
        if (cnt && !json_is_null(cnt) && !safe_count(cnt))
            BAD("items[%zu].count: not null or an integer within 0..2^53-1", i);
        if (tax) {
            const char *k = json_string_value(json_object_get(it, "kind")), *cur;
            constat_item_unit unit;
            if (!constat_taxonomy_item_kind(tax, k, &unit, &cur))
                BAD("items[%zu].kind: \"%s\" is not an item kind of the taxonomy", i,
                    plain(k, shown));
            if (unit == CONSTAT_UNIT_CURRENCY && !cur && cnt && !json_is_null(cnt))
                BAD("items[%zu].count: an amount of \"%s\", whose currency the taxonomy does "
                    "not state", i, plain(k, shown));
        }
    }

    if (!opt(r, "source", JSON_OBJECT, &in->source))
        BAD("source: not an object");
    if (!opt(in->source, "type", JSON_STRING, &v))
        BAD("source.type: not a string");

    if (!opt(r, "authority", JSON_OBJECT, &auth))
        BAD("authority: not an object");
    if (!opt(auth, "forces", JSON_ARRAY, &in->forces))
        BAD("authority.forces: not an array");
    for (i = 0; i < json_array_size(in->forces); i++)
        if (!json_is_string(json_array_get(in->forces, i)))
            BAD("authority.forces[%zu]: not a string", i);
    return CONSTAT_OK;
}

static const char *str_member(const json_t *obj, const char *name)
{
    const json_t *v = obj ? json_object_get(obj, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *key3(const char *a, const char *b, const char *c)
{
    return constat_fig_key(3, a, b, c);
}

/* The figure a known count of an item adds to, by the unit of its kind
 * (docs/indicators.md): objects, money per currency, or persons. Without a
 * taxonomy every kind counts as objects. */
static constat_status count_item(calc_t *c, const inc_t *in, const json_t *it,
                                 const constat_taxonomy *tax)
{
    const char *kind = str_member(it, "kind"), *action = str_member(it, "action");
    const char *cur = NULL;
    const json_t *cnt = json_object_get(it, "count");
    constat_item_unit unit = CONSTAT_UNIT_ITEMS;

    if (!cnt || json_is_null(cnt))
        return fig_add(&c->f[F_ITEMS_UNKNOWN], key2(kind, action), in->leaf, 1, c->err);
    if (tax)
        (void)constat_taxonomy_item_kind(tax, kind, &unit, &cur); /* read_incident checked it */
    switch (unit) {
    case CONSTAT_UNIT_CURRENCY:
        return fig_add(&c->f[F_MONEY], key3(cur, kind, action), in->leaf,
                       (int64_t)json_integer_value(cnt), c->err);
    case CONSTAT_UNIT_PERSONS:
        return fig_add(&c->f[F_ITEMS_PERSONS], key2(kind, action), in->leaf,
                       (int64_t)json_integer_value(cnt), c->err);
    case CONSTAT_UNIT_ITEMS:
    default:
        return fig_add(&c->f[F_ITEMS], key2(kind, action), in->leaf,
                       (int64_t)json_integer_value(cnt), c->err);
    }
}

/* Local hour of occurred.start, from the string itself ("...THH:"). */
static int local_hour(const inc_t *in)
{
    return (in->start[11] - '0') * 10 + (in->start[12] - '0');
}

static const char *delay_key(int64_t d)
{
    if (d < 0)
        return delay_keys[0];
    if (d < 86400)
        return delay_keys[1];
    if (d < 7 * 86400)
        return delay_keys[2];
    if (d < 30 * 86400)
        return delay_keys[3];
    if (d < 365 * 86400)
        return delay_keys[4];
    return delay_keys[5];
}

/* Bucket of delay_event_to_proven. The proven time is the caller's value,
 * so the difference is taken without signed overflow. */
static const char *proven_key(const inc_t *in)
{
    uint64_t d;
    if (!in->proven)
        return NOT_PROVEN_KEY;
    if (in->proven->time < in->t_end)
        return delay_keys[0];
    d = (uint64_t)in->proven->time - (uint64_t)in->t_end;
    return delay_key(d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d);
}

static constat_status indicator(calc_t *c, int which, uint64_t leaf)
{
    return fig_add(&c->f[F_INDICATORS], key1(indicator_keys[which]), leaf, 1, c->err);
}

static constat_status count_incident(calc_t *c, const inc_t *in, const constat_taxonomy *tax)
{
    fig_t *f = c->f;
    const json_t *v, *persons = NULL, *legal = NULL;
    const char *minors, *place, *stype;
    int64_t d;
    size_t i, j;
    constat_status st;
    uint64_t L = in->leaf;

#define TRY(x)                                                                                   \
    do {                                                                                         \
        if ((st = (x)) != CONSTAT_OK)                                                            \
            return st;                                                                           \
    } while (0)

    TRY(fig_add(&f[F_TOTAL], key0(), L, 1, c->err));
    TRY(fig_add(&f[F_MONTH], key1(in->month), L, 1, c->err));
    for (i = 0; i < json_array_size(in->categories); i++) {
        const char *cat = json_string_value(json_array_get(in->categories, i));
        TRY(fig_add(&f[F_CATEGORY], key1(cat), L, 1, c->err));
        TRY(fig_add(&f[F_MONTH_CATEGORY], key2(in->month, cat), L, 1, c->err));
    }
    place = str_member(in->place, "name");
    if (!place)
        place = str_member(in->place, "site");
    TRY(fig_add(&f[F_PLACE], key1(place), L, 1, c->err));
    TRY(fig_add(&f[F_COUNTRY], key1(str_member(in->place, "country")), L, 1, c->err));

    for (i = 0; i < json_array_size(in->items); i++)
        TRY(count_item(c, in, json_array_get(in->items, i), tax));

    v = in->affected ? json_object_get(in->affected, "count") : NULL;
    if (v) {
        TRY(fig_add(&f[F_PERSONS_TOTAL], key0(), L, (int64_t)json_integer_value(v), c->err));
        TRY(fig_add(&f[F_PERSONS_MONTH], key1(in->month), L, (int64_t)json_integer_value(v),
                    c->err));
    } else {
        TRY(fig_add(&f[F_PERSONS_UNKNOWN], key0(), L, 1, c->err));
    }
    minors = str_member(in->affected, "minors");
    TRY(fig_add(&f[F_MINORS], key1(minors ? minors : "unknown"), L, 1, c->err));
    if (minors && strcmp(minors, "yes") == 0)
        TRY(indicator(c, I_MINORS, L));

    stype = str_member(in->source, "type");
    TRY(fig_add(&f[F_SOURCE], key1(stype), L, 1, c->err));

    if (json_array_size(in->forces) == 0)
        TRY(fig_add(&f[F_FORCE], key1(NULL), L, 1, c->err));
    for (i = 0; i < json_array_size(in->forces); i++)
        TRY(fig_add(&f[F_FORCE], key1(json_string_value(json_array_get(in->forces, i))), L, 1,
                    c->err));

    d = in->t_rec - in->t_end;
    TRY(fig_add(&f[F_DELAY], key1(delay_key(d)), L, 1, c->err));
    /* Proven minus claimed end: the token's clock against the record's
     * claim, so a negative delay says the record existed before the event
     * it describes had (by its own account) ended. */
    TRY(fig_add(&f[F_PROVEN_DELAY], key1(proven_key(in)), L, 1, c->err));
    /* The monitor's clock said the record was made after an independent
     * clock proved it existed: clock skew (docs/time.md "Clock tolerance"). */
    if (constat_clock_skewed(in->t_rec, in->proven ? 1 : 0, in->proven ? in->proven->time : 0))
        TRY(fig_add(&f[F_CLOCK_SKEW], key1(in->id), L, 1, c->err));

    /* Indicators over categories. */
    if (has_cat(in, "transport_to_station")) {
        TRY(indicator(c, I_TRANSPORT, L));
        legal = in->affected ? json_object_get(in->affected, "legal_status") : NULL;
        if (json_integer_value(json_object_get(legal, "asylum_seeker")) > 0 ||
            json_integer_value(json_object_get(legal, "refugee")) > 0)
            TRY(indicator(c, I_TRANSPORT_LAWFUL, L));
    }
    if (has_cat(in, "intervention_near_aid"))
        TRY(indicator(c, I_AID, L));
    if (has_cat(in, "night_visit") ||
        (has_cat(in, "living_site_visit") && in->precision &&
         (strcmp(in->precision, "minute") == 0 || strcmp(in->precision, "hour") == 0) &&
         (local_hour(in) >= 22 || local_hour(in) < 6)))
        TRY(indicator(c, I_NIGHT, L));
    if (has_cat(in, "humiliating_behaviour"))
        TRY(indicator(c, I_HUMILIATING, L));
    if (has_cat(in, "property_destruction") || has_cat(in, "property_seizure") ||
        has_cat(in, "theft") || json_array_size(in->items) > 0)
        TRY(indicator(c, I_PROPERTY, L));
    if (has_cat(in, "eviction"))
        TRY(indicator(c, I_EVICTION, L));
    if (has_cat(in, "physical_violence") || has_cat(in, "dog_attack"))
        TRY(indicator(c, I_VIOLENCE, L));
    if (has_cat(in, "tear_gas") || has_cat(in, "chemical_agent"))
        TRY(indicator(c, I_CHEMICAL, L));

    /* Person pseudonyms for the repeated-checks indicator. */
    persons = in->affected ? json_object_get(in->affected, "persons") : NULL;
    if (json_array_size(persons) > 0)
        TRY(indicator(c, I_PSEUDONYMS, L));
    if (json_array_size(persons) > 0 &&
        (has_cat(in, "identity_check") || has_cat(in, "arrest") || has_cat(in, "detention"))) {
        for (i = 0; i < json_array_size(persons); i++) {
            const char *p = json_string_value(json_array_get(persons, i));
            int dup = 0;
            for (j = 0; j < i; j++)
                if (strcmp(p, json_string_value(json_array_get(persons, j))) == 0)
                    dup = 1;
            if (dup)
                continue;
            if (c->nsight == c->capsight) {
                size_t cap = c->capsight ? c->capsight * 2 : 32;
                sighting_t *s = realloc(c->sight, cap * sizeof *s);
                if (!s)
                    return constat_error_set(c->err, CONSTAT_ENOMEM, "out of memory");
                c->sight = s;
                c->capsight = cap;
            }
            c->sight[c->nsight].person = p;
            c->sight[c->nsight].t = in->t_start;
            c->sight[c->nsight].leaf = L;
            c->nsight++;
        }
    }
    return CONSTAT_OK;
#undef TRY
}

static int sight_cmp(const void *pa, const void *pb)
{
    const sighting_t *a = pa, *b = pb;
    int c = strcmp(a->person, b->person);
    if (c)
        return c;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->leaf < b->leaf ? -1 : a->leaf > b->leaf;
}

/* An incident of a person belongs to a repeat when another incident of the
 * same person starts within the window; after sorting by time, checking the
 * two neighbours is enough (the nearest other sighting is a neighbour). */
static constat_status repeats(calc_t *c)
{
    size_t i;
    constat_status st;

    if (c->nsight)
        qsort(c->sight, c->nsight, sizeof *c->sight, sight_cmp);
    for (i = 0; i < c->nsight; i++) {
        const sighting_t *s = &c->sight[i];
        int near = 0;
        if (i > 0 && strcmp(c->sight[i - 1].person, s->person) == 0 &&
            s->t - c->sight[i - 1].t <= CONSTAT_REPEAT_WINDOW_S)
            near = 1;
        if (i + 1 < c->nsight && strcmp(c->sight[i + 1].person, s->person) == 0 &&
            c->sight[i + 1].t - s->t <= CONSTAT_REPEAT_WINDOW_S)
            near = 1;
        if (!near)
            continue;
        if ((st = fig_add(&c->f[F_REPEAT_PERSON], key1(s->person), s->leaf, 1, c->err)))
            return st;
        if ((st = indicator(c, I_REPEAT, s->leaf)))
            return st;
    }
    return CONSTAT_OK;
}

/* ---- output ------------------------------------------------------------- */

/* Sort and deduplicate leaves; for count rows the value follows the leaf
 * set (an incident counts once per row), for sums it stays the sum. */
static json_t *fig_json(fig_t *f, int is_sum)
{
    json_t *rows = json_array(), *dims = json_array(), *out;
    size_t i, j, k;

    if (!rows || !dims)
        goto fail;
    for (i = 0; i < f->ndims; i++)
        if (json_array_append_new(dims, json_string(f->dims[i])))
            goto fail;
    if (f->nrows)
        qsort(f->rows, f->nrows, sizeof *f->rows, row_cmp);
    for (i = 0; i < f->nrows; i++) {
        row_t *r = &f->rows[i];
        json_t *leaves = json_array(), *row;
        constat_fig_sort_leaves(r->leaves, r->nleaves);
        for (j = 0, k = 0; j < r->nleaves; j++)
            if (j == 0 || r->leaves[j] != r->leaves[j - 1])
                r->leaves[k++] = r->leaves[j];
        r->nleaves = k;
        if (!is_sum)
            r->value = (int64_t)k;
        for (j = 0; leaves && j < k; j++)
            if (json_array_append_new(leaves, json_integer((json_int_t)r->leaves[j]))) {
                json_decref(leaves);
                leaves = NULL;
            }
        row = json_pack("{s:O,s:I,s:o}", "key", r->key, "value", (json_int_t)r->value,
                        "leaves", leaves);
        if (!row || json_array_append_new(rows, row))
            goto fail;
    }
    out = json_pack("{s:s,s:{s:s,s:s},s:s,s:o,s:o}", "id", f->id, "title", "en", f->title_en,
                    "fr", f->title_fr, "unit", f->unit, "dimensions", dims, "rows", rows);
    return out;
fail:
    json_decref(rows);
    json_decref(dims);
    return NULL;
}

/* evidence_flagged (docs/evidence.md): one row per raised flag, [evidence
 * id, "time" | "place" | "invalid_date" | "malformed_exif"], value 1,
 * listing the evidence leaf (whose record names the incident it was
 * compared with; a row's value is the count of its leaves). Evidence whose
 * incident is not among the records is not compared. */
static constat_status evidence_flags(calc_t *c, const constat_indexed_record *recs, size_t n)
{
    json_t *incidents = NULL;
    constat_status st = CONSTAT_OK;
    size_t i;

    for (i = 0; i < n; i++) {
        const char *k = json_string_value(json_object_get(recs[i].record, "kind"));
        const char *id = json_string_value(json_object_get(recs[i].record, "id"));
        if (!k || !id || strcmp(k, "incident") != 0)
            continue;
        if (!incidents && !(incidents = json_object()))
            return constat_error_set(c->err, CONSTAT_ENOMEM, "out of memory");
        if (json_object_set_new(incidents, id, json_integer((json_int_t)i)) != 0) {
            json_decref(incidents);
            return constat_error_set(c->err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    for (i = 0; incidents && i < n && st == CONSTAT_OK; i++) {
        const json_t *r = recs[i].record;
        const char *k = json_string_value(json_object_get(r, "kind"));
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *inc = json_string_value(json_object_get(r, "incident"));
        json_t *at;
        constat_evidence_flags fl;
        if (!k || strcmp(k, "evidence") != 0 || !id || !inc ||
            !(at = json_object_get(incidents, inc)))
            continue;
        if (constat_evidence_flags_compute(r, recs[json_integer_value(at)].record, &fl, NULL) !=
            CONSTAT_OK)
            continue;
        if (fl.time_flag &&
            (st = fig_add(&c->f[F_EVIDENCE_FLAGGED], key2(id, "time"), recs[i].index, 1,
                          c->err)))
            break;
        if (fl.gps_flag &&
            (st = fig_add(&c->f[F_EVIDENCE_FLAGGED], key2(id, "place"), recs[i].index, 1,
                          c->err)))
            break;
        if (fl.time_invalid &&
            (st = fig_add(&c->f[F_EVIDENCE_FLAGGED], key2(id, "invalid_date"), recs[i].index,
                          1, c->err)))
            break;
        if (fl.exif_malformed &&
            (st = fig_add(&c->f[F_EVIDENCE_FLAGGED], key2(id, "malformed_exif"),
                          recs[i].index, 1, c->err)))
            break;
    }
    json_decref(incidents);
    return st;
}

/* ---- corrections and retractions ---------------------------------------- */

static const char *kind_of(const json_t *r)
{
    return json_string_value(json_object_get(r, "kind"));
}

static int amendable(const char *k)
{
    return k && (strcmp(k, "incident") == 0 || strcmp(k, "evidence") == 0);
}

/* The amendments among recs: for each id, the position of its latest
 * correction whose replacement is of an amendable kind and keeps the id, and
 * of its first retraction. */
/* 1 if `r` (an amendment of record id `t`) and, when given, `rep` name the
 * monitor of the record `t` among recs (owners: id -> monitor): only the
 * monitor who recorded a record amends it (docs/record.md "Corrections and
 * retractions"); an amendment by another is not applied. */
static int same_monitor(const json_t *owners, const char *t, const json_t *r,
                        const json_t *rep)
{
    const json_t *o = json_object_get(owners, t);
    if (!o) /* the record is not among recs: nothing to apply it to */
        return 1;
    return json_equal(o, json_object_get(r, "monitor")) &&
           (!rep || json_equal(o, json_object_get(rep, "monitor")));
}

static constat_status amendments(const constat_indexed_record *recs, size_t n, json_t **corr,
                                 json_t **retr, constat_error *err)
{
    size_t i;
    json_t *owners = json_object();
    *corr = json_object();
    *retr = json_object();
    if (!*corr || !*retr || !owners)
        goto nomem;
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record, *m = json_object_get(r, "monitor");
        const char *id = json_string_value(json_object_get(r, "id"));
        if (amendable(kind_of(r)) && id && json_is_string(m) && !json_object_get(owners, id) &&
            json_object_set(owners, id, (json_t *)m))
            goto nomem;
    }
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record, *rep, *at;
        const char *k = kind_of(r), *t;
        if (!k)
            continue;
        if (strcmp(k, "correction") == 0) {
            t = json_string_value(json_object_get(r, "corrects"));
            rep = json_object_get(r, "replacement");
            if (!t || !json_is_object(rep) || !amendable(kind_of(rep)) ||
                !json_is_string(json_object_get(rep, "id")) ||
                strcmp(json_string_value(json_object_get(rep, "id")), t) != 0 ||
                !same_monitor(owners, t, r, rep))
                continue;
            at = json_object_get(*corr, t);
            if (at && recs[json_integer_value(at)].index > recs[i].index)
                continue;
            if (json_object_set_new(*corr, t, json_integer((json_int_t)i)))
                goto nomem;
        } else if (strcmp(k, "retraction") == 0 ||
                   (strcmp(k, "erasure") == 0 && /* leaves the figures when it says so */
                    json_is_string(json_object_get(r, "figures")) &&
                    strcmp(json_string_value(json_object_get(r, "figures")), "exclude") == 0)) {
            t = json_string_value(json_object_get(r, k[0] == 'r' ? "retracts" : "erases"));
            if (!t || !same_monitor(owners, t, r, NULL))
                continue;
            at = json_object_get(*retr, t);
            if (at && recs[json_integer_value(at)].index < recs[i].index)
                continue;
            if (json_object_set_new(*retr, t, json_integer((json_int_t)i)))
                goto nomem;
        }
    }
    json_decref(owners);
    return CONSTAT_OK;
nomem:
    json_decref(owners);
    json_decref(*corr);
    json_decref(*retr);
    *corr = *retr = NULL;
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

constat_status constat_records_effective(const constat_indexed_record *recs, size_t n,
                                         const constat_proven_time *times,
                                         constat_indexed_record **out,
                                         constat_proven_time **out_times, size_t *nout,
                                         constat_error *err)
{
    json_t *corr, *retr;
    constat_status st;
    size_t i, k = 0;

    *out = NULL;
    *nout = 0;
    if (out_times)
        *out_times = NULL;
    if (n && !recs)
        return constat_error_set(err, CONSTAT_EINVAL, "no records given");
    if ((st = amendments(recs, n, &corr, &retr, err)))
        return st;
    *out = calloc(n + 1, sizeof **out);
    if (out_times)
        *out_times = calloc(n + 1, sizeof **out_times);
    if (!*out || (out_times && !*out_times)) {
        json_decref(corr);
        json_decref(retr);
        free(*out);
        *out = NULL;
        if (out_times) {
            free(*out_times);
            *out_times = NULL;
        }
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record, *at;
        const char *k_ = kind_of(r), *id = json_string_value(json_object_get(r, "id"));
        size_t src = i;
        if (!json_is_object(r) || !amendable(k_) || !id) {
            /* other kinds pass as they are (corrections and retractions too:
             * the figures ignore them) */
        } else if (json_object_get(retr, id)) {
            continue;
        } else if ((at = json_object_get(corr, id)) != NULL &&
                   strcmp(kind_of(json_object_get(recs[json_integer_value(at)].record,
                                                  "replacement")), k_) == 0) {
            src = (size_t)json_integer_value(at);
            (*out)[k].index = recs[src].index;
            (*out)[k].record = json_object_get(recs[src].record, "replacement");
            if (out_times && times)
                (*out_times)[k] = times[src];
            k++;
            continue;
        }
        (*out)[k] = recs[i];
        if (out_times && times)
            (*out_times)[k] = times[i];
        k++;
    }
    json_decref(corr);
    json_decref(retr);
    *nout = k;
    return CONSTAT_OK;
}

/* records_corrected and records_retracted: per kind of the amended record,
 * the leaf of its latest correction (when it is not retracted) or of its
 * first retraction. Amendments of records not among recs count nothing. */
static constat_status amendment_figures(calc_t *c, const constat_indexed_record *recs, size_t n)
{
    json_t *corr, *retr;
    constat_status st;
    size_t i;

    if ((st = amendments(recs, n, &corr, &retr, c->err)))
        return st;
    for (i = 0; i < n && st == CONSTAT_OK; i++) {
        const json_t *r = recs[i].record, *at;
        const char *k = kind_of(r), *id = json_string_value(json_object_get(r, "id"));
        if (!json_is_object(r) || !amendable(k) || !id)
            continue;
        if ((at = json_object_get(retr, id)) != NULL &&
            strcmp(kind_of(recs[json_integer_value(at)].record), "erasure") == 0)
            continue; /* left out by its erasure, not retracted */
        if (at)
            st = fig_add(&c->f[F_RETRACTED], key1(k), recs[json_integer_value(at)].index, 1,
                         c->err);
        else if ((at = json_object_get(corr, id)) != NULL &&
                 strcmp(kind_of(json_object_get(recs[json_integer_value(at)].record,
                                                "replacement")), k) == 0)
            st = fig_add(&c->f[F_CORRECTED], key1(k), recs[json_integer_value(at)].index, 1,
                         c->err);
    }
    json_decref(corr);
    json_decref(retr);
    return st;
}

static void calc_free(calc_t *c)
{
    size_t i, j;
    for (i = 0; i < F_COUNT; i++) {
        for (j = 0; j < c->f[i].nrows; j++) {
            json_decref(c->f[i].rows[j].key);
            free(c->f[i].rows[j].leaves);
        }
        free(c->f[i].rows);
        json_decref(c->f[i].map);
    }
    free(c->sight);
}

static int idx_cmp(const void *pa, const void *pb)
{
    return u64_cmp(pa, pb);
}

constat_status constat_figures_compute(const constat_indexed_record *recs, size_t n,
                                       const constat_taxonomy *tax, json_t **out,
                                       constat_error *err)
{
    return constat_figures_compute_timed(recs, n, tax, NULL, out, err);
}

constat_status constat_figures_compute_timed(const constat_indexed_record *recs, size_t n,
                                             const constat_taxonomy *tax,
                                             const constat_proven_time *times, json_t **out,
                                             constat_error *err)
{
    calc_t c;
    constat_status st = CONSTAT_OK;
    uint64_t *seen = NULL;
    json_t *figs = NULL;
    constat_indexed_record *all = NULL;
    constat_proven_time *all_times = NULL;
    size_t i, nall = n;

    *out = NULL;
    memset(&c, 0, sizeof c);
    c.err = err;
    for (i = 0; i < F_COUNT; i++) {
        c.f[i] = fig_defs[i];
        c.f[i].map = json_object();
        if (!c.f[i].map) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (n && !recs) {
        st = constat_error_set(err, CONSTAT_EINVAL, "no records given");
        goto done;
    }
    /* Rows that are always present, so that a zero is stated, not implied. */
    if ((st = fig_touch(&c.f[F_TOTAL], key0(), err)) ||
        (st = fig_touch(&c.f[F_PERSONS_TOTAL], key0(), err)) ||
        (st = fig_touch(&c.f[F_PERSONS_UNKNOWN], key0(), err)) ||
        (st = fig_touch(&c.f[F_MINORS], key1("yes"), err)) ||
        (st = fig_touch(&c.f[F_MINORS], key1("no"), err)) ||
        (st = fig_touch(&c.f[F_MINORS], key1("unknown"), err)))
        goto done;
    for (i = 0; i < sizeof delay_keys / sizeof *delay_keys; i++)
        if ((st = fig_touch(&c.f[F_DELAY], key1(delay_keys[i]), err)) ||
            (st = fig_touch(&c.f[F_PROVEN_DELAY], key1(delay_keys[i]), err)))
            goto done;
    if ((st = fig_touch(&c.f[F_PROVEN_DELAY], key1(NOT_PROVEN_KEY), err)))
        goto done;
    for (i = 0; i < I_COUNT; i++)
        if ((st = fig_touch(&c.f[F_INDICATORS], key1(indicator_keys[i]), err)))
            goto done;
    if ((st = fig_touch(&c.f[F_CORRECTED], key1("evidence"), err)) ||
        (st = fig_touch(&c.f[F_CORRECTED], key1("incident"), err)) ||
        (st = fig_touch(&c.f[F_RETRACTED], key1("evidence"), err)) ||
        (st = fig_touch(&c.f[F_RETRACTED], key1("incident"), err)))
        goto done;

    if (n) {
        seen = malloc(n * sizeof *seen);
        if (!seen) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            goto done;
        }
        for (i = 0; i < n; i++)
            seen[i] = recs[i].index;
        qsort(seen, n, sizeof *seen, idx_cmp);
        for (i = 1; i < n; i++)
            if (seen[i] == seen[i - 1]) {
                st = constat_error_set(err, CONSTAT_EINVAL,
                                       "leaf %" PRIu64 " given twice", seen[i]);
                goto done;
            }
    }
    for (i = 0; i < n; i++)
        if (!json_is_object(recs[i].record)) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "leaf %" PRIu64 ": record is not an object", recs[i].index);
            goto done;
        }
    /* the latest version of every record, retracted ones left out */
    if ((st = amendment_figures(&c, recs, n)) ||
        (st = constat_records_effective(recs, n, times, &all, &all_times, &nall, err)))
        goto done;
    recs = all;
    n = nall;
    if (times)
        times = all_times;
    for (i = 0; i < n; i++) {
        inc_t in;
        const json_t *r = recs[i].record;
        memset(&in, 0, sizeof in);
        in.leaf = recs[i].index;
        in.rec = r;
        in.proven = times && times[i].proven ? &times[i] : NULL;
        if (!json_is_object(r)) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "leaf %" PRIu64 ": record is not an object", in.leaf);
            goto done;
        }
        if (!json_is_string(json_object_get(r, "kind")) ||
            strcmp(json_string_value(json_object_get(r, "kind")), "incident") != 0)
            continue;
        if ((st = read_incident(&c, &in, tax)) || (st = count_incident(&c, &in, tax)))
            goto done;
    }
    if ((st = repeats(&c)))
        goto done;
    if ((st = evidence_flags(&c, recs, n)))
        goto done;

    figs = json_array();
    if (!figs) {
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < F_COUNT; i++) {
        int is_sum = i == F_ITEMS || i == F_MONEY || i == F_ITEMS_PERSONS ||
                     i == F_ITEMS_UNKNOWN || i == F_PERSONS_TOTAL || i == F_PERSONS_MONTH;
        if (json_array_append_new(figs, fig_json(&c.f[i], is_sum))) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            goto done;
        }
    }
    /* the figures of the Defender's findings (findings.c), after the others:
     * the last of them counts every figure's incidents by source */
    if ((st = constat_findings_figures(recs, n, tax, figs, err)))
        goto done;
    *out = json_pack("{s:i,s:o}", "v", CONSTAT_FIGURES_VERSION, "figures", figs);
    figs = NULL;
    if (!*out)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
done:
    json_decref(figs);
    free(seen);
    free(all);
    free(all_times);
    calc_free(&c);
    return st;
}

/* ---- check ---------------------------------------------------------------- */

typedef struct {
    constat_figure_failure_fn fail;
    void *ctx;
    constat_error *err;
    size_t nfail;
} checker_t;

static void report(checker_t *k, const char *fmt, ...) CONSTAT_PRINTF(2, 3);
static void report(checker_t *k, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (k->nfail++ == 0)
        constat_error_set(k->err, CONSTAT_EVERIFY, "%s", msg);
    if (k->fail)
        k->fail(k->ctx, -1, msg);
}

/* Compact JSON of a (possibly hostile) value for messages, truncated.
 * ASCII only: control characters and bidirectional overrides in a claimed
 * figure must not reach the verifier's terminal as such. */
static void show(const json_t *v, char *out, size_t cap)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
    size_t n;
    if (!s) {
        snprintf(out, cap, "%s", v ? "?" : "(absent)");
        return;
    }
    n = strlen(s);
    if (n >= cap && cap > 4)
        snprintf(out, cap, "%.*s...", (int)(cap - 4), s);
    else
        snprintf(out, cap, "%s", s);
    free(s);
}

/* Shape check of one figures document; the claimed one is hostile. */
static int shape_ok(const json_t *doc, const char **why)
{
    const json_t *figs = json_object_get(doc, "figures");
    size_t i, j;
    if (!json_is_object(doc)) {
        *why = "not a JSON object";
        return 0;
    }
    if (!json_is_array(figs)) {
        *why = "\"figures\" missing or not an array";
        return 0;
    }
    for (i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i), *rows = json_object_get(f, "rows");
        if (!json_is_object(f) || !json_is_string(json_object_get(f, "id")) ||
            !json_is_array(rows)) {
            *why = "a figure lacks a string id or a rows array";
            return 0;
        }
        for (j = 0; j < json_array_size(rows); j++) {
            const json_t *r = json_array_get(rows, j);
            if (!json_is_object(r) || !json_is_array(json_object_get(r, "key"))) {
                *why = "a row is not an object with a key array";
                return 0;
            }
        }
    }
    return 1;
}

static const json_t *find_fig(const json_t *figs, const char *id, size_t *count)
{
    const json_t *found = NULL;
    size_t i;
    *count = 0;
    for (i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i);
        if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0) {
            if (!found)
                found = f;
            (*count)++;
        }
    }
    return found;
}

static void check_fig(checker_t *k, const char *id, const json_t *cf, const json_t *rf)
{
    static const char *const meta[] = {"title", "unit", "dimensions", "parameters"};
    const json_t *crows = json_object_get(cf, "rows"), *rrows = json_object_get(rf, "rows");
    json_t *index = json_object(); /* key text -> claimed row */
    char a[200], b[200], key[200];
    size_t i;

    for (i = 0; i < 4; i++)
        if ((json_object_get(cf, meta[i]) || json_object_get(rf, meta[i])) &&
            !json_equal((json_t *)json_object_get(cf, meta[i]),
                        (json_t *)json_object_get(rf, meta[i]))) {
            show(json_object_get(cf, meta[i]), a, sizeof a);
            show(json_object_get(rf, meta[i]), b, sizeof b);
            report(k, "figure %s: %s claimed %s, recomputed %s", id, meta[i], a, b);
        }
    if (!index) {
        report(k, "figure %s: out of memory", id);
        return;
    }
    for (i = 0; i < json_array_size(crows); i++) {
        const json_t *r = json_array_get(crows, i);
        char *t = json_dumps(json_object_get(r, "key"), JSON_COMPACT | JSON_ENCODE_ANY);
        if (!t)
            continue;
        if (json_object_get(index, t)) {
            show(json_object_get(r, "key"), key, sizeof key);
            report(k, "figure %s row %s: listed twice in the claimed figures", id, key);
        } else {
            json_object_set(index, t, (json_t *)r);
        }
        free(t);
    }
    for (i = 0; i < json_array_size(rrows); i++) {
        const json_t *r = json_array_get(rrows, i), *c;
        char *t = json_dumps(json_object_get(r, "key"), JSON_COMPACT | JSON_ENCODE_ANY);
        show(json_object_get(r, "key"), key, sizeof key);
        c = t ? json_object_get(index, t) : NULL;
        if (!c) {
            show(json_object_get(r, "value"), b, sizeof b);
            report(k, "figure %s row %s: missing from the claimed figures (recomputed value %s)",
                   id, key, b);
        } else {
            const json_t *cv = json_object_get(c, "value"), *rv = json_object_get(r, "value");
            const json_t *cl = json_object_get(c, "leaves"), *rl = json_object_get(r, "leaves");
            if (!json_is_integer(cv) || json_integer_value(cv) != json_integer_value(rv)) {
                show(cv, a, sizeof a);
                show(rv, b, sizeof b);
                report(k, "figure %s row %s: value claimed %s, recomputed %s", id, key, a, b);
            }
            if (!json_equal((json_t *)cl, (json_t *)rl)) {
                show(cl, a, sizeof a);
                show(rl, b, sizeof b);
                report(k, "figure %s row %s: leaves claimed %s, recomputed %s", id, key, a, b);
            }
            json_object_del(index, t);
        }
        free(t);
    }
    /* What is left was claimed but does not follow from the records. */
    {
        const char *t;
        json_t *r;
        json_object_foreach(index, t, r)
        {
            show(json_object_get(r, "key"), key, sizeof key);
            show(json_object_get(r, "value"), a, sizeof a);
            report(k, "figure %s row %s: claimed (value %s) but not recomputed from the records",
                   id, key, a);
        }
    }
    json_decref(index);
}

constat_status constat_figures_check(const json_t *claimed, const json_t *recomputed,
                                     constat_figure_failure_fn fail, void *ctx,
                                     constat_error *err)
{
    checker_t k = {fail, ctx, err, 0};
    const char *why = NULL;
    const json_t *cfigs, *rfigs;
    char a[64], b[64];
    size_t i, cnt;

    if (!shape_ok(recomputed, &why))
        return constat_error_set(err, CONSTAT_EINVAL, "recomputed figures: %s", why);
    if (!shape_ok(claimed, &why)) {
        report(&k, "claimed figures: %s", why);
        return CONSTAT_EVERIFY;
    }
    if (!json_equal((json_t *)json_object_get(claimed, "v"),
                    (json_t *)json_object_get(recomputed, "v"))) {
        show(json_object_get(claimed, "v"), a, sizeof a);
        show(json_object_get(recomputed, "v"), b, sizeof b);
        report(&k, "figures format version claimed %s, recomputed %s", a, b);
    }
    cfigs = json_object_get(claimed, "figures");
    rfigs = json_object_get(recomputed, "figures");
    for (i = 0; i < json_array_size(rfigs); i++) {
        const json_t *rf = json_array_get(rfigs, i), *cf;
        const char *id = json_string_value(json_object_get(rf, "id"));
        cf = find_fig(cfigs, id, &cnt);
        if (!cf) {
            report(&k, "figure %s: missing from the claimed figures", id);
            continue;
        }
        if (cnt > 1)
            report(&k, "figure %s: listed %zu times in the claimed figures", id, cnt);
        check_fig(&k, id, cf, rf);
    }
    for (i = 0; i < json_array_size(cfigs); i++) {
        const json_t *idv = json_object_get(json_array_get(cfigs, i), "id");
        if (!find_fig(rfigs, json_string_value(idv), &cnt)) {
            char shown[160];
            show(idv, shown, sizeof shown);
            report(&k, "figure %s: claimed but not a figure constat computes", shown);
        }
    }
    return k.nfail ? CONSTAT_EVERIFY : CONSTAT_OK;
}

int constat_clock_skewed(int64_t recorded_at, int proven, int64_t proven_time)
{
    return proven && recorded_at > proven_time &&
           (uint64_t)recorded_at - (uint64_t)proven_time > CONSTAT_CLOCK_TOLERANCE_S;
}
