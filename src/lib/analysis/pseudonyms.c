/*
 * pseudonyms.c — records signed offline carry person commitments; the
 * organisation's pseudonym_binding gives their pseudonyms. Here, and only
 * here, the two are joined into the record the figures read
 * (include/constat/analysis/pseudonyms.h).
 */
#include <string.h>

#include "constat/analysis/pseudonyms.h"

constat_status constat_records_join_pseudonyms(constat_indexed_record *recs, size_t n,
                                               constat_error *err)
{
    json_t *at; /* record id -> position in recs, for records with commitments */
    size_t i;

    if (n && !recs)
        return constat_error_set(err, CONSTAT_EINVAL, "no records given");
    if (!(at = json_object()))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record;
        const char *kind = json_string_value(json_object_get(r, "kind"));
        const char *id = json_string_value(json_object_get(r, "id"));
        if (kind && strcmp(kind, "pseudonym_binding") == 0) {
            const char *rid = json_string_value(json_object_get(r, "record"));
            json_t *pos = rid ? json_object_get(at, rid) : NULL;
            json_t *copy, *aff;
            size_t j;
            if (!pos)
                continue; /* unknown, or already bound */
            j = (size_t)json_integer_value(pos);
            if (recs[j].index >= recs[i].index)
                continue;
            copy = json_deep_copy(recs[j].record);
            aff = json_object_get(copy, "affected");
            if (!copy || !aff ||
                json_object_set(aff, "persons", json_object_get(r, "persons")) != 0 ||
                json_object_del(aff, "person_commitments") != 0) {
                json_decref(copy);
                json_decref(at);
                return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            }
            json_decref(recs[j].record);
            recs[j].record = copy;
            json_object_del(at, rid);
        } else if (id && json_array_size(json_object_get(json_object_get(r, "affected"),
                                                         "person_commitments")) &&
                   json_object_set_new(at, id, json_integer((json_int_t)i)) != 0) {
            json_decref(at);
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        }
    }
    json_decref(at);
    return CONSTAT_OK;
}
