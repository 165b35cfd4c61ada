/* vault_tlog.c — a vault as the source of a tile export or audit
 * (constat_tlog_source, tlog.h): leaves, stored tiles and the newest signed
 * checkpoint. Here, not in log/, so that the log layer knows no vault. */
#include "constat/vault/vault.h"

static constat_status vs_leaves(void *ctx, uint64_t from, uint64_t to, constat_leaf_fn fn,
                                void *fnctx, constat_error *err)
{
    return constat_vault_leaves(ctx, from, to, fn, fnctx, err);
}

static constat_status vs_tile(void *ctx, unsigned level, uint64_t n, unsigned width,
                              constat_buf *out, constat_error *err)
{
    return constat_vault_tile(ctx, level, n, width, out, err);
}

static constat_status vs_checkpoint(void *ctx, constat_buf *out, constat_error *err)
{
    return constat_vault_checkpoint(ctx, out, err);
}

void constat_tlog_vault_source(constat_vault *v, constat_tlog_source *src)
{
    src->ctx = v;
    src->leaves = vs_leaves;
    src->tile = vs_tile;
    src->checkpoint = vs_checkpoint;
}

