/* synthetic.c — the rule that keeps synthetic records (`constat simulate`)
 * and real ones in vaults of their own (synthetic.h); intake applies it to
 * every record before it is signed. */
#include <string.h>

#include "constat/vault/synthetic.h"

int constat_origin_is_synthetic(const char *origin)
{
    return origin && strncmp(origin, CONSTAT_SYNTHETIC_ORIGIN_PREFIX,
                             sizeof CONSTAT_SYNTHETIC_ORIGIN_PREFIX - 1) == 0;
}

int constat_record_is_synthetic(const json_t *record)
{
    const char *id = json_string_value(json_object_get(record, "id"));
    return id && strncmp(id, CONSTAT_SYNTHETIC_ID_PREFIX,
                         sizeof CONSTAT_SYNTHETIC_ID_PREFIX - 1) == 0;
}

constat_status constat_synthetic_guard(const char *origin, const json_t *record,
                                       constat_error *err)
{
    int sv = constat_origin_is_synthetic(origin), sr = constat_record_is_synthetic(record);
    const char *id = json_string_value(json_object_get(record, "id"));

    if (sr && !sv)
        return constat_error_set(err, CONSTAT_EINVAL, "id %.128s: a synthetic record (constat "
                                 "simulate) never enters a real vault", id ? id : "?");
    if (sv && !sr)
        return constat_error_set(err, CONSTAT_EINVAL, "this vault is synthetic (origin %.128s, "
                                 "made by constat simulate): a real record never enters it; "
                                 "record real data in a vault of its own", origin);
    return CONSTAT_OK;
}

