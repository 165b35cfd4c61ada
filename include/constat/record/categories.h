/*
 * categories.h — reading a record's categories (docs/record.md, incident
 * `categories`).
 */
#ifndef CONSTAT_CATEGORIES_H
#define CONSTAT_CATEGORIES_H

#include <jansson.h>

/* 1 if `record` (a record object; may be NULL) lists `category` among its
 * `categories` (an array of strings; anything else lists none), else 0. */
int constat_record_has_category(const json_t *record, const char *category);

#endif
