/*
 * taxonomy.c — the incident categories (data/taxonomy/calais.json).
 *
 * The file is checked whole on load (ids well formed and unique, both
 * labels present) so that record validation can trust it. Strings are
 * borrowed from the parsed jansson value, which the taxonomy keeps alive.
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

struct constat_taxonomy {
    json_t *root;
    size_t n;
    category *cats;
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
    free(text);
    if (st != CONSTAT_OK)
        return st;
    if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
        json_integer_value(json_object_get(root, "version")) != 1) {
        json_decref(root);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a version 1 taxonomy", path);
    }
    cats = json_object_get(root, "categories");
    n = json_array_size(cats);
    if (!json_is_array(cats) || n == 0) {
        json_decref(root);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: categories: must be a non-empty array",
                                 path);
    }
    t = calloc(1, sizeof *t);
    if (t)
        t->cats = calloc(n, sizeof *t->cats);
    if (!t || !t->cats) {
        free(t);
        json_decref(root);
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    }
    t->root = root;
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
    *out = t;
    return CONSTAT_OK;
}

void constat_taxonomy_free(constat_taxonomy *t)
{
    if (!t)
        return;
    json_decref(t->root);
    free(t->cats);
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
