/*
 * evidence.c — evidence files: the streaming hash and copy, the
 * content-addressed store, the evidence and custody records, the flags, and
 * the dossier side (copying files out, re-hashing them).
 *
 * One pass over the bytes, one fixed 1 MiB buffer: a 4 GiB video is hashed
 * and copied in the same bounded memory as a photo. The store is written the
 * way a crash cannot corrupt it: a temporary file in the store, fsync'd and
 * made read-only, renamed to its hash, the directory fsync'd. A file whose
 * hash is already stored is not written twice.
 *
 * The flags are computed here and only here, from the two signed records, so
 * that show, report, dossier and verify agree and a verifier can recompute
 * them without the vault.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>
#include <sodium.h>

#include "constat/evidence/evidence.h"
#include "constat/vault/intake.h"
#include "constat/base/file.h"
#include "base/dynlib.h"
#include "vault/location.h"

/* libmagic, loaded by the first constat_evidence_media_type (base/dynlib.h):
 * the names and the pointers in the same order */
static const char *const magic_names[] = {"magic_open",  "magic_setparam", "magic_load",
                                          "magic_file",  "magic_error",    "magic_close",
                                          "magic_buffer"};
static struct {
    magic_t (*open)(int flags);
    int (*setparam)(magic_t m, int param, const void *value);
    int (*load)(magic_t m, const char *file);
    const char *(*file)(magic_t m, const char *path);
    const char *(*error)(magic_t m);
    void (*close)(magic_t m);
    const char *(*buffer)(magic_t m, const void *buf, size_t len);
} mg;
static constat_dynlib magic_lib = CONSTAT_DYNLIB("libmagic.so.1", magic_names, mg);
#define magic_open mg.open
#define magic_setparam mg.setparam
#define magic_load mg.load
#define magic_file mg.file
#define magic_error mg.error
#define magic_close mg.close
#define magic_buffer mg.buffer

#define PATH_CAP 4200

/* ---- files ---------------------------------------------------------------- */

static constat_status write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return CONSTAT_EIO;
        p += w;
        n -= (size_t)w;
    }
    return CONSTAT_OK;
}

/* Where the bytes of a streamed file go: a descriptor (fd >= 0), a sealed
 * file writer, and the first prefix_cap bytes kept in `prefix` (media type
 * and EXIF are read from them: the bytes examined are the bytes hashed). */
typedef struct {
    int fd;
    constat_seal_writer *w;
    uint8_t *prefix;
    size_t prefix_cap, prefix_len;
    const uint8_t *src; /* bytes in memory to take instead of the file at path */
    size_t src_len;
    constat_evidence_read_fn rd; /* or a reader to take them from */
    void *rctx;
} sink;

static constat_status sink_put(sink *k, const char *path, const unsigned char *p, size_t n,
                               constat_error *err)
{
    if (k->prefix && k->prefix_len < k->prefix_cap) {
        size_t take = k->prefix_cap - k->prefix_len < n ? k->prefix_cap - k->prefix_len : n;
        memcpy(k->prefix + k->prefix_len, p, take);
        k->prefix_len += take;
    }
    if (k->fd >= 0 && write_all(k->fd, p, n) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EIO, "%s: copy: %s", path, strerror(errno));
    if (k->w && constat_seal_writer_write(k->w, p, n, err) != CONSTAT_OK)
        return constat_error_prefix(err, "%s: ", path);
    return CONSTAT_OK;
}

static constat_status hash_stream(const char *path, sink *k, uint8_t out[CONSTAT_HASH_SIZE],
                                  uint64_t *size, constat_error *err);

constat_status constat_evidence_hash_copy(const char *path, int dest_fd,
                                          uint8_t out[CONSTAT_HASH_SIZE], uint64_t *size,
                                          constat_error *err)
{
    sink k = {dest_fd, NULL, NULL, 0, 0, NULL, 0, NULL, NULL};
    return hash_stream(path, &k, out, size, err);
}

static constat_status hash_stream(const char *path, sink *k, uint8_t out[CONSTAT_HASH_SIZE],
                                  uint64_t *size, constat_error *err)
{
    constat_sha256_ctx c;
    unsigned char *block;
    uint64_t total = 0;
    struct stat sb;
    int fd;

    if (!path || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "evidence: no file");
    /* O_NONBLOCK: a FIFO must be refused below, not waited on */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a regular file", path);
    }
    if ((uint64_t)sb.st_size > CONSTAT_EVIDENCE_MAX_BYTES) {
        close(fd);
        return constat_error_set(err, CONSTAT_ELIMIT, "%s: %lld bytes exceeds the limit of %llu",
                                 path, (long long)sb.st_size,
                                 (unsigned long long)CONSTAT_EVIDENCE_MAX_BYTES);
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    block = malloc(CONSTAT_EVIDENCE_BLOCK);
    if (!block) {
        close(fd);
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", path);
    }
    constat_sha256_init(&c);
    for (;;) {
        ssize_t n = read(fd, block, CONSTAT_EVIDENCE_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            constat_error_set(err, CONSTAT_EIO, "%s: read: %s", path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > CONSTAT_EVIDENCE_MAX_BYTES) { /* it grew while we read */
            constat_error_set(err, CONSTAT_ELIMIT, "%s: exceeds the limit of %llu bytes", path,
                              (unsigned long long)CONSTAT_EVIDENCE_MAX_BYTES);
            goto fail;
        }
        constat_sha256_update(&c, block, (size_t)n);
        if (sink_put(k, path, block, (size_t)n, err) != CONSTAT_OK)
            goto fail;
    }
    /* A file changed while it was read would be logged under a hash of no
     * version that ever existed: compare size and modification time. */
    {
        struct stat after;
        if (fstat(fd, &after) != 0 || (uint64_t)after.st_size != total ||
            after.st_size != sb.st_size || after.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
            after.st_mtim.tv_nsec != sb.st_mtim.tv_nsec) {
            constat_error_set(err, CONSTAT_ECONFLICT,
                              "%s: the file changed while it was read (size or modification "
                              "time differ): attach it again once nothing writes to it", path);
            goto fail;
        }
    }
    free(block);
    close(fd);
    constat_sha256_final(&c, out);
    if (size)
        *size = total;
    return CONSTAT_OK;
fail:
    free(block);
    close(fd);
    return err ? err->code : CONSTAT_EIO;
}

/* hash_stream for bytes handed over by k->rd; `label` names them. */
static constat_status read_stream(const char *label, sink *k, uint8_t out[CONSTAT_HASH_SIZE],
                                  uint64_t *size, constat_error *err)
{
    constat_sha256_ctx c;
    uint8_t *block = malloc(CONSTAT_EVIDENCE_BLOCK);
    uint64_t total = 0;
    constat_status st = CONSTAT_OK;

    if (!block)
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", label);
    constat_sha256_init(&c);
    for (;;) {
        long long n = k->rd(k->rctx, block, CONSTAT_EVIDENCE_BLOCK, err);
        if (n < 0) {
            st = err && err->code != CONSTAT_OK ? err->code : CONSTAT_EIO;
            break;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > CONSTAT_EVIDENCE_MAX_BYTES) {
            st = constat_error_set(err, CONSTAT_ELIMIT, "%s: exceeds the limit of %llu bytes",
                                   label, (unsigned long long)CONSTAT_EVIDENCE_MAX_BYTES);
            break;
        }
        constat_sha256_update(&c, block, (size_t)n);
        if ((st = sink_put(k, label, block, (size_t)n, err)) != CONSTAT_OK)
            break;
    }
    free(block);
    if (st != CONSTAT_OK)
        return st;
    if (total == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: an evidence file is not empty", label);
    constat_sha256_final(&c, out);
    *size = total;
    return CONSTAT_OK;
}

static int lower_hex64(const char *s)
{
    size_t i;
    if (!s || strlen(s) != 64)
        return 0;
    for (i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

constat_status constat_evidence_path(const char *root, const char *hex, char *out, size_t cap)
{
    int n;
    if (!root || !lower_hex64(hex) || !out)
        return CONSTAT_EINVAL;
    n = snprintf(out, cap, "%s/" CONSTAT_EVIDENCE_DIR "/%.2s/%.2s/%s", root, hex, hex + 2, hex);
    if (n < 0 || (size_t)n >= cap)
        return CONSTAT_EINVAL;
    return CONSTAT_OK;
}

/* mkdir -p for the store's fixed depth: each component of `path` after
 * `from` bytes (which must exist). */
static constat_status mkdirs(char *path, size_t from, constat_error *err)
{
    for (size_t i = from + 1;; i++) {
        char c = path[i];
        if (c == '/' || c == 0) {
            path[i] = 0;
            if (mkdir(path, 0700) != 0 && errno != EEXIST) {
                constat_status st = constat_error_set(err, CONSTAT_EIO, "%s: %s", path,
                                                      strerror(errno));
                path[i] = c;
                return st;
            }
            path[i] = c;
            if (c == 0)
                return CONSTAT_OK;
        }
    }
}

/* Directory part of `path` into out (path up to its last '/'). */
static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, path, n);
    out[n] = 0;
    if (n == 0)
        snprintf(out, cap, ".");
}

static constat_status store_in(const char *root, const constat_seal_keys *keys,
                               const char *path, sink *k, uint8_t out[CONSTAT_HASH_SIZE],
                               uint64_t *size, int *stored_new, constat_error *err);

/* 1 if the stored file at `path` is in clear (not a sealed file). */
static int stored_plain(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r;
    if (fd < 0)
        return 0;
    r = constat_seal_file_is(fd);
    close(fd);
    return r == 0;
}

constat_status constat_evidence_store(const char *root, const char *path,
                                      uint8_t out[CONSTAT_HASH_SIZE], uint64_t *size,
                                      int *stored_new, constat_error *err)
{
    sink k = {-1, NULL, NULL, 0, 0, NULL, 0, NULL, NULL};
    return store_in(root, NULL, path, &k, out, size, stored_new, err);
}

constat_status constat_evidence_store_sealed(const char *root, const constat_seal_keys *keys,
                                             const char *path, uint8_t *prefix,
                                             size_t prefix_cap, size_t *prefix_len,
                                             uint8_t out[CONSTAT_HASH_SIZE], uint64_t *size,
                                             int *stored_new, constat_error *err)
{
    sink k = {-1, NULL, prefix, prefix ? prefix_cap : 0, 0, NULL, 0, NULL, NULL};
    constat_status st;
    if (!keys)
        return constat_error_set(err, CONSTAT_EINVAL, "evidence: no keys to seal to");
    st = store_in(root, keys, path, &k, out, size, stored_new, err);
    if (prefix_len)
        *prefix_len = k.prefix_len;
    return st;
}

static constat_status store_in(const char *root, const constat_seal_keys *keys,
                               const char *path, sink *k, uint8_t out[CONSTAT_HASH_SIZE],
                               uint64_t *size, int *stored_new, constat_error *err)
{
    char base[PATH_CAP], tmp[PATH_CAP], dest[PATH_CAP], ddir[PATH_CAP], hex[65];
    uint64_t n = 0;
    struct stat sb;
    constat_status st = CONSTAT_OK;
    int fd;

    if (stored_new)
        *stored_new = 0;
    if (!root || !path || !out)
        return constat_error_set(err, CONSTAT_EINVAL, "evidence: no store or file");
    if (snprintf(base, sizeof base, "%s/" CONSTAT_EVIDENCE_DIR, root) >= (int)sizeof base - 80)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", root);
    if ((st = mkdirs(base, strlen(root), err)) != CONSTAT_OK)
        return st;
    snprintf(tmp, sizeof tmp, "%s/.incoming-XXXXXX", base);
    fd = mkstemp(tmp);
    if (fd < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot create: %s", tmp,
                                 strerror(errno));
    if (keys) {
        st = constat_seal_writer_new(keys, fd, &k->w, err);
    } else {
        k->fd = fd;
    }
    if (st == CONSTAT_OK && k->src) {
        constat_sha256_ctx c;
        constat_sha256_init(&c);
        constat_sha256_update(&c, k->src, k->src_len);
        constat_sha256_final(&c, out);
        n = k->src_len;
        st = sink_put(k, path, k->src, k->src_len, err);
    } else if (st == CONSTAT_OK && k->rd) {
        st = read_stream(path, k, out, &n, err);
    } else if (st == CONSTAT_OK) {
        st = hash_stream(path, k, out, &n, err);
    }
    if (st == CONSTAT_OK && k->w)
        st = constat_seal_writer_finish(k->w, err);
    constat_seal_writer_free(k->w);
    k->w = NULL;
    if (st == CONSTAT_OK && (fsync(fd) != 0 || fchmod(fd, 0400) != 0))
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && st == CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", tmp, strerror(errno));
    if (st != CONSTAT_OK) {
        unlink(tmp);
        return st;
    }
    constat_hex(out, 32, hex);
    if (constat_evidence_path(root, hex, dest, sizeof dest) != CONSTAT_OK) {
        unlink(tmp);
        return constat_error_set(err, CONSTAT_EINVAL, "%s: path too long", root);
    }
    dir_of(dest, ddir, sizeof ddir);
    if ((st = mkdirs(ddir, strlen(base), err)) != CONSTAT_OK) {
        unlink(tmp);
        return st;
    }
    if (stat(dest, &sb) == 0 && keys && !stored_plain(dest)) {
        unlink(tmp); /* stored sealed already */
    } else if (stat(dest, &sb) == 0 && !keys) {
        unlink(tmp);
        if ((uint64_t)sb.st_size != n)
            return constat_error_set(err, CONSTAT_ECONFLICT,
                                     "%s: stored with %lld bytes, the file has %" PRIu64
                                     ": the evidence store is damaged",
                                     dest, (long long)sb.st_size, n);
    } else {
        /* new, or a copy stored in clear by an earlier version: replaced by
         * the sealed one in one rename */
        if (rename(tmp, dest) != 0) {
            st = constat_error_set(err, CONSTAT_EIO, "%s: %s", dest, strerror(errno));
            unlink(tmp);
            return st;
        }
        if (constat_fsync_dir(ddir) != 0 || constat_fsync_dir(base) != 0)
            return constat_error_set(err, CONSTAT_EIO, "%s: fsync: %s", ddir, strerror(errno));
        if (stored_new)
            *stored_new = 1;
    }
    if (size)
        *size = n;
    return CONSTAT_OK;
}

/* libmagic on a file (path) or on bytes in memory (path NULL). */
static constat_status media_type(const char *path, const uint8_t *buf, size_t len, char *out,
                                 size_t cap, constat_error *err)
{
    magic_t m;
    const char *t;
    size_t bytes = CONSTAT_EVIDENCE_MAGIC_BYTES;

    if (!out || cap == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "media type: no buffer");
    out[0] = 0;
    if (constat_dynlib_use(&magic_lib, err) != CONSTAT_OK)
        return CONSTAT_EIO;
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_SYMLINK | MAGIC_NO_CHECK_COMPRESS);
    if (!m)
        return constat_error_set(err, CONSTAT_EIO, "libmagic: cannot start");
    (void)magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes);
    if (magic_load(m, NULL) != 0) {
        constat_status st = constat_error_set(err, CONSTAT_EIO, "libmagic: %s",
                                              magic_error(m) ? magic_error(m) : "no database");
        magic_close(m);
        return st;
    }
    t = path ? magic_file(m, path)
             : magic_buffer(m, buf, len < CONSTAT_EVIDENCE_MAGIC_BYTES ? len
                                                                       : CONSTAT_EVIDENCE_MAGIC_BYTES);
    if (!t) {
        constat_status st = constat_error_set(err, CONSTAT_EIO, "%s: %s", path ? path : "file",
                                              magic_error(m) ? magic_error(m) : "unreadable");
        magic_close(m);
        return st;
    }
    snprintf(out, cap, "%s", t);
    magic_close(m);
    return CONSTAT_OK;
}

constat_status constat_evidence_media_type(const char *path, char *out, size_t cap,
                                           constat_error *err)
{
    return media_type(path, NULL, 0, out, cap, err);
}

constat_status constat_evidence_store_sealed_bytes(const char *root,
                                                   const constat_seal_keys *keys,
                                                   const uint8_t *data, size_t len,
                                                   char *media, size_t media_cap,
                                                   uint8_t out[CONSTAT_HASH_SIZE],
                                                   uint64_t *size, int *stored_new,
                                                   constat_error *err)
{
    sink k = {-1, NULL, NULL, 0, 0, data, len, NULL, NULL};
    constat_status st;
    if (!keys)
        return constat_error_set(err, CONSTAT_EINVAL, "evidence: no keys to seal to");
    if (!data || len == 0)
        return constat_error_set(err, CONSTAT_EINVAL, "upload: an evidence file is not empty");
    st = media_type(NULL, data, len, media, media_cap, err);
    if (st == CONSTAT_OK)
        st = store_in(root, keys, "upload", &k, out, size, stored_new, err);
    return st;
}

constat_status constat_evidence_store_sealed_reader(const char *root,
                                                    const constat_seal_keys *keys,
                                                    constat_evidence_read_fn rd, void *rctx,
                                                    const char *label, char *media,
                                                    size_t media_cap,
                                                    uint8_t out[CONSTAT_HASH_SIZE],
                                                    uint64_t *size, int *stored_new,
                                                    constat_error *err)
{
    sink k = {-1, NULL, NULL, CONSTAT_EVIDENCE_MAGIC_BYTES, 0, NULL, 0, rd, rctx};
    constat_status st;
    if (!keys)
        return constat_error_set(err, CONSTAT_EINVAL, "evidence: no keys to seal to");
    if (!rd)
        return constat_error_set(err, CONSTAT_EINVAL, "%s: no reader", label);
    if (!(k.prefix = malloc(CONSTAT_EVIDENCE_MAGIC_BYTES)))
        return constat_error_set(err, CONSTAT_ENOMEM, "%s: out of memory", label);
    st = store_in(root, keys, label, &k, out, size, stored_new, err);
    if (st == CONSTAT_OK)
        st = media_type(NULL, k.prefix, k.prefix_len, media, media_cap, err);
    free(k.prefix);
    return st;
}

static const struct {
    const char *type, *ext;
} media_ext[] = {
    {"image/jpeg", ".jpg"},       {"image/png", ".png"},          {"image/gif", ".gif"},
    {"image/webp", ".webp"},      {"image/heic", ".heic"},        {"image/heif", ".heif"},
    {"image/tiff", ".tif"},       {"image/bmp", ".bmp"},          {"image/svg+xml", ".svg"},
    {"image/x-canon-cr2", ".cr2"}, {"image/x-nikon-nef", ".nef"}, {"image/x-adobe-dng", ".dng"},
    {"video/mp4", ".mp4"},        {"video/quicktime", ".mov"},    {"video/x-msvideo", ".avi"},
    {"video/webm", ".webm"},      {"video/x-matroska", ".mkv"},   {"video/3gpp", ".3gp"},
    {"video/mpeg", ".mpg"},       {"audio/mpeg", ".mp3"},         {"audio/ogg", ".ogg"},
    {"audio/x-wav", ".wav"},      {"audio/wav", ".wav"},          {"audio/mp4", ".m4a"},
    {"audio/x-m4a", ".m4a"},      {"audio/aac", ".aac"},          {"audio/flac", ".flac"},
    {"audio/amr", ".amr"},        {"application/pdf", ".pdf"},    {"text/plain", ".txt"},
    {"text/csv", ".csv"},         {"text/html", ".html"},         {"application/json", ".json"},
    {"application/zip", ".zip"},  {"application/msword", ".doc"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
    {"application/vnd.oasis.opendocument.text", ".odt"},
    {"message/rfc822", ".eml"},
};

const char *constat_evidence_extension(const char *media_type)
{
    size_t n;
    if (!media_type)
        return ".bin";
    n = strcspn(media_type, ";");
    while (n > 0 && media_type[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof media_ext / sizeof media_ext[0]; i++)
        if (strlen(media_ext[i].type) == n && strncasecmp(media_ext[i].type, media_type, n) == 0)
            return media_ext[i].ext;
    return ".bin";
}

/* ---- records -------------------------------------------------------------- */

json_t *constat_evidence_input(const char *incident_id, const uint8_t sha256[32],
                               uint64_t size, const char *media_type,
                               const constat_capture *c, const char *file_name)
{
    char hex[65], ih[65], id[64];
    uint8_t h[32];
    json_t *o, *cap;
    int bad = 0;

    if (!incident_id || !sha256 || !media_type)
        return NULL;
    constat_hex(sha256, 32, hex);
    constat_sha256(incident_id, strlen(incident_id), h);
    constat_hex(h, 32, ih);
    snprintf(id, sizeof id, "ev-%.16s-%.8s", hex, ih);
    o = json_object();
    if (!o)
        return NULL;
    bad |= json_object_set_new(o, "kind", json_string("evidence"));
    bad |= json_object_set_new(o, "id", json_string(id));
    bad |= json_object_set_new(o, "incident", json_string(incident_id));
    bad |= json_object_set_new(o, "sha256", json_string(hex));
    bad |= json_object_set_new(o, "size", json_integer((json_int_t)size));
    bad |= json_object_set_new(o, "media_type", json_string(media_type));
    cap = constat_capture_to_json(c);
    if (cap)
        bad |= json_object_set_new(o, "capture", cap);
    if (file_name && *file_name)
        bad |= json_object_set_new(o, "private",
                                   json_pack("{s:s}", "file_name", file_name));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int constat_custody_event_valid(const char *event)
{
    static const char *const events[] = {"copied", "handed_over", "sealed", "received", NULL};
    for (const char *const *e = events; event && *e; e++)
        if (strcmp(*e, event) == 0)
            return 1;
    return 0;
}

json_t *constat_custody_input(const char *evidence_hex, const char *incident_id,
                              const char *event, const char *to, const char *note,
                              int64_t now)
{
    constat_sha256_ctx c;
    uint8_t h[32];
    char hex[65], id[64], ts[32];
    static const uint8_t zero = 0;
    json_t *o;
    int bad = 0;

    if (!evidence_hex || !incident_id || !event || !to)
        return NULL;
    constat_rfc3339_format(now, 0, ts);
    constat_sha256_init(&c);
    {
        const char *parts[] = {evidence_hex, incident_id, event, to, note ? note : "", ts};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            constat_sha256_update(&c, parts[i], strlen(parts[i]));
            constat_sha256_update(&c, &zero, 1);
        }
    }
    constat_sha256_final(&c, h);
    constat_hex(h, 32, hex);
    snprintf(id, sizeof id, "cu-%.16s", hex);
    o = json_object();
    if (!o)
        return NULL;
    bad |= json_object_set_new(o, "kind", json_string("custody"));
    bad |= json_object_set_new(o, "id", json_string(id));
    bad |= json_object_set_new(o, "evidence", json_string(evidence_hex));
    bad |= json_object_set_new(o, "incident", json_string(incident_id));
    bad |= json_object_set_new(o, "event", json_string(event));
    bad |= json_object_set_new(o, "to", json_string(to));
    if (note && *note)
        bad |= json_object_set_new(o, "note", json_string(note));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The record logged under `id`, kind-checked. Caller frees *l. */
static constat_status logged_record(constat_vault *v, const char *id, const char *kind,
                                    constat_leaf *l, uint64_t *index, constat_error *err)
{
    constat_buf leaf;
    constat_status st;
    const char *k;
    uint64_t idx;

    memset(l, 0, sizeof *l);
    st = constat_vault_find(v, id, &idx, err);
    if (st != CONSTAT_OK)
        return st == CONSTAT_ENOTFOUND
                   ? constat_error_set(err, CONSTAT_ENOTFOUND, "%s: no such record in the log", id)
                   : st;
    constat_buf_init(&leaf);
    st = constat_vault_leaf(v, idx, &leaf, err);
    if (st == CONSTAT_OK)
        st = constat_leaf_parse(leaf.data, leaf.len, l, err);
    constat_buf_free(&leaf);
    if (st != CONSTAT_OK)
        return st;
    k = json_string_value(json_object_get(l->record, "kind"));
    if (!k || strcmp(k, kind) != 0) {
        /* the message quotes the record's kind: set it before releasing it */
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: is a %.40s record, not %s %s", id,
                               k ? k : "?", kind[0] == 'i' || kind[0] == 'e' ? "an" : "a",
                               kind);
        constat_leaf_free(l);
        return st;
    }
    if (index)
        *index = idx;
    return CONSTAT_OK;
}

/* Prepare, sign and append one record; *index its leaf, *skipped whether the
 * same content was already logged. */
static constat_status log_input(constat_vault *v, const json_t *input, const char *monitor,
                                const constat_note_signer *signer, int64_t now,
                                uint64_t *index, int *skipped, char id[64], constat_error *err)
{
    json_t *rec = NULL, *priv = NULL;
    constat_intake_item item;
    constat_append_item view;
    size_t appended = 0, skip = 0;
    uint64_t first = 0;
    constat_status st;

    st = constat_intake_prepare(v, input, monitor, now, NULL, &rec, &priv, err);
    if (st == CONSTAT_OK)
        st = constat_intake_sign(rec, priv, signer, &item, err);
    json_decref(rec);
    json_decref(priv);
    if (st != CONSTAT_OK)
        return st;
    constat_intake_item_view(&item, &view);
    st = constat_vault_append(v, &view, 1, &first, &appended, &skip, NULL, NULL, err);
    if (st == CONSTAT_OK && skip)
        st = constat_vault_find(v, item.record_id, &first, err);
    if (st == CONSTAT_OK) {
        if (index)
            *index = first;
        if (skipped)
            *skipped = skip != 0;
        if (id)
            snprintf(id, 64, "%s", item.record_id);
    }
    constat_intake_item_free(&item);
    return st;
}

constat_status constat_evidence_attach(constat_vault *v, const char *incident_id,
                                       const char *path, const char *monitor,
                                       const constat_note_signer *signer, int64_t now,
                                       constat_evidence_result *out, constat_error *err)
{
    constat_evidence_result r;
    constat_leaf inc;
    const char *name;
    uint8_t *prefix;
    size_t plen = 0;
    uint8_t h[32];
    json_t *input;
    constat_status st;
    int skipped = 0;

    memset(&r, 0, sizeof r);
    if (out)
        memset(out, 0, sizeof *out);
    if (!v || !incident_id || !path || !monitor || !signer)
        return constat_error_set(err, CONSTAT_EINVAL, "attach: missing argument");
    st = logged_record(v, incident_id, "incident", &inc, NULL, err);
    if (st != CONSTAT_OK)
        return st;
    /* an incident logged with a coarse position (its exact one private) in
     * its effective version: intake (constat_intake_prepare) coarsens the
     * photo's GPS position so that it does not give the spot away */
    constat_leaf_free(&inc);
    /* stored sealed (docs/vault.md "Sealed at rest"); the media type and
     * EXIF are read from the start of the bytes hashed, kept in memory */
    prefix = malloc(CONSTAT_EXIF_SCAN_MAX);
    if (!prefix)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_evidence_store_sealed(constat_vault_dir(v), constat_vault_seal_keys(v), path,
                                       prefix, CONSTAT_EXIF_SCAN_MAX, &plen, h, &r.size,
                                       &r.stored_new, err);
    if (st == CONSTAT_OK) {
        constat_hex(h, 32, r.sha256);
        st = media_type(NULL, prefix, plen, r.media_type, sizeof r.media_type, err);
    }
    if (st == CONSTAT_OK && strcmp(r.media_type, "image/jpeg") == 0)
        st = constat_exif_parse(prefix, plen, &r.capture, err);
    sodium_memzero(prefix, CONSTAT_EXIF_SCAN_MAX);
    free(prefix);
    if (st != CONSTAT_OK)
        return st;
    name = strrchr(path, '/');
    name = name ? name + 1 : path;
    input = constat_evidence_input(incident_id, h, r.size, r.media_type, &r.capture, name);
    if (!input)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "%s: cannot build the evidence record (file name or "
                                 "metadata not UTF-8?)", path);
    st = log_input(v, input, monitor, signer, now, &r.index, &skipped, r.record_id, err);
    json_decref(input);
    if (st != CONSTAT_OK)
        return st;
    r.already_logged = skipped;
    if (out)
        *out = r;
    return CONSTAT_OK;
}

constat_status constat_custody_log(constat_vault *v, const char *evidence_id,
                                   const char *event, const char *to, const char *note,
                                   const char *monitor, const constat_note_signer *signer,
                                   int64_t now, uint64_t *index, char id[64],
                                   constat_error *err)
{
    constat_leaf ev;
    json_t *input;
    constat_status st;

    if (!v || !evidence_id || !monitor || !signer)
        return constat_error_set(err, CONSTAT_EINVAL, "custody: missing argument");
    if (!constat_custody_event_valid(event))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "event: \"%s\" is not one of copied, handed_over, sealed, "
                                 "received", event ? event : "");
    if (!to || !*to)
        return constat_error_set(err, CONSTAT_EINVAL, "to: must name who received the file");
    st = logged_record(v, evidence_id, "evidence", &ev, NULL, err);
    if (st != CONSTAT_OK)
        return st;
    input = constat_custody_input(json_string_value(json_object_get(ev.record, "sha256")),
                                  json_string_value(json_object_get(ev.record, "incident")),
                                  event, to, note, now);
    constat_leaf_free(&ev);
    if (!input)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "custody: cannot build the record (text not UTF-8?)");
    st = log_input(v, input, monitor, signer, now, index, NULL, id, err);
    json_decref(input);
    return st;
}

/* ---- flags ---------------------------------------------------------------- */

static int get_e7(const json_t *o, int64_t *lat, int64_t *lon)
{
    json_t *a = json_object_get(o, "lat_e7"), *b = json_object_get(o, "lon_e7");
    if (!json_is_integer(a) || !json_is_integer(b))
        return 0;
    *lat = json_integer_value(a);
    *lon = json_integer_value(b);
    return 1;
}

constat_status constat_evidence_flags_compute(const json_t *evidence, const json_t *incident,
                                              constat_evidence_flags *out, constat_error *err)
{
    const char *kind, *inc, *iid;
    const json_t *cap, *occ, *place;
    int64_t t = 0, start, end;
    int start_off = 0, have_t = 0;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !json_is_object(evidence) || !json_is_object(incident))
        return constat_error_set(err, CONSTAT_EINVAL, "flags: two records needed");
    kind = json_string_value(json_object_get(evidence, "kind"));
    inc = json_string_value(json_object_get(evidence, "incident"));
    iid = json_string_value(json_object_get(incident, "id"));
    if (!kind || strcmp(kind, "evidence") != 0 || !inc)
        return constat_error_set(err, CONSTAT_EINVAL, "flags: not an evidence record");
    if (!iid || strcmp(inc, iid) != 0)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "flags: evidence names incident %.128s, not %.128s", inc,
                                 iid ? iid : "?");
    cap = json_object_get(evidence, "capture");
    if (!json_is_object(cap))
        return CONSTAT_OK; /* no metadata is not a flag */
    /* unusable metadata is: the camera wrote something, and it is not a date
     * (or not a readable EXIF structure) */
    if (json_is_string(json_object_get(cap, "time_invalid"))) {
        out->time_invalid = 1;
        snprintf(out->time_raw, sizeof out->time_raw, "%s",
                 json_string_value(json_object_get(cap, "time_invalid")));
    }
    if (json_is_string(json_object_get(cap, "exif_malformed"))) {
        out->exif_malformed = 1;
        snprintf(out->exif_problem, sizeof out->exif_problem, "%s",
                 json_string_value(json_object_get(cap, "exif_malformed")));
    }

    occ = json_object_get(incident, "occurred");
    if (json_is_object(occ) &&
        constat_rfc3339_parse(json_string_value(json_object_get(occ, "start")) ?
                                  json_string_value(json_object_get(occ, "start")) : "",
                              &start, &start_off) == CONSTAT_OK &&
        constat_rfc3339_parse(json_string_value(json_object_get(occ, "end")) ?
                                  json_string_value(json_object_get(occ, "end")) : "",
                              &end, NULL) == CONSTAT_OK) {
        const char *ct = json_string_value(json_object_get(cap, "time"));
        const char *lt = json_string_value(json_object_get(cap, "local_time"));
        if (ct && constat_rfc3339_parse(ct, &t, NULL) == CONSTAT_OK) {
            have_t = 1;
        } else if (lt && strlen(lt) == 19) {
            char iso[32];
            snprintf(iso, sizeof iso, "%sZ", lt);
            if (constat_rfc3339_parse(iso, &t, NULL) == CONSTAT_OK) {
                t -= start_off; /* the wall clock read in the incident's own offset */
                have_t = 1;
                out->time_assumed_offset = 1;
            }
        }
        if (have_t) {
            out->time_checked = 1;
            if (t < start)
                out->time_off_s = t - start;
            else if (t > end)
                out->time_off_s = t - end;
            out->time_flag = out->time_off_s > CONSTAT_EVIDENCE_TIME_SLACK_S ||
                             out->time_off_s < -CONSTAT_EVIDENCE_TIME_SLACK_S;
        }
    }

    place = json_object_get(incident, "place");
    {
        int64_t la1, lo1, la2, lo2;
        if (json_is_object(place) && get_e7(place, &la1, &lo1) && get_e7(cap, &la2, &lo2)) {
            const double r = 6371008.8, k = 3.14159265358979323846 / 180.0 / 1e7;
            double p1 = (double)la1 * k, p2 = (double)la2 * k;
            double dp = (double)(la2 - la1) * k, dl = (double)(lo2 - lo1) * k;
            double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
            double d;
            if (a > 1)
                a = 1;
            d = 2 * r * atan2(sqrt(a), sqrt(1 - a));
            out->gps_checked = 1;
            out->distance_m = (int64_t)llround(d);
            out->gps_flag = d > CONSTAT_EVIDENCE_DIST_SLACK_M;
        }
    }
    return CONSTAT_OK;
}

static void span(int64_t s, char *out, size_t cap)
{
    if (s >= 2 * 86400)
        snprintf(out, cap, "%" PRId64 " days %" PRId64 " h", s / 86400, s % 86400 / 3600);
    else
        snprintf(out, cap, "%" PRId64 " h %02" PRId64 " min", s / 3600, s % 3600 / 60);
}

int constat_evidence_flags_describe(const constat_evidence_flags *f, char *out, size_t cap)
{
    char a[160] = "", b[120] = "", s[64];
    int n = 0;
    if (!out || cap == 0)
        return 0;
    out[0] = 0;
    if (!f)
        return 0;
    if (f->time_flag) {
        span(f->time_off_s < 0 ? -f->time_off_s : f->time_off_s, s, sizeof s);
        snprintf(a, sizeof a, "capture time %s %s the incident's time%s", s,
                 f->time_off_s < 0 ? "before" : "after",
                 f->time_assumed_offset ? " (camera clock, read in the incident's UTC offset)"
                                        : "");
        n++;
    }
    if (f->gps_flag) {
        if (f->distance_m >= 100000)
            snprintf(b, sizeof b, "taken %" PRId64 " km from the incident's place",
                     f->distance_m / 1000);
        else
            snprintf(b, sizeof b, "taken %.1f km from the incident's place",
                     (double)f->distance_m / 1000.0);
        n++;
    }
    snprintf(out, cap, "%s%s%s", a, a[0] && b[0] ? "; " : "", b);
    if (f->time_invalid) {
        size_t k = strlen(out);
        snprintf(out + k, cap - k, "%sinvalid EXIF date \"%s\" (the camera wrote a date that "
                 "is not one)", k ? "; " : "", f->time_raw);
        n++;
    }
    if (f->exif_malformed) {
        size_t k = strlen(out);
        snprintf(out + k, cap - k, "%smalformed EXIF: %s", k ? "; " : "", f->exif_problem);
        n++;
    }
    return n;
}

/* ---- dossiers ------------------------------------------------------------- */

constat_status constat_evidence_check_file(const char *dir, const json_t *evidence,
                                           char *msg, size_t cap)
{
    const char *hex = json_string_value(json_object_get(evidence, "sha256"));
    json_t *sz = json_object_get(evidence, "size");
    char path[PATH_CAP], got[65];
    uint8_t h[32];
    uint64_t n = 0;
    struct stat sb;
    constat_error e;

    if (constat_evidence_path(dir, hex, path, sizeof path) != CONSTAT_OK) {
        snprintf(msg, cap, "evidence record without a valid sha256");
        return CONSTAT_EVERIFY;
    }
    if (lstat(path, &sb) != 0) {
        snprintf(msg, cap, "%s: %s", path + strlen(dir) + 1, strerror(errno));
        return errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO;
    }
    constat_error_clear(&e);
    if (!S_ISREG(sb.st_mode)) {
        snprintf(msg, cap, "%s: not a regular file", path + strlen(dir) + 1);
        return CONSTAT_EVERIFY;
    }
    if (constat_evidence_hash_copy(path, -1, h, &n, &e) != CONSTAT_OK) {
        snprintf(msg, cap, "%s", e.msg);
        return CONSTAT_EIO;
    }
    constat_hex(h, 32, got);
    if (strcmp(got, hex) != 0) {
        snprintf(msg, cap, "evidence file %s has SHA-256 %s, the signed record says %s",
                 path + strlen(dir) + 1, got, hex);
        return CONSTAT_EVERIFY;
    }
    if (!json_is_integer(sz) || (uint64_t)json_integer_value(sz) != n) {
        snprintf(msg, cap, "evidence file %s has %" PRIu64 " bytes, the record says %lld",
                 path + strlen(dir) + 1, n,
                 json_is_integer(sz) ? (long long)json_integer_value(sz) : -1LL);
        return CONSTAT_EVERIFY;
    }
    snprintf(msg, cap, "evidence file %s: hash and size match", path + strlen(dir) + 1);
    return CONSTAT_OK;
}

/* Stream the stored file at `path` (label: its name in messages) into its
 * SHA-256 and byte count and, when dest_fd >= 0, its plaintext into dest_fd:
 * decrypted chunk by chunk when sealed (bounded memory), read as is when
 * stored in clear by an earlier version. *sealed says which. */
static constat_status stored_stream(const constat_seal_keys *k, const char *path,
                                    const char *label, int dest_fd, uint8_t h[32], uint64_t *n,
                                    int *sealed, constat_error *err)
{
    constat_seal_reader *r = NULL;
    constat_sha256_ctx c;
    constat_status st;
    int fd, done = 0, is;

    *n = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO, "%s: %s",
                                 label, strerror(errno));
    is = constat_seal_file_is(fd);
    *sealed = is == 1;
    if (is != 1) {
        close(fd);
        if (is < 0)
            return constat_error_set(err, CONSTAT_EIO, "%s: %s", label, strerror(errno));
        return constat_evidence_hash_copy(path, dest_fd, h, n, err);
    }
    if (!k || !k->has_sk) {
        close(fd);
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "%s is sealed: reading it needs the vault's keys (give the "
                                 "passphrase)", label);
    }
    constat_sha256_init(&c);
    st = constat_seal_reader_new_keys(k, fd, label, &r, err);
    while (st == CONSTAT_OK && !done) {
        const uint8_t *d;
        size_t len;
        st = constat_seal_reader_next(r, &d, &len, &done, err);
        if (st != CONSTAT_OK || !len)
            continue;
        constat_sha256_update(&c, d, len);
        *n += len;
        if (dest_fd >= 0 && write_all(dest_fd, d, len) != CONSTAT_OK)
            st = constat_error_set(err, CONSTAT_EIO, "%s: copy: %s", label, strerror(errno));
    }
    constat_seal_reader_free(r);
    close(fd);
    constat_sha256_final(&c, h);
    return st;
}

constat_status constat_evidence_check_stored(constat_vault *v, const json_t *evidence,
                                             int *rehashed, char *msg, size_t cap)
{
    const char *hex = json_string_value(json_object_get(evidence, "sha256"));
    json_t *sz = json_object_get(evidence, "size");
    const constat_seal_keys *k = constat_vault_seal_keys(v);
    char path[PATH_CAP], got[65];
    const char *rel;
    uint8_t h[32];
    uint64_t n = 0;
    struct stat sb;
    constat_error e;
    constat_status st;
    int sealed = 0;

    *rehashed = 0;
    if (constat_evidence_path(constat_vault_dir(v), hex, path, sizeof path) != CONSTAT_OK) {
        snprintf(msg, cap, "evidence record without a valid sha256");
        return CONSTAT_EVERIFY;
    }
    rel = path + strlen(constat_vault_dir(v)) + 1;
    if (lstat(path, &sb) != 0) {
        snprintf(msg, cap, "%s: %s", rel, strerror(errno));
        return errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(msg, cap, "%s: not a regular file", rel);
        return CONSTAT_EVERIFY;
    }
    if (!k->has_sk) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        int is = fd >= 0 ? constat_seal_file_is(fd) : -1;
        if (fd >= 0)
            close(fd);
        if (is == 1) { /* present and sealed: its contents need the keys */
            snprintf(msg, cap, "evidence file %s: present, sealed (not re-hashed without the "
                     "keys)", rel);
            return CONSTAT_OK;
        }
    }
    constat_error_clear(&e);
    st = stored_stream(k, path, rel, -1, h, &n, &sealed, &e);
    if (st != CONSTAT_OK) {
        snprintf(msg, cap, "%s", e.msg);
        return st == CONSTAT_ENOTFOUND || st == CONSTAT_EIO ? st : CONSTAT_EVERIFY;
    }
    constat_hex(h, 32, got);
    if (strcmp(got, hex) != 0) {
        snprintf(msg, cap, "evidence file %s has SHA-256 %s, the signed record says %s", rel,
                 got, hex);
        return CONSTAT_EVERIFY;
    }
    if (!json_is_integer(sz) || (uint64_t)json_integer_value(sz) != n) {
        snprintf(msg, cap, "evidence file %s has %" PRIu64 " bytes, the record says %lld", rel,
                 n, json_is_integer(sz) ? (long long)json_integer_value(sz) : -1LL);
        return CONSTAT_EVERIFY;
    }
    *rehashed = 1;
    snprintf(msg, cap, "evidence file %s: %shash and size match", rel,
             sealed ? "sealed; " : "stored in clear; ");
    return CONSTAT_OK;
}

constat_status constat_evidence_copy_out(constat_vault *v, const char *hex,
                                         const char *dest_root, constat_error *err)
{
    char src[PATH_CAP], dest[PATH_CAP], ddir[PATH_CAP], got[65];
    uint8_t h[32];
    uint64_t n = 0;
    constat_status st;
    int fd, sealed = 0;

    if (constat_evidence_path(constat_vault_dir(v), hex, src, sizeof src) != CONSTAT_OK ||
        constat_evidence_path(dest_root, hex, dest, sizeof dest) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "evidence %.64s: bad hash or path",
                                 hex ? hex : "");
    if (access(src, F_OK) != 0)
        return constat_error_set(err, CONSTAT_ENOTFOUND,
                                 "evidence %s: not in the vault's store (%s)", hex, src);
    dir_of(dest, ddir, sizeof ddir);
    if ((st = mkdirs(ddir, strlen(dest_root), err)) != CONSTAT_OK)
        return st;
    fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) {
        if (errno == EEXIST)
            return CONSTAT_OK; /* two records of one file */
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", dest, strerror(errno));
    }
    /* decrypted into the dossier as it is read, never whole in memory */
    st = stored_stream(constat_vault_seal_keys(v), src, src, fd, h, &n, &sealed, err);
    if (st == CONSTAT_OK && fsync(fd) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", dest, strerror(errno));
    if (close(fd) != 0 && st == CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_EIO, "%s: %s", dest, strerror(errno));
    if (st == CONSTAT_OK) {
        constat_hex(h, 32, got);
        if (strcmp(got, hex) != 0)
            st = constat_error_set(err, CONSTAT_EVERIFY,
                                   "evidence %s: the vault's stored copy now hashes to %s",
                                   hex, got);
    }
    if (st != CONSTAT_OK)
        unlink(dest);
    return st;
}

/* Call fn for every records.jsonl line parsed as a leaf. */
typedef int (*line_fn)(void *ctx, json_t *record);

static constat_status each_record(const char *dir, line_fn fn, void *ctx, constat_error *err)
{
    char path[PATH_CAP];
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *f;

    snprintf(path, sizeof path, "%s/records.jsonl", dir);
    f = fopen(path, "rb");
    if (!f)
        return constat_error_set(err, errno == ENOENT ? CONSTAT_ENOTFOUND : CONSTAT_EIO,
                                 "%s: %s", path, strerror(errno));
    while ((n = getline(&line, &cap, f)) > 0) {
        constat_leaf l;
        constat_error e;
        int stop;
        if (line[n - 1] == '\n')
            n--;
        if ((size_t)n > CONSTAT_RECORD_MAX_BYTES)
            continue;
        if (constat_leaf_parse((const uint8_t *)line, (size_t)n, &l, &e) != CONSTAT_OK)
            continue;
        stop = fn(ctx, l.record);
        constat_leaf_free(&l);
        if (stop)
            break;
    }
    free(line);
    if (ferror(f)) {
        fclose(f);
        return constat_error_set(err, CONSTAT_EIO, "%s: read error", path);
    }
    fclose(f);
    return CONSTAT_OK;
}

typedef struct {
    json_t *evidence;  /* array of evidence records */
    json_t *incidents; /* id -> incident record (null until found) */
} flag_scan;

static int collect_evidence(void *vctx, json_t *rec)
{
    flag_scan *s = vctx;
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *inc = json_string_value(json_object_get(rec, "incident"));
    if (kind && strcmp(kind, "evidence") == 0 && inc && json_is_object(json_object_get(rec, "capture"))) {
        json_array_append(s->evidence, rec);
        json_object_set_new(s->incidents, inc, json_null());
    }
    return 0;
}

static int collect_incidents(void *vctx, json_t *rec)
{
    flag_scan *s = vctx;
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *id = json_string_value(json_object_get(rec, "id"));
    if (kind && strcmp(kind, "incident") == 0 && id && json_object_get(s->incidents, id))
        json_object_set(s->incidents, id, rec);
    return 0;
}

constat_status constat_evidence_dossier_flags(const char *dir, constat_evidence_flag_fn fn,
                                              void *ctx, constat_error *err)
{
    flag_scan s;
    constat_status st;
    size_t i;
    json_t *ev;

    s.evidence = json_array();
    s.incidents = json_object();
    if (!s.evidence || !s.incidents) {
        json_decref(s.evidence);
        json_decref(s.incidents);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    st = each_record(dir, collect_evidence, &s, err);
    if (st == CONSTAT_OK && json_array_size(s.evidence) > 0)
        st = each_record(dir, collect_incidents, &s, err);
    json_array_foreach(s.evidence, i, ev) {
        const char *inc = json_string_value(json_object_get(ev, "incident"));
        json_t *ir = json_object_get(s.incidents, inc);
        constat_evidence_flags fl;
        char what[CONSTAT_EVIDENCE_FLAGS_TEXT];
        if (st != CONSTAT_OK || !json_is_object(ir))
            continue;
        if (constat_evidence_flags_compute(ev, ir, &fl, NULL) == CONSTAT_OK &&
            constat_evidence_flags_describe(&fl, what, sizeof what) > 0 && fn)
            fn(ctx, json_string_value(json_object_get(ev, "id")), inc, what);
    }
    json_decref(s.evidence);
    json_decref(s.incidents);
    return st;
}
