/*
 * constat.h — the whole public API of libconstat. Call constat_init() once
 * before anything else (it initialises libsodium).
 */
#ifndef CONSTAT_CONSTAT_H
#define CONSTAT_CONSTAT_H

#include "constat/base/errors.h"
#include "constat/base/limits.h"
#include "constat/base/buf.h"
#include "constat/base/file.h"
#include "constat/base/hash.h"
#include "constat/base/text.h"
#include "constat/record/canon.h"
#include "constat/log/merkle.h"
#include "constat/log/note.h"

#define CONSTAT_VERSION "0.1.0"

/* Initialise the library (libsodium's RNG and CPU dispatch). Idempotent,
 * thread-safe. Errors: CONSTAT_EINTERNAL if libsodium cannot start. */
constat_status constat_init(void) CONSTAT_WARN_UNUSED;

#endif
