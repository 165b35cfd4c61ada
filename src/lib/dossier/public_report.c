/* public_report.c — a public report checked offline (public.h): it obeys
 * its declared k, and its pages are the ones its figures give. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "constat/dossier/public.h"
#include "constat/dossier/format.h"
#include "constat/analysis/disclosure.h"
#include "constat/analysis/public_map.h"
#include "constat/base/file.h"
#include "constat/record/canon.h"
#include "dossier/report_check.h"
#include "base/text.h"

typedef struct {
    const char *dir;
    constat_public_fail_fn fail;
    void *ctx;
    uint64_t passed, failed;
    char first[CONSTAT_ERROR_MSG_MAX];
} pcheck;

static void pfail(pcheck *c, const char *file, const char *msg)
{
    if (c->failed++ == 0)
        constat_bprintf(c->first, sizeof c->first, "%s: %s", file, msg);
    if (c->fail)
        c->fail(c->ctx, file, msg);
}

/* dir/rel, a regular file (no link followed, no FIFO waited on). */
static constat_status read_in(const char *dir, const char *rel, size_t max, constat_buf *out,
                              constat_error *err)
{
    char path[4200];
    struct stat sb;
    FILE *f;
    int fd;
    constat_status st;

    constat_buf_reset(out);
    constat_bprintf(path, sizeof path, "%s/%s", dir, rel);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? constat_error_set(err, CONSTAT_ENOTFOUND, "missing")
                               : constat_error_set(err, CONSTAT_EIO, "cannot open: %s",
                                                   strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || !(f = fdopen(fd, "rb"))) {
        close(fd);
        return constat_error_set(err, CONSTAT_EIO, "not a regular file: refused, not read");
    }
    st = constat_file_read(f, max, out, err);
    fclose(f);
    if (st == CONSTAT_ELIMIT)
        constat_error_set(err, st, "larger than the limit of %zu bytes", max);
    return st;
}

static constat_status pread_cb(void *ctx, const char *rel, constat_buf *out, constat_error *err)
{
    pcheck *c = ctx;
    return read_in(c->dir, rel, CONSTAT_DOSSIER_REPORT_FILE_MAX, out, err);
}

static void pfail_cb(void *ctx, const char *file, const char *msg)
{
    pfail(ctx, file, msg);
}

static void disc_fail(void *ctx, const char *msg)
{
    pfail(ctx, "figures.json", msg);
}

/* Parse dir/name as JSON (duplicates refused); NULL after a failure. */
static json_t *load_json(pcheck *c, const char *name, constat_buf *b)
{
    constat_error e;
    json_t *v = NULL;
    char msg[CONSTAT_ERROR_MSG_MAX + 32];

    constat_error_clear(&e);
    if (read_in(c->dir, name, CONSTAT_DOSSIER_JSON_MAX, b, &e) != CONSTAT_OK ||
        constat_json_parse(b->data ? (char *)b->data : "", b->len, name, 0, &v, &e) !=
            CONSTAT_OK) {
        constat_bprintf(msg, sizeof msg, "%s", e.msg);
        pfail(c, name, msg);
        return NULL;
    }
    return v;
}

static const char *opt_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

constat_status constat_verify_public_report(const char *dir, constat_public_fail_fn fail,
                                            void *ctx, uint64_t *passed, uint64_t *failed,
                                            constat_error *err)
{
    pcheck c;
    constat_buf b;
    json_t *figs = NULL, *meta = NULL;
    constat_taxonomy *tax = NULL;
    constat_report_meta m;
    constat_error e;
    uint64_t matched = 0;
    char tpath[4200];
    constat_status st = CONSTAT_OK;

    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.fail = fail;
    c.ctx = ctx;
    constat_buf_init(&b);
    figs = load_json(&c, "figures.json", &b);
    if (figs) {
        uint64_t before = c.failed;
        constat_error_clear(&e);
        st = constat_disclosure_check(figs, disc_fail, &c, &e);
        if (st == CONSTAT_EINVAL)
            pfail(&c, "figures.json", e.msg);
        else if (st == CONSTAT_OK && c.failed == before)
            c.passed++;
        if (st != CONSTAT_ENOMEM) {
            before = c.failed;
            constat_error_clear(&e);
            st = constat_public_positions_check(figs, disc_fail, &c, &e);
            if (st == CONSTAT_OK && c.failed == before)
                c.passed++;
        }
        if (st != CONSTAT_ENOMEM)
            st = CONSTAT_OK;
    }
    meta = load_json(&c, "meta.json", &b);
    if (meta && !json_is_object(meta)) {
        pfail(&c, "meta.json", "not a JSON object");
        json_decref(meta);
        meta = NULL;
    }
    constat_bprintf(tpath, sizeof tpath, "%s/taxonomy.json", dir);
    constat_error_clear(&e);
    if (constat_taxonomy_load(tpath, &tax, &e) != CONSTAT_OK)
        pfail(&c, "taxonomy.json", e.msg);
    if (st == CONSTAT_OK && figs && meta && tax) {
        memset(&m, 0, sizeof m);
        m.org = opt_str(meta, "org");
        m.origin = opt_str(meta, "origin");
        m.generated_at = opt_str(meta, "generated_at");
        m.scope = opt_str(meta, "scope");
        m.checkpoint_note = opt_str(meta, "checkpoint");
        m.tree_size = json_is_integer(json_object_get(meta, "tree_size")) &&
                              json_integer_value(json_object_get(meta, "tree_size")) >= 0
                          ? (uint64_t)json_integer_value(json_object_get(meta, "tree_size"))
                          : 0;
        constat_error_clear(&e);
        st = constat_report_recheck(NULL, 0, tax, NULL, figs, &m, "", NULL, pread_cb, pfail_cb,
                                    &c, &matched, &e);
        c.passed += matched;
        if (st != CONSTAT_OK && st != CONSTAT_ENOMEM) {
            pfail(&c, "index.html", "cannot be rendered again from figures.json");
            st = CONSTAT_OK;
        }
    }
    json_decref(figs);
    json_decref(meta);
    constat_taxonomy_free(tax);
    constat_buf_free(&b);
    if (passed)
        *passed = c.passed;
    if (failed)
        *failed = c.failed;
    if (st == CONSTAT_ENOMEM)
        return constat_error_set(err, st, "out of memory");
    if (c.failed)
        return constat_error_set(err, CONSTAT_EVERIFY, "%s", c.first);
    return CONSTAT_OK;
}
