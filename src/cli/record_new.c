/*
 * record_new.c — `constat record --new`: a record without writing JSON by
 * hand. On a terminal the monitor answers questions (each answer checked
 * and asked again with the reason); otherwise a commented template is
 * printed to edit and pass to `constat record FILE`. Either way the record
 * then takes the same path as a file (cmd_record.c). Field meanings and
 * units: docs/record.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ---- answers ---- */

typedef struct {
    FILE *in, *out;
    char *line;
    size_t cap;
} asker;

/* Print `prompt`, read one line, trim blanks at both ends into *answer
 * (valid until the next question). Returns 0, or -1 at the end of input. */
static int ask(asker *a, const char *prompt, char **answer)
{
    ssize_t n;
    char *s;

    fputs(prompt, a->out);
    fflush(a->out);
    n = getline(&a->line, &a->cap, a->in);
    if (n < 0)
        return -1;
    s = a->line;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                     s[n - 1] == '\t'))
        s[--n] = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    *answer = s;
    return 0;
}

static void again(asker *a, const char *why)
{
    fprintf(a->out, "  -> %s; please answer again.\n", why);
}

/* Control characters (a pasted tab or escape) have no place in a field. */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* ---- numbers ---- */

/* Decimal degrees "[+-]D[.D...]" (at most 3 integer digits, no exponent)
 * into integer degrees x 10^7, digit by digit (no binary floating point),
 * rounding half away from zero past the 7th decimal, as the CSV import
 * does (docs/formats.md, coordinates rule). 0 on success. */
static int parse_e7(const char *s, int64_t limit_deg, int64_t *out, char *why, size_t cap)
{
    const char *p = s;
    int neg = 0, ndig = 0, nfrac = 0;
    int64_t ip = 0, frac = 0;
    int round_up = 0;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    while (isdigit((unsigned char)*p)) {
        if (++ndig > 3)
            break;
        ip = ip * 10 + (*p++ - '0');
    }
    if (ndig == 0 || ndig > 3)
        goto bad;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            goto bad;
        while (isdigit((unsigned char)*p)) {
            if (nfrac < 7)
                frac = frac * 10 + (*p - '0');
            else if (nfrac == 7)
                round_up = *p >= '5';
            nfrac++;
            p++;
        }
    }
    if (*p)
        goto bad;
    for (int i = nfrac; i < 7; i++)
        frac *= 10;
    *out = ip * 10000000 + frac + round_up;
    if (*out > limit_deg * 10000000) {
        snprintf(why, cap, "'%s' is outside -%lld..%lld degrees", s, (long long)limit_deg,
                 (long long)limit_deg);
        return -1;
    }
    if (neg)
        *out = -*out;
    return 0;
bad:
    snprintf(why, cap, "'%s' is not decimal degrees (like 50.9510 or -1.858)", s);
    return -1;
}

/* A count: digits only, at most 10^9 (the record model's CONSTAT_COUNT_MAX). */
static int parse_count(const char *s, int64_t max, int64_t *out, char *why, size_t cap)
{
    int64_t v = 0;
    if (!*s)
        goto bad;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            goto bad;
        v = v * 10 + (*p - '0');
        if (v > max) {
            snprintf(why, cap, "'%s' is more than %lld", s, (long long)max);
            return -1;
        }
    }
    *out = v;
    return 0;
bad:
    snprintf(why, cap, "'%s' is not a whole number (digits only)", s);
    return -1;
}

/* ---- local times ---- */

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* The instant local wall-clock time y-m-d h:mi shows in the system's time
 * zone ($TZ): the earlier one when the clocks went back (the time happened
 * twice), an error when they went forward over it. *off is the UTC offset
 * in seconds at that instant. */
static int local_instant(int y, int m, int d, int h, int mi, int64_t *t, int *off, char *why,
                         size_t cap)
{
    static const int dst[] = {-1, 0, 1};
    int found = 0;

    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        snprintf(why, cap, "%04d-%02d-%02d is not a date", y, m, d);
        return -1;
    }
    if (h < 0 || h > 23 || mi < 0 || mi > 59) {
        snprintf(why, cap, "%02d:%02d is not a time of day (00:00 to 23:59)", h, mi);
        return -1;
    }
    for (size_t i = 0; i < sizeof dst / sizeof dst[0]; i++) {
        struct tm tm, back;
        time_t tt;
        memset(&tm, 0, sizeof tm);
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_isdst = dst[i];
        tt = mktime(&tm);
        if (tt == (time_t)-1 || !localtime_r(&tt, &back))
            continue;
        if (back.tm_year != y - 1900 || back.tm_mon != m - 1 || back.tm_mday != d ||
            back.tm_hour != h || back.tm_min != mi)
            continue;
        if (!found || (int64_t)tt < *t) {
            *t = (int64_t)tt;
            *off = (int)back.tm_gmtoff;
        }
        found = 1;
    }
    if (!found) {
        snprintf(why, cap, "%04d-%02d-%02d %02d:%02d does not exist in local time (the clocks "
                           "moved forward)", y, m, d, h, mi);
        return -1;
    }
    return 0;
}

/* When: "YYYY-MM-DD HH:MM" (or with T), "YYYY-MM-DD" (the whole local day,
 * when `allow_day`), "HH:MM" (on `day`'s date, when day_y is set), or an
 * RFC 3339 time with its offset. Writes the RFC 3339 start (and, for a
 * day, the next local midnight as `end`) and *precision. */
typedef struct {
    int64_t t;
    int off;
    int y, m, d;  /* the local date, for "HH:MM" answers that follow */
    int is_day;
    char start[32], end[32];
} moment;

static int parse_when(const char *s, int allow_day, const moment *day, moment *w, char *why,
                      size_t cap)
{
    int y, m, d, h, mi, n = 0;
    char rest;

    memset(w, 0, sizeof *w);
    if (constat_rfc3339_parse(s, &w->t, &w->off) == CONSTAT_OK) {
        constat_rfc3339_format(w->t, w->off, w->start);
        return 0;
    }
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && s[4] == '-' &&
        s[7] == '-') {
        if (s[10] == 0) {
            int64_t t1;
            int off1;
            struct tm next;
            time_t noon;
            if (!allow_day) {
                snprintf(why, cap, "give a time too (YYYY-MM-DD HH:MM)");
                return -1;
            }
            if (local_instant(y, m, d, 0, 0, &w->t, &w->off, why, cap) != 0) {
                if (y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m))
                    snprintf(why, cap, "local midnight does not exist on %04d-%02d-%02d; "
                                       "give a time (YYYY-MM-DD HH:MM)", y, m, d);
                return -1;
            }
            /* the next calendar day, by UTC arithmetic on noon of this one */
            memset(&next, 0, sizeof next);
            next.tm_year = y - 1900;
            next.tm_mon = m - 1;
            next.tm_mday = d;
            next.tm_hour = 12;
            noon = timegm(&next) + 86400;
            gmtime_r(&noon, &next);
            if (local_instant(next.tm_year + 1900, next.tm_mon + 1, next.tm_mday, 0, 0, &t1,
                              &off1, why, cap) != 0) {
                snprintf(why, cap, "local midnight after %04d-%02d-%02d does not exist; give "
                                   "a time (YYYY-MM-DD HH:MM)", y, m, d);
                return -1;
            }
            w->y = y, w->m = m, w->d = d, w->is_day = 1;
            constat_rfc3339_format(w->t, w->off, w->start);
            constat_rfc3339_format(t1, off1, w->end);
            return 0;
        }
        if ((s[10] == ' ' || s[10] == 'T') && sscanf(s + 11, "%2d:%2d%c", &h, &mi, &rest) == 2 &&
            strlen(s + 11) == 5 && s[13] == ':') {
            if (local_instant(y, m, d, h, mi, &w->t, &w->off, why, cap) != 0)
                return -1;
            w->y = y, w->m = m, w->d = d;
            constat_rfc3339_format(w->t, w->off, w->start);
            return 0;
        }
    } else if (day && day->y && strlen(s) == 5 && s[2] == ':' &&
               sscanf(s, "%2d:%2d%c", &h, &mi, &rest) == 2) {
        if (local_instant(day->y, day->m, day->d, h, mi, &w->t, &w->off, why, cap) != 0)
            return -1;
        w->y = day->y, w->m = day->m, w->d = day->d;
        constat_rfc3339_format(w->t, w->off, w->start);
        return 0;
    }
    snprintf(why, cap, "'%s' is not YYYY-MM-DD HH:MM%s%s", s, allow_day ? ", YYYY-MM-DD" : "",
             day && day->y ? ", HH:MM" : "");
    return -1;
}

/* ---- monitors ---- */

struct monitors {
    char names[64][CONSTAT_KEY_NAME_MAX + 1];
    size_t n;
};

static int add_monitor(void *ctx, const char *name, const char *vkey, uint64_t index)
{
    struct monitors *m = ctx;
    (void)vkey;
    (void)index;
    if (m->n < sizeof m->names / sizeof m->names[0])
        snprintf(m->names[m->n++], sizeof m->names[0], "%s", name);
    return 0;
}

/* ---- the questions ---- */

static const char *const source_types[] = {"direct_observation", "testimony", "publication",
                                           NULL};
static const char *const minors_values[] = {"yes", "no", "unknown", NULL};

/* A number 1..n or one of the names. NULL if neither. */
static const char *pick(const char *const *names, const char *answer)
{
    size_t n = 0;
    char *end;
    long k;
    while (names[n])
        n++;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], answer) == 0)
            return names[i];
    errno = 0;
    k = strtol(answer, &end, 10);
    if (*answer && !*end && !errno && k >= 1 && (size_t)k <= n)
        return names[k - 1];
    return NULL;
}

static int ended(asker *a)
{
    fprintf(a->out, "\nconstat: record --new: the input ended before the record was complete; "
                    "nothing logged\n");
    return CLI_EXIT_USAGE;
}

/* Categories: numbers of the list or ids, separated by commas or blanks.
 * Sorted order and duplicates are left to intake, as for a file. */
static int ask_categories(asker *a, const constat_taxonomy *tax, json_t **out)
{
    size_t n = constat_taxonomy_count(tax);
    char *ans, why[256];

    fprintf(a->out, "\nCategories of the incident:\n");
    for (size_t i = 0; i < n; i++) {
        const char *id = constat_taxonomy_id(tax, i);
        fprintf(a->out, "  %3zu  %-26s %s\n", i + 1, id, constat_taxonomy_label(tax, id, "en"));
    }
    for (;;) {
        json_t *cats = json_array();
        char *tok, *save = NULL;
        int bad = 0;
        if (ask(a, "Categories (numbers or ids, separated by commas or spaces): ", &ans)) {
            json_decref(cats);
            return -1;
        }
        for (tok = strtok_r(ans, ", \t", &save); tok && !bad; tok = strtok_r(NULL, ", \t", &save)) {
            const char *id = NULL;
            char *end;
            long k;
            errno = 0;
            k = strtol(tok, &end, 10);
            if (isdigit((unsigned char)*tok) && !*end) {
                if (errno || k < 1 || (size_t)k > n) {
                    snprintf(why, sizeof why, "'%s' is not a number from 1 to %zu", tok, n);
                    bad = 1;
                } else {
                    id = constat_taxonomy_id(tax, (size_t)k - 1);
                }
            } else if (constat_taxonomy_has(tax, tok)) {
                id = tok;
            } else {
                snprintf(why, sizeof why, "'%.64s' is not a category of the taxonomy (a number "
                                          "from the list, or its id)", tok);
                bad = 1;
            }
            if (id)
                json_array_append_new(cats, json_string(id));
        }
        if (!bad && json_array_size(cats) == 0) {
            snprintf(why, sizeof why, "at least one category is required");
            bad = 1;
        }
        if (!bad) {
            *out = cats;
            return 0;
        }
        json_decref(cats);
        again(a, why);
    }
}

/* Free text; `required` refuses an empty answer. Returns 0 with *out NULL
 * for an empty optional answer. */
static int ask_text(asker *a, const char *prompt, int required, char **out)
{
    char *ans;
    for (;;) {
        if (ask(a, prompt, &ans))
            return -1;
        if (has_control(ans)) {
            again(a, "the answer holds a control character");
            continue;
        }
        if (!*ans && required) {
            again(a, "an answer is required");
            continue;
        }
        *out = *ans ? strdup(ans) : NULL;
        if (*ans && !*out)
            return -1;
        return 0;
    }
}

/* Items seized or destroyed: one item a round (kind as a number of the
 * list or its id, action, count in the kind's unit), until an empty kind.
 * *out is the array, or NULL when no item was given. Returns 0, or -1 at the
 * end of input. */
static int ask_items(asker *a, const constat_taxonomy *tax, json_t **out)
{
    size_t n = constat_taxonomy_item_count(tax);
    const char *kinds[512];
    json_t *items;
    char *ans, why[256];

    *out = NULL;
    if (n == 0)
        return 0;
    if (n >= sizeof kinds / sizeof kinds[0])
        n = sizeof kinds / sizeof kinds[0] - 1;
    fprintf(a->out, "\nItems seized or destroyed, by kind (constat taxonomy lists them too; the "
                    "count's unit in the middle):\n");
    for (size_t i = 0; i < n; i++) {
        const char *id = constat_taxonomy_item_id(tax, i);
        char u[32];
        cli_item_unit_text(tax, id, u, sizeof u);
        fprintf(a->out, "  %3zu  %-28s %-13s %s\n", i + 1, id, u,
                constat_taxonomy_item_label(tax, id, "en"));
        kinds[i] = id;
    }
    kinds[n] = NULL;
    items = json_array();
    if (!items)
        return -1;
    for (;;) {
        const char *kind, *action, *cur = NULL;
        constat_item_unit unit = CONSTAT_UNIT_ITEMS;
        json_t *count = json_null();
        if (ask(a, json_array_size(items)
                       ? "Another item seized or destroyed (number or kind; empty: no more): "
                       : "Item seized or destroyed (number or kind; empty: none): ",
                &ans))
            goto eof;
        if (!*ans)
            break;
        if (!(kind = pick(kinds, ans))) {
            snprintf(why, sizeof why, "'%.64s' is not an item kind of the taxonomy (a number "
                                      "from 1 to %zu, or its kind)", ans, n);
            again(a, why);
            continue;
        }
        (void)constat_taxonomy_item_kind(tax, kind, &unit, &cur);
        for (;;) {
            if (ask(a, "  Seized, destroyed, or one of the two (1 seized, 2 destroyed, "
                       "3 seized_or_destroyed): ", &ans))
                goto eof;
            if ((action = pick(cli_item_actions, ans)) != NULL)
                break;
            snprintf(why, sizeof why, "'%.64s' is not 1, 2, 3 or one of seized, destroyed, "
                                      "seized_or_destroyed", ans);
            again(a, why);
        }
        if (unit == CONSTAT_UNIT_CURRENCY && !cur) {
            /* an amount no one stated the currency of is never added up */
            fprintf(a->out, "  (%s: the currency is not stated, so the amount is recorded as "
                            "unknown)\n", kind);
        } else {
            for (;;) {
                int64_t c;
                char prompt[160];
                if (unit == CONSTAT_UNIT_CURRENCY)
                    snprintf(prompt, sizeof prompt, "  How much, in whole %s? (empty: not "
                                                    "stated): ", cur);
                else
                    snprintf(prompt, sizeof prompt, "  How many %s? (empty: not stated): ",
                             unit == CONSTAT_UNIT_PERSONS ? "people" : "items");
                if (ask(a, prompt, &ans))
                    goto eof;
                if (!*ans)
                    break;
                if (parse_count(ans, CONSTAT_COUNT_MAX, &c, why, sizeof why) != 0) {
                    again(a, why);
                    continue;
                }
                count = json_integer(c);
                break;
            }
        }
        json_array_append_new(items, json_pack("{s:s, s:s, s:o}", "kind", kind, "action",
                                               action, "count", count));
    }
    if (json_array_size(items))
        *out = items;
    else
        json_decref(items);
    return 0;
eof:
    json_decref(items);
    return -1;
}

int cli_record_ask(FILE *in, FILE *out, constat_vault *v, const constat_taxonomy *tax,
                   const char *monitor, char *chosen, size_t cap, int64_t now, json_t **input)
{
    asker a = {in, out, NULL, 0};
    struct monitors *mons = calloc(1, sizeof *mons);
    constat_error err;
    json_t *rec = NULL, *cats = NULL, *occ, *place, *src;
    char *ans, *text = NULL, why[300], zone[64];
    moment start, end;
    int rc = CLI_EXIT_USAGE;
    struct tm lt;
    time_t tnow = (time_t)now;

    *input = NULL;
    if (!mons) {
        fprintf(stderr, "constat: out of memory\n");
        return 3;
    }
    constat_error_clear(&err);
    if (constat_vault_monitor_list(v, add_monitor, mons, &err) != CONSTAT_OK) {
        free(mons);
        return cli_report_error("monitors", CONSTAT_EIO, &err);
    }
    if (mons->n == 0) {
        fprintf(stderr, "constat: record --new: no monitor is enrolled (constat monitor add "
                        "NAME)\n");
        free(mons);
        return CLI_EXIT_USAGE;
    }
    if (monitor) {
        size_t i;
        for (i = 0; i < mons->n && strcmp(mons->names[i], monitor) != 0; i++)
            ;
        if (i == mons->n) {
            fprintf(stderr, "constat: --monitor: '%s' is not an enrolled monitor (constat "
                            "monitor list)\n", monitor);
            free(mons);
            return CLI_EXIT_USAGE;
        }
        snprintf(chosen, cap, "%s", monitor);
    }
    localtime_r(&tnow, &lt);
    snprintf(zone, sizeof zone, "%s, UTC%+03ld:%02ld", lt.tm_zone ? lt.tm_zone : "local",
             lt.tm_gmtoff / 3600, labs(lt.tm_gmtoff % 3600) / 60);
    fprintf(out, "A new incident record, question by question (constat help record explains "
                 "every field).\nAn empty answer skips an optional question; end of input "
                 "(Ctrl-D) stops without logging.\n");

    if (!monitor) {
        fprintf(out, "\nEnrolled monitors:\n");
        for (size_t i = 0; i < mons->n; i++)
            fprintf(out, "  %3zu  %s\n", i + 1, mons->names[i]);
        for (;;) {
            const char *names[65];
            const char *m;
            for (size_t i = 0; i < mons->n; i++)
                names[i] = mons->names[i];
            names[mons->n] = NULL;
            if (ask(&a, "Monitor signing the record (number or name): ", &ans))
                goto eof;
            if ((m = pick(names, ans)) != NULL) {
                snprintf(chosen, cap, "%s", m);
                break;
            }
            snprintf(why, sizeof why, "'%.64s' is not an enrolled monitor", ans);
            again(&a, why);
        }
    }

    rec = json_object();
    if (ask_categories(&a, tax, &cats))
        goto eof;

    /* when */
    fprintf(out, "\nTimes are local wall-clock time (%s), or RFC 3339 with an offset.\n", zone);
    for (;;) {
        if (ask(&a, "When did it start? (YYYY-MM-DD HH:MM, or YYYY-MM-DD for the whole day): ",
                &ans))
            goto eof;
        if (parse_when(ans, 1, NULL, &start, why, sizeof why) != 0) {
            again(&a, why);
            continue;
        }
        if (start.t > now) {
            char nows[32];
            constat_rfc3339_format(now, (int)lt.tm_gmtoff, nows);
            snprintf(why, sizeof why, "%s is in the future (now is %s)", start.start, nows);
            again(&a, why);
            continue;
        }
        break;
    }
    if (start.is_day) {
        occ = json_pack("{s:s, s:s, s:s}", "start", start.start, "end", start.end, "precision",
                        "day");
    } else {
        for (;;) {
            if (ask(&a, "When did it end? (YYYY-MM-DD HH:MM, or HH:MM the same day; empty: at "
                        "the start time): ", &ans))
                goto eof;
            if (!*ans) {
                end = start;
                break;
            }
            if (parse_when(ans, 0, &start, &end, why, sizeof why) != 0) {
                again(&a, why);
                continue;
            }
            if (end.t < start.t) {
                snprintf(why, sizeof why, "%s is before the start, %s", end.start, start.start);
                again(&a, why);
                continue;
            }
            break;
        }
        occ = json_pack("{s:s, s:s, s:s}", "start", start.start, "end", end.start, "precision",
                        "minute");
    }
    json_object_set_new(rec, "occurred", occ);

    /* where */
    place = json_object();
    json_object_set_new(rec, "place", place);
    fprintf(out, "\n");
    if (ask_text(&a, "Place (as people call it, e.g. Rue des Verrotières living site): ", 1,
                 &text))
        goto eof;
    json_object_set_new(place, "name", json_string(text));
    free(text);
    if (ask_text(&a, "Commune (empty: skip): ", 0, &text))
        goto eof;
    if (text)
        json_object_set_new(place, "commune", json_string(text));
    free(text);
    if (ask_text(&a, "Country, in English (empty: skip): ", 0, &text))
        goto eof;
    if (text)
        json_object_set_new(place, "country", json_string(text));
    free(text);
    text = NULL;
    for (;;) {
        char *lat, *lon, *save = NULL;
        int64_t la, lo;
        if (ask(&a, "Coordinates: latitude, longitude in decimal degrees (e.g. 50.9510, "
                    "1.8580; empty: none): ", &ans))
            goto eof;
        if (!*ans)
            break;
        lat = strtok_r(ans, ", \t", &save);
        lon = strtok_r(NULL, ", \t", &save);
        if (!lat || !lon || strtok_r(NULL, ", \t", &save)) {
            again(&a, "give two numbers: latitude, longitude");
            continue;
        }
        if (parse_e7(lat, 90, &la, why, sizeof why) != 0 ||
            parse_e7(lon, 180, &lo, why, sizeof why) != 0) {
            again(&a, why);
            continue;
        }
        json_object_set_new(place, "lat_e7", json_integer(la));
        json_object_set_new(place, "lon_e7", json_integer(lo));
        for (;;) {
            int64_t pm;
            if (ask(&a, "How exact is that position, in metres? (empty: unknown): ", &ans))
                goto eof;
            if (!*ans)
                break;
            if (parse_count(ans, 40000000, &pm, why, sizeof why) != 0) {
                again(&a, why);
                continue;
            }
            json_object_set_new(place, "precision_m", json_integer(pm));
            break;
        }
        break;
    }
    json_object_set_new(rec, "categories", cats);
    cats = NULL;

    /* source */
    src = json_object();
    json_object_set_new(rec, "source", src);
    fprintf(out, "\nSource: 1 direct_observation (you saw it), 2 testimony (someone told you), "
                 "3 publication\n");
    for (;;) {
        const char *t;
        if (ask(&a, "Source (number or name; empty: direct_observation): ", &ans))
            goto eof;
        t = *ans ? pick(source_types, ans) : source_types[0];
        if (!t) {
            snprintf(why, sizeof why, "'%.64s' is not 1, 2, 3 or one of direct_observation, "
                                      "testimony, publication", ans);
            again(&a, why);
            continue;
        }
        json_object_set_new(src, "type", json_string(t));
        if (strcmp(t, "publication") == 0) {
            if (ask_text(&a, "Reference of the publication (URL or repository path): ", 1,
                         &text))
                goto eof;
            json_object_set_new(src, "reference", json_string(text));
            free(text);
            text = NULL;
        }
        break;
    }

    /* who */
    {
        json_t *aff = json_object();
        for (;;) {
            int64_t cnt;
            if (ask(&a, "\nNumber of people affected (empty: unknown): ", &ans))
                goto eof_aff;
            if (!*ans)
                break;
            if (parse_count(ans, CONSTAT_COUNT_MAX, &cnt, why, sizeof why) != 0) {
                again(&a, why);
                continue;
            }
            json_object_set_new(aff, "count", json_integer(cnt));
            break;
        }
        for (;;) {
            const char *mv;
            if (ask(&a, "Minors among them? (yes, no, unknown; empty: skip): ", &ans))
                goto eof_aff;
            if (!*ans)
                break;
            if (!(mv = pick(minors_values, ans)) || isdigit((unsigned char)*ans)) {
                snprintf(why, sizeof why, "'%.64s' is not yes, no or unknown", ans);
                again(&a, why);
                continue;
            }
            json_object_set_new(aff, "minors", json_string(mv));
            break;
        }
        if (json_object_size(aff))
            json_object_set_new(rec, "affected", aff);
        else
            json_decref(aff);
        goto aff_done;
    eof_aff:
        json_decref(aff);
        goto eof;
    aff_done:;
    }

    /* what was taken or destroyed */
    {
        json_t *items;
        if (ask_items(&a, tax, &items))
            goto eof;
        if (items)
            json_object_set_new(rec, "items", items);
    }

    /* text */
    fprintf(out, "\n");
    if (ask_text(&a, "Public summary: the facts, signed and published in clear (empty: none): ",
                 0, &text))
        goto eof;
    if (text)
        json_object_set_new(rec, "summary", json_string(text));
    free(text);
    if (ask_text(&a, "Private narrative: kept in the vault, only a commitment is logged "
                     "(empty: none): ", 0, &text))
        goto eof;
    if (text)
        json_object_set_new(rec, "private", json_pack("{s:s}", "narrative", text));
    free(text);
    text = NULL;

    /* confirm */
    {
        char *dump = json_dumps(rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fprintf(out, "\nThe record (constat fills in v, kind, id, org, monitor, recorded_at; the "
                     "narrative becomes a commitment):\n%s\n", dump ? dump : "");
        free(dump);
    }
    for (;;) {
        char prompt[200];
        snprintf(prompt, sizeof prompt, "Sign and log this record as %s? (yes/no): ", chosen);
        if (ask(&a, prompt, &ans))
            goto eof;
        if (strcmp(ans, "y") == 0 || strcmp(ans, "yes") == 0) {
            *input = rec;
            rec = NULL;
            rc = 0;
            break;
        }
        if (strcmp(ans, "n") == 0 || strcmp(ans, "no") == 0) {
            fprintf(out, "constat: record --new: not confirmed; nothing logged\n");
            rc = CLI_EXIT_USAGE;
            break;
        }
        again(&a, "answer yes or no");
    }
    goto done;
eof:
    rc = ended(&a);
done:
    json_decref(rec);
    json_decref(cats);
    free(a.line);
    free(mons);
    return rc;
}

/* ---- the template ---- */

/* A label inside a // comment line: a control character (a line break in
 * a taxonomy label) would end the comment, so it is printed as a blank. */
static void put_label(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

int cli_record_template(FILE *out, const constat_taxonomy *tax, const char *taxonomy_path,
                        const char *monitor, int64_t now)
{
    size_t n = constat_taxonomy_count(tax);
    time_t t = (time_t)(now - now % 60);
    struct tm lt;
    char when[32];

    localtime_r(&t, &lt);
    constat_rfc3339_format((int64_t)t, (int)lt.tm_gmtoff, when);
    fprintf(out,
            "// A new incident record. Edit it, then: constat record THIS_FILE --monitor %s\n"
            "// Lines starting with // are comments. 'constat help record' explains every "
            "field.\n"
            "// constat fills in v, kind, id, org, monitor and recorded_at.\n"
            "{\n"
            "  // when it happened: RFC 3339 with the UTC offset of the place, whole seconds.\n"
            "  // precision: minute, hour, day, month or year (a day runs from local midnight\n"
            "  // to the next local midnight). Filled with now (local time %s).\n"
            "  \"occurred\": {\"start\": \"%s\", \"end\": \"%s\", \"precision\": \"minute\"},\n"
            "\n"
            "  // where (required: name or site). Optional: \"site\", \"commune\", \"country\"\n"
            "  // (English name), \"lat_e7\" and \"lon_e7\" = decimal degrees x 10^7 (both or\n"
            "  // neither; 50.9510 -> 509510000), \"precision_m\" in metres. For example:\n"
            "  // {\"name\": \"Rue des Verrotières living site\", \"commune\": \"Calais\",\n"
            "  //  \"country\": \"France\", \"lat_e7\": 509510000, \"lon_e7\": 18580000, "
            "\"precision_m\": 200}\n"
            "  \"place\": {},\n"
            "\n"
            "  // one or more category ids (required) of %s:\n",
            monitor ? monitor : "NAME", lt.tm_zone ? lt.tm_zone : "", when, when, taxonomy_path);
    for (size_t i = 0; i < n; i++) {
        const char *id = constat_taxonomy_id(tax, i);
        fprintf(out, "  //   %-28s ", id);
        put_label(out, constat_taxonomy_label(tax, id, "en"));
        fputs(" / ", out);
        put_label(out, constat_taxonomy_label(tax, id, "fr"));
        fputc('\n', out);
    }
    fprintf(out,
            "  // e.g. \"categories\": [\"%s\"],\n"
            "  \"categories\": [],\n"
            "\n"
            "  // Optional members: remove the // to use one (keep the comma at its end).\n"
            "  // \"authority\": {\"forces\": [\"CRS\"], \"unit\": \"\", \"officers\": 12, "
            "\"vehicles\": [{\"kind\": \"van\", \"count\": 3}], \"id_numbers\": []},\n"
            "  // \"affected\": {\"count\": 40, \"minors\": \"unknown\", \"nationalities\": [], "
            "\"person_identifiers\": []},\n"
            "  //   (minors: yes, no or unknown; person_identifiers become keyed pseudonyms)\n"
            "  // \"items\": [{\"kind\": \"tents\", \"action\": \"seized\", \"count\": null}],\n"
            "  //   (action: seized, destroyed or seized_or_destroyed; count null = unknown;\n"
            "  //    constat taxonomy lists the item kinds and their units)\n"
            "  // \"summary\": \"public facts, signed and published in clear\",\n"
            "  // \"private\": {\"narrative\": \"kept in the vault; only a commitment is "
            "logged\"},\n"
            "\n"
            "  // type: direct_observation, testimony or publication (publication needs\n"
            "  // \"reference\": a URL or repository path)\n"
            "  \"source\": {\"type\": \"direct_observation\"}\n"
            "}\n",
            n ? constat_taxonomy_id(tax, 0) : "");
    return ferror(out) ? 3 : 0;
}
