/* fuzz_csv.c — arbitrary bytes through the CSV reader (memory and stream
 * readers must agree record for record), then through the incident importer
 * behind the expected header: every record it hands out must validate and
 * hash, and every error must name the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "constat/constat.h"
#include "constat/record/csv.h"
#include "constat/record/import.h"
#include "constat/record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER                                                                            \
    "source_id,source_url_or_repo_path,date,time,place_name,country,lat,lon,"             \
    "incident_types,authority,persons_affected,minors_involved,nationalities,"            \
    "items_seized_or_destroyed,notes_facts\n"

/* A small taxonomy in the data/taxonomy format, written to a temporary file
 * once because constat_taxonomy_load reads a path. */
static const char taxonomy_json[] =
    "{\"version\":2,\"categories\":["
    "{\"id\":\"eviction\",\"label\":{\"fr\":\"Expulsion\",\"en\":\"Eviction\"},"
    "\"description\":{\"fr\":\"e\",\"en\":\"e\"}},"
    "{\"id\":\"pushback\",\"label\":{\"fr\":\"Refoulement\",\"en\":\"Pushback\"},"
    "\"description\":{\"fr\":\"p\",\"en\":\"p\"}},"
    "{\"id\":\"arrest\",\"label\":{\"fr\":\"Interpellation\",\"en\":\"Arrest\"},"
    "\"description\":{\"fr\":\"a\",\"en\":\"a\"}}],"
    "\"item_kinds\":["
    "{\"id\":\"tents\",\"unit\":\"items\",\"label\":{\"fr\":\"Tentes\",\"en\":\"Tents\"}},"
    "{\"id\":\"phones\",\"unit\":\"items\",\"label\":{\"fr\":\"T\",\"en\":\"P\"}},"
    "{\"id\":\"cash\",\"unit\":\"currency\",\"label\":{\"fr\":\"A\",\"en\":\"C\"}},"
    "{\"id\":\"cash_eur\",\"unit\":\"currency\",\"currency\":\"EUR\","
    "\"label\":{\"fr\":\"A\",\"en\":\"C\"}}]}";

/* France and Croatia as in the real gazetteer, plus a zone whose clocks
 * moved at midnight. */
static const char countries_json[] =
    "{\"v\":1,\"countries\":["
    "{\"name\":\"France\",\"iso2\":\"FR\",\"zone\":\"Europe/Paris\"},"
    "{\"name\":\"Croatia\",\"iso2\":\"HR\",\"zone\":\"Europe/Zagreb\"},"
    "{\"name\":\"Brazil\",\"iso2\":\"BR\",\"zone\":\"America/Sao_Paulo\"}]}";

static constat_taxonomy *tax;
static constat_countries *countries;

static void init_once(void)
{
    char path[] = "/tmp/fuzz_csv_taxonomy_XXXXXX";
    constat_error e;
    int fd;

    if (constat_init() != CONSTAT_OK)
        abort();
    fd = mkstemp(path);
    if (fd < 0 || write(fd, taxonomy_json, sizeof taxonomy_json - 1) !=
                      (ssize_t)(sizeof taxonomy_json - 1))
        abort();
    close(fd);
    if (constat_taxonomy_load(path, &tax, &e) != CONSTAT_OK)
        abort();
    unlink(path);
    if (constat_countries_parse(countries_json, sizeof countries_json - 1, "fuzz", &countries,
                                &e) != CONSTAT_OK)
        abort();
}

static constat_status on_record(void *ctx, unsigned long line, json_t *record,
                                constat_error *err)
{
    uint8_t h[32];
    (void)ctx;
    (void)line;
    if (constat_record_validate(record, tax, err) != CONSTAT_OK ||
        constat_record_content_hash(record, h, err) != CONSTAT_OK)
        abort();
    return CONSTAT_OK;
}

static constat_status on_row_error(void *ctx, unsigned long line, const constat_error *e)
{
    (void)ctx;
    (void)line;
    if (strncmp(e->msg, "fuzz.csv: ", 10) != 0)
        abort();
    return CONSTAT_OK;
}

/* Memory and stream readers give the same records and the same outcome. */
static void compare_readers(const uint8_t *data, size_t size)
{
    constat_csv *rm = NULL, *rf = NULL;
    constat_csv_row a, b;
    constat_error ea, eb;
    FILE *f;
    unsigned long last = 0;

    if (size == 0)
        return;
    f = fmemopen((void *)data, size, "rb");
    if (!f)
        return;
    if (constat_csv_open_mem(data, size, "m", &rm, &ea) != CONSTAT_OK ||
        constat_csv_open_file(f, "m", &rf, &eb) != CONSTAT_OK)
        abort();
    for (;;) {
        int ga, gb;
        constat_status sa = constat_csv_next(rm, &a, &ga, &ea);
        constat_status sb = constat_csv_next(rf, &b, &gb, &eb);
        if (sa != sb || ga != gb)
            abort();
        if (sa != CONSTAT_OK) {
            if (strcmp(ea.msg, eb.msg) != 0 || strncmp(ea.msg, "m: ", 3) != 0)
                abort();
            break;
        }
        if (!ga)
            break;
        if (a.line != b.line || a.nfields != b.nfields || a.line <= last || a.nfields == 0)
            abort();
        last = a.line;
        for (size_t i = 0; i < a.nfields; i++)
            if (a.lens[i] != b.lens[i] || strlen(a.fields[i]) != a.lens[i] ||
                memcmp(a.fields[i], b.fields[i], a.lens[i]) != 0)
                abort();
    }
    constat_csv_free(rm);
    constat_csv_free(rf);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    constat_import_opts o;
    constat_import_counts c;
    constat_error e;
    char *buf;

    if (!ready) {
        init_once();
        ready = 1;
    }
    compare_readers(data, size);

    /* the importer, behind a valid header so rows reach the conversion */
    buf = malloc(sizeof HEADER - 1 + size);
    if (!buf)
        return 0;
    memcpy(buf, HEADER, sizeof HEADER - 1);
    if (size)
        memcpy(buf + sizeof HEADER - 1, data, size);
    o.what = "fuzz.csv";
    o.org = "fuzz-org";
    o.monitor = "fuzz-monitor";
    o.recorded_at = "2026-01-01T00:00:00Z";
    o.taxonomy = tax;
    o.countries = countries;
    if (constat_import_csv_mem(buf, sizeof HEADER - 1 + size, &o, on_record, on_row_error, NULL,
                               &c, &e) != CONSTAT_OK) {
        if (strncmp(e.msg, "fuzz.csv: ", 10) != 0)
            abort();
    }
    if (c.records + c.rejected + c.duplicates > c.rows)
        abort();
    /* and the raw bytes as a whole file (header checks) */
    if (constat_import_csv_mem(data, size, &o, on_record, on_row_error, NULL, &c, &e) ==
        CONSTAT_OK && c.records > c.rows)
        abort();
    free(buf);
    return 0;
}
