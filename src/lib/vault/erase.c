/* erase.c — erasure that keeps the log verifiable (docs/vault.md
 * "Erasure"): which rows and files an erasure destroys, and the one
 * transaction that appends the signed erasure record and deletes the
 * private values rows. Evidence files are shredded by the caller after the
 * commit (the evidence layer, constat_evidence_shred). */
#include <string.h>

#include "constat/record/record.h"
#include "constat/vault/erase.h"
#include "vault/append_hook.h"
#include "vault/store.h"

/* Every record of the log, parsed, in leaf order. */
struct scan {
    json_t *recs; /* array of {"index": N, "record": {...}} */
    constat_status st;
    constat_error *err;
};

static int scan_leaf(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct scan *s = ctx;
    constat_leaf l;

    if ((s->st = constat_leaf_parse(leaf, len, &l, s->err)) != CONSTAT_OK) {
        constat_error_prefix(s->err, "leaf %llu: ", (unsigned long long)index);
        return 1;
    }
    if (json_array_append_new(s->recs, json_pack("{s:I, s:O}", "index", (json_int_t)index,
                                                 "record", l.record)) != 0) {
        s->st = constat_error_set(s->err, CONSTAT_ENOMEM, "out of memory");
        constat_leaf_free(&l);
        return 1;
    }
    constat_leaf_free(&l);
    return 0;
}

static constat_status scan_all(constat_vault *v, json_t **out, constat_error *err)
{
    struct scan s = {json_array(), CONSTAT_OK, err};
    constat_status st;

    *out = NULL;
    if (!s.recs)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_vault_leaves(v, 0, constat_vault_size(v), scan_leaf, &s, err);
    if (st == CONSTAT_OK)
        st = s.st;
    if (st != CONSTAT_OK) {
        json_decref(s.recs);
        return st;
    }
    *out = s.recs;
    return CONSTAT_OK;
}

/* A string member, or "" (a damaged leaf never crashes the plan). */
static const char *str(const json_t *rec, const char *name)
{
    const char *s = json_string_value(json_object_get(rec, name));
    return s ? s : "";
}

static int is(const json_t *rec, const char *kind)
{
    const char *k = str(rec, "kind");
    return k && strcmp(k, kind) == 0;
}

static int in_list(const json_t *list, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
        if (strcmp(json_string_value(e), s) == 0)
            return 1;
    return 0;
}

/* Add the corrections of every id already in `ids` to it. */
static void add_corrections(const json_t *recs, json_t *ids)
{
    size_t i;
    json_t *e;
    json_array_foreach(recs, i, e) {
        const json_t *r = json_object_get(e, "record");
        const char *t = str(r, "corrects");
        if (is(r, "correction") && str(r, "id")[0] && in_list(ids, t) &&
            !in_list(ids, str(r, "id")))
            json_array_append_new(ids, json_string(str(r, "id")));
    }
}

constat_status constat_vault_erase_plan(constat_vault *v, const char *record_id,
                                        uint64_t *leaf, const char **kind, json_t **ids,
                                        json_t **hashes, int64_t *erased_at,
                                        constat_error *err)
{
    json_t *recs, *e, *hs, *keep, *list;
    const json_t *target = NULL;
    constat_status st;
    size_t i;

    *ids = *hashes = NULL;
    *erased_at = -1;
    if ((st = scan_all(v, &recs, err)) != CONSTAT_OK)
        return st;
    json_array_foreach(recs, i, e) {
        const json_t *r = json_object_get(e, "record");
        if (!target && strcmp(str(r, "id"), record_id) == 0) {
            target = r;
            *leaf = (uint64_t)json_integer_value(json_object_get(e, "index"));
        }
        if (*erased_at < 0 && is(r, "erasure") && strcmp(str(r, "erases"), record_id) == 0)
            *erased_at = json_integer_value(json_object_get(e, "index"));
    }
    if (!target) {
        json_decref(recs);
        return constat_error_set(err, CONSTAT_ENOTFOUND, "record \"%s\" is not in the log; "
                                 "nothing erased", record_id);
    }
    if (!is(target, "incident") && !is(target, "evidence")) {
        st = constat_error_set(err, CONSTAT_EINVAL, "record \"%s\" (leaf %llu) is a %s "
                               "record: only incident and evidence records are erased",
                               record_id, (unsigned long long)*leaf, str(target, "kind"));
        json_decref(recs);
        return st;
    }
    *kind = is(target, "incident") ? "incident" : "evidence";
    list = json_array();
    hs = json_array();
    keep = json_array();
    if (!list || !hs || !keep) {
        json_decref(list);
        json_decref(hs);
        json_decref(keep);
        json_decref(recs);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    json_array_append_new(list, json_string(record_id));
    json_array_foreach(recs, i, e) { /* the evidence of an erased incident */
        const json_t *r = json_object_get(e, "record");
        const char *inc = str(r, "incident");
        if (is(r, "evidence") && str(r, "id")[0] &&
            (strcmp(inc, record_id) == 0 || strcmp(str(r, "id"), record_id) == 0)) {
            if (!in_list(list, str(r, "id")))
                json_array_append_new(list, json_string(str(r, "id")));
            if (str(r, "sha256")[0] && !in_list(hs, str(r, "sha256")))
                json_array_append_new(hs, json_string(str(r, "sha256")));
        }
    }
    add_corrections(recs, list);
    /* a file that another evidence record (not erased now) binds stays */
    json_array_foreach(recs, i, e) {
        const json_t *r = json_object_get(e, "record");
        if (is(r, "evidence") && !in_list(list, str(r, "id")) && str(r, "sha256")[0])
            json_array_append_new(keep, json_string(str(r, "sha256")));
    }
    for (i = json_array_size(hs); i-- > 0;)
        if (in_list(keep, json_string_value(json_array_get(hs, i))))
            json_array_remove(hs, i);
    json_decref(keep);
    json_decref(recs);
    *ids = list;
    *hashes = hs;
    return CONSTAT_OK;
}

void (*constat_erase_test_hook)(void);

struct erase_ctx {
    const json_t *ids;
    size_t rows;
};

static constat_status erase_rows(void *ctx, constat_store *s, constat_error *err)
{
    struct erase_ctx *c = ctx;
    size_t i;
    json_t *e;

    json_array_foreach(c->ids, i, e) {
        int erased = 0;
        constat_status st = constat_store_private_erase(s, json_string_value(e), &erased, err);
        if (st != CONSTAT_OK)
            return st;
        c->rows += (size_t)erased;
    }
    if (constat_erase_test_hook)
        constat_erase_test_hook();
    return CONSTAT_OK;
}

constat_status constat_vault_erase(constat_vault *v, const constat_append_item *erasure,
                                   const json_t *ids, uint64_t *leaf, size_t *rows,
                                   constat_error *err)
{
    struct erase_ctx c = {ids, 0};
    size_t i, appended = 0;
    json_t *e;
    uint64_t first = 0;
    constat_status st;

    if (!json_is_array(ids))
        return constat_error_set(err, CONSTAT_EINVAL, "erase: ids must be an array");
    json_array_foreach(ids, i, e)
        if (!json_is_string(e))
            return constat_error_set(err, CONSTAT_EINVAL, "erase: ids must be strings");
    st = constat_vault_append_hooked(v, erasure, erasure ? 1 : 0, erase_rows, &c, &first,
                                     &appended, NULL, NULL, NULL, err);
    if (st != CONSTAT_OK)
        return st;
    if (erasure && appended != 1)
        return constat_error_set(err, CONSTAT_ECONFLICT, "erase: the same erasure record is "
                                 "already logged");
    /* the old page images stay in the WAL until a checkpoint */
    if ((st = constat_store_flush(constat_vault_store(v), err)) != CONSTAT_OK)
        return st;
    if (leaf)
        *leaf = first;
    if (rows)
        *rows = c.rows;
    return CONSTAT_OK;
}

constat_status constat_vault_erasures(constat_vault *v, json_t **out, constat_error *err)
{
    json_t *recs, *e, *o = json_object();
    constat_status st;
    size_t i;

    *out = NULL;
    if (!o)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if ((st = scan_all(v, &recs, err)) != CONSTAT_OK) {
        json_decref(o);
        return st;
    }
    json_array_foreach(recs, i, e) {
        const json_t *r = json_object_get(e, "record");
        const char *t = str(r, "erases");
        if (is(r, "erasure") && t[0] && !json_object_get(o, t))
            json_object_set_new(o, t, json_pack("{s:O, s:s}", "leaf",
                                                json_object_get(e, "index"), "figures",
                                                str(r, "figures")[0] ? str(r, "figures")
                                                                     : "keep"));
    }
    json_array_foreach(recs, i, e) { /* evidence of an erased incident */
        const json_t *r = json_object_get(e, "record");
        const char *inc = str(r, "incident");
        json_t *by = inc[0] ? json_object_get(o, inc) : NULL;
        if (is(r, "evidence") && by && str(r, "id")[0] && !json_object_get(o, str(r, "id")))
            json_object_set(o, str(r, "id"), by);
    }
    json_decref(recs);
    *out = o;
    return CONSTAT_OK;
}
