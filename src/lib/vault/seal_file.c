/*
 * seal_file.c — sealed evidence files (seal.h, docs/vault.md "Sealed
 * evidence files"): format v2 written, segments encrypted on every core;
 * formats v2 and v1 read.
 *
 * v2 layout:
 *   header  = "constat-seal-v2\n" | n (1 byte) | n x (X25519 key 32 |
 *             crypto_box_seal of the file key 80) | segment size (u32 BE) |
 *             chunk size (u32 BE)
 *   segment = secretstream header 24 | chunks, each 17 bytes longer than
 *             its plaintext, the last one tagged FINAL
 * Every segment holds exactly `segment size` bytes but the last, which
 * holds 1..segment size (0 only for an empty file), so the stored size
 * tells where each segment starts and which one is last. Segment i is
 * under crypto_kdf_derive_from_key(file key, 2*i + last, "cnstseg2"); the
 * associated data of its first chunk is header | i (u64 BE) | last (1 byte)
 * | count (u64 BE) | length (u64 BE), count and length being the segment
 * count and the plaintext length for the last segment and 0 otherwise.
 *
 * Knows no vault, like seal.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/vault/seal.h"

#define SS_A crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_H crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_KEY crypto_secretstream_xchacha20poly1305_KEYBYTES
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define ENTRY (CONSTAT_SEAL_PK + CONSTAT_SEAL_BOX)
#define HEAD_MAX (CONSTAT_SEAL_FILE_MAGIC_LEN + 1 + CONSTAT_SEAL_MAX_RECIPIENTS * ENTRY + 8)
#define SEG_AD 25 /* index, last, count, length */
#define KDF_CTX "cnstseg2"
/* the smallest chunk a v2 file may declare */
#define CHUNK_MIN 4096u
/* segments tried when a segment does not open, to say which one it is */
#define DIAG_MAX 4096u

/* the sizes written (a test-vector build may choose others: the reader
 * takes any the header states within bounds) */
#ifndef SEAL_WRITE_SEGMENT
#define SEAL_WRITE_SEGMENT CONSTAT_SEAL_SEGMENT
#endif
#ifndef SEAL_WRITE_CHUNK
#define SEAL_WRITE_CHUNK CONSTAT_SEAL_V2_CHUNK
#endif

static unsigned seal_threads; /* constat_seal_set_threads; 0: one per core */

void constat_seal_set_threads(unsigned n)
{
    seal_threads = n > CONSTAT_SEAL_THREADS_MAX ? CONSTAT_SEAL_THREADS_MAX : n;
}

static constat_status nomem(constat_error *err)
{
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

static constat_status write_all(int fd, const uint8_t *p, size_t n, constat_error *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return constat_error_set(err, CONSTAT_EIO, "sealed file: write: %s",
                                     w < 0 ? strerror(errno) : "no space");
        p += w;
        n -= (size_t)w;
    }
    return CONSTAT_OK;
}

/* Read up to n bytes (short only at the end of the file). */
static ssize_t read_full(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Ciphertext bytes of a segment of `len` plaintext bytes in `chunk`s. */
static uint64_t seg_ct(uint64_t len, uint64_t chunk)
{
    uint64_t chunks = len == 0 ? 1 : (len + chunk - 1) / chunk;
    return SS_H + len + chunks * SS_A;
}

/* The subkey and the first chunk's associated data of segment `index`. */
static size_t seg_keys(const uint8_t key[SS_KEY], const uint8_t *head, size_t hl,
                       uint64_t index, int last, uint64_t length, uint8_t sub[SS_KEY],
                       uint8_t *ad)
{
    crypto_kdf_derive_from_key(sub, SS_KEY, 2 * index + (last ? 1 : 0), KDF_CTX, key);
    memcpy(ad, head, hl);
    put_be(ad + hl, index, 8);
    ad[hl + 8] = (uint8_t)(last ? 1 : 0);
    put_be(ad + hl + 9, last ? index + 1 : 0, 8);
    put_be(ad + hl + 17, last ? length : 0, 8);
    return hl + SEG_AD;
}

/* ---- writer ---- */

enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

typedef struct {
    uint8_t *in;   /* segment bytes of plaintext */
    uint8_t *out;  /* its ciphertext */
    size_t len;    /* plaintext bytes in `in` */
    size_t outlen; /* ciphertext bytes in `out` once DONE */
    uint64_t index;
    int last;
    uint64_t length; /* the file's plaintext length, for the last segment */
    int state;
} slot;

struct constat_seal_writer {
    int fd;
    uint8_t key[SS_KEY];
    uint8_t head[HEAD_MAX];
    size_t hl;
    size_t seg, chunk;
    uint64_t total;     /* plaintext bytes taken */
    uint64_t filling;   /* index of the segment being filled */
    uint64_t written;   /* segments written to fd */
    size_t nslots;      /* 1 until the threads start */
    slot slots[2 * CONSTAT_SEAL_THREADS_MAX];
    pthread_t th[CONSTAT_SEAL_THREADS_MAX];
    size_t nthreads;
    int started, stop, broken;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
};

static void seal_segment(const constat_seal_writer *w, slot *s)
{
    crypto_secretstream_xchacha20poly1305_state ss;
    uint8_t sub[SS_KEY], ad[HEAD_MAX + SEG_AD];
    size_t adl = seg_keys(w->key, w->head, w->hl, s->index, s->last, s->length, sub, ad);
    size_t p = 0, o = SS_H;
    crypto_secretstream_xchacha20poly1305_init_push(&ss, s->out, sub);
    do {
        size_t n = s->len - p < w->chunk ? s->len - p : w->chunk;
        unsigned long long cl = 0;
        crypto_secretstream_xchacha20poly1305_push(&ss, s->out + o, &cl, s->in + p, n,
                                                   p == 0 ? ad : NULL, p == 0 ? adl : 0,
                                                   p + n == s->len ? TAG_FINAL : TAG_MESSAGE);
        o += (size_t)cl;
        p += n;
    } while (p < s->len);
    s->outlen = o;
    sodium_memzero(sub, sizeof sub);
    sodium_memzero(&ss, sizeof ss);
}

static void *worker(void *arg)
{
    constat_seal_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        slot *s = NULL;
        /* the oldest queued segment first, so that writing never waits long */
        for (size_t i = 0; i < w->nslots; i++)
            if (w->slots[i].state == SLOT_QUEUED && (!s || w->slots[i].index < s->index))
                s = &w->slots[i];
        if (!s) {
            if (w->stop)
                break;
            pthread_cond_wait(&w->work, &w->mu);
            continue;
        }
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&w->mu);
        seal_segment(w, s);
        pthread_mutex_lock(&w->mu);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static int slot_alloc(constat_seal_writer *w, slot *s)
{
    s->in = malloc(w->seg);
    s->out = malloc((size_t)seg_ct(w->seg, w->chunk));
    return s->in && s->out;
}

static void slot_wipe(constat_seal_writer *w, slot *s)
{
    if (s->in) {
        sodium_memzero(s->in, w->seg);
        free(s->in);
    }
    free(s->out);
    s->in = s->out = NULL;
}

/* Start the worker threads and their slots; 0 if there are none to start
 * (one core, constat_seal_set_threads(1), or no memory: then the caller's
 * thread does the work, which is correct, only slower). */
static int start_threads(constat_seal_writer *w)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = seal_threads ? seal_threads : cores > 0 ? (size_t)cores : 1;
    if (want > CONSTAT_SEAL_THREADS_MAX)
        want = CONSTAT_SEAL_THREADS_MAX;
    w->started = 1;
    if (want < 2)
        return 0;
    for (size_t i = 1; i < 2 * want; i++)
        if (!slot_alloc(w, &w->slots[i])) {
            for (size_t j = 1; j <= i; j++)
                slot_wipe(w, &w->slots[j]);
            return 0;
        }
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return 0;
    if (pthread_cond_init(&w->work, NULL) != 0 || pthread_cond_init(&w->done, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        return 0;
    }
    w->nslots = 2 * want;
    for (size_t i = 0; i < want; i++) {
        if (pthread_create(&w->th[i], NULL, worker, w) != 0)
            break;
        w->nthreads++;
    }
    if (w->nthreads == 0) {
        w->nslots = 1;
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->done);
        pthread_mutex_destroy(&w->mu);
        return 0;
    }
    return 1;
}

/* Wait for segment `written` and write it out. */
static constat_status write_next(constat_seal_writer *w, constat_error *err)
{
    slot *s = &w->slots[w->written % w->nslots];
    constat_status st;
    if (w->nthreads) {
        pthread_mutex_lock(&w->mu);
        while (s->state != SLOT_DONE)
            pthread_cond_wait(&w->done, &w->mu);
        pthread_mutex_unlock(&w->mu);
    }
    st = write_all(w->fd, s->out, s->outlen, err);
    if (w->nthreads)
        pthread_mutex_lock(&w->mu);
    s->state = SLOT_FREE; /* no worker looks at a FREE slot */
    if (w->nthreads)
        pthread_mutex_unlock(&w->mu);
    s->len = 0;
    w->written++;
    if (st != CONSTAT_OK)
        w->broken = 1;
    return st;
}

/* Hand the segment being filled over (encrypted now without threads, else
 * queued), then make the next slot free for the next segment. */
static constat_status submit(constat_seal_writer *w, int last, constat_error *err)
{
    slot *s = &w->slots[w->filling % w->nslots];
    s->index = w->filling;
    s->last = last;
    s->length = w->total;
    if (!last && !w->started)
        (void)start_threads(w);
    if (w->nthreads) {
        pthread_mutex_lock(&w->mu);
        s->state = SLOT_QUEUED;
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->mu);
    } else {
        seal_segment(w, s);
        s->state = SLOT_DONE;
    }
    w->filling++;
    if (last)
        return CONSTAT_OK;
    /* the next segment's slot was segment filling - nslots's */
    while (w->written + w->nslots <= w->filling) {
        constat_status st = write_next(w, err);
        if (st != CONSTAT_OK)
            return st;
    }
    return CONSTAT_OK;
}

constat_status constat_seal_writer_new(const constat_seal_keys *k, int fd,
                                       constat_seal_writer **out, constat_error *err)
{
    constat_seal_writer *w;
    size_t hl;
    constat_status st;

    *out = NULL;
    if (k->n == 0 || k->n > CONSTAT_SEAL_MAX_RECIPIENTS)
        return constat_error_set(err, CONSTAT_EINVAL, "sealed file: no keys to seal to");
    w = sodium_malloc(sizeof *w); /* holds the file key */
    if (!w)
        return nomem(err);
    memset(w, 0, sizeof *w);
    w->fd = fd;
    w->seg = SEAL_WRITE_SEGMENT;
    w->chunk = SEAL_WRITE_CHUNK;
    w->nslots = 1;
    if (!slot_alloc(w, &w->slots[0])) {
        constat_seal_writer_free(w);
        return nomem(err);
    }
    crypto_kdf_keygen(w->key);
    memcpy(w->head, CONSTAT_SEAL_FILE_MAGIC, CONSTAT_SEAL_FILE_MAGIC_LEN);
    hl = CONSTAT_SEAL_FILE_MAGIC_LEN;
    w->head[hl++] = (uint8_t)k->n;
    for (size_t i = 0; i < k->n; i++) {
        memcpy(w->head + hl, k->pk[i], CONSTAT_SEAL_PK);
        if (crypto_box_seal(w->head + hl + CONSTAT_SEAL_PK, w->key, SS_KEY, k->pk[i]) != 0) {
            constat_seal_writer_free(w);
            return constat_error_set(err, CONSTAT_ECRYPTO, "sealed file: cannot seal its key");
        }
        hl += ENTRY;
    }
    put_be(w->head + hl, w->seg, 4);
    put_be(w->head + hl + 4, w->chunk, 4);
    w->hl = hl + 8;
    st = write_all(fd, w->head, w->hl, err);
    if (st != CONSTAT_OK) {
        constat_seal_writer_free(w);
        return st;
    }
    *out = w;
    return CONSTAT_OK;
}

constat_status constat_seal_writer_write(constat_seal_writer *w, const uint8_t *p, size_t n,
                                         constat_error *err)
{
    if (w->broken)
        return constat_error_set(err, CONSTAT_EIO, "sealed file: an earlier write failed");
    while (n > 0) {
        slot *s = &w->slots[w->filling % w->nslots];
        size_t take;
        /* a full segment is handed over once more bytes come: only then is
         * it known not to be the last */
        if (s->len == w->seg) {
            constat_status st = submit(w, 0, err);
            if (st != CONSTAT_OK)
                return st;
            continue;
        }
        take = w->seg - s->len < n ? w->seg - s->len : n;
        memcpy(s->in + s->len, p, take);
        s->len += take;
        w->total += take;
        p += take;
        n -= take;
    }
    return CONSTAT_OK;
}

constat_status constat_seal_writer_finish(constat_seal_writer *w, constat_error *err)
{
    constat_status st;
    if (w->broken)
        return constat_error_set(err, CONSTAT_EIO, "sealed file: an earlier write failed");
    st = submit(w, 1, err);
    while (st == CONSTAT_OK && w->written < w->filling)
        st = write_next(w, err);
    return st;
}

void constat_seal_writer_free(constat_seal_writer *w)
{
    if (!w)
        return;
    if (w->nthreads) {
        pthread_mutex_lock(&w->mu);
        w->stop = 1;
        /* queued segments no one will write are dropped */
        for (size_t i = 0; i < w->nslots; i++)
            if (w->slots[i].state == SLOT_QUEUED)
                w->slots[i].state = SLOT_FREE;
        pthread_cond_broadcast(&w->work);
        pthread_mutex_unlock(&w->mu);
        for (size_t i = 0; i < w->nthreads; i++)
            pthread_join(w->th[i], NULL);
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->done);
        pthread_mutex_destroy(&w->mu);
    }
    for (size_t i = 0; i < sizeof w->slots / sizeof w->slots[0]; i++)
        slot_wipe(w, &w->slots[i]);
    sodium_free(w); /* wipes the file key */
}

/* ---- reader ---- */

struct constat_seal_reader {
    int fd;
    int version;
    crypto_secretstream_xchacha20poly1305_state ss;
    uint8_t key[SS_KEY]; /* v2: the file key */
    uint8_t head[HEAD_MAX];
    size_t hl;
    size_t adlen; /* v1: the first chunk's associated data (head); 0 after it */
    int done;
    uint64_t chunk;      /* chunks opened (v1), or in this segment (v2) */
    char label[256];
    /* v2 */
    uint64_t seg, csize;  /* segment and chunk size */
    uint64_t fsize, pos;  /* stored size, offset read to */
    uint64_t index;       /* the segment being read */
    uint64_t seg_bytes;   /* its stored bytes */
    uint64_t seg_left;    /* its ciphertext bytes not read yet */
    int in_seg, seg_last;
    uint64_t total;       /* plaintext bytes returned */
    uint8_t sshead[SS_H];
    uint8_t *in;  /* chunk + SS_A */
    uint8_t *out; /* chunk */
    size_t out_cap;
};

int constat_seal_file_version(int fd)
{
    uint8_t m[CONSTAT_SEAL_FILE_MAGIC_LEN];
    ssize_t r;
    do
        r = pread(fd, m, sizeof m, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (r != (ssize_t)sizeof m)
        return 0;
    if (memcmp(m, CONSTAT_SEAL_FILE_MAGIC, sizeof m) == 0)
        return 2;
    if (memcmp(m, CONSTAT_SEAL_FILE_MAGIC_V1, sizeof m) == 0)
        return 1;
    return 0;
}

int constat_seal_file_is(int fd)
{
    int v = constat_seal_file_version(fd);
    return v < 0 ? -1 : v > 0;
}

constat_status constat_seal_reader_new(const uint8_t sk[CONSTAT_SEAL_SK],
                                       const uint8_t pk[CONSTAT_SEAL_PK], int fd,
                                       const char *label, constat_seal_reader **out,
                                       constat_error *err)
{
    constat_seal_reader *r;
    uint8_t head[HEAD_MAX + SS_H], dk[SS_KEY];
    size_t hl, n, i, tail;
    ssize_t got;
    int found = 0, version;
    struct stat sb = {0};

    *out = NULL;
    got = read_full(fd, head, CONSTAT_SEAL_FILE_MAGIC_LEN + 1);
    if (got < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: read: %s", label, strerror(errno));
    if (got >= CONSTAT_SEAL_FILE_MAGIC_LEN &&
        memcmp(head, CONSTAT_SEAL_FILE_MAGIC, CONSTAT_SEAL_FILE_MAGIC_LEN) == 0)
        version = 2;
    else if (got >= CONSTAT_SEAL_FILE_MAGIC_LEN &&
             memcmp(head, CONSTAT_SEAL_FILE_MAGIC_V1, CONSTAT_SEAL_FILE_MAGIC_LEN) == 0)
        version = 1;
    else
        return constat_error_set(err, CONSTAT_EINVAL, "%s: not a sealed file", label);
    if (version == 2 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
        return constat_error_set(err, CONSTAT_EINVAL, "%s: a sealed file is read from a "
                                                      "regular file", label);
    if (got < CONSTAT_SEAL_FILE_MAGIC_LEN + 1 || head[CONSTAT_SEAL_FILE_MAGIC_LEN] == 0 ||
        head[CONSTAT_SEAL_FILE_MAGIC_LEN] > CONSTAT_SEAL_MAX_RECIPIENTS)
        return constat_error_set(err, CONSTAT_EVERIFY, "%s: sealed file header truncated or "
                                                       "malformed", label);
    n = head[CONSTAT_SEAL_FILE_MAGIC_LEN];
    hl = CONSTAT_SEAL_FILE_MAGIC_LEN + 1 + n * ENTRY;
    /* v1: the stream header follows; v2: segment and chunk size */
    tail = version == 1 ? SS_H : 8;
    got = read_full(fd, head + CONSTAT_SEAL_FILE_MAGIC_LEN + 1, n * ENTRY + tail);
    if (got < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: read: %s", label, strerror(errno));
    if ((size_t)got != n * ENTRY + tail)
        return constat_error_set(err, CONSTAT_EVERIFY, "%s: sealed file header truncated",
                                 label);
    r = sodium_malloc(sizeof *r);
    if (!r)
        return nomem(err);
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->version = version;
    snprintf(r->label, sizeof r->label, "%s", label);
    if (version == 2) {
        r->seg = get_be(head + hl, 4);
        r->csize = get_be(head + hl + 4, 4);
        if (r->csize < CHUNK_MIN || r->csize > CONSTAT_SEAL_CHUNK || r->seg < r->csize ||
            r->seg > CONSTAT_SEAL_SEGMENT_MAX || r->seg % r->csize != 0) {
            sodium_free(r);
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "%s: sealed file header malformed (segment size %llu, "
                                     "chunk size %llu)", label, (unsigned long long)get_be(head + hl, 4),
                                     (unsigned long long)get_be(head + hl + 4, 4));
        }
        r->fsize = (uint64_t)sb.st_size;
        r->pos = hl + 8;
    }
    for (i = 0; i < n && !found; i++) {
        const uint8_t *e = head + CONSTAT_SEAL_FILE_MAGIC_LEN + 1 + i * ENTRY;
        if (sodium_memcmp(e, pk, CONSTAT_SEAL_PK) != 0)
            continue;
        if (crypto_box_seal_open(dk, e + CONSTAT_SEAL_PK, CONSTAT_SEAL_BOX, pk, sk) != 0) {
            sodium_free(r);
            return constat_error_set(err, CONSTAT_ECRYPTO,
                                     "%s: its file key does not open (tampered)", label);
        }
        found = 1;
    }
    if (!found) {
        sodium_free(r);
        return constat_error_set(err, CONSTAT_ECRYPTO, "%s: not sealed to this key", label);
    }
    if (version == 1) {
        if (crypto_secretstream_xchacha20poly1305_init_pull(&r->ss, head + hl, dk) != 0) {
            sodium_memzero(dk, sizeof dk);
            sodium_free(r);
            return constat_error_set(err, CONSTAT_EVERIFY, "%s: bad stream header", label);
        }
        memcpy(r->head, head, hl);
        r->hl = r->adlen = hl;
        r->csize = CONSTAT_SEAL_CHUNK;
    } else {
        memcpy(r->key, dk, SS_KEY);
        memcpy(r->head, head, hl + 8);
        r->hl = hl + 8;
    }
    sodium_memzero(dk, sizeof dk);
    r->out_cap = (size_t)r->csize;
    r->in = malloc(r->out_cap + SS_A);
    r->out = malloc(r->out_cap);
    if (!r->in || !r->out) {
        constat_seal_reader_free(r);
        return nomem(err);
    }
    *out = r;
    return CONSTAT_OK;
}

static constat_status v1_next(constat_seal_reader *r, const uint8_t **data, size_t *len,
                              int *done, constat_error *err)
{
    unsigned long long pl = 0;
    unsigned char tag = 0;
    ssize_t got;

    got = read_full(r->fd, r->in, CONSTAT_SEAL_CHUNK + SS_A);
    if (got < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: read: %s", r->label, strerror(errno));
    if ((size_t)got < SS_A)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%s: truncated (chunk %llu missing or cut; the final chunk "
                                 "never came)", r->label, (unsigned long long)r->chunk);
    if (crypto_secretstream_xchacha20poly1305_pull(&r->ss, r->out, &pl, &tag, r->in,
                                                   (unsigned long long)got,
                                                   r->adlen ? r->head : NULL, r->adlen) != 0)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%s: chunk %llu does not open (tampered or truncated)",
                                 r->label, (unsigned long long)r->chunk);
    r->adlen = 0;
    r->chunk++;
    if (tag == TAG_FINAL) {
        uint8_t extra;
        ssize_t more = read_full(r->fd, &extra, 1);
        if (more != 0)
            return constat_error_set(err, CONSTAT_EVERIFY, "%s: data after the final chunk",
                                     r->label);
        r->done = 1;
    } else if ((size_t)got != CONSTAT_SEAL_CHUNK + SS_A) {
        return constat_error_set(err, CONSTAT_EVERIFY, "%s: truncated after chunk %llu",
                                 r->label, (unsigned long long)r->chunk);
    }
    *data = r->out;
    *len = (size_t)pl;
    *done = r->done;
    return CONSTAT_OK;
}

/* The plaintext length of a file whose last segment is segment `index`,
 * stored in seg_bytes bytes (the segments before it are full). */
static uint64_t last_length(const constat_seal_reader *r, uint64_t index, uint64_t seg_bytes)
{
    uint64_t chunks = (seg_bytes - SS_H + r->csize + SS_A - 1) / (r->csize + SS_A);
    return index * r->seg + (seg_bytes - SS_H - chunks * SS_A);
}

/* 1 if the segment whose stream header and first chunk (ct, ctlen bytes)
 * are read opens as segment `index` (last or not) of this file. */
static int opens_as(constat_seal_reader *r, const uint8_t *ct, size_t ctlen, uint64_t index,
                    int last, uint64_t seg_bytes)
{
    crypto_secretstream_xchacha20poly1305_state ss;
    uint8_t sub[SS_KEY], ad[HEAD_MAX + SEG_AD];
    unsigned long long pl = 0;
    unsigned char tag = 0;
    uint64_t length = last_length(r, index, seg_bytes);
    size_t adl = seg_keys(r->key, r->head, r->hl, index, last, length, sub, ad);
    int ok = crypto_secretstream_xchacha20poly1305_init_pull(&ss, r->sshead, sub) == 0 &&
             crypto_secretstream_xchacha20poly1305_pull(&ss, r->out, &pl, &tag, ct, ctlen, ad,
                                                        adl) == 0;
    sodium_memzero(sub, sizeof sub);
    sodium_memzero(&ss, sizeof ss);
    return ok;
}

/* The first chunk of segment r->index did not open: say why. */
static constat_status diagnose(constat_seal_reader *r, size_t ctlen, uint64_t seg_bytes,
                               constat_error *err)
{
    uint64_t full = seg_ct(r->seg, r->csize), body = r->fsize - r->hl;
    uint64_t count = (body + full - 1) / full, tries = count < DIAG_MAX ? count : DIAG_MAX;
    unsigned long long i = (unsigned long long)r->index;
    if (opens_as(r, r->in, ctlen, r->index, !r->seg_last, seg_bytes))
        return r->seg_last
                   ? constat_error_set(err, CONSTAT_EVERIFY,
                                       "%s: truncated: it ends with segment %llu, which is not "
                                       "its last (the rest of the file is missing)",
                                       r->label, i)
                   : constat_error_set(err, CONSTAT_EVERIFY,
                                       "%s: segment %llu is the file's last segment but more "
                                       "follows (segments reordered or data appended)",
                                       r->label, i);
    for (uint64_t j = 0; j < tries; j++)
        for (int last = 0; last < 2; last++)
            if (j != r->index && opens_as(r, r->in, ctlen, j, last, seg_bytes))
                return constat_error_set(err, CONSTAT_EVERIFY,
                                         "%s: position %llu holds segment %llu of this file "
                                         "(segments reordered or swapped)",
                                         r->label, i, (unsigned long long)j);
    return constat_error_set(err, CONSTAT_EVERIFY,
                             "%s: segment %llu does not open under this file's key (tampered, "
                             "or taken from another sealed file)", r->label, i);
}

static constat_status v2_next(constat_seal_reader *r, const uint8_t **data, size_t *len,
                              int *done, constat_error *err)
{
    unsigned long long pl = 0;
    unsigned char tag = 0;
    size_t want;
    ssize_t got;
    int first = 0;

    if (!r->in_seg) {
        uint64_t left = r->fsize > r->pos ? r->fsize - r->pos : 0, full = seg_ct(r->seg, r->csize);
        if (left < SS_H + SS_A)
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "%s: truncated: segment %llu missing or cut (the last "
                                     "segment never came)", r->label,
                                     (unsigned long long)r->index);
        r->seg_last = left <= full;
        r->seg_bytes = r->seg_last ? left : full;
        got = read_full(r->fd, r->sshead, SS_H);
        if (got != (ssize_t)SS_H)
            return constat_error_set(err, got < 0 ? CONSTAT_EIO : CONSTAT_EVERIFY,
                                     "%s: read: %s", r->label,
                                     got < 0 ? strerror(errno) : "the file shrank");
        r->pos += SS_H;
        r->seg_left = r->seg_bytes - SS_H;
        r->in_seg = 1;
        r->chunk = 0;
        first = 1;
    }
    want = r->seg_left < r->csize + SS_A ? (size_t)r->seg_left : (size_t)r->csize + SS_A;
    got = read_full(r->fd, r->in, want);
    if (got < 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: read: %s", r->label, strerror(errno));
    if ((size_t)got != want)
        return constat_error_set(err, CONSTAT_EVERIFY, "%s: the file shrank while read",
                                 r->label);
    if (want < SS_A)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%s: truncated: segment %llu is cut inside chunk %llu",
                                 r->label, (unsigned long long)r->index,
                                 (unsigned long long)r->chunk);
    r->pos += want;
    r->seg_left -= want;
    if (first) {
        crypto_secretstream_xchacha20poly1305_state ss;
        uint8_t sub[SS_KEY], ad[HEAD_MAX + SEG_AD];
        uint64_t length = last_length(r, r->index, r->seg_bytes);
        size_t adl = seg_keys(r->key, r->head, r->hl, r->index, r->seg_last, length, sub, ad);
        int ok = crypto_secretstream_xchacha20poly1305_init_pull(&ss, r->sshead, sub) == 0 &&
                 crypto_secretstream_xchacha20poly1305_pull(&ss, r->out, &pl, &tag, r->in,
                                                            want, ad, adl) == 0;
        sodium_memzero(sub, sizeof sub);
        if (!ok) {
            sodium_memzero(&ss, sizeof ss);
            return diagnose(r, want, r->seg_bytes, err);
        }
        r->ss = ss;
        sodium_memzero(&ss, sizeof ss);
    } else if (crypto_secretstream_xchacha20poly1305_pull(&r->ss, r->out, &pl, &tag, r->in,
                                                          want, NULL, 0) != 0) {
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%s: segment %llu chunk %llu does not open (tampered)",
                                 r->label, (unsigned long long)r->index,
                                 (unsigned long long)r->chunk);
    }
    r->chunk++;
    if (tag == TAG_FINAL) {
        if (r->seg_left != 0)
            return constat_error_set(err, CONSTAT_EVERIFY,
                                     "%s: data after the final chunk of segment %llu",
                                     r->label, (unsigned long long)r->index);
        r->in_seg = 0;
        r->index++;
        if (r->seg_last)
            r->done = 1;
    } else if (r->seg_left == 0 || pl != r->csize) {
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "%s: truncated: segment %llu ends without its final chunk",
                                 r->label, (unsigned long long)r->index);
    }
    r->total += pl;
    *data = r->out;
    *len = (size_t)pl;
    *done = r->done;
    return CONSTAT_OK;
}

constat_status constat_seal_reader_next(constat_seal_reader *r, const uint8_t **data,
                                        size_t *len, int *done, constat_error *err)
{
    *data = NULL;
    *len = 0;
    *done = r->done;
    if (r->done)
        return CONSTAT_OK;
    return r->version == 1 ? v1_next(r, data, len, done, err) : v2_next(r, data, len, done, err);
}

void constat_seal_reader_free(constat_seal_reader *r)
{
    if (!r)
        return;
    if (r->out) {
        sodium_memzero(r->out, r->out_cap);
        free(r->out);
    }
    free(r->in);
    sodium_free(r); /* wipes the file key and the stream state */
}

constat_status constat_seal_reader_new_keys(const constat_seal_keys *k, int fd,
                                            const char *label, constat_seal_reader **out,
                                            constat_error *err)
{
    constat_status st = constat_seal_reader_new(k->sk, k->pk[0], fd, label, out, err);
    if (st != CONSTAT_ECRYPTO || !k->has_old)
        return st;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return constat_error_set(err, CONSTAT_EIO, "%s: seek: %s", label, strerror(errno));
    constat_error_clear(err);
    return constat_seal_reader_new(k->old_sk, k->old_pk, fd, label, out, err);
}
