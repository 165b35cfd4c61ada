/* cli_records.h — the vault's records in memory, optionally filtered. */
#ifndef CONSTAT_CLI_RECORDS_H
#define CONSTAT_CLI_RECORDS_H

#include "cli.h"
#include "constat/dossier/dossier.h"
#include "constat/analysis/report.h"
#include "constat/record/import.h"

typedef struct {
    constat_indexed_record *recs; /* each holds its own reference */
    size_t n, cap;
} cli_records;

/* Every leaf of the vault whose record has kind `kind` (NULL: any) and
 * matches `filter` (NULL: all), in leaf order.
 * Errors: the vault's, and CONSTAT_EINVAL for a leaf that does not parse. */
constat_status cli_records_load(constat_vault *v, const char *kind,
                                const constat_dossier_filter *filter, cli_records *out,
                                constat_error *err);
/* cli_records_load over the first `size` leaves only (size <= tree size):
 * the records a checkpoint of that size covers. Same errors. */
constat_status cli_records_load_upto(constat_vault *v, uint64_t size, const char *kind,
                                     const constat_dossier_filter *filter, cli_records *out,
                                     constat_error *err);
void cli_records_free(cli_records *r);
/* The records of each kind of `kinds` (NULL-terminated), kind after kind,
 * each in leaf order: what constat_records_effective reads. Same errors as
 * cli_records_load; *out is empty on error. */
constat_status cli_records_load_kinds(constat_vault *v, const char *const *kinds,
                                      cli_records *out, constat_error *err);

/* Which records were corrected or retracted, by which leaves: *out is a new
 * object (caller json_decref's) of record id -> {"corrected_by": [leaf,
 * ...] (ascending), "retracted_by": leaf (the first retraction), "erased_by":
 * leaf (the first erasure, cmd_erase.c)}, with only
 * the members that apply; ids nothing amends are absent.
 * Errors: those of cli_records_load. */
constat_status cli_amendments_load(constat_vault *v, json_t **out, constat_error *err);
/* The text "corrected by leaf 3, 7; retracted by leaf 9" for `id` in
 * `amends` (from cli_amendments_load) into out[cap]; "" when none. */
void cli_amendment_text(const json_t *amends, const char *id, char *out, size_t cap);

/* --country CC (report, dossier; select.c): `code` must be an ISO 3166-1
 * alpha-2 code (two capital letters) of the gazetteer; *name is set to the
 * English name records carry in place.country, owned by *gz (loaded here;
 * caller constat_countries_free's it, also on error).
 * Errors: CONSTAT_EINVAL for a code of another shape or not in the
 * gazetteer (the message names --country), and those of
 * constat_countries_load. */
constat_status cli_country_name(const char *code, constat_countries **gz, const char **name,
                                constat_error *err);

#endif
