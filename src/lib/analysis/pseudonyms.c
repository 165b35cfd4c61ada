/*
 * pseudonyms.c — records signed offline carry person commitments; the
 * organisation's pseudonym_binding gives their pseudonyms. Here, and only
 * here, the two are joined into the record the figures read, and into the
 * replacement of a correction that keeps the bound record's persons
 * (include/constat/analysis/pseudonyms.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/analysis/pseudonyms.h"

static const char *str_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const json_t *commitments_of(const json_t *r)
{
    return json_object_get(json_object_get(r, "affected"), "person_commitments");
}

/* a and b hold the same strings, whatever their order (each way round, so
 * that a repeated member cannot make two different sets look alike) */
static int contains_all(const json_t *a, const json_t *b)
{
    size_t i, j, na = json_array_size(a), nb = json_array_size(b);
    for (i = 0; i < na; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        for (j = 0; j < nb; j++) {
            const char *t = json_string_value(json_array_get(b, j));
            if (s && t && strcmp(s, t) == 0)
                break;
        }
        if (j == nb)
            return 0;
    }
    return 1;
}

static int same_set(const json_t *a, const json_t *b)
{
    return json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b) &&
           contains_all(a, b) && contains_all(b, a);
}

/* A copy of `r` in which the object at member `rep` (or r itself when
 * rep is NULL) has affected.persons = persons and no person_commitments. */
static json_t *with_persons(const json_t *r, const char *rep, const json_t *persons)
{
    json_t *copy = json_deep_copy(r), *target, *aff;
    target = copy && rep ? json_object_get(copy, rep) : copy;
    aff = json_object_get(target, "affected");
    if (!copy || !aff || json_object_set(aff, "persons", (json_t *)persons) != 0 ||
        json_object_del(aff, "person_commitments") != 0) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

static json_int_t pos_of(const json_t *map, const char *id)
{
    const json_t *p = id ? json_object_get(map, id) : NULL;
    return p ? json_integer_value(p) : -1;
}

/* The corrections among `marked` ([position in recs, number of commitments
 * of the record it corrects]) whose replacement the
 * figures count (constat_records_effective), each told to note(). */
static constat_status note_counted(const constat_indexed_record *recs, size_t n,
                                   const json_t *marked, const json_t *bind,
                                   constat_persons_note_fn note, void *ctx, constat_error *err)
{
    constat_indexed_record *eff = NULL;
    size_t neff = 0, k, m;
    constat_status st = constat_records_effective(recs, n, NULL, &eff, NULL, &neff, err);
    if (st != CONSTAT_OK)
        return st;
    for (k = 0; k < neff; k++) {
        for (m = 0; m < json_array_size(marked); m++) {
            const json_t *mk = json_array_get(marked, m);
            size_t i = (size_t)json_integer_value(json_array_get(mk, 0));
            const json_t *c = recs[i].record, *rep = json_object_get(c, "replacement");
            const char *t = str_of(c, "corrects");
            json_int_t b = pos_of(bind, t);
            char msg[1024];
            if (eff[k].record != rep || b < 0)
                continue;
            snprintf(msg, sizeof msg,
                     "correction %.128s (leaf %" PRIu64 ") of record %.128s: its replacement's "
                     "%zu person commitment(s) are not the %zu of the record that the "
                     "pseudonym binding at leaf %" PRIu64 " gives pseudonyms to, so it does "
                     "not get them: the persons of this version are not counted by pseudonym",
                     str_of(c, "id") ? str_of(c, "id") : "", recs[i].index, t,
                     json_array_size(commitments_of(rep)),
                     (size_t)json_integer_value(json_array_get(mk, 1)), recs[b].index);
            note(ctx, recs[i].index, msg);
        }
    }
    free(eff);
    return CONSTAT_OK;
}

constat_status constat_records_join_pseudonyms_noted(constat_indexed_record *recs, size_t n,
                                                     constat_persons_note_fn note, void *ctx,
                                                     constat_error *err)
{
    json_t *at = NULL;     /* record id -> position in recs, for records with commitments */
    json_t *bind = NULL;   /* record id -> position of the binding joined into it */
    json_t *marked = NULL; /* positions of corrections that keep no pseudonyms */
    constat_status st = CONSTAT_OK;
    size_t i;

    if (n && !recs)
        return constat_error_set(err, CONSTAT_EINVAL, "no records given");
    if (!(at = json_object()) || !(bind = json_object()) || !(marked = json_array()))
        goto nomem;
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record;
        const char *kind = str_of(r, "kind"), *id = str_of(r, "id");
        if (id && !(kind && strcmp(kind, "pseudonym_binding") == 0) &&
            json_array_size(commitments_of(r)) && !json_object_get(at, id) &&
            json_object_set_new(at, id, json_integer((json_int_t)i)) != 0)
            goto nomem;
    }
    /* the binding of a record: the first one logged after it */
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record;
        const char *kind = str_of(r, "kind"), *rid = str_of(r, "record");
        json_int_t j = pos_of(at, rid), b = pos_of(bind, rid);
        if (!kind || strcmp(kind, "pseudonym_binding") != 0 || j < 0 ||
            recs[j].index >= recs[i].index || (b >= 0 && recs[b].index <= recs[i].index))
            continue;
        if (json_object_set_new(bind, rid, json_integer((json_int_t)i)) != 0)
            goto nomem;
    }
    /* a correction whose replacement commits to exactly the bound record's
     * persons gets the binding's pseudonyms: the same commitments are the
     * same (salt, identifier) pairs, so the same persons */
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record, *rep = json_object_get(r, "replacement");
        const char *kind = str_of(r, "kind"), *t = str_of(r, "corrects");
        const json_t *aff = json_object_get(rep, "affected");
        json_int_t j = pos_of(at, t), b = pos_of(bind, t);
        json_t *copy;
        if (!kind || strcmp(kind, "correction") != 0 || !json_is_object(rep) || j < 0 ||
            b < 0 || !str_of(rep, "id") || strcmp(str_of(rep, "id"), t) != 0 ||
            json_array_size(json_object_get(aff, "persons")))
            continue; /* not applied, nothing bound, or pseudonyms of its own */
        if (!same_set(json_object_get(aff, "person_commitments"),
                      commitments_of(recs[j].record))) {
            /* [position, the bound record's number of commitments] */
            if (json_array_append_new(marked, json_pack("[I,I]", (json_int_t)i,
                                                        (json_int_t)json_array_size(
                                                            commitments_of(recs[j].record)))) !=
                0)
                goto nomem;
            continue;
        }
        if (!(copy = with_persons(r, "replacement", json_object_get(recs[b].record, "persons"))))
            goto nomem;
        json_decref(recs[i].record);
        recs[i].record = copy;
    }
    /* then the bound records themselves */
    for (i = 0; i < n; i++) {
        const json_t *r = recs[i].record;
        const char *kind = str_of(r, "kind"), *rid = str_of(r, "record");
        json_int_t j = pos_of(at, rid);
        json_t *copy;
        if (!kind || strcmp(kind, "pseudonym_binding") != 0 || j < 0 ||
            pos_of(bind, rid) != (json_int_t)i)
            continue;
        if (!(copy = with_persons(recs[j].record, NULL, json_object_get(r, "persons"))))
            goto nomem;
        json_decref(recs[j].record);
        recs[j].record = copy;
    }
    if (note && json_array_size(marked))
        st = note_counted(recs, n, marked, bind, note, ctx, err);
    json_decref(at);
    json_decref(bind);
    json_decref(marked);
    return st;
nomem:
    json_decref(at);
    json_decref(bind);
    json_decref(marked);
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

constat_status constat_records_join_pseudonyms(constat_indexed_record *recs, size_t n,
                                               constat_error *err)
{
    return constat_records_join_pseudonyms_noted(recs, n, NULL, NULL, err);
}
