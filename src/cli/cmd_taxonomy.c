/* cmd_taxonomy.c — `constat taxonomy`: the categories a record may carry
 * (ids and labels, numbered as `record --new` offers them), the item
 * actions, and the item kinds the vault's incidents already use. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_records.h"

/* The item actions the record model accepts (docs/record.md, items). */
const char *const cli_item_actions[] = {"seized", "destroyed", "seized_or_destroyed", NULL};

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

int cmd_taxonomy(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"taxonomy", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir_opt = NULL, *taxo = NULL, *dir, *path;
    int json = 0, c, rc, have_vault = 0;
    constat_taxonomy *tax = NULL;
    cli_records recs;
    struct kind_count *kinds = NULL;
    size_t nkinds = 0, ncat;
    char db[4096];

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
    path = cli_taxonomy_path(taxo);
    memset(&recs, 0, sizeof recs);
    /* the vault's item kinds: from the vault named by --dir (which must
     * then exist), else from the default one if there is one */
    dir = cli_vault_dir(dir_opt);
    snprintf(db, sizeof db, "%s/vault.db", dir);
    if (dir_opt || access(db, F_OK) == 0) {
        constat_vault *v;
        constat_error err;
        constat_status st;
        if ((rc = cli_open_vault_public(dir, &v)) != 0) {
            constat_taxonomy_free(tax);
            return rc;
        }
        constat_error_clear(&err);
        st = cli_records_load(v, "incident", NULL, &recs, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK) {
            constat_taxonomy_free(tax);
            return cli_report_error(dir, st, &err);
        }
        if (item_kinds(&recs, &kinds, &nkinds) != 0) {
            fprintf(stderr, "constat: out of memory\n");
            cli_records_free(&recs);
            constat_taxonomy_free(tax);
            return 3;
        }
        have_vault = 1;
    }
    ncat = constat_taxonomy_count(tax);
    if (json) {
        json_t *o = json_object(), *cats = json_array(), *acts = json_array(), *ks;
        for (size_t i = 0; i < ncat; i++) {
            const char *id = constat_taxonomy_id(tax, i);
            json_array_append_new(
                cats, json_pack("{s:I, s:s, s:{s:s, s:s}}", "number", (json_int_t)(i + 1),
                                "id", id, "label", "en", constat_taxonomy_label(tax, id, "en"),
                                "fr", constat_taxonomy_label(tax, id, "fr")));
        }
        for (size_t i = 0; cli_item_actions[i]; i++)
            json_array_append_new(acts, json_string(cli_item_actions[i]));
        json_object_set_new(o, "taxonomy", json_string(path));
        json_object_set_new(o, "item_actions", acts);
        if (have_vault) {
            ks = json_array();
            for (size_t i = 0; i < nkinds; i++)
                json_array_append_new(ks, json_pack("{s:s, s:I}", "kind", kinds[i].kind,
                                                    "incidents",
                                                    (json_int_t)kinds[i].incidents));
            json_object_set_new(o, "vault", json_string(dir));
            json_object_set_new(o, "item_kinds", ks);
        } else {
            json_object_set_new(o, "vault", json_null());
            json_object_set_new(o, "item_kinds", json_null());
        }
        rc = cli_json_listing("taxonomy", cats, o);
    } else {
        printf("Categories of %s (%zu; a record's \"categories\" holds the ids):\n", path,
               ncat);
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
        if (!have_vault) {
            printf("Item kinds (items[].kind) are free text; no vault at %s, so none in use\n"
                   "are listed (--dir DIR names one).\n", dir);
        } else if (nkinds == 0) {
            printf("Item kinds (items[].kind) are free text; the incidents of %s use none yet.\n",
                   dir);
        } else {
            printf("Item kinds (items[].kind, free text) in use in %s: reuse them so that\n"
                   "figures add up:\n", dir);
            for (size_t i = 0; i < nkinds; i++)
                printf("  %-28s %zu incident%s\n", kinds[i].kind, kinds[i].incidents,
                       kinds[i].incidents == 1 ? "" : "s");
        }
    }
    free(kinds);
    cli_records_free(&recs);
    constat_taxonomy_free(tax);
    return cli_finish_stdout(rc);
}
