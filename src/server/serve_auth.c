/*
 * serve_auth.c — sessions, CSRF tokens and the login rate limit of
 * `constat serve`.
 *
 * Sessions live in this process's memory only: a restart logs everyone out,
 * and a copy of the vault holds no live session. The cookie carries a random
 * 256-bit token; what the server keeps is the SHA-256 of it, so a memory
 * dump of the table does not give working cookies. The CSRF token is a
 * second random value the client got in the login answer (JSON, not a
 * cookie) and must echo in X-CSRF-Token on every state-changing request: a
 * page of another origin can make the browser send the cookie, not read
 * the token. Times are CLOCK_MONOTONIC, immune to clock changes.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "constat/base/hash.h"
#include "serve.h"

#define MAX_SESSIONS 4096
#define MAX_LIMITS 1024

typedef struct {
    uint8_t token_hash[32];
    serve_session s;
    int64_t created, used;
    int live;
} slot;

typedef struct {
    char key[CONSTAT_KEY_NAME_MAX + 8]; /* "a:" account or "i:" address */
    int64_t window_start;
    unsigned fails;
} limit;

struct serve_sessions {
    pthread_mutex_t mu;
    slot slots[MAX_SESSIONS];
    limit limits[MAX_LIMITS];
};

static int64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

serve_sessions *serve_sessions_new(void)
{
    serve_sessions *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

void serve_sessions_free(serve_sessions *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    sodium_memzero(s, sizeof *s);
    free(s);
}

static int expired(const serve_ctx *ctx, const slot *sl, int64_t now)
{
    return !sl->live || now - sl->used > SERVE_IDLE(ctx) || now - sl->created > SERVE_MAX(ctx);
}

static void cookie(serve_ctx *ctx, serve_reply *rp, const char *value, int max_age)
{
    snprintf(rp->set_cookie, sizeof rp->set_cookie,
             "constat_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", value,
             max_age, ctx->tls ? "; Secure" : "");
}

int serve_session_open(serve_ctx *ctx, const char *account, const char *role,
                       serve_reply *rp, serve_session *out)
{
    serve_sessions *ss = ctx->sessions;
    uint8_t tok[32], csrf[32];
    char hex[65];
    int64_t now = mono();
    slot *free_slot = NULL;

    randombytes_buf(tok, sizeof tok);
    randombytes_buf(csrf, sizeof csrf);
    pthread_mutex_lock(&ss->mu);
    for (size_t i = 0; i < MAX_SESSIONS && !free_slot; i++)
        if (expired(ctx, &ss->slots[i], now))
            free_slot = &ss->slots[i];
    if (free_slot) {
        memset(free_slot, 0, sizeof *free_slot);
        constat_sha256(tok, sizeof tok, free_slot->token_hash);
        snprintf(free_slot->s.account, sizeof free_slot->s.account, "%s", account);
        snprintf(free_slot->s.role, sizeof free_slot->s.role, "%s", role);
        constat_hex(csrf, sizeof csrf, free_slot->s.csrf);
        free_slot->created = free_slot->used = now;
        free_slot->live = 1;
        *out = free_slot->s;
    }
    pthread_mutex_unlock(&ss->mu);
    if (!free_slot)
        return -1;
    constat_hex(tok, sizeof tok, hex);
    cookie(ctx, rp, hex, (int)SERVE_MAX(ctx));
    sodium_memzero(tok, sizeof tok);
    sodium_memzero(hex, sizeof hex);
    return 0;
}

static slot *find(const serve_ctx *ctx, serve_sessions *ss, const char *cookie_value,
                  int64_t now)
{
    uint8_t tok[32], h[32];
    if (!cookie_value || strlen(cookie_value) != 64 ||
        constat_unhex(cookie_value, tok, sizeof tok) != CONSTAT_OK)
        return NULL;
    constat_sha256(tok, sizeof tok, h);
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        slot *sl = &ss->slots[i];
        if (sl->live && sodium_memcmp(sl->token_hash, h, 32) == 0)
            return expired(ctx, sl, now) ? NULL : sl;
    }
    return NULL;
}

int serve_session_get(serve_ctx *ctx, const char *cookie_value, serve_session *out)
{
    serve_sessions *ss = ctx->sessions;
    int64_t now = mono();
    slot *sl;
    int r = -1;
    pthread_mutex_lock(&ss->mu);
    sl = find(ctx, ss, cookie_value, now);
    if (sl) {
        sl->used = now;
        *out = sl->s;
        r = 0;
    }
    pthread_mutex_unlock(&ss->mu);
    return r;
}

void serve_session_close(serve_ctx *ctx, const char *cookie_value, serve_reply *rp)
{
    serve_sessions *ss = ctx->sessions;
    slot *sl;
    pthread_mutex_lock(&ss->mu);
    sl = find(ctx, ss, cookie_value, mono());
    if (sl)
        memset(sl, 0, sizeof *sl);
    pthread_mutex_unlock(&ss->mu);
    cookie(ctx, rp, "", 0);
}

void serve_session_drop_account(serve_ctx *ctx, const char *account)
{
    serve_sessions *ss = ctx->sessions;
    pthread_mutex_lock(&ss->mu);
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (ss->slots[i].live && strcmp(ss->slots[i].s.account, account) == 0)
            memset(&ss->slots[i], 0, sizeof ss->slots[i]);
    pthread_mutex_unlock(&ss->mu);
}

/* The entry of `key`, made if missing (the oldest window is reused when
 * the table is full). Called with the mutex held. */
static limit *limit_of(serve_sessions *ss, const char *key, int64_t now)
{
    limit *oldest = &ss->limits[0];
    for (size_t i = 0; i < MAX_LIMITS; i++) {
        limit *l = &ss->limits[i];
        if (l->key[0] && strcmp(l->key, key) == 0) {
            if (now - l->window_start >= SERVE_LOGIN_WINDOW) {
                l->window_start = now;
                l->fails = 0;
            }
            return l;
        }
        if (!l->key[0] || l->window_start < oldest->window_start)
            oldest = l;
    }
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->key, sizeof oldest->key, "%s", key);
    oldest->window_start = now;
    return oldest;
}

static unsigned wait_of(const limit *l, unsigned max, int64_t now)
{
    if (l->fails < max)
        return 0;
    return (unsigned)(SERVE_LOGIN_WINDOW - (now - l->window_start));
}

unsigned serve_login_wait(serve_ctx *ctx, const char *account, const char *address)
{
    serve_sessions *ss = ctx->sessions;
    char ka[CONSTAT_KEY_NAME_MAX + 8], ki[CONSTAT_KEY_NAME_MAX + 8];
    int64_t now = mono();
    unsigned a, i;
    snprintf(ka, sizeof ka, "a:%s", account);
    snprintf(ki, sizeof ki, "i:%s", address);
    pthread_mutex_lock(&ss->mu);
    a = wait_of(limit_of(ss, ka, now), SERVE_LOGIN_FAILS, now);
    i = wait_of(limit_of(ss, ki, now), SERVE_LOGIN_FAILS_ADDRESS, now);
    pthread_mutex_unlock(&ss->mu);
    return a > i ? a : i;
}

void serve_login_result(serve_ctx *ctx, const char *account, const char *address, int ok)
{
    serve_sessions *ss = ctx->sessions;
    char ka[CONSTAT_KEY_NAME_MAX + 8], ki[CONSTAT_KEY_NAME_MAX + 8];
    int64_t now = mono();
    limit *la, *li;
    snprintf(ka, sizeof ka, "a:%s", account);
    snprintf(ki, sizeof ki, "i:%s", address);
    pthread_mutex_lock(&ss->mu);
    la = limit_of(ss, ka, now);
    if (ok) {
        la->fails = 0; /* the address keeps its count: one address, many names */
    } else {
        la->fails++;
        li = limit_of(ss, ki, now);
        li->fails++;
    }
    pthread_mutex_unlock(&ss->mu);
}
