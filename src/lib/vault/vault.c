/*
 * vault.c — an organisation's vault (vault.h, docs/vault.md): key files,
 * batched appends into the Merkle log kept as C2SP tiles, proofs and
 * checkpoints read back from those tiles, and a full re-verification.
 *
 * Why tiles are built in memory: a batch touches at most one partial tile
 * per tile level plus the full tiles it completes, so collecting completed
 * nodes in memory and writing each touched tile once (instead of rewriting
 * a partial tile per leaf) keeps an append at a few row writes per leaf.
 *
 * All passphrase-sealed key files of one vault share the salt and Argon2id
 * parameters of the vault's first sealing, each with its own random nonce,
 * so opening a vault runs Argon2id once rather than once per key file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "constat/vault/vault.h"
#include "constat/base/limits.h"
#include "constat/base/file.h"
#include "constat/vault/seal.h"
#include "vault/keyfile.h"
#include "vault/node_cache.h"
#include "vault/store.h"
#include "vault/append_hook.h"
#include "vault/monitor_keys.h"
#include "vault/org_keys.h"
#include "vault/log_keys.h"
#include "constat/vault/keychain.h"
#include "constat/record/binding.h"
#include "constat/log/merkle.h"
#include "constat/vault/append_batch.h"

#define VAULT_FORMAT "1"
/* Tile levels needed for CONSTAT_LOG_MAX_SIZE = 2^48 leaves: 0..6. */
#define TILE_LEVELS 7
#define TILE_BYTES (CONSTAT_TILE_WIDTH * CONSTAT_HASH_SIZE)
#define PROGRESS_EVERY 1024

/* Secrets, in one sodium_malloc'd block (guard pages, wiped on free). */
typedef struct {
    constat_note_signer log;
    constat_note_signer org;
    uint8_t pseudonym[CONSTAT_PSEUDONYM_KEY_SIZE];
    constat_kek kek;
    int sealed;
    char passphrase[1024];
    constat_seal_keys seal; /* what data keys are sealed to (seal.h) */
    constat_note_signer seal_org; /* the key data keys are sealed to (org_keys.h) */
    constat_note_signer reseal_org; /* the retiring sealing key, while has_reseal */
    int has_reseal;
} vault_secrets;

/* A tile read back for proofs, or being filled by an append. */
typedef struct {
    int active;
    unsigned level;
    uint64_t n;
    unsigned width;
    int dirty;
    uint8_t h[TILE_BYTES];
} vault_tile;

struct constat_vault {
    char *dir;
    char *org;
    char *origin;
    constat_store *store;
    vault_secrets *sec;
    uint64_t size;
    vault_tile cache[2];          /* reader cache, round robin */
    unsigned cache_next;
    vault_tile pending[TILE_LEVELS]; /* append: the current tile of each level */
    int public_only;              /* opened without its secret keys */
    constat_node_cache *nodes;    /* interior nodes of tiles read (node_cache.h) */
    int batch_open;               /* constat_vault_append_begin .. _end */
    uint64_t batch_size;          /* the tree size inside that transaction */
    uint64_t txn_size;            /* the tree head of an append, for its hook */
    uint8_t txn_root[32];
};

constat_store *constat_vault_store(struct constat_vault *v)
{
    return v->store;
}

static constat_status nomem(constat_error *err)
{
    return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
}

static constat_status join(char *out, size_t cap, const char *dir, const char *rel,
                           constat_error *err)
{
    int n = snprintf(out, cap, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= cap)
        return constat_error_set(err, CONSTAT_EINVAL, "path too long: %s/%s", dir, rel);
    return CONSTAT_OK;
}

/* Monitor names are key names (signed-note) that must also make a record id
 * "enrol:<name>" and a file name under keys/monitors/: [A-Za-z0-9._-], not
 * starting with '.' or '-'. */
static int monitor_name_ok(const char *name)
{
    return constat_file_name_ok(name, CONSTAT_MONITOR_NAME_MAX) &&
           constat_note_name_valid(name, strlen(name));
}

static void cache_invalidate(constat_vault *v)
{
    /* a rolled-back append may have left nodes of tiles that are not stored */
    constat_node_cache_clear(v->nodes);
    for (size_t i = 0; i < 2; i++)
        v->cache[i].active = 0;
    for (size_t i = 0; i < TILE_LEVELS; i++)
        v->pending[i].active = v->pending[i].dirty = 0;
}

/* A stored tile holding at least `need` hashes, through the cache. A cached
 * partial tile is re-read when it is too narrow: another process may have
 * grown it, and tile contents below the width never change. */
static constat_status tile_fetch(constat_vault *v, unsigned level, uint64_t n, unsigned need,
                                 const vault_tile **out, constat_error *err)
{
    vault_tile *t = NULL;
    constat_status st;

    for (size_t i = 0; i < 2; i++)
        if (v->cache[i].active && v->cache[i].level == level && v->cache[i].n == n)
            t = &v->cache[i];
    if (!t || t->width < need) {
        if (!t) {
            t = &v->cache[v->cache_next];
            v->cache_next ^= 1;
        }
        t->active = 0;
        st = constat_store_tile_get(v->store, level, n, t->h, &t->width, err);
        if (st != CONSTAT_OK)
            return st == CONSTAT_ENOTFOUND
                       ? constat_error_set(err, CONSTAT_EIO,
                                           "vault.db: tile %u/%llu is missing", level,
                                           (unsigned long long)n)
                       : st;
        t->active = 1;
        t->level = level;
        t->n = n;
    }
    if (t->width < need)
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: tile %u/%llu has width %u, needed %u", level,
                                 (unsigned long long)n, t->width, need);
    *out = t;
    return CONSTAT_OK;
}

/* constat_node_reader over tiles: node (level, i) is the root of 2^(level%8)
 * consecutive hashes of tile level level/8. */
static constat_status tile_reader(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                                  constat_error *err)
{
    constat_vault *v = ctx;
    constat_tile_span sp;
    const vault_tile *t = NULL;
    constat_status st;

    if ((st = constat_tile_node_span(level, index, 0, &sp, err)) != CONSTAT_OK)
        return st;
    if (sp.tile_level >= TILE_LEVELS)
        return constat_error_set(err, CONSTAT_EINTERNAL, "node %u/%llu outside any tree", level,
                                 (unsigned long long)index);
    if (sp.count > 1 &&
        constat_node_cache_get(v->nodes, sp.tile_level, sp.tile_n, sp.off, sp.count, out))
        return CONSTAT_OK;
    st = tile_fetch(v, sp.tile_level, sp.tile_n, sp.width, &t, err);
    if (st != CONSTAT_OK)
        return st;
    if (sp.count > 1 && (v->nodes || (v->nodes = constat_node_cache_new()))) {
        constat_node_cache_put(v->nodes, sp.tile_level, sp.tile_n, t->width, t->h);
        if (constat_node_cache_get(v->nodes, sp.tile_level, sp.tile_n, sp.off, sp.count, out))
            return CONSTAT_OK;
    }
    constat_tile_subtree_root(t->h + (size_t)sp.off * 32, sp.count, out);
    return CONSTAT_OK;
}

static constat_status flush_tile(constat_vault *v, vault_tile *t, constat_error *err)
{
    constat_status st = CONSTAT_OK;
    if (t->active && t->dirty)
        st = constat_store_tile_put(v->store, t->level, t->n, t->width, t->h, err);
    t->dirty = 0;
    return st;
}

/* constat_node_writer: gather the level-8L nodes into tiles. */
static constat_status tile_writer(void *ctx, unsigned level, uint64_t index,
                                  const uint8_t hash[32], constat_error *err)
{
    constat_vault *v = ctx;
    unsigned tl, pos;
    uint64_t n;
    vault_tile *t;
    constat_status st;

    if (level % 8 != 0)
        return CONSTAT_OK;
    tl = level / 8;
    if (tl >= TILE_LEVELS)
        return constat_error_set(err, CONSTAT_ELIMIT, "log full");
    n = index / CONSTAT_TILE_WIDTH;
    pos = (unsigned)(index % CONSTAT_TILE_WIDTH);
    t = &v->pending[tl];
    if (!t->active || t->n != n) {
        st = flush_tile(v, t, err);
        if (st != CONSTAT_OK)
            return st;
        t->active = 1;
        t->level = tl;
        t->n = n;
        t->width = 0;
        if (pos != 0) {
            st = constat_store_tile_get(v->store, tl, n, t->h, &t->width, err);
            if (st != CONSTAT_OK) {
                t->active = 0;
                return st == CONSTAT_ENOTFOUND
                           ? constat_error_set(err, CONSTAT_EIO,
                                               "vault.db: partial tile %u/%llu is missing", tl,
                                               (unsigned long long)n)
                           : st;
            }
        }
    }
    if (t->width != pos)
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: tile %u/%llu has width %u where node %llu goes", tl,
                                 (unsigned long long)n, t->width, (unsigned long long)index);
    memcpy(t->h + (size_t)pos * 32, hash, 32);
    t->width++;
    t->dirty = 1;
    return CONSTAT_OK;
}

static constat_status no_keys(const constat_vault *v, const char *what, constat_error *err);

/* ---- private values of a sealed vault (docs/vault.md "Private values") ---- */

#define PRIV_TAG "constat-private-v1"
#define PRIV_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define PRIV_ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

/* The key of private values: a subkey of the pseudonym key (BLAKE2b KDF,
 * subkey 1, context "cprivate"), which is sealed like every vault key. */
#define PRIV_KEYBYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
static int priv_key(const constat_vault *v, uint8_t key[PRIV_KEYBYTES])
{
    return crypto_kdf_derive_from_key(key, PRIV_KEYBYTES, 1,
                                      "cprivate", v->sec->pseudonym);
}

/* The associated data: the tag and the record id, so a sealed value moved
 * onto another record's row no longer opens. Returns its length, 0 if too long. */
static size_t priv_ad(const char *record_id, char *ad, size_t cap)
{
    int n = snprintf(ad, cap, PRIV_TAG "\n%s", record_id);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Open a value sealed by the first format (constat-private-v1, written by
 * earlier versions; `sealed`: the JSON string's text) into the parsed
 * private values object. New values are constat-private-v2 (seal.h). */
static constat_status priv_open(const constat_vault *v, const char *record_id, const char *sealed,
                                size_t len, json_t **out, constat_error *err)
{
    static const char head[] = PRIV_TAG " ";
    uint8_t key[PRIV_KEYBYTES];
    uint8_t *box = NULL, *plain = NULL;
    size_t bl = 0, al;
    unsigned long long pl = 0;
    char ad[160];
    json_error_t je;
    constat_status st = CONSTAT_OK;

    *out = NULL;
    al = priv_ad(record_id, ad, sizeof ad);
    if (!al || len < sizeof head - 1 || memcmp(sealed, head, sizeof head - 1) != 0)
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: private values of \"%s\" are neither an object "
                                 "nor sealed (" PRIV_TAG ")", record_id);
    box = malloc(len);
    if (!box)
        return nomem(err);
    if (constat_unbase64(sealed + sizeof head - 1, len - (sizeof head - 1), box, len, &bl) !=
            CONSTAT_OK ||
        bl < PRIV_NONCE + PRIV_ABYTES) {
        free(box);
        return constat_error_set(err, CONSTAT_EIO,
                                 "vault.db: sealed private values of \"%s\": bad base64 or "
                                 "too short", record_id);
    }
    plain = malloc(bl);
    if (!plain || priv_key(v, key) != 0) {
        free(box);
        free(plain);
        return plain ? constat_error_set(err, CONSTAT_EINTERNAL,
                                         "cannot derive the private-values key")
                     : nomem(err);
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &pl, NULL, box + PRIV_NONCE,
                                                   bl - PRIV_NONCE, (const uint8_t *)ad, al,
                                                   box, key) != 0) {
        st = constat_error_set(err, CONSTAT_EVERIFY,
                               "vault.db: sealed private values of \"%s\" do not open: "
                               "changed, or moved from another record", record_id);
    } else {
        *out = json_loadb((const char *)plain, (size_t)pl, JSON_REJECT_DUPLICATES, &je);
        if (!*out || !json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            st = constat_error_set(err, CONSTAT_EIO,
                                   "vault.db: private values of \"%s\" are not a JSON object",
                                   record_id);
        }
    }
    sodium_memzero(key, sizeof key);
    sodium_memzero(plain, bl);
    free(plain);
    free(box);
    return st;
}

static int record_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

/* The body of an append, inside a transaction the caller opened and will
 * commit or roll back. On success v->size is NOT yet updated (*newsize is). */
static constat_status append_txn(constat_vault *v, const constat_append_item *items, size_t n,
                                 uint64_t *first, size_t *appended, size_t *skipped,
                                 uint64_t *newsize, constat_progress_fn progress, void *pctx,
                                 constat_merkle_builder *start, uint8_t *root,
                                 constat_error *err)
{
    constat_merkle_builder b;
    uint64_t size;
    size_t app = 0, skip = 0;
    constat_status st;

    st = constat_store_size(v->store, &size, err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_merkle_builder_init(&b, size, tile_reader, v, err);
    if (st != CONSTAT_OK)
        return st;
    if (start) /* the right edge before the append (append_batch.h) */
        *start = b;
    *first = size;
    for (size_t i = 0; i < n; i++) {
        const constat_append_item *it = &items[i];
        uint8_t lh[32];
        uint64_t existing;
        int found;

        if (!it->leaf || it->leaf_len == 0 || !it->record_id || !it->kind || !it->kind[0])
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "item %zu: leaf, record id and kind are required", i);
        if (!record_id_ok(it->record_id))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "item %zu: record id \"%.140s\" is not 1-128 characters "
                                     "of [A-Za-z0-9._:-]",
                                     i, it->record_id);
        if (it->leaf_len > CONSTAT_RECORD_MAX_BYTES)
            return constat_error_set(err, CONSTAT_ELIMIT,
                                     "record \"%s\": leaf of %zu bytes exceeds %u", it->record_id,
                                     it->leaf_len, (unsigned)CONSTAT_RECORD_MAX_BYTES);
        if (it->private_values && !json_is_object(it->private_values))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "record \"%s\": private values must be an object",
                                     it->record_id);
        st = constat_store_find_content(v->store, it->content_hash, &found, &existing, err);
        if (st != CONSTAT_OK)
            return st;
        if (found) {
            skip++;
            continue;
        }
        if (size >= CONSTAT_LOG_MAX_SIZE)
            return constat_error_set(err, CONSTAT_ELIMIT, "log full (%llu leaves)",
                                     (unsigned long long)size);
        st = constat_store_leaf_put(v->store, size, it->leaf, it->leaf_len, it->record_id,
                                    it->kind, it->content_hash, err);
        if (st != CONSTAT_OK)
            return st;
        constat_merkle_leaf_hash(it->leaf, it->leaf_len, lh);
        st = constat_merkle_builder_append(&b, lh, tile_writer, v, err);
        if (st != CONSTAT_OK)
            return st;
        if (it->private_values) {
            /* sealed to the organisation's X25519 key (and the named
             * recipients), which needs only their public halves (seal.h) */
            char *sealed = NULL;
            st = constat_seal_private(&v->sec->seal, it->record_id, it->private_values, &sealed,
                                      err);
            if (st == CONSTAT_OK)
                st = constat_store_private_put(v->store, it->record_id, sealed, err);
            free(sealed);
            if (st != CONSTAT_OK)
                return st;
        }
        size++;
        app++;
        if (progress && (i + 1) % PROGRESS_EVERY == 0)
            progress(pctx, i + 1, n);
    }
    for (size_t l = 0; l < TILE_LEVELS; l++) {
        st = flush_tile(v, &v->pending[l], err);
        if (st != CONSTAT_OK)
            return st;
    }
    if (progress)
        progress(pctx, n, n);
    if (root)
        constat_merkle_builder_root(&b, root);
    *appended = app;
    *skipped = skip;
    *newsize = size;
    return CONSTAT_OK;
}

static void abort_txn(constat_vault *v)
{
    constat_store_rollback(v->store);
    cache_invalidate(v);
}

constat_status constat_vault_append(constat_vault *v, const constat_append_item *items,
                                    size_t n, uint64_t *first, size_t *appended,
                                    size_t *skipped, constat_progress_fn progress, void *pctx,
                                    constat_error *err)
{
    return constat_vault_append_hooked(v, items, n, NULL, NULL, first, appended, skipped,
                                       progress, pctx, err);
}

constat_status constat_vault_append_hooked(constat_vault *v, const constat_append_item *items,
                                           size_t n, constat_append_hook hook, void *hctx,
                                           uint64_t *first, size_t *appended, size_t *skipped,
                                           constat_progress_fn progress, void *pctx,
                                           constat_error *err)
{
    uint64_t f = 0, newsize = 0;
    size_t a = 0, s = 0;
    constat_status st;

    if (appended)
        *appended = 0;
    if (skipped)
        *skipped = 0;
    if (n > 0 && !items)
        return constat_error_set(err, CONSTAT_EINVAL, "no items");
    st = constat_store_begin(v->store, err);
    if (st != CONSTAT_OK)
        return st;
    cache_invalidate(v);
    st = append_txn(v, items, n, &f, &a, &s, &newsize, progress, pctx, NULL, v->txn_root, err);
    v->txn_size = newsize;
    if (st == CONSTAT_OK && hook) /* more writes of the same transaction (erase.c) */
        st = hook(hctx, v->store, err);
    if (st == CONSTAT_OK)
        st = constat_store_commit(v->store, err);
    if (st != CONSTAT_OK) {
        abort_txn(v);
        return st;
    }
    cache_invalidate(v);
    v->size = newsize;
    if (first)
        *first = f;
    if (appended)
        *appended = a;
    if (skipped)
        *skipped = s;
    return CONSTAT_OK;
}

void constat_vault_txn_head(const constat_vault *v, uint64_t *size, uint8_t root[32])
{
    *size = v->txn_size;
    memcpy(root, v->txn_root, 32);
}

/* Inside a write transaction, before a checkpoint is signed: the log key
 * this process holds must still be the one meta log_vkey names. A process
 * that opened the vault before `keys rotate --log` holds the retired key;
 * what it would sign fails verification (docs/vault.md "Log key rotation"),
 * so it signs nothing. */
static constat_status log_key_current(constat_vault *v, constat_error *err)
{
    char vk[512];
    constat_buf b;
    constat_status st;

    if (constat_note_verifier_format(&v->sec->log.pub, vk, sizeof vk) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "log key name too long");
    constat_buf_init(&b);
    st = constat_store_meta_get(v->store, "log_vkey", &b, err);
    if (st == CONSTAT_OK && (b.len != strlen(vk) || memcmp(b.data, vk, b.len) != 0))
        st = constat_error_set(err, CONSTAT_ECONFLICT,
                               "%s: the log key was rotated (constat keys rotate --log) after "
                               "this process opened the vault: it holds the retired key and "
                               "signs nothing with it; open the vault again", v->dir);
    constat_buf_free(&b);
    return st;
}

/* An intake batch (append_batch.h): leaves, audit lines and the signed
 * checkpoint of the grown tree in one transaction, so one durable commit. */
constat_status constat_vault_append_batch(constat_vault *v, const constat_append_item *items,
                                          size_t n, const constat_audit_entry *audit,
                                          size_t naudit, int whole, constat_batch_result *out,
                                          constat_error *err)
{
    uint64_t newsize = 0;
    uint8_t root[32];
    constat_buf body;
    constat_status st;

    constat_buf_reset(&out->checkpoint);
    out->first = out->appended = out->skipped = 0;
    if (n > 0 && !items)
        return constat_error_set(err, CONSTAT_EINVAL, "no items");
    if (v->public_only && n > 0)
        return no_keys(v, "signing a checkpoint of the grown log", err);
    st = constat_store_begin(v->store, err);
    if (st != CONSTAT_OK)
        return st;
    cache_invalidate(v);
    constat_buf_init(&body);
    st = append_txn(v, items, n, &out->first, &out->appended, &out->skipped, &newsize, NULL,
                    NULL, &out->start, root, err);
    if (st == CONSTAT_OK && whole && out->skipped)
        st = constat_error_set(err, CONSTAT_ECONFLICT,
                               "%zu of the %zu records are already logged under another id",
                               out->skipped, n);
    for (size_t i = 0; st == CONSTAT_OK && i < naudit; i++)
        st = constat_store_audit_put(v->store, audit[i].at, audit[i].account, audit[i].address,
                                     audit[i].action, audit[i].detail, err);
    if (st == CONSTAT_OK && out->appended > 0)
        st = log_key_current(v, err);
    if (st == CONSTAT_OK && out->appended > 0) {
        st = constat_checkpoint_format(v->origin, newsize, root, &body, err);
        if (st == CONSTAT_OK)
            st = constat_note_sign((const char *)body.data, body.len, &v->sec->log, 1,
                                   &out->checkpoint, err);
        if (st == CONSTAT_OK)
            st = constat_store_checkpoint_put(v->store, newsize,
                                              (const char *)out->checkpoint.data,
                                              (int64_t)time(NULL), err);
    }
    if (st == CONSTAT_OK)
        st = constat_store_commit(v->store, err);
    constat_buf_free(&body);
    if (st != CONSTAT_OK) {
        abort_txn(v);
        constat_buf_reset(&out->checkpoint);
        out->appended = 0;
        return st;
    }
    cache_invalidate(v);
    v->size = newsize;
    return CONSTAT_OK;
}

/* Several batches in one transaction (vault.h): v->size moves only at the
 * commit, as for one batch. */
constat_status constat_vault_append_begin(constat_vault *v, constat_error *err)
{
    constat_status st;
    if (v->batch_open)
        return constat_error_set(err, CONSTAT_EINVAL, "an append transaction is already open");
    st = constat_store_begin(v->store, err);
    if (st != CONSTAT_OK)
        return st;
    cache_invalidate(v);
    v->batch_open = 1;
    v->batch_size = v->size;
    return CONSTAT_OK;
}

constat_status constat_vault_append_more(constat_vault *v, const constat_append_item *items,
                                         size_t n, uint64_t *first, size_t *appended,
                                         size_t *skipped, constat_error *err)
{
    uint64_t f = 0, newsize = 0;
    size_t a = 0, s = 0;
    constat_status st;

    if (!v->batch_open)
        return constat_error_set(err, CONSTAT_EINVAL, "no append transaction is open");
    if (n > 0 && !items)
        return constat_error_set(err, CONSTAT_EINVAL, "no items");
    st = append_txn(v, items, n, &f, &a, &s, &newsize, NULL, NULL, NULL, NULL, err);
    if (st != CONSTAT_OK)
        return st;
    v->batch_size = newsize;
    if (first)
        *first = f;
    if (appended)
        *appended = a;
    if (skipped)
        *skipped = s;
    return CONSTAT_OK;
}

constat_status constat_vault_append_end(constat_vault *v, int commit, constat_error *err)
{
    constat_status st = CONSTAT_OK;
    if (!v->batch_open)
        return commit ? constat_error_set(err, CONSTAT_EINVAL, "no append transaction is open")
                      : CONSTAT_OK;
    v->batch_open = 0;
    if (commit)
        st = constat_store_commit(v->store, err);
    if (!commit || st != CONSTAT_OK) {
        abort_txn(v);
        return st;
    }
    cache_invalidate(v);
    v->size = v->batch_size;
    return CONSTAT_OK;
}

/* ---- creating and opening ---- */

static constat_status load_key(constat_vault *v, const char *rel, const char *passphrase,
                               uint8_t *secret, size_t want, constat_error *err)
{
    char path[PATH_MAX];
    size_t got = 0;
    int sealed = 0;
    constat_status st = join(path, sizeof path, v->dir, rel, err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_keyfile_read(path, rel, passphrase, &v->sec->kek, secret, want, &got, &sealed,
                              err);
    if (st != CONSTAT_OK)
        return st;
    if (got != want) {
        sodium_memzero(secret, want);
        return constat_error_set(err, CONSTAT_ECRYPTO, "%s: secret of %zu bytes, expected %zu",
                                 rel, got, want);
    }
    if (sealed != v->sec->sealed) {
        sodium_memzero(secret, want);
        return constat_error_set(err, CONSTAT_ECRYPTO, "%s is %s but the vault's keys are %s",
                                 rel, sealed ? "sealed" : "plain",
                                 v->sec->sealed ? "sealed" : "plain");
    }
    return CONSTAT_OK;
}

/* Load a signer from its seed file and check it against the public key the
 * database recorded for it (a swapped key file is refused). */
static constat_status load_signer(constat_vault *v, const char *rel, const char *name,
                                  const char *passphrase, const char *expect_vkey,
                                  constat_note_signer *out, constat_error *err)
{
    uint8_t *seed = sodium_malloc(CONSTAT_ED25519_SEED);
    char vk[512];
    constat_status st;

    if (!seed)
        return nomem(err);
    st = load_key(v, rel, passphrase, seed, CONSTAT_ED25519_SEED, err);
    if (st == CONSTAT_OK)
        st = constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, out, err);
    sodium_free(seed);
    if (st != CONSTAT_OK)
        return st;
    if (constat_note_verifier_format(&out->pub, vk, sizeof vk) != CONSTAT_OK ||
        strcmp(vk, expect_vkey) != 0) {
        constat_note_signer_wipe(out);
        return constat_error_set(err, CONSTAT_ECRYPTO,
                                 "%s does not hold the key the vault recorded (%s)", rel,
                                 expect_vkey);
    }
    return CONSTAT_OK;
}

/* meta `key`, or a copy of `dflt` when the row is absent. */
static constat_status meta_opt(constat_vault *v, const char *key, const char *dflt, char **out,
                               constat_error *err)
{
    constat_buf b;
    constat_status st;
    constat_buf_init(&b);
    st = constat_store_meta_get(v->store, key, &b, err);
    if (st == CONSTAT_OK && constat_buf_append(&b, "", 1) == CONSTAT_OK) {
        *out = (char *)constat_buf_detach(&b, NULL);
    } else if (st == CONSTAT_ENOTFOUND) {
        constat_error_clear(err);
        *out = strdup(dflt);
    } else {
        constat_buf_free(&b);
        return st != CONSTAT_OK ? st : nomem(err);
    }
    constat_buf_free(&b);
    return *out ? CONSTAT_OK : nomem(err);
}

static constat_status meta_str(constat_vault *v, const char *key, char **out,
                               constat_error *err)
{
    constat_buf b;
    constat_status st;
    constat_buf_init(&b);
    st = constat_store_meta_get(v->store, key, &b, err);
    if (st != CONSTAT_OK) {
        constat_buf_free(&b);
        return st == CONSTAT_ENOTFOUND ? constat_error_set(err, CONSTAT_EIO,
                                                           "vault.db: meta has no \"%s\"", key)
                                       : st;
    }
    *out = (char *)constat_buf_detach(&b, NULL);
    return *out ? CONSTAT_OK : nomem(err);
}

void constat_vault_close(constat_vault *v)
{
    if (!v)
        return;
    constat_store_close(v->store);
    constat_node_cache_free(v->nodes);
    if (v->sec) {
        constat_note_signer_wipe(&v->sec->log);
        constat_note_signer_wipe(&v->sec->org);
        constat_note_signer_wipe(&v->sec->seal_org);
        constat_note_signer_wipe(&v->sec->reseal_org);
        constat_kek_wipe(&v->sec->kek);
        sodium_free(v->sec); /* wipes the block */
    }
    free(v->dir);
    free(v->org);
    free(v->origin);
    free(v);
}

static constat_vault *vault_alloc(const char *dir)
{
    constat_vault *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->dir = strdup(dir);
    v->sec = sodium_malloc(sizeof *v->sec);
    if (!v->dir || !v->sec) {
        constat_vault_close(v);
        return NULL;
    }
    sodium_memzero(v->sec, sizeof *v->sec);
    return v;
}

static constat_status vault_open(const char *dir, const char *passphrase, int public_only,
                                 constat_vault **out, constat_error *err);

constat_status constat_vault_open(const char *dir, const char *passphrase, constat_vault **out,
                                  constat_error *err)
{
    return vault_open(dir, passphrase, 0, out, err);
}

constat_status constat_vault_open_public(const char *dir, constat_vault **out,
                                         constat_error *err)
{
    return vault_open(dir, NULL, 1, out, err);
}

int constat_vault_has_keys(const constat_vault *v)
{
    return !v->public_only;
}

/* Write a new key file for `seed`, sealed like the vault's other keys
 * (deriving the key-encryption key on first use). A file already at `path`
 * was left by a creation that never committed — the database knows no such
 * key, so nothing can depend on it — and is replaced. *wrote tells the
 * caller to remove the file if its transaction then fails. */
static constat_status write_new_key(constat_vault *v, const char *path, const char *rel,
                                    const uint8_t *seed, int *wrote, constat_error *err)
{
    const constat_kek *kek = v->sec->sealed ? &v->sec->kek : NULL;
    constat_status st = CONSTAT_OK;

    *wrote = 0;
    if (kek && !kek->valid) {
        unsigned long long ops;
        size_t mem;
        constat_kek_params(&ops, &mem);
        st = constat_kek_derive(&v->sec->kek, v->sec->passphrase, NULL, ops, mem, err);
    }
    if (st == CONSTAT_OK) {
        st = constat_keyfile_write(path, rel, seed, CONSTAT_ED25519_SEED, kek, err);
        if (st == CONSTAT_ECONFLICT) {
            unlink(path);
            st = constat_keyfile_write(path, rel, seed, CONSTAT_ED25519_SEED, kek, err);
        }
        *wrote = st == CONSTAT_OK;
    }
    return st;
}

/* A signing operation on a vault opened without its keys. */
static constat_status no_keys(const constat_vault *v, const char *what, constat_error *err)
{
    return constat_error_set(err, CONSTAT_ECRYPTO,
                             "%s: %s needs the vault's keys, and it was opened without them "
                             "(give the passphrase)", v->dir, what);
}

/* The keys data keys are sealed to (seal.h): the organisation's X25519 form
 * of its key (with the secret half when the vault has its keys) and the
 * recipients named in meta "recipients". */
static constat_status seal_load(constat_vault *v, constat_error *err)
{
    constat_buf b;
    constat_status st;

    constat_buf_init(&b);
    st = constat_store_meta_get(v->store, "recipients", &b, err);
    if (st == CONSTAT_ENOTFOUND) {
        constat_error_clear(err);
        st = CONSTAT_OK;
    } else if (st == CONSTAT_OK) {
        st = constat_buf_append(&b, "", 1);
    }
    if (st == CONSTAT_OK)
        st = constat_seal_keys_init(&v->sec->seal, v->sec->seal_org.pub.pk,
                                    v->public_only ? NULL : v->sec->seal_org.sk,
                                    b.len ? (const char *)b.data : NULL, err);
    if (st == CONSTAT_OK && v->sec->has_reseal && !v->public_only) /* org_keys.h */
        st = constat_seal_keys_add_old(&v->sec->seal, v->sec->reseal_org.pub.pk,
                                       v->sec->reseal_org.sk, err);
    constat_buf_free(&b);
    return st;
}

const constat_seal_keys *constat_vault_seal_keys(const constat_vault *v)
{
    return &v->sec->seal;
}

constat_status constat_vault_seal_reload(constat_vault *v, constat_error *err)
{
    return seal_load(v, err);
}

static constat_status vault_open(const char *dir, const char *passphrase, int public_only,
                                 constat_vault **out, constat_error *err)
{
    char *fmt = NULL, *sealed = NULL, *log_vkey = NULL, *org_vkey = NULL, *seal_vkey = NULL,
         *org_file = NULL, *reseal_vkey = NULL, *reseal_file = NULL, *log_file = NULL;
    constat_vault *v;
    constat_status st;

    *out = NULL;
    if (!dir || !dir[0])
        return constat_error_set(err, CONSTAT_EINVAL, "no vault directory given");
    v = vault_alloc(dir);
    if (!v)
        return nomem(err);
    st = constat_store_open_in(dir, &v->store, err);
    if (st == CONSTAT_ENOTFOUND && !constat_store_in(dir))
        st = constat_error_set(err, st, "no vault in %s (vault.db is missing)", dir);
    if (st == CONSTAT_OK)
        st = meta_str(v, "format", &fmt, err);
    if (st == CONSTAT_OK && strcmp(fmt, VAULT_FORMAT) != 0)
        st = constat_error_set(err, CONSTAT_EINVAL, "%s: vault format %s, this build reads %s",
                               dir, fmt, VAULT_FORMAT);
    if (st == CONSTAT_OK)
        st = meta_str(v, "org", &v->org, err);
    if (st == CONSTAT_OK)
        st = meta_str(v, "origin", &v->origin, err);
    if (st == CONSTAT_OK)
        st = meta_str(v, "sealed", &sealed, err);
    if (st == CONSTAT_OK)
        st = meta_str(v, "log_vkey", &log_vkey, err);
    if (st == CONSTAT_OK)
        st = meta_str(v, "org_vkey", &org_vkey, err);
    if (st == CONSTAT_OK) /* after an organisation key rotation (org_keys.h) */
        st = meta_opt(v, "seal_vkey", org_vkey, &seal_vkey, err);
    if (st == CONSTAT_OK)
        st = meta_opt(v, "org_key_file", "keys/org.key", &org_file, err);
    if (st == CONSTAT_OK) /* after a log key rotation (log_keys.h) */
        st = meta_opt(v, "log_key_file", "keys/log.key", &log_file, err);
    if (st == CONSTAT_OK) /* a re-seal after a rotation not finished (org_keys.h) */
        st = meta_opt(v, "reseal_vkey", "", &reseal_vkey, err);
    if (st == CONSTAT_OK)
        st = meta_opt(v, "reseal_key_file", "keys/org.key", &reseal_file, err);
    if (st == CONSTAT_OK && public_only) {
        /* only the public halves, from the database (checked against the key
         * files whenever the vault is opened with its keys) */
        v->public_only = 1;
        v->sec->sealed = strcmp(sealed, "1") == 0;
        st = constat_note_verifier_parse(log_vkey, &v->sec->log.pub, err);
        if (st == CONSTAT_OK)
            st = constat_note_verifier_parse(org_vkey, &v->sec->org.pub, err);
        if (st == CONSTAT_OK)
            st = constat_note_verifier_parse(seal_vkey, &v->sec->seal_org.pub, err);
        if (st == CONSTAT_OK)
            st = constat_store_size(v->store, &v->size, err);
        if (st == CONSTAT_OK)
            st = seal_load(v, err);
        free(fmt);
        free(sealed);
        free(log_vkey);
        free(org_vkey);
        free(seal_vkey);
        free(org_file);
        free(reseal_vkey);
        free(reseal_file);
        free(log_file);
        if (st != CONSTAT_OK) {
            constat_vault_close(v);
            return st;
        }
        *out = v;
        return CONSTAT_OK;
    }
    if (st == CONSTAT_OK) {
        v->sec->sealed = strcmp(sealed, "1") == 0;
        if (v->sec->sealed && (!passphrase || !passphrase[0]))
            st = constat_error_set(err, CONSTAT_ECRYPTO,
                                   "the keys of %s are sealed: a passphrase is needed "
                                   "(CONSTAT_PASSPHRASE)",
                                   dir);
    }
    if (st == CONSTAT_OK && v->sec->sealed) {
        size_t pl = strlen(passphrase);
        if (pl >= sizeof v->sec->passphrase)
            st = constat_error_set(err, CONSTAT_ELIMIT, "passphrase longer than %zu bytes",
                                   sizeof v->sec->passphrase - 1);
        else
            memcpy(v->sec->passphrase, passphrase, pl + 1);
    }
    if (st == CONSTAT_OK)
        st = load_signer(v, log_file, v->origin, v->sec->passphrase, log_vkey, &v->sec->log,
                         err);
    if (st == CONSTAT_OK)
        st = load_signer(v, org_file, v->org, v->sec->passphrase, org_vkey, &v->sec->org, err);
    if (st == CONSTAT_OK && strcmp(seal_vkey, org_vkey) == 0)
        v->sec->seal_org = v->sec->org;
    else if (st == CONSTAT_OK)
        st = load_signer(v, "keys/org.key", v->org, v->sec->passphrase, seal_vkey,
                         &v->sec->seal_org, err);
    if (st == CONSTAT_OK && reseal_vkey[0]) {
        st = load_signer(v, reseal_file, v->org, v->sec->passphrase, reseal_vkey,
                         &v->sec->reseal_org, err);
        v->sec->has_reseal = st == CONSTAT_OK;
    }
    if (st == CONSTAT_OK)
        st = load_key(v, "keys/pseudonym.key", v->sec->passphrase, v->sec->pseudonym,
                      CONSTAT_PSEUDONYM_KEY_SIZE, err);
    if (st == CONSTAT_OK)
        st = constat_store_size(v->store, &v->size, err);
    if (st == CONSTAT_OK)
        st = seal_load(v, err);
    free(fmt);
    free(sealed);
    free(log_vkey);
    free(org_vkey);
    free(seal_vkey);
    free(org_file);
    free(reseal_vkey);
    free(reseal_file);
    free(log_file);
    if (st != CONSTAT_OK) {
        constat_vault_close(v);
        return st;
    }
    *out = v;
    return CONSTAT_OK;
}

static int dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = 1;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    closedir(d);
    return empty;
}

/* Remove what a failed create made, so the directory can be used again. */
static void create_cleanup(const char *dir, int made_dir)
{
    static const char *const files[] = {"vault.db", "vault.db-wal", "vault.db-shm", "store.url",
                                        "keys/log.key", "keys/org.key", "keys/pseudonym.key"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (join(path, sizeof path, dir, files[i], NULL) == CONSTAT_OK)
            unlink(path);
    if (join(path, sizeof path, dir, "keys/monitors", NULL) == CONSTAT_OK)
        rmdir(path);
    if (join(path, sizeof path, dir, "keys", NULL) == CONSTAT_OK)
        rmdir(path);
    if (made_dir)
        rmdir(dir);
}

static constat_status write_secret(const char *dir, const char *rel, const uint8_t *secret,
                                   size_t len, const constat_kek *kek, constat_error *err)
{
    char path[PATH_MAX];
    constat_status st = join(path, sizeof path, dir, rel, err);
    return st ? st : constat_keyfile_write(path, rel, secret, len, kek, err);
}

static constat_status create_in(const char *dir, const char *org, const char *origin,
                                const char *passphrase, const char *store, vault_secrets *sec,
                                constat_error *err)
{
    char log_vkey[512], org_vkey[512], now[32];
    uint8_t seeds[2][CONSTAT_ED25519_SEED];
    constat_store *s = NULL;
    const constat_kek *kek = NULL;
    constat_status st;

    if (passphrase && passphrase[0]) {
        unsigned long long ops;
        size_t mem;
        constat_kek_params(&ops, &mem);
        st = constat_kek_derive(&sec->kek, passphrase, NULL, ops, mem, err);
        if (st != CONSTAT_OK)
            return st;
        kek = &sec->kek;
    }
    randombytes_buf(seeds, sizeof seeds);
    randombytes_buf(sec->pseudonym, sizeof sec->pseudonym);
    st = constat_note_signer_from_seed(origin, CONSTAT_NOTE_ALG_ED25519, seeds[0], &sec->log,
                                       err);
    if (st == CONSTAT_OK)
        st = constat_note_signer_from_seed(org, CONSTAT_NOTE_ALG_ED25519, seeds[1], &sec->org,
                                           err);
    if (st == CONSTAT_OK)
        st = write_secret(dir, "keys/log.key", seeds[0], sizeof seeds[0], kek, err);
    if (st == CONSTAT_OK)
        st = write_secret(dir, "keys/org.key", seeds[1], sizeof seeds[1], kek, err);
    if (st == CONSTAT_OK)
        st = write_secret(dir, "keys/pseudonym.key", sec->pseudonym, sizeof sec->pseudonym,
                          kek, err);
    sodium_memzero(seeds, sizeof seeds);
    if (st != CONSTAT_OK)
        return st;
    if (constat_note_verifier_format(&sec->log.pub, log_vkey, sizeof log_vkey) != CONSTAT_OK ||
        constat_note_verifier_format(&sec->org.pub, org_vkey, sizeof org_vkey) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_EINVAL, "key names too long");
    constat_rfc3339_format((int64_t)time(NULL), 0, now);

    st = constat_store_create_in(dir, store, &s, err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_store_begin(s, err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "format", VAULT_FORMAT, err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "org", org, err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "origin", origin, err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "sealed", kek ? "1" : "0", err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "log_vkey", log_vkey, err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "org_vkey", org_vkey, err);
    if (st == CONSTAT_OK)
        st = constat_store_meta_set(s, "created_at", now, err);
    if (st == CONSTAT_OK)
        st = constat_store_commit(s, err);
    if (st != CONSTAT_OK)
        constat_store_rollback(s);
    constat_store_close(s);
    if (st == CONSTAT_OK && constat_fsync_dir(dir) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "cannot sync %s: %s", dir, strerror(errno));
    return st;
}

constat_status constat_vault_create(const char *dir, const char *org, const char *origin,
                                    const char *passphrase, constat_error *err)
{
    return constat_vault_create_store(dir, org, origin, passphrase, NULL, err);
}

constat_status constat_vault_create_store(const char *dir, const char *org, const char *origin,
                                          const char *passphrase, const char *store,
                                          constat_error *err)
{
    char path[PATH_MAX];
    struct stat stt;
    vault_secrets *sec;
    int made_dir = 0;
    constat_status st;

    if (!store)
        store = getenv("CONSTAT_STORE");
    if (!dir || !dir[0])
        return constat_error_set(err, CONSTAT_EINVAL, "no vault directory given");
    if (store && store[0] && !constat_store_is_url(store))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "store \"%.200s\" is not a postgresql:// URL (give none for "
                                 "DIR/vault.db)", store);
    if (!org || !constat_note_name_valid(org, strlen(org)))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "organisation name \"%.100s\" is not a valid key name "
                                 "(no spaces, no '+', 1-%d bytes)",
                                 org ? org : "", CONSTAT_KEY_NAME_MAX);
    if (!origin || !constat_note_name_valid(origin, strlen(origin)))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "log origin \"%.100s\" is not a valid key name "
                                 "(no spaces, no '+', 1-%d bytes)",
                                 origin ? origin : "", CONSTAT_KEY_NAME_MAX);
    if (passphrase && strlen(passphrase) >= sizeof sec->passphrase)
        return constat_error_set(err, CONSTAT_ELIMIT, "passphrase longer than %zu bytes",
                                 sizeof sec->passphrase - 1);
    if (lstat(dir, &stt) == 0) {
        if (!S_ISDIR(stt.st_mode))
            return constat_error_set(err, CONSTAT_ECONFLICT, "%s exists and is not a directory",
                                     dir);
        if (!dir_is_empty(dir))
            return constat_error_set(err, CONSTAT_ECONFLICT, "%s is not empty", dir);
        if (chmod(dir, 0700) != 0)
            return constat_error_set(err, CONSTAT_EIO, "cannot chmod %s: %s", dir,
                                     strerror(errno));
    } else if (errno == ENOENT) {
        if (mkdir(dir, 0700) != 0)
            return constat_error_set(err, CONSTAT_EIO, "cannot create %s: %s", dir,
                                     strerror(errno));
        made_dir = 1;
    } else {
        return constat_error_set(err, CONSTAT_EIO, "%s: %s", dir, strerror(errno));
    }
    st = join(path, sizeof path, dir, "keys", err);
    if (st == CONSTAT_OK && mkdir(path, 0700) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "cannot create %s: %s", path, strerror(errno));
    if (st == CONSTAT_OK)
        st = join(path, sizeof path, dir, "keys/monitors", err);
    if (st == CONSTAT_OK && mkdir(path, 0700) != 0)
        st = constat_error_set(err, CONSTAT_EIO, "cannot create %s: %s", path, strerror(errno));
    sec = sodium_malloc(sizeof *sec);
    if (st == CONSTAT_OK && !sec)
        st = nomem(err);
    if (st == CONSTAT_OK) {
        sodium_memzero(sec, sizeof *sec);
        st = create_in(dir, org, origin, passphrase, store, sec, err);
    }
    if (sec) {
        constat_note_signer_wipe(&sec->log);
        constat_note_signer_wipe(&sec->org);
        sodium_free(sec);
    }
    if (st != CONSTAT_OK)
        create_cleanup(dir, made_dir);
    return st;
}

const char *constat_vault_org(const constat_vault *v)
{
    return v->org;
}

const char *constat_vault_origin(const constat_vault *v)
{
    return v->origin;
}

const char *constat_vault_dir(const constat_vault *v)
{
    return v->dir;
}

const constat_note_signer *constat_vault_log_key(const constat_vault *v)
{
    return &v->sec->log;
}

const constat_note_signer *constat_vault_org_key(const constat_vault *v)
{
    return &v->sec->org;
}

const uint8_t *constat_vault_pseudonym_key(const constat_vault *v)
{
    return v->public_only ? NULL : v->sec->pseudonym;
}

/* ---- witness key (docs/witness.md) ---- */

/* Made lazily so vaults that never witness carry no witness key. The check
 * and the creation run inside one write transaction, so two processes
 * creating it at once end with one key. */
constat_status constat_vault_witness_key(constat_vault *v, int create, constat_note_signer *out,
                                         constat_error *err)
{
    static const char rel[] = "keys/witness.key";
    char path[PATH_MAX], vk[512];
    constat_buf stored;
    uint8_t *seed;
    size_t got = 0;
    int sealed = 0, in_txn = 0, wrote = 0;
    constat_status st;

    st = join(path, sizeof path, v->dir, rel, err);
    if (st != CONSTAT_OK)
        return st;
    seed = sodium_malloc(CONSTAT_ED25519_SEED);
    if (!seed)
        return nomem(err);
    constat_buf_init(&stored);
    if (create) {
        st = constat_store_begin(v->store, err);
        in_txn = st == CONSTAT_OK;
    }
    if (st == CONSTAT_OK)
        st = constat_store_meta_get(v->store, "witness_vkey", &stored, err);
    if (st == CONSTAT_ENOTFOUND && !create)
        st = constat_error_set(err, CONSTAT_ENOTFOUND,
                               "%s has no witness key yet (constat witness init)", v->dir);
    if (st == CONSTAT_OK) {
        st = constat_keyfile_read(path, rel, v->sec->passphrase, &v->sec->kek, seed,
                                  CONSTAT_ED25519_SEED, &got, &sealed, err);
        if (st == CONSTAT_OK && (got != CONSTAT_ED25519_SEED || sealed != v->sec->sealed))
            st = constat_error_set(err, CONSTAT_ECRYPTO, "%s is not a %s 32-byte key", rel,
                                   v->sec->sealed ? "sealed" : "plain");
    } else if (st == CONSTAT_ENOTFOUND && create) {
        constat_error_clear(err);
        randombytes_buf(seed, CONSTAT_ED25519_SEED);
        st = write_new_key(v, path, rel, seed, &wrote, err);
    }
    if (st == CONSTAT_OK)
        st = constat_note_signer_from_seed(v->org, CONSTAT_NOTE_ALG_COSIGNATURE_V1, seed, out,
                                           err);
    sodium_free(seed);
    if (st == CONSTAT_OK &&
        constat_note_verifier_format(&out->pub, vk, sizeof vk) != CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_EINVAL, "organisation name too long");
    if (st == CONSTAT_OK && wrote)
        st = constat_store_meta_set(v->store, "witness_vkey", vk, err);
    else if (st == CONSTAT_OK && strcmp(vk, (const char *)stored.data) != 0)
        st = constat_error_set(err, CONSTAT_ECRYPTO,
                               "%s does not hold the witness key the vault recorded (%s)", rel,
                               (const char *)stored.data);
    if (st == CONSTAT_OK && in_txn)
        st = constat_store_commit(v->store, err);
    if (st != CONSTAT_OK) {
        if (in_txn)
            constat_store_rollback(v->store);
        if (wrote)
            unlink(path);
        constat_note_signer_wipe(out);
    }
    constat_buf_free(&stored);
    return st;
}

/* ---- monitors ---- */

static constat_status enrolment_leaf(constat_vault *v, const char *name, const char *vkey,
                                     const char *custody, int64_t now, constat_buf *leaf,
                                     uint8_t content_hash[32], constat_error *err)
{
    char when[32], id[CONSTAT_MONITOR_NAME_MAX + 8];
    json_t *rec;
    constat_status st;

    constat_rfc3339_format(now, 0, when);
    snprintf(id, sizeof id, "enrol:%s", name);
    rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "kind",
                    "monitor_enrolment", "id", id, "org", v->org, "monitor", name, "vkey", vkey,
                    "enrolled_at", when, "recorded_at", when);
    if (rec && custody && json_object_set_new(rec, "key_custody", json_string(custody)) != 0) {
        json_decref(rec);
        rec = NULL;
    }
    if (!rec)
        return nomem(err);
    st = v->public_only ? no_keys(v, "enrolling a monitor", err)
                        : constat_record_validate(rec, NULL, err);
    if (st == CONSTAT_OK)
        st = constat_record_content_hash(rec, content_hash, err);
    if (st == CONSTAT_OK)
        st = constat_record_sign(rec, &v->sec->org, leaf, err);
    json_decref(rec);
    return st;
}

/* `name` is a valid monitor name not enrolled yet. */
static constat_status new_monitor_ok(constat_vault *v, const char *name, constat_error *err)
{
    constat_status st;
    if (!name || !monitor_name_ok(name))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "monitor name \"%.140s\" must be 1-%d characters of "
                                 "[A-Za-z0-9._-], not starting with '.' or '-'",
                                 name ? name : "", CONSTAT_MONITOR_NAME_MAX);
    /* the organisation's records name it as their `monitor`: a monitor of
     * that name would pass for the organisation in every listing */
    if (strcmp(name, v->org) == 0)
        return constat_error_set(err, CONSTAT_ECONFLICT,
                                 "monitor name \"%s\" is the organisation's own name: choose "
                                 "another", name);
    st = constat_store_monitor_get(v->store, name, NULL, NULL, err);
    if (st == CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ECONFLICT, "monitor \"%s\" is already enrolled",
                                 name);
    if (st != CONSTAT_ENOTFOUND)
        return st;
    constat_error_clear(err);
    return CONSTAT_OK;
}

/* Sign and append the enrolment of `name` with `vkey` (custody NULL: the
 * key is the vault's; "device": held by the monitor's device), running
 * `hook` (may be NULL) inside the same transaction. */
static constat_status enrol_append(constat_vault *v, const char *name, const char *vkey,
                                   const char *custody, int64_t now, constat_txn_hook hook,
                                   void *hctx, uint64_t *index, constat_error *err)
{
    char id[CONSTAT_MONITOR_NAME_MAX + 8];
    constat_buf leaf;
    constat_append_item item;
    uint64_t first = 0, newsize = 0;
    size_t appended = 0, skipped = 0;
    constat_status st;

    constat_buf_init(&leaf);
    st = enrolment_leaf(v, name, vkey, custody, now, &leaf, item.content_hash, err);
    if (st == CONSTAT_OK) {
        snprintf(id, sizeof id, "enrol:%s", name);
        item.leaf = leaf.data;
        item.leaf_len = leaf.len;
        item.record_id = id;
        item.kind = "monitor_enrolment";
        item.private_values = NULL;
        st = constat_store_begin(v->store, err);
        if (st == CONSTAT_OK) {
            cache_invalidate(v);
            if (hook)
                st = hook(hctx, err);
            if (st == CONSTAT_OK)
                st = append_txn(v, &item, 1, &first, &appended, &skipped, &newsize, NULL, NULL,
                                NULL, NULL, err);
            if (st == CONSTAT_OK && appended != 1)
                st = constat_error_set(err, CONSTAT_ECONFLICT,
                                       "an identical enrolment of \"%s\" is already in the log",
                                       name);
            if (st == CONSTAT_OK)
                st = constat_store_monitor_put(v->store, name, vkey, first, err);
            if (st == CONSTAT_OK)
                st = constat_store_commit(v->store, err);
            if (st != CONSTAT_OK)
                abort_txn(v);
        }
    }
    constat_buf_free(&leaf);
    if (st != CONSTAT_OK)
        return st;
    cache_invalidate(v);
    v->size = newsize;
    if (index)
        *index = first;
    return CONSTAT_OK;
}

/* A new key for monitor `name`, written sealed to keys/monitors/<name>.key
 * or, when `rotated`, keys/monitors/<key id>.key (monitor_keys.h); its vkey
 * into vkey[cap], the file's path into path[pcap], *wrote 1 once written. */
static constat_status monitor_key_write(constat_vault *v, const char *name, int rotated,
                                        char *vkey, size_t cap, char *path, size_t pcap,
                                        int *wrote, constat_error *err)
{
    char rel[PATH_MAX], kid[CONSTAT_KEY_NAME_MAX + 16];
    uint8_t *seed;
    constat_note_signer *signer;
    constat_status st;

    *wrote = 0;
    seed = sodium_malloc(CONSTAT_ED25519_SEED + sizeof *signer);
    if (!seed)
        return nomem(err);
    signer = (constat_note_signer *)(void *)(seed + CONSTAT_ED25519_SEED);
    randombytes_buf(seed, CONSTAT_ED25519_SEED);
    st = constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, signer, err);
    if (st == CONSTAT_OK &&
        constat_note_verifier_format(&signer->pub, vkey, cap) != CONSTAT_OK)
        st = constat_error_set(err, CONSTAT_EINVAL, "monitor name too long");
    if (st == CONSTAT_OK) {
        constat_record_key_id(&signer->pub, kid, sizeof kid);
        snprintf(rel, sizeof rel, "keys/monitors/%s.key", rotated ? kid : name);
        st = join(path, pcap, v->dir, rel, err);
    }
    if (st == CONSTAT_OK)
        st = write_new_key(v, path, rel, seed, wrote, err);
    constat_note_signer_wipe(signer);
    sodium_free(seed);
    return st;
}

/* A new key named `name` for a rotation (`what` for the message), written
 * sealed to keys/<prefix>-<hex8>.key (rel[rcap], path[pcap] get its names). */
static constat_status rotated_key_new(constat_vault *v, const char *name, const char *prefix,
                                      const char *what, constat_note_signer *out, char *rel,
                                      size_t rcap, char *path, size_t pcap, constat_error *err)
{
    char kid[CONSTAT_KEY_NAME_MAX + 16];
    uint8_t *seed;
    int wrote = 0;
    constat_status st;

    if (v->public_only)
        return no_keys(v, what, err);
    if (!(seed = sodium_malloc(CONSTAT_ED25519_SEED)))
        return nomem(err);
    randombytes_buf(seed, CONSTAT_ED25519_SEED);
    st = constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, out, err);
    if (st == CONSTAT_OK) {
        constat_record_key_id(&out->pub, kid, sizeof kid);
        snprintf(rel, rcap, "keys/%s-%s.key", prefix, strrchr(kid, '+') + 1);
        st = join(path, pcap, v->dir, rel, err);
    }
    if (st == CONSTAT_OK)
        st = write_new_key(v, path, rel, seed, &wrote, err);
    sodium_free(seed);
    if (st != CONSTAT_OK)
        constat_note_signer_wipe(out);
    return st;
}

constat_status constat_vault_org_key_new(constat_vault *v, constat_note_signer *out, char *rel,
                                         size_t rcap, char *path, size_t pcap,
                                         constat_error *err)
{
    return rotated_key_new(v, v->org, "org", "rotating the organisation key", out, rel, rcap,
                           path, pcap, err);
}

constat_status constat_vault_log_key_new(constat_vault *v, constat_note_signer *out, char *rel,
                                         size_t rcap, char *path, size_t pcap,
                                         constat_error *err)
{
    return rotated_key_new(v, v->origin, "log", "rotating the log key", out, rel, rcap, path,
                           pcap, err);
}

void constat_vault_log_key_switch(constat_vault *v, const constat_note_signer *s)
{
    constat_note_signer_wipe(&v->sec->log);
    v->sec->log = *s;
}

constat_status constat_vault_org_key_switch(constat_vault *v, const constat_note_signer *s,
                                            constat_error *err)
{
    v->sec->reseal_org = v->sec->seal_org;
    v->sec->has_reseal = 1;
    v->sec->org = *s;
    v->sec->seal_org = *s;
    return seal_load(v, err);
}

void constat_vault_reseal_drop(constat_vault *v)
{
    constat_note_signer_wipe(&v->sec->reseal_org);
    v->sec->has_reseal = 0;
    sodium_memzero(v->sec->seal.old_sk, sizeof v->sec->seal.old_sk);
    v->sec->seal.has_old = 0;
}

constat_status constat_vault_monitor_add(constat_vault *v, const char *name, int64_t now,
                                         uint64_t *index, constat_error *err)
{
    char path[PATH_MAX], vkey[512];
    int wrote = 0;
    constat_status st;

    if ((st = new_monitor_ok(v, name, err)) != CONSTAT_OK)
        return st;
    st = monitor_key_write(v, name, 0, vkey, sizeof vkey, path, sizeof path, &wrote, err);
    if (st == CONSTAT_OK)
        st = enrol_append(v, name, vkey, NULL, now, NULL, NULL, index, err);
    if (st != CONSTAT_OK && wrote)
        unlink(path);
    return st;
}

constat_status constat_vault_monitor_enrol_vkey(constat_vault *v, const char *name,
                                                const char *vkey, int64_t now,
                                                constat_txn_hook hook, void *hctx,
                                                uint64_t *index, constat_error *err)
{
    constat_note_verifier ver;
    constat_status st;

    if ((st = new_monitor_ok(v, name, err)) != CONSTAT_OK)
        return st;
    st = constat_note_verifier_parse(vkey, &ver, err);
    if (st != CONSTAT_OK)
        return st;
    if (strcmp(ver.name, name) != 0 || ver.alg != CONSTAT_NOTE_ALG_ED25519)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "vkey: must be an Ed25519 key named \"%s\"", name);
    return enrol_append(v, name, vkey, "device", now, hook, hctx, index, err);
}

int constat_vault_key_on_device(constat_vault *v, const char *name)
{
    char id[CONSTAT_MONITOR_NAME_MAX + 8];
    uint64_t idx;
    constat_buf leaf;
    constat_leaf l;
    int r = -1;

    if (!name || strlen(name) > CONSTAT_MONITOR_NAME_MAX)
        return -1;
    snprintf(id, sizeof id, "enrol:%s", name);
    if (constat_vault_find(v, id, &idx, NULL) != CONSTAT_OK)
        return -1;
    constat_buf_init(&leaf);
    if (constat_vault_leaf(v, idx, &leaf, NULL) == CONSTAT_OK &&
        constat_leaf_parse(leaf.data, leaf.len, &l, NULL) == CONSTAT_OK) {
        const char *c = json_string_value(json_object_get(l.record, "key_custody"));
        r = c && strcmp(c, "device") == 0;
        constat_leaf_free(&l);
    }
    constat_buf_free(&leaf);
    return r;
}

constat_status constat_vault_monitor_key(constat_vault *v, const char *name,
                                         constat_note_signer *out, constat_error *err)
{
    char path[PATH_MAX], rel[PATH_MAX], vk[512];
    constat_buf vkey;
    uint8_t *seed;
    size_t got = 0;
    int sealed = 0;
    constat_status st;

    if (!name || !monitor_name_ok(name))
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no monitor \"%.140s\" is enrolled",
                                 name ? name : "");
    constat_buf_init(&vkey);
    st = constat_store_monitor_get(v->store, name, &vkey, NULL, err);
    if (st != CONSTAT_OK) {
        constat_buf_free(&vkey);
        return st;
    }
    snprintf(rel, sizeof rel, "keys/monitors/%s.key", name);
    /* a rotated key (monitor_keys.h): the meta row names it */
    if (constat_monitor_key_meta(name, vk, sizeof vk) == 0) {
        constat_note_verifier cur;
        constat_buf_reset(&vkey);
        st = constat_store_meta_get(v->store, vk, &vkey, err);
        if (st == CONSTAT_ENOTFOUND) {
            constat_error_clear(err);
            st = constat_store_monitor_get(v->store, name, &vkey, NULL, err);
        } else if (st == CONSTAT_OK && (constat_buf_append(&vkey, "", 1) != CONSTAT_OK ||
                                        constat_note_verifier_parse((const char *)vkey.data,
                                                                    &cur, err) != CONSTAT_OK)) {
            st = constat_error_set(err, CONSTAT_EIO, "vault.db: meta %s is not a key", vk);
        } else if (st == CONSTAT_OK) {
            char kid[CONSTAT_KEY_NAME_MAX + 16];
            constat_record_key_id(&cur, kid, sizeof kid);
            snprintf(rel, sizeof rel, "keys/monitors/%s.key", kid);
        }
        if (st != CONSTAT_OK) {
            constat_buf_free(&vkey);
            return st;
        }
    }
    st = join(path, sizeof path, v->dir, rel, err);
    seed = sodium_malloc(CONSTAT_ED25519_SEED);
    if (st == CONSTAT_OK && !seed)
        st = nomem(err);
    if (st == CONSTAT_OK)
        st = constat_keyfile_read(path, rel, v->sec->passphrase, &v->sec->kek, seed,
                                  CONSTAT_ED25519_SEED, &got, &sealed, err);
    if (st == CONSTAT_ENOTFOUND && constat_vault_key_on_device(v, name) == 1)
        st = constat_error_set(err, CONSTAT_ENOTFOUND,
                               "monitor \"%s\" holds their key on their own device (enrolled "
                               "through constat serve): the vault has no key to sign for them; "
                               "they sign on the device (the app, or constat submit)", name);
    if (st == CONSTAT_OK && (got != CONSTAT_ED25519_SEED || sealed != v->sec->sealed))
        st = constat_error_set(err, CONSTAT_ECRYPTO, "%s is not a %s 32-byte key", rel,
                               v->sec->sealed ? "sealed" : "plain");
    if (st == CONSTAT_OK)
        st = constat_note_signer_from_seed(name, CONSTAT_NOTE_ALG_ED25519, seed, out, err);
    if (seed)
        sodium_free(seed);
    if (st == CONSTAT_OK &&
        (constat_note_verifier_format(&out->pub, vk, sizeof vk) != CONSTAT_OK ||
         strcmp(vk, (const char *)vkey.data) != 0)) {
        constat_note_signer_wipe(out);
        st = constat_error_set(err, CONSTAT_ECRYPTO,
                               "%s does not hold the key enrolled for \"%s\"", rel, name);
    }
    constat_buf_free(&vkey);
    return st;
}

int constat_monitor_key_meta(const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "monitor_key:%s", name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

constat_status constat_vault_monitor_key_new(constat_vault *v, const char *name, char *vkey,
                                             size_t cap, char *path, size_t pcap,
                                             constat_error *err)
{
    int wrote = 0;
    if (v->public_only)
        return no_keys(v, "rotating a monitor key", err);
    return monitor_key_write(v, name, 1, vkey, cap, path, pcap, &wrote, err);
}

typedef struct {
    constat_monitor_fn fn;
    void *ctx;
} monitor_iter;

static int monitor_cb(void *ctx, const char *name, const char *vkey, uint64_t idx)
{
    monitor_iter *it = ctx;
    return it->fn(it->ctx, name, vkey, idx);
}

constat_status constat_vault_monitor_list(constat_vault *v, constat_monitor_fn fn, void *ctx,
                                          constat_error *err)
{
    monitor_iter it = {fn, ctx};
    return constat_store_monitors(v->store, monitor_cb, &it, err);
}

/* ---- reading ---- */

uint64_t constat_vault_size(constat_vault *v)
{
    uint64_t s;
    /* re-read: another process (server, second CLI) may have appended */
    if (constat_store_size(v->store, &s, NULL) == CONSTAT_OK)
        v->size = s;
    return v->size;
}

constat_status constat_vault_leaf(constat_vault *v, uint64_t index, constat_buf *out,
                                  constat_error *err)
{
    return constat_store_leaf_get(v->store, index, out, err);
}

constat_status constat_vault_find(constat_vault *v, const char *record_id, uint64_t *index,
                                  constat_error *err)
{
    if (!record_id)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no record id given");
    return constat_store_find_id(v->store, record_id, index, err);
}

typedef struct {
    constat_leaf_fn fn;
    void *ctx;
} leaf_iter;

static int leaf_cb(void *ctx, const constat_store_leaf *row)
{
    leaf_iter *it = ctx;
    return it->fn(it->ctx, row->idx, row->leaf, row->len);
}

constat_status constat_vault_leaves(constat_vault *v, uint64_t from, uint64_t to,
                                    constat_leaf_fn fn, void *ctx, constat_error *err)
{
    leaf_iter it = {fn, ctx};
    if (from >= to)
        return CONSTAT_OK;
    return constat_store_leaves(v->store, from, to, leaf_cb, &it, err);
}

constat_status constat_vault_private(constat_vault *v, const char *record_id, json_t **out,
                                     constat_error *err)
{
    constat_buf b;
    json_error_t je;
    constat_status st;

    *out = NULL;
    /* also for values stored in clear before sealing existed: the
     * passphrase is what gives access to them */
    if ((v->sec->sealed || !v->sec->seal.has_sk) && v->public_only)
        return no_keys(v, "reading private values", err);
    constat_buf_init(&b);
    st = constat_store_private_get(v->store, record_id, &b, err);
    if (st == CONSTAT_ENOTFOUND) {
        constat_buf_free(&b);
        constat_error_clear(err);
        return CONSTAT_OK;
    }
    if (st == CONSTAT_OK) {
        json_t *j = json_loadb((const char *)b.data, b.len,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
        if (constat_seal_private_is(j)) {
            st = constat_seal_private_open_keys(&v->sec->seal, record_id, j, out, err);
            json_decref(j);
        } else if (json_is_string(j)) {
            st = priv_open(v, record_id, json_string_value(j), json_string_length(j), out, err);
            json_decref(j);
        } else if (json_is_object(j)) {
            *out = j;
        } else {
            json_decref(j);
            st = constat_error_set(err, CONSTAT_EIO,
                                   "vault.db: private values of \"%s\" are not a JSON object",
                                   record_id);
        }
    }
    if (b.data)
        sodium_memzero(b.data, b.len);
    constat_buf_free(&b);
    return st;
}

constat_status constat_vault_root(constat_vault *v, uint64_t size, uint8_t root[32],
                                  constat_error *err)
{
    uint64_t have = constat_vault_size(v);
    if (size > have)
        return constat_error_set(err, CONSTAT_EINVAL, "size %llu is beyond the tree (%llu)",
                                 (unsigned long long)size, (unsigned long long)have);
    return constat_merkle_root(tile_reader, v, size, root, err);
}

constat_status constat_vault_prove_inclusion(constat_vault *v, uint64_t index, uint64_t size,
                                             constat_proof *out, constat_error *err)
{
    uint64_t have = constat_vault_size(v);
    if (size > have || index >= size)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "no leaf %llu in a tree of size %llu (the log has %llu)",
                                 (unsigned long long)index, (unsigned long long)size,
                                 (unsigned long long)have);
    return constat_merkle_prove_inclusion(tile_reader, v, index, size, out, err);
}

constat_status constat_vault_prove_consistency(constat_vault *v, uint64_t size1,
                                               uint64_t size2, constat_proof *out,
                                               constat_error *err)
{
    uint64_t have = constat_vault_size(v);
    if (size1 == 0 || size1 > size2 || size2 > have)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "no consistency proof from %llu to %llu (the log has %llu)",
                                 (unsigned long long)size1, (unsigned long long)size2,
                                 (unsigned long long)have);
    return constat_merkle_prove_consistency(tile_reader, v, size1, size2, out, err);
}

constat_status constat_vault_tile(constat_vault *v, unsigned level, uint64_t n, unsigned width,
                                  constat_buf *out, constat_error *err)
{
    uint8_t *h;
    unsigned w = 0;
    constat_status st;

    if (width == 0 || width > CONSTAT_TILE_WIDTH || level >= TILE_LEVELS)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "no tile %u/%llu of width %u", level,
                                 (unsigned long long)n, width);
    h = malloc(TILE_BYTES);
    if (!h)
        return nomem(err);
    st = constat_store_tile_get(v->store, level, n, h, &w, err);
    if (st == CONSTAT_OK && w < width)
        st = constat_error_set(err, CONSTAT_ENOTFOUND,
                               "tile %u/%llu has only %u hashes, not %u", level,
                               (unsigned long long)n, w, width);
    if (st == CONSTAT_OK && constat_buf_append(out, h, (size_t)width * 32) != CONSTAT_OK)
        st = nomem(err);
    free(h);
    return st;
}

/* ---- checkpoints ---- */

constat_status constat_vault_checkpoint(constat_vault *v, constat_buf *out, constat_error *err)
{
    constat_buf body, note;
    uint64_t size = 0, latest = 0;
    uint8_t root[32];
    constat_status st;

    constat_buf_init(&body);
    constat_buf_init(&note);
    st = constat_store_begin(v->store, err);
    if (st != CONSTAT_OK)
        return st;
    st = constat_store_size(v->store, &size, err);
    if (st == CONSTAT_OK) {
        st = constat_store_checkpoint_latest(v->store, &latest, &note, err);
        if (st == CONSTAT_OK && latest >= size) {
            if (latest > size)
                st = constat_error_set(err, CONSTAT_EIO,
                                       "vault.db: checkpoint of size %llu beyond the tree (%llu)",
                                       (unsigned long long)latest, (unsigned long long)size);
            constat_store_rollback(v->store);
            if (st == CONSTAT_OK && constat_buf_append(out, note.data, note.len) != CONSTAT_OK)
                st = nomem(err);
            constat_buf_free(&note);
            return st;
        }
        if (st == CONSTAT_ENOTFOUND || st == CONSTAT_OK) {
            constat_error_clear(err);
            constat_buf_reset(&note);
            st = CONSTAT_OK;
        }
    }
    if (st == CONSTAT_OK)
        st = constat_merkle_root(tile_reader, v, size, root, err);
    if (st == CONSTAT_OK)
        st = constat_checkpoint_format(v->origin, size, root, &body, err);
    if (st == CONSTAT_OK && v->public_only)
        st = no_keys(v, "signing a checkpoint of the grown log", err);
    if (st == CONSTAT_OK)
        st = log_key_current(v, err);
    if (st == CONSTAT_OK)
        st = constat_note_sign((const char *)body.data, body.len, &v->sec->log, 1, &note, err);
    if (st == CONSTAT_OK)
        st = constat_store_checkpoint_put(v->store, size, (const char *)note.data,
                                          (int64_t)time(NULL), err);
    if (st == CONSTAT_OK)
        st = constat_store_commit(v->store, err);
    if (st != CONSTAT_OK)
        abort_txn(v);
    else if (constat_buf_append(out, note.data, note.len) != CONSTAT_OK)
        st = nomem(err);
    constat_buf_free(&body);
    constat_buf_free(&note);
    return st;
}

constat_status constat_vault_latest_checkpoint(constat_vault *v, constat_buf *out,
                                               constat_error *err)
{
    uint64_t size;
    return constat_store_checkpoint_latest(v->store, &size, out, err);
}

/* ---- verification ---- */

typedef struct {
    char name[CONSTAT_KEY_NAME_MAX + 1];
    constat_note_verifier ver;
    uint64_t idx;
} enrolled;

typedef struct {
    uint64_t size;
    char *note;
    size_t len;
} stored_cp;

typedef struct {
    constat_vault *v;
    constat_failure_fn fail;
    void *fctx;
    size_t failures;
    uint64_t expect;
    constat_merkle_builder b;
    uint8_t tile[TILE_BYTES];
    unsigned tile_width;
    uint64_t tile_n;
    int tile_state; /* 0 none, 1 loaded, -1 missing */
    stored_cp *cps;
    size_t ncps, cpi, capcps;
    enrolled *mons;
    size_t nmons, capmons;
    constat_status fatal;
    constat_error *err;
    const constat_store_leaf *cur; /* the leaf being checked, named in its failures */
    constat_keychain orgs; /* the organisation keys in force (keyrot.h) */
    constat_keychain logs; /* the log keys in force (keyrot.h "log key") */
    json_t *bindable;      /* records with person commitments (binding.h) */
    json_t *owners;        /* incident and evidence ids -> their monitor */
} verify_ctx;

static void report(verify_ctx *c, int64_t idx, const char *fmt, ...) CONSTAT_PRINTF(3, 4);
static void report(verify_ctx *c, int64_t idx, const char *fmt, ...)
{
    char msg[CONSTAT_ERROR_MSG_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->failures++;
    if (c->fail && c->cur && idx == (int64_t)c->cur->idx) {
        char named[sizeof msg + 200];
        snprintf(named, sizeof named, "leaf %lld (record %.128s): %s", (long long)idx,
                 c->cur->record_id ? c->cur->record_id : "?", msg);
        c->fail(c->fctx, idx, named);
    } else if (c->fail) {
        c->fail(c->fctx, idx, msg);
    }
}

static int collect_cp(void *ctx, uint64_t size, const char *note, size_t len)
{
    verify_ctx *c = ctx;
    if (c->ncps == c->capcps) {
        size_t nc = c->capcps ? c->capcps * 2 : 16;
        stored_cp *p = realloc(c->cps, nc * sizeof *p);
        if (!p)
            goto oom;
        c->cps = p;
        c->capcps = nc;
    }
    c->cps[c->ncps].note = malloc(len + 1);
    if (!c->cps[c->ncps].note)
        goto oom;
    memcpy(c->cps[c->ncps].note, note, len);
    c->cps[c->ncps].note[len] = '\0';
    c->cps[c->ncps].len = len;
    c->cps[c->ncps].size = size;
    c->ncps++;
    return 0;
oom:
    c->fatal = nomem(c->err);
    return 1;
}

/* A checkpoint that does not open with the log key in force at its size:
 * the key of the chain it does carry a valid signature by, if any, named
 * with the transition (keychain.h), else the note's own error. */
static void report_cp_key(verify_ctx *c, const stored_cp *cp, const constat_key_era *in,
                          constat_note *note, const constat_error *e)
{
    char why[CONSTAT_ERROR_MSG_MAX + 400];
    constat_error oe;
    for (size_t i = 0; i < c->logs.n; i++) {
        const constat_key_era *by = &c->logs.k[i];
        if (by == in)
            continue;
        constat_error_clear(&oe);
        if (constat_note_open(cp->note, cp->len, &by->ver, 1, note, &oe) == CONSTAT_OK) {
            constat_keychain_size_fault(&c->logs, by, cp->size, why, sizeof why);
            report(c, -1, "checkpoint of size %llu: %s", (unsigned long long)cp->size, why);
            return;
        }
    }
    report(c, -1, "checkpoint of size %llu: log key %s: signature: %s",
           (unsigned long long)cp->size, in->key_id, e->msg);
}

static void check_cp(verify_ctx *c, const stored_cp *cp, const uint8_t root[32])
{
    constat_note *note = malloc(sizeof *note);
    const constat_key_era *in = constat_keychain_for_size(&c->logs, cp->size);
    constat_checkpoint body;
    constat_error e;

    if (!note) {
        c->fatal = nomem(c->err);
        return;
    }
    constat_error_clear(&e);
    if (constat_note_open(cp->note, cp->len, &in->ver, 1, note, &e) != CONSTAT_OK) {
        report_cp_key(c, cp, in, note, &e);
    } else if (constat_checkpoint_parse(cp->note, note->text_len, &body, &e) != CONSTAT_OK) {
        report(c, -1, "checkpoint of size %llu: %s", (unsigned long long)cp->size, e.msg);
    } else {
        if (strcmp(body.origin, c->v->origin) != 0)
            report(c, -1, "checkpoint of size %llu: origin \"%s\" is not the log's",
                   (unsigned long long)cp->size, body.origin);
        if (body.size != cp->size)
            report(c, -1, "checkpoint stored under size %llu says size %llu",
                   (unsigned long long)cp->size, (unsigned long long)body.size);
        else if (root && sodium_memcmp(body.root, root, 32) != 0)
            report(c, -1, "checkpoint of size %llu: root differs from the leaves",
                   (unsigned long long)cp->size);
    }
    free(note);
}

static void check_cps_at(verify_ctx *c, uint64_t size)
{
    uint8_t root[32];
    while (c->cpi < c->ncps && c->cps[c->cpi].size <= size) {
        if (c->cps[c->cpi].size == size) {
            constat_merkle_builder_root(&c->b, root);
            check_cp(c, &c->cps[c->cpi], root);
        }
        c->cpi++;
    }
}

static enrolled *find_monitor(verify_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nmons; i++)
        if (strcmp(c->mons[i].name, name) == 0)
            return &c->mons[i];
    return NULL;
}

static const char *str_field(const json_t *rec, const char *key)
{
    const json_t *f = json_object_get(rec, key);
    return json_is_string(f) ? json_string_value(f) : NULL;
}

/* The key of monitor `name` whose key id is `kid`: its enrolment's or a
 * rotation's logged before the leaf being checked (docs/vault.md "Rotation"). */
static enrolled *find_monitor_key(verify_ctx *c, const char *name, const char *kid)
{
    char k[CONSTAT_KEY_NAME_MAX + 16];
    for (size_t i = 0; i < c->nmons; i++) {
        if (strcmp(c->mons[i].name, name) != 0)
            continue;
        constat_record_key_id(&c->mons[i].ver, k, sizeof k);
        if (strcmp(k, kid) == 0)
            return &c->mons[i];
    }
    return NULL;
}

/* An organisation-signed leaf: checked against the organisation key in
 * force at it (keyrot.h); 0 if it verifies, else reported naming `what`. */
static int check_org(verify_ctx *c, int64_t idx, const constat_leaf *l, const char *what)
{
    const constat_key_era *in = constat_keychain_at(&c->orgs, (uint64_t)idx);
    const constat_key_era *by = constat_keychain_find(&c->orgs, l->key_id);
    constat_error e;

    constat_error_clear(&e);
    if (constat_leaf_verify(l, &in->ver, &e) == CONSTAT_OK)
        return 0;
    if (by && by != in)
        report(c, idx, "%s signed by the organisation key %s, but %s is in force at this leaf "
               "(key transition at leaf %lld): %s", what, l->key_id, in->key_id,
               (long long)(by->from > in->from ? by->transition : in->transition), e.msg);
    else
        report(c, idx, "%s not signed by the organisation key: %s", what, e.msg);
    return 1;
}

/* Only the monitor who recorded an incident or evidence record amends it
 * (docs/record.md "Corrections and retractions"): a correction, retraction
 * or monitor-signed erasure by another monitor fails, naming both; the
 * figures do not apply it (constat_records_effective). Notes the monitor
 * of each incident and evidence record for the leaves after it. */
static void check_owner(verify_ctx *c, int64_t idx, const json_t *rec, const char *kind,
                        const char *monitor)
{
    const char *id = str_field(rec, "id"), *t = NULL, *owner, *rmon = monitor;

    if (!kind || !monitor)
        return;
    if ((strcmp(kind, "incident") == 0 || strcmp(kind, "evidence") == 0) && id) {
        if (!json_object_get(c->owners, id) &&
            json_object_set_new(c->owners, id, json_string(monitor)))
            c->fatal = nomem(c->err);
        return;
    }
    if (strcmp(kind, "correction") == 0) {
        t = str_field(rec, "corrects");
        rmon = str_field(json_object_get(rec, "replacement"), "monitor");
    } else if (strcmp(kind, "retraction") == 0)
        t = str_field(rec, "retracts");
    else if (strcmp(kind, "erasure") == 0)
        t = str_field(rec, "erases");
    owner = t ? json_string_value(json_object_get(c->owners, t)) : NULL;
    if (!owner)
        return;
    if (strcmp(owner, monitor) != 0)
        report(c, idx, "%s of record \"%s\" by monitor \"%s\": it was recorded by monitor "
               "\"%s\", who alone amends it (not applied)", kind, t, monitor, owner);
    else if (!rmon || strcmp(owner, rmon) != 0)
        report(c, idx, "correction of record \"%s\": replacement.monitor \"%s\" is not its "
               "monitor \"%s\" (not applied)", t, rmon ? rmon : "(none)", owner);
}

static void check_signature(verify_ctx *c, int64_t idx, const constat_leaf *l,
                            const char *kind)
{
    constat_error e;
    const char *monitor = str_field(l->record, "monitor");

    constat_error_clear(&e);
    if (kind && strcmp(kind, "revocation") == 0) { /* keylife.c applies it */
        (void)check_org(c, idx, l, "revocation");
        return;
    }
    if (kind && strcmp(kind, "key_transition") == 0)
        return; /* constat_vault_org_chain checks it (keyrot.c) */
    if (kind && (strcmp(kind, "monitor_enrolment") == 0 ||
                 strcmp(kind, "monitor_rotation") == 0)) {
        const char *vkey = str_field(l->record, "vkey");
        const char *retires = str_field(l->record, "retires");
        int rotation = strcmp(kind, "monitor_rotation") == 0;
        constat_note_verifier ver;
        if (check_org(c, idx, l, rotation ? "rotation" : "enrolment"))
            return;
        if (!monitor || !vkey) {
            report(c, idx, "enrolment without monitor or vkey");
            return;
        }
        if (constat_note_verifier_parse(vkey, &ver, &e) != CONSTAT_OK) {
            report(c, idx, "enrolment vkey: %s", e.msg);
            return;
        }
        if (strcmp(ver.name, monitor) != 0 || ver.alg != CONSTAT_NOTE_ALG_ED25519) {
            report(c, idx, "enrolment vkey is not an Ed25519 key named \"%s\"", monitor);
            return;
        }
        if (!rotation && find_monitor(c, monitor)) {
            report(c, idx, "monitor \"%s\" is enrolled a second time", monitor);
            return;
        }
        if (rotation && (!retires || !find_monitor_key(c, monitor, retires))) {
            report(c, idx, "rotation retires %s, not a key of monitor \"%s\" before this leaf",
                   retires ? retires : "no key", monitor);
            return;
        }
        if (c->nmons == c->capmons) {
            size_t nc = c->capmons ? c->capmons * 2 : 16;
            enrolled *p = realloc(c->mons, nc * sizeof *p);
            if (!p) {
                c->fatal = nomem(c->err);
                return;
            }
            c->mons = p;
            c->capmons = nc;
        }
        snprintf(c->mons[c->nmons].name, sizeof c->mons[c->nmons].name, "%s", monitor);
        c->mons[c->nmons].ver = ver;
        c->mons[c->nmons].idx = (uint64_t)idx;
        c->nmons++;
        return;
    }
    if (kind && strcmp(kind, "erasure") == 0) {
        /* the coordinator erases, with the organisation key (docs/vault.md "Erasure");
         * an erasure signed by a monitor's key is checked below as a record */
        if (constat_keychain_find(&c->orgs, l->key_id)) {
            (void)check_org(c, idx, l, "erasure");
            return;
        }
    }
    if (kind && strcmp(kind, "register") == 0) {
        /* register entries are the organisation's (docs/record.md "register") */
        (void)check_org(c, idx, l, "register entry");
        return;
    }
    if (kind && strcmp(kind, "pseudonym_binding") == 0) {
        /* the organisation's pseudonyms of a record signed offline */
        if (!check_org(c, idx, l, "pseudonym binding") &&
            constat_binding_seen(c->bindable, l->record, &e) != CONSTAT_OK)
            report(c, idx, "pseudonym binding %s", e.msg);
        return;
    }
    if (c->cur) { /* a record a binding may name later */
        uint8_t lh[32];
        constat_merkle_leaf_hash(c->cur->leaf, c->cur->len, lh);
        if (constat_binding_note(c->bindable, l->record, lh, &e) != CONSTAT_OK)
            c->fatal = nomem(c->err);
    }
    check_owner(c, idx, l->record, kind, monitor);
    {
        const enrolled *m = monitor ? find_monitor(c, monitor) : NULL;
        if (m && !(m = find_monitor_key(c, monitor, l->key_id))) {
            report(c, idx, "signed by key %s, not a key enrolled or rotated in for monitor "
                   "\"%s\" before this leaf", l->key_id, monitor);
        } else if (!monitor) {
            report(c, idx, "record names no monitor");
        } else if (!m) {
            report(c, idx, "monitor \"%s\" is not enrolled before this leaf", monitor);
        } else if (constat_leaf_verify(l, &m->ver, &e) != CONSTAT_OK) {
            report(c, idx, "signature by monitor \"%s\": %s", monitor, e.msg);
        }
    }
}

static int verify_leaf_checks(verify_ctx *c, const constat_store_leaf *row);

static int verify_leaf(void *ctx, const constat_store_leaf *row)
{
    verify_ctx *c = ctx;
    int r;
    if (row->idx != c->expect) {
        report(c, (int64_t)c->expect, "leaves %llu to %llu are missing",
               (unsigned long long)c->expect, (unsigned long long)row->idx - 1);
        c->fatal = CONSTAT_EVERIFY; /* the tree is broken beyond per-leaf checks */
        return 1;
    }
    c->cur = row;
    r = verify_leaf_checks(c, row);
    c->cur = NULL;
    return r;
}

static int verify_leaf_checks(verify_ctx *c, const constat_store_leaf *row)
{
    int64_t idx = (int64_t)row->idx;
    uint8_t lh[32];
    constat_leaf l;
    constat_error e;
    uint64_t n = row->idx / CONSTAT_TILE_WIDTH;
    unsigned pos = (unsigned)(row->idx % CONSTAT_TILE_WIDTH);

    c->expect++;
    constat_merkle_leaf_hash(row->leaf, row->len, lh);
    if (constat_merkle_builder_append(&c->b, lh, NULL, NULL, c->err) != CONSTAT_OK) {
        c->fatal = c->err ? c->err->code : CONSTAT_EINTERNAL;
        return 1;
    }
    if (c->tile_state == 0 || c->tile_n != n) {
        constat_error te;
        constat_status st = constat_store_tile_get(c->v->store, 0, n, c->tile, &c->tile_width,
                                                   &te);
        c->tile_n = n;
        if (st == CONSTAT_ENOTFOUND || st == CONSTAT_EIO) {
            c->tile_state = -1; /* reported by the tile pass */
        } else if (st != CONSTAT_OK) {
            c->fatal = constat_error_set(c->err, st, "%s", te.msg);
            return 1;
        } else {
            c->tile_state = 1;
        }
    }
    if (c->tile_state == 1) {
        if (pos >= c->tile_width)
            report(c, idx, "leaf is beyond tile 0/%llu (width %u)", (unsigned long long)n,
                   c->tile_width);
        else if (sodium_memcmp(c->tile + (size_t)pos * 32, lh, 32) != 0)
            report(c, idx, "leaf hash differs from tile 0/%llu entry %u", (unsigned long long)n,
                   pos);
    }
    check_cps_at(c, c->b.size);

    constat_error_clear(&e);
    if (constat_leaf_parse(row->leaf, row->len, &l, &e) != CONSTAT_OK) {
        report(c, idx, "leaf does not parse: %s", e.msg);
        return c->fatal != CONSTAT_OK;
    }
    {
        const char *id = str_field(l.record, "id");
        const char *kind = str_field(l.record, "kind");
        const char *org = str_field(l.record, "org");
        uint8_t ch[32];
        if (!id || strcmp(id, row->record_id) != 0)
            report(c, idx, "record id \"%s\" in the leaf, \"%s\" in the index", id ? id : "",
                   row->record_id);
        if (!kind || strcmp(kind, row->kind) != 0)
            report(c, idx, "kind \"%s\" in the leaf, \"%s\" in the index", kind ? kind : "",
                   row->kind);
        if (org && strcmp(org, c->v->org) != 0)
            report(c, idx, "record of organisation \"%s\", not \"%s\"", org, c->v->org);
        constat_error_clear(&e);
        if (constat_record_content_hash(l.record, ch, &e) != CONSTAT_OK)
            report(c, idx, "content hash: %s", e.msg);
        else if (!row->content_hash || memcmp(ch, row->content_hash, 32) != 0)
            report(c, idx, "content hash in the index differs from the record's");
        check_signature(c, idx, &l, kind);
    }
    constat_leaf_free(&l);
    return c->fatal != CONSTAT_OK;
}

static void verify_tiles(verify_ctx *c, uint64_t size)
{
    uint8_t *h = malloc(TILE_BYTES), *child = malloc(TILE_BYTES);
    uint64_t expected = 0, stored = 0;

    if (!h || !child) {
        c->fatal = nomem(c->err);
        goto out;
    }
    for (unsigned lvl = 0; lvl < TILE_LEVELS; lvl++) {
        uint64_t m = size >> (8 * lvl);
        uint64_t ntiles = (m + CONSTAT_TILE_WIDTH - 1) / CONSTAT_TILE_WIDTH;
        if (m == 0)
            break;
        expected += ntiles;
        for (uint64_t n = 0; n < ntiles; n++) {
            uint64_t left = m - n * CONSTAT_TILE_WIDTH;
            unsigned want = left >= CONSTAT_TILE_WIDTH ? CONSTAT_TILE_WIDTH : (unsigned)left;
            int64_t first_leaf = (int64_t)((n * CONSTAT_TILE_WIDTH) << (8 * lvl));
            unsigned w = 0;
            constat_error e;
            constat_status st;
            constat_error_clear(&e);
            st = constat_store_tile_get(c->v->store, lvl, n, h, &w, &e);
            if (st == CONSTAT_ENOTFOUND || st == CONSTAT_EIO) {
                report(c, first_leaf, "tile %u/%llu: %s", lvl, (unsigned long long)n, e.msg);
                continue;
            }
            if (st != CONSTAT_OK) {
                c->fatal = constat_error_set(c->err, st, "%s", e.msg);
                goto out;
            }
            if (w != want)
                report(c, first_leaf, "tile %u/%llu has width %u, the tree needs %u", lvl,
                       (unsigned long long)n, w, want);
            if (lvl == 0)
                continue; /* level 0 was compared with the leaves */
            for (unsigned j = 0; j < w && j < want; j++) {
                uint64_t cn = n * CONSTAT_TILE_WIDTH + j;
                unsigned cw = 0;
                uint8_t r[32];
                constat_error_clear(&e);
                if (constat_store_tile_get(c->v->store, lvl - 1, cn, child, &cw, &e) !=
                        CONSTAT_OK ||
                    cw != CONSTAT_TILE_WIDTH) {
                    /* reported when level lvl - 1 was checked */
                    continue;
                }
                constat_tile_subtree_root(child, CONSTAT_TILE_WIDTH, r);
                if (sodium_memcmp(r, h + (size_t)j * 32, 32) != 0)
                    report(c, (int64_t)(cn << (8 * lvl)),
                           "tile %u/%llu entry %u differs from the root of tile %u/%llu", lvl,
                           (unsigned long long)n, j, lvl - 1, (unsigned long long)cn);
            }
        }
    }
    if (constat_store_tile_count(c->v->store, &stored, c->err) != CONSTAT_OK) {
        c->fatal = c->err ? c->err->code : CONSTAT_EIO;
        goto out;
    }
    if (stored != expected)
        report(c, -1, "%llu tiles stored, a tree of %llu leaves has %llu",
               (unsigned long long)stored, (unsigned long long)size,
               (unsigned long long)expected);
out:
    free(h);
    free(child);
}

static int check_monitor_row(void *ctx, const char *name, const char *vkey, uint64_t idx)
{
    verify_ctx *c = ctx;
    const enrolled *m = find_monitor(c, name);
    char vk[512];
    if (!m) {
        report(c, (int64_t)idx, "monitor \"%s\" is listed but has no valid enrolment in the log",
               name);
    } else if (constat_note_verifier_format(&m->ver, vk, sizeof vk) != CONSTAT_OK ||
               strcmp(vk, vkey) != 0 || m->idx != idx) {
        report(c, (int64_t)idx, "monitor \"%s\": the monitors table differs from its "
               "enrolment at leaf %llu", name, (unsigned long long)m->idx);
    }
    return 0;
}

static void chain_report(void *ctx, int64_t index, const char *msg)
{
    (void)index; /* the message names the leaf */
    report(ctx, -1, "%s", msg);
}

static int chain_leaf(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    verify_ctx *c = ctx;
    size_t bad = 0;
    c->fatal = constat_keychain_feed(&c->orgs, index, leaf, len, NULL, NULL, &bad, c->err);
    if (c->fatal == CONSTAT_OK)
        c->fatal = constat_keychain_feed(&c->logs, index, leaf, len, chain_report, c, &bad,
                                         c->err);
    return c->fatal != CONSTAT_OK;
}

/* The organisation keys in force at each leaf (keychain.h), silently: the
 * check of keylife.h reports the transitions that fail; and the log keys
 * that sign the checkpoints of each size, whose failing transitions are
 * reported here. */
static constat_status org_chain(verify_ctx *c, uint64_t size, constat_error *err)
{
    size_t bad = 0;
    constat_status st;
    constat_keychain_init(&c->orgs);
    constat_keychain_init_log(&c->logs);
    st = constat_vault_leaves(c->v, 0, size, chain_leaf, c, err);
    if (st == CONSTAT_OK)
        st = c->fatal;
    if (st == CONSTAT_OK) {
        constat_keychain_finish(&c->orgs, &c->v->sec->org.pub, NULL, NULL, &bad);
        constat_keychain_finish(&c->logs, &c->v->sec->log.pub, chain_report, c, &bad);
    }
    return st;
}

constat_status constat_vault_verify(constat_vault *v, constat_failure_fn fail, void *ctx,
                                    constat_error *err)
{
    verify_ctx *c = calloc(1, sizeof *c);
    uint64_t size;
    uint8_t from_leaves[32], from_tiles[32];
    constat_status st;

    if (!c)
        return nomem(err);
    c->v = v;
    c->fail = fail;
    c->fctx = ctx;
    c->err = err;
    if (!(c->bindable = json_object()) || !(c->owners = json_object())) {
        json_decref(c->bindable);
        free(c);
        return nomem(err);
    }
    st = constat_store_size(v->store, &size, err);
    if (st == CONSTAT_OK) /* its failures are reported by keylife.h's check */
        st = org_chain(c, size, err);
    if (st == CONSTAT_OK)
        st = constat_merkle_builder_init(&c->b, 0, NULL, NULL, err);
    if (st == CONSTAT_OK)
        st = constat_store_checkpoints(v->store, collect_cp, c, err);
    if (st == CONSTAT_OK)
        st = c->fatal;
    if (st == CONSTAT_OK) {
        check_cps_at(c, 0);
        st = constat_store_leaves(v->store, 0, size, verify_leaf, c, err);
        if (st == CONSTAT_OK && c->fatal != CONSTAT_OK && c->fatal != CONSTAT_EVERIFY)
            st = c->fatal;
    }
    if (st == CONSTAT_OK && c->fatal == CONSTAT_OK) {
        for (; c->cpi < c->ncps; c->cpi++)
            report(c, -1, "checkpoint of size %llu is beyond the tree (%llu leaves)",
                   (unsigned long long)c->cps[c->cpi].size, (unsigned long long)size);
        verify_tiles(c, size);
        st = c->fatal;
    }
    if (st == CONSTAT_OK) {
        constat_error e;
        constat_merkle_builder_root(&c->b, from_leaves);
        constat_error_clear(&e);
        cache_invalidate(v);
        if (constat_merkle_root(tile_reader, v, size, from_tiles, &e) != CONSTAT_OK)
            report(c, -1, "root from tiles: %s", e.msg);
        else if (sodium_memcmp(from_leaves, from_tiles, 32) != 0)
            report(c, -1, "root from tiles differs from the root of the leaves");
        st = constat_store_monitors(v->store, check_monitor_row, c, err);
    }

    if (st == CONSTAT_OK && (c->failures > 0 || c->fatal == CONSTAT_EVERIFY))
        st = constat_error_set(err, CONSTAT_EVERIFY, "%zu verification failure%s in %s",
                               c->failures, c->failures == 1 ? "" : "s", v->dir);
    for (size_t i = 0; i < c->ncps; i++)
        free(c->cps[i].note);
    free(c->cps);
    free(c->mons);
    json_decref(c->bindable);
    json_decref(c->owners);
    free(c);
    return st;
}
