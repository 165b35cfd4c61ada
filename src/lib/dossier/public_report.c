/* public_report.c — a public report checked offline (public.h): it obeys
 * its declared k, and its pages are the ones its figures give. */
#include <dirent.h>
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
#include "dossier/public_dossier.h"
#include "dossier/report_check.h"
#include "dossier/trust.h"
#include "constat/log/note.h"
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


/* keys/log.vkey of the folder (the report's own copy), or NULL after a
 * failure naming it. */
static const constat_note_verifier *own_log_key(pcheck *c, constat_note_verifier *own)
{
    constat_buf b;
    constat_error e;
    const constat_note_verifier *r = NULL;

    constat_buf_init(&b);
    constat_error_clear(&e);
    if (read_in(c->dir, "keys/log.vkey", CONSTAT_DOSSIER_VKEY_MAX, &b, &e) != CONSTAT_OK) {
        pfail(c, "keys/log.vkey", e.msg);
    } else {
        size_t n = b.len;
        char t[CONSTAT_DOSSIER_VKEY_MAX + 1];
        memcpy(t, b.data ? (char *)b.data : "", n);
        while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
            n--;
        t[n] = '\0';
        if (memchr(t, '\0', n))
            pfail(c, "keys/log.vkey", "contains a NUL byte");
        else if (constat_note_verifier_parse(t, own, &e) != CONSTAT_OK)
            pfail(c, "keys/log.vkey", e.msg);
        else {
            c->passed++;
            r = own;
        }
    }
    constat_buf_free(&b);
    return r;
}

/* 1 if `own` was read (own_log_key returned it) and is not `use`. */
static int own_ok(const constat_note_verifier *own, const constat_note_verifier *use)
{
    return own->name[0] && own != use && memcmp(own->pk, use->pk, sizeof own->pk) != 0;
}

/* The checkpoint of meta.json: signed by the log key (`pin` when the trust
 * file has a log line, else the folder's own keys/log.vkey; *from says
 * which), and naming the origin and tree size meta.json declares (the ones
 * index.html shows). */
static void check_checkpoint(pcheck *c, const json_t *meta, const char *trust,
                             const pinned_key *pin, const constat_note_verifier *chain_key,
                             int *from)
{
    constat_note_verifier own;
    const constat_note_verifier *use;
    const char *note = opt_str(meta, "checkpoint"), *origin = opt_str(meta, "origin");
    const json_t *ts = json_object_get(meta, "tree_size");
    constat_note opened;
    constat_checkpoint cp;
    constat_error e;
    char msg[CONSTAT_ERROR_MSG_MAX + 400];

    memset(&own, 0, sizeof own);
    use = own_log_key(c, &own);
    *from = use ? 0 : -1;
    if (chain_key) { /* in a dossier: the key its chain of log keys gives (verify.c) */
        if (use && memcmp(use->pk, chain_key->pk, sizeof use->pk) != 0)
            pfail(c, "keys/log.vkey", "the public report's log key is not the one that signs "
                  "the dossier's checkpoint");
        use = chain_key;
        *from = pin->have ? 1 : 0;
    } else if (pin->have) {
        if (use && memcmp(use->pk, pin->v.pk, sizeof use->pk) != 0) {
            constat_bprintf(msg, sizeof msg,
                            "the public report's log key is not the one pinned in %s line %d; "
                            "verifying with the pinned key", trust, pin->line);
            pfail(c, "keys/log.vkey", msg);
        }
        use = &pin->v;
        *from = 1;
    }
    if (!note) {
        pfail(c, "meta.json", "field \"checkpoint\": missing: the public report cites no "
              "signed checkpoint");
        return;
    }
    if (!use)
        return; /* the missing key is already a failure */
    constat_error_clear(&e);
    if (constat_note_open(note, strlen(note), use, 1, &opened, &e) != CONSTAT_OK) {
        constat_note o2;
        constat_error e2;
        constat_error_clear(&e2);
        constat_bprintf(msg, sizeof msg,
                        "field \"checkpoint\": the checkpoint signature does not verify with "
                        "the log key %s: %s%s",
                        *from == 1 ? "pinned by --trust" : "of the public report's keys/log.vkey",
                        e.msg,
                        *from == 1 && !chain_key && own_ok(&own, use) &&
                                constat_note_open(note, strlen(note), &own, 1, &o2, &e2) ==
                                    CONSTAT_OK
                            ? " (it is signed by the public report's own keys/log.vkey: the "
                              "log key was rotated since the pinned one? A public report "
                              "carries no key transition: check it in a dossier of the same "
                              "log, or 'constat keys history', and pin the current log key)"
                            : "");
        pfail(c, "meta.json", msg);
        return;
    }
    c->passed++;
    constat_error_clear(&e);
    {
        const char *body_end = strstr(note, "\n\n");
        size_t blen = body_end ? (size_t)(body_end - note) + 1 : strlen(note);
        if (constat_checkpoint_parse(note, blen, &cp, &e) != CONSTAT_OK) {
            constat_bprintf(msg, sizeof msg, "field \"checkpoint\": not a checkpoint: %s",
                            e.msg);
            pfail(c, "meta.json", msg);
            return;
        }
    }
    if (!json_is_integer(ts) || json_integer_value(ts) < 0 ||
        (uint64_t)json_integer_value(ts) != cp.size) {
        constat_bprintf(msg, sizeof msg,
                        "field \"tree_size\": the public report declares %s%lld, the signed "
                        "checkpoint is of tree size %llu",
                        json_is_integer(ts) ? "" : "no integer: ",
                        json_is_integer(ts) ? (long long)json_integer_value(ts) : 0LL,
                        (unsigned long long)cp.size);
        pfail(c, "meta.json", msg);
    } else
        c->passed++;
    if (!origin || strcmp(origin, cp.origin) != 0) {
        constat_bprintf(msg, sizeof msg,
                        "field \"origin\": the public report declares \"%s\", the signed "
                        "checkpoint is of origin \"%s\"", origin ? origin : "", cp.origin);
        pfail(c, "meta.json", msg);
    } else
        c->passed++;
}

/* The files a public report folder may hold beside the pages its figures
 * render: the figures, the meta data and taxonomy they are rendered with,
 * the log key, and the PDF `report --pdf` prints from index.html (its bytes
 * cannot be rendered again, so it is named as not checked by the CLI). */
static const char *const public_inputs[] = {"figures.json", "meta.json", "taxonomy.json",
                                            "keys/log.vkey", "report.pdf"};

/* A folder this deep or this full is not a report: stop listing it. */
#define LIST_DEPTH_MAX 8
#define LIST_FILES_MAX 100000

/* Every name under dir/rel (rel "" for dir itself), folders walked, links
 * and other non-folders listed as they are (never followed), into `set`
 * as keys. Returns 0, or -1 after a failure naming the folder. */
static int list_files(pcheck *c, const char *rel, int depth, json_t *set)
{
    char path[4200], sub[4200], msg[CONSTAT_ERROR_MSG_MAX];
    DIR *d;
    struct dirent *de;
    struct stat sb;
    int rc = 0, entries = 0;

    constat_bprintf(path, sizeof path, "%s%s%s", c->dir, *rel ? "/" : "", rel);
    if (!(d = opendir(path))) {
        constat_bprintf(msg, sizeof msg, "cannot list the folder: %s", strerror(errno));
        pfail(c, *rel ? rel : ".", msg);
        return -1;
    }
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        entries++;
        constat_bprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        constat_bprintf(path, sizeof path, "%s/%s", c->dir, sub);
        if (json_object_size(set) >= LIST_FILES_MAX) {
            pfail(c, ".", "holds more than 100000 files: not a public report");
            rc = -1;
        } else if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            if (depth >= LIST_DEPTH_MAX) {
                pfail(c, sub, "folders nested deeper than 8: not a public report");
                rc = -1;
            } else
                rc = list_files(c, sub, depth + 1, set);
        } else if (json_object_set_new(set, sub, json_true()) != 0)
            rc = -1;
    }
    closedir(d);
    /* an empty folder is no page either */
    if (rc == 0 && entries == 0 && *rel) {
        constat_bprintf(sub, sizeof sub, "%s/", rel);
        if (json_object_set_new(set, sub, json_true()) != 0)
            rc = -1;
    }
    return rc;
}

constat_status constat_verify_public_report(const char *dir, const char *trust_file,
                                            constat_public_fail_fn fail, void *ctx,
                                            uint64_t *passed, uint64_t *failed, int *log_key_from,
                                            constat_error *err)
{
    return dossier_verify_public_report_key(dir, trust_file, NULL, fail, ctx, passed, failed,
                                            log_key_from, err);
}

constat_status dossier_verify_public_report_key(const char *dir, const char *trust_file,
                                                const constat_note_verifier *log_key,
                                                constat_public_fail_fn fail, void *ctx,
                                                uint64_t *passed, uint64_t *failed,
                                                int *log_key_from, constat_error *err)
{
    pinned_key plog, porg;
    int from = -1;
    pcheck c;
    constat_buf b;
    json_t *figs = NULL, *meta = NULL, *present = NULL;
    constat_taxonomy *tax = NULL;
    constat_report_meta m;
    constat_error e;
    uint64_t matched = 0;
    char tpath[4200];
    constat_status st = CONSTAT_OK;

    memset(&plog, 0, sizeof plog);
    memset(&porg, 0, sizeof porg);
    if (trust_file && (st = constat_trust_file_parse(trust_file, &plog, &porg, err)) != CONSTAT_OK)
        return st;
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
    if (meta)
        check_checkpoint(&c, meta, trust_file, &plog, log_key, &from);
    if (!(present = json_object()))
        st = CONSTAT_ENOMEM;
    else if (list_files(&c, "", 0, present) == 0) {
        /* the PDF, not checked, must at least be a file: not a link, folder or FIFO */
        struct stat pb;
        char pp[4200];
        constat_bprintf(pp, sizeof pp, "%s/report.pdf", dir);
        if (lstat(pp, &pb) == 0 && !S_ISREG(pb.st_mode))
            pfail(&c, "report.pdf", "not a regular file (a link, a folder or a FIFO): refused, "
                  "not read");
        for (size_t i = 0; i < sizeof public_inputs / sizeof *public_inputs; i++)
            json_object_del(present, public_inputs[i]);
    } else { /* the failure is said; no file list to hold the pages to */
        json_decref(present);
        present = NULL;
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
        st = constat_report_recheck(NULL, 0, tax, NULL, figs, &m, "", present, pread_cb, pfail_cb,
                                    &c, &matched, &e);
        c.passed += matched;
        if (st != CONSTAT_OK && st != CONSTAT_ENOMEM) {
            pfail(&c, "index.html", "cannot be rendered again from figures.json");
            st = CONSTAT_OK;
        }
    }
    json_decref(figs);
    json_decref(meta);
    json_decref(present);
    constat_taxonomy_free(tax);
    constat_buf_free(&b);
    if (log_key_from)
        *log_key_from = from;
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
