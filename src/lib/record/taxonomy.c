/*
 * taxonomy.c — the incident categories, the item kinds with their units,
 * and the legal statuses and vehicle kinds a record may count
 * (data/taxonomy/calais.json, docs/formats.md "Taxonomy").
 *
 * The file is checked whole on load (ids well formed and unique, both
 * labels present, units and currency codes well formed) so that record
 * validation and the figures can trust it. Strings are borrowed from the
 * parsed jansson value, which the taxonomy keeps alive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/base/file.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"

/* A taxonomy file is small; anything larger is not one. */
#define TAXONOMY_MAX_BYTES (1024u * 1024u)

typedef struct {
    const char *id;
    const char *label_fr;
    const char *label_en;
} category;

typedef struct {
    const char *id;
    const char *label_fr;
    const char *label_en;
    constat_item_unit unit;
    const char *currency; /* ISO 4217 alpha-3, or NULL */
} item_kind;

/* An entry of legal_statuses or vehicle_kinds. */
typedef struct {
    const char *id;
    const char *label_fr;
    const char *label_en;
    int lawful; /* legal statuses: "lawfully_present": true */
} listed;

struct constat_taxonomy {
    json_t *root;
    char *text; /* the file's bytes, as read (NUL-terminated) */
    size_t text_len;
    size_t n;
    category *cats;
    size_t nkinds;
    item_kind *kinds;
    size_t nstatuses;
    listed *statuses;
    size_t nvehicles;
    listed *vehicles;
};

/* The statuses the figures count as lawfully present when the taxonomy
 * lists no legal statuses (every taxonomy written before it could): the
 * list transported_by_legal_status always used (docs/indicators.md). */
static const char *const lawful_default[] = {"asylum_seeker", "refugee", "residence_permit",
                                             "subsidiary_protection", "stateless", NULL};

/* Action suffixes of item kinds as the published sources write them
 * (docs/formats.md, "Item kinds and action suffixes"). */
static const struct {
    const char *suffix;
    const char *action;
} action_suffixes[] = {
    {"_broken", "destroyed"},  {"_burned", "destroyed"},    {"_cut", "destroyed"},
    {"_destroyed", "destroyed"}, {"_discarded", "destroyed"}, {"_shredded", "destroyed"},
    {"_slashed", "destroyed"}, {"_smashed", "destroyed"},   {"_thrown", "destroyed"},
    {"_torn", "destroyed"},    {"_confiscated", "seized"},  {"_seized", "seized"},
    {"_stolen", "seized"},     {"_taken", "seized"},
};

static int id_valid(const char *s)
{
    size_t i, n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static const char *lang_string(json_t *obj, const char *lang)
{
    const char *s = json_string_value(json_object_get(obj, lang));
    return s && *s ? s : NULL;
}

static constat_status read_file(const char *path, char **out, size_t *len,
                                constat_error *err)
{
    FILE *f = fopen(path, "rb");
    constat_buf b;
    constat_status st;

    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    constat_buf_init(&b);
    st = constat_file_read(f, TAXONOMY_MAX_BYTES, &b, err);
    fclose(f);
    if (st != CONSTAT_OK) {
        constat_buf_free(&b);
        if (err)
            constat_error_prefix(err, "%s: ", path);
        return st;
    }
    *out = (char *)constat_buf_detach(&b, len);
    if (!*out) /* an empty file: still a C string for the parser */
        *out = calloc(1, 1);
    if (!*out)
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    return CONSTAT_OK;
}

/* ISO 4217 alphabetic code: three capital letters. */
static int currency_valid(const char *s)
{
    return s && strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           s[2] >= 'A' && s[2] <= 'Z';
}

/* "item_kinds": [{"id", "unit", "currency"?, "label": {"fr", "en"}}]. */
static constat_status load_item_kinds(constat_taxonomy *t, const char *path,
                                      constat_error *err)
{
    static const char *const allowed[] = {"id", "unit", "currency", "label", NULL};
    json_t *kinds = json_object_get(t->root, "item_kinds");
    size_t i, j, n = json_array_size(kinds);

    if (!json_is_array(kinds) || n == 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: item_kinds: must be a non-empty array", path);
    t->kinds = calloc(n, sizeof *t->kinds);
    if (!t->kinds)
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    for (i = 0; i < n; i++) {
        json_t *k = json_array_get(kinds, i), *label;
        const char *id = json_string_value(json_object_get(k, "id"));
        const char *unit = json_string_value(json_object_get(k, "unit"));
        json_t *cur = json_object_get(k, "currency");
        const char *key;
        json_t *val;
        item_kind *ik = &t->kinds[i];

        if (!json_is_object(k))
            return constat_error_set(err, CONSTAT_EINVAL, "%s: item_kinds[%zu]: must be an object",
                                     path, i);
        json_object_foreach(k, key, val) {
            const char *const *a;
            for (a = allowed; *a && strcmp(*a, key) != 0; a++)
                ;
            if (!*a)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "%s: item_kinds[%zu].%.64s: unknown field", path, i, key);
        }
        if (!id || !id_valid(id))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: item_kinds[%zu].id: must be [a-z0-9_]{1,64}", path, i);
        for (j = 0; j < i; j++)
            if (strcmp(t->kinds[j].id, id) == 0)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "%s: item_kinds[%zu]: duplicate id \"%s\"", path, i, id);
        ik->id = id;
        if (unit && strcmp(unit, "items") == 0)
            ik->unit = CONSTAT_UNIT_ITEMS;
        else if (unit && strcmp(unit, "persons") == 0)
            ik->unit = CONSTAT_UNIT_PERSONS;
        else if (unit && strcmp(unit, "currency") == 0)
            ik->unit = CONSTAT_UNIT_CURRENCY;
        else
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: item kind \"%s\": unit must be items, persons or "
                                     "currency", path, id);
        if (cur && (ik->unit != CONSTAT_UNIT_CURRENCY || !json_is_string(cur) ||
                    !currency_valid(json_string_value(cur))))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: item kind \"%s\": currency must be an ISO 4217 code "
                                     "(three capital letters) and only with unit currency",
                                     path, id);
        ik->currency = cur ? json_string_value(cur) : NULL;
        label = json_object_get(k, "label");
        ik->label_fr = lang_string(label, "fr");
        ik->label_en = lang_string(label, "en");
        if (!ik->label_fr || !ik->label_en)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: item kind \"%s\": needs a label in fr and en", path, id);
        t->nkinds = i + 1;
    }
    /* a kind that carries an action suffix would be split by the import */
    for (i = 0; i < t->nkinds; i++) {
        char base[80];
        const char *action;
        if (constat_item_kind_split(t->kinds[i].id, base, sizeof base, &action))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: item kind \"%s\": ends with an action suffix (write "
                                     "kind \"%s\"; the action goes in the record)",
                                     path, t->kinds[i].id, base);
    }
    return CONSTAT_OK;
}

/* "legal_statuses" or "vehicle_kinds" (`name`): optional; when present a
 * non-empty array of {"id", "label": {"fr", "en"}} (statuses may also say
 * "lawfully_present": true or false), ids unique. */
static constat_status load_list(constat_taxonomy *t, const char *path, const char *name,
                                int statuses, listed **out, size_t *count, constat_error *err)
{
    json_t *arr = json_object_get(t->root, name);
    size_t i, j, n = json_array_size(arr);

    *count = 0;
    if (!arr)
        return CONSTAT_OK;
    if (!json_is_array(arr) || n == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: %s: must be a non-empty array (or "
                                 "left out)", path, name);
    *out = calloc(n, sizeof **out);
    if (!*out)
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    for (i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i), *val, *law;
        const char *id = json_string_value(json_object_get(e, "id")), *key;
        listed *l = &(*out)[i];

        if (!json_is_object(e))
            return constat_error_set(err, CONSTAT_EINVAL, "%s: %s[%zu]: must be an object", path,
                                     name, i);
        json_object_foreach(e, key, val) {
            if (strcmp(key, "id") != 0 && strcmp(key, "label") != 0 &&
                !(statuses && strcmp(key, "lawfully_present") == 0))
                return constat_error_set(err, CONSTAT_EINVAL, "%s: %s[%zu].%.64s: unknown field",
                                         path, name, i, key);
        }
        if (!id || !id_valid(id))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: %s[%zu].id: must be [a-z0-9_]{1,64}", path, name, i);
        for (j = 0; j < i; j++)
            if (strcmp((*out)[j].id, id) == 0)
                return constat_error_set(err, CONSTAT_EINVAL, "%s: %s[%zu]: duplicate id \"%s\"",
                                         path, name, i, id);
        l->id = id;
        l->label_fr = lang_string(json_object_get(e, "label"), "fr");
        l->label_en = lang_string(json_object_get(e, "label"), "en");
        if (!l->label_fr || !l->label_en)
            return constat_error_set(err, CONSTAT_EINVAL, "%s: %s \"%s\": needs a label in fr and "
                                     "en", path, name, id);
        law = json_object_get(e, "lawfully_present");
        if (law && !json_is_boolean(law))
            return constat_error_set(err, CONSTAT_EINVAL, "%s: %s \"%s\": lawfully_present must "
                                     "be true or false", path, name, id);
        l->lawful = json_is_true(law);
        *count = i + 1;
    }
    return CONSTAT_OK;
}

constat_status constat_taxonomy_load(const char *path, constat_taxonomy **out,
                                     constat_error *err)
{
    char *text = NULL;
    size_t len = 0, i, j, n;
    json_t *root = NULL, *cats;
    constat_taxonomy *t = NULL;
    constat_status st;

    *out = NULL;
    if ((st = read_file(path, &text, &len, err)) != CONSTAT_OK)
        return st;
    st = constat_json_parse(text, len, path, 0, &root, err);
    if (st != CONSTAT_OK) {
        free(text);
        return st;
    }
    if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
        json_integer_value(json_object_get(root, "version")) != CONSTAT_TAXONOMY_VERSION) {
        json_decref(root);
        free(text);
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: not a version %d taxonomy (version 1 had no item kinds "
                                 "and units; docs/formats.md)",
                                 path, CONSTAT_TAXONOMY_VERSION);
    }
    cats = json_object_get(root, "categories");
    n = json_array_size(cats);
    if (!json_is_array(cats) || n == 0) {
        json_decref(root);
        free(text);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: categories: must be a non-empty array",
                                 path);
    }
    t = calloc(1, sizeof *t);
    if (t)
        t->cats = calloc(n, sizeof *t->cats);
    if (!t || !t->cats) {
        free(t);
        json_decref(root);
        free(text);
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    }
    t->root = root;
    t->text = text;
    t->text_len = len;
    for (i = 0; i < n; i++) {
        json_t *c = json_array_get(cats, i);
        const char *id = json_string_value(json_object_get(c, "id"));
        json_t *label = json_object_get(c, "label");
        json_t *desc = json_object_get(c, "description");
        if (!id || !id_valid(id)) {
            constat_taxonomy_free(t);
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "%s: categories[%zu].id: must be [a-z0-9_]{1,64}", path, i);
        }
        for (j = 0; j < i; j++)
            if (strcmp(t->cats[j].id, id) == 0) {
                /* id points into t->root: format before freeing */
                st = constat_error_set(err, CONSTAT_EINVAL,
                                       "%s: categories[%zu]: duplicate id \"%s\"", path, i, id);
                constat_taxonomy_free(t);
                return st;
            }
        t->cats[i].id = id;
        t->cats[i].label_fr = lang_string(label, "fr");
        t->cats[i].label_en = lang_string(label, "en");
        if (!t->cats[i].label_fr || !t->cats[i].label_en || !lang_string(desc, "fr") ||
            !lang_string(desc, "en")) {
            st = constat_error_set(err, CONSTAT_EINVAL,
                                   "%s: category \"%s\": needs label and description in fr and en",
                                   path, id);
            constat_taxonomy_free(t);
            return st;
        }
        t->n = i + 1;
    }
    if ((st = load_item_kinds(t, path, err)) != CONSTAT_OK ||
        (st = load_list(t, path, "legal_statuses", 1, &t->statuses, &t->nstatuses, err)) !=
            CONSTAT_OK ||
        (st = load_list(t, path, "vehicle_kinds", 0, &t->vehicles, &t->nvehicles, err)) !=
            CONSTAT_OK) {
        /* messages may quote ids inside t->root: they are formatted already */
        constat_taxonomy_free(t);
        return st;
    }
    *out = t;
    return CONSTAT_OK;
}

void constat_taxonomy_free(constat_taxonomy *t)
{
    if (!t)
        return;
    json_decref(t->root);
    free(t->text);
    free(t->cats);
    free(t->kinds);
    free(t->statuses);
    free(t->vehicles);
    free(t);
}

static const category *find(const constat_taxonomy *t, const char *id)
{
    size_t i;
    if (!t || !id)
        return NULL;
    for (i = 0; i < t->n; i++)
        if (strcmp(t->cats[i].id, id) == 0)
            return &t->cats[i];
    return NULL;
}

int constat_taxonomy_has(const constat_taxonomy *t, const char *id)
{
    return find(t, id) != NULL;
}

const char *constat_taxonomy_label(const constat_taxonomy *t, const char *id,
                                   const char *lang)
{
    const category *c = find(t, id);
    if (!c)
        return id;
    if (lang && strcmp(lang, "fr") == 0)
        return c->label_fr;
    if (lang && strcmp(lang, "en") == 0)
        return c->label_en;
    return id;
}

size_t constat_taxonomy_count(const constat_taxonomy *t)
{
    return t ? t->n : 0;
}

const char *constat_taxonomy_id(const constat_taxonomy *t, size_t i)
{
    return t && i < t->n ? t->cats[i].id : NULL;
}

static const item_kind *find_kind(const constat_taxonomy *t, const char *id)
{
    size_t i;
    if (!t || !id)
        return NULL;
    for (i = 0; i < t->nkinds; i++)
        if (strcmp(t->kinds[i].id, id) == 0)
            return &t->kinds[i];
    return NULL;
}

int constat_taxonomy_item_kind(const constat_taxonomy *t, const char *id,
                               constat_item_unit *unit, const char **currency)
{
    const item_kind *k = find_kind(t, id);
    if (!k)
        return 0;
    if (unit)
        *unit = k->unit;
    if (currency)
        *currency = k->currency;
    return 1;
}

const char *constat_taxonomy_item_label(const constat_taxonomy *t, const char *id,
                                        const char *lang)
{
    const item_kind *k = find_kind(t, id);
    if (!k)
        return id;
    if (lang && strcmp(lang, "fr") == 0)
        return k->label_fr;
    if (lang && strcmp(lang, "en") == 0)
        return k->label_en;
    return id;
}

size_t constat_taxonomy_item_count(const constat_taxonomy *t)
{
    return t ? t->nkinds : 0;
}

const char *constat_taxonomy_item_id(const constat_taxonomy *t, size_t i)
{
    return t && i < t->nkinds ? t->kinds[i].id : NULL;
}

const char *constat_item_unit_name(constat_item_unit unit)
{
    switch (unit) {
    case CONSTAT_UNIT_ITEMS:
        return "items";
    case CONSTAT_UNIT_PERSONS:
        return "persons";
    case CONSTAT_UNIT_CURRENCY:
        return "currency";
    }
    return "items";
}

int constat_item_kind_split(const char *kind, char *base, size_t cap, const char **action)
{
    size_t n, i;

    if (!kind)
        return 0;
    n = strlen(kind);
    for (i = 0; i < sizeof action_suffixes / sizeof *action_suffixes; i++) {
        size_t sl = strlen(action_suffixes[i].suffix);
        if (n > sl && strcmp(kind + n - sl, action_suffixes[i].suffix) == 0) {
            if (n - sl >= cap)
                return 0;
            memcpy(base, kind, n - sl);
            base[n - sl] = 0;
            if (action)
                *action = action_suffixes[i].action;
            return 1;
        }
    }
    return 0;
}

/* ---- legal statuses and vehicle kinds ---- */

static const listed *find_listed(const listed *l, size_t n, const char *id)
{
    for (size_t i = 0; l && id && i < n; i++)
        if (strcmp(l[i].id, id) == 0)
            return &l[i];
    return NULL;
}

static const char *listed_label(const listed *e, const char *id, const char *lang)
{
    if (e && lang && strcmp(lang, "fr") == 0)
        return e->label_fr;
    if (e && lang && strcmp(lang, "en") == 0)
        return e->label_en;
    return id;
}

size_t constat_taxonomy_status_count(const constat_taxonomy *t)
{
    return t ? t->nstatuses : 0;
}

const char *constat_taxonomy_status_id(const constat_taxonomy *t, size_t i)
{
    return t && i < t->nstatuses ? t->statuses[i].id : NULL;
}

int constat_taxonomy_has_status(const constat_taxonomy *t, const char *id)
{
    return t && find_listed(t->statuses, t->nstatuses, id) != NULL;
}

const char *constat_taxonomy_status_label(const constat_taxonomy *t, const char *id,
                                          const char *lang)
{
    return listed_label(t ? find_listed(t->statuses, t->nstatuses, id) : NULL, id, lang);
}

int constat_taxonomy_lawfully_present(const constat_taxonomy *t, const char *id)
{
    const listed *e;
    if (!id)
        return 0;
    if (!t || t->nstatuses == 0) {
        for (size_t i = 0; lawful_default[i]; i++)
            if (strcmp(lawful_default[i], id) == 0)
                return 1;
        return 0;
    }
    e = find_listed(t->statuses, t->nstatuses, id);
    return e && e->lawful;
}

const char *constat_taxonomy_lawful_status(const constat_taxonomy *t, size_t i)
{
    if (!t || t->nstatuses == 0) {
        for (size_t k = 0; lawful_default[k]; k++)
            if (k == i)
                return lawful_default[k];
        return NULL;
    }
    for (size_t k = 0; k < t->nstatuses; k++)
        if (t->statuses[k].lawful && i-- == 0)
            return t->statuses[k].id;
    return NULL;
}

size_t constat_taxonomy_vehicle_count(const constat_taxonomy *t)
{
    return t ? t->nvehicles : 0;
}

const char *constat_taxonomy_vehicle_id(const constat_taxonomy *t, size_t i)
{
    return t && i < t->nvehicles ? t->vehicles[i].id : NULL;
}

int constat_taxonomy_has_vehicle(const constat_taxonomy *t, const char *id)
{
    return t && find_listed(t->vehicles, t->nvehicles, id) != NULL;
}

const char *constat_taxonomy_vehicle_label(const constat_taxonomy *t, const char *id,
                                           const char *lang)
{
    return listed_label(t ? find_listed(t->vehicles, t->nvehicles, id) : NULL, id, lang);
}

const char *constat_taxonomy_bytes(const constat_taxonomy *t, size_t *len)
{
    if (len)
        *len = t ? t->text_len : 0;
    return t ? t->text : NULL;
}
