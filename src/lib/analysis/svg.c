/*
 * svg.c — bar charts as inline SVG for the static report.
 *
 * The report must be readable offline, without JavaScript, and by screen
 * readers, so charts are plain SVG with a <title>/<desc> pair, visible text
 * labels for axes and values, and a <title> on every bar segment (the
 * browser shows it as a tooltip). Sizes are fixed pixel layouts: reports are
 * read on screens and printed, and a predictable layout keeps the output
 * byte-stable for the same figures. A label that does not fit is wrapped
 * (bar labels of horizontal charts, on two lines) or shortened, and a
 * shortened label always carries its full text in a <title>: nothing a
 * reader may need is cut away silently.
 *
 * Values are exact integers up to CONSTAT_CHART_VALUE_MAX per bar; the
 * geometry is computed in double, which is only a drawing: the numbers
 * printed on the chart are the integers themselves.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/svg.h"
#include "constat/base/text.h"

#define FONT "font-family=\"sans-serif\" font-size=\"12\""
/* Average advance of a character at font-size 12 sans-serif, in pixels,
 * rounded up so that estimated widths rarely fall short. */
#define CHAR_W 6.5

/* Okabe & Ito's colour-blind-safe qualitative palette (blue first), then
 * Paul Tol's "muted" colours for charts with more series; callers that
 * stack many series should group the rare ones instead (report.c keeps at
 * most 8). */
static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9",
                                      "#d55e00", "#f0e442", "#000000", "#332288", "#88ccee",
                                      "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677",
                                      "#882255", "#aa4499", "#dddddd"};
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

/* Number of characters (code points) of UTF-8 `s`. */
static size_t nchars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Byte offset after the first `max` characters of `s` (or its length). */
static size_t char_offset(const char *s, size_t max)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < max) {
        i++;
        while (s[i] && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    return i;
}

/* Append the bytes s[0..len) escaped; `ellipsis` adds "…". */
static constat_status esc_n(constat_buf *out, const char *s, size_t len, int ellipsis)
{
    if (constat_html_escape_n(out, s, len, 0))
        return CONSTAT_ENOMEM;
    return ellipsis ? constat_buf_puts(out, "\xe2\x80\xa6") : CONSTAT_OK;
}

/* The body of a <text>: `s` itself when it has at most `max` characters,
 * else its first max - 1 characters, an ellipsis and a <title> with all of
 * it. */
static constat_status label_body(constat_buf *out, const char *s, size_t max)
{
    if (nchars(s) <= max)
        return constat_html_escape(out, s);
    if (constat_buf_puts(out, "<title>") || constat_html_escape(out, s) ||
        constat_buf_puts(out, "</title>"))
        return CONSTAT_ENOMEM;
    return esc_n(out, s, char_offset(s, max > 1 ? max - 1 : 1), 1);
}

/* Split `s` into at most two lines of at most `max` characters, breaking
 * at the last space (or after the last '/', ';', ',') that fits. Returns
 * the byte length of the first line and sets *rest to the start of the
 * second ("" when one line is enough). */
static size_t wrap2(const char *s, size_t max, const char **rest)
{
    size_t cut = char_offset(s, max), i, brk = 0;
    if (!s[cut]) {
        *rest = s + cut;
        return cut;
    }
    for (i = 0; i < cut; i++)
        if (s[i] == ' ' || ((s[i] == '/' || s[i] == ';' || s[i] == ',') && i + 1 <= cut))
            brk = s[i] == ' ' ? i : i + 1;
    if (brk == 0)
        brk = cut;
    *rest = s + brk;
    while (**rest == ' ')
        (*rest)++;
    return brk;
}

/* Axis tick text: exact, and short for large values (1500000 -> 1500k,
 * 2000000 -> 2M); SI prefixes read the same in French and English. */
static void tick_text(int64_t v, char out[32])
{
    static const char *const sfx[] = {"", "k", "M", "G", "T", "P", "E"};
    int k = 0;
    if (v >= 100000)
        while (k < 6 && v % 1000 == 0) {
            v /= 1000;
            k++;
        }
    snprintf(out, 32, "%" PRId64 "%s", v, sfx[k]);
}

static int digits(int64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* Axis step from 1, 2, 5 x 10^k giving at most 5 ticks. Safe for max up to
 * CONSTAT_CHART_VALUE_MAX (p stays below 10^18). */
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
    if ((c->n_series > 1 || c->series_labels[s][0]) &&
        (constat_buf_puts(out, " \xe2\x80\x94 ") || constat_html_escape(out, c->series_labels[s])))
        return CONSTAT_ENOMEM;
    return constat_buf_printf(out, ": %" PRId64 "</title>", v);
}

static int has_legend(const constat_chart *c)
{
    return !c->multiples && (c->n_series > 1 || c->series_labels[0][0]);
}

/* Legend layout: entries in columns as wide as the longest label (up to
 * the chart's width), row-major. */
typedef struct {
    int cols, colw, maxch, height;
} legend_t;

static legend_t legend_layout(const constat_chart *c, int width)
{
    legend_t L = {1, 0, 0, 0};
    size_t s, longest = 1;
    if (!has_legend(c))
        return L;
    for (s = 0; s < c->n_series; s++)
        if (nchars(c->series_labels[s]) > longest)
            longest = nchars(c->series_labels[s]);
    L.maxch = (int)((width - 20 - 18) / CHAR_W);
    if ((int)longest < L.maxch)
        L.maxch = (int)longest;
    L.colw = 18 + (int)(L.maxch * CHAR_W) + 12;
    L.cols = (width - 20) / L.colw > 0 ? (width - 20) / L.colw : 1;
    L.height = (int)((c->n_series + (size_t)L.cols - 1) / (size_t)L.cols) * 16 + 10;
    return L;
}

static constat_status legend(constat_buf *out, const constat_chart *c, const legend_t *L,
                             int y0, constat_error *err)
{
    size_t s;
    if (!has_legend(c))
        return CONSTAT_OK;
    TRY(constat_buf_printf(out, "<g class=\"legend\" %s>", FONT));
    for (s = 0; s < c->n_series; s++) {
        int x = 10 + (int)(s % (size_t)L->cols) * L->colw;
        int y = y0 + (int)(s / (size_t)L->cols) * 16;
        TRY(constat_buf_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" "
                               "stroke=\"#333\" stroke-width=\"0.5\"/><text x=\"%d\" y=\"%d\">",
                               x, y, color(c, s), x + 18, y + 10));
        TRY(label_body(out, c->series_labels[s], (size_t)L->maxch));
        TRY(constat_buf_puts(out, "</text>"));
    }
    TRY(constat_buf_puts(out, "</g>"));
    return CONSTAT_OK;
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

/* What the values count, above the plot at (x, 12). */
static constat_status value_label(constat_buf *out, const constat_chart *c, int x, int w,
                                  constat_error *err)
{
    if (!c->value_label || !*c->value_label)
        return CONSTAT_OK;
    TRY(constat_buf_printf(out, "<text x=\"%d\" y=\"12\" %s font-style=\"italic\">", x, FONT));
    TRY(label_body(out, c->value_label, (size_t)((w - x - 4) / CHAR_W)));
    TRY(constat_buf_puts(out, "</text>"));
    return CONSTAT_OK;
}

/* Month (or other) labels under a vertical plot, every `every`-th bar. */
static constat_status x_labels(constat_buf *out, const constat_chart *c, int left, int bw,
                               int gap, int y, size_t every, constat_error *err)
{
    size_t b;
    for (b = 0; b < c->n_bars; b += every) {
        double lx = left + (double)b * bw + (bw - gap) / 2.0;
        TRY(constat_buf_printf(out,
                               "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
                               "transform=\"rotate(-45 %.1f %d)\">",
                               lx, y, lx, y));
        TRY(label_body(out, c->bar_labels[b], 16));
        TRY(constat_buf_puts(out, "</text>"));
    }
    return CONSTAT_OK;
}

/* A right-aligned label ending at x, centred on y: one line, or two broken
 * at a space; the second shortened if still too long, with the whole
 * label as the tooltip. */
static constat_status label2(constat_buf *out, const char *lab, int x, int y, size_t line,
                             constat_error *err)
{
    const char *rest;
    size_t n1 = wrap2(lab, line, &rest);
    if (!*rest) {
        TRY(constat_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", x, y + 4));
        TRY(constat_html_escape(out, lab));
        TRY(constat_buf_puts(out, "</text>"));
        return CONSTAT_OK;
    }
    TRY(constat_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", x, y - 2));
    if (nchars(rest) > line) {
        TRY(constat_buf_puts(out, "<title>"));
        TRY(constat_html_escape(out, lab));
        TRY(constat_buf_puts(out, "</title>"));
    }
    TRY(constat_buf_printf(out, "<tspan x=\"%d\">", x));
    TRY(esc_n(out, lab, n1, 0));
    TRY(constat_buf_printf(out, "</tspan><tspan x=\"%d\" dy=\"12\">", x));
    if (nchars(rest) > line)
        TRY(esc_n(out, rest, char_offset(rest, line - 1), 1));
    else
        TRY(constat_html_escape(out, rest));
    TRY(constat_buf_puts(out, "</tspan></text>"));
    return CONSTAT_OK;
}

static void bar_geometry(size_t n_bars, int *bw, int *gap)
{
    *bw = n_bars <= 40 ? 20 : n_bars <= 120 ? 8 : 5;
    *gap = *bw >= 8 ? *bw / 4 : 1;
}

static constat_status vertical(constat_buf *out, const constat_chart *c, int64_t max,
                               constat_error *err)
{
    const int ph = 240, bottom = 70;
    int64_t step = nice_step(max > 0 ? max : 1), ymax, t;
    int bw, gap, left, top = c->value_label && *c->value_label ? 26 : 16;
    size_t every = c->label_every ? c->label_every : (c->n_bars + 23) / 24, b, s;
    char tick[32];
    int pw, w, h;
    legend_t L;

    ymax = ((max > 0 ? max : 1) + step - 1) / step * step;
    tick_text(ymax, tick);
    left = 16 + (int)(strlen(tick) * CHAR_W);
    if (left < 40)
        left = 40;
    bar_geometry(c->n_bars, &bw, &gap);
    pw = (int)c->n_bars * bw;
    w = left + (pw > 300 ? pw : 300) + 20;
    L = legend_layout(c, w);
    h = top + ph + bottom + L.height;
    TRY(open_svg(out, c, w, h, err));
    if (value_label(out, c, 4, w, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_printf(out, "<g %s>", FONT));
    for (t = 0; t <= ymax; t += step) {
        double y = top + ph - (double)t * ph / (double)ymax;
        tick_text(t, tick);
        TRY(constat_buf_printf(out,
                               "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                               "stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                               "text-anchor=\"end\">%s</text>",
                               left, left + pw, y, y, left - 4, y + 4, tick));
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
        /* the total on top, only where it fits over the bar */
        if (tot > 0 && bw >= 14 && digits(tot) * 7 <= bw + gap)
            TRY(constat_buf_printf(out,
                                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                                   "font-size=\"12\">%" PRId64 "</text>",
                                   x + (bw - gap) / 2.0, y - 2, tot));
    }
    if (x_labels(out, c, left, bw, gap, top + ph + 12, every ? every : 1, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_printf(out,
                           "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
                           "</g>",
                           left, left + pw, top + ph, top + ph));
    if (legend(out, c, &L, top + ph + bottom, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_puts(out, "</svg>"));
    return CONSTAT_OK;
}

/* One strip per series over the same bars and the same scale: a count per
 * series that must not be read as parts of a whole (an incident in three
 * categories is in three strips). */
static constat_status multiples(constat_buf *out, const constat_chart *c, constat_error *err)
{
    const int sh = 24, pitch = 34, bottom = 62;
    int64_t max = 0;
    int bw, gap, left, top = c->value_label && *c->value_label ? 24 : 8, pw, w, h, right;
    size_t every = c->label_every ? c->label_every : (c->n_bars + 23) / 24, b, s, longest = 1;
    size_t maxch;

    for (b = 0; b < c->n_bars * c->n_series; b++)
        if (c->values[b] > max)
            max = c->values[b];
    if (max <= 0)
        max = 1;
    for (s = 0; s < c->n_series; s++)
        if (nchars(c->series_labels[s]) > longest)
            longest = nchars(c->series_labels[s]);
    maxch = longest < 42 ? longest : 42; /* per line, on up to two lines */
    left = 12 + (int)(maxch * CHAR_W);
    right = 20 + 7 * (4 + digits(max));
    bar_geometry(c->n_bars, &bw, &gap);
    pw = (int)c->n_bars * bw;
    w = left + (pw > 300 ? pw : 300) + right;
    h = top + (int)c->n_series * pitch + bottom;
    TRY(open_svg(out, c, w, h, err));
    if (value_label(out, c, 4, w, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_printf(out, "<g %s>", FONT));
    for (s = 0; s < c->n_series; s++) {
        int base = top + (int)s * pitch + sh;
        int64_t smax = 0;
        if (label2(out, c->series_labels[s], left - 6, base - sh / 2, maxch, err))
            return CONSTAT_ENOMEM;
        TRY(constat_buf_printf(out,
                               "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
                               "stroke=\"#eee\"/>",
                               left, left + pw, base - sh, base - sh));
        for (b = 0; b < c->n_bars; b++) {
            int64_t v = c->values[b * c->n_series + s];
            double hh = (double)v * sh / (double)max;
            if (v == 0)
                continue;
            if (v > smax)
                smax = v;
            if (hh < 1.5)
                hh = 1.5; /* a count of 1 stays visible on a large scale */
            TRY(constat_buf_printf(out,
                                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                                   "fill=\"%s\">",
                                   left + (double)b * bw, base - hh, bw - gap, hh,
                                   c->colors ? c->colors[s] : palette[0]));
            TRY(segment_title(out, c, b, s, v));
            TRY(constat_buf_puts(out, "</rect>"));
        }
        TRY(constat_buf_printf(out,
                               "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                               "<text x=\"%d\" y=\"%d\" fill=\"#555\">max %" PRId64 "</text>",
                               left, left + pw, base, base, left + pw + 6, base - 6, smax));
    }
    if (x_labels(out, c, left, bw, gap, top + (int)c->n_series * pitch + 2, every ? every : 1,
                 err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_puts(out, "</g></svg>"));
    return CONSTAT_OK;
}

static constat_status horizontal(constat_buf *out, const constat_chart *c, int64_t max,
                                 constat_error *err)
{
    const int left = 320, bh = 16, pw = 400;
    const size_t line = (size_t)((left - 10) / CHAR_W);
    int top = c->value_label && *c->value_label ? 22 : 8, pitch = 20, w, ph, h;
    size_t b, s;
    legend_t L;

    if (max <= 0)
        max = 1;
    for (b = 0; b < c->n_bars; b++)
        if (nchars(c->bar_labels[b]) > line)
            pitch = 30; /* room for two lines */
    w = left + pw + 16 + (int)(digits(max) * CHAR_W);
    ph = (int)c->n_bars * pitch;
    L = legend_layout(c, w);
    h = top + ph + 10 + L.height;
    TRY(open_svg(out, c, w, h, err));
    if (value_label(out, c, left, w, err))
        return CONSTAT_ENOMEM;
    TRY(constat_buf_printf(out, "<g %s>", FONT));
    for (b = 0; b < c->n_bars; b++) {
        int y = top + (int)b * pitch + (pitch - bh) / 2;
        double x = left;
        int64_t tot = bar_total(c, b);
        if (label2(out, c->bar_labels[b], left - 6, y + 8, line, err))
            return CONSTAT_ENOMEM;
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
        TRY(constat_buf_printf(out, "<text x=\"%.1f\" y=\"%d\">%" PRId64 "</text>", x + 4,
                               y + 12, tot));
    }
    TRY(constat_buf_printf(out,
                           "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/></g>",
                           left, left, top - 2, top + ph));
    if (legend(out, c, &L, top + ph + 10, err))
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
            if (v < 0)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "chart %s: bar %zu: negative value %" PRId64, c->id, b,
                                         v);
            if (v > CONSTAT_CHART_VALUE_MAX - t)
                return constat_error_set(err, CONSTAT_EINVAL,
                                         "chart %s: bar %zu: total above %" PRId64, c->id, b,
                                         (int64_t)CONSTAT_CHART_VALUE_MAX);
            t += v;
        }
        if (t > max)
            max = t;
    }
    if (c->multiples && !c->horizontal)
        return multiples(out, c, err);
    return c->horizontal ? horizontal(out, c, max, err) : vertical(out, c, max, err);
}
