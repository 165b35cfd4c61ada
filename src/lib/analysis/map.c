/* map.c — the report's SVG map of incidents by place (map.h). Over the
 * Calais area it draws the bundled simplified base map (basemap.h:
 * Natural Earth 1:50m land, credited under the map); elsewhere the places
 * stand on a graticule only, and the caption says which. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/map.h"
#include "analysis/basemap.h"
#include "constat/base/text.h"

#define W 720.0
#define H 480.0
#define PAD 36.0
#define LABELS 10

/* The Calais area. */
#define CAL_S 50.85
#define CAL_N 51.05
#define CAL_W 1.70
#define CAL_E 2.00

typedef struct {
    const char *name; /* borrowed from a record */
    double lat, lon;
    long count;
} spot;

static int spot_cmp(const void *a, const void *b)
{
    const spot *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static constat_status esc(constat_buf *b, const char *s)
{
    return constat_html_escape(b, s);
}

/* One map section: the spots sp[0..ns) (largest first) in the box s..no N,
 * we..ea E, the base map under it when `calais_view`; `id` the section's
 * id, `fr`/`en` its heading. */
static constat_status draw_map(constat_buf *b, const spot *sp, size_t ns, double s, double no,
                               double we, double ea, int calais_view, const char *id,
                               const char *fr, const char *en, constat_error *err)
{
    double kx, ky, cx, maxr;
    long maxc;
    constat_status st = CONSTAT_OK;

#define CHK(x)                                                                                 \
    do {                                                                                       \
        if ((x) != CONSTAT_OK) {                                                               \
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");                     \
            goto out;                                                                          \
        }                                                                                      \
    } while (0)
    /* equirectangular, the scale of the middle latitude, fitted to W x H */
    cx = cos((s + no) / 2 * 3.14159265358979323846 / 180);
    kx = (W - 2 * PAD) / ((ea - we) * cx);
    ky = (H - 2 * PAD) / (no - s);
    if (kx < ky)
        ky = kx;
    else
        kx = ky;
    kx *= cx;
    maxc = sp[0].count;
    maxr = 28.0;
#define X(lon) (PAD + ((lon) - we) * kx)
#define Y(lat) (H - PAD - ((lat) - s) * ky)
    CHK(constat_buf_printf(b, "<section id=\"%s\">\n<h2>%s <span "
                              "class=\"en\" lang=\"en\">/ %s</span></h2>\n"
                              "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                              "role=\"img\" aria-labelledby=\"%s-t\" style=\"max-width:100%%;"
                              "background:#f4f7fa\">\n<title id=\"%s-t\">Incidents by place, "
                              "%.3f..%.3f N, %.3f..%.3f E</title>\n", id, fr, en, W, H, id, id, s,
                           no, we, ea));
    /* the land under everything else (Calais area only: the ring is the
     * bundled one's, clipped by the view) */
    if (calais_view) {
        size_t nl;
        const report_basemap_pt *l = report_basemap_land(&nl);
        CHK(constat_buf_puts(b, "<polygon fill=\"#ebe6d6\" stroke=\"#9a9a88\" points=\""));
        for (size_t i = 0; i < nl; i++)
            CHK(constat_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", X(l[i].lon), Y(l[i].lat)));
        CHK(constat_buf_puts(b, "\"><title>Natural Earth 1:50m</title></polygon>\n"));
    }
    /* graticule: a line every 0.05 degree (Calais area) or a round step */
    {
        double span = fmax(no - s, ea - we), step = span <= 0.3 + 1e-9 ? 0.05 : span <= 3 ? 0.5 : 5;
        for (double la = ceil(s / step) * step; la <= no + 1e-9; la += step)
            CHK(constat_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                      "stroke=\"#c8d2dc\"/><text x=\"2\" y=\"%.1f\" "
                                      "font-size=\"12\" fill=\"#567\">%.2f N</text>\n",
                                   X(we), Y(la), X(ea), Y(la), Y(la) - 2, la));
        for (double lo = ceil(we / step) * step; lo <= ea + 1e-9; lo += step)
            CHK(constat_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                      "stroke=\"#c8d2dc\"/><text x=\"%.1f\" y=\"%.1f\" "
                                      "font-size=\"12\" fill=\"#567\">%.2f E</text>\n",
                                   X(lo), Y(s), X(lo), Y(no), X(lo) + 2, H - 4, lo));
    }
    /* largest first, so small circles stay on top and visible */
    for (size_t i = 0; i < ns; i++) {
        double r = 2.5 + maxr * sqrt((double)sp[i].count / (double)maxc);
        if (sp[i].lat < s || sp[i].lat > no || sp[i].lon < we || sp[i].lon > ea)
            continue;
        CHK(constat_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#d55e00\" "
                                  "fill-opacity=\"0.45\" stroke=\"#a33\"><title>",
                               X(sp[i].lon), Y(sp[i].lat), r));
        CHK(esc(b, sp[i].name));
        CHK(constat_buf_printf(b, ": %ld</title></circle>\n", sp[i].count));
    }
    for (size_t i = 0; i < ns && i < LABELS; i++) {
        if (sp[i].lat < s || sp[i].lat > no || sp[i].lon < we || sp[i].lon > ea)
            continue;
        CHK(constat_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
                                  "fill=\"#222\">", X(sp[i].lon) + 6, Y(sp[i].lat) - 6));
        CHK(esc(b, sp[i].name));
        CHK(constat_buf_printf(b, " (%ld)</text>\n", sp[i].count));
    }
    CHK(constat_buf_puts(b, "</svg>\n<p>Chaque cercle est un lieu, de surface proportionnelle au "
                            "nombre d'incidents ; les positions sont celles des enregistrements "
                            "(souvent approximatives). "));
    CHK(constat_buf_puts(b, calais_view
                                ? "Fond de carte : terres (en beige) d'après Natural Earth au "
                                  "1:50 000 000 (domaine public), très simplifiées : le trait de "
                                  "côte peut s'écarter de quelques kilomètres. "
                                : "Hors de la région de Calais, aucun fond de carte n'est fourni : "
                                  "seules les lignes de latitude et de longitude sont tracées. "));
    CHK(constat_buf_puts(b, "<span class=\"en\" lang=\"en\">Each circle is a place, its area "
                            "proportional to its incidents; positions are the records' (often "
                            "approximate). "));
    CHK(constat_buf_puts(b, calais_view
                                ? "Base map: land (beige) from " REPORT_BASEMAP_CREDIT ". "
                                : "Outside the Calais area no base map is bundled: only lines of "
                                  "latitude and longitude are drawn. "));
    CHK(constat_buf_puts(b, "</span></p>\n</section>\n"));
#undef CHK
#undef X
#undef Y
out:
    return st;
}

constat_status report_map_html(constat_buf *b, report_map_get_fn get, void *ctx, size_t n,
                               constat_error *err)
{
    spot *sp = calloc(n + 1, sizeof *sp);
    json_t *index = json_object(); /* place name -> spot index */
    size_t ns = 0, in_calais = 0;
    int calais_view = 0;
    double s = 90, no = -90, we = 180, ea = -180;
    constat_status st = CONSTAT_OK;

    if (!sp || !index) {
        free(sp);
        json_decref(index);
        return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_object_get(get(ctx, i), "place");
        const json_t *la = json_object_get(p, "lat_e7"), *lo = json_object_get(p, "lon_e7");
        const char *name = json_string_value(json_object_get(p, "site"));
        const json_t *at;
        if (!json_is_integer(la) || !json_is_integer(lo))
            continue;
        if (!name)
            name = json_string_value(json_object_get(p, "name"));
        if (!name)
            name = "?";
        at = json_object_get(index, name);
        if (at) {
            sp[json_integer_value(at)].count++;
            continue;
        }
        sp[ns].name = name;
        sp[ns].lat = (double)json_integer_value(la) / 1e7;
        sp[ns].lon = (double)json_integer_value(lo) / 1e7;
        sp[ns].count = 1;
        if (json_object_set_new(index, name, json_integer((json_int_t)ns))) {
            st = constat_error_set(err, CONSTAT_ENOMEM, "out of memory");
            goto out;
        }
        ns++;
    }
    if (ns == 0)
        goto out;
    qsort(sp, ns, sizeof *sp, spot_cmp);
    for (size_t i = 0; i < ns; i++)
        if (sp[i].lat >= CAL_S && sp[i].lat <= CAL_N && sp[i].lon >= CAL_W && sp[i].lon <= CAL_E)
            in_calais += (size_t)sp[i].count;
    {
        size_t placed = 0;
        for (size_t i = 0; i < ns; i++)
            placed += (size_t)sp[i].count;
        if (in_calais * 2 >= placed) {
            s = CAL_S, no = CAL_N, we = CAL_W, ea = CAL_E;
            calais_view = 1;
        } else {
            for (size_t i = 0; i < ns; i++) {
                s = fmin(s, sp[i].lat), no = fmax(no, sp[i].lat);
                we = fmin(we, sp[i].lon), ea = fmax(ea, sp[i].lon);
            }
            s -= 0.05, no += 0.05, we -= 0.05, ea += 0.05;
        }
    }
    st = draw_map(b, sp, ns, s, no, we, ea, calais_view, "map", "Carte des incidents par lieu",
                  "Map of incidents by place", err);
    /* most incidents elsewhere, some in the Calais area: the Calais view
     * too, as an inset map of its own over the base map */
    if (st == CONSTAT_OK && !calais_view && in_calais > 0)
        st = draw_map(b, sp, ns, CAL_S, CAL_N, CAL_W, CAL_E, 1, "map-calais",
                      "Carte : région de Calais", "Map: the Calais area", err);
out:
    free(sp);
    json_decref(index);
    return st;
}
