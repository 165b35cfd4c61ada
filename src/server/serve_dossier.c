/*
 * serve_dossier.c — POST /api/v1/dossier (docs/api.md "Dossiers"): a
 * coordinator's download of a dossier of the incidents they chose on the
 * review page. The dossier is the one `constat dossier` writes
 * (constat_dossier_write_ex, docs/dossier.md: written into a temporary
 * folder, verified, then renamed), selected by record id (filter.ids), and
 * sent as one POSIX ustar archive (the interchange format of POSIX.1
 * `pax`, which `tar -xf` reads on any Debian machine) whose single top
 * folder is the dossier; the temporary folder is then removed.
 *
 * Why an archive written here rather than a library: ustar is a fixed
 * 512-byte header per file, plain regular files and folders only, and the
 * folder is our own freshly written one; a hundred lines keep the server
 * free of an archive library and of its reader code (we never read
 * archives).
 *
 * The vault is held (serve_ctx.lock) while the dossier is written, as the
 * CLI holds it: submissions wait in the intake queue meanwhile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "constat/dossier/dossier.h"
#include "constat/vault/accounts.h"
#include "serve.h"

#define TAR_BLOCK 512
/* Largest file a ustar header's 11 octal digits hold. */
#define TAR_FILE_MAX 077777777777ULL

/* Fill a ustar numeric field of `len` bytes: octal digits, then NUL. */
static void tar_octal(char *field, size_t len, unsigned long long v)
{
    snprintf(field, len, "%0*llo", (int)(len - 1), v);
}

/* One header for `path` (a file of `size` bytes, or a folder). 0, or -1
 * when the path does not fit the ustar name and prefix fields. */
static int tar_header(constat_buf *out, const char *path, int dir, unsigned long long size,
                      int64_t mtime)
{
    unsigned char h[TAR_BLOCK];
    size_t n = strlen(path), split = 0;
    unsigned sum = 0;

    memset(h, 0, sizeof h);
    if (n <= 100) {
        memcpy(h, path, n);
    } else {
        /* prefix (at most 155 bytes) '/' name (at most 100 bytes) */
        for (size_t i = n; i-- > 0;)
            if (path[i] == '/' && i <= 155 && n - i - 1 <= 100 && n - i - 1 > 0) {
                split = i;
                break;
            }
        if (!split)
            return -1;
        memcpy(h + 345, path, split);
        memcpy(h, path + split + 1, n - split - 1);
    }
    tar_octal((char *)h + 100, 8, dir ? 0755 : 0644);
    tar_octal((char *)h + 108, 8, 0);
    tar_octal((char *)h + 116, 8, 0);
    tar_octal((char *)h + 124, 12, dir ? 0 : size);
    tar_octal((char *)h + 136, 12, mtime > 0 ? (unsigned long long)mtime : 0);
    memset(h + 148, ' ', 8);
    h[156] = dir ? '5' : '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (size_t i = 0; i < sizeof h; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
    return constat_buf_append(out, h, sizeof h) == CONSTAT_OK ? 0 : -1;
}

static int tar_pad(constat_buf *out)
{
    static const unsigned char zero[TAR_BLOCK];
    size_t r = out->len % TAR_BLOCK;
    return r ? (constat_buf_append(out, zero, TAR_BLOCK - r) == CONSTAT_OK ? 0 : -1) : 0;
}

static int is_dot(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Append the folder `fs` (on disk) as `name` (in the archive) and all it
 * holds, in name order; only regular files and folders are taken. 0 or -1
 * (msg says why). */
static int tar_tree(constat_buf *out, const char *fs, const char *name, int64_t mtime,
                    int depth, char *msg, size_t cap)
{
    struct dirent **ents = NULL;
    char dname[4200];
    int n, rc = 0;

    snprintf(dname, sizeof dname, "%s/", name);
    if (depth > 16 || tar_header(out, dname, 1, 0, mtime) != 0) {
        snprintf(msg, cap, "archive: folder %s too deep or its path too long", name);
        return -1;
    }
    n = scandir(fs, &ents, is_dot, alphasort);
    if (n < 0) {
        snprintf(msg, cap, "archive: cannot list the dossier folder: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char sub[4200], subname[4200];
        struct stat sb;
        if (rc == 0) {
            snprintf(sub, sizeof sub, "%s/%s", fs, ents[i]->d_name);
            snprintf(subname, sizeof subname, "%s/%s", name, ents[i]->d_name);
            if (lstat(sub, &sb) != 0) {
                snprintf(msg, cap, "archive: %s: %s", subname, strerror(errno));
                rc = -1;
            } else if (S_ISDIR(sb.st_mode)) {
                rc = tar_tree(out, sub, subname, mtime, depth + 1, msg, cap);
            } else if (S_ISREG(sb.st_mode)) {
                int fd = open(sub, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                unsigned long long left = (unsigned long long)sb.st_size;
                if (fd < 0 || left > TAR_FILE_MAX ||
                    tar_header(out, subname, 0, left, mtime) != 0 ||
                    constat_buf_reserve(out, (size_t)left + TAR_BLOCK) != CONSTAT_OK) {
                    snprintf(msg, cap, "archive: %s: cannot be added", subname);
                    rc = -1;
                }
                while (rc == 0 && left > 0) {
                    ssize_t got = read(fd, out->data + out->len, (size_t)left);
                    if (got <= 0) {
                        snprintf(msg, cap, "archive: %s: short read", subname);
                        rc = -1;
                        break;
                    }
                    out->len += (size_t)got;
                    left -= (unsigned long long)got;
                }
                if (rc == 0) {
                    out->data[out->len] = 0; /* the buffer's invariant */
                    rc = tar_pad(out);
                }
                if (fd >= 0)
                    close(fd);
            } /* nothing else is in a folder constat_dossier_write made */
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

/* Remove what mkdtemp made and the dossier in it (no link is followed). */
static void rm_tree(const char *path, int depth)
{
    DIR *d;
    struct dirent *e;
    if (depth > 16 || unlink(path) == 0 || !(d = opendir(path)))
        return;
    while ((e = readdir(d))) {
        char sub[4200];
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
            rm_tree(sub, depth + 1);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void serve_dossier(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                   const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"ids", NULL};
    constat_dossier_filter f;
    constat_dossier_extra ex = {0, ctx->published, ctx->published_len};
    constat_dossier_summary sum;
    constat_error err;
    constat_status st;
    const char **ids = NULL, *tmpdir = getenv("TMPDIR");
    char tmpl[4096], out[4200], top[96], msg[512], detail[256];
    const json_t *arr, *v;
    json_t *o = NULL;
    size_t n = 0, i;
    int64_t now = ctx->now();
    (void)param;

    memset(&f, 0, sizeof f);
    memset(&sum, 0, sizeof sum);
    if (serve_json_object_large(rq, allowed, &o, rp) != 0)
        return;
    arr = json_object_get(o, "ids");
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > CONSTAT_DOSSIER_MAX_IDS) {
        serve_error(rp, 400, "ids", "ids: must be an array of 1 to %u record ids",
                    CONSTAT_DOSSIER_MAX_IDS);
        goto done;
    }
    ids = malloc(json_array_size(arr) * sizeof *ids);
    if (!ids) {
        serve_error(rp, 500, NULL, "out of memory");
        goto done;
    }
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            serve_error(rp, 400, "ids", "ids[%zu]: must be a string", i);
            goto done;
        }
        ids[n++] = json_string_value(v);
    }
    /* the filter wants them ascending and once each */
    qsort(ids, n, sizeof *ids, id_cmp);
    {
        size_t k = 0;
        for (i = 0; i < n; i++)
            if (k == 0 || strcmp(ids[k - 1], ids[i]) != 0)
                ids[k++] = ids[i];
        n = k;
    }
    f.ids = ids;
    f.nids = n;
    constat_error_clear(&err);
    if (constat_dossier_filter_check(&f, ctx->tax, &err) != CONSTAT_OK) {
        serve_error(rp, 400, "ids", "%s", err.msg);
        goto done;
    }

    snprintf(tmpl, sizeof tmpl, "%s/constat-dossier-XXXXXX",
             tmpdir && *tmpdir && strlen(tmpdir) < 3000 ? tmpdir : "/tmp");
    if (!mkdtemp(tmpl)) {
        if (ctx->log)
            fprintf(ctx->log, "serve: dossier: cannot make a folder in %s: %s\n",
                    tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
        serve_error(rp, 500, NULL, "internal error");
        goto done;
    }
    snprintf(out, sizeof out, "%s/dossier", tmpl);
    pthread_mutex_lock(&ctx->lock);
    st = constat_dossier_write_ex(ctx->vault, out, &f, ctx->tax, ctx->taxonomy_path, 0, &ex,
                                  &sum, &err);
    if (st == CONSTAT_OK) {
        char stamp[32];
        struct tm tm;
        time_t t = (time_t)now;
        gmtime_r(&t, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(top, sizeof top, "constat-dossier-%llu-%s",
                 (unsigned long long)sum.tree_size, stamp);
        /* an export is an action of the audit table (docs/api.md "Audit") */
        snprintf(detail, sizeof detail,
                 "%s.tar: %llu incident%s chosen by id, %llu records, tree size %llu", top,
                 (unsigned long long)sum.incidents, sum.incidents == 1 ? "" : "s",
                 (unsigned long long)sum.records, (unsigned long long)sum.tree_size);
        constat_error aerr;
        if (constat_audit_add(ctx->vault, now, se->account, rq->address, "export", detail,
                              &aerr) != CONSTAT_OK) {
            /* the server's vault is writable: an export it cannot audit is not sent */
            st = constat_error_set(&err, CONSTAT_EIO, "the export is not in the audit table: %s",
                                   aerr.msg);
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK) {
        rm_tree(tmpl, 0);
        switch (st) {
        case CONSTAT_EINVAL: serve_error(rp, 400, "ids", "%s", err.msg); break;
        case CONSTAT_ENOTFOUND: serve_error(rp, 404, "ids", "%s", err.msg); break;
        default:
            if (ctx->log)
                fprintf(ctx->log, "serve: dossier not written: %s\n", err.msg);
            /* EVERIFY: the vault's data does not verify; the coordinator
             * runs `constat verify VAULT` to see why */
            if (st == CONSTAT_EVERIFY) /* err says "...does not verify, not written: why" */
                serve_error(rp, 409, NULL, "%s (constat verify VAULT says what fails)", err.msg);
            else
                serve_error(rp, 500, NULL, "internal error");
        }
        goto done;
    }
    constat_buf_reset(&rp->body);
    msg[0] = 0;
    if (tar_tree(&rp->body, out, top, now, 0, msg, sizeof msg) != 0 ||
        constat_buf_reserve(&rp->body, 2 * TAR_BLOCK) != CONSTAT_OK) {
        rm_tree(tmpl, 0);
        if (ctx->log)
            fprintf(ctx->log, "serve: dossier: %s\n", msg[0] ? msg : "out of memory");
        serve_error(rp, 500, NULL, "internal error");
        goto done;
    }
    rm_tree(tmpl, 0);
    memset(rp->body.data + rp->body.len, 0, 2 * TAR_BLOCK); /* the end of the archive */
    rp->body.len += 2 * TAR_BLOCK;
    rp->body.data[rp->body.len] = 0;
    rp->status = 200;
    rp->type = "application/x-tar";
    snprintf(rp->disposition, sizeof rp->disposition, "attachment; filename=\"%s.tar\"", top);
done:
    free(ids);
    json_decref(o);
}
