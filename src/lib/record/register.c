/*
 * register.c — the parts of the record model the Defender's findings need
 * (docs/record.md "register", "transport", "eviction"): register entries
 * (aid points, living sites, named places) signed by the organisation key,
 * and the transport and eviction members of an incident.
 *
 * Closed world like record.c: every object lists its members. Paths in the
 * messages are relative to the record ("transport.released_at: ...").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "constat/record/record.h"
#include "record/record_internal.h"

#define RMAX 9007199254740991LL

#define rfail constat_record_fail

/* "path: message" as CONSTAT_EINVAL (record_internal.h); defined here,
 * used by record.c too, so the call goes one way between the two files. */
constat_status constat_record_fail(constat_error *err, const char *path, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return constat_error_set(err, CONSTAT_EINVAL, "%s: %s", path, msg);
}

/* One member and its rule. */
typedef enum { M_STR, M_INT, M_OBJ, M_ARR, M_TIME, M_DATE, M_CLOCK, M_STRS, M_COORD } mtype;
typedef struct {
    const char *name;
    mtype type;
    int required;
} mrule;

static const char *const type_word[] = {"a non-empty string", "an integer >= 0", "an object",
                                        "an array", "an RFC 3339 time with offset",
                                        "a date YYYY-MM-DD", "a time of day HH:MM",
                                        "an array of non-empty strings", "an integer"};

/* Check obj's members against rules (closed world), at `path`. */
static constat_status members(const json_t *obj, const char *path, const mrule *rules,
                              constat_error *err)
{
    const char *key;
    json_t *v;
    char p[200];

    if (!json_is_object(obj))
        return rfail(err, path[0] ? path : "record", "must be an object");
    json_object_foreach((json_t *)obj, key, v) {
        const mrule *r = rules;
        while (r->name && strcmp(r->name, key) != 0)
            r++;
        snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
        if (!r->name)
            return rfail(err, p, "unknown field");
    }
    for (const mrule *r = rules; r->name; r++) {
        int ok = 1, m;
        int64_t t;
        v = json_object_get(obj, r->name);
        snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", r->name);
        if (!v) {
            if (r->required)
                return rfail(err, p, "missing");
            continue;
        }
        switch (r->type) {
        case M_STR:
            ok = json_is_string(v) && json_string_length(v) > 0;
            break;
        case M_INT:
            ok = json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= RMAX;
            break;
        case M_COORD:
            ok = json_is_integer(v); /* the range is position()'s */
            break;
        case M_OBJ:
            ok = json_is_object(v);
            break;
        case M_ARR:
            ok = json_is_array(v);
            break;
        case M_TIME:
            ok = json_is_string(v) && constat_rfc3339_parse(json_string_value(v), &t, NULL) ==
                                          CONSTAT_OK && json_string_length(v) == 20 + 5 * (json_string_value(v)[19] != 'Z');
            break;
        case M_DATE:
            ok = json_is_string(v) && constat_civil_days(json_string_value(v), &t) == 0;
            break;
        case M_CLOCK:
            ok = json_is_string(v) && constat_clock_minutes(json_string_value(v), &m) == 0;
            break;
        case M_STRS:
            ok = json_is_array(v);
            for (size_t i = 0; ok && i < json_array_size(v); i++)
                ok = json_is_string(json_array_get(v, i)) &&
                     json_string_length(json_array_get(v, i)) > 0;
            break;
        }
        if (!ok)
            return rfail(err, p, "must be %s", type_word[r->type]);
    }
    return CONSTAT_OK;
}

/* lat_e7/lon_e7 of obj (path): both, within range. */
static constat_status position(const json_t *obj, const char *path, int required,
                               constat_error *err)
{
    const json_t *la = json_object_get(obj, "lat_e7"), *lo = json_object_get(obj, "lon_e7");
    if (!la && !lo && !required)
        return CONSTAT_OK;
    if (!json_is_integer(la) || json_integer_value(la) < -900000000 ||
        json_integer_value(la) > 900000000)
        return rfail(err, path, "lat_e7 must be an integer within -900000000..900000000");
    if (!json_is_integer(lo) || json_integer_value(lo) < -1800000000 ||
        json_integer_value(lo) > 1800000000)
        return rfail(err, path, "lon_e7 must be an integer within -1800000000..1800000000");
    return CONSTAT_OK;
}

int constat_civil_days(const char *s, int64_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, leap;
    for (int i = 0; i < 10; i++)
        if (!s[i] || ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')))
            return -1;
    if (s[10])
        return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    /* days from civil (proleptic Gregorian), 1970-01-01 = 0 */
    {
        int64_t yy = y - (m <= 2), era = yy / 400;
        int64_t yoe = yy - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        if (days)
            *days = era * 146097 + doe - 719468;
    }
    return 0;
}

int constat_clock_minutes(const char *s, int *minutes)
{
    int h, m;
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    if (minutes)
        *minutes = h * 60 + m;
    return 0;
}

int constat_weekday_index(const char *name)
{
    static const char *const wd[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int i = 0; name && i < 7; i++)
        if (strcmp(name, wd[i]) == 0)
            return i;
    return -1;
}

constat_status constat_record_check_findings(const json_t *r, constat_error *err)
{
    static const mrule tr[] = {{"destination", M_STR, 0},
                               {"released_at", M_TIME, 0},
                               {"release_place", M_OBJ, 0},
                               {NULL, M_STR, 0}};
    static const mrule rp[] = {{"name", M_STR, 0}, {"site", M_STR, 0}, {"lat_e7", M_COORD, 0},
                               {"lon_e7", M_COORD, 0}, {NULL, M_STR, 0}};
    static const mrule ev[] = {{"associations_invited", M_STRS, 0},
                               {"associations_present", M_STRS, 0},
                               {"invited_by", M_STR, 0},
                               {NULL, M_STR, 0}};
    const json_t *t = json_object_get(r, "transport"), *e = json_object_get(r, "eviction");
    constat_status st;

    if (t) {
        const json_t *p = json_object_get(t, "release_place"), *dst;
        int64_t tr_at, start;
        if ((st = members(t, "transport", tr, err)) != CONSTAT_OK)
            return st;
        if (json_object_size(t) == 0)
            return rfail(err, "transport", "must not be empty (omit it when nothing is known)");
        dst = json_object_get(t, "destination");
        if (dst && strncmp(json_string_value(dst), "reg:", 4) != 0)
            return rfail(err, "transport.destination",
                         "must be the id of a register entry (\"reg:...\")");
        if (p) {
            if ((st = members(p, "transport.release_place", rp, err)) != CONSTAT_OK ||
                (st = position(p, "transport.release_place", 0, err)) != CONSTAT_OK)
                return st;
            if (json_object_size(p) == 0)
                return rfail(err, "transport.release_place", "must not be empty");
        }
        if (json_object_get(t, "released_at") &&
            constat_rfc3339_parse(json_string_value(json_object_get(t, "released_at")), &tr_at,
                                  NULL) == CONSTAT_OK &&
            constat_rfc3339_parse(json_string_value(json_object_get(
                                      json_object_get(r, "occurred"), "start")),
                                  &start, NULL) == CONSTAT_OK &&
            tr_at < start)
            return rfail(err, "transport.released_at", "is before occurred.start");
    }
    if (e && (st = members(e, "eviction", ev, err)) != CONSTAT_OK)
        return st;
    if (e && json_object_size(e) == 0)
        return rfail(err, "eviction", "must not be empty (omit it when nothing is known)");
    return CONSTAT_OK;
}

constat_status constat_record_check_register(const json_t *r, constat_error *err)
{
    static const mrule top[] = {
        {"v", M_INT, 1},          {"kind", M_STR, 1},        {"id", M_STR, 1},
        {"org", M_STR, 1},        {"monitor", M_STR, 1},     {"recorded_at", M_TIME, 1},
        {"register", M_STR, 1},   {"name", M_STR, 1},        {"commune", M_STR, 0},
        {"position", M_OBJ, 0},   {"radius_m", M_INT, 0},    {"polygon", M_ARR, 0},
        {"operator", M_STR, 0},   {"zone", M_STR, 0},        {"schedule", M_ARR, 0},
        {"valid_from", M_DATE, 0}, {"valid_to", M_DATE, 0},  {"source", M_OBJ, 0},
        {NULL, M_STR, 0}};
    static const mrule src[] = {{"reference", M_STR, 0}, {"note", M_STR, 0}, {NULL, M_STR, 0}};
    static const mrule slot[] = {{"weekday", M_STR, 1}, {"start", M_CLOCK, 1},
                                 {"end", M_CLOCK, 1}, {NULL, M_STR, 0}};
    static const char *const kinds[] = {"aid_point", "living_site", "place", NULL};
    const char *reg, *org, *mon;
    const json_t *pos, *poly, *sched, *v;
    int64_t d0 = 0, d1 = 0;
    constat_status st;
    size_t i;
    char p[80];

    if ((st = members(r, "", top, err)) != CONSTAT_OK)
        return st;
    reg = json_string_value(json_object_get(r, "register"));
    for (i = 0; kinds[i] && strcmp(kinds[i], reg) != 0; i++)
        ;
    if (!kinds[i])
        return rfail(err, "register", "\"%.40s\" is not one of aid_point, living_site, place",
                     reg);
    org = json_string_value(json_object_get(r, "org"));
    mon = json_string_value(json_object_get(r, "monitor"));
    if (strcmp(org, mon) != 0)
        return rfail(err, "monitor", "must be the organisation (\"%.64s\"): the organisation "
                                     "key signs register entries", org);
    pos = json_object_get(r, "position"); /* omitted when no source gives it */
    if (pos && json_object_size(pos) != 2)
        return rfail(err, "position", "must hold exactly lat_e7 and lon_e7");
    if (pos && (st = position(pos, "position", 1, err)) != CONSTAT_OK)
        return st;
    if (json_object_get(r, "radius_m") && !pos)
        return rfail(err, "radius_m", "a radius needs a position");
    poly = json_object_get(r, "polygon");
    if (poly) {
        if (json_array_size(poly) < 3 || json_array_size(poly) > 1000)
            return rfail(err, "polygon", "must list 3 to 1000 vertices");
        for (i = 0; i < json_array_size(poly); i++) {
            v = json_array_get(poly, i);
            snprintf(p, sizeof p, "polygon[%zu]", i);
            if (json_object_size(v) != 2)
                return rfail(err, p, "must be an object of exactly lat_e7 and lon_e7");
            if ((st = position(v, p, 1, err)) != CONSTAT_OK)
                return st;
        }
    }
    sched = json_object_get(r, "schedule");
    if (strcmp(reg, "aid_point") == 0) {
        if (sched && !json_object_get(r, "zone"))
            return rfail(err, "zone", "a schedule needs the place's time zone (e.g. "
                                      "\"Europe/Paris\")");
    } else if (sched || json_object_get(r, "operator")) {
        return rfail(err, sched ? "schedule" : "operator",
                     "only aid points have a distribution schedule and an operator");
    }
    for (i = 0; i < json_array_size(sched); i++) {
        int a, b;
        v = json_array_get(sched, i);
        snprintf(p, sizeof p, "schedule[%zu]", i);
        if ((st = members(v, p, slot, err)) != CONSTAT_OK)
            return st;
        if (constat_weekday_index(json_string_value(json_object_get(v, "weekday"))) < 0)
            return rfail(err, p, "weekday must be one of mon tue wed thu fri sat sun");
        (void)constat_clock_minutes(json_string_value(json_object_get(v, "start")), &a);
        (void)constat_clock_minutes(json_string_value(json_object_get(v, "end")), &b);
        if (a >= b)
            return rfail(err, p, "start must be before end (local wall-clock times of one day)");
    }
    if ((v = json_object_get(r, "valid_from")))
        (void)constat_civil_days(json_string_value(v), &d0);
    if ((v = json_object_get(r, "valid_to")))
        (void)constat_civil_days(json_string_value(v), &d1);
    if (json_object_get(r, "valid_from") && json_object_get(r, "valid_to") && d0 > d1)
        return rfail(err, "valid_to", "is before valid_from");
    if ((v = json_object_get(r, "source")) && (st = members(v, "source", src, err)) != CONSTAT_OK)
        return st;
    return CONSTAT_OK;
}
