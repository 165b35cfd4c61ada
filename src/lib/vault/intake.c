/* intake.c — from a monitor's input to a signed record (see intake.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "constat/record/canon.h"
#include "constat/vault/intake.h"
#include "constat/vault/synthetic.h"
#include "record/record_internal.h"
#include "vault/location.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort an array of strings and drop duplicates, in place. */
static constat_status sort_unique_strings(json_t *arr, const char *field, constat_error *err)
{
    size_t n = json_array_size(arr), i, k = 0;
    const char **s;
    json_t *out;

    if (n == 0)
        return CONSTAT_OK;
    s = calloc(n, sizeof *s);
    if (!s)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        s[i] = json_string_value(json_array_get(arr, i));
        if (!s[i]) {
            free(s);
            return constat_error_set(err, CONSTAT_EINVAL, "%s[%zu]: must be a string",
                                     field, i);
        }
    }
    qsort(s, n, sizeof *s, cmp_str);
    out = json_array();
    for (i = 0; i < n; i++)
        if (i == 0 || strcmp(s[i], s[i - 1]) != 0) {
            json_array_append_new(out, json_string(s[i]));
            k++;
        }
    free(s);
    json_array_clear(arr);
    json_array_extend(arr, out);
    json_decref(out);
    (void)k;
    return CONSTAT_OK;
}

static constat_status commit_private(json_t *rec, json_t **private_values, constat_error *err)
{
    json_t *clear = json_object_get(rec, "private");
    json_t *commitments, *values;
    const char *field;
    json_t *value;
    constat_status st;

    *private_values = NULL;
    if (!clear)
        return CONSTAT_OK;
    if (!json_is_object(clear))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "private: must be an object of field -> value");
    commitments = json_object();
    values = json_object();
    json_object_foreach(clear, field, value) {
        uint8_t salt[CONSTAT_SALT_SIZE], c[32];
        char salt_hex[2 * CONSTAT_SALT_SIZE + 1], c_hex[65];

        randombytes_buf(salt, sizeof salt);
        st = constat_record_commit(field, value, salt, c, err);
        if (st != CONSTAT_OK) {
            json_decref(commitments);
            json_decref(values);
            return constat_error_prefix(err, "private.%s: ", field);
        }
        constat_hex(salt, sizeof salt, salt_hex);
        constat_hex(c, sizeof c, c_hex);
        json_object_set_new(commitments, field, json_string(c_hex));
        json_object_set_new(values, field,
                            json_pack("{s:s, s:O}", "salt", salt_hex, "value", value));
    }
    if (json_object_size(commitments) == 0) {
        json_object_del(rec, "private");
        json_decref(commitments);
        json_decref(values);
        return CONSTAT_OK;
    }
    json_object_set_new(rec, "private", commitments);
    *private_values = values;
    return CONSTAT_OK;
}

/* A record whose id is logged already (a correction's replacement, made
 * from `constat show --json`) may hold that leaf's commitments under
 * private: committed again, a commitment would be taken for the value.
 * Refused, naming the field (docs/record.md "Corrections"). */
static constat_status not_a_copied_commitment(constat_vault *v, const json_t *rec,
                                              constat_error *err)
{
    const json_t *np = json_object_get(rec, "private");
    const char *id = json_string_value(json_object_get(rec, "id")), *f;
    constat_buf leaf;
    constat_leaf l;
    uint64_t idx;
    constat_error fe;
    constat_status st = CONSTAT_OK;
    json_t *nv;

    if (!id || !json_is_object(np) || json_object_size(np) == 0)
        return CONSTAT_OK;
    constat_error_clear(&fe);
    if (constat_vault_find(v, id, &idx, &fe) != CONSTAT_OK)
        return CONSTAT_OK;
    constat_buf_init(&leaf);
    if (constat_vault_leaf(v, idx, &leaf, &fe) != CONSTAT_OK ||
        constat_leaf_parse(leaf.data, leaf.len, &l, &fe) != CONSTAT_OK) {
        constat_buf_free(&leaf);
        return CONSTAT_OK; /* the amendment checks say what is wrong with it */
    }
    constat_buf_free(&leaf);
    /* against every commitment of the logged record, whatever field holds
     * it, and in any case (a commitment is hex: "AB.." is the same one) */
    json_object_foreach((json_t *)np, f, nv) {
        const char *of;
        json_t *ov;
        if (!json_is_string(nv))
            continue;
        json_object_foreach(json_object_get(l.record, "private"), of, ov) {
            if (json_is_string(ov) &&
                strcasecmp(json_string_value(nv), json_string_value(ov)) == 0) {
                st = constat_error_set(err, CONSTAT_EINVAL,
                                       "private.%s: is the commitment the logged record "
                                       "\"%s\" (leaf %llu) holds, not a value (its private.%s): "
                                       "give the value (constat show --private shows it), or "
                                       "leave the field out",
                                       f, id, (unsigned long long)idx, of);
                break;
            }
        }
        if (st != CONSTAT_OK)
            break;
    }
    constat_leaf_free(&l);
    return st;
}

static constat_status pseudonymise(constat_vault *v, json_t *rec, constat_error *err)
{
    json_t *affected = json_object_get(rec, "affected");
    json_t *ids, *persons;
    size_t i;

    if (!affected || !json_is_object(affected))
        return CONSTAT_OK;
    ids = json_object_get(affected, "person_identifiers");
    if (!ids)
        return CONSTAT_OK;
    if (!json_is_array(ids))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "affected.person_identifiers: must be an array of strings");
    persons = json_object_get(affected, "persons");
    if (!persons) {
        persons = json_array();
        json_object_set_new(affected, "persons", persons);
    } else if (!json_is_array(persons)) {
        return constat_error_set(err, CONSTAT_EINVAL, "affected.persons: must be an array");
    }
    for (i = 0; i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        char p[67];
        constat_status st;
        if (!id)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "affected.person_identifiers[%zu]: must be a string", i);
        if (!constat_vault_pseudonym_key(v))
            return constat_error_set(err, CONSTAT_ECRYPTO,
                                     "pseudonyms need the vault's keys (give the passphrase)");
        st = constat_record_pseudonym(constat_vault_pseudonym_key(v), id, p, err);
        if (st != CONSTAT_OK)
            return constat_error_prefix(err, "affected.person_identifiers[%zu]: ", i);
        json_array_append_new(persons, json_string(p));
    }
    json_object_del(affected, "person_identifiers");
    return sort_unique_strings(persons, "affected.persons", err);
}

/* An incident that starts, or a record recorded, after "now" beyond the
 * clock tolerance (docs/time.md "Clock tolerance") has not happened yet: a
 * typing error or a wrong clock, refused before it is signed. Times that
 * do not parse are left to the validator, which names them. */
constat_status constat_intake_not_in_future(const json_t *rec, int64_t now, constat_error *err)
{
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *ra = json_string_value(json_object_get(rec, "recorded_at"));
    const char *start =
        json_string_value(json_object_get(json_object_get(rec, "occurred"), "start"));
    char nows[32];
    int64_t t;

    constat_rfc3339_format(now, 0, nows);
    if (ra && constat_rfc3339_parse(ra, &t, NULL) == CONSTAT_OK && t > now &&
        t - now > CONSTAT_CLOCK_TOLERANCE_S)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "recorded_at: %s is in the future (now is %s, tolerance %d s)",
                                 ra, nows, CONSTAT_CLOCK_TOLERANCE_S);
    if (kind && strcmp(kind, "incident") == 0 && start &&
        constat_rfc3339_parse(start, &t, NULL) == CONSTAT_OK && t > now &&
        t - now > CONSTAT_CLOCK_TOLERANCE_S)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "occurred.start: %s is in the future (now is %s, tolerance "
                                 "%d s): an event cannot be recorded before it happens",
                                 start, nows, CONSTAT_CLOCK_TOLERANCE_S);
    return CONSTAT_OK;
}

/* ---- the incident an evidence record names ---- */

struct latest_scan {
    const char *target;
    json_t *replacement; /* the latest correction's, a reference */
    constat_status st;
    constat_error *err;
};

static int latest_scan_one(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct latest_scan *a = ctx;
    constat_leaf l;
    const char *kind, *t;

    a->st = constat_leaf_parse(leaf, len, &l, a->err);
    if (a->st != CONSTAT_OK) {
        constat_error_prefix(a->err, "leaf %llu: ", (unsigned long long)index);
        return 1;
    }
    kind = json_string_value(json_object_get(l.record, "kind"));
    t = json_string_value(json_object_get(l.record, "corrects"));
    if (kind && strcmp(kind, "correction") == 0 && t && strcmp(t, a->target) == 0 &&
        json_is_object(json_object_get(l.record, "replacement"))) {
        json_decref(a->replacement);
        a->replacement = json_incref(json_object_get(l.record, "replacement"));
    }
    constat_leaf_free(&l);
    return 0;
}

constat_status constat_intake_effective(constat_vault *v, const char *id, json_t **record,
                                        uint64_t *index, constat_error *err)
{
    struct latest_scan a;
    constat_buf leaf;
    constat_leaf l;
    uint64_t idx;
    constat_status st;

    *record = NULL;
    st = constat_vault_find(v, id, &idx, err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "%s: no such record in the log", id);
    if (st != CONSTAT_OK)
        return st;
    constat_buf_init(&leaf);
    st = constat_vault_leaf(v, idx, &leaf, err);
    if (st == CONSTAT_OK)
        st = constat_leaf_parse(leaf.data, leaf.len, &l, err);
    constat_buf_free(&leaf);
    if (st != CONSTAT_OK)
        return st;
    a.target = id;
    a.replacement = NULL;
    a.st = CONSTAT_OK;
    a.err = err;
    st = constat_vault_leaves(v, idx + 1, constat_vault_size(v), latest_scan_one, &a, err);
    if (st == CONSTAT_OK)
        st = a.st;
    if (st != CONSTAT_OK) {
        json_decref(a.replacement);
        constat_leaf_free(&l);
        return st;
    }
    *record = a.replacement ? a.replacement : json_incref(l.record);
    constat_leaf_free(&l);
    if (index)
        *index = idx;
    return CONSTAT_OK;
}

int constat_intake_coarse(const json_t *record)
{
    return json_object_get(json_object_get(record, "private"), CONSTAT_PLACE_EXACT_FIELD) !=
           NULL;
}

/* An evidence input `rec` whose incident is logged with a coarse position
 * in its effective version: its capture position coarsened
 * (constat_location_coarsen_capture), unless it is on the grid already
 * without an altitude (a coarse one given again, as a correction does). */
static constat_status coarsen_evidence(constat_vault *v, json_t *rec, constat_error *err)
{
    const char *inc = json_string_value(json_object_get(rec, "incident"));
    json_t *cap = json_object_get(rec, "capture"), *eff = NULL;
    json_t *lat = json_object_get(cap, "lat_e7"), *lon = json_object_get(cap, "lon_e7");
    constat_status st;
    int coarse;

    if (!inc || !json_is_integer(lat) || !json_is_integer(lon))
        return CONSTAT_OK;
    if (json_integer_value(lat) % CONSTAT_COARSE_GRID_E7 == 0 &&
        json_integer_value(lon) % CONSTAT_COARSE_GRID_E7 == 0 &&
        !json_object_get(cap, "alt_cm"))
        return CONSTAT_OK;
    st = constat_intake_effective(v, inc, &eff, NULL, err);
    if (st == CONSTAT_ENOTFOUND) { /* refused by constat_intake_amend_check */
        constat_error_clear(err);
        return CONSTAT_OK;
    }
    if (st != CONSTAT_OK)
        return st;
    coarse = constat_intake_coarse(eff);
    json_decref(eff);
    return coarse ? constat_location_coarsen_capture(rec, err) : CONSTAT_OK;
}

constat_status constat_intake_incident_check(constat_vault *v, const json_t *record,
                                             int (*pending)(void *ctx, const char *id),
                                             void *ctx, constat_error *err)
{
    const char *kind = json_string_value(json_object_get(record, "kind"));
    const char *field = "incident", *inc, *k;
    const json_t *ev = record;
    constat_buf leaf;
    constat_leaf l;
    uint64_t idx;
    constat_status st;

    if (kind && strcmp(kind, "correction") == 0) {
        ev = json_object_get(record, "replacement");
        kind = json_string_value(json_object_get(ev, "kind"));
        field = "replacement.incident";
    }
    if (!kind || strcmp(kind, "evidence") != 0)
        return CONSTAT_OK;
    inc = json_string_value(json_object_get(ev, "incident"));
    if (!inc)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: missing or not a string", field);
    st = constat_vault_find(v, inc, &idx, err);
    if (st == CONSTAT_ENOTFOUND) {
        constat_error_clear(err);
        if (pending && pending(ctx, inc))
            return CONSTAT_OK;
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: \"%.200s\" is not a logged incident (no such record in "
                                 "the log); log the incident first", field, inc);
    }
    if (st != CONSTAT_OK)
        return st;
    constat_buf_init(&leaf);
    st = constat_vault_leaf(v, idx, &leaf, err);
    if (st == CONSTAT_OK)
        st = constat_leaf_parse(leaf.data, leaf.len, &l, err);
    constat_buf_free(&leaf);
    if (st != CONSTAT_OK)
        return st;
    k = json_string_value(json_object_get(l.record, "kind"));
    if (!k || strcmp(k, "incident") != 0)
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "%s: \"%.200s\" is not a logged incident (leaf %llu is a %.40s "
                               "record)", field, inc, (unsigned long long)idx, k ? k : "?");
    constat_leaf_free(&l);
    return st;
}

constat_status constat_intake_monitor_kind(const json_t *record, constat_error *err)
{
    static const char *const monitor_kinds[] = {"incident",   "evidence",   "custody",
                                                 "correction", "retraction", "shift", NULL};
    static const struct {
        const char *kind, *how;
    } org_kinds[] = {
        {"revocation", "constat monitor revoke NAME"},
        {"erasure", "constat erase ID"},
        {"key_transition", "constat keys rotate"},
        {"monitor_enrolment", "constat monitor add NAME"},
        {"monitor_rotation", "constat monitor rotate NAME"},
        {"pseudonym_binding", "the server, for a record's sealed_persons"},
    };
    const char *kind = json_string_value(json_object_get(record, "kind"));
    size_t i;

    if (!kind)
        return constat_error_set(err, CONSTAT_EINVAL, "kind: must be a string");
    for (i = 0; monitor_kinds[i]; i++)
        if (strcmp(kind, monitor_kinds[i]) == 0)
            return CONSTAT_OK;
    if (strcmp(kind, "register") == 0) /* the words it has always had */
        return constat_error_set(err, CONSTAT_EINVAL, "kind: register entries are signed by the "
                                 "organisation key, not a monitor's (constat register add FILE)");
    for (i = 0; i < sizeof org_kinds / sizeof org_kinds[0]; i++)
        if (strcmp(kind, org_kinds[i].kind) == 0)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "kind: %s records are signed by the organisation key, "
                                     "not a monitor's (%s)",
                                     kind, org_kinds[i].how);
    return constat_error_set(err, CONSTAT_EINVAL,
                             "kind: \"%s\" is not a kind a monitor records (incident, evidence, "
                             "custody, correction, retraction, shift)",
                             kind);
}

static constat_status prepare(constat_vault *v, const json_t *input, const char *monitor,
                              int64_t now, const constat_taxonomy *tax, int org_signed,
                              json_t **record, json_t **private_values, constat_error *err)
{
    json_t *rec, *field;
    const char *kind;
    constat_status st;
    char ts[32];

    *record = NULL;
    *private_values = NULL;
    if (!json_is_object(input))
        return constat_error_set(err, CONSTAT_EINVAL, "a record must be a JSON object");
    rec = json_deep_copy(input);
    if (!rec)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");

    if (!json_object_get(rec, "v"))
        json_object_set_new(rec, "v", json_integer(1));
    if (!json_object_get(rec, "kind"))
        json_object_set_new(rec, "kind", json_string("incident"));
    kind = json_string_value(json_object_get(rec, "kind"));
    if (!kind) {
        st = constat_error_set(err, CONSTAT_EINVAL, "kind: must be a string");
        goto fail;
    }
    if (org_signed ? strcmp(kind, "erasure") != 0
                   : constat_intake_monitor_kind(rec, err) != CONSTAT_OK) {
        st = org_signed ? constat_error_set(err, CONSTAT_EINVAL,
                                            "kind: only an erasure is prepared for the "
                                            "organisation key here")
                        : CONSTAT_EINVAL;
        goto fail;
    }
    field = json_object_get(rec, "org");
    if (field && (!json_is_string(field) ||
                  strcmp(json_string_value(field), constat_vault_org(v)) != 0)) {
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "org: the record names another organisation than this "
                               "vault's ('%s')", constat_vault_org(v));
        goto fail;
    }
    json_object_set_new(rec, "org", json_string(constat_vault_org(v)));
    field = json_object_get(rec, "monitor");
    if (field && (!json_is_string(field) || strcmp(json_string_value(field), monitor) != 0)) {
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "monitor: the record names another monitor than the signer "
                               "('%s')", monitor);
        goto fail;
    }
    json_object_set_new(rec, "monitor", json_string(monitor));
    if (!json_object_get(rec, "recorded_at")) {
        constat_rfc3339_format(now, 0, ts);
        json_object_set_new(rec, "recorded_at", json_string(ts));
    }
    field = json_object_get(rec, "categories");
    if (field && json_is_array(field)) {
        st = sort_unique_strings(field, "categories", err);
        if (st != CONSTAT_OK)
            goto fail;
    }
    st = pseudonymise(v, rec, err);
    if (st == CONSTAT_OK) /* "location_precision": "coarse" (location.c) */
        st = constat_location_apply(rec, err);
    /* the evidence of a coarse incident: its capture position too */
    if (st == CONSTAT_OK && strcmp(kind, "evidence") == 0)
        st = coarsen_evidence(v, rec, err);
    if (st != CONSTAT_OK)
        goto fail;
    st = not_a_copied_commitment(v, rec, err);
    if (st == CONSTAT_OK)
        st = commit_private(rec, private_values, err);
    if (st != CONSTAT_OK)
        goto fail;
    if (!json_object_get(rec, "id")) {
        uint8_t h[32];
        char hex[65], id[96];
        st = constat_record_content_hash(rec, h, err);
        if (st != CONSTAT_OK)
            goto fail;
        constat_hex(h, sizeof h, hex);
        hex[16] = 0;
        /* in a synthetic vault the records it derives (erasures, custody,
         * corrections) are synthetic too (synthetic.h) */
        snprintf(id, sizeof id, "%s%s-%s",
                 constat_origin_is_synthetic(constat_vault_origin(v)) ? CONSTAT_SYNTHETIC_ID_PREFIX
                                                                      : "",
                 strcmp(kind, "incident") == 0 ? "inc" : kind, hex);
        json_object_set_new(rec, "id", json_string(id));
    }
    /* synthetic and real records never share a vault (synthetic.h) */
    if ((st = constat_synthetic_guard(constat_vault_origin(v), rec, err)) != CONSTAT_OK)
        goto fail;
    /* before validation, so that an event in the future is named as such
     * rather than as one recorded (at the default "now") before it began */
    if ((st = constat_intake_not_in_future(rec, now, err)) != CONSTAT_OK)
        goto fail;
    st = constat_record_validate(rec, tax, err);
    if (st != CONSTAT_OK)
        goto fail;
    *record = rec;
    return CONSTAT_OK;
fail:
    json_decref(rec);
    json_decref(*private_values);
    *private_values = NULL;
    return st;
}

constat_status constat_intake_prepare(constat_vault *v, const json_t *input,
                                      const char *monitor, int64_t now,
                                      const constat_taxonomy *tax, json_t **record,
                                      json_t **private_values, constat_error *err)
{
    return prepare(v, input, monitor, now, tax, 0, record, private_values, err);
}

constat_status constat_intake_prepare_erasure(constat_vault *v, const json_t *input,
                                              const char *monitor, int64_t now,
                                              json_t **record, constat_error *err)
{
    json_t *priv = NULL;
    constat_status st = prepare(v, input, monitor, now, NULL, 1, record, &priv, err);
    json_decref(priv);
    return st;
}

static constat_status intake_sign(const json_t *record, const json_t *private_values,
                                  const constat_note_signer *signer, int validated,
                                  constat_intake_item *item, constat_error *err)
{
    constat_status st;
    const char *id = json_string_value(json_object_get(record, "id"));
    const char *kind = json_string_value(json_object_get(record, "kind"));

    memset(item, 0, sizeof *item);
    constat_buf_init(&item->leaf);
    if (!id || !kind)
        return constat_error_set(err, CONSTAT_EINVAL, "record without id or kind");
    st = constat_record_content_hash(record, item->content_hash, err);
    if (st != CONSTAT_OK)
        return st;
    st = validated ? constat_record_sign_validated(record, signer, &item->leaf, err)
                   : constat_record_sign(record, signer, &item->leaf, err);
    if (st != CONSTAT_OK) {
        constat_buf_free(&item->leaf);
        return st;
    }
    item->record_id = strdup(id);
    item->kind = strdup(kind);
    if (!item->record_id || !item->kind) {
        constat_intake_item_free(item);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    item->private_values = private_values ? json_incref((json_t *)private_values) : NULL;
    return CONSTAT_OK;
}

constat_status constat_intake_sign(const json_t *record, const json_t *private_values,
                                   const constat_note_signer *signer,
                                   constat_intake_item *item, constat_error *err)
{
    return intake_sign(record, private_values, signer, 0, item, err);
}

constat_status constat_intake_record(constat_vault *v, const json_t *input,
                                     const char *monitor, int64_t now,
                                     const constat_taxonomy *tax,
                                     const constat_note_signer *signer,
                                     constat_intake_item *item, constat_error *err)
{
    json_t *record = NULL, *priv = NULL;
    constat_status st;

    memset(item, 0, sizeof *item);
    /* prepare validates the finished record; sign it without doing so again */
    st = constat_intake_prepare(v, input, monitor, now, tax, &record, &priv, err);
    if (st == CONSTAT_OK)
        st = intake_sign(record, priv, signer, 1, item, err);
    json_decref(record);
    json_decref(priv);
    return st;
}

void constat_intake_item_free(constat_intake_item *item)
{
    constat_buf_free(&item->leaf);
    free(item->record_id);
    free(item->kind);
    json_decref(item->private_values);
    memset(item, 0, sizeof *item);
}

void constat_intake_item_view(const constat_intake_item *item, constat_append_item *out)
{
    out->leaf = item->leaf.data;
    out->leaf_len = item->leaf.len;
    out->record_id = item->record_id;
    out->kind = item->kind;
    memcpy(out->content_hash, item->content_hash, 32);
    out->private_values = item->private_values;
}

/* ---- corrections and retractions ---- */

struct amend_scan {
    const char *target;
    uint64_t retracted_by; /* leaf of a retraction of target, or UINT64_MAX */
    constat_status st;
    constat_error *err;
};

static int amend_scan_one(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    struct amend_scan *a = ctx;
    constat_leaf l;
    const char *kind, *t;

    a->st = constat_leaf_parse(leaf, len, &l, a->err);
    if (a->st != CONSTAT_OK) {
        constat_error_prefix(a->err, "leaf %llu: ", (unsigned long long)index);
        return 1;
    }
    kind = json_string_value(json_object_get(l.record, "kind"));
    t = json_string_value(json_object_get(l.record, "retracts"));
    if (kind && strcmp(kind, "retraction") == 0 && t && strcmp(t, a->target) == 0)
        a->retracted_by = index;
    constat_leaf_free(&l);
    return a->retracted_by != UINT64_MAX;
}

constat_status constat_intake_amend_check(constat_vault *v, const json_t *record,
                                          constat_error *err)
{
    return constat_intake_amend_check_pending(v, record, NULL, NULL, err);
}

constat_status constat_intake_amend_check_pending(constat_vault *v, const json_t *record,
                                                  int (*pending)(void *ctx, const char *id),
                                                  void *ctx, constat_error *err)
{
    const char *kind = json_string_value(json_object_get(record, "kind"));
    const char *target, *tkind, *tmon, *mon, *rmon;
    struct amend_scan a;
    constat_buf leaf;
    constat_leaf l;
    uint64_t idx;
    constat_status st;
    int correction;

    /* an evidence record (a correction's replacement) names a logged incident */
    if ((st = constat_intake_incident_check(v, record, pending, ctx, err)) != CONSTAT_OK)
        return st;
    if (!kind || (strcmp(kind, "correction") != 0 && strcmp(kind, "retraction") != 0))
        return CONSTAT_OK;
    correction = strcmp(kind, "correction") == 0;
    target = json_string_value(json_object_get(record, correction ? "corrects" : "retracts"));
    if (!target)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: missing or not a string",
                                 correction ? "corrects" : "retracts");
    st = constat_vault_find(v, target, &idx, err);
    if (st == CONSTAT_ENOTFOUND)
        return constat_error_set(err, CONSTAT_ENOTFOUND,
                                 "%s: no record \"%s\" in the log to %s",
                                 correction ? "corrects" : "retracts", target,
                                 correction ? "correct" : "retract");
    if (st != CONSTAT_OK)
        return st;
    constat_buf_init(&leaf);
    st = constat_vault_leaf(v, idx, &leaf, err);
    if (st == CONSTAT_OK)
        st = constat_leaf_parse(leaf.data, leaf.len, &l, err);
    constat_buf_free(&leaf);
    if (st != CONSTAT_OK)
        return st;
    tkind = json_string_value(json_object_get(l.record, "kind"));
    tmon = json_string_value(json_object_get(l.record, "monitor"));
    mon = json_string_value(json_object_get(record, "monitor"));
    rmon = json_string_value(
        json_object_get(json_object_get(record, "replacement"), "monitor"));
    if (!tkind || (strcmp(tkind, "incident") != 0 && strcmp(tkind, "evidence") != 0)) {
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "%s: record \"%s\" (leaf %llu) is of kind \"%s\"; only incident "
                               "and evidence records are %s",
                               correction ? "corrects" : "retracts", target,
                               (unsigned long long)idx, tkind ? tkind : "kind-less",
                               correction ? "corrected" : "retracted");
    } else if (correction &&
               !json_equal(json_object_get(json_object_get(record, "replacement"), "kind"),
                           json_object_get(l.record, "kind"))) {
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "replacement.kind: record \"%s\" (leaf %llu) is of kind "
                               "\"%s\"; its replacement must be too",
                               target, (unsigned long long)idx, tkind);
    } else if (!tmon || !mon || strcmp(tmon, mon) != 0) {
        /* only the monitor who recorded it amends a record
         * (docs/record.md "Corrections and retractions") */
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "%s: record \"%s\" (leaf %llu) was recorded by monitor \"%s\"; "
                               "only that monitor %s it, not \"%s\"",
                               correction ? "corrects" : "retracts", target,
                               (unsigned long long)idx, tmon ? tmon : "(none)",
                               correction ? "corrects" : "retracts", mon ? mon : "(none)");
    } else if (correction && (!rmon || strcmp(rmon, tmon) != 0)) {
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "replacement.monitor: record \"%s\" (leaf %llu) was recorded by "
                               "monitor \"%s\"; its replacement keeps that monitor, not \"%s\"",
                               target, (unsigned long long)idx, tmon,
                               rmon ? rmon : "(none)");
    }
    constat_leaf_free(&l); /* tkind and tmon are gone with it */
    if (st != CONSTAT_OK)
        return st;
    a.target = target;
    a.retracted_by = UINT64_MAX;
    a.st = CONSTAT_OK;
    a.err = err;
    st = constat_vault_leaves(v, idx + 1, constat_vault_size(v), amend_scan_one, &a, err);
    if (st == CONSTAT_OK)
        st = a.st;
    if (st != CONSTAT_OK)
        return st;
    if (a.retracted_by != UINT64_MAX)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "record \"%s\" (leaf %llu) was retracted by leaf %llu; it "
                                 "cannot be %s",
                                 target, (unsigned long long)idx,
                                 (unsigned long long)a.retracted_by,
                                 correction ? "corrected" : "retracted again");
    return CONSTAT_OK;
}
