/*
 * sealing.c — recipients, sealing an existing vault in place, changing the
 * passphrase (sealing.h, docs/vault.md "Sealed at rest").
 *
 * The migration is made of steps each of which leaves the vault whole:
 * private values are re-sealed one transaction per batch (a batch either
 * lands or not); an evidence file is sealed into ".seal-<hex>" beside it,
 * fsync'd and re-hashed, its clear copy hard-linked as ".plain-<hex>", the
 * sealed one renamed over <hex> (one atomic rename), and only then the clear
 * link overwritten with zeros and removed. A run finds the leftovers of an
 * interrupted one by those names and finishes or undoes them.
 */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/vault/sealing.h"
#include "constat/base/file.h"
#include "constat/base/hash.h"
#include "vault/keyfile.h"
#include "vault/org_keys.h"
#include "vault/log_keys.h"
#include "vault/store.h"

#define BATCH 256
#define EVIDENCE_DIR "evidence/sha256" /* CONSTAT_EVIDENCE_DIR, evidence.h */

static constat_status nomem(constat_error *err)
{
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

/* ---- recipients ---- */

constat_status constat_vault_recipient_add(constat_vault *v, const char *name,
                                           const uint8_t pk[CONSTAT_SEAL_PK], constat_error *err)
{
    constat_store *s = constat_vault_store(v);
    const constat_seal_keys *k;
    constat_buf b;
    json_t *o = NULL;
    char b64[64], *text = NULL;
    constat_status st;

    if (!constat_seal_name_valid(name))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "recipient name \"%.80s\": 1-%d characters of [A-Za-z0-9._-], "
                                 "not starting with '.' or '-', not \"org\"",
                                 name ? name : "", CONSTAT_SEAL_NAME_MAX);
    st = constat_store_begin(s, err);
    if (st != CONSTAT_OK)
        return st;
    /* re-read inside the write lock: another process may have added one */
    st = constat_vault_seal_reload(v, err);
    k = constat_vault_seal_keys(v);
    for (size_t i = 0; st == CONSTAT_OK && i < k->n; i++) {
        if (strcmp(k->names[i], name) == 0)
            st = constat_error_set(err, CONSTAT_ECONFLICT, "recipient \"%s\" already exists",
                                   name);
        else if (sodium_memcmp(k->pk[i], pk, CONSTAT_SEAL_PK) == 0)
            st = constat_error_set(err, CONSTAT_ECONFLICT,
                                   "that key is already a recipient (\"%s\")", k->names[i]);
    }
    if (st == CONSTAT_OK && k->n >= CONSTAT_SEAL_MAX_RECIPIENTS)
        st = constat_error_set(err, CONSTAT_ELIMIT, "already %d recipients",
                               CONSTAT_SEAL_MAX_RECIPIENTS - 1);
    constat_buf_init(&b);
    if (st == CONSTAT_OK) {
        constat_status g = constat_store_meta_get(s, "recipients", &b, err);
        if (g == CONSTAT_OK)
            o = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
        else if (g == CONSTAT_ENOTFOUND)
            o = json_object();
        else
            st = g;
        if (st == CONSTAT_OK && !json_is_object(o))
            st = constat_error_set(err, CONSTAT_EIO, "vault.db: meta \"recipients\" is not an "
                                                     "object");
    }
    constat_buf_free(&b);
    if (st == CONSTAT_OK) {
        constat_base64(pk, CONSTAT_SEAL_PK, b64);
        if (json_object_set_new(o, name, json_string(b64)) != 0 ||
            !(text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)))
            st = nomem(err);
    }
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "recipients", text, err);
    if (st == CONSTAT_OK)
        st = constat_store_commit(s, err);
    if (st != CONSTAT_OK)
        constat_store_rollback(s);
    free(text);
    json_decref(o);
    {
        constat_error e2;
        constat_status r = constat_vault_seal_reload(v, &e2);
        if (st == CONSTAT_OK && r != CONSTAT_OK) {
            if (err)
                *err = e2;
            st = r;
        }
    }
    return st;
}

/* ---- private values ---- */

typedef struct {
    char **ids;
    size_t n, cap;
    int oom;
} id_list;

static int collect_id(void *ctx, const constat_store_leaf *row)
{
    id_list *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 1024;
        char **p = realloc(l->ids, nc * sizeof *p);
        if (!p) {
            l->oom = 1;
            return 1;
        }
        l->ids = p;
        l->cap = nc;
    }
    if (!(l->ids[l->n] = strdup(row->record_id ? row->record_id : ""))) {
        l->oom = 1;
        return 1;
    }
    l->n++;
    return 0;
}

/* 1 if `stored` is sealed (v2) to exactly the keys of *k. */
static int sealed_to_all(const json_t *stored, const constat_seal_keys *k)
{
    json_t *keys = json_object_get(stored, "keys"), *e;
    size_t i, found = 0;
    if (!constat_seal_private_is(stored) || json_array_size(keys) != k->n)
        return 0;
    json_array_foreach(keys, i, e) {
        const char *p = json_string_value(json_object_get(e, "pk"));
        uint8_t pk[CONSTAT_SEAL_PK];
        size_t got = 0;
        if (!p || constat_unbase64(p, strlen(p), pk, sizeof pk, &got) != CONSTAT_OK ||
            got != sizeof pk)
            return 0;
        for (size_t j = 0; j < k->n; j++)
            if (sodium_memcmp(pk, k->pk[j], CONSTAT_SEAL_PK) == 0) {
                found++;
                break;
            }
    }
    return found == k->n;
}

/* Re-seal one record's private values if needed; *did: 0 none stored, 1
 * sealed now, 2 already sealed to every key. */
static constat_status seal_one(constat_vault *v, const char *id, int *did, constat_error *err)
{
    constat_store *s = constat_vault_store(v);
    constat_buf b;
    json_t *stored, *values = NULL;
    char *text = NULL;
    constat_status st;

    *did = 0;
    constat_buf_init(&b);
    st = constat_store_private_get(s, id, &b, err);
    if (st == CONSTAT_ENOTFOUND) {
        constat_buf_free(&b);
        constat_error_clear(err);
        return CONSTAT_OK;
    }
    if (st != CONSTAT_OK) {
        constat_buf_free(&b);
        return st;
    }
    stored = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                        NULL);
    sodium_memzero(b.data, b.len);
    constat_buf_free(&b);
    if (stored && sealed_to_all(stored, constat_vault_seal_keys(v))) {
        json_decref(stored);
        *did = 2;
        return CONSTAT_OK;
    }
    json_decref(stored);
    /* opened whatever its form (clear, v1, v2 to other keys), in memory */
    st = constat_vault_private(v, id, &values, err);
    if (st == CONSTAT_OK && values)
        st = constat_seal_private(constat_vault_seal_keys(v), id, values, &text, err);
    if (st == CONSTAT_OK && text)
        st = constat_store_private_put(s, id, text, err);
    json_decref(values);
    free(text);
    *did = st == CONSTAT_OK;
    return st;
}

static constat_status seal_private_all(constat_vault *v, constat_seal_step_fn step, void *ctx,
                                       uint64_t *nstep, constat_seal_stats *stats,
                                       constat_error *err)
{
    constat_store *s = constat_vault_store(v);
    id_list l = {NULL, 0, 0, 0};
    constat_status st;
    size_t i = 0;

    st = constat_store_leaves(s, 0, constat_vault_size(v), collect_id, &l, err);
    if (st == CONSTAT_OK && l.oom)
        st = nomem(err);
    while (st == CONSTAT_OK && i < l.n) {
        size_t end = i + BATCH < l.n ? i + BATCH : l.n;
        uint64_t done = 0;
        st = constat_store_begin(s, err);
        for (; st == CONSTAT_OK && i < end; i++) {
            int did = 0;
            st = seal_one(v, l.ids[i], &did, err);
            done += did == 1;
            stats->private_already += did == 2;
        }
        if (st == CONSTAT_OK)
            st = constat_store_commit(s, err);
        if (st != CONSTAT_OK) {
            constat_store_rollback(s);
            break;
        }
        stats->private_sealed += done;
        if (done && step)
            step(ctx, "private", ++*nstep);
    }
    for (size_t j = 0; j < l.n; j++)
        free(l.ids[j]);
    free(l.ids);
    return st;
}

/* ---- evidence files ---- */

static int hex64(const char *s)
{
    size_t n = strlen(s);
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Header check: 1 if the sealed file on fd is sealed to exactly *k. */
static int file_sealed_to_all(int fd, const constat_seal_keys *k)
{
    uint8_t head[CONSTAT_SEAL_FILE_MAGIC_LEN + 1 + CONSTAT_SEAL_MAX_RECIPIENTS *
                 (CONSTAT_SEAL_PK + CONSTAT_SEAL_BOX)];
    ssize_t got = pread(fd, head, sizeof head, 0);
    size_t n, found = 0;
    if (got < CONSTAT_SEAL_FILE_MAGIC_LEN + 1)
        return 0;
    n = head[CONSTAT_SEAL_FILE_MAGIC_LEN];
    if (n != k->n ||
        (size_t)got < CONSTAT_SEAL_FILE_MAGIC_LEN + 1 + n * (CONSTAT_SEAL_PK + CONSTAT_SEAL_BOX))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e =
            head + CONSTAT_SEAL_FILE_MAGIC_LEN + 1 + i * (CONSTAT_SEAL_PK + CONSTAT_SEAL_BOX);
        for (size_t j = 0; j < k->n; j++)
            if (sodium_memcmp(e, k->pk[j], CONSTAT_SEAL_PK) == 0) {
                found++;
                break;
            }
    }
    return found == n;
}

/* Stream the file on `in` (sealed when `sealed`) into writer w, hashing the
 * plaintext into h. */
static constat_status reseal_stream(const constat_seal_keys *k, int in, int sealed,
                                    const char *label, constat_seal_writer *w, uint8_t h[32],
                                    constat_error *err)
{
    constat_sha256_ctx c;
    constat_status st = CONSTAT_OK;

    constat_sha256_init(&c);
    if (sealed) {
        constat_seal_reader *r = NULL;
        int done = 0;
        st = constat_seal_reader_new_keys(k, in, label, &r, err);
        while (st == CONSTAT_OK && !done) {
            const uint8_t *d;
            size_t n;
            st = constat_seal_reader_next(r, &d, &n, &done, err);
            if (st == CONSTAT_OK && n) {
                constat_sha256_update(&c, d, n);
                st = constat_seal_writer_write(w, d, n, err);
            }
        }
        constat_seal_reader_free(r);
    } else {
        uint8_t *buf = malloc(CONSTAT_SEAL_CHUNK);
        if (!buf)
            return nomem(err);
        for (;;) {
            ssize_t n = read(in, buf, CONSTAT_SEAL_CHUNK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                st = constat_error_set(err, CONSTAT_EIO, "%s: read: %s", label, strerror(errno));
                break;
            }
            if (n == 0)
                break;
            constat_sha256_update(&c, buf, (size_t)n);
            st = constat_seal_writer_write(w, buf, (size_t)n, err);
            if (st != CONSTAT_OK)
                break;
        }
        sodium_memzero(buf, CONSTAT_SEAL_CHUNK);
        free(buf);
    }
    constat_sha256_final(&c, h);
    return st;
}

typedef struct {
    constat_vault *v;
    constat_seal_step_fn step;
    void *ctx;
    uint64_t *nstep;
    constat_seal_stats *stats;
} file_job;

static void step(file_job *j, const char *what)
{
    if (j->step)
        j->step(j->ctx, what, ++*j->nstep);
}

/* Finish or undo what an interrupted run left in folder `d`. */
static constat_status leftovers(file_job *j, const char *d, constat_error *err)
{
    DIR *dir = opendir(d);
    struct dirent *e;
    char path[PATH_MAX], dest[PATH_MAX];

    if (!dir)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", d, strerror(errno));
    while ((e = readdir(dir)) != NULL) {
        const char *hex;
        struct stat a, b;
        if (strncmp(e->d_name, ".seal-", 6) != 0 && strncmp(e->d_name, ".plain-", 7) != 0 &&
            strncmp(e->d_name, ".incoming-", 10) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", d, e->d_name);
        j->stats->leftovers++;
        if (e->d_name[1] != 'p') { /* a sealed copy never renamed, or an attach cut short */
            unlink(path);
            continue;
        }
        hex = e->d_name + 7;
        snprintf(dest, sizeof dest, "%s/%s", d, hex);
        if (lstat(dest, &b) != 0) {
            /* cannot happen with an atomic rename; keep the data */
            if (rename(path, dest) != 0)
                return constat_error_set(err, CONSTAT_EIO, "%s: %s", dest, strerror(errno));
            continue;
        }
        if (lstat(path, &a) == 0 && a.st_ino == b.st_ino)
            unlink(path); /* the clear file itself is still <hex>: sealed below */
        else
            constat_wipe_unlink(path); /* <hex> is sealed: this is the old clear copy */
    }
    closedir(dir);
    if (constat_fsync_dir(d) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", d, strerror(errno));
    return CONSTAT_OK;
}

static constat_status seal_file(file_job *j, const char *d, const char *hex, constat_error *err)
{
    const constat_seal_keys *k = constat_vault_seal_keys(j->v);
    char path[PATH_MAX], tmp[PATH_MAX], plain[PATH_MAX], got[65];
    constat_seal_writer *w = NULL;
    uint8_t h[32];
    constat_status st;
    int in, out, sealed;

    snprintf(path, sizeof path, "%s/%s", d, hex);
    snprintf(tmp, sizeof tmp, "%s/.seal-%s", d, hex);
    snprintf(plain, sizeof plain, "%s/.plain-%s", d, hex);
    in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    sealed = constat_seal_file_is(in);
    if (sealed == 1 && file_sealed_to_all(in, k)) {
        close(in);
        (void)chmod(path, 0400);
        j->stats->files_already++;
        return CONSTAT_OK;
    }
    out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0) {
        close(in);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", tmp, strerror(errno));
    }
    st = constat_seal_writer_new(k, out, &w, err);
    if (st == CONSTAT_OK)
        st = reseal_stream(k, in, sealed == 1, path + strlen(constat_vault_dir(j->v)) + 1, w, h,
                           err);
    if (st == CONSTAT_OK)
        st = constat_seal_writer_finish(w, err);
    constat_seal_writer_free(w);
    close(in);
    if (st == CONSTAT_OK && (fsync(out) != 0 || fchmod(out, 0400) != 0))
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", tmp, strerror(errno));
    if (close(out) != 0 && st == CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", tmp, strerror(errno));
    if (st == CONSTAT_OK) {
        constat_hex(h, 32, got);
        if (strcmp(got, hex) != 0)
            st = constat_error_set(err, CONSTAT_EVERIFY,
                                   "%s: its contents hash to %s, not to its name: the evidence "
                                   "store is damaged (left as it is)",
                                   path + strlen(constat_vault_dir(j->v)) + 1, got);
    }
    if (st != CONSTAT_OK) {
        unlink(tmp);
        return st;
    }
    step(j, "file-written");
    /* the clear copy keeps a name until the sealed one has replaced it, so
     * that it can be overwritten afterwards */
    if (sealed != 1) {
        if (link(path, plain) != 0)
            st = constat_error_set(err, CONSTAT_EIO, "%s: %s", plain, strerror(errno));
        else if (constat_fsync_dir(d) != 0)
            st = constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", d, strerror(errno));
        if (st != CONSTAT_OK) {
            unlink(tmp);
            return st;
        }
        step(j, "file-linked");
    }
    if (rename(tmp, path) != 0 || constat_fsync_dir(d) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    step(j, "file-renamed");
    if (sealed != 1) {
        constat_wipe_unlink(plain);
        if (constat_fsync_dir(d) != 0)
            return constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", d, strerror(errno));
        step(j, "file-wiped");
    }
    j->stats->files_sealed++;
    return CONSTAT_OK;
}

/* Each of the two fixed levels of the store: <base>/<xx>/<yy>/<hex>. */
static constat_status seal_files_in(file_job *j, const char *d, int depth, constat_error *err)
{
    DIR *dir;
    struct dirent *e;
    char sub[PATH_MAX];
    constat_status st = CONSTAT_OK;
    char **names = NULL;
    size_t n = 0, cap = 0;

    (void)chmod(d, 0700);
    if (depth == 2 && (st = leftovers(j, d, err)) != CONSTAT_OK)
        return st;
    dir = opendir(d);
    if (!dir)
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", d, strerror(errno));
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *p);
            if (!p) {
                st = nomem(err);
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            st = nomem(err);
            break;
        }
        n++;
    }
    closedir(dir);
    for (size_t i = 0; st == CONSTAT_OK && i < n; i++) {
        snprintf(sub, sizeof sub, "%s/%s", d, names[i]);
        if (depth < 2 && strlen(names[i]) == 2)
            st = seal_files_in(j, sub, depth + 1, err);
        else if (depth == 2 && hex64(names[i]))
            st = seal_file(j, d, names[i], err);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

/* ---- the end of a re-seal after a rotation (docs/vault.md "Re-sealing
 * after a rotation") ---- */

/* 1 if private values of `ids` are sealed to the retiring key still, -1 on
 * a read error (in *err). */
static int any_private_old(constat_vault *v, const id_list *l, const uint8_t *old,
                           constat_error *err)
{
    for (size_t i = 0; i < l->n; i++) {
        constat_buf b;
        json_t *j;
        constat_status st;
        int has;
        constat_buf_init(&b);
        st = constat_store_private_get(constat_vault_store(v), l->ids[i], &b, err);
        if (st == CONSTAT_ENOTFOUND) {
            constat_error_clear(err);
            constat_buf_free(&b);
            continue;
        }
        if (st != CONSTAT_OK) {
            constat_buf_free(&b);
            return -1;
        }
        j = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
        constat_buf_free(&b);
        has = constat_seal_private_is(j) && constat_seal_private_has_key(j, old);
        json_decref(j);
        if (has)
            return 1;
    }
    return 0;
}

/* Destroy the organisation key files no meta row names any more: every
 * keys/org*.key but the current org_key_file (the retired keys' signing
 * and sealing halves). */
static constat_status shred_retired(constat_vault *v, constat_error *err)
{
    char keys[PATH_MAX], path[PATH_MAX];
    constat_buf cur;
    DIR *dir;
    struct dirent *e;
    constat_status st;

    constat_buf_init(&cur);
    st = constat_store_meta_get(constat_vault_store(v), "org_key_file", &cur, err);
    if (st == CONSTAT_OK)
        st = constat_buf_append(&cur, "", 1);
    if (st != CONSTAT_OK) { /* a rotated vault always names its key file */
        constat_buf_free(&cur);
        return st;
    }
    snprintf(keys, sizeof keys, "%s/keys", constat_vault_dir(v));
    if (!(dir = opendir(keys))) {
        constat_buf_free(&cur);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", keys, strerror(errno));
    }
    while ((e = readdir(dir)) != NULL) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "org", 3) != 0 || l < 7 || strcmp(e->d_name + l - 4, ".key") != 0 ||
            (e->d_name[3] != '.' && e->d_name[3] != '-'))
            continue;
        snprintf(path, sizeof path, "keys/%s", e->d_name);
        if (strcmp(path, (const char *)cur.data) == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", keys, e->d_name);
        constat_wipe_unlink(path);
    }
    closedir(dir);
    constat_buf_free(&cur);
    if (constat_fsync_dir(keys) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", keys, strerror(errno));
    return CONSTAT_OK;
}

/* After every value and file is sealed to the current keys: under the write
 * lock, check no private value is sealed to the retiring key only (a
 * process holding the old keys may have added one), set meta reseal_vkey to
 * "", then destroy the retired key files (also those an interrupted run
 * left). Nothing to do in a vault never rotated with re-sealing. */
static constat_status reseal_finish(constat_vault *v, constat_seal_stats *stats,
                                    constat_error *err)
{
    constat_store *s = constat_vault_store(v);
    const constat_seal_keys *k = constat_vault_seal_keys(v);
    id_list l = {NULL, 0, 0, 0};
    constat_buf b;
    constat_status st;
    int old;

    constat_buf_init(&b);
    st = constat_store_meta_get(s, "reseal_vkey", &b, err);
    if (st == CONSTAT_ENOTFOUND) {
        constat_buf_free(&b);
        constat_error_clear(err);
        return CONSTAT_OK;
    }
    if (st == CONSTAT_OK && b.len && k->has_old) {
        st = constat_store_begin(s, err);
        if (st == CONSTAT_OK)
            st = constat_store_leaves(s, 0, constat_vault_size(v), collect_id, &l, err);
        if (st == CONSTAT_OK && l.oom)
            st = nomem(err);
        if (st == CONSTAT_OK && (old = any_private_old(v, &l, k->old_pk, err)) != 0)
            st = old < 0 ? (err ? err->code : CONSTAT_EIO)
                         : constat_error_set(err, CONSTAT_ECONFLICT,
                                             "values were sealed to the retiring organisation "
                                             "key meanwhile: run 'constat vault seal' again");
        if (st == CONSTAT_OK)
            st = constat_store_meta_set(s, "reseal_vkey", "", err);
        if (st == CONSTAT_OK)
            st = constat_store_commit(s, err);
        if (st != CONSTAT_OK)
            constat_store_rollback(s);
        else
            stats->reseal_finished = 1;
        for (size_t i = 0; i < l.n; i++)
            free(l.ids[i]);
        free(l.ids);
    } else if (st == CONSTAT_OK && b.len) {
        st = constat_error_set(err, CONSTAT_ECRYPTO, "the retiring organisation key is not "
                               "loaded: open the vault with its passphrase");
    }
    constat_buf_free(&b);
    if (st != CONSTAT_OK)
        return st;
    constat_vault_reseal_drop(v);
    return shred_retired(v, err);
}

constat_status constat_vault_seal_existing(constat_vault *v, constat_seal_step_fn stepfn,
                                           void *ctx, constat_seal_stats *stats,
                                           constat_error *err)
{
    static const char *const files[] = {"vault.db", "vault.db-wal", "vault.db-shm"};
    constat_seal_stats local;
    char path[PATH_MAX];
    uint64_t nstep = 0;
    file_job j;
    struct stat sb;
    constat_status st;

    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!constat_vault_has_keys(v) || !constat_vault_seal_keys(v)->has_sk)
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "%s: sealing the vault needs its keys (give the passphrase)",
                                 constat_vault_dir(v));
    (void)chmod(constat_vault_dir(v), 0700);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", constat_vault_dir(v), files[i]);
        (void)chmod(path, 0600);
    }
    st = seal_private_all(v, stepfn, ctx, &nstep, stats, err);
    j.v = v;
    j.step = stepfn;
    j.ctx = ctx;
    j.nstep = &nstep;
    j.stats = stats;
    snprintf(path, sizeof path, "%s/" EVIDENCE_DIR, constat_vault_dir(v));
    if (st == CONSTAT_OK && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char evd[PATH_MAX];
        snprintf(evd, sizeof evd, "%s/evidence", constat_vault_dir(v));
        (void)chmod(evd, 0700);
        st = seal_files_in(&j, path, 0, err);
    }
    if (st == CONSTAT_OK)
        st = reseal_finish(v, stats, err);
    if (st == CONSTAT_OK && stats->reseal_finished && stepfn)
        stepfn(ctx, "reseal", ++nstep);
    if (st == CONSTAT_OK) /* a retired log key file a killed rotation left (keyrot.h) */
        st = constat_vault_log_keys_shred(v, err);
    if (st == CONSTAT_OK) {
        st = constat_store_compact(constat_vault_store(v), err);
        if (st == CONSTAT_OK && stepfn)
            stepfn(ctx, "compact", ++nstep);
    }
    return st;
}

/* ---- passphrase ---- */

/* Re-seal every key file of `from` (relative names like "log.key",
 * "monitors/amina.key") into folder `to`. */
static constat_status reseal_dir(const char *from, const char *to, const char *sub,
                                 const char *old, constat_kek *oldk, const constat_kek *newk,
                                 constat_error *err)
{
    char fd_[PATH_MAX], td[PATH_MAX], p[PATH_MAX], q[PATH_MAX], label[PATH_MAX];
    DIR *dir;
    struct dirent *e;
    constat_status st = CONSTAT_OK;
    uint8_t *secret = sodium_malloc(CONSTAT_KEYFILE_SECRET_MAX);

    if (!secret)
        return nomem(err);
    snprintf(fd_, sizeof fd_, "%s%s%s", from, sub[0] ? "/" : "", sub);
    snprintf(td, sizeof td, "%s%s%s", to, sub[0] ? "/" : "", sub);
    if (mkdir(td, 0700) != 0 && errno != EEXIST) {
        sodium_free(secret);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", td, strerror(errno));
    }
    dir = opendir(fd_);
    if (!dir) {
        sodium_free(secret);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", fd_, strerror(errno));
    }
    while (st == CONSTAT_OK && (e = readdir(dir)) != NULL) {
        size_t l = strlen(e->d_name), got = 0;
        int sealed = 0;
        if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".key") != 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", fd_, e->d_name);
        snprintf(q, sizeof q, "%s/%s", td, e->d_name);
        snprintf(label, sizeof label, "keys/%s%s%s", sub, sub[0] ? "/" : "", e->d_name);
        st = constat_keyfile_read(p, label, old, oldk, secret, CONSTAT_KEYFILE_SECRET_MAX, &got,
                                  &sealed, err);
        if (st == CONSTAT_OK && !sealed)
            st = constat_error_set(err, CONSTAT_EINVAL, "%s is not sealed", label);
        if (st == CONSTAT_OK)
            st = constat_keyfile_write(q, label, secret, got, newk, err);
        sodium_memzero(secret, CONSTAT_KEYFILE_SECRET_MAX);
    }
    closedir(dir);
    sodium_free(secret);
    if (st == CONSTAT_OK && constat_fsync_dir(td) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", td, strerror(errno));
    return st;
}

/* Wipe and remove every file of folder `d`, then the folder. */
static void wipe_dir(const char *d)
{
    DIR *dir = opendir(d);
    struct dirent *e;
    if (dir) {
        while ((e = readdir(dir)) != NULL) {
            char f[PATH_MAX];
            if (e->d_name[0] == '.')
                continue;
            snprintf(f, sizeof f, "%s/%s", d, e->d_name);
            constat_wipe_unlink(f);
        }
        closedir(dir);
    }
    rmdir(d);
}

static void rm_keys_dir(const char *d)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/monitors", d);
    wipe_dir(p);
    wipe_dir(d);
}

constat_status constat_vault_passwd(const char *dir, const char *old, const char *new_pass,
                                    constat_error *err)
{
    char keys[PATH_MAX], staged[PATH_MAX];
    constat_vault *v = NULL;
    constat_kek *kk;
    constat_status st;
    unsigned long long ops;
    size_t mem;
    constat_buf sealed;

    if (!new_pass || !new_pass[0])
        return constat_error_set(err, CONSTAT_EINVAL, "the new passphrase is empty");
    st = constat_vault_open(dir, old, &v, err);
    if (st != CONSTAT_OK)
        return st;
    constat_buf_init(&sealed);
    st = constat_store_meta_get(constat_vault_store(v), "sealed", &sealed, err);
    if (st == CONSTAT_OK && (sealed.len < 1 || sealed.data[0] != '1'))
        st = constat_error_set(err, CONSTAT_EINVAL,
                               "%s: the vault's keys are not sealed, so there is no passphrase "
                               "to change", dir);
    constat_buf_free(&sealed);
    kk = sodium_malloc(2 * sizeof *kk);
    if (st == CONSTAT_OK && !kk)
        st = nomem(err);
    if (st == CONSTAT_OK) {
        sodium_memzero(kk, 2 * sizeof *kk);
        constat_kek_params(&ops, &mem);
        st = constat_kek_derive(&kk[1], new_pass, NULL, ops, mem, err);
    }
    /* the write lock: no monitor is enrolled (no key file added) meanwhile */
    if (st == CONSTAT_OK)
        st = constat_store_begin(constat_vault_store(v), err);
    snprintf(keys, sizeof keys, "%s/keys", dir);
    snprintf(staged, sizeof staged, "%s/keys.new", dir);
    if (st == CONSTAT_OK) {
        rm_keys_dir(staged); /* a run cut short left it: old or partial, never in use */
        if (mkdir(staged, 0700) != 0)
            st = constat_error_set(err, CONSTAT_EIO, "%s: %s", staged, strerror(errno));
    }
    if (st == CONSTAT_OK)
        st = reseal_dir(keys, staged, "", old, &kk[0], &kk[1], err);
    if (st == CONSTAT_OK) {
        char mon[PATH_MAX];
        struct stat sb;
        snprintf(mon, sizeof mon, "%s/monitors", keys);
        if (stat(mon, &sb) == 0)
            st = reseal_dir(keys, staged, "monitors", old, &kk[0], &kk[1], err);
    }
    if (st == CONSTAT_OK && constat_fsync_dir(staged) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", staged, strerror(errno));
    /* the one step that changes which keys are in use: atomic */
    if (st == CONSTAT_OK && renameat2(AT_FDCWD, staged, AT_FDCWD, keys, RENAME_EXCHANGE) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "cannot swap %s and %s: %s", staged, keys,
                               strerror(errno));
    if (st == CONSTAT_OK && constat_fsync_dir(dir) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", dir, strerror(errno));
    /* after the swap, the old files; before it, a partial new set */
    rm_keys_dir(staged);
    constat_store_rollback(constat_vault_store(v));
    if (kk) {
        constat_kek_wipe(&kk[0]);
        constat_kek_wipe(&kk[1]);
        sodium_free(kk);
    }
    constat_vault_close(v);
    return st;
}
