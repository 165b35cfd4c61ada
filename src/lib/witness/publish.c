/*
 * publish.c — the log side of C2SP tlog-witness (publish.h, docs/witness.md).
 *
 * Why the old size comes from our own table of received cosignatures: it is
 * the size the witness last cosigned *for us*, which is what tlog-witness
 * wants; if the witness holds something else (another client published our
 * log, or our vault was restored from a backup) it says so with 409 and the
 * size it has, and we retry once from there. A witness holding a larger size
 * than our checkpoint means our log went back in time: we never ask it to
 * cosign that, and say so.
 *
 * Why every returned line is verified before it is stored: a cosignature is
 * only worth keeping if a verifier will accept it, and a witness (or anyone
 * on the path) could answer garbage.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/constat.h"
#include "constat/witness/publish.h"
#include "constat/witness/witness.h"
#include "constat/vault/keyrot.h"
#include "base/http.h"
#include "vault/store.h"

constat_status constat_publish_witness_add(constat_vault *v, const char *vkey, const char *url,
                                           constat_error *err)
{
    constat_note_verifier ver;
    size_t ul;
    char *u;
    constat_status r;

    if (!vkey || !url)
        return constat_error_set(err, CONSTAT_EINVAL, "witness: key and URL are required");
    r = constat_note_verifier_parse(vkey, &ver, err);
    if (r != CONSTAT_OK)
        return constat_error_prefix(err, "witness key: ");
    if (ver.alg != CONSTAT_NOTE_ALG_COSIGNATURE_V1)
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "witness key %s is not a cosignature/v1 key (alg 0x04)",
                                 ver.name);
    if (!constat_http_url_ok(url, CONSTAT_PUBLISH_URL_MAX))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "witness URL \"%.200s\" must be http:// or https://, at most "
                                 "%d bytes, without spaces",
                                 url, CONSTAT_PUBLISH_URL_MAX);
    u = strdup(url);
    if (!u)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    ul = strlen(u);
    while (ul > 0 && u[ul - 1] == '/')
        u[--ul] = 0;
    r = constat_store_publish_witness_put(constat_vault_store(v), ver.name, u, vkey, err);
    free(u);
    return r;
}

constat_status constat_publish_witnesses(constat_vault *v, constat_publish_witness_fn fn,
                                         void *ctx, constat_error *err)
{
    return constat_store_publish_witnesses(constat_vault_store(v), fn, ctx, err);
}

/* The checkpoint text and size of one of our own signed notes. */
static constat_status own_checkpoint(constat_vault *v, const char *note, size_t len,
                                     size_t *text_len, constat_checkpoint *cp,
                                     constat_error *err)
{
    constat_note *opened = malloc(sizeof *opened);
    constat_status st;
    if (!opened)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    st = constat_note_open(note, len, &constat_vault_log_key(v)->pub, 1, opened, err);
    if (st == CONSTAT_OK) {
        *text_len = opened->text_len;
        st = constat_checkpoint_parse(note, opened->text_len, cp, err);
    }
    free(opened);
    return st;
}

static constat_status witness_lookup(constat_vault *v, const char *name,
                                     constat_note_verifier *ver, uint64_t *cosigned,
                                     constat_error *err)
{
    constat_buf k;
    constat_status r;

    constat_buf_init(&k);
    r = constat_store_publish_witness_get(constat_vault_store(v), name, NULL, &k, cosigned, err);
    if (r == CONSTAT_OK &&
        constat_note_verifier_parse(k.data ? (const char *)k.data : "", ver, NULL) != CONSTAT_OK)
        r = constat_error_set(err, CONSTAT_EIO, "vault.db: key of witness \"%s\" is damaged",
                              name);
    constat_buf_free(&k);
    return r;
}

constat_status constat_publish_accept(constat_vault *v, const char *witness, const char *note,
                                      size_t len, const char *body, size_t blen, int64_t now,
                                      constat_error *err)
{
    constat_note_verifier ver;
    constat_checkpoint cp;
    constat_note_sig sig;
    size_t text_len = 0, pos = 0, line = 0, line_len = 0;
    constat_status r;
    int found = 0;

    if (!witness || !note || !body)
        return constat_error_set(err, CONSTAT_EINVAL, "accept: missing argument");
    if (blen > CONSTAT_WITNESS_RESPONSE_MAX)
        return constat_error_set(err, CONSTAT_ELIMIT, "witness %s: response of %zu bytes "
                                                      "exceeds %u",
                                 witness, blen, CONSTAT_WITNESS_RESPONSE_MAX);
    r = witness_lookup(v, witness, &ver, NULL, err);
    if (r == CONSTAT_OK)
        r = own_checkpoint(v, note, len, &text_len, &cp, err);
    if (r != CONSTAT_OK)
        return r;
    while (pos < blen && !found) {
        const char *nl = memchr(body + pos, '\n', blen - pos);
        size_t ll;
        line++;
        if (!nl)
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "witness %s: response line %zu does not end in a newline",
                                     witness, line);
        ll = (size_t)(nl - (body + pos));
        r = constat_note_sig_parse(body + pos, ll, &sig, err);
        if (r != CONSTAT_OK)
            return constat_error_prefix(err, "witness %s: response line %zu: ", witness, line);
        if (strcmp(sig.name, ver.name) == 0 && sig.key_id == ver.key_id) {
            r = constat_cosignature_verify(note, text_len, sig.sig, sig.sig_len, &ver, NULL,
                                           err);
            if (r != CONSTAT_OK)
                return constat_error_prefix(err, "witness %s: response line %zu: ", witness,
                                            line);
            found = 1;
            line_len = ll;
            break;
        }
        pos += ll + 1;
    }
    if (!found)
        return constat_error_set(err, CONSTAT_EVERIFY,
                                 "witness %s: no cosignature by its key in the response",
                                 witness);
    return constat_store_cosignature_put(constat_vault_store(v), cp.size, witness, body + pos,
                                         line_len, now, err);
}

/* ---- HTTP transport ---- */

static constat_status curl_post(void *ctx, const char *url, const char *body, size_t len,
                                int *http, constat_buf *ctype, constat_buf *resp,
                                constat_error *err)
{
    static const char *const headers[] = {"Content-Type: text/plain; charset=utf-8", NULL};
    const constat_http_options o = {
        .timeout_s = 30,
        .connect_timeout_s = 10,
        .user_agent = "constat/" CONSTAT_VERSION,
        .headers = headers,
    };
    constat_http *h;
    long code = 0;
    constat_status st;

    (void)ctx;
    st = constat_http_open(&o, &h, err);
    if (st == CONSTAT_EIO)
        return constat_error_set(err, CONSTAT_EIO, "cannot initialise libcurl");
    if (st != CONSTAT_OK)
        return st;
    st = constat_http_request(h, url, body ? body : "", len, CONSTAT_WITNESS_RESPONSE_MAX, resp, &code, ctype, err);
    if (st == CONSTAT_ELIMIT)
        st = constat_error_set(err, CONSTAT_ELIMIT, "%s: response over %u bytes", url,
                               CONSTAT_WITNESS_RESPONSE_MAX);
    if (st == CONSTAT_OK)
        *http = (int)code;
    constat_http_close(h);
    return st;
}

/* ---- publish ---- */

typedef struct {
    char *name;
    char *url;
} witness_row;

typedef struct {
    witness_row *rows;
    size_t n, cap;
    int oom;
} witness_list;

static int collect(void *ctx, const char *name, const char *url, const char *vkey,
                   uint64_t size)
{
    witness_list *l = ctx;
    (void)vkey;
    (void)size;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4;
        witness_row *r = realloc(l->rows, nc * sizeof *r);
        if (!r) {
            l->oom = 1;
            return 1;
        }
        l->rows = r;
        l->cap = nc;
    }
    l->rows[l->n].name = strdup(name);
    l->rows[l->n].url = strdup(url);
    if (!l->rows[l->n].name || !l->rows[l->n].url) {
        free(l->rows[l->n].name);
        free(l->rows[l->n].url);
        l->oom = 1;
        return 1;
    }
    l->n++;
    return 0;
}

/* Printable ASCII of at most 160 bytes of a witness's answer, for messages. */
static void quote_body(const constat_buf *b, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; i < b->len && j + 1 < cap && i < 160; i++) {
        unsigned char ch = b->data[i];
        out[j++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    while (j > 0 && out[j - 1] == ' ')
        j--;
    out[j] = 0;
}

static int parse_size_body(const constat_buf *b, uint64_t *out)
{
    uint64_t s = 0;
    size_t n;
    if (b->len < 2 || b->data[b->len - 1] != '\n')
        return 0;
    n = b->len - 1;
    if (n > 20 || (b->data[0] == '0' && n > 1))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d;
        if (!isdigit(b->data[i]))
            return 0;
        d = (unsigned)(b->data[i] - '0');
        if (s > (UINT64_MAX - d) / 10)
            return 0;
        s = s * 10 + d;
    }
    *out = s;
    return 1;
}

static int is_size_type(const constat_buf *ct)
{
    static const char want[] = "text/x.tlog.size";
    size_t n = sizeof want - 1;
    return ct->len >= n && strncmp((const char *)ct->data, want, n) == 0 &&
           (ct->len == n || ct->data[n] == ';' || ct->data[n] == ' ');
}

/* The add-key-transition body for a witness that cosigned size `old` with
 * the key then in force: every log key transition at a leaf >= old, with
 * its inclusion proof in the checkpoint of `size` (witness.h). 0 when the
 * log key was never rotated after `old` (nothing to hand over), 1 when the
 * body was built, -1 on an error (in *err). */
static int transition_body(constat_vault *v, uint64_t old, uint64_t size, const char *note,
                           size_t len, constat_buf *body, constat_error *err)
{
    constat_keychain *kc = malloc(sizeof *kc);
    constat_buf leaves[CONSTAT_WITNESS_MAX_TRANSITIONS];
    constat_proof *incl = calloc(CONSTAT_WITNESS_MAX_TRANSITIONS, sizeof *incl);
    constat_proof cons;
    uint64_t index[CONSTAT_WITNESS_MAX_TRANSITIONS];
    const char *lp[CONSTAT_WITNESS_MAX_TRANSITIONS];
    size_t ll[CONSTAT_WITNESS_MAX_TRANSITIONS], n = 0, bad = 0;
    constat_status st;
    int r = -1;

    for (size_t i = 0; i < CONSTAT_WITNESS_MAX_TRANSITIONS; i++)
        constat_buf_init(&leaves[i]);
    if (!kc || !incl) {
        constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
        goto out;
    }
    st = constat_vault_log_chain(v, kc, NULL, NULL, &bad, err);
    if (st != CONSTAT_OK)
        goto out;
    for (size_t i = 1; i < kc->n; i++) {
        const constat_key_era *e = &kc->k[i];
        if (e->transition < 0 || (uint64_t)e->transition < old || e->from > size)
            continue;
        if (n == CONSTAT_WITNESS_MAX_TRANSITIONS) {
            constat_error_set(err, CONSTAT_ELIMIT, "more than %d log key transitions since "
                              "size %llu", CONSTAT_WITNESS_MAX_TRANSITIONS,
                              (unsigned long long)old);
            goto out;
        }
        index[n] = (uint64_t)e->transition;
        if ((st = constat_vault_leaf(v, index[n], &leaves[n], err)) != CONSTAT_OK ||
            (st = constat_vault_prove_inclusion(v, index[n], size, &incl[n], err)) !=
                CONSTAT_OK)
            goto out;
        lp[n] = (const char *)leaves[n].data;
        ll[n] = leaves[n].len;
        n++;
    }
    if (n == 0) {
        r = 0;
        goto out;
    }
    cons.n = 0;
    if (old > 0 && old < size &&
        (st = constat_vault_prove_consistency(v, old, size, &cons, err)) != CONSTAT_OK)
        goto out;
    constat_buf_reset(body);
    if (constat_witness_transition_request_format(old, &cons, n, index, lp, ll, incl, note, len,
                                                  body) != CONSTAT_OK) {
        constat_error_set(err, CONSTAT_EINVAL, "cannot build the key transition request");
        goto out;
    }
    r = 1;
out:
    for (size_t i = 0; i < CONSTAT_WITNESS_MAX_TRANSITIONS; i++)
        constat_buf_free(&leaves[i]);
    free(incl);
    free(kc);
    return r;
}

static constat_status publish_one(constat_vault *v, const witness_row *w, const char *note,
                                  size_t len, uint64_t size, int64_t now,
                                  constat_publish_post_fn post, void *post_ctx,
                                  constat_publish_result *res, char *msg, size_t msgcap)
{
    char url[CONSTAT_PUBLISH_URL_MAX + 32], quoted[200];
    constat_note_verifier ver;
    constat_buf body, ctype, resp;
    constat_proof proof;
    constat_error e;
    uint64_t old = 0;
    constat_status st;
    int transition = 0; /* 1: the request hands the log key transitions over */

    snprintf(url, sizeof url, "%s/add-checkpoint", w->url);
    st = witness_lookup(v, w->name, &ver, &old, &e);
    if (st != CONSTAT_OK) {
        snprintf(msg, msgcap, "%s", e.msg);
        return st;
    }
    if (old == size) {
        res->already = 1;
        snprintf(msg, msgcap, "already cosigned size %llu", (unsigned long long)size);
        return CONSTAT_OK;
    }
    constat_buf_init(&body);
    constat_buf_init(&ctype);
    constat_buf_init(&resp);
    for (int attempt = 0; attempt < 3; attempt++) {
        if (old > size) {
            st = CONSTAT_ECONFLICT;
            snprintf(msg, msgcap,
                     "witness %s (%s) has cosigned size %llu, larger than our checkpoint of "
                     "size %llu: refusing to publish a rollback",
                     w->name, url, (unsigned long long)old, (unsigned long long)size);
            break;
        }
        proof.n = 0;
        st = CONSTAT_OK;
        if (old > 0 && old < size)
            st = constat_vault_prove_consistency(v, old, size, &proof, &e);
        constat_buf_reset(&body);
        constat_buf_reset(&ctype);
        constat_buf_reset(&resp);
        if (st == CONSTAT_OK && transition) {
            int tb = transition_body(v, old, size, note, len, &body, &e);
            st = tb < 0 ? e.code : CONSTAT_OK;
            if (tb == 0) { /* no transition since that size: the 403 stands */
                st = CONSTAT_EVERIFY;
                snprintf(msg, msgcap, "witness %s (%s) refused with 403 (it does not accept "
                         "our log key)", w->name, url);
                break;
            }
        } else if (st == CONSTAT_OK) {
            st = constat_witness_request_format(old, &proof, note, len, &body);
        }
        if (st != CONSTAT_OK) {
            snprintf(msg, msgcap, "cannot build the request from size %llu: %s",
                     (unsigned long long)old, e.msg);
            break;
        }
        res->http = 0;
        st = post(post_ctx, url, (const char *)body.data, body.len, &res->http, &ctype, &resp,
                  &e);
        if (st != CONSTAT_OK) {
            snprintf(msg, msgcap, "witness %s (%s): %s", w->name, url, e.msg);
            break;
        }
        quote_body(&resp, quoted, sizeof quoted);
        if (res->http == 200) {
            st = constat_publish_accept(v, w->name, note, len, (const char *)resp.data,
                                        resp.len, now, &e);
            if (st == CONSTAT_OK)
                snprintf(msg, msgcap, "cosigned size %llu (from size %llu)%s",
                         (unsigned long long)size, (unsigned long long)old,
                         transition ? ", after following our log key transitions: it now "
                                      "pins our new log key"
                                    : "");
            else
                snprintf(msg, msgcap, "witness %s (%s): %s", w->name, url, e.msg);
            break;
        }
        /* our log key was rotated since the witness pinned it: hand it the
         * transitions (constat's extension, docs/witness.md) */
        if (res->http == 403 && !transition) {
            constat_buf probe;
            int tb;
            constat_buf_init(&probe);
            tb = transition_body(v, old, size, note, len, &probe, &e);
            constat_buf_free(&probe);
            if (tb > 0) {
                transition = 1;
                snprintf(url, sizeof url, "%s/constat/add-key-transition", w->url);
                continue;
            }
        }
        if (res->http == 409 && is_size_type(&ctype) && attempt < 2) {
            uint64_t theirs;
            if (!parse_size_body(&resp, &theirs)) {
                st = CONSTAT_EIO;
                snprintf(msg, msgcap, "witness %s (%s): 409 with a malformed size \"%s\"",
                         w->name, url, quoted);
                break;
            }
            old = theirs;
            continue;
        }
        switch (res->http) {
        case 409:
            st = CONSTAT_ECONFLICT;
            snprintf(msg, msgcap,
                     "witness %s (%s) refused with 409 (it holds another view of this log "
                     "at size %llu): %s",
                     w->name, url, (unsigned long long)old, quoted);
            break;
        case 422:
            st = CONSTAT_EVERIFY;
            snprintf(msg, msgcap,
                     "witness %s (%s) refused with 422: the log is not consistent with the "
                     "size %llu it cosigned before: %s",
                     w->name, url, (unsigned long long)old, quoted);
            break;
        case 403:
            st = CONSTAT_EVERIFY;
            snprintf(msg, msgcap, "witness %s (%s) refused with 403 (it does not accept our "
                                  "log key%s): %s",
                     w->name, url, transition ? ", nor the key transitions that lead to it" : "",
                     quoted);
            break;
        case 404:
            if (transition) {
                st = CONSTAT_ENOTFOUND;
                snprintf(msg, msgcap, "witness %s does not accept our new log key and does not "
                         "follow log key transitions (%s answered 404): its operator must pin "
                         "the new log key ('constat keys'): %s", w->name, url, quoted);
                break;
            }
            st = CONSTAT_ENOTFOUND;
            snprintf(msg, msgcap, "witness %s (%s) answered 404 (it does not witness this log "
                                  "or serve add-checkpoint): %s",
                     w->name, url, quoted);
            break;
        case 400:
            st = CONSTAT_EINVAL;
            snprintf(msg, msgcap, "witness %s (%s) answered 400: %s", w->name, url, quoted);
            break;
        default:
            st = CONSTAT_EIO;
            snprintf(msg, msgcap, "witness %s (%s) answered %d: %s", w->name, url, res->http,
                     quoted);
        }
        break;
    }
    constat_buf_free(&body);
    constat_buf_free(&ctype);
    constat_buf_free(&resp);
    return st;
}

constat_status constat_publish_run(constat_vault *v, int64_t now, constat_publish_post_fn post,
                                   void *post_ctx, constat_publish_fn report, void *report_ctx,
                                   constat_error *err)
{
    witness_list l = {0};
    constat_buf note;
    constat_checkpoint cp;
    size_t text_len = 0;
    constat_status st, first = CONSTAT_OK;
    char msg[1024];

    if (!v)
        return constat_error_set(err, CONSTAT_EINVAL, "publish: no vault");
    if (!post)
        post = curl_post;
    st = constat_publish_witnesses(v, collect, &l, err);
    if (st == CONSTAT_OK && l.oom)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_OK && l.n == 0)
        st = constat_error_set(err, CONSTAT_ENOTFOUND,
                               "no witness configured (constat publish add VKEY URL)");
    constat_buf_init(&note);
    if (st == CONSTAT_OK)
        st = constat_vault_checkpoint(v, &note, err);
    if (st == CONSTAT_OK)
        st = own_checkpoint(v, (const char *)note.data, note.len, &text_len, &cp, err);
    for (size_t i = 0; st == CONSTAT_OK && i < l.n; i++) {
        constat_publish_result res = {0};
        constat_status ws;
        msg[0] = 0;
        res.witness = l.rows[i].name;
        res.url = l.rows[i].url;
        res.size = cp.size;
        ws = publish_one(v, &l.rows[i], (const char *)note.data, note.len, cp.size, now, post,
                         post_ctx, &res, msg, sizeof msg);
        res.status = ws;
        res.msg = msg;
        if (report)
            report(report_ctx, &res);
        if (ws != CONSTAT_OK && first == CONSTAT_OK) {
            first = ws;
            constat_error_set(err, ws, "%s", msg);
        }
    }
    if (st == CONSTAT_OK)
        st = first;
    for (size_t i = 0; i < l.n; i++) {
        free(l.rows[i].name);
        free(l.rows[i].url);
    }
    free(l.rows);
    constat_buf_free(&note);
    return st;
}

/* ---- status ---- */

typedef struct {
    char *name, *url, *vkey;
    uint64_t size;
    constat_buf note, line; /* the checkpoint of that size, the witness's line on it */
    int have_note, have_line;
} state_row;

typedef struct {
    state_row *rows;
    size_t n, cap;
    int oom;
    size_t cur; /* the row whose cosignature lines are read */
} state_list;

static int state_collect(void *ctx, const char *name, const char *url, const char *vkey,
                         uint64_t size)
{
    state_list *l = ctx;
    state_row *r;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4;
        state_row *nr = realloc(l->rows, nc * sizeof *nr);
        if (!nr) {
            l->oom = 1;
            return 1;
        }
        l->rows = nr;
        l->cap = nc;
    }
    r = &l->rows[l->n];
    memset(r, 0, sizeof *r);
    constat_buf_init(&r->note);
    constat_buf_init(&r->line);
    r->name = strdup(name);
    r->url = strdup(url);
    r->vkey = strdup(vkey);
    r->size = size;
    l->n++;
    if (!r->name || !r->url || !r->vkey) {
        l->oom = 1;
        return 1;
    }
    return 0;
}

/* One pass over the stored checkpoints: each row gets the note of its size. */
static int state_note(void *ctx, uint64_t size, const char *note, size_t len)
{
    state_list *l = ctx;
    for (size_t i = 0; i < l->n; i++)
        if (l->rows[i].size == size && !l->rows[i].have_note) {
            if (constat_buf_append(&l->rows[i].note, note, len) != CONSTAT_OK) {
                l->oom = 1;
                return 1;
            }
            l->rows[i].have_note = 1;
        }
    return 0;
}

static int state_line(void *ctx, const char *witness, const char *line, size_t len)
{
    state_list *l = ctx;
    state_row *r = &l->rows[l->cur];
    if (strcmp(witness, r->name) != 0 || r->have_line)
        return 0;
    if (constat_buf_append(&r->line, line, len) != CONSTAT_OK) {
        l->oom = 1;
        return 1;
    }
    r->have_line = 1;
    return 0;
}

/* The state of row r: verified and timestamp, or why not in msg. */
static void state_check(constat_vault *v, const state_row *r, constat_publish_witness_state *w,
                        char *msg, size_t cap)
{
    constat_note_verifier ver;
    constat_checkpoint cp;
    constat_note_sig sig;
    constat_error e;
    size_t text_len = 0;

    w->verified = 0;
    constat_error_clear(&e);
    if (constat_note_verifier_parse(r->vkey, &ver, &e) != CONSTAT_OK) {
        snprintf(msg, cap, "its stored key does not parse: %s", e.msg);
        return;
    }
    if (!r->have_note) {
        snprintf(msg, cap, "no stored checkpoint of size %llu", (unsigned long long)r->size);
        return;
    }
    if (!r->have_line) {
        snprintf(msg, cap, "no stored cosignature on the checkpoint of size %llu",
                 (unsigned long long)r->size);
        return;
    }
    if (own_checkpoint(v, (const char *)r->note.data, r->note.len, &text_len, &cp, &e) !=
        CONSTAT_OK) {
        snprintf(msg, cap, "the stored checkpoint of size %llu does not open with the log key: "
                           "%s",
                 (unsigned long long)r->size, e.msg);
        return;
    }
    if (constat_note_sig_parse((const char *)r->line.data, r->line.len, &sig, &e) !=
        CONSTAT_OK) {
        snprintf(msg, cap, "the stored cosignature line is malformed: %s", e.msg);
        return;
    }
    if (strcmp(sig.name, ver.name) != 0 || sig.key_id != ver.key_id) {
        snprintf(msg, cap, "the stored cosignature line is by another key than the witness's");
        return;
    }
    if (constat_cosignature_verify((const char *)r->note.data, text_len, sig.sig, sig.sig_len,
                                   &ver, &w->timestamp, &e) != CONSTAT_OK) {
        snprintf(msg, cap, "the stored cosignature does not verify with the witness's key: %s",
                 e.msg);
        return;
    }
    w->verified = 1;
}

constat_status constat_publish_status(constat_vault *v, constat_publish_state_fn fn, void *ctx,
                                      constat_error *err)
{
    state_list l = {0};
    constat_status st;
    char msg[512];

    if (!v || !fn)
        return constat_error_set(err, CONSTAT_EINVAL, "witness status: bad argument");
    st = constat_publish_witnesses(v, state_collect, &l, err);
    if (st == CONSTAT_OK && !l.oom && l.n)
        st = constat_store_checkpoints(constat_vault_store(v), state_note, &l, err);
    for (size_t i = 0; st == CONSTAT_OK && !l.oom && i < l.n; i++) {
        if (!l.rows[i].size)
            continue;
        l.cur = i;
        st = constat_store_cosignatures(constat_vault_store(v), l.rows[i].size, state_line, &l,
                                        err);
    }
    if (st == CONSTAT_OK && l.oom)
        st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    for (size_t i = 0; st == CONSTAT_OK && i < l.n; i++) {
        constat_publish_witness_state w;
        memset(&w, 0, sizeof w);
        msg[0] = 0;
        w.name = l.rows[i].name;
        w.url = l.rows[i].url;
        w.vkey = l.rows[i].vkey;
        w.cosigned_size = l.rows[i].size;
        w.verified = -1;
        if (l.rows[i].size)
            state_check(v, &l.rows[i], &w, msg, sizeof msg);
        w.msg = msg;
        if (fn(ctx, &w) != 0)
            break;
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.rows[i].name);
        free(l.rows[i].url);
        free(l.rows[i].vkey);
        constat_buf_free(&l.rows[i].note);
        constat_buf_free(&l.rows[i].line);
    }
    free(l.rows);
    return st;
}

typedef struct {
    constat_buf *out;
    size_t n;
    int oom;
} cosig_sink;

static int cosig_line(void *ctx, const char *witness, const char *line, size_t len)
{
    cosig_sink *k = ctx;
    (void)witness;
    (void)len;
    if (constat_buf_puts(k->out, line) != CONSTAT_OK ||
        constat_buf_append(k->out, "\n", 1) != CONSTAT_OK) {
        k->oom = 1;
        return 1;
    }
    k->n++;
    return 0;
}

constat_status constat_publish_cosigned(constat_vault *v, constat_buf *out, size_t *ncosigs,
                                        constat_error *err)
{
    constat_buf note;
    constat_checkpoint cp;
    cosig_sink k = {out, 0, 0};
    size_t text_len = 0, mark;
    constat_status r;

    if (!out)
        return constat_error_set(err, CONSTAT_EINVAL, "cosigned: no output");
    mark = out->len;
    constat_buf_init(&note);
    r = constat_vault_latest_checkpoint(v, &note, err);
    if (r == CONSTAT_OK)
        r = own_checkpoint(v, (const char *)note.data, note.len, &text_len, &cp, err);
    if (r == CONSTAT_OK)
        r = constat_buf_append(out, note.data, note.len) == CONSTAT_OK
                ? CONSTAT_OK
                : constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (r == CONSTAT_OK)
        r = constat_store_cosignatures(constat_vault_store(v), cp.size, cosig_line, &k, err);
    if (r == CONSTAT_OK && k.oom)
        r = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    constat_buf_free(&note);
    if (r != CONSTAT_OK) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
        return r;
    }
    if (ncosigs)
        *ncosigs = k.n;
    return CONSTAT_OK;
}
