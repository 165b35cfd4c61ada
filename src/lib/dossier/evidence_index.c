/*
 * evidence_index.c — the evidence file listing of a dossier,
 * evidence/files.tsv (docs/dossier.md "Evidence file listing"): beside each
 * hash-named file, the record that binds it, its media type and a file name
 * with that type's extension, so that a reader can open it. The writer
 * (dossier.c) writes these bytes, the verifier (verify.c) recomputes and
 * compares them; the hash-named file stays the one the record binds.
 */
#include <string.h>
#include <sys/stat.h>

#include "constat/base/text.h"
#include "constat/dossier/format.h"
#include "constat/evidence/evidence.h"

/* One text field: escaped (no tab, newline or control survives). */
static constat_status field(constat_buf *out, const char *s)
{
    return constat_text_escape(out, s ? s : "");
}

static constat_status suggested_name(constat_buf *out, const char *id, const char *media_type)
{
    constat_status rc = CONSTAT_OK;
    if (!id || !*id)
        id = "evidence";
    for (const char *p = id; *p && rc == CONSTAT_OK; p++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        /* no leading dot: the name would be hidden */
        if (p == id && c == '.')
            ok = 0;
        rc = constat_buf_append(out, ok ? &c : "_", 1);
    }
    if (rc == CONSTAT_OK)
        rc = constat_buf_puts(out, constat_evidence_extension(media_type));
    return rc;
}

constat_status constat_dossier_evidence_index(const char *dir, const json_t *const *records,
                                              size_t n, constat_buf *out, constat_error *err)
{
    constat_status rc = CONSTAT_OK;
    size_t rows = 0;

    constat_buf_reset(out);
    for (size_t i = 0; i < n && rc == CONSTAT_OK; i++) {
        const json_t *r = records[i];
        const char *kind = json_string_value(json_object_get(r, "kind"));
        const char *hex = json_string_value(json_object_get(r, "sha256"));
        const char *media = json_string_value(json_object_get(r, "media_type"));
        char rel[160], path[4400];
        struct stat sb;
        if (!kind || strcmp(kind, "evidence") != 0)
            continue;
        if (constat_evidence_path("", hex, rel, sizeof rel) != CONSTAT_OK)
            continue; /* not a hash: the record check fails it */
        snprintf(path, sizeof path, "%s%s", dir, rel);
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue; /* only its hash travels */
        if (rows++ == 0)
            rc = constat_buf_puts(out, "file\trecord\tincident\tmedia_type\tsuggested_name\n");
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, rel + 1); /* without the leading '/' */
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, "\t");
        if (rc == CONSTAT_OK)
            rc = field(out, json_string_value(json_object_get(r, "id")));
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, "\t");
        if (rc == CONSTAT_OK)
            rc = field(out, json_string_value(json_object_get(r, "incident")));
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, "\t");
        if (rc == CONSTAT_OK)
            rc = field(out, media);
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, "\t");
        if (rc == CONSTAT_OK)
            rc = suggested_name(out, json_string_value(json_object_get(r, "id")), media);
        if (rc == CONSTAT_OK)
            rc = constat_buf_puts(out, "\n");
    }
    if (rc != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "evidence/files.tsv: out of memory");
    return CONSTAT_OK;
}
