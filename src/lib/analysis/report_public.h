/*
 * report_public.h — private to src/lib/analysis: the part of index.html a
 * public report adds (disclosure.h): the k it obeys and the rules applied.
 */
#ifndef CONSTAT_REPORT_PUBLIC_H
#define CONSTAT_REPORT_PUBLIC_H

#include <jansson.h>
#include "constat/base/buf.h"
#include "constat/base/errors.h"

/* Append the "disclosure" section to `b` when `figures` has a disclosure
 * member (a public figures document); nothing otherwise. The k shown is the
 * declared one (an integer; anything else is shown as "?"): the verifier
 * checks it is obeyed. Errors: CONSTAT_ENOMEM. */
constat_status report_disclosure_html(constat_buf *b, const json_t *figures,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

/* Append a warning that the data are synthetic (`constat simulate`) when
 * `origin` is a synthetic vault's (synthetic.h); nothing otherwise.
 * Errors: CONSTAT_ENOMEM. */
constat_status report_synthetic_html(constat_buf *b, const char *origin,
                                     constat_error *err) CONSTAT_WARN_UNUSED;

/* Append the map of a public report (public_map.h): the "positions" rows
 * of `figures` drawn as report_map_html draws records, each row a place of
 * its value's incidents, named by its site or by its grid cell's centre.
 * Nothing when `figures` is not a public document or has no positions row.
 * Errors: CONSTAT_ENOMEM. */
constat_status report_public_map_html(constat_buf *b, const json_t *figures,
                                      constat_error *err) CONSTAT_WARN_UNUSED;

#endif
