/*
 * serve_intake.c — intake batching for `constat serve`, as transparency logs
 * do it: submissions wait in a bounded queue; one thread takes what arrived
 * within a short window (or a full batch), appends it in ONE transaction
 * (one fsync: SQLite WAL with synchronous=FULL), signs one checkpoint for
 * the grown tree, and only then answers each submitter with its receipt.
 * A full queue is refused at once with 503 and Retry-After, so a flood
 * costs the server no memory and a client knows when to come back.
 *
 * Replays: a record whose id is already logged with the same content gets
 * the receipt of the existing leaf (200, no new leaf) with that leaf's bytes
 * in "leaf" (its recorded_at may differ from the replay's); with other
 * content, 409. Two equal submissions in one batch share the first one's
 * leaf. A leaf already logged byte for byte (serve_intake_logged) is
 * queued as it is, without the checks of a new record, and answered here
 * likewise.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "constat/record/record.h"
#include "constat/vault/accounts.h"
#include "constat/vault/intake.h"
#include "constat/vault/append_batch.h"
#include "constat/vault/receipt.h"
#include "serve.h"

typedef struct node {
    serve_submission *sub;
    int done;
    struct node *next;
} node;

struct serve_intake {
    serve_ctx *ctx;
    pthread_mutex_t mu;
    pthread_cond_t more, finished;
    node *head, *tail;
    unsigned queued, queue_max, batch_max, window_us;
    /* the batch being appended (under mu): its incidents are pending too */
    serve_submission **running;
    size_t nrunning;
    int stop;
    pthread_t thread;
};

static void set_error(serve_submission *s, unsigned status, const char *msg)
{
    s->status = status;
    snprintf(s->error, sizeof s->error, "%s", msg);
}

/* The leaf already holding this record id: 1 same content (receipt set),
 * 0 id free, -1 conflict or failure (status set). Vault lock held. */
static int existing(serve_ctx *ctx, serve_submission *s)
{
    constat_error err;
    constat_buf leaf;
    constat_leaf l;
    uint8_t h[32];
    uint64_t idx;
    int r = -1;

    constat_error_clear(&err);
    if (constat_vault_find(ctx->vault, s->item.record_id, &idx, &err) != CONSTAT_OK)
        return 0;
    constat_buf_init(&leaf);
    if (constat_vault_leaf(ctx->vault, idx, &leaf, &err) == CONSTAT_OK &&
        constat_leaf_parse(leaf.data, leaf.len, &l, &err) == CONSTAT_OK) {
        if (constat_record_content_hash(l.record, h, &err) == CONSTAT_OK &&
            memcmp(h, s->item.content_hash, 32) == 0) {
            if (constat_vault_receipt(ctx->vault, idx, s->item.record_id, &s->receipt, &err) ==
                CONSTAT_OK) {
                /* the stored leaf: its recorded_at may differ from the
                 * replayed one, and the client checks the receipt on it */
                json_object_set_new(s->receipt, "leaf",
                                    json_stringn((const char *)leaf.data, leaf.len));
                s->status = 200;
                r = 1;
            } else {
                set_error(s, 500, err.msg);
            }
        } else {
            char msg[CONSTAT_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg,
                     "id: record id \"%.128s\" is already logged at leaf %llu with other "
                     "content (to change it, submit a correction)",
                     s->item.record_id, (unsigned long long)idx);
            set_error(s, 409, msg);
        }
        constat_leaf_free(&l);
    } else {
        set_error(s, 500, err.msg);
    }
    constat_buf_free(&leaf);
    return r;
}

int serve_intake_logged(serve_ctx *ctx, const char *rid, const char *leaf, size_t len)
{
    constat_error err;
    constat_buf stored;
    uint64_t idx;
    int r = 0;

    if (!rid)
        return 0;
    constat_error_clear(&err);
    constat_buf_init(&stored);
    pthread_mutex_lock(&ctx->lock);
    if (constat_vault_find(ctx->vault, rid, &idx, &err) == CONSTAT_OK &&
        constat_vault_leaf(ctx->vault, idx, &stored, &err) == CONSTAT_OK)
        r = stored.len == len && memcmp(stored.data, leaf, len) == 0;
    pthread_mutex_unlock(&ctx->lock);
    constat_buf_free(&stored);
    return r;
}

static void receipt_for(serve_ctx *ctx, serve_submission *s, uint64_t idx, unsigned status)
{
    constat_error err;
    constat_error_clear(&err);
    if (constat_vault_receipt(ctx->vault, idx, s->item.record_id, &s->receipt, &err) ==
        CONSTAT_OK)
        s->status = status;
    else
        set_error(s, 500, err.msg);
}

/* The item at batch position j: a submission's record, or (bind[j]) the
 * pseudonym binding appended right after it. */
static const constat_intake_item *item_at(serve_submission **subs, const size_t *who,
                                          const unsigned char *bind, size_t j)
{
    return bind[j] ? &subs[who[j]]->binding : &subs[who[j]]->item;
}

/* The receipts of a batch appended whole by constat_vault_append_batch,
 * from memory: its checkpoint, and each proof from the tree's edge before
 * the batch and the batch's leaf hashes (no store read); a binding's
 * receipt is not sent (the record's is). */
static void batch_receipts(serve_submission **subs, const size_t *who,
                           const unsigned char *bind, size_t m, const constat_batch_result *r)
{
    const char **ids = calloc(m ? m : 1, sizeof *ids);
    const uint8_t **leaves = calloc(m ? m : 1, sizeof *leaves);
    size_t *lens = calloc(m ? m : 1, sizeof *lens);
    json_t **out = calloc(m ? m : 1, sizeof *out);
    constat_error err;

    constat_error_clear(&err);
    if (!ids || !leaves || !lens || !out) {
        for (size_t j = 0; j < m; j++)
            set_error(subs[who[j]], 500, "out of memory");
    } else {
        for (size_t j = 0; j < m; j++) {
            const constat_intake_item *it = item_at(subs, who, bind, j);
            ids[j] = it->record_id;
            leaves[j] = it->leaf.data;
            lens[j] = it->leaf.len;
        }
        if (constat_batch_receipts(r, ids, leaves, lens, out, &err) != CONSTAT_OK)
            for (size_t j = 0; j < m; j++)
                set_error(subs[who[j]], 500, err.msg);
        else
            for (size_t j = 0; j < m; j++) {
                if (bind[j]) {
                    json_decref(out[j]);
                    continue;
                }
                subs[who[j]]->receipt = out[j];
                subs[who[j]]->status = 201;
            }
    }
    free(ids);
    free(leaves);
    free(lens);
    free(out);
}

static unsigned append_status(constat_status st)
{
    return st == CONSTAT_ECONFLICT ? 409 : st == CONSTAT_EINVAL ? 400 : 500;
}

/* The twin of subs[i] earlier in the batch (same record id), or -1. */
static int twin_of(serve_submission **subs, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(subs[k]->item.record_id, subs[i]->item.record_id) == 0)
            return (int)k;
    return -1;
}

/* The audit line of submission s, answered `status` (200 or 201). */
static constat_audit_entry audit_of(serve_ctx *ctx, const serve_submission *s, unsigned status)
{
    return (constat_audit_entry){ctx->now(), s->account, s->address,
                                 status == 201 ? "record" : "record_replayed",
                                 s->item.record_id};
}

/* Slow path of a batch that could not go in whole (the same content under
 * another id, or a bad item): each item appended on its own, then the audit
 * lines in one more transaction. Vault lock held. */
static void run_one_by_one(serve_ctx *ctx, serve_submission **subs, size_t n,
                           constat_append_item *items, const size_t *who,
                           const unsigned char *bind, size_t m, constat_audit_entry *audit)
{
    size_t na = 0, appended, skipped;
    uint64_t first = 0;
    constat_error err;
    constat_status st;

    for (size_t j = 0; j < m; j++) {
        serve_submission *s = subs[who[j]];
        size_t k = j + 1 < m && bind[j + 1] ? 2 : 1; /* a record with its binding */
        if (bind[j])
            continue;
        constat_error_clear(&err);
        appended = skipped = 0;
        st = constat_vault_append(ctx->vault, &items[j], k, &first, &appended, &skipped, NULL,
                                  NULL, &err);
        if (st != CONSTAT_OK)
            set_error(s, append_status(st), err.msg);
        else if (skipped)
            set_error(s, 409, "the same content is already logged under another record id");
        else
            receipt_for(ctx, s, first, 201);
    }
    for (size_t i = 0; i < n; i++) {
        int k = subs[i]->status == 0 ? twin_of(subs, i) : -1;
        if (k >= 0 && subs[k]->status != 201 && subs[k]->status != 200)
            set_error(subs[i], subs[k]->status, subs[k]->error);
    }
    for (size_t i = 0; i < n; i++)
        if (subs[i]->status == 201 || subs[i]->status == 200 ||
            (subs[i]->status == 0 && twin_of(subs, i) >= 0))
            audit[na++] = audit_of(ctx, subs[i], subs[i]->status == 201 ? 201 : 200);
    constat_error_clear(&err);
    if (na && constat_audit_add_many(ctx->vault, audit, na, &err) != CONSTAT_OK && ctx->log)
        fprintf(ctx->log, "serve: audit not written: %s\n", err.msg);
}

static int is_incident(const serve_submission *s, const char *id)
{
    return s->item.kind && strcmp(s->item.kind, "incident") == 0 && s->item.record_id &&
           strcmp(s->item.record_id, id) == 0;
}

int serve_intake_pending_incident(void *arg, const char *id)
{
    serve_intake *in = arg;
    int r = 0;
    if (!in || !id)
        return 0;
    pthread_mutex_lock(&in->mu);
    for (node *x = in->head; x && !r; x = x->next)
        r = is_incident(x->sub, id);
    for (size_t i = 0; i < in->nrunning && !r; i++)
        r = is_incident(in->running[i], id);
    pthread_mutex_unlock(&in->mu);
    return r;
}

/* The items before this one in the batch being built. */
typedef struct {
    const constat_append_item *items;
    size_t m;
} batch_before;

static int in_batch_before(void *arg, const char *id)
{
    const batch_before *b = arg;
    for (size_t j = 0; j < b->m; j++)
        if (b->items[j].kind && strcmp(b->items[j].kind, "incident") == 0 &&
            b->items[j].record_id && strcmp(b->items[j].record_id, id) == 0)
            return 1;
    return 0;
}

/* An evidence record (or a correction of one) accepted while its incident
 * was queued: that incident must be logged by now or come earlier in this
 * batch (constat_intake_incident_check); 0 it may go in, else status set.
 * Vault lock held. */
static int incident_still_there(serve_ctx *ctx, serve_submission *s,
                                const constat_append_item *items, size_t m)
{
    batch_before b = {items, m};
    constat_error err;
    constat_leaf l;
    constat_status st;

    if (!s->item.kind || (strcmp(s->item.kind, "evidence") != 0 &&
                          strcmp(s->item.kind, "correction") != 0))
        return 0;
    constat_error_clear(&err);
    if (constat_leaf_parse(s->item.leaf.data, s->item.leaf.len, &l, &err) != CONSTAT_OK)
        return 0; /* checked when it was submitted */
    st = constat_intake_incident_check(ctx->vault, l.record, in_batch_before, &b, &err);
    constat_leaf_free(&l);
    if (st == CONSTAT_OK)
        return 0;
    set_error(s, append_status(st), err.msg);
    return -1;
}

/* Append a batch: its leaves, audit lines and checkpoint in ONE durable
 * commit (constat_vault_append_batch), receipts from memory; if it cannot
 * go in whole (one bad item), each item again on its own so that the
 * others still go in. */
static void run_batch(serve_ctx *ctx, serve_submission **subs, size_t n)
{
    constat_append_item *items = calloc(n ? 2 * n : 1, sizeof *items);
    size_t *who = calloc(n ? 2 * n : 1, sizeof *who);
    unsigned char *bind = calloc(n ? 2 * n : 1, 1);
    constat_audit_entry *audit = calloc(n ? n : 1, sizeof *audit);
    size_t m = 0, na = 0;
    constat_batch_result r;
    constat_error err;
    constat_status st;

    constat_buf_init(&r.checkpoint);
    if (!items || !who || !bind || !audit) {
        for (size_t i = 0; i < n; i++)
            set_error(subs[i], 500, "out of memory");
        goto out;
    }
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < n; i++) {
        subs[i]->status = 0;
        if (twin_of(subs, i) >= 0) {
            audit[na++] = audit_of(ctx, subs[i], 200); /* answered from its twin */
            continue;
        }
        if (existing(ctx, subs[i]) != 0) {
            if (subs[i]->status == 200)
                audit[na++] = audit_of(ctx, subs[i], 200);
            continue;
        }
        if (incident_still_there(ctx, subs[i], items, m) != 0)
            continue;
        constat_intake_item_view(&subs[i]->item, &items[m]);
        audit[na++] = audit_of(ctx, subs[i], 201);
        who[m++] = i;
        if (subs[i]->has_binding) { /* in the same batch, right after */
            constat_intake_item_view(&subs[i]->binding, &items[m]);
            bind[m] = 1;
            who[m++] = i;
        }
    }
    constat_error_clear(&err);
    st = constat_vault_append_batch(ctx->vault, items, m, audit, na, 1, &r, &err);
    if (st == CONSTAT_OK && r.appended == m)
        batch_receipts(subs, who, bind, m, &r);
    else if (st == CONSTAT_OK && m)
        for (size_t j = 0; j < m; j++) /* cannot be: whole or nothing */
            set_error(subs[who[j]], 500, "batch appended in part");
    else if (st != CONSTAT_OK)
        run_one_by_one(ctx, subs, n, items, who, bind, m, audit);
    pthread_mutex_unlock(&ctx->lock);
    /* twins get the receipt of the first of them */
    for (size_t i = 0; i < n; i++) {
        int k;
        if (subs[i]->status != 0 || (k = twin_of(subs, i)) < 0)
            continue;
        if (subs[k]->receipt) {
            subs[i]->receipt = json_deep_copy(subs[k]->receipt);
            if (subs[i]->receipt && !json_object_get(subs[i]->receipt, "leaf"))
                json_object_set_new(subs[i]->receipt, "leaf",
                                    json_stringn((const char *)subs[k]->item.leaf.data,
                                                 subs[k]->item.leaf.len));
            subs[i]->status = subs[i]->receipt ? 200 : 500;
        } else {
            set_error(subs[i], subs[k]->status, subs[k]->error);
        }
    }
out:
    constat_buf_free(&r.checkpoint);
    free(items);
    free(who);
    free(bind);
    free(audit);
}

static void *intake_main(void *arg)
{
    serve_intake *in = arg;
    serve_submission **subs = calloc(in->batch_max, sizeof *subs);
    node **nodes = calloc(in->batch_max, sizeof *nodes);

    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&in->mu);
        while (!in->head && !in->stop)
            pthread_cond_wait(&in->more, &in->mu);
        if (!in->head && in->stop) {
            pthread_mutex_unlock(&in->mu);
            break;
        }
        if (in->queued < in->batch_max && in->window_us > 0 && !in->stop) {
            /* a short window for more to arrive: they share the commit */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)in->window_us * 1000;
            ts.tv_sec += ts.tv_nsec / 1000000000;
            ts.tv_nsec %= 1000000000;
            while (in->queued < in->batch_max && !in->stop &&
                   pthread_cond_timedwait(&in->more, &in->mu, &ts) != ETIMEDOUT)
                ;
        }
        while (in->head && n < in->batch_max && subs && nodes) {
            node *x = in->head;
            in->head = x->next;
            if (!in->head)
                in->tail = NULL;
            in->queued--;
            nodes[n] = x;
            subs[n++] = x->sub;
        }
        in->running = subs;
        in->nrunning = n;
        pthread_mutex_unlock(&in->mu);
        if (!subs || !nodes)
            break;
        run_batch(in->ctx, subs, n);
        pthread_mutex_lock(&in->mu);
        in->running = NULL;
        in->nrunning = 0;
        pthread_mutex_unlock(&in->mu);
        /* the deferred ones are answered from here, without a waiting
         * thread; their nodes are freed with them */
        for (size_t i = 0; i < n; i++)
            if (subs[i]->defer) {
                serve_reply rp;
                memset(&rp, 0, sizeof rp);
                constat_buf_init(&rp.body);
                serve_submission_reply(subs[i], &rp);
                serve_http_deferred_done(subs[i]->defer, &rp);
                constat_buf_free(&rp.body);
                serve_submission_free(subs[i]);
                free(nodes[i]);
                nodes[i] = NULL;
            }
        pthread_mutex_lock(&in->mu);
        for (size_t i = 0; i < n; i++)
            if (nodes[i])
                nodes[i]->done = 1;
        pthread_cond_broadcast(&in->finished);
        pthread_mutex_unlock(&in->mu);
    }
    free(subs);
    free(nodes);
    return NULL;
}

serve_intake *serve_intake_start(serve_ctx *ctx, unsigned queue, unsigned batch,
                                 unsigned window_us)
{
    serve_intake *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->ctx = ctx;
    in->queue_max = queue;
    in->batch_max = batch ? batch : 1;
    in->window_us = window_us;
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->more, NULL);
    pthread_cond_init(&in->finished, NULL);
    if (pthread_create(&in->thread, NULL, intake_main, in) != 0) {
        free(in);
        return NULL;
    }
    return in;
}

void serve_intake_stop(serve_intake *in)
{
    if (!in)
        return;
    pthread_mutex_lock(&in->mu);
    in->stop = 1;
    pthread_cond_broadcast(&in->more);
    pthread_mutex_unlock(&in->mu);
    pthread_join(in->thread, NULL);
    pthread_mutex_destroy(&in->mu);
    pthread_cond_destroy(&in->more);
    pthread_cond_destroy(&in->finished);
    free(in);
}

unsigned serve_intake_submit(serve_intake *in, serve_submission *sub)
{
    node x = {sub, 0, NULL};
    pthread_mutex_lock(&in->mu);
    if (in->queued >= in->queue_max || in->stop) {
        pthread_mutex_unlock(&in->mu);
        return 1;
    }
    if (in->tail)
        in->tail->next = &x;
    else
        in->head = &x;
    in->tail = &x;
    in->queued++;
    pthread_cond_signal(&in->more);
    while (!x.done)
        pthread_cond_wait(&in->finished, &in->mu);
    pthread_mutex_unlock(&in->mu);
    return 0;
}

unsigned serve_intake_enqueue(serve_intake *in, serve_submission *sub)
{
    node *x = calloc(1, sizeof *x);
    if (!x)
        return 1;
    x->sub = sub;
    pthread_mutex_lock(&in->mu);
    if (in->queued >= in->queue_max || in->stop) {
        pthread_mutex_unlock(&in->mu);
        free(x);
        return 1;
    }
    if (in->tail)
        in->tail->next = x;
    else
        in->head = x;
    in->tail = x;
    in->queued++;
    pthread_cond_signal(&in->more);
    pthread_mutex_unlock(&in->mu);
    return 0;
}

void serve_submission_reply(serve_submission *sub, serve_reply *rp)
{
    if (sub->receipt) {
        serve_json(rp, sub->status, sub->receipt);
        sub->receipt = NULL;
    } else {
        serve_error(rp, sub->status ? sub->status : 500, sub->status == 409 ? "id" : NULL, "%s",
                    sub->error[0] ? sub->error : "internal error");
    }
}

void serve_submission_free(serve_submission *sub)
{
    if (!sub)
        return;
    constat_intake_item_free(&sub->item);
    constat_intake_item_free(&sub->binding);
    json_decref(sub->receipt);
    free(sub);
}
