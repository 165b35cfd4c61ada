/*
 * verify.c — offline verification of a dossier (verify.h, docs/dossier.md).
 *
 * The verifier trusts nothing in the folder. It keeps going after a failed
 * check so that a sceptic gets the whole list in one run, and it phrases
 * every failure as "<where>: <what does not hold>" so the list can be quoted
 * in a reply without reading the code. Files are streamed with per-line
 * limits (a hostile dossier cannot make us allocate without bound), and
 * records.jsonl and proofs.jsonl are read in lockstep so a proof (2 KiB of
 * hashes) never outlives its line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "constat/record/canon.h"
#include "constat/dossier/format.h"
#include "constat/evidence/evidence.h"
#include "constat/base/hash.h"
#include "constat/log/merkle.h"
#include "constat/log/note.h"
#include "constat/record/record.h"
#include "constat/analysis/report.h"
#include "constat/analysis/pseudonyms.h"
#include "constat/record/binding.h"
#include "constat/evidence/tsa.h"
#include "constat/dossier/verify.h"
#include "constat/witness/witness_policy.h"
#include "record/record_internal.h"
#include "base/text.h"
#include "dossier/report_check.h"
#include "dossier/public_dossier.h"
#include "dossier/trust.h"
#include "dossier/verify_keys.h"
#include "constat/base/file.h"
#include "constat/vault/org_name.h"



/* ---- failure accounting ------------------------------------------------ */

typedef struct {
    constat_failure_fn fail;
    void *ctx;
    uint64_t passed;
    uint64_t failed;
    char first[CONSTAT_ERROR_MSG_MAX];
} vstate;

static void vpass(vstate *s)
{
    s->passed++;
}

static void vfail(vstate *s, int64_t index, const char *where, const char *fmt, ...)
    CONSTAT_PRINTF(4, 5);

static void vfail(vstate *s, int64_t index, const char *where, const char *fmt, ...)
{
    char msg[1024];
    char full[1400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (where && *where)
        constat_bprintf(full, sizeof full, "%s: %s", where, msg);
    else
        constat_bprintf(full, sizeof full, "%s", msg);
    s->failed++;
    if (s->failed == 1)
        constat_bprintf(s->first, sizeof s->first, "%s", full);
    if (s->fail)
        s->fail(s->ctx, index, full);
}

/* Record ids and key names come from hostile files: keep them printable and
 * short before they reach a message a person will read. */
static void sanitize(const char *in, size_t len, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; i < len && j + 4 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (len > 0 && j + 4 >= cap && cap > 4) {
        out[j++] = '.';
        out[j++] = '.';
        out[j++] = '.';
    }
    out[j] = '\0';
}

/* ---- reading files with limits ------------------------------------------ */

static void path_join(char *out, size_t cap, const char *dir, const char *rel)
{
    constat_bprintf(out, cap, "%s/%s", dir, rel);
}

/* Open a file for reading, refusing anything but a regular file. Inside a
 * dossier (`inside`) a symbolic link is refused too, not followed: a dossier
 * unpacked from an archive could hold a link to /etc/... or a FIFO that
 * would block the verifier forever; O_NONBLOCK makes opening a FIFO return
 * at once so that fstat can refuse it. NULL with errno set (ENOENT when
 * missing, EFTYPE-like EINVAL when not a regular file). */
static FILE *open_regular(const char *path, int inside)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (inside ? O_NOFOLLOW : 0));
    struct stat sb;
    FILE *f;

    if (fd < 0) {
        if (errno == ELOOP)
            errno = EINVAL;
        return NULL;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

static const char *open_error(int e)
{
    return e == ENOENT ? "missing"
           : e == EINVAL ? "not a regular file (a symbolic link, FIFO, device or "
                           "directory): refused, not read"
                         : "cannot open";
}

/* Read a whole regular file of at most `max` bytes into `out` (`inside`:
 * a file of the dossier, see open_regular).
 * CONSTAT_ENOTFOUND, CONSTAT_EIO, CONSTAT_ELIMIT or CONSTAT_ENOMEM. */
static constat_status read_file_in(const char *path, size_t max, constat_buf *out,
                                   constat_error *err, int inside)
{
    FILE *f = open_regular(path, inside);
    constat_status rc;

    constat_buf_reset(out);
    if (!f) {
        if (errno == ENOENT)
            return constat_error_set(err, CONSTAT_ENOTFOUND, "missing");
        return constat_error_set(err, CONSTAT_EIO, "cannot open: %s", open_error(errno));
    }
    rc = constat_file_read(f, max, out, err);
    if (rc == CONSTAT_ELIMIT)
        constat_error_set(err, rc, "larger than the limit of %zu bytes", max);
    else if (rc == CONSTAT_EIO)
        constat_error_set(err, rc, "read error: %s", strerror(errno));
    fclose(f);
    return rc;
}

static constat_status read_file(const char *path, size_t max, constat_buf *out,
                                constat_error *err)
{
    return read_file_in(path, max, out, err, 1);
}

/* SHA-256 of a dossier file, opened as open_regular does. */
static constat_status hash_file(const char *path, uint8_t out[32], constat_error *err)
{
    FILE *f = open_regular(path, 1);
    constat_sha256_ctx c;
    unsigned char chunk[65536];
    size_t n;

    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO, "%s",
                                 open_error(errno));
    constat_sha256_init(&c);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        constat_sha256_update(&c, chunk, n);
    if (ferror(f)) {
        fclose(f);
        return constat_error_set(err, CONSTAT_EIO, "read error");
    }
    fclose(f);
    constat_sha256_final(&c, out);
    return CONSTAT_OK;
}

/* Buffered line reader: a line longer than the limit is skipped to its end
 * and flagged, never buffered whole. */
enum { LR_TOO_LONG = 1, LR_NO_NEWLINE = 2 };

typedef struct {
    FILE *f;
    unsigned char buf[65536];
    size_t pos, len;
    int eof;
    int ioerr;
} lreader;

/* 1: a line was appended to `out` (flags say whether it was too long, then
 * nothing is appended, or unterminated); 0: end of file; -1: out of memory. */
static int lr_next(lreader *r, constat_buf *out, size_t max, unsigned *flags)
{
    int any = 0;
    size_t base = out->len;

    *flags = 0;
    for (;;) {
        unsigned char *s, *nl;
        size_t avail, take;

        if (r->pos == r->len) {
            if (r->eof) {
                if (any)
                    *flags |= LR_NO_NEWLINE;
                return any;
            }
            r->len = fread(r->buf, 1, sizeof r->buf, r->f);
            r->pos = 0;
            if (r->len == 0) {
                r->eof = 1;
                if (ferror(r->f))
                    r->ioerr = 1;
            }
            continue;
        }
        any = 1;
        s = r->buf + r->pos;
        avail = r->len - r->pos;
        nl = memchr(s, '\n', avail);
        take = nl ? (size_t)(nl - s) : avail;
        if (!(*flags & LR_TOO_LONG)) {
            if (out->len - base + take > max) {
                *flags |= LR_TOO_LONG;
                out->len = base;
                if (out->data)
                    out->data[base] = 0;
            } else if (take > 0 && constat_buf_append(out, s, take) != CONSTAT_OK)
                return -1;
        }
        r->pos += take + (nl ? 1 : 0);
        if (nl)
            return 1;
    }
}

/* ---- proofs.jsonl lines ------------------------------------------------ */

static constat_status b64_hash(const json_t *v, uint8_t out[32])
{
    size_t n = 0;
    if (!json_is_string(v))
        return CONSTAT_EINVAL;
    if (json_string_length(v) != 44)
        return CONSTAT_EINVAL;
    if (constat_unbase64(json_string_value(v), 44, out, 32, &n) != CONSTAT_OK || n != 32)
        return CONSTAT_EINVAL;
    return CONSTAT_OK;
}

static int b64_digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* The one canonical base64 spelling of 32 bytes (43 digits, '=', the two
 * spare bits zero): exactly what constat_unbase64 accepts for 44 bytes. */
static int b64_32(const char *s, uint8_t out[32])
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    if (s[43] != '=')
        return 0;
    for (int i = 0; i < 43; i++) {
        int d = b64_digit((unsigned char)s[i]);
        if (d < 0)
            return 0;
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return acc == 0;
}

/* The line exactly as constat writes it,
 * {"index":N,"leaf_hash":"<b64>","proof":["<b64>",...]}, read without
 * jansson. Anything else (spacing, order, a value out of range) returns 0
 * and goes through the JSON parser, which then gives the same result or
 * the error message: this path only ever accepts what that one accepts. */
static int proof_line_fast(const char *p, size_t len, constat_dossier_proof_line *out)
{
    const char *e = p + len;
    uint64_t idx = 0;
    size_t nd = 0, n = 0;

    if (len < 9 || memcmp(p, "{\"index\":", 9) != 0)
        return 0;
    p += 9;
    while (p < e && *p >= '0' && *p <= '9' && nd < 16) {
        idx = idx * 10 + (uint64_t)(*p - '0');
        p++;
        nd++;
    }
    if (nd == 0 || (nd > 1 && p[-(ptrdiff_t)nd] == '0') || idx >= CONSTAT_LOG_MAX_SIZE)
        return 0;
    if ((size_t)(e - p) < 14 + 44 + 11 || memcmp(p, ",\"leaf_hash\":\"", 14) != 0 ||
        !b64_32(p + 14, out->leaf_hash) || memcmp(p + 58, "\",\"proof\":[", 11) != 0)
        return 0;
    p += 69;
    if (p < e && *p == ']') {
        p++;
    } else {
        for (;;) {
            if (n == CONSTAT_PROOF_MAX_HASHES || (size_t)(e - p) < 47 || p[0] != '"' ||
                p[45] != '"' || !b64_32(p + 1, out->proof.hash[n]))
                return 0;
            n++;
            p += 46;
            if (*p == ']') {
                p++;
                break;
            }
            if (*p != ',')
                return 0;
            p++;
        }
    }
    if (e - p != 1 || *p != '}')
        return 0;
    out->index = idx;
    out->proof.n = n;
    return 1;
}

constat_status constat_dossier_proof_line_parse(const char *line, size_t len,
                                                constat_dossier_proof_line *out,
                                                constat_error *err)
{
    json_t *j = NULL, *idx, *lh, *pr;
    constat_status rc;
    json_int_t iv;

    if (len > CONSTAT_DOSSIER_PROOF_LINE_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT,
                                 "line longer than %u bytes", CONSTAT_DOSSIER_PROOF_LINE_MAX);
    if (line && proof_line_fast(line, len, out))
        return CONSTAT_OK;
    rc = constat_json_parse(line ? line : "", len, "proof line", 0, &j, err);
    if (rc != CONSTAT_OK)
        return rc;
    rc = CONSTAT_EINVAL;
    if (!json_is_object(j)) {
        constat_error_set(err, rc, "not a JSON object");
        goto out;
    }
    idx = json_object_get(j, "index");
    lh = json_object_get(j, "leaf_hash");
    pr = json_object_get(j, "proof");
    if (!idx || !lh || !pr) {
        constat_error_set(err, rc, "missing member %s",
                          !idx ? "index" : !lh ? "leaf_hash" : "proof");
        goto out;
    }
    if (json_object_size(j) != 3) {
        constat_error_set(err, rc, "members other than index, leaf_hash and proof");
        goto out;
    }
    if (!json_is_integer(idx)) {
        constat_error_set(err, rc, "index: not an integer");
        goto out;
    }
    iv = json_integer_value(idx);
    if (iv < 0 || (uint64_t)iv >= CONSTAT_LOG_MAX_SIZE) {
        constat_error_set(err, rc, "index: out of range");
        goto out;
    }
    out->index = (uint64_t)iv;
    if (b64_hash(lh, out->leaf_hash) != CONSTAT_OK) {
        constat_error_set(err, rc, "leaf_hash: not the base64 of 32 bytes");
        goto out;
    }
    if (!json_is_array(pr)) {
        constat_error_set(err, rc, "proof: not an array");
        goto out;
    }
    if (json_array_size(pr) > CONSTAT_PROOF_MAX_HASHES) {
        rc = constat_error_set(err, CONSTAT_ELIMIT, "proof: more than %d hashes",
                               CONSTAT_PROOF_MAX_HASHES);
        goto out;
    }
    out->proof.n = json_array_size(pr);
    for (size_t i = 0; i < out->proof.n; i++) {
        if (b64_hash(json_array_get(pr, i), out->proof.hash[i]) != CONSTAT_OK) {
            constat_error_set(err, rc, "proof[%zu]: not the base64 of 32 bytes", i);
            goto out;
        }
    }
    rc = CONSTAT_OK;
out:
    json_decref(j);
    return rc;
}

/* ---- keys --------------------------------------------------------------- */

/* pinned_key: dossier/trust.h */

static int same_key(const constat_note_verifier *a, const constat_note_verifier *b)
{
    return a->alg == b->alg && a->key_id == b->key_id && strcmp(a->name, b->name) == 0 &&
           memcmp(a->pk, b->pk, sizeof a->pk) == 0;
}

constat_status constat_trust_file_parse(const char *path, pinned_key *log, pinned_key *org,
                                        constat_error *err)
{
    constat_buf b;
    constat_status rc;
    char *p, *end;
    int line = 0;

    constat_buf_init(&b);
    rc = read_file_in(path, 64 * 1024, &b, err, 0);
    if (rc != CONSTAT_OK) {
        constat_error_prefix(err, "trust file %s: ", path);
        constat_buf_free(&b);
        return rc;
    }
    p = b.data ? (char *)b.data : (char *)"";
    end = p + b.len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        char text[CONSTAT_DOSSIER_VKEY_MAX + 8];
        size_t n;
        pinned_key *k;

        line++;
        while (le > p && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
            le--;
        n = (size_t)(le - p);
        if (n == 0 || p[0] == '#') {
            p = nl ? nl + 1 : end;
            continue;
        }
        if (n >= sizeof text) {
            constat_buf_free(&b);
            return constat_error_set(err, CONSTAT_EINVAL, "trust file %s line %d: too long",
                                     path, line);
        }
        memcpy(text, p, n);
        text[n] = '\0';
        if (memchr(text, '\0', n)) {
            constat_buf_free(&b);
            return constat_error_set(err, CONSTAT_EINVAL, "trust file %s line %d: NUL byte",
                                     path, line);
        }
        if (strncmp(text, "log ", 4) == 0)
            k = log;
        else if (strncmp(text, "org ", 4) == 0)
            k = org;
        else {
            constat_buf_free(&b);
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "trust file %s line %d: expected \"log <vkey>\" or "
                                     "\"org <vkey>\"", path, line);
        }
        if (k->have) {
            constat_buf_free(&b);
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "trust file %s line %d: second %.3s key (first on line %d)",
                                     path, line, text, k->line);
        }
        {
            const char *vk = text + 4;
            while (*vk == ' ')
                vk++;
            rc = constat_note_verifier_parse(vk, &k->v, err);
            if (rc != CONSTAT_OK) {
                constat_error_prefix(err, "trust file %s line %d: ", path, line);
                constat_buf_free(&b);
                return CONSTAT_EINVAL;
            }
        }
        k->have = 1;
        k->line = line;
        p = nl ? nl + 1 : end;
    }
    constat_buf_free(&b);
    /* An empty file would silently verify with the dossier's own keys, the
     * very thing --trust is there to avoid. */
    if (!log->have && !org->have)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "trust file %s: the trust file pins no key (expected lines "
                                 "\"log <vkey>\" and \"org <vkey>\")", path);
    return CONSTAT_OK;
}

/* Load keys/<which>.vkey and reconcile it with a pinned key. On return *use
 * points to the key to verify with (NULL when there is none). */
static void load_key(vstate *s, const char *dir, const char *which, const char *trust_path,
                     const pinned_key *pin, constat_note_verifier *own,
                     const constat_note_verifier **use, constat_key_provenance *prov,
                     int *differs)
{
    char rel[64], path[4096];
    constat_buf b;
    constat_error e;
    int own_ok = 0;

    constat_bprintf(rel, sizeof rel, "keys/%s.vkey", which);
    path_join(path, sizeof path, dir, rel);
    constat_buf_init(&b);
    constat_error_clear(&e);
    if (read_file(path, CONSTAT_DOSSIER_VKEY_MAX, &b, &e) != CONSTAT_OK) {
        vfail(s, -1, rel, "%s", e.msg);
    } else {
        size_t n = b.len;
        char *t = b.data ? (char *)b.data : (char *)"";
        while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
            n--;
        if (b.data)
            t[n] = '\0';
        if (memchr(t, '\0', n))
            vfail(s, -1, rel, "contains a NUL byte");
        else if (constat_note_verifier_parse(t, own, &e) != CONSTAT_OK)
            vfail(s, -1, rel, "not a verifier key: %s", e.msg);
        else {
            own_ok = 1;
            vpass(s);
        }
    }
    constat_buf_free(&b);

    *prov = CONSTAT_KEY_FROM_DOSSIER;
    *differs = 0;
    *use = own_ok ? own : NULL;
    if (pin->have) {
        *prov = CONSTAT_KEY_PINNED;
        *use = &pin->v;
        if (own_ok) {
            if (same_key(own, &pin->v)) {
                vpass(s);
            } else {
                char a[CONSTAT_KEY_NAME_MAX + 16], bb[CONSTAT_KEY_NAME_MAX + 16];
                constat_record_key_id(own, a, sizeof a);
                constat_record_key_id(&pin->v, bb, sizeof bb);
                *differs = 1;
                vfail(s, -1, rel,
                      "%s key %s is not the key pinned in %s line %d (%s); "
                      "verifying with the pinned key",
                      which, a, trust_path, pin->line, bb);
            }
        }
    }
}

/* ---- manifest ------------------------------------------------------------ */

/* Manifest paths name files inside the dossier: relative, no "." or ".."
 * components, portable characters only. */
static int safe_relpath(const char *p, size_t len)
{
    size_t comp = 0;
    if (len == 0 || len > 255)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? p[i] : '/';
        if (c == '/') {
            if (comp == 0)
                return 0;
            if ((comp == 1 && p[i - 1] == '.') ||
                (comp == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
                return 0;
            comp = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
        comp++;
    }
    return 1;
}

static const char *const REQUIRED_FILES[] = {
    "records.jsonl", "proofs.jsonl", "checkpoint", "keys/log.vkey",
    "keys/org.vkey", "taxonomy.json", "figures.json",
};

typedef struct {
    json_t *root;              /* parsed manifest, or NULL */
    const char *origin, *org;  /* borrowed from root, or NULL */
    const char *org_name;      /* the display name (borrowed), NULL if none or invalid */
    char org_shown[CONSTAT_ORG_DISPLAY_MAX + 160]; /* as the report shows it */
    int have_tree_size, have_records;
    uint64_t tree_size, records;
    int have_filter;
    constat_dossier_filter filter;
    const char **ids;          /* filter.ids (borrowed strings), or NULL */
    constat_buf raw;           /* manifest.json's bytes, for its signature */
    int have_raw;
} manifest;

static void manifest_free(manifest *m)
{
    json_decref(m->root);
    m->root = NULL;
    free(m->ids);
    m->ids = NULL;
    constat_buf_free(&m->raw);
}

/* filter.ids of the manifest into m->filter (ids, nids): an array of
 * strings, else a failure and no filter. 0, or -1 when refused. */
static int manifest_ids(vstate *s, const json_t *filt, manifest *m)
{
    const json_t *a = json_object_get(filt, "ids"), *v;
    size_t i;

    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) == 0 ||
        json_array_size(a) > CONSTAT_DOSSIER_MAX_IDS) {
        vfail(s, -1, "manifest.json", "filter.ids: not an array of 1 to %u record ids",
              CONSTAT_DOSSIER_MAX_IDS);
        return -1;
    }
    m->ids = malloc(json_array_size(a) * sizeof *m->ids);
    if (!m->ids) {
        vfail(s, -1, "manifest.json", "filter.ids: out of memory");
        return -1;
    }
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            vfail(s, -1, "manifest.json", "filter.ids[%zu]: not a string", i);
            return -1;
        }
        m->ids[i] = json_string_value(v);
    }
    m->filter.ids = m->ids;
    m->filter.nids = json_array_size(a);
    return 0;
}

/* Every regular file under the dossier folder (paths relative to it). */
typedef struct {
    char **v;
    size_t n, cap;
    int refused;   /* a link, FIFO, device, socket or unreadable folder */
    int nomem;
} dirlist;

static void dirlist_free(dirlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Walk the folder without following anything: each entry is lstat'ed
 * (fstatat, AT_SYMLINK_NOFOLLOW) and only regular files and real
 * directories are accepted. Anything else is a failure naming it, and the
 * verifier then reads nothing (a FIFO would block a reader forever, a link
 * could point anywhere on the verifier's machine). */
static void walk_dossier(vstate *s, int dfd, const char *rel, int depth, dirlist *out)
{
    DIR *d = fdopendir(dfd);
    struct dirent *de;

    if (!d) {
        close(dfd);
        vfail(s, -1, rel[0] ? rel : ".", "cannot list the folder: %s", strerror(errno));
        out->refused = 1;
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char r[600], name[700];
        struct stat sb;
        size_t nl = strlen(de->d_name);

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (strlen(rel) + nl + 2 > sizeof r) {
            sanitize(de->d_name, nl, name, 80);
            vfail(s, -1, rel, "entry %s...: path too long", name);
            out->refused = 1;
            continue;
        }
        constat_bprintf(r, sizeof r, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        sanitize(r, strlen(r), name, sizeof name);
        if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            vfail(s, -1, name, "cannot stat: %s", strerror(errno));
            out->refused = 1;
        } else if (S_ISLNK(sb.st_mode)) {
            vfail(s, -1, name, "is a symbolic link: refused, not followed (a dossier holds "
                  "regular files only)");
            out->refused = 1;
        } else if (S_ISDIR(sb.st_mode)) {
            int fd;
            if (depth >= 16) {
                vfail(s, -1, name, "folders nested too deep");
                out->refused = 1;
                continue;
            }
            fd = openat(dirfd(d), de->d_name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                vfail(s, -1, name, "cannot open the folder: %s", strerror(errno));
                out->refused = 1;
                continue;
            }
            walk_dossier(s, fd, r, depth + 1, out);
        } else if (!S_ISREG(sb.st_mode)) {
            vfail(s, -1, name, "is a %s, not a regular file: refused, not read",
                  S_ISFIFO(sb.st_mode) ? "FIFO (named pipe)"
                  : S_ISSOCK(sb.st_mode) ? "socket"
                                         : "device");
            out->refused = 1;
        } else if (out->n >= (size_t)CONSTAT_DOSSIER_MAX_FILES + 2) {
            if (out->n == (size_t)CONSTAT_DOSSIER_MAX_FILES + 2) {
                vfail(s, -1, ".", "more than %u files", CONSTAT_DOSSIER_MAX_FILES);
                out->refused = 1;
            }
        } else {
            if (out->n == out->cap) {
                size_t nc = out->cap ? out->cap * 2 : 32;
                char **nv = realloc(out->v, nc * sizeof *nv);
                if (!nv) {
                    out->nomem = 1;
                    break;
                }
                out->v = nv;
                out->cap = nc;
            }
            out->v[out->n] = strdup(r);
            if (!out->v[out->n]) {
                out->nomem = 1;
                break;
            }
            out->n++;
        }
    }
    closedir(d);
}

/* "constat-manifest-v1\n" || manifest.json, signed by the organisation key;
 * manifest.sig is JCS {"key_id":"name+hex8","signature":"<base64 64 bytes>"}
 * (docs/dossier.md "Manifest signature"). */
#define MANIFEST_SIG_CONTEXT "constat-manifest-v1\n"
#define MANIFEST_SIG_MAX 4096u

static void check_manifest_sig(vstate *s, const char *dir, const manifest *m,
                               const constat_note_verifier *orgv, int *ok)
{
    char path[4096], kid[CONSTAT_KEY_NAME_MAX + 16];
    constat_buf b, msg;
    constat_error e;
    json_t *root = NULL, *k, *sg;
    uint8_t sig[64];
    size_t siglen = 0;
    const char *why = NULL;
    char whybuf[400];

    *ok = 0;
    constat_buf_init(&b);
    constat_buf_init(&msg);
    constat_error_clear(&e);
    path_join(path, sizeof path, dir, "manifest.sig");
    if (read_file(path, MANIFEST_SIG_MAX, &b, &e) != CONSTAT_OK) {
        constat_bprintf(whybuf, sizeof whybuf, "%s", e.msg);
        why = whybuf;
    } else if (!orgv) {
        why = "cannot be checked: no organisation key";
    } else if (!m->have_raw) {
        why = "cannot be checked: manifest.json unreadable";
    } else if (constat_json_parse(b.data ? (char *)b.data : "", b.len, "manifest.sig", 0, &root,
                                  &e) != CONSTAT_OK) {
        constat_bprintf(whybuf, sizeof whybuf, "not valid JSON: %s", e.msg);
        why = whybuf;
    } else if (!json_is_object(root) || json_object_size(root) != 2 ||
               !json_is_string(k = json_object_get(root, "key_id")) ||
               !json_is_string(sg = json_object_get(root, "signature"))) {
        why = "not {\"key_id\":\"...\",\"signature\":\"...\"}";
    } else {
        constat_record_key_id(orgv, kid, sizeof kid);
        if (strcmp(json_string_value(k), kid) != 0) {
            char got[120];
            sanitize(json_string_value(k), json_string_length(k), got, sizeof got);
            constat_bprintf(whybuf, sizeof whybuf, "key_id %s is not the organisation key %s", got,
                    kid);
            why = whybuf;
        } else if (constat_unbase64(json_string_value(sg), json_string_length(sg), sig,
                                    sizeof sig, &siglen) != CONSTAT_OK ||
                   siglen != sizeof sig) {
            why = "signature: not base64 of 64 bytes";
        } else if (constat_buf_append(&msg, MANIFEST_SIG_CONTEXT,
                                      sizeof MANIFEST_SIG_CONTEXT - 1) != CONSTAT_OK ||
                   constat_buf_append(&msg, m->raw.data ? m->raw.data : (const uint8_t *)"",
                                      m->raw.len) != CONSTAT_OK) {
            why = "out of memory";
        } else if (crypto_sign_verify_detached(sig, msg.data, msg.len, orgv->pk) != 0) {
            constat_bprintf(whybuf, sizeof whybuf, "signature does not verify with %s over "
                    "manifest.json (manifest.json or manifest.sig changed after the "
                    "organisation signed it)", kid);
            why = whybuf;
        }
    }
    if (why) {
        vfail(s, -1, "manifest.sig", "%s: manifest.json is not signed by the organisation "
              "key%s%s; its selection, file list and hashes are not the organisation's",
              why, orgv ? " " : "", orgv ? orgv->name : "");
    } else {
        *ok = 1;
        vpass(s);
    }
    json_decref(root);
    constat_buf_free(&b);
    constat_buf_free(&msg);
}

static const char *opt_str(vstate *s, const json_t *o, const char *key, const char *where)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        vfail(s, -1, "manifest.json", "%s.%s: not a string", where, key);
        return NULL;
    }
    return json_string_value(v);
}

static void check_manifest(vstate *s, const char *dir, manifest *m, const dirlist *present,
                           constat_error *fatal)
{
    char path[4096];
    constat_buf b;
    constat_error e;
    json_t *files, *v;

    (void)fatal;
    memset(m, 0, sizeof *m);
    constat_buf_init(&m->raw);
    constat_buf_init(&b);
    constat_error_clear(&e);
    path_join(path, sizeof path, dir, "manifest.json");
    if (read_file(path, CONSTAT_DOSSIER_JSON_MAX, &b, &e) != CONSTAT_OK) {
        vfail(s, -1, "manifest.json", "%s", e.msg);
        constat_buf_free(&b);
        return;
    }
    if (constat_json_parse(b.data ? (char *)b.data : "", b.len, "manifest.json", 0, &m->root,
                           &e) != CONSTAT_OK) {
        vfail(s, -1, "manifest.json", "not valid JSON: %s", e.msg);
        constat_buf_free(&b);
        return;
    }
    m->raw = b; /* kept for the signature check */
    m->have_raw = 1;
    if (!json_is_object(m->root)) {
        vfail(s, -1, "manifest.json", "not a JSON object");
        return;
    }
    v = json_object_get(m->root, "v");
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        vfail(s, -1, "manifest.json", "v: not 1 (unknown manifest version)");
    else
        vpass(s);
    m->origin = opt_str(s, m->root, "origin", "manifest");
    m->org = opt_str(s, m->root, "org", "manifest");
    if (!m->origin)
        vfail(s, -1, "manifest.json", "origin: missing");
    if (!m->org)
        vfail(s, -1, "manifest.json", "org: missing");
    m->org_name = opt_str(s, m->root, "org_name", "manifest");
    if (m->org_name) {
        constat_error ne;
        constat_error_clear(&ne);
        if (constat_org_display_check(m->org_name, &ne) != CONSTAT_OK) {
            vfail(s, -1, "manifest.json", "org_name: %s", ne.msg);
            m->org_name = NULL;
        }
    }
    constat_org_shown(m->org_name, m->org, m->org_shown, sizeof m->org_shown);
    v = json_object_get(m->root, "tree_size");
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        m->have_tree_size = 1;
        m->tree_size = (uint64_t)json_integer_value(v);
    } else {
        vfail(s, -1, "manifest.json", "tree_size: missing or not a non-negative integer");
    }
    v = json_object_get(m->root, "records");
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        m->have_records = 1;
        m->records = (uint64_t)json_integer_value(v);
    } else {
        vfail(s, -1, "manifest.json", "records: missing or not a non-negative integer");
    }
    v = json_object_get(m->root, "filter");
    if (v && !json_is_object(v)) {
        vfail(s, -1, "manifest.json", "filter: not an object");
    } else if (v) {
        m->have_filter = 1;
        m->filter.from = opt_str(s, v, "from", "filter");
        m->filter.to = opt_str(s, v, "to", "filter");
        m->filter.category = opt_str(s, v, "category", "filter");
        m->filter.place = opt_str(s, v, "place", "filter");
        m->filter.country = opt_str(s, v, "country", "filter");
        m->filter.commune = opt_str(s, v, "commune", "filter");
        m->filter.source_type = opt_str(s, v, "source_type", "filter");
        if (manifest_ids(s, v, m) != 0) {
            m->have_filter = 0;
        } else if (constat_dossier_filter_check(&m->filter, NULL, &e) != CONSTAT_OK) {
            vfail(s, -1, "manifest.json", "%s", e.msg);
            m->have_filter = 0;
        }
    }

    files = json_object_get(m->root, "files");
    if (!json_is_object(files)) {
        vfail(s, -1, "manifest.json", "files: missing or not an object");
        return;
    }
    if (json_object_size(files) > CONSTAT_DOSSIER_MAX_FILES) {
        vfail(s, -1, "manifest.json", "files: more than %u entries", CONSTAT_DOSSIER_MAX_FILES);
        return;
    }
    for (size_t i = 0; i < sizeof REQUIRED_FILES / sizeof REQUIRED_FILES[0]; i++) {
        if (!json_object_get(files, REQUIRED_FILES[i]))
            vfail(s, -1, "manifest.json", "files: %s is not listed", REQUIRED_FILES[i]);
    }
    {
        const char *key;
        json_t *hv;
        json_object_foreach(files, key, hv) {
            char name[300];
            uint8_t want[32], got[32];
            size_t klen = strlen(key);

            sanitize(key, klen, name, sizeof name);
            if (!safe_relpath(key, klen) || strcmp(key, "manifest.json") == 0) {
                vfail(s, -1, "manifest.json", "files: \"%s\" is not a file name inside the "
                      "dossier", name);
                continue;
            }
            if (!json_is_string(hv) || json_string_length(hv) != 64 ||
                constat_unhex(json_string_value(hv), want, 32) != CONSTAT_OK) {
                vfail(s, -1, "manifest.json", "files: %s: not 64 hex digits", name);
                continue;
            }
            path_join(path, sizeof path, dir, key);
            constat_error_clear(&e);
            if (hash_file(path, got, &e) != CONSTAT_OK) {
                vfail(s, -1, name, "listed in manifest.json but %s", e.msg);
                continue;
            }
            if (memcmp(want, got, 32) != 0) {
                char hex[65];
                constat_hex(got, 32, hex);
                vfail(s, -1, name, "SHA-256 is %s, manifest.json says %s (file changed "
                      "after the dossier was written)", hex, json_string_value(hv));
                continue;
            }
            vpass(s);
        }
    }
    /* Every file present must be one the organisation listed (and signed):
     * nothing can be slipped in beside the signed files. */
    for (size_t i = 0; i < present->n; i++) {
        const char *p = present->v[i];
        char name[700];
        if (strcmp(p, "manifest.json") == 0 || strcmp(p, "manifest.sig") == 0 ||
            json_object_get(files, p))
            continue;
        sanitize(p, strlen(p), name, sizeof name);
        vfail(s, -1, name, "is in the dossier but not listed in manifest.json: not part of "
              "what the organisation signed");
    }
}

/* ---- records and proofs -------------------------------------------------- */

/*
 * The per-record work (both lines parsed, leaf hash, inclusion proof,
 * record validation, filter, signature) runs on every core, while what a
 * person reads stays exactly what a single pass printed, in the same order.
 * records.jsonl and proofs.jsonl are still read in lockstep, one chunk of
 * lines at a time (a proof, up to 2 KiB of hashes, lives only as long as
 * its chunk):
 *   A. workers check each line pair of the chunk on their own and keep the
 *      outcome, messages included, without reporting anything;
 *   B. one thread then reports the chunk's line checks in line order (the
 *      ascending-index check is sequential by nature) and adds the chunk's
 *      valid enrolments to the table of known keys.
 * Enrolment and record outcomes are kept per record and reported after
 * every line check, as the order of the checks has always been.
 * Monitor signatures need every enrolment known first, so the records'
 * bytes are kept (in the chunk buffers, about the size of records.jsonl)
 * and checked in a second parallel step, while one thread checks the
 * evidence files and recomputes the figures, which need every record too;
 * what those report is recorded and replayed in its place.
 */

typedef struct {
    char key_id[CONSTAT_KEY_NAME_MAX + 10];
    constat_note_verifier v;   /* v.name is the enrolled monitor */
    uint64_t index;
    int index_ok;
    uint64_t line;
} enrolment;

typedef struct {
    enrolment *v;             /* sorted by key id, then line */
    size_t n, cap;
} enrolments;

typedef struct {
    uint64_t line;        /* 1-based line of records.jsonl */
    uint64_t index;       /* leaf index from proofs.jsonl */
    int index_ok;         /* index known, ascending and within the tree */
    int leaf_ok;          /* leaf parsed */
    constat_leaf leaf;
    char id[140];         /* sanitised record id, "" if unknown */
    const char *kind;     /* borrowed from leaf.record */
    const char *monitor;  /* borrowed from leaf.record, or NULL */
    /* outcomes kept from the parallel pass until they are reported */
    char *msgs;           /* failures: 'E' (enrolment) or 'S' (record), text, NUL */
    size_t msgs_len;
    uint32_t epass, spass;
    enrolment *enrol;     /* a valid enrolment: the key it enrols */
    const uint8_t *rec;   /* JCS(record), in a chunk buffer kept for the signatures */
    size_t rec_len;
    int sig_done;         /* signature checked against its key's first enrolment */
    int sig_ok;
    char *sig_msg;        /* why it did not verify */
    int revocation_ok;    /* a revocation signed by the organisation key */
    int org_checked;      /* an erasure checked against the organisation key, as revocations */
    uint8_t leaf_hash[32]; /* RFC 9162 hash of the line's leaf bytes */
} ventry;

/* "leaf 42 (record X)" or "records.jsonl line 5 (record X)". */
static void entry_where(const ventry *e, char *out, size_t cap)
{
    char head[64];
    if (e->index_ok)
        constat_bprintf(head, sizeof head, "leaf %" PRIu64, e->index);
    else
        constat_bprintf(head, sizeof head, "records.jsonl line %" PRIu64, e->line);
    if (e->id[0])
        constat_bprintf(out, cap, "%s (record %s)", head, e->id);
    else
        constat_bprintf(out, cap, "%s", head);
}

static int64_t entry_rep(const ventry *e)
{
    return e->index_ok ? (int64_t)e->index : -1;
}

typedef struct {
    ventry *v;
    size_t n, cap;
} ventries;

static void ventry_free(ventry *e)
{
    if (e->leaf_ok)
        constat_leaf_free(&e->leaf);
    e->leaf_ok = 0;
    free(e->msgs);
    free(e->enrol);
    free(e->sig_msg);
    e->msgs = NULL;
    e->enrol = NULL;
    e->sig_msg = NULL;
}

static void ventries_free(ventries *es)
{
    for (size_t i = 0; i < es->n; i++)
        ventry_free(&es->v[i]);
    free(es->v);
    es->v = NULL;
    es->n = es->cap = 0;
}

typedef struct {
    int have;             /* checkpoint parsed (size/root usable) */
    uint64_t size;
    uint8_t root[32];
} cpinfo;

/* ---- workers ------------------------------------------------------------- */

enum { VERIFY_MAX_THREADS = 8, PFOR_BATCH = 8 };

typedef struct {
    constat_buf canon;    /* a leaf's canonical re-encoding */
    constat_buf msg;      /* a signed message */
    int nomem;
} worker;

typedef void (*pfor_fn)(void *ctx, worker *w, size_t i);

typedef struct {
    pfor_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
} pfor_job;

typedef struct {
    pfor_job *job;
    worker *w;
    void (*side)(void *); /* run first, when not NULL */
    void *side_ctx;
} pfor_arg;

static void pfor_run(pfor_job *j, worker *w)
{
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, PFOR_BATCH), end;
        if (i >= j->n)
            return;
        end = j->n - i > PFOR_BATCH ? i + PFOR_BATCH : j->n;
        for (; i < end; i++)
            j->fn(j->ctx, w, i);
    }
}

static void *pfor_thread(void *arg)
{
    pfor_arg *a = arg;
    if (a->side)
        a->side(a->side_ctx);
    pfor_run(a->job, a->w);
    return NULL;
}

/* fn(ctx, worker, i) for every i < n, on up to nw threads (this one
 * included), this thread first running side(side_ctx) and the first thread
 * started side2(side2_ctx), each when not NULL (side2 on this thread, after
 * side, when no thread starts). Items are independent; a thread that cannot
 * be started only means fewer threads. */
static void parallel_for_sides(worker *ws, int nw, pfor_fn fn, void *ctx, size_t n,
                               void (*side)(void *), void *side_ctx,
                               void (*side2)(void *), void *side2_ctx)
{
    pthread_t th[VERIFY_MAX_THREADS];
    pfor_arg args[VERIFY_MAX_THREADS];
    pfor_job j;
    int started = 0;

    j.fn = fn;
    j.ctx = ctx;
    j.n = n;
    atomic_init(&j.next, 0);
    for (int t = 1; t < nw && ((size_t)t * PFOR_BATCH < n || (t == 1 && side2)); t++) {
        args[started].job = &j;
        args[started].w = &ws[t];
        args[started].side = started == 0 ? side2 : NULL;
        args[started].side_ctx = side2_ctx;
        if (pthread_create(&th[started], NULL, pfor_thread, &args[started]) != 0)
            break;
        started++;
    }
    if (side)
        side(side_ctx);
    if (side2 && started == 0)
        side2(side2_ctx);
    pfor_run(&j, &ws[0]);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

static void parallel_for(worker *ws, int nw, pfor_fn fn, void *ctx, size_t n)
{
    parallel_for_sides(ws, nw, fn, ctx, n, NULL, NULL, NULL, NULL);
}

static void free_work(void *ctx, worker *w, size_t i)
{
    (void)w;
    ventry_free(&((ventries *)ctx)->v[i]);
}

/* Releasing 200,000 parsed records takes a while too: share it out. */
static void ventries_free_parallel(ventries *es, int nw)
{
    worker ws[VERIFY_MAX_THREADS];
    memset(ws, 0, sizeof ws);
    parallel_for(ws, nw, free_work, es, es->n);
    ventries_free(es);
}

static int worker_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > VERIFY_MAX_THREADS ? VERIFY_MAX_THREADS : (int)n;
}

/* ---- outcomes kept for later ------------------------------------------- */

/* Keep a failure of e for the enrolment ('E') or record ('S') report. */
static void keep_fail(worker *w, ventry *e, char tag, const char *fmt, ...) CONSTAT_PRINTF(4, 5);
static void keep_fail(worker *w, ventry *e, char tag, const char *fmt, ...)
{
    char msg[1024];
    size_t n;
    char *nv;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    n = strlen(msg);
    nv = realloc(e->msgs, e->msgs_len + n + 2);
    if (!nv) {
        w->nomem = 1;
        return;
    }
    e->msgs = nv;
    nv[e->msgs_len] = tag;
    memcpy(nv + e->msgs_len + 1, msg, n + 1);
    e->msgs_len += n + 2;
}

static void report_kept(vstate *s, const ventry *e, char tag, const char *where)
{
    for (size_t i = 0; i < e->msgs_len;) {
        const char *m = e->msgs + i;
        size_t n = strlen(m);
        if (m[0] == tag)
            vfail(s, entry_rep(e), where, "%s", m + 1);
        i += n + 1;
    }
}

static char *dup_msg(worker *w, const char *m)
{
    char *d = strdup(m);
    if (!d)
        w->nomem = 1;
    return d;
}

static int enrol_cmp(const void *a, const void *b)
{
    const enrolment *x = a, *y = b;
    int c = strcmp(x->key_id, y->key_id);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* First enrolment (by line) of this key id, or NULL. */
static const enrolment *enrol_find(const enrolments *t, const char *key_id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(t->v[mid].key_id, key_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && strcmp(t->v[lo].key_id, key_id) == 0)
        return &t->v[lo];
    return NULL;
}

static const char *rec_str(const json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- one chunk of line pairs ------------------------------------------- */

typedef struct {
    int hr, hp;               /* a record line / a proof line was read */
    unsigned rfl, pfl;        /* LR_* flags */
    uint64_t nrec, nproof;    /* their line numbers */
    size_t roff, rlen, poff, plen; /* in the chunk's buffers */
    size_t ei;                /* entry of the record line */
    /* step A */
    int proof_ok;
    uint64_t pindex;
    int lh_ok, incl_ok;
    char *proof_err, *leaf_err, *incl_err;
} lslot;

typedef struct {
    lslot *sl;
    const constat_buf *ra, *pa;
    ventries *es;
    const cpinfo *cp;
    const constat_note_verifier *orgv;
    const constat_keychain *kc; /* the organisation keys (verify_keys.h) */
    const char *org_kid;
    const constat_taxonomy *tax;
    const manifest *m;
} lines_ctx;

/* The enrolment checks of one leaf (organisation signature, org, monitor,
 * vkey); a valid one gets e->enrol. */
static void enrol_work(const lines_ctx *c, worker *w, ventry *e, const uint8_t *msg,
                       size_t msglen)
{
    const char *vk, *mon, *org;
    constat_note_verifier mv;
    constat_error ce;
    int ok = 1;

    constat_error_clear(&ce);
    if (!c->orgv) {
        keep_fail(w, e, 'E', "enrolment cannot be checked: no organisation key");
        ok = 0;
    } else if (constat_leaf_verify_message(&e->leaf, msg, msglen,
                                           constat_dossier_org_key_for(c->kc, e->leaf.key_id,
                                                                       c->orgv),
                                           &ce) != CONSTAT_OK) {
        char kid[CONSTAT_KEY_NAME_MAX + 16];
        sanitize(e->leaf.key_id, strlen(e->leaf.key_id), kid, sizeof kid);
        keep_fail(w, e, 'E',
                  "enrolment is not signed by the organisation key %s (key_id %s): %s",
                  c->org_kid, kid, ce.msg);
        ok = 0;
    } else {
        e->epass++;
    }
    org = rec_str(e->leaf.record, "org");
    if (c->orgv && (!org || strcmp(org, c->orgv->name) != 0)) {
        keep_fail(w, e, 'E', "enrolment org is not the organisation key's name %s",
                  c->orgv->name);
        ok = 0;
    }
    mon = rec_str(e->leaf.record, "monitor");
    vk = rec_str(e->leaf.record, "vkey");
    if (!mon || !vk) {
        keep_fail(w, e, 'E', "enrolment lacks %s", !mon ? "monitor" : "vkey");
        return;
    }
    constat_error_clear(&ce);
    if (constat_note_verifier_parse(vk, &mv, &ce) != CONSTAT_OK) {
        keep_fail(w, e, 'E', "enrolment vkey is not a verifier key: %s", ce.msg);
        return;
    }
    if (strcmp(mv.name, mon) != 0) {
        keep_fail(w, e, 'E', "enrolment vkey is named differently from its monitor field");
        return;
    }
    if (!ok)
        return;
    e->epass++;
    e->enrol = calloc(1, sizeof *e->enrol);
    if (!e->enrol) {
        w->nomem = 1;
        return;
    }
    e->enrol->v = mv;
    constat_record_key_id(&mv, e->enrol->key_id, sizeof e->enrol->key_id);
    e->enrol->line = e->line;
}

static void sig_check(worker *w, ventry *e, const enrolment *hit, const uint8_t *msg,
                      size_t msglen)
{
    constat_error ce;

    constat_error_clear(&ce);
    e->sig_done = 1;
    e->sig_ok = constat_leaf_verify_message(&e->leaf, msg, msglen, &hit->v, &ce) == CONSTAT_OK;
    if (!e->sig_ok)
        e->sig_msg = dup_msg(w, ce.msg);
}

/* 1 if `e` is an erasure whose key id is the organisation key's. */
static int org_erasure(const lines_ctx *c, const ventry *e)
{
    return e->kind && strcmp(e->kind, "erasure") == 0 && c->org_kid &&
           (strcmp(e->leaf.key_id, c->org_kid) == 0 ||
            (c->kc && constat_keychain_find(c->kc, e->leaf.key_id)));
}

/* What a parsed leaf can show on its own: valid record, filter, and the
 * enrolment checks; a monitor's record keeps its bytes for its signature. */
static void record_work(const lines_ctx *c, worker *w, ventry *e, const uint8_t *leaf,
                        size_t roff, size_t rlen)
{
    static const char domain[] = CONSTAT_RECORD_SIG_DOMAIN;
    constat_error ce;
    int incident = e->kind && strcmp(e->kind, "incident") == 0;

    constat_error_clear(&ce);
    if (constat_record_validate(e->leaf.record, c->tax, &ce) != CONSTAT_OK)
        keep_fail(w, e, 'S', "record is not valid (docs/record.md%s): %s",
                  c->tax ? ", taxonomy.json" : "", ce.msg);
    else
        e->spass++;
    if (incident && c->m->have_filter) {
        if (!constat_dossier_filter_match(&c->m->filter, e->leaf.record))
            keep_fail(w, e, 'S', "incident does not match the filter stated in manifest.json");
        else
            e->spass++;
    }
    /* revocations, and erasures signed by the organisation key (docs/vault.md
     * "Erasure"; one signed by a monitor is checked as that monitor's record) */
    int revocation = e->kind && (strcmp(e->kind, "revocation") == 0 || org_erasure(c, e));
    /* a rotation enrols its new key as an enrolment does (docs/vault.md "Rotation") */
    if (!(e->kind && (strcmp(e->kind, "monitor_enrolment") == 0 ||
                      strcmp(e->kind, "monitor_rotation") == 0)) && !revocation) {
        e->rec = leaf + roff;
        e->rec_len = rlen;
        return;
    }
    /* the signed message: the domain, then the record's slice of the leaf */
    constat_buf_reset(&w->msg);
    if (constat_buf_append(&w->msg, domain, sizeof domain - 1) != CONSTAT_OK ||
        constat_buf_append(&w->msg, leaf + roff, rlen) != CONSTAT_OK) {
        w->nomem = 1;
        return;
    }
    if (revocation) { /* signed by the organisation key (docs/vault.md "Revocation") */
        int erasure = strcmp(e->kind, "erasure") == 0;
        e->org_checked = erasure;
        constat_error_clear(&ce);
        if (!c->orgv ||
            constat_leaf_verify_message(&e->leaf, w->msg.data, w->msg.len,
                                        constat_dossier_org_key_for(c->kc, e->leaf.key_id,
                                                                    c->orgv),
                                        &ce) != CONSTAT_OK) {
            keep_fail(w, e, 'E', "%s is not signed by the organisation key %s: %s",
                      erasure ? "erasure" : "revocation", c->org_kid,
                      c->orgv ? ce.msg : "no organisation key");
        } else {
            e->epass++;
            e->revocation_ok = !erasure;
        }
        return;
    }
    enrol_work(c, w, e, w->msg.data, w->msg.len);
}

/* Step A for line pair i of the chunk. */
static void line_work(void *vctx, worker *w, size_t i)
{
    const lines_ctx *c = vctx;
    lslot *sl = &c->sl[i];
    constat_dossier_proof_line pline;
    constat_error ce;
    ventry *e;
    const uint8_t *leaf;
    uint8_t lh[32];
    size_t roff = 0, rlen = 0;

    if (sl->hp == 1 && !(sl->pfl & LR_TOO_LONG)) {
        constat_error_clear(&ce);
        if (constat_dossier_proof_line_parse(sl->plen ? (const char *)c->pa->data + sl->poff
                                                      : "",
                                             sl->plen, &pline, &ce) == CONSTAT_OK) {
            sl->proof_ok = 1;
            sl->pindex = pline.index;
        } else {
            sl->proof_err = dup_msg(w, ce.msg);
        }
    }
    if (sl->hr != 1 || (sl->rfl & LR_TOO_LONG))
        return;
    e = &c->es->v[sl->ei];
    leaf = sl->rlen ? c->ra->data + sl->roff : (const uint8_t *)"";
    constat_error_clear(&ce);
    if (constat_leaf_parse_span(leaf, sl->rlen, &e->leaf, &w->canon, &roff, &rlen, &ce) ==
        CONSTAT_OK) {
        json_t *id = json_object_get(e->leaf.record, "id");
        json_t *kind = json_object_get(e->leaf.record, "kind");
        e->leaf_ok = 1;
        if (json_is_string(id))
            sanitize(json_string_value(id), json_string_length(id), e->id, sizeof e->id);
        e->kind = json_is_string(kind) ? json_string_value(kind) : NULL;
        e->monitor = rec_str(e->leaf.record, "monitor");
    } else {
        sl->leaf_err = dup_msg(w, ce.msg);
    }
    constat_merkle_leaf_hash(leaf, sl->rlen, lh);
    memcpy(e->leaf_hash, lh, 32); /* a pseudonym binding names it */
    if (sl->proof_ok) {
        sl->lh_ok = memcmp(lh, pline.leaf_hash, 32) == 0;
        if (c->cp->have) {
            constat_error_clear(&ce);
            sl->incl_ok = constat_merkle_verify_inclusion(pline.index, c->cp->size, lh,
                                                          &pline.proof, c->cp->root,
                                                          &ce) == CONSTAT_OK;
            if (!sl->incl_ok)
                sl->incl_err = dup_msg(w, ce.msg);
        }
    }
    if (e->leaf_ok)
        record_work(c, w, e, leaf, roff, rlen);
}

typedef struct {
    uint64_t prev;
    int have_prev;
} order_state;

/* Step B: the chunk's line checks, in line order, as they always read; the
 * chunk's valid enrolments join the table (sorted once every line is read). */
static constat_status report_chunk(vstate *s, const lines_ctx *c, size_t ns, order_state *o,
                                   enrolments *known)
{
    const cpinfo *cp = c->cp;

    for (size_t i = 0; i < ns; i++) {
        lslot *sl = &c->sl[i];
        ventry *e;
        char where[256];
        int proof_ok = 0;

        if (sl->hp == 1) {
            if (sl->pfl & LR_TOO_LONG)
                vfail(s, -1, "proofs.jsonl", "line %" PRIu64 ": longer than %u bytes",
                      sl->nproof, CONSTAT_DOSSIER_PROOF_LINE_MAX);
            else if (!sl->proof_ok)
                vfail(s, -1, "proofs.jsonl", "line %" PRIu64 ": %s", sl->nproof,
                      sl->proof_err ? sl->proof_err : "");
            else {
                proof_ok = 1;
                vpass(s);
            }
            if (sl->pfl & LR_NO_NEWLINE)
                vfail(s, -1, "proofs.jsonl", "line %" PRIu64 ": no newline at the end "
                      "(truncated file?)", sl->nproof);
        }
        if (sl->hr != 1)
            continue; /* a proof line without a record: counted, reported below */
        e = &c->es->v[sl->ei];

        if (proof_ok) {
            e->index = sl->pindex;
            if (o->have_prev && sl->pindex <= o->prev) {
                constat_bprintf(where, sizeof where, "proofs.jsonl line %" PRIu64, sl->nproof);
                vfail(s, (int64_t)sl->pindex, where,
                      "leaf index %" PRIu64 " does not follow %" PRIu64
                      ": indices must ascend without duplicates", sl->pindex, o->prev);
            } else if (cp->have && sl->pindex >= cp->size) {
                constat_bprintf(where, sizeof where, "proofs.jsonl line %" PRIu64, sl->nproof);
                vfail(s, (int64_t)sl->pindex, where,
                      "leaf index %" PRIu64 " is outside the checkpoint's tree (size %" PRIu64
                      ")", sl->pindex, cp->size);
            } else {
                e->index_ok = 1;
                vpass(s);
            }
            if (!o->have_prev || sl->pindex > o->prev)
                o->prev = sl->pindex;
            o->have_prev = 1;
        }
        if (e->enrol) {
            e->enrol->index = e->index;
            e->enrol->index_ok = e->index_ok;
            if (known->n == known->cap) {
                size_t nc = known->cap ? known->cap * 2 : 8;
                enrolment *nv = realloc(known->v, nc * sizeof *nv);
                if (!nv)
                    return CONSTAT_ENOMEM;
                known->v = nv;
                known->cap = nc;
            }
            known->v[known->n++] = *e->enrol;
        }

        if (sl->rfl & LR_TOO_LONG) {
            entry_where(e, where, sizeof where);
            vfail(s, entry_rep(e), where, "records.jsonl line %" PRIu64
                  " is longer than the %u-byte leaf limit", sl->nrec, CONSTAT_RECORD_MAX_BYTES);
            continue;
        }
        if (e->leaf_ok) {
            vpass(s);
        } else {
            entry_where(e, where, sizeof where);
            vfail(s, entry_rep(e), where, "records.jsonl line %" PRIu64
                  " is not a canonical leaf: %s", sl->nrec, sl->leaf_err ? sl->leaf_err : "");
        }
        entry_where(e, where, sizeof where);
        if (sl->rfl & LR_NO_NEWLINE)
            vfail(s, entry_rep(e), where, "records.jsonl line %" PRIu64
                  " has no newline at the end (truncated file?)", sl->nrec);
        if (!proof_ok)
            continue;
        if (!sl->lh_ok)
            vfail(s, entry_rep(e), where,
                  "leaf_hash in proofs.jsonl line %" PRIu64
                  " is not SHA-256(0x00 || records.jsonl line %" PRIu64 ")", sl->nproof,
                  sl->nrec);
        else
            vpass(s);
        if (!cp->have)
            continue;
        if (!sl->incl_ok)
            vfail(s, (int64_t)sl->pindex, where,
                  "inclusion proof does not lead to the checkpoint root (size %" PRIu64
                  "): %s", cp->size, sl->incl_err ? sl->incl_err : "");
        else
            vpass(s);
    }
    return CONSTAT_OK;
}

static void slots_clear(lslot *sl, size_t ns)
{
    for (size_t i = 0; i < ns; i++) {
        free(sl[i].proof_err);
        free(sl[i].leaf_err);
        free(sl[i].incl_err);
    }
}

/* A chunk holds at most this many line pairs and about this many bytes. */
enum { CHUNK_LINES = 4096, CHUNK_BYTES = 16u << 20 };

typedef struct {
    worker *w;
    int nw;
    const constat_note_verifier *orgv;
    const constat_keychain *kc; /* the organisation keys (verify_keys.h) */
    char org_kid[CONSTAT_KEY_NAME_MAX + 16];
    const constat_taxonomy *tax;
    const manifest *m;
    enrolments known;     /* valid enrolments, sorted once the lines are read */
    unsigned char **keep; /* chunk buffers of records.jsonl, for the signatures */
    size_t nkeep, capkeep;
} lines_env;

static void lines_env_free(lines_env *env)
{
    if (env->w)
        for (int t = 0; t < env->nw; t++) {
            constat_buf_free(&env->w[t].canon);
            constat_buf_free(&env->w[t].msg);
        }
    free(env->w);
    env->w = NULL;
    free(env->known.v);
    memset(&env->known, 0, sizeof env->known);
    for (size_t i = 0; i < env->nkeep; i++)
        free(env->keep[i]);
    free(env->keep);
    env->keep = NULL;
    env->nkeep = env->capkeep = 0;
}

/* Keep the chunk's record lines (the entries point into them) and start a
 * new buffer. Trimmed first, before anything points into it. */
static constat_status keep_chunk(lines_env *env, constat_buf *ra)
{
    unsigned char *d;
    if (env->nkeep == env->capkeep) {
        size_t nc = env->capkeep ? env->capkeep * 2 : 16;
        unsigned char **nv = realloc(env->keep, nc * sizeof *nv);
        if (!nv)
            return CONSTAT_ENOMEM;
        env->keep = nv;
        env->capkeep = nc;
    }
    d = constat_buf_detach(ra, NULL);
    if (d)
        env->keep[env->nkeep++] = d;
    return CONSTAT_OK;
}

static void trim_buf(constat_buf *b)
{
    if (b->data && b->cap > b->len + 1) {
        unsigned char *nd = realloc(b->data, b->len + 1);
        if (nd) {
            b->data = nd;
            b->cap = b->len + 1;
        }
    }
}

/* Read records.jsonl and proofs.jsonl in lockstep and check each pair. */
static constat_status check_lines(vstate *s, const char *dir, const cpinfo *cp,
                                  ventries *es, lines_env *env, uint64_t *nproofs_out)
{
    char rpath[4096], ppath[4096];
    FILE *rf, *pf;
    lreader *rr = NULL, *pr = NULL;
    constat_buf ra, pa;
    lslot *sl = NULL;
    uint64_t nrec = 0, nproof = 0;
    order_state ord = {0, 0};
    int stop = 0, done = 0;
    constat_status rc = CONSTAT_OK;
    lines_ctx c;

    path_join(rpath, sizeof rpath, dir, "records.jsonl");
    path_join(ppath, sizeof ppath, dir, "proofs.jsonl");
    rf = open_regular(rpath, 1);
    if (!rf)
        vfail(s, -1, "records.jsonl", "%s", open_error(errno));
    pf = open_regular(ppath, 1);
    if (!pf)
        vfail(s, -1, "proofs.jsonl", "%s", open_error(errno));
    if (!rf || !pf) {
        if (rf)
            fclose(rf);
        if (pf)
            fclose(pf);
        *nproofs_out = 0;
        return CONSTAT_OK;
    }
    rr = calloc(1, sizeof *rr);
    pr = calloc(1, sizeof *pr);
    sl = calloc(CHUNK_LINES, sizeof *sl);
    if (!rr || !pr || !sl) {
        free(rr);
        free(pr);
        free(sl);
        fclose(rf);
        fclose(pf);
        return CONSTAT_ENOMEM;
    }
    rr->f = rf;
    pr->f = pf;
    constat_buf_init(&ra);
    constat_buf_init(&pa);
    c.sl = sl;
    c.ra = &ra;
    c.pa = &pa;
    c.es = es;
    c.cp = cp;
    c.orgv = env->orgv;
    c.kc = env->kc;
    c.org_kid = env->org_kid;
    c.tax = env->tax;
    c.m = env->m;

    while (!stop && !done && rc == CONSTAT_OK) {
        size_t ns = 0;

        constat_buf_reset(&ra);
        constat_buf_reset(&pa);
        while (ns < CHUNK_LINES && ra.len + pa.len < CHUNK_BYTES) {
            lslot *t = &sl[ns];
            int hr, hp;

            memset(t, 0, sizeof *t);
            t->roff = ra.len;
            t->poff = pa.len;
            hr = lr_next(rr, &ra, CONSTAT_RECORD_MAX_BYTES, &t->rfl);
            hp = lr_next(pr, &pa, CONSTAT_DOSSIER_PROOF_LINE_MAX, &t->pfl);
            if (hr < 0 || hp < 0) {
                rc = CONSTAT_ENOMEM;
                break;
            }
            if (hr == 0 && hp == 0) {
                done = 1;
                break;
            }
            if (hp == 1)
                nproof++;
            if (hr == 1)
                nrec++;
            if (nrec > CONSTAT_DOSSIER_MAX_RECORDS || nproof > CONSTAT_DOSSIER_MAX_RECORDS) {
                stop = 1;
                break;
            }
            t->hr = hr;
            t->hp = hp;
            t->rlen = ra.len - t->roff;
            t->plen = pa.len - t->poff;
            t->nrec = nrec;
            t->nproof = nproof;
            if (hr == 1) {
                if (es->n == es->cap) {
                    size_t nc = es->cap ? es->cap * 2 : 64;
                    ventry *nv = realloc(es->v, nc * sizeof *nv);
                    if (!nv) {
                        rc = CONSTAT_ENOMEM;
                        break;
                    }
                    es->v = nv;
                    es->cap = nc;
                }
                memset(&es->v[es->n], 0, sizeof es->v[es->n]);
                es->v[es->n].line = nrec;
                t->ei = es->n++;
            }
            ns++;
        }
        if (rc != CONSTAT_OK)
            break;
        trim_buf(&ra);
        parallel_for(env->w, env->nw, line_work, &c, ns);
        for (int t = 0; t < env->nw; t++)
            if (env->w[t].nomem)
                rc = CONSTAT_ENOMEM;
        if (rc == CONSTAT_OK)
            rc = report_chunk(s, &c, ns, &ord, &env->known);
        slots_clear(sl, ns);
        if (rc == CONSTAT_OK)
            rc = keep_chunk(env, &ra);
    }
    if (env->known.n > 1)
        qsort(env->known.v, env->known.n, sizeof *env->known.v, enrol_cmp);
    if (stop && rc == CONSTAT_OK)
        vfail(s, -1, "records.jsonl", "more than %u lines: not checked further",
              CONSTAT_DOSSIER_MAX_RECORDS);
    if (rc == CONSTAT_OK && !stop) {
        if (rr->ioerr)
            vfail(s, -1, "records.jsonl", "read error");
        if (pr->ioerr)
            vfail(s, -1, "proofs.jsonl", "read error");
        if (nrec != nproof)
            vfail(s, -1, "proofs.jsonl", "has %" PRIu64 " lines but records.jsonl has %" PRIu64
                  ": line i of each must describe the same leaf", nproof, nrec);
        else
            vpass(s);
    }
    constat_buf_free(&ra);
    constat_buf_free(&pa);
    fclose(rf);
    fclose(pf);
    free(rr);
    free(pr);
    free(sl);
    *nproofs_out = nproof;
    return rc;
}

/* ---- signatures ---------------------------------------------------------- */

typedef struct {
    ventries *es;
    const enrolments *known;
} sig_ctx;

/* The signature of a monitor's record, when the report will need it: its
 * key is enrolled, and not only later in the log. */
static void sig_work(void *vctx, worker *w, size_t i)
{
    static const char domain[] = CONSTAT_RECORD_SIG_DOMAIN;
    sig_ctx *d = vctx;
    ventry *e = &d->es->v[i];
    const enrolment *hit;

    if (!e->leaf_ok || !e->rec)
        return;
    hit = enrol_find(d->known, e->leaf.key_id);
    if (!hit || (hit->index_ok && e->index_ok && hit->index >= e->index))
        return;
    constat_buf_reset(&w->msg);
    if (constat_buf_append(&w->msg, domain, sizeof domain - 1) != CONSTAT_OK ||
        constat_buf_append(&w->msg, e->rec, e->rec_len) != CONSTAT_OK) {
        w->nomem = 1;
        return;
    }
    sig_check(w, e, hit, w->msg.data, w->msg.len);
}

/* A register entry (docs/record.md "register") is signed by the
 * organisation key, like an enrolment; checked here, in log order (there
 * are few). */
static void register_signature(vstate *s, const ventry *e, const lines_env *env,
                               const char *where, const char *what)
{
    static const char domain[] = CONSTAT_RECORD_SIG_DOMAIN;
    constat_buf msg;
    constat_error ce;

    if (!env->orgv) {
        vfail(s, entry_rep(e), where, "%s cannot be checked: no organisation key", what);
        return;
    }
    constat_buf_init(&msg);
    constat_error_clear(&ce);
    if (!e->rec || constat_buf_append(&msg, domain, sizeof domain - 1) != CONSTAT_OK ||
        constat_buf_append(&msg, e->rec, e->rec_len) != CONSTAT_OK ||
        constat_leaf_verify_message(&e->leaf, msg.data, msg.len,
                                    constat_dossier_org_key_for(env->kc, e->leaf.key_id,
                                                                env->orgv),
                                    &ce) != CONSTAT_OK)
        vfail(s, entry_rep(e), where, "%s is not signed by the organisation key %s: %s", what,
              env->org_kid, ce.msg[0] ? ce.msg : "no record");
    else
        vpass(s);
    constat_buf_free(&msg);
}

/* Each leaf signed by a key of the organisation's chain must be signed by
 * the key in force at its index (keychain.h: the old key up to and including
 * its transition's leaf, the new one after it). */
static void org_eras(vstate *s, const ventries *es, const lines_env *env)
{
    char where[256];

    if (!env->kc || env->kc->n < 2)
        return;
    for (size_t i = 0; i < es->n; i++) {
        const ventry *e = &es->v[i];
        const constat_key_era *at, *by;
        if (!e->leaf_ok || !e->index_ok ||
            !(by = constat_keychain_find(env->kc, e->leaf.key_id)))
            continue;
        at = constat_keychain_at(env->kc, e->index);
        entry_where(e, where, sizeof where);
        if (at == by) {
            vpass(s);
            continue;
        }
        if (by->from > e->index)
            vfail(s, entry_rep(e), where, "signed by the organisation key %s, which is in force "
                  "only from leaf %llu (key transition at leaf %lld)", by->key_id,
                  (unsigned long long)by->from, (long long)by->transition);
        else
            vfail(s, entry_rep(e), where, "signed by the organisation key %s, RETIRED by the "
                  "key transition at leaf %lld: %s is in force at this leaf", by->key_id,
                  (long long)at->transition, at->key_id);
    }
}

/* Enrolments signed by the organisation key, then every other leaf signed
 * by a monitor enrolled earlier in the log: the outcomes kept in step A,
 * reported in log order. */
static constat_status report_signatures_in(vstate *s, ventries *es, lines_env *env,
                                           uint64_t *nmon, uint64_t *ninc, json_t *bindable)
{
    char where[256];

    for (size_t i = 0; i < es->n; i++) {
        ventry *e = &es->v[i];
        if (!e->leaf_ok || !e->kind ||
            (strcmp(e->kind, "monitor_enrolment") != 0 && strcmp(e->kind, "revocation") != 0 &&
             strcmp(e->kind, "monitor_rotation") != 0 && !e->org_checked))
            continue;
        entry_where(e, where, sizeof where);
        report_kept(s, e, 'E', where);
        s->passed += e->epass;
    }
    org_eras(s, es, env);
    *nmon = env->known.n;

    *ninc = 0;
    for (size_t i = 0; i < es->n; i++) {
        ventry *e = &es->v[i];
        const enrolment *hit;
        char kid[CONSTAT_KEY_NAME_MAX + 16];

        if (!e->leaf_ok)
            continue;
        if (e->kind && strcmp(e->kind, "incident") == 0)
            (*ninc)++;
        entry_where(e, where, sizeof where);
        report_kept(s, e, 'S', where);
        s->passed += e->spass;
        if (e->org_checked || (e->kind && (strcmp(e->kind, "monitor_enrolment") == 0 ||
                                           strcmp(e->kind, "monitor_rotation") == 0 ||
                                           strcmp(e->kind, "key_transition") == 0 ||
                                           strcmp(e->kind, "revocation") == 0)))
            continue;
        if (e->kind && strcmp(e->kind, "register") == 0) {
            register_signature(s, e, env, where, "register entry");
            continue;
        }
        if (e->kind && strcmp(e->kind, "pseudonym_binding") == 0) {
            /* the organisation's pseudonyms of a record signed offline,
             * which it names by id and leaf hash (binding.h) */
            constat_error be;
            uint64_t before = s->failed;
            register_signature(s, e, env, where, "pseudonym binding");
            constat_error_clear(&be);
            if (s->failed == before &&
                constat_binding_seen(bindable, e->leaf.record, &be) != CONSTAT_OK) {
                if (be.code == CONSTAT_ENOMEM)
                    return CONSTAT_ENOMEM;
                vfail(s, entry_rep(e), where, "pseudonym binding %s", be.msg);
            }
            continue;
        }
        if (constat_binding_note(bindable, e->leaf.record, e->leaf_hash, NULL) != CONSTAT_OK)
            return CONSTAT_ENOMEM;

        sanitize(e->leaf.key_id, strlen(e->leaf.key_id), kid, sizeof kid);
        hit = enrol_find(&env->known, e->leaf.key_id);
        if (!hit) {
            if (env->org_kid[0] && strcmp(env->org_kid, e->leaf.key_id) == 0)
                vfail(s, entry_rep(e), where,
                      "signed by the organisation key %s, which signs only enrolments", kid);
            else
                vfail(s, entry_rep(e), where,
                      "signed by key %s, which no valid enrolment in this dossier enrols", kid);
            continue;
        }
        if (hit->index_ok && e->index_ok && hit->index >= e->index) {
            vfail(s, entry_rep(e), where,
                  "signed by key %s, enrolled only later in the log (leaf %" PRIu64 ")", kid,
                  hit->index);
            continue;
        }
        if (!e->sig_done)
            return CONSTAT_EINTERNAL; /* sig_work skipped this record: a bug */
        if (!e->sig_ok) {
            vfail(s, entry_rep(e), where,
                  "signature by monitor key %s (enrolled at leaf %" PRIu64 ") does not verify: %s",
                  kid, hit->index, e->sig_msg ? e->sig_msg : "");
            continue;
        }
        vpass(s);
        if (!e->monitor || strcmp(e->monitor, hit->v.name) != 0) {
            char mname[CONSTAT_KEY_NAME_MAX + 16];
            sanitize(hit->v.name, strlen(hit->v.name), mname, sizeof mname);
            vfail(s, entry_rep(e), where,
                  "monitor field is not %s, the monitor enrolled with key %s", mname, kid);
        } else {
            vpass(s);
        }
    }
    return CONSTAT_OK;
}

/* report_signatures_in with the table of records a pseudonym binding may
 * name (binding.h), filled in log order. */
static constat_status report_signatures(vstate *s, ventries *es, lines_env *env,
                                        uint64_t *nmon, uint64_t *ninc)
{
    json_t *bindable = json_object();
    constat_status rc =
        bindable ? report_signatures_in(s, es, env, nmon, ninc, bindable) : CONSTAT_ENOMEM;
    json_decref(bindable);
    return rc;
}

/* Revoked monitor keys (docs/vault.md "Revocation"): a record signed by a
 * key a valid revocation names fails when its recorded_at is at or after
 * the revocation's `from`, or when it comes after the revocation in the log. */
static void report_revocations(vstate *s, ventries *es)
{
    char where[256], kid[CONSTAT_KEY_NAME_MAX + 16];

    for (size_t r = 0; r < es->n; r++) {
        const ventry *rv = &es->v[r];
        const char *rk, *from;
        int64_t f, t;
        int off;
        if (!rv->revocation_ok)
            continue;
        rk = rec_str(rv->leaf.record, "key_id");
        from = rec_str(rv->leaf.record, "from");
        if (!rk || !from || constat_rfc3339_parse(from, &f, &off) != CONSTAT_OK)
            continue; /* the record validation reported it */
        for (size_t i = 0; i < es->n; i++) {
            const ventry *e = &es->v[i];
            const char *ra;
            int after_time, after_leaf;
            if (!e->leaf_ok || !e->rec || strcmp(e->leaf.key_id, rk) != 0)
                continue;
            ra = rec_str(e->leaf.record, "recorded_at");
            after_time = !ra || constat_rfc3339_parse(ra, &t, &off) != CONSTAT_OK || t >= f;
            after_leaf = e->index_ok && rv->index_ok && e->index > rv->index;
            if (!after_time && !after_leaf) {
                vpass(s);
                continue;
            }
            entry_where(e, where, sizeof where);
            sanitize(rk, strlen(rk), kid, sizeof kid);
            vfail(s, entry_rep(e), where, "signed by %s, whose key was REVOKED by leaf %" PRIu64
                  " from %s (reason: %.200s): %s", kid, rv->index, from,
                  rec_str(rv->leaf.record, "reason") ? rec_str(rv->leaf.record, "reason") : "",
                  after_time ? "its recorded_at is at or after that time"
                             : "it was logged after the revocation (its recorded_at, before "
                               "that time, cannot be trusted from a revoked key)");
        }
    }
}

/* Only the monitor who recorded an incident or evidence record amends it
 * (docs/record.md "Corrections and retractions"): a correction, retraction
 * or monitor-signed erasure in the dossier of a record of another monitor
 * in the dossier fails, naming both, as constat_vault_verify does; the
 * figures do not apply it (constat_records_effective). */
static void report_owners(vstate *s, ventries *es)
{
    char where[256];
    json_t *owners = json_object();

    if (!owners)
        return;
    for (size_t i = 0; i < es->n; i++) {
        const ventry *e = &es->v[i];
        const char *id, *t = NULL, *owner;
        if (!e->leaf_ok || !e->kind || !e->monitor)
            continue;
        id = rec_str(e->leaf.record, "id");
        if (strcmp(e->kind, "incident") == 0 || strcmp(e->kind, "evidence") == 0) {
            if (id && !json_object_get(owners, id))
                (void)json_object_set_new(owners, id, json_string(e->monitor));
            continue;
        }
        if (strcmp(e->kind, "correction") == 0)
            t = rec_str(e->leaf.record, "corrects");
        else if (strcmp(e->kind, "retraction") == 0)
            t = rec_str(e->leaf.record, "retracts");
        else if (strcmp(e->kind, "erasure") == 0 && !e->org_checked)
            t = rec_str(e->leaf.record, "erases");
        owner = t ? json_string_value(json_object_get(owners, t)) : NULL;
        if (!owner)
            continue;
        if (strcmp(owner, e->monitor) == 0)
            continue;
        entry_where(e, where, sizeof where);
        vfail(s, entry_rep(e), where, "%s of record \"%.140s\" by monitor \"%.64s\": it was "
              "recorded by monitor \"%.64s\", who alone amends it (not applied)",
              e->kind, t, e->monitor, owner);
    }
    json_decref(owners);
}

/* Rotated monitor keys (docs/vault.md "Rotation"): a record signed by the
 * key a valid rotation retires fails when its recorded_at is at or after
 * the rotation's. Every rotation travels in every dossier. */
static void report_rotations(vstate *s, ventries *es)
{
    char where[256], kid[CONSTAT_KEY_NAME_MAX + 16], nk[CONSTAT_KEY_NAME_MAX + 16];

    for (size_t r = 0; r < es->n; r++) {
        const ventry *rv = &es->v[r];
        const char *old, *at;
        int64_t a, t;
        int off;
        if (!rv->enrol || !rv->kind || strcmp(rv->kind, "monitor_rotation") != 0)
            continue;
        old = rec_str(rv->leaf.record, "retires");
        at = rec_str(rv->leaf.record, "recorded_at");
        if (!old || !at || constat_rfc3339_parse(at, &a, &off) != CONSTAT_OK)
            continue; /* the record validation reported it */
        sanitize(rv->enrol->key_id, strlen(rv->enrol->key_id), nk, sizeof nk);
        for (size_t i = 0; i < es->n; i++) {
            const ventry *e = &es->v[i];
            const char *ra;
            if (!e->leaf_ok || !e->rec || strcmp(e->leaf.key_id, old) != 0)
                continue;
            ra = rec_str(e->leaf.record, "recorded_at");
            if (ra && constat_rfc3339_parse(ra, &t, &off) == CONSTAT_OK && t < a) {
                vpass(s);
                continue;
            }
            entry_where(e, where, sizeof where);
            sanitize(old, strlen(old), kid, sizeof kid);
            vfail(s, entry_rep(e), where, "signed by %s, a key RETIRED by the rotation at leaf "
                  "%" PRIu64 " (%s, new key %s): its recorded_at is at or after the rotation",
                  kid, rv->index, at, nk);
        }
    }
}

/* ---- figures ------------------------------------------------------------- */

typedef struct {
    vstate *s;
} figctx;

static void fig_fail(void *ctx, int64_t index, const char *msg)
{
    figctx *f = ctx;
    vfail(f->s, index, "figures.json", "%s", msg);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every leaf a figure row names must be a record of this dossier. */
static void check_figure_leaves(vstate *s, const json_t *claimed, const uint64_t *idx,
                                size_t nidx, uint64_t *nrefs)
{
    json_t *figs = json_object_get(claimed, "figures");
    size_t fi, ri, li;
    json_t *fig, *row, *leaf;
    uint64_t bad = 0;

    if (!json_is_array(figs))
        return; /* the shape is reported by constat_figures_check */
    json_array_foreach(figs, fi, fig) {
        json_t *rows = json_object_get(fig, "rows");
        json_t *fid = json_object_get(fig, "id");
        char name[80];
        if (!json_is_array(rows))
            continue;
        if (json_is_string(fid))
            sanitize(json_string_value(fid), json_string_length(fid), name, sizeof name);
        else
            constat_bprintf(name, sizeof name, "#%zu", fi);
        json_array_foreach(rows, ri, row) {
            json_t *leaves = json_object_get(row, "leaves");
            if (!json_is_array(leaves))
                continue;
            json_array_foreach(leaves, li, leaf) {
                uint64_t want;
                (*nrefs)++;
                if (!json_is_integer(leaf) || json_integer_value(leaf) < 0) {
                    if (bad++ < 20)
                        vfail(s, -1, "figures.json", "figure %s row %zu: a leaf reference "
                              "is not a leaf index", name, ri);
                    continue;
                }
                want = (uint64_t)json_integer_value(leaf);
                if (!bsearch(&want, idx, nidx, sizeof *idx, u64_cmp)) {
                    if (bad++ < 20)
                        vfail(s, (int64_t)want, "figures.json",
                              "figure %s row %zu names leaf %" PRIu64
                              ", which is not a record of this dossier", name, ri, want);
                }
            }
        }
    }
    if (bad > 20)
        vfail(s, -1, "figures.json", "%" PRIu64 " more leaf references are not records of "
              "this dossier", bad - 20);
    if (!bad)
        vpass(s);
}

/* Evidence files (docs/evidence.md): each one present, or listed in the
 * manifest, must have the hash and size its signed evidence record gives. */
static void check_evidence_files(vstate *s, const char *dir, const ventries *es,
                                 const manifest *m, uint64_t *nrec, uint64_t *nfiles)
{
    json_t *files = m->root ? json_object_get(m->root, "files") : NULL;
    for (size_t i = 0; i < es->n; i++) {
        const ventry *e = &es->v[i];
        const char *hex;
        char where[300], rel[120], msg[700];
        constat_status st;
        if (!e->leaf_ok || !e->kind ||
            (strcmp(e->kind, "evidence") != 0 && strcmp(e->kind, "custody") != 0))
            continue;
        (*nrec)++;
        if (strcmp(e->kind, "evidence") != 0)
            continue;
        hex = json_string_value(json_object_get(e->leaf.record, "sha256"));
        if (constat_evidence_path("", hex, rel, sizeof rel) != CONSTAT_OK)
            continue; /* the record check already failed it */
        entry_where(e, where, sizeof where);
        st = constat_evidence_check_file(dir, e->leaf.record, msg, sizeof msg);
        if (st == CONSTAT_ENOTFOUND) {
            if (json_object_get(files, rel + 1))
                vfail(s, entry_rep(e), where, "evidence file %s is listed in manifest.json "
                      "but missing", rel + 1);
        } else if (st != CONSTAT_OK) {
            vfail(s, entry_rep(e), where, "%s", msg);
        } else {
            (*nfiles)++;
            vpass(s);
        }
    }
    /* every evidence file the dossier carries must be one an evidence record
     * binds: otherwise unlogged material would pass for logged evidence */
    {
        json_t *bound = json_object(); /* paths of the records' files, as a set */
        const char *name;
        json_t *val;
        for (size_t i = 0; bound && i < es->n; i++) {
            const ventry *e = &es->v[i];
            char rel[120];
            if (!e->leaf_ok || !e->kind || strcmp(e->kind, "evidence") != 0)
                continue;
            if (constat_evidence_path(
                    "", json_string_value(json_object_get(e->leaf.record, "sha256")), rel,
                    sizeof rel) == CONSTAT_OK)
                json_object_set_new(bound, rel + 1, json_true());
        }
        json_object_foreach(files, name, val) {
            if (strncmp(name, "evidence/", 9) != 0 ||
                strcmp(name, CONSTAT_DOSSIER_EVIDENCE_INDEX) == 0)
                continue;
            if (bound && json_object_get(bound, name))
                vpass(s);
            else
                vfail(s, -1, name, "an evidence file that no evidence record in this dossier "
                      "binds (unlogged material)");
        }
        json_decref(bound);
    }
}

/* evidence/files.tsv (docs/dossier.md "Evidence file listing"): when
 * present it must be, byte for byte, the listing the evidence records of
 * this dossier and the files present give; a line naming another record,
 * media type or name is a failure, naming the line. */
static void check_evidence_index(vstate *s, const char *dir, const ventries *es,
                                 const manifest *m)
{
    json_t *files = m->root ? json_object_get(m->root, "files") : NULL;
    const json_t **recs = malloc((es->n ? es->n : 1) * sizeof *recs);
    constat_buf want, got;
    constat_error e;
    constat_status st;
    char path[4096];
    size_t n = 0;

    constat_buf_init(&want);
    constat_buf_init(&got);
    constat_error_clear(&e);
    if (!recs) {
        vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "out of memory");
        return;
    }
    for (size_t i = 0; i < es->n; i++)
        if (es->v[i].leaf_ok && es->v[i].kind && strcmp(es->v[i].kind, "evidence") == 0)
            recs[n++] = es->v[i].leaf.record;
    st = constat_dossier_evidence_index(dir, recs, n, &want, &e);
    free(recs);
    if (st != CONSTAT_OK) {
        vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "%s", e.msg);
        goto out;
    }
    path_join(path, sizeof path, dir, CONSTAT_DOSSIER_EVIDENCE_INDEX);
    st = read_file(path, CONSTAT_DOSSIER_EVIDENCE_INDEX_MAX, &got, &e);
    if (st == CONSTAT_ENOTFOUND) {
        /* a dossier without evidence files has none; one written before the
         * listing existed neither, and its manifest does not list it */
        if (json_object_get(files, CONSTAT_DOSSIER_EVIDENCE_INDEX))
            vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "listed in manifest.json but missing");
        goto out;
    }
    if (st != CONSTAT_OK) {
        vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "%s", e.msg);
        goto out;
    }
    if (got.len == want.len && (want.len == 0 || memcmp(got.data, want.data, want.len) == 0)) {
        vpass(s);
        goto out;
    }
    if (want.len == 0) {
        vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "lists evidence files, but this dossier "
              "holds none");
        goto out;
    }
    {
        /* the first line that differs, and what the records say it should be */
        size_t line = 1, i = 0, ws;
        while (i < got.len && i < want.len && got.data[i] == want.data[i]) {
            if (want.data[i] == '\n')
                line++;
            i++;
        }
        ws = i;
        while (ws > 0 && want.data[ws - 1] != '\n')
            ws--;
        if (ws >= want.len) {
            vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "line %zu: a line no evidence file of "
                  "this dossier accounts for", line);
        } else {
            size_t we = ws;
            while (we < want.len && want.data[we] != '\n')
                we++;
            vfail(s, -1, CONSTAT_DOSSIER_EVIDENCE_INDEX, "line %zu does not match the evidence "
                  "records of this dossier (file, record, incident, media type, name); "
                  "expected: %.*s", line, (int)(we - ws > 400 ? 400 : we - ws),
                  (const char *)want.data + ws);
        }
    }
out:
    constat_buf_free(&want);
    constat_buf_free(&got);
}

/* ---- the report, rendered again (report_check.c) ------------------------ */

typedef struct {
    vstate *s;
    const char *dir;
} vreport;

static constat_status vreport_read(void *ctx, const char *rel, constat_buf *out,
                                   constat_error *err)
{
    vreport *c = ctx;
    char r[4200], path[8400];
    constat_bprintf(r, sizeof r, "report/%s", rel);
    path_join(path, sizeof path, c->dir, r);
    return read_file(path, CONSTAT_DOSSIER_REPORT_FILE_MAX, out, err);
}

static void vreport_fail(void *ctx, const char *file, const char *msg)
{
    vreport *c = ctx;
    vfail(c->s, -1, file, "%s", msg);
}

/* The report a reader opens is the one the verified figures give: rendered
 * here from the incidents, the taxonomy, the proven times, the figures just
 * recomputed and what the signed manifest and checkpoint state, then
 * compared with report/ file by file. A dossier without report/ has no
 * page to mislead with and is not checked. */
static constat_status check_report(vstate *s, const char *dir, const manifest *m,
                                   const constat_indexed_record *recs,
                                   const constat_proven_time *times, size_t n,
                                   const constat_taxonomy *tax, const json_t *figures)
{
    const json_t *files = m->root ? json_object_get(m->root, "files") : NULL, *ga;
    constat_indexed_record *inc = NULL;
    constat_proven_time *itimes = NULL;
    constat_buf note, scope, valid;
    constat_report_meta meta;
    vreport vr = {s, dir};
    constat_error ce;
    char path[4200];
    const char *key;
    json_t *val;
    int any = 0;
    size_t ni = 0;
    uint64_t matched = 0;
    constat_status rc = CONSTAT_OK;

    json_object_foreach((json_t *)files, key, val)
        any |= strncmp(key, "report/", 7) == 0;
    (void)val;
    if (!any)
        return CONSTAT_OK;
    ga = json_object_get(m->root, "generated_at");
    if (!json_is_string(ga)) {
        vfail(s, -1, "report/index.html", "cannot be rendered again: manifest.json has no "
              "generated_at (a dossier of an older constat): the report is not vouched for");
        return CONSTAT_OK;
    }
    constat_buf_init(&note);
    constat_buf_init(&scope);
    constat_buf_init(&valid);
    inc = calloc(n + 1, sizeof *inc);
    itimes = calloc(n + 1, sizeof *itimes);
    if (!inc || !itimes) {
        rc = CONSTAT_ENOMEM;
        goto out;
    }
    /* the dossier writer hands the report its selected incidents and the
     * erasures, which it marks (docs/dossier.md "Erased records and revocations") */
    for (size_t i = 0; i < n; i++)
        if (strcmp(json_string_value(json_object_get(recs[i].record, "kind")), "incident") == 0 ||
            strcmp(json_string_value(json_object_get(recs[i].record, "kind")), "erasure") == 0) {
            inc[ni] = recs[i];
            itimes[ni++] = times[i];
        }
    path_join(path, sizeof path, dir, "checkpoint");
    constat_error_clear(&ce);
    if (read_file(path, CONSTAT_DOSSIER_JSON_MAX, &note, &ce) != CONSTAT_OK ||
        constat_buf_append(&note, "", 1) != CONSTAT_OK ||
        constat_dossier_filter_describe(m->have_filter ? &m->filter : NULL, 0, &scope) ||
        constat_buf_append(&scope, "", 1) != CONSTAT_OK) {
        vfail(s, -1, "report/index.html", "cannot be rendered again: %s",
              ce.code ? ce.msg : "out of memory");
        goto out;
    }
    memset(&meta, 0, sizeof meta);
    meta.org = m->org_shown;
    meta.origin = m->origin;
    meta.tree_size = m->tree_size;
    meta.checkpoint_note = (const char *)note.data;
    meta.generated_at = json_string_value(ga);
    meta.scope = (const char *)scope.data;
    /* the validation table, made again from the published figures the
     * dossier holds (validation_table.c) */
    if (json_object_get(files, CONSTAT_DOSSIER_VALIDATION_CSV)) {
        constat_buf csv;
        constat_buf_init(&csv);
        path_join(path, sizeof path, dir, CONSTAT_DOSSIER_VALIDATION_CSV);
        constat_error_clear(&ce);
        if (read_file(path, CONSTAT_DOSSIER_JSON_MAX, &csv, &ce) != CONSTAT_OK ||
            dossier_validation_html(csv.data, csv.len, recs, n, &valid, &ce) != CONSTAT_OK) {
            vfail(s, -1, CONSTAT_DOSSIER_VALIDATION_CSV, "the validation table cannot be made "
                  "again: %s", ce.msg);
        } else if (valid.len && constat_buf_append(&valid, "", 1) == CONSTAT_OK) {
            meta.validation_html = (const char *)valid.data;
        }
        constat_buf_free(&csv);
    }
    constat_error_clear(&ce);
    rc = constat_report_recheck(inc, ni, tax, itimes, figures, &meta, "report/", files,
                                vreport_read,
                                vreport_fail, &vr, &matched, &ce);
    if (rc != CONSTAT_OK && rc != CONSTAT_ENOMEM) {
        vfail(s, -1, "report/index.html", "cannot be rendered again: %s", ce.msg);
        rc = CONSTAT_OK;
    }
    while (matched--)
        vpass(s);
out:
    free(inc);
    free(itimes);
    constat_buf_free(&note);
    constat_buf_free(&scope);
    constat_buf_free(&valid);
    return rc;
}

/* The records the figures count (and the report shows), their proven
 * times, and every leaf index of the dossier: built once, on one thread
 * (the timeline sorts itself on first use), before the recount and the
 * report run side by side. */
typedef struct {
    constat_proven_time *times; /* parallel to recs, from the verified tokens */
    constat_indexed_record *recs;
    uint64_t *idx;
    size_t n, nidx;
    json_t *persons_notes; /* [[leaf, message], ...]: corrections that keep no pseudonyms */
} figrecs;

static void figrecs_free(figrecs *fr)
{
    for (size_t i = 0; fr->recs && i < fr->n; i++)
        json_decref(fr->recs[i].record);
    free(fr->recs);
    free(fr->idx);
    free(fr->times);
    json_decref(fr->persons_notes);
    memset(fr, 0, sizeof *fr);
}

static void note_persons(void *ctx, uint64_t index, const char *msg)
{
    json_array_append_new((json_t *)ctx, json_pack("[I,s]", (json_int_t)index, msg));
}

static constat_status figrecs_build(const ventries *es, constat_tsa_timeline *tl, figrecs *fr)
{
    memset(fr, 0, sizeof *fr);
    if (!es->n)
        return CONSTAT_OK;
    fr->recs = calloc(es->n, sizeof *fr->recs);
    fr->idx = calloc(es->n, sizeof *fr->idx);
    fr->times = calloc(es->n, sizeof *fr->times);
    if (!fr->recs || !fr->idx || !fr->times) {
        figrecs_free(fr);
        return CONSTAT_ENOMEM;
    }
    for (size_t i = 0; i < es->n; i++) {
        const ventry *e = &es->v[i];
        if (!e->index_ok)
            continue;
        fr->idx[fr->nidx++] = e->index; /* ascending: index_ok entries ascend */
        /* evidence records feed the evidence_flagged figure; corrections
         * and retractions decide which version of a record counts */
        if (e->leaf_ok && e->kind &&
            (strcmp(e->kind, "incident") == 0 || strcmp(e->kind, "evidence") == 0 ||
             strcmp(e->kind, "correction") == 0 || strcmp(e->kind, "retraction") == 0 ||
             strcmp(e->kind, "erasure") == 0 || strcmp(e->kind, "register") == 0 ||
             strcmp(e->kind, "shift") == 0 || strcmp(e->kind, "pseudonym_binding") == 0)) {
            fr->recs[fr->n].index = e->index;
            fr->recs[fr->n].record = json_incref(e->leaf.record);
            fr->times[fr->n].proven =
                constat_tsa_timeline_proven(tl, e->index, &fr->times[fr->n].time, NULL);
            fr->n++;
        }
    }
    /* the same join as the dossier writer's: the bindings' signatures are
     * checked with the other signatures (register_signature); a counted
     * correction that keeps no pseudonyms is told as a warning */
    if (!(fr->persons_notes = json_array()) ||
        constat_records_join_pseudonyms_noted(fr->recs, fr->n, note_persons, fr->persons_notes,
                                              NULL) != CONSTAT_OK) {
        figrecs_free(fr);
        return CONSTAT_ENOMEM;
    }
    return CONSTAT_OK;
}

/* Step 8 up to the report: figures.json read, its leaf references checked,
 * every figure recounted from the records and compared. When the report is
 * due next (the figures could be recounted), *recomputed_out gets the
 * recounted figures (the caller json_decref()s them). */
static constat_status check_figures(vstate *s, const char *dir, const figrecs *fr,
                                    const constat_taxonomy *tax, uint64_t *nrefs,
                                    json_t **recomputed_out)
{
    json_t *recomputed = NULL, *claimed = NULL;
    constat_buf b, rb;
    constat_error ce;
    char path[4096];
    constat_status rc = CONSTAT_OK;

    *recomputed_out = NULL;
    constat_buf_init(&b);
    constat_buf_init(&rb);
    path_join(path, sizeof path, dir, "figures.json");
    constat_error_clear(&ce);
    if (read_file(path, CONSTAT_DOSSIER_JSON_MAX, &b, &ce) != CONSTAT_OK) {
        vfail(s, -1, "figures.json", "%s", ce.msg);
        goto out;
    }
    if (constat_json_parse(b.data ? (char *)b.data : "", b.len, "figures.json", 0, &claimed,
                           &ce) != CONSTAT_OK) {
        vfail(s, -1, "figures.json", "not valid JSON: %s", ce.msg);
        goto out;
    }
    /* The report a reader opens must show the figures that were checked. */
    path_join(path, sizeof path, dir, "report/figures.json");
    constat_error_clear(&ce);
    if (read_file(path, CONSTAT_DOSSIER_JSON_MAX, &rb, &ce) == CONSTAT_OK) {
        if (rb.len != b.len || (b.len && memcmp(rb.data, b.data, b.len) != 0))
            vfail(s, -1, "report/figures.json", "differs from figures.json: the report does "
                  "not show the figures verified here");
        else
            vpass(s);
    } else if (ce.code != CONSTAT_ENOTFOUND) {
        vfail(s, -1, "report/figures.json", "%s", ce.msg);
    }

    check_figure_leaves(s, claimed, fr->idx, fr->nidx, nrefs);
    if (!tax) {
        vfail(s, -1, "figures.json", "not recomputed: no usable taxonomy.json");
        goto out;
    }
    constat_error_clear(&ce);
    rc = constat_figures_compute_timed(fr->recs, fr->n, tax, fr->times, &recomputed, &ce);
    if (rc == CONSTAT_ENOMEM)
        goto out;
    if (rc != CONSTAT_OK) {
        rc = CONSTAT_OK;
        vfail(s, -1, "figures.json", "figures cannot be recomputed from the records: %s",
              ce.msg);
        goto out;
    }
    {
        figctx fc = {s};
        uint64_t before = s->failed;
        constat_error_clear(&ce);
        rc = constat_figures_check(claimed, recomputed, fig_fail, &fc, &ce);
        if (rc == CONSTAT_ENOMEM)
            goto out;
        if (rc != CONSTAT_OK && s->failed == before)
            vfail(s, -1, "figures.json", "%s", ce.msg);
        else if (rc == CONSTAT_OK)
            vpass(s);
        rc = CONSTAT_OK;
    }
    *recomputed_out = recomputed;
    recomputed = NULL;
out:
    json_decref(recomputed);
    json_decref(claimed);
    constat_buf_free(&b);
    constat_buf_free(&rb);
    return rc;
}

/* ---- witness cosignatures (witness_policy.h) ------------------------------ */

/* Each listed witness is one check, and the quorum another: a sceptic sees
 * which organisations vouched for this tree, and when. */
static void check_witnesses(vstate *s, const char *msg, size_t len,
                            const constat_witness_policy *pol,
                            const constat_verify_time_opts *topts, constat_verify_summary *sum)
{
    constat_witness_result res[CONSTAT_WITNESS_POLICY_MAX_WITNESSES];
    size_t nvalid = 0;
    constat_error e;
    constat_status st;

    sum->witness_policy = 1;
    sum->witnesses_listed = pol->n;
    sum->witness_quorum = pol->quorum;
    constat_error_clear(&e);
    st = constat_witness_policy_check(pol, msg, len, res, &nvalid, &e);
    if (st != CONSTAT_OK && st != CONSTAT_EVERIFY) {
        vfail(s, -1, "witness policy", "cannot be checked: %s", e.msg);
        return;
    }
    for (size_t i = 0; i < pol->n; i++) {
        if (topts && topts->witnessed)
            topts->witnessed(topts->witnessed_ctx, res[i].name, (int)res[i].state,
                             res[i].timestamp, res[i].msg);
        if (res[i].state == CONSTAT_COSIG_VALID)
            vpass(s);
        else if (res[i].state == CONSTAT_COSIG_INVALID)
            vfail(s, -1, "checkpoint", "cosignature by witness %s does not verify: %s",
                  res[i].name, res[i].msg);
    }
    sum->witnesses_valid = nvalid;
    if (nvalid >= pol->quorum)
        vpass(s);
    else
        vfail(s, -1, "checkpoint", "%s", e.msg);
}

/* ---- checks run out of order, reported in order ------------------------- */

/* A vstate whose failures are recorded (the full text vfail built) to be
 * replayed into the real one where the check belongs in the report. */
typedef struct {
    int64_t index;
    char *text;
} vmsg;

typedef struct {
    vstate st;
    vmsg *v;
    size_t n, cap;
    int nomem;
} vrecord;

static void vrecord_fail(void *ctx, int64_t index, const char *full)
{
    vrecord *r = ctx;
    char *t;
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        vmsg *nv = realloc(r->v, nc * sizeof *nv);
        if (!nv) {
            r->nomem = 1;
            return;
        }
        r->v = nv;
        r->cap = nc;
    }
    t = strdup(full);
    if (!t) {
        r->nomem = 1;
        return;
    }
    r->v[r->n].index = index;
    r->v[r->n].text = t;
    r->n++;
}

static void vrecord_init(vrecord *r)
{
    memset(r, 0, sizeof *r);
    r->st.fail = vrecord_fail;
    r->st.ctx = r;
}

static void vrecord_free(vrecord *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].text);
    free(r->v);
    vrecord_init(r);
}

/* What vfail and vpass did on r, done again on s. */
static constat_status vrecord_replay(vstate *s, const vrecord *r)
{
    if (r->nomem)
        return CONSTAT_ENOMEM;
    s->passed += r->st.passed;
    for (size_t i = 0; i < r->n; i++) {
        s->failed++;
        if (s->failed == 1)
            constat_bprintf(s->first, sizeof s->first, "%s", r->v[i].text);
        if (s->fail)
            s->fail(s->ctx, r->v[i].index, r->v[i].text);
    }
    return CONSTAT_OK;
}

/* While the other threads check signatures, one recounts the figures
 * (the longest single task) and another checks the evidence files and
 * renders the report again from the figures the dossier claims. Rendered
 * from the recounted figures the report would be the same, byte for byte,
 * when the two documents are equal JSON values (json_equal: the renderer
 * reads figures by key and writes their JSON with sorted keys, so key order
 * does not reach it): then that rendering is the report check; otherwise
 * the report is rendered again from the recounted figures, after both, as
 * the checks always read. */
typedef struct {
    const char *dir;
    const ventries *es;
    const manifest *m;
    const constat_taxonomy *tax;
    const figrecs *fr;
    int figures;              /* 0: the token check failed, the figures are never reached */
    vrecord ev, fig, rep;     /* evidence files; figures; the report, from the claim */
    uint64_t evidence, evidence_files, figures_leaves;
    json_t *recomputed;       /* the recounted figures, when the report is due */
    json_t *claimed;          /* figures.json as the report side read it, or NULL */
    constat_status fig_rc, rep_rc;
} side_ctx;

static void figures_side(void *vctx)
{
    side_ctx *c = vctx;
    if (c->figures)
        c->fig_rc = check_figures(&c->fig.st, c->dir, c->fr, c->tax, &c->figures_leaves,
                                  &c->recomputed);
}

static void evidence_report_side(void *vctx)
{
    side_ctx *c = vctx;
    constat_buf b;
    constat_error ce;
    char path[4096];

    check_evidence_files(&c->ev.st, c->dir, c->es, c->m, &c->evidence, &c->evidence_files);
    check_evidence_index(&c->ev.st, c->dir, c->es, c->m);
    if (!c->figures || !c->tax)
        return;
    constat_buf_init(&b);
    path_join(path, sizeof path, c->dir, "figures.json");
    constat_error_clear(&ce);
    if (read_file(path, CONSTAT_DOSSIER_JSON_MAX, &b, &ce) == CONSTAT_OK &&
        constat_json_parse(b.data ? (char *)b.data : "", b.len, "figures.json", 0, &c->claimed,
                           &ce) == CONSTAT_OK)
        c->rep_rc = check_report(&c->rep.st, c->dir, c->m, c->fr->recs, c->fr->times,
                                 c->fr->n, c->tax, c->claimed);
    constat_buf_free(&b);
}

/* The report check (8, last): the rendering from the claimed figures when
 * they are the recounted ones, else a rendering from the recounted ones. */
static constat_status report_after_figures(side_ctx *c)
{
    if (!c->recomputed)
        return CONSTAT_OK; /* the figures stopped before the report */
    if (c->claimed && json_equal(c->claimed, c->recomputed)) {
        if (c->rep_rc != CONSTAT_OK)
            return c->rep_rc;
        return vrecord_replay(&c->fig.st, &c->rep);
    }
    return check_report(&c->fig.st, c->dir, c->m, c->fr->recs, c->fr->times, c->fr->n, c->tax,
                        c->recomputed);
}

/* ---- the whole dossier --------------------------------------------------- */

/* ---- trusted time ---------------------------------------------------------- */

typedef struct {
    vstate *s;
    const constat_verify_time_opts *opts;
} tsa_ctx;

static void tsa_fail(void *ctx, const char *where, const char *msg)
{
    vfail(((tsa_ctx *)ctx)->s, -1, where, "%s", msg);
}

static void tsa_pass(void *ctx)
{
    vpass(((tsa_ctx *)ctx)->s);
}

static void tsa_token(void *ctx, const char *where, const char *tsa, const constat_tsa_info *info)
{
    const constat_verify_time_opts *o = ((tsa_ctx *)ctx)->opts;
    if (o && o->tsa_token)
        o->tsa_token(o->tsa_token_ctx, where, tsa, info);
}

/* The token checks live in tsa.c. `tl` (initialised by the caller)
 * receives the verified tokens: each record gets its proven time from it
 * (report_proven) and the figures are recomputed from it
 * (delay_event_to_proven). */
static constat_status check_timestamps(vstate *s, const char *dir,
                                       const constat_verify_time_opts *opts,
                                       const constat_note_verifier *logv,
                                       const constat_keychain *logs, const cpinfo *cp,
                                       constat_verify_summary *sum, constat_tsa_timeline *tl,
                                       constat_error *err)
{
    constat_tsa_dossier_check c;
    tsa_ctx tc = {s, opts};
    constat_status rc;

    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.ca_file = opts ? opts->tsa_ca_file : NULL;
    c.log_key = logv;
    c.log_chain = logs && logs->n > 1 ? logs : NULL;
    c.tree_size = cp->have ? cp->size : 0;
    c.root = cp->have ? cp->root : NULL;
    c.fail = tsa_fail;
    c.pass = tsa_pass;
    c.token = tsa_token;
    c.now = opts ? opts->now : 0;
    c.ctx = &tc;
    rc = constat_tsa_dossier_verify(&c, tl, &sum->tsa_tokens, err);
    if (rc != CONSTAT_OK)
        return rc;
    sum->tsa_tokens_ok = tl->n;
    return CONSTAT_OK;
}

/* Each record's proven time, counted and handed to the caller. */
static void report_proven(const constat_verify_time_opts *opts, const ventries *es,
                          constat_tsa_timeline *tl, constat_verify_summary *sum)
{
    for (size_t i = 0; i < es->n; i++) {
        int64_t t = -1;
        const char *tsa = NULL;
        if (!es->v[i].index_ok)
            continue;
        if (constat_tsa_timeline_proven(tl, es->v[i].index, &t, &tsa))
            sum->records_proven++;
        else
            t = -1, tsa = NULL;
        if (opts && opts->proven)
            opts->proven(opts->proven_ctx, es->v[i].index, es->v[i].id, t, tsa);
    }
    /* clock skew: recorded_at after the proven time (warnings, after the
     * proven times so that the caller can print them together) */
    for (size_t i = 0; opts && opts->clock_skew && i < es->n; i++) {
        const ventry *e = &es->v[i];
        int64_t t, rec_t;
        const char *ra;
        if (!e->index_ok || !e->leaf_ok || !e->kind || strcmp(e->kind, "incident") != 0)
            continue;
        ra = json_string_value(json_object_get(e->leaf.record, "recorded_at"));
        if (!ra || constat_rfc3339_parse(ra, &rec_t, NULL) != CONSTAT_OK ||
            !constat_tsa_timeline_proven(tl, e->index, &t, NULL))
            continue;
        if (constat_clock_skewed(rec_t, 1, t))
            opts->clock_skew(opts->clock_skew_ctx, e->index, e->id, rec_t, t);
    }
}

constat_status constat_verify_dossier(const char *dir, const constat_verify_opts *opts,
                                      constat_failure_fn fail, void *ctx,
                                      constat_verify_summary *out, constat_error *err)
{
    return constat_verify_dossier_timed(dir, opts, NULL, fail, ctx, out, err);
}

/* Everything constat_verify_dossier_timed carries from one step to the next. */
typedef struct {
    const char *dir;
    const char *trust;                     /* opts->trust_file, or NULL */
    const constat_verify_time_opts *topts;
    vstate s;
    pinned_key plog, porg;
    constat_note_verifier own_log, own_org;
    const constat_note_verifier *logv, *orgv;
    constat_verify_summary sum;
    manifest m;
    cpinfo cp;
    ventries es;
    constat_taxonomy *tax;
    constat_witness_policy *wpol;          /* read before any check, freed after step 3 */
    constat_tsa_timeline tl;               /* verified tokens: proven times for the figures */
    lines_env env;
    uint64_t nproofs;
    constat_keychain *kc;                  /* the organisation keys (verify_keys.h) */
    constat_keychain *lkc;                 /* the log keys, from logv (verify_keys.h) */
    const constat_note_verifier *log_pinned_later; /* a pinned later key of lkc, or NULL */
    int org_pinned_later; /* the pinned organisation key is a later key of kc */
} vdossier;

/* Check the dossier path is a folder; read the pinned keys and the witness
 * policy, if any. */
static constat_status vd_open(vdossier *j, constat_error *err)
{
    struct stat st;
    constat_status rc;

    if (!j->dir)
        return constat_error_set(err, CONSTAT_EINVAL, "no dossier directory given");
    if (strlen(j->dir) > 3000)
        return constat_error_set(err, CONSTAT_EINVAL, "dossier path too long");
    if (stat(j->dir, &st) != 0)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "%s: no such dossier directory",
                                 j->dir);
    if (!S_ISDIR(st.st_mode))
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a directory", j->dir);
    if (j->trust) {
        rc = constat_trust_file_parse(j->trust, &j->plog, &j->porg, err);
        if (rc != CONSTAT_OK)
            return rc;
    }
    /* read before any check runs, freed once the checkpoint is checked */
    if (j->topts && j->topts->witness_policy_file) {
        j->wpol = malloc(sizeof *j->wpol);
        if (!j->wpol)
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        rc = constat_witness_policy_load(j->topts->witness_policy_file, j->wpol, err);
        if (rc != CONSTAT_OK) {
            free(j->wpol);
            j->wpol = NULL;
            return rc;
        }
    }
    return CONSTAT_OK;
}

/* 0. the folder holds regular files and folders only: nothing is read
 * from a dossier holding a link, FIFO or device. The entries into present. */
static constat_status vd_walk(vdossier *j, dirlist *present, constat_verify_summary *out,
                              constat_error *err)
{
    int dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open: %s", j->dir,
                                 strerror(errno));
    walk_dossier(&j->s, dfd, "", 0, present);
    if (present->nomem)
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", j->dir);
    if (present->refused) {
        j->sum.checks_failed = j->s.failed;
        j->sum.refused = 1;
        if (out)
            *out = j->sum;
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%" PRIu64 " checks failed (entries that are not "
                                 "regular files: nothing else was read); first: %s",
                                 j->s.failed, j->s.first);
    }
    return CONSTAT_OK;
}

static void chain_fail(void *ctx, int64_t index, const char *msg)
{
    vfail(ctx, index, "records.jsonl", "%s", msg);
}

/* 2a. the chain of organisation keys from the one verified with (pinned or
 * the dossier's), through the key transitions the dossier carries; each
 * followed transition is said in the summary. */
static void org_chain(vdossier *j)
{
    constat_error e;
    size_t bad = 0, off = 0;

    if (!j->orgv || !(j->kc = calloc(1, sizeof *j->kc)))
        return;
    constat_error_clear(&e);
    if (constat_dossier_org_chain(j->dir, j->orgv, j->kc, chain_fail, &j->s, &bad, &e) !=
        CONSTAT_OK) {
        vfail(&j->s, -1, "records.jsonl", "organisation keys: %s", e.msg);
        return;
    }
    for (size_t i = 1; i < j->kc->n; i++) {
        int n = snprintf(j->sum.org_rotations + off, sizeof j->sum.org_rotations - off,
                         "%sorganisation key rotated at leaf %lld: %s -> %s, signed by both",
                         off ? "\n" : "", (long long)j->kc->k[i].transition,
                         j->kc->k[i - 1].key_id, j->kc->k[i].key_id);
        if (n < 0 || (size_t)n >= sizeof j->sum.org_rotations - off)
            break;
        off += (size_t)n;
        vpass(&j->s);
    }
}

/* 2a'. the chain of log keys from the one verified with (pinned or the
 * dossier's first), through the log key transitions the dossier carries;
 * each followed transition is said in the summary. */
static void log_chain(vdossier *j, constat_keychain *kc)
{
    constat_error e;
    size_t bad = 0, off = strlen(j->sum.log_rotations);

    constat_error_clear(&e);
    if (constat_dossier_key_chain(j->dir, j->logv, 1, kc, chain_fail, &j->s, &bad, &e) !=
        CONSTAT_OK) {
        vfail(&j->s, -1, "records.jsonl", "log keys: %s", e.msg);
        return;
    }
    for (size_t i = 1; i < kc->n; i++) {
        int n = snprintf(j->sum.log_rotations + off, sizeof j->sum.log_rotations - off,
                         "%slog key rotated at leaf %lld: %s -> %s, signed by both; checkpoints "
                         "of tree size %llu and more are signed by the new key",
                         off ? "\n" : "", (long long)kc->k[i].transition, kc->k[i - 1].key_id,
                         kc->k[i].key_id, (unsigned long long)kc->k[i].from);
        if (n < 0 || (size_t)n >= sizeof j->sum.log_rotations - off)
            break;
        off += (size_t)n;
        vpass(&j->s);
    }
}

/* 2, the log key: the dossier's keys/log.vkey (the chain's first key), or
 * the pinned one; a pinned key that is a LATER key of the chain the
 * dossier's transitions lead to from keys/log.vkey is accepted (it signed,
 * or a key after it signed, the checkpoint that holds those transitions),
 * and said; then the chain (log_chain). */
static void vd_log_key(vdossier *j)
{
    pinned_key none;
    constat_keychain *kc = calloc(1, sizeof *kc);
    const constat_key_era *hit = NULL;

    memset(&none, 0, sizeof none);
    load_key(&j->s, j->dir, "log", j->trust, &none, &j->own_log, &j->logv, &j->sum.log_key,
             &j->sum.log_key_differs);
    if (!kc)
        return;
    if (j->plog.have) {
        j->sum.log_key = CONSTAT_KEY_PINNED;
        if (j->logv && !same_key(j->logv, &j->plog.v)) {
            constat_error e;
            size_t tbad = 0;
            int found = 0;
            /* silently first: is the pinned key on the chain from keys/log.vkey? */
            constat_error_clear(&e);
            if (constat_dossier_key_chain(j->dir, j->logv, 1, kc, NULL, NULL, &tbad, &e) ==
                CONSTAT_OK)
                for (size_t i = 1; i < kc->n && !found; i++)
                    found = same_key(&kc->k[i].ver, &j->plog.v);
            if (found) {
                log_chain(j, kc); /* again, saying what it follows */
                for (size_t i = 1; i < kc->n && !hit; i++)
                    if (same_key(&kc->k[i].ver, &j->plog.v))
                        hit = &kc->k[i];
            }
            if (hit) {
                size_t off = strlen(j->sum.log_rotations);
                constat_bprintf(j->sum.log_rotations + off, sizeof j->sum.log_rotations - off,
                                "%sthe log key pinned in %s line %d is %s, in force from tree "
                                "size %llu: reached from keys/log.vkey through the transitions "
                                "above", off ? "\n" : "", j->trust, j->plog.line, hit->key_id,
                                (unsigned long long)hit->from);
                vpass(&j->s);
                j->lkc = kc;
                j->log_pinned_later = &hit->ver;
                return;
            }
            {
                char a[CONSTAT_KEY_NAME_MAX + 16], bb[CONSTAT_KEY_NAME_MAX + 16];
                constat_record_key_id(j->logv, a, sizeof a);
                constat_record_key_id(&j->plog.v, bb, sizeof bb);
                j->sum.log_key_differs = 1;
                vfail(&j->s, -1, "keys/log.vkey",
                      "log key %s is not the key pinned in %s line %d (%s), nor does a log key "
                      "transition of this dossier lead from it to the pinned key; verifying "
                      "with the pinned key", a, j->trust, j->plog.line, bb);
            }
            j->sum.log_rotations[0] = '\0';
            memset(kc, 0, sizeof *kc);
        } else if (j->logv) {
            vpass(&j->s);
        }
        j->logv = &j->plog.v;
    }
    if (j->logv)
        log_chain(j, kc);
    j->lkc = kc;
}

/* 2. the organisation key: keys/org.vkey, checked against the pinned one;
 * a pinned key that is a LATER key of the chain the dossier's transitions
 * lead to from keys/org.vkey is accepted (each transition is signed by the
 * key it brings in: the pinned key vouches for the keys before it), and the
 * chain then starts from keys/org.vkey (the verifier publishes the key in
 * force after a rotation, `constat keys`). */
static void vd_org_key(vdossier *j)
{
    pinned_key none;
    constat_keychain *kc;

    memset(&none, 0, sizeof none);
    load_key(&j->s, j->dir, "org", j->trust, &none, &j->own_org, &j->orgv, &j->sum.org_key,
             &j->sum.org_key_differs);
    if (!j->porg.have)
        return;
    j->sum.org_key = CONSTAT_KEY_PINNED;
    if (j->orgv && same_key(j->orgv, &j->porg.v)) {
        vpass(&j->s);
        j->orgv = &j->porg.v;
        return;
    }
    if (j->orgv && (kc = calloc(1, sizeof *kc))) {
        constat_error e;
        size_t tbad = 0;
        int found = 0;
        constat_error_clear(&e);
        if (constat_dossier_org_chain(j->dir, j->orgv, kc, NULL, NULL, &tbad, &e) ==
                CONSTAT_OK &&
            tbad == 0)
            for (size_t i = 1; i < kc->n && !found; i++)
                found = same_key(&kc->k[i].ver, &j->porg.v);
        free(kc);
        if (found) {
            vpass(&j->s);
            j->org_pinned_later = 1; /* the chain starts from keys/org.vkey */
            return;
        }
    }
    if (j->orgv) {
        char a[CONSTAT_KEY_NAME_MAX + 16], bb[CONSTAT_KEY_NAME_MAX + 16];
        constat_record_key_id(j->orgv, a, sizeof a);
        constat_record_key_id(&j->porg.v, bb, sizeof bb);
        j->sum.org_key_differs = 1;
        vfail(&j->s, -1, "keys/org.vkey",
              "org key %s is not the key pinned in %s line %d (%s), nor does a key transition "
              "of this dossier lead from it to the pinned key; verifying with the pinned key",
              a, j->trust, j->porg.line, bb);
    }
    j->orgv = &j->porg.v;
}

/* 1. the manifest and its file hashes; 2. the keys, pinned or from the
 * dossier; 2b. the organisation's signature over the manifest. */
static void vd_manifest_keys(vdossier *j, const dirlist *present, constat_error *err)
{
    /* 1. the manifest and the file hashes it lists */
    check_manifest(&j->s, j->dir, &j->m, present, err);

    /* 2. the keys, pinned or from the dossier */
    vd_log_key(j);
    vd_org_key(j);

    /* 2b. the organisation's signature over the manifest: the selection,
     * the file list and every file's hash are as the organisation wrote
     * them */
    org_chain(j);
    if (j->org_pinned_later && j->kc) {
        size_t off = strlen(j->sum.org_rotations);
        char kid[CONSTAT_KEY_NAME_MAX + 16];
        constat_record_key_id(&j->porg.v, kid, sizeof kid);
        constat_bprintf(j->sum.org_rotations + off, sizeof j->sum.org_rotations - off,
                        "%sthe organisation key pinned in %s line %d is %s: reached from "
                        "keys/org.vkey through the transitions above",
                        off ? "\n" : "", j->trust, j->porg.line, kid);
    }
    /* the manifest is signed by the key in force: the chain's last */
    check_manifest_sig(&j->s, j->dir, &j->m,
                       j->kc && j->kc->n ? &j->kc->k[j->kc->n - 1].ver : j->orgv,
                       &j->sum.manifest_signed);
    if (j->logv)
        (void)constat_note_verifier_format(j->log_pinned_later ? j->log_pinned_later : j->logv,
                                           j->sum.log_vkey, sizeof j->sum.log_vkey);
    if (j->orgv)
        (void)constat_note_verifier_format(j->orgv, j->sum.org_vkey, sizeof j->sum.org_vkey);
}

/* The length of a signed note's text (through the newline before the blank
 * line), or 0 when it has no blank line. */
static size_t note_text_len(const char *msg, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (msg[i] == '\n' && msg[i + 1] == '\n')
            return i + 1;
    return 0;
}

/* 3, the body: size and root into cp and the summary; the origin against
 * the log key's name (*sig_ok cleared if it differs) and the manifest's
 * origin and tree_size against it. */
static void vd_checkpoint_body(vdossier *j, const char *msg, size_t text_len, int *sig_ok)
{
    constat_checkpoint c;
    constat_error ce;

    constat_error_clear(&ce);
    if (text_len == 0 || constat_checkpoint_parse(msg, text_len, &c, &ce) != CONSTAT_OK) {
        vfail(&j->s, -1, "checkpoint", "not a tlog-checkpoint body: %s",
              ce.msg[0] ? ce.msg : "no text before the signatures");
        return;
    }
    j->cp.have = 1;
    j->cp.size = c.size;
    memcpy(j->cp.root, c.root, 32);
    constat_bprintf(j->sum.origin, sizeof j->sum.origin, "%s", c.origin);
    j->sum.tree_size = c.size;
    memcpy(j->sum.root, c.root, 32);
    if (strcmp(c.origin, j->logv->name) != 0) {
        vfail(&j->s, -1, "checkpoint", "origin is not the log key's name %s", j->logv->name);
        *sig_ok = 0;
    } else {
        vpass(&j->s);
    }
    if (j->m.origin && strcmp(j->m.origin, c.origin) != 0)
        vfail(&j->s, -1, "manifest.json", "origin differs from the checkpoint's");
    if (j->m.have_tree_size && j->m.tree_size != c.size)
        vfail(&j->s, -1, "manifest.json",
              "tree_size %" PRIu64 " differs from the checkpoint's %" PRIu64, j->m.tree_size,
              c.size);
}

/* The log key that signs the checkpoint `msg`: after a log key rotation,
 * the key of the chain in force at its tree size (keychain.h); *era gets
 * that era (NULL when the log key was never rotated). */
static const constat_note_verifier *checkpoint_key(const vdossier *j, const char *msg,
                                                   size_t len, const constat_key_era **era)
{
    size_t tl = note_text_len(msg, len);
    constat_checkpoint c;
    constat_error ce;

    *era = NULL;
    constat_error_clear(&ce);
    if (!j->lkc || j->lkc->n < 2 || !tl || constat_checkpoint_parse(msg, tl, &c, &ce) != CONSTAT_OK)
        return j->logv;
    *era = constat_keychain_for_size(j->lkc, c.size);
    return &(*era)->ver;
}

/* A checkpoint of tree size `size` that does not verify with the key `in`
 * of the log chain: when another key of the chain signed it, the failure
 * names that key and the transition (keychain.h); 0 when none did. */
static int checkpoint_wrong_key(vstate *s, const constat_keychain *kc,
                                const constat_key_era *in, const char *msg, size_t len,
                                uint64_t size, const char *where)
{
    char why[CONSTAT_ERROR_MSG_MAX + 400];
    constat_note note;
    constat_error ce;
    for (size_t i = 0; kc && i < kc->n; i++) {
        if (&kc->k[i] == in)
            continue;
        constat_error_clear(&ce);
        if (constat_note_open(msg, len, &kc->k[i].ver, 1, &note, &ce) == CONSTAT_OK) {
            constat_keychain_size_fault(kc, &kc->k[i], size, why, sizeof why);
            vfail(s, -1, where, "checkpoint of tree size %llu: %s", (unsigned long long)size,
                  why);
            return 1;
        }
    }
    return 0;
}

/* 3, the note: the log key's signature on it, then its body (read even
 * when the signature fails, so the proofs can be checked against it). */
static void vd_checkpoint_note(vdossier *j, const constat_buf *b)
{
    constat_note note;
    constat_error ce;
    const char *msg = b->data ? (const char *)b->data : "";
    const constat_key_era *era = NULL;
    const constat_note_verifier *key = checkpoint_key(j, msg, b->len, &era);
    int sig_ok = 0;

    constat_error_clear(&ce);
    if (constat_note_open(msg, b->len, key, 1, &note, &ce) != CONSTAT_OK) {
        char kid[CONSTAT_KEY_NAME_MAX + 16];
        constat_checkpoint c;
        constat_error pe;
        size_t tl = note_text_len(msg, b->len);
        constat_record_key_id(key, kid, sizeof kid);
        constat_error_clear(&pe);
        if (!era || constat_checkpoint_parse(msg, tl, &c, &pe) != CONSTAT_OK ||
            !checkpoint_wrong_key(&j->s, j->lkc, era, msg, b->len, c.size, "checkpoint"))
            vfail(&j->s, -1, "checkpoint", "no valid signature by the log key %s: %s", kid,
                  ce.msg);
        /* still read the body so the proofs can be checked against it */
        note.text_len = note_text_len(msg, b->len);
    } else {
        sig_ok = 1;
        vpass(&j->s);
    }
    vd_checkpoint_body(j, msg, note.text_len, &sig_ok);
    j->sum.checkpoint_ok = sig_ok && j->cp.have;
}

/* 3. the checkpoint, signed by the log key, named after it; 3b. the
 * witnesses' cosignatures on it; then the manifest's org against the
 * organisation key's name. */
static void vd_checkpoint(vdossier *j)
{
    constat_buf b;
    constat_error ce;
    char path[4096];

    constat_buf_init(&b);
    path_join(path, sizeof path, j->dir, "checkpoint");
    constat_error_clear(&ce);
    if (read_file(path, CONSTAT_NOTE_MAX_BYTES, &b, &ce) != CONSTAT_OK)
        vfail(&j->s, -1, "checkpoint", "%s", ce.msg);
    else if (!j->logv)
        vfail(&j->s, -1, "checkpoint", "cannot be checked: no log key");
    else
        vd_checkpoint_note(j, &b);
    /* 3b. the witnesses' cosignatures on it, against the policy */
    if (j->wpol)
        check_witnesses(&j->s, b.data ? (const char *)b.data : "", b.len, j->wpol, j->topts,
                        &j->sum);
    free(j->wpol);
    j->wpol = NULL;
    constat_buf_free(&b);
    if (j->m.org_name)
        constat_bprintf(j->sum.org_name, sizeof j->sum.org_name, "%s", j->m.org_name);
    if (j->m.org && j->orgv && strcmp(j->m.org, j->orgv->name) != 0)
        vfail(&j->s, -1, "manifest.json", "org differs from the organisation key's name %s",
              j->orgv->name);
}

/* 4. the taxonomy the records and figures use, into tax (NULL if it fails). */
static void vd_taxonomy(vdossier *j)
{
    char path[4096];
    constat_error ce;

    path_join(path, sizeof path, j->dir, "taxonomy.json");
    constat_error_clear(&ce);
    if (constat_taxonomy_load(path, &j->tax, &ce) != CONSTAT_OK) {
        vfail(&j->s, -1, "taxonomy.json", "%s", ce.msg);
        j->tax = NULL;
    } else {
        vpass(&j->s);
    }
}

static int id_str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A filter listing record ids (filter.ids): each listed id is an incident
 * of records.jsonl (that each incident is listed is the filter check of
 * step 6), so the dossier holds exactly the incidents the list names. */
static void check_ids_present(vstate *s, const ventries *es, const constat_dossier_filter *f)
{
    const char **got = malloc((es->n + 1) * sizeof *got);
    size_t n = 0, missing = 0;

    if (!got) {
        vfail(s, -1, "manifest.json", "filter.ids: out of memory");
        return;
    }
    for (size_t i = 0; i < es->n; i++) {
        const ventry *e = &es->v[i];
        const char *id;
        if (!e->leaf_ok || !e->kind || strcmp(e->kind, "incident") != 0)
            continue;
        if ((id = json_string_value(json_object_get(e->leaf.record, "id"))))
            got[n++] = id;
    }
    qsort(got, n, sizeof *got, id_str_cmp);
    for (size_t i = 0; i < f->nids; i++) {
        if (bsearch(&f->ids[i], got, n, sizeof *got, id_str_cmp))
            continue;
        if (missing++ < 10)
            vfail(s, -1, "manifest.json",
                  "filter.ids[%zu]: incident \"%.128s\" is listed but not in records.jsonl", i,
                  f->ids[i]);
    }
    if (missing > 10)
        vfail(s, -1, "manifest.json", "filter.ids: %zu more listed incidents are not in "
              "records.jsonl", missing - 10);
    if (!missing)
        vpass(s);
    free(got);
}

/* 5. every line: canonical leaf, leaf hash, inclusion proof, order; and
 * the manifest's record count (and filter.ids). Fails only when out of
 * memory. */
static constat_status vd_lines(vdossier *j)
{
    lines_env *env = &j->env;
    constat_status rc;

    env->w = calloc((size_t)env->nw, sizeof *env->w);
    if (!env->w)
        return CONSTAT_ENOMEM;
    for (int t = 0; t < env->nw; t++) {
        constat_buf_init(&env->w[t].canon);
        constat_buf_init(&env->w[t].msg);
    }
    env->orgv = j->orgv;
    env->kc = j->kc;
    if (j->orgv)
        constat_record_key_id(j->orgv, env->org_kid, sizeof env->org_kid);
    env->tax = j->tax;
    env->m = &j->m;
    rc = check_lines(&j->s, j->dir, &j->cp, &j->es, env, &j->nproofs);
    if (rc != CONSTAT_OK)
        return rc;
    j->sum.records = j->es.n;
    if (j->m.have_filter && j->m.filter.nids)
        check_ids_present(&j->s, &j->es, &j->m.filter);
    if (j->m.have_records && j->m.records != j->es.n)
        vfail(&j->s, -1, "manifest.json",
              "records is %" PRIu64 " but records.jsonl has %zu lines", j->m.records, j->es.n);
    return CONSTAT_OK;
}

/* The monitors' signatures on every worker while side checks the evidence
 * files and recomputes the figures; CONSTAT_ENOMEM if a worker ran out. */
static constat_status vd_sign_beside(vdossier *j, side_ctx *side)
{
    sig_ctx sc;
    constat_status rc = CONSTAT_OK;

    sc.es = &j->es;
    sc.known = &j->env.known;
    parallel_for_sides(j->env.w, j->env.nw, sig_work, &sc, j->es.n, figures_side, side,
                       evidence_report_side, side);
    for (int t = 0; t < j->env.nw; t++)
        if (j->env.w[t].nomem)
            rc = CONSTAT_ENOMEM;
    return rc;
}


/* Whether the manifest lists any file under public/: such a dossier is a
 * public dossier, checked as one (a public/ with its figures.json removed
 * and the manifest signed again fails as a public dossier missing its
 * figures, not passes as a dossier with unchecked public pages). */
static int manifest_has_public(const json_t *files)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)files, key, val) {
        if (strncmp(key, CONSTAT_PUBLIC_DOSSIER_DIR "/",
                    sizeof CONSTAT_PUBLIC_DOSSIER_DIR) == 0)
            return 1;
    }
    (void)val;
    return 0;
}

/* 6 to 8: the signatures (6), the evidence files (6b), the trusted time
 * (7) and the figures (8). A failed token check leaves its status and
 * error in *tsa_rc and *tsa_err, and steps from 7 on are not reported;
 * the return is CONSTAT_ENOMEM or another fatal status. */
static void vpub_fail(void *ctx, int64_t index, const char *where, const char *msg)
{
    vfail(ctx, index, where, "%s", msg);
}

static void vpub_pass(void *ctx)
{
    vpass(ctx);
}

static constat_status vd_sigs_time_figures(vdossier *j, constat_status *tsa_rc,
                                           constat_error *tsa_err)
{
    vrecord tsa_rec; /* step 7's report, computed before step 6 */
    side_ctx side;
    figrecs fr;
    constat_status rc;

    /* 6 to 8 are computed together and reported in their order: first the
     * token checks (7), which give the proven times the figures count; then
     * the monitors' signatures on every core while one thread checks the
     * evidence files (6b) and recomputes the figures (8). */
    vrecord_init(&tsa_rec);
    memset(&side, 0, sizeof side);
    vrecord_init(&side.ev);
    vrecord_init(&side.fig);
    vrecord_init(&side.rep);
    constat_error_clear(tsa_err);
    *tsa_rc = check_timestamps(&tsa_rec.st, j->dir, j->topts, j->logv, j->lkc, &j->cp, &j->sum,
                               &j->tl, tsa_err);
    side.dir = j->dir;
    side.es = &j->es;
    side.m = &j->m;
    side.tax = j->tax;
    side.fr = &fr;
    side.figures = *tsa_rc == CONSTAT_OK;
    rc = figrecs_build(&j->es, &j->tl, &fr);
    if (rc == CONSTAT_OK)
        rc = vd_sign_beside(j, &side);
    if (rc == CONSTAT_OK && side.fig_rc == CONSTAT_OK)
        side.fig_rc = report_after_figures(&side);

    /* 6. signatures: enrolments by the organisation, the rest by monitors */
    if (rc == CONSTAT_OK)
        rc = report_signatures(&j->s, &j->es, &j->env, &j->sum.monitors, &j->sum.incidents);
    if (rc == CONSTAT_OK) {
        report_revocations(&j->s, &j->es);
        report_rotations(&j->s, &j->es);
        report_owners(&j->s, &j->es);
    }
    lines_env_free(&j->env);

    /* 6b. evidence files re-hashed against their records */
    if (rc == CONSTAT_OK)
        rc = vrecord_replay(&j->s, &side.ev);
    j->sum.evidence = side.evidence;
    j->sum.evidence_files = side.evidence_files;

    /* 7. trusted time: RFC 3161 tokens under timestamps/ (tsa.h), before
     * the figures, which count each incident's proven time */
    if (rc == CONSTAT_OK)
        rc = vrecord_replay(&j->s, &tsa_rec);
    if (rc == CONSTAT_OK && *tsa_rc == CONSTAT_OK) {
        report_proven(j->topts, &j->es, &j->tl, &j->sum);
        /* 8. the figures, recomputed (delay_event_to_proven from the tokens
         * that verified in step 7) */
        rc = side.fig_rc;
        if (rc == CONSTAT_OK)
            rc = vrecord_replay(&j->s, &side.fig);
        /* 9. a public dossier's public/ against its leaves (public_dossier.c) */
        if (rc == CONSTAT_OK && manifest_has_public(json_object_get(j->m.root, "files")))
            rc = dossier_public_verify(j->dir, j->trust,
                                       j->lkc && j->lkc->n > 1 && j->cp.have
                                           ? &constat_keychain_for_size(j->lkc, j->cp.size)->ver
                                           : NULL,
                                       fr.recs, fr.n, side.recomputed,
                                       vpub_fail, vpub_pass, &j->s);
    }
    /* corrections that keep no pseudonyms of the record they correct */
    for (size_t i = 0; rc == CONSTAT_OK && j->topts && j->topts->persons_note &&
                       i < json_array_size(fr.persons_notes);
         i++) {
        const json_t *pn = json_array_get(fr.persons_notes, i);
        j->topts->persons_note(j->topts->persons_note_ctx,
                               (uint64_t)json_integer_value(json_array_get(pn, 0)),
                               json_string_value(json_array_get(pn, 1)));
    }
    j->sum.figures_leaves = side.figures_leaves;
    vrecord_free(&tsa_rec);
    vrecord_free(&side.ev);
    vrecord_free(&side.fig);
    vrecord_free(&side.rep);
    json_decref(side.recomputed);
    json_decref(side.claimed);
    figrecs_free(&fr);
    return rc;
}

/* Free what the verification holds; the entries' lines on nw threads when
 * parallel. */
static void vd_free(vdossier *j, int parallel)
{
    free(j->kc);
    j->kc = NULL;
    free(j->lkc);
    j->lkc = NULL;
    lines_env_free(&j->env);
    constat_tsa_timeline_free(&j->tl);
    if (parallel)
        ventries_free_parallel(&j->es, j->env.nw);
    else
        ventries_free(&j->es);
    constat_taxonomy_free(j->tax);
    manifest_free(&j->m);
    free(j->wpol);
}

constat_status constat_verify_dossier_timed(const char *dir, const constat_verify_opts *opts,
                                            const constat_verify_time_opts *topts,
                                            constat_failure_fn fail, void *ctx,
                                            constat_verify_summary *out, constat_error *err)
{
    vdossier job, *j = &job;
    dirlist present;
    constat_error tsa_err;
    constat_status rc, tsa_rc = CONSTAT_OK;

    memset(j, 0, sizeof *j);
    memset(&present, 0, sizeof present);
    constat_tsa_timeline_init(&j->tl);
    j->env.nw = worker_count();
    j->s.fail = fail;
    j->s.ctx = ctx;
    j->dir = dir;
    j->trust = opts ? opts->trust_file : NULL;
    j->topts = topts;
    if (out)
        memset(out, 0, sizeof *out);
    rc = vd_open(j, err);
    if (rc != CONSTAT_OK)
        return rc;
    rc = vd_walk(j, &present, out, err);
    if (rc != CONSTAT_OK) {
        dirlist_free(&present);
        free(j->wpol);
        return rc;
    }
    vd_manifest_keys(j, &present, err);
    dirlist_free(&present);
    vd_checkpoint(j);
    vd_taxonomy(j);
    rc = vd_lines(j);
    if (rc == CONSTAT_OK)
        rc = vd_sigs_time_figures(j, &tsa_rc, &tsa_err);
    if (rc != CONSTAT_OK) {
        vd_free(j, 0);
        return constat_error_set(err, rc, "%s: out of memory while verifying", dir);
    }
    if (tsa_rc != CONSTAT_OK) {
        vd_free(j, 0);
        if (err)
            *err = tsa_err;
        return tsa_rc;
    }
    j->sum.checks_passed = j->s.passed;
    j->sum.checks_failed = j->s.failed;
    if (out)
        *out = j->sum;
    vd_free(j, 1);
    if (j->s.failed)
        return constat_error_set(err, CONSTAT_EVERIFY, "%" PRIu64 " of %" PRIu64
                                 " checks failed; first: %s", j->s.failed,
                                 j->s.failed + j->s.passed, j->s.first);
    constat_error_clear(err);
    return CONSTAT_OK;
}
