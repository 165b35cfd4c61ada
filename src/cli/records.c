/* records.c — loading the vault's records for the commands that list,
 * report or filter them. */
#include <stdlib.h>
#include <string.h>

#include "cli_records.h"

struct loader {
    cli_records *out;
    const constat_dossier_filter *filter;
    const char *kind;
    constat_error *err;
    constat_status st;
};

static int load_one(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct loader *ld = ctx;
    constat_leaf l;
    const char *kind;

    ld->st = constat_leaf_parse(leaf, len, &l, ld->err);
    if (ld->st != CONSTAT_OK) {
        constat_error_prefix(ld->err, "leaf %llu: ", (unsigned long long)index);
        return 1;
    }
    kind = json_string_value(json_object_get(l.record, "kind"));
    if ((ld->kind && (!kind || strcmp(kind, ld->kind) != 0)) ||
        (ld->filter && !constat_dossier_filter_match(ld->filter, l.record))) {
        constat_leaf_free(&l);
        return 0;
    }
    if (ld->out->n == ld->out->cap) {
        size_t cap = ld->out->cap ? 2 * ld->out->cap : 256;
        constat_indexed_record *p = realloc(ld->out->recs, cap * sizeof *p);
        if (!p) {
            constat_leaf_free(&l);
            ld->st = constat_error_set(ld->err, CONSTAT_ENOMEM, "out of memory");
            return 1;
        }
        ld->out->recs = p;
        ld->out->cap = cap;
    }
    ld->out->recs[ld->out->n].index = index;
    ld->out->recs[ld->out->n].record = json_incref(l.record);
    ld->out->n++;
    constat_leaf_free(&l);
    return 0;
}

constat_status cli_records_load(constat_vault *v, const char *kind,
                                const constat_dossier_filter *filter, cli_records *out,
                                constat_error *err)
{
    return cli_records_load_upto(v, constat_vault_size(v), kind, filter, out, err);
}

constat_status cli_records_load_upto(constat_vault *v, uint64_t size, const char *kind,
                                     const constat_dossier_filter *filter, cli_records *out,
                                     constat_error *err)
{
    struct loader ld = {out, filter, kind, err, CONSTAT_OK};
    constat_status st;

    memset(out, 0, sizeof *out);
    st = constat_vault_leaves(v, 0, size, load_one, &ld, err);
    if (st == CONSTAT_OK)
        st = ld.st;
    if (st != CONSTAT_OK)
        cli_records_free(out);
    return st;
}

void cli_records_free(cli_records *r)
{
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->recs[i].record);
    free(r->recs);
    memset(r, 0, sizeof *r);
}

constat_status cli_amendments_load(constat_vault *v, json_t **out, constat_error *err)
{
    static const char *const kinds[] = {"correction", "retraction", "erasure"};
    static const char *const targets[] = {"corrects", "retracts", "erases"};
    constat_status st = CONSTAT_OK;

    *out = json_object();
    if (!*out)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t k = 0; st == CONSTAT_OK && k < 3; k++) {
        cli_records recs;
        st = cli_records_load(v, kinds[k], NULL, &recs, err);
        for (size_t i = 0; st == CONSTAT_OK && i < recs.n; i++) {
            const json_t *r = recs.recs[i].record;
            const char *t = json_string_value(json_object_get(r, targets[k]));
            json_t *e;
            if (!t)
                continue;
            e = json_object_get(*out, t);
            if (!e) {
                e = json_object();
                if (!e || json_object_set_new(*out, t, e)) {
                    st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
                    break;
                }
            }
            if (k == 0) {
                json_t *a = json_object_get(e, "corrected_by");
                if (!a) {
                    a = json_array();
                    json_object_set_new(e, "corrected_by", a);
                }
                json_array_append_new(a, json_integer((json_int_t)recs.recs[i].index));
            } else if (k == 2) { /* erasure (cmd_erase.c): the first one */
                if (!json_object_get(e, "erased_by"))
                    json_object_set_new(e, "erased_by",
                                        json_integer((json_int_t)recs.recs[i].index));
            } else if (!json_object_get(e, "retracted_by")) {
                json_object_set_new(e, "retracted_by",
                                    json_integer((json_int_t)recs.recs[i].index));
            }
        }
        if (st == CONSTAT_OK || recs.recs)
            cli_records_free(&recs);
    }
    if (st != CONSTAT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

void cli_amendment_text(const json_t *amends, const char *id, char *out, size_t cap)
{
    const json_t *e = id ? json_object_get(amends, id) : NULL;
    const json_t *a = json_object_get(e, "corrected_by"), *rb = json_object_get(e, "retracted_by");
    size_t at = 0;

    if (cap == 0)
        return;
    out[0] = 0;
    for (size_t i = 0; i < json_array_size(a) && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%lld", i ? ", " : "corrected by leaf ",
                               (long long)json_integer_value(json_array_get(a, i)));
    if (rb && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "%sretracted by leaf %lld", at ? "; " : "",
                               (long long)json_integer_value(rb));
    if ((rb = json_object_get(e, "erased_by")) && at < cap)
        snprintf(out + at, cap - at, "%serased by leaf %lld (private values, salts and "
                 "evidence files destroyed)", at ? "; " : "",
                 (long long)json_integer_value(rb));
}

constat_status cli_records_load_kinds(constat_vault *v, const char *const *kinds,
                                      cli_records *out, constat_error *err)
{
    constat_status st = CONSTAT_OK;

    memset(out, 0, sizeof *out);
    for (size_t k = 0; st == CONSTAT_OK && kinds[k]; k++) {
        cli_records one;
        st = cli_records_load(v, kinds[k], NULL, &one, err);
        if (st == CONSTAT_OK && out->n + one.n > out->cap) {
            size_t cap = out->n + one.n;
            constat_indexed_record *nr = realloc(out->recs, cap * sizeof *nr);
            if (!nr)
                st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            else {
                out->recs = nr;
                out->cap = cap;
            }
        }
        for (size_t i = 0; st == CONSTAT_OK && i < one.n; i++) {
            out->recs[out->n++] = one.recs[i]; /* the reference moves over */
            one.recs[i].record = NULL;
        }
        cli_records_free(&one);
    }
    if (st != CONSTAT_OK)
        cli_records_free(out);
    return st;
}
