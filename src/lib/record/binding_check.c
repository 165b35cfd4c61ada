/*
 * binding_check.c — validation of the members of records signed offline:
 * `affected.person_commitments` and the kind `pseudonym_binding`
 * (docs/record.md "Person commitments and pseudonym bindings"), called by
 * constat_record_validate (record.c); and the binding's id. Calls go one
 * way: record.c uses this file, this file uses only base and
 * constat_record_fail (register.c).
 */
#include <stdio.h>
#include <string.h>

#include "constat/base/hash.h"
#include "constat/record/binding.h"
#include "record/record_internal.h"

#define bfail constat_record_fail

static int lower_hex64(const char *s)
{
    return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* An array of 1..max distinct 64-hex strings at `path`, or absent. */
static constat_status hex_set(const json_t *a, const char *path, size_t max, const char *prefix,
                              constat_error *err)
{
    size_t i, j, n = json_array_size(a), pl = prefix ? strlen(prefix) : 0;
    if (!json_is_array(a) || n == 0 || n > max)
        return bfail(err, path, "must be an array of 1 to %zu %s", max,
                     prefix ? "pseudonyms" : "commitments (64 lowercase hex digits)");
    for (i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s || (pl && strncmp(s, prefix, pl) != 0) || !lower_hex64(s ? s + pl : NULL))
            return bfail(err, path, "[%zu] must be %s", i,
                         prefix ? "a pseudonym (\"p:\" and 64 lowercase hex digits)"
                                : "a commitment (64 lowercase hex digits)");
        for (j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(a, j))) == 0)
                return bfail(err, path, "[%zu] repeats [%zu]", i, j);
    }
    return CONSTAT_OK;
}

constat_status constat_record_check_person_commitments(const json_t *affected,
                                                       constat_error *err)
{
    const json_t *a = json_object_get(affected, "person_commitments");
    if (!a)
        return CONSTAT_OK;
    if (json_object_get(affected, "persons"))
        return bfail(err, "affected.person_commitments",
                     "a record carries pseudonyms or person commitments, not both");
    return hex_set(a, "affected.person_commitments", CONSTAT_PERSONS_MAX, NULL, err);
}

constat_status constat_record_check_binding(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v",      "kind",      "id",      "org", "monitor",
                                      "recorded_at", "record", "leaf_hash", "persons", NULL};
    const char *key, *rid, *org, *mon, *id;
    json_t *v;
    char want[32];
    size_t i;

    json_object_foreach((json_t *)r, key, v) {
        for (i = 0; top[i] && strcmp(top[i], key) != 0; i++)
            ;
        if (!top[i])
            return bfail(err, key, "unknown field");
    }
    rid = json_string_value(json_object_get(r, "record"));
    if (!rid || !*rid || strlen(rid) > 128)
        return bfail(err, "record", "must be the id of the record it binds");
    if (!lower_hex64(json_string_value(json_object_get(r, "leaf_hash"))))
        return bfail(err, "leaf_hash", "must be 64 lowercase hex digits");
    org = json_string_value(json_object_get(r, "org"));
    mon = json_string_value(json_object_get(r, "monitor"));
    if (!org || !mon || strcmp(org, mon) != 0)
        return bfail(err, "monitor", "must be the organisation (\"%.64s\"): the organisation "
                                     "key signs pseudonym bindings", org ? org : "");
    id = json_string_value(json_object_get(r, "id"));
    constat_binding_id(rid, want, sizeof want);
    if (!id || strcmp(id, want) != 0)
        return bfail(err, "id", "must be \"%s\" for record \"%.128s\"", want, rid);
    return hex_set(json_object_get(r, "persons"), "persons", CONSTAT_PERSONS_MAX, "p:", err);
}

void constat_binding_id(const char *record_id, char *out, size_t cap)
{
    uint8_t h[32];
    char hex[65];
    constat_sha256(record_id, strlen(record_id), h);
    constat_hex(h, 32, hex);
    snprintf(out, cap, "pb-%.16s", hex);
}

