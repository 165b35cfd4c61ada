/* bench_report.c — the report over a (synthetic) vault, phase by phase,
 * beside a baseline measured in the same run.
 *
 * (a) baseline: every leaf read from the vault and its JSON parsed by
 *     jansson (json_loadb), nothing else: the floor of any report that reads
 *     the records as JSON;
 * (b) ours: the leaves read and opened as `constat report` does
 *     (constat_vault_leaves_parsed: one query, constat_leaf_parse on every
 *     core: canonical check, signature decoded; a leaf in constat's own
 *     canonical form is read by constat_canon_parse_fast, without jansson's
 *     lexer, any other by jansson), the records of the kinds
 *     the report reads kept; the figures computed
 *     (constat_figures_compute); the report rendered in memory
 *     (constat_report_render: index.html, the pages, the CSVs), each timed.
 * Usage: bench_report VAULT [TAXONOMY]   (taxonomy default: data/taxonomy/calais.json,
 *        from the source tree, where bench/run runs) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "constat/constat.h"
#include "constat/analysis/report.h"
#include "constat/record/record.h"
#include "constat/vault/vault.h"
#include "constat/vault/leaves_parsed.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    constat_indexed_record *r;
    size_t n, cap;
    size_t parsed;
} recs;

static int baseline_one(void *ctx, uint64_t index, const uint8_t *leaf, size_t len)
{
    recs *rs = ctx;
    json_error_t je;
    json_t *v = json_loadb((const char *)leaf, len, 0, &je);
    (void)index;
    if (v)
        rs->parsed++;
    json_decref(v);
    return 0;
}

static int keep_one(void *ctx, uint64_t index, constat_leaf *lp, constat_status pst,
                    const constat_error *pe)
{
    recs *rs = ctx;
    constat_leaf l = *lp;
    const char *kind;

    (void)pe;
    if (pst != CONSTAT_OK)
        return 1;
    kind = json_string_value(json_object_get(l.record, "kind"));
    if (kind && (strcmp(kind, "incident") == 0 || strcmp(kind, "evidence") == 0 ||
                 strcmp(kind, "correction") == 0 || strcmp(kind, "retraction") == 0 ||
                 strcmp(kind, "erasure") == 0 || strcmp(kind, "register") == 0 ||
                 strcmp(kind, "shift") == 0)) {
        if (rs->n == rs->cap) {
            rs->cap = rs->cap ? rs->cap * 2 : 1024;
            rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
            if (!rs->r)
                return 1;
        }
        rs->r[rs->n].index = index;
        rs->r[rs->n].record = json_incref(l.record);
        rs->n++;
    }
    constat_leaf_free(&l);
    return 0;
}

static size_t bytes;

static constat_status count_emit(void *ctx, const char *name, const unsigned char *data,
                                 size_t len, constat_error *err)
{
    (void)ctx;
    (void)name;
    (void)data;
    (void)err;
    bytes += len;
    return CONSTAT_OK;
}

int main(int argc, char **argv)
{
    constat_vault *v = NULL;
    constat_taxonomy *tax = NULL;
    constat_error err;
    recs base = {0}, rs = {0};
    json_t *figs = NULL;
    uint64_t size;
    double t0, tb, tl, tf, tr;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_report VAULT [TAXONOMY]\n");
        return 2;
    }
    if (constat_init() != CONSTAT_OK)
        return 1;
    if (constat_vault_open_public(argv[1], &v, &err) != CONSTAT_OK ||
        constat_taxonomy_load(argc > 2 ? argv[2] : "data/taxonomy/calais.json",
                              &tax, &err) != CONSTAT_OK) {
        fprintf(stderr, "bench_report: %s\n", err.msg);
        return 1;
    }
    size = constat_vault_size(v);
    t0 = now();
    if (constat_vault_leaves(v, 0, size, baseline_one, &base, &err) != CONSTAT_OK)
        return 1;
    tb = now() - t0;
    t0 = now();
    if (constat_vault_leaves_parsed(v, 0, size, 0, keep_one, &rs, &err) != CONSTAT_OK ||
        rs.n == 0)
        return 1;
    tl = now() - t0;
    t0 = now();
    if (constat_figures_compute(rs.r, rs.n, tax, &figs, &err) != CONSTAT_OK) {
        fprintf(stderr, "bench_report: %s\n", err.msg);
        return 1;
    }
    tf = now() - t0;
    t0 = now();
    if (constat_report_render(rs.r, rs.n, tax, NULL, figs, NULL, count_emit, NULL, &err) !=
        CONSTAT_OK) {
        fprintf(stderr, "bench_report: %s\n", err.msg);
        return 1;
    }
    tr = now() - t0;
    printf("report_leaves %llu\n", (unsigned long long)size);
    printf("baseline_read_and_json_parse_s %.3f\n", tb);
    printf("read_and_open_leaves_s %.3f\n", tl);
    printf("figures_s %.3f\n", tf);
    printf("render_s %.3f\n", tr);
    printf("report_total_s %.3f\n", tl + tf + tr);
    printf("rendered_bytes %zu\n", bytes);
    for (size_t i = 0; i < rs.n; i++)
        json_decref(rs.r[i].record);
    free(rs.r);
    json_decref(figs);
    constat_taxonomy_free(tax);
    constat_vault_close(v);
    return 0;
}
