/*
 * rfc3339.c — RFC 3339 date-times with an explicit offset.
 *
 * No libc time zone state (TZ, localtime, mktime) is touched: evidence must
 * read the same on every machine, so the civil-date arithmetic is our own
 * (the days-from-civil algorithm, proleptic Gregorian calendar).
 *
 * Accepted: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" with an
 * uppercase 'T' and 'Z' (the forms constat writes), years 0000-9999, no leap
 * second (60) and no hour 24. The fraction is accepted and dropped (the
 * epoch is whole seconds, rounded toward the past).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/record/record.h"

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define EPOCH_MIN (-62167219200LL)
#define EPOCH_MAX (253402300799LL)

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, unsigned m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Read exactly n decimal digits at s. Returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

constat_status constat_rfc3339_parse(const char *s, int64_t *epoch, int *offset_s)
{
    int y, mo, d, h, mi, se, oh, om, off;
    const char *p;
    int64_t t;

    if (!s || strlen(s) < 20)
        return CONSTAT_EINVAL;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    se = digits(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0 || s[4] != '-' ||
        s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return CONSTAT_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (unsigned)mo) || h > 23 ||
        mi > 59 || se > 59)
        return CONSTAT_EINVAL;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return CONSTAT_EINVAL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (p[0] == 'Z' && p[1] == 0) {
        off = 0;
    } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
        oh = digits(p + 1, 2);
        om = digits(p + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59)
            return CONSTAT_EINVAL;
        off = (oh * 60 + om) * 60;
        if (p[0] == '-')
            off = -off;
    } else {
        return CONSTAT_EINVAL;
    }
    t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    if (epoch)
        *epoch = t - off;
    if (offset_s)
        *offset_s = off;
    return CONSTAT_OK;
}

void constat_rfc3339_format(int64_t epoch, int offset_s, char out[32])
{
    int64_t local, days, secs, y;
    unsigned m, d;
    int off = offset_s, a;

    /* offsets beyond ±23:59 cannot be written; use UTC then */
    if (off <= -86400 || off >= 86400)
        off = 0;
    off -= off % 60;
    /* years outside 0000-9999 have no RFC 3339 form: clamp to the range */
    if (epoch < EPOCH_MIN - 86400)
        epoch = EPOCH_MIN - 86400;
    if (epoch > EPOCH_MAX + 86400)
        epoch = EPOCH_MAX + 86400;
    local = epoch + off;
    if (local < EPOCH_MIN)
        local = EPOCH_MIN;
    if (local > EPOCH_MAX)
        local = EPOCH_MAX;
    days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    secs = local - days * 86400;
    civil_from_days(days, &y, &m, &d);
    {
        /* bounded copies so the compiler can see the text fits in 32 bytes */
        unsigned yy = (unsigned)y % 10000u, hh = (unsigned)(secs / 3600) % 24u;
        unsigned mm = (unsigned)(secs / 60) % 60u, ss = (unsigned)secs % 60u;
        unsigned mo = m % 13u, dd = d % 32u;
        a = off < 0 ? -off : off;
        if (off == 0)
            snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", yy, mo, dd, hh, mm, ss);
        else
            snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u", yy, mo, dd, hh,
                     mm, ss, off < 0 ? '-' : '+', (unsigned)(a / 3600) % 24u,
                     (unsigned)(a / 60) % 60u);
    }
}
