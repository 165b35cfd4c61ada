/* report_public.c — what a public report says about its disclosure control
 * (report_public.h): the reader of a public page learns that small cells
 * are withheld, by which rules, and with which k, in both languages. */
#include <stdio.h>

#include "analysis/report_public.h"
#include "constat/analysis/disclosure.h"
#include "constat/record/canon.h"

constat_status report_disclosure_html(constat_buf *b, const json_t *figures, constat_error *err)
{
    const json_t *d = json_object_get(figures, "disclosure"), *kv = json_object_get(d, "k");
    char k[32];

    if (!d)
        return CONSTAT_OK;
    if (json_is_integer(kv))
        snprintf(k, sizeof k, "%lld", (long long)json_integer_value(kv));
    else
        snprintf(k, sizeof k, "?");
    if (constat_buf_printf(
            b,
            "<section class=\"caveats\" id=\"disclosure\">\n"
            "<h2>Rapport public : contrôle de la divulgation <span class=\"en\" lang=\"en\">/ "
            "Public report: disclosure control</span></h2>\n"
            "<p>k = <strong>%s</strong>. Ce rapport ne liste aucun incident ni aucune feuille "
            "du journal. Une case qui compte de 1 à k&nbsp;&minus;&nbsp;1 incidents, personnes "
            "ou enregistrements, ou qui repose sur moins de k enregistrements, est masquée "
            "(&laquo;&nbsp;&lt; k&nbsp;&raquo;) ; une autre case de sa ligne, de sa colonne "
            "ou son total est masqué aussi (&laquo;&nbsp;&times;&nbsp;&raquo;, masquage "
            "secondaire) pour que les totaux ne la révèlent pas. Les petits groupes par "
            "nationalité, statut ou minorité sont regroupés "
            "(<code>merged_small_groups</code>). Les chiffres par personne ou par "
            "enregistrement sont retenus. Les positions exactes sont ramenées au centre d'une "
            "maille d'au moins %d&nbsp;m. <code>constat verify</code> sur ce dossier vérifie "
            "que ces règles sont respectées.</p>\n"
            "<p class=\"en\" lang=\"en\">k = <strong>%s</strong>. This report lists no incident "
            "and no leaf of the log. A cell counting 1 to k&nbsp;&minus;&nbsp;1 incidents, "
            "persons or records, or resting on fewer than k records, is suppressed "
            "(&ldquo;&lt; k&rdquo;); another cell of its row, its column, or its total is "
            "suppressed too (&ldquo;&times;&rdquo;, secondary suppression) so that totals "
            "cannot reveal it. Small groups by nationality, status or minors are merged "
            "(<code>merged_small_groups</code>). Figures per person or per record are "
            "withheld. Exact positions are snapped to the centre of a grid cell of at least "
            "%d&nbsp;m. <code>constat verify</code> on this folder checks that these rules "
            "are obeyed.</p>\n</section>\n",
            k, CONSTAT_DISCLOSURE_GRID_M, k, CONSTAT_DISCLOSURE_GRID_M) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

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
