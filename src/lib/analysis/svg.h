/*
 * svg.h — bar charts as inline SVG for the static report (svg.c), private
 * to the library: report.c draws its figures with it. svg.c depends on
 * nothing above the base layer's buffers and escapers (constat/base/text.h),
 * so the report uses the charts and the charts never call back into the
 * report.
 */
#ifndef CONSTAT_ANALYSIS_SVG_H
#define CONSTAT_ANALYSIS_SVG_H

#include <stddef.h>
#include <stdint.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* A bar chart for constat_svg_chart. `values` holds n_bars * n_series
 * non-negative integers, bar-major (values[bar * n_series + series]); with
 * several series the bars are stacked and a legend is drawn. Labels are
 * plain text, escaped by the writer with constat_html_escape (control and
 * bidirectional characters made visible, constat/base/text.h). `horizontal`
 * draws bars left to right with their labels on the left and values at the
 * end; otherwise bars go up with every `label_every`-th bar label
 * (0 = choose) under the axis. `colors` (may be NULL) gives one "#rrggbb" per series. */
typedef struct {
    const char *id;            /* [a-z0-9_-], used for element ids */
    const char *title;         /* <title> */
    const char *desc;          /* <desc> */
    size_t n_bars;
    const char *const *bar_labels;
    size_t n_series;
    const char *const *series_labels;
    const char *const *colors;
    const int64_t *values;
    int horizontal;
    size_t label_every;
    /* Added fields (zero = previous behaviour): */
    const char *value_label; /* what the value axis counts, drawn on the chart (may be NULL) */
    int multiples;           /* vertical only: one strip per series on a shared axis and
                                scale instead of stacking (series never add up) */
} constat_chart;

/* Largest bar total constat_svg_chart draws (2^59, far above the 2^53 - 1
 * a figure may hold, so a few series of maximal sums still fit). */
#define CONSTAT_CHART_VALUE_MAX (INT64_C(1) << 59)

/* Append an <svg> element drawing `c` (role="img", <title> and <desc>
 * referenced by aria-labelledby, text labels for axes and values; a label
 * too long for its place is shortened with an ellipsis and carries the full
 * text in a <title> tooltip). A legend is drawn when there are several
 * series or the single series has a non-empty label.
 * Errors: CONSTAT_EINVAL (negative value, a bar total above
 * CONSTAT_CHART_VALUE_MAX, zero series, bad id), CONSTAT_ENOMEM. */
constat_status constat_svg_chart(constat_buf *out, const constat_chart *c,
                                 constat_error *err) CONSTAT_WARN_UNUSED;

#endif
