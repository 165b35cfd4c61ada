/*
 * register.c — register entries (aid points, living sites, named places) as
 * records of their own kind in the log, signed by the organisation key
 * (docs/record.md "register", docs/cli.md "constat register").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/vault/register.h"
#include "constat/record/record.h"

/* Complete one entry: the members the vault states, checked when given. */
static constat_status complete(constat_vault *v, json_t *e, const char *when, size_t i,
                               constat_error *err)
{
    static const char *const fixed[] = {"v", "kind", "org", "monitor"};
    const char *org = constat_vault_org(v);
    json_t *want[4];
    constat_status st = CONSTAT_OK;

    if (!json_is_object(e))
        return constat_error_set(err, CONSTAT_EINVAL, "entry %zu: not a JSON object", i);
    want[0] = json_integer(1);
    want[1] = json_string("register");
    want[2] = json_string(org);
    want[3] = json_string(org);
    for (size_t k = 0; k < 4; k++) {
        const json_t *have = json_object_get(e, fixed[k]);
        if (!want[k]) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        } else if (st == CONSTAT_OK && have && !json_equal((json_t *)have, want[k])) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "entry %zu: %s must be %s here (the organisation key signs "
                                   "register entries)",
                                   i, fixed[k], k == 0 ? "1" : k == 1 ? "\"register\"" : org);
        } else if (st == CONSTAT_OK && !have &&
                   json_object_set(e, fixed[k], want[k]) != 0) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    for (size_t k = 0; k < 4; k++)
        json_decref(want[k]);
    if (st == CONSTAT_OK && !json_object_get(e, "recorded_at") &&
        json_object_set_new(e, "recorded_at", json_string(when)) != 0)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return st;
}

constat_status constat_vault_register_add(constat_vault *v, json_t *entries, int64_t now,
                                          uint64_t *first, size_t *appended, size_t *skipped,
                                          constat_error *err)
{
    const constat_note_signer *org;
    constat_append_item *items = NULL;
    constat_buf *leaves = NULL;
    size_t n, i;
    char when[32];
    constat_status st = CONSTAT_OK;

    if (!json_is_array(entries))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "register file: must be an entry object or an array of them");
    n = json_array_size(entries);
    if (n == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "register file: no entries");
    if (!constat_vault_has_keys(v) || !(org = constat_vault_org_key(v)))
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "adding register entries needs the organisation key (the "
                                 "vault was opened without its keys)");
    constat_rfc3339_format(now, 0, when);
    items = calloc(n, sizeof *items);
    leaves = calloc(n, sizeof *leaves);
    if (!items || !leaves) {
        free(items);
        free(leaves);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        constat_buf_init(&leaves[i]);
    for (i = 0; i < n && st == CONSTAT_OK; i++) {
        json_t *e = json_array_get(entries, i);
        const char *id;
        if ((st = complete(v, e, when, i, err)) != CONSTAT_OK)
            break;
        if ((st = constat_record_validate(e, NULL, err)) != CONSTAT_OK) {
            char msg[CONSTAT_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            st = constat_error_set(err, st, "entry %zu: %s", i, msg);
            break;
        }
        if (strcmp(json_string_value(json_object_get(e, "kind")), "register") != 0) {
            st = constat_error_set(err, CONSTAT_EINVAL, "entry %zu: kind must be \"register\"",
                                   i);
            break;
        }
        id = json_string_value(json_object_get(e, "id"));
        for (size_t k = 0; k < i; k++)
            if (strcmp(items[k].record_id, id) == 0)
                st = constat_error_set(err, CONSTAT_EINVAL,
                                       "entry %zu: id \"%.128s\" is also entry %zu", i, id, k);
        if (st == CONSTAT_OK)
            st = constat_record_content_hash(e, items[i].content_hash, err);
        if (st == CONSTAT_OK)
            st = constat_record_sign(e, org, &leaves[i], err);
        items[i].leaf = leaves[i].data;
        items[i].leaf_len = leaves[i].len;
        items[i].record_id = id;
        items[i].kind = "register";
        items[i].private_values = NULL;
    }
    if (st == CONSTAT_OK)
        st = constat_vault_append(v, items, n, first, appended, skipped, NULL, NULL, err);
    for (i = 0; i < n; i++)
        constat_buf_free(&leaves[i]);
    free(leaves);
    free(items);
    return st;
}

typedef struct {
    constat_register_fn fn;
    void *ctx;
    int stop;
} list_ctx;

static int list_leaf(void *vctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    list_ctx *c = vctx;
    constat_leaf l;
    constat_error e;
    const json_t *k;
    int rc = 0;

    /* a leaf that does not parse is `constat verify`'s to report */
    if (constat_leaf_parse(leaf, len, &l, &e) != CONSTAT_OK)
        return 0;
    k = json_object_get(l.record, "kind");
    if (json_is_string(k) && strcmp(json_string_value(k), "register") == 0)
        rc = c->fn(c->ctx, index, l.record);
    constat_leaf_free(&l);
    if (rc)
        c->stop = 1;
    return rc;
}

constat_status constat_vault_register_list(constat_vault *v, constat_register_fn fn, void *ctx,
                                           constat_error *err)
{
    list_ctx c = {fn, ctx, 0};
    constat_status st = constat_vault_leaves(v, 0, constat_vault_size(v), list_leaf, &c, err);
    if (st == CONSTAT_OK && c.stop)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory while listing");
    return st;
}
