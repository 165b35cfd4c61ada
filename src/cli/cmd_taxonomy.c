/* cmd_taxonomy.c — `constat taxonomy`: the categories a record may carry
 * (ids and labels, numbered as `record --new` offers them), the item
 * actions, the taxonomy's item kinds with their units (docs/formats.md
 * "Taxonomy"), its legal statuses and vehicle kinds, and how many of the
 * vault's incidents use each item kind. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_records.h"

/* The item actions the record model accepts (docs/record.md, items). */
const char *const cli_item_actions[] = {"seized", "destroyed", "seized_or_destroyed", NULL};

void cli_item_unit_text(const constat_taxonomy *tax, const char *kind, char *out, size_t cap)
{
    constat_item_unit unit = CONSTAT_UNIT_ITEMS;
    const char *cur = NULL;
    (void)constat_taxonomy_item_kind(tax, kind, &unit, &cur);
    snprintf(out, cap, "%s%s%s", constat_item_unit_name(unit), cur ? " " : "", cur ? cur : "");
}

struct kind_count {
    const char *kind; /* borrowed from the records */
    size_t incidents;
};

static int cmp_kind(const void *a, const void *b)
{
    return strcmp(((const struct kind_count *)a)->kind, ((const struct kind_count *)b)->kind);
}

/* Item kinds of the incidents in `recs`, each with the number of incidents
 * naming it, sorted by kind; *out is malloc'd (free it), NULL when none. */
static int item_kinds(const cli_records *recs, struct kind_count **out, size_t *n)
{
    struct kind_count *k = NULL;
    size_t cap = 0;

    *n = 0;
    for (size_t i = 0; i < recs->n; i++) {
        const json_t *items = json_object_get(recs->recs[i].record, "items");
        for (size_t j = 0; j < json_array_size(items); j++) {
            const char *kind = json_string_value(json_object_get(json_array_get(items, j),
                                                                 "kind"));
            size_t m;
            int seen = 0;
            if (!kind)
                continue;
            /* count an incident once per kind, even if it lists it twice */
            for (size_t p = 0; p < j; p++) {
                const char *o = json_string_value(
                    json_object_get(json_array_get(items, p), "kind"));
                if (o && strcmp(o, kind) == 0)
                    seen = 1;
            }
            if (seen)
                continue;
            for (m = 0; m < *n && strcmp(k[m].kind, kind) != 0; m++)
                ;
            if (m == *n) {
                if (*n == cap) {
                    struct kind_count *q = realloc(k, (cap ? 2 * cap : 16) * sizeof *q);
                    if (!q) {
                        free(k);
                        return 3;
                    }
                    k = q;
                    cap = cap ? 2 * cap : 16;
                }
                k[m].kind = kind;
                k[m].incidents = 0;
                (*n)++;
            }
            k[m].incidents++;
        }
    }
    if (*n)
        qsort(k, *n, sizeof *k, cmp_kind);
    *out = k;
    return 0;
}

/* What `constat taxonomy` lists: the taxonomy, and the item kinds the
 * vault's incidents use when there is a vault. */
struct taxonomy_view {
    const constat_taxonomy *tax;
    const char *path, *dir;
    int have_vault;
    const struct kind_count *kinds;
    size_t nkinds;
};

/* The vault's incidents and the item kinds they use: from the vault named
 * by --dir (which must then exist), else from the default one if there is
 * one. Returns 0, or the exit code. */
static int load_vault_kinds(const char *dir_opt, const char *dir, cli_records *recs,
                            struct kind_count **kinds, size_t *nkinds, int *have_vault)
{
    char db[4096];
    constat_vault *v;
    constat_error err;
    constat_status st;
    int rc;

    snprintf(db, sizeof db, "%s/vault.db", dir);
    if (!dir_opt && access(db, F_OK) != 0) {
        snprintf(db, sizeof db, "%s/store.url", dir); /* a vault on PostgreSQL */
        if (access(db, F_OK) != 0)
            return 0;
    }
    if ((rc = cli_open_vault_public(dir, &v)) != 0)
        return rc;
    constat_error_clear(&err);
    st = cli_records_load(v, "incident", NULL, recs, &err);
    constat_vault_close(v);
    if (st != CONSTAT_OK)
        return cli_report_error(dir, st, &err);
    if (item_kinds(recs, kinds, nkinds) != 0) {
        fprintf(stderr, "constat: out of memory\n");
        return 3;
    }
    *have_vault = 1;
    return 0;
}

/* The taxonomy's item kinds with their units and labels, as JSON. */
static json_t *item_kinds_json(const constat_taxonomy *tax)
{
    json_t *ks = json_array();
    for (size_t i = 0; i < constat_taxonomy_item_count(tax); i++) {
        const char *id = constat_taxonomy_item_id(tax, i), *cur = NULL;
        constat_item_unit unit = CONSTAT_UNIT_ITEMS;
        (void)constat_taxonomy_item_kind(tax, id, &unit, &cur);
        json_array_append_new(
            ks, json_pack("{s:s, s:s, s:o, s:{s:s, s:s}}", "kind", id, "unit",
                          constat_item_unit_name(unit), "currency",
                          cur ? json_string(cur) : json_null(), "label", "en",
                          constat_taxonomy_item_label(tax, id, "en"), "fr",
                          constat_taxonomy_item_label(tax, id, "fr")));
    }
    return ks;
}

/* The taxonomy's legal statuses and vehicle kinds, as JSON. */
static json_t *statuses_json(const constat_taxonomy *tax)
{
    json_t *a = json_array();
    for (size_t i = 0; i < constat_taxonomy_status_count(tax); i++) {
        const char *id = constat_taxonomy_status_id(tax, i);
        json_array_append_new(
            a, json_pack("{s:s, s:b, s:{s:s, s:s}}", "status", id, "lawfully_present",
                         constat_taxonomy_lawfully_present(tax, id), "label", "en",
                         constat_taxonomy_status_label(tax, id, "en"), "fr",
                         constat_taxonomy_status_label(tax, id, "fr")));
    }
    return a;
}

static json_t *vehicles_json(const constat_taxonomy *tax)
{
    json_t *a = json_array();
    for (size_t i = 0; i < constat_taxonomy_vehicle_count(tax); i++) {
        const char *id = constat_taxonomy_vehicle_id(tax, i);
        json_array_append_new(a, json_pack("{s:s, s:{s:s, s:s}}", "kind", id, "label", "en",
                                           constat_taxonomy_vehicle_label(tax, id, "en"), "fr",
                                           constat_taxonomy_vehicle_label(tax, id, "fr")));
    }
    return a;
}

/* --json: {"v", "command", "items": categories, "taxonomy", "item_actions",
 * "item_kinds", "legal_statuses", "vehicle_kinds", "vault",
 * "item_kinds_in_use"} (docs/cli.md). */
static int print_json(const struct taxonomy_view *tv)
{
    json_t *o = json_object(), *cats = json_array(), *acts = json_array(), *ks;
    for (size_t i = 0; i < constat_taxonomy_count(tv->tax); i++) {
        const char *id = constat_taxonomy_id(tv->tax, i);
        json_array_append_new(
            cats, json_pack("{s:I, s:s, s:{s:s, s:s}}", "number", (json_int_t)(i + 1), "id", id,
                            "label", "en", constat_taxonomy_label(tv->tax, id, "en"), "fr",
                            constat_taxonomy_label(tv->tax, id, "fr")));
    }
    for (size_t i = 0; cli_item_actions[i]; i++)
        json_array_append_new(acts, json_string(cli_item_actions[i]));
    json_object_set_new(o, "taxonomy", json_string(tv->path));
    json_object_set_new(o, "item_actions", acts);
    json_object_set_new(o, "item_kinds", item_kinds_json(tv->tax));
    json_object_set_new(o, "legal_statuses", statuses_json(tv->tax));
    json_object_set_new(o, "vehicle_kinds", vehicles_json(tv->tax));
    if (tv->have_vault) {
        ks = json_array();
        for (size_t i = 0; i < tv->nkinds; i++)
            json_array_append_new(ks, json_pack("{s:s, s:I}", "kind", tv->kinds[i].kind,
                                                "incidents",
                                                (json_int_t)tv->kinds[i].incidents));
        json_object_set_new(o, "vault", json_string(tv->dir));
        json_object_set_new(o, "item_kinds_in_use", ks);
    } else {
        json_object_set_new(o, "vault", json_null());
        json_object_set_new(o, "item_kinds_in_use", json_null());
    }
    return cli_json_listing("taxonomy", cats, o);
}

/* The text listing: categories, item actions, item kinds and their units,
 * then the kinds in use. */
static void print_text(const struct taxonomy_view *tv)
{
    const constat_taxonomy *tax = tv->tax;
    size_t ncat = constat_taxonomy_count(tax);

    printf("Categories of %s (%zu; a record's \"categories\" holds the ids):\n", tv->path, ncat);
    printf("  %3s  %-28s %s\n", "no.", "id", "label (en / fr)");
    for (size_t i = 0; i < ncat; i++) {
        const char *id = constat_taxonomy_id(tax, i);
        printf("  %3zu  %-28s %s / %s\n", i + 1, id, constat_taxonomy_label(tax, id, "en"),
               constat_taxonomy_label(tax, id, "fr"));
    }
    printf("\nItem actions (items[].action):");
    for (size_t i = 0; cli_item_actions[i]; i++)
        printf(" %s", cli_item_actions[i]);
    printf("\n\n");
    printf("Item kinds (items[].kind, %zu) and the unit of their count; counts of\n"
           "different units are never added up:\n", constat_taxonomy_item_count(tax));
    for (size_t i = 0; i < constat_taxonomy_item_count(tax); i++) {
        const char *id = constat_taxonomy_item_id(tax, i);
        char u[32];
        cli_item_unit_text(tax, id, u, sizeof u);
        printf("  %-28s %-13s %s / %s\n", id, u, constat_taxonomy_item_label(tax, id, "en"),
               constat_taxonomy_item_label(tax, id, "fr"));
    }
    printf("\n");
    if (constat_taxonomy_status_count(tax)) {
        printf("Legal statuses (affected.legal_status: status -> number of persons; * counted\n"
               "as lawfully present by the figures):\n");
        for (size_t i = 0; i < constat_taxonomy_status_count(tax); i++) {
            const char *id = constat_taxonomy_status_id(tax, i);
            printf("  %-28s %s %s / %s\n", id,
                   constat_taxonomy_lawfully_present(tax, id) ? "*" : " ",
                   constat_taxonomy_status_label(tax, id, "en"),
                   constat_taxonomy_status_label(tax, id, "fr"));
        }
        printf("\n");
    }
    if (constat_taxonomy_vehicle_count(tax)) {
        printf("Vehicle kinds (authority.vehicles[].kind):\n");
        for (size_t i = 0; i < constat_taxonomy_vehicle_count(tax); i++) {
            const char *id = constat_taxonomy_vehicle_id(tax, i);
            printf("  %-28s %s / %s\n", id, constat_taxonomy_vehicle_label(tax, id, "en"),
                   constat_taxonomy_vehicle_label(tax, id, "fr"));
        }
        printf("\n");
    }
    if (!tv->have_vault) {
        printf("No vault at %s, so no item kinds in use are listed (--dir DIR names one).\n",
               tv->dir);
    } else if (tv->nkinds == 0) {
        printf("The incidents of %s use no item kind yet.\n", tv->dir);
    } else {
        printf("Item kinds in use in %s:\n", tv->dir);
        for (size_t i = 0; i < tv->nkinds; i++)
            printf("  %-28s %zu incident%s\n", tv->kinds[i].kind, tv->kinds[i].incidents,
                   tv->kinds[i].incidents == 1 ? "" : "s");
    }
}

int cmd_taxonomy(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"taxonomy", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir_opt = NULL, *taxo = NULL;
    int json = 0, c, rc;
    constat_taxonomy *tax = NULL;
    cli_records recs;
    struct kind_count *kinds = NULL;
    struct taxonomy_view tv;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir_opt = optarg; break;
        case 't': taxo = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("taxonomy");
        }
    }
    if (optind != argc)
        return cli_usage("taxonomy");
    if ((rc = cli_load_taxonomy(taxo, &tax)) != 0)
        return rc;
    memset(&recs, 0, sizeof recs);
    memset(&tv, 0, sizeof tv);
    tv.tax = tax;
    tv.path = cli_taxonomy_path(taxo);
    tv.dir = cli_vault_dir(dir_opt);
    rc = load_vault_kinds(dir_opt, tv.dir, &recs, &kinds, &tv.nkinds, &tv.have_vault);
    tv.kinds = kinds;
    if (rc == 0) {
        if (json)
            rc = print_json(&tv);
        else
            print_text(&tv);
        rc = cli_finish_stdout(rc);
    }
    free(kinds);
    cli_records_free(&recs);
    constat_taxonomy_free(tax);
    return rc;
}
