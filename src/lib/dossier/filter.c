/* filter.c — which incidents a dossier holds (constat_dossier_filter,
 * format.h): checked when a dossier is written, recorded in its manifest,
 * and applied again by the verifier to prove that the selection is whole. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/dossier/format.h"
#include "constat/record/record.h"
#include "base/text.h"

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD", a real calendar date. */
static int valid_date(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

/* A record id (docs/record.md): 1 to 128 characters of [A-Za-z0-9._:-]. */
static int record_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

constat_status constat_dossier_filter_check(const constat_dossier_filter *f,
                                            const constat_taxonomy *tax, constat_error *err)
{
    if (!f)
        return CONSTAT_OK;
    if (f->nids > CONSTAT_DOSSIER_MAX_IDS)
        return constat_error_set(err, CONSTAT_EINVAL, "filter.ids: more than %u record ids",
                                 CONSTAT_DOSSIER_MAX_IDS);
    if (f->nids && !f->ids)
        return constat_error_set(err, CONSTAT_EINVAL, "filter.ids: missing");
    for (size_t i = 0; i < f->nids; i++) {
        if (!record_id_ok(f->ids[i]))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "filter.ids[%zu]: not a record id (1 to 128 characters of "
                                     "A-Z a-z 0-9 . _ : -)",
                                     i);
        if (i > 0 && strcmp(f->ids[i - 1], f->ids[i]) >= 0)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "filter.ids[%zu]: \"%s\" is not after \"%s\" (the ids are "
                                     "in strictly ascending byte order)",
                                     i, f->ids[i], f->ids[i - 1]);
    }
    if (f->from && !valid_date(f->from))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "filter.from: not a date of the form YYYY-MM-DD");
    if (f->to && !valid_date(f->to))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "filter.to: not a date of the form YYYY-MM-DD");
    if (f->from && f->to && strcmp(f->from, f->to) > 0)
        return constat_error_set(err, CONSTAT_EINVAL, "filter: from %s is after to %s",
                                 f->from, f->to);
    if (f->place && (f->place[0] == '\0' || strlen(f->place) > CONSTAT_DOSSIER_PLACE_MAX))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "filter.place: must be 1 to %u bytes",
                                 CONSTAT_DOSSIER_PLACE_MAX);
    if (f->country && (f->country[0] == '\0' || strlen(f->country) > CONSTAT_DOSSIER_PLACE_MAX))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "filter.country: must be 1 to %u bytes",
                                 CONSTAT_DOSSIER_PLACE_MAX);
    if (f->commune && (f->commune[0] == '\0' || strlen(f->commune) > CONSTAT_DOSSIER_PLACE_MAX))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "filter.commune: must be 1 to %u bytes",
                                 CONSTAT_DOSSIER_PLACE_MAX);
    if (f->source_type && strcmp(f->source_type, "direct_observation") != 0 &&
        strcmp(f->source_type, "testimony") != 0 && strcmp(f->source_type, "publication") != 0)
        return constat_error_set(err, CONSTAT_EINVAL, "filter.source_type: not "
                                 "direct_observation, testimony or publication");
    if (f->category) {
        if (f->category[0] == '\0')
            return constat_error_set(err, CONSTAT_EINVAL, "filter.category: empty");
        if (tax && !constat_taxonomy_has(tax, f->category))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "filter.category: \"%.64s\" is not in the taxonomy",
                                     f->category);
    }
    return CONSTAT_OK;
}

/* 1 if the string member `key` of `place` contains `fneedle` (already
 * folded) once folded itself: the one place matcher of every --place
 * (log, dossier, and the verifier's check of a dossier's stated filter). */
static int place_member_has(const json_t *place, const char *key, const char *fneedle,
                            size_t fnlen, int whole)
{
    const json_t *m = json_object_get(place, key);
    char small[512], *buf;
    size_t n, fl;
    int hit;

    if (!json_is_string(m))
        return 0;
    n = json_string_length(m);
    buf = n <= sizeof small ? small : malloc(n);
    if (!buf)
        return 0; /* no memory for a folded copy: treated as no match */
    fl = constat_text_fold(json_string_value(m), n, buf);
    hit = whole ? fl == fnlen && memcmp(buf, fneedle, fnlen) == 0
                : constat_text_find(buf, fl, fneedle, fnlen);
    if (buf != small)
        free(buf);
    return hit;
}

/* Fold a --place / --commune text into out (CONSTAT_DOSSIER_PLACE_MAX
 * bytes); 0 when it is longer, which constat_dossier_filter_check refuses. */
static int fold_needle(const char *s, char out[CONSTAT_DOSSIER_PLACE_MAX], size_t *len)
{
    size_t n = strlen(s);
    if (n > CONSTAT_DOSSIER_PLACE_MAX)
        return 0;
    *len = constat_text_fold(s, n, out);
    return 1;
}

static int id_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int constat_dossier_filter_match(const constat_dossier_filter *f, const json_t *record)
{
    json_t *kind = json_object_get(record, "kind");

    if (!json_is_string(kind) || strcmp(json_string_value(kind), "incident") != 0)
        return 0;
    if (!f)
        return 1;
    if (f->nids) { /* ascending (constat_dossier_filter_check): a binary search */
        const char *id = json_string_value(json_object_get(record, "id"));
        if (!id || !f->ids || !bsearch(id, f->ids, f->nids, sizeof *f->ids, id_cmp))
            return 0;
    }
    if (f->from || f->to) {
        json_t *start = json_object_get(json_object_get(record, "occurred"), "start");
        const char *s;
        char day[11];
        int64_t epoch;
        int off;
        if (!json_is_string(start))
            return 0;
        s = json_string_value(start);
        /* The local date is the date as written: RFC 3339 puts the local
         * time first and the offset last. */
        if (constat_rfc3339_parse(s, &epoch, &off) != CONSTAT_OK || strlen(s) < 10)
            return 0;
        memcpy(day, s, 10);
        day[10] = '\0';
        if (f->from && strcmp(day, f->from) < 0)
            return 0;
        if (f->to && strcmp(day, f->to) > 0)
            return 0;
    }
    if (f->category) {
        json_t *cats = json_object_get(record, "categories"), *c;
        size_t i;
        int hit = 0;
        if (!json_is_array(cats))
            return 0;
        json_array_foreach(cats, i, c) {
            if (json_is_string(c) && strcmp(json_string_value(c), f->category) == 0) {
                hit = 1;
                break;
            }
        }
        if (!hit)
            return 0;
    }
    if (f->place) {
        const json_t *place = json_object_get(record, "place");
        char fneedle[CONSTAT_DOSSIER_PLACE_MAX];
        size_t fnlen;
        if (!fold_needle(f->place, fneedle, &fnlen))
            return 0;
        if (!place_member_has(place, "name", fneedle, fnlen, 0) &&
            !place_member_has(place, "commune", fneedle, fnlen, 0) &&
            !place_member_has(place, "site", fneedle, fnlen, 0))
            return 0;
    }
    if (f->country) {
        const json_t *c = json_object_get(json_object_get(record, "place"), "country");
        if (!json_is_string(c) || strcmp(json_string_value(c), f->country) != 0)
            return 0;
    }
    if (f->commune) {
        const json_t *place = json_object_get(record, "place");
        char fneedle[CONSTAT_DOSSIER_PLACE_MAX];
        size_t fnlen;
        if (!fold_needle(f->commune, fneedle, &fnlen))
            return 0;
        if (json_is_string(json_object_get(place, "commune"))
                ? !place_member_has(place, "commune", fneedle, fnlen, 1)
                : !place_member_has(place, "name", fneedle, fnlen, 0))
            return 0;
    }
    if (f->source_type) {
        const json_t *t = json_object_get(json_object_get(record, "source"), "type");
        if (!json_is_string(t) || strcmp(json_string_value(t), f->source_type) != 0)
            return 0;
    }
    return 1;
}

/* ---- the selection in words (the report's scope, VERIFY.md) -------------- */

/* The words of the selection, in one language. */
typedef struct {
    const char *all, *some;          /* no filter / the start of a filtered one */
    const char *from, *to;           /* the period: SOME FROM <from> TO <to> */
    const char *start, *end;         /* an open end of the period */
    const char *category;            /* , CATEGORY <category> */
    const char *place, *place_end;   /* , PLACE <place> PLACE_END */
    const char *country, *commune;   /* , COUNTRY <country>; , COMMUNE <commune> */
    const char *source;              /* , SOURCE <source type> */
    const char *ids, *ids_end;       /* , IDS <count> IDS_END */
} scope_words;

static const scope_words words_en = {
    "all incidents", "incidents", " that occurred (local date) from ", " to ", "the start",
    "the end", " in category ", " with a place (name, commune or site) containing \"",
    "\" (accents and case aside)", " in country ", " in commune ",
    " of source type (source.type) ", " chosen one by one by record id (",
    " listed in manifest.json, filter.ids)"};
/* French, for VERIFY.fr.md and the French half of the report. */
static const scope_words words_fr = {
    "tous les incidents", "les incidents", " survenus (date locale) du ", " au ", "début",
    "la fin", " de la catégorie ", " dont le lieu (nom, commune ou site) contient « ",
    " » (sans tenir compte des accents ni de la casse)", " dans le pays ", " dans la commune ",
    " de type de source (source.type) ", " choisis un par un par identifiant (",
    " énumérés dans manifest.json, filter.ids)"};

/* ", " before every clause but the first, then the clause's words. */
static constat_status clause(constat_buf *b, int *n, const char *a, const char *v,
                             const char *z)
{
    if ((*n)++ && constat_buf_puts(b, ","))
        return CONSTAT_ENOMEM;
    if (constat_buf_puts(b, a) || constat_buf_puts(b, v) || (z && constat_buf_puts(b, z)))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}

constat_status constat_dossier_filter_describe(const constat_dossier_filter *f, int french,
                                               constat_buf *b)
{
    const scope_words *w = french ? &words_fr : &words_en;
    char count[24];
    int n = 0;

    if (!f || (!f->from && !f->to && !f->category && !f->place && !f->country && !f->commune &&
               !f->source_type && !f->nids))
        return constat_buf_puts(b, w->all);
    snprintf(count, sizeof count, "%zu", f->nids);
    if (constat_buf_puts(b, w->some))
        return CONSTAT_ENOMEM;
    if ((f->from || f->to) &&
        clause(b, &n, w->from, f->from ? f->from : w->start, NULL) != CONSTAT_OK)
        return CONSTAT_ENOMEM;
    if ((f->from || f->to) &&
        (constat_buf_puts(b, w->to) || constat_buf_puts(b, f->to ? f->to : w->end)))
        return CONSTAT_ENOMEM;
    if ((f->category && clause(b, &n, w->category, f->category, NULL)) ||
        (f->place && clause(b, &n, w->place, f->place, w->place_end)) ||
        (f->country && clause(b, &n, w->country, f->country, NULL)) ||
        (f->commune && clause(b, &n, w->commune, f->commune, NULL)) ||
        (f->source_type && clause(b, &n, w->source, f->source_type, NULL)) ||
        (f->nids && clause(b, &n, w->ids, count, w->ids_end)))
        return CONSTAT_ENOMEM;
    return CONSTAT_OK;
}
