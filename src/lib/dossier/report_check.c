/* report_check.c — the verifier renders the report and compares it with
 * the dossier's copy (report_check.h). A dossier whose index.html was
 * rewritten to contradict the figures, and whose manifest was signed again
 * by the organisation, still fails here: the organisation's signature says
 * who published a page, not that the page shows what the records count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dossier/report_check.h"
#include "base/text.h"


typedef struct {
    constat_report_read_fn rd;
    constat_report_fail_fn fail;
    void *ctx;
    const char *prefix;
    json_t *made;      /* names rendered, as a set */
    constat_buf got;
    uint64_t matched;
} recheck;

/* Bytes quoted before and after the first difference. */
#define QUOTE_BEFORE 24
#define QUOTE_AFTER 48

/* The part of the line of `d` (len bytes) that starts at `ls` around byte
 * `at`: from at most QUOTE_BEFORE bytes before it to QUOTE_AFTER after it,
 * cut on UTF-8 character boundaries, with control bytes shown as '?' so
 * that a hostile page cannot draw on the verifier's terminal through the
 * message. */
static void quote(char *out, size_t cap, const unsigned char *d, size_t len, size_t ls,
                  size_t at)
{
    size_t s = at > ls + QUOTE_BEFORE ? at - QUOTE_BEFORE : ls, e = at, o = 0;

    while (e < len && d[e] != '\n' && d[e] != '\r' && e - at < QUOTE_AFTER)
        e++;
    if (e > len)
        e = len;
    while (s < e && (d[s] & 0xc0) == 0x80)
        s++;
    while (e < len && e > s && (d[e] & 0xc0) == 0x80)
        e--;
    if (s > ls && o + 3 < cap)
        o += (size_t)snprintf(out + o, cap - o, "...");
    for (size_t i = s; i < e && o + 4 < cap; i++)
        out[o++] = (d[i] < 0x20 || d[i] == 0x7f) ? '?' : (char)d[i];
    if (e < len && d[e] != '\n' && d[e] != '\r' && o + 4 < cap)
        o += (size_t)snprintf(out + o, cap - o, "...");
    out[o] = '\0';
}

static void report_diff(recheck *r, const char *file, const unsigned char *want, size_t wlen,
                        const unsigned char *got, size_t glen)
{
    size_t i = 0, line = 1, ls = 0;
    char w[QUOTE_BEFORE + QUOTE_AFTER + 16], g[QUOTE_BEFORE + QUOTE_AFTER + 16], msg[900];

    while (i < wlen && i < glen && want[i] == got[i]) {
        if (want[i] == '\n') {
            line++;
            ls = i + 1;
        }
        i++;
    }
    /* a public report is checked with an empty prefix, a dossier's with
     * "report/": name the copy the reader holds */
    const char *who = *r->prefix ? "the dossier" : "the public report";
    quote(w, sizeof w, want, wlen, ls, i);
    quote(g, sizeof g, got, glen, ls, i);
    if (i >= glen)
        constat_bprintf(msg, sizeof msg, "line %zu, byte %zu: %s's copy ends here; "
                        "the report rendered from the verified figures goes on: \"%s\"", line,
                        i - ls + 1, who, w);
    else if (i >= wlen)
        constat_bprintf(msg, sizeof msg, "line %zu, byte %zu: \"%s\" is not in the report "
                        "rendered from the verified figures (which ends before it)", line,
                        i - ls + 1, g);
    else
        constat_bprintf(msg, sizeof msg, "line %zu, byte %zu differs from the report rendered "
                        "from the verified figures: %s has \"%s\", the figures give "
                        "\"%s\"", line, i - ls + 1, who, g, w);
    r->fail(r->ctx, file, msg);
}


static constat_status recheck_emit(void *vctx, const char *name, const unsigned char *data,
                                   size_t len, constat_error *err)
{
    recheck *r = vctx;
    char file[200], msg[600];
    constat_error e;
    constat_status st;

    constat_bprintf(file, sizeof file, "%s%s", r->prefix, name);
    if (json_object_set_new(r->made, file, json_true()))
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    constat_error_clear(&e);
    st = r->rd(r->ctx, name, &r->got, &e);
    if (st == CONSTAT_ENOMEM)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (st == CONSTAT_ENOTFOUND) {
        r->fail(r->ctx, file, "missing: the report rendered from the verified figures has it");
        return CONSTAT_OK;
    }
    if (st != CONSTAT_OK) {
        constat_bprintf(msg, sizeof msg, "%s", e.msg);
        r->fail(r->ctx, file, msg);
        return CONSTAT_OK;
    }
    if (r->got.len == len && (len == 0 || memcmp(r->got.data, data, len) == 0))
        r->matched++;
    else
        report_diff(r, file, data, len, r->got.data, r->got.len);
    return CONSTAT_OK;
}

constat_status constat_report_recheck(const constat_indexed_record *recs, size_t n,
                                      const constat_taxonomy *tax,
                                      const constat_proven_time *times, const json_t *figures,
                                      const constat_report_meta *meta,
                                      const char *prefix, const json_t *manifest_files,
                                      constat_report_read_fn rd,
                                      constat_report_fail_fn fail, void *ctx,
                                      uint64_t *nchecked, constat_error *err)
{
    recheck r;
    constat_status st;
    const char *key;
    json_t *val;

    if (nchecked)
        *nchecked = 0;
    if (!rd || !fail)
        return constat_error_set(err, CONSTAT_EINVAL, "report check: no reader given");
    memset(&r, 0, sizeof r);
    r.rd = rd;
    r.fail = fail;
    r.ctx = ctx;
    r.prefix = prefix ? prefix : "";
    r.made = json_object();
    if (!r.made)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    constat_buf_init(&r.got);
    st = constat_report_render(recs, n, tax, times, figures, meta, recheck_emit, &r, err);
    json_object_foreach((json_t *)manifest_files, key, val) {
        if (st != CONSTAT_OK)
            break;
        if (strncmp(key, r.prefix, strlen(r.prefix)) == 0 &&
            !json_object_get(r.made, key))
            fail(ctx, key, "is not part of the report rendered from the verified figures: "
                 "a page no check vouches for");
    }
    (void)val;
    constat_buf_free(&r.got);
    json_decref(r.made);
    if (nchecked)
        *nchecked = r.matched;
    return st;
}
