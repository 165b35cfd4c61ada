/* cmd_log.c — `constat log`: list logged records, optionally filtered. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_records.h"

static void print_line(const constat_indexed_record *r, const json_t *amends)
{
    const json_t *rec = r->record;
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *id = json_string_value(json_object_get(rec, "id"));
    const char *when = NULL, *where = "";
    json_t *cats;
    size_t i;

    if (kind && strcmp(kind, "incident") == 0) {
        when = json_string_value(json_object_get(json_object_get(rec, "occurred"), "start"));
        where = json_string_value(json_object_get(json_object_get(rec, "place"), "name"));
        if (!where)
            where = json_string_value(json_object_get(json_object_get(rec, "place"), "site"));
    } else if (kind && strcmp(kind, "shift") == 0) {
        when = json_string_value(json_object_get(rec, "start"));
        where = json_string_value(json_object_get(json_object_get(rec, "area"), "name"));
    } else {
        when = json_string_value(json_object_get(rec, "recorded_at"));
        where = json_string_value(json_object_get(rec, "monitor"));
    }
    if (kind && strcmp(kind, "correction") == 0)
        where = json_string_value(json_object_get(rec, "corrects"));
    else if (kind && strcmp(kind, "retraction") == 0)
        where = json_string_value(json_object_get(rec, "retracts"));
    else if (kind && strcmp(kind, "erasure") == 0)
        where = json_string_value(json_object_get(rec, "erases"));
    /* one line per record whatever its text holds: values are escaped
     * (a newline in a place name is shown as \x0a, not a second line) */
    printf("%-7llu %-18s %-32s %-25s %s", (unsigned long long)r->index,
           kind ? cli_text(kind) : "?", id ? cli_text(id) : "?", cli_text(when),
           cli_text(where));
    cats = json_object_get(rec, "categories");
    for (i = 0; i < json_array_size(cats); i++)
        printf("%s%s", i ? "," : "  [", cli_text(json_string_value(json_array_get(cats, i))));
    if (i)
        putchar(']');
    if (kind && (strcmp(kind, "retraction") == 0 || strcmp(kind, "erasure") == 0))
        printf("  reason: %s", cli_text(json_string_value(json_object_get(rec, "reason"))));
    {
        char am[400];
        cli_amendment_text(amends, id, am, sizeof am);
        if (am[0])
            printf("  (%s)", am);
    }
    putchar('\n');
}

int cmd_log(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"kind", required_argument, NULL, 'k'},
        {"category", required_argument, NULL, 'c'},
        {"place", required_argument, NULL, 'p'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *kind = NULL;
    constat_dossier_filter filter = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0};
    int json = 0, filtering = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st;
    cli_records recs;
    json_t *amends = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'k': kind = optarg; break;
        case 'c': filter.category = optarg; filtering = 1; break;
        case 'p': filter.place = optarg; filtering = 1; break;
        case 'f': filter.from = optarg; filtering = 1; break;
        case 't': filter.to = optarg; filtering = 1; break;
        case 'j': json = 1; break;
        default: return cli_usage("log");
        }
    }
    if (optind != argc)
        return cli_usage("log");
    constat_error_clear(&err);
    if (filtering && (st = constat_dossier_filter_check(&filter, NULL, &err)) != CONSTAT_OK)
        return cli_filter_error(st, &err);
    if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
        return rc;
    st = cli_records_load(v, kind, filtering ? &filter : NULL, &recs, &err);
    if (st == CONSTAT_OK && (st = cli_amendments_load(v, &amends, &err)) != CONSTAT_OK)
        cli_records_free(&recs);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error("log", st, &err);
    if (json) {
        json_t *items = json_array();
        for (size_t i = 0; i < recs.n && items; i++) {
            json_t *o = json_pack("{s:I, s:O}", "index", (json_int_t)recs.recs[i].index,
                                  "record", recs.recs[i].record);
            json_t *am = json_object_get(
                amends, json_string_value(json_object_get(recs.recs[i].record, "id")));
            if (o && am)
                json_object_update(o, am);
            if (!o || json_array_append_new(items, o) != 0) {
                json_decref(items);
                items = NULL;
            }
        }
        rc = cli_json_listing("log", items, NULL);
        cli_records_free(&recs);
        json_decref(amends);
        return cli_finish_stdout(rc);
    }
    for (size_t i = 0; i < recs.n; i++)
        print_line(&recs.recs[i], amends);
    fprintf(stderr, "%zu record(s)\n", recs.n);
    cli_records_free(&recs);
    json_decref(amends);
    return cli_finish_stdout(0);
}
