/* leaves_parsed.c — the leaves of a vault opened on several threads and
 * handed over in log order (see leaves_parsed.h). Parsing the JSON of every
 * leaf is most of the time a report or a dossier spends reading the vault:
 * leaves are gathered a chunk at a time from the one streaming query, the
 * chunk is parsed on every core, then taken in order. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "constat/vault/leaves_parsed.h"

enum { CHUNK_LINES = 4096, CHUNK_BYTES = 16u << 20, CHUNK_GRAIN = 8 };

typedef struct {
    constat_parsed_leaf_fn fn;
    void *ctx;
    constat_buf bytes; /* the chunk's leaves, back to back */
    uint64_t index[CHUNK_LINES];
    size_t off[CHUNK_LINES], len[CHUNK_LINES];
    constat_leaf leaf[CHUNK_LINES];
    constat_status st[CHUNK_LINES];
    constat_error e[CHUNK_LINES];
    size_t n;
    atomic_size_t next;
    int nthreads;
    int stopped;
    constat_status rc; /* out of memory while gathering */
} chunk;

static void *parse_run(void *arg)
{
    chunk *k = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&k->next, CHUNK_GRAIN), end;
        if (i >= k->n)
            return NULL;
        end = k->n - i > CHUNK_GRAIN ? i + CHUNK_GRAIN : k->n;
        for (; i < end; i++) {
            constat_error_clear(&k->e[i]);
            k->st[i] = constat_leaf_parse(k->bytes.data + k->off[i], k->len[i], &k->leaf[i],
                                          &k->e[i]);
        }
    }
}

/* Parse the chunk's leaves, then hand them over in order; 1 stops. */
static int flush(chunk *k)
{
    pthread_t th[CONSTAT_LEAVES_PARSED_THREADS];
    int started = 0;

    atomic_init(&k->next, 0);
    for (int t = 1; t < k->nthreads && (size_t)t * CHUNK_GRAIN < k->n; t++) {
        if (pthread_create(&th[started], NULL, parse_run, k) != 0)
            break;
        started++;
    }
    parse_run(k);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    for (size_t i = 0; i < k->n; i++) {
        if (!k->stopped)
            k->stopped = k->fn(k->ctx, k->index[i], &k->leaf[i], k->st[i], &k->e[i]) != 0;
        else if (k->st[i] == CONSTAT_OK)
            constat_leaf_free(&k->leaf[i]);
    }
    k->n = 0;
    constat_buf_reset(&k->bytes);
    return k->stopped;
}

static int gather(void *vctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    chunk *k = vctx;

    k->index[k->n] = index;
    k->off[k->n] = k->bytes.len;
    k->len[k->n] = len;
    /* reserve one byte even for an empty leaf, so that data is not NULL */
    if (constat_buf_reserve(&k->bytes, len ? len : 1) != CONSTAT_OK ||
        (len && constat_buf_append(&k->bytes, leaf, len) != CONSTAT_OK)) {
        k->rc = CONSTAT_ENOMEM;
        return 1;
    }
    k->n++;
    if (k->n == CHUNK_LINES || k->bytes.len >= CHUNK_BYTES)
        return flush(k);
    return 0;
}

constat_status constat_vault_leaves_parsed(constat_vault *v, uint64_t from, uint64_t to,
                                           int threads, constat_parsed_leaf_fn fn,
                                           void *ctx, constat_error *err)
{
    chunk *k;
    constat_status rc;

    if (!fn)
        return constat_error_set(err, CONSTAT_EINVAL, "constat_vault_leaves_parsed: no callback");
    if (threads <= 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu < 1 ? 1 : (int)(ncpu < CONSTAT_LEAVES_PARSED_THREADS ? ncpu : CONSTAT_LEAVES_PARSED_THREADS);
    }
    if (threads > CONSTAT_LEAVES_PARSED_THREADS)
        threads = CONSTAT_LEAVES_PARSED_THREADS;
    k = calloc(1, sizeof *k);
    if (!k)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    k->fn = fn;
    k->ctx = ctx;
    k->nthreads = threads;
    k->rc = CONSTAT_OK;
    constat_buf_init(&k->bytes);
    rc = constat_vault_leaves(v, from, to, gather, k, err);
    if (rc == CONSTAT_OK && k->rc == CONSTAT_OK && !k->stopped && k->n > 0)
        flush(k);
    /* leaves gathered but never parsed (out of memory, read error) own nothing */
    if (rc == CONSTAT_OK && k->rc != CONSTAT_OK)
        rc = constat_error_set(err, k->rc, "out of memory");
    constat_buf_free(&k->bytes);
    free(k);
    return rc;
}
