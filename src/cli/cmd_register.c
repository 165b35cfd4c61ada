/* cmd_register.c — `constat register add|list`: register entries (aid
 * points, living sites, places) signed by the organisation key. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "constat/record/canon.h"
#include "constat/vault/register.h"

/* A register file may hold one entry or many: {"entries": [...]} (the
 * shipped files, with their provenance beside them), an array, or one
 * entry object. Returns a new array reference, or NULL (printed). */
static json_t *entries_of(const char *path)
{
    constat_buf b;
    constat_error err;
    json_t *doc = NULL, *out = NULL;

    constat_buf_init(&b);
    if (cli_read_file(path, &b, 16u << 20) != 0)
        return NULL;
    constat_error_clear(&err);
    if (constat_json_parse(b.data ? (const char *)b.data : "", b.len, path, 0, &doc, &err) !=
        CONSTAT_OK) {
        constat_buf_free(&b);
        cli_report_error(path, CONSTAT_EINVAL, &err);
        return NULL;
    }
    constat_buf_free(&b);
    if (json_is_array(doc))
        out = json_incref(doc);
    else if (json_is_object(doc) && json_is_array(json_object_get(doc, "entries")))
        out = json_incref(json_object_get(doc, "entries"));
    else if (json_is_object(doc))
        out = json_pack("[O]", doc);
    json_decref(doc);
    if (!out)
        fprintf(stderr, "constat: %s: not a register entry, an array of entries or "
                        "{\"entries\": [...]}\n", cli_text(path));
    return out;
}

typedef struct {
    json_t *items;
} list_out;

static int print_entry(void *ctx, uint64_t index, const json_t *r)
{
    list_out *o = ctx;
    const json_t *pos = json_object_get(r, "position");
    if (o->items)
        return json_array_append_new(o->items, json_pack("{s:I,s:O}", "leaf", (json_int_t)index,
                                                         "record", r)) != 0;
    char where[64] = "position unknown";
    if (pos)
        snprintf(where, sizeof where, "lat_e7 %lld lon_e7 %lld",
                 (long long)json_integer_value(json_object_get(pos, "lat_e7")),
                 (long long)json_integer_value(json_object_get(pos, "lon_e7")));
    printf("leaf %-6llu %-12s %-44s %s (%s)\n", (unsigned long long)index,
           cli_text(json_string_value(json_object_get(r, "register"))),
           cli_text(json_string_value(json_object_get(r, "id"))),
           cli_text(json_string_value(json_object_get(r, "name"))), where);
    return 0;
}

int cmd_register(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int json = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("register");
        }
    }
    if (optind >= argc)
        return cli_usage("register");
    dir = cli_vault_dir(dir);
    constat_error_clear(&err);
    if (strcmp(argv[optind], "add") == 0) {
        uint64_t first = 0;
        size_t appended = 0, skipped = 0;
        json_t *entries;
        constat_buf cp;
        if (optind + 2 != argc)
            return cli_usage("register");
        if (!(entries = entries_of(argv[optind + 1])))
            return 2;
        if ((rc = cli_open_vault(dir, &v)) != 0) {
            json_decref(entries);
            return rc;
        }
        st = constat_vault_register_add(v, entries, cli_now(), &first, &appended, &skipped,
                                        &err);
        json_decref(entries);
        constat_buf_init(&cp);
        if (st == CONSTAT_OK && appended)
            st = constat_vault_checkpoint(v, &cp, &err);
        constat_buf_free(&cp);
        constat_vault_close(v);
        if (st != CONSTAT_OK)
            return cli_report_error(argv[optind + 1], st, &err);
        if (json)
            printf("{\"v\":1,\"command\":\"register add\",\"appended\":%zu,\"skipped\":%zu,"
                   "\"first\":%llu}\n", appended, skipped, (unsigned long long)first);
        else if (appended)
            printf("%zu register entries added from leaf %llu (%zu already logged), "
                   "checkpoint signed\n", appended, (unsigned long long)first, skipped);
        else
            printf("no register entry added (%zu already logged)\n", skipped);
        return cli_finish_stdout(0);
    }
    if (strcmp(argv[optind], "list") == 0) {
        list_out o = {NULL};
        if (optind + 1 != argc)
            return cli_usage("register");
        if ((rc = cli_open_vault_public(dir, &v)) != 0)
            return rc;
        o.items = json ? json_array() : NULL;
        st = constat_vault_register_list(v, print_entry, &o, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK) {
            json_decref(o.items);
            return cli_report_error(dir, st, &err);
        }
        return cli_finish_stdout(json ? cli_json_listing("register list", o.items, NULL) : 0);
    }
    return cli_usage("register");
}
