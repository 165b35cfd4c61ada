/* select.c — the selection flags that `report` and `dossier` share:
 * --country CC turned into the English country name that records carry. */
#include <ctype.h>
#include <string.h>

#include "cli_records.h"
#include "constat/record/import.h"

constat_status cli_country_name(const char *code, constat_countries **gz, const char **name,
                                constat_error *err)
{
    constat_status st;

    if (strlen(code) != 2 || !isupper((unsigned char)code[0]) ||
        !isupper((unsigned char)code[1]))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "--country: \"%.16s\" is not an ISO 3166-1 alpha-2 code "
                                 "(two capital letters, e.g. FR)", code);
    if ((st = constat_countries_load(NULL, gz, err)) != CONSTAT_OK)
        return st;
    for (size_t i = 0; i < constat_countries_count(*gz); i++)
        if (strcmp(constat_countries_at(*gz, i)->iso2, code) == 0) {
            *name = constat_countries_at(*gz, i)->name;
            return CONSTAT_OK;
        }
    return constat_error_set(err, CONSTAT_EINVAL,
                             "--country: %s is not in the gazetteer (data/gazetteer/"
                             "countries.json)", code);
}
