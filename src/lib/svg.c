/*
 * svg.c — bar charts as inline SVG for the static report.
 *
 * The report must be readable offline, without JavaScript, and by screen
 * readers, so charts are plain SVG with a <title>/<desc> pair, visible text
 * labels for axes and values, and a <title> on every bar segment (the
 * browser shows it as a tooltip). Sizes are fixed pixel layouts: reports are
 * read on screens and printed, and a predictable layout keeps the output
 * byte-stable for the same figures.
 */
#include <stdio.h>
#include <string.h>

#include "constat/report.h"

#define FONT "font-family=\"sans-serif\" font-size=\"11\""

/* Colour-blind-aware qualitative palette (Tableau 20 order). */
static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define NPALETTE (sizeof palette / sizeof *palette)

#define TRY(x)                                                                                   \
    do {                                                                                         \
        if ((x) != CONSTAT_OK)                                                                   \
            return constat_error_set(err, CONSTAT_ENOMEM, "out of memory");                     \
    } while (0)

static int valid_color(const char *c)
{
    size_t i;
    if (!c || strlen(c) != 7 || c[0] != '#')
        return 0;
    for (i = 1; i < 7; i++)
        if (!strchr("0123456789abcdefABCDEF", c[i]))
            return 0;
    return 1;
}

static const char *color(const constat_chart *c, size_t s)
{
    return c->colors ? c->colors[s] : palette[s % NPALETTE];
}

/* Copy at most `max` characters (code points) of UTF-8 `s` into out,
 * adding an ellipsis when cut; never splits a sequence. */
static void shorten(const char *s, size_t max, char *out, size_t cap)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < max) {
        size_t n = 1;
        while (s[i + n] && ((unsigned char)s[i + n] & 0xC0) == 0x80)
            n++;
        if (i + n + 4 > cap)
            break;
        i += n;
        chars++;
    }
    memcpy(out, s, i);
    if (s[i] && i + 4 <= cap) {
        memcpy(out + i, "\xe2\x80\xa6", 3);
        i += 3;
    }
    out[i] = 0;
}

/* Axis step from 1, 2, 5 x 10^k giving at most 5 ticks. */
static int64_t nice_step(int64_t max)
{
    int64_t p = 1;
    for (;;) {
        if (max <= 5 * p)
            return p;
        if (max <= 10 * p)
            return 2 * p;
        if (max <= 25 * p)
            return 5 * p;
        p *= 10;
    }
}

static int64_t bar_total(const constat_chart *c, size_t b)
{
    int64_t t = 0;
    size_t s;
    for (s = 0; s < c->n_series; s++)
        t += c->values[b * c->n_series + s];
    return t;
}

static constat_status segment_title(constat_buf *out, const constat_chart *c, size_t b,
                                    size_t s, int64_t v)
{
    if (constat_buf_puts(out, "<title>") || constat_html_escape(out, c->bar_labels[b]))
        return CONSTAT_ENOMEM;
    if (c->n_series > 1 &&
        (constat_buf_puts(out, " \xe2\x80\x94 ") || constat_html_escape(out, c->series_labels[s])))
        return CONSTAT_ENOMEM;
    return constat_buf_printf(out, ": %lld</title>", (long long)v);
}

static constat_status legend(constat_buf *out, const constat_chart *c, int width, int y0,
                             constat_error *err)
{
    int cols = width / 200 > 0 ? width / 200 : 1;
    size_t s;
    char lab[256];
    if (c->n_series < 2)
        return CONSTAT_OK;
    TRY(constat_buf_printf(out, "<g class=\"legend\" %s>", FONT));
    for (s = 0; s < c->n_series; s++) {
        int x = 10 + (int)(s % (size_t)cols) * 200, y = y0 + (int)(s / (size_t)cols) * 16;
        shorten(c->series_labels[s], 30, lab, sizeof lab);
        TRY(constat_buf_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                               "<text x=\"%d\" y=\"%d\">",
                               x, y, color(c, s), x + 14, y + 9));
        TRY(constat_html_escape(out, lab));
        TRY(constat_buf_puts(out, "</text>"));
    }
    TRY(constat_buf_puts(out, "</g>"));
    return CONSTAT_OK;
}

static int legend_height(const constat_chart *c, int width)
{
    int cols = width / 200 > 0 ? width / 200 : 1;
    if (c->n_series < 2)
        return 0;
    return (int)((c->n_series + (size_t)cols - 1) / (size_t)cols) * 16 + 10;
}

static constat_status open_svg(constat_buf *out, const constat_chart *c, int w, int h,
                               constat_error *err)
{
    TRY(constat_buf_printf(out,
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                           "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                           "aria-labelledby=\"t-%s d-%s\"><title id=\"t-%s\">",
                           w, h, w, h, c->id, c->id, c->id));
    TRY(constat_html_escape(out, c->title ? c->title : ""));
    TRY(constat_buf_printf(out, "</title><desc id=\"d-%s\">", c->id));
    TRY(constat_html_escape(out, c->desc ? c->desc : ""));
    TRY(constat_buf_puts(out, "</desc>"));
    return CONSTAT_OK;
}

static constat_status vertical(constat_buf *out, const constat_chart *c, int64_t max,
                               constat_error *err)
{
    const int left = 50, top = 16, ph = 240, bottom = 70;
    int bw = c->n_bars <= 40 ? 20 : c->n_bars <= 120 ? 8 : 5;
    int gap = bw >= 8 ? bw / 4 : 1;
    int pw = (int)c->n_bars * bw, w = left + (pw > 300 ? pw : 300) + 20;
    int lh = legend_height(c, w), h = top + ph + bottom + lh;
    int64_t step = nice_step(max > 0 ? max : 1), ymax, t;
    size_t every = c->label_every ? c->label_every : (c->n_bars + 23) / 24, b, s;
    char lab[256];

    ymax = ((max > 0 ? max : 1) + step - 1) / step * step;
    TRY(open_svg(out, c, w, h, err));
    TRY(constat_buf_printf(out, "<g %s>", FONT));
    for (t = 0; t <= ymax; t += step) {
        double y = top + ph - (double)t * ph / (double)ymax;
        TRY(constat_buf_printf(out,
                               "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                               "stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                               "text-anchor=\"end\">%lld</text>",
                               left, left + pw, y, y, left - 4, y + 4, (long long)t));
    }
    for (b = 0; b < c->n_bars; b++) {
        double x = left + (double)b * bw, y = top + ph;
        int64_t tot = bar_total(c, b);
        for (s = 0; s < c->n_series; s++) {
            int64_t v = c->values[b * c->n_series + s];
            double hh = (double)v * ph / (double)ymax;
            if (v == 0)
                continue;
            y -= hh;
            TRY(constat_buf_printf(out,
                                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                                   "fill=\"%s\">",
                                   x, y, bw - gap, hh, color(c, s)));
            TRY(segment_title(out, c, b, s, v));
            TRY(constat_buf_puts(out, "</rect>"));
        }
        if (tot > 0 && bw >= 14)
            TRY(constat_buf_printf(out,
                                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                                   "font-size=\"9\">%lld</text>",
                                   x + (bw - gap) / 2.0, y - 2, (long long)tot));
        if (b % every == 0) {
            double lx = x + (bw - gap) / 2.0;
            shorten(c->bar_labels[b], 16, lab, sizeof lab);
            TRY(constat_buf_printf(out,
                                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
                                   "transform=\"rotate(-45 %.1f %d)\">",
                                   lx, top + ph + 12, lx, top + ph + 12));
            TRY(constat_html_escape(out, lab));
            TRY(constat_buf_puts(out, "</text>"));
        }
    }
    TRY(constat_buf_printf(out,
                           "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
                           "</g>",
                           left, left + pw, top + ph, top + ph));
    if (legend(out, c, w, top + ph + bottom, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_puts(out, "</svg>"));
    return CONSTAT_OK;
}

static constat_status horizontal(constat_buf *out, const constat_chart *c, int64_t max,
                                 constat_error *err)
{
    const int left = 340, top = 8, bh = 16, pitch = 20, pw = 400;
    int w = left + pw + 70, ph = (int)c->n_bars * pitch;
    int lh = legend_height(c, w), h = top + ph + 10 + lh;
    size_t b, s;
    char lab[256];

    if (max <= 0)
        max = 1;
    TRY(open_svg(out, c, w, h, err));
    TRY(constat_buf_printf(out, "<g %s>", FONT));
    for (b = 0; b < c->n_bars; b++) {
        int y = top + (int)b * pitch;
        double x = left;
        int64_t tot = bar_total(c, b);
        shorten(c->bar_labels[b], 52, lab, sizeof lab);
        TRY(constat_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6,
                               y + 12));
        TRY(constat_html_escape(out, lab));
        TRY(constat_buf_puts(out, "</text>"));
        for (s = 0; s < c->n_series; s++) {
            int64_t v = c->values[b * c->n_series + s];
            double ww = (double)v * pw / (double)max;
            if (v == 0)
                continue;
            TRY(constat_buf_printf(out,
                                   "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                                   "fill=\"%s\">",
                                   x, y, ww, bh, color(c, s)));
            TRY(segment_title(out, c, b, s, v));
            TRY(constat_buf_puts(out, "</rect>"));
            x += ww;
        }
        TRY(constat_buf_printf(out, "<text x=\"%.1f\" y=\"%d\">%lld</text>", x + 4, y + 12,
                               (long long)tot));
    }
    TRY(constat_buf_printf(out,
                           "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/></g>",
                           left, left, top - 2, top + ph));
    if (legend(out, c, w, top + ph + 10, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_puts(out, "</svg>"));
    return CONSTAT_OK;
}

constat_status constat_svg_chart(constat_buf *out, const constat_chart *c, constat_error *err)
{
    int64_t max = 0;
    size_t b, s;

    if (!c || !c->id || !*c->id || strspn(c->id, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
                                       strlen(c->id) || strlen(c->id) > 64)
        return constat_error_set(err, CONSTAT_EINVAL, "chart: id must match [a-z0-9_-]{1,64}");
    if (c->n_series == 0 || !c->series_labels)
        return constat_error_set(err, CONSTAT_EINVAL, "chart %s: no series", c->id);
    if (c->n_bars && (!c->bar_labels || !c->values))
        return constat_error_set(err, CONSTAT_EINVAL, "chart %s: bars without labels or values",
                                 c->id);
    for (s = 0; s < c->n_series; s++)
        if (!c->series_labels[s] || (c->colors && !valid_color(c->colors[s])))
            return constat_error_set(err, CONSTAT_EINVAL,
                                     "chart %s: series %zu lacks a label or a #rrggbb colour",
                                     c->id, s);
    for (b = 0; b < c->n_bars; b++) {
        int64_t t = 0;
        if (!c->bar_labels[b])
            return constat_error_set(err, CONSTAT_EINVAL, "chart %s: bar %zu has no label",
                                     c->id, b);
        for (s = 0; s < c->n_series; s++) {
            int64_t v = c->values[b * c->n_series + s];
            if (v < 0 || v > (INT64_MAX >> 12) - t)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "chart %s: bar %zu: value out of range", c->id, b);
            t += v;
        }
        if (t > max)
            max = t;
    }
    return c->horizontal ? horizontal(out, c, max, err) : vertical(out, c, max, err);
}
