/* org_append.c — one record signed by the organisation key, appended
 * (org_append.h), for revocations, monitor rotations and key transitions. */
#include <string.h>

#include "constat/record/record.h"
#include "vault/org_append.h"

constat_status constat_org_append(constat_vault *v, const json_t *rec, const char *id,
                                  const char *kind, constat_append_hook hook, void *hctx,
                                  uint64_t *index, constat_error *err)
{
    return constat_signed_append(v, rec, id, kind, constat_vault_org_key(v), hook, hctx, index,
                                 err);
}

constat_status constat_signed_append(constat_vault *v, const json_t *rec, const char *id,
                                     const char *kind, const constat_note_signer *signer,
                                     constat_append_hook hook, void *hctx, uint64_t *index,
                                     constat_error *err)
{
    constat_buf leaf;
    constat_append_item item;
    size_t appended = 0;
    constat_status st;

    constat_buf_init(&leaf);
    memset(&item, 0, sizeof item);
    st = constat_record_validate(rec, NULL, err);
    if (st == CONSTAT_OK)
        st = constat_record_content_hash(rec, item.content_hash, err);
    if (st == CONSTAT_OK)
        st = constat_record_sign(rec, signer, &leaf, err);
    if (st == CONSTAT_OK) {
        item.leaf = leaf.data;
        item.leaf_len = leaf.len;
        item.record_id = id;
        item.kind = kind;
        st = constat_vault_append_hooked(v, &item, 1, hook, hctx, index, &appended, NULL, NULL,
                                         NULL, err);
        if (st == CONSTAT_OK && appended != 1)
            st = constat_error_set(err, CONSTAT_ECONFLICT, "this %s is already logged", kind);
    }
    constat_buf_free(&leaf);
    return st;
}

