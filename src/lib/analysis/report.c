/*
 * report.c — the static report: index.html (French and English, no
 * JavaScript, inline CSS and SVG), figures.json (JCS bytes), one CSV per
 * figure and incidents.csv.
 *
 * Record text is hostile: a summary or place name may carry markup meant to
 * run in the reader's browser, or a formula meant to run in a spreadsheet.
 * Everything that comes from a record or from the figures document goes
 * through constat_html_escape or constat_csv_field (constat/base/text.h);
 * the HTML escaper also makes control and bidirectional characters visible,
 * so that a U+202E in a place name cannot reorder what the page shows. The
 * figures document itself is shape-checked because a verifier may render the
 * figures a dossier claims, not only figures computed here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "constat/record/canon.h"
#include "constat/analysis/report.h"
#include "constat/base/text.h"
#include "analysis/svg.h"
#include "analysis/report_public.h"
#include "analysis/map.h"

#define NOMEM() constat_error_set(err, CONSTAT_ENOMEM, "out of memory")
#define P(x)                                                                                     \
    do {                                                                                         \
        if ((x) != CONSTAT_OK)                                                                   \
            return NOMEM();                                                                      \
    } while (0)

/* Charts show the largest rows only; the tables below them list all. */
#define CHART_TOP 25
/* Leaf lists longer than this are folded into a <details>. */
#define LEAVES_INLINE 12
/* A figure row shows at most this many leaf links, and at most
 * LEAVES_HTML_PAGED when the incident list is paged; the rest are in the
 * figure's CSV (so that a large report's index.html stays small: every
 * incident is counted by a dozen figures). */
#define LEAVES_HTML_MAX 100
#define LEAVES_HTML_PAGED 5
/* Incidents listed in index.html itself; beyond, the list is paged into
 * incidents-1.html, incidents-2.html ... of this many incidents each. */
#define INCIDENTS_PER_PAGE 1000
/* Continuous month axes are drawn only for spans up to this many months. */
#define MONTH_SPAN_MAX 600
/* Largest figure value: JCS writes integers exactly up to 2^53 - 1. */
#define FIGURE_VALUE_MAX ((INT64_C(1) << 53) - 1)

/* ---- files ---------------------------------------------------------------- */

static constat_status ensure_dir(const char *path, constat_error *err)
{
    struct stat sb;
    if (mkdir(path, 0755) == 0)
        return CONSTAT_OK;
    if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return CONSTAT_OK;
    return constat_error_set(err, CONSTAT_EIO, "%s: cannot create directory: %s", path,
                             strerror(errno));
}

static constat_status write_file(const char *path, const constat_buf *b, constat_error *err)
{
    FILE *f = fopen(path, "wb");
    int bad;
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open for writing: %s", path,
                                 strerror(errno));
    bad = b->len && fwrite(b->data, 1, b->len, f) != b->len;
    bad |= fflush(f) != 0 || ferror(f);
    bad |= fclose(f) != 0;
    if (bad)
        return constat_error_set(err, CONSTAT_EIO, "%s: write failed: %s", path,
                                 strerror(errno));
    return CONSTAT_OK;
}

static constat_status join(char *out, size_t cap, const char *dir, const char *a,
                           const char *b, constat_error *err)
{
    int n = snprintf(out, cap, "%s/%s%s", dir, a, b ? b : "");
    if (n < 0 || (size_t)n >= cap)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", dir);
    return CONSTAT_OK;
}

/* ---- the figures document (untrusted shape) ------------------------------ */

static int valid_fig_id(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n <= 64 && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static constat_status check_figures(const json_t *figures, constat_error *err)
{
    const json_t *figs = json_object_get(figures, "figures");
    size_t i, j, k;

    if (!json_is_object(figures) || !json_is_array(figs))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "figures: not an object with a \"figures\" array");
    for (i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i), *v;
        const char *id = json_string_value(json_object_get(f, "id"));
        if (!json_is_object(f) || !id || !valid_fig_id(id))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "figures[%zu].id: must match [a-z0-9_]{1,64}", i);
        v = json_object_get(f, "dimensions");
        if (!json_is_array(v))
            return constat_error_set(err, CONSTAT_EINVAL, "figure %s: no dimensions array", id);
        for (j = 0; j < json_array_size(v); j++)
            if (!json_is_string(json_array_get(v, j)))
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "figure %s: dimensions[%zu] not a string", id, j);
        v = json_object_get(f, "title");
        if (!json_is_object(v) || !json_is_string(json_object_get(v, "en")) ||
            !json_is_string(json_object_get(v, "fr")))
            return constat_error_set(err, CONSTAT_EINVAL, "figure %s: title needs en and fr",
                                     id);
        if (!json_is_string(json_object_get(f, "unit")))
            return constat_error_set(err, CONSTAT_EINVAL, "figure %s: unit not a string", id);
        v = json_object_get(f, "rows");
        if (!json_is_array(v))
            return constat_error_set(err, CONSTAT_EINVAL, "figure %s: no rows array", id);
        for (j = 0; j < json_array_size(v); j++) {
            const json_t *r = json_array_get(v, j), *key = json_object_get(r, "key");
            const json_t *leaves = json_object_get(r, "leaves");
            if (!json_is_array(key) ||
                json_array_size(key) != json_array_size(json_object_get(f, "dimensions")) ||
                !json_is_integer(json_object_get(r, "value")) || !json_is_array(leaves))
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "figure %s: rows[%zu] needs key (one element per "
                                         "dimension), integer value, leaves", id, j);
            if (json_integer_value(json_object_get(r, "value")) > FIGURE_VALUE_MAX ||
                json_integer_value(json_object_get(r, "value")) < -FIGURE_VALUE_MAX)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "figure %s: rows[%zu].value beyond 2^53 - 1", id, j);
            for (k = 0; k < json_array_size(key); k++) {
                const json_t *e = json_array_get(key, k);
                if (!json_is_string(e) && !json_is_null(e))
                    return constat_error_set(err, CONSTAT_EINVAL,
                                             "figure %s: rows[%zu].key[%zu] not a string or null",
                                             id, j, k);
            }
            for (k = 0; k < json_array_size(leaves); k++)
                if (!json_is_integer(json_array_get(leaves, k)) ||
                    json_integer_value(json_array_get(leaves, k)) < 0)
                    return constat_error_set(err, CONSTAT_EINVAL,
                                             "figure %s: rows[%zu].leaves[%zu] not a leaf index",
                                             id, j, k);
        }
    }
    return CONSTAT_OK;
}

/* ---- labels --------------------------------------------------------------- */

typedef struct {
    const char *key, *fr, *en;
} label_t;

static const label_t fixed_labels[] = {
    {"yes", "oui", "yes"},
    {"no", "non", "no"},
    {"unknown", "inconnu", "unknown"},
    {"direct_observation", "observation directe", "direct observation"},
    {"testimony", "témoignage", "testimony"},
    {"publication", "publication", "publication"},
    {"seized", "saisi", "seized"},
    {"destroyed", "détruit", "destroyed"},
    {"seized_or_destroyed", "saisi ou détruit", "seized or destroyed"},
    {"0_before_end", "avant la fin de l'événement", "before the event ended"},
    {"1_lt_1d", "moins d'un jour", "under 1 day"},
    {"2_1d_7d", "1 à 7 jours", "1 to 7 days"},
    {"3_7d_30d", "7 à 30 jours", "7 to 30 days"},
    {"4_30d_365d", "30 à 365 jours", "30 to 365 days"},
    {"5_gt_365d", "plus d'un an", "over 1 year"},
    {"not_proven", "non prouvé (sans jeton)", "not proven (no token)"},
    {"repeated_checks_same_person",
     "contrôles répétés de la même personne (≤ 7 jours)",
     "repeated checks of the same person (≤ 7 days)"},
    {"incidents_with_person_pseudonyms", "incidents avec pseudonymes de personnes",
     "incidents with person pseudonyms"},
    {"transport_to_station", "conduites au poste", "taken to a police station"},
    {"transport_to_station_lawfully_present",
     "conduites au poste de personnes en situation régulière (demandeurs d'asile, réfugiés)",
     "taken to a station while lawfully present (asylum seekers, refugees)"},
    {"intervention_near_aid", "interventions lors de distributions ou contre des aidants",
     "interventions at aid distributions or against aid workers"},
    {"night_living_site_visits", "passages de nuit sur les lieux de vie",
     "night visits to living sites"},
    {"humiliating_behaviour", "comportements humiliants ou menaçants",
     "humiliating or threatening behaviour"},
    {"property_destruction_or_seizure", "destructions ou saisies de biens",
     "destruction or seizure of property"},
    {"evictions", "expulsions", "evictions"},
    {"physical_violence", "violences physiques (dont chiens)",
     "physical violence (including dogs)"},
    {"chemical_agents", "agents chimiques (gaz lacrymogène, gaz poivre)",
     "chemical agents (tear gas, pepper spray)"},
    {"incidents_with_minors", "incidents avec mineurs", "incidents with minors"},
};

static const label_t dim_labels[] = {
    {"month", "mois", "month"},
    {"category", "catégorie", "category"},
    {"place", "lieu", "place"},
    {"country", "pays", "country"},
    {"kind", "nature", "kind"},
    {"action", "action", "action"},
    {"minors", "mineurs", "minors"},
    {"source_type", "type de source", "source type"},
    {"force", "force", "force"},
    {"delay", "délai", "delay"},
    {"person", "personne (pseudonyme)", "person (pseudonym)"},
    {"indicator", "indicateur", "indicator"},
    {"evidence", "fichier de preuve", "evidence file"},
    {"flag", "signalement", "flag"},
};

/* Keys of the evidence_flagged figure's flag dimension. */
static const label_t flag_labels[] = {
    {"time", "heure de prise de vue hors de l'incident", "capture time outside the incident"},
    {"place", "lieu de prise de vue loin de l'incident", "capture place far from the incident"},
    {"invalid_date", "date EXIF invalide", "invalid EXIF date"},
    {"malformed_exif", "EXIF malformé", "malformed EXIF"},
};

static const label_t *find_label(const label_t *t, size_t n, const char *key)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(t[i].key, key) == 0)
            return &t[i];
    return NULL;
}

/* Label of a key element of dimension `dim` in `lang`; NULL element is
 * "not stated". Dimensions with free text (place, country, force, kind,
 * month, person) show the text itself. */
static const char *key_label(const constat_taxonomy *tax, const char *dim, const json_t *e,
                             const char *lang)
{
    const char *s = json_string_value(e);
    const label_t *l;
    int fr = strcmp(lang, "fr") == 0;
    if (!s)
        return fr ? "non précisé" : "not stated";
    if (strcmp(dim, "category") == 0)
        return tax ? constat_taxonomy_label(tax, s, lang) : s;
    if (strcmp(dim, "minors") == 0 || strcmp(dim, "source_type") == 0 ||
        strcmp(dim, "action") == 0 || strcmp(dim, "delay") == 0 ||
        strcmp(dim, "indicator") == 0) {
        l = find_label(fixed_labels, sizeof fixed_labels / sizeof *fixed_labels, s);
        if (l)
            return fr ? l->fr : l->en;
    }
    if (strcmp(dim, "flag") == 0) {
        l = find_label(flag_labels, sizeof flag_labels / sizeof *flag_labels, s);
        if (l)
            return fr ? l->fr : l->en;
    }
    return s;
}

static int translated(const char *dim)
{
    return strcmp(dim, "category") == 0 || strcmp(dim, "minors") == 0 ||
           strcmp(dim, "source_type") == 0 || strcmp(dim, "action") == 0 ||
           strcmp(dim, "delay") == 0 || strcmp(dim, "indicator") == 0 ||
           strcmp(dim, "flag") == 0;
}

/* "fr / en" (or just one when equal) into a bounded char buffer. */
static void both(char *out, size_t cap, const char *fr, const char *en)
{
    if (strcmp(fr, en) == 0)
        snprintf(out, cap, "%s", fr);
    else
        snprintf(out, cap, "%s / %s", fr, en);
}

/* ---- HTML pieces ------------------------------------------------------------- */

static constat_status esc(constat_buf *b, const char *s)
{
    return constat_html_escape(b, s);
}

/* <tag>FR <span class="en" lang="en">EN</span></tag>, both escaped. */
static constat_status bi(constat_buf *b, const char *tag, const char *attrs, const char *fr,
                         const char *en)
{
    if (constat_buf_printf(b, "<%s%s%s lang=\"fr\">", tag, attrs ? " " : "", attrs ? attrs : "") ||
        esc(b, fr) || constat_buf_puts(b, " <span class=\"en\" lang=\"en\">/ ") || esc(b, en) ||
        constat_buf_printf(b, "</span></%s>\n", tag))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}

/* Two side-by-side paragraphs, French then English; the texts are ours and
 * may contain markup. */
static constat_status prose(constat_buf *b, const char *cls, const char *fr, const char *en)
{
    return constat_buf_printf(b,
                              "<div class=\"bi %s\"><div lang=\"fr\">%s</div>"
                              "<div lang=\"en\">%s</div></div>\n",
                              cls, fr, en);
}

static const char css[] =
    "body{font-family:system-ui,sans-serif;max-width:78rem;margin:1rem auto;padding:0 1rem;"
    "color:#111;line-height:1.4}"
    "h1,h2,h3{line-height:1.2}.en{color:#555;font-style:italic;font-weight:normal}"
    ".bi{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}"
    "@media (max-width:50rem){.bi{grid-template-columns:1fr}}"
    ".proof{border:3px solid #b00;padding:.5rem 1rem;margin:1rem 0;background:#fff8f8}"
    ".caveats{border-left:4px solid #e90;padding:.25rem 1rem;background:#fffbf2}"
    "pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}"
    "dl.meta dt{font-weight:bold}dl.meta dd{margin:0}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}"
    "th,td{border:1px solid #ccc;padding:.2rem .4rem;vertical-align:top;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.leaves a{margin-right:.3em}figure{margin:1rem 0}"
    "figure svg{max-width:100%;height:auto}table{max-width:100%}td{overflow-wrap:anywhere}"
    "svg text{fill:#222}:target{background:#ffef9f}"
    "td.id,td.date{white-space:nowrap;overflow-wrap:normal}"
    ".bi>*,dl.meta>*{min-width:0}header,h1,h2{overflow-wrap:anywhere}"
    "table.summary td:first-child{min-width:12rem}"
    /* phone width: one column everywhere, charts keep their drawn scale (labels of 12
     * px) and scroll sideways, wide tables scroll instead of cutting the page */
    "@media (max-width:40rem){body{padding:0 .5rem;margin:.5rem auto}"
    "dl.meta{grid-template-columns:1fr}dl.meta dd{margin:0 0 .4rem}"
    "figure{overflow-x:auto}figure svg{max-width:none}"
    "table{display:block;overflow-x:auto}table.summary td:first-child{min-width:0}}";

/* ---- charts from figures --------------------------------------------------------- */

typedef struct {
    const char **bar_labels; /* owned strings in `strings` */
    const char **series_labels;
    const char **colors;
    int64_t *values;
    size_t n_bars, n_series;
    char **strings;
    size_t n_strings;
} chart_data;

static void chart_data_free(chart_data *d)
{
    size_t i;
    for (i = 0; i < d->n_strings; i++)
        free(d->strings[i]);
    free(d->strings);
    free(d->bar_labels);
    free(d->series_labels);
    free(d->colors);
    free(d->values);
    memset(d, 0, sizeof *d);
}

static const char *keep(chart_data *d, const char *s)
{
    char **n = realloc(d->strings, (d->n_strings + 1) * sizeof *n);
    char *c;
    if (!n)
        return NULL;
    d->strings = n;
    c = strdup(s);
    if (!c)
        return NULL;
    d->strings[d->n_strings++] = c;
    return c;
}

static int parse_month(const char *s, int *y, int *m)
{
    size_t i;
    if (!s || strlen(s) != 7 || s[4] != '-')
        return 0;
    for (i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return 0;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    return *m >= 1 && *m <= 12;
}

/* Bars: either every month from the first to the last row (gaps are
 * information too), or the distinct first-key values in row order. */
static constat_status collect_bars(const json_t *rows, int months, chart_data *d,
                                   constat_error *err)
{
    size_t i;
    int y0 = 0, m0 = 0, y1 = 0, m1 = 0, y, m, ok = months;
    long span = 0;

    for (i = 0; ok && i < json_array_size(rows); i++) {
        const char *s = json_string_value(json_array_get(
            json_object_get(json_array_get(rows, i), "key"), 0));
        if (!parse_month(s, &y, &m)) {
            ok = 0;
            break;
        }
        if (i == 0 || y * 12 + m < y0 * 12 + m0)
            y0 = y, m0 = m;
        if (i == 0 || y * 12 + m > y1 * 12 + m1)
            y1 = y, m1 = m;
    }
    if (ok && json_array_size(rows) > 0) {
        span = (long)(y1 * 12 + m1) - (y0 * 12 + m0) + 1;
        if (span > MONTH_SPAN_MAX)
            ok = 0;
    }
    if (ok && json_array_size(rows) > 0) {
        long k;
        d->bar_labels = calloc((size_t)span, sizeof *d->bar_labels);
        if (!d->bar_labels)
            return NOMEM();
        for (k = 0; k < span; k++) {
            char lab[32];
            long mm = (long)(y0 * 12 + m0 - 1) + k;
            snprintf(lab, sizeof lab, "%04ld-%02ld", mm / 12, mm % 12 + 1);
            if (!(d->bar_labels[k] = keep(d, lab)))
                return NOMEM();
        }
        d->n_bars = (size_t)span;
        return CONSTAT_OK;
    }
    d->bar_labels = calloc(json_array_size(rows) + 1, sizeof *d->bar_labels);
    if (!d->bar_labels)
        return NOMEM();
    for (i = 0; i < json_array_size(rows); i++) {
        const json_t *e = json_array_get(json_object_get(json_array_get(rows, i), "key"), 0);
        const char *s = json_is_string(e) ? json_string_value(e) : "\xe2\x80\x94";
        if (d->n_bars && strcmp(d->bar_labels[d->n_bars - 1], s) == 0)
            continue;
        if (!(d->bar_labels[d->n_bars++] = keep(d, s)))
            return NOMEM();
    }
    return CONSTAT_OK;
}

/* Index of `s` in v[0..n), trying `hint` and the next one first: bars come
 * in row order, so the hint almost always hits and charts stay linear in
 * the number of rows. */
static size_t index_near(const char *const *v, size_t n, const char *s, size_t hint)
{
    size_t i;
    for (i = hint; i < n && i < hint + 2; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    for (i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    return n;
}

static size_t index_of(const char *const *v, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    return n;
}

/* Okabe & Ito's colour-blind-safe palette: stacked charts keep at most
 * MAX_STACKED series (the rarest are grouped as "other", in grey), so that
 * every colour stays distinct. */
static const char *const series_palette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                             "#56b4e9", "#d55e00", "#f0e442"};
#define NSERIES_PALETTE (sizeof series_palette / sizeof *series_palette)
#define MAX_STACKED (NSERIES_PALETTE + 1)
#define OTHER_COLOR "#999999"

/* Add a figure value to a chart cell. Rows are untrusted (a dossier's
 * figures.json): negative values are not drawn, and repeated keys cannot
 * overflow a cell (figure values are at most 2^53 - 1, and a cell stops at
 * that too; the table shows the values themselves). */
static void sat_add(int64_t *cell, json_int_t v)
{
    if (v <= 0)
        return;
    if (v > FIGURE_VALUE_MAX - *cell)
        *cell = FIGURE_VALUE_MAX;
    else
        *cell += (int64_t)v;
}

/* Build chart data from a figure. One dimension: one series. Two
 * dimensions: bars by the first, stacked series by the second. Null key
 * elements are shown as an em dash on charts (tables spell them out). */
static constat_status chart_from_figure(const json_t *fig, const constat_taxonomy *tax,
                                        int months, chart_data *d, constat_error *err)
{
    const json_t *rows = json_object_get(fig, "rows");
    const json_t *dims = json_object_get(fig, "dimensions");
    size_t ndims = json_array_size(dims), i, s;
    const char *sdim = ndims > 1 ? json_string_value(json_array_get(dims, 1)) : NULL;
    size_t hint = 0;
    constat_status st;

    if ((st = collect_bars(rows, months, d, err)))
        return st;
    d->series_labels = calloc(json_array_size(rows) + 1, sizeof *d->series_labels);
    d->colors = calloc(json_array_size(rows) + 1, sizeof *d->colors);
    if (!d->series_labels || !d->colors)
        return NOMEM();
    if (ndims < 2) {
        d->series_labels[0] = "";
        d->n_series = 1;
    } else {
        /* Series keys first (taxonomy order for categories), then labels. */
        const char **keys = calloc(json_array_size(rows) + 1, sizeof *keys);
        size_t nk = 0;
        if (!keys)
            return NOMEM();
        if (tax && strcmp(sdim, "category") == 0)
            for (i = 0; i < constat_taxonomy_count(tax); i++)
                for (s = 0; s < json_array_size(rows); s++) {
                    const char *k = json_string_value(
                        json_array_get(json_object_get(json_array_get(rows, s), "key"), 1));
                    if (k && strcmp(k, constat_taxonomy_id(tax, i)) == 0) {
                        keys[nk++] = k;
                        break;
                    }
                }
        for (s = 0; s < json_array_size(rows); s++) {
            const char *k = json_string_value(
                json_array_get(json_object_get(json_array_get(rows, s), "key"), 1));
            if (!k)
                k = "\xe2\x80\x94";
            /* keys outside the taxonomy follow in order of first row:
             * deterministic, since rows are sorted */
            if (index_of(keys, nk, k) == nk)
                keys[nk++] = k;
        }
        for (i = 0; i < nk; i++) {
            char lab[512];
            const json_t *e = json_string(keys[i]);
            if (!e) {
                free(keys);
                return NOMEM();
            }
            both(lab, sizeof lab, key_label(tax, sdim, e, "fr"), key_label(tax, sdim, e, "en"));
            json_decref((json_t *)e);
            if (!(d->series_labels[i] = keep(d, lab))) {
                free(keys);
                return NOMEM();
            }
        }
        d->n_series = nk;
        for (i = 0; i < nk; i++)
            d->colors[i] = series_palette[i % NSERIES_PALETTE];
        d->values = calloc(d->n_bars * nk + 1, sizeof *d->values);
        if (!d->values) {
            free(keys);
            return NOMEM();
        }
        for (s = 0; s < json_array_size(rows); s++) {
            const json_t *r = json_array_get(rows, s), *key = json_object_get(r, "key");
            const char *b = json_string_value(json_array_get(key, 0));
            const char *k = json_string_value(json_array_get(key, 1));
            size_t bi_ = index_near(d->bar_labels, d->n_bars, b ? b : "\xe2\x80\x94", hint);
            size_t si = index_of(keys, nk, k ? k : "\xe2\x80\x94");
            hint = bi_ < d->n_bars ? bi_ : 0;
            if (bi_ < d->n_bars && si < nk)
                sat_add(&d->values[bi_ * nk + si], json_integer_value(json_object_get(r, "value")));
        }
        free(keys);
        return CONSTAT_OK;
    }
    d->colors[0] = series_palette[0];
    d->values = calloc(d->n_bars + 1, sizeof *d->values);
    if (!d->values)
        return NOMEM();
    for (s = 0; s < json_array_size(rows); s++) {
        const json_t *r = json_array_get(rows, s);
        const char *b = json_string_value(json_array_get(json_object_get(r, "key"), 0));
        size_t bi_ = index_near(d->bar_labels, d->n_bars, b ? b : "\xe2\x80\x94", hint);
        hint = bi_ < d->n_bars ? bi_ : 0;
        if (bi_ < d->n_bars)
            sat_add(&d->values[bi_], json_integer_value(json_object_get(r, "value")));
    }
    return CONSTAT_OK;
}

/* Keep the CHART_TOP bars with the largest totals (ties: original order),
 * largest first: used for places, countries, kinds. */
static constat_status top_bars(chart_data *d, constat_error *err)
{
    size_t n = d->n_bars, ns = d->n_series, i, j, keepn;
    size_t *order;
    int64_t *tot, *vals;
    const char **labs;

    if (n == 0)
        return CONSTAT_OK;
    order = malloc(n * sizeof *order);
    tot = calloc(n, sizeof *tot);
    vals = calloc(n * ns, sizeof *vals);
    labs = calloc(n, sizeof *labs);
    if (!order || !tot || !vals || !labs) {
        free(order);
        free(tot);
        free(vals);
        free(labs);
        return NOMEM();
    }
    for (i = 0; i < n; i++) {
        order[i] = i;
        for (j = 0; j < ns; j++)
            tot[i] += d->values[i * ns + j];
    }
    /* insertion sort: stable, and n is the number of distinct places */
    for (i = 1; i < n; i++) {
        size_t x = order[i];
        j = i;
        while (j > 0 && tot[order[j - 1]] < tot[x]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    keepn = n < CHART_TOP ? n : CHART_TOP;
    for (i = 0; i < keepn; i++) {
        labs[i] = d->bar_labels[order[i]];
        memcpy(&vals[i * ns], &d->values[order[i] * ns], ns * sizeof *vals);
    }
    free(d->bar_labels);
    free(d->values);
    d->bar_labels = labs;
    d->values = vals;
    d->n_bars = keepn;
    free(order);
    free(tot);
    return CONSTAT_OK;
}

/* Stacked charts: keep the MAX_STACKED - 1 series with the largest totals
 * (ties: first) in their order and add the others up as one grey series
 * "autres / other", so that the legend never needs look-alike colours. The
 * table below the chart keeps every row. */
static constat_status group_series(chart_data *d, constat_error *err)
{
    size_t ns = d->n_series, nb = d->n_bars, keepn = MAX_STACKED - 1, i, j, b;
    int64_t *tot, *vals;
    char *kept;

    if (ns <= MAX_STACKED)
        return CONSTAT_OK;
    tot = calloc(ns, sizeof *tot);
    kept = calloc(ns, 1);
    vals = calloc(nb * MAX_STACKED + 1, sizeof *vals);
    if (!tot || !kept || !vals) {
        free(tot);
        free(kept);
        free(vals);
        return NOMEM();
    }
    for (b = 0; b < nb; b++)
        for (i = 0; i < ns; i++)
            sat_add(&tot[i], d->values[b * ns + i]);
    for (j = 0; j < keepn; j++) {
        size_t best = ns;
        for (i = 0; i < ns; i++)
            if (!kept[i] && (best == ns || tot[i] > tot[best]))
                best = i;
        kept[best] = 1;
    }
    for (i = 0, j = 0; i < ns; i++) {
        if (!kept[i])
            continue;
        d->series_labels[j] = d->series_labels[i];
        d->colors[j] = series_palette[j % NSERIES_PALETTE];
        for (b = 0; b < nb; b++)
            vals[b * MAX_STACKED + j] = d->values[b * ns + i];
        j++;
    }
    for (b = 0; b < nb; b++)
        for (i = 0; i < ns; i++)
            if (!kept[i])
                sat_add(&vals[b * MAX_STACKED + keepn], d->values[b * ns + i]);
    d->series_labels[keepn] = "autres / other";
    d->colors[keepn] = OTHER_COLOR;
    d->n_series = MAX_STACKED;
    free(d->values);
    d->values = vals;
    free(tot);
    free(kept);
    return CONSTAT_OK;
}

/* The generic item kind gets a note on the chart (the table shows the kind
 * as written). */
static void relabel_generic_items(chart_data *d)
{
    size_t i;
    for (i = 0; i < d->n_bars; i++)
        if (strcmp(d->bar_labels[i], "items") == 0)
            d->bar_labels[i] = "items (objets non précisés / unspecified objects)";
}

/* Replace bar labels with their bilingual labels (for translated dims). */
static constat_status relabel_bars(chart_data *d, const constat_taxonomy *tax, const char *dim,
                                   constat_error *err)
{
    size_t i;
    for (i = 0; i < d->n_bars; i++) {
        char lab[512];
        json_t *e = json_string(d->bar_labels[i]);
        if (!e)
            return NOMEM();
        both(lab, sizeof lab, key_label(tax, dim, e, "fr"), key_label(tax, dim, e, "en"));
        json_decref(e);
        if (!(d->bar_labels[i] = keep(d, lab)))
            return NOMEM();
    }
    return CONSTAT_OK;
}

typedef struct {
    const char *fig_id;
    const char *chart_id;
    int months, horizontal, top, multiples;
    const char *desc_fr, *desc_en;
    const char *axis_fr, *axis_en; /* what the bars count, drawn on the chart */
} chart_spec;

static const chart_spec charts[] = {
    {"incidents_by_month", "c-month", 1, 0, 0, 0,
     "Nombre d'incidents par mois (date locale du début de l'incident). Chaque incident compte "
     "une fois, quelles que soient ses catégories.",
     "Number of incidents per month (local date of the incident's start). Each incident counts "
     "once, whatever its categories.",
     "incidents par mois", "incidents per month"},
    {"incidents_by_category", "c-category", 0, 1, 1, 0,
     "Barres horizontales : nombre d'incidents de chaque catégorie. Un incident à plusieurs "
     "catégories compte dans chacune : les barres ne s'additionnent pas en nombre d'incidents.",
     "Horizontal bars: number of incidents in each category. An incident with several "
     "categories counts in each: the bars do not add up to a number of incidents.",
     "incidents de la catégorie", "incidents in the category"},
    {"incidents_by_month_category", "c-month-category", 1, 0, 0, 1,
     "Une ligne par catégorie, même échelle pour toutes : pour chaque mois, le nombre "
     "d'incidents de cette catégorie. Ce sont des paires incident–catégorie : un incident à "
     "trois catégories figure sur trois lignes, donc les lignes ne s'additionnent pas (le "
     "nombre d'incidents par mois est dans le graphique « Incidents par mois »).",
     "One row per category, same scale for all: for each month, the number of incidents in "
     "that category. These are incident–category pairs: an incident with three categories "
     "appears in three rows, so the rows do not add up (the number of incidents per month is "
     "in the chart \xe2\x80\x9cIncidents per month\xe2\x80\x9d).",
     "paires incident–catégorie par mois (un incident à 3 catégories compte 3 fois)",
     "incident–category pairs per month (an incident with 3 categories counts 3 times)"},
    {"persons_affected_by_month", "c-persons-month", 1, 0, 0, 0,
     "Somme par mois des nombres de personnes concernées indiqués dans les enregistrements ; "
     "les incidents sans nombre ne comptent pas.",
     "Sum per month of the stated numbers of persons affected; incidents without a number do "
     "not count.",
     "personnes (nombres indiqués)", "persons (stated counts)"},
    {"incidents_by_place", "c-place", 0, 1, 1, 0,
     "Barres horizontales : nombre d'incidents par lieu, les 25 premiers lieux. Les noms de "
     "lieu sont ceux des enregistrements, sans regroupement : un même lieu peut apparaître "
     "sous plusieurs graphies (« Calais living site », « Calais living sites », « Calais »). "
     "Le graphique par pays, ci-dessous, les regroupe.",
     "Horizontal bars: incidents per place, the 25 largest. Place names are as written in the "
     "records, not merged: one place may appear under several spellings (\xe2\x80\x9c" "Calais "
     "living site\xe2\x80\x9d, \xe2\x80\x9c" "Calais living sites\xe2\x80\x9d, "
     "\xe2\x80\x9c" "Calais\xe2\x80\x9d). The chart by country, below, groups them.",
     "incidents", "incidents"},
    {"incidents_by_country", "c-country", 0, 1, 1, 0,
     "Barres horizontales : nombre d'incidents par pays du lieu principal.",
     "Horizontal bars: incidents per country of the main place.",
     "incidents", "incidents"},
    {"items_by_kind", "c-items", 0, 1, 1, 0,
     "Barres horizontales, une couleur par action (légende sous le graphique) : somme des "
     "nombres connus de biens saisis ou détruits, par nature telle qu'écrite dans "
     "l'enregistrement (les 25 premières). La nature « items » est celle des sources qui ne "
     "précisent pas quels objets : ce n'est pas un total des autres barres. Seuls les objets "
     "y sont comptés : les sommes d'argent sont dans « Argent saisi ou détruit », par devise, "
     "et ne s'ajoutent jamais aux objets.",
     "Horizontal bars, one colour per action (legend below the chart): sum of the known "
     "counts of items seized or destroyed, by kind as written in the record (the 25 "
     "largest). The kind \xe2\x80\x9citems\xe2\x80\x9d is used by sources that do not "
     "say which objects: it is not a total of the other bars. Only objects are counted here: "
     "sums of money are in \xe2\x80\x9cMoney seized or destroyed\xe2\x80\x9d, per currency, "
     "and are never added to objects.",
     "objets (nombres connus)", "items (known counts)"},
    {"recording_delay", "c-delay", 0, 1, 0, 0,
     "Nombre d'incidents selon le délai entre la fin de l'événement et son enregistrement.",
     "Incidents by delay from the end of the event to its recording.",
     "incidents", "incidents"},
    {"delay_event_to_proven", "c-proven", 0, 1, 0, 0,
     "Nombre d'incidents selon le délai entre la fin de l'événement (déclarée) et la première "
     "preuve que l'enregistrement existait : un jeton d'horodatage RFC 3161 sur un point de "
     "contrôle dont l'arbre contient l'enregistrement. Ce délai borne le moment où "
     "l'enregistrement existait, pas celui où l'événement a eu lieu.",
     "Incidents by delay from the (claimed) end of the event to the first proof that the "
     "record existed: an RFC 3161 time-stamp token over a checkpoint whose tree contains the "
     "record. It bounds when the record existed, not when the event happened.",
     "incidents", "incidents"},
    {"indicators", "c-indicators", 0, 1, 0, 0,
     "Barres horizontales : nombre d'incidents pour chaque indicateur.",
     "Horizontal bars: number of incidents for each indicator.",
     "incidents", "incidents"},
};

static const chart_spec *chart_for(const char *fig_id)
{
    size_t i;
    for (i = 0; i < sizeof charts / sizeof *charts; i++)
        if (strcmp(charts[i].fig_id, fig_id) == 0)
            return &charts[i];
    return NULL;
}

static constat_status write_chart(constat_buf *b, const json_t *fig, const chart_spec *cs,
                                  const constat_taxonomy *tax, constat_error *err)
{
    chart_data d;
    constat_chart c;
    constat_status st;
    const json_t *dims = json_object_get(fig, "dimensions");
    const char *dim0 = json_string_value(json_array_get(dims, 0));
    const json_t *title = json_object_get(fig, "title");
    char ttl[512], axis[512];

    memset(&d, 0, sizeof d);
    if (json_array_size(dims) < 1 || json_array_size(dims) > 2)
        return CONSTAT_OK;
    st = chart_from_figure(fig, tax, cs->months, &d, err);
    if (!st && cs->top)
        st = top_bars(&d, err);
    if (!st && strcmp(cs->fig_id, "items_by_kind") == 0)
        relabel_generic_items(&d);
    if (!st && translated(dim0))
        st = relabel_bars(&d, tax, dim0, err);
    if (!st && !cs->multiples)
        st = group_series(&d, err);
    if (st) {
        chart_data_free(&d);
        return st;
    }
    if (d.n_bars == 0 || d.n_series == 0) {
        chart_data_free(&d);
        return constat_buf_puts(b, "<p><em lang=\"fr\">Aucune donnée à "
                                   "représenter.</em> <em class=\"en\" lang=\"en\">/ "
                                   "Nothing to chart.</em></p>\n")
                   ? NOMEM()
                   : CONSTAT_OK;
    }
    both(ttl, sizeof ttl, json_string_value(json_object_get(title, "fr")),
         json_string_value(json_object_get(title, "en")));
    memset(&c, 0, sizeof c);
    c.id = cs->chart_id;
    c.title = ttl;
    {
        constat_buf desc;
        constat_buf_init(&desc);
        if (constat_buf_puts(&desc, cs->desc_fr) || constat_buf_puts(&desc, " / ") ||
            constat_buf_puts(&desc, cs->desc_en)) {
            constat_buf_free(&desc);
            chart_data_free(&d);
            return NOMEM();
        }
        c.desc = (const char *)desc.data;
        c.n_bars = d.n_bars;
        c.bar_labels = d.bar_labels;
        c.n_series = d.n_series;
        c.series_labels = d.series_labels;
        c.colors = cs->multiples ? NULL : d.colors; /* strips: one colour */
        c.values = d.values;
        c.horizontal = cs->horizontal;
        c.multiples = cs->multiples;
        both(axis, sizeof axis, cs->axis_fr, cs->axis_en);
        c.value_label = axis;
        st = constat_buf_puts(b, "<figure>");
        if (!st)
            st = constat_svg_chart(b, &c, err);
        if (!st)
            st = constat_buf_puts(b, "<figcaption><span lang=\"fr\">") ||
                         esc(b, cs->desc_fr) ||
                         constat_buf_puts(b, "</span> <span class=\"en\" lang=\"en\">/ ") ||
                         esc(b, cs->desc_en) ||
                         constat_buf_puts(b, "</span></figcaption></figure>\n")
                     ? NOMEM()
                     : CONSTAT_OK;
        constat_buf_free(&desc);
    }
    chart_data_free(&d);
    return st;
}

/* ---- figure tables ------------------------------------------------------------- */

/* Where each incident is listed: index.html itself (paged == 0), or page
 * k (1-based) = position / INCIDENTS_PER_PAGE + 1 of the sorted list. */
typedef struct {
    constat_indexed_record *const *inc; /* ascending leaf index */
    size_t n;
    int paged;
} leaf_map;

/* The page (1-based) listing leaf L, or 0 when no incident has that leaf
 * (an evidence leaf, say) or the list is not paged. */
static size_t page_of(const leaf_map *m, long long L)
{
    size_t lo = 0, hi = m ? m->n : 0;
    if (!m || !m->paged || L < 0)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->inc[mid]->index < (uint64_t)L)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->inc[lo]->index == (uint64_t)L ? lo / INCIDENTS_PER_PAGE + 1 : 0;
}

static constat_status leaf_links(constat_buf *b, const json_t *leaves, const leaf_map *m,
                                 const char *fig_id)
{
    size_t cap = m && m->paged ? LEAVES_HTML_PAGED : LEAVES_HTML_MAX;
    size_t i, n = json_array_size(leaves), shown = n > cap ? cap : n;
    if (n > LEAVES_INLINE && shown == n &&
        constat_buf_printf(b, "<details><summary>%zu feuilles / leaves</summary>", n))
        return CONSTAT_ENOMEM;
    for (i = 0; i < shown; i++) {
        long long L = (long long)json_integer_value(json_array_get(leaves, i));
        size_t pg = page_of(m, L);
        if (constat_buf_puts(b, "<a href=\"") ||
            (pg && (constat_buf_puts(b, "incidents-") || constat_buf_put_u64(b, pg) ||
                    constat_buf_puts(b, ".html"))) ||
            constat_buf_puts(b, "#leaf-") || constat_buf_put_i64(b, L) ||
            constat_buf_puts(b, "\">") || constat_buf_put_i64(b, L) ||
            constat_buf_puts(b, "</a> "))
            return CONSTAT_ENOMEM;
    }
    if (shown < n &&
        constat_buf_printf(b, "\xe2\x80\xa6 <span lang=\"fr\">et %zu autres</span> <span "
                              "class=\"en\" lang=\"en\">/ and %zu more</span>: <a "
                              "href=\"figures/%s.csv\">CSV</a>",
                           n - shown, n - shown, fig_id))
        return CONSTAT_ENOMEM;
    if (n > LEAVES_INLINE && shown == n && constat_buf_puts(b, "</details>"))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}

/* The parameters a figure states (docs/indicators.md), as sorted compact
 * JSON, so the same figure always renders the same bytes. */
static constat_status figure_parameters(constat_buf *b, const json_t *fig, constat_error *err)
{
    const json_t *pm = json_object_get(fig, "parameters");
    char *text;
    constat_status st;
    if (!json_is_object(pm))
        return CONSTAT_OK;
    text = json_dumps(pm, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_buf_puts(b, "<p class=\"params\"><span lang=\"fr\">Paramètres</span> / "
                             "<span lang=\"en\">parameters</span>: <code>");
    if (st == CONSTAT_OK)
        st = esc(b, text);
    if (st == CONSTAT_OK)
        st = constat_buf_puts(b, "</code></p>\n");
    free(text);
    return st ? constat_error_set(err, CONSTAT_ENOMEM, "out of memory") : CONSTAT_OK;
}

/* The key cells of a figure row, labelled in both languages. */
static constat_status key_cells(constat_buf *b, const json_t *key, const json_t *dims,
                                const constat_taxonomy *tax, constat_error *err)
{
    for (size_t j = 0; j < json_array_size(key); j++) {
        const char *dim = json_string_value(json_array_get(dims, j));
        const json_t *e = json_array_get(key, j);
        if (!json_is_string(e) && !json_is_null(e))
            return constat_error_set(err, CONSTAT_EINVAL, "a key element is not a string or "
                                     "null");
        P(constat_buf_puts(b, "<td>"));
        if (translated(dim) || json_is_null(e)) {
            P(esc(b, key_label(tax, dim, e, "fr")));
            P(constat_buf_puts(b, "<br><span class=\"en\" lang=\"en\">"));
            P(esc(b, key_label(tax, dim, e, "en")));
            P(constat_buf_puts(b, "</span>"));
            if (json_is_string(e)) {
                P(constat_buf_puts(b, " <code>"));
                P(esc(b, json_string_value(e)));
                P(constat_buf_puts(b, "</code>"));
            }
        } else {
            P(esc(b, json_string_value(e)));
        }
        P(constat_buf_puts(b, "</td>"));
    }
    return CONSTAT_OK;
}

static constat_status figure_section(constat_buf *b, const json_t *fig,
                                     const constat_taxonomy *tax, const leaf_map *m,
                                     constat_error *err)
{
    const char *id = json_string_value(json_object_get(fig, "id"));
    const json_t *title = json_object_get(fig, "title"), *dims = json_object_get(fig, "dimensions");
    const json_t *rows = json_object_get(fig, "rows");
    const char *unit = json_string_value(json_object_get(fig, "unit"));
    const chart_spec *cs = chart_for(id);
    size_t i;
    constat_status st;

    P(constat_buf_printf(b, "<section id=\"fig-%s\">\n", id));
    P(bi(b, "h2", NULL, json_string_value(json_object_get(title, "fr")),
         json_string_value(json_object_get(title, "en"))));
    P(constat_buf_printf(b, "<p><code>%s</code> &middot; unité / unit : ", id));
    P(esc(b, unit));
    P(constat_buf_printf(b, " &middot; <a href=\"figures/%s.csv\">CSV</a></p>\n", id));
    if ((st = figure_parameters(b, fig, err)))
        return st;
    if (cs && (st = write_chart(b, fig, cs, tax, err)))
        return st;
    if (strcmp(id, "incidents_by_place") == 0)
        P(constat_buf_puts(b, "<p lang=\"fr\">Regroupé par pays : <a href=\"#fig-incidents_by_"
                              "country\">Incidents par pays</a> <span class=\"en\" lang=\"en\">/ "
                              "Grouped by country: <a href=\"#fig-incidents_by_country\">"
                              "Incidents by country</a></span></p>\n"));
    if (strcmp(id, "delay_event_to_proven") == 0)
        P(prose(b, "caveats",
                "<p><strong>Prouvé</strong> : une autorité d'horodatage indépendante (RFC 3161) "
                "a signé, à une heure donnée, un point de contrôle dont l'arbre contient "
                "l'enregistrement. L'enregistrement existait donc au plus tard à cette heure. "
                "Cela ne prouve ni la date de l'événement ni l'heure d'enregistrement déclarée "
                "par l'appareil de l'observateur. « Non prouvé » : aucun jeton ne couvre "
                "encore l'enregistrement, ce qui n'est pas une anomalie.</p>",
                "<p><strong>Proven</strong>: an independent time-stamping authority (RFC 3161) "
                "signed, at a given time, a checkpoint whose tree contains the record. The "
                "record therefore existed no later than that time. This proves neither when "
                "the event happened nor the recording time claimed by the monitor's device. "
                "\xe2\x80\x9cNot proven\xe2\x80\x9d: no token covers the record yet, which "
                "is not a fault.</p>"));
    if (strcmp(id, "indicators") == 0) {
        for (i = 0; i < json_array_size(rows); i++) {
            const json_t *r = json_array_get(rows, i);
            const char *k = json_string_value(json_array_get(json_object_get(r, "key"), 0));
            if (k && strcmp(k, "incidents_with_person_pseudonyms") == 0 &&
                json_integer_value(json_object_get(r, "value")) == 0)
                P(prose(b, "caveats",
                        "<p>Aucun incident de ce périmètre ne porte de pseudonyme de personne "
                        "(<code>affected.persons</code>) : l'indicateur de contrôles répétés "
                        "vaut 0 par construction, et non parce qu'aucun contrôle répété n'a eu "
                        "lieu.</p>",
                        "<p>No incident in this scope carries person pseudonyms "
                        "(<code>affected.persons</code>): the repeated-checks indicator is 0 by "
                        "construction, not because no repeated check happened.</p>"));
        }
    }
    P(constat_buf_puts(b, "<table><thead><tr>"));
    for (i = 0; i < json_array_size(dims); i++) {
        const char *dim = json_string_value(json_array_get(dims, i));
        const label_t *l = find_label(dim_labels, sizeof dim_labels / sizeof *dim_labels, dim);
        P(constat_buf_puts(b, "<th scope=\"col\">"));
        if (l) {
            P(esc(b, l->fr));
            P(constat_buf_puts(b, " <span class=\"en\">/ "));
            P(esc(b, l->en));
            P(constat_buf_puts(b, "</span>"));
        } else {
            P(esc(b, dim));
        }
        P(constat_buf_puts(b, "</th>"));
    }
    P(constat_buf_puts(b, "<th scope=\"col\">valeur <span class=\"en\">/ value</span></th>"
                          "<th scope=\"col\">feuilles comptées <span class=\"en\">/ leaves "
                          "counted</span></th></tr></thead>\n<tbody>\n"));
    for (i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i);
        P(constat_buf_puts(b, "<tr>"));
        if ((st = key_cells(b, json_object_get(r, "key"), dims, tax, err)))
            return st;
        P(constat_buf_printf(b, "<td class=\"n\">%lld</td><td class=\"leaves\">",
                             (long long)json_integer_value(json_object_get(r, "value"))));
        P(leaf_links(b, json_object_get(r, "leaves"), m, id));
        P(constat_buf_puts(b, "</td></tr>\n"));
    }
    /* a public report's suppressed cells (disclosure.h): shown as such */
    rows = json_object_get(fig, "suppressed");
    for (i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i);
        const char *rule = json_string_value(json_object_get(r, "rule"));
        int sec = rule && strcmp(rule, "secondary") == 0;
        if (!json_is_array(json_object_get(r, "key")) ||
            json_array_size(json_object_get(r, "key")) != json_array_size(dims))
            return constat_error_set(err, CONSTAT_EINVAL, "figure %s: suppressed[%zu] needs a "
                                     "key of one element per dimension", id, i);
        P(constat_buf_puts(b, "<tr class=\"suppressed\">"));
        if ((st = key_cells(b, json_object_get(r, "key"), dims, tax, err)))
            return st;
        P(constat_buf_printf(b, "<td class=\"n\">%s</td><td>%s <span class=\"en\">/ %s"
                             "</span></td></tr>\n", sec ? "&times;" : "&lt; k",
                             sec ? "masqué (secondaire)" : "moins de k",
                             sec ? "masked (secondary)" : "fewer than k"));
    }
    if (json_integer_value(json_object_get(fig, "withheld")) > 0)
        P(constat_buf_printf(b, "<tr class=\"suppressed\"><td colspan=\"%zu\">%lld lignes "
                             "retenues : une dimension identifie une personne ou un "
                             "enregistrement <span class=\"en\">/ %lld rows withheld: a "
                             "dimension identifies one person or record</span></td></tr>\n",
                             json_array_size(dims) + 2,
                             (long long)json_integer_value(json_object_get(fig, "withheld")),
                             (long long)json_integer_value(json_object_get(fig, "withheld"))));
    P(constat_buf_puts(b, "</tbody></table>\n</section>\n"));
    return CONSTAT_OK;
}

/* ---- incidents ------------------------------------------------------------------- */

static int is_incident(const json_t *r)
{
    const char *k = json_string_value(json_object_get(r, "kind"));
    return json_is_object(r) && k && strcmp(k, "incident") == 0;
}

static int rec_cmp(const void *pa, const void *pb)
{
    const constat_indexed_record *a = *(const constat_indexed_record *const *)pa;
    const constat_indexed_record *b = *(const constat_indexed_record *const *)pb;
    return a->index < b->index ? -1 : a->index > b->index;
}

static const char *sget(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(obj, a);
    if (b)
        v = json_object_get(v, b);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Join the strings of an array with `sep` (non-strings skipped). */
static constat_status join_array(constat_buf *out, const json_t *arr, const char *sep)
{
    size_t i, k = 0;
    for (i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s)
            continue;
        if ((k++ && constat_buf_puts(out, sep)) || constat_buf_puts(out, s))
            return CONSTAT_ENOMEM;
    }
    return CONSTAT_OK;
}

static constat_status int_text(const json_t *obj, const char *a, const char *b, char *out,
                               size_t cap)
{
    const json_t *v = json_object_get(obj, a);
    if (b)
        v = json_object_get(v, b);
    if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else
        out[0] = 0;
    return CONSTAT_OK;
}

static const char *const incident_cols[] = {
    "leaf", "id", "occurred_start", "occurred_end", "precision", "recorded_at", "proven_at",
    "monitor",
    "place_name", "place_site", "commune", "country", "lat_e7", "lon_e7", "categories",
    "forces", "persons_affected", "minors", "items", "source_type", "source_reference",
    "source_id", "summary"};

/* RFC 3339 UTC text of a proven time, or "" when not proven. */
static const char *proven_text(const constat_proven_time *t, char out[32])
{
    out[0] = 0;
    if (t && t->proven)
        constat_rfc3339_format(t->time, 0, out);
    return out;
}

static constat_status incidents_csv(constat_buf *b, constat_indexed_record **inc, size_t n,
                                    const constat_proven_time *times)
{
    size_t i, c;
    constat_buf t;
    constat_status st = CONSTAT_OK;

    for (c = 0; c < sizeof incident_cols / sizeof *incident_cols; c++)
        if (constat_buf_puts(b, c ? "," : "") || constat_buf_puts(b, incident_cols[c]))
            return CONSTAT_ENOMEM;
    if (constat_buf_puts(b, "\r\n"))
        return CONSTAT_ENOMEM;
    constat_buf_init(&t);
    for (i = 0; i < n && !st; i++) {
        const json_t *r = inc[i]->record, *items = json_object_get(r, "items");
        char num[32], lat[32], lon[32], cnt[32], proven[32];
        size_t k;
        int_text(r, "place", "lat_e7", lat, sizeof lat);
        int_text(r, "place", "lon_e7", lon, sizeof lon);
        int_text(r, "affected", "count", cnt, sizeof cnt);
        snprintf(num, sizeof num, "%" PRIu64, inc[i]->index);
        {
            const char *cols1[] = {num,
                                   sget(r, "id", NULL),
                                   sget(r, "occurred", "start"),
                                   sget(r, "occurred", "end"),
                                   sget(r, "occurred", "precision"),
                                   sget(r, "recorded_at", NULL),
                                   proven_text(&times[i], proven),
                                   sget(r, "monitor", NULL),
                                   sget(r, "place", "name"),
                                   sget(r, "place", "site"),
                                   sget(r, "place", "commune"),
                                   sget(r, "place", "country"),
                                   lat,
                                   lon};
            for (k = 0; k < sizeof cols1 / sizeof *cols1 && !st; k++)
                st = (k && constat_buf_puts(b, ",")) || constat_csv_field(b, cols1[k])
                         ? CONSTAT_ENOMEM
                         : CONSTAT_OK;
        }
        constat_buf_reset(&t);
        if (!st)
            st = join_array(&t, json_object_get(r, "categories"), ";");
        if (!st)
            st = constat_buf_puts(b, ",") || constat_csv_field(b, (char *)t.data) ? CONSTAT_ENOMEM
                                                                                  : CONSTAT_OK;
        constat_buf_reset(&t);
        if (!st)
            st = join_array(&t, json_object_get(json_object_get(r, "authority"), "forces"), ";");
        if (!st)
            st = constat_buf_puts(b, ",") || constat_csv_field(b, (char *)t.data) ||
                         constat_buf_puts(b, ",") || constat_csv_field(b, cnt) ||
                         constat_buf_puts(b, ",") ||
                         constat_csv_field(b, sget(r, "affected", "minors"))
                     ? CONSTAT_ENOMEM
                     : CONSTAT_OK;
        constat_buf_reset(&t);
        for (k = 0; k < json_array_size(items) && !st; k++) {
            const json_t *it = json_array_get(items, k), *cn = json_object_get(it, "count");
            const char *kind = sget(it, "kind", NULL), *action = sget(it, "action", NULL);
            if (json_is_integer(cn))
                st = constat_buf_printf(&t, "%s%s:%s:%lld", k ? ";" : "", kind ? kind : "",
                                        action ? action : "", (long long)json_integer_value(cn));
            else
                st = constat_buf_printf(&t, "%s%s:%s:unknown", k ? ";" : "", kind ? kind : "",
                                        action ? action : "");
        }
        if (!st)
            st = constat_buf_puts(b, ",") || constat_csv_field(b, (char *)t.data) ||
                         constat_buf_puts(b, ",") ||
                         constat_csv_field(b, sget(r, "source", "type")) ||
                         constat_buf_puts(b, ",") ||
                         constat_csv_field(b, sget(r, "source", "reference")) ||
                         constat_buf_puts(b, ",") ||
                         constat_csv_field(b, sget(r, "source", "source_id")) ||
                         constat_buf_puts(b, ",") ||
                         constat_csv_field(b, sget(r, "summary", NULL)) ||
                         constat_buf_puts(b, "\r\n")
                     ? CONSTAT_ENOMEM
                     : CONSTAT_OK;
    }
    constat_buf_free(&t);
    return st;
}

/* An http or https URL (the scheme in any case) without spaces, controls
 * or quotes: shown as a link. Anything else (a javascript: URL, a repository
 * path) is shown as text. */
static int is_web_url(const char *s)
{
    size_t i, skip;
    if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return 0;
    if (!s[skip])
        return 0;
    for (i = 0; s[i]; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == '"' || s[i] == '<' ||
            s[i] == '>' || s[i] == '\\' || s[i] == '`')
            return 0;
    return 1;
}

/* occurred.start as the precision allows: the date only for "day" (a
 * day-precision incident starts at local midnight, which is not a time
 * anyone stated), YYYY-MM for "month", YYYY for "year", else as written. */
static constat_status occurred_html(constat_buf *b, const json_t *r)
{
    const char *start = sget(r, "occurred", "start"), *prec = sget(r, "occurred", "precision");
    size_t keep = 0;
    if (!start)
        return esc(b, NULL);
    if (prec && strcmp(prec, "day") == 0)
        keep = 10;
    else if (prec && strcmp(prec, "month") == 0)
        keep = 7;
    else if (prec && strcmp(prec, "year") == 0)
        keep = 4;
    if (keep && strlen(start) > keep)
        return constat_html_escape_n(b, start, keep, 0);
    return esc(b, start);
}

/* Rows [from, to) of the incident list. */
/* Erased incidents (docs/vault.md "Erasure"): the id -> the leaf of the
 * erasure naming it, from the erasure records among recs (the first one
 * counts). An erasure that took the incident out of the figures also took
 * it out of the list (constat_records_effective), so every erased incident
 * the report lists is still counted. NULL on no memory. */
static json_t *erased_map(const constat_indexed_record *recs, size_t n)
{
    json_t *m = json_object();
    for (size_t i = 0; m && i < n; i++) {
        const json_t *r = recs[i].record;
        const char *t = json_string_value(json_object_get(r, "erases"));
        if (!json_is_string(json_object_get(r, "kind")) ||
            strcmp(json_string_value(json_object_get(r, "kind")), "erasure") != 0 || !t ||
            json_object_get(m, t))
            continue;
        if (json_object_set_new(m, t, json_integer((json_int_t)recs[i].index)) != 0) {
            json_decref(m);
            m = NULL;
        }
    }
    return m;
}

/* How many of inc[0..n) `erased` names. */
static size_t erased_count(constat_indexed_record **inc, size_t n, const json_t *erased)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = sget(inc[i]->record, "id", NULL);
        c += id && json_object_get(erased, id);
    }
    return c;
}

static constat_status incidents_table(constat_buf *b, constat_indexed_record **inc, size_t from,
                                      size_t to, const constat_proven_time *times,
                                      const constat_taxonomy *tax, const json_t *erased,
                                      constat_error *err)
{
    size_t i, k;
    char proven[32];

    P(constat_buf_puts(
        b, "<table><thead><tr><th scope=\"col\">feuille <span class=\"en\">/ leaf</span></th>"
           "<th scope=\"col\">id</th><th scope=\"col\">survenu (début, déclaré) "
           "<span class=\"en\">/ occurred (start, claimed)</span></th>"
           "<th scope=\"col\">enregistré (déclaré par l'appareil) <span class=\"en\">/ "
           "recorded (claimed by the device)</span></th>"
           "<th scope=\"col\">existait au plus tard (prouvé, RFC 3161) <span class=\"en\">/ "
           "existed by (proven, RFC 3161)</span></th><th scope=\"col\">lieu <span class=\"en\">/ place</span></th>"
           "<th scope=\"col\">catégories <span class=\"en\">/ categories</span></th>"
           "<th scope=\"col\">source</th><th scope=\"col\">résumé <span class=\"en\">/ "
           "summary</span></th></tr></thead>\n<tbody>\n"));
    for (i = from; i < to; i++) {
        const json_t *r = inc[i]->record, *cats = json_object_get(r, "categories");
        const char *place = sget(r, "place", "name"), *country = sget(r, "place", "country");
        const char *ref = sget(r, "source", "reference");
        if (!place)
            place = sget(r, "place", "site");
        P(constat_buf_printf(b, "<tr id=\"leaf-%" PRIu64 "\"><td class=\"n\">%" PRIu64
                                "</td><td class=\"id\">",
                             inc[i]->index, inc[i]->index));
        P(esc(b, sget(r, "id", NULL)));
        {
            const json_t *el = sget(r, "id", NULL) ? json_object_get(erased, sget(r, "id", NULL))
                                                   : NULL;
            if (el)
                P(constat_buf_printf(b, "<br><small class=\"erased\">effacé <span "
                                        "class=\"en\">/ erased</span> (feuille <span "
                                        "class=\"en\">/ leaf</span> %lld)</small>",
                                     (long long)json_integer_value(el)));
        }
        P(constat_buf_puts(b, "</td><td class=\"date\">"));
        P(occurred_html(b, r));
        P(constat_buf_puts(b, "</td><td>"));
        P(esc(b, sget(r, "recorded_at", NULL)));
        P(constat_buf_puts(b, "</td><td>"));
        if (times[i].proven)
            P(esc(b, proven_text(&times[i], proven)));
        else
            P(constat_buf_puts(b, "non prouvé <span class=\"en\">/ not proven</span>"));
        P(constat_buf_puts(b, "</td><td>"));
        P(esc(b, place));
        if (country) {
            P(constat_buf_puts(b, " ("));
            P(esc(b, country));
            P(constat_buf_puts(b, ")"));
        }
        P(constat_buf_puts(b, "</td><td>"));
        for (k = 0; k < json_array_size(cats); k++) {
            const char *c = json_string_value(json_array_get(cats, k));
            if (!c)
                continue;
            P(constat_buf_puts(b, k ? "; " : ""));
            P(esc(b, tax ? constat_taxonomy_label(tax, c, "fr") : c));
            if (tax) {
                P(constat_buf_puts(b, " <span class=\"en\">/ "));
                P(esc(b, constat_taxonomy_label(tax, c, "en")));
                P(constat_buf_puts(b, "</span>"));
            }
        }
        P(constat_buf_puts(b, "</td><td>"));
        P(esc(b, key_label(tax, "source_type", json_object_get(json_object_get(r, "source"), "type"),
                           "fr")));
        if (ref) {
            /* A link only for http(s): a hostile reference could be a
             * javascript: URL, and a repository path is no address. */
            P(constat_buf_puts(b, "<br><small>"));
            if (is_web_url(ref)) {
                P(constat_buf_puts(b, "<a href=\""));
                P(esc(b, ref));
                P(constat_buf_puts(b, "\" rel=\"noopener noreferrer\">"));
                P(esc(b, ref));
                P(constat_buf_puts(b, "</a>"));
            } else {
                P(esc(b, ref));
            }
            P(constat_buf_puts(b, "</small>"));
        }
        P(constat_buf_puts(b, "</td><td>"));
        P(esc(b, sget(r, "summary", NULL)));
        P(constat_buf_puts(b, "</td></tr>\n"));
    }
    P(constat_buf_puts(b, "</tbody></table>\n"));
    return CONSTAT_OK;
}

static size_t page_count(size_t n)
{
    return n <= INCIDENTS_PER_PAGE ? 0 : (n + INCIDENTS_PER_PAGE - 1) / INCIDENTS_PER_PAGE;
}

/* The incident list in index.html: the table itself, or, past
 * INCIDENTS_PER_PAGE incidents, links to its pages with their leaf ranges. */
static constat_status incidents_html(constat_buf *b, constat_indexed_record **inc, size_t n,
                                     const constat_proven_time *times,
                                     const constat_taxonomy *tax, const json_t *erased,
                                     constat_error *err)
{
    size_t pages = page_count(n), k, ne = erased_count(inc, n, erased);
    constat_status st;

    P(constat_buf_puts(b, "<section id=\"incidents\">\n"));
    P(bi(b, "h2", NULL, "Incidents comptés", "Incidents counted"));
    P(prose(b, "",
            "<p>Une ligne par incident, dans l'ordre du journal. Le numéro de feuille est "
            "l'index de l'enregistrement dans le journal ; sa preuve d'inclusion est dans le "
            "dossier. Aussi en <a href=\"incidents.csv\">CSV</a>.</p>",
            "<p>One row per incident, in log order. The leaf number is the record's index in "
            "the log; its inclusion proof is in the dossier. Also as "
            "<a href=\"incidents.csv\">CSV</a>.</p>"));
    if (ne)
        P(constat_buf_printf(b,
                             "<p class=\"erased\"><span lang=\"fr\">Dont %zu effacé(s) "
                             "(marqués « effacé ») : leurs valeurs privées et leurs pièces "
                             "sont détruites, leurs champs publics, dans le journal, restent "
                             "comptés dans les chiffres.</span> <span class=\"en\" "
                             "lang=\"en\">/ Of which %zu erased (marked \"erased\"): their "
                             "private values and evidence files are destroyed; their public "
                             "fields, in the log, are still counted in the figures.</span></p>\n",
                             ne, ne));
    if (!pages) {
        if ((st = incidents_table(b, inc, 0, n, times, tax, erased, err)))
            return st;
    } else {
        P(constat_buf_printf(b,
                             "<p><span lang=\"fr\">%zu incidents, en %zu pages de %d au "
                             "plus :</span> <span class=\"en\" lang=\"en\">/ %zu incidents, "
                             "in %zu pages of at most %d:</span></p>\n<ul class=\"pages\">\n",
                             n, pages, INCIDENTS_PER_PAGE, n, pages, INCIDENTS_PER_PAGE));
        for (k = 0; k < pages; k++) {
            size_t lo = k * INCIDENTS_PER_PAGE;
            size_t hi = lo + INCIDENTS_PER_PAGE < n ? lo + INCIDENTS_PER_PAGE : n;
            P(constat_buf_printf(b,
                                 "<li><a href=\"incidents-%zu.html\">page %zu</a> "
                                 "\xe2\x80\x94 feuilles <span class=\"en\">/ leaves</span> %"
                                 PRIu64 "\xe2\x80\x93%" PRIu64 " (%zu)</li>\n",
                                 k + 1, k + 1, inc[lo]->index, inc[hi - 1]->index, hi - lo));
        }
        P(constat_buf_puts(b, "</ul>\n"));
    }
    P(constat_buf_puts(b, "</section>\n"));
    return CONSTAT_OK;
}

/* incidents-K.html: page k (1-based) of `pages`, standalone. */
static constat_status incidents_page(constat_buf *b, constat_indexed_record **inc, size_t n,
                                     size_t k, size_t pages, const constat_proven_time *times,
                                     const constat_taxonomy *tax, const json_t *erased,
                                     const constat_report_meta *meta, constat_error *err)
{
    size_t lo = (k - 1) * INCIDENTS_PER_PAGE;
    size_t hi = lo + INCIDENTS_PER_PAGE < n ? lo + INCIDENTS_PER_PAGE : n;
    constat_status st;

    P(constat_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                          "<title>constat \xe2\x80\x94 "));
    P(esc(b, meta && meta->org ? meta->org : ""));
    P(constat_buf_printf(b, " \xe2\x80\x94 incidents %zu/%zu</title>\n<style>%s</style>\n"
                            "</head>\n<body>\n<header>\n", k, pages, css));
    {
        char fr[96], en[96];
        snprintf(fr, sizeof fr, "Incidents comptés, page %zu sur %zu", k, pages);
        snprintf(en, sizeof en, "Incidents counted, page %zu of %zu", k, pages);
        P(bi(b, "h1", NULL, fr, en));
    }
    P(constat_buf_puts(b, "<nav><p><a href=\"index.html\">rapport <span class=\"en\">/ "
                          "report</span></a>"));
    if (k > 1)
        P(constat_buf_printf(b, " &middot; <a href=\"incidents-%zu.html\">&larr; page %zu</a>",
                             k - 1, k - 1));
    if (k < pages)
        P(constat_buf_printf(b, " &middot; <a href=\"incidents-%zu.html\">page %zu &rarr;</a>",
                             k + 1, k + 1));
    P(constat_buf_printf(b, " &middot; feuilles <span class=\"en\">/ leaves</span> %" PRIu64
                            "\xe2\x80\x93%" PRIu64 "</p></nav>\n</header>\n<main>\n",
                         inc[lo]->index, inc[hi - 1]->index));
    if ((st = incidents_table(b, inc, lo, hi, times, tax, erased, err)))
        return st;
    P(constat_buf_puts(b, "</main>\n</body>\n</html>\n"));
    return CONSTAT_OK;
}

/* ---- the page ---------------------------------------------------------------------- */

static constat_status meta_row(constat_buf *b, const char *fr, const char *en, const char *v)
{
    if (constat_buf_puts(b, "<dt>") || esc(b, fr) || constat_buf_puts(b, " <span class=\"en\">/ ") ||
        esc(b, en) || constat_buf_puts(b, "</span></dt><dd>") || esc(b, v ? v : "\xe2\x80\x94") ||
        constat_buf_puts(b, "</dd>\n"))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}

/* The scope comes from the caller in English ("all incidents in the log"
 * from constat report, constat_dossier's filter description otherwise):
 * the phrases those callers write get their French, anything else is
 * shown as given. */
static constat_status scope_fr(constat_buf *fr, const char *en)
{
    static const struct {
        const char *en, *fr;
    } fixed[] = {{"all incidents in the log", "tous les incidents du journal"},
                 {"all incidents", "tous les incidents"}};
    const char *p = en, *q;
    size_t i;

    for (i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (strcmp(en, fixed[i].en) == 0)
            return constat_buf_puts(fr, fixed[i].fr);
    if (strncmp(p, "incidents", 9) != 0)
        return CONSTAT_EINVAL;
    p += 9;
    if (constat_buf_puts(fr, "incidents"))
        return CONSTAT_ENOMEM;
    /* clauses in any order, each " X" or ", X" */
    while (*p) {
        int comma = *p == ',';
        if (strncmp(p, comma ? ", " : " ", comma ? 2 : 1) != 0)
            return CONSTAT_EINVAL;
        p += comma ? 2 : 1;
        if (comma && constat_buf_puts(fr, ","))
            return CONSTAT_ENOMEM;
        if (strncmp(p, "that occurred (local date) from ", 32) == 0) {
            char from[64], to[64];
            p += 32;
            q = strstr(p, " to ");
            if (!q || (size_t)(q - p) >= sizeof from)
                return CONSTAT_EINVAL;
            memcpy(from, p, (size_t)(q - p));
            from[q - p] = 0;
            p = q + 4;
            q = p + strcspn(p, ",");
            if ((size_t)(q - p) >= sizeof to)
                return CONSTAT_EINVAL;
            memcpy(to, p, (size_t)(q - p));
            to[q - p] = 0;
            p = q;
            if (constat_buf_puts(fr, " survenus (date locale) ") ||
                (strcmp(from, "the start") == 0 ? constat_buf_puts(fr, "depuis le début")
                                                 : constat_buf_printf(fr, "du %s", from)) ||
                (strcmp(to, "the end") == 0
                     ? constat_buf_puts(fr, " jusqu'à la fin")
                     : constat_buf_printf(fr, strcmp(from, "the start") == 0 ? " jusqu'au %s"
                                                                             : " au %s",
                                          to)))
                return CONSTAT_ENOMEM;
        } else if (strncmp(p, "in category ", 12) == 0) {
            p += 12;
            q = p + strcspn(p, ", ");
            if (constat_buf_puts(fr, " de la catégorie ") ||
                constat_buf_append(fr, p, (size_t)(q - p)))
                return CONSTAT_ENOMEM;
            p = q;
        } else if (strncmp(p, "in commune ", 11) == 0) {
            p += 11;
            q = p + strcspn(p, ",");
            if (constat_buf_puts(fr, " de la commune ") ||
                constat_buf_append(fr, p, (size_t)(q - p)))
                return CONSTAT_ENOMEM;
            p = q;
        } else if (strncmp(p, "in ", 3) == 0) { /* a country: "in France (FR)" */
            p += 3;
            q = p + strcspn(p, ",");
            if (q - p < 5 || q[-1] != ')' || q[-5] != ' ' || q[-4] != '(')
                return CONSTAT_EINVAL;
            if (constat_buf_puts(fr, " du pays ") || constat_buf_append(fr, p, (size_t)(q - p)))
                return CONSTAT_ENOMEM;
            p = q;
        } else if (strncmp(p, "with a place name containing \"", 30) == 0) {
            size_t n;
            p += 30;
            n = strlen(p);
            if (n == 0 || p[n - 1] != '"')
                return CONSTAT_EINVAL;
            if (constat_buf_puts(fr, " dont le nom de lieu contient « ") ||
                constat_buf_append(fr, p, n - 1) || constat_buf_puts(fr, " »"))
                return CONSTAT_ENOMEM;
            p += n;
        } else {
            return CONSTAT_EINVAL;
        }
    }
    return CONSTAT_OK;
}

static constat_status scope_row(constat_buf *b, const char *scope)
{
    constat_buf fr;
    constat_status st;
    if (!scope)
        return meta_row(b, "Périmètre", "Scope", NULL);
    constat_buf_init(&fr);
    st = scope_fr(&fr, scope);
    if (st == CONSTAT_ENOMEM) {
        constat_buf_free(&fr);
        return st;
    }
    if (constat_buf_puts(b, "<dt>Périmètre <span class=\"en\">/ Scope</span></dt><dd>")) {
        constat_buf_free(&fr);
        return CONSTAT_ENOMEM;
    }
    if (st == CONSTAT_OK)
        st = constat_buf_puts(b, "<span lang=\"fr\">") || esc(b, (const char *)fr.data) ||
                     constat_buf_puts(b, "</span> <span class=\"en\" lang=\"en\">/ ") ||
                     esc(b, scope) || constat_buf_puts(b, "</span>")
                 ? CONSTAT_ENOMEM
                 : CONSTAT_OK;
    else /* not a phrase we know: the caller's text as given */
        st = constat_buf_puts(b, "<span lang=\"en\">") || esc(b, scope) ||
                     constat_buf_puts(b, "</span>")
                 ? CONSTAT_ENOMEM
                 : CONSTAT_OK;
    constat_buf_free(&fr);
    return st || constat_buf_puts(b, "</dd>\n") ? CONSTAT_ENOMEM : CONSTAT_OK;
}

static const json_t *find_figure(const json_t *figures, const char *id)
{
    const json_t *figs = json_object_get(figures, "figures");
    for (size_t i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i);
        const char *fid = json_string_value(json_object_get(f, "id"));
        if (fid && strcmp(fid, id) == 0)
            return f;
    }
    return NULL;
}

/* One summary line: a label in both languages linked to its figure, and a value. */
static constat_status summary_row(constat_buf *b, const char *fig, const char *fr,
                                  const char *en, long long value)
{
    if (constat_buf_printf(b, "<tr><td><a href=\"#fig-%s\">", fig) || esc(b, fr) ||
        constat_buf_puts(b, "</a> <span class=\"en\" lang=\"en\">/ ") || esc(b, en) ||
        constat_buf_printf(b, "</span></td><td class=\"n\">%lld</td></tr>\n", value))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}

/* The rows of a one-dimension figure as summary lines, largest first
 * (ties in row order), under a heading line. */
static constat_status summary_rows(constat_buf *b, const json_t *fig, const char *dim,
                                   const char *hfr, const char *hen,
                                   const constat_taxonomy *tax, constat_error *err)
{
    const json_t *rows = json_object_get(fig, "rows");
    const char *id = json_string_value(json_object_get(fig, "id"));
    size_t n = json_array_size(rows), i, j, *ord;

    if (!n)
        return CONSTAT_OK;
    if (!(ord = malloc(n * sizeof *ord)))
        return NOMEM();
    for (i = 0; i < n; i++)
        ord[i] = i;
    for (i = 1; i < n; i++) /* insertion sort: stable, rows are few */
        for (j = i; j > 0; j--) {
            json_int_t x = json_integer_value(json_object_get(json_array_get(rows, ord[j]), "value"));
            json_int_t y =
                json_integer_value(json_object_get(json_array_get(rows, ord[j - 1]), "value"));
            size_t t;
            if (x <= y)
                break;
            t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    if (constat_buf_puts(b, "<tr><th scope=\"rowgroup\" colspan=\"2\">") || esc(b, hfr) ||
        constat_buf_puts(b, " <span class=\"en\" lang=\"en\">/ ") || esc(b, hen) ||
        constat_buf_puts(b, "</span></th></tr>\n")) {
        free(ord);
        return NOMEM();
    }
    for (i = 0; i < n; i++) {
        const json_t *r = json_array_get(rows, ord[i]);
        const json_t *e = json_array_get(json_object_get(r, "key"), 0);
        if (summary_row(b, id, key_label(tax, dim, e, "fr"), key_label(tax, dim, e, "en"),
                        (long long)json_integer_value(json_object_get(r, "value")))) {
            free(ord);
            return NOMEM();
        }
    }
    free(ord);
    return CONSTAT_OK;
}

/* The first section a reader sees: what was selected, over which period,
 * and the main figures (each linked to its full table below). */
static constat_status summary_html(constat_buf *b, constat_indexed_record **inc, size_t n,
                                   const constat_taxonomy *tax, const json_t *figures,
                                   const constat_report_meta *meta, constat_error *err)
{
    const json_t *f;
    char first[11] = "", last[11] = "", count[32];
    size_t i;
    constat_status st;

    for (i = 0; i < n; i++) {
        const char *s = sget(inc[i]->record, "occurred", "start");
        if (!s || strlen(s) < 10)
            continue;
        if (!first[0] || strncmp(s, first, 10) < 0)
            memcpy(first, s, 10);
        if (!last[0] || strncmp(s, last, 10) > 0)
            memcpy(last, s, 10);
    }
    P(constat_buf_puts(b, "<section id=\"summary\">\n"));
    P(bi(b, "h2", NULL, "En bref", "Summary"));
    P(constat_buf_puts(b, "<dl class=\"meta\">\n"));
    P(scope_row(b, meta->scope));
    if (first[0]) {
        char fr[96], en[96];
        snprintf(fr, sizeof fr, "du %s au %s (dates locales déclarées)", first, last);
        snprintf(en, sizeof en, "from %s to %s (local dates as claimed)", first, last);
        P(constat_buf_puts(b, "<dt>Période couverte <span class=\"en\">/ Period covered</span>"
                              "</dt><dd><span lang=\"fr\">"));
        P(esc(b, fr));
        P(constat_buf_puts(b, "</span> <span class=\"en\" lang=\"en\">/ "));
        P(esc(b, en));
        P(constat_buf_puts(b, "</span></dd>\n"));
    }
    snprintf(count, sizeof count, "%zu", n);
    P(meta_row(b, "Incidents comptés", "Incidents counted", count));
    P(constat_buf_puts(b, "</dl>\n<table class=\"summary\"><thead><tr><th scope=\"col\">"
                          "chiffre <span class=\"en\">/ figure</span></th><th scope=\"col\">"
                          "valeur <span class=\"en\">/ value</span></th></tr></thead>\n"
                          "<tbody>\n"));
    if ((f = find_figure(figures, "incidents_total")))
        P(summary_row(b, "incidents_total", "Incidents enregistrés", "Incidents recorded",
                      (long long)json_integer_value(json_object_get(
                          json_array_get(json_object_get(f, "rows"), 0), "value"))));
    if ((f = find_figure(figures, "persons_affected_total")))
        P(summary_row(b, "persons_affected_total", "Personnes concernées (nombres indiqués)",
                      "Persons affected (stated counts)",
                      (long long)json_integer_value(json_object_get(
                          json_array_get(json_object_get(f, "rows"), 0), "value"))));
    if ((f = find_figure(figures, "incidents_by_category")) &&
        (st = summary_rows(b, f, "category", "Incidents par catégorie", "Incidents by category",
                           tax, err)))
        return st;
    if ((f = find_figure(figures, "incidents_by_country")) &&
        (st = summary_rows(b, f, "country", "Incidents par pays", "Incidents by country", tax,
                           err)))
        return st;
    P(constat_buf_puts(b, "</tbody></table>\n"));
    P(prose(b, "",
            "<p>Un incident à plusieurs catégories compte dans chacune. Les détails, les "
            "graphiques et les feuilles comptées suivent ; la manière de tout vérifier est à "
            "la fin (<a href=\"#verify\">Comment vérifier</a>).</p>",
            "<p>An incident with several categories counts in each. Details, charts and the "
            "leaves counted follow; how to check all of it is at the end "
            "(<a href=\"#verify\">How to verify</a>).</p>"));
    P(constat_buf_puts(b, "</section>\n"));
    return CONSTAT_OK;
}

/* The map's view of the incident list (map.h). */
static const json_t *map_record(void *ctx, size_t i)
{
    return ((constat_indexed_record **)ctx)[i]->record;
}

static constat_status page(constat_buf *b, constat_indexed_record **inc, size_t n,
                           const constat_proven_time *times,
                           const constat_taxonomy *tax, const json_t *figures,
                           const json_t *erased, const constat_report_meta *meta,
                           constat_error *err)
{
    const json_t *figs = json_object_get(figures, "figures");
    constat_report_meta none;
    leaf_map map = {inc, n, page_count(n) > 0};
    char size[32];
    size_t i;
    constat_status st;

    if (!meta) {
        memset(&none, 0, sizeof none);
        meta = &none;
    }
    snprintf(size, sizeof size, "%" PRIu64, meta->tree_size);
    P(constat_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                          "<title>constat \xe2\x80\x94 "));
    P(esc(b, meta->org ? meta->org : ""));
    P(constat_buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n", css));
    P(bi(b, "h1", NULL, "Rapport d'incidents", "Incident report"));
    P(constat_buf_puts(b, "<p>"));
    P(esc(b, meta->org ? meta->org : "\xe2\x80\x94"));
    P(constat_buf_puts(b, "</p>\n</header>\n"));
    if ((st = summary_html(b, inc, n, tax, figures, meta, err)))
        return st;
    if ((st = report_disclosure_html(b, figures, err)) ||
        (st = report_synthetic_html(b, meta->origin, err)) ||
        (st = report_map_html(b, map_record, inc, n, err)) ||
        (st = report_public_map_html(b, figures, err)))
        return st;
    P(constat_buf_puts(b, "<section class=\"caveats\" id=\"caveats\">\n"));
    P(bi(b, "h2", NULL, "Limites", "Caveats"));
    P(prose(b, "",
            "<ul><li><strong>Biais de sélection</strong> : les enregistrements reflètent les "
            "lieux et moments où des observateurs étaient présents et ce que les sources ont "
            "publié ; ils ne mesurent pas la fréquence réelle des faits.</li>"
            "<li>Les nombres sont des <strong>minima</strong> : l'observation est souvent "
            "empêchée, et les sommes ne portent que sur les nombres indiqués.</li>"
            "<li><strong>Coordonnées approximatives</strong> : souvent le point d'une ville ou "
            "d'un passage frontalier, jamais l'emplacement exact d'un lieu de vie.</li>"
            "<li>Un incident à plusieurs catégories compte dans chacune ; deux sources "
            "peuvent décrire le même événement.</li>"
            "<li>Le délai d'enregistrement des publications importées est grand par nature : "
            "il mesure l'import, pas l'observation.</li>"
            "<li>Les définitions exactes sont dans <code>docs/indicators.md</code>.</li></ul>",
            "<ul><li><strong>Selection bias</strong>: records reflect where and when monitors "
            "were present and what sources published; they do not measure how often things "
            "happen.</li>"
            "<li>Counts are <strong>minima</strong>: observation is often obstructed, and sums "
            "cover stated numbers only.</li>"
            "<li><strong>Approximate coordinates</strong>: often a town or border-crossing "
            "point, never the exact location of a living site.</li>"
            "<li>An incident with several categories counts in each; two sources may describe "
            "the same event.</li>"
            "<li>The recording delay of imported publications is large by nature: it measures "
            "the import, not the observation.</li>"
            "<li>Exact definitions are in <code>docs/indicators.md</code>.</li></ul>"));
    P(constat_buf_puts(b, "</section>\n<nav>\n"));
    P(bi(b, "h2", NULL, "Figures", "Figures"));
    P(constat_buf_puts(b, "<ul>\n"));
    for (i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i), *t = json_object_get(f, "title");
        P(constat_buf_printf(b, "<li><a href=\"#fig-%s\">",
                             json_string_value(json_object_get(f, "id"))));
        P(esc(b, json_string_value(json_object_get(t, "fr"))));
        P(constat_buf_puts(b, "</a> <span class=\"en\">/ "));
        P(esc(b, json_string_value(json_object_get(t, "en"))));
        P(constat_buf_puts(b, "</span></li>\n"));
    }
    P(constat_buf_puts(b, "<li><a href=\"#incidents\">Incidents comptés</a> "
                          "<span class=\"en\">/ Incidents counted</span></li>\n"
                          "<li><a href=\"#verify\">Comment vérifier</a> "
                          "<span class=\"en\">/ How to verify</span></li>\n</ul>\n</nav>\n"
                          "<main>\n"));
    for (i = 0; i < json_array_size(figs); i++)
        if ((st = figure_section(b, json_array_get(figs, i), tax, &map, err)))
            return st;
    if (meta->validation_html)
        P(constat_buf_puts(b, meta->validation_html));
    if ((st = incidents_html(b, inc, n, times, tax, erased, err)))
        return st;
    P(constat_buf_puts(b, "</main>\n<section id=\"verify\">\n"));
    P(bi(b, "h2", NULL, "Comment vérifier", "How to verify"));
    P(prose(b, "",
            "<p>Chaque enregistrement est une feuille d'un journal Merkle en ajout seul "
            "(RFC 6962/9162). Le point de contrôle signé ci-dessous (note signée C2SP) fixe "
            "la taille et la racine de l'arbre que ce rapport couvre. Chaque chiffre nomme "
            "les feuilles qu'il compte ; <code>constat verify</code> sur le dossier vérifie "
            "les signatures, les preuves d'inclusion, ce point de contrôle et recompte les "
            "chiffres, sans rien d'autre que le dossier.</p>",
            "<p>Each record is a leaf of an append-only Merkle log (RFC 6962/9162). The signed "
            "checkpoint below (a C2SP signed note) fixes the size and root of the tree this "
            "report covers. Every figure names the leaves it counts; <code>constat "
            "verify</code> on the dossier checks the signatures, the inclusion proofs and this "
            "checkpoint and recounts the figures, with nothing but the dossier.</p>"));
    P(constat_buf_puts(b, "<dl class=\"meta\">\n"));
    P(meta_row(b, "Organisation", "Organisation", meta->org));
    P(meta_row(b, "Journal (origine)", "Log origin", meta->origin));
    P(meta_row(b, "Taille de l'arbre", "Tree size", size));
    P(meta_row(b, "Généré le", "Generated at", meta->generated_at));
    P(constat_buf_puts(b, "</dl>\n"));
    P(bi(b, "h3", NULL, "Point de contrôle signé", "Signed checkpoint"));
    P(constat_buf_puts(b, "<pre>"));
    {
        /* the note's own line breaks are kept in <pre>; any other control or
         * bidirectional character in it is made visible */
        const char *note = meta->checkpoint_note ? meta->checkpoint_note : "\xe2\x80\x94";
        P(constat_html_escape_n(b, note, strlen(note), CONSTAT_ESC_KEEP_NEWLINE));
    }
    P(constat_buf_puts(b, "</pre>\n</section>\n"));
    P(constat_buf_puts(b, "<section class=\"proof\" id=\"proof\">\n"));
    P(bi(b, "h2", NULL, "Ce que les signatures prouvent, et ce qu'elles ne prouvent pas",
         "What the signatures prove, and what they do not"));
    P(prose(b, "",
            "<p><strong>Elles prouvent</strong> que chaque enregistrement a été écrit et signé "
            "avec la clé d'un observateur inscrit dans le journal (ou la clé de l'organisation "
            "pour les inscriptions), et qu'il figurait dans le journal, sans modification, au "
            "point de contrôle signé ci-dessous. Le journal n'admet que des ajouts : rien n'a "
            "été retiré ni antidaté sans que cela se voie.</p>"
            "<p><strong>Elles ne prouvent pas</strong> que l'événement s'est produit tel qu'il "
            "est décrit. Un enregistrement est une déclaration signée, pas un jugement.</p>"
            "<p>Les enregistrements importés de publications (type de source « publication ») "
            "attestent seulement qui a enregistré quoi, quand, et à partir de quelle source "
            "publique : ils reprennent des faits déjà publiés, ils ne sont pas des observations "
            "de l'organisation.</p>",
            "<p><strong>They prove</strong> that each record was written and signed with the "
            "key of a monitor enrolled in the log (or the organisation key for enrolments), "
            "and that it was in the log, unchanged, at the signed checkpoint below. The log is "
            "append-only: nothing can be removed or back-dated without it showing.</p>"
            "<p><strong>They do not prove</strong> that the event happened as described. A "
            "record is a signed statement, not a finding.</p>"
            "<p>Records imported from publications (source type \xe2\x80\x9cpublication\xe2\x80\x9d) "
            "attest only who recorded what, when, from which public source: they restate facts "
            "already published and are not the organisation's own observations.</p>"));
    P(constat_buf_puts(b, "</section>\n<footer><p>constat " "\xe2\x80\x94"
                          " <span lang=\"fr\">chaque chiffre nomme les feuilles qu'il compte ; "
                          "<code>constat verify</code> les recompte.</span> <span class=\"en\" "
                          "lang=\"en\">/ every figure names the leaves it counts; <code>constat "
                          "verify</code> recounts them.</span></p></footer>\n</body>\n</html>\n"));
    return CONSTAT_OK;
}

/* ---- staging: a failed run leaves no half-written report ---------------------- */

/* The report is written into a staging directory and moved into place only
 * once every file is complete. A new report directory is the staging
 * directory renamed (one rename: the report appears whole or not at all).
 * An existing one (a report being refreshed; it may hold other files, which
 * are kept) gets each finished file renamed over the old one, the staging
 * directory then being inside it, on the same file system. */
static constat_status stage_open(const char *dir, char final_dir[4096], char *stage, size_t cap,
                                 int *existed, constat_error *err)
{
    struct stat sb;
    size_t len = strlen(dir);
    int k;

    while (len > 1 && dir[len - 1] == '/')
        len--; /* "r/" and "r" are the same directory */
    if (len >= 4096 - 32)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", dir);
    memcpy(final_dir, dir, len);
    final_dir[len] = 0;
    *existed = stat(final_dir, &sb) == 0;
    if (*existed && !S_ISDIR(sb.st_mode))
        return constat_error_set(err, CONSTAT_EIO, "%s: exists and is not a directory",
                                 final_dir);
    if (!*existed && errno != ENOENT)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", final_dir, strerror(errno));
    k = snprintf(stage, cap, *existed ? "%s/.constat-report-XXXXXX" : "%s.partial-XXXXXX",
                 strcmp(final_dir, "/") == 0 && *existed ? "" : final_dir);
    if (k < 0 || (size_t)k >= cap)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", dir);
    if (!mkdtemp(stage))
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot create a staging directory: %s",
                                 stage, strerror(errno));
    chmod(stage, 0755); /* mkdtemp makes it 0700; the report is for reading */
    return CONSTAT_OK;
}

/* Move (ok = 1) or remove (ok = 0) the files of the staging directory, then
 * remove it. Only the names this writer creates are touched. */
static constat_status stage_close(const char *stage, const char *final_dir, int existed,
                                  const json_t *figures, size_t pages, int ok,
                                  constat_error *err)
{
    static const char *const top[] = {"figures.json", "incidents.csv", "index.html"};
    const json_t *figs = json_object_get(figures, "figures");
    char from[4096], to[4096], sub[4096];
    size_t i;
    constat_status st = CONSTAT_OK;

    if (ok && !existed) {
        if (rename(stage, final_dir) == 0)
            return CONSTAT_OK;
        if (errno != EEXIST && errno != ENOTEMPTY)
            st = constat_error_set(err, CONSTAT_EIO, "%s: cannot rename to %s: %s", stage,
                                   final_dir, strerror(errno));
        else if (mkdir(final_dir, 0755) != 0 && errno != EEXIST) /* made meanwhile */
            st = constat_error_set(err, CONSTAT_EIO, "%s: cannot create directory: %s",
                                   final_dir, strerror(errno));
        if (st)
            ok = 0;
    }
    if (ok) {
        snprintf(sub, sizeof sub, "%s/figures", final_dir);
        if ((st = ensure_dir(sub, err)))
            ok = 0;
    }
    for (i = 0; i < json_array_size(figs); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(figs, i), "id"));
        snprintf(from, sizeof from, "%s/figures/%s.csv", stage, id);
        snprintf(to, sizeof to, "%s/figures/%s.csv", final_dir, id);
        if (ok && rename(from, to) != 0) {
            st = constat_error_set(err, CONSTAT_EIO, "%s: cannot rename to %s: %s", from, to,
                                   strerror(errno));
            ok = 0;
        }
        unlink(from);
    }
    for (i = 0; i < sizeof top / sizeof *top; i++) {
        snprintf(from, sizeof from, "%s/%s", stage, top[i]);
        snprintf(to, sizeof to, "%s/%s", final_dir, top[i]);
        if (ok && rename(from, to) != 0) {
            st = constat_error_set(err, CONSTAT_EIO, "%s: cannot rename to %s: %s", from, to,
                                   strerror(errno));
            ok = 0;
        }
        unlink(from);
    }
    for (i = 1; i <= pages; i++) {
        snprintf(from, sizeof from, "%s/incidents-%zu.html", stage, i);
        snprintf(to, sizeof to, "%s/incidents-%zu.html", final_dir, i);
        if (ok && rename(from, to) != 0) {
            st = constat_error_set(err, CONSTAT_EIO, "%s: cannot rename to %s: %s", from, to,
                                   strerror(errno));
            ok = 0;
        }
        unlink(from);
    }
    /* pages of an earlier, longer report would link to incidents not in this
     * one: removed (this writer's names only) */
    for (i = pages + 1; ok && existed; i++) {
        snprintf(to, sizeof to, "%s/incidents-%zu.html", final_dir, i);
        if (unlink(to) != 0)
            break;
    }
    snprintf(sub, sizeof sub, "%s/figures", stage);
    rmdir(sub);
    rmdir(stage);
    return st;
}

static constat_status figure_csv(constat_buf *b, const json_t *fig)
{
    const json_t *dims = json_object_get(fig, "dimensions"), *rows = json_object_get(fig, "rows");
    size_t i, j;

    for (i = 0; i < json_array_size(dims); i++)
        if (constat_csv_field(b, json_string_value(json_array_get(dims, i))) ||
            constat_buf_puts(b, ","))
            return CONSTAT_ENOMEM;
    if (constat_buf_puts(b, "value,leaves\r\n"))
        return CONSTAT_ENOMEM;
    for (i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i), *key = json_object_get(r, "key");
        const json_t *leaves = json_object_get(r, "leaves");
        for (j = 0; j < json_array_size(key); j++)
            if (constat_csv_field(b, json_string_value(json_array_get(key, j))) ||
                constat_buf_puts(b, ","))
                return CONSTAT_ENOMEM;
        if (constat_buf_put_i64(b, json_integer_value(json_object_get(r, "value"))) ||
            constat_buf_puts(b, ","))
            return CONSTAT_ENOMEM;
        for (j = 0; j < json_array_size(leaves); j++)
            if ((j && constat_buf_append(b, " ", 1)) ||
                constat_buf_put_i64(b, json_integer_value(json_array_get(leaves, j))))
                return CONSTAT_ENOMEM;
        if (constat_buf_puts(b, "\r\n"))
            return CONSTAT_ENOMEM;
    }
    /* a public report's suppressed cells: value "<k" (or "x", secondary) */
    rows = json_object_get(fig, "suppressed");
    for (i = 0; i < json_array_size(rows); i++) {
        const json_t *r = json_array_get(rows, i), *key = json_object_get(r, "key");
        const char *rule = json_string_value(json_object_get(r, "rule"));
        for (j = 0; j < json_array_size(key); j++)
            if (constat_csv_field(b, json_string_value(json_array_get(key, j))) ||
                constat_buf_puts(b, ","))
                return CONSTAT_ENOMEM;
        if (constat_buf_puts(b, rule && strcmp(rule, "secondary") == 0 ? "x,\r\n" : "<k,\r\n"))
            return CONSTAT_ENOMEM;
    }
    return CONSTAT_OK;
}

constat_status constat_report_write(const char *dir, const constat_indexed_record *recs,
                                    size_t n, const constat_taxonomy *tax,
                                    const json_t *figures, const constat_report_meta *meta,
                                    constat_error *err)
{
    return constat_report_write_timed(dir, recs, n, tax, NULL, figures, meta, err);
}

static constat_status report_write_effective(const char *dir,
                                             const constat_indexed_record *recs, size_t n,
                                             const constat_taxonomy *tax,
                                             const constat_proven_time *times,
                                             const json_t *figures,
                                             const constat_report_meta *meta,
                                             constat_error *err);

/* Render every file of the report, in a fixed order, through emit. Nothing
 * here reads the clock, the locale or a hash table's order: the same
 * records, taxonomy, times, figures and meta give the same bytes. */
static constat_status report_render_effective(const constat_indexed_record *recs, size_t n,
                                              const constat_taxonomy *tax,
                                              const constat_proven_time *times,
                                              const json_t *figures,
                                              const constat_report_meta *meta,
                                              constat_report_emit_fn emit, void *ctx,
                                              constat_error *err)
{
    constat_proven_time *itimes = NULL; /* parallel to inc */
    constat_indexed_record **inc = NULL;
    json_t *erased = NULL; /* erased incident id -> erasure leaf */
    size_t ninc = 0, i;
    constat_buf b;
    constat_status st;
    const json_t *figs;

    if ((st = check_figures(figures, err)))
        return st;
    for (i = 0; i < n; i++)
        if (!json_is_object(recs[i].record))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "leaf %" PRIu64 ": record is not an object", recs[i].index);
    constat_buf_init(&b);
    inc = calloc(n + 1, sizeof *inc);
    if (!inc)
        return NOMEM();
    for (i = 0; i < n; i++)
        if (is_incident(recs[i].record))
            inc[ninc++] = (constat_indexed_record *)&recs[i];
    if (ninc)
        qsort(inc, ninc, sizeof *inc, rec_cmp);
    itimes = calloc(ninc + 1, sizeof *itimes);
    erased = erased_map(recs, n);
    if (!itimes || !erased) {
        free(itimes);
        free(inc);
        json_decref(erased);
        return NOMEM();
    }
    for (i = 0; times && i < ninc; i++)
        itimes[i] = times[inc[i] - recs];

    if ((st = constat_canon(figures, &b, err)) ||
        (st = emit(ctx, "figures.json", b.data, b.len, err)))
        goto done;
    figs = json_object_get(figures, "figures");
    for (i = 0; i < json_array_size(figs); i++) {
        const json_t *f = json_array_get(figs, i);
        char name[96];
        snprintf(name, sizeof name, "figures/%s.csv",
                 json_string_value(json_object_get(f, "id")));
        constat_buf_reset(&b);
        if (figure_csv(&b, f)) {
            st = NOMEM();
            goto done;
        }
        if ((st = emit(ctx, name, b.data, b.len, err)))
            goto done;
    }
    constat_buf_reset(&b);
    if (incidents_csv(&b, inc, ninc, itimes)) {
        st = NOMEM();
        goto done;
    }
    if ((st = emit(ctx, "incidents.csv", b.data, b.len, err)))
        goto done;
    constat_buf_reset(&b);
    if ((st = page(&b, inc, ninc, itimes, tax, figures, erased, meta, err)) ||
        (st = emit(ctx, "index.html", b.data, b.len, err)))
        goto done;
    for (i = 1; i <= page_count(ninc); i++) {
        char name[64];
        snprintf(name, sizeof name, "incidents-%zu.html", i);
        constat_buf_reset(&b);
        if ((st = incidents_page(&b, inc, ninc, i, page_count(ninc), itimes, tax, erased, meta,
                                 err)) ||
            (st = emit(ctx, name, b.data, b.len, err)))
            goto done;
    }
done:
    free(itimes);
    free(inc);
    json_decref(erased);
    constat_buf_free(&b);
    return st;
}

/* Writing: each rendered file into the staging directory. */
typedef struct {
    const char *stage;
    size_t pages; /* incidents-K.html staged so far: removed on failure */
    int figdir;   /* figures/ made */
} stage_writer;

static constat_status stage_emit(void *vctx, const char *name, const unsigned char *data,
                                 size_t len, constat_error *err)
{
    stage_writer *w = vctx;
    constat_buf b = {(unsigned char *)data, len, len};
    char path[4096];
    constat_status st;

    if (strncmp(name, "incidents-", 10) == 0)
        w->pages++;
    if (strncmp(name, "figures/", 8) == 0 && !w->figdir) {
        w->figdir = 1;
        if ((st = join(path, sizeof path, w->stage, "figures", NULL, err)) ||
            (st = ensure_dir(path, err)))
            return st;
    }
    if ((st = join(path, sizeof path, w->stage, name, NULL, err)))
        return st;
    return write_file(path, &b, err);
}

static constat_status report_write_effective(const char *dir,
                                             const constat_indexed_record *recs, size_t n,
                                             const constat_taxonomy *tax,
                                             const constat_proven_time *times,
                                             const json_t *figures,
                                             const constat_report_meta *meta,
                                             constat_error *err)
{
    char stage[4096], final_dir[4096];
    stage_writer w;
    constat_status st;
    int existed = 0;

    /* the figures' shape first: nothing is staged for figures that cannot
     * be rendered */
    if ((st = check_figures(figures, err)))
        return st;
    if ((st = stage_open(dir, final_dir, stage, sizeof stage, &existed, err)))
        return st;
    w.stage = stage; /* every file goes to the staging directory first */
    w.pages = 0;
    w.figdir = 0;
    st = report_render_effective(recs, n, tax, times, figures, meta, stage_emit, &w, err);
    if (st == CONSTAT_OK)
        return stage_close(stage, final_dir, existed, figures, w.pages, 1, err);
    stage_close(stage, final_dir, existed, figures, w.pages, 0, NULL);
    return st;
}

/* The report lists the latest version of each incident, at its correction's
 * leaf (the leaf the figures name), and leaves retracted ones out: the
 * records are made effective, then written into `dir` (when not NULL) or
 * handed to `emit`. */
static constat_status report_effective(const char *dir, const constat_indexed_record *recs,
                                       size_t n, const constat_taxonomy *tax,
                                       const constat_proven_time *times, const json_t *figures,
                                       const constat_report_meta *meta,
                                       constat_report_emit_fn emit, void *ctx,
                                       constat_error *err)
{
    constat_indexed_record *eff = NULL;
    constat_proven_time *efft = NULL;
    size_t neff = 0;
    constat_status st;

    if (n && !recs)
        return constat_error_set(err, CONSTAT_EINVAL, "report: no records given");
    for (size_t i = 0; i < n; i++)
        if (!json_is_object(recs[i].record))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "leaf %" PRIu64 ": record is not an object", recs[i].index);
    st = constat_records_effective(recs, n, times, &eff, &efft, &neff, err);
    if (st == CONSTAT_OK && dir)
        st = report_write_effective(dir, eff, neff, tax, times ? efft : NULL, figures, meta,
                                    err);
    else if (st == CONSTAT_OK)
        st = report_render_effective(eff, neff, tax, times ? efft : NULL, figures, meta, emit,
                                     ctx, err);
    free(eff);
    free(efft);
    return st;
}

constat_status constat_report_render(const constat_indexed_record *recs, size_t n,
                                     const constat_taxonomy *tax,
                                     const constat_proven_time *times, const json_t *figures,
                                     const constat_report_meta *meta,
                                     constat_report_emit_fn emit, void *ctx, constat_error *err)
{
    if (!emit)
        return constat_error_set(err, CONSTAT_EINVAL, "report: no output given");
    return report_effective(NULL, recs, n, tax, times, figures, meta, emit, ctx, err);
}

constat_status constat_report_write_timed(const char *dir, const constat_indexed_record *recs,
                                          size_t n, const constat_taxonomy *tax,
                                          const constat_proven_time *times,
                                          const json_t *figures,
                                          const constat_report_meta *meta,
                                          constat_error *err)
{
    if (!dir || !*dir)
        return constat_error_set(err, CONSTAT_EINVAL, "report: no output directory");
    return report_effective(dir, recs, n, tax, times, figures, meta, NULL, NULL, err);
}
