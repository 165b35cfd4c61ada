/*
 * public_report.h — writing a public report folder (`constat report
 * --public`, docs/indicators.md "Public reports: disclosure control"): the
 * report of a public figures document (disclosure.h) with what a verifier
 * needs to render it again.
 */
#ifndef CONSTAT_PUBLIC_REPORT_H
#define CONSTAT_PUBLIC_REPORT_H

#include <stddef.h>
#include <jansson.h>
#include "constat/base/errors.h"
#include "constat/analysis/report.h"

/* Write a public report into `dir`: the report of `pub` (a public figures
 * document from constat_disclosure_apply) with no incident list and no
 * leaf (constat_report_write_timed with no records), then dir/meta.json,
 * the RFC 8785 bytes of {"org","origin","tree_size","generated_at","scope",
 * "checkpoint"} from `meta` (absent members for NULL fields), and
 * dir/taxonomy.json, a copy of the `taxonomy_bytes` (len bytes) the report
 * was labelled with, so that `constat verify DIR` renders the same bytes
 * again (constat_verify_public_report).
 * Errors: as constat_report_write_timed; CONSTAT_EINVAL when `pub` has no
 * disclosure member. */
constat_status constat_report_write_public(const char *dir, const constat_taxonomy *tax,
                                           const unsigned char *taxonomy_bytes, size_t len,
                                           const json_t *pub, const constat_report_meta *meta,
                                           constat_error *err) CONSTAT_WARN_UNUSED;

#endif
