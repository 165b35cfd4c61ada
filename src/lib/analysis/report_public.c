/* report_public.c — what a public report says about its disclosure control
 * (report_public.h): the reader of a public page learns that small cells
 * are withheld, by which rules, and with which k, in both languages. */
#include <stdio.h>

#include "analysis/report_public.h"
#include "constat/analysis/disclosure.h"
#include "constat/vault/synthetic.h"

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
            "enregistrement sont retenus. Un lieu que seule une case masquée nommerait est "
            "remplacé par <code>withheld_place</code>. Les positions exactes sont ramenées au "
            "site nommé des registres le plus proche à moins de %d&nbsp;m, sinon au centre "
            "d'une maille d'au moins %d&nbsp;m ; une position de moins de k incidents n'est "
            "pas montrée. <code>constat verify</code> sur ce dossier vérifie "
            "que ces règles sont respectées.</p>\n"
            "<p class=\"en\" lang=\"en\">k = <strong>%s</strong>. This report lists no incident "
            "and no leaf of the log. A cell counting 1 to k&nbsp;&minus;&nbsp;1 incidents, "
            "persons or records, or resting on fewer than k records, is suppressed "
            "(&ldquo;&lt; k&rdquo;); another cell of its row, its column, or its total is "
            "suppressed too (&ldquo;&times;&rdquo;, secondary suppression) so that totals "
            "cannot reveal it. Small groups by nationality, status or minors are merged "
            "(<code>merged_small_groups</code>). Figures per person or per record are "
            "withheld. A place that only a suppressed cell would name reads "
            "<code>withheld_place</code>. Exact positions are snapped to the nearest named "
            "site of the registers within %d&nbsp;m, else to the centre of a grid cell of at "
            "least %d&nbsp;m; a position of fewer than k incidents is not shown. "
            "<code>constat verify</code> on this folder checks that these rules "
            "are obeyed.</p>\n</section>\n",
            k, CONSTAT_PUBLIC_SITE_RADIUS_M, CONSTAT_DISCLOSURE_GRID_M, k,
            CONSTAT_PUBLIC_SITE_RADIUS_M, CONSTAT_DISCLOSURE_GRID_M) != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}

constat_status report_synthetic_html(constat_buf *b, const char *origin, constat_error *err)
{
    if (!constat_origin_is_synthetic(origin))
        return CONSTAT_OK;
    if (constat_buf_puts(b, "<section class=\"caveats\" id=\"synthetic\">\n"
                            "<h2>DONNÉES SYNTHÉTIQUES <span class=\"en\" "
                            "lang=\"en\">/ SYNTHETIC DATA</span></h2>\n"
                            "<p>Ce rapport porte sur des enregistrements synthétiques "
                            "(<code>constat simulate</code>), pour les essais et les mesures : "
                            "aucun ne décrit un fait réel.</p>\n"
                            "<p class=\"en\" lang=\"en\">This report counts synthetic "
                            "records (<code>constat simulate</code>), for tests and benchmarks: "
                            "none describes a real event.</p>\n</section>\n") != CONSTAT_OK)
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    return CONSTAT_OK;
}
