/* fuzz_figures.c — libFuzzer harness for the analysis and its escapers:
 * hostile records into constat_figures_compute, hostile claimed figures
 * into constat_figures_check, hostile text into the HTML and CSV escapers.
 * Invariants checked (abort on violation): recomputed figures always check
 * against themselves and always render (constat_report_write into a scratch
 * directory under /tmp, left for the OS to clean); escaped HTML never holds a raw < > " ' and is valid
 * UTF-8. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constat/record/canon.h"
#include "constat/analysis/report.h"
#include "constat/base/text.h"

#define MAX_RECS 256

/* One scratch directory per process for the report files. */
static const char *scratch(void)
{
    static char dir[64];
    if (!dir[0]) {
        char tmpl[] = "/tmp/fuzz_figures-XXXXXX";
        if (!mkdtemp(tmpl))
            abort();
        memcpy(dir, tmpl, sizeof tmpl);
    }
    return dir;
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        }
        k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (k == 0 || i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    constat_buf b;
    json_t *v = NULL, *figs = NULL, *empty = NULL;
    constat_indexed_record recs[MAX_RECS];
    size_t n = 0, i;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    constat_buf_init(&b);
    if (constat_html_escape(&b, text) == CONSTAT_OK && b.len) {
        if (memchr(b.data, '<', b.len) || memchr(b.data, '>', b.len) ||
            memchr(b.data, '"', b.len) || memchr(b.data, '\'', b.len) ||
            !valid_utf8(b.data, b.len))
            abort();
    }
    constat_buf_reset(&b);
    if (constat_csv_field(&b, text) != CONSTAT_OK)
        abort();
    constat_buf_free(&b);
    free(text);

    if (constat_json_parse((const char *)data, size, "fuzz", 0, &v, NULL) != CONSTAT_OK)
        return 0;
    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v) && n < MAX_RECS; i++) {
            recs[n].index = (uint64_t)i * 3 % 1000;
            recs[n].record = json_array_get(v, i);
            n++;
        }
    } else {
        recs[0].index = 0;
        recs[0].record = v;
        n = 1;
    }
    if (constat_figures_compute(recs, n, NULL, &figs, NULL) == CONSTAT_OK) {
        if (constat_figures_check(figs, figs, NULL, NULL, NULL) != CONSTAT_OK)
            abort();
        constat_status st = constat_figures_check(v, figs, NULL, NULL, NULL);
        (void)st;
        /* the whole report from hostile records, then with the input as the
         * (hostile) figures document */
        if (constat_report_write(scratch(), recs, n, NULL, figs, NULL, NULL) != CONSTAT_OK)
            abort();
        st = constat_report_write(scratch(), recs, n, NULL, v, NULL, NULL);
        (void)st;
        json_decref(figs);
    }
    /* The input as claimed figures, against the figures of no records. */
    if (constat_figures_compute(NULL, 0, NULL, &empty, NULL) == CONSTAT_OK) {
        constat_status st = constat_figures_check(v, empty, NULL, NULL, NULL);
        (void)st;
        json_decref(empty);
    }
    json_decref(v);
    return 0;
}
