/* text.h — small library-private text helpers shared by several parsers. */
#ifndef CONSTAT_TEXT_H
#define CONSTAT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Parse exactly `n` bytes at `s` as a canonical decimal ("0" or [1-9][0-9]*,
 * at most UINT64_MAX: C2SP checkpoint sizes, tlog-witness "old N"). Returns 1
 * and sets *out, or 0 for anything else. (checkpoint.c) */
int constat_decimal_u64(const char *s, size_t n, uint64_t *out);

#endif
