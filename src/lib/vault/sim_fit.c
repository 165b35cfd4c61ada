/* sim_fit.c — yearly rates of a synthetic vault from published figures
 * (sim_fit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/sim_fit.h"
#include "constat/record/csv.h"

/* A period of one calendar year: exactly four digits. */
static int year_of(const char *s, size_t n)
{
    int y = 0;
    if (n != 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        y = y * 10 + (s[i] - '0');
    }
    return y;
}

constat_status sim_fit_years(const char *path, double w[SIM_FIT_YEARS], int *nfit,
                             constat_error *err)
{
    FILE *f = fopen(path, "rb");
    constat_csv *r = NULL;
    constat_csv_row row;
    double got[SIM_FIT_YEARS] = {0}, sum = 0;
    int got_n = 0, more = 1, first = 1;
    constat_status st;

    *nfit = 0;
    for (int i = 0; i < SIM_FIT_YEARS; i++)
        w[i] = 1;
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open", path);
    st = constat_csv_open_file(f, path, &r, err);
    while (st == CONSTAT_OK && (st = constat_csv_next(r, &row, &more, err)) == CONSTAT_OK &&
           more) {
        int y;
        double v;
        char *end;
        if (row.nfields != 6) {
            st = constat_error_set(err, CONSTAT_EINVAL, "%s line %lu: %zu fields, not 6",
                                   path, row.line, row.nfields);
            break;
        }
        if (first) { /* the header */
            first = 0;
            continue;
        }
        y = year_of(row.fields[1], row.lens[1]);
        if (y < SIM_FIT_YEAR0 || y >= SIM_FIT_YEAR0 + SIM_FIT_YEARS ||
            strcmp(row.fields[2], "Calais") != 0 || strcmp(row.fields[5], "evictions") != 0 ||
            !strstr(row.fields[3], "eviction"))
            continue;
        v = strtod(row.fields[4], &end);
        if (end == row.fields[4] || *end || v <= 0)
            continue;
        if (got[y - SIM_FIT_YEAR0] == 0)
            got_n++;
        if (v > got[y - SIM_FIT_YEAR0])
            got[y - SIM_FIT_YEAR0] = v;
    }
    constat_csv_free(r);
    fclose(f);
    if (st != CONSTAT_OK || got_n == 0)
        return st;
    for (int i = 0; i < SIM_FIT_YEARS; i++)
        sum += got[i];
    for (int i = 0; i < SIM_FIT_YEARS; i++)
        w[i] = got[i] > 0 ? got[i] : sum / got_n;
    *nfit = got_n;
    return CONSTAT_OK;
}
