/* validation.c — our figures beside published ones (validation.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/analysis/validation.h"
#include "constat/base/text.h"
#include "constat/record/csv.h"
#include "constat/record/categories.h"

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" at s (len bytes) as the first and last
 * local dates it covers; 0 if not of those forms. */
static int span(const char *s, size_t len, char from[11], char to[11])
{
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] == '-' && (i == 4 || i == 7))))
            return 0;
    if (len == 4) {
        snprintf(from, 11, "%.4s-01-01", s);
        snprintf(to, 11, "%.4s-12-31", s);
    } else if (len == 7 && s[4] == '-') {
        snprintf(from, 11, "%.7s-01", s);
        snprintf(to, 11, "%.7s-31", s);
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        snprintf(from, 11, "%.10s", s);
        snprintf(to, 11, "%.10s", s);
    } else {
        return 0;
    }
    return 1;
}

static int period(const char *p, char from[11], char to[11])
{
    const char *sep = strstr(p, " to ");
    char f2[11], t2[11];
    if (!sep)
        return span(p, strlen(p), from, to);
    return span(p, (size_t)(sep - p), from, t2) && span(sep + 4, strlen(sep + 4), f2, to);
}

/* The parts of a published place: "Calais and Grande-Synthe",
 * "Calais/Coquelles" name each part apart (at most 16, each cut to 127
 * bytes, empty ones dropped). */
typedef struct {
    char part[16][128];
    int n;
} place_parts;

static void place_split(const char *place, place_parts *pp)
{
    const char *s = place;
    pp->n = 0;
    while (*s) {
        const char *a = strstr(s, " and "), *b = strchr(s, '/'), *e;
        e = a && (!b || a < b) ? a : b;
        if (!e)
            e = s + strlen(s);
        if (e > s && pp->n < 16)
            snprintf(pp->part[pp->n++], sizeof pp->part[0], "%.*s", (int)(e - s), s);
        s = *e == '/' ? e + 1 : *e ? e + 5 : e;
    }
}

/* 1 if a part names the record's commune (exactly), place name (as a
 * part of it) or country (exactly): fields[] = commune, name, country. */
static int place_match(const place_parts *pp, const char *const fields[3])
{
    for (int k = 0; k < pp->n; k++)
        for (int i = 0; i < 3; i++)
            if (fields[i] && (i == 1 ? strstr(fields[i], pp->part[k]) != NULL
                                     : strcmp(fields[i], pp->part[k]) == 0))
                return 1;
    return 0;
}

/* What a published indicator counts, in our terms: the category, and
 * whether ours sums persons (1) or counts incidents (0); NULL if none. */
static const char *indicator(const char *ind, const char *unit, int *persons)
{
    *persons = 0;
    if (strstr(ind, "evict") && (strncmp(unit, "evictions", 9) == 0 ||
                                 strncmp(unit, "site-evictions", 14) == 0) &&
        !strstr(ind, "share") && !strstr(ind, "average") && !strstr(ind, "interval"))
        return "eviction";
    *persons = 1;
    if (strncmp(unit, "persons", 7) == 0 && strstr(ind, "pushed back") && !strstr(ind, "share"))
        return "pushback";
    if (strncmp(unit, "persons", 7) == 0 && strstr(ind, "arrested"))
        return "arrest";
    return NULL;
}

/* An incident with its local date of occurrence, for the sorted index
 * below: each published row then reads only the incidents of its period. */
typedef struct {
    char day[11];
    const json_t *rec;
    const char *fields[3]; /* place.commune, place.name, place.country */
} dated;

static int dated_cmp(const void *a, const void *b)
{
    return strcmp(((const dated *)a)->day, ((const dated *)b)->day);
}

/* The incidents among recs with an occurred.start of at least 10
 * characters, sorted by that local date; *out malloc'd (NULL when none). */
static constat_status dated_index(const constat_indexed_record *recs, size_t n, dated **out,
                                  size_t *nout)
{
    size_t k = 0;
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return CONSTAT_OK;
    *out = malloc(n * sizeof **out);
    if (!*out)
        return CONSTAT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *rec = recs[i].record;
        const char *kind = json_string_value(json_object_get(rec, "kind"));
        const char *start =
            json_string_value(json_object_get(json_object_get(rec, "occurred"), "start"));
        if (!start || strlen(start) < 10 || !kind || strcmp(kind, "incident") != 0)
            continue;
        memcpy((*out)[k].day, start, 10);
        (*out)[k].day[10] = 0;
        (*out)[k].rec = rec;
        {
            const json_t *pl = json_object_get(rec, "place");
            (*out)[k].fields[0] = json_string_value(json_object_get(pl, "commune"));
            (*out)[k].fields[1] = json_string_value(json_object_get(pl, "name"));
            (*out)[k].fields[2] = json_string_value(json_object_get(pl, "country"));
        }
        k++;
    }
    if (k)
        qsort(*out, k, sizeof **out, dated_cmp);
    *nout = k;
    return CONSTAT_OK;
}

/* The first of the n sorted incidents dated `from` or later. */
static size_t dated_from(const dated *v, size_t n, const char *from)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].day, from) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#define P(x)                                                                                     \
    do {                                                                                         \
        if ((x) != CONSTAT_OK)                                                                   \
            goto nomem;                                                                          \
    } while (0)

constat_status constat_validation_html(const void *csv, size_t len, const char *what,
                                       const constat_indexed_record *recs, size_t n,
                                       constat_buf *out, constat_error *err)
{
    constat_csv *r = NULL;
    constat_csv_row row;
    constat_buf b;
    int got, rows = 0;
    constat_status st;

    dated *inc = NULL;
    size_t ninc = 0;

    constat_buf_init(&b);
    if (dated_index(recs, n, &inc, &ninc) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if ((st = constat_csv_open_mem(csv, len, what, &r, err)) != CONSTAT_OK) {
        free(inc);
        return st;
    }
    while ((st = constat_csv_next(r, &row, &got, err)) == CONSTAT_OK && got) {
        const char *per, *place, *ind, *val, *unit, *cat;
        char from[11], to[11], share[32];
        long long ours = 0, pub;
        int covered = 0, persons;
        place_parts pp;
        if (row.nfields != 6) {
            st = constat_error_set(err, CONSTAT_EINVAL, "%s: line %lu: expected 6 columns "
                                   "(source, period, place, indicator, value, unit), found %zu",
                                   what, row.line, row.nfields);
            break;
        }
        if (row.line == 1)
            continue; /* the header */
        per = row.fields[1], place = row.fields[2], ind = row.fields[3], val = row.fields[4],
        unit = row.fields[5];
        pub = strtoll(val, NULL, 10);
        if (!period(per, from, to) || !(cat = indicator(ind, unit, &persons)) || pub <= 0)
            continue;
        place_split(place, &pp);
        for (size_t i = dated_from(inc, ninc, from); i < ninc && strcmp(inc[i].day, to) <= 0;
             i++) {
            const json_t *rec = inc[i].rec;
            if (!place_match(&pp, inc[i].fields))
                continue;
            covered = 1;
            if (constat_record_has_category(rec, cat))
                ours += persons ? json_integer_value(json_object_get(
                                      json_object_get(rec, "affected"), "count"))
                                : 1;
        }
        if (!covered)
            continue;
        if (rows++ == 0)
            P(constat_buf_puts(&b, "<section id=\"validation\">\n<h2>Validation : nos chiffres et "
                                   "les chiffres publiés <span class=\"en\" lang=\"en\">/ "
                                   "Validation: our figures beside published ones</span></h2>\n"
                                   "<table><thead><tr><th>période <span class=\"en\">/ period"
                                   "</span></th><th>lieu <span class=\"en\">/ place</span></th>"
                                   "<th>indicateur <span class=\"en\">/ indicator</span></th>"
                                   "<th>publié <span class=\"en\">/ published</span></th><th>"
                                   "nous <span class=\"en\">/ ours</span></th><th>part <span "
                                   "class=\"en\">/ share</span></th></tr></thead>\n<tbody>\n"));
        snprintf(share, sizeof share, "%.1f %%", 100.0 * (double)ours / (double)pub);
        P(constat_buf_puts(&b, "<tr><td>"));
        P(constat_html_escape(&b, per));
        P(constat_buf_puts(&b, "</td><td>"));
        P(constat_html_escape(&b, place));
        P(constat_buf_puts(&b, "</td><td>"));
        P(constat_html_escape(&b, ind));
        P(constat_buf_printf(&b, " <code>%s</code></td><td class=\"n\">%lld ", cat, pub));
        P(constat_html_escape(&b, unit));
        P(constat_buf_printf(&b, "</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
                             ours, share));
    }
    constat_csv_free(r);
    free(inc);
    inc = NULL;
    if (st != CONSTAT_OK) {
        constat_buf_free(&b);
        return st;
    }
    if (rows)
        P(constat_buf_puts(&b, "</tbody></table>\n<p>Nos chiffres comptent les seuls "
                               "enregistrements de ce journal, pour la même période (date locale) "
                               "et le même lieu ; la publication compte toutes les opérations que "
                               "ses observateurs ont vues. Les données de démonstration sont un "
                               "échantillon de 170 incidents publiés un par un : nos chiffres "
                               "sont un minimum, loin des totaux publiés, et l'écart mesure ce "
                               "que l'échantillon ne contient pas, non une erreur de l'une ou "
                               "l'autre source. <span class=\"en\" lang=\"en\">Ours count only "
                               "the records of this log, for the same period (local date) and "
                               "place; the publication counts every operation its monitors saw. "
                               "The demo data are a sample of 170 incidents published one by one: "
                               "ours are a minimum, far below the published totals, and the gap "
                               "measures what the sample does not hold, not an error of either "
                               "source.</span></p>\n</section>\n"));
    if (constat_buf_append(out, b.data, b.len) != CONSTAT_OK)
        goto nomem;
    constat_buf_free(&b);
    return CONSTAT_OK;
nomem:
    if (inc) { /* out of memory inside the loop */
        constat_csv_free(r);
        free(inc);
    }
    constat_buf_free(&b);
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}
