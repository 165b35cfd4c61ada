/*
 * record.c — the record model of docs/record.md: validation, commitments,
 * pseudonyms, content hashes, and leaves (sign / parse / verify).
 *
 * Validation is closed-world: every object of a record lists the members it
 * may hold and anything else is rejected, because a signed record must not
 * carry data no one checked. Only `private` (field name -> commitment) and
 * `affected.legal_status` (status -> count) are open maps, with typed values
 * (the statuses, like vehicle kinds, are the taxonomy's when it lists them).
 *
 * Leaves are signed with libsodium directly (not through note.c): a leaf is
 * not a signed note, only its key id follows the signed-note convention.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "constat/record/canon.h"
#include "constat/base/hash.h"
#include "constat/base/limits.h"
#include "constat/record/record.h"
#include "record/record_internal.h"

#define INT53_MAX 9007199254740991LL
#define PATH_MAX_LEN 160

/* ---- generic helpers ---- */

#define fail constat_record_fail


/* Field paths for messages are built for every member checked, so they are
 * assembled by hand (snprintf dominated validation time); cut at
 * PATH_MAX_LEN - 1 bytes like snprintf would. */
static size_t put(char *out, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (at >= PATH_MAX_LEN - 1)
        return at;
    if (n > PATH_MAX_LEN - 1 - at)
        n = PATH_MAX_LEN - 1 - at;
    memcpy(out + at, s, n);
    out[at + n] = 0;
    return at + n;
}

static void join(char *out, const char *parent, const char *name)
{
    size_t at = 0;
    out[0] = 0;
    if (parent && *parent) {
        at = put(out, at, parent);
        at = put(out, at, ".");
    }
    put(out, at, name);
}

static void join_index(char *out, const char *parent, size_t i)
{
    char num[24];
    size_t at, k = sizeof num - 1;
    num[k] = 0;
    do {
        num[--k] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    out[0] = 0;
    at = put(out, 0, parent);
    at = put(out, at, "[");
    at = put(out, at, num + k);
    put(out, at, "]");
}

static int is_lower_hex(const char *s, size_t n)
{
    size_t i;
    if (strlen(s) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Reject members of `obj` not in the NULL-terminated `allowed` list. */
static constat_status only_members(const json_t *obj, const char *path,
                                   const char *const *allowed, constat_error *err)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        const char *const *a;
        char p[PATH_MAX_LEN];
        int ok = 0;
        for (a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok) {
            join(p, path, key);
            return fail(err, p, "unknown field");
        }
        (void)val;
    }
    return CONSTAT_OK;
}

/* Walk the whole value: integers only (no reals) within ±(2^53-1), no NUL
 * inside strings or keys, bounded depth. */
static constat_status check_values(const json_t *v, const char *path, int depth,
                                   constat_error *err)
{
    char p[PATH_MAX_LEN];
    constat_status st;

    if (depth > CONSTAT_JSON_MAX_DEPTH)
        return constat_error_set(err, CONSTAT_ELIMIT, "%s: nesting deeper than %d", path,
                                 CONSTAT_JSON_MAX_DEPTH);
    switch (json_typeof(v)) {
    case JSON_REAL:
        return fail(err, path, "must be an integer (reals are not allowed in records)");
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        if (i > INT53_MAX || i < -INT53_MAX)
            return fail(err, path, "integer outside ±(2^53-1)");
        return CONSTAT_OK;
    }
    case JSON_STRING:
        if (strlen(json_string_value(v)) != json_string_length(v))
            return fail(err, path, "NUL character in string");
        return CONSTAT_OK;
    case JSON_ARRAY: {
        size_t i;
        for (i = 0; i < json_array_size(v); i++) {
            join_index(p, path, i);
            if ((st = check_values(json_array_get(v, i), p, depth + 1, err)) != CONSTAT_OK)
                return st;
        }
        return CONSTAT_OK;
    }
    case JSON_OBJECT: {
        void *it;
        for (it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            const char *key = json_object_iter_key(it);
            join(p, path, key);
            if (strlen(key) != json_object_iter_key_len(it))
                return fail(err, p, "NUL character in key");
            if ((st = check_values(json_object_iter_value(it), p, depth + 1, err)) !=
                CONSTAT_OK)
                return st;
        }
        return CONSTAT_OK;
    }
    default:
        return CONSTAT_OK;
    }
}

/* Fetch member `name` of obj; *out NULL when absent. Errors if required and
 * absent, or if present with the wrong JSON type. */
static constat_status member(const json_t *obj, const char *parent, const char *name,
                             json_type type, int required, json_t **out, constat_error *err)
{
    char p[PATH_MAX_LEN];
    json_t *v = json_object_get(obj, name);
    static const char *const tn[] = {"an object", "an array", "a string", "an integer",
                                     "a number", "true", "false", "null"};
    *out = v;
    join(p, parent, name);
    if (!v)
        return required ? fail(err, p, "missing") : CONSTAT_OK;
    if (json_typeof(v) != type)
        return fail(err, p, "must be %s", tn[type]);
    return CONSTAT_OK;
}

static constat_status str_member(const json_t *obj, const char *parent, const char *name,
                                 int required, const char **out, constat_error *err)
{
    json_t *v;
    char p[PATH_MAX_LEN];
    constat_status st = member(obj, parent, name, JSON_STRING, required, &v, err);
    *out = v ? json_string_value(v) : NULL;
    if (st == CONSTAT_OK && v && json_string_length(v) == 0) {
        join(p, parent, name);
        return fail(err, p, "must not be empty");
    }
    return st;
}

static constat_status int_member(const json_t *obj, const char *parent, const char *name,
                                 int required, json_int_t min, json_int_t max,
                                 constat_error *err)
{
    json_t *v;
    char p[PATH_MAX_LEN];
    constat_status st = member(obj, parent, name, JSON_INTEGER, required, &v, err);
    if (st != CONSTAT_OK || !v)
        return st;
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        join(p, parent, name);
        return fail(err, p, "must be an integer within %lld..%lld", (long long)min,
                    (long long)max);
    }
    return CONSTAT_OK;
}

static constat_status enum_member(const json_t *obj, const char *parent, const char *name,
                                  int required, const char *const *values, const char **out,
                                  constat_error *err)
{
    const char *s;
    const char *const *e;
    char p[PATH_MAX_LEN], list[200] = "";
    size_t used = 0;
    constat_status st = str_member(obj, parent, name, required, &s, err);
    if (out)
        *out = s;
    if (st != CONSTAT_OK || !s)
        return st;
    for (e = values; *e; e++) {
        if (strcmp(*e, s) == 0)
            return CONSTAT_OK;
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                 "%s%s", e == values ? "" : ", ", *e);
        if (used >= sizeof list)
            used = sizeof list - 1;
    }
    join(p, parent, name);
    return fail(err, p, "\"%s\" is not one of %s", s, list);
}

/* RFC 3339 with offset, whole seconds (docs/record.md "Times"). *local
 * (may be NULL) receives the local wall-clock seconds (epoch + offset). */
static constat_status time_member_local(const json_t *obj, const char *parent,
                                        const char *name, int required, int64_t *epoch,
                                        int64_t *local, constat_error *err)
{
    const char *s;
    char p[PATH_MAX_LEN];
    int off = 0;
    constat_status st = str_member(obj, parent, name, required, &s, err);
    if (st != CONSTAT_OK || !s)
        return st;
    join(p, parent, name);
    if (constat_rfc3339_parse(s, epoch, &off) != CONSTAT_OK)
        return fail(err, p, "\"%s\" is not an RFC 3339 time with offset", s);
    if (strlen(s) > 19 && s[19] == '.')
        return fail(err, p, "\"%s\": records use whole seconds", s);
    if (local)
        *local = *epoch + off;
    return CONSTAT_OK;
}

static constat_status time_member(const json_t *obj, const char *parent, const char *name,
                                  int required, int64_t *epoch, constat_error *err)
{
    return time_member_local(obj, parent, name, required, epoch, NULL, err);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Record id: 1-128 characters of [A-Za-z0-9._:-]. */
static int id_valid(const char *s)
{
    size_t i, n = strlen(s);
    if (n < 1 || n > 128)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

/* A signed-note key name: non-empty, at most CONSTAT_KEY_NAME_MAX bytes, no
 * '+', no ASCII space or control, no Unicode space separator. Checked here
 * rather than through note.c so records do not depend on it. */
static int key_name_valid(const char *s)
{
    size_t i, n = strlen(s);
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0 || n > CONSTAT_KEY_NAME_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        if (u[i] <= 0x20 || u[i] == 0x7f || u[i] == '+')
            return 0;
        /* U+0085, U+00A0 */
        if (u[i] == 0xC2 && i + 1 < n && (u[i + 1] == 0x85 || u[i + 1] == 0xA0))
            return 0;
        /* U+1680 */
        if (u[i] == 0xE1 && i + 2 < n && u[i + 1] == 0x9A && u[i + 2] == 0x80)
            return 0;
        /* U+2000-U+200A, U+2028, U+2029, U+202F, U+205F */
        if (u[i] == 0xE2 && i + 2 < n &&
            ((u[i + 1] == 0x80 && (u[i + 2] <= 0x8A || u[i + 2] == 0xA8 || u[i + 2] == 0xA9 ||
                                   u[i + 2] == 0xAF)) ||
             (u[i + 1] == 0x81 && u[i + 2] == 0x9F)))
            return 0;
        /* U+3000 */
        if (u[i] == 0xE3 && i + 2 < n && u[i + 1] == 0x80 && u[i + 2] == 0x80)
            return 0;
    }
    return 1;
}

static constat_status name_member(const json_t *obj, const char *name, const char **out,
                                  constat_error *err)
{
    constat_status st = str_member(obj, "", name, 1, out, err);
    if (st != CONSTAT_OK)
        return st;
    if (!key_name_valid(*out))
        return fail(err, name, "\"%s\" is not a valid key name (no spaces, no '+', at most %d bytes)",
                    *out, CONSTAT_KEY_NAME_MAX);
    return CONSTAT_OK;
}

/* Array of non-empty strings. */
static constat_status string_array(const json_t *obj, const char *parent, const char *name,
                                   int required, json_t **out, constat_error *err)
{
    json_t *a;
    size_t i;
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    constat_status st = member(obj, parent, name, JSON_ARRAY, required, &a, err);
    if (out)
        *out = a;
    if (st != CONSTAT_OK || !a)
        return st;
    join(p, parent, name);
    for (i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        join_index(q, p, i);
        if (!json_is_string(s))
            return fail(err, q, "must be a string");
        if (json_string_length(s) == 0)
            return fail(err, q, "must not be empty");
    }
    return CONSTAT_OK;
}

static constat_status coords(const json_t *obj, const char *parent, constat_error *err)
{
    constat_status st;
    char p[PATH_MAX_LEN];
    int has_lat = json_object_get(obj, "lat_e7") != NULL;
    int has_lon = json_object_get(obj, "lon_e7") != NULL;
    if ((st = int_member(obj, parent, "lat_e7", 0, -900000000, 900000000, err)) != CONSTAT_OK ||
        (st = int_member(obj, parent, "lon_e7", 0, -1800000000, 1800000000, err)) != CONSTAT_OK)
        return st;
    if (has_lat != has_lon) {
        join(p, parent, has_lat ? "lon_e7" : "lat_e7");
        return fail(err, p, "missing (lat_e7 and lon_e7 go together)");
    }
    return CONSTAT_OK;
}

/* ---- kinds ---- */

/* `private`: field name -> commitment (64 lowercase hex). */
static constat_status check_private(const json_t *r, constat_error *err)
{
    json_t *o;
    constat_status st;
    char p[PATH_MAX_LEN];
    if ((st = member(r, "", "private", JSON_OBJECT, 0, &o, err)) != CONSTAT_OK || !o)
        return st;
    {
        const char *key;
        json_t *val;
        json_object_foreach(o, key, val) {
            join(p, "private", key);
            if (!*key)
                return fail(err, p, "empty field name");
            if (!json_is_string(val) || !is_lower_hex(json_string_value(val), 64))
                return fail(err, p, "must be a commitment (64 lowercase hex digits)");
        }
    }
    return CONSTAT_OK;
}

/* incident `occurred`: start and end times with their offsets, in order,
 * a start not after `recorded` (Unix seconds) beyond the clock tolerance,
 * and a day-precision span from local midnight to the next. */
static constat_status incident_occurred(const json_t *r, int64_t recorded, constat_error *err)
{
    static const char *const occ_f[] = {"start", "end", "precision", NULL};
    static const char *const precisions[] = {"minute", "hour", "day", "month", "year", NULL};
    constat_status st;
    json_t *o;
    const char *prec;
    int64_t t0, t1, l0, l1;

    if ((st = member(r, "", "occurred", JSON_OBJECT, 1, &o, err)) != CONSTAT_OK ||
        (st = only_members(o, "occurred", occ_f, err)) != CONSTAT_OK ||
        (st = time_member_local(o, "occurred", "start", 1, &t0, &l0, err)) != CONSTAT_OK ||
        (st = time_member_local(o, "occurred", "end", 1, &t1, &l1, err)) != CONSTAT_OK ||
        (st = enum_member(o, "occurred", "precision", 1, precisions, &prec, err)) != CONSTAT_OK)
        return st;
    if (t0 > t1)
        return fail(err, "occurred.end", "is before occurred.start");
    /* An incident cannot start after it was recorded, beyond the tolerance
     * between two clocks (docs/time.md "Clock tolerance"). */
    if (t0 > recorded && t0 - recorded > CONSTAT_CLOCK_TOLERANCE_S)
        return fail(err, "occurred.start",
                    "%s is after recorded_at %s by more than %d s: an incident cannot start "
                    "after it was recorded",
                    json_string_value(json_object_get(o, "start")),
                    json_string_value(json_object_get(r, "recorded_at")),
                    CONSTAT_CLOCK_TOLERANCE_S);
    /* "A day-precision incident runs from local midnight to the next local
     * midnight" (each written at its own offset, so DST days work) */
    if (strcmp(prec, "day") == 0 &&
        (l0 % 86400 != 0 || l1 % 86400 != 0 || floor_div(l1, 86400) - floor_div(l0, 86400) != 1))
        return fail(err, "occurred",
                    "day precision runs from local midnight to the next local midnight");
    return CONSTAT_OK;
}

/* incident `place`: its fields and coordinates, with a name or a site. */
static constat_status incident_place(const json_t *r, constat_error *err)
{
    static const char *const place_f[] = {"site", "name", "commune", "country", "lat_e7",
                                          "lon_e7", "precision_m", NULL};
    constat_status st;
    json_t *o;
    const char *s;

    if ((st = member(r, "", "place", JSON_OBJECT, 1, &o, err)) != CONSTAT_OK ||
        (st = only_members(o, "place", place_f, err)) != CONSTAT_OK ||
        (st = str_member(o, "place", "site", 0, &s, err)) != CONSTAT_OK ||
        (st = str_member(o, "place", "name", 0, &s, err)) != CONSTAT_OK ||
        (st = str_member(o, "place", "commune", 0, &s, err)) != CONSTAT_OK ||
        (st = str_member(o, "place", "country", 0, &s, err)) != CONSTAT_OK ||
        (st = coords(o, "place", err)) != CONSTAT_OK ||
        (st = int_member(o, "place", "precision_m", 0, 0, INT53_MAX, err)) != CONSTAT_OK)
        return st;
    if (!json_object_get(o, "name") && !json_object_get(o, "site"))
        return fail(err, "place", "needs at least name or site");
    return CONSTAT_OK;
}

/* incident `categories`: at least one, sorted, no duplicate, each in the
 * taxonomy when one is given. */
static constat_status incident_categories(const json_t *r, const constat_taxonomy *tax,
                                          constat_error *err)
{
    constat_status st;
    json_t *a;
    char p[PATH_MAX_LEN];

    if ((st = string_array(r, "", "categories", 1, &a, err)) != CONSTAT_OK)
        return st;
    if (json_array_size(a) == 0)
        return fail(err, "categories", "needs at least one category");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *c = json_string_value(json_array_get(a, i));
        join_index(p, "categories", i);
        if (i > 0) {
            int cmp = strcmp(json_string_value(json_array_get(a, i - 1)), c);
            if (cmp == 0)
                return fail(err, p, "duplicate category \"%s\"", c);
            if (cmp > 0)
                return fail(err, p, "categories must be sorted (\"%s\" after \"%s\")", c,
                            json_string_value(json_array_get(a, i - 1)));
        }
        if (tax && !constat_taxonomy_has(tax, c))
            return fail(err, p, "unknown category \"%s\"", c);
    }
    return CONSTAT_OK;
}

/* incident `authority` (optional): forces, unit, officers, id numbers and
 * vehicles, each vehicle an object with a kind (one of the taxonomy's
 * vehicle kinds, when it lists them) and a count. */
static constat_status incident_authority(const json_t *r, const constat_taxonomy *tax,
                                         constat_error *err)
{
    static const char *const auth_f[] = {"forces", "unit", "vehicles", "officers",
                                         "id_numbers", NULL};
    static const char *const veh_f[] = {"kind", "count", NULL};
    constat_status st;
    json_t *o, *a;
    const char *s;
    char p[PATH_MAX_LEN];

    if ((st = member(r, "", "authority", JSON_OBJECT, 0, &o, err)) != CONSTAT_OK || !o)
        return st;
    if ((st = only_members(o, "authority", auth_f, err)) != CONSTAT_OK ||
        (st = string_array(o, "authority", "forces", 0, NULL, err)) != CONSTAT_OK ||
        (st = str_member(o, "authority", "unit", 0, &s, err)) != CONSTAT_OK ||
        (st = int_member(o, "authority", "officers", 0, 0, CONSTAT_COUNT_MAX, err)) != CONSTAT_OK ||
        (st = string_array(o, "authority", "id_numbers", 0, NULL, err)) != CONSTAT_OK ||
        (st = member(o, "authority", "vehicles", JSON_ARRAY, 0, &a, err)) != CONSTAT_OK)
        return st;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        json_t *veh = json_array_get(a, i);
        join_index(p, "authority.vehicles", i);
        if (!json_is_object(veh))
            return fail(err, p, "must be an object");
        if ((st = only_members(veh, p, veh_f, err)) != CONSTAT_OK ||
            (st = str_member(veh, p, "kind", 1, &s, err)) != CONSTAT_OK ||
            (st = int_member(veh, p, "count", 0, 0, CONSTAT_COUNT_MAX, err)) != CONSTAT_OK)
            return st;
        if (constat_taxonomy_vehicle_count(tax) && !constat_taxonomy_has_vehicle(tax, s)) {
            char q[PATH_MAX_LEN];
            join(q, p, "kind");
            return fail(err, q, "unknown vehicle kind \"%.64s\"", s);
        }
        /* one entry a kind: a second one would count its vehicles twice over */
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(a, j), "kind")), s) ==
                0) {
                char q[PATH_MAX_LEN];
                join(q, p, "kind");
                return fail(err, q, "\"%.64s\" is listed already at authority.vehicles[%zu]: "
                            "one entry a kind, with its count", s, j);
            }
    }
    return CONSTAT_OK;
}

/* incident `affected.persons` and `affected.legal_status`: pseudonyms, and
 * counts by non-empty status name (one of the taxonomy's legal statuses,
 * when it lists them). */
static constat_status affected_persons_status(const json_t *a, const json_t *ls,
                                              const constat_taxonomy *tax, constat_error *err)
{
    char p[PATH_MAX_LEN];

    for (size_t i = 0; a && i < json_array_size(a); i++) {
        const char *ps = json_string_value(json_array_get(a, i));
        join_index(p, "affected.persons", i);
        if (strncmp(ps, "p:", 2) != 0 || !is_lower_hex(ps + 2, 64))
            return fail(err, p, "must be a pseudonym \"p:\" + 64 lowercase hex digits");
    }
    if (ls) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)ls, key, val) {
            join(p, "affected.legal_status", key);
            if (!*key)
                return fail(err, p, "empty status name");
            if (!json_is_integer(val) || json_integer_value(val) < 0 ||
                json_integer_value(val) > CONSTAT_COUNT_MAX)
                return fail(err, p, "must be an integer from 0 to %lld",
                            (long long)CONSTAT_COUNT_MAX);
            if (constat_taxonomy_status_count(tax) && !constat_taxonomy_has_status(tax, key))
                return fail(err, p, "unknown legal status \"%.64s\"", key);
        }
    }
    return CONSTAT_OK;
}

/* incident `affected` (optional): count, minors, nationalities, persons
 * and legal status. */
static constat_status incident_affected(const json_t *r, const constat_taxonomy *tax,
                                        constat_error *err)
{
    static const char *const aff_f[] = {"count", "minors", "legal_status", "nationalities",
                                        "persons", "person_commitments", NULL};
    static const char *const minors[] = {"yes", "no", "unknown", NULL};
    constat_status st;
    json_t *o, *a, *ls;

    if ((st = member(r, "", "affected", JSON_OBJECT, 0, &o, err)) != CONSTAT_OK || !o)
        return st;
    if ((st = only_members(o, "affected", aff_f, err)) != CONSTAT_OK ||
        (st = int_member(o, "affected", "count", 0, 0, CONSTAT_COUNT_MAX, err)) != CONSTAT_OK ||
        (st = enum_member(o, "affected", "minors", 0, minors, NULL, err)) != CONSTAT_OK ||
        (st = string_array(o, "affected", "nationalities", 0, NULL, err)) != CONSTAT_OK ||
        (st = string_array(o, "affected", "persons", 0, &a, err)) != CONSTAT_OK ||
        (st = member(o, "affected", "legal_status", JSON_OBJECT, 0, &ls, err)) != CONSTAT_OK ||
        (st = constat_record_check_person_commitments(o, err)) != CONSTAT_OK)
        return st;
    if ((st = affected_persons_status(a, ls, tax, err)) != CONSTAT_OK)
        return st;
    /* the persons counted by status are persons affected: no more of them
     * than the count, when it is given */
    if (ls && json_is_integer(json_object_get(o, "count"))) {
        long long sum = 0, count = (long long)json_integer_value(json_object_get(o, "count"));
        const char *key;
        json_t *val;
        json_object_foreach(ls, key, val) sum += (long long)json_integer_value(val);
        if (sum > count)
            return fail(err, "affected.legal_status", "counts %lld persons, more than "
                        "affected.count (%lld)", sum, count);
    }
    return CONSTAT_OK;
}

/* items[i] (its path in p): a kind (in the taxonomy, when one is given),
 * an action and a count (null when unknown, and for an amount whose
 * currency is not stated). */
static constat_status incident_item(const json_t *it, const char *p, const constat_taxonomy *tax,
                                    constat_error *err)
{
    static const char *const item_f[] = {"kind", "action", "count", "origin", NULL};
    static const char *const actions[] = {"seized", "destroyed", "seized_or_destroyed", NULL};
    static const char *const origins[] = {"humanitarian", "personal", NULL};
    constat_status st;
    json_t *cnt;
    const char *s;

    if (!json_is_object(it))
        return fail(err, p, "must be an object");
    if ((st = only_members(it, p, item_f, err)) != CONSTAT_OK ||
        (st = str_member(it, p, "kind", 1, &s, err)) != CONSTAT_OK ||
        (st = enum_member(it, p, "action", 1, actions, NULL, err)) != CONSTAT_OK ||
        (st = enum_member(it, p, "origin", 0, origins, NULL, err)) != CONSTAT_OK)
        return st;
    cnt = json_object_get(it, "count");
    if (!cnt || !(json_is_null(cnt) || (json_is_integer(cnt) && json_integer_value(cnt) >= 0 &&
                                        json_integer_value(cnt) <= CONSTAT_COUNT_MAX))) {
        char q[PATH_MAX_LEN];
        join(q, p, "count");
        return fail(err, q, "must be an integer from 0 to %lld, or null when the number is "
                            "unknown", (long long)CONSTAT_COUNT_MAX);
    }
    if (tax) {
        constat_item_unit unit;
        const char *cur, *act;
        char q[PATH_MAX_LEN], base[80];
        join(q, p, "kind");
        if (!constat_taxonomy_item_kind(tax, s, &unit, &cur)) {
            if (constat_item_kind_split(s, base, sizeof base, &act) &&
                constat_taxonomy_item_kind(tax, base, NULL, NULL))
                return fail(err, q, "unknown item kind \"%.64s\" (write kind \"%s\" with "
                                    "action \"%s\")", s, base, act);
            return fail(err, q, "unknown item kind \"%.64s\"", s);
        }
        /* an amount in a currency no one stated cannot be added up */
        if (unit == CONSTAT_UNIT_CURRENCY && !cur && !json_is_null(cnt)) {
            join(q, p, "count");
            return fail(err, q, "an amount of \"%.64s\", whose currency is not stated, "
                                "must be null (use a kind with an ISO 4217 currency)", s);
        }
    }
    return CONSTAT_OK;
}

/* incident `items` (optional): an array of items. */
static constat_status incident_items(const json_t *r, const constat_taxonomy *tax,
                                     constat_error *err)
{
    constat_status st;
    json_t *a;
    char p[PATH_MAX_LEN];

    if ((st = member(r, "", "items", JSON_ARRAY, 0, &a, err)) != CONSTAT_OK)
        return st;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        join_index(p, "items", i);
        if ((st = incident_item(json_array_get(a, i), p, tax, err)) != CONSTAT_OK)
            return st;
    }
    return CONSTAT_OK;
}

/* incident `source` (a type, with a reference for publications) and
 * `summary`. */
static constat_status incident_source(const json_t *r, constat_error *err)
{
    static const char *const src_f[] = {"type", "reference", "source_id", NULL};
    static const char *const src_types[] = {"direct_observation", "testimony", "publication",
                                            NULL};
    constat_status st;
    json_t *o;
    const char *s, *stype;

    if ((st = member(r, "", "source", JSON_OBJECT, 1, &o, err)) != CONSTAT_OK ||
        (st = only_members(o, "source", src_f, err)) != CONSTAT_OK ||
        (st = enum_member(o, "source", "type", 1, src_types, &stype, err)) != CONSTAT_OK ||
        (st = str_member(o, "source", "reference", strcmp(stype, "publication") == 0, &s,
                         err)) != CONSTAT_OK ||
        (st = str_member(o, "source", "source_id", 0, &s, err)) != CONSTAT_OK)
        return st;
    return str_member(r, "", "summary", 0, &s, err);
}

/* incident `evidence` (optional): each an object holding a SHA-256 in hex. */
static constat_status incident_evidence(const json_t *r, constat_error *err)
{
    static const char *const ev_f[] = {"sha256", NULL};
    constat_status st;
    json_t *a;
    const char *s;
    char p[PATH_MAX_LEN];

    if ((st = member(r, "", "evidence", JSON_ARRAY, 0, &a, err)) != CONSTAT_OK)
        return st;
    for (size_t i = 0; a && i < json_array_size(a); i++) {
        json_t *ev = json_array_get(a, i);
        join_index(p, "evidence", i);
        if (!json_is_object(ev))
            return fail(err, p, "must be an object");
        if ((st = only_members(ev, p, ev_f, err)) != CONSTAT_OK ||
            (st = str_member(ev, p, "sha256", 1, &s, err)) != CONSTAT_OK)
            return st;
        if (!is_lower_hex(s, 64)) {
            char q[PATH_MAX_LEN];
            join(q, p, "sha256");
            return fail(err, q, "must be 64 lowercase hex digits");
        }
    }
    return CONSTAT_OK;
}

/* An incident record recorded at `recorded` (Unix seconds): its members, then each part in document order, then
 * the private commitments. */
static constat_status check_incident(const json_t *r, const constat_taxonomy *tax,
                                     int64_t recorded, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "occurred", "place", "categories", "authority",
                                      "affected", "items", "source", "summary", "evidence",
                                      "transport", "eviction", "private", NULL};
    constat_status st;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = constat_record_check_findings(r, err)) != CONSTAT_OK ||
        (st = incident_occurred(r, recorded, err)) != CONSTAT_OK ||
        (st = incident_place(r, err)) != CONSTAT_OK ||
        (st = incident_categories(r, tax, err)) != CONSTAT_OK ||
        (st = incident_authority(r, tax, err)) != CONSTAT_OK ||
        (st = incident_affected(r, tax, err)) != CONSTAT_OK ||
        (st = incident_items(r, tax, err)) != CONSTAT_OK ||
        (st = incident_source(r, err)) != CONSTAT_OK ||
        (st = incident_evidence(r, err)) != CONSTAT_OK)
        return st;
    return check_private(r, err);
}

/* vkey "name+hex8+base64(0x01||pk)" whose name is the monitor and whose hex
 * id matches the key (signed-note key id). */
static constat_status check_vkey(const char *vkey, const char *monitor, constat_error *err)
{
    const char *p1 = strchr(vkey, '+'), *p2;
    uint8_t raw[64], h[32], *buf;
    size_t rawlen, nlen;
    char hex8[9];

    if (!p1 || !(p2 = strchr(p1 + 1, '+')) || p2 - p1 != 9)
        return fail(err, "vkey", "must be \"name+hex8+base64\"");
    nlen = (size_t)(p1 - vkey);
    if (nlen != strlen(monitor) || memcmp(vkey, monitor, nlen) != 0)
        return fail(err, "vkey", "key name does not match monitor \"%s\"", monitor);
    if (constat_unbase64(p2 + 1, strlen(p2 + 1), raw, sizeof raw, &rawlen) != CONSTAT_OK ||
        rawlen != 1 + CONSTAT_ED25519_PK || raw[0] != CONSTAT_NOTE_ALG_ED25519)
        return fail(err, "vkey", "key must be base64 of 0x01 || 32-byte Ed25519 public key");
    buf = malloc(nlen + 2 + CONSTAT_ED25519_PK);
    if (!buf)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    memcpy(buf, vkey, nlen);
    buf[nlen] = '\n';
    memcpy(buf + nlen + 1, raw, rawlen);
    constat_sha256(buf, nlen + 1 + rawlen, h);
    free(buf);
    constat_hex(h, 4, hex8);
    if (memcmp(p1 + 1, hex8, 8) != 0)
        return fail(err, "vkey", "key id %.8s does not match the key (%s)", p1 + 1, hex8);
    return CONSTAT_OK;
}

static constat_status check_enrolment(const json_t *r, const char *monitor, const char *id,
                                      constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "vkey",
                                      "enrolled_at", "recorded_at", "key_custody", NULL};
    constat_status st;
    const char *vkey, *custody = NULL;
    int64_t t;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK)
        return st;
    if (strncmp(id, "enrol:", 6) != 0 || strcmp(id + 6, monitor) != 0)
        return fail(err, "id", "must be \"enrol:%s\"", monitor);
    if ((st = str_member(r, "", "vkey", 1, &vkey, err)) != CONSTAT_OK ||
        (st = check_vkey(vkey, monitor, err)) != CONSTAT_OK ||
        (st = time_member(r, "", "enrolled_at", 1, &t, err)) != CONSTAT_OK)
        return st;
    /* who holds the private key: absent means the organisation's vault */
    if ((st = str_member(r, "", "key_custody", 0, &custody, err)) != CONSTAT_OK)
        return st;
    if (custody && strcmp(custody, "device") != 0 && strcmp(custody, "organisation") != 0)
        return fail(err, "key_custody", "must be \"device\" or \"organisation\"");
    return CONSTAT_OK;
}

static constat_status check_shift(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "start", "end", "area", NULL};
    static const char *const area_f[] = {"name", "commune", "lat_e7", "lon_e7", "radius_m",
                                         NULL};
    constat_status st;
    int64_t t0, t1;
    json_t *o;
    const char *s;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = time_member(r, "", "start", 1, &t0, err)) != CONSTAT_OK ||
        (st = time_member(r, "", "end", 1, &t1, err)) != CONSTAT_OK)
        return st;
    if (t0 > t1)
        return fail(err, "end", "is before start");
    if ((st = member(r, "", "area", JSON_OBJECT, 1, &o, err)) != CONSTAT_OK ||
        (st = only_members(o, "area", area_f, err)) != CONSTAT_OK ||
        (st = str_member(o, "area", "name", 0, &s, err)) != CONSTAT_OK ||
        (st = str_member(o, "area", "commune", 0, &s, err)) != CONSTAT_OK ||
        (st = coords(o, "area", err)) != CONSTAT_OK ||
        (st = int_member(o, "area", "radius_m", 0, 0, INT53_MAX, err)) != CONSTAT_OK)
        return st;
    if (!json_object_get(o, "name") && !json_object_get(o, "lat_e7"))
        return fail(err, "area", "needs at least name or lat_e7/lon_e7");
    return CONSTAT_OK;
}

/* evidence (docs/record.md, docs/evidence.md): a file bound by hash to the
 * incident it supports, with the capture metadata the file carries. */
static constat_status check_evidence(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "incident", "sha256", "size", "media_type", "capture",
                                      "private", NULL};
    static const char *const cap_f[] = {"time", "local_time", "time_invalid", "lat_e7",
                                        "lon_e7", "alt_cm", "make", "model",
                                        "exif_malformed", NULL};
    constat_status st;
    const char *s;
    json_t *o;
    int64_t t;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "incident", 1, &s, err)) != CONSTAT_OK)
        return st;
    if (!id_valid(s))
        return fail(err, "incident", "must be a record id");
    if ((st = str_member(r, "", "sha256", 1, &s, err)) != CONSTAT_OK)
        return st;
    if (!is_lower_hex(s, 64))
        return fail(err, "sha256", "must be 64 lowercase hex digits");
    if ((st = int_member(r, "", "size", 1, 0, INT53_MAX, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "media_type", 1, &s, err)) != CONSTAT_OK)
        return st;
    if (!strchr(s, '/') || strlen(s) > 127)
        return fail(err, "media_type", "must be a MIME type \"type/subtype\"");
    if ((st = member(r, "", "capture", JSON_OBJECT, 0, &o, err)) != CONSTAT_OK)
        return st;
    if (o) {
        if ((st = only_members(o, "capture", cap_f, err)) != CONSTAT_OK ||
            (st = time_member(o, "capture", "time", 0, &t, err)) != CONSTAT_OK ||
            (st = str_member(o, "capture", "local_time", 0, &s, err)) != CONSTAT_OK)
            return st;
        if (s) {
            char iso[32];
            if (strlen(s) != 19 || snprintf(iso, sizeof iso, "%sZ", s) != 20 ||
                constat_rfc3339_parse(iso, &t, NULL) != CONSTAT_OK)
                return fail(err, "capture.local_time", "must be \"YYYY-MM-DDTHH:MM:SS\"");
            if (json_object_get(o, "time"))
                return fail(err, "capture", "time and local_time exclude each other");
        }
        /* an invalid EXIF date, as written: instead of a time, never with one;
         * the bounds are CONSTAT_EXIF_TEXT_MAX and CONSTAT_EXIF_PROBLEM_MAX
         * (constat/evidence/evidence.h) */
        if ((st = str_member(o, "capture", "time_invalid", 0, &s, err)) != CONSTAT_OK)
            return st;
        if (s && (json_object_get(o, "time") || json_object_get(o, "local_time")))
            return fail(err, "capture", "time_invalid excludes time and local_time");
        if (s && strlen(s) > 64)
            return fail(err, "capture.time_invalid", "must be at most 64 bytes");
        if ((st = str_member(o, "capture", "exif_malformed", 0, &s, err)) != CONSTAT_OK)
            return st;
        if (s && strlen(s) > 200)
            return fail(err, "capture.exif_malformed", "must be at most 200 bytes");
        if ((st = coords(o, "capture", err)) != CONSTAT_OK ||
            (st = int_member(o, "capture", "alt_cm", 0, -INT53_MAX, INT53_MAX, err)) !=
                CONSTAT_OK ||
            (st = str_member(o, "capture", "make", 0, &s, err)) != CONSTAT_OK ||
            (st = str_member(o, "capture", "model", 0, &s, err)) != CONSTAT_OK)
            return st;
        if (json_object_get(o, "alt_cm") && !json_object_get(o, "lat_e7"))
            return fail(err, "capture.alt_cm", "only with lat_e7/lon_e7");
    }
    return check_private(r, err);
}

/* custody: one event in the chain of custody of an evidence file. */
static constat_status check_custody(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "evidence", "incident", "event", "to", "note",
                                      "private", NULL};
    static const char *const events[] = {"copied", "handed_over", "sealed", "received", NULL};
    constat_status st;
    const char *s;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "evidence", 1, &s, err)) != CONSTAT_OK)
        return st;
    if (!is_lower_hex(s, 64))
        return fail(err, "evidence", "must be the file's sha256 (64 lowercase hex digits)");
    if ((st = str_member(r, "", "incident", 1, &s, err)) != CONSTAT_OK)
        return st;
    if (!id_valid(s))
        return fail(err, "incident", "must be a record id");
    if ((st = enum_member(r, "", "event", 1, events, NULL, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "to", 1, &s, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "note", 0, &s, err)) != CONSTAT_OK)
        return st;
    return check_private(r, err);
}

/* correction: the full replacement of an incident or evidence record
 * (docs/record.md "correction"); the replacement keeps the corrected id, org
 * and monitor and is validated as a record of its own kind. */
static constat_status check_correction(const json_t *r, const constat_taxonomy *tax,
                                       constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "corrects", "replacement", "reason", NULL};
    constat_status st;
    const char *target, *s, *rk, *rid;
    json_t *rep;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "corrects", 1, &target, err)) != CONSTAT_OK)
        return st;
    if (!id_valid(target))
        return fail(err, "corrects", "must be a record id");
    if ((st = str_member(r, "", "reason", 0, &s, err)) != CONSTAT_OK)
        return st;
    if (s && (!s[0] || strlen(s) > CONSTAT_AMEND_REASON_MAX))
        return fail(err, "reason", "must be 1-%d bytes", CONSTAT_AMEND_REASON_MAX);
    if ((st = member(r, "", "replacement", JSON_OBJECT, 1, &rep, err)) != CONSTAT_OK)
        return st;
    rk = json_string_value(json_object_get(rep, "kind"));
    if (!rk || (strcmp(rk, "incident") != 0 && strcmp(rk, "evidence") != 0))
        return fail(err, "replacement.kind", "must be \"incident\" or \"evidence\"");
    rid = json_string_value(json_object_get(rep, "id"));
    if (!rid || strcmp(rid, target) != 0)
        return fail(err, "replacement.id", "must be the corrected id \"%.128s\"", target);
    if (!json_equal(json_object_get(rep, "org"), json_object_get(r, "org")))
        return fail(err, "replacement.org", "must be the correction's org");
    if (!json_equal(json_object_get(rep, "monitor"), json_object_get(r, "monitor")))
        return fail(err, "replacement.monitor", "must be the correction's monitor (its signer)");
    st = constat_record_validate(rep, tax, err);
    if (st != CONSTAT_OK)
        return constat_error_prefix(err, "replacement.");
    return CONSTAT_OK;
}

/* The public `reason` of a retraction, erasure or revocation: 1-1000 bytes. */
static constat_status reason_member(const json_t *r, constat_error *err)
{
    const char *s;
    constat_status st = str_member(r, "", "reason", 1, &s, err);
    if (st != CONSTAT_OK)
        return st;
    if (!s[0] || strlen(s) > CONSTAT_AMEND_REASON_MAX)
        return fail(err, "reason", "must be 1-%d bytes", CONSTAT_AMEND_REASON_MAX);
    return CONSTAT_OK;
}

/* Exactly the members `top`, and `target` a record id. */
static constat_status members_and_target(const json_t *r, const char *const *top,
                                         const char *target, constat_error *err)
{
    const char *s;
    constat_status st;
    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = str_member(r, "", target, 1, &s, err)) != CONSTAT_OK)
        return st;
    if (!id_valid(s))
        return fail(err, target, "must be a record id");
    return CONSTAT_OK;
}

/* retraction: withdraws an incident or evidence record, with a reason. */
static constat_status check_retraction(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "retracts", "reason", NULL};
    constat_status st = members_and_target(r, top, "retracts", err);
    return st != CONSTAT_OK ? st : reason_member(r, err);
}

/* erasure: the private values, salts and evidence files of a record were
 * destroyed (crypto-shredding, docs/record.md "Erasure"); the leaf stays. */
static constat_status check_erasure(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "erases", "leaf", "reason", "figures", NULL};
    static const char *const figures[] = {"keep", "exclude", NULL};
    constat_status st;
    const char *s;

    if ((st = members_and_target(r, top, "erases", err)) != CONSTAT_OK ||
        (st = int_member(r, "", "leaf", 1, 0, (json_int_t)CONSTAT_LOG_MAX_SIZE - 1, err)) !=
            CONSTAT_OK ||
        (st = enum_member(r, "", "figures", 1, figures, &s, err)) != CONSTAT_OK)
        return st;
    return reason_member(r, err);
}

/* revocation: a monitor key is not trusted from `from` on (signed by the
 * organisation key, docs/vault.md "Revocation"). */
static constat_status check_revocation(const json_t *r, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "key_id", "from", "reason", NULL};
    constat_status st;
    const char *s;
    int64_t t;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "key_id", 1, &s, err)) != CONSTAT_OK ||
        (st = time_member(r, "", "from", 1, &t, err)) != CONSTAT_OK)
        return st;
    return reason_member(r, err);
}

/* monitor_rotation: a monitor's key is replaced by `vkey` (signed by the
 * organisation key, docs/vault.md "Rotation"); `retires` names the old key. */
static constat_status check_rotation(const json_t *r, const char *monitor, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "retires", "vkey", NULL};
    constat_status st;
    const char *s, *vkey;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "retires", 1, &s, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "vkey", 1, &vkey, err)) != CONSTAT_OK)
        return st;
    if (strncmp(s, monitor, strlen(monitor)) != 0 || s[strlen(monitor)] != '+')
        return fail(err, "retires", "must be a key id of monitor %s (\"%s+hex8\")", monitor,
                    monitor);
    return check_vkey(vkey, monitor, err);
}

/* key_transition: the organisation's signing key ("key": "org") or the log's
 * checkpoint key ("key": "log") is replaced (docs/record.md "Key
 * transition"): `monitor` is the key's note name (the organisation's, or the
 * log's origin), `retires` the old key id, `old_vkey` and `vkey` the old and
 * new verifier keys; the leaf is signed by the old key and `new_signature`
 * by the new one (keyrot.h). */
static constat_status check_transition(const json_t *r, const char *name, constat_error *err)
{
    static const char *const top[] = {"v", "kind", "id", "org", "monitor", "recorded_at",
                                      "key", "retires", "old_vkey", "vkey", "reason",
                                      "new_signature", NULL};
    static const char *const keys[] = {"org", "log", NULL};
    constat_status st;
    const char *s, *old, *vkey;

    if ((st = only_members(r, "", top, err)) != CONSTAT_OK ||
        (st = enum_member(r, "", "key", 1, keys, &s, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "retires", 1, &s, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "old_vkey", 1, &old, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "vkey", 1, &vkey, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "new_signature", 1, &s, err)) != CONSTAT_OK ||
        (st = check_vkey(old, name, err)) != CONSTAT_OK ||
        (st = check_vkey(vkey, name, err)) != CONSTAT_OK)
        return st;
    if (strcmp(old, vkey) == 0)
        return fail(err, "vkey", "the new key is the old one");
    return reason_member(r, err);
}

constat_status constat_record_validate(const json_t *r, const constat_taxonomy *tax,
                                       constat_error *err)
{
    static const char *const kinds[] = {"incident", "monitor_enrolment", "shift", "evidence",
                                        "custody", "correction", "retraction", "erasure",
                                        "revocation", "register", "monitor_rotation",
                                        "key_transition", "pseudonym_binding", NULL};
    const char *kind, *id, *s, *monitor;
    int64_t t;
    constat_status st;

    if (!json_is_object(r))
        return constat_error_set(err, CONSTAT_EINVAL, "record: must be a JSON object");
    if ((st = check_values(r, "", 1, err)) != CONSTAT_OK)
        return st;
    /* paths below are relative to the record: "place.lat_e7" */
    if ((st = int_member(r, "", "v", 1, 1, 1, err)) != CONSTAT_OK ||
        (st = enum_member(r, "", "kind", 1, kinds, &kind, err)) != CONSTAT_OK ||
        (st = str_member(r, "", "id", 1, &id, err)) != CONSTAT_OK)
        return st;
    if (!id_valid(id))
        return fail(err, "id", "\"%.40s\" must be 1-128 characters of [A-Za-z0-9._:-]", id);
    /* "enrol:<monitor>" names a monitor's enrolment; no other record may
     * take such an id (it would block that monitor's enrolment for ever) */
    if (strncmp(id, "enrol:", 6) == 0 && strcmp(kind, "monitor_enrolment") != 0)
        return fail(err, "id", "\"%.40s\": ids starting with \"enrol:\" are reserved for "
                               "monitor enrolments", id);
    /* "reg:" ids name register entries (docs/record.md "register") */
    if ((strncmp(id, "reg:", 4) == 0) != (strcmp(kind, "register") == 0))
        return fail(err, "id", "\"%.40s\": register entries, and only they, have ids starting "
                               "with \"reg:\"", id);
    if ((st = name_member(r, "org", &s, err)) != CONSTAT_OK ||
        (st = name_member(r, "monitor", &monitor, err)) != CONSTAT_OK ||
        (st = time_member(r, "", "recorded_at", 1, &t, err)) != CONSTAT_OK)
        return st;
    if (strcmp(kind, "incident") == 0)
        return check_incident(r, tax, t, err);
    if (strcmp(kind, "monitor_enrolment") == 0)
        return check_enrolment(r, monitor, id, err);
    if (strcmp(kind, "evidence") == 0)
        return check_evidence(r, err);
    if (strcmp(kind, "custody") == 0)
        return check_custody(r, err);
    if (strcmp(kind, "correction") == 0)
        return check_correction(r, tax, err);
    if (strcmp(kind, "retraction") == 0)
        return check_retraction(r, err);
    if (strcmp(kind, "erasure") == 0)
        return check_erasure(r, err);
    if (strcmp(kind, "revocation") == 0)
        return check_revocation(r, err);
    if (strcmp(kind, "monitor_rotation") == 0)
        return check_rotation(r, monitor, err);
    if (strcmp(kind, "register") == 0)
        return constat_record_check_register(r, err);
    if (strcmp(kind, "key_transition") == 0)
        return check_transition(r, monitor, err);
    if (strcmp(kind, "pseudonym_binding") == 0)
        return constat_record_check_binding(r, err);
    return check_shift(r, err);
}

/* ---- commitments, pseudonyms, content hash ---- */

constat_status constat_record_commit(const char *field, const json_t *value,
                                     const uint8_t salt[CONSTAT_SALT_SIZE], uint8_t out[32],
                                     constat_error *err)
{
    constat_buf b;
    constat_sha256_ctx c;
    constat_status st;
    static const uint8_t zero = 0;

    if (!field || !*field)
        return constat_error_set(err, CONSTAT_EINVAL, "commitment: empty field name");
    constat_buf_init(&b);
    if ((st = constat_canon(value, &b, err)) != CONSTAT_OK) {
        constat_buf_free(&b);
        return constat_error_prefix(err, "private.%s: ", field);
    }
    constat_sha256_init(&c);
    constat_sha256_update(&c, CONSTAT_COMMIT_DOMAIN, strlen(CONSTAT_COMMIT_DOMAIN));
    constat_sha256_update(&c, &zero, 1);
    constat_sha256_update(&c, salt, CONSTAT_SALT_SIZE);
    constat_sha256_update(&c, field, strlen(field));
    constat_sha256_update(&c, &zero, 1);
    constat_sha256_update(&c, b.data, b.len);
    constat_sha256_final(&c, out);
    constat_buf_free(&b);
    return CONSTAT_OK;
}

static int ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constat_status constat_record_pseudonym(const uint8_t key[CONSTAT_PSEUDONYM_KEY_SIZE],
                                        const char *identifier, char out[67],
                                        constat_error *err)
{
    size_t n, i, o = 0;
    char *norm;
    int pending_space = 0;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];

    out[0] = 0;
    if (!identifier)
        return constat_error_set(err, CONSTAT_EINVAL, "pseudonym: no identifier");
    n = strlen(identifier);
    norm = malloc(n + 1);
    if (!norm)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    /* trim, collapse inner whitespace runs to one space, ASCII lower-case */
    for (i = 0; i < n; i++) {
        char c = identifier[i];
        if (ascii_space(c)) {
            pending_space = o > 0;
            continue;
        }
        if (pending_space) {
            norm[o++] = ' ';
            pending_space = 0;
        }
        norm[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    if (o == 0) {
        free(norm);
        return constat_error_set(err, CONSTAT_EINVAL, "pseudonym: identifier is empty");
    }
    crypto_auth_hmacsha256(mac, (const unsigned char *)norm, o, key);
    sodium_memzero(norm, n + 1);
    free(norm);
    out[0] = 'p';
    out[1] = ':';
    constat_hex(mac, sizeof mac, out + 2);
    return CONSTAT_OK;
}

constat_status constat_record_content_hash(const json_t *record, uint8_t out[32],
                                           constat_error *err)
{
    json_t *copy;
    constat_buf b;
    constat_status st;

    if (!json_is_object(record))
        return constat_error_set(err, CONSTAT_EINVAL, "record: must be a JSON object");
    copy = json_copy((json_t *)record); /* shallow: only the top level changes */
    if (!copy)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    json_object_del(copy, "recorded_at");
    json_object_del(copy, "private");
    constat_buf_init(&b);
    st = constat_canon(copy, &b, err);
    json_decref(copy);
    if (st == CONSTAT_OK)
        constat_sha256(b.data, b.len, out);
    constat_buf_free(&b);
    return st;
}

/* ---- leaves ---- */

void constat_record_key_id(const constat_note_verifier *v, char *out, size_t cap)
{
    if (cap == 0)
        return;
    snprintf(out, cap, "%s+%08lx", v->name, (unsigned long)v->key_id);
}

/* "constat-record-v1\n" || JCS(record) */
static constat_status signed_message(const json_t *record, constat_buf *msg,
                                     constat_error *err)
{
    constat_status st = constat_buf_puts(msg, CONSTAT_RECORD_SIG_DOMAIN);
    if (st != CONSTAT_OK)
        return constat_error_set(err, st, "out of memory");
    return constat_canon(record, msg, err);
}

constat_status constat_record_sign(const json_t *record, const constat_note_signer *signer,
                                   constat_buf *leaf, constat_error *err)
{
    constat_status st;

    /* nothing unchecked is ever signed */
    if ((st = constat_record_validate(record, NULL, err)) != CONSTAT_OK)
        return st;
    return constat_record_sign_validated(record, signer, leaf, err);
}

constat_status constat_record_sign_validated(const json_t *record,
                                             const constat_note_signer *signer,
                                             constat_buf *leaf, constat_error *err)
{
    constat_buf msg;
    uint8_t sig[CONSTAT_ED25519_SIG];
    char sig64[100], key_id[CONSTAT_KEY_NAME_MAX + 10];
    json_t *obj = NULL;
    size_t mark = leaf->len;
    constat_status st;

    if (signer->pub.alg != CONSTAT_NOTE_ALG_ED25519)
        return constat_error_set(err, CONSTAT_EINVAL, "signer %s: not an Ed25519 note key",
                                 signer->pub.name);
    constat_buf_init(&msg);
    if ((st = signed_message(record, &msg, err)) != CONSTAT_OK)
        goto out;
    if (msg.len - strlen(CONSTAT_RECORD_SIG_DOMAIN) > CONSTAT_RECORD_MAX_BYTES) {
        st = constat_error_set(err, CONSTAT_ELIMIT, "record: canonical form exceeds %u bytes",
                               CONSTAT_RECORD_MAX_BYTES);
        goto out;
    }
    crypto_sign_detached(sig, NULL, msg.data, msg.len, signer->sk);
    constat_base64(sig, sizeof sig, sig64);
    constat_record_key_id(&signer->pub, key_id, sizeof key_id);
    /* The leaf is JCS({"key_id", "record", "signature"}): members in that
     * (sorted) order, and the record's canonical bytes are the ones just
     * signed, so assemble it rather than canonicalise the record again. */
    obj = json_string(key_id);
    if (!obj) {
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = constat_buf_puts(leaf, "{\"key_id\":")) != CONSTAT_OK ||
        (st = constat_canon(obj, leaf, err)) != CONSTAT_OK ||
        (st = constat_buf_puts(leaf, ",\"record\":")) != CONSTAT_OK ||
        (st = constat_buf_append(leaf, msg.data + strlen(CONSTAT_RECORD_SIG_DOMAIN),
                                 msg.len - strlen(CONSTAT_RECORD_SIG_DOMAIN))) != CONSTAT_OK ||
        (st = constat_buf_printf(leaf, ",\"signature\":\"%s\"}", sig64)) != CONSTAT_OK) {
        leaf->len = mark;
        if (leaf->data)
            leaf->data[mark] = 0;
        if (st == CONSTAT_ENOMEM)
            constat_error_set(err, st, "out of memory");
        goto out;
    }
    if (leaf->len - mark > CONSTAT_RECORD_MAX_BYTES) {
        leaf->len = mark;
        leaf->data[mark] = 0;
        st = constat_error_set(err, CONSTAT_ELIMIT, "leaf exceeds %u bytes",
                               CONSTAT_RECORD_MAX_BYTES);
    }
out:
    json_decref(obj);
    constat_buf_free(&msg);
    return st;
}

/* Where JCS(record) sits inside a leaf already known to be canonical:
 * {"key_id":<string>,"record":<object>,"signature":"<88 base64>"}. The
 * canonical string has every '"' and '\\' escaped, so the first unescaped
 * quote after the opening one closes key_id. Each step is checked; a leaf
 * that is canonical always passes. */
static int record_span(const uint8_t *leaf, size_t len, size_t *off, size_t *rlen)
{
    static const char head[] = "{\"key_id\":\"";
    static const char mid[] = ",\"record\":";
    static const char tail[] = ",\"signature\":\"";
    size_t i = sizeof head - 1, end;

    if (len < sizeof head - 1 || memcmp(leaf, head, sizeof head - 1) != 0)
        return 0;
    while (i < len && leaf[i] != '"')
        i += leaf[i] == '\\' ? 2 : 1;
    if (i >= len)
        return 0;
    i++;
    if (len - i < sizeof mid - 1 || memcmp(leaf + i, mid, sizeof mid - 1) != 0)
        return 0;
    i += sizeof mid - 1;
    /* tail: ,"signature":"<88>"} */
    if (len < i + (sizeof tail - 1) + 88 + 2)
        return 0;
    end = len - 2 - 88 - (sizeof tail - 1);
    if (memcmp(leaf + end, tail, sizeof tail - 1) != 0 || leaf[len - 2] != '"' ||
        leaf[len - 1] != '}' || leaf[i] != '{' || leaf[end - 1] != '}')
        return 0;
    *off = i;
    *rlen = end - i;
    return 1;
}

constat_status constat_leaf_parse_span(const uint8_t *leaf, size_t len, constat_leaf *out,
                                       constat_buf *scratch, size_t *rec_off, size_t *rec_len,
                                       constat_error *err)
{
    static const char *const members[] = {"key_id", "record", "signature", NULL};
    json_t *v = NULL, *rec;
    const char *kid, *sig;
    char sig64[100];
    size_t siglen;
    constat_status st;
    int fast;

    memset(out, 0, sizeof *out);
    if (len > CONSTAT_RECORD_MAX_BYTES)
        return constat_error_set(err, CONSTAT_ELIMIT, "leaf: %zu bytes exceeds %u", len,
                                 CONSTAT_RECORD_MAX_BYTES);
    /* a leaf in our own canonical form is read on the short path, which
     * also shows it canonical; any other text takes the full path */
    fast = (v = constat_canon_parse_fast((const char *)leaf, len)) != NULL;
    if (!fast &&
        (st = constat_json_parse((const char *)leaf, len, "leaf", 1, &v, err)) != CONSTAT_OK)
        return st;
    if (!json_is_object(v)) {
        st = constat_error_set(err, CONSTAT_EINVAL, "leaf: must be a JSON object");
        goto bad;
    }
    if ((st = only_members(v, "leaf", members, err)) != CONSTAT_OK)
        goto bad;
    kid = json_string_value(json_object_get(v, "key_id"));
    sig = json_string_value(json_object_get(v, "signature"));
    rec = json_object_get(v, "record");
    if (!kid || !*kid || strlen(kid) >= sizeof out->key_id || !strchr(kid, '+')) {
        st = constat_error_set(err, CONSTAT_EINVAL, "leaf.key_id: missing or not \"name+hex8\"");
        goto bad;
    }
    if (!json_is_object(rec)) {
        st = constat_error_set(err, CONSTAT_EINVAL, "leaf.record: missing or not an object");
        goto bad;
    }
    if (!sig || constat_unbase64(sig, strlen(sig), out->signature, sizeof out->signature,
                                 &siglen) != CONSTAT_OK ||
        siglen != CONSTAT_ED25519_SIG) {
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "leaf.signature: missing or not base64 of 64 bytes");
        goto bad;
    }
    /* one encoding only: the base64 and the whole leaf must be canonical */
    constat_base64(out->signature, sizeof out->signature, sig64);
    if (strcmp(sig64, sig) != 0) {
        st = constat_error_set(err, CONSTAT_EINVAL, "leaf.signature: base64 not canonical");
        goto bad;
    }
    constat_buf_reset(scratch);
    st = fast ? CONSTAT_OK : constat_canon(v, scratch, err);
    if (st == CONSTAT_OK && !fast &&
        (scratch->len != len || memcmp(scratch->data, leaf, len) != 0))
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "leaf: not in RFC 8785 canonical form");
    if (st != CONSTAT_OK)
        goto bad;
    if (rec_off && rec_len && !record_span(leaf, len, rec_off, rec_len)) {
        st = constat_error_set(err, CONSTAT_EINTERNAL, "leaf: canonical but record not found");
        goto bad;
    }
    memcpy(out->key_id, kid, strlen(kid) + 1);
    out->record = json_incref(rec);
    json_decref(v);
    return CONSTAT_OK;
bad:
    json_decref(v);
    memset(out, 0, sizeof *out);
    return st;
}

constat_status constat_leaf_parse(const uint8_t *leaf, size_t len, constat_leaf *out,
                                  constat_error *err)
{
    constat_buf b;
    constat_status st;

    constat_buf_init(&b);
    st = constat_leaf_parse_span(leaf, len, out, &b, NULL, NULL, err);
    constat_buf_free(&b);
    return st;
}

void constat_leaf_free(constat_leaf *l)
{
    if (!l)
        return;
    json_decref(l->record);
    memset(l, 0, sizeof *l);
}

/* The key checks of constat_leaf_verify, before any message is built. */
static constat_status leaf_key_check(const constat_leaf *l, const constat_note_verifier *v,
                                     constat_error *err)
{
    char kid[CONSTAT_KEY_NAME_MAX + 10];

    if (!l->record)
        return constat_error_set(err, CONSTAT_EVERIFY, "leaf: no record");
    constat_record_key_id(v, kid, sizeof kid);
    if (strcmp(kid, l->key_id) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "key id mismatch: leaf signed by %s, verifier is %s",
                                 l->key_id, kid);
    if (v->alg != CONSTAT_NOTE_ALG_ED25519)
        return constat_error_set(err, CONSTAT_EVERIFY, "key %s: not an Ed25519 note key", kid);
    return CONSTAT_OK;
}

constat_status constat_leaf_verify_message(const constat_leaf *l, const uint8_t *msg,
                                           size_t msglen, const constat_note_verifier *v,
                                           constat_error *err)
{
    constat_status st = leaf_key_check(l, v, err);

    if (st != CONSTAT_OK)
        return st;
    if (crypto_sign_verify_detached(l->signature, msg, msglen, v->pk) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "signature does not verify (record by %s)", l->key_id);
    return CONSTAT_OK;
}

constat_status constat_leaf_verify(const constat_leaf *l, const constat_note_verifier *v,
                                   constat_error *err)
{
    constat_buf msg;
    constat_status st;

    if ((st = leaf_key_check(l, v, err)) != CONSTAT_OK)
        return st;
    constat_buf_init(&msg);
    st = signed_message(l->record, &msg, err);
    if (st == CONSTAT_OK)
        st = constat_leaf_verify_message(l, msg.data, msg.len, v, err);
    constat_buf_free(&msg);
    return st;
}
