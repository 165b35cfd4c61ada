/*
 * serve_cache.c — what every request of `constat serve` would otherwise
 * read from the vault under its lock: an account's role and whether it is
 * disabled (checked on every authenticated request), and a monitor's
 * enrolled key (checked on every submission). Entries live at most
 * SERVE_CACHE_TTL_MS, so that an account disabled or a key revoked by the
 * CLI (another process) is seen within that time; what this server itself
 * changes (disable, enrolment) drops the entry at once.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "constat/vault/accounts.h"
#include "serve.h"

#define CACHE_SLOTS 512 /* accounts of a coalition: ~20 associations */

typedef struct {
    char name[CONSTAT_KEY_NAME_MAX + 1];
    int64_t role_at, key_at; /* ms, monotonic; 0: not cached */
    char role[16];
    int disabled;
    constat_note_verifier key;
} slot;

struct serve_cache {
    pthread_mutex_t mu;
    slot s[CACHE_SLOTS];
    size_t next; /* the slot replaced when all are used */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

serve_cache *serve_cache_new(void)
{
    serve_cache *c = calloc(1, sizeof *c);
    if (c)
        pthread_mutex_init(&c->mu, NULL);
    return c;
}

void serve_cache_free(serve_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The slot of `name`, or a fresh one for it (mu held). */
static slot *find(serve_cache *c, const char *name, int make)
{
    slot *free_slot = NULL;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (c->s[i].name[0] && strcmp(c->s[i].name, name) == 0)
            return &c->s[i];
        if (!c->s[i].name[0] && !free_slot)
            free_slot = &c->s[i];
    }
    if (!make || strlen(name) > CONSTAT_KEY_NAME_MAX)
        return NULL;
    if (!free_slot) {
        free_slot = &c->s[c->next];
        c->next = (c->next + 1) % CACHE_SLOTS;
    }
    memset(free_slot, 0, sizeof *free_slot);
    snprintf(free_slot->name, sizeof free_slot->name, "%s", name);
    return free_slot;
}

static int fresh(int64_t at, int64_t now)
{
    return at != 0 && now - at < SERVE_CACHE_TTL_MS;
}

/* A copy of name's entry if its role (key 0) or key (key 1) is fresh. */
static int cached(serve_cache *c, const char *name, int key, int64_t now, slot *out)
{
    slot *e;
    int hit = 0;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->mu);
    e = find(c, name, 0);
    if (e && fresh(key ? e->key_at : e->role_at, now)) {
        *out = *e;
        hit = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

/* Keep the role (key 0) or the key (key 1) of `from` for name, read at now. */
static void keep(serve_cache *c, const char *name, int key, int64_t now, const slot *from)
{
    slot *e;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    if ((e = find(c, name, 1))) {
        if (key) {
            e->key = from->key;
            e->key_at = now;
        } else {
            memcpy(e->role, from->role, 16);
            e->disabled = from->disabled;
            e->role_at = now;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

constat_status serve_cache_role(serve_ctx *ctx, const char *account, char role[16],
                                int *disabled, constat_error *err)
{
    serve_cache *c = ctx->cache;
    int64_t now = now_ms();
    constat_status st;
    slot e;

    if (cached(c, account, 0, now, &e)) {
        memcpy(role, e.role, 16);
        *disabled = e.disabled;
        return CONSTAT_OK;
    }
    pthread_mutex_lock(&ctx->lock);
    st = constat_account_role(ctx->vault, account, role, disabled, err);
    pthread_mutex_unlock(&ctx->lock);
    if (st == CONSTAT_OK) {
        memcpy(e.role, role, 16);
        e.disabled = *disabled;
        keep(c, account, 0, now, &e);
    }
    return st;
}

typedef struct {
    const char *name;
    char vkey[512];
    int found;
} find_key;

static int find_key_cb(void *arg, const char *name, const char *vkey, uint64_t idx)
{
    find_key *f = arg;
    (void)idx;
    if (strcmp(name, f->name) != 0)
        return 0;
    snprintf(f->vkey, sizeof f->vkey, "%s", vkey);
    f->found = 1;
    return 1;
}

constat_status serve_cache_monitor_key(serve_ctx *ctx, const char *name,
                                       constat_note_verifier *out, constat_error *err)
{
    serve_cache *c = ctx->cache;
    int64_t now = now_ms();
    constat_status st;
    find_key fk;
    slot e;

    if (cached(c, name, 1, now, &e)) {
        *out = e.key;
        return CONSTAT_OK;
    }
    memset(&fk, 0, sizeof fk);
    fk.name = name;
    pthread_mutex_lock(&ctx->lock);
    st = constat_vault_monitor_list(ctx->vault, find_key_cb, &fk, err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != CONSTAT_OK)
        return st;
    if (!fk.found)
        return constat_error_set(err, CONSTAT_ENOTFOUND, "monitor \"%s\" has no enrolled key",
                                 name);
    st = constat_note_verifier_parse(fk.vkey, out, err);
    if (st == CONSTAT_OK) { /* only keys found are kept: an enrolment shows at once */
        e.key = *out;
        keep(c, name, 1, now, &e);
    }
    return st;
}

void serve_cache_forget(serve_ctx *ctx, const char *account)
{
    serve_cache *c = ctx->cache;
    slot *e;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    if ((e = find(c, account, 0)))
        memset(e, 0, sizeof *e);
    pthread_mutex_unlock(&c->mu);
}
