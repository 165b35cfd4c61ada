/* disclosure.c — selective disclosure of private fields: writing the values
 * and salts of chosen records and fields (in clear or sealed to a
 * recipient's X25519 key), and checking each revealed value against the
 * salted commitment of the signed leaf in a dossier (docs/dossier.md
 * "Selective disclosure"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/base/file.h"
#include "constat/base/hash.h"
#include "constat/dossier/disclosure.h"
#include "constat/dossier/format.h"
#include "constat/dossier/verify.h"
#include "constat/record/canon.h"
#include "constat/record/record.h"

#define KEY_FILE_MAX 1024u

/* ---- recipient keys ---- */

/* Write `line` to a new file `path` with `mode`, O_EXCL, fsync'd. */
static constat_status write_new(const char *path, const char *line, mode_t mode,
                                constat_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    size_t len = strlen(line);
    if (fd < 0)
        return constat_error_set(err, errno == EEXIST ? CONSTAT_ECONFLICT : CONSTAT_EIO,
                                 "%s: %s", path, errno == EEXIST ? "already exists, not "
                                 "overwritten" : strerror(errno));
    if (fchmod(fd, mode) != 0 || write(fd, line, len) != (ssize_t)len || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    if (close(fd) != 0) {
        unlink(path);
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot write", path);
    }
    return CONSTAT_OK;
}

constat_status constat_recipient_new(const char *pub_path, const char *key_path,
                                     constat_error *err)
{
    uint8_t pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    char line[160], b64[64];
    constat_status st;
    struct stat sb;

    if (lstat(pub_path, &sb) == 0)
        return constat_error_set(err, CONSTAT_ECONFLICT, "%s: already exists, not overwritten",
                                 pub_path);
    crypto_box_keypair(pk, sk);
    constat_base64(sk, sizeof sk, b64);
    snprintf(line, sizeof line, "%s %s\n", CONSTAT_RECIPIENT_KEY_TAG, b64);
    st = write_new(key_path, line, 0600, err);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(line, sizeof line);
    sodium_memzero(b64, sizeof b64);
    if (st != CONSTAT_OK)
        return st;
    constat_base64(pk, sizeof pk, b64);
    snprintf(line, sizeof line, "%s %s\n", CONSTAT_RECIPIENT_PUB_TAG, b64);
    if ((st = write_new(pub_path, line, 0644, err)) != CONSTAT_OK)
        unlink(key_path);
    return st;
}

/* "<tag> <base64 of 32 bytes>" with an optional final newline, into out. */
static constat_status parse_key_line(const char *text, size_t len, const char *tag,
                                     const char *what, uint8_t out[32], constat_error *err)
{
    size_t tl = strlen(tag), n = len;
    size_t got = 0;

    if (n > 0 && text[n - 1] == '\n')
        n--;
    if (n < tl + 2 || memcmp(text, tag, tl) != 0 || text[tl] != ' ' ||
        memchr(text, '\n', n) != NULL)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a line \"%s <base64 key>\"",
                                 what, tag);
    if (constat_unbase64(text + tl + 1, n - tl - 1, out, 32, &got) != CONSTAT_OK || got != 32)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: the key is not the base64 of 32 bytes", what);
    return CONSTAT_OK;
}

constat_status constat_recipient_parse_pub(const char *text, size_t len, const char *what,
                                           constat_recipient *r, constat_error *err)
{
    memset(r, 0, sizeof *r);
    return parse_key_line(text, len, CONSTAT_RECIPIENT_PUB_TAG, what, r->pk, err);
}

/* Read a small file whole into b (reset first). */
static constat_status read_small(const char *path, size_t max, constat_buf *b,
                                 constat_error *err)
{
    FILE *f = fopen(path, "rb");
    constat_status st;

    constat_buf_reset(b);
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    st = constat_file_read(f, max, b, err);
    fclose(f);
    if (st != CONSTAT_OK)
        return constat_error_prefix(err, "%s: ", path);
    return CONSTAT_OK;
}

constat_status constat_recipient_load_pub(const char *path, constat_recipient *r,
                                          constat_error *err)
{
    constat_buf b;
    constat_status st;

    constat_buf_init(&b);
    memset(r, 0, sizeof *r);
    if ((st = read_small(path, KEY_FILE_MAX, &b, err)) == CONSTAT_OK)
        st = constat_recipient_parse_pub((const char *)b.data, b.len, path, r, err);
    constat_buf_free(&b);
    return st;
}

constat_status constat_recipient_load_key(const char *path, constat_recipient *r,
                                          constat_error *err)
{
    constat_buf b;
    constat_status st;
    size_t tl = strlen(CONSTAT_RECIPIENT_PUB_TAG);

    constat_buf_init(&b);
    memset(r, 0, sizeof *r);
    if ((st = read_small(path, KEY_FILE_MAX, &b, err)) == CONSTAT_OK) {
        if (b.len > tl && memcmp(b.data, CONSTAT_RECIPIENT_PUB_TAG " ", tl + 1) == 0)
            st = constat_error_set(err, CONSTAT_EINVAL, "%s: is a recipient PUBLIC key; the "
                                   "secret key file (.key) is needed to open a disclosure",
                                   path);
        else
            st = parse_key_line((const char *)b.data, b.len, CONSTAT_RECIPIENT_KEY_TAG, path,
                                r->sk, err);
    }
    if (st == CONSTAT_OK && crypto_scalarmult_base(r->pk, r->sk) != 0)
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: not a usable X25519 key", path);
    sodium_memzero(b.data, b.cap);
    constat_buf_free(&b);
    if (st != CONSTAT_OK)
        sodium_memzero(r, sizeof *r);
    return st;
}

/* ---- writing ---- */

/* The commitment a record's leaf carries for `field` (an incident's
 * private.<field>, or a correction's replacement.private.<field>), or NULL. */
static const char *commitment_of(const json_t *record, const char *field)
{
    const json_t *p = json_object_get(record, "private");
    const json_t *c = p ? json_object_get(p, field) : NULL;
    if (!c) {
        p = json_object_get(json_object_get(record, "replacement"), "private");
        c = p ? json_object_get(p, field) : NULL;
    }
    return json_string_value(c);
}

/* "it commits to: a, b" (the private fields a disclosure can reveal), or
 * "it commits to no private field", into out (NUL-terminated, truncated). */
static void committed_fields(const json_t *record, char *out, size_t cap)
{
    const json_t *p = json_object_get(record, "private");
    const char *k;
    const json_t *val;
    size_t n = 0;
    int first = 1;

    if (!json_object_size(p))
        p = json_object_get(json_object_get(record, "replacement"), "private");
    if (!json_object_size(p)) {
        snprintf(out, cap, "it commits to no private field");
        return;
    }
    n = (size_t)snprintf(out, cap, "it commits to:");
    json_object_foreach((json_t *)p, k, val) {
        (void)val;
        if (n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s %s", first ? "" : ",", k);
        first = 0;
    }
}

/* 1 if the salt (hex) and value recompute `commitment` (hex) for `field`. */
static int commitment_matches(const char *field, const char *salt_hex, const json_t *value,
                              const char *commitment)
{
    uint8_t salt[CONSTAT_SALT_SIZE], h[32];
    char hex[65];
    constat_error e;

    if (!salt_hex || !commitment || strlen(salt_hex) != 2 * CONSTAT_SALT_SIZE ||
        constat_unhex(salt_hex, salt, sizeof salt) != CONSTAT_OK ||
        constat_record_commit(field, value, salt, h, &e) != CONSTAT_OK)
        return 0;
    constat_hex(h, 32, hex);
    return strcmp(hex, commitment) == 0;
}

/* The items of one record, appended to `items`. */
static constat_status record_items(constat_vault *v, const char *id,
                                   const char *const *fields, size_t nfields, json_t *items,
                                   constat_error *err)
{
    uint64_t idx;
    constat_buf leaf;
    constat_leaf l;
    json_t *priv = NULL;
    uint8_t h[32];
    char hash_hex[65];
    size_t added = 0;
    constat_status st;

    if ((st = constat_vault_find(v, id, &idx, err)) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "record \"%s\" is not in the log",
                                 id);
    constat_buf_init(&leaf);
    memset(&l, 0, sizeof l);
    if ((st = constat_vault_leaf(v, idx, &leaf, err)) != CONSTAT_OK ||
        (st = constat_leaf_parse(leaf.data, leaf.len, &l, err)) != CONSTAT_OK)
        goto out;
    {
        constat_sha256_ctx c;
        uint8_t zero = 0;
        constat_sha256_init(&c);
        constat_sha256_update(&c, &zero, 1);
        constat_sha256_update(&c, leaf.data, leaf.len);
        constat_sha256_final(&c, h);
    }
    constat_hex(h, 32, hash_hex);
    if ((st = constat_vault_private(v, id, &priv, err)) != CONSTAT_OK)
        goto out;
    for (size_t i = 0; i < nfields; i++) {
        const char *commitment = commitment_of(l.record, fields[i]);
        json_t *pv = priv ? json_object_get(priv, fields[i]) : NULL;
        const char *salt = json_string_value(json_object_get(pv, "salt"));
        json_t *value = json_object_get(pv, "value");
        if (!commitment)
            continue;
        if (!pv || !salt || !value) {
            st = constat_error_set(err, CONSTAT_ENOTFOUND,
                                   "record \"%s\" (leaf %llu) commits to %s but the vault "
                                   "holds no value for it (erased?)", id,
                                   (unsigned long long)idx, fields[i]);
            goto out;
        }
        if (!commitment_matches(fields[i], salt, value, commitment)) {
            st = constat_error_set(err, CONSTAT_EVERIFY,
                                   "record \"%s\" (leaf %llu): the stored value of %s does "
                                   "not match the commitment in its leaf: the vault is "
                                   "damaged", id, (unsigned long long)idx, fields[i]);
            goto out;
        }
        if (json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s, s:s, s:O}", "record",
                                                   id, "leaf_index", (json_int_t)idx,
                                                   "leaf_hash", hash_hex, "field", fields[i],
                                                   "salt", salt, "value", value)) != 0) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            goto out;
        }
        added++;
    }
    if (added == 0) {
        char have[256];
        committed_fields(l.record, have, sizeof have);
        st = constat_error_set(err, CONSTAT_ENOTFOUND,
                               "record \"%s\" (leaf %llu) commits to none of the fields asked "
                               "for; %s", id, (unsigned long long)idx, have);
    }
out:
    json_decref(priv);
    constat_leaf_free(&l);
    constat_buf_free(&leaf);
    return st;
}

/* Write `data` to dir/name (new file, 0600). */
static constat_status put_file(const char *dir, const char *name, const void *data,
                               size_t len, constat_error *err)
{
    char path[PATH_MAX];
    int fd;

    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    if (write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
        close(fd);
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot write", path);
    }
    if (close(fd) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot write", path);
    return CONSTAT_OK;
}

static void remove_tmp(const char *dir)
{
    static const char *const names[] = {CONSTAT_DISCLOSURE_CLEAR, CONSTAT_DISCLOSURE_SEALED,
                                        CONSTAT_DISCLOSURE_RECIPIENT};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The folder's files from the canonical bytes `doc`. */
static constat_status write_folder(const char *tmp, const constat_buf *doc,
                                   const constat_recipient *to, constat_error *err)
{
    constat_status st;
    uint8_t *sealed;
    char line[160], b64[64];

    if (!to)
        return put_file(tmp, CONSTAT_DISCLOSURE_CLEAR, doc->data, doc->len, err);
    if (!(sealed = malloc(doc->len + crypto_box_SEALBYTES)))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (crypto_box_seal(sealed, doc->data, doc->len, to->pk) != 0) {
        free(sealed);
        return constat_error_set(err, CONSTAT_ECRYPTO, "cannot seal to the recipient key");
    }
    st = put_file(tmp, CONSTAT_DISCLOSURE_SEALED, sealed, doc->len + crypto_box_SEALBYTES,
                  err);
    free(sealed);
    if (st != CONSTAT_OK)
        return st;
    constat_base64(to->pk, 32, b64);
    snprintf(line, sizeof line, "%s %s\n", CONSTAT_RECIPIENT_PUB_TAG, b64);
    return put_file(tmp, CONSTAT_DISCLOSURE_RECIPIENT, line, strlen(line), err);
}

constat_status constat_disclosure_write(constat_vault *v, const char *const *records,
                                        size_t nrecords, const char *const *fields,
                                        size_t nfields, const constat_recipient *to,
                                        const char *out_dir, size_t *nitems,
                                        constat_error *err)
{
    json_t *doc = NULL, *items;
    constat_buf bytes;
    constat_status st = CONSTAT_OK;
    char tmp[PATH_MAX], clean[PATH_MAX];
    struct stat sb;
    size_t ol = out_dir ? strlen(out_dir) : 0;

    if (nitems)
        *nitems = 0;
    /* "disc/" names the folder disc, as the dossier and report writers take it */
    while (ol > 1 && out_dir[ol - 1] == '/')
        ol--;
    if (ol == 0 || ol >= sizeof clean)
        return constat_error_set(err, CONSTAT_EINVAL, "disclosure folder: %s",
                                 ol ? "path too long" : "none given");
    memcpy(clean, out_dir, ol);
    clean[ol] = '\0';
    out_dir = clean;
    if (nrecords == 0 || nfields == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "no %s given",
                                 nrecords == 0 ? "record" : "field");
    for (size_t i = 0; i < nfields; i++) {
        if (!fields[i][0])
            return constat_error_set(err, CONSTAT_EINVAL, "an empty field name");
        for (size_t j = 0; j < i; j++)
            if (strcmp(fields[i], fields[j]) == 0)
                return constat_error_set(err, CONSTAT_EINVAL, "field %s given twice",
                                         fields[i]);
    }
    if (lstat(out_dir, &sb) == 0)
        return constat_error_set(err, CONSTAT_ECONFLICT, "%s: already exists; a disclosure "
                                 "is written into a new folder", out_dir);
    if (!(items = json_array()))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; i < nrecords && st == CONSTAT_OK; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(records[i], records[j]) == 0) {
                st = constat_error_set(err, CONSTAT_EINVAL, "record %s given twice",
                                       records[i]);
                break;
            }
        if (st == CONSTAT_OK)
            st = record_items(v, records[i], fields, nfields, items, err);
    }
    if (st != CONSTAT_OK) {
        json_decref(items);
        return st;
    }
    doc = json_pack("{s:i, s:s, s:s, s:s, s:o}", "v", 1, "kind", "constat-disclosure",
                    "origin", constat_vault_origin(v), "org", constat_vault_org(v), "items",
                    items);
    constat_buf_init(&bytes);
    if (!doc)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    else
        st = constat_canon(doc, &bytes, err);
    if (st == CONSTAT_OK &&
        (size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out_dir) >= sizeof tmp)
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", out_dir);
    if (st == CONSTAT_OK && !mkdtemp(tmp))
        st = constat_error_set(err, CONSTAT_EIO, "%s: cannot create a folder beside it: %s",
                               out_dir, strerror(errno));
    else if (st == CONSTAT_OK) {
        st = write_folder(tmp, &bytes, to, err);
        if (st == CONSTAT_OK && rename(tmp, out_dir) != 0)
            st = constat_error_set(err, CONSTAT_EIO, "%s: cannot rename into place: %s",
                                   out_dir, strerror(errno));
        if (st != CONSTAT_OK)
            remove_tmp(tmp);
    }
    if (st == CONSTAT_OK && nitems)
        *nitems = json_array_size(items);
    sodium_memzero(bytes.data, bytes.cap);
    constat_buf_free(&bytes);
    json_decref(doc);
    return st;
}

/* ---- parsing ---- */

/* `o` has exactly the members of `names` (NULL-terminated). */
static int exact_members(const json_t *o, const char *const *names)
{
    size_t n = 0;
    for (; names[n]; n++)
        if (!json_object_get(o, names[n]))
            return 0;
    return json_object_size(o) == n;
}

static int is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static constat_status check_item(const json_t *it, size_t i, constat_error *err)
{
    static const char *const names[] = {"record", "leaf_index", "leaf_hash", "field",
                                        "salt", "value", NULL};
    const json_t *idx = json_object_get(it, "leaf_index");

    if (!json_is_object(it) || !exact_members(it, names))
        return constat_error_set(err, CONSTAT_EINVAL, "items[%zu]: must hold exactly record, "
                                 "leaf_index, leaf_hash, field, salt and value", i);
    if (!json_is_string(json_object_get(it, "record")) ||
        !json_string_value(json_object_get(it, "record"))[0])
        return constat_error_set(err, CONSTAT_EINVAL, "items[%zu].record: not a record id", i);
    if (!json_is_string(json_object_get(it, "field")) ||
        !json_string_value(json_object_get(it, "field"))[0])
        return constat_error_set(err, CONSTAT_EINVAL, "items[%zu].field: not a field name", i);
    if (!json_is_integer(idx) || json_integer_value(idx) < 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "items[%zu].leaf_index: not a non-negative integer", i);
    if (!is_hex(json_string_value(json_object_get(it, "leaf_hash")), 64))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "items[%zu].leaf_hash: not 64 lowercase hex digits", i);
    if (!is_hex(json_string_value(json_object_get(it, "salt")), 2 * CONSTAT_SALT_SIZE))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "items[%zu].salt: not 32 lowercase hex digits", i);
    return CONSTAT_OK;
}

constat_status constat_disclosure_parse(const char *text, size_t len, json_t **out,
                                        constat_error *err)
{
    static const char *const names[] = {"v", "kind", "origin", "org", "items", NULL};
    json_t *o = NULL, *items;
    constat_status st;

    *out = NULL;
    if (len > CONSTAT_DISCLOSURE_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT, "larger than %u bytes",
                                 CONSTAT_DISCLOSURE_MAX);
    if ((st = constat_json_parse(text, len, CONSTAT_DISCLOSURE_CLEAR, 0, &o, err)) !=
        CONSTAT_OK)
        return st;
    items = json_object_get(o, "items");
    if (!json_is_object(o) || !exact_members(o, names))
        st = constat_error_set(err, CONSTAT_EINVAL, "must be an object with exactly v, kind, "
                               "origin, org and items");
    else if (!json_is_integer(json_object_get(o, "v")) ||
             json_integer_value(json_object_get(o, "v")) != 1)
        st = constat_error_set(err, CONSTAT_EINVAL, "v: must be 1");
    else if (!json_is_string(json_object_get(o, "kind")) ||
             strcmp(json_string_value(json_object_get(o, "kind")), "constat-disclosure") != 0)
        st = constat_error_set(err, CONSTAT_EINVAL, "kind: must be \"constat-disclosure\"");
    else if (!json_is_string(json_object_get(o, "origin")) ||
             !json_is_string(json_object_get(o, "org")))
        st = constat_error_set(err, CONSTAT_EINVAL, "origin and org must be strings");
    else if (!json_is_array(items) || json_array_size(items) == 0)
        st = constat_error_set(err, CONSTAT_EINVAL, "items: must be a non-empty array");
    else if (json_array_size(items) > CONSTAT_DISCLOSURE_MAX_ITEMS)
        st = constat_error_set(err, CONSTAT_ELIMIT, "items: more than %u",
                               CONSTAT_DISCLOSURE_MAX_ITEMS);
    for (size_t i = 0; st == CONSTAT_OK && i < json_array_size(items); i++)
        st = check_item(json_array_get(items, i), i, err);
    if (st != CONSTAT_OK) {
        json_decref(o);
        return st;
    }
    *out = o;
    return CONSTAT_OK;
}

/* ---- verifying ---- */

/* One leaf of the dossier: its index, hash (hex) and record. */
struct dleaf {
    uint64_t index;
    char hash[65];
    json_t *record;
};

struct dossier_leaves {
    struct dleaf *v;
    size_t n;
};

static void leaves_free(struct dossier_leaves *d)
{
    for (size_t i = 0; i < d->n; i++)
        json_decref(d->v[i].record);
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

/* records.jsonl and proofs.jsonl of the dossier, line by line. */
static constat_status load_leaves(const char *dossier, struct dossier_leaves *d,
                                  constat_error *err)
{
    char rp[PATH_MAX], pp[PATH_MAX];
    constat_buf rb, pb;
    constat_status st;
    size_t ro = 0, po = 0, line = 0;

    memset(d, 0, sizeof *d);
    snprintf(rp, sizeof rp, "%s/records.jsonl", dossier);
    snprintf(pp, sizeof pp, "%s/proofs.jsonl", dossier);
    constat_buf_init(&rb);
    constat_buf_init(&pb);
    if ((st = read_small(rp, (size_t)CONSTAT_DOSSIER_MAX_RECORDS * 1024u, &rb, err)) !=
            CONSTAT_OK ||
        (st = read_small(pp, (size_t)CONSTAT_DOSSIER_MAX_RECORDS * 1024u, &pb, err)) !=
            CONSTAT_OK)
        goto out;
    while (ro < rb.len && st == CONSTAT_OK) {
        const char *r = (const char *)rb.data + ro, *p = (const char *)pb.data + po;
        const char *re = memchr(r, '\n', rb.len - ro);
        const char *pe = po < pb.len ? memchr(p, '\n', pb.len - po) : NULL;
        constat_dossier_proof_line pl;
        constat_leaf l;
        struct dleaf *grown;
        line++;
        if (!re || !pe) {
            st = constat_error_set(err, CONSTAT_EINVAL, "%s line %zu: %s", re ? pp : rp, line,
                                   re ? "missing (fewer proofs than records)"
                                      : "no final newline");
            break;
        }
        if ((st = constat_dossier_proof_line_parse(p, (size_t)(pe - p), &pl, err)) !=
            CONSTAT_OK) {
            constat_error_prefix(err, "%s line %zu: ", pp, line);
            break;
        }
        if ((st = constat_leaf_parse((const uint8_t *)r, (size_t)(re - r), &l, err)) !=
            CONSTAT_OK) {
            constat_error_prefix(err, "%s line %zu: ", rp, line);
            break;
        }
        if (!(grown = realloc(d->v, (d->n + 1) * sizeof *d->v))) {
            constat_leaf_free(&l);
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            break;
        }
        d->v = grown;
        d->v[d->n].index = pl.index;
        constat_hex(pl.leaf_hash, 32, d->v[d->n].hash);
        d->v[d->n].record = json_incref(l.record);
        d->n++;
        constat_leaf_free(&l);
        ro = (size_t)(re - (const char *)rb.data) + 1;
        po = (size_t)(pe - (const char *)pb.data) + 1;
    }
out:
    constat_buf_free(&rb);
    constat_buf_free(&pb);
    if (st != CONSTAT_OK)
        leaves_free(d);
    return st;
}

static const struct dleaf *find_by_id(const struct dossier_leaves *d, const char *id)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(json_string_value(json_object_get(d->v[i].record, "id")) ? json_string_value(json_object_get(d->v[i].record, "id")) : "", id) == 0)
            return &d->v[i];
    return NULL;
}

static const struct dleaf *find_by_hash(const struct dossier_leaves *d, const char *hash)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].hash, hash) == 0)
            return &d->v[i];
    return NULL;
}

/* Judge one item; fills why (cap bytes) for every state but MATCH. */
static constat_disclosed_state judge(const struct dossier_leaves *d, const json_t *it,
                                     const struct dleaf **leaf, char *why, size_t cap)
{
    const char *id = json_string_value(json_object_get(it, "record"));
    const char *field = json_string_value(json_object_get(it, "field"));
    const char *hash = json_string_value(json_object_get(it, "leaf_hash"));
    const struct dleaf *l = find_by_id(d, id), *other;
    const char *commitment;

    why[0] = '\0';
    *leaf = l;
    if (!l) {
        snprintf(why, cap, "record %s is not in this dossier", id);
        return CONSTAT_DISCLOSED_NOT_IN_DOSSIER;
    }
    if (strcmp(l->hash, hash) != 0) {
        other = find_by_hash(d, hash);
        if (other)
            snprintf(why, cap, "the disclosure was made for another record: its leaf hash is "
                     "that of leaf %llu (record %s), not of leaf %llu",
                     (unsigned long long)other->index,
                     json_is_string(json_object_get(other->record, "id"))
                         ? json_string_value(json_object_get(other->record, "id"))
                         : "?",
                     (unsigned long long)l->index);
        else
            snprintf(why, cap, "the disclosure was made for another record: leaf hash %.16s... "
                     "is not that of leaf %llu (%.16s...) nor of any leaf of this dossier",
                     hash, (unsigned long long)l->index, l->hash);
        return CONSTAT_DISCLOSED_OTHER_RECORD;
    }
    if (!(commitment = commitment_of(l->record, field))) {
        snprintf(why, cap, "the signed record (leaf %llu) commits to no private field %s",
                 (unsigned long long)l->index, field);
        return CONSTAT_DISCLOSED_NO_COMMITMENT;
    }
    if (!commitment_matches(field, json_string_value(json_object_get(it, "salt")),
                            json_object_get(it, "value"), commitment)) {
        snprintf(why, cap, "the revealed value and salt do not recompute the commitment %.16s... "
                 "signed in leaf %llu: this is not the value the monitor recorded",
                 commitment, (unsigned long long)l->index);
        return CONSTAT_DISCLOSED_MISMATCH;
    }
    return CONSTAT_DISCLOSED_MATCH;
}

/* The disclosure's clear bytes: disclosure.json, or disclosure.sealed
 * opened with `key`. */
static constat_status read_disclosure(const char *dir, const constat_recipient *key,
                                      constat_buf *out, constat_error *err)
{
    char path[PATH_MAX];
    constat_buf sealed;
    constat_status st;

    snprintf(path, sizeof path, "%s/%s", dir, CONSTAT_DISCLOSURE_CLEAR);
    st = read_small(path, CONSTAT_DISCLOSURE_MAX, out, err);
    if (st != CONSTAT_ENOTFOUND)
        return st;
    snprintf(path, sizeof path, "%s/%s", dir, CONSTAT_DISCLOSURE_SEALED);
    constat_buf_init(&sealed);
    st = read_small(path, CONSTAT_DISCLOSURE_MAX + crypto_box_SEALBYTES, &sealed, err);
    if (st == CONSTAT_ENOTFOUND)
        st = constat_error_set(err, CONSTAT_ENOTFOUND, "%s: holds neither %s nor %s", dir,
                               CONSTAT_DISCLOSURE_CLEAR, CONSTAT_DISCLOSURE_SEALED);
    else if (st == CONSTAT_OK && !key)
        st = constat_error_set(err, CONSTAT_ECRYPTO, "%s: cannot decrypt: the disclosure is "
                               "sealed to a recipient; give the recipient's secret key with "
                               "--key", path);
    else if (st == CONSTAT_OK && sealed.len <= crypto_box_SEALBYTES)
        st = constat_error_set(err, CONSTAT_ECRYPTO, "%s: cannot decrypt: too short to be "
                               "sealed (truncated?)", path);
    else if (st == CONSTAT_OK) {
        size_t n = sealed.len - crypto_box_SEALBYTES;
        constat_buf_reset(out);
        if ((st = constat_buf_reserve(out, n)) != CONSTAT_OK)
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        else if (crypto_box_seal_open(out->data, sealed.data, sealed.len, key->pk, key->sk) !=
                 0)
            st = constat_error_set(err, CONSTAT_ECRYPTO, "%s: cannot decrypt with this key: "
                                   "sealed to another recipient, or the file was changed",
                                   path);
        else
            out->len = n;
    }
    constat_buf_free(&sealed);
    return st;
}

constat_status constat_disclosure_verify(const char *dossier_dir, const char *disclosure_dir,
                                         const constat_recipient *key, constat_disclosed_fn fn,
                                         void *ctx, size_t *matched, size_t *failed,
                                         constat_error *err)
{
    struct dossier_leaves d;
    constat_buf clear;
    json_t *doc = NULL, *items, *it;
    constat_status st;
    size_t i, ok = 0, bad = 0;
    char why[600], mpath[PATH_MAX];

    if (matched)
        *matched = 0;
    if (failed)
        *failed = 0;
    constat_buf_init(&clear);
    if ((st = read_disclosure(disclosure_dir, key, &clear, err)) != CONSTAT_OK) {
        constat_buf_free(&clear);
        return st;
    }
    st = constat_disclosure_parse((const char *)clear.data, clear.len, &doc, err);
    sodium_memzero(clear.data, clear.cap);
    constat_buf_free(&clear);
    if (st != CONSTAT_OK)
        return constat_error_prefix(err, "%s: ", disclosure_dir);
    if ((st = load_leaves(dossier_dir, &d, err)) != CONSTAT_OK) {
        json_decref(doc);
        return st;
    }
    items = json_object_get(doc, "items");
    json_array_foreach(items, i, it) {
        const struct dleaf *l;
        constat_disclosed_state s = judge(&d, it, &l, why, sizeof why);
        if (s == CONSTAT_DISCLOSED_MATCH)
            ok++;
        else
            bad++;
        if (fn)
            fn(ctx, json_string_value(json_object_get(it, "record")),
               json_string_value(json_object_get(it, "field")), l ? (int64_t)l->index : -1, s,
               json_object_get(it, "value"), why);
    }
    leaves_free(&d);
    /* the disclosure names its log: another log's disclosure is refused even
     * if record ids happen to agree */
    snprintf(mpath, sizeof mpath, "%s/checkpoint", dossier_dir);
    {
        constat_buf cp;
        const char *origin = json_string_value(json_object_get(doc, "origin"));
        size_t ol = strlen(origin);
        constat_buf_init(&cp);
        if (read_small(mpath, 16384, &cp, err) == CONSTAT_OK &&
            (cp.len <= ol || memcmp(cp.data, origin, ol) != 0 || cp.data[ol] != '\n')) {
            bad++;
            if (fn) {
                snprintf(why, sizeof why, "the disclosure is for log %s, not for this "
                         "dossier's log", origin);
                fn(ctx, "", "origin", -1, CONSTAT_DISCLOSED_OTHER_RECORD, NULL, why);
            }
        }
        constat_buf_free(&cp);
    }
    json_decref(doc);
    if (matched)
        *matched = ok;
    if (failed)
        *failed = bad;
    if (bad)
        return constat_error_set(err, CONSTAT_EVERIFY, "%zu of %zu revealed field(s) do not "
                                 "match the signed records", bad, ok + bad);
    return CONSTAT_OK;
}
