/*
 * import.c — public-incidents CSV rows to incident records (import.h,
 * docs/formats.md "Incident import CSV", docs/record.md).
 *
 * Design choices worth knowing:
 * - Coordinates are parsed digit by digit into integers of 1e-7 degree, so
 *   "45.1950" is exactly 451950000 and never 451949999 through a double.
 * - Local dates and times become instants through the system tzdata, by
 *   pointing TZ at the zone and asking localtime_r for the offset at probe
 *   instants. This avoids trusting mktime's handling of tm_isdst = -1, which
 *   differs between C libraries for gaps and overlaps; we decide ourselves:
 *   a time that does not exist is an error, a time that exists twice gives the
 *   earlier instant, and a day starts at its first existing instant.
 * - Duplicate rows are recognised by a hash of all cells, keyed by source_id,
 *   so re-importing a file that repeats a row is harmless while a reused id
 *   with different content is caught before it reaches the vault.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "constat/base/file.h"
#include "constat/base/hash.h"
#include "constat/record/import.h"
#include "constat/base/limits.h"

#define COUNTRIES_MAX_BYTES (1024u * 1024u)
#define MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1, docs/record.md */
#define ITEM_KIND_MAX 64
#define ZONE_MAX 64

enum {
    C_SOURCE_ID, C_URL, C_DATE, C_TIME, C_PLACE, C_COUNTRY, C_LAT, C_LON, C_TYPES,
    C_AUTHORITY, C_PERSONS, C_MINORS, C_NATIONALITIES, C_ITEMS, C_NOTES
};

const char *const constat_import_columns[CONSTAT_IMPORT_NCOLS] = {
    "source_id", "source_url_or_repo_path", "date", "time", "place_name", "country",
    "lat", "lon", "incident_types", "authority", "persons_affected", "minors_involved",
    "nationalities", "items_seized_or_destroyed", "notes_facts"};

/* ---------------------------------------------------------------------- */
/* Country gazetteer                                                       */

struct constat_countries {
    constat_country *items;
    size_t n;
};

void constat_countries_free(constat_countries *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->items[i].name);
        free((char *)c->items[i].iso2);
        free((char *)c->items[i].zone);
    }
    free(c->items);
    free(c);
}

/* An IANA name such as "Europe/Paris": no absolute path, no "..", only the
 * characters tzdata uses; and its tzfile must exist, because glibc silently
 * falls back to UTC for a zone it cannot load. */
static int zone_ok(const char *zone)
{
    const char *dir = getenv("TZDIR");
    char path[4096];
    struct stat sb;
    size_t n = strlen(zone);

    if (n == 0 || n > ZONE_MAX || zone[0] == '/' || zone[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = zone[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '+' || ch == '/'))
            return 0;
        if (ch == '/' && (zone[i + 1] == '.' || zone[i + 1] == '/' || zone[i + 1] == '\0'))
            return 0;
    }
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, zone) >= sizeof path)
        return 0;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int iso2_ok(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

constat_status constat_countries_parse(const char *json, size_t len, const char *what,
                                       constat_countries **out, constat_error *err)
{
    json_error_t je;
    json_t *root, *arr;
    constat_countries *c = NULL;
    constat_status st = CONSTAT_OK;

    *out = NULL;
    if (!what)
        what = "countries";
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: line %d: %s", what, je.line,
                                 je.text);
    if (!json_is_object(root) || json_integer_value(json_object_get(root, "v")) != 1 ||
        !json_is_integer(json_object_get(root, "v"))) {
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: v: must be 1", what);
        goto done;
    }
    arr = json_object_get(root, "countries");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: countries: must be a non-empty array",
                               what);
        goto done;
    }
    c = calloc(1, sizeof *c);
    if (c)
        c->items = calloc(json_array_size(arr), sizeof *c->items);
    if (!c || !c->items) {
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *keys[3] = {"name", "iso2", "zone"};
        const char *vals[3];
        constat_country *ci;
        for (int k = 0; k < 3; k++) {
            json_t *v = json_object_get(e, keys[k]);
            if (!json_is_string(v) || json_string_length(v) == 0 ||
                strlen(json_string_value(v)) != json_string_length(v)) {
                st = constat_error_set(err, CONSTAT_EINVAL,
                                       "%s: countries[%zu].%s: must be a non-empty string", what,
                                       i, keys[k]);
                goto done;
            }
            vals[k] = json_string_value(v);
        }
        if (json_object_size(e) != 3) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "%s: countries[%zu]: only name, iso2 and zone are allowed",
                                   what, i);
            goto done;
        }
        if (!iso2_ok(vals[1])) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "%s: countries[%zu].iso2: '%s' is not two capital letters",
                                   what, i, vals[1]);
            goto done;
        }
        if (!zone_ok(vals[2])) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "%s: countries[%zu].zone: unknown time zone '%s'", what, i,
                                   vals[2]);
            goto done;
        }
        for (size_t j = 0; j < c->n; j++) {
            if (strcmp(c->items[j].name, vals[0]) == 0 || strcmp(c->items[j].iso2, vals[1]) == 0) {
                st = constat_error_set(err, CONSTAT_EINVAL,
                                       "%s: countries[%zu]: '%s' / %s already listed", what, i,
                                       vals[0], vals[1]);
                goto done;
            }
        }
        ci = &c->items[c->n];
        ci->name = strdup(vals[0]);
        ci->iso2 = strdup(vals[1]);
        ci->zone = strdup(vals[2]);
        c->n++;
        if (!ci->name || !ci->iso2 || !ci->zone) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            goto done;
        }
    }
done:
    json_decref(root);
    if (st != CONSTAT_OK)
        constat_countries_free(c);
    else
        *out = c;
    return st;
}

constat_status constat_countries_load(const char *path, constat_countries **out,
                                      constat_error *err)
{
    FILE *f;
    constat_buf b;
    constat_status st;

    *out = NULL;
#ifdef CONSTAT_DATA_DIR
    if (!path)
        path = CONSTAT_DATA_DIR "/gazetteer/countries.json";
#endif
    if (!path)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no gazetteer path given");
    f = fopen(path, "rb");
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    constat_buf_init(&b);
    st = constat_file_read(f, COUNTRIES_MAX_BYTES, &b, err);
    fclose(f);
    if (st == CONSTAT_ELIMIT || st == CONSTAT_EIO) {
        if (err)
            constat_error_prefix(err, "%s: ", path);
    } else if (st == CONSTAT_OK) {
        st = constat_countries_parse((const char *)b.data, b.len, path, out, err);
    }
    constat_buf_free(&b);
    return st;
}

const constat_country *constat_countries_find(const constat_countries *c, const char *name)
{
    if (!c || !name)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].name, name) == 0)
            return &c->items[i];
    return NULL;
}

size_t constat_countries_count(const constat_countries *c)
{
    return c ? c->n : 0;
}

const constat_country *constat_countries_at(const constat_countries *c, size_t i)
{
    return c && i < c->n ? &c->items[i] : NULL;
}

/* ---------------------------------------------------------------------- */
/* Calendar and local time                                                 */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
/* An import in progress keeps TZ on the last zone used; the caller's TZ is
 * saved here and restored when the import ends. */
static int tz_session;
static char *tz_saved;
static int tz_saved_set;

/* During an import session, what is known of each zone's offset, a week
 * at a time: rows of one file keep coming back to the same few zones and
 * weeks, and each change of TZ makes glibc open and read the zone file
 * again (a file alternating two zones read it at every other row). A slot
 * holds, for (zone, week w), the offsets two days before the week and two
 * days after it; when they are equal the offset is that one for every
 * instant resolve_local would probe for a time in the week (it probes at
 * most a day and an offset, under a day, either side), given what
 * resolve_local already assumes: transitions are months apart, so never
 * two within those eleven days. Direct-mapped, under tz_lock. */
enum { TZ_MEMO_SLOTS = 16384, TZ_MEMO_ZONE = 64, TZ_WEEK = 7 * 86400 };
typedef struct {
    char zone[TZ_MEMO_ZONE]; /* "" when the slot is free */
    int64_t week;
    long before, after;
} tz_memo_slot;
static tz_memo_slot *tz_memo; /* TZ_MEMO_SLOTS slots during a session, or NULL */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static tz_memo_slot *tz_memo_find(const char *zone, int64_t week)
{
    uint64_t h = 1469598103934665603ull;
    if (!tz_memo || strlen(zone) >= TZ_MEMO_ZONE)
        return NULL;
    for (const char *c = zone; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    h ^= (uint64_t)week;
    /* splitmix64's finaliser: every bit of the week reaches the slot */
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    return &tz_memo[h % TZ_MEMO_SLOTS];
}

static void tz_session_begin(void)
{
    const char *cur;
    pthread_mutex_lock(&tz_lock);
    if (tz_session++ == 0) {
        cur = getenv("TZ");
        tz_saved = cur ? strdup(cur) : NULL;
        tz_saved_set = cur != NULL;
        tz_memo = calloc(TZ_MEMO_SLOTS, sizeof *tz_memo); /* NULL: no memo, only slower */
    }
    pthread_mutex_unlock(&tz_lock);
}

static void tz_session_end(void)
{
    pthread_mutex_lock(&tz_lock);
    if (--tz_session == 0) {
        if (tz_saved_set && tz_saved)
            setenv("TZ", tz_saved, 1);
        else
            unsetenv("TZ");
        tzset();
        free(tz_saved);
        tz_saved = NULL;
        tz_saved_set = 0;
        free(tz_memo);
        tz_memo = NULL;
    }
    pthread_mutex_unlock(&tz_lock);
}

/* Offset east of UTC in effect at `t` in the current TZ; -1 on failure
 * (offsets are never that exact value in tzdata's range checks below). */
static int gmtoff_at(int64_t t, long *off)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!localtime_r(&tt, &tm))
        return -1;
    *off = tm.tm_gmtoff;
    return 0;
}

/*
 * The instant of naive local seconds `n` (local wall clock read as if UTC)
 * in the current TZ. Probing one day either side yields the offsets before
 * and after any transition near `n` (tzdata transitions are months apart).
 * Returns 0 with *t, *off; 1 if `n` falls in a gap (then, if allow_gap, *t is
 * the first instant after the gap, *off the offset after it); -1 if the C
 * library fails.
 */
static int resolve_local(int64_t n, int allow_gap, int64_t *t, long *off)
{
    long ob, oa, o1, o2;
    int64_t t1, t2;
    int v1, v2;

    if (gmtoff_at(n - 86400, &ob) || gmtoff_at(n + 86400, &oa))
        return -1;
    t1 = n - ob;
    t2 = n - oa;
    if (gmtoff_at(t1, &o1) || gmtoff_at(t2, &o2))
        return -1;
    v1 = t1 + o1 == n;
    v2 = t2 + o2 == n;
    if (v1 && v2) {
        /* both offsets fit: the time occurs twice; take the earlier */
        if (t1 <= t2) {
            *t = t1;
            *off = o1;
        } else {
            *t = t2;
            *off = o2;
        }
        return 0;
    }
    if (v1 || v2) {
        *t = v1 ? t1 : t2;
        *off = v1 ? o1 : o2;
        return 0;
    }
    if (allow_gap && oa > ob) {
        /* spring forward: find the transition instant T in (n - oa, n - ob] */
        int64_t lo = n - oa, hi = n - ob;
        long o;
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (gmtoff_at(mid, &o))
                return -1;
            if (mid + o > n)
                hi = mid;
            else
                lo = mid;
        }
        if (gmtoff_at(hi, &o))
            return -1;
        *t = hi;
        *off = o;
    }
    return 1;
}

/* Convert under the TZ lock; `in_gap` (may be NULL) tells the caller. */
static constat_status local_convert(const char *zone, int y, int mo, int d, int h, int mi,
                                    int allow_gap, int64_t *epoch, int *offset_s,
                                    constat_error *err)
{
    char *old = NULL;
    const char *cur;
    int64_t n, t = 0;
    long off = 0;
    int rc;

    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return constat_error_set(err, CONSTAT_EINVAL, "invalid date %04d-%02d-%02d", y, mo, d);
    if (h < 0 || h > 23 || mi < 0 || mi > 59)
        return constat_error_set(err, CONSTAT_EINVAL, "invalid time %02d:%02d", h, mi);
    if (!zone || !zone_ok(zone))
        return constat_error_set(err, CONSTAT_EINVAL, "unknown time zone '%s'",
                                 zone ? zone : "(null)");
    n = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;

    pthread_mutex_lock(&tz_lock);
    if (tz_session) {
        /* Inside an import: switch TZ only when the zone changes; glibc
         * re-reads the zone file at every change, which a restore after each
         * row would cost twice per conversion. The caller's TZ comes back at
         * the end of the import (tz_session_end). */
        int64_t week = floor_div(n, TZ_WEEK);
        tz_memo_slot *m = tz_memo_find(zone, week);
        if (m && m->zone[0] && m->week == week && strcmp(m->zone, zone) == 0 &&
            m->before == m->after) {
            pthread_mutex_unlock(&tz_lock);
            rc = 0;
            off = m->before;
            t = n - off;
            goto resolved;
        }
        cur = getenv("TZ");
        if ((!cur || strcmp(cur, zone) != 0) && setenv("TZ", zone, 1) != 0) {
            pthread_mutex_unlock(&tz_lock);
            return constat_error_set(err, CONSTAT_ENOMEM, "cannot set TZ");
        }
        if (!cur || strcmp(cur, zone) != 0)
            tzset();
        if (m && !(m->zone[0] && m->week == week && strcmp(m->zone, zone) == 0)) {
            long ob, oa;
            if (gmtoff_at(week * TZ_WEEK - 2 * 86400, &ob) == 0 &&
                gmtoff_at((week + 1) * TZ_WEEK + 2 * 86400, &oa) == 0) {
                snprintf(m->zone, sizeof m->zone, "%s", zone);
                m->week = week;
                m->before = ob;
                m->after = oa;
            }
        }
        rc = resolve_local(n, allow_gap, &t, &off);
        pthread_mutex_unlock(&tz_lock);
    } else {
        cur = getenv("TZ");
        if (cur && !(old = strdup(cur))) {
            pthread_mutex_unlock(&tz_lock);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
        if (setenv("TZ", zone, 1) != 0) {
            pthread_mutex_unlock(&tz_lock);
            free(old);
            return constat_error_set(err, CONSTAT_ENOMEM, "cannot set TZ");
        }
        tzset();
        rc = resolve_local(n, allow_gap, &t, &off);
        if (old)
            setenv("TZ", old, 1);
        else
            unsetenv("TZ");
        tzset();
        pthread_mutex_unlock(&tz_lock);
        free(old);
    }

resolved:
    if (rc < 0)
        return constat_error_set(err, CONSTAT_EINTERNAL, "local time conversion failed");
    /* A skipped midnight: the day starts at the first instant after the gap,
     * written as 00:00:00 with the offset that makes that instant read as
     * midnight (records state day precision as midnight to midnight). */
    if (rc == 1 && allow_gap)
        off = (long)(n - t);
    if (rc == 1 && !allow_gap)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "local time %04d-%02d-%02d %02d:%02d does not exist in %s "
                                 "(clocks moved forward)",
                                 y, mo, d, h, mi, zone);
    if (off % 60 != 0 || off <= -86400 || off >= 86400)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "offset of %s on %04d-%02d-%02d is not a whole number of minutes",
                                 zone, y, mo, d);
    *epoch = t;
    *offset_s = (int)off;
    return CONSTAT_OK;
}

constat_status constat_local_to_utc(const char *zone, int year, int month, int day,
                                    int hour, int minute, int64_t *epoch, int *offset_s,
                                    constat_error *err)
{
    return local_convert(zone, year, month, day, hour, minute, 0, epoch, offset_s, err);
}

/* RFC 3339 with the local wall clock and its offset, seconds precision;
 * a zero offset is written +00:00 (the local offset is known to be zero). */
static void format_local(int64_t t, int off, char out[32])
{
    int64_t local = t + off;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    int y, m, d, a = off < 0 ? -off : off;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), off < 0 ? '-' : '+',
             a / 3600, a / 60 % 60);
}

/* ---------------------------------------------------------------------- */
/* Cell parsers                                                            */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int parse_2(const char *s)
{
    return is_digit(s[0]) && is_digit(s[1]) ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

/* "YYYY-MM-DD", a real calendar date. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 4; i++)
        if (!is_digit(s[i]))
            return -1;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = parse_2(s + 5);
    *d = parse_2(s + 8);
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

/* "HH:MM", 00:00 to 23:59. */
static int parse_time(const char *s, int *h, int *mi)
{
    if (strlen(s) != 5 || s[2] != ':')
        return -1;
    *h = parse_2(s);
    *mi = parse_2(s + 3);
    return *h < 0 || *h > 23 || *mi < 0 || *mi > 59 ? -1 : 0;
}

/* A non-negative integer within 2^53 - 1: digits only. */
static int parse_count(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (!is_digit(*s))
            return -1;
        if (v > (MAX_SAFE_INT - (*s - '0')) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

/*
 * Decimal degrees to an integer of 1e-7 degree without binary floating point:
 * [+-]digits[.digits]; beyond 7 decimals, round half away from zero (the 8th
 * decimal decides, since any further digit only moves the value off the half).
 */
static int parse_e7(const char *s, int64_t max_abs, int64_t *out)
{
    int neg = 0, intdigits = 0, frac = 0;
    int64_t v = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (is_digit(*s)) {
        if (++intdigits > 3)
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    if (intdigits == 0)
        return -1;
    v *= 10000000;
    if (*s == '.') {
        int64_t scale = 1000000;
        s++;
        if (!is_digit(*s))
            return -1;
        while (is_digit(*s)) {
            if (frac < 7) {
                v += (*s - '0') * scale;
                scale /= 10;
            } else if (frac == 7 && *s >= '5') {
                v += 1;
            }
            if (++frac > 30)
                return -1;
            s++;
        }
    }
    if (*s || v > max_abs)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* Split on ';' and trim spaces and tabs around each entry; entries point
 * into one copy of the cell. */
typedef struct {
    char *buf;
    char **items;
    size_t n;
} list;

static void list_free(list *l)
{
    free(l->buf);
    free(l->items);
    l->buf = NULL;
    l->items = NULL;
    l->n = 0;
}

static int list_split(const char *s, list *l)
{
    size_t len = strlen(s), cap = 1;
    char *p;
    l->n = 0;
    l->items = NULL;
    for (size_t i = 0; i < len; i++)
        cap += s[i] == ';';
    l->buf = malloc(len + 1);
    l->items = malloc(cap * sizeof *l->items);
    if (!l->buf || !l->items) {
        list_free(l);
        return -1;
    }
    memcpy(l->buf, s, len + 1);
    p = l->buf;
    for (;;) {
        char *semi = strchr(p, ';');
        char *e;
        if (semi)
            *semi = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        l->items[l->n++] = p;
        if (!semi)
            break;
        p = semi + 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Record ids: 1-128 characters of [A-Za-z0-9._:-] (docs/record.md). */
static int id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128)
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' ||
              c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Row to record                                                           */

static const char *what_of(const constat_import_opts *o)
{
    return o->what ? o->what : "input";
}

static constat_status cell_error(constat_error *err, const constat_import_opts *o,
                                 unsigned long line, int col, const char *fmt, ...)
    CONSTAT_PRINTF(5, 6);

static constat_status cell_error(constat_error *err, const constat_import_opts *o,
                                 unsigned long line, int col, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return constat_error_set(err, CONSTAT_EINVAL, "%s: line %lu, column %s: %s", what_of(o),
                             line, constat_import_columns[col], msg);
}

/* json_object_set_new that reports a NULL value (allocation failure) too. */
static int jset(json_t *o, const char *k, json_t *v)
{
    return v ? json_object_set_new(o, k, v) : -1;
}

static int jappend(json_t *a, json_t *v)
{
    return v ? json_array_append_new(a, v) : -1;
}

#define OOM() constat_error_set(err, CONSTAT_ENOMEM, "out of memory")

static constat_status build_occurred(const constat_import_opts *o, const constat_csv_row *row,
                                     const constat_country *ctry, json_t *rec,
                                     constat_error *err)
{
    const char *date = row->fields[C_DATE], *tm = row->fields[C_TIME];
    int y, m, d, h = 0, mi = 0, off_s, off_e;
    int64_t ts, te;
    char s[32], e[32];
    constat_error lerr;
    constat_status st;
    json_t *occ;

    if (!*date)
        return cell_error(err, o, row->line, C_DATE, "a date is required");
    if (parse_date(date, &y, &m, &d))
        return cell_error(err, o, row->line, C_DATE, "'%.40s' is not a valid YYYY-MM-DD date",
                          date);
    if (*tm && parse_time(tm, &h, &mi))
        return cell_error(err, o, row->line, C_TIME, "'%.40s' is not a valid HH:MM time", tm);
    if (*tm) {
        st = local_convert(ctry->zone, y, m, d, h, mi, 0, &ts, &off_s, &lerr);
        if (st != CONSTAT_OK)
            return constat_error_set(err, st, "%s: line %lu, column time: %s", what_of(o),
                                     row->line, lerr.msg);
        format_local(ts, off_s, s);
        memcpy(e, s, sizeof e);
    } else {
        int y2, m2, d2;
        civil_from_days(days_from_civil(y, m, d) + 1, &y2, &m2, &d2);
        st = local_convert(ctry->zone, y, m, d, 0, 0, 1, &ts, &off_s, &lerr);
        if (st == CONSTAT_OK)
            st = local_convert(ctry->zone, y2, m2, d2, 0, 0, 1, &te, &off_e, &lerr);
        if (st != CONSTAT_OK)
            return constat_error_set(err, st, "%s: line %lu, column date: %s", what_of(o),
                                     row->line, lerr.msg);
        format_local(ts, off_s, s);
        format_local(te, off_e, e);
    }
    /* An incident cannot start after it was recorded (docs/time.md "Clock
     * tolerance"): a date years ahead is a typing or source error. */
    {
        int64_t rec_t;
        if (constat_rfc3339_parse(o->recorded_at, &rec_t, NULL) != CONSTAT_OK)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "import options: recorded_at '%.40s' is not an RFC 3339 "
                                     "time", o->recorded_at);
        if (ts > rec_t && ts - rec_t > CONSTAT_CLOCK_TOLERANCE_S)
            return cell_error(err, o, row->line, *tm ? C_TIME : C_DATE,
                              "the incident starts at %s, after the recording time %s (more "
                              "than %d s later): an event cannot be recorded before it happens",
                              s, o->recorded_at, CONSTAT_CLOCK_TOLERANCE_S);
    }
    occ = json_object();
    if (!occ || jset(rec, "occurred", occ) || jset(occ, "start", json_string(s)) ||
        jset(occ, "end", json_string(e)) ||
        jset(occ, "precision", json_string(*tm ? "minute" : "day")))
        return OOM();
    return CONSTAT_OK;
}

static constat_status build_place(const constat_import_opts *o, const constat_csv_row *row,
                                  json_t *rec, constat_error *err)
{
    const char *lat = row->fields[C_LAT], *lon = row->fields[C_LON];
    json_t *place = json_object();
    int64_t la, lo;

    if (!place || jset(rec, "place", place))
        return OOM();
    if (!*row->fields[C_PLACE])
        return cell_error(err, o, row->line, C_PLACE, "a place name is required");
    if (jset(place, "name", json_string(row->fields[C_PLACE])) ||
        jset(place, "country", json_string(row->fields[C_COUNTRY])))
        return OOM();
    if (!*lat && !*lon)
        return CONSTAT_OK;
    if (!*lat || !*lon)
        return cell_error(err, o, row->line, *lat ? C_LON : C_LAT,
                          "lat and lon must both be given or both be empty");
    if (parse_e7(lat, 900000000, &la))
        return cell_error(err, o, row->line, C_LAT,
                          "'%.40s' is not decimal degrees within -90..90", lat);
    if (parse_e7(lon, 1800000000, &lo))
        return cell_error(err, o, row->line, C_LON,
                          "'%.40s' is not decimal degrees within -180..180", lon);
    if (jset(place, "lat_e7", json_integer(la)) || jset(place, "lon_e7", json_integer(lo)) ||
        jset(place, "precision_m", json_integer(CONSTAT_IMPORT_PRECISION_M)))
        return OOM();
    return CONSTAT_OK;
}

static constat_status build_categories(const constat_import_opts *o,
                                       const constat_csv_row *row, json_t *rec,
                                       constat_error *err)
{
    list l;
    json_t *arr;
    constat_status st = CONSTAT_OK;

    if (!*row->fields[C_TYPES])
        return cell_error(err, o, row->line, C_TYPES, "at least one category is required");
    if (list_split(row->fields[C_TYPES], &l))
        return OOM();
    for (size_t i = 0; i < l.n && st == CONSTAT_OK; i++) {
        if (!*l.items[i])
            st = cell_error(err, o, row->line, C_TYPES, "empty entry in the list");
        else if (!constat_taxonomy_has(o->taxonomy, l.items[i]))
            st = cell_error(err, o, row->line, C_TYPES, "unknown category '%.64s'", l.items[i]);
    }
    if (st == CONSTAT_OK) {
        qsort(l.items, l.n, sizeof *l.items, cmp_str);
        arr = json_array();
        if (!arr || jset(rec, "categories", arr))
            st = OOM();
        for (size_t i = 0; i < l.n && st == CONSTAT_OK; i++)
            if ((i == 0 || strcmp(l.items[i], l.items[i - 1]) != 0) &&
                jappend(arr, json_string(l.items[i])))
                st = OOM();
    }
    list_free(&l);
    return st;
}

/* A ';' list of free-text entries (forces, nationalities) into an array
 * under obj[key]; empty cell: nothing. */
static constat_status build_text_list(const constat_import_opts *o, const constat_csv_row *row,
                                      int col, json_t *obj, const char *key,
                                      constat_error *err)
{
    list l;
    json_t *arr;
    constat_status st = CONSTAT_OK;

    if (!*row->fields[col])
        return CONSTAT_OK;
    if (list_split(row->fields[col], &l))
        return OOM();
    arr = json_array();
    if (!arr || jset(obj, key, arr))
        st = OOM();
    for (size_t i = 0; i < l.n && st == CONSTAT_OK; i++) {
        if (!*l.items[i])
            st = cell_error(err, o, row->line, col, "empty entry in the list");
        else if (jappend(arr, json_string(l.items[i])))
            st = OOM();
    }
    list_free(&l);
    return st;
}

static constat_status build_affected(const constat_import_opts *o, const constat_csv_row *row,
                                     json_t *rec, constat_error *err)
{
    const char *persons = row->fields[C_PERSONS], *minors = row->fields[C_MINORS];
    json_t *aff = json_object();
    int64_t n;

    if (!aff || jset(rec, "affected", aff))
        return OOM();
    if (*persons) {
        if (parse_count(persons, &n))
            return cell_error(err, o, row->line, C_PERSONS,
                              "'%.40s' is not a non-negative integer", persons);
        if (jset(aff, "count", json_integer(n)))
            return OOM();
    }
    if (strcmp(minors, "yes") && strcmp(minors, "no") && strcmp(minors, "unknown"))
        return cell_error(err, o, row->line, C_MINORS,
                          "'%.40s' is not one of yes, no, unknown", minors);
    if (jset(aff, "minors", json_string(minors)))
        return OOM();
    return build_text_list(o, row, C_NATIONALITIES, aff, "nationalities", err);
}

/* The action a count cell states instead of a number, or NULL. */
static const char *value_action(const char *val)
{
    if (strcmp(val, "destroyed") == 0 || strcmp(val, "discarded") == 0 ||
        strcmp(val, "burned") == 0 || strcmp(val, "broken") == 0)
        return "destroyed";
    if (strcmp(val, "seized") == 0 || strcmp(val, "taken") == 0)
        return "seized";
    return NULL;
}

/* items_seized_or_destroyed: "kind:count;..." into items[] (docs/formats.md
 * "Item kinds and action suffixes"). A kind the taxonomy lists is taken as
 * it is; otherwise a kind ending in an action suffix ("phones_broken") is
 * split into the taxonomy's kind and that action. */
static constat_status build_items(const constat_import_opts *o, const constat_csv_row *row,
                                  json_t *rec, constat_error *err)
{
    list l;
    json_t *arr;
    constat_status st = CONSTAT_OK;
    /* (kind, action) pairs already written, to refuse one given twice */
    const char **seen_kind = NULL, **seen_action = NULL;

    if (!*row->fields[C_ITEMS])
        return CONSTAT_OK;
    if (list_split(row->fields[C_ITEMS], &l))
        return OOM();
    seen_kind = calloc(l.n, sizeof *seen_kind);
    seen_action = calloc(l.n, sizeof *seen_action);
    arr = json_array();
    if (!seen_kind || !seen_action || !arr || jset(rec, "items", arr))
        st = OOM();
    for (size_t i = 0; i < l.n && st == CONSTAT_OK; i++) {
        char *kind = l.items[i], *colon = strchr(kind, ':');
        char base[ITEM_KIND_MAX + 1];
        const char *val, *written, *action = "seized_or_destroyed", *suffix_action = NULL,
                                   *word_action;
        size_t klen;
        int64_t n = 0;
        int known_count = 0;
        json_t *it;

        if (!colon) {
            st = cell_error(err, o, row->line, C_ITEMS, "'%.64s' is not kind:count", kind);
            break;
        }
        *colon = '\0';
        val = colon + 1;
        klen = strlen(kind);
        if (klen == 0 || klen > ITEM_KIND_MAX || strspn(kind, "abcdefghijklmnopqrstuvwxyz"
                                                              "0123456789_") != klen) {
            st = cell_error(err, o, row->line, C_ITEMS,
                            "item kind '%.64s' must be 1-%d characters of a-z, 0-9, _", kind,
                            ITEM_KIND_MAX);
            break;
        }
        written = kind;
        if (!constat_taxonomy_item_kind(o->taxonomy, kind, NULL, NULL)) {
            if (!constat_item_kind_split(kind, base, sizeof base, &suffix_action) ||
                !constat_taxonomy_item_kind(o->taxonomy, base, NULL, NULL)) {
                st = cell_error(err, o, row->line, C_ITEMS,
                                "unknown item kind '%s' (not in the taxonomy's item_kinds, "
                                "with or without an action suffix)",
                                kind);
                break;
            }
            written = base;
            action = suffix_action;
        }
        /* The value is a count, "unknown", or — as the published sources
         * sometimes say instead of a number — what was done to the item, with
         * no count: "destroyed"/"discarded"/"burned"/"broken" or
         * "seized"/"taken". The word sets the action; the count is unknown. */
        word_action = value_action(val);
        if (word_action) {
            if (suffix_action && strcmp(suffix_action, word_action) != 0) {
                st = cell_error(err, o, row->line, C_ITEMS,
                                "'%s:%s' states two actions (%s in the kind, %s in the value)",
                                kind, val, suffix_action, word_action);
                break;
            }
            action = word_action;
        } else if (strcmp(val, "unknown") != 0) {
            if (parse_count(val, &n)) {
                st = cell_error(err, o, row->line, C_ITEMS,
                                "count of '%s' must be a non-negative integer, 'unknown', or "
                                "one of destroyed, discarded, burned, broken, seized, taken; "
                                "not '%.40s'",
                                kind, val);
                break;
            }
            known_count = 1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(seen_kind[j], written) == 0 && strcmp(seen_action[j], action) == 0) {
                st = cell_error(err, o, row->line, C_ITEMS,
                                "item kind '%s' with action %s given twice", written, action);
                break;
            }
        }
        if (st != CONSTAT_OK)
            break;
        it = json_object();
        if (!it || jappend(arr, it) || jset(it, "kind", json_string(written)) ||
            jset(it, "action", json_string(action)) ||
            jset(it, "count", known_count ? json_integer(n) : json_null())) {
            st = OOM();
            break;
        }
        /* the strings of `it` outlive base[]: remember them, not base */
        seen_kind[i] = json_string_value(json_object_get(it, "kind"));
        seen_action[i] = json_string_value(json_object_get(it, "action"));
    }
    free(seen_kind);
    free(seen_action);
    list_free(&l);
    return st;
}

constat_status constat_import_row(const constat_import_opts *o, const constat_csv_row *row,
                                  json_t **out, constat_error *err)
{
    const char *const *f = row->fields;
    const constat_country *ctry;
    json_t *rec, *src, *auth;
    constat_status st;
    constat_error verr;

    *out = NULL;
    if (!o || !o->org || !o->monitor || !o->recorded_at || !o->taxonomy || !o->countries)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "import options: org, monitor, recorded_at, taxonomy and "
                                 "countries are required");
    if (row->nfields != CONSTAT_IMPORT_NCOLS)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: line %lu: expected %d columns, found %zu",
                                 what_of(o), row->line, CONSTAT_IMPORT_NCOLS, row->nfields);
    if (!id_ok(f[C_SOURCE_ID]))
        return cell_error(err, o, row->line, C_SOURCE_ID,
                          "'%.64s' is not a record id (1-128 characters of A-Z a-z 0-9 . _ : -)",
                          f[C_SOURCE_ID]);
    if (!*f[C_URL])
        return cell_error(err, o, row->line, C_URL, "a source reference is required");
    if (!*f[C_COUNTRY])
        return cell_error(err, o, row->line, C_COUNTRY, "a country is required");
    ctry = constat_countries_find(o->countries, f[C_COUNTRY]);
    if (!ctry)
        return cell_error(err, o, row->line, C_COUNTRY,
                          "unknown country '%.64s' (not in the gazetteer)", f[C_COUNTRY]);

    rec = json_object();
    if (!rec)
        return OOM();
    if (jset(rec, "v", json_integer(1)) || jset(rec, "kind", json_string("incident")) ||
        jset(rec, "id", json_string(f[C_SOURCE_ID])) || jset(rec, "org", json_string(o->org)) ||
        jset(rec, "monitor", json_string(o->monitor)) ||
        jset(rec, "recorded_at", json_string(o->recorded_at))) {
        st = OOM();
        goto fail;
    }
    if ((st = build_occurred(o, row, ctry, rec, err)) != CONSTAT_OK ||
        (st = build_place(o, row, rec, err)) != CONSTAT_OK ||
        (st = build_categories(o, row, rec, err)) != CONSTAT_OK)
        goto fail;
    if (*f[C_AUTHORITY]) {
        auth = json_object();
        if (!auth || jset(rec, "authority", auth)) {
            st = OOM();
            goto fail;
        }
        if ((st = build_text_list(o, row, C_AUTHORITY, auth, "forces", err)) != CONSTAT_OK)
            goto fail;
    }
    if ((st = build_affected(o, row, rec, err)) != CONSTAT_OK ||
        (st = build_items(o, row, rec, err)) != CONSTAT_OK)
        goto fail;
    src = json_object();
    if (!src || jset(rec, "source", src) || jset(src, "type", json_string("publication")) ||
        jset(src, "reference", json_string(f[C_URL])) ||
        jset(src, "source_id", json_string(f[C_SOURCE_ID])) ||
        (*f[C_NOTES] && jset(rec, "summary", json_string(f[C_NOTES])))) {
        st = OOM();
        goto fail;
    }
    st = o->no_validate ? CONSTAT_OK : constat_record_validate(rec, o->taxonomy, &verr);
    if (st != CONSTAT_OK) {
        constat_error_set(err, st, "%s: line %lu: %s", what_of(o), row->line, verr.msg);
        goto fail;
    }
    *out = rec;
    return CONSTAT_OK;
fail:
    json_decref(rec);
    return st;
}

/* ---------------------------------------------------------------------- */
/* Whole files                                                             */

/* source_id -> (hash of all cells, line), open addressing. */
typedef struct {
    char *id;
    uint8_t hash[CONSTAT_HASH_SIZE];
    unsigned long line;
} seen_entry;

typedef struct {
    seen_entry *slots;
    size_t cap, n;
} seen_set;

static size_t seen_index(const char *id, size_t cap)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ull;
    return (size_t)(h & (cap - 1));
}

static seen_entry *seen_find(seen_set *s, const char *id)
{
    size_t i;
    if (!s->cap)
        return NULL;
    for (i = seen_index(id, s->cap); s->slots[i].id; i = (i + 1) & (s->cap - 1))
        if (strcmp(s->slots[i].id, id) == 0)
            return &s->slots[i];
    return NULL;
}

static int seen_add(seen_set *s, const char *id, const uint8_t hash[32], unsigned long line)
{
    size_t i;
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        seen_entry *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t k = 0; k < s->cap; k++) {
            if (!s->slots[k].id)
                continue;
            for (i = seen_index(s->slots[k].id, ncap); ns[i].id; i = (i + 1) & (ncap - 1))
                ;
            ns[i] = s->slots[k];
        }
        free(s->slots);
        s->slots = ns;
        s->cap = ncap;
    }
    for (i = seen_index(id, s->cap); s->slots[i].id; i = (i + 1) & (s->cap - 1))
        ;
    if (!(s->slots[i].id = strdup(id)))
        return -1;
    memcpy(s->slots[i].hash, hash, CONSTAT_HASH_SIZE);
    s->slots[i].line = line;
    s->n++;
    return 0;
}

static void seen_free(seen_set *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i].id);
    free(s->slots);
}

static void row_hash(const constat_csv_row *row, uint8_t out[32])
{
    constat_sha256_ctx c;
    constat_sha256_init(&c);
    for (size_t i = 0; i < row->nfields; i++) {
        uint8_t len[8];
        uint64_t l = row->lens[i];
        for (int k = 0; k < 8; k++)
            len[k] = (uint8_t)(l >> (8 * k));
        constat_sha256_update(&c, len, sizeof len);
        constat_sha256_update(&c, row->fields[i], row->lens[i]);
    }
    constat_sha256_final(&c, out);
}

static constat_status check_header(const constat_import_opts *o, const constat_csv_row *h,
                                   constat_error *err)
{
    const char *w = what_of(o);
    for (int c = 0; c < CONSTAT_IMPORT_NCOLS; c++) {
        size_t k;
        for (k = 0; k < h->nfields; k++)
            if (strcmp(h->fields[k], constat_import_columns[c]) == 0)
                break;
        if (k == h->nfields)
            return constat_error_set(err, CONSTAT_EINVAL, "%s: line %lu: missing column '%s'", w,
                                     h->line, constat_import_columns[c]);
    }
    for (size_t k = 0; k < h->nfields; k++) {
        int c;
        for (c = 0; c < CONSTAT_IMPORT_NCOLS; c++)
            if (strcmp(h->fields[k], constat_import_columns[c]) == 0)
                break;
        if (c == CONSTAT_IMPORT_NCOLS)
            return constat_error_set(err, CONSTAT_EINVAL, "%s: line %lu: unexpected column '%.64s'",
                                     w, h->line, h->fields[k]);
        for (size_t j = 0; j < k; j++)
            if (strcmp(h->fields[j], h->fields[k]) == 0)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "%s: line %lu: column '%s' appears twice", w, h->line,
                                         h->fields[k]);
    }
    for (size_t k = 0; k < h->nfields; k++)
        if (strcmp(h->fields[k], constat_import_columns[k]) != 0)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: line %lu: column %zu is '%s', expected '%s'", w, h->line,
                                     k + 1, h->fields[k], constat_import_columns[k]);
    return CONSTAT_OK;
}

static constat_status import_run(constat_csv *r, const constat_import_opts *o,
                                 constat_import_record_fn on_record,
                                 constat_import_row_error_fn on_row_error, void *ctx,
                                 constat_import_counts *counts, constat_error *err)
{
    constat_csv_row row;
    constat_import_counts cnt = {0, 0, 0, 0};
    seen_set seen = {NULL, 0, 0};
    constat_status st;
    int got;

    constat_csv_set_max_bytes(r, CONSTAT_IMPORT_MAX_BYTES);
    tz_session_begin();
    st = constat_csv_next(r, &row, &got, err);
    if (st != CONSTAT_OK)
        goto out;
    if (!got) {
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: empty file", what_of(o));
        goto out;
    }
    if ((st = check_header(o, &row, err)) != CONSTAT_OK)
        goto out;

    for (;;) {
        constat_error rerr;
        uint8_t h[CONSTAT_HASH_SIZE];
        json_t *rec = NULL;
        seen_entry *prev;

        if ((st = constat_csv_next(r, &row, &got, err)) != CONSTAT_OK)
            goto out;
        if (!got)
            break;
        if (row.nfields == 1 && row.lens[0] == 0)
            continue; /* blank line */
        cnt.rows++;
        st = CONSTAT_OK;
        prev = NULL;
        memset(h, 0, sizeof h);
        if (row.nfields == CONSTAT_IMPORT_NCOLS) {
            prev = seen_find(&seen, row.fields[C_SOURCE_ID]);
            row_hash(&row, h);
        }
        if (prev && memcmp(prev->hash, h, sizeof h) == 0) {
            cnt.duplicates++;
            continue;
        }
        if (prev)
            st = cell_error(&rerr, o, row.line, C_SOURCE_ID,
                            "id '%s' already used by line %lu with different content",
                            row.fields[C_SOURCE_ID], prev->line);
        else
            st = constat_import_row(o, &row, &rec, &rerr);
        if (st == CONSTAT_ENOMEM) {
            if (err)
                *err = rerr;
            goto out;
        }
        if (st != CONSTAT_OK) {
            if (on_row_error && on_row_error(ctx, row.line, &rerr) == CONSTAT_OK) {
                cnt.rejected++;
                continue;
            }
            if (err)
                *err = rerr;
            goto out;
        }
        if (seen_add(&seen, row.fields[C_SOURCE_ID], h, row.line)) {
            json_decref(rec);
            st = OOM();
            goto out;
        }
        if (on_record) {
            constat_error_clear(&rerr);
            st = on_record(ctx, row.line, rec, &rerr);
            if (st != CONSTAT_OK) {
                json_decref(rec);
                if (err) {
                    *err = rerr;
                    err->code = st;
                    constat_error_prefix(err, "%s: line %lu: ", what_of(o), row.line);
                }
                goto out;
            }
        }
        json_decref(rec);
        cnt.records++;
    }
    st = CONSTAT_OK;
    if (cnt.rejected)
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: %zu row%s rejected", what_of(o),
                               cnt.rejected, cnt.rejected == 1 ? "" : "s");
out:
    tz_session_end();
    seen_free(&seen);
    if (counts)
        *counts = cnt;
    return st;
}

constat_status constat_import_csv_mem(const void *data, size_t len,
                                      const constat_import_opts *opts,
                                      constat_import_record_fn on_record,
                                      constat_import_row_error_fn on_row_error, void *ctx,
                                      constat_import_counts *counts, constat_error *err)
{
    constat_csv *r;
    constat_status st;

    if (counts)
        memset(counts, 0, sizeof *counts);
    if (!opts)
        return constat_error_set(err, CONSTAT_EINVAL, "import: no options given");
    if (len > CONSTAT_IMPORT_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT, "%s: larger than %llu bytes",
                                 what_of(opts), (unsigned long long)CONSTAT_IMPORT_MAX_BYTES);
    st = constat_csv_open_mem(data, len, what_of(opts), &r, err);
    if (st != CONSTAT_OK)
        return st;
    st = import_run(r, opts, on_record, on_row_error, ctx, counts, err);
    constat_csv_free(r);
    return st;
}

constat_status constat_import_csv(const char *path, const constat_import_opts *opts,
                                  constat_import_record_fn on_record,
                                  constat_import_row_error_fn on_row_error, void *ctx,
                                  constat_import_counts *counts, constat_error *err)
{
    constat_import_opts o;
    constat_csv *r;
    constat_status st;
    FILE *f;

    if (counts)
        memset(counts, 0, sizeof *counts);
    if (!opts || !path)
        return constat_error_set(err, CONSTAT_EINVAL, "import: no options or path given");
    o = *opts;
    if (!o.what)
        o.what = path;
    f = fopen(path, "rb");
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    st = constat_csv_open_file(f, o.what, &r, err);
    if (st == CONSTAT_OK) {
        st = import_run(r, &o, on_record, on_row_error, ctx, counts, err);
        constat_csv_free(r);
    }
    fclose(f);
    return st;
}
