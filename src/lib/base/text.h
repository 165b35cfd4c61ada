/* text.h — small library-private text helpers shared by several parsers. */
#ifndef CONSTAT_TEXT_H
#define CONSTAT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "constat/base/errors.h"

/* snprintf into the fixed buffer `out` of `cap` bytes (cap >= 1): the
 * result is always NUL-terminated and cut at cap - 1 bytes when longer.
 * Callers build paths only from inputs whose lengths they bounded first,
 * so a path is never cut; a message may be. Never fails. (text.c) */
void constat_bprintf(char *out, size_t cap, const char *fmt, ...) CONSTAT_PRINTF(3, 4);

/* Parse exactly `n` bytes at `s` as a canonical decimal ("0" or [1-9][0-9]*,
 * at most UINT64_MAX: C2SP checkpoint sizes, tlog-witness "old N"). Returns 1
 * and sets *out, or 0 for anything else. (checkpoint.c) */
int constat_decimal_u64(const char *s, size_t n, uint64_t *out);

/* Fold `n` bytes of UTF-8 text at `s` for loose matching (the --place
 * selection, docs/dossier.md "Selection"): ASCII letters to lower case;
 * the letters of Latin-1 Supplement (U+00C0..U+00FF) and Latin Extended-A
 * (U+0100..U+017F) to their base letters in lower case (é, É -> e; ç -> c;
 * œ, Œ -> oe; æ -> ae; ß -> ss; þ -> th; ĳ -> ij; ł -> l; ø -> o); combining
 * diacritical marks (U+0300..U+036F, accents written apart) dropped. Every
 * other byte — other scripts such as Arabic, invalid UTF-8, NUL — is copied
 * unchanged. Writes to `out`, which must hold `n` bytes: the folded text is
 * never longer than its input. Returns its length; never fails. (fold.c) */
size_t constat_text_fold(const char *s, size_t n, char *out);

/* 1 if the `nn` bytes at `needle` occur in the `hn` bytes at `hay` (an
 * empty needle occurs everywhere), else 0. (fold.c) */
int constat_text_find(const char *hay, size_t hn, const char *needle, size_t nn);

#endif
