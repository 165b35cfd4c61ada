/*
 * serve_upload.c — resumable upload of large evidence (docs/api.md,
 * "Resumable uploads"). A monitor declares the file (its SHA-256, the one
 * inside the signed record, and its size), sends it in chunks with
 * Content-Range, asks how much arrived after a network cut, and finishes:
 * the server hashes what it received, refuses it when the hash is not the
 * declared one, and otherwise stores it sealed at rest as POST
 * /api/v1/evidence does.
 *
 * State is files, not vault rows, so both store backends share it and it
 * survives a restart: <vault>/uploads/<id>.meta (owner, hash, size) and
 * <id>.part (the bytes so far, never in clear: each byte XORed with the
 * XChaCha20 key stream at its offset, under a key derived from the
 * organisation's secret key and the id, so nothing about it is stored and
 * a restart finds it again; its length is the offset). Uploads a monitor
 * has open are limited in count and in declared bytes (429), one file in
 * size (413). One mutex orders the uploads' changes; the vault lock is
 * taken only for the audit line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "constat/evidence/evidence.h"
#include "constat/record/canon.h"
#include "constat/vault/accounts.h"
#include "serve.h"

#define ID_LEN 32 /* hex of 16 random bytes */

static pthread_mutex_t upload_mu = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
    char account[CONSTAT_KEY_NAME_MAX + 1];
    char sha256[65];
    uint64_t size;
} upload_meta;

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == 0;
}

static void upload_path(serve_ctx *ctx, const char *id, const char *ext, char *out, size_t cap)
{
    if (id)
        snprintf(out, cap, "%s/uploads/%s.%s", constat_vault_dir(ctx->vault), id, ext);
    else
        snprintf(out, cap, "%s/uploads", constat_vault_dir(ctx->vault));
}

/* Read <id>.meta: 0, or -1 when there is none or it is damaged. */
static int meta_read(serve_ctx *ctx, const char *id, upload_meta *m)
{
    char path[4096], line[256];
    FILE *f;
    int ok = 0;
    upload_path(ctx, id, "meta", path, sizeof path);
    if (!(f = fopen(path, "r")))
        return -1;
    memset(m, 0, sizeof *m);
    if (fgets(line, sizeof line, f) && strcmp(line, "constat-upload 1\n") == 0 &&
        fgets(line, sizeof line, f) && strlen(line) > 1 && strlen(line) <= sizeof m->account) {
        line[strlen(line) - 1] = 0;
        snprintf(m->account, sizeof m->account, "%s", line);
        if (fgets(line, sizeof line, f) && strlen(line) == 65) {
            line[64] = 0;
            memcpy(m->sha256, line, 65);
            if (fgets(line, sizeof line, f) && is_hex(m->sha256, 64)) {
                char *end;
                m->size = strtoull(line, &end, 10);
                ok = *end == '\n' && m->size > 0;
            }
        }
    }
    fclose(f);
    return ok ? 0 : -1;
}

/* Bytes received so far (the length of <id>.part). */
static uint64_t part_size(serve_ctx *ctx, const char *id)
{
    char path[4096];
    struct stat sb;
    upload_path(ctx, id, "part", path, sizeof path);
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static void upload_drop(serve_ctx *ctx, const char *id)
{
    char path[4096];
    upload_path(ctx, id, "part", path, sizeof path);
    unlink(path);
    upload_path(ctx, id, "meta", path, sizeof path);
    unlink(path);
}

/* The key of upload `id`'s part file: BLAKE2b-256 keyed with the
 * organisation's X25519 secret key over a context and the id. 0, or -1
 * when the vault holds no secret key. */
static int part_key(serve_ctx *ctx, const char *id, uint8_t key[32])
{
    static const char context[] = "constat upload part v1\n";
    const constat_seal_keys *k = constat_vault_seal_keys(ctx->vault);
    crypto_generichash_state h;
    if (!k || !k->has_sk)
        return -1;
    crypto_generichash_init(&h, k->sk, CONSTAT_SEAL_SK, 32);
    crypto_generichash_update(&h, (const unsigned char *)context, sizeof context - 1);
    crypto_generichash_update(&h, (const unsigned char *)id, strlen(id));
    crypto_generichash_final(&h, key, 32);
    return 0;
}

/* out = in XOR the XChaCha20 key stream from byte `off` on (64-byte blocks;
 * the nonce is zero: the key is this upload's alone and each offset is
 * written once). */
static void part_xor(const uint8_t key[32], uint64_t off, const uint8_t *in, uint8_t *out,
                     size_t n)
{
    static const uint8_t nonce[crypto_stream_xchacha20_NONCEBYTES];
    uint64_t block = off / 64;
    size_t skip = (size_t)(off % 64);
    if (skip && n) {
        uint8_t ks[64] = {0};
        size_t take = 64 - skip < n ? 64 - skip : n;
        crypto_stream_xchacha20_xor_ic(ks, ks, sizeof ks, nonce, block, key);
        for (size_t i = 0; i < take; i++)
            out[i] = in[i] ^ ks[skip + i];
        sodium_memzero(ks, sizeof ks);
        in += take;
        out += take;
        n -= take;
        block++;
    }
    if (n)
        crypto_stream_xchacha20_xor_ic(out, in, n, nonce, block, key);
}

static void audit(serve_ctx *ctx, const serve_session *se, const serve_request *rq,
                  const char *action, const char *detail)
{
    constat_error err;
    pthread_mutex_lock(&ctx->lock);
    if (constat_audit_add(ctx->vault, ctx->now(), se->account, rq->address, action, detail,
                          &err) != CONSTAT_OK &&
        ctx->log)
        fprintf(ctx->log, "serve: audit not written: %s\n", err.msg);
    pthread_mutex_unlock(&ctx->lock);
}

static json_t *state_of(const char *id, const upload_meta *m, uint64_t offset)
{
    return json_pack("{s:s, s:s, s:I, s:I}", "id", id, "sha256", m->sha256, "size",
                     (json_int_t)m->size, "offset", (json_int_t)offset);
}

/* The monitor's open uploads: their count and declared bytes; *same gets
 * the id of one declaring `sha256` (empty if none). */
static void open_uploads(serve_ctx *ctx, const char *account, const char *sha256,
                         unsigned *count, uint64_t *bytes, char same[ID_LEN + 1])
{
    char dir[4096];
    DIR *d;
    struct dirent *e;
    *count = 0;
    *bytes = 0;
    same[0] = 0;
    upload_path(ctx, NULL, NULL, dir, sizeof dir);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        char id[ID_LEN + 1];
        upload_meta m;
        size_t n = strlen(e->d_name);
        if (n != ID_LEN + 5 || strcmp(e->d_name + ID_LEN, ".meta") != 0)
            continue;
        memcpy(id, e->d_name, ID_LEN);
        id[ID_LEN] = 0;
        if (!is_hex(id, ID_LEN) || meta_read(ctx, id, &m) != 0 || strcmp(m.account, account))
            continue;
        (*count)++;
        *bytes += m.size;
        if (strcmp(m.sha256, sha256) == 0)
            memcpy(same, id, ID_LEN + 1);
    }
    closedir(d);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* POST /api/v1/uploads {"sha256": hex, "size": bytes} */
void serve_upload_new(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    static const char *const allowed[] = {"sha256", "size", NULL};
    char dir[4096], path[4096], same[ID_LEN + 1], id[ID_LEN + 1], ev[4096];
    uint8_t rnd[ID_LEN / 2];
    const char *hex;
    const json_t *sz;
    json_int_t size;
    unsigned count;
    uint64_t bytes;
    upload_meta m;
    struct stat sb;
    json_t *o;
    FILE *f;
    (void)param;

    if (serve_json_object(rq, allowed, &o, rp))
        return;
    hex = json_string_value(json_object_get(o, "sha256"));
    sz = json_object_get(o, "size");
    if (!hex || !is_hex(hex, 64)) {
        serve_error(rp, 400, "sha256", "sha256: must be 64 lowercase hexadecimal digits");
        goto out;
    }
    if (!json_is_integer(sz) || (size = json_integer_value(sz)) <= 0) {
        serve_error(rp, 400, "size", "size: must be a positive whole number of bytes");
        goto out;
    }
    if ((uint64_t)size > SERVE_UPLOAD_MAX) {
        serve_error(rp, 413, "size", "size: %" PRId64 " bytes is more than the %llu a file may have",
                    (int64_t)size, (unsigned long long)SERVE_UPLOAD_MAX);
        goto out;
    }
    if (constat_evidence_path(constat_vault_dir(ctx->vault), hex, ev, sizeof ev) == CONSTAT_OK &&
        stat(ev, &sb) == 0) {
        /* already stored (finished earlier, or sent whole): nothing to send */
        serve_json(rp, 200, json_pack("{s:s, s:I, s:b}", "sha256", hex, "size",
                                      (json_int_t)size, "stored", 1));
        goto out;
    }
    pthread_mutex_lock(&upload_mu);
    open_uploads(ctx, se->account, hex, &count, &bytes, same);
    if (same[0] && meta_read(ctx, same, &m) == 0 && m.size == (uint64_t)size) {
        /* the same file declared again (the app lost the id): resume it */
        serve_json(rp, 200, state_of(same, &m, part_size(ctx, same)));
        pthread_mutex_unlock(&upload_mu);
        goto out;
    }
    if (count >= SERVE_UPLOAD_OPEN || bytes + (uint64_t)size > SERVE_UPLOAD_QUOTA) {
        pthread_mutex_unlock(&upload_mu);
        serve_error(rp, 429, NULL,
                    "monitor \"%s\" has %u open uploads of %llu bytes; the limit is %u uploads "
                    "of %llu bytes in all (finish or delete one first)",
                    se->account, count, (unsigned long long)bytes, SERVE_UPLOAD_OPEN,
                    (unsigned long long)SERVE_UPLOAD_QUOTA);
        goto out;
    }
    upload_path(ctx, NULL, NULL, dir, sizeof dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pthread_mutex_unlock(&upload_mu);
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    {
        uint8_t key[32];
        int have_key = part_key(ctx, id, key) == 0;
        sodium_memzero(key, sizeof key);
        if (!have_key) {
            pthread_mutex_unlock(&upload_mu);
            serve_error(rp, 500, NULL, "the vault's organisation key is not open: uploads are "
                                       "kept encrypted with it");
            goto out;
        }
    }
    upload_path(ctx, id, "part", path, sizeof path);
    {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0)
            close(fd);
        upload_path(ctx, id, "meta", path, sizeof path);
        f = fd >= 0 ? fopen(path, "wx") : NULL;
    }
    if (!f || fprintf(f, "constat-upload 1\n%s\n%s\n%" PRId64 "\n", se->account, hex,
                      (int64_t)size) < 0 ||
        fclose(f) != 0) {
        upload_drop(ctx, id);
        pthread_mutex_unlock(&upload_mu);
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    pthread_mutex_unlock(&upload_mu);
    audit(ctx, se, rq, "upload_open", id);
    memset(&m, 0, sizeof m);
    memcpy(m.sha256, hex, 65);
    m.size = (uint64_t)size;
    serve_json(rp, 201, state_of(id, &m, 0));
out:
    json_decref(o);
}

/* Parse "bytes FIRST-LAST/TOTAL" (decimal, no sign, no spaces but the one
 * after "bytes"): 0, or -1. */
int serve_content_range(const char *s, uint64_t *first, uint64_t *last, uint64_t *total)
{
    uint64_t *v[3] = {first, last, total};
    const char sep[3] = {'-', '/', 0};
    if (!s || strncmp(s, "bytes ", 6) != 0)
        return -1;
    s += 6;
    for (int k = 0; k < 3; k++) {
        uint64_t x = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            if (x > (UINT64_MAX - 9) / 10 || digits == 19)
                return -1;
            x = x * 10 + (uint64_t)(*s++ - '0');
            digits++;
        }
        if (!digits || *s != sep[k])
            return -1;
        if (sep[k])
            s++;
        *v[k] = x;
    }
    return *first <= *last && *last < *total ? 0 : -1;
}

/* The upload named by param ("ID" or "ID/finish"): 0 and *m filled, or -1
 * with 404 (no such upload, or another monitor's: the same answer). */
static int find_upload(serve_ctx *ctx, const serve_session *se, const char *param,
                       const char *suffix, char id[ID_LEN + 1], upload_meta *m, serve_reply *rp)
{
    size_t n = param ? strlen(param) : 0;
    if (n != ID_LEN + strlen(suffix) || strcmp(param + ID_LEN, suffix) != 0) {
        serve_error(rp, 404, NULL, "no such upload (an id is %d hexadecimal digits%s)", ID_LEN,
                    suffix[0] ? ", then /finish" : "");
        return -1;
    }
    memcpy(id, param, ID_LEN);
    id[ID_LEN] = 0;
    if (!is_hex(id, ID_LEN) || meta_read(ctx, id, m) != 0 || strcmp(m->account, se->account)) {
        serve_error(rp, 404, NULL, "no such upload: %s", id);
        return -1;
    }
    return 0;
}

/* GET /api/v1/uploads/ID */
void serve_upload_get(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    char id[ID_LEN + 1];
    upload_meta m;
    (void)rq;
    pthread_mutex_lock(&upload_mu);
    if (find_upload(ctx, se, param, "", id, &m, rp) == 0)
        serve_json(rp, 200, state_of(id, &m, part_size(ctx, id)));
    pthread_mutex_unlock(&upload_mu);
}

/* PUT /api/v1/uploads/ID, Content-Range: bytes FIRST-LAST/SIZE */
void serve_upload_put(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                      const char *param, serve_reply *rp)
{
    char id[ID_LEN + 1], path[4096];
    uint64_t first, last, total, have;
    uint8_t key[32], *sealed = NULL;
    upload_meta m;
    int fd;
    pthread_mutex_lock(&upload_mu);
    if (find_upload(ctx, se, param, "", id, &m, rp) != 0)
        goto out;
    if (serve_content_range(rq->content_range, &first, &last, &total) != 0) {
        serve_error(rp, 400, "Content-Range",
                    "Content-Range: must be \"bytes FIRST-LAST/SIZE\" (FIRST <= LAST < SIZE)");
        goto out;
    }
    if (total != m.size || last - first + 1 != rq->len) {
        serve_error(rp, 400, "Content-Range",
                    "Content-Range: says %llu bytes of a %llu-byte file; the body has %zu and "
                    "the upload was declared with %llu",
                    (unsigned long long)(last - first + 1), (unsigned long long)total, rq->len,
                    (unsigned long long)m.size);
        goto out;
    }
    have = part_size(ctx, id);
    if (first != have) {
        json_t *o = state_of(id, &m, have);
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Content-Range: starts at %llu but %llu bytes are received; send from there",
                 (unsigned long long)first, (unsigned long long)have);
        json_object_set_new(o, "error", json_string(msg));
        json_object_set_new(o, "field", json_string("Content-Range"));
        serve_json(rp, 409, o);
        goto out;
    }
    if (!(sealed = malloc(rq->len ? rq->len : 1)) || part_key(ctx, id, key) != 0) {
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    part_xor(key, have, rq->body, sealed, rq->len);
    upload_path(ctx, id, "part", path, sizeof path);
    fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0 || write_all(fd, sealed, rq->len) != 0 || fsync(fd) != 0) {
        /* a short write leaves a shorter part: GET tells the client where */
        if (fd >= 0)
            close(fd);
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    close(fd);
    serve_json(rp, 200, state_of(id, &m, have + rq->len));
out:
    pthread_mutex_unlock(&upload_mu);
    sodium_memzero(key, sizeof key);
    free(sealed);
}

/* DELETE /api/v1/uploads/ID */
void serve_upload_delete(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                         const char *param, serve_reply *rp)
{
    char id[ID_LEN + 1];
    upload_meta m;
    int found;
    pthread_mutex_lock(&upload_mu);
    found = find_upload(ctx, se, param, "", id, &m, rp) == 0;
    if (found)
        upload_drop(ctx, id);
    pthread_mutex_unlock(&upload_mu);
    if (found) {
        audit(ctx, se, rq, "upload_delete", id);
        serve_json(rp, 200, json_pack("{s:s, s:b}", "id", id, "deleted", 1));
    }
}

/* A part file read back in clear, for hashing and for the store. */
typedef struct {
    int fd;
    uint64_t off;
    uint8_t key[32];
    uint8_t *buf;
    const char *id;
} part_reader;

static long long part_read(void *vctx, uint8_t *out, size_t cap, constat_error *err)
{
    part_reader *r = vctx;
    ssize_t n;
    if (cap > CONSTAT_EVIDENCE_BLOCK)
        cap = CONSTAT_EVIDENCE_BLOCK;
    do
        n = read(r->fd, r->buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        constat_error_set(err, CONSTAT_EIO, "upload %s: read: %s", r->id, strerror(errno));
        return -1;
    }
    part_xor(r->key, r->off, r->buf, out, (size_t)n);
    r->off += (uint64_t)n;
    return n;
}

static int part_open(serve_ctx *ctx, const char *id, part_reader *r)
{
    char path[4096];
    memset(r, 0, sizeof *r);
    r->id = id;
    upload_path(ctx, id, "part", path, sizeof path);
    if (part_key(ctx, id, r->key) != 0 || !(r->buf = malloc(CONSTAT_EVIDENCE_BLOCK)) ||
        (r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        free(r->buf);
        sodium_memzero(r->key, sizeof r->key);
        return -1;
    }
    return 0;
}

static void part_close(part_reader *r)
{
    close(r->fd);
    sodium_memzero(r->buf, CONSTAT_EVIDENCE_BLOCK);
    free(r->buf);
    sodium_memzero(r->key, sizeof r->key);
}

/* SHA-256 of the upload's bytes in clear: 0, or -1. */
static int hash_part(serve_ctx *ctx, const char *id, uint8_t out[32])
{
    uint8_t *buf = malloc(CONSTAT_EVIDENCE_BLOCK);
    constat_sha256_ctx c;
    constat_error err;
    part_reader r;
    long long n;
    if (!buf || part_open(ctx, id, &r) != 0) {
        free(buf);
        return -1;
    }
    constat_sha256_init(&c);
    while ((n = part_read(&r, buf, CONSTAT_EVIDENCE_BLOCK, &err)) > 0)
        constat_sha256_update(&c, buf, (size_t)n);
    part_close(&r);
    sodium_memzero(buf, CONSTAT_EVIDENCE_BLOCK);
    free(buf);
    constat_sha256_final(&c, out);
    return n < 0 ? -1 : 0;
}

/* POST /api/v1/uploads/ID/finish */
void serve_upload_finish(serve_ctx *ctx, const serve_request *rq, const serve_session *se,
                         const char *param, serve_reply *rp)
{
    char id[ID_LEN + 1], hex[65], media[128];
    uint8_t h[32], stored[32];
    part_reader pr;
    uint64_t have, size = 0;
    int fresh = 0;
    upload_meta m;
    constat_error err;
    constat_status st;

    pthread_mutex_lock(&upload_mu);
    if (find_upload(ctx, se, param, "/finish", id, &m, rp) != 0)
        goto out;
    have = part_size(ctx, id);
    if (have != m.size) {
        json_t *o = state_of(id, &m, have);
        char msg[160];
        snprintf(msg, sizeof msg, "the upload is incomplete: %llu of %llu bytes received",
                 (unsigned long long)have, (unsigned long long)m.size);
        json_object_set_new(o, "error", json_string(msg));
        serve_json(rp, 409, o);
        goto out;
    }
    if (hash_part(ctx, id, h) != 0) {
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    constat_hex(h, 32, hex);
    if (strcmp(hex, m.sha256) != 0) {
        /* the bytes are not the file the record names: start again */
        upload_drop(ctx, id);
        pthread_mutex_unlock(&upload_mu);
        audit(ctx, se, rq, "upload_refused", id);
        serve_error(rp, 422, "sha256",
                    "sha256: the received bytes hash to %s, not to the declared %s; the upload "
                    "is deleted",
                    hex, m.sha256);
        return;
    }
    /* sealed at rest, as POST /api/v1/evidence and `constat attach` do,
     * from the part decrypted as it is read: no clear copy on disk */
    constat_error_clear(&err);
    if (part_open(ctx, id, &pr) != 0) {
        st = constat_error_set(&err, CONSTAT_EIO, "upload %s: cannot open its part", id);
    } else {
        st = constat_evidence_store_sealed_reader(constat_vault_dir(ctx->vault),
                                                  constat_vault_seal_keys(ctx->vault), part_read,
                                                  &pr, "upload", media, sizeof media, stored, &size,
                                                  &fresh, &err);
        part_close(&pr);
        if (st == CONSTAT_OK && sodium_memcmp(stored, h, 32) != 0) /* changed since hashed */
            st = constat_error_set(&err, CONSTAT_ECONFLICT, "upload %s: its part changed while "
                                                            "it was stored", id);
    }
    if (st != CONSTAT_OK) {
        if (ctx->log)
            fprintf(ctx->log, "serve: upload %s not stored: %s\n", id, err.msg);
        serve_error(rp, 500, NULL, "internal error");
        goto out;
    }
    upload_drop(ctx, id);
    pthread_mutex_unlock(&upload_mu);
    audit(ctx, se, rq, "evidence_upload", hex);
    serve_json(rp, fresh ? 201 : 200,
               json_pack("{s:s, s:I, s:s}", "sha256", hex, "size", (json_int_t)size,
                         "media_type", media));
    return;
out:
    pthread_mutex_unlock(&upload_mu);
}
