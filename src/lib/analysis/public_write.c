/* public_write.c — a public report folder (public_report.h): the report of
 * the public figures, with no incident list, beside meta.json and
 * taxonomy.json so that the verifier renders the same bytes again. */
#include <stdio.h>

#include "constat/analysis/public_report.h"
#include "constat/record/canon.h"

static constat_status put_file(const char *dir, const char *name, const unsigned char *data,
                               size_t len, constat_error *err)
{
    char path[4200];
    FILE *f;
    int bad;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        return constat_error_set(err, CONSTAT_EIO, "%s: cannot open for writing", path);
    bad = len && fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    return bad ? constat_error_set(err, CONSTAT_EIO, "%s: write failed", path) : CONSTAT_OK;
}

constat_status constat_report_write_public(const char *dir, const constat_taxonomy *tax,
                                           const unsigned char *taxonomy_bytes, size_t len,
                                           const json_t *pub, const constat_report_meta *meta,
                                           constat_error *err)
{
    json_t *m;
    constat_buf b;
    constat_status st;

    if (!json_is_object(json_object_get(pub, "disclosure")))
        return constat_error_set(err, CONSTAT_EINVAL,
                                 "public report: the figures carry no disclosure member");
    st = constat_report_write_timed(dir, NULL, 0, tax, NULL, pub, meta, err);
    if (st != CONSTAT_OK)
        return st;
    m = json_object();
    if (!m)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    if (meta) {
        const char *const names[] = {"org", "origin", "generated_at", "scope", "checkpoint"};
        const char *const vals[] = {meta->org, meta->origin, meta->generated_at, meta->scope,
                                    meta->checkpoint_note};
        for (size_t i = 0; i < 5; i++)
            if (vals[i] && json_object_set_new(m, names[i], json_string(vals[i])))
                st = CONSTAT_ENOMEM;
        if (json_object_set_new(m, "tree_size", json_integer((json_int_t)meta->tree_size)))
            st = CONSTAT_ENOMEM;
    }
    constat_buf_init(&b);
    if (st == CONSTAT_OK)
        st = constat_canon(m, &b, err);
    else
        constat_error_set(err, st, "out of memory");
    json_decref(m);
    if (st == CONSTAT_OK)
        st = put_file(dir, "meta.json", b.data, b.len, err);
    if (st == CONSTAT_OK)
        st = put_file(dir, "taxonomy.json", taxonomy_bytes, len, err);
    constat_buf_free(&b);
    return st;
}
