/* cmd_simulate.c — `constat simulate --records N --seed S --dir VAULT`: a
 * synthetic vault for tests and benchmarks (synthetic.h), drawn from the
 * real published incidents bundled in data/demo. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "constat/vault/synthetic.h"

#ifndef CONSTAT_DATA_DIR
#define CONSTAT_DATA_DIR "data"
#endif

static int parse_u64(const char *flag, const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        fprintf(stderr, "constat: %s: \"%s\" is not an integer from 0 to %llu\n", flag,
                cli_text(s), (unsigned long long)max);
        return 2;
    }
    *out = v;
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"records", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"fit-published", no_argument, NULL, 'F'},
        {"dir", required_argument, NULL, 'd'},
        {"taxonomy", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *taxo = NULL, *nrec = NULL, *seed = NULL;
    constat_simulate_opts o = {0};
    constat_simulate_summary sum;
    constat_taxonomy *tax = NULL;
    constat_countries *countries = NULL;
    constat_error err;
    constat_status st;
    int c, rc, fit = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': nrec = optarg; break;
        case 's': seed = optarg; break;
        case 'F': fit = 1; break;
        case 'd': dir = optarg; break;
        case 't': taxo = optarg; break;
        default: return cli_usage("simulate");
        }
    }
    if (!nrec || !seed || !dir || optind != argc)
        return cli_usage("simulate");
    if ((rc = parse_u64("--records", nrec, 10000000, &o.records)) != 0 ||
        (rc = parse_u64("--seed", seed, UINT64_MAX, &o.seed)) != 0)
        return rc;
    if (o.records == 0) {
        fprintf(stderr, "constat: --records: must be at least 1\n");
        return 2;
    }
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        return rc;
    constat_error_clear(&err);
    st = constat_countries_load(NULL, &countries, &err);
    o.now = cli_now();
    o.templates_csv = CONSTAT_DATA_DIR "/demo/incidents_public.csv";
    if (fit)
        o.published_csv = CONSTAT_DATA_DIR "/demo/published_figures.csv";
    o.tax = tax;
    o.countries = countries;
    if (st == CONSTAT_OK)
        st = constat_simulate(dir, &o, &sum, &err);
    constat_countries_free(countries);
    constat_taxonomy_free(tax);
    if (st != CONSTAT_OK)
        return cli_report_error(dir, st, &err);
    printf("synthetic vault %s: %" PRIu64 " incidents, %" PRIu64 " shifts by %" PRIu64
           " monitors, %" PRIu64 " recurring persons, drawn from %" PRIu64
           " real incidents in France (seed %" PRIu64 ")\n",
           cli_text(dir), sum.incidents, sum.shifts, sum.monitors, sum.persons, sum.templates,
           o.seed);
    printf("  every record is marked synthetic (id " CONSTAT_SYNTHETIC_ID_PREFIX "..., origin "
           CONSTAT_SYNTHETIC_ORIGIN_PREFIX "...): real records are refused here, and these "
           "are refused in a real vault\n");
    if (fit)
        printf("  yearly rates fitted to %" PRIu64 " published Calais eviction total(s) "
           "(data/demo/published_figures.csv); other years at their mean\n",
           sum.fitted_years);
    return cli_finish_stdout(0);
}
