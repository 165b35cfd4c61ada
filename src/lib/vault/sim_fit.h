/*
 * sim_fit.h — private to src/lib/vault: the rates a synthetic vault is
 * drawn with, taken from published figures (sim_fit.c; docs/vault.md
 * "Synthetic vaults").
 */
#ifndef CONSTAT_VAULT_SIM_FIT_H
#define CONSTAT_VAULT_SIM_FIT_H

#include "constat/base/errors.h"

/* The simulated years: 2018 to 2024. */
#define SIM_FIT_YEAR0 2018
#define SIM_FIT_YEARS 7

/* Yearly weights (relative rates of incidents) read from a published
 * figures CSV (data/demo/published_figures.csv: source, period, place,
 * indicator, value, unit): a row counts when its period is one calendar
 * year of the simulated ones, its place is exactly "Calais", its unit is
 * "evictions" and its indicator names evictions; the weight of
 * its year is its value (the largest when several). A year no row gives
 * gets the mean of the others. w[i] is the weight of year SIM_FIT_YEAR0 + i;
 * *nfit gets how many years a published figure gave. No row at all: every
 * weight 1, *nfit 0.
 * Errors: CONSTAT_EIO (unreadable file), CONSTAT_EINVAL (not a CSV of six
 * columns, naming the line), CONSTAT_ENOMEM. */
constat_status sim_fit_years(const char *path, double w[SIM_FIT_YEARS], int *nfit,
                             constat_error *err) CONSTAT_WARN_UNUSED;

#endif
