/*
 * synthetic.h — synthetic vaults (`constat simulate`, docs/vault.md
 * "Synthetic vaults"): realistic made-up records for tests and benchmarks,
 * marked so that they never mix with real data.
 *
 * A synthetic vault's log origin starts with CONSTAT_SYNTHETIC_ORIGIN_PREFIX
 * (a name under the reserved .invalid domain, RFC 6761) and its organisation
 * is CONSTAT_SYNTHETIC_ORG; every record it holds has an id starting with
 * CONSTAT_SYNTHETIC_ID_PREFIX, a summary starting with "[synthetic]" and a
 * source_id "synthetic:...". Intake refuses a real record into a synthetic
 * vault and a synthetic record into a real one; reports say "synthetic".
 */
#ifndef CONSTAT_SYNTHETIC_H
#define CONSTAT_SYNTHETIC_H

#include <stdint.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/record/record.h"
#include "constat/record/import.h"

#define CONSTAT_SYNTHETIC_ORIGIN_PREFIX "synthetic.invalid/"
#define CONSTAT_SYNTHETIC_ORG "synthetic-data"
#define CONSTAT_SYNTHETIC_ID_PREFIX "SYN-"

/* 1 if the log origin `origin` is a synthetic vault's (NULL: 0). */
int constat_origin_is_synthetic(const char *origin);

/* 1 if `record` (a record object) is marked synthetic: its id starts with
 * CONSTAT_SYNTHETIC_ID_PREFIX. */
int constat_record_is_synthetic(const json_t *record);

/* The mixing rule, for a record about to enter the log of origin `origin`:
 * CONSTAT_OK when both are synthetic or both are real; CONSTAT_EINVAL
 * naming the record id otherwise ("id SYN-...: a synthetic record (constat
 * simulate) never enters a real vault", "this vault is synthetic ...: a
 * real record never enters it"). */
constat_status constat_synthetic_guard(const char *origin, const json_t *record,
                                       constat_error *err) CONSTAT_WARN_UNUSED;

/* What constat_simulate writes. */
typedef struct {
    uint64_t records;    /* records asked for: incidents and shifts together */
    uint64_t seed;       /* the same seed gives the same records */
    int64_t now;         /* the vault's clock, seconds since the epoch; must be
                            after the simulated period (2018-01-01 to 2024-12-31) */
    const char *templates_csv;  /* the real incidents (data/demo/incidents_public.csv) */
    /* NULL, or published figures (data/demo/published_figures.csv): the
     * incidents of each year are drawn at the rate of the Calais eviction
     * total published for it (years without one at the mean of the others),
     * so that the simulated vault's yearly shares reproduce the published
     * ones; NULL: every year alike */
    const char *published_csv;
    const constat_taxonomy *tax;
    const constat_countries *countries;
} constat_simulate_opts;

typedef struct {
    uint64_t incidents, shifts, monitors, persons, templates;
    uint64_t fitted_years; /* years whose rate a published figure gave */
} constat_simulate_summary;

/* Create a synthetic vault in `dir` (absent or empty; keys not sealed) and
 * fill it with opts->records records drawn, with a generator seeded by
 * opts->seed, from the French incidents of opts->templates_csv: each
 * synthetic incident copies the categories, place (moved by up to about
 * 300 m), forces, minors, nationalities and items of a real one, at a day of
 * the period (fewer on Sundays) and an hour that depends on its categories
 * (evictions early in the morning, night visits at night); identity checks,
 * arrests and transports name 1 to 3 persons of a recurring pool (a few are
 * checked very often); one record in ten is a monitor's shift. Four
 * monitors are enrolled; a checkpoint is signed at the end. Two runs with
 * one seed write the same records (ids, times, places, persons, counts), so
 * the same figures; the keys, hence signatures, are fresh each time.
 * *out (may be NULL) gets the counts.
 * Errors: CONSTAT_EINVAL (records 0 or above 10^7, now before the period's
 * end, no French template),
 * CONSTAT_ECONFLICT (dir not empty), and those of the import, intake,
 * vault creation and append. */
constat_status constat_simulate(const char *dir, const constat_simulate_opts *opts,
                                constat_simulate_summary *out,
                                constat_error *err) CONSTAT_WARN_UNUSED;

#endif
