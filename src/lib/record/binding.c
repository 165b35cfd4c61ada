/*
 * binding.c — person commitments of records signed offline on a device
 * opened, and the organisation's `pseudonym_binding` record that gives them
 * their pseudonyms made and checked against its record
 * (include/constat/record/binding.h, docs/record.md "Person commitments and
 * pseudonym bindings"). Their validation is binding_check.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "constat/base/hash.h"
#include "constat/record/binding.h"
#include "record/record_internal.h"

#define bfail constat_record_fail

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

constat_status constat_binding_open(const json_t *record, const json_t *opened,
                                    const uint8_t key[CONSTAT_PSEUDONYM_KEY_SIZE],
                                    json_t **persons, constat_error *err)
{
    const json_t *commits =
        json_object_get(json_object_get(record, "affected"), "person_commitments");
    size_t n = json_array_size(commits), i, j;
    char(*ps)[67] = NULL;
    const char **order = NULL;
    unsigned char *used = NULL;
    constat_status st = CONSTAT_OK;

    *persons = NULL;
    if (!n) {
        if (json_array_size(opened))
            return bfail(err, "sealed_persons", "the record has no person commitments");
        return CONSTAT_OK;
    }
    if (!json_is_array(opened) || json_array_size(opened) != n)
        return bfail(err, "sealed_persons", "%zu opened for %zu person commitments",
                     json_array_size(opened), n);
    ps = calloc(n, sizeof *ps);
    order = calloc(n, sizeof *order);
    used = calloc(n, 1);
    if (!ps || !order || !used) {
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n && st == CONSTAT_OK; i++) {
        const json_t *o = json_array_get(opened, i), *ident = json_object_get(o, "identifier");
        const char *salt_hex = json_string_value(json_object_get(o, "salt"));
        uint8_t salt[CONSTAT_SALT_SIZE], c[32];
        char hex[65];
        if (!json_is_object(o) || json_object_size(o) != 2 || !json_is_string(ident) ||
            !salt_hex || strlen(salt_hex) != 2 * CONSTAT_SALT_SIZE ||
            constat_unhex(salt_hex, salt, sizeof salt) != CONSTAT_OK) {
            st = bfail(err, "sealed_persons", "[%zu] must be {\"salt\": 32 hex, \"identifier\": "
                                              "string}", i);
            break;
        }
        if ((st = constat_record_commit(CONSTAT_PERSON_COMMIT_FIELD, ident, salt, c, err)) !=
            CONSTAT_OK)
            break;
        constat_hex(c, 32, hex);
        for (j = 0; j < n; j++)
            if (!used[j] && strcmp(hex, json_string_value(json_array_get(commits, j))) == 0)
                break;
        if (j == n) {
            st = bfail(err, "sealed_persons", "[%zu] does not open any of the record's person "
                                              "commitments", i);
            break;
        }
        used[j] = 1;
        st = constat_record_pseudonym(key, json_string_value(ident), ps[i], err);
        if (st != CONSTAT_OK)
            constat_error_prefix(err, "sealed_persons[%zu]: ", i);
        order[i] = ps[i];
    }
    if (st == CONSTAT_OK) {
        qsort(order, n, sizeof *order, str_cmp);
        if (!(*persons = json_array()))
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        for (i = 0; st == CONSTAT_OK && i < n; i++)
            if ((i == 0 || strcmp(order[i], order[i - 1]) != 0) &&
                json_array_append_new(*persons, json_string(order[i])) != 0)
                st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        if (st != CONSTAT_OK) {
            json_decref(*persons);
            *persons = NULL;
        }
    }
out:
    free(ps);
    free(order);
    free(used);
    return st;
}

constat_status constat_binding_build(const char *org, const char *record_id,
                                     const uint8_t leaf_hash[32], const char *recorded_at,
                                     const json_t *persons, json_t **out, constat_error *err)
{
    char id[32], hex[65];
    constat_status st;
    constat_binding_id(record_id, id, sizeof id);
    constat_hex(leaf_hash, 32, hex);
    *out = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "v", 1, "kind",
                     "pseudonym_binding", "id", id, "org", org, "monitor", org, "recorded_at",
                     recorded_at, "record", record_id, "leaf_hash", hex, "persons", persons);
    if (!*out)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if ((st = constat_record_validate(*out, NULL, err)) != CONSTAT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

constat_status constat_binding_fits(const json_t *binding, const json_t *record,
                                    const uint8_t leaf_hash[32], constat_error *err)
{
    const char *rid = json_string_value(json_object_get(binding, "record"));
    const char *lh = json_string_value(json_object_get(binding, "leaf_hash"));
    const json_t *commits =
        json_object_get(json_object_get(record, "affected"), "person_commitments");
    size_t np = json_array_size(json_object_get(binding, "persons"));
    char hex[65];

    constat_hex(leaf_hash, 32, hex);
    const char *id = json_string_value(json_object_get(record, "id"));
    if (!rid || !id || strcmp(rid, id) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY, "binds record \"%.128s\", not this one",
                                 rid ? rid : "");
    if (!lh || strcmp(lh, hex) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "leaf_hash %.64s is not the hash %s of record \"%.128s\"'s leaf",
                                 lh ? lh : "(none)", hex, rid);
    if (!json_array_size(commits))
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "record \"%.128s\" has no person commitments to bind", rid);
    if (np == 0 || np > json_array_size(commits))
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%zu pseudonyms for %zu person commitments of record "
                                 "\"%.128s\"", np, json_array_size(commits), rid);
    return CONSTAT_OK;
}

constat_status constat_binding_note(json_t *table, const json_t *record,
                                    const uint8_t leaf_hash[32], constat_error *err)
{
    const char *id = json_string_value(json_object_get(record, "id"));
    char hex[65];
    if (!id || !json_array_size(json_object_get(json_object_get(record, "affected"),
                                                "person_commitments")))
        return CONSTAT_OK;
    constat_hex(leaf_hash, 32, hex);
    if (json_object_set_new(table, id,
                            json_pack("{s:O, s:s, s:b}", "record", record, "leaf_hash", hex,
                                      "bound", 0)) != 0)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

constat_status constat_binding_seen(json_t *table, const json_t *binding, constat_error *err)
{
    const char *rid = json_string_value(json_object_get(binding, "record"));
    json_t *e = rid ? json_object_get(table, rid) : NULL;
    uint8_t h[32];
    constat_status st;
    if (!e)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "binds record \"%.128s\", which is not logged before it with "
                                 "person commitments",
                                 rid ? rid : "");
    if (json_is_true(json_object_get(e, "bound")))
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "binds record \"%.128s\" a second time", rid);
    if (constat_unhex(json_string_value(json_object_get(e, "leaf_hash")), h, 32) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINTERNAL, "binding table: bad leaf hash");
    if ((st = constat_binding_fits(binding, json_object_get(e, "record"), h, err)) != CONSTAT_OK)
        return st;
    json_object_set_new(e, "bound", json_true());
    return CONSTAT_OK;
}
