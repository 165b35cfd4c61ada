/*
 * import.h — turn rows of a public-incidents CSV file (docs/formats.md,
 * "Incident import CSV") into incident records (docs/record.md).
 *
 * The caller gives the organisation, the monitor and the recorded_at time of
 * the records, the taxonomy (record.h) and the country gazetteer
 * (data/gazetteer/countries.json) that maps a country name to its IANA time
 * zone. Each valid row becomes one record that passes
 * constat_record_validate; the caller receives it through a callback (to sign
 * and append it, or to collect it). The library never prints.
 *
 * Thread safety: converting a local date and time to an offset sets the TZ
 * environment variable, calls tzset() and restores TZ afterwards (under a
 * mutex). Other threads of the process must not use local-time functions
 * (localtime_r, mktime, strftime %Z...) while an import runs.
 */
#ifndef CONSTAT_IMPORT_H
#define CONSTAT_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "constat/record/csv.h"
#include "constat/base/errors.h"
#include "constat/record/record.h"

/* ## Country gazetteer */

typedef struct constat_countries constat_countries;

/* One country: all strings owned by the gazetteer. */
typedef struct {
    const char *name; /* English name, e.g. "North Macedonia" */
    const char *iso2; /* ISO 3166-1 alpha-2, e.g. "MK" */
    const char *zone; /* IANA zone, e.g. "Europe/Skopje" */
} constat_country;

/* Parse a gazetteer: {"v":1, "countries":[{"name","iso2","zone"}...]}
 * from `len` bytes of JSON (`what` names it in messages). Every zone must be
 * a well-formed IANA name whose tzfile exists under $TZDIR or
 * /usr/share/zoneinfo. Free with constat_countries_free.
 * Errors: CONSTAT_EINVAL naming the entry ("countries[3].iso2: ..."),
 * duplicate names or codes, unknown zone; CONSTAT_ENOMEM. */
constat_status constat_countries_parse(const char *json, size_t len, const char *what,
                                       constat_countries **out, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Load a gazetteer file; `path` NULL means the countries.json of the data
 * directory this library was built with. Errors: as constat_countries_parse,
 * plus CONSTAT_ENOTFOUND / CONSTAT_EIO for the file, CONSTAT_ELIMIT if it is
 * larger than 1 MiB. */
constat_status constat_countries_load(const char *path, constat_countries **out,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

void constat_countries_free(constat_countries *c);

/* The country whose English name is exactly `name`, or NULL. The pointer is
 * owned by the gazetteer. */
const constat_country *constat_countries_find(const constat_countries *c, const char *name);

/* Number of countries, and the i-th (file order). */
size_t constat_countries_count(const constat_countries *c);
const constat_country *constat_countries_at(const constat_countries *c, size_t i);

/* ## Local time */

/* The UTC instant of local wall-clock time y-m-d hh:mm:00 in IANA zone
 * `zone`: *epoch (seconds since 1970, UTC) and *offset_s (seconds east of
 * UTC in effect then). A time that occurs twice (clocks moved back) gives the
 * earlier instant. Errors: CONSTAT_EINVAL for an invalid date or time, an
 * unknown zone, or a local time that does not exist (clocks moved forward),
 * with a message naming it (no file/line prefix). Not thread-safe: see the
 * top of this file. */
constat_status constat_local_to_utc(const char *zone, int year, int month, int day,
                                    int hour, int minute, int64_t *epoch, int *offset_s,
                                    constat_error *err) CONSTAT_WARN_UNUSED;

/* ## Import */

/* The 15 columns an import file must have, in this order. */
#define CONSTAT_IMPORT_NCOLS 15
extern const char *const constat_import_columns[CONSTAT_IMPORT_NCOLS];

/* Coordinates of the import format are approximate (data/demo/PROVENANCE.md):
 * every record with coordinates gets place.precision_m = this many metres. */
#define CONSTAT_IMPORT_PRECISION_M 5000

typedef struct {
    const char *what;                  /* the file's name in messages; NULL -> "input" */
    const char *org;                   /* record "org" */
    const char *monitor;               /* record "monitor" */
    const char *recorded_at;           /* record "recorded_at", RFC 3339 */
    const constat_taxonomy *taxonomy;  /* categories must be known here */
    const constat_countries *countries;/* country -> zone */
    int no_validate;                   /* 1: the caller validates each record itself
                                          (constat_intake_record does); 0: records
                                          passed to the callback are validated here */
} constat_import_opts;

/* Called with each record built, in file order. `record` is borrowed:
 * json_incref it to keep it. `line` is the physical line where its row
 * starts. A non-OK return stops the import and is returned by it (the
 * message in `err` is then prefixed with "<what>: line N: "). */
typedef constat_status (*constat_import_record_fn)(void *ctx, unsigned long line,
                                                   json_t *record, constat_error *err);

/* Optional: called for a row that cannot be converted, with the error (its
 * message names file, line and column). Returning CONSTAT_OK skips the row
 * and goes on (to list every error of a file in one run); any other status
 * stops the import with the row's error. Without this callback the first bad
 * row stops the import. */
typedef constat_status (*constat_import_row_error_fn)(void *ctx, unsigned long line,
                                                      const constat_error *row_err);

typedef struct {
    size_t rows;       /* data rows read (header and blank lines excluded) */
    size_t records;    /* records passed to the record callback */
    size_t duplicates; /* rows identical to an earlier row, skipped */
    size_t rejected;   /* bad rows the row-error callback chose to skip */
} constat_import_counts;

/* Import a CSV file at `path` (or, for constat_import_csv_mem, `len` bytes
 * at `data`). The header row must list exactly constat_import_columns in
 * order. A row identical in all 15 cells to an earlier row is skipped and
 * counted in `duplicates` (the vault would refuse it anyway); a different
 * row reusing an earlier source_id is an error. Blank lines are skipped.
 * `on_record` may be NULL (check the file only); `counts` may be NULL.
 * Returns CONSTAT_OK when every row converted or was skipped as a duplicate;
 * if the row-error callback skipped rows, returns CONSTAT_EINVAL with
 * "<what>: N rows rejected" after reading the whole file.
 * Errors (messages start with "<what>: "): CONSTAT_EINVAL "empty file",
 * "line 1: missing column 'x'" / "unexpected column 'x'" / "column 3 is 'x',
 * expected 'y'", "line N: expected 15 columns, found M", "line N, column
 * <name>: ..." for a bad cell (among them "column date: the incident starts
 * at ..., after the recording time ..." beyond CONSTAT_CLOCK_TOLERANCE_S, and
 * "unknown item kind 'x'"), "line N: <validator message>"; CSV syntax and
 * limit errors (csv.h); CONSTAT_ELIMIT for a file of more than
 * CONSTAT_IMPORT_MAX_BYTES; CONSTAT_ENOTFOUND / CONSTAT_EIO opening or
 * reading `path`; CONSTAT_ENOMEM; and any status a callback returns. */
constat_status constat_import_csv(const char *path, const constat_import_opts *opts,
                                  constat_import_record_fn on_record,
                                  constat_import_row_error_fn on_row_error, void *ctx,
                                  constat_import_counts *counts, constat_error *err)
    CONSTAT_WARN_UNUSED;
constat_status constat_import_csv_mem(const void *data, size_t len,
                                      const constat_import_opts *opts,
                                      constat_import_record_fn on_record,
                                      constat_import_row_error_fn on_row_error, void *ctx,
                                      constat_import_counts *counts, constat_error *err)
    CONSTAT_WARN_UNUSED;

/* Convert one data row (exactly CONSTAT_IMPORT_NCOLS fields, in column
 * order, as from constat_csv_next) into a new incident record (*out, caller
 * json_decref's). Item kinds not in the taxonomy but ending in an action
 * suffix become kind + action (constat_item_kind_split, docs/formats.md
 * "Item kinds and action suffixes"). The record has passed
 * constat_record_validate (unless opts->no_validate).
 * Errors: CONSTAT_EINVAL "<what>: line N, column <name>: ..." or
 * "<what>: line N: <validator message>"; CONSTAT_ENOMEM. */
constat_status constat_import_row(const constat_import_opts *opts, const constat_csv_row *row,
                                  json_t **out, constat_error *err) CONSTAT_WARN_UNUSED;

#endif
